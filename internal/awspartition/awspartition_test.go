package awspartition

import (
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/awspartition/partitionstest"
)

func TestOf(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-1": "aws", "cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn", "eusc-de-east-1": "aws-eusc",
		"us-gov-west-1": "aws-us-gov", "us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "eu-isoe-west-1": "aws-iso-e",
		"us-isof-south-1": "aws-iso-f", "": "aws", "mars-north-1": "aws",
	} {
		if got := Of(region); got != want {
			t.Errorf("Of(%q) = %q, want %q", region, got, want)
		}
	}
}

// All is a copy of aws-sdk-go-v2's partitions.json (the version in go.mod): the same partitions, in
// the same order, with the same regionRegex and DNS suffixes (AWSHost recognises every one); every
// region it lists is of its own partition (partitionstest.SDK).
func TestAllMatchesSDK(t *testing.T) {
	sdk := partitionstest.SDK(t)
	if len(sdk) != len(All) {
		t.Errorf("the SDK has %d partitions, All %d", len(sdk), len(All))
	}
	for i, p := range sdk {
		if i >= len(All) || All[i].ID != p.ID || All[i].RegionRegex.String() != p.RegionRegex ||
			All[i].DNSSuffix != p.DNSSuffix || All[i].DualStackDNSSuffix != p.DualStackDNSSuffix {
			t.Errorf("SDK partition %d is %s %s (%s, %s); All does not have it there", i, p.ID, p.RegionRegex, p.DNSSuffix, p.DualStackDNSSuffix)
			continue
		}
		for _, s := range []string{p.DNSSuffix, p.DualStackDNSSuffix} {
			if !AWSHost("rds.some-region-1." + s) {
				t.Errorf("partition %s: AWSHost refuses suffix %q", p.ID, s)
			}
		}
		for _, region := range p.Regions {
			if got := Of(region); got != p.ID {
				t.Errorf("region %s of %s: Of gives %s", region, p.ID, got)
			}
		}
	}
}

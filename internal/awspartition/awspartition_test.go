package awspartition

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
// region it lists is of its own partition, read from the module cache (go list -m).
func TestAllMatchesSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Fatalf("cannot locate aws-sdk-go-v2 with go list -m: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "internal", "endpoints", "awsrulesfn", "partitions.json"))
	if err != nil {
		t.Fatalf("partitions.json: %v", err)
	}
	var doc struct {
		Partitions []struct {
			ID          string                     `json:"id"`
			RegionRegex string                     `json:"regionRegex"`
			Regions     map[string]json.RawMessage `json:"regions"`
			Outputs     struct {
				DNSSuffix          string `json:"dnsSuffix"`
				DualStackDNSSuffix string `json:"dualStackDnsSuffix"`
			} `json:"outputs"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Partitions) != len(All) {
		t.Errorf("the SDK has %d partitions, All %d", len(doc.Partitions), len(All))
	}
	for i, p := range doc.Partitions {
		if i >= len(All) || All[i].ID != p.ID || All[i].RegionRegex.String() != p.RegionRegex ||
			All[i].DNSSuffix != p.Outputs.DNSSuffix || All[i].DualStackDNSSuffix != p.Outputs.DualStackDNSSuffix {
			t.Errorf("SDK partition %d is %s %s (%s, %s); All does not have it there", i, p.ID, p.RegionRegex, p.Outputs.DNSSuffix, p.Outputs.DualStackDNSSuffix)
			continue
		}
		for _, s := range []string{p.Outputs.DNSSuffix, p.Outputs.DualStackDNSSuffix} {
			if !AWSHost("rds.some-region-1." + s) {
				t.Errorf("partition %s: AWSHost refuses suffix %q", p.ID, s)
			}
		}
		for region := range p.Regions {
			if strings.HasSuffix(region, "-global") {
				continue // aws-global, aws-cn-global, ...: endpoint names, not regions
			}
			if got := Of(region); got != p.ID {
				t.Errorf("region %s of %s: Of gives %s", region, p.ID, got)
			}
		}
	}
}

package rightsizing

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

func TestStorageNote(t *testing.T) {
	for _, tc := range []struct {
		name   string
		c      inventory.Cluster
		region string
		priced bool
		want   []string // substrings; none for ""
	}{
		{"gp3 priced, baseline", inventory.Cluster{AllocatedStorageGiB: 100, StorageType: "gp3"}, "us-east-1", true, nil},
		{"gp2 priced", inventory.Cluster{AllocatedStorageGiB: 100, StorageType: "gp2"}, "us-east-1", true, nil},
		{"io1 unpriced with IOPS", inventory.Cluster{AllocatedStorageGiB: 1000, StorageType: "io1", ProvisionedIOPS: 10000}, "us-east-1", false,
			[]string{"its 1000 GiB of io1 storage (the catalog has no io1 price in us-east-1; the provider's storage_prices can give it)", "its 10000 provisioned IOPS", "understated by half"}},
		{"gp3 above its included IOPS and throughput", inventory.Cluster{AllocatedStorageGiB: 500, StorageType: "gp3", ProvisionedIOPS: 15000, StorageThroughputMBps: 600}, "us-east-1", true,
			[]string{"its 3000 provisioned IOPS above gp3's included 12000", "its 100 MiB/s of provisioned throughput above gp3's included 500"}},
		{"gp3 small volume above 3000 IOPS", inventory.Cluster{AllocatedStorageGiB: 100, StorageType: "gp3", ProvisionedIOPS: 4000}, "us-east-1", true,
			[]string{"its 1000 provisioned IOPS above gp3's included 3000"}},
		{"gp2 outside us-east-1", inventory.Cluster{AllocatedStorageGiB: 200, StorageType: "gp2"}, "eu-west-1", false,
			[]string{"its 200 GiB of gp2 storage (the catalog has no gp2 price in eu-west-1; the provider's storage_prices can give it)"}},
		{"no storage known", inventory.Cluster{StorageType: "io1", ProvisionedIOPS: 1000}, "us-east-1", false, nil},
	} {
		got := storageNote(tc.c, tc.region, tc.priced)
		if (got == "") != (len(tc.want) == 0) {
			t.Errorf("%s: %q", tc.name, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
	}
}

// An Aurora deployment asked for a class Aurora PostgreSQL does not offer is an input error on
// target_instance_classes, not a recommendation of a class it cannot run.
func TestRecommend_auroraTargetClass(t *testing.T) {
	d, _ := deps(t, sandbox.Demo(), testNow)
	_, err := Recommend(context.Background(), d, Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour, TargetClasses: []string{"db.m6g.large"}})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "target_instance_classes" || !strings.Contains(ie.Reason, "not an Aurora PostgreSQL class") {
		t.Fatalf("got %v, want an input error on target_instance_classes", err)
	}
}

// The Infracost usage file leaves out what is not measured: additional_backup_storage_gb would
// price backup storage at 0.
func TestInfracostUsageLeavesOutBackupStorage(t *testing.T) {
	_, res := recommendScenario(t, sandbox.Demo(), Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour})
	if y := res.InfracostUsageYAML; strings.Contains(y, "additional_backup_storage_gb") || !strings.Contains(y, "monthly_standard_io_requests") {
		t.Errorf("usage file:\n%s", y)
	}
}

// Sorted puts consolidate verdicts first (a keep's savings are of a node that would not hold the
// load), then by savings with unpriced results last within a verdict.
func TestSortedByVerdictThenSavings(t *testing.T) {
	mk := func(id string, v analysis.Verdict, known bool, usd float64) Result {
		return Result{Cluster: inventory.Cluster{Identifier: id},
			Recommendation: analysis.Recommendation{Verdict: v, Cost: analysis.CostEstimate{Known: known, MonthlySavingsUSD: usd}}}
	}
	in := []Result{
		mk("keep-rich", analysis.VerdictKeep, true, 500),
		mk("a-unpriced", analysis.VerdictConsolidate, false, 0),
		mk("small", analysis.VerdictConsolidate, true, 20),
		mk("big", analysis.VerdictConsolidate, true, 90),
		mk("insufficient", analysis.VerdictInsufficient, true, 40),
	}
	var got []string
	for _, r := range Sorted(in) {
		got = append(got, r.Cluster.Identifier)
	}
	if want := []string{"big", "small", "a-unpriced", "keep-rich", "insufficient"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

package rightsizing

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestStorageCost: a Multi-AZ instance's storage bill, both copies, and the single node's, each
// part priced where the catalog (us-east-1) or storage_prices give it and named in the note
// otherwise: io1 and io2 bill every provisioned IOPS, gp3 the IOPS and throughput above what it
// includes (3,000 and 125 MiB/s below 400 GiB, 12,000 and 500 from 400 GiB).
func TestStorageCost(t *testing.T) {
	cat, err := pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	configured, err := cat.WithStoragePrices("ap-northeast-1", map[pricing.StorageType]float64{pricing.StorageIO2: 0.138})
	if err == nil {
		configured, err = configured.WithProvisionedPrices("ap-northeast-1", map[pricing.ProvisionedCharge]float64{pricing.ChargeIO2IOPS: 0.11, pricing.ChargeGP3Throughput: 0.096})
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		cat           *pricing.Catalog
		c             inventory.Cluster
		region        string
		multi, single float64
		left          []string // substrings of the note; none for ""
	}{
		{"gp3 baseline", cat, inventory.Cluster{AllocatedStorageGiB: 100, StorageType: "gp3", ProvisionedIOPS: 3000, StorageThroughputMBps: 125}, "us-east-1", 23, 11.5, nil},
		{"gp2", cat, inventory.Cluster{AllocatedStorageGiB: 100, StorageType: "gp2"}, "us-east-1", 23, 11.5, nil},
		// 1000 GiB × 0.25 + 10000 IOPS × 0.20 with Multi-AZ; half that without.
		{"io1 with IOPS", cat, inventory.Cluster{AllocatedStorageGiB: 1000, StorageType: "io1", ProvisionedIOPS: 10000}, "us-east-1", 2250, 1125, nil},
		// 500 GiB × 0.23 + 3000 IOPS above 12000 × 0.04; the 100 MiB/s above 500 unpriced.
		{"gp3 above its included IOPS and throughput", cat, inventory.Cluster{AllocatedStorageGiB: 500, StorageType: "gp3", ProvisionedIOPS: 15000, StorageThroughputMBps: 600}, "us-east-1", 235, 117.5,
			[]string{"its 100 MiB/s of provisioned throughput above gp3's included 500", "neither the catalog nor the provider's storage_prices price in us-east-1", "understated by half", "Give their Single-AZ prices in storage_prices (gp3_throughput)"}},
		{"gp3 small volume above 3000 IOPS", cat, inventory.Cluster{AllocatedStorageGiB: 100, StorageType: "gp3", ProvisionedIOPS: 4000}, "us-east-1", 23 + 40, 11.5 + 20, nil},
		{"io2 unpriced", cat, inventory.Cluster{AllocatedStorageGiB: 200, StorageType: "io2", ProvisionedIOPS: 5000}, "us-east-1", 0, 0,
			[]string{"its 200 GiB of io2 storage and its 5000 provisioned IOPS of io2", "storage_prices (io2, io2_iops)"}},
		{"io2 configured", configured, inventory.Cluster{AllocatedStorageGiB: 200, StorageType: "io2", ProvisionedIOPS: 5000}, "ap-northeast-1", 200*0.276 + 5000*0.22, 200*0.138 + 5000*0.11, nil},
		// Only the throughput is configured in ap-northeast-1: the gp3 storage and IOPS are left out.
		{"gp3 partly configured", configured, inventory.Cluster{AllocatedStorageGiB: 400, StorageType: "gp3", ProvisionedIOPS: 13000, StorageThroughputMBps: 750}, "ap-northeast-1", 250 * 0.192, 250 * 0.096,
			[]string{"its 400 GiB of gp3 storage and its 1000 provisioned IOPS above gp3's included 12000", "storage_prices (gp3, gp3_iops)"}},
		{"gp2 outside us-east-1", cat, inventory.Cluster{AllocatedStorageGiB: 200, StorageType: "gp2"}, "eu-west-1", 0, 0,
			[]string{"its 200 GiB of gp2 storage, which neither the catalog nor the provider's storage_prices price in eu-west-1", "storage_prices (gp2)"}},
		// What RDS did not report is named as such, with no storage_prices attribute to give: the
		// type, or an io1 volume's IOPS (its storage is priced).
		{"type not reported", cat, inventory.Cluster{AllocatedStorageGiB: 200}, "us-east-1", 0, 0,
			[]string{"leave out its 200 GiB of storage of a type RDS did not report: they are understated by half of what those cost a month"}},
		{"io1 IOPS not reported", cat, inventory.Cluster{AllocatedStorageGiB: 1000, StorageType: "io1"}, "us-east-1", 250, 125,
			[]string{"leave out the provisioned IOPS of its io1 volume, which RDS did not report (no Iops): they are understated by half of what those cost a month"}},
		{"io2 unpriced, IOPS not reported", cat, inventory.Cluster{AllocatedStorageGiB: 200, StorageType: "io2"}, "us-east-1", 0, 0,
			[]string{"its 200 GiB of io2 storage, which neither the catalog nor the provider's storage_prices price in us-east-1; and the provisioned IOPS of its io2 volume, which RDS did not report", "storage_prices (io2)"}},
		{"no storage known", cat, inventory.Cluster{StorageType: "io1", ProvisionedIOPS: 1000}, "us-east-1", 0, 0, nil},
	} {
		multi, single, left, sources := storageCost(tc.cat, tc.c, tc.region)
		if math.Abs(multi-tc.multi) > 1e-9 || math.Abs(single-tc.single) > 1e-9 {
			t.Errorf("%s: %v with Multi-AZ, %v without; want %v, %v", tc.name, multi, single, tc.multi, tc.single)
		}
		// Where the priced parts' prices came from: storage_prices' rates in ap-northeast-1
		// (configured), the catalog's elsewhere; nothing when nothing is priced.
		want := []string{"catalog " + pricing.CatalogDate}
		switch {
		case multi == 0:
			want = nil
		case tc.cat == configured:
			want = []string{"provider-configuration"}
		}
		if !slices.Equal(sources, want) {
			t.Errorf("%s: sources %q, want %q", tc.name, sources, want)
		}
		got := storageNote(left, tc.region)
		if (got == "") != (len(tc.left) == 0) {
			t.Errorf("%s: note %q", tc.name, got)
		}
		for _, w := range tc.left {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		if !slices.ContainsFunc(tc.left, func(w string) bool { return strings.Contains(w, "storage_prices (") }) && strings.Contains(got, "storage_prices (") {
			t.Errorf("%s: %q names storage_prices attributes for what none prices", tc.name, got)
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

// TestRecommend_provisionedStorage: a Multi-AZ io1 instance in us-east-1 saves half of its storage
// and of its Provisioned IOPS (both billed twice with Multi-AZ), priced from the catalog, with no
// warning; a gp3 instance's throughput above what gp3 includes has no catalog price, so the
// savings leave it out and say so, while its IOPS above the included 12,000 are counted.
func TestRecommend_provisionedStorage(t *testing.T) {
	w := sandbox.Workload{CPUBase: 10, CPUAmplitude: 5, Connections: 20}
	io1 := sandbox.MultiAZInstance("ledger", "db.m6g.large", w)
	io1.StorageType, io1.AllocatedStorage, io1.Iops = "io1", 1000, 10000
	gp3 := sandbox.MultiAZInstance("events", "db.m6g.large", w)
	gp3.AllocatedStorage, gp3.Iops, gp3.StorageThroughput = 500, 15000, 600
	sc := &sandbox.Scenario{Name: "piops", Instances: []sandbox.InstanceSpec{io1, gp3}}
	for _, tc := range []struct {
		id            string
		now, proposed float64 // storage, USD a month
		warning       string  // "": none about storage
	}{
		// 1000 GB × $0.25 + 10000 IOPS × $0.20 with Multi-AZ; half on one node.
		{"ledger", 2250, 1125, ""},
		// 500 GB × $0.23 + 3000 IOPS above 12000 × $0.04; the 100 MiB/s above 500 unpriced.
		{"events", 235, 117.5, "its 100 MiB/s of provisioned throughput above gp3's included 500"},
	} {
		_, res := recommendScenario(t, sc, Request{InstanceID: tc.id, Lookback: 14 * 24 * time.Hour})
		cost := res.Recommendation.Cost
		if cost.CurrentStorageUSD != tc.now || cost.ProposedStorageUSD != tc.proposed {
			t.Errorf("%s: storage %v now, %v on one node; want %v, %v", tc.id, cost.CurrentStorageUSD, cost.ProposedStorageUSD, tc.now, tc.proposed)
		}
		var storage []string
		for _, w := range res.Warnings {
			if w.Title == "Storage Costs Left Out of the Savings" {
				storage = append(storage, w.Text)
			}
		}
		if tc.warning == "" && len(storage) != 0 || tc.warning != "" && (len(storage) != 1 || !strings.Contains(storage[0], tc.warning)) {
			t.Errorf("%s: storage warnings %q, want %q", tc.id, storage, tc.warning)
		}
	}
}

// TestRecommend_storageAutoscaling: an RDS instance whose free storage runs under 10 GiB is a
// medium capacity risk; with storage autoscaling (MaxAllocatedStorage, read from RDS) it is low,
// saying up to how much RDS grows the volume.
func TestRecommend_storageAutoscaling(t *testing.T) {
	w := sandbox.Workload{CPUBase: 10, CPUAmplitude: 5, Connections: 20, StorageUsedGiB: 95}
	full := sandbox.MultiAZInstance("full", "db.m6g.large", w)
	auto := sandbox.MultiAZInstance("auto", "db.m6g.large", w)
	auto.MaxAllocatedStorage = 400
	sc := &sandbox.Scenario{Name: "autoscaling", Instances: []sandbox.InstanceSpec{full, auto}}
	for _, tc := range []struct {
		id, severity, want string
	}{
		{"full", "medium", "full has only"},
		{"auto", "low", "storage autoscaling grows its 100 GiB up to 400 GiB (MaxAllocatedStorage)"},
	} {
		_, res := recommendScenario(t, sc, Request{InstanceID: tc.id, Lookback: 14 * 24 * time.Hour})
		var got []analysis.Risk
		for _, r := range res.Recommendation.Risks {
			if strings.Contains(r.Description, "free storage at its lowest") {
				got = append(got, r)
			}
		}
		if len(got) != 1 || got[0].Severity != tc.severity || !strings.Contains(got[0].Description, tc.want) {
			t.Errorf("%s: %+v, want one %s risk saying %q", tc.id, got, tc.severity, tc.want)
		}
	}
}

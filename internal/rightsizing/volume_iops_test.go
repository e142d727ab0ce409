package rightsizing

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestVolumeIOPS: the sustained IOPS of RDS storage by type, size and provisioned IOPS.
func TestVolumeIOPS(t *testing.T) {
	for _, tc := range []struct {
		typ         string
		gib, iops   int32
		want        float64
		explanation string
	}{
		{"gp2", 20, 0, 3000, "bursts to 3,000 above its 100 on credits"},
		{"gp2", 399, 0, 3000, ""},
		{"gp2", 400, 0, 12000, "striped over four volumes, each bursting to 3,000"},
		{"gp2", 999, 0, 12000, ""},
		{"gp2", 1000, 0, 12000, "no boundary at 1,000 GiB"},
		{"gp2", 5000, 0, 15000, "3 per GiB above the burst"},
		{"gp2", 30000, 0, 64000, "at most 64,000"},
		{"gp3", 20, 3000, 3000, "3,000 below 400 GiB"},
		{"gp3", 399, 0, 3000, ""},
		{"gp3", 400, 12000, 12000, "12,000 from 400 GiB"},
		{"gp3", 1000, 20000, 20000, "or the provisioned IOPS"},
		{"io1", 100, 5000, 5000, "provisioned"},
		{"io2", 100, 40000, 40000, ""},
		{"io1", 100, 0, 0, "no IOPS: unknown"},
		{"standard", 100, 0, 0, "magnetic: unknown"},
		{"", 100, 0, 0, "no type: unknown"},
		{"gp3", 0, 3000, 0, "no size: unknown"},
	} {
		if got := volumeIOPS(tc.typ, tc.gib, tc.iops); got != tc.want {
			t.Errorf("%s %d GiB, %d IOPS: %v, want %v (%s)", tc.typ, tc.gib, tc.iops, got, tc.want, tc.explanation)
		}
	}
}

// TestCapacityOnVolume: an RDS instance's baseline IOPS is its class's or its volume's, whichever is
// lower, and says which; Aurora's is unknown (its storage is the cluster volume).
func TestCapacityOnVolume(t *testing.T) {
	cat, err := pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	class, err := cat.Class("db.r6g.xlarge")
	if err != nil {
		t.Fatal(err)
	}
	if class.EBSBaselineIOPS <= 3000 {
		t.Fatalf("db.r6g.xlarge's EBS baseline %v: the test needs one above a small gp3 volume's 3,000", class.EBSBaselineIOPS)
	}
	small := capacityOn(class, &inventory.Cluster{Kind: inventory.KindMultiAZ, StorageType: "gp3", AllocatedStorageGiB: 100, ProvisionedIOPS: 3000})
	if small.BaselineIOPS != 3000 || small.BaselineIOPSBy != "its 100 GiB gp3 volume" {
		t.Errorf("100 GiB gp3: baseline %v by %q, want 3000 by its volume", small.BaselineIOPS, small.BaselineIOPSBy)
	}
	if gp2 := capacityOn(class, &inventory.Cluster{Kind: inventory.KindMultiAZ, StorageType: "gp2", AllocatedStorageGiB: 100}); gp2.BaselineIOPS != 3000 {
		t.Errorf("100 GiB gp2: baseline %v, want the 3000 it bursts to, not the class's %v", gp2.BaselineIOPS, class.EBSBaselineIOPS)
	}
	big := capacityOn(class, &inventory.Cluster{Kind: inventory.KindMultiAZ, StorageType: "io1", AllocatedStorageGiB: 1000, ProvisionedIOPS: 50000})
	if big.BaselineIOPS != class.EBSBaselineIOPS || big.BaselineIOPSBy != "" {
		t.Errorf("io1 with 50,000 IOPS: baseline %v by %q, want the class's %v", big.BaselineIOPS, big.BaselineIOPSBy, class.EBSBaselineIOPS)
	}
	unknown := capacityOn(class, &inventory.Cluster{Kind: inventory.KindMultiAZ, StorageType: "standard", AllocatedStorageGiB: 100})
	if unknown.BaselineIOPS != class.EBSBaselineIOPS {
		t.Errorf("magnetic: baseline %v, want the class's %v", unknown.BaselineIOPS, class.EBSBaselineIOPS)
	}
	aurora := capacityOn(class, &inventory.Cluster{Kind: inventory.KindAurora, StorageType: "gp3", AllocatedStorageGiB: 100})
	if aurora.BaselineIOPS != 0 {
		t.Errorf("Aurora: baseline %v, want 0 (unknown)", aurora.BaselineIOPS)
	}
}

// TestRecommend_volumeIOPS: through the real SDK on the sandbox, mandible-prod's 100 GiB gp3 volume
// (3,000 IOPS) sets the IOPS check's and alarms' baseline below its class's EBS baseline.
func TestRecommend_volumeIOPS(t *testing.T) {
	sc := sandbox.Demo()
	sc.Instances[0].Class = "db.r6g.xlarge"
	sc.Instances[0].Workload.WriteIOPS = 2200 // a write alarm at p99 × 1.5 would pass 3,000
	d, _ := deps(t, sc, testNow)
	res, err := Recommend(context.Background(), d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Recommendation
	found := false
	for _, r := range rec.Reasons {
		if r.Check == "iops_p99_with_headroom" {
			found = true
			if !strings.Contains(r.Message, "baseline IOPS of db.r6g.xlarge (its 100 GiB gp3 volume)") || !strings.Contains(r.Message, "of the 3000 baseline") {
				t.Errorf("IOPS check %q, want it against the volume's 3000", r.Message)
			}
		}
	}
	if !found {
		t.Fatalf("no IOPS check among %+v", rec.Reasons)
	}
	capped := false
	for _, a := range rec.RollbackTriggers {
		if a.MetricName == analysis.MetricReadIOPS || a.MetricName == analysis.MetricWriteIOPS {
			// The volume delivers no more than 3000 IOPS, reads and writes together: an alarm at 3000 never fires.
			if a.Threshold >= 3000 {
				t.Errorf("%s alarm at %v, not below the volume's 3000 IOPS", a.MetricName, a.Threshold)
			}
			capped = capped || strings.Contains(a.Description, "at most 90% of the 3000 baseline IOPS of db.r6g.xlarge (its 100 GiB gp3 volume)")
		}
	}
	if !capped {
		t.Errorf("no IOPS alarm capped at 90%% of the volume's 3000: %+v", rec.RollbackTriggers)
	}
}

// TestRecommend_readReplicaRisk: mandible-prod with a read replica in the sandbox (listed by
// DescribeDBInstances in ReadReplicaDBInstanceIdentifiers) and a max_connections of 100 that its
// peak outgrows: the raise comes with the replica risk naming the replica.
func TestRecommend_readReplicaRisk(t *testing.T) {
	sc := sandbox.Demo()
	replica := sc.Instances[0]
	replica.ID, replica.MultiAZ, replica.ReadReplicaOf, replica.Tags = "mandible-prod-replica", false, "mandible-prod", nil
	sc.Instances = append(sc.Instances, replica)
	d, _ := deps(t, sc, testNow)
	res, err := Recommend(context.Background(), d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour,
		Postgres: &analysis.PostgresFacts{MaxConnections: 100, PeakConnections: 50}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Cluster.ReadReplicas; len(got) != 1 || got[0] != "mandible-prod-replica" {
		t.Fatalf("read replicas %q", got)
	}
	rec := res.Recommendation
	if _, ok := rec.Parameters["max_connections"]; !ok {
		t.Fatalf("max_connections not raised above 100: %v", rec.Parameters)
	}
	for _, r := range rec.Risks {
		if strings.HasPrefix(r.Description, "mandible-prod has read replicas (mandible-prod-replica)") {
			return
		}
	}
	t.Errorf("no read replica risk among %+v", rec.Risks)
}

// TestRecommend_smallGP2: mandible-prod on 100 GiB of gp2 (300 IOPS, bursting to 3,000 on credits)
// keeps its verdict: its p99 above 300 is what the credits are for, and it is checked against the
// 3,000 the volume delivers while they last, below its class's EBS baseline; its IOPS alarms stay
// above the baseline p99 and at most 3,000.
func TestRecommend_smallGP2(t *testing.T) {
	sc := sandbox.Demo()
	sc.Instances[0].StorageType = "gp2"
	d, _ := deps(t, sc, testNow)
	res, err := Recommend(context.Background(), d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Recommendation
	if rec.Verdict != analysis.VerdictConsolidate {
		t.Errorf("verdict %s, want consolidate", rec.Verdict)
	}
	for _, r := range rec.Reasons {
		if r.Check == "iops_p99_with_headroom" && !strings.Contains(r.Message, "of the 3000 baseline IOPS of db.t4g.large (its 100 GiB gp2 volume)") {
			t.Errorf("IOPS check %q, want it against the volume's 3000", r.Message)
		}
	}
	for _, n := range rec.Nodes {
		for _, m := range []string{analysis.MetricReadIOPS, analysis.MetricWriteIOPS} {
			s, ok := n.Summary(m)
			if !ok || n.Role != analysis.RoleWriter {
				continue
			}
			for _, a := range rec.RollbackTriggers {
				if a.MetricName == m && (!(a.Threshold > s.P99) || a.Threshold > 3000) {
					t.Errorf("%s alarm at %v, not above the baseline p99 %v or above the volume's 3000", m, a.Threshold, s.P99)
				}
			}
		}
	}
}

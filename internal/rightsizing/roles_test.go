package rightsizing

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// weekdayWriter is a writer busy on weekdays only (WeekendFactor 0): at its 14:00 peak, 700 more
// connections (8 MiB each in the sandbox) on top of a 1.5 GiB working set outside Aurora's buffer
// cache (together more than the 5.49 GiB a db.r6g.large's cache leaves: FreeableMemory at its
// floor), and 3,000 more WriteIOPS.
var weekdayWriter = sandbox.Workload{
	CPUBase: 5, CPUAmplitude: 12, PeakHourUTC: 14, Sharpness: 1, WeekendFactor: 0, NoiseStdDev: 0.5,
	Connections: 10, ConnectionsAmplitude: 700, ReadIOPS: 50, ReadIOPSAmplitude: 200, WriteIOPS: 50, WriteIOPSAmplitude: 3000,
	MemoryUsedGiB: 1.5,
}

// recommendFailedOver serves cluster c (writer c-instance-1, reader c-instance-2), fails it over
// through the real SDK on Saturday 2026-10-31 00:00, and recommends for it over Thursday 00:00 to
// Monday 00:00 (4 days, the policy's minimum lookback for the test) on db.r6g.large; the sandbox's
// log then holds the recommendation's calls only.
func recommendFailedOver(t *testing.T, c sandbox.ClusterSpec) (Result, *sandbox.Server) {
	t.Helper()
	failover := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC) // Saturday
	end := failover.Add(48 * time.Hour)                       // Monday 00:00
	d, srv := deps(t, &sandbox.Scenario{Name: "failover", Seed: 11, Clusters: []sandbox.ClusterSpec{c}}, failover)
	ctx := context.Background()
	if _, err := rds.NewFromConfig(srv.AWSConfig()).FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String(c.ID)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(end.Sub(failover))
	d.Now = srv.Now
	srv.ResetLog()
	// The period is set with the end: a pinned window (TestPinnedWindowPeriodWarning) warns otherwise.
	res, err := Recommend(ctx, d, Request{ClusterID: c.ID, Lookback: 4 * 24 * time.Hour, End: end, Period: time.Minute,
		Policy: analysis.Policy{MinLookback: 4 * 24 * time.Hour}, TargetClasses: []string{"db.r6g.large"}})
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := res.Cluster.Writer(); w.ID != c.ID+"-instance-2" {
		t.Fatalf("writer %s, want %s-instance-2 after the failover", w.ID, c.ID)
	}
	return res, srv
}

// TestRecommend_failoverMidWindow: an Aurora pair on db.r6g.large whose writer is busy on weekdays
// and whose reader is idle fails over (through the real SDK) on Saturday 00:00, in the middle of a
// Thursday-to-Monday window: the writer's load moves to the new writer, which has a quiet weekend.
// Measured by role, the projection carries the busy writer of Thursday and Friday: its memory does not
// fit one db.r6g.large with headroom. Measured per instance with today's roles (the new writer's history
// before the failover is the idle reader's, and the old writer's counts as the reader's), it would
// miss them.
func TestRecommend_failoverMidWindow(t *testing.T) {
	res, srv := recommendFailedOver(t, sandbox.AuroraPair("shop-prod", "db.r6g.large", weekdayWriter, sandbox.IdleWorkload))
	rec := res.Recommendation
	pr := rec.Projection
	gib := float64(1 << 30)
	t.Logf("projected memory used p50 %.2f p99 %.2f max %.2f GiB; IOPS p50 %.0f p99 %.0f; verdict %s",
		pr.MemoryUsed.P50/gib, pr.MemoryUsed.P99/gib, pr.MemoryUsed.Max/gib, pr.IOPS.P50, pr.IOPS.P99, rec.Verdict)
	// The busy writer's Thursday and Friday: its 10.51 GiB buffer cache, 1.5 GiB plus up to 700
	// connections of 8 MiB (5.5 GiB), and up to 3,300 IOPS, on the writer.
	if !(pr.MemoryUsed.P99 > 10.5*gib) || !(pr.IOPS.P99 > 2500) {
		t.Errorf("projected memory p99 %.2f GiB, IOPS p99 %.0f; want the busy writer's (over 10.5 GiB, 2,500 IOPS)", pr.MemoryUsed.P99/gib, pr.IOPS.P99)
	}
	var mem *analysis.Reason
	for i, r := range rec.Reasons {
		if r.Check == "memory_p99_with_headroom" && strings.Contains(r.Message, "db.r6g.large") {
			mem = &rec.Reasons[i]
		}
	}
	if mem == nil || mem.Passed || rec.Verdict == analysis.VerdictConsolidate {
		t.Errorf("memory check %+v, verdict %s; want the busy writer's memory to fail on db.r6g.large", mem, rec.Verdict)
	}
	// Read by role: the CloudWatch queries name the cluster and its roles.
	dims := ""
	for _, c := range srv.Calls("GetMetricData") {
		dims += c.Params["Dimensions"] + ";"
	}
	if !strings.Contains(dims, "Role=WRITER") || !strings.Contains(dims, "Role=READER") || !strings.Contains(dims, "DBClusterIdentifier=shop-prod") {
		t.Errorf("GetMetricData dimensions %q, want the cluster's WRITER and READER roles", dims)
	}
	if len(res.WarningTexts()) != 0 {
		t.Errorf("warnings %q", res.WarningTexts())
	}
}

// TestRecommend_auroraIOPSNotEBS: a write-heavy workload (1,000–3,000 WriteIOPS every day) on
// db.r6g.large, whose EC2 EBS baseline is 3,600 IOPS. The Multi-AZ instance runs on EBS (a 500 GiB
// gp3 volume, whose 12,000 IOPS leave the class's baseline the lower): its projected IOPS fail the
// check against that baseline and its IOPS rollback alarms stop at it. The
// Aurora cluster's instances store nothing on EBS, and its WriteIOPS count log records (not 8 KiB
// page writes) that its writer already sends: no IOPS check, and alarms from its own p99.
func TestRecommend_auroraIOPSNotEBS(t *testing.T) {
	w := weekdayWriter
	w.WeekendFactor, w.WriteIOPS, w.WriteIOPSAmplitude, w.MemoryUsedGiB, w.ConnectionsAmplitude = 1, 1000, 2000, 2, 50
	sc := &sandbox.Scenario{Name: "writes", Seed: 12,
		Clusters:  []sandbox.ClusterSpec{sandbox.AuroraPair("log-prod", "db.r6g.large", w, sandbox.IdleWorkload)},
		Instances: []sandbox.InstanceSpec{sandbox.MultiAZInstance("log-db", "db.r6g.large", w)}}
	sc.Instances[0].AllocatedStorage = 500
	d, _ := deps(t, sc, testNow)
	for _, tc := range []struct {
		req    Request
		aurora bool
	}{
		{Request{ClusterID: "log-prod", Lookback: 14 * 24 * time.Hour, TargetClasses: []string{"db.r6g.large"}}, true},
		{Request{InstanceID: "log-db", Lookback: 14 * 24 * time.Hour, TargetClasses: []string{"db.r6g.large"}}, false},
	} {
		res, err := Recommend(context.Background(), d, tc.req)
		if err != nil {
			t.Fatal(err)
		}
		rec := res.Recommendation
		id := res.Cluster.Identifier
		var iops *analysis.Reason
		for i, r := range rec.Reasons {
			if r.Check == "iops_p99_with_headroom" {
				iops = &rec.Reasons[i]
			}
		}
		var capped []float64
		for _, a := range rec.RollbackTriggers {
			if (a.MetricName == analysis.MetricWriteIOPS || a.MetricName == analysis.MetricReadIOPS) && strings.Contains(a.Description, "baseline IOPS of db.r6g.large") {
				capped = append(capped, a.Threshold)
			}
		}
		t.Logf("%s: projected IOPS p99 %.0f, IOPS check %+v, alarms at the EBS baseline %v, verdict %s", id, rec.Projection.IOPS.P99, iops, capped, rec.Verdict)
		if !(rec.Projection.IOPS.P99 > 2500) {
			t.Errorf("%s: projected IOPS p99 %.0f, want the writes' (over 2,500)", id, rec.Projection.IOPS.P99)
		}
		switch {
		case tc.aurora && (iops != nil || len(capped) != 0 || rec.Verdict != analysis.VerdictConsolidate):
			t.Errorf("%s: IOPS check %+v, IOPS alarms capped at the EBS baseline %v, verdict %s; want neither, and consolidate", id, iops, capped, rec.Verdict)
		case !tc.aurora && (iops == nil || iops.Passed || len(capped) == 0 || rec.Verdict == analysis.VerdictConsolidate):
			t.Errorf("%s: IOPS check %+v, IOPS alarms capped at the EBS baseline %v, verdict %s; want a failed check against 3,600 IOPS and capped alarms", id, iops, capped, rec.Verdict)
		}
	}
}

// TestRecommend_failoverMixedClasses: the same failover in a pair whose writer ran db.r6g.xlarge and
// reader db.r6g.large. The class-independent metrics are still read by role (the busy writer's
// WriteIOPS count), CPU, memory and local storage per instance (a role's series would mix the two
// classes' percentages and memory), and a warning says the failover inside the window puts the old
// writer's memory on the reader's side.
func TestRecommend_failoverMixedClasses(t *testing.T) {
	c := sandbox.AuroraPair("mixed-prod", "db.r6g.large", weekdayWriter, sandbox.IdleWorkload)
	c.Members[0].Class = "db.r6g.xlarge"
	res, _ := recommendFailedOver(t, c)
	pr := res.Recommendation.Projection
	t.Logf("projected IOPS p99 %.0f, memory p99 %.2f GiB; warnings %q", pr.IOPS.P99, pr.MemoryUsed.P99/(1<<30), res.WarningTexts())
	if !(pr.IOPS.P99 > 2500) {
		t.Errorf("projected IOPS p99 %.0f, want the busy writer's (over 2,500)", pr.IOPS.P99)
	}
	if len(res.WarningTexts()) != 1 || !strings.HasPrefix(res.WarningTexts()[0], "the writer (db.r6g.large) and the reader (db.r6g.xlarge) run different classes, so CPUUtilization, FreeableMemory and FreeLocalStorage were read per instance with today's roles, but a failover at 2026-10-31T00:00:00Z swapped the roles inside the window") {
		t.Errorf("warnings %q, want one on the failover at 2026-10-31T00:00:00Z", res.WarningTexts())
	}
}

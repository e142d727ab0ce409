package rightsizing

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// collectRoles collects cs's series over [start, end) as RecommendFleet does: metricSources'
// nodes, with Stat (the readers' count has its own statistic).
func collectRoles(t *testing.T, d Deps, cs []inventory.Cluster, start, end time.Time) *cw.Result {
	t.Helper()
	var nodes []cw.Node
	for _, c := range cs {
		nodes = append(nodes, metricSources(c)...)
	}
	plan, err := cw.NewPlan(cw.Request{Nodes: nodes, Stats: []string{Stat}, Start: start, End: end, Now: d.Now()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := (&cw.Collector{API: d.CloudWatch}).Collect(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestMetricSources_readerCount: a 2-node Aurora cluster read by role gets one series more than
// per-instance collection would, the SampleCount of its READER DatabaseConnections, whatever its
// classes; the other series keep the request's statistic. A Multi-AZ instance and an Aurora
// cluster with two readers (read per instance) get none.
func TestMetricSources_readerCount(t *testing.T) {
	pair := inventory.Cluster{Kind: inventory.KindAurora, Identifier: "a", Nodes: []inventory.Node{
		{ID: "a-1", Role: inventory.RoleWriter, Class: "db.r6g.large"}, {ID: "a-2", Role: inventory.RoleReader, Class: "db.r6g.large"}}}
	mixed := pair
	mixed.Nodes = []inventory.Node{pair.Nodes[0], {ID: "a-2", Role: inventory.RoleReader, Class: "db.r6g.xlarge"}}
	three := pair
	three.Nodes = append(slices.Clone(pair.Nodes), inventory.Node{ID: "a-3", Role: inventory.RoleReader, Class: "db.r6g.large"})
	maz := inventory.Cluster{Kind: inventory.KindMultiAZ, Identifier: "m", Nodes: []inventory.Node{
		{ID: "m", Role: inventory.RoleWriter, Class: "db.r6g.large"}, {ID: "m-standby", Role: inventory.RoleStandby, Class: "db.r6g.large", Virtual: true}}}
	for _, tc := range []struct {
		c     inventory.Cluster
		count bool
	}{{pair, true}, {mixed, true}, {three, false}, {maz, false}} {
		var series int
		var counts []string
		for _, n := range metricSources(tc.c) {
			for _, st := range n.Stats {
				counts = append(counts, fmt.Sprintf("%s %s %s %v", n.ID, n.Metrics[0].Name, st, n.Dimensions))
			}
			if len(n.Stats) == 0 {
				series += len(n.Metrics)
			}
		}
		if want := len(tc.c.MetricNodes()) * len(MetricsOf(tc.c)); series != want {
			t.Errorf("%s (%d nodes): %d series of the request's statistic, want %d", tc.c.Identifier, len(tc.c.Nodes), series, want)
		}
		var want []string
		if tc.count {
			want = []string{"a/READER/SampleCount DatabaseConnections SampleCount [{DBClusterIdentifier a} {Role READER}]"}
		}
		if !slices.Equal(counts, want) {
			t.Errorf("%s (%d nodes, reader %s): series of their own statistic %q, want %q", tc.c.Identifier, len(tc.c.Nodes), tc.c.Nodes[1].Class, counts, want)
		}
	}
}

// TestRecommend_readerTotals: a 2-node Aurora cluster had a second busy reader for the first 3 days
// of a 4-day window (as Aurora Auto Scaling adds one at a peak; it was deleted since). The READER
// role series are the mean of the readers while there were two; read with their SampleCount, the
// reader's connections, IOPS, network and CPU are both readers' totals, its FreeLocalStorage holds
// both readers' temporary files, its FreeableMemory stays the readers' mean, and the projection
// carries both readers' connections.
func TestRecommend_readerTotals(t *testing.T) {
	d, srv, c, del := thirdReaderDeleted(t, sandbox.BusyReaderWorkload)
	ctx := context.Background()
	end := del.Add(24 * time.Hour)
	start := end.Add(-4 * 24 * time.Hour)
	cl, err := inventory.Discover(ctx, d.RDS, "", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Nodes) != 2 {
		t.Fatalf("%d nodes, want the writer and one reader", len(cl.Nodes))
	}
	got := collectRoles(t, d, []inventory.Cluster{cl}, start, end)
	reader := cl.Readers()[0]
	series := map[string]analysis.Series{}
	for _, s := range nodeSeries(cl, reader, got) {
		series[s.Metric] = s
	}
	readers := []string{"ro-prod-instance-2", "ro-prod-instance-3"}
	truth := func(metric string, ts time.Time) (sum, mean float64, n int) {
		for _, id := range readers {
			if v, ok := srv.MetricValue(id, metric, ts); ok {
				sum, n = sum+v, n+1
			}
		}
		return sum, sum / float64(n), n
	}
	two := 0
	for _, m := range []string{analysis.MetricConnections, analysis.MetricReadIOPS, analysis.MetricWriteIOPS, analysis.MetricCPU,
		analysis.MetricNetworkReceive, analysis.MetricNetworkTransmit} {
		s := series[m]
		if len(s.Values) != 4*1440 {
			t.Fatalf("reader %s: %d points, want %d", m, len(s.Values), 4*1440)
		}
		for i, ts := range s.Timestamps {
			sum, _, n := truth(m, ts)
			if math.Abs(s.Values[i]-sum) > 1e-6*math.Max(1, sum) {
				t.Fatalf("reader %s at %s = %v, want the readers' total %v (%d readers)", m, ts.Format(time.RFC3339), s.Values[i], sum, n)
			}
			if n == 2 {
				two++
			}
		}
	}
	if two == 0 {
		t.Fatal("no minute with two readers")
	}
	// Free local storage: the readers' temporary files below the highest free space of the window
	// add up; free memory is the readers' mean.
	fl, fm := series[analysis.MetricFreeLocalStorage], series[analysis.MetricFreeableMemory]
	top := math.Inf(-1)
	for _, ts := range fl.Timestamps {
		_, mean, _ := truth(analysis.MetricFreeLocalStorage, ts)
		top = math.Max(top, mean)
	}
	for i, ts := range fl.Timestamps {
		use := 0.0
		for _, id := range readers {
			if v, ok := srv.MetricValue(id, analysis.MetricFreeLocalStorage, ts); ok {
				use += top - v
			}
		}
		if want := math.Max(0, top-use); math.Abs(fl.Values[i]-want) > 1 {
			t.Fatalf("reader FreeLocalStorage at %s = %v, want %v (the highest mean %v less both readers' use %v)", ts.Format(time.RFC3339), fl.Values[i], want, top, use)
		}
		if _, mean, _ := truth(analysis.MetricFreeableMemory, fm.Timestamps[i]); math.Abs(fm.Values[i]-mean) > 1 {
			t.Fatalf("reader FreeableMemory at %s = %v, want the readers' mean %v", ts.Format(time.RFC3339), fm.Values[i], mean)
		}
	}

	// The projection: the writer's connections plus both readers'.
	res, err := recommendOne(d, cl, removedReader{}, readerAlarms{}, cl.Identifier, Request{ClusterID: c.ID, Lookback: 4 * 24 * time.Hour, End: end,
		Policy: analysis.Policy{MinLookback: 4 * 24 * time.Hour}, TargetClasses: []string{"db.r6g.large"}}, got, nil, d.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for _, ts := range series[analysis.MetricConnections].Timestamps {
		w, _ := srv.MetricValue("ro-prod-instance-1", analysis.MetricConnections, ts)
		sum, _, _ := truth(analysis.MetricConnections, ts)
		want = math.Max(want, w+sum)
	}
	if pc := res.Recommendation.Projection.Connections.Max; math.Abs(pc-want) > 1e-6 {
		t.Errorf("projected connections max %v, want %v (the writer's and both readers')", pc, want)
	}
}

// TestRecommend_failoverBeforeEventRetention: the mixed-class pair of
// TestRecommend_failoverMixedClasses fails over 20 days before a 28-day window ends now. RDS keeps
// events for 14 days, so the failover is not listed: the warning says the failovers before then
// could not be checked. Ten days before now, the failover is listed and warned about, with the same
// note.
func TestRecommend_failoverBeforeEventRetention(t *testing.T) {
	for _, age := range []time.Duration{10 * 24 * time.Hour, 20 * 24 * time.Hour} {
		c := sandbox.AuroraPair("mixed-prod", "db.r6g.large", weekdayWriter, sandbox.IdleWorkload)
		c.Members[0].Class = "db.r6g.xlarge"
		failover := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
		d, srv := deps(t, &sandbox.Scenario{Name: "failover", Seed: 11, Clusters: []sandbox.ClusterSpec{c}}, failover)
		ctx := context.Background()
		if _, err := rds.NewFromConfig(srv.AWSConfig()).FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String(c.ID)}); err != nil {
			t.Fatal(err)
		}
		srv.Advance(age)
		d.Now = srv.Now
		res, err := Recommend(ctx, d, Request{ClusterID: c.ID, Lookback: 28 * 24 * time.Hour, TargetClasses: []string{"db.r6g.large"}})
		if err != nil {
			t.Fatal(err)
		}
		var roles []string
		for _, w := range res.WarningTexts() {
			if strings.HasPrefix(w, "the writer (db.r6g.large) and the reader (db.r6g.xlarge) run different classes") {
				roles = append(roles, w)
			}
		}
		since := failover.Add(age - 14*24*time.Hour).Format(time.RFC3339)
		var want string
		if age < 14*24*time.Hour {
			want = "but a failover at 2026-10-31T00:00:00Z swapped the roles inside the window: before it, the writer's CPU, memory and local storage are counted as the reader's; " +
				"RDS keeps events for 14 days, so failovers before " + since + " could not be checked"
		} else {
			want = "no failover swapped them since " + since + ", but RDS keeps events for 14 days, so failovers before then, inside the window from " +
				failover.Add(age-28*24*time.Hour).Format(time.RFC3339) + ", could not be checked"
		}
		if len(roles) != 1 || !strings.Contains(roles[0], want) {
			t.Errorf("failover %v before now: role warnings %q, want one with %q", age, roles, want)
		}
	}
}

// TestRoleFailoverWarning: the failovers that could swap the roles of a mixed-class pair read per
// instance are those since the window's start up to now (when the events were listed); RDS lists
// the last 14 days' only, and none when the listing failed.
func TestRoleFailoverWarning(t *testing.T) {
	now := time.Date(2026, 11, 20, 0, 0, 30, 0, time.UTC)
	mixed := inventory.Cluster{Kind: inventory.KindAurora, Identifier: "m", Nodes: []inventory.Node{
		{ID: "m-1", Role: inventory.RoleWriter, Class: "db.r6g.large"}, {ID: "m-2", Role: inventory.RoleReader, Class: "db.r6g.xlarge"}}}
	same := mixed
	same.Nodes = []inventory.Node{mixed.Nodes[0], {ID: "m-2", Role: inventory.RoleReader, Class: "db.r6g.large"}}
	plan := func(days int, end time.Time, period time.Duration) *cw.Plan {
		return &cw.Plan{Start: end.Add(-time.Duration(days) * 24 * time.Hour), End: end, Period: period}
	}
	withEvents := func(c inventory.Cluster, at ...time.Time) inventory.Cluster {
		for _, a := range at {
			c.Events = append(c.Events, analysis.Event{Source: "m", Time: a, Category: "failover"})
		}
		return c
	}
	unread := mixed
	unread.EventsUnread = "AccessDenied"
	today := now.Truncate(time.Minute)
	for _, tc := range []struct {
		name string
		c    inventory.Cluster
		plan *cw.Plan
		now  []time.Time
		want string // "" for no warning
	}{
		{"14 days ending now", mixed, plan(14, today, time.Minute), []time.Time{now}, ""},
		{"same classes, 28 days", same, plan(28, now.Truncate(5*time.Minute), 5*time.Minute), []time.Time{now}, ""},
		{"28 days, none listed", mixed, plan(28, now.Truncate(5*time.Minute), 5*time.Minute), []time.Time{now},
			"no failover swapped them since 2026-11-06T00:00:30Z, but RDS keeps events for 14 days, so failovers before then, inside the window from 2026-10-23T00:00:00Z, could not be checked"},
		{"28 days, no now: the plan's end", mixed, plan(28, now.Truncate(5*time.Minute), 5*time.Minute), nil,
			"no failover swapped them since 2026-11-06T00:00:00Z"},
		{"10 days ending 10 days ago", mixed, plan(10, today.Add(-10*24*time.Hour), time.Minute), []time.Time{now},
			"no failover swapped them since 2026-11-06T00:00:30Z, but RDS keeps events for 14 days, so failovers before then, inside the window from 2026-10-31T00:00:00Z"},
		{"listed failover inside a 14-day window", withEvents(mixed, today.Add(-3*24*time.Hour)), plan(14, today, time.Minute), []time.Time{now},
			"but a failover at 2026-11-17T00:00:00Z swapped the roles inside the window: before it, the writer's CPU, memory and local storage are counted as the reader's"},
		{"failover after the window", withEvents(mixed, today.Add(-2*24*time.Hour)), plan(7, today.Add(-3*24*time.Hour), time.Minute), []time.Time{now},
			"but a failover at 2026-11-18T00:00:00Z swapped the roles after the window: throughout the window, the writer's CPU"},
		{"events unread", unread, plan(7, today, time.Minute), []time.Time{now},
			"but the failovers could not be listed (see \"failovers not checked\"), so one that swapped the roles since the window's start at 2026-11-13T00:00:00Z would go unnoticed"},
	} {
		var at time.Time
		if len(tc.now) > 0 {
			at = tc.now[0]
		}
		got := roleFailoverWarning(tc.c, tc.plan, at)
		switch {
		case tc.want == "" && got != "":
			t.Errorf("%s: warning %q, want none", tc.name, got)
		case tc.want != "" && !strings.Contains(got, tc.want):
			t.Errorf("%s: warning %q, want one with %q", tc.name, got, tc.want)
		case tc.name == "listed failover inside a 14-day window" && strings.Contains(got, "could not be checked"):
			t.Errorf("%s: warning %q says failovers could not be checked", tc.name, got)
		}
	}
}

// TestRecommend_failoverAfterWindow: the mixed-class pair of TestRecommend_failoverMixedClasses
// fails over on Saturday 00:00, and a 4-day window ending the day before is recommended two days
// later. The failover falls between the window's end and now (when the events were listed): before
// it, today's writer was the reader throughout the window, so the per-instance series are swapped and
// the warning says so; judged by the window's end alone, it would be missed.
func TestRecommend_failoverAfterWindow(t *testing.T) {
	c := sandbox.AuroraPair("mixed-prod", "db.r6g.large", weekdayWriter, sandbox.IdleWorkload)
	c.Members[0].Class = "db.r6g.xlarge"
	failover := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	d, srv := deps(t, &sandbox.Scenario{Name: "failover", Seed: 11, Clusters: []sandbox.ClusterSpec{c}}, failover)
	ctx := context.Background()
	if _, err := rds.NewFromConfig(srv.AWSConfig()).FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String(c.ID)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(48 * time.Hour)
	d.Now = srv.Now
	res, err := Recommend(ctx, d, Request{ClusterID: c.ID, Lookback: 4 * 24 * time.Hour, End: failover.Add(-24 * time.Hour),
		Policy: analysis.Policy{MinLookback: 4 * 24 * time.Hour}, TargetClasses: []string{"db.r6g.large"}})
	if err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, w := range res.WarningTexts() {
		if strings.HasPrefix(w, "the writer (db.r6g.large) and the reader (db.r6g.xlarge) run different classes") {
			roles = append(roles, w)
		}
	}
	want := "but a failover at 2026-10-31T00:00:00Z swapped the roles after the window: throughout the window, the writer's CPU, memory and local storage are counted as the reader's"
	if len(roles) != 1 || !strings.HasSuffix(roles[0], want) {
		t.Errorf("role warnings %q, want one ending %q", roles, want)
	}
}

// TestRecommend_readerCPUOver100: two readers at 60-80% CPU for 3 days of a 4-day window (one
// deleted since, as in TestRecommend_readerTotals): the reader's CPUUtilization, the readers' total
// in percent of one db.r6g.large, exceeds 100%, and the recommendation still comes out whole (the
// node summary, the report's node table and the charts take it; no percent check rejects it), the
// projection carrying both readers' CPU.
func TestRecommend_readerCPUOver100(t *testing.T) {
	hot := sandbox.BusyReaderWorkload
	hot.CPUBase, hot.CPUAmplitude = 60, 20
	d, _, c, _ := thirdReaderDeleted(t, hot)
	ctx := context.Background()
	res, err := Recommend(ctx, d, Request{ClusterID: c.ID, Lookback: 4 * 24 * time.Hour, Policy: analysis.Policy{MinLookback: 4 * 24 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Recommendation
	var reader analysis.Summary
	for _, n := range rec.Nodes {
		if n.Role == analysis.RoleReader {
			reader, _ = n.Summary(analysis.MetricCPU)
		}
	}
	t.Logf("reader CPU p99 %.1f%%, projected p99 %.1f%%, verdict %s", reader.P99, rec.Projection.CPU.P99, rec.Verdict)
	if !(reader.P99 > 100) || !(rec.Projection.CPU.P99 > 100) {
		t.Errorf("reader CPU p99 %.1f%%, projected %.1f%%: want both readers' total, over 100%%", reader.P99, rec.Projection.CPU.P99)
	}
	if rec.Verdict == analysis.VerdictInsufficient || !strings.Contains(rec.ReportMarkdown, "### ro-prod-instance-2 (reader") || len(rec.Charts["cpu.svg"]) == 0 {
		t.Errorf("verdict %s, report or CPU chart missing the reader", rec.Verdict)
	}
}

// TestRoleFailoverWarning_failedFailover: an Aurora failover that failed (RDS-EVENT-0069, category
// failover) swapped no roles, so it makes no warning; a completed one at the same time does.
func TestRoleFailoverWarning_failedFailover(t *testing.T) {
	now := time.Date(2026, 11, 20, 0, 0, 30, 0, time.UTC)
	today := now.Truncate(time.Minute)
	mixed := inventory.Cluster{Kind: inventory.KindAurora, Identifier: "m", Nodes: []inventory.Node{
		{ID: "m-1", Role: inventory.RoleWriter, Class: "db.r6g.large"}, {ID: "m-2", Role: inventory.RoleReader, Class: "db.r6g.xlarge"}}}
	plan := &cw.Plan{Start: today.Add(-14 * 24 * time.Hour), End: today, Period: time.Minute}
	failed := mixed
	failed.Events = []analysis.Event{{Source: "m", Time: today.Add(-3 * 24 * time.Hour), Category: "failover",
		Message: "Cluster failover failed, check the health of your cluster instances and try again."}}
	if got := roleFailoverWarning(failed, plan, now); got != "" {
		t.Errorf("a failed failover: warning %q, want none", got)
	}
	done := failed
	done.Events = append(slices.Clone(failed.Events), analysis.Event{Source: "m", Time: today.Add(-3 * 24 * time.Hour), Category: "failover",
		Message: "Completed failover to DB instance: m-2"})
	if got := roleFailoverWarning(done, plan, now); !strings.Contains(got, "but a failover at 2026-11-17T00:00:00Z swapped the roles inside the window") {
		t.Errorf("a completed failover: warning %q", got)
	}
}

// thirdReaderDeleted is Aurora cluster ro-prod (db.r6g.large, an idle writer) with two readers on
// workload w, the third of which, ro-prod-instance-3, is deleted at del (2026-10-29 00:00 UTC);
// the sandbox's clock (and d.Now) is a day later.
func thirdReaderDeleted(t *testing.T, w sandbox.Workload) (d Deps, srv *sandbox.Server, c sandbox.ClusterSpec, del time.Time) {
	t.Helper()
	c = sandbox.AuroraPair("ro-prod", "db.r6g.large", sandbox.IdleWorkload, w)
	c.Members = append(c.Members, sandbox.InstanceSpec{ID: "ro-prod-instance-3", Class: "db.r6g.large", Workload: w})
	del = time.Date(2026, 10, 29, 0, 0, 0, 0, time.UTC)
	d, srv = deps(t, &sandbox.Scenario{Name: "readers", Seed: 5, Clusters: []sandbox.ClusterSpec{c}}, del)
	if _, err := rds.NewFromConfig(srv.AWSConfig()).DeleteDBInstance(context.Background(), &rds.DeleteDBInstanceInput{
		DBInstanceIdentifier: aws.String("ro-prod-instance-3"), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(24 * time.Hour)
	d.Now = srv.Now
	return d, srv, c, del
}

package rightsizing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// TestRecommend_pinnedWindowKeepsRemovedReader: sso-prod (an Aurora writer and reader) is
// recommended for a pinned window (end_time, 5-minute period); rightsize_db_topology's
// orchestrator then removes the reader, and a day later the same window is recommended with
// allow_single_node. The window lies before the change, so its analysis still counts the
// reader's load (read by Aurora role, as before): the projection, every rollback alarm (the
// reader's FreeLocalStorage one too) and the nodes analysed are the same as before the change,
// with a warning naming the reader counted. A window after the change is the writer's alone.
func TestRecommend_pinnedWindowKeepsRemovedReader(t *testing.T) {
	d, before, after := pinnedAcrossChanges(t, 0, 1)
	if before.AlreadySingleNode {
		t.Fatal("sso-prod already has one node")
	}
	if !after.AlreadySingleNode {
		t.Fatal("the reader was not removed")
	}
	b, a := before.Recommendation, after.Recommendation
	t.Logf("projected CPU p99 %.2f before, %.2f after", b.Projection.CPU.P99, a.Projection.CPU.P99)
	if b.Projection.CPU != a.Projection.CPU {
		t.Errorf("projected CPU %+v, want %+v as before the change", a.Projection.CPU, b.Projection.CPU)
	}
	if got, want := alarmThresholds(a.RollbackTriggers), alarmThresholds(b.RollbackTriggers); !slices.Equal(got, want) {
		t.Errorf("rollback alarms:\n%s\nwant as before the change:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got, want := nodeIDs(a), nodeIDs(b); !slices.Equal(got, want) {
		t.Errorf("nodes %q, want %q as before the change", got, want)
	}
	if b.Verdict != a.Verdict || b.RecommendedClass != a.RecommendedClass {
		t.Errorf("verdict %s (%s), want %s (%s)", a.Verdict, a.RecommendedClass, b.Verdict, b.RecommendedClass)
	}
	if !slices.ContainsFunc(after.Warnings, func(w Warning) bool {
		return w.Title == "Removed Reader Counted" && strings.Contains(w.Text, "the reader sso-prod-instance-2, which rightsize_db_topology removed")
	}) {
		t.Errorf("no warning naming the removed reader: %q", after.WarningTexts())
	}

	// A window entirely after the change is the writer's alone.
	late := Request{ClusterID: "sso-prod", Lookback: 12 * time.Hour, Period: 5 * time.Minute, AllowSingleNode: true,
		Policy: analysis.Policy{MinLookback: 12 * time.Hour}}
	res, err := Recommend(context.Background(), d, late)
	if err != nil {
		t.Fatal(err)
	}
	if got := nodeIDs(res.Recommendation); len(got) != 1 || slices.ContainsFunc(res.Warnings, func(w Warning) bool { return w.Title == "Removed Reader Counted" }) {
		t.Errorf("a window after the change: nodes %q, warnings %q; want the writer alone", got, res.WarningTexts())
	}
}

// pinnedAcrossChanges recommends sso-prod for a 14-day window pinned an hour before testNow (5-minute
// period, allow_single_node), changes it to each node count of nodes in turn (changeSSO, gap
// apart), and recommends the same window again a day later through the provider's shared RDS
// client; it returns the deps as they are then, and both results.
func pinnedAcrossChanges(t *testing.T, gap time.Duration, nodes ...int) (d Deps, before, after Result) {
	t.Helper()
	d, srv := deps(t, sandbox.Demo(), testNow)
	ctx := context.Background()
	req := Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour, End: testNow.Add(-time.Hour), Period: 5 * time.Minute, AllowSingleNode: true}
	before, err := Recommend(ctx, d, req)
	if err != nil {
		t.Fatal(err)
	}
	api := d.RDS.(*rds.Client)
	changeSSO(t, srv, api, gap, nodes...)
	srv.Advance(24 * time.Hour)
	d.Now = srv.Now
	d.RDS = inventory.NewSharedListings(api, time.Minute) // as the provider reads RDS
	if after, err = Recommend(ctx, d, req); err != nil {
		t.Fatalf("after the changes: %v", err)
	}
	return d, before, after
}

// nodeIDs lists the analysed nodes as "identifier role".
func nodeIDs(r analysis.Recommendation) (ids []string) {
	for _, n := range r.Nodes {
		ids = append(ids, n.ID+" "+string(n.Role))
	}
	return ids
}

// alarmThresholds lists alarms by name, dimensions and threshold.
func alarmThresholds(as []analysis.AlarmSpec) []string {
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%s %s %v %s %g", a.Name, a.MetricName, a.Dimensions, a.ComparisonOperator, a.Threshold))
	}
	slices.Sort(out)
	return out
}

// Three changes: 2 → 1 (reader sso-prod-instance-2 removed), 1 → 2 by a resource created anew
// (no previous topology: the new reader is another instance), 2 → 1 again. The window pinned
// before the first change counts the reader it had, sso-prod-instance-2, not the one removed
// last, which did not exist then.
func TestRecommend_pinnedWindowSeveralRemovals(t *testing.T) {
	_, before, after := pinnedAcrossChanges(t, 2*time.Hour, 1, 2, 1)
	if !slices.ContainsFunc(after.Warnings, func(w Warning) bool {
		return w.Title == "Removed Reader Counted" && strings.Contains(w.Text, "the reader sso-prod-instance-2, which rightsize_db_topology removed")
	}) {
		t.Errorf("no warning naming sso-prod-instance-2: %q", after.WarningTexts())
	}
	if got, want := nodeIDs(after.Recommendation), nodeIDs(before.Recommendation); !slices.Equal(got, want) {
		t.Errorf("nodes %q, want %q as before the changes", got, want)
	}
	if got, want := alarmThresholds(after.Recommendation.RollbackTriggers), alarmThresholds(before.Recommendation.RollbackTriggers); !slices.Equal(got, want) {
		t.Errorf("rollback alarms differ:\n%q\nwant\n%q", got, want)
	}
}

// TestRecommend_singleAZTellsTheAnalysis: solo-db, already Single-AZ, recommended with
// allow_single_node: the analysis is told the deployment runs one node, so its report says so
// and plans no migration.
func TestRecommend_singleAZTellsTheAnalysis(t *testing.T) {
	d, _ := deps(t, sandbox.SingleAZ(), testNow)
	res, err := Recommend(context.Background(), d, Request{InstanceID: "solo-db", Lookback: 14 * 24 * time.Hour, AllowSingleNode: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.AlreadySingleNode || !res.Recommendation.AlreadySingleNode {
		t.Fatalf("already single node: result %t, analysis %t", res.AlreadySingleNode, res.Recommendation.AlreadySingleNode)
	}
	md := res.Recommendation.ReportMarkdown
	for _, want := range []string{"the deployment runs one node now (Single-AZ)", "| 2-node form (not running) |", "None: the deployment already runs one node"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// A window that starts after a 2 → 1 change, with the writer alone, and includes a reader a later
// 1 → 2 change added and a third change removed again: that reader, there for hours of the
// window, is not counted (its series would read as a required metric missing most of the window,
// insufficient-data); the writer alone is analysed, and a warning names the reader.
func TestRecommend_windowStartsWithWriterAlone(t *testing.T) {
	d, srv := deps(t, sandbox.Demo(), testNow)
	ctx := context.Background()
	api := d.RDS.(*rds.Client)
	single := changeSSO(t, srv, api, 6*time.Hour, 1, 2, 1)[0]
	srv.Advance(15 * 24 * time.Hour)
	d.Now = srv.Now
	d.RDS = inventory.NewSharedListings(api, time.Minute)
	start := single.Add(time.Hour).Truncate(time.Hour) // the writer alone
	res, err := Recommend(ctx, d, Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour, End: start.Add(14 * 24 * time.Hour),
		Period: 5 * time.Minute, AllowSingleNode: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Recommendation; len(r.Nodes) != 1 || r.Verdict == analysis.VerdictInsufficient {
		t.Errorf("nodes %d, verdict %s; want the writer alone analysed, not insufficient-data", len(r.Nodes), r.Verdict)
	}
	if !slices.ContainsFunc(res.Warnings, func(w Warning) bool {
		return w.Title == "Removed Reader Not Counted" && strings.Contains(w.Text, "added after the window's start and removed")
	}) || slices.ContainsFunc(res.Warnings, func(w Warning) bool { return w.Title == "Removed Reader Counted" }) {
		t.Errorf("warnings %q, want the reader named as not counted", res.WarningTexts())
	}
}

// changeSSO changes sso-prod to each node count of nodes in turn with rightsize_db_topology's
// orchestrator (generations 1, 2, ...), the clock moving gap after each, and returns when each
// change ended.
func changeSSO(t *testing.T, srv *sandbox.Server, api *rds.Client, gap time.Duration, nodes ...int) []time.Time {
	t.Helper()
	return changeCluster(t, srv, api, "sso-prod", gap, nodes...)
}

// changeCluster is changeSSO for the Aurora cluster id.
func changeCluster(t *testing.T, srv *sandbox.Server, api *rds.Client, id string, gap time.Duration, nodes ...int) []time.Time {
	t.Helper()
	o := &topology.Orchestrator{RDS: api, AutoScaling: applicationautoscaling.NewFromConfig(srv.AWSConfig()), Now: srv.Now,
		PollMin: 10 * time.Second, PollMax: time.Minute,
		Sleep: func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }}
	target := topology.Target{Kind: topology.KindCluster, Identifier: id}
	var ended []time.Time
	for i, n := range nodes {
		if _, err := o.Run(context.Background(), topology.Request{Target: target, Nodes: n, Generation: int64(i + 1)}); err != nil {
			t.Fatalf("change %d to %d node(s): %v", i+1, n, err)
		}
		ended = append(ended, srv.Now())
		srv.Advance(gap)
	}
	return ended
}

// An Aurora cluster whose reader ran another class than its writer (sso-prod with a db.t4g.large
// reader) costs, once rightsize_db_topology has removed the reader, its writer and that reader as
// its 2-node form, as before the removal: for a window that includes the reader and for one entirely
// after its removal (where the writer's class twice understated the savings realised).
func TestRecommend_removedReaderClassPricesTheTwoNodeForm(t *testing.T) {
	d, srv, api, pinned, before := largeReaderBaseline(t)
	ctx := context.Background()
	changeSSO(t, srv, api, 0, 1)
	d, late := dayAfterRemoval(srv, d, api)
	for name, req := range map[string]Request{"pinned before the removal": pinned, "after the removal": late} {
		after, err := Recommend(ctx, d, req)
		if err != nil {
			t.Fatal(err)
		}
		if !after.AlreadySingleNode || before.CurrentHourlyUSD <= 0 || after.CurrentHourlyUSD != before.CurrentHourlyUSD {
			t.Errorf("%s: single node %v, current hourly $%.4f, want $%.4f as before the removal (db.t4g.medium writer + db.t4g.large reader)",
				name, after.AlreadySingleNode, after.CurrentHourlyUSD, before.CurrentHourlyUSD)
		}
	}
}

// The reader removed last is the one whose class prices the 2-node form, also when an earlier
// reader was removed and a change back to two nodes came between: sso-prod's reader removed,
// one added back (the writer's class) and given db.t4g.large by hand, then removed again. The
// window after that last removal prices the writer with a db.t4g.large reader, as the cluster ran
// before it, not the writer's class twice.
func TestRecommend_lastRemovedReaderClassAfterChangeBack(t *testing.T) {
	d, srv, api, _, before := largeReaderBaseline(t)
	ctx := context.Background()
	changeSSO(t, srv, api, time.Hour, 1, 2)
	out, err := api.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sso-prod")})
	if err != nil {
		t.Fatal(err)
	}
	var reader string
	for _, m := range out.DBClusters[0].DBClusterMembers {
		if !aws.ToBool(m.IsClusterWriter) {
			reader = aws.ToString(m.DBInstanceIdentifier)
		}
	}
	if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(reader),
		DBInstanceClass: aws.String("db.t4g.large"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	o := &topology.Orchestrator{RDS: api, AutoScaling: applicationautoscaling.NewFromConfig(srv.AWSConfig()), Now: srv.Now,
		PollMin: 10 * time.Second, PollMax: time.Minute,
		Sleep: func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }}
	if _, err := o.Run(ctx, topology.Request{Target: topology.Target{Kind: topology.KindCluster, Identifier: "sso-prod"}, Nodes: 1, Generation: 3}); err != nil {
		t.Fatalf("removing %s again: %v", reader, err)
	}
	d, late := dayAfterRemoval(srv, d, api)
	after, err := Recommend(ctx, d, late)
	if err != nil {
		t.Fatal(err)
	}
	if !after.AlreadySingleNode || before.CurrentHourlyUSD <= 0 || after.CurrentHourlyUSD != before.CurrentHourlyUSD {
		t.Errorf("single node %v, current hourly $%.4f, want $%.4f (db.t4g.medium writer + db.t4g.large reader, the one removed last)",
			after.AlreadySingleNode, after.CurrentHourlyUSD, before.CurrentHourlyUSD)
	}
}

// largeReaderBaseline starts the demo with sso-prod's reader on db.t4g.large, a class other than
// its writer's, and prices the cluster, two nodes, over a window pinned before any change: the
// 2-node form a later single-node window must still price.
func largeReaderBaseline(t *testing.T) (d Deps, srv *sandbox.Server, api *rds.Client, pinned Request, before Result) {
	t.Helper()
	sc := sandbox.Demo()
	sc.Clusters[0].Members[1].Class = "db.t4g.large"
	d, srv = deps(t, sc, testNow)
	pinned = Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour, End: testNow.Add(-time.Hour), Period: 5 * time.Minute, AllowSingleNode: true}
	before, err := Recommend(context.Background(), d, pinned)
	if err != nil {
		t.Fatal(err)
	}
	return d, srv, d.RDS.(*rds.Client), pinned, before
}

// dayAfterRemoval moves the emulator's clock a day past the reader's last removal and returns d
// reading RDS afresh, with a 12-hour window entirely after that removal.
func dayAfterRemoval(srv *sandbox.Server, d Deps, api *rds.Client) (Deps, Request) {
	srv.Advance(24 * time.Hour)
	d.Now = srv.Now
	d.RDS = inventory.NewSharedListings(api, time.Minute)
	return d, Request{ClusterID: "sso-prod", Lookback: 12 * time.Hour, Period: 5 * time.Minute, AllowSingleNode: true,
		Policy: analysis.Policy{MinLookback: 12 * time.Hour}}
}

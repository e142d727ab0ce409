package cloudwatch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// startLongSandbox starts a one-instance sandbox with 456 days of metric history whose clock reads now.
func startLongSandbox(t *testing.T, now time.Time) (*awscw.Client, cloudwatch.Node) {
	t.Helper()
	sc := sandbox.Fleet(1)
	sc.History = 456 * 24 * time.Hour
	srv, err := sandbox.Start(sandbox.Options{Scenario: sc, Now: now})
	if err != nil {
		t.Fatalf("starting sandbox: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	if !srv.Now().Equal(now) {
		t.Fatalf("sandbox clock %v, want %v", srv.Now(), now)
	}
	return newClient(srv.URL()), scenarioNodes(sc)[0]
}

// collectFull collects CPUUtilization of node over the window with the requested period (0 = the planner's
// choice) and fails unless every period of the plan has its datapoint.
func collectFull(t *testing.T, client *awscw.Client, node cloudwatch.Node, start, end, now time.Time, period time.Duration) *cloudwatch.Plan {
	t.Helper()
	p, err := cloudwatch.NewPlan(cloudwatch.Request{Nodes: []cloudwatch.Node{node}, Metrics: cloudwatch.DefaultMetrics[:1],
		Start: start, End: end, Now: now, Period: period})
	if err != nil {
		t.Fatalf("planning %v before now, period %v: %v", now.Sub(start), period, err)
	}
	res, err := (&cloudwatch.Collector{API: client}).Collect(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := res.Find(node.ID, "CPUUtilization", "Average")
	if len(s.Timestamps) != p.PointsPerSeries {
		first := "none"
		if len(s.Timestamps) > 0 {
			first = s.Timestamps[0].Format(time.RFC3339)
		}
		t.Errorf("%v before now, period %v: the plan of %v from %v has %d of %d datapoints (first %s)",
			now.Sub(start), period, p.Period, p.Start.Format(time.RFC3339), len(s.Timestamps), p.PointsPerSeries, first)
	}
	return p
}

// TestCollectFullAtRetentionBoundaries: against the emulator, which serves a datapoint only while its period is
// retained for its age, windows starting exactly 15, 63 and 455 days before a clock 30 s past the minute are
// planned so that every datapoint of the plan comes back (the planner judges the start its requests use).
func TestCollectFullAtRetentionBoundaries(t *testing.T) {
	now := sandbox.ScenarioEpoch.Add(30 * time.Second)
	client, node := startLongSandbox(t, now)
	day := 24 * time.Hour
	for _, days := range []int{15, 63, 455} {
		p := collectFull(t, client, node, now.Add(-time.Duration(days)*day), now, now, 0)
		t.Logf("%d days: period %v from %v", days, p.Period, p.Start.Format(time.RFC3339))
	}
}

// TestCollectFullForEveryAcceptedPeriod: for windows starting 20 and 70 days ago, every period_seconds the
// planner accepts (60..1200 s and 3600..7200 s in 60 s steps) returns every datapoint from the emulator, the
// others are ErrPeriod errors, and exactly the multiples of 300 s (20 days) and 3600 s (70 days) are accepted.
func TestCollectFullForEveryAcceptedPeriod(t *testing.T) {
	now := sandbox.ScenarioEpoch
	client, node := startLongSandbox(t, now)
	day := 24 * time.Hour
	for _, tc := range []struct {
		days   int
		finest time.Duration
	}{{20, 5 * time.Minute}, {70, time.Hour}} {
		start, end := now.Add(-time.Duration(tc.days)*day), now.Add(-time.Duration(tc.days-2)*day)
		var accepted []int
		for s := 60; s <= 7200; s += 60 {
			if s > 1200 && s < 3600 {
				continue
			}
			period := time.Duration(s) * time.Second
			_, err := cloudwatch.NewPlan(cloudwatch.Request{Nodes: []cloudwatch.Node{node}, Metrics: cloudwatch.DefaultMetrics[:1],
				Start: start, End: end, Now: now, Period: period})
			if err != nil {
				if !errors.Is(err, cloudwatch.ErrPeriod) {
					t.Errorf("%d days, %d s: %v, want ErrPeriod", tc.days, s, err)
				}
				continue
			}
			accepted = append(accepted, s)
			collectFull(t, client, node, start, end, now, period)
		}
		if bad := slices.DeleteFunc(slices.Clone(accepted), func(s int) bool { return time.Duration(s)*time.Second%tc.finest == 0 }); len(bad) > 0 {
			t.Errorf("%d days: accepted %v s, want only multiples of %v", tc.days, bad, tc.finest)
		}
		if len(accepted) == 0 {
			t.Errorf("%d days: no period accepted", tc.days)
		}
	}
}

// TestCollectKeepsTopLevelMessages: GetMetricData's top-level Messages reach Result.Messages, once per request
// however many pages repeat them, naming the request's metrics and nodes and concerning (Message.Nodes) every node
// of the request; the data is still collected.
func TestCollectKeepsTopLevelMessages(t *testing.T) {
	sc := sandbox.Fleet(2)
	srv, client := startSandbox(t, sc)
	nodes := scenarioNodes(sc)
	p := plan(t, srv, nodes, cloudwatch.DefaultMetrics[:2], 14, 0)
	srv.SetErrorRate("GetMetricData", 1, sandbox.FaultRequestMessage) // on every page
	res, err := (&cloudwatch.Collector{API: client, MaxDatapointsPerPage: 5000}).Collect(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if pages := len(srv.Calls("GetMetricData")); pages <= len(p.Batches) {
		t.Fatalf("%d pages for %d batches: the test no longer covers repeated pages", pages, len(p.Batches))
	}
	var top []string
	for _, m := range res.Messages {
		if strings.Contains(m.Text, "Maximum number of allowed metrics exceeded") {
			top = append(top, m.Text)
			if want := []string{nodes[0].ID, nodes[1].ID}; !m.Request || !slices.Equal(m.Nodes, want) {
				t.Errorf("message %q: Request %t, nodes %q; want a request's, of %q", m.Text, m.Request, m.Nodes, want)
			}
		}
	}
	if len(top) != len(p.Batches) {
		t.Fatalf("%d top-level messages for %d requests: %+v", len(top), len(p.Batches), res.Messages)
	}
	for _, b := range p.Batches {
		want := fmt.Sprintf("(%s..%s): MaxMetricsExceeded Maximum number of allowed metrics exceeded", b.Start.Format(time.RFC3339), b.End.Format(time.RFC3339))
		if !slices.ContainsFunc(top, func(m string) bool { return strings.HasSuffix(m, want) }) {
			t.Errorf("no message ending %q in %q", want, top)
		}
	}
	for _, m := range top {
		for _, name := range []string{"CPUUtilization", "FreeableMemory", nodes[0].ID, nodes[1].ID} {
			if !strings.Contains(m, name) {
				t.Errorf("message %q does not name %s", m, name)
			}
		}
	}
	for _, ns := range res.Series {
		if len(ns.Series.Values) != p.PointsPerSeries {
			t.Errorf("%s: %d of %d datapoints", ns.Ref, len(ns.Series.Values), p.PointsPerSeries)
		}
	}
}

// TestCollectKeepsQueryMessagesWithTheirNode: a message on one query's result (MetricDataResult.Messages)
// reaches Result.Messages once, prefixed with its series, and concerns that series' node only: MessagesOf gives
// it to that node and not to the others read in the same requests.
func TestCollectKeepsQueryMessagesWithTheirNode(t *testing.T) {
	sc := sandbox.Fleet(3)
	srv, client := startSandbox(t, sc)
	nodes := scenarioNodes(sc)
	p := plan(t, srv, nodes, cloudwatch.DefaultMetrics[:2], 14, 0)
	srv.InjectFaults(sandbox.FaultRule{Operation: "GetMetricData", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultQueryMessage,
		Dimension: "DBInstanceIdentifier=" + nodes[1].ID, Metric: "CPUUtilization", Code: "ArithmeticError", Message: "Division by zero"}})
	res, err := (&cloudwatch.Collector{API: client, MaxDatapointsPerPage: 5000}).Collect(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("CPUUtilization Average (DBInstanceIdentifier=%s) of %s: ArithmeticError Division by zero", nodes[1].ID, nodes[1].ID)
	if len(res.Messages) != 1 || res.Messages[0].Text != want || res.Messages[0].Request || !slices.Equal(res.Messages[0].Nodes, []string{nodes[1].ID}) {
		t.Fatalf("messages %+v; want one, %q, of %s", res.Messages, want, nodes[1].ID)
	}
	if got := res.MessagesOf(nodes[0].ID, nodes[2].ID); len(got) != 0 {
		t.Errorf("messages of the other nodes %+v; want none", got)
	}
	if got := res.MessagesOf(nodes[0].ID, nodes[1].ID); len(got) != 1 {
		t.Errorf("messages of %s and %s %+v; want %s's", nodes[0].ID, nodes[1].ID, got, nodes[1].ID)
	}
}

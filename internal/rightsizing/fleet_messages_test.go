package rightsizing

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// partialWarnings are r's "CloudWatch Data May Be Partial" warnings.
func partialWarnings(r Result) []string {
	var out []string
	for _, w := range r.Warnings {
		if w.Title == "CloudWatch Data May Be Partial" {
			out = append(out, w.Text)
		}
	}
	return out
}

// twoNodeFleet is every 2-node deployment of the sandbox behind d, read in one chunk
// (fleetChunks) over req's window, so that the deployments share GetMetricData requests.
func twoNodeFleet(t *testing.T, d Deps, req Request) []inventory.Cluster {
	t.Helper()
	all, err := inventory.ListFleet(context.Background(), d.RDS, inventory.FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var fleet []inventory.Cluster
	var nodes []cw.Node
	for _, c := range all {
		if c.CheckTwoNode() == nil {
			fleet = append(fleet, c)
			nodes = append(nodes, metricSources(c)...)
		}
	}
	plan, err := cw.NewPlan(cw.Request{Nodes: nodes, Stats: []string{Stat}, Start: req.End.Add(-req.Lookback), End: req.End, Period: req.Period, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fleetChunks(fleet, plan)); n != 1 || len(plan.Batches) < 2 {
		t.Fatalf("test setup: %d deployments read in %d chunks of %d requests; want one chunk of several", len(fleet), n, len(plan.Batches))
	}
	return fleet
}

// TestRecommendFleet_seriesMessageOfItsDeployment: a message CloudWatch answers about one series
// (MetricDataResult.Messages) is a warning of that series' deployment only. Every deployment of
// the fleet's chunk had it, so rightsize_fleet listed deployments whose data was complete under
// "CloudWatch Data May Be Partial".
func TestRecommendFleet_seriesMessageOfItsDeployment(t *testing.T) {
	d, srv := deps(t, demoPlusFleet(6), testNow)
	req := Request{Lookback: 24 * time.Hour, End: testNow, Period: time.Minute}
	fleet := twoNodeFleet(t, d, req)
	// Every request that reads mandible-prod's CPU answers a message on that query.
	srv.InjectFaults(sandbox.FaultRule{Operation: "GetMetricData", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultQueryMessage,
		Dimension: "DBInstanceIdentifier=mandible-prod", Metric: analysis.MetricCPU, Code: "ArithmeticError", Message: "Division by zero"}})
	results, err := RecommendFleet(context.Background(), d, fleet, req)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range results {
		got := partialWarnings(r)
		if r.Name != "mandible-prod" {
			if len(got) > 0 {
				t.Errorf("%s, whose data is complete, warns %q", r.Name, got)
			}
			continue
		}
		found = true
		if len(got) != 1 || !strings.Contains(got[0], "CPUUtilization Average (DBInstanceIdentifier=mandible-prod) of mandible-prod: ArithmeticError Division by zero") {
			t.Errorf("mandible-prod warns %q; want the message about its CPU", got)
		}
	}
	if !found {
		t.Fatal("no result for mandible-prod")
	}
}

// TestRecommendFleet_requestMessageOfItsDeployments: a message CloudWatch answers about a whole
// request (GetMetricData's top-level Messages) is a warning of the deployments that request read,
// saying that it is about the whole request; the deployments read by the other requests have none.
func TestRecommendFleet_requestMessageOfItsDeployments(t *testing.T) {
	d, srv := deps(t, demoPlusFleet(6), testNow)
	req := Request{Lookback: 24 * time.Hour, End: testNow, Period: time.Minute}
	fleet := twoNodeFleet(t, d, req)
	srv.ResetLog()
	srv.InjectSequence("GetMetricData", sandbox.FaultRequestMessage) // the first request only
	results, err := RecommendFleet(context.Background(), d, fleet, req)
	if err != nil {
		t.Fatal(err)
	}
	var dims []string
	for _, e := range srv.Log() {
		if e.Fault == string(sandbox.FaultRequestMessage) {
			dims = strings.Split(e.Params["Dimensions"], ",")
		}
	}
	if dims == nil {
		t.Fatal("no request answered with the message")
	}
	read := func(c inventory.Cluster) bool {
		ids := []string{"DBInstanceIdentifier=" + c.Identifier, "DBClusterIdentifier=" + c.Identifier}
		for _, n := range c.Nodes {
			ids = append(ids, "DBInstanceIdentifier="+n.ID)
		}
		return slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(dims, id) })
	}
	in, out := 0, 0
	for _, r := range results {
		got := partialWarnings(r)
		if !read(r.Cluster) {
			out++
			if len(got) > 0 {
				t.Errorf("%s, not read by the request, warns %q", r.Name, got)
			}
			continue
		}
		in++
		if len(got) != 1 || !strings.Contains(got[0], "MaxMetricsExceeded Maximum number of allowed metrics exceeded") ||
			!strings.Contains(got[0], "with a message about a whole request, not one series") {
			t.Errorf("%s, read by the request, warns %q; want the message, as about the whole request", r.Name, got)
		}
	}
	if in == 0 || out == 0 {
		t.Fatalf("test setup: %d deployments read by the request, %d not; want some of each", in, out)
	}
}

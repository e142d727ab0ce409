package cloudwatch_test

import (
	"fmt"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
)

// A 100-node fleet × the 10 default metrics over 28 days: the window is older than 15 days, so the period is
// 300 s (8,064 points per series), and the planner splits the window in two so that 25 half-series fill each
// request's 100,800 datapoints exactly — 80 requests, the lower bound (whole series alone would need 84).
func ExampleNewPlan() {
	now := time.Date(2026, time.November, 2, 12, 0, 0, 0, time.UTC)
	nodes := make([]cloudwatch.Node, 100)
	for i := range nodes {
		nodes[i] = cloudwatch.Node{ID: fmt.Sprintf("db-%03d", i)}
	}
	p, err := cloudwatch.NewPlan(cloudwatch.Request{Nodes: nodes, Metrics: cloudwatch.DefaultMetrics,
		Start: now.Add(-28 * 24 * time.Hour), End: now, Now: now})
	if err != nil {
		panic(err)
	}
	fmt.Println("period:", p.Period, "points/series:", p.PointsPerSeries)
	fmt.Println("requests:", len(p.Batches), "lower bound:", p.LowerBound)
	fmt.Println("first request:", len(p.Batches[0].Series), "queries,", p.Datapoints(p.Batches[0]), "datapoints")
	// Output:
	// period: 5m0s points/series: 8064
	// requests: 80 lower bound: 80
	// first request: 25 queries, 100800 datapoints
}

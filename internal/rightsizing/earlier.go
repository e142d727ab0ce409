package rightsizing

import (
	"context"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
)

// cpuOnly is the one metric read before the window (Request.PeakLookback).
var cpuOnly = []cw.Metric{{Name: analysis.MetricCPU, Unit: "Percent"}}

// collectEarlier reads the hourly CPUUtilization of clusters' nodes (by role on Aurora, as
// metricSources reads it) over [from, to), from no earlier than CloudWatch keeps (455 days,
// at 1-hour resolution). nil, nil when nothing of it is kept.
func collectEarlier(ctx context.Context, col *cw.Collector, clusters []inventory.Cluster, from, to, now time.Time) (*cw.Result, error) {
	if oldest := now.Add(-cw.MaxLookback).Truncate(time.Hour).Add(time.Hour); from.Before(oldest) {
		from = oldest
	}
	if to.Sub(from) < time.Hour {
		return nil, nil
	}
	var nodes []cw.Node
	for _, c := range clusters {
		nodes = append(nodes, metricSourcesOf(c, cpuOnly)...)
	}
	plan, err := cw.NewPlan(cw.Request{Nodes: nodes, Stats: []string{Stat}, Start: from, End: to, Period: time.Hour, Now: now})
	if err != nil {
		return nil, err
	}
	return col.Collect(ctx, plan)
}

// earlierCPU is node n's CPUUtilization in earlier (collectEarlier's result for c), when read
// and not empty.
func earlierCPU(c inventory.Cluster, n inventory.Node, earlier *cw.Result) (analysis.Series, bool) {
	if earlier == nil {
		return analysis.Series{}, false
	}
	for _, s := range nodeSeries(c, n, earlier) {
		if s.Metric == analysis.MetricCPU && len(s.Values) > 0 {
			return s, true
		}
	}
	return analysis.Series{}, false
}

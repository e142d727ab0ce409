package rightsizing

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
)

// cpuOnly is the one metric read before the window (Request.PeakLookback).
var cpuOnly = []cw.Metric{{Name: analysis.MetricCPU, Unit: "Percent"}}

// earlierStart is where the earlier read from from starts: no earlier than CloudWatch keeps
// (455 days, at 1-hour resolution, before now).
func earlierStart(from, now time.Time) time.Time {
	if oldest := now.Add(-cw.MaxLookback).Truncate(time.Hour).Add(time.Hour); from.Before(oldest) {
		return oldest
	}
	return from
}

// collectEarlier reads the hourly CPUUtilization of clusters' nodes (by role on Aurora, as
// metricSources reads it) over [from, to), from being earlierStart's (no earlier than CloudWatch
// keeps). A cluster of its writer alone that had a reader in those days comes with it
// (removedReader.earlier), so that it is read as the 2-node cluster was. nil, nil when nothing
// of it is kept.
func collectEarlier(ctx context.Context, col *cw.Collector, clusters []inventory.Cluster, from, to, now time.Time) (*cw.Result, error) {
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

// earlierReaderCPU is the earlier CPU of r, the reader the Aurora cluster c (as the earlier read
// read it: with r) had before the window and no longer has (removedReader.earlier), when read and
// not empty: each hour counts the reader's load over the whole hour, the mean of its minutes times
// the share of the hour's minutes the readers reported (the readers' count, readerCountSource,
// under 60 samples only in an hour a reader came or went). In the hour of its removal the
// reader reported only the minutes before it, and the writer's CPU holds its load for the rest:
// the mean of its minutes, added to that, would count that load twice (a quiet reader removed at
// noon made the noon hour the earlier peak, above the lookback's busiest hour by more than the
// headroom).
func earlierReaderCPU(c inventory.Cluster, r inventory.Node, earlier *cw.Result) (analysis.Series, bool) {
	s, ok := earlierCPU(c, r, earlier)
	if !ok {
		return s, false
	}
	cnt, ok := earlier.Find(readerCountID(c), readerCountMetric, statSampleCount)
	if !ok {
		return s, true
	}
	minutes := float64(s.Period / time.Minute) // samples one reader publishes per period
	reported := make(map[int64]float64, len(cnt.Timestamps))
	for i, ts := range cnt.Timestamps {
		reported[ts.UnixNano()] = cnt.Values[i]
	}
	vs := slices.Clone(s.Values)
	for i, ts := range s.Timestamps {
		if k, ok := reported[ts.UnixNano()]; ok && k == k && k < minutes {
			vs[i] *= k / minutes
		}
	}
	s.Values = vs
	return s, true
}

// earlierClassChange is the latest of c's instance class changes (c.ClassChanges, the 14 days RDS
// keeps events for) after the start of the earlier read and before end, the lookback's end: the
// earlier CPU before it was measured in percent of another class's vCPUs, which taken as today's
// halves or doubles the earlier peak (an upsize after a busy season, the usual order, makes it
// look twice as busy). ok is false when there is none: a change older than RDS's events, or
// none, leaves the earlier CPU as measured (the documented limitation).
func earlierClassChange(c inventory.Cluster, earlier *cw.Result, end time.Time) (analysis.Event, bool) {
	if earlier == nil || earlier.Plan == nil {
		return analysis.Event{}, false
	}
	return latestClassChange(c, earlier.Plan.Start, end)
}

// earlierAfter is s without the datapoints whose period does not start at or after at (those
// measured, wholly or partly, before a class change); ok is false when none is left.
func earlierAfter(s analysis.Series, at time.Time) (analysis.Series, bool) {
	i, _ := slices.BinarySearchFunc(s.Timestamps, at, func(t, target time.Time) int { return t.Compare(target) })
	if i == len(s.Timestamps) {
		return analysis.Series{}, false
	}
	s.Timestamps, s.Values = s.Timestamps[i:], s.Values[i:]
	if s.Start.Before(s.Timestamps[0]) {
		s.Start = s.Timestamps[0]
	}
	return s, true
}

// earlierClassChangeWarning says that the earlier CPU measured before the class change e was left
// out (all of it when kept is false).
func earlierClassChangeWarning(e analysis.Event, kept bool) string {
	what := "none of it is compared with the lookback (earlier_peak is null)"
	if kept {
		what = "only the hours after it are compared with the lookback (earlier_peak)"
	}
	return fmt.Sprintf("peak_lookback_days: %s's instance class changed at %s (RDS: %q): CloudWatch measured the CPU before the window, before the change, "+
		"in percent of the old class's vCPUs, which on today's class would read twice or half as busy, so %s. "+
		"RDS keeps the event 14 days: once it is older, the earlier CPU is compared as measured, on the old class",
		e.Source, e.Time.UTC().Format(time.RFC3339), e.Message, what)
}

package rightsizing

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/events"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
)

// An Aurora instance's role can change during the lookback: a failover makes
// the reader the writer, and the application's writes (and the memory and
// storage they take) follow the cluster endpoint to it. Read per instance
// with today's roles, the old writer's busy history would count as the
// reader's (whose WriteIOPS, FreeableMemory and local storage the projection
// does not add the same way) and the projection would come out too low. AWS:
// "For Aurora, use WRITER or READER role metrics to set up alarms instead of
// relying on metrics for specific DB instances. Aurora DB instance roles can
// change roles over time" (Amazon Aurora User Guide, "Creating CloudWatch
// alarms to monitor Amazon Aurora").
//
// So a 2-node Aurora cluster (a writer and one reader) is measured by role:
// its writer's series are the cluster's {DBClusterIdentifier, Role=WRITER}
// series, its reader's {DBClusterIdentifier, Role=READER} ("A specific Aurora
// DB cluster, aggregating the metric by instance role (WRITER/READER)",
// "Amazon CloudWatch dimensions for Aurora"), each following the role across
// failovers. The analysis still names each node by its instance (today's
// holder of the role).

// The metrics of MetricsOf(Aurora) read by role are analysis.AuroraRoleMetric's (the
// sources it cites); the rollback alarms watch the same metrics by role.

// classMetrics are the role metrics whose values depend on the instance's
// class (percent of its vCPUs, its memory and local storage left free): when
// the writer's and the reader's classes differ, a role's series would mix two
// classes across a failover, so they are read per instance (with today's
// roles) and a failover inside the window is a warning (roleFailoverWarning).
var classMetrics = map[string]bool{
	analysis.MetricCPU: true, analysis.MetricFreeableMemory: true, analysis.MetricFreeLocalStorage: true,
}

// byRole reports whether c's nodes' metric is read by role.
func byRole(c inventory.Cluster, metric string) bool {
	w, ok := c.Writer()
	rs := c.Readers()
	if c.Kind != inventory.KindAurora || !ok || len(rs) != 1 || len(c.Nodes) != 2 || !analysis.AuroraRoleMetric(metric) {
		return false
	}
	return w.Class == rs[0].Class || !classMetrics[metric]
}

// cwRole is the CloudWatch Role dimension value of an Aurora node.
func cwRole(n inventory.Node) string {
	if n.Role == inventory.RoleWriter {
		return "WRITER"
	}
	return "READER"
}

// roleSourceID names the CloudWatch series of c's role: an RDS identifier
// has no "/", so it is never an instance's.
func roleSourceID(c inventory.Cluster, role string) string { return c.Identifier + "/" + role }

// readerCountID names the CloudWatch series of c's readers' count
// (readerCountSource).
func readerCountID(c inventory.Cluster) string {
	return roleSourceID(c, "READER") + "/" + statSampleCount
}

// ProjectionSources are the CloudWatch nodes a recommendation of c collects (metricSources) and
// whether any of them is read by Aurora role rather than per instance: then the per-instance
// series of a 2-node Aurora cluster misattribute its history after a failover, and a caller
// projecting c onto one node (rightsize_utilization's combined view) collects these and builds
// each node's series with ProjectionSeries instead.
// Only metrics, of MetricsOf(c)'s, are collected (all of them when metrics is nil).
func ProjectionSources(c inventory.Cluster, metrics []cw.Metric) ([]cw.Node, bool) {
	want := MetricsOf(c)
	if metrics != nil {
		want = slices.DeleteFunc(slices.Clone(want), func(m cw.Metric) bool {
			return !slices.ContainsFunc(metrics, func(u cw.Metric) bool { return u.Name == m.Name })
		})
	}
	for _, m := range want {
		if byRole(c, m.Name) {
			return metricSourcesOf(c, want), true
		}
	}
	return nil, false
}

// ProjectionSeries are node n's series of c for the analysis, from got collected on
// ProjectionSources (nodeSeries).
func ProjectionSeries(c inventory.Cluster, n inventory.Node, got *cw.Result) []analysis.Series {
	return nodeSeries(c, n, got)
}

// metricSources are the CloudWatch nodes collected for c: per instance the
// metrics read per instance, per role those read by role (MetricsOf(c) for
// each node either way, so the plan's series count, and its requests, are
// those of per-instance collection), and, for a cluster read by role, one
// series more: the readers' count (readerCountSource).
func metricSources(c inventory.Cluster) []cw.Node { return metricSourcesOf(c, MetricsOf(c)) }

// metricSourcesOf is metricSources for the metrics ms only.
func metricSourcesOf(c inventory.Cluster, ms []cw.Metric) []cw.Node {
	var out []cw.Node
	for _, n := range c.MetricNodes() {
		var own, role []cw.Metric
		for _, m := range ms {
			if byRole(c, m.Name) {
				role = append(role, m)
			} else {
				own = append(own, m)
			}
		}
		if len(role) > 0 {
			r := cwRole(n)
			out = append(out, cw.Node{ID: roleSourceID(c, r), Metrics: role,
				Dimensions: []cw.Dimension{{Name: "DBClusterIdentifier", Value: c.Identifier}, {Name: "Role", Value: r}}})
		}
		if len(own) > 0 {
			out = append(out, cw.Node{ID: n.ID, Metrics: own})
		}
	}
	if src, ok := readerCountSource(c); ok {
		out = append(out, src)
	}
	return out
}

// nodeSeries are node n's collected series of c, in MetricsOf(c) order: by
// role or per instance as metricSources collected them. A reader's role
// series are its readers' totals where they add up (readerTotals), with the
// readers' count collected for c (readerCountSource).
func nodeSeries(c inventory.Cluster, n inventory.Node, got *cw.Result) []analysis.Series {
	var out []analysis.Series
	cnt, counted := got.Find(readerCountID(c), readerCountMetric, statSampleCount)
	for _, m := range MetricsOf(c) {
		id, role := n.ID, byRole(c, m.Name)
		if role {
			id = roleSourceID(c, cwRole(n))
		}
		s, ok := got.Find(id, m.Name, Stat)
		if !ok {
			continue
		}
		if role && counted && cwRole(n) == "READER" {
			s = readerTotals(s, cnt)
		}
		out = append(out, s)
	}
	return out
}

// The READER role series aggregates every instance that was a reader at the
// time ("aggregating the metric by instance role (WRITER/READER). For
// example, you can aggregate metrics for all READER instances that belong to
// a cluster", Amazon Aurora User Guide, "Amazon CloudWatch dimensions for
// Aurora"): each reader's 1-minute value is one sample of the aggregate, so
// its Average is the readers' mean. A 2-node cluster has one reader today,
// but it may have had more inside the window (Aurora Auto Scaling adds
// readers at peaks and removes them after; a reader deleted since), and
// while it had two the mean halves the reader's connections, IOPS, network
// and CPU although both readers' load moves to the single node. So the
// readers behind each datapoint are counted: the SampleCount of one READER
// role metric every reader publishes each minute, the number of
// reader-minutes in each period ("SampleCount is the number of data points
// during the period", Amazon CloudWatch User Guide, "CloudWatch statistics
// definitions"; Amazon RDS "sends metrics to CloudWatch for each active
// database instance every minute", "Amazon RDS Metrics and Dimensions"), and
// readerTotals turns each mean into the readers' total with it.

// statSampleCount is the CloudWatch statistic of the readers' count.
const statSampleCount = "SampleCount"

// readerCountMetric is the READER role metric whose SampleCount counts the
// readers: DatabaseConnections, which every Aurora instance publishes each
// minute (an idle one as 0) and which is read by role whatever the classes
// (byRole), so its datapoints have the times of the other role series.
const readerCountMetric = analysis.MetricConnections

// readerCountSource is the one series collected for c's readers' count:
// SampleCount of readerCountMetric on {DBClusterIdentifier, Role=READER}
// under its own ID (readerCountID), when c is read by role. The other series
// of the plan keep Stat alone (cw.Node.Stats): SampleCount on each of them
// would double every fleet's series and GetMetricData requests for what one
// series a cluster tells, since every reader publishes each metric each
// minute.
func readerCountSource(c inventory.Cluster) (cw.Node, bool) {
	if !byRole(c, readerCountMetric) {
		return cw.Node{}, false
	}
	for _, m := range MetricsOf(c) {
		if m.Name == readerCountMetric {
			return cw.Node{ID: readerCountID(c), Metrics: []cw.Metric{m}, Stats: []string{statSampleCount},
				Dimensions: []cw.Dimension{{Name: "DBClusterIdentifier", Value: c.Identifier}, {Name: "Role", Value: "READER"}}}, true
		}
	}
	return cw.Node{}, false
}

// readerAdditive are the role metrics whose readers' values add up to what
// their load puts on the single node: connections, IOPS, network throughput,
// and CPUUtilization, read by role only when the writer and the reader run
// the same class (byRole), as the percent of one instance of that class: the
// readers' total is the load in that class's vCPUs, which the projection
// scales by reader vCPU / writer vCPU like one reader's. (A reader added by
// Aurora Auto Scaling runs the writer's class; one added by hand with
// another class would be counted at today's reader's.)
var readerAdditive = map[string]bool{
	analysis.MetricCPU: true, analysis.MetricConnections: true, analysis.MetricReadIOPS: true, analysis.MetricWriteIOPS: true,
	analysis.MetricNetworkReceive: true, analysis.MetricNetworkTransmit: true,
}

// readerTotals turns avg, the Average of a READER role series, into the
// readers' total with cnt, the readers' count (the SampleCount of
// readerCountMetric, whose datapoints have avg's times): at each datapoint the readers
// reporting, k = SampleCount ÷ (period ÷ 60 s) (each publishes once a
// minute; fractional when one came or went inside the period, so k × Average
// = Sum ÷ minutes, the period's mean total; at least 1, since Average is
// that of the minutes that were reported). Where cnt has no datapoint, k is
// 1. The metrics that do not add up:
//
//   - readerAdditive metrics: k × Average.
//   - FreeLocalStorage: the projection adds a reader's use above its lowest
//     (its highest free space minus the current, analysis.Projection), the
//     temporary files that move to the single node, and every reader's move
//     there. With F the highest Average of the window (a reader at rest), the
//     readers' total use below it is k × (F − Average), and the series
//     becomes F − k × (F − Average) (at least 0): one reader's free space
//     holding every reader's temporary files. (Free space itself adds up to
//     nothing: a second reader would add its whole free space.)
//   - FreeableMemory: the mean of the readers. The projection takes the
//     writer's FreeableMemory only; a reader's memory moves as its
//     connections (which add up), and its own series only charts the reader
//     and counts towards its coverage.
//   - AuroraReplicaLag: the mean of the readers. It only words the stale-read
//     note of the decision matrix; the worst reader would need Maximum, a
//     third statistic on every series of the plan.
//
// avg and cnt are not modified (their Timestamps may be shared, read-only);
// the result shares avg's Timestamps.
func readerTotals(avg, cnt analysis.Series) analysis.Series {
	additive, local := readerAdditive[avg.Metric], avg.Metric == analysis.MetricFreeLocalStorage
	if !additive && !local {
		return avg
	}
	perReader := float64(avg.Period / time.Minute) // samples one reader publishes per period
	if perReader < 1 {
		perReader = 1
	}
	readers := make(map[int64]float64, len(cnt.Timestamps))
	for i, ts := range cnt.Timestamps {
		if v := cnt.Values[i]; v == v {
			readers[ts.UnixNano()] = math.Max(1, v/perReader)
		}
	}
	top := math.Inf(-1)
	for _, v := range avg.Values {
		if v == v {
			top = math.Max(top, v)
		}
	}
	out := avg
	out.Values = make([]float64, len(avg.Values))
	for i, v := range avg.Values {
		k, ok := readers[avg.Timestamps[i].UnixNano()]
		switch {
		case v != v || !ok || k == 1:
			out.Values[i] = v
		case additive:
			out.Values[i] = k * v
		default:
			out.Values[i] = math.Max(0, top-float64(k*(top-v)))
		}
	}
	return out
}

// roleFailoverWarning says when some of c's metrics were read per instance
// with today's roles (a 2-node Aurora cluster whose instances' classes differ)
// and a failover may have swapped the roles since the plan's window started:
// one listed (c.Events, category failover, an incident: not a requested
// failover RDS did not attempt, nor an Aurora failover that failed,
// analysis.Event.Incident) inside the window or after it, or one RDS could not
// list: RDS keeps events for 14 days (events.Recent), so a window that starts
// earlier than that before now has failovers nobody can see, and none can be
// seen when the events could not be listed (c.EventsUnread). Empty
// otherwise.
//
// now is when the events were listed (inventory.AttachEvents); the zero
// time means the plan's end, which is now rounded down to the period unless
// the request set an end.
func roleFailoverWarning(c inventory.Cluster, plan *cw.Plan, now time.Time) string {
	if plan == nil || c.Kind != inventory.KindAurora || len(c.Nodes) != 2 || byRole(c, analysis.MetricCPU) || !byRole(c, analysis.MetricWriteIOPS) {
		return ""
	}
	at := plan.End
	if now.After(at) {
		at = now
	}
	w, _ := c.Writer()
	head := fmt.Sprintf("the writer (%s) and the reader (%s) run different classes, so CPUUtilization, FreeableMemory and FreeLocalStorage were read per instance with today's roles",
		w.Class, c.Readers()[0].Class)
	const swapped = "the writer's CPU, memory and local storage are counted as the reader's"
	if c.EventsUnread != "" {
		return head + ", but the failovers could not be listed (see \"failovers not checked\"), so one that swapped the roles since the window's start at " +
			plan.Start.UTC().Format(time.RFC3339) + " would go unnoticed: before it, " + swapped
	}
	var last time.Time
	for _, e := range c.Events {
		if e.Category == "failover" && e.Incident() && !e.Time.Before(plan.Start) && e.Time.Before(at) && e.Time.After(last) {
			last = e.Time
		}
	}
	// The failovers before this could not be listed. One inside the window's
	// first period would swap at most that period's datapoints: a window of
	// 14 days ending now rounded down to the period starts less than a
	// period before it.
	listed := at.Add(-events.Retention)
	unlisted := listed.Sub(plan.Start) >= plan.Period
	since := listed.UTC().Format(time.RFC3339)
	switch {
	case !last.IsZero():
		where, before := "inside the window", "before it"
		if !last.Before(plan.End) {
			where, before = "after the window", "throughout the window"
		}
		msg := fmt.Sprintf("%s, but a failover at %s swapped the roles %s: %s, %s", head, last.UTC().Format(time.RFC3339), where, before, swapped)
		if unlisted {
			msg += fmt.Sprintf("; RDS keeps events for 14 days, so failovers before %s could not be checked", since)
		}
		return msg
	case unlisted:
		return fmt.Sprintf("%s; no failover swapped them since %s, but RDS keeps events for 14 days, so failovers before then, inside the window from %s, could not be checked: had one swapped the roles, before it %s",
			head, since, plan.Start.UTC().Format(time.RFC3339), swapped)
	}
	return ""
}

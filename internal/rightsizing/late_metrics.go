package rightsizing

import (
	"fmt"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
)

// LateMetricsTitle is the title of MetricsStartLate's warning.
const LateMetricsTitle = "Metrics Start After the Instance Was Created"

// lateMetricsSlack is how much later than the window's start and the instance's creation its
// metrics may start without a note: two periods (the first datapoint is the first whole period's)
// and at least six hours (an instance created from a large snapshot takes that long to come up).
func lateMetricsSlack(period time.Duration) time.Duration {
	return max(2*period, 6*time.Hour)
}

// MetricsStartLate is the note for DB instance n of deployment c when CloudWatch has its metrics
// under its identifier (ss, the series read by it over the window [start, end) at period) only
// from their first datapoint, later than both start and the instance's creation (n.Created) by
// more than max(2 periods, 6 hours); or has none, noted when it was created that long before end
// and c is not stopped (stoppedWarning says why then). "" otherwise, and when n.Created is
// unknown (zero) or n is a Multi-AZ standby (no metrics of its own).
//
// CloudWatch keeps the metrics under the identifier they were published with, and a rename keeps
// the instance's creation time: after a rename in the window, the instance's metrics before it are
// under its earlier identifier, which is not read (no RDS event names an instance's earlier
// identifier to read it by: "Amazon RDS event categories and event messages" lists a rename event
// for DB clusters, RDS-EVENT-0172, and none for DB instances). The note says so, and that a stopped
// instance publishes nothing either, so that the low coverage has its reason.
func MetricsStartLate(c inventory.Cluster, n inventory.Node, ss []analysis.Series, start, end time.Time, period time.Duration) string {
	if n.Virtual || n.Created.IsZero() {
		return ""
	}
	from := start
	if n.Created.After(from) {
		from = n.Created
	}
	slack := lateMetricsSlack(period)
	why := fmt.Sprintf("CloudWatch keeps a DB instance's metrics under the identifier they were published with (Amazon RDS User Guide, \"Renaming a DB instance\"): "+
		"if %s was renamed, its metrics from before the rename are under its earlier identifier, which is not read, "+
		"as the instance's description does not name it; a stopped instance publishes no metrics either", n.ID)
	first := firstDatapoint(ss)
	if first.IsZero() {
		if _, stopped := c.Stopped(); stopped || end.Sub(from) <= slack {
			return ""
		}
		return fmt.Sprintf("CloudWatch has no metrics of DB instance %s under that identifier in %s..%s, though the instance was created %s. %s. "+
			"None of its load is analysed: a window after the rename has it.", n.ID, stamp(start), stamp(end), stamp(n.Created), why)
	}
	if first.Sub(from) <= slack {
		return ""
	}
	return fmt.Sprintf("CloudWatch has the metrics of DB instance %s under that identifier from %s only, though the instance was created %s and the window starts %s: "+
		"%s of the window have no datapoints. %s. The analysis rests on the time since; for a full window, read it again once the lookback has passed since then.",
		n.ID, stamp(first), stamp(n.Created), stamp(start), lookbackText(first.Sub(from).Truncate(time.Hour)), why)
}

// LateMetricsBasis reports whether MetricsStartLate may rest on metric for an instance of c: one of
// the metrics the recommendation reads (MetricsOf), which the data sources expect of every instance
// (rightsize_utilization warns of a default one without data), less replication lag, which an
// instance has in a replica's role only (none as a writer, or before a failover made it a reader).
// Another listed metric (DBLoad, CPUCreditBalance, FreeLocalStorage of an RDS instance, ...) or
// the lag may have no datapoints, or start late, for reasons of its own, which "Metric Has No
// Data" and the low coverage report: not a rename's or a stop's.
func LateMetricsBasis(c inventory.Cluster, metric string) bool {
	if lagMetric(metric) {
		return false
	}
	for _, m := range MetricsOf(c) {
		if m.Name == metric {
			return true
		}
	}
	return false
}

// lagMetric reports whether metric is replication lag, which LateMetricsBasis leaves out.
func lagMetric(metric string) bool {
	return metric == analysis.MetricReplicaLag || metric == analysis.MetricAuroraReplicaLag
}

// firstDatapoint is the earliest timestamp of ss; zero when they have none.
func firstDatapoint(ss []analysis.Series) time.Time {
	var first time.Time
	for _, s := range ss {
		for _, t := range s.Timestamps {
			if first.IsZero() || t.Before(first) {
				first = t
			}
		}
	}
	return first
}

// lateMetricsWarnings are MetricsStartLate's notes for c's instances, from the series got read
// by their DBInstanceIdentifier (not those of an Aurora cluster read by role, which hold whichever
// instance had the role).
func lateMetricsWarnings(c inventory.Cluster, got *cw.Result) []string {
	if got == nil || got.Plan == nil {
		return nil
	}
	var out []string
	for _, n := range c.Nodes {
		var ss []analysis.Series
		for _, m := range MetricsOf(c) {
			if byRole(c, m.Name) || lagMetric(m.Name) { // LateMetricsBasis, m being of MetricsOf(c)
				continue
			}
			if s, ok := got.Find(n.ID, m.Name, Stat); ok {
				ss = append(ss, s)
			}
		}
		if len(ss) == 0 {
			continue // none read by its identifier
		}
		if t := MetricsStartLate(c, n, ss, got.Plan.Start, got.Plan.End, got.Plan.Period); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// WindowBeforeCreationTitle is the title of windowBeforeCreation's warning.
const WindowBeforeCreationTitle = "Window Ends Before the Deployment Existed"

// windowBeforeCreation says, when the analysed window of got ends before the earliest instance of
// c (named name) was created, that nothing of it can be in CloudWatch there: an end_time pinned
// too far back, whose verdict is insufficient-data with no datapoint; "" otherwise, or when a
// creation time is not known. When got holds datapoints all the same, they are an earlier
// deployment's under the same identifiers (one deleted, or renamed away, and this one renamed to
// its identifier; or, for an Aurora cluster read by role, the instances it had before): the
// warning says the verdict rests on them, not that nothing was analysed.
func windowBeforeCreation(c inventory.Cluster, name string, got *cw.Result) string {
	if got == nil || got.Plan == nil {
		return ""
	}
	var first time.Time
	for _, n := range c.Nodes {
		if n.Virtual {
			continue
		}
		if n.Created.IsZero() {
			return ""
		}
		if first.IsZero() || n.Created.Before(first) {
			first = n.Created
		}
	}
	if first.IsZero() || !got.Plan.End.Before(first) {
		return ""
	}
	for _, ns := range got.Series {
		if len(ns.Series.Timestamps) > 0 {
			return fmt.Sprintf("the analysed window %s..%s ends before %s existed (its first instance was created %s): the metrics CloudWatch has there "+
				"under its identifiers are of an earlier DB instance or cluster that had them (deleted, or renamed away, and this one renamed to its identifier, "+
				"or instances the cluster had before), and the verdict rests on that one's load, not this one's. Move end_time later than that, or remove it to end the window now.",
				stamp(got.Plan.Start), stamp(got.Plan.End), name, stamp(first))
		}
	}
	return fmt.Sprintf("the analysed window %s..%s ends before %s existed (its first instance was created %s): CloudWatch has no metrics of it there, "+
		"so nothing is analysed and the verdict is insufficient-data. Move end_time later than that, or remove it to end the window now.",
		stamp(got.Plan.Start), stamp(got.Plan.End), name, stamp(first))
}

// stamp formats t for the warnings of this file: RFC 3339 in UTC.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

package rightsizing

import (
	"fmt"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
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

// roleMetrics are the metrics of MetricsOf(Aurora) read by role. AWS
// documents the Role dimension for Aurora metrics without a per-metric list;
// CPUUtilization, FreeableMemory, FreeLocalStorage, DatabaseConnections,
// NetworkReceiveThroughput, NetworkTransmitThroughput and AuroraReplicaLag are
// alarmed on and graphed by role in public Aurora configurations, and ReadIOPS
// and WriteIOPS are aggregated per cluster like them. DiskQueueDepth is read
// per instance (DBInstanceIdentifier of today's holder of the role): no
// published use of it by role was found, and the analysis only uses the
// writer's for a rollback alarm.
var roleMetrics = map[string]bool{
	analysis.MetricCPU: true, analysis.MetricFreeableMemory: true, analysis.MetricReadIOPS: true,
	analysis.MetricWriteIOPS: true, analysis.MetricConnections: true, analysis.MetricNetworkReceive: true,
	analysis.MetricNetworkTransmit: true, analysis.MetricAuroraReplicaLag: true, analysis.MetricFreeLocalStorage: true,
}

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
	if c.Kind != inventory.KindAurora || !ok || len(rs) != 1 || len(c.Nodes) != 2 || !roleMetrics[metric] {
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

// metricSources are the CloudWatch nodes collected for c: per instance the
// metrics read per instance, per role those read by role (MetricsOf(c) for
// each node either way, so the plan's series count, and its requests, are
// those of per-instance collection).
func metricSources(c inventory.Cluster) []cw.Node {
	var out []cw.Node
	for _, n := range c.MetricNodes() {
		var own, role []cw.Metric
		for _, m := range MetricsOf(c) {
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
	return out
}

// nodeSeries are node n's collected series of c, in MetricsOf(c) order: by
// role or per instance as metricSources collected them.
func nodeSeries(c inventory.Cluster, n inventory.Node, got *cw.Result) []analysis.Series {
	var out []analysis.Series
	for _, m := range MetricsOf(c) {
		id := n.ID
		if byRole(c, m.Name) {
			id = roleSourceID(c, cwRole(n))
		}
		if s, ok := got.Find(id, m.Name, Stat); ok {
			out = append(out, s)
		}
	}
	return out
}

// roleFailoverWarning says when some of c's metrics were read per instance
// with today's roles (a 2-node Aurora cluster whose instances' classes differ)
// although a failover inside the plan's window swapped the roles. Empty
// otherwise.
func roleFailoverWarning(c inventory.Cluster, plan *cw.Plan) string {
	if plan == nil || c.Kind != inventory.KindAurora || len(c.Nodes) != 2 || byRole(c, analysis.MetricCPU) || !byRole(c, analysis.MetricWriteIOPS) {
		return ""
	}
	var last time.Time
	for _, e := range c.Events {
		if e.Category == "failover" && !e.Time.Before(plan.Start) && e.Time.Before(plan.End) && e.Time.After(last) {
			last = e.Time
		}
	}
	if last.IsZero() {
		return ""
	}
	w, _ := c.Writer()
	return fmt.Sprintf("the writer (%s) and the reader (%s) run different classes, so CPUUtilization, FreeableMemory and FreeLocalStorage were read per instance with today's roles, "+
		"but a failover at %s swapped the roles inside the window: before it, the writer's CPU, memory and local storage are counted as the reader's",
		w.Class, c.Readers()[0].Class, last.UTC().Format(time.RFC3339))
}

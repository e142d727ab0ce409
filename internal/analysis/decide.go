package analysis

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Risk is one way the single-node setup could hurt.
type Risk struct {
	// Category: "redundancy", "failure", "backup", "high-traffic",
	// "capacity", "burst", "connections", "operations" (what would undo
	// the change or strand clients: custom endpoints, RDS Proxy read-only
	// endpoints, Aurora Auto Scaling, blue/green deployments, read replicas
	// a raised parameter would stall) or "cost"
	// (reserved DB instances that may keep the savings from being
	// realised).
	Category string
	// Severity: "high", "medium" or "low".
	Severity    string
	Description string // what could happen and what to do about it
}

// CriterionScore is one row of the decision matrix.
type CriterionScore struct {
	// Criterion: "performance", "cost", "reliability" or "operations".
	Criterion string
	// Score from 0 (strongly against consolidating) to 10 (strongly for).
	Score    float64
	Weight   float64 // weight from the policy
	Evidence string  // the numbers or facts behind the score
}

// DecisionMatrix weighs the seed's criteria.
type DecisionMatrix struct {
	Rows []CriterionScore // performance, cost, reliability, operations
	// Total is Σ score×weight / Σ weight, 0–10 (0 when all weights are 0).
	Total float64
}

// decisionMatrix scores the criteria:
//   - performance: from the worst ratio r = value/limit of caps, the
//     checks of the single node on the recommended class (capacity,
//     local_storage and cpu_credits; values already include headroom): 10
//     up to r = 0.5, falling linearly to 5 at r = 1 (a check that passes
//     at its limit is neutral) and to 0 at r = 1.5; the evidence of a
//     Multi-AZ instance's adds that commits stop waiting for the standby's
//     synchronous copy (not scored: CloudWatch's latency is not read), and of
//     a Multi-AZ read replica's that only its replay does (it takes no writes);
//   - cost, of the single node on the recommended class (its savings are
//     negative when it costs more than the cluster today): 0 without
//     savings, rising linearly to 7 at the savings target's minimum and to
//     10 at its maximum (5 when prices are unknown): meeting the target is
//     a clear argument for consolidating;
//   - reliability: Multi-AZ 3 (the synchronous standby and its automatic
//     failover in 1–2 minutes are lost; recovery becomes a restore or
//     point-in-time restore, or only a snapshot's restore when
//     automated backups are off, recovery.BackupsOff), Aurora 5 (storage stays replicated across
//     three AZs; a failed writer is replaced in about 10 minutes); minus 1
//     per high-severity risk, floor 0;
//   - operations: Multi-AZ 8 (one ModifyDBInstance, endpoint unchanged),
//     Aurora 6 (delete the reader; clients of the reader's instance endpoint
//     must move; the reader endpoint falls back to the writer), the same
//     score for a deployment already of one node (oneInstance: an Aurora
//     cluster of one instance, or ClusterInput.AlreadySingleNode), which is
//     judged as its two-node form; its evidence then says the change is
//     made (the savings realised, no operation left to do).
//
// The reliability evidence also names the recovery rc offers besides the standby or reader.
func decisionMatrix(t Topology, oneInstance bool, caps []Reason, cost CostEstimate, target SavingsTarget, w DecisionWeights, rs []Risk, rc recovery) DecisionMatrix {
	worst, worstMsg := 0.0, "no capacity check could be made"
	for _, c := range caps {
		if c.Limit > 0 {
			if r := c.Value / c.Limit; r >= worst {
				worst, worstMsg = r, fmt.Sprintf("closest to its limit: %s %s of %.1f %s", c.Check, num(c.Value, 1), c.Limit, c.Unit)
			}
		}
	}
	perf := performanceScore(worst)
	if len(caps) == 0 {
		perf = 0
	}
	switch {
	case t != TopologyMultiAZ || oneInstance:
	case rc.ReplicaSource != "":
		// A read replica commits no client's writes: only its replay of its source's waits.
		worstMsg += "; its replay of " + rc.ReplicaSource + "'s writes stops waiting for the standby's synchronous copy in another AZ " +
			"(a read replica takes no writes of its own, so no client's commit latency changes)"
	default:
		// AWS: a Multi-AZ DB instance's writes are replicated synchronously to the standby in
		// another AZ before they are acknowledged, which adds commit latency Single-AZ does not have.
		worstMsg += "; writes stop waiting for the standby's synchronous copy in another AZ, so commit latency can fall"
	}
	costScore, costEv := 5.0, "prices unknown (no current price or no price for the single-node class)"
	if cost.Known {
		costScore = savingsScore(cost.MonthlySavingsUSD, target)
		// A negative saving is a cost: "costs $378.14/month more", never "saves $-378.14/month".
		verb := fmt.Sprintf("saves $%.2f/month ($%.2f/year)", cost.MonthlySavingsUSD, cost.AnnualSavingsUSD)
		if round(cost.MonthlySavingsUSD, 2) < 0 {
			verb = fmt.Sprintf("costs $%.2f/month more ($%.2f/year)", -cost.MonthlySavingsUSD, -cost.AnnualSavingsUSD)
		}
		costEv = fmt.Sprintf("%s; target $%.0f–%.0f/month", verb, target.MinMonthlyUSD, target.MaxMonthlyUSD)
		if oneInstance {
			costEv = fmt.Sprintf("one node %s against the 2-node form, realised already; target $%.0f–%.0f/month", verb, target.MinMonthlyUSD, target.MaxMonthlyUSD)
		}
	}
	restore := "restore or point-in-time restore"
	if rc.BackupsOff {
		restore = "a restore of the latest snapshot (automated backups are off: no point-in-time restore)"
	}
	rel, relEv := 3.0, "Multi-AZ standby and its 1–2 minute automatic failover are lost; recovery becomes "+restore
	ops, opsEv := 8.0, "one ModifyDBInstance (MultiAZ=false); the endpoint does not change"
	if oneInstance && t == TopologyMultiAZ {
		relEv = "already Single-AZ: no standby and no 1–2 minute automatic failover; recovery is " + restore
		opsEv = "already Single-AZ: no change to make"
	}
	if t == TopologyAurora {
		rel, relEv = 5, "Aurora storage stays replicated across three AZs; without a reader a failed writer is replaced in about 10 minutes"
		ops, opsEv = 6, "delete the reader; the reader endpoint falls back to the writer, clients of the reader's instance endpoint must move, and clients that insist on a standby (libpq target_session_attrs=read-only or standby, pgJDBC targetServerType=secondary) must accept a primary"
		if oneInstance {
			opsEv = "already one instance: no reader to delete; the reader endpoint resolves to the writer"
		}
	}
	switch {
	case t == TopologyMultiAZ && rc.ReplicaSource != "":
		// A read replica: nothing to restore, its source has the data.
		lost := "its Multi-AZ standby and 1–2 minute automatic failover are lost"
		if oneInstance {
			lost = "already Single-AZ: no standby and no 1–2 minute automatic failover"
		}
		relEv = fmt.Sprintf("read replica of %s: %s; recovery is RDS recovering the instance or recreating the replica from its source (no data lost), "+
			"and promoted it is a Single-AZ primary", rc.ReplicaSource, lost)
	case t == TopologyMultiAZ && len(rc.ReadReplicas) > 0:
		relEv += fmt.Sprintf(", or promoting read replica %s by hand (losing its replica lag of writes)", strings.Join(rc.ReadReplicas, " or "))
	case t == TopologyAurora && rc.GlobalCluster != "":
		// The secondary regions remain: disaster recovery, not a failover target in the region.
		relEv += fmt.Sprintf("; primary cluster of Aurora global database %s: its secondary regions remain for disaster recovery "+
			"(a global database failover, by hand or runbook: minutes, losing up to its replication lag of writes)", rc.GlobalCluster)
	}
	high := 0
	for _, r := range rs {
		if r.Severity == "high" {
			high++
		}
	}
	if high > 0 {
		rel = math.Max(0, rel-float64(high))
		relEv += fmt.Sprintf("; %d high-severity risk(s)", high)
	}
	rows := []CriterionScore{
		{"performance", round(perf, 2), w.Performance, worstMsg},
		{"cost", round(costScore, 2), w.Cost, costEv},
		{"reliability", rel, w.Reliability, relEv},
		{"operations", ops, w.Operations, opsEv},
	}
	// The weights are relative. Scaled by the power of two that brings the largest below 1
	// (exact, so the total is that of the weights as given), weights up to math.MaxFloat64,
	// which Policy.Validate accepts, do not overflow the sums to Inf or NaN.
	wmax := 0.0
	for _, r := range rows {
		wmax = math.Max(wmax, r.Weight)
	}
	m := DecisionMatrix{Rows: rows}
	if wmax > 0 {
		_, e := math.Frexp(wmax)
		var sum, ws float64
		for _, r := range rows {
			w := math.Ldexp(r.Weight, -e)
			sum += float64(r.Score * w)
			ws += w
		}
		m.Total = round(sum/ws, 2)
	}
	return m
}

// recovery is what a deployment has for recovery besides its standby or reader, for the decision
// matrix's reliability evidence: the source of an RDS read replica (ClusterInput.ReplicaSource),
// an RDS instance's own read replicas (ReadReplicas), the Aurora global database whose primary
// cluster it is (GlobalCluster).
type recovery struct {
	ReplicaSource string
	ReadReplicas  []string
	GlobalCluster string
	BackupsOff    bool // ClusterInput.AutomatedBackupsOff: no point-in-time restore (read for an RDS primary only)
}

// restoreRecovery is the restore an RDS instance's recovery on one node comes to: a
// point-in-time restore, or, with automated backups off (ClusterInput.AutomatedBackupsOff), a
// restore of the latest snapshot.
func restoreRecovery(backupsOff bool) string {
	if backupsOff {
		return "a restore of the latest snapshot (tens of minutes; every write made since that snapshot is lost: automated backups are off, so there is no point-in-time restore)"
	}
	return "a restore from snapshot or point-in-time restore (tens of minutes, data since the last transaction log upload, up to about 5 minutes, can be lost)"
}

// stoppedFirst is what the backup risk of a stopped RDS instance (in.Stopped) adds to its advice,
// "" for a running one: RDS modifies and snapshots only an available instance.
func stoppedFirst(in ClusterInput) string {
	const why = ", as RDS modifies and snapshots only an available instance"
	switch {
	case !in.Stopped:
		return ""
	case in.StoppedStatus == "starting":
		return ". It is starting: wait until it is available" + why
	case in.StoppedStatus == "stopping":
		return ". It is stopping: once it is stopped, start it (StartDBInstance)" + why
	}
	return ". It is stopped: start it first (StartDBInstance)" + why
}

// backupsOffRisk is the backup risk of an RDS instance without automated backups
// (ClusterInput.AutomatedBackupsOff), given the retention RDS has pending for it (0: none),
// whether it runs one node already (the change made: nothing to do "before" it), and what
// latestSnapshot says of its latest snapshot ("" when not listed).
func backupsOffRisk(pending int, already bool, latest string) string {
	which := " (a manual one or an AWS Backup plan's; at first the guard snapshot rightsize_db_topology takes)"
	if already {
		which = " (a manual one or an AWS Backup plan's)"
	}
	if latest != "" {
		which = "" // latest names it
	}
	s := "Automated backups are off (backup retention period 0): on one node there is no point-in-time restore, so a failed volume or an AZ outage is recovered " +
		"from the latest snapshot" + which + ", losing every write made since. " + latest
	if already {
		s = "Automated backups are off (backup retention period 0) on this single node: there is no point-in-time restore, so a failed volume or an AZ outage is recovered " +
			"from the latest snapshot" + which + ", losing every write made since. " + latest
	}
	switch {
	case pending > 0 && already:
		return s + fmt.Sprintf("A backup retention period of %d days is pending: apply it (ModifyDBInstance with ApplyImmediately, or wait for the maintenance window); "+
			"RDS documents an outage when the retention changes from 0", pending)
	case pending > 0:
		return s + fmt.Sprintf("A backup retention period of %d days is pending: apply it (ModifyDBInstance with ApplyImmediately, or wait for the maintenance window) before the change; "+
			"RDS documents an outage when the retention changes from 0", pending)
	case already:
		return s + "Turn them on (a backup retention period of 1 to 35 days); RDS documents an outage when the retention changes from 0, so do it in a quiet hour"
	}
	return s + "Turn them on (a backup retention period of 1 to 35 days) before the change, while the standby is there to take the backups from; " +
		"RDS documents an outage when the retention changes from 0, so do it in a quiet hour"
}

// backupsGoingOffRisk is the backup risk of an RDS instance that keeps automated backups but has
// a backup retention period of 0 pending (ClusterInput.AutomatedBackupsOffPending), given whether
// it runs one node already.
func backupsGoingOffRisk(already bool) string {
	s := "A backup retention period of 0 is pending: RDS turns automated backups off in the next maintenance window, or sooner with any modification " +
		"applied immediately (which applies the pending ones too), and on one node there is then no point-in-time restore: a failed volume or an AZ outage " +
		"would be recovered from the latest snapshot, losing every write made since. Unless that is intended, cancel it (ModifyDBInstance setting today's backup retention period again)"
	if already {
		s = strings.Replace(s, "on one node there is then", "this single node then has", 1)
		return s + "; RDS documents an outage when the retention changes to 0"
	}
	return s + " before the change, which rightsize_db_topology refuses while modifications are pending; RDS documents an outage when the retention changes to 0"
}

// performanceScore maps the worst value/limit ratio of the capacity checks to
// 0–10: 10 up to 0.5, 5 at 1, 0 from 1.5 on, linear in between.
func performanceScore(r float64) float64 {
	switch {
	case r != r:
		return 0
	case r <= 0.5:
		return 10
	case r <= 1:
		return 10 - float64(10*(r-0.5))
	default:
		return clamp(5-float64(10*(r-1)), 0, 5)
	}
}

// savingsScore maps monthly savings to 0–10: 0 at no savings, 7 at the
// target's minimum, 10 at its maximum, linear in between and capped.
func savingsScore(savings float64, t SavingsTarget) float64 {
	lo, hi := math.Max(t.MinMonthlyUSD, 0), math.Max(t.MaxMonthlyUSD, t.MinMonthlyUSD)
	switch {
	case !(savings > 0):
		return 0
	case savings < lo:
		return 7 * savings / lo
	case hi <= lo:
		return 10
	default:
		return clamp(7+3*(savings-lo)/(hi-lo), 7, 10)
	}
}

func clamp(v, lo, hi float64) float64 {
	if v != v {
		return lo
	}
	return math.Max(lo, math.Min(hi, v))
}

// rdsMaxConnectionsDivisor is the divisor of RDS's and Aurora's default max_connections for
// PostgreSQL, LEAST({DBInstanceClassMemory/9531392}, 5000), and rdsMaxConnectionsCap its cap.
const (
	rdsMaxConnectionsDivisor = 9531392
	rdsMaxConnectionsCap     = 5000
)

// rdsDefaultMaxConnections is RDS's default max_connections for class c, evaluated on c's memory:
// at most what RDS gives a parameter group that keeps the default (DBInstanceClassMemory is the
// memory left to the database, a little less than the class's).
func rdsDefaultMaxConnections(c InstanceClass) float64 {
	return math.Min(math.Floor(c.MemoryBytes()/rdsMaxConnectionsDivisor), rdsMaxConnectionsCap)
}

// rdsDefaultMaxConnectionsLow is the least RDS's default max_connections for class c may be: 60%
// of rdsDefaultMaxConnections, as DBInstanceClassMemory, which the default divides, is the class's
// memory less what RDS keeps for itself (about 72% of it on a 1 GiB class, above 90% from 8 GiB).
func rdsDefaultMaxConnectionsLow(c InstanceClass) float64 {
	return 0.6 * rdsDefaultMaxConnections(c)
}

// clientSlots is what of max_connections n clients' ordinary roles can take: n less the slots pg
// reserves (PostgresFacts.ReservedConnections), at least 1; n when n is not positive or no slot is
// known to be reserved. Past it PostgreSQL refuses them ("remaining connection slots are
// reserved").
func clientSlots(n int, pg *PostgresFacts) int {
	if pg == nil {
		return n
	}
	return clientSlotsOf(n, pg.ReservedConnections)
}

// clientSlotsOf is clientSlots with the reserved slots given as a number: n less reserved, at
// least 1; n when n or reserved is not positive.
func clientSlotsOf(n, reserved int) int {
	if n <= 0 || reserved <= 0 {
		return n
	}
	return max(1, n-reserved)
}

// slotsOf names the clients' share slots (clientSlots) of max_connections n, which a message
// names limit ("max_connections 100", "it"): limit itself when nothing is reserved, else "the 95
// of max_connections 100 that clients can take (5 reserved)".
func slotsOf(slots, n int, limit string) string {
	if slots == n {
		return limit
	}
	return fmt.Sprintf("the %d of %s that clients can take (%d reserved)", slots, limit, n-slots)
}

// maxConnectionsOr is n, a max_connections, or RDS's default on class c when
// n is not positive (not known).
func maxConnectionsOr(n int, c InstanceClass) int {
	if n > 0 {
		return n
	}
	return int(rdsDefaultMaxConnections(c))
}

// readerReadsRisk adds, on Aurora, the risk of the readers' queries moving to the writer, judged by
// what each node reads from the cluster volume (ReadIOPS p95 of nodes' summaries: the reads its
// buffer cache missed). Medium when the readers together read clearly more than the writer (at
// least readerReadsFactor times as much, and readerReadsFloorIOPS or more): their working set is
// not the writer's, and on the writer it competes with the writer's own pages for its buffer
// cache; low otherwise, or when either is not measured.
func readerReadsRisk(nodes []NodeAnalysis, add func(cat, sev, format string, a ...any)) {
	const generic = "Read traffic moves to the writer; a heavy analytic query can now slow writes"
	writer, readers, ids := math.NaN(), 0.0, []string{}
	for _, n := range nodes {
		s, ok := n.Summary(MetricReadIOPS)
		if !ok || s.Count == 0 || s.P95 != s.P95 {
			continue
		}
		switch n.Role {
		case RoleWriter:
			writer = s.P95
		case RoleReader:
			readers += s.P95
			ids = append(ids, n.ID)
		}
	}
	if len(ids) == 0 && !slices.ContainsFunc(nodes, func(n NodeAnalysis) bool { return n.Role == RoleReader }) {
		return // a one-instance cluster: no reader's queries to move
	}
	if len(ids) == 0 || writer != writer || readers < readerReadsFactor*writer || readers < readerReadsFloorIOPS {
		add("failure", "low", generic)
		return
	}
	who := "the reader " + ids[0] + " reads"
	if len(ids) > 1 {
		who = "the readers " + strings.Join(ids, ", ") + " read"
	}
	than := fmt.Sprintf("%.1f times the writer's %.0f", readers/writer, writer)
	if writer < 1 {
		than = "while the writer reads next to none"
	}
	add("capacity", "medium", "%s; %s %.0f IOPS (p95) from the cluster volume, %s: those are the reads its "+
		"buffer cache missed, a working set the writer's cache does not hold today. On the writer it competes with the writer's own pages for its "+
		"buffer cache, so the writer's cache hit ratio can drop and its queries slow; watch its BufferCacheHitRatio and ReadLatency after the change "+
		"(on Aurora Standard those reads stay billed as I/O)", generic, who, readers, than)
}

// CrossAZUSDPerGB is what AWS charges for a GB of data that crosses from one Availability Zone to
// another within a Region, in each direction (so twice for a GB that crosses once: the sender's
// side and the receiver's), between Amazon RDS or Aurora and Amazon EC2 among others: $0.01 in the
// Regions of the provider's catalog (AWS's EC2 on-demand pricing page, "Data Transfer within the
// same AWS Region", as of 2024). A GB is 2^30 bytes, as AWS bills data transfer.
const CrossAZUSDPerGB = 0.01

// crossAZFloorUSD is the least monthly amount crossAZRisk reports: below it the cross-AZ traffic a
// change could move is not worth a risk.
const crossAZFloorUSD = 1.0

// crossAZRisk adds a "cost" risk for Aurora reader r in another AZ than writer w: its clients'
// traffic (the means of NetworkTransmitThroughput and NetworkReceiveThroughput, which count
// client traffic only, not the cluster volume's) moves to the writer. Which of it crosses AZs
// depends on where the clients run, which CloudWatch does not say: those in r's AZ start crossing,
// those in w's stop, others cross either way. So the monthly bill changes by between −X and +X,
// X = that traffic × 2 × CrossAZUSDPerGB, about 0 when the clients are spread evenly. Nothing is
// added without a known transmit mean, or for X under crossAZFloorUSD; the risk is "medium" when X
// is at least a quarter of known positive monthly savings (the worst case would take that much of
// them back), else "low".
func crossAZRisk(w, r Node, nodes []NodeAnalysis, cost CostEstimate, add func(cat, sev, format string, a ...any)) {
	if w.AvailabilityZone == "" || r.AvailabilityZone == "" || w.AvailabilityZone == r.AvailabilityZone {
		return
	}
	i := slices.IndexFunc(nodes, func(n NodeAnalysis) bool { return n.ID == r.ID })
	if i < 0 {
		return
	}
	monthlyGB := func(metric string) float64 {
		s, ok := nodes[i].Summary(metric)
		if !ok || s.Count == 0 || !isFinite(s.Mean) || s.Mean < 0 {
			return math.NaN()
		}
		return s.Mean * HoursPerMonth * 3600 / (1 << 30)
	}
	out, in := monthlyGB(MetricNetworkTransmit), monthlyGB(MetricNetworkReceive)
	if out != out {
		return
	}
	measured := fmt.Sprintf("%.0f GB sent, %.0f GB received: the means of NetworkTransmitThroughput and NetworkReceiveThroughput", out, in)
	if in != in {
		// Not "0 GB received": what it receives is not known, and left out of the range.
		in = 0
		measured = fmt.Sprintf("%.0f GB sent, the mean of NetworkTransmitThroughput; what it receives is not measured and left out", out)
	}
	x := (out + in) * 2 * CrossAZUSDPerGB
	if x < crossAZFloorUSD {
		return
	}
	sev, against := "low", ""
	if cost.Known && cost.MonthlySavingsUSD > 0 {
		against = fmt.Sprintf(", against monthly savings of $%.2f", cost.MonthlySavingsUSD)
		if x >= cost.MonthlySavingsUSD/4 {
			sev = "medium"
		}
	}
	add("cost", sev, "Cross-AZ data transfer: the reader %s in %s exchanges %.0f GB a month with its clients (%s), "+
		"which then goes to the writer in %s. Clients in %s start crossing AZs and those in %s stop "+
		"(at $%.2f/GB in each direction), so the bill changes by between -$%.2f and +$%.2f a month: about nothing with clients spread evenly over the AZs, "+
		"+$%.2f if they all run in %s%s. Check where the reader's clients run (their subnets' AZs) before counting on the savings",
		r.ID, r.AvailabilityZone, out+in, measured, w.AvailabilityZone, r.AvailabilityZone, w.AvailabilityZone, CrossAZUSDPerGB, x, x, x, r.AvailabilityZone, against)
}

// readerReadsFactor and readerReadsFloorIOPS bound readerReadsRisk's medium risk: the readers read
// half as much again as the writer, and at least 100 reads a second (of 8 KiB pages, 0.8 MB/s,
// which a buffer cache does not notice below that).
const (
	readerReadsFactor    = 1.5
	readerReadsFloorIOPS = 100
)

// groupMaxConnections is the max_connections pg's parameter group formula
// (PostgresFacts.MaxConnectionsFormula) gives class c, truncated, and at most what PostgreSQL
// takes beside c's default worker processes (pgMaxBackends less defaultWorkers and
// otherBackends); 0 when there is no formula or it gives less than 1 (a value PostgreSQL refuses
// to start with).
func groupMaxConnections(pg *PostgresFacts, c InstanceClass) int {
	if pg == nil || pg.MaxConnectionsFormula == "" {
		return 0
	}
	v, ok := EvalFormula(pg.MaxConnectionsFormula, c)
	if !ok || !(v >= 1) {
		return 0
	}
	return int(math.Min(v, float64(pgMaxBackends-defaultWorkers(c)-otherBackends)))
}

// maxConnectionsToday is the writer's max_connections on its class: the server's
// (pg.MaxConnections), else what its parameter group's formula gives the class; 0 when neither
// is known (RDS's default, maxConnectionsOr).
func maxConnectionsToday(pg *PostgresFacts, writer InstanceClass) int {
	if pg != nil && pg.MaxConnections > 0 {
		return pg.MaxConnections
	}
	return groupMaxConnections(pg, writer)
}

// maxConnectionsKept is the max_connections the single node keeps on target, its parameter group
// unchanged: on the writer's own class the server's value, when known and the group's is a
// formula rather than a number (a formula is evaluated on the class's nominal memory, which can
// only overstate it; a number is what the server runs, or will after a pending reboot); else what
// the group's value gives target; else the server's value, unless it looks like RDS's default on
// the writer's class (usesDefaultMaxConnections) and target is another class, whose default
// differs; 0 when not known (RDS's default on target).
func maxConnectionsKept(pg *PostgresFacts, writer, target InstanceClass) int {
	if pg != nil && pg.MaxConnections > 0 && target.Name == writer.Name {
		if _, err := strconv.Atoi(pg.MaxConnectionsFormula); err != nil {
			return pg.MaxConnections
		}
	}
	if n := groupMaxConnections(pg, target); n > 0 {
		return n
	}
	if pg == nil || pg.MaxConnectionsFormula != "" || target.Name != writer.Name && usesDefaultMaxConnections(pg.MaxConnections, writer) {
		return 0
	}
	return pg.MaxConnections
}

// peakConnections is the single node's peak connections: the higher of the projection's maximum
// and PostgreSQL's own peak count (pg, when known); NaN when neither is known.
func peakConnections(pr Projection, pg *PostgresFacts) float64 {
	peak := pr.Connections.Max
	if pg != nil && (float64(pg.PeakConnections) > peak || peak != peak) {
		peak = float64(pg.PeakConnections)
	}
	return peak
}

// defaultMaxConnectionsRisk is the risk of moving to a class whose default max_connections
// (rdsMaxConnectionsDivisor) cannot hold the projected peak connections (the higher of the
// projection's and pg's peak) with headroom within the connections threshold: the default follows
// the class's memory, so a parameter group that keeps it gives a smaller class fewer connections
// than today. Its value is at most the class's memory / 9531392 (DBInstanceClassMemory is the
// memory left to the database, a little less than the class's). The risk is high when today's
// max_connections (pg) looks like the writer class's default (usesDefaultMaxConnections), medium
// when it is not known, and there is none when it is set to another value (a parameter group
// that sets it keeps it on the smaller class). None either when target is the writer's class
// (pr.Class) or has no less memory, or when no peak is known.
//
// When the parameter group's own value is known (pg.MaxConnectionsFormula), the risk is that
// value's instead: high when what it gives target is less than it gives the writer's class and
// too little for the peak with headroom; none otherwise.
func defaultMaxConnectionsRisk(pg *PostgresFacts, pr Projection, target InstanceClass, p Policy) (Risk, bool) {
	if target.Name == pr.Class.Name {
		return Risk{}, false
	}
	if pg != nil && pg.MaxConnectionsFormula != "" {
		return groupMaxConnectionsRisk(pg, pr, target, p)
	}
	if target.MemoryGiB >= pr.Class.MemoryGiB || target.MemoryGiB <= 0 {
		return Risk{}, false
	}
	severity := "medium" // today's setting not known
	if pg != nil && pg.MaxConnections > 0 {
		if !usesDefaultMaxConnections(pg.MaxConnections, pr.Class) {
			return Risk{}, false
		}
		severity = "high"
	}
	peak := peakConnections(pr, pg)
	if peak != peak || peak <= 0 {
		return Risk{}, false
	}
	limit := rdsDefaultMaxConnections(target)
	slots := clientSlots(int(limit), pg)
	need := peak * (1 + p.HeadroomPercent/100)
	if need <= p.ConnectionsThresholdPercent/100*float64(slots) {
		return Risk{}, false
	}
	of := slotsOf(slots, int(limit), "it")
	return Risk{Category: "capacity", Severity: severity, Description: fmt.Sprintf(
		"On %s, RDS's default max_connections (LEAST({DBInstanceClassMemory/%d},%d), which follows the class's memory) is at most %.0f, "+
			"and the projected peak of %.0f connections with %.0f%% headroom (%.0f) is above %.0f%% of %s: if the parameter group keeps that default, "+
			"set max_connections in it (the recommendation's tuned value) before moving to %s, or new connections will be refused",
		target.Name, rdsMaxConnectionsDivisor, rdsMaxConnectionsCap, limit, peak, p.HeadroomPercent, need, p.ConnectionsThresholdPercent, of, target.Name)}, true
}

// groupMaxConnectionsRisk is defaultMaxConnectionsRisk for a parameter group that sets
// max_connections (pg.MaxConnectionsFormula).
func groupMaxConnectionsRisk(pg *PostgresFacts, pr Projection, target InstanceClass, p Policy) (Risk, bool) {
	limit, today := groupMaxConnections(pg, target), groupMaxConnections(pg, pr.Class)
	if limit == 0 {
		return Risk{Category: "capacity", Severity: "high", Description: fmt.Sprintf(
			"On %s, the parameter group's max_connections (%s) gives less than 1, which PostgreSQL refuses to start with: set max_connections "+
				"in the group to a number before moving to %s", target.Name, pg.MaxConnectionsFormula, target.Name)}, true
	}
	peak := peakConnections(pr, pg)
	if peak != peak || peak <= 0 || limit >= today {
		return Risk{}, false
	}
	need := peak * (1 + p.HeadroomPercent/100)
	slots := clientSlots(limit, pg)
	if need <= p.ConnectionsThresholdPercent/100*float64(slots) {
		return Risk{}, false
	}
	of := slotsOf(slots, limit, "it")
	return Risk{Category: "capacity", Severity: "high", Description: fmt.Sprintf(
		"On %s, the parameter group's max_connections (%s) gives %d, not %d as on %s, and the projected peak of %.0f connections with "+
			"%.0f%% headroom (%.0f) is above %.0f%% of %s: set max_connections (the recommendation's tuned value) before moving to %s, "+
			"or new connections will be refused",
		target.Name, pg.MaxConnectionsFormula, limit, today, pr.Class.Name, peak, p.HeadroomPercent, need, p.ConnectionsThresholdPercent, of, target.Name)}, true
}

// usesDefaultMaxConnections reports whether maxConnections looks like RDS's default for class c:
// at most c's memory / 9531392 (capped at 5000), and at least 60% of it (DBInstanceClassMemory is
// the class's memory less what RDS keeps for itself, relatively more on small classes: about 72%
// of it on a 1 GiB class, above 90% from 8 GiB).
func usesDefaultMaxConnections(maxConnections int, c InstanceClass) bool {
	v := float64(maxConnections)
	return v <= rdsDefaultMaxConnections(c) && v >= rdsDefaultMaxConnectionsLow(c)
}

// risks lists the failure scenarios, high-traffic periods and backup and
// redundancy consequences of running on one node, most severe first.
// target is the single node's class (Recommendation.RecommendedClass),
// cost its cost estimate (Recommendation.Cost), credits its simulated CPU
// credit account (nil when not simulated), prof the projected CPU's
// hour-of-week profile (no buckets when not projected), wa the advice on
// the backup and maintenance windows.
func risks(in ClusterInput, nodes []NodeAnalysis, pr Projection, p Policy, target InstanceClass, cost CostEstimate, credits *CPUCredits, prof Profile, wa WindowAdvice) []Risk {
	var rs []Risk
	add := func(cat, sev, format string, a ...any) {
		rs = append(rs, Risk{Category: cat, Severity: sev, Description: fmt.Sprintf(format, a...)})
	}
	switch in.engineTopology() {
	case TopologyMultiAZ:
		switch {
		case in.ReplicaSource != "":
			add("redundancy", "medium", "No hot standby: %s is a read replica of %s, so an instance or AZ failure is no longer an automatic 1–2 minute failover but its reads are down until RDS recovers the instance, "+
				"or the replica is recreated from its source (no data is lost: the source has it all). If it is kept for disaster recovery, promoted it becomes a Single-AZ primary "+
				"until Multi-AZ is turned on again, a conversion of its own made while it is the only copy", in.Name, in.ReplicaSource)
		case len(in.ReadReplicas) > 0:
			add("redundancy", "medium", "No hot standby: an instance or AZ failure is no longer an automatic 1–2 minute failover; recovery is %s, "+
				"or promoting read replica %s by hand (minutes; the writes it has not replayed, its replica lag, are lost, and clients move to its endpoint)", restoreRecovery(in.AutomatedBackupsOff), strings.Join(in.ReadReplicas, " or "))
		default:
			add("redundancy", "medium", "No hot standby: an instance or AZ failure is no longer an automatic 1–2 minute failover; recovery is %s", restoreRecovery(in.AutomatedBackupsOff))
		}
		switch {
		case in.ReplicaSource != "":
		case in.AutomatedBackupsOff:
			add("backup", "high", "%s%s", backupsOffRisk(in.PendingBackupRetentionDays, in.AlreadySingleNode, latestSnapshot(in, in.AlreadySingleNode)), stoppedFirst(in))
		case in.AutomatedBackupsOffPending:
			add("backup", "high", "%s", backupsGoingOffRisk(in.AlreadySingleNode))
		}
		windowRisks(in, wa, profileMedian(prof), p, add)
	case TopologyAurora:
		if g := in.GlobalCluster; g != "" {
			add("redundancy", "medium", "No reader to promote in the primary region: a writer failure means Aurora recreates the writer (typically about 10 minutes, on a best-effort basis) instead of a ~30 second failover. "+
				"The cluster is the primary of Aurora global database %s, whose secondary regions are disaster recovery, not a failover target here: Aurora does not fail over to them by itself; "+
				"a failover of the global database (FailoverGlobalCluster, by you or your runbook) takes minutes, loses the writes not yet replicated (its replication lag, typically under a second), "+
				"and moves the writer to another region, whose endpoint clients must reach (the global writer endpoint follows it). Keep a reader in the primary region if a writer failure must be a ~30 second failover", g)
		} else {
			add("redundancy", "medium", "No reader to promote: a writer failure means Aurora recreates the writer (typically about 10 minutes, on a best-effort basis) instead of a ~30 second failover")
		}
		w, readers := in.split()
		for _, r := range readers {
			if w.AvailabilityZone != "" && r.AvailabilityZone != "" && w.AvailabilityZone != r.AvailabilityZone {
				add("redundancy", "medium", "Compute becomes single-AZ: the reader %s in %s is the cluster's only instance outside the writer's %s, so an outage of %s leaves the cluster without a writer; Aurora recreates an instance in the same AZ on a best-effort basis, which may not succeed while that AZ is impaired (the storage stays replicated across three AZs)",
					r.ID, r.AvailabilityZone, w.AvailabilityZone, w.AvailabilityZone)
			}
		}
		if !in.AlreadySingleNode {
			for _, r := range readers {
				crossAZRisk(w, r, nodes, cost, add)
			}
		}
		readerReadsRisk(nodes, add)
		if !in.AlreadySingleNode && len(readers) > 0 {
			if r, ok := readerParametersRisk(in.ReaderParameters, readers[0].ID, w.ID); ok {
				rs = append(rs, r)
			}
		}
		add("backup", "low", "Aurora backups are continuous and taken from the shared storage volume; no I/O suspension")
		windowRisks(in, wa, profileMedian(prof), p, add)
		for _, e := range in.CustomEndpoints {
			if len(e.Members(w.ID, nil)) == 0 {
				add("operations", "high", "Custom endpoint %s routes to no instance once the reader is removed, and its clients could not connect: make it type ANY with the writer %s as a member, or move its clients to the cluster endpoint, before the change (rightsize_db_topology refuses the change until then)",
					e.Describe(), w.ID)
			}
		}
		switch a := in.ReplicaAutoScaling; {
		case a == nil:
		case a.MinCapacity > 0:
			add("operations", "high", "%s (minimum %d): it would add a reader back after the change, so neither the single node nor its savings would last; set the scalable target's minimum capacity to 0, or deregister it, before the change (rightsize_db_topology refuses the change until then)",
				a.Describe(), a.MinCapacity)
		case a.MaxCapacity > 0:
			add("operations", "medium", "%s: it can add readers back under load (of the writer's class, billed like the reader the change removes), so the single node and its savings last only while the scaling policy's target metric stays below its target",
				a.Describe())
		}
		if len(in.ReaderAlarms) > 0 && len(readers) > 0 && !in.AlreadySingleNode {
			sev := "low"
			if slices.ContainsFunc(in.ReaderAlarms, ReaderAlarm.PagesOrMayPage) {
				sev = "medium"
			}
			add("operations", sev, "%s (the change is not refused for this)", ReaderAlarmsText(readers[0].ID, w.ID, in.ReaderAlarms))
		}
		for _, e := range in.ProxyReaderEndpoints {
			add("operations", "high", "RDS Proxy endpoint %s routes to the cluster's readers only and does not fall back to the writer, so once the reader is removed its clients could not connect: move them to the proxy's default (read/write) endpoint and delete it before the change (rightsize_db_topology refuses the change until then)",
				e.Describe())
		}
	}
	for _, d := range in.BlueGreenDeployments {
		add("operations", "high", "The database is the blue (source) database of %s: a switchover would replace it with the green copy, which was made with two nodes and does not follow changes to the blue database, so neither the single node nor its savings would last; delete the deployment, or switch over and then right-size the new production database (rightsize_db_topology refuses the change until then)",
			d.Describe())
	}
	if r, ok := reservationRisk(in, target, cost); ok {
		rs = append(rs, r)
	}
	if r, ok := eventRisk(in); ok {
		rs = append(rs, r)
	}
	h := 1 + p.HeadroomPercent/100
	// The projected CPU is in percent of the writer's class: rescale it to
	// the single node's.
	cpuScale := pr.Class.VCPU / target.VCPU
	if v := pr.CPU.Max * cpuScale; v == v && v*h > p.AlertThresholdPercent {
		add("high-traffic", "medium", "Projected CPU on %s peaks at %.1f%% (at %s UTC), above the %.0f%% alert threshold with headroom, although p99 is %.1f%%",
			target.Name, v, pr.CPU.PeakTime.UTC().Format("Mon 2006-01-02 15:04"), p.AlertThresholdPercent, pr.CPU.P99*cpuScale)
	}
	if len(prof.Mean) > 0 {
		top := busiestHours(prof.Mean, 3)
		if len(top) > 0 {
			desc := ""
			for i, b := range top {
				if i > 0 {
					desc += ", "
				}
				desc += fmt.Sprintf("%s %02d:00 (%.1f%%)", weekdayName(b/24), b%24, prof.Mean[b])
			}
			add("high-traffic", "low", "Busiest hours of the week (UTC, mean projected CPU on %s): %s; avoid changes and backups then", target.Name, desc)
		}
	}
	burstRisk(target, credits, in.CPUCreditUSDPerVCPUHour, p, add)
	// The peak the connections check takes: CloudWatch's or PostgreSQL's own count, the higher.
	if today, peak := maxConnectionsToday(in.Postgres, pr.Class), peakConnections(pr, in.Postgres); today > 0 && peak == peak {
		if slots := clientSlots(today, in.Postgres); peak*h > p.ConnectionsThresholdPercent/100*float64(slots) {
			add("connections", "high", "Projected peak connections %.0f with %.0f%% headroom (%.0f) exceed %.0f%% of %s",
				peak, p.HeadroomPercent, peak*h, p.ConnectionsThresholdPercent, slotsOf(slots, today, fmt.Sprintf("max_connections %d", today)))
		}
	}
	if r, ok := defaultMaxConnectionsRisk(in.Postgres, pr, target, p); ok {
		rs = append(rs, r)
	}
	if in.Postgres != nil && in.Postgres.CacheHitRatio > 0 && in.Postgres.CacheHitRatio < 0.99 {
		since := "the statistics were last reset"
		if !in.Postgres.CountersSince.IsZero() {
			since = in.Postgres.CountersSince.UTC().Format("2006-01-02")
		}
		add("capacity", "medium", "Buffer cache hit ratio is %.1f%% (below 99%%) cumulative since %s, bulk loads, dumps and vacuums included: "+
			"if it holds for the current load (compare two readings of pg_stat_database), moving reads onto one node increases disk reads",
			100*in.Postgres.CacheHitRatio, since)
	}
	replicationSlotRisks(in, nodes, add)
	for _, n := range nodes {
		if s, ok := n.Summary(MetricFreeStorageSpace); ok && s.Count > 0 && s.Min < 10*(1<<30) {
			lowFreeStorage(in, n.ID, s.Min, add)
		}
		if lag, ok := replicaLagP99(n); ok && lag > 1 && n.Role == RoleReader {
			add("failure", "low", "Reader %s lags the writer by %.1f s at p99; clients reading from it already tolerate stale reads, which disappear after consolidation", n.ID, lag)
		}
	}
	localStorageRisk(pr, target, p, add)
	if dq := pr.DiskQueueDepth; dq.Count > 0 && dq.P99 > 10 {
		add("capacity", "medium", "Disk queue depth p99 is %.1f: storage is already a bottleneck at times", dq.P99)
	}
	slices.SortStableFunc(rs, bySeverity)
	return rs
}

// bySeverity orders risks high, medium, low.
func bySeverity(a, b Risk) int {
	sev := map[string]int{"high": 0, "medium": 1, "low": 2}
	return sev[a.Severity] - sev[b.Severity]
}

// replicaRisk is the risk of raising, on an RDS instance with read replicas (in.ReadReplicas), a
// parameter PostgreSQL requires a hot standby to have at least as high as its primary:
// max_connections when the single node's (after: the recommended one, the one kept, or RDS's default
// on its class) is above today's (before), and max_worker_processes when the recommended one is
// above the writer's class's default (GREATEST(vCPU × 2, 8), defaultWorkers): the single node's
// class has more vCPUs. A replica left below pauses its replay (PostgreSQL 14 and later; earlier
// ones shut down) until it gets them. None without replicas or such a raise.
func replicaRisk(in ClusterInput, params map[string]string, before, after int, writer InstanceClass) (Risk, bool) {
	if len(in.ReadReplicas) == 0 {
		return Risk{}, false
	}
	var raised []string
	if after > before {
		raised = append(raised, fmt.Sprintf("max_connections goes from %d to %d", before, after))
	}
	if n, err := strconv.Atoi(params["max_worker_processes"]); err == nil && n > defaultWorkers(writer) {
		raised = append(raised, fmt.Sprintf("max_worker_processes from %d to %d", defaultWorkers(writer), n))
	}
	if len(raised) == 0 {
		return Risk{}, false
	}
	return Risk{Category: "operations", Severity: "medium", Description: fmt.Sprintf(
		"%s has read replicas (%s): PostgreSQL requires a hot standby's max_connections and max_worker_processes to be at least its primary's, "+
			"and on the single node %s. Set them in the replicas' parameter groups and reboot the replicas first: a replica left below pauses replaying (PostgreSQL 14 and later; earlier versions shut it down) until it has them",
		in.Name, strings.Join(in.ReadReplicas, ", "), strings.Join(raised, " and "))}, true
}

// burstRisk adds the CPU credit risk of a burstable single node on class c
// from its simulated credit account cr (nil when not simulated): "high"
// when it would pay for surplus credits, "medium" when its accrued credits
// run out at times or the policy's headroom would take its 24-hour mean
// above the baseline, else "low". Nothing for a fixed-performance class.
func burstRisk(c InstanceClass, cr *CPUCredits, usdPerVCPUHour float64, p Policy, add func(cat, sev, format string, a ...any)) {
	if !c.Burstable {
		return
	}
	if cr == nil {
		why := "its CPU baseline is unknown"
		if c.BaselineCPUPercent > 0 {
			why = "there is no projected CPU at hourly or finer resolution to run them on"
		}
		add("burst", "medium", "%s is a burstable class and %s, so its CPU credits were not projected: sustained CPU above the baseline is billed as surplus credits", c.Name, why)
		return
	}
	const at = "Mon 2006-01-02 15:04"
	peak := fmt.Sprintf("%.1f%% over the 24 hours to %s UTC", cr.Peak24hMeanPercent, cr.Peak24hEnd.UTC().Format(at))
	switch {
	case cr.SurplusChargedVCPUHours > 0:
		cost := ""
		if usdPerVCPUHour > 0 {
			cost = fmt.Sprintf(" ($%.2f at $%g per vCPU-hour)", cr.SurplusVCPUHoursPerMonth*usdPerVCPUHour, usdPerVCPUHour)
		}
		add("burst", "high", "On %s (baseline %g%% per vCPU) the projected CPU averages up to %s: RDS and Aurora run T classes in unlimited mode, "+
			"so the single node would pay for about %.1f vCPU-hours of surplus CPU credits a month%s. A fixed-performance class avoids the charge",
			c.Name, cr.BaselinePercent, peak, cr.SurplusVCPUHoursPerMonth, cost)
	case cr.DepletedHours > 0:
		add("burst", "medium", "On %s the projected CPU uses up the accrued CPU credits in %d hour(s), first at %s UTC: the node then bursts on surplus credits, "+
			"which it paid down in this window, but a longer burst would be billed. Its highest 24-hour mean is %s, against a %g%% baseline",
			c.Name, cr.DepletedHours, cr.FirstDepleted.UTC().Format(at), peak, cr.BaselinePercent)
	case !creditsFit(*cr, p):
		add("burst", "medium", "On %s the projected CPU averages up to %s; with %.0f%% headroom that exceeds the %g%% baseline, and growth would be billed as surplus CPU credits",
			c.Name, peak, p.HeadroomPercent, cr.BaselinePercent)
	default:
		low := cr.MinBalancePercent()
		if cr.Peak24hMeanPercent != cr.Peak24hMeanPercent {
			add("burst", "low", "%s is a burstable class (baseline %g%% per vCPU); the window is too short for a 24-hour mean; the credit balance stays at or above %.0f%% of its 24-hour limit",
				c.Name, cr.BaselinePercent, low)
			return
		}
		add("burst", "low", "%s is a burstable class: the projected CPU averages up to %s, within its %g%% baseline with headroom, and its credit balance stays at or above %.0f%% of its 24-hour limit",
			c.Name, peak, cr.BaselinePercent, low)
	}
}

// localStorageRisk adds the risk of the single Aurora node on class c
// running out of local storage (Projection.LocalStorageUsed against c's
// LocalStorageGiB): "high" when the projected use reaches it (queries that
// spill to temporary files would have failed), "medium" when the use with
// the policy's headroom does. Nothing when it was not projected or c's
// local storage is unknown.
func localStorageRisk(pr Projection, c InstanceClass, p Policy, add func(cat, sev, format string, a ...any)) {
	used, capB := pr.LocalStorageUsed, c.LocalStorageBytes()
	if used.Count == 0 || capB <= 0 {
		return
	}
	const gib = 1 << 30
	at := used.PeakTime.UTC().Format("Mon 2006-01-02 15:04")
	switch {
	case used.Max >= capB:
		add("capacity", "high", "Projected local storage runs out: at %s UTC the writer's temporary files and logs plus the readers' temporary files would have taken %.1f GiB, "+
			"more than the %.4g GiB local storage of %s; queries spilling sorts or hashes to disk would fail with \"No space left on device\". "+
			"Raise work_mem for those queries, move them off the peak, or choose a class with more local storage",
			at, used.Max/gib, c.LocalStorageGiB, c.Name)
	case !localStorageFits(used.Max, c, p):
		add("capacity", "medium", "Projected local storage use peaks at %.1f GiB of %.4g GiB on %s (at %s UTC), above the limit with %.0f%% headroom: "+
			"the readers' temporary files (sorts, hashes, index builds) move onto the writer's local storage",
			used.Max/gib, c.LocalStorageGiB, c.Name, at, p.HeadroomPercent)
	}
}

// localStorageFits reports whether used bytes of local storage, with the
// policy's headroom, fit in class c's local storage.
func localStorageFits(used float64, c InstanceClass, p Policy) bool {
	return used*(1+p.HeadroomPercent/100) <= c.LocalStorageBytes()
}

// replicaLagP99 is a reader's replication lag at p99 in seconds: from
// ReplicaLag (seconds), or else from AuroraReplicaLag (milliseconds); ok is
// false when neither has a datapoint.
func replicaLagP99(n NodeAnalysis) (float64, bool) {
	if s, ok := n.Summary(MetricReplicaLag); ok && s.Count > 0 {
		return s.P99, true
	}
	if s, ok := n.Summary(MetricAuroraReplicaLag); ok && s.Count > 0 {
		return s.P99 / 1000, true
	}
	return 0, false
}

// busiestHours returns the indices of the k largest non-NaN values, largest
// first (ties: lower index first).
func busiestHours(x []float64, k int) []int {
	idx := make([]int, 0, len(x))
	for i, v := range x {
		if v == v {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case x[a] > x[b]:
			return -1
		case x[a] < x[b]:
			return 1
		}
		return 0
	})
	if len(idx) > k {
		idx = idx[:k]
	}
	return idx
}

var weekdays = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

func weekdayName(d int) string { return weekdays[((d%7)+7)%7] }

// lowFreeStorage adds the capacity risk of node id, whose free storage fell to minBytes (under
// 10 GiB): medium, unless storage autoscaling (in.MaxAllocatedStorageGiB) has room to grow the
// volume, which RDS does once free space stays at or below 10% of it for five minutes and the
// previous storage modification's storage optimization has completed (AWS's guide once said six
// hours or more after it, whichever was longer; it now allows four storage modifications in 24
// hours): then low, saying so; at its limit, medium, saying that too. With room, a lowest under
// half that trigger, 5% of the volume it had then, shows the fill outran autoscaling: medium,
// saying so. The volume then is today's (in.AllocatedStorageGiB) less what autoscaling may have
// added since (grownSinceLowest of the node's FreeStorageSpace series in in.Nodes).
func lowFreeStorage(in ClusterInput, id string, minBytes float64, add func(category, severity, format string, a ...any)) {
	text := fmt.Sprintf("%s has only %.1f GiB free storage at its lowest", id, minBytes/(1<<30))
	const waits = "once free space stays at or below 10% for five minutes and the previous storage modification's storage optimization " +
		"(which can take more than 24 hours) has completed, within RDS's cap on storage modifications"
	switch a, m := in.AllocatedStorageGiB, in.MaxAllocatedStorageGiB; {
	case m == 0:
		add("capacity", "medium", "%s", text)
	case m > a:
		then, of := float64(a), fmt.Sprintf("its %d GiB", a)
		if g := grownSinceLowest(in, id); g > 0 {
			then -= g
			of = fmt.Sprintf("the %.0f GiB it had then (its %d GiB less the %.0f GiB free storage rose by after it from 10%% of the volume or less, in rises of 10 GiB or more, as storage autoscaling adds)", then, a, g)
		}
		if then > 0 && minBytes < 0.05*then*(1<<30) {
			add("capacity", "medium", "%s, %.1f%% of %s: under half the 10%% at which storage autoscaling grows it (up to %d GiB, MaxAllocatedStorage), so the fill outran autoscaling, "+
				"which grows the volume %s, by 10 GiB, 10%% or seven hours of growth, whichever is most: raise the allocated storage ahead of such loads",
				text, 100*minBytes/(then*(1<<30)), of, m, waits)
			return
		}
		add("capacity", "low", "%s; storage autoscaling grows its %d GiB up to %d GiB (MaxAllocatedStorage) %s: a faster fill than that can still run it out", text, a, m, waits)
	default:
		add("capacity", "medium", "%s, and storage autoscaling has reached its limit (MaxAllocatedStorage %d GiB): raise the limit or the allocated storage", text, m)
	}
}

// grownSinceLowest is how much storage autoscaling may have added to node id's volume since its
// free storage (its FreeStorageSpace series in in.Nodes) was lowest, in GiB: the rises of free
// storage after the lowest datapoint (runs of rising datapoints, so that one increase split over
// two periods counts once) of 10 GiB or more from a free storage at or below 10% of the volume it
// had before the rise, as autoscaling's increases are (at least 10 GiB, once free space is at or
// below 10%), walked back from today's volume (in.AllocatedStorageGiB). Space freed in such a
// rise counts too: the volume then is never overstated. 0 without the series; NaN values are
// skipped. The series is walked in time order (Series.Sorted: Analyze accepts unsorted ones).
func grownSinceLowest(in ClusterInput, id string) float64 {
	const gib = 1 << 30
	var vs []float64
	for _, n := range in.Nodes {
		if n.ID != id {
			continue
		}
		for _, s := range n.Series {
			if s.Metric == MetricFreeStorageSpace {
				if sorted, err := s.Sorted(); err == nil { // Analyze measured it: its shape is valid
					s = sorted
				}
				for _, v := range s.Values {
					if isFinite(v) {
						vs = append(vs, v/gib)
					}
				}
			}
		}
	}
	low := 0
	for i, v := range vs {
		if v < vs[low] {
			low = i
		}
	}
	// Runs of rises after the lowest, from the last back: each one taken as an increase leaves
	// the volume before it smaller by its size.
	type run struct{ from, rise float64 }
	var runs []run
	for i := low; i+1 < len(vs); {
		j := i
		for j+1 < len(vs) && vs[j+1] > vs[j] {
			j++
		}
		if j > i {
			runs = append(runs, run{vs[i], vs[j] - vs[i]})
			i = j
		} else {
			i++
		}
	}
	vol, grown := float64(in.AllocatedStorageGiB), 0.0
	for k := len(runs) - 1; k >= 0; k-- {
		if r := runs[k]; r.rise >= 10 && r.from <= 0.1*(vol-r.rise) {
			vol, grown = vol-r.rise, grown+r.rise
		}
	}
	return grown
}

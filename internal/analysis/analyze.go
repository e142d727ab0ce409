package analysis

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Verdict is the outcome of the analysis.
type Verdict string

// Verdicts.
const (
	VerdictConsolidate  Verdict = "consolidate"       // one node is enough: remove the standby or reader
	VerdictKeep         Verdict = "keep"              // keep both nodes
	VerdictInsufficient Verdict = "insufficient-data" // not enough data to decide
)

// Reason is one threshold checked for the verdict, with its value and limit.
type Reason struct {
	Check  string  // stable identifier, e.g. "cpu_p99_with_headroom"
	Node   string  // node the value belongs to; empty for projected (single-node) values
	Metric string  // CloudWatch metric or projected quantity
	Value  float64 // measured or projected value, in Unit
	// Comparison is how Value must relate to Limit to pass: "<=", ">=",
	// ">" (monthly_savings) or "==" (writer_class_fits, whose Value is 1
	// when the class fits and 0 when not).
	Comparison string
	Limit      float64 // threshold, in Unit
	Unit       string  // "percent", "fraction", "days", "series", "classes", "fits", "score" or "USD/month"
	Passed     bool    // whether Value satisfies Comparison against Limit
	// Message is a human-readable sentence with the numbers.
	Message string
}

// NodeAnalysis is what was measured on one node.
type NodeAnalysis struct {
	ID        string        // DB instance identifier
	Role      Role          // writer, standby or reader
	Class     InstanceClass // the node's instance class
	Summaries []Summary     // one per metric present, sorted by metric name
	// CPUPattern classifies the node's CPUUtilization (insufficient-data when absent).
	CPUPattern PatternResult
}

// Summary returns the node's summary of metric, if measured.
func (n NodeAnalysis) Summary(metric string) (Summary, bool) {
	for _, s := range n.Summaries {
		if s.Metric == metric {
			return s, true
		}
	}
	return Summary{}, false
}

// Recommendation is the complete result of Analyze. Every slice is in a
// deterministic order; nothing depends on the wall clock.
type Recommendation struct {
	Cluster string // ClusterInput.Name
	// Topology is ClusterInput.Topology, but TopologyAurora for a one-instance Aurora cluster
	// analysed as TopologyMultiAZ (AuroraClusterID set): its risks, windows, decision matrix,
	// reservations, memory and parameters are Aurora's.
	Topology Topology
	Verdict  Verdict // consolidate, keep or insufficient-data
	// AlreadySingleNode is ClusterInput.AlreadySingleNode: the deployment runs one node now.
	AlreadySingleNode bool
	// SingleNodeSufficient is Verdict == VerdictConsolidate.
	SingleNodeSufficient bool
	// Confidence in [0, 1]: data quality (coverage, lookback) times a
	// margin: for consolidate, the passing checks' distance to the nearest
	// limit; for keep, how far its failing checks miss theirs. See Analyze.
	Confidence float64
	Reasons    []Reason       // every check made, data checks first, in a fixed order
	Nodes      []NodeAnalysis // per-node summaries, in input order
	// Pattern of the projected single-node CPU.
	Pattern PatternResult
	// Projection holds the full projected summaries; Projected the headline
	// percentiles (cpu, memory, iops, connections, and network when the
	// class's network baseline is known) in that order.
	Projection Projection
	Projected  []Utilization  // headline projected utilisation: cpu, memory, iops, connections, network
	Risks      []Risk         // most severe first
	Matrix     DecisionMatrix // the decision matrix and its weighted total
	Cost       CostEstimate   // cost now and after, priced on RecommendedClass
	// EarlierPeak compares the busiest projected hour before the lookback
	// (ClusterInput.Earlier) with the lookback's; nil without earlier data.
	EarlierPeak *EarlierPeak
	// Growth is the trend of the projected CPU and IOPS over the lookback
	// on RecommendedClass (the quantities projected), with the days until
	// their checks' limits at that rate; on a burstable class with
	// CPUCredits, also the trend of the CPU's daily mean with the days
	// until its cpu_credits check's baseline (Metric "cpu_credits", last).
	Growth []Growth
	// CPUCredits is the CPU credit account of the single node on
	// RecommendedClass, simulated over the projected CPU, when that class
	// is burstable with a known baseline; nil otherwise. NodeCPUCredits
	// are the nodes' own accounts today (burstable nodes only, input
	// order).
	CPUCredits     *CPUCredits
	NodeCPUCredits []CPUCredits
	// Options ranks the candidate classes (fitting first, then by price).
	Options []ClassOption
	// RecommendedClass is the class the single node should run: the
	// cheapest candidate that fits (ClassOption.Fits), even when it costs
	// more than the writer's class today (the savings then shrink or turn
	// negative). A fitting priced candidate comes before an unpriced one;
	// among unpriced ones the writer's class comes first, then by name.
	// Without candidates it is the writer's class; when no candidate fits,
	// also the writer's class (the verdict is then keep). The verdict's
	// capacity checks, Cost, Matrix, Risks, CPUCredits, Parameters and
	// RollbackTriggers are all for this class.
	RecommendedClass string
	// Parameters are PostgreSQL settings for the single node on
	// RecommendedClass, in the units an RDS parameter group expects (see Tune).
	Parameters map[string]string
	// MigrationWindow is the lowest-load window of
	// ClusterInput.MigrationWindowHours outside the backup window (RDS
	// Multi-AZ) and the maintenance window, both as they are and as
	// Windows suggests moving them; when no window avoids all of them,
	// outside the current ones (MigrationWindowAvoiding).
	MigrationWindow Window
	// Windows is the projected load in the database's backup and
	// maintenance windows, with quieter ones suggested (AdviseWindows).
	Windows WindowAdvice
	// RollbackTriggers are CloudWatch alarm specs for the single node.
	RollbackTriggers []AlarmSpec
	PrometheusRules  string // PrometheusRules(Cluster, RollbackTriggers)
	ReportMarkdown   string // Report(rec); empty from Assess
	// Charts maps file name (e.g. "cpu.svg") to SVG text; nil from Assess.
	Charts map[string]string
	// Traffic summarises the cluster's load, for PhaseOrder.
	Traffic Traffic
	// Start and End describe the analysed window, Period its datapoints' period (each datapoint
	// the average over it), all from the writer's CPU series; zero without one.
	Start, End time.Time
	Period     time.Duration
	Policy     Policy // the policy applied, defaults filled in
}

// Analyze decides whether the 2-node cluster in could run on one node.
//
// Input errors (unknown topology, missing writer, zero capacity, duplicate
// metrics, malformed series, an out-of-range policy) return an error naming
// the field. Data problems (too short, too many gaps, required metrics
// missing) are not errors: they yield VerdictInsufficient with the failing
// checks in Reasons. Unsorted timestamps are sorted on a copy; in is never
// modified. Zero policy fields take DefaultPolicy values, unless Policy.Exact.
//
// Verdict: insufficient-data when any required metric (RequiredMetrics, on
// the writer and every Aurora reader) is absent, covers less than
// MinCoverage, or spans less than MinLookback (Summary.DataSpan: from its
// first datapoint with a value to the window's end, not the window requested,
// so a 14-day window with 3 days of data spans 3 days; a missing tail is
// coverage's matter), or when more than 1 −
// MinCoverage of the points of a projected quantity rest on a reader's
// estimate (check "reader_estimate", reported only when some do: where a
// reader has no datapoint and the writer has one, readerEstimate stands in
// for the reader, so a reader's gap never removes the writer's own load).
// Otherwise keep when no candidate class fits (check "class_fits", made
// when Candidates are given), or when a capacity check of the single node
// on RecommendedClass fails, or when the weighted decision matrix scores
// below MinDecisionScore, or when the single node, priced, saves nothing
// (check "monthly_savings": Cost.MonthlySavingsUSD must be above 0);
// otherwise consolidate. The capacity checks are
// the projected p99 plus headroom against its limit (CPU and, when known,
// IOPS and network against AlertThresholdPercent; memory against
// MemoryThresholdPercent; connections against ConnectionsThresholdPercent of
// max_connections), and, where they apply, "local_storage" (Aurora: the
// projected local storage peak plus headroom against the class's local
// storage) and "cpu_credits" (a burstable class: the projected CPU's
// highest 24-hour mean plus headroom against its baseline). So the verdict
// is never consolidate when the recommended class fails a check.
//
// Confidence = data × (0.5 + 0.5 × min(1, margin/0.5)), rounded to 0.01,
// where data is the lowest coverage of a required metric times min(1, 0.5 +
// 0.5 × lookback/28 days), lookback being the shortest span of their data.
// For consolidate, margin is the smallest relative distance of a capacity
// check below its limit ((Limit − Value)/Limit: the nearest limit). For keep, margin is the largest relative distance by
// which a failing check misses its limit, since any one of them makes the
// verdict keep: a capacity check's overshoot (Value − Limit)/Limit (for a
// failing writer_class_fits, that of the writer's class's failing checks),
// decision_score's shortfall (Limit − Value)/Limit, monthly_savings' extra
// cost over today's monthly cost; checks that pass play no part, so a keep
// grows no less confident as a failing check fails by more. For
// insufficient-data, confidence is data alone times lookback/MinLookback
// (capped at 1).
func Analyze(in ClusterInput, p Policy) (Recommendation, error) {
	return analyze(in, p, true)
}

// Assess is Analyze without the rendered report and charts
// (Recommendation.ReportMarkdown and Charts are empty); every other field
// is the same. Rendering them takes about a tenth of Analyze's time
// (BenchmarkFleetAssess): Assess serves callers that use the decision and
// the figures only, such as a fleet overview.
func Assess(in ClusterInput, p Policy) (Recommendation, error) {
	return analyze(in, p, false)
}

// analyze is Analyze, rendering the report and charts when render is set.
func analyze(in ClusterInput, p Policy, render bool) (Recommendation, error) {
	if err := p.Validate(); err != nil {
		return Recommendation{}, err
	}
	p = p.withDefaults()
	if err := in.validate(); err != nil {
		return Recommendation{}, err
	}
	if in.SavingsTarget == (SavingsTarget{}) {
		in.SavingsTarget = DefaultSavingsTarget()
	}
	if in.MigrationWindowHours == 0 {
		in.MigrationWindowHours = 2
	}
	writer, others := in.split()
	rec := Recommendation{Cluster: in.Name, Topology: in.engineTopology(), Policy: p, AlreadySingleNode: in.AlreadySingleNode}

	// Scan every series once (sorting a copy when needed). Series sharing
	// a timestamp slice share one grid inspection.
	ms, err := measureNodes(in)
	if err != nil {
		return Recommendation{}, err
	}
	defer release(ms)
	for _, n := range in.Nodes {
		m := ms[n.ID]
		if n.Role == RoleStandby && len(n.Series) == 0 {
			rec.Nodes = append(rec.Nodes, NodeAnalysis{ID: n.ID, Role: n.Role, Class: n.Class,
				CPUPattern: PatternResult{Pattern: PatternInsufficient, Evidence: []string{"standby publishes no metrics"}}})
			continue
		}
		na := NodeAnalysis{ID: n.ID, Role: n.Role, Class: n.Class}
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			na.Summaries = append(na.Summaries, m[k].sum)
		}
		if cpu, ok := m[MetricCPU]; ok {
			na.CPUPattern = classify(cpu.sum, cpu.h, PatternThresholds{})
		} else {
			na.CPUPattern = PatternResult{Pattern: PatternInsufficient, Evidence: []string{"CPUUtilization not collected"}}
		}
		rec.Nodes = append(rec.Nodes, na)
	}
	if cpu, ok := ms[writer.ID][MetricCPU]; ok {
		rec.Start, rec.End, rec.Period = cpu.s.Start, cpu.s.End, cpu.s.Period
	}

	// Data sufficiency.
	dataOK := true
	minCov, minLook := 1.0, time.Duration(math.MaxInt64)
	for _, na := range rec.Nodes {
		if na.Role == RoleStandby {
			continue
		}
		for _, metric := range RequiredMetrics {
			s, ok := na.Summary(metric)
			if !ok {
				dataOK = false
				minCov = 0
				rec.Reasons = append(rec.Reasons, Reason{Check: "metric_present", Node: na.ID, Metric: metric,
					Value: 0, Comparison: ">=", Limit: 1, Unit: "series", Passed: false,
					Message: fmt.Sprintf("%s of %s was not collected; it is required", metric, na.ID)})
				continue
			}
			minCov = math.Min(minCov, s.Coverage)
			if s.DataSpan < minLook { // the data present, not the window requested
				minLook = s.DataSpan
			}
			covOK := s.Coverage >= p.MinCoverage
			dataOK = dataOK && covOK
			rec.Reasons = append(rec.Reasons, Reason{Check: "coverage", Node: na.ID, Metric: metric,
				Value: round(s.Coverage, 4), Comparison: ">=", Limit: p.MinCoverage, Unit: "fraction", Passed: covOK,
				Message: fmt.Sprintf("%s of %s has %d of %d expected datapoints (coverage %.1f%%, minimum %.0f%%)",
					metric, na.ID, s.Count, s.Expected, 100*s.Coverage, 100*p.MinCoverage)})
		}
	}
	if minLook == time.Duration(math.MaxInt64) {
		minLook = 0
	}
	lookOK := minLook >= p.MinLookback
	dataOK = dataOK && lookOK
	rec.Reasons = append(rec.Reasons, Reason{Check: "lookback", Metric: "window", Value: round(minLook.Hours()/24, 3),
		Comparison: ">=", Limit: round(p.MinLookback.Hours()/24, 3), Unit: "days", Passed: lookOK,
		Message: fmt.Sprintf("the data spans %.1f days (from the first datapoint with a value to the window's end, shortest of the required metrics); at least %.1f days are required to observe a full weekly cycle",
			minLook.Hours()/24, p.MinLookback.Hours()/24)})
	dataQ := minCov * math.Min(1, 0.5+0.5*minLook.Hours()/(28*24))

	// Projection (also used for insufficient data where possible, for the report).
	pr, err := project(in, writer, projectionJobs(in, writer, others, p, ms), ms)
	if err != nil {
		return Recommendation{}, fmt.Errorf("analysis: %w", err)
	}
	rec.Projection = pr
	rec.Pattern = classify(pr.CPU, pr.cpuH, PatternThresholds{})
	rec.Projected = projectedUtilization(pr, in, p)
	for _, r := range estimateReasons(pr, p) {
		rec.Reasons = append(rec.Reasons, r)
		dataOK = dataOK && r.Passed
	}

	// The class: the cheapest candidate that fits, else the writer's.
	var creditsNow, creditsAfter float64
	rec.NodeCPUCredits, creditsNow = nodeCredits(in, ms)
	rec.Options = classOptions(pr, in, p, creditsNow)
	target := writer.Class
	o, fits := recommendClass(writer.Class, rec.Options)
	if fits {
		target = o.Class
	}
	rec.RecommendedClass = target.Name

	// Capacity checks on that class.
	caps := singleNodeChecks(pr, target, in.Postgres, p)
	margin := 1.0
	capOK := true
	for _, c := range caps {
		rec.Reasons = append(rec.Reasons, c)
		if c.Limit > 0 {
			margin = math.Min(margin, math.Max(0, (c.Limit-c.Value)/c.Limit))
		}
		capOK = capOK && c.Passed
	}
	if len(in.Candidates) > 0 && len(caps) > 0 {
		r := classFitsReason(rec.Options)
		rec.Reasons = append(rec.Reasons, r)
		capOK = capOK && r.Passed
		if r, ok := writerClassReason(rec.Options, writer.Class, target, func() ClassOption {
			return classOption(pr, Candidate{Class: writer.Class}, in, p, creditsNow)
		}); ok {
			rec.Reasons = append(rec.Reasons, r)
			capOK = capOK && r.Passed
		}
	}

	// Cost and the decision matrix.
	if cr, ok := projectedCredits(pr, target); ok {
		rec.CPUCredits, creditsAfter = &cr, cr.SurplusVCPUHoursPerMonth
	}
	rec.Cost = costEstimate(in, rec.RecommendedClass, in.singleNodeHourly(rec.RecommendedClass), creditsNow, creditsAfter)
	// The projected CPU's hour-of-week profile on the recommended class (the projection is in
	// percent of the writer's vCPUs, like the checks rescaled: capacityChecks); no buckets when
	// not projected.
	var prof Profile
	if len(pr.cpuH.mean) > 0 {
		prof = targetCPUProfile(pr, target)
		if rec.Windows, err = AdviseWindows(prof, in.engineTopology(), in.BackupWindow, in.MaintenanceWindow); err != nil {
			return Recommendation{}, fmt.Errorf("analysis: cluster %q: %w", in.Name, err)
		}
	} else {
		rec.Windows = unknownWindows(in)
	}
	rec.Windows.Pending = slices.Clone(in.PendingMaintenance)
	rec.Risks = risks(in, rec.Nodes, pr, p, target, rec.Cost, rec.CPUCredits, prof, rec.Windows)
	oneNode := in.AlreadySingleNode || in.engineTopology() == TopologyAurora && len(in.Nodes) == 1
	rec.Growth = growthOf(pr, target, p, rec.CPUCredits)
	for _, g := range rec.Growth {
		if r, ok := g.risk(target, p, rec.End, in.engineTopology(), oneNode); ok {
			rec.Risks = append(rec.Risks, r)
		}
	}
	if e, ok := earlierPeak(in, pr, target); ok {
		rec.EarlierPeak = &e
		if r, ok := e.risk(target, p, in.engineTopology(), oneNode); ok {
			rec.Risks = append(rec.Risks, r)
		}
	}
	slices.SortStableFunc(rec.Risks, bySeverity)
	rec.Matrix = decisionMatrix(in.engineTopology(), oneNode, caps, rec.Cost, in.SavingsTarget, p.Weights, rec.Risks,
		recovery{ReplicaSource: in.ReplicaSource, ReadReplicas: in.ReadReplicas, GlobalCluster: in.GlobalCluster,
			BackupsOff: in.AutomatedBackupsOff})
	if wc := otherWriterClass(rec.Nodes, rec.RecommendedClass); oneNode && wc != "" {
		// One node already, on another class than the one recommended: that change remains.
		for i := range rec.Matrix.Rows {
			if rec.Matrix.Rows[i].Criterion == "operations" {
				rec.Matrix.Rows[i].Evidence += fmt.Sprintf("; a class change from %s to %s remains", wc, rec.RecommendedClass)
			}
		}
	}
	scoreOK := rec.Matrix.Total >= p.MinDecisionScore
	if dataOK && capOK {
		rec.Reasons = append(rec.Reasons, Reason{Check: "decision_score", Metric: "decision_matrix", Value: rec.Matrix.Total,
			Comparison: ">=", Limit: p.MinDecisionScore, Unit: "score", Passed: scoreOK,
			Message: fmt.Sprintf("weighted decision-matrix score %.2f of 10 (minimum %.2f)", rec.Matrix.Total, p.MinDecisionScore)})
		if rec.Cost.Known {
			// One node that saves nothing (the class that fits costs as much as today's two, or
			// more) is no reason to give up the second node.
			v := round(rec.Cost.MonthlySavingsUSD, 2)
			savingsOK := v > 0
			scoreOK = scoreOK && savingsOK
			rec.Reasons = append(rec.Reasons, Reason{Check: "monthly_savings", Metric: "cost", Value: v, Comparison: ">", Limit: 0,
				Unit: "USD/month", Passed: savingsOK,
				Message: savingsMessage(rec.RecommendedClass, v)})
		}
	}
	switch {
	case !dataOK:
		rec.Verdict = VerdictInsufficient
		rec.Confidence = round(dataQ*math.Min(1, minLook.Hours()/math.Max(1, p.MinLookback.Hours())), 2)
	case !capOK || !scoreOK:
		rec.Verdict = VerdictKeep
		var stay []Reason // the checks of the writer's class, when it fails where the target fits
		if slices.ContainsFunc(rec.Reasons, func(r Reason) bool { return r.Check == "writer_class_fits" && !r.Passed }) {
			stay = singleNodeChecks(pr, writer.Class, in.Postgres, p)
		}
		rec.Confidence = round(dataQ*(0.5+float64(0.5*math.Min(1, keepMargin(rec.Reasons, stay, rec.Cost.CurrentMonthlyUSD)/0.5))), 2)
	default:
		rec.Verdict = VerdictConsolidate
		rec.Confidence = round(dataQ*(0.5+float64(0.5*math.Min(1, margin/0.5))), 2)
	}
	rec.SingleNodeSufficient = rec.Verdict == VerdictConsolidate

	// Operations.
	peakConns := peakConnections(pr, in.Postgres)
	maxConns := maxConnectionsToday(in.Postgres, writer.Class)
	freeStorage := writerLowestFreeStorage(rec.Nodes) // the single node keeps the writer's volume
	// The max_connections the node keeps with its parameter group (Tune takes 0 for RDS's default).
	keptConns := maxConnectionsKept(in.Postgres, writer.Class, target)
	var groupBuffers string
	setConns := false // the group's max_connections gives target less than 1: set one
	reserved := 0
	if in.Postgres != nil {
		groupBuffers, reserved = in.Postgres.SharedBuffersFormula, in.Postgres.ReservedConnections
		setConns = in.Postgres.MaxConnectionsFormula != "" && keptConns == 0 && groupMaxConnections(in.Postgres, target) == 0
	}
	rec.Parameters = Tune(target, TuneInput{PeakConnections: peakConns, HeadroomPercent: p.HeadroomPercent,
		ConnectionsThresholdPercent: p.ConnectionsThresholdPercent, KeptMaxConnections: keptConns, HDD: in.HDD,
		FreeStorageBytes: freeStorage, Topology: in.engineTopology(), SharedBuffers: groupBuffers, SetMaxConnections: setConns,
		ReservedConnections: reserved})
	// The max_connections in effect after the change: the tuned one, else the one kept (RDS's
	// default on the target class when that is not known); and today's: the server's, else RDS's
	// default on the writer's class.
	after, before := maxConnectionsOr(keptConns, target), maxConnectionsOr(maxConns, writer.Class)
	if mc, err := strconv.Atoi(rec.Parameters["max_connections"]); err == nil {
		after = mc
	}
	if r, ok := replicaRisk(in, rec.Parameters, before, after, writer.Class); ok {
		rec.Risks = append(rec.Risks, r)
		slices.SortStableFunc(rec.Risks, bySeverity)
	}
	rec.MigrationWindow = Window{LengthHours: in.MigrationWindowHours, Reason: "projected CPU not available"}
	if len(prof.Mean) > 0 {
		w, err := migrationWindow(prof, in, rec.Windows)
		if err != nil {
			return Recommendation{}, fmt.Errorf("analysis: cluster %q: %w", in.Name, err)
		}
		rec.MigrationWindow = w
	}
	// Alarms must fire before the limit is reached, today's or the one in effect after the change.
	if after > 0 && (maxConns == 0 || after < maxConns) {
		maxConns = after
	}
	// The read baseline is the p99 of the reads the single node serves: the writer's and (Aurora)
	// the readers' ReadIOPS summed at each timestamp, not a sum of their p99s, which overstates it
	// when their peaks do not coincide. The writes are the writer's. Without the projected reads
	// (a reader collected no ReadIOPS: insufficient data), the writer's own reads.
	var readP99, writeP99 float64
	for _, na := range rec.Nodes {
		if na.Role != RoleWriter {
			continue
		}
		if s, ok := na.Summary(MetricReadIOPS); ok && s.Count > 0 {
			readP99 = s.P99
		}
		if s, ok := na.Summary(MetricWriteIOPS); ok && s.Count > 0 {
			writeP99 = s.P99
		}
	}
	if pr.readIOPS.Count > 0 {
		readP99 = pr.readIOPS.P99
	}
	rec.RollbackTriggers = RollbackTriggers(TriggerInput{Instance: writer.ID, AuroraCluster: in.AuroraClusterID, Class: target, Projection: pr,
		ReadIOPSP99: readP99, WriteIOPSP99: writeP99, MaxConnections: maxConns, ReservedConnections: reserved, Period: pr.period, CPUCredits: rec.CPUCredits}, p)
	rec.PrometheusRules = PrometheusRules(in.Name, rec.RollbackTriggers)
	rec.Traffic = trafficOf(in.Name, pr, writer.Class, rec.Nodes)
	if render {
		rec.Charts = charts(rec, in, ms, p, target)
		rec.ReportMarkdown = Report(rec)
	}
	// The node aggregates are no longer needed, except those the
	// projection reuses (a single unscaled part): recycle the others.
	kept := func(h hourly) bool {
		for _, k := range []hourly{pr.cpuH, pr.memH, pr.iopsH} {
			if len(h.mean) > 0 && len(k.mean) > 0 && &h.mean[0] == &k.mean[0] {
				return true
			}
		}
		return false
	}
	for _, m := range ms {
		for _, me := range m {
			if !kept(me.h) {
				releaseHourly(me.h)
			}
		}
	}
	return rec, nil
}

// savingsMessage words the monthly_savings check for one node on class saving v USD a month.
func savingsMessage(class string, v float64) string {
	if v > 0 {
		return fmt.Sprintf("one node on %s saves $%.2f a month", class, v)
	}
	return fmt.Sprintf("one node on %s would cost $%.2f a month more than today (or as much): no savings to justify giving up the second node", class, math.Abs(v))
}

// keepMargin is how clearly a keep verdict's failing checks fail: the
// largest relative distance by which one of them misses its limit (any of
// them alone makes the verdict keep, so the clearest decides). A capacity
// check (Comparison "<=", Limit > 0) misses by (Value − Limit)/Limit;
// "decision_score" by (Limit − Value)/Limit; "monthly_savings" by the extra
// monthly cost over today's (−Value/currentMonthlyUSD; 0 when today's is
// not above 0); a failing "writer_class_fits" by the largest overshoot of
// the failing checks in stay (the writer's class's own checks). Passing
// checks play no part, so the margin never falls as a failing check fails
// by more. "class_fits" adds nothing itself: when it fails the node stays
// on the writer's class, whose failing checks are among reasons. 0 when no
// failing check has a distance.
func keepMargin(reasons, stay []Reason, currentMonthlyUSD float64) float64 {
	m := 0.0
	miss := func(r Reason) float64 {
		switch {
		case r.Passed:
			return 0
		case r.Check == "decision_score" && r.Limit > 0:
			return (r.Limit - r.Value) / r.Limit
		case r.Check == "monthly_savings":
			if currentMonthlyUSD > 0 {
				return -r.Value / currentMonthlyUSD
			}
			return 0
		case r.Comparison == "<=" && r.Limit > 0:
			return (r.Value - r.Limit) / r.Limit
		}
		return 0
	}
	for _, r := range reasons {
		if r.Check == "writer_class_fits" && !r.Passed {
			for _, c := range stay {
				m = math.Max(m, miss(c))
			}
			continue
		}
		m = math.Max(m, miss(r))
	}
	return m
}

// hourlyMetrics are the node metrics whose hourly aggregates Analyze uses.
var hourlyMetrics = map[string]bool{MetricCPU: true, MetricFreeableMemory: true, MetricReadIOPS: true, MetricWriteIOPS: true}

// gridKey identifies a timestamp slice (by its first element and length)
// with a period.
type gridKey struct {
	first  *time.Time
	n      int
	period time.Duration
}

// writerLowestFreeStorage is the writer's lowest FreeStorageSpace among nodes, in bytes; NaN when
// not measured (Aurora publishes none).
func writerLowestFreeStorage(nodes []NodeAnalysis) float64 {
	for _, na := range nodes {
		if s, ok := na.Summary(MetricFreeStorageSpace); ok && s.Count > 0 && na.Role == RoleWriter {
			return s.Min
		}
	}
	return math.NaN()
}

// measureNodes measures every series of every node, one by one.
func measureNodes(in ClusterInput) (map[string]map[string]*measured, error) {
	ms := map[string]map[string]*measured{}
	grids := map[gridKey]grid{}
	for _, n := range in.Nodes {
		m := map[string]*measured{}
		ms[n.ID] = m
		for _, s := range n.Series {
			me, err := measure(s, grids)
			if err != nil {
				release(ms)
				return nil, fmt.Errorf("analysis: cluster %q: node %q: %w", in.Name, n.ID, err)
			}
			m[s.Metric] = me
		}
	}
	return ms, nil
}

// measure orders (on a copy, if needed) and scans one series. Its
// timestamps are checked during the scan (scanSeries); a timestamp slice
// already found regular in this call of Analyze (series sharing one slice)
// is not checked again.
func measure(s Series, grids map[gridKey]grid) (*measured, error) {
	if err := s.validateShape(); err != nil {
		return nil, err
	}
	// Hourly aggregates feed the pattern, profiles and charts; other
	// metrics skip them.
	wantH := hourlyMetrics[s.Metric]
	var (
		g   grid
		sum Summary
		h   hourly
		err error
	)
	var k gridKey
	if len(s.Timestamps) > 0 {
		k = gridKey{&s.Timestamps[0], len(s.Timestamps), s.Period}
	}
	var p *[]float64 // spread values
	if known, ok := grids[k]; ok && k.first != nil && known.regular {
		g = known
		sum, h, err = scan(s, g, s.Values, wantH)
	} else {
		sum, h, g, p, err = scanSeriesSpread(s, wantH)
		if err == nil && g.regular && p == nil && k.first != nil {
			grids[k] = g
		}
	}
	if errors.Is(err, ErrUnsorted) {
		if s, err = s.Sorted(); err != nil {
			return nil, err
		}
		sum, h, g, p, err = scanSeriesSpread(s, wantH)
	}
	if err != nil {
		putBuf(p)
		return nil, err
	}
	return &measured{s: s, g: g, sum: sum, h: h, spread: p}, nil
}

// release puts back the spread buffers of ms.
func release(ms map[string]map[string]*measured) {
	for _, m := range ms {
		for _, me := range m {
			putBuf(me.spread)
			me.spread = nil
		}
	}
}

// round rounds v to d decimals (NaN stays NaN).
func round(v float64, d int) float64 {
	if v != v || math.IsInf(v, 0) {
		return v
	}
	s := math.Pow(10, float64(d))
	return math.Round(v*s) / s
}

// projectedUtilization lists the headline projected percentiles.
func projectedUtilization(pr Projection, in ClusterInput, p Policy) []Utilization {
	nan := math.NaN()
	// Memory in use in percent of the class memory; on Aurora outside the buffer cache, in percent of
	// what the cache leaves (Projection.MemoryUsed).
	room := pr.writerRoom()
	pct := func(v float64) float64 { return 100 * pr.memoryJudged(v) / room }
	mem := Utilization{Metric: "memory", Unit: "percent", P50: pct(pr.MemoryUsed.P50), P95: pct(pr.MemoryUsed.P95),
		P99: pct(pr.MemoryUsed.P99), Max: pct(pr.MemoryUsed.Max), Limit: p.MemoryThresholdPercent}
	iopsLimit, netLimit, connLimit := nan, nan, nan
	if pr.Class.BaselineIOPS > 0 {
		iopsLimit = pr.Class.BaselineIOPS * p.AlertThresholdPercent / 100
	}
	if pr.Class.NetworkBaselineBytesPerSec > 0 {
		netLimit = pr.Class.NetworkBaselineBytesPerSec * p.AlertThresholdPercent / 100
	}
	if n := maxConnectionsToday(in.Postgres, pr.Class); n > 0 {
		connLimit = float64(clientSlots(n, in.Postgres)) * p.ConnectionsThresholdPercent / 100
	}
	u := func(name, unit string, s Summary, lim float64) Utilization {
		return Utilization{Metric: name, Unit: unit, P50: s.P50, P95: s.P95, P99: s.P99, Max: s.Max, Limit: lim}
	}
	out := []Utilization{
		u("cpu", "percent", pr.CPU, p.AlertThresholdPercent),
		mem,
		u("iops", "count/second", pr.IOPS, iopsLimit),
		u("connections", "count", pr.Connections, connLimit),
	}
	if pr.Network.Count > 0 {
		out = append(out, u("network", "bytes/second", pr.Network, netLimit))
	}
	return out
}

// singleNodeChecks are every check of the single node on class c: the
// capacity checks, then "local_storage" and "cpu_credits" where they
// apply (classChecks).
func singleNodeChecks(pr Projection, c InstanceClass, pg *PostgresFacts, p Policy) []Reason {
	return append(capacityChecks(pr, c, pg, p), classChecks(pr, c, p)...)
}

// classChecks are the checks of class c beyond capacityChecks:
//   - "local_storage" (Aurora, when the local storage use was projected and
//     c's local storage is known): the projected use at its peak, with
//     headroom, in percent of c's local storage, at most 100;
//   - "cpu_credits" (c burstable with a known baseline, the projected CPU
//     at hourly or finer resolution over at least 24 hours): the projected
//     CPU's highest 24-hour mean on c, with headroom, at most c's baseline
//     (above it the node pays for surplus credits; see CPUCredits).
//
// Values are rounded to 0.01; Passed is decided on the unrounded values.
func classChecks(pr Projection, c InstanceClass, p Policy) []Reason {
	h := 1 + p.HeadroomPercent/100
	var out []Reason
	if u := pr.LocalStorageUsed; u.Count > 0 && c.LocalStorageGiB > 0 {
		used := 100 * u.Max / c.LocalStorageBytes()
		out = append(out, Reason{Check: "local_storage", Metric: MetricFreeLocalStorage, Value: round(used*h, 2), Comparison: "<=",
			Limit: 100, Unit: "percent", Passed: localStorageFits(u.Max, c, p),
			Message: fmt.Sprintf("projected local storage use peaks at %.1f GiB (at %s UTC), %.1f%% of the %.4g GiB of %s; with %.0f%% headroom %.1f%%, limit 100%%",
				u.Max/(1<<30), u.PeakTime.UTC().Format("Mon 2006-01-02 15:04"), used, c.LocalStorageGiB, c.Name, p.HeadroomPercent, used*h)})
	}
	if cr, ok := projectedCredits(pr, c); ok && cr.Peak24hMeanPercent == cr.Peak24hMeanPercent {
		v := cr.Peak24hMeanPercent
		out = append(out, Reason{Check: "cpu_credits", Metric: MetricCPU, Value: round(v*h, 2), Comparison: "<=",
			Limit: cr.BaselinePercent, Unit: "percent", Passed: creditsFit(cr, p),
			Message: fmt.Sprintf("projected CPU on %s averages up to %.1f%% over the 24 hours to %s UTC; with %.0f%% headroom %.1f%%, limit its %g%% CPU credit baseline (above it the node pays for surplus credits)",
				c.Name, v, cr.Peak24hEnd.UTC().Format("Mon 2006-01-02 15:04"), p.HeadroomPercent, v*h, cr.BaselinePercent)})
	}
	return out
}

// writerClassReason is the check that the writer's own class, which going to one node keeps (the
// standby or the reader is removed; the writer is not resized), holds the single node: made when
// some class fits (the writer's class is judged by judge when it is not among the options: the
// candidates may leave it out). When it fails, the recommended class (target) is another one the
// writer would have to be resized to first, so the verdict is keep: consolidating as is would
// leave the load on a class that fails.
func writerClassReason(opts []ClassOption, writer, target InstanceClass, judge func() ClassOption) (Reason, bool) {
	var o ClassOption
	if i := slices.IndexFunc(opts, func(o ClassOption) bool { return o.Class.Name == writer.Name }); i >= 0 {
		o = opts[i]
	} else {
		o = judge()
	}
	if !o.Fits && target.Name == writer.Name { // no class fits: class_fits says so
		return Reason{}, false
	}
	r := Reason{Check: "writer_class_fits", Metric: "writer_class", Value: 0, Comparison: "==", Limit: 1, Unit: "fits", Passed: o.Fits,
		Message: fmt.Sprintf("the writer's class %s, which going to one node keeps (it removes a node and does not resize the writer), holds the load", writer.Name)}
	if o.Fits {
		r.Value = 1
		if target.Name != writer.Name {
			r.Message += fmt.Sprintf("; moving to the recommended %s is a separate change", target.Name)
		}
		return r, true
	}
	r.Message = fmt.Sprintf("the single node would stay on the writer's class %s, which fails (%s): resize the writer to %s first, then consolidate",
		writer.Name, strings.Join(o.Failed, ", "), target.Name)
	return r, true
}

// classFitsReason is the check that some candidate class fits: Value is
// the number of options that fit, at least 1; the message names the
// failed checks of the others.
func classFitsReason(opts []ClassOption) Reason {
	n := 0
	var failed []string
	for _, o := range opts {
		if o.Fits {
			n++
		} else {
			failed = append(failed, fmt.Sprintf("%s (%s)", o.Class.Name, strings.Join(o.Failed, ", ")))
		}
	}
	msg := fmt.Sprintf("%d of %d candidate classes fit the single node", n, len(opts))
	if len(failed) > 0 {
		msg += "; failing: " + strings.Join(failed, "; ")
	}
	return Reason{Check: "class_fits", Metric: "candidate_classes", Value: float64(n), Comparison: ">=", Limit: 1,
		Unit: "classes", Passed: n >= 1, Message: msg}
}

// estimateReasons are the data checks on the projected points that rest
// on a reader's estimate (Projection.EstimatedPoints), one per projected
// quantity that has any, in the order of the Projection's fields: the
// fraction of its points estimated, at most 1 − MinCoverage.
func estimateReasons(pr Projection, p Policy) []Reason {
	if len(pr.EstimatedPoints) == 0 {
		return nil
	}
	var out []Reason
	limit := round(1-p.MinCoverage, 4)
	for _, s := range []Summary{pr.CPU, pr.MemoryUsed, pr.IOPS, pr.Connections, pr.Network, pr.LocalStorageUsed} {
		n := pr.EstimatedPoints[s.Metric]
		if n == 0 || s.Count == 0 {
			continue
		}
		frac := float64(n) / float64(s.Count)
		stands := "an estimate (its neighbours interpolated across a gap of up to 15 minutes; else its mean for that hour of the week, or of the day; else its p99)"
		if s.Metric == pr.LocalStorageUsed.Metric {
			stands = "an estimate (its neighbours interpolated across a gap of up to 15 minutes; else its lowest FreeLocalStorage for that hour of the week, or of the day, or over the lookback)"
		}
		out = append(out, Reason{Check: "reader_estimate", Metric: s.Metric, Value: round(frac, 4), Comparison: "<=",
			Limit: limit, Unit: "fraction", Passed: frac <= limit,
			Message: fmt.Sprintf("%d of %d points of %s (%.1f%%) had no datapoint from a reader where the writer had one: %s stands in for the reader there (at most %.1f%%, 1 − minimum coverage)",
				n, s.Count, s.Metric, 100*frac, stands, 100*limit)})
	}
	return out
}

// targetCPUProfile folds the projected CPU (pr.cpuH, percent of the writer's class) onto the
// hour of the week, in percent of class c's vCPUs. A point of a period over an hour stands for
// the hours of its period (spreadHours), as growth and the CPU credits count it: at
// period_seconds 7200 every other hour of the week would otherwise have no data, and no
// migration, backup or maintenance window could be judged.
func targetCPUProfile(pr Projection, c InstanceClass) Profile {
	prof := foldHours(pr.CPU.Metric, pr.CPU.Unit, spreadHours(pr.cpuH, pr.period), HoursPerWeek)
	if scale := pr.Class.VCPU / c.VCPU; scale != 1 {
		for i := range prof.Mean {
			prof.Mean[i] *= scale
		}
	}
	return prof
}

// capacityChecks compares projected p99 × headroom with the limits of class c.
// Quantities are rescaled from the writer's class (pr.Class) to c.
func capacityChecks(pr Projection, c InstanceClass, pg *PostgresFacts, p Policy) []Reason {
	h := 1 + p.HeadroomPercent/100
	var out []Reason
	cpuScale := pr.Class.VCPU / c.VCPU
	if v := pr.CPU.P99; v == v {
		val := v * cpuScale * h
		out = append(out, Reason{Check: "cpu_p99_with_headroom", Metric: MetricCPU, Value: round(val, 2), Comparison: "<=",
			Limit: p.AlertThresholdPercent, Unit: "percent", Passed: val <= p.AlertThresholdPercent,
			Message: fmt.Sprintf("projected single-node CPU p99 on %s is %.1f%% (max %.1f%%); with %.0f%% headroom %.1f%%, limit %.0f%%",
				c.Name, v*cpuScale, pr.CPU.Max*cpuScale, p.HeadroomPercent, val, p.AlertThresholdPercent)})
	}
	if v := pr.MemoryUsed.P99; v == v {
		room := pr.memoryRoom(c)
		used := math.Inf(1) // no room: the group's shared_buffers takes all of c's memory
		if room > 0 {
			used = 100 * pr.memoryJudged(v) / room
		}
		val := used * h
		var msg string
		switch {
		case pr.Topology != TopologyAurora:
			msg = fmt.Sprintf("projected memory in use p99 on %s is %.1f%% of %.0f GiB; with headroom %.1f%%, limit %.0f%%",
				c.Name, used, c.MemoryGiB, val, p.MemoryThresholdPercent)
		case !(room > 0):
			msg = fmt.Sprintf("on %s %s takes all of its %.0f GiB, and nothing is left for connections, sorts and the OS: PostgreSQL would not start "+
				"there; set shared_buffers in the group for it before moving to it", c.Name, pr.bufferSource(c), c.MemoryGiB)
		default:
			const g = 1 << 30
			msg = fmt.Sprintf("projected memory in use outside the buffer cache p99 on %s is %.2f GiB (%.2f GiB in use less the writer's %.2f GiB buffer cache), "+
				"%.1f%% of the %.2f GiB its own %.2f GiB buffer cache leaves of %.0f GiB (%s, which FreeableMemory never counts free); "+
				"with headroom %.1f%%, limit %.0f%%",
				c.Name, pr.memoryJudged(v)/g, v/g, pr.writerCacheBytes()/g, used, room/g, pr.bufferCacheBytes(c)/g, c.MemoryGiB,
				pr.bufferSource(c), val, p.MemoryThresholdPercent)
		}
		out = append(out, Reason{Check: "memory_p99_with_headroom", Metric: MetricFreeableMemory, Value: round(val, 2), Comparison: "<=",
			Limit: p.MemoryThresholdPercent, Unit: "percent", Passed: val <= p.MemoryThresholdPercent, Message: msg})
	}
	if v := pr.IOPS.P99; v == v && c.BaselineIOPS > 0 {
		val := 100 * v / c.BaselineIOPS * h
		out = append(out, Reason{Check: "iops_p99_with_headroom", Metric: "ReadIOPS+WriteIOPS", Value: round(val, 2), Comparison: "<=",
			Limit: p.AlertThresholdPercent, Unit: "percent", Passed: val <= p.AlertThresholdPercent,
			Message: fmt.Sprintf("projected IOPS p99 %.0f is %.1f%% of the %.0f baseline IOPS of %s; with headroom %.1f%%, limit %.0f%%",
				v, 100*v/c.BaselineIOPS, c.BaselineIOPS, c.iopsBasis(), val, p.AlertThresholdPercent)})
	}
	if v := pr.Network.P99; v == v && c.NetworkBaselineBytesPerSec > 0 {
		val := 100 * v / c.NetworkBaselineBytesPerSec * h
		msg := fmt.Sprintf("projected network p99 %.2f MB/s is %.1f%% of the baseline of %s; with headroom %.1f%%, limit %.0f%%",
			v/1e6, 100*v/c.NetworkBaselineBytesPerSec, c.Name, val, p.AlertThresholdPercent)
		if pr.Topology == TopologyMultiAZ {
			// RDS counts its replication traffic in the network metrics ("including both customer
			// database traffic and Amazon RDS traffic used for monitoring and replication").
			msg += " (the writer's network throughput includes its replication to the standby, which one node no longer sends: the projection errs high)"
		}
		out = append(out, Reason{Check: "network_p99_with_headroom", Metric: "NetworkThroughput", Value: round(val, 2), Comparison: "<=",
			Limit: p.AlertThresholdPercent, Unit: "percent", Passed: val <= p.AlertThresholdPercent, Message: msg})
	}
	if today := maxConnectionsToday(pg, pr.Class); today > 0 {
		peak := peakConnections(pr, pg)
		slots := clientSlots(today, pg) // the reserved slots are not the clients'
		val := 100 * peak / float64(slots) * h
		out = append(out, Reason{Check: "connections_peak_with_headroom", Metric: MetricConnections, Value: round(val, 2), Comparison: "<=",
			Limit: p.ConnectionsThresholdPercent, Unit: "percent", Passed: val <= p.ConnectionsThresholdPercent,
			Message: fmt.Sprintf("projected peak connections %s of %s; with headroom %.1f%%, limit %.0f%%",
				strconv.FormatFloat(round(peak, 1), 'f', -1, 64), slotsOf(slots, today, fmt.Sprintf("max_connections %d", today)), val, p.ConnectionsThresholdPercent)})
	}
	return out
}

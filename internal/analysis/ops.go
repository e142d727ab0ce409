package analysis

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Window is a migration window in the UTC week.
type Window struct {
	// Known is false when no window of the requested length has data in
	// every hour (e.g. less than a week of data); Reason says why.
	Known        bool
	Weekday      string // "Sunday" … "Saturday"
	StartHourUTC int    // 0–23
	LengthHours  int    // requested length in hours
	// ExpectedLoad is the mean of the profile over the window (the
	// profile's unit, percent CPU in Analyze); PeakLoad its highest hour.
	ExpectedLoad float64
	PeakLoad     float64 // highest hour of the profile inside the window
	Reason       string  // how the window was chosen, or why none was
}

// MigrationWindow finds the contiguous window of hours hours with the lowest
// mean in a 168-bucket hour-of-week profile (HourOfWeekProfile), wrapping
// from Saturday to Sunday. Windows containing a NaN bucket (no data) are
// skipped; if none remains, Known is false. Ties go to the earliest start
// from Sunday 00:00 UTC. It returns an error when len(p.Mean) != 168 or
// hours is outside 1–168.
func MigrationWindow(p Profile, hours int) (Window, error) {
	return MigrationWindowAvoiding(p, hours)
}

// MigrationWindowAvoiding is MigrationWindow, skipping also the windows that
// meet one of avoid (the database's backup and maintenance windows: an
// automated backup holds the instance in "backing-up", which defers the
// guard snapshot, and maintenance can restart it). When every window with
// data meets one of them, it falls back to MigrationWindow's choice and
// Reason says so. Each of avoid must be a window ParseBackupWindow or
// ParseMaintenanceWindow returns (Start within the day or week, Minutes at
// least 1 and less than it); another is an error.
func MigrationWindowAvoiding(p Profile, hours int, avoid ...ScheduledWindow) (Window, error) {
	w, _, err := migrationWindowAvoiding(p, hours, avoid)
	return w, err
}

// migrationWindowAvoiding is MigrationWindowAvoiding; ok reports whether the window found
// meets none of avoid (false when it fell back, or found none).
func migrationWindowAvoiding(p Profile, hours int, avoid []ScheduledWindow) (w Window, ok bool, err error) {
	if len(p.Mean) != HoursPerWeek {
		return Window{}, false, errorf("migration window: profile has %d buckets, want %d (use HourOfWeekProfile)", len(p.Mean), HoursPerWeek)
	}
	if hours < 1 || hours > HoursPerWeek {
		return Window{}, false, errorf("migration window: length %d hours must be between 1 and 168", hours)
	}
	for i, a := range avoid {
		if err := a.validate(); err != nil {
			return Window{}, false, errorf("migration window: window to avoid at index %d: %w", i, err)
		}
	}
	outside := func(s int) bool {
		for _, a := range avoid {
			if a.overlaps(s*60, hours*60) {
				return false
			}
		}
		return true
	}
	best, bestMean := quietestWindow(p, hours, outside)
	ok = best >= 0
	avoided := ""
	if len(avoid) > 0 {
		names := make([]string, len(avoid))
		for i, a := range avoid {
			names[i] = a.String()
		}
		avoided = "outside " + strings.Join(names, " and ") + " UTC"
		if best < 0 {
			best, bestMean = quietestWindow(p, hours, func(int) bool { return true })
			avoided = "no window avoids " + strings.Join(names, " and ") + " UTC"
		}
	}
	w = Window{LengthHours: hours}
	if best < 0 {
		w.Reason = fmt.Sprintf("no %d-hour window has data in every hour of the week", hours)
		return w, false, nil
	}
	peak := math.Inf(-1)
	for k := 0; k < hours; k++ {
		peak = math.Max(peak, p.Mean[(best+k)%HoursPerWeek])
	}
	w.Known = true
	w.Weekday = weekdayName(best / 24)
	w.StartHourUTC = best % 24
	w.ExpectedLoad = round(bestMean, 3)
	w.PeakLoad = round(peak, 3)
	w.Reason = fmt.Sprintf("lowest mean %s over %d hours of the hour-of-week profile", p.Metric, hours)
	if avoided != "" {
		w.Reason += ", " + avoided
	}
	return w, ok, nil
}

// quietestWindow returns the start hour and mean of the hours-long window
// with the lowest mean of p among the starts ok accepts and whose hours all
// have data; -1 when there is none.
func quietestWindow(p Profile, hours int, ok func(start int) bool) (int, float64) {
	best, bestMean := -1, math.Inf(1)
	for s := 0; s < HoursPerWeek; s++ {
		if !ok(s) {
			continue
		}
		sum, full := 0.0, true
		for k := 0; k < hours; k++ {
			v := p.Mean[(s+k)%HoursPerWeek]
			if v != v {
				full = false
				break
			}
			sum += v
		}
		if full && sum/float64(hours) < bestMean {
			best, bestMean = s, sum/float64(hours)
		}
	}
	return best, bestMean
}

// Traffic summarises how busy a cluster is, for PhaseOrder. Means are over
// the lookback; NaN when not measured.
type Traffic struct {
	Cluster            string  // cluster name, unique within a PhaseOrder call
	BusyVCPU           float64 // mean CPU% × vCPU / 100 of the projected single node
	IOPS               float64 // mean read + write IOPS
	Connections        float64 // mean connections
	NetworkBytesPerSec float64 // mean receive + transmit
}

// trafficOf summarises a cluster's load; network is the sum of the nodes'
// mean receive and transmit throughput (NaN when not measured).
func trafficOf(name string, pr Projection, c InstanceClass, nodes []NodeAnalysis) Traffic {
	net, seen := 0.0, false
	for _, n := range nodes {
		for _, m := range []string{MetricNetworkReceive, MetricNetworkTransmit} {
			if s, ok := n.Summary(m); ok && s.Count > 0 {
				net += s.Mean
				seen = true
			}
		}
	}
	if !seen {
		net = math.NaN()
	}
	return Traffic{Cluster: name, BusyVCPU: pr.CPU.Mean * c.VCPU / 100, IOPS: pr.IOPS.Mean,
		Connections: pr.Connections.Mean, NetworkBytesPerSec: net}
}

// PhaseOrder orders clusters for a phased migration, lower traffic first.
// Each cluster is ranked on each of BusyVCPU, IOPS, Connections and
// NetworkBytesPerSec (ties share the average rank; NaN ranks as busiest),
// and clusters are sorted by the sum of their ranks, then by name. The input
// is not modified. Duplicate or empty cluster names are an error.
func PhaseOrder(ts []Traffic) ([]string, error) {
	seen := map[string]bool{}
	for i, t := range ts {
		if t.Cluster == "" {
			return nil, errorf("phase order: cluster %d has no name", i)
		}
		if seen[t.Cluster] {
			return nil, errorf("phase order: cluster %q listed twice", t.Cluster)
		}
		seen[t.Cluster] = true
	}
	score := make([]float64, len(ts))
	keys := []func(Traffic) float64{
		func(t Traffic) float64 { return t.BusyVCPU },
		func(t Traffic) float64 { return t.IOPS },
		func(t Traffic) float64 { return t.Connections },
		func(t Traffic) float64 { return t.NetworkBytesPerSec },
	}
	for _, key := range keys {
		v := make([]float64, len(ts))
		for i, t := range ts {
			v[i] = key(t)
			if v[i] != v[i] {
				v[i] = math.Inf(1)
			}
		}
		for i := range ts {
			less, equal := 0, 0
			for j := range ts {
				switch {
				case v[j] < v[i]:
					less++
				case v[j] == v[i]:
					equal++
				}
			}
			score[i] += float64(less) + float64(float64(equal+1)/2)
		}
	}
	idx := make([]int, len(ts))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if score[a] != score[b] {
			if score[a] < score[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(ts[a].Cluster, ts[b].Cluster)
	})
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = ts[i].Cluster
	}
	return out, nil
}

// AlarmSpec is a CloudWatch alarm, spelled as aws_cloudwatch_metric_alarm
// and PutMetricAlarm expect; every field but Unit is an argument of theirs.
type AlarmSpec struct {
	Name       string // alarm name
	Namespace  string // "AWS/RDS"
	MetricName string // CloudWatch metric, e.g. "CPUUtilization"
	// Dimensions, e.g. {"DBInstanceIdentifier": "sso-prod"}, or on Aurora
	// {"DBClusterIdentifier": "sso-prod", "Role": "WRITER"}.
	Dimensions map[string]string
	Statistic  string // "Average", "Maximum" or "Minimum"
	// PeriodSeconds: 60 for 1-minute data (Enhanced/detailed), else 300.
	PeriodSeconds      int
	EvaluationPeriods  int     // periods evaluated
	DatapointsToAlarm  int     // breaching periods needed (all of them)
	ComparisonOperator string  // "GreaterThanThreshold" or "LessThanThreshold"
	Threshold          float64 // in Unit
	// Unit is the unit RDS documents for the metric (Percent, Bytes, Count,
	// Count/Second; Count for the CPU credit metrics, documented in credits,
	// vCPU-minutes: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html):
	// what Threshold is measured in, for people reading the spec. Do not
	// pass it to PutMetricAlarm (aws_cloudwatch_metric_alarm's unit):
	// CloudWatch recommends omitting it there, since a unit the metric is
	// not published with leaves the alarm in INSUFFICIENT_DATA, while
	// without one the alarm evaluates the metric's only published unit
	// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
	Unit string
	// TreatMissingData is "missing" (no data: the alarm keeps its state), or "breaching" for the
	// availability alarm, whose point is the silence of a node that is down.
	TreatMissingData string
	Description      string // how the threshold was derived
	// Severity is "critical", or "warning" for what costs money rather than service (surplus CPU
	// credits charged): the Prometheus rules' severity label.
	Severity string
}

// TriggerInput is what RollbackTriggers derives thresholds from.
type TriggerInput struct {
	Instance string // DB instance identifier of the single node
	// AuroraCluster is the Aurora DB cluster identifier of the single node
	// (empty for an RDS instance): alarms on metrics Aurora publishes by role
	// (AuroraRoleMetric) then watch {DBClusterIdentifier, Role=WRITER},
	// which follows the writer across a failover; the others watch Instance.
	AuroraCluster string
	Class         InstanceClass // its class after the change
	// Projection of the single-node baseline (Analyze's). CPU is expressed
	// in percent of Projection.Class and rescaled to Class.
	Projection Projection
	// ReadIOPSP99 and WriteIOPSP99 baselines (0 or NaN: derived from the
	// projected total IOPS). ReadIOPSP99 is the p99 of the reads the
	// single node serves: Analyze takes the writer's ReadIOPS plus, on
	// Aurora, the readers', summed at each timestamp (as the projected
	// IOPS), not the sum of the nodes' p99s, which overstates it when
	// their peaks do not coincide. WriteIOPSP99 is the writer's.
	ReadIOPSP99, WriteIOPSP99 float64
	MaxConnections            int           // max_connections, 0 if unknown
	ReservedConnections       int           // slots of it clients cannot take (PostgresFacts.ReservedConnections), 0 if unknown
	Period                    time.Duration // data period; 1 minute → 60 s alarms, up to 5 minutes 300 s, else its own
	// CPUCredits is the single node's simulated credit account on Class
	// (Recommendation.CPUCredits); nil for a fixed-performance class.
	CPUCredits *CPUCredits
}

// RollbackTriggers derives rollback alarms from the projected baseline:
//   - CPUUtilization Average > clamp(p99 × RollbackFactor, AlertThreshold,
//     RollbackCPUCap);
//   - FreeableMemory Average < max(RAM − used p99 × factor, 5% of RAM),
//     rounded to a whole MiB (as is FreeLocalStorage's). On Aurora
//     (Projection.Topology), FreeableMemory never counts the buffer cache
//     free (Projection.MemoryUsed), so RAM − used × factor would count the
//     cache's growth by the factor, which cannot happen, and sat at the 5%
//     floor on every class; the threshold is instead what Class's buffer
//     cache leaves (RAM − its shared_buffers, Projection.bufferCacheBytes) less the baseline's
//     memory in use outside the cache (p99) × factor, and at least 5% of
//     RAM below that baseline, since a quiet node's use outside the cache
//     is well under a GiB and half of it is ordinary variation (as the
//     connections alarm fires at least 5 above its baseline): max(room −
//     max(use × factor, use + 5% of RAM), 5% of RAM);
//   - DatabaseConnections Maximum > ceil(max(max × factor, max + 5)), at
//     most 90% of the slots clients can take when max_connections is known
//     (max_connections less ReservedConnections: PostgreSQL refuses ordinary
//     roles past them), but always above the baseline max (floor(max) + 1
//     when 90% of those slots is not):
//     the alarm must not fire on the load it was derived from (the
//     description says which applied);
//   - ReadIOPS / WriteIOPS Average > p99 × factor (at least 100), at most
//     floor(90% of the baseline IOPS) when known (the class's, or its
//     volume's when lower: InstanceClass.BaselineIOPS; the storage delivers
//     no more than the baseline, reads and writes together, so an alarm
//     above it could never fire), but always above the baseline p99
//     (floor(p99) + 1 when that cap is not);
//   - DiskQueueDepth Average > max(p99 × factor, 4);
//   - FreeLocalStorage Minimum < min(HeadroomPercent of local storage,
//     max(local storage − projected use max × factor, 5% of it)), on Aurora
//     when the class's local storage is known (Projection.LocalStorageUsed):
//     it fires when the node runs short, not on a temporary file the
//     baseline never wrote (a baseline of logs alone is a few percent);
//   - on a burstable class (CPUCredits), CPUCreditBalance Minimum <
//     min(HeadroomPercent of the 24-hour credit limit, half the projected
//     lowest balance; at least 1 credit), when the projected balance never runs out, over
//     300 s × 3 (the credit metrics are published every 5 minutes); and
//     CPUSurplusCreditsCharged Sum > 0 over 3600 s × 1 (surplus is charged
//     at the end of an hour), when the projection pays for none, of severity
//     "warning" (a cost, not an outage);
//   - availability, last and only with another alarm: CPUUtilization
//     SampleCount < 1 in 3 of 5 periods of 60 s (a datapoint that arrives late
//     does not fire it), missing data breaching, named
//     rightsize-availability-<instance> (isAvailability): a node that
//     is down (a reboot, a host replacement, a crash: on one node nothing
//     fails over) publishes nothing, which leaves every other alarm in
//     INSUFFICIENT_DATA; RDS publishes CPUUtilization every minute.
//
// Descriptions open with what to do: "Roll back if" on Aurora (the reader takes its work back),
// "Resize the instance (…) if" on RDS, whose standby served nothing.
//
// Alarms watch DBInstanceIdentifier Instance, except on Aurora
// (AuroraCluster set), where those on metrics published by role
// (AuroraRoleMetric) watch the cluster's WRITER role.
//
// Alarms use 60 s periods × 5 evaluations (5 minutes) for 1-minute data,
// 300 s × 3 (15 minutes) for data of up to 5 minutes, and for coarser data
// periods of the data's length (rounded up to a minute, at most 86400 s),
// as many as make 15 minutes (at least one: 600 s × 2, 3600 s × 1), since
// thresholds from means over longer periods than the alarm's would fire on
// the baseline's own shorter bursts; all evaluated periods must breach.
// Metrics with no baseline are omitted. Order is fixed as listed. Zero fields
// of p take DefaultPolicy's values; a policy Validate refuses (a NaN or
// negative RollbackFactor, say, which would give NaN thresholds or a memory
// alarm always breaching) gives no alarms (nil).
func RollbackTriggers(in TriggerInput, p Policy) []AlarmSpec {
	p = p.withDefaults()
	if p.Validate() != nil {
		return nil
	}
	pr := in.Projection
	f := p.RollbackFactor
	period, evals := 300, 3
	switch {
	case in.Period > 0 && in.Period <= time.Minute:
		period, evals = 60, 5
	case in.Period > 5*time.Minute:
		// The thresholds are from means over the data's periods, which average away a burst
		// shorter than one: evaluated on 5-minute periods, the alarm would fire on the load it was
		// derived from. It evaluates periods of the data's length (a whole number of minutes, at
		// most a day), at least 15 minutes in all as 300 s × 3 (CloudWatch allows up to a day of
		// periods shorter than an hour, and a day of hourly ones is well within its seven).
		period = min(int(math.Ceil(in.Period.Minutes()))*60, 86400)
		evals = max(1, int(math.Ceil(900/float64(period))))
	}
	c := in.Class
	if !(c.VCPU > 0) {
		c = pr.Class
	}
	dims := func(metric string) map[string]string {
		if in.AuroraCluster != "" && AuroraRoleMetric(metric) {
			return map[string]string{"DBClusterIdentifier": in.AuroraCluster, "Role": "WRITER"}
		}
		return map[string]string{"DBInstanceIdentifier": in.Instance}
	}
	var out []AlarmSpec
	addEvery := func(period, evals int, metric, stat, cmp, unit string, thr float64, desc string) {
		out = append(out, AlarmSpec{
			Name: fmt.Sprintf("rightsize-rollback-%s-%s", in.Instance, metric), Namespace: "AWS/RDS",
			MetricName: metric, Dimensions: dims(metric), Statistic: stat, PeriodSeconds: period,
			EvaluationPeriods: evals, DatapointsToAlarm: evals, ComparisonOperator: cmp,
			Threshold: thr, Unit: unit, TreatMissingData: "missing", Description: desc, Severity: "critical",
		})
	}
	add := func(metric, stat, cmp, unit string, thr float64, desc string) {
		addEvery(period, evals, metric, stat, cmp, unit, thr, desc)
	}
	if v := pr.CPU.P99; v == v && c.VCPU > 0 {
		base := v * pr.Class.VCPU / c.VCPU
		thr := round(clamp(base*f, p.AlertThresholdPercent, p.RollbackCPUCapPercent), 1)
		add(MetricCPU, "Average", "GreaterThanThreshold", "Percent", thr,
			fmt.Sprintf("Roll back if CPU stays above %.1f%% (baseline p99 %.1f%% × %.2f, within %.0f–%.0f%%)", thr, base, f, p.AlertThresholdPercent, p.RollbackCPUCapPercent))
	}
	if v := pr.MemoryUsed.P99; v == v && c.MemoryGiB > 0 {
		ram := c.MemoryBytes()
		thr := roundMiB(math.Max(ram-float64(v*f), 0.05*ram))
		desc := fmt.Sprintf("Roll back if freeable memory stays below %.2f GiB (RAM %.0f GiB − baseline used p99 %.2f GiB × %.2f, at least 5%% of RAM)", thr/(1<<30), c.MemoryGiB, v/(1<<30), f)
		if pr.Topology == TopologyAurora {
			const g = 1 << 30
			use, room := pr.memoryJudged(v), pr.memoryRoom(c)
			thr = roundMiB(math.Max(room-math.Max(float64(use*f), use+float64(0.05*ram)), 0.05*ram))
			desc = fmt.Sprintf("Roll back if freeable memory stays below %.2f GiB: on Aurora FreeableMemory never counts the %.2f GiB buffer cache free, so this is the %.2f GiB it leaves of RAM %.0f GiB "+
				"− max(baseline in use outside the cache p99 %.2f GiB × %.2f, + 5%% of RAM), at least 5%% of RAM",
				thr/g, pr.bufferCacheBytes(c)/g, room/g, c.MemoryGiB, use/g, f)
		}
		add(MetricFreeableMemory, "Average", "LessThanThreshold", "Bytes", thr, desc)
	}
	if v := pr.Connections.Max; v == v {
		raw := math.Max(v*f, v+5)
		thr := math.Ceil(raw)
		num := func(x float64) string { return strconv.FormatFloat(round(x, 1), 'f', -1, 64) }
		how := fmt.Sprintf("baseline max %s × %.2f", num(v), f)
		if v*f < v+5 {
			how = fmt.Sprintf("baseline max %s + 5", num(v))
		}
		// The cap is 90% of the slots clients can take: past max_connections less the reserved
		// slots, PostgreSQL refuses ordinary roles.
		slots := clientSlotsOf(in.MaxConnections, in.ReservedConnections)
		of := slotsOf(slots, in.MaxConnections, fmt.Sprintf("max_connections %d", in.MaxConnections))
		switch capped, above := math.Floor(0.9*float64(slots)), math.Floor(v)+1; {
		case in.MaxConnections > 0 && capped < thr && capped < above:
			// 90% of the slots is at or below the baseline max: capping there would fire on
			// normal load, so the alarm fires on anything above the baseline instead.
			how = fmt.Sprintf("%s = %s; 90%% of %s is %s, not above the baseline max, so just above that",
				how, num(raw), of, num(capped))
			thr = above
		case in.MaxConnections > 0 && capped < thr:
			how = fmt.Sprintf("%s = %s, capped at 90%% of %s", how, num(raw), of)
			thr = capped
		case num(raw) != num(thr):
			how = fmt.Sprintf("%s = %s, rounded up", how, num(raw))
		}
		add(MetricConnections, "Maximum", "GreaterThanThreshold", "Count", thr,
			fmt.Sprintf("Roll back if connections exceed %.0f (%s)", thr, how))
	}
	rd, wr := in.ReadIOPSP99, in.WriteIOPSP99
	if !(rd > 0) && !(wr > 0) {
		rd, wr = pr.IOPS.P99, pr.IOPS.P99
	}
	for _, x := range []struct {
		metric string
		v      float64
	}{{MetricReadIOPS, rd}, {MetricWriteIOPS, wr}} {
		if !(x.v >= 0) || math.IsInf(x.v, 1) {
			continue // no baseline (an infinite one is none either)
		}
		thr := math.Ceil(math.Max(x.v*f, 100))
		how := fmt.Sprintf("baseline p99 %.0f × %.2f", x.v, f)
		if x.v*f < 100 {
			how += ", at least 100"
		}
		// The cap is 90% of the baseline, not the baseline itself: the volume (or the class) delivers
		// at most that many IOPS, reads and writes together, so an alarm above it could never fire.
		if capped := math.Floor(0.9 * c.BaselineIOPS); c.BaselineIOPS > 0 && capped < thr {
			thr = capped
			how += fmt.Sprintf(", at most 90%% of the %.0f baseline IOPS of %s", c.BaselineIOPS, c.iopsBasis())
			if thr <= x.v { // it must not fire on the load it was derived from
				thr = math.Floor(x.v) + 1
				how += ", not above the baseline p99, so just above that"
			}
		}
		add(x.metric, "Average", "GreaterThanThreshold", "Count/Second", thr,
			fmt.Sprintf("Roll back if %s stays above %.0f (%s)", x.metric, thr, how))
	}
	if dq := pr.DiskQueueDepth; dq.Count > 0 {
		thr := round(math.Max(dq.P99*f, 4), 2)
		add(MetricDiskQueueDepth, "Average", "GreaterThanThreshold", "Count", thr,
			fmt.Sprintf("Roll back if disk queue depth stays above %.2f (baseline p99 %.2f × %.2f, at least 4)", thr, dq.P99, f))
	}
	if used := pr.LocalStorageUsed; used.Count > 0 && c.LocalStorageGiB > 0 {
		capB := c.LocalStorageBytes()
		thr := roundMiB(math.Min(capB*p.HeadroomPercent/100, math.Max(capB-float64(used.Max*f), 0.05*capB)))
		add(MetricFreeLocalStorage, "Minimum", "LessThanThreshold", "Bytes", thr,
			fmt.Sprintf("Roll back if free local storage stays below %.2f GiB (%.0f%% of the %.4g GiB local storage, or less: local storage − projected use max %.2f GiB × %.2f, at least 5%%)",
				thr/(1<<30), p.HeadroomPercent, c.LocalStorageGiB, used.Max/(1<<30), f))
	}
	if cr := in.CPUCredits; cr != nil && cr.MaxBalance > 0 {
		if thr := math.Round(math.Min(cr.MaxBalance*p.HeadroomPercent/100, cr.MinBalance/2)); cr.DepletedHours == 0 && thr >= 1 {
			addEvery(300, 3, MetricCPUCreditBalance, "Minimum", "LessThanThreshold", "Count", thr,
				fmt.Sprintf("Roll back if the CPU credit balance stays below %.0f credits (%.0f%% of the %.0f-credit limit of %s, or half the projected lowest balance %.0f)",
					thr, p.HeadroomPercent, cr.MaxBalance, cr.Class, cr.MinBalance))
		}
		if cr.SurplusChargedVCPUHours == 0 {
			addEvery(3600, 1, MetricCPUSurplusCreditsCharged, "Sum", "GreaterThanThreshold", "Count", 0,
				fmt.Sprintf("Cost: %s pays for surplus CPU credits, which the projected load never did: move to a fixed-performance class if it goes on", cr.Class))
			out[len(out)-1].Severity = "warning"
		}
	}
	if len(out) == 0 {
		return out // no baseline, no alarms
	}
	if in.AuroraCluster == "" {
		// On RDS the standby served nothing: load beyond the baseline asks for a larger class;
		// putting the standby back restores failover, not capacity.
		for i := range out {
			if rest, ok := strings.CutPrefix(out[i].Description, "Roll back if "); ok {
				out[i].Description = multiAZActionPrefix + rest
			}
		}
	}
	out = append(out, AlarmSpec{
		Name: fmt.Sprintf("rightsize-availability-%s", in.Instance), Namespace: "AWS/RDS",
		MetricName: MetricCPU, Dimensions: dims(MetricCPU), Statistic: "SampleCount", PeriodSeconds: 60,
		EvaluationPeriods: 5, DatapointsToAlarm: 3, ComparisonOperator: "LessThanThreshold", Threshold: 1, Unit: "Count",
		TreatMissingData: "breaching", Severity: "critical",
		Description: "The node publishes no CPUUtilization in 3 of the last 5 minutes (3 of 5, so that a datapoint CloudWatch receives late does not fire it): " +
			"it is down (a reboot, a host replacement or a crash; on one node nothing fails over), which leaves every other alarm without data; planned maintenance and reboots fire it too",
	})
	return out
}

// silentRuleSummary describes the RightsizeNodeSilent Prometheus rule (absent_over_time of the
// node's CPU series over 10 minutes), whose semantics differ from the CloudWatch availability
// alarm's 3 of 5 one-minute SampleCount datapoints.
const silentRuleSummary = "The node's CPUUtilization series has had no sample for the last 10 minutes " +
	"(longer than the exporter's scrape interval and CloudWatch's delay leave it absent): the node is down " +
	"(a reboot, a host replacement or a crash; on one node nothing fails over), or the exporter no longer reads it, " +
	"which leaves every other rule without data; planned maintenance and reboots fire it too"

// multiAZActionPrefix opens the description of an RDS instance's threshold alarm, in place of
// "Roll back if ": its standby served nothing, so the answer to load is a larger class.
const multiAZActionPrefix = "Resize the instance (putting the standby back restores failover, not capacity) if "

// isAvailability reports whether a is RollbackTriggers' availability alarm (a node that
// publishes nothing), rather than one of a metric's threshold.
func (a AlarmSpec) isAvailability() bool { return a.TreatMissingData == "breaching" }

// roundMiB rounds a byte threshold to a whole MiB: finer than the GiB with two decimals its
// description shows, and coarse enough that a baseline read again a little later, which
// differs in its last digits, leaves an alarm built on it unchanged.
func roundMiB(bytes float64) float64 { return math.Round(bytes/(1<<20)) * (1 << 20) }

// PrometheusRules renders alarms as a Prometheus alerting-rules file (YAML),
// for metrics exported by prometheus/cloudwatch_exporter: the series name is
// aws_rds_<metric in snake_case>_<statistic>, e.g.
// aws_rds_cpuutilization_average, with the dimensions as labels
// (dbinstance_identifier; on Aurora dbcluster_identifier and role). "for" is period × evaluation periods. The output
// is deterministic; an empty alarm list gives a file with an empty rule list.
// The file opens with a comment: the exporter must run with
// set_timestamp: false (see exporterNote).
func PrometheusRules(cluster string, alarms []AlarmSpec) string {
	var b strings.Builder
	b.WriteString(exporterNote)
	b.WriteString("groups:\n")
	fmt.Fprintf(&b, "  - name: %s\n", yamlQuote("rightsize-rollback-"+cluster))
	if len(alarms) == 0 {
		b.WriteString("    rules: []\n")
		return b.String()
	}
	b.WriteString("    rules:\n")
	for _, a := range alarms {
		op := ">"
		if a.ComparisonOperator == "LessThanThreshold" {
			op = "<"
		}
		metric := "aws_" + snake(strings.TrimPrefix(a.Namespace, "AWS/")) + "_" + snake(a.MetricName) + "_" + strings.ToLower(a.Statistic)
		var labels []string
		keys := make([]string, 0, len(a.Dimensions))
		for k := range a.Dimensions {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			labels = append(labels, fmt.Sprintf("%s=%s", snake(k), strconv.Quote(a.Dimensions[k])))
		}
		expr := fmt.Sprintf("%s{%s} %s %s", metric, strings.Join(labels, ","), op, strconv.FormatFloat(a.Threshold, 'f', -1, 64))
		forMin := max(1, a.PeriodSeconds*a.EvaluationPeriods/60)
		if a.Statistic == "Sum" {
			// A Sum over one period is one datapoint: CloudWatch alarms on it at once, while the
			// exporter's gauge holds it only until the next scrape, so waiting would never fire.
			forMin = 0
		}
		alert := "RightsizeRollback" + a.MetricName
		if a.isAvailability() {
			// The node's silence: the CPU series the CPU rule reads (…_average) absent for 10
			// minutes, more than the exporter's scrape and CloudWatch's delay leave it absent.
			alert = "RightsizeNodeSilent"
			expr = fmt.Sprintf("absent_over_time(%s{%s}[10m])", strings.TrimSuffix(metric, "_samplecount")+"_average", strings.Join(labels, ","))
			forMin = 0
		}
		severity := a.Severity
		if severity == "" {
			severity = "critical"
		}
		fmt.Fprintf(&b, "      - alert: %s\n", yamlQuote(alert))
		fmt.Fprintf(&b, "        expr: %s\n", yamlQuote(expr))
		fmt.Fprintf(&b, "        for: %dm\n", forMin)
		b.WriteString("        labels:\n")
		fmt.Fprintf(&b, "          severity: %s\n", severity)
		fmt.Fprintf(&b, "          cluster: %s\n", yamlQuote(cluster))
		b.WriteString("        annotations:\n")
		summary := a.Description
		if a.isAvailability() {
			// The rule is not the CloudWatch alarm: it fires when the series is absent for 10
			// minutes, not on 3 of 5 minutes without a datapoint.
			summary = silentRuleSummary
		}
		fmt.Fprintf(&b, "          summary: %s\n", yamlQuote(summary))
	}
	return b.String()
}

// exporterNote opens PrometheusRules' file. By default cloudwatch_exporter stamps each sample
// with its CloudWatch time, delay_seconds (600 s by default) in the past: older than Prometheus'
// 5-minute lookback, so an alerting rule never sees a value (prometheus/cloudwatch_exporter#483).
const exporterNote = `# Rollback alerts for prometheus/cloudwatch_exporter. Run the exporter with
# set_timestamp: false (with its default, true, each sample is stamped delay_seconds
# (600 s) in the past, outside Prometheus' 5-minute lookback, and these rules never
# see a value); a delay_seconds below 600 s alerts sooner, on values CloudWatch
# may still revise. Export each metric with the dimensions its rules' labels name
# (aws_dimensions: [DBInstanceIdentifier], or [DBClusterIdentifier, Role] for the
# metrics an Aurora cluster's rules watch by role).
`

// yamlQuote writes s as a YAML double-quoted scalar. Characters YAML does not allow unescaped in
// a stream (C0 and C1 controls, DEL, U+FEFF, U+FFFE, U+FFFF) and those it reads as line breaks
// (U+0085, U+2028, U+2029), which a double-quoted scalar folds into a space, are escaped, so the
// value reads back as written; a byte that is not UTF-8 becomes U+FFFD.
func yamlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r >= 0x7f && r <= 0x9f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// snake converts CamelCase to snake_case the way cloudwatch_exporter does:
// an underscore before an upper-case letter that follows a lower-case letter
// or digit, everything lower-cased ("ReadIOPS" → "read_iops",
// "CPUUtilization" → "cpuutilization").
func snake(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if i > 0 && r >= 'A' && r <= 'Z' {
			p := rs[i-1]
			if (p >= 'a' && p <= 'z') || (p >= '0' && p <= '9') {
				b.WriteByte('_')
			}
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			r = '_'
		}
		b.WriteRune(r)
	}
	return b.String()
}

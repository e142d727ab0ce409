package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func reason(rec Recommendation, check string) (Reason, bool) {
	for _, r := range rec.Reasons {
		if r.Check == check {
			return r, true
		}
	}
	return Reason{}, false
}

func TestAnalyzeIdleMultiAZConsolidates(t *testing.T) {
	in := idleMultiAZ(14)
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictConsolidate || !rec.SingleNodeSufficient {
		t.Fatalf("verdict %s, want consolidate; reasons %+v", rec.Verdict, rec.Reasons)
	}
	for _, r := range rec.Reasons {
		if !r.Passed {
			t.Errorf("failed check in a consolidate verdict: %+v", r)
		}
	}
	cpu, ok := reason(rec, "cpu_p99_with_headroom")
	if !ok || cpu.Limit != 40 || cpu.Value > 10 {
		t.Errorf("cpu reason %+v", cpu)
	}
	if rec.Confidence <= 0.5 || rec.Confidence > 1 {
		t.Errorf("confidence %v", rec.Confidence)
	}
	// Multi-AZ m6g.large $0.318/h → Single-AZ $0.159/h: 730 h × 0.159 saved.
	c := rec.Cost
	if !c.Known || c.CurrentMonthlyUSD != 232.14 || c.ProposedMonthlyUSD != 116.07 || c.MonthlySavingsUSD != 116.07 ||
		c.AnnualSavingsUSD != 1392.84 || !c.TargetMet || c.TargetStatus != "above" {
		t.Errorf("cost %+v", c)
	}
	// Burstable classes are not offered to replace a fixed-performance writer.
	if rec.RecommendedClass != "db.m6g.large" || rec.Options[0].Class.Name != "db.m6g.large" || !rec.Options[0].Fits {
		t.Errorf("recommended %s, options %+v", rec.RecommendedClass, rec.Options)
	}
	for _, o := range rec.Options {
		if o.Class.Burstable && (o.Fits || !slices.Contains(o.Failed, "burstable_class")) {
			t.Errorf("burstable option %+v", o)
		}
	}
	if rec.Parameters["shared_buffers"] != "262144" || rec.Parameters["max_connections"] != "53" {
		t.Errorf("parameters %v", rec.Parameters)
	}
	if !rec.MigrationWindow.Known || rec.MigrationWindow.LengthHours != 2 {
		t.Errorf("window %+v", rec.MigrationWindow)
	}
	// The synthetic daily wave bottoms out at 18:00 UTC; the 2-hour window
	// must start at 17:00 (17:00–19:00 straddles the trough).
	if rec.MigrationWindow.StartHourUTC != 17 {
		t.Errorf("window %+v, want start 17:00", rec.MigrationWindow)
	}
	if len(rec.RollbackTriggers) != 6 || rec.RollbackTriggers[0].MetricName != MetricCPU {
		t.Errorf("triggers %+v", rec.RollbackTriggers)
	}
	var risksText []string
	for _, r := range rec.Risks {
		risksText = append(risksText, r.Category)
	}
	for _, want := range []string{"redundancy", "backup", "high-traffic"} {
		if !slices.Contains(risksText, want) {
			t.Errorf("risks %v lack %s", risksText, want)
		}
	}
	if len(rec.Matrix.Rows) != 4 || rec.Matrix.Total < 5 {
		t.Errorf("matrix %+v", rec.Matrix)
	}
	for _, k := range []string{"cpu.svg", "memory.svg", "iops.svg", "heatmap.svg"} {
		if !strings.HasPrefix(rec.Charts[k], "<svg") {
			t.Errorf("chart %s missing", k)
		}
	}
	if rec.Pattern.Pattern != PatternDailyCycle {
		t.Errorf("pattern %s", rec.Pattern.Pattern)
	}
}

func TestAnalyzeAuroraCoincidingPeaksKeep(t *testing.T) {
	in := auroraPair(14) // the reader peaks with the writer
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictKeep {
		t.Fatalf("verdict %s, want keep; reasons %+v", rec.Verdict, rec.Reasons)
	}
	// At the writer's peak hour the reader serves 1200 of 2000 read IOPS (60%).
	w, _ := rec.Nodes[0].Summary(MetricReadIOPS)
	r, _ := rec.Nodes[1].Summary(MetricReadIOPS)
	if share := r.Max / (r.Max + w.Max); share < 0.58 || share > 0.62 {
		t.Fatalf("fixture: reader share of reads at peak %.2f, want 0.60", share)
	}
	cpu, ok := reason(rec, "cpu_p99_with_headroom")
	if !ok || cpu.Passed || !strings.Contains(cpu.Message, "CPU") {
		t.Fatalf("cpu reason %+v", cpu)
	}
	// Writer ~30% + reader ~30% at the same minutes → ~60% on the writer.
	if p99 := rec.Projection.CPU.P99; p99 < 55 || p99 > 66 {
		t.Errorf("projected CPU p99 %.1f, want about 60", p99)
	}
	if rec.SingleNodeSufficient {
		t.Error("single node sufficient on keep")
	}
	// Busy weekday afternoons, quiet weekends: a weekly cycle.
	if rec.Pattern.Pattern != PatternWeeklyCycle || rec.Nodes[0].CPUPattern.Pattern != PatternWeeklyCycle {
		t.Errorf("patterns %s / %s, want weekly-cycle", rec.Pattern.Pattern, rec.Nodes[0].CPUPattern.Pattern)
	}
	// The quietest 2 hours are on the weekend, outside the weekday peaks.
	if w := rec.MigrationWindow; !w.Known || (w.Weekday != "Saturday" && w.Weekday != "Sunday") {
		t.Errorf("window %+v", w)
	}
}

func TestAnalyzeAuroraAlignsByTimestamp(t *testing.T) {
	coinciding, err := Analyze(auroraPair(14), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	apart, err := Analyze(auroraPair(2), Policy{}) // the reader peaks at night
	if err != nil {
		t.Fatal(err)
	}
	// The node p99s are the same in both cases; only the alignment differs.
	wp := func(rec Recommendation, i int) float64 { s, _ := rec.Nodes[i].Summary(MetricCPU); return s.P99 }
	if math.Abs(wp(coinciding, 1)-wp(apart, 1)) > 1 {
		t.Fatalf("fixture: reader p99 differ %v %v", wp(coinciding, 1), wp(apart, 1))
	}
	sumP99 := wp(apart, 0) + wp(apart, 1)
	if got := apart.Projection.CPU.P99; got > sumP99-15 {
		t.Errorf("non-coinciding peaks added up: projected p99 %.1f vs sum of p99s %.1f", got, sumP99)
	}
	if got := coinciding.Projection.CPU.P99; got < sumP99-5 {
		t.Errorf("coinciding peaks did not add up: projected p99 %.1f vs sum %.1f", got, sumP99)
	}
	if a, c := apart.Projection.CPU.P99, coinciding.Projection.CPU.P99; a > c-15 {
		t.Errorf("apart p99 %.1f not well below coinciding %.1f", a, c)
	}
	// Aurora r6g.large pair $0.52/h → one r6g.large $0.26/h.
	if apart.Cost.MonthlySavingsUSD != 189.8 {
		t.Errorf("aurora savings %+v", apart.Cost)
	}
}

func TestAnalyzeThreeDaysInsufficient(t *testing.T) {
	rec, err := Analyze(idleMultiAZ(3), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictInsufficient || rec.SingleNodeSufficient {
		t.Fatalf("verdict %s", rec.Verdict)
	}
	lb, ok := reason(rec, "lookback")
	if !ok || lb.Passed || lb.Value != 3 || lb.Limit != 7 {
		t.Errorf("lookback reason %+v", lb)
	}
	if rec.Confidence > 0.5 {
		t.Errorf("confidence %v for 3 days", rec.Confidence)
	}
	if !strings.Contains(rec.ReportMarkdown, "insufficient-data") {
		t.Error("report lacks verdict")
	}
}

func TestAnalyzeMissingAndGappyMetrics(t *testing.T) {
	in := idleMultiAZ(14)
	var kept []Series
	for _, s := range in.Nodes[0].Series {
		switch s.Metric {
		case MetricReadIOPS:
			continue // not collected
		case MetricCPU:
			s = cloneSeries(s)
			s.Timestamps, s.Values = s.Timestamps[:len(s.Values)/2], s.Values[:len(s.Values)/2]
		}
		kept = append(kept, s)
	}
	in.Nodes[0].Series = kept
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictInsufficient {
		t.Fatalf("verdict %s", rec.Verdict)
	}
	var failed []string
	for _, r := range rec.Reasons {
		if !r.Passed {
			failed = append(failed, r.Check+":"+r.Metric)
		}
	}
	if !slices.Equal(failed, []string{"coverage:CPUUtilization", "metric_present:ReadIOPS"}) {
		t.Errorf("failed checks %v", failed)
	}
}

func TestAnalyzeDoesNotMutateAndIsDeterministic(t *testing.T) {
	in := auroraPair(14)
	// Reverse one series (CloudWatch's default TimestampDescending order).
	s := cloneSeries(in.Nodes[1].Series[0])
	slices.Reverse(s.Timestamps)
	slices.Reverse(s.Values)
	in.Nodes[1].Series[0] = s
	snap := make([][]Series, len(in.Nodes))
	for i, n := range in.Nodes {
		for _, s := range n.Series {
			snap[i] = append(snap[i], cloneSeries(s))
		}
	}
	a, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range in.Nodes {
		for j, s := range n.Series {
			if !sameSeries(s, snap[i][j]) {
				t.Fatalf("Analyze modified %s %s", n.ID, s.Metric)
			}
		}
	}
	b, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", a) != fmt.Sprintf("%+v", b) {
		t.Error("two runs differ")
	}
	sorted, err := Analyze(auroraPair(14), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if a.ReportMarkdown != sorted.ReportMarkdown {
		t.Error("reversed input changes the report")
	}
}

func TestAnalyzeInputErrors(t *testing.T) {
	mut := func(f func(*ClusterInput)) ClusterInput {
		in := idleMultiAZ(8)
		f(&in)
		return in
	}
	tests := []struct {
		name string
		in   ClusterInput
		p    Policy
		want string
	}{
		{"bad topology", mut(func(in *ClusterInput) { in.Topology = "galera" }), Policy{}, `topology "galera"`},
		{"no writer", mut(func(in *ClusterInput) { in.Nodes[0].Role = RoleStandby; in.Nodes = in.Nodes[:1] }), Policy{}, "0 writer nodes"},
		{"zero capacity", mut(func(in *ClusterInput) { in.Nodes[0].Class.VCPU = 0 }), Policy{}, "both must be positive"},
		{"reader in multi-az", mut(func(in *ClusterInput) { in.Nodes[1].Role = RoleReader }), Policy{}, "has no readers"},
		{"aurora single node", mut(func(in *ClusterInput) { in.Topology = TopologyAurora; in.Nodes = in.Nodes[:1] }), Policy{}, "nothing to consolidate"},
		{"duplicate node", mut(func(in *ClusterInput) { in.Nodes[1].ID = in.Nodes[0].ID }), Policy{}, "listed twice"},
		{"duplicate metric", mut(func(in *ClusterInput) { in.Nodes[0].Series = append(in.Nodes[0].Series, in.Nodes[0].Series[0]) }), Policy{}, "given twice"},
		{"mismatched series", mut(func(in *ClusterInput) {
			s := cloneSeries(in.Nodes[0].Series[0])
			s.Values = s.Values[:3]
			in.Nodes[0].Series[0] = s
		}), Policy{}, "timestamps but 3 values"},
		{"bad policy", idleMultiAZ(8), Policy{AlertThresholdPercent: 140}, "alert_threshold_percent"},
		{"negative price", mut(func(in *ClusterInput) { in.CurrentHourlyUSD = -1 }), Policy{}, "current hourly price"},
		{"zero-capacity candidate", mut(func(in *ClusterInput) { in.Candidates[0].Class.MemoryGiB = 0 }), Policy{}, "candidate 0"},
		{"periods differ", func() ClusterInput {
			in := auroraPair(14)
			s := cloneSeries(in.Nodes[1].Series[0])
			s.Period = 5 * time.Minute
			in.Nodes[1].Series[0] = s
			return in
		}(), Policy{}, "periods differ"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Analyze(tc.in, tc.p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want mention of %q", err, tc.want)
			}
		})
	}
}

func TestAnalyzePolicyOverrides(t *testing.T) {
	// A strict alert threshold turns the idle instance into keep.
	rec, err := Analyze(idleMultiAZ(14), Policy{AlertThresholdPercent: 5})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictKeep {
		t.Errorf("verdict %s with a 5%% threshold", rec.Verdict)
	}
	// Weights that only value reliability push the score below 5.
	rec, err = Analyze(idleMultiAZ(14), Policy{Weights: DecisionWeights{Reliability: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictKeep || rec.Matrix.Total != 3 {
		t.Errorf("verdict %s score %v", rec.Verdict, rec.Matrix.Total)
	}
	if r, _ := reason(rec, "decision_score"); r.Passed {
		t.Errorf("decision_score %+v", r)
	}
}

func ExampleAnalyze() {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	const days, period = 14, 5 * time.Minute
	gen := func(metric string, f func(i int) float64) Series {
		s := Series{Metric: metric, Period: period, Start: start, End: start.Add(days * 24 * time.Hour)}
		for i := 0; i < days*288; i++ {
			s.Timestamps = append(s.Timestamps, start.Add(time.Duration(i)*period))
			s.Values = append(s.Values, f(i))
		}
		return s
	}
	class := InstanceClass{Name: "db.m6g.large", VCPU: 2, MemoryGiB: 8}
	in := ClusterInput{
		Name: "sso-prod", Topology: TopologyMultiAZ,
		Nodes: []Node{{ID: "sso-prod", Role: RoleWriter, Class: class, Series: []Series{
			gen(MetricCPU, func(i int) float64 { return 5 + float64(i%288)/100 }),
			gen(MetricFreeableMemory, func(int) float64 { return 5 << 30 }),
			gen(MetricConnections, func(int) float64 { return 20 }),
			gen(MetricReadIOPS, func(int) float64 { return 50 }),
			gen(MetricWriteIOPS, func(int) float64 { return 20 }),
		}}},
		CurrentHourlyUSD: 0.318,
		Candidates:       []Candidate{{Class: class, SingleNodeHourlyUSD: 0.159}},
	}
	rec, err := Analyze(in, DefaultPolicy())
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.Verdict, rec.Cost.MonthlySavingsUSD, rec.Cost.TargetStatus)
	r, _ := func() (Reason, bool) {
		for _, r := range rec.Reasons {
			if r.Check == "cpu_p99_with_headroom" {
				return r, true
			}
		}
		return Reason{}, false
	}()
	fmt.Printf("%s %.2f %s %.0f\n", r.Check, r.Value, r.Comparison, r.Limit)
	// Output:
	// consolidate 116.07 above
	// cpu_p99_with_headroom 9.42 <= 40
}

// TestAnalyzeAuroraReaderGaps gives the reader its own, gappy timestamps: the
// projection must align by timestamp and count only instants both nodes have.
func TestAnalyzeAuroraReaderGaps(t *testing.T) {
	in := auroraPair(14)
	reader := in.Nodes[1]
	var gappy []Series
	for _, s := range reader.Series {
		c := Series{Metric: s.Metric, Unit: s.Unit, Period: s.Period, Start: s.Start, End: s.End}
		for i := range s.Values {
			if i%10 != 3 {
				c.Timestamps = append(c.Timestamps, s.Timestamps[i])
				c.Values = append(c.Values, s.Values[i])
			}
		}
		gappy = append(gappy, c)
	}
	in.Nodes[1].Series = gappy
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	// Reference: writer CPU + reader CPU at the instants both have.
	var w, r Series
	for _, s := range in.Nodes[0].Series {
		if s.Metric == MetricCPU {
			w = s
		}
	}
	for _, s := range gappy {
		if s.Metric == MetricCPU {
			r = s
		}
	}
	at := map[int64]float64{}
	for i, ts := range r.Timestamps {
		at[ts.UnixNano()] = r.Values[i]
	}
	var want []float64
	for i, ts := range w.Timestamps {
		if v, ok := at[ts.UnixNano()]; ok {
			want = append(want, w.Values[i]+v)
		}
	}
	got := rec.Projection.CPU
	if got.Count != len(want) || got.Count != len(w.Values)*9/10 {
		t.Fatalf("projected count %d, want %d", got.Count, len(want))
	}
	if p := refQuantile(want, 0.99); got.P99 != p {
		t.Errorf("projected p99 %v, want %v", got.P99, p)
	}
	if got.Coverage > 0.91 || got.Coverage < 0.89 {
		t.Errorf("projected coverage %v", got.Coverage)
	}
}

// TestAnalyzeReaderLagRisk: a reader lagging the writer by more than a second
// at p99 is a risk, whether its lag comes as ReplicaLag (seconds, an RDS read
// replica) or as AuroraReplicaLag (milliseconds, what an Aurora reader
// publishes).
func TestAnalyzeReaderLagRisk(t *testing.T) {
	for _, tc := range []struct {
		metric, unit string
		value        float64
		want         string // the risk's text, or "" for none
	}{
		{MetricAuroraReplicaLag, "Milliseconds", 2500, "lags the writer by 2.5 s at p99"},
		{MetricAuroraReplicaLag, "Milliseconds", 20, ""},
		{MetricReplicaLag, "Seconds", 3, "lags the writer by 3.0 s at p99"},
		{MetricReplicaLag, "Seconds", 0.02, ""},
	} {
		in := auroraPair(14)
		reader := &in.Nodes[1]
		reader.Series = slices.Clone(reader.Series)
		found := false
		for i, s := range reader.Series {
			if s.Metric == MetricReplicaLag {
				s.Metric, s.Unit = tc.metric, tc.unit
				s.Values = make([]float64, len(s.Values))
				for k := range s.Values {
					s.Values[k] = tc.value
				}
				reader.Series[i], found = s, true
			}
		}
		if !found {
			t.Fatal("the Aurora pair's reader has no ReplicaLag series to replace")
		}
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		var lag []string
		for _, r := range rec.Risks {
			if strings.Contains(r.Description, "lags the writer") {
				lag = append(lag, r.Description)
			}
		}
		switch {
		case tc.want == "" && len(lag) > 0:
			t.Errorf("%s %v %s: unexpected risk %q", tc.metric, tc.value, tc.unit, lag)
		case tc.want != "" && (len(lag) != 1 || !strings.Contains(lag[0], tc.want) || !strings.Contains(lag[0], "mandible-prod-2")):
			t.Errorf("%s %v %s: risks %q, want one naming mandible-prod-2 with %q", tc.metric, tc.value, tc.unit, lag, tc.want)
		}
	}
}

func TestAnalyzeDegenerateInputs(t *testing.T) {
	// A writer without any series: insufficient data, no charts, no panic.
	in := ClusterInput{Name: "empty", Topology: TopologyMultiAZ, Nodes: []Node{{ID: "w", Role: RoleWriter, Class: classM6gLarge}}}
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictInsufficient || len(rec.Charts) != 0 || rec.MigrationWindow.Known || len(rec.RollbackTriggers) != 0 {
		t.Errorf("empty writer: %s charts=%d window=%+v triggers=%d", rec.Verdict, len(rec.Charts), rec.MigrationWindow, len(rec.RollbackTriggers))
	}
	if !strings.Contains(rec.ReportMarkdown, "metric_present") {
		t.Error("report does not name the missing metrics")
	}
	// All-NaN series: coverage 0 → insufficient.
	nanIn := idleMultiAZ(8)
	for i, s := range nanIn.Nodes[0].Series {
		c := cloneSeries(s)
		for j := range c.Values {
			c.Values[j] = math.NaN()
		}
		nanIn.Nodes[0].Series[i] = c
	}
	rec, err = Analyze(nanIn, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictInsufficient || rec.Confidence != 0 {
		t.Errorf("all-NaN: %s confidence %v", rec.Verdict, rec.Confidence)
	}
	// Two readers: both move onto the writer.
	two := auroraPair(2)
	r2 := two.Nodes[1]
	r2.ID = "mandible-prod-3"
	two.Nodes = append(two.Nodes, r2)
	one, err := Analyze(auroraPair(2), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err = Analyze(two, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := rec.Nodes[1].Summary(MetricConnections)
	if got, want := rec.Projection.Connections.Mean, one.Projection.Connections.Mean+r.Mean; math.Abs(got-want) > 1e-6 {
		t.Errorf("two readers: projected connections mean %v, want %v", got, want)
	}
}

// TestAssess: Assess gives Analyze's recommendation without the report and
// charts, field for field.
func TestAssess(t *testing.T) {
	for name, in := range map[string]ClusterInput{
		"aurora":   auroraPair(14),
		"multi-az": idleMultiAZ(28),
		"burst":    burstPair(flat(15), flat(9)),
	} {
		full, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		lean, err := Assess(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if lean.ReportMarkdown != "" || lean.Charts != nil {
			t.Errorf("%s: Assess rendered a report (%d bytes) or charts (%d)", name, len(lean.ReportMarkdown), len(lean.Charts))
		}
		if full.ReportMarkdown == "" || len(full.Charts) == 0 {
			t.Errorf("%s: Analyze rendered no report or charts", name)
		}
		// The credit accounts are compared by value (%+v prints a pointer's address).
		if (full.CPUCredits == nil) != (lean.CPUCredits == nil) || (full.CPUCredits != nil && *full.CPUCredits != *lean.CPUCredits) {
			t.Errorf("%s: credits %+v and %+v differ", name, full.CPUCredits, lean.CPUCredits)
		}
		full.ReportMarkdown, full.Charts, full.CPUCredits, lean.CPUCredits = "", nil, nil, nil
		if a, b := fmt.Sprintf("%+v", full), fmt.Sprintf("%+v", lean); a != b {
			t.Errorf("%s: Assess differs from Analyze:\n%s\n%s", name, a, b)
		}
	}
}

package analysis

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestScheduledWindowOutOfRange: String never panics on a window no Parse function returns (it
// takes the start and end modulo the day or week), and MigrationWindowAvoiding refuses one.
func TestScheduledWindowOutOfRange(t *testing.T) {
	for _, tc := range []struct {
		w    ScheduledWindow
		want string
	}{
		{ScheduledWindow{Start: -1440, Minutes: 30}, "sat:00:00-sat:00:30"},
		{ScheduledWindow{Start: 10080 + 300, Minutes: 30}, "sun:05:00-sun:05:30"},
		{ScheduledWindow{Daily: true, Start: 2000, Minutes: 30}, "09:20-09:50"},
		{ScheduledWindow{Daily: true, Start: -30, Minutes: 30}, "23:30-00:00"},
	} {
		if got := tc.w.String(); got != tc.want {
			t.Errorf("%+v: String() = %q, want %q", tc.w, got, tc.want)
		}
	}
	p := Profile{Mean: make([]float64, HoursPerWeek)}
	for _, bad := range []ScheduledWindow{
		{Start: -1440, Minutes: 30}, {Start: 0, Minutes: 0}, {Start: 0, Minutes: -5}, {Start: 10080, Minutes: 30},
		{Start: 0, Minutes: 10080}, {Daily: true, Start: 1440, Minutes: 30}, {Daily: true, Start: 0, Minutes: 1440},
	} {
		if _, err := MigrationWindowAvoiding(p, 2, bad); err == nil || !strings.Contains(err.Error(), "window to avoid at index 0") {
			t.Errorf("avoid %+v: error %v, want one naming the window to avoid", bad, err)
		}
	}
	good, _ := ParseMaintenanceWindow("sat:23:30-sun:00:30")
	if _, err := MigrationWindowAvoiding(p, 2, good); err != nil {
		t.Errorf("a parsed window refused: %v", err)
	}
}

// TestTuneRefusesBadInput: Tune returns nil, not garbage, for a class or input outside its
// preconditions.
func TestTuneRefusesBadInput(t *testing.T) {
	c := InstanceClass{Name: "db.r6g.large", VCPU: 2, MemoryGiB: 16}
	for name, tc := range map[string]struct {
		c  InstanceClass
		in TuneInput
	}{
		"headroom NaN":      {c, TuneInput{PeakConnections: 100, HeadroomPercent: math.NaN()}},
		"headroom negative": {c, TuneInput{PeakConnections: 100, HeadroomPercent: -150}},
		"headroom +Inf":     {c, TuneInput{PeakConnections: 100, HeadroomPercent: math.Inf(1)}},
		"threshold 500%":    {c, TuneInput{PeakConnections: 100, ConnectionsThresholdPercent: 500}},
		"memory +Inf":       {InstanceClass{VCPU: 2, MemoryGiB: math.Inf(1)}, TuneInput{}},
		"vCPU +Inf":         {InstanceClass{VCPU: math.Inf(1), MemoryGiB: 16}, TuneInput{}},
		"memory NaN":        {InstanceClass{VCPU: 2, MemoryGiB: math.NaN()}, TuneInput{}},
		"zero vCPU":         {InstanceClass{VCPU: 0, MemoryGiB: 16}, TuneInput{}},
	} {
		if got := Tune(tc.c, tc.in); got != nil {
			t.Errorf("%s: Tune = %v, want nil", name, got)
		}
	}
	if got := Tune(c, TuneInput{PeakConnections: math.Inf(1), HeadroomPercent: 20}); got["max_connections"] != "262035" {
		t.Errorf("peak +Inf: max_connections %q, want the engine's limit 262035", got["max_connections"])
	}
}

// TestCostBadInput: a price that is not finite is unknown, and a target that is not a valid range
// is compared with nothing.
func TestCostBadInput(t *testing.T) {
	if c := Cost(math.Inf(1), math.Inf(1), "x", SavingsTarget{}); c.Known || c.CurrentMonthlyUSD != 0 {
		t.Errorf("Cost(+Inf, +Inf) = %+v, want unknown", c)
	}
	if c := Cost(math.NaN(), 0.5, "x", SavingsTarget{}); c.Known {
		t.Errorf("Cost(NaN, 0.5) = %+v, want unknown", c)
	}
	for _, target := range []SavingsTarget{{MinMonthlyUSD: math.NaN(), MaxMonthlyUSD: 100}, {MinMonthlyUSD: 500, MaxMonthlyUSD: 100},
		{MinMonthlyUSD: -5, MaxMonthlyUSD: 100}, {MinMonthlyUSD: 50, MaxMonthlyUSD: math.Inf(1)}} {
		c := Cost(1, 0.5, "x", target)
		if !c.Known || c.MonthlySavingsUSD != 365 || c.TargetStatus != "unknown" || c.TargetMet {
			t.Errorf("target %+v: %+v, want savings 365 compared with nothing", target, c)
		}
	}
	if c := Cost(1, 0.5, "x", AnySavingsTarget()); c.TargetStatus != "above" || !c.TargetMet {
		t.Errorf("AnySavingsTarget: %+v", c)
	}
}

// TestAnalyzeRefusesBadInput: Analyze returns an error naming the field for input no caller
// can mean, instead of a verdict computed from it.
func TestAnalyzeRefusesBadInput(t *testing.T) {
	for name, tc := range map[string]struct {
		set  func(*ClusterInput)
		want string
	}{
		"current price +Inf":  {func(in *ClusterInput) { in.CurrentHourlyUSD = math.Inf(1) }, "current hourly price"},
		"candidate price Inf": {func(in *ClusterInput) { in.Candidates[0].SingleNodeHourlyUSD = math.Inf(1) }, "candidate 0"},
		"savings target NaN": {func(in *ClusterInput) {
			in.SavingsTarget = SavingsTarget{MinMonthlyUSD: math.NaN(), MaxMonthlyUSD: 100}
		}, "savings target"},
		"savings target min>max":     {func(in *ClusterInput) { in.SavingsTarget = SavingsTarget{MinMonthlyUSD: 500, MaxMonthlyUSD: 10} }, "savings target"},
		"max_connections -5":         {func(in *ClusterInput) { in.Postgres = &PostgresFacts{MaxConnections: -5} }, "max_connections -5"},
		"cache hit ratio 5":          {func(in *ClusterInput) { in.Postgres = &PostgresFacts{CacheHitRatio: 5} }, "cache hit ratio"},
		"cache hit ratio NaN":        {func(in *ClusterInput) { in.Postgres = &PostgresFacts{CacheHitRatio: math.NaN()} }, "cache hit ratio"},
		"TPS -1":                     {func(in *ClusterInput) { in.Postgres = &PostgresFacts{TPS: -1} }, "TPS"},
		"writer vCPU +Inf":           {func(in *ClusterInput) { in.Nodes[0].Class.VCPU = math.Inf(1) }, "positive and finite"},
		"writer baseline IOPS NaN":   {func(in *ClusterInput) { in.Nodes[0].Class.BaselineIOPS = math.NaN() }, "baseline IOPS"},
		"candidate network -1":       {func(in *ClusterInput) { in.Candidates[0].Class.NetworkBaselineBytesPerSec = -1 }, "network baseline"},
		"candidate local storage -5": {func(in *ClusterInput) { in.Candidates[0].Class.LocalStorageGiB = -5 }, "local storage"},
	} {
		in := idleMultiAZ(8)
		if len(in.Candidates) == 0 {
			in.Candidates = []Candidate{{Class: in.Nodes[0].Class, SingleNodeHourlyUSD: 0.1}}
		}
		tc.set(&in)
		if rec, err := Analyze(in, Policy{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v (verdict %s), want one saying %q", name, err, rec.Verdict, tc.want)
		}
	}
	// The zero values still mean unknown or default.
	in := idleMultiAZ(8)
	in.Postgres = &PostgresFacts{}
	if _, err := Analyze(in, Policy{}); err != nil {
		t.Errorf("zero PostgresFacts and target: %v", err)
	}
}

// TestRollbackTriggersInvalidPolicy: a policy Validate refuses gives no alarms, not NaN
// thresholds or a memory alarm above the class's RAM (always breaching).
func TestRollbackTriggersInvalidPolicy(t *testing.T) {
	gib := float64(1 << 30)
	c := InstanceClass{VCPU: 2, MemoryGiB: 8}
	pr := Projection{Class: c, MemoryUsed: Summary{Count: 1, P99: 3 * gib}, CPU: Summary{Count: 1, P99: 20, Max: 30},
		Connections: Summary{Max: math.NaN()}, IOPS: Summary{P99: math.NaN()}}
	in := TriggerInput{Instance: "w", Class: c, Projection: pr, ReadIOPSP99: math.NaN(), WriteIOPSP99: math.NaN()}
	if got := RollbackTriggers(in, Policy{}); len(got) < 2 {
		t.Fatalf("default policy: %d alarms, want CPU and memory", len(got))
	}
	for _, p := range []Policy{{RollbackFactor: math.NaN()}, {RollbackFactor: -2}, {HeadroomPercent: -10}} {
		if p.Validate() == nil {
			t.Fatalf("%+v is valid", p)
		}
		if got := RollbackTriggers(in, p); got != nil {
			t.Errorf("invalid policy %+v: %d alarms (first threshold %v), want none", p, len(got), got[0].Threshold)
		}
	}
}

// TestClassifyPatternThresholds: thresholds set in part are used as given, but a series with no
// datapoints is insufficient-data whatever they say, and thresholds out of range are an error.
func TestClassifyPatternThresholds(t *testing.T) {
	empty := Series{Metric: MetricCPU, Period: time.Minute, Start: t0, End: t0.Add(14 * 24 * time.Hour)}
	r, err := ClassifyPattern(empty, PatternThresholds{SteadyMaxCV: 0.2})
	if err != nil || r.Pattern != PatternInsufficient {
		t.Errorf("empty series with MinCoverage 0 and MinHours 0: %s, %v; want insufficient-data", r.Pattern, err)
	}
	for _, th := range []PatternThresholds{{MinCoverage: math.NaN()}, {MinCoverage: 1.5}, {MinHours: -1}, {SteadyMaxCV: -0.1},
		{SeasonalMinACF: 2}, {WeeklyMargin: math.Inf(1)}, {SteadyMaxCV: math.NaN()}} {
		if _, err := ClassifyPattern(empty, th); err == nil || !strings.Contains(err.Error(), "pattern thresholds") {
			t.Errorf("thresholds %+v: error %v, want one naming them", th, err)
		}
	}
}

// TestTimeSeriesSVGStaysOnCanvas: negative and huge values and thresholds are drawn within the
// chart (clamped to its axis), never as NaN or Inf coordinates.
func TestTimeSeriesSVGStaysOnCanvas(t *testing.T) {
	for _, tc := range []struct {
		line []float64
		th   float64
	}{{[]float64{-5, -10, -2}, 40}, {[]float64{math.MaxFloat64, 1}, 40}, {[]float64{1, 2}, -1e308}, {[]float64{1, 2}, 1.7e308}} {
		svg := TimeSeriesSVG("t", "u", t0, []ChartLine{{Label: "a", Hourly: tc.line}}, []ChartThreshold{{Label: "x", Value: tc.th}})
		if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
			t.Errorf("line %v threshold %v: SVG holds NaN or Inf", tc.line, tc.th)
		}
		for _, m := range regexp.MustCompile(`[ML]([-0-9.]+) ([-0-9.]+)`).FindAllStringSubmatch(svg, -1) {
			if y, _ := strconv.ParseFloat(m[2], 64); y < 0 || y > 320 {
				t.Errorf("line %v threshold %v: a point at y %v, off the 320-px canvas", tc.line, tc.th, y)
				break
			}
		}
	}
}

// TestAdviseWindowsAndUnitsBadInput: an unknown topology is an error (it was taken for Aurora),
// and a reservation of no instances buys no units (Count −2 gave −8).
func TestAdviseWindowsAndUnitsBadInput(t *testing.T) {
	p := Profile{Mean: make([]float64, HoursPerWeek), Count: make([]int, HoursPerWeek)}
	if _, err := AdviseWindows(p, "single-az", "03:00-03:30", ""); err == nil || !strings.Contains(err.Error(), `topology "single-az"`) {
		t.Errorf("unknown topology: error %v", err)
	}
	for count, want := range map[int]float64{-2: 0, 0: 0, 1: 4, 3: 12} {
		if got := (Reservation{Class: "db.r6g.large", Count: count}).NormalizedUnits(); got != want {
			t.Errorf("Count %d: NormalizedUnits %v, want %v", count, got, want)
		}
	}
}

// TestSeriesFunctionsDegenerate runs every function of one Series through the degenerate
// inputs the house style names (empty, single point, all-NaN, gaps, unsorted timestamps,
// mismatched lengths) and checks the documented outcome of each, and that none changes its input.
func TestSeriesFunctionsDegenerate(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	week := t0.Add(7 * 24 * time.Hour)
	mk := func(ts []time.Time, vs []float64) Series {
		return Series{Metric: MetricCPU, Unit: "Percent", Period: time.Minute, Start: t0, End: week, Timestamps: ts, Values: vs}
	}
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		s    Series
		err  error // Validate's, and every function's (nil: no error)
		// wanted when err is nil
		count   int // Summarize's Count
		buckets int // HourOfWeekProfile buckets with data
		pattern Pattern
	}{
		{name: "empty", s: mk(nil, nil), pattern: PatternInsufficient},
		{name: "single point", s: mk([]time.Time{at(61)}, []float64{42}), count: 1, buckets: 1, pattern: PatternInsufficient},
		{name: "all NaN", s: mk([]time.Time{at(0), at(1), at(2)}, []float64{nan, nan, nan}), pattern: PatternInsufficient},
		{name: "gaps", s: mk([]time.Time{at(0), at(1), at(600)}, []float64{1, 2, 3}), count: 3, buckets: 2, pattern: PatternInsufficient},
		{name: "unsorted", s: mk([]time.Time{at(5), at(1)}, []float64{1, 2}), err: ErrUnsorted},
		{name: "mismatched lengths", s: mk([]time.Time{at(0), at(1)}, []float64{1}), err: ErrBadSeries},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := fmt.Sprintf("%v %v", tc.s.Timestamps, tc.s.Values)
			check := func(fn string, err error) bool {
				t.Helper()
				if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
					t.Errorf("%s: error %v, want %v", fn, err, tc.err)
					return false
				}
				return err == nil
			}
			check("Validate", tc.s.Validate())
			if sum, err := Summarize(tc.s); check("Summarize", err) {
				if sum.Count != tc.count || (tc.count == 0) != math.IsNaN(sum.P99) {
					t.Errorf("Summarize: count %d, P99 %v; want count %d (NaN statistics without data)", sum.Count, sum.P99, tc.count)
				}
				if tc.count == 1 && (sum.P50 != 42 || sum.P99 != 42 || sum.Max != 42 || sum.StdDev != 0) {
					t.Errorf("Summarize of one point 42: %+v", sum)
				}
			}
			if p, err := HourOfWeekProfile(tc.s); check("HourOfWeekProfile", err) {
				n := 0
				for i, c := range p.Count {
					if c > 0 {
						n++
					} else if !math.IsNaN(p.Mean[i]) {
						t.Errorf("HourOfWeekProfile: bucket %d has no data but mean %v", i, p.Mean[i])
					}
				}
				if len(p.Mean) != HoursPerWeek || n != tc.buckets {
					t.Errorf("HourOfWeekProfile: %d buckets, %d with data; want 168, %d", len(p.Mean), n, tc.buckets)
				}
			}
			if p, err := HourOfDayProfile(tc.s); check("HourOfDayProfile", err) && len(p.Mean) != 24 {
				t.Errorf("HourOfDayProfile: %d buckets", len(p.Mean))
			}
			if se, err := SeasonalityOf(tc.s); check("SeasonalityOf", err) && (!math.IsNaN(se.Daily) || !math.IsNaN(se.Weekly)) {
				t.Errorf("SeasonalityOf: %+v, want NaN: too little data to measure", se)
			}
			if r, err := ClassifyPattern(tc.s, PatternThresholds{}); check("ClassifyPattern", err) && r.Pattern != tc.pattern {
				t.Errorf("ClassifyPattern: %s, want %s", r.Pattern, tc.pattern)
			}
			if so, err := tc.s.Sorted(); !errors.Is(tc.err, ErrBadSeries) {
				if err != nil || so.Validate() != nil {
					t.Errorf("Sorted: %v, then Validate: %v", err, so.Validate())
				}
			} else if !errors.Is(err, ErrBadSeries) {
				t.Errorf("Sorted of mismatched lengths: %v, want ErrBadSeries", err)
			}
			if got := tc.s.Expected(); got != 7*24*60 {
				t.Errorf("Expected: %d, want %d", got, 7*24*60)
			}
			if after := fmt.Sprintf("%v %v", tc.s.Timestamps, tc.s.Values); after != before {
				t.Errorf("input changed:\n%s\n%s", before, after)
			}
		})
	}
}

// TestPolicyValidateTable: every bounded field refuses NaN, a negative value and one above its
// limit, naming the field; the zero policy and the default are valid.
func TestPolicyValidateTable(t *testing.T) {
	for _, p := range []Policy{{}, DefaultPolicy()} {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	fields := map[string]func(*Policy) *float64{
		"headroom_percent":              func(p *Policy) *float64 { return &p.HeadroomPercent },
		"alert_threshold_percent":       func(p *Policy) *float64 { return &p.AlertThresholdPercent },
		"memory_threshold_percent":      func(p *Policy) *float64 { return &p.MemoryThresholdPercent },
		"connections_threshold_percent": func(p *Policy) *float64 { return &p.ConnectionsThresholdPercent },
		"min_coverage":                  func(p *Policy) *float64 { return &p.MinCoverage },
		"rollback_factor":               func(p *Policy) *float64 { return &p.RollbackFactor },
		"rollback_cpu_cap_percent":      func(p *Policy) *float64 { return &p.RollbackCPUCapPercent },
	}
	for name, field := range fields {
		for _, v := range []float64{math.NaN(), -1, 1e9, math.Inf(1)} {
			p := DefaultPolicy()
			*field(&p) = v
			if err := p.Validate(); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s = %v: error %v, want one naming it", name, v, err)
			}
		}
	}
	if err := (Policy{Exact: true}).Validate(); err == nil || !strings.Contains(err.Error(), "weights") {
		t.Errorf("exact policy without weights: %v", err)
	}
}

// TestPhaseOrderDegenerate: no clusters order to nothing, one to itself; NaN traffic ranks as
// busiest; an empty or repeated name is an error; the input is not changed.
func TestPhaseOrderDegenerate(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		ts   []Traffic
		want []string
		err  string
	}{
		{"none", nil, nil, ""},
		{"one", []Traffic{{Cluster: "a", BusyVCPU: 1}}, []string{"a"}, ""},
		{"NaN busiest", []Traffic{{Cluster: "a", BusyVCPU: nan, IOPS: nan, Connections: nan, NetworkBytesPerSec: nan},
			{Cluster: "b", BusyVCPU: 9, IOPS: 9, Connections: 9, NetworkBytesPerSec: 9}}, []string{"b", "a"}, ""},
		{"empty name", []Traffic{{Cluster: ""}}, nil, "has no name"},
		{"repeated name", []Traffic{{Cluster: "a"}, {Cluster: "a"}}, nil, "a"},
	} {
		before := fmt.Sprintf("%v", tc.ts)
		got, err := PhaseOrder(tc.ts)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.err)
		case tc.err == "" && (err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want)):
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
		if fmt.Sprintf("%v", tc.ts) != before {
			t.Errorf("%s: input changed", tc.name)
		}
	}
}

// TestReviewedEdges: the decision score rounds the weighted sum of the weights as given (default
// weights, performance 8.6, cost 0.14: 4.995 is 5.00, which meets the default minimum score of 5);
// −0 quantiles stay +0 as the interpolation always made them; a price whose yearly cost
// overflows is unknown to Cost and refused by Analyze.
func TestReviewedEdges(t *testing.T) {
	caps := []Reason{{Check: "capacity", Value: 64, Limit: 100, Passed: true}}
	m := decisionMatrix(TopologyMultiAZ, false, caps, CostEstimate{Known: true, MonthlySavingsUSD: 1}, DefaultSavingsTarget(), DefaultPolicy().Weights, nil, recovery{})
	if m.Rows[0].Score != 8.6 || m.Rows[1].Score != 0.14 || m.Total != 5 {
		t.Errorf("rows %+v total %v, want 5 (0.35·8.6 + 0.25·0.14 + 0.25·3 + 0.15·8 = 4.995)", m.Rows, m.Total)
	}
	nz := math.Copysign(0, -1)
	q, _ := Quantiles([]float64{nz, nz, 1}, []float64{0, 0.25})
	if math.Signbit(q[0]) || math.Signbit(q[1]) {
		t.Errorf("Quantiles of −0s: %v with the sign bit", q)
	}
	if c := Cost(1e306, 0.5, "x", SavingsTarget{}); c.Known {
		t.Errorf("Cost(1e306, 0.5) = %+v, want unknown", c)
	}
	in := idleMultiAZ(8)
	in.CurrentHourlyUSD = 1e306
	if _, err := Analyze(in, Policy{}); err == nil || !strings.Contains(err.Error(), "current hourly price") {
		t.Errorf("CurrentHourlyUSD 1e306: %v", err)
	}
}

// TestMoneyAndInterpolationOverflow: a price or storage cost whose monthly amount overflows in
// cents or over a year is unknown to Cost and refused by Analyze (2e304 USD/hour gave consolidate
// with +Inf savings); the quantile between two finite values more than math.MaxFloat64 apart
// lies between them (the median of {−1e308, 1e308} was +Inf).
func TestMoneyAndInterpolationOverflow(t *testing.T) {
	if c := Cost(2e304, 0.5, "x", SavingsTarget{}); c.Known {
		t.Errorf("Cost(2e304, 0.5) = %+v, want unknown", c)
	}
	for name, set := range map[string]func(*ClusterInput){
		"current price 2e304":   func(in *ClusterInput) { in.CurrentHourlyUSD = 2e304 },
		"storage cost 1e307/mo": func(in *ClusterInput) { in.CurrentStorageMonthlyUSD, in.SingleNodeStorageMonthlyUSD = 1e307, 1 },
	} {
		in := idleMultiAZ(8)
		set(&in)
		if rec, err := Analyze(in, Policy{}); err == nil {
			t.Errorf("%s: accepted, verdict %s, savings %v", name, rec.Verdict, rec.Cost.MonthlySavingsUSD)
		}
	}
	q, err := Quantiles([]float64{-1e308, 1e308}, []float64{0.5, 0.75})
	if err != nil || q[0] != 0 || q[1] != 5e307 {
		t.Errorf("Quantiles({-1e308, 1e308}, {0.5, 0.75}) = %v, %v; want [0 5e307]", q, err)
	}
}

// TestRollbackTriggersDegenerate: a projection without data gives no alarms (and an empty rule
// file); each metric with a baseline gives its own alarm and no other; a class without memory
// gives no memory alarm; the input is not changed.
func TestRollbackTriggersDegenerate(t *testing.T) {
	nan := math.NaN()
	c := InstanceClass{Name: "db.r6g.large", VCPU: 2, MemoryGiB: 16}
	none := Summary{P50: nan, P99: nan, Max: nan, Mean: nan}
	empty := Projection{Class: c, CPU: none, MemoryUsed: none, Connections: none, IOPS: none}
	for _, tc := range []struct {
		name  string
		class InstanceClass
		set   func(*Projection)
		want  []string
	}{
		{"no data", c, func(*Projection) {}, nil},
		{"CPU only", c, func(p *Projection) { p.CPU = Summary{Count: 10, P99: 20, Max: 25, Mean: 10} }, []string{MetricCPU}},
		{"memory only", c, func(p *Projection) { p.MemoryUsed = Summary{Count: 10, P99: 4 << 30} }, []string{MetricFreeableMemory}},
		{"memory on a class without memory", InstanceClass{Name: "x", VCPU: 2}, func(p *Projection) { p.MemoryUsed = Summary{Count: 10, P99: 4 << 30} }, nil},
		{"connections only", c, func(p *Projection) { p.Connections = Summary{Count: 10, Max: 40} }, []string{MetricConnections}},
	} {
		pr := empty
		tc.set(&pr)
		in := TriggerInput{Instance: "w", Class: tc.class, Projection: pr, ReadIOPSP99: nan, WriteIOPSP99: nan}
		before := fmt.Sprintf("%+v", in)
		alarms := RollbackTriggers(in, Policy{})
		var got []string
		for _, a := range thresholdAlarms(alarms) {
			got = append(got, a.MetricName)
		}
		if len(alarms) > 0 && !alarms[len(alarms)-1].isAvailability() || len(alarms) != len(got)+min(1, len(got)) {
			t.Errorf("%s: %d alarms, want the availability alarm after the %d others, if any", tc.name, len(alarms), len(got))
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: alarms on %v, want %v", tc.name, got, tc.want)
		}
		if fmt.Sprintf("%+v", in) != before {
			t.Errorf("%s: input changed", tc.name)
		}
		if rules := PrometheusRules("c", alarms); strings.Count(rules, "- alert:") != len(alarms) {
			t.Errorf("%s: %d rules for %d alarms:\n%s", tc.name, strings.Count(rules, "- alert:"), len(alarms), rules)
		}
	}
}

// TestSeriesTimesOutsideUnixNano: times are compared by UnixNano, defined from 1678 to 2262; a
// window or timestamp outside is ErrBadSeries from Validate, Sorted and Summarize alike (a window
// ending in 2300 made Sorted's output fail Validate as unsorted).
func TestSeriesTimesOutsideUnixNano(t *testing.T) {
	a, b := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	old := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, s := range map[string]Series{
		"window to 2300":   {Metric: MetricCPU, Period: time.Hour, Start: a, End: b.Add(time.Hour), Timestamps: []time.Time{b, a}, Values: []float64{1, 2}},
		"window from 1600": {Metric: MetricCPU, Period: time.Hour, Start: old, End: a},
		"timestamp 2300": {Metric: MetricCPU, Period: time.Hour, Start: a, End: a.Add(time.Hour),
			Timestamps: []time.Time{a, b}, Values: []float64{1, 2}},
	} {
		if err := s.Validate(); !errors.Is(err, ErrBadSeries) || !strings.Contains(err.Error(), "times must lie between") {
			t.Errorf("%s: Validate: %v", name, err)
		}
		if _, err := s.Sorted(); !errors.Is(err, ErrBadSeries) {
			t.Errorf("%s: Sorted: %v", name, err)
		}
		if _, err := Summarize(s); !errors.Is(err, ErrBadSeries) {
			t.Errorf("%s: Summarize: %v", name, err)
		}
	}
	ok := Series{Metric: MetricCPU, Period: time.Hour, Start: a, End: a.Add(2 * time.Hour), Timestamps: []time.Time{a.Add(time.Hour), a}, Values: []float64{1, 2}}
	if so, err := ok.Sorted(); err != nil || so.Validate() != nil {
		t.Errorf("2200: Sorted %v, then Validate %v", err, so.Validate())
	}
}

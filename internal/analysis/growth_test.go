package analysis

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSeasonalKendall checks the statistic, its variance (ties included),
// the continuity correction and the median slope on small cases worked by
// hand, and the degenerate ones.
func TestSeasonalKendall(t *testing.T) {
	nan := math.NaN()
	z := func(s, v float64) float64 { return (s - math.Copysign(1, s)) / math.Sqrt(v) }
	tests := []struct {
		name      string
		y         []float64
		period    int
		slope, z  float64
		wantPairs int
	}{
		{"empty", nil, 7, nan, nan, 0},
		{"all NaN", []float64{nan, nan, nan}, 1, nan, nan, 0},
		{"single value", []float64{4}, 1, nan, nan, 0},
		{"one value per season", []float64{1, 2, 3, 4, 5, 6, 7}, 7, nan, nan, 0},
		// S = 3, var = 3·2·11/18.
		{"rising", []float64{1, 2, 3}, 1, 1, z(3, 66.0/18), 3},
		{"falling", []float64{3, 2, 1}, 1, -1, z(-3, 66.0/18), 3},
		// Every pair tied: the tie correction takes the whole variance.
		{"all tied", []float64{5, 5, 5}, 1, 0, 0, 3},
		// S = 2, var = 66/18 − 2·1·9/18; slopes 0, 0.5, 1.
		{"two tied", []float64{1, 1, 2}, 1, 0.5, z(2, 48.0/18), 3},
		// Two seasons of three, each rising by 1 every 2 steps: slopes 0.5, 0.5, 0.5 each, S = 6,
		// var = 2 · 66/18.
		{"two seasons", []float64{0, 10, 1, 11, 2, 12}, 2, 0.5, z(6, 132.0/18), 6},
		// A NaN is skipped: one pair (1, 3) two steps apart, S = 1, var = 1, Z = 0.
		{"NaN skipped", []float64{1, nan, 3}, 1, 1, 0, 1},
		// Slopes −1, 1 (even count): their mean.
		{"even number of slopes", []float64{2, 1, nan, 0, 3, nan}, 3, 0, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.y)
			slope, gz, pairs := seasonalKendall(tc.y, tc.period)
			if pairs != tc.wantPairs || !sameFloat(slope, tc.slope) || !sameFloat(gz, tc.z) {
				t.Errorf("seasonalKendall = slope %v, z %v, pairs %d; want %v, %v, %d", slope, gz, pairs, tc.slope, tc.z, tc.wantPairs)
			}
			if !slices.EqualFunc(in, tc.y, sameFloat) {
				t.Errorf("input modified: %v, was %v", tc.y, in)
			}
		})
	}
}

// sameFloat is a == b within 1e-12, NaN equal to NaN.
func sameFloat(a, b float64) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return math.Abs(a-b) <= 1e-12
}

// hourlyOf is an hourly aggregate starting at start with the given hourly
// means (NaN: no data), 12 points each.
func hourlyOf(start time.Time, means []float64) hourly {
	h := hourly{start: start, startNs: start.UnixNano(), mean: slices.Clone(means), count: make([]int, len(means))}
	for i, v := range means {
		if v == v {
			h.count[i] = 12
		}
	}
	return h
}

// TestDailyBusiestHour: one value per UTC day touched, the day's highest
// hourly mean, NaN for a day with fewer than MinGrowthDayHours hours.
func TestDailyBusiestHour(t *testing.T) {
	nan := math.NaN()
	day := func(base float64, peakHour int, missing int) []float64 {
		v := make([]float64, 24)
		for i := range v {
			v[i] = base
		}
		v[peakHour] = base + 10
		for i := 0; i < missing; i++ {
			v[23-i] = nan
		}
		return v
	}
	noon := t0.Add(12 * time.Hour)
	tests := []struct {
		name  string
		start time.Time
		means []float64
		want  []float64
	}{
		{"no hours", t0, nil, nil},
		{"one whole day", t0, day(5, 3, 0), []float64{15}},
		{"four hours missing is still a day", t0, append(day(5, 3, 4), day(6, 3, 0)...), []float64{15, 16}},
		{"five hours missing is not", t0, append(day(5, 3, 5), day(6, 3, 0)...), []float64{nan, 16}},
		// The data's start and end always miss the same hours of the first and last days: here
		// the first day's peak, at 03:00, which would read 5 (a rise to the next day's 16).
		{"data starting at 04:00 cuts its first day", t0, append(append([]float64{nan, nan, nan, nan}, day(5, 3, 0)[4:]...), day(6, 3, 0)...), []float64{nan, 16}},
		{"data ending at 20:00 cuts its last day", t0, append(day(6, 3, 0), day(5, 3, 4)...), []float64{16, nan}},
		{"window starting at 04:00 cuts its first day", t0.Add(4 * time.Hour), append(day(5, 3, 0)[4:], day(6, 3, 0)...), []float64{nan, 16}},
		{"starting at noon: two half days", noon, day(5, 3, 0), []float64{nan, nan}},
		{"starting at noon, 36 hours", noon, append(day(1, 20, 0)[:12], day(7, 13, 0)...), []float64{nan, 17}},
		{"days in order", t0, append(day(1, 0, 0), day(2, 23, 0)...), []float64{11, 12}},
		{"before the epoch", time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), day(3, 4, 0), []float64{13}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := dailyBusiestHour(hourlyOf(tc.start, tc.means), 5*time.Minute)
			if !slices.EqualFunc(got, tc.want, sameFloat) {
				t.Errorf("dailyBusiestHour = %v, want %v", got, tc.want)
			}
		})
	}
}

// withWriterCPU is idleMultiAZ(days) with the writer's series starting at
// start and its CPUUtilization cpu (the other metrics idleWriter's).
func withWriterCPU(days int, start time.Time, cpu func(t time.Time, i int) float64) ClusterInput {
	in := idleMultiAZ(days)
	l := idleWriter(8)
	l[MetricCPU] = cpu
	var ss []Series
	for _, s := range seriesOf(l, days, 5*time.Minute) {
		ss = append(ss, synth(s.Metric, s.Unit, start, time.Duration(days)*24*time.Hour, 5*time.Minute, l[s.Metric]))
	}
	in.Nodes[0].Series = ss
	return in
}

// busyCPU is a writer at 10% CPU, 22% from 14 to 17 UTC on weekdays, rising
// by perMonth points every 30 days from t0.
func busyCPU(perMonth float64) func(t time.Time, i int) float64 {
	return func(t time.Time, i int) float64 {
		return 10 + 12*weekdayBump(t, 14, 17) + noise(i, 1) + perMonth*t.Sub(t0).Hours()/24/30
	}
}

// TestGrowthAnalyze: a load rising a few points a month is measured at its
// rate and reported as a capacity risk whose severity follows the days to
// the limit; a flat load, a weekly cycle on a window that starts on a
// weekend, a falling load and two weeks of a rising one are not.
func TestGrowthAnalyze(t *testing.T) {
	sat := t0.Add(-2 * 24 * time.Hour)
	tests := []struct {
		name     string
		in       ClusterInput
		rate     float64 // the trend put in, points per 30 days
		growing  bool
		severity string // of the growth risk, "" for none
	}{
		{"rising 8 points a month", withWriterCPU(28, t0, busyCPU(8)), 8, true, "high"},
		{"rising 3 points a month", withWriterCPU(28, t0, busyCPU(3)), 3, true, "medium"},
		{"flat", withWriterCPU(28, t0, busyCPU(0)), 0, false, ""},
		{"weekly cycle from a Saturday, 25 days", withWriterCPU(25, sat, busyCPU(0)), 0, false, ""},
		{"falling", withWriterCPU(28, t0, busyCPU(-3)), -3, false, ""},
		{"rising, 14 days", withWriterCPU(14, t0, busyCPU(6)), 6, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Analyze(tc.in, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(rec.Growth, func(g Growth) bool { return g.Metric == "cpu" })
			if i < 0 {
				t.Fatalf("no cpu growth in %+v", rec.Growth)
			}
			g := rec.Growth[i]
			if g.Growing != tc.growing {
				t.Errorf("Growing = %v, want %v (%+v)", g.Growing, tc.growing, g)
			}
			if tc.in.Nodes[0].Series[0].End.Sub(tc.in.Nodes[0].Series[0].Start) >= 21*24*time.Hour &&
				math.Abs(g.PerMonth-tc.rate) > 0.5 {
				t.Errorf("PerMonth = %.3f, want %.1f ± 0.5", g.PerMonth, tc.rate)
			}
			if g.Level != rec.Projection.CPU.P99 {
				t.Errorf("Level = %v, want the projected p99 %v", g.Level, rec.Projection.CPU.P99)
			}
			var risk *Risk
			for j, r := range rec.Risks {
				if strings.HasPrefix(r.Description, "Growing load") {
					risk = &rec.Risks[j]
				}
			}
			if !tc.growing {
				if !math.IsNaN(g.DaysToLimit) || risk != nil {
					t.Errorf("not growing: DaysToLimit %v (want NaN), risk %+v (want none)", g.DaysToLimit, risk)
				}
				return
			}
			want := (40/1.2 - g.Level) / (g.PerMonth / 30)
			if math.Abs(g.DaysToLimit-want) > 1e-9 {
				t.Errorf("DaysToLimit = %v, want %v", g.DaysToLimit, want)
			}
			if risk == nil || risk.Severity != tc.severity || risk.Category != "capacity" {
				t.Fatalf("risk %+v, want a %s capacity risk (days to limit %.1f)", risk, tc.severity, g.DaysToLimit)
			}
			if row := "| about " + num(math.Ceil(g.DaysToLimit), 0) + " days |"; !strings.Contains(rec.ReportMarkdown, row) {
				t.Errorf("the report's trend table has no %q", row)
			}
			for _, s := range []string{rec.RecommendedClass, "in about " + num(math.Ceil(g.DaysToLimit), 0) + " days",
				"around " + rec.End.Add(time.Duration(g.DaysToLimit*24*float64(time.Hour))).Format("2006-01-02"), "the 40% limit"} {
				if !strings.Contains(risk.Description, s) {
					t.Errorf("risk %q does not say %q", risk.Description, s)
				}
			}
		})
	}
}

// noisyLoad is 28 days of hourly means: 20% CPU, 30% from 9 to 17 UTC on
// weekdays, each day at its own level (standard deviation 2 points), hourly
// noise of 0.5, rising by perDay points a day, plus step(day) on each day.
func noisyLoad(seed uint64, perDay float64, step func(day int) float64) hourly {
	r := rng(seed)
	means := make([]float64, 28*24)
	level := 0.0
	for i := range means {
		if i%24 == 0 {
			level = 2 * r.norm() // the day's own level
		}
		tm := t0.Add(time.Duration(i) * time.Hour)
		means[i] = 20 + level + 10*weekdayBump(tm, 9, 17) + 0.5*r.norm() + perDay*float64(i)/24 + step(i/24)
	}
	return hourlyOf(t0, means)
}

// noStep is noisyLoad's step of a load without one.
func noStep(int) float64 { return 0 }

// TestGrowthUnderNoise: on loads with no trend (a daily and a weekly
// cycle, a level that varies from day to day with a standard deviation of
// 2 points), a rise is reported less often than the 2.5% of GrowthZ
// allows; a rise of 0.2 points a day (6 a month) is found two times in
// three (without the leave-one-week-out rule, 85%), where the same test
// without the weekday seasons, its variance swollen by the weekly cycle,
// hardly ever finds it.
func TestGrowthUnderNoise(t *testing.T) {
	const runs = 200
	flat, rising, plain := 0, 0, 0
	for s := range uint64(runs) {
		if trendOf("cpu", "percent", noisyLoad(s, 0, noStep), time.Hour, 1).Growing {
			flat++
		}
		h := noisyLoad(1000+s, 0.2, noStep)
		if trendOf("cpu", "percent", h, time.Hour, 1).Growing {
			rising++
		}
		if _, z, _ := seasonalKendall(dailyBusiestHour(h, time.Hour), 1); z >= GrowthZ {
			plain++
		}
	}
	t.Logf("growing: %d of %d flat loads; %d of %d rising (%d without seasons)", flat, runs, rising, runs, plain)
	if flat > runs*6/100 {
		t.Errorf("%d of %d loads without a trend reported growing, want at most 6%%", flat, runs)
	}
	if rising < runs*60/100 {
		t.Errorf("%d of %d rising loads found, want at least 60%%", rising, runs)
	}
	if plain > runs*10/100 {
		t.Errorf("without seasons %d of %d rising loads found: want under 10%% for the comparison to mean anything", plain, runs)
	}
}

// TestGrowthOneWeek: a load without a trend whose first week is quieter
// (a holiday) or whose last is busier (a month end) by 4 points, twice the
// day-to-day variation, is reported growing about one time in seven (the
// rise rests on one week: Growing's leave-one-week-out rule), where the
// test on all four weeks alone calls more than half of them rising. The
// cost, the rises missed, is in TestGrowthUnderNoise.
func TestGrowthOneWeek(t *testing.T) {
	const runs = 200
	for _, tc := range []struct {
		name string
		step func(day int) float64
	}{
		{"quiet first week", func(d int) float64 {
			if d < 7 {
				return -4
			}
			return 0
		}},
		{"busy last week", func(d int) float64 {
			if d >= 21 {
				return 4
			}
			return 0
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			growing, byZ := 0, 0
			for s := range uint64(runs) {
				g := trendOf("cpu", "percent", noisyLoad(2000+s, 0, tc.step), time.Hour, 1)
				if g.Growing {
					growing++
				}
				if g.Z >= GrowthZ && g.PerMonth > 0 {
					byZ++
				}
			}
			t.Logf("%s: %d of %d reported growing; %d by the whole window's test alone", tc.name, growing, runs, byZ)
			if byZ < runs/2 || growing > runs*20/100 {
				t.Errorf("%d of %d reported growing (%d by Z alone): want at most 20%% (and at least half by Z alone, for the case to mean anything)", growing, runs, byZ)
			}
		})
	}
}

// TestGrowthRealTraces: the NAB traces cover two weeks, under
// MinGrowthDays: none is reported growing, though 77c1ca's six weekday
// pairs all rose (Z above GrowthZ), a change of level between its two
// weeks that two weeks cannot tell from a trend.
func TestGrowthRealTraces(t *testing.T) {
	for _, name := range []string{"ec2_cpu_utilization_24ae8d", "ec2_cpu_utilization_53ea38", "ec2_cpu_utilization_77c1ca",
		"ec2_cpu_utilization_825cc2", "ec2_cpu_utilization_ac20cd", "ec2_cpu_utilization_fe7f93", "grok_asg_anomaly"} {
		t.Run(name, func(t *testing.T) {
			_, h, err := summarizeHourly(loadTrace(t, name, MetricCPU, "Percent"))
			if err != nil {
				t.Fatal(err)
			}
			g := trendOf("cpu", "percent", h, 5*time.Minute, 1)
			if g.Growing || g.Days >= MinGrowthDays || g.Pairs == 0 {
				t.Errorf("%+v: want not growing, under %d days, some pairs", g, MinGrowthDays)
			}
			if name == "ec2_cpu_utilization_77c1ca" && g.Z < GrowthZ {
				t.Errorf("77c1ca: Z %v, want ≥ %v (all six pairs rose)", g.Z, GrowthZ)
			}
		})
	}
}

// TestGrowthRisk: the severity follows the days to the limit (high within
// 30, medium within 90, low within a year), and no risk is made beyond a
// year, at or past the limit (the check says so), without a limit or a
// rise.
func TestGrowthRisk(t *testing.T) {
	c := InstanceClass{Name: "db.r6g.large", VCPU: 2, MemoryGiB: 16, BaselineIOPS: 3600}
	end := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	g := func(metric string, days float64, growing bool) Growth {
		return Growth{Metric: metric, Unit: "percent", Days: 28, Pairs: 42, PerMonth: 2, Z: 3, Growing: growing, Level: 20, DaysToLimit: days}
	}
	tests := []struct {
		name     string
		g        Growth
		topology Topology
		sev      string
		says     []string
	}{
		{"10 days", g("cpu", 10, true), TopologyMultiAZ, "high", []string{"in about 10 days, around 2026-12-10", "with or without its standby: plan a larger class by then", "2.00 points of its vCPUs per 30 days", "the 40% limit", "Z = 3.00", "42 same-weekday pairs", "28 days"}},
		{"30 days", g("cpu", 30, true), TopologyMultiAZ, "high", nil},
		{"30.5 days", g("cpu", 30.5, true), TopologyMultiAZ, "medium", []string{"in about 31 days"}},
		{"90 days", g("cpu", 90, true), TopologyMultiAZ, "medium", nil},
		{"91 days", g("cpu", 91, true), TopologyMultiAZ, "low", nil},
		{"Aurora", g("cpu", 91, true), TopologyAurora, "low", []string{"plan a larger class by then, or keep the reader"}},
		{"365 days", g("cpu", 365, true), TopologyMultiAZ, "low", nil},
		{"366 days", g("cpu", 366, true), TopologyMultiAZ, "", nil},
		{"at the limit", g("cpu", 0, true), TopologyMultiAZ, "", nil},
		{"no limit", g("iops", math.NaN(), true), TopologyMultiAZ, "", nil},
		{"not growing", g("cpu", 10, false), TopologyMultiAZ, "", nil},
		{"iops", g("iops", 50, true), TopologyMultiAZ, "medium", []string{"IOPS", "2.0 IOPS per 30 days", "20 IOPS", "40% of the 3600 baseline IOPS", "plan more IOPS (a larger class, or more gp3 or provisioned IOPS) by then"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := tc.g.risk(c, DefaultPolicy(), end, tc.topology, false)
			if ok != (tc.sev != "") || r.Severity != tc.sev {
				t.Fatalf("risk = %+v, %v; want severity %q", r, ok, tc.sev)
			}
			for _, s := range tc.says {
				if !strings.Contains(r.Description, s) {
					t.Errorf("%q does not say %q", r.Description, s)
				}
			}
		})
	}
}

// TestGrowthRiskOneNodeText: a deployment of one node already has no
// standby to carry the load without and no reader to keep: the remedy is
// capacity alone, on either topology.
func TestGrowthRiskOneNodeText(t *testing.T) {
	c := InstanceClass{Name: "db.r6g.large", VCPU: 2, MemoryGiB: 16, BaselineIOPS: 3600}
	end := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	g := Growth{Metric: "cpu", Unit: "percent", Days: 28, Pairs: 42, PerMonth: 2, Z: 3, Growing: true, Level: 20, DaysToLimit: 10}
	for _, tp := range []Topology{TopologyMultiAZ, TopologyAurora} {
		r, ok := g.risk(c, DefaultPolicy(), end, tp, true)
		if !ok || r.Severity != "high" || strings.Contains(r.Description, "standby") || strings.Contains(r.Description, "reader") ||
			!strings.HasSuffix(r.Description, "in about 10 days, around 2026-12-10: plan a larger class by then") {
			t.Errorf("%s, one node: %+v, %v; want a high risk planning a larger class, no standby or reader", tp, r, ok)
		}
	}
}

// TestGrowthOf: the trend is expressed in the units of the checks on the
// target class (CPU in percent of its vCPUs), and DaysToLimit is where the
// p99 rising at that rate, with headroom, meets the check's limit; IOPS
// without the class's baseline IOPS has no limit.
func TestGrowthOf(t *testing.T) {
	rising := func(base, perDay float64) hourly {
		means := make([]float64, 28*24)
		for i := range means {
			tm := t0.Add(time.Duration(i) * time.Hour)
			means[i] = base + base*weekdayBump(tm, 9, 17) + perDay*float64(i/24)
		}
		return hourlyOf(t0, means)
	}
	pr := Projection{Class: classR6gLarge, CPU: Summary{P99: 20}, IOPS: Summary{P99: 900},
		cpuH: rising(9, 0.1), iopsH: rising(400, 2)}
	p := DefaultPolicy()
	tests := []struct {
		name            string
		c               InstanceClass
		cpuPerMonth     float64
		cpuLevel        float64
		cpuDays         float64
		iopsPerMonth    float64
		iopsDays        float64
		wantIOPSGrowing bool
	}{
		// Same vCPUs: 0.1 points a day is 3 a month; (40/1.2 − 20) / 0.1 days.
		{"r6g.large", classR6gLarge, 3, 20, (40/1.2 - 20) / 0.1, 60, (0.4/1.2*3600 - 900) / 2, true},
		// Twice the vCPUs: half the points; the same days.
		{"r6g.xlarge", classR6gXLarge, 1.5, 10, (40/1.2 - 10) / 0.05, 60, (0.4/1.2*6000 - 900) / 2, true},
		// No baseline IOPS: no limit.
		{"t4g.medium", classT4gMedium, 3, 20, (40/1.2 - 20) / 0.1, 60, math.NaN(), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gs := growthOf(pr, tc.c, p, nil)
			if len(gs) != 2 || gs[0].Metric != "cpu" || gs[1].Metric != "iops" {
				t.Fatalf("growthOf = %+v, want cpu and iops", gs)
			}
			cpu, iops := gs[0], gs[1]
			near := func(a, b float64) bool { return a != a && b != b || math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }
			if !cpu.Growing || !near(cpu.PerMonth, tc.cpuPerMonth) || !near(cpu.Level, tc.cpuLevel) || !near(cpu.DaysToLimit, tc.cpuDays) || cpu.Unit != "percent" {
				t.Errorf("cpu %+v: want growing, %v a month, level %v, %v days", cpu, tc.cpuPerMonth, tc.cpuLevel, tc.cpuDays)
			}
			if iops.Growing != tc.wantIOPSGrowing || !near(iops.PerMonth, tc.iopsPerMonth) || iops.Level != 900 || !near(iops.DaysToLimit, tc.iopsDays) || iops.Unit != "count/second" {
				t.Errorf("iops %+v: want %v a month, level 900, %v days", iops, tc.iopsPerMonth, tc.iopsDays)
			}
		})
	}
	if gs := growthOf(Projection{Class: classR6gLarge}, classR6gLarge, p, nil); len(gs) != 0 {
		t.Errorf("nothing projected: growthOf = %+v, want none", gs)
	}
	over := pr
	over.CPU.P99 = 35 // 42% with headroom: past the 40% limit
	if g := growthOf(over, classR6gLarge, p, nil)[0]; g.DaysToLimit != 0 {
		t.Errorf("past the limit: DaysToLimit %v, want 0", g.DaysToLimit)
	}
}

// TestGrowthTiedStep: a load flat at one value for four weeks and one step
// higher in the fifth: most same-weekday pairs tie, the rest rose, so Z is
// well above GrowthZ while the median change is 0: no rise to extrapolate
// (a DaysToLimit of +Inf), not Growing.
func TestGrowthTiedStep(t *testing.T) {
	means := make([]float64, 35*24)
	for i := range means {
		means[i] = 5
		if i >= 28*24 {
			means[i] = 6
		}
	}
	g := trendOf("cpu", "percent", hourlyOf(t0, means), time.Hour, 1)
	if g.Z < GrowthZ || g.PerMonth != 0 || g.Growing {
		t.Errorf("%+v: want Z ≥ %v, PerMonth 0, not growing", g, GrowthZ)
	}
}

// TestGrowthRiskOneNode: a deployment that runs one node already (a
// Single-AZ instance, an Aurora cluster of one instance analysed as
// TopologyMultiAZ with AuroraClusterID) has no standby or reader: its growth
// risk plans capacity alone, where the 2-node forms' speak of the standby
// and of keeping the reader.
func TestGrowthRiskOneNode(t *testing.T) {
	single := withWriterCPU(28, t0, busyCPU(8))
	single.Nodes = single.Nodes[:1]
	single.AlreadySingleNode = true
	aurora := single
	aurora.Topology, aurora.AuroraClusterID = TopologyMultiAZ, "growing-aurora"
	for _, tc := range []struct {
		name string
		in   ClusterInput
	}{{"Single-AZ", single}, {"Aurora of one instance", aurora}} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Analyze(tc.in, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(rec.Risks, func(r Risk) bool { return strings.HasPrefix(r.Description, "Growing load") })
			if i < 0 {
				t.Fatalf("no growth risk in %+v (growth %+v)", rec.Risks, rec.Growth)
			}
			d := rec.Risks[i].Description
			if strings.Contains(d, "standby") || strings.Contains(d, "reader") || !strings.HasSuffix(d, ": plan a larger class by then") {
				t.Errorf("one node: %q, want capacity alone, no standby or reader", d)
			}
		})
	}
}

// TestDailyBusiestHourLongPeriod: a point of a period over an hour stands
// for the hours of its period, so a day sampled every 2, 3 or 24 hours, or
// every 90 minutes, has its 24 hours and a daily value (its busiest
// period's); the data's end cuts the last day only when its last point's
// period ends before midnight.
func TestDailyBusiestHourLongPeriod(t *testing.T) {
	nan := math.NaN()
	// every returns days of hourly means with a point every step (its
	// period starting at that hour), value 5, 15 at the point of hour peak.
	every := func(days int, step time.Duration, peak int) []float64 {
		v := make([]float64, days*24)
		for i := range v {
			v[i] = nan
		}
		for at := time.Duration(0); at < time.Duration(days)*24*time.Hour; at += step {
			h := int(at / time.Hour)
			v[h] = 5
			if h%24 == peak {
				v[h] = 15
			}
		}
		return v
	}
	tests := []struct {
		name   string
		period time.Duration
		means  []float64
		want   []float64
	}{
		{"2 hours", 2 * time.Hour, every(2, 2*time.Hour, 14), []float64{15, 15}},
		{"90 minutes", 90 * time.Minute, every(2, 90*time.Minute, 12), []float64{15, 15}},
		{"3 hours", 3 * time.Hour, every(2, 3*time.Hour, 15), []float64{15, 15}},
		{"a day", 24 * time.Hour, every(3, 24*time.Hour, 0), []float64{15, 15, 15}},
		// The last point at 20:00 stands for 20:00-22:00: the data ends within the day.
		{"2 hours, ending at 22:00", 2 * time.Hour, every(2, 2*time.Hour, 14)[:24+21], []float64{15, nan}},
		// Still counted a point of an hour: 12 hours with data is no day.
		{"2-hour points read as hourly", time.Hour, every(2, 2*time.Hour, 14), []float64{nan, nan}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := dailyBusiestHour(hourlyOf(t0, tc.means), tc.period)
			if !slices.EqualFunc(got, tc.want, sameFloat) {
				t.Errorf("dailyBusiestHour = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestGrowthLongPeriod: a load rising 6 points a month, 8 weeks of it at a
// period over an hour (period_seconds 7200, 10800, 86400), is measured and
// reported growing as at an hour; it read 0 days, not measured, and the
// recommendation had no capacity risk however close the limit.
func TestGrowthLongPeriod(t *testing.T) {
	for _, p := range []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour, 24 * time.Hour} {
		t.Run(p.String(), func(t *testing.T) {
			in := idleMultiAZ(56)
			l := idleWriter(8)
			l[MetricCPU] = busyCPU(6)
			in.Nodes[0].Series = seriesOf(l, 56, p)
			rec, err := Analyze(in, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(rec.Growth, func(g Growth) bool { return g.Metric == "cpu" })
			if i < 0 {
				t.Fatalf("no cpu growth in %+v", rec.Growth)
			}
			if g := rec.Growth[i]; !g.Growing || g.Days != 56 || math.Abs(g.PerMonth-6) > 1 {
				t.Errorf("%+v: want growing about 6 points a month over 56 days", g)
			}
			if !slices.ContainsFunc(rec.Risks, func(r Risk) bool { return strings.HasPrefix(r.Description, "Growing load: the projected CPU") }) {
				t.Errorf("no growth risk in %+v", rec.Risks)
			}
		})
	}
}

// TestSeasonalKendallSlopeMedian: the slope, taken by selection, is the
// median of the same-weekday pairs' changes per day as a full sort gives
// it, for odd and even numbers of pairs, ties and NaN days.
func TestSeasonalKendallSlopeMedian(t *testing.T) {
	r := rng(5)
	for _, days := range []int{8, 9, 15, 21, 28, 29, 63, 90, 455} {
		for rep := range 20 {
			y := make([]float64, days)
			for i := range y {
				y[i] = math.Round(10*r.float()) + 0.1*float64(i) // ties among the rounded values
				if r.float() < 0.1 {
					y[i] = math.NaN()
				}
			}
			var ref []float64
			for i := range y {
				for j := i + 7; j < len(y); j += 7 {
					if y[i] == y[i] && y[j] == y[j] {
						ref = append(ref, (y[j]-y[i])/float64(j-i))
					}
				}
			}
			slices.Sort(ref)
			want := math.NaN()
			if n := len(ref); n > 0 {
				want = (ref[(n-1)/2] + ref[n/2]) / 2
			}
			slope, _, pairs := seasonalKendall(y, 7)
			if pairs != len(ref) || !sameFloat(slope, want) {
				t.Errorf("%d days, #%d: slope %v over %d pairs, want the median %v of %d", days, rep, slope, pairs, want, len(ref))
			}
		}
	}
}

// BenchmarkSeasonalKendall: the test and slope of a window's daily values
// (28 days: 42 pairs; 455, CloudWatch's longest: 14,560).
func BenchmarkSeasonalKendall(b *testing.B) {
	for _, days := range []int{28, 91, 455} {
		b.Run(strconv.Itoa(days)+"d", func(b *testing.B) {
			r := rng(1)
			y := make([]float64, days)
			for i := range y {
				y[i] = 20 + 0.1*float64(i) + 2*r.norm()
			}
			for b.Loop() {
				sinkF, _, _ = seasonalKendall(y, 7)
			}
		})
	}
}

package analysis

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// creditsGrowthPair is an Aurora writer and reader on db.t4g.medium (a 20%
// CPU credit baseline), 5-minute data over days days from start: the
// writer at 5% CPU, 13% from 08:00 to 20:00 UTC on weekdays, each day at
// its own level (uniform within ±1.5 points) and each datapoint within ±1.5
// more, the reader at 3%; the load rises by perMonth points every 30 days
// from t0 (the rise's origin, whatever start). The projected single node
// carries both: about 12% over a weekday when it starts, 16% at 08:00–20:00.
// Its daily mean meets the baseline, with the default 20% headroom, long
// before its busy hours' p99 meets the 40% alert threshold: the shape of
// an OLTP database on the reference deployment's class.
func creditsGrowthPair(start time.Time, days int, perMonth float64) ClusterInput {
	const period = 5 * time.Minute
	at := func(t time.Time) int { return int(t.Sub(t0) / period) } // a datapoint's index from t0
	rise := func(t time.Time) float64 { return perMonth * t.Sub(t0).Hours() / 24 / 30 }
	node := func(cpu func(t time.Time) float64) []Series {
		l := load{
			MetricCPU:             func(t time.Time, _ int) float64 { return cpu(t) },
			MetricFreeableMemory:  func(t time.Time, _ int) float64 { return 2.5 * gib },
			MetricReadIOPS:        func(t time.Time, _ int) float64 { return 50 },
			MetricWriteIOPS:       func(t time.Time, _ int) float64 { return 20 },
			MetricConnections:     func(t time.Time, _ int) float64 { return 10 },
			MetricNetworkReceive:  func(t time.Time, _ int) float64 { return 1e5 },
			MetricNetworkTransmit: func(t time.Time, _ int) float64 { return 2e5 },
		}
		var ss []Series
		for _, m := range []string{MetricConnections, MetricCPU, MetricFreeableMemory, MetricNetworkReceive, MetricNetworkTransmit, MetricReadIOPS, MetricWriteIOPS} {
			ss = append(ss, synth(m, units[m], start, time.Duration(days)*24*time.Hour, period, l[m]))
		}
		return ss
	}
	writer := func(t time.Time) float64 {
		day := int(math.Floor(t.Sub(t0).Hours() / 24))
		return 5 + 8*weekdayBump(t, 8, 20) + 1.5*noise(day, 21) + 1.5*noise(at(t), 22) + rise(t)
	}
	reader := func(t time.Time) float64 { return 3 + 0.5*noise(at(t), 23) }
	return ClusterInput{
		Name:     "ledger-prod",
		Topology: TopologyAurora,
		Nodes: []Node{
			{ID: "ledger-prod-1", Role: RoleWriter, Class: classT4gMediumB, Series: node(writer)},
			{ID: "ledger-prod-2", Role: RoleReader, Class: classT4gMediumB, Series: node(reader)},
		},
		CurrentHourlyUSD:        0.146,
		CPUCreditUSDPerVCPUHour: 0.09,
		Candidates:              []Candidate{{Class: classT4gMediumB, SingleNodeHourlyUSD: 0.073}},
	}
}

// firstCreditsFailure analyses the window of days days ending each day
// after end (up to limit days) and returns how many days after end the
// cpu_credits check first fails, or -1.
func firstCreditsFailure(t *testing.T, days int, perMonth float64, end time.Time, limit int) int {
	t.Helper()
	for d := 1; d <= limit; d++ {
		start := end.Add(time.Duration(d-days) * 24 * time.Hour)
		rec, err := Assess(creditsGrowthPair(start, days, perMonth), Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if r, ok := reason(rec, "cpu_credits"); !ok {
			t.Fatalf("window to %s: no cpu_credits check", start.Add(time.Duration(days)*24*time.Hour))
		} else if !r.Passed {
			return d
		}
	}
	return -1
}

// TestGrowthCredits: on db.t4g.medium, a load rising 3 points a month
// passes every check over four weeks, and the cpu_credits check fails on
// the window that ends 16 days later (the windows after it, analysed day
// by day, are the ground truth), while the p99 is months (161 days) from
// its limit. The growth of the daily mean against the credit baseline says
// so: growing, its highest 24-hour mean with headroom at the baseline in
// about 11 days (a few days early: that mean, the window's highest, lies
// above the trend by the days' own variation), a high burst risk. Without
// it (the known gap) the recommendation's growth was the p99's alone, a low
// capacity risk, and its burst risk said the load was within the baseline.
func TestGrowthCredits(t *testing.T) {
	const days, perMonth = 28, 3
	rec, err := Analyze(creditsGrowthPair(t0, days, perMonth), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictConsolidate || rec.RecommendedClass != "db.t4g.medium" || rec.CPUCredits == nil {
		t.Fatalf("verdict %s on %s, credits %+v; want consolidate on db.t4g.medium (reasons %+v)", rec.Verdict, rec.RecommendedClass, rec.CPUCredits, rec.Reasons)
	}
	cc, _ := reason(rec, "cpu_credits")
	fail := firstCreditsFailure(t, days, perMonth, rec.End, 60)
	t.Logf("cpu_credits %.2f of %g now; fails on the window ending %d days later", cc.Value, cc.Limit, fail)
	if fail != 16 {
		t.Fatalf("cpu_credits first fails %d days after the window, want 16", fail)
	}
	if len(rec.Growth) != 3 || rec.Growth[0].Metric != "cpu" || rec.Growth[1].Metric != "iops" || rec.Growth[2].Metric != "cpu_credits" {
		t.Fatalf("growth %+v, want cpu, iops, cpu_credits", rec.Growth)
	}
	cpu, g := rec.Growth[0], rec.Growth[2]
	t.Logf("cpu growth %+v; cpu_credits growth %+v", cpu, g)
	if !cpu.Growing || math.Ceil(cpu.DaysToLimit) != 161 {
		t.Errorf("cpu growth %+v: want growing, its p99 161 days from its limit", cpu)
	}
	if g.Unit != "percent" || !g.Growing || g.Days != 28 || g.Pairs != 42 || math.Abs(g.PerMonth-2.4572) > 1e-4 ||
		g.Level != rec.CPUCredits.Peak24hMeanPercent || math.Abs(g.Level*1.2-cc.Value) > 0.005 {
		t.Errorf("cpu_credits growth %+v: want growing 2.4572 points a month over 28 days, 42 pairs, level the highest 24-hour mean %v",
			g, rec.CPUCredits.Peak24hMeanPercent)
	}
	if want := (20/1.2 - g.Level) / (g.PerMonth / 30); math.Abs(g.DaysToLimit-want) > 1e-9 || math.Ceil(g.DaysToLimit) != 11 || g.DaysToLimit > float64(fail) {
		t.Errorf("cpu_credits DaysToLimit %v, want %v (11 days, not after the check fails, %d)", g.DaysToLimit, want, fail)
	}
	i := slices.IndexFunc(rec.Risks, func(r Risk) bool {
		return strings.HasPrefix(r.Description, "Growing load against the CPU credit baseline")
	})
	if i < 0 {
		t.Fatalf("no credit growth risk in %+v", rec.Risks)
	}
	r := rec.Risks[i]
	if r.Category != "burst" || r.Severity != "high" {
		t.Errorf("risk %s/%s, want burst/high", r.Category, r.Severity)
	}
	for _, s := range []string{"on db.t4g.medium, its mean over each day, rose by 2.46 points of its vCPUs per 30 days over the 28 days measured",
		"42 same-weekday pairs, Z = 2.95", "highest 24-hour mean over the window 15.8%", "with 20% headroom reaches the 20% CPU credit baseline of db.t4g.medium in about 11 days, around 2026-12-10",
		"A cost before it is a capacity problem", "pays for surplus CPU credits", "the cpu_credits check fails",
		"plan a class whose baseline holds the load (a fixed-performance class, or a burstable one with a higher baseline) by then, or keep the reader"} {
		if !strings.Contains(r.Description, s) {
			t.Errorf("risk %q does not say %q", r.Description, s)
		}
	}
	for _, s := range []string{"| cpu_credits | percent | 2.46 | 2.95 | 28 | 42 | about 11 days |",
		"For cpu_credits, the trend of the daily mean of the projected CPU, and the days until its highest 24-hour mean with headroom reaches the burstable class's CPU credit baseline."} {
		if !strings.Contains(rec.ReportMarkdown, s) {
			t.Errorf("the report's trend table has no %q", s)
		}
	}
}

// TestDailyMean: one value per UTC day touched, the mean of its hours with
// data weighted by their datapoints, under dailyBusiestHour's rules (NaN
// for a day of fewer than MinGrowthDayHours hours, or cut by the data's
// start or end).
func TestDailyMean(t *testing.T) {
	nan := math.NaN()
	day := func(lo, hi float64, missing int) []float64 { // 12 hours at lo, then 12 at hi, the last missing hours NaN
		v := make([]float64, 24)
		for i := range v {
			v[i] = lo
			if i >= 12 {
				v[i] = hi
			}
		}
		for i := range missing {
			v[23-i] = nan
		}
		return v
	}
	tests := []struct {
		name  string
		start time.Time
		means []float64
		want  []float64
	}{
		{"no hours", t0, nil, nil},
		{"one whole day", t0, day(10, 20, 0), []float64{15}},
		// 12 hours at 10 and 8 at 20: 280/20.
		{"four hours missing is still a day", t0, append(day(10, 20, 4), day(6, 8, 0)...), []float64{14, 7}},
		{"five hours missing is not", t0, append(day(10, 20, 5), day(6, 8, 0)...), []float64{nan, 7}},
		{"window starting at 04:00 cuts its first day", t0.Add(4 * time.Hour), append(day(10, 20, 0)[4:], day(6, 8, 0)...), []float64{nan, 7}},
		{"data ending at 20:00 cuts its last day", t0, append(day(6, 8, 0), day(10, 20, 4)...), []float64{7, nan}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := dailyMean(hourlyOf(tc.start, tc.means), 5*time.Minute)
			if !slices.EqualFunc(got, tc.want, sameFloat) {
				t.Errorf("dailyMean = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("hours weighted by their datapoints", func(t *testing.T) {
		// 12 hours at 10 with 12 datapoints, 12 at 40 with 4: (12·12·10 + 12·4·40) / (12·12 + 12·4) = 17.5
		// (the 24-hour means of CPUCredits weigh them so), where the hours' plain mean is 25.
		h := hourlyOf(t0, day(10, 40, 0))
		for i := 12; i < 24; i++ {
			h.count[i] = 4
		}
		if got := dailyMean(h, 5*time.Minute); !slices.EqualFunc(got, []float64{17.5}, sameFloat) {
			t.Errorf("dailyMean = %v, want [17.5]", got)
		}
	})
}

// TestGrowthOfCredits: on a burstable class with a 24-hour mean simulated
// (cr), growthOf adds the cpu_credits Growth after cpu and iops: the
// trend of the projected CPU's daily mean in percent of the class's vCPUs,
// its Level the highest 24-hour mean, its DaysToLimit where that mean
// rising at the trend's rate, with headroom, meets the class's baseline. A
// load that rises at night, its busy hours flat, grows against the
// baseline and not against the p99's limit. None for a fixed-performance
// class, without a credit account or without a 24-hour mean.
func TestGrowthOfCredits(t *testing.T) {
	// 6% at night rising by perDay a day, 24% from 9 to 17 UTC on weekdays, flat: on weekdays
	// a daily mean of (16·6 + 8·24)/24 = 12 rising by 2/3 perDay.
	nightRising := func(perDay float64) hourly {
		means := make([]float64, 28*24)
		for i := range means {
			tm := t0.Add(time.Duration(i) * time.Hour)
			means[i] = 6 + perDay*float64(i/24)
			if weekdayBump(tm, 9, 17) > 0 {
				means[i] = 24
			}
		}
		return hourlyOf(t0, means)
	}
	classT4gXLargeB := InstanceClass{Name: "db.t4g.xlarge", VCPU: 4, MemoryGiB: 16, Burstable: true, BaselineCPUPercent: 40}
	pr := Projection{Class: classT4gLargeB, CPU: Summary{P99: 24}, cpuH: nightRising(0.15), period: time.Hour}
	p := DefaultPolicy()
	cr := func(c InstanceClass, peak float64) *CPUCredits {
		return &CPUCredits{Class: c.Name, VCPU: c.VCPU, BaselinePercent: c.BaselineCPUPercent, Peak24hMeanPercent: peak}
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	tests := []struct {
		name     string
		c        InstanceClass
		cr       *CPUCredits
		perMonth float64 // of cpu_credits
		days     float64
	}{
		// Weekends rise by 0.15 a day, weekdays by 0.1: the median of the 42 pairs' is 0.1, the
		// slope of 30 of them, 3 a month. (30/1.2 − 15) / 0.1 days.
		{"t4g.large", classT4gLargeB, cr(classT4gLargeB, 15), 3, (30/1.2 - 15) / 0.1},
		// Twice the vCPUs: half the points; the 24-hour mean as simulated on the class.
		{"t4g.xlarge", classT4gXLargeB, cr(classT4gXLargeB, 7.5), 1.5, (40/1.2 - 7.5) / 0.05},
		// There already: 21 with headroom is past 20.
		{"t4g.medium past its baseline", classT4gMediumB, cr(classT4gMediumB, 17.5), 3, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gs := growthOf(pr, tc.c, p, tc.cr)
			if len(gs) != 2 || gs[0].Metric != "cpu" || gs[1].Metric != "cpu_credits" {
				t.Fatalf("growthOf = %+v, want cpu and cpu_credits", gs)
			}
			cpu, g := gs[0], gs[1]
			if cpu.Growing || cpu.PerMonth != 0 {
				t.Errorf("cpu %+v: its busy hours are flat, want not growing", cpu)
			}
			if !g.Growing || g.Unit != "percent" || g.Days != 28 || g.Pairs != 42 || !near(g.PerMonth, tc.perMonth) ||
				g.Level != tc.cr.Peak24hMeanPercent || !near(g.DaysToLimit, tc.days) {
				t.Errorf("cpu_credits %+v: want growing %v a month, level %v, %v days", g, tc.perMonth, tc.cr.Peak24hMeanPercent, tc.days)
			}
		})
	}
	for _, tc := range []struct {
		name string
		c    InstanceClass
		cr   *CPUCredits
	}{
		{"fixed-performance class", classR6gLarge, nil},
		{"no credit account", classT4gMedium, nil},
		{"no 24-hour mean", classT4gLargeB, cr(classT4gLargeB, math.NaN())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if gs := growthOf(pr, tc.c, p, tc.cr); len(gs) != 1 || gs[0].Metric != "cpu" {
				t.Errorf("growthOf = %+v, want cpu alone", gs)
			}
		})
	}
	if gs := growthOf(Projection{Class: classT4gLargeB}, classT4gLargeB, p, cr(classT4gLargeB, 15)); len(gs) != 0 {
		t.Errorf("nothing projected: growthOf = %+v, want none", gs)
	}
}

// TestGrowthCreditsRisk: the cpu_credits Growth's risk is a burst risk,
// with the capacity risk's bands (high within 30 days, medium within 90,
// low within a year, none beyond, at the baseline already or not
// growing), planning a class whose baseline holds the load: with or
// without the standby on Multi-AZ, or keeping the reader on Aurora, alone
// on one node.
func TestGrowthCreditsRisk(t *testing.T) {
	end := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	g := func(days float64, growing bool) Growth {
		return Growth{Metric: "cpu_credits", Unit: "percent", Days: 28, Pairs: 42, PerMonth: 1.5, Z: 3, Growing: growing, Level: 22.25, DaysToLimit: days}
	}
	const remedy = "plan a class whose baseline holds the load (a fixed-performance class, or a burstable one with a higher baseline) by then"
	tests := []struct {
		name     string
		g        Growth
		topology Topology
		oneNode  bool
		sev      string
		suffix   string
	}{
		{"10 days", g(10, true), TopologyMultiAZ, false, "high", "the cpu_credits check fails; the writer carries this load with or without its standby: " + remedy},
		{"30 days", g(30, true), TopologyMultiAZ, false, "high", ""},
		{"30.5 days", g(30.5, true), TopologyAurora, false, "medium", "the cpu_credits check fails; " + remedy + ", or keep the reader"},
		{"90 days", g(90, true), TopologyMultiAZ, false, "medium", ""},
		{"91 days", g(91, true), TopologyMultiAZ, true, "low", "the cpu_credits check fails; " + remedy},
		{"365 days", g(365, true), TopologyAurora, true, "low", "the cpu_credits check fails; " + remedy},
		{"366 days", g(366, true), TopologyMultiAZ, false, "", ""},
		{"at the baseline", g(0, true), TopologyMultiAZ, false, "", ""},
		{"not growing", g(10, false), TopologyMultiAZ, false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := tc.g.risk(classT4gLargeB, DefaultPolicy(), end, tc.topology, tc.oneNode)
			if ok != (tc.sev != "") || r.Severity != tc.sev || ok && r.Category != "burst" {
				t.Fatalf("risk = %+v, %v; want a %q burst risk", r, ok, tc.sev)
			}
			if !ok {
				return
			}
			for _, s := range []string{"Growing load against the CPU credit baseline: the projected CPU on db.t4g.large, its mean over each day, rose by 1.50 points of its vCPUs per 30 days over the 28 days measured (Seasonal Kendall slope over 42 same-weekday pairs, Z = 3.00); its highest 24-hour mean over the window 22.2%.",
				"At that rate the highest 24-hour mean with 20% headroom reaches the 30% CPU credit baseline of db.t4g.large in about " + num(math.Ceil(tc.g.DaysToLimit), 0) + " days, around " +
					end.Add(time.Duration(tc.g.DaysToLimit*24*float64(time.Hour))).Format("2006-01-02") + ". A cost before it is a capacity problem: RDS and Aurora run T classes in unlimited mode, so past the baseline the node keeps bursting and pays for surplus CPU credits"} {
				if !strings.Contains(r.Description, s) {
					t.Errorf("%q does not say %q", r.Description, s)
				}
			}
			if !strings.HasSuffix(r.Description, tc.suffix) {
				t.Errorf("%q does not end %q", r.Description, tc.suffix)
			}
		})
	}
}

// dayLevelLoad is noisyLoad with each day's own level of standard
// deviation sd (noisyLoad's is 2).
func dayLevelLoad(seed uint64, sd, perDay float64, step func(day int) float64) hourly {
	r := rng(seed)
	means := make([]float64, 28*24)
	level := 0.0
	for i := range means {
		if i%24 == 0 {
			level = sd * r.norm()
		}
		tm := t0.Add(time.Duration(i) * time.Hour)
		means[i] = 20 + level + 10*weekdayBump(tm, 9, 17) + 0.5*r.norm() + perDay*float64(i)/24 + step(i/24)
	}
	return hourlyOf(t0, means)
}

// TestGrowthCreditsUnderNoise: the daily mean's trend, under the rules of
// the busiest hour's, on TestGrowthUnderNoise's loads (four weeks of a
// daily and a weekly cycle, each day at its own level, standard deviation
// 2 points, hourly noise of 0.5), 200 runs each: a load with no trend is
// reported growing no more often than the busiest hour's is (GrowthZ
// allows 2.5%), a quiet first week or a busy last one (4 points)
// about as rarely (TestGrowthOneWeek), and a rise is found as often: the
// day's own level, which both share, is most of the noise, and the hourly
// noise the mean averages out is little. Days steadier (a standard
// deviation of 1) find a rise of 3 points a month in most runs.
func TestGrowthCreditsUnderNoise(t *testing.T) {
	const runs = 200
	mean := func(h hourly) Growth { return trendOfDaily("cpu_credits", "percent", dailyMean(h, time.Hour), 1) }
	busiest := func(h hourly) Growth { return trendOf("cpu", "percent", h, time.Hour, 1) }
	quietFirst := func(d int) float64 {
		if d < 7 {
			return -4
		}
		return 0
	}
	busyLast := func(d int) float64 {
		if d >= 21 {
			return 4
		}
		return 0
	}
	for _, tc := range []struct {
		name       string
		seed       uint64
		sd, perDay float64
		step       func(int) float64
		lo, hi     int // runs the daily mean reports growing
	}{
		{"flat", 0, 2, 0, noStep, 0, runs * 3 / 100},
		{"flat, steadier days", 0, 1, 0, noStep, 0, runs * 3 / 100},
		{"quiet first week", 2000, 2, 0, quietFirst, 0, runs * 20 / 100},
		{"busy last week", 2000, 2, 0, busyLast, 0, runs * 20 / 100},
		{"rising 3 points a month", 1000, 2, 0.1, noStep, 0, runs * 20 / 100},
		{"rising 3 points a month, steadier days", 1000, 1, 0.1, noStep, runs * 50 / 100, runs},
		{"rising 6 points a month", 1000, 2, 0.2, noStep, runs * 60 / 100, runs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, b := 0, 0
			for s := range uint64(runs) {
				h := dayLevelLoad(tc.seed+s, tc.sd, tc.perDay, tc.step)
				if mean(h).Growing {
					m++
				}
				if busiest(h).Growing {
					b++
				}
			}
			t.Logf("%s: the daily mean reported growing in %d of %d runs, the busiest hour in %d", tc.name, m, runs, b)
			if m < tc.lo || m > tc.hi {
				t.Errorf("%s: the daily mean reported growing in %d of %d runs, want %d to %d", tc.name, m, runs, tc.lo, tc.hi)
			}
		})
	}
}

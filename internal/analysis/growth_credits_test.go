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

// TestGrowthCreditsGap: on db.t4g.medium, a load rising 3 points a month
// passes every check over four weeks, and the cpu_credits check fails on
// the window that ends a few weeks later (the windows after it, analysed
// day by day, are the ground truth); yet the growth the recommendation
// reports is the p99's, months from its limit: a low capacity risk, and
// nothing says the credit baseline is weeks away.
func TestGrowthCreditsGap(t *testing.T) {
	const days, perMonth = 28, 3
	rec, err := Analyze(creditsGrowthPair(t0, days, perMonth), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictConsolidate || rec.RecommendedClass != "db.t4g.medium" {
		t.Fatalf("verdict %s on %s, want consolidate on db.t4g.medium (reasons %+v)", rec.Verdict, rec.RecommendedClass, rec.Reasons)
	}
	cc, _ := reason(rec, "cpu_credits")
	fail := firstCreditsFailure(t, days, perMonth, rec.End, 60)
	t.Logf("cpu_credits %.2f of %g now; fails on the window ending %d days later", cc.Value, cc.Limit, fail)
	if fail < 7 || fail > 30 {
		t.Fatalf("cpu_credits first fails %d days after the window, want within weeks (7 to 30)", fail)
	}
	i := slices.IndexFunc(rec.Growth, func(g Growth) bool { return g.Metric == "cpu" })
	if i < 0 {
		t.Fatalf("no cpu growth in %+v", rec.Growth)
	}
	g := rec.Growth[i]
	t.Logf("cpu growth: %+v", g)
	if !g.Growing || g.DaysToLimit < 90 {
		t.Errorf("cpu growth %+v: want growing, its p99 months (over 90 days) from its limit", g)
	}
	for _, r := range rec.Risks {
		t.Logf("risk %s/%s: %s", r.Category, r.Severity, r.Description)
		if r.Severity != "low" && (r.Category == "burst" || r.Category == "capacity") {
			t.Errorf("a %s %s risk: the gap is closed? %s", r.Severity, r.Category, r.Description)
		}
	}
	if slices.ContainsFunc(rec.Growth, func(g Growth) bool { return g.Metric != "cpu" && g.Metric != "iops" }) ||
		strings.Contains(rec.ReportMarkdown, "credit baseline in about") {
		t.Errorf("growth %+v: the credit baseline is projected", rec.Growth)
	}
}

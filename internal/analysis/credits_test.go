package analysis

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// classT4gMediumB and classT4gLargeB carry the EC2 credit table's baselines
// (20% and 30% per vCPU: 24 and 36 credits an hour on 2 vCPUs).
var (
	classT4gMediumB = InstanceClass{Name: "db.t4g.medium", VCPU: 2, MemoryGiB: 4, Burstable: true, BaselineCPUPercent: 20}
	classT4gLargeB  = InstanceClass{Name: "db.t4g.large", VCPU: 2, MemoryGiB: 8, Burstable: true, BaselineCPUPercent: 30}
)

// hoursOf builds hourly aggregates from t0: hour i has mean f(i) and count
// points (count 0: no data, mean NaN).
func hoursOf(n, count int, f func(i int) float64) hourly {
	h := hourly{start: t0, startNs: t0.UnixNano(), mean: make([]float64, n), count: make([]int, n)}
	for i := range n {
		h.mean[i], h.count[i] = math.NaN(), 0
		if count > 0 {
			h.mean[i], h.count[i] = f(i), count
		}
	}
	return h
}

func constant(v float64) func(int) float64 { return func(int) float64 { return v } }

// dayNight is hi for 12 hours from 08:00 UTC and lo for the other 12.
func dayNight(hi, lo float64) func(int) float64 {
	return func(i int) float64 {
		if h := i % 24; h >= 8 && h < 20 {
			return hi
		}
		return lo
	}
}

func TestSimulateCredits(t *testing.T) {
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	for _, tc := range []struct {
		name  string
		h     hourly
		per   time.Duration
		scale float64
		class InstanceClass
		// want
		peak, minBalance, surplusMonth float64
		depleted                       int
		firstDepleted                  time.Duration // after t0; 0 = never
	}{
		// Below the baseline: earns 24 an hour, spends 12; the balance stays
		// full at the 24-hour limit (576).
		{"below baseline", hoursOf(48, 60, constant(10)), time.Minute, 1, classT4gMediumB, 10, 576, 0, 0, 0},
		// 10 points over the baseline on 2 vCPUs: in the steady state every
		// hour is charged 0.1 × 2 = 0.2 vCPU-hours, 146 a month.
		{"over baseline", hoursOf(200, 60, constant(30)), time.Minute, 1, classT4gMediumB, 30, 0, 146, 200, time.Hour},
		// A mean at the baseline: 12 busy hours spend 18 an hour more than
		// they earn (216 of 576), the quiet ones earn it back.
		{"day and night at the baseline", hoursOf(72, 60, dayNight(35, 5)), time.Minute, 1, classT4gMediumB, 20, 360, 0, 0, 0},
		// 5-minute datapoints: 12 an hour cover the hour as 60 did.
		{"5-minute period", hoursOf(72, 12, dayNight(35, 5)), 5 * time.Minute, 1, classT4gMediumB, 20, 360, 0, 0, 0},
		// Measured on a 4-vCPU class at 10%: 20% of the 2-vCPU class, its
		// baseline exactly.
		{"rescaled", hoursOf(48, 60, constant(10)), time.Minute, 2, classT4gMediumB, 20, 576, 0, 0, 0},
		// On db.t4g.large (30%) the same day and night never goes below
		// the baseline by as much: 12 busy hours spend 6 an hour net (72).
		{"larger baseline", hoursOf(72, 60, dayNight(35, 5)), time.Minute, 1, classT4gLargeB, 20, 864 - 72, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := slices.Clone(tc.h.mean)
			cr, ok := simulateCredits(tc.h, tc.per, tc.scale, tc.class)
			if !ok {
				t.Fatal("not simulated")
			}
			if !slices.Equal(before, tc.h.mean) && !(math.IsNaN(before[0]) && math.IsNaN(tc.h.mean[0])) {
				t.Error("the hourly aggregates were modified")
			}
			if !near(cr.Peak24hMeanPercent, tc.peak) || !near(cr.MinBalance, tc.minBalance) ||
				!near(cr.SurplusVCPUHoursPerMonth, tc.surplusMonth) || cr.DepletedHours != tc.depleted {
				t.Errorf("peak %v, min balance %v, surplus %v vCPU-h/month, depleted %d h; want %v, %v, %v, %d",
					cr.Peak24hMeanPercent, cr.MinBalance, cr.SurplusVCPUHoursPerMonth, cr.DepletedHours,
					tc.peak, tc.minBalance, tc.surplusMonth, tc.depleted)
			}
			if wantFirst := t0.Add(tc.firstDepleted); (tc.firstDepleted == 0) != cr.FirstDepleted.IsZero() ||
				(tc.firstDepleted != 0 && !cr.FirstDepleted.Equal(wantFirst)) {
				t.Errorf("first depleted %v, want %v", cr.FirstDepleted, wantFirst)
			}
			if want := tc.class.BaselineCPUPercent / 100 * tc.class.VCPU * 60 * 24; !near(cr.MaxBalance, want) {
				t.Errorf("limit %v, want %v", cr.MaxBalance, want)
			}
		})
	}

	t.Run("a burst spends the balance, then surplus, paid down later", func(t *testing.T) {
		// One day at 45% in a fortnight at 10%: the day spends 30 an hour
		// net; the balance (576) lasts 19.2 hours, then 4.8 hours of
		// surplus (144 credits), which the next 12 quiet hours pay down.
		// Nothing is charged: the surplus never exceeds the limit.
		h := hoursOf(14*24, 60, func(i int) float64 {
			if i >= 48 && i < 72 {
				return 45
			}
			return 10
		})
		cr, _ := simulateCredits(h, time.Minute, 1, classT4gMediumB)
		if cr.SurplusChargedVCPUHours != 0 || cr.MinBalance != 0 {
			t.Errorf("charged %v vCPU-h, min balance %v; want 0 and 0", cr.SurplusChargedVCPUHours, cr.MinBalance)
		}
		// Depleted at the end of hours 67..71 (the burst: after 20 hours
		// the balance is gone) and of 72..82 while the surplus is paid
		// down (it reaches 0 at the end of hour 83).
		if cr.DepletedHours != 5+11 || !cr.FirstDepleted.Equal(t0.Add(68*time.Hour)) {
			t.Errorf("depleted %d hours from %v; want 16 from %v", cr.DepletedHours, cr.FirstDepleted, t0.Add(68*time.Hour))
		}
		if !near(cr.Peak24hMeanPercent, 45) || !cr.Peak24hEnd.Equal(t0.Add(72*time.Hour)) {
			t.Errorf("peak 24-hour mean %v ending %v; want 45 ending %v", cr.Peak24hMeanPercent, cr.Peak24hEnd, t0.Add(72*time.Hour))
		}
	})

	t.Run("hours without data neither earn nor spend", func(t *testing.T) {
		// A day at 30% (-288: the balance falls to 288), 12 hours without
		// data, another day at 30% (to 0), then two days at 10% (+576,
		// full again). Had the gap earned as an idle node does (24 an
		// hour), the balance would have been full before the second day.
		h := hoursOf(108, 60, func(i int) float64 {
			if i < 60 {
				return 30
			}
			return 10
		})
		for i := 24; i < 36; i++ {
			h.mean[i], h.count[i] = math.NaN(), 0
		}
		cr, _ := simulateCredits(h, time.Minute, 1, classT4gMediumB)
		if cr.MinBalance != 0 || cr.DepletedHours != 0 || cr.SurplusChargedVCPUHours != 0 {
			t.Errorf("min balance %v, depleted %d h, charged %v; want 0, 0, 0", cr.MinBalance, cr.DepletedHours, cr.SurplusChargedVCPUHours)
		}
		// The 24-hour windows across the gap hold only 30% hours.
		if !near(cr.Peak24hMeanPercent, 30) || !cr.Peak24hEnd.Equal(t0.Add(24*time.Hour)) {
			t.Errorf("peak 24-hour mean %v at %v, want 30 at %v", cr.Peak24hMeanPercent, cr.Peak24hEnd, t0.Add(24*time.Hour))
		}
	})

	t.Run("shorter than a day", func(t *testing.T) {
		cr, ok := simulateCredits(hoursOf(23, 60, constant(30)), time.Minute, 1, classT4gMediumB)
		if !ok || !math.IsNaN(cr.Peak24hMeanPercent) || !cr.Peak24hEnd.IsZero() {
			t.Errorf("ok %v, peak %v at %v; want a simulation without a 24-hour mean", ok, cr.Peak24hMeanPercent, cr.Peak24hEnd)
		}
	})

	t.Run("not simulated", func(t *testing.T) {
		h := hoursOf(48, 60, constant(10))
		for name, c := range map[string]InstanceClass{
			"fixed performance": classR6gLarge,
			"baseline unknown":  classT4gMedium,
		} {
			if _, ok := simulateCredits(h, time.Minute, 1, c); ok {
				t.Errorf("%s: simulated", name)
			}
		}
		if _, ok := simulateCredits(hourly{}, time.Minute, 1, classT4gMediumB); ok {
			t.Error("no hours: simulated")
		}
		if _, ok := simulateCredits(h, 2*time.Hour, 1, classT4gMediumB); ok {
			t.Error("2-hour period: simulated")
		}
	})
}

// burstPair is an Aurora writer and reader on db.t4g.medium with flat
// loads: CPU writerCPU(t) and readerCPU(t) percent, the rest quiet. Surplus
// credits cost $0.09 per vCPU-hour.
func burstPair(writerCPU, readerCPU func(t time.Time) float64) ClusterInput {
	node := func(cpu func(t time.Time) float64) load {
		return load{
			MetricCPU:             func(t time.Time, i int) float64 { return cpu(t) },
			MetricFreeableMemory:  func(t time.Time, i int) float64 { return 2.5 * gib },
			MetricReadIOPS:        func(t time.Time, i int) float64 { return 50 },
			MetricWriteIOPS:       func(t time.Time, i int) float64 { return 20 },
			MetricConnections:     func(t time.Time, i int) float64 { return 10 },
			MetricNetworkReceive:  func(t time.Time, i int) float64 { return 1e5 },
			MetricNetworkTransmit: func(t time.Time, i int) float64 { return 2e5 },
		}
	}
	return ClusterInput{
		Name:     "sso-prod",
		Topology: TopologyAurora,
		Nodes: []Node{
			{ID: "sso-prod-1", Role: RoleWriter, Class: classT4gMediumB, Series: seriesOf(node(writerCPU), 14, time.Minute)},
			{ID: "sso-prod-2", Role: RoleReader, Class: classT4gMediumB, Series: seriesOf(node(readerCPU), 14, time.Minute)},
		},
		CurrentHourlyUSD:        0.146,
		CPUCreditUSDPerVCPUHour: 0.09,
		Candidates: []Candidate{
			{Class: classT4gMediumB, SingleNodeHourlyUSD: 0.073},
			{Class: classT4gLargeB, SingleNodeHourlyUSD: 0.146},
		},
	}
}

func flat(v float64) func(time.Time) float64 { return func(time.Time) float64 { return v } }

// burstRisks returns the risks of category burst.
func burstRisks(rec Recommendation) []Risk {
	return where(rec.Risks, func(r Risk) bool { return r.Category == "burst" })
}

// TestAnalyzeCPUCredits: the single node's CPU credits are simulated over
// the projected CPU; a burstable class whose 24-hour mean would exceed its
// baseline pays for surplus credits, which the cost includes.
func TestAnalyzeCPUCredits(t *testing.T) {
	for _, tc := range []struct {
		name             string
		in               ClusterInput
		wantSev          string
		wantText         string
		wantSurplusMonth float64 // single node, vCPU-hours a month
		wantMediumFits   bool
		// rollback alarms: CPUCreditBalance threshold (-1: none), CPUSurplusCreditsCharged or not
		wantBalanceAlarm float64
		wantChargedAlarm bool
	}{
		// 8 + 4 = 12%, within the 20% baseline with headroom (14.4).
		// The balance stays full: its alarm is at 20% of the 576-credit limit.
		{"quiet", burstPair(flat(8), flat(4)), "low", "averages up to 12.0%", 0, true, 115, true},
		// 15 + 9 = 24%: 4 points over the baseline on 2 vCPUs, every hour
		// in the steady state: 0.08 × 730 = 58.4 vCPU-hours a month, $5.26.
		// Paying already: no alarm on the balance or on the charges.
		{"over the baseline", burstPair(flat(15), flat(9)), "high", "about 58.4 vCPU-hours of surplus CPU credits a month ($5.26 at $0.09 per vCPU-hour)", 58.4, false, -1, false},
		// The writer at 30% in the day and 0 at night, the reader at 5%: a
		// 20% mean. No surplus, but 24% with headroom.
		{"at the baseline", burstPair(func(t time.Time) float64 { return 30 * dayBump(t) }, flat(5)), "medium",
			"with 20% headroom that exceeds the 20% baseline", 0, false, 115, true},
		// One weekday at 45% among days at 10% (both nodes together): the
		// balance runs out, the surplus is paid down the next night.
		{"a day of bursting", burstPair(func(t time.Time) float64 {
			if t.Sub(t0) >= 48*time.Hour && t.Sub(t0) < 72*time.Hour {
				return 40
			}
			return 5
		}, flat(5)), "medium", "uses up the accrued CPU credits in 16 hour(s), first at Wed 2026-11-04 20:00 UTC", 0, false, -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The single node on db.t4g.medium: the only candidate. Where
			// it fails cpu_credits, no candidate fits and the verdict is
			// keep (the node would pay for surplus credits), on the
			// writer's db.t4g.medium.
			in := tc.in
			in.Candidates = in.Candidates[:1]
			rec, err := Analyze(in, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			cc, ok := reason(rec, "cpu_credits")
			if !ok || cc.Passed != tc.wantMediumFits || cc.Limit != 20 || rec.RecommendedClass != "db.t4g.medium" ||
				(rec.Verdict == VerdictConsolidate) != tc.wantMediumFits {
				t.Errorf("verdict %s on %s, cpu_credits %+v; want consolidate only if it passes", rec.Verdict, rec.RecommendedClass, cc)
			}
			rs := burstRisks(rec)
			if len(rs) != 1 || rs[0].Severity != tc.wantSev || !strings.Contains(rs[0].Description, tc.wantText) {
				t.Fatalf("burst risks %+v; want one %s risk containing %q", rs, tc.wantSev, tc.wantText)
			}
			cr := rec.CPUCredits
			if cr == nil || cr.Class != "db.t4g.medium" || cr.Node != "" {
				t.Fatalf("single-node credits %+v; want db.t4g.medium's", cr)
			}
			if math.Abs(cr.SurplusVCPUHoursPerMonth-tc.wantSurplusMonth) > 1e-6 {
				t.Errorf("surplus %v vCPU-hours a month, want %v", cr.SurplusVCPUHoursPerMonth, tc.wantSurplusMonth)
			}
			// Today each node stays within its baseline on its own.
			if len(rec.NodeCPUCredits) != 2 || rec.NodeCPUCredits[0].Node != "sso-prod-1" || rec.NodeCPUCredits[1].Node != "sso-prod-2" {
				t.Fatalf("node credits %+v", rec.NodeCPUCredits)
			}
			c := rec.Cost
			if c.CurrentCreditVCPUHours != 0 || c.ProposedCreditVCPUHours != tc.wantSurplusMonth {
				t.Errorf("cost credits %v now, %v after; want 0, %v", c.CurrentCreditVCPUHours, c.ProposedCreditVCPUHours, tc.wantSurplusMonth)
			}
			wantUSD := round(tc.wantSurplusMonth*0.09, 2)
			if c.ProposedCreditsUSD != wantUSD || c.ProposedMonthlyUSD != round(53.29+wantUSD, 2) ||
				c.MonthlySavingsUSD != round(106.58-53.29-wantUSD, 2) {
				t.Errorf("proposed %v (credits %v), savings %v; want %v, %v, %v", c.ProposedMonthlyUSD, c.ProposedCreditsUSD,
					c.MonthlySavingsUSD, round(53.29+wantUSD, 2), wantUSD, round(106.58-53.29-wantUSD, 2))
			}
			var medium *ClassOption
			for i := range rec.Options {
				if rec.Options[i].Class.Name == "db.t4g.medium" {
					medium = &rec.Options[i]
				}
			}
			if medium == nil || slices.Contains(medium.Failed, "cpu_credits") == tc.wantMediumFits {
				t.Errorf("db.t4g.medium option %+v: cpu_credits failed should be %v", medium, !tc.wantMediumFits)
			}
			balance := where(rec.RollbackTriggers, func(a AlarmSpec) bool { return a.MetricName == MetricCPUCreditBalance })
			charged := where(rec.RollbackTriggers, func(a AlarmSpec) bool { return a.MetricName == MetricCPUSurplusCreditsCharged })
			if tc.wantBalanceAlarm < 0 && len(balance) != 0 || tc.wantBalanceAlarm >= 0 && (len(balance) != 1 ||
				balance[0].Threshold != tc.wantBalanceAlarm || balance[0].Statistic != "Minimum" || balance[0].PeriodSeconds != 300) {
				t.Errorf("CPUCreditBalance alarms %+v, want threshold %v (-1: none)", balance, tc.wantBalanceAlarm)
			}
			if tc.wantChargedAlarm != (len(charged) == 1) || len(charged) == 1 && (charged[0].Threshold != 0 ||
				charged[0].Statistic != "Sum" || charged[0].PeriodSeconds != 3600 || charged[0].EvaluationPeriods != 1) {
				t.Errorf("CPUSurplusCreditsCharged alarms %+v, want one: %v", charged, tc.wantChargedAlarm)
			}
			if md := rec.ReportMarkdown; !strings.Contains(md, "## CPU credits") ||
				!strings.Contains(md, "| sso-prod-1 (today) | db.t4g.medium | 20.0 |") ||
				!strings.Contains(md, "| single node (projected) | db.t4g.medium | 20.0 |") {
				t.Errorf("the report lacks the CPU credit table:\n%s", md)
			}
		})
	}
}

// dayBump is 1 from 08:00 to 20:00 UTC, else 0.
func dayBump(t time.Time) float64 {
	if h := t.Hour(); h >= 8 && h < 20 {
		return 1
	}
	return 0
}

// TestAnalyzeCPUCreditsOptions: a larger burstable class whose baseline
// holds the projected load with headroom fits where the smaller fails.
func TestAnalyzeCPUCreditsOptions(t *testing.T) {
	rec, err := Analyze(burstPair(flat(15), flat(9)), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rec.Options {
		// 24% with 20% headroom: 28.8, over db.t4g.medium's 20%, within
		// db.t4g.large's 30%.
		want := o.Class.Name == "db.t4g.medium"
		if slices.Contains(o.Failed, "cpu_credits") != want {
			t.Errorf("%s failed %v; cpu_credits expected %v", o.Class.Name, o.Failed, want)
		}
	}
}

// TestAnalyzeCPUCreditsFixedAndUnknown: no credit account for a
// fixed-performance class; a burstable one without a known baseline gets a
// medium risk saying so.
func TestAnalyzeCPUCreditsFixedAndUnknown(t *testing.T) {
	rec, err := Analyze(auroraPair(2), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.CPUCredits != nil || len(rec.NodeCPUCredits) != 0 || len(burstRisks(rec)) != 0 {
		t.Errorf("db.r6g.large: credits %+v, %+v, risks %+v; want none", rec.CPUCredits, rec.NodeCPUCredits, burstRisks(rec))
	}
	if strings.Contains(rec.ReportMarkdown, "## CPU credits") {
		t.Error("a CPU credit section for a fixed-performance class")
	}
	for _, a := range rec.RollbackTriggers {
		if a.MetricName == MetricCPUCreditBalance || a.MetricName == MetricCPUSurplusCreditsCharged {
			t.Errorf("a credit alarm for a fixed-performance class: %+v", a)
		}
	}
	in := burstPair(flat(8), flat(4))
	in.Nodes = slices.Clone(in.Nodes)
	for i := range in.Nodes {
		in.Nodes[i].Class = classT4gMedium
	}
	in.Candidates = []Candidate{{Class: classT4gMedium, SingleNodeHourlyUSD: 0.073}}
	rec, err = Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rs := burstRisks(rec); len(rs) != 1 || rs[0].Severity != "medium" || !strings.Contains(rs[0].Description, "baseline is unknown") {
		t.Errorf("risks %+v; want one medium risk naming the unknown baseline", rs)
	}
	if rec.CPUCredits != nil {
		t.Errorf("credits %+v without a baseline", rec.CPUCredits)
	}
	// With a baseline but without the writer's CPU, nothing to simulate: the risk says so.
	in = burstPair(flat(8), flat(4))
	in.Nodes = slices.Clone(in.Nodes)
	in.Nodes[0].Series = where(in.Nodes[0].Series, func(s Series) bool { return s.Metric != MetricCPU })
	rec, err = Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rs := burstRisks(rec); len(rs) != 1 || rs[0].Severity != "medium" || !strings.Contains(rs[0].Description, "no projected CPU") {
		t.Errorf("risks %+v; want one medium risk saying there is no projected CPU", rs)
	}
}

// TestCreditsInputErrors: a baseline out of range, or on a class that is
// not burstable, and a negative credit price are input errors.
func TestCreditsInputErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		mut  func(in *ClusterInput)
		want string
	}{
		"baseline over 100": {func(in *ClusterInput) { in.Nodes[0].Class.BaselineCPUPercent = 120 }, "must be between 0 and 100"},
		"baseline NaN":      {func(in *ClusterInput) { in.Nodes[1].Class.BaselineCPUPercent = math.NaN() }, "must be between 0 and 100"},
		"fixed class":       {func(in *ClusterInput) { in.Nodes[0].Class.Burstable = false }, "not burstable"},
		"candidate":         {func(in *ClusterInput) { in.Candidates[1].Class.BaselineCPUPercent = -1 }, "candidate 1"},
		"negative price":    {func(in *ClusterInput) { in.CPUCreditUSDPerVCPUHour = -0.09 }, "CPU credit price"},
		"infinite price":    {func(in *ClusterInput) { in.CPUCreditUSDPerVCPUHour = math.Inf(1) }, "CPU credit price"},
	} {
		in := burstPair(flat(8), flat(4))
		in.Nodes, in.Candidates = slices.Clone(in.Nodes), slices.Clone(in.Candidates)
		tc.mut(&in)
		if _, err := Analyze(in, Policy{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
}

// TestCreditAlarms: the balance alarm sits at the headroom share of the
// limit, or at half the projected lowest balance when that is lower.
func TestCreditAlarms(t *testing.T) {
	for _, tc := range []struct {
		minBalance float64
		depleted   int
		want       float64 // -1: no alarm
	}{{576, 0, 115}, {150, 0, 75}, {2, 0, 1}, {0.4, 0, -1}, {0, 0, -1}, {300, 2, -1}} {
		cr := &CPUCredits{Class: "db.t4g.medium", VCPU: 2, BaselinePercent: 20, MaxBalance: 576, MinBalance: tc.minBalance, DepletedHours: tc.depleted}
		as := where(RollbackTriggers(TriggerInput{Instance: "i", Class: classT4gMediumB, CPUCredits: cr}, Policy{}),
			func(a AlarmSpec) bool { return a.MetricName == MetricCPUCreditBalance })
		if tc.want < 0 && len(as) != 0 || tc.want >= 0 && (len(as) != 1 || as[0].Threshold != tc.want) {
			t.Errorf("lowest balance %v, %d hours depleted: alarms %+v, want threshold %v (-1: none)", tc.minBalance, tc.depleted, as, tc.want)
		}
	}
}

// TestClassOptionsCountCurrentCredits: each class option's monthly savings are what the
// recommendation would say on that class (costEstimate), the surplus CPU credits the current
// nodes pay included. They were left out: on two db.t4g.medium nodes each over its 20% baseline
// (30% and 25%, paying surplus every hour), a db.m6g.xlarge option, which pays none, was said to
// save only the instance hours, short of what dropping the two burstable nodes saves.
func TestClassOptionsCountCurrentCredits(t *testing.T) {
	in := burstPair(flat(30), flat(25))
	m6gXLarge := InstanceClass{Name: "db.m6g.xlarge", VCPU: 4, MemoryGiB: 16, BaselineIOPS: 6000, NetworkBaselineBytesPerSec: 1.25e9 / 8}
	in.Candidates = append(in.Candidates, Candidate{Class: m6gXLarge, SingleNodeHourlyUSD: 0.304})
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	c := rec.Cost
	if !c.Known || !(c.CurrentCreditsUSD > 0) {
		t.Fatalf("cost %+v: want the current nodes' surplus credits priced", c)
	}
	var m6g *ClassOption
	for i, o := range rec.Options {
		if o.Class.Name == m6gXLarge.Name {
			m6g = &rec.Options[i]
		}
		if o.Class.Name == rec.RecommendedClass && o.MonthlySavingsUSD != c.MonthlySavingsUSD {
			t.Errorf("the recommended %s option saves %v, the recommendation %v", o.Class.Name, o.MonthlySavingsUSD, c.MonthlySavingsUSD)
		}
	}
	if m6g == nil || !m6g.Fits {
		t.Fatalf("db.m6g.xlarge option %+v: want one that fits", m6g)
	}
	// It pays no surplus credits: its savings are the current cost, credits included, less its price.
	if want := round(c.CurrentMonthlyUSD-m6g.MonthlyUSD, 2); m6g.MonthlySavingsUSD != want {
		t.Errorf("db.m6g.xlarge saves %v a month, want %v (current %v with $%v of surplus credits, less %v)",
			m6g.MonthlySavingsUSD, want, c.CurrentMonthlyUSD, c.CurrentCreditsUSD, m6g.MonthlyUSD)
	}
}

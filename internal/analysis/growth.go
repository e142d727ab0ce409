package analysis

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Growth is the measured trend of a projected single-node load over the
// lookback, and how long the capacity check on the recommended class would
// keep passing at that rate. The 20% headroom of the default policy is a
// fixed allowance for growth; Growth measures the growth itself, so that a
// load that would use the allowance up within months is reported (as a
// "capacity" risk) rather than found by a rollback alarm after the change.
//
// The daily value is the busiest hour of each UTC day (the highest hourly
// mean, of days with at least MinGrowthDayHours hours with data and not cut
// by the start or end of the data: see dailyBusiestHour): the level
// that the p99 the checks judge rests on, one value a day, free of the
// daily cycle. Its trend is the Seasonal Kendall test and slope (Hirsch,
// Slack and Smith 1982) with the day of the week as the season: only days
// on the same weekday, 7, 14, 21… days apart, are compared, so a weekly
// cycle (quiet weekends) is not taken for a trend however the window falls
// on it. The test assumes the days' values independent apart from the
// trend and the weekly cycle; a trend is reported only at |Z| ≥ GrowthZ.
//
// On a burstable class the CPU has a second, sustained limit: its CPU
// credit baseline, which the "cpu_credits" check holds the highest 24-hour
// mean to. Its Growth (Metric "cpu_credits") trends the daily mean instead
// of the busiest hour (dailyMean), by the same test and rules. A load
// with a modest daily cycle meets that baseline (20% a vCPU on
// db.t4g.medium, 30% on db.t4g.large, against a 40% alert threshold for
// the p99) long before its p99 meets its limit.
type Growth struct {
	// Metric is the projected quantity, as in Utilization: "cpu" (in
	// percent of the recommended class's vCPUs) or "iops" (ReadIOPS +
	// WriteIOPS, count/second); or "cpu_credits", the projected CPU (in
	// percent of the recommended class's vCPUs) against the class's CPU
	// credit baseline, when the class is burstable and the cpu_credits
	// check is made (Recommendation.CPUCredits with a 24-hour mean).
	Metric string
	// Unit of PerMonth and Level: "percent" or "count/second".
	Unit string
	// Days is the number of UTC days with a daily value.
	Days int
	// Pairs is the number of same-weekday pairs of those days compared
	// (0 when no weekday has two days with a value, as with under 8 days of data).
	Pairs int
	// PerMonth is the Seasonal Kendall slope, the median over the pairs of
	// the change per day, × 30: the change of the daily busiest hour (the
	// daily mean for cpu_credits) per 30 days, in Unit; NaN when Pairs is 0.
	PerMonth float64
	// Z is the Seasonal Kendall statistic, continuity-corrected and
	// corrected for ties: positive for a rising load; NaN when Pairs is 0,
	// and 0 when every pair is tied.
	Z float64
	// Growing is true when Z ≥ GrowthZ, PerMonth > 0 and Days ≥
	// MinGrowthDays, and the rise does not rest on one week at either end:
	// with the first 7 days of data left out, and again with the last 7,
	// the test still gives Z ≥ GrowthWeekZ and a positive slope. A quiet
	// first week (a holiday, an outage) or a busy last one (a month end, a
	// one-off job) lifts the later days against the earlier ones and reads
	// as a rise; a trend runs through the weeks between as well.
	Growing bool
	// Level is the projected p99 on the recommended class, in Unit: what
	// the capacity check judges, with headroom, against its limit; for
	// cpu_credits the projected CPU's highest 24-hour mean
	// (CPUCredits.Peak24hMeanPercent), what the cpu_credits check judges,
	// with headroom, against the class's baseline.
	Level float64
	// DaysToLimit, when Growing and the check has a limit, is the number of
	// days (from the end of the window) until Level rising at PerMonth's
	// rate, linearly, with headroom, reaches the check's limit (for
	// cpu_credits, the class's CPU credit baseline); 0 when it is there
	// already. NaN when not Growing, or the check has no limit (iops
	// without the class's baseline IOPS).
	DaysToLimit float64
}

const (
	// GrowthZ is the |Z| at which a trend is reported: 1.96, a 2.5% chance
	// each way that a load with no trend is called rising (or falling).
	GrowthZ = 1.96
	// GrowthWeekZ is the Z the test must still give with the first or the
	// last week of data left out for a rise to be reported (Growing): 1,
	// about one chance in six that a load with no trend clears it, checked
	// on three weeks of data where the whole window had four.
	GrowthWeekZ = 1.0
	// MinGrowthDayHours is the number of hours with data a UTC day needs for
	// a daily value: a day missing its busy hours would read low.
	MinGrowthDayHours = 20
	// MinGrowthDays is the number of daily values a trend needs to be
	// reported: three of each weekday. With two, one change of level
	// between the two weeks (a release, a new batch job, an incident)
	// always reads as a trend, and two weeks extrapolated over months
	// overstate it.
	MinGrowthDays = 21
	// growthHorizonDays is how far ahead a growth is reported as a risk:
	// a year, the term of the shortest reserved instance.
	growthHorizonDays = 365
)

// growthOf measures the trend of the projected CPU and IOPS (Growth), in
// the units of the checks on class c, in that order, then, when cr (the
// credit account of c simulated over the projected CPU, nil when not) has
// a 24-hour mean, the cpu_credits Growth: the daily mean of the projected
// CPU against c's baseline. Quantities not projected (no hourly
// aggregates) are left out.
func growthOf(pr Projection, c InstanceClass, p Policy, cr *CPUCredits) []Growth {
	h := 1 + p.HeadroomPercent/100
	var out []Growth
	if len(pr.cpuH.mean) > 0 && c.VCPU > 0 {
		scale := pr.Class.VCPU / c.VCPU
		g := trendOf("cpu", "percent", pr.cpuH, pr.period, scale)
		g.Level = pr.CPU.P99 * scale
		g.DaysToLimit = daysToLimit(g, float64(g.Level*h), float64(g.PerMonth*h), p.AlertThresholdPercent)
		out = append(out, g)
	}
	if len(pr.iopsH.mean) > 0 {
		g := trendOf("iops", "count/second", pr.iopsH, pr.period, 1)
		g.Level = pr.IOPS.P99
		g.DaysToLimit = math.NaN()
		if c.BaselineIOPS > 0 {
			pct := 100 / c.BaselineIOPS * h
			g.DaysToLimit = daysToLimit(g, float64(g.Level*pct), float64(g.PerMonth*pct), p.AlertThresholdPercent)
		}
		out = append(out, g)
	}
	if cr != nil && cr.Peak24hMeanPercent == cr.Peak24hMeanPercent && len(pr.cpuH.mean) > 0 && c.VCPU > 0 {
		// The check this Growth projects is classChecks' cpu_credits: the
		// highest 24-hour mean, with headroom, against the baseline.
		g := trendOfDaily("cpu_credits", "percent", dailyMean(pr.cpuH, pr.period), pr.Class.VCPU/c.VCPU)
		g.Level = cr.Peak24hMeanPercent
		g.DaysToLimit = daysToLimit(g, float64(g.Level*h), float64(g.PerMonth*h), cr.BaselinePercent)
		out = append(out, g)
	}
	return out
}

// trendOf is the Growth of the daily busiest hour of hourly aggregates k of
// a series sampled at period, values multiplied by scale (Level and
// DaysToLimit left for the caller).
func trendOf(metric, unit string, k hourly, period time.Duration, scale float64) Growth {
	return trendOfDaily(metric, unit, dailyBusiestHour(k, period), scale)
}

// trendOfDaily is the Growth of daily values y (index 0 a UTC day, NaN for
// none), multiplied by scale (Level and DaysToLimit left for the caller).
func trendOfDaily(metric, unit string, y []float64, scale float64) Growth {
	slope, z, pairs := seasonalKendall(y, 7)
	g := Growth{Metric: metric, Unit: unit, Pairs: pairs, PerMonth: slope * 30 * scale, Z: z}
	for _, v := range y {
		if v == v {
			g.Days++
		}
	}
	g.Growing = z >= GrowthZ && g.PerMonth > 0 && g.Days >= MinGrowthDays && notOneWeek(y)
	return g
}

// notOneWeek reports whether the rise of daily values y holds with the
// first 7 days of data (from the first value) left out and with the last 7
// left out: Z ≥ GrowthWeekZ and a positive slope both times (Growing). The
// slices keep y's alignment to the weekday seasons: they start at an index
// 7 on, or at 0.
func notOneWeek(y []float64) bool {
	first, last := -1, -1
	for i, v := range y {
		if v == v {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 || last-first < 14 {
		return false
	}
	for _, part := range [][]float64{y[first+7:], y[:last-6]} {
		if slope, z, _ := seasonalKendall(part, 7); !(z >= GrowthWeekZ && slope > 0) {
			return false
		}
	}
	return true
}

// daysToLimit is the days until value, the check's value with headroom,
// rising by perMonth (with headroom) every 30 days, reaches limit: 0 when
// already at it; NaN when g is not growing.
func daysToLimit(g Growth, value, perMonth, limit float64) float64 {
	switch {
	case !g.Growing || value != value:
		return math.NaN()
	case value >= limit:
		return 0
	}
	return (limit - value) / (perMonth / 30)
}

// dailyBusiestHour returns, for each UTC day that k's hours touch, the
// highest hourly mean of the day, or NaN when the day has fewer than
// MinGrowthDayHours hours with data, or when the data starts after the
// day's first hour or ends before its last (the window, or the data in it,
// starts or ends within the day). Index 0 is the day of k's first hour.
// k aggregates a series sampled at period: a point of a period over an hour
// (period_seconds 7200 gives 12 hours with a point a day) stands for the
// hours of its period; the day's value is then its busiest period's mean.
// A period of an hour or less (or 0) counts each hour with data once.
//
// A gap inside the data misses hours at random, rarely the busy ones; the
// data's start and end always miss the same hours of the first and last
// days, and when those are the busy hours (a peak at 01:00 UTC, a window
// starting at 04:00), the first day always reads low: a rise that is not
// there. MinGrowthDayHours alone let such days count.
func dailyBusiestHour(k hourly, period time.Duration) []float64 {
	return dailyValues(k, period, false)
}

// dailyMean returns, for each UTC day that k's hours touch, the mean of
// the day's hours with data, each hour weighted by its datapoints (as the
// 24-hour means of CPUCredits are), under dailyBusiestHour's rules: NaN for
// a day with fewer than MinGrowthDayHours hours with data, or cut by the
// start or end of the data. The highest 24-hour mean the cpu_credits check
// judges rests on it as the p99 rests on the busiest hour; it is free of
// the daily cycle too.
func dailyMean(k hourly, period time.Duration) []float64 {
	return dailyValues(k, period, true)
}

// dailyValues is dailyBusiestHour (mean false) or dailyMean (mean true).
func dailyValues(k hourly, period time.Duration, mean bool) []float64 {
	if len(k.mean) == 0 {
		return nil
	}
	const hoursPerDay = 24
	first := floorDiv(k.start.Unix(), 3600) // hours since the epoch
	day0 := floorDiv(first, hoursPerDay)
	days := int(floorDiv(first+int64(len(k.mean))-1, hoursPerDay)-day0) + 1
	span := math.Max(1, period.Hours()) // hours each point stands for
	y := make([]float64, days)
	n := make([]float64, days) // hours with data
	var w []float64            // datapoints, for the mean
	if mean {
		w = make([]float64, days)
	} else {
		for i := range y {
			y[i] = math.Inf(-1)
		}
	}
	var lo, hi int64 // the first and last hours with data, since the epoch
	seen := false
	for i, c := range k.count {
		if c == 0 || k.mean[i] != k.mean[i] {
			continue
		}
		h := first + int64(i)
		if !seen {
			lo, seen = h, true
		}
		hi = h
		d := int(floorDiv(h, hoursPerDay) - day0)
		n[d] += span
		if mean {
			y[d] += float64(k.mean[i] * float64(c))
			w[d] += float64(c)
		} else {
			y[d] = math.Max(y[d], k.mean[i])
		}
	}
	for d := range y {
		switch {
		case n[d] < MinGrowthDayHours:
			y[d] = math.NaN()
		case mean:
			y[d] /= w[d]
		}
	}
	if seen {
		if floorDiv(lo, hoursPerDay)*hoursPerDay != lo { // the data starts after the day's 00:00
			y[floorDiv(lo, hoursPerDay)-day0] = math.NaN()
		}
		if hi+int64(math.Ceil(span)) < (floorDiv(hi, hoursPerDay)+1)*hoursPerDay { // it ends before the day's 24:00
			y[floorDiv(hi, hoursPerDay)-day0] = math.NaN()
		}
	}
	return y
}

// seasonalKendall is the Seasonal Kendall test and slope of y (one value
// per time step, NaN for none) with seasons of period steps (season of
// step i: i mod period): over every pair i < j of values in the same
// season, S = Σ sign(y[j] − y[i]), its variance under no trend Σ over
// seasons of n(n−1)(2n+5)/18 less, for each group of t tied values,
// t(t−1)(2t+5)/18, Z = (S − sign(S)) / √variance, and the slope the median
// of (y[j] − y[i]) / (j − i). It returns NaN, NaN, 0 when no season has two
// values, and Z 0 when every pair is tied.
func seasonalKendall(y []float64, period int) (slope, z float64, pairs int) {
	var (
		s, variance float64
		slopes      []float64
		vals        []float64
	)
	if period > 0 {
		k := (len(y) + period - 1) / period // steps of the longest season
		slopes = make([]float64, 0, period*k*(k-1)/2)
	}
	for season := 0; season < period; season++ {
		vals = vals[:0]
		for i := season; i < len(y); i += period {
			if y[i] != y[i] {
				continue
			}
			vals = append(vals, y[i])
			for j := i + period; j < len(y); j += period {
				if y[j] != y[j] {
					continue
				}
				d := y[j] - y[i]
				switch {
				case d > 0:
					s++
				case d < 0:
					s--
				}
				slopes = append(slopes, d/float64(j-i))
			}
		}
		n := float64(len(vals))
		variance += n * (n - 1) * (2*n + 5) / 18
		slices.Sort(vals)
		for i := 0; i < len(vals); {
			j := i + 1
			for j < len(vals) && vals[j] == vals[i] {
				j++
			}
			if t := float64(j - i); t > 1 {
				variance -= t * (t - 1) * (2*t + 5) / 18
			}
			i = j
		}
	}
	if len(slopes) == 0 {
		return math.NaN(), math.NaN(), 0
	}
	// The median by selection (selectKth: everything before index m is at
	// most slopes[m]), not a sort: a 455-day window has 14,560 pairs.
	m := len(slopes) / 2
	slope = selectKth(slopes, m)
	if len(slopes)%2 == 0 {
		slope = (slices.Max(slopes[:m]) + slope) / 2
	}
	switch {
	case s > 0 && variance > 0:
		z = (s - 1) / math.Sqrt(variance)
	case s < 0 && variance > 0:
		z = (s + 1) / math.Sqrt(variance)
	}
	return slope, z, len(slopes)
}

// risk is the "capacity" risk of a Growing load reaching its check's limit
// on class c within growthHorizonDays of the window's end (at end): high
// within 30 days, medium within 90 (a quarter), low within a year. None
// when not growing, without a limit, or when the check fails already (the
// check says so). On Multi-AZ the writer carries the load with or without
// its standby, so the remedy is capacity; on Aurora keeping the reader
// also is. A deployment of one node already (oneNode: Single-AZ, or an
// Aurora cluster of one instance) has no standby or reader to speak of:
// the remedy is capacity alone.
//
// The cpu_credits Growth's risk is a "burst" risk, as the credit account's
// are (burstRisk), with the same bands. Past its baseline a burstable
// class keeps its CPU: RDS and Aurora run T classes in unlimited mode, so
// the node pays for surplus credits (a cost before it is a capacity
// problem), and the cpu_credits check, which a recommendation to
// consolidate requires, fails. The remedy is a class whose baseline holds
// the load (a fixed-performance one, or a larger burstable one).
func (g Growth) risk(c InstanceClass, p Policy, end time.Time, t Topology, oneNode bool) (Risk, bool) {
	if !g.Growing || g.DaysToLimit != g.DaysToLimit || g.DaysToLimit <= 0 || g.DaysToLimit > growthHorizonDays {
		return Risk{}, false
	}
	sev := "low"
	switch {
	case g.DaysToLimit <= 30:
		sev = "high"
	case g.DaysToLimit <= 90:
		sev = "medium"
	}
	if g.Metric == "cpu_credits" {
		return g.creditsRisk(c, p, end, t, oneNode, sev), true
	}
	what, rate, level := "CPU", fmt.Sprintf("%.2f points of its vCPUs", g.PerMonth), fmt.Sprintf("%.1f%%", g.Level)
	check := fmt.Sprintf("the CPU p99 with %.0f%% headroom reaches the %.0f%% limit", p.HeadroomPercent, p.AlertThresholdPercent)
	remedy := "a larger class"
	if g.Metric == "iops" {
		what, rate, level = "IOPS", num(g.PerMonth, 1)+" IOPS", num(g.Level, 0)+" IOPS"
		check = fmt.Sprintf("the IOPS p99 with %.0f%% headroom reaches %.0f%% of the %.0f baseline IOPS of %s",
			p.HeadroomPercent, p.AlertThresholdPercent, c.BaselineIOPS, c.iopsBasis())
		remedy = "more IOPS (a larger class, or more gp3 or provisioned IOPS)"
	}
	plan, when := g.planWhen(remedy, end, t, oneNode)
	return Risk{Category: "capacity", Severity: sev, Description: fmt.Sprintf(
		"Growing load: the projected %s on %s, at the busiest hour of each day, rose by %s per 30 days over the %d days measured "+
			"(Seasonal Kendall slope over %d same-weekday pairs, Z = %.2f); p99 over the window %s. At that rate %s in about %.0f days%s: %s",
		what, c.Name, rate, g.Days, g.Pairs, g.Z, level, check, math.Ceil(g.DaysToLimit), when, plan)}, true
}

// creditsRisk is risk's "burst" risk of severity sev for the cpu_credits
// Growth g on burstable class c.
func (g Growth) creditsRisk(c InstanceClass, p Policy, end time.Time, t Topology, oneNode bool, sev string) Risk {
	const remedy = "a class whose baseline holds the load (a fixed-performance class, or a burstable one with a higher baseline)"
	plan, when := g.planWhen(remedy, end, t, oneNode)
	return Risk{Category: "burst", Severity: sev, Description: fmt.Sprintf(
		"Growing load against the CPU credit baseline: the projected CPU on %s, its mean over each day, rose by %.2f points of its vCPUs per 30 days over the %d days measured "+
			"(Seasonal Kendall slope over %d same-weekday pairs, Z = %.2f); its highest 24-hour mean over the window %.1f%%. "+
			"At that rate the highest 24-hour mean with %.0f%% headroom reaches the %g%% CPU credit baseline of %s in about %.0f days%s. "+
			"A cost before it is a capacity problem: RDS and Aurora run T classes in unlimited mode, so past the baseline the node keeps bursting and pays for surplus CPU credits, "+
			"and the cpu_credits check fails; %s",
		c.Name, g.PerMonth, g.Days, g.Pairs, g.Z, g.Level, p.HeadroomPercent, c.BaselineCPUPercent, c.Name, math.Ceil(g.DaysToLimit), when, plan)}
}

// planWhen is a growth risk's advice to plan remedy, worded for the deployment (topology t, or
// one node already), and the date, from the window's end (none when end is zero), when g reaches
// its limit.
func (g Growth) planWhen(remedy string, end time.Time, t Topology, oneNode bool) (plan, when string) {
	plan = fmt.Sprintf("the writer carries this load with or without its standby: plan %s by then", remedy)
	switch {
	case oneNode:
		plan = fmt.Sprintf("plan %s by then", remedy)
	case t == TopologyAurora:
		plan = fmt.Sprintf("plan %s by then, or keep the reader", remedy)
	}
	if !end.IsZero() {
		when = fmt.Sprintf(", around %s", end.UTC().Add(time.Duration(g.DaysToLimit*24*float64(time.Hour))).Format("2006-01-02"))
	}
	return plan, when
}

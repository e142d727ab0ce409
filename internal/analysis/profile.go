package analysis

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// HoursPerWeek is the number of hour-of-week buckets.
const HoursPerWeek = 168

// hourly holds a series aggregated into consecutive UTC hours.
type hourly struct {
	start          time.Time // first hour (Start truncated to the hour), UTC
	startNs        int64
	mean, min, max []float64 // per hour; NaN when the hour has no valid point
	count          []int
}

// newHourly returns the hours covering [s.Start, s.End), all NaN (counts
// zero). mean, min and max share one backing array, in that order (mean's
// capacity spans all three), so that releaseHourly can recycle it; the
// arrays come from hourlyPool when one is large enough.
func newHourly(s Series) hourly {
	h0 := s.Start.UTC().Truncate(time.Hour)
	nh := int((s.End.Sub(h0) + time.Hour - 1) / time.Hour)
	if nh < 0 {
		nh = 0
	}
	var (
		f []float64
		c []int
	)
	if b, _ := hourlyPool.Get().(*hourlyBufs); b != nil && cap(b.f) >= 3*nh && cap(b.c) >= nh {
		f, c = b.f[:3*nh], b.c[:nh]
		clear(c)
	} else {
		f, c = make([]float64, 3*nh), make([]int, nh)
	}
	nan := math.NaN()
	for i := range f {
		f[i] = nan
	}
	return hourly{start: h0, startNs: h0.UnixNano(), mean: f[:nh], min: f[nh : 2*nh : 2*nh], max: f[2*nh : 3*nh : 3*nh], count: c}
}

// hourlyBufs are the backing arrays of a released hourly.
type hourlyBufs struct {
	f []float64 // mean, min, max
	c []int     // count
}

var hourlyPool sync.Pool

// releaseHourly recycles the arrays of h, made by newHourly, once nothing
// refers to them any more (Analyze releases its node aggregates that did not
// become part of the projection).
func releaseHourly(h hourly) {
	nh := len(h.mean)
	if nh == 0 || cap(h.mean) < 3*nh || len(h.count) != nh || nh > 1<<20 {
		return
	}
	hourlyPool.Put(&hourlyBufs{f: h.mean[:3*nh], c: h.count})
}

// summarizeHourly validates s and returns its Summary and hourly aggregates
// in one pass.
func summarizeHourly(s Series) (Summary, hourly, error) {
	if err := s.validateShape(); err != nil {
		return Summary{}, hourly{}, err
	}
	sum, h, _, err := scanSeries(s, true)
	return sum, h, err
}

// Profile is a series folded onto a cycle: the mean of the valid points that
// fall in each bucket.
type Profile struct {
	Metric string // metric of the folded series
	Unit   string // unit of Mean
	// Mean per bucket; NaN for a bucket without data.
	Mean []float64
	// Count of valid datapoints per bucket.
	Count []int
}

// HourOfWeekProfile folds s onto the 168 hours of the UTC week. Bucket index
// is int(weekday)*24 + hour with time.Weekday numbering (Sunday = 0), so
// bucket 0 is Sunday 00:00-01:00 UTC. Gaps and NaN values contribute nothing;
// a bucket without data is NaN. Preconditions as for Summarize (errors wrap
// ErrBadSeries or ErrUnsorted). s is not modified.
func HourOfWeekProfile(s Series) (Profile, error) {
	_, h, err := summarizeHourly(s)
	if err != nil {
		return Profile{}, err
	}
	return foldHourly(s, h, HoursPerWeek), nil
}

// HourOfDayProfile folds s onto the 24 hours of the UTC day (bucket = hour).
// Same rules as HourOfWeekProfile.
func HourOfDayProfile(s Series) (Profile, error) {
	_, h, err := summarizeHourly(s)
	if err != nil {
		return Profile{}, err
	}
	return foldHourly(s, h, 24), nil
}

// foldHourly folds hourly aggregates onto a cycle of n hours (24 or 168),
// weighting each hour by its point count so the bucket mean is the mean of
// the raw points.
func foldHourly(s Series, h hourly, n int) Profile {
	return foldHours(s.Metric, s.Unit, h, n)
}

// spreadHours is k (hourly aggregates of a series sampled at period) with each point of a period
// over an hour also standing for the following hours its period covers (ceil(period / 1 h) hours in
// all; the last one of a period that is not a whole number of hours, such as 5400 s, in part),
// where those hours have no point of their own; each such hour counts the point once. A period of
// an hour or less (or 0) returns k itself. k is not modified.
func spreadHours(k hourly, period time.Duration) hourly {
	span := int((period + time.Hour - 1) / time.Hour)
	if span <= 1 || len(k.mean) == 0 {
		return k
	}
	out := hourly{start: k.start, startNs: k.startNs, mean: slices.Clone(k.mean), count: slices.Clone(k.count)}
	for i, c := range k.count {
		if c == 0 || k.mean[i] != k.mean[i] {
			continue
		}
		for j := i + 1; j < i+span && j < len(k.count) && k.count[j] == 0; j++ {
			out.mean[j], out.count[j] = k.mean[i], 1
		}
	}
	return out
}

func foldHours(metric, unit string, h hourly, n int) Profile {
	p := Profile{Metric: metric, Unit: unit, Mean: make([]float64, n), Count: make([]int, n)}
	sums := make([]float64, n)
	off := hourOfWeek(h.start)
	for i, c := range h.count {
		if c == 0 {
			continue
		}
		b := (off + i) % HoursPerWeek % n
		sums[b] += float64(h.mean[i] * float64(c))
		p.Count[b] += c
	}
	for b := range p.Mean {
		if p.Count[b] == 0 {
			p.Mean[b] = math.NaN()
		} else {
			p.Mean[b] = sums[b] / float64(p.Count[b])
		}
	}
	return p
}

// hourOfWeek is the bucket of t: int(weekday)*24 + hour, UTC.
func hourOfWeek(t time.Time) int {
	u := t.UTC()
	return int(u.Weekday())*24 + u.Hour()
}

// Seasonality holds autocorrelations of the detrended hourly means of a
// series: for each lag, the hourly means minus their moving average over
// that lag (detrend), so that a trend, a level shift or a slow drift, which
// correlates with itself a day or a week later without repeating, is not
// measured as a cycle.
type Seasonality struct {
	// Daily is the autocorrelation at a 24-hour lag of the hourly means
	// less their 24-hour moving average, in [-1, 1]; NaN when fewer than 18
	// pairs of hours 24 h apart both have data (three quarters of the lag:
	// about two days, a few hours missing).
	Daily float64
	// Weekly is the autocorrelation at a 168-hour lag of the hourly means
	// less their 168-hour moving average; NaN when fewer than 126 pairs
	// (three quarters of the lag) exist: about two weeks of data, of which
	// up to about 20 hours may be missing.
	Weekly      float64
	DailyPairs  int // number of hour pairs behind Daily
	WeeklyPairs int // number of hour pairs behind Weekly
	// DailyWeeklyDetrended is the autocorrelation at 24 h of the means
	// detrended as for Weekly (NaN as for Daily): what Weekly is compared
	// with to tell a weekly cycle from a daily one, on the same series. (A
	// weekend's lower level, part of a weekly cycle, is removed by the
	// 24-hour moving average, which can make Daily higher than this.)
	DailyWeeklyDetrended float64
}

// SeasonalityOf measures daily and weekly seasonality of s as the
// autocorrelation of its hourly means, detrended by a moving average of the
// lag's length (detrend), at lags 24 h and 168 h (pairs where either hour
// has no data are skipped). A constant series has no variance and gets 0
// for each measurable lag. Preconditions as for Summarize. s is not
// modified.
func SeasonalityOf(s Series) (Seasonality, error) {
	_, h, err := summarizeHourly(s)
	if err != nil {
		return Seasonality{}, err
	}
	return seasonalityOf(h.mean), nil
}

func seasonalityOf(x []float64) Seasonality {
	buf := make([]float64, len(x))
	dx := detrend(x, 24, buf)
	d, dp := autocorr(dx, 24)
	wx := detrend(x, HoursPerWeek, buf)
	w, wp := autocorr(wx, HoursPerWeek)
	dw, _ := autocorr(wx, 24)
	return Seasonality{Daily: d, Weekly: w, DailyPairs: dp, WeeklyPairs: wp, DailyWeeklyDetrended: dw}
}

// detrend returns x minus its moving average over period hours, in dst
// (len(x)): the average of the valid values in the period-long window
// [i − period/2, i + period/2), moved inside x where it would overrun an
// end (so that it always spans a whole period when x does), NaN where x is
// NaN or the window holds fewer than period/2 valid values. A whole
// period's average of a cycle of that period is its mean, so the cycle is
// kept while slower changes (a trend, a level shift, a slow drift) are
// removed.
func detrend(x []float64, period int, dst []float64) []float64 {
	n := len(x)
	sum := make([]float64, n+1)
	cnt := make([]int, n+1)
	for i, v := range x {
		sum[i+1], cnt[i+1] = sum[i], cnt[i]
		if v == v {
			sum[i+1] += v
			cnt[i+1]++
		}
	}
	w := min(period, n)
	for i, v := range x {
		lo := min(max(i-period/2, 0), n-w)
		hi := lo + w
		c := cnt[hi] - cnt[lo]
		if v != v || 2*c < w {
			dst[i] = math.NaN()
			continue
		}
		dst[i] = v - (sum[hi]-sum[lo])/float64(c)
	}
	return dst
}

// minPairs is the fewest valid pairs autocorr measures a lag with: three quarters of the lag, so
// that a series spanning twice the lag (the default 14-day lookback at 168 h) is still measured
// with a few hours missing, each of which removes up to two pairs.
func minPairs(lag int) int { return (3*lag + 3) / 4 }

// autocorr is the lag-L autocorrelation of x (NaN = missing): the mean
// product of deviations over valid pairs divided by the variance over valid
// points. It returns NaN when there are fewer than minPairs(lag) pairs.
func autocorr(x []float64, lag int) (float64, int) {
	var sum float64
	n := 0
	for _, v := range x {
		if v == v {
			sum += v
			n++
		}
	}
	pairs := 0
	for i := 0; i+lag < len(x); i++ {
		if x[i] == x[i] && x[i+lag] == x[i+lag] {
			pairs++
		}
	}
	if pairs < minPairs(lag) || n == 0 {
		return math.NaN(), pairs
	}
	mean := sum / float64(n)
	var den float64
	for _, v := range x {
		if v == v {
			den += float64((v - mean) * (v - mean))
		}
	}
	den /= float64(n)
	if den <= 1e-12*math.Max(1, mean*mean) {
		return 0, pairs
	}
	var num float64
	for i := 0; i+lag < len(x); i++ {
		a, b := x[i], x[i+lag]
		if a == a && b == b {
			num += float64((a - mean) * (b - mean))
		}
	}
	r := num / float64(pairs) / den
	return math.Max(-1, math.Min(1, r)), pairs
}

// Pattern is a workload pattern class.
type Pattern string

// Workload patterns, after the seed's "steady state, variable but
// predictable, dev/test/production cycles".
const (
	PatternSteady       Pattern = "steady"            // little variation, or variation without a cycle or peaks (a drift, a level shift, noise)
	PatternDailyCycle   Pattern = "daily-cycle"       // variable but predictable, repeats every day
	PatternWeeklyCycle  Pattern = "weekly-cycle"      // repeats every week (e.g. weekday vs weekend)
	PatternSpiky        Pattern = "spiky"             // no cycle, and peaks well above the typical load (p99 / p50)
	PatternInsufficient Pattern = "insufficient-data" // too little data to tell
)

// PatternThresholds are the cut-offs ClassifyPattern uses.
type PatternThresholds struct {
	// MinCoverage: below this coverage the pattern is insufficient-data.
	MinCoverage float64
	// MinHours: fewer hours with data than this is insufficient-data.
	MinHours int
	// SteadyMaxCV: a coefficient of variation (stddev/mean) at or below this
	// is steady.
	SteadyMaxCV float64
	// SeasonalMinACF: autocorrelation of the detrended hourly means
	// (SeasonalityOf) at or above this at 24 h (168 h) makes a daily
	// (weekly) cycle.
	SeasonalMinACF float64
	// WeeklyMargin: weekly wins over daily only when its autocorrelation
	// exceeds the daily one by at least this much.
	WeeklyMargin float64
	// SpikyMinPeakRatio: a series that is neither steady by its CV nor
	// cyclic is spiky when its p99 is at least this many times its p50 (any
	// p99 above a p50 of 0 or less), else steady. 0 makes every such series
	// whose p99 exceeds its p50 spiky (the catch-all it was before).
	SpikyMinPeakRatio float64
}

// DefaultPatternThresholds returns the defaults:
//   - MinCoverage 0.5 and MinHours 48: two days are the least that shows
//     whether a day repeats; pattern needs less than the verdict does.
//   - SteadyMaxCV 0.15: ±15% around the mean is within what 20% headroom
//     absorbs, so the shape does not matter for sizing.
//   - SeasonalMinACF 0.5: a correlation of 0.5 between one day (week) and the
//     next means the cycle explains a quarter of the variance or more — the
//     usual "moderate" cut-off; weaker repetition is better treated as noise.
//   - WeeklyMargin 0.1: weekday/weekend workloads also correlate at 24 h
//     (weekday to weekday); weekly is reported when 168 h is clearly stronger.
//   - SpikyMinPeakRatio 2: the busiest 1% of the time needs at least twice
//     the typical (median) load, a burst no headroom on the typical load
//     absorbs; below that the p99, with headroom, sizes the load as it does
//     a steady one (white noise of ±50% around its mean has a ratio of
//     about 1.5, a normal one with a CV of 0.3 about 1.7).
func DefaultPatternThresholds() PatternThresholds {
	return PatternThresholds{MinCoverage: 0.5, MinHours: 48, SteadyMaxCV: 0.15, SeasonalMinACF: 0.5, WeeklyMargin: 0.1, SpikyMinPeakRatio: 2}
}

// PatternResult is a classification with the evidence that decided it.
type PatternResult struct {
	Pattern   Pattern // the class
	CV        float64 // coefficient of variation of the raw points (NaN without data or zero mean)
	PeakRatio float64 // P99/P50 of the raw points
	Daily     float64 // Seasonality.Daily: autocorrelation at 24 h, detrended (NaN when not measurable)
	Weekly    float64 // Seasonality.Weekly: autocorrelation at 168 h, detrended (NaN when not measurable)
	// DailyWeeklyDetrended is Seasonality.DailyWeeklyDetrended, which
	// Weekly must exceed by WeeklyMargin.
	DailyWeeklyDetrended float64
	Coverage             float64           // coverage of the series
	Hours                int               // hours with data
	Thresholds           PatternThresholds // the thresholds applied (defaults filled in)
	// Evidence lists each test applied, in order, as human-readable text.
	Evidence []string
}

// ClassifyPattern classifies the workload pattern of s. Tests run in order:
//   - insufficient-data: coverage or hours below minimum;
//   - steady: CV at or below SteadyMaxCV;
//   - weekly-cycle: the autocorrelation at 168 h (Weekly) at or above
//     SeasonalMinACF and at least WeeklyMargin above the one at 24 h of the
//     same detrended means (DailyWeeklyDetrended; or that one not
//     measurable);
//   - daily-cycle: the autocorrelation at 24 h (Daily) at or above
//     SeasonalMinACF;
//   - spiky: p99 at least SpikyMinPeakRatio × p50 (any p99 above a p50 of 0
//     or less);
//   - otherwise steady: variation without a cycle or peaks.
//
// The autocorrelations are of the hourly means less their moving average
// over the lag (SeasonalityOf): a cycle of that period averages out over
// it and is kept, while a trend, a level shift or a slowly wandering load
// (persistence), which correlate with themselves a day later without
// repeating, are removed; without it, a step, a linear trend and an hourly
// AR(1) with φ = 0.98 all measured above 0.5 at 24 h. With two weeks of
// data a week is seen repeating once, so a slow drift can pass for a
// weekly cycle now and then (about 1 in 20 hourly AR(1) series with φ =
// 0.98; about 1 in 125 over four weeks).
//
// Preconditions as for Summarize; a zero-valued th is replaced by
// DefaultPatternThresholds, and the fields of another are used as given:
// MinCoverage and SeasonalMinACF within [0, 1], the others finite and
// non-negative, else an error. A series with no datapoints is
// insufficient-data whatever th says. s is not modified.
func ClassifyPattern(s Series, th PatternThresholds) (PatternResult, error) {
	if err := th.validate(); err != nil {
		return PatternResult{}, err
	}
	sum, h, err := summarizeHourly(s)
	if err != nil {
		return PatternResult{}, err
	}
	return classify(sum, h, th), nil
}

// validate checks ClassifyPattern's preconditions on th.
func (th PatternThresholds) validate() error {
	in01 := func(v float64) bool { return v >= 0 && v <= 1 }
	nonNeg := func(v float64) bool { return v >= 0 && !math.IsInf(v, 1) }
	if !in01(th.MinCoverage) || !in01(th.SeasonalMinACF) || th.MinHours < 0 || !nonNeg(th.SteadyMaxCV) || !nonNeg(th.WeeklyMargin) || !nonNeg(th.SpikyMinPeakRatio) {
		return errorf("pattern thresholds %+v: MinCoverage and SeasonalMinACF must be within [0, 1], MinHours, SteadyMaxCV, WeeklyMargin and SpikyMinPeakRatio finite and non-negative", th)
	}
	return nil
}

func classify(sum Summary, h hourly, th PatternThresholds) PatternResult {
	if th == (PatternThresholds{}) {
		th = DefaultPatternThresholds()
	}
	se := seasonalityOf(h.mean)
	hours := 0
	for _, c := range h.count {
		if c > 0 {
			hours++
		}
	}
	r := PatternResult{Daily: se.Daily, Weekly: se.Weekly, DailyWeeklyDetrended: se.DailyWeeklyDetrended, Coverage: sum.Coverage, Hours: hours, Thresholds: th,
		CV: math.NaN(), PeakRatio: math.NaN()}
	if sum.Count > 0 && sum.Mean != 0 {
		r.CV = sum.StdDev / math.Abs(sum.Mean)
	}
	if sum.Count > 0 && sum.P50 != 0 {
		r.PeakRatio = sum.P99 / sum.P50
	}
	ev := func(format string, a ...any) { r.Evidence = append(r.Evidence, fmt.Sprintf(format, a...)) }
	if sum.Coverage < th.MinCoverage || hours < th.MinHours || sum.Count == 0 {
		ev("coverage %.2f (minimum %.2f), %d hours with data (minimum %d): insufficient", sum.Coverage, th.MinCoverage, hours, th.MinHours)
		r.Pattern = PatternInsufficient
		return r
	}
	ev("coverage %.2f (minimum %.2f), %d hours with data (minimum %d)", sum.Coverage, th.MinCoverage, hours, th.MinHours)
	if sum.Max == sum.Min || (r.CV == r.CV && r.CV <= th.SteadyMaxCV) {
		ev("coefficient of variation %s <= %.2f: steady", fmtNum(r.CV), th.SteadyMaxCV)
		r.Pattern = PatternSteady
		return r
	}
	ev("coefficient of variation %s > %.2f: not steady", fmtNum(r.CV), th.SteadyMaxCV)
	dw := se.DailyWeeklyDetrended
	if se.Weekly == se.Weekly && se.Weekly >= th.SeasonalMinACF && (dw != dw || se.Weekly >= dw+th.WeeklyMargin) {
		ev("autocorrelation of the hourly means less their 168h moving average at 168h %.2f >= %.2f and exceeds the one at 24h (%s) by >= %.2f: weekly-cycle",
			se.Weekly, th.SeasonalMinACF, fmtNum(dw), th.WeeklyMargin)
		r.Pattern = PatternWeeklyCycle
		return r
	}
	ev("autocorrelation of the hourly means less their 168h moving average at 168h %s, at 24h %s (needs >= %.2f and >= 24h + %.2f): no weekly cycle",
		fmtNum(se.Weekly), fmtNum(dw), th.SeasonalMinACF, th.WeeklyMargin)
	if se.Daily == se.Daily && se.Daily >= th.SeasonalMinACF {
		ev("autocorrelation of the hourly means less their 24h moving average at 24h %.2f >= %.2f: daily-cycle", se.Daily, th.SeasonalMinACF)
		r.Pattern = PatternDailyCycle
		return r
	}
	ev("autocorrelation of the hourly means less their 24h moving average at 24h %s < %.2f: no daily cycle", fmtNum(se.Daily), th.SeasonalMinACF)
	if sum.P99 > sum.P50 && sum.P50 <= 0 {
		ev("p99 %s above a p50 of %s: spiky (peaks above a typical load of nothing, no cycle)", fmtNum(sum.P99), fmtNum(sum.P50))
		r.Pattern = PatternSpiky
		return r
	}
	if sum.P99 > sum.P50 && sum.P99 >= th.SpikyMinPeakRatio*sum.P50 {
		ev("peak ratio p99/p50 %s >= %.2f: spiky (peaks well above the typical load, no cycle)", fmtNum(r.PeakRatio), th.SpikyMinPeakRatio)
		r.Pattern = PatternSpiky
		return r
	}
	ev("peak ratio p99/p50 %s < %.2f: steady (variation without a cycle or peaks: noise, a drift or a level shift, which the p99 sizes)", fmtNum(r.PeakRatio), th.SpikyMinPeakRatio)
	r.Pattern = PatternSteady
	return r
}

// fmtNum formats a number with two decimals as num does: NaN as "n/a", and a value that rounds to
// zero as "0.00", not "-0.00" (an autocorrelation a hair below zero).
func fmtNum(v float64) string { return num(v, 2) }

package analysis

import (
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/fmacheck"
)

// The Go compiler may fuse x*y+z into one fused multiply-add (FMA) instruction, rounded once, on
// arm64, ppc64le and s390x, but not on amd64 (GOAMD64=v1, as released), so the same expression
// gives results that differ in their last bits between a Mac with Apple silicon and CI on
// linux/amd64: enough to flip a rounded figure. An explicit float64() conversion of the product
// rounds it first and prevents the fusion (Go spec, "Floating-point operators"). These tests pin
// results computed on amd64 that a fused expression does not reproduce; they pass on every
// platform only when nothing is fused: run them under emulation with
// GOARCH=arm64 go test -exec qemu-aarch64-static.

// TestClassOptionSavingsNotFused: a class option's monthly savings, the current hourly price ×
// 730 less the option's monthly price, are rounded to the cent from the product as amd64 rounds
// it. Fused, an option priced as the current deployment (the demo's sso-prod: its two
// db.t4g.medium at $0.073 an hour, and a db.t4g.large at $0.146) saved -0 (the exact product is
// 106.57999999999999 against 106.58: jsonencode writes "-0"), and a half cent rounded the other way.
func TestClassOptionSavingsNotFused(t *testing.T) {
	for _, tc := range []struct {
		current, single float64
		want            float64
	}{
		{0.146, 0.146, 0},
		{0.0065, 0.01, -2.55}, // 4.745 − 7.30 = −2.555: −2.56 fused
		{0.0065, 0.006, 0.37}, // 4.745 − 4.38 = 0.365: 0.36 fused
	} {
		in := ClusterInput{CurrentHourlyUSD: tc.current}
		c := Candidate{Class: InstanceClass{Name: "db.t4g.large", VCPU: 2, MemoryGiB: 8}, SingleNodeHourlyUSD: tc.single}
		o := classOption(Projection{Class: c.Class}, c, in, DefaultPolicy(), 0)
		if o.MonthlySavingsUSD != tc.want || math.Signbit(o.MonthlySavingsUSD) != math.Signbit(tc.want) {
			t.Errorf("current $%v/h, option $%v/h: monthly savings %v, want %v", tc.current, tc.single, o.MonthlySavingsUSD, tc.want)
		}
	}
}

// fmaSeries is days of 1-minute CPU: a daily triangle wave, a weekday step and noise from a linear
// congruential generator, in arithmetic that rounds alike on every platform (no math.Sin, whose
// last bits differ between amd64 and arm64).
func fmaSeries(days int) Series {
	start := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	n := days * 1440
	s := Series{Metric: MetricCPU, Unit: "Percent", Period: time.Minute, Start: start, End: start.Add(time.Duration(n) * time.Minute),
		Timestamps: make([]time.Time, n), Values: make([]float64, n)}
	x := uint64(0x9e3779b97f4a7c15)
	for i := range n {
		x = x*6364136223846793005 + 1442695040888963407
		t := start.Add(time.Duration(i) * time.Minute)
		m := float64(i % 1440)
		v := 12 + float64(min(m, 1440-m))/36 + float64(x>>40)/float64(1<<24)*7
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			v += 9.5
		}
		s.Timestamps[i], s.Values[i] = t, v
	}
	return s
}

// TestStatisticsNotFused pins, to the last bit, the statistics behind the recommendation's
// figures as amd64 computes them: the summary's mean and deviation (sums of squared deviations),
// its percentiles (the R-7 interpolation fraction and lerp), the hour-of-week profile and the
// pattern's autocorrelations. With the products fused on arm64 the deviation came out
// 7.462212235946071 (amd64: ...075), the 0.777 quantile 38.72237838584847 (...8465), the CV and
// the daily autocorrelation and the profile differed too; in the demo, every recommendation
// carried such differences (summaries, projected percentiles, pattern scores, traffic score,
// credits) into its rounded outputs, where one at a rounding boundary flips a figure.
func TestStatisticsNotFused(t *testing.T) {
	s := fmaSeries(14)
	sum, err := Summarize(s)
	if err != nil {
		t.Fatal(err)
	}
	pat, err := ClassifyPattern(s, DefaultPatternThresholds())
	if err != nil {
		t.Fatal(err)
	}
	qs, err := Quantiles(s.Values, []float64{0.123, 0.5, 0.777, 0.9, 0.95, 0.99, 0.999})
	if err != nil {
		t.Fatal(err)
	}
	prof, err := HourOfWeekProfile(s)
	if err != nil {
		t.Fatal(err)
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	got := []string{"mean " + g(sum.Mean), "stddev " + g(sum.StdDev), "p90 " + g(sum.P90), "p95 " + g(sum.P95), "p99 " + g(sum.P99),
		"peak/avg " + g(sum.PeakToAverage), "cv " + g(pat.CV), "daily " + g(pat.Daily), "weekly " + g(pat.Weekly),
		"detrended " + g(pat.DailyWeeklyDetrended)}
	for i, q := range qs {
		got = append(got, fmt.Sprintf("q%d %s", i, g(q)))
	}
	h := fnv.New64a()
	for _, v := range prof.Mean {
		fmt.Fprintf(h, "%x,", math.Float64bits(v))
	}
	got = append(got, fmt.Sprintf("profile %x", h.Sum64()))
	want := []string{"mean 32.25734826224662", "stddev 7.462212235946075", "p90 42.23133577903111", "p95 44.055635251270395",
		"p99 46.53416485375828", "peak/avg 1.4957601600318997", "cv 0.2313337158181622", "daily 0.9528875140643849",
		"weekly 0.9987072231812635", "detrended 0.788065257439862", "q0 23.419133443097273", "q1 32.268358889553284",
		"q2 38.722378385848465", "q3 42.23133577903111", "q4 44.055635251270395", "q5 46.53416485375828",
		"q6 47.851280479470894", "profile 63cb5f0f8a16a40e"}
	if !slices.Equal(got, want) {
		t.Errorf("statistics of the same series:\n got %q\nwant %q", got, want)
	}
}

// TestNoFusedMultiplyAdd compiles this package for arm64 and fails on any fused multiply-add
// instruction in it, naming the source line: the tests above pin a few results, this finds every
// expression the compiler fuses, including those no test reaches (fmacheck).
func TestNoFusedMultiplyAdd(t *testing.T) { fmacheck.Check(t) }

package analysis

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// refQuantile is the R-7 quantile by sorting (the reference).
func refQuantile(vals []float64, q float64) float64 {
	var a []float64
	for _, v := range vals {
		if v == v {
			a = append(a, v)
		}
	}
	if len(a) == 0 {
		return math.NaN()
	}
	slices.Sort(a)
	h := float64(float64(len(a)-1) * q) // as quantileRanks rounds it, on every platform
	f := math.Floor(h)
	i := int(f)
	if i+1 >= len(a) {
		return a[i]
	}
	return a[i] + float64((h-f)*(a[i+1]-a[i]))
}

func nanEq(a, b float64) bool { return a == b || (a != a && b != b) }

func TestSummarizeTable(t *testing.T) {
	min5 := 5 * time.Minute
	at := func(k int) time.Time { return t0.Add(time.Duration(k) * min5) }
	nan := math.NaN()
	base := Series{Metric: "CPUUtilization", Unit: "Percent", Period: min5, Start: t0, End: t0.Add(10 * min5)}
	with := func(ts []int, vs []float64) Series {
		s := base
		for _, k := range ts {
			s.Timestamps = append(s.Timestamps, at(k))
		}
		s.Values = vs
		return s
	}
	tests := []struct {
		name    string
		s       Series
		wantErr error
		count   int
		nan     int
		out     int
		cov     float64
		mean    float64
		min     float64
		max     float64
		p50     float64
		p99     float64
		gap     time.Duration
		peak    time.Time
	}{
		{name: "empty", s: base, count: 0, cov: 0, mean: nan, min: nan, max: nan, p50: nan, p99: nan, gap: 10 * min5},
		{name: "single point", s: with([]int{3}, []float64{7}), count: 1, cov: 0.1, mean: 7, min: 7, max: 7, p50: 7, p99: 7, gap: 6 * min5, peak: at(3)},
		{name: "all NaN", s: with([]int{0, 1, 2}, []float64{nan, nan, nan}), count: 0, nan: 3, mean: nan, min: nan, max: nan, p50: nan, p99: nan, gap: 10 * min5},
		{name: "gaps and NaN", s: with([]int{0, 1, 5, 6, 9}, []float64{1, nan, 3, 5, 2}), count: 4, nan: 1, cov: 0.4,
			mean: 2.75, min: 1, max: 5, p50: 2.5, p99: refQuantile([]float64{1, 3, 5, 2}, 0.99), gap: 4 * min5, peak: at(6)},
		{name: "out of window", s: with([]int{-2, 0, 1, 10, 11}, []float64{100, 1, 2, 100, 100}), count: 2, out: 3, cov: 0.2,
			mean: 1.5, min: 1, max: 2, p50: 1.5, p99: 1.99, gap: 8 * min5, peak: at(1)},
		{name: "constant", s: with([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3}), count: 10, cov: 1,
			mean: 3, min: 3, max: 3, p50: 3, p99: 3, peak: at(0)},
		{name: "unsorted", s: with([]int{0, 2, 1}, []float64{1, 2, 3}), wantErr: ErrUnsorted},
		{name: "duplicate timestamp", s: with([]int{0, 1, 1}, []float64{1, 2, 3}), wantErr: ErrUnsorted},
		{name: "mismatched lengths", s: with([]int{0, 1}, []float64{1}), wantErr: ErrBadSeries},
		{name: "zero period", s: func() Series { s := with([]int{0}, []float64{1}); s.Period = 0; return s }(), wantErr: ErrBadSeries},
		{name: "end before start", s: func() Series { s := base; s.End = s.Start; return s }(), wantErr: ErrBadSeries},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := cloneSeries(tc.s)
			got, err := Summarize(tc.s)
			if !sameSeries(orig, tc.s) {
				t.Fatal("Summarize modified its input")
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Count != tc.count || got.NaN != tc.nan || got.OutOfWindow != tc.out || got.Expected != 10 {
				t.Errorf("count/nan/out/expected = %d/%d/%d/%d, want %d/%d/%d/10", got.Count, got.NaN, got.OutOfWindow, got.Expected, tc.count, tc.nan, tc.out)
			}
			if got.Missing != 10-tc.count {
				t.Errorf("missing = %d, want %d", got.Missing, 10-tc.count)
			}
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"coverage", got.Coverage, tc.cov}, {"mean", got.Mean, tc.mean}, {"min", got.Min, tc.min}, {"max", got.Max, tc.max},
				{"p50", got.P50, tc.p50}, {"p99", got.P99, tc.p99}} {
				if !nanEq(c.got, c.want) && math.Abs(c.got-c.want) > 1e-9 {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
			if got.LongestGap != tc.gap {
				t.Errorf("longest gap = %v, want %v", got.LongestGap, tc.gap)
			}
			if !got.PeakTime.Equal(tc.peak) {
				t.Errorf("peak time = %v, want %v", got.PeakTime, tc.peak)
			}
		})
	}
}

// TestSummarizeQuantilesMatchSort checks the selection-based percentiles
// against sorting on sizes around the sampling cut-over, with ties, NaN,
// skew, negative values and sorted/reversed inputs.
func TestSummarizeQuantilesMatchSort(t *testing.T) {
	gens := map[string]func(r *rng, i, n int) float64{
		"uniform":  func(r *rng, i, n int) float64 { return r.float() * 100 },
		"ties":     func(r *rng, i, n int) float64 { return math.Floor(r.float() * 4) },
		"constant": func(r *rng, i, n int) float64 { return 0.066 },
		"mostly0": func(r *rng, i, n int) float64 {
			return map[bool]float64{true: 0, false: r.float() * 1e9}[r.float() < 0.97]
		},
		"skewed":    func(r *rng, i, n int) float64 { return math.Exp(6 * r.float()) },
		"negative":  func(r *rng, i, n int) float64 { return r.norm() * 5 },
		"ascending": func(r *rng, i, n int) float64 { return float64(i) },
		"reversed":  func(r *rng, i, n int) float64 { return float64(n - i) },
		"withNaN": func(r *rng, i, n int) float64 {
			if r.float() < 0.1 {
				return math.NaN()
			}
			return r.float()
		},
		"spike": func(r *rng, i, n int) float64 {
			if i%997 == 0 {
				return 1e6
			}
			return 1 + r.float()*1e-3
		},
	}
	names := make([]string, 0, len(gens))
	for k := range gens {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, n := range []int{1, 2, 3, 100, 4095, 4096, 5000, 40320} {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				r := rng(uint64(n) * 7919)
				s := synth("m", "", t0, time.Duration(n)*time.Minute, time.Minute, func(_ time.Time, i int) float64 { return gens[name](&r, i, n) })
				got, err := Summarize(s)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range []struct {
					q   float64
					got float64
				}{{0.5, got.P50}, {0.9, got.P90}, {0.95, got.P95}, {0.99, got.P99}} {
					if want := refQuantile(s.Values, c.q); !nanEq(c.got, want) {
						t.Errorf("q%.2f = %v, want %v", c.q, c.got, want)
					}
				}
			})
		}
	}
}

func TestQuantiles(t *testing.T) {
	vals := []float64{5, 1, math.NaN(), 4, 2, 3}
	orig := slices.Clone(vals)
	got, err := Quantiles(vals, []float64{1, 0, 0.5, 0.25})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{5, 1, 3, 2}
	if !slices.Equal(got, want) {
		t.Errorf("Quantiles = %v, want %v", got, want)
	}
	for i := range vals {
		if !nanEq(vals[i], orig[i]) {
			t.Fatal("Quantiles modified its input")
		}
	}
	if _, err := Quantiles(vals, []float64{1.5}); err == nil {
		t.Error("q=1.5 accepted")
	}
	if _, err := Quantiles(vals, []float64{math.NaN()}); err == nil {
		t.Error("q=NaN accepted")
	}
	got, err = Quantiles([]float64{math.NaN()}, []float64{0.5})
	if err != nil || !math.IsNaN(got[0]) {
		t.Errorf("all-NaN = %v, %v; want NaN, nil", got, err)
	}
	got, _ = Quantiles(nil, nil)
	if len(got) != 0 {
		t.Errorf("no quantiles = %v", got)
	}
}

func TestSortedDeduplicatesAndKeepsInput(t *testing.T) {
	s := Series{Metric: "m", Period: time.Minute, Start: t0, End: t0.Add(5 * time.Minute),
		Timestamps: []time.Time{t0.Add(2 * time.Minute), t0, t0.Add(time.Minute), t0},
		Values:     []float64{3, 1, 2, 9}}
	orig := cloneSeries(s)
	got, err := s.Sorted()
	if err != nil {
		t.Fatal(err)
	}
	if !sameSeries(orig, s) {
		t.Fatal("Sorted modified its input")
	}
	if !slices.Equal(got.Values, []float64{9, 2, 3}) || len(got.Timestamps) != 3 || !got.Timestamps[0].Equal(t0) {
		t.Errorf("Sorted = %v %v", got.Timestamps, got.Values)
	}
	if err := got.Validate(); err != nil {
		t.Error(err)
	}
	if _, err := (Series{Period: time.Minute, Start: t0, End: t0.Add(time.Hour), Values: []float64{1}}).Sorted(); !errors.Is(err, ErrBadSeries) {
		t.Errorf("mismatched Sorted err = %v", err)
	}
}

// TestSummarizeRealTraces summarises real CloudWatch traces (NAB) and checks
// the result against a direct computation from the same file.
func TestSummarizeRealTraces(t *testing.T) {
	for _, name := range []string{"ec2_cpu_utilization_825cc2", "ec2_cpu_utilization_ac20cd", "ec2_network_in_257a54", "grok_asg_anomaly"} {
		t.Run(name, func(t *testing.T) {
			s := loadTrace(t, name, MetricCPU, "Percent")
			got, err := Summarize(s)
			if err != nil {
				t.Fatal(err)
			}
			if got.Count != len(s.Values) {
				t.Errorf("count %d, want %d", got.Count, len(s.Values))
			}
			var sum float64
			mx := math.Inf(-1)
			var peak time.Time
			for i, v := range s.Values {
				sum += v
				if v > mx {
					mx, peak = v, s.Timestamps[i]
				}
			}
			if m := sum / float64(len(s.Values)); math.Abs(got.Mean-m) > 1e-9*math.Max(1, math.Abs(m)) {
				t.Errorf("mean %v, want %v", got.Mean, m)
			}
			if got.Max != mx || !got.PeakTime.Equal(peak) {
				t.Errorf("max %v at %v, want %v at %v", got.Max, got.PeakTime, mx, peak)
			}
			for _, c := range []struct {
				q, got float64
			}{{0.5, got.P50}, {0.9, got.P90}, {0.95, got.P95}, {0.99, got.P99}} {
				if want := refQuantile(s.Values, c.q); c.got != want {
					t.Errorf("q%.2f = %v, want %v", c.q, c.got, want)
				}
			}
			// The NAB files hold 14 days of 5-minute points with a few
			// irregular steps: coverage is high but not always exactly 1.
			if got.Coverage < 0.99 || got.Coverage > 1 {
				t.Errorf("coverage %v", got.Coverage)
			}
		})
	}
	// ec2_disk_write_bytes_1ef3de contains a repeated timestamp (2014-03-09
	// 03:00…03:55, the US daylight-saving switch in the original local times).
	s := loadTrace(t, "ec2_disk_write_bytes_1ef3de", "DiskWriteBytes", "Bytes")
	if _, err := Summarize(s); !errors.Is(err, ErrUnsorted) {
		t.Fatalf("duplicate timestamp: err = %v, want ErrUnsorted", err)
	}
	sorted, err := s.Sorted()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Summarize(sorted)
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[int64]bool{}
	for _, ts := range s.Timestamps {
		distinct[ts.UnixNano()] = true
	}
	if got.Count != len(distinct) || len(distinct) == len(s.Values) {
		t.Errorf("count after dedup %d, want %d distinct of %d", got.Count, len(distinct), len(s.Values))
	}
}

func ExampleSummarize() {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	s := Series{Metric: "CPUUtilization", Unit: "Percent", Period: time.Minute, Start: start, End: start.Add(6 * time.Minute)}
	for i, v := range []float64{10, 20, math.NaN(), 40, 30} { // minute 5 is absent
		s.Timestamps = append(s.Timestamps, start.Add(time.Duration(i)*time.Minute))
		s.Values = append(s.Values, v)
	}
	sum, err := Summarize(s)
	if err != nil {
		panic(err)
	}
	fmt.Printf("count %d of %d (NaN %d), coverage %.2f\n", sum.Count, sum.Expected, sum.NaN, sum.Coverage)
	fmt.Printf("mean %.1f p50 %.1f p99 %.2f max %.0f at %s\n", sum.Mean, sum.P50, sum.P99, sum.Max, sum.PeakTime.Format("15:04"))
	// Output:
	// count 4 of 6 (NaN 1), coverage 0.67
	// mean 25.0 p50 25.0 p99 39.70 max 40 at 00:03
}

func ExampleQuantiles() {
	q, _ := Quantiles([]float64{3, 1, 2, math.NaN(), 4}, []float64{0.5, 0.9})
	fmt.Printf("%.1f %.1f\n", q[0], q[1])
	// Output: 2.5 3.7
}

func ExampleSeries_Sorted() {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	s := Series{Metric: "CPUUtilization", Period: time.Minute, Start: start, End: start.Add(3 * time.Minute),
		// CloudWatch returns newest first by default; minute 1 was corrected.
		Timestamps: []time.Time{start.Add(2 * time.Minute), start.Add(time.Minute), start, start.Add(time.Minute)},
		Values:     []float64{3, 2, 1, 2.5}}
	fmt.Println(s.Validate() != nil)
	o, _ := s.Sorted()
	fmt.Println(o.Values, o.Validate() == nil, o.Expected())
	// Output:
	// true
	// [1 2.5 3] true 3
}

func TestSelectPair(t *testing.T) {
	gens := map[string]func(r *rng, i int) float64{
		"uniform":   func(r *rng, i int) float64 { return r.float() },
		"ties":      func(r *rng, i int) float64 { return math.Floor(r.float() * 5) },
		"clustered": func(r *rng, i int) float64 { return 0.5 + 1e-9*r.float() }, // one bucket
		"skewed":    func(r *rng, i int) float64 { return math.Pow(r.float(), 8) },
		"edges":     func(r *rng, i int) float64 { return float64(i % 2) }, // only lo and hi
	}
	for name, g := range gens {
		for _, n := range []int{1, 2, 1023, 1024, 1025, 5000} {
			a, sorted := drawSorted(g, n, rng(uint64(n)))
			lo, hi := sorted[0], sorted[n-1]
			for _, k := range []int{0, n / 2, n - 2, n - 1} {
				if k < 0 {
					continue
				}
				next := k+1 < n
				b := slices.Clone(a)
				x0, x1 := selectPair(b, k, next, lo, hi)
				w1 := sorted[k]
				if next {
					w1 = sorted[k+1]
				}
				if x0 != sorted[k] || x1 != w1 {
					t.Errorf("%s n=%d k=%d: got %v,%v want %v,%v", name, n, k, x0, x1, sorted[k], w1)
				}
			}
		}
	}
}

// TestQuantilesInfinite: an infinite value is an order statistic like any other (the maximum of
// {1, +Inf} is +Inf), in Quantiles and in Summarize's selection, not NaN.
func TestQuantilesInfinite(t *testing.T) {
	q, err := Quantiles([]float64{1, math.Inf(1)}, []float64{0, 0.5, 1})
	if err != nil || q[0] != 1 || !math.IsInf(q[1], 1) || !math.IsInf(q[2], 1) {
		t.Errorf("Quantiles({1, +Inf}) = %v, %v; want [1 +Inf +Inf]", q, err)
	}
	q, _ = Quantiles([]float64{math.Inf(-1), 2, 3}, []float64{0, 0.25})
	if !math.IsInf(q[0], -1) || !math.IsInf(q[1], -1) {
		t.Errorf("Quantiles({-Inf, 2, 3}) = %v; want [-Inf -Inf]", q)
	}
	s := Series{Metric: MetricCPU, Period: time.Minute, Start: t0, End: t0.Add(time.Minute),
		Timestamps: []time.Time{t0}, Values: []float64{math.Inf(1)}}
	sum, err := Summarize(s)
	if err != nil || !math.IsInf(sum.P50, 1) || !math.IsInf(sum.P99, 1) || sum.P99 != sum.Max {
		t.Errorf("one point +Inf: P50 %v P99 %v Max %v, %v; want +Inf", sum.P50, sum.P99, sum.Max, err)
	}
}

// TestSummarizeDataSpan: DataSpan runs from the first valid datapoint to the end of the last
// one's period, whichever pass summarises the series (a full regular grid, a grid with NaN at
// its ends, holes spread onto the grid, sparse data taking the general pass), never past End,
// and is 0 without data.
func TestSummarizeDataSpan(t *testing.T) {
	min5 := 5 * time.Minute
	day := 24 * time.Hour
	nan := math.NaN()
	mk := func(end time.Duration, keep func(i int) bool, val func(i int) float64) Series {
		s := Series{Metric: "CPUUtilization", Unit: "Percent", Period: min5, Start: t0, End: t0.Add(end)}
		for i := 0; i < int(end/min5); i++ {
			if keep(i) {
				s.Timestamps = append(s.Timestamps, t0.Add(time.Duration(i)*min5))
				s.Values = append(s.Values, val(i))
			}
		}
		return s
	}
	all := func(int) bool { return true }
	one := func(int) float64 { return 1 }
	perDay := int(day / min5)
	for _, tc := range []struct {
		name string
		s    Series
		want time.Duration
	}{
		{"full regular grid", mk(14*day, all, one), 14 * day},
		{"NaN at both ends", mk(14*day, all, func(i int) float64 {
			if i < perDay || i >= 13*perDay {
				return nan
			}
			return 1
		}), 13 * day}, // from day 1 to End: the NaN tail is coverage's matter
		{"last 3 days only", mk(14*day, func(i int) bool { return i >= 11*perDay }, one), 3 * day},
		{"last 3 days, one point off the grid (general pass)", func() Series {
			s := mk(14*day, func(i int) bool { return i >= 11*perDay }, one)
			s.Timestamps[10] = s.Timestamps[10].Add(time.Minute)
			return s
		}(), 3 * day},
		{"holes spread, data from day 4", mk(14*day, func(i int) bool { return i >= 4*perDay && i%3 != 1 }, one), 10 * day},
		{"sparse with NaN at the end", mk(14*day, func(i int) bool { return i >= 11*perDay }, func(i int) float64 {
			if i >= 13*perDay {
				return nan
			}
			return 1
		}), 3 * day},
		{"the last two periods not published yet", mk(14*day, func(i int) bool { return i < 14*perDay-2 }, one), 14 * day},
		{"start off the grid, first datapoint in the first period", func() Series {
			s := mk(day, all, one)
			s.Start = s.Start.Add(-time.Minute)
			return s
		}(), day + time.Minute},
		{"first datapoint a period late", mk(day, func(i int) bool { return i >= 1 }, one), day - min5},
		{"window ends inside the last period", func() Series {
			s := mk(day, all, one)
			s.End = s.End.Add(-time.Minute)
			return s
		}(), day - time.Minute},
		{"no data", mk(14*day, func(int) bool { return false }, one), 0},
		{"all NaN", mk(day, all, func(int) float64 { return nan }), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := Summarize(tc.s)
			if err != nil {
				t.Fatal(err)
			}
			if sum.DataSpan != tc.want {
				t.Errorf("DataSpan %v, want %v (lookback %v, coverage %.2f)", sum.DataSpan, tc.want, sum.Lookback, sum.Coverage)
			}
		})
	}
}

// TestSummarizeMeanWithinExtremes: values a few ulps apart can sum to a mean rounded past Max
// (or below Min); Summarize keeps Min <= Mean <= Max, which a consumer comparing the two relies on.
func TestSummarizeMeanWithinExtremes(t *testing.T) {
	fixed := [][]float64{
		{7707.07427404962, 7707.074274049621, 7707.074274049619, 7707.07427404962, 7707.074274049621},
		{55.85561719440024, 55.855617194400246, 55.855617194400246, 55.855617194400246, 55.855617194400246},
	}
	r := rng(7)
	for range 20000 { // near-equal values: a base and up to 3 ulps above it
		n := 2 + int(r.next()%6)
		base := r.float() * math.Pow(10, float64(r.next()%6))
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = base
			for k := r.next() % 4; k > 0; k-- {
				vals[i] = math.Nextafter(vals[i], math.Inf(1))
			}
		}
		fixed = append(fixed, vals)
	}
	for _, vals := range fixed {
		s := synth("CPUUtilization", "Percent", t0, time.Duration(len(vals))*time.Minute, time.Minute,
			func(_ time.Time, i int) float64 { return vals[i] })
		sum, err := Summarize(s)
		if err != nil {
			t.Fatal(err)
		}
		if !(sum.Min <= sum.Mean && sum.Mean <= sum.Max) {
			t.Fatalf("%v: mean %v outside [%v, %v]", vals, sum.Mean, sum.Min, sum.Max)
		}
	}
}

package analysis

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// TestScanPathsAgree runs the regular-grid path (times from indices, hourly
// chunks) and the general path (timestamps read) on the same data and
// requires the same summary and hourly aggregates.
func TestScanPathsAgree(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	type gen func(i int) float64
	cases := map[string]gen{
		"noise": func(i int) float64 { return 20 + noise(i, 1) },
		"nan runs": func(i int) float64 {
			return map[bool]float64{true: nan, false: float64(i % 97)}[i%1000 < 130 || i < 5 || i > 9990]
		},
		"all nan":       func(i int) float64 { return nan },
		"ties":          func(i int) float64 { return float64(i % 3) },
		"constant":      func(i int) float64 { return 7 },
		"negative":      func(i int) float64 { return -float64(i%500) - 0.5 },
		"infinite":      func(i int) float64 { return map[bool]float64{true: inf, false: 1}[i == 777] },
		"neg infinite":  func(i int) float64 { return map[bool]float64{true: -inf, false: 1}[i%2000 == 3] },
		"max twice":     func(i int) float64 { return map[bool]float64{true: 50, false: float64(i % 10)}[i == 300 || i == 9000] },
		"max in last h": func(i int) float64 { return float64(i) },
	}
	for name, f := range cases {
		for _, n := range []int{0, 1, 59, 61, 10000} {
			for _, off := range []time.Duration{0, 30 * time.Second, -5 * time.Minute} {
				t.Run(fmt.Sprintf("%s/%d/%v", name, n, off), func(t *testing.T) {
					start := t0.Add(off)
					s := synth(MetricCPU, "Percent", start, time.Duration(n)*time.Minute, time.Minute, func(_ time.Time, i int) float64 { return f(i) })
					if n == 0 {
						s.End = start.Add(time.Hour)
					}
					// The window starts later and ends earlier than the data.
					s.Start, s.End = t0.Add(2*time.Minute+10*time.Second), s.End.Add(-3*time.Minute)
					if !s.End.After(s.Start) {
						s.End = s.Start.Add(time.Hour)
					}
					a, ha, b, hb := scanBothPaths(t, s)
					close := func(x, y float64) bool {
						return nanEq(x, y) || math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(y))
					}
					if a.Count != b.Count || a.NaN != b.NaN || a.OutOfWindow != b.OutOfWindow || a.Missing != b.Missing ||
						a.LongestGap != b.LongestGap || !a.PeakTime.Equal(b.PeakTime) || !nanEq(a.Min, b.Min) || !nanEq(a.Max, b.Max) ||
						!nanEq(a.P50, b.P50) || !nanEq(a.P90, b.P90) || !nanEq(a.P95, b.P95) || !nanEq(a.P99, b.P99) ||
						!close(a.Mean, b.Mean) || !close(a.StdDev, b.StdDev) || a.Coverage != b.Coverage {
						t.Fatalf("paths differ:\nregular %+v\ngeneral %+v", a, b)
					}
					for i := range ha.mean {
						if ha.count[i] != hb.count[i] || !close(ha.mean[i], hb.mean[i]) || !nanEq(ha.min[i], hb.min[i]) || !nanEq(ha.max[i], hb.max[i]) {
							t.Fatalf("hour %d differs: %v/%v/%v/%d vs %v/%v/%v/%d", i, ha.mean[i], ha.min[i], ha.max[i], ha.count[i], hb.mean[i], hb.min[i], hb.max[i], hb.count[i])
						}
					}
					// Percentiles against sorting the in-window values.
					var in []float64
					for i, ts := range s.Timestamps {
						if !ts.Before(s.Start) && ts.Before(s.End) {
							in = append(in, s.Values[i])
						}
					}
					if want := refQuantile(in, 0.99); !nanEq(a.P99, want) && !(math.IsInf(want, 0) && a.P99 == want) {
						t.Errorf("p99 %v, want %v", a.P99, want)
					}
				})
			}
		}
	}
}

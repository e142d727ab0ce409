package analysis

import (
	"math"
	"testing"
	"time"
)

// LongestGap on the regular-grid path when the window ends inside the last period: a trailing
// run of missing datapoints counts only up to the window's end, as on the general path.
func TestLongestGapAtWindowEdges(t *testing.T) {
	g0 := time.Date(2026, 3, 5, 7, 0, 0, 0, time.UTC)
	const p = 5 * time.Minute
	nan := math.NaN()
	for _, c := range []struct {
		start, end time.Duration
		vals       []float64
		want       time.Duration
	}{
		{0, 7*time.Minute + 30*time.Second, []float64{1, nan, 2}, 150 * time.Second}, // trailing, cut by the end
		{0, 7*time.Minute + 30*time.Second, []float64{nan, 1, 2}, 5 * time.Minute},   // leading
		{-150 * time.Second, 12*time.Minute + 30*time.Second, []float64{nan, nan, 2}, 750 * time.Second},
		{0, 22*time.Minute + 30*time.Second, []float64{1, nan, nan, 2, nan}, 10 * time.Minute},  // interior beats trailing
		{0, 22*time.Minute + 30*time.Second, []float64{1, 2, nan, nan, nan}, 750 * time.Second}, // trailing only
		{0, 25 * time.Minute, []float64{1, nan, 2, nan, nan}, 10 * time.Minute},                 // trailing, whole periods
	} {
		s := Series{Metric: MetricCPU, Period: p, Start: g0.Add(c.start), End: g0.Add(c.end)}
		for i, v := range c.vals {
			s.Timestamps = append(s.Timestamps, g0.Add(time.Duration(i)*p))
			s.Values = append(s.Values, v)
		}
		got, err := Summarize(s)
		if err != nil {
			t.Fatal(err)
		}
		if got.LongestGap != c.want {
			t.Errorf("window [%v, %v) values %v: LongestGap %v, want %v", c.start, c.end, c.vals, got.LongestGap, c.want)
		}
	}
}

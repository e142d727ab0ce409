package analysis

import (
	"math"
	"slices"
	"testing"
	"time"
)

// TestSpreadHours: a point of a period over an hour stands for the hours its period covers where
// they have no point of their own; an hour or less, and empty aggregates, are left as they are.
func TestSpreadHours(t *testing.T) {
	nan := math.NaN()
	k := hourly{start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		mean: []float64{10, nan, 20, nan, nan, nan, 30}, count: []int{1, 0, 1, 0, 0, 0, 1}}
	for _, tc := range []struct {
		period time.Duration
		count  []int
		mean   []float64
	}{
		{0, []int{1, 0, 1, 0, 0, 0, 1}, []float64{10, nan, 20, nan, nan, nan, 30}},
		{time.Hour, []int{1, 0, 1, 0, 0, 0, 1}, []float64{10, nan, 20, nan, nan, nan, 30}},
		{90 * time.Minute, []int{1, 1, 1, 1, 0, 0, 1}, []float64{10, 10, 20, 20, nan, nan, 30}},
		{2 * time.Hour, []int{1, 1, 1, 1, 0, 0, 1}, []float64{10, 10, 20, 20, nan, nan, 30}},
		// A point's own hour is never overwritten, and the last point stops at the end.
		{3 * time.Hour, []int{1, 1, 1, 1, 1, 0, 1}, []float64{10, 10, 20, 20, 20, nan, 30}},
	} {
		got := spreadHours(k, tc.period)
		same := func(a, b []float64) bool {
			return slices.EqualFunc(a, b, func(x, y float64) bool { return x == y || (x != x && y != y) })
		}
		if !slices.Equal(got.count, tc.count) || !same(got.mean, tc.mean) {
			t.Errorf("period %v: count %v mean %v, want %v %v", tc.period, got.count, got.mean, tc.count, tc.mean)
		}
	}
	if k.count[1] != 0 || k.mean[1] == k.mean[1] {
		t.Errorf("k modified: %v %v", k.count, k.mean)
	}
	if got := spreadHours(hourly{}, 2*time.Hour); len(got.mean) != 0 {
		t.Errorf("empty: %v", got.mean)
	}
}

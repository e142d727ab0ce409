package analysis

import (
	"math/rand"
	"testing"
	"time"
)

// A weekday-office workload over the provider's default 14-day lookback is weekly-cycle whether
// or not a few hours are missing (each missing hour removes up to two of the 168 hour pairs 168 h
// apart), on the hour or not.
func TestWeeklyCycleWithMissingHours(t *testing.T) {
	rg := rand.New(rand.NewSource(3))
	office := func(tt time.Time, _ int) float64 {
		v := 10 + rg.NormFloat64()
		if wd := tt.Weekday(); wd != time.Saturday && wd != time.Sunday && tt.Hour() >= 9 && tt.Hour() < 17 {
			v += 40
		}
		return v
	}
	for _, c := range []struct {
		name    string
		start   time.Time
		missing []int // hours since the start's hour to drop
	}{
		{"on the hour, complete", t0, nil},
		{"on the hour, 1 hour missing", t0, []int{240}},
		{"at :05, complete", t0.Add(5 * time.Minute), nil},
		{"at :05, 2 hours missing", t0.Add(5 * time.Minute), []int{30, 240}},
		{"on the hour, 12 hours missing", t0, []int{10, 20, 40, 60, 80, 100, 130, 170, 200, 230, 260, 300}},
	} {
		s := synth(MetricCPU, "Percent", c.start, 14*24*time.Hour, time.Minute, office)
		keep := s
		keep.Timestamps, keep.Values = nil, nil
		for i, tt := range s.Timestamps {
			h := int(tt.Sub(c.start.Truncate(time.Hour)) / time.Hour)
			drop := false
			for _, m := range c.missing {
				drop = drop || h == m
			}
			if !drop {
				keep.Timestamps = append(keep.Timestamps, tt)
				keep.Values = append(keep.Values, s.Values[i])
			}
		}
		r, err := ClassifyPattern(keep, PatternThresholds{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Pattern != PatternWeeklyCycle {
			t.Errorf("%s: %s (daily %.2f, weekly %.2f), want weekly-cycle", c.name, r.Pattern, r.Daily, r.Weekly)
		}
	}
}

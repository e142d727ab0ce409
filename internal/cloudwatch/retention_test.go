package cloudwatch

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// servable reports whether CloudWatch serves datapoints of period for a request starting at start (AWS MetricStat:
// a start up to 15 days old needs a multiple of 60 s, up to 63 days 300 s, up to 455 days 3600 s, "or no data
// points in that time range is returned").
func servable(start time.Time, period time.Duration, now time.Time) bool {
	age := now.Sub(start)
	for _, t := range Retention {
		if age <= t.Age {
			return period%t.Period == 0
		}
	}
	return false
}

// TestChoosePeriodRejectsUnservablePeriods: a requested period that is not a multiple of the finest period
// CloudWatch keeps for the window's start is an error (ErrPeriod and ErrRetention) naming the valid choices; its
// multiples are accepted.
func TestChoosePeriodRejectsUnservablePeriods(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		age       time.Duration
		requested time.Duration
		wantErr   string // "" = accepted
	}{
		{14 * day, 6 * time.Minute, ""},
		{20 * day, 6 * time.Minute, "use a multiple of 300 s (300, 600, 900, …), or a window starting within the last 15 days for multiples of 60 s"},
		{20 * day, 7 * time.Minute, "multiple of 300 s"},
		{20 * day, time.Minute, "multiple of 300 s"},
		{20 * day, 10 * time.Minute, ""},
		{20 * day, time.Hour, ""},
		{100 * day, 30 * time.Minute, "use a multiple of 3600 s (3600, 7200, 10800, …), or a window starting within the last 63 days for multiples of 300 s"},
		{100 * day, 90 * time.Minute, "multiple of 3600 s"},
		{100 * day, 2 * time.Hour, ""},
	}
	for _, tt := range tests {
		got, err := ChoosePeriod(testNow.Add(-tt.age), testNow, tt.requested)
		if tt.wantErr == "" {
			if err != nil || got != tt.requested {
				t.Errorf("age %v, period %v: %v %v, want it accepted", tt.age, tt.requested, got, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("age %v, period %v: err %v, want %q", tt.age, tt.requested, err, tt.wantErr)
			continue
		}
		if !errors.Is(err, ErrPeriod) || !errors.Is(err, ErrRetention) {
			t.Errorf("age %v, period %v: %v does not wrap ErrPeriod and ErrRetention", tt.age, tt.requested, err)
		}
		_, perr := NewPlan(Request{Nodes: nodes(1), Metrics: DefaultMetrics[:1], Start: testNow.Add(-tt.age), End: testNow, Now: testNow, Period: tt.requested})
		if !errors.Is(perr, ErrPeriod) {
			t.Errorf("age %v, period %v: NewPlan err %v, want ErrPeriod", tt.age, tt.requested, perr)
		}
	}
	if _, err := ChoosePeriod(testNow.Add(-day), testNow, 90*time.Second); !errors.Is(err, ErrPeriod) || errors.Is(err, ErrRetention) {
		t.Errorf("90 s: %v, want ErrPeriod only", err)
	}
}

// TestPlanStartsWithinRetentionAtBoundaries: with now 30 s past the minute, a window starting exactly 15, 63 or
// 455 days ago is judged by the start its requests use (rounded down to the period): 15 days gets 300 s (60 s
// requests would start 15 days and 30 s ago), 63 days gets 3600 s (and so does 63 days less 30 s: its 300 s
// requests would start 63 days and 30 s ago), and 455 days starts at the next whole hour
// instead of failing. Around every boundary, each plan the planner accepts, chosen or requested, has every
// request start at a time CloudWatch serves at its period.
func TestPlanStartsWithinRetentionAtBoundaries(t *testing.T) {
	day := 24 * time.Hour
	now := testNow.Add(30 * time.Second)
	plan := func(start time.Time, period time.Duration) (*Plan, error) {
		return NewPlan(Request{Nodes: nodes(2), Metrics: DefaultMetrics, Start: start, End: now, Now: now, Period: period})
	}
	for _, tt := range []struct {
		age        time.Duration
		wantPeriod time.Duration
		wantStart  time.Time
	}{
		{15 * day, 5 * time.Minute, now.Add(-15 * day).Truncate(5 * time.Minute)},
		{15*day - 30*time.Second, time.Minute, now.Add(-15*day + 30*time.Second)},
		{63 * day, time.Hour, now.Add(-63 * day).Truncate(time.Hour)},
		{63*day - 30*time.Second, time.Hour, now.Add(-63*day + 30*time.Second).Truncate(time.Hour)},
		{63*day - 270*time.Second, 5 * time.Minute, now.Add(-63*day + 270*time.Second)},
		{455 * day, time.Hour, now.Add(-455 * day).Truncate(time.Hour).Add(time.Hour)},
	} {
		p, err := plan(now.Add(-tt.age), 0)
		if err != nil || p.Period != tt.wantPeriod || !p.Start.Equal(tt.wantStart) {
			t.Errorf("age %v: %v, want period %v starting %v", tt.age, err, tt.wantPeriod, tt.wantStart)
			if err != nil {
				continue
			}
			t.Logf("got period %v starting %v", p.Period, p.Start)
		}
	}
	if _, err := plan(now.Add(-455*day-time.Second), 0); !errors.Is(err, ErrRetention) {
		t.Errorf("455 days and 1 s: %v, want ErrRetention", err)
	}
	accepted := 0
	for _, boundary := range []time.Duration{15 * day, 63 * day, 455 * day} {
		for off := -2 * time.Hour; off <= time.Hour; off += 30 * time.Second {
			start := now.Add(-boundary - off)
			for _, period := range []time.Duration{0, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour} {
				p, err := plan(start, period)
				if err != nil {
					if !errors.Is(err, ErrRetention) {
						t.Fatalf("start %v before now, period %v: %v", now.Sub(start), period, err)
					}
					continue
				}
				accepted++
				for _, b := range p.Batches {
					if !servable(b.Start, p.Period, now) {
						t.Fatalf("start %v before now, period %v: plan of period %v requests from %v (%v before now), which CloudWatch does not serve",
							now.Sub(start), period, p.Period, b.Start, now.Sub(b.Start))
					}
				}
			}
		}
	}
	if accepted == 0 {
		t.Fatal("no plan accepted")
	}
}

// TestPlanWarnsOfPeriodAverages: a plan of Average datapoints coarser than 60 s says that peaks shorter than the
// period are averaged away; a 60 s plan, or one of Maximum only, does not.
func TestPlanWarnsOfPeriodAverages(t *testing.T) {
	day := 24 * time.Hour
	end := testNow
	for _, tt := range []struct {
		days   int
		period time.Duration
		stats  []string
		want   string // "" = no warning
	}{
		{14, 0, nil, ""},
		{14, time.Minute, []string{"Average", "p99"}, ""},
		{30, 0, nil, "datapoints are 300-second averages: spikes shorter than that are averaged away, so p99 and max understate 1-minute peaks (a window starting within 15 days gets 1-minute data)"},
		{100, 0, []string{"Maximum", "Average"}, "datapoints are 3600-second averages"},
		{14, 5 * time.Minute, nil, "datapoints are 300-second averages: spikes shorter than that are averaged away, so p99 and max understate 1-minute peaks (a 60-second period, available for a window starting within 15 days, keeps them)"},
		{30, 0, []string{"Maximum"}, ""},
	} {
		name := fmt.Sprintf("%d days, period %v, stats %v", tt.days, tt.period, tt.stats)
		p, err := NewPlan(Request{Nodes: nodes(1), Metrics: DefaultMetrics, Stats: tt.stats, Start: end.Add(-time.Duration(tt.days) * day), End: end, Now: testNow, Period: tt.period})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if tt.want == "" {
			if len(p.Warnings) != 0 {
				t.Errorf("%s: warnings %q, want none", name, p.Warnings)
			}
			continue
		}
		if len(p.Warnings) != 1 || !strings.HasPrefix(p.Warnings[0], tt.want) {
			t.Errorf("%s: warnings %q, want one starting %q", name, p.Warnings, tt.want)
		}
	}
}

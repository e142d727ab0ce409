package rightsizing

import (
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
)

// TestEarlierAfter pins the bounds of the earlier CPU kept after a class change: an hour that
// starts at the change was measured wholly on the new class and is kept; one that starts before
// it (a change at 02:30) was measured partly on the old one and is left out; nothing after it
// leaves no series. Start moves to the first hour kept.
func TestEarlierAfter(t *testing.T) {
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	s := analysis.Series{Metric: analysis.MetricCPU, Unit: "Percent", Period: time.Hour, Start: t0, End: t0.Add(6 * time.Hour)}
	for i := range 6 {
		s.Timestamps = append(s.Timestamps, t0.Add(time.Duration(i)*time.Hour))
		s.Values = append(s.Values, float64(10*i))
	}
	for _, tc := range []struct {
		at    time.Duration
		first time.Duration // the first hour kept; -1: none
	}{
		{-time.Hour, 0}, {0, 0}, {2 * time.Hour, 2 * time.Hour}, {150 * time.Minute, 3 * time.Hour},
		{5 * time.Hour, 5 * time.Hour}, {301 * time.Minute, -1}, {6 * time.Hour, -1},
	} {
		got, ok := earlierAfter(s, t0.Add(tc.at))
		if tc.first < 0 {
			if ok {
				t.Errorf("change at +%v: kept %v, want nothing", tc.at, got.Timestamps)
			}
			continue
		}
		want := t0.Add(tc.first)
		if !ok || !got.Timestamps[0].Equal(want) || !got.Start.Equal(want) || len(got.Timestamps) != len(got.Values) ||
			got.Values[0] != s.Values[int(tc.first/time.Hour)] || !got.End.Equal(s.End) {
			t.Errorf("change at +%v: got %v from %v (start %v, ok %v), want from %v", tc.at, got.Timestamps, got.Values, got.Start, ok, want)
		}
	}
}

// TestEarlierClassChange pins which class change cuts the earlier CPU: the latest one after the
// earlier read's start and before the lookback's end, whatever the order RDS lists them in; one
// at or before that start, or at or after that end, cuts nothing.
func TestEarlierClassChange(t *testing.T) {
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	earlier := &cw.Result{Plan: &cw.Plan{Start: t0, End: t0.Add(30 * 24 * time.Hour)}}
	end := t0.Add(44 * 24 * time.Hour)
	ev := func(d time.Duration) analysis.Event {
		return analysis.Event{Source: "db", Time: t0.Add(d), Message: "Finished applying modification to DB instance class"}
	}
	day := 24 * time.Hour
	for _, tc := range []struct {
		name    string
		changes []analysis.Event
		want    time.Duration // -1: none
	}{
		{"none", nil, -1},
		{"at the earlier start", []analysis.Event{ev(0)}, -1},
		{"before it", []analysis.Event{ev(-day)}, -1},
		{"at the lookback's end", []analysis.Event{ev(44 * day)}, -1},
		{"in the earlier read", []analysis.Event{ev(3 * day)}, 3 * day},
		{"in the lookback", []analysis.Event{ev(40 * day)}, 40 * day},
		{"the latest, listed first", []analysis.Event{ev(40 * day), ev(3 * day), ev(45 * day)}, 40 * day},
		{"the latest, listed last", []analysis.Event{ev(-day), ev(3 * day), ev(20 * day)}, 20 * day},
	} {
		got, ok := earlierClassChange(inventory.Cluster{ClassChanges: tc.changes}, earlier, end)
		switch {
		case tc.want < 0 && ok:
			t.Errorf("%s: cut at %v, want none", tc.name, got.Time)
		case tc.want >= 0 && (!ok || !got.Time.Equal(t0.Add(tc.want))):
			t.Errorf("%s: cut at %v (ok %v), want %v", tc.name, got.Time, ok, t0.Add(tc.want))
		}
	}
	if _, ok := earlierClassChange(inventory.Cluster{ClassChanges: []analysis.Event{ev(3 * day)}}, nil, end); ok {
		t.Error("no earlier read: want no cut")
	}
}

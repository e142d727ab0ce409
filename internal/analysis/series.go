package analysis

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// Series is one metric of one node sampled at a fixed period.
//
// Timestamps and Values have the same length; Timestamps are the start of each
// sampling period in UTC. Missing datapoints are simply absent (a gap), and a
// NaN value is counted as missing. The expected window is [Start, End): the
// number of expected datapoints is (End-Start)/Period, which is what coverage
// is measured against.
type Series struct {
	Metric     string        // CloudWatch metric name, e.g. "CPUUtilization"
	Unit       string        // unit of Values, e.g. "Percent", "Bytes", "Count/Second"
	Period     time.Duration // sampling period, > 0
	Start      time.Time     // first expected timestamp (inclusive)
	End        time.Time     // end of the window (exclusive)
	Timestamps []time.Time   // UTC, strictly increasing (see Validate)
	Values     []float64     // one per timestamp; NaN = missing
}

// Errors returned (wrapped) for bad series. Test with errors.Is.
var (
	// ErrBadSeries reports a structurally invalid series: non-positive period,
	// End not after Start, times outside the years 1678–2262, or Timestamps
	// and Values of different lengths.
	ErrBadSeries = errors.New("invalid series")
	// ErrUnsorted reports timestamps that are not strictly increasing. Use
	// Series.Sorted to obtain an ordered copy.
	ErrUnsorted = errors.New("timestamps not strictly increasing")
)

// Lookback is the length of the expected window, End-Start. It is zero or
// negative for an invalid window.
func (s Series) Lookback() time.Duration { return s.End.Sub(s.Start) }

// Expected is the number of datapoints expected in [Start, End) at Period:
// ceil((End-Start)/Period). It is 0 for an invalid window or period.
func (s Series) Expected() int {
	if s.Period <= 0 || !s.End.After(s.Start) {
		return 0
	}
	d := s.End.Sub(s.Start)
	n := d / s.Period
	if d%s.Period != 0 {
		n++
	}
	return int(n)
}

// The times the package compares by UnixNano, which is defined only between
// these two instants (about 1678-09-22 and 2262-04-11).
var (
	earliestTime = time.Unix(0, math.MinInt64)
	latestTime   = time.Unix(0, math.MaxInt64)
)

func outsideNano(t time.Time) bool { return t.Before(earliestTime) || t.After(latestTime) }

// validateShape checks period, window and lengths (not ordering).
func (s Series) validateShape() error {
	switch {
	case s.Period <= 0:
		return fmt.Errorf("series %q: %w: period %v must be positive", s.Metric, ErrBadSeries, s.Period)
	case !s.End.After(s.Start):
		return fmt.Errorf("series %q: %w: end %s must be after start %s", s.Metric, ErrBadSeries,
			s.End.UTC().Format(time.RFC3339), s.Start.UTC().Format(time.RFC3339))
	case outsideNano(s.Start) || outsideNano(s.End):
		return fmt.Errorf("series %q: %w: window %s to %s: times must lie between %s and %s", s.Metric, ErrBadSeries,
			s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339),
			earliestTime.UTC().Format(time.RFC3339), latestTime.UTC().Format(time.RFC3339))
	case len(s.Timestamps) != len(s.Values):
		return fmt.Errorf("series %q: %w: %d timestamps but %d values", s.Metric, ErrBadSeries,
			len(s.Timestamps), len(s.Values))
	case len(s.Timestamps) > 0 && (outsideNano(s.Timestamps[0]) || outsideNano(s.Timestamps[len(s.Timestamps)-1])):
		return fmt.Errorf("series %q: %w: timestamps from %s to %s: times must lie between %s and %s", s.Metric, ErrBadSeries,
			s.Timestamps[0].UTC().Format(time.RFC3339), s.Timestamps[len(s.Timestamps)-1].UTC().Format(time.RFC3339),
			earliestTime.UTC().Format(time.RFC3339), latestTime.UTC().Format(time.RFC3339))
	}
	return nil
}

// Validate reports whether s is well formed: positive Period, End after Start,
// both within the years 1678–2262 (the range of time.Time.UnixNano, by which
// times are compared), equal lengths and strictly increasing Timestamps. Errors wrap ErrBadSeries or
// ErrUnsorted. Values may contain NaN (counted as missing).
func (s Series) Validate() error {
	if err := s.validateShape(); err != nil {
		return err
	}
	if i := unsortedAt(s.Timestamps); i >= 0 {
		return fmt.Errorf("series %q: %w at index %d (%s after %s); sort them (Series.Sorted) before analysis",
			s.Metric, ErrUnsorted, i, s.Timestamps[i].UTC().Format(time.RFC3339),
			s.Timestamps[i-1].UTC().Format(time.RFC3339))
	}
	return nil
}

// unsortedAt returns the first index i with ts[i] <= ts[i-1], or -1.
func unsortedAt(ts []time.Time) int {
	if len(ts) < 2 {
		return -1
	}
	prev := ts[0].UnixNano()
	for i := 1; i < len(ts); i++ {
		cur := ts[i].UnixNano()
		if cur <= prev {
			return i
		}
		prev = cur
	}
	return -1
}

// Sorted returns a copy of s with points ordered by timestamp. When several
// points share a timestamp, the last one in input order wins (CloudWatch can
// return a corrected datapoint later). s is not modified; the result never
// shares backing arrays with s. It returns an error only for a shape problem
// (see Validate).
func (s Series) Sorted() (Series, error) {
	if err := s.validateShape(); err != nil {
		return Series{}, err
	}
	out := s
	idx := make([]int, len(s.Timestamps))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.Timestamps[idx[a]].Before(s.Timestamps[idx[b]]) })
	out.Timestamps = make([]time.Time, 0, len(idx))
	out.Values = make([]float64, 0, len(idx))
	for _, i := range idx {
		t := s.Timestamps[i]
		if n := len(out.Timestamps); n > 0 && out.Timestamps[n-1].Equal(t) {
			out.Values[n-1] = s.Values[i]
			continue
		}
		out.Timestamps = append(out.Timestamps, t)
		out.Values = append(out.Values, s.Values[i])
	}
	return out, nil
}

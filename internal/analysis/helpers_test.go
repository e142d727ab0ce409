package analysis

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// t0 is a Monday 00:00 UTC, the start of synthetic windows.
var t0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// synth builds a gap-free series of the given length at period with values f(t).
func synth(metric, unit string, start time.Time, d, period time.Duration, f func(t time.Time, i int) float64) Series {
	n := int(d / period)
	s := Series{Metric: metric, Unit: unit, Period: period, Start: start, End: start.Add(d),
		Timestamps: make([]time.Time, n), Values: make([]float64, n)}
	for i := range n {
		t := start.Add(time.Duration(i) * period)
		s.Timestamps[i] = t
		s.Values[i] = f(t, i)
	}
	return s
}

// rng is a small deterministic generator (SplitMix64) for test data.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a uniform value in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// drawSorted returns n values g(&r, 0..n-1) and a sorted copy of them.
func drawSorted(g func(*rng, int) float64, n int, r rng) (a, sorted []float64) {
	a = make([]float64, n)
	for i := range a {
		a[i] = g(&r, i)
	}
	sorted = slices.Clone(a)
	slices.Sort(sorted)
	return a, sorted
}

// norm returns an approximately standard normal value (sum of 4 uniforms).
func (r *rng) norm() float64 {
	return (r.float() + r.float() + r.float() + r.float() - 2) * math.Sqrt(3)
}

// loadTrace reads a NAB CloudWatch trace (testdata/<name>.csv: header
// "timestamp,value", 5-minute points, UTC) into a Series whose window runs
// from the first timestamp to the last plus one period. Points are kept in
// file order; duplicates or disorder are left for the test to see.
func loadTrace(t testing.TB, name, metric, unit string) Series {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".csv"))
	if err != nil {
		t.Fatalf("open trace: %v", err)
	}
	defer f.Close()
	s := Series{Metric: metric, Unit: unit, Period: 5 * time.Minute}
	sc := bufio.NewScanner(f)
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first {
			first = false
			continue
		}
		ts, vs, ok := strings.Cut(line, ",")
		if !ok {
			t.Fatalf("trace %s: bad line %q", name, line)
		}
		tm, err := time.Parse("2006-01-02 15:04:05", ts)
		if err != nil {
			t.Fatalf("trace %s: %v", name, err)
		}
		v, err := strconv.ParseFloat(vs, 64)
		if err != nil {
			t.Fatalf("trace %s: %v", name, err)
		}
		s.Timestamps = append(s.Timestamps, tm.UTC())
		s.Values = append(s.Values, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	s.Start = s.Timestamps[0]
	s.End = s.Timestamps[len(s.Timestamps)-1].Add(s.Period)
	return s
}

func cloneSeries(s Series) Series {
	c := s
	c.Timestamps = append([]time.Time(nil), s.Timestamps...)
	c.Values = append([]float64(nil), s.Values...)
	return c
}

func sameSeries(a, b Series) bool {
	if a.Metric != b.Metric || a.Unit != b.Unit || a.Period != b.Period || !a.Start.Equal(b.Start) || !a.End.Equal(b.End) ||
		len(a.Timestamps) != len(b.Timestamps) || len(a.Values) != len(b.Values) {
		return false
	}
	for i := range a.Timestamps {
		if !a.Timestamps[i].Equal(b.Timestamps[i]) {
			return false
		}
	}
	for i := range a.Values {
		x, y := a.Values[i], b.Values[i]
		if x != y && !(x != x && y != y) {
			return false
		}
	}
	return true
}

// where returns the elements of xs that keep accepts, in order.
func where[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

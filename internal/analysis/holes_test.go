package analysis

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// holey builds a series on a 1-minute grid from start with n periods, drops
// the periods for which drop(i) is true (holes) and sets NaN where nan(i).
func holey(start time.Time, n int, val func(i int) float64, drop, nan func(i int) bool) Series {
	s := Series{Metric: MetricCPU, Unit: "Percent", Period: time.Minute, Start: start, End: start.Add(time.Duration(n) * time.Minute)}
	for i := range n {
		if drop(i) {
			continue
		}
		v := val(i)
		if nan(i) {
			v = math.NaN()
		}
		s.Timestamps = append(s.Timestamps, start.Add(time.Duration(i)*time.Minute))
		s.Values = append(s.Values, v)
	}
	return s
}

// generalScan summarises s on the general pass (timestamps read one by one).
func generalScan(t *testing.T, s Series, wantH bool) (Summary, hourly) {
	t.Helper()
	g := gridOf(s.Timestamps, s.Period)
	g.regular = false
	sum, h, err := scan(s, g, s.Values, wantH)
	if err != nil {
		t.Fatal(err)
	}
	return sum, h
}

func relClose(a, b float64) bool {
	return nanEq(a, b) || math.Abs(a-b) <= 1e-12*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// TestSpreadMatchesGeneral checks that a series with holes, spread onto its
// grid and scanned on the regular path, has the Summary and hourly
// aggregates of the general pass: counts (NaN values apart from holes,
// points outside the window), longest gap, extremes, exact percentiles and
// peak time exactly; mean and deviation to the last bits.
func TestSpreadMatchesGeneral(t *testing.T) {
	const n = 3 * 1440
	r := rng(11)
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = 40 + 20*math.Sin(float64(i)/200) + 5*r.norm()
	}
	val := func(i int) float64 { return vals[i] }
	never := func(int) bool { return false }
	cases := []struct {
		name      string
		drop, nan func(i int) bool
		window    func(s *Series)
		val       func(i int) float64 // nil: the sine with noise
	}{
		{"sporadic", func(i int) bool { return i%211 == 5 }, never, nil, nil},
		{"outage", func(i int) bool { return i >= 2000 && i < 2090 }, never, nil, nil},
		{"holes and NaN", func(i int) bool { return i%97 == 3 }, func(i int) bool { return i%89 == 7 || (i > 3000 && i < 3030) }, nil, nil},
		{"hole next to NaN run", func(i int) bool { return i == 500 || i == 531 }, func(i int) bool { return i > 500 && i < 531 }, nil, nil},
		{"holes in every chunk", func(i int) bool { return i%40 == 1 }, never, nil, nil},
		{"inner window", func(i int) bool { return i%53 == 2 || i == 100 || i == n-200 }, func(i int) bool { return i%301 == 0 },
			func(s *Series) { s.Start, s.End = s.Start.Add(97*time.Minute), s.End.Add(-3*time.Hour) }, nil},
		{"window wider than data", func(i int) bool { return i%61 == 9 }, never,
			func(s *Series) { s.Start, s.End = s.Start.Add(-2*time.Hour), s.End.Add(5*time.Hour) }, nil},
		{"hole at the window edges", func(i int) bool { return i == 97 || i == 98 || i == n-181 || i%500 == 7 }, never,
			func(s *Series) { s.Start, s.End = s.Start.Add(97*time.Minute), s.End.Add(-3*time.Hour) }, nil},
		{"half missing", func(i int) bool { return i%2 == 1 && i < n-1 }, never, nil, nil},
		// A chunk with a hole whose minimum is a zero: the sign kept is
		// the first zero's, as on the general pass.
		{"holes and signed zeros", func(i int) bool { return i%45 == 4 }, func(i int) bool { return i%301 == 0 }, nil,
			func(i int) float64 {
				switch i % 31 {
				case 3:
					return math.Copysign(0, float64(i%2)-0.5)
				case 17:
					return math.Copysign(0, 0.5-float64(i%2))
				}
				return vals[i]
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := val
			if c.val != nil {
				v = c.val
			}
			s := holey(t0.Add(13*time.Minute), n, v, c.drop, c.nan)
			if c.window != nil {
				c.window(&s)
			}
			if guessGrid(s.Timestamps, s.Period).regular {
				t.Fatal("test series has no holes")
			}
			_, _, g, p, err := scanSeriesSpread(s, false)
			if err != nil || p == nil {
				t.Fatalf("not spread: %v", err)
			}
			if g.n != n || len(*p) != n {
				t.Fatalf("spread onto %d periods, want %d", g.n, n)
			}
			j := 0
			for i := range n { // the spread values: the series, NaN in the holes
				if j < len(s.Timestamps) && s.Timestamps[j].Equal(t0.Add(13*time.Minute+time.Duration(i)*time.Minute)) {
					if !nanEq((*p)[i], s.Values[j]) {
						t.Fatalf("period %d: spread %v, series %v", i, (*p)[i], s.Values[j])
					}
					j++
				} else if (*p)[i] == (*p)[i] {
					t.Fatalf("hole %d: spread %v, want NaN", i, (*p)[i])
				}
			}
			if j != len(s.Timestamps) {
				t.Fatalf("%d of %d datapoints placed", j, len(s.Timestamps))
			}
			putBuf(p)
			got, gh, _, err := scanSeries(s, true)
			if err != nil {
				t.Fatal(err)
			}
			want, wh := generalScan(t, s, true)
			if got.Count != want.Count || got.NaN != want.NaN || got.Missing != want.Missing || got.OutOfWindow != want.OutOfWindow ||
				got.Expected != want.Expected || got.Coverage != want.Coverage || got.LongestGap != want.LongestGap {
				t.Errorf("counts: spread %+v\ngeneral %+v", got, want)
			}
			bits := math.Float64bits
			for _, q := range [][2]float64{{got.Min, want.Min}, {got.Max, want.Max}, {got.P50, want.P50}, {got.P90, want.P90},
				{got.P95, want.P95}, {got.P99, want.P99}} {
				if bits(q[0]) != bits(q[1]) {
					t.Errorf("extremes or percentiles differ: spread %+v\ngeneral %+v", got, want)
					break
				}
			}
			if !got.PeakTime.Equal(want.PeakTime) || !relClose(got.Mean, want.Mean) || !relClose(got.StdDev, want.StdDev) {
				t.Errorf("peak/mean/deviation: spread %v %v %v, general %v %v %v", got.PeakTime, got.Mean, got.StdDev, want.PeakTime, want.Mean, want.StdDev)
			}
			if len(gh.mean) != len(wh.mean) {
				t.Fatalf("hourly lengths %d, %d", len(gh.mean), len(wh.mean))
			}
			for i := range gh.mean {
				if gh.count[i] != wh.count[i] || !nanEq(gh.mean[i], wh.mean[i]) || !nanEq(gh.min[i], wh.min[i]) || !nanEq(gh.max[i], wh.max[i]) {
					t.Fatalf("hour %d: spread %d %v %v %v, general %d %v %v %v", i, gh.count[i], gh.mean[i], gh.min[i], gh.max[i],
						wh.count[i], wh.mean[i], wh.min[i], wh.max[i])
				}
			}
		})
	}
}

// TestSpreadDeclines checks that spread leaves to the general pass what it
// cannot place: too sparse, off the grid, out of order, duplicated.
func TestSpreadDeclines(t *testing.T) {
	val := func(i int) float64 { return float64(i % 17) }
	never := func(int) bool { return false }
	base := func() Series { return holey(t0, 600, val, func(i int) bool { return i%50 == 3 }, never) }
	cases := map[string]func(s *Series){
		"sparse": func(s *Series) {
			*s = holey(t0, 600, val, func(i int) bool { return i%3 != 0 && i != 599 }, never)
		},
		"off the grid": func(s *Series) { s.Timestamps[100] = s.Timestamps[100].Add(20 * time.Second) },
		"out of order": func(s *Series) {
			s.Timestamps[100], s.Timestamps[101] = s.Timestamps[101], s.Timestamps[100]
		},
		"duplicate": func(s *Series) { s.Timestamps[101] = s.Timestamps[100] },
		"off the grid before the window": func(s *Series) {
			s.Start = t0.Add(100 * time.Minute)
			s.Timestamps[10] = s.Timestamps[10].Add(20 * time.Second)
		},
		"off the grid after the window": func(s *Series) {
			s.End = t0.Add(500 * time.Minute)
			s.Timestamps[len(s.Timestamps)-10] = s.Timestamps[len(s.Timestamps)-10].Add(20 * time.Second)
		},
		"end off grid": func(s *Series) {
			s.Timestamps[len(s.Timestamps)-1] = s.Timestamps[len(s.Timestamps)-1].Add(time.Second)
		},
		"single point":      func(s *Series) { s.Timestamps, s.Values = s.Timestamps[:1], s.Values[:1] },
		"jump past the end": func(s *Series) { s.Timestamps[300] = s.Timestamps[len(s.Timestamps)-1].Add(time.Minute) },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			s := base()
			mutate(&s)
			_, _, g, p, _ := scanSeriesSpread(s, true)
			if p != nil || (g.regular && g.n != len(s.Values)) {
				putBuf(p)
				t.Fatal("spread accepted it")
			}
		})
	}
	// Declined series still get their summary from the general pass, or
	// the ordering error.
	s := base()
	s.Timestamps[100], s.Timestamps[101] = s.Timestamps[101], s.Timestamps[100]
	if _, err := Summarize(s); err == nil {
		t.Fatal("out-of-order series summarised without error")
	}
	s = base()
	s.Timestamps[100] = s.Timestamps[100].Add(20 * time.Second)
	sum, err := Summarize(s)
	if err != nil || sum.Count != len(s.Values) {
		t.Fatalf("off-grid series: %v, count %d of %d", err, sum.Count, len(s.Values))
	}
	s = base()
	s.Start = t0.Add(100 * time.Minute)
	s.Timestamps[10] = s.Timestamps[10].Add(20 * time.Second)
	sum, err = Summarize(s)
	if err != nil || sum.Count+sum.OutOfWindow != len(s.Values) || sum.OutOfWindow != 98 {
		t.Fatalf("off-grid point before the window: %v, count %d, out of window %d", err, sum.Count, sum.OutOfWindow)
	}
}

// TestProjectionWithHoles projects an Aurora pair whose nodes miss
// different periods and compares the projected CPU with the timestamp
// alignment of alignedSum: a projected point exists where both nodes have a
// valid point; the rest is missing, not NaN.
func TestProjectionWithHoles(t *testing.T) {
	const n = 2 * 1440
	r := rng(5)
	mk := func(drop, nan func(int) bool, salt float64) Series {
		return holey(t0, n, func(i int) float64 { return salt + 10*math.Sin(float64(i)/90) + 3*r.norm() }, drop, nan)
	}
	never := func(int) bool { return false }
	cases := []struct {
		name string
		w, r Series
	}{
		{"different holes", mk(func(i int) bool { return i%101 == 4 }, never, 30), mk(func(i int) bool { return i%67 == 9 || (i > 900 && i < 960) }, never, 20)},
		{"holes and NaN", mk(func(i int) bool { return i%101 == 4 }, func(i int) bool { return i%43 == 1 }, 30), mk(func(i int) bool { return i%67 == 9 }, never, 20)},
		{"reader starts late", mk(func(i int) bool { return i%101 == 4 }, never, 30), mk(func(i int) bool { return i < 3 || i%67 == 9 }, never, 20)},
		{"writer gap-free", mk(never, never, 30), mk(func(i int) bool { return i%67 == 9 }, never, 20)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			grids := map[gridKey]grid{}
			wm, err := measure(c.w, grids)
			if err != nil {
				t.Fatal(err)
			}
			rm, err := measure(c.r, grids)
			if err != nil {
				t.Fatal(err)
			}
			defer release(map[string]map[string]*measured{"": {"w": wm, "r": rm}})
			got, _, _, err := combine("ProjectedCPUUtilization", "Percent", []*measured{wm, rm}, []float64{1, 0.5}, nil, 0, true)
			if err != nil {
				t.Fatal(err)
			}
			ref, _, err := alignedSum("ProjectedCPUUtilization", "Percent", []Series{c.w, c.r}, []float64{1, 0.5}, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Summarize(ref)
			if err != nil {
				t.Fatal(err)
			}
			if got.Count != want.Count || got.NaN != 0 || want.NaN != 0 || got.Missing != want.Missing || got.OutOfWindow != want.OutOfWindow ||
				got.LongestGap != want.LongestGap || got.Max != want.Max || got.Min != want.Min || !got.PeakTime.Equal(want.PeakTime) ||
				got.P50 != want.P50 || got.P99 != want.P99 || !relClose(got.Mean, want.Mean) {
				t.Errorf("projected %+v\naligned   %+v", got, want)
			}
			if c.name == "different holes" && !(wm.g.same(rm.g) && len(wm.slots()) == n) {
				t.Errorf("nodes with the same end points were not spread onto one grid: %+v %+v", wm.g, rm.g)
			}
		})
	}
}

// TestProjectionEstimatesReaderGaps: where the writer (first part) has a
// value and the reader does not (a hole, a NaN, or outside its series),
// the reader's estimate stands in; where the writer has none the point is
// missing. Both paths of combine (one grid, and the alignment of
// alignedSum for nodes on different grids) must match a brute-force
// reference, and count the estimated points in the window.
func TestProjectionEstimatesReaderGaps(t *testing.T) {
	const n = 2 * 1440
	r := rng(9)
	val := func(salt float64) func(int) float64 {
		return func(i int) float64 { return salt + 10*math.Sin(float64(i)/90) + 3*r.norm() }
	}
	never := func(int) bool { return false }
	wHoles, wNaN := func(i int) bool { return i%101 == 4 }, func(i int) bool { return i%43 == 1 }
	shifted := holey(t0.Add(30*time.Second), n, val(20), func(i int) bool { return i%67 == 9 }, never)
	cases := []struct {
		name   string
		w, r   Series
		direct bool // on one grid
	}{
		{"reader holes and NaN", holey(t0, n, val(30), wHoles, wNaN), holey(t0, n, val(20), func(i int) bool { return i%67 == 9 || (i > 900 && i < 960) }, func(i int) bool { return i%29 == 2 }), true},
		{"writer NaN where the reader has holes", holey(t0, n, val(30), never, func(i int) bool { return i%67 == 9 }), holey(t0, n, val(20), func(i int) bool { return i%67 == 9 || i%71 == 5 }, never), true},
		{"reader starts late", holey(t0, n, val(30), wHoles, never), holey(t0, n, val(20), func(i int) bool { return i < 30 || i%67 == 9 }, never), false},
		{"reader on another grid", holey(t0, n, val(30), wHoles, wNaN), shifted, false},
		{"reader without data", holey(t0, n, val(30), wHoles, never), holey(t0, n, val(20), never, func(int) bool { return true }), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Reference: the reader's value in the writer's minute, else
			// its estimate (refEstimator).
			at := map[int64]float64{}
			for i, ts := range c.r.Timestamps {
				at[ts.Truncate(time.Minute).UnixNano()] = c.r.Values[i]
			}
			rsum, err := Summarize(c.r)
			if err != nil {
				t.Fatal(err)
			}
			ref := refEstimator(c.r, rsum, 0.5, c.w.Start)
			var want []float64
			estimated := 0
			for i, ts := range c.w.Timestamps {
				v := c.w.Values[i]
				if v != v {
					continue
				}
				x, ok := at[ts.UnixNano()]
				if !ok || x != x {
					x = ref(ts)
					estimated++
				}
				want = append(want, v+float64(0.5*x))
			}
			grids := map[gridKey]grid{}
			wm, err := measure(c.w, grids)
			if err != nil {
				t.Fatal(err)
			}
			rm, err := measure(c.r, grids)
			if err != nil {
				t.Fatal(err)
			}
			defer release(map[string]map[string]*measured{"": {"w": wm, "r": rm}})
			if direct := wm.g.same(rm.g) && c.w.Start.Equal(c.r.Start); direct != c.direct {
				t.Fatalf("fixture: on one grid %v, want %v", direct, c.direct)
			}
			got, _, gotEst, err := combine("ProjectedCPUUtilization", "Percent", []*measured{wm, rm}, []float64{1, 0.5}, []readerEstimate{{}, newReaderEstimate(rm, 0.5)}, 0, true)
			if err != nil {
				t.Fatal(err)
			}
			if got.Count != len(want) || gotEst != estimated || estimated == 0 || got.NaN != 0 ||
				got.P99 != refQuantile(want, 0.99) || got.P50 != refQuantile(want, 0.5) || got.Max != slices.Max(want) {
				t.Errorf("projected %d points (%d estimated), p50 %v p99 %v max %v; want %d (%d), %v %v %v", got.Count, gotEst, got.P50, got.P99, got.Max,
					len(want), estimated, refQuantile(want, 0.5), refQuantile(want, 0.99), slices.Max(want))
			}
			// Every part required (no estimates): only the instants both have.
			req, _, reqEst, err := combine("ProjectedCPUUtilization", "Percent", []*measured{wm, rm}, []float64{1, 0.5}, nil, 0, true)
			if err != nil {
				t.Fatal(err)
			}
			if req.Count != len(want)-estimated || reqEst != 0 {
				t.Errorf("without estimates %d points (%d estimated), want %d", req.Count, reqEst, len(want)-estimated)
			}
		})
	}
}

// TestSummarizeHolesExample shows the accounting of a series with holes
// and a NaN value.
func TestSummarizeHolesExample(t *testing.T) {
	s := holey(t0, 10, func(i int) float64 { return float64(i) }, func(i int) bool { return i == 3 || i == 4 }, func(i int) bool { return i == 7 })
	sum, err := Summarize(s)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("count %d expected %d missing %d nan %d gap %v max %v at %s p50 %v", sum.Count, sum.Expected, sum.Missing, sum.NaN,
		sum.LongestGap, sum.Max, sum.PeakTime.Format("15:04"), sum.P50)
	want := "count 7 expected 10 missing 3 nan 1 gap 2m0s max 9 at 00:09 p50 5"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

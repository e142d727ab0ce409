package analysis

import (
	"math"
	"slices"
	"testing"
	"time"
)

// refEstimator is a brute-force readerEstimate: the value standing in for
// the reader r (whose Summary is sum, a part of scale scale) at t, where r
// has no valid point in t's slot (floor((t-start)/Period)). Its neighbours
// are its nearest valid points in earlier and later slots; the hours of
// the week and of the day are read from time.Time (UTC).
func refEstimator(r Series, sum Summary, scale float64, start time.Time) func(t time.Time) float64 {
	per := r.Period
	slot := func(x time.Time) int64 {
		d := x.Sub(start)
		q := int64(d / per)
		if d%per < 0 {
			q--
		}
		return q
	}
	// The valid points, and the hours' sums, lowest values and counts, in
	// time order.
	type bucket struct {
		sum, low float64
		n        int
	}
	var valid []int
	// Keyed by {weekday, hour} and {-1, hour}.
	hours := map[[2]int]*bucket{}
	add := func(k [2]int, v float64) {
		b := hours[k]
		if b == nil {
			b = &bucket{low: v}
			hours[k] = b
		}
		b.sum, b.n, b.low = b.sum+v, b.n+1, math.Min(b.low, v)
	}
	for i, x := range r.Timestamps {
		v := r.Values[i]
		if v != v {
			continue
		}
		valid = append(valid, i)
		u := x.UTC()
		add([2]int{int(u.Weekday()), u.Hour()}, v)
		add([2]int{-1, u.Hour()}, v)
	}
	span := max(15*time.Minute, per)
	low := scale < 0
	value := func(b *bucket) float64 {
		if low {
			return b.low
		}
		return b.sum / float64(b.n)
	}
	return func(t time.Time) float64 {
		k := slot(t)
		// First valid point in a slot >= k, then past slot k.
		j, _ := slices.BinarySearchFunc(valid, k, func(i int, k int64) int { return cmpInt(slot(r.Timestamps[i]), k) })
		p := j - 1
		for j < len(valid) && slot(r.Timestamps[valid[j]]) == k {
			j++
		}
		hasP, hasN := p >= 0, j < len(valid)
		switch {
		case hasP && hasN:
			pi, ni := valid[p], valid[j]
			pt, nt := r.Timestamps[pi].UnixNano(), r.Timestamps[ni].UnixNano()
			if time.Duration(nt-pt) <= span+per {
				pv, nv := r.Values[pi], r.Values[ni]
				return pv + (nv-pv)*float64(t.UnixNano()-pt)/float64(nt-pt)
			}
		case hasP:
			if pi := valid[p]; t.Sub(r.Timestamps[pi]) <= span {
				return r.Values[pi]
			}
		case hasN:
			if ni := valid[j]; r.Timestamps[ni].Sub(t) <= span {
				return r.Values[ni]
			}
		}
		u := t.UTC()
		if b := hours[[2]int{int(u.Weekday()), u.Hour()}]; b != nil {
			return value(b)
		}
		if b := hours[[2]int{-1, u.Hour()}]; b != nil {
			return value(b)
		}
		switch {
		case sum.Count == 0:
			return 0
		case low:
			return sum.Min
		}
		return sum.P99
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// estPoint is a projected point of w + scale·r.
type estPoint struct {
	v         float64
	estimated bool
}

// projectPair projects w + scale·r (r estimable) on both paths of
// combine: the one grid (projector, when w and r share it and their
// windows; ok false otherwise) and the alignment of alignedSum. Points are
// keyed by the writer's UnixNano; counts are of estimated points in the
// window.
func projectPair(t *testing.T, w, r Series, scale float64) (oneGrid, aligned map[int64]estPoint, gridN, alignedN int, ok bool) {
	t.Helper()
	grids := map[gridKey]grid{}
	wm, err := measure(w, grids)
	if err != nil {
		t.Fatal(err)
	}
	rm, err := measure(r, grids)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { release(map[string]map[string]*measured{"": {"w": wm, "r": rm}}) })
	parts, scales := []*measured{wm, rm}, []float64{1, scale}
	if ok = wm.g.same(rm.g) && w.Start.Equal(r.Start) && w.End.Equal(r.End); ok {
		buf := make([]float64, len(wm.slots()))
		pj := newProjector(parts, scales, []readerEstimate{{}, newReaderEstimate(rm, scale)}, 0)
		pj.fill(buf)
		req := slices.Clone(buf)
		lo, hi := windowIndex(wm.s, wm.g, len(buf))
		gridN = pj.patch(buf, lo, hi)
		oneGrid = map[int64]estPoint{}
		for i, v := range buf {
			if v == v {
				oneGrid[wm.slotTime(i)] = estPoint{v, req[i] != req[i]}
			}
		}
	}
	s, n, err := alignedSum("p", "u", []Series{wm.s, rm.s}, scales, []readerEstimate{{}, newReaderEstimate(rm, scale)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	req, _, err := alignedSum("p", "u", []Series{wm.s, rm.s}, scales, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	measuredAt := map[int64]bool{}
	for _, ts := range req.Timestamps {
		measuredAt[ts.UnixNano()] = true
	}
	aligned, alignedN = map[int64]estPoint{}, n
	for i, ts := range s.Timestamps {
		aligned[ts.UnixNano()] = estPoint{s.Values[i], !measuredAt[ts.UnixNano()]}
	}
	// The Summary combine gives agrees with the points.
	sum, _, cn, err := combine("p", "u", parts, scales, []readerEstimate{{}, newReaderEstimate(rm, scale)}, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	want, wantN := aligned, alignedN
	if ok {
		want, wantN = oneGrid, gridN
	}
	var vals []float64
	for _, p := range want {
		vals = append(vals, p.v)
	}
	if sum.Count != len(vals) || cn != wantN || (len(vals) > 0 && (sum.Max != slices.Max(vals) || sum.P99 != refQuantile(vals, 0.99))) {
		t.Errorf("combine: %d points (%d estimated) max %v p99 %v; want %d (%d)", sum.Count, cn, sum.Max, sum.P99, len(vals), wantN)
	}
	return oneGrid, aligned, gridN, alignedN, ok
}

// checkRef compares projected points with w + scale·(r, else refEstimate)
// at every valid writer point, and returns the estimates by writer time.
func checkRef(t *testing.T, name string, got map[int64]estPoint, gotN int, w, r Series, scale float64) map[int64]float64 {
	t.Helper()
	rsum, err := Summarize(r)
	if err != nil {
		t.Fatal(err)
	}
	ref := refEstimator(r, rsum, scale, w.Start)
	per := int64(w.Period)
	at := map[int64]float64{}
	for i, ts := range r.Timestamps {
		at[floorDiv(ts.Sub(w.Start).Nanoseconds(), per)] = r.Values[i]
	}
	ests := map[int64]float64{}
	n, bad := 0, 0
	for i, ts := range w.Timestamps {
		v := w.Values[i]
		if v != v {
			continue
		}
		x, ok := at[floorDiv(ts.Sub(w.Start).Nanoseconds(), per)]
		estimated := !ok || x != x
		if estimated {
			x = ref(ts)
			ests[ts.UnixNano()] = x
			if !ts.Before(w.Start) && ts.Before(w.End) {
				n++
			}
		}
		p, ok := got[ts.UnixNano()]
		if want := v + float64(scale*x); !ok || p.v != want || p.estimated != estimated {
			if bad++; bad <= 5 {
				t.Errorf("%s: at %s got %+v (present %v), want %v (estimated %v)", name, ts.Format(time.RFC3339), p, ok, want, estimated)
			}
		}
	}
	if len(got) != len(w.Values)-countNaN(w.Values) || gotN != n || n == 0 {
		t.Errorf("%s: %d points, %d estimated; want %d, %d (and some)", name, len(got), gotN, len(w.Values)-countNaN(w.Values), n)
	}
	return ests
}

func countNaN(v []float64) int {
	n := 0
	for _, x := range v {
		if x != x {
			n++
		}
	}
	return n
}

// bothPaths projects w + scale·r on both paths, checks each against the
// reference and the two against each other, and returns the estimates.
func bothPaths(t *testing.T, w, r Series, scale float64, wantGrid bool) map[int64]float64 {
	t.Helper()
	grid, aligned, gridN, alignedN, ok := projectPair(t, w, r, scale)
	if ok != wantGrid {
		t.Fatalf("fixture: on one grid %v, want %v", ok, wantGrid)
	}
	ests := checkRef(t, "aligned", aligned, alignedN, w, r, scale)
	if ok {
		checkRef(t, "one grid", grid, gridN, w, r, scale)
		if len(grid) != len(aligned) || gridN != alignedN {
			t.Errorf("one grid %d points (%d estimated), aligned %d (%d)", len(grid), gridN, len(aligned), alignedN)
		}
		for k, p := range grid {
			if aligned[k] != p {
				t.Errorf("at %v: one grid %+v, aligned %+v", time.Unix(0, k).UTC(), p, aligned[k])
				break
			}
		}
	}
	return ests
}

// series is a 1-minute (or period) series from start of n points: val(i),
// absent where drop, NaN where nan (nil: never).
func seriesN(start time.Time, period time.Duration, n int, val func(i int) float64, drop, nan func(i int) bool) Series {
	s := Series{Metric: MetricCPU, Unit: "Percent", Period: period, Start: start, End: start.Add(time.Duration(n) * period)}
	for i := range n {
		if drop != nil && drop(i) {
			continue
		}
		v := val(i)
		if nan != nil && nan(i) {
			v = math.NaN()
		}
		s.Timestamps = append(s.Timestamps, start.Add(time.Duration(i)*period))
		s.Values = append(s.Values, v)
	}
	return s
}

// antiCorrelatedPair is auroraPair(2) at 60% CPU without an IOPS baseline
// (Aurora): the reader is busy 02–05 UTC on weekdays, the writer 14–17.
func antiCorrelatedPair() ClusterInput {
	in := auroraPair(2)
	in.Nodes = slices.Clone(in.Nodes)
	in.Candidates = slices.Clone(in.Candidates)
	for i := range in.Candidates {
		in.Candidates[i].Class.BaselineIOPS = 0
	}
	for k := range in.Nodes {
		n := &in.Nodes[k]
		n.Class.BaselineIOPS = 0
		n.Series = slices.Clone(n.Series)
		for j, s := range n.Series {
			if s.Metric == MetricCPU {
				s.Values = slices.Clone(s.Values)
				for i := range s.Values {
					s.Values[i] *= 0.6
				}
				n.Series[j] = s
			}
		}
	}
	return in
}

// dropReader makes the reader's values NaN where gone(timestamp) (every
// metric).
func dropReader(in ClusterInput, gone func(i int, t time.Time) bool) ClusterInput {
	in.Nodes = slices.Clone(in.Nodes)
	r := &in.Nodes[1]
	r.Series = slices.Clone(r.Series)
	for j, s := range r.Series {
		s.Values = slices.Clone(s.Values)
		for i, ts := range s.Timestamps {
			if gone(i, ts) {
				s.Values[i] = math.NaN()
			}
		}
		r.Series[j] = s
	}
	return in
}

// TestReaderEstimateOneMissingMinuteAtWriterPeak: one reader datapoint (1
// of 20160) missing at the writer's connection peak. Its neighbours stand
// in, so the projected peak connections stays at the gap-free 163 (the p99
// raised it to 223) and the verdict does not flip on the connections check.
func TestReaderEstimateOneMissingMinuteAtWriterPeak(t *testing.T) {
	base := antiCorrelatedPair()
	base.Postgres = &PostgresFacts{MaxConnections: 250}
	peak := 0
	for _, s := range base.Nodes[0].Series {
		if s.Metric == MetricConnections {
			for i, v := range s.Values {
				if v > s.Values[peak] {
					peak = i
				}
			}
		}
	}
	full, err := Analyze(base, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Analyze(dropReader(base, func(i int, _ time.Time) bool { return i == peak }), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	fc, gc := full.Projection.Connections.Max, rec.Projection.Connections.Max
	if fc != 163 || math.Abs(gc-fc) > 3 {
		t.Errorf("peak connections %v with the gap, %v without (want 163, within 3)", gc, fc)
	}
	cr, _ := reason(rec, "connections_peak_with_headroom")
	if rec.Verdict != full.Verdict || rec.Verdict != VerdictConsolidate || !cr.Passed || rec.RecommendedClass != full.RecommendedClass {
		t.Errorf("verdict %s on %s (connections %+v); without the gap %s on %s", rec.Verdict, rec.RecommendedClass, cr, full.Verdict, full.RecommendedClass)
	}
	if n := rec.Projection.EstimatedPoints["ProjectedDatabaseConnections"]; n != 1 {
		t.Errorf("estimated connection points %d, want 1", n)
	}
	if _, ok := reason(rec, "reader_estimate"); !ok {
		t.Error("no reader_estimate reason")
	}
}

// TestReaderEstimateGapsAtWriterBusyHours: the reader (busy 02–05 on
// weekdays) misses the writer's busy hours (14–17 on weekdays) in both
// weeks, 8.9% of its points. No week has those hours, so its mean for
// those hours of the day (the weekends': idle) stands in: the projected CPU
// p99 stays near the gap-free 23.7 (the p99 stand-in made it 37.4, and
// recommended the larger class).
func TestReaderEstimateGapsAtWriterBusyHours(t *testing.T) {
	base := antiCorrelatedPair()
	full, err := Analyze(base, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Analyze(dropReader(base, func(_ int, ts time.Time) bool { return weekdayBump(ts, 14, 17) == 1 }), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	fp, gp := full.Projection.CPU.P99, rec.Projection.CPU.P99
	if math.Abs(gp-fp) > 1 {
		t.Errorf("projected CPU p99 %.2f with the gaps, %.2f without (want within 1)", gp, fp)
	}
	if fm, gm := full.Projection.Connections.Max, rec.Projection.Connections.Max; math.Abs(gm-fm) > 3 {
		t.Errorf("peak connections %v with the gaps, %v without", gm, fm)
	}
	if rec.Verdict != full.Verdict || rec.RecommendedClass != full.RecommendedClass {
		t.Errorf("verdict %s on %s; without the gaps %s on %s", rec.Verdict, rec.RecommendedClass, full.Verdict, full.RecommendedClass)
	}
	if n := rec.Projection.EstimatedPoints["ProjectedCPUUtilization"]; n != 1800 {
		t.Errorf("estimated CPU points %d, want 1800", n)
	}
	// The writer's own load stays: the projection never falls below it.
	if ws, _ := rec.Nodes[0].Summary(MetricCPU); rec.Projection.CPU.Count != ws.Count || rec.Projection.CPU.P99 < ws.P99 {
		t.Errorf("projected %d points p99 %v; writer alone %d p99 %v", rec.Projection.CPU.Count, rec.Projection.CPU.P99, ws.Count, ws.P99)
	}
}

// TestReaderEstimateShortGapsInterpolate: on a reader that rises linearly
// in time, a gap of up to 15 minutes of missing periods (and always a
// single missing period) is bridged exactly; a longer one is not. Holes and
// NaN values, on one grid and on a grid shifted by half a period
// (aligned), at periods of 1 minute, 5 minutes and an hour.
func TestReaderEstimateShortGapsInterpolate(t *testing.T) {
	cases := []struct {
		period        time.Duration
		bridged, long int // missing periods: the longest bridged, the shortest not
	}{{time.Minute, 15, 16}, {5 * time.Minute, 3, 4}, {time.Hour, 1, 2}}
	for _, c := range cases {
		t.Run(c.period.String(), func(t *testing.T) {
			n := int(14 * 24 * time.Hour / c.period)
			// Gaps of 1..bridged periods, then one of long, 10 periods apart.
			gap := map[int]int{} // first missing index → length
			i := 20
			for l := 1; l <= c.bridged; l++ {
				gap[i] = l
				i += l + 10
			}
			longAt := i
			gap[longAt] = c.long
			missing := func(i int) bool {
				for a, l := range gap {
					if i >= a && i < a+l {
						return true
					}
				}
				return false
			}
			w := seriesN(t0, c.period, n, func(int) float64 { return 100 }, nil, nil)
			per := float64(c.period)
			for _, shift := range []time.Duration{0, c.period / 2} {
				ramp := func(i int) float64 { return (float64(i)*per + float64(shift)) / per }
				for _, holes := range []bool{true, false} {
					var r Series
					if holes {
						r = seriesN(t0.Add(shift), c.period, n, ramp, missing, nil)
					} else {
						r = seriesN(t0.Add(shift), c.period, n, ramp, nil, missing)
					}
					r.Start, r.End = w.Start, w.End
					ests := bothPaths(t, w, r, 1, shift == 0)
					for a, l := range gap {
						for i := a; i < a+l; i++ {
							got, want := ests[w.Timestamps[i].UnixNano()], float64(i)
							if (got == want) != (a != longAt) {
								t.Errorf("shift %v holes %v: gap of %d at %d: estimate %v at %d (the ramp %v)", shift, holes, l, a, got, i, want)
							}
						}
					}
				}
			}
		})
	}
}

// weekly is a reader over two weeks (from Monday t0) at 1 minute: 100 ×
// the hour of the day + the day's index (0–13) + minute mod 3, so every
// hour's mean and lowest value are known.
func weekly(i int) float64 {
	return 100*float64(i/60%24) + float64(i/1440) + float64(i%3)
}

// TestReaderEstimateHourOfWeek: a reader missing two hours of one
// Wednesday (a long gap) takes its mean for those hours of the week (the
// other Wednesday's), or, as a subtracting part (FreeLocalStorage), their
// lowest value.
func TestReaderEstimateHourOfWeek(t *testing.T) {
	const n = 14 * 1440
	w := seriesN(t0, time.Minute, n, func(int) float64 { return 0 }, nil, nil)
	// Wednesday of the second week (day 9), 10:00–12:00.
	from := 9*1440 + 10*60
	r := seriesN(t0, time.Minute, n, weekly, func(i int) bool { return i >= from && i < from+120 }, nil)
	for _, scale := range []float64{1, -1} {
		ests := bothPaths(t, w, r, scale, true)
		for i := from; i < from+120; i++ {
			hour := float64(i / 60 % 24)
			want := 100*hour + 2 + 1 // day 2, mean of minute mod 3
			if scale < 0 {
				want = 100*hour + 2 // lowest
			}
			if got := ests[w.Timestamps[i].UnixNano()]; got != want {
				t.Fatalf("scale %v: estimate %v at %s, want %v", scale, got, w.Timestamps[i].Format(time.RFC3339), want)
			}
		}
	}
}

// TestReaderEstimateHourOfDay: a reader missing 10:00–11:00 on both
// Wednesdays has no datapoint in that hour of the week: its mean for that
// hour of the day over the other twelve days stands in (the lowest, for a
// subtracting part).
func TestReaderEstimateHourOfDay(t *testing.T) {
	const n = 14 * 1440
	w := seriesN(t0, time.Minute, n, func(int) float64 { return 0 }, nil, nil)
	gone := func(i int) bool { d := i / 1440; return (d == 2 || d == 9) && i%1440/60 == 10 }
	r := seriesN(t0, time.Minute, n, weekly, gone, nil)
	for _, scale := range []float64{1, -1} {
		ests := bothPaths(t, w, r, scale, true)
		want := 1000 + (91.0-11)/12 + 1 // days 0–13 but 2 and 9
		if scale < 0 {
			want = 1000
		}
		for i := range n {
			if gone(i) {
				if got := ests[w.Timestamps[i].UnixNano()]; math.Abs(got-want) > 1e-9 {
					t.Fatalf("scale %v: estimate %v at %s, want %v", scale, got, w.Timestamps[i].Format(time.RFC3339), want)
				}
			}
		}
	}
}

// TestReaderEstimateFallback: only an hour of the day the reader never
// reported (10:00 on every day) takes its p99 over the lookback (its
// lowest value, subtracting); the same reader's gap at 14:00 on both
// Wednesdays still takes that hour of the day's mean.
func TestReaderEstimateFallback(t *testing.T) {
	const n = 14 * 1440
	w := seriesN(t0, time.Minute, n, func(int) float64 { return 0 }, nil, nil)
	never := func(i int) bool { return i%1440/60 == 10 }
	wed := func(i int) bool { d := i / 1440; return (d == 2 || d == 9) && i%1440/60 == 14 }
	r := seriesN(t0, time.Minute, n, weekly, func(i int) bool { return never(i) || wed(i) }, nil)
	rsum, err := Summarize(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, scale := range []float64{1, -1} {
		ests := bothPaths(t, w, r, scale, true)
		wantNever, wantWed := rsum.P99, 1400+(91.0-11)/12+1
		if scale < 0 {
			wantNever, wantWed = rsum.Min, 1400
		}
		for i := range n {
			got := ests[w.Timestamps[i].UnixNano()]
			if never(i) && got != wantNever || wed(i) && math.Abs(got-wantWed) > 1e-9 {
				t.Fatalf("scale %v: estimate %v at %s; want %v at 10:00, %v on Wednesdays at 14:00", scale, got, w.Timestamps[i].Format(time.RFC3339), wantNever, wantWed)
			}
		}
	}
}

// TestReaderEstimateSeriesEnds: before the reader's first valid datapoint
// and after its last, a point within 15 minutes of it takes its value, a
// farther one the hour-of-week profile. The reader's series starts late
// and ends early (aligned), or has NaN values there (one grid).
func TestReaderEstimateSeriesEnds(t *testing.T) {
	const n = 14 * 1440
	w := seriesN(t0, time.Minute, n, func(int) float64 { return 0 }, nil, nil)
	val := func(i int) float64 { return 1000 + float64(i%1440) }
	head, tail := 10, 40 // missing at the start, at the end
	gone := func(i int) bool { return i < head || i >= n-tail }
	for _, holes := range []bool{true, false} {
		var r Series
		if holes {
			r = seriesN(t0, time.Minute, n, val, gone, nil)
		} else {
			r = seriesN(t0, time.Minute, n, val, nil, gone)
		}
		ests := bothPaths(t, w, r, 1, !holes)
		for i := range n {
			if !gone(i) {
				continue
			}
			got := ests[w.Timestamps[i].UnixNano()]
			switch {
			case i < head && got != val(head):
				t.Errorf("holes %v: estimate %v at %d, want the first value %v", holes, got, i, val(head))
			case i >= n-tail && i < n-tail+15 && got != val(n-tail-1):
				t.Errorf("holes %v: estimate %v at %d, want the last value %v", holes, got, i, val(n-tail-1))
			case i >= n-tail+15 && got == val(n-tail-1):
				t.Errorf("holes %v: estimate at %d, more than 15 minutes after the last value, is that value", holes, i)
			}
		}
	}
}

// TestReaderEstimatePathsAgree: gaps of every length (1 to 300 minutes),
// holes and NaN values in both nodes, parts that add and that subtract;
// both projection paths give the brute-force reference's value at every
// point, and the same values (the aligned path also for a reader on a
// shifted grid, and one starting late).
func TestReaderEstimatePathsAgree(t *testing.T) {
	const n = 14 * 1440
	r := rng(77)
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = 40 + 20*math.Sin(2*math.Pi*float64(i)/1440) + 5*r.norm()
	}
	// Gaps from index 3 on, none in the last 5 (the reader keeps the
	// writer's end points: one grid).
	gap := make([]bool, n)
	for i := 3; i < n-5; {
		l := 1 + int(r.next()%300)
		if r.next()%4 == 0 {
			l = 1 + int(r.next()%20)
		}
		for j := i; j < i+l && j < n-5; j++ {
			gap[j] = true
		}
		i += l + 1 + int(r.next()%400)
	}
	val := func(i int) float64 { return vals[i] }
	wHoles, wNaN := func(i int) bool { return i%101 == 4 }, func(i int) bool { return i%43 == 1 }
	w := seriesN(t0, time.Minute, n, func(i int) float64 { return 30 + val(i)/2 }, wHoles, wNaN)
	cases := []struct {
		name string
		r    Series
		grid bool
	}{
		{"holes", seriesN(t0, time.Minute, n, val, func(i int) bool { return gap[i] && i%3 != 0 }, func(i int) bool { return gap[i] && i%3 == 0 }), true},
		{"NaN", seriesN(t0, time.Minute, n, val, nil, func(i int) bool { return gap[i] }), true},
		{"shifted grid", seriesN(t0.Add(30*time.Second), time.Minute, n, val, func(i int) bool { return gap[i] }, nil), false},
		{"starts late", seriesN(t0, time.Minute, n, val, func(i int) bool { return gap[i] || i < 500 }, nil), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "shifted grid" {
				c.r.Start, c.r.End = w.Start, w.End
			}
			for _, scale := range []float64{0.5, -1} {
				bothPaths(t, w, c.r, scale, c.grid)
			}
		})
	}
}

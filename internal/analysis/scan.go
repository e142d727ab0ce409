package analysis

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// grid describes a timestamp slice: regular means ts[i] = t0 + i×step for
// every i (which implies strictly increasing), so a scan can derive times
// from indices instead of reading the slice.
type grid struct {
	regular bool
	t0      int64 // UnixNano of ts[0]
	step    int64 // nanoseconds (the series period)
	n       int
}

// gridOf inspects ts once; it stops at the first irregular step.
func gridOf(ts []time.Time, period time.Duration) grid {
	g := grid{step: int64(period), n: len(ts)}
	if len(ts) == 0 {
		g.regular = true
		return g
	}
	g.t0 = ts[0].UnixNano()
	want := g.t0
	for _, t := range ts {
		if t.UnixNano() != want {
			return g
		}
		want += g.step
	}
	g.regular = true
	return g
}

// same reports whether two grids are the same regular grid.
func (g grid) same(o grid) bool { return g.regular && o.regular && g == o }

var bufPool = sync.Pool{New: func() any { s := make([]float64, 0, 4096); return &s }}

// getBuf returns a pooled slice of length n (contents undefined).
func getBuf(n int) *[]float64 {
	p := bufPool.Get().(*[]float64)
	if cap(*p) < n {
		*p = make([]float64, n)
	}
	*p = (*p)[:n]
	return p
}

func putBuf(p *[]float64) {
	if p != nil && cap(*p) <= 1<<24 {
		bufPool.Put(p)
	}
}

const (
	sampleMinN   = 4096 // below this, percentiles come from a plain copy
	sampleTarget = 1024 // sample size for brackets
	bracketSigma = 3.0  // bracket half-width in standard deviations of the sample rank
)

// Brackets: value intervals, chosen from a sample, that should hold the
// ranks of summaryQuantiles. There are two: one around the median and one
// spanning the tail quantiles (p90 to p99). Merging the three tail
// quantiles into one interval keeps only ~20% more values than three
// separate intervals would, but halves the bounds a chunk can straddle,
// and straddling chunks are the ones visited value by value.
const nBrackets = 2

// bracketOf maps each of summaryQuantiles to its bracket.
var bracketOf = [len(summaryQuantiles)]int{0, 1, 1, 1}

// brackets are the value intervals [lo[j], hi[j]] (ascending, possibly
// touching) that should hold the ranks of the quantiles mapped to bracket j.
type brackets struct {
	small  bool // no sample: bracket 0 is (-Inf, +Inf) and keeps every value
	lo, hi [nBrackets]float64
}

// sampleStride is the stride of the bracket sample of n values: the sample
// is vals[stride/2], vals[stride/2+stride], ... (NaN skipped); 0 means no
// sample (too few values: one bracket keeps everything).
func sampleStride(n int) int {
	if n < sampleMinN {
		return 0
	}
	return max(1, n/sampleTarget)
}

// chooseBrackets picks brackets from a strided, deterministic sample of
// vals: vals[stride/2], vals[stride/2+stride], ... (NaN skipped).
func chooseBrackets(vals []float64) brackets {
	n := len(vals)
	stride := sampleStride(n)
	if stride == 0 {
		return bracketsFrom(nil)
	}
	sp := getBuf(n/stride + 1)
	defer putBuf(sp)
	sample := (*sp)[:0]
	for i := stride / 2; i < n; i += stride {
		if v := vals[i]; v == v {
			sample = append(sample, v)
		}
	}
	return bracketsFrom(sample)
}

// bracketsFrom picks brackets from sample (reordered), or the single
// all-keeping bracket when the sample is too small.
func bracketsFrom(sample []float64) brackets {
	small := brackets{small: true}
	small.lo[0], small.hi[0] = math.Inf(-1), math.Inf(1)
	m := len(sample)
	if m < 256 {
		return small
	}
	// rank bounds in the sample for each quantile: centre ± d
	var rlo, rhi [len(summaryQuantiles)]int
	for j, q := range summaryQuantiles {
		d := int(bracketSigma*math.Sqrt(float64(m)*q*(1-q))) + 2
		c := int(q * float64(m-1))
		rlo[j], rhi[j] = max(c-d, 0), min(c+d+1, m-1)
	}
	var ranks [2 * nBrackets]int
	for b := range nBrackets {
		first, last := -1, -1
		for j, bj := range bracketOf {
			if bj == b {
				if first < 0 {
					first = j
				}
				last = j
			}
		}
		ranks[2*b], ranks[2*b+1] = rlo[first], rhi[last]
	}
	for i := 1; i < len(ranks); i++ { // ascending, for sequential selection
		ranks[i] = max(ranks[i], ranks[i-1])
	}
	smin, smax := sample[0], sample[0]
	for _, v := range sample[1:] {
		smin, smax = min(smin, v), max(smax, v)
	}
	if math.IsInf(smin, 0) || math.IsInf(smax, 0) {
		return small
	}
	var ks [2 * nBrackets]rankPair
	for i, r := range ranks {
		ks[i] = rankPair{k: r}
	}
	var xs [2 * nBrackets][2]float64
	selectPairs(sample, ks[:], smin, smax, xs[:])
	var br brackets
	for i := range ranks {
		if i%2 == 0 {
			br.lo[i/2] = xs[i][0]
		} else {
			br.hi[i/2] = xs[i][0]
		}
	}
	return br
}

// scan makes the single pass over one series: counts, moments, peak,
// longest gap, optional hourly aggregates and the bracket buffers for exact
// percentiles. vals is the value array to use (s.Values, or projected values
// on the same timestamps). For an irregular grid it validates ordering and
// returns ErrUnsorted. A regular g is trusted (the timestamps are not read).
// s and vals are not modified.
func scan(s Series, g grid, vals []float64, wantHourly bool) (Summary, hourly, error) {
	return scanPass(s, g, vals, wantHourly, false)
}

// errNotRegular is scanPass's internal report that a grid assumed regular
// is not.
var errNotRegular = errors.New("timestamps not on a regular grid")

// scanSeries scans s.Values without a prior pass over the timestamps: when
// the first and last timestamps fit a regular grid, the regular path runs
// and checks every timestamp against the grid as it goes (the check rides
// along with the values, so the timestamps are streamed once, in the same
// pass); only if a timestamp is off the grid does it rescan on the general
// path. A series whose end points do not fit a regular grid is spread onto
// its grid when it can be (spread), else scanned on the general path. It
// returns the grid it established. The shape must be valid.
func scanSeries(s Series, wantHourly bool) (Summary, hourly, grid, error) {
	sum, h, g, p, err := scanSeriesSpread(s, wantHourly)
	putBuf(p)
	return sum, h, g, err
}

// scanSeriesSpread is scanSeries, trying a series whose end points do not
// fit a regular grid spread onto its grid (spread) before the general pass.
// It returns the spread values (a pooled buffer, nil when not spread; the
// grid then has more periods than the series has datapoints), which the
// caller puts back (putBuf).
func scanSeriesSpread(s Series, wantHourly bool) (Summary, hourly, grid, *[]float64, error) {
	g := guessGrid(s.Timestamps, s.Period)
	if g.regular {
		sum, h, err := scanPass(s, g, s.Values, wantHourly, true)
		if !errors.Is(err, errNotRegular) {
			return sum, h, g, nil, err
		}
	} else if sg, ok := holeGrid(s); ok {
		sum, h, p, err := scanSpread(s, sg, wantHourly)
		if !errors.Is(err, errNotRegular) {
			return sum, h, sg, p, err
		}
	}
	g.regular = false
	sum, h, err := scanPass(s, g, s.Values, wantHourly, false)
	return sum, h, g, nil, err
}

// guessGrid is gridOf judged from the end points only: regular means
// ts[n-1]-ts[0] = (n-1)×period, which every regular grid satisfies; the
// caller must confirm the points in between (scanPass with verify).
func guessGrid(ts []time.Time, period time.Duration) grid {
	g := grid{step: int64(period), n: len(ts), regular: true}
	if len(ts) == 0 {
		return g
	}
	g.t0 = ts[0].UnixNano()
	g.regular = ts[len(ts)-1].UnixNano()-g.t0 == int64(len(ts)-1)*g.step
	return g
}

// offGrid returns a non-zero value if some ts[i], i in [from, to), is not
// t0 + i×step (branch-free: the differences are OR-ed together).
func offGrid(ts []time.Time, from, to int, t0, step int64) int64 {
	var bad int64
	want := t0 + int64(from)*step
	for _, t := range ts[from:to] {
		bad |= t.UnixNano() ^ want
		want += step
	}
	return bad
}

// scanPass is scan; with verify, a regular g is only assumed and every
// timestamp is checked against it during the pass, returning errNotRegular
// if one is off the grid.
func scanPass(s Series, g grid, vals []float64, wantHourly, verify bool) (Summary, hourly, error) {
	if g.regular {
		r := newRegScan(s, g, vals, nil, verify, wantHourly)
		r.advance(math.MaxInt)
		return r.finish()
	}
	var h hourly
	if wantHourly {
		h = newHourly(s)
	}
	n := len(vals)
	startNs, endNs := s.Start.UnixNano(), s.End.UnixNano()
	per := int64(s.Period)
	st := newPassState()
	defer st.release()
	st.setBrackets(chooseBrackets(vals), n)
	shift := firstFinite(vals, 0, n)
	var (
		count, nanN, out  int
		s1, s2            float64
		mn, mx            = math.Inf(1), math.Inf(-1)
		imax              = -1
		prevNs            = int64(math.MinInt64)
		prevEnd           = startNs
		gap               int64
		firstNs           int64 // the first valid datapoint's time
		nb                = st.nb
		br                = st.br
		bufs              = st.bufs
		fill              [nBrackets]int    // values kept per bracket
		below             [nBrackets]uint64 // values below each bracket
		ts                = s.Timestamps
		wantH             = wantHourly
		h0                = h.startNs
		nextHour          = int64(math.MinInt64)
		cur               = -1
		hs, hmin, hmax    float64
		hc                int
		hMean, hMin, hMax = h.mean, h.min, h.max
		hCount            = h.count
	)
	for i := 0; i < n; i++ {
		ns := ts[i].UnixNano()
		if ns <= prevNs {
			return Summary{}, hourly{}, fmt.Errorf("series %q: %w at index %d (%s after %s); sort them (Series.Sorted) before analysis",
				s.Metric, ErrUnsorted, i, ts[i].UTC().Format(time.RFC3339), ts[i-1].UTC().Format(time.RFC3339))
		}
		prevNs = ns
		if ns < startNs || ns >= endNs {
			out++
			continue
		}
		v := vals[i]
		if v != v {
			nanN++
			continue
		}
		if d := ns - prevEnd; d > gap {
			gap = d
		}
		prevEnd = ns + per
		if wantH {
			if ns >= nextHour {
				if cur >= 0 && cur < len(hMean) {
					hMean[cur], hMin[cur], hMax[cur], hCount[cur] = hs/float64(hc), hmin, hmax, hc
				}
				cur = int((ns - h0) / int64(time.Hour))
				nextHour = h0 + int64(cur+1)*int64(time.Hour)
				hs, hmin, hmax, hc = 0, v, v, 0
			}
			hs += v
			hc++
			if v < hmin {
				hmin = v
			}
			if v > hmax {
				hmax = v
			}
		}
		if count == 0 {
			firstNs = ns
		}
		count++
		d := v - shift
		s1 += d
		s2 += float64(d * d)
		if v < mn {
			mn = v
		}
		if v > mx {
			mx = v
			imax = i
		}
		// Branch-free bracket bookkeeping: the sign bit of v-lo is 1
		// when v < lo. Every value is written; the position advances
		// only when the value is inside the bracket.
		for j := 0; j < nb; j++ {
			b := math.Float64bits(v-br.lo[j]) >> 63
			c := math.Float64bits(br.hi[j]-v) >> 63
			below[j] += b
			bufs[j][fill[j]] = v
			fill[j] += int((b | c) ^ 1)
		}
	}
	if wantH && cur >= 0 && cur < len(hMean) {
		hMean[cur], hMin[cur], hMax[cur], hCount[cur] = hs/float64(hc), hmin, hmax, hc
	}
	if g := endNs - prevEnd; g > gap {
		gap = g
	}
	st.count, st.nanN, st.out = count, nanN, out
	st.s1, st.s2, st.shift = s1, s2, shift
	st.mn, st.mx, st.imax, st.gap = mn, mx, imax, gap
	st.first, st.last = firstNs, prevEnd-per
	st.fill, st.below = fill, below
	inWin := func(i int) bool {
		ns := ts[i].UnixNano()
		return ns >= startNs && ns < endNs
	}
	return st.summary(s, h, 0, n, vals, inWin)
}

// passState is what a pass over one series hands to the summary: counts,
// moments (s1 and s2 are the sums of deviations from shift and of their
// squares), extremes, the longest gap and the bracket buffers.
type passState struct {
	count, nanN, out int
	s1, s2, shift    float64
	mn, mx           float64
	imax             int // index of the first maximum; -1 if not found (every value -Inf)
	gap              int64
	// first and last are the times (UnixNano) of the first and last valid
	// datapoints in the window; meaningful only when count > 0.
	first, last int64
	br          brackets
	nb          int
	bufs        [nBrackets][]float64
	fill        [nBrackets]int    // values kept per bracket
	below       [nBrackets]uint64 // values below each bracket
	pooled      []*[]float64      // pooled buffers to return
	// timeAt, when set, gives the time of value index i (a spread
	// series: indices are grid periods, not datapoints).
	timeAt func(i int) time.Time
}

func newPassState() passState {
	return passState{mn: math.Inf(1), mx: math.Inf(-1), imax: -1}
}

// setBrackets installs b with buffers for up to n values each.
func (st *passState) setBrackets(b brackets, n int) {
	st.br, st.nb = b, 1
	if !b.small {
		st.nb = nBrackets
	}
	for j := 0; j < st.nb; j++ {
		p := getBuf(n)
		st.bufs[j] = *p
		st.pooled = append(st.pooled, p)
	}
}

// settle adds a chunk to every bracket: cn valid values (NaN skipped when
// hasNaN) in [cmin, cmax]. A chunk wholly below or above a bracket is
// settled without reading it.
func (st *passState) settle(chunk []float64, hasNaN bool, cn int, cmin, cmax float64) {
	for j := 0; j < st.nb; j++ {
		switch lo, hi := st.br.lo[j], st.br.hi[j]; {
		case cmax < lo:
			st.below[j] += uint64(cn)
		case cmin > hi:
		default:
			st.below[j], st.fill[j] = bracketChunk(chunk, hasNaN, cn, cmin, cmax, lo, hi, st.below[j], st.bufs[j], st.fill[j])
		}
	}
}

// buf returns a pooled buffer of length n, released with st.
func (st *passState) buf(n int) []float64 {
	p := getBuf(n)
	st.pooled = append(st.pooled, p)
	return *p
}

func (st *passState) release() {
	for _, p := range st.pooled {
		putBuf(p)
	}
	st.pooled = nil
}

func isFinite(v float64) bool { return !math.IsInf(v, 0) && v == v }

// scaledMoments is the mean and population standard deviation of the non-NaN values of
// vals[lo:hi] in the window (count of them, all finite, the largest magnitude scale > 0),
// computed on the values divided by scale so that no sum overflows.
func scaledMoments(vals []float64, lo, hi int, inWin func(i int) bool, count int, scale float64) (mean, sd float64) {
	cnt := float64(count)
	var m float64
	for i := lo; i < hi; i++ {
		if x := vals[i]; x == x && inWin(i) {
			m += x / scale / cnt
		}
	}
	var v float64
	for i := lo; i < hi; i++ {
		if x := vals[i]; x == x && inWin(i) {
			d := x/scale - m
			v += d * d / cnt
		}
	}
	return m * scale, math.Sqrt(v) * scale
}

// summary completes the Summary of s from a finished pass over vals at the
// indices [lo, hi) (vals is read again only on the rare paths: every value
// -Inf, infinite values, or a bracket that missed its rank). inWin reports
// whether index i is in the window.
func (st *passState) summary(s Series, h hourly, lo, hi int, vals []float64, inWin func(i int) bool) (Summary, hourly, error) {
	sum := Summary{Metric: s.Metric, Unit: s.Unit, Expected: s.Expected(), Lookback: s.Lookback()}
	nan := math.NaN()
	sum.Mean, sum.Min, sum.Max, sum.StdDev = nan, nan, nan, nan
	sum.P50, sum.P90, sum.P95, sum.P99, sum.PeakToAverage = nan, nan, nan, nan, nan
	count, mn, mx, imax := st.count, st.mn, st.mx, st.imax
	sum.Count, sum.NaN, sum.OutOfWindow = count, st.nanN, st.out
	sum.Missing = max(sum.Expected-count, 0)
	if sum.Expected > 0 {
		sum.Coverage = math.Min(1, float64(count)/float64(sum.Expected))
	}
	sum.LongestGap = time.Duration(st.gap)
	if count == 0 {
		return sum, h, nil
	}
	// From the first valid datapoint (the window's start when it is the first period's, however the
	// start falls on the grid) to End: a missing tail, which CloudWatch gives a window ending now
	// until it publishes its last periods, is Coverage's matter, not a shorter span.
	first := st.first
	if first-s.Start.UnixNano() < int64(s.Period) {
		first = s.Start.UnixNano()
	}
	sum.DataSpan = time.Duration(max(s.End.UnixNano()-first, 0))
	if imax < 0 { // every value is -Inf
		v := vals
		for i := lo; i < hi; i++ {
			if x := v[i]; x == x && inWin(i) {
				imax = i
				break
			}
		}
		mx = v[imax]
	}
	cnt := float64(count)
	s1 := st.s1
	mean := st.shift + s1/cnt
	variance := math.Max(0, st.s2/cnt-float64((s1/cnt)*(s1/cnt)))
	sum.Mean, sum.Min, sum.Max, sum.StdDev = mean, mn, mx, math.Sqrt(variance)
	if mn == mx {
		sum.Mean, sum.StdDev = mn, 0
	}
	finite := !math.IsInf(mn, 0) && !math.IsInf(mx, 0)
	if finite && mn != mx && !(isFinite(sum.Mean) && isFinite(st.s2)) {
		// Finite values whose sums overflow (magnitudes near 1e154 and above): the mean and
		// deviation again, scaled by the largest magnitude.
		sum.Mean, sum.StdDev = scaledMoments(vals, lo, hi, inWin, count, math.Max(-mn, mx))
	}
	if !finite { // the mean of values including an infinity, added plainly
		v := vals
		var t float64
		k := 0
		for i := lo; i < hi; i++ {
			if x := v[i]; x == x && inWin(i) {
				t += x
				k++
			}
		}
		sum.Mean, sum.StdDev = t/float64(k), math.NaN()
	}
	// A mean rounded past the extremes (values a few ulps apart) is put back between them, so
	// Min <= Mean <= Max holds for every summary; NaN stays NaN.
	sum.Mean = min(max(sum.Mean, mn), mx)
	if st.timeAt != nil {
		sum.PeakTime = st.timeAt(imax)
	} else {
		sum.PeakTime = s.Timestamps[imax]
	}
	switch {
	case sum.Mean != 0:
		sum.PeakToAverage = sum.Max / sum.Mean
	case sum.Max > 0:
		sum.PeakToAverage = math.Inf(1)
	}

	var q [4]float64
	ok := finite
	br, bufs, fill, below := &st.br, &st.bufs, &st.fill, &st.below
	if ok && br.small {
		quantilesInPlace(bufs[0][:fill[0]], summaryQuantiles[:], q[:])
	} else if ok {
		ok = quantileFrom(bufs[0][:fill[0]], int(below[0]), count, summaryQuantiles[:1], br.lo[0], br.hi[0], q[:1]) &&
			quantileFrom(bufs[1][:fill[1]], int(below[1]), count, summaryQuantiles[1:], br.lo[1], br.hi[1], q[1:])
	}
	if !ok { // a bracket missed, or infinite values: select from a full copy
		v := vals
		cp := st.buf(hi - lo)[:0]
		for i := lo; i < hi; i++ {
			if x := v[i]; x == x && inWin(i) {
				cp = append(cp, x)
			}
		}
		quantilesInPlace(cp, summaryQuantiles[:], q[:])
	}
	sum.P50, sum.P90, sum.P95, sum.P99 = q[0], q[1], q[2], q[3]
	return sum, h, nil
}

// firstFinite returns the first finite value of vals[lo:hi], or 0. Sums
// are taken as deviations from it, which keeps the variance exact for
// large offsets.
func firstFinite(vals []float64, lo, hi int) float64 {
	for _, v := range vals[lo:hi] {
		if v == v && !math.IsInf(v, 0) {
			return v
		}
	}
	return 0
}

const hourNs = int64(time.Hour)

// regScan is the pass over one series on a regular grid (times follow
// from indices), advanced chunk by chunk. Points are processed in chunks of
// one UTC hour (or chunkLen points without hourly output); per-chunk sums,
// minima and maxima fold into the totals, which keeps the inner loop
// short. With verify, each timestamp is compared with its grid time in the
// same loop as the values.
//
// Exact percentiles use two brackets (value intervals) chosen from a
// strided sample gathered during the pass (its values are in L1 then).
// After the pass the chunks are settled against the brackets from their
// records: a chunk whose range lies wholly below, inside or above a
// bracket is settled at once; only chunks straddling a bound are read
// again (from cache), value by value. (Measured on the fleet benchmark:
// sampling before the pass and settling each chunk while it is in L1 cost
// more in cache misses than it saved; scanning a cluster's series in
// lockstep, so that a projection reads its parts from cache, was slower
// than series by series; computing a projection chunk by chunk instead of
// into a buffer gained nothing measurable.)
type regScan struct {
	passState
	s        Series
	vals     []float64
	ts       []time.Time
	verify   bool
	lo, hi   int // the window's index range
	t0, step int64
	wantH    bool
	h        hourly
	pph      int // points per hour when an hour is a whole number of periods, else 0
	curHour  int
	rawEnd   int
	c        int // start of the next chunk
	total    float64
	maxLo    int // the chunk holding the first maximum
	maxHi    int
	// NaN runs are tracked in the (rare) NaN branch only: the longest
	// gap is the longest run of missing indices, with partial periods at
	// the window edges.
	runStart, lastNaN, leadRun, bestRun int
	offBits                             int64 // with verify: non-zero once a timestamp is off the grid
	// The strided sample for the brackets and the chunk records.
	stride, nextSample int
	sample             []float64
	recs               *[]chunkRec
	// Spreading a series with holes (scanSpread): vals is filled chunk
	// by chunk from src (the series' values), whose next datapoint is
	// src[si].
	src []float64
	si  int
	// With holes (vals has more periods than s has datapoints, spread or
	// projected onto a spread grid): s's datapoints in the window are
	// ts[ptLo:ptHi].
	ptLo, ptHi int
}

// chunkRec is a chunk kept for the bracket settlement after the pass:
// vals[c:e] with nan NaN values and valid values in [min, max].
type chunkRec struct {
	c, e, nan int
	min, max  float64
}

var chunkRecPool = sync.Pool{New: func() any { s := make([]chunkRec, 0, 1024); return &s }}

// newRegScan prepares the pass over vals (on s's timestamps) on the
// regular grid g. With src (scanSpread), vals is filled from src during
// the pass.
func newRegScan(s Series, g grid, vals, src []float64, verify, wantH bool) *regScan {
	n := len(vals)
	r := &regScan{passState: newPassState(), s: s, vals: vals, ts: s.Timestamps, verify: verify,
		t0: g.t0, step: g.step, wantH: wantH, curHour: -1, maxLo: -1, maxHi: -1, runStart: -2, lastNaN: -2}
	r.lo, r.hi = windowIndex(s, g, n)
	r.c = r.lo
	r.out = n - (r.hi - r.lo)
	if wantH {
		r.h = newHourly(s)
		if g.step > 0 && hourNs%g.step == 0 {
			r.pph = int(hourNs / g.step)
		}
	}
	r.stride = sampleStride(r.hi - r.lo)
	r.nextSample = math.MaxInt
	if r.stride > 0 {
		r.sample, r.nextSample = r.buf((r.hi-r.lo)/r.stride + 1)[:0], r.lo+r.stride/2
	}
	r.recs = chunkRecPool.Get().(*[]chunkRec)
	*r.recs = (*r.recs)[:0]
	if len(r.ts) != n {
		r.ptLo, r.ptHi = pointRange(r.ts, s.Start.UnixNano(), s.End.UnixNano())
	}
	if r.src = src; src != nil {
		// The first finite value in the window, as a scan of the placed
		// values would find it (they are not placed yet).
		r.shift = firstFinite(src, r.ptLo, r.ptHi)
	} else {
		r.shift = firstFinite(vals, r.lo, r.hi)
	}
	if verify {
		r.offBits = offGrid(r.ts, 0, r.lo, r.t0, r.step) | offGrid(r.ts, r.hi, n, r.t0, r.step)
	}
	return r
}

// windowIndex returns the index range [lo, hi) of n values on the regular
// grid g that lies in s's window [Start, End).
func windowIndex(s Series, g grid, n int) (lo, hi int) {
	if n == 0 {
		return 0, 0
	}
	lo = clampInt(ceilDiv(s.Start.UnixNano()-g.t0, g.step), 0, n)
	hi = clampInt(ceilDiv(s.End.UnixNano()-g.t0, g.step), lo, n)
	return lo, hi
}

// advance scans chunks until the next chunk starts at or after index upto.
func (r *regScan) advance(upto int) {
	for r.c < r.hi && r.c < upto && r.offBits == 0 {
		r.chunk()
	}
}

// chunk scans the next chunk.
func (r *regScan) chunk() {
	c := r.c
	e := r.hi
	hourIdx := -1
	if r.wantH {
		// When an hour is a whole number of periods, each hour after the
		// first holds exactly pph points: chunk ends advance by pph with
		// no division per chunk.
		if r.pph > 0 && r.curHour >= 0 {
			r.curHour++
			r.rawEnd += r.pph
		} else {
			tc := r.t0 + int64(c)*r.step
			r.curHour = int((tc - r.h.startNs) / hourNs)
			r.rawEnd = ceilDiv(r.h.startNs+int64(r.curHour+1)*hourNs-r.t0, r.step)
		}
		hourIdx = r.curHour
		e = clampInt(r.rawEnd, c+1, r.hi)
	} else if e-c > chunkLen {
		e = c + chunkLen
	}
	chunk := r.vals[c:e]
	// Fast path: no NaN test per value. A NaN makes the chunk sum NaN;
	// such a chunk is redone below value by value, from the same
	// starting s2, so results do not depend on the path.
	var (
		cs, cmin, cmax, fs2 float64
		exact               bool
		holes               int // periods of a spread chunk without a datapoint
	)
	switch {
	case r.src != nil:
		// Spreading: a chunk whose datapoints fill its periods is
		// summarised from the series (checking the timestamps) and
		// copied. A chunk with a hole (its last candidate datapoint is not
		// at its last period) is walked into place and summarised from
		// its datapoints, which gives what the NaN path gives on the
		// placed chunk (a hole adds +0 there).
		k := e - c
		placed := false
		if r.si+k <= len(r.src) && r.ts[r.si+k-1].UnixNano() == r.t0+int64(e-1)*r.step {
			var off int64
			src := r.src[r.si : r.si+k]
			cs, cmin, cmax, fs2, off, exact = chunkStatsVerify(src, r.ts[r.si:r.si+k], r.t0+int64(c)*r.step, r.step, r.shift, r.s2)
			if placed = off == 0; placed {
				copy(chunk, src)
				r.si += k
			}
		}
		if !placed {
			si := r.si
			r.walk(c, e)
			exact = false
			if pts := r.src[si:r.si]; r.offBits == 0 && len(pts) > 0 {
				cs, cmin, cmax, fs2, exact = chunkStats(pts, r.shift, r.s2)
				holes = k - len(pts)
			}
		}
	case r.verify:
		var off int64
		cs, cmin, cmax, fs2, off, exact = chunkStatsVerify(chunk, r.ts[c:e], r.t0+int64(c)*r.step, r.step, r.shift, r.s2)
		r.offBits |= off
	default:
		cs, cmin, cmax, fs2, exact = chunkStats(chunk, r.shift, r.s2)
	}
	cnan := 0
	if exact && holes > 0 {
		cnan = holes
		r.nanRuns(chunk, c)
	}
	if !exact {
		// A NaN (a hole of a spread series, or a NaN value), or a zero
		// minimum or maximum. The masked loop handles NaN; zeros take
		// the value-by-value loop, which keeps the first zero's sign.
		cs, cmin, cmax, fs2, cnan, exact = chunkStatsNaN(chunk, r.shift, r.s2)
		if cnan > 0 {
			r.nanRuns(chunk, c)
		}
		if !exact {
			cs, cmin, cmax, fs2 = chunkStatsOrdered(chunk, r.shift, r.s2)
		}
	}
	r.s2 = fs2
	cn := e - c - cnan
	r.nanN += cnan
	for ; r.nextSample < e; r.nextSample += r.stride {
		if v := r.vals[r.nextSample]; v == v {
			r.sample = append(r.sample, v)
		}
	}
	if cn > 0 {
		*r.recs = append(*r.recs, chunkRec{c, e, cnan, cmin, cmax})
		r.count += cn
		r.total += cs
		if cmin < r.mn {
			r.mn = cmin
		}
		if cmax > r.mx { // strictly: the first chunk holding the maximum wins
			r.mx = cmax
			r.maxLo, r.maxHi = c, e
		}
		if hourIdx >= 0 && hourIdx < len(r.h.mean) {
			r.h.mean[hourIdx], r.h.min[hourIdx], r.h.max[hourIdx], r.h.count[hourIdx] = cs/float64(cn), cmin, cmax, cn
		}
	}
	r.c = e
}

// finish completes the pass (scanning any chunks left) and returns the
// summary, or errNotRegular if a verified timestamp was off the grid.
// Pooled buffers are released.
func (r *regScan) finish() (Summary, hourly, error) {
	r.advance(math.MaxInt)
	defer r.release()
	if r.src != nil {
		r.fill(r.hi, len(r.vals))
		if r.si != len(r.src) {
			r.offBits = 1
		}
	}
	lo, hi, step := r.lo, r.hi, r.step
	startNs, endNs := r.s.Start.UnixNano(), r.s.End.UnixNano()
	r.s1 = r.total - float64(float64(r.count)*r.shift)
	if r.maxLo >= 0 {
		r.imax = firstIndexOf(r.vals, r.maxLo, r.maxHi, r.mx)
	}
	// Longest gap: interior runs, the leading run (from the window
	// start) and the trailing run (to the window end).
	// bestRun holds the runs that ended before the last one; the last run
	// counts as interior unless it reaches the window end, where the window
	// may end inside its last period.
	trailRun := 0
	if r.lastNaN == hi-1 {
		trailRun = r.lastNaN - r.runStart + 1
	} else if r.lastNaN >= 0 {
		r.bestRun = max(r.bestRun, r.lastNaN-r.runStart+1)
	}
	switch {
	case r.count == 0:
		r.gap = endNs - startNs
	default:
		r.first, r.last = r.t0+int64(lo+r.leadRun)*step, r.t0+int64(hi-1-trailRun)*step
		r.gap = int64(r.bestRun) * step
		if g := r.t0 + int64(lo+r.leadRun)*step - startNs; g > r.gap {
			r.gap = g
		}
		if g := endNs - (r.t0 + int64(hi-trailRun)*step); g > r.gap {
			r.gap = g
		}
	}
	defer chunkRecPool.Put(r.recs)
	if r.offBits != 0 {
		return Summary{}, hourly{}, errNotRegular
	}
	if ts := r.ts; len(ts) != len(r.vals) {
		// Spread: vals holds one value per period, NaN in the holes.
		// Holes are neither NaN datapoints nor outside the window.
		in := r.ptHi - r.ptLo
		r.nanN -= (hi - lo) - in
		r.out = len(ts) - in
		t0 := r.t0
		r.timeAt = func(i int) time.Time { return ts[pointAt(ts, t0+int64(i)*step)] }
	}
	r.setBrackets(bracketsFrom(r.sample), r.hi-r.lo)
	for _, c := range *r.recs {
		r.settle(r.vals[c.c:c.e], c.nan > 0, c.e-c.c-c.nan, c.min, c.max)
	}
	return r.summary(r.s, r.h, lo, hi, r.vals, func(int) bool { return true })
}

// chunkStats is the NaN-free fast path of scan for one chunk: the sum of
// the values (added in order, as the general loop does), s2 plus the
// squared deviations from shift (also in order), the minimum and maximum.
// Minimum and maximum are taken branch-free on orderKey (integer compares
// the compiler turns into conditional moves; its float min and max
// built-ins cost several instructions each). exact is false when the chunk
// holds a NaN (the sum is then NaN) or when its minimum or maximum is a
// zero (orderKey ranks -0 below +0, a sequential scan keeps whichever zero
// came first); the caller then redoes the chunk value by value.
//
// The loop is a plain indexed loop with one minimum and one maximum: few
// live values, so the compiler keeps them all in registers (a two-lane,
// re-slicing version spilled to the stack and ran ~15% slower).
func chunkStats(chunk []float64, shift, s2 float64) (cs, cmin, cmax, ns2 float64, exact bool) {
	mn, mx := int64(math.MaxInt64), int64(math.MinInt64)
	for _, v := range chunk {
		cs += v
		d := v - shift
		s2 += float64(d * d)
		k := orderKey(v)
		mn = min(mn, k)
		mx = max(mx, k)
	}
	return chunkResult(cs, mn, mx, s2)
}

// chunkResult turns a NaN-free loop's sum and order-key extremes into
// chunkStats' results: exact is false, and the rest zero, when the sum is
// NaN (a NaN value) or an extreme is a zero (its sign needs the ordered
// loop).
func chunkResult(cs float64, mn, mx int64, s2 float64) (float64, float64, float64, float64, bool) {
	cmin, cmax := fromOrderKey(mn), fromOrderKey(mx)
	if cs != cs || cmin == 0 || cmax == 0 {
		return 0, 0, 0, 0, false
	}
	return cs, cmin, cmax, s2, true
}

// chunkStatsVerify is chunkStats that also checks the chunk's timestamps
// ts (len(ts) == len(chunk)) against the grid want, want+step, ...: off is
// non-zero if one differs. The check shares the loop with the values: its
// integer work and the timestamp loads fill the slots the floating-point
// dependency chains leave idle. off covers every timestamp even when exact
// is false.
func chunkStatsVerify(chunk []float64, ts []time.Time, want, step int64, shift, s2 float64) (cs, cmin, cmax, ns2 float64, off int64, exact bool) {
	mn, mx := int64(math.MaxInt64), int64(math.MinInt64)
	ts = ts[:len(chunk)]
	for i, v := range chunk {
		off |= ts[i].UnixNano() ^ want
		want += step
		cs += v
		d := v - shift
		s2 += float64(d * d)
		k := orderKey(v)
		mn = min(mn, k)
		mx = max(mx, k)
	}
	cs, cmin, cmax, ns2, exact = chunkResult(cs, mn, mx, s2)
	return cs, cmin, cmax, ns2, off, exact
}

// chunkStatsNaN is chunkStats for a chunk that may hold NaN: NaN values
// are masked out without a branch (adding +0, which changes no sum that
// starts at +0), and nan counts them. exact is false when the minimum or
// maximum is a zero; with no valid value, cmin and cmax are +Inf and -Inf.
func chunkStatsNaN(chunk []float64, shift, s2 float64) (cs, cmin, cmax, ns2 float64, nan int, exact bool) {
	const expMask = 0x7ff0000000000000
	mn, mx := int64(math.MaxInt64), int64(math.MinInt64)
	for _, v := range chunk {
		b := math.Float64bits(v)
		isNaN := b&^(1<<63) > expMask
		var keep uint64 // all ones for a value, zero for NaN
		if !isNaN {
			keep = ^uint64(0)
		}
		nan += int(^keep & 1)
		cs += math.Float64frombits(b & keep)
		d := math.Float64frombits(math.Float64bits(v-shift) & keep)
		s2 += float64(d * d)
		k := orderKey(v)
		mn = min(mn, k&int64(keep)|int64(^keep>>1))
		mx = max(mx, k&int64(keep)|int64(^keep&(1<<63)))
	}
	if nan == len(chunk) {
		return 0, math.Inf(1), math.Inf(-1), s2, nan, true
	}
	cmin, cmax = fromOrderKey(mn), fromOrderKey(mx)
	if cmin == 0 || cmax == 0 {
		return 0, 0, 0, 0, nan, false
	}
	return cs, cmin, cmax, s2, nan, true
}

// chunkStatsOrdered is chunkStats value by value, NaN skipped: the first
// of equal extremes is kept, so a zero minimum or maximum has the sign the
// general pass gives it. With no valid value, cmin and cmax are +Inf and
// -Inf.
func chunkStatsOrdered(chunk []float64, shift, s2 float64) (cs, cmin, cmax, ns2 float64) {
	cmin, cmax = math.Inf(1), math.Inf(-1)
	for _, v := range chunk {
		if v != v {
			continue
		}
		cs += v
		d := v - shift
		s2 += float64(d * d)
		if v < cmin {
			cmin = v
		}
		if v > cmax {
			cmax = v
		}
	}
	return cs, cmin, cmax, s2
}

// nanRuns records the NaN runs of the chunk starting at index c, for the
// longest gap.
func (r *regScan) nanRuns(chunk []float64, c int) {
	for k, v := range chunk {
		if v == v {
			continue
		}
		if i := c + k; i != r.lastNaN+1 {
			if r.lastNaN >= 0 { // the previous run ended before i: it is not the trailing one
				r.bestRun = max(r.bestRun, r.lastNaN-r.runStart+1)
			}
			r.runStart = i
		}
		r.lastNaN = c + k
		if r.runStart == r.lo {
			r.leadRun = r.lastNaN - r.lo + 1
		}
	}
}

// orderKey maps a float64 to an int64 whose signed order is the float
// order (with -0 below +0; NaN outside the ordered range): negative values
// have their magnitude bits flipped.
func orderKey(v float64) int64 {
	b := int64(math.Float64bits(v))
	return b ^ int64(uint64(b>>63)>>1)
}

// fromOrderKey inverts orderKey.
func fromOrderKey(k int64) float64 {
	return math.Float64frombits(uint64(k ^ int64(uint64(k>>63)>>1)))
}

// chunkLen is the chunk length of the regular path without hourly output
// (hourly output chunks by UTC hour). Longer chunks cost less per chunk
// but straddle bracket bounds more often.
const chunkLen = 64

// bracketChunk adds a chunk's values to one bracket [lo, hi]: it returns the
// new count of values below lo and the new fill of buf, which receives the
// values inside. cv is the chunk's number of valid values, cmin/cmax their
// range; NaN values are skipped when hasNaN.
func bracketChunk(chunk []float64, hasNaN bool, cv int, cmin, cmax, lo, hi float64, lt uint64, buf []float64, n int) (uint64, int) {
	switch {
	case cmax < lo:
		return lt + uint64(cv), n
	case cmin > hi:
		return lt, n
	case cmin >= lo && cmax <= hi && !hasNaN:
		return lt, n + copy(buf[n:], chunk)
	}
	if hasNaN {
		for _, v := range chunk {
			if v != v {
				continue
			}
			b := math.Float64bits(v-lo) >> 63
			c := math.Float64bits(hi-v) >> 63
			lt += b
			buf[n] = v
			n += int((b | c) ^ 1)
		}
		return lt, n
	}
	// Branch-free: the sign bit of v-lo is 1 when v < lo; every value is
	// written and the position advances only inside the bracket. When the
	// chunk straddles only one bound, the other test is known to pass and
	// is left out (non-zero bounds only: v-lo is -0 for v = -0, lo = +0).
	if lo != 0 && hi != 0 {
		switch {
		case cmax <= hi: // straddles lo only
			for _, v := range chunk {
				b := math.Float64bits(v-lo) >> 63
				lt += b
				buf[n] = v
				n += int(b ^ 1)
			}
			return lt, n
		case cmin >= lo: // straddles hi only
			for _, v := range chunk {
				buf[n] = v
				n += int(math.Float64bits(hi-v)>>63) ^ 1
			}
			return lt, n
		}
	}
	for _, v := range chunk {
		b := math.Float64bits(v-lo) >> 63
		c := math.Float64bits(hi-v) >> 63
		lt += b
		buf[n] = v
		n += int((b | c) ^ 1)
	}
	return lt, n
}

// firstIndexOf is the first index in [lo, hi) whose value equals v.
func firstIndexOf(vals []float64, lo, hi int, v float64) int {
	for i := lo; i < hi; i++ {
		if vals[i] == v {
			return i
		}
	}
	return lo
}

// quantileFrom computes the R-7 quantiles qs (ascending) of count values
// into out, given a, which holds exactly the values of ranks
// [offset, offset+len(a)), all within [lo, hi], in any order. It reorders
// a. It reports false if a needed rank is outside a.
func quantileFrom(a []float64, offset, count int, qs []float64, lo, hi float64, out []float64) bool {
	var ks [len(summaryQuantiles)]rankPair
	var fr [len(summaryQuantiles)]float64
	for i, q := range qs {
		r0, r1, frac := quantileRanks(count, q)
		k0, k1 := r0-offset, r1-offset
		if k0 < 0 || k1 >= len(a) {
			return false
		}
		ks[i], fr[i] = rankPair{k0, k1 != k0}, frac
	}
	var xs [len(summaryQuantiles)][2]float64
	selectPairs(a, ks[:len(qs)], lo, hi, xs[:len(qs)])
	for i := range qs {
		out[i] = lerp(xs[i][0], xs[i][1], fr[i])
	}
	return true
}

func ceilDiv(a, b int64) int {
	q := a / b
	if a%b != 0 && (a > 0) == (b > 0) {
		q++
	}
	if q > math.MaxInt32*1024 {
		return math.MaxInt32 * 1024
	}
	if q < -math.MaxInt32*1024 {
		return -math.MaxInt32 * 1024
	}
	return int(q)
}

func clampInt(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

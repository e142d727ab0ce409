package analysis

import (
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
	sampleTarget = 2048 // sample size for brackets
	bracketSigma = 3.0  // bracket half-width in standard deviations of the sample rank
)

// brackets are the value intervals [lo[j], hi[j]], chosen from a sample,
// that should hold the ranks of summaryQuantiles[j].
type brackets struct {
	small  bool // no sample: bracket 0 is (-Inf, +Inf) and keeps every value
	lo, hi [len(summaryQuantiles)]float64
}

// chooseBrackets picks brackets from a strided, deterministic sample of vals.
func chooseBrackets(vals []float64) brackets {
	small := brackets{small: true}
	small.lo[0], small.hi[0] = math.Inf(-1), math.Inf(1)
	n := len(vals)
	if n < sampleMinN {
		return small
	}
	stride := max(1, n/sampleTarget)
	sp := getBuf(n/stride + 1)
	defer putBuf(sp)
	sample := (*sp)[:0]
	for i := stride / 2; i < n; i += stride {
		if v := vals[i]; v == v {
			sample = append(sample, v)
		}
	}
	m := len(sample)
	if m < 256 {
		return small
	}
	var ranks [2 * len(summaryQuantiles)]int
	for j, q := range summaryQuantiles {
		d := int(bracketSigma*math.Sqrt(float64(m)*q*(1-q))) + 2
		c := int(q * float64(m-1))
		ranks[2*j], ranks[2*j+1] = max(c-d, 0), min(c+d+1, m-1)
	}
	for i := 1; i < len(ranks); i++ { // ascending, for sequential selection
		ranks[i] = max(ranks[i], ranks[i-1])
	}
	var br brackets
	lo := 0
	for i, r := range ranks {
		v := selectKth(sample[lo:], r-lo)
		lo = r
		if math.IsInf(v, 0) {
			return small
		}
		if i%2 == 0 {
			br.lo[i/2] = v
		} else {
			br.hi[i/2] = v
		}
	}
	return br
}

// scan makes the single pass over one series: counts, moments, peak,
// longest gap, optional hourly aggregates and the bracket buffers for exact
// percentiles. vals is the value array to use (s.Values, or projected values
// on the same timestamps). For an irregular grid it validates ordering and
// returns ErrUnsorted. s and vals are not modified.
func scan(s Series, g grid, vals []float64, wantHourly bool) (Summary, hourly, error) {
	sum := Summary{Metric: s.Metric, Unit: s.Unit, Expected: s.Expected(), Lookback: s.Lookback()}
	nan := math.NaN()
	sum.Mean, sum.Min, sum.Max, sum.StdDev = nan, nan, nan, nan
	sum.P50, sum.P90, sum.P95, sum.P99, sum.PeakToAverage = nan, nan, nan, nan, nan
	var h hourly
	if wantHourly {
		h = newHourly(s)
	}
	n := len(vals)
	startNs, endNs := s.Start.UnixNano(), s.End.UnixNano()
	per := int64(s.Period)

	lo, hi := 0, n
	if g.regular && n > 0 {
		lo = clampInt(ceilDiv(startNs-g.t0, g.step), 0, n)
		hi = clampInt(ceilDiv(endNs-g.t0, g.step), lo, n)
	}
	br := chooseBrackets(vals[lo:hi])
	nb := 1
	if !br.small {
		nb = len(summaryQuantiles)
	}
	var bufs [len(summaryQuantiles)][]float64
	for j := 0; j < nb; j++ {
		p := getBuf(hi - lo)
		defer putBuf(p)
		bufs[j] = *p
	}
	shift := 0.0
	for i := lo; i < hi; i++ {
		if v := vals[i]; v == v && !math.IsInf(v, 0) {
			shift = v
			break
		}
	}

	var (
		count, nanN, out  int
		s1, s2            float64
		mn, mx            = math.Inf(1), math.Inf(-1)
		imax              = -1
		prevNs            = int64(math.MinInt64)
		prevEnd           = startNs
		gap               int64
		fill              [len(summaryQuantiles)]int    // values kept per bracket
		below             [len(summaryQuantiles)]uint64 // values below each bracket
		regular           = g.regular
		t0, step          = g.t0, g.step
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
	out = n - (hi - lo)
	if regular {
		// Regular grid: times follow from indices, so the timestamps are
		// not read. Points are processed in chunks of one UTC hour (or
		// 64 points without hourly output); per-chunk sums, minima and
		// maxima fold into the totals, which keeps the inner loop short.
		const hourNs = int64(time.Hour)
		// NaN runs are tracked in the (rare) NaN branch only: the longest
		// gap is the longest run of missing indices, with partial periods
		// at the window edges.
		runStart, lastNaN := -2, -2
		leadRun, bestRun := 0, 0
		maxLo, maxHi := -1, -1
		var total float64
		for c := lo; c < hi; {
			e := hi
			hourIdx := -1
			if wantH {
				tc := t0 + int64(c)*step
				hourIdx = int((tc - h0) / hourNs)
				e = clampInt(ceilDiv(h0+int64(hourIdx+1)*hourNs-t0, step), c+1, hi)
			} else if e-c > 64 {
				e = c + 64 // small chunks: their ranges rarely straddle a bracket bound
			}
			cs, cmin, cmax := 0.0, math.Inf(1), math.Inf(-1)
			cnan := 0
			chunk := vals[c:e]
			for k, v := range chunk {
				if v != v {
					cnan++
					if i := c + k; i != lastNaN+1 {
						runStart = i
					}
					lastNaN = c + k
					if r := lastNaN - runStart + 1; r > bestRun {
						bestRun = r
					}
					if runStart == lo {
						leadRun = lastNaN - lo + 1
					}
					continue
				}
				cs += v
				d := v - shift
				s2 += d * d
				if v < cmin {
					cmin = v
				}
				if v > cmax {
					cmax = v
				}
			}
			// Bracket bookkeeping, per chunk (now in L1). A chunk whose
			// range lies wholly below, inside or above a bracket is settled
			// at once; only chunks straddling a bound are visited per value.
			if cv := e - c - cnan; cv > 0 {
				hasNaN := cnan > 0
				for j := 0; j < nb; j++ {
					below[j], fill[j] = bracketChunk(chunk, hasNaN, cv, cmin, cmax, br.lo[j], br.hi[j], below[j], bufs[j], fill[j])
				}
			}
			cn := e - c - cnan
			nanN += cnan
			if cn > 0 {
				count += cn
				total += cs
				if cmin < mn {
					mn = cmin
				}
				if cmax > mx { // strictly: the first chunk holding the maximum wins
					mx = cmax
					maxLo, maxHi = c, e
				}
				if wantH && hourIdx >= 0 && hourIdx < len(hMean) {
					hMean[hourIdx], hMin[hourIdx], hMax[hourIdx], hCount[hourIdx] = cs/float64(cn), cmin, cmax, cn
				}
			}
			c = e
		}
		s1 = total - float64(count)*shift
		if maxLo >= 0 {
			imax = firstIndexOf(vals, maxLo, maxHi, mx)
		}
		// Longest gap: interior runs, the leading run (from the window
		// start) and the trailing run (to the window end).
		trailRun := 0
		if lastNaN == hi-1 {
			trailRun = lastNaN - runStart + 1
		}
		switch {
		case count == 0:
			gap = endNs - startNs
		default:
			gap = int64(bestRun) * step
			if g := t0 + int64(lo+leadRun)*step - startNs; g > gap {
				gap = g
			}
			if g := endNs - (t0 + int64(hi-trailRun)*step); g > gap {
				gap = g
			}
		}
		prevEnd = endNs // the trailing gap is already counted
	} else {
		for i := lo; i < hi; i++ {
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
			count++
			d := v - shift
			s1 += d
			s2 += d * d
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
	}
	if g := endNs - prevEnd; g > gap {
		gap = g
	}
	sum.Count, sum.NaN, sum.OutOfWindow = count, nanN, out
	sum.Missing = max(sum.Expected-count, 0)
	if sum.Expected > 0 {
		sum.Coverage = math.Min(1, float64(count)/float64(sum.Expected))
	}
	sum.LongestGap = time.Duration(gap)
	if count == 0 {
		return sum, h, nil
	}
	if imax < 0 { // every value is -Inf
		for i := lo; i < hi; i++ {
			if v := vals[i]; v == v && inWindow(s, g, i, startNs, endNs) {
				imax = i
				break
			}
		}
		mx = vals[imax]
	}
	cnt := float64(count)
	mean := shift + s1/cnt
	variance := math.Max(0, s2/cnt-(s1/cnt)*(s1/cnt))
	sum.Mean, sum.Min, sum.Max, sum.StdDev = mean, mn, mx, math.Sqrt(variance)
	if mn == mx {
		sum.Mean, sum.StdDev = mn, 0
	}
	finite := !math.IsInf(mn, 0) && !math.IsInf(mx, 0)
	if !finite {
		sum.Mean, sum.StdDev = naiveMean(s, g, vals, lo, hi, startNs, endNs), math.NaN()
	}
	sum.PeakTime = s.Timestamps[imax]
	switch {
	case sum.Mean != 0:
		sum.PeakToAverage = sum.Max / sum.Mean
	case sum.Max > 0:
		sum.PeakToAverage = math.Inf(1)
	}

	var q [4]float64
	ok := finite
	if ok && br.small {
		quantilesInPlace(bufs[0][:fill[0]], summaryQuantiles[:], q[:])
	} else if ok {
		for j, qq := range summaryQuantiles {
			if q[j], ok = quantileFrom(bufs[j][:fill[j]], int(below[j]), count, qq, br.lo[j], br.hi[j]); !ok {
				break
			}
		}
	}
	if !ok { // a bracket missed, or infinite values: select from a full copy
		all := bufs[0][:0]
		for i := lo; i < hi; i++ {
			if v := vals[i]; v == v && inWindow(s, g, i, startNs, endNs) {
				all = append(all, v)
			}
		}
		quantilesInPlace(all, summaryQuantiles[:], q[:])
	}
	sum.P50, sum.P90, sum.P95, sum.P99 = q[0], q[1], q[2], q[3]
	return sum, h, nil
}

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
	// written and the position advances only inside the bracket.
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

func inWindow(s Series, g grid, i int, startNs, endNs int64) bool {
	if g.regular {
		return true // the index range is already the window
	}
	ns := s.Timestamps[i].UnixNano()
	return ns >= startNs && ns < endNs
}

func naiveMean(s Series, g grid, vals []float64, lo, hi int, startNs, endNs int64) float64 {
	var t float64
	n := 0
	for i := lo; i < hi; i++ {
		if v := vals[i]; v == v && inWindow(s, g, i, startNs, endNs) {
			t += v
			n++
		}
	}
	return t / float64(n)
}

// quantileFrom computes the R-7 quantile q of count values, given a, which
// holds exactly the values of ranks [offset, offset+len(a)), all within
// [lo, hi], in any order. It reorders a. It reports false if a needed rank
// is outside a.
func quantileFrom(a []float64, offset, count int, q, lo, hi float64) (float64, bool) {
	r0, r1, frac := quantileRanks(count, q)
	k0, k1 := r0-offset, r1-offset
	if k0 < 0 || k1 >= len(a) {
		return 0, false
	}
	x0, x1 := selectPair(a, k0, k1 != k0, lo, hi)
	return x0 + frac*(x1-x0), true
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

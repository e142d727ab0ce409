package analysis

import (
	"math"
	"sort"
	"time"
)

// Series with holes. CloudWatch leaves a period without data out of a
// GetMetricData result, so a collected series is usually its period grid
// with a few points absent: the end points then no longer fit a regular grid
// and, point by point, the general pass would run, reading every timestamp
// twice as slowly and making every projection that uses the series align
// by timestamp (alignedSum). Instead such a series is spread onto its grid:
// one value per period from its first timestamp to its last, NaN where a
// period has no datapoint (a hole), chunk by chunk during its scan on the
// regular path, and the spread values are kept for the projection. The
// scan tells holes from NaN values by the number of datapoints in the
// window (pointRange), so the Summary is the one the general pass gives
// (the mean and deviation may differ in the last bits: the regular path
// adds in chunks).

// spreadMaxSlots bounds the grid of a spread series: at most this many
// periods per datapoint. A sparser series (for example one point a day on
// a 1-minute grid) takes the general pass, which costs nothing per hole.
const spreadMaxSlots = 2

// holeGrid returns the grid of s.Period from s's first timestamp to its
// last when both end points lie on it and it has at most spreadMaxSlots
// periods per datapoint. Whether the timestamps in between lie on it is
// found out while spreading (regScan.fill).
func holeGrid(s Series) (grid, bool) {
	ts, n, step := s.Timestamps, len(s.Timestamps), int64(s.Period)
	if n < 2 || step <= 0 {
		return grid{}, false
	}
	t0 := ts[0].UnixNano()
	span := ts[n-1].UnixNano() - t0
	if span <= 0 || span%step != 0 || span/step >= int64(spreadMaxSlots*n) {
		return grid{}, false
	}
	return grid{regular: true, t0: t0, step: step, n: int(span/step) + 1}, true
}

// scanSpread spreads s onto the grid g (holeGrid) into a pooled buffer
// while scanning it: each chunk is placed, then summarised from L1. It
// returns errNotRegular, and no buffer, if a timestamp is off the grid or
// out of order; otherwise the buffer holds one value per period of g, NaN
// in the holes (for the projection), and the caller puts it back.
func scanSpread(s Series, g grid, wantHourly bool) (Summary, hourly, *[]float64, error) {
	p := getBuf(g.n)
	r := newRegScan(s, g, *p, s.Values, false, wantHourly)
	r.fill(0, r.lo)
	sum, h, err := r.finish()
	if err != nil {
		putBuf(p)
		return Summary{}, hourly{}, nil, err
	}
	return sum, h, p, nil
}

// fill places the datapoints of the periods [c, e) into r.vals (NaN for a
// hole), taking them from r.src at r.si on: a stretch without a hole is one
// comparison per timestamp and a copy, otherwise it is walked. (The scan's
// chunks are placed by regScan.chunk, which checks the timestamps while
// summarising the values.)
func (r *regScan) fill(c, e int) {
	if r.offBits != 0 || c >= e {
		return
	}
	if k := e - c; r.si+k <= len(r.src) && offGrid(r.ts, r.si, r.si+k, r.t0+int64(c-r.si)*r.step, r.step) == 0 {
		copy(r.vals[c:e], r.src[r.si:r.si+k])
		r.si += k
		return
	}
	r.walk(c, e)
}

// walk places the periods [c, e) one by one: the next datapoint if it
// falls in the period, else NaN (a hole). A timestamp before its period's
// (off the grid, or out of order) sets r.offBits.
func (r *regScan) walk(c, e int) {
	ts, n := r.ts, len(r.ts)
	want := r.t0 + int64(c)*r.step
	nan := math.NaN()
	for j := c; j < e; j++ {
		var ns int64 = math.MaxInt64
		if r.si < n {
			ns = ts[r.si].UnixNano()
		}
		switch {
		case ns == want:
			r.vals[j] = r.src[r.si]
			r.si++
		case ns > want:
			r.vals[j] = nan
		default:
			r.offBits = 1
			return
		}
		want += r.step
	}
}

// pointRange returns the index range [first, last) of the timestamps ts
// (sorted) in [fromNs, toNs).
func pointRange(ts []time.Time, fromNs, toNs int64) (first, last int) {
	first, last = firstAtOrAfter(ts, fromNs), firstAtOrAfter(ts, toNs)
	return first, max(first, last)
}

// pointAt returns the index of the datapoint of ts (sorted) at ns; the
// caller knows there is one.
func pointAt(ts []time.Time, ns int64) int {
	return min(firstAtOrAfter(ts, ns), len(ts)-1)
}

// firstAtOrAfter is the index of the first timestamp of ts (sorted) at or
// after ns (len(ts) if none).
func firstAtOrAfter(ts []time.Time, ns int64) int {
	return sort.Search(len(ts), func(i int) bool { return ts[i].UnixNano() >= ns })
}

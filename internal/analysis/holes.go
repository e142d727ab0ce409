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
// period has no datapoint (a hole), and scanned on the regular path. The
// scan tells holes from NaN values by the number of datapoints in the
// window (holeCounts), so the Summary is the one the general pass gives
// (the mean and deviation may differ in the last bits: the regular path
// adds in chunks).

// spreadMaxSlots bounds the grid of a spread series: at most this many
// periods per datapoint. A sparser series (for example one point a day on
// a 1-minute grid) takes the general pass, which costs nothing per hole.
const spreadMaxSlots = 2

// spread places s's values on the grid of s.Period that starts at its first
// timestamp, NaN in the periods without a datapoint. It succeeds when every
// timestamp lies on that grid, strictly increasing, and the grid has at
// most spreadMaxSlots periods per datapoint; the buffer is pooled (putBuf).
// s is not modified.
func spread(s Series) (*[]float64, grid, bool) {
	ts, n, step := s.Timestamps, len(s.Timestamps), int64(s.Period)
	if n < 2 || step <= 0 {
		return nil, grid{}, false
	}
	t0 := ts[0].UnixNano()
	span := ts[n-1].UnixNano() - t0
	if span <= 0 || span%step != 0 || span/step >= int64(spreadMaxSlots*n) {
		return nil, grid{}, false
	}
	slots := int(span/step) + 1
	p := getBuf(slots)
	dst := *p
	nan := math.NaN()
	want, k := t0, 0
	for i, t := range ts {
		if ns := t.UnixNano(); ns != want {
			d := ns - want
			if d < 0 || d%step != 0 || k+int(d/step) >= slots {
				putBuf(p)
				return nil, grid{}, false
			}
			for e := k + int(d/step); k < e; k++ {
				dst[k] = nan
			}
			want = ns
		}
		dst[k] = s.Values[i]
		k++
		want += step
	}
	if k != slots {
		putBuf(p)
		return nil, grid{}, false
	}
	return p, grid{regular: true, t0: t0, step: step, n: slots}, true
}

// holeCounts returns, for a series spread over the grid indices [lo, hi)
// of its window, the datapoints of ts inside the window [startNs, endNs)
// and outside it.
func holeCounts(ts []time.Time, startNs, endNs int64) (in, out int) {
	first := sort.Search(len(ts), func(i int) bool { return ts[i].UnixNano() >= startNs })
	last := sort.Search(len(ts), func(i int) bool { return ts[i].UnixNano() >= endNs })
	in = max(last-first, 0)
	return in, len(ts) - in
}

// pointAt returns the index of the datapoint of ts (sorted) at ns; the
// caller knows there is one.
func pointAt(ts []time.Time, ns int64) int {
	i := sort.Search(len(ts), func(i int) bool { return ts[i].UnixNano() >= ns })
	return min(i, len(ts)-1)
}

package cloudwatch

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
	"time"
)

// FuzzSeriesBuf: whatever datapoints GetMetricData returns, in any order and batching, off the
// period grid, outside the window, repeated or NaN, the assembled series is valid (strictly
// increasing, in the window) and holds, for each time, the first non-NaN value that arrived.
func FuzzSeriesBuf(f *testing.F) {
	pt := func(off int32, v float64) []byte {
		b := binary.LittleEndian.AppendUint32(nil, uint32(off))
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	f.Add(slices.Concat(pt(0, 1), pt(60, 2), pt(120, 3)), int32(60), uint16(10), uint8(3))
	f.Add(slices.Concat(pt(120, 3), pt(0, 1), pt(0, 9), pt(30, math.NaN()), pt(31, 4), pt(-60, 5), pt(600, 6), pt(31, 7)), int32(60), uint16(10), uint8(2))
	f.Add(slices.Concat(pt(300, math.Inf(1)), pt(299, 1)), int32(300), uint16(2), uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, periodSec int32, n uint16, batch uint8) {
		if periodSec <= 0 || n == 0 || batch == 0 {
			return
		}
		period := time.Duration(periodSec) * time.Second
		start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		plan := &Plan{Period: period, Start: start, End: start.Add(time.Duration(n) * period), PointsPerSeries: int(n)}
		var pts []point
		for len(raw) >= 12 && len(pts) < 2000 {
			off := int64(int32(binary.LittleEndian.Uint32(raw)))
			pts = append(pts, point{t: start.UnixNano() + off*int64(time.Second), v: math.Float64frombits(binary.LittleEndian.Uint64(raw[4:]))})
			raw = raw[12:]
		}
		var b seriesBuf
		for i := 0; i < len(pts); i += int(batch) {
			b.add(plan, slices.Clone(pts[i:min(i+int(batch), len(pts))]))
		}
		ref := SeriesRef{Metric: Metric{Name: "CPUUtilization", Unit: "Percent"}}
		s, ts := b.series(plan, ref, nil)
		s.Timestamps = ts
		if err := s.Validate(); err != nil {
			t.Fatalf("invalid series: %v", err)
		}
		want := map[int64]float64{}
		for _, p := range pts {
			if p.t < plan.Start.UnixNano() || p.t >= plan.End.UnixNano() || math.IsNaN(p.v) {
				continue
			}
			if _, ok := want[p.t]; !ok {
				want[p.t] = p.v
			}
		}
		if len(want) != len(s.Values) {
			t.Fatalf("%d datapoints, want %d", len(s.Values), len(want))
		}
		for i, tm := range s.Timestamps {
			if w, ok := want[tm.UnixNano()]; !ok || math.Float64bits(w) != math.Float64bits(s.Values[i]) {
				t.Fatalf("%s: %v, want %v (%v)", tm, s.Values[i], w, ok)
			}
		}
	})
}

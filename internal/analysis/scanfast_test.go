package analysis

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSelectPairsMatchSort checks multi-rank selection (one histogram, one
// copy-out pass, ranks sharing buckets) against sorting.
func TestSelectPairsMatchSort(t *testing.T) {
	gens := map[string]func(r *rng, i int) float64{
		"uniform":   func(r *rng, i int) float64 { return r.float() },
		"ties":      func(r *rng, i int) float64 { return math.Floor(r.float() * 5) },
		"clustered": func(r *rng, i int) float64 { return 0.5 + 1e-9*r.float() },
		"skewed":    func(r *rng, i int) float64 { return math.Pow(r.float(), 8) },
		"edges":     func(r *rng, i int) float64 { return float64(i % 2) },
		"spike":     func(r *rng, i int) float64 { return map[bool]float64{true: 1e6, false: r.float()}[i%997 == 0] },
	}
	for name, g := range gens {
		for _, n := range []int{1, 2, 3, 1023, 1024, 1025, 5000, 20000} {
			a, sorted := drawSorted(g, n, rng(uint64(n)*7))
			lo, hi := sorted[0], sorted[n-1]
			rankSets := [][]int{{0}, {n - 1}, {n / 2}, {0, n - 1}, {n / 2, n / 2 * 9 / 5, n * 95 / 100, n * 99 / 100},
				{n * 9 / 10, n*9/10 + 1, n*9/10 + 2}, {n / 3, n/3 + 1}}
			for _, set := range rankSets {
				var ks []rankPair
				prev := -1
				for _, k := range set {
					if k > prev && k < n {
						ks = append(ks, rankPair{k, k+1 < n})
						prev = k
					}
				}
				if len(ks) == 0 {
					continue
				}
				b := slices.Clone(a)
				out := make([][2]float64, len(ks))
				selectPairs(b, ks, lo, hi, out)
				for j, kp := range ks {
					w1 := sorted[kp.k]
					if kp.next {
						w1 = sorted[kp.k+1]
					}
					if out[j][0] != sorted[kp.k] || out[j][1] != w1 {
						t.Errorf("%s n=%d ranks %v: rank %d got %v,%v want %v,%v", name, n, set, kp.k, out[j][0], out[j][1], sorted[kp.k], w1)
					}
				}
				slices.Sort(b)
				if !slices.Equal(b, sorted) {
					t.Errorf("%s n=%d: selectPairs lost or changed values", name, n)
				}
			}
		}
	}
}

// TestScanSeriesOffGrid checks that a grid guessed from the end points is
// confirmed point by point: an off-grid, missing or swapped timestamp in
// the middle makes scanSeries fall back to the general path (same result
// as scanning with an irregular grid) or report ErrUnsorted.
func TestScanSeriesOffGrid(t *testing.T) {
	base := synth(MetricCPU, "Percent", t0, 10000*time.Minute, time.Minute, func(_ time.Time, i int) float64 { return float64(i%500) + noise(i, 1) })
	mutate := map[string]func(s *Series){
		"none":          func(s *Series) {},
		"shifted 30s":   func(s *Series) { s.Timestamps[5000] = s.Timestamps[5000].Add(30 * time.Second) },
		"gap and extra": func(s *Series) { s.Timestamps[100] = s.Timestamps[100].Add(-time.Minute / 2) },
		"swapped":       func(s *Series) { s.Timestamps[7000], s.Timestamps[7001] = s.Timestamps[7001], s.Timestamps[7000] },
		"duplicate":     func(s *Series) { s.Timestamps[3000] = s.Timestamps[2999] },
		"first off":     func(s *Series) { s.Timestamps[0] = s.Timestamps[0].Add(time.Second) },
		"out of window": func(s *Series) { s.Start = s.Start.Add(90 * time.Minute); s.End = s.End.Add(-90 * time.Minute) },
		"off outside win": func(s *Series) {
			s.Start = s.Start.Add(90 * time.Minute)
			s.Timestamps[10] = s.Timestamps[10].Add(time.Second)
		},
	}
	for name, m := range mutate {
		t.Run(name, func(t *testing.T) {
			s := base
			s.Timestamps = slices.Clone(base.Timestamps)
			m(&s)
			got, gh, g, err := scanSeries(s, true)
			irr := gridOf(s.Timestamps, s.Period)
			want, wh, werr := scan(s, grid{regular: false, t0: irr.t0, step: irr.step, n: irr.n}, s.Values, true)
			if irr.regular {
				want, wh, werr = scan(s, irr, s.Values, true)
			}
			if (err == nil) != (werr == nil) || (err != nil && !errors.Is(err, ErrUnsorted)) {
				t.Fatalf("err %v, want %v", err, werr)
			}
			if err != nil {
				return
			}
			if g.regular != irr.regular {
				t.Errorf("grid regular %v, want %v", g.regular, irr.regular)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("summary differs:\n got %+v\nwant %+v", got, want)
			}
			if fmt.Sprint(gh.mean, gh.min, gh.max, gh.count) != fmt.Sprint(wh.mean, wh.min, wh.max, wh.count) {
				t.Errorf("hourly aggregates differ")
			}
		})
	}
}

// scanBothPaths scans s (whose timestamps must lie on a regular grid) on the
// regular path and, with the grid treated as irregular, on the general path.
func scanBothPaths(t *testing.T, s Series) (regular Summary, rh hourly, general Summary, gh hourly) {
	t.Helper()
	g := gridOf(s.Timestamps, s.Period)
	if !g.regular {
		t.Fatal("synthetic grid not regular")
	}
	regular, rh, err := scan(s, g, s.Values, true)
	if err != nil {
		t.Fatal(err)
	}
	g.regular = false
	general, gh, err = scan(s, g, s.Values, true)
	if err != nil {
		t.Fatal(err)
	}
	return regular, rh, general, gh
}

// TestFastPathExact compares the regular path (NaN-free chunk fast path,
// orderKey minima and maxima) with the general path bit for bit, including the
// sign of a zero minimum or maximum and values next to NaN and infinities.
func TestFastPathExact(t *testing.T) {
	nz := math.Copysign(0, -1)
	nan, inf := math.NaN(), math.Inf(1)
	negNaN := math.Float64frombits(0xfff8000000000001) // sign bit set: its orderKey is negative
	cases := map[string]func(i int) float64{
		"noise":       func(i int) float64 { return 50 + noise(i, 10) },
		"zeros mixed": func(i int) float64 { return []float64{0, nz, 1, nz, 0, 2}[i%6] },
		"neg zero min": func(i int) float64 {
			return map[bool]float64{true: nz, false: float64(1 + i%7)}[i%61 == 30]
		},
		"pos then neg zero": func(i int) float64 { return []float64{3, 0, nz, 0}[i%4] },
		"neg zero max":      func(i int) float64 { return []float64{-3, nz, -1, 0}[i%4] },
		"nan sprinkled":     func(i int) float64 { return map[bool]float64{true: nan, false: float64(i % 13)}[i%37 == 0] },
		"negative nan":      func(i int) float64 { return map[bool]float64{true: negNaN, false: float64(i%13) - 20}[i%37 == 0] },
		"nan and zeros":     func(i int) float64 { return []float64{nan, 0, nz, 3, -2, nan, 0}[i%7] },
		"nan run":           func(i int) float64 { return map[bool]float64{true: nan, false: 5 - float64(i%11)}[i%200 < 70] },
		"infs":              func(i int) float64 { return map[bool]float64{true: inf, false: -inf}[i%89 == 0] + float64(i%3) },
		"huge":              func(i int) float64 { return 1e308 * float64(1+i%2) },
	}
	for name, f := range cases {
		for _, n := range []int{1, 2, 3, 59, 60, 61, 121, 5000} {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				s := synth(MetricCPU, "Percent", t0.Add(17*time.Minute), time.Duration(n)*time.Minute, time.Minute, func(_ time.Time, i int) float64 { return f(i) })
				a, ha, b, hb := scanBothPaths(t, s)
				bits := func(v float64) uint64 {
					if v != v {
						return 1
					}
					return math.Float64bits(v)
				}
				if bits(a.Min) != bits(b.Min) || bits(a.Max) != bits(b.Max) {
					t.Errorf("min/max %v/%v (sign %v/%v), general path %v/%v (sign %v/%v)", a.Min, a.Max,
						math.Signbit(a.Min), math.Signbit(a.Max), b.Min, b.Max, math.Signbit(b.Min), math.Signbit(b.Max))
				}
				if !nanEq(a.P50, b.P50) || !nanEq(a.P99, b.P99) || a.Count != b.Count || a.NaN != b.NaN || !a.PeakTime.Equal(b.PeakTime) {
					t.Errorf("regular %+v\ngeneral %+v", a, b)
				}
				for i := range ha.min {
					if bits(ha.min[i]) != bits(hb.min[i]) || bits(ha.max[i]) != bits(hb.max[i]) {
						t.Fatalf("hour %d min/max %v/%v, general path %v/%v", i, ha.min[i], ha.max[i], hb.min[i], hb.max[i])
					}
				}
			})
		}
	}
}

// TestTimeSeriesSVGDayTicks checks the day ticks (every midnight UTC whose
// day of year is a multiple of the tick step) for starts at every hour and
// off the hour, against a per-hour walk.
func TestTimeSeriesSVGDayTicks(t *testing.T) {
	for _, hours := range []int{2, 30, 24 * 9, 24 * 40} {
		for off := 0; off < 24; off++ {
			start := time.Date(2026, 2, 27, off, 17, 0, 0, time.UTC)
			line := ChartLine{Label: "x", Hourly: make([]float64, hours)}
			got := TimeSeriesSVG("t", "u", start, []ChartLine{line}, nil)
			n := max(hours, 2)
			step := max(1, ((n+23)/24+6)/7)
			first := start.Truncate(time.Hour)
			var want []string
			for h := 0; h < n; h++ {
				tt := first.Add(time.Duration(h) * time.Hour)
				if tt.Hour() == 0 && tt.YearDay()%step == 0 {
					want = append(want, `y="292" text-anchor="middle">`+tt.Format("01-02")+`</text>`)
				}
			}
			if c := strings.Count(got, `y="292" text-anchor="middle">`); c != len(want) {
				t.Fatalf("hours %d start %s: %d day ticks, want %d", hours, start, c, len(want))
			}
			rest := got
			for _, w := range want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("hours %d start %s: tick %q missing or out of order", hours, start, w)
				}
				rest = rest[i+len(w):]
			}
		}
	}
}

// TestAnalyzeConcurrent runs Analyze from several goroutines at once (the
// scans share pooled scratch buffers) and requires the sequential result.
func TestAnalyzeConcurrent(t *testing.T) {
	r := rng(11)
	busy := func(base, amp float64) func(time.Time, int) float64 {
		return func(tt time.Time, i int) float64 { return base + amp*weekdayBump(tt, 9, 17) + r.float() }
	}
	node := func(id string, role Role) Node {
		return Node{ID: id, Role: role, Class: classR6gLarge, Series: seriesOf(load{
			MetricCPU: busy(10, 15), MetricFreeableMemory: busy(9*gib, -gib), MetricReadIOPS: busy(50, 200),
			MetricWriteIOPS: busy(20, 80), MetricConnections: busy(20, 30), MetricNetworkReceive: busy(1e5, 1e6),
			MetricNetworkTransmit: busy(2e5, 2e6), MetricDiskQueueDepth: busy(0.1, 1),
		}, 21, 5*time.Minute)}
	}
	ins := []ClusterInput{
		{Name: "a", Topology: TopologyAurora, Nodes: []Node{node("a-1", RoleWriter), node("a-2", RoleReader)},
			CurrentHourlyUSD: 0.52, Candidates: []Candidate{{Class: classR6gLarge, SingleNodeHourlyUSD: 0.26}}},
		{Name: "m", Topology: TopologyMultiAZ, Nodes: []Node{node("m", RoleWriter), {ID: "m-s", Role: RoleStandby, Class: classR6gLarge}},
			CurrentHourlyUSD: 0.45, Candidates: []Candidate{{Class: classR6gLarge, SingleNodeHourlyUSD: 0.225}}},
	}
	want := make([]string, len(ins))
	for i, in := range ins {
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = fmt.Sprintf("%+v", rec)
	}
	const workers = 6
	errs := make(chan string, workers*len(ins))
	done := make(chan struct{})
	for w := 0; w < workers; w++ {
		go func(w int) {
			defer func() { done <- struct{}{} }()
			for k := range ins {
				i := (k + w) % len(ins)
				rec, err := Analyze(ins[i], Policy{})
				if got := fmt.Sprintf("%+v", rec); err != nil || got != want[i] {
					errs <- fmt.Sprintf("worker %d cluster %s: result differs (err %v)", w, ins[i].Name, err)
				}
			}
		}(w)
	}
	for w := 0; w < workers; w++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

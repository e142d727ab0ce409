package analysis

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// The fleet benchmark: 100 nodes × 8 metrics × 28 days at 1-minute resolution
// (40,320 points per series, 32.3 M points). 40 Aurora pairs and 20 Multi-AZ
// writers (whose standbys publish nothing). Generated once and shared by
// every benchmark. Every series owns its timestamp slice, so the analysis has
// to read and validate 32 M timestamps (24 bytes each, three times the bytes
// of the values): the worst case. (The CloudWatch collector gives series
// with the same datapoint times one shared slice, which Analyze checks once
// per cluster; on this fleet that makes the analysis about 1.2× faster.)
// The series are gap-free (a regular 1-minute grid).
//
// Baselines over the same data, for the ratios:
//   - BenchmarkFleetPlainSum sums every value once;
//   - BenchmarkFleetPlainSumTimestamps sums every value and every timestamp
//     once (every byte the analysis must read);
//   - BenchmarkFleetSortPercentiles computes Summarize's four percentiles per
//     series by sorting a copy.
//
// BenchmarkFleetRatios runs the baselines and the analysis side by side in
// every iteration and reports the ratios; quote those (the separate
// benchmarks run minutes apart, under different load from the neighbours).
// BenchmarkFleetRatiosHoles does the same on the fleet with holes: periods
// missing as CloudWatch leaves them out (holeFleet).
//
// Their loops live in helper functions: the Go 1.26 compiler keeps every
// assignment directly inside a `for b.Loop()` body alive
// (cmd/compile/internal/bloop), so an inline summing loop stores its
// accumulator on every iteration and ran ~4× slower than a real summing
// pass (109 ms instead of 28 ms here), inflating the baseline.

const (
	benchDays    = 28
	benchPoints  = benchDays * 1440
	benchAurora  = 40
	benchMultiAZ = 20
)

var (
	benchOnce     sync.Once
	benchClusters []ClusterInput
	benchSeries   []Series // every node series, in cluster/node/metric order
)

// benchFleet returns the benchmark fleet, built once (makeFleet).
func benchFleet() ([]ClusterInput, []Series) {
	benchOnce.Do(func() {
		benchClusters, benchSeries = makeFleet(benchDays, benchAurora+benchMultiAZ)
	})
	return benchClusters, benchSeries
}

// makeFleet builds the first maxClusters clusters of a fleet of days days:
// each value is base + amp × (a per-node daily shape) + noise, from a table
// and a xorshift generator, so 32 M points take a fraction of a second.
// The data of a cluster does not depend on days or maxClusters beyond its
// own length (the generator runs in cluster order).
func makeFleet(days, maxClusters int) ([]ClusterInput, []Series) {
	var (
		clusters []ClusterInput
		all      []Series
	)
	points := days * 1440
	start := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	grid := make([]time.Time, points)
	for i := range grid {
		grid[i] = start.Add(time.Duration(i) * time.Minute)
	}
	var shape [1440]float64
	for m := range shape {
		shape[m] = 0.5 + 0.5*math.Sin(2*math.Pi*float64(m-6*60)/1440)
	}
	x := uint64(0x243f6a8885a308d3)
	gen := func(metric string, base, amp, noise float64, phase int) Series {
		v := make([]float64, points)
		for i := range v {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			n := float64(x>>11)/(1<<53) - 0.5
			v[i] = base + amp*shape[(i+phase)%1440] + noise*n
		}
		return Series{Metric: metric, Unit: units[metric], Period: time.Minute, Start: start,
			End: start.Add(time.Duration(days) * 24 * time.Hour), Timestamps: slices.Clone(grid), Values: v}
	}
	node := func(id string, role Role, k int) Node {
		f := float64(k%10) + 1
		ph := (k * 37) % 1440
		return Node{ID: id, Role: role, Class: classR6gLarge, Series: []Series{
			gen(MetricCPU, 2*f, 3*f, 2, ph),
			gen(MetricFreeableMemory, 9*gib, -gib*f/5, 0.05*gib, ph),
			gen(MetricReadIOPS, 20*f, 30*f, 10, ph),
			gen(MetricWriteIOPS, 10*f, 10*f, 5, ph),
			gen(MetricConnections, 10*f, 10*f, 4, ph),
			gen(MetricNetworkReceive, 1e5*f, 2e5*f, 5e4, ph),
			gen(MetricNetworkTransmit, 2e5*f, 4e5*f, 5e4, ph),
			gen(MetricDiskQueueDepth, 0.2, 0.5, 0.2, ph),
		}}
	}
	k := 0
	for c := 0; c < benchAurora && len(clusters) < maxClusters; c++ {
		name := fmt.Sprintf("aurora-%02d", c)
		w, r := node(name+"-1", RoleWriter, k), node(name+"-2", RoleReader, k+1)
		k += 2
		clusters = append(clusters, ClusterInput{Name: name, Topology: TopologyAurora, Nodes: []Node{w, r},
			CurrentHourlyUSD: 0.52, Candidates: []Candidate{{Class: classR6gLarge, SingleNodeHourlyUSD: 0.26}}})
	}
	for c := 0; c < benchMultiAZ && len(clusters) < maxClusters; c++ {
		name := fmt.Sprintf("maz-%02d", c)
		w := node(name, RoleWriter, k)
		k++
		clusters = append(clusters, ClusterInput{Name: name, Topology: TopologyMultiAZ,
			Nodes:            []Node{w, {ID: name + "-standby", Role: RoleStandby, Class: classR6gLarge}},
			CurrentHourlyUSD: 0.45, Candidates: []Candidate{{Class: classR6gLarge, SingleNodeHourlyUSD: 0.225}}})
	}
	for _, c := range clusters {
		for _, n := range c.Nodes {
			all = append(all, n.Series...)
		}
	}
	return clusters, all
}

// cpuTimer reports process CPU nanoseconds per op when the benchmark ends.
type cpuTimer struct {
	b     *testing.B
	start int64
}

func startCPU(b *testing.B) cpuTimer { return cpuTimer{b, processCPU()} }

func (c cpuTimer) stop() {
	if end := processCPU(); c.start >= 0 && end >= 0 && c.b.N > 0 {
		c.b.ReportMetric(float64(end-c.start)/float64(c.b.N), "cpu-ns/op")
	}
}

func setPoints(b *testing.B, series []Series) {
	n := 0
	for _, s := range series {
		n += len(s.Values)
	}
	b.ReportMetric(float64(n), "points/op")
	b.SetBytes(int64(n) * 8)
}

var sinkF float64

// BenchmarkFleetPlainSum is the baseline: sum every value of the fleet once.
func BenchmarkFleetPlainSum(b *testing.B) {
	_, series := benchFleet()
	setPoints(b, series)
	b.ResetTimer()
	ct := startCPU(b)
	defer ct.stop()
	for b.Loop() {
		sinkF = sumValues(series)
	}
}

// sumValues adds up every value of series, one pass.
func sumValues(series []Series) float64 {
	var total float64
	for i := range series {
		var sum float64
		for _, v := range series[i].Values {
			sum += v
		}
		total += sum
	}
	return total
}

// BenchmarkFleetPlainSumTimestamps is the baseline over every byte of the
// input: it sums every value and every timestamp (as Unix nanoseconds) once.
func BenchmarkFleetPlainSumTimestamps(b *testing.B) {
	_, series := benchFleet()
	setPoints(b, series)
	b.ResetTimer()
	ct := startCPU(b)
	defer ct.stop()
	for b.Loop() {
		v, t := sumValuesTimes(series)
		sinkF = v + float64(t)
	}
}

// sumValuesTimes adds up every value and every timestamp of series, one pass.
func sumValuesTimes(series []Series) (float64, int64) {
	var total float64
	var tt int64
	for i := range series {
		s := &series[i]
		var sum float64
		var st int64
		ts := s.Timestamps[:len(s.Values)]
		for j, v := range s.Values {
			sum += v
			st += ts[j].UnixNano()
		}
		total += sum
		tt += st
	}
	return total, tt
}

// BenchmarkFleetSortPercentiles is the other baseline: the same four
// percentiles per series by copying and sorting.
func BenchmarkFleetSortPercentiles(b *testing.B) {
	_, series := benchFleet()
	setPoints(b, series)
	buf := make([]float64, benchPoints)
	b.ResetTimer()
	ct := startCPU(b)
	defer ct.stop()
	for b.Loop() {
		sinkF += sortPercentiles(series, buf)
	}
}

// sortPercentiles copies each series' values into buf, sorts them and reads
// Summarize's four R-7 percentiles; it returns their sum.
func sortPercentiles(series []Series, buf []float64) float64 {
	var total float64
	for i := range series {
		buf = append(buf[:0], series[i].Values...)
		slices.Sort(buf)
		for _, q := range summaryQuantiles {
			h := float64(len(buf)-1) * q
			i := int(h)
			v := buf[i]
			if i+1 < len(buf) {
				v += (h - float64(i)) * (buf[i+1] - v)
			}
			total += v
		}
	}
	return total
}

// BenchmarkFleetSummarize summarises every series of the fleet.
func BenchmarkFleetSummarize(b *testing.B) {
	_, series := benchFleet()
	setPoints(b, series)
	b.ResetTimer()
	ct := startCPU(b)
	defer ct.stop()
	for b.Loop() {
		for _, s := range series {
			sum, err := Summarize(s)
			if err != nil {
				b.Fatal(err)
			}
			sinkF += sum.P99
		}
	}
}

// BenchmarkFleetAnalyze runs the full per-cluster analysis (summaries,
// patterns, projection, verdict, options, tuning, window, triggers, rules,
// report and SVG charts) for every cluster of the fleet.
func BenchmarkFleetAnalyze(b *testing.B) {
	clusters, series := benchFleet()
	setPoints(b, series)
	b.ResetTimer()
	ct := startCPU(b)
	defer ct.stop()
	for b.Loop() {
		analyzeFleet(b, clusters)
	}
}

// analyzeFleet analyses every cluster.
func analyzeFleet(b *testing.B, clusters []ClusterInput) {
	for _, c := range clusters {
		rec, err := Analyze(c, Policy{})
		if err != nil {
			b.Fatal(err)
		}
		sinkF += rec.Confidence
	}
}

// BenchmarkFleetAssess runs Assess (Analyze without the report and charts)
// and Analyze on every cluster, alternately in every iteration, and reports
// each one's CPU time and assess/analyze.
func BenchmarkFleetAssess(b *testing.B) {
	clusters, series := benchFleet()
	setPoints(b, series)
	var full, lean int64
	b.ResetTimer()
	for b.Loop() {
		runtime.GC()
		full += cpuOf(func() { analyzeFleet(b, clusters) })
		runtime.GC()
		lean += cpuOf(func() {
			for _, c := range clusters {
				rec, err := Assess(c, Policy{})
				if err != nil {
					b.Fatal(err)
				}
				sinkF += rec.Confidence
			}
		})
	}
	if full <= 0 || lean <= 0 {
		b.Fatal("process CPU time is not available")
	}
	b.ReportMetric(float64(full)/float64(b.N), "analyze-cpu-ns/op")
	b.ReportMetric(float64(lean)/float64(b.N), "assess-cpu-ns/op")
	b.ReportMetric(float64(lean)/float64(full), "assess/analyze")
}

// BenchmarkFleetRatios runs, in every iteration, the two plain passes, the
// full analysis and the sort-based percentiles one after the other and
// reports the ratios of their CPU times. Measured side by side, the ratios
// are taken under the same machine conditions; the separate benchmarks
// above run minutes apart, and on a shared host the plain pass alone varied
// from 47 to 77 ms within two minutes. Reported per op: analyze/plain (the
// plain pass over values and timestamps), analyze/plain-values and
// sort/analyze, with each part's CPU time. Each part starts after a
// runtime.GC() (outside its measurement): a collection marks the whole
// fixture, ~1 GB of which the timestamps (time.Time holds a pointer) are
// three quarters, and would otherwise land in whichever part runs when one
// is due; a provider analysing one cluster holds a few MB.
func BenchmarkFleetRatios(b *testing.B) {
	clusters, series := benchFleet()
	fleetRatios(b, clusters, series)
}

// BenchmarkFleetRatiosHoles is BenchmarkFleetRatios on the fleet as
// CloudWatch returns it when periods go missing (holeFleet): every series
// is spread onto its grid (spread) before its scan. Run alone, or the
// process holds both fleets (~2 GB).
func BenchmarkFleetRatiosHoles(b *testing.B) {
	clusters, series := holeFleet()
	fleetRatios(b, clusters, series)
}

var (
	holeOnce     sync.Once
	holeClusters []ClusterInput
	holeSeries   []Series
)

// holeFleet returns the benchmark fleet with holes, built once: each node
// misses one 20-minute stretch in all its metrics (a reboot) and each
// series misses 0.2% of its periods at random, the first and last
// included; 0.25% of the points in all.
func holeFleet() ([]ClusterInput, []Series) {
	holeOnce.Do(func() {
		holeClusters, _ = makeFleet(benchDays, benchAurora+benchMultiAZ)
		r := rng(0x9e3779b97f4a7c15)
		for ci := range holeClusters {
			for ni := range holeClusters[ci].Nodes {
				n := &holeClusters[ci].Nodes[ni]
				outage := int(r.next() % (benchPoints - 20))
				for si := range n.Series {
					s := &n.Series[si]
					ts, vs := s.Timestamps[:0], s.Values[:0]
					for i := range s.Values {
						if (i >= outage && i < outage+20) || r.next()%500 == 0 {
							continue
						}
						ts, vs = append(ts, s.Timestamps[i]), append(vs, s.Values[i])
					}
					s.Timestamps, s.Values = ts, vs
					holeSeries = append(holeSeries, *s)
				}
			}
		}
	})
	return holeClusters, holeSeries
}

// fleetRatios is the body of the ratio benchmarks.
func fleetRatios(b *testing.B, clusters []ClusterInput, series []Series) {
	setPoints(b, series)
	buf := make([]float64, benchPoints)
	var plain, plainValues, analyze, sorted int64
	b.ResetTimer()
	for b.Loop() {
		runtime.GC()
		plain += cpuOf(func() {
			v, t := sumValuesTimes(series)
			sinkF += v + float64(t)
		})
		runtime.GC()
		plainValues += cpuOf(func() { sinkF += sumValues(series) })
		runtime.GC()
		analyze += cpuOf(func() { analyzeFleet(b, clusters) })
		runtime.GC()
		sorted += cpuOf(func() { sinkF += sortPercentiles(series, buf) })
	}
	if plain <= 0 || plainValues <= 0 || analyze <= 0 {
		b.Fatal("process CPU time is not available")
	}
	n := float64(b.N)
	b.ReportMetric(float64(plain)/n, "plain-cpu-ns/op")
	b.ReportMetric(float64(plainValues)/n, "plain-values-cpu-ns/op")
	b.ReportMetric(float64(analyze)/n, "analyze-cpu-ns/op")
	b.ReportMetric(float64(sorted)/n, "sort-cpu-ns/op")
	b.ReportMetric(float64(analyze)/float64(plain), "analyze/plain")
	b.ReportMetric(float64(analyze)/float64(plainValues), "analyze/plain-values")
	b.ReportMetric(float64(sorted)/float64(analyze), "sort/analyze")
}

// cpuOf returns the process CPU nanoseconds f takes (-1 without a clock).
func cpuOf(f func()) int64 {
	start := processCPU()
	f()
	end := processCPU()
	if start < 0 || end < 0 {
		return -1
	}
	return end - start
}

// BenchmarkSummarize measures one series at several sizes.
func BenchmarkSummarize(b *testing.B) {
	for _, n := range []int{1440, 10080, 40320, 131040} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			r := rng(uint64(n))
			s := synth(MetricCPU, "Percent", t0, time.Duration(n)*time.Minute, time.Minute, func(t time.Time, i int) float64 {
				return 20 + 10*daily(t) + 5*r.norm()
			})
			b.SetBytes(int64(n) * 8)
			for b.Loop() {
				sum, _ := Summarize(s)
				sinkF += sum.P99
			}
		})
	}
}

// TestBenchFleetShape guards the benchmark's size without building it (a
// 1-day fleet has the same structure; the full one holds ~1 GB), and that
// its first cluster, at full length, yields a verdict.
func TestBenchFleetShape(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1-day fleet of 1 M points")
	}
	clusters, series := makeFleet(1, benchAurora+benchMultiAZ)
	nodes := 0
	for _, c := range clusters {
		for _, n := range c.Nodes {
			if len(n.Series) > 0 {
				nodes++
			}
		}
	}
	points := 0
	for _, s := range series {
		points += len(s.Values)
	}
	if nodes != 100 || len(series) != 800 || points != 100*8*1440 || benchPoints*800 != 100*8*28*1440 {
		t.Fatalf("fleet: %d nodes, %d series, %d points per day; %d points per series", nodes, len(series), points, benchPoints)
	}
	if &series[1].Timestamps[0] == &series[0].Timestamps[0] {
		t.Fatal("series share a timestamp slice; the collector gives each its own")
	}
	one, _ := makeFleet(benchDays, 1)
	rec, err := Analyze(one[0], Policy{})
	if err != nil || rec.Verdict == VerdictInsufficient {
		t.Fatalf("fleet cluster: %v %s", err, rec.Verdict)
	}
}

// BenchmarkSummarizeGaps measures one 28-day 1-minute series with 0.5% of
// its timestamps missing (CloudWatch omits empty periods): it is spread onto
// its grid, NaN in the holes (a quarter of its 64-value chunks hold one),
// and scanned on the regular path. Compare with BenchmarkSummarize/n=40320
// (gap-free) and BenchmarkSummarizeOffGrid (the general path).
func BenchmarkSummarizeGaps(b *testing.B) {
	s := gapSeries()
	b.SetBytes(int64(len(s.Values)) * 8)
	for b.Loop() {
		sum, _ := Summarize(s)
		sinkF += sum.P99
	}
}

// BenchmarkSummarizeOffGrid is BenchmarkSummarizeGaps with one timestamp
// moved 1 s off the grid: the series cannot be spread, and the general path
// reads every timestamp.
func BenchmarkSummarizeOffGrid(b *testing.B) {
	s := gapSeries()
	s.Timestamps = slices.Clone(s.Timestamps)
	s.Timestamps[1000] = s.Timestamps[1000].Add(time.Second)
	b.SetBytes(int64(len(s.Values)) * 8)
	for b.Loop() {
		sum, _ := Summarize(s)
		sinkF += sum.P99
	}
}

// gapSeries is a 28-day 1-minute CPU series with 0.5% of its points missing.
func gapSeries() Series {
	r := rng(7)
	full := synth(MetricCPU, "Percent", t0, benchPoints*time.Minute, time.Minute, func(t time.Time, i int) float64 {
		return 20 + 10*daily(t) + 5*r.norm()
	})
	s := full
	s.Timestamps, s.Values = nil, nil
	for i := range full.Values {
		if r.float() < 0.005 {
			continue
		}
		s.Timestamps = append(s.Timestamps, full.Timestamps[i])
		s.Values = append(s.Values, full.Values[i])
	}
	return s
}

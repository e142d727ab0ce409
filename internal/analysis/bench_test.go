package analysis

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"
)

// The fleet benchmark: 100 nodes × 8 metrics × 28 days at 1-minute resolution
// (40,320 points per series, 32.3 M points). 40 Aurora pairs and 20 Multi-AZ
// writers (whose standbys publish nothing). Generated once and shared by
// every benchmark; all series of the fleet share one timestamp slice, as
// series from one GetMetricData call would share a grid.

const (
	benchDays    = 28
	benchPoints  = benchDays * 1440
	benchAurora  = 40
	benchMultiAZ = 20
)

var benchMetrics = []string{MetricCPU, MetricFreeableMemory, MetricReadIOPS, MetricWriteIOPS, MetricConnections,
	MetricNetworkReceive, MetricNetworkTransmit, MetricDiskQueueDepth}

var (
	benchOnce     sync.Once
	benchClusters []ClusterInput
	benchSeries   []Series // every node series, in cluster/node/metric order
)

// benchFleet builds the fleet: each value is base + amp × (a per-node daily
// shape) + noise, from a table and a xorshift generator, so 32 M points take
// a fraction of a second.
func benchFleet() ([]ClusterInput, []Series) {
	benchOnce.Do(func() {
		start := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
		ts := make([]time.Time, benchPoints)
		for i := range ts {
			ts[i] = start.Add(time.Duration(i) * time.Minute)
		}
		var shape [1440]float64
		for m := range shape {
			shape[m] = 0.5 + 0.5*math.Sin(2*math.Pi*float64(m-6*60)/1440)
		}
		x := uint64(0x243f6a8885a308d3)
		gen := func(metric string, base, amp, noise float64, phase int) Series {
			v := make([]float64, benchPoints)
			for i := range v {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				n := float64(x>>11)/(1<<53) - 0.5
				v[i] = base + amp*shape[(i+phase)%1440] + noise*n
			}
			return Series{Metric: metric, Unit: units[metric], Period: time.Minute, Start: start,
				End: start.Add(benchDays * 24 * time.Hour), Timestamps: ts, Values: v}
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
		for c := 0; c < benchAurora; c++ {
			name := fmt.Sprintf("aurora-%02d", c)
			w, r := node(name+"-1", RoleWriter, k), node(name+"-2", RoleReader, k+1)
			k += 2
			benchClusters = append(benchClusters, ClusterInput{Name: name, Topology: TopologyAurora, Nodes: []Node{w, r},
				CurrentHourlyUSD: 0.52, Candidates: []Candidate{{Class: classR6gLarge, SingleNodeHourlyUSD: 0.26}}})
		}
		for c := 0; c < benchMultiAZ; c++ {
			name := fmt.Sprintf("maz-%02d", c)
			w := node(name, RoleWriter, k)
			k++
			benchClusters = append(benchClusters, ClusterInput{Name: name, Topology: TopologyMultiAZ,
				Nodes:            []Node{w, {ID: name + "-standby", Role: RoleStandby, Class: classR6gLarge}},
				CurrentHourlyUSD: 0.45, Candidates: []Candidate{{Class: classR6gLarge, SingleNodeHourlyUSD: 0.225}}})
		}
		for _, c := range benchClusters {
			for _, n := range c.Nodes {
				benchSeries = append(benchSeries, n.Series...)
			}
		}
	})
	return benchClusters, benchSeries
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
		var total float64
		for _, s := range series {
			var sum float64
			for _, v := range s.Values {
				sum += v
			}
			total += sum
		}
		sinkF = total
	}
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
		for _, s := range series {
			buf = append(buf[:0], s.Values...)
			slices.Sort(buf)
			for _, q := range summaryQuantiles {
				h := float64(len(buf)-1) * q
				i := int(h)
				v := buf[i]
				if i+1 < len(buf) {
					v += (h - float64(i)) * (buf[i+1] - v)
				}
				sinkF += v
			}
		}
	}
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
		for _, c := range clusters {
			rec, err := Analyze(c, Policy{})
			if err != nil {
				b.Fatal(err)
			}
			sinkF += rec.Confidence
		}
	}
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

// TestBenchFleetShape guards the benchmark's size without running it.
func TestBenchFleetShape(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 32 M points")
	}
	clusters, series := benchFleet()
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
	if nodes != 100 || len(series) != 800 || points != 100*8*28*1440 {
		t.Fatalf("fleet: %d nodes, %d series, %d points", nodes, len(series), points)
	}
	rec, err := Analyze(clusters[0], Policy{})
	if err != nil || rec.Verdict == VerdictInsufficient {
		t.Fatalf("fleet cluster: %v %s", err, rec.Verdict)
	}
}

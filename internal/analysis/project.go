package analysis

import (
	"fmt"
	"math"
	"time"
)

// alignedSum returns offset + Σ scales[i]·parts[i] at every sampling slot
// where all parts have a valid point. Slots are floor((t-Start)/Period) of the
// first part; all parts must share its Period. Points of other parts outside
// the first part's window are ignored. Parts must be sorted and valid. The
// result's Metric and Unit are given; it owns new backing arrays unless there
// is a single part with scale 1 and offset 0, in which case that part is
// returned as is (callers never mutate).
func alignedSum(metric, unit string, parts []Series, scales []float64, offset float64) (Series, error) {
	base := parts[0]
	for _, p := range parts[1:] {
		if p.Period != base.Period {
			return Series{}, fmt.Errorf("analysis: aligning %s: periods differ (%v and %v): collect all nodes at the same period", metric, base.Period, p.Period)
		}
	}
	out := Series{Metric: metric, Unit: unit, Period: base.Period, Start: base.Start, End: base.End}
	if len(parts) == 1 && scales[0] == 1 && offset == 0 {
		out.Timestamps, out.Values = base.Timestamps, base.Values
		return out, nil
	}
	per := int64(base.Period)
	s0 := base.Start.UnixNano()
	slot := func(t time.Time) int64 {
		d := t.UnixNano() - s0
		if d < 0 {
			return (d - per + 1) / per
		}
		return d / per
	}
	out.Timestamps = make([]time.Time, 0, len(base.Timestamps))
	out.Values = make([]float64, 0, len(base.Values))
	if len(parts) == 1 {
		sc := scales[0]
		for i, t := range base.Timestamps {
			if v := base.Values[i]; v == v {
				out.Timestamps = append(out.Timestamps, t)
				out.Values = append(out.Values, offset+sc*v)
			}
		}
		return out, nil
	}
	// Nodes collected by one GetMetricData call share a grid: index directly.
	direct := make([]bool, len(parts))
	for j := 1; j < len(parts); j++ {
		direct[j] = sameTimestamps(base.Timestamps, parts[j].Timestamps)
	}
	idx := make([]int, len(parts))
	for i, t := range base.Timestamps {
		v := base.Values[i]
		if v != v {
			continue
		}
		acc := offset + scales[0]*v
		ok := true
		var k int64
		haveK := false
		for j := 1; j < len(parts); j++ {
			p := parts[j]
			var w float64
			if direct[j] {
				w = p.Values[i]
			} else {
				if !haveK {
					k, haveK = slot(t), true
				}
				x := idx[j]
				for x < len(p.Timestamps) && slot(p.Timestamps[x]) < k {
					x++
				}
				idx[j] = x
				if x >= len(p.Timestamps) || slot(p.Timestamps[x]) != k {
					ok = false
					break
				}
				w = p.Values[x]
			}
			if w != w {
				ok = false
				break
			}
			acc += scales[j] * w
		}
		if ok {
			out.Timestamps = append(out.Timestamps, t)
			out.Values = append(out.Values, acc)
		}
	}
	return out, nil
}

// sameTimestamps reports whether a and b hold the same instants.
func sameTimestamps(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	for i := range a {
		if a[i].UnixNano() != b[i].UnixNano() {
			return false
		}
	}
	return true
}

// Projection is the load the single remaining node is expected to carry,
// summarised over the lookback. Each summary is of a combined series on the
// writer's sampling grid: a projected point exists where every part has a
// valid datapoint, and the other periods are missing (its NaN count is 0).
type Projection struct {
	// Class is the class the projection is expressed against (the writer's).
	Class InstanceClass
	// CPU in percent of Class's vCPUs. On Aurora the readers' CPU is scaled
	// by reader vCPU / writer vCPU and added to the writer's at each
	// timestamp.
	CPU Summary
	// MemoryUsed in bytes: class memory minus the writer's FreeableMemory,
	// plus (Aurora) the readers' connections × PerConnectionMemoryMiB.
	MemoryUsed Summary
	// IOPS is ReadIOPS + WriteIOPS (Aurora: plus the readers' ReadIOPS).
	IOPS Summary
	// Connections is DatabaseConnections (Aurora: writer + readers).
	Connections Summary
	// Network is receive + transmit throughput in bytes/s (Aurora: all
	// nodes). It is projected only when the class's network baseline is
	// known (its only use is that check); otherwise it is empty (NaN).
	Network Summary
	// DiskQueueDepth of the writer (unchanged by consolidation).
	DiskQueueDepth Summary
	// LocalStorageUsed in bytes (Aurora, when the writer's class has a
	// known LocalStorageGiB): the writer's used local storage (LocalStorageGiB
	// minus its FreeLocalStorage) plus, at each timestamp, the local storage
	// the readers' temporary files take. A reader's temporary files are its
	// use above its lowest over the lookback (its maximum FreeLocalStorage
	// minus the current value): its sorts and spills move to the writer, its
	// logs stay behind. At or above LocalStorageGiB the single node would
	// have run out. Empty (NaN) on Multi-AZ, for an unknown class size, or
	// when a node lacks the metric.
	LocalStorageUsed Summary

	period            time.Duration // sampling period of the projected CPU
	cpuH, memH, iopsH hourly        // hourly aggregates (for profiles and charts)
}

// Utilization is a projected load on one resource as percentiles.
type Utilization struct {
	Metric string  // "cpu", "memory", "iops", "connections", "network"
	Unit   string  // "percent", "count/second", "count", "bytes/second"
	P50    float64 // NaN when not measured
	P95    float64 // 95th percentile
	P99    float64 // 99th percentile
	Max    float64 // maximum
	// Limit the P99 plus headroom is compared with, in Unit; NaN when no
	// limit applies (capacity unknown).
	Limit float64
}

// measured is one node metric after its scan.
type measured struct {
	s   Series // ordered (a sorted copy when the input was not)
	g   grid   // regular when slots() holds one value per period of g
	sum Summary
	h   hourly
	// spread holds the spread values of a series with holes (a pooled
	// buffer, until release); nil otherwise.
	spread *[]float64
}

// slots are the values on m.g: the spread values (NaN in the holes), or
// the series' own.
func (m *measured) slots() []float64 {
	if m.spread != nil {
		return *m.spread
	}
	return m.s.Values
}

type term struct {
	node   Node
	metric string
	scale  float64
}

// projJob is one series of the projection: offset + Σ scale·(node metric).
type projJob struct {
	metric, unit string
	offset       float64
	terms        []term
	hourly       bool // keep the hourly aggregates (profiles and charts)
}

// The projection's jobs, in the order projectionJobs returns them.
const (
	jobCPU = iota
	jobMemory
	jobIOPS
	jobConnections
	jobNetwork
	jobDiskQueue
	jobLocalStorage
)

// projectionJobs lists the series the projection combines from the node
// metrics: the writer's, plus on Aurora the readers' moved onto it. ms are
// the scanned node metrics (the local storage job's offset needs the
// readers' maxima).
func projectionJobs(in ClusterInput, writer Node, others []Node, p Policy, ms map[string]map[string]*measured) []projJob {
	var readers []Node
	if in.Topology == TopologyAurora {
		for _, n := range others {
			if n.Role == RoleReader {
				readers = append(readers, n)
			}
		}
	}
	w := writer
	cpuT := []term{{w, MetricCPU, 1}}
	connT := []term{{w, MetricConnections, 1}}
	iopsT := []term{{w, MetricReadIOPS, 1}, {w, MetricWriteIOPS, 1}}
	netT := []term{{w, MetricNetworkReceive, 1}, {w, MetricNetworkTransmit, 1}}
	memT := []term{{w, MetricFreeableMemory, -1}}
	// Local storage used: the writer's class size minus its free local
	// storage, plus each reader's use above its lowest (its maximum free
	// minus its free). Aurora with readers, on a class of known size.
	var lsT []term
	lsOffset := w.Class.LocalStorageBytes()
	if len(readers) > 0 && w.Class.LocalStorageGiB > 0 {
		lsT = []term{{w, MetricFreeLocalStorage, -1}}
	}
	perConn := p.PerConnectionMemoryMiB * (1 << 20)
	for _, r := range readers {
		cpuT = append(cpuT, term{r, MetricCPU, r.Class.VCPU / w.Class.VCPU})
		connT = append(connT, term{r, MetricConnections, 1})
		iopsT = append(iopsT, term{r, MetricReadIOPS, 1})
		netT = append(netT, term{r, MetricNetworkReceive, 1}, term{r, MetricNetworkTransmit, 1})
		memT = append(memT, term{r, MetricConnections, perConn})
		if lsT != nil {
			lsT = append(lsT, term{r, MetricFreeLocalStorage, -1})
			if m, ok := ms[r.ID][MetricFreeLocalStorage]; ok {
				lsOffset += m.sum.Max
			}
		}
	}
	return []projJob{
		jobCPU:          {"ProjectedCPUUtilization", "Percent", 0, cpuT, true},
		jobMemory:       {"ProjectedMemoryUsed", "Bytes", w.Class.MemoryBytes(), memT, true},
		jobIOPS:         {"ProjectedIOPS", "Count/Second", 0, iopsT, true},
		jobConnections:  {"ProjectedDatabaseConnections", "Count", 0, connT, false},
		jobNetwork:      {"ProjectedNetworkThroughput", "Bytes/Second", 0, netIf(w.Class, netT), false},
		jobDiskQueue:    {MetricDiskQueueDepth, "Count", 0, []term{{w, MetricDiskQueueDepth, 1}}, true},
		jobLocalStorage: {"ProjectedLocalStorageUsed", "Bytes", lsOffset, lsT, false},
	}
}

// project builds the single-node projection from the scanned node series.
func project(in ClusterInput, writer Node, jobs []projJob, ms map[string]map[string]*measured) (Projection, error) {
	pr := Projection{Class: writer.Class}
	var dqH hourly
	dsts := [...]*Summary{jobCPU: &pr.CPU, jobMemory: &pr.MemoryUsed, jobIOPS: &pr.IOPS, jobConnections: &pr.Connections,
		jobNetwork: &pr.Network, jobDiskQueue: &pr.DiskQueueDepth, jobLocalStorage: &pr.LocalStorageUsed}
	// keeps has an entry for every job (nil: no hourly aggregates kept).
	keeps := [...]*hourly{jobCPU: &pr.cpuH, jobMemory: &pr.memH, jobIOPS: &pr.iopsH, jobDiskQueue: &dqH, jobLocalStorage: nil}
	if m, ok := ms[writer.ID][MetricCPU]; ok {
		pr.period = m.s.Period
	}
	for i, j := range jobs {
		parts, scales := jobParts(j, ms)
		if len(parts) == 0 {
			*dsts[i] = emptySummary(j.metric, j.unit)
			continue
		}
		sum, h, err := combine(j.metric, j.unit, parts, scales, j.offset, keeps[i] != nil)
		if err != nil {
			return Projection{}, fmt.Errorf("cluster %q: projecting %s: %w", in.Name, j.metric, err)
		}
		*dsts[i] = sum
		if keeps[i] != nil {
			*keeps[i] = h
		}
	}
	return pr, nil
}

// jobParts finds a job's measured series and scales; nil when one of them
// was not collected.
func jobParts(j projJob, ms map[string]map[string]*measured) ([]*measured, []float64) {
	parts := make([]*measured, 0, len(j.terms))
	scales := make([]float64, 0, len(j.terms))
	for _, t := range j.terms {
		m, ok := ms[t.node.ID][t.metric]
		if !ok {
			return nil, nil
		}
		parts = append(parts, m)
		scales = append(scales, t.scale)
	}
	return parts, scales
}

// combine summarises offset + Σ scales[i]·parts[i], aligned by timestamp.
// A single unscaled part reuses its scan. Parts on the same grid (or the
// same timestamp slice) are added index by index into a scratch buffer and
// scanned once; otherwise they are aligned by sampling slot (alignedSum).
func combine(metric, unit string, parts []*measured, scales []float64, offset float64, wantH bool) (Summary, hourly, error) {
	base := parts[0]
	if len(parts) == 1 && scales[0] == 1 && offset == 0 {
		sum := base.sum
		sum.Metric, sum.Unit = metric, unit
		return sum, base.h, nil
	}
	direct := true
	for _, m := range parts[1:] {
		if m.s.Period != base.s.Period {
			return Summary{}, hourly{}, fmt.Errorf("analysis: aligning %s: periods differ (%v and %v): collect all nodes at the same period", metric, base.s.Period, m.s.Period)
		}
		sameTS := len(m.s.Timestamps) == len(base.s.Timestamps) &&
			(len(m.s.Timestamps) == 0 || &m.s.Timestamps[0] == &base.s.Timestamps[0])
		if !(sameTS || base.g.same(m.g)) || !m.s.Start.Equal(base.s.Start) || !m.s.End.Equal(base.s.End) {
			direct = false
		}
	}
	out := base.s
	out.Metric, out.Unit = metric, unit
	if direct {
		bp := getBuf(len(base.slots()))
		defer putBuf(bp)
		newProjector(parts, scales, offset).fill(*bp)
		sum, h, err := scan(out, base.g, *bp, wantH)
		// A slot without a value in every part has no projected point
		// (as in alignedSum): it is missing, not a NaN datapoint, and
		// outside the window it is not counted.
		sum.NaN, sum.OutOfWindow = 0, 0
		lo, hi := windowIndex(out, base.g, len(*bp))
		for _, outside := range [2][]float64{(*bp)[:lo], (*bp)[hi:]} {
			for _, v := range outside {
				if v == v {
					sum.OutOfWindow++
				}
			}
		}
		return sum, h, err
	}
	series := make([]Series, len(parts))
	for i, m := range parts {
		series[i] = m.s
	}
	s, err := alignedSum(metric, unit, series, scales, offset)
	if err != nil {
		return Summary{}, hourly{}, err
	}
	sum, h, _, err := scanSeries(s, wantH)
	return sum, h, err
}

// netIf returns the network terms when the class has a known baseline.
func netIf(c InstanceClass, t []term) []term {
	if c.NetworkBaselineBytesPerSec > 0 {
		return t
	}
	return nil
}

// emptySummary is the Summary of a metric that was not measured.
func emptySummary(metric, unit string) Summary {
	n := math.NaN()
	return Summary{Metric: metric, Unit: unit, Mean: n, Min: n, Max: n, StdDev: n, P50: n, P90: n, P95: n, P99: n, PeakToAverage: n}
}

// projector computes offset + Σ scales[k]·parts[k][i] for parts on one
// grid, index by index, adding in the order ((offset + s0·p0) + s1·p1) + ...
// NaN in any part makes the point NaN (missing).
type projector struct {
	parts  [][]float64
	scales []float64
	offset float64
}

func newProjector(parts []*measured, scales []float64, offset float64) *projector {
	p := &projector{scales: scales, offset: offset}
	for _, m := range parts {
		p.parts = append(p.parts, m.slots())
	}
	return p
}

// fill sets dst[i] to the projected value at index i: one pass per two
// parts.
func (p *projector) fill(dst []float64) {
	n := len(dst)
	sc, v0 := p.scales[0], p.parts[0][:n]
	if len(p.parts) >= 2 {
		s1, v1 := p.scales[1], p.parts[1][:n]
		for i := range dst {
			dst[i] = p.offset + sc*v0[i] + s1*v1[i]
		}
	} else {
		for i := range dst {
			dst[i] = p.offset + sc*v0[i]
		}
	}
	k := 2
	for ; k+1 < len(p.parts); k += 2 {
		sa, va := p.scales[k], p.parts[k][:n]
		sb, vb := p.scales[k+1], p.parts[k+1][:n]
		for i := range dst {
			dst[i] = dst[i] + sa*va[i] + sb*vb[i]
		}
	}
	if k < len(p.parts) {
		sa, va := p.scales[k], p.parts[k][:n]
		for i := range dst {
			dst[i] += sa * va[i]
		}
	}
}

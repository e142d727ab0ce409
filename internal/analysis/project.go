package analysis

import (
	"fmt"
	"math"
	"time"
)

// alignedSum returns offset + Σ scales[i]·parts[i] at every sampling slot
// of the first part where it has a valid point, and how many of those
// points, in [Start, End) of the first part, rest on an estimate. Slots are
// floor((t-Start)/Period) of the first part; all parts must share its
// Period. Points of other parts outside the first part's window are
// ignored. Parts must be sorted and valid.
//
// ests[i] stands in for part i where it has no valid point in a slot
// (absent or NaN); a NaN ests[i] (and a nil ests: every part) marks a
// required part, whose absence leaves the slot without a projected point.
// The first part is always required. The result's Metric and Unit are
// given; it owns new backing arrays unless there is a single part with
// scale 1 and offset 0, in which case that part is returned as is (callers
// never mutate).
func alignedSum(metric, unit string, parts []Series, scales, ests []float64, offset float64) (Series, int, error) {
	base := parts[0]
	for _, p := range parts[1:] {
		if p.Period != base.Period {
			return Series{}, 0, fmt.Errorf("analysis: aligning %s: periods differ (%v and %v): collect all nodes at the same period", metric, base.Period, p.Period)
		}
	}
	out := Series{Metric: metric, Unit: unit, Period: base.Period, Start: base.Start, End: base.End}
	if len(parts) == 1 && scales[0] == 1 && offset == 0 {
		out.Timestamps, out.Values = base.Timestamps, base.Values
		return out, 0, nil
	}
	est := func(j int) float64 {
		if ests == nil {
			return math.NaN()
		}
		return ests[j]
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
		return out, 0, nil
	}
	// Nodes collected by one GetMetricData call share a grid: index directly.
	direct := make([]bool, len(parts))
	for j := 1; j < len(parts); j++ {
		direct[j] = sameTimestamps(base.Timestamps, parts[j].Timestamps)
	}
	idx := make([]int, len(parts))
	estimated := 0
	for i, t := range base.Timestamps {
		v := base.Values[i]
		if v != v {
			continue
		}
		acc := offset + scales[0]*v
		ok, guessed := true, false
		var k int64
		haveK := false
		for j := 1; j < len(parts); j++ {
			p := parts[j]
			w := math.NaN()
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
				if x < len(p.Timestamps) && slot(p.Timestamps[x]) == k {
					w = p.Values[x]
				}
			}
			if w != w {
				if w = est(j); w != w {
					ok = false
					break
				}
				guessed = true
			}
			acc += scales[j] * w
		}
		if ok {
			out.Timestamps = append(out.Timestamps, t)
			out.Values = append(out.Values, acc)
			if guessed && !t.Before(base.Start) && t.Before(base.End) {
				estimated++
			}
		}
	}
	return out, estimated, nil
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
// writer's sampling grid: a projected point exists where every part of the
// writer has a valid datapoint, and the other periods are missing (its NaN
// count is 0). Where the writer has a value and an Aurora reader does not
// (a gap or NaN), the reader's part is estimated (readerEstimate), so the
// projection never drops the writer's own load; EstimatedPoints counts
// those points.
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
	// EstimatedPoints counts, per projected quantity (the Summary's
	// Metric, e.g. "ProjectedCPUUtilization"), the points in the window
	// where a reader had no datapoint and its estimate stood in; only
	// quantities with such points have an entry (nil when none).
	EstimatedPoints map[string]int

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

// term is one part of a projected series: scale × the node's metric. est
// marks a reader's part, estimated where it has no datapoint
// (readerEstimate); the writer's parts are required.
type term struct {
	node   Node
	metric string
	scale  float64
	est    bool
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
	cpuT := []term{{w, MetricCPU, 1, false}}
	connT := []term{{w, MetricConnections, 1, false}}
	iopsT := []term{{w, MetricReadIOPS, 1, false}, {w, MetricWriteIOPS, 1, false}}
	netT := []term{{w, MetricNetworkReceive, 1, false}, {w, MetricNetworkTransmit, 1, false}}
	memT := []term{{w, MetricFreeableMemory, -1, false}}
	// Local storage used: the writer's class size minus its free local
	// storage, plus each reader's use above its lowest (its maximum free
	// minus its free). Aurora with readers, on a class of known size.
	var lsT []term
	lsOffset := w.Class.LocalStorageBytes()
	if len(readers) > 0 && w.Class.LocalStorageGiB > 0 {
		lsT = []term{{w, MetricFreeLocalStorage, -1, false}}
	}
	perConn := p.PerConnectionMemoryMiB * (1 << 20)
	for _, r := range readers {
		cpuT = append(cpuT, term{r, MetricCPU, r.Class.VCPU / w.Class.VCPU, true})
		connT = append(connT, term{r, MetricConnections, 1, true})
		iopsT = append(iopsT, term{r, MetricReadIOPS, 1, true})
		netT = append(netT, term{r, MetricNetworkReceive, 1, true}, term{r, MetricNetworkTransmit, 1, true})
		memT = append(memT, term{r, MetricConnections, perConn, true})
		if lsT != nil {
			lsT = append(lsT, term{r, MetricFreeLocalStorage, -1, true})
			// A reader without any datapoint adds nothing to the offset;
			// its part is then estimated as 0 (see readerEstimate).
			if m, ok := ms[r.ID][MetricFreeLocalStorage]; ok && m.sum.Count > 0 {
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
		jobDiskQueue:    {MetricDiskQueueDepth, "Count", 0, []term{{w, MetricDiskQueueDepth, 1, false}}, true},
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
		parts, scales, ests := jobParts(j, ms)
		if len(parts) == 0 {
			*dsts[i] = emptySummary(j.metric, j.unit)
			continue
		}
		sum, h, n, err := combine(j.metric, j.unit, parts, scales, ests, j.offset, keeps[i] != nil)
		if err != nil {
			return Projection{}, fmt.Errorf("cluster %q: projecting %s: %w", in.Name, j.metric, err)
		}
		if n > 0 {
			if pr.EstimatedPoints == nil {
				pr.EstimatedPoints = map[string]int{}
			}
			pr.EstimatedPoints[j.metric] = n
		}
		*dsts[i] = sum
		if keeps[i] != nil {
			*keeps[i] = h
		}
	}
	return pr, nil
}

// jobParts finds a job's measured series, their scales and their estimates
// (readerEstimate for a reader's part, NaN for a required one); nil when
// one of them was not collected.
func jobParts(j projJob, ms map[string]map[string]*measured) ([]*measured, []float64, []float64) {
	parts := make([]*measured, 0, len(j.terms))
	scales := make([]float64, 0, len(j.terms))
	ests := make([]float64, 0, len(j.terms))
	for _, t := range j.terms {
		m, ok := ms[t.node.ID][t.metric]
		if !ok {
			return nil, nil, nil
		}
		parts = append(parts, m)
		scales = append(scales, t.scale)
		e := math.NaN()
		if t.est {
			e = readerEstimate(m.sum, t.scale)
		}
		ests = append(ests, e)
	}
	return parts, scales, ests
}

// readerEstimate is the value that stands in for a reader's series sum
// where the reader has no datapoint and the writer has one: its p99 over
// the lookback for a part that adds to the projection (scale >= 0), its
// lowest value for one that subtracts (scale < 0: FreeLocalStorage, where
// the lowest free space is the largest use), and 0 when the reader has no
// datapoint at all (nothing to estimate from; its coverage check then
// fails).
//
// The p99 rather than the reader's hour-of-week profile: a reader whose
// collection fails at its own peak leaves those hours of the profile
// empty, exactly where an estimate is needed, and a profile's mean would
// understate a peak. The p99 is what the reader stays below 99% of the
// time, so an estimated point errs towards more load (a safer verdict),
// while a single spike does not stand in for every missing point.
// Summary keeps no low quantile, so the subtracting side takes the
// minimum; local storage is judged at its peak anyway.
func readerEstimate(sum Summary, scale float64) float64 {
	v := sum.P99
	if scale < 0 {
		v = sum.Min
	}
	if sum.Count == 0 || v != v {
		return 0
	}
	return v
}

// combine summarises offset + Σ scales[i]·parts[i], aligned by timestamp,
// with ests[i] standing in for part i where it has no value (NaN ests[i]:
// required, see alignedSum), and returns how many points in the window
// rest on an estimate. A single unscaled part reuses its scan. Parts on the
// same grid (or the same timestamp slice) are added index by index into a
// scratch buffer and scanned once; otherwise they are aligned by sampling
// slot (alignedSum).
func combine(metric, unit string, parts []*measured, scales, ests []float64, offset float64, wantH bool) (Summary, hourly, int, error) {
	base := parts[0]
	if len(parts) == 1 && scales[0] == 1 && offset == 0 {
		sum := base.sum
		sum.Metric, sum.Unit = metric, unit
		return sum, base.h, 0, nil
	}
	direct := true
	for _, m := range parts[1:] {
		if m.s.Period != base.s.Period {
			return Summary{}, hourly{}, 0, fmt.Errorf("analysis: aligning %s: periods differ (%v and %v): collect all nodes at the same period", metric, base.s.Period, m.s.Period)
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
		pj := newProjector(parts, scales, ests, offset)
		pj.fill(*bp)
		lo, hi := windowIndex(out, base.g, len(*bp))
		estimated := pj.patch(*bp, lo, hi)
		sum, h, err := scan(out, base.g, *bp, wantH)
		// A slot without a value in every required part has no projected
		// point (as in alignedSum): it is missing, not a NaN datapoint,
		// and outside the window it is not counted.
		sum.NaN, sum.OutOfWindow = 0, 0
		for _, outside := range [2][]float64{(*bp)[:lo], (*bp)[hi:]} {
			for _, v := range outside {
				if v == v {
					sum.OutOfWindow++
				}
			}
		}
		return sum, h, estimated, err
	}
	series := make([]Series, len(parts))
	for i, m := range parts {
		series[i] = m.s
	}
	s, estimated, err := alignedSum(metric, unit, series, scales, ests, offset)
	if err != nil {
		return Summary{}, hourly{}, 0, err
	}
	sum, h, _, err := scanSeries(s, wantH)
	return sum, h, estimated, err
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
// fill makes a point NaN (missing) when any part is NaN there; patch then
// gives it a value when only estimable parts (ests[k] not NaN) were NaN.
type projector struct {
	parts  [][]float64
	scales []float64
	ests   []float64 // NaN: required part
	// gappy is set when an estimable part may hold a NaN (holes or NaN
	// values): only then does patch look for points to estimate.
	gappy  bool
	offset float64
}

// newProjector combines parts on one grid; ests (nil: every part
// required) as for alignedSum.
func newProjector(parts []*measured, scales, ests []float64, offset float64) *projector {
	p := &projector{scales: scales, ests: ests, offset: offset}
	for k, m := range parts {
		p.parts = append(p.parts, m.slots())
		if ests != nil && ests[k] == ests[k] && (m.spread != nil || m.sum.Count != len(m.s.Values)) {
			p.gappy = true
		}
	}
	return p
}

// patch recomputes the NaN points of dst (as left by fill) where every
// required part has a value, with ests[k] standing in for the estimable
// parts that have none, and returns how many of the points patched lie in
// [lo, hi) (the window). Nothing to do unless an estimable part is gappy:
// the usual gap-free cluster pays nothing.
func (p *projector) patch(dst []float64, lo, hi int) int {
	if !p.gappy {
		return 0
	}
	n := 0
	for i, v := range dst {
		if v == v {
			continue
		}
		acc, ok, guessed := p.offset, true, false
		for k, part := range p.parts {
			x := part[i]
			if x != x {
				if x = p.ests[k]; x != x {
					ok = false
					break
				}
				guessed = true
			}
			acc += p.scales[k] * x
		}
		if ok && guessed {
			dst[i] = acc
			if i >= lo && i < hi {
				n++
			}
		}
	}
	return n
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

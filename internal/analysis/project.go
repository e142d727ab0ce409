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
// (absent or NaN; see readerEstimate, with parts[i] the series it was made
// for); an ests[i] without a series (and a nil ests: every part) marks a
// required part, whose absence leaves the slot without a projected point.
// The first part is always required. The result's Metric and Unit are
// given; it owns new backing arrays unless there is a single part with
// scale 1 and offset 0, in which case that part is returned as is (callers
// never mutate).
func alignedSum(metric, unit string, parts []Series, scales []float64, ests []readerEstimate, offset float64) (Series, int, error) {
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
				out.Values = append(out.Values, offset+float64(sc*v))
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
		acc := offset + float64(scales[0]*v)
		ok, guessed := true, false
		var k int64
		haveK := false
		for j := 1; j < len(parts); j++ {
			p := parts[j]
			w := math.NaN()
			// [lo, hi): the points of part j in this slot (at most the
			// first, which is the one taken).
			var lo, hi int
			if direct[j] {
				w, lo, hi = p.Values[i], i, i+1
			} else {
				if !haveK {
					k, haveK = slot(t), true
				}
				x := idx[j]
				for x < len(p.Timestamps) && slot(p.Timestamps[x]) < k {
					x++
				}
				idx[j] = x
				lo, hi = x, x
				if x < len(p.Timestamps) && slot(p.Timestamps[x]) == k {
					w, hi = p.Values[x], x+1
				}
			}
			if w != w {
				if ests == nil || ests[j].m == nil {
					ok = false
					break
				}
				w = ests[j].inSeries(p, t.UnixNano(), lo, hi)
				guessed = true
			}
			acc += float64(scales[j] * w)
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
// (a gap or NaN), the reader's part is estimated (readerEstimate: its
// neighbours across a short gap, else its hour-of-week profile), so the
// projection never drops the writer's own load; EstimatedPoints counts
// those points.
type Projection struct {
	// Class is the class the projection is expressed against (the writer's).
	Class InstanceClass
	// CPU in percent of Class's vCPUs. On Aurora the readers' CPU is scaled
	// by reader vCPU / writer vCPU and added to the writer's at each
	// timestamp.
	CPU Summary
	// Topology is the cluster's (ClusterInput.Topology), TopologyAurora also
	// for a one-instance Aurora cluster analysed as TopologyMultiAZ
	// (ClusterInput.AuroraClusterID set), whose memory is Aurora's. On TopologyAurora
	// the memory check leaves the buffer cache out (see MemoryUsed); any
	// other value, the zero value included, judges memory as on RDS.
	Topology Topology
	// MemoryUsed in bytes: class memory minus the writer's FreeableMemory,
	// plus (Aurora) the readers' connections × PerConnectionMemoryMiB; on
	// Aurora this includes the writer's buffer cache. The memory check
	// judges on RDS all of it against a class's memory, and on Aurora the
	// memory in use outside the buffer cache (MemoryUsed less the writer
	// class's shared_buffers, at Aurora's default, AuroraBufferFormula, or
	// the parameter group's; at least 0) against what a class's own buffer
	// cache leaves of its memory:
	// Aurora allocates the cache at start, about two thirds of the memory,
	// and reads no data through the OS page cache, so FreeableMemory never
	// counts it free, and the cache grows with the class while the rest of
	// the use (connections, sorts, the OS and Aurora's own processes) does
	// not. On RDS, shared_buffers is a quarter of the memory and
	// FreeableMemory counts the OS page cache free.
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
	// readIOPS is the writer's ReadIOPS plus (Aurora) the readers',
	// summed at each timestamp as IOPS is: the reads the single node
	// serves, the baseline of its ReadIOPS rollback alarm. On Multi-AZ it
	// is the writer's own summary (no second pass).
	readIOPS Summary
	// EstimatedPoints counts, per projected quantity (the Summary's
	// Metric, e.g. "ProjectedCPUUtilization"), the points in the window
	// where a reader had no datapoint and its estimate stood in; only
	// quantities with such points have an entry (nil when none).
	EstimatedPoints map[string]int

	period            time.Duration // sampling period of the projected CPU
	cpuH, memH, iopsH hourly        // hourly aggregates (for profiles and charts)
	// sharedBuffers is the parameter group's shared_buffers (PostgresFacts.SharedBuffersFormula),
	// "" for Aurora's default (bufferCacheBytes).
	sharedBuffers string
}

// Utilization is a projected load on one resource as percentiles. "memory"
// is the memory in use (Projection.MemoryUsed) in percent of the class
// memory, and on Aurora the memory in use outside the buffer cache in
// percent of what the cache leaves (the class memory less its shared_buffers:
// Aurora's default, or the parameter group's), as the memory check judges it.
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

// memoryRoom is the memory of class c, in bytes, that the memory check judges pr's memory in use
// against: on Aurora what c's buffer cache leaves (c's memory less bufferCacheBytes), on RDS
// all of it.
func (pr Projection) memoryRoom(c InstanceClass) float64 {
	if pr.Topology == TopologyAurora {
		return c.MemoryBytes() - float64(pr.bufferCacheBytes(c))
	}
	return c.MemoryBytes()
}

// bufferCacheBytes is the Aurora buffer cache of class c, in bytes: the parameter group's
// shared_buffers (pr.sharedBuffers, 8 kB pages) on c when it sets one that fits c
// (groupBuffer); all of c's memory when it sets one that does not (the room memoryRoom
// leaves is then none, and the memory check fails: the group the node keeps would not start on
// c); else Aurora's default (auroraBufferCacheBytes), also for a value under 16 pages.
func (pr Projection) bufferCacheBytes(c InstanceClass) float64 {
	switch pages, fits, tooBig := groupBuffer(pr.sharedBuffers, c); {
	case fits:
		return float64(pages * 8192)
	case tooBig:
		return c.MemoryBytes()
	}
	return auroraBufferCacheBytes(c)
}

// writerCacheBytes is the buffer cache the writer runs with, in bytes: bufferCacheBytes of its
// class, except that a parameter group's shared_buffers that takes all of the class's memory
// (groupBuffer's tooBig: a value the running writer cannot have, say one pending a reboot) counts
// as Aurora's default, so that the memory in use outside the cache is not hidden.
func (pr Projection) writerCacheBytes() float64 {
	if _, _, tooBig := groupBuffer(pr.sharedBuffers, pr.Class); tooBig {
		return auroraBufferCacheBytes(pr.Class)
	}
	return pr.bufferCacheBytes(pr.Class)
}

// writerRoom is memoryRoom of the writer's class with the cache it runs with (writerCacheBytes).
func (pr Projection) writerRoom() float64 {
	if pr.Topology == TopologyAurora {
		return pr.Class.MemoryBytes() - float64(pr.writerCacheBytes())
	}
	return pr.memoryRoom(pr.Class)
}

// bufferSource names what sizes the Aurora buffer cache of class c (bufferCacheBytes).
func (pr Projection) bufferSource(c InstanceClass) string {
	switch _, fits, tooBig := groupBuffer(pr.sharedBuffers, c); {
	case fits || tooBig:
		return "the parameter group's shared_buffers " + pr.sharedBuffers
	case pr.sharedBuffers != "":
		return "Aurora's default shared_buffers, since the parameter group's " + pr.sharedBuffers + " gives " + c.Name + " less than 16 pages"
	}
	return "Aurora's default shared_buffers"
}

// memoryJudged is v bytes of pr.MemoryUsed as the memory check counts them: on Aurora the memory in
// use outside the buffer cache (v less the writer's cache, writerCacheBytes, at least 0), on RDS v.
// NaN stays NaN.
func (pr Projection) memoryJudged(v float64) float64 {
	if pr.Topology == TopologyAurora && v == v {
		return math.Max(0, v-pr.writerCacheBytes())
	}
	return v
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
	// gaps is s folded on the hours of the week and of the day, bucket by
	// bucket as a reader's estimate needs them (readerEstimate.profile).
	gaps *gapProfile
}

// slotTime is the time, in UnixNano, of slot i of slots().
func (m *measured) slotTime(i int) int64 {
	if m.spread != nil {
		return m.g.t0 + int64(i)*m.g.step
	}
	return m.s.Timestamps[i].UnixNano()
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
	jobReadIOPS
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
	readT := []term{{w, MetricReadIOPS, 1, false}}
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
		readT = append(readT, term{r, MetricReadIOPS, 1, true})
		netT = append(netT, term{r, MetricNetworkReceive, 1, true}, term{r, MetricNetworkTransmit, 1, true})
		memT = append(memT, term{r, MetricConnections, perConn, true})
		if lsT != nil {
			lsT = append(lsT, term{r, MetricFreeLocalStorage, -1, true})
			// A reader without any datapoint adds nothing to the offset;
			// its part is then estimated as 0 (see readerFallback).
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
		jobReadIOPS:     {"ProjectedReadIOPS", "Count/Second", 0, readT, false},
	}
}

// project builds the single-node projection from the scanned node series.
func project(in ClusterInput, writer Node, jobs []projJob, ms map[string]map[string]*measured) (Projection, error) {
	pr := Projection{Class: writer.Class, Topology: in.engineTopology()}
	if in.Postgres != nil {
		pr.sharedBuffers = in.Postgres.SharedBuffersFormula
	}
	var dqH hourly
	dsts := [...]*Summary{jobCPU: &pr.CPU, jobMemory: &pr.MemoryUsed, jobIOPS: &pr.IOPS, jobConnections: &pr.Connections,
		jobNetwork: &pr.Network, jobDiskQueue: &pr.DiskQueueDepth, jobLocalStorage: &pr.LocalStorageUsed, jobReadIOPS: &pr.readIOPS}
	// keeps has an entry for every job (nil: no hourly aggregates kept).
	keeps := [...]*hourly{jobCPU: &pr.cpuH, jobMemory: &pr.memH, jobIOPS: &pr.iopsH, jobDiskQueue: &dqH, jobLocalStorage: nil, jobReadIOPS: nil}
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
		if n > 0 && i != jobReadIOPS { // the reads' points are among IOPS's
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
// (readerEstimate for a reader's part; none, required, for the writer's);
// nil when one of them was not collected.
func jobParts(j projJob, ms map[string]map[string]*measured) ([]*measured, []float64, []readerEstimate) {
	parts := make([]*measured, 0, len(j.terms))
	scales := make([]float64, 0, len(j.terms))
	ests := make([]readerEstimate, len(j.terms))
	for i, t := range j.terms {
		m, ok := ms[t.node.ID][t.metric]
		if !ok {
			return nil, nil, nil
		}
		parts = append(parts, m)
		scales = append(scales, t.scale)
		if t.est {
			ests[i] = newReaderEstimate(m, t.scale)
		}
	}
	return parts, scales, ests
}

// shortGap is the longest stretch of missing periods a reader's estimate
// bridges by interpolation (readerEstimate, step 1).
const shortGap = 15 * time.Minute

// readerEstimate stands in for a reader's part of a projected series where
// the reader has no valid datapoint (a hole, a NaN, or outside its series)
// and the writer has one, so that a reader's gap never drops the writer's
// own load. The estimate of a point depends on the reader's gap around it:
//
//  1. A short gap, at most shortGap (15 minutes) of missing periods, or a
//     single missing period whatever the period (so its valid neighbours
//     are at most max(shortGap, period) + period apart), is bridged by
//     linear interpolation in time between the reader's nearest valid
//     datapoints on either side. Before the reader's first valid datapoint
//     or after its last, a point within max(shortGap, period) of it takes
//     its value.
//  2. Otherwise, the reader's mean for that hour of the week (UTC) over the
//     lookback: its valid datapoints in that hour of every week that has
//     any (the rest of the gap's own hour included), as HourOfWeekProfile.
//  3. When no week has a datapoint in that hour of the week (the reader
//     missed it every week), its mean for that hour of the day over the
//     days that have one, as HourOfDayProfile.
//  4. Only when no day has a datapoint in that hour: readerFallback, its
//     p99 over the lookback (0 when it has no datapoint at all).
//
// Sign: a part that subtracts (scale < 0: FreeLocalStorage, where less
// free space is more use on the single node) takes in steps 2 and 3 the
// lowest value of the hour's datapoints rather than their mean, and in
// step 4 the lowest over the lookback, so its estimate errs towards more
// use, as the p99 does for the parts that add. Interpolation is the same
// for both signs (it stays between two measured values).
//
// Why: the p99 alone stacked the reader's busiest minutes on whatever the
// writer was doing, so one missing minute at the writer's connection peak
// raised the projected peak connections by the reader's own peak (a
// flipped verdict), and a reader that missed the writer's busy hours every
// weekday while itself busy at night doubled the projected CPU p99. A
// short gap is best told by the reader's readings on either side: 15
// minutes of 1-minute data (3 periods at 5 minutes; one period at an hour,
// where bridging several hours would flatten the daily cycle the profile
// keeps) is shorter than the hour the profile resolves and than the shifts
// in a database's load that matter here. A longer gap takes what the
// reader usually does at that time: the weekly cycle first (weekday and
// weekend differ), then the daily one. The p99 is left for hours the
// reader never reported, where nothing tells its load.
//
// The estimate is made only where needed: the projection of gap-free
// readers never calls it, and a profile bucket is folded (once per series)
// at the first point of a long gap that needs it, reading only that hour
// of each week (or day). A zero readerEstimate (m nil) marks a
// required part, which has no estimate.
type readerEstimate struct {
	m        *measured // the reader's series; nil: required
	low      bool      // a subtracting part: err low (see the sign above)
	fallback float64   // step 4 (readerFallback)
	span     int64     // max(shortGap, period) in ns
	step     int64     // the period in ns
	// The last neighbours found (around): valid points p < n (-1 and
	// len when none) with nothing valid between them.
	p, n   int
	cached bool
}

// newReaderEstimate is the estimate of the reader's series m, a part of
// scale scale.
func newReaderEstimate(m *measured, scale float64) readerEstimate {
	step := int64(m.s.Period)
	return readerEstimate{m: m, low: scale < 0, fallback: readerFallback(m.sum, scale), span: max(int64(shortGap), step), step: step}
}

// onGrid is the estimate at slot i of vals, m.slots(), where vals[i] is
// NaN (the one-grid path, projector.patch).
func (e *readerEstimate) onGrid(vals []float64, i int) float64 {
	p, n := e.around(vals, i, i+1)
	pt, nt := int64(0), int64(0)
	if p >= 0 {
		pt = e.m.slotTime(p)
	}
	if n < len(vals) {
		nt = e.m.slotTime(n)
	}
	return e.at(e.m.slotTime(i), vals, p, n, pt, nt)
}

// inSeries is the estimate at t (UnixNano) from s, the reader's series,
// whose points [lo, hi) (none, or one NaN) fall in t's slot: the
// alignment of alignedSum.
func (e *readerEstimate) inSeries(s Series, t int64, lo, hi int) float64 {
	p, n := e.around(s.Values, lo, hi)
	pt, nt := int64(0), int64(0)
	if p >= 0 {
		pt = s.Timestamps[p].UnixNano()
	}
	if n < len(s.Values) {
		nt = s.Timestamps[n].UnixNano()
	}
	return e.at(t, s.Values, p, n, pt, nt)
}

// at is the estimate at t from the valid neighbours vals[p] at pt and
// vals[n] at nt (p < 0, n >= len(vals): none).
func (e *readerEstimate) at(t int64, vals []float64, p, n int, pt, nt int64) float64 {
	hasP, hasN := p >= 0, n < len(vals)
	switch {
	case hasP && hasN:
		if nt-pt <= e.span+e.step {
			if nt <= pt {
				return vals[p]
			}
			pv, nv := vals[p], vals[n]
			return pv + (nv-pv)*float64(t-pt)/float64(nt-pt)
		}
	case hasP:
		if t-pt <= e.span {
			return vals[p]
		}
	case hasN:
		if nt-t <= e.span {
			return vals[n]
		}
	}
	return e.profile(t)
}

// around returns the nearest valid points of vals before lo and at or
// after hi (lo <= hi; -1 and len(vals) when none). Queries come in time
// order, so the neighbours of a gap are looked for once.
func (e *readerEstimate) around(vals []float64, lo, hi int) (int, int) {
	if e.cached && e.p < lo && hi <= e.n {
		return e.p, e.n
	}
	p := lo - 1
	for p >= 0 && vals[p] != vals[p] {
		p--
	}
	n := hi
	for n < len(vals) && vals[n] != vals[n] {
		n++
	}
	e.p, e.n, e.cached = p, n, true
	return p, n
}

// profile is steps 2 to 4 of the estimate at t (UnixNano).
func (e *readerEstimate) profile(t int64) float64 {
	if e.m.gaps == nil {
		e.m.gaps = &gapProfile{}
	}
	g := e.m.gaps
	w, d := hourBuckets(t)
	// Hour h since the epoch is hour (h + 4×24) mod 168 of its week.
	if b := g.week[w].fold(e.m, HoursPerWeek, int64(w)-4*24); b.n > 0 {
		return b.value(e.low)
	}
	if b := g.day[d].fold(e.m, 24, int64(d)); b.n > 0 {
		return b.value(e.low)
	}
	return e.fallback
}

// gapProfile is a reader's series folded on the hours of the week (bucket
// as HourOfWeekProfile's) and of the day (UTC), one bucket at a time as
// readerEstimate asks for it: a long gap needs one or two.
type gapProfile struct {
	week [HoursPerWeek]hourBucket
	day  [24]hourBucket
}

// hourBucket holds the valid datapoints of a series in one bucket of a
// gapProfile: their sum (in time order), lowest value and number.
type hourBucket struct {
	sum, low float64
	n        int
	done     bool // folded
}

// value is the bucket's mean, or its lowest value (low).
func (b *hourBucket) value(low bool) float64 {
	if low {
		return b.low
	}
	return b.sum / float64(b.n)
}

// fold returns b, folding it first (once) from m: the valid datapoints in
// the hours h (since the epoch) with h ≡ r (mod cycle), hour by hour, each
// found by index on m's grid or by binary search on its timestamps.
func (b *hourBucket) fold(m *measured, cycle, r int64) *hourBucket {
	if b.done {
		return b
	}
	b.done = true
	vals := m.slots()
	n := len(vals)
	if n == 0 {
		return b
	}
	onGrid := m.spread != nil || (m.g.regular && len(m.s.Timestamps) == n)
	var first, last int64
	if onGrid {
		first, last = m.g.t0, m.g.t0+int64(n-1)*m.g.step
	} else {
		first, last = m.s.Timestamps[0].UnixNano(), m.s.Timestamps[n-1].UnixNano()
	}
	h0, h1 := floorDiv(first, hourNs), floorDiv(last, hourNs)
	for h := h0 + ((r-h0)%cycle+cycle)%cycle; h <= h1; h += cycle {
		from, to := h*hourNs, (h+1)*hourNs
		var a, z int
		if onGrid {
			a = clampInt(ceilDiv(from-m.g.t0, m.g.step), 0, n)
			z = clampInt(ceilDiv(to-m.g.t0, m.g.step), a, n)
		} else {
			a, z = pointRange(m.s.Timestamps, from, to)
		}
		for _, v := range vals[a:z] {
			if v != v {
				continue
			}
			if b.n == 0 || v < b.low {
				b.low = v
			}
			b.sum += v
			b.n++
		}
	}
	return b
}

// hourBuckets returns the hour of the week (Sunday 00:00 UTC = 0, as
// hourOfWeek) and the hour of the day (UTC) of t, in UnixNano.
func hourBuckets(t int64) (week, day int) {
	h := floorDiv(t, hourNs)
	// 1970-01-01 00:00 UTC, hour 0, was a Thursday: hour 4×24 of its week.
	week = int(((h+4*24)%HoursPerWeek + HoursPerWeek) % HoursPerWeek)
	day = int((h%24 + 24) % 24)
	return week, day
}

// floorDiv is a/b rounded down (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// readerFallback is the last resort of readerEstimate, for an hour of the
// day in which the reader never has a datapoint: its p99 over the lookback
// for a part that adds to the projection (scale >= 0), its lowest value
// for one that subtracts (scale < 0: FreeLocalStorage, where the lowest
// free space is the largest use), and 0 when the reader has no datapoint
// at all (nothing to estimate from; its coverage check then fails). The
// p99 is what the reader stays below 99% of the time, so the estimate errs
// towards more load, while a single spike does not stand in; Summary keeps
// no low quantile, so the subtracting side takes the minimum.
func readerFallback(sum Summary, scale float64) float64 {
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
// with ests[i] standing in for part i where it has no value (an ests[i]
// without a series, or a nil ests: required, see alignedSum), and returns how many points in the window
// rest on an estimate. A single unscaled part reuses its scan. Parts on the
// same grid (or the same timestamp slice) are added index by index into a
// scratch buffer and scanned once; otherwise they are aligned by sampling
// slot (alignedSum).
func combine(metric, unit string, parts []*measured, scales []float64, ests []readerEstimate, offset float64, wantH bool) (Summary, hourly, int, error) {
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
// gives it a value when only estimable parts (ests[k] with a series) were
// NaN.
type projector struct {
	parts  [][]float64
	scales []float64
	ests   []readerEstimate // without a series (or nil): required part
	// gappy is set when an estimable part may hold a NaN (holes or NaN
	// values): only then does patch look for points to estimate.
	gappy  bool
	offset float64
}

// newProjector combines parts on one grid; ests (nil: every part
// required) as for alignedSum.
func newProjector(parts []*measured, scales []float64, ests []readerEstimate, offset float64) *projector {
	p := &projector{scales: scales, ests: ests, offset: offset}
	for k, m := range parts {
		p.parts = append(p.parts, m.slots())
		if ests != nil && ests[k].m != nil && (m.spread != nil || m.sum.Count != len(m.s.Values)) {
			p.gappy = true
		}
	}
	return p
}

// patch recomputes the NaN points of dst (as left by fill) where every
// required part has a value, with ests[k] (readerEstimate) standing in
// for the estimable parts that have none, and returns how many of the points patched lie in
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
				if p.ests == nil || p.ests[k].m == nil {
					ok = false
					break
				}
				x = p.ests[k].onGrid(part, i)
				guessed = true
			}
			acc += float64(p.scales[k] * x)
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
			dst[i] = p.offset + float64(sc*v0[i]) + float64(s1*v1[i])
		}
	} else {
		for i := range dst {
			dst[i] = p.offset + float64(sc*v0[i])
		}
	}
	k := 2
	for ; k+1 < len(p.parts); k += 2 {
		sa, va := p.scales[k], p.parts[k][:n]
		sb, vb := p.scales[k+1], p.parts[k+1][:n]
		for i := range dst {
			dst[i] = dst[i] + float64(sa*va[i]) + float64(sb*vb[i])
		}
	}
	if k < len(p.parts) {
		sa, va := p.scales[k], p.parts[k][:n]
		for i := range dst {
			dst[i] += float64(sa * va[i])
		}
	}
}

package analysis

import (
	"math"
	"slices"
	"time"
)

// Instance classes from /work/shared/data/rds-instance-classes.csv (us-east-1,
// 2024 prices): single-AZ and Multi-AZ RDS for PostgreSQL, Aurora Standard.
var (
	classM6gLarge  = InstanceClass{Name: "db.m6g.large", VCPU: 2, MemoryGiB: 8, BaselineIOPS: 3600, NetworkBaselineBytesPerSec: 0.75e9 / 8}
	classR6gLarge  = InstanceClass{Name: "db.r6g.large", VCPU: 2, MemoryGiB: 16, BaselineIOPS: 3600, NetworkBaselineBytesPerSec: 0.75e9 / 8}
	classR6gXLarge = InstanceClass{Name: "db.r6g.xlarge", VCPU: 4, MemoryGiB: 32, BaselineIOPS: 6000, NetworkBaselineBytesPerSec: 1.25e9 / 8}
	classT4gMedium = InstanceClass{Name: "db.t4g.medium", VCPU: 2, MemoryGiB: 4, Burstable: true}
	classT4gLarge  = InstanceClass{Name: "db.t4g.large", VCPU: 2, MemoryGiB: 8, Burstable: true}
)

const gib = 1 << 30

// load describes a synthetic node: each metric as a function of time.
type load map[string]func(t time.Time, i int) float64

var units = map[string]string{
	MetricCPU: "Percent", MetricFreeableMemory: "Bytes", MetricReadIOPS: "Count/Second", MetricWriteIOPS: "Count/Second",
	MetricConnections: "Count", MetricNetworkReceive: "Bytes/Second", MetricNetworkTransmit: "Bytes/Second",
	MetricReplicaLag: "Seconds", MetricFreeStorageSpace: "Bytes", MetricDiskQueueDepth: "Count", MetricFreeLocalStorage: "Bytes",
}

// seriesOf generates the node's series (sorted by metric name) over days at period.
func seriesOf(l load, days int, period time.Duration) []Series {
	names := make([]string, 0, len(l))
	for k := range l {
		names = append(names, k)
	}
	sortStrings(names)
	var out []Series
	for _, m := range names {
		out = append(out, synth(m, units[m], t0, time.Duration(days)*24*time.Hour, period, l[m]))
	}
	return out
}

func sortStrings(a []string) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// busyHours is a bump of height 1 over [from, to) UTC hours on weekdays.
func weekdayBump(t time.Time, from, to int) float64 {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return 0
	}
	if h := t.Hour(); h >= from && h < to {
		return 1
	}
	return 0
}

// noise is deterministic pseudo-noise in [-1, 1] from an index and a salt.
func noise(i int, salt uint64) float64 {
	r := rng(uint64(i)*0x9e3779b97f4a7c15 ^ salt)
	return 2*r.float() - 1
}

func daily(t time.Time) float64 {
	return math.Sin(2 * math.Pi * float64(t.Hour()*60+t.Minute()) / 1440)
}

// idleWriter is a quiet OLTP writer: a few percent CPU with a small daily wave.
func idleWriter(memGiB float64) load {
	return load{
		MetricCPU:              func(t time.Time, i int) float64 { return 4 + 2*daily(t) + 0.5*noise(i, 1) },
		MetricFreeableMemory:   func(t time.Time, i int) float64 { return (memGiB*0.6 + 0.1*noise(i, 2)) * gib },
		MetricReadIOPS:         func(t time.Time, i int) float64 { return 40 + 20*daily(t) + 5*noise(i, 3) },
		MetricWriteIOPS:        func(t time.Time, i int) float64 { return 25 + 5*noise(i, 4) },
		MetricConnections:      func(t time.Time, i int) float64 { return math.Round(18 + 6*daily(t) + 2*noise(i, 5)) },
		MetricNetworkReceive:   func(t time.Time, i int) float64 { return 2e5 + 5e4*noise(i, 6) },
		MetricNetworkTransmit:  func(t time.Time, i int) float64 { return 4e5 + 1e5*noise(i, 7) },
		MetricFreeStorageSpace: func(t time.Time, i int) float64 { return 80 * gib },
		MetricDiskQueueDepth:   func(t time.Time, i int) float64 { return 0.3 + 0.1*noise(i, 8) },
	}
}

// withFlatConnections is idleMultiAZ(14) (or another 14-day input with the
// writer first) whose writer's DatabaseConnections are conns throughout; in
// is not modified.
func withFlatConnections(in ClusterInput, conns float64) ClusterInput {
	in.Nodes = slices.Clone(in.Nodes)
	w := &in.Nodes[0]
	w.Series = slices.Clone(w.Series)
	for j, s := range w.Series {
		if s.Metric == MetricConnections {
			w.Series[j] = synth(MetricConnections, "Count", t0, 14*24*time.Hour, 5*time.Minute, func(time.Time, int) float64 { return conns })
		}
	}
	return in
}

// idleMultiAZ is a low-traffic RDS Multi-AZ db.m6g.large (the sso-prod shape).
func idleMultiAZ(days int) ClusterInput {
	return ClusterInput{
		Name:     "sso-prod",
		Topology: TopologyMultiAZ,
		Nodes: []Node{
			{ID: "sso-prod", Role: RoleWriter, Class: classM6gLarge, Series: seriesOf(idleWriter(8), days, 5*time.Minute)},
			{ID: "sso-prod-standby", Role: RoleStandby, Class: classM6gLarge},
		},
		Postgres:         &PostgresFacts{MaxConnections: 400, PeakConnections: 31, CacheHitRatio: 0.998, TPS: 35},
		CurrentHourlyUSD: 0.318,
		Candidates: []Candidate{
			{Class: classM6gLarge, SingleNodeHourlyUSD: 0.159},
			{Class: classT4gMedium, SingleNodeHourlyUSD: 0.065},
			{Class: classT4gLarge, SingleNodeHourlyUSD: 0.129},
			{Class: classR6gLarge, SingleNodeHourlyUSD: 0.225},
		},
	}
}

// auroraPair is a busy Aurora db.r6g.large pair. The writer peaks at 14-17 UTC
// on weekdays; the reader's read peak is at readerPeak..readerPeak+3 UTC and
// carries 60% of the cluster's reads then. FreeableMemory is what the 10.51 GiB
// buffer cache Aurora allocates at start leaves of the 16 GiB (5.49 GiB) less
// the rest in use: 1.3 GiB on the writer (2.3 GiB at its peak), 0.5 GiB on
// the reader.
func auroraPair(readerPeak int) ClusterInput {
	writer := load{
		MetricCPU:             func(t time.Time, i int) float64 { return 8 + 22*weekdayBump(t, 14, 17) + 1.5*noise(i, 11) },
		MetricFreeableMemory:  func(t time.Time, i int) float64 { return (4.2 - 1*weekdayBump(t, 14, 17) + 0.1*noise(i, 12)) * gib },
		MetricReadIOPS:        func(t time.Time, i int) float64 { return 200 + 600*weekdayBump(t, 14, 17) + 20*noise(i, 13) },
		MetricWriteIOPS:       func(t time.Time, i int) float64 { return 150 + 150*weekdayBump(t, 14, 17) + 15*noise(i, 14) },
		MetricConnections:     func(t time.Time, i int) float64 { return math.Round(60 + 60*weekdayBump(t, 14, 17) + 3*noise(i, 15)) },
		MetricNetworkReceive:  func(t time.Time, i int) float64 { return 2e6 + 3e6*weekdayBump(t, 14, 17) },
		MetricNetworkTransmit: func(t time.Time, i int) float64 { return 4e6 + 6e6*weekdayBump(t, 14, 17) },
		MetricDiskQueueDepth:  func(t time.Time, i int) float64 { return 1 + 0.2*noise(i, 16) },
	}
	reader := load{
		MetricCPU: func(t time.Time, i int) float64 {
			return 5 + 25*weekdayBump(t, readerPeak, readerPeak+3) + 1.5*noise(i, 21)
		},
		MetricFreeableMemory: func(t time.Time, i int) float64 { return (5 + 0.1*noise(i, 22)) * gib },
		MetricReadIOPS: func(t time.Time, i int) float64 {
			return 100 + 1100*weekdayBump(t, readerPeak, readerPeak+3) + 20*noise(i, 23)
		},
		MetricWriteIOPS:       func(t time.Time, i int) float64 { return 5 },
		MetricConnections:     func(t time.Time, i int) float64 { return math.Round(20 + 80*weekdayBump(t, readerPeak, readerPeak+3)) },
		MetricNetworkReceive:  func(t time.Time, i int) float64 { return 1e6 + 2e6*weekdayBump(t, readerPeak, readerPeak+3) },
		MetricNetworkTransmit: func(t time.Time, i int) float64 { return 3e6 + 8e6*weekdayBump(t, readerPeak, readerPeak+3) },
		MetricReplicaLag:      func(t time.Time, i int) float64 { return 0.02 },
	}
	return ClusterInput{
		Name:     "mandible-prod",
		Topology: TopologyAurora,
		Nodes: []Node{
			{ID: "mandible-prod-1", Role: RoleWriter, Class: classR6gLarge, Series: seriesOf(writer, 14, time.Minute)},
			{ID: "mandible-prod-2", Role: RoleReader, Class: classR6gLarge, Series: seriesOf(reader, 14, time.Minute)},
		},
		Postgres:         &PostgresFacts{MaxConnections: 1000, PeakConnections: 230, CacheHitRatio: 0.995, TPS: 900},
		CurrentHourlyUSD: 0.52,
		Candidates: []Candidate{
			{Class: classR6gLarge, SingleNodeHourlyUSD: 0.26},
			{Class: classR6gXLarge, SingleNodeHourlyUSD: 0.519},
		},
	}
}

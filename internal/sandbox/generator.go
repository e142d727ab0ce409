package sandbox

import (
	"hash/fnv"
	"math"
	"sort"
	"strings"
	"time"
)

// Generated RDS metric names (namespace AWS/RDS, dimension DBInstanceIdentifier;
// Aurora nodes are also reachable as DBClusterIdentifier + Role=WRITER|READER).
const (
	MetricCPUUtilization            = "CPUUtilization"
	MetricFreeableMemory            = "FreeableMemory"
	MetricDatabaseConnections       = "DatabaseConnections"
	MetricReadIOPS                  = "ReadIOPS"
	MetricWriteIOPS                 = "WriteIOPS"
	MetricReadLatency               = "ReadLatency"
	MetricWriteLatency              = "WriteLatency"
	MetricReadThroughput            = "ReadThroughput"
	MetricWriteThroughput           = "WriteThroughput"
	MetricNetworkReceiveThroughput  = "NetworkReceiveThroughput"
	MetricNetworkTransmitThroughput = "NetworkTransmitThroughput"
	MetricDiskQueueDepth            = "DiskQueueDepth"
	MetricFreeStorageSpace          = "FreeStorageSpace"
	MetricFreeLocalStorage          = "FreeLocalStorage"
	MetricSwapUsage                 = "SwapUsage"
	MetricDBLoad                    = "DBLoad"
	MetricDBLoadCPU                 = "DBLoadCPU"
	MetricDBLoadNonCPU              = "DBLoadNonCPU"
	MetricCPUCreditBalance          = "CPUCreditBalance"
	MetricAuroraReplicaLag          = "AuroraReplicaLag"
	MetricBufferCacheHitRatio       = "BufferCacheHitRatio"
	MetricCommitThroughput          = "CommitThroughput"
	MetricServerlessCapacity        = "ServerlessDatabaseCapacity"
	MetricACUUtilization            = "ACUUtilization"
)

// metricUnits maps every generated metric to its CloudWatch unit.
var metricUnits = map[string]string{
	MetricCPUUtilization: "Percent", MetricFreeableMemory: "Bytes", MetricDatabaseConnections: "Count",
	MetricReadIOPS: "Count/Second", MetricWriteIOPS: "Count/Second", MetricReadLatency: "Seconds",
	MetricWriteLatency: "Seconds", MetricReadThroughput: "Bytes/Second", MetricWriteThroughput: "Bytes/Second",
	MetricNetworkReceiveThroughput: "Bytes/Second", MetricNetworkTransmitThroughput: "Bytes/Second",
	MetricDiskQueueDepth: "Count", MetricFreeStorageSpace: "Bytes", MetricFreeLocalStorage: "Bytes", MetricSwapUsage: "Bytes",
	MetricDBLoad: "None", MetricDBLoadCPU: "None", MetricDBLoadNonCPU: "None", MetricCPUCreditBalance: "Count",
	MetricAuroraReplicaLag: "Milliseconds", MetricBufferCacheHitRatio: "Percent", MetricCommitThroughput: "Count/Second",
	MetricServerlessCapacity: "Count", MetricACUUtilization: "Percent",
}

const gib = 1 << 30

// classSpan records the class a node had from a point in time on.
type classSpan struct {
	From  time.Time `json:"from"`
	Class string    `json:"class"`
}

// azSpan records that the instance is Multi-AZ (or not) from a point in time on.
type azSpan struct {
	From    time.Time `json:"from"`
	MultiAZ bool      `json:"multiAZ"`
}

// multiAZWriteLatencyFactor is how much slower writes are on a Multi-AZ DB
// instance (synchronous replication to the standby) than on Single-AZ.
const multiAZWriteLatencyFactor = 1.4

func (n *genNode) multiAZAt(t time.Time) bool {
	m := n.MultiAZ
	for _, c := range n.AZChanges {
		if !c.From.After(t) {
			m = c.MultiAZ
		}
	}
	return m
}

// roleSpan records a failover: from a point in time on, the Aurora node is a
// reader (or the writer) and carries Load, the workload of the node whose
// role it took (the other node of the failover; empty: its own). The
// application's traffic follows the roles through the cluster endpoints, so
// the writer's load moves to the new writer at the failover, while each
// instance's own series stays its own: the old writer's shows the writer's
// load until then and the reader's after.
type roleSpan struct {
	From   time.Time `json:"from"`
	Reader bool      `json:"reader"`
	Load   string    `json:"load,omitempty"`
}

// readerAt reports whether the node was a reader at t: Reader (its role at
// Start), as changed by the failovers (Roles) up to t.
func (n *genNode) readerAt(t time.Time) bool {
	r := n.Reader
	for _, s := range n.Roles {
		if !s.From.After(t) {
			r = s.Reader
		}
	}
	return r
}

// everReader reports whether the node was a reader at any time.
func (n *genNode) everReader() bool {
	r := n.Reader
	for _, s := range n.Roles {
		r = r || s.Reader
	}
	return r
}

// loadID is the identifier of the node whose workload n carries at t.
func (n *genNode) loadID(t time.Time) string {
	id := n.ID
	for _, s := range n.Roles {
		if !s.From.After(t) && s.Load != "" {
			id = s.Load
		}
	}
	return id
}

// load is the node whose workload (W, with its Seed and original class) n
// carries at t: n itself unless a failover moved another node's load onto it.
func (n *genNode) load(t time.Time, lookup func(string) *genNode) *genNode {
	if id := n.loadID(t); id != n.ID && lookup != nil {
		if src := lookup(id); src != nil {
			return src
		}
	}
	return n
}

// failOver records that, at t, writer hands the writer role to reader, and
// each takes over the workload the other carried (the traffic follows the
// cluster's endpoints). Both series stay those of their own instance.
func failOver(writer, reader *genNode, t time.Time) {
	wl, rl := writer.loadID(t), reader.loadID(t)
	writer.Roles = append(writer.Roles, roleSpan{From: t, Reader: true, Load: rl})
	reader.Roles = append(reader.Roles, roleSpan{From: t, Reader: false, Load: wl})
}

// absorbSpan records that, from a point in time on, the node also serves the
// load of another (deleted) node: the source's CPU above its idle floor.
type absorbSpan struct {
	From   time.Time `json:"from"`
	Source string    `json:"source"`
}

// genNode is one DB instance's metric generator. Its immutable part is the
// workload and seed; class changes, deletion and load absorption are appended
// as the RDS state changes, so the series stays a pure function of time.
type genNode struct {
	ID      string   `json:"id"`
	Seed    uint64   `json:"seed"`
	W       Workload `json:"workload"`
	Engine  string   `json:"engine"`
	Cluster string   `json:"cluster,omitempty"`
	// Reader is the Aurora node's role at Start; Roles are its failovers
	// since (readerAt).
	Reader     bool                 `json:"reader,omitempty"`
	Roles      []roleSpan           `json:"roles,omitempty"`
	Serverless *ServerlessV2Scaling `json:"serverless,omitempty"`
	Allocated  float64              `json:"allocatedGiB,omitempty"`
	Start      time.Time            `json:"start"`
	End        time.Time            `json:"end,omitempty"`
	// Since, when set, is when the node took its identifier (a renamed instance: renameInstance):
	// CloudWatch has its metrics under ID from then on, the earlier ones under the old identifier.
	Since time.Time `json:"since,omitzero"`
	// Earlier is the node that had the identifier before Since (an instance renamed to the name
	// of a deleted instance, or back to a name it had): CloudWatch keeps that node's metrics
	// under the identifier, before those of this one (USER_RenameInstance: "Metrics and events
	// associated with the name of a DB instance are maintained if you reuse a DB instance
	// name"). nil when none.
	Earlier *genNode     `json:"earlier,omitempty"`
	Classes []classSpan  `json:"classes"`
	Absorb  []absorbSpan `json:"absorb,omitempty"`
	// MultiAZ is the initial deployment of a standalone instance and
	// AZChanges its later conversions: synchronous replication to the standby
	// makes writes slower (WriteLatency × multiAZWriteLatencyFactor).
	MultiAZ   bool     `json:"multiAZ,omitempty"`
	AZChanges []azSpan `json:"azChanges,omitempty"`
	// Stops are the times the instance was stopped (stopstart.go): it publishes nothing then.
	Stops []stopSpan `json:"stops,omitempty"`

	// specs caches LookupClass of Classes (rebuilt by refresh, which callers
	// run under the server's write lock whenever Classes changes).
	specs []ClassSpec
}

// refresh rebuilds the class cache; call it after changing Classes.
func (n *genNode) refresh() {
	n.specs = n.specs[:0]
	for _, c := range n.Classes {
		spec, ok := LookupClass(c.Class)
		if !ok {
			spec = ClassSpec{VCPU: 2, MemoryGiB: 8}
		}
		if c.Class == "db.serverless" && n.Serverless != nil {
			spec.MemoryGiB = 2 * n.Serverless.MaxACU
		}
		n.specs = append(n.specs, spec)
	}
}

// aurora reports whether the node is an Aurora instance; a member of a Multi-AZ DB cluster
// (engine postgres) publishes the metrics of an RDS instance on EBS storage.
func (n *genNode) aurora() bool { return n.Cluster != "" && strings.HasPrefix(n.Engine, "aurora") }

// metrics returns the names of the metrics this node publishes.
func (n *genNode) metrics() []string {
	m := []string{MetricCPUUtilization, MetricFreeableMemory, MetricDatabaseConnections, MetricReadIOPS,
		MetricWriteIOPS, MetricReadLatency, MetricWriteLatency, MetricReadThroughput, MetricWriteThroughput,
		MetricNetworkReceiveThroughput, MetricNetworkTransmitThroughput, MetricDiskQueueDepth, MetricSwapUsage,
		MetricDBLoad, MetricDBLoadCPU, MetricDBLoadNonCPU}
	if n.aurora() {
		m = append(m, MetricBufferCacheHitRatio, MetricCommitThroughput)
		if n.everReader() { // published while it is a reader (value)
			m = append(m, MetricAuroraReplicaLag)
		}
		if n.Serverless != nil {
			m = append(m, MetricServerlessCapacity, MetricACUUtilization)
		} else {
			m = append(m, MetricFreeLocalStorage) // not published by Aurora Serverless v2
		}
	} else {
		m = append(m, MetricFreeStorageSpace)
	}
	if c, ok := LookupClass(n.Classes[0].Class); ok && c.Burstable {
		m = append(m, MetricCPUCreditBalance)
	}
	sort.Strings(m)
	return m
}

func (n *genNode) hasMetric(name string) bool {
	for _, m := range n.metrics() {
		if m == name {
			return true
		}
	}
	return false
}

func (n *genNode) classAt(t time.Time) ClassSpec {
	if len(n.specs) == len(n.Classes) && len(n.specs) > 0 {
		i := 0
		for j := 1; j < len(n.Classes); j++ {
			if !n.Classes[j].From.After(t) {
				i = j
			}
		}
		return n.specs[i]
	}
	cl := n.Classes[0].Class
	for _, c := range n.Classes {
		if !c.From.After(t) {
			cl = c.Class
		}
	}
	c, ok := LookupClass(cl)
	if !ok {
		c = ClassSpec{VCPU: 2, MemoryGiB: 8}
	}
	if cl == "db.serverless" && n.Serverless != nil {
		c.MemoryGiB = 2 * n.Serverless.MaxACU
	}
	return c
}

// splitmix64 is the deterministic hash behind all noise.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// unit returns a uniform value in [0,1) for (seed, stream, i).
func unit(seed, stream uint64, i int64) float64 {
	return float64(splitmix64(seed^splitmix64(stream^splitmix64(uint64(i))))>>11) / (1 << 53)
}

// normTable holds the standard-normal quantiles at the midpoints of 65,536
// equal-probability bins: indexing it with 16 hash bits gives a deterministic
// normal deviate without transcendental functions on the hot path.
var normTable = func() *[1 << 16]float64 {
	var t [1 << 16]float64
	for i := range t {
		p := (float64(i) + 0.5) / float64(len(t))
		t[i] = math.Sqrt2 * math.Erfinv(2*p-1)
	}
	return &t
}()

// normal returns a deterministic standard-normal value for (seed, stream, i).
func normal(seed, stream uint64, i int64) float64 {
	return normTable[splitmix64(seed^splitmix64(stream^splitmix64(uint64(i))))>>48]
}

const (
	streamCPU uint64 = iota + 1
	streamConn
	streamRead
	streamWrite
	streamMem
	streamLat
	streamSpike
	streamSpikeAt
	streamNet
	streamMissing
	streamLocal
)

// activity returns a(t) ∈ [0,1] (see Workload) for minute m (unix minutes).
func (w *Workload) activity(m int64) float64 {
	if w.Trace != "" {
		if tr, err := loadTrace(w.Trace); err == nil {
			return tr.at(m)
		}
	}
	mod := m % 1440
	if mod < 0 {
		mod += 1440
	}
	h := float64(mod) / 60
	day := (1 + math.Cos(2*math.Pi*(h-w.PeakHourUTC)/24)) / 2
	a := day
	if sh := w.Sharpness; sh > 0 && sh != 1 {
		a = math.Pow(day, sh)
	}
	// 1970-01-01 was a Thursday (weekday 4).
	if wd := ((m/1440)%7 + 7 + 4) % 7; wd == 0 || wd == 6 {
		a *= w.WeekendFactor
	}
	return a
}

// Activity returns the workload's activity a ∈ [0,1] at t (see Workload):
// the daily cycle raised to Sharpness, times WeekendFactor on weekends.
func (w Workload) Activity(t time.Time) float64 { return w.activity(t.Unix() / 60) }

// spike reports whether minute m (unix minutes) is inside a spike.
func (w *Workload) spike(seed uint64, m int64) bool {
	if w.SpikesPerWeek <= 0 || w.SpikeMinutes <= 0 {
		return false
	}
	p := w.SpikesPerWeek / 168
	dur := int64(w.SpikeMinutes)
	for hb := m / 60; hb >= (m-dur)/60-1 && hb >= 0; hb-- {
		if unit(seed, streamSpike, hb) < p {
			start := hb*60 + int64(unit(seed, streamSpikeAt, hb)*60)
			if m >= start && m < start+dur {
				return true
			}
		}
	}
	return false
}

// growth is the factor GrowthPerMonth and Surges apply at t to a load that started at start.
func (w *Workload) growth(start, t time.Time) float64 {
	g := 1.0
	if w.GrowthPerMonth != 0 {
		g = math.Max(0, 1+w.GrowthPerMonth*t.Sub(start).Hours()/(24*30))
	}
	for _, s := range w.Surges {
		if !t.Before(s.From) && t.Before(s.To) {
			g *= s.Factor
		}
	}
	return g
}

// cpuDemand returns the node's CPU % relative to its original class at minute m
// (before class scaling and absorption), and the activity.
func (n *genNode) cpuDemand(t time.Time, m int64) (cpu, a float64, spike bool) {
	w := &n.W
	a = w.activity(m)
	spike = w.spike(n.Seed, m)
	cpu = (w.CPUBase+w.CPUAmplitude*a)*w.growth(n.Start, t) + w.NoiseStdDev*normal(n.Seed, streamCPU, m)
	if spike {
		cpu += w.SpikeHeight
	}
	return cpu, a, spike
}

// value returns metric `name` at minute m (unix seconds / 60). ok is false when
// the node did not exist then or does not publish the metric. lookup resolves
// absorbed source nodes.
func (n *genNode) value(name string, m int64, lookup func(string) *genNode) (float64, bool) {
	t := time.Unix(m*60, 0).UTC()
	if t.Before(n.Start) || t.Before(n.Since) || (!n.End.IsZero() && !t.Before(n.End)) || n.stoppedAt(t) {
		return 0, false
	}
	// The workload is the one the node carries at t (its own, or after a
	// failover the other node's, with that node's noise); missing minutes
	// are the instance's own.
	ld := n.load(t, lookup)
	w, seed := &ld.W, ld.Seed
	if w.MissingPerMille > 0 && unit(n.Seed, streamMissing, m) < w.MissingPerMille/1000 {
		return 0, false // nothing published this minute
	}
	orig := n.classAt(n.Classes[0].From)
	base := orig // the class the workload's CPU percentages are of
	if ld != n {
		base = ld.classAt(ld.Classes[0].From)
	}
	cur := n.classAt(t)
	a := w.activity(m)
	g := w.growth(ld.Start, t)
	sp := 0.0
	if w.spike(seed, m) {
		sp = 1
	}
	// Each quantity is computed only when the metric needs it.
	cpuF := func() float64 {
		cpu := (w.CPUBase+w.CPUAmplitude*a)*g + w.NoiseStdDev*normal(seed, streamCPU, m) + sp*w.SpikeHeight
		for _, ab := range n.Absorb {
			if t.Before(ab.From) || lookup == nil {
				continue
			}
			if src := lookup(ab.Source); src != nil {
				sc, _, _ := src.cpuDemand(t, m)
				srcOrig, _ := LookupClass(src.Classes[0].Class)
				floor := src.W.CPUBase * 0.4 // an idle node's own overhead does not move
				cpu += (sc - floor) * float64(srcOrig.VCPU) / float64(max(base.VCPU, 1))
			}
		}
		cpu = cpu * float64(base.VCPU) / float64(max(cur.VCPU, 1))
		return math.Min(100, math.Max(0.2, cpu))
	}
	absorbed := func(f func(src *genNode, sa float64) float64) float64 {
		x := 0.0
		for _, ab := range n.Absorb {
			if t.Before(ab.From) || lookup == nil {
				continue
			}
			if src := lookup(ab.Source); src != nil {
				x += f(src, src.W.activity(m)) * src.W.growth(src.Start, t)
			}
		}
		return x
	}
	connsF := func() float64 {
		extra := absorbed(func(src *genNode, sa float64) float64 { return src.W.Connections + src.W.ConnectionsAmplitude*sa })
		return math.Max(0, math.Round((w.Connections+w.ConnectionsAmplitude*a)*g+extra+
			(1+0.05*w.Connections)*normal(seed, streamConn, m)+sp*0.5*w.ConnectionsAmplitude))
	}
	readF := func() float64 {
		extra := absorbed(func(src *genNode, sa float64) float64 { return src.W.ReadIOPS + src.W.ReadIOPSAmplitude*sa })
		return math.Max(0, ((w.ReadIOPS+w.ReadIOPSAmplitude*a)*g+extra)*(1+0.1*normal(seed, streamRead, m))+sp*w.ReadIOPSAmplitude)
	}
	writeF := func() float64 {
		return math.Max(0, (w.WriteIOPS+w.WriteIOPSAmplitude*a)*g*(1+0.1*normal(seed, streamWrite, m)))
	}
	memBytes := cur.MemoryGiB * gib
	switch name {
	case MetricCPUUtilization:
		return cpuF(), true
	case MetricDatabaseConnections:
		return connsF(), true
	case MetricReadIOPS:
		return readF(), true
	case MetricWriteIOPS:
		return writeF(), true
	case MetricFreeableMemory:
		if n.aurora() {
			// Aurora's buffer cache is allocated at start and never freeable: what it leaves less
			// the rest in use (MemoryUsedGiB is that rest on Aurora), with noise on the rest.
			room := memBytes - auroraBufferCacheBytes(memBytes)
			used := w.MemoryUsedGiB*gib + connsF()*8*(1<<20) + 0.02*room*normal(seed, streamMem, m)
			return math.Round(math.Min(0.97*room, math.Max(0.03*memBytes, room-used))), true
		}
		used := w.MemoryUsedGiB*gib + connsF()*8*(1<<20) + 0.02*memBytes*normal(seed, streamMem, m)
		return math.Round(math.Min(0.97*memBytes, math.Max(0.03*memBytes, memBytes-used))), true
	case MetricReadLatency:
		return math.Max(0.0001, 0.0006+0.0005*a+0.0001*normal(seed, streamLat, m)+sp*0.0008), true
	case MetricWriteLatency:
		f := 1.0
		if n.multiAZAt(t) {
			f = multiAZWriteLatencyFactor
		}
		return f * math.Max(0.0002, 0.0009+0.0006*a+0.00015*normal(seed, streamLat+7, m)+sp*0.0008), true
	case MetricReadThroughput:
		return readF() * 8192 * 1.6, true
	case MetricWriteThroughput:
		return writeF() * 8192 * 2.1, true
	case MetricNetworkReceiveThroughput:
		return math.Max(0, 1500+connsF()*900*(1+0.1*normal(seed, streamNet, m))+writeF()*4000), true
	case MetricNetworkTransmitThroughput:
		return math.Max(0, 2500+connsF()*1500*(1+0.1*normal(seed, streamNet+3, m))+readF()*3000), true
	case MetricDiskQueueDepth:
		return (readF()*0.0008 + writeF()*0.0014) * (1 + 0.1*normal(seed, streamLat+11, m)), true
	case MetricSwapUsage:
		if n.aurora() {
			return 0, true
		}
		return math.Round(math.Max(0, 2*(1<<20)+float64(1<<20)*normal(seed, streamMem+5, m))), true
	case MetricDBLoadCPU:
		return cpuF() / 100 * float64(cur.VCPU), true
	case MetricDBLoadNonCPU:
		return (readF() + writeF()) * 0.0012, true
	case MetricDBLoad:
		return cpuF()/100*float64(cur.VCPU) + (readF()+writeF())*0.0012, true
	case MetricCPUCreditBalance:
		if !orig.Burstable {
			return 0, false
		}
		over := math.Max(0, cpuF()-cur.BaselineCPU) / 100
		return math.Round(math.Max(0, cur.MaxCredits*(0.98-over))), true
	case MetricAuroraReplicaLag:
		if !n.readerAt(t) {
			return 0, false
		}
		return math.Max(2, 12+10*a+3*normal(seed, streamLat+13, m)+sp*30), true
	case MetricBufferCacheHitRatio:
		if !n.aurora() {
			return 0, false
		}
		return math.Min(100, 99.6-0.4*a-sp*1.5+0.05*normal(seed, streamLat+17, m)), true
	case MetricCommitThroughput:
		if !n.aurora() {
			return 0, false
		}
		return writeF() * 0.6, true
	case MetricServerlessCapacity, MetricACUUtilization:
		if n.Serverless == nil {
			return 0, false
		}
		acu := n.Serverless.MinACU + (n.Serverless.MaxACU-n.Serverless.MinACU)*cpuF()/100
		acu = math.Round(acu*2) / 2
		acu = math.Min(n.Serverless.MaxACU, math.Max(n.Serverless.MinACU, acu))
		if name == MetricServerlessCapacity {
			return acu, true
		}
		return acu / n.Serverless.MaxACU * 100, true
	case MetricFreeLocalStorage:
		if !n.aurora() || n.Serverless != nil {
			return 0, false
		}
		// Logs take 2% of the local storage; temporary files take
		// TempPeakGiB at the activity peak, plus those of the nodes this one
		// absorbed.
		capB := cur.AuroraLocalStorageGiB() * gib
		temp := w.TempPeakGiB*a + absorbed(func(src *genNode, sa float64) float64 { return src.W.TempPeakGiB * sa })
		temp *= gib * math.Max(0, 1+0.05*normal(seed, streamLocal, m))
		return math.Round(math.Max(0, 0.98*capB-temp)), true
	case MetricFreeStorageSpace:
		if n.aurora() {
			return 0, false
		}
		days := t.Sub(n.Start).Hours() / 24
		used := w.StorageUsedGiB + w.StorageGrowthGiBPerDay*days
		return math.Round(math.Max(0, n.Allocated-used) * gib), true
	}
	return 0, false
}

// auroraBufferCacheBytes is the buffer cache (shared_buffers) Aurora PostgreSQL allocates at start
// on an instance of memBytes of memory: the default SUM({DBInstanceClassMemory/12038},-50003)
// 8 kB pages, about two thirds of the memory (10.5 GiB of 16, 2.34 GiB of 4), with the class's
// memory taken as DBInstanceClassMemory; 0 below about 0.56 GiB.
func auroraBufferCacheBytes(memBytes float64) float64 {
	return math.Max(0, (math.Floor(math.Floor(memBytes)/12038)-50003)*8192)
}

package analysis

import (
	"math"
	"strconv"
)

// ParameterUnits gives the unit of each value Tune returns: the parameter's
// base unit in PostgreSQL, which is also what an RDS or Aurora DB parameter
// group expects (no unit suffix). "" means unitless. shared_buffers and
// effective_cache_size are formulas (AuroraBufferFormula on Aurora,
// RDSSharedBuffersFormula and RDSCacheFormula on RDS), which resolve to a
// number of 8kB pages (FormulaPages).
var ParameterUnits = map[string]string{
	"shared_buffers":                   "8kB",
	"effective_cache_size":             "8kB",
	"maintenance_work_mem":             "kB",
	"work_mem":                         "kB",
	"min_wal_size":                     "MB",
	"max_wal_size":                     "MB",
	"checkpoint_completion_target":     "",
	"random_page_cost":                 "",
	"effective_io_concurrency":         "",
	"default_statistics_target":        "",
	"max_connections":                  "",
	"max_worker_processes":             "",
	"max_parallel_workers":             "",
	"max_parallel_workers_per_gather":  "",
	"max_parallel_maintenance_workers": "",
}

// TuneInput are the workload facts Tune needs besides the class.
type TuneInput struct {
	// PeakConnections is the highest observed connection count on the
	// single node (projected); NaN or 0 when unknown.
	PeakConnections float64
	// HeadroomPercent is added to the peak (default policy: 20).
	HeadroomPercent float64
	// ConnectionsThresholdPercent is the share of max_connections the peak
	// plus headroom may use (Policy.ConnectionsThresholdPercent, which the
	// connections check compares with); 0 means the default policy's 80.
	ConnectionsThresholdPercent float64
	// KeptMaxConnections is the max_connections the node has if its parameter
	// group leaves it as it is: today's (PostgreSQL's max_connections), or
	// RDS's default for the class when the group keeps the default; 0 when
	// unknown, and Tune then takes RDS's default on the class's memory.
	KeptMaxConnections int
	// HDD selects magnetic-storage costs; false means SSD.
	HDD bool
	// FreeStorageBytes is the lowest free storage the node had over the
	// lookback (the minimum of its FreeStorageSpace, in bytes), which bounds
	// the WAL sizes on RDS; NaN, +Inf or ≤ 0 when unknown.
	FreeStorageBytes float64
	// SharedBuffers is the shared_buffers the node's parameter group sets, in 8 kB pages (an
	// integer or a formula EvalFormula evaluates: PostgresFacts.SharedBuffersFormula); "" for the
	// default. On Aurora a value that gives the class at least 16 pages and less than its memory
	// (groupBuffer) is kept, for shared_buffers and effective_cache_size (Aurora reads
	// through no OS cache), and sizes work_mem and maintenance_work_mem: the memory check judged
	// the node with that cache. RDS ignores it.
	SharedBuffers string
	// ReservedConnections are the slots of max_connections clients cannot take
	// (PostgresFacts.ReservedConnections), added to what the peak needs; 0 when not known, and
	// PostgreSQL's default superuser_reserved_connections, 3, is added.
	ReservedConnections int
	// SetMaxConnections recommends max_connections even where the one kept holds the peak: the
	// kept parameter group's value is not one PostgreSQL starts with on the class (less than 1).
	SetMaxConnections bool
	// Topology is the deployment the parameters are for
	// (ClusterInput.Topology): TopologyAurora gets an Aurora PostgreSQL DB
	// (instance) parameter group's settings; anything else, including "",
	// an RDS for PostgreSQL one.
	Topology Topology
}

// rebootParameters are the parameters Tune returns that PostgreSQL reads only
// at server start (pg_settings context "postmaster").
var rebootParameters = map[string]bool{
	"shared_buffers":       true,
	"max_connections":      true,
	"max_worker_processes": true,
}

// NeedsReboot reports whether parameter name, one Tune returns, takes effect
// only when the server restarts (pg_settings context "postmaster"). RDS and
// Aurora call these parameters static: a DB parameter group takes them only
// with the apply method pending-reboot (RDS refuses immediate), and the
// instance runs with the old value until it is rebooted. Every other
// parameter Tune returns is dynamic and applies at once.
func NeedsReboot(name string) bool { return rebootParameters[name] }

// AuroraBufferFormula is the default of shared_buffers and
// effective_cache_size in Aurora PostgreSQL's default DB parameter groups,
// in 8kB pages: about 68% of DBInstanceClassMemory (Aurora has no double
// buffering through a file-system cache, so its buffer cache is most of the
// memory). Tune returns it verbatim for Aurora: a parameter group accepts the
// formula as the value, and it follows DBInstanceClassMemory, which is
// "always somewhat lower" than the class's memory and not known here
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_ParamValuesRef.html).
const AuroraBufferFormula = "SUM({DBInstanceClassMemory/12038},-50003)"

// RDSSharedBuffersFormula and RDSCacheFormula are what Tune returns on RDS
// for shared_buffers (a quarter of the memory, RDS's own default) and
// effective_cache_size (three quarters), as DB parameter formulas in 8kB
// pages: a quarter of DBInstanceClassMemory bytes is
// DBInstanceClassMemory/32768 pages. The formula follows the memory RDS
// leaves to the database ("always somewhat lower" than the class's, by
// more on small classes: a quarter of a 1 GiB class's nominal memory is
// about a third of what the database gets), and it follows the class when
// the instance is resized, where a number sized for one class can exceed
// a smaller one's memory. RDS's formula syntax {Variable*Integer/Integer}
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ParamValuesRef.html).
const (
	RDSSharedBuffersFormula = "{DBInstanceClassMemory/32768}"
	RDSCacheFormula         = "{DBInstanceClassMemory*3/32768}"
)

// FormulaPages evaluates one of the formulas Tune returns
// (AuroraBufferFormula, RDSSharedBuffersFormula, RDSCacheFormula) on
// memoryBytes of DBInstanceClassMemory, in 8kB pages, as RDS does (integer
// division, truncated); false for any other value.
func FormulaPages(formula string, memoryBytes float64) (float64, bool) {
	m := math.Floor(memoryBytes)
	switch formula {
	case AuroraBufferFormula:
		return math.Floor(m/12038) - 50003, true
	case RDSSharedBuffersFormula:
		return math.Floor(m / 32768), true
	case RDSCacheFormula:
		return math.Floor(m * 3 / 32768), true
	}
	return 0, false
}

// groupBuffer evaluates a parameter group's shared_buffers value (8 kB pages, EvalFormula) on
// class c: fits when it is one to size the buffer cache with (at least 16 pages, PostgreSQL's
// minimum, and less than c's memory; pages is then its value, else 0), tooBig when it gives c all
// of its memory or more. Both false for "", a value EvalFormula does not evaluate, and one under
// 16 pages.
func groupBuffer(value string, c InstanceClass) (pages float64, fits, tooBig bool) {
	v, ok := EvalFormula(value, c)
	switch {
	case value == "" || !ok:
		return 0, false, false
	case v*8192 >= c.MemoryBytes():
		return 0, false, true
	case v < 16:
		return 0, false, false
	}
	return v, true, false
}

// auroraBufferCacheBytes is the buffer cache (shared_buffers) Aurora PostgreSQL gives class c by
// default, AuroraBufferFormula on c's memory, in bytes; 0 where the formula is negative (below
// about 0.56 GiB) or c's memory is not positive and finite. Aurora allocates it at start (in huge
// pages) and reads no data through the OS page cache, so FreeableMemory never counts it free:
// on a healthy Aurora instance FreeableMemory is only what the cache leaves less what the rest
// uses. DBInstanceClassMemory, which the formula takes, is somewhat less than the class's
// memory, so this is at most the cache the instance has.
func auroraBufferCacheBytes(c InstanceClass) float64 {
	if !(c.MemoryGiB > 0) || math.IsInf(c.MemoryGiB, 1) {
		return 0
	}
	pages, _ := FormulaPages(AuroraBufferFormula, c.MemoryBytes())
	return math.Max(0, pages*8192)
}

// pgMaxBackends is PostgreSQL's MAX_BACKENDS (2^18 − 1, postmaster.h), the
// engine's hard limit: max_connections + autovacuum_max_workers + 1 +
// max_worker_processes + max_wal_senders may not exceed it
// (check_maxconnections). Aurora PostgreSQL documents max_connections "up to
// 262,143" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Managing.html);
// the 5000 in the default LEAST({DBInstanceClassMemory/9531392},5000) only
// caps the default.
const pgMaxBackends = 262143

// otherBackends reserves, below pgMaxBackends, the backends Tune does not
// size: the autovacuum launcher and workers (RDS default
// GREATEST({DBInstanceClassMemory/64371566592},3)) and WAL senders (Aurora's
// default max_wal_senders is 10), with room to raise them.
const otherBackends = 100

// workerReserve is how many max_worker_processes slots parallel query may not
// take (max_parallel_workers ≤ max_worker_processes − workerReserve): the
// logical-replication launcher and workers (PostgreSQL's default
// max_logical_replication_workers is 4) and extensions' background workers
// draw on the same pool.
const workerReserve = 4

// defaultWorkers is RDS's and Aurora's default max_worker_processes on class c,
// GREATEST(${DBInstanceVCPU*2},8), with c's vCPUs rounded (at least 1).
func defaultWorkers(c InstanceClass) int {
	return max(8, 2*int(math.Max(1, math.Round(c.VCPU))))
}

// Tune returns pgtune-style ("OLTP") PostgreSQL settings for a single node of
// class c, as strings in the units of ParameterUnits (so they can go straight
// into a DB parameter group):
//
//   - max_connections, never below what the node keeps
//     (in.KeptMaxConnections, or RDS's default on the class's memory,
//     LEAST({DBInstanceClassMemory/9531392},5000), when that is unknown):
//     what it needs when that is more, and otherwise the kept value when it
//     is above RDS's default (a group's own setting, which a new group,
//     with the default, would cut). RDS's default, on DBInstanceClassMemory
//     (less than the class's memory: about 72% of it on 1 GiB), may be as
//     little as 60% of the one on the class's memory: when the node keeps the
//     default and needs more than that 60%, the larger of what it needs and
//     the default on the class's memory is recommended. What it needs is peak × (1 + headroom)
//     / connections threshold (80% by default), rounded up to a multiple of
//     10, plus the reserved slots (in.ReservedConnections; 3, PostgreSQL's default
//     superuser_reserved_connections, when not known); at least 20, at most the engine's
//     limit (262143 − max_worker_processes − 100, see pgMaxBackends). Below
//     that limit the value passes the recommendation's connections check
//     itself (peak × (1 + headroom) within the threshold of it). Otherwise,
//     and with no peak or a peak of 0, it is left out, and the group keeps
//     its value (a new one RDS's default): the peak is of CloudWatch
//     averages (short bursts of connections above it are likely), idle
//     slots cost little, and cutting a limit to just above that peak would
//     refuse connections in the next burst, after a reboot to apply it.
//     With the kept value unknown, a group that sets more than RDS's
//     default is not seen: what the node needs may then be below it.
//     work_mem is sized against the max_connections in effect
//     (the recommended one, else the one kept).
//   - max_worker_processes = max(8, 2 × vCPU), RDS's and Aurora's default
//     GREATEST(${DBInstanceVCPU*2},8); max_parallel_workers = vCPU, at
//     most max_worker_processes − 4 (workerReserve); per gather and
//     maintenance: vCPU/2, between 1 and 4.
//   - maintenance_work_mem = RAM/16, at most 8 GiB (on Aurora, of the memory
//     its buffer cache leaves; see below).
//   - work_mem = (RAM − shared_buffers) / ((max_connections +
//     max_worker_processes) × 3) / ⌈max_parallel_workers_per_gather / 2⌉, at
//     least 4 MiB: as pgtune, a parallel query's workers each take work_mem,
//     so the classes with more vCPUs (4 per gather from 8) get half.
//   - random_page_cost 1.1 on SSD (4 on HDD), default_statistics_target 100.
//
// RDS for PostgreSQL (any Topology but TopologyAurora) also gets
// shared_buffers = RAM/4 and effective_cache_size = 3/4 RAM of the memory
// RDS leaves to the database, as formulas (RDSSharedBuffersFormula,
// RDSCacheFormula; work_mem is sized against the class's memory);
// checkpoint_completion_target 0.9;
// effective_io_concurrency 200 on SSD (2 on HDD); and, when
// in.FreeStorageBytes is known, the WAL sizes (walSizes): max_wal_size is a
// quarter of the lowest free storage, rounded down to a power of two
// between 256 MiB and pgtune's 8 GiB, and min_wal_size a quarter of that,
// at most pgtune's 2 GiB and at least 128 MiB (two of RDS's 64 MiB WAL
// segments, PostgreSQL's minimum). WAL between checkpoints grows up to
// max_wal_size (more under load), out of the same storage as the data: 8 GiB
// on a 20 GiB volume with 5 GiB free could fill it, and a full volume stops
// the instance. With the free storage unknown both are left out (the
// group keeps its own values).
//
// Neither gets wal_buffers. PostgreSQL's default (-1) sizes it at 1/32 of
// shared_buffers, at most one WAL segment: 64 MiB on RDS, whose segments are
// 64 MiB, four times pgtune's 16 MiB (sized for 16 MiB segments); and, being
// static, setting it would cost a reboot. On Aurora it is also a
// cluster-level parameter (DB cluster parameter group), not the instance's.
//
// Aurora PostgreSQL gets only what its DB parameter group can take, and
// keeps its buffer cache:
//   - shared_buffers and effective_cache_size are AuroraBufferFormula, the
//     Aurora default (about 68% of memory, not RAM/4: Aurora has no double
//     buffering, and a smaller cache raises storage I/O), or the parameter
//     group's own shared_buffers (in.SharedBuffers) where it fits the class.
//     work_mem is sized against that cache on the class's memory, and so is
//     maintenance_work_mem: a sixteenth of the memory the buffer cache
//     leaves, rounded down to a whole MB, at least 64 MB (PostgreSQL's
//     default) and at most 8 GiB (351 MB on 16 GiB,
//     where RAM/16 would be 1 GiB on top of a 10.5 GiB cache, taken by each
//     autovacuum worker and each index build at once). Aurora's own default,
//     GREATEST({DBInstanceClassMemory/63963136*1024},65536) kB, is 268 MB
//     there.
//   - no min_wal_size, max_wal_size or checkpoint_completion_target: Aurora
//     writes no local WAL segments or checkpoints and its parameter reference
//     lists none of them, so setting them fails
//     (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Reference.ParameterGroups.html).
//   - no effective_io_concurrency: storage I/O is Aurora's, and recent
//     default.aurora-postgresql groups mark it not modifiable.
//
// c must have positive, finite VCPU and MemoryGiB, in.HeadroomPercent must be
// finite and at least 0, and in.ConnectionsThresholdPercent at most 100;
// otherwise Tune returns nil.
func Tune(c InstanceClass, in TuneInput) map[string]string {
	if !(c.VCPU > 0) || !(c.MemoryGiB > 0) || math.IsInf(c.VCPU, 1) || math.IsInf(c.MemoryGiB, 1) ||
		!(in.HeadroomPercent >= 0) || math.IsInf(in.HeadroomPercent, 1) || in.ConnectionsThresholdPercent > 100 {
		return nil
	}
	aurora := in.Topology == TopologyAurora
	ramKB := float64(c.MemoryGiB * 1024 * 1024)
	vcpu := int(math.Max(1, math.Round(c.VCPU)))
	workers := defaultWorkers(c)
	parallel := max(1, min(vcpu, workers-workerReserve))
	// The max_connections in effect: the one kept (RDS's default on the class's memory when not
	// known), unless the peak needs more.
	maxConn, set := maxConnectionsOr(in.KeptMaxConnections, c), false
	// What the node surely keeps: the kept value, or the least RDS's default on c may be
	// (DBInstanceClassMemory is less than c's memory, by more on small classes).
	sure := float64(maxConn)
	if in.KeptMaxConnections <= 0 {
		sure = rdsDefaultMaxConnectionsLow(c)
	}
	if pk := in.PeakConnections; pk == pk && pk > 0 {
		limit := in.ConnectionsThresholdPercent
		if !(limit > 0) {
			limit = DefaultPolicy().ConnectionsThresholdPercent
		}
		need := pk * (1 + in.HeadroomPercent/100) * 100 / limit
		need = math.Round(need*1e6) / 1e6 // 120 × 1.2 / 0.8 is 180, not 180.00000000000003
		reserved := 3                     // PostgreSQL's default superuser_reserved_connections
		if in.ReservedConnections > 0 {
			reserved = in.ReservedConnections
		}
		v := float64(math.Ceil(need/10)*10) + float64(reserved)
		// Above what the node surely keeps, the need is recommended, and never below the default on
		// c's memory, which is at least what RDS gives (a cut of it would refuse connections).
		if need := int(math.Min(float64(pgMaxBackends-workers-otherBackends), math.Max(20, v))); float64(need) > sure {
			maxConn, set = max(need, maxConn), true
		}
	}
	// A kept value above RDS's default on the class is the group's own: a new group would have the
	// default instead, a cut, so it is recommended as it is.
	set = set || in.KeptMaxConnections > int(rdsDefaultMaxConnections(c)) || in.SetMaxConnections
	sharedKB := ramKB / 4
	maint := math.Min(ramKB/16, 8*1024*1024)
	buffers := AuroraBufferFormula
	if aurora {
		// AuroraBufferFormula on the class's memory, in kB (floored at 128 kB, PostgreSQL's minimum),
		// or the group's own.
		sharedKB = math.Max(128, auroraBufferCacheBytes(c)/1024)
		if pages, fits, _ := groupBuffer(in.SharedBuffers, c); fits {
			sharedKB, buffers = float64(pages*8), in.SharedBuffers
		}
		// At least 64 MB, PostgreSQL's default, where the cache leaves next to nothing.
		maint = math.Max(64*1024, math.Min(math.Floor((ramKB-sharedKB)/16/1024)*1024, 8*1024*1024))
	}
	half := min(4, max(1, vcpu/2), parallel)
	workKB := (ramKB - sharedKB) / (float64(maxConn+workers) * 3) / math.Ceil(float64(half)/2)
	workKB = math.Max(4096, math.Floor(workKB))
	rpc, eio := "1.1", "200"
	if in.HDD {
		rpc, eio = "4", "2"
	}
	i := func(v float64) string { return strconv.FormatInt(int64(v), 10) }
	p := map[string]string{
		"maintenance_work_mem":             i(maint),
		"work_mem":                         i(workKB),
		"random_page_cost":                 rpc,
		"default_statistics_target":        "100",
		"max_worker_processes":             strconv.Itoa(workers),
		"max_parallel_workers":             strconv.Itoa(parallel),
		"max_parallel_workers_per_gather":  strconv.Itoa(half),
		"max_parallel_maintenance_workers": strconv.Itoa(half),
	}
	if set {
		p["max_connections"] = strconv.Itoa(maxConn)
	}
	if aurora {
		p["shared_buffers"] = buffers
		p["effective_cache_size"] = buffers
		return p
	}
	p["shared_buffers"] = RDSSharedBuffersFormula
	p["effective_cache_size"] = RDSCacheFormula
	if minMB, maxMB, ok := walSizes(in.FreeStorageBytes); ok {
		p["min_wal_size"] = strconv.Itoa(minMB)
		p["max_wal_size"] = strconv.Itoa(maxMB)
	}
	p["checkpoint_completion_target"] = "0.9"
	p["effective_io_concurrency"] = eio
	return p
}

// walSizes returns min_wal_size and max_wal_size in MB for a node whose
// lowest free storage was free bytes (see Tune), and false when free is not
// a positive finite number. Powers of two keep the values from changing
// with every small change of free storage (each would be a change to the
// parameter group in the next plan).
func walSizes(free float64) (minMB, maxMB int, ok bool) {
	if !(free > 0) || math.IsInf(free, 1) {
		return 0, 0, false
	}
	maxMB = 8192
	for maxMB > 256 && float64(maxMB)*(1<<20) > free/4 {
		maxMB /= 2
	}
	return max(128, min(2048, maxMB/4)), maxMB, true
}

// humanParameter renders a Tune value with its unit for people ("2GB").
func humanParameter(name, value string) string {
	switch value {
	case AuroraBufferFormula:
		// DBInstanceClassMemory × 8 kB / 12038 − 50003 × 8 kB.
		return "Aurora default: 68% of DBInstanceClassMemory − 391MB"
	case RDSSharedBuffersFormula:
		return "25% of DBInstanceClassMemory (RDS default)"
	case RDSCacheFormula:
		return "75% of DBInstanceClassMemory"
	}
	u := ParameterUnits[name]
	if u == "" {
		return value
	}
	n, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return value
	}
	kb := n
	switch u {
	case "8kB":
		kb = n * 8
	case "MB":
		kb = n * 1024
	}
	switch {
	case kb >= 1024*1024 && math.Mod(kb, 1024*1024) == 0:
		return strconv.FormatFloat(kb/1024/1024, 'f', -1, 64) + "GB"
	case kb >= 1024 && math.Mod(kb, 1024) == 0:
		return strconv.FormatFloat(kb/1024, 'f', -1, 64) + "MB"
	}
	return strconv.FormatFloat(kb, 'f', -1, 64) + "kB"
}

package pgstats

import "time"

// Rate bases: what the per-second rates in Database and Statements divide by.
const (
	// RateBasisSample: the difference between two snapshots Options.Sample apart.
	RateBasisSample = "sample"
	// RateBasisStatsReset: cumulative counters divided by the time since the
	// counters were last reset.
	RateBasisStatsReset = "stats_reset"
	// RateBasisServerStart: cumulative counters divided by the server's uptime,
	// used when the counters were never reset (stats_reset is NULL). Counters
	// survive clean restarts (they are reset only when the server starts with
	// recovery: after a crash, an immediate shutdown or a restore), so such
	// rates can be overstated; take a sample for true rates.
	RateBasisServerStart = "server_start"
	// RateBasisNone: no interval is known; rates are NaN.
	RateBasisNone = "none"
)

// Stats is one collection: a snapshot, or with Options.Sample > 0 the second of
// two snapshots plus the rates between them. Ratios and rates that are undefined
// (nothing to divide by, or no interval) are NaN; callers map NaN to "unknown".
type Stats struct {
	// CollectedAt is the server's clock_timestamp() at the (last) snapshot.
	CollectedAt time.Time
	Server      Server
	// Databases lists the non-template databases of the cluster, by name:
	// every one, or with Options.MaxDatabases at most that many (the
	// connected database and the busiest others).
	Databases []Database
	// DatabasesTotal counts the non-template databases, listed or not.
	DatabasesTotal int
	Connections    Connections
	Replication    Replication
	Statements     Statements
	// UnusedIndexes lists, for the connected database only, non-unique,
	// non-primary-key, non-exclusion indexes with idx_scan = 0 since the
	// statistics were reset, largest first: at most Options.MaxUnusedIndexes.
	// An index another session holds or awaits an ACCESS EXCLUSIVE lock on
	// (REINDEX, VACUUM FULL, CLUSTER, DROP INDEX, a table rewrite), whose size
	// would wait for that lock, is left out of the list and the totals, and a
	// warning names it.
	UnusedIndexes []Index
	// UnusedIndexesTotal and UnusedIndexesTotalBytes count all such indexes
	// and their pg_relation_size() in bytes, listed or not.
	UnusedIndexesTotal      int
	UnusedIndexesTotalBytes int64
	// Tables has one entry per table named in Options.Tables that exists, in the
	// order given. Missing names produce a warning instead; a table named twice
	// (orders and app.orders) has an entry for each name, and a warning.
	Tables      []Table
	Settings    Settings
	Checkpoints Checkpoints
	// RateBasis is the basis of the rates in Databases (one of the RateBasis*
	// constants); with a sample it is RateBasisSample for every rate.
	RateBasis string
	// SampleSeconds is the measured interval between the two snapshots on the
	// server's clock, in seconds; 0 without a sample.
	SampleSeconds float64
	Timing        Timing
	// Warnings are non-fatal conditions (missing pg_stat_statements, missing
	// privileges, tables not found); the affected fields are empty or NaN.
	Warnings []string
}

// Server describes the PostgreSQL server and the session's view of it.
type Server struct {
	// Version is server_version, e.g. "15.8 (Debian 15.8-0+deb12u1)".
	Version string
	// VersionNum is server_version_num, e.g. 150008.
	VersionNum int
	// StartTime is pg_postmaster_start_time().
	StartTime time.Time
	// UptimeSeconds is the time since StartTime in seconds.
	UptimeSeconds float64
	// InRecovery is pg_is_in_recovery(): true on a standby (read replica).
	InRecovery bool
	// Database and User are current_database() and current_user.
	Database string
	User     string
	// StatsReset is pg_stat_database.stats_reset for the connected database;
	// the zero time when the counters were never reset.
	StatsReset time.Time
	// CanReadAllStats reports whether the role has the privileges of
	// pg_read_all_stats (directly, through pg_monitor, or as a superuser).
	CanReadAllStats bool
}

// Database holds pg_stat_database counters of one database. Counters are
// cumulative since StatsReset; the *PerSecond fields are rates over the basis
// given by RateBasis and RateSeconds (NaN when RateSeconds is 0).
type Database struct {
	Name string
	oid  uint32 // pg_database.oid: pg_stat_statements.dbid
	// SizeBytes is pg_database_size(), in bytes; -1 when unknown: the role may
	// not connect to it (without pg_read_all_stats), it is RDS's rdsadmin,
	// Options.SkipCatalogScans is set, or reading the sizes failed (a warning
	// says why).
	SizeBytes    int64
	XactCommit   int64
	XactRollback int64
	BlksRead     int64 // blocks (of block_size, normally 8 KiB) read from outside shared buffers
	BlksHit      int64 // blocks found in shared buffers
	TempFiles    int64
	TempBytes    int64
	Deadlocks    int64
	Conflicts    int64 // queries cancelled by recovery conflicts (standbys only)
	// StatsReset is when these counters were reset; zero when never.
	StatsReset time.Time
	// CacheHitRatio is BlksHit / (BlksHit + BlksRead) in [0, 1], cumulative;
	// NaN when no block was accessed.
	CacheHitRatio float64
	// RateBasis is one of the RateBasis* constants; RateSeconds the interval in
	// seconds the rates divide by.
	RateBasis   string
	RateSeconds float64
	// Rates per second over the basis.
	CommitsPerSecond      float64
	RollbacksPerSecond    float64
	TransactionsPerSecond float64 // commits + rollbacks
	BlocksReadPerSecond   float64
	BlocksHitPerSecond    float64
	TempBytesPerSecond    float64
	// IntervalCacheHitRatio is the cache hit ratio over the sample; NaN without
	// a sample or when no block was accessed during it.
	IntervalCacheHitRatio float64
}

// Connections summarises client backends in pg_stat_activity, excluding the
// collector's own session, against the connection limits.
type Connections struct {
	// Total is the number of client backends (all databases).
	Total int
	// ByState counts them by pg_stat_activity.state ("active", "idle",
	// "idle in transaction", "idle in transaction (aborted)",
	// "fastpath function call", "disabled"); sessions whose state is hidden
	// from a role without pg_read_all_stats count as "unknown".
	ByState map[string]int
	// ByApplication counts them by application_name ("" when unset).
	ByApplication map[string]int
	// Active, Idle and IdleInTransaction repeat the common states;
	// IdleInTransaction includes the aborted variant.
	Active            int
	Idle              int
	IdleInTransaction int
	// LongestStatementSeconds is the age of the oldest running (state active)
	// statement in seconds; 0 when none.
	LongestStatementSeconds float64
	// LongestTransactionSeconds is the age of the oldest open transaction; 0 when none.
	LongestTransactionSeconds float64
	// LongestIdleInTransactionSeconds is the longest time a session has sat idle
	// inside a transaction; 0 when none.
	LongestIdleInTransactionSeconds float64
	// MaxConnections, SuperuserReserved and Reserved (reserved_connections,
	// PostgreSQL 16+; 0 before) are the server's limits; RDSSuperuserReserved is
	// RDS's and Aurora's rds.rds_superuser_reserved_connections (0 elsewhere).
	MaxConnections       int
	SuperuserReserved    int
	Reserved             int
	RDSSuperuserReserved int
	// Available is MaxConnections - SuperuserReserved - Reserved -
	// RDSSuperuserReserved: the slots ordinary roles can use.
	Available int
	// Utilisation is (Total + 1, counting the collector) / Available; NaN when
	// Available is 0.
	Utilisation float64
}

// Replication describes streaming replication as seen from this server.
type Replication struct {
	// Replicas has one row per pg_stat_replication entry (WAL senders to
	// standbys and WAL receivers such as pg_receivewal). Empty on Aurora, whose
	// replicas do not use WAL streaming.
	Replicas []Replica
	// ReplayDelaySeconds is now() - pg_last_xact_replay_timestamp() on a
	// standby; NaN on a primary, before anything was replayed, or when the
	// server refuses the function (a warning says why). It grows while the
	// primary is idle, so read it with ReceiveReplayLagBytes.
	ReplayDelaySeconds float64
	// ReceiveReplayLagBytes is received-but-not-replayed WAL on a standby in
	// bytes; -1 on a primary, on a standby not receiving WAL, or when the
	// server refuses pg_last_wal_receive_lsn() (an Aurora replica, which
	// reports being in recovery but does not stream WAL; a warning says why).
	ReceiveReplayLagBytes int64
	// Slots has one entry per pg_replication_slots row, by name: the logical
	// slots of change-data-capture consumers (Debezium, AWS DMS) and
	// subscriptions, and physical slots. Empty when the server has none.
	Slots []ReplicationSlot
}

// ReplicationSlot is one pg_replication_slots row.
type ReplicationSlot struct {
	Name string
	Type string // "logical" or "physical"
	// Plugin is the output plugin (pgoutput, wal2json, test_decoding) and
	// Database the database of a logical slot; both "" for a physical slot.
	Plugin   string
	Database string
	// Temporary slots belong to one session and are dropped when it ends.
	Temporary bool
	// Active is true while a consumer is connected to the slot.
	Active bool
	// WALStatus is whether the WAL the slot needs is still kept: "reserved"
	// (within max_wal_size), "extended" (beyond it, kept for the slot),
	// "unreserved" (to be removed at the next checkpoint unless the consumer
	// catches up) or "lost" (the slot can no longer be used: WAL it needs was
	// removed, or, from PostgreSQL 16, it was invalidated for another reason);
	// "" before PostgreSQL 13, which does not report it.
	WALStatus string
	// RetainedBytes is the WAL the slot keeps the server from removing, from
	// its restart_lsn to the current WAL position (the last replayed one on a
	// standby), in bytes; -1 when the slot reserves none: a physical slot never
	// used (restart_lsn NULL), or a lost one (wal_status lost, whatever its
	// restart_lsn says).
	RetainedBytes int64
}

// Replica is one pg_stat_replication row. Lags are NaN when PostgreSQL reports
// NULL (the standby is caught up and idle, or the role lacks pg_read_all_stats).
type Replica struct {
	ApplicationName  string
	ClientAddr       string
	State            string // startup, catchup, streaming, backup, stopping; "" when hidden
	SyncState        string // async, potential, sync, quorum; "" when hidden
	WriteLagSeconds  float64
	FlushLagSeconds  float64
	ReplayLagSeconds float64
	// ReplayLagBytes is WAL not yet replayed by the replica, in bytes; -1 when unknown.
	ReplayLagBytes int64
}

// Statements is the pg_stat_statements section. When the extension is missing
// in the connected database or not loaded, Available is false, the rest is
// empty and a warning explains what to do. When it is readable but records no
// statement (pg_stat_statements.track = none, or compute_query_id = off on
// PostgreSQL 14+), Available is true and a warning names the setting.
type Statements struct {
	Available bool
	// ExtensionVersion is pg_extension.extversion, e.g. "1.10".
	ExtensionVersion string
	// TextsVisible is false when the role lacks pg_read_all_stats: other roles'
	// statements then have an empty Query and QueryID 0.
	TextsVisible bool
	// Count is the number of entries (distinct statements) tracked, cluster-wide.
	Count int64
	// TotalCalls and TotalTimeMs sum calls and execution time (milliseconds) over
	// the top-level entries, cumulative since StatsReset: with
	// pg_stat_statements.track = all the extension (1.9+) also records the
	// statements run inside functions, whose time their caller's already holds.
	TotalCalls  int64
	TotalTimeMs float64
	// StatsReset is pg_stat_statements_info.stats_reset (extension 1.9+); zero
	// when unknown. Deallocations counts entries evicted because
	// pg_stat_statements.max was reached (1.9+; 0 when unknown).
	StatsReset    time.Time
	Deallocations int64
	// RateBasis and RateSeconds describe CallsPerSecond and each statement's
	// rates: a sample, or the time since StatsReset; RateBasisNone (NaN rates)
	// when neither is known.
	RateBasis   string
	RateSeconds float64
	// CallsPerSecond is statement executions per second over all entries.
	CallsPerSecond float64
	// TimeMsPerSecond is execution time spent per second of wall time over all
	// entries, in milliseconds per second (1000 = one busy backend on average).
	TimeMsPerSecond float64
	// Top lists at most Options.TopStatements entries, highest first: without
	// a sample those with the highest cumulative execution time; with a sample
	// those that spent the most execution time during it (entries that did not
	// run during the sample are left out). The collector's own statements
	// (those with the comment /* rightsize:pgstats */ after their first word)
	// are left out too; they still count in the aggregates. Its BEGIN and
	// ROLLBACK, and from PostgreSQL 17 its SAVEPOINT and RELEASE, are not:
	// pg_stat_statements merges them with an application's.
	Top []Statement
}

// Statement is one pg_stat_statements entry. Times are in milliseconds, blocks
// in units of block_size (normally 8 KiB). Counters are cumulative.
type Statement struct {
	// QueryID is pg_stat_statements.queryid; 0 when hidden.
	QueryID int64
	// Database and User name the entry's database and role; "" once dropped.
	Database string
	User     string
	// Query is the normalised text with every string constant redacted
	// (RedactQueryText: before PostgreSQL 16 utility statements such as
	// ALTER ROLE ... PASSWORD '...' are stored as written), truncated to
	// Options.QueryTextLength characters; empty when hidden (QueryHidden)
	// from a role without pg_read_all_stats.
	Query       string
	QueryHidden bool
	// TopLevel is false for statements run inside functions (extension 1.9+
	// with pg_stat_statements.track = all); true otherwise.
	TopLevel        bool
	Calls           int64
	TotalTimeMs     float64
	MeanTimeMs      float64
	Rows            int64
	SharedBlksHit   int64
	SharedBlksRead  int64
	TempBlksRead    int64
	TempBlksWritten int64
	// ShareOfTotalTime is the entry's share of the top-level statements'
	// execution time (a nested entry's share is of its callers' time; in a
	// sample, of the larger of the top-level and nested times, as a caller
	// still running has added none yet), in [0, 1]: cumulative (TotalTimeMs over Statements.TotalTimeMs) without a
	// sample, of the time spent during the sample with one; NaN when the total
	// is 0 or the text is hidden in a sample.
	ShareOfTotalTime float64
	// CallsPerSecond and TimeMsPerSecond are rates over Statements.RateBasis;
	// NaN when unknown (no basis). An entry reset during a sample counts from zero.
	CallsPerSecond  float64
	TimeMsPerSecond float64
}

// Index is an index of the connected database.
type Index struct {
	Schema    string
	Table     string
	Name      string
	SizeBytes int64
}

// Table holds the statistics of one table named in Options.Tables.
type Table struct {
	// Name is the name as given in Options.Tables; Schema and Table are what it
	// resolved to. A partitioned table's figures are the sums of its leaf
	// partitions' (it has no storage, rows or scans of its own).
	Name   string
	Schema string
	Table  string
	// EstimatedRows is pg_class.reltuples (rows), or n_live_tup when the table
	// was never vacuumed or analysed: reltuples -1 on PostgreSQL 14+, reltuples
	// and relpages both 0 before.
	EstimatedRows float64
	LiveTuples    int64
	DeadTuples    int64
	// SizeBytes is pg_total_relation_size(): heap, indexes and TOAST.
	SizeBytes          int64
	SeqScans           int64
	SeqTuplesRead      int64
	IndexScans         int64
	IndexTuplesFetched int64
	// SeqScanShare is SeqScans / (SeqScans + IndexScans) in [0, 1]; NaN when
	// the table was never scanned.
	SeqScanShare float64
}

// Settings holds server settings normalised to bytes, seconds and plain
// numbers. A setting the server does not have (e.g. reserved_connections
// before PostgreSQL 16) is 0 or "".
type Settings struct {
	SharedBuffersBytes           int64
	EffectiveCacheSizeBytes      int64
	WorkMemBytes                 int64
	MaintenanceWorkMemBytes      int64
	MaxConnections               int64
	SuperuserReservedConnections int64
	ReservedConnections          int64
	// RDSSuperuserReservedConnections is RDS's and Aurora's rds.rds_superuser_reserved_connections
	// (slots kept for rds_superuser; 0 elsewhere).
	RDSSuperuserReservedConnections int64
	MaxWorkerProcesses              int64
	MaxParallelWorkers              int64
	RandomPageCost                  float64
	EffectiveIOConcurrency          int64
	CheckpointTimeoutSeconds        float64
	CheckpointCompletionTarget      float64
	MaxWALSizeBytes                 int64
	MinWALSizeBytes                 int64
	// WALBuffersBytes is the effective wal_buffers (the server resolves -1).
	WALBuffersBytes int64
	WALLevel        string
	// SynchronousCommit is on, off, local, remote_write or remote_apply.
	SynchronousCommit string
	// BlockSizeBytes is block_size, the unit of every blocks counter.
	BlockSizeBytes int64
}

// Checkpoints holds checkpoint counts since their statistics were reset
// (pg_stat_bgwriter before PostgreSQL 17, pg_stat_checkpointer from 17).
type Checkpoints struct {
	Timed     int64
	Requested int64
}

// Timing reports the collector's own cost.
type Timing struct {
	// SnapshotServerTimes holds, per snapshot, the time on the server's clock
	// from the start of the first statistics query to the end of the last one
	// (round trips between queries included); one entry, or two with a sample.
	SnapshotServerTimes []time.Duration
	// Wall is the client's wall-clock time of the whole collection, including
	// BEGIN, the sample wait and ROLLBACK.
	Wall time.Duration
}

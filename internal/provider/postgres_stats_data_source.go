package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/pgstats"
)

var (
	_ datasource.DataSource                   = (*postgresStatsDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*postgresStatsDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*postgresStatsDataSource)(nil)
)

// Limits of rightsize_postgres_stats inputs (defaults come from pgstats, but
// for max_databases: pgstats lists every database by default, which the
// recommendation's server-wide facts need).
const (
	maxPostgresStatsSampleSeconds = 3600
	maxPostgresStatsTables        = 100
	defaultMaxDatabases           = 100
)

// NewPostgresStatsDataSource returns the rightsize_postgres_stats data source.
func NewPostgresStatsDataSource() datasource.DataSource { return &postgresStatsDataSource{} }

type postgresStatsDataSource struct {
	data *ProviderData
}

type postgresStatsModel struct {
	ID               types.String `tfsdk:"id"`
	Postgres         types.Object `tfsdk:"postgres"`
	TopStatements    types.Int64  `tfsdk:"top_statements"`
	MaxUnusedIndexes types.Int64  `tfsdk:"max_unused_indexes"`
	MaxDatabases     types.Int64  `tfsdk:"max_databases"`
	QueryTextLength  types.Int64  `tfsdk:"query_text_length"`
	SampleSeconds    types.Int64  `tfsdk:"sample_seconds"`
	Tables           types.List   `tfsdk:"tables"`

	CollectedAt             types.String         `tfsdk:"collected_at"`
	RateBasis               types.String         `tfsdk:"rate_basis"`
	SampleMeasure           types.Float64        `tfsdk:"sample_interval_seconds"`
	Server                  *pgsServerModel      `tfsdk:"server"`
	Databases               []pgsDatabaseModel   `tfsdk:"databases"`
	DatabasesTotal          types.Int64          `tfsdk:"databases_total"`
	Connections             *pgsConnectionsModel `tfsdk:"connections"`
	Replication             *pgsReplicationModel `tfsdk:"replication"`
	Statements              *pgsStatementsModel  `tfsdk:"statements"`
	UnusedIndexes           []pgsIndexModel      `tfsdk:"unused_indexes"`
	UnusedIndexesTotal      types.Int64          `tfsdk:"unused_indexes_total"`
	UnusedIndexesTotalBytes types.Int64          `tfsdk:"unused_indexes_total_bytes"`
	TableStats              []pgsTableModel      `tfsdk:"table_stats"`
	Settings                *pgsSettingsModel    `tfsdk:"settings"`
	Checkpoints             *pgsCheckpointsModel `tfsdk:"checkpoints"`
	Timing                  *pgsTimingModel      `tfsdk:"collector_timing"`
	Warnings                []types.String       `tfsdk:"warnings"`
}

type pgsServerModel struct {
	Version         types.String  `tfsdk:"version"`
	VersionNum      types.Int64   `tfsdk:"version_num"`
	StartTime       types.String  `tfsdk:"start_time"`
	UptimeSeconds   types.Float64 `tfsdk:"uptime_seconds"`
	InRecovery      types.Bool    `tfsdk:"in_recovery"`
	Database        types.String  `tfsdk:"database"`
	User            types.String  `tfsdk:"user"`
	StatsReset      types.String  `tfsdk:"stats_reset"`
	CanReadAllStats types.Bool    `tfsdk:"can_read_all_stats"`
}

type pgsDatabaseModel struct {
	Name                  types.String  `tfsdk:"name"`
	SizeBytes             types.Int64   `tfsdk:"size_bytes"`
	XactCommit            types.Int64   `tfsdk:"xact_commit"`
	XactRollback          types.Int64   `tfsdk:"xact_rollback"`
	BlksRead              types.Int64   `tfsdk:"blks_read"`
	BlksHit               types.Int64   `tfsdk:"blks_hit"`
	TempFiles             types.Int64   `tfsdk:"temp_files"`
	TempBytes             types.Int64   `tfsdk:"temp_bytes"`
	Deadlocks             types.Int64   `tfsdk:"deadlocks"`
	Conflicts             types.Int64   `tfsdk:"conflicts"`
	StatsReset            types.String  `tfsdk:"stats_reset"`
	CacheHitRatio         types.Float64 `tfsdk:"cache_hit_ratio"`
	IntervalCacheHitRatio types.Float64 `tfsdk:"interval_cache_hit_ratio"`
	RateBasis             types.String  `tfsdk:"rate_basis"`
	RateSeconds           types.Float64 `tfsdk:"rate_seconds"`
	CommitsPerSecond      types.Float64 `tfsdk:"commits_per_second"`
	RollbacksPerSecond    types.Float64 `tfsdk:"rollbacks_per_second"`
	TransactionsPerSecond types.Float64 `tfsdk:"transactions_per_second"`
	BlocksReadPerSecond   types.Float64 `tfsdk:"blocks_read_per_second"`
	BlocksHitPerSecond    types.Float64 `tfsdk:"blocks_hit_per_second"`
	TempBytesPerSecond    types.Float64 `tfsdk:"temp_bytes_per_second"`
}

type pgsConnectionsModel struct {
	Total                           types.Int64   `tfsdk:"total"`
	ByState                         types.Map     `tfsdk:"by_state"`
	ByApplication                   types.Map     `tfsdk:"by_application"`
	Active                          types.Int64   `tfsdk:"active"`
	Idle                            types.Int64   `tfsdk:"idle"`
	IdleInTransaction               types.Int64   `tfsdk:"idle_in_transaction"`
	LongestStatementSeconds         types.Float64 `tfsdk:"longest_statement_seconds"`
	LongestTransactionSeconds       types.Float64 `tfsdk:"longest_transaction_seconds"`
	LongestIdleInTransactionSeconds types.Float64 `tfsdk:"longest_idle_in_transaction_seconds"`
	MaxConnections                  types.Int64   `tfsdk:"max_connections"`
	SuperuserReserved               types.Int64   `tfsdk:"superuser_reserved_connections"`
	Reserved                        types.Int64   `tfsdk:"reserved_connections"`
	Available                       types.Int64   `tfsdk:"available"`
	Utilization                     types.Float64 `tfsdk:"utilization_ratio"`
}

type pgsReplicationModel struct {
	Replicas              []pgsReplicaModel `tfsdk:"replicas"`
	ReplayDelaySeconds    types.Float64     `tfsdk:"replay_delay_seconds"`
	ReceiveReplayLagBytes types.Int64       `tfsdk:"receive_replay_lag_bytes"`
	Slots                 []pgsSlotModel    `tfsdk:"slots"`
}

type pgsSlotModel struct {
	Name          types.String `tfsdk:"name"`
	Type          types.String `tfsdk:"type"`
	Plugin        types.String `tfsdk:"plugin"`
	Database      types.String `tfsdk:"database"`
	Temporary     types.Bool   `tfsdk:"temporary"`
	Active        types.Bool   `tfsdk:"active"`
	WALStatus     types.String `tfsdk:"wal_status"`
	RetainedBytes types.Int64  `tfsdk:"retained_bytes"`
}

type pgsReplicaModel struct {
	ApplicationName  types.String  `tfsdk:"application_name"`
	ClientAddr       types.String  `tfsdk:"client_addr"`
	State            types.String  `tfsdk:"state"`
	SyncState        types.String  `tfsdk:"sync_state"`
	WriteLagSeconds  types.Float64 `tfsdk:"write_lag_seconds"`
	FlushLagSeconds  types.Float64 `tfsdk:"flush_lag_seconds"`
	ReplayLagSeconds types.Float64 `tfsdk:"replay_lag_seconds"`
	ReplayLagBytes   types.Int64   `tfsdk:"replay_lag_bytes"`
}

type pgsStatementsModel struct {
	Available        types.Bool          `tfsdk:"available"`
	ExtensionVersion types.String        `tfsdk:"extension_version"`
	TextsVisible     types.Bool          `tfsdk:"texts_visible"`
	Count            types.Int64         `tfsdk:"count"`
	TotalCalls       types.Int64         `tfsdk:"total_calls"`
	TotalTimeMs      types.Float64       `tfsdk:"total_time_ms"`
	StatsReset       types.String        `tfsdk:"stats_reset"`
	Deallocations    types.Int64         `tfsdk:"deallocations"`
	RateBasis        types.String        `tfsdk:"rate_basis"`
	RateSeconds      types.Float64       `tfsdk:"rate_seconds"`
	CallsPerSecond   types.Float64       `tfsdk:"calls_per_second"`
	TimeMsPerSecond  types.Float64       `tfsdk:"time_ms_per_second"`
	Top              []pgsStatementModel `tfsdk:"top"`
}

type pgsStatementModel struct {
	QueryID          types.String  `tfsdk:"queryid"`
	Database         types.String  `tfsdk:"database"`
	User             types.String  `tfsdk:"user"`
	Query            types.String  `tfsdk:"query"`
	QueryHidden      types.Bool    `tfsdk:"query_hidden"`
	TopLevel         types.Bool    `tfsdk:"toplevel"`
	Calls            types.Int64   `tfsdk:"calls"`
	TotalTimeMs      types.Float64 `tfsdk:"total_time_ms"`
	MeanTimeMs       types.Float64 `tfsdk:"mean_time_ms"`
	Rows             types.Int64   `tfsdk:"rows"`
	SharedBlksHit    types.Int64   `tfsdk:"shared_blks_hit"`
	SharedBlksRead   types.Int64   `tfsdk:"shared_blks_read"`
	TempBlksRead     types.Int64   `tfsdk:"temp_blks_read"`
	TempBlksWritten  types.Int64   `tfsdk:"temp_blks_written"`
	ShareOfTotalTime types.Float64 `tfsdk:"share_of_total_time"`
	CallsPerSecond   types.Float64 `tfsdk:"calls_per_second"`
	TimeMsPerSecond  types.Float64 `tfsdk:"time_ms_per_second"`
}

type pgsIndexModel struct {
	Schema    types.String `tfsdk:"schema"`
	Table     types.String `tfsdk:"table"`
	Name      types.String `tfsdk:"name"`
	SizeBytes types.Int64  `tfsdk:"size_bytes"`
}

type pgsTableModel struct {
	Name               types.String  `tfsdk:"name"`
	Schema             types.String  `tfsdk:"schema"`
	Table              types.String  `tfsdk:"table"`
	EstimatedRows      types.Float64 `tfsdk:"estimated_rows"`
	LiveTuples         types.Int64   `tfsdk:"live_tuples"`
	DeadTuples         types.Int64   `tfsdk:"dead_tuples"`
	SizeBytes          types.Int64   `tfsdk:"size_bytes"`
	SeqScans           types.Int64   `tfsdk:"seq_scans"`
	SeqTuplesRead      types.Int64   `tfsdk:"seq_tuples_read"`
	IndexScans         types.Int64   `tfsdk:"index_scans"`
	IndexTuplesFetched types.Int64   `tfsdk:"index_tuples_fetched"`
	SeqScanShare       types.Float64 `tfsdk:"seq_scan_share"`
}

type pgsSettingsModel struct {
	SharedBuffersBytes           types.Int64   `tfsdk:"shared_buffers_bytes"`
	EffectiveCacheSizeBytes      types.Int64   `tfsdk:"effective_cache_size_bytes"`
	WorkMemBytes                 types.Int64   `tfsdk:"work_mem_bytes"`
	MaintenanceWorkMemBytes      types.Int64   `tfsdk:"maintenance_work_mem_bytes"`
	MaxConnections               types.Int64   `tfsdk:"max_connections"`
	SuperuserReservedConnections types.Int64   `tfsdk:"superuser_reserved_connections"`
	ReservedConnections          types.Int64   `tfsdk:"reserved_connections"`
	MaxWorkerProcesses           types.Int64   `tfsdk:"max_worker_processes"`
	MaxParallelWorkers           types.Int64   `tfsdk:"max_parallel_workers"`
	RandomPageCost               types.Float64 `tfsdk:"random_page_cost"`
	EffectiveIOConcurrency       types.Int64   `tfsdk:"effective_io_concurrency"`
	CheckpointTimeoutSeconds     types.Float64 `tfsdk:"checkpoint_timeout_seconds"`
	CheckpointCompletionTarget   types.Float64 `tfsdk:"checkpoint_completion_target"`
	MaxWALSizeBytes              types.Int64   `tfsdk:"max_wal_size_bytes"`
	MinWALSizeBytes              types.Int64   `tfsdk:"min_wal_size_bytes"`
	WALBuffersBytes              types.Int64   `tfsdk:"wal_buffers_bytes"`
	WALLevel                     types.String  `tfsdk:"wal_level"`
	SynchronousCommit            types.String  `tfsdk:"synchronous_commit"`
	BlockSizeBytes               types.Int64   `tfsdk:"block_size_bytes"`
}

type pgsCheckpointsModel struct {
	Timed     types.Int64 `tfsdk:"timed"`
	Requested types.Int64 `tfsdk:"requested"`
}

type pgsTimingModel struct {
	SnapshotServerMs []types.Float64 `tfsdk:"snapshot_server_ms"`
	WallMs           types.Float64   `tfsdk:"wall_ms"`
}

func (d *postgresStatsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_postgres_stats"
}

// Attribute constructors of this schema; d is the MarkdownDescription.
func pgsStr(d string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: d}
}
func pgsInt(d string) schema.Int64Attribute {
	return schema.Int64Attribute{Computed: true, MarkdownDescription: d}
}
func pgsF64(d string) schema.Float64Attribute {
	return schema.Float64Attribute{Computed: true, MarkdownDescription: d}
}
func pgsBool(d string) schema.BoolAttribute {
	return schema.BoolAttribute{Computed: true, MarkdownDescription: d}
}
func pgsTime(d string) schema.StringAttribute { return pgsStr(d + " RFC 3339; null when unknown.") }
func pgsRate(d string) schema.Float64Attribute {
	return pgsF64(d + " per second over `rate_basis`; null when no interval is known.")
}
func pgsCount(d string) schema.Int64Attribute {
	return pgsInt(d + " (cumulative since `stats_reset`).")
}
func pgsBlocks(d string) schema.Int64Attribute {
	return pgsInt(d + ", in blocks of `settings.block_size_bytes` (normally 8 KiB).")
}
func pgsBytes(d string) schema.Int64Attribute { return pgsInt(d + ", in bytes.") }
func pgsRatio(d string) schema.Float64Attribute {
	return pgsF64(d + ", from 0 to 1; null when undefined (nothing to divide by).")
}

func (d *postgresStatsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	rateBasis := "What rates divide by: `sample` (two snapshots `sample_seconds` apart), `stats_reset` (cumulative counters over the " +
		"time since they were reset), `server_start` (never reset: over the server's uptime, which overstates rates because counters " +
		"survive clean restarts; only a start with recovery, after a crash or a restore, resets them) or `none`."
	resp.Schema = schema.Schema{
		MarkdownDescription: "What PostgreSQL itself says about its workload: server facts, per-database counters and rates, connections " +
			"by state against the limits, streaming replication, the costliest statements from `pg_stat_statements`, unused indexes, " +
			"scan statistics of named tables and the memory, connection, checkpoint and WAL settings. Works on PostgreSQL 12–18 " +
			"(RDS, Aurora, self-managed). Every query runs in one read-only transaction with the provider's `statement_timeout`; " +
			"nothing is written. The least-privilege role is `CREATE ROLE rightsize LOGIN; GRANT pg_monitor TO rightsize;`. Without " +
			"`pg_read_all_stats` (part of `pg_monitor`) other roles' query texts and session states are hidden; without " +
			"`pg_stat_statements` (created in the connected database) the statement section is empty. Both are warnings, not errors.",
		Attributes: map[string]schema.Attribute{
			"id": pgsStr("`host:port/database` of the server read."),
			"postgres": schema.SingleNestedAttribute{Optional: true,
				MarkdownDescription: "Connection overriding the provider's `postgres` block attribute by attribute (e.g. another database on the same server).",
				Attributes:          postgresOverrideAttributes()},
			"max_unused_indexes": schema.Int64Attribute{Optional: true,
				MarkdownDescription: fmt.Sprintf("How many indexes `unused_indexes` lists (the largest), 1–%d. Defaults to `%d`; `unused_indexes_total` counts them all.", pgstats.MaxMaxUnusedIndexes, pgstats.DefaultMaxUnusedIndexes),
				Validators:          []validator.Int64{int64validator.Between(1, pgstats.MaxMaxUnusedIndexes)}},
			"max_databases": schema.Int64Attribute{Optional: true,
				MarkdownDescription: fmt.Sprintf("How many databases `databases` lists, 1–%d: the connected one and the busiest others, by transactions "+
					"since the counters were reset (with `sample_seconds`, during the sample); only those are sized (`pg_database_size()`, a walk of "+
					"each database's directory). Defaults to `%d`; `databases_total` counts them all. Each database is some 600 bytes of state: "+
					"a database-per-tenant server's hundreds or thousands of databases would otherwise each be stored.", pgstats.MaxMaxDatabases, defaultMaxDatabases),
				Validators: []validator.Int64{int64validator.Between(1, pgstats.MaxMaxDatabases)}},
			"top_statements": schema.Int64Attribute{Optional: true,
				MarkdownDescription: fmt.Sprintf("How many statements `statements.top` lists, 1–%d. Defaults to `%d`.", pgstats.MaxTopStatements, pgstats.DefaultTopStatements),
				Validators:          []validator.Int64{int64validator.Between(1, pgstats.MaxTopStatements)}},
			"query_text_length": schema.Int64Attribute{Optional: true,
				MarkdownDescription: fmt.Sprintf("Query texts are truncated to this many characters, 1–%d. Defaults to `%d`.", pgstats.MaxQueryTextLength, pgstats.DefaultQueryTextLength),
				Validators:          []validator.Int64{int64validator.Between(1, pgstats.MaxQueryTextLength)}},
			"sample_seconds": schema.Int64Attribute{Optional: true,
				MarkdownDescription: fmt.Sprintf("When above 0, take two snapshots this many seconds apart and report true rates over that interval "+
					"(TPS, blocks read/s, statement calls/s) and the statements that spent the most time during it, instead of rates "+
					"since the counters were reset. 0–%d; the read takes that much longer. Defaults to `0`. Statement rates are exact; "+
					"database rates count transactions as PostgreSQL publishes them, each connection at most once a second after one ends, "+
					"so a short sample blurs them, and a warning names a database where statements ran but no transaction was counted "+
					"(a transaction left open, or PostgreSQL 15 and later holding back the counts of transactions that read no table).", maxPostgresStatsSampleSeconds),
				Validators: []validator.Int64{int64validator.Between(0, maxPostgresStatsSampleSeconds)}},
			"tables": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: fmt.Sprintf("Tables to report in `table_stats` (row estimates, sequential versus index scans), at most %d: "+
					"`table` (found on the search_path) or `schema.table`; unquoted names fold to lower case, double-quote mixed-case "+
					"names as in SQL. A table that does not exist is a warning.", maxPostgresStatsTables),
				Validators: []validator.List{listvalidator.SizeBetween(1, maxPostgresStatsTables), listvalidator.UniqueValues(), noNullElements{"a table name"},
					listvalidator.ValueStringsAre(tableNameValidator{})}},

			"collected_at":            pgsTime("Server time of the (last) snapshot,"),
			"rate_basis":              pgsStr(rateBasis + " This is the connected database's basis."),
			"sample_interval_seconds": pgsF64("Measured interval between the two snapshots on the server's clock, in seconds; 0 without a sample."),
			"server": schema.SingleNestedAttribute{Computed: true, MarkdownDescription: "The server and the session's view of it.",
				Attributes: map[string]schema.Attribute{
					"version":            pgsStr("`server_version`, e.g. `15.8`."),
					"version_num":        pgsInt("`server_version_num`, e.g. `150008`."),
					"start_time":         pgsTime("`pg_postmaster_start_time()`,"),
					"uptime_seconds":     pgsF64("Seconds since `start_time`."),
					"in_recovery":        pgsBool("`pg_is_in_recovery()`: true on a standby (read replica)."),
					"database":           pgsStr("`current_database()`."),
					"user":               pgsStr("`current_user`."),
					"stats_reset":        pgsTime("When the connected database's statistics were last reset,"),
					"can_read_all_stats": pgsBool("Whether the role has the privileges of `pg_read_all_stats` (directly, via `pg_monitor`, or as superuser)."),
				}},
			"databases": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "`pg_stat_database` of the non-template databases that allow connections (`datallowconn`), by name: at most `max_databases` of them, the connected database and the busiest others (every database on a server with no more). To total the server's load over more databases than that, raise `max_databases` to `databases_total`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":                     pgsStr("Database name."),
					"size_bytes":               pgsBytes("`pg_database_size()` (-1 when unknown: the role may not connect to it and lacks `pg_read_all_stats`, it is RDS's internal `rdsadmin`, or reading the sizes failed, which a warning explains)"),
					"xact_commit":              pgsCount("Committed transactions"),
					"xact_rollback":            pgsCount("Rolled-back transactions"),
					"blks_read":                pgsBlocks("Blocks read from outside shared buffers (cumulative)"),
					"blks_hit":                 pgsBlocks("Blocks found in shared buffers (cumulative)"),
					"temp_files":               pgsCount("Temporary files created"),
					"temp_bytes":               pgsBytes("Bytes written to temporary files (cumulative)"),
					"deadlocks":                pgsCount("Deadlocks detected"),
					"conflicts":                pgsCount("Queries cancelled by recovery conflicts (standbys only)"),
					"stats_reset":              pgsTime("When these counters were reset,"),
					"cache_hit_ratio":          pgsRatio("Cumulative `blks_hit / (blks_hit + blks_read)`"),
					"interval_cache_hit_ratio": pgsRatio("The same ratio during the sample (null without one)"),
					"rate_basis":               pgsStr(rateBasis),
					"rate_seconds":             pgsF64("Seconds the rates divide by."),
					"commits_per_second":       pgsRate("Commits"),
					"rollbacks_per_second":     pgsRate("Rollbacks"),
					"transactions_per_second":  pgsRate("Transactions (commits + rollbacks)"),
					"blocks_read_per_second":   pgsRate("Blocks read from outside shared buffers"),
					"blocks_hit_per_second":    pgsRate("Blocks found in shared buffers"),
					"temp_bytes_per_second":    pgsRate("Bytes written to temporary files"),
				}}},
			"databases_total": schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of non-template databases that allow connections, listed in `databases` or not."},
			"connections": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "Client backends in `pg_stat_activity` (all databases, excluding this data source's own session) against the limits.",
				Attributes: map[string]schema.Attribute{
					"total": pgsInt("Client connections."),
					"by_state": schema.MapAttribute{Computed: true, ElementType: types.Int64Type,
						MarkdownDescription: "Connections by state: `active`, `idle`, `idle in transaction`, `idle in transaction (aborted)`, `fastpath function call`, `disabled`; `unknown` for sessions hidden from a role without `pg_read_all_stats`."},
					"by_application": schema.MapAttribute{Computed: true, ElementType: types.Int64Type,
						MarkdownDescription: "Connections by `application_name` (empty key when unset)."},
					"active":                              pgsInt("Connections running a statement."),
					"idle":                                pgsInt("Idle connections."),
					"idle_in_transaction":                 pgsInt("Connections idle inside a transaction (aborted ones included)."),
					"longest_statement_seconds":           pgsF64("Age of the oldest running statement in seconds; 0 when none."),
					"longest_transaction_seconds":         pgsF64("Age of the oldest open transaction in seconds; 0 when none."),
					"longest_idle_in_transaction_seconds": pgsF64("Longest time a session has sat idle in a transaction, in seconds; 0 when none."),
					"max_connections":                     pgsInt("`max_connections`."),
					"superuser_reserved_connections":      pgsInt("`superuser_reserved_connections`."),
					"reserved_connections":                pgsInt("`reserved_connections` (PostgreSQL 16+; 0 before)."),
					"available":                           pgsInt("Slots ordinary roles can use: `max_connections − superuser_reserved_connections − reserved_connections`, less RDS's and Aurora's `rds.rds_superuser_reserved_connections` there."),
					"utilization_ratio":                   pgsF64("`(total + 1) / available`, counting this data source's session: 1 when the slots ordinary roles may use are full, above 1 when superuser sessions (RDS's own `rdsadmin` among them) also hold reserved slots; null when `available` is 0."),
				}},
			"replication": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "Streaming replication as seen from this server, and its replication slots. Aurora replicas do not use WAL streaming and are not listed.",
				Attributes: map[string]schema.Attribute{
					"replicas": schema.ListNestedAttribute{Computed: true,
						MarkdownDescription: "One entry per `pg_stat_replication` row (standbys and WAL receivers).",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"application_name":   pgsStr("`application_name` of the receiver."),
							"client_addr":        pgsStr("Client IP address; empty for a Unix socket or when hidden."),
							"state":              pgsStr("`startup`, `catchup`, `streaming`, `backup` or `stopping`; empty when hidden."),
							"sync_state":         pgsStr("`async`, `potential`, `sync` or `quorum`; empty when hidden."),
							"write_lag_seconds":  pgsF64("`write_lag` in seconds; null when caught up and idle, or hidden."),
							"flush_lag_seconds":  pgsF64("`flush_lag` in seconds; null when caught up and idle, or hidden."),
							"replay_lag_seconds": pgsF64("`replay_lag` in seconds; null when caught up and idle, or hidden."),
							"replay_lag_bytes":   pgsInt("WAL not yet replayed by the receiver, in bytes; -1 when unknown."),
						}}},
					"replay_delay_seconds": pgsF64("On a standby, seconds since the last replayed transaction committed on the primary (grows while the primary is idle); " +
						"null on a primary, before anything was replayed, or when the server refuses `pg_last_xact_replay_timestamp()` (with a warning)."),
					"receive_replay_lag_bytes": pgsInt("On a standby, WAL received but not yet replayed, in bytes; -1 on a primary, on a standby not " +
						"receiving WAL, or when the server refuses `pg_last_wal_receive_lsn()`: an Aurora replica, which reports being in recovery " +
						"but does not stream WAL, gets -1 and a warning instead of an error."),
					"slots": schema.ListNestedAttribute{Computed: true,
						MarkdownDescription: "One entry per `pg_replication_slots` row, by name: the logical slots of change-data-capture consumers " +
							"(Debezium, AWS DMS) and subscriptions, and physical slots. `rightsize_single_node_recommendation` reads them as risks.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"name":      pgsStr("`slot_name`."),
							"type":      pgsStr("`logical` or `physical`."),
							"plugin":    pgsStr("A logical slot's output plugin (`pgoutput`, `wal2json`, `test_decoding`); empty for a physical slot."),
							"database":  pgsStr("A logical slot's database; empty for a physical slot."),
							"temporary": pgsBool("Whether the slot belongs to one session and is dropped when it ends."),
							"active":    pgsBool("Whether a consumer is connected to the slot now."),
							"wal_status": pgsStr("Whether the WAL the slot needs is kept: `reserved` (within `max_wal_size`), `extended` (beyond it), " +
								"`unreserved` (to be removed at the next checkpoint unless the consumer catches up) or `lost` (the slot can no longer be used: WAL it needs was removed, " +
								"or, from PostgreSQL 16, it was invalidated for another reason, such as PostgreSQL 18's `idle_replication_slot_timeout`); empty before PostgreSQL 13."),
							"retained_bytes": pgsInt("WAL the slot keeps the server from removing, from its `restart_lsn` to the current WAL position (the last " +
								"replayed one on a standby), in bytes; -1 when it reserves none (a physical slot never used, or a lost slot, whatever its `restart_lsn` says)."),
						}}},
				}},
			"statements": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "`pg_stat_statements`, cluster-wide. Empty (with a warning) when the extension is not created in the connected database or not preloaded. " +
					"A warning also says when it records no statement (`pg_stat_statements.track = none`, or `compute_query_id = off` on PostgreSQL 14+).",
				Attributes: map[string]schema.Attribute{
					"available":         pgsBool("Whether `pg_stat_statements` could be read."),
					"extension_version": pgsStr("Installed extension version, e.g. `1.10`; empty when not installed."),
					"texts_visible":     pgsBool("False when the role lacks `pg_read_all_stats`: other roles' statements then have an empty `query` and `queryid`."),
					"count":             pgsInt("Entries (distinct statements) tracked."),
					"total_calls":       pgsInt("Executions summed over the top-level entries (cumulative): with `pg_stat_statements.track = all` the statements run inside functions are entries too, and their callers' executions hold them."),
					"total_time_ms":     pgsF64("Execution time summed over the top-level entries, in milliseconds (cumulative): a nested statement's time is in its caller's."),
					"stats_reset":       pgsTime("`pg_stat_statements_info.stats_reset` (extension 1.9+),"),
					"deallocations":     pgsInt("Entries evicted because `pg_stat_statements.max` was reached (1.9+; 0 when unknown). If high, raise it."),
					"rate_basis":        pgsStr("`sample`, `stats_reset` or `none` (extension older than 1.9 without a sample)."),
					"rate_seconds":      pgsF64("Seconds the rates divide by."),
					"calls_per_second": pgsF64("Statement executions, top-level entries, per second over `rate_basis`; null when no interval is known. " +
						"In a sample the provider's own statistics queries between its two readings are left out (those `pg_stat_statements` counts under the session's " +
						"`pg_stat_statements.track` and `track_utility`), so an idle server reads 0."),
					"time_ms_per_second": pgsF64("Execution time per second of wall time over the top-level entries (in a sample, or the nested ones' when larger: a call still running has added none yet), in milliseconds per second " +
						"(1000 ≈ one busy backend); null when no interval is known."),
					"top": schema.ListNestedAttribute{Computed: true,
						MarkdownDescription: "The costliest statements, highest first: by cumulative execution time, or with `sample_seconds` by time spent during the sample. The provider's own statistics queries (marked `/* rightsize:pgstats */` after their first word) are left out; its transaction's `BEGIN` and `ROLLBACK`, which `pg_stat_statements` counts in one entry with an application's, are not.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"queryid":  pgsStr("`queryid` as a decimal string (a 64-bit hash); `0` when hidden."),
							"database": pgsStr("Database of the entry; empty once dropped."),
							"user":     pgsStr("Role of the entry; empty once dropped."),
							"query": pgsStr("Normalised text with every string constant replaced by `'<redacted>'`, truncated to `query_text_length` " +
								"characters; empty when hidden. Before PostgreSQL 16 `pg_stat_statements` keeps utility statements as written, " +
								"so `ALTER ROLE ... PASSWORD '...'` or `CREATE USER MAPPING ... OPTIONS (password '...')` would otherwise put " +
								"passwords into the Terraform state. Quoted (`'...'`, `E'...'`) and dollar-quoted (`$$...$$`) constants are " +
								"redacted, a constant cut short by truncation up to the end, and so is the value of a `SET` statement's or an " +
								"`ALTER ROLE|USER|DATABASE|SYSTEM|FUNCTION|PROCEDURE|ROUTINE ... SET` or `CREATE FUNCTION|PROCEDURE ... SET` clause's (`SET app.api_key = sk123`: PostgreSQL also takes an " +
								"unquoted word, a number or a quoted identifier there); other identifiers, comments and `$1` parameters are kept."),
							"query_hidden":        pgsBool("Whether the text is hidden for lack of `pg_read_all_stats`."),
							"toplevel":            pgsBool("False for statements run inside functions (extension 1.9+ with `track = all`)."),
							"calls":               pgsInt("Executions (cumulative)."),
							"total_time_ms":       pgsF64("Total execution time in milliseconds (cumulative)."),
							"mean_time_ms":        pgsF64("Mean execution time in milliseconds."),
							"rows":                pgsInt("Rows retrieved or affected (cumulative)."),
							"shared_blks_hit":     pgsBlocks("Shared buffer hits (cumulative)"),
							"shared_blks_read":    pgsBlocks("Shared blocks read (cumulative)"),
							"temp_blks_read":      pgsBlocks("Temporary blocks read (cumulative)"),
							"temp_blks_written":   pgsBlocks("Temporary blocks written (cumulative)"),
							"share_of_total_time": pgsRatio("Share of the top-level statements' execution time (cumulative, or during the sample); a nested statement's share is of its callers' time"),
							"calls_per_second":    pgsRate("Executions"),
							"time_ms_per_second":  pgsF64("Execution time in milliseconds per second over `rate_basis`; null when unknown."),
						}}},
				}},
			"unused_indexes": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Indexes of the connected database never scanned since statistics were reset (`idx_scan = 0`), excluding unique, primary-key and exclusion indexes, largest first: at most `max_unused_indexes` of them. A partitioned table's index is judged by each partition's index (the partitioned index itself has no storage and is never scanned, so it is not listed); a partition's index attached to it can be dropped only with it, for every partition. An index another session holds an `ACCESS EXCLUSIVE` lock on (`REINDEX`, `VACUUM FULL`, `CLUSTER`, `DROP INDEX`, a table rewrite), which sizing it would wait for, is left out of the list and the totals, with a warning naming it. Check replicas before dropping: their scans are not counted here.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"schema":     pgsStr("Schema."),
					"table":      pgsStr("Table."),
					"name":       pgsStr("Index name."),
					"size_bytes": pgsBytes("`pg_relation_size()` of the index"),
				}}},
			"unused_indexes_total":       schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of such unused indexes, listed in `unused_indexes` or not."},
			"unused_indexes_total_bytes": schema.Int64Attribute{Computed: true, MarkdownDescription: "Their total `pg_relation_size()`, in bytes."},
			"table_stats": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "One entry per name in `tables` that exists, in that order. A partitioned table, which has no storage, rows or scans of its own, is reported as the sum of its leaf partitions (at every level). A table named twice (`orders` and `app.orders` when `orders` resolves to `app.orders`) has an entry for each name, and a warning.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":                 pgsStr("The name as given in `tables`."),
					"schema":               pgsStr("Schema it resolved to."),
					"table":                pgsStr("Table it resolved to."),
					"estimated_rows":       pgsF64("Planner estimate `pg_class.reltuples` (rows), or `live_tuples` if never vacuumed or analysed."),
					"live_tuples":          pgsInt("`n_live_tup` (rows)."),
					"dead_tuples":          pgsInt("`n_dead_tup` (rows)."),
					"size_bytes":           pgsInt("`pg_total_relation_size()`: heap, indexes and TOAST (a partitioned table's: its partitions'), in bytes; -1 when another session holds or awaits an ACCESS EXCLUSIVE lock on it, a partition, an index, its TOAST table or the TOAST table's index (VACUUM FULL, CLUSTER, REINDEX, a rewriting ALTER TABLE), which sizing it would wait for (a warning names it)."),
					"seq_scans":            pgsCount("Sequential scans"),
					"seq_tuples_read":      pgsCount("Rows read by sequential scans"),
					"index_scans":          pgsCount("Index scans over all its indexes"),
					"index_tuples_fetched": pgsCount("Rows fetched by index scans"),
					"seq_scan_share":       pgsRatio("`seq_scans / (seq_scans + index_scans)`"),
				}}},
			"settings": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "Server settings normalised to bytes, seconds and numbers; 0 or empty for a setting this version lacks.",
				Attributes: map[string]schema.Attribute{
					"shared_buffers_bytes":           pgsBytes("`shared_buffers`"),
					"effective_cache_size_bytes":     pgsBytes("`effective_cache_size`"),
					"work_mem_bytes":                 pgsBytes("`work_mem`"),
					"maintenance_work_mem_bytes":     pgsBytes("`maintenance_work_mem`"),
					"max_connections":                pgsInt("`max_connections`."),
					"superuser_reserved_connections": pgsInt("`superuser_reserved_connections`."),
					"reserved_connections":           pgsInt("`reserved_connections` (PostgreSQL 16+)."),
					"max_worker_processes":           pgsInt("`max_worker_processes`."),
					"max_parallel_workers":           pgsInt("`max_parallel_workers`."),
					"random_page_cost":               pgsF64("`random_page_cost` (planner cost units)."),
					"effective_io_concurrency":       pgsInt("`effective_io_concurrency`."),
					"checkpoint_timeout_seconds":     pgsF64("`checkpoint_timeout` in seconds."),
					"checkpoint_completion_target":   pgsF64("`checkpoint_completion_target`, 0–1."),
					"max_wal_size_bytes":             pgsBytes("`max_wal_size`"),
					"min_wal_size_bytes":             pgsBytes("`min_wal_size`"),
					"wal_buffers_bytes":              pgsBytes("Effective `wal_buffers`"),
					"wal_level":                      pgsStr("`wal_level`: `minimal`, `replica` or `logical`."),
					"synchronous_commit":             pgsStr("`synchronous_commit`."),
					"block_size_bytes":               pgsBytes("`block_size`, the unit of every blocks counter"),
				}},
			"checkpoints": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "Checkpoints since their statistics were reset (`pg_stat_bgwriter`, or `pg_stat_checkpointer` from PostgreSQL 17); on a standby, its restartpoints (which PostgreSQL 17 and later count apart, as `restartpoints_timed` and `restartpoints_req`, and are added here).",
				Attributes: map[string]schema.Attribute{
					"timed":     pgsInt("Scheduled checkpoints (by `checkpoint_timeout`)."),
					"requested": pgsInt("Requested checkpoints (WAL volume reached `max_wal_size`, or explicit)."),
				}},
			"collector_timing": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "What the read cost.",
				Attributes: map[string]schema.Attribute{
					"snapshot_server_ms": schema.ListAttribute{Computed: true, ElementType: types.Float64Type,
						MarkdownDescription: "Per snapshot (one, or two with a sample), milliseconds on the server's clock from the first to the last statistics query."},
					"wall_ms": pgsF64("Client wall-clock milliseconds of the whole collection (BEGIN to ROLLBACK, sample wait included; connecting excluded)."),
				}},
			"warnings": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Conditions that left parts empty (missing `pg_stat_statements`, missing privileges, tables not found). Each is also a Terraform warning."},
		},
	}
}

// ValidateConfig rejects a password given together with iam_auth, which
// replaces it with a token.
func (d *postgresStatsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validatePostgresOverride(ctx, req.Config, &resp.Diagnostics)
}

func (d *postgresStatsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerData(req.ProviderData, &resp.Diagnostics)
}

func (d *postgresStatsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m postgresStatsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil {
		resp.Diagnostics.AddError("Unconfigured Provider",
			"The provider was not configured before rightsize_postgres_stats was read. Please report this issue to the provider developers.")
		return
	}
	opts := pgstats.Options{
		TopStatements:    int(m.TopStatements.ValueInt64()),
		MaxUnusedIndexes: int(m.MaxUnusedIndexes.ValueInt64()),
		MaxDatabases:     defaultMaxDatabases,
		QueryTextLength:  int(m.QueryTextLength.ValueInt64()),
		Sample:           time.Duration(m.SampleSeconds.ValueInt64()) * time.Second,
	}
	if !m.MaxDatabases.IsNull() {
		opts.MaxDatabases = int(m.MaxDatabases.ValueInt64())
	}
	if !m.Tables.IsNull() && !m.Tables.IsUnknown() {
		resp.Diagnostics.Append(m.Tables.ElementsAs(ctx, &opts.Tables, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	s, err := mergePostgres(ctx, d.data.Postgres, m.Postgres)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("postgres"), "Invalid PostgreSQL Connection", err.Error())
		return
	}
	opts.StatementTimeout = s.StatementTimeout
	warnUnverifiedOverride(ctx, &resp.Diagnostics, d.data.Postgres, m.Postgres)
	connAttr := path.Root("postgres")
	cc, err := pgConnConfig(ctx, d.data, s)
	if err != nil {
		// Settings not known until apply are configured: the error says which and what to do, as
		// rightsize_single_node_recommendation's does.
		var unknown *unknownPostgresError
		if errors.As(err, &unknown) {
			resp.Diagnostics.AddAttributeError(connAttr, "PostgreSQL Connection Not Known Until Apply", err.Error()+".")
			return
		}
		resp.Diagnostics.AddAttributeError(connAttr, "Invalid PostgreSQL Connection",
			err.Error()+". Configure the provider's postgres block or this data source's postgres attribute.")
		return
	}
	// Never log the password (or IAM token): only the non-secret settings.
	tflog.Debug(ctx, "reading PostgreSQL statistics", map[string]any{
		"postgres_host": s.Host, "postgres_port": s.Port, "postgres_database": s.Database, "postgres_user": s.Username,
		"postgres_sslmode": s.EffectiveSSLMode(), "iam_auth": s.IAMAuth, "sample_seconds": m.SampleSeconds.ValueInt64(),
	})
	conn, err := pgstats.Connect(ctx, cc)
	if err != nil {
		resp.Diagnostics.AddAttributeError(connAttr, "Unable to Connect to PostgreSQL",
			err.Error()+". Check host, port, database, username and credentials (password, or iam_auth with rds-db:connect), "+
				"sslmode, and that the server accepts connections from here.")
		return
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()

	st, err := pgstats.Collect(ctx, conn, opts)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read PostgreSQL Statistics",
			fmt.Sprintf("Reading statistics from %s: %v. A statement timeout means the server was too busy or a query waited on a lock: "+
				"raise the provider's postgres.statement_timeout or retry later.", s, err))
		return
	}
	for _, w := range st.Warnings {
		resp.Diagnostics.AddWarning("PostgreSQL Statistics Incomplete", w)
	}
	m.ID = types.StringValue(fmt.Sprintf("%s:%d/%s", s.Host, s.Port, s.Database))
	resp.Diagnostics.Append(fillPostgresStats(&m, st)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "read PostgreSQL statistics", map[string]any{
		"snapshots": len(st.Timing.SnapshotServerTimes), "wall_ms": st.Timing.Wall.Milliseconds(), "warnings": len(st.Warnings),
	})
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func pgsCounts(m map[string]int) (types.Map, diag.Diagnostics) {
	vals := make(map[string]attr.Value, len(m))
	for k, v := range m {
		vals[k] = types.Int64Value(int64(v))
	}
	return types.MapValue(types.Int64Type, vals)
}

// fillPostgresStats copies a collection into the model's computed attributes.
func fillPostgresStats(m *postgresStatsModel, st *pgstats.Stats) diag.Diagnostics {
	var diags diag.Diagnostics
	i64 := types.Int64Value
	m.CollectedAt = timeOrNull(st.CollectedAt)
	m.RateBasis = types.StringValue(st.RateBasis)
	m.SampleMeasure = types.Float64Value(st.SampleSeconds)

	sv := st.Server
	m.Server = &pgsServerModel{
		Version: types.StringValue(sv.Version), VersionNum: i64(int64(sv.VersionNum)), StartTime: timeOrNull(sv.StartTime),
		UptimeSeconds: floatValue(sv.UptimeSeconds), InRecovery: types.BoolValue(sv.InRecovery), Database: types.StringValue(sv.Database),
		User: types.StringValue(sv.User), StatsReset: timeOrNull(sv.StatsReset), CanReadAllStats: types.BoolValue(sv.CanReadAllStats),
	}

	m.Databases = make([]pgsDatabaseModel, 0, len(st.Databases))
	m.DatabasesTotal = types.Int64Value(int64(st.DatabasesTotal))
	for _, db := range st.Databases {
		m.Databases = append(m.Databases, pgsDatabaseModel{
			Name: types.StringValue(db.Name), SizeBytes: i64(db.SizeBytes), XactCommit: i64(db.XactCommit), XactRollback: i64(db.XactRollback),
			BlksRead: i64(db.BlksRead), BlksHit: i64(db.BlksHit), TempFiles: i64(db.TempFiles), TempBytes: i64(db.TempBytes),
			Deadlocks: i64(db.Deadlocks), Conflicts: i64(db.Conflicts), StatsReset: timeOrNull(db.StatsReset),
			CacheHitRatio: floatValue(db.CacheHitRatio), IntervalCacheHitRatio: floatValue(db.IntervalCacheHitRatio),
			RateBasis: types.StringValue(db.RateBasis), RateSeconds: floatValue(db.RateSeconds),
			CommitsPerSecond: floatValue(db.CommitsPerSecond), RollbacksPerSecond: floatValue(db.RollbacksPerSecond),
			TransactionsPerSecond: floatValue(db.TransactionsPerSecond), BlocksReadPerSecond: floatValue(db.BlocksReadPerSecond),
			BlocksHitPerSecond: floatValue(db.BlocksHitPerSecond), TempBytesPerSecond: floatValue(db.TempBytesPerSecond),
		})
	}

	cn := st.Connections
	byState, d := pgsCounts(cn.ByState)
	diags.Append(d...)
	byApp, d := pgsCounts(cn.ByApplication)
	diags.Append(d...)
	m.Connections = &pgsConnectionsModel{
		Total: i64(int64(cn.Total)), ByState: byState, ByApplication: byApp, Active: i64(int64(cn.Active)), Idle: i64(int64(cn.Idle)),
		IdleInTransaction: i64(int64(cn.IdleInTransaction)), LongestStatementSeconds: floatValue(cn.LongestStatementSeconds),
		LongestTransactionSeconds: floatValue(cn.LongestTransactionSeconds), LongestIdleInTransactionSeconds: floatValue(cn.LongestIdleInTransactionSeconds),
		MaxConnections: i64(int64(cn.MaxConnections)), SuperuserReserved: i64(int64(cn.SuperuserReserved)), Reserved: i64(int64(cn.Reserved)),
		Available: i64(int64(cn.Available)), Utilization: floatValue(cn.Utilisation),
	}

	rp := st.Replication
	m.Replication = &pgsReplicationModel{Replicas: make([]pgsReplicaModel, 0, len(rp.Replicas)),
		ReplayDelaySeconds: floatValue(rp.ReplayDelaySeconds), ReceiveReplayLagBytes: i64(rp.ReceiveReplayLagBytes),
		Slots: make([]pgsSlotModel, 0, len(rp.Slots))}
	for _, sl := range rp.Slots {
		m.Replication.Slots = append(m.Replication.Slots, pgsSlotModel{
			Name: types.StringValue(sl.Name), Type: types.StringValue(sl.Type), Plugin: types.StringValue(sl.Plugin),
			Database: types.StringValue(sl.Database), Temporary: types.BoolValue(sl.Temporary), Active: types.BoolValue(sl.Active),
			WALStatus: types.StringValue(sl.WALStatus), RetainedBytes: i64(sl.RetainedBytes),
		})
	}
	for _, r := range rp.Replicas {
		m.Replication.Replicas = append(m.Replication.Replicas, pgsReplicaModel{
			ApplicationName: types.StringValue(r.ApplicationName), ClientAddr: types.StringValue(r.ClientAddr),
			State: types.StringValue(r.State), SyncState: types.StringValue(r.SyncState), WriteLagSeconds: floatValue(r.WriteLagSeconds),
			FlushLagSeconds: floatValue(r.FlushLagSeconds), ReplayLagSeconds: floatValue(r.ReplayLagSeconds), ReplayLagBytes: i64(r.ReplayLagBytes),
		})
	}

	ss := st.Statements
	m.Statements = &pgsStatementsModel{
		Available: types.BoolValue(ss.Available), ExtensionVersion: types.StringValue(ss.ExtensionVersion), TextsVisible: types.BoolValue(ss.TextsVisible),
		Count: i64(ss.Count), TotalCalls: i64(ss.TotalCalls), TotalTimeMs: floatValue(ss.TotalTimeMs), StatsReset: timeOrNull(ss.StatsReset),
		Deallocations: i64(ss.Deallocations), RateBasis: types.StringValue(ss.RateBasis), RateSeconds: floatValue(ss.RateSeconds),
		CallsPerSecond: floatValue(ss.CallsPerSecond), TimeMsPerSecond: floatValue(ss.TimeMsPerSecond),
		Top: make([]pgsStatementModel, 0, len(ss.Top)),
	}
	if m.Statements.RateBasis.ValueString() == "" {
		m.Statements.RateBasis = types.StringValue(pgstats.RateBasisNone)
	}
	for _, q := range ss.Top {
		m.Statements.Top = append(m.Statements.Top, pgsStatementModel{
			QueryID: types.StringValue(fmt.Sprintf("%d", q.QueryID)), Database: types.StringValue(q.Database), User: types.StringValue(q.User),
			Query: types.StringValue(q.Query), QueryHidden: types.BoolValue(q.QueryHidden), TopLevel: types.BoolValue(q.TopLevel),
			Calls: i64(q.Calls), TotalTimeMs: floatValue(q.TotalTimeMs), MeanTimeMs: floatValue(q.MeanTimeMs), Rows: i64(q.Rows),
			SharedBlksHit: i64(q.SharedBlksHit), SharedBlksRead: i64(q.SharedBlksRead), TempBlksRead: i64(q.TempBlksRead),
			TempBlksWritten: i64(q.TempBlksWritten), ShareOfTotalTime: floatValue(q.ShareOfTotalTime),
			CallsPerSecond: floatValue(q.CallsPerSecond), TimeMsPerSecond: floatValue(q.TimeMsPerSecond),
		})
	}

	m.UnusedIndexesTotal, m.UnusedIndexesTotalBytes = types.Int64Value(int64(st.UnusedIndexesTotal)), types.Int64Value(st.UnusedIndexesTotalBytes)
	m.UnusedIndexes = make([]pgsIndexModel, 0, len(st.UnusedIndexes))
	for _, ix := range st.UnusedIndexes {
		m.UnusedIndexes = append(m.UnusedIndexes, pgsIndexModel{Schema: types.StringValue(ix.Schema), Table: types.StringValue(ix.Table),
			Name: types.StringValue(ix.Name), SizeBytes: i64(ix.SizeBytes)})
	}
	m.TableStats = make([]pgsTableModel, 0, len(st.Tables))
	for _, t := range st.Tables {
		m.TableStats = append(m.TableStats, pgsTableModel{
			Name: types.StringValue(t.Name), Schema: types.StringValue(t.Schema), Table: types.StringValue(t.Table),
			EstimatedRows: floatValue(t.EstimatedRows), LiveTuples: i64(t.LiveTuples), DeadTuples: i64(t.DeadTuples), SizeBytes: i64(t.SizeBytes),
			SeqScans: i64(t.SeqScans), SeqTuplesRead: i64(t.SeqTuplesRead), IndexScans: i64(t.IndexScans),
			IndexTuplesFetched: i64(t.IndexTuplesFetched), SeqScanShare: floatValue(t.SeqScanShare),
		})
	}

	se := st.Settings
	m.Settings = &pgsSettingsModel{
		SharedBuffersBytes: i64(se.SharedBuffersBytes), EffectiveCacheSizeBytes: i64(se.EffectiveCacheSizeBytes), WorkMemBytes: i64(se.WorkMemBytes),
		MaintenanceWorkMemBytes: i64(se.MaintenanceWorkMemBytes), MaxConnections: i64(se.MaxConnections),
		SuperuserReservedConnections: i64(se.SuperuserReservedConnections), ReservedConnections: i64(se.ReservedConnections),
		MaxWorkerProcesses: i64(se.MaxWorkerProcesses), MaxParallelWorkers: i64(se.MaxParallelWorkers), RandomPageCost: floatValue(se.RandomPageCost),
		EffectiveIOConcurrency: i64(se.EffectiveIOConcurrency), CheckpointTimeoutSeconds: floatValue(se.CheckpointTimeoutSeconds),
		CheckpointCompletionTarget: floatValue(se.CheckpointCompletionTarget), MaxWALSizeBytes: i64(se.MaxWALSizeBytes),
		MinWALSizeBytes: i64(se.MinWALSizeBytes), WALBuffersBytes: i64(se.WALBuffersBytes), WALLevel: types.StringValue(se.WALLevel),
		SynchronousCommit: types.StringValue(se.SynchronousCommit), BlockSizeBytes: i64(se.BlockSizeBytes),
	}
	m.Checkpoints = &pgsCheckpointsModel{Timed: i64(st.Checkpoints.Timed), Requested: i64(st.Checkpoints.Requested)}

	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	m.Timing = &pgsTimingModel{WallMs: types.Float64Value(ms(st.Timing.Wall))}
	for _, d := range st.Timing.SnapshotServerTimes {
		m.Timing.SnapshotServerMs = append(m.Timing.SnapshotServerMs, types.Float64Value(ms(d)))
	}
	m.Warnings = make([]types.String, 0, len(st.Warnings))
	for _, w := range st.Warnings {
		m.Warnings = append(m.Warnings, types.StringValue(w))
	}
	return diags
}

// tableNameValidator accepts what pgstats.ValidateTableName accepts.
type tableNameValidator struct{}

var _ validator.String = tableNameValidator{}

func (tableNameValidator) Description(context.Context) string {
	return `value must be "table" or "schema.table" (double-quote mixed-case or special names)`
}

func (v tableNameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (tableNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := pgstats.ValidateTableName(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Table Name",
			fmt.Sprintf("%s is %q: %v. Write table or schema.table, e.g. public.orders or \"Sales\".\"Orders\".", req.Path, req.ConfigValue.ValueString(), err))
	}
}

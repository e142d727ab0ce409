package pgstats

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// queryTag marks every statement the collector sends (tagged), so that its own
// entries in pg_stat_statements (and pg_stat_activity) are recognisable; they
// are left out of Statements.Top.
const queryTag = "/* rightsize:pgstats */"

// tagged returns sql with queryTag after its first word ("SELECT /*
// rightsize:pgstats */ ..."), not before it: PostgreSQL 18's
// pg_stat_statements keeps a statement's text from its first token, without a
// leading comment, and a tag there would be lost.
func tagged(sql string) string {
	i := strings.IndexFunc(sql, unicode.IsSpace)
	if i < 0 {
		return sql + " " + queryTag
	}
	return sql[:i] + " " + queryTag + sql[i:]
}

// ownQueryPattern is a regular expression (PostgreSQL's ~) matching the
// collector's own statements: SELECT or WITH with queryTag after it, and its
// SAVEPOINT, RELEASE and ROLLBACK TO of the savepoint rightsize_guard (around
// a query that may fail) while the entry's text names it. From PostgreSQL 17
// pg_stat_statements keeps no savepoint name ("SAVEPOINT $1"): every
// application's SAVEPOINT shares that entry, whose text may be the
// collector's, so it is not matched, and neither are the BEGIN and ROLLBACK
// pgx writes for the collector's transaction, which share an entry with an
// application's too. Hiding those would hide the application's.
const ownQueryPattern = `^((SELECT|WITH) /\* rightsize:pgstats \*/|(SAVEPOINT|RELEASE|ROLLBACK) /\* rightsize:pgstats \*/ .*\mrightsize_guard\M)`

// ownStatement is the SQL condition on a pg_stat_statements row s that it is
// one of the collector's own statements (ownQueryPattern, given as parameter
// $n).
func ownStatement(n int) string { return fmt.Sprintf("(s.query ~ $%d)", n) }

// selfStatementAllowance is how many extra candidates a sample ranks so that
// leaving out the collector's own statements still fills Top.
const selfStatementAllowance = 32

// Querier is what the collector needs from a connection: *pgx.Conn and pgx.Tx
// satisfy it. Give CollectTx a read-only transaction (Collect and
// WithReadOnlyTx make one).
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// TxBeginner starts transactions: *pgx.Conn satisfies it.
type TxBeginner interface {
	BeginTx(ctx context.Context, txOptions pgx.TxOptions) (pgx.Tx, error)
}

var (
	_ Querier    = (*pgx.Conn)(nil)
	_ Querier    = pgx.Tx(nil)
	_ TxBeginner = (*pgx.Conn)(nil)
)

// Defaults and limits of Options.
const (
	// DefaultTopStatements is the number of statements reported when Options.TopStatements is 0.
	DefaultTopStatements = 20
	// MaxTopStatements bounds Options.TopStatements.
	MaxTopStatements = 1000
	// DefaultMaxUnusedIndexes is how many unused indexes are listed when
	// Options.MaxUnusedIndexes is 0; MaxMaxUnusedIndexes bounds it. A database
	// with thousands of tables can have thousands of unused indexes: the list
	// keeps the largest, and Stats.UnusedIndexesTotal counts them all.
	DefaultMaxUnusedIndexes = 100
	MaxMaxUnusedIndexes     = 10000
	// MaxMaxDatabases bounds Options.MaxDatabases, whose 0 lists every
	// database. A database-per-tenant server has hundreds or thousands of
	// databases, each some 600 bytes of Terraform state; callers listing them
	// keep the busiest (rightsize_postgres_stats: 100 unless configured).
	MaxMaxDatabases = 10000
	// DefaultQueryTextLength is the query text length, in characters, when Options.QueryTextLength is 0.
	DefaultQueryTextLength = 1000
	// MaxQueryTextLength bounds Options.QueryTextLength (characters).
	MaxQueryTextLength = 100000
	// DefaultStatementTimeout is the per-statement limit when Options.StatementTimeout is 0.
	DefaultStatementTimeout = 30 * time.Second
	// MaxSample bounds Options.Sample.
	MaxSample = time.Hour
	// MinServerVersionNum is the oldest supported server_version_num (PostgreSQL 12).
	MinServerVersionNum = 120000
)

// Options tune a collection. The zero value collects one snapshot with the defaults.
type Options struct {
	// TopStatements is how many statements to report, by total execution time;
	// 0 means DefaultTopStatements (20). Must be 0..MaxTopStatements.
	TopStatements int
	// MaxUnusedIndexes is how many unused indexes to list, largest first; 0
	// means DefaultMaxUnusedIndexes (100). Must be 0..MaxMaxUnusedIndexes.
	MaxUnusedIndexes int
	// MaxDatabases, when above 0, lists at most that many databases in
	// Stats.Databases: the connected database and the busiest others, by
	// transactions (committed and rolled back) since the counters were reset,
	// or with a sample during it; only those are sized. 0 lists every
	// database. Must be 0..MaxMaxDatabases.
	MaxDatabases int
	// QueryTextLength truncates each query text to this many characters
	// (after its string constants are redacted); 0 means
	// DefaultQueryTextLength (1000). Must be 0..MaxQueryTextLength.
	QueryTextLength int
	// Sample, when > 0, takes two snapshots this far apart (inside the same
	// transaction) and reports rates over the measured interval instead of
	// since the counters were reset. Must be 0..MaxSample. The transaction stays
	// open meanwhile; the collector raises idle_in_transaction_session_timeout
	// for it if needed and, on PostgreSQL 17+, turns transaction_timeout off
	// for it (both transaction-locally: sampleTimeoutStatements).
	Sample time.Duration
	// Tables names tables for row estimates and scan counts: "table" (found on
	// the search_path) or "schema.table"; unquoted parts fold to lower case and
	// double-quoted parts are taken literally, as in SQL.
	Tables []string
	// StatementTimeout limits each statistics query (SET LOCAL
	// statement_timeout); 0 means DefaultStatementTimeout. Must be >= 1 ms.
	StatementTimeout time.Duration
	// SkipCatalogScans leaves out what walks the catalog or the disk: the
	// databases' sizes (pg_database_size, a directory walk each; SizeBytes
	// -1) and the unused indexes (UnusedIndexes empty). For callers that need
	// only the counters and settings, on a server whose catalog is large.
	SkipCatalogScans bool
	// SkipStatements leaves out the pg_stat_statements section (Statements
	// empty, Available false, and no warning about the extension or its
	// settings), which reads every entry's text: for callers that use no
	// statement statistics.
	SkipStatements bool
}

// qualifiedName is a parsed Options.Tables entry.
type qualifiedName struct {
	given, schema, table string
}

// normalised returns o with defaults applied and its table names parsed, or an
// error naming the bad option.
func (o Options) normalised() (Options, []qualifiedName, error) {
	switch {
	case o.TopStatements < 0 || o.TopStatements > MaxTopStatements:
		return o, nil, fmt.Errorf("top statements %d is out of range: use 1-%d (0 for %d)", o.TopStatements, MaxTopStatements, DefaultTopStatements)
	case o.MaxUnusedIndexes < 0 || o.MaxUnusedIndexes > MaxMaxUnusedIndexes:
		return o, nil, fmt.Errorf("max unused indexes %d is out of range: use 1-%d (0 for %d)", o.MaxUnusedIndexes, MaxMaxUnusedIndexes, DefaultMaxUnusedIndexes)
	case o.MaxDatabases < 0 || o.MaxDatabases > MaxMaxDatabases:
		return o, nil, fmt.Errorf("max databases %d is out of range: use 1-%d (0 for every database)", o.MaxDatabases, MaxMaxDatabases)
	case o.QueryTextLength < 0 || o.QueryTextLength > MaxQueryTextLength:
		return o, nil, fmt.Errorf("query text length %d is out of range: use 1-%d (0 for %d)", o.QueryTextLength, MaxQueryTextLength, DefaultQueryTextLength)
	case o.Sample < 0 || o.Sample > MaxSample:
		return o, nil, fmt.Errorf("sample %s is out of range: use 0 (no sample) up to %s", o.Sample, MaxSample)
	case o.StatementTimeout < 0 || (o.StatementTimeout > 0 && o.StatementTimeout < time.Millisecond):
		return o, nil, fmt.Errorf("statement timeout %s is out of range: use at least 1ms (0 for %s)", o.StatementTimeout, DefaultStatementTimeout)
	}
	if o.TopStatements == 0 {
		o.TopStatements = DefaultTopStatements
	}
	if o.QueryTextLength == 0 {
		o.QueryTextLength = DefaultQueryTextLength
	}
	if o.MaxUnusedIndexes == 0 {
		o.MaxUnusedIndexes = DefaultMaxUnusedIndexes
	}
	if o.StatementTimeout == 0 {
		o.StatementTimeout = DefaultStatementTimeout
	}
	names := make([]qualifiedName, 0, len(o.Tables))
	for i, t := range o.Tables {
		schema, table, err := ParseQualifiedName(t)
		if err != nil {
			return o, nil, fmt.Errorf("tables[%d] %q: %w", i, t, err)
		}
		names = append(names, qualifiedName{given: t, schema: schema, table: table})
	}
	return o, names, nil
}

// ValidateTableName reports whether name is usable in Options.Tables:
// "table" or "schema.table", each part a bare identifier (folded to lower
// case) or a double-quoted one. It does not check that the table exists.
func ValidateTableName(name string) error {
	_, _, err := ParseQualifiedName(name)
	return err
}

// foldIdentifier folds an unquoted identifier as PostgreSQL does in a UTF8
// database (downcase_identifier): A-Z to a-z and nothing else, so "Émile"
// stays "Émile" and the Kelvin sign (U+212A) is not the letter k.
func foldIdentifier(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// ParseQualifiedName splits "table" or "schema.table" the way PostgreSQL reads
// identifiers: unquoted parts fold A-Z to lower case (foldIdentifier), "quoted" parts are literal
// ("" inside quotes is one quote). The schema is "" when not given; what an
// unqualified name resolves to is the caller's (Options.Tables looks it up on
// the search_path). Options.Tables entries are parsed with it.
func ParseQualifiedName(s string) (schema, table string, err error) {
	var parts []string
	i := 0
	for {
		if i >= len(s) {
			return "", "", errors.New(`empty name part: write "table" or "schema.table"`)
		}
		var part strings.Builder
		if s[i] == '"' {
			i++
			closed := false
			for i < len(s) {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						part.WriteByte('"')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				part.WriteByte(s[i])
				i++
			}
			if !closed {
				return "", "", errors.New("unterminated double quote")
			}
		} else {
			start := i
			for i < len(s) && s[i] != '.' {
				if s[i] == '"' || s[i] == ' ' || s[i] == 0 {
					return "", "", fmt.Errorf("unexpected %q in unquoted name: quote the identifier", s[i])
				}
				i++
			}
			part.WriteString(foldIdentifier(s[start:i]))
		}
		if part.Len() == 0 {
			return "", "", errors.New(`empty name part: write "table" or "schema.table"`)
		}
		parts = append(parts, part.String())
		if i == len(s) {
			break
		}
		if s[i] != '.' {
			return "", "", errors.New("expected '.' after a quoted identifier")
		}
		i++
	}
	switch len(parts) {
	case 1:
		return "", parts[0], nil
	case 2:
		return parts[0], parts[1], nil
	}
	return "", "", fmt.Errorf("%d name parts: write \"table\" or \"schema.table\"", len(parts))
}

// pinnedSearchPath is the search_path of the collector's transactions: the
// system catalog first and the session's temporary schema last (functions and
// operators are never looked up there). Nothing a role can create in a schema
// of the session's own search_path (public, before PostgreSQL 15 writable by
// every role; a role's own schema) can then stand in for a built-in function,
// operator or catalog view in the statistics queries (CVE-2018-1058): an
// unqualified pg_relation_size(oid) call, for example, would otherwise run a
// public.pg_relation_size(oid), an exact type match that beats the built-in
// pg_relation_size(regclass), with the provider's role.
const pinnedSearchPath = "pg_catalog, pg_temp"

// WithReadOnlyTx runs fn inside a read-only transaction on db whose every
// statement is limited by statementTimeout (set with set_config(...,
// is_local => true), so it ends with the transaction). Right after BEGIN it
// reads the schemas of the session's search_path (pg_catalog.current_schemas,
// in priority order, the implicitly searched ones included) and then pins the
// transaction's search_path to pinnedSearchPath ("pg_catalog, pg_temp",
// transaction-locally too): every statistics query then resolves names in the
// system catalog only, never in a schema another role can create objects in.
// The schemas read are what CollectTx resolves unqualified Options.Tables names
// in. The transaction is always rolled back: statistics reads have nothing to
// commit. statementTimeout must be at least 1 ms.
func WithReadOnlyTx(ctx context.Context, db TxBeginner, statementTimeout time.Duration, fn func(q Querier) error) error {
	if statementTimeout < time.Millisecond {
		return fmt.Errorf("statement timeout %s is out of range: use at least 1ms", statementTimeout)
	}
	// Read committed whatever the role's default_transaction_isolation says: a repeatable-read
	// snapshot held for a long sample would hold back vacuum cluster-wide (backend_xmin).
	tx, err := db.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("beginning read-only transaction: %w", err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = tx.Rollback(rctx) // nothing was written; a failure here closes the connection
	}()
	schemas, err := pinSearchPath(ctx, tx)
	if err != nil {
		return err
	}
	ms := strconv.FormatInt(statementTimeout.Milliseconds(), 10)
	var got string
	if err := tx.QueryRow(ctx, tagged("SELECT pg_catalog.set_config('statement_timeout', $1, true)"), ms).Scan(&got); err != nil {
		return fmt.Errorf("setting statement_timeout to %sms: %w", ms, err)
	}
	return fn(&pinnedTx{Tx: tx, searchPath: schemas})
}

// pinnedTx is the transaction WithReadOnlyTx hands to fn: its search_path is
// pinned, and searchPath holds the session's schemas read before that.
type pinnedTx struct {
	pgx.Tx
	searchPath []string
}

// pinSearchPath reads the schemas of q's current search_path
// (pg_catalog.current_schemas(true): the existing schemas the role may use, in
// priority order, the implicit pg_catalog and the session's temporary schema
// included where PostgreSQL searches them; the order pg_table_is_visible
// follows) and then sets q's search_path to pinnedSearchPath with
// set_config(..., is_local => true), which lasts until q's transaction ends.
// Both statements call schema-qualified functions, as the search path is not
// yet safe.
func pinSearchPath(ctx context.Context, q Querier) ([]string, error) {
	var schemas []string
	if err := q.QueryRow(ctx, tagged("SELECT pg_catalog.current_schemas(true)::pg_catalog.text[]")).Scan(&schemas); err != nil {
		return nil, fmt.Errorf("reading the session's search_path: %w", err)
	}
	var got string
	if err := q.QueryRow(ctx, tagged("SELECT pg_catalog.set_config('search_path', $1, true)"), pinnedSearchPath).Scan(&got); err != nil {
		return nil, fmt.Errorf("pinning search_path to %s: %w", pinnedSearchPath, err)
	}
	return schemas, nil
}

// Collect opens one read-only transaction on db (see WithReadOnlyTx), runs
// CollectTx in it and rolls it back. It returns an error for invalid options,
// connection or query failures (a statement timeout included); missing
// pg_stat_statements or privileges are warnings in Stats.Warnings.
func Collect(ctx context.Context, db TxBeginner, opts Options) (*Stats, error) {
	start := time.Now()
	nopts, _, err := opts.normalised()
	if err != nil {
		return nil, fmt.Errorf("invalid collection options: %w", err)
	}
	var st *Stats
	err = WithReadOnlyTx(ctx, db, nopts.StatementTimeout, func(q Querier) error {
		var err error
		st, err = CollectTx(ctx, q, opts)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("collecting PostgreSQL statistics: %w", err)
	}
	st.Timing.Wall = time.Since(start)
	return st, nil
}

// CollectTx collects on q, which should be a read-only transaction with a
// statement timeout (Collect provides one; a plain connection works but then
// nothing enforces either). Unqualified Options.Tables names resolve in the
// session's search_path as it was before the collector pinned it: the one
// WithReadOnlyTx read, or, for a q from elsewhere, q's own, which CollectTx
// reads first and then pins the same way (pinSearchPath: transaction-locally,
// so in q's transaction until it ends; on a connection outside a transaction
// block the pin ends with its statement, and only the collector's
// schema-qualified calls are protected). With opts.Sample > 0 it waits that
// long between two snapshots, honouring ctx.
func CollectTx(ctx context.Context, q Querier, opts Options) (*Stats, error) {
	opts, tables, err := opts.normalised()
	if err != nil {
		return nil, fmt.Errorf("invalid collection options: %w", err)
	}
	var searchPath []string
	if p, ok := q.(*pinnedTx); ok {
		searchPath = p.searchPath
	} else if searchPath, err = pinSearchPath(ctx, q); err != nil {
		return nil, err
	}
	c := &collector{q: &countingQuerier{Querier: q}, opts: opts, tables: tables, searchPath: searchPath, st: &Stats{}}
	if err := c.run(ctx); err != nil {
		return nil, err
	}
	return c.st, nil
}

// countingQuerier counts the statements sent through it: pg_stat_statements
// counts the collector's own statements in the connected database as calls,
// and a sample tells them from the applications' by this count (ownCounted).
// utility counts those of them that are utility statements (SAVEPOINT,
// RELEASE, ROLLBACK TO), which pg_stat_statements counts only under
// pg_stat_statements.track_utility.
type countingQuerier struct {
	Querier
	n, utility int64
}

func (q *countingQuerier) count(sql string) {
	q.n++
	verb, _, _ := strings.Cut(strings.TrimSpace(sql), " ")
	if !strings.EqualFold(verb, "SELECT") && !strings.EqualFold(verb, "WITH") {
		q.utility++
	}
}

func (q *countingQuerier) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	q.count(sql)
	return q.Querier.Exec(ctx, sql, args...)
}

func (q *countingQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	q.count(sql)
	return q.Querier.Query(ctx, sql, args...)
}

func (q *countingQuerier) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	q.count(sql)
	return q.Querier.QueryRow(ctx, sql, args...)
}

// collector holds one collection's state.
type collector struct {
	// q counts the statements sent through it (q.n).
	q      *countingQuerier
	opts   Options
	tables []qualifiedName
	// searchPath are the session's schemas, in priority order, in which an
	// unqualified table name resolves (pinSearchPath).
	searchPath []string
	st         *Stats
	pgss       *pgssInfo // nil when pg_stat_statements is unusable
	// topKeys are the pg_stat_statements keys of st.Statements.Top, in order.
	topKeys []pgssKey
	// firstCounters are the first sample snapshot's statement counters.
	firstCounters map[pgssKey]pgssCounter
	// firstDatabases are the first sample snapshot's databases.
	firstDatabases []Database
	// untracked and utilityUntracked are set when the session's settings
	// keep pg_stat_statements from counting the collector's own statements
	// (pg_stat_statements.track = none, compute_query_id = off) or its
	// utility statements (pg_stat_statements.track_utility = off): see
	// ownCounted.
	untracked, utilityUntracked bool
}

// ownCounted is how many of the statements the collector has sent so far
// pg_stat_statements counts, under the session's tracking settings (read by
// checkPgssTracking before any sample).
func (c *collector) ownCounted() int64 {
	switch {
	case c.untracked:
		return 0
	case c.utilityUntracked:
		return c.q.n - c.q.utility
	}
	return c.q.n
}

// pgssInfo describes the installed pg_stat_statements extension.
type pgssInfo struct {
	schema       string
	version      string
	major, minor int
}

func (p *pgssInfo) atLeast(major, minor int) bool {
	return p.major > major || (p.major == major && p.minor >= minor)
}

// fn returns the sanitised call of the pg_stat_statements(showtext) function.
func (p *pgssInfo) fn(showtext bool) string {
	return pgx.Identifier{p.schema, "pg_stat_statements"}.Sanitize() + "(" + strconv.FormatBool(showtext) + ")"
}

func (p *pgssInfo) totalCol() string {
	if p.atLeast(1, 8) {
		return "total_exec_time"
	}
	return "total_time"
}

func (p *pgssInfo) meanCol() string {
	if p.atLeast(1, 8) {
		return "mean_exec_time"
	}
	return "mean_time"
}

func (p *pgssInfo) toplevelCol() string {
	if p.atLeast(1, 9) {
		return "s.toplevel"
	}
	return "true"
}

// pgssKey identifies a pg_stat_statements entry.
type pgssKey struct {
	userid, dbid uint32
	queryid      int64
	toplevel     bool
}

// pgssCounter is an entry's cumulative counters.
type pgssCounter struct {
	calls   int64
	totalMs float64
}

// snapshot is what a sample compares.
type snapshot struct {
	at        time.Time
	databases []Database
	pgss      map[pgssKey]pgssCounter // only in sample mode; nil when unreadable
	pgssCount int64                   // entries read into pgss
	// sentBeforePgss is how many of the statements the collector had sent
	// when it read pgss pg_stat_statements counts (ownCounted): it counts a
	// statement when it ends, so pgss holds the collector's statements sent
	// before that read.
	sentBeforePgss int64
}

func (c *collector) warn(format string, args ...any) {
	c.st.Warnings = append(c.st.Warnings, fmt.Sprintf(format, args...))
}

func (c *collector) run(ctx context.Context) error {
	if err := c.readServer(ctx); err != nil {
		return err
	}
	if !c.opts.SkipStatements {
		if err := c.detectPgss(ctx); err != nil {
			return err
		}
	}
	if !c.st.Server.CanReadAllStats {
		c.warn("role %q lacks the privileges of pg_read_all_stats (GRANT pg_monitor TO %s): other roles' query texts, "+
			"session states and replication details are hidden and reported empty, and connection counts are an upper bound "+
			"(other roles' parallel, autovacuum and WAL sender workers, which take no max_connections slot, cannot be told from clients)",
			c.st.Server.User, quoteIdentIfNeeded(c.st.Server.User))
	}

	if c.opts.Sample <= 0 {
		s, err := c.snapshot(ctx, false)
		if err != nil {
			return err
		}
		c.st.Databases = s.databases
		c.st.CollectedAt = s.at
		c.ratesSinceReset()
		return nil
	}

	// A long sample keeps the transaction open while idle: make sure the
	// server's transaction limits do not end the session meanwhile.
	for _, stmt := range sampleTimeoutStatements(c.st.Server.VersionNum, c.opts.Sample) {
		if _, err := c.q.Exec(ctx, stmt.sql, stmt.args...); err != nil {
			return fmt.Errorf("%s for the sample: %w", stmt.what, err)
		}
	}
	first, err := c.snapshot(ctx, true)
	if err != nil {
		return fmt.Errorf("first sample snapshot: %w", err)
	}
	c.firstCounters, c.firstDatabases = first.pgss, first.databases
	timer := time.NewTimer(c.opts.Sample)
	select {
	case <-ctx.Done():
		timer.Stop()
		return fmt.Errorf("waiting %s between sample snapshots: %w", c.opts.Sample, ctx.Err())
	case <-timer.C:
	}
	second, err := c.snapshot(ctx, true)
	if err != nil {
		return fmt.Errorf("second sample snapshot: %w", err)
	}
	c.st.Databases = second.databases
	c.st.CollectedAt = second.at
	c.ratesFromSample(first, second)
	return nil
}

// timeoutStatement is one statement of sampleTimeoutStatements.
type timeoutStatement struct {
	what string // what it does, for an error: "raising idle_in_transaction_session_timeout"
	sql  string
	args []any
}

// sampleTimeoutStatements returns the statements that keep the server from
// ending the transaction of a sample this long (server_version_num
// versionNum), each transaction-local (set_config(..., is_local => true)):
// idle_in_transaction_session_timeout, when set (not 0) to less than the
// sample plus a minute, is raised to that, and from PostgreSQL 17 (170000)
// transaction_timeout, which a parameter group may set below the sample, is
// turned off (0). Older servers do not know transaction_timeout and would
// reject it.
func sampleTimeoutStatements(versionNum int, sample time.Duration) []timeoutStatement {
	idle := (sample + time.Minute).Milliseconds()
	out := []timeoutStatement{{
		what: "raising idle_in_transaction_session_timeout",
		sql: tagged(`SELECT pg_catalog.set_config('idle_in_transaction_session_timeout', $1, true)
		FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout' AND setting::bigint BETWEEN 1 AND $2::bigint`),
		args: []any{strconv.FormatInt(idle, 10), idle},
	}}
	if versionNum >= 170000 {
		out = append(out, timeoutStatement{
			what: "turning off transaction_timeout",
			sql:  tagged(`SELECT pg_catalog.set_config('transaction_timeout', '0', true)`),
		})
	}
	return out
}

// readServer reads the server facts every later query depends on.
func (c *collector) readServer(ctx context.Context) error {
	s := &c.st.Server
	var start, now time.Time
	var reset *time.Time
	err := c.q.QueryRow(ctx, tagged(`SELECT current_setting('server_version'), current_setting('server_version_num')::int,
		pg_postmaster_start_time(), clock_timestamp(), pg_is_in_recovery(), current_database(), current_user,
		pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),
		(SELECT stats_reset FROM pg_stat_database WHERE datname = current_database())`)).
		Scan(&s.Version, &s.VersionNum, &start, &now, &s.InRecovery, &s.Database, &s.User, &s.CanReadAllStats, &reset)
	if err != nil {
		return fmt.Errorf("reading server version and state: %w", err)
	}
	if s.VersionNum < MinServerVersionNum {
		return fmt.Errorf("PostgreSQL %s (server_version_num %d) is not supported: PostgreSQL 12 or later is required", s.Version, s.VersionNum)
	}
	s.StartTime = start
	s.UptimeSeconds = now.Sub(start).Seconds()
	if reset != nil {
		s.StatsReset = *reset
	}
	return nil
}

// detectPgss finds pg_stat_statements in the connected database and checks
// that it can be read, turning every non-fatal problem into a warning.
func (c *collector) detectPgss(ctx context.Context) error {
	var schema, version string
	err := c.q.QueryRow(ctx, tagged(`SELECT n.nspname, e.extversion FROM pg_extension e
		JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'`)).Scan(&schema, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		c.warn("pg_stat_statements is not installed in database %q: add it to shared_preload_libraries (RDS and Aurora preload it) "+
			"and run CREATE EXTENSION pg_stat_statements in this database; statement statistics are empty", c.st.Server.Database)
		return nil
	}
	if err != nil {
		return fmt.Errorf("looking up the pg_stat_statements extension: %w", err)
	}
	info := &pgssInfo{schema: schema, version: version}
	if n, _ := fmt.Sscanf(version, "%d.%d", &info.major, &info.minor); n != 2 {
		c.warn("pg_stat_statements version %q is not understood; statement statistics are empty", version)
		return nil
	}
	c.st.Statements.ExtensionVersion = version
	// Every read of the view runs in guardPgss: an extension that is created
	// but not preloaded raises an error there, which becomes a warning.
	c.pgss = info
	c.st.Statements.Available = true
	c.st.Statements.TextsVisible = c.st.Server.CanReadAllStats
	return c.checkPgssTracking(ctx)
}

// pgssTrackingSettings are the pg_settings rows that decide whether
// pg_stat_statements records statements at all: pg_stat_statements.track
// (none: nothing) and, from PostgreSQL 14, compute_query_id (off: no query
// identifier, and pg_stat_statements records nothing without one; auto, the
// default, is turned on by the loaded module). A server that does not know a
// name (compute_query_id before 14, pg_stat_statements.track when the module
// is not loaded) leaves it out of the result.
// pg_stat_statements.track_utility (off: no utility statement, such as the
// collector's SAVEPOINT) is read for ownCounted only.
var pgssTrackingSettings = []string{"pg_stat_statements.track", "compute_query_id", "pg_stat_statements.track_utility"}

// checkPgssTracking warns when pg_stat_statements is installed but does not
// record statements (pgssTrackingWarnings): the section would otherwise report
// no statement and 0 calls per second as if the server were idle.
func (c *collector) checkPgssTracking(ctx context.Context) error {
	rows, err := c.q.Query(ctx, tagged("SELECT name, setting, source FROM pg_settings WHERE name = ANY($1::text[]) ORDER BY name"), pgssTrackingSettings)
	if err != nil {
		return fmt.Errorf("reading the pg_stat_statements tracking settings: %w", err)
	}
	rs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (trackingSetting, error) {
		var ts trackingSetting
		err := row.Scan(&ts.name, &ts.setting, &ts.source)
		return ts, err
	})
	if err != nil {
		return fmt.Errorf("reading the pg_stat_statements tracking settings: %w", err)
	}
	c.st.Warnings = append(c.st.Warnings, pgssTrackingWarnings(rs, c.st.Server.Database)...)
	// The session's own values, whatever their source, decide what of the
	// collector's statements is counted.
	for _, r := range rs {
		switch {
		case r.name == "pg_stat_statements.track" && r.setting == "none", r.name == "compute_query_id" && r.setting == "off":
			c.untracked = true
		case r.name == "pg_stat_statements.track_utility" && r.setting == "off":
			c.utilityUntracked = true
		}
	}
	return nil
}

// trackingSetting is one pg_settings row read by checkPgssTracking.
type trackingSetting struct {
	name, setting, source string
}

// pgssTrackingWarnings returns one warning per setting that stops
// pg_stat_statements recording statements (pg_stat_statements.track = none,
// compute_query_id = off), naming the setting, its value and where to change
// it: the DB parameter group (postgresql.conf when self-managed), or, when
// pg_settings.source is "database", the connected database's ALTER DATABASE
// ... SET. A value set for the session's role (source "user" or "database
// user") or by the session itself ("client", "session") is ignored: it
// governs only sessions like the collector's, whose own statements are left
// out anyway, not the workload.
func pgssTrackingWarnings(rs []trackingSetting, database string) []string {
	var out []string
	for _, r := range rs {
		var effect, fix string
		switch {
		case r.name == "pg_stat_statements.track" && r.setting == "none":
			effect, fix = "pg_stat_statements records no statement", "top (the default) or all"
		case r.name == "compute_query_id" && r.setting == "off":
			effect, fix = "no query identifier is computed and pg_stat_statements records no statement without one", "auto (the default) or on"
		default:
			continue
		}
		switch r.source {
		case "user", "database user", "client", "session":
			continue
		case "database":
			out = append(out, fmt.Sprintf("%s is %s for database %q, so %s there: statement statistics miss its workload "+
				"(no statements in a sample, 0 calls per second); reset it (ALTER DATABASE %s RESET %s) or set it to %s",
				r.name, r.setting, database, effect, quoteIdentIfNeeded(database), r.name, fix))
		default:
			out = append(out, fmt.Sprintf("%s is %s, so %s: statement statistics miss the workload "+
				"(no statements in a sample, 0 calls per second); set %s to %s in the DB parameter group "+
				"(postgresql.conf when self-managed), which applies without a restart", r.name, r.setting, effect, r.name, fix))
		}
	}
	return out
}

// inSavepoint runs fn inside a savepoint, so that a failing statistics query
// does not abort the whole read-only transaction. When fn fails with a server
// error other than a cancellation (statement timeout, 57014), the transaction
// is rolled back to the savepoint and that error is returned as pgErr for the
// caller to judge; any other failure is returned as err.
func (c *collector) inSavepoint(ctx context.Context, what string, fn func() error) (pgErr *pgconn.PgError, err error) {
	if _, err := c.q.Exec(ctx, tagged("SAVEPOINT rightsize_guard")); err != nil {
		return nil, fmt.Errorf("%s: creating savepoint: %w", what, err)
	}
	ferr := fn()
	if ferr == nil {
		if _, err := c.q.Exec(ctx, tagged("RELEASE SAVEPOINT rightsize_guard")); err != nil {
			return nil, fmt.Errorf("%s: releasing savepoint: %w", what, err)
		}
		return nil, nil
	}
	if !errors.As(ferr, &pgErr) || pgErr.Code == "57014" {
		return nil, fmt.Errorf("%s: %w", what, ferr)
	}
	if _, err := c.q.Exec(ctx, tagged("ROLLBACK TO SAVEPOINT rightsize_guard")); err != nil {
		return nil, fmt.Errorf("%s: rolling back to savepoint after %w: %w", what, ferr, err)
	}
	return pgErr, nil
}

// guardPgss runs fn inside a savepoint (inSavepoint). A server error other
// than a cancellation (statement timeout) becomes a warning and disables the
// statement section (ok false, err nil); anything else is returned.
func (c *collector) guardPgss(ctx context.Context, what string, fn func() error) (ok bool, err error) {
	pgErr, err := c.inSavepoint(ctx, what, fn)
	if err != nil {
		return false, err
	}
	if pgErr == nil {
		return true, nil
	}
	hint := ""
	if pgErr.Code == "55000" {
		hint = " (add pg_stat_statements to shared_preload_libraries and restart)"
	}
	c.warn("pg_stat_statements cannot be read: %s%s; statement statistics are empty", pgErr.Message, hint)
	c.pgss = nil
	c.st.Statements = Statements{ExtensionVersion: c.st.Statements.ExtensionVersion}
	return false, nil
}

// snapshot reads one set of statistics. A counters-only snapshot (the first of
// a sample) reads only what rates need; the final one reads everything. The
// server time of each snapshot is appended to Timing.SnapshotServerTimes.
func (c *collector) snapshot(ctx context.Context, sample bool) (*snapshot, error) {
	var begin time.Time
	// Discard the statistics snapshot cached by this transaction (PostgreSQL
	// keeps it until the transaction ends) so the counters are current.
	if err := c.q.QueryRow(ctx, tagged("SELECT clock_timestamp() FROM (SELECT pg_stat_clear_snapshot()) AS cleared")).Scan(&begin); err != nil {
		return nil, fmt.Errorf("clearing the statistics snapshot: %w", err)
	}
	s := &snapshot{at: begin}
	var err error
	final := !sample || len(c.st.Timing.SnapshotServerTimes) == 1
	if s.databases, err = c.readDatabases(ctx); err != nil {
		return nil, err
	}
	if final {
		c.st.DatabasesTotal = len(s.databases)
		s.databases = busiestDatabases(s.databases, c.firstDatabases, c.opts.MaxDatabases, c.st.Server.Database)
	}
	if sample && c.pgss != nil {
		var counters map[pgssKey]pgssCounter
		var n int64
		ok, err := c.guardPgss(ctx, "reading pg_stat_statements counters", func() error {
			var err error
			s.sentBeforePgss = c.ownCounted()
			counters, n, err = c.readPgssCounters(ctx)
			return err
		})
		if err != nil {
			return nil, err
		}
		if ok {
			s.pgss, s.pgssCount = counters, n
		}
	}
	if final {
		// The sizes are read after the statement counters: pg_database_size
		// walks each database's files, and statements run meanwhile would be
		// counted by pg_stat_statements but not by the pg_stat_database row
		// read before them (the unpublished-transactions check compares the two).
		if !c.opts.SkipCatalogScans {
			if err := c.readDatabaseSizes(ctx, s.databases); err != nil {
				return nil, err
			}
		}
		var sampleTop []pgssKey // nil without a sample: rank by cumulative time
		if sample {
			sampleTop = topByDelta(c.firstCounters, s.pgss, c.opts.TopStatements+selfStatementAllowance)
		}
		if err := c.readFinal(ctx, sample, sampleTop); err != nil {
			return nil, err
		}
	}
	var end time.Time
	if err := c.q.QueryRow(ctx, tagged("SELECT clock_timestamp()")).Scan(&end); err != nil {
		return nil, fmt.Errorf("reading the server clock: %w", err)
	}
	c.st.Timing.SnapshotServerTimes = append(c.st.Timing.SnapshotServerTimes, end.Sub(begin))
	return s, nil
}

// readFinal reads everything that is reported once, from the last snapshot.
func (c *collector) readFinal(ctx context.Context, sample bool, sampleTop []pgssKey) error {
	if err := c.readSettings(ctx); err != nil {
		return err
	}
	if err := c.readConnections(ctx); err != nil {
		return err
	}
	if err := c.readReplication(ctx); err != nil {
		return err
	}
	if err := c.readCheckpoints(ctx); err != nil {
		return err
	}
	if !c.opts.SkipCatalogScans {
		if err := c.readUnusedIndexes(ctx); err != nil {
			return err
		}
	}
	if err := c.readTables(ctx); err != nil {
		return err
	}
	if c.pgss != nil {
		if _, err := c.guardPgss(ctx, "reading pg_stat_statements", func() error {
			if sample {
				return c.readSampledStatements(ctx, sampleTop)
			}
			return c.readStatements(ctx)
		}); err != nil {
			return err
		}
	}
	return nil
}

// unsizedDatabases are databases whose size is never read (SizeBytes -1, as
// for a database the role may not connect to): RDS's internal rdsadmin, for
// which pg_database_size() is reported to fail with "permission denied for
// database rdsadmin" even for roles with pg_read_all_stats.
var unsizedDatabases = []string{"rdsadmin"}

// readDatabases reads pg_stat_database, by name; SizeBytes is -1 (the final
// snapshot sizes the databases it lists: readDatabaseSizes).
func (c *collector) readDatabases(ctx context.Context) ([]Database, error) {
	rows, err := c.q.Query(ctx, tagged(`SELECT d.datid, d.datname, d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit,
		d.temp_files, d.temp_bytes, d.deadlocks, d.conflicts, d.stats_reset
		FROM pg_stat_database d JOIN pg_database db ON db.oid = d.datid
		WHERE d.datname IS NOT NULL AND NOT db.datistemplate AND db.datallowconn
		ORDER BY d.datname`))
	if err != nil {
		return nil, fmt.Errorf("reading pg_stat_database: %w", err)
	}
	defer rows.Close()
	var out []Database
	for rows.Next() {
		d := Database{SizeBytes: -1}
		var reset *time.Time
		if err := rows.Scan(&d.oid, &d.Name, &d.XactCommit, &d.XactRollback, &d.BlksRead, &d.BlksHit,
			&d.TempFiles, &d.TempBytes, &d.Deadlocks, &d.Conflicts, &reset); err != nil {
			return nil, fmt.Errorf("reading pg_stat_database: %w", err)
		}
		if reset != nil {
			d.StatsReset = *reset
		}
		d.CacheHitRatio = ratio(float64(d.BlksHit), float64(d.BlksHit+d.BlksRead))
		d.IntervalCacheHitRatio = math.NaN()
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading pg_stat_database: %w", err)
	}
	return out, nil
}

// busiestDatabases returns dbs (in their order) when n is 0 or they are at
// most n, else n of them in their order: the database named connected and the
// n-1 others with the most transactions (XactCommit + XactRollback), counted
// from prev (a sample's first snapshot; nil for since the counters were reset,
// as for a database absent from prev or whose counters went backwards), ties
// by name. It does not modify dbs.
func busiestDatabases(dbs, prev []Database, n int, connected string) []Database {
	if n <= 0 || len(dbs) <= n {
		return dbs
	}
	before := make(map[string]int64, len(prev))
	for _, p := range prev {
		before[p.Name] = p.XactCommit + p.XactRollback
	}
	busy := func(d Database) int64 {
		tx := d.XactCommit + d.XactRollback
		if b, ok := before[d.Name]; ok && b <= tx {
			return tx - b
		}
		return tx
	}
	order := make([]int, len(dbs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := dbs[order[i]], dbs[order[j]]
		if (a.Name == connected) != (b.Name == connected) {
			return a.Name == connected
		}
		if ba, bb := busy(a), busy(b); ba != bb {
			return ba > bb
		}
		return a.Name < b.Name
	})
	keep := order[:n]
	sort.Ints(keep)
	out := make([]Database, 0, n)
	for _, i := range keep {
		out = append(out, dbs[i])
	}
	return out
}

// readDatabaseSizes sets SizeBytes of dbs (the databases listed: only they
// are walked) to pg_database_size(), in bytes, for each database the role may
// size the way PostgreSQL decides (CONNECT on it, or the privileges of
// pg_read_all_stats) other than unsizedDatabases; the
// others, and a database dropped meanwhile, stay -1. The sizes are read in
// one query inside a savepoint, apart from the counters: when it fails anyway
// (EXECUTE on pg_database_size revoked, a database dropped during the read,
// a managed service refusing one) every size stays -1 with a warning and the
// read goes on. Only a statement timeout or a connection failure is an error.
func (c *collector) readDatabaseSizes(ctx context.Context, dbs []Database) error {
	sizes := map[string]int64{}
	names := make([]string, len(dbs))
	for i, d := range dbs {
		names[i] = d.Name
	}
	pgErr, err := c.inSavepoint(ctx, "reading database sizes", func() error {
		rows, err := c.q.Query(ctx, tagged(`SELECT d.datname, coalesce(CASE WHEN d.datname = ANY($1::text[]) THEN NULL
			WHEN has_database_privilege(d.oid, 'CONNECT') OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')
			THEN pg_database_size(d.oid) END, -1)
			FROM pg_database d WHERE NOT d.datistemplate AND d.datallowconn AND d.datname = ANY($2::text[])`), unsizedDatabases, names)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			var size int64
			if err := rows.Scan(&name, &size); err != nil {
				return err
			}
			sizes[name] = size
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	if pgErr != nil {
		hint := ""
		if pgErr.Code == "42501" {
			hint = fmt.Sprintf(" (the role needs EXECUTE on pg_database_size and CONNECT on each database, or GRANT pg_monitor TO %s)",
				quoteIdentIfNeeded(c.st.Server.User))
		}
		c.warn("database sizes are unknown (size_bytes -1): pg_database_size() failed: %s (SQLSTATE %s)%s", pgErr.Message, pgErr.Code, hint)
		return nil
	}
	for i := range dbs {
		if n, ok := sizes[dbs[i].Name]; ok {
			dbs[i].SizeBytes = n
		}
	}
	return nil
}

func (c *collector) readSettings(ctx context.Context) error {
	rows, err := c.q.Query(ctx, tagged("SELECT name, setting, coalesce(unit, '') FROM pg_settings WHERE name = ANY($1::text[])"), settingNames)
	if err != nil {
		return fmt.Errorf("reading pg_settings: %w", err)
	}
	defer rows.Close()
	var rs []settingRow
	for rows.Next() {
		var r settingRow
		if err := rows.Scan(&r.name, &r.setting, &r.unit); err != nil {
			return fmt.Errorf("reading pg_settings: %w", err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading pg_settings: %w", err)
	}
	var warnings []string
	c.st.Settings, warnings = buildSettings(rs)
	c.st.Warnings = append(c.st.Warnings, warnings...)
	return nil
}

// readConnections must run after readSettings (it uses the limits).
func (c *collector) readConnections(ctx context.Context) error {
	// A role without pg_read_all_stats sees other sessions' backend_type and
	// state as NULL; those with a database are client backends (or, rarely,
	// parallel workers) and count with state "unknown".
	rows, err := c.q.Query(ctx, tagged(`SELECT coalesce(state, 'unknown'), coalesce(application_name, ''), count(*)::int,
		coalesce(max(extract(epoch FROM clock_timestamp() - query_start)) FILTER (WHERE state = 'active'), 0)::float8,
		coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0)::float8,
		coalesce(max(extract(epoch FROM clock_timestamp() - state_change)) FILTER (WHERE state LIKE 'idle in transaction%'), 0)::float8
		FROM pg_stat_activity
		WHERE (backend_type = 'client backend' OR (backend_type IS NULL AND datid IS NOT NULL)) AND pid <> pg_backend_pid()
		GROUP BY 1, 2 ORDER BY 1, 2`))
	if err != nil {
		return fmt.Errorf("reading pg_stat_activity: %w", err)
	}
	defer rows.Close()
	cn := Connections{ByState: map[string]int{}, ByApplication: map[string]int{}}
	for rows.Next() {
		var state, app string
		var n int
		var stmt, xact, idleTx float64
		if err := rows.Scan(&state, &app, &n, &stmt, &xact, &idleTx); err != nil {
			return fmt.Errorf("reading pg_stat_activity: %w", err)
		}
		cn.ByState[state] += n
		cn.ByApplication[app] += n
		cn.Total += n
		switch state {
		case "active":
			cn.Active += n
		case "idle":
			cn.Idle += n
		case "idle in transaction", "idle in transaction (aborted)":
			cn.IdleInTransaction += n
		}
		cn.LongestStatementSeconds = max(cn.LongestStatementSeconds, stmt)
		cn.LongestTransactionSeconds = max(cn.LongestTransactionSeconds, xact)
		cn.LongestIdleInTransactionSeconds = max(cn.LongestIdleInTransactionSeconds, idleTx)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading pg_stat_activity: %w", err)
	}
	set := c.st.Settings
	cn.MaxConnections = int(set.MaxConnections)
	cn.SuperuserReserved = int(set.SuperuserReservedConnections)
	cn.Reserved = int(set.ReservedConnections)
	cn.RDSSuperuserReserved = int(set.RDSSuperuserReservedConnections)
	cn.Available = cn.MaxConnections - cn.SuperuserReserved - cn.Reserved - cn.RDSSuperuserReserved
	cn.Utilisation = ratio(float64(cn.Total+1), float64(cn.Available))
	c.st.Connections = cn
	return nil
}

func (c *collector) readReplication(ctx context.Context) error {
	current := "pg_catalog.pg_current_wal_lsn()"
	if c.st.Server.InRecovery {
		current = "pg_catalog.pg_last_wal_replay_lsn()"
	}
	rows, err := c.q.Query(ctx, tagged(`SELECT coalesce(application_name, ''), coalesce(host(client_addr), ''),
		coalesce(state, ''), coalesce(sync_state, ''),
		extract(epoch FROM write_lag)::float8, extract(epoch FROM flush_lag)::float8, extract(epoch FROM replay_lag)::float8,
		pg_catalog.pg_wal_lsn_diff(`+current+`, replay_lsn)::float8
		FROM pg_stat_replication ORDER BY application_name, pid`))
	if err != nil {
		return fmt.Errorf("reading pg_stat_replication: %w", err)
	}
	defer rows.Close()
	r := Replication{ReplayDelaySeconds: math.NaN(), ReceiveReplayLagBytes: -1}
	for rows.Next() {
		var rep Replica
		var w, f, rp, lagBytes *float64
		if err := rows.Scan(&rep.ApplicationName, &rep.ClientAddr, &rep.State, &rep.SyncState, &w, &f, &rp, &lagBytes); err != nil {
			return fmt.Errorf("reading pg_stat_replication: %w", err)
		}
		rep.WriteLagSeconds, rep.FlushLagSeconds, rep.ReplayLagSeconds = orNaN(w), orNaN(f), orNaN(rp)
		rep.ReplayLagBytes = -1
		if lagBytes != nil {
			rep.ReplayLagBytes = int64(*lagBytes)
		}
		r.Replicas = append(r.Replicas, rep)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading pg_stat_replication: %w", err)
	}
	if c.st.Server.InRecovery {
		if err := c.readStandbyReplay(ctx, &r); err != nil {
			return err
		}
	}
	if r.Slots, err = c.readSlots(ctx, current); err != nil {
		return err
	}
	c.st.Replication = r
	return nil
}

// slotsQuery is the pg_replication_slots query for server_version_num,
// measuring retained WAL up to current (an expression of the WAL position):
// wal_status is PostgreSQL 13's. A lost slot (wal_status lost) retains none
// (NULL): PostgreSQL clears the restart_lsn of a slot invalidated because its
// WAL was removed, but from 16 on keeps that of one invalidated for another
// reason (a standby's conflict with recovery, wal_level below logical, and on
// 18 idle_replication_slot_timeout), which no longer holds back WAL removal.
func slotsQuery(versionNum int, current string) string {
	walStatus := "''"
	retained := `pg_catalog.pg_wal_lsn_diff(` + current + `, restart_lsn)::float8`
	if versionNum >= 130000 {
		walStatus = "coalesce(wal_status, '')"
		retained = `CASE WHEN wal_status = 'lost' THEN NULL ELSE ` + retained + ` END`
	}
	return `SELECT slot_name::text, slot_type, coalesce(plugin::text, ''), coalesce(database::text, ''), temporary, active, ` +
		walStatus + `, ` + retained + `
		FROM pg_catalog.pg_replication_slots ORDER BY slot_name`
}

// readSlots reads pg_replication_slots (readable by any role), with the WAL
// each slot retains measured up to current.
func (c *collector) readSlots(ctx context.Context, current string) ([]ReplicationSlot, error) {
	rows, err := c.q.Query(ctx, tagged(slotsQuery(c.st.Server.VersionNum, current)))
	if err != nil {
		return nil, fmt.Errorf("reading pg_replication_slots: %w", err)
	}
	defer rows.Close()
	var slots []ReplicationSlot
	for rows.Next() {
		var s ReplicationSlot
		var retained *float64
		if err := rows.Scan(&s.Name, &s.Type, &s.Plugin, &s.Database, &s.Temporary, &s.Active, &s.WALStatus, &retained); err != nil {
			return nil, fmt.Errorf("reading pg_replication_slots: %w", err)
		}
		s.RetainedBytes = -1
		if retained != nil {
			s.RetainedBytes = max(int64(*retained), 0)
		}
		slots = append(slots, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading pg_replication_slots: %w", err)
	}
	return slots, nil
}

// tolerableStandbyError reports whether a standby's replay functions failing
// with pgErr should leave the replay figures unknown, with a warning, rather
// than fail the collection: feature_not_supported (0A000) is what Aurora
// replicas, which report being in recovery but do not stream WAL, raise for
// pg_last_wal_receive_lsn() ("Function ... is currently not supported for
// Aurora"); undefined_function (42883) a server without the function;
// insufficient_privilege (42501) a role whose EXECUTE on it was revoked.
func tolerableStandbyError(pgErr *pgconn.PgError) bool {
	switch pgErr.Code {
	case "0A000", "42883", "42501":
		return true
	}
	return false
}

// readStandbyReplay reads a standby's replay delay and received-but-not-
// replayed WAL into r, each query in a savepoint. When the combined query
// fails with a tolerable error (tolerableStandbyError) the WAL figure stays
// unknown (-1) with a warning, and the delay, which needs only
// pg_last_xact_replay_timestamp(), is read on its own; if that fails too it
// stays unknown (NaN) with a second warning. Other errors fail the read.
func (c *collector) readStandbyReplay(ctx context.Context, r *Replication) error {
	const what = "reading standby replay delay"
	var delay, lag *float64
	pgErr, err := c.inSavepoint(ctx, what, func() error {
		return c.q.QueryRow(ctx, tagged(`SELECT
			extract(epoch FROM pg_catalog.clock_timestamp() - pg_catalog.pg_last_xact_replay_timestamp())::float8,
			pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn())::float8`)).Scan(&delay, &lag)
	})
	if err != nil {
		return err
	}
	if pgErr != nil {
		if !tolerableStandbyError(pgErr) {
			return fmt.Errorf("%s: %w", what, pgErr)
		}
		c.warn("the standby's received but not yet replayed WAL is unknown: %s (SQLSTATE %s)%s",
			pgErr.Message, pgErr.Code, standbyErrorHint(pgErr, c.st.Server.User))
		delay, lag = nil, nil
		pgErr, err = c.inSavepoint(ctx, what, func() error {
			return c.q.QueryRow(ctx, tagged(`SELECT
				extract(epoch FROM pg_catalog.clock_timestamp() - pg_catalog.pg_last_xact_replay_timestamp())::float8`)).Scan(&delay)
		})
		if err != nil {
			return err
		}
		if pgErr != nil {
			if !tolerableStandbyError(pgErr) {
				return fmt.Errorf("%s: %w", what, pgErr)
			}
			c.warn("the standby's replay delay is unknown: %s (SQLSTATE %s)%s",
				pgErr.Message, pgErr.Code, standbyErrorHint(pgErr, c.st.Server.User))
			delay = nil
		}
	}
	r.ReplayDelaySeconds = orNaN(delay)
	if lag != nil {
		r.ReceiveReplayLagBytes = int64(*lag)
	}
	return nil
}

// standbyErrorHint explains a tolerable standby error in a warning.
func standbyErrorHint(pgErr *pgconn.PgError, user string) string {
	switch pgErr.Code {
	case "0A000":
		return " (Aurora replicas do not stream WAL and do not support it)"
	case "42501":
		return fmt.Sprintf(" (GRANT EXECUTE on the function TO %s)", quoteIdentIfNeeded(user))
	}
	return ""
}

// checkpointsQuery returns the checkpoint counters' query for a
// server_version_num: PostgreSQL 17 moved them from pg_stat_bgwriter to
// pg_stat_checkpointer, and counts a standby's restartpoints apart
// (restartpoints_timed, restartpoints_req), which pg_stat_bgwriter counted as
// checkpoints: they are added, so that a standby's figures mean the same on
// every version (and a promoted standby's cover both).
func checkpointsQuery(versionNum int) string {
	if versionNum >= 170000 {
		return "SELECT num_timed + restartpoints_timed, num_requested + restartpoints_req FROM pg_stat_checkpointer"
	}
	return "SELECT checkpoints_timed, checkpoints_req FROM pg_stat_bgwriter"
}

func (c *collector) readCheckpoints(ctx context.Context) error {
	if err := c.q.QueryRow(ctx, tagged(checkpointsQuery(c.st.Server.VersionNum))).Scan(&c.st.Checkpoints.Timed, &c.st.Checkpoints.Requested); err != nil {
		return fmt.Errorf("reading checkpoint statistics: %w", err)
	}
	return nil
}

func (c *collector) readUnusedIndexes(ctx context.Context) error {
	// pg_stat_user_indexes would call the statistics functions for every index
	// (primary keys included); filtering pg_index first keeps this cheap on
	// databases with thousands of tables. Only indexes with storage (relkind
	// i) count, as in pg_stat_user_indexes: a partitioned table's index
	// (relkind I) is never scanned itself, its partitions' indexes are, and
	// dropping it drops theirs. The size function is
	// schema-qualified and given its declared argument type (regclass), on top
	// of the pinned search_path (WithReadOnlyTx): an oid argument would pick
	// an exact-match pg_relation_size(oid) from any schema searched.
	// The window aggregates count and size every unused index before the
	// LIMIT keeps the largest Options.MaxUnusedIndexes. An index dropped while
	// this runs (the statement's catalog snapshot still lists it) has no size
	// (NULL) and is left out: the subquery, whose size function is volatile,
	// is not flattened, so each size is computed once, filtered and summed.
	//
	// pg_relation_size() opens the index with ACCESS SHARE, so it waits for
	// any session holding or awaiting ACCESS EXCLUSIVE on it: REINDEX, VACUUM
	// FULL, CLUSTER, DROP INDEX, a table rewrite, each for as long as it
	// runs. Such indexes, read from pg_locks once (the CTE, used twice, is
	// materialised), are not sized but returned first with locked set (the
	// LIMIT leaves room for them), and left out of the list and the totals
	// with a warning: one tenant's maintenance among thousands of indexes
	// would otherwise fail the whole collection at the statement timeout.
	rows, err := c.q.Query(ctx, tagged(`WITH locked AS (SELECT l.relation FROM pg_locks l
			WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid IS DISTINCT FROM pg_catalog.pg_backend_pid()
			AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = pg_catalog.current_database()))
		SELECT nspname, tab, idx, locked, size, count(*) FILTER (WHERE NOT locked) OVER (), coalesce(sum(size) OVER (), 0)::int8
		FROM (SELECT nspname, tab, idx, locked,
				CASE WHEN NOT locked THEN pg_catalog.pg_relation_size(indexrelid::pg_catalog.regclass) END AS size
			FROM (SELECT n.nspname, t.relname AS tab, c.relname AS idx, i.indexrelid,
					i.indexrelid IN (SELECT relation FROM locked) AS locked
				FROM pg_index i
				JOIN pg_class c ON c.oid = i.indexrelid
				JOIN pg_class t ON t.oid = i.indrelid
				JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE c.relkind = 'i' AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion
				AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
				AND pg_stat_get_numscans(i.indexrelid) = 0) candidates) unused
		WHERE locked OR size IS NOT NULL
		ORDER BY 4 DESC, 5 DESC, 1, 2, 3
		LIMIT $1 + (SELECT count(*) FROM locked)`), c.opts.MaxUnusedIndexes)
	if err != nil {
		return fmt.Errorf("reading unused indexes: %w", err)
	}
	defer rows.Close()
	var locked []string
	for rows.Next() {
		var ix Index
		var isLocked bool
		var size *int64
		if err := rows.Scan(&ix.Schema, &ix.Table, &ix.Name, &isLocked, &size, &c.st.UnusedIndexesTotal, &c.st.UnusedIndexesTotalBytes); err != nil {
			return fmt.Errorf("reading unused indexes: %w", err)
		}
		switch {
		case isLocked:
			locked = append(locked, quoteIdentIfNeeded(ix.Schema)+"."+quoteIdentIfNeeded(ix.Name))
		case len(c.st.UnusedIndexes) < c.opts.MaxUnusedIndexes:
			ix.SizeBytes = *size
			c.st.UnusedIndexes = append(c.st.UnusedIndexes, ix)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading unused indexes: %w", err)
	}
	if len(locked) > 0 {
		c.warn("%s locked by another session (an ACCESS EXCLUSIVE lock held or awaited: REINDEX, VACUUM FULL, CLUSTER, "+
			"DROP INDEX or a table rewrite), which sizing it would wait for, so it is left out of the unused indexes and their totals: %s",
			plural(len(locked), "unused index is", "unused indexes are"), listSome(locked, 10))
	}
	return nil
}

// plural returns "1 <one>" or "n <many>".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// listSome joins the first n names with ", ", saying how many more there are.
func listSome(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}

func (c *collector) readTables(ctx context.Context) error {
	if len(c.tables) == 0 {
		return nil
	}
	schemas := make([]string, len(c.tables))
	names := make([]string, len(c.tables))
	for i, t := range c.tables {
		schemas[i], names[i] = t.schema, t.table
	}
	// The statistics functions are called for the named tables only (the
	// pg_stat_all_tables view would aggregate over every table first). An
	// unqualified name resolves as pg_table_is_visible would have it in the
	// session's search_path (c.searchPath; the transaction's own is pinned):
	// the relation of that name in the first of those schemas holding one, and
	// only if that relation is a table. The size function is schema-qualified
	// with its declared argument type, as in readUnusedIndexes.
	//
	// A partitioned table (relkind p) has no storage, rows or scans of its
	// own: its leaf partitions (every level, from pg_inherits) have them, and
	// it is reported as their sum. Each row is one relation with storage of a
	// named table (the table itself, or one leaf partition; none, with NULLs,
	// for a partitioned table without partitions), summed below. The tree is
	// walked in the catalog, not with pg_partition_tree(), which takes ACCESS
	// SHARE on every partition.
	//
	// pg_total_relation_size() opens the relation, its indexes, its TOAST
	// table and the TOAST table's index with ACCESS SHARE (a REINDEX of a
	// table whose only index is its TOAST table's locks that index alone),
	// so it waits for any session holding or awaiting ACCESS EXCLUSIVE on
	// one of them (VACUUM FULL, CLUSTER, REINDEX, a table
	// rewrite, a migration's ALTER TABLE), as long as that runs. As in
	// readUnusedIndexes, such relations (pg_locks, read once) are not sized:
	// their table's size is -1, with a warning, where the whole collection
	// would otherwise fail at the statement timeout. The other figures come
	// from the statistics functions, which take no lock.
	rows, err := c.q.Query(ctx, tagged(`WITH locked AS MATERIALIZED (SELECT l.relation FROM pg_locks l
			WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid IS DISTINCT FROM pg_catalog.pg_backend_pid()
			AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = pg_catalog.current_database()))
		SELECT t.ord::int, n.nspname, c.relname, c.relkind = 'p', leaf.relid IS NOT NULL,
		s.reltuples::float8, s.relpages::int8,
		pg_stat_get_live_tuples(s.oid), pg_stat_get_dead_tuples(s.oid),
		CASE WHEN s.oid IN (SELECT relation FROM locked) OR s.reltoastrelid IN (SELECT relation FROM locked)
			OR EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid IN (s.oid, s.reltoastrelid) AND i.indexrelid IN (SELECT relation FROM locked))
			THEN -1 ELSE pg_catalog.pg_total_relation_size(s.oid::pg_catalog.regclass) END,
		pg_stat_get_numscans(s.oid), pg_stat_get_tuples_returned(s.oid),
		coalesce((SELECT sum(pg_stat_get_numscans(i.indexrelid)) FROM pg_index i WHERE i.indrelid = s.oid), 0)::int8,
		(coalesce((SELECT sum(pg_stat_get_tuples_fetched(i.indexrelid)) FROM pg_index i WHERE i.indrelid = s.oid), 0)
			+ pg_stat_get_tuples_fetched(s.oid))::int8
		FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(schema_name, rel_name, ord)
		JOIN LATERAL (
			SELECT c.oid, c.relname, c.reltuples, c.relpages, c.relnamespace, c.relkind FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relname = t.rel_name
			AND CASE WHEN t.schema_name = '' THEN n.nspname::text = ANY($3::text[]) ELSE n.nspname = t.schema_name END
			ORDER BY array_position($3::text[], n.nspname::text)
			LIMIT 1) c ON true
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN LATERAL (SELECT c.oid AS relid WHERE c.relkind <> 'p'
			UNION ALL
			(WITH RECURSIVE tree(relid, relkind) AS (
				SELECT i.inhrelid, k.relkind FROM pg_inherits i JOIN pg_class k ON k.oid = i.inhrelid WHERE i.inhparent = c.oid AND c.relkind = 'p'
				UNION ALL
				SELECT i.inhrelid, k.relkind FROM tree JOIN pg_inherits i ON i.inhparent = tree.relid JOIN pg_class k ON k.oid = i.inhrelid
					WHERE tree.relkind = 'p')
			SELECT relid FROM tree WHERE relkind <> 'p')) leaf ON true
		LEFT JOIN pg_class s ON s.oid = leaf.relid
		WHERE c.relkind IN ('r', 'p', 'm', 'f')
		ORDER BY t.ord`), schemas, names, c.searchPath)
	if err != nil {
		return fmt.Errorf("reading table statistics: %w", err)
	}
	defer rows.Close()
	found := make([]bool, len(c.tables))
	locked := make([]bool, len(c.tables)) // a relation of it not sized: locked by another session
	sums := make([]Table, len(c.tables))
	for rows.Next() {
		var ord int
		var schema, table string
		var partitioned, hasLeaf bool
		var reltuples *float64
		var relpages, live, dead, size, seqScans, seqRead, idxScans, idxFetched *int64
		if err := rows.Scan(&ord, &schema, &table, &partitioned, &hasLeaf, &reltuples, &relpages, &live, &dead, &size,
			&seqScans, &seqRead, &idxScans, &idxFetched); err != nil {
			return fmt.Errorf("reading table statistics: %w", err)
		}
		if ord < 1 || ord > len(c.tables) {
			return fmt.Errorf("reading table statistics: unexpected ordinal %d", ord)
		}
		t := &sums[ord-1]
		t.Schema, t.Table = schema, table
		if !hasLeaf { // a partitioned table without partitions: found, and empty
			found[ord-1] = true
			continue
		}
		if size == nil || reltuples == nil {
			// Dropped while this ran (the statement's catalog snapshot still listed it): a table
			// is then not found, a partition is left out of its partitioned table's sums.
			found[ord-1] = found[ord-1] || partitioned
			continue
		}
		found[ord-1] = true
		if *size < 0 {
			locked[ord-1] = true
		} else {
			t.SizeBytes += *size
		}
		t.LiveTuples += deref(live)
		t.DeadTuples += deref(dead)
		t.SeqScans += deref(seqScans)
		t.SeqTuplesRead += deref(seqRead)
		t.IndexScans += deref(idxScans)
		t.IndexTuplesFetched += deref(idxFetched)
		t.EstimatedRows += estimatedRows(c.st.Server.VersionNum, *reltuples, deref(relpages), deref(live))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading table statistics: %w", err)
	}
	first := map[[2]string]string{} // the name each table was first reported under, by schema and name
	var lockedNames []string
	for i, t := range sums {
		if !found[i] {
			continue
		}
		t.Name = c.tables[i].given
		if locked[i] {
			t.SizeBytes = -1
			lockedNames = append(lockedNames, strconv.Quote(t.Name))
		}
		// Named twice (orders and app.orders, or Orders): an entry per name, as documented, so
		// that a lookup by name finds each; the warning tells a consumer keying by schema and
		// table why it sees the key twice.
		key := [2]string{t.Schema, t.Table}
		if earlier, ok := first[key]; ok {
			c.warn("tables %q and %q are the same table, %s.%s: it is reported under each name; list it once",
				earlier, t.Name, quoteIdentIfNeeded(t.Schema), quoteIdentIfNeeded(t.Table))
		} else {
			first[key] = t.Name
		}
		t.SeqScanShare = ratio(float64(t.SeqScans), float64(t.SeqScans+t.IndexScans))
		c.st.Tables = append(c.st.Tables, t)
	}
	if len(lockedNames) > 0 {
		c.warn("%s locked by another session (an ACCESS EXCLUSIVE lock on it, a partition, an index, its TOAST table or its TOAST index, held or awaited: "+
			"VACUUM FULL, CLUSTER, REINDEX, a table rewrite or a migration's ALTER TABLE), which sizing it would wait for, so its size_bytes is -1: %s",
			plural(len(lockedNames), "table is", "tables are"), listSome(lockedNames, 10))
	}
	for i, ok := range found {
		if !ok {
			c.warn("table %q was not found in database %q (looked for %s); it is left out of tables",
				c.tables[i].given, c.st.Server.Database, describeName(c.tables[i], c.searchPath))
		}
	}
	return nil
}

// deref returns *p, or 0 for nil (SQL NULL).
func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// estimatedRows returns a table's row estimate: the planner's
// pg_class.reltuples (rows), or liveTuples (pg_stat_get_live_tuples) when the
// table was never vacuumed or analysed. From PostgreSQL 14 (server_version_num
// 140000) such a table has reltuples -1; before 14 it has reltuples 0 and
// relpages 0, which an analysed empty table also has, and whose live tuples
// are then 0 as well.
func estimatedRows(versionNum int, reltuples float64, relpages, liveTuples int64) float64 {
	if reltuples < 0 || (versionNum < 140000 && reltuples == 0 && relpages == 0) {
		return float64(liveTuples)
	}
	return reltuples
}

// quoteIdentIfNeeded returns name as SQL would need it written: bare when it
// is a plain lower-case identifier that is no keyword a name cannot be
// (keywordNames), double-quoted otherwise ("user" in GRANT pg_monitor TO "user").
func quoteIdentIfNeeded(name string) string {
	if plainIdent.MatchString(name) && !keywordNames[name] {
		return name
	}
	return pgx.Identifier{name}.Sanitize()
}

var plainIdent = regexp.MustCompile(`^[a-z_][a-z0-9_$]*$`)

// keywordNames are the keywords PostgreSQL does not take as a bare role,
// database, schema or table name: pg_get_keywords() categories R (reserved)
// and T (type or function names) of PostgreSQL 15, and system_user, reserved
// from 16.
var keywordNames = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric authorization binary both
		case cast check collate collation column concurrently constraint create cross current_catalog current_date
		current_role current_schema current_time current_timestamp current_user default deferrable desc distinct do
		else end except false fetch for foreign freeze from full grant group having ilike in initially inner
		intersect into is isnull join lateral leading left like limit localtime localtimestamp natural not notnull
		null offset on only or order outer overlaps placing primary references returning right select session_user
		similar some symmetric system_user table tablesample then to trailing true union unique user using variadic
		verbose when where window with`) {
		m[w] = true
	}
	return m
}()

// describeName says where a table name of Options.Tables was looked for:
// an unqualified one in the schemas of searchPath, listed.
func describeName(n qualifiedName, searchPath []string) string {
	if n.schema == "" {
		if len(searchPath) == 0 {
			return fmt.Sprintf("relation %q on the search_path, which names no schema the role may use", n.table)
		}
		return fmt.Sprintf("relation %q on the search_path (schemas %s)", n.table, strings.Join(searchPath, ", "))
	}
	return fmt.Sprintf("relation %q in schema %q", n.table, n.schema)
}

// readPgssCounters reads every entry's counters without query texts.
func (c *collector) readPgssCounters(ctx context.Context) (map[pgssKey]pgssCounter, int64, error) {
	p := c.pgss
	rows, err := c.q.Query(ctx, tagged("SELECT s.userid, s.dbid, coalesce(s.queryid, 0), "+p.toplevelCol()+", s.calls, s."+p.totalCol()+
		" FROM "+p.fn(false)+" s"))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := map[pgssKey]pgssCounter{}
	var n int64
	for rows.Next() {
		var k pgssKey
		var v pgssCounter
		if err := rows.Scan(&k.userid, &k.dbid, &k.queryid, &k.toplevel, &v.calls, &v.totalMs); err != nil {
			return nil, 0, err
		}
		n++
		cur := out[k] // hidden entries share queryid 0: add them up
		out[k] = pgssCounter{calls: cur.calls + v.calls, totalMs: cur.totalMs + v.totalMs}
	}
	return out, n, rows.Err()
}

// readInfo reads pg_stat_statements_info (extension 1.9+).
func (c *collector) readInfo(ctx context.Context) error {
	p := c.pgss
	st := &c.st.Statements
	if !p.atLeast(1, 9) {
		return nil
	}
	var reset *time.Time
	if err := c.q.QueryRow(ctx, tagged("SELECT dealloc, stats_reset FROM "+
		pgx.Identifier{p.schema, "pg_stat_statements_info"}.Sanitize())).Scan(&st.Deallocations, &reset); err != nil {
		return err
	}
	if reset != nil {
		st.StatsReset = *reset
	}
	return nil
}

// readStatements reads the aggregates, the extension's info view and the
// entries with the highest cumulative execution time.
func (c *collector) readStatements(ctx context.Context) error {
	p := c.pgss
	st := &c.st.Statements
	if err := c.readInfo(ctx); err != nil {
		return err
	}
	// One pass over pg_stat_statements, materialised once by the CTE: the
	// aggregate sees every entry, the ORDER BY ... LIMIT (a bounded heap sort)
	// keeps the top ones, and only those are joined and truncated.
	rows, err := c.q.Query(ctx, tagged(`WITH s AS (SELECT userid, dbid, queryid, `+p.toplevelCol()+` AS toplevel, query, calls,
			`+p.totalCol()+` AS total, `+p.meanCol()+` AS mean, rows,
			shared_blks_hit, shared_blks_read, temp_blks_read, temp_blks_written
			FROM `+p.fn(true)+` s)
		SELECT top.userid, top.dbid, coalesce(top.queryid, 0), top.toplevel, coalesce(d.datname, ''), coalesce(r.rolname, ''),
			coalesce(top.query = '<insufficient privilege>', false), left(coalesce(top.query, ''), $2),
			top.calls, top.total, top.mean, top.rows, top.shared_blks_hit, top.shared_blks_read, top.temp_blks_read, top.temp_blks_written,
			agg.n, agg.calls, agg.total
		FROM (SELECT * FROM s WHERE s.query IS NULL OR NOT `+ownStatement(3)+` ORDER BY total DESC, calls DESC LIMIT $1) top
		CROSS JOIN (SELECT count(*) AS n, coalesce(sum(calls) FILTER (WHERE toplevel), 0)::int8 AS calls,
			coalesce(sum(total) FILTER (WHERE toplevel), 0)::float8 AS total FROM s) agg
		LEFT JOIN pg_database d ON d.oid = top.dbid
		LEFT JOIN pg_roles r ON r.oid = top.userid
		ORDER BY top.total DESC, top.calls DESC`), c.opts.TopStatements, c.opts.QueryTextLength, ownQueryPattern)
	if err != nil {
		return err
	}
	defer rows.Close()
	var top []Statement
	var keys []pgssKey
	var count, calls int64
	var total float64
	for rows.Next() {
		var s Statement
		var k pgssKey
		if err := rows.Scan(&k.userid, &k.dbid, &k.queryid, &k.toplevel, &s.Database, &s.User, &s.QueryHidden, &s.Query,
			&s.Calls, &s.TotalTimeMs, &s.MeanTimeMs, &s.Rows, &s.SharedBlksHit, &s.SharedBlksRead, &s.TempBlksRead, &s.TempBlksWritten,
			&count, &calls, &total); err != nil {
			return err
		}
		s.QueryID = k.queryid
		s.TopLevel = k.toplevel
		s.Query = c.queryText(s.Query, s.QueryHidden)
		top = append(top, s)
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	st.Count, st.TotalCalls, st.TotalTimeMs = count, calls, total
	st.Top = top
	c.topKeys = keys
	return nil
}

// queryText turns a query text read from pg_stat_statements (already cut to
// Options.QueryTextLength characters by the server) into Statement.Query:
// empty when hidden, else with its string constants redacted and cut again,
// as a redaction marker can be longer than what it replaced. Redacting the
// server's prefix is safe: a constant cut short is unterminated and is
// hidden to the end.
func (c *collector) queryText(text string, hidden bool) string {
	if hidden {
		return ""
	}
	return truncateRunes(RedactQueryText(text), c.opts.QueryTextLength)
}

// topByDelta returns the keys of at most n entries that ran during the
// sample, by execution time spent in it (then calls), highest first. An entry
// absent from prev, or whose counters went backwards (reset), counts from zero.
func topByDelta(prev, cur map[pgssKey]pgssCounter, n int) []pgssKey {
	type d struct {
		k     pgssKey
		calls int64
		ms    float64
	}
	var ds []d
	for k, c := range cur {
		if calls, ms := counterDelta(prev, k, c); calls > 0 {
			ds = append(ds, d{k, calls, ms})
		}
	}
	sort.Slice(ds, func(i, j int) bool {
		if ds[i].ms != ds[j].ms {
			return ds[i].ms > ds[j].ms
		}
		if ds[i].calls != ds[j].calls {
			return ds[i].calls > ds[j].calls
		}
		a, b := ds[i].k, ds[j].k // deterministic order for ties
		if a.queryid != b.queryid {
			return a.queryid < b.queryid
		}
		if a.dbid != b.dbid {
			return a.dbid < b.dbid
		}
		if a.userid != b.userid {
			return a.userid < b.userid
		}
		return !a.toplevel && b.toplevel
	})
	keys := make([]pgssKey, 0, min(n, len(ds)))
	for i := 0; i < len(ds) && i < n; i++ {
		keys = append(keys, ds[i].k)
	}
	return keys
}

// readSampledStatements reads the info view and the details of the given
// entries (chosen by topByDelta), in that order, keeping the first
// Options.TopStatements that are not the collector's own. Aggregates come
// from the sample's counters. An entry evicted meanwhile is left out.
func (c *collector) readSampledStatements(ctx context.Context, keys []pgssKey) error {
	p := c.pgss
	st := &c.st.Statements
	if err := c.readInfo(ctx); err != nil {
		return err
	}
	c.topKeys, st.Top = nil, nil
	if len(keys) == 0 {
		return nil
	}
	users := make([]uint32, len(keys))
	dbs := make([]uint32, len(keys))
	ids := make([]int64, len(keys))
	tops := make([]bool, len(keys))
	for i, k := range keys {
		users[i], dbs[i], ids[i], tops[i] = k.userid, k.dbid, k.queryid, k.toplevel
	}
	rows, err := c.q.Query(ctx, tagged(`SELECT DISTINCT ON (k.ord) k.ord::int, coalesce(`+ownStatement(6)+`, false), coalesce(d.datname, ''), coalesce(r.rolname, ''),
			coalesce(s.query = '<insufficient privilege>', false), left(coalesce(s.query, ''), $5),
			s.calls, s.`+p.totalCol()+`, s.`+p.meanCol()+`, s.rows, s.shared_blks_hit, s.shared_blks_read, s.temp_blks_read, s.temp_blks_written
		FROM `+p.fn(true)+` s
		JOIN unnest($1::oid[], $2::oid[], $3::int8[], $4::bool[]) WITH ORDINALITY AS k(userid, dbid, queryid, toplevel, ord)
			ON s.userid = k.userid AND s.dbid = k.dbid AND coalesce(s.queryid, 0) = k.queryid AND `+p.toplevelCol()+` = k.toplevel
		LEFT JOIN pg_database d ON d.oid = s.dbid
		LEFT JOIN pg_roles r ON r.oid = s.userid
		ORDER BY k.ord, s.calls DESC`), users, dbs, ids, tops, c.opts.QueryTextLength, ownQueryPattern)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s Statement
		var ord int
		var own bool
		if err := rows.Scan(&ord, &own, &s.Database, &s.User, &s.QueryHidden, &s.Query,
			&s.Calls, &s.TotalTimeMs, &s.MeanTimeMs, &s.Rows, &s.SharedBlksHit, &s.SharedBlksRead, &s.TempBlksRead, &s.TempBlksWritten); err != nil {
			return err
		}
		if ord < 1 || ord > len(keys) {
			return fmt.Errorf("unexpected ordinal %d", ord)
		}
		if own || len(st.Top) == c.opts.TopStatements {
			continue // the collector's own statement, or enough already
		}
		k := keys[ord-1]
		s.QueryID, s.TopLevel = k.queryid, k.toplevel
		s.Query = c.queryText(s.Query, s.QueryHidden)
		st.Top = append(st.Top, s)
		c.topKeys = append(c.topKeys, k)
	}
	return rows.Err()
}

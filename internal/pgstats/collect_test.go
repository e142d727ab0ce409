package pgstats

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestCollect_basic checks a single snapshot against what the server says
// through independent queries.
func TestCollect_basic(t *testing.T) {
	h := needPG(t)
	admin := h.superuser(t, "postgres")
	conn := h.connect(t, "postgres", "postgres")
	collect(t, conn, Options{}) // the collector's own statements are now in pg_stat_statements
	var own int
	if err := admin.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_statements WHERE query ~ $1", ownQueryPattern).Scan(&own); err != nil || own < 1 {
		t.Fatalf("the collector's statements are not tagged in pg_stat_statements: %d found (%v)", own, err)
	}
	st := collect(t, conn, Options{QueryTextLength: 10, TopStatements: MaxTopStatements})
	for _, s := range st.Statements.Top {
		// At 10 characters the tag is cut short: "SELECT /* " is the start of an own statistics query.
		if f := strings.Fields(s.Query); len(f) > 0 && (f[0] == "SELECT" || f[0] == "WITH") && len(s.Query) > len(f[0])+1 &&
			strings.HasPrefix(tagged(f[0]+" "), s.Query) {
			t.Errorf("the collector's own statement is among the top statements: %q", s.Query)
		}
	}

	ctx := context.Background()
	var versionNum int
	var sharedBuffers, workMem, maintMem, effCache, maxWAL, blockSize int64
	var ckptTimeout, randomPageCost float64
	var maxConn, suRes int
	if err := admin.QueryRow(ctx, `SELECT current_setting('server_version_num')::int,
		pg_size_bytes(current_setting('shared_buffers')), pg_size_bytes(current_setting('work_mem')),
		pg_size_bytes(current_setting('maintenance_work_mem')), pg_size_bytes(current_setting('effective_cache_size')),
		pg_size_bytes(current_setting('max_wal_size')), current_setting('block_size')::int8,
		extract(epoch FROM current_setting('checkpoint_timeout')::interval)::float8, current_setting('random_page_cost')::float8,
		current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int`).
		Scan(&versionNum, &sharedBuffers, &workMem, &maintMem, &effCache, &maxWAL, &blockSize, &ckptTimeout, &randomPageCost, &maxConn, &suRes); err != nil {
		t.Fatal(err)
	}

	s := st.Server
	if s.VersionNum != versionNum || !strings.HasPrefix(s.Version, strconv.Itoa(versionNum/10000)+".") {
		t.Errorf("server version %q/%d, want %d", s.Version, s.VersionNum, versionNum)
	}
	if s.InRecovery || s.Database != "postgres" || s.User != "postgres" || !s.CanReadAllStats || s.UptimeSeconds <= 0 {
		t.Errorf("unexpected server %+v", s)
	}
	if len(st.Warnings) != 0 {
		t.Errorf("unexpected warnings for a superuser with pg_stat_statements: %q", st.Warnings)
	}

	set := st.Settings
	if set.SharedBuffersBytes != sharedBuffers || set.WorkMemBytes != workMem || set.MaintenanceWorkMemBytes != maintMem ||
		set.EffectiveCacheSizeBytes != effCache || set.MaxWALSizeBytes != maxWAL || set.BlockSizeBytes != blockSize ||
		set.CheckpointTimeoutSeconds != ckptTimeout || set.RandomPageCost != randomPageCost ||
		set.MaxConnections != int64(maxConn) || set.SuperuserReservedConnections != int64(suRes) {
		t.Errorf("settings %+v disagree with the server", set)
	}
	if set.WALLevel == "" || set.SynchronousCommit == "" || set.MaxWorkerProcesses <= 0 || set.WALBuffersBytes <= 0 {
		t.Errorf("settings incomplete: %+v", set)
	}

	cn := st.Connections
	if cn.MaxConnections != maxConn || cn.Available != maxConn-suRes-cn.Reserved || cn.Total < 1 ||
		!(cn.Utilisation > 0 && cn.Utilisation < 1) {
		t.Errorf("connections %+v", cn)
	}
	sum := 0
	for _, n := range cn.ByState {
		sum += n
	}
	if sum != cn.Total || cn.ByState["idle"] < 1 { // the admin connection is idle
		t.Errorf("ByState %v does not add up to Total %d or misses the idle admin session", cn.ByState, cn.Total)
	}

	pg := findDatabase(st, "postgres")
	if pg == nil || pg.SizeBytes <= 0 || pg.XactCommit <= 0 || !(pg.CacheHitRatio > 0 && pg.CacheHitRatio <= 1) ||
		!(pg.TransactionsPerSecond > 0) || (pg.RateBasis != RateBasisStatsReset && pg.RateBasis != RateBasisServerStart) {
		t.Errorf("postgres database %+v", pg)
	}
	if findDatabase(st, "template0") != nil {
		t.Error("template databases must be left out")
	}

	sts := st.Statements
	if !sts.Available || !sts.TextsVisible || sts.Count <= 0 || sts.TotalCalls <= 0 || sts.ExtensionVersion == "" {
		t.Fatalf("statements %+v", sts)
	}
	if len(sts.Top) == 0 || len(sts.Top) > MaxTopStatements {
		t.Fatalf("top statements: %d entries", len(sts.Top))
	}
	shares, truncated := 0.0, false
	for i, q := range sts.Top {
		if i > 0 && q.TotalTimeMs > sts.Top[i-1].TotalTimeMs {
			t.Errorf("top statements not ordered by total time at %d", i)
		}
		if n := utf8.RuneCountInString(q.Query); n > 10 {
			t.Errorf("query text %q longer than 10 characters", q.Query)
		} else if n == 10 {
			truncated = true
		}
		if q.QueryHidden || q.Calls <= 0 || q.MeanTimeMs < 0 || q.QueryID == 0 { // Database and User are "" once dropped
			t.Errorf("statement %+v", q)
		}
		if q.TopLevel { // a nested entry's share is of its callers' time, which the top-level shares hold
			shares += q.ShareOfTotalTime
		}
	}
	if !truncated || shares <= 0 || shares > 1+1e-9 {
		t.Errorf("truncated=%v shares=%v", truncated, shares)
	}

	r := st.Replication
	if !math.IsNaN(r.ReplayDelaySeconds) || r.ReceiveReplayLagBytes != -1 {
		t.Errorf("a primary has no replay delay: %+v", r)
	}
	if len(st.Timing.SnapshotServerTimes) != 1 || st.Timing.SnapshotServerTimes[0] <= 0 || st.Timing.Wall < st.Timing.SnapshotServerTimes[0] {
		t.Errorf("timing %+v", st.Timing)
	}
	t.Logf("one snapshot: server time %s, wall %s", st.Timing.SnapshotServerTimes[0], st.Timing.Wall)
}

// TestCollect_pgbench runs a bounded pgbench workload and samples it.
func TestCollect_pgbench(t *testing.T) {
	h := needPG(t)
	if h.bindir == "" {
		t.Fatal("RIGHTSIZE_TEST_PG_BINDIR is not set: it must point at the PostgreSQL binaries with pgbench")
	}
	const db = "pgstats_pgbench"
	h.freshDatabase(t, db)
	admin := h.superuser(t, "postgres")
	pgbench := h.bindir + "/pgbench"
	common := []string{"-h", h.host, "-p", strconv.Itoa(h.port), "-U", "postgres"}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, pgbench, append(append([]string{"-i", "-s", "1", "-q"}, common...), db)...).CombinedOutput(); err != nil {
		t.Fatalf("pgbench -i: %v\n%s", err, out)
	}
	conn := h.connect(t, "postgres", "postgres")

	var out bytes.Buffer
	logDir := t.TempDir() // per-transaction log: "client tx latency script epoch_s epoch_us" per line
	run := exec.CommandContext(ctx, pgbench, append(append([]string{"-c", "4", "-j", "2", "-T", "6",
		"-l", "--log-prefix=" + filepath.Join(logDir, "tx")}, common...), db)...)
	run.Stdout, run.Stderr = &out, &out
	if err := run.Start(); err != nil {
		t.Fatalf("starting pgbench: %v", err)
	}
	done := make(chan struct{})
	var runErr error
	go func() { runErr = run.Wait(); close(done) }()
	t.Cleanup(func() { // normally pgbench has ended by then; -T bounds it anyway
		_ = run.Process.Kill()
		<-done
	})

	poll(t, 10*time.Second, "4 pgbench clients", func() (bool, error) {
		var n int
		err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'pgbench'", db).Scan(&n)
		return n == 4, err
	})
	st := collect(t, conn, Options{Sample: 3 * time.Second, TopStatements: 50})
	<-done
	if runErr != nil {
		t.Fatalf("pgbench: %v\n%s", runErr, out.String())
	}
	m := regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no tps in pgbench output:\n%s", out.String())
	}
	tps, _ := strconv.ParseFloat(m[1], 64)

	if st.RateBasis != RateBasisSample || st.SampleSeconds < 3 || st.SampleSeconds > 5 || len(st.Timing.SnapshotServerTimes) != 2 {
		t.Fatalf("sample basis %q seconds %v timing %+v", st.RateBasis, st.SampleSeconds, st.Timing)
	}
	d := findDatabase(st, db)
	if d == nil {
		t.Fatalf("database %s missing from %+v", db, st.Databases)
	}
	var update *Statement
	for i, s := range st.Statements.Top {
		if strings.Contains(s.Query, queryTag) {
			t.Errorf("the collector's own statement is among the top statements: %q", s.Query)
		}
		if s.Database == db && strings.HasPrefix(s.Query, "UPDATE pgbench_accounts SET abalance") {
			update = &st.Statements.Top[i]
		}
	}
	if update == nil {
		t.Fatalf("pgbench's UPDATE pgbench_accounts is not among the top statements: %+v", st.Statements.Top)
	}
	t.Logf("pgbench tps %.1f; sampled over %.2fs: database tps %.1f, UPDATE pgbench_accounts calls/s %.1f, all statements calls/s %.1f, cache hit %.4f",
		tps, st.SampleSeconds, d.TransactionsPerSecond, update.CallsPerSecond, st.Statements.CallsPerSecond, d.IntervalCacheHitRatio)

	// Each pgbench transaction commits once and runs the UPDATE once. Against
	// pgbench's whole-run tps (the machine is shared, so throughput varies
	// over the run) the sample must be in the same range; against the
	// transactions pgbench logged as completed inside the sample window it
	// must be close. Statement counters are exact; database counters are
	// flushed by the backends about once a second, blurring their window.
	windowEnd := st.CollectedAt
	windowStart := windowEnd.Add(-time.Duration(st.SampleSeconds * float64(time.Second)))
	inWindow := countLoggedTransactions(t, logDir, windowStart, windowEnd)
	windowTPS := float64(inWindow) / st.SampleSeconds
	t.Logf("pgbench logged %d transactions in the sample window: %.1f tps", inWindow, windowTPS)
	within := func(what string, got, ref, lo, hi float64) {
		t.Helper()
		if !(got >= lo*ref && got <= hi*ref) {
			t.Errorf("%s = %.1f, want within [%.2f, %.2f] x %.1f tps", what, got, lo, hi, ref)
		}
	}
	within("UPDATE pgbench_accounts calls/s vs pgbench's reported tps", update.CallsPerSecond, tps, 0.5, 1.5)
	within("database transactions/s vs pgbench's reported tps", d.TransactionsPerSecond, tps, 0.4, 1.6)
	within("UPDATE pgbench_accounts calls/s vs transactions logged in the window", update.CallsPerSecond, windowTPS, 0.9, 1.1)
	within("database transactions/s vs transactions logged in the window", d.TransactionsPerSecond, windowTPS, 0.5, 1.5)
	if !(st.Statements.CallsPerSecond > 5*update.CallsPerSecond*0.9) { // 5+ statements per transaction
		t.Errorf("all statements calls/s %.1f should be at least about 5x the UPDATE's %.1f", st.Statements.CallsPerSecond, update.CallsPerSecond)
	}
	if !(d.IntervalCacheHitRatio > 0 && d.IntervalCacheHitRatio <= 1) || !(update.ShareOfTotalTime > 0 && update.ShareOfTotalTime < 1) {
		t.Errorf("cache hit %v share %v", d.IntervalCacheHitRatio, update.ShareOfTotalTime)
	}

	cn := st.Connections
	if cn.ByApplication["pgbench"] != 4 {
		t.Errorf("connections by application %v: want 4 pgbench clients", cn.ByApplication)
	}
	if busy := cn.Active + cn.IdleInTransaction + cn.Idle; busy < 4 {
		t.Errorf("connections by state %v: want the 4 pgbench clients among active/idle/idle in transaction", cn.ByState)
	}
}

// countLoggedTransactions counts the transactions in pgbench's per-transaction
// logs (under dir) that completed within [from, to].
func countLoggedTransactions(t *testing.T, dir string, from, to time.Time) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "tx*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no pgbench transaction logs in %s (%v)", dir, err)
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			fields := strings.Fields(line)
			if len(fields) < 6 {
				t.Fatalf("unexpected pgbench log line %q", line)
			}
			sec, err1 := strconv.ParseInt(fields[4], 10, 64)
			usec, err2 := strconv.ParseInt(fields[5], 10, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("unexpected pgbench log line %q", line)
			}
			if at := time.Unix(sec, usec*1000); !at.Before(from) && !at.After(to) {
				n++
			}
		}
	}
	return n
}

// TestCollect_indexesAndTables: an unused index created by the test is
// reported, a used one (and the primary key) is not; named tables get row
// estimates and scan counts; a missing table is a warning.
func TestCollect_indexesAndTables(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_indexes"
	h.freshDatabase(t, db)
	setup := h.superuser(t, db)
	execSQL(t, setup,
		"CREATE TABLE orders (id int PRIMARY KEY, customer int NOT NULL, note text)",
		"CREATE INDEX orders_customer_used ON orders (customer)",
		"CREATE INDEX orders_note_unused ON orders (note)",
		"CREATE UNIQUE INDEX orders_note_unique ON orders (note, id)",
		"INSERT INTO orders SELECT g, g % 100, 'n' || g FROM generate_series(1, 5000) g",
		"ANALYZE orders",
		"SET enable_seqscan = off",
		"SELECT count(*) FROM orders WHERE customer = 7",
		"RESET enable_seqscan",
		"SELECT count(*) FROM orders",
	)
	_ = setup.Close(context.Background()) // a closing backend flushes its statistics
	check := h.superuser(t, db)
	poll(t, 15*time.Second, "idx_scan of orders_customer_used", func() (bool, error) {
		var n int64
		if _, err := check.Exec(context.Background(), "SELECT pg_stat_clear_snapshot()"); err != nil {
			return false, err
		}
		err := check.QueryRow(context.Background(), "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'orders_customer_used'").Scan(&n)
		return n > 0, err
	})

	conn := h.connect(t, db, "postgres")
	st := collect(t, conn, Options{Tables: []string{"orders", "public.ORDERS", "missing_table"}})
	var names []string
	for _, ix := range st.UnusedIndexes {
		names = append(names, ix.Name)
		if ix.Name == "orders_note_unused" && (ix.SizeBytes <= 0 || ix.Table != "orders" || ix.Schema != "public") {
			t.Errorf("unused index %+v", ix)
		}
	}
	if !slices.Contains(names, "orders_note_unused") {
		t.Errorf("unused index orders_note_unused not reported: %v", names)
	}
	for _, never := range []string{"orders_customer_used", "orders_pkey", "orders_note_unique"} {
		if slices.Contains(names, never) {
			t.Errorf("%s must not be reported as unused: %v", never, names)
		}
	}

	if len(st.Tables) != 2 {
		t.Fatalf("tables %+v, want the two names that exist", st.Tables)
	}
	for i, want := range []string{"orders", "public.ORDERS"} {
		tb := st.Tables[i]
		if tb.Name != want || tb.Schema != "public" || tb.Table != "orders" || tb.EstimatedRows != 5000 || tb.LiveTuples <= 0 ||
			tb.SizeBytes <= 0 || tb.SeqScans < 1 || tb.IndexScans < 1 || !(tb.SeqScanShare > 0 && tb.SeqScanShare < 1) {
			t.Errorf("table %d: %+v", i, tb)
		}
	}
	if !hasWarning(st, `table "missing_table" was not found`) {
		t.Errorf("no warning for the missing table: %q", st.Warnings)
	}
	if !hasWarning(st, `tables "orders" and "public.ORDERS" are the same table, public.orders`) {
		t.Errorf("no warning that orders and public.ORDERS are the same table: %q", st.Warnings)
	}
}

// TestCollect_sameTableNamedThrice: a table named three times is reported under each name, and
// each later name's warning pairs it with the name the table was first reported under (the
// first, not the one just before it), naming the table as SQL would need it quoted. With the
// first name overwritten by each later one the third warning paired the second and third
// names, and with the table named unquoted it read public.Order Lines: every test passed.
func TestCollect_sameTableNamedThrice(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_named_thrice"
	h.freshDatabase(t, db)
	setup := h.superuser(t, db)
	execSQL(t, setup, `CREATE TABLE "Order Lines" (id int)`, `INSERT INTO "Order Lines" SELECT generate_series(1, 10)`, "ANALYZE")
	conn := h.connect(t, db, "postgres")
	names := []string{`"Order Lines"`, `public."Order Lines"`, `PUBLIC."Order Lines"`}
	st := collect(t, conn, Options{Tables: names})
	if len(st.Tables) != 3 {
		t.Fatalf("tables %+v, want an entry for each of %q", st.Tables, names)
	}
	var same []string
	for _, w := range st.Warnings {
		if strings.Contains(w, "are the same table") {
			same = append(same, w)
		}
	}
	want := []string{
		`tables "\"Order Lines\"" and "public.\"Order Lines\"" are the same table, public."Order Lines": it is reported under each name; list it once`,
		`tables "\"Order Lines\"" and "PUBLIC.\"Order Lines\"" are the same table, public."Order Lines": it is reported under each name; list it once`,
	}
	if !slices.Equal(same, want) {
		t.Errorf("warnings %q, want %q", same, want)
	}
}

// TestCollect_roles: a role with only pg_monitor sees everything; a role
// without it gets a warning and hidden texts, and still gets the rest.
func TestCollect_roles(t *testing.T) {
	h := needPG(t)
	h.freshRole(t, "pgstats_monitor", "pg_monitor")
	h.freshRole(t, "pgstats_plain")
	admin := h.superuser(t, "postgres") // an idle session of another role
	execSQL(t, admin, "SELECT 'pgstats roles test'")

	mon := collect(t, h.connect(t, "postgres", "pgstats_monitor"), Options{TopStatements: 50})
	if len(mon.Warnings) != 0 {
		t.Errorf("pg_monitor role got warnings: %q", mon.Warnings)
	}
	if !mon.Server.CanReadAllStats || !mon.Statements.Available || !mon.Statements.TextsVisible || len(mon.Statements.Top) == 0 {
		t.Fatalf("pg_monitor role: server %+v statements available=%v visible=%v top=%d",
			mon.Server, mon.Statements.Available, mon.Statements.TextsVisible, len(mon.Statements.Top))
	}
	for _, s := range mon.Statements.Top {
		if s.QueryHidden || s.Query == "" || s.QueryID == 0 {
			t.Errorf("pg_monitor role sees a hidden statement: %+v", s)
		}
	}
	if mon.Connections.ByState["unknown"] != 0 {
		t.Errorf("pg_monitor role sees hidden session states: %v", mon.Connections.ByState)
	}

	plain := collect(t, h.connect(t, "postgres", "pgstats_plain"), Options{TopStatements: 50})
	if !hasWarning(plain, "lacks the privileges of pg_read_all_stats (GRANT pg_monitor TO pgstats_plain)") {
		t.Errorf("no privilege warning: %q", plain.Warnings)
	}
	if plain.Server.CanReadAllStats || !plain.Statements.Available || plain.Statements.TextsVisible {
		t.Errorf("plain role: can read all %v, statements available %v visible %v",
			plain.Server.CanReadAllStats, plain.Statements.Available, plain.Statements.TextsVisible)
	}
	hidden := 0
	for _, s := range plain.Statements.Top {
		if s.QueryHidden {
			hidden++
			if s.Query != "" || s.QueryID != 0 {
				t.Errorf("hidden statement leaks text or id: %+v", s)
			}
		}
	}
	if hidden == 0 {
		t.Error("a role without pg_read_all_stats should see other roles' statements hidden")
	}
	if plain.Connections.ByState["unknown"] < 1 {
		t.Errorf("other roles' sessions should count as unknown state: %v", plain.Connections.ByState)
	}
	if len(plain.Databases) == 0 || plain.Settings.MaxConnections == 0 {
		t.Error("the rest must still be collected for a role without pg_monitor")
	}
}

// TestCollect_withoutPgStatStatements: in a database without the extension
// the statement section is empty with a warning and the rest works.
func TestCollect_withoutPgStatStatements(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_nopgss"
	h.freshDatabase(t, db)
	st := collect(t, h.connect(t, db, "postgres"), Options{Sample: 200 * time.Millisecond})
	if !hasWarning(st, `pg_stat_statements is not installed in database "pgstats_nopgss"`) {
		t.Errorf("no pg_stat_statements warning: %q", st.Warnings)
	}
	if st.Statements.Available || len(st.Statements.Top) != 0 || !math.IsNaN(st.Statements.CallsPerSecond) {
		t.Errorf("statements should be empty: %+v", st.Statements)
	}
	if findDatabase(st, db) == nil || findDatabase(st, "postgres") == nil || st.Settings.MaxConnections == 0 ||
		st.Connections.MaxConnections == 0 || st.Server.Database != db || st.RateBasis != RateBasisSample {
		t.Errorf("the rest must still be collected: %+v", st)
	}
}

// TestWithReadOnlyTx proves the collector's transaction rejects writes and
// carries the statement timeout, and that both end with it.
func TestWithReadOnlyTx(t *testing.T) {
	h := needPG(t)
	conn := h.connect(t, "postgres", "postgres")
	ctx := context.Background()
	err := WithReadOnlyTx(ctx, conn, 1500*time.Millisecond, func(q Querier) error {
		var ro, timeout string
		if err := q.QueryRow(ctx, "SELECT current_setting('transaction_read_only'), current_setting('statement_timeout')").Scan(&ro, &timeout); err != nil {
			return err
		}
		if ro != "on" || timeout != "1500ms" {
			t.Errorf("transaction_read_only=%s statement_timeout=%s", ro, timeout)
		}
		_, err := q.Exec(ctx, "CREATE TABLE pgstats_must_not_exist (id int)")
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
			t.Errorf("write in the collector's transaction: got %v, want SQLSTATE 25006 (read_only_sql_transaction)", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var timeout string
	if err := conn.QueryRow(ctx, "SELECT current_setting('statement_timeout')").Scan(&timeout); err != nil {
		t.Fatal(err)
	}
	if timeout == "1500ms" {
		t.Error("statement_timeout leaked out of the transaction")
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('pgstats_must_not_exist') IS NOT NULL").Scan(&exists); err != nil || exists {
		t.Errorf("the table was created (%v, %v)", exists, err)
	}
	if err := WithReadOnlyTx(ctx, conn, 0, func(Querier) error { return nil }); err == nil {
		t.Error("a zero statement timeout must be rejected")
	}
}

// TestCollect_statementTimeout: a collector query blocked by a lock ends with
// a statement timeout error naming what was being read. The lock is on the
// pg_stat_database view of the test's own database, which every collection
// reads: a named table another session locks is no longer waited for (not
// sized, TestCollect_lockedTablesNotSized), and a view of the statistics is
// what is left to wait on.
func TestCollect_statementTimeout(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_timeout"
	h.freshDatabase(t, db)
	locker := h.superuser(t, db)
	// Connected before the lock is taken: a backend starting in the database waits for it too.
	conn := h.connect(t, db, "postgres")
	ctx := context.Background()
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "LOCK TABLE pg_catalog.pg_stat_database IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = Collect(ctx, conn, Options{StatementTimeout: 300 * time.Millisecond})
	if err == nil {
		t.Fatal("Collect succeeded although its queries over pg_stat_database had to wait for a lock")
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57014" || !strings.Contains(err.Error(), "statement timeout") {
		t.Errorf("want a statement timeout (SQLSTATE 57014), got %v", err)
	}
	if !strings.Contains(err.Error(), "reading server version and state") { // its first query over pg_stat_database
		t.Errorf("error does not say what was being read: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timeout took %s", d)
	}
	// The connection is still usable after the failed, rolled-back transaction (the lock released).
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := Collect(ctx, conn, Options{}); err != nil {
		t.Errorf("Collect after a timeout: %v", err)
	}
}

// TestCollect_sampleHonoursContext: cancelling during the sample wait ends the
// collection promptly. The context is cancelled once the collector is seen waiting (a fixed
// deadline could pass before the first snapshot ends on a loaded machine).
func TestCollect_sampleHonoursContext(t *testing.T) {
	h := needPG(t)
	conn := h.connect(t, "postgres", "postgres")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Collect(ctx, conn, Options{Sample: 30 * time.Second})
		done <- err
	}()
	awaitSampleWait(t, h.superuser(t, "postgres"), conn.PgConn().PID())
	start := time.Now()
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "waiting 30s between sample snapshots") {
		t.Fatalf("want a cancellation error during the sample wait, got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancellation took %s", d)
	}
	if _, err := Collect(context.Background(), conn, Options{}); err != nil {
		t.Errorf("the connection is unusable after cancellation: %v", err)
	}
}

// TestCollect_sampleOutlivesIdleTimeout: a session whose
// idle_in_transaction_session_timeout is shorter than the sample survives it
// (the collector raises the limit for its own transaction only).
func TestCollect_sampleOutlivesIdleTimeout(t *testing.T) {
	h := needPG(t)
	conn := h.connect(t, "postgres", "postgres")
	execSQL(t, conn, "SET idle_in_transaction_session_timeout = '1s'")
	st := collect(t, conn, Options{Sample: 1500 * time.Millisecond})
	if st.SampleSeconds < 1.5 {
		t.Errorf("sample of %v s", st.SampleSeconds)
	}
	var v string
	if err := conn.QueryRow(context.Background(), "SHOW idle_in_transaction_session_timeout").Scan(&v); err != nil || v != "1s" {
		t.Errorf("the session's own limit changed: %q (%v)", v, err)
	}
}

func TestCollect_badOptions(t *testing.T) {
	h := needPG(t)
	conn := h.connect(t, "postgres", "postgres")
	_, err := Collect(context.Background(), conn, Options{TopStatements: -3})
	if err == nil || !strings.Contains(err.Error(), "top statements -3 is out of range") {
		t.Fatalf("got %v", err)
	}
}

// TestCollect_replication streams WAL to pg_receivewal, a real replication
// client, and reads it back from pg_stat_replication.
func TestCollect_replication(t *testing.T) {
	h := needPG(t)
	if h.bindir == "" {
		t.Fatal("RIGHTSIZE_TEST_PG_BINDIR is not set: it must point at the PostgreSQL binaries with pg_receivewal")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	recv := exec.CommandContext(ctx, h.bindir+"/pg_receivewal", "-h", h.host, "-p", strconv.Itoa(h.port), "-U", "postgres",
		"-D", dir, "--no-loop", "--no-password", "-s", "1")
	var out bytes.Buffer
	recv.Stdout, recv.Stderr = &out, &out
	if err := recv.Start(); err != nil {
		t.Fatalf("starting pg_receivewal: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = recv.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = recv.Process.Kill()
		<-done
	})

	conn := h.connect(t, "postgres", "postgres")
	var rep *Replica
	poll(t, 20*time.Second, "pg_receivewal streaming in pg_stat_replication", func() (bool, error) {
		select {
		case <-done:
			return false, errors.New("pg_receivewal exited: " + out.String())
		default:
		}
		st, err := Collect(ctx, conn, Options{})
		if err != nil {
			return false, err
		}
		for i, r := range st.Replication.Replicas {
			if r.ApplicationName == "pg_receivewal" && r.State == "streaming" {
				rep = &st.Replication.Replicas[i]
				return true, nil
			}
		}
		return false, nil
	})
	// pg_receivewal reports write and flush positions only, so replay lag stays unknown.
	if rep.SyncState != "async" || rep.ClientAddr != "127.0.0.1" {
		t.Errorf("replica %+v", rep)
	}
}

// TestCollect_pgssVersions runs the collector against each pg_stat_statements
// extension version this server can install (an extension not updated after
// pg_upgrade keeps its old columns): 1.7 is PostgreSQL 12's, 1.8 (13) renamed
// total_time to total_exec_time, 1.9 (14) added toplevel and
// pg_stat_statements_info, 1.10 is 15's.
func TestCollect_pgssVersions(t *testing.T) {
	h := needPG(t)
	for _, v := range []string{"1.7", "1.8", "1.9", "1.10"} {
		t.Run(v, func(t *testing.T) {
			db := "pgstats_pgss_" + strings.ReplaceAll(v, ".", "_")
			h.freshDatabase(t, db)
			execSQL(t, h.superuser(t, db), "CREATE EXTENSION pg_stat_statements VERSION '"+v+"'")
			conn := h.connect(t, db, "postgres")
			for _, sample := range []time.Duration{0, 200 * time.Millisecond} {
				// A statement running during the sample, so that it has a top
				// entry (cancelling ends its connection, so one per round).
				load := h.superuser(t, db)
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() {
					defer close(done)
					for i := 0; ctx.Err() == nil && i < 100000; i++ {
						var n int
						if err := load.QueryRow(ctx, "SELECT $1::int AS pgstats_version_probe", i).Scan(&n); err != nil {
							if ctx.Err() == nil {
								t.Errorf("load: %v", err)
							}
							return
						}
					}
				}()
				st := collect(t, conn, Options{Sample: sample, TopStatements: 100})
				cancel()
				<-done
				s := st.Statements
				if !s.Available || s.ExtensionVersion != v || s.Count <= 0 || len(s.Top) == 0 || !(s.TotalTimeMs > 0) || len(otherWarnings(st)) != 0 {
					t.Fatalf("sample %s: statements %+v, warnings %q", sample, s, st.Warnings)
				}
				old := v == "1.7" || v == "1.8"
				switch {
				case sample > 0 && s.RateBasis != RateBasisSample:
					t.Errorf("sample %s: rate basis %q", sample, s.RateBasis)
				case sample == 0 && old && (s.RateBasis != RateBasisNone || !s.StatsReset.IsZero() || !math.IsNaN(s.CallsPerSecond)):
					t.Errorf("extension %s has no stats_reset: basis %q reset %v calls/s %v", v, s.RateBasis, s.StatsReset, s.CallsPerSecond)
				case sample == 0 && !old && (s.RateBasis != RateBasisStatsReset || s.StatsReset.IsZero() || !(s.CallsPerSecond > 0)):
					t.Errorf("extension %s: basis %q reset %v calls/s %v", v, s.RateBasis, s.StatsReset, s.CallsPerSecond)
				}
				for _, q := range s.Top {
					if old && !q.TopLevel {
						t.Errorf("before 1.9 every entry is top-level: %+v", q)
					}
					if q.Calls <= 0 || q.Query == "" || math.IsNaN(q.ShareOfTotalTime) {
						t.Errorf("statement %+v", q)
					}
				}
				if sample > 0 {
					found := false
					for _, q := range s.Top {
						found = found || (q.Query == "SELECT $1::int AS pgstats_version_probe" && q.Database == db && q.CallsPerSecond > 0)
					}
					if !found {
						t.Errorf("the statement running during the sample is not among the top ones: %+v", s.Top)
					}
				}
			}
		})
	}
}

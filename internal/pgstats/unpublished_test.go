package pgstats

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestCollect_sampleWarnsOfUnpublishedTransactions: during a sample one
// database runs statements inside a transaction that stays open, so
// pg_stat_statements counts them while pg_stat_database counts no
// transaction; another runs transactions that read a table, whose counters
// PostgreSQL publishes every second; the collector's own database runs
// nothing but the collector. Only the first is named.
func TestCollect_sampleWarnsOfUnpublishedTransactions(t *testing.T) {
	h := needPG(t)
	const open, published, quiet = "pgstats_unpub_open", "pgstats_unpub_published", "pgstats_unpub_quiet"
	for _, db := range []string{open, published, quiet} {
		h.freshDatabase(t, db)
	}
	execSQL(t, h.superuser(t, quiet), "CREATE EXTENSION pg_stat_statements")
	openConn, pubConn := h.superuser(t, open), h.superuser(t, published)
	execSQL(t, pubConn, "CREATE TABLE t (v int)", "INSERT INTO t VALUES (1)")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // bounds the load
	defer cancel()
	tx, err := openConn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var counts [2]atomic.Int64
	errs := make([]error, 2)
	run := func(i int, stmt func() error) {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			if err := stmt(); err != nil {
				errs[i] = err
				return
			}
			counts[i].Add(1)
		}
	}
	wg.Add(2)
	go run(0, func() error { _, err := tx.Exec(ctx, "SELECT 1 AS unpublished_marker"); return err })
	go run(1, func() error { _, err := pubConn.Exec(ctx, "SELECT v FROM t"); return err })
	// Both loads have run before the first snapshot.
	poll(t, 10*time.Second, "both loads running", func() (bool, error) { return counts[0].Load() > 3 && counts[1].Load() > 3, nil })

	// A transaction of the server's own in the open database during the sample (an autovacuum
	// worker's, on a live server with many databases) moves its pg_stat_database, and the warning
	// rightly names it no more: such a sample proves nothing, and another is taken, up to 5.
	var st *Stats
	for attempt := 1; ; attempt++ {
		st = collect(t, h.connect(t, quiet, "postgres"), Options{Sample: 2 * time.Second})
		if d := findDatabase(st, open); d == nil || d.TransactionsPerSecond == 0 || attempt == 5 {
			break
		}
		t.Logf("attempt %d: %s committed transactions during the sample (not the load's, whose one stays open): another sample", attempt, open)
	}
	close(stop)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("load %d stopped: %v", i, err)
		}
	}
	t.Logf("loads ran %d and %d statements; warnings: %q", counts[0].Load(), counts[1].Load(), st.Warnings)

	var w string
	for _, x := range st.Warnings {
		if strings.HasPrefix(x, unpublishedWarningStart) {
			w = x
		}
	}
	if !strings.Contains(w, `"`+open+`" (`) {
		t.Errorf("no warning names %s, whose statements ran in an open transaction: %q", open, st.Warnings)
	}
	for _, db := range []string{published, quiet} {
		if strings.Contains(w, `"`+db+`"`) {
			t.Errorf("the warning names %s, whose transactions were published (or which ran only the collector): %q", db, w)
		}
	}
	if d := findDatabase(st, open); d == nil || d.TransactionsPerSecond != 0 {
		t.Errorf("%s: %+v, want transactions_per_second 0 (the premise of the warning)", open, d)
	}
	if d := findDatabase(st, published); d == nil || !(d.TransactionsPerSecond > 0) {
		t.Errorf("%s: %+v, want transactions_per_second > 0", published, d)
	}
}

// TestUnpublishedTransactions covers the rule on hand-made snapshots: the
// connected database's own statements are not counted, nested statements
// are not counted, a database whose transaction counters moved or which was
// not in the first snapshot is not named, and without statement counters
// there is no warning.
func TestUnpublishedTransactions(t *testing.T) {
	key := func(db uint32, q int64, top bool) pgssKey {
		return pgssKey{userid: 10, dbid: db, queryid: q, toplevel: top}
	}
	dbs := []Database{
		{Name: "app", oid: 1, XactCommit: 100},
		{Name: "busy", oid: 2, XactCommit: 500},
		{Name: "conn", oid: 3, XactCommit: 7},
		{Name: "new", oid: 4},
		{Name: "nested", oid: 5, XactCommit: 9},
		{Name: "small", oid: 6, XactCommit: 3},
	}
	prev := map[string]Database{"app": {XactCommit: 100}, "busy": {XactCommit: 400}, "conn": {XactCommit: 7}, "nested": {XactCommit: 9},
		"small": {XactCommit: 3}}
	first := &snapshot{sentBeforePgss: 10, pgss: map[pgssKey]pgssCounter{
		key(1, 1, true): {calls: 50}, key(2, 2, true): {calls: 5}, key(3, 3, true): {calls: 20}, key(5, 5, true): {calls: 1},
	}}
	second := &snapshot{sentBeforePgss: 16, pgss: map[pgssKey]pgssCounter{
		key(1, 1, true): {calls: 350}, key(1, 9, true): {calls: 2}, // app: 300 + 2 new
		key(2, 2, true): {calls: 900},                               // busy: its transactions moved
		key(3, 3, true): {calls: 126},                               // conn: 106, 6 of them the collector's
		key(4, 4, true): {calls: 300},                               // new: not in the first snapshot
		key(5, 5, true): {calls: 1}, key(5, 6, false): {calls: 400}, // nested: only nested calls
		key(6, 6, true): {calls: 99}, // small: under 100 statements
	}}
	w := unpublishedTransactions(dbs, prev, first, second, "conn", 2)
	if !strings.Contains(w, `in "app" (302), "conn" (100), where pg_stat_statements counted 402 statement(s)`) || !strings.Contains(w, "2.0 s sample") {
		t.Errorf("warning %q, want it to name app with 302 statements and conn with 100", w)
	}
	for _, n := range []string{"busy", "new", "nested", "small"} {
		if strings.Contains(w, `"`+n+`"`) {
			t.Errorf("warning %q names %s", w, n)
		}
	}
	second.pgss[key(3, 3, true)] = pgssCounter{calls: 125} // 99 besides the collector's
	if w := unpublishedTransactions(dbs, prev, first, second, "conn", 2); strings.Contains(w, `"conn"`) {
		t.Errorf("warning %q names conn, whose 99 statements besides the collector's are under 100", w)
	}
	if w := unpublishedTransactions(dbs, prev, first, second, "conn", 31); strings.Contains(w, `"app"`) {
		t.Errorf("warning %q names app, whose 302 statements in 31 s are under 10 a second", w)
	}
	if w := unpublishedTransactions(dbs, prev, &snapshot{}, second, "conn", 2); w != "" {
		t.Errorf("without the first snapshot's counters: %q, want none", w)
	}
	var many []Database
	manyPrev := map[string]Database{}
	cur := map[pgssKey]pgssCounter{}
	for i := range 8 {
		d := Database{Name: string(rune('a' + i)), oid: uint32(100 + i)}
		many, manyPrev[d.Name] = append(many, d), d
		cur[key(d.oid, 1, true)] = pgssCounter{calls: 100}
	}
	w = unpublishedTransactions(many, manyPrev, &snapshot{pgss: map[pgssKey]pgssCounter{}}, &snapshot{pgss: cur}, "x", 1)
	if !strings.Contains(w, `"e" (100), …`) || strings.Contains(w, `"f"`) || !strings.Contains(w, "counted 800 statement(s)") {
		t.Errorf("warning %q, want five names, an ellipsis and all 800 statements counted", w)
	}
}

// TestCollect_sampleHiddenEntryDropped: a collector without pg_read_all_stats
// sees another role's pg_stat_statements entries without their queryid, and
// adds them up per role and database. When one of them leaves during the
// sample (evicted at pg_stat_statements.max, or reset on its own with
// pg_stat_statements_reset(userid, dbid, queryid), as here), the sum goes
// down: that is no reset of the remaining entries, whose cumulative calls,
// all made before the sample, are not the sample's. The database, which ran
// nothing during the sample, is not named as busy.
func TestCollect_sampleHiddenEntryDropped(t *testing.T) {
	h := needPG(t)
	const app, collector = "pgstats_hidden_app", "pgstats_hidden_plain"
	const appDB, quietDB = "pgstats_hidden_appdb", "pgstats_hidden_quiet"
	const attempts = 5
	h.freshRole(t, app)
	h.freshRole(t, collector)
	for _, db := range []string{appDB, quietDB} {
		h.freshDatabase(t, db)
	}
	execSQL(t, h.superuser(t, quietDB), "CREATE EXTENSION pg_stat_statements")
	setup := h.superuser(t, appDB)
	execSQL(t, setup, "CREATE TABLE t (v int)", "INSERT INTO t VALUES (1)", "GRANT SELECT ON t TO "+app)
	for i := 1; i <= attempts; i++ {
		execSQL(t, setup, fmt.Sprintf("CREATE TABLE t_%d (v int)", i), fmt.Sprintf("GRANT SELECT ON t_%d TO %s", i, app))
	}
	setupPID := setup.PgConn().PID()
	_ = setup.Close(context.Background())
	admin := h.superuser(t, "postgres")
	waitGone(t, admin, setupPID)

	// The sample must see appDB run nothing, or pg_stat_database moves and no warning could name
	// it whatever the statement counts: an attempt whose sample saw a transaction there (an
	// autovacuum worker's, on a live server) proves nothing, and the next one is made.
	for i := 1; i <= attempts; i++ {
		if hiddenEntryDroppedAttempt(t, h, admin, app, appDB, quietDB, collector, i) {
			return
		}
	}
	t.Fatalf("%s had transactions of its own during each of %d samples: nothing shown", appDB, attempts)
}

// hiddenEntryDroppedAttempt is one attempt of TestCollect_sampleHiddenEntryDropped: the
// application's work, all before the sample (500 calls of one statement, 50 of another on table
// t_<i>), then a sample during which the latter's entry is reset. It reports false when the
// sample saw appDB commit a transaction (inconclusive), and fails the test when the warning
// names appDB.
func hiddenEntryDroppedAttempt(t *testing.T, h harness, admin *pgx.Conn, app, appDB, quietDB, collector string, i int) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	appConn := h.connect(t, appDB, app)
	dropped := fmt.Sprintf("SELECT count(*) FROM t_%d", i)
	for range 500 {
		if _, err := appConn.Exec(ctx, "SELECT v FROM t"); err != nil {
			t.Fatal(err)
		}
	}
	for range 50 {
		if _, err := appConn.Exec(ctx, dropped); err != nil {
			t.Fatal(err)
		}
	}
	appPID := appConn.PgConn().PID()
	if err := appConn.Close(ctx); err != nil { // it runs nothing more
		t.Fatal(err)
	}
	waitGone(t, admin, appPID)
	// An exiting backend leaves pg_stat_activity before it flushes its counts (its status entry is
	// cleared first): the wait is also for appDB's xact_commit to hold still for 1.5 s.
	var last int64 = -1
	stillSince := time.Now()
	poll(t, 30*time.Second, "appDB's xact_commit holding still", func() (bool, error) {
		var n int64
		if _, err := admin.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
			return false, err
		}
		if err := admin.QueryRow(ctx, "SELECT xact_commit FROM pg_stat_database WHERE datname = $1", appDB).Scan(&n); err != nil {
			return false, err
		}
		if n != last {
			last, stillSince = n, time.Now()
		}
		return time.Since(stillSince) >= 1500*time.Millisecond, nil
	})

	conn := h.connect(t, quietDB, collector)
	bg := sampleInBackground(conn, Options{Sample: 2 * time.Second})
	awaitSampleWait(t, admin, conn.PgConn().PID())
	var n int
	if err := admin.QueryRow(ctx, `SELECT count(pg_stat_statements_reset(s.userid, s.dbid, s.queryid))
		FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
		WHERE d.datname = $1 AND s.query = $2`, appDB, dropped).Scan(&n); err != nil || n != 1 {
		t.Fatalf("resetting the dropped statement's entry: %d entries, %v", n, err)
	}
	st := bg.wait(t)
	_ = conn.Close(context.Background())

	d := findDatabase(st, appDB)
	if d == nil {
		t.Fatalf("%s is not listed", appDB)
	}
	if d.TransactionsPerSecond != 0 {
		t.Logf("attempt %d: %s committed %.1f transactions a second during the sample (not the application's): inconclusive", i, appDB, d.TransactionsPerSecond)
		return false
	}
	for _, w := range st.Warnings {
		if strings.HasPrefix(w, unpublishedWarningStart) && strings.Contains(w, `"`+appDB+`"`) {
			t.Errorf("the warning names %s, which ran no statement during the sample (an entry of it left): %q", appDB, w)
		}
	}
	return true
}

// waitGone waits until the backend pid has left pg_stat_activity (admin: a superuser's
// connection).
func waitGone(t *testing.T, admin *pgx.Conn, pid uint32) {
	t.Helper()
	poll(t, 30*time.Second, fmt.Sprintf("backend %d gone", pid), func() (bool, error) {
		var n int
		err := admin.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid).Scan(&n)
		return n == 0, err
	})
}

// burstOnSizes is a Querier that, the first time the collector reads the
// database sizes, runs burst before passing the query on.
type burstOnSizes struct {
	Querier
	burst func() error
	fired bool
	err   error
}

func (q *burstOnSizes) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if !q.fired && strings.Contains(sql, "pg_database_size(") {
		q.fired = true
		q.err = q.burst()
	}
	return q.Querier.Query(ctx, sql, args...)
}

// TestCollect_sampleBurstDuringSizeRead: a database idle through the sample
// runs 200 statements while the second snapshot reads the database sizes
// (pg_database_size walks every file of every listed database: on a server
// with many of them it takes a while). The sizes are read after the
// statement counters, so the burst is in neither of the two counts the
// unpublished-transactions check compares, and the database is not named.
// With the sizes read between pg_stat_database and pg_stat_statements,
// pg_stat_statements counted the 200 statements and pg_stat_database no
// transaction: the check named a database that ran nothing in the sample.
func TestCollect_sampleBurstDuringSizeRead(t *testing.T) {
	h := needPG(t)
	const burstDB, quiet = "pgstats_sizeburst_burst", "pgstats_sizeburst_quiet"
	for _, db := range []string{burstDB, quiet} {
		h.freshDatabase(t, db)
	}
	execSQL(t, h.superuser(t, quiet), "CREATE EXTENSION pg_stat_statements")
	burstConn := h.superuser(t, burstDB)
	execSQL(t, burstConn, "CREATE TABLE t (v int)", "INSERT INTO t VALUES (1)")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q := &burstOnSizes{burst: func() error {
		for range 200 {
			if _, err := burstConn.Exec(ctx, "SELECT v FROM t"); err != nil {
				return err
			}
		}
		return nil
	}}
	opts := Options{Sample: 2 * time.Second}
	var st *Stats
	err := WithReadOnlyTx(ctx, h.connect(t, quiet, "postgres"), 30*time.Second, func(tx Querier) error {
		q.Querier = tx
		var err error
		st, err = CollectTx(ctx, q, opts)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !q.fired || q.err != nil {
		t.Fatalf("the burst during the size read: ran %v, %v", q.fired, q.err)
	}
	if findDatabase(st, burstDB) == nil {
		t.Fatalf("%s is not listed", burstDB)
	}
	for _, w := range st.Warnings {
		if strings.HasPrefix(w, unpublishedWarningStart) && strings.Contains(w, `"`+burstDB+`"`) {
			t.Errorf("the warning names %s, which ran its statements after the sample's counters were read: %q", burstDB, w)
		}
	}
}

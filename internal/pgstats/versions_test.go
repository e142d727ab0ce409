package pgstats

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// TestCollectAcrossVersions collects from a real server of each other major version RDS and Aurora
// run (12, 13, 14, 16, 17 and 18; the rest of the suite runs on the harness's 15), started by
// scripts/pgversions.sh under make test, which lists them in RIGHTSIZE_TEST_PG_MATRIX as
// "<major>=<dsn> ...". On each, as a pg_monitor role after a small workload: no error or warning,
// the version read, the workload's statements among the top ones and the collector's own left out,
// every section filled (databases, connections, settings, checkpoints, the table and its unused
// index), and no password or SET value from a statement collected. Each query that differs by
// version (pg_stat_statements' columns, pg_stat_checkpointer, reltuples −1 for a table never
// analysed) runs on the version it was written for.
func TestCollectAcrossVersions(t *testing.T) {
	for _, v := range acctest.PGVersions(t) {
		t.Run("PostgreSQL "+strconv.Itoa(v.Major), func(t *testing.T) { collectOnVersion(t, v.Major, v.DSN) })
	}
}

func collectOnVersion(t *testing.T, major int, dsn string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to %s: %v", dsn, err)
	}
	defer func() { _ = admin.Close(ctx) }()
	for _, sql := range []string{
		"CREATE EXTENSION IF NOT EXISTS pg_stat_statements",
		"DROP TABLE IF EXISTS matrix_orders",
		"DROP TABLE IF EXISTS matrix_parted",
		"SELECT pg_stat_statements_reset()", // a rerun starts from none (PostgreSQL 18 identifies a table by name, not OID)
		"CREATE TABLE matrix_orders (id int PRIMARY KEY, customer int NOT NULL, note text)",
		"CREATE INDEX matrix_orders_note ON matrix_orders (note)", // never used: an unused index
		"INSERT INTO matrix_orders SELECT g, g % 97, 'n' || g FROM generate_series(1, 5000) AS g",
		// A partitioned table: reported as the sum of its partitions; its index is not an unused index, theirs are.
		"CREATE TABLE matrix_parted (id int NOT NULL) PARTITION BY RANGE (id)",
		"CREATE TABLE matrix_parted_low PARTITION OF matrix_parted FOR VALUES FROM (MINVALUE) TO (500)",
		"CREATE TABLE matrix_parted_high PARTITION OF matrix_parted FOR VALUES FROM (500) TO (MAXVALUE)",
		"CREATE INDEX matrix_parted_id ON matrix_parted (id)",
		"INSERT INTO matrix_parted SELECT generate_series(1, 1000)",
		"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'matrix_monitor') THEN CREATE ROLE matrix_monitor LOGIN; END IF; END $$",
		"GRANT pg_monitor TO matrix_monitor",
		// A password in a statement: stored as written before PostgreSQL 16, and never to be collected.
		"ALTER ROLE matrix_monitor PASSWORD 'MatrixSecret99'",
		"SET app.api_key = 'MatrixKey77'",
	} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	for i := range 20 {
		if _, err := admin.Exec(ctx, "UPDATE matrix_orders SET customer = customer + 1 WHERE id % 50 = $1", i); err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := admin.QueryRow(ctx, "SELECT count(*) FROM matrix_orders WHERE customer > $1", i).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}

	// The workload's table and checkpoint counters reach the statistics views asynchronously (the
	// statistics collector before 15, a backend's pending statistics at most a second later from
	// 15): wait for them before collecting.
	if _, err := admin.Exec(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	poll(t, 15*time.Second, "the workload's table and checkpoint statistics", func() (bool, error) {
		var live, parted, requested int64
		err := admin.QueryRow(ctx, "SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'matrix_orders'").Scan(&live)
		if err == nil {
			err = admin.QueryRow(ctx, "SELECT coalesce(sum(n_live_tup), 0)::int8 FROM pg_stat_user_tables WHERE relname LIKE 'matrix_parted_%'").Scan(&parted)
		}
		if err == nil {
			err = admin.QueryRow(ctx, checkpointsRequestedQuery(major)).Scan(&requested)
		}
		return live == 5000 && parted == 1000 && requested >= 1, err
	})

	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.User = "matrix_monitor"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connecting as matrix_monitor: %v", err)
	}
	defer func() { _ = conn.Close(ctx) }()
	// A sampled collection, while another collection (as Terraform reads data sources in parallel)
	// and the workload run: the other's statistics queries ran during the sample, and are left out.
	// Both start once the sample's first snapshot is taken; the sample leaves them room on a loaded
	// machine (a whole collection and the UPDATE).
	other, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Close(ctx) }()
	sampled := sampleInBackground(conn, Options{TopStatements: 50, Tables: []string{"matrix_orders"}, Sample: 3 * time.Second})
	awaitSampleWait(t, admin, conn.PgConn().PID())
	if _, err := Collect(ctx, other, Options{}); err != nil {
		t.Fatalf("a second collection during the sample: %v", err)
	}
	if _, err := admin.Exec(ctx, "UPDATE matrix_orders SET customer = customer + 1 WHERE id % 50 = $1", 0); err != nil {
		t.Fatal(err)
	}
	st := sampled.wait(t)
	sampledUpdate := false
	for _, s := range st.Statements.Top {
		if ownStatisticsQuery(s) {
			t.Errorf("the other collection's statement is among the sampled top statements: %q", s.Query)
		}
		sampledUpdate = sampledUpdate || strings.HasPrefix(s.Query, "UPDATE matrix_orders SET customer")
	}
	if !sampledUpdate {
		t.Errorf("the UPDATE run during the sample is not among the sampled top statements: %+v", st.Statements.Top)
	}
	if len(otherWarnings(st)) > 0 {
		t.Errorf("warnings: %q", st.Warnings)
	}
	if got := st.Server.VersionNum / 10000; got != major {
		t.Errorf("server_version_num %d (%s), want PostgreSQL %d", st.Server.VersionNum, st.Server.Version, major)
	}

	// Statements: the workload's, visible to pg_monitor (pg_read_all_stats), and none of the collector's.
	// With a sample, only those that ran during it rank: collect again without one.
	st2, err := Collect(ctx, conn, Options{TopStatements: 50, Tables: []string{"matrix_orders", "matrix_parted"}})
	if err != nil {
		t.Fatalf("Collect without a sample: %v", err)
	}
	var update *Statement
	for i, s := range st2.Statements.Top {
		if ownStatisticsQuery(s) {
			t.Errorf("the collector's own statement is among the top statements: %q", s.Query)
		}
		if strings.HasPrefix(s.Query, "UPDATE matrix_orders SET customer") {
			update = &st2.Statements.Top[i]
		}
	}
	if update == nil {
		t.Fatalf("the workload's UPDATE is not among the top statements: %+v", st2.Statements.Top)
	}
	if update.Calls != 21 || !(update.TotalTimeMs > 0) || update.Rows != 21*100 || update.QueryHidden || update.Database != "postgres" {
		t.Errorf("UPDATE statement %+v: want 21 calls of 100 rows in postgres", *update)
	}
	if !st2.Statements.TextsVisible || st2.Statements.Count < 3 || st2.Statements.TotalCalls < 40 {
		t.Errorf("statements: visible %t, %d entries, %d calls", st2.Statements.TextsVisible, st2.Statements.Count, st2.Statements.TotalCalls)
	}

	for _, secret := range []string{"MatrixSecret99", "MatrixKey77"} {
		for _, got := range []*Stats{st, st2} {
			if dump := secretHaystack(got, secret); strings.Contains(dump, secret) {
				t.Errorf("the collected statistics contain the secret %q", secret)
			}
		}
	}

	// The other sections.
	found := false
	for _, d := range st.Databases {
		found = found || (d.Name == "postgres" && d.SizeBytes > 0)
	}
	if !found {
		t.Errorf("databases %+v: want postgres with its size", st.Databases)
	}
	if c := st.Connections; c.MaxConnections <= 0 || c.Total < 1 || c.Available <= 0 {
		t.Errorf("connections %+v: want the admin's session (the collector's own is not counted)", c)
	}
	if s := st.Settings; s.SharedBuffersBytes <= 0 || s.MaxConnections <= 0 || s.WorkMemBytes <= 0 || s.MaxWorkerProcesses <= 0 {
		t.Errorf("settings %+v", s)
	}
	if st.Checkpoints.Requested < 1 {
		t.Errorf("checkpoints %+v after CHECKPOINT: want a requested one (pg_stat_checkpointer from 17, pg_stat_bgwriter before)", st.Checkpoints)
	}
	if len(st.Tables) != 1 || st.Tables[0].Table != "matrix_orders" || st.Tables[0].LiveTuples != 5000 || !(st.Tables[0].EstimatedRows == 5000) || st.Tables[0].SizeBytes <= 0 {
		t.Errorf("tables %+v: want matrix_orders with 5000 rows (never analysed: n_live_tup)", st.Tables)
	}
	if len(st2.Tables) != 2 || st2.Tables[1].Table != "matrix_parted" || st2.Tables[1].LiveTuples != 1000 || st2.Tables[1].EstimatedRows != 1000 || st2.Tables[1].SizeBytes <= 0 {
		t.Errorf("tables %+v: want matrix_parted with its partitions' 1000 rows", st2.Tables)
	}
	var unused []string
	for _, ix := range st.UnusedIndexes {
		unused = append(unused, ix.Name)
	}
	for _, want := range []string{"matrix_orders_note", "matrix_parted_low_id_idx", "matrix_parted_high_id_idx"} {
		if !slices.Contains(unused, want) {
			t.Errorf("unused indexes %v: want %s", unused, want)
		}
	}
	if slices.Contains(unused, "matrix_parted_id") {
		t.Errorf("unused indexes %v: the partitioned index matrix_parted_id is listed", unused)
	}
}

// checkpointsRequestedQuery reads the requested checkpoints independently of the collector.
func checkpointsRequestedQuery(major int) string {
	if major >= 17 {
		return "SELECT num_requested FROM pg_stat_checkpointer"
	}
	return "SELECT checkpoints_req FROM pg_stat_bgwriter"
}

// ownStatisticsQuery reports whether s is one of the collector's statistics queries:
// matrix_monitor runs nothing but the collector, whose transaction-control statements (BEGIN,
// ROLLBACK, SAVEPOINT, RELEASE) are listed like anyone's.
func ownStatisticsQuery(s Statement) bool {
	if strings.Contains(s.Query, queryTag) && !strings.HasPrefix(s.Query, "SELECT") && !strings.HasPrefix(s.Query, "WITH") {
		return false // a tagged transaction-control statement
	}
	if s.User == "matrix_monitor" {
		q := strings.ToUpper(s.Query)
		return !strings.HasPrefix(q, "BEGIN") && !strings.HasPrefix(q, "ROLLBACK") && !strings.HasPrefix(q, "SAVEPOINT") && !strings.HasPrefix(q, "RELEASE")
	}
	return strings.Contains(s.Query, queryTag)
}

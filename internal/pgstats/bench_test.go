package pgstats

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	benchDB         = "pgstats_bench"
	benchTables     = 2000
	benchStatements = 5000
)

// setupBenchDatabase makes (or reuses) a database with benchTables tables, a
// non-unique index on every tenth one, pg_stat_statements, and at least
// benchStatements distinct statements of that database in pg_stat_statements.
// Tables are created in one server-side loop and the statements sent as one
// multi-statement simple query, so setup takes a few seconds.
func setupBenchDatabase(b *testing.B, h harness) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	admin := h.superuser(b, "postgres")
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", benchDB).Scan(&exists); err != nil {
		b.Fatal(err)
	}
	if !exists {
		execSQL(b, admin, "CREATE DATABASE "+pgx.Identifier{benchDB}.Sanitize())
	}
	conn := h.superuser(b, benchDB)
	var tables int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname LIKE 'bench\\_t\\_%' AND relkind = 'r'").Scan(&tables); err != nil {
		b.Fatal(err)
	}
	if tables != benchTables {
		execSQL(b, conn, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements", fmt.Sprintf(`DO $$
			BEGIN
				FOR i IN 1..%d LOOP
					EXECUTE format('CREATE TABLE IF NOT EXISTS bench_t_%%s (id int, v int)', i);
					IF i %% 10 = 0 THEN
						EXECUTE format('CREATE INDEX IF NOT EXISTS bench_t_%%s_v ON bench_t_%%s (v)', i, i);
					END IF;
				END LOOP;
			END $$`, benchTables))
	}
	count := func() int {
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())").Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	if count() < benchStatements {
		var sb strings.Builder
		for i := 1; i <= benchTables; i++ {
			fmt.Fprintf(&sb, "SELECT v FROM bench_t_%d WHERE id = 1;SELECT count(*) FROM bench_t_%d;", i, i)
			if i <= benchStatements-2*benchTables {
				fmt.Fprintf(&sb, "SELECT id, v FROM bench_t_%d LIMIT 1;", i)
			}
		}
		if _, err := conn.PgConn().Exec(ctx, sb.String()).ReadAll(); err != nil {
			b.Fatalf("running the distinct statements: %v", err)
		}
	}
	if n := count(); n < benchStatements {
		b.Fatalf("pg_stat_statements holds %d entries for %s, want at least %d (is pg_stat_statements.max large enough?)", n, benchDB, benchStatements)
	}
	b.Logf("bench database ready in %s", time.Since(start).Round(time.Millisecond))
}

// BenchmarkCollect measures one snapshot against a database with 2,000 tables
// and 5,000 distinct statements. server-ms/op is the collector's own timing on
// the server's clock (Timing.SnapshotServerTimes); the goal is <= 50 ms.
//
//	go test ./internal/pgstats -run '^$' -bench Collect -benchtime 20x
func BenchmarkCollect(b *testing.B) {
	h := needPG(b)
	setupBenchDatabase(b, h)
	conn := h.connect(b, benchDB, "postgres")
	ctx := context.Background()
	tables := []string{"bench_t_1", "bench_t_500", "public.bench_t_2000"}
	var server, worst time.Duration
	var entries int64
	var unused int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := Collect(ctx, conn, Options{Tables: tables})
		if err != nil {
			b.Fatal(err)
		}
		d := st.Timing.SnapshotServerTimes[0]
		server += d
		worst = max(worst, d)
		entries, unused = st.Statements.Count, len(st.UnusedIndexes)
	}
	b.StopTimer()
	if entries < benchStatements || unused != benchTables/10 {
		b.Fatalf("the snapshot saw %d statements and %d unused indexes; want >= %d and %d", entries, unused, benchStatements, benchTables/10)
	}
	b.ReportMetric(float64(server.Microseconds())/1000/float64(b.N), "server-ms/op")
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-server-ms")
	b.Logf("%d snapshots over %d statements, %d unused indexes: mean server time %s, worst %s",
		b.N, entries, unused, server/time.Duration(b.N), worst)
}

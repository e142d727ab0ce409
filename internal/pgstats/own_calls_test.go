package pgstats

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// startPgssCluster starts a private PostgreSQL (startPrivateCluster, trust authentication) with
// pg_stat_statements preloaded and created in the postgres database, and returns its port.
// Nothing but the test connects to it, so its pg_stat_statements counts only what the test runs.
func startPgssCluster(t *testing.T, bindir string) int {
	t.Helper()
	port := startPrivateCluster(t, bindir, "", "-c shared_preload_libraries=pg_stat_statements")
	conn := connectPort(t, port)
	if _, err := conn.Exec(context.Background(), "CREATE EXTENSION pg_stat_statements"); err != nil {
		t.Fatal(err)
	}
	return port
}

// connectPort connects to the private server on port as postgres, closed at cleanup.
func connectPort(t *testing.T, port int) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// TestCollect_sampleLeavesOutOwnStatements: a sample's statements.calls_per_second counts the
// workload's statements only, not the collector's own between its two readings of the counters
// (some ten: the first reading itself, the database statistics, savepoints), which made an idle
// server read about 1 call/s on a 5 s sample. On a private server where, during the sample, an
// application runs exactly appCalls statements and nothing else is counted (the test's own
// polling session does not track), the sample must count exactly appCalls, with the default
// tracking settings and with pg_stat_statements.track_utility off (the collector's savepoints
// are then not counted, so they must not be taken off either).
func TestCollect_sampleLeavesOutOwnStatements(t *testing.T) {
	h := needPG(t)
	if h.bindir == "" {
		t.Fatal("RIGHTSIZE_TEST_PG_BINDIR is not set: it must point at the PostgreSQL server binaries (initdb, pg_ctl)")
	}
	port := startPgssCluster(t, h.bindir)
	ctx := context.Background()
	admin := connectPort(t, port)
	// The test's own polling (awaitSampleWait) runs during the sample: not counted.
	if _, err := admin.Exec(ctx, "SET pg_stat_statements.track = none"); err != nil {
		t.Fatal(err)
	}
	const appCalls = 37
	for _, trackUtility := range []string{"on", "off"} {
		t.Run("track_utility="+trackUtility, func(t *testing.T) {
			if _, err := admin.Exec(ctx, "ALTER SYSTEM SET pg_stat_statements.track_utility = "+trackUtility); err != nil {
				t.Fatal(err)
			}
			if _, err := admin.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
				t.Fatal(err)
			}
			collector, app := connectPort(t, port), connectPort(t, port)
			poll(t, 10*time.Second, "track_utility reloaded", func() (bool, error) {
				var v string
				err := collector.QueryRow(ctx, "SHOW pg_stat_statements.track_utility").Scan(&v)
				return v == trackUtility, err
			})
			bg := sampleInBackground(collector, Options{Sample: 1500 * time.Millisecond})
			awaitSampleWait(t, admin, collector.PgConn().PID())
			for i := range appCalls {
				var n int
				if err := app.QueryRow(ctx, "SELECT $1::int", i).Scan(&n); err != nil {
					t.Fatal(err)
				}
			}
			st := bg.wait(t)
			ss := st.Statements
			if !ss.Available || ss.RateBasis != RateBasisSample {
				t.Fatalf("statements available %v, rate basis %q: want a sample", ss.Available, ss.RateBasis)
			}
			if got := math.Round(ss.CallsPerSecond * ss.RateSeconds); got != appCalls {
				t.Fatalf("calls_per_second %.3f over %.3f s counts %v statements, want the application's %d",
					ss.CallsPerSecond, ss.RateSeconds, got, appCalls)
			}
		})
	}
}

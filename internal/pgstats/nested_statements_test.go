package pgstats

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCollect_nestedStatementsCountedOnce: with pg_stat_statements.track = all (the harness's
// setting) the extension records a function's call and the statements run inside it; the
// caller's time already holds theirs. The totals and rates count top-level statements only, so
// a function sleeping 4 × 0.5 s during the sample shows about 2 s of execution, not 4, and the
// call's share of it is most (so is the nested sleep's share of its callers' time). The bounds
// leave room for other packages' tests, which share the server and run at the same time.
func TestCollect_nestedStatementsCountedOnce(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_nested"
	h.freshDatabase(t, db)
	admin := h.superuser(t, db)
	execSQL(t, admin, `CREATE FUNCTION nested_sleep() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.5); END $$`)
	worker := h.superuser(t, db)
	conn := h.connect(t, "postgres", "postgres")
	sampled := sampleInBackground(conn, Options{Sample: 2800 * time.Millisecond, TopStatements: 20})
	awaitSampleWait(t, admin, conn.PgConn().PID()) // the calls start after the sample's first snapshot
	for range 4 {
		if _, err := worker.Exec(context.Background(), "SELECT nested_sleep()"); err != nil {
			t.Fatal(err)
		}
	}
	st := sampled.wait(t)
	s := st.Statements
	if !s.Available || s.RateBasis != RateBasisSample {
		t.Fatalf("statements not sampled: %+v", s)
	}
	ms := s.TimeMsPerSecond * s.RateSeconds
	if ms < 1900 || ms > 3500 {
		t.Errorf("execution time during the sample %.0f ms, want about 2000 (4 × 0.5 s, counted once)", ms)
	}
	// This test's entries only: another package's test on the shared server can run a nested
	// pg_sleep of its own during the sample (TestAccPostgresStatsDataSource_redactsSecrets' DO
	// block sleeps a second in database postgres), an entry of the same text in another database.
	var call, nested *Statement
	for i := range s.Top {
		if s.Top[i].Database != db {
			continue
		}
		switch q := s.Top[i].Query; {
		case strings.Contains(q, "nested_sleep()") && s.Top[i].TopLevel:
			call = &s.Top[i]
		case strings.Contains(q, "pg_sleep") && !s.Top[i].TopLevel:
			nested = &s.Top[i]
		}
	}
	if call == nil || nested == nil {
		t.Fatalf("top statements %+v: want the call and its nested sleep", s.Top)
	}
	if call.ShareOfTotalTime < 0.6 || nested.ShareOfTotalTime < 0.6 {
		t.Errorf("shares: call %.2f, nested sleep %.2f; want each most of the time (counted twice, each is under a half)", call.ShareOfTotalTime, nested.ShareOfTotalTime)
	}
}

// TestCollect_runningCallerCounted: pg_stat_statements records a statement's time when it ends. A
// function still running at the sample's end (15 × 0.3 s of sleeps, started just after the first
// snapshot) has no top-level time yet, while the sleeps it ran have theirs: the sample's execution
// time is the larger of the top-level and nested sums (about 2.1 s here, not the 0.1 s of the
// short top-level sleeps), and no share exceeds 1.
func TestCollect_runningCallerCounted(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_running"
	h.freshDatabase(t, db)
	admin := h.superuser(t, db)
	execSQL(t, admin, `CREATE FUNCTION long_sleep() RETURNS void LANGUAGE plpgsql AS $$ BEGIN FOR i IN 1..15 LOOP PERFORM pg_sleep(0.3); END LOOP; END $$`)
	worker, other := h.superuser(t, db), h.superuser(t, db)
	conn := h.connect(t, "postgres", "postgres")
	sampled := sampleInBackground(conn, Options{Sample: 2500 * time.Millisecond, TopStatements: 20})
	awaitSampleWait(t, admin, conn.PgConn().PID()) // both start after the sample's first snapshot
	done := make(chan error, 1)
	go func() {
		_, err := worker.Exec(context.Background(), "SELECT long_sleep()")
		done <- err
	}()
	for range 5 {
		if _, err := other.Exec(context.Background(), "SELECT pg_sleep(0.02)"); err != nil {
			t.Fatal(err)
		}
	}
	st := sampled.wait(t)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s := st.Statements
	if ms := s.TimeMsPerSecond * s.RateSeconds; ms < 1500 {
		t.Errorf("execution time during the sample %.0f ms, want the running function's sleeps (about 2100)", ms)
	}
	for _, q := range s.Top {
		if q.ShareOfTotalTime > 1 {
			t.Errorf("%q (top level %t) share %.2f > 1", q.Query, q.TopLevel, q.ShareOfTotalTime)
		}
	}
}

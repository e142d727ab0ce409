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
// a function sleeping 4 × 0.3 s during the sample shows about 1.2 s of execution, not 2.4, and
// the call's share of it is about all (so is the nested sleep's share of its callers' time).
func TestCollect_nestedStatementsCountedOnce(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_nested"
	h.freshDatabase(t, db)
	admin := h.superuser(t, db)
	execSQL(t, admin, `CREATE FUNCTION nested_sleep() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.3); END $$`)
	worker := h.superuser(t, db)
	conn := h.connect(t, "postgres", "postgres")
	done := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond) // after the sample's first snapshot
		for range 4 {
			if _, err := worker.Exec(context.Background(), "SELECT nested_sleep()"); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	st := collect(t, conn, Options{Sample: 2500 * time.Millisecond, TopStatements: 20})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s := st.Statements
	if !s.Available || s.RateBasis != RateBasisSample {
		t.Fatalf("statements not sampled: %+v", s)
	}
	ms := s.TimeMsPerSecond * s.RateSeconds
	if ms < 1100 || ms > 1700 {
		t.Errorf("execution time during the sample %.0f ms, want about 1200 (4 × 0.3 s, counted once)", ms)
	}
	var call, nested *Statement
	for i := range s.Top {
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
	if call.ShareOfTotalTime < 0.8 || nested.ShareOfTotalTime < 0.8 {
		t.Errorf("shares: call %.2f, nested sleep %.2f; want each about 1 (the call is nearly all top-level time)", call.ShareOfTotalTime, nested.ShareOfTotalTime)
	}
}

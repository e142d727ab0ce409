package pgstats

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestCollect_maxDatabases: with Options.MaxDatabases a database-per-tenant server lists the
// connected database and the busiest others, sized, and DatabasesTotal counts them all; without
// it every database is listed. In a sample the busiest are those with the most transactions
// during it.
func TestCollect_maxDatabases(t *testing.T) {
	h := needPG(t)
	// busy sorts after every other database, so that only its transactions can rank it first.
	const quiet, busy = "pgstats_tenant_quiet", "zz_pgstats_tenant_busy"
	h.freshDatabase(t, quiet)
	h.freshDatabase(t, busy)
	conn := h.connect(t, quiet, "postgres")

	all := collect(t, conn, Options{})
	if all.DatabasesTotal != len(all.Databases) || findDatabase(all, busy) == nil || findDatabase(all, "postgres") == nil {
		t.Fatalf("without a limit: %d databases listed of %d, want all", len(all.Databases), all.DatabasesTotal)
	}

	one := collect(t, conn, Options{MaxDatabases: 1})
	if len(one.Databases) != 1 || one.Databases[0].Name != quiet || one.Databases[0].SizeBytes <= 0 || one.DatabasesTotal < 3 {
		t.Fatalf("limit 1: %v of %d, want the connected database alone, sized", dbSizes(one), one.DatabasesTotal)
	}
	if one.RateBasis == RateBasisNone {
		t.Errorf("limit 1: rate basis %q: the connected database's rates are missing", one.RateBasis)
	}

	// Thousands of transactions in busy during the sample outrank every other database's. The
	// sample is longer than a second: a busy backend flushes its counters at most once a second.
	// The load reads a table: PostgreSQL 15+ holds back the counts of transactions that read none
	// (SELECT 1) after a connection's first second (TestCollect_sampleWarnsOfUnpublishedTransactions).
	load := h.superuser(t, busy)
	execSQL(t, load, "CREATE TABLE t (v int)")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stop atomic.Bool
	done := make(chan error, 1)
	go func() {
		var err error
		for !stop.Load() && err == nil {
			_, err = load.Exec(ctx, "SELECT v FROM t")
		}
		done <- err
	}()
	two, err := Collect(ctx, conn, Options{MaxDatabases: 2, Sample: 1500 * time.Millisecond})
	stop.Store(true)
	if lerr := <-done; lerr != nil {
		t.Fatalf("load: %v", lerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(two.Databases) != 2 || findDatabase(two, quiet) == nil || findDatabase(two, busy) == nil {
		t.Fatalf("limit 2 with a sample: %v, want %s and %s", dbSizes(two), busy, quiet)
	}
	for _, d := range two.Databases {
		if d.SizeBytes <= 0 || d.RateBasis != RateBasisSample {
			t.Errorf("limit 2 with a sample: %s sized %d, rate basis %q", d.Name, d.SizeBytes, d.RateBasis)
		}
	}
	if b := findDatabase(two, busy); !(b.TransactionsPerSecond > 100) {
		t.Errorf("%s ran %.0f transactions per second during the sample", busy, b.TransactionsPerSecond)
	}

	if _, err := Collect(ctx, conn, Options{MaxDatabases: MaxMaxDatabases + 1}); err == nil {
		t.Error("an out-of-range MaxDatabases was accepted")
	}
}

// dbSizes maps the databases listed to their sizes.
func dbSizes(st *Stats) map[string]int64 {
	m := map[string]int64{}
	for _, d := range st.Databases {
		m[d.Name] = d.SizeBytes
	}
	return m
}

package pgstats

import (
	"context"
	"testing"
	"time"
)

// TestCollect_unusedIndexLockedByMaintenance: an unused index another session holds an ACCESS
// EXCLUSIVE lock on (REINDEX here; VACUUM FULL, CLUSTER, DROP INDEX and table rewrites take one
// too, for as long as they run) is left out of the unused indexes with a warning naming it, while
// the others are listed (at most MaxUnusedIndexes) and counted. pg_relation_size() would wait for the lock: on a server with
// thousands of tenants' indexes, one tenant's maintenance then failed the whole collection at its
// statement timeout.
func TestCollect_unusedIndexLockedByMaintenance(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_locked_index"
	h.freshDatabase(t, db)
	execSQL(t, h.superuser(t, db),
		"CREATE TABLE tenant_a (id int, v int)", "CREATE INDEX tenant_a_v ON tenant_a (v)",
		"CREATE TABLE tenant_b (id int, v int)", "CREATE INDEX tenant_b_v ON tenant_b (v)",
		"CREATE TABLE tenant_c (id int, v int)", "CREATE INDEX tenant_c_v ON tenant_c (v)",
		"CREATE TABLE tenant_d (id int)")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	maint := h.superuser(t, db)
	tx, err := maint.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	for _, sql := range []string{
		"REINDEX INDEX tenant_a_v",                     // holds ACCESS EXCLUSIVE on it until rollback
		"LOCK TABLE tenant_d IN ACCESS EXCLUSIVE MODE", // a lock on another relation, which leaves room for no more indexes
	} {
		if _, err := tx.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}

	conn := h.connect(t, db, "postgres")
	opts := Options{StatementTimeout: 2 * time.Second, MaxUnusedIndexes: 1}
	for _, o := range []Options{opts, {StatementTimeout: opts.StatementTimeout, MaxUnusedIndexes: 1, Sample: 50 * time.Millisecond}} {
		st, err := Collect(ctx, conn, o)
		if err != nil {
			t.Fatalf("sample %s: Collect waited for the lock on tenant_a_v: %v", o.Sample, err)
		}
		// tenant_b_v and tenant_c_v have the same size: the first by name is listed, both counted.
		if len(st.UnusedIndexes) != 1 || st.UnusedIndexes[0].Name != "tenant_b_v" || st.UnusedIndexesTotal != 2 ||
			st.UnusedIndexesTotalBytes != 2*st.UnusedIndexes[0].SizeBytes {
			t.Errorf("sample %s: unused indexes %+v, total %d (%d bytes); want tenant_b_v listed, it and tenant_c_v counted", o.Sample,
				st.UnusedIndexes, st.UnusedIndexesTotal, st.UnusedIndexesTotalBytes)
		}
		if !hasWarning(st, "1 unused index is locked by another session") || !hasWarning(st, "public.tenant_a_v") {
			t.Errorf("sample %s: no warning naming the locked index: %q", o.Sample, st.Warnings)
		}
	}
}

package pgstats

import (
	"context"
	"testing"
	"time"
)

// TestCollect_unusedIndexLockedByMaintenance: an unused index another session holds an ACCESS
// EXCLUSIVE lock on (REINDEX here; VACUUM FULL, CLUSTER, DROP INDEX and table rewrites take one
// too, for as long as they run) is left out of the unused indexes with a warning naming it, while
// the others are listed and counted. pg_relation_size() would wait for the lock: on a server with
// thousands of tenants' indexes, one tenant's maintenance then failed the whole collection at its
// statement timeout.
func TestCollect_unusedIndexLockedByMaintenance(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_locked_index"
	h.freshDatabase(t, db)
	execSQL(t, h.superuser(t, db),
		"CREATE TABLE tenant_a (id int, v int)", "CREATE INDEX tenant_a_v ON tenant_a (v)",
		"CREATE TABLE tenant_b (id int, v int)", "CREATE INDEX tenant_b_v ON tenant_b (v)")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	maint := h.superuser(t, db)
	tx, err := maint.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(ctx, "REINDEX INDEX tenant_a_v"); err != nil { // holds ACCESS EXCLUSIVE on it until rollback
		t.Fatal(err)
	}

	conn := h.connect(t, db, "postgres")
	for _, o := range []Options{{StatementTimeout: 2 * time.Second}, {StatementTimeout: 2 * time.Second, Sample: 50 * time.Millisecond}} {
		st, err := Collect(ctx, conn, o)
		if err != nil {
			t.Fatalf("sample %s: Collect waited for the lock on tenant_a_v: %v", o.Sample, err)
		}
		if len(st.UnusedIndexes) != 1 || st.UnusedIndexes[0].Name != "tenant_b_v" || st.UnusedIndexesTotal != 1 ||
			st.UnusedIndexesTotalBytes != st.UnusedIndexes[0].SizeBytes {
			t.Errorf("sample %s: unused indexes %+v, total %d (%d bytes); want tenant_b_v alone", o.Sample,
				st.UnusedIndexes, st.UnusedIndexesTotal, st.UnusedIndexesTotalBytes)
		}
		if !hasWarning(st, "1 unused index is locked by another session") || !hasWarning(st, "public.tenant_a_v") {
			t.Errorf("sample %s: no warning naming the locked index: %q", o.Sample, st.Warnings)
		}
	}
}

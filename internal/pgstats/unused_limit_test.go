package pgstats

import (
	"context"
	"fmt"
	"testing"
)

// Unused indexes: at most Options.MaxUnusedIndexes are listed, the largest first, while
// UnusedIndexesTotal and UnusedIndexesTotalBytes count them all; a bad limit is an error naming it.
func TestCollect_unusedIndexesLimit(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_unused_limit"
	h.freshDatabase(t, db)
	stmts := []string{}
	for i := 1; i <= 12; i++ {
		// Table i has i×200 rows, so its index grows with i.
		stmts = append(stmts,
			fmt.Sprintf("CREATE TABLE t%02d (id int, v int)", i),
			fmt.Sprintf("INSERT INTO t%02d SELECT g, g FROM generate_series(1, %d) g", i, i*200),
			fmt.Sprintf("CREATE INDEX t%02d_v ON t%02d (v)", i, i))
	}
	execSQL(t, h.superuser(t, db), stmts...)
	conn := h.connect(t, db, "postgres")
	all := collect(t, conn, Options{MaxUnusedIndexes: MaxMaxUnusedIndexes})
	if len(all.UnusedIndexes) != 12 || all.UnusedIndexesTotal != 12 {
		t.Fatalf("%d unused indexes listed, total %d; want 12 and 12", len(all.UnusedIndexes), all.UnusedIndexesTotal)
	}
	var sum int64
	for _, ix := range all.UnusedIndexes {
		sum += ix.SizeBytes
	}
	if all.UnusedIndexesTotalBytes != sum {
		t.Errorf("total bytes %d, sum of the list %d", all.UnusedIndexesTotalBytes, sum)
	}
	some := collect(t, conn, Options{MaxUnusedIndexes: 5})
	if len(some.UnusedIndexes) != 5 || some.UnusedIndexesTotal != 12 || some.UnusedIndexesTotalBytes != sum {
		t.Fatalf("limit 5: %d listed, total %d (%d bytes); want 5, 12 (%d bytes)", len(some.UnusedIndexes), some.UnusedIndexesTotal, some.UnusedIndexesTotalBytes, sum)
	}
	for i, ix := range some.UnusedIndexes {
		if ix != all.UnusedIndexes[i] {
			t.Errorf("limit 5, entry %d: %+v, want the %d-th largest %+v", i, ix, i+1, all.UnusedIndexes[i])
		}
	}
	if def := collect(t, conn, Options{}); len(def.UnusedIndexes) != 12 { // default 100
		t.Errorf("default limit: %d listed", len(def.UnusedIndexes))
	}
	if _, err := Collect(context.Background(), conn, Options{MaxUnusedIndexes: MaxMaxUnusedIndexes + 1}); err == nil {
		t.Error("an out-of-range MaxUnusedIndexes was accepted")
	}
}

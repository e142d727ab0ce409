package pgstats

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestCollect_partitionedIndexNotUnused: the index of a partitioned table (relkind I) has no
// storage and no scans of its own, whatever its partitions' indexes do: it is not listed as
// unused (pg_stat_user_indexes does not list it either). Dropping it would drop the index of
// every partition, the scanned ones too. The partitions' own indexes are judged on their scans.
func TestCollect_partitionedIndexNotUnused(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_partitioned_index"
	h.freshDatabase(t, db)
	setup := h.superuser(t, db)
	execSQL(t, setup,
		"CREATE TABLE orders (id int, created date NOT NULL) PARTITION BY RANGE (created)",
		"CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
		"CREATE TABLE orders_2025 PARTITION OF orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
		"CREATE INDEX orders_created ON orders (created)",
		"INSERT INTO orders SELECT g, date '2024-01-01' + g % 700 FROM generate_series(1, 20000) g",
		"ANALYZE orders",
		"SET enable_seqscan = off",
		"SELECT count(*) FROM orders WHERE created = '2024-05-05'", // scans orders_2024's index only
	)
	_ = setup.Close(context.Background()) // a closing backend flushes its statistics
	check := h.superuser(t, db)
	poll(t, 15*time.Second, "idx_scan of orders_2024_created_idx", func() (bool, error) {
		var n int64
		if _, err := check.Exec(context.Background(), "SELECT pg_stat_clear_snapshot()"); err != nil {
			return false, err
		}
		err := check.QueryRow(context.Background(), "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'orders_2024_created_idx'").Scan(&n)
		return n > 0, err
	})

	st := collect(t, h.connect(t, db, "postgres"), Options{})
	var names []string
	for _, ix := range st.UnusedIndexes {
		names = append(names, ix.Name)
	}
	if slices.Contains(names, "orders_created") {
		t.Errorf("the partitioned index orders_created, whose partition orders_2024's index is scanned, is listed as unused: %v", names)
	}
	if slices.Contains(names, "orders_2024_created_idx") || !slices.Contains(names, "orders_2025_created_idx") {
		t.Errorf("unused indexes %v: want orders_2025_created_idx and not orders_2024_created_idx", names)
	}
	if st.UnusedIndexesTotal != len(names) {
		t.Errorf("unused_indexes_total %d, %d listed: %v", st.UnusedIndexesTotal, len(names), names)
	}
}

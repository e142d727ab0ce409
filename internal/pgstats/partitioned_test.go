package pgstats

import (
	"context"
	"math"
	"slices"
	"strings"
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

// TestCollect_partitionedTableStats: a partitioned table named in Options.Tables has no storage,
// rows or scans of its own (its partitions have them all), so it is reported as the sum of its
// partitions: size, live and dead rows, row estimate and scans. It was reported as 0 bytes, 0 rows
// and never scanned, whatever its partitions held and served.
func TestCollect_partitionedTableStats(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_partitioned_table"
	h.freshDatabase(t, db)
	setup := h.superuser(t, db)
	execSQL(t, setup,
		"CREATE TABLE orders (id int, created date NOT NULL) PARTITION BY RANGE (created)",
		"CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
		"CREATE TABLE orders_2025 PARTITION OF orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY RANGE (id)",
		"CREATE TABLE orders_2025_low PARTITION OF orders_2025 FOR VALUES FROM (MINVALUE) TO (10000)",
		"CREATE TABLE orders_2025_high PARTITION OF orders_2025 FOR VALUES FROM (10000) TO (MAXVALUE)",
		"CREATE TABLE orders_empty (id int) PARTITION BY RANGE (id)",
		"CREATE INDEX orders_created ON orders (created)",
		"INSERT INTO orders SELECT g, date '2024-01-01' + g % 700 FROM generate_series(1, 20000) g",
		"VACUUM ANALYZE orders_2024, orders_2025_low, orders_2025_high",
		"SET enable_seqscan = off",
		"SELECT count(*) FROM orders WHERE created = '2024-05-05'",
		"RESET enable_seqscan",
		"SELECT count(*) FROM orders",
	)
	_ = setup.Close(context.Background())
	check := h.superuser(t, db)
	leaves := []string{"orders_2024", "orders_2025_low", "orders_2025_high"}
	var want Table
	poll(t, 15*time.Second, "the partitions' scans", func() (bool, error) {
		if _, err := check.Exec(context.Background(), "SELECT pg_stat_clear_snapshot()"); err != nil {
			return false, err
		}
		want = Table{}
		err := check.QueryRow(context.Background(), `SELECT sum(c.reltuples)::float8, sum(s.n_live_tup)::int8, sum(s.n_dead_tup)::int8,
			sum(pg_total_relation_size(c.oid))::int8, sum(s.seq_scan)::int8, sum(s.seq_tup_read)::int8,
			sum(coalesce(s.idx_scan, 0))::int8, sum(coalesce(s.idx_tup_fetch, 0))::int8
			FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relname = ANY($1)`, leaves).
			Scan(&want.EstimatedRows, &want.LiveTuples, &want.DeadTuples, &want.SizeBytes, &want.SeqScans, &want.SeqTuplesRead, &want.IndexScans, &want.IndexTuplesFetched)
		return want.SeqScans >= 3 && want.IndexScans >= 1, err
	})

	st := collect(t, h.connect(t, db, "postgres"), Options{Tables: []string{"orders", "orders_empty", "orders_2024"}})
	if len(st.Tables) != 3 {
		t.Fatalf("tables %+v, want orders, orders_empty and orders_2024; warnings %q", st.Tables, st.Warnings)
	}
	got := st.Tables[0]
	want.Name, want.Schema, want.Table = "orders", "public", "orders"
	want.SeqScanShare = float64(want.SeqScans) / float64(want.SeqScans+want.IndexScans)
	if got != want || want.EstimatedRows != 20000 || want.SizeBytes <= 0 {
		t.Errorf("partitioned table orders:\n got %+v\nwant %+v (its partitions' sums)", got, want)
	}
	if e := st.Tables[1]; e.Table != "orders_empty" || e.SizeBytes != 0 || e.EstimatedRows != 0 || e.SeqScans != 0 || !math.IsNaN(e.SeqScanShare) {
		t.Errorf("partitioned table without partitions: %+v", e)
	}
	if p := st.Tables[2]; p.Table != "orders_2024" || p.EstimatedRows <= 0 || p.EstimatedRows >= 20000 || p.SizeBytes <= 0 || p.SeqScans < 1 {
		t.Errorf("partition orders_2024, named itself: %+v", p)
	}
}

// TestCollect_lockedTablesNotSized: another session holds ACCESS EXCLUSIVE on a named table (a
// migration's ALTER TABLE, VACUUM FULL) and on one partition of a named partitioned table.
// pg_total_relation_size() and pg_partition_tree() would wait for it until the statement
// timeout, failing the whole collection; the collection finishes, gives both tables with size
// -1 and their other figures, names them in a warning, and sizes the table nobody locked.
func TestCollect_lockedTablesNotSized(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_locked_tables"
	h.freshDatabase(t, db)
	execSQL(t, h.superuser(t, db),
		"CREATE TABLE busy (id int)", "INSERT INTO busy SELECT generate_series(1, 1000)",
		"CREATE TABLE free (id int)", "INSERT INTO free SELECT generate_series(1, 1000)",
		"CREATE TABLE parts (id int, created date NOT NULL) PARTITION BY RANGE (created)",
		"CREATE TABLE parts_2024 PARTITION OF parts FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
		"CREATE TABLE parts_2025 PARTITION OF parts FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
		"INSERT INTO parts SELECT g, date '2024-01-01' + g % 700 FROM generate_series(1, 2000) g",
	)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	locker := h.superuser(t, db)
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(ctx, "LOCK TABLE busy, parts_2025 IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	st := collect(t, h.connect(t, db, "postgres"), Options{Tables: []string{"busy", "free", "parts"}, StatementTimeout: 5 * time.Second})
	sizes := map[string]int64{}
	for _, tb := range st.Tables {
		sizes[tb.Name] = tb.SizeBytes
	}
	if sizes["busy"] != -1 || sizes["parts"] != -1 || sizes["free"] <= 0 || len(st.Tables) != 3 {
		t.Errorf("sizes %v (%d tables): want busy and parts -1 (locked), free sized", sizes, len(st.Tables))
	}
	var warned bool
	for _, w := range st.Warnings {
		warned = warned || strings.Contains(w, `2 tables are locked by another session`) && strings.Contains(w, `"busy", "parts"`)
	}
	if !warned {
		t.Errorf("no warning names busy and parts as locked: %q", st.Warnings)
	}
}

// TestCollect_lockedToastIndexNotSized: REINDEX of a table whose only index is its TOAST table's
// (a table without a primary key holding long values) takes ACCESS EXCLUSIVE on that TOAST index
// alone, and pg_total_relation_size() opens the TOAST table's indexes too, so it would wait for it
// until the statement timeout and fail the whole collection. The table is not sized (-1, with the
// warning), as for a lock on the table, one of its indexes or its TOAST table.
func TestCollect_lockedToastIndexNotSized(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_locked_toast_index"
	h.freshDatabase(t, db)
	execSQL(t, h.superuser(t, db),
		"CREATE TABLE notes (body text)",
		"INSERT INTO notes SELECT repeat(md5(g::text), 200) FROM generate_series(1, 100) g",
		"CREATE TABLE free (id int)", "INSERT INTO free SELECT generate_series(1, 1000)",
	)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	locker := h.superuser(t, db)
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(ctx, "REINDEX TABLE notes"); err != nil { // its TOAST index, ACCESS EXCLUSIVE until the rollback
		t.Fatal(err)
	}
	st := collect(t, h.connect(t, db, "postgres"), Options{Tables: []string{"notes", "free"}, StatementTimeout: 5 * time.Second})
	sizes := map[string]int64{}
	for _, tb := range st.Tables {
		sizes[tb.Name] = tb.SizeBytes
	}
	if sizes["notes"] != -1 || sizes["free"] <= 0 || len(st.Tables) != 2 {
		t.Errorf("sizes %v (%d tables): want notes -1 (its TOAST index locked), free sized", sizes, len(st.Tables))
	}
	var warned bool
	for _, w := range st.Warnings {
		warned = warned || strings.Contains(w, `1 table is locked by another session`) && strings.Contains(w, `"notes"`)
	}
	if !warned {
		t.Errorf("no warning names notes as locked: %q", st.Warnings)
	}
}

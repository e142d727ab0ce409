package pgstats

import (
	"context"
	"testing"
	"time"
)

// SkipCatalogScans leaves out the databases' sizes and the unused indexes (catalog and disk
// walks), and keeps the counters and settings.
func TestCollect_skipCatalogScans(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_skipscans"
	h.freshDatabase(t, db)
	setup := h.superuser(t, db)
	execSQL(t, setup,
		"CREATE TABLE t (id int PRIMARY KEY, note text)",
		"CREATE INDEX t_note_unused ON t (note)",
		"INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 1000) g",
	)
	_ = setup.Close(context.Background())
	conn := h.connect(t, db, "postgres")
	full := collect(t, conn, Options{})
	lite := collect(t, conn, Options{SkipCatalogScans: true})
	if len(full.UnusedIndexes) == 0 {
		t.Fatal("the full collection found no unused index: the test cannot tell")
	}
	if len(lite.UnusedIndexes) != 0 {
		t.Errorf("unused indexes read with SkipCatalogScans: %+v", lite.UnusedIndexes)
	}
	sized := false
	for _, d := range full.Databases {
		sized = sized || d.SizeBytes > 0
	}
	if !sized {
		t.Fatal("the full collection sized no database")
	}
	for _, d := range lite.Databases {
		if d.SizeBytes != -1 {
			t.Errorf("database %s sized (%d) with SkipCatalogScans", d.Name, d.SizeBytes)
		}
	}
	if len(lite.Databases) != len(full.Databases) || lite.Connections.MaxConnections != full.Connections.MaxConnections || lite.Settings.SharedBuffersBytes <= 0 {
		t.Errorf("counters or settings missing: %d databases (full %d), max_connections %d, shared_buffers %d",
			len(lite.Databases), len(full.Databases), lite.Connections.MaxConnections, lite.Settings.SharedBuffersBytes)
	}
}

// SkipStatements leaves out the pg_stat_statements section, with and without a sample: nothing
// read, no warning about the extension (here not created in the database read), and the
// counters and settings kept.
func TestCollect_skipStatements(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_skipstatements" // no pg_stat_statements here
	h.freshDatabase(t, db)
	conn := h.connect(t, db, "postgres")
	if st := collect(t, conn, Options{}); !hasWarning(st, "pg_stat_statements is not installed") {
		t.Fatalf("without SkipStatements, no warning about the missing extension: %q", st.Warnings)
	}
	for _, o := range []Options{{SkipStatements: true}, {SkipStatements: true, Sample: 50 * time.Millisecond}} {
		st := collect(t, conn, o)
		if st.Statements.Available || len(st.Statements.Top) != 0 || st.Statements.Count != 0 || hasWarning(st, "pg_stat_statements") {
			t.Errorf("sample %s: statements read with SkipStatements: %+v, warnings %q", o.Sample, st.Statements, st.Warnings)
		}
		if findDatabase(st, db) == nil || st.Connections.MaxConnections <= 0 || st.Settings.SharedBuffersBytes <= 0 {
			t.Errorf("sample %s: counters or settings missing", o.Sample)
		}
	}
}

package pgstats

import (
	"testing"
	"time"
)

// TestCollect_databaseSizes: a database is sized only when PostgreSQL lets
// the role size it (CONNECT on it, or pg_read_all_stats), and never when it is
// RDS's rdsadmin, for which pg_database_size() fails even for monitoring
// roles; both are reported as -1 while the other databases are sized.
func TestCollect_databaseSizes(t *testing.T) {
	h := needPG(t)
	const noConnect = "pgstats_noconnect"
	h.freshDatabase(t, "rdsadmin")
	h.freshDatabase(t, noConnect)
	admin := h.superuser(t, "postgres")
	execSQL(t, admin, "REVOKE CONNECT ON DATABASE rdsadmin FROM PUBLIC", "REVOKE CONNECT ON DATABASE "+noConnect+" FROM PUBLIC")
	h.freshRole(t, "pgstats_size_mon", "pg_monitor")
	h.freshRole(t, "pgstats_size_plain")

	for _, tc := range []struct {
		role          string
		noConnectSize bool // whether noConnect is sized
	}{
		{"postgres", true}, {"pgstats_size_mon", true}, {"pgstats_size_plain", false},
	} {
		st := collect(t, h.connect(t, "postgres", tc.role), Options{})
		rds, nc, pg := findDatabase(st, "rdsadmin"), findDatabase(st, noConnect), findDatabase(st, "postgres")
		if rds == nil || nc == nil || pg == nil {
			t.Fatalf("%s: databases missing: %+v", tc.role, st.Databases)
		}
		if rds.SizeBytes != -1 {
			t.Errorf("%s: rdsadmin sized (%d), want -1", tc.role, rds.SizeBytes)
		}
		if pg.SizeBytes <= 0 {
			t.Errorf("%s: postgres not sized (%d)", tc.role, pg.SizeBytes)
		}
		if got := nc.SizeBytes > 0; got != tc.noConnectSize || (!got && nc.SizeBytes != -1) {
			t.Errorf("%s: %s (no CONNECT) size %d, want sized = %v (else -1)", tc.role, noConnect, nc.SizeBytes, tc.noConnectSize)
		}
		if hasWarning(st, "database sizes are unknown") {
			t.Errorf("%s: size warning: %q", tc.role, st.Warnings)
		}
	}
}

// TestCollect_databaseSizeFailure: when pg_database_size() fails anyway
// (here EXECUTE on it is revoked in the connected database) the sizes are -1
// with a warning saying why, and the rest of the read succeeds, with and
// without a sample.
func TestCollect_databaseSizeFailure(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_nosizefn"
	h.freshDatabase(t, db)
	execSQL(t, h.superuser(t, db), "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_database_size(oid) FROM PUBLIC")
	h.freshRole(t, "pgstats_size_mon", "pg_monitor")
	for _, sample := range []time.Duration{0, 100 * time.Millisecond} {
		st := collect(t, h.connect(t, db, "pgstats_size_mon"), Options{Sample: sample})
		if !hasWarning(st, "database sizes are unknown (size_bytes -1): pg_database_size() failed: permission denied for function pg_database_size (SQLSTATE 42501)") ||
			!hasWarning(st, "the role needs EXECUTE on pg_database_size") {
			t.Errorf("sample %s: no size warning: %q", sample, st.Warnings)
		}
		if d := findDatabase(st, db); d == nil || d.XactCommit <= 0 || st.Settings.MaxConnections == 0 || st.Connections.MaxConnections == 0 {
			t.Fatalf("sample %s: the rest was not collected: %+v", sample, st)
		}
		for _, d := range st.Databases {
			if d.SizeBytes != -1 {
				t.Errorf("sample %s: %s sized (%d) although pg_database_size failed", sample, d.Name, d.SizeBytes)
			}
		}
	}
}

package pgstats

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCollect_pgssNotTracking: pg_stat_statements installed but not recording
// (pg_stat_statements.track = none, or compute_query_id = off) is reported
// with a warning naming the setting and where to change it, instead of an
// available section with no statement and 0 calls per second. A value set for
// the collector's own role only governs its own sessions and is not reported.
func TestCollect_pgssNotTracking(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_notrack"
	const role = "pgstats_track_mon"
	h.freshDatabase(t, db)
	h.freshRole(t, role, "pg_monitor")
	admin := h.superuser(t, db)
	execSQL(t, admin, "CREATE EXTENSION pg_stat_statements")
	collectWarnings := func(t *testing.T) *Stats {
		t.Helper()
		return collect(t, h.connect(t, db, role), Options{Sample: 100 * time.Millisecond})
	}
	trackingWarnings := func(st *Stats) []string {
		var out []string
		for _, w := range st.Warnings {
			if strings.Contains(w, "pg_stat_statements.track") || strings.Contains(w, "compute_query_id") {
				out = append(out, w)
			}
		}
		return out
	}

	if st := collectWarnings(t); len(trackingWarnings(st)) != 0 {
		t.Fatalf("tracking warning with the defaults (track all, compute_query_id auto): %q", st.Warnings)
	}

	t.Run("database track none", func(t *testing.T) {
		execSQL(t, admin, "ALTER DATABASE "+db+" SET pg_stat_statements.track = 'none'")
		defer execSQL(t, admin, "ALTER DATABASE "+db+" RESET pg_stat_statements.track")
		st := collectWarnings(t)
		if !st.Statements.Available {
			t.Errorf("the extension is readable; Available = false: %q", st.Warnings)
		}
		want := `pg_stat_statements.track is none for database "pgstats_notrack", so pg_stat_statements records no statement there`
		if ws := trackingWarnings(st); len(ws) != 1 || !strings.Contains(ws[0], want) ||
			!strings.Contains(ws[0], "ALTER DATABASE pgstats_notrack RESET pg_stat_statements.track") {
			t.Errorf("warnings %q, want one containing %q", st.Warnings, want)
		}
	})

	t.Run("database compute_query_id off", func(t *testing.T) {
		execSQL(t, admin, "ALTER DATABASE "+db+" SET compute_query_id = off")
		defer execSQL(t, admin, "ALTER DATABASE "+db+" RESET compute_query_id")
		st := collectWarnings(t)
		want := `compute_query_id is off for database "pgstats_notrack", so no query identifier is computed`
		if ws := trackingWarnings(st); len(ws) != 1 || !strings.Contains(ws[0], want) || !strings.Contains(ws[0], "auto (the default) or on") {
			t.Errorf("warnings %q, want one containing %q", st.Warnings, want)
		}
	})

	t.Run("collector role only", func(t *testing.T) {
		execSQL(t, admin, "ALTER ROLE "+role+" SET pg_stat_statements.track = 'none'", "ALTER ROLE "+role+" SET compute_query_id = off")
		defer execSQL(t, admin, "ALTER ROLE "+role+" RESET ALL")
		if st := collectWarnings(t); len(trackingWarnings(st)) != 0 {
			t.Errorf("a setting of the collector's own role was reported: %q", st.Warnings)
		}
	})

	// On a server of its own: ALTER SYSTEM on the harness's would stop pg_stat_statements recording
	// for the other packages' tests, which share that server and run at the same time.
	t.Run("server-wide track none", func(t *testing.T) {
		own := h.private(t)
		own.freshDatabase(t, db)
		own.freshRole(t, role, "pg_monitor")
		admin := own.superuser(t, db)
		execSQL(t, admin, "CREATE EXTENSION pg_stat_statements")
		execSQL(t, admin, "ALTER SYSTEM SET pg_stat_statements.track = 'none'", "SELECT pg_reload_conf()")
		poll(t, 10*time.Second, "the reload", func() (bool, error) {
			var v string
			err := own.connect(t, db, role).QueryRow(context.Background(), "SELECT current_setting('pg_stat_statements.track')").Scan(&v)
			return v == "none", err
		})
		st := collect(t, own.connect(t, db, role), Options{Sample: 100 * time.Millisecond})
		want := "pg_stat_statements.track is none, so pg_stat_statements records no statement"
		if ws := trackingWarnings(st); len(ws) != 1 || !strings.Contains(ws[0], want) ||
			!strings.Contains(ws[0], "set pg_stat_statements.track to top (the default) or all in the DB parameter group") {
			t.Errorf("warnings %q, want one containing %q", st.Warnings, want)
		}
	})
}

// TestPgssTrackingWarnings covers the settings and sources the harness does
// not reach (compute_query_id values, sources).
func TestPgssTrackingWarnings(t *testing.T) {
	for _, tc := range []struct {
		name, setting, source string
		want                  string // "" for no warning
	}{
		{"pg_stat_statements.track", "top", "default", ""},
		{"pg_stat_statements.track", "all", "configuration file", ""},
		{"pg_stat_statements.track", "none", "configuration file", "pg_stat_statements.track is none, so pg_stat_statements records no statement: " +
			"statement statistics miss the workload (no statements in a sample, 0 calls per second); set pg_stat_statements.track to " +
			"top (the default) or all in the DB parameter group (postgresql.conf when self-managed), which applies without a restart"},
		{"pg_stat_statements.track", "none", "database", `pg_stat_statements.track is none for database "App DB"`},
		{"pg_stat_statements.track", "none", "user", ""},
		{"pg_stat_statements.track", "none", "database user", ""},
		{"pg_stat_statements.track", "none", "client", ""},
		{"pg_stat_statements.track", "none", "session", ""},
		{"compute_query_id", "auto", "default", ""},
		{"compute_query_id", "on", "configuration file", ""},
		{"compute_query_id", "regress", "configuration file", ""},
		{"compute_query_id", "off", "configuration file", "compute_query_id is off, so no query identifier is computed"},
		{"compute_query_id", "off", "database", `ALTER DATABASE "App DB" RESET compute_query_id`},
		{"compute_query_id", "off", "user", ""},
	} {
		got := pgssTrackingWarnings([]trackingSetting{{tc.name, tc.setting, tc.source}}, "App DB")
		switch {
		case tc.want == "" && len(got) != 0:
			t.Errorf("%s = %s (%s): unexpected warning %q", tc.name, tc.setting, tc.source, got)
		case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
			t.Errorf("%s = %s (%s): warnings %q, want one containing %q", tc.name, tc.setting, tc.source, got, tc.want)
		}
	}
}

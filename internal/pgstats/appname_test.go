package pgstats

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestConnect_applicationName: the provider's name is libpq's fallback_application_name, not an
// application_name of its own: against the harness's PostgreSQL, pg_stat_activity shows the
// session under PGAPPNAME when it is set, under a connection service's application_name (which,
// as in libpq, comes before PGAPPNAME), and under the provider's name (or
// FallbackApplicationName) only when neither sets one. A service's own fallback_application_name,
// which is no server parameter, gives way to the provider's and does not fail the connection.
// The collector's own session is still left out of the connections it counts, whatever its name.
func TestConnect_applicationName(t *testing.T) {
	h := needPG(t)
	admin := h.superuser(t, "postgres")
	file := filepath.Join(t.TempDir(), "pg_service.conf")
	body := "[rs_app]\napplication_name=from-service\n\n[rs_fallback]\nfallback_application_name=service-fallback\n\n[rs_plain]\noptions=-c work_mem=4321kB\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGSERVICE", "")
	t.Setenv("PGSERVICEFILE", "")
	for _, c := range []struct {
		name, pgappname, service, fallback, want string
	}{
		{"nothing sets it", "", "", "", DefaultApplicationName},
		{"PGAPPNAME", "rightsize-ops-console", "", "", "rightsize-ops-console"},
		{"FallbackApplicationName", "", "", "rightsize-custom-tool", "rightsize-custom-tool"},
		{"PGAPPNAME over FallbackApplicationName", "rightsize-ops-console", "", "rightsize-custom-tool", "rightsize-ops-console"},
		{"service over PGAPPNAME", "rightsize-ops-console", "rs_app", "", "from-service"},
		{"service without one, PGAPPNAME", "rightsize-ops-console", "rs_plain", "", "rightsize-ops-console"},
		{"service's fallback_application_name", "", "rs_fallback", "", DefaultApplicationName},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("PGAPPNAME", c.pgappname)
			cfg := h.cfg("postgres", "postgres")
			cfg.FallbackApplicationName = c.fallback
			if c.service != "" {
				cfg.Service, cfg.ServiceFile = c.service, file
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			conn, err := Connect(ctx, cfg)
			if err != nil {
				t.Fatalf("Connect: %v", err)
			}
			defer func() { _ = conn.Close(context.Background()) }()
			var got string
			if err := admin.QueryRow(ctx, "SELECT application_name FROM pg_stat_activity WHERE pid = $1", int32(conn.PgConn().PID())).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("pg_stat_activity shows the session as %q, want %q", got, c.want)
			}
			if c.want == DefaultApplicationName {
				return
			}
			// The collector leaves its own session out by its pid, not by its name.
			st := collect(t, conn, Options{SkipCatalogScans: true, SkipStatements: true})
			if n, ok := st.Connections.ByApplication[c.want]; ok {
				t.Errorf("the collector counted its own session under %q (%d)", c.want, n)
			}
		})
	}
}

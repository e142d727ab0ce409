package acctest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestHarnessPostgres checks that the PostgreSQL started by `make test`
// answers and has pg_stat_statements loaded and created.
func TestHarnessPostgres(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, PGDSN(t))
	if err != nil {
		t.Fatalf("connecting to the harness PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)

	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	var preload string
	if err := conn.QueryRow(ctx, "SELECT current_setting('shared_preload_libraries')").Scan(&preload); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(preload, "pg_stat_statements") {
		t.Fatalf("shared_preload_libraries = %q, want pg_stat_statements", preload)
	}
	var calls int64
	if err := conn.QueryRow(ctx, "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements").Scan(&calls); err != nil {
		t.Fatalf("pg_stat_statements is not queryable: %v", err)
	}
	if calls <= 0 {
		t.Fatalf("pg_stat_statements recorded no calls (%d); is tracking on?", calls)
	}
	var listen string
	if err := conn.QueryRow(ctx, "SELECT current_setting('listen_addresses')").Scan(&listen); err != nil || listen != "127.0.0.1" {
		t.Fatalf("listen_addresses = %q (%v), want 127.0.0.1 only", listen, err)
	}
}

func TestProviderConfigHCL(t *testing.T) {
	got := ProviderConfig{
		Endpoint: "http://127.0.0.1:4599",
		Extra:    map[string]string{"max_retries": "3"},
		Postgres: map[string]string{"host": `"db"`, "port": "5433"},
	}.HCL()
	for _, want := range []string{
		`region     = "us-east-1"`,
		`rds                     = "http://127.0.0.1:4599"`,
		`application_autoscaling = "http://127.0.0.1:4599"`,
		`max_retries = 3`,
		"  postgres {\n    host = \"db\"\n    port = 5433\n  }\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("HCL() lacks %q:\n%s", want, got)
		}
	}
}

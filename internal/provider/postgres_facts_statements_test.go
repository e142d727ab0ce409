package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// The recommendation's PostgreSQL facts use no statement statistics, so they do not read
// pg_stat_statements: connected to a database where it is not created (here a fresh one; on a
// self-managed server often the maintenance database postgres), the facts come with no warning
// that it is missing, which said "statement statistics are empty" on every recommendation as if
// they mattered, and no read of every entry's text (thousands on a multi-tenant server).
func TestReadPostgresFactsWithoutStatements(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, acctest.PGDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	db := fmt.Sprintf("rs_facts_nopgss_%d", os.Getpid())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		t.Fatal(err)
	}
	// The drop, then the close (cleanups run last first; a deferred close ran before the drop).
	t.Cleanup(func() { _ = admin.Close(context.Background()) })
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping %s: %v", db, err)
		}
	})

	host, port := acctest.PGAddr(t)
	pd := &ProviderData{Postgres: PostgresSettings{Host: host, Port: port, Database: db, Username: "postgres", SSLMode: "disable",
		ConnectTimeout: 10 * time.Second, StatementTimeout: 30 * time.Second}}
	f, warns, err := readPostgresFacts(ctx, pd, types.ObjectNull(recPostgresAttrTypes()), factsNode{})
	if err != nil {
		t.Fatal(err)
	}
	if f.MaxConnections <= 0 {
		t.Errorf("facts %+v", f)
	}
	for _, w := range warns {
		if strings.Contains(w, "pg_stat_statements") {
			t.Errorf("warning about statement statistics the facts do not use: %q", w)
		}
	}
}

package pgstats

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// needPgBouncer returns settings for the harness's PgBouncer (transaction pooling, in front of the
// harness cluster, started by make test) or fails the test.
func needPgBouncer(tb testing.TB) ConnConfig {
	tb.Helper()
	p, err := strconv.Atoi(os.Getenv("RIGHTSIZE_TEST_PGBOUNCER_PORT"))
	if err != nil {
		tb.Fatal("RIGHTSIZE_TEST_PGBOUNCER_PORT is not set: run make test, or " +
			`eval "$(scripts/testpg.sh pgbouncer DIR)" for a cluster started in DIR`)
	}
	return ConnConfig{Host: "127.0.0.1", Port: p, Database: "postgres", User: "postgres", SSLMode: "disable", ConnectTimeout: 5 * time.Second}
}

func collectWith(ctx context.Context, cc ConnConfig) error {
	conn, err := Connect(ctx, cc)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	_, err = Collect(ctx, conn, Options{})
	return err
}

// TestCollectLeavesNoPreparedStatements: a collection leaves no named prepared statement in the
// server session, where a pooler in transaction mode would hand it to its next client.
func TestCollectLeavesNoPreparedStatements(t *testing.T) {
	h := needPG(t)
	ctx := context.Background()
	conn, err := Connect(ctx, h.cfg("postgres", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := Collect(ctx, conn, Options{}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_catalog.pg_prepared_statements", pgx.QueryExecModeSimpleProtocol).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d named prepared statements left in the session after Collect, want 0", n)
	}
}

// TestCollectThroughPgBouncerTransactionPooling: through PgBouncer 1.18 in pool_mode=transaction,
// which keeps a server connection's prepared statements for its next client, collections one
// after another (terraform plans) and at the same time (data sources read in parallel) all
// work, and none leaves a setting on the server connections for other clients.
func TestCollectThroughPgBouncerTransactionPooling(t *testing.T) {
	cc := needPgBouncer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i := range 3 {
		if err := collectWith(ctx, cc); err != nil {
			t.Fatalf("collection %d through PgBouncer: %v", i+1, err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { errs[i] = collectWith(ctx, cc) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent collection %d through PgBouncer: %v", i+1, err)
		}
	}
	for i := range 4 {
		cfg, err := pgx.ParseConfig("host=127.0.0.1 user=postgres dbname=postgres sslmode=disable port=" + strconv.Itoa(cc.Port))
		if err != nil {
			t.Fatal(err)
		}
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var sp, st, ro string
		err = c.QueryRow(ctx, "SELECT current_setting('search_path'), current_setting('statement_timeout'), current_setting('default_transaction_read_only')").Scan(&sp, &st, &ro)
		_ = c.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sp != `"$user", public` || st != "0" || ro != "off" {
			t.Errorf("client %d after the collections: search_path %q, statement_timeout %s, default_transaction_read_only %s: a collection's setting leaked to the pool", i+1, sp, st, ro)
		}
	}
}

package topology

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// searchPathDB creates a database for the search_path tests, with public.accounts (200 rows, a
// primary key and an expression index on public.norm(email), a function in public) and returns
// its DSN (the harness superuser). The database is dropped when the test ends.
func searchPathDB(t *testing.T, name string) string {
	t.Helper()
	dsn := testDSN(t)
	ident := pgx.Identifier{name}.Sanitize()
	execSQL(t, dsn, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)")
	execSQL(t, dsn, "CREATE DATABASE "+ident)
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), dsn); err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)")
			_ = c.Close(context.Background())
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parsing the harness DSN: %v", err)
	}
	u.Path = "/" + name
	db := u.String()
	for _, q := range []string{
		"CREATE FUNCTION public.norm(text) RETURNS text IMMUTABLE LANGUAGE sql AS 'SELECT pg_catalog.lower($1)'",
		"CREATE TABLE public.accounts (id int PRIMARY KEY, email text NOT NULL)",
		"CREATE INDEX accounts_norm ON public.accounts (public.norm(email))",
		"INSERT INTO public.accounts SELECT g, 'U' || g || '@example.com' FROM generate_series(1, 200) g",
	} {
		execSQL(t, db, q)
	}
	return db
}

// A role that may create objects in public plants count(*), the aggregate the validation counts
// rows with, for a validation role whose search_path names public before pg_catalog (so even an
// identical signature wins). The validation transaction pins its search_path, so the rows are
// counted by the built-in, "table" still means public.table, and the facts match the database.
func TestPGValidatorSearchPathHijack(t *testing.T) {
	db := searchPathDB(t, fmt.Sprintf("rs_topo_sp_hijack_%d", os.Getpid()))
	execSQL(t, db, "CREATE AGGREGATE public.count(*) (SFUNC = pg_catalog.int8inc, STYPE = int8, INITCOND = '777000000')")
	const role = "rs_validate_search_path"
	freshValidationRole(t, testDSN(t), role, "GRANT pg_read_all_data TO {role}", "ALTER ROLE {role} SET search_path = public, pg_catalog")
	rdsn := roleDSN(t, db, role)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, rdsn)
	if err != nil {
		t.Fatal(err)
	}
	var planted int64
	err = c.QueryRow(ctx, "SELECT count(*) FROM public.accounts").Scan(&planted)
	_ = c.Close(ctx)
	if err != nil || planted != 777000200 {
		t.Fatalf("the planted count(*) does not apply to the role's own queries (%d, %v): the test proves nothing", planted, err)
	}

	v := &PGValidator{Connect: func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, rdsn) },
		Tables: []string{"accounts"}, CheckIndexes: true, StatementTimeout: 10 * time.Second}
	facts, err := v.Capture(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := facts[factRowsPrefix+"public.accounts"]; got != "200" {
		t.Errorf("rows of accounts recorded as %q, want 200: the validation ran the count(*) planted in public", got)
	}
	if _, err := v.Check(ctx, facts); err != nil {
		t.Errorf("Check against its own baseline: %v", err)
	}
}

// The index fingerprint is the one recorded before the search path was pinned (pg_get_indexdef
// writes public.norm(email) under the pinned search path, norm(email) under the session's): a
// baseline an earlier version of the provider left on a guard snapshot still matches, and a
// change is not rolled back for an index that did not change.
func TestPGValidatorIndexFingerprintSearchPath(t *testing.T) {
	db := searchPathDB(t, fmt.Sprintf("rs_topo_sp_idx_%d", os.Getpid()))
	ctx := context.Background()
	c, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	// What the validation recorded before the fix: the definitions under the session's search_path.
	rows, err := c.Query(ctx, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'accounts' ORDER BY indexname")
	if err != nil {
		t.Fatal(err)
	}
	defs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (string, error) {
		var name, def string
		err := row.Scan(&name, &def)
		return name + "\t" + def, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(defs, "\n"), "(norm(email))") {
		t.Fatalf("index definitions %q: want norm(email) unqualified under the default search_path", defs)
	}
	want := indexFingerprint(defs)

	v := &PGValidator{Connect: func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, db) },
		Tables: []string{"accounts"}, CheckIndexes: true, StatementTimeout: 10 * time.Second}
	facts, err := v.Capture(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := facts[factIndexesPrefix+"public.accounts"]; got != want {
		t.Errorf("index fingerprint %q, want %q (the definitions as the session's search_path writes them)", got, want)
	}
	// A baseline recorded the old way validates.
	if _, err := v.Check(ctx, Facts{factRowsPrefix + "public.accounts": "200", factIndexesPrefix + "public.accounts": want}); err != nil {
		t.Errorf("Check against a baseline recorded before the search path was pinned: %v", err)
	}
}

// Inside the validation transaction the search_path is pinned, also after the index definitions
// were read under the session's.
func TestPGValidatorSearchPathPinned(t *testing.T) {
	db := searchPathDB(t, fmt.Sprintf("rs_topo_sp_pin_%d", os.Getpid()))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	v := &PGValidator{Connect: func(context.Context) (*pgx.Conn, error) { return conn, nil }, StatementTimeout: 10 * time.Second}
	current := func(q interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}) string {
		var sp string
		if err := q.QueryRow(ctx, "SELECT pg_catalog.current_setting('search_path')").Scan(&sp); err != nil {
			t.Fatal(err)
		}
		return sp
	}
	err = v.readOnly(ctx, func(tx pgx.Tx) error {
		if sp := current(tx); sp != validationSearchPath {
			t.Errorf("search_path in the validation transaction is %q, want %q", sp, validationSearchPath)
		}
		if _, err := indexDefinitions(ctx, tx, qualifiedTable{"public", "accounts"}); err != nil {
			return err
		}
		if sp := current(tx); sp != validationSearchPath {
			t.Errorf("search_path after reading the index definitions is %q, want %q again", sp, validationSearchPath)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

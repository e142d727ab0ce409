package pgstats

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// hijackSentinel is what the planted functions return: a size or count the
// collector reports only if it ran one of them.
const hijackSentinel = 777000777

// hijackDatabase creates database db with a table app_t (5000 rows, never
// scanned through its non-unique index app_t_v, so readUnusedIndexes reports
// that index), and roles hijack_app (CREATE on schema public, as PUBLIC had
// before PostgreSQL 15 and as an application role owning its schema has) and
// hijack_monitor (pg_monitor, the documented least privilege). As hijack_app
// it creates each of fns in public; fns are "name(args) RETURNS type AS body"
// in plpgsql. Everything is dropped at cleanup.
func hijackDatabase(t *testing.T, h harness, db string, fns ...string) {
	t.Helper()
	h.freshDatabase(t, db)
	h.freshRole(t, "hijack_app")
	h.freshRole(t, "hijack_monitor", "pg_monitor")
	c := h.superuser(t, db)
	execSQL(t, c,
		"GRANT CREATE ON SCHEMA public TO hijack_app",
		"SET ROLE hijack_app",
		"CREATE TABLE app_t (id int, v int)",
		"INSERT INTO app_t SELECT g, g FROM generate_series(1, 5000) g",
		"CREATE INDEX app_t_v ON app_t (v)",
		"ANALYZE app_t",
	)
	for _, f := range fns {
		execSQL(t, c, "CREATE FUNCTION public."+f)
	}
	execSQL(t, c, "RESET ROLE")
	t.Cleanup(func() { // the roles own objects in db: drop it first (freshDatabase's cleanup runs later)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if a, err := pgx.Connect(ctx, h.dsn); err == nil {
			_, _ = a.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)")
			_ = a.Close(ctx)
		}
	})
}

// sentinelFn is a plpgsql function body that returns hijackSentinel when run
// by role (the provider's), and otherwise what the built-in returns.
func sentinelFn(signature, role, builtin string) string {
	return fmt.Sprintf("%s LANGUAGE plpgsql AS $f$ BEGIN IF current_user = %s THEN RETURN %d; END IF; RETURN %s; END $f$",
		signature, quoteLiteral(role), hijackSentinel, builtin)
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// checkNoSentinel fails the test when the collection reported a value of a
// planted function.
func checkNoSentinel(t *testing.T, st *Stats) {
	t.Helper()
	for _, ix := range st.UnusedIndexes {
		if ix.SizeBytes == hijackSentinel {
			t.Errorf("unused index %s.%s has size %d: the collector ran public.pg_relation_size(oid), created by hijack_app, as %q",
				ix.Schema, ix.Name, ix.SizeBytes, st.Server.User)
		}
	}
	for _, tb := range st.Tables {
		if tb.SizeBytes == hijackSentinel || tb.LiveTuples == hijackSentinel {
			t.Errorf("table %s.%s reported size %d, live tuples %d: the collector ran a function created by hijack_app, as %q",
				tb.Schema, tb.Table, tb.SizeBytes, tb.LiveTuples, st.Server.User)
		}
	}
}

// TestCollect_searchPathHijack: a role that may create objects in public
// plants pg_relation_size(oid) and pg_total_relation_size(oid), exact type
// matches for the collector's oid arguments that would beat the built-ins
// (which take regclass) on the default search_path ("$user", public). The
// collector, connected as a pg_monitor role, must run the built-ins, report
// the real sizes and still find the unqualified table name on the session's
// search_path.
func TestCollect_searchPathHijack(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_hijack"
	hijackDatabase(t, h, db,
		sentinelFn("pg_relation_size(oid) RETURNS bigint", "hijack_monitor", "pg_catalog.pg_relation_size($1::regclass)"),
		sentinelFn("pg_total_relation_size(oid) RETURNS bigint", "hijack_monitor", "pg_catalog.pg_total_relation_size($1::regclass)"))
	st := collect(t, h.connect(t, db, "hijack_monitor"), Options{Tables: []string{"app_t"}, StatementTimeout: 10 * time.Second})
	checkNoSentinel(t, st)
	var found bool
	for _, ix := range st.UnusedIndexes {
		if ix.Name == "app_t_v" {
			found = true
			if ix.SizeBytes <= 0 {
				t.Errorf("unused index app_t_v: %+v", ix)
			}
		}
	}
	if !found {
		t.Errorf("unused index app_t_v not reported: %+v", st.UnusedIndexes)
	}
	if len(st.Tables) != 1 || st.Tables[0].Schema != "public" || st.Tables[0].SizeBytes <= 0 || st.Tables[0].EstimatedRows != 5000 {
		t.Errorf("table app_t (unqualified, on the search_path): %+v; warnings %q", st.Tables, st.Warnings)
	}
}

// TestCollect_searchPathHijack_identicalSignature: a role whose search_path
// names public before pg_catalog would resolve even a function of the same
// signature as a built-in in public, so no schema-qualification of a few calls
// protects it: only pinning the transaction's search_path does. The planted
// pg_stat_get_live_tuples(oid) must not run.
func TestCollect_searchPathHijack_identicalSignature(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_hijack_same"
	hijackDatabase(t, h, db,
		sentinelFn("pg_stat_get_live_tuples(oid) RETURNS bigint", "hijack_monitor", "pg_catalog.pg_stat_get_live_tuples($1)"))
	execSQL(t, h.superuser(t, db), "ALTER ROLE hijack_monitor IN DATABASE "+db+" SET search_path = public, pg_catalog")
	conn := h.connect(t, db, "hijack_monitor")
	var sp string
	if err := conn.QueryRow(context.Background(), "SHOW search_path").Scan(&sp); err != nil || sp != "public, pg_catalog" {
		t.Fatalf("the role's search_path is %q (%v), want public, pg_catalog", sp, err)
	}
	st := collect(t, conn, Options{Tables: []string{"app_t"}, StatementTimeout: 10 * time.Second})
	checkNoSentinel(t, st)
	if len(st.Tables) != 1 || st.Tables[0].Schema != "public" {
		t.Errorf("table app_t: %+v; warnings %q", st.Tables, st.Warnings)
	}
}

// TestCollect_searchPathHijack_superuser: connected as a superuser (a
// self-managed server), the planted function would run COPY ... TO PROGRAM,
// an OS command, inside the read-only statistics transaction. It must not run.
func TestCollect_searchPathHijack_superuser(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_hijack_su"
	out := fmt.Sprintf("%s/pgstats-hijack-%d.txt", os.TempDir(), os.Getpid()) // writable by the server's OS user
	_ = os.Remove(out)
	t.Cleanup(func() { _ = os.Remove(out) })
	body := fmt.Sprintf("pg_relation_size(oid) RETURNS bigint LANGUAGE plpgsql AS $f$ BEGIN "+
		"BEGIN EXECUTE format('COPY (SELECT %%L) TO PROGRAM %%L', 'ran as ' || current_user, %s); "+
		"EXCEPTION WHEN others THEN NULL; END; RETURN pg_catalog.pg_relation_size($1::regclass); END $f$",
		quoteLiteral("cat > "+out))
	hijackDatabase(t, h, db, body)
	st := collect(t, h.connect(t, db, "postgres"), Options{StatementTimeout: 10 * time.Second})
	if b, err := os.ReadFile(out); err == nil {
		t.Errorf("a shell command planted by hijack_app ran during the statistics read: %s holds %q", out, strings.TrimSpace(string(b)))
	}
	if len(st.UnusedIndexes) == 0 {
		t.Errorf("no unused index reported: the planted function's index app_t_v should be")
	}
}

// TestCollect_searchPathTables: pinning the search path does not change how
// unqualified Options.Tables names resolve: in the session's search_path, in
// its order, as pg_table_is_visible would (the first schema holding a relation
// of that name wins, and a non-table there hides a table further on), the
// implicitly searched pg_catalog included; a qualified name is looked up in its
// schema only.
func TestCollect_searchPathTables(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_search_tables"
	h.freshDatabase(t, db)
	h.freshRole(t, "pgstats_search_monitor", "pg_monitor")
	execSQL(t, h.superuser(t, db),
		"CREATE SCHEMA app",
		"GRANT USAGE ON SCHEMA app TO pgstats_search_monitor",
		"CREATE TABLE app.orders (id int)", "INSERT INTO app.orders SELECT generate_series(1, 10)",
		"CREATE TABLE public.orders (id int)", "INSERT INTO public.orders SELECT generate_series(1, 20)",
		"CREATE TABLE public.only_public (id int)",
		"CREATE VIEW app.shadowed AS SELECT 1 AS id", "CREATE TABLE public.shadowed (id int)",
		"ANALYZE",
		"ALTER ROLE pgstats_search_monitor IN DATABASE "+db+" SET search_path = app, public",
	)
	check := func(t *testing.T, st *Stats) {
		t.Helper()
		got := map[string]string{}
		for _, tb := range st.Tables {
			got[tb.Name] = tb.Schema + "." + tb.Table
		}
		want := map[string]string{"orders": "app.orders", "app.orders": "app.orders", "public.orders": "public.orders", "only_public": "public.only_public", "pg_class": "pg_catalog.pg_class"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("tables resolved to %v, want %v", got, want)
		}
		for _, tb := range st.Tables {
			if tb.Name == "orders" && tb.EstimatedRows != 10 {
				t.Errorf("orders resolved to a table of %v rows, want app.orders' 10", tb.EstimatedRows)
			}
		}
		// app.orders is the table orders resolved to: an entry for each name, and a warning.
		if !hasWarning(st, `tables "orders" and "app.orders" are the same table, app.orders: it is reported under each name; list it once`) {
			t.Errorf("no warning that orders and app.orders are the same table: %q", st.Warnings)
		}
		if !hasWarning(st, `table "shadowed" was not found`) || !hasWarning(st, "(schemas pg_catalog, app, public)") {
			t.Errorf("no warning for shadowed (the view app.shadowed hides public.shadowed) naming the schemas searched: %q", st.Warnings)
		}
	}
	tables := []string{"orders", "public.orders", "only_public", "pg_class", "shadowed", "app.orders"}
	conn := h.connect(t, db, "pgstats_search_monitor")
	t.Run("Collect", func(t *testing.T) {
		check(t, collect(t, conn, Options{Tables: tables}))
	})
	// CollectTx on a transaction the caller began reads that transaction's
	// search_path before pinning it.
	t.Run("CollectTx", func(t *testing.T) {
		ctx := context.Background()
		tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		st, err := CollectTx(ctx, tx, Options{Tables: tables})
		if err != nil {
			t.Fatal(err)
		}
		check(t, st)
	})
}

// TestWithReadOnlyTx_searchPath: the transaction's search_path is pinned to
// pg_catalog, pg_temp, and the session's is back after it.
func TestWithReadOnlyTx_searchPath(t *testing.T) {
	h := needPG(t)
	conn := h.connect(t, "postgres", "postgres")
	ctx := context.Background()
	err := WithReadOnlyTx(ctx, conn, time.Second, func(q Querier) error {
		var sp string
		if err := q.QueryRow(ctx, "SELECT pg_catalog.current_setting('search_path')").Scan(&sp); err != nil {
			return err
		}
		if sp != pinnedSearchPath {
			t.Errorf("search_path inside the transaction is %q, want %q", sp, pinnedSearchPath)
		}
		if p, ok := q.(*pinnedTx); !ok || len(p.searchPath) == 0 || p.searchPath[0] != "pg_catalog" || p.searchPath[len(p.searchPath)-1] != "public" {
			t.Errorf("the session's schemas read before pinning: %+v", q)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var sp string
	if err := conn.QueryRow(ctx, "SHOW search_path").Scan(&sp); err != nil || sp != `"$user", public` {
		t.Errorf("search_path after the transaction is %q (%v), want the default back", sp, err)
	}
}

// TestCollect_pgssOutsideSearchPath: pg_stat_statements installed in a schema
// that is not on the search_path is found through pg_extension and read by
// its schema-qualified name under the pinned search path.
func TestCollect_pgssOutsideSearchPath(t *testing.T) {
	h := needPG(t)
	const db = "pgstats_pgss_schema"
	h.freshDatabase(t, db)
	h.freshRole(t, "pgstats_pgss_monitor", "pg_monitor")
	execSQL(t, h.superuser(t, db),
		"CREATE SCHEMA monitoring",
		"CREATE EXTENSION pg_stat_statements SCHEMA monitoring",
		"GRANT USAGE ON SCHEMA monitoring TO pgstats_pgss_monitor",
	)
	st := collect(t, h.connect(t, db, "pgstats_pgss_monitor"), Options{})
	if !st.Statements.Available || len(st.Statements.Top) == 0 || hasWarning(st, "pg_stat_statements") {
		t.Errorf("pg_stat_statements in schema monitoring: available %v, %d statements, warnings %q",
			st.Statements.Available, len(st.Statements.Top), st.Warnings)
	}
}

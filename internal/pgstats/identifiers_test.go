package pgstats

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestParseQualifiedNameFoldsAsPostgres compares ParseQualifiedName with
// PostgreSQL's own reading of the same names (parse_ident, which folds
// unquoted identifiers as the parser does): in a UTF8 database only A-Z fold,
// so "Émile" is not "émile" and the Kelvin sign is not the letter k.
func TestParseQualifiedNameFoldsAsPostgres(t *testing.T) {
	conn := needPG(t).superuser(t, "postgres")
	ctx := context.Background()
	var enc string
	if err := conn.QueryRow(ctx, "SELECT pg_catalog.current_setting('server_encoding')").Scan(&enc); err != nil {
		t.Fatal(err)
	}
	if enc != "UTF8" {
		t.Fatalf("the harness database is %s, not UTF8 (RDS's default): the folding checked here is UTF8's", enc)
	}
	for _, name := range []string{"Orders", "public.Orders", "Émile", "ÉMILE", "\u212Aelvin", "Straße", "İstanbul",
		"ΣΊΣΥΦΟΣ", "Sales.LINES", `"Sales".Lines`, `a."B"`} {
		var parts []string
		if err := conn.QueryRow(ctx, "SELECT pg_catalog.parse_ident($1)", name).Scan(&parts); err != nil {
			t.Fatalf("parse_ident(%q): %v", name, err)
		}
		schema, table, err := ParseQualifiedName(name)
		if err != nil {
			t.Errorf("ParseQualifiedName(%q): %v", name, err)
			continue
		}
		got := []string{table}
		if schema != "" {
			got = []string{schema, table}
		}
		if strings.Join(got, "\x00") != strings.Join(parts, "\x00") {
			t.Errorf("ParseQualifiedName(%q) = %q, PostgreSQL reads %q", name, got, parts)
		}
	}
}

// TestQuoteIdentIfNeededAsPostgres writes every keyword PostgreSQL knows
// (pg_get_keywords) as a role and a database name in the two statements the
// warnings suggest, GRANT pg_monitor TO <role> and ALTER DATABASE <db> RESET,
// and has PostgreSQL parse them: naming a role or database that does not exist
// is what it must answer, not a syntax error. Each runs in a transaction that
// is rolled back.
func TestQuoteIdentIfNeededAsPostgres(t *testing.T) {
	conn := needPG(t).superuser(t, "postgres")
	ctx := context.Background()
	rows, err := conn.Query(ctx, "SELECT word FROM pg_catalog.pg_get_keywords()")
	if err != nil {
		t.Fatal(err)
	}
	words, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(words) < 400 {
		t.Fatalf("pg_get_keywords() lists %d words", len(words))
	}
	for _, w := range append(words, "app", "user_1") {
		// No role or database of these names exists: a statement that parses fails naming it.
		for _, tc := range []struct{ stmt, code string }{
			{"GRANT pg_monitor TO " + quoteIdentIfNeeded(w), "42704"},                // undefined_object
			{"ALTER DATABASE " + quoteIdentIfNeeded(w) + " RESET work_mem", "3D000"}, // invalid_catalog_name
		} {
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tx.Exec(ctx, tc.stmt)
			_ = tx.Rollback(ctx)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != tc.code && pgErr.Code != "42939" { // reserved_name: "none", no role can have it
				t.Errorf("%s: %v, want SQLSTATE %s (the name parsed, and does not exist)", tc.stmt, err, tc.code)
			}
		}
	}
}

package pgstats

import (
	"context"
	"strings"
	"testing"
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

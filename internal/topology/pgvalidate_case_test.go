package topology

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Validation table names are read as PostgreSQL reads identifiers, as rightsize_postgres_stats
// reads its tables: unquoted parts fold to lower case, double-quoted ones keep their case;
// "table" alone is in public; a part the baseline could not record in a tag key is refused.
func TestParseTableNameFoldsIdentifiers(t *testing.T) {
	for _, tc := range []struct{ in, schema, table string }{
		{"users", "public", "users"},
		{"Users", "public", "users"},
		{"app.Users", "app", "users"},
		{"APP.USERS", "app", "users"},
		{`"Users"`, "public", "Users"},
		{`app."Users"`, "app", "Users"},
		{`"App"."Order-Lines"`, "App", "Order-Lines"},
		{`"users"`, "public", "users"},
		{`orders$2026`, "public", "orders$2026"},
		{` "Mixed" `, "public", "Mixed"},
	} {
		s, n, err := ParseTableName(tc.in)
		if err != nil || s != tc.schema || n != tc.table {
			t.Errorf("ParseTableName(%q) = %q, %q, %v; want %q, %q", tc.in, s, n, err, tc.schema, tc.table)
		}
	}
	for in, want := range map[string]string{
		`"a.b"`:      "holds a character other than",
		`app."a=b"`:  "holds a character other than",
		`"a""b"`:     "holds a character other than",
		`"with sp"`:  "holds a character other than",
		`"Unclosed`:  "unterminated double quote",
		`""`:         "empty name part",
		`a.b.c`:      "3 name parts",
		`"x"y`:       "expected '.'",
		`app.`:       "empty name part",
		`has space`:  "quote the identifier",
		`"app".`:     "empty name part",
		`."Users"`:   "empty name part",
		`app."Us"er`: "expected '.'",
		// PostgreSQL does not fold the Kelvin sign to k in a UTF8 database: not the table kelvin.
		"\u212Aelvin": "holds a character other than",
	} {
		if _, _, err := ParseTableName(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTableName(%q) error = %v, want %q", in, err, want)
		}
	}
}

// seedCaseTables adds to schema (seedSchema's) a table created as "Users", beside its users,
// with n rows, and a schema created as "RsCase_<pid>" holding a table "Orders" with 3 rows,
// dropped when the test ends. It returns that schema's name.
func seedCaseTables(t *testing.T, dsn, schema string, n int) string {
	t.Helper()
	s := pgx.Identifier{schema}.Sanitize()
	execSQL(t, dsn, "CREATE TABLE "+s+`."Users" (id int PRIMARY KEY)`)
	execSQL(t, dsn, fmt.Sprintf("INSERT INTO %s.\"Users\" SELECT generate_series(1, %d)", s, n))
	mixed := fmt.Sprintf("RsCase_%d_%d", os.Getpid(), schemaSeq.Add(1))
	m := pgx.Identifier{mixed}.Sanitize()
	execSQL(t, dsn, "CREATE SCHEMA "+m)
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), dsn); err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+m+" CASCADE")
			c.Close(context.Background())
		}
	})
	execSQL(t, dsn, "CREATE TABLE "+m+`."Orders" (id int PRIMARY KEY)`)
	execSQL(t, dsn, "INSERT INTO "+m+`."Orders" SELECT generate_series(1, 3)`)
	return mixed
}

// Users finds the table users, "Users" the table created as "Users", "RsCase_N"."Orders" a table
// in a mixed-case schema; each is recorded under its own key (lower-case names under the key they
// always had), the keys are valid RDS tag keys, and the check compares each with its own baseline.
func TestPGValidatorIdentifierCase(t *testing.T) {
	dsn, schema := seedSchema(t)
	mixed := seedCaseTables(t, dsn, schema, 5)
	v := newPGValidator(dsn, schema, true)
	v.Tables = []string{schema + ".Users", schema + `."Users"`, `"` + mixed + `"."Orders"`, strings.ToUpper(schema) + ".MESSAGES"}
	ctx := context.Background()
	facts, err := v.Capture(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"rows:" + schema + ".users":    "200", // Users: the seeded users, under the key of "users"
		"rows:" + schema + ".Users":    "5",   // "Users"
		"rows:" + mixed + ".Orders":    "3",
		"rows:" + schema + ".messages": "3000",
	} {
		if facts[key] != want {
			t.Errorf("fact %s = %q, want %q (facts %v)", key, facts[key], want, facts)
		}
	}
	if !strings.HasPrefix(facts["idx:"+schema+".users"], "2:") || !strings.HasPrefix(facts["idx:"+schema+".Users"], "1:") {
		t.Errorf("index fingerprints of users (2 indexes) and \"Users\" (1): %v", facts)
	}
	if err := checkFacts(facts); err != nil {
		t.Fatal(err)
	}
	for k, val := range facts {
		if key := tagFactPrefix + k; !rdsTagChars.MatchString(key) || !rdsTagChars.MatchString(val) {
			t.Errorf("fact %q = %q is not a valid RDS tag", key, val)
		}
	}
	rep, err := v.Check(ctx, facts)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rows " + schema + ".users: 200 before, 200 after", "rows " + schema + ".Users: 5 before, 5 after",
		"rows " + mixed + ".Orders: 3 before, 3 after"} {
		if !slices.Contains(rep.Checked, want) {
			t.Errorf("report lacks %q: %v", want, rep.Checked)
		}
	}

	// A row lost from "Users" is found there, not in users.
	execSQL(t, dsn, "DELETE FROM "+pgx.Identifier{schema, "Users"}.Sanitize()+" WHERE id = 1")
	_, err = v.Check(ctx, facts)
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Mismatches) != 1 || ve.Mismatches[0] != "table "+schema+".Users has 4 rows, 5 before the change (1 lost)" {
		t.Fatalf("check after deleting a row of \"Users\": %v", err)
	}
}

// An unquoted mixed-case name folds, as in SQL, so it does not find a table created with that
// case: the error says so and how to write it.
func TestPGValidatorFoldedNameMissing(t *testing.T) {
	dsn, schema := seedSchema(t)
	mixed := seedCaseTables(t, dsn, schema, 5)
	for _, tc := range []struct{ table, want string }{
		{mixed + ".Orders", fmt.Sprintf(`validation table %s.orders (unquoted names fold to lower case, as in SQL: for a table created as "%s"."Orders" write "%s"."Orders", in HCL "\"%s\".\"Orders\"") does not exist`,
			strings.ToLower(mixed), mixed, mixed, mixed)},
		{`"` + mixed + `".Orders`, fmt.Sprintf(`validation table %s.orders does not exist`, mixed)}, // quoted: no old reading
		{schema + ".nosuch", fmt.Sprintf(`validation table %s.nosuch does not exist`, schema)},
	} {
		v := newPGValidator(dsn, schema, false)
		v.Tables = []string{tc.table}
		tc.want += fmt.Sprintf(` in database %q on %s, which the validation connection reaches; fix validation.tables`, dsnDatabase(t, dsn), dsnServer(t, dsn))
		if _, err := v.Capture(context.Background()); err == nil || err.Error() != tc.want {
			t.Errorf("Capture(%s) = %v\nwant %s", tc.table, err, tc.want)
		}
	}
}

// A baseline recorded by a provider version that read unquoted names case-sensitively (kept in
// the guard snapshot's tags across an upgrade, for an apply resumed after it) holds the table it
// measured under that reading: Users then meant the table created as "Users". The check compares
// that table with it rather than skipping it because Users now folds to users.
func TestPGValidatorCaseSensitiveBaseline(t *testing.T) {
	dsn, schema := seedSchema(t)
	seedCaseTables(t, dsn, schema, 5)
	execSQL(t, dsn, "DROP TABLE "+pgx.Identifier{schema, "messages"}.Sanitize()+", "+pgx.Identifier{schema, "users"}.Sanitize())
	v := newPGValidator(dsn, schema, false)
	v.Tables = []string{schema + ".Users"}
	before := Facts{"rows:" + schema + ".Users": "5"}
	ctx := context.Background()
	rep, err := v.Check(ctx, before)
	if err != nil || !slices.Contains(rep.Checked, "rows "+schema+".Users: 5 before, 5 after") {
		t.Fatalf("check against the case-sensitive baseline: %+v, %v", rep, err)
	}
	execSQL(t, dsn, "DELETE FROM "+pgx.Identifier{schema, "Users"}.Sanitize()+" WHERE id <= 2")
	_, err = v.Check(ctx, before)
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Mismatches) != 1 || ve.Mismatches[0] != "table "+schema+".Users has 3 rows, 5 before the change (2 lost)" {
		t.Fatalf("check after losing rows of \"Users\": %v", err)
	}
}

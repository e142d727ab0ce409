package pgstats

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// secretStatement is a statement carrying secrets as string constants, with
// the text the collector must report for it.
type secretStatement struct {
	sql, want string
	secrets   []string
}

// TestCollect_redactsSecrets runs statements that carry passwords as string
// constants, which PostgreSQL 15's pg_stat_statements stores verbatim
// (utility statements are not normalised before 16), while the collector
// waits between its sample snapshots. The sample lists exactly the statements
// that ran during it, so they must be there, with every constant redacted;
// no secret may appear anywhere in the collected Stats. A cumulative read
// (with a query_text_length that cuts through a password) must not show them
// either.
func TestCollect_redactsSecrets(t *testing.T) {
	h := needPG(t)
	const role = "pgstats_redact_app"
	admin := h.superuser(t, "postgres")
	h.freshRole(t, role) // dropped at cleanup, after the database below
	execSQL(t, admin, "DROP ROLE "+role)

	var fdw bool
	if err := admin.QueryRow(context.Background(),
		"SELECT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'postgres_fdw')").Scan(&fdw); err != nil {
		t.Fatal(err)
	}
	var fdwConn *pgx.Conn
	if fdw {
		const db = "pgstats_redact"
		h.freshDatabase(t, db)
		fdwConn = h.superuser(t, db)
		execSQL(t, fdwConn, "CREATE EXTENSION postgres_fdw")
	}

	r := RedactedLiteral
	roleStmts := []secretStatement{
		{"CREATE ROLE " + role + " LOGIN PASSWORD 'Cr3ate-Secret-a1'", "CREATE ROLE " + role + " LOGIN PASSWORD " + r,
			[]string{"Cr3ate-Secret-a1"}},
		{"ALTER ROLE " + role + " PASSWORD 'Alt3r-Secret-b2'", "ALTER ROLE " + role + " PASSWORD " + r,
			[]string{"Alt3r-Secret-b2"}},
		{`ALTER ROLE ` + role + ` PASSWORD E'Esc\'aped-Secret-c3'`, "ALTER ROLE " + role + " PASSWORD E" + r,
			[]string{"aped-Secret-c3"}},
		{"ALTER ROLE " + role + " PASSWORD $pw$D0llar-Secret-d4$pw$", "ALTER ROLE " + role + " PASSWORD " + r,
			[]string{"D0llar-Secret-d4"}},
		// PostgreSQL ends a -- comment at a lone carriage return: the literal after it is the password.
		{"ALTER ROLE " + role + " PASSWORD -- rotated\r'Cr-Secret-h8'", "ALTER ROLE " + role + " PASSWORD -- rotated\r" + r,
			[]string{"Cr-Secret-h8"}},
		// A SET value may be an unquoted word, a number or a quoted identifier.
		{"ALTER ROLE " + role + " SET app.role_key = RoleSetSecretI9", "ALTER ROLE " + role + " SET app.role_key = " + r,
			[]string{"RoleSetSecretI9"}},
		{"SET app.api_key = SetSecretJ10", "SET app.api_key = " + r, []string{"SetSecretJ10"}},
		{"SET app.pin TO 424242987654", "SET app.pin TO " + r, []string{"424242987654"}},
		{`SET SESSION app.token = "QuotedSecretK11"`, "SET SESSION app.token = " + r, []string{"QuotedSecretK11"}},
		{"SET session.api_key = SessSecretL12", "SET session.api_key = " + r, []string{"SessSecretL12"}},
		{`SET app.U&"api_key" = UescSecretM13`, `SET app.U&"api_key" = ` + r, []string{"UescSecretM13"}},
	}
	fdwStmts := []secretStatement{
		{"CREATE SERVER pgstats_redact_srv FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'srv-secret-e5.invalid', dbname 'x')",
			"CREATE SERVER pgstats_redact_srv FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host " + r + ", dbname " + r + ")",
			[]string{"srv-secret-e5"}},
		{"CREATE USER MAPPING FOR " + role + " SERVER pgstats_redact_srv OPTIONS (user 'remote', password 'Map-Secret-f6')",
			"CREATE USER MAPPING FOR " + role + " SERVER pgstats_redact_srv OPTIONS (user " + r + ", password " + r + ")",
			[]string{"Map-Secret-f6"}},
		{"ALTER USER MAPPING FOR " + role + " SERVER pgstats_redact_srv OPTIONS (SET password 'Map-Secret-g7')",
			"ALTER USER MAPPING FOR " + role + " SERVER pgstats_redact_srv OPTIONS (SET password " + r + ")",
			[]string{"Map-Secret-g7"}},
	}

	conn := h.connect(t, "postgres", "postgres")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	type result struct {
		st  *Stats
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := Collect(ctx, conn, Options{Sample: 4 * time.Second, TopStatements: MaxTopStatements, QueryTextLength: MaxQueryTextLength})
		done <- result{st, err}
	}()
	awaitSampleWait(t, admin, conn.PgConn().PID())
	started := time.Now()
	for _, s := range roleStmts {
		execSQL(t, admin, s.sql)
	}
	if fdw {
		for _, s := range fdwStmts {
			execSQL(t, fdwConn, s.sql)
		}
	}
	if ran := time.Since(started); ran > 3*time.Second {
		t.Fatalf("the statements took %s, too long for the 4s sample", ran)
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("Collect: %v", res.err)
	}

	// The server really stores the secrets (else this test proves nothing).
	for _, s := range roleStmts {
		var n int
		if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_statements WHERE strpos(query, $1) > 0", s.secrets[0]).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 && res.st.Server.VersionNum < 160000 {
			t.Fatalf("pg_stat_statements does not hold %q verbatim on PostgreSQL %s", s.sql, res.st.Server.Version)
		}
	}

	check := func(t *testing.T, st *Stats, stmts []secretStatement) {
		t.Helper()
		for _, s := range stmts {
			for _, secret := range s.secrets {
				dump := secretHaystack(st, secret)
				if i := strings.Index(dump, secret); i >= 0 {
					t.Errorf("the collected statistics contain the secret %q: ...%s...", secret, dump[max(0, i-120):min(len(dump), i+60)])
				}
			}
			found := false
			for _, q := range st.Statements.Top {
				found = found || q.Query == s.want
			}
			if !found {
				t.Errorf("%q is not listed as %q among the %d sampled statements", s.sql, s.want, len(st.Statements.Top))
			}
		}
	}
	t.Run("role passwords", func(t *testing.T) { check(t, res.st, roleStmts) })
	t.Run("foreign server and user mapping options", func(t *testing.T) {
		if !fdw {
			t.Skip("postgres_fdw is not available on the harness server (pg_available_extensions): install postgresql-contrib to run this case")
		}
		check(t, res.st, fdwStmts)
	})

	// Cumulatively, with a text length that ends inside the password of
	// "ALTER ROLE ... PASSWORD 'Alt3r-...'": the cut constant is unterminated.
	prefix := "ALTER ROLE " + role + " PASSWORD "
	cut := len(prefix + "'Alt3r")
	st := collect(t, conn, Options{TopStatements: MaxTopStatements, QueryTextLength: cut})
	for _, s := range append(roleStmts, fdwStmts...) {
		for _, secret := range s.secrets {
			if strings.Contains(secretHaystack(st, secret), secret[:5]) {
				t.Errorf("the cumulative read contains the start of the secret %q", secret)
			}
		}
	}
	// Every entry is listed when there are no more than TopStatements of
	// them (as on the package's own harness run): then the cut statement
	// must be there, ending in the marker's start.
	want := prefix + RedactedLiteral[:cut-len(prefix)]
	found := false
	for _, q := range st.Statements.Top {
		found = found || q.Query == want
	}
	switch {
	case !found && st.Statements.Count <= MaxTopStatements:
		t.Errorf("the cumulative read lacks %q (%d entries, all listed)", want, st.Statements.Count)
	case !found:
		t.Logf("%d pg_stat_statements entries: the cut statement ranks below the top %d", st.Statements.Count, MaxTopStatements)
	}
}

// secretHaystack is where a secret must not appear in st: everything collected, printed, or, for a
// secret of digits only, the statements' texts (a run of digits also turns up in query IDs,
// timings and counters, which are no leak).
func secretHaystack(st *Stats, secret string) string {
	if strings.Trim(secret, "0123456789") != "" {
		return fmt.Sprintf("%#v", *st)
	}
	var b strings.Builder
	for _, q := range st.Statements.Top {
		b.WriteString(q.Query)
		b.WriteByte('\n')
	}
	return b.String()
}

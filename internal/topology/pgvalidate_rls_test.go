package topology

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// roleDSN returns dsn with its user replaced by role (the harness trusts every local role).
func roleDSN(t *testing.T, dsn, role string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parsing the harness DSN: %v", err)
	}
	u.User = url.User(role)
	return u.String()
}

// freshValidationRole drops and recreates a LOGIN role with the given grants and options and drops
// it (and what it owns) when the test ends.
func freshValidationRole(t *testing.T, dsn, role string, stmts ...string) {
	t.Helper()
	ident := pgx.Identifier{role}.Sanitize()
	drop := func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		var exists bool
		if c.QueryRow(context.Background(), "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists) == nil && exists {
			_, _ = c.Exec(context.Background(), "DROP OWNED BY "+ident)
			_, _ = c.Exec(context.Background(), "DROP ROLE "+ident)
		}
	}
	drop()
	execSQL(t, dsn, "CREATE ROLE "+ident+" LOGIN")
	for _, s := range stmts {
		execSQL(t, dsn, strings.ReplaceAll(s, "{role}", ident))
	}
	t.Cleanup(drop)
}

// A table with row-level security whose policies apply to the validation role (one with
// pg_read_all_data, as the docs suggest, which does not bypass them) is refused with an error
// naming the table and BYPASSRLS, instead of counting the rows the policy lets through (none
// here) before and after the change, which would let lost rows pass. With BYPASSRLS the rows are
// counted and the loss is reported.
func TestPGValidatorRowLevelSecurity(t *testing.T) {
	dsn, schema := seedSchema(t)
	s := pgx.Identifier{schema}.Sanitize()
	const role = "rs_validate_rls"
	freshValidationRole(t, dsn, role, "GRANT pg_read_all_data TO {role}")
	execSQL(t, dsn, "ALTER TABLE "+s+".messages ENABLE ROW LEVEL SECURITY")
	execSQL(t, dsn, "CREATE POLICY tenant ON "+s+".messages USING (user_id = nullif(current_setting('app.user_id', true), '')::bigint)")
	v := newPGValidator(roleDSN(t, dsn, role), schema, true)
	ctx := context.Background()

	facts, err := v.Capture(ctx)
	if err == nil {
		t.Fatalf("Capture counted a table whose row-level security filters the validation role's rows: %v", facts)
	}
	for _, want := range []string{"validation table " + schema + ".messages has row-level security", `validation role "` + role + `"`,
		`ALTER ROLE "` + role + `" BYPASSRLS`, "owner"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Capture error %q does not contain %q", err, want)
		}
	}
	// Check is refused the same way (a baseline recorded by another role is not compared with a filtered count).
	baseline, err := newPGValidator(dsn, schema, true).Capture(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Check(ctx, baseline); err == nil || !strings.Contains(err.Error(), "BYPASSRLS") {
		t.Fatalf("Check under row-level security: %v", err)
	}

	execSQL(t, dsn, "ALTER ROLE "+pgx.Identifier{role}.Sanitize()+" BYPASSRLS")
	facts, err = v.Capture(ctx)
	if err != nil {
		t.Fatalf("Capture with BYPASSRLS: %v", err)
	}
	if got := facts["rows:"+schema+".messages"]; got != "3000" {
		t.Fatalf("messages row count with BYPASSRLS = %q, want 3000", got)
	}
	execSQL(t, dsn, "DELETE FROM "+s+".messages WHERE id % 2 = 0")
	_, err = v.Check(ctx, facts)
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Error(), schema+".messages has 1500 rows, 3000 before") {
		t.Fatalf("lost rows under row-level security not reported: %v", err)
	}
}

// A validation role that may not read a table gets an error naming the table and the grants it needs.
func TestPGValidatorNoSelectPrivilege(t *testing.T) {
	dsn, schema := seedSchema(t)
	const role = "rs_validate_nogrant"
	freshValidationRole(t, dsn, role, "GRANT USAGE ON SCHEMA "+pgx.Identifier{schema}.Sanitize()+" TO {role}")
	_, err := newPGValidator(roleDSN(t, dsn, role), schema, false).Capture(context.Background())
	if err == nil || !strings.Contains(err.Error(), "counting rows of "+schema+".users") ||
		!strings.Contains(err.Error(), "needs SELECT on the table and USAGE on its schema") {
		t.Fatalf("Capture without SELECT: %v", err)
	}
}

// The validation transaction is read-only and repeatable read with row_security off and the
// statement timeout, whatever the role's defaults say, and those settings end with it.
func TestPGValidatorTransactionSettings(t *testing.T) {
	dsn, _ := seedSchema(t)
	const role = "rs_validate_settings"
	freshValidationRole(t, dsn, role, "GRANT pg_read_all_data TO {role}",
		"ALTER ROLE {role} SET default_transaction_isolation = 'serializable'", "ALTER ROLE {role} SET row_security = on")
	rdsn := roleDSN(t, dsn, role)
	v := &PGValidator{Connect: func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, rdsn) }, StatementTimeout: 7 * time.Second}
	got := map[string]string{}
	err := v.readOnly(context.Background(), func(tx pgx.Tx) error {
		for _, name := range []string{"transaction_isolation", "transaction_read_only", "row_security", "statement_timeout"} {
			var val string
			if err := tx.QueryRow(context.Background(), "SELECT current_setting($1)", name).Scan(&val); err != nil {
				return err
			}
			got[name] = val
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"transaction_isolation": "repeatable read", "transaction_read_only": "on", "row_security": "off", "statement_timeout": "7s"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q inside the validation transaction, want %q", k, got[k], w)
		}
	}
}

// A validation role whose default_transaction_isolation is serializable (a common application-role
// setting) pointed at a standby gets ErrInRecovery ("point the host at the writer"), not
// "cannot use serializable mode in a hot standby".
func TestPGValidatorSerializableDefaultOnStandby(t *testing.T) {
	dsn, schema := seedSchema(t)
	const role = "rs_validate_serializable"
	freshValidationRole(t, dsn, role, "GRANT pg_read_all_data TO {role}", "ALTER ROLE {role} SET default_transaction_isolation = 'serializable'")
	standby := startStandby(t)
	sdsn := roleDSN(t, standby, role)
	ctx := context.Background()
	var replayed bool
	var err error
	for deadline := time.Now().Add(15 * time.Second); !replayed; time.Sleep(100 * time.Millisecond) {
		var c *pgx.Conn
		if c, err = pgx.Connect(ctx, standby); err == nil { // as the superuser: the role's default would fail here too
			err = c.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $2)",
				schema+".messages", role).Scan(&replayed)
			c.Close(ctx)
		}
		if !replayed && time.Now().After(deadline) {
			t.Fatalf("the standby did not replay the role and schema: %v", err)
		}
	}
	v := newPGValidator(sdsn, schema, true)
	if _, err := v.Capture(ctx); !errors.Is(err, ErrInRecovery) {
		t.Fatalf("Capture on a standby as a role defaulting to serializable: %v", err)
	}
	if _, err := v.Check(ctx, Facts{}); !errors.Is(err, ErrInRecovery) {
		t.Fatalf("Check on a standby as a role defaulting to serializable: %v", err)
	}
}

package topology

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// After the change has settled, the validation's connection is terminated by another session
// (pg_terminate_backend, as an admin or a connection-killing job would): once, the validation is
// tried again and the change stands; on every attempt, the database is taken for unreachable
// after validationRetries and the change is rolled back.
func TestValidationConnectionDropped(t *testing.T) {
	for _, c := range []struct {
		name     string
		kills    int // connections terminated, from the first after the change
		rollback bool
	}{{"once", 1, false}, {"always", len(validationRetries) + 1, true}} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			dsn, schema := seedSchema(t)
			v := newPGValidator(dsn, schema, false)
			settled, killed := false, 0
			v.Connect = func(ctx context.Context) (*pgx.Conn, error) {
				conn, err := pgx.Connect(ctx, dsn)
				if err != nil || !settled || killed == c.kills {
					return conn, err
				}
				killed++
				admin, err := pgx.Connect(ctx, dsn)
				if err != nil {
					return nil, err
				}
				defer admin.Close(ctx)
				if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend($1)", conn.PgConn().PID()); err != nil {
					t.Errorf("terminate: %v", err)
				}
				return conn, nil
			}
			e.o.OnStep = func(s Step) error {
				if s == StepSettled {
					settled = true
				}
				return nil
			}
			res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: v})
			var ce *ChangeError
			switch {
			case !c.rollback && (err != nil || res.Nodes != 1):
				t.Errorf("one dropped connection: %v %+v, want the change validated and kept", err, res)
			case c.rollback && (!errors.As(err, &ce) || !ce.RollbackAttempted):
				t.Errorf("every connection dropped: %v, want a rollback", err)
			}
			if killed != c.kills {
				t.Errorf("%d connections terminated, want %d", killed, c.kills)
			}
		})
	}
}

// After the change has settled, the validation's login is refused once with SQLSTATE 53300
// (too_many_connections: the role's CONNECTION LIMIT taken by another session of it, as when a
// second run or applications reconnect after the change; "sorry, too many clients already" at
// max_connections is the same code): the database cannot be reached for the moment, so the
// validation is tried again and the change stands.
func TestValidationLoginRefusedForConnectionLimit(t *testing.T) {
	dsn, schema := seedSchema(t)
	role := "rs_connlimit_" + schema
	execSQL(t, dsn, "CREATE ROLE "+role+" LOGIN CONNECTION LIMIT 1")
	t.Cleanup(func() {
		execSQL(t, dsn, "DROP OWNED BY "+role)
		execSQL(t, dsn, "DROP ROLE IF EXISTS "+role)
	})
	execSQL(t, dsn, "GRANT USAGE ON SCHEMA "+schema+" TO "+role)
	execSQL(t, dsn, "GRANT SELECT ON ALL TABLES IN SCHEMA "+schema+" TO "+role)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.User = role
	e := newEnv(t, sandbox.Demo())
	v := newPGValidator(dsn, schema, false)
	settled, refused := false, 0
	// A closed session's backend may outlive the client's Close for a moment (more so on a busy
	// machine), still holding the role's one connection: wait until the role has none.
	noSessions := func(ctx context.Context) {
		admin, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatalf("connecting as admin: %v", err)
		}
		defer func() { _ = admin.Close(ctx) }()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var n int
			if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE usename = $1", role).Scan(&n); err != nil {
				t.Fatalf("counting the role's sessions: %v", err)
			}
			if n == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d session(s) of %s still open after 30 s", n, role)
			}
		}
	}
	v.Connect = func(ctx context.Context) (*pgx.Conn, error) {
		noSessions(ctx)
		if settled && refused == 0 {
			other, err := pgx.ConnectConfig(ctx, cfg) // another session of the role, for the moment
			if err != nil {
				t.Fatalf("the other session: %v", err)
			}
			defer func() { _ = other.Close(ctx); noSessions(ctx) }()
			conn, err := pgx.ConnectConfig(ctx, cfg)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "53300" {
				t.Fatalf("login beyond the role's connection limit: %v, want SQLSTATE 53300", err)
			}
			refused++
			return conn, err
		}
		return pgx.ConnectConfig(ctx, cfg)
	}
	e.o.OnStep = func(s Step) error {
		if s == StepSettled {
			settled = true
		}
		return nil
	}
	res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: v})
	if err != nil || res.Nodes != 1 || refused != 1 {
		t.Fatalf("a validation login refused once for the connection limit: %v (refused %d), want it tried again and the change kept", err, refused)
	}
}

// After the change, the validation's row count outlasts statement_timeout (SQLSTATE 57014: a large
// table on a busier single node): that says nothing against the change, so it is not rolled back;
// the run stops resumable and the next one, with a longer timeout, validates it and records it.
func TestValidationStatementTimeoutResumable(t *testing.T) {
	dsn, schema := seedSchema(t)
	e := newEnv(t, sandbox.Demo())
	v := newPGValidator(dsn, schema, false)
	// After the change, another session holds a lock on messages (a migration): the count waits
	// and the statement_timeout cancels it, as it would a count outlasting it on a large table.
	locker, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = locker.Close(context.Background()) })
	e.o.OnStep = func(s Step) error {
		if s == StepSettled {
			for _, q := range []string{"BEGIN", "LOCK TABLE " + pgx.Identifier{schema, "messages"}.Sanitize() + " IN ACCESS EXCLUSIVE MODE"} {
				if _, err := locker.Exec(context.Background(), q); err != nil {
					t.Fatal(err)
				}
			}
			v.StatementTimeout = 500 * time.Millisecond
		}
		return nil
	}
	_, err = e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: v})
	var ce *ChangeError
	var pe *pgconn.PgError
	if !errors.As(err, &ce) || !errors.As(err, &pe) || pe.Code != "57014" || !ce.Changed || !ce.Resumable || ce.RollbackAttempted {
		t.Fatalf("a validation count cancelled by statement_timeout: %v, want the change kept, resumable", err)
	}
	if !strings.Contains(err.Error(), "not rolled back; raise the provider's postgres.statement_timeout") {
		t.Errorf("%q does not say which setting to raise", err)
	}
	e.o.OnStep = nil
	if _, err := locker.Exec(context.Background(), "ROLLBACK"); err != nil { // the migration ends
		t.Fatal(err)
	}
	v.StatementTimeout = 30 * time.Second
	res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: v})
	if err != nil || res.Nodes != 1 || res.Validation == nil {
		t.Fatalf("the next run: %v %+v, want the change validated and recorded", err, res)
	}
	if in := e.instance("mandible-prod"); *in.MultiAZ {
		t.Fatal("Multi-AZ again: the change was rolled back")
	}
}

// Rows are lost from users during the change and another session then locks messages (a
// migration), so its count after the change is cancelled by statement_timeout: the loss found
// stands (a ValidationError naming it and what was not measured), and the change is rolled back,
// not stopped as inconclusive.
func TestValidationMismatchThenStatementTimeoutRollsBack(t *testing.T) {
	dsn, schema := seedSchema(t)
	e := newEnv(t, sandbox.Demo())
	v := newPGValidator(dsn, schema, false)
	v.Tables = []string{schema + ".users", schema + ".messages"}
	v.StatementTimeout = time.Second
	e.o.OnStep = loseARowThenLockMessages(t, dsn, schema, nil)
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: v})
	var ce *ChangeError
	var ve *ValidationError
	if !errors.As(err, &ce) || !errors.As(err, &ve) || !ce.RolledBack {
		t.Fatalf("rows lost, then a count cancelled: %v, want a validation failure rolled back", err)
	}
	if len(ve.Mismatches) != 2 || !strings.Contains(ve.Mismatches[0], "users has") || !strings.Contains(ve.Mismatches[0], "(1 lost)") ||
		!strings.Contains(ve.Mismatches[1], "the rest was not measured") || !strings.Contains(ve.Mismatches[1], "57014") {
		t.Errorf("mismatches %q, want the lost row and what was not measured", ve.Mismatches)
	}
}

// Rows are found lost, then the apply is interrupted (Ctrl-C) while a later table's count waits on
// a lock: an interruption rolls nothing back, as ever, and the error still names the rows lost
// (the next apply validates again and finds them).
func TestValidationMismatchThenInterruptedRollsNothingBack(t *testing.T) {
	dsn, schema := seedSchema(t)
	e := newEnv(t, sandbox.Demo())
	v := newPGValidator(dsn, schema, false)
	v.Tables = []string{schema + ".users", schema + ".messages"}
	v.StatementTimeout = 30 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.o.OnStep = loseARowThenLockMessages(t, dsn, schema, func() {
		time.AfterFunc(time.Second, cancel) // Ctrl-C while the messages count waits
	})
	_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, Validator: v})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.Interrupted || ce.RollbackAttempted {
		t.Fatalf("rows lost, then interrupted: %v, want an interruption with nothing rolled back", err)
	}
	if !strings.Contains(err.Error(), "(1 lost)") {
		t.Errorf("%q does not name the rows lost", err)
	}
	for _, c := range e.srv.Calls("ModifyDBInstance") {
		if c.Params["MultiAZ"] == "true" {
			t.Fatal("Multi-AZ turned on again after the interruption")
		}
	}
}

// loseARowThenLockMessages returns an OnStep that, once the change has settled, deletes the first
// user (and its messages) and then, from another session, holds an ACCESS EXCLUSIVE lock on
// messages (a migration) until the test ends, so that the validation's count of messages waits;
// then, if not nil, runs after the lock is taken.
func loseARowThenLockMessages(t *testing.T, dsn, schema string, then func()) func(Step) error {
	t.Helper()
	var locker *pgx.Conn
	t.Cleanup(func() {
		if locker != nil {
			_ = locker.Close(context.Background())
		}
	})
	return func(s Step) error {
		if s != StepSettled || locker != nil {
			return nil
		}
		users, messages := pgx.Identifier{schema, "users"}.Sanitize(), pgx.Identifier{schema, "messages"}.Sanitize()
		execSQL(t, dsn, "DELETE FROM "+messages+" WHERE user_id = (SELECT min(id) FROM "+users+")")
		execSQL(t, dsn, "DELETE FROM "+users+" WHERE id = (SELECT min(id) FROM "+users+")")
		var err error
		if locker, err = pgx.Connect(context.Background(), dsn); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"BEGIN", "LOCK TABLE " + messages + " IN ACCESS EXCLUSIVE MODE"} {
			if _, err := locker.Exec(context.Background(), q); err != nil {
				t.Fatal(err)
			}
		}
		if then != nil {
			then()
		}
		return nil
	}
}

package topology

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pgstats"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// testDSN returns the harness PostgreSQL DSN; tests that need it fail (never skip) without it.
func testDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("RIGHTSIZE_TEST_PG_DSN")
	if dsn == "" {
		t.Fatal("RIGHTSIZE_TEST_PG_DSN is not set: start a throwaway PostgreSQL with " +
			`eval "$(scripts/testpg.sh start /tmp/pg-topology)" or run make test`)
	}
	return dsn
}

var schemaSeq atomic.Int64

// seedSchema creates a fresh schema with the demo's users, chat_rooms and messages tables and
// returns its name; it is dropped when the test ends.
func seedSchema(t *testing.T) (dsn, schema string) {
	t.Helper()
	return seedSchemaOn(t, testDSN(t))
}

// seedSchemaOn is seedSchema on the server at dsn.
func seedSchemaOn(t *testing.T, dsn string) (_, schema string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to the test PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	schema = fmt.Sprintf("rs_topo_%d_%d", os.Getpid(), schemaSeq.Add(1))
	s := pgx.Identifier{schema}.Sanitize()
	stmts := []string{
		"DROP SCHEMA IF EXISTS " + s + " CASCADE",
		"CREATE SCHEMA " + s,
		"CREATE TABLE " + s + ".users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now())",
		"CREATE TABLE " + s + ".chat_rooms (id bigserial PRIMARY KEY, name text NOT NULL)",
		"CREATE TABLE " + s + ".messages (id bigserial PRIMARY KEY, room_id bigint NOT NULL REFERENCES " + s + ".chat_rooms(id), user_id bigint NOT NULL REFERENCES " + s + ".users(id), body text NOT NULL, sent_at timestamptz NOT NULL DEFAULT now())",
		"CREATE INDEX messages_room_sent ON " + s + ".messages (room_id, sent_at)",
		"INSERT INTO " + s + ".users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 200) g",
		"INSERT INTO " + s + ".chat_rooms (name) SELECT 'room ' || g FROM generate_series(1, 20) g",
		"INSERT INTO " + s + ".messages (room_id, user_id, body) SELECT 1 + g % 20, 1 + g % 200, 'hello ' || g FROM generate_series(1, 3000) g",
	}
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("seeding %s: %s: %v", schema, q, err)
		}
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+s+" CASCADE")
			c.Close(context.Background())
		}
	})
	return dsn, schema
}

func execSQL(t *testing.T, dsn, q string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func newPGValidator(dsn, schema string, checkIndexes bool) *PGValidator {
	return &PGValidator{
		Connect:      func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, dsn) },
		Tables:       []string{schema + ".users", schema + ".messages", schema + ".chat_rooms"},
		CheckIndexes: checkIndexes, StatementTimeout: 10 * time.Second,
	}
}

// captureSeeded captures v's facts of the seeded schema, failing the test unless they count its
// 3000 messages and are as many as ValidationFactTags counts.
func captureSeeded(t *testing.T, v *PGValidator, schema string) map[string]string {
	t.Helper()
	facts, err := v.Capture(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := facts["rows:"+schema+".messages"]; got != "3000" {
		t.Fatalf("messages row count fact = %q, want 3000 (facts %v)", got, facts)
	}
	// The guard snapshot's room for guard.tags is counted with ValidationFactTags.
	if want := ValidationFactTags(len(v.Tables), v.CheckIndexes); len(facts) != want {
		t.Fatalf("%d facts, ValidationFactTags says %d (facts %v)", len(facts), want, facts)
	}
	return facts
}

func TestPGValidatorUnchanged(t *testing.T) {
	dsn, schema := seedSchema(t)
	v := newPGValidator(dsn, schema, true)
	ctx := context.Background()
	facts := captureSeeded(t, v, schema)
	if got := facts["idx:"+schema+".users"]; !strings.HasPrefix(got, "2:") {
		t.Fatalf("users index fingerprint = %q, want 2 indexes (pkey, email unique)", got)
	}
	if err := checkFacts(facts); err != nil {
		t.Fatal(err)
	}
	rep, err := v.Check(ctx, facts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RoundTrip <= 0 || len(rep.Checked) != 2+2*3 || rep.Checked[1] != "the server is the primary (not in recovery)" {
		t.Fatalf("report %+v", rep)
	}
}

// A table added to the validation after the baseline was recorded (a resumed change keeps its
// guard's baseline), and indexes checked only since, have nothing to compare with: the report
// lists them as not compared rather than passing over them in silence; the unchanged report
// lists nothing so.
func TestPGValidatorNotInBaseline(t *testing.T) {
	dsn, schema := seedSchema(t)
	ctx := context.Background()
	v := newPGValidator(dsn, schema, false)
	v.Tables = v.Tables[:2] // users, messages
	facts, err := v.Capture(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := v.Check(ctx, facts); err != nil || len(rep.NotCompared) != 0 {
		t.Fatalf("same tables: %+v, %v; want nothing left uncompared", rep, err)
	}
	later := newPGValidator(dsn, schema, true)
	rep, err := later.Check(ctx, facts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"indexes of " + schema + ".users", "indexes of " + schema + ".messages", "rows of " + schema + ".chat_rooms", "indexes of " + schema + ".chat_rooms"}
	if !slices.Equal(rep.NotCompared, want) {
		t.Errorf("not compared %q, want %q", rep.NotCompared, want)
	}
	// A table added since that does not exist at all is not compared either, and says why.
	v.Tables = append(v.Tables, schema+".no_such_table")
	if rep, err := v.Check(ctx, facts); err != nil || !slices.Equal(rep.NotCompared, []string{"rows of " + schema + ".no_such_table (no such table)"}) {
		t.Errorf("a table added that does not exist: %+v, %v", rep, err)
	}
}

func TestPGValidatorGrowthAccepted(t *testing.T) {
	dsn, schema := seedSchema(t)
	v := newPGValidator(dsn, schema, true)
	facts, err := v.Capture(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, dsn, "INSERT INTO "+schema+".users (email) VALUES ('new@example.com')")
	if _, err := v.Check(context.Background(), facts); err != nil {
		t.Fatalf("a row inserted during the change must not fail validation: %v", err)
	}
}

func TestPGValidatorRowsLost(t *testing.T) {
	dsn, schema := seedSchema(t)
	v := newPGValidator(dsn, schema, false)
	facts, err := v.Capture(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, dsn, "DELETE FROM "+schema+".messages WHERE id <= 10")
	_, err = v.Check(context.Background(), facts)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want *ValidationError, got %v", err)
	}
	if len(ve.Mismatches) != 1 || !strings.Contains(ve.Mismatches[0], schema+".messages has 2990 rows, 3000 before") {
		t.Fatalf("mismatches %q", ve.Mismatches)
	}
}

func TestPGValidatorIndexChanged(t *testing.T) {
	dsn, schema := seedSchema(t)
	v := newPGValidator(dsn, schema, true)
	facts, err := v.Capture(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, dsn, "DROP INDEX "+schema+".messages_room_sent")
	execSQL(t, dsn, "DROP TABLE "+schema+".chat_rooms CASCADE")
	_, err = v.Check(context.Background(), facts)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want *ValidationError, got %v", err)
	}
	msg := ve.Error()
	for _, want := range []string{"index definitions of " + schema + ".messages changed (2 indexes before, 1 after)", "table " + schema + ".chat_rooms no longer exists"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("%q does not contain %q", msg, want)
		}
	}
	// Without index checks the dropped index is not reported.
	v.CheckIndexes = false
	_, err = v.Check(context.Background(), facts)
	if err == nil || strings.Contains(err.Error(), "index") {
		t.Fatalf("without check_indexes: %v", err)
	}
}

// Tables missing at Capture are named together, with the database and server the connection
// reached: the names may be right and the database wrong (a resource validating through the
// provider configuration of another database, as examples/demo's sso-prod would without its
// alias). It said only "validation table <one of them> does not exist; fix validation.tables".
func TestPGValidatorMissingTableAtCapture(t *testing.T) {
	dsn, schema := seedSchema(t)
	v := newPGValidator(dsn, schema, false)
	v.Tables = append(v.Tables, schema+".nope", "credentials")
	_, err := v.Capture(context.Background())
	var me *MissingTablesError
	if !errors.As(err, &me) {
		t.Fatalf("got %v, want a *MissingTablesError", err)
	}
	want := fmt.Sprintf("validation tables %s.nope, public.credentials do not exist in database %q on %s, which the validation connection reaches; fix validation.tables",
		schema, dsnDatabase(t, dsn), dsnServer(t, dsn))
	if err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
}

// dsnDatabase and dsnServer are the database and host:port of the connection string dsn.
func dsnDatabase(t *testing.T, dsn string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Database
}

func dsnServer(t *testing.T, dsn string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
}

func TestPGValidatorIsReadOnly(t *testing.T) {
	dsn, _ := seedSchema(t)
	v := &PGValidator{Connect: func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, dsn) }}
	err := v.readOnly(context.Background(), func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), "CREATE TABLE rs_should_not_exist (x int)")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("a write inside the validator transaction must fail, got %v", err)
	}
}

func TestPGValidatorUnreachable(t *testing.T) {
	v := &PGValidator{Tables: []string{"users"}, Connect: func(ctx context.Context) (*pgx.Conn, error) {
		return pgx.Connect(ctx, "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")
	}}
	if _, err := v.Check(context.Background(), Facts{}); err == nil || !strings.Contains(err.Error(), "connecting to PostgreSQL") {
		t.Fatalf("got %v", err)
	}
}

func TestParseTableName(t *testing.T) {
	for _, tc := range []struct{ in, schema, table string }{
		{"users", "public", "users"}, {"app.messages", "app", "messages"}, {" chat_rooms ", "public", "chat_rooms"},
	} {
		s, n, err := ParseTableName(tc.in)
		if err != nil || s != tc.schema || n != tc.table {
			t.Errorf("ParseTableName(%q) = %q, %q, %v", tc.in, s, n, err)
		}
	}
	for _, bad := range []string{"", ".x", "a.", "a.b.c"} {
		if _, _, err := ParseTableName(bad); err == nil {
			t.Errorf("ParseTableName(%q) accepted", bad)
		}
	}
	v := &PGValidator{Tables: make([]string, MaxValidationTables+1)}
	if _, err := v.tables(); err == nil {
		t.Error("too many tables accepted")
	}
}

// startStandby starts a streaming hot standby of the harness PostgreSQL and returns its DSN; it
// is stopped when the test ends.
func startStandby(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", acctest.StartStandby(t))
}

// Validation refuses a server in recovery, before the change (nothing is changed) and after it,
// although the standby holds the same rows.
func TestPGValidatorRefusesStandby(t *testing.T) {
	dsn, schema := seedSchema(t)
	standby := startStandby(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, standby)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		err = conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{schema, "messages"}.Sanitize()).Scan(&n)
		if err == nil && n == 3000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby did not replay the seeded schema: %d rows, %v", n, err)
		}
	}
	facts, err := newPGValidator(dsn, schema, true).Capture(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := newPGValidator(standby, schema, true)
	if _, err := v.Capture(ctx); !errors.Is(err, ErrInRecovery) || !strings.Contains(err.Error(), "point the provider's postgres host at the writer") {
		t.Fatalf("Capture on a standby: %v", err)
	}
	if _, err := v.Check(ctx, facts); !errors.Is(err, ErrInRecovery) {
		t.Fatalf("Check on a standby: %v", err)
	}
	// A change validated on the standby is refused before anything is created or changed.
	e := newEnv(t, sandbox.Demo())
	_, err = e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, Validator: v})
	var ce *ChangeError
	if !errors.As(err, &ce) || !errors.Is(err, ErrInRecovery) || ce.Changed {
		t.Fatalf("Run validated on a standby: %v", err)
	}
	for _, op := range []string{"CreateDBSnapshot", "ModifyDBInstance"} {
		if n := len(e.opsIndex(op, nil)); n != 0 {
			t.Errorf("%d %s calls", n, op)
		}
	}
}

// TestValidationThroughPgBouncer: a change validated through PgBouncer in transaction pooling (the
// check after the change gets the server connection the capture used, prepared statements and
// all) is validated and kept, not rolled back.
func TestValidationThroughPgBouncer(t *testing.T) {
	port, err := strconv.Atoi(os.Getenv("RIGHTSIZE_TEST_PGBOUNCER_PORT"))
	if err != nil {
		t.Fatal("RIGHTSIZE_TEST_PGBOUNCER_PORT is not set: run make test (scripts/testpg.sh pgbouncer starts it)")
	}
	e := newEnv(t, sandbox.Demo())
	_, schema := seedSchema(t)
	v := newPGValidator("", schema, true)
	v.Connect = func(ctx context.Context) (*pgx.Conn, error) {
		return pgstats.Connect(ctx, pgstats.ConnConfig{Host: "127.0.0.1", Port: port, Database: "postgres", User: "postgres",
			SSLMode: "disable", ConnectTimeout: 5 * time.Second})
	}
	for i, req := range []Request{
		{Target: mandible, Nodes: 1, Generation: 1, Validator: v},
		{Target: sso, Nodes: 1, Generation: 1, Validator: v},
	} {
		res, err := e.o.Run(context.Background(), req)
		if err != nil || res.Nodes != 1 {
			t.Fatalf("change %d validated through PgBouncer: %v, want it validated and kept", i+1, err)
		}
	}
}

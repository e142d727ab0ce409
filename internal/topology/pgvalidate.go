package topology

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/pgstats"
)

// PGValidator validates a PostgreSQL database around a topology change: row counts of named
// tables must not drop (the database stays writable during the change, so growth is accepted
// while lost rows are not), index definitions of those tables must be unchanged, and a
// `SELECT 1` round trip must succeed, on the primary: a connection that reaches a server in
// recovery (a standby, an Aurora reader) is refused, before the change and after it. Every query
// runs in a read-only, repeatable-read transaction with a statement timeout and row_security off,
// so a table whose row-level security policies apply to the validation role is an error naming it
// rather than a count those policies filtered; table names are quoted identifiers, values are $n
// parameters.
type PGValidator struct {
	// Connect opens a connection (the provider's PostgreSQL settings). Required.
	Connect func(ctx context.Context) (*pgx.Conn, error)
	// Tables are "table" (schema public) or "schema.table" names, read as PostgreSQL reads
	// identifiers: unquoted parts fold to lower case, "double-quoted" ones keep their case
	// (ParseTableName).
	Tables []string
	// CheckIndexes also records and compares the index definitions of Tables.
	CheckIndexes bool
	// StatementTimeout bounds each query, the row counts included (default 60 s; the provider
	// passes its postgres.statement_timeout).
	StatementTimeout time.Duration
}

// Fact keys written by PGValidator.
const (
	factRowsPrefix    = "rows:"
	factIndexesPrefix = "idx:"
)

// MaxValidationTables is the most tables PGValidator records: each costs up to two tags of the
// guard snapshot, which may carry at most 50 (ValidationFactTags).
const MaxValidationTables = 10

// ValidationFactTags is how many facts, each a tag of the guard snapshot, PGValidator records for
// tables validation tables: a row count each (factRowsPrefix) and, with checkIndexes, their index
// definitions (factIndexesPrefix).
func ValidationFactTags(tables int, checkIndexes bool) int {
	if checkIndexes {
		return 2 * tables
	}
	return tables
}

type qualifiedTable struct{ schema, name string }

func (t qualifiedTable) String() string { return t.schema + "." + t.name }

// factKey is t as it appears in a fact's key, which goes into a guard snapshot tag key: RDS tag
// keys allow letters, digits, spaces and _ . : / = + - @, so a $ (valid in an identifier) becomes
// = (which ParseTableName accepts in no name, so keys stay distinct). Lower-case names, all an
// unquoted name can be, keep the keys they had before ParseTableName folded names.
func (t qualifiedTable) factKey() string { return strings.ReplaceAll(t.String(), "$", "=") }

// MaxTableNameLen is the longest "schema.table" (with its schema, public when not given, and
// without quotes) a validation baseline records: its fact keys must fit a guard snapshot tag key.
const MaxTableNameLen = MaxFactKeyLen - len(factRowsPrefix)

// ParseTableName splits "schema.table" (or "table", schema public; surrounding spaces are
// ignored) the way PostgreSQL reads identifiers, as rightsize_postgres_stats does
// (pgstats.ParseQualifiedName): unquoted parts fold to lower case, so Users is the table users,
// and "double-quoted" parts are taken literally, so "Users" is the table created as "Users".
// Each part must hold only letters, digits, _, $ and -: a fact's key records it in a guard
// snapshot tag key (factKey), where a '.' inside a part, a '=' or a '"' would be ambiguous or
// not allowed. The name, "schema.table" without quotes, may be at most MaxTableNameLen characters.
func ParseTableName(s string) (schema, table string, err error) {
	s = strings.TrimSpace(s)
	schema, table, err = pgstats.ParseQualifiedName(s)
	if err != nil {
		return "", "", fmt.Errorf("invalid table name %q: %w", s, err)
	}
	if schema == "" {
		schema = "public"
	}
	for _, part := range []string{schema, table} {
		if strings.IndexFunc(part, func(r rune) bool { return !recordableRune(r) }) >= 0 {
			return "", "", fmt.Errorf("invalid table name %q: %q holds a character other than a letter, digit, _, $ or -, "+
				"which a validation baseline cannot record", s, part)
		}
	}
	if t := (qualifiedTable{schema, table}); len(factRowsPrefix)+len(t.factKey()) > MaxFactKeyLen {
		return "", "", fmt.Errorf("invalid table name %q: %s is %d characters, more than the %d a validation baseline can record "+
			"(in a guard snapshot tag key)", s, t, len(t.String()), MaxTableNameLen)
	}
	return schema, table, nil
}

// recordableRune reports whether r may appear in a table name part of a fact key (factKey): an
// ASCII letter, digit, _, $ (recorded as =) or - (which an unquoted identifier cannot hold, so
// keys stay distinct).
func recordableRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '$' || r == '-'
}

// caseSensitiveReading is how provider versions before ParseTableName folded identifiers read
// the validation table name s: "schema.table" or "table" (schema public) taken literally, and
// matched case-sensitively. ok is false when that reading is t (s is in lower case) or s holds a
// double quote, which those versions did not accept. A baseline such a version recorded (in the
// guard snapshot's tags, for an apply resumed after an upgrade) holds its keys; a table named so
// that does not exist gets a hint.
func caseSensitiveReading(s string, t qualifiedTable) (old qualifiedTable, ok bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, `"`) {
		return qualifiedTable{}, false
	}
	schema, name, cut := strings.Cut(s, ".")
	if !cut {
		schema, name = "public", s
	}
	old = qualifiedTable{schema, name}
	return old, old != t
}

// quoteUpper double-quotes an identifier that holds an upper-case letter, so that it keeps its case.
func quoteUpper(part string) string {
	if part == strings.ToLower(part) {
		return part
	}
	return `"` + part + `"`
}

func (v *PGValidator) tables() ([]qualifiedTable, error) {
	if len(v.Tables) > MaxValidationTables {
		return nil, fmt.Errorf("validation lists %d tables; at most %d are supported", len(v.Tables), MaxValidationTables)
	}
	var out []qualifiedTable
	for _, s := range v.Tables {
		schema, name, err := ParseTableName(s)
		if err != nil {
			return nil, err
		}
		out = append(out, qualifiedTable{schema, name})
	}
	return out, nil
}

// timeout is StatementTimeout, or its default of 60 s.
func (v *PGValidator) timeout() time.Duration {
	if v.StatementTimeout <= 0 {
		return 60 * time.Second
	}
	return v.StatementTimeout
}

// validationSearchPath is the search_path of the validation transaction (readOnly): the system
// catalog first and the session's temporary schema last, where functions and operators are never
// looked up. A function, operator or type a role created in a schema of the session's own
// search_path (public, writable by every role before PostgreSQL 15, or a role's own schema) then
// cannot stand in for a built-in one in the validation queries (CVE-2018-1058).
const validationSearchPath = "pg_catalog, pg_temp"

// validationTx is the transaction readOnly hands to fn: its search_path is pinned to
// validationSearchPath, and sessionSearchPath is the session's own search_path setting, read
// before that (indexDefinitions needs it).
type validationTx struct {
	pgx.Tx
	sessionSearchPath string
}

// readOnly runs fn in a read-only transaction with the statement timeout, row_security off and
// the search_path pinned to validationSearchPath.
//
// The isolation level is repeatable read whatever the role's default_transaction_isolation says:
// the tables are counted in one consistent snapshot, and a serializable default would fail on a
// standby ("cannot use serializable mode in a hot standby") before onPrimary could say
// ErrInRecovery. row_security off makes a query that a row-level security policy would filter fail
// (SQLSTATE 42501) instead of silently counting only the rows the policy lets through. The
// search_path is pinned right after BEGIN (set_config(..., is_local => true): it ends with the
// transaction), after reading the session's own for indexDefinitions; table names do not depend
// on it, as ParseTableName gives every one a schema ("table" is public.table). fn receives a
// *validationTx.
func (v *PGValidator) readOnly(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if v.Connect == nil {
		return errors.New("PGValidator.Connect is nil. Please report this issue to the provider developers")
	}
	conn, err := v.Connect(ctx)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return fmt.Errorf("starting a read-only transaction: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only; rollback after commit is a no-op
	// Schema-qualified calls: the search path is not safe until it is pinned.
	var sessionPath string
	if err := tx.QueryRow(ctx, "SELECT pg_catalog.current_setting('search_path')").Scan(&sessionPath); err != nil {
		return fmt.Errorf("reading the session's search_path: %w", err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_catalog.set_config('search_path', $1, true)", validationSearchPath); err != nil {
		return fmt.Errorf("pinning search_path to %s: %w", validationSearchPath, err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_catalog.set_config('statement_timeout', $1, true)", strconv.FormatInt(v.timeout().Milliseconds(), 10)); err != nil {
		return fmt.Errorf("setting statement_timeout: %w", err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_catalog.set_config('row_security', 'off', true)"); err != nil {
		return fmt.Errorf("setting row_security: %w", err)
	}
	if err := fn(&validationTx{Tx: tx, sessionSearchPath: sessionPath}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// ErrInRecovery is returned (wrapped) when validation reaches a server in recovery.
var ErrInRecovery = errors.New("the validation connection reaches a server in recovery (a standby or an Aurora reader), " +
	"whose rows trail the writer's and which is not the node the change leaves serving writes; " +
	"point the provider's postgres host at the writer: the DB instance endpoint, or the Aurora cluster (writer) endpoint")

// onPrimary refuses a connection to a server in recovery (pg_is_in_recovery()).
func onPrimary(ctx context.Context, tx pgx.Tx) error {
	var inRecovery bool
	if err := tx.QueryRow(ctx, "SELECT pg_catalog.pg_is_in_recovery()").Scan(&inRecovery); err != nil {
		return fmt.Errorf("reading pg_is_in_recovery(): %w", err)
	}
	if inRecovery {
		return ErrInRecovery
	}
	return nil
}

// rowSecurityError is the error for a table whose row-level security policies apply to the
// validation role: counting it would count only the rows the policies let through (0, for a
// role no policy matches), so rows lost during the change would go unnoticed.
func rowSecurityError(t qualifiedTable, role string) error {
	ident := pgx.Identifier{role}.Sanitize()
	return fmt.Errorf("validation table %s has row-level security whose policies apply to the validation role %s, "+
		"so its row count would include only the rows they let through and lost rows would go unnoticed: "+
		"give the role BYPASSRLS (ALTER ROLE %s BYPASSRLS; pg_read_all_data does not bypass row-level security), "+
		"validate as the table's owner (unless the table has FORCE ROW LEVEL SECURITY), or remove the table from validation.tables",
		t, ident, ident)
}

// tableFacts records the row count and (optionally) index definitions of one table.
// exists is false when the table does not exist. A table whose row-level security applies to
// the role (row_security_active) is an error (rowSecurityError), as is a count failing with
// SQLSTATE 42501, which row_security off (readOnly) raises for such a table.
func (v *PGValidator) tableFacts(ctx context.Context, tx pgx.Tx, t qualifiedTable, f Facts) (exists bool, err error) {
	var rlsActive bool
	var role string
	err = tx.QueryRow(ctx, `SELECT pg_catalog.row_security_active(c.oid), current_user
		FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'm')`, t.schema, t.name).Scan(&rlsActive, &role)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("looking up %s: %w", t, err)
	}
	if rlsActive {
		return true, rowSecurityError(t, role)
	}
	var n int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{t.schema, t.name}.Sanitize()).Scan(&n); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "57014" { // query_canceled: the statement timeout
			return true, fmt.Errorf("counting rows of %s: %w; the count took longer than the statement timeout (%s): raise the provider's postgres.statement_timeout for this table",
				t, err, v.timeout())
		}
		if errors.As(err, &pgErr) && pgErr.Code == "42501" { // insufficient_privilege
			return true, fmt.Errorf("counting rows of %s: %w; the validation role %s needs SELECT on the table and USAGE on its schema "+
				"(pg_read_all_data grants both) and, if the table has row-level security, BYPASSRLS", t, err, pgx.Identifier{role}.Sanitize())
		}
		return true, fmt.Errorf("counting rows of %s: %w", t, err)
	}
	f[factRowsPrefix+t.factKey()] = strconv.FormatInt(n, 10)
	if v.CheckIndexes {
		defs, err := indexDefinitions(ctx, tx, t)
		if err != nil {
			return true, fmt.Errorf("reading index definitions of %s: %w", t, err)
		}
		f[factIndexesPrefix+t.factKey()] = indexFingerprint(defs)
	}
	return true, nil
}

// indexDefinitions returns "<index name>\t<definition>" for each index of t, by name. The
// definitions are pg_get_indexdef's (pg_indexes.indexdef), which leaves a function, operator
// class or collation unqualified when it is visible on the search_path: they are read under the
// session's search_path (validationTx.sessionSearchPath), set back for this one query, so that a
// fingerprint matches one recorded before readOnly pinned the search path (a baseline of an
// earlier provider version, kept in the guard snapshot's tags) rather than reporting every index
// on, say, gin_trgm_ops as changed. The query itself resolves no name through that search path:
// its operators and types are schema-qualified and pg_indexes is a catalog view; the pinned
// search path is restored after it.
func indexDefinitions(ctx context.Context, tx pgx.Tx, t qualifiedTable) (defs []string, err error) {
	if vt, ok := tx.(*validationTx); ok {
		if _, err := tx.Exec(ctx, "SELECT pg_catalog.set_config('search_path', $1, true)", vt.sessionSearchPath); err != nil {
			return nil, fmt.Errorf("setting the session's search_path for pg_get_indexdef: %w", err)
		}
		defer func() {
			if _, perr := tx.Exec(ctx, "SELECT pg_catalog.set_config('search_path', $1, true)", validationSearchPath); perr != nil && err == nil {
				err = fmt.Errorf("pinning search_path to %s again: %w", validationSearchPath, perr)
			}
		}()
	}
	rows, err := tx.Query(ctx, `SELECT indexname, indexdef FROM pg_catalog.pg_indexes
		WHERE schemaname OPERATOR(pg_catalog.=) $1::pg_catalog.name AND tablename OPERATOR(pg_catalog.=) $2::pg_catalog.name
		ORDER BY indexname`, t.schema, t.name)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (string, error) {
		var name, def string
		err := row.Scan(&name, &def)
		return name + "\t" + def, err
	})
}

// indexFingerprint is "<count>:<first 16 hex digits of sha256>" of the sorted definitions.
func indexFingerprint(defs []string) string {
	slices.Sort(defs)
	sum := sha256.Sum256([]byte(strings.Join(defs, "\n")))
	return strconv.Itoa(len(defs)) + ":" + hex.EncodeToString(sum[:8])
}

// MissingTablesError reports validation tables that do not exist in the database the validation
// connection reaches (Capture), naming that database and its server: the table names may be wrong,
// or the connection may reach another database than the one that holds them.
type MissingTablesError struct {
	// Tables are the missing tables as "schema.table", each with a hint on how to write it where
	// one applies.
	Tables []string
	// Database is the database the connection reached (current_database()), Server its host and
	// port as the connection dialled them.
	Database, Server string
}

func (e *MissingTablesError) Error() string {
	what := "validation table " + e.Tables[0] + " does not exist"
	if len(e.Tables) > 1 {
		what = "validation tables " + strings.Join(e.Tables, ", ") + " do not exist"
	}
	return fmt.Sprintf("%s in database %q on %s, which the validation connection reaches; fix validation.tables", what, e.Database, e.Server)
}

// Capture implements Validator: it records row counts (and index fingerprints) of Tables.
// Tables that do not exist are a *MissingTablesError naming every one of them and the database.
func (v *PGValidator) Capture(ctx context.Context) (Facts, error) {
	tables, err := v.tables()
	if err != nil {
		return nil, err
	}
	f := Facts{}
	err = v.readOnly(ctx, func(tx pgx.Tx) error {
		if err := onPrimary(ctx, tx); err != nil {
			return err
		}
		var missing []string
		for i, t := range tables {
			ok, err := v.tableFacts(ctx, tx, t, f)
			if err != nil {
				return err
			}
			if !ok {
				hint := ""
				if old, folded := caseSensitiveReading(v.Tables[i], t); folded {
					w := quoteUpper(old.name)
					if strings.Contains(v.Tables[i], ".") {
						w = quoteUpper(old.schema) + "." + w
					}
					hint = fmt.Sprintf(" (unquoted names fold to lower case, as in SQL: for a table created as %s write %s, in HCL %q)",
						pgx.Identifier{old.schema, old.name}.Sanitize(), w, w)
				}
				missing = append(missing, t.String()+hint)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		me := &MissingTablesError{Tables: missing}
		if err := tx.QueryRow(ctx, "SELECT pg_catalog.current_database()").Scan(&me.Database); err != nil {
			return fmt.Errorf("reading current_database(): %w", err)
		}
		cfg := tx.Conn().Config()
		me.Server = net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
		return me
	})
	if err != nil {
		return nil, err // the caller says it was recording the baseline
	}
	return f, nil
}

// Check implements Validator: it measures a SELECT 1 round trip and compares the tables with the
// baseline. Mismatches are reported together in one *ValidationError.
func (v *PGValidator) Check(ctx context.Context, before Facts) (*Report, error) {
	tables, err := v.tables()
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	var mismatches []string
	err = v.readOnly(ctx, func(tx pgx.Tx) error {
		start := time.Now()
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
			return fmt.Errorf("SELECT 1 round trip failed: %w", err)
		}
		if one != 1 {
			return fmt.Errorf("SELECT 1 returned %d", one)
		}
		rep.RoundTrip = time.Since(start)
		rep.Checked = append(rep.Checked, fmt.Sprintf("SELECT 1 round trip %s", rep.RoundTrip.Round(time.Microsecond)))
		if err := onPrimary(ctx, tx); err != nil {
			return err
		}
		rep.Checked = append(rep.Checked, "the server is the primary (not in recovery)")
		for i, t := range tables {
			// A baseline recorded before names were folded (an apply resumed after an upgrade)
			// may hold the table it measured under its case-sensitive reading: compare that one.
			if _, had := before[factRowsPrefix+t.factKey()]; !had {
				if old, folded := caseSensitiveReading(v.Tables[i], t); folded {
					if _, had := before[factRowsPrefix+old.factKey()]; had {
						t = old
					}
				}
			}
			after := Facts{}
			ok, err := v.tableFacts(ctx, tx, t, after)
			if err != nil {
				return err
			}
			key := factRowsPrefix + t.factKey()
			if !ok {
				if _, had := before[key]; had {
					mismatches = append(mismatches, fmt.Sprintf("table %s no longer exists", t))
				} else {
					rep.NotCompared = append(rep.NotCompared, fmt.Sprintf("rows of %s (no such table)", t))
				}
				continue
			}
			if b, had := before[key]; had {
				nb, _ := strconv.ParseInt(b, 10, 64)
				na, _ := strconv.ParseInt(after[key], 10, 64)
				if na < nb {
					mismatches = append(mismatches, fmt.Sprintf("table %s has %d rows, %d before the change (%d lost)", t, na, nb, nb-na))
				} else {
					rep.Checked = append(rep.Checked, fmt.Sprintf("rows %s: %d before, %d after", t, nb, na))
				}
			} else {
				rep.NotCompared = append(rep.NotCompared, fmt.Sprintf("rows of %s", t))
			}
			ikey := factIndexesPrefix + t.factKey()
			if _, had := before[ikey]; !had && v.CheckIndexes {
				rep.NotCompared = append(rep.NotCompared, fmt.Sprintf("indexes of %s", t))
			}
			if b, had := before[ikey]; had && v.CheckIndexes {
				if a := after[ikey]; a != b {
					nb, _, _ := strings.Cut(b, ":")
					na, _, _ := strings.Cut(a, ":")
					mismatches = append(mismatches, fmt.Sprintf("index definitions of %s changed (%s indexes before, %s after)", t, nb, na))
				} else {
					rep.Checked = append(rep.Checked, fmt.Sprintf("indexes %s unchanged", t))
				}
			}
		}
		return nil
	})
	if len(mismatches) > 0 {
		// What was found stands whatever stopped the rest (a later table's count cancelled by
		// the statement_timeout, say): a failure, not an inconclusive validation.
		if err != nil {
			mismatches = append(mismatches, fmt.Sprintf("the rest was not measured: %v", err))
		}
		return nil, &ValidationError{Mismatches: mismatches, Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("validating after the change: %w", err)
	}
	return rep, nil
}

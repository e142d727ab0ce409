package topology

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// A row count that outlasts the statement timeout (here: waiting on a lock another session holds)
// fails naming the table and the provider setting to raise.
func TestPGValidatorCountTimeout(t *testing.T) {
	dsn, schema := seedSchema(t)
	ctx := context.Background()
	holder, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(ctx)
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // test cleanup
	if _, err := tx.Exec(ctx, "LOCK TABLE "+pgx.Identifier{schema, "messages"}.Sanitize()+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	v := newPGValidator(dsn, schema, false)
	v.StatementTimeout = 300 * time.Millisecond
	_, err = v.Capture(ctx)
	if err == nil || !strings.Contains(err.Error(), "counting rows of "+schema+".messages") ||
		!strings.Contains(err.Error(), "raise the provider's postgres.statement_timeout") || !strings.Contains(err.Error(), "300ms") {
		t.Errorf("Capture with the table locked: %v, want the statement timeout named", err)
	}
}

package topology

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

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

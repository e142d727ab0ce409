package topology

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/wait"
)

// RDS's describe calls may not show a DB snapshot or DB instance for a short while after the call
// that created it (eventually consistent reads; sandbox SetReadLag). The guard snapshot this run
// just asked for, and verify_restore's temporary instance, are waited for as still being created
// meanwhile, not taken for deleted: the change goes through, guarded.
func TestReadLagAfterCreate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target Target
		verify bool
	}{
		{"Multi-AZ instance with verify_restore", mandible, true},
		{"Aurora cluster", sso, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			e.srv.SetReadLag(createdShowsWithin - 10*time.Second)
			res, err := e.o.Run(context.Background(), Request{Target: tc.target, Nodes: 1, Generation: 1, VerifyRestore: tc.verify})
			if err != nil {
				t.Fatalf("2 → 1 with describe calls lagging the create calls: %v", err)
			}
			if res.Nodes != 1 || !res.GuardSnapshotRetained {
				t.Fatalf("result %+v", res)
			}
			// The lag was met: a describe of the new guard snapshot found nothing.
			if notFound(e.srv, "DBSnapshotNotFound")+notFound(e.srv, "DBClusterSnapshotNotFoundFault") == 0 {
				t.Fatal("no describe call met the lag: the test proves nothing")
			}
			if tc.verify && len(e.srv.Calls("RestoreDBInstanceFromDBSnapshot")) != 1 {
				t.Fatalf("RestoreDBInstanceFromDBSnapshot calls: %d", len(e.srv.Calls("RestoreDBInstanceFromDBSnapshot")))
			}
			e.assertGuarded(tc.target)
		})
	}
}

// A guard snapshot still not shown createdShowsWithin after its create call is taken for gone:
// the run stops before changing anything, saying so.
func TestReadLagBeyondWindow(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.srv.SetReadLag(createdShowsWithin + 10*time.Minute)
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	var ue *wait.UnexpectedStateError
	if !errors.As(err, &ue) || ue.State != "deleted" || !strings.Contains(err.Error(), "guard snapshot") {
		t.Fatalf("run: %v; want the guard snapshot taken for deleted", err)
	}
	if n := len(e.srv.Calls("ModifyDBInstance")); n != 0 {
		t.Fatalf("%d ModifyDBInstance calls without a guard snapshot shown", n)
	}
}

// The Aurora reader this provider creates (the change back to two nodes, and the rollback of a
// removal) is waited for through the cluster, which lists it at once: a describe of the instance
// that lags behind does not stop either.
func TestReadLagReaderCreated(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.srv.SetReadLag(createdShowsWithin - 10*time.Second)
	ctx := context.Background()
	res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatalf("2 → 1: %v", err)
	}
	if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &res.Previous}); err != nil {
		t.Fatalf("1 → 2 with describe calls lagging the create calls: %v", err)
	}
	if n := len(e.srv.Calls("CreateDBInstance")); n != 1 {
		t.Fatalf("CreateDBInstance calls: %d, want 1", n)
	}
	e.assertGuarded(sso)

	// A removal whose validation fails is rolled back: the reader recreated.
	e2 := newEnv(t, sandbox.Demo())
	e2.srv.SetReadLag(createdShowsWithin - 10*time.Second)
	_, err = e2.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack {
		t.Fatalf("run: %v; want a change error rolled back", err)
	}
	if n := len(e2.srv.Calls("CreateDBInstance")); n != 1 {
		t.Fatalf("CreateDBInstance calls: %d, want 1", n)
	}
	if got := len(e2.topology(sso).Members); got != 2 {
		t.Fatalf("%d members after the rollback, want 2", got)
	}
	e2.assertGuarded(sso)
	for _, env := range []*env{e, e2} {
		if notFound(env.srv, "DBInstanceNotFound") == 0 {
			t.Fatal("no describe of the new reader met the lag: the test proves nothing")
		}
	}
}

// notFound counts the calls the sandbox answered with error code code.
func notFound(srv *sandbox.Server, code string) int {
	n := 0
	for _, c := range srv.Log() {
		if c.ErrorCode == code {
			n++
		}
	}
	return n
}

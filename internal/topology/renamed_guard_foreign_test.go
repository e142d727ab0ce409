package topology

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestRunRefusesRenamedInstancesGuard: mandible-prod's change to one node is interrupted after its
// change call (its guard, rightsize-guard-mandible-prod-g1-to1, left changing), then it is renamed
// mandible-old and a new Multi-AZ mandible-prod takes the name. A change of the new instance at
// generation 1 (what an import of it records: the walk by DbiResourceId finds none of its own)
// names its guard like the old instance's, whose source and target tag are the name's: it is
// refused as another database's guard, by DbiResourceId, before anything is changed, where it
// was taken for this change's own (its rollback "finished" and mandible-old's guard tagged
// rolled-back, though mandible-old is at one node).
func TestRunRefusesRenamedInstancesGuard(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.setDeadline(e.srv.Now().Add(12 * time.Hour))
	ctx := context.Background()
	interruptAtChange(e)
	if _, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1}); err == nil {
		t.Fatal("the interrupted run succeeded")
	}
	e.o.OnStep = nil
	e.srv.Advance(3 * time.Hour)
	renameAndReplaceMandible(t, e)
	guardID := GuardSnapshotID("", mandible, 1, 1, 1)
	outcome := func() string {
		t.Helper()
		g, err := loadGuard(ctx, e.api, KindInstance, guardID)
		if err != nil {
			t.Fatal(err)
		}
		return g.outcome()
	}
	if o := outcome(); o != OutcomeChanging {
		t.Fatalf("mandible-old's guard %s: outcome %q, want %q", guardID, o, OutcomeChanging)
	}

	_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1})
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonForeignGuard || !strings.Contains(err.Error(), "was taken of another DB instance that had the identifier mandible-prod") {
		t.Fatalf("the new mandible-prod's change at generation 1: %v; want it refused as another instance's guard", err)
	}
	if o := outcome(); o != OutcomeChanging {
		t.Errorf("mandible-old's guard %s: outcome %q after the refused run, want it left %q", guardID, o, OutcomeChanging)
	}
	out, err := e.api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mandible-prod")})
	if err != nil || len(out.DBInstances) != 1 || !aws.ToBool(out.DBInstances[0].MultiAZ) {
		t.Errorf("the new mandible-prod after the refused run: %+v, %v; want it Multi-AZ still", out, err)
	}
}

// TestRunPassesOverRenamedInstancesClosedGuard: as TestRunRefusesRenamedInstancesGuard, but
// mandible-prod's change to one node completed before the rename: its guard closed, it is no
// attempt of the new mandible-prod's change at generation 1, which takes the next attempt's
// identifier and is made, leaving mandible-old's guard as it was.
func TestRunPassesOverRenamedInstancesClosedGuard(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.setDeadline(e.srv.Now().Add(12 * time.Hour))
	ctx := context.Background()
	if _, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1}); err != nil {
		t.Fatal(err)
	}
	renameAndReplaceMandible(t, e)
	res, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatalf("the new mandible-prod's change at generation 1: %v; want it made, the old instance's closed guard passed over", err)
	}
	if want := GuardSnapshotID("", mandible, 1, 1, 2); res.GuardSnapshotID != want {
		t.Errorf("guard %s, want the next attempt's %s", res.GuardSnapshotID, want)
	}
	g, err := loadGuard(ctx, e.api, KindInstance, GuardSnapshotID("", mandible, 1, 1, 1))
	if err != nil || g.outcome() != OutcomeCompleted {
		t.Errorf("mandible-old's guard: %+v, %v; want it left %q", g, err, OutcomeCompleted)
	}
}

// renameAndReplaceMandible renames mandible-prod mandible-old and, an hour later, creates a new
// Multi-AZ mandible-prod, and lets another hour pass.
func renameAndReplaceMandible(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		NewDBInstanceIdentifier: aws.String("mandible-old"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	if _, err := e.api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.m6g.large"), AllocatedStorage: aws.Int32(100), MultiAZ: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
}

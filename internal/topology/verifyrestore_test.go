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

// createForeignInstance creates DB instance id in the sandbox as someone else would: without the
// tags verify_restore gives its temporary instance (extra tags, e.g. a managed-by tag alone, are
// given by tags), and lets it become available.
func (e *env) createForeignInstance(t *testing.T, id string, tags map[string]string) {
	t.Helper()
	if _, err := e.api.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
		DBInstanceClass: aws.String("db.t4g.micro"), Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20),
		Tags: toTagList(tags)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
}

// checkForeignKept checks that a run refused with an error naming the foreign instance tmp and
// what to do, and that tmp is still there, never deleted, and the target was not changed.
func (e *env) checkForeignKept(t *testing.T, err error, tmp string) {
	t.Helper()
	t.Logf("run error: %v", err)
	if err == nil || !strings.Contains(err.Error(), tmp) || !strings.Contains(err.Error(), "delete or rename DB instance "+tmp) {
		t.Errorf("run error %v: want one naming instance %s and saying to delete or rename it", err, tmp)
	}
	if inst, ferr := FindDBInstance(context.Background(), e.api, tmp); ferr != nil || aws.ToString(inst.DBInstanceStatus) != "available" {
		t.Errorf("instance %s, which the provider did not create, was touched: %v", tmp, ferr)
	}
	for _, op := range []string{"DeleteDBInstance", "ModifyDBInstance"} {
		if n := len(e.opsIndex(op, nil)); n != 0 {
			t.Errorf("%d %s calls", n, op)
		}
	}
	if topo := e.topology(mandible); topo.Nodes != 2 {
		t.Errorf("%s has %d nodes: it was changed", mandible, topo.Nodes)
	}
}

// verify_restore restores the guard snapshot to a DB instance whose name anyone can predict and
// deletes it afterwards. A DB instance of that name that verify_restore did not create (no tags,
// or the managed-by tag without the purpose tag for this guard snapshot) is never used or
// deleted, and the guard snapshot is never tagged restore-verified without a restore: present
// before the run, it refuses the change before the guard snapshot is taken; appearing after the
// guard snapshot was taken, or between the look-up and the restore, it fails the check before the
// change.
func TestVerifyRestoreForeignInstance(t *testing.T) {
	guardID := GuardSnapshotID("", mandible, 1, 1, 1)
	tmp := restoreInstanceID(guardID)
	req := Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true}

	for name, tags := range map[string]map[string]string{
		"untagged":              nil,
		"managed-by tag only":   {TagManagedBy: ManagedByValue},
		"another guard's check": restoreInstanceTags(GuardSnapshotID("", mandible, 7, 1, 1)),
	} {
		t.Run("before the run/"+name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			e.createForeignInstance(t, tmp, tags)
			e.srv.ResetLog()
			_, err := e.o.Run(context.Background(), req)
			e.checkForeignKept(t, err, tmp)
			e.assertUntouched(mandible, 2) // no guard snapshot either
		})
	}

	t.Run("after the guard snapshot", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		e.o.OnStep = func(s Step) error {
			if s == StepGuardAvailable {
				e.createForeignInstance(t, tmp, nil)
			}
			return nil
		}
		_, err := e.o.Run(context.Background(), req)
		e.checkForeignKept(t, err, tmp)
		if n := len(e.opsIndex("RestoreDBInstanceFromDBSnapshot", nil)); n != 0 {
			t.Errorf("%d restores", n)
		}
		if got := e.snapshotTags(KindInstance, guardID)[TagRestoreVerified]; got != "" {
			t.Errorf("guard snapshot %s tagged %s=%q without a restore", guardID, TagRestoreVerified, got)
		}
	})

	t.Run("between the look-up and the restore", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		e.o.RDS = &createBeforeRestore{RDSAPI: e.api, create: func() { e.createForeignInstance(t, tmp, nil) }}
		_, err := e.o.Run(context.Background(), req)
		e.checkForeignKept(t, err, tmp)
		if got := e.snapshotTags(KindInstance, guardID)[TagRestoreVerified]; got != "" {
			t.Errorf("guard snapshot %s tagged %s=%q without a restore", guardID, TagRestoreVerified, got)
		}
	})
}

// createBeforeRestore is the real client, but another party creates the temporary restore
// instance (through the same sandbox) just before the restore request reaches it.
type createBeforeRestore struct {
	RDSAPI
	create func()
}

func (c *createBeforeRestore) RestoreDBInstanceFromDBSnapshot(ctx context.Context, in *rds.RestoreDBInstanceFromDBSnapshotInput, optFns ...func(*rds.Options)) (*rds.RestoreDBInstanceFromDBSnapshotOutput, error) {
	c.create()
	return c.RDSAPI.RestoreDBInstanceFromDBSnapshot(ctx, in, optFns...)
}

// A temporary instance with the tags verify_restore gives it (here: one that exists when the
// restore request arrives, as after a restore whose answer was lost and was retried) is taken up:
// waited for, deleted, and the guard snapshot tagged restore-verified. (An interrupted run's is
// cleared by the next run: TestInterruptionMultiAZHook.)
func TestVerifyRestoreOwnInstanceReused(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	guardID := GuardSnapshotID("", mandible, 1, 1, 1)
	tmp := restoreInstanceID(guardID)
	// Our own instance, as a restore whose answer was lost leaves it: tagged, created before the
	// restore request that then finds it existing.
	e.o.RDS = &createBeforeRestore{RDSAPI: e.api, create: func() {
		e.createForeignInstance(t, tmp, restoreInstanceTags(guardID))
	}}
	res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true})
	if err != nil || res.Nodes != 1 {
		t.Fatalf("%v %+v", err, res)
	}
	if _, err := FindDBInstance(context.Background(), e.api, tmp); !IsNotFound(err) {
		t.Errorf("temporary instance %s left behind: %v", tmp, err)
	}
	if got := e.snapshotTags(KindInstance, guardID)[TagRestoreVerified]; got != "true" {
		t.Errorf("guard snapshot's %s tag %q", TagRestoreVerified, got)
	}
	e.assertGuarded(mandible)
}

// A run cut short (Ctrl-C, or its deadline) while verify_restore's temporary instance exists
// requests its deletion on its way out, on a context of its own: it was left running, and billed,
// until the next apply of that same change, which never comes when the user goes back to the
// other node count instead. The error says the deletion was requested, or, when RDS refuses it
// (an instance still being created), names the instance left running; either way the run is
// resumable, nothing changed, as for any other interruption.
func TestVerifyRestoreCutShortDeletesInstance(t *testing.T) {
	tmp := restoreInstanceID(GuardSnapshotID("", mandible, 1, 1, 1))
	for _, c := range []struct {
		name     string
		deadline bool // the run's deadline, not Ctrl-C
		at       Step // cut short after this step; "" while waiting for the instance to be available
		deleted  bool // its deletion requested
	}{
		{"ctrl-c, available", false, StepRestoreAvailable, true},
		{"deadline, available", true, StepRestoreAvailable, true},
		{"deadline, creating", true, "", false},
		{"ctrl-c, creating", false, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			parent, cancel := context.WithCancel(context.Background())
			defer cancel()
			ctx := newVctx(parent)
			defer ctx.end(context.Canceled)
			cut := func() {
				if c.deadline {
					ctx.end(context.DeadlineExceeded)
				} else {
					cancel()
				}
			}
			e.o.OnStep = func(s Step) error {
				if c.at != "" && s == c.at {
					cut()
				}
				return nil
			}
			if c.at == "" {
				e.onSleep = func() {
					if st, ok := e.srv.InstanceStatus(tmp); ok && st == "creating" {
						cut()
					}
				}
			}
			_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true})
			e.o.OnStep, e.onSleep = nil, nil
			var ce *ChangeError
			if !errors.As(err, &ce) || ce.Changed || ce.Interrupted == c.deadline || !ce.Resumable || ce.RestoreInstance != tmp || ce.RestoreDeleteRequested != c.deleted {
				t.Fatalf("got %v (%+v), want a resumable error, interrupted %t, naming %s, its deletion requested %t", err, ce, !c.deadline, tmp, c.deleted)
			}
			how := "interrupted"
			if c.deadline {
				how = "out of time"
			}
			want := how + " before any change was made; the deletion of the temporary restore instance " + tmp + " was requested"
			if !c.deleted {
				want = how + " before any change was made; the temporary restore instance " + tmp + ", if RDS created it, is left running (and billed)"
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q, want it to say %q", err, want)
			}
			e.srv.Advance(time.Hour)
			_, ferr := FindDBInstance(context.Background(), e.api, tmp)
			if gone := IsNotFound(ferr); gone != c.deleted {
				t.Errorf("temporary instance %s gone an hour later: %t (%v), want %t", tmp, gone, ferr, c.deleted)
			}
			for _, en := range e.changingCallsSince(0) {
				if en.Params["DBInstanceIdentifier"] != tmp {
					t.Errorf("changing call %s %v", en.Operation, en.Params)
				}
			}
			if e.topology(mandible).Nodes != 2 {
				t.Errorf("%s changed", mandible)
			}
		})
	}
}

// TestVerifyRestoreDeleteRefusedNamesInstance: when RDS refuses the deletion of verify_restore's
// temporary instance (a policy without rds:DeleteDBInstance on rs-verify-*), the error says that
// instance is left running and billed, and how to delete it, besides that no change was made.
func TestVerifyRestoreDeleteRefusedNamesInstance(t *testing.T) {
	tmp := restoreInstanceID(GuardSnapshotID("", mandible, 1, 1, 1))
	e := newEnv(t, sandbox.Demo())
	e.srv.InjectFaults(sandbox.FaultRule{Operation: "rds:DeleteDBInstance", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError,
		Status: 403, Code: "AccessDenied", Message: "not authorized to perform: rds:DeleteDBInstance on " + tmp}})
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true})
	var ce *ChangeError
	if !errors.As(err, &ce) || ce.Changed {
		t.Fatalf("got %v, want a ChangeError before any change", err)
	}
	for _, want := range []string{"no change was made", "temporary restore instance " + tmp + ": ", "it is left running, and billed, until the next apply of this change deletes it",
		"aws rds delete-db-instance --db-instance-identifier " + tmp + " --skip-final-snapshot"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q, want it to say %q", err, want)
		}
	}
	if _, ferr := FindDBInstance(context.Background(), e.api, tmp); ferr != nil {
		t.Errorf("temporary instance %s: %v, want it left as the error says", tmp, ferr)
	}
}

// A run interrupted while verifying the restore, the temporary instance's name taken by a DB
// instance verify_restore did not create (created by someone just before the restore request):
// that instance is not deleted on the way out, and the error does not say its deletion was
// requested.
func TestVerifyRestoreCutShortLeavesForeignInstance(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	tmp := restoreInstanceID(GuardSnapshotID("", mandible, 1, 1, 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.o.RDS = &createBeforeRestore{RDSAPI: e.api, create: func() {
		e.createForeignInstance(t, tmp, nil)
		cancel() // Ctrl-C as the restore is requested
	}}
	_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.Resumable || ce.RestoreDeleteRequested {
		t.Fatalf("got %v (%+v), want a resumable error, no deletion requested", err, ce)
	}
	if strings.Contains(err.Error(), "was requested") {
		t.Errorf("error %q says the deletion of %s was requested", err, tmp)
	}
	if inst, ferr := FindDBInstance(context.Background(), e.api, tmp); ferr != nil || aws.ToString(inst.DBInstanceStatus) != "available" {
		t.Errorf("instance %s, which the provider did not create, was touched: %v", tmp, ferr)
	}
	if n := len(e.opsIndex("DeleteDBInstance", nil)); n != 0 {
		t.Errorf("%d DeleteDBInstance calls, want none", n)
	}
}

// A run interrupted while verifying the restore, its temporary instance already being deleted
// (by hand): the run asks RDS for nothing more, and its error says the deletion was requested
// rather than that the instance is left running.
func TestVerifyRestoreCutShortInstanceBeingDeleted(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	tmp := restoreInstanceID(GuardSnapshotID("", mandible, 1, 1, 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.o.OnStep = func(s Step) error {
		if s == StepRestoreAvailable {
			if _, err := e.api.DeleteDBInstance(context.Background(), &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(tmp),
				SkipFinalSnapshot: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
			cancel()
		}
		return nil
	}
	_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.Resumable || ce.RestoreInstance != tmp || !ce.RestoreDeleteRequested {
		t.Fatalf("got %v (%+v), want a resumable error naming %s, its deletion requested", err, ce, tmp)
	}
	if want := "the deletion of the temporary restore instance " + tmp + " was requested"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to say %q", err, want)
	}
	if n := len(e.opsIndex("DeleteDBInstance", nil)); n != 1 {
		t.Errorf("%d DeleteDBInstance calls, want 1 (the one by hand)", n)
	}
}

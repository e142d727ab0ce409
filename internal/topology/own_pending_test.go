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

// TestOwnPendingChangeMadeNow: a change deferred to the maintenance window (generation 1) is
// wanted now: the caller's next generation, not deferred and marked OwnPending, makes it as a
// change of its own, behind a guard snapshot it takes first (ModifyDBInstance with
// ApplyImmediately applies the pending value), validates it and records it. Without OwnPending
// the pending change is refused as one made outside the caller; with it but deferred again, the
// refusal says it is the caller's own and how to make it now.
func TestOwnPendingChangeMadeNow(t *testing.T) {
	for _, nodes := range []int{1, 2} {
		t.Run(map[int]string{1: "to one node", 2: "to two nodes"}[nodes], func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			ctx := context.Background()
			if nodes == 2 {
				if _, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1}); err != nil {
					t.Fatal(err)
				}
			}
			gen := int64(nodes) // 1, or 2 after the change to one node
			deferred := Request{Target: mandible, Nodes: nodes, Generation: gen, DeferToMaintenanceWindow: true}
			if res, err := e.o.Run(ctx, deferred); err != nil || !res.Pending {
				t.Fatalf("deferred change: %+v, %v", res, err)
			}
			var pe *PrecheckError
			_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: nodes, Generation: gen + 1})
			if !errors.As(err, &pe) || pe.Reason != ReasonPending || !strings.Contains(err.Error(), "made outside this resource") {
				t.Fatalf("not marked own: %v, want the refusal of a change made outside", err)
			}
			_, err = e.o.Run(ctx, Request{Target: mandible, Nodes: nodes, Generation: gen + 1, OwnPending: true, DeferToMaintenanceWindow: true})
			if !errors.As(err, &pe) || pe.Reason != ReasonPending || !strings.Contains(err.Error(), "set apply_immediately = true") {
				t.Fatalf("own but deferred again: %v, want the refusal naming apply_immediately", err)
			}
			e.srv.ResetLog()
			dsn, schema := seedSchema(t)
			now := Request{Target: mandible, Nodes: nodes, Generation: gen + 1, OwnPending: true, Validator: newPGValidator(dsn, schema, true)}
			if p, err := e.o.Preview(ctx, now); err != nil || p.Refusal != "" {
				t.Fatalf("preview: %+v, %v", p, err)
			}
			res, err := e.o.Run(ctx, now)
			if err != nil {
				t.Fatalf("made now: %v", err)
			}
			if res.Pending || res.Resumed || res.Nodes != nodes || res.Validation == nil {
				t.Fatalf("result %+v, want the change made and validated now", res)
			}
			in := e.instance("mandible-prod")
			if *in.MultiAZ != (nodes == 2) || (in.PendingModifiedValues != nil && in.PendingModifiedValues.MultiAZ != nil) {
				t.Fatalf("instance Multi-AZ %t, pending %+v", *in.MultiAZ, in.PendingModifiedValues)
			}
			if want := GuardSnapshotID("", mandible, gen+1, nodes, 1); res.GuardSnapshotID != want {
				t.Errorf("guard %s, want a new one, %s", res.GuardSnapshotID, want)
			}
			if n := e.assertGuarded(mandible); n != 1 {
				t.Errorf("%d guarded changes, want 1 (the ModifyDBInstance that made the pending change)", n)
			}
		})
	}
}

// TestOwnPendingFailedCallChangesNothing: the call that would make the deferred change now fails
// (refused, or never reaching RDS). The deferred value was pending before it, so it is no sign
// the call took effect: the run fails with nothing changed and its guard back to in-progress,
// and the next run makes the change behind a guard of its own, instead of waiting for a change
// that only the window would make and then "rolling back" the user's deferred change.
func TestOwnPendingFailedCallChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults func(e *env)
	}{
		{"refused", func(e *env) {
			e.srv.InjectFaults(sandbox.FaultRule{Operation: "ModifyDBInstance", Sequence: []sandbox.Fault{
				{Kind: sandbox.FaultError, Code: "AccessDenied", Message: "not authorized to perform rds:ModifyDBInstance", Status: 403}}})
		}},
		{"invalid state", func(e *env) {
			e.srv.InjectFaults(sandbox.FaultRule{Operation: "ModifyDBInstance", Sequence: []sandbox.Fault{
				{Kind: sandbox.FaultError, Code: "InvalidDBInstanceState", Message: "Database instance is not in available state.", Status: 400}}})
		}},
		{"never reached", func(e *env) {
			e.srv.InjectSequence("ModifyDBInstance", sandbox.FaultConnReset, sandbox.FaultConnReset, sandbox.FaultConnReset,
				sandbox.FaultConnReset, sandbox.FaultConnReset, sandbox.FaultConnReset)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			ctx := context.Background()
			if res, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, DeferToMaintenanceWindow: true}); err != nil || !res.Pending {
				t.Fatalf("deferred change: %+v, %v", res, err)
			}
			tc.faults(e)
			now := Request{Target: mandible, Nodes: 1, Generation: 2, OwnPending: true}
			_, err := e.o.Run(ctx, now)
			var ce *ChangeError
			if !errors.As(err, &ce) || ce.Changed || ce.Resumable || ce.RollbackAttempted {
				t.Fatalf("first run: %v (%+v), want a failure with nothing changed", err, ce)
			}
			if got := e.snapshotTags(KindInstance, GuardSnapshotID("", mandible, 2, 1, 1))[TagOutcome]; got != OutcomeInProgress {
				t.Errorf("guard outcome %q after the failed call, want %q", got, OutcomeInProgress)
			}
			e.srv.ClearFaults()
			res, err := e.o.Run(ctx, now)
			if err != nil || res.Nodes != 1 || res.Pending {
				t.Fatalf("next run: %+v, %v; want the change made now", res, err)
			}
			in := e.instance("mandible-prod")
			if *in.MultiAZ || (in.PendingModifiedValues != nil && in.PendingModifiedValues.MultiAZ != nil) {
				t.Fatalf("instance Multi-AZ %t, pending %+v; want Single-AZ", *in.MultiAZ, in.PendingModifiedValues)
			}
			e.assertGuarded(mandible)
		})
	}
}

// TestOwnPendingUnconfirmed: a caller that takes a pending change for its own, while no guard of
// its previous generation says it deferred one (here the change was scheduled outside it, with
// ApplyImmediately false), is refused as for a change made outside: the run never makes a
// change someone else scheduled.
func TestOwnPendingUnconfirmed(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	if _, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		MultiAZ: aws.Bool(true), ApplyImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	e.srv.ResetLog()
	_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 2, Generation: 2, OwnPending: true})
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonPending || !strings.Contains(err.Error(), "does not show that change deferred") {
		t.Fatalf("run: %v, want the refusal of a pending change the last change's guard does not show deferred", err)
	}
	if n := len(e.srv.Calls("ModifyDBInstance")) + len(e.srv.Calls("CreateDBSnapshot")); n != 0 {
		t.Errorf("%d changing calls, want none", n)
	}
}

// TestOwnPendingTagLost: the deferred run's pending-maintenance tag is written after its request,
// best effort. When that one write fails, its guard still says changing and deferred, and the
// caller's own deferred change is still recognised as its own and made now.
func TestOwnPendingTagLost(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	e.o.OnStep = func(s Step) error {
		if s == StepChange {
			e.srv.InjectFaults(sandbox.FaultRule{Operation: "AddTagsToResource", Sequence: []sandbox.Fault{
				{Kind: sandbox.FaultError, Code: "AccessDenied", Message: "denied by an SCP", Status: 403}}})
		}
		return nil
	}
	res, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, DeferToMaintenanceWindow: true})
	if err != nil || !res.Pending {
		t.Fatalf("deferred change: %+v, %v", res, err)
	}
	e.o.OnStep = nil
	e.srv.ClearFaults()
	if got := e.snapshotTags(KindInstance, GuardSnapshotID("", mandible, 1, 1, 1))[TagOutcome]; got != OutcomeChanging {
		t.Fatalf("deferred guard outcome %q, want %q (its pending tag lost)", got, OutcomeChanging)
	}
	res, err = e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 2, OwnPending: true})
	if err != nil || res.Nodes != 1 || res.Pending {
		t.Fatalf("own deferred change made now: %+v, %v", res, err)
	}
}

// DeferredGuardOutcome reads a guard snapshot left changing and tagged deferred as pending (one
// not deferred stays changing: a change requested to be made at once, interrupted), but only one
// of the target's that did not fail, as GuardOutcome: a snapshot of the guard's name tagged for
// another target, or failed, has no outcome.
func TestDeferredGuardOutcomeOnlyTargetsGuard(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(e *env, id string)
		want string
	}{
		{"own", func(*env, string) {}, OutcomePending},
		{"not deferred", func(e *env, id string) { e.tagSnapshot(id, map[string]string{TagDeferred: "false"}) }, OutcomeChanging},
		{"another target's", func(e *env, id string) { e.tagSnapshot(id, map[string]string{TagTarget: "instance:other-db"}) }, ""},
		{"failed", func(e *env, id string) { e.editSnapshot(id, map[string]any{"status": "failed"}) }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			ctx := context.Background()
			id := GuardSnapshotID("", mandible, 1, 1, 1)
			tags := handGuardTags(e, 1, 1, OutcomeChanging)
			tags[TagDeferred] = "true"
			if _, err := e.api.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(mandible.Identifier),
				DBSnapshotIdentifier: aws.String(id), Tags: toTagList(tags)}); err != nil {
				t.Fatal(err)
			}
			e.srv.Advance(time.Hour)
			tc.edit(e, id)
			got, outcome, err := DeferredGuardOutcome(ctx, e.api, "", mandible, 1, 1)
			if err != nil || got != id || outcome != tc.want {
				t.Errorf("DeferredGuardOutcome: %q, %q, %v; want %q, %q", got, outcome, err, id, tc.want)
			}
		})
	}
}

package topology

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// interruptAtChange makes the runs of e stop right after their change call (as Ctrl-C does once
// RDS accepted it): Changed and Interrupted, the guard left tagged changing.
func interruptAtChange(e *env) {
	e.o.OnStep = func(s Step) error {
		if s == StepChange {
			return errors.New("interrupted")
		}
		return nil
	}
}

// A change to 1 node interrupted after its change call, then the resource's nodes set back to 2
// (the state kept 2; the database has 1): the change back to 2 records the interrupted change's
// guard rolled back, rather than leaving it tagged changing for good (an open change: a guard
// never to delete). Found by TestRandomizedRuns (mandible-prod seed 1, sso-prod seed 7).
func TestOppositeChangeClosesInterruptedChange(t *testing.T) {
	for _, target := range []Target{mandible, sso} {
		t.Run(target.Identifier, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			e.setDeadline(e.srv.Now().Add(6 * time.Hour))
			ctx := context.Background()
			res, err := e.o.Run(ctx, Request{Target: target, Nodes: 1, Generation: 1})
			if err != nil {
				t.Fatal(err)
			}
			res, err = e.o.Run(ctx, Request{Target: target, Nodes: 2, Generation: 2, Previous: &res.Previous})
			if err != nil {
				t.Fatal(err)
			}
			prev := res.Previous
			interruptAtChange(e)
			_, err = e.o.Run(ctx, Request{Target: target, Nodes: 1, Generation: 3, Previous: &prev})
			var ce *ChangeError
			if !errors.As(err, &ce) || !ce.Changed || !ce.Interrupted {
				t.Fatalf("interrupted run: %v", err)
			}
			e.o.OnStep = nil
			e.srv.Advance(3 * time.Hour) // RDS finishes the change to 1 node
			if _, err := e.o.Run(ctx, Request{Target: target, Nodes: 2, Generation: 3, Previous: &prev}); err != nil {
				t.Fatalf("back to 2: %v", err)
			}
			e.assertGuarded(target)
			g := GuardSnapshotID("", target, 3, 1, 1)
			if got := e.snapshotTags(target.Kind, g)[TagOutcome]; got != OutcomeRolledBack {
				t.Errorf("guard %s of the change to 1 node the change back to 2 undid is tagged %q, want %q", g, got, OutcomeRolledBack)
			}
		})
	}
}

// The same left open by a create (not in the state: the user then asks for 2 nodes, generation 1
// again), and the resource later created anew at 1 node (generation 1 once more): the new change
// is made behind a guard of its own, rather than refused (Aurora: the leftover guard's recorded
// reader is gone) or reported as the rollback of a change made days before (DB instance).
func TestNewResourceAfterReversedInterruptedChange(t *testing.T) {
	for _, target := range []Target{mandible, sso} {
		t.Run(target.Identifier, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			e.setDeadline(e.srv.Now().Add(12 * time.Hour))
			ctx := context.Background()
			interruptAtChange(e)
			_, err := e.o.Run(ctx, Request{Target: target, Nodes: 1, Generation: 1})
			var ce *ChangeError
			if !errors.As(err, &ce) || !ce.Changed || !ce.Interrupted {
				t.Fatalf("interrupted create: %v", err)
			}
			e.o.OnStep = nil
			e.srv.Advance(3 * time.Hour)
			res, err := e.o.Run(ctx, Request{Target: target, Nodes: 2, Generation: 1})
			if err != nil {
				t.Fatalf("create at 2: %v", err)
			}
			prev := res.Previous
			e.srv.Advance(48 * time.Hour)
			e.setDeadline(e.srv.Now().Add(6 * time.Hour))
			res, err = e.o.Run(ctx, Request{Target: target, Nodes: 1, Generation: 1, Previous: &prev})
			if err != nil || res.Resumed || res.GuardSnapshotID != GuardSnapshotID("", target, 1, 1, 2) {
				t.Fatalf("created anew at 1 node: %+v %v, want the change made behind a guard of its own", res, err)
			}
			e.assertGuarded(target)
		})
	}
}

// handGuardTags are the tags of a guard snapshot of mandible-prod's change of generation gen to
// `to` nodes, tagged with outcome.
func handGuardTags(e *env, gen int64, to int, outcome string) map[string]string {
	return map[string]string{TagManagedBy: ManagedByValue, TagTarget: mandible.String(), TagGeneration: fmt.Sprint(gen),
		TagFromNodes: fmt.Sprint(3 - to), TagToNodes: fmt.Sprint(to), TagOutcome: outcome,
		TagChangeStarted: e.srv.Now().UTC().Format(time.RFC3339Nano)}
}

// A completed change whose guard snapshot of the opposite change is tagged changing but was taken
// after its own (by a run of another configuration or workspace that manages the same database,
// under way): it is not this change that put the target back, so that guard is left as it is, not
// recorded rolled back (which would end a change still under way for whoever runs it).
func TestOppositeChangingGuardTakenLaterLeftOpen(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	other := GuardSnapshotID("", mandible, 1, 2, 1)
	e.o.OnStep = func(s Step) error {
		if s == StepValidated {
			_, err := e.api.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(mandible.Identifier),
				DBSnapshotIdentifier: aws.String(other), Tags: toTagList(handGuardTags(e, 1, 2, OutcomeChanging))})
			return err
		}
		return nil
	}
	res, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, Validator: okValidator{}})
	if err != nil {
		t.Fatal(err)
	}
	if !e.guardCreated(other).After(e.guardCreated(res.GuardSnapshotID)) {
		t.Fatalf("guard %s not taken after %s", other, res.GuardSnapshotID)
	}
	if got := e.snapshotTags(KindInstance, other)[TagOutcome]; got != OutcomeChanging {
		t.Errorf("guard %s of a change taken after this run's is tagged %q, want %q (left as it is)", other, got, OutcomeChanging)
	}
}

// The previous generation's change to the same node count, completed (or failed without a
// rollback, or whose rollback failed), then the database changed back outside the resource: the
// next change to that count begins anew and leaves that guard's outcome as it is. Only one still
// rolling-back is recorded rolled back (closeEarlierRollback).
func TestEarlierChangeOutcomeKept(t *testing.T) {
	for _, outcome := range []string{OutcomeCompleted, OutcomeFailedNotRolledBack, OutcomeRollbackFailed} {
		t.Run(outcome, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			ctx := context.Background()
			res, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1})
			if err != nil {
				t.Fatal(err)
			}
			earlier := res.GuardSnapshotID
			e.tagSnapshot(earlier, map[string]string{TagOutcome: outcome})
			if _, err := e.api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(mandible.Identifier),
				MultiAZ: aws.Bool(true), ApplyImmediately: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
			e.srv.Advance(3 * time.Hour)
			if _, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 2}); err != nil {
				t.Fatal(err)
			}
			if got := e.snapshotTags(KindInstance, earlier)[TagOutcome]; got != outcome {
				t.Errorf("guard %s of generation 1 is tagged %q, want %q kept", earlier, got, outcome)
			}
		})
	}
}

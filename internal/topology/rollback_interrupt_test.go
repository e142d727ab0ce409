package topology

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// An apply interrupted (Ctrl-C: the run's context cancelled) while it waits for RDS to finish a
// rollback RDS has accepted stops waiting at once instead of holding Terraform up to the
// rollback's deadline: the rollback is reported in progress (RDS finishes it on its own), the
// guard stays tagged rolling-back, and the next run waits for it and records it.
func TestRollbackWaitInterrupted(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	stickRollback(e) // RDS keeps modifying once the rollback's call is made: only the interruption ends the wait
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelledAt time.Time
	stick := e.onSleep
	e.onSleep = func() {
		stick()
		if cancelledAt.IsZero() && stuckRollbackStarted(e) {
			cancelledAt = e.srv.Now()
			cancel()
		}
	}
	_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	e.settleRequests()
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackInProgress || !ce.RollbackRequested || !ce.RollbackInterrupted || ce.RolledBack {
		t.Fatalf("want the rollback left to RDS, got %v", err)
	}
	for _, want := range []string{"rolling back (Multi-AZ turned on again): the apply was interrupted while RDS restores the previous topology",
		"apply again to wait for it and record the rollback", "guard snapshot rightsize-guard-mandible-prod-g1-to1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if waited := e.srv.Now().Sub(cancelledAt); waited > 5*time.Minute {
		t.Errorf("the interrupted run waited %s more for the rollback", waited)
	}
	const guard = "rightsize-guard-mandible-prod-g1-to1"
	if tags := e.snapshotTags(KindInstance, guard); tags[TagOutcome] != OutcomeRollingBack {
		t.Fatalf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRollingBack)
	}

	// RDS finishes turning Multi-AZ on; the next run records the rollback without redoing it.
	e.onSleep = nil
	e.setDeadline(time.Time{})
	e.srv.Unstick("mandible-prod")
	seq := e.lastSeq()
	_, err = e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(ce.Stage, "finishing the rollback") {
		t.Fatalf("next run: %v, want the rollback finished and reported", err)
	}
	for _, c := range e.callsSince("ModifyDBInstance", seq) {
		if c.Params["MultiAZ"] != "true" {
			t.Fatalf("the next run redid the change: %v", c.Params)
		}
	}
	if in := e.instance("mandible-prod"); !aws.ToBool(in.MultiAZ) || aws.ToString(in.DBInstanceStatus) != "available" {
		t.Fatalf("not rolled back: MultiAZ=%t %s", aws.ToBool(in.MultiAZ), aws.ToString(in.DBInstanceStatus))
	}
	if tags := e.snapshotTags(KindInstance, guard); tags[TagOutcome] != OutcomeRolledBack {
		t.Errorf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRolledBack)
	}
	e.assertGuarded(mandible)
}

// A run whose own deadline passes while it waits for the rollback (a Terraform timeout, not an
// interruption) still gives the rollback its own time: the wait is not cut short, and the
// rollback completes.
func TestRollbackWaitOutlivesTheRunsDeadline(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.o.RollbackTimeout = time.Hour
	dl := time.Now().Add(2 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), dl)
	defer cancel()
	passed := false
	e.onSleep = func() {
		if !passed && stuckRollbackStarted(e) {
			passed = true
			time.Sleep(time.Until(dl) + 50*time.Millisecond) // the run's deadline passes during the rollback's wait
		}
	}
	_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !passed || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("the deadline did not pass during the rollback (rollback started %t, ctx %v): %v", passed, ctx.Err(), err)
	}
	if !errors.As(err, &ce) || !ce.RolledBack || ce.RollbackInterrupted {
		t.Fatalf("want the rollback completed after the run's deadline, got %v", err)
	}
	if in := e.instance("mandible-prod"); !aws.ToBool(in.MultiAZ) {
		t.Error("Multi-AZ is off after the rollback")
	}
}

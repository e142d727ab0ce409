package topology

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// selfEndingStatuses are DB instance statuses of operations RDS runs by itself and ends by itself
// (AWS's DB instance status table; terraform-provider-aws names them too), besides those the
// emulator brings about through its own operations.
var selfEndingStatuses = []string{"storage-config-upgrade", "converting-to-vpc", "moving-to-vpc"}

// A change that finds the instance busy with one of them is refused, saying RDS is working on it
// and to wait, and takes no guard snapshot.
func TestSelfEndingStatusRefusedWithAdvice(t *testing.T) {
	for _, status := range selfEndingStatuses {
		t.Run(status, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			if !e.srv.SelfOperation(mandible.Identifier, status, time.Hour) {
				t.Fatal("SelfOperation refused")
			}
			_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
			var pe *PrecheckError
			if !errors.As(err, &pe) || pe.Reason != ReasonStatus || !strings.Contains(err.Error(), `"`+status+`"`) || !strings.Contains(err.Error(), busyAdvice) {
				t.Fatalf("got %v, want a refusal of the busy instance saying to wait", err)
			}
			if n := len(e.opsIndex("CreateDBSnapshot", nil)); n != 0 {
				t.Errorf("%d guard snapshots taken for a refused change", n)
			}
		})
	}
}

// An apply interrupted after its guard snapshot, before the change; RDS then runs an operation of
// its own on the instance. The next apply waits for it and makes the change, behind a guard
// snapshot of its own (TestEarlierGuardIsSuperseded), rather than stopping on a status it took
// for unexpected.
func TestSelfEndingStatusWaitedForOnResume(t *testing.T) {
	for _, status := range selfEndingStatuses {
		t.Run(status, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			req := Request{Target: mandible, Nodes: 1, Generation: 1}
			e.runInterrupted(t, req, StepGuardVerified)
			e.srv.Advance(10 * time.Minute) // the guard snapshot's backing-up is over
			if !e.srv.SelfOperation(mandible.Identifier, status, 40*time.Minute) {
				t.Fatal("SelfOperation refused")
			}
			guards := e.guards(mandible, "rightsize-guard-")
			e.setDeadline(e.srv.Now().Add(2 * time.Hour))
			res, err := e.o.Run(context.Background(), req)
			if err != nil {
				t.Fatalf("resumed run: %v", err)
			}
			if got := e.topology(mandible).Nodes; got != 1 {
				t.Errorf("%d node(s) after the resumed run, want 1", got)
			}
			if after := e.guards(mandible, "rightsize-guard-"); len(guards) != 1 || len(after) != 2 || res.GuardSnapshotID == guards[0] || !slices.Contains(after, res.GuardSnapshotID) {
				t.Errorf("guard %s, guards before %v and after %v: want the interrupted run's and one of its own", res.GuardSnapshotID, guards, after)
			}
			e.assertGuarded(mandible)
		})
	}
}

package topology

import (
	"context"
	"errors"
	"strings"
	"testing"

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

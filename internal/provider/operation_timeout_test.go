package provider

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The orchestrator's Interrupt is the request's context, not the operation's (with its timeout):
// Terraform's stop cancels it after the timeout too, which the operation's context, past its
// deadline, would no longer show.
func TestOrchestratorInterruptIsTheRequestContext(t *testing.T) {
	req, stop := context.WithCancel(context.Background())
	defer stop()
	op, cancel := withOperationTimeout(req, time.Millisecond)
	defer cancel()
	<-op.Done()
	o := (&dbTopologyResource{data: &ProviderData{}}).orchestrator(op)
	if o.Interrupt == nil || o.Interrupt.Err() != nil {
		t.Fatalf("Interrupt %v (err %v), want the live request context", o.Interrupt, o.Interrupt.Err())
	}
	if o.RollbackTimeout <= 0 {
		t.Errorf("RollbackTimeout %s from the operation's deadline", o.RollbackTimeout)
	}
	stop() // Ctrl-C after the timeout
	if !errors.Is(o.Interrupt.Err(), context.Canceled) || !errors.Is(op.Err(), context.DeadlineExceeded) {
		t.Errorf("after the stop: Interrupt %v, operation %v; want canceled and deadline exceeded", o.Interrupt.Err(), op.Err())
	}
}

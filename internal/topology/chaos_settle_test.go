package topology

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// Throttling on every describe call from the change on, until the settle wait times out: nothing
// was observed about the change, which RDS made, so the apply stops resumable without a rollback
// (a throttled API does not roll back), and the next apply finds the change done.
func TestThrottledSettleDoesNotRollBack(t *testing.T) {
	for _, c := range []struct {
		target Target
		op     string
	}{{mandible, "DescribeDBInstances"}, {sso, "DescribeDBClusters"}} {
		t.Run(c.target.Identifier, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			hit := false
			e.o.OnStep = func(s Step) error {
				if s == StepChange && !hit {
					hit = true
					e.srv.InjectFaults(sandbox.FaultRule{Operation: c.op, Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultThrottling}})
					e.setDeadline(e.srv.Now().Add(2 * time.Hour))
				}
				return nil
			}
			req := Request{Target: c.target, Nodes: 1, Generation: 1}
			_, err := e.o.Run(context.Background(), req)
			var ce *ChangeError
			if !errors.As(err, &ce) || ce.RollbackAttempted || !ce.Resumable {
				t.Fatalf("run: %v, want a resumable error without a rollback", err)
			}
			e.srv.ClearFaults()
			e.setDeadline(time.Time{})
			e.o.OnStep = nil
			for _, en := range e.srv.Log() {
				if (en.Operation == "ModifyDBInstance" && en.Params["MultiAZ"] == "true") || en.Operation == "CreateDBInstance" {
					t.Errorf("a rollback call reached RDS: %s %v", en.Operation, en.Params)
				}
			}
			e.srv.Advance(time.Hour)
			res, err := e.o.Run(context.Background(), req)
			if err != nil || res.Nodes != 1 {
				t.Errorf("next apply: %v %+v, want the change resumed and recorded at 1 node", err, res)
			}
		})
	}
}

package topology

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestRetainFalseInterruptedAtTheEnd: with guard.retain = false the guard snapshot is deleted
// after success. An interruption at the last boundary (Ctrl-C, or Terraform stopping) comes
// before that deletion, so the completed guard stays and a re-run reports the change done
// (keeping, on Aurora, the record of the removed reader; the guard is then kept, as every
// completed guard a run finds is); an interruption during the deletion no
// longer fails a change that is complete, whose result the caller must save: the guard was its
// only other record.
func TestRetainFalseInterruptedAtTheEnd(t *testing.T) {
	for _, target := range []Target{mandible, sso} {
		t.Run(target.Identifier+"/at the last boundary", func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			req := Request{Target: target, Nodes: 1, Generation: 1, DeleteGuardOnSuccess: true}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			e.o.OnStep = func(s Step) error {
				if s == StepDone {
					cancel()
				}
				return nil
			}
			if _, err := e.o.Run(ctx, req); err == nil {
				t.Fatal("the run interrupted at its last boundary succeeded")
			}
			if g := e.guards(target, "rightsize-guard-"); len(g) != 1 {
				t.Fatalf("guard snapshots %v after the interruption, want the completed one kept", g)
			}
			e.o.OnStep = nil
			res, err := e.o.Run(context.Background(), req)
			if err != nil {
				t.Fatalf("re-run: %v", err)
			}
			// Reported done as any completed guard is (completed): that guard is kept, and said so.
			if res.Nodes != 1 || !res.GuardSnapshotRetained {
				t.Errorf("re-run result %+v, want 1 node and the guard reported kept", res)
			}
			if target == sso && (res.Previous.Reader == nil || res.Previous.Reader.Identifier != ssoReader) {
				t.Errorf("re-run lost the removed reader's record: %+v", res.Previous)
			}
		})
		t.Run(target.Identifier+"/during the deletion", func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			req := Request{Target: target, Nodes: 1, Generation: 1, DeleteGuardOnSuccess: true}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			e.o.RDS = cancelBeforeDelete{RDSAPI: e.o.RDS, cancel: cancel}
			res, err := e.o.Run(ctx, req)
			if err != nil {
				t.Fatalf("the complete change failed when interrupted while its guard was deleted: %v", err)
			}
			if res.Nodes != 1 || res.GuardSnapshotRetained {
				t.Errorf("result %+v, want 1 node and the guard deleted", res)
			}
			if g := e.guards(target, "rightsize-guard-"); len(g) != 0 {
				t.Errorf("guard snapshots %v, want none (retain = false)", g)
			}
		})
	}
}

// cancelBeforeDelete is the SDK client whose guard deletions come right after an interruption
// (the run's context is cancelled first).
type cancelBeforeDelete struct {
	RDSAPI
	cancel context.CancelFunc
}

func (c cancelBeforeDelete) DeleteDBSnapshot(ctx context.Context, in *rds.DeleteDBSnapshotInput, optFns ...func(*rds.Options)) (*rds.DeleteDBSnapshotOutput, error) {
	c.cancel()
	return c.RDSAPI.DeleteDBSnapshot(ctx, in, optFns...)
}

func (c cancelBeforeDelete) DeleteDBClusterSnapshot(ctx context.Context, in *rds.DeleteDBClusterSnapshotInput, optFns ...func(*rds.Options)) (*rds.DeleteDBClusterSnapshotOutput, error) {
	c.cancel()
	return c.RDSAPI.DeleteDBClusterSnapshot(ctx, in, optFns...)
}

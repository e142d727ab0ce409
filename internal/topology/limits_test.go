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

// limitFault makes RDS refuse op with code, as it does for an account quota or for capacity.
func limitFault(op, code string) sandbox.FaultRule {
	return sandbox.FaultRule{Operation: op, Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 400,
		Code: code, Message: "refused: " + code}}
}

// RDS's refusals for an account quota (InstanceQuotaExceeded, StorageQuotaExceeded) or for
// capacity (InsufficientDBInstanceCapacity) of the calls that create or modify a DB instance say
// what to do, on every path where they arise: verify_restore's test restore, the change to two
// nodes (Multi-AZ on, the Aurora reader created) and the rollback of a change to one node. Each
// is made once (a quota does not lift by retrying; capacity is left to the next apply), nothing
// is changed without the guard seen available just before, and a refused rollback leaves the
// guard rolling-back for the next apply.
func TestLimitRefusalsSayWhatToDo(t *testing.T) {
	const (
		instanceQuota = "ask for a higher quota (Service Quotas, Amazon Relational Database Service: DB instances)"
		storageQuota  = "ask for a higher quota (Service Quotas, Amazon Relational Database Service: Total storage for all DB instances)"
		capacity      = "AWS has no capacity for the DB instance class in the Availability Zone at the moment, which usually passes: apply again later"
		skipRestore   = "or set guard.verify_restore = false for this change"
		byHand        = "add the reader by hand in another Availability Zone or with another class (aws rds create-db-instance --db-cluster-identifier sso-prod --db-instance-identifier sso-prod-instance-2"
	)
	for _, tc := range []struct {
		name, op, code string
		target         Target
		verifyRestore  bool
		toTwo          bool // the change back to two nodes (after one to one node)
		rollback       bool // the change to one node fails validation; the rollback's call is refused
		want           []string
	}{
		{"restore instance quota", "RestoreDBInstanceFromDBSnapshot", "InstanceQuotaExceeded", mandible, true, false, false, []string{instanceQuota, skipRestore, "no change was made"}},
		{"restore storage quota", "RestoreDBInstanceFromDBSnapshot", "StorageQuotaExceeded", mandible, true, false, false, []string{storageQuota, skipRestore, "no change was made"}},
		{"restore capacity", "RestoreDBInstanceFromDBSnapshot", "InsufficientDBInstanceCapacity", mandible, true, false, false, []string{capacity, skipRestore, "no change was made"}},
		{"multi-az on capacity", "ModifyDBInstance", "InsufficientDBInstanceCapacity", mandible, false, true, false, []string{capacity, "no change was made"}},
		{"multi-az on subnets", "ModifyDBInstance", "DBSubnetGroupDoesNotCoverEnoughAZs", mandible, false, true, false, []string{"add a subnet in another Availability Zone", "no change was made"}},
		{"reader instance quota", "CreateDBInstance", "InstanceQuotaExceeded", sso, false, true, false, []string{instanceQuota, "no change was made"}},
		{"reader capacity", "CreateDBInstance", "InsufficientDBInstanceCapacity", sso, false, true, false, []string{capacity, byHand, "no change was made"}},
		{"rollback multi-az capacity", "ModifyDBInstance", "InsufficientDBInstanceCapacity", mandible, false, false, true, []string{capacity, "nothing is restored yet"}},
		{"rollback reader capacity", "CreateDBInstance", "InsufficientDBInstanceCapacity", sso, false, false, true, []string{capacity, byHand, "nothing is restored yet"}},
		{"rollback reader instance quota", "CreateDBInstance", "InstanceQuotaExceeded", sso, false, false, true, []string{instanceQuota, "nothing is restored yet"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			ctx := context.Background()
			req := Request{Target: tc.target, Nodes: 1, Generation: 1, VerifyRestore: tc.verifyRestore}
			if tc.toTwo {
				res, err := e.o.Run(ctx, req)
				if err != nil {
					t.Fatalf("setup, to one node: %v", err)
				}
				req = Request{Target: tc.target, Nodes: 2, Generation: 2, Previous: &res.Previous}
			}
			if tc.rollback {
				req.Validator = mismatchValidator{}
				faultAfterSettled(e, limitFault(tc.op, tc.code))
			} else {
				e.srv.InjectFaults(limitFault(tc.op, tc.code))
			}
			seq := e.lastSeq()
			_, err := e.o.Run(ctx, req)
			var ce *ChangeError
			if !errors.As(err, &ce) {
				t.Fatalf("want a ChangeError, got %v", err)
			}
			for _, want := range append([]string{tc.code}, tc.want...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q lacks %q", err, want)
				}
			}
			calls, made := len(e.callsSince(tc.op, seq)), 1
			if tc.rollback && tc.op == "ModifyDBInstance" {
				made = 2 // the change's own, then the rollback's
			}
			if calls != made {
				t.Errorf("%d %s calls, want %d (the refusal is not retried in a loop)", calls, tc.op, made)
			}
			if tc.rollback {
				if !ce.RollbackRefused || ce.RolledBack {
					t.Errorf("want the rollback refused, not begun: %+v", ce)
				}
				if tags := e.snapshotTags(tc.target.Kind, ce.GuardSnapshotID); tags[TagOutcome] != OutcomeRollingBack {
					t.Errorf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRollingBack)
				}
			} else if ce.Changed {
				t.Errorf("reported changed: %v", err)
			}
			e.assertGuarded(tc.target)
		})
	}
}

// A rollback whose own call RDS throttles (or fails with a 5xx) beyond the SDK's attempts is made
// again, behind the guard seen available each time, within the apply: the database is back at two
// nodes and the guard rolled-back, not left at one node until someone applies again. Throttled
// throughout, the rollback is refused as before (guard rolling-back; no loop to the deadline), and
// the error says it was throttled and what to do, not "fix the cause (as said above)".
func TestRollbackCallThrottledIsRetried(t *testing.T) {
	throttled := sandbox.Fault{Kind: sandbox.FaultError, Status: 400, Code: "Throttling", Message: "Rate exceeded"}
	for _, tc := range []struct {
		name       string
		target     Target
		op         string
		rolledBack func(e *env) bool
	}{
		{"multi-az", mandible, "ModifyDBInstance", func(e *env) bool { return aws.ToBool(e.instance("mandible-prod").MultiAZ) }},
		{"aurora", sso, "CreateDBInstance", func(e *env) bool { return len(e.topology(sso).Members) == 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			e.o.RollbackTimeout = time.Hour
			// More throttled calls than the SDK's 5 attempts of one call.
			seq := make([]sandbox.Fault, 8)
			for i := range seq {
				seq[i] = throttled
			}
			faultAfterSettled(e, sandbox.FaultRule{Operation: tc.op, Sequence: seq})
			_, err := e.o.Run(context.Background(), Request{Target: tc.target, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
			var ce *ChangeError
			if !errors.As(err, &ce) || !ce.RolledBack {
				t.Fatalf("want the rollback made within the apply, got %v", err)
			}
			if !tc.rolledBack(e) {
				t.Error("the target is not back at two nodes")
			}
			if tags := e.snapshotTags(tc.target.Kind, ce.GuardSnapshotID); tags[TagOutcome] != OutcomeRolledBack {
				t.Errorf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRolledBack)
			}
			e.assertGuarded(tc.target)
		})
		t.Run(tc.name+" throughout", func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			e.o.RollbackTimeout = time.Hour
			faultAfterSettled(e, sandbox.FaultRule{Operation: tc.op, Rate: 1, RateFault: throttled})
			start := e.srv.Now()
			_, err := e.o.Run(context.Background(), Request{Target: tc.target, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
			var ce *ChangeError
			if !errors.As(err, &ce) || !ce.RollbackRefused || ce.RolledBack {
				t.Fatalf("want the rollback refused, not begun, got %v", err)
			}
			if want := "AWS throttled or failed the call through every retry of the apply's"; !strings.Contains(err.Error(), want) {
				t.Errorf("%q lacks %q", err, want)
			}
			if spent := e.srv.Now().Sub(start); spent > 30*time.Minute {
				t.Errorf("the run spent %s retrying, not a bounded few minutes", spent)
			}
			if tags := e.snapshotTags(tc.target.Kind, ce.GuardSnapshotID); tags[TagOutcome] != OutcomeRollingBack {
				t.Errorf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRollingBack)
			}
			e.assertGuarded(tc.target)
		})
	}
}

// A rollback whose call AWS keeps throttling, interrupted (Ctrl-C) while it waits to retry it: the
// rollback is reported interrupted before it began, for the next apply to make, not refused by
// RDS (the throttled call's error), whose advice (wait, raise max_retries) is not what happened.
func TestRollbackRetryInterrupted(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.o.RollbackTimeout = time.Hour
	ictx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	e.o.Interrupt = ictx
	e.o.Warnf = func(format string, args ...any) {
		if strings.Contains(format, "rollback call failed") {
			interrupt() // during the wait before the retry
		}
	}
	// Ctrl-C wakes the wait (a timer's, in an apply), as the virtual clock's does not by itself.
	e.o.Sleep = func(inner func(context.Context, time.Duration) error) func(context.Context, time.Duration) error {
		return func(ctx context.Context, d time.Duration) error {
			if ictx.Err() != nil {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(10 * time.Second):
				}
			}
			return inner(ctx, d)
		}
	}(e.o.Sleep)
	faultAfterSettled(e, sandbox.FaultRule{Operation: "ModifyDBInstance", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 400, Code: "Throttling", Message: "Rate exceeded"}})
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackInterrupted || ce.RollbackRefused || ce.RolledBack || !errors.Is(ce.RollbackErr, errRollbackNotBegun) {
		t.Fatalf("got %v (%+v), want the rollback interrupted before it began, not refused", err, ce)
	}
	if tags := e.snapshotTags(KindInstance, ce.GuardSnapshotID); tags[TagOutcome] != OutcomeRollingBack {
		t.Errorf("guard outcome %q, want %q (the next apply makes the rollback)", tags[TagOutcome], OutcomeRollingBack)
	}
	if n := len(e.opsIndex("ModifyDBInstance", nil)); n != 1+5 {
		t.Errorf("%d ModifyDBInstance calls, want 6 (the change's, then one attempt of the SDK's 5 at the rollback's)", n)
	}
}

// A rollback whose re-check of the guard snapshot before its call (DescribeDBSnapshots) AWS
// throttles through the SDK's attempts is made again within the apply, as one whose own call is
// throttled: nothing was requested of RDS, and the guard is checked again before the call.
func TestRollbackGuardCheckThrottledIsRetried(t *testing.T) {
	throttled := sandbox.Fault{Kind: sandbox.FaultError, Status: 400, Code: "Throttling", Message: "Rate exceeded"}
	e := newEnv(t, sandbox.Demo())
	e.o.RollbackTimeout = time.Hour
	seq := make([]sandbox.Fault, 8) // more than the SDK's 5 attempts of one call
	for i := range seq {
		seq[i] = throttled
	}
	faultAfterSettled(e, sandbox.FaultRule{Operation: "DescribeDBSnapshots", Sequence: seq})
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack {
		t.Fatalf("want the rollback made within the apply, got %v", err)
	}
	if !aws.ToBool(e.instance("mandible-prod").MultiAZ) {
		t.Error("the target is not back at two nodes")
	}
	if tags := e.snapshotTags(KindInstance, ce.GuardSnapshotID); tags[TagOutcome] != OutcomeRolledBack {
		t.Errorf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRolledBack)
	}
	e.assertGuarded(mandible)
}

// Throttled throughout, the rollback is reported not begun, refused, its guard left rolling-back
// for the next apply to make it: it was "ROLLBACK FAILED", its guard rollback-failed, a state left
// to a manual restore, for a describe call AWS throttled.
func TestRollbackGuardCheckThrottledThroughout(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.o.RollbackTimeout = time.Hour
	faultAfterSettled(e, sandbox.FaultRule{Operation: "DescribeDBSnapshots", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 400, Code: "Throttling", Message: "Rate exceeded"}})
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	e.srv.ClearFaults()
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackRefused || ce.RolledBack || strings.Contains(err.Error(), "ROLLBACK FAILED") {
		t.Fatalf("want the rollback refused, not begun, got %v", err)
	}
	if want := "AWS throttled or failed the call through every retry of the apply's"; !strings.Contains(err.Error(), want) {
		t.Errorf("%q lacks %q", err, want)
	}
	if tags := e.snapshotTags(KindInstance, ce.GuardSnapshotID); tags[TagOutcome] != OutcomeRollingBack {
		t.Errorf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRollingBack)
	}
	e.assertGuarded(mandible)
}

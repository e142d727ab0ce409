package topology

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// denyAfterSettled makes RDS refuse op with AccessDenied from the moment the change settles (the
// change's own call went through; the rollback's is refused).
func denyAfterSettled(e *env, op, action string) {
	e.o.OnStep = func(s Step) error {
		if s == StepSettled {
			e.srv.InjectFaults(sandbox.FaultRule{Operation: op, Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
				Code: "AccessDenied", Message: "User: arn:aws:sts::123456789012:assumed-role/ci/x is not authorized to perform: " + action}})
		}
		return nil
	}
}

// A rollback whose own call RDS refuses (the role may change the database but not undo it, or its
// credentials expired) has begun nothing: it is reported not begun with the cause to fix, the guard
// stays tagged rolling-back, and the next run, once the permission is granted, makes the rollback
// (rather than taking the failed change for the database's topology and refusing to change it).
func TestRollbackRefusedIsMadeByTheNextRun(t *testing.T) {
	for _, tc := range []struct {
		name        string
		target      Target
		op, action  string
		guard       string
		rolledBack  func(e *env) bool
		actionWords string
	}{
		{"multi-az", mandible, "ModifyDBInstance", "rds:ModifyDBInstance", "rightsize-guard-mandible-prod-g1-to1",
			func(e *env) bool { return aws.ToBool(e.instance("mandible-prod").MultiAZ) }, "Multi-AZ turned on again"},
		{"aurora", sso, "CreateDBInstance", "rds:CreateDBInstance", "rightsize-guard-sso-prod-g1-to1",
			func(e *env) bool { return len(e.topology(sso).Members) == 2 }, "reader sso-prod-instance-2 recreated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			denyAfterSettled(e, tc.op, tc.action)
			req := Request{Target: tc.target, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}
			_, err := e.o.Run(context.Background(), req)
			var ce *ChangeError
			if !errors.As(err, &ce) || !ce.RollbackInProgress || !ce.RollbackRefused || ce.RollbackRequested || ce.RolledBack {
				t.Fatalf("want the rollback refused, not begun, got %v", err)
			}
			for _, want := range []string{"the rollback (" + tc.actionWords, "was refused", "AccessDenied", "nothing is restored yet",
				"the provider's credentials were refused: grant the action named above to them, or renew them", "apply again to roll back"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q lacks %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "ROLLBACK FAILED") {
				t.Errorf("%q reports a refused rollback as failed", err)
			}
			if tags := e.snapshotTags(tc.target.Kind, tc.guard); tags[TagOutcome] != OutcomeRollingBack {
				t.Fatalf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRollingBack)
			}
			if tc.rolledBack(e) {
				t.Fatal("rolled back although RDS refused the call")
			}

			// The permission granted, the next run makes the rollback and reports it.
			e.srv.ClearFaults()
			e.o.OnStep = nil
			_, err = e.o.Run(context.Background(), req)
			if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(ce.Stage, "finishing the rollback") ||
				!strings.Contains(err.Error(), "refused, the apply interrupted, or out of time") {
				t.Fatalf("next run: %v, want the rollback made and reported", err)
			}
			if !tc.rolledBack(e) {
				t.Fatal("not rolled back by the next run")
			}
			if tags := e.snapshotTags(tc.target.Kind, tc.guard); tags[TagOutcome] != OutcomeRolledBack {
				t.Errorf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRolledBack)
			}
			e.assertGuarded(tc.target)
		})
	}
}

// A change that succeeded and was validated, whose guard snapshot RDS then refuses to delete
// (guard.retain = false without rds:DeleteDBSnapshot), is a success: the snapshot is reported
// retained with the reason, not a failed change with advice to undo it.
func TestGuardDeleteRefusedAfterSuccess(t *testing.T) {
	for _, tc := range []struct {
		target Target
		op     string
		guard  string
	}{
		{mandible, "DeleteDBSnapshot", "rightsize-guard-mandible-prod-g1-to1"},
		{sso, "DeleteDBClusterSnapshot", "rightsize-guard-sso-prod-g1-to1"},
	} {
		t.Run(tc.op, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			e.srv.InjectFaults(sandbox.FaultRule{Operation: tc.op, Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
				Code: "AccessDenied", Message: "not authorized to perform: rds:" + tc.op}})
			res, err := e.o.Run(context.Background(), Request{Target: tc.target, Nodes: 1, Generation: 1, DeleteGuardOnSuccess: true, Validator: okValidator{}})
			if err != nil {
				t.Fatalf("a refused deletion after success failed the change: %v", err)
			}
			if !res.GuardSnapshotRetained || !strings.Contains(res.GuardDeleteError, "AccessDenied") || res.GuardSnapshotID != tc.guard || res.Nodes != 1 {
				t.Fatalf("result %+v", res)
			}
			if tags := e.snapshotTags(tc.target.Kind, tc.guard); tags[TagOutcome] != OutcomeCompleted {
				t.Errorf("guard outcome %q, want %q", tags[TagOutcome], OutcomeCompleted)
			}
		})
	}
}

// Credentials that expire as the rollback begins (every call refused with ExpiredToken, the
// rolling-back tag too) leave nothing begun: the message says to renew them and apply again, not
// to restore from the guard, and the next run, with fresh credentials, rolls the change back.
func TestRollbackWithExpiredCredentials(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.o.OnStep = func(s Step) error {
		if s == StepSettled {
			e.srv.InjectFaults(sandbox.FaultRule{Operation: "*", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
				Code: "ExpiredToken", Message: "The security token included in the request is expired"}})
		}
		return nil
	}
	req := Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}
	_, err := e.o.Run(context.Background(), req)
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackRefused || !ce.RollbackUntagged || ce.RolledBack || strings.Contains(err.Error(), "ROLLBACK FAILED") ||
		!strings.Contains(err.Error(), "ExpiredToken") || !strings.Contains(err.Error(), "credentials were refused") ||
		!strings.Contains(err.Error(), "the rollback (Multi-AZ turned on again) was refused: re-checking guard snapshot") ||
		!strings.Contains(err.Error(), "before changing DB instance mandible-prod") ||
		!strings.Contains(err.Error(), "the guard snapshot could not be marked rolling back") ||
		!strings.Contains(err.Error(), "validates the change again and rolls it back if it still fails") {
		t.Fatalf("want the rollback not begun for the credentials, the guard still changing, got %v", err)
	}
	e.srv.ClearFaults()
	if got := e.snapshotTags(KindInstance, "rightsize-guard-mandible-prod-g1-to1")[TagOutcome]; got != OutcomeChanging {
		t.Fatalf("guard outcome %q, want %q (no tag could be written)", got, OutcomeChanging)
	}
	// As the message says: the next run, with fresh credentials, validates the change again and,
	// the rows still differing, rolls it back.
	e.o.OnStep = nil
	_, err = e.o.Run(context.Background(), req)
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(ce.Stage, "validating the database after the change") {
		t.Fatalf("next run with fresh credentials: %v, want the change validated again and rolled back", err)
	}
	if !aws.ToBool(e.instance("mandible-prod").MultiAZ) {
		t.Fatal("not rolled back")
	}
	e.assertGuarded(mandible)
}

// Every rollback that has not begun says what the next apply does: with the guard still marked
// changing (RollbackUntagged), that it validates the change again, never just "roll back".
func TestNotBegunMessagesWithoutTheTag(t *testing.T) {
	base := ChangeError{Target: mandible, Nodes: 1, Stage: "validating", Err: errors.New("rows differ"), Changed: true,
		RollbackAttempted: true, RollbackInProgress: true, RollbackAction: "Multi-AZ turned on again", RollbackErr: errors.New("x"), RollbackUntagged: true}
	for name, mod := range map[string]func(*ChangeError){
		"interrupted while busy": func(e *ChangeError) { e.RollbackInterrupted = true },
		"refused":                func(e *ChangeError) { e.RollbackRefused = true },
		"out of time while busy": func(*ChangeError) {},
	} {
		e := base
		mod(&e)
		if msg := e.Error(); !strings.Contains(msg, "validates the change again") || strings.Contains(msg, "to roll back") {
			t.Errorf("%s: %q", name, msg)
		}
		e.RollbackUntagged = false
		if msg := e.Error(); !strings.Contains(msg, "apply again to roll back") {
			t.Errorf("%s, tagged: %q", name, msg)
		}
	}
}

package topology

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// faultAfterSettled makes the sandbox apply rule from the moment the change settles (the change's
// own calls went through; the rollback's meet the fault).
func faultAfterSettled(e *env, rule sandbox.FaultRule) {
	e.o.OnStep = func(s Step) error {
		if s == StepSettled {
			e.srv.InjectFaults(rule)
		}
		return nil
	}
}

// denyAfterSettled makes RDS refuse op with AccessDenied from the moment the change settles (the
// change's own call went through; the rollback's is refused).
func denyAfterSettled(e *env, op, action string) {
	faultAfterSettled(e, sandbox.FaultRule{Operation: op, Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
		Code: "AccessDenied", Message: "User: arn:aws:sts::123456789012:assumed-role/ci/x is not authorized to perform: " + action}})
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
			// The guard records why the change failed, for the run that finishes the rollback.
			const failure = "validating the database after the change: validation failed: rows differ"
			if tags := e.snapshotTags(tc.target.Kind, tc.guard); tags[TagFailure] != failure {
				t.Errorf("guard %s = %q, want %q", TagFailure, tags[TagFailure], failure)
			}

			// The permission granted, the plan and the next run say what failed, and the run
			// makes the rollback and reports it.
			e.srv.ClearFaults()
			e.o.OnStep = nil
			p, err := e.o.Preview(context.Background(), req)
			if err != nil || !p.RollingBack || !strings.Contains(PlanSummary(p, req), "that change failed ("+failure+"), and its rollback was not finished") {
				t.Errorf("preview %+v (%v) does not say what failed", p, err)
			}
			_, err = e.o.Run(context.Background(), req)
			if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(ce.Stage, "finishing the rollback") ||
				!strings.Contains(err.Error(), "that apply's change failed ("+failure+") and its rollback was not finished (refused, the apply interrupted, or out of time)") {
				t.Fatalf("next run: %v, want the rollback made and reported with the original failure", err)
			}
			if tags := e.snapshotTags(tc.target.Kind, tc.guard); tags[TagFailure] != failure {
				t.Errorf("after the finishing run, guard %s = %q, want the original %q", TagFailure, tags[TagFailure], failure)
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
	faultAfterSettled(e, sandbox.FaultRule{Operation: "*", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
		Code: "ExpiredToken", Message: "The security token included in the request is expired"}})
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

// quotedMismatchValidator fails the validation with text RDS would refuse in a tag: quotes, a
// newline, punctuation, and more than 256 characters.
type quotedMismatchValidator struct{}

func (quotedMismatchValidator) Capture(context.Context) (Facts, error) { return Facts{}, nil }
func (quotedMismatchValidator) Check(context.Context, Facts) (*Report, error) {
	return nil, &ValidationError{Mismatches: []string{`table "public"."Messages": 3 rows fewer (997, was 1000);` + "\n" +
		`index "messages_pkey" changed` + strings.Repeat(" and more", 40)}}
}

// The failure is recorded on the guard in a form RDS accepts (the emulator refuses tags RDS
// would), whatever the validation said.
func TestFailureRecordedAsValidTag(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: quotedMismatchValidator{}})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack {
		t.Fatalf("want the change rolled back, got %v", err)
	}
	got := e.snapshotTags(KindInstance, "rightsize-guard-mandible-prod-g1-to1")[TagFailure]
	want := "validating the database after the change: validation failed: table public . Messages : 3 rows fewer 997 was 1000 index messages_pkey changed and more"
	if !strings.HasPrefix(got, want) || !rdsTagChars.MatchString(got) || len([]rune(got)) != 256 || !strings.HasSuffix(got, "...") {
		t.Errorf("guard %s = %q, want a valid tag value of 256 characters starting %q", TagFailure, got, want)
	}
}

func TestTagText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"  a\tb\n\nc  ", "a b c"},
		{`rows of "public"."users" differ: 10 → 9`, "rows of public . users differ: 10 9"},
		{"Größe: 5 @ 12:00 +0/1 = x_y-z", "Größe: 5 @ 12:00 +0/1 = x_y-z"},
		{"rds:ModifyDBInstance refused", "- rds:ModifyDBInstance refused"},
		{"AWS:x", "- AWS:x"},
		{"an aws: prefix later", "an aws: prefix later"},
		{strings.Repeat("é", 300), strings.Repeat("é", 253) + "..."},
	} {
		got := tagText(tc.in)
		if got != tc.want || !rdsTagChars.MatchString(got) || len([]rune(got)) > 256 {
			t.Errorf("tagText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A guard that does not record the failure (tagged by an earlier version, or its tag removed)
// is finished without one: the finishing run does not record its own message as the failure.
func TestFinishedRollbackWithoutRecordedFailure(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	denyAfterSettled(e, "ModifyDBInstance", "rds:ModifyDBInstance")
	req := Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}
	var ce *ChangeError
	if _, err := e.o.Run(context.Background(), req); !errors.As(err, &ce) || !ce.RollbackRefused {
		t.Fatalf("want the rollback refused, got %v", err)
	}
	e.srv.ClearFaults()
	e.o.OnStep = nil
	arn := "arn:aws:rds:us-east-1:123456789012:snapshot:rightsize-guard-mandible-prod-g1-to1"
	if _, err := e.api.RemoveTagsFromResource(context.Background(), &rds.RemoveTagsFromResourceInput{ResourceName: aws.String(arn), TagKeys: []string{TagFailure}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.o.Run(context.Background(), req)
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(err.Error(), "that apply's change failed and its rollback was not finished") {
		t.Fatalf("next run: %v, want the rollback reported without a recorded failure", err)
	}
	if f, ok := e.snapshotTags(KindInstance, "rightsize-guard-mandible-prod-g1-to1")[TagFailure]; ok {
		t.Errorf("the finishing run recorded %q as the failure", f)
	}
}

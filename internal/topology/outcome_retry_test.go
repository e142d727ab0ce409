package topology

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// outcomeFaults is n HTTP 500s of AddTagsToResource: more than the SDK's 5 attempts.
func outcomeFaults(n int) sandbox.FaultRule {
	seq := make([]sandbox.Fault, n)
	for i := range seq {
		seq[i] = sandbox.Fault{Kind: sandbox.FaultHTTP500}
	}
	return sandbox.FaultRule{Operation: "AddTagsToResource", Sequence: seq}
}

// faultsAt injects rule once, right after step s.
func (e *env) faultsAt(s Step, rule sandbox.FaultRule) {
	hit := false
	e.o.OnStep = func(got Step) error {
		if got == s && !hit {
			hit = true
			e.srv.InjectFaults(rule)
		}
		return nil
	}
}

// The outcome tag a run records at its end, which later runs read (completed, pending,
// failed-not-rolled-back, rolled back), outlasts a burst of HTTP 500s longer than the SDK's own
// retries: it is retried with backoff on the orchestrator's clock. Left at changing, a completed
// change's guard read as a change under way for good (a snapshot never to delete; for the next
// change the other way, an opposite change to record rolled back).
func TestOutcomeTagRetried(t *testing.T) {
	for _, tc := range []struct {
		name    string
		req     Request
		at      Step
		outcome string
		failed  bool
	}{
		{"completed", Request{Target: mandible, Nodes: 1, Generation: 1, Validator: okValidator{}}, StepValidated, OutcomeCompleted, false},
		{"completed cluster", Request{Target: sso, Nodes: 1, Generation: 1}, StepSettled, OutcomeCompleted, false},
		{"pending", Request{Target: mandible, Nodes: 1, Generation: 1, DeferToMaintenanceWindow: true}, StepChange, OutcomePending, false},
		{"failed, not rolled back", Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}, DisableRollback: true}, StepSettled, OutcomeFailedNotRolledBack, true},
		{"rolled back", Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}, StepRolledBack, OutcomeRolledBack, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			e.faultsAt(tc.at, outcomeFaults(8))
			res, err := e.o.Run(context.Background(), tc.req)
			if tc.failed != (err != nil) {
				t.Fatalf("run: %v, want failed %t", err, tc.failed)
			}
			if res != nil && res.OutcomeTagError != "" {
				t.Errorf("OutcomeTagError %q, want none (recorded after retries)", res.OutcomeTagError)
			}
			guards := e.guards(tc.req.Target, DefaultSnapshotPrefix+"-")
			if len(guards) != 1 {
				t.Fatalf("guards %v", guards)
			}
			if got := e.snapshotTags(tc.req.Target.Kind, guards[0])[TagOutcome]; got != tc.outcome {
				t.Errorf("guard %s outcome %q, want %q", guards[0], got, tc.outcome)
			}
		})
	}
}

// When the completed outcome cannot be recorded (refused, or a transient error outlasting the
// retries), the change still succeeds, and the Result says so, for the caller to have the tag set
// by hand; a refusal is not retried, and the retries of a transient error are bounded.
func TestOutcomeTagNotRecorded(t *testing.T) {
	req := Request{Target: mandible, Nodes: 1, Generation: 1, Validator: okValidator{}}
	guard := GuardSnapshotID("", mandible, 1, 1, 1)

	t.Run("refused", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		e.faultsAt(StepValidated, sandbox.FaultRule{Operation: "AddTagsToResource", Sequence: []sandbox.Fault{
			{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "denied for the test"}}})
		var seq int
		e.o.OnStep = func(inner func(Step) error) func(Step) error {
			return func(s Step) error {
				if s == StepValidated {
					seq = e.lastSeq()
				}
				return inner(s)
			}
		}(e.o.OnStep)
		res, err := e.o.Run(context.Background(), req)
		if err != nil {
			t.Fatalf("run: %v, want the change to succeed", err)
		}
		if !strings.Contains(res.OutcomeTagError, guard) || !strings.Contains(res.OutcomeTagError, "AccessDenied") {
			t.Errorf("OutcomeTagError %q, want the refusal of tagging %s", res.OutcomeTagError, guard)
		}
		if n := len(e.callsSince("AddTagsToResource", seq)); n != 1 {
			t.Errorf("%d AddTagsToResource calls after the change, want 1 (a refusal is not retried)", n)
		}
		if got := e.snapshotTags(KindInstance, guard)[TagOutcome]; got != OutcomeChanging {
			t.Errorf("outcome %q", got)
		}
	})

	t.Run("transient, persistent", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		var at time.Time
		e.faultsAt(StepValidated, sandbox.FaultRule{Operation: "AddTagsToResource", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultHTTP500}})
		e.o.OnStep = func(inner func(Step) error) func(Step) error {
			return func(s Step) error {
				if s == StepValidated {
					at = e.srv.Now()
				}
				return inner(s)
			}
		}(e.o.OnStep)
		res, err := e.o.Run(context.Background(), req)
		if err != nil {
			t.Fatalf("run: %v, want the change to succeed", err)
		}
		if !strings.Contains(res.OutcomeTagError, guard) || !strings.Contains(res.OutcomeTagError, OutcomeCompleted) {
			t.Errorf("OutcomeTagError %q", res.OutcomeTagError)
		}
		if waited := e.srv.Now().Sub(at); waited <= 0 || waited > outcomeRetryBudget+time.Minute {
			t.Errorf("waited %s retrying, want some, within %s", waited, outcomeRetryBudget)
		}
	})

	t.Run("guard deleted after success", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		e.faultsAt(StepValidated, sandbox.FaultRule{Operation: "AddTagsToResource", Sequence: []sandbox.Fault{
			{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "denied for the test"}}})
		r := req
		r.DeleteGuardOnSuccess = true
		res, err := e.o.Run(context.Background(), r)
		if err != nil || res.GuardSnapshotRetained {
			t.Fatalf("run: %v %+v, want the change to succeed and its guard deleted", err, res)
		}
		if res.OutcomeTagError != "" {
			t.Errorf("OutcomeTagError %q for a guard snapshot deleted", res.OutcomeTagError)
		}
	})
}

// The retries of an outcome tag that fails transiently wait PollMin, then twice as long each time
// up to PollMax, while their sum stays within outcomeRetryBudget (3 minutes; reaching it is
// within): with PollMin 10 s, 10, 20, 40 and 60 s (a fifth wait of 60 s would make 190 s); with
// 20 s, 20, 40, 60 and 60 s (180 s). Five attempts in all, on the orchestrator's clock.
func TestOutcomeTagRetryWaits(t *testing.T) {
	for _, tc := range []struct {
		pollMin time.Duration
		want    []time.Duration
	}{
		{10 * time.Second, []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute}},
		{20 * time.Second, []time.Duration{20 * time.Second, 40 * time.Second, time.Minute, time.Minute}},
	} {
		t.Run(tc.pollMin.String(), func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			e.o.PollMin = tc.pollMin
			e.faultsAt(StepValidated, sandbox.FaultRule{Operation: "AddTagsToResource", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultHTTP500}})
			var (
				validated bool
				seq       int
				waits     []time.Duration
			)
			e.o.OnStep = func(inner func(Step) error) func(Step) error {
				return func(s Step) error {
					if s == StepValidated {
						validated, seq = true, e.lastSeq()
					}
					return inner(s)
				}
			}(e.o.OnStep)
			e.o.Sleep = func(inner func(context.Context, time.Duration) error) func(context.Context, time.Duration) error {
				return func(ctx context.Context, d time.Duration) error {
					if validated {
						waits = append(waits, d)
					}
					return inner(ctx, d)
				}
			}(e.o.Sleep)
			res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: okValidator{}})
			if err != nil || res.OutcomeTagError == "" {
				t.Fatalf("run: %v, %+v; want the change to succeed, its outcome not recorded", err, res)
			}
			if !slices.Equal(waits, tc.want) {
				t.Errorf("waits between the outcome tag's attempts %v, want %v", waits, tc.want)
			}
			// Each attempt is the SDK's 5 (newEnv's retryer).
			if n := len(e.callsSince("AddTagsToResource", seq)); n != 5*5 {
				t.Errorf("%d AddTagsToResource calls after the change, want 25 (5 attempts of the SDK's 5)", n)
			}
		})
	}
}

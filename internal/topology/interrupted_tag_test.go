package topology

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// runInterruptedBy runs req with the orchestrator's RDS client wrapped by wrap, which is given
// the real client and the cancellation of the run's context (an interruption at a moment of the
// wrapper's choosing); it returns the run's error and its *ChangeError, if it is one.
func (e *env) runInterruptedBy(req Request, wrap func(real RDSAPI, cancel func()) RDSAPI) (*ChangeError, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	real := e.o.RDS
	e.o.RDS = wrap(real, cancel)
	defer func() { e.o.RDS = real }()
	_, err := e.o.Run(ctx, req)
	var ce *ChangeError
	if !errors.As(err, &ce) {
		ce = nil
	}
	return ce, err
}

// changingTagThenCancel is the real client, but the apply is interrupted (Ctrl-C) while it tags
// its guard snapshot changing: RDS receives the tagging and applies it, and the SDK returns the
// cancellation instead of the answer.
type changingTagThenCancel struct {
	RDSAPI
	cancel func()
}

func (c *changingTagThenCancel) AddTagsToResource(ctx context.Context, in *rds.AddTagsToResourceInput, optFns ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error) {
	if !slices.ContainsFunc(in.Tags, func(t rdstypes.Tag) bool { return deref(t.Key) == TagOutcome && deref(t.Value) == OutcomeChanging }) {
		return c.RDSAPI.AddTagsToResource(ctx, in, optFns...)
	}
	if _, err := c.RDSAPI.AddTagsToResource(context.WithoutCancel(ctx), in, optFns...); err != nil {
		return nil, err
	}
	c.cancel()
	return nil, ctx.Err()
}

// An apply interrupted while it tags its guard snapshot "changing", before the change call: RDS
// applied the tag, but no change was requested. The guard goes back to in-progress, so the next
// apply makes the change behind a guard snapshot of its own, rather than reporting a change that
// never happened as rolled back (and tagging the guard so) and leaving the change to a third
// apply.
func TestInterruptedWhileTaggingChanging(t *testing.T) {
	for _, target := range []Target{mandible, sso} {
		t.Run(target.Identifier, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			req := Request{Target: target, Nodes: 1, Generation: 1}
			ce, err := e.runInterruptedBy(req, func(real RDSAPI, cancel func()) RDSAPI { return &changingTagThenCancel{RDSAPI: real, cancel: cancel} })
			if ce == nil || !ce.Interrupted || ce.Changed || ce.RequestUnanswered {
				t.Fatalf("interrupted run: %v, want an interruption before any change", err)
			}
			if n := len(e.changingCallsSince(0)); n != 0 {
				t.Fatalf("%d changing calls made", n)
			}
			guards := e.guards(target, "rightsize-guard-")
			if len(guards) != 1 {
				t.Fatalf("guards %v, want the interrupted run's one", guards)
			}
			if got := e.snapshotTags(target.Kind, guards[0])[TagOutcome]; got != OutcomeInProgress {
				t.Errorf("guard outcome after the interruption %q, want %s (no change was requested)", got, OutcomeInProgress)
			}
			res, err := e.o.Run(context.Background(), req)
			if err != nil {
				t.Fatalf("next run: %v, want the change made", err)
			}
			if got := e.topology(target).Nodes; got != 1 {
				t.Errorf("%d node(s) after the next run, want 1", got)
			}
			if res.GuardSnapshotID == guards[0] {
				t.Errorf("the change was made behind the interrupted run's guard %s", guards[0])
			}
			if got := e.snapshotTags(target.Kind, guards[0])[TagOutcome]; got != OutcomeSuperseded {
				t.Errorf("the interrupted run's guard is tagged %q, want %s", got, OutcomeSuperseded)
			}
			e.assertGuarded(target)
		})
	}
}

// cutBeforeChange is the real client, but the apply is cut short just as it calls
// ModifyDBInstance or DeleteDBInstance (cut gives the call's context: the run's, cancelled by a
// Ctrl-C, or one past its deadline, as when the operation's timeout runs out): the SDK then
// returns the context's error, and the caller cannot tell whether RDS received the request.
type cutBeforeChange struct {
	RDSAPI
	cut func(context.Context) (context.Context, context.CancelFunc)
}

func (c *cutBeforeChange) ModifyDBInstance(ctx context.Context, in *rds.ModifyDBInstanceInput, optFns ...func(*rds.Options)) (*rds.ModifyDBInstanceOutput, error) {
	ctx, done := c.cut(ctx)
	defer done()
	return c.RDSAPI.ModifyDBInstance(ctx, in, optFns...)
}

func (c *cutBeforeChange) DeleteDBInstance(ctx context.Context, in *rds.DeleteDBInstanceInput, optFns ...func(*rds.Options)) (*rds.DeleteDBInstanceOutput, error) {
	ctx, done := c.cut(ctx)
	defer done()
	return c.RDSAPI.DeleteDBInstance(ctx, in, optFns...)
}

// An apply cut short during the change's own call, by a Ctrl-C or by its timeout, is not reported
// as having changed nothing: RDS may have accepted the request (RequestUnanswered, whose message
// says so; resumable, not a failure). Here it did not; the next apply makes the change behind a
// guard of its own.
func TestInterruptedDuringChangeRequest(t *testing.T) {
	for _, target := range []Target{mandible, sso} {
		for _, how := range []string{"ctrl-c", "timeout"} {
			t.Run(target.Identifier+"/"+how, func(t *testing.T) {
				e := newEnv(t, sandbox.Demo())
				req := Request{Target: target, Nodes: 1, Generation: 1}
				ce, err := e.runInterruptedBy(req, func(real RDSAPI, cancel func()) RDSAPI {
					cut := func(ctx context.Context) (context.Context, context.CancelFunc) { cancel(); return ctx, func() {} }
					if how == "timeout" {
						cut = func(ctx context.Context) (context.Context, context.CancelFunc) {
							return context.WithDeadline(ctx, time.Unix(1, 0))
						}
					}
					return &cutBeforeChange{RDSAPI: real, cut: cut}
				})
				if ce == nil || ce.Interrupted != (how == "ctrl-c") || ce.Changed || !ce.RequestUnanswered || !ce.Resumable {
					t.Fatalf("cut-short run: %v (%+v), want a resumable error whose request went unanswered", err, ce)
				}
				if msg := err.Error(); !strings.Contains(msg, "cut short (interrupted, or out of time) before RDS answered the change's request, which RDS may still have accepted") ||
					strings.Contains(msg, "no change was made") || strings.Contains(msg, "before any change was made") {
					t.Errorf("message %q, want it to say RDS may have accepted the request", msg)
				}
				if n := len(e.changingCallsSince(0)); n != 0 {
					t.Fatalf("%d changing calls reached RDS", n)
				}
				res, err := e.o.Run(context.Background(), req)
				if err != nil {
					t.Fatalf("next run: %v, want the change made", err)
				}
				if got := e.topology(target).Nodes; got != 1 || res.GuardSnapshotID == GuardSnapshotID("", target, 1, 1, 1) {
					t.Errorf("%d node(s), guard %s after the next run; want 1 node behind a guard of its own", got, res.GuardSnapshotID)
				}
				e.assertGuarded(target)
			})
		}
	}
}

// An apply interrupted while verify_restore's temporary instance is being created names it: it is
// left running, and billed, until the next apply of the change deletes it (RDS refuses to delete
// it before it is available). Not once its deletion has begun: while the run waits for it to be
// gone, or after; nor once it is available, when the interrupted run requests its deletion
// (TestVerifyRestoreCutShortDeletesInstance).
func TestInterruptedVerifyRestoreNamesInstance(t *testing.T) {
	for _, c := range []struct {
		name string
		step Step // interrupted after this step, or while the instance is deleting ("")
		left bool
	}{{"created", StepRestoreCreate, true}, {"available", StepRestoreAvailable, false}, {"deleting", "", false}, {"deleted", StepRestoreDeleted, false}} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			tmp := restoreInstanceID(GuardSnapshotID("", mandible, 1, 1, 1))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			e.o.OnStep = func(s Step) error {
				if c.step != "" && s == c.step {
					cancel()
				}
				return nil
			}
			if c.step == "" {
				e.onSleep = func() {
					if st, ok := e.srv.InstanceStatus(tmp); ok && st == "deleting" {
						cancel()
					}
				}
			}
			_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true})
			e.o.OnStep, e.onSleep = nil, nil
			var ce *ChangeError
			if !errors.As(err, &ce) || !ce.Interrupted || ce.Changed {
				t.Fatalf("got %v, want an interruption before any change", err)
			}
			named := ce.RestoreInstance == tmp && strings.Contains(err.Error(), "the temporary restore instance "+tmp+", if RDS created it, is left running (and billed)")
			if named != c.left {
				t.Errorf("error %q (RestoreInstance %q): named %t, want %t", err, ce.RestoreInstance, named, c.left)
			}
		})
	}
}

package topology

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/wait"
)

// RDS's describe calls may not show a DB snapshot or DB instance for a short while after the call
// that created it (eventually consistent reads; sandbox SetReadLag). The guard snapshot this run
// just asked for, and verify_restore's temporary instance, are waited for as still being created
// meanwhile, not taken for deleted: the change goes through, guarded.
func TestReadLagAfterCreate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target Target
		verify bool
	}{
		{"Multi-AZ instance with verify_restore", mandible, true},
		{"Aurora cluster", sso, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			e.srv.SetReadLag(createdShowsWithin - 10*time.Second)
			res, err := e.o.Run(context.Background(), Request{Target: tc.target, Nodes: 1, Generation: 1, VerifyRestore: tc.verify})
			if err != nil {
				t.Fatalf("2 → 1 with describe calls lagging the create calls: %v", err)
			}
			if res.Nodes != 1 || !res.GuardSnapshotRetained {
				t.Fatalf("result %+v", res)
			}
			// The lag was met: a describe of the new guard snapshot found nothing.
			if notFound(e.srv, "DBSnapshotNotFound")+notFound(e.srv, "DBClusterSnapshotNotFoundFault") == 0 {
				t.Fatal("no describe call met the lag: the test proves nothing")
			}
			if tc.verify && len(e.srv.Calls("RestoreDBInstanceFromDBSnapshot")) != 1 {
				t.Fatalf("RestoreDBInstanceFromDBSnapshot calls: %d", len(e.srv.Calls("RestoreDBInstanceFromDBSnapshot")))
			}
			e.assertGuarded(tc.target)
		})
	}
}

// A guard snapshot still not shown createdShowsWithin after its create call is taken for gone:
// the run stops before changing anything, saying so.
func TestReadLagBeyondWindow(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.srv.SetReadLag(createdShowsWithin + 10*time.Minute)
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	var ue *wait.UnexpectedStateError
	if !errors.As(err, &ue) || ue.State != "deleted" || !strings.Contains(err.Error(), "guard snapshot") {
		t.Fatalf("run: %v; want the guard snapshot taken for deleted", err)
	}
	if n := len(e.srv.Calls("ModifyDBInstance")); n != 0 {
		t.Fatalf("%d ModifyDBInstance calls without a guard snapshot shown", n)
	}
	// It says why "deleted": never shown, not seen going; and not that the guard, never seen, is
	// "creating".
	if msg := err.Error(); !strings.Contains(msg, "have not shown it in the 3m0s since this run asked RDS to create it") ||
		strings.Contains(msg, `is "creating"`) || !strings.Contains(msg, `is "not-shown-yet" and cannot be used for a restore`) {
		t.Errorf("run: %v; want it to say RDS has not shown the guard in 3m0s, and not that it is creating", err)
	}

	// So for verify_restore's instance (the guard shown at once).
	e = newEnv(t, sandbox.Demo())
	o := *e.o
	o.OnStep = func(s Step) error {
		if s == StepGuardAvailable {
			e.srv.SetReadLag(createdShowsWithin + 10*time.Minute)
		}
		return nil
	}
	_, err = o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true})
	if !errors.As(err, &ue) || ue.State != "deleted" || !strings.Contains(err.Error(), "temporary restore instance "+restoreInstanceID(GuardSnapshotID("", mandible, 1, 1, 1))) ||
		!strings.Contains(err.Error(), "have not shown it in the 3m0s since this run asked RDS to create it") {
		t.Errorf("run: %v; want the temporary restore instance said not shown in 3m0s", err)
	}

	// So for the Aurora reader a rollback recreates when its create call is answered "already
	// exists" (its first answer lost): the rollback fails saying so (not that an instance of that
	// name exists outside the cluster).
	e = newEnv(t, sandbox.Demo())
	o = *e.o
	o.RDS = createInstanceTwiceRDS{o.RDS}
	o.OnStep = func(s Step) error {
		if s == StepSettled {
			// Past createdShowsWithin, and shorter than the guard's age (the sandbox applies a
			// lag to what exists, and the rollback re-checks the guard).
			e.srv.SetReadLag(createdShowsWithin + time.Minute)
		}
		return nil
	}
	_, err = o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !errors.As(err, &ce) || ce.RollbackErr == nil || !IsNotFound(ce.RollbackErr) ||
		!strings.Contains(ce.RollbackErr.Error(), "not shown by its describe calls within 3m0s") {
		t.Errorf("run: %v; want the rollback failed on the reader RDS said exists, not shown in 3m0s", err)
	}
}

// The Aurora reader this provider creates (the change back to two nodes, and the rollback of a
// removal) is waited for through the cluster, which lists it at once: a describe of the instance
// that lags behind does not stop either.
func TestReadLagReaderCreated(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.srv.SetReadLag(createdShowsWithin - 10*time.Second)
	ctx := context.Background()
	res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatalf("2 → 1: %v", err)
	}
	if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &res.Previous}); err != nil {
		t.Fatalf("1 → 2 with describe calls lagging the create calls: %v", err)
	}
	if n := len(e.srv.Calls("CreateDBInstance")); n != 1 {
		t.Fatalf("CreateDBInstance calls: %d, want 1", n)
	}
	e.assertGuarded(sso)

	// A removal whose validation fails is rolled back: the reader recreated.
	e2 := newEnv(t, sandbox.Demo())
	e2.srv.SetReadLag(createdShowsWithin - 10*time.Second)
	_, err = e2.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack {
		t.Fatalf("run: %v; want a change error rolled back", err)
	}
	if n := len(e2.srv.Calls("CreateDBInstance")); n != 1 {
		t.Fatalf("CreateDBInstance calls: %d, want 1", n)
	}
	if got := len(e2.topology(sso).Members); got != 2 {
		t.Fatalf("%d members after the rollback, want 2", got)
	}
	e2.assertGuarded(sso)
	for _, env := range []*env{e, e2} {
		if notFound(env.srv, "DBInstanceNotFound") == 0 {
			t.Fatal("no describe of the new reader met the lag: the test proves nothing")
		}
	}
}

// restoreTwiceRDS and createInstanceTwiceRDS send each RestoreDBInstanceFromDBSnapshot (each
// CreateDBInstance) to RDS twice and return the second answer, "already exists": what the SDK's
// retry sees when the first answer was lost on the way back (createTwiceRDS for snapshots).
type restoreTwiceRDS struct{ RDSAPI }

func (c restoreTwiceRDS) RestoreDBInstanceFromDBSnapshot(ctx context.Context, in *rds.RestoreDBInstanceFromDBSnapshotInput, f ...func(*rds.Options)) (*rds.RestoreDBInstanceFromDBSnapshotOutput, error) {
	if _, err := c.RDSAPI.RestoreDBInstanceFromDBSnapshot(ctx, in, f...); err != nil {
		return nil, err
	}
	return c.RDSAPI.RestoreDBInstanceFromDBSnapshot(ctx, in, f...)
}

type createInstanceTwiceRDS struct{ RDSAPI }

func (c createInstanceTwiceRDS) CreateDBInstance(ctx context.Context, in *rds.CreateDBInstanceInput, f ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error) {
	if _, err := c.RDSAPI.CreateDBInstance(ctx, in, f...); err != nil {
		return nil, err
	}
	return c.RDSAPI.CreateDBInstance(ctx, in, f...)
}

// A create call answered "already exists" (its first answer lost, and the SDK's retry refused)
// is followed by a describe of what it created, which RDS may not show yet: it is looked for
// again until createdShowsWithin, not taken for an error. Each was: the guard snapshot's ("RDS
// says it already exists; reading it: not found", the apply failed), verify_restore's instance
// ("reported to exist, then not found", the apply failed with the instance left running), and
// the Aurora reader's, in a change to 2 nodes (failed, to resume) and in the rollback of a
// removal (recorded rollback-failed, ROLLBACK FAILED, with the reader in fact recreated).
func TestReadLagAlreadyExists(t *testing.T) {
	lag := createdShowsWithin / 2
	for _, tc := range []struct {
		name string
		wrap func(RDSAPI) RDSAPI
		req  Request
		want func(*env, *Result, error)
	}{
		{"guard of a DB instance", func(a RDSAPI) RDSAPI { return createTwiceRDS{a} }, Request{Target: mandible, Nodes: 1, Generation: 1}, nil},
		{"guard of a DB cluster", func(a RDSAPI) RDSAPI { return createTwiceRDS{a} }, Request{Target: sso, Nodes: 1, Generation: 1}, nil},
		{"verify_restore's instance", func(a RDSAPI) RDSAPI { return restoreTwiceRDS{a} }, Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true}, nil},
		{"reader of a change to 2 nodes", func(a RDSAPI) RDSAPI { return createInstanceTwiceRDS{a} }, Request{Target: sso, Nodes: 2, Generation: 2}, nil},
		{"reader of a rollback", func(a RDSAPI) RDSAPI { return createInstanceTwiceRDS{a} }, Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}},
			func(e *env, _ *Result, err error) {
				var ce *ChangeError
				if !errors.As(err, &ce) || !ce.RolledBack || ce.RollbackErr != nil {
					t.Fatalf("run: %v; want the change rolled back", err)
				}
				if got := e.snapshotTags(KindCluster, GuardSnapshotID("", sso, 1, 1, 1))[TagOutcome]; got != OutcomeRolledBack {
					t.Errorf("guard outcome %q, want %q", got, OutcomeRolledBack)
				}
				if got := len(e.topology(sso).Members); got != 2 {
					t.Errorf("%d members after the rollback, want 2", got)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			ctx := context.Background()
			if tc.req.Nodes == 2 {
				res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
				if err != nil {
					t.Fatalf("2 → 1: %v", err)
				}
				tc.req.Previous = &res.Previous
			}
			e.srv.SetReadLag(lag)
			o := *e.o
			o.RDS = tc.wrap(o.RDS)
			res, err := o.Run(ctx, tc.req)
			if n := notFound(e.srv, "DBSnapshotNotFound") + notFound(e.srv, "DBClusterSnapshotNotFoundFault") + notFound(e.srv, "DBInstanceNotFound"); n == 0 {
				t.Fatal("no describe call met the lag: the test proves nothing")
			}
			if tc.want != nil {
				tc.want(e, res, err)
				return
			}
			if err != nil || res.Nodes != tc.req.Nodes {
				t.Fatalf("run: %+v, %v; want the change made", res, err)
			}
			if tc.req.VerifyRestore {
				if _, err := FindDBInstance(ctx, e.api, restoreInstanceID(res.GuardSnapshotID)); !IsNotFound(err) {
					t.Errorf("temporary restore instance left behind: %v", err)
				}
			}
			e.assertGuarded(tc.req.Target)
		})
	}

	// Not shown within createdShowsWithin of the answer: an error saying so, not an endless wait.
	e := newEnv(t, sandbox.Demo())
	e.srv.SetReadLag(createdShowsWithin + 10*time.Minute)
	o := *e.o
	o.RDS = createTwiceRDS{o.RDS}
	_, err := o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	if !IsNotFound(err) || !strings.Contains(err.Error(), "not shown by its describe calls within 3m0s") {
		t.Errorf("run: %v; want the guard RDS said exists taken for not found after 3m0s", err)
	}
	if n := len(e.srv.Calls("ModifyDBInstance")); n != 0 {
		t.Errorf("%d ModifyDBInstance calls", n)
	}
}

// An apply of an Aurora change interrupted right after its guard snapshot's create call, and
// applied again while RDS's describe calls do not show that guard yet: the run does not find it,
// asks for the same identifier, and RDS answers "already exists" with another run's guard. It
// stops as for a concurrent run, changing nothing, and says that an apply interrupted moments ago
// is the other case; planned again once RDS shows it, the interrupted run's guard is set aside.
func TestReadLagResumeSoon(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.srv.SetReadLag(time.Minute)
	req := Request{Target: sso, Nodes: 1, Generation: 1}
	e.runInterrupted(t, req, StepGuardCreate)
	_, err := e.o.Run(context.Background(), req)
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonConcurrentRun || !strings.Contains(err.Error(), "interrupted moments ago") {
		t.Fatalf("run right after the interruption: %v; want a concurrent-run refusal naming the interrupted apply", err)
	}
	if n := len(e.srv.Calls("DeleteDBInstance")); n != 0 {
		t.Fatalf("%d DeleteDBInstance calls", n)
	}
	e.srv.Advance(2 * time.Minute)
	res, err := e.o.Run(context.Background(), req)
	if err != nil || res.Nodes != 1 || res.SupersededGuardSnapshotID != GuardSnapshotID("", sso, 1, 1, 1) {
		t.Fatalf("run a few minutes later: %+v, %v; want the change made, the interrupted run's guard set aside", res, err)
	}
}

// notFound counts the calls the sandbox answered with error code code.
func notFound(srv *sandbox.Server, code string) int {
	n := 0
	for _, c := range srv.Log() {
		if c.ErrorCode == code {
			n++
		}
	}
	return n
}

// missing's window: a resource this run asked for and RDS does not find is "not shown yet" for
// less than createdShowsWithin after the request, "deleted" from then on; one this run did not
// ask for (requested zero) is "deleted" at once.
func TestReadLagWindow(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	now := at
	r := &run{o: &Orchestrator{Now: func() time.Time { return now }}}
	for _, c := range []struct {
		since time.Duration
		want  string
	}{
		{0, notShownYet},
		{createdShowsWithin - time.Nanosecond, notShownYet},
		{createdShowsWithin, "deleted"},
		{createdShowsWithin + time.Hour, "deleted"},
	} {
		now = at.Add(c.since)
		if got := r.missing(at); got != c.want {
			t.Errorf("missing %s after the request: %q, want %q", c.since, got, c.want)
		}
		if got := r.missing(time.Time{}); got != "deleted" {
			t.Errorf("missing, not requested by this run: %q, want \"deleted\"", got)
		}
	}
}

// neverShown explains only a wait that ended on "deleted" for a resource this run asked RDS to
// create and never saw; every other error is returned as it is: one seen and then gone, one this
// run did not ask for, another unexpected state, and a wait cut short by its deadline (which says
// nothing of createdShowsWithin).
func TestReadLagNeverShown(t *testing.T) {
	requested := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	deleted := &wait.UnexpectedStateError{Description: "guard snapshot g", State: "deleted"}
	failed := &wait.UnexpectedStateError{Description: "guard snapshot g", State: "failed"}
	timeout := &wait.TimeoutError{Description: "guard snapshot g", LastState: notShownYet}
	for _, c := range []struct {
		name      string
		err       error
		unseen    bool
		requested time.Time
		explained bool
	}{
		{"asked for, never shown, deleted", deleted, true, requested, true},
		{"seen, then deleted", deleted, false, requested, false},
		{"not asked for by this run", deleted, true, time.Time{}, false},
		{"another unexpected state", failed, true, requested, false},
		{"out of time", timeout, true, requested, false},
		{"no error", nil, true, requested, false},
	} {
		got := neverShown(c.err, c.unseen, c.requested)
		if !errors.Is(got, c.err) {
			t.Errorf("%s: %v does not wrap %v", c.name, got, c.err)
		}
		if explained := got != nil && strings.Contains(got.Error(), "have not shown it in the 3m0s"); explained != c.explained {
			t.Errorf("%s: %v; explained %t, want %t", c.name, got, explained, c.explained)
		}
	}
}

// A DB instance of verify_restore's temporary name that someone else created just before the
// restore, not shown yet by RDS's describe calls: the restore is answered "already exists", and
// what RDS then shows is checked as any instance of that name is, not waited for and deleted.
func TestReadLagVerifyRestoreForeignInstance(t *testing.T) {
	tmp := restoreInstanceID(GuardSnapshotID("", mandible, 1, 1, 1))
	e := newEnv(t, sandbox.Demo())
	e.o.RDS = &createBeforeRestore{RDSAPI: e.api, create: func() {
		e.srv.SetReadLag(createdShowsWithin / 2)
		if _, err := e.api.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(tmp),
			DBInstanceClass: aws.String("db.t4g.micro"), Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20)}); err != nil {
			t.Error(err)
		}
	}}
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true})
	if notFound(e.srv, "DBInstanceNotFound") == 0 {
		t.Fatal("no describe of the instance met the lag: the test proves nothing")
	}
	e.srv.Advance(time.Hour) // the foreign instance available
	e.checkForeignKept(t, err, tmp)
}

// faultAfterCreateRDS injects rule into the sandbox once a CreateDBInstance or CreateDBSnapshot
// call has been answered: the describe calls that follow it meet the fault.
type faultAfterCreateRDS struct {
	RDSAPI
	srv  *sandbox.Server
	rule sandbox.FaultRule
}

func (c faultAfterCreateRDS) CreateDBInstance(ctx context.Context, in *rds.CreateDBInstanceInput, f ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error) {
	out, err := c.RDSAPI.CreateDBInstance(ctx, in, f...)
	c.srv.InjectFaults(c.rule)
	return out, err
}

func (c faultAfterCreateRDS) CreateDBSnapshot(ctx context.Context, in *rds.CreateDBSnapshotInput, f ...func(*rds.Options)) (*rds.CreateDBSnapshotOutput, error) {
	out, err := c.RDSAPI.CreateDBSnapshot(ctx, in, f...)
	c.srv.InjectFaults(c.rule)
	return out, err
}

// While RDS does not show what it says already exists, a describe call throttled past the SDK's
// retries is retried, as in every other wait: the rollback of a removal that recreated the reader
// is not recorded failed (ROLLBACK FAILED) for it. A refusal (AccessDenied) ends the look at once,
// with nothing changed.
func TestReadLagAlreadyExistsDescribeFails(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Demo())
	e.srv.SetReadLag(createdShowsWithin / 2)
	throttled := make([]sandbox.Fault, 5) // the env's retryer makes 5 attempts
	for i := range throttled {
		throttled[i] = sandbox.Fault{Kind: sandbox.FaultThrottling}
	}
	o := *e.o
	o.RDS = faultAfterCreateRDS{createInstanceTwiceRDS{o.RDS}, e.srv, sandbox.FaultRule{Operation: "DescribeDBInstances", Sequence: throttled}}
	_, err := o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack || ce.RollbackErr != nil {
		t.Fatalf("run: %v; want the change rolled back", err)
	}
	if got := e.snapshotTags(KindCluster, GuardSnapshotID("", sso, 1, 1, 1))[TagOutcome]; got != OutcomeRolledBack {
		t.Errorf("guard outcome %q, want %q", got, OutcomeRolledBack)
	}
	if got := len(e.topology(sso).Members); got != 2 {
		t.Errorf("%d members after the rollback, want 2", got)
	}
	if n := notFound(e.srv, "Throttling"); n < len(throttled) {
		t.Fatalf("%d throttled calls: the test proves nothing", n)
	}

	e = newEnv(t, sandbox.Demo())
	e.srv.SetReadLag(createdShowsWithin / 2)
	o = *e.o
	o.RDS = faultAfterCreateRDS{createTwiceRDS{o.RDS}, e.srv, sandbox.FaultRule{Operation: "DescribeDBSnapshots",
		Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "denied for the test"}}}}
	_, err = o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1})
	if err == nil || !strings.Contains(err.Error(), "RDS says it already exists; reading it") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("run: %v; want the refused describe call", err)
	}
	if n := len(e.srv.Calls("ModifyDBInstance")); n != 0 {
		t.Errorf("%d ModifyDBInstance calls", n)
	}
}

// A describe call of the guard snapshot this run just asked for that RDS refuses (AccessDenied)
// ends the wait with that refusal, nothing changed: only a not-found is taken for not shown yet.
func TestReadLagGuardDescribeRefused(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	o := *e.o
	o.RDS = faultAfterCreateRDS{o.RDS, e.srv, sandbox.FaultRule{Operation: "DescribeDBSnapshots",
		Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "denied for the test"}}}}
	_, err := o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") || strings.Contains(err.Error(), "have not shown it") {
		t.Fatalf("run: %v; want the refused describe of the guard snapshot", err)
	}
	if n := len(e.srv.Calls("ModifyDBInstance")); n != 0 {
		t.Errorf("%d ModifyDBInstance calls", n)
	}
}

// waitGuard notes "not-shown-yet" (the status a failed run reports for its restore point) and
// explains the wait's "deleted" only for a guard snapshot this run asked for and never saw: not
// for one it did not ask for (an earlier run's), nor for one it saw that then failed.
func TestReadLagWaitGuardNote(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Demo())
	r := &run{o: e.o, req: Request{Target: mandible, Nodes: 1, Generation: 1}}
	create := func(id string) {
		t.Helper()
		if _, err := e.api.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(mandible.Identifier),
			DBSnapshotIdentifier: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}

	// Asked for, never shown.
	e.srv.SetReadLag(createdShowsWithin + 10*time.Minute)
	create("lag-unseen")
	g := &guard{id: "lag-unseen", status: "creating", requested: e.srv.Now()}
	_, err := r.waitGuard(ctx, g)
	if g.status != notShownYet || err == nil || !strings.Contains(err.Error(), "have not shown it in the 3m0s") {
		t.Errorf("asked for, never shown: status %q, %v; want %q, explained", g.status, err, notShownYet)
	}

	// Not asked for by this run, not found.
	g = &guard{id: "lag-not-asked", status: "creating"}
	_, err = r.waitGuard(ctx, g)
	var ue *wait.UnexpectedStateError
	if g.status != "creating" || !errors.As(err, &ue) || ue.State != "deleted" || strings.Contains(err.Error(), "have not shown it") {
		t.Errorf("not asked for: status %q, %v; want \"creating\", deleted, unexplained", g.status, err)
	}

	// Asked for, seen creating, then failed.
	e.srv.SetReadLag(0)
	e.srv.Advance(time.Hour)
	e.srv.FailSnapshot("lag-failed")
	create("lag-failed")
	g = &guard{id: "lag-failed", status: "creating", requested: e.srv.Now()}
	cur, err := r.waitGuard(ctx, g)
	if g.status != "creating" || cur == nil || cur.status != "failed" || !errors.As(err, &ue) || ue.State != "failed" || strings.Contains(err.Error(), "have not shown it") {
		t.Errorf("seen, then failed: status %q, returned %+v, %v; want \"creating\", the failed snapshot, unexplained", g.status, cur, err)
	}
}

// waitInstanceSince explains the wait's "deleted" only for an instance it never saw: one seen
// (deleting) and then gone reads as deleted, even within createdShowsWithin of the request.
func TestReadLagWaitInstanceSeenThenGone(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Demo())
	r := &run{o: e.o, req: Request{Target: mandible, Nodes: 1, Generation: 1}}
	const id = "lag-seen-then-gone"
	if _, err := e.api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
		DBInstanceClass: aws.String("db.t4g.micro"), Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	if _, err := e.api.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	// Within createdShowsWithin of the request: gone, it is waited for until the window ends.
	_, err := r.waitInstanceSince(ctx, id, "instance "+id, pendingStatuses, "available", e.srv.Now())
	var ue *wait.UnexpectedStateError
	if !errors.As(err, &ue) || ue.State != "deleted" || strings.Contains(err.Error(), "have not shown it") {
		t.Errorf("seen deleting, then gone: %v; want deleted, not explained as never shown", err)
	}
}

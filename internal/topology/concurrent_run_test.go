package topology

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// runResult is one concurrent run's outcome.
type runResult struct {
	res *Result
	err error
}

// pausedAt makes o (a copy of a test orchestrator) stop at steps first and second: each reached
// channel closes when o gets there, and o goes on when the matching go channel is closed.
func pausedAt(o *Orchestrator, first, second Step) (reached1, go1, reached2, go2 chan struct{}) {
	reached1, go1, reached2, go2 = make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	o.OnStep = func(s Step) error {
		switch s {
		case first:
			close(reached1)
			<-go1
		case second:
			close(reached2)
			<-go2
		}
		return nil
	}
	return reached1, go1, reached2, go2
}

// runPausedAt runs req on a copy of e's orchestrator in the background, stopped once it has passed
// step: reached closes then, the run goes on when goOn is closed, and done receives its outcome.
func runPausedAt(e *env, step Step, req Request) (reached, goOn chan struct{}, done chan runResult) {
	o := *e.o
	reached, goOn, _, _ = pausedAt(&o, step, "none")
	done = make(chan runResult, 1)
	go func() { r, err := o.Run(context.Background(), req); done <- runResult{r, err} }()
	return reached, goOn, done
}

// pausedAtFirstSleep makes o (a copy of a test orchestrator) stop at its first wait (the run has
// found something to wait for): waiting closes then, and o goes on when goOn is closed.
func pausedAtFirstSleep(o *Orchestrator) (waiting, goOn chan struct{}) {
	waiting, goOn = make(chan struct{}), make(chan struct{})
	blocked, sleep := false, o.Sleep
	o.Sleep = func(ctx context.Context, d time.Duration) error {
		if !blocked {
			blocked = true
			close(waiting)
			<-goOn
		}
		return sleep(ctx, d)
	}
	return waiting, goOn
}

// TestConcurrentRunKeepsALiveGuard: two applies of the same change at once (two workspaces or
// state files). B finds A's guard "in-progress" (A has changed nothing yet) and waits for it to
// set it aside as an interrupted run's; meanwhile A begins its change. B reads the guard's tags
// again before setting it aside and refuses instead (ReasonConcurrentRun), so A's guard keeps
// saying "changing", and A, interrupted while its change settles, resumes with it.
func TestConcurrentRunKeepsALiveGuard(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	const guardID = "rightsize-guard-mandible-prod-g1-to1"
	ctxA, cancelA := context.WithCancel(context.Background())
	defer cancelA()
	oA, oB := *e.o, *e.o
	aCreated, goA, aChanged, goA2 := pausedAt(&oA, StepGuardCreate, StepChange)
	bWaiting, goB := pausedAtFirstSleep(&oB) // B has found A's guard in-progress and waits for it
	aDone, bDone := make(chan runResult, 1), make(chan runResult, 1)
	go func() { r, err := oA.Run(ctxA, req); aDone <- runResult{r, err} }()
	<-aCreated
	go func() { r, err := oB.Run(context.Background(), req); bDone <- runResult{r, err} }()
	<-bWaiting
	close(goA)
	<-aChanged
	close(goB)
	b := <-bDone
	var pe *PrecheckError
	if !errors.As(b.err, &pe) || pe.Reason != ReasonConcurrentRun {
		t.Fatalf("B: %v, want a refusal for a concurrent run", b.err)
	}
	if got := e.snapshotTags(KindInstance, guardID)[TagOutcome]; got != OutcomeChanging {
		t.Fatalf("A's guard outcome after B: %q, want %q", got, OutcomeChanging)
	}
	cancelA() // Ctrl-C on A while its change settles
	close(goA2)
	a := <-aDone
	var ce *ChangeError
	if !errors.As(a.err, &ce) || !ce.Interrupted || !ce.Changed {
		t.Fatalf("A: %v, want an interrupted run that made its change", a.err)
	}
	res, err := e.o.Run(context.Background(), req)
	if err != nil || !res.Resumed || res.Nodes != 1 || res.GuardSnapshotID != guardID {
		t.Fatalf("A applied again: %+v, %v; want the change resumed with %s", res, err, guardID)
	}
}

// TestConcurrentRunStopsBeforeItsChange: the other order. B sets A's guard aside (A was still
// waiting for it and had changed nothing) and goes on with a guard of its own; A, about to
// change the database, reads its guard's tags again, finds it set aside, and stops with nothing
// changed instead of changing the database behind a guard no run will use.
func TestConcurrentRunStopsBeforeItsChange(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	oA, oB := *e.o, *e.o
	aCreated, goA, aVerified, goA2 := pausedAt(&oA, StepGuardCreate, StepGuardVerified)
	// B stops (as if interrupted) once it has created its own guard: it set A's aside first.
	oB.OnStep = func(s Step) error {
		if s == StepGuardCreate {
			return errors.New("B stopped by the test")
		}
		return nil
	}
	aDone := make(chan runResult, 1)
	go func() { r, err := oA.Run(context.Background(), req); aDone <- runResult{r, err} }()
	<-aCreated
	close(goA)
	<-aVerified
	if _, err := oB.Run(context.Background(), req); err == nil {
		t.Fatal("B was not stopped")
	}
	if got := e.snapshotTags(KindInstance, "rightsize-guard-mandible-prod-g1-to1")[TagOutcome]; got != OutcomeSuperseded {
		t.Fatalf("A's guard outcome after B: %q, want %q", got, OutcomeSuperseded)
	}
	e.srv.ResetLog()
	close(goA2)
	a := <-aDone
	var pe *PrecheckError
	if !errors.As(a.err, &pe) || pe.Reason != ReasonConcurrentRun {
		t.Fatalf("A: %v, want a refusal for a concurrent run", a.err)
	}
	if n := len(e.srv.Calls("ModifyDBInstance")); n != 0 {
		t.Errorf("A made %d ModifyDBInstance calls after its guard was set aside", n)
	}
}

// TestRetireFailedEarlierGuard: an interrupted run's guard snapshot fails while the next run
// waits for it. A failed snapshot is no other run's restore point: the run sets it aside and
// goes on with a guard of its own (not a concurrent-run refusal).
func TestRetireFailedEarlierGuard(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	e.runInterrupted(t, req, StepGuardCreate)
	e.srv.FailSnapshot("rightsize-guard-mandible-prod-g1-to1")
	res, err := e.o.Run(context.Background(), req)
	if err != nil || res.Nodes != 1 || res.GuardSnapshotID != GuardSnapshotID("", mandible, 1, 1, 2) {
		t.Fatalf("re-run after an interruption: %+v, %v; want the change made behind a second guard", res, err)
	}
}

// TestConcurrentRunFinishedMeanwhile: B waits for A's guard to set it aside as an interrupted
// run's, and A, not interrupted, completes its change meanwhile. A guard whose outcome moved
// past in-progress (changing, completed, rolling back) is another run's record: B refuses, and
// A's guard keeps saying completed (so re-running A's change reports it done).
func TestConcurrentRunFinishedMeanwhile(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	const guardID = "rightsize-guard-mandible-prod-g1-to1"
	oA, oB := *e.o, *e.o
	aCreated, goA, _, _ := pausedAt(&oA, StepGuardCreate, "")
	bWaiting, goB := pausedAtFirstSleep(&oB)
	aDone, bDone := make(chan runResult, 1), make(chan runResult, 1)
	go func() { r, err := oA.Run(context.Background(), req); aDone <- runResult{r, err} }()
	<-aCreated
	go func() { r, err := oB.Run(context.Background(), req); bDone <- runResult{r, err} }()
	<-bWaiting
	close(goA)
	if a := <-aDone; a.err != nil {
		t.Fatalf("A: %v", a.err)
	}
	close(goB)
	b := <-bDone
	var pe *PrecheckError
	if !errors.As(b.err, &pe) || pe.Reason != ReasonConcurrentRun {
		t.Fatalf("B: %v, want a refusal for a concurrent run", b.err)
	}
	if got := e.snapshotTags(KindInstance, guardID)[TagOutcome]; got != OutcomeCompleted {
		t.Errorf("A's guard outcome after B: %q, want %q", got, OutcomeCompleted)
	}
	if res, err := e.o.Run(context.Background(), req); err != nil || !strings.Contains(res.Action, "completed by an earlier apply") {
		t.Errorf("re-running A's change: %+v, %v; want it reported done", res, err)
	}
}

// TestExpectedReaderAfterFailover: the plan named the reader to remove (Request.ExpectedReader);
// a failover since made it the writer. The run refuses (ReasonFailover) and changes nothing,
// rather than removing the instance the plan kept.
func TestExpectedReaderAfterFailover(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	if _, err := e.api.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(30 * time.Minute)
	e.srv.ResetLog()
	_, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1, ExpectedReader: ssoReader})
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonFailover || !strings.Contains(err.Error(), "the plan named reader "+ssoReader) {
		t.Fatalf("run: %v, want a refusal naming the planned reader", err)
	}
	for _, op := range []string{"CreateDBClusterSnapshot", "DeleteDBInstance"} {
		if n := len(e.srv.Calls(op)); n != 0 {
			t.Errorf("%d %s calls, want none", n, op)
		}
	}
	// Named as the reader it is now, the change goes ahead.
	if res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1, ExpectedReader: ssoWriter}); err != nil || res.Nodes != 1 {
		t.Fatalf("run naming today's reader: %+v, %v", res, err)
	}
}

// failOverTo fails sso-prod over to its instance id, and lets the failover finish.
func failOverTo(t *testing.T, e *env, id string) {
	t.Helper()
	if _, err := e.api.FailoverDBCluster(context.Background(), &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("sso-prod"),
		TargetDBInstanceIdentifier: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(30 * time.Minute)
}

// TestCompletedGuardReaderIgnored: a completed guard of an earlier change (a resource created
// anew reuses generation 1, after a replacement with restore_on_destroy, say) records the reader
// that change removed. The reader has been recreated since and a failover made it the writer: the
// old record is no open change's, so the new change removes today's reader instead of refusing
// as if its own recorded reader had become the writer.
func TestCompletedGuardReaderIgnored(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	earlierResourceRoundTrip(t, e)
	failOverTo(t, e, ssoReader)
	res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil || res.Nodes != 1 || res.Previous.Reader == nil || res.Previous.Reader.Identifier != ssoWriter {
		t.Fatalf("a new change after a failover: %+v, %v; want %s (today's reader) removed", res, err, ssoWriter)
	}
}

// TestPreviewReaderIgnoresClosedGuard: a resource created anew (generation 1) for a cluster already
// at one node finds generation 1's completed guard, which records a reader long since recreated
// and made the writer by a failover. The preview names no reader from that closed record (a plan
// holding it would name the writer, and a replacement's apply would stop after its restore).
func TestPreviewReaderIgnoresClosedGuard(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	earlierResourceRoundTrip(t, e)
	failOverTo(t, e, ssoReader)
	if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 3}); err != nil {
		t.Fatal(err)
	}
	p, err := e.o.Preview(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	if p.Reader != "" {
		t.Errorf("preview names reader %q from a closed change's guard (today %s is the writer)", p.Reader, ssoReader)
	}
}

// Two applies of the same change at once: A describes the database (2 nodes, available), then B
// takes the guard, tags it changing and turns Multi-AZ off. A finds B's guard changing with the
// database original in its own describe; a fresh describe shows B's change under way, so A
// refuses as a concurrent run, leaving B's guard alone, instead of reporting the change rolled
// back ("already back at 2 node(s)") and tagging B's live guard rolled-back.
func TestConcurrentRunSeenChangingNotRolledBack(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	const guardID = "rightsize-guard-mandible-prod-g1-to1"
	oA, oB := *e.o, *e.o
	aPre, goA, _, _ := pausedAt(&oA, StepPrecheck, "none")
	bChanged, goB, _, _ := pausedAt(&oB, StepChange, "none")
	aDone, bDone := make(chan runResult, 1), make(chan runResult, 1)
	go func() { r, err := oA.Run(context.Background(), req); aDone <- runResult{r, err} }()
	<-aPre // A has described the database: 2 nodes, available
	go func() { r, err := oB.Run(context.Background(), req); bDone <- runResult{r, err} }()
	<-bChanged // B has requested ModifyDBInstance MultiAZ=false
	close(goA)
	a := <-aDone
	tagAfterA := e.snapshotTags(KindInstance, guardID)[TagOutcome]
	close(goB)
	b := <-bDone
	var pe *PrecheckError
	if !errors.As(a.err, &pe) || pe.Reason != ReasonConcurrentRun || !strings.Contains(a.err.Error(), "at the same time") {
		t.Errorf("A: %v, want a concurrent-run refusal", a.err)
	}
	if tagAfterA != OutcomeChanging {
		t.Errorf("A re-tagged B's live guard %q, want it left %q", tagAfterA, OutcomeChanging)
	}
	if b.err != nil || b.res == nil || b.res.Nodes != 1 {
		t.Errorf("B: %v %+v, want its change made", b.err, b.res)
	}
}

// TestConcurrentRunSameGuardIdentifier: two applies of the same change (same prefix and
// generation: a module instantiated twice, or two workspaces) both find no guard snapshot and ask
// RDS for the same identifier. A's request creates it; B's is refused as already existing. B
// must not take A's guard for its own (a lost answer to its own request): it would change the
// database behind a snapshot it did not take, validate against its own baseline, and lose its
// restore point if A deletes its guard. B stops, having changed nothing; A's change goes on.
func TestConcurrentRunSameGuardIdentifier(t *testing.T) {
	for _, tc := range []struct {
		target Target
		id     string
		change string
	}{
		{mandible, "rightsize-guard-mandible-prod-g1-to1", "ModifyDBInstance"},
		{sso, "rightsize-guard-sso-prod-g1-to1", "DeleteDBInstance"},
	} {
		t.Run(tc.target.Identifier, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			req := Request{Target: tc.target, Nodes: 1, Generation: 1, Validator: okValidator{}}
			oA, oB := *e.o, *e.o
			aBase, goA, aCreated, goA2 := pausedAt(&oA, StepBaseline, StepGuardCreate)
			bBase, goB, _, _ := pausedAt(&oB, StepBaseline, "none")
			aDone, bDone := make(chan runResult, 1), make(chan runResult, 1)
			go func() { r, err := oA.Run(context.Background(), req); aDone <- runResult{r, err} }()
			go func() { r, err := oB.Run(context.Background(), req); bDone <- runResult{r, err} }()
			<-aBase
			<-bBase // both have looked for guard snapshots and found none
			close(goA)
			<-aCreated // A's CreateDB(Cluster)Snapshot has created tc.id
			close(goB)
			b := <-bDone
			var pe *PrecheckError
			if !errors.As(b.err, &pe) || pe.Reason != ReasonConcurrentRun || !strings.Contains(b.err.Error(), tc.id+" already exists, taken by another run") {
				t.Fatalf("B: %v, want a concurrent-run refusal naming %s", b.err, tc.id)
			}
			if got := e.snapshotTags(tc.target.Kind, tc.id)[TagOutcome]; got != OutcomeInProgress {
				t.Errorf("A's guard outcome after B: %q, want %q", got, OutcomeInProgress)
			}
			close(goA2)
			a := <-aDone
			if a.err != nil || a.res.Nodes != 1 || a.res.GuardSnapshotID != tc.id {
				t.Fatalf("A: %+v, %v; want its change made behind %s", a.res, a.err, tc.id)
			}
			if n := len(e.srv.Calls(tc.change)); n != 1 {
				t.Errorf("%d %s calls, want A's one", n, tc.change)
			}
		})
	}
}

// createTwiceRDS sends each CreateDBSnapshot and CreateDBClusterSnapshot to RDS twice and returns
// the second answer: what the SDK's retry sees when the first answer was lost on the way back.
type createTwiceRDS struct{ RDSAPI }

func (c createTwiceRDS) CreateDBSnapshot(ctx context.Context, in *rds.CreateDBSnapshotInput, f ...func(*rds.Options)) (*rds.CreateDBSnapshotOutput, error) {
	if _, err := c.RDSAPI.CreateDBSnapshot(ctx, in, f...); err != nil {
		return nil, err
	}
	return c.RDSAPI.CreateDBSnapshot(ctx, in, f...)
}

func (c createTwiceRDS) CreateDBClusterSnapshot(ctx context.Context, in *rds.CreateDBClusterSnapshotInput, f ...func(*rds.Options)) (*rds.CreateDBClusterSnapshotOutput, error) {
	if _, err := c.RDSAPI.CreateDBClusterSnapshot(ctx, in, f...); err != nil {
		return nil, err
	}
	return c.RDSAPI.CreateDBClusterSnapshot(ctx, in, f...)
}

// TestGuardCreatedAnswerLost: a run's request to create its guard snapshot succeeded but its answer
// was lost, and the retry is answered "already exists". The snapshot carries this run's TagRun:
// it is the run's own guard, and the change goes on behind it.
func TestGuardCreatedAnswerLost(t *testing.T) {
	for _, target := range []Target{mandible, sso} {
		t.Run(target.Identifier, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			o := *e.o
			o.RDS = createTwiceRDS{o.RDS}
			res, err := o.Run(context.Background(), Request{Target: target, Nodes: 1, Generation: 1})
			if err != nil || res.Nodes != 1 || res.GuardSnapshotID != "rightsize-guard-"+target.Identifier+"-g1-to1" {
				t.Fatalf("%+v, %v; want the change made behind the guard snapshot RDS said already existed", res, err)
			}
			op := "CreateDBSnapshot"
			if target.Kind == KindCluster {
				op = "CreateDBClusterSnapshot"
			}
			if calls := e.srv.Calls(op); len(calls) != 2 || calls[1].ErrorCode == "" {
				t.Errorf("%s calls %+v, want two, the second refused as already existing", op, calls)
			}
		})
	}
}

// TestConcurrentRunReaderBeingDeleted: while A's change of sso-prod to 1 node deletes the reader,
// B (another workspace's destroy with restore_on_destroy, a change to 2 nodes) must not take the
// reader being deleted for a second node ("already at target": the destroy would end in silence
// with the cluster at 1 node). It is refused as busy, saying to wait and plan again.
func TestConcurrentRunReaderBeingDeleted(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	aChanged, goA, aDone := runPausedAt(e, StepChange, Request{Target: sso, Nodes: 1, Generation: 1})
	<-aChanged // A's DeleteDBInstance of the reader is under way
	_, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 2, Generation: 2})
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonStatus || !strings.Contains(err.Error(), `"delete-precheck"`) || !strings.Contains(err.Error(), busyAdvice) {
		t.Errorf("B (to 2 nodes) while the reader is deleted: %v, want a refusal of the busy cluster saying to wait", err)
	}
	close(goA)
	if a := <-aDone; a.err != nil || e.topology(sso).Nodes != 1 {
		t.Fatalf("A: %v, %d node(s); want its change made", a.err, e.topology(sso).Nodes)
	}
}

// TestConcurrentRunOtherPrefixBusy: two applies of one change with different guard prefixes. B
// finds the DB instance backing up for A's guard snapshot (no guard of B's own): the refusal says
// another apply may be changing it and to wait, not only that it must be available.
func TestConcurrentRunOtherPrefixBusy(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	aCreated, goA, aDone := runPausedAt(e, StepGuardCreate, Request{Target: mandible, Nodes: 1, Generation: 1})
	<-aCreated
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, SnapshotPrefix: "other"})
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonStatus || !strings.Contains(err.Error(), `"backing-up"`) || !strings.Contains(err.Error(), busyAdvice) {
		t.Errorf("B: %v, want a refusal of the busy instance saying to wait", err)
	}
	close(goA)
	if a := <-aDone; a.err != nil {
		t.Fatalf("A: %v", a.err)
	}
}

// TestGuardRefusedBusy: RDS refuses the guard snapshot because the database became busy after
// the run described it (another run's snapshot, say): the error says to wait and plan again.
func TestGuardRefusedBusy(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.srv.InjectFaults(sandbox.FaultRule{Operation: "CreateDBSnapshot", Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Code: "InvalidDBInstanceState",
		Message: "Cannot create a snapshot because the database instance mandible-prod is not currently in the available state."}}})
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	var ce *ChangeError
	if !errors.As(err, &ce) || ce.Changed || !strings.Contains(err.Error(), "InvalidDBInstanceState") || !strings.Contains(err.Error(), busyAdvice) {
		t.Errorf("%v, want the refused guard snapshot reported with what to do", err)
	}
}

// TestConcurrentRunRetiresDuringVerifyRestore: A (verify_restore) is restoring its guard snapshot
// to the temporary instance when B, an apply of the same change, finds A's guard still in progress
// and sets it aside as an interrupted run's, removing the temporary instance. A does not report a
// guard snapshot that failed its restore test: it finds its guard set aside and stops as a
// concurrent run, having changed nothing, while B makes the change behind its own guard.
func TestConcurrentRunRetiresDuringVerifyRestore(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	aRestoring, goA, aDone := runPausedAt(e, StepRestoreCreate, Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true})
	<-aRestoring
	b, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	if err != nil || b.SupersededGuardSnapshotID != "rightsize-guard-mandible-prod-g1-to1" || b.GuardSnapshotID != "rightsize-guard-mandible-prod-g1-to1-r2" {
		t.Fatalf("B: %+v, %v; want A's guard set aside and the change made behind its own", b, err)
	}
	// B tags A's guard superseded before it deletes A's temporary instance, so that A, alive,
	// finds why its instance went away whenever it looks.
	var tagged, deleted int
	for i, en := range e.srv.Log() {
		switch {
		case en.Operation == "AddTagsToResource" && slices.Contains(slices.Collect(maps.Values(en.Params)), OutcomeSuperseded):
			tagged = i + 1
		case en.Operation == "DeleteDBInstance" && strings.HasPrefix(en.Params["DBInstanceIdentifier"], "rs-verify-"):
			deleted = i + 1
		}
	}
	if tagged == 0 || deleted == 0 || tagged > deleted {
		t.Errorf("B tagged A's guard superseded at request %d and deleted A's temporary instance at %d; want both, the tag first", tagged, deleted)
	}
	close(goA)
	a := <-aDone
	var pe *PrecheckError
	if !errors.As(a.err, &pe) || pe.Reason != ReasonConcurrentRun || !strings.Contains(a.err.Error(), "was set aside (tagged rightsize:outcome = superseded) by another run") {
		t.Errorf("A: %v, want a concurrent-run refusal, not a failed restore test", a.err)
	}
	if n := len(e.srv.Calls("ModifyDBInstance")); n != 1 {
		t.Errorf("%d ModifyDBInstance calls, want B's one", n)
	}
}

// heldModifyRDS holds each ModifyDBInstance until release is closed, after reached is closed.
type heldModifyRDS struct {
	RDSAPI
	reached, release chan struct{}
}

func (h heldModifyRDS) ModifyDBInstance(ctx context.Context, in *rds.ModifyDBInstanceInput, f ...func(*rds.Options)) (*rds.ModifyDBInstanceOutput, error) {
	close(h.reached)
	<-h.release
	return h.RDSAPI.ModifyDBInstance(ctx, in, f...)
}

// TestConcurrentRunChangeNotYetShown: A has tagged its guard changing and its ModifyDBInstance is
// on its way (held back here, as by the SDK's retries or RDS showing the old state for a while),
// when B, an apply of the same change, finds the guard changing and the instance still Multi-AZ.
// B does not take it for a change that did not take effect (tagging A's live guard rolled back
// and reporting a rollback): it watches for up to changeShowsWithin, sees the change arrive and
// refuses as a concurrent run; A's change completes (a plan meanwhile does not wait: the apply
// looks again). A guard tagged changing longer ago than that
// (an apply interrupted before its change took effect) is finished as a rollback at once, as before.
func TestConcurrentRunChangeNotYetShown(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	const guardID = "rightsize-guard-mandible-prod-g1-to1"
	oA := *e.o
	held := heldModifyRDS{RDSAPI: e.o.RDS, reached: make(chan struct{}), release: make(chan struct{})}
	oA.RDS = held
	aDone := make(chan runResult, 1)
	go func() { r, err := oA.Run(context.Background(), req); aDone <- runResult{r, err} }()
	<-held.reached // A has tagged its guard changing; its ModifyDBInstance waits
	var once sync.Once
	release := func() { once.Do(func() { close(held.release) }) }
	defer release()
	// A plan meanwhile looks once and never waits (the apply watches).
	oP := *e.o
	oP.Sleep = func(ctx context.Context, d time.Duration) error {
		t.Error("a plan waited for the change to show")
		return e.o.Sleep(ctx, d)
	}
	if _, err := oP.Preview(context.Background(), req); err != nil {
		t.Errorf("plan: %v", err)
	}
	oB := *e.o
	sleeps := 0
	oB.Sleep = func(ctx context.Context, d time.Duration) error {
		sleeps++
		if sleeps == 2 { // B watches; A's call reaches RDS meanwhile
			release()
			for len(e.srv.Calls("ModifyDBInstance")) == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		return e.o.Sleep(ctx, d)
	}
	_, err := oB.Run(context.Background(), req)
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonConcurrentRun || !strings.Contains(err.Error(), "is changing now") {
		t.Errorf("B: %v, want a concurrent-run refusal once A's change shows", err)
	}
	for _, en := range e.srv.Calls("AddTagsToResource") {
		if slices.Contains(slices.Collect(maps.Values(en.Params)), OutcomeRolledBack) {
			t.Errorf("A's live guard was tagged %s (request %d)", OutcomeRolledBack, en.Seq)
		}
	}
	release()
	if a := <-aDone; a.err != nil || a.res.Nodes != 1 {
		t.Fatalf("A: %+v, %v; want its change made", a.res, a.err)
	}

	// An apply interrupted after tagging its guard changing, before its call took effect: once
	// changeShowsWithin has passed, the next apply finishes it as a rollback without watching.
	e2 := newEnv(t, sandbox.Demo())
	tagged := false
	o := *e2.o
	o.OnStep = func(s Step) error {
		if s == StepGuardVerified && !tagged {
			tagged = true
			return errors.New("test interruption after the guard was verified")
		}
		return nil
	}
	if _, err := o.Run(context.Background(), req); err == nil {
		t.Fatal("the first run was not interrupted")
	}
	g, err := loadGuard(context.Background(), e2.api, KindInstance, guardID)
	if err != nil {
		t.Fatal(err)
	}
	at := e2.srv.Now().Add(-changeShowsWithin - time.Second).UTC().Format(time.RFC3339Nano)
	if _, err := e2.api.AddTagsToResource(context.Background(), &rds.AddTagsToResourceInput{ResourceName: &g.arn,
		Tags: []rdstypes.Tag{{Key: aws.String(TagOutcome), Value: aws.String(OutcomeChanging)}, {Key: aws.String(TagChangeRequested), Value: aws.String(at)}}}); err != nil {
		t.Fatal(err)
	}
	before := e2.srv.Now()
	_, err = e2.o.Run(context.Background(), req)
	var ce *ChangeError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "did not take effect") {
		t.Errorf("after the interruption: %v, want the unfinished change closed as not taken effect", err)
	}
	if waited := e2.srv.Now().Sub(before); waited >= changeShowsWithin {
		t.Errorf("the run watched %s for a change requested more than %s ago", waited, changeShowsWithin)
	}
	if got := e2.snapshotTags(KindInstance, guardID)[TagOutcome]; got != OutcomeRolledBack {
		t.Errorf("guard after the run: %q, want %q", got, OutcomeRolledBack)
	}
}

// setAsideBeforeCleanup leaves, as interruptions do, the guard snapshot of req's change (with
// verify_restore, on mandible-prod) set aside with its temporary restore instance still there: A
// is interrupted while its guard is restored to the instance, B sets A's guard aside and is
// interrupted at its first wait (for the instance). It returns the instance's identifier.
func setAsideBeforeCleanup(t *testing.T, e *env, req Request) string {
	t.Helper()
	e.runInterrupted(t, req, StepRestoreCreate)
	ctx, cancel := context.WithCancel(context.Background())
	oB := *e.o
	oB.Sleep = func(c context.Context, d time.Duration) error {
		cancel() // Ctrl-C at B's first wait: for the temporary instance, once the guard is set aside
		return e.o.Sleep(c, d)
	}
	if _, err := oB.Run(ctx, req); err == nil {
		t.Fatal("B was not interrupted")
	}
	return restoreInstanceID(GuardSnapshotID(req.SnapshotPrefix, req.Target, req.Generation, req.Nodes, 1))
}

// TestSetAsideRestoreInstanceRemoved: A (verify_restore) is interrupted while its guard snapshot
// is restored to the temporary instance; B sets A's guard aside (tagging it superseded first) and
// is interrupted while it waits to remove that instance. The next run, C, finds the guard set
// aside and removes the instance before it goes on: no run would otherwise (a set-aside guard is
// never set aside again), and it would be billed until found by hand.
func TestSetAsideRestoreInstanceRemoved(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true}
	const guardID = "rightsize-guard-mandible-prod-g1-to1"
	tmp := setAsideBeforeCleanup(t, e, req)
	if tmp != restoreInstanceID(guardID) {
		t.Fatalf("temporary instance %s, want that of %s", tmp, guardID)
	}
	if got := e.snapshotTags(KindInstance, guardID)[TagOutcome]; got != OutcomeSuperseded {
		t.Fatalf("A's guard after B: %q, want %q", got, OutcomeSuperseded)
	}
	if _, err := FindDBInstance(context.Background(), e.api, tmp); err != nil {
		t.Fatalf("temporary instance after B: %v, want it still there", err)
	}
	if res, err := e.o.Run(context.Background(), req); err != nil || res.Nodes != 1 {
		t.Fatalf("C: %+v, %v", res, err)
	}
	if _, err := FindDBInstance(context.Background(), e.api, tmp); !IsNotFound(err) {
		t.Errorf("temporary instance %s of the set-aside guard after C: %v, want it removed", tmp, err)
	}
}

// The watch for a change requested by another run polls at DefaultPollMin when PollMin is not
// positive (a negative one made every sleep a no-op: Describe without a pause).
func TestChangeShowsPollsAtDefault(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	o := *e.o
	o.PollMin = -time.Second
	var sleeps []time.Duration
	o.Sleep = func(ctx context.Context, d time.Duration) error {
		if sleeps = append(sleeps, d); d <= 0 {
			t.Fatalf("slept %s", d)
		}
		return e.o.Sleep(ctx, d)
	}
	r := &run{o: &o, req: Request{Target: mandible, Nodes: 1, Generation: 1}}
	g := &guard{id: "g", tags: map[string]string{TagFromNodes: "2", TagChangeRequested: e.srv.Now().UTC().Format(time.RFC3339Nano)}}
	left, err := r.changeShows(context.Background(), g)
	if err != nil || left {
		t.Fatalf("%t, %v; want the instance not to have moved", left, err)
	}
	if want := int(changeShowsWithin / DefaultPollMin); len(sleeps) != want || slices.ContainsFunc(sleeps, func(d time.Duration) bool { return d != DefaultPollMin }) {
		t.Errorf("sleeps %v, want %d of %s", sleeps, want, DefaultPollMin)
	}
}

// A guard snapshot is taken only with room for the tags a change adds to it later (the time it
// was requested, a restore verified, a failure): with one tag too many the change is refused
// before anything is taken; one fewer goes through a change that writes all three, within RDS's
// 50 tags.
func TestGuardTagRoom(t *testing.T) {
	run := func(extra int, req Request) (*env, error) {
		e := newEnv(t, sandbox.Demo())
		req.Tags = map[string]string{}
		for i := range extra {
			req.Tags[fmt.Sprintf("team-%02d", i)] = "x"
		}
		_, err := e.o.Run(context.Background(), req)
		return e, err
	}
	plain := Request{Target: mandible, Nodes: 1, Generation: 1}
	e, err := run(0, plain)
	if err != nil {
		t.Fatal(err)
	}
	base := 0 // the provider's own tags at creation
	for k := range e.srv.Calls("CreateDBSnapshot")[0].Params {
		if strings.HasSuffix(k, ".Key") {
			base++
		}
	}
	room := maxTags - 3 - base // rightsize:change-requested, restore-verified and failure come later
	if e, err := run(room+1, plain); err == nil || !strings.Contains(err.Error(), "exceed the RDS limit of 50") || len(e.srv.Calls("CreateDBSnapshot")) != 0 {
		t.Errorf("%d tags of the user's: %v, want the change refused before a guard is taken", room+1, err)
	}
	full := plain
	full.VerifyRestore, full.Validator = true, mismatchValidator{}
	e, err = run(room, full)
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack {
		t.Fatalf("%d tags of the user's: %v, want the change validated, failed and rolled back", room, err)
	}
	tags := e.snapshotTags(KindInstance, "rightsize-guard-mandible-prod-g1-to1")
	for _, k := range []string{TagChangeRequested, TagRestoreVerified, TagFailure} {
		if tags[k] == "" {
			t.Errorf("the guard lacks %s", k)
		}
	}
	if len(tags) != maxTags {
		t.Errorf("the guard has %d tags, want exactly RDS's %d", len(tags), maxTags)
	}
}

// Removing a set-aside guard's temporary restore instance is best effort: when RDS refuses it, the
// run goes on with its change (and the instance is left for a later apply or the user).
func TestSetAsideRestoreCleanupBestEffort(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true}
	tmp := setAsideBeforeCleanup(t, e, req)
	e.srv.InjectFaults(sandbox.FaultRule{Operation: "DeleteDBInstance", Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "denied for the test"}}})
	e.srv.ResetLog()
	res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	if err != nil || res.Nodes != 1 {
		t.Fatalf("C: %+v, %v; want its change made though the clean-up was refused", res, err)
	}
	if calls := e.srv.Calls("DeleteDBInstance"); len(calls) != 1 || calls[0].Params["DBInstanceIdentifier"] != tmp || calls[0].ErrorCode != "AccessDenied" {
		t.Errorf("DeleteDBInstance calls %+v, want the one refused for %s", calls, tmp)
	}
	if _, err := FindDBInstance(context.Background(), e.api, tmp); err != nil {
		t.Errorf("temporary instance %s: %v, want it left after the refused clean-up", tmp, err)
	}
	if len(res.RestoreInstancesLeft) != 1 || !strings.HasPrefix(res.RestoreInstancesLeft[0], tmp+" (of guard snapshot rightsize-guard-mandible-prod-g1-to1: ") {
		t.Errorf("instances left %q, want %s named for the warning", res.RestoreInstancesLeft, tmp)
	}
}

// The temporary restore instance of an earlier attempt of the change, no longer the latest (a
// later apply could not remove it, then was interrupted after taking its own guard), is removed by
// the next apply of the change.
func TestEarlierAttemptRestoreInstanceRemoved(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true}
	tmp := setAsideBeforeCleanup(t, e, req) // attempt 1 set aside, its temporary instance left
	e.srv.InjectFaults(sandbox.FaultRule{Operation: "DeleteDBInstance", Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "denied for the test"}}})
	plain := Request{Target: mandible, Nodes: 1, Generation: 1}
	e.runInterrupted(t, plain, StepGuardCreate) // C: cannot remove it, takes attempt 2, interrupted
	if _, err := FindDBInstance(context.Background(), e.api, tmp); err != nil {
		t.Fatalf("temporary instance after C: %v, want it still there", err)
	}
	res, err := e.o.Run(context.Background(), plain) // D
	if err != nil || res.Nodes != 1 || len(res.RestoreInstancesLeft) != 0 {
		t.Fatalf("D: %+v, %v", res, err)
	}
	if _, err := FindDBInstance(context.Background(), e.api, tmp); !IsNotFound(err) {
		t.Errorf("temporary instance %s of attempt 1 after D: %v, want it removed", tmp, err)
	}
}

// createdByHandRDS takes a manual snapshot of the same name, without tags, right before each
// CreateDBSnapshot: someone took one under the guard's identifier after the run looked for guards.
// With of set, the snapshot taken by hand is of that other DB instance.
type createdByHandRDS struct {
	RDSAPI
	of string
}

func (c createdByHandRDS) CreateDBSnapshot(ctx context.Context, in *rds.CreateDBSnapshotInput, f ...func(*rds.Options)) (*rds.CreateDBSnapshotOutput, error) {
	src := in.DBInstanceIdentifier
	if c.of != "" {
		src = &c.of
	}
	if _, err := c.RDSAPI.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: src, DBSnapshotIdentifier: in.DBSnapshotIdentifier}, f...); err != nil {
		return nil, err
	}
	return c.RDSAPI.CreateDBSnapshot(ctx, in, f...)
}

// A snapshot taken by hand under the guard's identifier between the run's look for guards and its
// own request is no other run's guard: the run stops, having changed nothing, saying to choose
// another prefix.
func TestGuardIdentifierTakenByHand(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	o := *e.o
	o.RDS = createdByHandRDS{RDSAPI: o.RDS}
	_, err := o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonForeignGuard || !strings.Contains(err.Error(), "is not a guard snapshot this provider took") {
		t.Errorf("%v, want a refusal naming the foreign snapshot", err)
	}
	if n := len(e.srv.Calls("ModifyDBInstance")); n != 0 {
		t.Errorf("%d ModifyDBInstance calls, want none", n)
	}
	// As the message says, applying again goes on behind the next attempt's identifier.
	e.srv.Advance(time.Hour) // the snapshot taken by hand done
	if res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1}); err != nil || res.GuardSnapshotID != "rightsize-guard-mandible-prod-g1-to1-r2" {
		t.Errorf("applied again: %+v, %v; want the change made behind attempt 2", res, err)
	}
}

// The same with a snapshot of another database under the guard's identifier: refused as that
// database's, as when the run finds it among this change's guards, saying to choose another prefix.
func TestGuardIdentifierTakenByOtherDatabase(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.createStandalone(t, "other-db")
	o := *e.o
	o.RDS = createdByHandRDS{RDSAPI: o.RDS, of: "other-db"}
	_, err := o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonForeignGuard || !strings.Contains(err.Error(), "exists but belongs to other-db; choose another snapshot_identifier_prefix") {
		t.Errorf("%v, want a refusal naming the other database", err)
	}
	if n := len(e.srv.Calls("ModifyDBInstance")); n != 0 {
		t.Errorf("%d ModifyDBInstance calls, want none", n)
	}
}

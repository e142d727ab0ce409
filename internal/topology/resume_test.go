package topology

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// Regression tests for how a run reads what earlier runs left behind: a reader name taken by
// another database, guards of finished changes, gaps in the attempt numbers, a rollback cut
// short, and a deferred change asked to go back.

// callsSince returns the calls of op logged after sequence number seq.
func (e *env) callsSince(op string, seq int) []sandbox.LogEntry {
	var out []sandbox.LogEntry
	for _, en := range e.srv.Calls(op) {
		if en.Seq > seq {
			out = append(out, en)
		}
	}
	return out
}

// lastSeq is the sequence number of the last logged request.
func (e *env) lastSeq() int {
	if l := e.srv.Log(); len(l) > 0 {
		return l[len(l)-1].Seq
	}
	return 0
}

// crashOnceRollbackStarts makes every call after the rollback's ModifyDBInstance fail, as if the
// process were gone before it could record the outcome; the returned flag reports that it did.
func (e *env) crashOnceRollbackStarts() *bool {
	crashed := new(bool)
	e.onSleep = func() {
		if !*crashed && stuckRollbackStarted(e) {
			*crashed = true
			var fs []sandbox.Fault
			for range 50 {
				fs = append(fs, sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "gone"})
			}
			e.srv.InjectFaults(sandbox.FaultRule{Operation: "*", Sequence: fs})
		}
	}
	return crashed
}

func (e *env) createStandalone(t *testing.T, id string) {
	t.Helper()
	if _, err := e.api.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
		DBInstanceClass: aws.String("db.t4g.micro"), Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
}

// removeReaderUnrecorded takes sso-prod to 1 node, leaving no record of its reader: a cluster
// imported at 1 node, whose going to 2 nodes makes a reader after the writer. (A guard snapshot
// recording the removal would be used for the reader: unrecordedRemoval.)
func (e *env) removeReaderUnrecorded(t *testing.T) {
	t.Helper()
	if _, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1}); err != nil {
		t.Fatal(err)
	}
	for _, id := range e.guards(sso, DefaultSnapshotPrefix) {
		if _, err := e.api.DeleteDBClusterSnapshot(context.Background(), &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	e.srv.Advance(time.Hour)
}

// A reader identifier taken by a DB instance outside the cluster refuses the change to 2 nodes
// before anything is created; one that appears after the precheck makes the create fail, and the
// other instance is never deleted.
func TestReaderNameTakenOutsideTheCluster(t *testing.T) {
	t.Run("precheck", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		ctx := context.Background()
		e.removeReaderUnrecorded(t)
		e.createStandalone(t, "sso-prod-reader")
		seq := e.lastSeq()
		_, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2})
		var pe *PrecheckError
		if !errors.As(err, &pe) || pe.Reason != ReasonReaderName || !strings.Contains(err.Error(), "sso-prod-reader") || !strings.Contains(err.Error(), "outside the cluster") {
			t.Fatalf("want a %s refusal naming sso-prod-reader, got %v", ReasonReaderName, err)
		}
		for _, op := range []string{"CreateDBClusterSnapshot", "CreateDBInstance", "DeleteDBInstance"} {
			if c := e.callsSince(op, seq); len(c) > 0 {
				t.Errorf("%s called after the refusal: %v", op, c[0].Params)
			}
		}
		if _, err := FindDBInstance(ctx, e.api, "sso-prod-reader"); err != nil {
			t.Fatalf("the other instance: %v", err)
		}
	})
	t.Run("appears after the precheck", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		ctx := context.Background()
		e.removeReaderUnrecorded(t)
		seq := e.lastSeq()
		e.o.OnStep = func(s Step) error {
			if s == StepGuardVerified {
				e.createStandalone(t, "sso-prod-reader")
			}
			return nil
		}
		_, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2})
		var ce *ChangeError
		if !errors.As(err, &ce) || ce.Changed || ce.RollbackAttempted || !strings.Contains(err.Error(), "already exists outside the cluster") {
			t.Fatalf("want an unchanged ChangeError about the taken name, got %v", err)
		}
		if c := e.callsSince("DeleteDBInstance", seq); len(c) > 0 {
			t.Fatalf("DeleteDBInstance called: %v", c[0].Params)
		}
		if inst, err := FindDBInstance(ctx, e.api, "sso-prod-reader"); err != nil || deref(inst.DBClusterIdentifier) != "" {
			t.Fatalf("the other instance: %v %v", inst, err)
		}
		if topo := e.topology(sso); topo.Nodes != 1 {
			t.Fatalf("cluster has %d nodes", topo.Nodes)
		}
	})
}

// The guard of a change that was rolled back is never resumed: when the target has since been
// changed by hand, the run refuses (already at target) instead of validating against the old
// baseline and rolling the hand-made change back behind a snapshot from another apply.
func TestRolledBackGuardIsNotResumed(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	dsn, schema := seedSchema(t)
	req := Request{Target: mandible, Nodes: 1, Generation: 1, Validator: newPGValidator(dsn, schema, false)}
	e.o.OnStep = deleteRows(t, dsn, schema)
	if _, err := e.o.Run(context.Background(), req); err == nil {
		t.Fatal("want a rollback")
	}
	e.o.OnStep = nil
	g1 := GuardSnapshotID("", mandible, 1, 1, 1)
	if got := e.snapshotTags(KindInstance, g1)[TagOutcome]; got != OutcomeRolledBack {
		t.Fatalf("g1 outcome %q", got)
	}
	if _, err := e.api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	seq := e.lastSeq()
	_, err := e.o.Run(context.Background(), req)
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonAlreadyAtTarget {
		t.Fatalf("want %s, got %v", ReasonAlreadyAtTarget, err)
	}
	if c := e.callsSince("ModifyDBInstance", seq); len(c) > 0 {
		t.Fatalf("ModifyDBInstance called: %v", c[0].Params)
	}
	if got := e.snapshotTags(KindInstance, g1)[TagOutcome]; got != OutcomeRolledBack {
		t.Errorf("g1 outcome now %q", got)
	}
	if in := e.instance("mandible-prod"); aws.ToBool(in.MultiAZ) {
		t.Error("Multi-AZ turned back on")
	}
}

// Deleting an earlier attempt's guard (as the superseded-guard warning invites) hides neither the
// latest attempt from a re-run nor its unfinished change from Read, and a new attempt never
// reuses a freed number below the latest.
func TestAttemptGaps(t *testing.T) {
	ctx := context.Background()
	t.Run("resume past a gap", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		req := Request{Target: mandible, Nodes: 1, Generation: 1}
		e.runInterrupted(t, req, StepGuardVerified) // attempt 1, then superseded
		e.runInterrupted(t, req, StepChange)        // attempt 2 began the change
		g1, g2 := GuardSnapshotID("", mandible, 1, 1, 1), GuardSnapshotID("", mandible, 1, 1, 2)
		if _, err := e.api.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(g1)}); err != nil {
			t.Fatal(err)
		}
		id, unfinished, err := UnfinishedChange(ctx, e.api, "", mandible, 1, 1)
		if err != nil || id != g2 || !unfinished {
			t.Fatalf("UnfinishedChange = %q %t %v, want %q true", id, unfinished, err, g2)
		}
		res, err := e.o.Run(ctx, req)
		if err != nil || !res.Resumed || res.GuardSnapshotID != g2 {
			t.Fatalf("re-run: %+v %v", res, err)
		}
		if got := e.snapshotTags(KindInstance, g2)[TagOutcome]; got != OutcomeCompleted {
			t.Errorf("g2 outcome %q", got)
		}
	})
	t.Run("new attempt above the latest", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		dsn, schema := seedSchema(t)
		req := Request{Target: mandible, Nodes: 1, Generation: 1, Validator: newPGValidator(dsn, schema, false)}
		e.runInterrupted(t, req, StepGuardVerified) // attempt 1, abandoned
		e.o.OnStep = deleteRows(t, dsn, schema)
		if _, err := e.o.Run(ctx, req); err == nil { // attempt 1 superseded, attempt 2 rolled back
			t.Fatal("want a rollback")
		}
		e.o.OnStep = nil
		if _, err := e.api.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(GuardSnapshotID("", mandible, 1, 1, 1))}); err != nil {
			t.Fatal(err)
		}
		e.srv.Advance(time.Hour)
		e.runInterrupted(t, req, StepChange)
		g2, g3 := GuardSnapshotID("", mandible, 1, 1, 2), GuardSnapshotID("", mandible, 1, 1, 3)
		guards := e.guards(mandible, "rightsize-guard-")
		slices.Sort(guards)
		if !slices.Equal(guards, []string{g2, g3}) {
			t.Fatalf("guards %v, want %v", guards, []string{g2, g3})
		}
		id, unfinished, err := UnfinishedChange(ctx, e.api, "", mandible, 1, 1)
		if err != nil || id != g3 || !unfinished {
			t.Fatalf("UnfinishedChange = %q %t %v, want %q true", id, unfinished, err, g3)
		}
		res, err := e.o.Run(ctx, req)
		if err != nil || !res.Resumed || res.GuardSnapshotID != g3 {
			t.Fatalf("resume: %+v %v", res, err)
		}
	})
}

// A run cut short during its rollback leaves the guard tagged rolling-back; the next run
// finishes the rollback (or records it when the target is back), fails reporting it, and never
// redoes the failed change behind a new guard; the run after that starts the change anew.
func TestInterruptedRollbackIsFinished(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	dsn, schema := seedSchema(t)
	req := Request{Target: mandible, Nodes: 1, Generation: 1, Validator: newPGValidator(dsn, schema, false)}
	e.o.OnStep = deleteRows(t, dsn, schema)
	injected := e.crashOnceRollbackStarts()
	if _, err := e.o.Run(context.Background(), req); err == nil || !*injected {
		t.Fatalf("first run: %v (fault injected %t)", err, *injected)
	}
	e.srv.ClearFaults()
	e.onSleep, e.o.OnStep = nil, nil
	g1 := GuardSnapshotID("", mandible, 1, 1, 1)
	if got := e.snapshotTags(KindInstance, g1)[TagOutcome]; got != OutcomeRollingBack {
		t.Fatalf("g1 outcome %q, want %q", got, OutcomeRollingBack)
	}
	p, err := e.o.Preview(context.Background(), req)
	if err != nil || !p.RollingBack || p.Resume != g1 || !strings.Contains(PlanSummary(p, req), "finish rolling back") {
		t.Fatalf("preview %+v %v: %s", p, err, PlanSummary(p, req))
	}
	seq := e.lastSeq()
	_, err = e.o.Run(context.Background(), req)
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(ce.Stage, "finishing the rollback") {
		t.Fatalf("second run: want the finished rollback, got %v", err)
	}
	if c := e.callsSince("CreateDBSnapshot", seq); len(c) > 0 {
		t.Fatalf("second run took a new guard: %v", c[0].Params)
	}
	for _, c := range e.callsSince("ModifyDBInstance", seq) {
		if c.Params["MultiAZ"] != "true" {
			t.Fatalf("second run redid the change: %v", c.Params)
		}
	}
	if got := e.snapshotTags(KindInstance, g1)[TagOutcome]; got != OutcomeRolledBack {
		t.Errorf("g1 outcome %q", got)
	}
	if in := e.instance("mandible-prod"); !aws.ToBool(in.MultiAZ) {
		t.Error("Multi-AZ is off after the rollback")
	}
	e.assertGuarded(mandible)
	// The next run starts the change anew, behind a guard of its own.
	res, err := e.o.Run(context.Background(), req)
	if err != nil || res.Resumed || res.GuardSnapshotID != GuardSnapshotID("", mandible, 1, 1, 2) {
		t.Fatalf("third run: %+v %v", res, err)
	}
}

// A change to 1 node deferred to the maintenance window leaves the instance Multi-AZ with the
// opposite change pending: asking for 2 nodes is refused with how to revert it, not reported as
// already done (which would let the window take the node away).
func TestPendingChangeBackIsRefused(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	if _, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, DeferToMaintenanceWindow: true}); err != nil {
		t.Fatal(err)
	}
	seq := e.lastSeq()
	_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 2, Generation: 2})
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonPending || !strings.Contains(err.Error(), "--multi-az --apply-immediately") {
		t.Fatalf("want a %s refusal with the revert command, got %v", ReasonPending, err)
	}
	if c := e.callsSince("CreateDBSnapshot", seq); len(c) > 0 {
		t.Fatalf("a guard was taken: %v", c[0].Params)
	}
	p, err := e.o.Preview(ctx, Request{Target: mandible, Nodes: 2, Generation: 2})
	if err != nil || !strings.Contains(p.Refusal, "pending for the next maintenance window") {
		t.Fatalf("preview %+v %v", p, err)
	}
}

// A rollback whose rolling-back tag could not be written, cut short after its call, leaves the
// guard tagged changing (written before the change call): the next run records the rollback
// instead of taking the guard for one that changed nothing and making the failed change again.
func TestRollbackTagLostIsNotRedone(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	dsn, schema := seedSchema(t)
	req := Request{Target: mandible, Nodes: 1, Generation: 1, Validator: newPGValidator(dsn, schema, false)}
	del := deleteRows(t, dsn, schema)
	e.o.OnStep = func(s Step) error {
		if s == StepSettled {
			// The next tag write is the rollback's rolling-back: it fails once.
			e.srv.InjectFaults(sandbox.FaultRule{Operation: "AddTagsToResource", Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "tag denied"}}})
		}
		return del(s)
	}
	crashed := e.crashOnceRollbackStarts()
	if _, err := e.o.Run(context.Background(), req); err == nil || !*crashed {
		t.Fatalf("first run: %v (crashed %t)", err, *crashed)
	}
	e.srv.ClearFaults()
	e.onSleep, e.o.OnStep = nil, nil
	g1 := GuardSnapshotID("", mandible, 1, 1, 1)
	if got := e.snapshotTags(KindInstance, g1)[TagOutcome]; got != OutcomeChanging {
		t.Fatalf("g1 outcome %q, want %q", got, OutcomeChanging)
	}
	e.srv.Advance(time.Hour) // the rollback's modification finishes
	seq := e.lastSeq()
	_, err := e.o.Run(context.Background(), req)
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(err.Error(), "did not take effect or was rolled back") {
		t.Fatalf("second run: want the rollback recorded, got %v", err)
	}
	for _, op := range []string{"CreateDBSnapshot", "ModifyDBInstance"} {
		if c := e.callsSince(op, seq); len(c) > 0 {
			t.Fatalf("second run called %s: %v", op, c[0].Params)
		}
	}
	if got := e.snapshotTags(KindInstance, g1)[TagOutcome]; got != OutcomeRolledBack {
		t.Errorf("g1 outcome %q", got)
	}
	if in := e.instance("mandible-prod"); !aws.ToBool(in.MultiAZ) {
		t.Error("Multi-AZ is off")
	}
}

// A change call refused by RDS (nothing changed) puts its guard back to in-progress, so the next
// run sets it aside and starts anew, as for a run interrupted before the change.
func TestRefusedChangeCallIsSetAside(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	e.srv.InjectFaults(sandbox.FaultRule{Operation: "ModifyDBInstance", Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 400, Code: "InvalidParameterCombination", Message: "refused"}}})
	_, err := e.o.Run(context.Background(), req)
	var ce *ChangeError
	if !errors.As(err, &ce) || ce.Changed {
		t.Fatalf("want an unchanged ChangeError, got %v", err)
	}
	g1 := GuardSnapshotID("", mandible, 1, 1, 1)
	if got := e.snapshotTags(KindInstance, g1)[TagOutcome]; got != OutcomeInProgress {
		t.Fatalf("g1 outcome %q, want %q", got, OutcomeInProgress)
	}
	res, err := e.o.Run(context.Background(), req)
	if err != nil || res.SupersededGuardSnapshotID != g1 || res.GuardSnapshotID != GuardSnapshotID("", mandible, 1, 1, 2) {
		t.Fatalf("second run: %+v %v", res, err)
	}
}

// A resource created anew finds the completed guard an earlier one kept: the change is reported
// done and the guard, a restore point kept on purpose, is not deleted even with
// DeleteGuardOnSuccess.
func TestCompletedGuardIsKept(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	if _, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1}); err != nil {
		t.Fatal(err)
	}
	seq := e.lastSeq()
	res, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, DeleteGuardOnSuccess: true})
	if err != nil || !res.GuardSnapshotRetained || !strings.Contains(res.Action, "completed by an earlier apply") {
		t.Fatalf("%+v %v", res, err)
	}
	if c := e.callsSince("DeleteDBSnapshot", seq); len(c) > 0 {
		t.Fatalf("DeleteDBSnapshot called: %v", c[0].Params)
	}
}

// The plan refuses, as apply does, a change to 2 nodes whose reader identifier is taken outside
// the cluster.
func TestPreviewChecksReaderName(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	e.removeReaderUnrecorded(t)
	e.createStandalone(t, "sso-prod-reader")
	p, err := e.o.Preview(ctx, Request{Target: sso, Nodes: 2, Generation: 2})
	if err != nil || !strings.Contains(p.Refusal, "already exists outside the cluster") || p.Guard != "" {
		t.Fatalf("preview %+v %v", p, err)
	}
}

// A begun change resumed behind its guard accepts that storage grew since the guard was taken
// (storage autoscaling, or a change applied in the same maintenance window).
func TestResumeAcceptsGrownStorage(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	req := Request{Target: mandible, Nodes: 1, Generation: 1, DeferToMaintenanceWindow: true}
	if _, err := e.o.Run(ctx, req); err != nil {
		t.Fatal(err)
	}
	in := e.instance("mandible-prod")
	grown := aws.ToInt32(in.AllocatedStorage) + 50
	if _, err := e.api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		AllocatedStorage: aws.Int32(grown), ApplyImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(8 * 24 * time.Hour) // the window applies both
	if got := aws.ToInt32(e.instance("mandible-prod").AllocatedStorage); got != grown {
		t.Fatalf("the sandbox did not apply the storage change in the window (%d GiB)", got)
	}
	res, err := e.o.Run(ctx, req)
	if err != nil || !res.Resumed {
		t.Fatalf("resume: %+v %v", res, err)
	}
}

// A change requested to apply immediately shows, for a few seconds on RDS, its value pending
// while the instance is still available: a run that looks then resumes it as in progress, not as
// a change deferred to the maintenance window (the guard records which it was).
func TestImmediateChangeNotTakenForDeferred(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	e.runInterrupted(t, req, StepGuardVerified)
	g1 := GuardSnapshotID("", mandible, 1, 1, 1)
	if got := e.snapshotTags(KindInstance, g1)[TagDeferred]; got != "false" {
		t.Fatalf("g1 %s tag %q, want false", TagDeferred, got)
	}
	// The run's change call went through and the process stopped before RDS began modifying:
	// the guard says changing, the instance is available with Multi-AZ off pending.
	arn := "arn:aws:rds:us-east-1:123456789012:snapshot:" + g1
	if _, err := e.api.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn),
		Tags: []rdstypes.Tag{{Key: aws.String(TagOutcome), Value: aws.String(OutcomeChanging)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	p, err := e.o.Preview(ctx, req)
	if err != nil || p.Resume != g1 || p.Deferred {
		t.Fatalf("preview %+v %v: want the change resumed as immediate", p, err)
	}
}

package topology

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// logTrail records what a run sends to Logf and Warnf.
type logTrail struct {
	mu          sync.Mutex
	info, warns []string
}

func (l *logTrail) attach(o *Orchestrator) {
	o.Logf = func(format string, args ...any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.info = append(l.info, fmt.Sprintf(format, args...))
	}
	o.Warnf = func(format string, args ...any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.warns = append(l.warns, fmt.Sprintf(format, args...))
	}
}

// check fails t unless each of want is in some line of lines, in that order.
func checkTrail(t *testing.T, what string, lines []string, want ...string) {
	t.Helper()
	i := 0
	for _, l := range lines {
		if i < len(want) && strings.Contains(l, want[i]) {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("%s lack %q (in order); got:\n%s", what, want[i], strings.Join(lines, "\n"))
	}
}

// TestLogTrailOfRollback: from its log alone, a rolled-back change tells its run (as tagged on
// its guard), its guard snapshot at each step, the states its waits saw, why it failed, and that
// and how it was rolled back.
func TestLogTrailOfRollback(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	dsn, schema := seedSchema(t)
	e.o.OnStep = deleteRows(t, dsn, schema)
	var lt logTrail
	lt.attach(e.o)
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: newPGValidator(dsn, schema, false)})
	if err == nil {
		t.Fatal("the change did not fail")
	}
	run := e.snapshotTags(KindInstance, "rightsize-guard-mandible-prod-g1-to1")[TagRun]
	if run == "" {
		t.Fatal("the guard snapshot has no run tag")
	}
	checkTrail(t, "Logf lines", lt.info,
		"instance:mandible-prod: run "+run+": change to 1 node(s), generation 1",
		"step guard-create done (guard snapshot rightsize-guard-mandible-prod-g1-to1)",
		`waiting for guard snapshot rightsize-guard-mandible-prod-g1-to1 to be available: state "available"`,
		"step change done (guard snapshot rightsize-guard-mandible-prod-g1-to1)",
		`waiting for the target to settle at 1 node(s): state "available with 1 node(s)"`,
		"rolling back to 2 node(s)",
		`waiting for the target to settle at 2 node(s): state "available with 2 node(s)"`,
		"rolled back to 2 node(s): Multi-AZ turned on again (guard snapshot outcome rolled-back)")
	checkTrail(t, "Warnf lines", lt.warns,
		"instance:mandible-prod: validating the database after the change failed: validation failed: table "+schema+".messages has 2995 rows, 3000 before")
}

// TestLogTrailOfRetriesAndRefusedTags: a describe that a wait retries, and a tag that cannot be
// set, are warnings; a failure not rolled back says why.
func TestLogTrailOfRetriesAndRefusedTags(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	dsn, schema := seedSchema(t)
	deleted := deleteRows(t, dsn, schema)
	e.o.OnStep = func(s Step) error {
		if s == StepChange {
			// More than the SDK's five attempts: the wait retries the describe.
			e.srv.InjectSequence("DescribeDBInstances", sandbox.FaultThrottling, sandbox.FaultThrottling, sandbox.FaultThrottling,
				sandbox.FaultThrottling, sandbox.FaultThrottling)
		}
		if s == StepSettled {
			e.srv.InjectFaults(sandbox.FaultRule{Operation: "AddTagsToResource", Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}}})
		}
		return deleted(s)
	}
	var lt logTrail
	lt.attach(e.o)
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, DisableRollback: true, Validator: newPGValidator(dsn, schema, false)})
	if err == nil {
		t.Fatal("the change did not fail")
	}
	checkTrail(t, "Warnf lines", lt.warns,
		"waiting for the target to settle at 1 node(s): retrying after describing DB instance mandible-prod",
		"validating the database after the change failed",
		"tagging guard snapshot rightsize-guard-mandible-prod-g1-to1 with outcome failed-not-rolled-back")
	checkTrail(t, "Logf lines", lt.info, "not rolled back: rollback_on_failure is false")
}

// TestLogTrailOfInterruptedRequest: an apply interrupted during the change's own call, which RDS
// did not take, logs that the target has not left its nodes and that the next apply makes the
// change, not that it resumes it: the next run takes a guard snapshot of its own.
func TestLogTrailOfInterruptedRequest(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	var lt logTrail
	lt.attach(e.o)
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	ce, err := e.runInterruptedBy(req, func(real RDSAPI, cancel func()) RDSAPI {
		return &cutBeforeChange{RDSAPI: real, cut: func(ctx context.Context) (context.Context, context.CancelFunc) { cancel(); return ctx, func() {} }}
	})
	if ce == nil || !ce.Interrupted || ce.Changed {
		t.Fatalf("cut-short run: %v, want interrupted before the change", err)
	}
	checkTrail(t, "Logf lines", lt.info, "instance:mandible-prod: not rolled back: the target has not left its 2 node(s); the next apply makes the change")
	for _, l := range lt.info {
		if strings.Contains(l, "not rolled back") && strings.Contains(l, "next apply resumes") {
			t.Errorf("logged %q, but the next run does not resume the change", l)
		}
	}
	res, err := e.o.Run(context.Background(), req)
	if err != nil || res.Resumed {
		t.Fatalf("next run: resumed %v, %v; want the change made anew", res != nil && res.Resumed, err)
	}
}

// TestLogTrailOfCompletedRun: a run that finds its change completed names the guard snapshot and
// the run that took it (its rightsize:run tag), and does not claim to tag a guard snapshot it
// did not take with its own run.
func TestLogTrailOfCompletedRun(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	if _, err := e.o.Run(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	var lt logTrail
	lt.attach(e.o)
	res, err := e.o.Run(context.Background(), req)
	if err != nil || !res.Resumed {
		t.Fatalf("second run: %v, want the completed change found", err)
	}
	first := e.snapshotTags(KindInstance, res.GuardSnapshotID)[TagRun]
	checkTrail(t, "Logf lines", lt.info, "already completed, behind guard snapshot "+res.GuardSnapshotID+" (taken by run "+first+")")
	for _, l := range lt.info {
		if strings.Contains(l, "the guard snapshot it takes is tagged") {
			t.Errorf("logged %q, but this run took no guard snapshot (%s is tagged %s = %s)", l, res.GuardSnapshotID, TagRun, first)
		}
	}
}

// TestLogTrailOfRollbackUnrecorded: a rollback that put the target back but whose outcome RDS
// refused to tag on the guard snapshot says so, rather than naming an outcome the guard lacks.
func TestLogTrailOfRollbackUnrecorded(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	denyAfterSettled(e, "AddTagsToResource", "rds:AddTagsToResource")
	var lt logTrail
	lt.attach(e.o)
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	if err == nil {
		t.Fatal("the change did not fail")
	}
	checkTrail(t, "Logf lines", lt.info, "rolled back to 2 node(s): Multi-AZ turned on again (guard snapshot outcome rolled-back not recorded)")
}

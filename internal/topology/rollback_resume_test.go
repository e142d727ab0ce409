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

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// Ctrl-C after the run's own deadline has passed (the rollback of a change whose timeout ran out
// starts after it) still stops the wait for a rollback RDS accepted, through the Orchestrator's
// Interrupt (the provider's request context, which the operation's deadline does not mask).
func TestRollbackCtrlCAfterTheDeadline(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	stickRollback(e)
	parent, cancelParent := context.WithCancel(context.Background())
	defer cancelParent()
	e.o.Interrupt = parent
	dl := time.Now().Add(2 * time.Second)
	ctx, cancel := context.WithDeadline(parent, dl) // the resource's timeouts.<op>
	defer cancel()
	stick := e.onSleep
	var cancelledAt time.Time
	e.onSleep = func() {
		stick()
		if cancelledAt.IsZero() && stuckRollbackStarted(e) {
			time.Sleep(time.Until(dl) + 50*time.Millisecond) // the timeout runs out
			cancelledAt = e.srv.Now()
			cancelParent() // then Ctrl-C
		}
	}
	_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	e.settleRequests()
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackInterrupted || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("want the rollback left to RDS after Ctrl-C (run context: %v), got %v", ctx.Err(), err)
	}
	if w := e.srv.Now().Sub(cancelledAt); w > 5*time.Minute {
		t.Errorf("Ctrl-C after the timeout: the run waited %s more for the rollback", w)
	}
}

// The next apply, waiting for the rollback an earlier apply's RDS call began (still modifying),
// stops at Ctrl-C too.
func TestResumedRollbackWaitIsInterruptible(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	stickRollback(e)
	req := Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}
	_, err := e.o.Run(context.Background(), req)
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackInProgress || !ce.RollbackRequested {
		t.Fatalf("setup: %v", err)
	}
	e.setDeadline(e.srv.Now().Add(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelledAt time.Time
	e.onSleep = func() {
		if cancelledAt.IsZero() {
			cancelledAt = e.srv.Now()
			cancel() // Ctrl-C at the second apply's first poll
		}
	}
	_, err = e.o.Run(ctx, req)
	e.settleRequests()
	if !errors.As(err, &ce) || !ce.RollbackInterrupted {
		t.Fatalf("second apply interrupted: %v, want the rollback left to RDS", err)
	}
	if w := e.srv.Now().Sub(cancelledAt); w > 5*time.Minute {
		t.Errorf("the second apply waited %s after Ctrl-C", w)
	}
}

// A next apply whose rollback call RDS refuses while it is already restoring the previous topology
// (an earlier apply's rollback, accepted) waits for that instead of reporting nothing restored.
func TestResumedRollbackRefusedWhileRestoring(t *testing.T) {
	t.Run("multi-az", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		stickRollback(e)
		req := Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}
		_, err := e.o.Run(context.Background(), req)
		var ce *ChangeError
		if !errors.As(err, &ce) || !ce.RollbackRequested {
			t.Fatalf("setup: %v", err)
		}
		e.onSleep = nil
		e.setDeadline(e.srv.Now().Add(time.Hour))
		e.srv.InjectFaults(sandbox.FaultRule{Operation: "ModifyDBInstance", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
			Code: "AccessDenied", Message: "not authorized to perform: rds:ModifyDBInstance"}})
		_, err = e.o.Run(context.Background(), req)
		if !errors.As(err, &ce) || ce.RollbackRefused || !ce.RollbackRequested || !ce.RollbackInProgress || strings.Contains(err.Error(), "nothing is restored yet") {
			t.Fatalf("second apply: %v, want the rollback RDS is making reported in progress", err)
		}
		// RDS finishes; the next apply, still denied ModifyDBInstance, needs none: it records the rollback.
		e.setDeadline(time.Time{})
		e.srv.Unstick("mandible-prod")
		_, err = e.o.Run(context.Background(), req)
		if !errors.As(err, &ce) || !ce.RolledBack {
			t.Fatalf("third apply: %v, want the rollback recorded", err)
		}
	})
	t.Run("aurora", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		req := interruptAuroraRollback(t, e)
		var ce *ChangeError
		var err error
		e.srv.InjectFaults(sandbox.FaultRule{Operation: "CreateDBInstance", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
			Code: "AccessDenied", Message: "not authorized to perform: rds:CreateDBInstance"}})
		_, err = e.o.Run(context.Background(), req)
		if !errors.As(err, &ce) || !ce.RolledBack {
			t.Fatalf("second apply: %v, want the reader RDS was recreating waited for and the rollback recorded", err)
		}
		if n := len(e.topology(sso).Members); n != 2 {
			t.Errorf("%d members after the rollback, want 2", n)
		}
	})
}

// After a refused Aurora rollback, a reader added by hand (another name: the recorded one's class
// had no capacity) puts the cluster back: the next apply records the rollback and does not
// recreate the recorded reader as a third node.
func TestRefusedAuroraRollbackRestoredByHand(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := refuseAuroraRollback(t, e)
	var ce *ChangeError
	var err error
	if _, err := e.api.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-reader-b"),
		DBClusterIdentifier: aws.String("sso-prod"), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql")}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(30 * time.Minute)
	_, err = e.o.Run(context.Background(), req)
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(ce.RollbackAction, "already back at 2 node(s)") {
		t.Fatalf("next apply: %v, want the rollback recorded as already back", err)
	}
	e.srv.Advance(30 * time.Minute)
	if n := len(e.topology(sso).Members); n != 2 {
		t.Errorf("%d members, want 2", n)
	}
	if got := e.snapshotTags(KindCluster, "rightsize-guard-sso-prod-g1-to1")[TagOutcome]; got != OutcomeRolledBack {
		t.Errorf("guard outcome %q", got)
	}
}

// Credentials that expire while the run watches a rollback RDS accepted: reported in progress with
// the cause (RDS finishes it), not ROLLBACK FAILED; the next apply records it.
func TestCredentialsExpireWhileWatchingRollback(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.o.RollbackTimeout = time.Hour
	done := false
	e.onSleep = func() {
		if !done && stuckRollbackStarted(e) {
			done = true
			e.srv.InjectFaults(sandbox.FaultRule{Operation: "*", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
				Code: "ExpiredToken", Message: "The security token included in the request is expired"}})
		}
	}
	req := Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}
	_, err := e.o.Run(context.Background(), req)
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackInProgress || !ce.RollbackRequested || ce.RollbackRefused || strings.Contains(err.Error(), "ROLLBACK FAILED") {
		t.Fatalf("want the rollback reported in progress, got %v", err)
	}
	for _, want := range []string{"RDS accepted the rollback, but the apply could not watch it finish", "ExpiredToken", "credentials were refused",
		"apply again to wait for it and record the rollback"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	e.srv.ClearFaults()
	e.onSleep = nil
	_, err = e.o.Run(context.Background(), req)
	if !errors.As(err, &ce) || !ce.RolledBack {
		t.Fatalf("next apply: %v, want the rollback recorded", err)
	}
	if !aws.ToBool(e.instance("mandible-prod").MultiAZ) {
		t.Error("not rolled back")
	}
}

// A reader Aurora Auto Scaling added after a refused rollback does not count as the cluster put
// back (it goes again when Auto Scaling scales in): the next apply recreates the recorded reader.
func TestRefusedAuroraRollbackNotTakenBackByAutoScaling(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := refuseAuroraRollback(t, e)
	var ce *ChangeError
	var err error
	if _, err := e.api.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(autoScalingReaderPrefix + "0f1e2d3c"),
		DBClusterIdentifier: aws.String("sso-prod"), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql")}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(30 * time.Minute)
	_, err = e.o.Run(context.Background(), req)
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(ce.RollbackAction, "reader sso-prod-instance-2 recreated") {
		t.Fatalf("next apply: %v, want the recorded reader recreated", err)
	}
	var ids []string
	for _, m := range e.topology(sso).Members {
		ids = append(ids, m.Identifier)
	}
	if !slices.Contains(ids, "sso-prod-instance-2") {
		t.Errorf("members %v lack the recorded reader", ids)
	}
}

// instanceRestoring does not take a describe call throttled past the SDK's retries for "not
// restoring": it asks again.
func TestInstanceRestoringRetriesTransientErrors(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	stickRollback(e)
	if _, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}); err == nil {
		t.Fatal("setup: the change did not fail")
	}
	e.onSleep = nil
	e.setDeadline(time.Time{})
	r := &run{o: e.o, req: Request{Target: mandible, Nodes: 1}, from: 2}
	throttles := make([]sandbox.Fault, 5) // the client's 5 attempts of one call
	for i := range throttles {
		throttles[i] = sandbox.Fault{Kind: sandbox.FaultThrottling}
	}
	e.srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBInstances", Sequence: throttles})
	if !r.instanceRestoring(context.Background(), true) {
		t.Fatal("a throttled describe call was taken for an instance not restoring")
	}
	if n := len(e.srv.Calls("DescribeDBInstances")); n < 6 {
		t.Errorf("%d DescribeDBInstances calls: the throttled one was not asked again", n)
	}
}

// The next apply finds the reader an interrupted rollback recreated still being set up by RDS
// (configuring-enhanced-monitoring, after creating): it waits for it and records the rollback.
func TestResumedRollbackReaderBeingSetUp(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := interruptAuroraRollback(t, e)
	var ce *ChangeError
	var err error
	e.srv.Advance(10 * time.Minute) // past creating (9 minutes): Enhanced Monitoring being configured
	if st, _ := e.srv.InstanceStatus(ssoReader); st != "configuring-enhanced-monitoring" {
		t.Fatalf("reader %s, want configuring-enhanced-monitoring", st)
	}
	_, err = e.o.Run(context.Background(), req)
	if !errors.As(err, &ce) || !ce.RolledBack {
		t.Fatalf("next apply: %v, want the rollback waited for and recorded", err)
	}
	if st, _ := e.srv.InstanceStatus(ssoReader); st != "available" {
		t.Errorf("reader %s after the rollback", st)
	}
}

// After a refused Aurora rollback, the next apply finds a reader added by hand still being created:
// it waits for it and records the rollback, and does not recreate the recorded reader beside it.
func TestRefusedAuroraRollbackReaderAddedByHandBeingCreated(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := handReaderAfterRefusedRollback(t, e)
	var ce *ChangeError
	seq := e.lastSeq()
	_, err := e.o.Run(context.Background(), req) // the reader is still creating
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(ce.RollbackAction, "already back at 2 node(s)") {
		t.Fatalf("next apply: %v, want the hand-made reader waited for and the rollback recorded", err)
	}
	if c := e.callsSince("CreateDBInstance", seq); len(c) > 0 {
		t.Errorf("the recorded reader was recreated beside the hand-made one: %v", c[0].Params)
	}
	if n := len(e.topology(sso).Members); n != 2 {
		t.Errorf("%d members, want 2", n)
	}
}

// Ctrl-C while the rollback waits for RDS to finish another operation on the database (before it
// could make its own call) stops the wait: the rollback has not begun, the guard is tagged
// rolling-back, and the next apply makes it.
func TestRollbackBusyWaitInterrupted(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.o.RollbackTimeout = time.Hour
	e.setDeadline(e.srv.Now().Add(3 * time.Hour)) // bounds the wait if the interruption goes unseen
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.o.OnStep = func(s Step) error {
		if s == StepSettled { // another tool changes the class, and that takes long
			if _, err := e.api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
				DBInstanceClass: aws.String("db.t4g.xlarge"), ApplyImmediately: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
			e.srv.StickModifying("mandible-prod")
		}
		return nil
	}
	var cancelledAt time.Time
	e.onSleep = func() {
		if cancelledAt.IsZero() && len(e.srv.Calls("ModifyDBInstance")) >= 3 { // the change, the class, the refused rollback
			cancelledAt = e.srv.Now()
			cancel()
		}
	}
	req := Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}
	_, err := e.o.Run(ctx, req)
	e.settleRequests()
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackInProgress || !ce.RollbackInterrupted || ce.RollbackRequested ||
		!strings.Contains(err.Error(), "the rollback (Multi-AZ turned on again) has not begun: the apply was interrupted while RDS was busy") {
		t.Fatalf("want the rollback not begun, interrupted, got %v", err)
	}
	if w := e.srv.Now().Sub(cancelledAt); w > 5*time.Minute {
		t.Errorf("the interrupted run waited %s more", w)
	}
	if got := e.snapshotTags(KindInstance, "rightsize-guard-mandible-prod-g1-to1")[TagOutcome]; got != OutcomeRollingBack {
		t.Fatalf("guard outcome %q", got)
	}
	e.o.OnStep, e.onSleep = nil, nil
	e.setDeadline(time.Time{})
	e.srv.Unstick("mandible-prod")
	_, err = e.o.Run(context.Background(), req)
	if !errors.As(err, &ce) || !ce.RolledBack || !aws.ToBool(e.instance("mandible-prod").MultiAZ) {
		t.Fatalf("next apply: %v, want the rollback made", err)
	}
}

// handReaderAfterRefusedRollback makes an Aurora change to 1 node fail validation and its rollback
// be refused (no capacity for the recorded reader's class), then adds a reader by hand
// (sso-prod-reader-b, with Enhanced Monitoring), still creating. It returns the change's request.
func handReaderAfterRefusedRollback(t *testing.T, e *env) Request {
	t.Helper()
	req := refuseAuroraRollback(t, e)
	if _, err := e.api.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-reader-b"),
		DBClusterIdentifier: aws.String("sso-prod"), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql"),
		MonitoringInterval: aws.Int32(60)}); err != nil {
		t.Fatal(err)
	}
	return req
}

// The wait for a reader added by hand runs on the rollback's own deadline, not the run's (which
// the operation's timeout may have spent), and stops at Ctrl-C, reporting it.
func TestFinishRollbackHandReaderWait(t *testing.T) {
	t.Run("run deadline passed", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		req := handReaderAfterRefusedRollback(t, e)
		e.o.RollbackTimeout = 3 * time.Hour
		e.setDeadline(e.srv.Now().Add(3 * time.Hour))
		dl := time.Now().Add(300 * time.Millisecond)
		ctx, cancel := context.WithDeadline(context.Background(), dl)
		defer cancel()
		slept := false
		e.onSleep = func() {
			if !slept {
				slept = true
				time.Sleep(time.Until(dl) + 50*time.Millisecond)
			}
		}
		_, err := e.o.Run(ctx, req)
		var ce *ChangeError
		if !errors.As(err, &ce) || !ce.RolledBack || !slept {
			t.Fatalf("want the hand-made reader waited for past the run's deadline (waited: %t), got %v", slept, err)
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		req := handReaderAfterRefusedRollback(t, e)
		e.setDeadline(e.srv.Now().Add(3 * time.Hour))
		parent, cancelParent := context.WithCancel(context.Background())
		defer cancelParent()
		e.o.Interrupt = parent
		ctx, cancel := context.WithTimeout(parent, time.Hour)
		defer cancel()
		e.onSleep = func() { cancelParent() }
		_, err := e.o.Run(ctx, req)
		e.settleRequests()
		var ce *ChangeError
		if !errors.As(err, &ce) || !ce.RollbackInterrupted || ce.RolledBack || !strings.Contains(err.Error(), "the apply was interrupted") {
			t.Fatalf("want the wait interrupted and reported so, got %v", err)
		}
	})
	t.Run("writer busy", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		req := handReaderAfterRefusedRollback(t, e)
		e.setDeadline(e.srv.Now().Add(3 * time.Hour))
		if _, err := e.api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-1"),
			DBInstanceClass: aws.String("db.r6g.xlarge"), ApplyImmediately: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		seq := e.lastSeq()
		_, err := e.o.Run(context.Background(), req)
		var ce *ChangeError
		if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(ce.RollbackAction, "already back at 2 node(s)") {
			t.Fatalf("want the rollback recorded once the writer and the new reader are available, got %v", err)
		}
		if c := e.callsSince("CreateDBInstance", seq); len(c) > 0 {
			t.Errorf("the recorded reader was recreated beside the hand-made one: %v", c[0].Params)
		}
	})
}

// rollback() itself, on a cluster whose recorded reader an earlier rollback recreated and RDS is
// still setting up (configuring-enhanced-monitoring): it takes it for the rollback under way and
// waits for it, with no CreateDBInstance call.
func TestRollbackTakesRecreatedReaderBeingSetUp(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := interruptAuroraRollback(t, e)
	e.setDeadline(e.srv.Now().Add(3 * time.Hour))
	e.srv.Advance(10 * time.Minute)
	if st, _ := e.srv.InstanceStatus(ssoReader); st != "configuring-enhanced-monitoring" {
		t.Fatalf("reader %s", st)
	}
	g, err := describeGuard(context.Background(), e.api, KindCluster, "rightsize-guard-sso-prod-g1-to1", true)
	if err != nil {
		t.Fatal(err)
	}
	spec, ok := readerFromTags(g.tags)
	if !ok {
		t.Fatal("the guard records no reader")
	}
	r := &run{o: e.o, req: req, from: 2, reader: &spec, guard: g, topo: e.topology(sso)}
	seq := e.lastSeq()
	action, err := r.rollback(context.Background())
	if err != nil || !r.rollbackRequested || !strings.Contains(action, "recreated") {
		t.Fatalf("rollback: %q %v (requested %t)", action, err, r.rollbackRequested)
	}
	if c := e.callsSince("CreateDBInstance", seq); len(c) > 0 {
		t.Errorf("CreateDBInstance called for a reader being set up: %v", c[0].Params)
	}
}

// A reader added by hand while the change settles (before its validation fails): the rollback
// waits for it and counts the cluster back instead of recreating the recorded reader beside it.
func TestRollbackFindsReaderAddedDuringTheChange(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.setDeadline(e.srv.Now().Add(3 * time.Hour))
	e.o.OnStep = func(s Step) error {
		if s == StepSettled {
			if _, err := e.api.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-reader-b"),
				DBClusterIdentifier: aws.String("sso-prod"), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql")}); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	}
	seq := e.lastSeq()
	_, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(ce.RollbackAction, "already back at 2 node(s)") {
		t.Fatalf("want the rollback counted done once the added reader is available, got %v", err)
	}
	for _, c := range e.callsSince("CreateDBInstance", seq) {
		if c.Params["DBInstanceIdentifier"] != "sso-prod-reader-b" {
			t.Errorf("the rollback created %s beside the added reader", c.Params["DBInstanceIdentifier"])
		}
	}
	if n := len(e.topology(sso).Members); n != 2 {
		t.Errorf("%d members, want 2", n)
	}
}

// refuseAuroraRollback makes an Aurora change to 1 node fail validation and its rollback be
// refused (no capacity for the recorded reader's class): the guard stays rolling-back. It returns
// the change's request.
func refuseAuroraRollback(t *testing.T, e *env) Request {
	t.Helper()
	faultAfterSettled(e, sandbox.FaultRule{Operation: "CreateDBInstance", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 400,
		Code: "InsufficientDBInstanceCapacity", Message: "not enough capacity in us-east-1a for db.t4g.medium"}})
	req := Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}
	_, err := e.o.Run(context.Background(), req)
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackRefused {
		t.Fatalf("setup: %v", err)
	}
	e.o.OnStep = nil
	e.srv.ClearFaults()
	return req
}

// interruptAuroraRollback makes an Aurora change to 1 node fail validation and interrupts the run
// (Ctrl-C) once RDS has accepted the rollback's recreation of the reader: the guard stays
// rolling-back, the reader being created. It returns the change's request.
func interruptAuroraRollback(t *testing.T, e *env) Request {
	t.Helper()
	e.o.RollbackTimeout = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.o.OnStep = func(s Step) error {
		if s == StepRollback {
			cancel()
		}
		return nil
	}
	req := Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}
	_, err := e.o.Run(ctx, req)
	e.settleRequests()
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackInterrupted {
		t.Fatalf("setup: %v", err)
	}
	e.o.OnStep = nil
	return req
}

// ownMembers leaves out the recorded reader, a member the cluster still lists but that is gone
// (Describe marks it "deleted"), and readers Aurora Auto Scaling added.
func TestOwnMembers(t *testing.T) {
	topo := &Topology{Members: []Member{
		{Identifier: "w", Writer: true, Status: "available"},
		{Identifier: "recorded", Status: "deleted"},
		{Identifier: "gone", Status: "deleted"},
		{Identifier: autoScalingReaderPrefix + "1", Status: "available"},
	}}
	if n := ownMembers(topo, "recorded"); n != 1 {
		t.Errorf("ownMembers = %d, want 1 (the writer)", n)
	}
	topo.Members = append(topo.Members, Member{Identifier: "by-hand", Status: "creating"}, Member{Identifier: "RECORDED", Status: "available"})
	if n := ownMembers(topo, "recorded"); n != 2 {
		t.Errorf("ownMembers = %d, want 2 (the writer and the reader added by hand)", n)
	}
}

// Two readers added while the change settled: the rollback will not add the recorded reader
// beside them, and has begun nothing (the guard stays rolling-back); once the cluster is put back
// to 2 nodes by hand, the next apply records the rollback and deletes nothing.
func TestRollbackRefusesBesideExtraReaders(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.setDeadline(e.srv.Now().Add(3 * time.Hour))
	addReader := func(id string) {
		if _, err := e.api.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
			DBClusterIdentifier: aws.String("sso-prod"), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql")}); err != nil {
			t.Fatal(err)
		}
	}
	e.o.OnStep = func(s Step) error {
		if s == StepSettled {
			addReader("sso-prod-reader-b")
			addReader("sso-prod-reader-c")
		}
		return nil
	}
	req := Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}
	_, err := e.o.Run(context.Background(), req)
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackRefused || strings.Contains(err.Error(), "ROLLBACK FAILED") || !strings.Contains(err.Error(), "not recreating reader sso-prod-instance-2 beside them") {
		t.Fatalf("want the rollback refused, not begun, got %v", err)
	}
	if got := e.snapshotTags(KindCluster, "rightsize-guard-sso-prod-g1-to1")[TagOutcome]; got != OutcomeRollingBack {
		t.Fatalf("guard outcome %q, want %q", got, OutcomeRollingBack)
	}
	e.o.OnStep = nil
	e.srv.Advance(15 * time.Minute) // the readers created
	if _, err := e.api.DeleteDBInstance(context.Background(), &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-reader-c"), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(30 * time.Minute)
	seq := e.lastSeq()
	_, err = e.o.Run(context.Background(), req)
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(ce.RollbackAction, "already back at 2 node(s)") {
		t.Fatalf("next apply: %v, want the rollback recorded", err)
	}
	if c := e.callsSince("DeleteDBInstance", seq); len(c) > 0 {
		t.Errorf("the next apply deleted %s", c[0].Params["DBInstanceIdentifier"])
	}
}

// alreadyPutBack leaves out a member the cluster still lists but that is gone (the recorded
// reader, just deleted): with the writer and a reader added by hand, the cluster is back.
func TestAlreadyPutBackIgnoresGoneMembers(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.setDeadline(e.srv.Now().Add(3 * time.Hour))
	r := &run{o: e.o, req: Request{Target: sso, Nodes: 1}, from: 2, reader: &ReaderSpec{Identifier: ssoReader}}
	topo := e.topology(sso)
	topo.Members[1].Status = "deleted" // the recorded reader, gone but still listed
	topo.Members = append(topo.Members, Member{Identifier: "sso-prod-reader-b", Status: "available"})
	if _, err := e.api.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-reader-b"),
		DBClusterIdentifier: aws.String("sso-prod"), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.DeleteDBInstance(context.Background(), &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(ssoReader), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(30 * time.Minute)
	if action, err := r.alreadyPutBack(context.Background(), topo); err != nil || !strings.Contains(action, "already back at 2 node(s)") {
		t.Fatalf("alreadyPutBack: %q %v", action, err)
	}
}

// After a refused rollback, the database put back by this resource's own opposite change (nodes
// set back, or a destroy with restore_on_destroy): that change's success records the refused
// change's guard rolled back, so a later change of that generation (a resource created anew)
// makes its change instead of "finishing" a rollback from an earlier lifetime.
func TestOppositeChangeClosesRefusedRollback(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.setDeadline(e.srv.Now().Add(6 * time.Hour))
	refuseAuroraRollback(t, e)
	if _, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 2, Generation: 1}); err != nil {
		t.Fatalf("back to 2 nodes: %v", err)
	}
	if got := e.snapshotTags(KindCluster, "rightsize-guard-sso-prod-g1-to1")[TagOutcome]; got != OutcomeRolledBack {
		t.Fatalf("the refused change's guard is %q, want %q", got, OutcomeRolledBack)
	}
	res, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1, Validator: okValidator{}})
	if err != nil || res.Nodes != 1 || res.GuardSnapshotID != "rightsize-guard-sso-prod-g1-to1-r2" {
		t.Fatalf("a later change of that generation: %v %+v, want it made behind a guard of its own", err, res)
	}
	e.assertGuarded(sso)
}

// The rollback's check that no reader was put back already (one by hand, say) is a describe call
// before its own: AWS throttling it through the SDK's attempts is retried (rollbackRetried),
// which finds the reader put back, rather than taken for none, the recorded reader recreated
// beside it (a third node).
func TestRollbackPutBackCheckThrottled(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.o.RollbackTimeout = time.Hour
	throttled := sandbox.Fault{Kind: sandbox.FaultError, Status: 400, Code: "Throttling", Message: "Rate exceeded"}
	e.o.OnStep = func(s Step) error {
		if s == StepSettled {
			if _, err := e.api.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-reader-b"),
				DBClusterIdentifier: aws.String("sso-prod"), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql")}); err != nil {
				t.Fatal(err)
			}
			// Every attempt of one DescribeDBClusters call (the SDK makes 5).
			e.srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBClusters", Sequence: []sandbox.Fault{throttled, throttled, throttled, throttled, throttled}})
		}
		return nil
	}
	seq := e.lastSeq()
	_, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	e.srv.ClearFaults()
	for _, c := range e.callsSince("CreateDBInstance", seq) {
		if id := c.Params["DBInstanceIdentifier"]; id != "sso-prod-reader-b" {
			t.Errorf("the rollback recreated %s beside the reader put back", id)
		}
	}
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(ce.RollbackAction, "already back at 2 node(s)") {
		t.Fatalf("want the rollback recorded, the cluster back at 2 nodes, got %v", err)
	}
}

// TestRollbackPutBackCheckRefused: the Aurora rollback's check for a reader put back already
// (DescribeDBClusters) refused by AWS with an error no retry helps is the rollback not begun
// (callRefusedError): reported refused, its guard left rolling-back for the next apply, nothing
// recreated. With that check's failure returned as a plain error, the rollback ended 'ROLLBACK
// FAILED', its guard rollback-failed (left to a manual restore), although nothing was asked of
// RDS; the throttled case (TestRollbackPutBackCheckThrottled) did not tell the two apart.
func TestRollbackPutBackCheckRefused(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.o.RollbackTimeout = time.Hour
	e.o.OnStep = func(s Step) error {
		if s == StepSettled {
			e.srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBClusters", Sequence: []sandbox.Fault{
				{Kind: sandbox.FaultError, Status: 400, Code: "InvalidParameterValue", Message: "refused"}}})
		}
		return nil
	}
	seq := e.lastSeq()
	_, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	e.srv.ClearFaults()
	if calls := e.callsSince("CreateDBInstance", seq); len(calls) != 0 {
		t.Errorf("the rollback recreated a reader unchecked: %v", calls)
	}
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackRefused || ce.RolledBack || strings.Contains(err.Error(), "ROLLBACK FAILED") {
		t.Fatalf("want the rollback refused, not begun, got %v", err)
	}
	if tags := e.snapshotTags(KindCluster, ce.GuardSnapshotID); tags[TagOutcome] != OutcomeRollingBack {
		t.Errorf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRollingBack)
	}
}

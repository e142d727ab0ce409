package topology

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// Randomized, seeded state-machine tests of the orchestrator: each sequence drives the runs a
// rightsize_db_topology resource makes across applies (the provider's refresh, plan and
// generation logic, modelled by modelState), each apply randomly interrupted at a step or a poll,
// cut by a deadline on the virtual clock, hit by transient faults or refusals of RDS operations,
// given a failing validation, or left alone. After each apply the guard invariant is checked;
// after a final clean apply, convergence: the requested node count (or a documented refusal), a
// plan with nothing to do, no temporary restore instance left, no guard snapshot left open.
//
// RIGHTSIZE_MODEL_SEEDS overrides the seeds ("7", "1,5,9" or "1-300"); RIGHTSIZE_MODEL_TARGET
// ("mandible-prod" or "sso-prod") runs one target only.

// modelState is what the provider's state holds of the resource between applies.
type modelState struct {
	exists bool
	nodes  int // the state's nodes (Read keeps the prior count while a change of its own is unfinished)
	gen    int64
	prev   *Previous
}

// downValidator cannot reach the database after the change (not a mismatch).
type downValidator struct{}

func (downValidator) Capture(context.Context) (Facts, error) { return Facts{}, nil }
func (downValidator) Check(context.Context, Facts) (*Report, error) {
	return nil, errors.New("dial tcp 10.0.0.1:5432: connect: connection refused")
}

// vctx is a run's context as the provider makes it (the operation's timeout under Terraform's
// context), its deadline on the sandbox's virtual clock: expire ends it with
// context.DeadlineExceeded; the parent's cancellation (Ctrl-C) ends it with the parent's error.
type vctx struct {
	context.Context
	done chan struct{}
	once sync.Once
	mu   sync.Mutex
	err  error
}

func newVctx(parent context.Context) *vctx {
	c := &vctx{Context: parent, done: make(chan struct{})}
	go func() {
		select {
		case <-parent.Done():
			c.end(parent.Err())
		case <-c.done:
		}
	}()
	return c
}

func (c *vctx) end(err error) {
	c.once.Do(func() {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(c.done)
	})
}

func (c *vctx) Done() <-chan struct{} { return c.done }
func (c *vctx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// modelFault is one fault injection of an apply.
type modelFault struct {
	at   Step // "" = from the start of the apply
	op   string
	seq  []sandbox.Fault
	desc string
}

// applyPlan is the randomized behaviour of one apply.
type applyPlan struct {
	interruptStep  Step // Ctrl-C right after this step ("" none)
	stepError      bool // OnStep returns an error instead of cancelling
	interruptPoll  int  // Ctrl-C at this poll (0 none)
	deadline       time.Duration
	faults         []modelFault
	failSnapshot   bool
	validator      Validator
	verifyRestore  bool
	deleteGuard    bool
	disableRollbck bool
}

func (p applyPlan) String() string {
	var parts []string
	if p.interruptStep != "" {
		how := "ctrl-c"
		if p.stepError {
			how = "stop"
		}
		parts = append(parts, fmt.Sprintf("%s@%s", how, p.interruptStep))
	}
	if p.interruptPoll > 0 {
		parts = append(parts, fmt.Sprintf("ctrl-c@poll%d", p.interruptPoll))
	}
	if p.deadline != 60*time.Minute {
		parts = append(parts, fmt.Sprintf("timeout=%s", p.deadline))
	}
	for _, f := range p.faults {
		parts = append(parts, f.desc)
	}
	if p.failSnapshot {
		parts = append(parts, "snapshot-fails")
	}
	switch p.validator.(type) {
	case mismatchValidator:
		parts = append(parts, "validation-mismatch")
	case downValidator:
		parts = append(parts, "validation-down")
	case nil:
		parts = append(parts, "no-validation")
	}
	if p.verifyRestore {
		parts = append(parts, "verify-restore")
	}
	if p.deleteGuard {
		parts = append(parts, "retain=false")
	}
	if p.disableRollbck {
		parts = append(parts, "rollback_on_failure=false")
	}
	if len(parts) == 0 {
		return "clean"
	}
	return strings.Join(parts, " ")
}

var (
	modelInstanceOps = []string{"DescribeDBInstances", "DescribeDBSnapshots", "CreateDBSnapshot", "ModifyDBInstance",
		"AddTagsToResource", "ListTagsForResource", "RemoveTagsFromResource", "RestoreDBInstanceFromDBSnapshot", "DeleteDBInstance",
		"DeleteDBSnapshot", "DescribeBlueGreenDeployments", "DescribeEvents"}
	modelClusterOps = []string{"DescribeDBClusters", "DescribeDBInstances", "DescribeDBClusterSnapshots", "CreateDBClusterSnapshot",
		"CreateDBInstance", "DeleteDBInstance", "ModifyDBInstance", "AddTagsToResource", "ListTagsForResource", "RemoveTagsFromResource",
		"DeleteDBClusterSnapshot", "DescribeDBClusterEndpoints", "application-autoscaling:DescribeScalableTargets", "DescribeBlueGreenDeployments"}
	modelSteps = []Step{StepPrecheck, StepBaseline, StepGuardCreate, StepGuardAvailable, StepRestoreCreate, StepRestoreAvailable,
		StepRestoreDeleted, StepGuardVerified, StepChange, StepSettled, StepValidated, StepDone, StepRollback}
)

func randomApplyPlan(rng *rand.Rand, target Target) applyPlan {
	p := applyPlan{deadline: 60 * time.Minute, validator: okValidator{}}
	switch r := rng.Float64(); {
	case r < 0.15:
		p.validator = mismatchValidator{}
	case r < 0.20:
		p.validator = downValidator{}
	case r < 0.30:
		p.validator = nil
	}
	if rng.Float64() < 0.3 {
		p.interruptStep = modelSteps[rng.Intn(len(modelSteps))]
		p.stepError = rng.Float64() < 0.3
	} else if rng.Float64() < 0.15 {
		p.interruptPoll = 1 + rng.Intn(40)
	}
	if rng.Float64() < 0.12 {
		p.deadline = time.Duration(3+rng.Intn(45)) * time.Minute
	}
	ops := modelInstanceOps
	if target.Kind == KindCluster {
		ops = modelClusterOps
	}
	for n := range 3 {
		if rng.Float64() >= 0.35/float64(n+1) {
			break
		}
		op := ops[rng.Intn(len(ops))]
		var f modelFault
		f.op = op
		if rng.Float64() < 0.4 {
			f.at = modelSteps[rng.Intn(len(modelSteps))]
		}
		skip := rng.Intn(6)
		for range skip {
			f.seq = append(f.seq, sandbox.Fault{Kind: sandbox.FaultNone})
		}
		var kind string
		switch r := rng.Float64(); {
		case r < 0.3:
			k := 1 + rng.Intn(8)
			for range k {
				f.seq = append(f.seq, sandbox.Fault{Kind: sandbox.FaultThrottling})
			}
			kind = fmt.Sprintf("throttling×%d", k)
		case r < 0.55:
			k := 1 + rng.Intn(8)
			for range k {
				f.seq = append(f.seq, sandbox.Fault{Kind: sandbox.FaultHTTP500})
			}
			kind = fmt.Sprintf("500×%d", k)
		case r < 0.65:
			f.seq = append(f.seq, sandbox.Fault{Kind: sandbox.FaultConnReset})
			kind = "reset"
		case r < 0.85:
			k := 1 + rng.Intn(2)
			for range k {
				f.seq = append(f.seq, sandbox.Fault{Kind: sandbox.FaultError, Status: 400, Code: "InvalidDBInstanceState", Message: "injected: instance busy"})
			}
			kind = fmt.Sprintf("InvalidDBInstanceState×%d", k)
		default:
			k := 1 + rng.Intn(3)
			for range k {
				f.seq = append(f.seq, sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "injected: not authorized to perform: rds:" + op})
			}
			kind = fmt.Sprintf("AccessDenied×%d", k)
		}
		at := "start"
		if f.at != "" {
			at = string(f.at)
		}
		f.desc = fmt.Sprintf("%s:%s(after %d,from %s)", op, kind, skip, at)
		p.faults = append(p.faults, f)
	}
	p.failSnapshot = rng.Float64() < 0.04
	if target.Kind == KindInstance {
		p.verifyRestore = rng.Float64() < 0.2
	}
	p.deleteGuard = rng.Float64() < 0.1
	p.disableRollbck = rng.Float64() < 0.05
	return p
}

// modelRun is one sequence's harness.
type modelRun struct {
	t      *testing.T
	e      *env
	target Target
	st     modelState
	trace  []string
	// per-apply hooks, read by the env's Sleep and OnStep
	mu        sync.Mutex
	interrupt func()
	pollsLeft int
	expire    func()
	deadline  time.Time
	hardStop  time.Time
}

func (m *modelRun) logf(format string, args ...any) {
	m.trace = append(m.trace, fmt.Sprintf(format, args...))
}

func (m *modelRun) fail(format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("%s\ntrace:\n  %s", fmt.Sprintf(format, args...), strings.Join(m.trace, "\n  "))
}

func newModelRun(t *testing.T, target Target) *modelRun {
	e := newEnv(t, sandbox.Demo())
	m := &modelRun{t: t, e: e, target: target}
	e.o.RollbackTimeout = 20 * time.Second // real time; the virtual hard stop below bounds a rollback
	e.o.Sleep = func(ctx context.Context, d time.Duration) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		e.srv.Advance(d)
		m.mu.Lock()
		defer m.mu.Unlock()
		now := e.srv.Now()
		if m.pollsLeft > 0 {
			m.pollsLeft--
			if m.pollsLeft == 0 && m.interrupt != nil {
				m.interrupt()
			}
		}
		if !m.deadline.IsZero() && now.After(m.deadline) && m.expire != nil {
			m.expire()
		}
		if !m.hardStop.IsZero() && now.After(m.hardStop) {
			// The rollback's own deadline (DefaultRollbackTimeout after the run's), on the virtual clock.
			return context.DeadlineExceeded
		}
		return ctx.Err()
	}
	return m
}

// refresh is the provider's Read (refreshFromTopology, then the unfinished-change check): the
// state's nodes follow the database (a Multi-AZ change under way counts as its target) unless a
// change of this resource (the next generation's guard) is unfinished. It returns the database's
// node count (current_nodes), which counts a Multi-AZ change under way as its target when that
// change is this resource's unfinished one.
func (m *modelRun) refresh() (current int) {
	topo, err := Describe(context.Background(), m.e.api, m.target)
	if err != nil {
		m.fail("refresh: %v", err)
	}
	current = topo.Nodes
	if !m.st.exists {
		return current
	}
	observed := topo.Nodes
	if topo.PendingMultiAZ != nil && (topo.Status == "modifying" || *topo.PendingMultiAZ != topo.MultiAZ) {
		observed = 1
		if *topo.PendingMultiAZ {
			observed = 2
		}
	}
	if observed != m.st.nodes {
		_, outcome, err := GuardOutcome(context.Background(), m.e.api, "", m.target, m.st.gen+1, observed)
		switch {
		case err != nil:
			m.fail("refresh: guard outcome: %v", err)
		case outcome == OutcomeRollingBack || Unfinished(outcome):
			// keep the prior nodes; a Multi-AZ change under way counts in current_nodes as its
			// target, so that a plan of the prior count reverses it rather than be empty
			if topo.Status == "modifying" && topo.PendingMultiAZ != nil {
				current = observed
			}
		default:
			m.logf("  refresh: drift %d → %d (guard g%d-to%d outcome %q)", m.st.nodes, observed, m.st.gen+1, observed, outcome)
			m.st.nodes = observed
		}
	}
	return current
}

// changingCall reports whether en changes the target (sandbox.CheckGuarded's calls).
func (m *modelRun) changingCall(en sandbox.LogEntry) bool {
	switch en.Operation {
	case "ModifyDBInstance", "DeleteDBInstance", "CreateDBInstance":
	default:
		return false
	}
	inst := en.Params["DBInstanceIdentifier"]
	if strings.HasPrefix(inst, "rs-verify-") {
		return false
	}
	if m.target.Kind == KindInstance {
		return inst == m.target.Identifier
	}
	return strings.HasPrefix(inst, m.target.Identifier+"-") || en.Params["DBClusterIdentifier"] == m.target.Identifier
}

// checkGuards checks the guard invariant over the whole log (sandbox.CheckGuarded), and that
// every changing call logged after seq follows a describe of a guard of generation gen.
func (m *modelRun) checkGuards(seq int, gen int64) {
	m.e.settleRequests()
	if _, err := m.e.srv.CheckGuarded(m.target.Identifier); err != nil {
		m.fail("%v", err)
	}
	log := m.e.srv.Log()
	describeOp, idParam := "DescribeDBSnapshots", "DBSnapshotIdentifier"
	if m.target.Kind == KindCluster {
		describeOp, idParam = "DescribeDBClusterSnapshots", "DBClusterSnapshotIdentifier"
	}
	want := fmt.Sprintf("%s-%s-g%d-to", DefaultSnapshotPrefix, m.target.Identifier, gen)
	for i, en := range log {
		if en.Seq <= seq || en.Attempt > 1 || !m.changingCall(en) {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			p := log[j]
			if p.Operation == describeOp {
				if !strings.HasPrefix(p.Params[idParam], want) {
					m.fail("%s #%d (%v) of generation %d follows a describe of guard %s", en.Operation, en.Seq, en.Params, gen, p.Params[idParam])
				}
				break
			}
		}
	}
}

// run runs req as the provider does, bounded on the virtual clock and in real time.
func (m *modelRun) run(req Request, p applyPlan) (*Result, error) {
	e := m.e
	parent, ctrlC := context.WithCancel(context.Background())
	defer ctrlC()
	ctx := newVctx(parent)
	defer ctx.end(context.Canceled)
	e.o.Interrupt = parent
	start := e.srv.Now()
	m.mu.Lock()
	m.interrupt, m.pollsLeft = ctrlC, p.interruptPoll
	m.expire = func() { ctx.end(context.DeadlineExceeded) }
	m.deadline = start.Add(p.deadline)
	m.hardStop = m.deadline.Add(DefaultRollbackTimeout + 30*time.Minute)
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.interrupt, m.pollsLeft, m.expire, m.deadline, m.hardStop = nil, 0, nil, time.Time{}, time.Time{}
		m.mu.Unlock()
	}()
	for _, f := range p.faults {
		if f.at == "" {
			e.srv.InjectFaults(sandbox.FaultRule{Operation: f.op, Sequence: f.seq})
		}
	}
	if p.failSnapshot {
		e.srv.FailNextSnapshots(1)
	}
	e.o.OnStep = func(s Step) error {
		for _, f := range p.faults {
			if f.at == s {
				e.srv.InjectFaults(sandbox.FaultRule{Operation: f.op, Sequence: f.seq})
			}
		}
		if p.interruptStep == s {
			if p.stepError {
				return errors.New("stopped at " + string(s))
			}
			ctrlC()
		}
		return nil
	}
	defer func() { e.o.OnStep = nil }()

	type out struct {
		res *Result
		err error
		pan any
		stk string
	}
	ch := make(chan out, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				buf := make([]byte, 1<<16)
				ch <- out{pan: r, stk: string(buf[:runtime.Stack(buf, false)])}
			}
		}()
		res, err := e.o.Run(ctx, req)
		ch <- out{res: res, err: err}
	}()
	select {
	case o := <-ch:
		if o.pan != nil {
			m.fail("Run panicked: %v\n%s", o.pan, o.stk)
		}
		e.srv.ClearFaults()
		e.srv.FailNextSnapshots(0)
		return o.res, o.err
	case <-time.After(60 * time.Second):
		buf := make([]byte, 1<<20)
		m.fail("Run hangs (60 s real time, virtual clock at %s)\n%s", e.srv.Now().Sub(start), buf[:runtime.Stack(buf, true)])
	}
	return nil, nil
}

func describeErr(err error) string {
	if err == nil {
		return "ok"
	}
	var pe *PrecheckError
	var ce *ChangeError
	switch {
	case errors.As(err, &pe):
		return "refused:" + string(pe.Reason)
	case errors.As(err, &ce):
		var f []string
		for _, b := range []struct {
			on   bool
			name string
		}{{ce.Changed, "Changed"}, {ce.Interrupted, "Interrupted"}, {ce.Resumable, "Resumable"}, {ce.RequestUnanswered, "RequestUnanswered"},
			{ce.RollbackAttempted, "RollbackAttempted"}, {ce.RolledBack, "RolledBack"}, {ce.RollbackInProgress, "RollbackInProgress"},
			{ce.RollbackRequested, "RollbackRequested"}, {ce.RollbackInterrupted, "RollbackInterrupted"}, {ce.RollbackRefused, "RollbackRefused"},
			{ce.RollbackUntagged, "RollbackUntagged"}, {ce.RedundancyKept, "RedundancyKept"}, {ce.GuardUnusable, "GuardUnusable"}} {
			if b.on {
				f = append(f, b.name)
			}
		}
		return fmt.Sprintf("change-error{%s} stage=%q", strings.Join(f, ","), ce.Stage)
	}
	msg := err.Error()
	if len(msg) > 160 {
		msg = msg[:160] + "…"
	}
	return "error:" + msg
}

// apply is one terraform apply of nodes (destroy: restore_on_destroy) as the provider makes it.
// It returns the run's error and whether a run was made.
func (m *modelRun) apply(nodes int, destroy bool, p applyPlan) (ran bool, err error) {
	current := m.refresh()
	var req Request
	switch {
	case destroy:
		if !m.st.exists {
			return false, nil
		}
		req = Request{Target: m.target, Nodes: 2, Generation: m.st.gen + 1, Previous: m.st.prev}
	case !m.st.exists:
		req = Request{Target: m.target, Nodes: nodes, Generation: 1}
	default:
		same, redo := nodes == m.st.nodes, current != m.st.nodes
		if same && !redo {
			m.logf("apply %d: nothing to do (state %d, database %d)", nodes, m.st.nodes, current)
			return false, nil
		}
		req = Request{Target: m.target, Nodes: nodes, Generation: m.st.gen + 1, Previous: m.st.prev}
	}
	req.Validator = p.validator
	req.VerifyRestore = p.verifyRestore
	req.DeleteGuardOnSuccess = p.deleteGuard
	req.DisableRollback = p.disableRollbck
	if !destroy {
		// The plan: its preview names the reader a change to 1 node removes (ExpectedReader), and
		// a plan the apply would refuse for what the database is fails.
		e := m.e
		e.o.Interrupt, e.o.OnStep = nil, nil
		pv, perr := e.o.Preview(context.Background(), req)
		if perr == nil {
			if pv.Refusal != "" && pv.Unchecked == "" && (pv.RefusalReason == ReasonWrongTarget ||
				(!m.st.exists && req.Nodes == 2 && pv.RefusalReason == ReasonAlreadyAtTarget)) {
				m.logf("apply %d: plan fails: %s", nodes, pv.RefusalReason)
				return false, &PrecheckError{Target: m.target, Reason: pv.RefusalReason, Detail: pv.Refusal}
			}
			req.ExpectedReader = pv.Reader
		}
	}
	seq := m.e.lastSeq()
	what := fmt.Sprintf("apply %d", nodes)
	if destroy {
		what = "destroy (restore_on_destroy)"
	}
	res, err := m.run(req, p)
	m.logf("%s g%d prev=%v expect=%q [%s] → %s", what, req.Generation, m.st.prev != nil, req.ExpectedReader, p, describeErr(err))
	m.checkGuards(seq, req.Generation)
	var pe *PrecheckError
	switch {
	case err == nil:
		if destroy {
			m.st = modelState{}
			break
		}
		m.st = modelState{exists: true, nodes: nodes, gen: req.Generation, prev: &res.Previous}
		if res.Nodes != nodes {
			m.fail("run succeeded with %d nodes, %d requested", res.Nodes, nodes)
		}
		if res.OutcomeTagError != "" {
			// The provider's warning: the user tags the guard snapshot completed by hand.
			m.logf("  warning: outcome not recorded on %s; tagged %s = %s by hand", res.GuardSnapshotID, TagOutcome, OutcomeCompleted)
			if _, err := m.e.api.AddTagsToResource(context.Background(), &rds.AddTagsToResourceInput{ResourceName: &res.GuardSnapshotARN,
				Tags: toTagList(map[string]string{TagOutcome: OutcomeCompleted})}); err != nil {
				m.fail("tagging %s by hand: %v", res.GuardSnapshotID, err)
			}
		}
	case destroy && (IsNotFound(err) || (errors.As(err, &pe) && pe.Reason == ReasonAlreadyAtTarget)):
		m.st = modelState{}
	}
	return true, err
}

// finish makes clean applies of nodes until the database is there and the next plan is empty:
// at most 3, the earlier ones may finish an earlier change's rollback or be refused while RDS
// finishes an earlier change (then, as the refusal says, the user waits: 3 h pass). Then it
// checks convergence.
func (m *modelRun) finish(nodes int) {
	clean := applyPlan{deadline: 60 * time.Minute, validator: okValidator{}}
	m.logf("--- final: %d node(s)", nodes)
	converged := false
	for attempt := 1; attempt <= 3 && !converged; attempt++ {
		ran, err := m.apply(nodes, false, clean)
		var pe *PrecheckError
		var ce *ChangeError
		switch {
		case err == nil && !ran:
			// The plan was empty: converged if the database is at nodes once RDS is done.
			m.e.srv.Advance(3 * time.Hour)
			cur := m.refresh()
			if cur == nodes && m.st.nodes == nodes {
				converged = true
			} else {
				m.logf("note: an empty plan for %d node(s) while the database was heading to %d (state %d)", nodes, cur, m.st.nodes)
			}
		case err == nil:
			converged = true
		case errors.As(err, &pe) && pe.Reason == ReasonAlreadyAtTarget && !m.st.exists:
			// A new resource for the node count the database has: refused, "import it".
			m.logf("final: refused as documented (already at target on create): import")
			m.checkLeftovers()
			return
		case errors.As(err, &pe) && (pe.Reason == ReasonStatus || pe.Reason == ReasonChangeInProgress):
			m.logf("note: refused while RDS is busy; waiting 3 h")
			m.e.srv.Advance(3 * time.Hour)
		case errors.As(err, &ce) && ce.RolledBack && strings.Contains(ce.Stage, "finishing the rollback"):
			// An earlier change's rollback finished and reported: apply again.
		default:
			m.fail("final clean apply %d: %v", attempt, err)
		}
	}
	if !converged {
		m.fail("3 clean applies did not converge to %d node(s)", nodes)
	}
	m.e.srv.Advance(3 * time.Hour)
	cur := m.refresh()
	if cur != nodes || m.st.nodes != nodes {
		m.fail("after the final apply: database %d node(s), state %d, want %d", cur, m.st.nodes, nodes)
	}
	seq := m.e.lastSeq()
	if ran, err := m.apply(nodes, false, clean); ran || err != nil {
		m.fail("the next identical apply is not empty (ran %t): %v", ran, err)
	}
	if n := len(m.e.callsSince("CreateDBSnapshot", seq)) + len(m.e.callsSince("CreateDBClusterSnapshot", seq)); n > 0 {
		m.fail("the empty apply took a snapshot")
	}
	m.checkLeftovers()
}

func (m *modelRun) topoNodes() int {
	topo, err := Describe(context.Background(), m.e.api, m.target)
	if err != nil {
		m.fail("%v", err)
	}
	return topo.Nodes
}

// checkLeftovers: no temporary restore instance, no guard snapshot of the target left open.
func (m *modelRun) checkLeftovers() {
	ctx := context.Background()
	out, err := m.e.api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	if err != nil {
		m.fail("%v", err)
	}
	for _, in := range out.DBInstances {
		if id := *in.DBInstanceIdentifier; strings.HasPrefix(id, "rs-verify-") && *in.DBInstanceStatus != "deleting" {
			m.fail("temporary restore instance %s left (%s)", id, *in.DBInstanceStatus)
		}
	}
	for _, id := range m.e.guards(m.target, DefaultSnapshotPrefix+"-") {
		outcome := m.e.snapshotTags(m.target.Kind, id)[TagOutcome]
		tags := m.e.snapshotTags(m.target.Kind, id)
		switch {
		case outcome == OutcomeRollingBack && tags[TagFromNodes] == strconv.Itoa(m.topoNodes()):
			// Known, reported: a rollback RDS finished after the apply that requested it was
			// interrupted, the database back at the change's starting count (the state's): no
			// plan runs the change again, and its guard stays rolling-back until a later change
			// to that node count finishes (reports) the rollback.
			m.logf("note: guard %s left rolling-back, its rollback done", id)
		case outcome == OutcomeChanging || outcome == OutcomeRollingBack || outcome == OutcomePending:
			m.fail("guard %s left %s after the final apply", id, outcome)
		case outcome == OutcomeInProgress:
			m.logf("note: guard %s left in-progress", id)
		}
	}
}

func modelSeeds(t *testing.T) []int64 {
	spec := os.Getenv("RIGHTSIZE_MODEL_SEEDS")
	if spec == "" {
		var s []int64
		for i := int64(1); i <= 60; i++ {
			s = append(s, i)
		}
		return s
	}
	var seeds []int64
	for _, part := range strings.Split(spec, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseInt(strings.TrimSpace(lo), 10, 64)
		if err != nil {
			t.Fatalf("RIGHTSIZE_MODEL_SEEDS %q: %v", spec, err)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseInt(strings.TrimSpace(hi), 10, 64); err != nil {
				t.Fatalf("RIGHTSIZE_MODEL_SEEDS %q: %v", spec, err)
			}
		}
		for s := a; s <= b; s++ {
			seeds = append(seeds, s)
		}
	}
	return seeds
}

func TestRandomizedRuns(t *testing.T) {
	seeds := modelSeeds(t)
	only := os.Getenv("RIGHTSIZE_MODEL_TARGET")
	for _, target := range []Target{mandible, sso} {
		if only != "" && only != target.Identifier {
			continue
		}
		for _, seed := range seeds {
			t.Run(fmt.Sprintf("%s/seed=%d", target.Identifier, seed), func(t *testing.T) {
				runModelSequence(t, target, seed)
			})
		}
	}
}

func runModelSequence(t *testing.T, target Target, seed int64) {
	salt := int64(0)
	if target.Kind == KindCluster {
		salt = 1
	}
	rng := rand.New(rand.NewSource(seed*2 + salt))
	m := newModelRun(t, target)
	steps := 3 + rng.Intn(5)
	for range steps {
		p := randomApplyPlan(rng, target)
		// Time passes between applies: none (applied again at once), a few minutes, or hours.
		switch r := rng.Float64(); {
		case r < 0.4:
		case r < 0.7:
			m.e.srv.Advance(time.Duration(1+rng.Intn(10)) * time.Minute)
		default:
			m.e.srv.Advance(3 * time.Hour)
		}
		switch r := rng.Float64(); {
		case r < 0.08 && m.st.exists:
			_, _ = m.apply(2, true, p)
		default:
			nodes := 1 + rng.Intn(2)
			if rng.Float64() < 0.6 {
				nodes = 1 // mostly toward the interesting direction first
				if m.st.exists && m.st.nodes == 1 {
					nodes = 2
				}
			}
			_, _ = m.apply(nodes, false, p)
		}
	}
	if rng.Float64() < 0.5 {
		m.e.srv.Advance(3 * time.Hour)
	}
	m.finish(1 + rng.Intn(2))
	if testing.Verbose() {
		t.Logf("trace:\n  %s", strings.Join(m.trace, "\n  "))
	}
}

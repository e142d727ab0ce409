package topology

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/wait"
)

// env is a sandbox, a real *rds.Client pointed at it, and an Orchestrator whose waits advance
// the sandbox's frozen virtual clock (fully deterministic: no real time passes in waits).
type env struct {
	t   *testing.T
	srv *sandbox.Server
	api *rds.Client
	o   *Orchestrator
	mu  sync.Mutex
	// onSleep, if set, runs at every poll (after the clock moved).
	onSleep func()
	// deadline, if set, is a deadline on the sandbox's virtual clock: a poll after it reports
	// context.DeadlineExceeded, exactly as a Terraform timeout would, but deterministically.
	deadline time.Time
}

func (e *env) setDeadline(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.deadline = t
}

func newEnv(t *testing.T, sc *sandbox.Scenario) *env {
	t.Helper()
	srv, err := sandbox.Start(sandbox.Options{Scenario: sc})
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDSANDBOX", "sandbox-secret", ""), HTTPClient: sdkhttp.Wrap(nil)}
	api := rds.NewFromConfig(cfg, func(o *rds.Options) {
		o.BaseEndpoint = aws.String(srv.URL())
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxBackoff = 5 * time.Millisecond
			so.MaxAttempts = 5
			so.RateLimiter = noRateLimit{}
		})
	})
	e := &env{t: t, srv: srv, api: api}
	e.o = &Orchestrator{
		RDS: api, AutoScaling: applicationautoscaling.NewFromConfig(srv.AWSConfig()),
		Now: srv.Now, PollMin: 10 * time.Second, PollMax: 60 * time.Second,
		RollbackTimeout: 5 * time.Second,
		Sleep: func(ctx context.Context, d time.Duration) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			srv.Advance(d)
			e.mu.Lock()
			f := e.onSleep
			e.mu.Unlock()
			if f != nil {
				f()
			}
			e.mu.Lock()
			dl := e.deadline
			e.mu.Unlock()
			if !dl.IsZero() && srv.Now().After(dl) {
				return context.DeadlineExceeded
			}
			return ctx.Err()
		},
	}
	return e
}

type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }

func (e *env) instance(id string) *rdstypes.DBInstance {
	e.t.Helper()
	in, err := FindDBInstance(context.Background(), e.api, id)
	if err != nil {
		e.t.Fatalf("describing %s: %v", id, err)
	}
	return in
}

func (e *env) topology(target Target) *Topology {
	e.t.Helper()
	topo, err := Describe(context.Background(), e.api, target)
	if err != nil {
		e.t.Fatalf("describing %s: %v", target, err)
	}
	return topo
}

// guards lists the manual snapshots of target whose identifier starts with prefix.
func (e *env) guards(target Target, prefix string) []string {
	e.t.Helper()
	var ids []string
	ctx := context.Background()
	if target.Kind == KindCluster {
		out, err := e.api.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterIdentifier: &target.Identifier})
		if err != nil {
			e.t.Fatal(err)
		}
		for _, s := range out.DBClusterSnapshots {
			if strings.HasPrefix(*s.DBClusterSnapshotIdentifier, prefix) {
				ids = append(ids, *s.DBClusterSnapshotIdentifier)
			}
		}
	} else {
		out, err := e.api.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: &target.Identifier})
		if err != nil {
			e.t.Fatal(err)
		}
		for _, s := range out.DBSnapshots {
			if strings.HasPrefix(*s.DBSnapshotIdentifier, prefix) {
				ids = append(ids, *s.DBSnapshotIdentifier)
			}
		}
	}
	return ids
}

// assertGuarded checks THE invariant on the request log (sandbox.CheckGuarded): every
// ModifyDBInstance, DeleteDBInstance or CreateDBInstance touching target follows a successful
// describe of a guard snapshot made when that snapshot was available. It returns how many such
// calls it saw.
// settleRequests waits until the sandbox has served every request a cancelled client context
// abandoned (the client returns at once; its request may reach the server later, in the middle of
// the next run's calls, where the guard invariant check would take it for the run's own).
func (e *env) settleRequests() {
	e.t.Helper()
	if !e.srv.WaitIdle(50*time.Millisecond, 5*time.Second) {
		e.t.Fatal("the sandbox is still serving requests 5 s after the run returned")
	}
}

func (e *env) assertGuarded(target Target) int {
	e.t.Helper()
	e.settleRequests()
	n, err := e.srv.CheckGuarded(target.Identifier)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) opsIndex(op string, match func(sandbox.LogEntry) bool) []int {
	var seqs []int
	for _, en := range e.srv.Log() {
		if en.Operation == op && (match == nil || match(en)) {
			seqs = append(seqs, en.Seq)
		}
	}
	return seqs
}

func (e *env) snapshotTags(kind Kind, id string) map[string]string {
	e.t.Helper()
	g, err := loadGuard(context.Background(), e.api, kind, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return g.tags
}

var (
	mandible = Target{Kind: KindInstance, Identifier: "mandible-prod"}
	sso      = Target{Kind: KindCluster, Identifier: "sso-prod"}
)

const ssoReader, ssoWriter = "sso-prod-instance-2", "sso-prod-instance-1"

func TestMultiAZTwoToOneToTwo(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	dsn, schema := seedSchema(t)
	v := newPGValidator(dsn, schema, true)
	ctx := context.Background()

	res, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, Validator: v, Tags: map[string]string{"team": "chat"}})
	if err != nil {
		t.Fatalf("2 → 1: %v", err)
	}
	wantID := "rightsize-guard-mandible-prod-g1-to1"
	if res.GuardSnapshotID != wantID || !strings.HasPrefix(res.GuardSnapshotARN, "arn:aws:rds:us-east-1:") || !res.GuardSnapshotRetained {
		t.Fatalf("guard %q %q retained=%t", res.GuardSnapshotID, res.GuardSnapshotARN, res.GuardSnapshotRetained)
	}
	if res.FromNodes != 2 || res.Nodes != 1 || res.MultiAZ || res.Pending || res.Resumed || res.Previous.Nodes != 2 || !res.Previous.MultiAZ {
		t.Fatalf("result %+v", res)
	}
	if res.Validation == nil || res.Validation.RoundTrip <= 0 || !strings.Contains(strings.Join(res.Validation.Checked, "|"), "messages: 3000 before, 3000 after") {
		t.Fatalf("validation report %+v", res.Validation)
	}
	if !strings.Contains(res.Action, "Multi-AZ turned off") {
		t.Fatalf("action %q", res.Action)
	}
	in := e.instance("mandible-prod")
	if *in.MultiAZ || *in.DBInstanceStatus != "available" {
		t.Fatalf("after 2 → 1: MultiAZ=%t status=%s", *in.MultiAZ, *in.DBInstanceStatus)
	}
	tags := e.snapshotTags(KindInstance, wantID)
	for k, want := range map[string]string{TagOutcome: OutcomeCompleted, TagTarget: "instance:mandible-prod", TagGeneration: "1",
		TagFromNodes: "2", TagToNodes: "1", "team": "chat", tagFactPrefix + "rows:" + schema + ".users": "200"} {
		if tags[k] != want {
			t.Errorf("tag %s = %q, want %q", k, tags[k], want)
		}
	}
	// Order: snapshot created, then (after it is available) the one modification.
	creates := e.opsIndex("CreateDBSnapshot", nil)
	mods := e.opsIndex("ModifyDBInstance", nil)
	if len(creates) != 1 || len(mods) != 1 || creates[0] > mods[0] {
		t.Fatalf("CreateDBSnapshot at %v, ModifyDBInstance at %v", creates, mods)
	}
	if n := e.assertGuarded(mandible); n != 1 {
		t.Fatalf("%d guarded calls, want 1", n)
	}
	t.Logf("2 → 1: %d RDS requests %v over %s of RDS time", len(e.srv.Log()), e.srv.Counts(), e.srv.Now().Sub(sandbox.ScenarioEpoch))

	res2, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 2, Generation: 2, Validator: v, Previous: &res.Previous})
	if err != nil {
		t.Fatalf("1 → 2: %v", err)
	}
	if res2.GuardSnapshotID != "rightsize-guard-mandible-prod-g2-to2" || res2.FromNodes != 1 || !res2.MultiAZ {
		t.Fatalf("result %+v", res2)
	}
	if in := e.instance("mandible-prod"); !*in.MultiAZ {
		t.Fatal("Multi-AZ is not on again")
	}
	if n := e.assertGuarded(mandible); n != 2 {
		t.Fatalf("%d guarded calls, want 2", n)
	}
	if g := e.guards(mandible, "rightsize-guard-"); len(g) != 2 {
		t.Fatalf("guard snapshots %v, want one per change", g)
	}
}

func TestAuroraTwoToOneToTwo(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	dsn, schema := seedSchema(t)
	v := newPGValidator(dsn, schema, true)
	ctx := context.Background()
	before := e.instance(ssoReader)

	res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1, Validator: v})
	if err != nil {
		t.Fatalf("2 → 1: %v", err)
	}
	if res.GuardSnapshotID != "rightsize-guard-sso-prod-g1-to1" || res.Nodes != 1 || res.FromNodes != 2 {
		t.Fatalf("result %+v", res)
	}
	rec := res.Previous.Reader
	if rec == nil || rec.Identifier != ssoReader || rec.Class != *before.DBInstanceClass || rec.AvailabilityZone != *before.AvailabilityZone ||
		rec.PromotionTier != *before.PromotionTier || rec.ParameterGroup == "" || rec.PerformanceInsights != *before.PerformanceInsightsEnabled ||
		rec.MonitoringInterval != *before.MonitoringInterval {
		t.Fatalf("reader record %+v does not match the reader %+v", rec, before)
	}
	topo := e.topology(sso)
	if topo.Nodes != 1 || topo.Writer().Identifier != ssoWriter {
		t.Fatalf("after 2 → 1: %+v", topo.Members)
	}
	if _, err := FindDBInstance(ctx, e.api, ssoReader); !IsNotFound(err) {
		t.Fatalf("reader still exists: %v", err)
	}
	if creates, dels := e.opsIndex("CreateDBClusterSnapshot", nil), e.opsIndex("DeleteDBInstance", nil); len(creates) != 1 || len(dels) != 1 || creates[0] > dels[0] {
		t.Fatalf("CreateDBClusterSnapshot at %v, DeleteDBInstance at %v", creates, dels)
	}
	if n := e.assertGuarded(sso); n != 1 {
		t.Fatalf("%d guarded calls, want 1", n)
	}
	if e.opsIndex("DeleteDBInstance", func(en sandbox.LogEntry) bool { return en.Params["DBInstanceIdentifier"] == ssoWriter }) != nil {
		t.Fatal("the writer was deleted")
	}

	res2, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Validator: v, Previous: &res.Previous})
	if err != nil {
		t.Fatalf("1 → 2: %v", err)
	}
	if !strings.Contains(res2.Action, "reader "+ssoReader) {
		t.Fatalf("action %q", res2.Action)
	}
	after := e.instance(ssoReader)
	if *after.DBInstanceClass != *before.DBInstanceClass || *after.AvailabilityZone != *before.AvailabilityZone ||
		*after.PromotionTier != *before.PromotionTier || *after.DBClusterIdentifier != "sso-prod" || *after.DBInstanceStatus != "available" {
		t.Fatalf("recreated reader differs: %+v", after)
	}
	topo = e.topology(sso)
	if topo.Nodes != 2 || topo.Writer().Identifier != ssoWriter {
		t.Fatalf("after 1 → 2: %+v", topo.Members)
	}
	if n := e.assertGuarded(sso); n != 2 {
		t.Fatalf("%d guarded calls, want 2", n)
	}
}

func TestAuroraOneToTwoWithoutRecordDerivesReader(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	e.removeReaderUnrecorded(t)
	res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2}) // no Previous: imported single node
	if err != nil {
		t.Fatal(err)
	}
	rd := e.instance("sso-prod-reader")
	writer := e.instance(ssoWriter)
	if *rd.DBInstanceClass != *writer.DBInstanceClass || *rd.AvailabilityZone == *writer.AvailabilityZone || *rd.PromotionTier != 1 {
		t.Fatalf("derived reader %s class %s az %s tier %d (writer az %s)", *rd.DBInstanceIdentifier, *rd.DBInstanceClass, *rd.AvailabilityZone, *rd.PromotionTier, *writer.AvailabilityZone)
	}
	if res.Previous.Reader == nil || res.Previous.Reader.Identifier != "sso-prod-reader" {
		t.Fatalf("previous %+v", res.Previous)
	}
}

// A cluster taken to 1 node by a removal its request's Previous does not record (an imported
// resource's state) gets back, at 2 nodes, the reader the removal's guard snapshot records
// (prepareReader, unrecordedRemoval), and the plan says so: it named a reader made after the writer
// (sso-prod-reader) while the apply recreated the removed one.
func TestPreviewNamesReaderFromGuardRecord(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	removed := ssoReader
	if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	req := Request{Target: sso, Nodes: 2, Generation: 2} // no Previous: imported at 1 node
	p, err := e.o.Preview(ctx, req)
	if err != nil || p.Refusal != "" {
		t.Fatalf("preview %+v %v", p, err)
	}
	if s := PlanSummary(p, req); !strings.Contains(s, "Create the reader "+removed+" (") || strings.Contains(s, "sso-prod-reader") {
		t.Errorf("the plan does not name the reader the guard records, %s:\n%s", removed, s)
	}
	if _, err := e.o.Run(ctx, req); err != nil {
		t.Fatal(err)
	}
	e.instance(removed) // fails the test when the apply did not recreate it
}

// interruptions runs the change once per step boundary, interrupting the first run right after
// that step (by cancelling its context, or by making the next API call fail), then runs it
// again and checks that it converges with nothing lost. A run interrupted after the change
// began is resumed with its guard snapshot (exactly one); one interrupted after it took a guard
// but before the change leaves that guard superseded, and the re-run changes the database only
// behind a guard it took itself.
// Interruption modes: cancel the run's context, make the next API call fail, or stop the run
// from the OnStep hook (what the provider's acceptance tests use).
const (
	byCancel    = "cancel"
	byFaultMode = "fault"
	byHook      = "hook"
)

func interruptions(t *testing.T, target Target, steps []Step, mode string, verifyRestore bool) {
	byFault := mode == byFaultMode
	for _, step := range steps {
		t.Run(string(step), func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			dsn, schema := seedSchema(t)
			v := newPGValidator(dsn, schema, true)
			req := Request{Target: target, Nodes: 1, Generation: 3, Validator: v, VerifyRestore: verifyRestore}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			hit := false
			e.o.OnStep = func(s Step) error {
				if s != step || hit {
					return nil
				}
				hit = true
				if mode == byHook {
					return errors.New("stopped by the test at " + string(s))
				}
				if byFault {
					e.srv.InjectFaults(sandbox.FaultRule{Operation: "*", Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "injected"}}})
				} else {
					cancel()
				}
				return nil
			}
			res, err := e.o.Run(ctx, req)
			if !hit {
				t.Fatalf("step %s was never reached (err %v)", step, err)
			}
			// With a fault, the only call after these steps is the (non-fatal) outcome tag, so
			// the first run may succeed; the re-run must converge either way.
			tolerated := byFault && (step == StepSettled || step == StepValidated || step == StepDone)
			if !tolerated {
				if err == nil {
					t.Fatalf("the interrupted run succeeded: %+v", res)
				}
				var ce *ChangeError
				if errors.As(err, &ce) && (ce.RollbackAttempted || ce.RolledBack) {
					t.Fatalf("an interruption must not roll back: %v", err)
				}
			}
			e.srv.ClearFaults()
			e.o.OnStep = nil
			rerun := 0 // the last request of the interrupted run
			if l := e.srv.Log(); len(l) > 0 {
				rerun = l[len(l)-1].Seq
			}
			res, err = e.o.Run(context.Background(), req)
			if err != nil {
				t.Fatalf("re-run after interruption at %s: %v", step, err)
			}
			if res.Nodes != 1 {
				t.Fatalf("result %+v", res)
			}
			first, second := GuardSnapshotID("", target, 3, 1, 1), GuardSnapshotID("", target, 3, 1, 2)
			want, superseded, resumed := []string{first}, "", false
			switch step {
			case StepGuardCreate, StepGuardAvailable, StepRestoreCreate, StepRestoreAvailable, StepRestoreDeleted, StepGuardVerified:
				want, superseded = []string{first, second}, first
			case StepChange, StepSettled, StepValidated:
				resumed = true
			}
			if step != StepDone && res.Resumed != resumed {
				t.Errorf("re-run after %s: resumed %t, want %t", step, res.Resumed, resumed)
			}
			if res.SupersededGuardSnapshotID != superseded {
				t.Errorf("re-run after %s: superseded guard %q, want %q", step, res.SupersededGuardSnapshotID, superseded)
			}
			guards := e.guards(target, "rightsize-guard-")
			slices.Sort(guards)
			if !slices.Equal(guards, want) || res.GuardSnapshotID != want[len(want)-1] {
				t.Fatalf("guard snapshots %v (result %s), want %v", guards, res.GuardSnapshotID, want)
			}
			if superseded != "" {
				if tags := e.snapshotTags(target.Kind, superseded); tags[TagOutcome] != OutcomeSuperseded {
					t.Errorf("superseded guard's outcome tag %q", tags[TagOutcome])
				}
				// The change came after the re-run created its own guard.
				create := e.opsIndex(map[Kind]string{KindInstance: "CreateDBSnapshot", KindCluster: "CreateDBClusterSnapshot"}[target.Kind], func(en sandbox.LogEntry) bool {
					return en.Seq > rerun && strings.Contains(en.Params["DBSnapshotIdentifier"]+en.Params["DBClusterSnapshotIdentifier"], second)
				})
				change := e.opsIndex(map[Kind]string{KindInstance: "ModifyDBInstance", KindCluster: "DeleteDBInstance"}[target.Kind], func(en sandbox.LogEntry) bool {
					return en.Params["DBInstanceIdentifier"] == target.Identifier || en.Params["DBInstanceIdentifier"] == ssoReader
				})
				if len(create) != 1 || len(change) != 1 || change[0] < create[0] {
					t.Errorf("re-run created its guard at %v and changed the database at %v", create, change)
				}
			}
			guards = guards[len(guards)-1:]
			if tags := e.snapshotTags(target.Kind, guards[0]); tags[TagOutcome] != OutcomeCompleted {
				t.Errorf("outcome tag %q", tags[TagOutcome])
			}
			topo := e.topology(target)
			if topo.Nodes != 1 || topo.Status != "available" {
				t.Fatalf("final topology: %d nodes, %s", topo.Nodes, topo.Status)
			}
			if target.Kind == KindCluster && topo.Writer().Identifier != ssoWriter {
				t.Fatalf("the writer changed: %+v", topo.Members)
			}
			e.assertGuarded(target)
			// Nothing lost: the baseline recorded before the interruption still validates.
			if _, err := v.Check(context.Background(), factsFromTags(e.snapshotTags(target.Kind, guards[0]))); err != nil {
				t.Fatalf("validation after convergence: %v", err)
			}
			if verifyRestore {
				// One restore per guard that reached it, and no temporary instance left behind.
				wantRestores := 1
				if superseded != "" && step != StepGuardCreate && step != StepGuardAvailable {
					wantRestores = 2
				}
				if n := len(e.opsIndex("RestoreDBInstanceFromDBSnapshot", nil)); n != wantRestores {
					t.Fatalf("%d restores, want %d", n, wantRestores)
				}
				for _, g := range want {
					if _, err := FindDBInstance(context.Background(), e.api, restoreInstanceID(g)); !IsNotFound(err) {
						t.Errorf("temporary restore instance of %s left behind: %v", g, err)
					}
				}
			}
		})
	}
}

func TestInterruptionMultiAZCancel(t *testing.T) {
	interruptions(t, mandible, Steps, byCancel, true)
}

func TestInterruptionMultiAZHook(t *testing.T) {
	interruptions(t, mandible, Steps, byHook, true)
}

func TestInterruptionMultiAZFault(t *testing.T) {
	interruptions(t, mandible, Steps, byFaultMode, true)
}

var clusterSteps = []Step{StepPrecheck, StepBaseline, StepGuardCreate, StepGuardAvailable, StepGuardVerified,
	StepChange, StepSettled, StepValidated, StepDone}

func TestInterruptionAuroraCancel(t *testing.T) {
	interruptions(t, sso, clusterSteps, byCancel, false)
}

func TestInterruptionAuroraFault(t *testing.T) {
	interruptions(t, sso, clusterSteps, byFaultMode, false)
}

func deleteRows(t *testing.T, dsn, schema string) func(Step) error {
	return func(s Step) error {
		if s == StepSettled {
			conn, err := pgx.Connect(context.Background(), dsn)
			if err != nil {
				t.Error(err)
				return nil
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(context.Background(), "DELETE FROM "+schema+".messages WHERE id <= 5"); err != nil {
				t.Error(err)
			}
		}
		return nil
	}
}

func TestValidationMismatchRollsBackMultiAZ(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	dsn, schema := seedSchema(t)
	e.o.OnStep = deleteRows(t, dsn, schema)
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: newPGValidator(dsn, schema, false)})
	var ce *ChangeError
	var ve *ValidationError
	if !errors.As(err, &ce) || !errors.As(err, &ve) || !ce.RolledBack {
		t.Fatalf("want a rolled-back validation failure, got %v", err)
	}
	t.Logf("error: %v", err)
	for _, want := range []string{"validation failed", "messages has 2995 rows, 3000 before", "rolled back: Multi-AZ turned on again",
		"guard snapshot rightsize-guard-mandible-prod-g1-to1 (arn:aws:rds:us-east-1:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if in := e.instance("mandible-prod"); !*in.MultiAZ || *in.DBInstanceStatus != "available" {
		t.Fatalf("not rolled back: MultiAZ=%t %s", *in.MultiAZ, *in.DBInstanceStatus)
	}
	if tags := e.snapshotTags(KindInstance, "rightsize-guard-mandible-prod-g1-to1"); tags[TagOutcome] != OutcomeRolledBack {
		t.Errorf("outcome %q", tags[TagOutcome])
	}
	if n := e.assertGuarded(mandible); n != 2 {
		t.Fatalf("%d guarded calls (change + rollback), want 2", n)
	}
	// A later apply of the same change takes a fresh guard (attempt 2) instead of the rolled-back one.
	e.o.OnStep = nil
	res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	if err != nil || res.GuardSnapshotID != "rightsize-guard-mandible-prod-g1-to1-r2" {
		t.Fatalf("retry: %v %+v", err, res)
	}
}

func TestValidationMismatchRollsBackAurora(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	dsn, schema := seedSchema(t)
	e.o.OnStep = deleteRows(t, dsn, schema)
	_, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1, Validator: newPGValidator(dsn, schema, false)})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(err.Error(), "rolled back: reader "+ssoReader+" recreated") {
		t.Fatalf("want a rolled-back failure, got %v", err)
	}
	topo := e.topology(sso)
	if topo.Nodes != 2 || topo.Writer().Identifier != ssoWriter || topo.Readers()[0].Identifier != ssoReader {
		t.Fatalf("not rolled back: %+v", topo.Members)
	}
	e.assertGuarded(sso)
}

func TestValidationFailureWithoutRollback(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	dsn, schema := seedSchema(t)
	e.o.OnStep = deleteRows(t, dsn, schema)
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, DisableRollback: true, Validator: newPGValidator(dsn, schema, false)})
	if err == nil || !strings.Contains(err.Error(), "not rolled back") {
		t.Fatalf("got %v", err)
	}
	if in := e.instance("mandible-prod"); *in.MultiAZ {
		t.Fatal("rolled back although rollback was disabled")
	}
	if len(e.opsIndex("ModifyDBInstance", nil)) != 1 {
		t.Fatal("extra modifications")
	}
	if !strings.Contains(err.Error(), "to undo it, set nodes = 2") {
		t.Errorf("the error does not say how to undo the change: %v", err)
	}
	// The change is left as it is: a later run does not resume it (checking against the old
	// baseline again, forever) but reports it at its target.
	e.o.OnStep = nil
	_, err = e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, DisableRollback: true, Validator: newPGValidator(dsn, schema, false)})
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonAlreadyAtTarget {
		t.Fatalf("second run: %v, want %s", err, ReasonAlreadyAtTarget)
	}
}

func TestSnapshotFailedMakesNoChange(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	id := GuardSnapshotID("", mandible, 1, 1, 1)
	e.srv.FailSnapshot(id)
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	var ce *ChangeError
	var ue *wait.UnexpectedStateError
	if !errors.As(err, &ce) || ce.Changed || !errors.As(err, &ue) || ue.State != "failed" {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "no change was made") || !strings.Contains(err.Error(), id+" (arn:aws:rds:us-east-1:123456789012:snapshot:"+id+`) is "failed" and cannot be used for a restore`) {
		t.Fatalf("message %q", err)
	}
	if n := len(e.opsIndex("ModifyDBInstance", nil)); n != 0 {
		t.Fatalf("%d ModifyDBInstance calls after a failed guard snapshot", n)
	}
	if in := e.instance("mandible-prod"); !*in.MultiAZ {
		t.Fatal("changed")
	}
	// Aurora: same guarantee.
	e2 := newEnv(t, sandbox.Demo())
	e2.srv.FailSnapshot(GuardSnapshotID("", sso, 1, 1, 1))
	if _, err := e2.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1}); err == nil || !strings.Contains(err.Error(), "no change was made") {
		t.Fatalf("aurora: %v", err)
	}
	if n := len(e2.opsIndex("DeleteDBInstance", nil)); n != 0 {
		t.Fatalf("%d DeleteDBInstance calls after a failed guard snapshot", n)
	}
	// The next apply makes a new attempt.
	res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	if err != nil || res.GuardSnapshotID != id+"-r2" {
		t.Fatalf("retry after failed snapshot: %v %+v", err, res)
	}
}

func stuckRollbackStarted(e *env) bool {
	for _, en := range e.srv.Calls("ModifyDBInstance") {
		if en.Params["MultiAZ"] == "true" {
			return true
		}
	}
	return false
}

// A change whose wait runs out while RDS still reports it at work ("modifying": converting a
// multi-TiB instance copies its whole volume, for hours) is not rolled back: the run stops
// resumable, the guard stays tagged changing, and the next run waits for the change, validates and
// records it.
func TestStuckModifyingTimesOutResumable(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.srv.StickModifying("mandible-prod")
	e.setDeadline(e.srv.Now().Add(2 * time.Hour)) // the apply's timeout, in virtual time
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: okValidator{}})
	var ce *ChangeError
	var te *wait.TimeoutError
	if !errors.As(err, &ce) || !errors.As(err, &te) || !ce.Resumable || !ce.Changed || ce.RollbackAttempted {
		t.Fatalf("want a resumable timeout with nothing rolled back, got %v", err)
	}
	t.Logf("error: %v", err)
	if te.LastState != "modifying" || !strings.Contains(err.Error(), "still in progress and is not rolled back: apply again to wait for it") {
		t.Fatalf("message %q", err)
	}
	if calls := e.srv.Calls("ModifyDBInstance"); len(calls) != 1 {
		t.Fatalf("%d ModifyDBInstance calls, want the change's only (no rollback)", len(calls))
	}
	const guard = "rightsize-guard-mandible-prod-g1-to1"
	if tags := e.snapshotTags(KindInstance, guard); tags[TagOutcome] != OutcomeChanging {
		t.Fatalf("guard outcome %q, want %q", tags[TagOutcome], OutcomeChanging)
	}
	// The conversion finishes; the next run resumes it behind the same guard.
	e.setDeadline(time.Time{})
	e.srv.Unstick("mandible-prod")
	res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: okValidator{}})
	if err != nil || res.Nodes != 1 || res.GuardSnapshotID != guard || res.Validation == nil {
		t.Fatalf("resumed run: %v %+v", err, res)
	}
	if in := e.instance("mandible-prod"); *in.MultiAZ {
		t.Fatal("still Multi-AZ after the resumed run")
	}
	if tags := e.snapshotTags(KindInstance, guard); tags[TagOutcome] != OutcomeCompleted {
		t.Errorf("guard outcome %q, want %q", tags[TagOutcome], OutcomeCompleted)
	}
	e.assertGuarded(mandible)
}

// stickRollback makes mandible-prod's rollback (Multi-AZ turning on again) stay "modifying" once it
// has been requested, past the rollback's own deadline, an hour on.
func stickRollback(e *env) {
	e.o.RollbackTimeout = time.Hour
	stuck := false
	e.onSleep = func() {
		if !stuck && stuckRollbackStarted(e) {
			stuck = true
			e.srv.StickModifying("mandible-prod")
			e.setDeadline(e.srv.Now().Add(time.Hour)) // the rollback's own deadline
		}
	}
}

// A rollback whose own deadline runs out while RDS still restores the previous topology (Multi-AZ
// turning on again: hours on a large instance) is not reported failed: the guard stays tagged
// rolling-back and the next run finishes the rollback.
func TestRollbackStillInProgressResumes(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	stickRollback(e)
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackAttempted || ce.RolledBack || !ce.RollbackInProgress {
		t.Fatalf("want a rollback still in progress, got %v", err)
	}
	t.Logf("error: %v", err)
	for _, want := range []string{"rolling back (Multi-AZ turned on again) and still in progress", `last state "modifying"`,
		"apply again to finish the rollback", "guard snapshot rightsize-guard-mandible-prod-g1-to1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "ROLLBACK FAILED") {
		t.Errorf("%q reports a rollback in progress as failed", err)
	}
	const guard = "rightsize-guard-mandible-prod-g1-to1"
	if tags := e.snapshotTags(KindInstance, guard); tags[TagOutcome] != OutcomeRollingBack {
		t.Fatalf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRollingBack)
	}
	// A second apply while RDS is still turning Multi-AZ on: its call is refused, but the
	// modification under way is the rollback's own, so it is reported still in progress.
	e.onSleep = nil
	e.setDeadline(e.srv.Now().Add(time.Hour))
	_, err = e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	if !errors.As(err, &ce) || !ce.RollbackInProgress || !ce.RollbackRequested || !strings.Contains(err.Error(), "still in progress") {
		t.Fatalf("second apply during the rollback: %v, want the rollback reported still in progress", err)
	}
	// RDS finishes turning Multi-AZ on; the next run finishes the rollback and records it.
	e.setDeadline(time.Time{})
	e.srv.Unstick("mandible-prod")
	_, err = e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	if !errors.As(err, &ce) || !ce.RolledBack {
		t.Fatalf("next run: %v, want the rollback finished and reported", err)
	}
	if in := e.instance("mandible-prod"); !*in.MultiAZ || *in.DBInstanceStatus != "available" {
		t.Fatalf("not rolled back: MultiAZ=%t %s", *in.MultiAZ, *in.DBInstanceStatus)
	}
	if tags := e.snapshotTags(KindInstance, guard); tags[TagOutcome] != OutcomeRolledBack {
		t.Errorf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRolledBack)
	}
	e.assertGuarded(mandible)
}

// While a rollback cut short by its deadline is still under way (RDS turning Multi-AZ on again),
// a change to 2 nodes (nodes set back, or a destroy with restore_on_destroy) is refused naming
// this resource's own rollback and its guard, not "a change that this resource did not start".
func TestRollbackInProgressThenToTwoNamesTheRollback(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	stickRollback(e)
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackInProgress {
		t.Fatalf("setup: %v", err)
	}
	e.onSleep = nil
	e.setDeadline(time.Time{})
	req := Request{Target: mandible, Nodes: 2, Generation: 1, Previous: &Previous{Nodes: 2, MultiAZ: true}}
	want := "this resource's rollback of its change to 1 node(s) (guard snapshot rightsize-guard-mandible-prod-g1-to1) is still under way"
	p, err := e.o.Preview(context.Background(), req)
	if err != nil || !strings.Contains(p.Refusal, want) {
		t.Errorf("preview: %v, refusal %q; want it to name the rollback under way", err, p.Refusal)
	}
	_, err = e.o.Run(context.Background(), req)
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonChangeInProgress || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "did not start") {
		t.Errorf("run to 2 nodes: %v; want a refusal naming the rollback under way", err)
	}
}

// busyValidator fails the validation and, as it does, another modification of the instance starts
// (storage autoscaling, another tool) and stays "modifying", so RDS refuses the rollback's call.
type busyValidator struct{ e *env }

func (busyValidator) Capture(context.Context) (Facts, error) { return Facts{}, nil }
func (v busyValidator) Check(ctx context.Context, _ Facts) (*Report, error) {
	v.e.srv.StickModifying("mandible-prod")
	id, alloc := "mandible-prod", int32(500)
	if _, err := v.e.api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: &id, AllocatedStorage: &alloc, ApplyImmediately: ptr(true)}); err != nil {
		v.e.t.Fatalf("the other modification: %v", err)
	}
	v.e.setDeadline(v.e.srv.Now().Add(time.Hour)) // the rollback's deadline
	return nil, &ValidationError{Mismatches: []string{"rows differ"}}
}

// A rollback RDS refuses while the instance is busy with another modification, until its deadline
// runs out, has not begun: the error says so (not that RDS is restoring), the guard stays tagged
// rolling-back, and the next run rolls the change back.
func TestRollbackNotBegunWhileBusy(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: busyValidator{e}})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackInProgress || ce.RollbackRequested || ce.RolledBack {
		t.Fatalf("want a rollback not begun, got %v", err)
	}
	if !strings.Contains(err.Error(), "could not begin before its time ran out, RDS being still at work on the database") ||
		strings.Contains(err.Error(), "still in progress") {
		t.Errorf("message %q", err)
	}
	for _, c := range e.srv.Calls("ModifyDBInstance") {
		if c.Params["MultiAZ"] == "true" && c.Status < 300 {
			t.Fatal("a rollback call was accepted")
		}
	}
	if tags := e.snapshotTags(KindInstance, "rightsize-guard-mandible-prod-g1-to1"); tags[TagOutcome] != OutcomeRollingBack {
		t.Fatalf("guard outcome %q, want %q", tags[TagOutcome], OutcomeRollingBack)
	}
	e.setDeadline(time.Time{})
	e.srv.Unstick("mandible-prod")
	_, err = e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	if !errors.As(err, &ce) || !ce.RolledBack {
		t.Fatalf("next run: %v, want the rollback made and reported", err)
	}
	if in := e.instance("mandible-prod"); !*in.MultiAZ {
		t.Fatal("not rolled back: still Single-AZ")
	}
	// (No assertGuarded: the other tool's ModifyDBInstance is, by design, not behind the guard.)
}

// okValidator is a validation that always passes.
type okValidator struct{}

func (okValidator) Capture(context.Context) (Facts, error) { return Facts{}, nil }
func (okValidator) Check(context.Context, Facts) (*Report, error) {
	return &Report{Checked: []string{"nothing"}}, nil
}

// A rollback that RDS refuses outright (a refusal other than of the credentials) has begun
// nothing either: reported not begun, tagged rolling-back for the next run to make it.
func TestRollbackRefusedOutrightIsNotBegun(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	// The rollback's ModifyDBInstance is refused.
	faultAfterSettled(e, sandbox.FaultRule{Operation: "ModifyDBInstance", Sequence: []sandbox.Fault{
		{Kind: sandbox.FaultError, Code: "InvalidParameterCombination", Message: "refused for the test"}}})
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackAttempted || ce.RolledBack || !ce.RollbackRefused || strings.Contains(err.Error(), "ROLLBACK FAILED") ||
		!strings.Contains(err.Error(), "refused for the test; nothing is restored yet: fix the cause (as said above) and apply again to roll back") {
		t.Fatalf("want a rollback not begun, got %v", err)
	}
	if tags := e.snapshotTags(KindInstance, "rightsize-guard-mandible-prod-g1-to1"); tags[TagOutcome] != OutcomeRollingBack {
		t.Errorf("outcome %q", tags[TagOutcome])
	}
}

// A rollback that fails past RDS's refusals (here the Aurora reader's name, freed by the change,
// taken by another database before the rollback recreates it) is reported failed and tagged so.
func TestRollbackFailedIsTaggedFailed(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.o.OnStep = func(s Step) error {
		if s == StepSettled {
			e.createStandalone(t, ssoReader)
		}
		return nil
	}
	_, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RollbackAttempted || ce.RolledBack || ce.RollbackInProgress || !strings.Contains(err.Error(), "ROLLBACK FAILED") ||
		!strings.Contains(err.Error(), "already exists outside the cluster") {
		t.Fatalf("want a failed rollback, got %v", err)
	}
	if tags := e.snapshotTags(KindCluster, "rightsize-guard-sso-prod-g1-to1"); tags[TagOutcome] != OutcomeRollbackFailed {
		t.Errorf("outcome %q", tags[TagOutcome])
	}
}

func refusedScenario() *sandbox.Scenario {
	sc := sandbox.Demo()
	for _, extra := range []*sandbox.Scenario{sandbox.MySQL(), sandbox.ServerlessV2(), sandbox.ThreeNodeAurora(), sandbox.SingleAZ()} {
		sc.Clusters = append(sc.Clusters, extra.Clusters...)
		sc.Instances = append(sc.Instances, extra.Instances...)
	}
	return sc
}

func TestRefusedTargets(t *testing.T) {
	e := newEnv(t, refusedScenario())
	cases := []struct {
		name   string
		req    Request
		reason Reason
		want   string
	}{
		{"mysql", Request{Target: Target{KindInstance, "shop-mysql"}, Nodes: 1}, ReasonWrongTarget, `engine is "mysql"`},
		{"serverless", Request{Target: Target{KindCluster, "sls-prod"}, Nodes: 1}, ReasonNotSupported, "Aurora Serverless"},
		{"three-node", Request{Target: Target{KindCluster, "tri-prod"}, Nodes: 1}, ReasonNodeCount, "it has 3 instances"},
		{"already-single-az", Request{Target: Target{KindInstance, "solo-db"}, Nodes: 1}, ReasonAlreadyAtTarget, "already has 1 node(s) (Single-AZ)"},
		{"already-multi-az", Request{Target: mandible, Nodes: 2}, ReasonAlreadyAtTarget, "already has 2 node(s) (Multi-AZ)"},
		{"already-two-aurora", Request{Target: sso, Nodes: 2}, ReasonAlreadyAtTarget, "already has 2 node(s)"},
		{"aurora-member-as-instance", Request{Target: Target{KindInstance, ssoReader}, Nodes: 1}, ReasonWrongTarget, "member of DB cluster sso-prod"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.req.Generation = 1
			p, err := e.o.Preview(context.Background(), c.req)
			if err != nil || !strings.Contains(p.Refusal, c.want) || p.Guard != "" ||
				!strings.HasPrefix(PlanSummary(p, c.req), "Apply will refuse to change "+c.req.Target.Noun()) {
				t.Fatalf("preview: %v %+v", err, p)
			}
			_, err = e.o.Run(context.Background(), c.req)
			var pe *PrecheckError
			if !errors.As(err, &pe) || pe.Reason != c.reason || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "no change was made") {
				t.Fatalf("got %v, want reason %s containing %q", err, c.reason, c.want)
			}
			t.Logf("error: %v", err)
		})
	}
	_, err := e.o.Run(context.Background(), Request{Target: Target{KindInstance, "nope"}, Nodes: 1, Generation: 1})
	if !IsNotFound(err) {
		t.Fatalf("missing target: %v", err)
	}
	for _, op := range []string{"CreateDBSnapshot", "CreateDBClusterSnapshot", "ModifyDBInstance", "DeleteDBInstance", "CreateDBInstance"} {
		if n := len(e.opsIndex(op, nil)); n != 0 {
			t.Errorf("%d %s calls for refused targets", n, op)
		}
	}
}

func TestDeferredToMaintenanceWindow(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1, DeferToMaintenanceWindow: true}
	res, err := e.o.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pending || res.Nodes != 2 || !strings.Contains(res.Action, "maintenance window") {
		t.Fatalf("result %+v", res)
	}
	in := e.instance("mandible-prod")
	if !*in.MultiAZ || in.PendingModifiedValues == nil || in.PendingModifiedValues.MultiAZ == nil || *in.PendingModifiedValues.MultiAZ {
		t.Fatalf("no pending Multi-AZ change: %+v", in.PendingModifiedValues)
	}
	if p, err := e.o.Preview(context.Background(), req); err != nil || p.Resume != res.GuardSnapshotID || !p.Deferred ||
		!strings.Contains(PlanSummary(p, req), "waits for the next maintenance window") {
		t.Fatalf("preview while pending: %v %+v", err, p)
	}
	res, err = e.o.Run(context.Background(), req)
	if err != nil || !res.Pending || len(e.opsIndex("ModifyDBInstance", nil)) != 1 {
		t.Fatalf("re-run while pending: %v %+v", err, res)
	}
	e.srv.Advance(8 * 24 * time.Hour) // past the weekly window and the conversion
	res, err = e.o.Run(context.Background(), req)
	if err != nil || res.Pending || res.Nodes != 1 || !res.Resumed {
		t.Fatalf("after the window: %v %+v", err, res)
	}
	e.assertGuarded(mandible)
}

func TestFailoverStopsAuroraChange(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: sso, Nodes: 1, Generation: 1}
	e.runInterrupted(t, req, StepGuardVerified)
	// The writer goes away; the recorded reader is promoted.
	if _, err := e.api.DeleteDBInstance(context.Background(), &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(ssoWriter)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	if w := e.topology(sso).Writer(); w == nil || w.Identifier != ssoReader {
		t.Fatalf("sandbox did not fail over: %+v", w)
	}
	e.srv.ResetLog()
	_, err := e.o.Run(context.Background(), req)
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonFailover || !strings.Contains(err.Error(), "is now the writer") {
		t.Fatalf("got %v", err)
	}
	if n := len(e.opsIndex("DeleteDBInstance", nil)); n != 0 {
		t.Fatal("deleted an instance after a failover")
	}
}

func TestVerifyRestoreAndDeleteGuard(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	// The temporary instance is restored without automated backups, so RDS takes no baseline
	// backup of it first (hours on a large volume: sandbox.Durations.RestoreBackup): the whole
	// change, restore included, fits in well under that.
	e.setDeadline(e.srv.Now().Add(sandbox.DefaultDurations.RestoreBackup / 2))
	res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, VerifyRestore: true, DeleteGuardOnSuccess: true})
	if err != nil {
		t.Fatal(err)
	}
	restores := e.opsIndex("RestoreDBInstanceFromDBSnapshot", nil)
	tmpDeletes := e.opsIndex("DeleteDBInstance", func(en sandbox.LogEntry) bool {
		return strings.HasPrefix(en.Params["DBInstanceIdentifier"], "rs-verify-")
	})
	mods := e.opsIndex("ModifyDBInstance", nil)
	if len(restores) != 1 || len(tmpDeletes) != 1 || len(mods) != 1 || restores[0] > tmpDeletes[0] || tmpDeletes[0] > mods[0] {
		t.Fatalf("restore %v, temp delete %v, modify %v", restores, tmpDeletes, mods)
	}
	// The restore goes into the target's network (its security groups), not the default VPC.
	if calls := e.srv.Calls("RestoreDBInstanceFromDBSnapshot"); len(calls) != 1 || calls[0].Params["VpcSecurityGroupIds.VpcSecurityGroupId.1"] != "sg-0sandbox00000000" ||
		calls[0].Params["BackupRetentionPeriod"] != "0" {
		t.Errorf("restore parameters: %v", calls)
	}
	if _, err := FindDBInstance(context.Background(), e.api, restoreInstanceID(res.GuardSnapshotID)); !IsNotFound(err) {
		t.Fatalf("temporary instance left behind: %v", err)
	}
	if res.GuardSnapshotRetained || len(e.guards(mandible, "rightsize-guard-")) != 0 {
		t.Fatal("guard snapshot not deleted after success")
	}
	e.assertGuarded(mandible)
}

// A guard snapshot an interrupted run took before changing anything is superseded by the next
// run's own, however young: the database is changed only behind a guard taken in the same run.
func TestEarlierGuardIsSuperseded(t *testing.T) {
	for _, target := range []Target{mandible, sso} {
		t.Run(target.Identifier, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			req := Request{Target: target, Nodes: 1, Generation: 1}
			e.runInterrupted(t, req, StepGuardVerified)
			e.srv.Advance(time.Minute)
			first, second := GuardSnapshotID("", target, 1, 1, 1), GuardSnapshotID("", target, 1, 1, 2)
			res, err := e.o.Run(context.Background(), req)
			if err != nil || res.GuardSnapshotID != second || res.SupersededGuardSnapshotID != first || res.Resumed || res.Nodes != 1 {
				t.Fatalf("%v %+v", err, res)
			}
			if got := e.snapshotTags(target.Kind, first)[TagOutcome]; got != OutcomeSuperseded {
				t.Errorf("first guard's outcome %q", got)
			}
			if got := e.snapshotTags(target.Kind, second)[TagOutcome]; got != OutcomeCompleted {
				t.Errorf("second guard's outcome %q", got)
			}
			e.assertGuarded(target)
			// Applying the same change again finds it done, with the second guard.
			res, err = e.o.Run(context.Background(), req)
			if err != nil || res.GuardSnapshotID != second || res.SupersededGuardSnapshotID != "" {
				t.Fatalf("third run: %v %+v", err, res)
			}
		})
	}
}

// An earlier run's guard that vanishes before it can be tagged superseded does not stop the run,
// while any other failure to tag it does, before anything is created.
func TestVanishedEarlierGuard(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	e.runInterrupted(t, req, StepGuardVerified)
	e.srv.InjectFaults(sandbox.FaultRule{Operation: "AddTagsToResource", Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "injected"}}})
	e.srv.ResetLog()
	if _, err := e.o.Run(context.Background(), req); err == nil || !strings.Contains(err.Error(), "setting aside the earlier run's guard snapshot") {
		t.Fatalf("a denied tag: %v", err)
	}
	if n := len(e.opsIndex("CreateDBSnapshot", nil)); n != 0 {
		t.Fatalf("%d snapshots after a failed set-aside", n)
	}
	e.srv.InjectFaults(sandbox.FaultRule{Operation: "AddTagsToResource", Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 404, Code: "DBSnapshotNotFound", Message: "injected"}}})
	res, err := e.o.Run(context.Background(), req)
	if err != nil || res.GuardSnapshotID != GuardSnapshotID("", mandible, 1, 1, 2) || res.SupersededGuardSnapshotID != GuardSnapshotID("", mandible, 1, 1, 1) {
		t.Fatalf("a vanished guard: %v %+v", err, res)
	}
	e.assertGuarded(mandible)
}

// A superseded guard is never taken up again, and a snapshot of the restore instance's name that
// this provider did not tag is left alone.
func TestSupersededGuardIsNotReused(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	e.runInterrupted(t, req, StepGuardVerified)
	e.runInterrupted(t, req, StepGuardVerified)
	ids := make([]string, 3)
	for i := range ids {
		ids[i] = GuardSnapshotID("", mandible, 1, 1, i+1)
	}
	if got := e.guards(mandible, "rightsize-guard-"); len(got) != 2 {
		t.Fatalf("guards after two interrupted runs: %v", got)
	}
	// Someone else's instance under the restore instance's name of the second guard.
	if _, err := e.api.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(restoreInstanceID(ids[1])),
		DBInstanceClass: aws.String("db.t4g.micro"), Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20)}); err != nil {
		t.Fatal(err)
	}
	res, err := e.o.Run(context.Background(), req)
	if err != nil || res.GuardSnapshotID != ids[2] || res.SupersededGuardSnapshotID != ids[1] {
		t.Fatalf("%v %+v", err, res)
	}
	for _, id := range ids[:2] {
		if got := e.snapshotTags(mandible.Kind, id)[TagOutcome]; got != OutcomeSuperseded {
			t.Errorf("%s outcome %q", id, got)
		}
	}
	if _, err := FindDBInstance(context.Background(), e.api, restoreInstanceID(ids[1])); err != nil {
		t.Errorf("an instance this provider did not tag was touched: %v", err)
	}
	if n := len(e.opsIndex("DeleteDBInstance", nil)); n != 0 {
		t.Errorf("%d DeleteDBInstance calls", n)
	}
	e.assertGuarded(mandible)
}

func TestTransientFaultsAreRetried(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	for _, op := range []string{"DescribeDBInstances", "DescribeDBSnapshots", "CreateDBSnapshot", "ModifyDBInstance", "ListTagsForResource"} {
		e.srv.InjectSequence(op, sandbox.FaultThrottling, sandbox.FaultHTTP500, sandbox.FaultConnReset)
	}
	if _, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.opsIndex("ModifyDBInstance", func(en sandbox.LogEntry) bool { return en.Status == 200 })); n != 1 {
		t.Fatalf("%d successful modifications", n)
	}
	e.assertGuarded(mandible)
}

func TestRevertedOutsideTakesNewGuard(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	if _, err := e.o.Run(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	// Multi-AZ turned back on by hand; the same generation is applied again (state lost).
	if _, err := e.api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		MultiAZ: aws.Bool(true), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	res, err := e.o.Run(context.Background(), req)
	if err != nil || res.GuardSnapshotID != GuardSnapshotID("", mandible, 1, 1, 2) {
		t.Fatalf("a completed guard must not be reused for a new change: %v %+v", err, res)
	}
}

func TestUnfinishedChange(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 4}
	e.runInterrupted(t, req, StepChange)
	id, unfinished, err := UnfinishedChange(context.Background(), e.api, "", mandible, 4, 1)
	if err != nil || !unfinished || id != GuardSnapshotID("", mandible, 4, 1, 1) {
		t.Fatalf("interrupted change: %q %t %v", id, unfinished, err)
	}
	if _, unfinished, _ := UnfinishedChange(context.Background(), e.api, "", mandible, 5, 1); unfinished {
		t.Fatal("a generation without a guard reported unfinished")
	}
	if _, err := e.o.Run(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if _, unfinished, err := UnfinishedChange(context.Background(), e.api, "", mandible, 4, 1); err != nil || unfinished {
		t.Fatalf("completed change reported unfinished (%v)", err)
	}
}

// TestLostResponsesAreIdempotent makes RDS apply CreateDBSnapshot and ModifyDBInstance but lose
// the answers (the client times out while the sandbox holds the response, and the SDK retries):
// the retried calls get DBSnapshotAlreadyExists and InvalidDBInstanceState, which the
// orchestrator recognises as its own earlier calls.
// impatientClient points the orchestrator at a client that gives up on an answer after 150 ms
// (the sandbox's "slow" fault holds it for a second) and retries.
// runInterrupted runs req, cancelling its context right after step, and
// fails the test unless the run reports the interruption. The step hook
// is cleared again.
func (e *env) runInterrupted(t *testing.T, req Request, step Step) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.o.OnStep = func(s Step) error {
		if s == step {
			cancel()
		}
		return nil
	}
	defer func() { e.o.OnStep = nil }()
	if _, err := e.o.Run(ctx, req); err == nil {
		t.Fatal("not interrupted")
	}
}

func (e *env) impatientClient() {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDSANDBOX", "sandbox-secret", ""),
		HTTPClient: sdkhttp.Wrap(&http.Client{Timeout: 150 * time.Millisecond})}
	e.o.RDS = rds.NewFromConfig(cfg, func(o *rds.Options) {
		o.BaseEndpoint = aws.String(e.srv.URL())
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxBackoff, so.MaxAttempts, so.RateLimiter = 50*time.Millisecond, 5, noRateLimit{}
		})
	})
}

func TestLostResponsesAreIdempotentAurora(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.impatientClient()
	for _, op := range []string{"CreateDBClusterSnapshot", "DeleteDBInstance", "CreateDBInstance"} {
		e.srv.InjectFaults(sandbox.FaultRule{Operation: op, Sequence: []sandbox.Fault{{Kind: sandbox.FaultSlow, Delay: time.Second}}})
	}
	res, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 2, Generation: 2, Previous: &res.Previous}); err != nil {
		t.Fatal(err)
	}
	for op, code := range map[string]string{"CreateDBClusterSnapshot": "DBClusterSnapshotAlreadyExistsFault",
		"DeleteDBInstance": "InvalidDBInstanceState", "CreateDBInstance": "DBInstanceAlreadyExists"} {
		calls := e.srv.Calls(op)
		if len(calls) < 2 || calls[1].ErrorCode != code {
			t.Errorf("%s calls %+v: want a lost first answer, then %s", op, calls, code)
		}
	}
	topo := e.topology(sso)
	if topo.Nodes != 2 || topo.Writer().Identifier != ssoWriter || len(e.guards(sso, "rightsize-guard-")) != 2 {
		t.Fatalf("did not converge: %+v", topo.Members)
	}
	e.assertGuarded(sso)
}

func TestLostResponsesAreIdempotent(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.impatientClient()
	for _, op := range []string{"CreateDBSnapshot", "ModifyDBInstance"} {
		e.srv.InjectFaults(sandbox.FaultRule{Operation: op, Sequence: []sandbox.Fault{{Kind: sandbox.FaultSlow, Delay: time.Second}}})
	}
	res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	creates := e.srv.Calls("CreateDBSnapshot")
	if len(creates) < 2 || creates[len(creates)-1].ErrorCode != "DBSnapshotAlreadyExists" {
		t.Fatalf("CreateDBSnapshot calls %+v: want a lost first answer, then DBSnapshotAlreadyExists", creates)
	}
	mods := e.srv.Calls("ModifyDBInstance")
	if len(mods) < 2 || mods[len(mods)-1].ErrorCode != "InvalidDBInstanceState" {
		t.Fatalf("ModifyDBInstance calls %+v: want a lost first answer, then InvalidDBInstanceState", mods)
	}
	if len(e.guards(mandible, "rightsize-guard-")) != 1 || res.Nodes != 1 || *e.instance("mandible-prod").MultiAZ {
		t.Fatalf("did not converge: %+v", res)
	}
	e.assertGuarded(mandible)
}

// PreviewRun tells the plan where Run will start, and PlanSummary says it: a fresh change, one
// that supersedes an interrupted run's unused guard, and one that resumes a begun change. Each
// preview is checked against what the Run after it does.
func TestPreviewRun(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name      string
		target    Target
		interrupt Step // "" for none
		guard     string
		supersede string
		resume    string
		says      []string
	}{
		{name: "fresh", target: mandible, guard: GuardSnapshotID("", mandible, 1, 1, 1),
			says: []string{"Apply will change DB instance mandible-prod to 1 node(s)", "Create the manual DB snapshot " + GuardSnapshotID("", mandible, 1, 1, 1)}},
		{name: "supersede", target: mandible, interrupt: StepGuardVerified, guard: GuardSnapshotID("", mandible, 1, 1, 2),
			supersede: GuardSnapshotID("", mandible, 1, 1, 1),
			says: []string{"1. Set aside guard snapshot " + GuardSnapshotID("", mandible, 1, 1, 1), "superseded",
				"2. Create the manual DB snapshot " + GuardSnapshotID("", mandible, 1, 1, 2)}},
		{name: "resume", target: mandible, interrupt: StepChange, resume: GuardSnapshotID("", mandible, 1, 1, 1),
			says: []string{"Apply will resume the change of DB instance mandible-prod to 1 node(s) that an earlier apply began behind guard snapshot " +
				GuardSnapshotID("", mandible, 1, 1, 1), "No new snapshot is taken", "roll back (Multi-AZ on again)"}},
		{name: "supersede-cluster", target: sso, interrupt: StepGuardAvailable, guard: GuardSnapshotID("", sso, 1, 1, 2),
			supersede: GuardSnapshotID("", sso, 1, 1, 1), says: []string{"Set aside guard snapshot " + GuardSnapshotID("", sso, 1, 1, 1)}},
		{name: "resume-cluster", target: sso, interrupt: StepChange, resume: GuardSnapshotID("", sso, 1, 1, 1),
			says: []string{"Apply will resume the change of DB cluster sso-prod", "roll back (the reader recreated)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			req := Request{Target: c.target, Nodes: 1, Generation: 1}
			if c.interrupt != "" {
				e.runInterrupted(t, req, c.interrupt)
			}
			e.srv.ResetLog()
			p, err := e.o.Preview(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if p.Topology == nil || p.Guard != c.guard || p.Supersede != c.supersede || p.Resume != c.resume || p.Deferred || p.Refusal != "" {
				t.Fatalf("preview %+v", p)
			}
			for _, en := range e.srv.Log() {
				if !strings.HasPrefix(en.Operation, "Describe") && en.Operation != "ListTagsForResource" {
					t.Errorf("the preview called %s", en.Operation)
				}
			}
			s := PlanSummary(p, req)
			for _, want := range c.says {
				if !strings.Contains(s, want) {
					t.Errorf("summary lacks %q:\n%s", want, s)
				}
			}
			res, err := e.o.Run(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Resumed != (c.resume != "") || res.SupersededGuardSnapshotID != c.supersede || res.GuardSnapshotID != c.guard+c.resume {
				t.Fatalf("the run does otherwise: %+v", res)
			}
		})
	}
}

// A custom endpoint that would route to no instance once the reader is gone stops the change
// before anything is created or changed; one that keeps the writer does not.
func TestCustomEndpointsGuardReaderDeletion(t *testing.T) {
	for _, c := range []struct {
		name, typ        string
		static, excluded []string
		refused          string
	}{
		{name: "reader-type", typ: "READER", refused: "analytics (type READER)"},
		{name: "static-reader-only", typ: "ANY", static: []string{ssoReader}, refused: "analytics (type ANY, static members " + ssoReader + ")"},
		{name: "writer-excluded", typ: "ANY", excluded: []string{ssoWriter}, refused: "analytics (type ANY, excluding " + ssoWriter + ")"},
		{name: "static-both", typ: "ANY", static: []string{ssoWriter, ssoReader}},
		{name: "any", typ: "ANY"},
		{name: "reader-excluded", typ: "ANY", excluded: []string{ssoReader}},
	} {
		rc := precheckCase{name: c.name, refused: c.refused, setup: func(e *env) {
			if _, err := e.api.CreateDBClusterEndpoint(context.Background(), &rds.CreateDBClusterEndpointInput{DBClusterIdentifier: aws.String("sso-prod"),
				DBClusterEndpointIdentifier: aws.String("analytics"), EndpointType: aws.String(c.typ), StaticMembers: c.static, ExcludedMembers: c.excluded}); err != nil {
				e.t.Fatal(err)
			}
		}}
		if c.refused != "" {
			rc.reason = ReasonCustomEndpoint
		}
		t.Run(c.name, func(t *testing.T) { checkPrecheck(t, rc, "make each of them type ANY with the writer "+ssoWriter) })
	}
}

// assertUntouched checks that nothing was snapshotted, tagged, created, modified or deleted since
// the log was reset, and that target still has nodes nodes.
func (e *env) assertUntouched(target Target, nodes int) {
	e.t.Helper()
	for _, op := range []string{"CreateDBSnapshot", "CreateDBClusterSnapshot", "AddTagsToResource", "ModifyDBInstance", "CreateDBInstance", "DeleteDBInstance"} {
		if n := len(e.opsIndex(op, nil)); n != 0 {
			e.t.Errorf("%d %s calls after the refusal", n, op)
		}
	}
	if topo := e.topology(target); topo.Nodes != nodes {
		e.t.Fatalf("%s has %d nodes", target, topo.Nodes)
	}
}

// precheckCase is a precheck case: a setup, the change (nil: removing sso-prod's reader), and the
// text and reason of the refusal ("" text: the change goes ahead; "" reason with a text: refused
// by an error that is not a PrecheckError, such as an unreadable listing).
type precheckCase struct {
	name    string
	setup   func(*env)
	req     *Request
	refused string
	reason  Reason
}

// checkPrecheck runs c on the demo scenario plus tri-prod: the preview foretells what Run does; a
// change that goes ahead is guarded; a refusal carries the text, the reason and (for a
// PrecheckError) the advice, and leaves the target untouched.
func checkPrecheck(t *testing.T, c precheckCase, advice string) {
	t.Helper()
	sc := sandbox.Demo()
	sc.Clusters = append(sc.Clusters, sandbox.ThreeNodeAurora().Clusters...)
	e := newEnv(t, sc)
	ctx := context.Background()
	c.setup(e)
	req := Request{Target: sso, Nodes: 1, Generation: 1}
	if c.req != nil {
		req = *c.req
	}
	nodes := e.topology(req.Target).Nodes
	e.srv.ResetLog()
	p, err := e.o.Preview(ctx, req)
	switch {
	case c.reason != "" && (err != nil || !strings.Contains(p.Refusal, c.refused)):
		t.Fatalf("preview: %v %+v", err, p)
	case c.refused == "" && (err != nil || p.Refusal != ""):
		t.Fatalf("preview: %v %+v", err, p)
	case c.refused != "" && c.reason == "" && (err != nil || p.Refusal != "" || !strings.Contains(p.Unchecked, c.refused) ||
		!strings.Contains(PlanSummary(p, req), "The plan could not check everything apply checks before the change ("+c.refused)):
		t.Fatalf("preview of a precheck it could not make: %v %+v", err, p)
	case c.refused == "" && p.Unchecked != "":
		t.Fatalf("preview: unchecked %q", p.Unchecked)
	}
	res, err := e.o.Run(ctx, req)
	if c.refused == "" {
		if err != nil || res.Nodes != req.Nodes {
			t.Fatalf("%v %+v", err, res)
		}
		e.assertGuarded(req.Target)
		return
	}
	var pe *PrecheckError
	if err == nil || !strings.Contains(err.Error(), c.refused) || errors.As(err, &pe) != (c.reason != "") ||
		(pe != nil && pe.Reason != c.reason) {
		t.Fatalf("got %v", err)
	}
	if c.reason != "" && !strings.Contains(err.Error(), advice) {
		t.Errorf("no advice: %v", err)
	}
	e.assertUntouched(req.Target, nodes)
}

// A read-only endpoint of an RDS Proxy in front of the cluster routes to readers only, so
// removing the last reader is refused before anything is created or changed; the proxy's
// read/write endpoints, and a read-only endpoint of a proxy in front of another cluster, do not
// stop it. When the proxy endpoints cannot be listed, nothing is changed either.
func TestProxyReadOnlyEndpointGuardsReaderDeletion(t *testing.T) {
	roles := func(kv ...string) map[string]rdstypes.DBProxyEndpointTargetRole {
		m := map[string]rdstypes.DBProxyEndpointTargetRole{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = rdstypes.DBProxyEndpointTargetRole(kv[i+1])
		}
		return m
	}
	for _, c := range []precheckCase{
		{name: "read-only", refused: "the RDS Proxy endpoint(s) sso-ro (read-only endpoint of RDS Proxy sso-proxy), sso-ro2 (read-only endpoint of RDS Proxy sso-proxy) with no reader",
			reason: ReasonProxyEndpoint, setup: func(e *env) {
				acctest.AddProxy(e.t, e.srv, "sso-proxy", "sso-prod", "", roles("sso-ro", "READ_ONLY", "sso-rw", "READ_WRITE", "sso-ro2", "READ_ONLY"))
			}},
		{name: "read-write-only", setup: func(e *env) {
			acctest.AddProxy(e.t, e.srv, "sso-proxy", "sso-prod", "", roles("sso-rw", "READ_WRITE"))
		}},
		{name: "other-cluster", setup: func(e *env) {
			acctest.AddProxy(e.t, e.srv, "tri-proxy", "tri-prod", "", roles("tri-ro", "READ_ONLY"))
			acctest.AddProxy(e.t, e.srv, "chat-proxy", "", "mandible-prod", nil)
		}},
		{name: "unreadable", refused: "checking the RDS Proxy endpoints: listing RDS Proxy endpoints (rds:DescribeDBProxyEndpoints)", setup: func(e *env) {
			e.srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBProxyEndpoints", Rate: 1,
				RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkPrecheck(t, c, "move their clients to the proxy's default (read/write) endpoint")
		})
	}
}

// Aurora Auto Scaling that keeps a minimum of one reader or more would put the reader back, so
// removing it is refused before anything is created or changed; a minimum of 0, or a target on
// another cluster, does not stop it. Without the scalable targets (denied, or no client) the
// change is refused too, and a Multi-AZ change never asks.
func TestAutoScalingGuardsReaderDeletion(t *testing.T) {
	for _, c := range []precheckCase{
		{name: "minimum-1", reason: ReasonAutoScaling,
			refused: "Aurora Auto Scaling keeps 1 to 3 reader(s) (minimum 1, Application Auto Scaling target cluster:sso-prod), so it would add a reader back",
			setup:   func(e *env) { acctest.AddReplicaScaling(e.t, e.srv, "sso-prod", 1, 3) }},
		{name: "minimum-0", setup: func(e *env) { acctest.AddReplicaScaling(e.t, e.srv, "sso-prod", 0, 3) }},
		{name: "other-cluster", setup: func(e *env) { acctest.AddReplicaScaling(e.t, e.srv, "tri-prod", 2, 4) }},
		{name: "unreadable", refused: "checking Aurora Auto Scaling: listing Aurora Auto Scaling targets (application-autoscaling:DescribeScalableTargets)",
			setup: func(e *env) {
				e.srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeScalableTargets", Rate: 1,
					RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 400, Code: "AccessDeniedException", Message: "not authorized"}})
			}},
		{name: "no-client", refused: "checking Aurora Auto Scaling: no Application Auto Scaling client", setup: func(e *env) { e.o.AutoScaling = nil }},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkPrecheck(t, c, "set the scalable target's minimum capacity to 0, or deregister it")
		})
	}
	t.Run("multi-az", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		e.o.AutoScaling = nil // not needed: only an Aurora reader's removal asks
		e.srv.ResetLog()
		if res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1}); err != nil || res.Nodes != 1 {
			t.Fatalf("%v %+v", err, res)
		}
		if n := len(e.srv.Calls("DescribeScalableTargets")); n != 0 {
			t.Errorf("%d DescribeScalableTargets calls for a Multi-AZ change", n)
		}
	})
}

// A blue/green deployment's green copy does not follow a change to its source (blue) database,
// and its switchover would replace the changed database, so changing a blue database is refused
// before anything is created or changed: a Multi-AZ instance or an Aurora cluster, to one node
// or back to two. A deployment of another database, or one being deleted, does not stop a change;
// when the deployments cannot be listed, nothing is changed either.
func TestBlueGreenDeploymentGuardsChange(t *testing.T) {
	const refused = "it is the blue (source) database of blue/green deployment bgd-"
	toOne, toTwo := Request{Target: mandible, Nodes: 1, Generation: 1}, Request{Target: mandible, Nodes: 2, Generation: 2}
	for _, c := range []precheckCase{
		{name: "multi-az", req: &toOne, refused: refused, reason: ReasonBlueGreen,
			setup: func(e *env) { acctest.AddBlueGreen(e.t, e.srv, "pg16-upgrade", "", "mandible-prod") }},
		{name: "aurora", refused: refused, reason: ReasonBlueGreen,
			setup: func(e *env) { acctest.AddBlueGreen(e.t, e.srv, "pg16-upgrade", "sso-prod", "") }},
		{name: "back-to-two", req: &toTwo, refused: refused, reason: ReasonBlueGreen, setup: func(e *env) {
			if res, err := e.o.Run(context.Background(), toOne); err != nil || res.Nodes != 1 {
				e.t.Fatalf("%v %+v", err, res)
			}
			acctest.AddBlueGreen(e.t, e.srv, "pg16-upgrade", "", "mandible-prod")
		}},
		{name: "other-database", setup: func(e *env) {
			acctest.AddBlueGreen(e.t, e.srv, "tri-upgrade", "tri-prod", "")
			acctest.AddBlueGreen(e.t, e.srv, "chat-upgrade", "", "mandible-prod")
		}},
		{name: "deleting", setup: func(e *env) {
			id := acctest.AddBlueGreen(e.t, e.srv, "pg16-upgrade", "sso-prod", "")
			if _, err := e.api.DeleteBlueGreenDeployment(context.Background(), &rds.DeleteBlueGreenDeploymentInput{
				BlueGreenDeploymentIdentifier: aws.String(id)}); err != nil {
				e.t.Fatal(err)
			}
		}},
		{name: "unreadable", refused: "checking blue/green deployments: listing blue/green deployments (rds:DescribeBlueGreenDeployments)", setup: func(e *env) {
			e.srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeBlueGreenDeployments", Rate: 1,
				RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkPrecheck(t, c, "delete the blue/green deployment, or switch over first (the change then applies to the new production database)")
		})
	}
}

// TestLongIdentifiersGuard: the guard snapshot of an Aurora cluster with a long (valid) identifier
// has at most the 63 characters CreateDBClusterSnapshot accepts, and a DB instance of the longest
// identifier RDS allows gets its guard under the full name (DB snapshot identifiers may have 255
// characters); both changes are made and undone, each behind its guard.
func TestLongIdentifiersGuard(t *testing.T) {
	clusterID := "payments-aurora-postgres-production-eu-west-1" // 45 characters
	instanceID := "a" + strings.Repeat("-b", 31)                 // 63 characters
	sc := &sandbox.Scenario{Name: "long-identifiers", Seed: 1,
		Instances: []sandbox.InstanceSpec{sandbox.MultiAZInstance(instanceID, "db.t4g.large", sandbox.IdleWorkload)},
		Clusters:  []sandbox.ClusterSpec{sandbox.AuroraPair(clusterID, "db.r6g.large", sandbox.IdleWorkload, sandbox.IdleWorkload)}}
	e := newEnv(t, sc)
	ctx := context.Background()
	for _, c := range []struct {
		target Target
		guard  string
	}{
		{Target{Kind: KindCluster, Identifier: clusterID}, GuardSnapshotID("", Target{Kind: KindCluster, Identifier: clusterID}, 1, 1, 1)},
		{Target{Kind: KindInstance, Identifier: instanceID}, "rightsize-guard-" + instanceID + "-g1-to1"},
	} {
		res, err := e.o.Run(ctx, Request{Target: c.target, Nodes: 1, Generation: 1})
		if err != nil {
			t.Fatalf("%s 2 → 1: %v", c.target, err)
		}
		if res.GuardSnapshotID != c.guard || len(res.GuardSnapshotID) > maxSnapshotIDLen(c.target.Kind) {
			t.Fatalf("%s: guard %q (%d characters), want %q", c.target, res.GuardSnapshotID, len(res.GuardSnapshotID), c.guard)
		}
		if _, err := e.o.Run(ctx, Request{Target: c.target, Nodes: 2, Generation: 2, Previous: &res.Previous}); err != nil {
			t.Fatalf("%s 1 → 2: %v", c.target, err)
		}
		if topo := e.topology(c.target); topo.Nodes != 2 {
			t.Fatalf("%s after 1 → 2: %d node(s)", c.target, topo.Nodes)
		}
		if n := e.assertGuarded(c.target); n != 2 {
			t.Fatalf("%s: %d guarded calls, want 2", c.target, n)
		}
	}
}

// A change to two nodes whose validation fails is not rolled back: that would take away again the
// redundancy it restores (most often asked for because one node was overloaded, when validation
// is likeliest to fail). The target keeps its two nodes, the error says why and what to do, and
// the guard is closed (failed, not rolled back), so the next run records the target as it is.
func TestValidationFailureToTwoKeepsTwo(t *testing.T) {
	for _, target := range []Target{mandible, sso} {
		e := newEnv(t, sandbox.Demo())
		dsn, schema := seedSchema(t)
		ctx := context.Background()
		res, err := e.o.Run(ctx, Request{Target: target, Nodes: 1, Generation: 1})
		if err != nil {
			t.Fatalf("%s 2 → 1: %v", target, err)
		}
		e.o.OnStep = deleteRows(t, dsn, schema)
		_, err = e.o.Run(ctx, Request{Target: target, Nodes: 2, Generation: 2, Validator: newPGValidator(dsn, schema, false), Previous: &res.Previous})
		var ce *ChangeError
		var ve *ValidationError
		if !errors.As(err, &ce) || !errors.As(err, &ve) || ce.RolledBack || ce.RollbackAttempted || !ce.RedundancyKept ||
			!strings.Contains(err.Error(), "not rolled back: the target has its two nodes, and going back to one would take away the redundancy the change restores") {
			t.Fatalf("%s 1 → 2: %v, want a validation failure left at two nodes", target, err)
		}
		if topo := e.topology(target); topo.Nodes != 2 {
			t.Errorf("%s: %d node(s) after the failed change to two, want 2 (not rolled back)", target, topo.Nodes)
		}
		kind := KindInstance
		if target.Kind == KindCluster {
			kind = KindCluster
		}
		if tags := e.snapshotTags(kind, GuardSnapshotID("", target, 2, 2, 1)); tags[TagOutcome] != OutcomeFailedNotRolledBack {
			t.Errorf("%s: guard outcome %q, want %s", target, tags[TagOutcome], OutcomeFailedNotRolledBack)
		}
		if s := PlanSummary(Preview{}, Request{Target: target, Nodes: 2, Generation: 2}); !strings.Contains(s, "keep the two nodes if the target has them") {
			t.Errorf("%s: the plan does not say a change to two nodes is not rolled back:\n%s", target, s)
		}
	}
}

// reachedTwo: a failed change to two nodes is kept only once the target has them; at one node (a
// reader RDS failed, Multi-AZ not begun) it is rolled back as any other. Never for a change to one.
func TestReachedTwo(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	if _, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1}); err != nil {
		t.Fatal(err)
	}
	toTwo, toOne := &run{o: e.o, req: Request{Target: mandible, Nodes: 2}}, &run{o: e.o, req: Request{Target: mandible, Nodes: 1}}
	if toTwo.reachedTwo(ctx) || toOne.reachedTwo(ctx) {
		t.Fatal("at one node: reachedTwo, want not")
	}
	if _, err := e.api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(true), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if toTwo.reachedTwo(ctx) {
		t.Fatal("Multi-AZ on requested, not made: reachedTwo, want not")
	}
	e.srv.Advance(24 * time.Hour)
	if !toTwo.reachedTwo(ctx) || toOne.reachedTwo(ctx) {
		t.Fatalf("Multi-AZ on made: reachedTwo %t for a change to two, %t to one; want true, false", toTwo.reachedTwo(ctx), toOne.reachedTwo(ctx))
	}
	// Aurora: at one node not; with the demo's two (no reader of the change known) yes.
	e = newEnv(t, sandbox.Demo())
	if r := (&run{o: e.o, req: Request{Target: sso, Nodes: 2}}); !r.reachedTwo(ctx) {
		t.Error("Aurora with its writer and reader: not reachedTwo")
	}
	if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1}); err != nil {
		t.Fatal(err)
	}
	if r := (&run{o: e.o, req: Request{Target: sso, Nodes: 2}}); r.reachedTwo(ctx) {
		t.Error("Aurora at one node: reachedTwo")
	}
}

// An instance that keeps no automated backups (BackupRetentionPeriod 0) has, on one node, no
// point-in-time restore: its guard snapshot is kept although DeleteGuardOnSuccess asks to delete
// it (Result.GuardKeptNoBackups), which it still does for an instance with backups and for a
// change back to two nodes.
func TestGuardKeptWithoutAutomatedBackups(t *testing.T) {
	for _, tc := range []struct {
		name  string
		days  int32
		nodes int
		kept  bool
	}{
		{"no backups, to 1 node", 0, 1, true},
		{"7 days, to 1 node", 7, 1, false},
		{"no backups, to 2 nodes", 0, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := sandbox.Demo()
			for i := range sc.Instances {
				if sc.Instances[i].ID == "mandible-prod" {
					sc.Instances[i].BackupRetentionPeriod = &tc.days
					sc.Instances[i].MultiAZ = tc.nodes == 1
				}
			}
			e := newEnv(t, sc)
			res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: tc.nodes, Generation: 1, DeleteGuardOnSuccess: true})
			if err != nil {
				t.Fatal(err)
			}
			left := len(e.guards(mandible, "rightsize-guard-"))
			if res.GuardKeptNoBackups != tc.kept || res.GuardSnapshotRetained != tc.kept || left != map[bool]int{true: 1, false: 0}[tc.kept] {
				t.Errorf("kept for no backups %t, retained %t, %d guard snapshot(s) left; want kept %t", res.GuardKeptNoBackups, res.GuardSnapshotRetained, left, tc.kept)
			}
			if n := len(e.opsIndex("DeleteDBSnapshot", nil)); (n == 0) != tc.kept {
				t.Errorf("%d DeleteDBSnapshot call(s)", n)
			}
			e.assertGuarded(mandible)
		})
	}
}

// An instance without automated backups reports no LatestRestorableTime, which referenceNow took
// as the RDS clock; it fell back to the local clock, so with the sandbox's clock weeks behind it
// (the orchestrator's own clock left unset, as the provider runs) the guard snapshot, stamped on
// RDS's clock, read as "created before this change began" and the change failed. RDS's answer
// carries its clock (the Date header): the change-started tag is on it, and the change goes ahead.
func TestReferenceNowWithoutBackups(t *testing.T) {
	sc := sandbox.Demo()
	zero := int32(0)
	for i := range sc.Instances {
		if sc.Instances[i].ID == "mandible-prod" {
			sc.Instances[i].BackupRetentionPeriod = &zero
		}
	}
	e := newEnv(t, sc)
	e.o.Now = nil // the local clock, as the provider's orchestrator
	start := e.srv.Now()
	if time.Since(start) < time.Hour {
		t.Fatalf("the sandbox clock (%s) is not behind the local clock", start)
	}
	res, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	g, err := loadGuard(context.Background(), e.api, KindInstance, res.GuardSnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(time.RFC3339Nano, g.tags[TagChangeStarted])
	if err != nil || at.Before(start.Add(-time.Second)) || at.After(start.Add(time.Minute)) {
		t.Errorf("change-started %q (%v), want the sandbox clock's %s", g.tags[TagChangeStarted], err, start.Format(time.RFC3339))
	}
}

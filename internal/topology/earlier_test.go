package topology

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// LatestChange finds the change whose guard was taken last among the target's guard snapshots of
// any prefix, with the highest generation of them all (a resource created anew counts from 1
// again), and nothing else: not a snapshot without the provider's tags, one tagged for another
// target, or a failed one.
func TestLatestChange(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	latest := func() *EarlierChange {
		t.Helper()
		c, err := LatestChange(ctx, e.api, mandible)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := latest(); c != nil {
		t.Fatalf("no guard yet, got %+v", c)
	}
	if _, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, Validator: okValidator{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 2, Generation: 2, SnapshotPrefix: "Team-Guard", Validator: okValidator{}}); err != nil {
		t.Fatal(err)
	}
	snap := func(id string, tags map[string]string) {
		t.Helper()
		var tl []rdstypes.Tag
		for k, v := range tags {
			tl = append(tl, rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		if _, err := e.api.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"),
			DBSnapshotIdentifier: aws.String(id), Tags: tl}); err != nil {
			t.Fatal(err)
		}
		e.srv.Advance(time.Hour)
	}
	// Taken later, with higher generations, but not guards of this target's: passed over.
	snap("manual-before-upgrade", map[string]string{TagGeneration: "9", TagTarget: mandible.String()})
	snap("copied-guard", map[string]string{TagManagedBy: ManagedByValue, TagTarget: "instance:other-db", TagGeneration: "9", TagFromNodes: "2", TagToNodes: "1"})
	want := EarlierChange{GuardID: "team-guard-mandible-prod-g2-to2", Identifier: "mandible-prod", Prefix: "team-guard", Generation: 2, From: 1, To: 2, Outcome: OutcomeCompleted, MaxGeneration: 2}
	if c := latest(); !sameChange(c, want) {
		t.Fatalf("latest change %+v, want %+v", c, want)
	}

	guardTags := func(gen, to, outcome string) map[string]string {
		from := map[string]string{"1": "2", "2": "1"}[to]
		return map[string]string{TagManagedBy: ManagedByValue, TagTarget: mandible.String(), TagGeneration: gen, TagFromNodes: from, TagToNodes: to, TagOutcome: outcome,
			TagChangeStarted: e.srv.Now().UTC().Format(time.RFC3339Nano)}
	}
	// Two changes of generation 3 (a change and, after its rollback was refused, the opposite
	// one): the guard taken last tells.
	snap(GuardSnapshotID("", mandible, 3, 1, 1), guardTags("3", "1", OutcomeRollingBack))
	snap(GuardSnapshotID("", mandible, 3, 2, 2), guardTags("3", "2", OutcomeCompleted))
	want = EarlierChange{GuardID: "rightsize-guard-mandible-prod-g3-to2-r2", Identifier: "mandible-prod", Prefix: DefaultSnapshotPrefix, Generation: 3, From: 1, To: 2, Outcome: OutcomeCompleted, MaxGeneration: 3}
	if c := latest(); !sameChange(c, want) || c.Open() {
		t.Fatalf("latest change %+v, want %+v (closed)", c, want)
	}
	// A resource created anew counts from generation 1 again: its change, taken last, is the
	// latest, while the generation to go on from stays 3.
	snap(GuardSnapshotID("", mandible, 1, 1, 2), guardTags("1", "1", OutcomeRollingBack))
	want = EarlierChange{GuardID: "rightsize-guard-mandible-prod-g1-to1-r2", Identifier: "mandible-prod", Prefix: DefaultSnapshotPrefix, Generation: 1, From: 2, To: 1, Outcome: OutcomeRollingBack, MaxGeneration: 3}
	if c := latest(); !sameChange(c, want) || !c.Open() {
		t.Fatalf("latest change %+v, want %+v (open)", c, want)
	}
	// A copy of an old guard, kept as a restore point (CopyTags keeps the guard's tags, its
	// change-started among them), is taken later but does not hide the latest change; nor does
	// a copy of the latest guard stand in for it.
	snap("keep-g1-restore-point", e.snapshotTags(KindInstance, "rightsize-guard-mandible-prod-g1-to1"))
	snap("keep-latest", e.snapshotTags(KindInstance, "rightsize-guard-mandible-prod-g1-to1-r2"))
	if c := latest(); !sameChange(c, want) {
		t.Fatalf("latest change after copies %+v, want %+v", c, want)
	}
	// Whatever order RDS lists them in: a copy listed before its guard does not stand in for it.
	tags := guardTags("4", "2", OutcomeChanging)
	snap("a-copy-listed-first", tags)
	snap(GuardSnapshotID("", mandible, 4, 2, 1), tags)
	if c := latest(); c == nil || c.GuardID != "rightsize-guard-mandible-prod-g4-to2" || c.Prefix != DefaultSnapshotPrefix {
		t.Fatalf("latest change %+v, want the guard rather than its copy", c)
	}
}

// sameChange reports whether c is want but for its GuardARN, which must be the ARN of c's guard
// snapshot (of a DB snapshot or a DB cluster snapshot, as the sandbox makes them).
func sameChange(c *EarlierChange, want EarlierChange) bool {
	if c == nil || c.GuardID == "" || !(strings.HasSuffix(c.GuardARN, ":snapshot:"+c.GuardID) || strings.HasSuffix(c.GuardARN, ":cluster-snapshot:"+c.GuardID)) {
		return false
	}
	got := *c
	got.GuardARN = ""
	return got == want
}

// guardPrefix recovers the prefix of any attempt's identifier, and gives "" for one not of that
// change or shortened to RDS's limit with another prefix than the default.
func TestGuardPrefix(t *testing.T) {
	long := Target{Kind: KindCluster, Identifier: "aurora-" + strings.Repeat("x", 50)}
	for _, tc := range []struct {
		id     string
		target Target
		gen    int64
		to     int
		want   string
	}{
		{GuardSnapshotID("", mandible, 4, 1, 1), mandible, 4, 1, DefaultSnapshotPrefix},
		{GuardSnapshotID("ci_guard", sso, 2, 2, 3), sso, 2, 2, "ci-guard"},
		{GuardSnapshotID("", mandible, 4, 1, 1), mandible, 4, 2, ""},
		{GuardSnapshotID("", mandible, 14, 1, 1), mandible, 4, 1, ""},
		{GuardSnapshotID("p", long, 1, 1, 1), long, 1, 1, ""},
		{GuardSnapshotID("", long, 1, 1, 2), long, 1, 1, DefaultSnapshotPrefix},
	} {
		if got := guardPrefix(tc.id, tc.target, tc.gen, tc.to); got != tc.want {
			t.Errorf("guardPrefix(%q, g%d to%d) = %q, want %q", tc.id, tc.gen, tc.to, got, tc.want)
		}
	}
}

func TestToward(t *testing.T) {
	yes, no := true, false
	inst := func(nodes int, pending *bool) *Topology {
		return &Topology{Target: mandible, Nodes: nodes, PendingMultiAZ: pending}
	}
	cluster := func(statuses ...string) *Topology {
		tp := &Topology{Target: sso, Nodes: len(statuses)}
		for i, st := range statuses {
			tp.Members = append(tp.Members, Member{Identifier: fmt.Sprint(i), Writer: i == 0, Status: st})
		}
		return tp
	}
	for _, tc := range []struct {
		name string
		t    *Topology
		n    int
		want bool
	}{
		{"instance at 1", inst(1, nil), 1, true},
		{"instance at 2", inst(2, nil), 1, false},
		{"instance turning Multi-AZ off", inst(2, &no), 1, true},
		{"instance turning Multi-AZ on", inst(1, &yes), 2, true},
		{"instance turning Multi-AZ on, toward 1", inst(2, &yes), 1, false},
		{"cluster of 1", cluster("available"), 1, true},
		{"cluster deleting its reader", cluster("available", "deleting"), 1, true},
		{"cluster of 2", cluster("available", "available"), 1, false},
		{"cluster creating a reader", cluster("available", "creating"), 2, true},
		{"cluster of 1, toward 2", cluster("available"), 2, false},
	} {
		if got := tc.t.Toward(tc.n); got != tc.want {
			t.Errorf("%s: Toward(%d) = %t, want %t", tc.name, tc.n, got, tc.want)
		}
	}
}

// A change generation may gather guard snapshots over a long life (a resource replaced, or
// created anew, starts at generation 1 again): maxAttempts of them existing refuses a new one,
// saying how many there are and which is the latest; deleting old ones makes room, although the
// next attempt's number stays above the highest.
func TestAttemptsCountExistingGuards(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	for a := 1; a <= maxAttempts; a++ {
		tl := []rdstypes.Tag{}
		for k, v := range map[string]string{TagManagedBy: ManagedByValue, TagTarget: mandible.String(), TagGeneration: "1",
			TagFromNodes: "2", TagToNodes: "1", TagOutcome: OutcomeCompleted, TagChangeStarted: e.srv.Now().UTC().Format(time.RFC3339Nano)} {
			tl = append(tl, rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		if _, err := e.api.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"),
			DBSnapshotIdentifier: aws.String(GuardSnapshotID("", mandible, 1, 1, a)), Tags: tl}); err != nil {
			t.Fatal(err)
		}
		e.srv.Advance(time.Hour)
	}
	req := Request{Target: mandible, Nodes: 1, Generation: 1, Validator: okValidator{}}
	_, err := e.o.Run(ctx, req)
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonTooManyAttempts ||
		!strings.Contains(err.Error(), "20 guard snapshots of change generation 1 to 1 node(s) already exist (the latest, rightsize-guard-mandible-prod-g1-to1-r20, is tagged rightsize:outcome = \"completed\")") ||
		!strings.Contains(err.Error(), NeverDelete) {
		t.Fatalf("with %d guards: %v, want the refusal naming them", maxAttempts, err)
	}
	if p, err := e.o.Preview(ctx, req); err != nil || !strings.Contains(p.Refusal, "20 guard snapshots") {
		t.Errorf("preview %+v (%v) does not refuse", p, err)
	}
	for a := 1; a < maxAttempts; a++ {
		if _, err := e.api.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(GuardSnapshotID("", mandible, 1, 1, a))}); err != nil {
			t.Fatal(err)
		}
	}
	e.srv.Advance(time.Hour)
	res, err := e.o.Run(ctx, req)
	if err != nil || res.GuardSnapshotID != "rightsize-guard-mandible-prod-g1-to1-r21" {
		t.Fatalf("after deleting old guards: %+v, %v; want the change behind attempt 21", res, err)
	}
	e.assertGuarded(mandible)
}

// An account at RDS's manual snapshot quota: the change is refused before anything is changed,
// with the quota named, how to make room (this database's closed guard snapshots, named) and
// what never to delete; the same change goes through once there is room.
func TestGuardRefusedAtSnapshotQuota(t *testing.T) {
	for _, tc := range []struct {
		target       Target
		op, kind     string
		closed       string
		changedCheck func(e *env) bool
	}{
		{mandible, "CreateDBSnapshot", "Manual DB instance snapshots", "rightsize-guard-mandible-prod-g1-to1, rightsize-guard-mandible-prod-g2-to2",
			func(e *env) bool { return !aws.ToBool(e.instance("mandible-prod").MultiAZ) }},
		{sso, "CreateDBClusterSnapshot", "Manual DB cluster snapshots", "rightsize-guard-sso-prod-g1-to1, rightsize-guard-sso-prod-g2-to2",
			func(e *env) bool { return len(e.topology(sso).Members) != 2 }},
	} {
		t.Run(tc.op, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			ctx := context.Background()
			for gen, n := range []int{1, 2} {
				if _, err := e.o.Run(ctx, Request{Target: tc.target, Nodes: n, Generation: int64(gen + 1), Validator: okValidator{}}); err != nil {
					t.Fatal(err)
				}
			}
			e.srv.InjectFaults(sandbox.FaultRule{Operation: tc.op, Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 400,
				Code: "SnapshotQuotaExceeded", Message: "Cannot create more than 100 manual snapshots"}})
			req := Request{Target: tc.target, Nodes: 1, Generation: 3, Validator: okValidator{}}
			_, err := e.o.Run(ctx, req)
			var ce *ChangeError
			if !errors.As(err, &ce) || ce.Changed || tc.changedCheck(e) {
				t.Fatalf("want the change refused with nothing changed, got %v", err)
			}
			for _, want := range []string{"SnapshotQuotaExceeded", "as many manual", "2 guard snapshot(s) of " + tc.target.Noun() + " this provider took are closed",
				tc.closed, NeverDelete, tc.kind, "no change was made"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q lacks %q", err, want)
				}
			}
			e.srv.ClearFaults()
			if _, err := e.o.Run(ctx, req); err != nil || !tc.changedCheck(e) {
				t.Fatalf("with room again: %v", err)
			}
		})
	}
}

// A stopped database is refused before anything is done, saying to start it first and how.
func TestStoppedDatabaseRefusedWithAdvice(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	if _, err := e.api.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	for target, want := range map[Target]string{
		mandible: "start DB instance mandible-prod first (aws rds start-db-instance --db-instance-identifier mandible-prod), wait for it to be available",
		sso:      "start DB cluster sso-prod first (aws rds start-db-cluster --db-cluster-identifier sso-prod), wait for it to be available",
	} {
		_, err := e.o.Run(ctx, Request{Target: target, Nodes: 1, Generation: 1, Validator: okValidator{}})
		var pe *PrecheckError
		if !errors.As(err, &pe) || pe.Reason != ReasonStatus || !strings.Contains(err.Error(), want) {
			t.Errorf("%s stopped: %v, want a refusal saying %q", target, err, want)
		}
		if g := e.guards(target, "rightsize-guard"); len(g) != 0 {
			t.Errorf("%s stopped: guard snapshots taken: %v", target, g)
		}
	}
}

// TestGuardsOfRenamedInstance: a DB snapshot keeps the identifier its instance had when it was
// taken, so after mandible-prod is renamed and another instance takes its name, a listing by the
// name finds the first one's guards, tagged instance:mandible-prod. They are not the new
// instance's: LatestChange does not take its unfinished change for the new instance's (an import
// would then resume it, or finish its rollback, on a database that never had it), nor does Guards
// count them. They are the renamed instance's.
func TestGuardsOfRenamedInstance(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	tags := []rdstypes.Tag{{Key: aws.String(TagManagedBy), Value: aws.String(ManagedByValue)}, {Key: aws.String(TagTarget), Value: aws.String(mandible.String())},
		{Key: aws.String(TagGeneration), Value: aws.String("4")}, {Key: aws.String(TagFromNodes), Value: aws.String("2")}, {Key: aws.String(TagToNodes), Value: aws.String("1")},
		{Key: aws.String(TagOutcome), Value: aws.String(OutcomeRollingBack)}}
	if _, err := e.api.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		DBSnapshotIdentifier: aws.String(GuardSnapshotID("", mandible, 4, 1, 1)), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	if c, err := LatestChange(ctx, e.api, mandible); err != nil || c == nil || !c.Open() {
		t.Fatalf("before the rename: %+v, %v; want mandible-prod's open change", c, err)
	}
	if _, err := e.api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		NewDBInstanceIdentifier: aws.String("mandible-old"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	if _, err := e.api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.m6g.large"), AllocatedStorage: aws.Int32(100)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	if c, err := LatestChange(ctx, e.api, mandible); err != nil || c != nil {
		t.Errorf("the new mandible-prod: latest change %+v, %v; want none (the guard is mandible-old's)", c, err)
	}
	if total, closed, err := Guards(ctx, e.api, mandible); err != nil || total != 0 || len(closed) != 0 {
		t.Errorf("the new mandible-prod: %d guards, closed %v, %v; want none", total, closed, err)
	}
	// They are mandible-old's, found by its DbiResourceId (TestOwnGuardsAfterRename).
	if c, err := LatestChange(ctx, e.api, Target{Kind: KindInstance, Identifier: "mandible-old"}); err != nil || c == nil || !c.Open() || c.Identifier != "mandible-prod" {
		t.Errorf("mandible-old: latest change %+v, %v; want its open change, taken as mandible-prod", c, err)
	}
}

// GuardChange reads a change back from its guard snapshot as the run that made it reported it: an
// Aurora reader's removal that failed its validation and was not rolled back (its apply's result,
// an error, records nothing) gives the node counts, the reader removed (Previous, as
// Result.Previous would have), the guard, and an Action that is the run's own with what became of
// the change; a change with no guard is nil.
func TestGuardChange(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	if c, err := GuardChange(ctx, e.api, "", sso, 1, 1); err != nil || c != nil {
		t.Fatalf("no guard: %+v, %v; want nil", c, err)
	}
	if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}, DisableRollback: true}); err == nil {
		t.Fatal("a failing validation: no error")
	}
	c, err := GuardChange(ctx, e.api, "", sso, 1, 1)
	if err != nil || c == nil {
		t.Fatalf("GuardChange: %+v, %v", c, err)
	}
	if c.GuardID != "rightsize-guard-sso-prod-g1-to1" || !strings.HasSuffix(c.GuardARN, ":cluster-snapshot:"+c.GuardID) || c.Prefix != DefaultSnapshotPrefix ||
		c.Generation != 1 || c.From != 2 || c.To != 1 || c.Outcome != OutcomeFailedNotRolledBack || !c.Stood() {
		t.Errorf("change %+v; want generation 1, 2 → 1, failed-not-rolled-back, standing", c)
	}
	p := c.Previous(sso)
	if p.Nodes != 2 || !p.MultiAZ || p.Reader == nil || p.Reader.Identifier != "sso-prod-instance-2" || p.Reader.Class == "" {
		t.Errorf("previous %+v (reader %+v); want 2 nodes and the reader sso-prod-instance-2 removed", p, p.Reader)
	}
	want := "reader sso-prod-instance-2 removed from DB cluster sso-prod (2 → 1 node) (failed and not rolled back: guard snapshot rightsize-guard-sso-prod-g1-to1, rightsize:outcome = failed-not-rolled-back)"
	if got := c.Action(sso); got != want {
		t.Errorf("action %q,\nwant %q", got, want)
	}
	// Back to 2 nodes, completed: the run's own action, as an earlier apply's.
	res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &p})
	if err != nil {
		t.Fatal(err)
	}
	c, err = GuardChange(ctx, e.api, "", sso, 2, 2)
	if err != nil || c == nil || c.Outcome != OutcomeCompleted || c.From != 1 || c.To != 2 || !c.Stood() {
		t.Fatalf("GuardChange of the change back: %+v, %v", c, err)
	}
	if got := c.Action(sso); got != res.Action+" (completed by an earlier apply)" {
		t.Errorf("action %q, want the run's %q with (completed by an earlier apply)", got, res.Action)
	}
	if p := c.Previous(sso); p.Nodes != 1 || p.MultiAZ || !reflect.DeepEqual(p, res.Previous) {
		t.Errorf("previous %+v, want the run's %+v", p, res.Previous)
	}
}

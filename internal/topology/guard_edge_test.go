package topology

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// readerlessChangingGuard runs sso-prod's change to 1 node until step, then tags its guard changing
// and removes the guard's reader tags (by hand, a tag tool).
func readerlessChangingGuard(t *testing.T, e *env, step Step) {
	t.Helper()
	e.runInterrupted(t, Request{Target: sso, Nodes: 1, Generation: 1}, step)
	ctx := context.Background()
	g, err := loadGuard(ctx, e.api, KindCluster, "rightsize-guard-sso-prod-g1-to1")
	if err != nil {
		t.Fatal(err)
	}
	var readerKeys []string
	for k := range g.tags {
		if strings.HasPrefix(k, tagReaderPrefix) {
			readerKeys = append(readerKeys, k)
		}
	}
	if _, err := e.api.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(g.arn),
		Tags: []rdstypes.Tag{{Key: aws.String(TagOutcome), Value: aws.String(OutcomeChanging)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: aws.String(g.arn), TagKeys: readerKeys}); err != nil {
		t.Fatal(err)
	}
}

// An Aurora guard tagged changing whose reader tags were removed, with the cluster untouched at
// its 2 nodes: plan and apply do not crash, and nothing is to restore: the apply reports the
// cluster already back, records the guard rolled back, and the next apply makes the change anew.
func TestChangingGuardWithoutReaderTagsUntouched(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	readerlessChangingGuard(t, e, StepGuardVerified)
	ctx := context.Background()
	req := Request{Target: sso, Nodes: 1, Generation: 1}
	if _, err := e.o.Preview(ctx, req); err != nil {
		t.Errorf("preview: %v", err)
	}
	_, err := e.o.Run(ctx, req)
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack || !strings.Contains(err.Error(), "already back at 2 node(s)") || strings.Contains(err.Error(), "restore the cluster by hand") {
		t.Fatalf("run: %v, want the cluster reported already back, nothing to restore", err)
	}
	if o := e.snapshotTags(KindCluster, "rightsize-guard-sso-prod-g1-to1")[TagOutcome]; o != OutcomeRolledBack {
		t.Errorf("guard outcome %q, want %q", o, OutcomeRolledBack)
	}
	if res, err := e.o.Run(ctx, req); err != nil || res.Nodes != 1 || res.GuardSnapshotID != "rightsize-guard-sso-prod-g1-to1-r2" {
		t.Errorf("next apply: %v %+v, want the change made anew behind a new guard", err, res)
	}
}

// The same guard while the reader's deletion it asked for is under way (the cluster left its
// 2 nodes): the guard cannot say which reader to recreate, and the apply says so.
func TestChangingGuardWithoutReaderTagsChanged(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	readerlessChangingGuard(t, e, StepChange)
	_, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.ReaderRecordMissing || !strings.Contains(err.Error(), "no longer records the reader") ||
		!strings.Contains(err.Error(), "rightsize:outcome = superseded") ||
		strings.Contains(err.Error(), "rollback disabled") || strings.Contains(err.Error(), "no longer verifies") {
		t.Errorf("run: %v, want the guard's missing reader record named with its remedy, and no other advice", err)
	}
}

// This resource's change to 1 node was interrupted after its call and completed at RDS (guard
// left changing); then Multi-AZ is turned on outside the resource. A change to 2 nodes (a destroy
// with restore_on_destroy) is refused as a change this resource did not start, not named as the
// resource's own finished change to 1 node "still under way".
func TestOutsideChangeNotNamedAsOwn(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.runInterrupted(t, Request{Target: mandible, Nodes: 1, Generation: 1}, StepChange)
	e.srv.Advance(2 * time.Hour)
	if topo := e.topology(mandible); topo.MultiAZ || topo.Status != "available" {
		t.Fatalf("setup: multiAZ=%t status=%s", topo.MultiAZ, topo.Status)
	}
	if _, err := e.api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		MultiAZ: aws.Bool(true), ApplyImmediately: aws.Bool(true)}); err != nil { // outside the resource
		t.Fatal(err)
	}
	e.srv.Advance(time.Minute)
	req := Request{Target: mandible, Nodes: 2, Generation: 1, Previous: &Previous{Nodes: 2, MultiAZ: true}}
	const want = "a change that this resource did not start is in progress"
	if p, err := e.o.Preview(context.Background(), req); err != nil || !strings.Contains(p.Refusal, want) {
		t.Errorf("preview: %v, refusal %q; want %q", err, p.Refusal, want)
	}
	_, err := e.o.Run(context.Background(), req)
	var pe *PrecheckError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), want) {
		t.Errorf("run: %v; want a refusal saying %q", err, want)
	}
}

// The untouched cluster of a readerless guard, with a reader Aurora Auto Scaling added besides:
// not taken for "already back" (that reader goes again), and, the guard recording no reader to
// recreate, the apply says so (it crashed on the missing record before).
func TestChangingGuardWithoutReaderTagsAndAutoScalingReader(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	readerlessChangingGuard(t, e, StepGuardVerified)
	// The change had not begun: remove the cluster's own reader by hand and let Auto Scaling add one.
	ctx := context.Background()
	if _, err := e.api.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(ssoReader), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(autoScalingReaderPrefix + "0a1b2c3d"),
		DBClusterIdentifier: aws.String("sso-prod"), DBInstanceClass: aws.String("db.t4g.medium"), Engine: aws.String("aurora-postgresql")}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(30 * time.Minute)
	req := Request{Target: sso, Nodes: 1, Generation: 1}
	_, err := e.o.Run(ctx, req)
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.ReaderRecordMissing || strings.Contains(err.Error(), "rollback disabled") {
		t.Fatalf("run: %v, want the missing reader record reported as such", err)
	}
	for _, want := range []string{"does not record the reader", "a reader Aurora Auto Scaling added, which it removes again, does not count",
		"put the cluster back to 2 node(s) of its own by hand", "tag the guard snapshot rightsize:outcome = superseded and apply again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	// The way out it gives: keep the cluster as it is (tag the guard superseded); the next apply
	// then makes the change anew behind a guard of its own.
	g, err := loadGuard(ctx, e.api, KindCluster, "rightsize-guard-sso-prod-g1-to1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(g.arn),
		Tags: []rdstypes.Tag{{Key: aws.String(TagOutcome), Value: aws.String(OutcomeSuperseded)}}}); err != nil {
		t.Fatal(err)
	}
	if res, err := e.o.Run(ctx, req); err != nil || res.Nodes != 1 {
		t.Fatalf("after tagging the guard superseded: %v %+v, want the change made", err, res)
	}
}

package topology

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestOwnGuardsAfterRename: a DB instance renamed after this provider took its guard snapshots
// (ModifyDBInstance NewDBInstanceIdentifier) keeps its DbiResourceId, while its guards keep the
// identifier they were taken under, and their target tag names it. Its guards are still its own:
// LatestChange reports its unfinished change (an apply interrupted after its change call, then
// the rename), with the identifier the guard was named with and the prefix (an import names the
// old identifier rather than take the change for one of the new name's), and Guards counts them
// and lists the closed ones, with those taken under the new name after it.
func TestOwnGuardsAfterRename(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.setDeadline(e.srv.Now().Add(12 * time.Hour))
	ctx := context.Background()
	res, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res, err = e.o.Run(ctx, Request{Target: mandible, Nodes: 2, Generation: 2, Previous: &res.Previous}); err != nil {
		t.Fatal(err)
	}
	interruptAtChange(e)
	_, err = e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 3, Previous: &res.Previous})
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.Changed || !ce.Interrupted {
		t.Fatalf("interrupted run: %v", err)
	}
	e.o.OnStep = nil
	e.srv.Advance(3 * time.Hour) // RDS finishes the change to 1 node
	want := EarlierChange{GuardID: "rightsize-guard-mandible-prod-g3-to1", Identifier: "mandible-prod", Prefix: DefaultSnapshotPrefix,
		Generation: 3, From: 2, To: 1, Outcome: OutcomeChanging, MaxGeneration: 3}
	if c, err := LatestChange(ctx, e.api, mandible); err != nil || !sameChange(c, want) {
		t.Fatalf("before the rename: %+v, %v; want %+v", c, err, want)
	}

	if _, err := e.api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		NewDBInstanceIdentifier: aws.String("mandible-v2"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	renamed := Target{Kind: KindInstance, Identifier: "mandible-v2"}
	if c, err := LatestChange(ctx, e.api, renamed); err != nil || !sameChange(c, want) || !c.Open() {
		t.Fatalf("after the rename: %+v, %v; want %+v (open, named mandible-prod)", c, err, want)
	}
	closedBefore := []string{"rightsize-guard-mandible-prod-g1-to1", "rightsize-guard-mandible-prod-g2-to2"}
	if total, closed, err := Guards(ctx, e.api, renamed); err != nil || total != 3 || !slices.Equal(closed, closedBefore) {
		t.Fatalf("after the rename: %d guards, closed %v, %v; want 3, closed %v", total, closed, err, closedBefore)
	}
	// Nor does the old name's listing, which no instance has now, count them twice or lose them.
	if total, _, err := Guards(ctx, e.api, mandible); err != nil || total != 3 {
		t.Errorf("by the old name: %d guards, %v; want its 3 guards, tagged with it", total, err)
	}

	// A change of the instance under its new name: its guard is named with it, and it is the
	// latest; the generations go on from the highest of all.
	if _, err := e.o.Run(ctx, Request{Target: renamed, Nodes: 2, Generation: 4}); err != nil {
		t.Fatal(err)
	}
	want = EarlierChange{GuardID: "rightsize-guard-mandible-v2-g4-to2", Identifier: "mandible-v2", Prefix: DefaultSnapshotPrefix,
		Generation: 4, From: 1, To: 2, Outcome: OutcomeCompleted, MaxGeneration: 4}
	if c, err := LatestChange(ctx, e.api, renamed); err != nil || !sameChange(c, want) {
		t.Fatalf("after a change under the new name: %+v, %v; want %+v", c, err, want)
	}
	closedAll := append(slices.Clone(closedBefore), "rightsize-guard-mandible-v2-g4-to2")
	if total, closed, err := Guards(ctx, e.api, renamed); err != nil || total != 4 || !slices.Equal(closed, closedAll) {
		t.Errorf("after a change under the new name: %d guards, closed %v, %v; want 4, closed %v", total, closed, err, closedAll)
	}
}

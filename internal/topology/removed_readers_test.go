package topology

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestRemovedReaders (ReaderChanges): the reader a change to 1 node removed is listed from its guard snapshot
// (identifier, class, Availability Zone, when its removal was requested); a guard whose change
// was rolled back (the reader recreated) lists none, and neither does a cluster never changed.
func TestRemovedReaders(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	if h, err := ReaderChanges(ctx, e.api, sso.Identifier); err != nil || len(h.Removed)+len(h.Added) != 0 {
		t.Fatalf("before any change: %+v, %v", h, err)
	}
	reader := e.instance("sso-prod-instance-2")
	res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	h, err := ReaderChanges(ctx, e.api, "SSO-prod")
	if err != nil {
		t.Fatal(err)
	}
	got := h.Removed
	requested := e.snapshotTags(KindCluster, res.GuardSnapshotID)[TagChangeRequested]
	if len(got) != 1 || got[0].Identifier != "sso-prod-instance-2" || got[0].Class != *reader.DBInstanceClass ||
		got[0].AvailabilityZone != *reader.AvailabilityZone || got[0].GuardID != res.GuardSnapshotID ||
		got[0].Requested.Format("2006-01-02T15:04:05.999999999Z07:00") != requested {
		t.Errorf("removed readers %+v, want sso-prod-instance-2 (%s, %s) requested at %s behind %s",
			got, *reader.DBInstanceClass, *reader.AvailabilityZone, requested, res.GuardSnapshotID)
	}
	if _, err := e.api.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: &res.GuardSnapshotARN,
		Tags: []rdstypes.Tag{{Key: ptr(TagOutcome), Value: ptr(OutcomeRolledBack)}}}); err != nil {
		t.Fatal(err)
	}
	if h, err := ReaderChanges(ctx, e.api, sso.Identifier); err != nil || len(h.Removed) != 0 {
		t.Errorf("rolled back: %+v, %v; want no reader removed", h, err)
	}
	// A change back to two nodes is listed as a reader added, when it was requested.
	res2, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2})
	if err != nil {
		t.Fatal(err)
	}
	h, err = ReaderChanges(ctx, e.api, sso.Identifier)
	added := e.snapshotTags(KindCluster, res2.GuardSnapshotID)[TagChangeRequested]
	if err != nil || len(h.Added) != 1 || h.Added[0].Format("2006-01-02T15:04:05.999999999Z07:00") != added {
		t.Errorf("after the change back to 2 nodes: %+v, %v; want one reader added at %s", h, err, added)
	}
}

package inventory

import (
	"context"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/awserr"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/snapshots"
)

// AttachLatestSnapshots sets, for each RDS instance of cs without automated backups
// (BackupRetentionDays 0) that is not a read replica, its latest available snapshot
// (snapshots.Latest, by its DbiResourceId, Cluster.ResourceID, so that those taken before a
// rename count; Cluster.SnapshotsListed and LatestSnapshot): on one node it is the recovery
// point left. Other deployments are not listed, so the call (and its permission) is needed only
// then. A failed listing is recorded in the cluster's SnapshotsUnread, not returned.
func AttachLatestSnapshots(ctx context.Context, api RDSAPI, cs []Cluster) {
	for i := range cs {
		c := &cs[i]
		c.SnapshotsListed, c.LatestSnapshot, c.SnapshotsUnread, c.SnapshotsDenied = false, analysis.Snapshot{}, "", false
		if c.Kind != KindMultiAZ || c.BackupRetentionDays != 0 || c.ReplicaSource != "" || c.Identifier == "" {
			continue
		}
		sn, ok, err := snapshots.Latest(ctx, api, c.Identifier, c.ResourceID)
		if err != nil {
			c.SnapshotsUnread, c.SnapshotsDenied = err.Error(), awserr.PermissionDenied(err)
			continue
		}
		c.SnapshotsListed = true
		if ok {
			c.LatestSnapshot = sn
		}
	}
}

// Package snapshots finds an RDS instance's latest available DB snapshot
// (rds:DescribeDBSnapshots): with automated backups off, the recovery point a single node has left.
// RDS lists an instance's manual and automated snapshots when asked without a SnapshotType, and
// an AWS Backup plan's only with SnapshotType awsbackup, so both listings are read. The listings
// are of the client's region: copies in other regions or accounts are not seen.
//
// A snapshot keeps the DBInstanceIdentifier its instance had when it was taken: after a rename
// (ModifyDBInstance NewDBInstanceIdentifier) a listing by the new identifier misses the earlier
// ones, and one by an identifier finds those of a deleted or renamed instance that had it. So the
// instance's snapshots are listed by its DbiResourceId (the dbi-resource-id filter), which a
// rename keeps and no other instance has, when it is known.
package snapshots

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// API lists the RDS operation this package calls; *rds.Client satisfies it.
type API interface {
	DescribeDBSnapshots(ctx context.Context, in *rds.DescribeDBSnapshotsInput, optFns ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error)
}

// Latest returns the available snapshot of DB instance id whose data is the newest (by
// OriginalSnapshotCreateTime, the source's time for a copy, else SnapshotCreateTime), of its
// manual, automated and AWS Backup snapshots; ok is false when it has none. resourceID is the
// instance's DbiResourceId: given, the snapshots are those of that instance, whatever identifier
// it had when each was taken; empty, those taken under identifier id. Snapshots being created or
// failed do not count. It fails when a listing fails.
func Latest(ctx context.Context, api API, id, resourceID string) (latest analysis.Snapshot, ok bool, err error) {
	for _, typ := range []*string{nil, aws.String("awsbackup")} {
		in := &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String(id), SnapshotType: typ}
		if resourceID != "" {
			in.DBInstanceIdentifier = nil
			in.Filters = []types.Filter{{Name: aws.String("dbi-resource-id"), Values: []string{resourceID}}}
		}
		p := rds.NewDescribeDBSnapshotsPaginator(api, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return analysis.Snapshot{}, false, fmt.Errorf("listing the snapshots of %s (rds:DescribeDBSnapshots): %w", id, err)
			}
			for _, sn := range page.DBSnapshots {
				if aws.ToString(sn.Status) != "available" {
					continue
				}
				t := aws.ToTime(sn.OriginalSnapshotCreateTime)
				if t.IsZero() {
					t = aws.ToTime(sn.SnapshotCreateTime)
				}
				if t.IsZero() {
					continue // RDS gives every available snapshot a time; one without cannot be dated
				}
				if !ok || t.After(latest.Time) {
					latest = analysis.Snapshot{ID: aws.ToString(sn.DBSnapshotIdentifier), Type: aws.ToString(sn.SnapshotType), Time: t.UTC()}
					ok = true
				}
			}
		}
	}
	return latest, ok, nil
}

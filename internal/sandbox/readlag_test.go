package sandbox

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// With SetReadLag, a DB snapshot, DB cluster snapshot or restored DB instance is missing from the
// describe calls (NotFound by identifier, left out of lists) for that long after its create call,
// and shown from then on; other calls (tagging by ARN) and what existed before are not affected.
func TestReadLag(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	const lag = 45 * time.Second
	srv.SetReadLag(lag)

	// Existing resources show at once.
	if _, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mandible-prod")}, apiNoRetry); err != nil {
		t.Fatalf("an instance that existed before: %v", err)
	}

	created, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("lag-snap")}, apiNoRetry)
	if err != nil {
		t.Fatalf("CreateDBSnapshot: %v", err)
	}
	cs, err := rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("sso-prod"), DBClusterSnapshotIdentifier: aws.String("lag-csnap")}, apiNoRetry)
	if err != nil {
		t.Fatalf("CreateDBClusterSnapshot: %v", err)
	}
	snapshotShown := func() (byID, listed bool) {
		t.Helper()
		_, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("lag-snap")}, apiNoRetry)
		if nf := (*rdstypes.DBSnapshotNotFoundFault)(nil); err != nil && !errors.As(err, &nf) {
			t.Fatalf("DescribeDBSnapshots: %v", err)
		}
		list, lerr := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("mandible-prod")}, apiNoRetry)
		if lerr != nil {
			t.Fatalf("DescribeDBSnapshots of the instance: %v", lerr)
		}
		for _, s := range list.DBSnapshots {
			listed = listed || aws.ToString(s.DBSnapshotIdentifier) == "lag-snap"
		}
		return err == nil, listed
	}
	clusterSnapshotShown := func() (byID, listed bool) {
		t.Helper()
		_, err := rc.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: aws.String("lag-csnap")}, apiNoRetry)
		if nf := (*rdstypes.DBClusterSnapshotNotFoundFault)(nil); err != nil && !errors.As(err, &nf) {
			t.Fatalf("DescribeDBClusterSnapshots: %v", err)
		}
		list, lerr := rc.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterIdentifier: aws.String("sso-prod")}, apiNoRetry)
		if lerr != nil {
			t.Fatalf("DescribeDBClusterSnapshots of the cluster: %v", lerr)
		}
		for _, s := range list.DBClusterSnapshots {
			listed = listed || aws.ToString(s.DBClusterSnapshotIdentifier) == "lag-csnap"
		}
		return err == nil, listed
	}
	if byID, listed := snapshotShown(); byID || listed {
		t.Errorf("DB snapshot right after its create call: by identifier %t, listed %t; want neither", byID, listed)
	}
	if byID, listed := clusterSnapshotShown(); byID || listed {
		t.Errorf("DB cluster snapshot right after its create call: by identifier %t, listed %t; want neither", byID, listed)
	}
	// Tagging it by the ARN the create call answered works meanwhile.
	if _, err := rc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: created.DBSnapshot.DBSnapshotArn,
		Tags: []rdstypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, apiNoRetry); err != nil {
		t.Errorf("tagging the snapshot not yet shown: %v", err)
	}
	if _, err := rc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: cs.DBClusterSnapshot.DBClusterSnapshotArn,
		Tags: []rdstypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, apiNoRetry); err != nil {
		t.Errorf("tagging the cluster snapshot not yet shown: %v", err)
	}

	srv.Advance(lag - time.Second)
	if byID, listed := snapshotShown(); byID || listed {
		t.Errorf("DB snapshot a second before the lag ends: by identifier %t, listed %t; want neither", byID, listed)
	}
	srv.Advance(time.Second)
	if byID, listed := snapshotShown(); !byID || !listed {
		t.Errorf("DB snapshot once the lag has passed: by identifier %t, listed %t; want both", byID, listed)
	}
	if byID, listed := clusterSnapshotShown(); !byID || !listed {
		t.Errorf("DB cluster snapshot once the lag has passed: by identifier %t, listed %t; want both", byID, listed)
	}

	// A restored instance, once its snapshot is available.
	srv.Advance(2 * time.Hour)
	restored, err := rc.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{DBSnapshotIdentifier: aws.String("lag-snap"),
		DBInstanceIdentifier: aws.String("lag-restored")}, apiNoRetry)
	if err != nil {
		t.Fatalf("RestoreDBInstanceFromDBSnapshot: %v", err)
	}
	instanceShown := func() (byID, listed bool) {
		t.Helper()
		_, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("lag-restored")}, apiNoRetry)
		if nf := (*rdstypes.DBInstanceNotFoundFault)(nil); err != nil && !errors.As(err, &nf) {
			t.Fatalf("DescribeDBInstances: %v", err)
		}
		list, lerr := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}, apiNoRetry)
		if lerr != nil {
			t.Fatalf("DescribeDBInstances: %v", lerr)
		}
		for _, in := range list.DBInstances {
			listed = listed || aws.ToString(in.DBInstanceIdentifier) == "lag-restored"
		}
		return err == nil, listed
	}
	if byID, listed := instanceShown(); byID || listed {
		t.Errorf("restored instance right after its restore call: by identifier %t, listed %t; want neither", byID, listed)
	}
	// Tagging it by the ARN the restore call answered, and reading its tags, work meanwhile.
	if _, err := rc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: restored.DBInstance.DBInstanceArn,
		Tags: []rdstypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, apiNoRetry); err != nil {
		t.Errorf("tagging the instance not yet shown: %v", err)
	}
	if tl, err := rc.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: restored.DBInstance.DBInstanceArn}, apiNoRetry); err != nil || len(tl.TagList) == 0 {
		t.Errorf("tags of the instance not yet shown: %+v, %v", tl, err)
	}
	// An Aurora instance created in a cluster: its cluster lists it as a member at once; the
	// describe calls of the instance do not.
	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBClusterIdentifier: aws.String("sso-prod"), DBInstanceIdentifier: aws.String("lag-reader"),
		Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large")}, apiNoRetry); err != nil {
		t.Fatalf("CreateDBInstance in sso-prod: %v", err)
	}
	if _, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("lag-reader")}, apiNoRetry); err == nil {
		t.Error("DescribeDBInstances shows the Aurora instance right after its create call")
	}
	cl, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sso-prod")}, apiNoRetry)
	if err != nil || len(cl.DBClusters) != 1 {
		t.Fatalf("DescribeDBClusters sso-prod: %+v, %v", cl, err)
	}
	member := false
	for _, m := range cl.DBClusters[0].DBClusterMembers {
		member = member || aws.ToString(m.DBInstanceIdentifier) == "lag-reader"
	}
	if !member {
		t.Error("the cluster's member list leaves out the Aurora instance not yet shown by DescribeDBInstances")
	}
	srv.Advance(lag)
	if byID, listed := instanceShown(); !byID || !listed {
		t.Errorf("restored instance once the lag has passed: by identifier %t, listed %t; want both", byID, listed)
	}

	// Zero turns it off: a new snapshot shows at once.
	srv.SetReadLag(0)
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("no-lag")}, apiNoRetry); err != nil {
		t.Fatalf("CreateDBSnapshot: %v", err)
	}
	if _, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("no-lag")}, apiNoRetry); err != nil {
		t.Errorf("without a lag a new snapshot shows at once: %v", err)
	}
}

// POST /_sandbox/reads/lag sets the lag; a bad duration is refused and changes nothing.
func TestReadLagAdmin(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	post := func(q string) int {
		t.Helper()
		resp, err := http.Post(srv.URL()+"/_sandbox/reads/lag?"+q, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	for _, bad := range []string{"d=soon", "d=-1s", ""} {
		if code := post(bad); code != http.StatusBadRequest {
			t.Errorf("POST reads/lag?%s: status %d, want 400", bad, code)
		}
	}
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("before")}, apiNoRetry); err != nil {
		t.Fatalf("CreateDBSnapshot: %v", err)
	}
	if _, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("before")}, apiNoRetry); err != nil {
		t.Errorf("refused lags must leave none: %v", err)
	}
	if code := post("d=1m"); code != http.StatusOK {
		t.Fatalf("POST reads/lag?d=1m: status %d", code)
	}
	srv.Advance(2 * time.Hour) // the first snapshot done, the instance available again
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("after")}, apiNoRetry); err != nil {
		t.Fatalf("CreateDBSnapshot: %v", err)
	}
	shown := func(id string) bool {
		t.Helper()
		_, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(id)}, apiNoRetry)
		if nf := (*rdstypes.DBSnapshotNotFoundFault)(nil); err != nil && !errors.As(err, &nf) {
			t.Fatalf("DescribeDBSnapshots %s: %v", id, err)
		}
		return err == nil
	}
	if shown("after") {
		t.Error("with a lag of 1m set over HTTP a new snapshot shows at once")
	}
	// The lag is the duration given: the snapshot still hidden 59s after its create call, shown at 1m.
	srv.Advance(59 * time.Second)
	if shown("after") {
		t.Error("with a lag of 1m set over HTTP a new snapshot shows after 59s")
	}
	srv.Advance(time.Second)
	if !shown("after") {
		t.Error("with a lag of 1m set over HTTP a new snapshot is not shown after 1m")
	}
	// d=0 turns it off, as the refusal's text says.
	if code := post("d=0"); code != http.StatusOK {
		t.Fatalf("POST reads/lag?d=0: status %d, want 200", code)
	}
	srv.Advance(2 * time.Hour)
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("off")}, apiNoRetry); err != nil {
		t.Fatalf("CreateDBSnapshot: %v", err)
	}
	if !shown("off") {
		t.Error("with the lag set to 0 over HTTP a new snapshot is not shown at once")
	}
}

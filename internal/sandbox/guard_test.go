package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// TestCheckGuarded drives the guard invariant check with real SDK calls: it
// must accept guarded changes (tag calls in between, SDK retries, a call sent
// again) and name each way of breaking the invariant.
func TestCheckGuarded(t *testing.T) {
	ctx := context.Background()
	expect := func(t *testing.T, srv *Server, id string, wantN int, wantErr string) {
		t.Helper()
		n, err := srv.CheckGuarded(id)
		switch {
		case wantErr == "" && err != nil:
			t.Fatalf("CheckGuarded(%s): %v", id, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Fatalf("CheckGuarded(%s) = %d, %v; want an error with %q", id, n, err, wantErr)
		case n != wantN:
			t.Fatalf("CheckGuarded(%s) counted %d changing calls, want %d", id, n, wantN)
		}
	}
	total := DefaultDurations.SnapshotBase + 100*DefaultDurations.SnapshotPerGiB
	snapshot := func(t *testing.T, rc *rds.Client, id string) {
		t.Helper()
		if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	describe := func(t *testing.T, rc *rds.Client, id string) {
		t.Helper()
		if _, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	modify := &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}

	t.Run("instance", func(t *testing.T) {
		srv, rc, _ := start(t, Options{})
		expect(t, srv, "mandible-prod", 0, "")
		// Described while still being created: too early.
		snapshot(t, rc, "guard-1")
		describe(t, rc, "guard-1")
		_, _ = rc.ModifyDBInstance(ctx, modify) // refused (the instance is backing up), but made
		expect(t, srv, "mandible-prod", 1, "guard-1, which has not become available")
		srv.Advance(total + time.Hour)
		expect(t, srv, "mandible-prod", 1, "before it became available")

		srv.ResetLog()
		expect(t, srv, "mandible-prod", 0, "")
		describe(t, rc, "guard-1")
		if _, err := rc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String("arn:aws:rds:us-east-1:123456789012:snapshot:guard-1"),
			Tags: []rdstypes.Tag{{Key: aws.String("step"), Value: aws.String("change")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := rc.ModifyDBInstance(ctx, modify); err != nil {
			t.Fatal(err)
		}
		expect(t, srv, "mandible-prod", 1, "")

		// Retried by the SDK (attempts 1 and 2): one call. Then sent again by
		// its client: a second call, still guarded.
		srv.Advance(time.Hour)
		describe(t, rc, "guard-1")
		srv.InjectSequence("ModifyDBInstance", FaultHTTP500)
		if _, err := rc.ModifyDBInstance(ctx, modify); err != nil {
			t.Fatal(err)
		}
		srv.Advance(time.Hour)
		if _, err := rc.ModifyDBInstance(ctx, modify); err != nil {
			t.Fatal(err)
		}
		if c := srv.Calls("ModifyDBInstance"); len(c) != 4 || c[1].Attempt != 1 || c[2].Attempt != 2 || c[3].Attempt != 1 {
			t.Fatalf("ModifyDBInstance log: %+v", c)
		}
		expect(t, srv, "mandible-prod", 3, "")

		// Another instance's changes, and restore-verification instances, are not this one's.
		if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("rs-verify-mandible-prod"), ApplyImmediately: aws.Bool(true)}); err == nil {
			t.Fatal("modifying a missing instance succeeded")
		}
		expect(t, srv, "mandible-prod", 3, "")

		// Anything else in between breaks it.
		srv.Advance(time.Hour)
		describe(t, rc, "guard-1")
		if _, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mandible-prod")}); err != nil {
			t.Fatal(err)
		}
		if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		expect(t, srv, "mandible-prod", 4, "DeleteDBInstance #")
		expect(t, srv, "mandible-prod", 4, "but by DescribeDBInstances")
	})

	t.Run("failed snapshot", func(t *testing.T) {
		srv, rc, _ := start(t, Options{})
		srv.FailSnapshot("guard-f")
		snapshot(t, rc, "guard-f")
		srv.Advance(total + time.Hour)
		describe(t, rc, "guard-f")
		if _, err := rc.ModifyDBInstance(ctx, modify); err != nil {
			t.Fatal(err)
		}
		expect(t, srv, "mandible-prod", 1, "guard-f, which has not become available")
	})

	t.Run("cluster", func(t *testing.T) {
		srv, rc, _ := start(t, Options{})
		if _, err := rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("sso-prod"),
			DBClusterSnapshotIdentifier: aws.String("guard-c")}); err != nil {
			t.Fatal(err)
		}
		srv.Advance(time.Hour)
		if _, err := rc.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: aws.String("guard-c")}); err != nil {
			t.Fatal(err)
		}
		// A member deleted, by its own identifier.
		if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2")}); err != nil {
			t.Fatal(err)
		}
		expect(t, srv, "sso-prod", 1, "")
		expect(t, srv, "mandible-prod", 0, "")
		srv.Advance(time.Hour)
		// An instance snapshot's describe does not guard a cluster.
		snapshot(t, rc, "guard-i")
		srv.Advance(total + time.Hour)
		describe(t, rc, "guard-i")
		if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBClusterIdentifier: aws.String("sso-prod"),
			DBInstanceIdentifier: aws.String("sso-prod-new"), DBInstanceClass: aws.String("db.t4g.medium"), Engine: aws.String("aurora-postgresql")}); err != nil {
			t.Fatal(err)
		}
		expect(t, srv, "sso-prod", 2, "CreateDBInstance #")
		expect(t, srv, "sso-prod", 2, "successful DescribeDBClusterSnapshots")

		// A member created into the cluster is a member: changing it is checked too.
		srv.ResetLog()
		srv.Advance(time.Hour)
		if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-new"),
			DBInstanceClass: aws.String("db.t4g.large"), ApplyImmediately: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		expect(t, srv, "sso-prod", 1, "ModifyDBInstance #1 (sso-prod-new)")
	})
}

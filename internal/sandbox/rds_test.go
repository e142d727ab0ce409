package sandbox

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

func describeOne(t *testing.T, rc *rds.Client, id string) rdstypes.DBInstance {
	t.Helper()
	out, err := rc.DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if err != nil {
		t.Fatalf("DescribeDBInstances(%s): %v", id, err)
	}
	return out.DBInstances[0]
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func eventMessages(t *testing.T, rc *rds.Client, typ rdstypes.SourceType, id string, since time.Time) []string {
	t.Helper()
	out, err := rc.DescribeEvents(context.Background(), &rds.DescribeEventsInput{SourceType: typ, SourceIdentifier: aws.String(id), StartTime: aws.Time(since)})
	if err != nil {
		t.Fatalf("DescribeEvents: %v", err)
	}
	var msgs []string
	for _, e := range out.Events {
		msgs = append(msgs, aws.ToString(e.Message))
	}
	return msgs
}

func TestModifyMultiAZApplyImmediately(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	t0 := srv.Now()
	out, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)})
	if err != nil {
		t.Fatalf("ModifyDBInstance: %v", err)
	}
	in := out.DBInstance
	if aws.ToString(in.DBInstanceStatus) != "modifying" || in.PendingModifiedValues.MultiAZ == nil || *in.PendingModifiedValues.MultiAZ {
		t.Fatalf("after modify: status %q pending %+v", aws.ToString(in.DBInstanceStatus), in.PendingModifiedValues)
	}
	// A second modification while modifying is refused.
	_, err = rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBInstanceClass: aws.String("db.t4g.medium"), ApplyImmediately: aws.Bool(true)})
	var bad *rdstypes.InvalidDBInstanceStateFault
	if !errors.As(err, &bad) {
		t.Fatalf("modify while modifying: %v, want InvalidDBInstanceStateFault", err)
	}
	srv.Advance(DefaultDurations.ConvertSingleAZ - time.Minute)
	if st := aws.ToString(describeOne(t, rc, "mandible-prod").DBInstanceStatus); st != "modifying" {
		t.Fatalf("status before the end = %q, want modifying", st)
	}
	srv.Advance(time.Minute)
	in2 := describeOne(t, rc, "mandible-prod")
	if aws.ToString(in2.DBInstanceStatus) != "available" || aws.ToBool(in2.MultiAZ) || in2.SecondaryAvailabilityZone != nil || in2.PendingModifiedValues.MultiAZ != nil {
		t.Fatalf("after conversion: status %q multiAZ %v secondary %v pending %+v", aws.ToString(in2.DBInstanceStatus),
			aws.ToBool(in2.MultiAZ), in2.SecondaryAvailabilityZone, in2.PendingModifiedValues)
	}
	// Writes get faster without the synchronous standby.
	srv.Advance(2 * time.Hour)
	for _, at := range []time.Time{t0.Add(-time.Hour), srv.Now().Add(-time.Hour)} {
		got, _ := srv.MetricValue("mandible-prod", MetricWriteLatency, at)
		n := srv.st.Nodes["mandible-prod"]
		single := *n
		single.MultiAZ, single.AZChanges = false, nil
		base, _ := single.value(MetricWriteLatency, at.Unix()/60, nil)
		want := base
		if at.Before(t0) {
			want = base * multiAZWriteLatencyFactor
		}
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("WriteLatency at %v = %v, want %v", at, got, want)
		}
	}
	msgs := eventMessages(t, rc, rdstypes.SourceTypeDbInstance, "mandible-prod", t0)
	want := []string{"Applying modification to convert to a standard (Single-AZ) DB instance.", "Finished applying modification to convert to a standard (Single-AZ) DB instance."}
	if !equalStrings(msgs, want) {
		t.Errorf("events = %q, want %q", msgs, want)
	}
	// and back to Multi-AZ
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(true), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(DefaultDurations.ConvertMultiAZ)
	in3 := describeOne(t, rc, "mandible-prod")
	if !aws.ToBool(in3.MultiAZ) || aws.ToString(in3.SecondaryAvailabilityZone) != "us-east-1b" {
		t.Errorf("after re-conversion: multiAZ %v secondary %v", aws.ToBool(in3.MultiAZ), aws.ToString(in3.SecondaryAvailabilityZone))
	}
}

func TestModifyPendingUntilMaintenanceWindow(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	out, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), DBInstanceClass: aws.String("db.t4g.xlarge")})
	if err != nil {
		t.Fatal(err)
	}
	p := out.DBInstance.PendingModifiedValues
	if aws.ToString(out.DBInstance.DBInstanceStatus) != "available" || p.MultiAZ == nil || *p.MultiAZ || aws.ToString(p.DBInstanceClass) != "db.t4g.xlarge" {
		t.Fatalf("status %q pending %+v", aws.ToString(out.DBInstance.DBInstanceStatus), p)
	}
	srv.Advance(24 * time.Hour)
	if in := describeOne(t, rc, "mandible-prod"); !aws.ToBool(in.MultiAZ) || aws.ToString(in.DBInstanceStatus) != "available" {
		t.Fatalf("a day later: multiAZ %v status %q: change must wait for the window", aws.ToBool(in.MultiAZ), aws.ToString(in.DBInstanceStatus))
	}
	// ScenarioEpoch is Monday 12:00; the window is sun:05:00. One more week covers it.
	srv.Advance(7 * 24 * time.Hour)
	in := describeOne(t, rc, "mandible-prod")
	if aws.ToBool(in.MultiAZ) || aws.ToString(in.DBInstanceClass) != "db.t4g.xlarge" || aws.ToString(in.DBInstanceStatus) != "available" {
		t.Fatalf("after window: multiAZ %v class %q status %q", aws.ToBool(in.MultiAZ), aws.ToString(in.DBInstanceClass), aws.ToString(in.DBInstanceStatus))
	}
	// The class change shows in the metrics: the same demand is half the CPU % on 4 vCPU instead of 2.
	for _, at := range []time.Time{ScenarioEpoch.Add(-time.Hour), srv.Now().Add(-time.Hour)} {
		got, ok := srv.MetricValue("mandible-prod", MetricCPUUtilization, at)
		demand, _, _ := srv.st.Nodes["mandible-prod"].cpuDemand(at, at.Unix()/60)
		want := demand
		if at.After(ScenarioEpoch) {
			want = demand / 2
		}
		if !ok || math.Abs(got-want) > 1e-9 {
			t.Errorf("CPU at %v = %.3f, want %.3f", at, got, want)
		}
	}
}

func TestApplyPendingMaintenanceNow(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	srv.ApplyPendingMaintenance("mandible-prod")
	if st, _ := srv.InstanceStatus("mandible-prod"); st != "modifying" {
		t.Fatalf("status %q, want modifying", st)
	}
	srv.Advance(time.Hour)
	if in := describeOne(t, rc, "mandible-prod"); aws.ToBool(in.MultiAZ) {
		t.Fatal("still Multi-AZ")
	}
}

func TestSnapshotLifecycleAndRestore(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	out, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		DBSnapshotIdentifier: aws.String("rs-guard-1"), Tags: []rdstypes.Tag{{Key: aws.String("rightsize"), Value: aws.String("guard")}}})
	if err != nil {
		t.Fatalf("CreateDBSnapshot: %v", err)
	}
	sn := out.DBSnapshot
	if aws.ToString(sn.Status) != "creating" || aws.ToInt32(sn.PercentProgress) != 0 || !aws.ToTime(sn.SnapshotCreateTime).Equal(srv.Now()) {
		t.Fatalf("snapshot: status %q progress %d created %v", aws.ToString(sn.Status), aws.ToInt32(sn.PercentProgress), sn.SnapshotCreateTime)
	}
	if st, _ := srv.InstanceStatus("mandible-prod"); st != "backing-up" {
		t.Errorf("instance status %q during backup, want backing-up", st)
	}
	_, err = rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("rs-guard-1")})
	var exists *rdstypes.DBSnapshotAlreadyExistsFault
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate snapshot: %v, want DBSnapshotAlreadyExistsFault", err)
	}
	total := DefaultDurations.SnapshotBase + 100*DefaultDurations.SnapshotPerGiB // 8 min
	srv.Advance(total / 2)
	d, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("rs-guard-1")})
	if err != nil {
		t.Fatal(err)
	}
	if p := aws.ToInt32(d.DBSnapshots[0].PercentProgress); p != 50 || aws.ToString(d.DBSnapshots[0].Status) != "creating" {
		t.Fatalf("half way: progress %d status %q", p, aws.ToString(d.DBSnapshots[0].Status))
	}
	// restoring from a snapshot that is not available fails
	_, err = rc.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("restored"), DBSnapshotIdentifier: aws.String("rs-guard-1")})
	var badSnap *rdstypes.InvalidDBSnapshotStateFault
	if !errors.As(err, &badSnap) {
		t.Fatalf("restore from creating snapshot: %v", err)
	}
	srv.Advance(total / 2)
	d, err = rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("mandible-prod")})
	if err != nil {
		t.Fatal(err)
	}
	s := d.DBSnapshots[0]
	if aws.ToString(s.Status) != "available" || aws.ToInt32(s.PercentProgress) != 100 || aws.ToString(s.DBSnapshotArn) != "arn:aws:rds:us-east-1:123456789012:snapshot:rs-guard-1" ||
		len(s.TagList) != 1 || aws.ToInt32(s.AllocatedStorage) != 100 || aws.ToString(s.SnapshotType) != "manual" {
		t.Fatalf("done: %+v", s)
	}
	r, err := rc.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("restored"),
		DBSnapshotIdentifier: aws.String("rs-guard-1"), MultiAZ: aws.Bool(false)})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if aws.ToString(r.DBInstance.DBInstanceStatus) != "creating" || aws.ToString(r.DBInstance.DBInstanceClass) != "db.t4g.large" {
		t.Fatalf("restored: %q %q", aws.ToString(r.DBInstance.DBInstanceStatus), aws.ToString(r.DBInstance.DBInstanceClass))
	}
	srv.Advance(DefaultDurations.Restore)
	// Automated backups on (the source's 7 days): RDS's baseline backup follows the restore.
	if st, _ := srv.InstanceStatus("restored"); st != "backing-up" {
		t.Fatalf("restored status %q, want backing-up (the baseline backup)", st)
	}
	srv.Advance(DefaultDurations.RestoreBackup)
	if st, _ := srv.InstanceStatus("restored"); st != "available" {
		t.Fatalf("restored status %q after the baseline backup", st)
	}
	// Without automated backups there is no baseline backup.
	if _, err := rc.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("restored-nobackup"),
		DBSnapshotIdentifier: aws.String("rs-guard-1"), BackupRetentionPeriod: aws.Int32(0)}); err != nil {
		t.Fatalf("restore without backups: %v", err)
	}
	srv.Advance(DefaultDurations.Restore)
	if d, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("restored-nobackup")}); err != nil ||
		aws.ToString(d.DBInstances[0].DBInstanceStatus) != "available" || aws.ToInt32(d.DBInstances[0].BackupRetentionPeriod) != 0 {
		t.Fatalf("restored without backups: %+v, %v; want available, retention 0", d, err)
	}
	if _, err := rc.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("restored-bad"),
		DBSnapshotIdentifier: aws.String("rs-guard-1"), BackupRetentionPeriod: aws.Int32(36)}); apiCode(err) != "InvalidParameterValue" {
		t.Errorf("BackupRetentionPeriod 36: %v, want InvalidParameterValue", err)
	}
	// deleting
	if _, err := rc.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("rs-guard-1")}); err != nil {
		t.Fatal(err)
	}
	_, err = rc.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("rs-guard-1")})
	var nf *rdstypes.DBSnapshotNotFoundFault
	if !errors.As(err, &nf) {
		t.Fatalf("second delete: %v, want DBSnapshotNotFoundFault", err)
	}
	_, err = rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("rs-guard-1")})
	if !errors.As(err, &nf) {
		t.Fatalf("describe deleted: %v, want DBSnapshotNotFoundFault", err)
	}
}

func TestClusterSnapshotFailedAndErrors(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	srv.FailSnapshot("rs-guard-sso")
	if _, err := rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("sso-prod"), DBClusterSnapshotIdentifier: aws.String("rs-guard-sso")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	out, err := rc.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: aws.String("rs-guard-sso")})
	if err != nil {
		t.Fatal(err)
	}
	if st := aws.ToString(out.DBClusterSnapshots[0].Status); st != "failed" {
		t.Fatalf("status %q, want failed", st)
	}
	if p := aws.ToInt32(out.DBClusterSnapshots[0].PercentProgress); p >= 100 {
		t.Errorf("failed snapshot progress %d", p)
	}
	// a second snapshot of the same cluster succeeds
	if _, err := rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("sso-prod"), DBClusterSnapshotIdentifier: aws.String("rs-guard-sso-2")}); err != nil {
		t.Fatal(err)
	}
	_, err = rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("sso-prod"), DBClusterSnapshotIdentifier: aws.String("rs-guard-sso-2")})
	var ex *rdstypes.DBClusterSnapshotAlreadyExistsFault
	if !errors.As(err, &ex) {
		t.Fatalf("dup: %v", err)
	}
	_, err = rc.DeleteDBClusterSnapshot(ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String("rs-guard-sso-2")})
	var inv *rdstypes.InvalidDBClusterSnapshotStateFault
	if !errors.As(err, &inv) {
		t.Fatalf("delete creating: %v", err)
	}
	srv.Advance(time.Hour)
	if _, err := rc.DeleteDBClusterSnapshot(ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String("rs-guard-sso-2")}); err != nil {
		t.Fatal(err)
	}
	_, err = rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("nope"), DBClusterSnapshotIdentifier: aws.String("x")})
	var cnf *rdstypes.DBClusterNotFoundFault
	if !errors.As(err, &cnf) {
		t.Fatalf("missing cluster: %v", err)
	}
	_, err = rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("sso-prod-instance-1"), DBSnapshotIdentifier: aws.String("x")})
	var ist *rdstypes.InvalidDBInstanceStateFault
	if !errors.As(err, &ist) {
		t.Fatalf("instance snapshot of aurora member: %v", err)
	}
	_, err = rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-1"), MultiAZ: aws.Bool(true)})
	if apiCode(err) != "InvalidParameterCombination" {
		t.Fatalf("MultiAZ on aurora: %v", err)
	}
	_, err = rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(5)})
	if apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("MaxRecords 5: %v", err)
	}
	_, err = rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")})
	if apiCode(err) != "InvalidParameterCombination" {
		t.Fatalf("delete without final snapshot choice: %v", err)
	}
}

func TestDeleteAuroraReaderAndWriterFlags(t *testing.T) {
	srv, rc, _ := start(t, Options{Scenario: ThreeNodeAurora()})
	ctx := context.Background()
	members := func() map[string]bool {
		out, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("tri-prod")})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, x := range out.DBClusters[0].DBClusterMembers {
			m[aws.ToString(x.DBInstanceIdentifier)] = aws.ToBool(x.IsClusterWriter)
		}
		return m
	}
	if m := members(); len(m) != 3 || !m["tri-prod-instance-1"] {
		t.Fatalf("members %v", m)
	}
	out, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("tri-prod-instance-3")})
	if err != nil {
		t.Fatal(err)
	}
	// A cluster member shows delete-precheck first (RDS checks that replicas are safe to
	// delete), then deleting; deleting it again is refused either way.
	if st := aws.ToString(out.DBInstance.DBInstanceStatus); st != "delete-precheck" {
		t.Fatalf("status %q", st)
	}
	var bad *rdstypes.InvalidDBInstanceStateFault
	if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("tri-prod-instance-3")}); !errors.As(err, &bad) {
		t.Fatalf("deleting a member in delete-precheck again: %v", err)
	}
	srv.Advance(DefaultDurations.DeletePrecheck)
	if st := aws.ToString(describeOne(t, rc, "tri-prod-instance-3").DBInstanceStatus); st != "deleting" {
		t.Fatalf("status after the precheck %q", st)
	}
	if m := members(); len(m) != 3 {
		t.Fatalf("member removed before deletion finished: %v", m)
	}
	srv.Advance(DefaultDurations.DeleteInstance)
	if m := members(); len(m) != 2 || !m["tri-prod-instance-1"] || m["tri-prod-instance-2"] {
		t.Fatalf("after reader deletion: %v", m)
	}
	_, err = rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("tri-prod-instance-3")})
	var nf *rdstypes.DBInstanceNotFoundFault
	if !errors.As(err, &nf) {
		t.Fatalf("deleted instance: %v", err)
	}
	// deleting the writer fails over to the remaining reader
	if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("tri-prod-instance-1")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(DefaultDurations.DeletePrecheck + DefaultDurations.DeleteInstance)
	if m := members(); len(m) != 1 || !m["tri-prod-instance-2"] {
		t.Fatalf("after writer deletion: %v", m)
	}
}

func TestReaderDeletionMovesLoadToWriter(t *testing.T) {
	srv, rc, _ := start(t, Options{Scenario: Busy()})
	ctx := context.Background()
	at := ScenarioEpoch.Add(-23 * time.Hour) // 13:00 UTC, the busy peak
	before, _ := srv.MetricValue("busy-prod-instance-1", MetricCPUUtilization, at)
	if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("busy-prod-instance-2")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(DefaultDurations.DeleteInstance + 24*time.Hour + time.Hour)
	after, ok := srv.MetricValue("busy-prod-instance-1", MetricCPUUtilization, at.Add(48*time.Hour))
	if !ok || after < before+20 {
		t.Fatalf("writer CPU at peak: before %.1f, after reader deletion %.1f; want the reader's load added", before, after)
	}
}

func TestCreateClusterAndInstances(t *testing.T) {
	srv, rc, _ := start(t, Options{ScenarioName: "empty"})
	ctx := context.Background()
	c, err := rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("new-c"), Engine: aws.String("aurora-postgresql"),
		MasterUsername: aws.String("admin"), ServerlessV2ScalingConfiguration: &rdstypes.ServerlessV2ScalingConfiguration{MinCapacity: aws.Float64(0.5), MaxCapacity: aws.Float64(4)}})
	if err != nil {
		t.Fatal(err)
	}
	if st := aws.ToString(c.DBCluster.Status); st != "creating" {
		t.Fatalf("cluster status %q", st)
	}
	_, err = rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("new-c"), DBClusterSnapshotIdentifier: aws.String("too-early")})
	var cst *rdstypes.InvalidDBClusterStateFault
	if !errors.As(err, &cst) {
		t.Fatalf("snapshot of a creating cluster: %v, want InvalidDBClusterStateFault", err)
	}
	for i, class := range []string{"db.serverless", "db.r6g.large"} {
		_, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(fmt.Sprintf("new-c-%d", i+1)),
			DBClusterIdentifier: aws.String("new-c"), Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String(class)})
		if err != nil {
			t.Fatalf("CreateDBInstance %d: %v", i, err)
		}
	}
	_, err = rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("new-c-1"), DBClusterIdentifier: aws.String("new-c"), Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large")})
	var ae *rdstypes.DBInstanceAlreadyExistsFault
	if !errors.As(err, &ae) {
		t.Fatalf("duplicate: %v", err)
	}
	_, err = rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("x"), DBClusterIdentifier: aws.String("missing"), Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large")})
	var cnf *rdstypes.DBClusterNotFoundFault
	if !errors.As(err, &cnf) {
		t.Fatalf("missing cluster: %v", err)
	}
	srv.Advance(DefaultDurations.CreateAuroraInstance)
	out, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	cl := out.DBClusters[0]
	if aws.ToString(cl.Status) != "available" || len(cl.DBClusterMembers) != 2 || !aws.ToBool(cl.DBClusterMembers[0].IsClusterWriter) || aws.ToBool(cl.DBClusterMembers[1].IsClusterWriter) ||
		cl.ServerlessV2ScalingConfiguration == nil || aws.ToFloat64(cl.ServerlessV2ScalingConfiguration.MaxCapacity) != 4 {
		t.Fatalf("cluster: %+v", cl)
	}
	for _, id := range []string{"new-c-1", "new-c-2"} {
		if st, _ := srv.InstanceStatus(id); st != "available" {
			t.Errorf("%s status %q", id, st)
		}
	}
	// standalone Multi-AZ
	in, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("solo"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.m6g.large"), AllocatedStorage: aws.Int32(50), MultiAZ: aws.Bool(true), MasterUsername: aws.String("pg")})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(in.DBInstance.MultiAZ) || in.DBInstance.Endpoint != nil {
		t.Errorf("creating instance: multiAZ %v endpoint %v", aws.ToBool(in.DBInstance.MultiAZ), in.DBInstance.Endpoint)
	}
}

func TestTags(t *testing.T) {
	_, rc, _ := start(t, Options{})
	ctx := context.Background()
	arn := "arn:aws:rds:us-east-1:123456789012:db:mandible-prod"
	for _, v := range []string{"a", "b"} {
		if _, err := rc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn),
			Tags: []rdstypes.Tag{{Key: aws.String("rightsize:state"), Value: aws.String(v)}, {Key: aws.String("k-" + v), Value: aws.String("")}}}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := rc.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range out.TagList {
		got = append(got, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	// The demo scenario's own tags first, then the added ones in order.
	if want := []string{"environment=production", "service=chat", "rightsize:state=b", "k-a=", "k-b="}; !equalStrings(got, want) {
		t.Errorf("tags %v, want %v", got, want)
	}
	if in := describeOne(t, rc, "mandible-prod"); len(in.TagList) != 5 {
		t.Errorf("TagList in DescribeDBInstances: %d", len(in.TagList))
	}
	_, err = rc.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String("arn:aws:rds:us-east-1:123456789012:db:nope")})
	var nf *rdstypes.DBInstanceNotFoundFault
	if !errors.As(err, &nf) {
		t.Fatalf("missing: %v", err)
	}
}

// Tags RDS would refuse are refused as RDS does (InvalidParameterValue), on every call that takes
// them, and change nothing.
func TestTagsRDSRefuses(t *testing.T) {
	_, rc, _ := start(t, Options{})
	ctx := context.Background()
	arn := "arn:aws:rds:us-east-1:123456789012:db:mandible-prod"
	for _, tg := range []rdstypes.Tag{
		{Key: aws.String("rightsize:failure"), Value: aws.String(`table "public"."messages": 3 rows fewer`)},
		{Key: aws.String("why?"), Value: aws.String("x")},
		{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))},
		{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")},
		{Key: aws.String(""), Value: aws.String("v")},
		{Key: aws.String("aws:owner"), Value: aws.String("v")},
		{Key: aws.String("k"), Value: aws.String("RDS:x")},
	} {
		_, err := rc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: []rdstypes.Tag{tg}})
		if apiCode(err) != "InvalidParameterValue" {
			t.Errorf("AddTagsToResource %q = %q: %v, want InvalidParameterValue", aws.ToString(tg.Key), aws.ToString(tg.Value), err)
		}
		_, err = rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"),
			DBSnapshotIdentifier: aws.String("tagged"), Tags: []rdstypes.Tag{tg}})
		if apiCode(err) != "InvalidParameterValue" {
			t.Errorf("CreateDBSnapshot with tag %q = %q: %v, want InvalidParameterValue", aws.ToString(tg.Key), aws.ToString(tg.Value), err)
		}
	}
	if in := describeOne(t, rc, "mandible-prod"); len(in.TagList) != 2 {
		t.Errorf("refused tags were added: %d tags", len(in.TagList))
	}
	// What RDS allows: letters and digits of any script, white space, _ . : / = + - @, an empty
	// value, and 256 characters (not bytes) of value.
	ok := []rdstypes.Tag{
		{Key: aws.String("rightsize:failure"), Value: aws.String("validation failed: table public.messages: 3 rows fewer = 997 / 1000 @ 12:00 +0")},
		{Key: aws.String("Größe"), Value: aws.String(strings.Repeat("é", 256))},
		{Key: aws.String("empty"), Value: aws.String("")},
	}
	if _, err := rc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: ok}); err != nil {
		t.Fatal(err)
	}
}

func TestPagingFleet(t *testing.T) {
	_, rc, _ := start(t, Options{Scenario: Fleet(120)})
	ctx := context.Background()
	p := rds.NewDescribeDBInstancesPaginator(rc, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(20)})
	seen := map[string]bool{}
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.DBInstances) > 20 {
			t.Fatalf("page of %d", len(out.DBInstances))
		}
		for _, in := range out.DBInstances {
			id := aws.ToString(in.DBInstanceIdentifier)
			if seen[id] {
				t.Fatalf("%s twice", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != 120 || pages != 6 {
		t.Fatalf("saw %d instances in %d pages, want 120 in 6", len(seen), pages)
	}
	out, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []rdstypes.Filter{{Name: aws.String("db-cluster-id"), Values: []string{"fleet-c000"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.DBInstances) != 2 {
		t.Fatalf("filter db-cluster-id: %d", len(out.DBInstances))
	}
	cp := rds.NewDescribeDBClustersPaginator(rc, &rds.DescribeDBClustersInput{MaxRecords: aws.Int32(20)})
	n := 0
	for cp.HasMorePages() {
		out, err := cp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.DBClusters)
	}
	if n == 0 || n*2 > 120 {
		t.Fatalf("clusters %d", n)
	}
	_, err = rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []rdstypes.Filter{{Name: aws.String("bogus"), Values: []string{"x"}}}})
	if apiCode(err) != "InvalidParameterValue" || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("bogus filter: %v", err)
	}
}

func TestAuroraMemberClassChangeAndFinalSnapshot(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	out, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2"), DBInstanceClass: aws.String("db.r6g.large"), ApplyImmediately: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.DBInstance.PendingModifiedValues.DBInstanceClass) != "db.r6g.large" || aws.ToString(out.DBInstance.DBInstanceClass) != "db.t4g.medium" {
		t.Fatalf("during modify: class %q pending %q", aws.ToString(out.DBInstance.DBInstanceClass), aws.ToString(out.DBInstance.PendingModifiedValues.DBInstanceClass))
	}
	srv.Advance(DefaultDurations.ModifyClass)
	if in := describeOne(t, rc, "sso-prod-instance-2"); aws.ToString(in.DBInstanceClass) != "db.r6g.large" || in.PendingModifiedValues.DBInstanceClass != nil {
		t.Fatalf("after: %q pending %v", aws.ToString(in.DBInstanceClass), in.PendingModifiedValues.DBInstanceClass)
	}
	// standalone delete with a final snapshot
	if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), FinalDBSnapshotIdentifier: aws.String("mandible-final")}); err != nil {
		t.Fatal(err)
	}
	_, err = rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), SkipFinalSnapshot: aws.Bool(true)})
	var st *rdstypes.InvalidDBInstanceStateFault
	if !errors.As(err, &st) {
		t.Fatalf("second delete: %v", err)
	}
	srv.Advance(DefaultDurations.DeleteInstance)
	sn, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("mandible-final")})
	if err != nil || aws.ToString(sn.DBSnapshots[0].Status) != "available" || aws.ToString(sn.DBSnapshots[0].DBInstanceIdentifier) != "mandible-prod" {
		t.Fatalf("final snapshot: %v %+v", err, sn)
	}
	// metrics stop at the deletion
	srv.Advance(time.Hour)
	if _, ok := srv.MetricValue("mandible-prod", MetricCPUUtilization, srv.Now().Add(-time.Minute)); ok {
		t.Error("metrics after deletion")
	}
	if _, ok := srv.MetricValue("mandible-prod", MetricCPUUtilization, ScenarioEpoch.Add(-time.Hour)); !ok {
		t.Error("history lost after deletion")
	}
}

func TestEventsFilteringAndPaging(t *testing.T) {
	srv, rc, _ := start(t, Options{Scenario: Fleet(40)})
	ctx := context.Background()
	t0 := srv.Now()
	out, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []rdstypes.Filter{{Name: aws.String("engine"), Values: []string{"postgres"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range out.DBInstances {
		if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: in.DBInstanceIdentifier, MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	srv.Advance(time.Hour)
	p := rds.NewDescribeEventsPaginator(rc, &rds.DescribeEventsInput{StartTime: aws.Time(t0), SourceType: rdstypes.SourceTypeDbInstance,
		EventCategories: []string{"configuration change"}, MaxRecords: aws.Int32(20)})
	n := 0
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(pg.Events)
	}
	if n != 2*len(out.DBInstances) || n == 0 {
		t.Errorf("%d configuration-change events for %d conversions", n, len(out.DBInstances))
	}
	// The default window is the last hour: the "Applying" events are older now.
	all, err := rc.DescribeEvents(ctx, &rds.DescribeEventsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all.Events {
		if aws.ToTime(e.Date).Before(srv.Now().Add(-time.Hour)) {
			t.Errorf("event older than an hour in the default window: %v", aws.ToTime(e.Date))
		}
	}
	_, err = rc.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceIdentifier: aws.String("x")})
	if apiCode(err) != "InvalidParameterValue" {
		t.Errorf("SourceIdentifier without SourceType: %v", err)
	}
}

func TestRemoveTags(t *testing.T) {
	_, rc, _ := start(t, Options{})
	ctx := context.Background()
	arn := aws.String("arn:aws:rds:us-east-1:123456789012:cluster:sso-prod")
	if _, err := rc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: arn, Tags: []rdstypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: arn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	out, err := rc.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: arn})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, tg := range out.TagList {
		keys = append(keys, aws.ToString(tg.Key))
	}
	// The demo scenario's two tags stay; of the added ones only b.
	if want := []string{"environment", "service", "b"}; !equalStrings(keys, want) {
		t.Fatalf("tag keys after remove %v, want %v", keys, want)
	}
}

// TestSnapshotIdentifierLengths: RDS accepts a DB snapshot identifier of up to 255 characters and
// a DB cluster snapshot identifier of up to 63 (CreateDBSnapshot, CreateDBClusterSnapshot).
func TestSnapshotIdentifierLengths(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	id := func(n int) *string { return aws.String("s" + strings.Repeat("x", n-1)) }
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: id(255)}); err != nil {
		t.Fatalf("DB snapshot identifier of 255 characters: %v", err)
	}
	srv.Advance(time.Hour)
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: id(256)}); apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("DB snapshot identifier of 256 characters: %v, want InvalidParameterValue", err)
	}
	if _, err := rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("sso-prod"), DBClusterSnapshotIdentifier: id(63)}); err != nil {
		t.Fatalf("DB cluster snapshot identifier of 63 characters: %v", err)
	}
	if _, err := rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("sso-prod"), DBClusterSnapshotIdentifier: id(64)}); apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("DB cluster snapshot identifier of 64 characters: %v, want InvalidParameterValue", err)
	}
}

// TestAuroraClusterSnapshotStorage: an Aurora cluster reports AllocatedStorage 1 (its storage
// size isn't fixed) and its snapshots the volume's size, as real aurora-postgresql ones do.
func TestAuroraClusterSnapshotStorage(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	cl, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sso-prod")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(cl.DBClusters[0].AllocatedStorage); got != 1 {
		t.Errorf("Aurora cluster AllocatedStorage %d, want 1", got)
	}
	if _, err := rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("sso-prod"), DBClusterSnapshotIdentifier: aws.String("vol")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	out, err := rc.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: aws.String("vol")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(out.DBClusterSnapshots[0].AllocatedStorage); got != auroraVolumeGiB {
		t.Errorf("Aurora cluster snapshot AllocatedStorage %d, want the volume's %d", got, auroraVolumeGiB)
	}
}

func TestSnapshotPaging(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	for i := 0; i < 25; i++ {
		if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String(fmt.Sprintf("s-%02d", i))}); err != nil {
			t.Fatal(err)
		}
		if _, err := rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("sso-prod"), DBClusterSnapshotIdentifier: aws.String(fmt.Sprintf("c-%02d", i))}); err != nil {
			t.Fatal(err)
		}
		srv.Advance(DefaultDurations.BackingUp)
	}
	n := 0
	p := rds.NewDescribeDBSnapshotsPaginator(rc, &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("mandible-prod"), MaxRecords: aws.Int32(20)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.DBSnapshots)
	}
	cn := 0
	cp := rds.NewDescribeDBClusterSnapshotsPaginator(rc, &rds.DescribeDBClusterSnapshotsInput{DBClusterIdentifier: aws.String("sso-prod"), MaxRecords: aws.Int32(20)})
	for cp.HasMorePages() {
		out, err := cp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cn += len(out.DBClusterSnapshots)
	}
	if n != 25 || cn != 25 {
		t.Fatalf("paged %d DB snapshots and %d cluster snapshots, want 25 each", n, cn)
	}
	calls := srv.Calls("DescribeDBSnapshots")
	if len(calls) != 2 || calls[1].Params["Marker"] == "" {
		t.Errorf("DescribeDBSnapshots calls %+v", calls)
	}
}

func TestRebootAndClusterFailover(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	out, err := rc.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), ForceFailover: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.DBInstance.DBInstanceStatus) != "rebooting" || aws.ToString(out.DBInstance.AvailabilityZone) != "us-east-1b" || aws.ToString(out.DBInstance.SecondaryAvailabilityZone) != "us-east-1a" {
		t.Fatalf("after failover reboot: %q az %q secondary %q", aws.ToString(out.DBInstance.DBInstanceStatus), aws.ToString(out.DBInstance.AvailabilityZone), aws.ToString(out.DBInstance.SecondaryAvailabilityZone))
	}
	srv.Advance(DefaultDurations.Reboot)
	if st, _ := srv.InstanceStatus("mandible-prod"); st != "available" {
		t.Fatalf("status %q", st)
	}
	_, err = rc.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-1"), ForceFailover: aws.Bool(true)})
	if apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("ForceFailover on Aurora: %v", err)
	}
	c, err := rc.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.DBCluster.DBClusterMembers {
		if aws.ToBool(m.IsClusterWriter) != (aws.ToString(m.DBInstanceIdentifier) == "sso-prod-instance-2") {
			t.Errorf("after failover: %s writer=%v", aws.ToString(m.DBInstanceIdentifier), aws.ToBool(m.IsClusterWriter))
		}
	}
}

func TestSDKWaiters(t *testing.T) {
	srv, rc, _ := start(t, Options{StepPerRDSRequest: time.Minute})
	ctx := context.Background()
	fast := func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 2*time.Millisecond
	}
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	// The SDK waiter succeeds on "available" — the very first poll after the
	// modify still sees "modifying", so it must keep polling.
	if err := rds.NewDBInstanceAvailableWaiter(rc, fast).Wait(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mandible-prod")}, time.Minute); err != nil {
		t.Fatalf("available waiter: %v", err)
	}
	if in := describeOne(t, rc, "mandible-prod"); aws.ToBool(in.MultiAZ) {
		t.Fatal("waiter returned before the conversion finished")
	}
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("w")}); err != nil {
		t.Fatal(err)
	}
	if err := rds.NewDBSnapshotAvailableWaiter(rc, func(o *rds.DBSnapshotAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 2*time.Millisecond
	}).
		Wait(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("w")}, time.Minute); err != nil {
		t.Fatalf("snapshot waiter: %v", err)
	}
	if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2")}); err != nil {
		t.Fatal(err)
	}
	if err := rds.NewDBInstanceDeletedWaiter(rc, func(o *rds.DBInstanceDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 2*time.Millisecond
	}).
		Wait(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2")}, time.Minute); err != nil {
		t.Fatalf("deleted waiter: %v", err)
	}
	if srv.Counts()["DescribeDBInstances"] < 5 {
		t.Errorf("waiters polled only %d times", srv.Counts()["DescribeDBInstances"])
	}
}

// TestSnapshotFilters checks the Describe*Snapshots filters through the SDK:
// identifier filters take ARNs and any case, value filters match exactly,
// an unknown filter name is InvalidParameterValue.
func TestSnapshotFilters(t *testing.T) {
	_, rc, _ := start(t, Options{})
	ctx := context.Background()
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("s-1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("sso-prod"), DBClusterSnapshotIdentifier: aws.String("c-1")}); err != nil {
		t.Fatal(err)
	}
	f := func(name string, vals ...string) []rdstypes.Filter {
		return []rdstypes.Filter{{Name: aws.String(name), Values: vals}}
	}
	for _, c := range []struct {
		filters []rdstypes.Filter
		want    int
	}{
		{f("db-instance-id", "arn:aws:rds:us-east-1:123456789012:db:MANDIBLE-PROD"), 1},
		{f("db-snapshot-id", "S-1"), 1},
		{f("snapshot-type", "manual"), 1},
		{f("snapshot-type", "automated"), 0},
		{f("engine", "postgres"), 1},
		{f("db-instance-id", "sso-prod"), 0},
	} {
		out, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{Filters: c.filters})
		if err != nil {
			t.Fatalf("%s: %v", *c.filters[0].Name, err)
		}
		if len(out.DBSnapshots) != c.want {
			t.Errorf("DB snapshots with %s=%v: %d, want %d", *c.filters[0].Name, c.filters[0].Values, len(out.DBSnapshots), c.want)
		}
	}
	for _, c := range []struct {
		filters []rdstypes.Filter
		want    int
	}{
		{f("db-cluster-id", "arn:aws:rds:us-east-1:123456789012:cluster:SSO-PROD"), 1},
		{f("db-cluster-snapshot-id", "c-1"), 1},
		{f("snapshot-type", "manual"), 1},
		{f("engine", "aurora-postgresql"), 1},
		{f("db-cluster-id", "mandible-prod"), 0},
	} {
		out, err := rc.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{Filters: c.filters})
		if err != nil {
			t.Fatalf("%s: %v", *c.filters[0].Name, err)
		}
		if len(out.DBClusterSnapshots) != c.want {
			t.Errorf("cluster snapshots with %s=%v: %d, want %d", *c.filters[0].Name, c.filters[0].Values, len(out.DBClusterSnapshots), c.want)
		}
	}
	if _, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{Filters: f("db-cluster-id", "x")}); apiCode(err) != "InvalidParameterValue" {
		t.Errorf("unknown DB snapshot filter: %v", err)
	}
	if _, err := rc.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{Filters: f("dbi-resource-id", "x")}); apiCode(err) != "InvalidParameterValue" {
		t.Errorf("unknown cluster snapshot filter: %v", err)
	}
}

// After a storage change RDS shows "storage-optimization" (for hours): usable, taking snapshots
// and any modification but another storage change; then "available".
func TestStorageOptimization(t *testing.T) {
	srv, rc, _ := start(t, Options{Durations: Durations{StorageOptimization: 3 * time.Hour}})
	ctx := context.Background()
	id := aws.String("mandible-prod")
	alloc := aws.ToInt32(describeOne(t, rc, "mandible-prod").AllocatedStorage)
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: id, AllocatedStorage: aws.Int32(alloc + 50), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatalf("ModifyDBInstance storage: %v", err)
	}
	srv.Advance(DefaultDurations.ModifyOther)
	in := describeOne(t, rc, "mandible-prod")
	if aws.ToString(in.DBInstanceStatus) != "storage-optimization" || aws.ToInt32(in.AllocatedStorage) != alloc+50 {
		t.Fatalf("after the storage change: %s %d GiB", aws.ToString(in.DBInstanceStatus), aws.ToInt32(in.AllocatedStorage))
	}
	// Another storage change is refused.
	_, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: id, AllocatedStorage: aws.Int32(alloc + 100), ApplyImmediately: aws.Bool(true)})
	if apiCode(err) != "InvalidParameterCombination" || !strings.Contains(err.Error(), "being optimized") {
		t.Fatalf("storage change while optimizing: %v", err)
	}
	// A snapshot is taken; the instance backs up, then is back in storage-optimization.
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: id, DBSnapshotIdentifier: aws.String("during-opt")}); err != nil {
		t.Fatalf("CreateDBSnapshot while optimizing: %v", err)
	}
	srv.Advance(DefaultDurations.BackingUp)
	if s := aws.ToString(describeOne(t, rc, "mandible-prod").DBInstanceStatus); s != "storage-optimization" {
		t.Fatalf("after the snapshot: %s", s)
	}
	// A Multi-AZ change is accepted and applied, and ends in storage-optimization too.
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: id, MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatalf("Multi-AZ change while optimizing: %v", err)
	}
	if s := aws.ToString(describeOne(t, rc, "mandible-prod").DBInstanceStatus); s != "modifying" {
		t.Fatalf("Multi-AZ change: %s", s)
	}
	srv.Advance(DefaultDurations.ConvertSingleAZ)
	if in := describeOne(t, rc, "mandible-prod"); aws.ToString(in.DBInstanceStatus) != "storage-optimization" || aws.ToBool(in.MultiAZ) {
		t.Fatalf("after the Multi-AZ change: %s multi-AZ %t", aws.ToString(in.DBInstanceStatus), aws.ToBool(in.MultiAZ))
	}
	// The optimization ends after Durations.StorageOptimization; storage can change again.
	srv.Advance(3 * time.Hour)
	if s := aws.ToString(describeOne(t, rc, "mandible-prod").DBInstanceStatus); s != "available" {
		t.Fatalf("after the optimization: %s", s)
	}
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: id, AllocatedStorage: aws.Int32(alloc + 100), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatalf("storage change after the optimization: %v", err)
	}

	// The test hook: storage-optimization now, for a given time.
	srv.Advance(DefaultDurations.ModifyOther + 3*time.Hour)
	if !srv.StorageOptimization("mandible-prod", time.Hour) {
		t.Fatal("StorageOptimization: instance not found")
	}
	if s, _ := srv.InstanceStatus("mandible-prod"); s != "storage-optimization" {
		t.Fatalf("after StorageOptimization: %s", s)
	}
	srv.Advance(time.Hour)
	if s, _ := srv.InstanceStatus("mandible-prod"); s != "available" {
		t.Fatalf("after the hook's hour: %s", s)
	}
}

// TestRecordEvent: an event recorded through the admin method is listed by DescribeEvents with its
// source, categories and time, and filtering by category finds it; an unknown instance records none.
func TestRecordEvent(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	msg := "Amazon RDS has been unable to configure enhanced monitoring on your instance: mandible-prod and this feature has been disabled."
	if !srv.RecordEvent("mandible-prod", msg, "failure") {
		t.Fatal("mandible-prod does not exist")
	}
	if srv.RecordEvent("nope", msg, "failure") {
		t.Error("an event recorded for an unknown instance")
	}
	out, err := rc.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceType: rdstypes.SourceTypeDbInstance, EventCategories: []string{"failure"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 {
		t.Fatalf("%d failure events, want the recorded one: %+v", len(out.Events), out.Events)
	}
	e := out.Events[0]
	if aws.ToString(e.Message) != msg || aws.ToString(e.SourceIdentifier) != "mandible-prod" || e.SourceType != rdstypes.SourceTypeDbInstance ||
		!equalStrings(e.EventCategories, []string{"failure"}) || !aws.ToTime(e.Date).Equal(srv.Now()) ||
		!strings.HasSuffix(aws.ToString(e.SourceArn), ":db:mandible-prod") {
		t.Errorf("event %+v", e)
	}
}

// An operation RDS runs by itself shows its status for its length, refuses modifications and
// snapshots meanwhile, then ends; one is not started on an instance already busy.
func TestSelfOperation(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	id := aws.String("mandible-prod")
	if !srv.SelfOperation("mandible-prod", "storage-config-upgrade", 30*time.Minute) {
		t.Fatal("SelfOperation on an available instance refused")
	}
	if st := aws.ToString(describeOne(t, rc, "mandible-prod").DBInstanceStatus); st != "storage-config-upgrade" {
		t.Fatalf("status %q, want storage-config-upgrade", st)
	}
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: id, MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); apiCode(err) != "InvalidDBInstanceState" {
		t.Errorf("ModifyDBInstance during it: %v, want InvalidDBInstanceState", err)
	}
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: id, DBSnapshotIdentifier: aws.String("during")}); apiCode(err) != "InvalidDBInstanceState" {
		t.Errorf("CreateDBSnapshot during it: %v, want InvalidDBInstanceState", err)
	}
	if srv.SelfOperation("mandible-prod", "maintenance", time.Minute) {
		t.Error("a second operation started on a busy instance")
	}
	srv.Advance(30 * time.Minute)
	if st := aws.ToString(describeOne(t, rc, "mandible-prod").DBInstanceStatus); st != "available" {
		t.Fatalf("status %q after it, want available", st)
	}
	if srv.SelfOperation("no-such-db", "maintenance", time.Minute) {
		t.Error("SelfOperation on a missing instance reported true")
	}
}

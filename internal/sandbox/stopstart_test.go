package sandbox

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// cpuDatapoints counts the 1-minute CPUUtilization datapoints GetMetricData returns for DB
// instance id over [from, to).
func cpuDatapoints(t *testing.T, cw *cloudwatch.Client, id string, from, to time.Time) int {
	t.Helper()
	out, err := cw.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(from), EndTime: aws.Time(to),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("cpu"), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String(MetricCPUUtilization),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String(id)}}},
			Period: aws.Int32(60), Stat: aws.String("Average")}}},
	})
	if err != nil {
		t.Fatalf("GetMetricData(%s): %v", id, err)
	}
	return len(out.MetricDataResults[0].Values)
}

// TestStopStartDBInstance: StopDBInstance takes a standalone instance through stopping to stopped,
// it publishes no metrics while stopped, StartDBInstance brings it back through starting, and RDS
// starts one stopped for 7 days by itself.
func TestStopStartDBInstance(t *testing.T) {
	srv, rc, cw := start(t, Options{})
	ctx := context.Background()
	t0 := srv.Now()
	out, err := rc.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")})
	if err != nil {
		t.Fatalf("StopDBInstance: %v", err)
	}
	if st := aws.ToString(out.DBInstance.DBInstanceStatus); st != "stopping" {
		t.Fatalf("status after StopDBInstance = %q, want stopping", st)
	}
	var bad *rdstypes.InvalidDBInstanceStateFault
	if _, err := rc.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")}); !errors.As(err, &bad) {
		t.Errorf("stopping twice: %v, want InvalidDBInstanceStateFault", err)
	}
	srv.Advance(DefaultDurations.Stop)
	if st := aws.ToString(describeOne(t, rc, "mandible-prod").DBInstanceStatus); st != "stopped" {
		t.Fatalf("status = %q, want stopped", st)
	}
	stoppedAt := srv.Now()
	// Nothing changes a stopped instance but starting or deleting it.
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		DBInstanceClass: aws.String("db.t4g.medium"), ApplyImmediately: aws.Bool(true)}); !errors.As(err, &bad) {
		t.Errorf("modifying a stopped instance: %v, want InvalidDBInstanceStateFault", err)
	}
	srv.Advance(2 * 24 * time.Hour)
	if n := cpuDatapoints(t, cw, "mandible-prod", stoppedAt.Add(time.Minute), srv.Now()); n != 0 {
		t.Errorf("%d datapoints while stopped, want none", n)
	}
	if n := cpuDatapoints(t, cw, "mandible-prod", t0.Add(-time.Hour), t0); n != 60 {
		t.Errorf("%d datapoints in the hour before the stop, want 60", n)
	}
	if _, err := rc.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-1")}); apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("StartDBInstance of an Aurora member: %v, want InvalidParameterCombination", err)
	}
	sout, err := rc.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")})
	if err != nil {
		t.Fatalf("StartDBInstance: %v", err)
	}
	if st := aws.ToString(sout.DBInstance.DBInstanceStatus); st != "starting" {
		t.Fatalf("status after StartDBInstance = %q, want starting", st)
	}
	srv.Advance(DefaultDurations.Start)
	started := srv.Now()
	if st := aws.ToString(describeOne(t, rc, "mandible-prod").DBInstanceStatus); st != "available" {
		t.Fatalf("status = %q, want available", st)
	}
	srv.Advance(time.Hour)
	if n := cpuDatapoints(t, cw, "mandible-prod", started, started.Add(time.Hour)); n != 60 {
		t.Errorf("%d datapoints in the hour after the start, want 60", n)
	}
	msgs := eventMessages(t, rc, rdstypes.SourceTypeDbInstance, "mandible-prod", t0)
	if !slices.Contains(msgs, "DB instance stopped") || !slices.Contains(msgs, "DB instance started") {
		t.Errorf("events %q", msgs)
	}

	// Stopped again, RDS starts it after 7 days.
	if _, err := rc.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(DefaultDurations.Stop + 7*24*time.Hour - time.Minute)
	if st := aws.ToString(describeOne(t, rc, "mandible-prod").DBInstanceStatus); st != "stopped" {
		t.Fatalf("status a minute before 7 days = %q, want stopped", st)
	}
	srv.Advance(time.Minute)
	if st := aws.ToString(describeOne(t, rc, "mandible-prod").DBInstanceStatus); st != "starting" {
		t.Fatalf("status after 7 days = %q, want starting", st)
	}
	msgs = eventMessages(t, rc, rdstypes.SourceTypeDbInstance, "mandible-prod", srv.Now().Add(-time.Hour))
	if !slices.Contains(msgs, "DB instance is being started due to it exceeding the maximum allowed time being stopped.") {
		t.Errorf("events after 7 days %q", msgs)
	}
	srv.Advance(DefaultDurations.Start)
	if st := aws.ToString(describeOne(t, rc, "mandible-prod").DBInstanceStatus); st != "available" {
		t.Fatalf("status = %q, want available", st)
	}
}

// TestStopDBInstance_refusals: an Aurora member is stopped with its cluster, an unknown instance
// is DBInstanceNotFound, a running one cannot be started, and a stopped one can be deleted.
func TestStopDBInstance_refusals(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	if _, err := rc.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2")}); apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("StopDBInstance of an Aurora member: %v, want InvalidParameterCombination", err)
	}
	var nf *rdstypes.DBInstanceNotFoundFault
	if _, err := rc.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("nope")}); !errors.As(err, &nf) {
		t.Errorf("StopDBInstance of an unknown instance: %v", err)
	}
	var bad *rdstypes.InvalidDBInstanceStateFault
	if _, err := rc.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")}); !errors.As(err, &bad) {
		t.Errorf("starting a running instance: %v, want InvalidDBInstanceStateFault", err)
	}
	// With DBSnapshotIdentifier, RDS takes the snapshot, then stops.
	if _, err := rc.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("before-stop")}); err != nil {
		t.Fatal(err)
	}
	sn, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("before-stop")})
	if err != nil || len(sn.DBSnapshots) != 1 {
		t.Fatalf("the snapshot taken before stopping: %v %v", sn, err)
	}
	srv.Advance(time.Hour)
	if st := aws.ToString(describeOne(t, rc, "mandible-prod").DBInstanceStatus); st != "stopped" {
		t.Fatalf("status = %q, want stopped", st)
	}
	if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Errorf("deleting a stopped instance: %v", err)
	}
}

// TestStopStartDBCluster: StopDBCluster stops the Aurora cluster and every member, none publishes
// metrics while stopped, and StartDBCluster starts them all again.
func TestStopStartDBCluster(t *testing.T) {
	srv, rc, cw := start(t, Options{})
	ctx := context.Background()
	t0 := srv.Now()
	out, err := rc.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")})
	if err != nil {
		t.Fatalf("StopDBCluster: %v", err)
	}
	if st := aws.ToString(out.DBCluster.Status); st != "stopping" {
		t.Fatalf("cluster status = %q, want stopping", st)
	}
	if st := aws.ToString(describeOne(t, rc, "sso-prod-instance-2").DBInstanceStatus); st != "stopping" {
		t.Fatalf("member status = %q, want stopping", st)
	}
	srv.Advance(DefaultDurations.Stop)
	cl, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sso-prod")})
	if err != nil || aws.ToString(cl.DBClusters[0].Status) != "stopped" {
		t.Fatalf("cluster after stopping: %v %v", cl, err)
	}
	stoppedAt := srv.Now()
	for _, id := range []string{"sso-prod-instance-1", "sso-prod-instance-2"} {
		if st := aws.ToString(describeOne(t, rc, id).DBInstanceStatus); st != "stopped" {
			t.Errorf("%s status = %q, want stopped", id, st)
		}
	}
	var bad *rdstypes.InvalidDBClusterStateFault
	if _, err := rc.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")}); !errors.As(err, &bad) {
		t.Errorf("stopping a stopped cluster: %v, want InvalidDBClusterStateFault", err)
	}
	srv.Advance(time.Hour)
	for _, id := range []string{"sso-prod-instance-1", "sso-prod-instance-2"} {
		if n := cpuDatapoints(t, cw, id, stoppedAt.Add(time.Minute), srv.Now()); n != 0 {
			t.Errorf("%s: %d datapoints while stopped, want none", id, n)
		}
	}
	if _, err := rc.StartDBCluster(ctx, &rds.StartDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")}); err != nil {
		t.Fatalf("StartDBCluster: %v", err)
	}
	srv.Advance(DefaultDurations.Start)
	cl, err = rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sso-prod")})
	if err != nil || aws.ToString(cl.DBClusters[0].Status) != "available" {
		t.Fatalf("cluster after starting: %v %v", cl, err)
	}
	for _, id := range []string{"sso-prod-instance-1", "sso-prod-instance-2"} {
		if st := aws.ToString(describeOne(t, rc, id).DBInstanceStatus); st != "available" {
			t.Errorf("%s status = %q, want available", id, st)
		}
	}
	msgs := eventMessages(t, rc, rdstypes.SourceTypeDbCluster, "sso-prod", t0)
	if !slices.Contains(msgs, "DB cluster stopped") || !slices.Contains(msgs, "DB cluster started") {
		t.Errorf("cluster events %q", msgs)
	}
}

// TestEngineLifecycleSupport: RDS reports EngineLifecycleSupport on DB instances and clusters of
// the engines with Extended Support, open-source-rds-extended-support by default; an Aurora member
// reports its cluster's. Create and restore take it, and refuse opting out of Extended Support for
// a major version already past its end of standard support.
func TestEngineLifecycleSupport(t *testing.T) {
	sc := Demo()
	sc.Clusters[0].EngineLifecycleSupport = lifecycleExtendedSupportDisabled
	ora := MultiAZInstance("ora", "db.m6g.large", IdleWorkload)
	ora.Engine, ora.EngineVersion = "oracle-ee", "19.0.0.0.ru-2024-04.rur-2024-04.r1"
	sc.Instances = append(sc.Instances, ora)
	srv, rc, _ := start(t, Options{Scenario: sc})
	ctx := context.Background()
	if got := aws.ToString(describeOne(t, rc, "mandible-prod").EngineLifecycleSupport); got != lifecycleExtendedSupport {
		t.Errorf("mandible-prod: %q, want RDS's default %q", got, lifecycleExtendedSupport)
	}
	if got := describeOne(t, rc, "ora").EngineLifecycleSupport; got != nil {
		t.Errorf("an Oracle instance reports EngineLifecycleSupport %q", *got)
	}
	cl, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sso-prod")})
	if err != nil || aws.ToString(cl.DBClusters[0].EngineLifecycleSupport) != lifecycleExtendedSupportDisabled {
		t.Fatalf("sso-prod: %v %v", cl, err)
	}
	if got := aws.ToString(describeOne(t, rc, "sso-prod-instance-2").EngineLifecycleSupport); got != lifecycleExtendedSupportDisabled {
		t.Errorf("an Aurora member reports %q, want its cluster's", got)
	}

	create := func(id, version, life string) error {
		in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t4g.large"),
			Engine: aws.String("postgres"), EngineVersion: aws.String(version), AllocatedStorage: aws.Int32(50), MasterUsername: aws.String("postgres")}
		if life != "" {
			in.EngineLifecycleSupport = aws.String(life)
		}
		_, err := rc.CreateDBInstance(ctx, in)
		return err
	}
	// ScenarioEpoch (2026-11-02) is past PostgreSQL 12's and 13's end of standard support.
	if err := create("old-optout", "12.19", lifecycleExtendedSupportDisabled); apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("PostgreSQL 12 without Extended Support: %v, want InvalidParameterCombination", err)
	}
	if err := create("bad-value", "16.3", "extended"); apiCode(err) != "InvalidParameterValue" {
		t.Errorf("an unknown value: %v, want InvalidParameterValue", err)
	}
	if err := create("new-optout", "16.3", lifecycleExtendedSupportDisabled); err != nil {
		t.Fatalf("PostgreSQL 16 without Extended Support: %v", err)
	}
	if err := create("old-default", "12.19", ""); err != nil {
		t.Fatalf("PostgreSQL 12 with the default: %v", err)
	}
	srv.Advance(DefaultDurations.CreateInstance)
	if got := aws.ToString(describeOne(t, rc, "new-optout").EngineLifecycleSupport); got != lifecycleExtendedSupportDisabled {
		t.Errorf("new-optout: %q", got)
	}
	if got := aws.ToString(describeOne(t, rc, "old-default").EngineLifecycleSupport); got != lifecycleExtendedSupport {
		t.Errorf("old-default: %q", got)
	}
	_, err = rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("aur12"), Engine: aws.String("aurora-postgresql"),
		EngineVersion: aws.String("12.22"), EngineLifecycleSupport: aws.String(lifecycleExtendedSupportDisabled)})
	if apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("Aurora PostgreSQL 12 cluster without Extended Support: %v, want InvalidParameterCombination", err)
	}
	if _, err := rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("aur16"), Engine: aws.String("aurora-postgresql"),
		EngineVersion: aws.String("16.4"), EngineLifecycleSupport: aws.String(lifecycleExtendedSupportDisabled)}); err != nil {
		t.Fatalf("Aurora PostgreSQL 16 cluster without Extended Support: %v", err)
	}
	srv.Advance(DefaultDurations.CreateCluster)
	_, err = rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("aur16-1"), DBClusterIdentifier: aws.String("aur16"),
		DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql"), EngineLifecycleSupport: aws.String(lifecycleExtendedSupport)})
	if apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("EngineLifecycleSupport on an Aurora DB instance: %v, want InvalidParameterCombination", err)
	}
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("old-default"), DBSnapshotIdentifier: aws.String("s12")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	_, err = rc.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("r12"),
		DBSnapshotIdentifier: aws.String("s12"), EngineLifecycleSupport: aws.String(lifecycleExtendedSupportDisabled)})
	if apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("restoring PostgreSQL 12 without Extended Support: %v, want InvalidParameterCombination", err)
	}

	bad := Demo()
	bad.Clusters[0].Members[1].EngineLifecycleSupport = lifecycleExtendedSupport
	if err := bad.Validate(); err == nil {
		t.Error("a scenario with EngineLifecycleSupport on an Aurora member is valid")
	}
	bad = Demo()
	bad.Instances[0].EngineLifecycleSupport = "yes"
	if err := bad.Validate(); err == nil {
		t.Error("a scenario with EngineLifecycleSupport \"yes\" is valid")
	}
}

// RDS refuses to stop a read replica or an instance that has one ("You can't stop a DB instance
// that has a read replica, or that is a read replica"), and Aurora a cluster that is part of a
// blue/green deployment, with the state faults.
func TestStop_refusedShapes(t *testing.T) {
	sc := Demo()
	replica := MultiAZInstance("mandible-replica", "db.t4g.large", DemoMandibleWorkload)
	replica.ReadReplicaOf = "mandible-prod"
	sc.Instances = append(sc.Instances, replica)
	_, rc, _ := start(t, Options{Scenario: sc})
	ctx := context.Background()
	if src := describeOne(t, rc, "mandible-prod"); !slices.Equal(src.ReadReplicaDBInstanceIdentifiers, []string{"mandible-replica"}) ||
		aws.ToString(describeOne(t, rc, "mandible-replica").ReadReplicaSourceDBInstanceIdentifier) != "mandible-prod" {
		t.Errorf("source lists replicas %v", src.ReadReplicaDBInstanceIdentifiers)
	}
	for _, id := range []string{"mandible-replica", "mandible-prod"} {
		_, err := rc.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String(id)})
		if apiCode(err) != "InvalidDBInstanceState" {
			t.Errorf("StopDBInstance(%s): %v, want InvalidDBInstanceState", id, err)
		}
	}

	srv, rcb := startBlueGreen(t, Options{})
	mustCreateBlueGreen(t, rcb, "sso-upgrade", demoARN("cluster", "sso-prod"), func(in *rds.CreateBlueGreenDeploymentInput) {
		in.TargetEngineVersion = aws.String("16.1")
	})
	srv.Advance(2 * time.Hour)
	if _, err := rcb.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")}); apiCode(err) != "InvalidDBClusterStateFault" {
		t.Errorf("StopDBCluster of a blue/green deployment's blue cluster: %v, want InvalidDBClusterStateFault", err)
	}
}

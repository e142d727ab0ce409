package sandbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

// TestRenameInstance: ModifyDBInstance NewDBInstanceIdentifier renames a standalone instance as
// RDS does (USER_RenameInstance: "DB snapshots are retained for a renamed DB instance"): it shows
// "renaming" with the new identifier pending, then has the new identifier, ARN and endpoint and the
// same DbiResourceId. Its snapshots keep the DBInstanceIdentifier they were taken with, so a
// listing by the new identifier misses them and the dbi-resource-id filter finds them, AWS
// Backup's too; one taken after the rename has the new identifier. CloudWatch has its metrics
// under the old identifier until the rename and the new one from then on. Without
// ApplyImmediately the rename waits for the maintenance window; a taken or invalid identifier is
// refused, and an Aurora member's rename is refused as not emulated rather than ignored.
func TestRenameInstance(t *testing.T) {
	srv, rc, cw := start(t, Options{Scenario: withSnapshots(
		SnapshotSpec{ID: "mandible-weekly", Type: "manual", Ago: 3 * 24 * time.Hour},
		SnapshotSpec{ID: "mandible-first-name", Type: "manual", Ago: 9 * 24 * time.Hour, TakenAs: "mandible-2023"},
		SnapshotSpec{ID: "awsbackup:job-0a0b0c", Type: "awsbackup", Ago: 24 * time.Hour},
	)})
	ctx := context.Background()
	describe := func(id string) (types.DBInstance, error) {
		out, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		if err != nil {
			return types.DBInstance{}, err
		}
		return out.DBInstances[0], nil
	}
	before, err := describe("mandible-prod")
	if err != nil {
		t.Fatal(err)
	}
	res := aws.ToString(before.DbiResourceId)
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		return ""
	}
	for _, bad := range []struct{ id, inst, code string }{
		{"sso-prod-instance-1", "mandible-prod", "DBInstanceAlreadyExists"},
		{"mandible--v2", "mandible-prod", "InvalidParameterValue"},
		{"sso-prod-instance-9", "sso-prod-instance-2", "InvalidParameterValue"},
	} {
		_, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(bad.inst),
			NewDBInstanceIdentifier: aws.String(bad.id), ApplyImmediately: aws.Bool(true)})
		if code(err) != bad.code {
			t.Errorf("renaming %s to %s: %v, want %s", bad.inst, bad.id, err, bad.code)
		}
	}

	renamedAt := srv.Now()
	out, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		NewDBInstanceIdentifier: aws.String("Mandible-V2"), ApplyImmediately: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if in := out.DBInstance; aws.ToString(in.DBInstanceIdentifier) != "mandible-prod" || aws.ToString(in.DBInstanceStatus) != "renaming" ||
		in.PendingModifiedValues == nil || aws.ToString(in.PendingModifiedValues.DBInstanceIdentifier) != "mandible-v2" {
		t.Errorf("ModifyDBInstance answered %s, %s, pending %+v; want mandible-prod renaming to mandible-v2",
			aws.ToString(in.DBInstanceIdentifier), aws.ToString(in.DBInstanceStatus), in.PendingModifiedValues)
	}
	srv.Advance(10 * time.Minute)
	if _, err := describe("mandible-prod"); code(err) != "DBInstanceNotFound" {
		t.Errorf("mandible-prod after the rename: %v, want DBInstanceNotFound", err)
	}
	after, err := describe("mandible-v2")
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(after.DbiResourceId) != res || !strings.HasSuffix(aws.ToString(after.DBInstanceArn), ":db:mandible-v2") ||
		after.Endpoint == nil || !strings.HasPrefix(aws.ToString(after.Endpoint.Address), "mandible-v2.") ||
		aws.ToString(after.DBInstanceStatus) != "available" || aws.ToString(after.PendingModifiedValues.DBInstanceIdentifier) != "" {
		t.Errorf("mandible-v2: resource %s, ARN %s, endpoint %+v, %s, pending %+v; want resource %s, the new name's ARN and endpoint, available",
			aws.ToString(after.DbiResourceId), aws.ToString(after.DBInstanceArn), after.Endpoint, aws.ToString(after.DBInstanceStatus), after.PendingModifiedValues, res)
	}

	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-v2"), DBSnapshotIdentifier: aws.String("mandible-renamed")}); err != nil {
		t.Fatal(err)
	}
	list := func(in *rds.DescribeDBSnapshotsInput) map[string]types.DBSnapshot {
		t.Helper()
		out, err := rc.DescribeDBSnapshots(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]types.DBSnapshot{}
		for _, sn := range out.DBSnapshots {
			got[aws.ToString(sn.DBSnapshotIdentifier)] = sn
		}
		return got
	}
	byName := list(&rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("mandible-v2")})
	if len(byName) != 1 || aws.ToString(byName["mandible-renamed"].DBInstanceIdentifier) != "mandible-v2" {
		t.Errorf("by the new identifier: %v, want only mandible-renamed, taken after the rename", keys(byName))
	}
	if got := list(&rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("mandible-prod")}); len(got) != 1 || got["mandible-weekly"].DBSnapshotIdentifier == nil {
		t.Errorf("by the old identifier: %v, want mandible-weekly", keys(got))
	}
	filter := []types.Filter{{Name: aws.String("dbi-resource-id"), Values: []string{res}}}
	byRes := list(&rds.DescribeDBSnapshotsInput{Filters: filter})
	for id, taken := range map[string]string{"mandible-weekly": "mandible-prod", "mandible-first-name": "mandible-2023", "mandible-renamed": "mandible-v2"} {
		if sn, ok := byRes[id]; !ok || aws.ToString(sn.DBInstanceIdentifier) != taken || aws.ToString(sn.DbiResourceId) != res {
			t.Errorf("by resource id: %s (found %t) taken as %s, of %s; want taken as %s, of %s",
				id, ok, aws.ToString(sn.DBInstanceIdentifier), aws.ToString(sn.DbiResourceId), taken, res)
		}
	}
	if len(byRes) != 3 {
		t.Errorf("by resource id: %v, want the instance's three manual snapshots", keys(byRes))
	}
	if got := list(&rds.DescribeDBSnapshotsInput{Filters: filter, SnapshotType: aws.String("awsbackup")}); len(got) != 1 || aws.ToString(got["awsbackup:job-0a0b0c"].DbiResourceId) != res {
		t.Errorf("AWS Backup's by resource id: %v, want awsbackup:job-0a0b0c", keys(got))
	}

	for _, m := range []struct {
		id   string
		at   time.Time
		want bool
	}{
		{"mandible-prod", renamedAt.Add(-time.Hour), true}, {"mandible-v2", renamedAt.Add(-time.Hour), false},
		{"mandible-prod", srv.Now().Add(-time.Minute), false}, {"mandible-v2", srv.Now().Add(-time.Minute), true},
	} {
		if _, ok := srv.MetricValue(m.id, "CPUUtilization", m.at); ok != m.want {
			t.Errorf("CPUUtilization of %s at %v: published %t, want %t", m.id, m.at, ok, m.want)
		}
	}

	// Without ApplyImmediately the rename waits for the maintenance window, as the other changes.
	srv.Advance(time.Hour) // mandible-renamed's backup
	out, err = rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-v2"), NewDBInstanceIdentifier: aws.String("mandible-v3")})
	if err != nil {
		t.Fatal(err)
	}
	if in := out.DBInstance; aws.ToString(in.DBInstanceStatus) != "available" || aws.ToString(in.PendingModifiedValues.DBInstanceIdentifier) != "mandible-v3" {
		t.Errorf("pending rename: %s, pending %+v", aws.ToString(in.DBInstanceStatus), in.PendingModifiedValues)
	}
	if _, err := describe("mandible-v2"); err != nil {
		t.Errorf("mandible-v2 before its maintenance window: %v", err)
	}
	srv.Advance(8 * 24 * time.Hour)
	if in, err := describe("mandible-v3"); err != nil || aws.ToString(in.DbiResourceId) != res {
		t.Errorf("mandible-v3 after its maintenance window: %v", err)
	}

	// Back to a name it had: CloudWatch has its metrics under that name again from then on.
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-v3"),
		NewDBInstanceIdentifier: aws.String("mandible-v2"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	backAt := srv.Now()
	srv.Advance(10 * time.Minute)
	if _, ok := srv.MetricValue("mandible-v2", "CPUUtilization", srv.Now().Add(-time.Minute)); !ok {
		t.Error("CPUUtilization of mandible-v2, renamed back: not published")
	}
	// CloudWatch keeps what was published under the name before ("Metrics and events associated
	// with the name of a DB instance are maintained if you reuse a DB instance name"): the hours
	// it was mandible-v2 the first time, none while it was mandible-v3, and the minutes since.
	if _, ok := srv.MetricValue("mandible-v2", "CPUUtilization", renamedAt.Add(time.Hour)); !ok {
		t.Error("CPUUtilization of mandible-v2 before its rename to mandible-v3: lost when renamed back")
	}
	out2, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(renamedAt.Truncate(time.Hour)), EndTime: aws.Time(srv.Now()),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("cpu"), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(3600), Stat: aws.String("Average"),
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String("mandible-v2")}}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	var first, gap, last int
	for _, ts := range out2.MetricDataResults[0].Timestamps {
		// An hour it was mandible-v3 throughout (a rename's hour has minutes of both names).
		_, fromV3 := srv.MetricValue("mandible-v3", "CPUUtilization", ts)
		_, toV3 := srv.MetricValue("mandible-v3", "CPUUtilization", ts.Add(59*time.Minute))
		asV3 := fromV3 && toV3
		switch {
		case asV3:
			gap++
		case ts.Before(backAt.Add(-time.Hour)):
			first++
		default:
			last++
		}
	}
	if first == 0 || gap != 0 || last == 0 {
		t.Errorf("GetMetricData of mandible-v2: %d hours as mandible-v2 first, %d while mandible-v3, %d since renamed back; want some, none, some", first, gap, last)
	}
	// A new instance given a deleted or renamed instance's identifier keeps its metrics too.
	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.t4g.medium"), AllocatedStorage: aws.Int32(20)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	for _, at := range []time.Time{renamedAt.Add(-time.Hour), srv.Now().Add(-time.Minute)} {
		if _, ok := srv.MetricValue("mandible-prod", "CPUUtilization", at); !ok {
			t.Errorf("CPUUtilization of mandible-prod at %v, created again: not published", at)
		}
	}
}

// TestReusedIdentifierMetrics: an Aurora reader deleted and created again with its identifier (as
// rightsize_db_topology's rollback does) has the earlier reader's metrics kept under the name,
// per instance and in the cluster's READER series, as CloudWatch keeps them.
func TestReusedIdentifierMetrics(t *testing.T) {
	srv, rc, cw := start(t, Options{})
	ctx := context.Background()
	before := srv.Now().Add(-2 * time.Hour)
	if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2"),
		DBClusterIdentifier: aws.String("sso-prod"), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	if _, ok := srv.MetricValue("sso-prod-instance-2", "CPUUtilization", before); !ok {
		t.Error("CPUUtilization of sso-prod-instance-2 before it was deleted: lost when the name was reused")
	}
	out, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(before.Truncate(time.Hour)), EndTime: aws.Time(before.Truncate(time.Hour).Add(time.Hour)),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("cpu"), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(3600), Stat: aws.String("Average"),
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("DBClusterIdentifier"), Value: aws.String("sso-prod")}, {Name: aws.String("Role"), Value: aws.String("READER")}}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.MetricDataResults[0].Values); n != 1 {
		t.Errorf("sso-prod's READER CPUUtilization in the hour before the reader was deleted: %d datapoints, want 1", n)
	}
}

package sandbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	srv, rc, _ := start(t, Options{Scenario: withSnapshots(
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
	srv.Advance(10 * time.Minute)
	if _, ok := srv.MetricValue("mandible-v2", "CPUUtilization", srv.Now().Add(-time.Minute)); !ok {
		t.Error("CPUUtilization of mandible-v2, renamed back: not published")
	}
}

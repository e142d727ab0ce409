package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// withRetention is the demo scenario with mandible-prod's BackupRetentionPeriod set to days.
func withRetention(days int32) *Scenario {
	s := Demo()
	for i := range s.Instances {
		if s.Instances[i].ID == "mandible-prod" {
			s.Instances[i].BackupRetentionPeriod = aws.Int32(days)
		}
	}
	return s
}

// TestBackupRetention: an instance without automated backups reports BackupRetentionPeriod 0 and
// no LatestRestorableTime (no point-in-time restore). Turning them on is a modification like the
// others, pending (PendingModifiedValues.BackupRetentionPeriod) without ApplyImmediately, and
// applied with a "modifying" status with it; one nonzero value to another applies at once.
// RDS's refusals: out of 0–35, an Aurora member (its cluster's setting), 0 on a source of read
// replicas.
func TestBackupRetention(t *testing.T) {
	srv, rc, _ := start(t, Options{Scenario: withRetention(0)})
	ctx := context.Background()
	modify := func(in *rds.ModifyDBInstanceInput) (*rds.ModifyDBInstanceOutput, error) {
		if in.DBInstanceIdentifier == nil {
			in.DBInstanceIdentifier = aws.String("mandible-prod")
		}
		return rc.ModifyDBInstance(ctx, in)
	}
	in := describeOne(t, rc, "mandible-prod")
	if aws.ToInt32(in.BackupRetentionPeriod) != 0 || in.LatestRestorableTime != nil {
		t.Fatalf("backups off: retention %d, latest restorable %v", aws.ToInt32(in.BackupRetentionPeriod), in.LatestRestorableTime)
	}
	if in := describeOne(t, rc, "sso-prod-instance-1"); aws.ToInt32(in.BackupRetentionPeriod) != 1 || in.LatestRestorableTime == nil {
		t.Fatalf("Aurora member: retention %d, latest restorable %v", aws.ToInt32(in.BackupRetentionPeriod), in.LatestRestorableTime)
	}

	out, err := modify(&rds.ModifyDBInstanceInput{BackupRetentionPeriod: aws.Int32(7)})
	if err != nil {
		t.Fatal(err)
	}
	if x := out.DBInstance; aws.ToInt32(x.BackupRetentionPeriod) != 0 || aws.ToInt32(x.PendingModifiedValues.BackupRetentionPeriod) != 7 || aws.ToString(x.DBInstanceStatus) != "available" {
		t.Fatalf("pending: retention %d, pending %v, %s", aws.ToInt32(x.BackupRetentionPeriod), x.PendingModifiedValues.BackupRetentionPeriod, aws.ToString(x.DBInstanceStatus))
	}
	// Naming the current value again cancels the pending one.
	if _, err := modify(&rds.ModifyDBInstanceInput{BackupRetentionPeriod: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	if x := describeOne(t, rc, "mandible-prod"); x.PendingModifiedValues.BackupRetentionPeriod != nil {
		t.Fatalf("after reverting: pending %d", aws.ToInt32(x.PendingModifiedValues.BackupRetentionPeriod))
	}
	out, err = modify(&rds.ModifyDBInstanceInput{BackupRetentionPeriod: aws.Int32(7), ApplyImmediately: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if x := out.DBInstance; aws.ToString(x.DBInstanceStatus) != "modifying" || aws.ToInt32(x.PendingModifiedValues.BackupRetentionPeriod) != 7 {
		t.Fatalf("applying: %s, pending %v", aws.ToString(x.DBInstanceStatus), x.PendingModifiedValues.BackupRetentionPeriod)
	}
	srv.Advance(DefaultDurations.ModifyOther)
	in = describeOne(t, rc, "mandible-prod")
	if aws.ToInt32(in.BackupRetentionPeriod) != 7 || in.LatestRestorableTime == nil || in.PendingModifiedValues.BackupRetentionPeriod != nil || aws.ToString(in.DBInstanceStatus) != "available" {
		t.Fatalf("applied: retention %d, latest restorable %v, pending %v, %s", aws.ToInt32(in.BackupRetentionPeriod), in.LatestRestorableTime,
			in.PendingModifiedValues.BackupRetentionPeriod, aws.ToString(in.DBInstanceStatus))
	}
	out, err = modify(&rds.ModifyDBInstanceInput{BackupRetentionPeriod: aws.Int32(14)})
	if x := out.DBInstance; err != nil || aws.ToInt32(x.BackupRetentionPeriod) != 14 || x.PendingModifiedValues.BackupRetentionPeriod != nil || aws.ToString(x.DBInstanceStatus) != "available" {
		t.Fatalf("7 → 14 days: %v", err)
	}

	for _, c := range []struct {
		name string
		in   *rds.ModifyDBInstanceInput
		code string
	}{
		{"36 days", &rds.ModifyDBInstanceInput{BackupRetentionPeriod: aws.Int32(36)}, "InvalidParameterValue"},
		{"negative", &rds.ModifyDBInstanceInput{BackupRetentionPeriod: aws.Int32(-1)}, "InvalidParameterValue"},
		{"Aurora member", &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-1"), BackupRetentionPeriod: aws.Int32(3)}, "InvalidParameterCombination"},
	} {
		if _, err := modify(c.in); apiCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if in := describeOne(t, rc, "mandible-prod"); aws.ToInt32(in.BackupRetentionPeriod) != 14 || in.PendingModifiedValues.BackupRetentionPeriod != nil {
		t.Errorf("after the refusals: retention %d, pending %v", aws.ToInt32(in.BackupRetentionPeriod), in.PendingModifiedValues.BackupRetentionPeriod)
	}

	_, rc2, _ := start(t, Options{Scenario: withReplica(withRetention(7))})
	if _, err := rc2.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), BackupRetentionPeriod: aws.Int32(0)}); apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("0 on a source of read replicas: %v", err)
	}
	if in := describeOne(t, rc2, "mandible-prod"); aws.ToInt32(in.BackupRetentionPeriod) != 7 || in.PendingModifiedValues.BackupRetentionPeriod != nil {
		t.Errorf("source after the refusal: retention %d, pending %v", aws.ToInt32(in.BackupRetentionPeriod), in.PendingModifiedValues.BackupRetentionPeriod)
	}
}

// withReplica adds mandible-r1, a read replica of mandible-prod, to s.
func withReplica(s *Scenario) *Scenario {
	s.Instances = append(s.Instances, InstanceSpec{ID: "mandible-r1", Class: "db.t4g.large", ReadReplicaOf: "mandible-prod"})
	return s
}

// TestScenarioBackupRetention: Validate takes 0 to 35 days on a standalone instance, and refuses
// other values, one on an Aurora member, and 0 on a source of read replicas.
func TestScenarioBackupRetention(t *testing.T) {
	for _, days := range []int32{0, 1, 35} {
		if err := withRetention(days).Validate(); err != nil {
			t.Errorf("%d days: %v", days, err)
		}
	}
	for _, days := range []int32{-1, 36} {
		if err := withRetention(days).Validate(); err == nil || !strings.Contains(err.Error(), "BackupRetentionPeriod") {
			t.Errorf("%d days: %v", days, err)
		}
	}
	member := Demo()
	for i := range member.Clusters {
		for j := range member.Clusters[i].Members {
			member.Clusters[i].Members[j].BackupRetentionPeriod = aws.Int32(3)
		}
	}
	if err := member.Validate(); err == nil || !strings.Contains(err.Error(), "BackupRetentionPeriod") {
		t.Errorf("Aurora member: %v", err)
	}
	if err := withReplica(withRetention(0)).Validate(); err == nil || !strings.Contains(err.Error(), "not 0 on a source of read replicas") {
		t.Errorf("source of a read replica: %v", err)
	}
}

// TestRDSDateHeader: an RDS answer's Date header is the virtual clock, RDS's own (the one that
// stamps snapshots; an instance without automated backups reports no LatestRestorableTime to tell
// it by), not the real clock net/http would send.
func TestRDSDateHeader(t *testing.T) {
	srv, rc, _ := start(t, Options{Scenario: withRetention(0)})
	for range 2 {
		out, err := rc.DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mandible-prod")})
		if err != nil {
			t.Fatal(err)
		}
		at, ok := awsmiddleware.GetServerTime(out.ResultMetadata)
		if want := srv.Now().Truncate(time.Second); !ok || !at.Equal(want) {
			t.Errorf("Date %v (%t), want the virtual clock's %v", at, ok, want)
		}
		srv.Advance(90 * time.Minute)
	}
}

// TestBackupRetentionSupersedesPending: a retention set after another was left pending replaces
// it, as any modification of a field replaces that field's pending value: with 0 pending (7 days
// today), 14 applies at once (one nonzero value to another) and nothing stays pending, so the
// maintenance window, or the next modification applied immediately, does not turn automated
// backups off after all.
func TestBackupRetentionSupersedesPending(t *testing.T) {
	for _, imm := range []bool{false, true} {
		srv, rc, _ := start(t, Options{Scenario: withRetention(7)})
		ctx := context.Background()
		modify := func(days int32, imm bool) {
			t.Helper()
			if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
				BackupRetentionPeriod: aws.Int32(days), ApplyImmediately: aws.Bool(imm)}); err != nil {
				t.Fatal(err)
			}
		}
		modify(0, false)
		if in := describeOne(t, rc, "mandible-prod"); aws.ToInt32(in.BackupRetentionPeriod) != 7 || in.PendingModifiedValues.BackupRetentionPeriod == nil {
			t.Fatalf("0 set without ApplyImmediately: retention %d, pending %v", aws.ToInt32(in.BackupRetentionPeriod), in.PendingModifiedValues.BackupRetentionPeriod)
		}
		modify(14, imm)
		in := describeOne(t, rc, "mandible-prod")
		if aws.ToInt32(in.BackupRetentionPeriod) != 14 || in.PendingModifiedValues.BackupRetentionPeriod != nil || aws.ToString(in.DBInstanceStatus) != "available" {
			t.Errorf("14 days (ApplyImmediately %t) over a pending 0: retention %d, pending %v, %s", imm, aws.ToInt32(in.BackupRetentionPeriod),
				in.PendingModifiedValues.BackupRetentionPeriod, aws.ToString(in.DBInstanceStatus))
		}
		srv.ApplyPendingMaintenance("mandible-prod")
		srv.Advance(DefaultDurations.ModifyOther)
		if in := describeOne(t, rc, "mandible-prod"); aws.ToInt32(in.BackupRetentionPeriod) != 14 || in.LatestRestorableTime == nil {
			t.Errorf("after the maintenance (ApplyImmediately %t): retention %d, latest restorable %v", imm, aws.ToInt32(in.BackupRetentionPeriod), in.LatestRestorableTime)
		}
	}
}

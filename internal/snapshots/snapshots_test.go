package snapshots

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestLatestByResourceID: an instance's snapshots are found by its DbiResourceId, whatever
// identifier it had when each was taken. chat, renamed to chat-v2 after its snapshots (one of
// them taken under an earlier name still), finds its newest manual one; backed, renamed too, its
// AWS Backup one. The instance now called chat, created after the rename, and the one now called
// ghost, created after the ghost whose snapshot outlived it was deleted, have none: a listing by
// identifier, the fallback when the resource id is not known, takes the other instances'.
func TestLatestByResourceID(t *testing.T) {
	const day = 24 * time.Hour
	off := func(id string, sns ...sandbox.SnapshotSpec) sandbox.InstanceSpec {
		in := sandbox.MultiAZInstance(id, "db.t4g.large", sandbox.IdleWorkload)
		in.BackupRetentionPeriod, in.Snapshots = aws.Int32(0), sns
		return in
	}
	srv, err := sandbox.Start(sandbox.Options{Scenario: &sandbox.Scenario{Name: "renamed", Instances: []sandbox.InstanceSpec{
		off("chat",
			sandbox.SnapshotSpec{ID: "chat-weekly", Type: "manual", Ago: 10 * day},
			sandbox.SnapshotSpec{ID: "chat-first-name", Type: "manual", Ago: 4 * day, TakenAs: "chat-2023"}),
		off("backed",
			sandbox.SnapshotSpec{ID: "backed-manual", Type: "manual", Ago: 9 * day},
			sandbox.SnapshotSpec{ID: "awsbackup:job-0a1b2c", Type: "awsbackup", Ago: 2 * day}),
		off("ghost", sandbox.SnapshotSpec{ID: "ghost-last", Type: "manual", Ago: day}),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	api := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	resource := func(id string) string {
		t.Helper()
		out, err := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.DBInstances[0].DbiResourceId)
	}
	chat, backed := resource("chat"), resource("backed")
	for _, id := range []string{"chat", "backed"} {
		if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(id),
			NewDBInstanceIdentifier: aws.String(id + "-v2"), ApplyImmediately: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := api.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("ghost"), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	for _, id := range []string{"chat", "ghost"} {
		if _, err := api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t4g.large"),
			Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(100), MasterUsername: aws.String("postgres"),
			MasterUserPassword: aws.String("not-a-secret-1"), MultiAZ: aws.Bool(true), BackupRetentionPeriod: aws.Int32(0)}); err != nil {
			t.Fatal(err)
		}
	}
	srv.Advance(time.Hour)
	now := srv.Now()
	for _, c := range []struct {
		id, res string
		want    string // the latest snapshot's ID, "" for none
		typ     string
		ago     time.Duration
	}{
		{"chat-v2", chat, "chat-first-name", "manual", 4*day + 2*time.Hour},
		{"backed-v2", backed, "awsbackup:job-0a1b2c", "awsbackup", 2*day + 2*time.Hour},
		{"chat", resource("chat"), "", "", 0},
		{"ghost", resource("ghost"), "", "", 0},
		// By identifier only: another instance's snapshots, the renamed chat's and the deleted ghost's.
		{"chat", "", "chat-weekly", "manual", 10*day + 2*time.Hour},
		{"ghost", "", "ghost-last", "manual", day + 2*time.Hour},
		{"chat-v2", "", "", "", 0},
	} {
		sn, ok, err := Latest(ctx, api, c.id, c.res)
		if err != nil {
			t.Fatalf("%s (%q): %v", c.id, c.res, err)
		}
		if ok != (c.want != "") || sn.ID != c.want || sn.Type != c.typ || ok && !sn.Time.Equal(now.Add(-c.ago).Truncate(time.Second)) {
			t.Errorf("%s (resource id %q): latest %+v (found %t), want %q, %s, taken %v ago", c.id, c.res, sn, ok, c.want, c.typ, c.ago)
		}
	}
}

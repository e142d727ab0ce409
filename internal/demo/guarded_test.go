package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestCheckGuarded asks a real sandbox over HTTP: nothing changed, a guarded
// change, an unguarded one, and a sandbox that is gone.
func TestCheckGuarded(t *testing.T) {
	srv, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = srv.Close()
		}
	})
	rc := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	s := Summary{Changes: []Change{{Target: "mandible-prod"}, {Target: "sso-prod"}}}

	if _, err := CheckGuarded(srv.URL(), Summary{}); err == nil || !strings.Contains(err.Error(), "no rightsize_db_topology change") {
		t.Errorf("no changes planned: %v", err)
	}
	if _, err := CheckGuarded(srv.URL(), s); err == nil || !strings.Contains(err.Error(), "no changing call was made to mandible-prod, sso-prod") {
		t.Errorf("nothing changed: %v", err)
	}

	// A guarded change: snapshot, available, described, then modified.
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("guard")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	if _, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("guard")}); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	lines, err := CheckGuarded(srv.URL()+"/", s)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "mandible-prod: 1 changing call(s)") || lines[1] != "sso-prod: not changed" {
		t.Fatalf("lines = %q", lines)
	}

	// An unguarded change: the Aurora reader deleted with no describe before it.
	if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckGuarded(srv.URL(), s); err == nil || !strings.Contains(err.Error(), "sso-prod: guard invariant broken: DeleteDBInstance") {
		t.Errorf("unguarded delete: %v", err)
	}

	closed = true
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckGuarded(srv.URL(), s); err == nil || !strings.Contains(err.Error(), "asking the sandbox about mandible-prod") {
		t.Errorf("sandbox gone: %v", err)
	}
}

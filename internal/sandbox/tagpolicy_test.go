package sandbox

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// RequireRequestTags refuses a create call whose request lacks a required tag key (403
// AccessDenied, an explicit deny, nothing created) and takes one that sets them all; keys match
// case-sensitively, other operations are not concerned, and no keys lifts the requirement.
func TestRequireRequestTags(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	srv.RequireRequestTags("CreateDBSnapshot", "CostCenter", "Owner")
	snap := func(id string, tags ...rdstypes.Tag) error {
		_, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String(id), Tags: tags})
		return err
	}
	tag := func(k, v string) rdstypes.Tag { return rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)} }
	for name, tags := range map[string][]rdstypes.Tag{
		"none":          nil,
		"one of two":    {tag("CostCenter", "chat")},
		"another case":  {tag("costcenter", "chat"), tag("Owner", "dba")},
		"other tags":    {tag("team", "chat")},
		"value omitted": {tag("Owner", "dba")},
	} {
		err := snap("refused-"+strings.ReplaceAll(name, " ", "-"), tags...)
		if apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "explicit deny in a service control policy") {
			t.Errorf("%s: %v, want AccessDenied", name, err)
		}
	}
	out, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("mandible-prod")})
	if err != nil || len(out.DBSnapshots) != 0 {
		t.Fatalf("snapshots after the refusals: %v, %d", err, len(out.DBSnapshots))
	}
	if err := snap("tagged", tag("Owner", "dba"), tag("CostCenter", "chat")); err != nil {
		t.Fatalf("with both tags: %v", err)
	}
	if _, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}); err != nil {
		t.Errorf("another operation: %v", err)
	}
	srv.RequireRequestTags("CreateDBSnapshot")
	srv.Advance(DefaultDurations.SnapshotBase + 1000*DefaultDurations.SnapshotPerGiB) // the instance is backing up
	if err := snap("untagged"); err != nil {
		t.Errorf("requirement lifted: %v", err)
	}
}

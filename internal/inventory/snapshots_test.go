package inventory

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAttachLatestSnapshots: an RDS instance without automated backups gets its latest available
// snapshot, of its manual and AWS Backup ones (a copy dated by its source, failed ones left out),
// or none; instances with automated backups, read replicas and Aurora clusters are not listed. An
// instance's snapshots are its own by DbiResourceId: renamed's, taken under the identifier it had
// before a rename, count. A refused listing is recorded, denied, on the instance it concerns.
func TestAttachLatestSnapshots(t *testing.T) {
	const day = 24 * time.Hour
	off := func(id string, sns ...sandbox.SnapshotSpec) sandbox.InstanceSpec {
		in := sandbox.MultiAZInstance(id, "db.t4g.large", sandbox.IdleWorkload)
		in.BackupRetentionPeriod, in.Snapshots = aws.Int32(0), sns
		return in
	}
	chat := off("chat",
		sandbox.SnapshotSpec{ID: "chat-weekly", Type: "manual", Ago: 10 * day},
		// Copied a day ago, of data 20 days old: older than chat-weekly's.
		sandbox.SnapshotSpec{ID: "chat-copy", Type: "manual", Ago: 20 * day, CopiedAgo: day},
		sandbox.SnapshotSpec{ID: "chat-broken", Type: "manual", Ago: time.Hour, Failed: true},
		// Listed last (RDS's order is not by time): the oldest.
		sandbox.SnapshotSpec{ID: "chat-zz-first", Type: "manual", Ago: 30 * day})
	backed := off("backed",
		sandbox.SnapshotSpec{ID: "backed-manual", Type: "manual", Ago: 9 * day},
		sandbox.SnapshotSpec{ID: "awsbackup:job-0a1b2c", Type: "awsbackup", Ago: 2 * day})
	bare := off("bare")
	// Taken before renamed was renamed: RDS keeps the old DBInstanceIdentifier on the snapshot.
	renamed := off("renamed", sandbox.SnapshotSpec{ID: "renamed-nightly", Type: "manual", Ago: 3 * day, TakenAs: "renamed-old"})
	kept := sandbox.MultiAZInstance("kept", "db.t4g.large", sandbox.IdleWorkload) // automated backups: 7 days
	kept.Snapshots = []sandbox.SnapshotSpec{{ID: "kept-1", Type: "manual", Ago: day}}
	replica := sandbox.MultiAZInstance("kept-r1", "db.t4g.large", sandbox.IdleWorkload)
	replica.ReadReplicaOf, replica.BackupRetentionPeriod = "kept", aws.Int32(0)
	srv, err := sandbox.Start(sandbox.Options{Scenario: &sandbox.Scenario{Name: "snapshots",
		Instances: []sandbox.InstanceSpec{chat, backed, bare, renamed, kept, replica},
		Clusters:  []sandbox.ClusterSpec{sandbox.AuroraPair("sso", "db.t4g.medium", sandbox.IdleWorkload, sandbox.IdleWorkload)}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	api := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	now := srv.Now()
	var cs []Cluster
	for _, id := range []string{"chat", "backed", "bare", "renamed", "kept", "kept-r1", "sso"} {
		inst, cluster := id, ""
		if id == "sso" {
			inst, cluster = "", id
		}
		c, err := Discover(ctx, api, inst, cluster)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	AttachLatestSnapshots(ctx, api, cs)
	want := map[string]struct {
		listed bool
		id     string
		typ    string
		ago    time.Duration
	}{
		"chat":    {true, "chat-weekly", "manual", 10 * day},
		"backed":  {true, "awsbackup:job-0a1b2c", "awsbackup", 2 * day},
		"bare":    {true, "", "", 0},
		"renamed": {true, "renamed-nightly", "manual", 3 * day},
	}
	for _, c := range cs {
		w := want[c.Identifier]
		sn := c.LatestSnapshot
		if c.SnapshotsListed != w.listed || sn.ID != w.id || sn.Type != w.typ || c.SnapshotsUnread != "" ||
			w.id != "" && !sn.Time.Equal(now.Add(-w.ago).Truncate(time.Second)) {
			t.Errorf("%s: listed %v, latest %+v (unread %q); want listed %v, %s %s taken %v ago",
				c.Identifier, c.SnapshotsListed, sn, c.SnapshotsUnread, w.listed, w.typ, w.id, w.ago)
		}
	}

	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBSnapshots", Sequence: []sandbox.Fault{
		{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBSnapshots"}}})
	AttachLatestSnapshots(ctx, api, cs[:2])
	if c := cs[0]; c.SnapshotsListed || c.LatestSnapshot.ID != "" || !c.SnapshotsDenied || !strings.Contains(c.SnapshotsUnread, "rds:DescribeDBSnapshots") {
		t.Errorf("chat denied: listed %v, latest %+v, denied %v, unread %q", c.SnapshotsListed, c.LatestSnapshot, c.SnapshotsDenied, c.SnapshotsUnread)
	}
	if c := cs[1]; !c.SnapshotsListed || c.LatestSnapshot.ID != "awsbackup:job-0a1b2c" {
		t.Errorf("backed, after the one refusal: listed %v, latest %+v (unread %q)", c.SnapshotsListed, c.LatestSnapshot, c.SnapshotsUnread)
	}
}

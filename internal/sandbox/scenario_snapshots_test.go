package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// withSnapshots is withRetention(0) with mandible-prod's snapshots set to sns.
func withSnapshots(sns ...SnapshotSpec) *Scenario {
	s := withRetention(0)
	for i := range s.Instances {
		if s.Instances[i].ID == "mandible-prod" {
			s.Instances[i].Snapshots = sns
		}
	}
	return s
}

// TestScenarioSnapshots: a scenario's snapshots of an instance are listed as RDS lists them:
// without a SnapshotType, manual (and automated) ones only; AWS Backup's with SnapshotType
// awsbackup; a copy's OriginalSnapshotCreateTime is its source's, its SnapshotCreateTime the
// copy's; a failed one says so.
func TestScenarioSnapshots(t *testing.T) {
	srv, rc, _ := start(t, Options{Scenario: withSnapshots(
		SnapshotSpec{ID: "mandible-before-upgrade", Type: "manual", Ago: 40 * 24 * time.Hour},
		SnapshotSpec{ID: "mandible-copy", Type: "manual", Ago: 20 * 24 * time.Hour, CopiedAgo: 19 * 24 * time.Hour},
		SnapshotSpec{ID: "mandible-broken", Type: "manual", Ago: time.Hour, Failed: true},
		SnapshotSpec{ID: "awsbackup:job-0f1e2d3c", Type: "awsbackup", Ago: 2 * 24 * time.Hour},
	)})
	ctx := context.Background()
	now := srv.Now()
	list := func(typ string) map[string]*rds.DescribeDBSnapshotsOutput {
		t.Helper()
		in := &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("mandible-prod")}
		if typ != "" {
			in.SnapshotType = aws.String(typ)
		}
		out, err := rc.DescribeDBSnapshots(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*rds.DescribeDBSnapshotsOutput{}
		for _, sn := range out.DBSnapshots {
			got[aws.ToString(sn.DBSnapshotIdentifier)] = out
		}
		return got
	}
	if got := list(""); len(got) != 3 || got["awsbackup:job-0f1e2d3c"] != nil {
		t.Errorf("without a SnapshotType: %v, want the three manual snapshots", keys(got))
	}
	if got := list("awsbackup"); len(got) != 1 || got["awsbackup:job-0f1e2d3c"] == nil {
		t.Errorf("awsbackup: %v, want AWS Backup's only", keys(got))
	}
	out, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("mandible-prod"), SnapshotType: aws.String("manual")})
	if err != nil {
		t.Fatal(err)
	}
	for _, sn := range out.DBSnapshots {
		created, orig := aws.ToTime(sn.SnapshotCreateTime), aws.ToTime(sn.OriginalSnapshotCreateTime)
		switch id := aws.ToString(sn.DBSnapshotIdentifier); id {
		case "mandible-before-upgrade":
			if want := now.Add(-40 * 24 * time.Hour).Truncate(time.Second); !created.Equal(want) || !orig.Equal(want) || aws.ToString(sn.Status) != "available" {
				t.Errorf("%s: created %v, original %v, %s; want %v twice, available", id, created, orig, aws.ToString(sn.Status), want)
			}
		case "mandible-copy":
			if !created.Equal(now.Add(-19*24*time.Hour).Truncate(time.Second)) || !orig.Equal(now.Add(-20*24*time.Hour).Truncate(time.Second)) {
				t.Errorf("copy: created %v, original %v; want the copy's time and its source's", created, orig)
			}
		case "mandible-broken":
			if aws.ToString(sn.Status) != "failed" {
				t.Errorf("%s: status %s, want failed", id, aws.ToString(sn.Status))
			}
		default:
			t.Errorf("unexpected manual snapshot %s", id)
		}
	}
	for _, tc := range []struct {
		sn   SnapshotSpec
		want string
	}{
		{SnapshotSpec{ID: "x", Type: "automated", Ago: time.Hour}, "want Type manual or awsbackup"},
		{SnapshotSpec{ID: "1x", Type: "manual", Ago: time.Hour}, "identifier"},
		{SnapshotSpec{ID: "job-1", Type: "awsbackup", Ago: time.Hour}, "awsbackup:job-"},
		{SnapshotSpec{ID: "x", Type: "manual"}, "Ago > 0"},
		{SnapshotSpec{ID: "x", Type: "manual", Ago: time.Hour, CopiedAgo: time.Hour}, "less than Ago"},
	} {
		if err := withSnapshots(tc.sn).Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.sn, err, tc.want)
		}
	}
	member := Demo()
	member.Clusters[0].Members[0].Snapshots = []SnapshotSpec{{ID: "x", Type: "manual", Ago: time.Hour}}
	if err := member.Validate(); err == nil || !strings.Contains(err.Error(), "cluster member") {
		t.Errorf("a cluster member's snapshot: %v", err)
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

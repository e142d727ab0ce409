package rightsizing

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestRecommend_backupsGoingOff: mandible-prod keeps 7 days of automated backups, and a
// BackupRetentionPeriod of 0 is pending (ModifyDBInstance without ApplyImmediately): in its next
// maintenance window, or with the next ModifyDBInstance that applies immediately, which applies
// every pending modification, RDS turns them off, and the single node is left without a
// point-in-time restore. The recommendation read the retention of today alone, and the pending 0
// as "nothing pending": no backup risk. It raises a high one asking to cancel that change. With
// nothing pending, or 14 days pending, there is none.
func TestRecommend_backupsGoingOff(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pending *int32 // the retention set without ApplyImmediately; nil: none
		risk    bool
	}{
		{"0 pending", aws.Int32(0), true},
		{"nothing pending", nil, false},
		{"14 days set", aws.Int32(14), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			d, _ := deps(t, sandbox.Demo(), testNow)
			if tc.pending != nil {
				if _, err := d.RDS.(*rds.Client).ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
					DBInstanceIdentifier: aws.String("mandible-prod"), BackupRetentionPeriod: tc.pending}); err != nil {
					t.Fatal(err)
				}
			}
			res, err := Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 7 * 24 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			var backup []string
			for _, r := range res.Recommendation.Risks {
				if r.Category == "backup" && r.Severity == "high" {
					backup = append(backup, r.Description)
				}
			}
			if !tc.risk {
				if len(backup) != 0 {
					t.Errorf("high backup risks %q, want none", backup)
				}
				return
			}
			if len(backup) != 1 || !strings.Contains(backup[0], "A backup retention period of 0 is pending") ||
				!strings.Contains(backup[0], "cancel it") || strings.Contains(backup[0], "Automated backups are off (backup retention period 0)") {
				t.Errorf("high backup risks %q, want one asking to cancel the pending retention of 0", backup)
			}
		})
	}
}

// TestRecommend_latestSnapshot: mandible-prod keeps no automated backups, so on one node its
// latest snapshot is the recovery point left. The recommendation (RecommendFleet's, as the
// fleet's) names it (here an AWS Backup plan's, newer than the manual one) and its age at the
// window's end; with no snapshot, it says a failed volume loses the database. Listing refused: a warning naming
// rds:DescribeDBSnapshots, and the risk says what it said without a listing.
func TestRecommend_latestSnapshot(t *testing.T) {
	const day = 24 * time.Hour
	scenario := func(sns ...sandbox.SnapshotSpec) *sandbox.Scenario {
		sc := sandbox.Demo()
		for i := range sc.Instances {
			if sc.Instances[i].ID == "mandible-prod" {
				sc.Instances[i].BackupRetentionPeriod, sc.Instances[i].Snapshots = aws.Int32(0), sns
			}
		}
		return sc
	}
	backupRisk := func(t *testing.T, res Result) string {
		t.Helper()
		var got []string
		for _, r := range res.Recommendation.Risks {
			if r.Category == "backup" && r.Severity == "high" {
				got = append(got, r.Description)
			}
		}
		if len(got) != 1 {
			t.Fatalf("high backup risks %q, want one", got)
		}
		return got[0]
	}
	warned := func(res Result) string {
		for _, w := range res.Warnings {
			if w.Title == "Snapshots Not Listed" {
				return w.Text
			}
		}
		return ""
	}
	ctx := context.Background()
	req := Request{InstanceID: "mandible-prod", Lookback: 7 * 24 * time.Hour, End: testNow, SkipReport: true}

	d, srv := deps(t, scenario(
		sandbox.SnapshotSpec{ID: "mandible-weekly", Type: "manual", Ago: 6 * day},
		sandbox.SnapshotSpec{ID: "awsbackup:job-7f00aa", Type: "awsbackup", Ago: 36 * time.Hour}), testNow)
	res, err := Recommend(ctx, d, req)
	if err != nil {
		t.Fatal(err)
	}
	want := "Its latest in this region is AWS Backup snapshot awsbackup:job-7f00aa, taken " + testNow.Add(-36*time.Hour).Format("2006-01-02 15:04") +
		" UTC, 36 hours old when listed (once rightsize_db_topology makes the change, its guard snapshot is the latest)"
	if got := backupRisk(t, res); !strings.Contains(got, want) || warned(res) != "" {
		t.Errorf("backup risk %q (warning %q), want it to say %q", got, warned(res), want)
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBSnapshots", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBSnapshots"}})
	res, err = Recommend(ctx, d, req)
	if err != nil {
		t.Fatal(err)
	}
	if got, w := backupRisk(t, res), warned(res); strings.Contains(got, "Its latest") || !strings.Contains(got, "a manual one or an AWS Backup plan's") ||
		!strings.HasPrefix(w, "mandible-prod: it keeps no automated backups") || !strings.Contains(w, "Allow rds:DescribeDBSnapshots") {
		t.Errorf("listing denied: backup risk %q, warning %q", got, w)
	}

	// A window ending 10 days ago (end_time set): the snapshots are listed now, so the age is
	// reckoned to now, the writes a failure would lose; it was reckoned to the window's end
	// ("2.0 days before the window's end" for one 12 days old), and one taken since had none.
	past := req
	past.End = testNow.Add(-10 * day)
	for _, ago := range []time.Duration{12 * day, 2 * day} {
		d, _ = deps(t, scenario(sandbox.SnapshotSpec{ID: "mandible-weekly", Type: "manual", Ago: ago}), testNow)
		res, err = Recommend(ctx, d, past)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("manual snapshot mandible-weekly, taken %s UTC, %.1f days old when listed (once rightsize_db_topology makes the change", testNow.Add(-ago).Format("2006-01-02 15:04"), ago.Hours()/24)
		if got := backupRisk(t, res); !strings.Contains(got, want) {
			t.Errorf("window ending 10 days ago, snapshot %v old: backup risk %q, want it to say %q", ago, got, want)
		}
	}

	d, _ = deps(t, scenario(), testNow)
	res, err = Recommend(ctx, d, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := backupRisk(t, res); !strings.Contains(got, "The instance has no snapshot in this region (manual or AWS Backup's)") {
		t.Errorf("no snapshot: backup risk %q", got)
	}
}

// TestRecommend_stoppedNoSnapshot: a stopped Single-AZ instance without automated backups or a
// snapshot is told to take one once it is started again, not "now", and to start it before turning
// them on: CreateDBSnapshot (and ModifyDBInstance) refuse a stopped instance (the sandbox, as RDS,
// answers InvalidDBInstanceState).
func TestRecommend_stoppedNoSnapshot(t *testing.T) {
	sc := sandbox.Demo()
	for i := range sc.Instances {
		if sc.Instances[i].ID == "mandible-prod" {
			sc.Instances[i].BackupRetentionPeriod, sc.Instances[i].MultiAZ = aws.Int32(0), false
		}
	}
	d, srv := deps(t, sc, testNow)
	ctx := context.Background()
	rc := rds.NewFromConfig(srv.AWSConfig())
	if _, err := rc.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("now")}); err == nil {
		t.Fatal("CreateDBSnapshot of a stopped instance: no error")
	}
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), BackupRetentionPeriod: aws.Int32(7), ApplyImmediately: aws.Bool(true)}); err == nil {
		t.Fatal("ModifyDBInstance of a stopped instance: no error")
	}
	res, err := Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 7 * 24 * time.Hour, End: testNow, SkipReport: true, AllowSingleNode: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Recommendation.Risks {
		if r.Category == "backup" && r.Severity == "high" {
			got = append(got, r.Description)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "Take one (CreateDBSnapshot) as soon as it is available again") || !strings.Contains(got[0], "It is stopped: start it first (StartDBInstance)") ||
		strings.Contains(got[0], "Take one now") {
		t.Errorf("backup risks %q", got)
	}
	// Started (RDS shows "starting" for minutes): no StartDBInstance to call, only a wait.
	if _, err := rc.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")}); err != nil {
		t.Fatal(err)
	}
	res, err = Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 7 * 24 * time.Hour, End: testNow, SkipReport: true, AllowSingleNode: true})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, r := range res.Recommendation.Risks {
		if r.Category == "backup" && r.Severity == "high" {
			got = append(got, r.Description)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "It is starting: wait until it is available") || strings.Contains(got[0], "StartDBInstance") {
		t.Errorf("backup risks of a starting instance %q", got)
	}
}

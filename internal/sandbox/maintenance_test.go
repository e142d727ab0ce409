package sandbox

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// nov is a time in November 2026 UTC, the month of ScenarioEpoch (Monday 2 November, 12:00).
func nov(day, hour, minute int) time.Time {
	return time.Date(2026, time.November, day, hour, minute, 0, 0, time.UTC)
}

// maintenanceScenario has configured windows and pending maintenance actions:
//   - cluster aurora-a (backup 07:00-07:45, maintenance tue:08:00-tue:08:30) with a db-upgrade
//     auto-applied after 2 days (so in the window of Tuesday 10 November); its writer aurora-a-1
//     has its own window wed:09:00-wed:09:30 and an undated system-update, its reader aurora-a-2
//     the default window;
//   - solo (backup 22:00-23:00, maintenance Sat:23:30-Sun:00:30) with a system-update forced after
//     3 days (Thursday 5 November 12:00) and a ca-certificate-rotation auto-applied after 1 day
//     (so in the window of Saturday 7 November 23:30);
//   - shifted (backup 05:00-05:30: the default maintenance window moves to sun:05:30-sun:06:00);
//   - early (maintenance mon:03:15-mon:04:00: the default backup window moves to 04:00-04:30);
//   - plain (defaults, nothing pending).
func maintenanceScenario() *Scenario {
	return &Scenario{Name: "maintenance", Seed: 9,
		Clusters: []ClusterSpec{{
			ID: "aurora-a", BackupWindow: "07:00-07:45", MaintenanceWindow: "tue:08:00-tue:08:30",
			Members: []InstanceSpec{
				{ID: "aurora-a-1", Class: "db.r6g.large", Workload: IdleWorkload, MaintenanceWindow: "wed:09:00-wed:09:30",
					PendingMaintenance: []PendingActionSpec{{Action: "system-update"}}},
				{ID: "aurora-a-2", Class: "db.r6g.large", Workload: IdleWorkload},
			},
			PendingMaintenance: []PendingActionSpec{{Action: "db-upgrade", Description: "Upgrade to Aurora PostgreSQL 15.8", AutoAppliedAfter: 48 * time.Hour}},
		}},
		Instances: []InstanceSpec{
			{ID: "solo", Class: "db.t4g.large", Engine: "postgres", AllocatedStorage: 50, Workload: IdleWorkload,
				BackupWindow: "22:00-23:00", MaintenanceWindow: "Sat:23:30-Sun:00:30",
				PendingMaintenance: []PendingActionSpec{
					{Action: "system-update", Description: "New Operating System update is available", ForcedApplyIn: 72 * time.Hour},
					{Action: "ca-certificate-rotation", AutoAppliedAfter: 24 * time.Hour},
				}},
			{ID: "shifted", Class: "db.t4g.micro", Workload: IdleWorkload, BackupWindow: "05:00-05:30"},
			{ID: "early", Class: "db.t4g.micro", Workload: IdleWorkload, MaintenanceWindow: "mon:03:15-mon:04:00"},
			{ID: "plain", Class: "db.t4g.micro", Workload: IdleWorkload},
		},
	}
}

// windowsOf is "backup / maintenance" of a DB instance or cluster.
func windowsOf(backup, maint *string) string {
	return aws.ToString(backup) + " / " + aws.ToString(maint)
}

// pendingResources describes every page of in.
func pendingResources(t *testing.T, rc *rds.Client, in *rds.DescribePendingMaintenanceActionsInput) []rdstypes.ResourcePendingMaintenanceActions {
	t.Helper()
	return everyPage(t, rds.NewDescribePendingMaintenanceActionsPaginator(rc, in), func(o *rds.DescribePendingMaintenanceActionsOutput) []rdstypes.ResourcePendingMaintenanceActions {
		return o.PendingMaintenanceActions
	})
}

// resourceIDs are the resources' ARNs without the demo prefix ("db:solo", "cluster:aurora-a").
func resourceIDs(rs []rdstypes.ResourcePendingMaintenanceActions) []string {
	var out []string
	for _, r := range rs {
		out = append(out, strings.TrimPrefix(aws.ToString(r.ResourceIdentifier), demoARNPrefix))
	}
	return out
}

// actionSummary is "action opt-in auto forced current: description" of each detail, "-" for
// what is not set.
func actionSummary(r rdstypes.ResourcePendingMaintenanceActions) []string {
	at := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format("Mon 02 15:04")
	}
	var out []string
	for _, d := range r.PendingMaintenanceActionDetails {
		out = append(out, fmt.Sprintf("%s opt=%s auto=%s forced=%s current=%s: %s", aws.ToString(d.Action), cmp.Or(aws.ToString(d.OptInStatus), "-"),
			at(d.AutoAppliedAfterDate), at(d.ForcedApplyDate), at(d.CurrentApplyDate), aws.ToString(d.Description)))
	}
	return out
}

// pendingOf describes the pending actions of the resource with this ARN (nil: none).
func pendingOf(t *testing.T, rc *rds.Client, arn string) []string {
	t.Helper()
	rs := pendingResources(t, rc, &rds.DescribePendingMaintenanceActionsInput{ResourceIdentifier: aws.String(arn)})
	switch len(rs) {
	case 0:
		return nil
	case 1:
		return actionSummary(rs[0])
	}
	t.Fatalf("%s: %d resources", arn, len(rs))
	return nil
}

func applyAction(ctx context.Context, rc *rds.Client, arn, action, optIn string) (*rds.ApplyPendingMaintenanceActionOutput, error) {
	return rc.ApplyPendingMaintenanceAction(ctx, &rds.ApplyPendingMaintenanceActionInput{ResourceIdentifier: aws.String(arn),
		ApplyAction: aws.String(action), OptInType: aws.String(optIn)})
}

func mustApplyAction(t *testing.T, rc *rds.Client, arn, action, optIn string) rdstypes.ResourcePendingMaintenanceActions {
	t.Helper()
	out, err := applyAction(context.Background(), rc, arn, action, optIn)
	if err != nil {
		t.Fatalf("ApplyPendingMaintenanceAction(%s, %s, %s): %v", arn, action, optIn, err)
	}
	return *out.ResourcePendingMaintenanceActions
}

// The scenario's windows are what DescribeDBInstances and DescribeDBClusters report: a member
// has its own maintenance window and its cluster's backup window; a default that would overlap
// the window given moves out of its way; the demo keeps the old defaults.
func TestMaintenanceWindowsFromScenario(t *testing.T) {
	_, rc := startBlueGreen(t, Options{Scenario: maintenanceScenario()})
	ctx := context.Background()
	out, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, in := range out.DBInstances {
		got[aws.ToString(in.DBInstanceIdentifier)] = windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow)
	}
	want := map[string]string{
		"aurora-a-1": "07:00-07:45 / wed:09:00-wed:09:30",
		"aurora-a-2": "07:00-07:45 / sun:05:00-sun:05:30",
		"solo":       "22:00-23:00 / sat:23:30-sun:00:30",
		"shifted":    "05:00-05:30 / sun:05:30-sun:06:00",
		"early":      "04:00-04:30 / mon:03:15-mon:04:00",
		"plain":      "03:00-03:30 / sun:05:00-sun:05:30",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("instance windows %v, want %v", got, want)
	}
	cl, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("aurora-a")})
	if err != nil {
		t.Fatal(err)
	}
	if got := windowsOf(cl.DBClusters[0].PreferredBackupWindow, cl.DBClusters[0].PreferredMaintenanceWindow); got != "07:00-07:45 / tue:08:00-tue:08:30" {
		t.Errorf("cluster windows %s", got)
	}

	_, demo := startBlueGreen(t, Options{})
	if in := describeOne(t, demo, "mandible-prod"); windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow) != "03:00-03:30 / sun:05:00-sun:05:30" {
		t.Errorf("demo instance windows %s", windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow))
	}
	dc, err := demo.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
	if err != nil || len(dc.DBClusters) != 1 || windowsOf(dc.DBClusters[0].PreferredBackupWindow, dc.DBClusters[0].PreferredMaintenanceWindow) != "03:00-03:30 / sun:05:00-sun:05:30" {
		t.Errorf("demo cluster windows: %v", err)
	}
}

// Validate refuses windows RDS refuses and malformed pending actions, naming the resource, and
// Start refuses such a scenario.
func TestMaintenanceScenarioValidate(t *testing.T) {
	solo := func(f func(*InstanceSpec)) func(*Scenario) { return func(s *Scenario) { f(&s.Instances[0]) } }
	member := func(f func(*InstanceSpec)) func(*Scenario) { return func(s *Scenario) { f(&s.Clusters[0].Members[1]) } }
	cluster := func(f func(*ClusterSpec)) func(*Scenario) { return func(s *Scenario) { f(&s.Clusters[0]) } }
	for _, c := range []struct {
		name   string
		change func(*Scenario)
		want   string // in the error; "" for valid
	}{
		{"valid", func(*Scenario) {}, ""},
		{"windows that touch", solo(func(in *InstanceSpec) { in.BackupWindow, in.MaintenanceWindow = "04:30-05:00", "sun:05:00-sun:05:30" }), ""},
		{"backup window across midnight", solo(func(in *InstanceSpec) { in.BackupWindow, in.MaintenanceWindow = "23:45-00:15", "wed:12:00-wed:12:30" }), ""},
		{"maintenance window across the week's end", solo(func(in *InstanceSpec) { in.MaintenanceWindow = "sat:23:45-sun:00:15" }), ""},
		{"backup window of one digit", solo(func(in *InstanceSpec) { in.BackupWindow = "3:00-03:30" }), `instance solo: backup window "3:00-03:30" must be in the format hh24:mi-hh24:mi`},
		{"backup window at 24:00", solo(func(in *InstanceSpec) { in.BackupWindow = "24:00-00:30" }), "must be in the format hh24:mi-hh24:mi"},
		{"backup window without an end", solo(func(in *InstanceSpec) { in.BackupWindow = "03:00" }), "must be in the format hh24:mi-hh24:mi"},
		{"backup window of 20 minutes", solo(func(in *InstanceSpec) { in.BackupWindow = "03:00-03:20" }), `instance solo: backup window "03:00-03:20" must be at least 30 minutes`},
		{"empty backup window", solo(func(in *InstanceSpec) { in.BackupWindow = "03:00-03:00" }), "must be at least 30 minutes"},
		{"maintenance window without a day", solo(func(in *InstanceSpec) { in.MaintenanceWindow = "05:00-05:30" }), "must be in the format ddd:hh24:mi-ddd:hh24:mi"},
		{"maintenance window on no day", solo(func(in *InstanceSpec) { in.MaintenanceWindow = "sun:05:00-xyz:05:30" }), "must be in the format ddd:hh24:mi-ddd:hh24:mi"},
		{"maintenance window of 15 minutes", solo(func(in *InstanceSpec) { in.MaintenanceWindow = "sun:05:00-sun:05:15" }), `maintenance window "sun:05:00-sun:05:15" must be at least 30 minutes`},
		{"overlapping windows", solo(func(in *InstanceSpec) { in.BackupWindow, in.MaintenanceWindow = "05:00-06:00", "sun:05:30-sun:06:30" }),
			"instance solo: the backup window and maintenance window must not overlap"},
		{"overlap after midnight", solo(func(in *InstanceSpec) { in.BackupWindow, in.MaintenanceWindow = "23:30-00:30", "tue:00:00-tue:01:00" }), "must not overlap"},
		{"overlap on another day", solo(func(in *InstanceSpec) { in.BackupWindow, in.MaintenanceWindow = "10:00-11:00", "thu:10:30-thu:11:30" }), "must not overlap"},
		{"no room for a maintenance window", solo(func(in *InstanceSpec) { in.BackupWindow, in.MaintenanceWindow = "00:00-23:45", "" }), "leaves no room"},
		{"member backup window", member(func(in *InstanceSpec) { in.BackupWindow = "07:00-07:45" }),
			"instance aurora-a-2: backup window \"07:00-07:45\": a member of Aurora cluster aurora-a has no backup window of its own"},
		{"member maintenance window", member(func(in *InstanceSpec) { in.MaintenanceWindow = "sun:5:00-sun:5:30" }), "instance aurora-a-2: maintenance window"},
		{"member maintenance window on the cluster's backup window", member(func(in *InstanceSpec) { in.MaintenanceWindow = "mon:07:00-mon:07:30" }), ""},
		{"cluster backup window", cluster(func(c *ClusterSpec) { c.BackupWindow = "7:00-7:45" }), "cluster aurora-a: backup window"},
		{"cluster overlap", cluster(func(c *ClusterSpec) { c.MaintenanceWindow = "tue:07:30-tue:08:30" }), "cluster aurora-a: the backup window and maintenance window must not overlap"},
		{"unknown action", solo(func(in *InstanceSpec) { in.PendingMaintenance[1].Action = "reboot" }),
			`instance solo: PendingMaintenance[1]: unknown maintenance action "reboot"`},
		{"duplicate action", member(func(in *InstanceSpec) {
			in.PendingMaintenance = []PendingActionSpec{{Action: "db-upgrade"}, {Action: "db-upgrade"}}
		}), `instance aurora-a-2: PendingMaintenance[1]: duplicate maintenance action "db-upgrade"`},
		{"negative auto-applied", cluster(func(c *ClusterSpec) { c.PendingMaintenance[0].AutoAppliedAfter = -time.Hour }),
			"cluster aurora-a: PendingMaintenance[0] (db-upgrade): AutoAppliedAfter and ForcedApplyIn must not be negative"},
		{"negative forced", solo(func(in *InstanceSpec) { in.PendingMaintenance[0].ForcedApplyIn = -time.Second }), "must not be negative"},
	} {
		sc := maintenanceScenario()
		c.change(sc)
		err := sc.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	sc := maintenanceScenario()
	sc.Instances[0].BackupWindow = "03:00-03:10"
	if srv, err := Start(Options{Scenario: sc}); err == nil {
		_ = srv.Close()
		t.Error("Start accepted a scenario Validate refuses")
	}
}

// CreateDBInstance and CreateDBCluster take the windows, with RDS's validation and defaults; a
// cluster member reports its cluster's backup window and takes none of its own.
func TestCreateWithWindows(t *testing.T) {
	_, rc := startBlueGreen(t, Options{})
	ctx := context.Background()
	create := func(id string, f func(*rds.CreateDBInstanceInput)) (*rds.CreateDBInstanceOutput, error) {
		in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t4g.micro"),
			Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("app")}
		f(in)
		return rc.CreateDBInstance(ctx, in)
	}
	out, err := create("windowed", func(in *rds.CreateDBInstanceInput) {
		in.PreferredBackupWindow, in.PreferredMaintenanceWindow = aws.String("01:15-02:00"), aws.String("Fri:02:00-Fri:03:00")
	})
	if err != nil || windowsOf(out.DBInstance.PreferredBackupWindow, out.DBInstance.PreferredMaintenanceWindow) != "01:15-02:00 / fri:02:00-fri:03:00" {
		t.Fatalf("created with windows: %v %+v", err, out)
	}
	if in := describeOne(t, rc, "windowed"); windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow) != "01:15-02:00 / fri:02:00-fri:03:00" {
		t.Errorf("described %s", windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow))
	}
	out, err = create("backup-only", func(in *rds.CreateDBInstanceInput) { in.PreferredBackupWindow = aws.String("04:45-05:15") })
	if err != nil || windowsOf(out.DBInstance.PreferredBackupWindow, out.DBInstance.PreferredMaintenanceWindow) != "04:45-05:15 / sun:05:30-sun:06:00" {
		t.Fatalf("created with a backup window on the default maintenance window: %v %+v", err, out)
	}

	cl, err := rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("new-aurora"), Engine: aws.String("aurora-postgresql"),
		MasterUsername: aws.String("app"), PreferredBackupWindow: aws.String("08:00-09:00"), PreferredMaintenanceWindow: aws.String("mon:10:00-mon:10:30")})
	if err != nil || windowsOf(cl.DBCluster.PreferredBackupWindow, cl.DBCluster.PreferredMaintenanceWindow) != "08:00-09:00 / mon:10:00-mon:10:30" {
		t.Fatalf("created cluster: %v %+v", err, cl)
	}
	member := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("new-aurora-1"), DBClusterIdentifier: aws.String("new-aurora"),
		DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql"), PreferredMaintenanceWindow: aws.String("tue:11:00-tue:11:30")}
	if m, err := rc.CreateDBInstance(ctx, member); err != nil || windowsOf(m.DBInstance.PreferredBackupWindow, m.DBInstance.PreferredMaintenanceWindow) != "08:00-09:00 / tue:11:00-tue:11:30" {
		t.Fatalf("created member: %v %+v", err, m)
	}

	clusterMember := func(f func(*rds.CreateDBInstanceInput)) func() error {
		return func() error {
			in := *member
			in.DBInstanceIdentifier, in.PreferredMaintenanceWindow = aws.String("refused-member"), nil
			f(&in)
			_, err := rc.CreateDBInstance(ctx, &in)
			return err
		}
	}
	standalone := func(backup, maint string) func() error {
		return func() error {
			_, err := create("refused", func(in *rds.CreateDBInstanceInput) {
				if backup != "" {
					in.PreferredBackupWindow = aws.String(backup)
				}
				if maint != "" {
					in.PreferredMaintenanceWindow = aws.String(maint)
				}
			})
			return err
		}
	}
	newCluster := func(backup, maint string) func() error {
		return func() error {
			in := &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("refused"), Engine: aws.String("aurora-postgresql")}
			if backup != "" {
				in.PreferredBackupWindow = aws.String(backup)
			}
			if maint != "" {
				in.PreferredMaintenanceWindow = aws.String(maint)
			}
			_, err := rc.CreateDBCluster(ctx, in)
			return err
		}
	}
	for _, c := range []struct {
		name string
		call func() error
		code string
	}{
		{"malformed backup window", standalone("1:00-2:00", ""), "InvalidParameterValue"},
		{"short backup window", standalone("01:00-01:29", ""), "InvalidParameterValue"},
		{"malformed maintenance window", standalone("", "fri 02:00-fri 03:00"), "InvalidParameterValue"},
		{"short maintenance window", standalone("", "fri:02:00-fri:02:10"), "InvalidParameterValue"},
		{"overlapping windows", standalone("02:30-03:30", "fri:02:00-fri:03:00"), "InvalidParameterValue"},
		{"member backup window", clusterMember(func(in *rds.CreateDBInstanceInput) { in.PreferredBackupWindow = aws.String("08:00-09:00") }), "InvalidParameterCombination"},
		{"member malformed maintenance window", clusterMember(func(in *rds.CreateDBInstanceInput) { in.PreferredMaintenanceWindow = aws.String("tue:11:00") }), "InvalidParameterValue"},
		{"cluster malformed backup window", newCluster("8-9", ""), "InvalidParameterValue"},
		{"cluster short maintenance window", newCluster("", "mon:10:00-mon:10:05"), "InvalidParameterValue"},
		{"cluster overlapping windows", newCluster("10:00-11:00", "mon:10:30-mon:11:00"), "InvalidParameterValue"},
	} {
		if err := c.call(); apiCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	for _, id := range []string{"refused", "refused-member"} {
		if _, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)}); !isErr[*rdstypes.DBInstanceNotFoundFault](err) {
			t.Errorf("%s after the refusals: %v", id, err)
		}
	}
	if _, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("refused")}); !isErr[*rdstypes.DBClusterNotFoundFault](err) {
		t.Errorf("cluster after the refusals: %v", err)
	}
}

// ModifyDBInstance changes the windows at once, without downtime and whatever ApplyImmediately
// says; pending modifications then wait for the new maintenance window.
func TestModifyDBInstanceWindows(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{})
	ctx := context.Background()
	modify := func(in *rds.ModifyDBInstanceInput) (*rds.ModifyDBInstanceOutput, error) {
		if in.DBInstanceIdentifier == nil {
			in.DBInstanceIdentifier = aws.String("mandible-prod")
		}
		return rc.ModifyDBInstance(ctx, in)
	}
	out, err := modify(&rds.ModifyDBInstanceInput{PreferredBackupWindow: aws.String("06:00-06:30"),
		PreferredMaintenanceWindow: aws.String("Wed:07:00-Wed:07:30"), DBInstanceClass: aws.String("db.t4g.xlarge")})
	if err != nil {
		t.Fatal(err)
	}
	in := out.DBInstance
	if windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow) != "06:00-06:30 / wed:07:00-wed:07:30" ||
		aws.ToString(in.DBInstanceStatus) != "available" || aws.ToString(in.PendingModifiedValues.DBInstanceClass) != "db.t4g.xlarge" {
		t.Fatalf("after ModifyDBInstance: %s %s pending %+v", windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow),
			aws.ToString(in.DBInstanceStatus), in.PendingModifiedValues)
	}
	if in := describeOne(t, rc, "mandible-prod"); windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow) != "06:00-06:30 / wed:07:00-wed:07:30" {
		t.Fatalf("described %s", windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow))
	}
	// The pending class change waits for the new window, Wednesday 07:00, not Sunday's.
	srv.Clock().Set(nov(4, 6, 59))
	if in := describeOne(t, rc, "mandible-prod"); aws.ToString(in.DBInstanceStatus) != "available" {
		t.Fatalf("before the new window: %s", aws.ToString(in.DBInstanceStatus))
	}
	srv.Advance(time.Minute)
	if in := describeOne(t, rc, "mandible-prod"); aws.ToString(in.DBInstanceStatus) != "modifying" {
		t.Fatalf("in the new window: %s", aws.ToString(in.DBInstanceStatus))
	}
	srv.Advance(DefaultDurations.ModifyClass)

	// A window moved to a time already past since the change was requested waits a week.
	if _, err := modify(&rds.ModifyDBInstanceInput{AllocatedStorage: aws.Int32(200)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(24 * time.Hour) // Thursday 07:12
	if _, err := modify(&rds.ModifyDBInstanceInput{PreferredMaintenanceWindow: aws.String("thu:01:00-thu:01:30")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	if in := describeOne(t, rc, "mandible-prod"); aws.ToString(in.DBInstanceStatus) != "available" || aws.ToInt32(in.PendingModifiedValues.AllocatedStorage) != 200 {
		t.Fatalf("after moving the window before now: %s pending %+v", aws.ToString(in.DBInstanceStatus), in.PendingModifiedValues)
	}

	// An Aurora member takes a maintenance window but no backup window; its cluster is unchanged.
	out, err = modify(&rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2"), PreferredMaintenanceWindow: aws.String("sat:03:00-sat:03:30")})
	if err != nil || windowsOf(out.DBInstance.PreferredBackupWindow, out.DBInstance.PreferredMaintenanceWindow) != "03:00-03:30 / sat:03:00-sat:03:30" {
		t.Fatalf("member maintenance window: %v %+v", err, out)
	}
	cl, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sso-prod")})
	if err != nil || aws.ToString(cl.DBClusters[0].PreferredMaintenanceWindow) != "sun:05:00-sun:05:30" {
		t.Fatalf("cluster after modifying a member: %v", err)
	}

	for _, c := range []struct {
		name string
		in   *rds.ModifyDBInstanceInput
		code string
	}{
		{"malformed backup window", &rds.ModifyDBInstanceInput{PreferredBackupWindow: aws.String("6:00-6:30")}, "InvalidParameterValue"},
		{"short maintenance window", &rds.ModifyDBInstanceInput{PreferredMaintenanceWindow: aws.String("mon:01:00-mon:01:01")}, "InvalidParameterValue"},
		{"backup window on the maintenance window", &rds.ModifyDBInstanceInput{PreferredBackupWindow: aws.String("00:45-01:15")}, "InvalidParameterValue"},
		{"maintenance window on the backup window", &rds.ModifyDBInstanceInput{PreferredMaintenanceWindow: aws.String("mon:06:15-mon:06:45")}, "InvalidParameterValue"},
		{"both, overlapping", &rds.ModifyDBInstanceInput{PreferredBackupWindow: aws.String("12:00-13:00"), PreferredMaintenanceWindow: aws.String("mon:12:30-mon:13:30")}, "InvalidParameterValue"},
		{"member backup window", &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-1"), PreferredBackupWindow: aws.String("10:00-10:30")}, "InvalidParameterCombination"},
	} {
		if _, err := modify(c.in); apiCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if in := describeOne(t, rc, "mandible-prod"); windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow) != "06:00-06:30 / thu:01:00-thu:01:30" {
		t.Errorf("after the refusals: %s", windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow))
	}
	// Swapping both at once is checked as a pair: the new ones do not overlap each other.
	if out, err := modify(&rds.ModifyDBInstanceInput{PreferredBackupWindow: aws.String("01:00-01:30"), PreferredMaintenanceWindow: aws.String("thu:06:00-thu:06:30")}); err != nil ||
		windowsOf(out.DBInstance.PreferredBackupWindow, out.DBInstance.PreferredMaintenanceWindow) != "01:00-01:30 / thu:06:00-thu:06:30" {
		t.Errorf("swapped windows: %v", err)
	}
}

// A blue/green deployment's green databases copy the blue ones' backup and maintenance windows.
func TestBlueGreenCopiesWindows(t *testing.T) {
	_, rc := startBlueGreen(t, Options{Scenario: maintenanceScenario()})
	ctx := context.Background()
	d := mustCreateBlueGreen(t, rc, "solo-bg", demoARN("db", "solo"))
	green, _ := greenOf(t, d, "solo")
	if g := describeOne(t, rc, green); windowsOf(g.PreferredBackupWindow, g.PreferredMaintenanceWindow) != "22:00-23:00 / sat:23:30-sun:00:30" {
		t.Errorf("green instance windows %s", windowsOf(g.PreferredBackupWindow, g.PreferredMaintenanceWindow))
	}
	d = mustCreateBlueGreen(t, rc, "aurora-bg", demoARN("cluster", "aurora-a"))
	gc, suffix := greenOf(t, d, "aurora-a")
	cl, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(gc)})
	if err != nil || windowsOf(cl.DBClusters[0].PreferredBackupWindow, cl.DBClusters[0].PreferredMaintenanceWindow) != "07:00-07:45 / tue:08:00-tue:08:30" {
		t.Fatalf("green cluster: %v", err)
	}
	if g := describeOne(t, rc, "aurora-a-1-green-"+suffix); windowsOf(g.PreferredBackupWindow, g.PreferredMaintenanceWindow) != "07:00-07:45 / wed:09:00-wed:09:30" {
		t.Errorf("green member windows %s", windowsOf(g.PreferredBackupWindow, g.PreferredMaintenanceWindow))
	}
}

// DescribePendingMaintenanceActions lists the resources with pending actions in ARN order, with
// their dates; ResourceIdentifier and the filters select.
func TestDescribePendingMaintenanceActions(t *testing.T) {
	_, rc := startBlueGreen(t, Options{Scenario: maintenanceScenario()})
	ctx := context.Background()
	all := pendingResources(t, rc, &rds.DescribePendingMaintenanceActionsInput{})
	if got := resourceIDs(all); !slices.Equal(got, []string{"cluster:aurora-a", "db:aurora-a-1", "db:solo"}) {
		t.Fatalf("resources %v", got)
	}
	want := [][]string{
		{"db-upgrade opt=- auto=Wed 04 12:00 forced=- current=Tue 10 08:00: Upgrade to Aurora PostgreSQL 15.8"},
		{"system-update opt=- auto=- forced=- current=-: "},
		{"system-update opt=- auto=- forced=Thu 05 12:00 current=Thu 05 12:00: New Operating System update is available",
			"ca-certificate-rotation opt=- auto=Tue 03 12:00 forced=- current=Sat 07 23:30: "},
	}
	for i, r := range all {
		if got := actionSummary(r); !slices.Equal(got, want[i]) {
			t.Errorf("%s: %q, want %q", aws.ToString(r.ResourceIdentifier), got, want[i])
		}
	}

	filter := func(name string, values ...string) []rdstypes.Filter {
		return []rdstypes.Filter{{Name: aws.String(name), Values: values}}
	}
	type in = rds.DescribePendingMaintenanceActionsInput
	for _, c := range []struct {
		name string
		in   *in
		want []string
	}{
		{"instance", &in{Filters: filter("db-instance-id", "solo")}, []string{"db:solo"}},
		{"instance ARN, any case", &in{Filters: filter("db-instance-id", demoARN("db", "SOLO"))}, []string{"db:solo"}},
		{"instances", &in{Filters: filter("db-instance-id", "solo", "aurora-a-1", "plain")}, []string{"db:aurora-a-1", "db:solo"}},
		{"instance with nothing pending", &in{Filters: filter("db-instance-id", "plain")}, nil},
		{"cluster", &in{Filters: filter("db-cluster-id", "aurora-a")}, []string{"cluster:aurora-a"}},
		{"cluster ARN", &in{Filters: filter("db-cluster-id", demoARN("cluster", "aurora-a"))}, []string{"cluster:aurora-a"}},
		{"a cluster selects no instance", &in{Filters: filter("db-cluster-id", "aurora-a-1")}, nil},
		{"both filters", &in{Filters: append(filter("db-cluster-id", "aurora-a"), filter("db-instance-id", "solo")...)}, []string{"cluster:aurora-a", "db:solo"}},
		{"resource", &in{ResourceIdentifier: aws.String(demoARN("db", "solo"))}, []string{"db:solo"}},
		{"cluster resource", &in{ResourceIdentifier: aws.String(demoARN("cluster", "aurora-a"))}, []string{"cluster:aurora-a"}},
		{"resource with nothing pending", &in{ResourceIdentifier: aws.String(demoARN("db", "plain"))}, nil},
		{"resource and its filter", &in{ResourceIdentifier: aws.String(demoARN("db", "solo")), Filters: filter("db-instance-id", "solo")}, []string{"db:solo"}},
		{"resource and another filter", &in{ResourceIdentifier: aws.String(demoARN("db", "solo")), Filters: filter("db-instance-id", "aurora-a-1")}, nil},
	} {
		if got := resourceIDs(pendingResources(t, rc, c.in)); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}

	describe := func(in *in) func() error {
		return func() error { _, err := rc.DescribePendingMaintenanceActions(ctx, in); return err }
	}
	for _, c := range []struct {
		name  string
		call  func() error
		code  string
		typed func(error) bool
	}{
		{"unknown instance", describe(&in{ResourceIdentifier: aws.String(demoARN("db", "nope"))}), "ResourceNotFoundFault", isErr[*rdstypes.ResourceNotFoundFault]},
		{"unknown cluster", describe(&in{ResourceIdentifier: aws.String(demoARN("cluster", "solo"))}), "ResourceNotFoundFault", isErr[*rdstypes.ResourceNotFoundFault]},
		{"another account", describe(&in{ResourceIdentifier: aws.String("arn:aws:rds:us-east-1:999999999999:db:solo")}), "ResourceNotFoundFault", isErr[*rdstypes.ResourceNotFoundFault]},
		{"snapshot", describe(&in{ResourceIdentifier: aws.String(demoARN("snapshot", "solo"))}), "ResourceNotFoundFault", isErr[*rdstypes.ResourceNotFoundFault]},
		{"identifier, not ARN", describe(&in{ResourceIdentifier: aws.String("solo")}), "InvalidParameterValue", nil},
		{"unknown filter", describe(&in{Filters: filter("engine", "postgres")}), "InvalidParameterValue", nil},
		{"MaxRecords below 20", describe(&in{MaxRecords: aws.Int32(19)}), "InvalidParameterValue", nil},
		{"MaxRecords above 100", describe(&in{MaxRecords: aws.Int32(101)}), "InvalidParameterValue", nil},
		{"bad Marker", describe(&in{Marker: aws.String("%%")}), "InvalidParameterValue", nil},
	} {
		err := c.call()
		if apiCode(err) != c.code || (c.typed != nil && !c.typed(err)) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}

// Pages of MaxRecords resources follow ARN order; the default page holds 100.
func TestDescribePendingMaintenanceActionsPaging(t *testing.T) {
	sc := &Scenario{Name: "pending-fleet", Seed: 10}
	var want []string
	for i := range 45 {
		id := fmt.Sprintf("pm-%02d", 44-i) // reverse: ARN order is not scenario order
		sc.Instances = append(sc.Instances, InstanceSpec{ID: id, Class: "db.t4g.micro", Workload: IdleWorkload,
			PendingMaintenance: []PendingActionSpec{{Action: "system-update", ForcedApplyIn: time.Duration(i+1) * time.Hour}}})
		want = append(want, "db:"+id)
	}
	sc.Instances = append(sc.Instances, InstanceSpec{ID: "pm-idle", Class: "db.t4g.micro", Workload: IdleWorkload})
	slices.Sort(want)
	_, rc := startBlueGreen(t, Options{Scenario: sc})
	ctx := context.Background()

	first, err := rc.DescribePendingMaintenanceActions(ctx, &rds.DescribePendingMaintenanceActionsInput{MaxRecords: aws.Int32(20)})
	if err != nil || len(first.PendingMaintenanceActions) != 20 || first.Marker == nil {
		t.Fatalf("first page of 20: %v", err)
	}
	second, err := rc.DescribePendingMaintenanceActions(ctx, &rds.DescribePendingMaintenanceActionsInput{MaxRecords: aws.Int32(20), Marker: first.Marker})
	if err != nil || !slices.Equal(resourceIDs(second.PendingMaintenanceActions), want[20:40]) || second.Marker == nil {
		t.Fatalf("second page: %v %v", err, resourceIDs(second.PendingMaintenanceActions))
	}
	third, err := rc.DescribePendingMaintenanceActions(ctx, &rds.DescribePendingMaintenanceActionsInput{MaxRecords: aws.Int32(20), Marker: second.Marker})
	if err != nil || !slices.Equal(resourceIDs(third.PendingMaintenanceActions), want[40:]) || third.Marker != nil {
		t.Fatalf("last page: %v %v", err, resourceIDs(third.PendingMaintenanceActions))
	}
	if got := resourceIDs(pendingResources(t, rc, &rds.DescribePendingMaintenanceActionsInput{MaxRecords: aws.Int32(20)})); !slices.Equal(got, want) {
		t.Fatalf("over pages of 20: %v, want %v", got, want)
	}
	whole, err := rc.DescribePendingMaintenanceActions(ctx, &rds.DescribePendingMaintenanceActionsInput{})
	if err != nil || !slices.Equal(resourceIDs(whole.PendingMaintenanceActions), want) || whole.Marker != nil {
		t.Fatalf("default page: %v", err)
	}
	filtered := pendingResources(t, rc, &rds.DescribePendingMaintenanceActionsInput{MaxRecords: aws.Int32(20),
		Filters: []rdstypes.Filter{{Name: aws.String("db-instance-id"), Values: []string{"pm-03", "pm-30", "pm-idle"}}}})
	if got := resourceIDs(filtered); !slices.Equal(got, []string{"db:pm-03", "db:pm-30"}) {
		t.Fatalf("filtered pages: %v", got)
	}
}

// OptInType immediate applies the action now, with its events, on an instance or a cluster; the
// response lists what is left. Refusals change nothing.
func TestApplyPendingMaintenanceActionImmediate(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{Scenario: maintenanceScenario()})
	ctx := context.Background()
	t0 := srv.Now()
	solo := demoARN("db", "solo")
	r := mustApplyAction(t, rc, solo, "system-update", "immediate")
	if aws.ToString(r.ResourceIdentifier) != solo || !slices.Equal(actionSummary(r), []string{"ca-certificate-rotation opt=- auto=Tue 03 12:00 forced=- current=Sat 07 23:30: "}) {
		t.Fatalf("after applying system-update: %s %q", aws.ToString(r.ResourceIdentifier), actionSummary(r))
	}
	if got := eventMessages(t, rc, rdstypes.SourceTypeDbInstance, "solo", t0); !slices.Equal(got, []string{"Applying OS upgrade", "Finished applying OS upgrade"}) {
		t.Fatalf("instance events %v", got)
	}
	if in := describeOne(t, rc, "solo"); aws.ToString(in.DBInstanceStatus) != "available" {
		t.Fatalf("status after the upgrade: %s", aws.ToString(in.DBInstanceStatus))
	}
	if got := pendingOf(t, rc, solo); len(got) != 1 {
		t.Fatalf("described after applying: %q", got)
	}
	r = mustApplyAction(t, rc, solo, "ca-certificate-rotation", "immediate")
	if len(r.PendingMaintenanceActionDetails) != 0 || aws.ToString(r.ResourceIdentifier) != solo {
		t.Fatalf("after applying the last action: %q", actionSummary(r))
	}
	if got := pendingOf(t, rc, solo); got != nil {
		t.Fatalf("an instance with nothing pending is listed: %q", got)
	}

	cluster := demoARN("cluster", "aurora-a")
	r = mustApplyAction(t, rc, cluster, "db-upgrade", "immediate")
	if len(r.PendingMaintenanceActionDetails) != 0 {
		t.Fatalf("cluster after applying: %q", actionSummary(r))
	}
	if got := eventMessages(t, rc, rdstypes.SourceTypeDbCluster, "aurora-a", t0); !slices.Equal(got, []string{"Applying database engine upgrade", "Finished applying database engine upgrade"}) {
		t.Fatalf("cluster events %v", got)
	}
	if got := resourceIDs(pendingResources(t, rc, &rds.DescribePendingMaintenanceActionsInput{})); !slices.Equal(got, []string{"db:aurora-a-1"}) {
		t.Fatalf("left %v", got)
	}

	// A busy instance takes no immediate action.
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("aurora-a-1"),
		DBInstanceClass: aws.String("db.r6g.xlarge"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	member := demoARN("db", "aurora-a-1")
	for _, c := range []struct {
		name, arn, action, optIn, code string
		typed                          func(error) bool
	}{
		{"instance not available", member, "system-update", "immediate", "InvalidDBInstanceState", isErr[*rdstypes.InvalidDBInstanceStateFault]},
		{"action not pending", member, "db-upgrade", "immediate", "InvalidParameterValue", nil},
		{"action applied already", solo, "system-update", "next-maintenance", "InvalidParameterValue", nil},
		{"unknown opt-in type", member, "system-update", "later", "InvalidParameterValue", nil},
		{"unknown instance", demoARN("db", "nope"), "system-update", "immediate", "ResourceNotFoundFault", isErr[*rdstypes.ResourceNotFoundFault]},
		{"unknown cluster", demoARN("cluster", "nope"), "db-upgrade", "undo-opt-in", "ResourceNotFoundFault", isErr[*rdstypes.ResourceNotFoundFault]},
		{"identifier, not ARN", "aurora-a-1", "system-update", "immediate", "InvalidParameterValue", nil},
	} {
		_, err := applyAction(ctx, rc, c.arn, c.action, c.optIn)
		if apiCode(err) != c.code || (c.typed != nil && !c.typed(err)) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if got := pendingOf(t, rc, member); !slices.Equal(got, []string{"system-update opt=- auto=- forced=- current=-: "}) {
		t.Errorf("after the refusals: %q", got)
	}
}

// OptInType next-maintenance schedules the action for the start of the resource's next
// maintenance window, where settle applies it; undo-opt-in cancels that.
func TestApplyPendingMaintenanceActionNextMaintenance(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{Scenario: maintenanceScenario()})
	member := demoARN("db", "aurora-a-1")
	r := mustApplyAction(t, rc, member, "system-update", "next-maintenance")
	want := []string{"system-update opt=next-maintenance auto=- forced=- current=Wed 04 09:00: "}
	if !slices.Equal(actionSummary(r), want) || !slices.Equal(pendingOf(t, rc, member), want) {
		t.Fatalf("opted in: %q", actionSummary(r))
	}
	srv.Clock().Set(nov(4, 8, 59))
	if got := pendingOf(t, rc, member); !slices.Equal(got, want) {
		t.Fatalf("a minute before the window: %q", got)
	}
	srv.Advance(2 * time.Minute)
	if got := pendingOf(t, rc, member); got != nil {
		t.Fatalf("after the window started: %q", got)
	}
	out, err := rc.DescribeEvents(context.Background(), &rds.DescribeEventsInput{SourceType: rdstypes.SourceTypeDbInstance,
		SourceIdentifier: aws.String("aurora-a-1"), EventCategories: []string{"maintenance"}})
	if err != nil || len(out.Events) != 2 || aws.ToString(out.Events[0].Message) != "Applying OS upgrade" ||
		aws.ToString(out.Events[1].Message) != "Finished applying OS upgrade" || !aws.ToTime(out.Events[1].Date).Equal(nov(4, 9, 0)) {
		t.Fatalf("events of the window: %v %+v", err, out)
	}

	// undo-opt-in: back to no opt-in and no apply date; the window passes without applying it.
	srv2, rc2 := startBlueGreen(t, Options{Scenario: maintenanceScenario()})
	mustApplyAction(t, rc2, member, "system-update", "next-maintenance")
	r = mustApplyAction(t, rc2, member, "system-update", "undo-opt-in")
	undone := []string{"system-update opt=- auto=- forced=- current=-: "}
	if !slices.Equal(actionSummary(r), undone) {
		t.Fatalf("undone: %q", actionSummary(r))
	}
	srv2.Clock().Set(nov(4, 10, 0))
	if got := pendingOf(t, rc2, member); !slices.Equal(got, undone) {
		t.Fatalf("after the window, undone: %q", got)
	}
	// Opting in again counts from now: the next window is a week later. On an action with an
	// AutoAppliedAfterDate, the opt-in does not move that date.
	mustApplyAction(t, rc2, member, "system-update", "next-maintenance")
	if got := pendingOf(t, rc2, member); !slices.Equal(got, []string{"system-update opt=next-maintenance auto=- forced=- current=Wed 11 09:00: "}) {
		t.Fatalf("opted in again: %q", got)
	}
	solo := demoARN("db", "solo")
	mustApplyAction(t, rc2, solo, "ca-certificate-rotation", "next-maintenance")
	if got := pendingOf(t, rc2, solo); got[1] != "ca-certificate-rotation opt=next-maintenance auto=Tue 03 12:00 forced=- current=Sat 07 23:30: " {
		t.Fatalf("solo opted in: %q", got)
	}
	// A maintenance window run by hand (Server.ApplyPendingMaintenance) applies opted-in actions.
	srv2.ApplyPendingMaintenance("aurora-a-1")
	if got := pendingOf(t, rc2, member); got != nil {
		t.Fatalf("after ApplyPendingMaintenance: %q", got)
	}
	if got := pendingOf(t, rc2, solo); len(got) != 2 {
		t.Fatalf("another instance's actions after ApplyPendingMaintenance(aurora-a-1): %q", got)
	}
}

// Actions are applied by themselves on their ForcedApplyDate, or in the first maintenance window
// after their AutoAppliedAfterDate.
func TestPendingMaintenanceAutoApplied(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{Scenario: maintenanceScenario()})
	t0 := srv.Now()
	solo, cluster := demoARN("db", "solo"), demoARN("cluster", "aurora-a")
	srv.Clock().Set(nov(5, 11, 59))
	if got := pendingOf(t, rc, solo); len(got) != 2 {
		t.Fatalf("before the forced date: %q", got)
	}
	srv.Advance(time.Minute)
	if got := pendingOf(t, rc, solo); len(got) != 1 || !strings.HasPrefix(got[0], "ca-certificate-rotation") {
		t.Fatalf("at the forced date: %q", got)
	}
	// The certificate rotation was due after Tuesday 12:00: the next window, Saturday 23:30.
	srv.Clock().Set(nov(7, 23, 29))
	if got := pendingOf(t, rc, solo); len(got) != 1 {
		t.Fatalf("before the window: %q", got)
	}
	srv.Advance(time.Minute)
	if got := pendingOf(t, rc, solo); got != nil {
		t.Fatalf("in the window: %q", got)
	}
	if got := eventMessages(t, rc, rdstypes.SourceTypeDbInstance, "solo", t0); !slices.Equal(got, []string{"Applying OS upgrade", "Finished applying OS upgrade",
		"Applying CA certificate rotation", "Finished applying CA certificate rotation"}) {
		t.Fatalf("events: %v", got)
	}
	out, err := rc.DescribeEvents(context.Background(), &rds.DescribeEventsInput{SourceType: rdstypes.SourceTypeDbInstance,
		SourceIdentifier: aws.String("solo"), StartTime: aws.Time(t0), EndTime: aws.Time(srv.Now())})
	if err != nil || len(out.Events) != 4 || !aws.ToTime(out.Events[0].Date).Equal(nov(5, 12, 0)) || !aws.ToTime(out.Events[3].Date).Equal(nov(7, 23, 30)) {
		t.Fatalf("event dates: %v %+v", err, out)
	}
	// The cluster's upgrade, due after Wednesday 12:00, waits for Tuesday's window.
	srv.Clock().Set(nov(10, 7, 59))
	if got := pendingOf(t, rc, cluster); len(got) != 1 {
		t.Fatalf("cluster before its window: %q", got)
	}
	srv.Advance(time.Minute)
	if got := pendingOf(t, rc, cluster); got != nil {
		t.Fatalf("cluster in its window: %q", got)
	}
	if got := eventMessages(t, rc, rdstypes.SourceTypeDbCluster, "aurora-a", nov(10, 7, 0)); !slices.Equal(got, []string{"Applying database engine upgrade", "Finished applying database engine upgrade"}) {
		t.Fatalf("cluster events %v", got)
	}
	// The undated action stays.
	if got := resourceIDs(pendingResources(t, rc, &rds.DescribePendingMaintenanceActionsInput{})); !slices.Equal(got, []string{"db:aurora-a-1"}) {
		t.Fatalf("left %v", got)
	}
}

// The new actions go through the shared RDS path (fault injection, the request log, the signature
// check), and the actions, opt-ins and windows are part of the state file.
func TestPendingMaintenanceFaultsLogAndState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	srv, rc := startBlueGreen(t, Options{Scenario: maintenanceScenario(), StateFile: path})
	ctx := context.Background()

	srv.InjectFaults(FaultRule{Operation: "rds:DescribePendingMaintenanceActions", Sequence: []Fault{{Kind: FaultError, Code: "AccessDenied", Message: "no"}}})
	if _, err := rc.DescribePendingMaintenanceActions(ctx, &rds.DescribePendingMaintenanceActionsInput{}, apiNoRetry); apiCode(err) != "AccessDenied" {
		t.Fatalf("injected error: %v", err)
	}
	if got := pendingResources(t, rc, &rds.DescribePendingMaintenanceActionsInput{}); len(got) != 3 {
		t.Fatalf("after the injected error: %v", resourceIDs(got))
	}
	if calls := srv.Calls("DescribePendingMaintenanceActions"); len(calls) != 2 || calls[0].ErrorCode != "AccessDenied" || calls[0].Fault == "" || calls[1].Status != 200 {
		t.Fatalf("logged describes %+v", calls)
	}

	member := demoARN("db", "aurora-a-1")
	srv.InjectSequence("ApplyPendingMaintenanceAction", FaultThrottling)
	in := &rds.ApplyPendingMaintenanceActionInput{ResourceIdentifier: aws.String(member), ApplyAction: aws.String("system-update"), OptInType: aws.String("next-maintenance")}
	if _, err := rc.ApplyPendingMaintenanceAction(ctx, in, apiNoRetry); apiCode(err) != "Throttling" {
		t.Fatalf("throttled apply: %v", err)
	}
	if _, err := rc.ApplyPendingMaintenanceAction(ctx, in, apiNoRetry); err != nil {
		t.Fatalf("after the fault: %v", err)
	}
	calls := srv.Calls("ApplyPendingMaintenanceAction")
	if len(calls) != 2 || calls[0].ErrorCode != "Throttling" || calls[1].Status != 200 || calls[1].Params["ResourceIdentifier"] != member ||
		calls[1].Params["ApplyAction"] != "system-update" || calls[1].Params["OptInType"] != "next-maintenance" {
		t.Fatalf("logged applies %+v", calls)
	}
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("plain"),
		PreferredBackupWindow: aws.String("10:00-10:30"), PreferredMaintenanceWindow: aws.String("thu:11:00-thu:11:30")}); err != nil {
		t.Fatal(err)
	}
	mustApplyAction(t, rc, demoARN("db", "solo"), "system-update", "immediate")
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), `"optIn": "next-maintenance"`) || !strings.Contains(string(b), `"backupWindow": "10:00-10:30"`) {
		t.Fatalf("state file after the calls: %v", err)
	}
	before := pendingResources(t, rc, &rds.DescribePendingMaintenanceActionsInput{})
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv2, rc2 := startBlueGreen(t, Options{Scenario: maintenanceScenario(), StateFile: path})
	after := pendingResources(t, rc2, &rds.DescribePendingMaintenanceActionsInput{})
	if fmt.Sprint(resourceIDs(after)) != fmt.Sprint(resourceIDs(before)) {
		t.Fatalf("restored %v, want %v", resourceIDs(after), resourceIDs(before))
	}
	for i := range after {
		if a, b := actionSummary(after[i]), actionSummary(before[i]); !slices.Equal(a, b) {
			t.Errorf("restored %q, want %q", a, b)
		}
	}
	if in := describeOne(t, rc2, "plain"); windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow) != "10:00-10:30 / thu:11:00-thu:11:30" {
		t.Errorf("restored windows %s", windowsOf(in.PreferredBackupWindow, in.PreferredMaintenanceWindow))
	}
	srv2.Clock().Set(nov(4, 9, 0))
	if got := pendingOf(t, rc2, member); got != nil {
		t.Errorf("restored opt-in after its window: %q", got)
	}

	for _, action := range []string{"DescribePendingMaintenanceActions", "ApplyPendingMaintenanceAction"} {
		resp, err := http.Post(srv2.URL(), "application/x-www-form-urlencoded", strings.NewReader("Action="+action+"&Version=2014-10-31"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("unsigned %s: HTTP %d, want 403", action, resp.StatusCode)
		}
	}
}

// The window arithmetic: parsing, formatting, overlap on the week's circle.
func TestWindowArithmetic(t *testing.T) {
	for _, c := range []struct {
		backup, maint string
		overlap       bool
	}{
		{"03:00-03:30", "sun:05:00-sun:05:30", false},
		{"05:00-05:30", "sun:05:00-sun:05:30", true},
		{"04:30-05:00", "sun:05:00-sun:05:30", false},
		{"05:30-06:00", "sun:05:00-sun:05:30", false},
		{"23:50-00:20", "sun:00:10-sun:00:40", true},  // Saturday's backup runs into Sunday
		{"23:50-00:20", "sat:23:00-sat:23:55", true},  // Saturday's backup starts in the window
		{"12:00-12:30", "sat:23:45-sun:00:15", false}, // across the end of the week
		{"00:00-00:30", "sat:23:45-sun:00:15", true},
		{"10:00-11:00", "mon:00:00-tue:00:00", true}, // a whole day
	} {
		b, err := parseBackupWindow(c.backup)
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := parseMaintenanceWindow(c.maint)
		if err != nil {
			t.Fatal(err)
		}
		if got := windowsOverlap(b, m); got != c.overlap {
			t.Errorf("%s / %s: overlap %v, want %v", c.backup, c.maint, got, c.overlap)
		}
		if formatBackupWindow(b) != c.backup || formatMaintenanceWindow(m) != c.maint {
			t.Errorf("%s / %s formatted as %s / %s", c.backup, c.maint, formatBackupWindow(b), formatMaintenanceWindow(m))
		}
	}
	if b, m, err := resolveWindows("", "MON:03:15-MON:04:00"); err != nil || b != "04:00-04:30" || m != "mon:03:15-mon:04:00" {
		t.Errorf("default backup window next to mon:03:15-mon:04:00: %s %s %v", b, m, err)
	}
	if _, _, err := resolveWindows("", "mon:00:00-mon:23:50"); err == nil || !strings.Contains(err.Error(), "leaves no room") {
		t.Errorf("a maintenance window of almost a day: %v", err)
	}
}

package analysis

import (
	"strings"
	"testing"
	"time"
)

// TestBackupsOffRisk: an RDS instance without automated backups (BackupRetentionPeriod 0) has no
// point-in-time restore once its standby is gone, so the recommendation raises a high `backup`
// risk asking to turn them on first (or to apply the retention pending), the redundancy risk and
// the reliability evidence name a snapshot's restore instead of a point-in-time restore,
// and the reliability score loses the high risk's point. A read replica (its source has the
// data) and an Aurora cluster (always 1–35 days) get none of it.
func TestBackupsOffRisk(t *testing.T) {
	analyzed := func(t *testing.T, in ClusterInput) (backup []Risk, redundancy, rel string, score float64) {
		t.Helper()
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rec.Risks {
			switch {
			case r.Category == "backup" && r.Severity == "high":
				backup = append(backup, r)
			case r.Category == "redundancy" && strings.HasPrefix(r.Description, "No hot standby"):
				redundancy = r.Description
			}
		}
		for _, row := range rec.Matrix.Rows {
			if row.Criterion == "reliability" {
				rel, score = row.Evidence, row.Score
			}
		}
		return backup, redundancy, rel, score
	}
	_, onRed, onRel, _ := analyzed(t, idleMultiAZ(14))

	for _, tc := range []struct {
		name     string
		edit     func(*ClusterInput)
		risk     []string // texts the one high backup risk must hold; nil: no such risk
		notRisk  string
		red, rel string // texts of the redundancy risk and the reliability evidence
	}{
		{name: "off", edit: func(in *ClusterInput) { in.AutomatedBackupsOff = true },
			risk:    []string{"Automated backups are off (backup retention period 0)", "at first the guard snapshot", "Turn them on (a backup retention period of 1 to 35 days) before the change", "outage when the retention changes from 0"},
			notRisk: "pending",
			red:     "recovery is a restore of the latest snapshot (tens of minutes; every write made since that snapshot is lost: automated backups are off, so there is no point-in-time restore)",
			rel:     "recovery becomes a restore of the latest snapshot (automated backups are off: no point-in-time restore); 1 high-severity risk(s)"},
		{name: "pending", edit: func(in *ClusterInput) { in.AutomatedBackupsOff, in.PendingBackupRetentionDays = true, 7 },
			risk:    []string{"A backup retention period of 7 days is pending: apply it", "before the change"},
			notRisk: "Turn them on",
			red:     "restore of the latest snapshot", rel: "no point-in-time restore"},
		{name: "one node already", edit: func(in *ClusterInput) { in.AutomatedBackupsOff, in.AlreadySingleNode = true, true },
			risk:    []string{"off (backup retention period 0) on this single node", "Turn them on (a backup retention period of 1 to 35 days); RDS documents"},
			notRisk: "before the change",
			red:     "restore of the latest snapshot", rel: "already Single-AZ: no standby and no 1–2 minute automatic failover; recovery is a restore of the latest snapshot"},
		{name: "one node already, pending", edit: func(in *ClusterInput) {
			in.AutomatedBackupsOff, in.AlreadySingleNode, in.PendingBackupRetentionDays = true, true, 3
		},
			risk: []string{"on this single node", "A backup retention period of 3 days is pending"}, notRisk: "before the change",
			red: "restore of the latest snapshot", rel: "no point-in-time restore"},
		{name: "read replica", edit: func(in *ClusterInput) { in.AutomatedBackupsOff, in.ReplicaSource = true, "mandible-src" },
			red: "no data is lost", rel: "read replica of mandible-src"},
		{name: "on", edit: func(*ClusterInput) {},
			red: "or point-in-time restore (tens of minutes, data since the last transaction log upload", rel: "recovery becomes restore or point-in-time restore"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := idleMultiAZ(14)
			tc.edit(&in)
			backup, red, rel, score := analyzed(t, in)
			if tc.risk == nil {
				if len(backup) != 0 {
					t.Errorf("high backup risks %+v, want none", backup)
				}
				if strings.Contains(red+rel, "latest snapshot") {
					t.Errorf("redundancy %q / reliability %q name a snapshot's restore", red, rel)
				}
				return
			}
			if len(backup) != 1 {
				t.Fatalf("high backup risks %+v, want one", backup)
			}
			for _, w := range tc.risk {
				if !strings.Contains(backup[0].Description, w) {
					t.Errorf("risk %q does not say %q", backup[0].Description, w)
				}
			}
			if strings.Contains(backup[0].Description, tc.notRisk) {
				t.Errorf("risk %q says %q", backup[0].Description, tc.notRisk)
			}
			if !strings.Contains(red, tc.red) {
				t.Errorf("redundancy risk %q does not say %q", red, tc.red)
			}
			if !strings.Contains(rel, tc.rel) {
				t.Errorf("reliability evidence %q does not say %q", rel, tc.rel)
			}
			if strings.Contains(red, "up to about 5 minutes") {
				t.Errorf("redundancy risk %q still promises a point-in-time restore", red)
			}
			base := in
			base.AutomatedBackupsOff, base.PendingBackupRetentionDays = false, 0
			if _, _, _, want := analyzed(t, base); score != want-1 {
				t.Errorf("reliability score %v, want %v (backups on: %v, less the high risk)", score, want-1, want)
			}
		})
	}
	if !strings.Contains(onRed, "point-in-time restore") || strings.Contains(onRel, "latest snapshot") {
		t.Errorf("backups on: redundancy %q / reliability %q", onRed, onRel)
	}

	aurora := idleAuroraPair(2)
	aurora.AutomatedBackupsOff = true // cannot happen on Aurora (1–35 days); the field is not read there
	if backup, _, rel, _ := analyzed(t, aurora); len(backup) != 0 || strings.Contains(rel, "latest snapshot") {
		t.Errorf("Aurora: high backup risks %+v, reliability %q", backup, rel)
	}
}

// TestBackupsGoingOffRisk: an RDS instance that keeps automated backups today, with a backup
// retention period of 0 pending (AutomatedBackupsOffPending), loses them in its next maintenance
// window: a high backup risk asks to cancel that before the change (or, on one node already,
// just to cancel it), and the reliability score loses its point; the redundancy risk and the
// reliability evidence still say today's recovery. A read replica, and an instance already
// without backups (whose own risk it is), get none of it.
func TestBackupsGoingOffRisk(t *testing.T) {
	backupRisks := func(t *testing.T, in ClusterInput) (backup []string, red string, score float64) {
		t.Helper()
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rec.Risks {
			switch {
			case r.Category == "backup" && r.Severity == "high":
				backup = append(backup, r.Description)
			case r.Category == "redundancy" && strings.HasPrefix(r.Description, "No hot standby"):
				red = r.Description
			}
		}
		for _, row := range rec.Matrix.Rows {
			if row.Criterion == "reliability" {
				score = row.Score
			}
		}
		return backup, red, score
	}
	_, _, onScore := backupRisks(t, idleMultiAZ(14))
	for _, tc := range []struct {
		name string
		edit func(*ClusterInput)
		want []string // texts of the one high backup risk; nil: none going off
		not  string
	}{
		{"going off", func(in *ClusterInput) { in.AutomatedBackupsOffPending = true },
			[]string{"A backup retention period of 0 is pending", "on one node there is then no point-in-time restore", "cancel it", "before the change, which rightsize_db_topology refuses"}, "single node"},
		{"going off, one node already", func(in *ClusterInput) { in.AutomatedBackupsOffPending, in.AlreadySingleNode = true, true },
			[]string{"A backup retention period of 0 is pending", "this single node then has no point-in-time restore", "cancel it"}, "before the change"},
		{"read replica", func(in *ClusterInput) { in.AutomatedBackupsOffPending, in.ReplicaSource = true, "mandible-src" }, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := idleMultiAZ(14)
			tc.edit(&in)
			backup, red, score := backupRisks(t, in)
			if tc.want == nil {
				if len(backup) != 0 {
					t.Errorf("high backup risks %q, want none", backup)
				}
				return
			}
			if len(backup) != 1 {
				t.Fatalf("high backup risks %q, want one", backup)
			}
			for _, w := range tc.want {
				if !strings.Contains(backup[0], w) {
					t.Errorf("risk %q does not say %q", backup[0], w)
				}
			}
			if strings.Contains(backup[0], tc.not) {
				t.Errorf("risk %q says %q", backup[0], tc.not)
			}
			if !strings.Contains(red, "point-in-time restore") || strings.Contains(red, "latest snapshot") {
				t.Errorf("redundancy risk %q, want today's point-in-time restore", red)
			}
			if !in.AlreadySingleNode && score != onScore-1 {
				t.Errorf("reliability score %v, want %v", score, onScore-1)
			}
		})
	}
	// Off already: its own risk, not both.
	in := idleMultiAZ(14)
	in.AutomatedBackupsOff, in.AutomatedBackupsOffPending = true, true
	if backup, _, _ := backupRisks(t, in); len(backup) != 1 || !strings.HasPrefix(backup[0], "Automated backups are off") {
		t.Errorf("off and going off: high backup risks %q, want the off one alone", backup)
	}
}

// TestBackupWindowRiskWithoutBackups: the backup window's risk does not speak of the daily
// automated backups of an instance that takes none (or is about to stop), only of its snapshots
// and of the backups once turned on; with backups it is unchanged.
func TestBackupWindowRiskWithoutBackups(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*ClusterInput)
		want string
	}{
		{"on", func(*ClusterInput) {}, "On Single-AZ, automated backups and snapshots briefly suspend I/O"},
		{"off", func(in *ClusterInput) { in.AutomatedBackupsOff = true }, "On Single-AZ, snapshots, and automated backups once turned on, briefly suspend I/O"},
		{"going off", func(in *ClusterInput) { in.AutomatedBackupsOffPending = true }, "On Single-AZ, snapshots, and automated backups once turned on, briefly suspend I/O"},
	} {
		for _, window := range []string{"", "03:00-03:30"} {
			in := idleMultiAZ(14)
			in.BackupWindow = window
			tc.edit(&in)
			rec, err := Analyze(in, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rec.Risks {
				if r.Category == "backup" && strings.HasPrefix(r.Description, "On Single-AZ") {
					got = append(got, r.Description)
				}
			}
			if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
				t.Errorf("%s, backup window %q: %q, want one starting %q", tc.name, window, got, tc.want)
			}
		}
	}
}

// TestBackupsOffLatestSnapshot: with an RDS instance's snapshots listed (SnapshotsListed), the
// backup risk of automated backups off names the latest snapshot, its type and its age when
// listed (SnapshotsListedAt: the writes a restore then loses, whatever the window's end), or says
// that there is none, so that a failed volume loses the database; unlisted, it says what it said
// before. A snapshot named but not listed, or without a time, and a listing without its time, are
// refused.
func TestBackupsOffLatestSnapshot(t *testing.T) {
	backupRisk := func(t *testing.T, in ClusterInput) (string, Recommendation) {
		t.Helper()
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rec.Risks {
			if r.Category == "backup" && r.Severity == "high" {
				return r.Description, rec
			}
		}
		t.Fatalf("no high backup risk in %+v", rec.Risks)
		return "", rec
	}
	in := idleMultiAZ(14)
	in.AutomatedBackupsOff = true
	_, rec := backupRisk(t, in)
	end := rec.End
	for _, tc := range []struct {
		name    string
		edit    func(*ClusterInput)
		want    []string
		notWant []string
	}{
		{name: "not listed", edit: func(*ClusterInput) {},
			want:    []string{"from the latest snapshot (a manual one or an AWS Backup plan's; at first the guard snapshot rightsize_db_topology takes), losing every write made since"},
			notWant: []string{"Its latest", "no snapshot"}},
		{name: "manual, 9.5 days", edit: func(in *ClusterInput) {
			in.SnapshotsListed, in.SnapshotsListedAt = true, end
			in.LatestSnapshot = Snapshot{ID: "mandible-before-upgrade", Type: "manual", Time: end.Add(-228 * time.Hour)}
		},
			want: []string{"from the latest snapshot, losing every write made since. Its latest in this region is manual snapshot mandible-before-upgrade, taken " +
				end.Add(-228*time.Hour).UTC().Format("2006-01-02 15:04") + " UTC, 9.5 days old when listed (once rightsize_db_topology makes the change, its guard snapshot is the latest). Turn them on"},
			notWant: []string{"a manual one or an AWS Backup plan's", "no snapshot"}},
		{name: "AWS Backup, hours", edit: func(in *ClusterInput) {
			in.SnapshotsListed, in.SnapshotsListedAt = true, end
			in.LatestSnapshot = Snapshot{ID: "awsbackup:job-0f1e", Type: "awsbackup", Time: end.Add(-30 * time.Hour)}
		},
			want: []string{"AWS Backup snapshot awsbackup:job-0f1e", "30 hours old when listed"}},
		{name: "listed 10 days after the window", edit: func(in *ClusterInput) {
			in.SnapshotsListed, in.SnapshotsListedAt = true, end.Add(241*time.Hour)
			in.LatestSnapshot = Snapshot{ID: "fresh", Type: "manual", Time: end.Add(time.Hour)}
		},
			want: []string{"manual snapshot fresh, taken " + end.Add(time.Hour).UTC().Format("2006-01-02 15:04") + " UTC, 10.0 days old when listed (once rightsize_db_topology makes the change"}},
		{name: "taken after the listing (clocks apart)", edit: func(in *ClusterInput) {
			in.SnapshotsListed, in.SnapshotsListedAt = true, end
			in.LatestSnapshot = Snapshot{ID: "fresh", Type: "manual", Time: end.Add(time.Minute)}
		},
			want:    []string{"manual snapshot fresh, taken " + end.Add(time.Minute).UTC().Format("2006-01-02 15:04") + " UTC (once rightsize_db_topology makes the change"},
			notWant: []string{"old when listed"}},
		{name: "none", edit: func(in *ClusterInput) { in.SnapshotsListed, in.SnapshotsListedAt = true, end },
			want:    []string{"losing every write made since. The instance has no snapshot in this region (manual or AWS Backup's): until one is taken (rightsize_db_topology's guard snapshot is the first), a failed volume loses the database. Turn them on"},
			notWant: []string{"Take one now", "Its latest"}},
		{name: "none, one node already", edit: func(in *ClusterInput) {
			in.SnapshotsListed, in.SnapshotsListedAt, in.AlreadySingleNode = true, end, true
		},
			want:    []string{"on this single node", "a failed volume loses the database. Take one now (CreateDBSnapshot). Turn them on"},
			notWant: []string{"guard snapshot"}},
		// Stopped: CreateDBSnapshot refuses a stopped instance (InvalidDBInstanceState).
		{name: "none, one node already, stopped", edit: func(in *ClusterInput) {
			in.SnapshotsListed, in.SnapshotsListedAt, in.AlreadySingleNode, in.Stopped = true, end, true, true
		},
			want: []string{"a failed volume loses the database. Take one (CreateDBSnapshot) as soon as it is available again. Turn them on",
				"do it in a quiet hour. It is stopped: start it first (StartDBInstance), as RDS modifies and snapshots only an available instance"},
			notWant: []string{"Take one now", "guard snapshot"}},
		// Starting: RDS starts it already; stopping: it must stop before StartDBInstance is taken.
		{name: "none, one node already, starting", edit: func(in *ClusterInput) {
			in.SnapshotsListed, in.SnapshotsListedAt, in.AlreadySingleNode, in.Stopped, in.StoppedStatus = true, end, true, true, "starting"
		},
			want:    []string{"Take one (CreateDBSnapshot) as soon as it is available again", "It is starting: wait until it is available, as RDS modifies and snapshots only an available instance"},
			notWant: []string{"StartDBInstance"}},
		{name: "none, one node already, stopping", edit: func(in *ClusterInput) {
			in.SnapshotsListed, in.SnapshotsListedAt, in.AlreadySingleNode, in.Stopped, in.StoppedStatus = true, end, true, true, "stopping"
		},
			want: []string{"It is stopping: once it is stopped, start it (StartDBInstance), as RDS modifies and snapshots only an available instance"}},
		{name: "none, one node already, stopped (status given)", edit: func(in *ClusterInput) {
			in.SnapshotsListed, in.SnapshotsListedAt, in.AlreadySingleNode, in.Stopped, in.StoppedStatus = true, end, true, true, "stopped"
		},
			want: []string{"It is stopped: start it first (StartDBInstance)"}},
		{name: "none, stopped, two nodes", edit: func(in *ClusterInput) {
			in.SnapshotsListed, in.SnapshotsListedAt, in.Stopped = true, end, true
		},
			want:    []string{"until one is taken (rightsize_db_topology's guard snapshot is the first)", "It is stopped: start it first (StartDBInstance)"},
			notWant: []string{"Take one"}},
		{name: "one node already", edit: func(in *ClusterInput) {
			in.SnapshotsListed, in.SnapshotsListedAt, in.AlreadySingleNode = true, end, true
			in.LatestSnapshot = Snapshot{ID: "nightly-1", Type: "manual", Time: end.Add(-72 * time.Hour)}
		},
			want:    []string{"manual snapshot nightly-1", "3.0 days old when listed. Turn them on"},
			notWant: []string{"guard snapshot"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := idleMultiAZ(14)
			in.AutomatedBackupsOff = true
			tc.edit(&in)
			got, _ := backupRisk(t, in)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("backup risk %q\nlacks %q", got, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("backup risk %q\nholds %q", got, w)
				}
			}
		})
	}
	for _, bad := range []func(*ClusterInput){
		func(in *ClusterInput) { in.LatestSnapshot = Snapshot{ID: "x", Type: "manual", Time: end} },
		func(in *ClusterInput) {
			in.SnapshotsListed, in.SnapshotsListedAt, in.LatestSnapshot = true, end, Snapshot{ID: "x", Type: "manual"}
		},
	} {
		in := idleMultiAZ(14)
		bad(&in)
		if _, err := Analyze(in, Policy{}); err == nil || !strings.Contains(err.Error(), `latest snapshot "x"`) {
			t.Errorf("Analyze: %v, want the latest snapshot refused", err)
		}
	}
	in = idleMultiAZ(14)
	in.SnapshotsListed = true
	if _, err := Analyze(in, Policy{}); err == nil || !strings.Contains(err.Error(), "want SnapshotsListedAt") {
		t.Errorf("Analyze: %v, want a listing without its time refused", err)
	}
}

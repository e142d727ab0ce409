package analysis

import (
	"fmt"
	"time"
)

// Snapshot is a DB snapshot of an RDS instance (ClusterInput.LatestSnapshot).
type Snapshot struct {
	ID   string    // the DBSnapshotIdentifier
	Type string    // RDS's SnapshotType: "manual", "awsbackup" (an AWS Backup plan's) or "automated"
	Time time.Time // when its data was taken (OriginalSnapshotCreateTime: a copy's is its source's)
}

// kind names the snapshot's type for a reader.
func (s Snapshot) kind() string {
	switch s.Type {
	case "awsbackup":
		return "AWS Backup snapshot"
	case "manual", "automated":
		return s.Type + " snapshot"
	}
	return "snapshot"
}

// latestSnapshot is what the backup risk of an RDS instance without automated backups says of
// its latest snapshot (ClusterInput.LatestSnapshot), with its age when the snapshots were listed
// (SnapshotsListedAt: the writes a failure then would lose), given whether it runs one node
// already: "" when its snapshots were not listed. The listing is of the instance's region:
// copies in other regions or accounts are not in it.
func latestSnapshot(in ClusterInput, already bool) string {
	if !in.SnapshotsListed {
		return ""
	}
	sn := in.LatestSnapshot
	if sn.ID == "" {
		if already && in.Stopped { // the risk ends with stoppedFirst
			return "The instance has no snapshot in this region (manual or AWS Backup's): a failed volume loses the database. Take one (CreateDBSnapshot) as soon as it is available again. "
		}
		if already {
			return "The instance has no snapshot in this region (manual or AWS Backup's): a failed volume loses the database. Take one now (CreateDBSnapshot). "
		}
		return "The instance has no snapshot in this region (manual or AWS Backup's): until one is taken (rightsize_db_topology's guard snapshot is the first), a failed volume loses the database. "
	}
	s := fmt.Sprintf("Its latest in this region is %s %s, taken %s UTC", sn.kind(), sn.ID, sn.Time.UTC().Format("2006-01-02 15:04"))
	if age := in.SnapshotsListedAt.Sub(sn.Time); age >= 0 {
		s += ", " + ageText(age) + " old when listed"
	}
	if already {
		return s + ". "
	}
	return s + " (once rightsize_db_topology makes the change, its guard snapshot is the latest). "
}

// ageText writes a non-negative duration in hours below two days, else in days.
func ageText(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%.0f hours", d.Hours())
	}
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}

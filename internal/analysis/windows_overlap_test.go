package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// One hour of the week without data (NaN) disables the maintenance suggestion, so the current
// maintenance window stays: the suggested backup window must not land on it, which RDS rejects
// (ModifyDBInstance: the backup window must not conflict with the maintenance window).
func TestWindowsSuggestedBackupClearOfKeptMaintenance(t *testing.T) {
	p := Profile{Metric: "cpu", Mean: make([]float64, HoursPerWeek)}
	for h := range p.Mean {
		p.Mean[h] = 30
		if h%24 == 3 { // 03:00 UTC is the quietest hour every day
			p.Mean[h] = 5
		}
		if h%24 == 14 { // the current backup window's hour is busy
			p.Mean[h] = 60
		}
	}
	p.Mean[3*24+12] = math.NaN() // Wednesday 12:00 has no data
	a, err := AdviseWindows(p, TopologyMultiAZ, "14:00-14:30", "sun:03:00-sun:03:30")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backup suggested %q, maintenance suggested %q (current maintenance sun:03:00-sun:03:30)", a.SuggestedBackupWindow, a.SuggestedMaintenanceWindow)
	maint := a.SuggestedMaintenanceWindow
	if maint == "" {
		maint = "sun:03:00-sun:03:30" // nothing suggested: the current window stays
	}
	b, _ := ParseBackupWindow(a.SuggestedBackupWindow)
	m, _ := ParseMaintenanceWindow(maint)
	if overlapsWindow(b, m) {
		t.Errorf("suggested backup window %s overlaps the maintenance window %s that stays", b, m)
	}
}

// The recommendation tells the user to move the backup and maintenance windows to the quietest
// hours (rec.Windows.Suggested*) and to migrate in the quietest hours of the week
// (rec.MigrationWindow): the migration window must avoid the suggested windows too, where the
// automated backup would hold the instance in backing-up and defer the guard snapshot. Two loads:
// a weekday bump, and a daily cycle quiet at night (the suggested backup window and the migration
// window both want the night hours).
func TestWindowsMigrationWindowClearOfSuggestedWindows(t *testing.T) {
	for name, cpu := range map[string]func(time.Time, int) float64{
		"weekday bump": func(t time.Time, i int) float64 { return 8 + 22*weekdayBump(t, 14, 17) + 1.5*noise(i, 11) },
		"daily cycle":  func(t time.Time, i int) float64 { return 20 + 15*daily(t.Add(-9*time.Hour)) + 0.5*noise(i, 7) },
	} {
		in := withWindows(idleMultiAZ(14), "15:00-15:30", "tue:15:00-tue:15:30")
		in.Nodes[0].Series[slices.IndexFunc(in.Nodes[0].Series, func(s Series) bool { return s.Metric == MetricCPU })] =
			seriesOf(load{MetricCPU: cpu}, 14, 5*time.Minute)[0]
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		mw := rec.MigrationWindow
		t.Logf("%s: suggested backup %q, maintenance %q; migration window %s %02d:00 for %d h (%s)", name,
			rec.Windows.SuggestedBackupWindow, rec.Windows.SuggestedMaintenanceWindow, mw.Weekday, mw.StartHourUTC, mw.LengthHours, mw.Reason)
		start := (slices.Index(weekdays[:], mw.Weekday)*24 + mw.StartHourUTC) * 60
		b, errB := ParseBackupWindow(rec.Windows.SuggestedBackupWindow)
		m, errM := ParseMaintenanceWindow(rec.Windows.SuggestedMaintenanceWindow)
		if errB != nil || errM != nil {
			t.Fatalf("%s: no suggested windows: %v, %v", name, errB, errM)
		}
		for _, w := range []ScheduledWindow{b, m} {
			if w.overlaps(start, mw.LengthHours*60) {
				t.Errorf("%s: the migration window meets the suggested window %s", name, w)
			}
		}
	}
}

// Aurora: the suggested maintenance window stays clear of the cluster's backup window.
// ModifyDBInstance documents PreferredMaintenanceWindow as "must not conflict with the preferred
// backup window", with no exception for Aurora.
func TestWindowsAuroraMaintenanceClearOfClusterBackup(t *testing.T) {
	p := Profile{Metric: "cpu", Mean: make([]float64, HoursPerWeek)}
	for h := range p.Mean {
		p.Mean[h] = 30
		if h%24 == 3 {
			p.Mean[h] = 5
		}
		if h == 2*24+15 {
			p.Mean[h] = 70 // the current maintenance window's hour is busy
		}
	}
	a, err := AdviseWindows(p, TopologyAurora, "03:00-03:30", "tue:15:00-tue:15:30")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ParseBackupWindow("03:00-03:30")
	m, _ := ParseMaintenanceWindow(a.SuggestedMaintenanceWindow)
	t.Logf("Aurora: suggested maintenance %q, cluster backup window 03:00-03:30", a.SuggestedMaintenanceWindow)
	if overlapsWindow(b, m) {
		t.Errorf("suggested maintenance window %s overlaps the cluster's backup window %s", m, b)
	}
}

// When no window avoids the current and the suggested windows together, the migration window
// avoids the current ones (those in force), and says so.
func TestMigrationWindowFallsBackToCurrentWindows(t *testing.T) {
	p := Profile{Metric: "cpu", Mean: make([]float64, HoursPerWeek)}
	for h := range p.Mean {
		p.Mean[h] = float64(10 + h%7)
	}
	in := ClusterInput{Name: "sso-prod", Topology: TopologyAurora, MaintenanceWindow: "sun:03:00-sun:03:30", MigrationWindowHours: 96}
	// Two weekly windows 84 hours apart: no 96-hour window misses both.
	adv := WindowAdvice{SuggestedMaintenanceWindow: "wed:15:00-wed:15:30"}
	w, err := migrationWindow(p, in, adv)
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := ParseMaintenanceWindow(in.MaintenanceWindow)
	start := (slices.Index(weekdays[:], w.Weekday)*24 + w.StartHourUTC) * 60
	if !w.Known || cur.overlaps(start, w.LengthHours*60) || !strings.HasSuffix(w.Reason, "outside sun:03:00-sun:03:30 UTC") {
		t.Errorf("window %+v meets the current maintenance window %s or does not say it avoids it", w, cur)
	}
	// Both can be avoided with a shorter window.
	in.MigrationWindowHours = 2
	if w, err = migrationWindow(p, in, adv); err != nil || !strings.HasSuffix(w.Reason, "outside sun:03:00-sun:03:30 and wed:15:00-wed:15:30 UTC") {
		t.Errorf("2-hour window %+v, %v: want it clear of both", w, err)
	}
}

// TestMigrationWindowClearOfClusterMaintenance: the migration window keeps out of an Aurora
// cluster's own maintenance window (ClusterMaintenanceWindow) as of the writer's, and says so; a
// malformed one is refused.
func TestMigrationWindowClearOfClusterMaintenance(t *testing.T) {
	in := idleAuroraPair(4.8)
	in.MigrationWindowHours = 2
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	first := rec.MigrationWindow
	if !first.Known {
		t.Fatalf("no migration window: %+v", first)
	}
	day := strings.ToLower(first.Weekday[:3])
	in.ClusterMaintenanceWindow = fmt.Sprintf("%s:%02d:00-%s:%02d:30", day, first.StartHourUTC, day, first.StartHourUTC)
	if rec, err = Analyze(in, Policy{}); err != nil {
		t.Fatal(err)
	}
	w := rec.MigrationWindow
	if !w.Known || w.Weekday == first.Weekday && w.StartHourUTC == first.StartHourUTC || !strings.Contains(w.Reason, in.ClusterMaintenanceWindow) {
		t.Errorf("with the cluster's window %s: %+v (was %+v)", in.ClusterMaintenanceWindow, w, first)
	}
	in.ClusterMaintenanceWindow = "someday"
	if _, err := Analyze(in, Policy{}); err == nil || !strings.Contains(err.Error(), "someday") {
		t.Errorf("malformed cluster window: %v", err)
	}
}

package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseWindows(t *testing.T) {
	for _, tc := range []struct {
		in        string
		maint     bool
		want      ScheduledWindow
		canonical string // String(); "" = in
		wantErr   string
	}{
		{in: "03:00-03:30", want: ScheduledWindow{Daily: true, Start: 180, Minutes: 30}},
		{in: "23:45-00:15", want: ScheduledWindow{Daily: true, Start: 23*60 + 45, Minutes: 30}},
		{in: "00:00-23:59", want: ScheduledWindow{Daily: true, Start: 0, Minutes: 1439}},
		{in: "sun:05:00-sun:05:30", maint: true, want: ScheduledWindow{Start: 300, Minutes: 30}},
		{in: "Sat:23:30-SUN:00:30", maint: true, want: ScheduledWindow{Start: 6*1440 + 23*60 + 30, Minutes: 60}, canonical: "sat:23:30-sun:00:30"},
		{in: "mon:22:00-tue:02:00", maint: true, want: ScheduledWindow{Start: 1440 + 22*60, Minutes: 240}},
		{in: "", wantErr: "want hh24:mi-hh24:mi"},
		{in: "3:00-03:30", wantErr: "want hh24:mi-hh24:mi"},
		{in: "24:00-00:30", wantErr: "want hh24:mi-hh24:mi"},
		{in: "03:60-04:30", wantErr: "want hh24:mi-hh24:mi"},
		{in: "03:00", wantErr: "want hh24:mi-hh24:mi"},
		{in: "03:00-03:00", wantErr: "start and end are the same"},
		{in: "sun:05:00-sun:05:30", wantErr: "want hh24:mi-hh24:mi"},
		{in: "", maint: true, wantErr: "want ddd:hh24:mi-ddd:hh24:mi"},
		{in: "05:00-05:30", maint: true, wantErr: "want ddd:hh24:mi-ddd:hh24:mi"},
		{in: "xyz:05:00-sun:05:30", maint: true, wantErr: "want ddd:hh24:mi-ddd:hh24:mi"},
		{in: "sun:5:00-sun:05:30", maint: true, wantErr: "want ddd:hh24:mi-ddd:hh24:mi"},
		{in: "sun:05:00-sun:05:00", maint: true, wantErr: "start and end are the same"},
	} {
		parse := ParseBackupWindow
		if tc.maint {
			parse = ParseMaintenanceWindow
		}
		got, err := parse(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.in)) {
				t.Errorf("parse(%q) error %v, want one naming it and %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		want := tc.canonical
		if want == "" {
			want = tc.in
		}
		if s := got.String(); s != want {
			t.Errorf("%+v.String() = %q, want %q", got, s, want)
		}
	}
}

func TestScheduledWindowHours(t *testing.T) {
	for _, tc := range []struct {
		w    string
		want []int
	}{
		{"03:00-03:30", []int{3, 27, 51, 75, 99, 123, 147}},
		{"03:45-04:15", []int{3, 4, 27, 28, 51, 52, 75, 76, 99, 100, 123, 124, 147, 148}},
		{"sun:05:00-sun:05:30", []int{5}},
		{"sat:23:30-sun:00:30", []int{0, 167}},
		{"mon:22:00-tue:02:00", []int{46, 47, 48, 49}},
	} {
		w, err := ParseBackupWindow(tc.w)
		if err != nil {
			w, err = ParseMaintenanceWindow(tc.w)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := w.hours(); !slices.Equal(got, tc.want) {
			t.Errorf("%s touches hours %v, want %v", tc.w, got, tc.want)
		}
	}
}

// dailyProfile is busy (50) from 08:00 to 19:59 UTC and quiet (10) otherwise, with the quietest
// hour of the day 04:00 (5), except on Saturdays, when 04:00 is busy (30) and 02:00 is 1.
func dailyProfile() Profile {
	p := flatProfile(10)
	for d := range 7 {
		for h := 8; h < 20; h++ {
			p.Mean[d*24+h] = 50
		}
		p.Mean[d*24+4] = 5
		p.Mean[d*24+2] = 7
	}
	p.Mean[6*24+4], p.Mean[6*24+2] = 30, 1
	return p
}

func TestAdviseWindows(t *testing.T) {
	nan := math.NaN()
	gappy := dailyProfile()
	gappy.Mean[3*24+2] = nan // one Wednesday hour without data
	for _, tc := range []struct {
		name           string
		p              Profile
		topo           Topology
		backup, maint  string
		wantBackup     WindowLoad
		wantMaint      WindowLoad
		suggBackup     string
		suggBackupLoad float64
		suggMaint      string
		suggMaintLoad  float64
		wantErr        string
	}{
		{
			// 04:00 is quietest on six days but Saturday's 30 makes its busiest day 30; 02:00's
			// busiest day is 7. The quietest hour of the week, Saturday 02:00, is then taken by the
			// backup's first half: maintenance gets its second half.
			name: "Multi-AZ", p: dailyProfile(), topo: TopologyMultiAZ, backup: "09:30-10:00", maint: "sat:04:00-sat:04:30",
			wantBackup: WindowLoad{Window: "09:30-10:00", Known: true, PeakLoad: 50},
			wantMaint:  WindowLoad{Window: "sat:04:00-sat:04:30", Known: true, PeakLoad: 30},
			suggBackup: "02:00-02:30", suggBackupLoad: 7, suggMaint: "sat:02:30-sat:03:00", suggMaintLoad: 1,
		},
		{
			// Both current windows are within 5 points of the quietest: they stay.
			name: "close enough stays", p: dailyProfile(), topo: TopologyMultiAZ, backup: "00:00-00:30", maint: "Mon:04:00-Mon:04:30",
			wantBackup: WindowLoad{Window: "00:00-00:30", Known: true, PeakLoad: 10},
			wantMaint:  WindowLoad{Window: "Mon:04:00-Mon:04:30", Known: true, PeakLoad: 5},
			suggBackup: "00:00-00:30", suggBackupLoad: 10, suggMaint: "Mon:04:00-Mon:04:30", suggMaintLoad: 5,
		},
		{
			// The backup window stays at 02:15-02:45, which leaves no half hour of Saturday 02:00
			// (the quietest hour) free: maintenance goes to the next quietest, 04:00 on Sunday; the
			// current maintenance window, close enough to it but overlapping the backup's, moves.
			name: "maintenance clear of the backup window", p: dailyProfile(), topo: TopologyMultiAZ, backup: "02:15-02:45", maint: "mon:02:00-mon:03:00",
			wantBackup: WindowLoad{Window: "02:15-02:45", Known: true, PeakLoad: 7},
			wantMaint:  WindowLoad{Window: "mon:02:00-mon:03:00", Known: true, PeakLoad: 7},
			suggBackup: "02:15-02:45", suggBackupLoad: 7, suggMaint: "sun:04:00-sun:04:30", suggMaintLoad: 5,
		},
		{
			name: "a daily window over two hours takes its busiest", p: dailyProfile(), topo: TopologyMultiAZ, backup: "07:45-08:15",
			wantBackup: WindowLoad{Window: "07:45-08:15", Known: true, PeakLoad: 50}, wantMaint: WindowLoad{PeakLoad: nan},
			suggBackup: "02:00-02:30", suggBackupLoad: 7, suggMaint: "sat:02:30-sat:03:00", suggMaintLoad: 1,
		},
		{
			name: "Aurora suggests no backup window", p: dailyProfile(), topo: TopologyAurora, maint: "wed:12:00-wed:12:30",
			wantBackup: WindowLoad{PeakLoad: nan}, wantMaint: WindowLoad{Window: "wed:12:00-wed:12:30", Known: true, PeakLoad: 50},
			suggBackupLoad: nan, suggMaint: "sat:02:00-sat:02:30", suggMaintLoad: 1,
		},
		{
			// Wednesday 02:00 has no data: 02:00 cannot be vouched for on every day, and no hour of
			// the week is the quietest for sure.
			name: "hours without data", p: gappy, topo: TopologyMultiAZ, backup: "02:00-02:30", maint: "sat:02:00-sat:02:30",
			wantBackup: WindowLoad{Window: "02:00-02:30", PeakLoad: nan}, wantMaint: WindowLoad{Window: "sat:02:00-sat:02:30", Known: true, PeakLoad: 1},
			suggBackup: "00:00-00:30", suggBackupLoad: 10, suggMaintLoad: nan,
		},
		{
			name: "no data", p: flatProfile(nan), topo: TopologyMultiAZ, backup: "02:00-02:30",
			wantBackup: WindowLoad{Window: "02:00-02:30", PeakLoad: nan}, wantMaint: WindowLoad{PeakLoad: nan},
			suggBackupLoad: nan, suggMaintLoad: nan,
		},
		{name: "bad backup window", p: dailyProfile(), topo: TopologyMultiAZ, backup: "3am", wantErr: `backup window "3am"`},
		{name: "bad maintenance window", p: dailyProfile(), topo: TopologyMultiAZ, maint: "sunday", wantErr: `maintenance window "sunday"`},
		{name: "wrong profile", p: Profile{Mean: make([]float64, 24)}, topo: TopologyMultiAZ, wantErr: "168"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := slices.Clone(tc.p.Mean)
			got, err := AdviseWindows(tc.p, tc.topo, tc.backup, tc.maint)
			if !slices.EqualFunc(before, tc.p.Mean, func(a, b float64) bool { return a == b || (a != a && b != b) }) {
				t.Error("the profile was modified")
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			same := func(a, b float64) bool { return a == b || (a != a && b != b) }
			loadEq := func(a, b WindowLoad) bool {
				return a.Window == b.Window && a.Known == b.Known && same(a.PeakLoad, b.PeakLoad)
			}
			if !loadEq(got.Backup, tc.wantBackup) || !loadEq(got.Maintenance, tc.wantMaint) {
				t.Errorf("loads %+v, %+v; want %+v, %+v", got.Backup, got.Maintenance, tc.wantBackup, tc.wantMaint)
			}
			if got.SuggestedBackupWindow != tc.suggBackup || !same(got.SuggestedBackupLoad, tc.suggBackupLoad) ||
				got.SuggestedMaintenanceWindow != tc.suggMaint || !same(got.SuggestedMaintenanceLoad, tc.suggMaintLoad) {
				t.Errorf("suggested %q (%v), %q (%v); want %q (%v), %q (%v)", got.SuggestedBackupWindow, got.SuggestedBackupLoad,
					got.SuggestedMaintenanceWindow, got.SuggestedMaintenanceLoad, tc.suggBackup, tc.suggBackupLoad, tc.suggMaint, tc.suggMaintLoad)
			}
			for _, s := range []string{got.SuggestedBackupWindow, got.SuggestedMaintenanceWindow} {
				if s == "" {
					continue
				}
				if _, err := ParseBackupWindow(s); err != nil {
					if _, err := ParseMaintenanceWindow(s); err != nil {
						t.Errorf("suggestion %q does not parse: %v", s, err)
					}
				}
			}
			if b, m := got.SuggestedBackupWindow, got.SuggestedMaintenanceWindow; b != "" && m != "" {
				bw, _ := ParseBackupWindow(b)
				mw, _ := ParseMaintenanceWindow(m)
				if bw.overlaps(mw.Start, mw.Minutes) {
					t.Errorf("suggested windows %s and %s overlap", b, m)
				}
			}
		})
	}
}

func TestMigrationWindowAvoiding(t *testing.T) {
	p := dailyProfile()
	backup, _ := ParseBackupWindow("02:00-02:30")
	maint, _ := ParseMaintenanceWindow("sat:04:00-sat:05:00")
	for _, tc := range []struct {
		name   string
		hours  int
		avoid  []ScheduledWindow
		want   string // weekday and start hour
		reason string
	}{
		// Unconstrained, Saturday 01:00–02:59 and 02:00–03:59 tie for the lowest mean (10 and 1, 1 and 10): the earlier wins.
		{"no windows", 2, nil, "Saturday 01", "over 2 hours of the hour-of-week profile"},
		{"outside the backup window", 2, []ScheduledWindow{backup}, "Sunday 03", "outside 02:00-02:30 UTC"},
		{"outside both", 1, []ScheduledWindow{backup, maint}, "Sunday 04", "outside 02:00-02:30 and sat:04:00-sat:05:00 UTC"},
		{"nothing avoids them", 168, []ScheduledWindow{backup}, "Sunday 00", "no window avoids 02:00-02:30 UTC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := MigrationWindowAvoiding(p, tc.hours, tc.avoid...)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%s %02d", w.Weekday, w.StartHourUTC); !w.Known || got != tc.want || !strings.Contains(w.Reason, tc.reason) {
				t.Errorf("window %s (%v): %q; want %s, reason with %q", got, w.Known, w.Reason, tc.want, tc.reason)
			}
			for _, a := range tc.avoid {
				if tc.hours < 168 && a.overlaps((weekdayIndex(w.Weekday)*24+w.StartHourUTC)*60, tc.hours*60) {
					t.Errorf("window %+v meets %s", w, a)
				}
			}
		})
	}
}

func weekdayIndex(name string) int { return slices.Index(weekdays[:], name) }

// TestAnalyzeWindows runs the windows through Analyze: the advice, the migration window outside
// them, the risks and their severity, pending maintenance (only an OS or hardware update on the
// writer counts), and validation.
func TestAnalyzeWindows(t *testing.T) {
	in := withWindows(idleMultiAZ(14), "03:00-03:30", "sun:05:00-sun:05:30",
		PendingMaintenance{Resource: "sso-prod", Action: "system-update", ForcedApply: time.Date(2027, 1, 4, 5, 0, 0, 0, time.UTC)},
		PendingMaintenance{Resource: "sso-prod", Action: "db-upgrade", Description: "minor version upgrade"},
		PendingMaintenance{Resource: "sso-prod-standby", Action: "hardware-maintenance"})
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	wa := rec.Windows
	if !wa.Backup.Known || !wa.Maintenance.Known || wa.SuggestedBackupWindow == "" || wa.SuggestedMaintenanceWindow == "" ||
		len(wa.Pending) != 3 || !(wa.SuggestedBackupLoad <= wa.Backup.PeakLoad) {
		t.Errorf("windows %+v", wa)
	}
	if mw := rec.MigrationWindow; !strings.Contains(mw.Reason, "outside 03:00-03:30 and sun:05:00-sun:05:30 UTC") {
		t.Errorf("migration window %+v", mw)
	}
	var pending, backup []Risk
	for _, r := range rec.Risks {
		if strings.HasPrefix(r.Description, "Pending maintenance") {
			pending = append(pending, r)
		}
		if r.Category == "backup" {
			backup = append(backup, r)
		}
	}
	if len(pending) != 1 || pending[0].Severity != "medium" || !strings.Contains(pending[0].Description, "system-update on sso-prod, forced on 2027-01-04 05:00 UTC") {
		t.Errorf("pending maintenance risks %+v", pending)
	}
	// The idle instance's windows are within windowMoveMargin of the quietest: low, and no advice
	// to move them.
	if len(backup) != 1 || backup[0].Severity != "low" || !strings.Contains(backup[0].Description, "the daily backup window 03:00-03:30 UTC meets projected CPU up to") ||
		strings.Contains(backup[0].Description, "the quietest is") {
		t.Errorf("backup risks %+v", backup)
	}

	// A busy instance whose windows sit in its weekday peak (14:00–17:00 UTC): move them, and
	// the backup risk is medium; with a higher alert threshold (busy is above half of it) low.
	busy := withWindows(idleMultiAZ(14), "15:00-15:30", "tue:15:00-tue:15:30")
	cpu := func(t time.Time, i int) float64 { return 8 + 22*weekdayBump(t, 14, 17) + 1.5*noise(i, 11) }
	busy.Nodes[0].Series[slices.IndexFunc(busy.Nodes[0].Series, func(s Series) bool { return s.Metric == MetricCPU })] =
		seriesOf(load{MetricCPU: cpu}, 14, 5*time.Minute)[0]
	for _, tc := range []struct {
		threshold float64
		severity  string
	}{{0, "medium"}, {70, "low"}} {
		rec, err = Analyze(busy, Policy{AlertThresholdPercent: tc.threshold})
		if err != nil {
			t.Fatal(err)
		}
		wa := rec.Windows
		var got []string
		for _, r := range rec.Risks {
			if r.Category == "backup" || strings.HasPrefix(r.Description, "OS patching") {
				got = append(got, r.Severity+" "+r.Description)
			}
		}
		if len(got) != 2 || !strings.HasPrefix(got[0], tc.severity+" On Single-AZ") && !strings.HasPrefix(got[1], tc.severity+" On Single-AZ") ||
			!strings.Contains(strings.Join(got, "\n"), "; the quietest is "+wa.SuggestedBackupWindow+" UTC") ||
			!strings.Contains(strings.Join(got, "\n"), "; the quietest is "+wa.SuggestedMaintenanceWindow+" UTC") {
			t.Errorf("threshold %v: busy windows %+v: risks %q", tc.threshold, wa, got)
		}
	}

	// Aurora: no backup advice; a pending OS update on the reader, which goes, does not count.
	au := withWindows(auroraPair(14), "03:00-03:30", "mon:15:00-mon:15:30",
		PendingMaintenance{Resource: "mandible-prod-2", Action: "system-update"},
		PendingMaintenance{Resource: "mandible-prod-1", Action: "os-upgrade"})
	rec, err = Analyze(au, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Windows.SuggestedBackupWindow != "" || strings.Contains(rec.MigrationWindow.Reason, "03:00-03:30") {
		t.Errorf("Aurora: windows %+v, migration window %+v", rec.Windows, rec.MigrationWindow)
	}
	n := 0
	for _, r := range rec.Risks {
		if strings.HasPrefix(r.Description, "Pending maintenance") {
			n++
			if !strings.Contains(r.Description, "os-upgrade on mandible-prod-1") || !strings.Contains(r.Description, "failed over to it") {
				t.Errorf("Aurora pending risk %+v", r)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d pending maintenance risks on Aurora, want 1: %+v", n, rec.Risks)
	}

	// Without windows the advice suggests some, and the migration window avoids those.
	rec, err = Analyze(idleMultiAZ(14), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Windows.Backup.Known || rec.Windows.Backup.Window != "" || rec.Windows.SuggestedBackupWindow == "" ||
		!strings.HasSuffix(rec.MigrationWindow.Reason, "outside "+rec.Windows.SuggestedBackupWindow+" and "+rec.Windows.SuggestedMaintenanceWindow+" UTC") {
		t.Errorf("no windows: %+v, %+v", rec.Windows, rec.MigrationWindow)
	}

	for _, bad := range []struct {
		in   ClusterInput
		want string
	}{
		{withWindows(idleMultiAZ(14), "3-4", ""), `backup window "3-4"`},
		{withWindows(idleMultiAZ(14), "", "sun:05:00"), `maintenance window "sun:05:00"`},
		{withWindows(idleMultiAZ(14), "", "", PendingMaintenance{Resource: "sso-prod"}), "the action and its resource must be set"},
	} {
		if _, err := Analyze(bad.in, Policy{}); err == nil || !strings.Contains(err.Error(), bad.want) || !strings.Contains(err.Error(), `cluster "sso-prod"`) {
			t.Errorf("err = %v, want %q", err, bad.want)
		}
	}
}

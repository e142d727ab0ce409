package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Scheduled windows. RDS runs a DB instance's automated backup every day in its preferred backup
// window ("hh24:mi-hh24:mi", UTC) and its maintenance (OS and engine patches, deferred
// modifications) in its weekly maintenance window ("ddd:hh24:mi-ddd:hh24:mi", UTC). Both matter
// more on one node:
//   - a Multi-AZ instance takes its backups from the standby; a Single-AZ one takes them from the
//     instance itself, and I/O can be suspended briefly while the backup starts;
//   - with two nodes, an OS update or a hardware maintenance is applied to the standby (or the
//     Aurora reader) first and costs a failover; on one node it takes the database offline for the
//     whole operation.
// So the recommendation reports the projected load in each window, suggests the quietest ones, and
// keeps the migration window out of them.

const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
)

// ScheduledWindow is a recurring window of the UTC week: a daily one (a backup window) recurs every
// day at the same time, a weekly one (a maintenance window) once a week.
type ScheduledWindow struct {
	Daily bool
	// Start is in minutes from 00:00 UTC (daily) or from Sunday 00:00 UTC (weekly).
	Start int
	// Minutes is the length, at least 1 and less than a day (daily) or a week (weekly).
	Minutes int
}

var weekdayAbbrev = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseBackupWindow parses an RDS preferred backup window, "hh24:mi-hh24:mi" in UTC (e.g.
// "03:00-03:30"); it may wrap past midnight ("23:45-00:15"). It returns an error for any other
// form, an hour above 23 or a minute above 59, and a window whose start and end are equal.
func ParseBackupWindow(s string) (ScheduledWindow, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return ScheduledWindow{}, errorf("backup window %q: want hh24:mi-hh24:mi in UTC, e.g. 03:00-03:30", s)
	}
	start, err1 := parseClock(a)
	end, err2 := parseClock(b)
	if err1 != nil || err2 != nil {
		return ScheduledWindow{}, errorf("backup window %q: want hh24:mi-hh24:mi in UTC, e.g. 03:00-03:30", s)
	}
	n := ((end-start)%minutesPerDay + minutesPerDay) % minutesPerDay
	if n == 0 {
		return ScheduledWindow{}, errorf("backup window %q: its start and end are the same time", s)
	}
	return ScheduledWindow{Daily: true, Start: start, Minutes: n}, nil
}

// ParseMaintenanceWindow parses an RDS preferred maintenance window, "ddd:hh24:mi-ddd:hh24:mi" in
// UTC with ddd one of sun, mon, tue, wed, thu, fri, sat in any case (e.g. "sun:05:00-sun:05:30"); it
// may wrap past Saturday midnight. It returns an error for any other form and for a window whose
// start and end are equal.
func ParseMaintenanceWindow(s string) (ScheduledWindow, error) {
	bad := errorf("maintenance window %q: want ddd:hh24:mi-ddd:hh24:mi in UTC, e.g. sun:05:00-sun:05:30", s)
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return ScheduledWindow{}, bad
	}
	start, err1 := parseWeekClock(a)
	end, err2 := parseWeekClock(b)
	if err1 != nil || err2 != nil {
		return ScheduledWindow{}, bad
	}
	n := ((end-start)%minutesPerWeek + minutesPerWeek) % minutesPerWeek
	if n == 0 {
		return ScheduledWindow{}, errorf("maintenance window %q: its start and end are the same time", s)
	}
	return ScheduledWindow{Start: start, Minutes: n}, nil
}

// parseClock parses "hh:mm" (two digits each) into minutes from midnight.
func parseClock(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' || !digits(s[:2]) || !digits(s[3:]) {
		return 0, fmt.Errorf("bad time %q", s)
	}
	h, m = int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if h > 23 || m > 59 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return h*60 + m, nil
}

// parseWeekClock parses "ddd:hh:mm" into minutes from Sunday midnight.
func parseWeekClock(s string) (int, error) {
	if len(s) != 9 || s[3] != ':' {
		return 0, fmt.Errorf("bad time %q", s)
	}
	d := slices.Index(weekdayAbbrev[:], strings.ToLower(s[:3]))
	m, err := parseClock(s[4:])
	if d < 0 || err != nil {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return d*minutesPerDay + m, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// String formats w as RDS does: "hh24:mi-hh24:mi" for a daily window, "ddd:hh24:mi-ddd:hh24:mi"
// for a weekly one. A Start or end outside the day (daily) or week (weekly) is taken modulo it.
func (w ScheduledWindow) String() string {
	period := w.period()
	mod := func(m int) int { return (m%period + period) % period }
	if w.Daily {
		start, end := mod(w.Start), mod(w.Start+w.Minutes)
		return fmt.Sprintf("%02d:%02d-%02d:%02d", start/60, start%60, end/60, end%60)
	}
	at := func(m int) string {
		m = mod(m)
		return fmt.Sprintf("%s:%02d:%02d", weekdayAbbrev[m/minutesPerDay], m%minutesPerDay/60, m%60)
	}
	return at(w.Start) + "-" + at(w.Start+w.Minutes)
}

// period is the minutes after which w recurs: a day (daily) or a week (weekly).
func (w ScheduledWindow) period() int {
	if w.Daily {
		return minutesPerDay
	}
	return minutesPerWeek
}

// validate reports a window no Parse function returns: Start outside the day (daily) or week
// (weekly), or Minutes not at least 1 and less than it.
func (w ScheduledWindow) validate() error {
	period, kind := w.period(), "weekly"
	if w.Daily {
		kind = "daily"
	}
	if w.Start < 0 || w.Start >= period || w.Minutes < 1 || w.Minutes >= period {
		return fmt.Errorf("%s window starting at minute %d for %d minutes: the start must be in [0, %d) and the length in [1, %d)",
			kind, w.Start, w.Minutes, period, period)
	}
	return nil
}

// occurrences returns w's spans in the week as [start, start+length) minutes from Sunday 00:00 UTC
// (a span may run past the end of the week: it wraps).
func (w ScheduledWindow) occurrences() [][2]int {
	if !w.Daily {
		return [][2]int{{w.Start, w.Minutes}}
	}
	o := make([][2]int, 7)
	for d := range o {
		o[d] = [2]int{d*minutesPerDay + w.Start, w.Minutes}
	}
	return o
}

// overlaps reports whether the span of the week [start, start+length) minutes (wrapping) meets an
// occurrence of w.
func (w ScheduledWindow) overlaps(start, length int) bool {
	for _, o := range w.occurrences() {
		if ringOverlap(start, length, o[0], o[1]) {
			return true
		}
	}
	return false
}

// ringOverlap reports whether two spans of the week's ring of minutes, each shorter than a week,
// share a minute.
func ringOverlap(a, la, b, lb int) bool {
	mod := func(x int) int { return (x%minutesPerWeek + minutesPerWeek) % minutesPerWeek }
	return mod(b-a) < la || mod(a-b) < lb
}

// hours returns the hour-of-week buckets (0 = Sunday 00:00 UTC) that w touches, ascending.
func (w ScheduledWindow) hours() []int {
	var hs []int
	for h := range HoursPerWeek {
		if w.overlaps(h*60, 60) {
			hs = append(hs, h)
		}
	}
	return hs
}

// windowMoveMargin is how much busier, in points of projected CPU, a window must be than the
// quietest for AdviseWindows to suggest moving it: closer than that, the difference is noise.
const windowMoveMargin = 5.0

// WindowLoad is the projected load during a scheduled window.
type WindowLoad struct {
	// Window is the window in RDS's format; empty when not known (then the other fields are
	// zero, and PeakLoad NaN).
	Window string
	// Known is true when the profile has data in every hour the window touches.
	Known bool
	// PeakLoad is the highest mean of the profile (percent CPU in Analyze) among the hours of the
	// week the window touches (a daily window touches one or two hours of every day); NaN when
	// not Known.
	PeakLoad float64
}

// WindowAdvice is what the single node's backup and maintenance windows would meet.
type WindowAdvice struct {
	// Backup and Maintenance are the database's current windows and their load.
	Backup, Maintenance WindowLoad
	// SuggestedBackupWindow is where the backup window should be: the current one when its load
	// is within windowMoveMargin points of the quietest (so the advice does not churn on noise),
	// else 30 minutes in the hour of the day whose busiest day is quietest ("hh:00-hh:30", or
	// "hh:30-hh+1:00" when the first half hour meets the maintenance window that stays because
	// none can be suggested: RDS does not let the two overlap); SuggestedBackupLoad is its load
	// on its busiest day. Empty and NaN for Aurora (its backups are continuous and do not touch
	// the instances) and when no hour of the day has data on every day.
	SuggestedBackupWindow string
	SuggestedBackupLoad   float64
	// SuggestedMaintenanceWindow is where the maintenance window should be: the current one when
	// its load is within windowMoveMargin points of the quietest and it does not overlap the
	// backup window (on Multi-AZ the suggested one, on Aurora the cluster's), else 30 minutes in
	// the quietest hour of the week that has 30 minutes clear of that backup window (RDS does not
	// let the two overlap), from its start or its half past. SuggestedMaintenanceLoad is its
	// load. Empty and NaN unless every hour of the week has data.
	SuggestedMaintenanceWindow string
	SuggestedMaintenanceLoad   float64
	// Pending are the deployment's pending maintenance actions
	// (ClusterInput.PendingMaintenance, a copy), set by Analyze; AdviseWindows leaves it nil.
	Pending []PendingMaintenance
}

// AdviseWindows reports the projected load p (a 168-bucket hour-of-week profile,
// HourOfWeekProfile) during the backup and maintenance windows (RDS's formats, see
// ParseBackupWindow and ParseMaintenanceWindow; empty when not known) and suggests where each
// should be: the current window when it is within windowMoveMargin points of the quietest, else a
// quieter one (see WindowAdvice). Hours without data (NaN) are never suggested. The backup window is only suggested for
// TopologyMultiAZ: on Aurora it does not touch the instance, but the suggested maintenance window
// stays clear of it all the same. Ties go to the earliest hour from
// Sunday 00:00 UTC. It returns an error when len(p.Mean) != 168, t is neither TopologyMultiAZ
// nor TopologyAurora, or a window does not parse.
func AdviseWindows(p Profile, t Topology, backup, maintenance string) (WindowAdvice, error) {
	if len(p.Mean) != HoursPerWeek {
		return WindowAdvice{}, errorf("windows: profile has %d buckets, want %d (use HourOfWeekProfile)", len(p.Mean), HoursPerWeek)
	}
	if t != TopologyMultiAZ && t != TopologyAurora {
		return WindowAdvice{}, errorf("windows: topology %q: must be %q or %q", t, TopologyMultiAZ, TopologyAurora)
	}
	a := WindowAdvice{SuggestedBackupLoad: math.NaN(), SuggestedMaintenanceLoad: math.NaN()}
	var err error
	if a.Backup, err = windowLoad(p, backup, ParseBackupWindow); err != nil {
		return WindowAdvice{}, err
	}
	if a.Maintenance, err = windowLoad(p, maintenance, ParseMaintenanceWindow); err != nil {
		return WindowAdvice{}, err
	}
	// keep reports whether the current window cur is close enough to the quietest load to stay.
	keep := func(cur WindowLoad, quietest float64) bool {
		return cur.Known && cur.PeakLoad <= quietest+windowMoveMargin
	}
	// Whether every hour of the week has data: only then is a maintenance window suggested (an
	// hour never seen could be quieter or busier), else the current one stays.
	allHours := !slices.ContainsFunc(p.Mean, func(v float64) bool { return v != v })
	// backupAt is the backup window the maintenance window must not overlap (RDS refuses the
	// pair): on Multi-AZ the suggested one, on Aurora the cluster's.
	var backupAt *ScheduledWindow
	if t == TopologyMultiAZ {
		// A maintenance window that stays (none can be suggested) is one the suggested backup
		// window must not overlap.
		var stays *ScheduledWindow
		if !allHours && maintenance != "" {
			w, _ := ParseMaintenanceWindow(maintenance)
			stays = &w
		}
		// The hours of the day by the load of their busiest day, quietest first; an hour without
		// data on some day is left out.
		type hourLoad struct {
			hour int
			load float64
		}
		var byLoad []hourLoad
		for h := range 24 {
			busiest := math.Inf(-1)
			for d := range 7 {
				busiest = math.Max(busiest, p.Mean[d*24+h]) // NaN propagates
			}
			if busiest == busiest {
				byLoad = append(byLoad, hourLoad{h, busiest})
			}
		}
		slices.SortStableFunc(byLoad, func(x, y hourLoad) int { return cmp.Compare(x.load, y.load) })
		var quiet *ScheduledWindow
	pick:
		for _, hl := range byLoad {
			for _, off := range []int{0, 30} {
				w := ScheduledWindow{Daily: true, Start: hl.hour*60 + off, Minutes: 30}
				if stays == nil || !overlapsWindow(w, *stays) {
					quiet, a.SuggestedBackupLoad = &w, hl.load
					break pick
				}
			}
		}
		switch {
		case quiet == nil:
		case keep(a.Backup, a.SuggestedBackupLoad):
			w, _ := ParseBackupWindow(backup)
			backupAt, a.SuggestedBackupWindow, a.SuggestedBackupLoad = &w, backup, a.Backup.PeakLoad
		default:
			backupAt, a.SuggestedBackupWindow = quiet, quiet.String()
		}
	} else if backup != "" {
		w, _ := ParseBackupWindow(backup)
		backupAt = &w
	}
	// The quietest half hour of the week clear of backupAt, in a week with data in every hour.
	var hours []int
	if allHours {
		hours = make([]int, HoursPerWeek)
		for h := range hours {
			hours[h] = h
		}
	}
	slices.SortStableFunc(hours, func(x, y int) int { return cmp.Compare(p.Mean[x], p.Mean[y]) })
	for _, h := range hours {
		w := ScheduledWindow{Start: h * 60, Minutes: 30}
		if backupAt != nil && backupAt.overlaps(w.Start, w.Minutes) {
			w.Start += 30
		}
		if backupAt != nil && backupAt.overlaps(w.Start, w.Minutes) {
			continue
		}
		a.SuggestedMaintenanceWindow, a.SuggestedMaintenanceLoad = w.String(), p.Mean[h]
		break
	}
	if a.SuggestedMaintenanceWindow != "" && keep(a.Maintenance, a.SuggestedMaintenanceLoad) {
		if w, _ := ParseMaintenanceWindow(maintenance); backupAt == nil || !overlapsWindow(*backupAt, w) {
			a.SuggestedMaintenanceWindow, a.SuggestedMaintenanceLoad = maintenance, a.Maintenance.PeakLoad
		}
	}
	a.SuggestedBackupLoad, a.SuggestedMaintenanceLoad = round(a.SuggestedBackupLoad, 3), round(a.SuggestedMaintenanceLoad, 3)
	return a, nil
}

// overlapsWindow reports whether two scheduled windows share a minute of the week.
func overlapsWindow(a, b ScheduledWindow) bool {
	for _, o := range b.occurrences() {
		if a.overlaps(o[0], o[1]) {
			return true
		}
	}
	return false
}

// windowLoad parses s (empty: unknown) and reads its load from p.
func windowLoad(p Profile, s string, parse func(string) (ScheduledWindow, error)) (WindowLoad, error) {
	l := WindowLoad{Window: s, PeakLoad: math.NaN()}
	if s == "" {
		return l, nil
	}
	w, err := parse(s)
	if err != nil {
		return WindowLoad{}, err
	}
	peak := math.Inf(-1)
	for _, h := range w.hours() {
		peak = math.Max(peak, p.Mean[h])
	}
	if peak == peak {
		l.Known, l.PeakLoad = true, round(peak, 3)
	}
	return l, nil
}

// PendingMaintenance is a maintenance action RDS has pending for an instance or cluster of the
// deployment (rds:DescribePendingMaintenanceActions).
type PendingMaintenance struct {
	// Resource is the DB instance (or cluster) identifier the action is pending for.
	Resource string
	// Action is RDS's name for it: system-update, os-upgrade, hardware-maintenance, db-upgrade,
	// ca-certificate-rotation, ...
	Action      string
	Description string
	// AutoAppliedAfter: RDS applies the action in the first maintenance window after it.
	// ForcedApply: RDS applies it then, whatever the window. CurrentApply: when it will be
	// applied, as RDS has it scheduled. Zero when not set.
	AutoAppliedAfter, ForcedApply, CurrentApply time.Time
	// OptIn is the opt-in status: "", "immediate", "next-maintenance".
	OptIn string
}

// failoverAbsorbed reports whether two nodes turn the action's downtime into a failover: an OS
// update or a hardware maintenance is applied to the standby (or an Aurora reader) first, and the
// deployment fails over to it. Engine upgrades take the database offline either way.
func (m PendingMaintenance) failoverAbsorbed() bool {
	switch m.Action {
	case "system-update", "os-upgrade", "hardware-maintenance":
		return true
	}
	return false
}

// when says when the action will be applied.
func (m PendingMaintenance) when() string {
	day := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
	switch {
	case !m.CurrentApply.IsZero():
		return "scheduled for " + day(m.CurrentApply)
	case !m.AutoAppliedAfter.IsZero() && !m.ForcedApply.IsZero():
		return "applied in the first maintenance window after " + day(m.AutoAppliedAfter) + ", forced on " + day(m.ForcedApply)
	case !m.AutoAppliedAfter.IsZero():
		return "applied in the first maintenance window after " + day(m.AutoAppliedAfter)
	case !m.ForcedApply.IsZero():
		return "forced on " + day(m.ForcedApply)
	}
	return "not scheduled: applied when you opt in"
}

// Describe names the action, its resource and when it applies, for messages.
func (m PendingMaintenance) Describe() string {
	s := m.Action + " on " + m.Resource
	if m.Description != "" {
		s += " (" + m.Description + ")"
	}
	return s + ", " + m.when()
}

func (m PendingMaintenance) validate() error {
	if m.Resource == "" || m.Action == "" {
		return errorf("pending maintenance %q on %q: the action and its resource must be set", m.Action, m.Resource)
	}
	return nil
}

// windowRisks are the single node's risks from its backup and maintenance windows and its pending
// maintenance. A risk advises moving a window when AdviseWindows suggests another. The backup risk
// is medium, rather than low, when the backup window meets projected CPU above both the profile's
// median hour (median) and half the alert threshold, and should move: a busy instance is the one
// whose clients notice an I/O pause.
func windowRisks(in ClusterInput, wa WindowAdvice, median float64, p Policy, add func(cat, sev, format string, a ...any)) {
	quieter := func(cur WindowLoad, sugg string, load float64) string {
		if !cur.Known || sugg == "" || sugg == cur.Window {
			return ""
		}
		return fmt.Sprintf("; the quietest is %s UTC (up to %.1f%%): move it there", sugg, load)
	}
	writer, _ := in.split()
	switch in.engineTopology() {
	case TopologyMultiAZ:
		b := wa.Backup
		backups := "automated backups and snapshots"
		if in.AutomatedBackupsOff || in.AutomatedBackupsOffPending {
			backups = "snapshots, and automated backups once turned on," // none are taken today, or soon
		}
		if !b.Known {
			add("backup", "low", "On Single-AZ, %s briefly suspend I/O on the instance (Multi-AZ takes them from the standby); keep the backup window in the lowest-traffic hours", backups)
		} else {
			sev := "low"
			if b.PeakLoad > median && b.PeakLoad > p.AlertThresholdPercent/2 && wa.SuggestedBackupWindow != b.Window {
				sev = "medium"
			}
			add("backup", sev, "On Single-AZ, %s briefly suspend I/O on the instance (Multi-AZ takes them from the standby): the daily backup window %s UTC meets projected CPU up to %.1f%% on its busiest day%s",
				backups, b.Window, b.PeakLoad, quieter(b, wa.SuggestedBackupWindow, wa.SuggestedBackupLoad))
		}
		m := "OS patching and instance-class changes now cause downtime for the full maintenance operation instead of a failover"
		if mw := wa.Maintenance; mw.Known {
			m += fmt.Sprintf(": the weekly maintenance window %s UTC meets projected CPU up to %.1f%%%s",
				mw.Window, mw.PeakLoad, quieter(mw, wa.SuggestedMaintenanceWindow, wa.SuggestedMaintenanceLoad))
		}
		add("failure", "medium", "%s", m)
	case TopologyAurora:
		if mw := wa.Maintenance; mw.Known {
			add("failure", "low", "With no reader to fail over to, maintenance that restarts the writer (OS updates, hardware maintenance) takes the cluster offline while it runs: the writer's weekly maintenance window %s UTC meets projected CPU up to %.1f%%%s",
				mw.Window, mw.PeakLoad, quieter(mw, wa.SuggestedMaintenanceWindow, wa.SuggestedMaintenanceLoad))
		}
	}
	how := "with two nodes RDS applies it to the standby first and fails over to it (about a minute of downtime)"
	if in.engineTopology() == TopologyAurora {
		how = "with a reader it can be applied to the reader first and the cluster failed over to it (AWS's advice for OS updates)"
	}
	for _, m := range in.PendingMaintenance {
		if m.Resource != writer.ID || !m.failoverAbsorbed() {
			continue
		}
		add("failure", "medium", "Pending maintenance %s: %s; on one node it takes the database offline while it runs. Apply it before the change (ApplyPendingMaintenanceAction with opt-in immediate, or Apply now in the console)",
			m.Describe(), how)
	}
}

// profileMedian is the median of p's non-NaN buckets (NaN when none).
func profileMedian(p Profile) float64 {
	vs := make([]float64, 0, len(p.Mean))
	for _, v := range p.Mean {
		if v == v {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return math.NaN()
	}
	slices.Sort(vs)
	if n := len(vs); n%2 == 1 {
		return vs[n/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

// unknownWindows is the advice when there is no projected profile: the windows as given, with no
// load and no suggestion.
func unknownWindows(in ClusterInput) WindowAdvice {
	nan := math.NaN()
	return WindowAdvice{
		Backup:              WindowLoad{Window: in.BackupWindow, PeakLoad: nan},
		Maintenance:         WindowLoad{Window: in.MaintenanceWindow, PeakLoad: nan},
		SuggestedBackupLoad: nan, SuggestedMaintenanceLoad: nan,
	}
}

// busyWindows are the windows the migration should avoid: the maintenance window (and an Aurora
// cluster's own, ClusterMaintenanceWindow), and on RDS Multi-AZ the backup window (Aurora's
// continuous backups leave the instances available). in is valid: the windows parse.
func (in ClusterInput) busyWindows() []ScheduledWindow {
	ws := busyWindows(in.engineTopology(), in.BackupWindow, in.MaintenanceWindow)
	if w, err := ParseMaintenanceWindow(in.ClusterMaintenanceWindow); err == nil && in.ClusterMaintenanceWindow != "" && !slices.Contains(ws, w) {
		ws = append(ws, w)
	}
	return ws
}

// busyWindows parses the windows of t's deployment a migration should avoid (see
// ClusterInput.busyWindows), skipping empty ones; backup and maintenance parse.
func busyWindows(t Topology, backup, maintenance string) []ScheduledWindow {
	var ws []ScheduledWindow
	if t == TopologyMultiAZ && backup != "" {
		w, _ := ParseBackupWindow(backup)
		ws = append(ws, w)
	}
	if maintenance != "" {
		w, _ := ParseMaintenanceWindow(maintenance)
		ws = append(ws, w)
	}
	return ws
}

// migrationWindow is the migration window for in, whose projected profile is prof and window
// advice adv: clear of the current backup and maintenance windows and of the ones adv suggests
// (a user who moves them as advised must not then meet them), else clear of the current ones
// only (they are the ones in force), else MigrationWindowAvoiding's fallback.
func migrationWindow(prof Profile, in ClusterInput, adv WindowAdvice) (Window, error) {
	current := in.busyWindows()
	all := slices.Clone(current)
	for _, w := range busyWindows(in.engineTopology(), adv.SuggestedBackupWindow, adv.SuggestedMaintenanceWindow) {
		if !slices.Contains(all, w) {
			all = append(all, w)
		}
	}
	if len(all) > len(current) {
		if w, ok, err := migrationWindowAvoiding(prof, in.MigrationWindowHours, all); err != nil || ok {
			return w, err
		}
	}
	return MigrationWindowAvoiding(prof, in.MigrationWindowHours, current...)
}

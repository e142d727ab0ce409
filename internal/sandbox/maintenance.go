package sandbox

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Backup and maintenance windows, and pending maintenance actions.
//
// A DB instance has a daily backup window (PreferredBackupWindow, "hh24:mi-hh24:mi") and a weekly
// maintenance window (PreferredMaintenanceWindow, "ddd:hh24:mi-ddd:hh24:mi"), both UTC and at
// least 30 minutes long, which must not overlap; an Aurora DB cluster has its own pair. An Aurora
// member keeps its own maintenance window but has no backup window of its own: as in RDS it
// reports its cluster's, and CreateDBInstance / ModifyDBInstance refuse one for it
// (InvalidParameterCombination). Windows are given by the scenario (InstanceSpec, ClusterSpec),
// CreateDBInstance, CreateDBCluster and ModifyDBInstance, which applies them at once; one left out
// takes the default — backup 03:00-03:30, maintenance sun:05:00-sun:05:30 — or, when that would
// overlap the other window given, the first 30-minute window after it, in 30-minute steps, that
// does not (RDS picks a random free one).
//
// A pending maintenance action (InstanceSpec.PendingMaintenance, ClusterSpec.PendingMaintenance)
// waits on its DB instance or cluster until it is applied: at once by ApplyPendingMaintenanceAction
// with OptInType immediate, or by settle at its CurrentApplyDate — the start of the resource's
// next maintenance window for an action opted in with next-maintenance, else the first
// maintenance window at or after its AutoAppliedAfterDate, or its ForcedApplyDate, whichever comes
// first (an action with none of them is never applied by itself). Applying one removes it and
// records two events on the resource ("Applying OS upgrade", "Finished applying OS upgrade", ...);
// nothing else changes (no status, engine version or certificate change). Maintenance windows are
// searched from the action's Since: when it was added, opted in, or its resource's maintenance
// window last changed.

// Default windows (what every resource reported before they were configurable).
const (
	defaultBackupWindow      = "03:00-03:30"
	defaultMaintenanceWindow = "sun:05:00-sun:05:30"
)

const (
	minutesPerDay    = 24 * 60
	minutesPerWeek   = 7 * minutesPerDay
	minWindowMinutes = 30
)

// weekdays are the day names of maintenance windows, indexed by time.Weekday.
var weekdays = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// window is a daily (backup) or weekly (maintenance) time range: its start in minutes from
// midnight UTC (of Sunday, for a weekly one) and its length in minutes.
type window struct {
	start, length int
}

// parseHHMM parses "hh24:mi" into minutes from midnight.
func parseHHMM(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' || !allDigits(s[:2]) || !allDigits(s[3:]) {
		return 0, false
	}
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	if h > 23 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// parseBackupWindow parses a backup window "hh24:mi-hh24:mi" (UTC; it may run past midnight).
func parseBackupWindow(s string) (window, error) {
	from, to, ok := strings.Cut(s, "-")
	start, ok1 := parseHHMM(from)
	end, ok2 := parseHHMM(to)
	if !ok || !ok1 || !ok2 {
		return window{}, fmt.Errorf("backup window %q must be in the format hh24:mi-hh24:mi (UTC)", s)
	}
	w := window{start: start, length: (end - start + minutesPerDay) % minutesPerDay}
	if w.length < minWindowMinutes {
		return window{}, fmt.Errorf("backup window %q must be at least %d minutes", s, minWindowMinutes)
	}
	return w, nil
}

// parseDayTime parses "ddd:hh24:mi" (any case) into minutes from Sunday midnight.
func parseDayTime(s string) (int, bool) {
	if len(s) != 9 || s[3] != ':' {
		return 0, false
	}
	day := slices.Index(weekdays[:], strings.ToLower(s[:3]))
	hm, ok := parseHHMM(s[4:])
	if day < 0 || !ok {
		return 0, false
	}
	return day*minutesPerDay + hm, true
}

// parseMaintenanceWindow parses a maintenance window "ddd:hh24:mi-ddd:hh24:mi" (UTC; it may run
// past the end of the week) and returns it with its text as RDS reports it, in lower case.
func parseMaintenanceWindow(s string) (window, string, error) {
	from, to, ok := strings.Cut(s, "-")
	start, ok1 := parseDayTime(from)
	end, ok2 := parseDayTime(to)
	if !ok || !ok1 || !ok2 {
		return window{}, "", fmt.Errorf("maintenance window %q must be in the format ddd:hh24:mi-ddd:hh24:mi (UTC; days %s)", s, strings.Join(weekdays[:], ", "))
	}
	w := window{start: start, length: (end - start + minutesPerWeek) % minutesPerWeek}
	if w.length < minWindowMinutes {
		return window{}, "", fmt.Errorf("maintenance window %q must be at least %d minutes", s, minWindowMinutes)
	}
	return w, strings.ToLower(s), nil
}

// formatMaintenanceWindow writes a weekly window as "ddd:hh24:mi-ddd:hh24:mi".
func formatMaintenanceWindow(w window) string {
	at := func(m int) string {
		m = (m%minutesPerWeek + minutesPerWeek) % minutesPerWeek
		return fmt.Sprintf("%s:%02d:%02d", weekdays[m/minutesPerDay], m%minutesPerDay/60, m%60)
	}
	return at(w.start) + "-" + at(w.start+w.length)
}

// formatBackupWindow writes a daily window as "hh24:mi-hh24:mi".
func formatBackupWindow(w window) string {
	at := func(m int) string {
		m = (m%minutesPerDay + minutesPerDay) % minutesPerDay
		return fmt.Sprintf("%02d:%02d", m/60, m%60)
	}
	return at(w.start) + "-" + at(w.start+w.length)
}

// circularOverlap reports whether [a, a+al) and [b, b+bl) intersect on a circle of the given
// period (a and b in [0, period), lengths below it).
func circularOverlap(a, al, b, bl, period int) bool {
	for _, shift := range []int{-period, 0, period} {
		if a < b+shift+bl && b+shift < a+al {
			return true
		}
	}
	return false
}

// windowsOverlap reports whether the daily backup window meets the weekly maintenance window on
// any day. Windows that only touch (one ends when the other starts) do not overlap.
func windowsOverlap(backup, maint window) bool {
	for d := range 7 {
		if circularOverlap((backup.start+d*minutesPerDay)%minutesPerWeek, backup.length, maint.start, maint.length, minutesPerWeek) {
			return true
		}
	}
	return false
}

// errOverlap is the refusal of a backup window that overlaps the maintenance window.
func errOverlap(backup, maint string) error {
	return fmt.Errorf("the backup window and maintenance window must not overlap (backup window %s, maintenance window %s)", backup, maint)
}

// resolveWindows validates a backup and a maintenance window, either of which may be empty, and
// returns both as reported: an empty one takes its default or, when that overlaps the other, the
// first 30-minute window after the default, in 30-minute steps, that does not.
func resolveWindows(backup, maint string) (string, string, error) {
	var b, m window
	var err error
	if backup != "" {
		if b, err = parseBackupWindow(backup); err != nil {
			return "", "", err
		}
	}
	if maint != "" {
		if m, maint, err = parseMaintenanceWindow(maint); err != nil {
			return "", "", err
		}
	}
	switch {
	case backup != "" && maint != "":
		if windowsOverlap(b, m) {
			return "", "", errOverlap(backup, maint)
		}
	case backup != "":
		m, _, _ = parseMaintenanceWindow(defaultMaintenanceWindow)
		for i := 0; windowsOverlap(b, m); i++ {
			if i == minutesPerWeek/minWindowMinutes {
				return "", "", fmt.Errorf("backup window %q leaves no room for a %d-minute maintenance window: give a maintenance window too", backup, minWindowMinutes)
			}
			m.start = (m.start + minWindowMinutes) % minutesPerWeek
		}
		maint = formatMaintenanceWindow(m)
	case maint != "":
		b, _ = parseBackupWindow(defaultBackupWindow)
		for i := 0; windowsOverlap(b, m); i++ {
			if i == minutesPerDay/minWindowMinutes {
				return "", "", fmt.Errorf("maintenance window %q leaves no room for a %d-minute backup window on its days: give a backup window too", maint, minWindowMinutes)
			}
			b.start = (b.start + minWindowMinutes) % minutesPerDay
		}
		backup = formatBackupWindow(b)
	default:
		backup, maint = defaultBackupWindow, defaultMaintenanceWindow
	}
	return backup, maint, nil
}

// errWindow turns a window error into the API's InvalidParameterValue.
func errWindow(err error) *rdsError {
	msg := err.Error()
	return errParam("%s.", strings.ToUpper(msg[:1])+msg[1:])
}

// backupWindow is the instance's own backup window (default for a state file written before
// windows were configurable).
func (in *dbInstance) backupWindow() string { return cmp.Or(in.BackupWindow, defaultBackupWindow) }

// backupWindow is the cluster's backup window.
func (c *dbCluster) backupWindow() string { return cmp.Or(c.BackupWindow, defaultBackupWindow) }

// setMaintenanceWindow changes the instance's maintenance window at now: pending modifications
// and maintenance actions wait for the next window from now on.
func (in *dbInstance) setMaintenanceWindow(w string, now time.Time) {
	if w == in.MaintenanceWindow {
		return
	}
	in.MaintenanceWindow = w
	if !in.Pending.empty() {
		in.PendingSince = now
	}
	for i := range in.PendingActions {
		in.PendingActions[i].Since = now
	}
}

// ---- pending maintenance actions ----

// PendingActionSpec is a pending maintenance action of a scenario's DB instance or cluster, as
// DescribePendingMaintenanceActions reports it.
type PendingActionSpec struct {
	// Action is the maintenance action: "system-update", "os-upgrade", "db-upgrade",
	// "hardware-maintenance", "ca-certificate-rotation" or "serverless-platform-version-update".
	// A resource has at most one of each.
	Action string
	// Description is the action's Description (optional).
	Description string
	// AutoAppliedAfter, when not 0, sets AutoAppliedAfterDate to the clock's start plus it: the
	// action is applied in the resource's first maintenance window from then on.
	AutoAppliedAfter time.Duration
	// ForcedApplyIn, when not 0, sets ForcedApplyDate to the clock's start plus it: the action is
	// applied then, whatever the maintenance window.
	ForcedApplyIn time.Duration
}

// maintenanceActions are the maintenance actions RDS documents (PendingMaintenanceAction.Action),
// with what the events of their application call them.
var maintenanceActions = map[string]string{
	"system-update":                      "OS upgrade",
	"os-upgrade":                         "OS upgrade",
	"db-upgrade":                         "database engine upgrade",
	"hardware-maintenance":               "hardware maintenance",
	"ca-certificate-rotation":            "CA certificate rotation",
	"serverless-platform-version-update": "serverless platform version update",
}

// OptInType values of ApplyPendingMaintenanceAction; optInNext is also an OptInStatus.
const (
	optInImmediate = "immediate"
	optInNext      = "next-maintenance"
	optInUndo      = "undo-opt-in"
)

// validPendingActions checks a scenario resource's pending maintenance actions.
func validPendingActions(specs []PendingActionSpec) error {
	seen := map[string]bool{}
	for i, p := range specs {
		if _, ok := maintenanceActions[p.Action]; !ok {
			return fmt.Errorf("PendingMaintenance[%d]: unknown maintenance action %q (want one of %s)", i, p.Action, strings.Join(sortedKeys(maintenanceActions), ", "))
		}
		if seen[p.Action] {
			return fmt.Errorf("PendingMaintenance[%d]: duplicate maintenance action %q", i, p.Action)
		}
		seen[p.Action] = true
		if p.AutoAppliedAfter < 0 || p.ForcedApplyIn < 0 {
			return fmt.Errorf("PendingMaintenance[%d] (%s): AutoAppliedAfter and ForcedApplyIn must not be negative", i, p.Action)
		}
	}
	return nil
}

// pendingAction is a maintenance action waiting on a DB instance or cluster.
type pendingAction struct {
	Action      string    `json:"action"`
	Description string    `json:"description,omitempty"`
	AutoAfter   time.Time `json:"autoAppliedAfter,omitzero"` // zero: not set
	Forced      time.Time `json:"forcedApply,omitzero"`      // zero: not set
	OptIn       string    `json:"optIn,omitempty"`           // "" or optInNext
	// Since is when maintenance windows are searched from: when the action was added, opted in,
	// or its resource's maintenance window last changed.
	Since time.Time `json:"since"`
}

// pendingActions makes a scenario resource's actions, dated from the clock's start.
func pendingActions(specs []PendingActionSpec, start time.Time) []pendingAction {
	var out []pendingAction
	for _, p := range specs {
		a := pendingAction{Action: p.Action, Description: p.Description, Since: start}
		if p.AutoAppliedAfter > 0 {
			a.AutoAfter = start.Add(p.AutoAppliedAfter)
		}
		if p.ForcedApplyIn > 0 {
			a.Forced = start.Add(p.ForcedApplyIn)
		}
		out = append(out, a)
	}
	return out
}

// due is the action's CurrentApplyDate with the resource's maintenance window win: the earliest
// of the next window (opted in for next-maintenance), the first window at or after
// AutoAppliedAfterDate and ForcedApplyDate. ok is false when none applies.
func (a pendingAction) due(win string) (at time.Time, ok bool) {
	pick := func(t time.Time) {
		if !ok || t.Before(at) {
			at, ok = t, true
		}
	}
	if a.OptIn == optInNext {
		pick(nextWindow(win, a.Since))
	}
	if !a.AutoAfter.IsZero() {
		from := a.AutoAfter
		if a.Since.After(from) {
			from = a.Since
		}
		pick(nextWindow(win, from))
	}
	if !a.Forced.IsZero() {
		pick(a.Forced)
	}
	return at, ok
}

// maintResource is a DB instance or cluster as the maintenance actions see it.
type maintResource struct {
	cluster bool
	id, arn string
	window  string           // maintenance window
	status  string           // DBInstanceStatus or cluster Status
	actions *[]pendingAction // the resource's own list
}

// sourceType is the resource's event source type.
func (r maintResource) sourceType() string {
	if r.cluster {
		return "db-cluster"
	}
	return "db-instance"
}

func (st *rdsState) instanceResource(in *dbInstance) maintResource {
	return maintResource{id: in.ID, arn: in.ARN, window: in.MaintenanceWindow, status: in.Status, actions: &in.PendingActions}
}

func (st *rdsState) clusterResource(c *dbCluster) maintResource {
	return maintResource{cluster: true, id: c.ID, arn: c.ARN, window: c.MaintenanceWindow, status: c.Status, actions: &c.PendingActions}
}

// maintResources are every DB cluster and instance, clusters first, each in identifier order.
func (st *rdsState) maintResources() []maintResource {
	var out []maintResource
	for _, id := range sortedKeys(st.Clusters) {
		out = append(out, st.clusterResource(st.Clusters[id]))
	}
	for _, id := range sortedKeys(st.Instances) {
		out = append(out, st.instanceResource(st.Instances[id]))
	}
	return out
}

func errResourceNotFound(arn string) *rdsError {
	return errf(404, "ResourceNotFoundFault", "The specified resource ID was not found: %s.", arn)
}

// maintResourceByARN resolves a ResourceIdentifier: the ARN of a DB instance or cluster of this
// Region and account. Anything but an RDS ARN is InvalidParameterValue; an ARN that names no DB
// instance or cluster here is ResourceNotFoundFault, the error RDS documents for both actions.
func (st *rdsState) maintResourceByARN(arn string) (maintResource, *rdsError) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "rds" {
		return maintResource{}, errParam("The parameter ResourceIdentifier must be the ARN of a DB instance or DB cluster, not %q.", arn)
	}
	if len(parts) == 7 && parts[3] == st.Region && parts[4] == st.Account {
		id := strings.ToLower(parts[6])
		switch parts[5] {
		case "db":
			if in, ok := st.Instances[id]; ok {
				return st.instanceResource(in), nil
			}
		case "cluster":
			if c, ok := st.Clusters[id]; ok {
				return st.clusterResource(c), nil
			}
		}
	}
	return maintResource{}, errResourceNotFound(arn)
}

// maintenanceTransitions offers settle (as its consider) the application of every pending action
// at its CurrentApplyDate.
func (st *rdsState) maintenanceTransitions(consider func(time.Time, func())) {
	for _, r := range st.maintResources() {
		for _, a := range *r.actions {
			if at, ok := a.due(r.window); ok {
				consider(at, func() { st.applyAction(r, a.Action, at) })
			}
		}
	}
}

// applyAction applies the pending action named action of r at time at: it removes it and records
// the events.
func (st *rdsState) applyAction(r maintResource, action string, at time.Time) {
	*r.actions = slices.DeleteFunc(*r.actions, func(a pendingAction) bool { return a.Action == action })
	if len(*r.actions) == 0 {
		*r.actions = nil
	}
	what := cmp.Or(maintenanceActions[action], "maintenance action "+action)
	st.event(r.sourceType(), r.id, r.arn, "Applying "+what, at, "maintenance")
	st.event(r.sourceType(), r.id, r.arn, "Finished applying "+what, at, "maintenance")
}

// applyWindowActions applies, at now, the actions of r that its maintenance window would apply
// if it started now: those opted in for next-maintenance and those past their
// AutoAppliedAfterDate (Server.ApplyPendingMaintenance).
func (st *rdsState) applyWindowActions(r maintResource, now time.Time) {
	var names []string
	for _, a := range *r.actions {
		if a.OptIn == optInNext || (!a.AutoAfter.IsZero() && !a.AutoAfter.After(now)) {
			names = append(names, a.Action)
		}
	}
	for _, n := range names {
		st.applyAction(r, n, now)
	}
}

type xPendingMaintenanceAction struct {
	Action               string `xml:"Action"`
	AutoAppliedAfterDate string `xml:"AutoAppliedAfterDate,omitempty"`
	ForcedApplyDate      string `xml:"ForcedApplyDate,omitempty"`
	OptInStatus          string `xml:"OptInStatus,omitempty"`
	CurrentApplyDate     string `xml:"CurrentApplyDate,omitempty"`
	Description          string `xml:"Description,omitempty"`
}

type xResourcePendingMaintenanceActions struct {
	ResourceIdentifier              string                      `xml:"ResourceIdentifier"`
	PendingMaintenanceActionDetails []xPendingMaintenanceAction `xml:"PendingMaintenanceActionDetails>PendingMaintenanceAction"`
}

type xDescribePendingMaintenanceActionsResult struct {
	PendingMaintenanceActions []xResourcePendingMaintenanceActions `xml:"PendingMaintenanceActions>ResourcePendingMaintenanceActions"`
	Marker                    string                               `xml:"Marker,omitempty"`
}

type xApplyPendingMaintenanceActionResult struct {
	ResourcePendingMaintenanceActions xResourcePendingMaintenanceActions `xml:"ResourcePendingMaintenanceActions"`
}

// xPendingResource is r's pending actions as the API shows them.
func xPendingResource(r maintResource) xResourcePendingMaintenanceActions {
	x := xResourcePendingMaintenanceActions{ResourceIdentifier: r.arn}
	for _, a := range *r.actions {
		d := xPendingMaintenanceAction{Action: a.Action, AutoAppliedAfterDate: ts(a.AutoAfter), ForcedApplyDate: ts(a.Forced),
			OptInStatus: a.OptIn, Description: a.Description}
		if at, ok := a.due(r.window); ok {
			d.CurrentApplyDate = ts(at)
		}
		x.PendingMaintenanceActionDetails = append(x.PendingMaintenanceActionDetails, d)
	}
	return x
}

// describePendingMaintenanceActions lists the DB instances and clusters with at least one pending
// action, in ARN order and paged by Marker / MaxRecords: the one ResourceIdentifier names, if
// given, and those the Filters select. A db-instance-id filter selects DB instances and a
// db-cluster-id filter DB clusters (identifiers or ARNs); with both, the resources either selects.
func (st *rdsState) describePendingMaintenanceActions(f url.Values, _ time.Time) (any, *rdsError) {
	only := ""
	if rid := f.Get("ResourceIdentifier"); rid != "" {
		r, e := st.maintResourceByARN(rid)
		if e != nil {
			return nil, e
		}
		only = r.arn
	}
	filters, e := knownFilters(f, "db-instance-id", "db-cluster-id")
	if e != nil {
		return nil, e
	}
	byARN := map[string]maintResource{}
	var arns []string
	for _, r := range st.maintResources() {
		if len(*r.actions) == 0 || (only != "" && r.arn != only) {
			continue
		}
		ok := len(filters) == 0
		if !ok {
			mine := "db-instance-id"
			if r.cluster {
				mine = "db-cluster-id"
			}
			ok = slices.ContainsFunc(filters, func(fl filter) bool { return fl.Name == mine })
			for _, fl := range filters {
				if fl.Name == mine {
					ok = ok && matches(lower(fl.Values), r.id)
				}
			}
		}
		if ok {
			byARN[r.arn] = r
			arns = append(arns, r.arn)
		}
	}
	slices.Sort(arns)
	pg, marker, e := page(f, arns)
	if e != nil {
		return nil, e
	}
	res := xDescribePendingMaintenanceActionsResult{Marker: marker}
	for _, arn := range pg {
		res.PendingMaintenanceActions = append(res.PendingMaintenanceActions, xPendingResource(byARN[arn]))
	}
	return res, nil
}

// applyPendingMaintenanceAction applies (immediate), schedules (next-maintenance) or unschedules
// (undo-opt-in) a pending action of a DB instance or cluster and returns the resource's pending
// actions after it.
func (st *rdsState) applyPendingMaintenanceAction(f url.Values, now time.Time) (any, *rdsError) {
	for _, p := range []string{"ResourceIdentifier", "ApplyAction", "OptInType"} {
		if f.Get(p) == "" {
			return nil, errParam("The parameter %s must be provided and must not be blank.", p)
		}
	}
	action, opt := f.Get("ApplyAction"), f.Get("OptInType")
	if opt != optInImmediate && opt != optInNext && opt != optInUndo {
		return nil, errParam("Invalid value %q for OptInType: must be %s, %s or %s.", opt, optInImmediate, optInNext, optInUndo)
	}
	r, e := st.maintResourceByARN(f.Get("ResourceIdentifier"))
	if e != nil {
		return nil, e
	}
	i := slices.IndexFunc(*r.actions, func(a pendingAction) bool { return a.Action == action })
	if i < 0 {
		return nil, errParam("The maintenance action %s is not pending for resource %s.", action, r.arn)
	}
	switch opt {
	case optInImmediate:
		if r.status != "available" {
			if r.cluster {
				return nil, errf(400, "InvalidDBClusterStateFault", "DB cluster %s is not in the available state (status %s).", r.id, r.status)
			}
			return nil, errf(400, "InvalidDBInstanceState", "DB instance %s is not in the available state (status %s).", r.id, r.status)
		}
		st.applyAction(r, action, now)
	case optInNext:
		(*r.actions)[i].OptIn, (*r.actions)[i].Since = optInNext, now
	case optInUndo:
		(*r.actions)[i].OptIn = ""
	}
	return xApplyPendingMaintenanceActionResult{ResourcePendingMaintenanceActions: xPendingResource(r)}, nil
}

// modifiedWindows validates a ModifyDBInstance's PreferredBackupWindow and
// PreferredMaintenanceWindow and returns the instance's windows after it: each as given, or
// unchanged when not. An Aurora member takes no backup window (InvalidParameterCombination) and
// its maintenance window is not checked against its cluster's backup window.
func modifiedWindows(in *dbInstance, f url.Values) (backup, maint string, e *rdsError) {
	backup, maint = in.BackupWindow, in.MaintenanceWindow
	bw, mw := f.Get("PreferredBackupWindow"), f.Get("PreferredMaintenanceWindow")
	if bw != "" && in.Cluster != "" {
		return "", "", errCombo("The specified DB Instance is a member of a DB Cluster. Modify backup window for the DB Cluster using the ModifyDbCluster API.")
	}
	if mw != "" {
		_, norm, err := parseMaintenanceWindow(mw)
		if err != nil {
			return "", "", errWindow(err)
		}
		maint = norm
	}
	if bw != "" {
		if _, err := parseBackupWindow(bw); err != nil {
			return "", "", errWindow(err)
		}
		backup = bw
	}
	if in.Cluster == "" && (bw != "" || mw != "") {
		b, _ := parseBackupWindow(in.backupWindow())
		if bw != "" {
			b, _ = parseBackupWindow(bw)
		}
		m, _, err := parseMaintenanceWindow(maint)
		if err == nil && windowsOverlap(b, m) {
			return "", "", errWindow(errOverlap(cmp.Or(backup, defaultBackupWindow), maint))
		}
	}
	return backup, maint, nil
}

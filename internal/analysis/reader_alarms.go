package analysis

import (
	"fmt"
	"slices"
	"strings"
)

// CloudWatch alarm states (StateValue) and TreatMissingData settings.
const (
	AlarmStateOK               = "OK"
	AlarmStateAlarm            = "ALARM"
	AlarmStateInsufficientData = "INSUFFICIENT_DATA"

	MissingDataBreaching    = "breaching"
	MissingDataNotBreaching = "notBreaching"
	MissingDataIgnore       = "ignore"
	MissingDataMissing      = "missing"
)

// The lag of an Aurora cluster's replicas that the primary (the writer) publishes, by its
// DBInstanceIdentifier and by the cluster's DBClusterIdentifier (Amazon Aurora User Guide,
// "Instance-level metrics for Amazon Aurora": applies to the primary): with no reader left it
// has no replica to measure, and these stop too. Milliseconds.
const (
	MetricAuroraReplicaLagMaximum = "AuroraReplicaLagMaximum"
	MetricAuroraReplicaLagMinimum = "AuroraReplicaLagMinimum"
)

// ReaderAlarm is a CloudWatch metric alarm that watches an Aurora cluster's reader: its metric, or
// a metric of its metric math, is the reader's own (namespace AWS/RDS, dimension
// DBInstanceIdentifier), the cluster's readers' (DBClusterIdentifier with Role READER), or the
// cluster's AuroraReplicaLag, which only readers publish, or the AuroraReplicaLagMaximum or
// AuroraReplicaLagMinimum the writer publishes about its replicas. Once the cluster's last reader is
// removed that metric receives no data, and the alarm does what TreatMissingData says (After).
type ReaderAlarm struct {
	Name string
	// Namespace and Metric name the reader's metric the alarm watches (the first, for metric math).
	Namespace, Metric string
	// MetricMath is true when the metric is one of the alarm's Metrics (metric math).
	MetricMath bool
	// OtherMetrics is true for metric math that also reads metrics that go on (the writer's, say):
	// whether the alarm loses its data then depends on its expression (r + w has no value without
	// r; SUM([r, w]), MAX or FILL keep one), so After is what it does if it does, and it is not
	// said to page for certain (MayPage).
	OtherMetrics bool
	// State is the alarm's state now (StateValue): OK, ALARM or INSUFFICIENT_DATA.
	State string
	// TreatMissingData is the alarm's setting; empty is CloudWatch's default, missing.
	TreatMissingData string
	// ActionsEnabled is the alarm's ActionsEnabled: without it no state change runs an action.
	ActionsEnabled bool
	// OKActions, AlarmActions and InsufficientDataActions count the actions of each state.
	OKActions, AlarmActions, InsufficientDataActions int
	// Composites are the composite alarms whose AlarmRule reads this alarm in ALARM(), OK() or
	// INSUFFICIENT_DATA(), directly or through another composite alarm: one without actions of
	// its own may page through them.
	Composites []CompositeAlarm
}

// CompositeAlarm is a CloudWatch composite alarm whose rule reads a ReaderAlarm's state (ALARM(),
// OK() or INSUFFICIENT_DATA()), directly or through other composite alarms.
type CompositeAlarm struct {
	Name string
	// OrOfAlarms is true when its rule, and that of each composite between it and the reader
	// alarm, is ALARM(x) or an OR of ALARM() terms: it goes to ALARM whenever the reader alarm
	// does. Any other rule (AND, NOT, OK(), INSUFFICIENT_DATA(), TRUE, FALSE) may or may not.
	OrOfAlarms bool
	// State is its state now (StateValue); ActionsEnabled and AlarmActions (a count) as in ReaderAlarm.
	State          string
	ActionsEnabled bool
	AlarmActions   int
}

// canPage reports whether c runs alarm actions on going to ALARM: actions enabled, alarm actions
// set, and not in ALARM already.
func (c CompositeAlarm) canPage() bool {
	return c.ActionsEnabled && c.AlarmActions > 0 && c.State != AlarmStateAlarm
}

// CompositePages reports whether c, a composite over a, goes to ALARM and runs its alarm actions
// for certain once a's metric stops: a goes to ALARM from another state (and is not metric math
// that also reads metrics that go on), and c's rule is an OR of ALARM() terms (OrOfAlarms).
func (a ReaderAlarm) CompositePages(c CompositeAlarm) bool {
	return a.After() == AlarmStateAlarm && a.State != AlarmStateAlarm && !a.OtherMetrics && c.OrOfAlarms && c.canPage()
}

// CompositeMayPage reports whether c, a composite over a, may page once a's metric stops, for
// certain (CompositePages) or as its rule decides: a changes state, c can page, and either c's
// rule is not only an OR of ALARM() terms or a would go to ALARM (OtherMetrics).
func (a ReaderAlarm) CompositeMayPage(c CompositeAlarm) bool {
	if a.After() == a.State || !c.canPage() {
		return false
	}
	return !c.OrOfAlarms || a.After() == AlarmStateAlarm
}

// PagesOrMayPage reports whether a, or a composite alarm over it, pages or may page once its
// metric stops: what makes the recommendation's risk medium.
func (a ReaderAlarm) PagesOrMayPage() bool {
	return a.MayPage() || slices.ContainsFunc(a.Composites, a.CompositeMayPage)
}

// After is the state a reads once its metric receives no data, as CloudWatch evaluates missing
// data (Amazon CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data"):
// breaching treats it as breaching the threshold (ALARM), notBreaching as within it (OK), ignore
// keeps the current state, and missing, the default (also for a value CloudWatch would not
// accept), goes to INSUFFICIENT_DATA once every datapoint of the evaluation range is missing.
func (a ReaderAlarm) After() string {
	switch a.TreatMissingData {
	case MissingDataBreaching:
		return AlarmStateAlarm
	case MissingDataNotBreaching:
		return AlarmStateOK
	case MissingDataIgnore:
		return a.State
	}
	return AlarmStateInsufficientData
}

// Notifies reports whether a runs actions when its metric stops: CloudWatch runs a state's
// actions on a change into that state, and only with ActionsEnabled.
func (a ReaderAlarm) Notifies() bool {
	after := a.After()
	if !a.ActionsEnabled || after == a.State {
		return false
	}
	switch after {
	case AlarmStateAlarm:
		return a.AlarmActions > 0
	case AlarmStateOK:
		return a.OKActions > 0
	}
	return a.InsufficientDataActions > 0
}

// Pages reports whether a goes into ALARM and runs its alarm actions when its metric stops: the
// alarm that pages on-call. False for metric math that also reads metrics that go on
// (OtherMetrics): that one MayPage.
func (a ReaderAlarm) Pages() bool { return !a.OtherMetrics && a.MayPage() }

// MayPage reports whether a goes into ALARM and runs its alarm actions once its expression has no
// data: for certain (Pages), or, with OtherMetrics, if its expression has no value without the
// reader's metric.
func (a ReaderAlarm) MayPage() bool { return a.After() == AlarmStateAlarm && a.Notifies() }

// Describe names a and its metric, for messages: "sso-cpu (AWS/RDS CPUUtilization)", or "... (metric
// math on AWS/RDS ReadIOPS)".
func (a ReaderAlarm) Describe() string {
	m := a.Namespace + " " + a.Metric
	if a.MetricMath {
		m = "metric math on " + m
	}
	return a.Name + " (" + m + ")"
}

func (a ReaderAlarm) validate() error {
	if a.Name == "" || a.Metric == "" {
		return errorf("reader alarm %q: the alarm and metric names must be set", a.Name)
	}
	for _, c := range a.Composites {
		if c.Name == "" {
			return errorf("reader alarm %q: a composite alarm over it has no name", a.Name)
		}
	}
	return nil
}

// ReaderAlarmsText says what alarms (which watch reader of an Aurora cluster whose writer is
// writer) do once the reader is removed, grouped by what they do, and what to do about them; ""
// without alarms. It is the text of the recommendation's risk and of rightsize_db_topology's
// plan warning.
func ReaderAlarmsText(reader, writer string, alarms []ReaderAlarm) string {
	if len(alarms) == 0 {
		return ""
	}
	var paging, alarming, insufficient, ok, kept, partial, compPaging, compMay []string
	for _, a := range alarms {
		d := a.Describe()
		for _, c := range a.Composites {
			switch {
			case a.CompositePages(c):
				compPaging = append(compPaging, c.Name+" (over "+a.Name+")")
			case a.CompositeMayPage(c):
				compMay = append(compMay, c.Name+" (over "+a.Name+")")
			}
		}
		switch after := a.After(); {
		case a.OtherMetrics:
			if a.MayPage() {
				after += " and page"
			}
			verb := " would go to "
			if after == a.State {
				verb = " would stay " // ignore, or already in the state missing data gives
			}
			partial = append(partial, d+verb+after)
		case a.Pages():
			paging = append(paging, d)
		case a.TreatMissingData == MissingDataIgnore:
			// Before the ALARM case: one in ALARM now stays there, it does not breach.
			kept = append(kept, d+" stays "+after)
		case after == AlarmStateAlarm:
			alarming = append(alarming, d)
		case after == AlarmStateOK:
			if a.Notifies() {
				// From ALARM, say: its OK actions run (an incident open on it is resolved).
				d += ", running its OK actions"
			}
			ok = append(ok, d)
		default:
			if a.Notifies() {
				d += ", notifying its INSUFFICIENT_DATA actions"
			}
			insufficient = append(insufficient, d)
		}
	}
	var parts []string
	group := func(names []string, what string) {
		if len(names) > 0 {
			parts = append(parts, strings.Join(names, ", ")+" "+what)
		}
	}
	group(paging, "will go to ALARM and run their alarm actions (TreatMissingData breaching: they page)")
	group(alarming, "will go to ALARM (TreatMissingData breaching), with no alarm action run (actions disabled, none set, or already in ALARM)")
	group(insufficient, "will go to INSUFFICIENT_DATA (TreatMissingData missing, the default)")
	group(ok, "will go to OK and stay there (TreatMissingData notBreaching): they watch nothing any more")
	if len(kept) > 0 {
		parts = append(parts, strings.Join(kept, ", ")+" (TreatMissingData ignore keeps the state it has): watching nothing any more")
	}
	if len(partial) > 0 {
		parts = append(parts, strings.Join(partial, ", ")+" if its expression has no value without the reader's metric (as r + w has none): "+
			"their metric math also reads metrics that go on, and one whose expression keeps a value (SUM, MAX, FILL) keeps evaluating on those")
	}
	if len(compPaging) > 0 {
		parts = append(parts, "composite alarm(s) "+strings.Join(compPaging, ", ")+" will go to ALARM with the alarm they read and run their alarm actions "+
			"(their rule is an OR of ALARM() terms: they page)")
	}
	if len(compMay) > 0 {
		parts = append(parts, "composite alarm(s) "+strings.Join(compMay, ", ")+" may go to ALARM and page, as their rule decides "+
			"(AND, NOT, OK() or INSUFFICIENT_DATA() terms, or metric math that may keep a value)")
	}
	lag := ""
	if slices.ContainsFunc(alarms, func(a ReaderAlarm) bool {
		return a.Metric == MetricAuroraReplicaLag || a.Metric == MetricAuroraReplicaLagMaximum || a.Metric == MetricAuroraReplicaLagMinimum
	}) {
		lag = "; an alarm on replica lag (AuroraReplicaLag, AuroraReplicaLagMaximum, AuroraReplicaLagMinimum) has no replica left to measure: delete it"
	}
	read := ""
	if slices.ContainsFunc(alarms, func(a ReaderAlarm) bool { return len(a.Composites) > 0 }) {
		// CloudWatch does not delete an alarm that a composite alarm's rule still reads.
		read = "; an alarm a composite alarm reads is deleted only once that composite's rule no longer reads it (or the composite is deleted first)"
	}
	return fmt.Sprintf("CloudWatch alarm(s) watch the reader %s, whose metrics stop when it is removed: %s. "+
		"Delete them, or retarget them to the writer (DBInstanceIdentifier = %s, or Role = WRITER), in the same apply as the change or before it%s%s",
		reader, strings.Join(parts, "; "), writer, lag, read)
}

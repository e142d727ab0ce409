package analysis

import (
	"fmt"
	"strings"
	"testing"
)

// TestReaderAlarmAfter: what an alarm does once its metric stops, by TreatMissingData and its
// state now, as CloudWatch documents it, and whether that runs its actions.
func TestReaderAlarmAfter(t *testing.T) {
	for _, tc := range []struct {
		missing, state, after string
		notifies, pages       bool
	}{
		{"breaching", "OK", "ALARM", true, true},
		{"breaching", "INSUFFICIENT_DATA", "ALARM", true, true},
		{"breaching", "ALARM", "ALARM", false, false}, // no change of state: no action
		{"", "OK", "INSUFFICIENT_DATA", true, false},
		{"missing", "OK", "INSUFFICIENT_DATA", true, false},
		{"missing", "INSUFFICIENT_DATA", "INSUFFICIENT_DATA", false, false},
		{"notBreaching", "ALARM", "OK", true, false},
		{"notBreaching", "OK", "OK", false, false},
		{"ignore", "ALARM", "ALARM", false, false},
		{"ignore", "OK", "OK", false, false},
	} {
		a := ReaderAlarm{Name: "a", Namespace: "AWS/RDS", Metric: "CPUUtilization", State: tc.state, TreatMissingData: tc.missing,
			ActionsEnabled: true, OKActions: 1, AlarmActions: 1, InsufficientDataActions: 1}
		if got := a.After(); got != tc.after {
			t.Errorf("%q from %s: After %s, want %s", tc.missing, tc.state, got, tc.after)
		}
		if a.Notifies() != tc.notifies || a.Pages() != tc.pages {
			t.Errorf("%q from %s: Notifies %v Pages %v, want %v %v", tc.missing, tc.state, a.Notifies(), a.Pages(), tc.notifies, tc.pages)
		}
		a.ActionsEnabled = false
		if a.Notifies() || a.Pages() {
			t.Errorf("%q from %s: notifies with actions disabled", tc.missing, tc.state)
		}
		a.ActionsEnabled, a.AlarmActions, a.OKActions, a.InsufficientDataActions = true, 0, 0, 0
		if a.Notifies() {
			t.Errorf("%q from %s: notifies without actions", tc.missing, tc.state)
		}
	}
}

// TestReaderAlarmsRisk: an Aurora recommendation lists the alarms on the reader as an operations
// risk, medium when one pages and low otherwise, never high (it does not lower the score); none
// without alarms, and a Multi-AZ input with alarms is refused.
func TestReaderAlarmsRisk(t *testing.T) {
	find := func(rs []Risk) (Risk, bool) {
		for _, r := range rs {
			if strings.Contains(r.Description, "CloudWatch alarm(s) watch the reader") {
				return r, true
			}
		}
		return Risk{}, false
	}
	base, err := Analyze(auroraPair(2), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		alarms []ReaderAlarm
		sev    string
	}{
		{nil, ""},
		{[]ReaderAlarm{{Name: "lag", Namespace: "AWS/RDS", Metric: "AuroraReplicaLag", State: "OK"}}, "low"},
		{[]ReaderAlarm{{Name: "lag", Namespace: "AWS/RDS", Metric: "AuroraReplicaLag", State: "OK"},
			{Name: "cpu", Namespace: "AWS/RDS", Metric: "CPUUtilization", State: "OK", TreatMissingData: "breaching", ActionsEnabled: true, AlarmActions: 1}}, "medium"},
		// Metric math that also reads the writer's metric may page (r + w): medium too.
		{[]ReaderAlarm{{Name: "iops", Namespace: "AWS/RDS", Metric: "ReadIOPS", MetricMath: true, OtherMetrics: true, State: "OK",
			TreatMissingData: "breaching", ActionsEnabled: true, AlarmActions: 1}}, "medium"},
	} {
		in := auroraPair(2)
		in.ReaderAlarms = tc.alarms
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		r, ok := find(rec.Risks)
		if rec.Matrix.Total != base.Matrix.Total || rec.Verdict != base.Verdict {
			t.Errorf("%d alarms: score %v and verdict %s, want those without alarms: %v and %s", len(tc.alarms), rec.Matrix.Total, rec.Verdict, base.Matrix.Total, base.Verdict)
		}
		if ok != (tc.sev != "") || ok && (r.Severity != tc.sev || r.Category != "operations") {
			t.Errorf("%d alarms: risk %+v (found %v), want severity %q", len(tc.alarms), r, ok, tc.sev)
		}
		if ok && !strings.Contains(r.Description, "reader mandible-prod-2,") || ok && !strings.Contains(r.Description, "DBInstanceIdentifier = mandible-prod-1,") {
			t.Errorf("risk names neither the reader nor the writer: %s", r.Description)
		}
	}
	in := idleMultiAZ(14)
	in.ReaderAlarms = []ReaderAlarm{{Name: "x", Namespace: "AWS/RDS", Metric: "CPUUtilization"}}
	if _, err := Analyze(in, Policy{}); err == nil {
		t.Error("a Multi-AZ input with reader alarms was accepted")
	}
}

func ExampleReaderAlarm_After() {
	a := ReaderAlarm{Name: "sso-reader-cpu", Namespace: "AWS/RDS", Metric: "CPUUtilization", State: "OK", TreatMissingData: "breaching"}
	fmt.Println(a.After())
	a.TreatMissingData = "ignore"
	fmt.Println(a.After())
	a.TreatMissingData = ""
	fmt.Println(a.After())
	// Output:
	// ALARM
	// OK
	// INSUFFICIENT_DATA
}

func ExampleReaderAlarm_Notifies() {
	a := ReaderAlarm{Name: "sso-reader-cpu", State: "OK", ActionsEnabled: true, InsufficientDataActions: 1}
	fmt.Println(a.Notifies(), a.Pages())
	// Output: true false
}

func ExampleReaderAlarm_Pages() {
	a := ReaderAlarm{Name: "sso-reader-cpu", State: "OK", TreatMissingData: "breaching", ActionsEnabled: true, AlarmActions: 1}
	fmt.Println(a.Pages())
	// Output: true
}

func ExampleReaderAlarm_Describe() {
	a := ReaderAlarm{Name: "sso-reader-iops", Namespace: "AWS/RDS", Metric: "ReadIOPS", MetricMath: true}
	fmt.Println(a.Describe())
	// Output: sso-reader-iops (metric math on AWS/RDS ReadIOPS)
}

func ExampleReaderAlarmsText() {
	fmt.Println(ReaderAlarmsText("sso-prod-reader", "sso-prod-writer", []ReaderAlarm{
		{Name: "reader-cpu", Namespace: "AWS/RDS", Metric: "CPUUtilization", State: "OK", TreatMissingData: "breaching", ActionsEnabled: true, AlarmActions: 1},
		{Name: "reader-lag", Namespace: "AWS/RDS", Metric: "AuroraReplicaLag", State: "OK"},
	}))
	// Output: CloudWatch alarm(s) watch the reader sso-prod-reader, whose metrics stop when it is removed: reader-cpu (AWS/RDS CPUUtilization) will go to ALARM and run their alarm actions (TreatMissingData breaching: they page); reader-lag (AWS/RDS AuroraReplicaLag) will go to INSUFFICIENT_DATA (TreatMissingData missing, the default). Delete them, or retarget them to the writer (DBInstanceIdentifier = sso-prod-writer, or Role = WRITER), in the same apply as the change or before it; an alarm on replica lag (AuroraReplicaLag, AuroraReplicaLagMaximum, AuroraReplicaLagMinimum) has no replica left to measure: delete it
}

func ExampleReaderAlarmsText_otherMetrics() {
	fmt.Println(ReaderAlarmsText("sso-prod-reader", "sso-prod-writer", []ReaderAlarm{
		{Name: "iops", Namespace: "AWS/RDS", Metric: "ReadIOPS", MetricMath: true, OtherMetrics: true, State: "OK", TreatMissingData: "breaching", ActionsEnabled: true, AlarmActions: 1},
		{Name: "lag-max", Namespace: "AWS/RDS", Metric: "AuroraReplicaLagMaximum", State: "OK"},
	}))
	// Output: CloudWatch alarm(s) watch the reader sso-prod-reader, whose metrics stop when it is removed: lag-max (AWS/RDS AuroraReplicaLagMaximum) will go to INSUFFICIENT_DATA (TreatMissingData missing, the default); iops (metric math on AWS/RDS ReadIOPS) would go to ALARM and page if its expression has no value without the reader's metric (as r + w has none): their metric math also reads metrics that go on, and one whose expression keeps a value (SUM, MAX, FILL) keeps evaluating on those. Delete them, or retarget them to the writer (DBInstanceIdentifier = sso-prod-writer, or Role = WRITER), in the same apply as the change or before it; an alarm on replica lag (AuroraReplicaLag, AuroraReplicaLagMaximum, AuroraReplicaLagMinimum) has no replica left to measure: delete it
}

func ExampleReaderAlarm_MayPage() {
	// Metric math over the reader's ReadIOPS and the writer's WriteIOPS: it pages only if its
	// expression has no value without ReadIOPS (r + w), not with SUM([r, w]).
	a := ReaderAlarm{Name: "sso-iops", Namespace: "AWS/RDS", Metric: "ReadIOPS", MetricMath: true, OtherMetrics: true,
		State: "OK", TreatMissingData: "breaching", ActionsEnabled: true, AlarmActions: 1}
	fmt.Println(a.MayPage(), a.Pages())
	// Output: true false
}

func ExampleReaderAlarmsText_okActions() {
	// In ALARM now, with OK actions: notBreaching takes it to OK, and its OK actions run.
	fmt.Println(ReaderAlarmsText("sso-prod-reader", "sso-prod-writer", []ReaderAlarm{
		{Name: "reader-mem", Namespace: "AWS/RDS", Metric: "FreeableMemory", State: "ALARM", TreatMissingData: "notBreaching", ActionsEnabled: true, OKActions: 1},
	}))
	// Output: CloudWatch alarm(s) watch the reader sso-prod-reader, whose metrics stop when it is removed: reader-mem (AWS/RDS FreeableMemory), running its OK actions will go to OK and stay there (TreatMissingData notBreaching): they watch nothing any more. Delete them, or retarget them to the writer (DBInstanceIdentifier = sso-prod-writer, or Role = WRITER), in the same apply as the change or before it
}

// TestReaderAlarmComposites: a composite alarm over a reader alarm pages for certain when its rule
// is an OR of ALARM() terms (OrOfAlarms) and the reader alarm goes to ALARM from another state;
// may page when its rule is anything else and the reader alarm changes state, or when the reader
// alarm is metric math that may keep a value; and neither without enabled alarm actions, when it
// is in ALARM already, or when the reader alarm keeps its state or leaves an OR for another state.
// A composite that pages or may page makes the risk medium although the reader alarm pages nothing.
func TestReaderAlarmComposites(t *testing.T) {
	breaching := ReaderAlarm{Name: "cpu", Namespace: "AWS/RDS", Metric: "CPUUtilization", State: "OK", TreatMissingData: "breaching"}
	missing := ReaderAlarm{Name: "conns", Namespace: "AWS/RDS", Metric: "DatabaseConnections", State: "OK"}
	ignore := ReaderAlarm{Name: "lag", Namespace: "AWS/RDS", Metric: "AuroraReplicaLag", State: "OK", TreatMissingData: "ignore"}
	math := ReaderAlarm{Name: "iops", Namespace: "AWS/RDS", Metric: "ReadIOPS", MetricMath: true, OtherMetrics: true, State: "OK", TreatMissingData: "breaching"}
	inAlarm := breaching
	inAlarm.State = "ALARM"
	or := CompositeAlarm{Name: "page", OrOfAlarms: true, State: "OK", ActionsEnabled: true, AlarmActions: 1}
	and := or
	and.OrOfAlarms = false
	quiet, disabled, already := or, or, or
	quiet.AlarmActions = 0
	disabled.ActionsEnabled = false
	already.State = "ALARM"
	for _, tc := range []struct {
		name       string
		a          ReaderAlarm
		c          CompositeAlarm
		pages, may bool
	}{
		{"or over breaching", breaching, or, true, true},
		{"and over breaching", breaching, and, false, true},
		{"or over missing", missing, or, false, false},
		{"and over missing", missing, and, false, true},
		{"or over ignore", ignore, or, false, false},
		{"and over ignore", ignore, and, false, false},
		{"or over math", math, or, false, true},
		{"or over an alarm already in ALARM", inAlarm, or, false, false},
		{"no alarm actions", breaching, quiet, false, false},
		{"actions disabled", breaching, disabled, false, false},
		{"composite already in ALARM", breaching, already, false, false},
	} {
		if p, m := tc.a.CompositePages(tc.c), tc.a.CompositeMayPage(tc.c); p != tc.pages || m != tc.may {
			t.Errorf("%s: pages %v, may page %v; want %v, %v", tc.name, p, m, tc.pages, tc.may)
		}
	}

	for _, tc := range []struct {
		comp CompositeAlarm
		sev  string
		text string
	}{
		{or, "medium", "composite alarm(s) page (over cpu) will go to ALARM with the alarm they read and run their alarm actions"},
		{and, "medium", "composite alarm(s) page (over cpu) may go to ALARM and page, as their rule decides"},
		{quiet, "low", ""},
	} {
		a := breaching // no action of its own: goes to ALARM with no alarm action run
		a.Composites = []CompositeAlarm{tc.comp}
		in := auroraPair(2)
		in.ReaderAlarms = []ReaderAlarm{a}
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		var r Risk
		for _, x := range rec.Risks {
			if strings.Contains(x.Description, "CloudWatch alarm(s) watch the reader") {
				r = x
			}
		}
		if r.Severity != tc.sev || tc.text != "" && !strings.Contains(r.Description, tc.text) ||
			tc.text == "" && strings.Contains(r.Description, "composite alarm(s)") {
			t.Errorf("composite %+v: risk %s %q, want %s naming %q", tc.comp, r.Severity, r.Description, tc.sev, tc.text)
		}
	}
	in := auroraPair(2)
	in.ReaderAlarms = []ReaderAlarm{{Name: "cpu", Namespace: "AWS/RDS", Metric: "CPUUtilization", Composites: []CompositeAlarm{{}}}}
	if _, err := Analyze(in, Policy{}); err == nil {
		t.Error("a composite alarm without a name was accepted")
	}
}

func ExampleReaderAlarmsText_composites() {
	fmt.Println(ReaderAlarmsText("sso-prod-reader", "sso-prod-writer", []ReaderAlarm{
		{Name: "reader-cpu", Namespace: "AWS/RDS", Metric: "CPUUtilization", State: "OK", TreatMissingData: "breaching",
			Composites: []CompositeAlarm{{Name: "sso-page", OrOfAlarms: true, State: "OK", ActionsEnabled: true, AlarmActions: 1}}},
		{Name: "reader-conns", Namespace: "AWS/RDS", Metric: "DatabaseConnections", State: "OK",
			Composites: []CompositeAlarm{{Name: "sso-degraded", State: "OK", ActionsEnabled: true, AlarmActions: 1}}},
	}))
	// Output: CloudWatch alarm(s) watch the reader sso-prod-reader, whose metrics stop when it is removed: reader-cpu (AWS/RDS CPUUtilization) will go to ALARM (TreatMissingData breaching), with no alarm action run (actions disabled, none set, or already in ALARM); reader-conns (AWS/RDS DatabaseConnections) will go to INSUFFICIENT_DATA (TreatMissingData missing, the default); composite alarm(s) sso-page (over reader-cpu) will go to ALARM with the alarm they read and run their alarm actions (their rule is an OR of ALARM() terms: they page); composite alarm(s) sso-degraded (over reader-conns) may go to ALARM and page, as their rule decides (AND, NOT, OK() or INSUFFICIENT_DATA() terms, or metric math that may keep a value). Delete them, or retarget them to the writer (DBInstanceIdentifier = sso-prod-writer, or Role = WRITER), in the same apply as the change or before it; an alarm a composite alarm reads is deleted only once that composite's rule no longer reads it (or the composite is deleted first)
}

func ExampleReaderAlarm_CompositePages() {
	a := ReaderAlarm{Name: "sso-reader-cpu", State: "OK", TreatMissingData: "breaching"}
	or := CompositeAlarm{Name: "sso-page", OrOfAlarms: true, State: "OK", ActionsEnabled: true, AlarmActions: 1}
	and := CompositeAlarm{Name: "sso-degraded", State: "OK", ActionsEnabled: true, AlarmActions: 1}
	fmt.Println(a.Pages(), a.CompositePages(or), a.CompositePages(and))
	// Output: false true false
}

func ExampleReaderAlarm_CompositeMayPage() {
	a := ReaderAlarm{Name: "sso-reader-conns", State: "OK"} // to INSUFFICIENT_DATA
	or := CompositeAlarm{Name: "sso-page", OrOfAlarms: true, State: "OK", ActionsEnabled: true, AlarmActions: 1}
	and := CompositeAlarm{Name: "sso-degraded", State: "OK", ActionsEnabled: true, AlarmActions: 1}
	fmt.Println(a.CompositeMayPage(or), a.CompositeMayPage(and))
	// Output: false true
}

func ExampleReaderAlarm_PagesOrMayPage() {
	a := ReaderAlarm{Name: "sso-reader-cpu", State: "OK", TreatMissingData: "breaching",
		Composites: []CompositeAlarm{{Name: "sso-page", OrOfAlarms: true, State: "OK", ActionsEnabled: true, AlarmActions: 1}}}
	fmt.Println(a.MayPage(), a.PagesOrMayPage())
	// Output: false true
}

// TestReaderAlarmsTextGroups: each alarm is said to do what its TreatMissingData and state make
// it do, in the group that says so, and nothing it does not: an alarm that keeps its state
// (ignore) is said to, whatever that state is, not to go to ALARM as a breaching one; OK actions
// are said to run only on a change into OK; the replica-lag advice comes with an alarm on any of
// the three lag metrics and not without; no alarms, no text.
func TestReaderAlarmsTextGroups(t *testing.T) {
	cpu := func(state, missing string) ReaderAlarm {
		return ReaderAlarm{Name: "x", Namespace: "AWS/RDS", Metric: "CPUUtilization", State: state, TreatMissingData: missing,
			ActionsEnabled: true, OKActions: 1, AlarmActions: 1, InsufficientDataActions: 1}
	}
	lag := func(metric string) ReaderAlarm {
		return ReaderAlarm{Name: "x", Namespace: "AWS/RDS", Metric: metric, State: "OK"}
	}
	disabled := cpu("ALARM", "notBreaching")
	disabled.ActionsEnabled = false
	const lagAdvice = "an alarm on replica lag (AuroraReplicaLag, AuroraReplicaLagMaximum, AuroraReplicaLagMinimum) has no replica left to measure: delete it"
	for _, tc := range []struct {
		name      string
		alarms    []ReaderAlarm
		want, not []string
	}{
		{"none", nil, nil, []string{"CloudWatch"}},
		{"ignore in OK", []ReaderAlarm{cpu("OK", "ignore")},
			[]string{"x (AWS/RDS CPUUtilization) stays OK (TreatMissingData ignore keeps the state it has)"}, []string{"will go to"}},
		{"ignore in ALARM", []ReaderAlarm{cpu("ALARM", "ignore")},
			[]string{"x (AWS/RDS CPUUtilization) stays ALARM (TreatMissingData ignore keeps the state it has)"}, []string{"will go to", "breaching"}},
		{"ignore in INSUFFICIENT_DATA", []ReaderAlarm{cpu("INSUFFICIENT_DATA", "ignore")},
			[]string{"x (AWS/RDS CPUUtilization) stays INSUFFICIENT_DATA (TreatMissingData ignore"}, []string{"will go to"}},
		{"breaching in ALARM", []ReaderAlarm{cpu("ALARM", "breaching")},
			[]string{"x (AWS/RDS CPUUtilization) will go to ALARM (TreatMissingData breaching), with no alarm action run"}, []string{"they page"}},
		{"notBreaching in OK", []ReaderAlarm{cpu("OK", "notBreaching")},
			[]string{"x (AWS/RDS CPUUtilization) will go to OK and stay there"}, []string{"running its OK actions"}},
		{"notBreaching in ALARM", []ReaderAlarm{cpu("ALARM", "notBreaching")},
			[]string{"x (AWS/RDS CPUUtilization), running its OK actions will go to OK and stay there"}, nil},
		{"notBreaching in ALARM, actions disabled", []ReaderAlarm{disabled},
			[]string{"x (AWS/RDS CPUUtilization) will go to OK and stay there"}, []string{"running its OK actions"}},
		{"missing in OK", []ReaderAlarm{cpu("OK", "missing")},
			[]string{"x (AWS/RDS CPUUtilization), notifying its INSUFFICIENT_DATA actions will go to INSUFFICIENT_DATA"}, nil},
		{"missing in INSUFFICIENT_DATA", []ReaderAlarm{cpu("INSUFFICIENT_DATA", "")},
			[]string{"x (AWS/RDS CPUUtilization) will go to INSUFFICIENT_DATA"}, []string{"notifying"}},
		{"AuroraReplicaLag", []ReaderAlarm{lag("AuroraReplicaLag")}, []string{lagAdvice}, nil},
		{"AuroraReplicaLagMaximum", []ReaderAlarm{lag("AuroraReplicaLagMaximum")}, []string{lagAdvice}, nil},
		{"AuroraReplicaLagMinimum", []ReaderAlarm{lag("AuroraReplicaLagMinimum")}, []string{lagAdvice}, nil},
		{"no lag metric", []ReaderAlarm{lag("ReplicationSlotDiskUsage")}, nil, []string{"replica lag"}},
	} {
		got := ReaderAlarmsText("r", "w", tc.alarms)
		if tc.alarms == nil && got != "" {
			t.Errorf("%s: %q, want none", tc.name, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q\ndoes not say %q", tc.name, got, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: %q\nsays %q", tc.name, got, n)
			}
		}
	}
}

// TestReaderAlarmsInvalid: a reader alarm without a name or without a metric is a data problem,
// refused with an error naming the cluster; and a deployment that runs one node already has no
// reader for a change to remove, so alarms given with it make no risk.
func TestReaderAlarmsInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    ReaderAlarm
		err  string
	}{
		{"no name", ReaderAlarm{Namespace: "AWS/RDS", Metric: "CPUUtilization"}, `reader alarm "": the alarm and metric names must be set`},
		{"no metric", ReaderAlarm{Name: "cpu", Namespace: "AWS/RDS"}, `reader alarm "cpu": the alarm and metric names must be set`},
	} {
		in := auroraPair(2)
		in.ReaderAlarms = []ReaderAlarm{tc.a}
		if _, err := Analyze(in, Policy{}); err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), in.Name) {
			t.Errorf("%s: %v, want an error naming cluster %s and saying %q", tc.name, err, in.Name, tc.err)
		}
	}
	in := auroraPair(2)
	in.AlreadySingleNode = true
	in.ReaderAlarms = []ReaderAlarm{{Name: "cpu", Namespace: "AWS/RDS", Metric: "CPUUtilization", State: "OK", TreatMissingData: "breaching", ActionsEnabled: true, AlarmActions: 1}}
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rec.Risks {
		if strings.Contains(r.Description, "CloudWatch alarm(s)") {
			t.Errorf("already one node: risk %s %q", r.Severity, r.Description)
		}
	}
}

// Metric math that also reads metrics that go on, already in the state it would take without the
// reader's metric (TreatMissingData ignore, or INSUFFICIENT_DATA with missing data), is said to
// stay there, not to go to it.
func TestReaderAlarmsTextOtherMetricsStays(t *testing.T) {
	for _, tc := range []struct {
		state, missing, want string
	}{
		{"ALARM", "ignore", "iops (metric math on AWS/RDS ReadIOPS) would stay ALARM if"},
		{"INSUFFICIENT_DATA", "", "iops (metric math on AWS/RDS ReadIOPS) would stay INSUFFICIENT_DATA if"},
		{"OK", "breaching", "iops (metric math on AWS/RDS ReadIOPS) would go to ALARM and page if"},
		{"OK", "", "iops (metric math on AWS/RDS ReadIOPS) would go to INSUFFICIENT_DATA if"},
	} {
		a := ReaderAlarm{Name: "iops", Namespace: "AWS/RDS", Metric: "ReadIOPS", MetricMath: true, OtherMetrics: true, State: tc.state,
			TreatMissingData: tc.missing, ActionsEnabled: true, AlarmActions: 1}
		if got := ReaderAlarmsText("r", "w", []ReaderAlarm{a}); !strings.Contains(got, tc.want) {
			t.Errorf("%s, TreatMissingData %q: %s\nwant it to say %q", tc.state, tc.missing, got, tc.want)
		}
	}
}

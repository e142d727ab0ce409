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

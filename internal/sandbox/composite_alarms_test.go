package sandbox

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// TestCompositeAlarms: composite alarms put with the SDK's PutCompositeAlarm over metric alarms
// (by name or ARN, quoted or not) and over another composite come back from DescribeAlarms when
// AlarmTypes includes CompositeAlarm, in one name-ordered listing with the metric alarms, MaxRecords
// of both a page; without AlarmTypes only metric alarms are listed. They persist in the state file.
func TestCompositeAlarms(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	srv, _, cc := start(t, Options{StateFile: file})
	ctx := context.Background()
	for _, n := range []string{"a-cpu", "c-conns"} {
		if _, err := cc.PutMetricAlarm(ctx, instanceAlarm(n, "sso-prod-reader")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("b-page"),
		AlarmRule:    aws.String(`ALARM("a-cpu") OR ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:c-conns)`),
		AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:pager"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("d-top"),
		AlarmRule: aws.String(`NOT OK(b-page) AND TRUE`), ActionsEnabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	var metric, composite []string
	pages := 0
	p := cloudwatch.NewDescribeAlarmsPaginator(cc, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(3),
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
	var b cwtypes.CompositeAlarm
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if n := len(page.MetricAlarms) + len(page.CompositeAlarms); n > 3 {
			t.Errorf("page %d has %d alarms, MaxRecords 3", pages, n)
		}
		for _, a := range page.MetricAlarms {
			metric = append(metric, aws.ToString(a.AlarmName))
		}
		for _, a := range page.CompositeAlarms {
			composite = append(composite, aws.ToString(a.AlarmName))
			if aws.ToString(a.AlarmName) == "b-page" {
				b = a
			}
		}
	}
	if !equalStrings(metric, []string{"a-cpu", "c-conns"}) || !equalStrings(composite, []string{"b-page", "d-top"}) || pages != 2 {
		t.Fatalf("listed metric %v, composite %v in %d pages", metric, composite, pages)
	}
	if aws.ToString(b.AlarmRule) != `ALARM("a-cpu") OR ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:c-conns)` || !aws.ToBool(b.ActionsEnabled) ||
		len(b.AlarmActions) != 1 || b.StateValue != cwtypes.StateValueInsufficientData || b.StateUpdatedTimestamp == nil ||
		aws.ToString(b.AlarmArn) != "arn:aws:cloudwatch:us-east-1:123456789012:alarm:b-page" {
		t.Errorf("b-page = %+v", b)
	}

	out, err := cc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil || len(out.MetricAlarms) != 2 || len(out.CompositeAlarms) != 0 {
		t.Errorf("no AlarmTypes: %v, %d metric, %d composite", err, len(out.MetricAlarms), len(out.CompositeAlarms))
	}
	out, err = cc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil || len(out.MetricAlarms) != 0 || len(out.CompositeAlarms) != 2 || aws.ToBool(out.CompositeAlarms[1].ActionsEnabled) {
		t.Errorf("CompositeAlarm only: %v, %+v", err, out)
	}

	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	_, _, cc2 := start(t, Options{StateFile: file})
	out, err = cc2.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil || len(out.CompositeAlarms) != 2 || aws.ToString(out.CompositeAlarms[0].AlarmRule) != aws.ToString(b.AlarmRule) {
		t.Fatalf("after restart: %v %+v", err, out)
	}
	// Restored by name: putting one again replaces it, and a metric alarm still cannot take its name.
	if _, err := cc2.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("d-top"), AlarmRule: aws.String("ALARM(a-cpu)")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cc2.PutMetricAlarm(ctx, instanceAlarm("b-page", "sso-prod-reader")); err == nil {
		t.Error("after restart, a metric alarm took the name of composite alarm b-page")
	}
	out, err = cc2.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil || len(out.CompositeAlarms) != 2 || aws.ToString(out.CompositeAlarms[1].AlarmRule) != "ALARM(a-cpu)" {
		t.Fatalf("after putting d-top again: %v %+v", err, out)
	}
}

// TestCompositeAlarmsValidation: PutCompositeAlarm refuses what AWS refuses: no rule, a rule over
// 10240 characters, one naming an alarm that does not exist (by name or ARN) or the composite
// itself, too many actions, and a metric alarm's name.
func TestCompositeAlarmsValidation(t *testing.T) {
	_, _, cc := start(t, Options{})
	ctx := context.Background()
	if _, err := cc.PutMetricAlarm(ctx, instanceAlarm("cpu", "sso-prod-reader")); err != nil {
		t.Fatal(err)
	}
	pager := "arn:aws:sns:us-east-1:123456789012:pager"
	for _, tc := range []struct {
		name, rule, code string
		actions          []string
	}{
		{"no-rule", "", "MissingParameter", nil},
		{"long", "ALARM(cpu)" + strings.Repeat(" OR ALARM(cpu)", 731), "ValidationError", nil}, // 10244 characters
		{"unknown", `ALARM("cpu") OR ALARM(mem)`, "InvalidParameterValue", nil},
		{"unknown-arn", `ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:mem)`, "InvalidParameterValue", nil},
		{"other-account", `ALARM(arn:aws:cloudwatch:us-east-1:999999999999:alarm:cpu)`, "InvalidParameterValue", nil},
		{"self", `ALARM(cpu) OR ALARM(self)`, "InvalidParameterValue", nil},
		{"cpu", `ALARM(cpu)`, "InvalidParameterValue", nil}, // the metric alarm's name
		{"actions", `ALARM(cpu)`, "ValidationError", []string{pager, pager, pager, pager, pager, pager}},
	} {
		_, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String(tc.name), AlarmRule: aws.String(tc.rule), AlarmActions: tc.actions})
		var ae interface{ ErrorCode() string }
		if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	// 10240 characters is accepted.
	rule := "ALARM(cpu)" + strings.Repeat(" OR ALARM(cpu)", 730)
	rule += strings.Repeat(" ", 10240-len(rule))
	if _, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("max"), AlarmRule: aws.String(rule)}); err != nil {
		t.Errorf("a rule of 10240 characters: %v", err)
	}
	if _, err := cc.PutMetricAlarm(ctx, instanceAlarm("max", "sso-prod-reader")); err == nil {
		t.Error("a metric alarm took a composite alarm's name")
	}
	out, err := cc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil || len(out.CompositeAlarms) != 1 {
		t.Errorf("stored %v, %d composite alarms, want max only", err, len(out.CompositeAlarms))
	}
}

// TestCompositeAlarmsRules: each check of PutCompositeAlarm on its own: a composite cannot take a
// metric alarm's name (its rule otherwise valid), nor name itself when it is updated (it exists
// then), INSUFFICIENT_DATA() names must exist as ALARM() and OK() ones must, an ARN names an alarm
// whose name holds ":alarm:" (and so does its name, which is no ARN), and the 10240 limit counts characters, not bytes.
func TestCompositeAlarmsRules(t *testing.T) {
	_, _, cc := start(t, Options{})
	ctx := context.Background()
	wide := strings.Repeat("ü", 100) // 100 characters, 200 bytes
	for _, n := range []string{"cpu", "mem", wide, "db:alarm:cpu"} {
		if _, err := cc.PutMetricAlarm(ctx, instanceAlarm(n, "sso-prod-reader")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("top"), AlarmRule: aws.String("ALARM(cpu)")}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, rule string }{
		{"mem", "ALARM(cpu)"},                       // a metric alarm's name
		{"top", "ALARM(cpu) OR ALARM(top)"},         // itself, by name
		{"top", `ALARM(cpu) OR OK("top")`},          // itself, quoted
		{"other", "INSUFFICIENT_DATA(disk)"},        // an alarm that does not exist
		{"other", "ALARM(cpu) AND NOT OK(missing)"}, // an alarm that does not exist
	} {
		_, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String(tc.name), AlarmRule: aws.String(tc.rule)})
		if apiCode(err) != "InvalidParameterValue" {
			t.Errorf("%s %q: %v, want InvalidParameterValue", tc.name, tc.rule, err)
		}
	}
	// An alarm's name may hold ":alarm:", and its ARN still names it.
	if _, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("by-arn"),
		AlarmRule: aws.String("ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:db:alarm:cpu)")}); err != nil {
		t.Errorf("a rule naming db:alarm:cpu by ARN: %v", err)
	}
	// And by its name: one that holds ":alarm:" is no ARN.
	if _, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("by-name"),
		AlarmRule: aws.String(`ALARM("db:alarm:cpu")`)}); err != nil {
		t.Errorf("a rule naming db:alarm:cpu by name: %v", err)
	}
	ref := `ALARM("` + wide + `")` // 109 characters, 209 bytes
	rule := ref + strings.Repeat(" OR "+ref, 89)
	rule += strings.Repeat(" ", maxAlarmRule-utf8.RuneCountInString(rule))
	if _, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("wide"), AlarmRule: aws.String(rule)}); err != nil {
		t.Errorf("a rule of %d characters (%d bytes): %v", maxAlarmRule, len(rule), err)
	}
	if _, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("wider"), AlarmRule: aws.String(rule + " ")}); apiCode(err) != "ValidationError" {
		t.Errorf("a rule of %d characters: %v, want ValidationError", maxAlarmRule+1, err)
	}
	out, err := cc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil || len(out.CompositeAlarms) != 4 || aws.ToString(out.CompositeAlarms[2].AlarmRule) != "ALARM(cpu)" {
		t.Errorf("stored %v %+v, want by-arn, by-name, top (its rule unchanged) and wide", err, out)
	}
}

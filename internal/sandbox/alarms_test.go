package sandbox

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func instanceAlarm(name, instance string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("AWS/RDS"),
		MetricName: aws.String("CPUUtilization"), Statistic: cwtypes.StatisticAverage, Period: aws.Int32(300),
		Dimensions:        []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String(instance)}},
		EvaluationPeriods: aws.Int32(3), Threshold: aws.Float64(80),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}
}

// TestAlarmsRoundTrip: alarms put with the SDK's PutMetricAlarm (a metric's, and metric math's)
// come back from DescribeAlarms in name order, page by page, as AWS lists them.
func TestAlarmsRoundTrip(t *testing.T) {
	_, _, cc := start(t, Options{})
	ctx := context.Background()
	for i := range 5 {
		in := instanceAlarm(fmt.Sprintf("cpu-%d", 4-i), "mandible-prod")
		in.TreatMissingData = aws.String("breaching")
		in.AlarmActions = []string{"arn:aws:sns:us-east-1:123456789012:pager"}
		if _, err := cc.PutMetricAlarm(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	math := &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("reader-math"), EvaluationPeriods: aws.Int32(2), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, ActionsEnabled: aws.Bool(false),
		Metrics: []cwtypes.MetricDataQuery{
			{Id: aws.String("e1"), Expression: aws.String("m1/60")},
			{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(60), Stat: aws.String("Sum"),
				Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("ReadIOPS"), Dimensions: []cwtypes.Dimension{
					{Name: aws.String("DBClusterIdentifier"), Value: aws.String("sso-prod")}, {Name: aws.String("Role"), Value: aws.String("READER")}}}}},
		}}
	if _, err := cc.PutMetricAlarm(ctx, math); err != nil {
		t.Fatal(err)
	}
	var names []string
	var got []cwtypes.MetricAlarm
	pages := 0
	p := cloudwatch.NewDescribeAlarmsPaginator(cc, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(2), AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.MetricAlarms) > 2 {
			t.Errorf("page %d has %d alarms, MaxRecords 2", pages, len(page.MetricAlarms))
		}
		for _, a := range page.MetricAlarms {
			names = append(names, aws.ToString(a.AlarmName))
			got = append(got, a)
		}
	}
	if want := []string{"cpu-0", "cpu-1", "cpu-2", "cpu-3", "cpu-4", "reader-math"}; !equalStrings(names, want) || pages != 3 {
		t.Fatalf("listed %v in %d pages, want %v in 3", names, pages, want)
	}
	a := got[0]
	if aws.ToString(a.Namespace) != "AWS/RDS" || aws.ToString(a.MetricName) != "CPUUtilization" || a.StateValue != cwtypes.StateValueInsufficientData ||
		aws.ToString(a.TreatMissingData) != "breaching" || !aws.ToBool(a.ActionsEnabled) || len(a.AlarmActions) != 1 ||
		len(a.Dimensions) != 1 || aws.ToString(a.Dimensions[0].Value) != "mandible-prod" || aws.ToFloat64(a.Threshold) != 80 ||
		aws.ToString(a.AlarmArn) != "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-0" || a.StateUpdatedTimestamp == nil {
		t.Errorf("cpu-0 = %+v", a)
	}
	m := got[5]
	if aws.ToBool(m.ActionsEnabled) || len(m.Metrics) != 2 || m.Metrics[1].MetricStat == nil || aws.ToString(m.Metrics[0].Expression) != "m1/60" ||
		len(m.Metrics[1].MetricStat.Metric.Dimensions) != 2 || aws.ToString(m.Metrics[1].MetricStat.Metric.Dimensions[1].Value) != "READER" || m.Namespace != nil {
		t.Errorf("reader-math = %+v", m)
	}

	// Without AlarmTypes AWS lists metric alarms only; CompositeAlarm alone lists none here.
	out, err := cc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("cpu-")})
	if err != nil || len(out.MetricAlarms) != 5 || out.NextToken != nil {
		t.Errorf("prefix cpu-: %v, %d alarms, token %v", err, len(out.MetricAlarms), out.NextToken)
	}
	out, err = cc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil || len(out.MetricAlarms) != 0 {
		t.Errorf("composite only: %v, %d metric alarms", err, len(out.MetricAlarms))
	}

	// Updating an alarm replaces its settings and keeps its state.
	in := instanceAlarm("cpu-0", "other")
	if _, err := cc.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	out, err = cc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"cpu-0"}})
	if err != nil || len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].Dimensions[0].Value) != "other" || out.MetricAlarms[0].TreatMissingData != nil {
		t.Errorf("updated cpu-0: %v %+v", err, out.MetricAlarms)
	}
}

// TestAlarmsValidation: the sandbox refuses what AWS refuses, with AWS's error codes.
func TestAlarmsValidation(t *testing.T) {
	_, _, cc := start(t, Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		in   func(*cloudwatch.PutMetricAlarmInput)
		code string
	}{
		{"no threshold", func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = nil }, "MissingParameter"},
		{"no statistic", func(in *cloudwatch.PutMetricAlarmInput) { in.Statistic = "" }, "InvalidParameterCombination"},
		{"bad statistic", func(in *cloudwatch.PutMetricAlarmInput) { in.Statistic = "Median" }, "ValidationError"},
		{"bad operator", func(in *cloudwatch.PutMetricAlarmInput) { in.ComparisonOperator = "Above" }, "ValidationError"},
		{"bad period", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(90) }, "InvalidParameterValue"},
		{"no evaluation periods", func(in *cloudwatch.PutMetricAlarmInput) { in.EvaluationPeriods = nil }, "MissingParameter"},
		{"zero evaluation periods", func(in *cloudwatch.PutMetricAlarmInput) { in.EvaluationPeriods = aws.Int32(0) }, "ValidationError"},
		{"bad missing data", func(in *cloudwatch.PutMetricAlarmInput) { in.TreatMissingData = aws.String("zero") }, "ValidationError"},
		{"six actions", func(in *cloudwatch.PutMetricAlarmInput) {
			for i := range 6 {
				in.AlarmActions = append(in.AlarmActions, fmt.Sprintf("arn:aws:sns:us-east-1:123456789012:t%d", i))
			}
		}, "ValidationError"},
		{"metrics and metric name", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Metrics = []cwtypes.MetricDataQuery{{Id: aws.String("e1"), Expression: aws.String("1")}}
		}, "InvalidParameterCombination"},
		{"two returning data", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Namespace, in.MetricName, in.Statistic, in.Period, in.Dimensions = nil, nil, "", nil, nil
			in.Metrics = []cwtypes.MetricDataQuery{{Id: aws.String("e1"), Expression: aws.String("1")}, {Id: aws.String("e2"), Expression: aws.String("2")}}
		}, "InvalidParameterValue"},
	} {
		in := instanceAlarm("bad", "mandible-prod")
		tc.in(in)
		_, err := cc.PutMetricAlarm(ctx, in)
		if apiCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	for _, tc := range []struct {
		in   *cloudwatch.DescribeAlarmsInput
		code string
	}{
		{&cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(0)}, "ValidationError"},
		{&cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(101)}, "ValidationError"},
		{&cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{"Metric"}}, "ValidationError"},
		{&cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"a"}, AlarmNamePrefix: aws.String("a")}, "InvalidParameterCombination"},
		{&cloudwatch.DescribeAlarmsInput{NextToken: aws.String("not-a-token")}, "InvalidNextToken"},
		// Filters not emulated are refused, not ignored (which would list every alarm).
		{&cloudwatch.DescribeAlarmsInput{ActionPrefix: aws.String("arn:aws:sns:us-east-1:123456789012:pager")}, "InvalidParameterValue"},
		{&cloudwatch.DescribeAlarmsInput{ChildrenOfAlarmName: aws.String("composite")}, "InvalidParameterValue"},
		{&cloudwatch.DescribeAlarmsInput{ParentsOfAlarmName: aws.String("kept")}, "InvalidParameterValue"},
	} {
		_, err := cc.DescribeAlarms(ctx, tc.in)
		if apiCode(err) != tc.code {
			t.Errorf("DescribeAlarms %+v: %v, want %s", tc.in, err, tc.code)
		}
	}
	var ve *cwtypes.InvalidParameterValueException
	_, err := cc.PutMetricAlarm(ctx, func() *cloudwatch.PutMetricAlarmInput {
		in := instanceAlarm("bad", "x")
		in.Period = aws.Int32(7)
		return in
	}())
	if !errors.As(err, &ve) {
		t.Errorf("bad period: %T, want the SDK's typed InvalidParameterValueException", err)
	}
}

// TestAlarmsPersist: alarms are in the state file, as PutMetricData's series are.
func TestAlarmsPersist(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	srv, _, cc := start(t, Options{StateFile: file})
	for _, name := range []string{"kept", "kept-too"} {
		if _, err := cc.PutMetricAlarm(context.Background(), instanceAlarm(name, "mandible-prod")); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	_, _, cc2 := start(t, Options{StateFile: file})
	names := func() []string {
		out, err := cc2.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{})
		if err != nil {
			t.Fatal(err)
		}
		var ns []string
		for _, a := range out.MetricAlarms {
			ns = append(ns, aws.ToString(a.AlarmName))
		}
		return ns
	}
	if got := names(); !slices.Equal(got, []string{"kept", "kept-too"}) {
		t.Fatalf("after restart: alarms %q, want kept and kept-too", got)
	}
	// Restored by name: putting one again replaces it.
	if _, err := cc2.PutMetricAlarm(context.Background(), instanceAlarm("kept", "mandible-prod")); err != nil {
		t.Fatal(err)
	}
	if got := names(); !slices.Equal(got, []string{"kept", "kept-too"}) {
		t.Fatalf("after putting kept again: alarms %q, want kept and kept-too", got)
	}
}

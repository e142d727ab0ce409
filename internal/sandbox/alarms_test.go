package sandbox

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
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

const pager = "arn:aws:sns:us-east-1:123456789012:pager"

// mathAlarm is an alarm on metric math: e1 = m1/60, m1 a reader's ReadIOPS.
func mathAlarm(name string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), EvaluationPeriods: aws.Int32(2), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		Metrics: []cwtypes.MetricDataQuery{
			{Id: aws.String("e1"), Expression: aws.String("m1/60")},
			{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(60), Stat: aws.String("Sum"),
				Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("ReadIOPS")}}},
		}}
}

// anomalyAlarm is an anomaly detection alarm: m1 and its band ad1 both return data, ad1 the threshold.
func anomalyAlarm(name string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), EvaluationPeriods: aws.Int32(2),
		ComparisonOperator: cwtypes.ComparisonOperatorLessThanLowerOrGreaterThanUpperThreshold, ThresholdMetricId: aws.String("ad1"),
		Metrics: []cwtypes.MetricDataQuery{
			{Id: aws.String("m1"), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(300), Stat: aws.String("Average"),
				Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization")}}},
			{Id: aws.String("ad1"), Expression: aws.String("ANOMALY_DETECTION_BAND(m1, 2)")},
		}}
}

func dimensions(n int) []cwtypes.Dimension {
	var ds []cwtypes.Dimension
	for i := range n {
		ds = append(ds, cwtypes.Dimension{Name: aws.String(fmt.Sprintf("D%d", i)), Value: aws.String("v")})
	}
	return ds
}

// describe is DescribeAlarms, ending the test on an error.
func describe(t *testing.T, cc *cloudwatch.Client, in *cloudwatch.DescribeAlarmsInput) *cloudwatch.DescribeAlarmsOutput {
	t.Helper()
	out, err := cc.DescribeAlarms(context.Background(), in)
	if err != nil {
		t.Fatalf("DescribeAlarms %+v: %v", in, err)
	}
	return out
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
		{"name of 256 characters", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmName = aws.String(strings.Repeat("ü", 256)) }, "ValidationError"},
		{"empty name", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmName = aws.String("") }, "MissingParameter"},
		{"period 0", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(0) }, "InvalidParameterValue"},
		{"no period", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = nil }, "MissingParameter"},
		{"six OK actions", func(in *cloudwatch.PutMetricAlarmInput) { in.OKActions = slices.Repeat([]string{pager}, 6) }, "ValidationError"},
		{"six insufficient data actions", func(in *cloudwatch.PutMetricAlarmInput) {
			in.InsufficientDataActions = slices.Repeat([]string{pager}, 6)
		}, "ValidationError"},
		{"datapoints over evaluation periods", func(in *cloudwatch.PutMetricAlarmInput) { in.DatapointsToAlarm = aws.Int32(4) }, "InvalidParameterValue"},
		{"zero datapoints", func(in *cloudwatch.PutMetricAlarmInput) { in.DatapointsToAlarm = aws.Int32(0) }, "InvalidParameterValue"},
		{"no operator", func(in *cloudwatch.PutMetricAlarmInput) { in.ComparisonOperator = "" }, "MissingParameter"},
		{"anomaly operator with a threshold", func(in *cloudwatch.PutMetricAlarmInput) {
			in.ComparisonOperator = cwtypes.ComparisonOperatorGreaterThanUpperThreshold
		}, "InvalidParameterCombination"},
		{"threshold and threshold metric", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *anomalyAlarm("bad")
			in.Threshold = aws.Float64(1)
		}, "InvalidParameterCombination"},
		{"infinite threshold", func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = aws.Float64(math.Inf(1)) }, "InvalidParameterValue"},
		{"metrics and period", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *mathAlarm("bad")
			in.Period = aws.Int32(60)
		}, "InvalidParameterCombination"},
		{"no metric name", func(in *cloudwatch.PutMetricAlarmInput) { in.MetricName = nil }, "MissingParameter"},
		{"no namespace", func(in *cloudwatch.PutMetricAlarmInput) { in.Namespace = nil }, "MissingParameter"},
		{"statistic and extended statistic", func(in *cloudwatch.PutMetricAlarmInput) { in.ExtendedStatistic = aws.String("p99") }, "InvalidParameterCombination"},
		{"bad extended statistic", func(in *cloudwatch.PutMetricAlarmInput) { in.Statistic, in.ExtendedStatistic = "", aws.String("p101") }, "InvalidParameterValue"},
		{"percentile over 100", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Statistic, in.ExtendedStatistic = "", aws.String("p100.5")
		}, "InvalidParameterValue"},
		{"percentile of 11 decimals", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Statistic, in.ExtendedStatistic = "", aws.String("p99.99999999999")
		}, "InvalidParameterValue"},
		{"trimmed mean with a bound not a percentage", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Statistic, in.ExtendedStatistic = "", aws.String("TM(10%:90)")
		}, "InvalidParameterValue"},
		{"trimmed mean under 10%", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Statistic, in.ExtendedStatistic = "", aws.String("TM(5%:90%)")
		}, "InvalidParameterValue"},
		{"winsorized mean over 90%", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Statistic, in.ExtendedStatistic = "", aws.String("WM(10%:95%)")
		}, "InvalidParameterValue"},
		{"unknown extended statistic", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Statistic, in.ExtendedStatistic = "", aws.String("median")
		}, "InvalidParameterValue"},
		{"31 dimensions", func(in *cloudwatch.PutMetricAlarmInput) { in.Dimensions = dimensions(31) }, "ValidationError"},
		{"dimension without value", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Dimensions = []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String("")}}
		}, "MissingParameter"},
		{"query id upper case", func(in *cloudwatch.PutMetricAlarmInput) { *in = *mathAlarm("bad"); in.Metrics[0].Id = aws.String("E1") }, "InvalidParameterValue"},
		{"query ids repeated", func(in *cloudwatch.PutMetricAlarmInput) { *in = *mathAlarm("bad"); in.Metrics[1].Id = aws.String("e1") }, "InvalidParameterValue"},
		{"query with stat and expression", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *mathAlarm("bad")
			in.Metrics[1].Expression = aws.String("1")
		}, "InvalidParameterCombination"},
		{"query metric without name", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *mathAlarm("bad")
			in.Metrics[1].MetricStat.Metric.MetricName = nil
		}, "MissingParameter"},
		{"query period 90", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *mathAlarm("bad")
			in.Metrics[1].MetricStat.Period = aws.Int32(90)
		}, "InvalidParameterValue"},
		{"query stat unknown", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *mathAlarm("bad")
			in.Metrics[1].MetricStat.Stat = aws.String("Median")
		}, "InvalidParameterValue"},
		{"query stat no bound", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *mathAlarm("bad")
			in.Metrics[1].MetricStat.Stat = aws.String("TM(:)")
		}, "InvalidParameterValue"},
		{"query stat percentage over 100", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *mathAlarm("bad")
			in.Metrics[1].MetricStat.Stat = aws.String("TM(10%:101%)")
		}, "InvalidParameterValue"},
		{"query stat rank of percentages", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *mathAlarm("bad")
			in.Metrics[1].MetricStat.Stat = aws.String("PR(10%:90%)")
		}, "InvalidParameterValue"},
		{"query stat bound not a number", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *mathAlarm("bad")
			in.Metrics[1].MetricStat.Stat = aws.String("TS(a:b)")
		}, "InvalidParameterValue"},
		{"threshold metric not a query", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *anomalyAlarm("bad")
			in.ThresholdMetricId = aws.String("ad2")
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
	// An action that is not an ARN is refused (the error code AWS gives is not documented).
	in := instanceAlarm("bad", "mandible-prod")
	in.AlarmActions = []string{"pager"}
	if _, err := cc.PutMetricAlarm(ctx, in); err == nil {
		t.Error("an action that is not an ARN was accepted")
	}
	if out, err := cc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); err != nil || len(out.MetricAlarms) != 0 {
		t.Errorf("refused alarms stored: %v %+v", err, out)
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

// TestAlarmsPersist: alarms are in the state file, as PutMetricData's series are, with their state.
func TestAlarmsPersist(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	srv, _, cc := start(t, Options{StateFile: file})
	created := srv.Now()
	for _, name := range []string{"kept", "kept-too"} {
		if _, err := cc.PutMetricAlarm(context.Background(), instanceAlarm(name, "mandible-prod")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cc.PutCompositeAlarm(context.Background(), &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("page"), AlarmRule: aws.String("ALARM(kept)")}); err != nil {
		t.Fatal(err)
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
	// With their state: INSUFFICIENT_DATA since their creation, metric and composite alarms alike.
	out := describe(t, cc2, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"kept", "page"},
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
	if len(out.MetricAlarms) != 1 || len(out.CompositeAlarms) != 1 {
		t.Fatalf("after restart: %+v, want kept and page", out)
	}
	m, c := out.MetricAlarms[0], out.CompositeAlarms[0]
	for name, st := range map[string]struct {
		value                 cwtypes.StateValue
		reason                string
		updated, transitioned *time.Time
	}{"kept": {m.StateValue, aws.ToString(m.StateReason), m.StateUpdatedTimestamp, m.StateTransitionedTimestamp},
		"page": {c.StateValue, aws.ToString(c.StateReason), c.StateUpdatedTimestamp, c.StateTransitionedTimestamp}} {
		if st.value != cwtypes.StateValueInsufficientData || st.reason != "Unchecked: Initial alarm creation" ||
			!aws.ToTime(st.updated).Equal(created) || !aws.ToTime(st.transitioned).Equal(created) {
			t.Errorf("%s after restart: state %s (%q), updated %v, transitioned %v; want INSUFFICIENT_DATA (Unchecked: Initial alarm creation) since %v",
				name, st.value, st.reason, aws.ToTime(st.updated), aws.ToTime(st.transitioned), created)
		}
	}
	// Restored by name: putting one again replaces it.
	if _, err := cc2.PutMetricAlarm(context.Background(), instanceAlarm("kept", "mandible-prod")); err != nil {
		t.Fatal(err)
	}
	if got := names(); !slices.Equal(got, []string{"kept", "kept-too"}) {
		t.Fatalf("after putting kept again: alarms %q, want kept and kept-too", got)
	}
}

// TestAlarmsAccepted: what AWS accepts at the edges of PutMetricAlarm's rules is accepted, and
// stored as sent.
func TestAlarmsAccepted(t *testing.T) {
	_, _, cc := start(t, Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		in   func(*cloudwatch.PutMetricAlarmInput)
	}{
		{"period 30", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(30) }},
		{"name of 255 characters", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmName = aws.String(strings.Repeat("ü", 255)) }},
		{"five actions each", func(in *cloudwatch.PutMetricAlarmInput) {
			in.OKActions, in.AlarmActions, in.InsufficientDataActions = slices.Repeat([]string{pager}, 5), slices.Repeat([]string{pager}, 5), slices.Repeat([]string{pager}, 5)
		}},
		{"datapoints equal to evaluation periods", func(in *cloudwatch.PutMetricAlarmInput) { in.DatapointsToAlarm = aws.Int32(3) }},
		{"missing data missing", func(in *cloudwatch.PutMetricAlarmInput) { in.TreatMissingData = aws.String("missing") }},
		{"30 dimensions", func(in *cloudwatch.PutMetricAlarmInput) { in.Dimensions = dimensions(30) }},
		{"stat tm90 in metric math", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *mathAlarm("stat tm90 in metric math")
			in.Metrics[1].MetricStat.Stat = aws.String("tm90")
		}},
		{"anomaly detection", func(in *cloudwatch.PutMetricAlarmInput) { *in = *anomalyAlarm("anomaly detection") }},
		{"anomaly upper band", func(in *cloudwatch.PutMetricAlarmInput) {
			*in = *anomalyAlarm("anomaly upper band")
			in.ComparisonOperator = cwtypes.ComparisonOperatorGreaterThanUpperThreshold
		}},
	} {
		in := instanceAlarm(tc.name, "mandible-prod")
		tc.in(in)
		if _, err := cc.PutMetricAlarm(ctx, in); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// Every form of ExtendedStatistic PutMetricAlarm documents.
	// Percentiles go from p0 to p100, with up to 10 decimals (Amazon CloudWatch User Guide, "CloudWatch statistics definitions").
	for _, stat := range []string{"p90", "p99.9", "p100", "p99.9999999999", "tm90", "tc90", "ts90", "wm90", "IQM", "PR(10:300)", "TC(10%:90%)", "TM(10%:90%)", "TS(20%:80%)", "WM(10%:90%)"} {
		in := instanceAlarm("extended "+stat, "mandible-prod")
		in.Statistic, in.ExtendedStatistic = "", aws.String(stat)
		if _, err := cc.PutMetricAlarm(ctx, in); err != nil {
			t.Errorf("ExtendedStatistic %s: %v", stat, err)
		}
	}
	// A query's Stat takes any CloudWatch statistic ("CloudWatch statistics definitions"), more
	// forms than ExtendedStatistic: bounds outside 10-90%, absolute bounds, one bound left out.
	for _, stat := range []string{"TM(2%:98%)", "TM(150:1000)", "PR(:300)", "PR(100:2000)", "TS(80%:)", "TC(0.005:0.030)", "WM(:95%)", "IQM", "p99"} {
		in := mathAlarm("query stat " + stat)
		in.Metrics[1].MetricStat.Stat = aws.String(stat)
		if _, err := cc.PutMetricAlarm(ctx, in); err != nil {
			t.Errorf("query Stat %s: %v", stat, err)
		}
	}
	in := instanceAlarm("m-of-n", "mandible-prod")
	in.DatapointsToAlarm = aws.Int32(2)
	if _, err := cc.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	out, err := cc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"m-of-n"}})
	if err != nil || len(out.MetricAlarms) != 1 {
		t.Fatalf("m-of-n: %v %+v", err, out)
	}
	if a := out.MetricAlarms[0]; aws.ToInt32(a.Period) != 300 || aws.ToInt32(a.DatapointsToAlarm) != 2 || aws.ToInt32(a.EvaluationPeriods) != 3 {
		t.Errorf("m-of-n stored Period %d, DatapointsToAlarm %d, EvaluationPeriods %d; want 300, 2, 3",
			aws.ToInt32(a.Period), aws.ToInt32(a.DatapointsToAlarm), aws.ToInt32(a.EvaluationPeriods))
	}
}

// TestAlarmsUpdateKeepsState: putting an alarm again replaces its configuration (a new
// AlarmConfigurationUpdatedTimestamp) and keeps its state, whose timestamps stay those of its creation.
func TestAlarmsUpdateKeepsState(t *testing.T) {
	srv, _, cc := start(t, Options{})
	ctx := context.Background()
	if _, err := cc.PutMetricAlarm(ctx, instanceAlarm("cpu", "mandible-prod")); err != nil {
		t.Fatal(err)
	}
	if _, err := cc.PutMetricAlarm(ctx, instanceAlarm("other", "mandible-prod")); err != nil {
		t.Fatal(err)
	}
	if _, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("page"), AlarmRule: aws.String("ALARM(cpu)")}); err != nil {
		t.Fatal(err)
	}
	created := srv.Now()
	srv.Advance(time.Hour)
	if _, err := cc.PutMetricAlarm(ctx, instanceAlarm("cpu", "sso-prod")); err != nil {
		t.Fatal(err)
	}
	if _, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("page"), AlarmRule: aws.String("ALARM(other)")}); err != nil {
		t.Fatal(err)
	}
	out, err := cc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"cpu", "page"},
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil || len(out.MetricAlarms) != 1 || len(out.CompositeAlarms) != 1 {
		t.Fatalf("%v %+v", err, out)
	}
	m, c := out.MetricAlarms[0], out.CompositeAlarms[0]
	if aws.ToString(m.Dimensions[0].Value) != "sso-prod" || aws.ToString(c.AlarmRule) != "ALARM(other)" {
		t.Errorf("not updated: cpu %+v, page %+v", m, c)
	}
	for name, ts := range map[string][3]*time.Time{"cpu": {m.StateUpdatedTimestamp, m.StateTransitionedTimestamp, m.AlarmConfigurationUpdatedTimestamp},
		"page": {c.StateUpdatedTimestamp, c.StateTransitionedTimestamp, c.AlarmConfigurationUpdatedTimestamp}} {
		if !aws.ToTime(ts[0]).Equal(created) || !aws.ToTime(ts[1]).Equal(created) || !aws.ToTime(ts[2]).Equal(created.Add(time.Hour)) {
			t.Errorf("%s: state updated %v, transitioned %v, configuration updated %v; want the state's at creation %v, the configuration's an hour later",
				name, aws.ToTime(ts[0]), aws.ToTime(ts[1]), aws.ToTime(ts[2]), created)
		}
	}
}

// TestDescribeAlarmsFilters: DescribeAlarms' default page is 50 alarms, MaxRecords goes up to 100,
// StateValue takes each of its three values and filters by it, AlarmTypes lists both types in
// either order, and refused requests get AWS's codes, typed errors and HTTP 400.
func TestDescribeAlarmsFilters(t *testing.T) {
	_, _, cc := start(t, Options{})
	ctx := context.Background()
	for i := range 51 {
		if _, err := cc.PutMetricAlarm(ctx, instanceAlarm(fmt.Sprintf("a%02d", i), "mandible-prod")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("b-page"), AlarmRule: aws.String("ALARM(a00)")}); err != nil {
		t.Fatal(err)
	}
	if out := describe(t, cc, &cloudwatch.DescribeAlarmsInput{}); len(out.MetricAlarms) != 50 || out.NextToken == nil {
		t.Errorf("default page: %d alarms, token %v; want 50 and a token", len(out.MetricAlarms), out.NextToken)
	}
	if out := describe(t, cc, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(100)}); len(out.MetricAlarms) != 51 || out.NextToken != nil {
		t.Errorf("MaxRecords 100: %d alarms, token %v; want 51, no token", len(out.MetricAlarms), out.NextToken)
	}
	for state, want := range map[cwtypes.StateValue]int{cwtypes.StateValueInsufficientData: 51, cwtypes.StateValueOk: 0, cwtypes.StateValueAlarm: 0} {
		if out := describe(t, cc, &cloudwatch.DescribeAlarmsInput{StateValue: state, MaxRecords: aws.Int32(100)}); len(out.MetricAlarms) != want {
			t.Errorf("StateValue %s: %d alarms, want %d", state, len(out.MetricAlarms), want)
		}
	}
	// LogAlarm is an AlarmType too (PutLogAlarm's); the sandbox has no log alarms, so it lists none.
	if out := describe(t, cc, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeLogAlarm}}); len(out.MetricAlarms) != 0 || len(out.CompositeAlarms) != 0 || len(out.LogAlarms) != 0 {
		t.Errorf("AlarmTypes LogAlarm: %+v, want no alarms", out)
	}
	if out := describe(t, cc, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("a0"),
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeLogAlarm, cwtypes.AlarmTypeMetricAlarm}}); len(out.MetricAlarms) != 10 || len(out.CompositeAlarms) != 0 {
		t.Errorf("AlarmTypes LogAlarm, MetricAlarm: %+v, want the 10 metric alarms a0*", out)
	}
	if out := describe(t, cc, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("b-"),
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm, cwtypes.AlarmTypeMetricAlarm}}); len(out.CompositeAlarms) != 1 {
		t.Errorf("AlarmTypes CompositeAlarm, MetricAlarm: %+v, want composite b-page", out)
	}

	var names []string
	for i := range 101 {
		names = append(names, fmt.Sprintf("a%02d", i))
	}
	var ive *cwtypes.InvalidNextToken
	for _, tc := range []struct {
		name string
		in   *cloudwatch.DescribeAlarmsInput
		code string
	}{
		{"bad state", &cloudwatch.DescribeAlarmsInput{StateValue: "FIRING"}, "ValidationError"},
		{"101 names", &cloudwatch.DescribeAlarmsInput{AlarmNames: names}, "ValidationError"},
		// A token of ours followed by a character base64 does not have.
		{"corrupt token", &cloudwatch.DescribeAlarmsInput{NextToken: aws.String(base64.RawURLEncoding.EncodeToString([]byte("a:a01")) + "*")}, "InvalidNextToken"},
	} {
		_, err := cc.DescribeAlarms(ctx, tc.in)
		if apiCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
			t.Errorf("%s: %v, want HTTP 400", tc.name, err)
		}
		if tc.code == "InvalidNextToken" && !errors.As(err, &ive) {
			t.Errorf("%s: %T, want the SDK's typed InvalidNextToken", tc.name, err)
		}
	}
}

// TestAlarmsPersistEachPut: each put of an alarm is in the state file at once, not only once the
// sandbox is closed (a sandbox that is killed keeps them), and in the admin API's state document.
func TestAlarmsPersistEachPut(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	srv, _, cc := start(t, Options{StateFile: file})
	ctx := context.Background()
	type stateAlarms struct {
		Alarms     []struct{ AlarmName string } `json:"alarms"`
		Composites []struct{ AlarmName string } `json:"compositeAlarms"`
	}
	// The file as it is now, the sandbox still running: what a killed sandbox leaves.
	inFile := func() (doc stateAlarms) {
		t.Helper()
		b, err := os.ReadFile(file)
		if err != nil || json.Unmarshal(b, &doc) != nil {
			t.Fatalf("state file: %v", err)
		}
		return doc
	}
	if _, err := cc.PutMetricAlarm(ctx, instanceAlarm("cpu", "mandible-prod")); err != nil {
		t.Fatal(err)
	}
	if doc := inFile(); len(doc.Alarms) != 1 || doc.Alarms[0].AlarmName != "cpu" {
		t.Errorf("state file after PutMetricAlarm: alarms %+v, want cpu", doc.Alarms)
	}
	if _, err := cc.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("page"), AlarmRule: aws.String("ALARM(cpu)")}); err != nil {
		t.Fatal(err)
	}
	if doc := inFile(); len(doc.Composites) != 1 || doc.Composites[0].AlarmName != "page" {
		t.Errorf("state file after PutCompositeAlarm: composites %+v, want page", doc.Composites)
	}
	resp, err := http.Get(srv.URL() + "/_sandbox/state")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	var doc stateAlarms
	if err != nil || json.Unmarshal(body, &doc) != nil || len(doc.Alarms) != 1 || doc.Alarms[0].AlarmName != "cpu" ||
		len(doc.Composites) != 1 || doc.Composites[0].AlarmName != "page" {
		t.Errorf("admin state: %v, alarms %+v, composites %+v", err, doc.Alarms, doc.Composites)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(dir, "killed.json")
	if err := os.WriteFile(copied, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, cc2 := start(t, Options{StateFile: copied})
	out := describe(t, cc2, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
	if len(out.MetricAlarms) != 1 || len(out.CompositeAlarms) != 1 {
		t.Errorf("from the running sandbox's file: %+v", out)
	}
}

package cloudwatch_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/awserr"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

func dims(kv ...string) []types.Dimension {
	var out []types.Dimension
	for i := 0; i < len(kv); i += 2 {
		out = append(out, types.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// putAlarm puts an alarm on AWS/RDS metric with dimensions d (key, value, ...) through the SDK.
func putAlarm(t *testing.T, c *awscw.Client, name, metric, missing string, pager bool, d ...string) {
	t.Helper()
	in := &awscw.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("AWS/RDS"), MetricName: aws.String(metric),
		Statistic: types.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(5), Threshold: aws.Float64(80),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, Dimensions: dims(d...)}
	if missing != "" {
		in.TreatMissingData = aws.String(missing)
	}
	if pager {
		in.AlarmActions = []string{"arn:aws:sns:us-east-1:123456789012:pager"}
	}
	if _, err := c.PutMetricAlarm(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// TestReaderAlarms: of the alarms of the region (read through every page), those on sso-prod's
// reader sso-prod-instance-2 are listed with what they do once it is removed: on its own metrics,
// on the cluster's READER role, on the cluster's AuroraReplicaLag, and metric math over one of
// those. Alarms on the writer, on Role WRITER, on the cluster's aggregate CPU, on another
// cluster's reader or in another namespace are not.
func TestReaderAlarms(t *testing.T) {
	srv, c := startSandbox(t, sandbox.Demo())
	const cluster, writer, reader = "sso-prod", "sso-prod-instance-1", "sso-prod-instance-2"
	putAlarm(t, c, "reader-cpu", "CPUUtilization", "breaching", true, "DBInstanceIdentifier", reader)
	putAlarm(t, c, "reader-conns", "DatabaseConnections", "", true, "DBInstanceIdentifier", reader)
	putAlarm(t, c, "reader-mem", "FreeableMemory", "notBreaching", false, "DBInstanceIdentifier", reader)
	putAlarm(t, c, "role-reader-cpu", "CPUUtilization", "ignore", true, "DBClusterIdentifier", cluster, "Role", "READER")
	putAlarm(t, c, "cluster-lag", "AuroraReplicaLag", "missing", false, "DBClusterIdentifier", cluster)
	// Not the reader's.
	putAlarm(t, c, "writer-cpu", "CPUUtilization", "breaching", true, "DBInstanceIdentifier", writer)
	putAlarm(t, c, "role-writer-cpu", "CPUUtilization", "breaching", true, "DBClusterIdentifier", cluster, "Role", "WRITER")
	putAlarm(t, c, "cluster-cpu", "CPUUtilization", "breaching", true, "DBClusterIdentifier", cluster)
	putAlarm(t, c, "other-reader", "CPUUtilization", "breaching", true, "DBClusterIdentifier", "other-prod", "Role", "READER")
	putAlarm(t, c, "other-instance", "CPUUtilization", "breaching", true, "DBInstanceIdentifier", "other-prod-instance-2")
	custom := &awscw.PutMetricAlarmInput{AlarmName: aws.String("app-namespace"), Namespace: aws.String("App/DB"), MetricName: aws.String("CPUUtilization"),
		Statistic: types.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(5), Threshold: aws.Float64(80),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, Dimensions: dims("DBInstanceIdentifier", reader)}
	if _, err := c.PutMetricAlarm(context.Background(), custom); err != nil {
		t.Fatal(err)
	}
	math := &awscw.PutMetricAlarmInput{AlarmName: aws.String("reader-iops-math"), EvaluationPeriods: aws.Int32(3), Threshold: aws.Float64(1000),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("breaching"), ActionsEnabled: aws.Bool(false),
		AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:pager"},
		Metrics: []types.MetricDataQuery{
			{Id: aws.String("total"), Expression: aws.String("r + w")},
			{Id: aws.String("w"), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{Period: aws.Int32(60), Stat: aws.String("Average"),
				Metric: &types.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("WriteIOPS"), Dimensions: dims("DBInstanceIdentifier", writer)}}},
			{Id: aws.String("r"), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{Period: aws.Int32(60), Stat: aws.String("Average"),
				Metric: &types.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("ReadIOPS"), Dimensions: dims("DBInstanceIdentifier", reader)}}},
		}}
	if _, err := c.PutMetricAlarm(context.Background(), math); err != nil {
		t.Fatal(err)
	}
	// Enough unrelated alarms for several pages of 100.
	for i := range 230 {
		putAlarm(t, c, fmt.Sprintf("app-%03d", i), "CPUUtilization", "", false, "DBInstanceIdentifier", writer)
	}
	srv.ResetLog()
	got, err := cloudwatch.ReaderAlarms(context.Background(), c, cluster, writer, reader)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Counts()["DescribeAlarms"]; n != 3 {
		t.Errorf("%d DescribeAlarms calls for 242 alarms, want 3 pages of 100", n)
	}
	var lines []string
	for _, a := range got {
		lines = append(lines, fmt.Sprintf("%s %s/%s math=%t %s->%s pages=%t", a.Name, a.Namespace, a.Metric, a.MetricMath, a.State, a.After(), a.Pages()))
	}
	want := []string{
		"cluster-lag AWS/RDS/AuroraReplicaLag math=false INSUFFICIENT_DATA->INSUFFICIENT_DATA pages=false",
		"reader-conns AWS/RDS/DatabaseConnections math=false INSUFFICIENT_DATA->INSUFFICIENT_DATA pages=false",
		"reader-cpu AWS/RDS/CPUUtilization math=false INSUFFICIENT_DATA->ALARM pages=true",
		"reader-iops-math AWS/RDS/ReadIOPS math=true INSUFFICIENT_DATA->ALARM pages=false",
		"reader-mem AWS/RDS/FreeableMemory math=false INSUFFICIENT_DATA->OK pages=false",
		"role-reader-cpu AWS/RDS/CPUUtilization math=false INSUFFICIENT_DATA->INSUFFICIENT_DATA pages=false",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("reader alarms:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestReaderAlarmsDenied: a role without cloudwatch:DescribeAlarms gets an error that names the
// action and that awserr classifies as a permission denied (callers warn and go on).
func TestReaderAlarmsDenied(t *testing.T) {
	srv, c := startSandbox(t, sandbox.Demo())
	srv.InjectFaults(sandbox.FaultRule{Operation: "cloudwatch:DescribeAlarms", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
		Code: "AccessDenied", Message: "User: arn:aws:sts::123456789012:assumed-role/ci/plan is not authorized to perform: cloudwatch:DescribeAlarms"}})
	_, err := cloudwatch.ReaderAlarms(context.Background(), c, "sso-prod", "sso-prod-instance-1", "sso-prod-instance-2")
	if err == nil || !awserr.PermissionDenied(err) || !strings.HasPrefix(err.Error(), "listing CloudWatch alarms (cloudwatch:DescribeAlarms): ") {
		t.Fatalf("denied: %v", err)
	}
}

// TestReaderAlarmsWriterReplicaLag: AuroraReplicaLagMaximum and AuroraReplicaLagMinimum are
// published by the primary (the writer) about its replicas (Amazon Aurora User Guide, "Instance-level
// metrics for Amazon Aurora": applies to the primary): with the last reader removed there is no
// replica to measure and they stop, by the writer's DBInstanceIdentifier and by the cluster's
// DBClusterIdentifier alike. Alarms on them watch the reader, though their dimensions name the
// writer; the writer's other metrics, and another cluster's lag, do not.
func TestReaderAlarmsWriterReplicaLag(t *testing.T) {
	_, c := startSandbox(t, sandbox.Demo())
	const cluster, writer, reader = "sso-prod", "sso-prod-instance-1", "sso-prod-instance-2"
	putAlarm(t, c, "writer-lag-max", "AuroraReplicaLagMaximum", "breaching", true, "DBInstanceIdentifier", writer)
	putAlarm(t, c, "cluster-lag-min", "AuroraReplicaLagMinimum", "", false, "DBClusterIdentifier", cluster)
	putAlarm(t, c, "writer-cpu", "CPUUtilization", "breaching", true, "DBInstanceIdentifier", writer)
	putAlarm(t, c, "other-lag-max", "AuroraReplicaLagMaximum", "breaching", true, "DBClusterIdentifier", "sso-prod-2")
	got, err := cloudwatch.ReaderAlarms(context.Background(), c, cluster, writer, reader)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, a := range got {
		lines = append(lines, fmt.Sprintf("%s %s pages=%t", a.Name, a.Metric, a.Pages()))
	}
	want := "cluster-lag-min AuroraReplicaLagMinimum pages=false\nwriter-lag-max AuroraReplicaLagMaximum pages=true"
	if strings.Join(lines, "\n") != want {
		t.Errorf("reader alarms:\n%s\nwant:\n%s", strings.Join(lines, "\n"), want)
	}
}

// TestReaderAlarmsMathOtherData: a metric-math alarm that also reads a metric that goes on (the
// writer's) is listed with OtherMetrics: whether it loses its data depends on its expression (r + w
// has no value without r; SUM([r, w]), MAX or FILL keep one), so it is not said to page for
// certain, only that it may; one whose MetricStats are all the reader's is. Each is named by the
// first of its MetricStats that is the reader's.
func TestReaderAlarmsMathOtherData(t *testing.T) {
	_, c := startSandbox(t, sandbox.Demo())
	const cluster, writer, reader = "sso-prod", "sso-prod-instance-1", "sso-prod-instance-2"
	stat := func(id, metric, instance string) types.MetricDataQuery {
		return types.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{Period: aws.Int32(60), Stat: aws.String("Average"),
			Metric: &types.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String(metric), Dimensions: dims("DBInstanceIdentifier", instance)}}}
	}
	for name, qs := range map[string][]types.MetricDataQuery{
		"iops-sum":    {{Id: aws.String("total"), Expression: aws.String("SUM([r, w])")}, stat("w", "WriteIOPS", writer), stat("r", "ReadIOPS", reader)},
		"reader-only": {{Id: aws.String("total"), Expression: aws.String("r + q")}, stat("r", "ReadIOPS", reader), stat("q", "WriteIOPS", reader)},
	} {
		in := &awscw.PutMetricAlarmInput{AlarmName: aws.String(name), EvaluationPeriods: aws.Int32(3), Threshold: aws.Float64(1000),
			ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("breaching"),
			AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:pager"}, Metrics: qs}
		if _, err := c.PutMetricAlarm(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	got, err := cloudwatch.ReaderAlarms(context.Background(), c, cluster, writer, reader)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, a := range got {
		lines = append(lines, fmt.Sprintf("%s %s/%s other=%t pages=%t may=%t", a.Name, a.Namespace, a.Metric, a.OtherMetrics, a.Pages(), a.MayPage()))
	}
	want := "iops-sum AWS/RDS/ReadIOPS other=true pages=false may=true\nreader-only AWS/RDS/ReadIOPS other=false pages=true may=true"
	if strings.Join(lines, "\n") != want {
		t.Errorf("reader alarms:\n%s\nwant:\n%s", strings.Join(lines, "\n"), want)
	}
}

// TestMetricAlarmsThrottled: DescribeAlarms throttled mid-listing (a region with thousands of
// alarms, many pages) is retried by the SDK's standard retryer, as the provider configures its
// clients, and the listing completes with every page.
func TestMetricAlarmsThrottled(t *testing.T) {
	srv, c := startSandbox(t, sandbox.Demo())
	for i := range 250 {
		putAlarm(t, c, fmt.Sprintf("app-%03d", i), "CPUUtilization", "", false, "DBInstanceIdentifier", "sso-prod-instance-1")
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "cloudwatch:DescribeAlarms", Sequence: []sandbox.Fault{
		{}, {Kind: sandbox.FaultThrottling}, {Kind: sandbox.FaultThrottling}}})
	// Five attempts, not the default three that the throttled page needs exactly: a response lost
	// to the HTTP/1 read-loop race (aws-sdk-go-v2 issue 2737; see the sandbox's connRetryer) would
	// take one more, and the fault sequence then throttles the retry of another call.
	retrying := awscw.New(awscw.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: aws.NewCredentialsCache(staticCreds{}),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 5
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})})
	srv.ResetLog()
	all, err := cloudwatch.ListAlarms(context.Background(), retrying)
	if err != nil {
		t.Fatalf("throttled listing: %v", err)
	}
	throttled, ok := 0, 0
	for _, e := range srv.Calls("DescribeAlarms") {
		switch {
		case e.ErrorCode == "Throttling":
			throttled++
		case e.Status == 200:
			ok++
		}
	}
	if len(all.Metric) != 250 || throttled != 2 || ok < 3 {
		t.Errorf("%d alarms, %d DescribeAlarms calls throttled and %d answered; want 250, 2 throttled and the 3 pages answered", len(all.Metric), throttled, ok)
	}
}

// putComposite puts a composite alarm with rule through the SDK, with an alarm action when pager.
func putComposite(t *testing.T, c *awscw.Client, name, rule string, pager bool) {
	t.Helper()
	in := &awscw.PutCompositeAlarmInput{AlarmName: aws.String(name), AlarmRule: aws.String(rule)}
	if pager {
		in.AlarmActions = []string{"arn:aws:sns:us-east-1:123456789012:pager"}
	}
	if _, err := c.PutCompositeAlarm(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// TestReaderAlarmsComposites: the listing asks for both alarm types in one DescribeAlarms; each
// reader alarm carries the composite alarms whose rule reads it in ALARM(), OK() or
// INSUFFICIENT_DATA(), by name or ARN, quoted or not, directly or through another composite (listed
// before it or after), OrOfAlarms when a chain of rules down to it is ORs of ALARM() terms alone.
// One that reads the reader alarm only in OK() or INSUFFICIENT_DATA() is listed, not as an OR: an
// on-call composite INSUFFICIENT_DATA(x) goes to ALARM and pages when x loses its data, the default
// once the reader is gone. A composite that reads only the writer's alarms is not listed.
func TestReaderAlarmsComposites(t *testing.T) {
	srv, c := startSandbox(t, sandbox.Demo())
	const cluster, writer, reader = "sso-prod", "sso-prod-instance-1", "sso-prod-instance-2"
	putAlarm(t, c, "reader-cpu", "CPUUtilization", "breaching", false, "DBInstanceIdentifier", reader)
	putAlarm(t, c, "reader-conns", "DatabaseConnections", "", false, "DBInstanceIdentifier", reader)
	putAlarm(t, c, "writer-cpu", "CPUUtilization", "breaching", true, "DBInstanceIdentifier", writer)
	putComposite(t, c, "page-or", `ALARM("reader-cpu") OR ALARM(writer-cpu)`, true)
	putComposite(t, c, "page-arn", `ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:reader-conns)`, true)
	putComposite(t, c, "and", `ALARM(reader-cpu) AND NOT ALARM("writer-cpu")`, true)
	putComposite(t, c, "ok-term", `ALARM( reader-cpu ) OR OK(writer-cpu)`, false)
	putComposite(t, c, "nested", "(ALARM(reader-cpu) OR\n(ALARM( \"reader-conns\" )))", false)
	putComposite(t, c, "a-top", `ALARM("and") OR ALARM(page-or)`, true) // listed before the composites it reads
	putComposite(t, c, "top-and", `ALARM(and) OR FALSE`, true)
	putComposite(t, c, "writer-only", `ALARM(writer-cpu)`, true)
	putComposite(t, c, "ok-only", `OK(reader-cpu) OR OK("reader-conns")`, true)
	putComposite(t, c, "no-data", `INSUFFICIENT_DATA(reader-conns)`, true)
	srv.ResetLog()
	got, err := cloudwatch.ReaderAlarms(context.Background(), c, cluster, writer, reader)
	if err != nil {
		t.Fatal(err)
	}
	if calls := srv.Calls("DescribeAlarms"); len(calls) != 1 || calls[0].Params["AlarmTypes"] != "MetricAlarm,CompositeAlarm" {
		t.Errorf("DescribeAlarms calls %+v, want one asking for both types", calls)
	}
	var lines []string
	for _, a := range got {
		var cs []string
		for _, x := range a.Composites {
			cs = append(cs, fmt.Sprintf("%s(or=%t actions=%d)", x.Name, x.OrOfAlarms, x.AlarmActions))
		}
		lines = append(lines, a.Name+": "+strings.Join(cs, " "))
	}
	want := []string{
		"reader-conns: nested(or=true actions=0) no-data(or=false actions=1) ok-only(or=false actions=1) page-arn(or=true actions=1)",
		"reader-cpu: a-top(or=true actions=1) and(or=false actions=1) nested(or=true actions=0) ok-only(or=false actions=1) ok-term(or=false actions=0) page-or(or=true actions=1) top-and(or=false actions=1)",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("composites:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestWatchingReaderIdentifiers: what each identifier selects, and that one not known (empty: a
// cluster without a writer, say) selects nothing by itself. The cluster's AuroraReplicaLagMaximum
// by Role WRITER (the primary's series) stops with the reader; the region's aggregate CPU (no
// dimension), the cluster's aggregate CPU, another cluster's lag and another instance's
// AuroraReplicaLag go on, and the writer publishes no AuroraReplicaLag (Role WRITER) to stop.
func TestWatchingReaderIdentifiers(t *testing.T) {
	_, c := startSandbox(t, sandbox.Demo())
	const cluster, writer, reader = "sso-prod", "sso-prod-instance-1", "sso-prod-instance-2"
	putAlarm(t, c, "reader-cpu", "CPUUtilization", "", false, "DBInstanceIdentifier", reader)
	putAlarm(t, c, "role-writer-lag-max", "AuroraReplicaLagMaximum", "", false, "DBClusterIdentifier", cluster, "Role", "WRITER")
	putAlarm(t, c, "region-cpu", "CPUUtilization", "", false)
	putAlarm(t, c, "cluster-cpu", "CPUUtilization", "", false, "DBClusterIdentifier", cluster)
	putAlarm(t, c, "other-cluster-lag-max", "AuroraReplicaLagMaximum", "", false, "DBClusterIdentifier", "other-prod")
	putAlarm(t, c, "other-instance-lag", "AuroraReplicaLag", "", false, "DBInstanceIdentifier", "other-prod-instance-2")
	putAlarm(t, c, "role-writer-lag", "AuroraReplicaLag", "", false, "DBClusterIdentifier", cluster, "Role", "WRITER")
	all, err := cloudwatch.ListAlarms(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name                    string
		cluster, writer, reader string
		want                    string
	}{
		{"all known", cluster, writer, reader, "reader-cpu role-writer-lag-max"},
		{"no reader", cluster, writer, "", "role-writer-lag-max"},
		{"no writer", cluster, "", reader, "reader-cpu role-writer-lag-max"},
		{"no cluster", "", writer, reader, "reader-cpu"},
	} {
		var names []string
		for _, a := range cloudwatch.WatchingReader(all, tc.cluster, tc.writer, tc.reader) {
			names = append(names, a.Name)
		}
		if got := strings.Join(names, " "); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestReaderAlarmsActions: each reader alarm carries its own ActionsEnabled and the number of
// actions of each state, which decide whether it notifies or pages once the reader's metric
// stops: disabled actions page nothing, OK and INSUFFICIENT_DATA actions notify only on a change
// into their state.
func TestReaderAlarmsActions(t *testing.T) {
	_, c := startSandbox(t, sandbox.Demo())
	const cluster, writer, reader = "sso-prod", "sso-prod-instance-1", "sso-prod-instance-2"
	sns := []string{"arn:aws:sns:us-east-1:123456789012:pager"}
	for _, in := range []*awscw.PutMetricAlarmInput{
		{AlarmName: aws.String("disabled"), TreatMissingData: aws.String("breaching"), ActionsEnabled: aws.Bool(false), AlarmActions: sns},
		{AlarmName: aws.String("ok-actions"), TreatMissingData: aws.String("notBreaching"), OKActions: sns},
		{AlarmName: aws.String("insufficient-actions"), InsufficientDataActions: sns},
		{AlarmName: aws.String("pager"), TreatMissingData: aws.String("breaching"), AlarmActions: sns, OKActions: sns},
	} {
		in.Namespace, in.MetricName, in.Dimensions = aws.String("AWS/RDS"), aws.String("CPUUtilization"), dims("DBInstanceIdentifier", reader)
		in.Statistic, in.Period, in.EvaluationPeriods, in.Threshold = types.StatisticAverage, aws.Int32(60), aws.Int32(5), aws.Float64(80)
		in.ComparisonOperator = types.ComparisonOperatorGreaterThanThreshold
		if _, err := c.PutMetricAlarm(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	got, err := cloudwatch.ReaderAlarms(context.Background(), c, cluster, writer, reader)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, a := range got {
		lines = append(lines, fmt.Sprintf("%s enabled=%t ok=%d alarm=%d insufficient=%d notifies=%t pages=%t",
			a.Name, a.ActionsEnabled, a.OKActions, a.AlarmActions, a.InsufficientDataActions, a.Notifies(), a.Pages()))
	}
	want := []string{
		"disabled enabled=false ok=0 alarm=1 insufficient=0 notifies=false pages=false",
		"insufficient-actions enabled=true ok=0 alarm=0 insufficient=1 notifies=false pages=false",
		"ok-actions enabled=true ok=1 alarm=0 insufficient=0 notifies=true pages=false",
		"pager enabled=true ok=1 alarm=1 insufficient=0 notifies=true pages=true",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("reader alarms:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestReaderAlarmsCompositeChains: a composite read by another composite by ARN carries the
// reader alarm up to it; an OR over a composite that is not one (an AND) is not one either; a rule split by tabs or CRLF line ends is still an OR of ALARM() terms;
// each composite carries its state and ActionsEnabled as DescribeAlarms lists them.
func TestReaderAlarmsCompositeChains(t *testing.T) {
	_, c := startSandbox(t, sandbox.Demo())
	const cluster, writer, reader = "sso-prod", "sso-prod-instance-1", "sso-prod-instance-2"
	putAlarm(t, c, "reader-cpu", "CPUUtilization", "breaching", false, "DBInstanceIdentifier", reader)
	putAlarm(t, c, "writer-cpu", "CPUUtilization", "breaching", false, "DBInstanceIdentifier", writer)
	putComposite(t, c, "tabs", "ALARM(reader-cpu)\tOR\tALARM(writer-cpu)", true)
	putComposite(t, c, "crlf", "ALARM(reader-cpu)\r\nOR ALARM(writer-cpu)", true)
	putComposite(t, c, "top-by-arn", `ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:tabs") OR ALARM(writer-cpu)`, true)
	putComposite(t, c, "both", `ALARM(reader-cpu) AND ALARM(writer-cpu)`, true)
	putComposite(t, c, "over-both", `ALARM(both)`, true)
	if _, err := c.PutCompositeAlarm(context.Background(), &awscw.PutCompositeAlarmInput{AlarmName: aws.String("quiet"),
		AlarmRule: aws.String("ALARM(reader-cpu)"), ActionsEnabled: aws.Bool(false), AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:pager"}}); err != nil {
		t.Fatal(err)
	}
	got, err := cloudwatch.ReaderAlarms(context.Background(), c, cluster, writer, reader)
	if err != nil {
		t.Fatal(err)
	}
	var cs []string
	for _, a := range got {
		for _, x := range a.Composites {
			cs = append(cs, fmt.Sprintf("%s/%s(or=%t state=%s enabled=%t)", a.Name, x.Name, x.OrOfAlarms, x.State, x.ActionsEnabled))
		}
	}
	want := []string{
		"reader-cpu/both(or=false state=INSUFFICIENT_DATA enabled=true)",
		"reader-cpu/crlf(or=true state=INSUFFICIENT_DATA enabled=true)",
		"reader-cpu/over-both(or=false state=INSUFFICIENT_DATA enabled=true)",
		"reader-cpu/quiet(or=true state=INSUFFICIENT_DATA enabled=false)",
		"reader-cpu/tabs(or=true state=INSUFFICIENT_DATA enabled=true)",
		"reader-cpu/top-by-arn(or=true state=INSUFFICIENT_DATA enabled=true)",
	}
	if strings.Join(cs, "\n") != strings.Join(want, "\n") {
		t.Errorf("composites:\n%s\nwant:\n%s", strings.Join(cs, "\n"), strings.Join(want, "\n"))
	}
}

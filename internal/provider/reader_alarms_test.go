package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// warningRecorder serves the provider as testAccProtoV6ProviderFactories does and records the
// warnings of its plans and data source reads, which terraform shows but terraform-plugin-testing
// does not return, under the label of the step that got them.
type warningRecorder struct {
	mu       sync.Mutex
	label    string
	warnings map[string][]string // label → "summary: detail"
}

func (w *warningRecorder) step(label string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.label = label
}

// alarmsStep is a step's PreConfig for the reader-alarm tests: the warnings that follow are
// recorded under label, srv's faults and log are cleared, and with deny cloudwatch:DescribeAlarms
// is refused (AccessDenied) as for a role without it.
func (w *warningRecorder) alarmsStep(srv *sandbox.Server, label string, deny bool) func() {
	return func() {
		w.step(label)
		srv.ClearFaults()
		if deny {
			srv.InjectFaults(sandbox.FaultRule{Operation: "cloudwatch:DescribeAlarms", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied",
				Message: "User: arn:aws:sts::123456789012:assumed-role/ci/plan is not authorized to perform: cloudwatch:DescribeAlarms because no identity-based policy allows the cloudwatch:DescribeAlarms action"}})
		}
		srv.ResetLog()
	}
}

func (w *warningRecorder) record(diags []*tfprotov6.Diagnostic) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityWarning {
			w.warnings[w.label] = append(w.warnings[w.label], d.Summary+": "+d.Detail)
		}
	}
}

// of returns the warnings recorded under label whose summary is summary (details only).
func (w *warningRecorder) of(label, summary string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, s := range w.warnings[label] {
		if d, ok := strings.CutPrefix(s, summary+": "); ok {
			out = append(out, d)
		}
	}
	return out
}

func (w *warningRecorder) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"rightsize": func() (tfprotov6.ProviderServer, error) {
			s, err := providerserver.NewProtocol6WithError(&probeProvider{rightsizeProvider{version: "test"}})()
			return recordingServer{s, w}, err
		},
	}
}

type recordingServer struct {
	tfprotov6.ProviderServer
	w *warningRecorder
}

func (s recordingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.w.record(resp.Diagnostics)
	}
	return resp, err
}

func (s recordingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	resp, err := s.ProviderServer.ReadDataSource(ctx, req)
	if resp != nil {
		s.w.record(resp.Diagnostics)
	}
	return resp, err
}

// sandboxCloudWatch is a CloudWatch client on srv.
func sandboxCloudWatch(srv *sandbox.Server) *awscw.Client {
	return awscw.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDSANDBOX", "sandbox-secret", ""), HTTPClient: sdkhttp.Wrap(nil)},
		func(o *awscw.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
}

// putRDSAlarm puts an alarm on the AWS/RDS metric with dimensions dims (name, value, ...),
// TreatMissingData missing ("" leaves it unset) and, with pager, an SNS alarm action.
func putRDSAlarm(t *testing.T, c *awscw.Client, name, metric, missing string, pager bool, dims ...string) {
	t.Helper()
	in := &awscw.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("AWS/RDS"), MetricName: aws.String(metric),
		Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(5), Threshold: aws.Float64(80),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}
	for i := 0; i+1 < len(dims); i += 2 {
		in.Dimensions = append(in.Dimensions, cwtypes.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
	}
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

// putDemoReaderAlarms puts, on the demo's sandbox, alarms on sso-prod's reader sso-prod-instance-2
// (one that pages, one without actions that goes to ALARM and pages through a composite alarm whose
// rule ORs it with the first and the writer's, counted once, and may page through one whose rule ANDs it with NOT the writer's,
// one on the READER role that goes to INSUFFICIENT_DATA, one on the AuroraReplicaLagMaximum its
// writer publishes about it, which goes to OK) and on its writer (with a composite alarm over it
// alone) and on mandible-prod, which are not the reader's, and a composite alarm without actions
// over the reader's.
func putDemoReaderAlarms(t *testing.T, srv *sandbox.Server) {
	c := sandboxCloudWatch(srv)
	putRDSAlarm(t, c, "sso-reader-cpu", "CPUUtilization", "breaching", true, "DBInstanceIdentifier", "sso-prod-instance-2")
	putRDSAlarm(t, c, "sso-reader-quiet", "ReadIOPS", "breaching", false, "DBInstanceIdentifier", "sso-prod-instance-2")
	putRDSAlarm(t, c, "sso-reader-role-conns", "DatabaseConnections", "", true, "DBClusterIdentifier", "sso-prod", "Role", "READER")
	// The lag of the replicas the writer publishes: none once the reader is gone.
	putRDSAlarm(t, c, "sso-writer-lag-max", "AuroraReplicaLagMaximum", "notBreaching", false, "DBInstanceIdentifier", "sso-prod-instance-1")
	putRDSAlarm(t, c, "sso-writer-cpu", "CPUUtilization", "breaching", true, "DBInstanceIdentifier", "sso-prod-instance-1")
	putRDSAlarm(t, c, "sso-writer-role-cpu", "CPUUtilization", "breaching", true, "DBClusterIdentifier", "sso-prod", "Role", "WRITER")
	putRDSAlarm(t, c, "mandible-cpu", "CPUUtilization", "breaching", true, "DBInstanceIdentifier", "mandible-prod")
	for name, rule := range map[string]string{
		"sso-oncall":      `ALARM("sso-reader-quiet") OR ALARM(sso-reader-cpu) OR ALARM(sso-writer-cpu)`,
		"sso-degraded":    `ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:sso-reader-quiet) AND NOT ALARM(sso-writer-cpu)`,
		"sso-writer-page": `ALARM(sso-writer-cpu)`,
	} {
		if _, err := c.PutCompositeAlarm(context.Background(), &awscw.PutCompositeAlarmInput{AlarmName: aws.String(name), AlarmRule: aws.String(rule),
			AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:pager"}}); err != nil {
			t.Fatal(err)
		}
	}
	// Over the reader's alarm too, but without actions: it pages nothing, and is not named.
	if _, err := c.PutCompositeAlarm(context.Background(), &awscw.PutCompositeAlarmInput{AlarmName: aws.String("sso-dashboard"),
		AlarmRule: aws.String(`ALARM(sso-reader-quiet)`)}); err != nil {
		t.Fatal(err)
	}
}

// TestAccDBTopology_readerAlarmsWarn: with real terraform, the plan that removes sso-prod's reader
// warns of the CloudWatch alarms that watch it, naming the one that will page and the one that
// goes to INSUFFICIENT_DATA and what to do, and not the writer's; the plan is not blocked. With
// cloudwatch:DescribeAlarms refused, the plan warns that the check was skipped, naming the
// permission, and still succeeds. The plan that turns Multi-AZ off on mandible-prod, whose metrics
// go on, says nothing of alarms and lists none.
func TestAccDBTopology_readerAlarmsWarn(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	putDemoReaderAlarms(t, srv)
	rec := &warningRecorder{warnings: map[string][]string{}}
	cfg := func(attr, id string) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "t" {
  %s = %q
  nodes = 1
  force = true
}
`, attr, id))
	}
	describes := map[string]int{}
	step := func(label string, deny bool) func() { return rec.alarmsStep(srv, label, deny) }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{
			{PreConfig: step("aurora", false), Config: cfg("db_cluster_identifier", "sso-prod"), PlanOnly: true, ExpectNonEmptyPlan: true},
			{PreConfig: func() { describes["aurora"] = srv.Counts()["DescribeAlarms"]; step("denied", true)() },
				Config: cfg("db_cluster_identifier", "sso-prod"), PlanOnly: true, ExpectNonEmptyPlan: true},
			{PreConfig: step("multi-az", false), Config: cfg("db_instance_identifier", "mandible-prod"), PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
	describes["multi-az"] = srv.Counts()["DescribeAlarms"]
	srv.ClearFaults()

	ws := rec.of("aurora", readerAlarmsTitle)
	if len(ws) == 0 || describes["aurora"] == 0 {
		t.Fatalf("plan removing sso-prod's reader: no %q warning (%d DescribeAlarms calls); warnings: %q", readerAlarmsTitle, describes["aurora"], rec.warnings["aurora"])
	}
	w := ws[0]
	for _, want := range []string{
		"Removing reader sso-prod-instance-2 of Aurora cluster sso-prod stops a metric that 4 CloudWatch alarm(s) watch, 1 of which will page; " +
			"1 composite alarm(s) over them will page; 1 composite alarm(s) over them may page, as their rules decide.",
		"sso-reader-quiet (AWS/RDS ReadIOPS) will go to ALARM (TreatMissingData breaching), with no alarm action run",
		"composite alarm(s) sso-oncall (over sso-reader-cpu), sso-oncall (over sso-reader-quiet) will go to ALARM with the alarm they read and run their alarm actions",
		"composite alarm(s) sso-degraded (over sso-reader-quiet) may go to ALARM and page, as their rule decides",
		"sso-writer-lag-max (AWS/RDS AuroraReplicaLagMaximum) will go to OK and stay there",
		"sso-reader-cpu (AWS/RDS CPUUtilization) will go to ALARM and run their alarm actions (TreatMissingData breaching: they page)",
		"sso-reader-role-conns (AWS/RDS DatabaseConnections) will go to INSUFFICIENT_DATA (TreatMissingData missing, the default)",
		"retarget them to the writer (DBInstanceIdentifier = sso-prod-instance-1, or Role = WRITER), in the same apply as the change or before it",
		"The change is not refused for this",
		// CloudWatch does not delete an alarm a composite alarm still reads (sso-oncall reads sso-reader-cpu).
		"an alarm a composite alarm reads is deleted only once that composite's rule no longer reads it (or the composite is deleted first)",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warning lacks %q:\n%s", want, w)
		}
	}
	for _, not := range []string{"sso-writer-cpu", "sso-writer-role-cpu", "mandible-cpu", "sso-writer-page", "sso-dashboard"} {
		if strings.Contains(w, not) {
			t.Errorf("warning names %s, which does not watch the reader:\n%s", not, w)
		}
	}
	if d := rec.of("denied", readerAlarmsUnchecked); len(d) == 0 || !strings.Contains(d[0], "not allowed cloudwatch:DescribeAlarms") ||
		!strings.Contains(d[0], "reader sso-prod-instance-2 of Aurora cluster sso-prod") || !strings.Contains(d[0], "was skipped") {
		t.Errorf("plan with cloudwatch:DescribeAlarms refused: warnings %q, want %q naming the permission and the skipped check", rec.warnings["denied"], readerAlarmsUnchecked)
	}
	if len(rec.of("denied", readerAlarmsTitle)) > 0 {
		t.Errorf("plan with cloudwatch:DescribeAlarms refused listed alarms: %q", rec.warnings["denied"])
	}
	for _, title := range []string{readerAlarmsTitle, readerAlarmsUnchecked} {
		if ws := rec.of("multi-az", title); len(ws) > 0 {
			t.Errorf("Multi-AZ plan warns %q: %q", title, ws)
		}
	}
	if describes["multi-az"] != 0 {
		t.Errorf("Multi-AZ plan made %d DescribeAlarms calls, want none", describes["multi-az"])
	}
}

// TestAccSingleNodeRecommendation_readerAlarms: with real terraform, sso-prod's recommendation
// lists the alarms on its reader in reader_alarms and as an operations risk (medium: one pages),
// naming the paging one and the one going to INSUFFICIENT_DATA and not the writer's, without
// changing the verdict; with cloudwatch:DescribeAlarms refused it warns that they were not checked
// (reader_alarms null) and still reads; and mandible-prod's (Multi-AZ: its metrics go on) lists
// none (reader_alarms empty) and makes no DescribeAlarms call.
func TestAccSingleNodeRecommendation_readerAlarms(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	putDemoReaderAlarms(t, srv)
	rec := &warningRecorder{warnings: map[string][]string{}}
	end := now.Format(time.RFC3339)
	cfg := func(attr, id string) string {
		return recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "r" {
  %s = %q
  lookback_days = 14
  end_time      = %q
}
`, attr, id, end))
	}
	name := "data.rightsize_single_node_recommendation.r"
	alarmRisk := regexp.MustCompile(`^CloudWatch alarm\(s\) watch the reader sso-prod-instance-2, whose metrics stop when it is removed: ` +
		`sso-reader-cpu \(AWS/RDS CPUUtilization\) will go to ALARM and run their alarm actions \(TreatMissingData breaching: they page\); ` +
		`sso-reader-quiet \(AWS/RDS ReadIOPS\) will go to ALARM \(TreatMissingData breaching\), with no alarm action run \(actions disabled, none set, or already in ALARM\); ` +
		`sso-reader-role-conns \(AWS/RDS DatabaseConnections\) will go to INSUFFICIENT_DATA \(TreatMissingData missing, the default\); ` +
		`sso-writer-lag-max \(AWS/RDS AuroraReplicaLagMaximum\) will go to OK and stay there \(TreatMissingData notBreaching\): they watch nothing any more; ` +
		`composite alarm\(s\) sso-oncall \(over sso-reader-cpu\), sso-oncall \(over sso-reader-quiet\) will go to ALARM with the alarm they read and run their alarm actions \(their rule is an OR of ALARM\(\) terms: they page\); ` +
		`composite alarm\(s\) sso-degraded \(over sso-reader-quiet\) may go to ALARM and page, as their rule decides \([^)]*\(\)[^)]*\(\)[^)]*\)\. ` +
		`Delete them, or retarget them to the writer \(DBInstanceIdentifier = sso-prod-instance-1, or Role = WRITER\)`)
	noAlarmRisk := func(s *terraform.State) error {
		rs := s.RootModule().Resources[name]
		if rs == nil {
			return fmt.Errorf("%s not in the state", name)
		}
		for k, v := range rs.Primary.Attributes {
			if strings.HasPrefix(k, "risks.") && strings.Contains(v, "CloudWatch alarm") {
				return fmt.Errorf("%s = %q, want no alarm risk", k, v)
			}
		}
		return nil
	}
	describes := map[string]int{}
	step := func(label string, deny bool) func() { return rec.alarmsStep(srv, label, deny) }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{
			{PreConfig: step("aurora", false), Config: cfg("db_cluster_identifier", "sso-prod"), Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestMatchTypeSetElemNestedAttrs(name, "risks.*", map[string]*regexp.Regexp{
					"category": regexp.MustCompile(`^operations$`), "severity": regexp.MustCompile(`^medium$`), "description": alarmRisk}),
				resource.TestCheckResourceAttr(name, "verdict", "consolidate"),
				resource.TestCheckResourceAttr(name, "reader_alarms.#", "4"),
				resource.TestCheckTypeSetElemNestedAttrs(name, "reader_alarms.*", map[string]string{"alarm_name": "sso-reader-quiet",
					"metric_name": "ReadIOPS", "state_after": "ALARM", "pages": "false", "composite_alarms.#": "2",
					"composite_alarms.0.alarm_name": "sso-degraded", "composite_alarms.0.pages": "false",
					"composite_alarms.1.alarm_name": "sso-oncall", "composite_alarms.1.pages": "true"}),
				resource.TestCheckTypeSetElemNestedAttrs(name, "reader_alarms.*", map[string]string{"alarm_name": "sso-writer-lag-max",
					"metric_name": "AuroraReplicaLagMaximum", "treat_missing_data": "notBreaching", "state_after": "OK", "pages": "false"}),
				resource.TestCheckTypeSetElemNestedAttrs(name, "reader_alarms.*", map[string]string{"alarm_name": "sso-reader-cpu", "namespace": "AWS/RDS",
					"metric_name": "CPUUtilization", "metric_math": "false", "other_metrics": "false", "state": "INSUFFICIENT_DATA", "treat_missing_data": "breaching",
					"state_after": "ALARM", "actions_enabled": "true", "pages": "true", "composite_alarms.#": "1",
					"composite_alarms.0.alarm_name": "sso-oncall", "composite_alarms.0.pages": "true"}),
				resource.TestCheckTypeSetElemNestedAttrs(name, "reader_alarms.*", map[string]string{"alarm_name": "sso-reader-role-conns",
					"metric_name": "DatabaseConnections", "treat_missing_data": "missing", "state_after": "INSUFFICIENT_DATA", "pages": "false"}),
				func(*terraform.State) error {
					for _, r := range []string{"sso-writer-cpu", "sso-writer-role-cpu", "mandible-cpu", "sso-writer-page"} {
						for _, w := range rec.warnings["aurora"] {
							if strings.Contains(w, r) {
								return fmt.Errorf("a warning names %s: %s", r, w)
							}
						}
					}
					return nil
				},
			)},
			{PreConfig: step("denied", true), Config: cfg("db_cluster_identifier", "sso-prod"), Check: resource.ComposeAggregateTestCheckFunc(
				noAlarmRisk, resource.TestCheckResourceAttr(name, "verdict", "consolidate"), func(s *terraform.State) error {
					// Null (not checked), not empty: TestCheckNoResourceAttr takes a count of 0 for absent.
					if v, ok := s.RootModule().Resources[name].Primary.Attributes["reader_alarms.#"]; ok {
						return fmt.Errorf("reader_alarms.# = %s, want reader_alarms null", v)
					}
					return nil
				})},
			{PreConfig: func() { describes["denied"] = srv.Counts()["DescribeAlarms"]; step("multi-az", false)() },
				Config: cfg("db_instance_identifier", "mandible-prod"), Check: resource.ComposeAggregateTestCheckFunc(noAlarmRisk,
					func(s *terraform.State) error {
						// Empty (checked: none stops), not null: TestCheckResourceAttr takes an absent
						// count for "0", so with reader_alarms null here every test passed.
						if v, ok := s.RootModule().Resources[name].Primary.Attributes["reader_alarms.#"]; !ok || v != "0" {
							return fmt.Errorf("reader_alarms.# = %q (set: %t), want an empty list", v, ok)
						}
						return nil
					})},
		},
	})
	if n := srv.Counts()["DescribeAlarms"]; n != 0 {
		t.Errorf("mandible-prod's recommendation made %d DescribeAlarms calls, want none", n)
	}
	if d := rec.of("denied", "CloudWatch Alarms Not Checked"); len(d) == 0 || !strings.Contains(d[0], "CloudWatch alarms on the Aurora reader the consolidation removes") ||
		!strings.Contains(d[0], "(cloudwatch:DescribeAlarms)") || describes["denied"] == 0 {
		t.Errorf("recommendation with cloudwatch:DescribeAlarms refused: warnings %q, want one naming the permission", rec.warnings["denied"])
	}
	if d := rec.of("aurora", "CloudWatch Alarms Not Checked"); len(d) > 0 {
		t.Errorf("recommendation with DescribeAlarms allowed warns: %q", d)
	}
}

// TestRemovesReader: the plan warns of the alarms on the reader only for a change that removes
// it: a first attempt, a deferred one, or one resumed after its reader went; not a refused change,
// a completed one, or an interrupted rollback, which apply finishes by restoring the reader.
func TestRemovesReader(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    topology.Preview
		want bool
	}{
		{"first attempt", topology.Preview{Reader: "r"}, true},
		{"deferred", topology.Preview{Reader: "r", Resume: "g", Deferred: true}, true},
		{"resumed", topology.Preview{Reader: "r", Resume: "g"}, true},
		{"no reader", topology.Preview{}, false},
		{"refused", topology.Preview{Reader: "r", Refusal: "no"}, false},
		{"completed", topology.Preview{Reader: "r", Resume: "g", Completed: true}, false},
		{"rolling back", topology.Preview{Reader: "r", Resume: "g", RollingBack: true}, false},
	} {
		if got := removesReader(tc.p); got != tc.want {
			t.Errorf("%s: removesReader %v, want %v", tc.name, got, tc.want)
		}
	}
}

// putMathReaderAlarms puts, on srv, alarms on sso-prod's reader sso-prod-instance-2 whose counts
// differ in each of the plan warning's groups: two that page (sso-reader-cpu, and metric math on
// the reader's ReadIOPS alone, sso-reader-iops-math), one whose actions are disabled
// (sso-reader-muted), and metric math that also reads the writer's CPU (sso-reader-writer-sum:
// may page); and composite alarms over them: sso-oncall ORs sso-reader-cpu (pages) with
// sso-reader-writer-sum (may page), listed after it, and pages; sso-math-maybe reads the sum alone
// and sso-degraded ANDs two of them: both may page.
func putMathReaderAlarms(t *testing.T, srv *sandbox.Server) {
	t.Helper()
	c := sandboxCloudWatch(srv)
	ctx := context.Background()
	pager := []string{"arn:aws:sns:us-east-1:123456789012:pager"}
	stat := func(id, metric, instance string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(60), Stat: aws.String("Average"),
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String(metric),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String(instance)}}}}}
	}
	expr := func(e string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String("e1"), Expression: aws.String(e), ReturnData: aws.Bool(true)}
	}
	for _, in := range []*awscw.PutMetricAlarmInput{
		{AlarmName: aws.String("sso-reader-cpu"), Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"), Statistic: cwtypes.StatisticAverage,
			Period: aws.Int32(60), Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String("sso-prod-instance-2")}}},
		{AlarmName: aws.String("sso-reader-iops-math"), Metrics: []cwtypes.MetricDataQuery{stat("m1", "ReadIOPS", "sso-prod-instance-2"), expr("m1 * 2")}},
		{AlarmName: aws.String("sso-reader-muted"), Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"), Statistic: cwtypes.StatisticAverage,
			Period: aws.Int32(60), Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String("sso-prod-instance-2")}},
			ActionsEnabled: aws.Bool(false)},
		{AlarmName: aws.String("sso-reader-writer-sum"), Metrics: []cwtypes.MetricDataQuery{stat("m1", "CPUUtilization", "sso-prod-instance-2"),
			stat("m2", "CPUUtilization", "sso-prod-instance-1"), expr("m1 + m2")}},
	} {
		in.EvaluationPeriods, in.Threshold, in.ComparisonOperator = aws.Int32(5), aws.Float64(80), cwtypes.ComparisonOperatorGreaterThanThreshold
		in.TreatMissingData, in.AlarmActions = aws.String("breaching"), pager
		if _, err := c.PutMetricAlarm(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	for name, rule := range map[string]string{
		"sso-oncall":     `ALARM(sso-reader-cpu) OR ALARM(sso-reader-writer-sum)`,
		"sso-math-maybe": `ALARM(sso-reader-writer-sum)`,
		"sso-degraded":   `ALARM(sso-reader-iops-math) AND ALARM(sso-reader-cpu)`,
	} {
		if _, err := c.PutCompositeAlarm(ctx, &awscw.PutCompositeAlarmInput{AlarmName: aws.String(name), AlarmRule: aws.String(rule), AlarmActions: pager}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWarnReaderAlarms_counts: the plan warning's lead counts each group apart: the alarms that
// page (metric math on the reader alone among them), those that may page (metric math that also
// reads the writer's), the composite alarms that page (one paging through either of two alarms,
// the paging one listed first) and those that may; no warning when no alarm watches the reader
// (nothing else to say), and a failed listing that is not a refusal says so without naming the
// permission. Each count differs from the others: with the may-page alarms counted as paging, or
// not counted, with a composite's last alarm deciding whether it pages, with the composite counts
// swapped, with the warning given for no alarms, the acceptance tests passed.
func TestWarnReaderAlarms_counts(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: sandboxNow()})
	putMathReaderAlarms(t, srv)
	api := sandboxCloudWatch(srv)
	ctx := context.Background()

	var diags diag.Diagnostics
	warnReaderAlarms(ctx, api, "sso-prod", "sso-prod-instance-1", "sso-prod-instance-2", &diags)
	w, ok := warningDetail(diags, readerAlarmsTitle)
	lead := "Removing reader sso-prod-instance-2 of Aurora cluster sso-prod stops a metric that 4 CloudWatch alarm(s) watch, 2 of which will page " +
		"(1 more may page: metric math that also reads metrics that go on); 1 composite alarm(s) over them will page; " +
		"2 composite alarm(s) over them may page, as their rules decide. "
	if !ok || len(diags) != 1 || !strings.HasPrefix(w, lead) {
		t.Errorf("warnings %v, want one %q starting %q", diags, readerAlarmsTitle, lead)
	}

	diags = nil
	warnReaderAlarms(ctx, api, "mandible-cluster", "mandible-writer", "mandible-reader", &diags)
	if len(diags) != 0 {
		t.Errorf("no alarm on the reader: warnings %v, want none", diags)
	}

	srv.InjectFaults(sandbox.FaultRule{Operation: "cloudwatch:DescribeAlarms", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 400,
		Code: "InvalidParameterValue", Message: "the listing failed for the test"}})
	diags = nil
	warnReaderAlarms(ctx, api, "sso-prod", "sso-prod-instance-1", "sso-prod-instance-2", &diags)
	if w, ok := warningDetail(diags, readerAlarmsUnchecked); !ok || len(diags) != 1 || !strings.Contains(w, "was skipped: listing them failed.") ||
		strings.Contains(w, "not allowed") || !strings.Contains(w, "the listing failed for the test") {
		t.Errorf("listing failed: warnings %v, want one %q saying the listing failed, with its error, not naming a permission", diags, readerAlarmsUnchecked)
	}
}

// TestAccSingleNodeRecommendation_readerAlarmsMetricMath: with real terraform, reader_alarms tells
// metric math on the reader alone (metric_math, not other_metrics: it pages) from metric math that
// also reads the writer's CPU (other_metrics: pages false, its composite alarms may page), and an
// alarm whose actions are disabled (actions_enabled false, pages false). The other test's alarms
// are all plain metric alarms with actions enabled: with pages taken from MayPage, other_metrics
// from metric_math, metric_math or actions_enabled constant, it passed.
func TestAccSingleNodeRecommendation_readerAlarmsMetricMath(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	putMathReaderAlarms(t, srv)
	name := "data.rightsize_single_node_recommendation.r"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "r" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  end_time              = %q
}
`, now.Format(time.RFC3339))),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(name, "reader_alarms.#", "4"),
				resource.TestCheckTypeSetElemNestedAttrs(name, "reader_alarms.*", map[string]string{"alarm_name": "sso-reader-iops-math",
					"metric_name": "ReadIOPS", "metric_math": "true", "other_metrics": "false", "state_after": "ALARM", "actions_enabled": "true",
					"pages": "true", "composite_alarms.#": "1", "composite_alarms.0.alarm_name": "sso-degraded", "composite_alarms.0.pages": "false"}),
				resource.TestCheckTypeSetElemNestedAttrs(name, "reader_alarms.*", map[string]string{"alarm_name": "sso-reader-writer-sum",
					"metric_name": "CPUUtilization", "metric_math": "true", "other_metrics": "true", "state_after": "ALARM", "actions_enabled": "true",
					"pages": "false", "composite_alarms.#": "2", "composite_alarms.0.alarm_name": "sso-math-maybe", "composite_alarms.0.pages": "false",
					"composite_alarms.1.alarm_name": "sso-oncall", "composite_alarms.1.pages": "false"}),
				resource.TestCheckTypeSetElemNestedAttrs(name, "reader_alarms.*", map[string]string{"alarm_name": "sso-reader-muted",
					"metric_math": "false", "other_metrics": "false", "state_after": "ALARM", "actions_enabled": "false", "pages": "false",
					"composite_alarms.#": "0"}),
				resource.TestCheckTypeSetElemNestedAttrs(name, "reader_alarms.*", map[string]string{"alarm_name": "sso-reader-cpu",
					"metric_math": "false", "other_metrics": "false", "actions_enabled": "true", "pages": "true", "composite_alarms.#": "2",
					"composite_alarms.0.alarm_name": "sso-degraded", "composite_alarms.0.pages": "false",
					"composite_alarms.1.alarm_name": "sso-oncall", "composite_alarms.1.pages": "true"}),
			),
		}},
	})
}

// TestModifyPlan_readerAlarmsOnlyWhenRemoving: ModifyPlan warns of the alarms on sso-prod's reader
// for the plan that removes it, and not for the plan that finishes an interrupted rollback of that
// change (its guard tagged rolling-back), whose apply restores the previous topology, reader
// included: that plan lists no alarms. TestRemovesReader holds removesReader itself; with
// ModifyPlan testing the preview's reader and refusal in its place (the condition before
// removesReader), every test passed.
func TestModifyPlan_readerAlarmsOnlyWhenRemoving(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	putRDSAlarm(t, sandboxCloudWatch(srv), "sso-reader-cpu", "CPUUtilization", "breaching", true, "DBInstanceIdentifier", "sso-prod-instance-2")
	r, empty := directTopologyResource(t, api)
	r.data.CloudWatch = sandboxCloudWatch(srv)
	m := mandibleModel(1, 2, false, types.ObjectNull(lastChangeAttrTypes))
	m.ID, m.DBInstanceIdentifier, m.DBClusterIdentifier, m.MultiAZ = types.StringValue("cluster:sso-prod"), types.StringNull(), types.StringValue("sso-prod"), types.BoolValue(false)
	m.Force = types.BoolValue(true)

	diags := directModifyPlan(t, r, empty, nil, m)
	if w, ok := warningDetail(diags, readerAlarmsTitle); diags.HasError() || !ok || !strings.Contains(w, "sso-reader-cpu") {
		t.Fatalf("plan removing sso-prod's reader: diagnostics %v, want %q naming sso-reader-cpu", diags, readerAlarmsTitle)
	}

	handGuard(t, srv, api, topology.Target{Kind: topology.KindCluster, Identifier: "sso-prod"}, "", 1, 1, topology.OutcomeRollingBack)
	srv.ResetLog()
	diags = directModifyPlan(t, r, empty, nil, m)
	if diags.HasError() || !strings.Contains(fmt.Sprint(diags), "rollback") {
		t.Fatalf("plan finishing the rollback: diagnostics %v, want a warning of the rollback it finishes", diags)
	}
	if w, ok := warningDetail(diags, readerAlarmsTitle); ok {
		t.Errorf("plan finishing the rollback, which restores the reader, warns %q: %s", readerAlarmsTitle, w)
	}
	if n := srv.Counts()["DescribeAlarms"]; n != 0 {
		t.Errorf("plan finishing the rollback made %d DescribeAlarms calls, want none", n)
	}
}

package rightsizing

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestRecommendFleet_readerAlarms: a fleet's recommendations list the region's alarms once (one
// DescribeAlarms page) and give each 2-node Aurora cluster the alarms on its own reader as a risk,
// none to another cluster or to a Multi-AZ instance, whose standby publishes no metrics.
func TestRecommendFleet_readerAlarms(t *testing.T) {
	d, srv := deps(t, demoPlusFleet(6), testNow)
	cwc := d.CloudWatch.(*cloudwatch.Client)
	d.Alarms = cwc
	ctx := context.Background()
	all, err := inventory.ListFleet(ctx, d.RDS, inventory.FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var fleet []inventory.Cluster
	readers := map[string]string{}
	for _, c := range all {
		if c.CheckTwoNode() != nil {
			continue
		}
		fleet = append(fleet, c)
		if r := consolidatedReader(c); r != "" {
			readers[c.Identifier] = r
		}
	}
	if len(readers) < 2 || len(readers) == len(fleet) {
		t.Fatalf("fleet of %d with %d Aurora pairs: want at least two and a Multi-AZ instance", len(fleet), len(readers))
	}
	for cluster, reader := range readers {
		if _, err := cwc.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("reader-cpu-" + cluster),
			Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"), Statistic: cwtypes.StatisticAverage,
			Period: aws.Int32(60), EvaluationPeriods: aws.Int32(3), Threshold: aws.Float64(90), TreatMissingData: aws.String("breaching"),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:pager"},
			Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String(reader)}}}); err != nil {
			t.Fatal(err)
		}
	}
	srv.ResetLog()
	res, err := RecommendFleet(ctx, d, fleet, Request{Lookback: 3 * 24 * time.Hour, End: testNow, SkipReport: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Counts()["DescribeAlarms"]; n != 1 {
		t.Errorf("%d DescribeAlarms calls for the fleet, want 1", n)
	}
	for _, r := range res {
		var found []string
		for _, risk := range r.Recommendation.Risks {
			if strings.Contains(risk.Description, "CloudWatch alarm(s) watch the reader") {
				found = append(found, risk.Severity+" "+risk.Description)
			}
		}
		reader, aurora := readers[r.Cluster.Identifier]
		switch {
		case !aurora && len(found) > 0:
			t.Errorf("%s (not an Aurora pair): alarm risks %q", r.Name, found)
		case aurora && (len(found) != 1 || !strings.HasPrefix(found[0], "medium CloudWatch alarm(s) watch the reader "+reader+",") ||
			!strings.Contains(found[0], "reader-cpu-"+r.Cluster.Identifier+" (AWS/RDS CPUUtilization) will go to ALARM")):
			t.Errorf("%s: alarm risks %q, want one medium risk naming reader-cpu-%s", r.Name, found, r.Cluster.Identifier)
		case aurora && strings.Count(found[0], "reader-cpu-") != 1:
			t.Errorf("%s: the risk names another cluster's alarm: %s", r.Name, found[0])
		}
	}
}

// TestRecommendFleet_readerAlarmsDenied: without cloudwatch:DescribeAlarms, the fleet's one failed
// listing gives each 2-node Aurora cluster the same warning (title and text), so that the fleet
// shows it once with the deployments it concerns (addFleetWarnings groups identical warnings)
// rather than once per cluster on every plan; the recommendations are still made.
func TestRecommendFleet_readerAlarmsDenied(t *testing.T) {
	d, srv := deps(t, demoPlusFleet(6), testNow)
	d.Alarms = d.CloudWatch.(*cloudwatch.Client)
	ctx := context.Background()
	all, err := inventory.ListFleet(ctx, d.RDS, inventory.FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var fleet []inventory.Cluster
	pairs := 0
	for _, c := range all {
		if c.CheckTwoNode() != nil {
			continue
		}
		fleet = append(fleet, c)
		if consolidatedReader(c) != "" {
			pairs++
		}
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "cloudwatch:DescribeAlarms", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
		Code: "AccessDenied", Message: "User: arn:aws:sts::123456789012:assumed-role/ci/plan is not authorized to perform: cloudwatch:DescribeAlarms"}})
	res, err := RecommendFleet(ctx, d, fleet, Request{Lookback: 3 * 24 * time.Hour, End: testNow, SkipReport: true})
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[Warning]int{}
	for _, r := range res {
		for _, w := range r.Warnings {
			if w.Title == "CloudWatch Alarms Not Checked" {
				distinct[w]++
			}
		}
	}
	if len(distinct) != 1 || pairs < 2 {
		t.Fatalf("%d Aurora pairs: %d distinct %q warnings, want 1 shared by all: %v", pairs, len(distinct), "CloudWatch Alarms Not Checked", distinct)
	}
	for w, n := range distinct {
		if n != pairs || !strings.Contains(w.Text, "cloudwatch:DescribeAlarms") {
			t.Errorf("warning given to %d of %d Aurora pairs, or without the permission: %+v", n, pairs, w)
		}
	}
}

// TestRecommend_readerAlarmsChecked: ReaderAlarmsChecked (reader_alarms known, not null) is false
// without Deps.Alarms, with no warning (nothing was asked), and true with it for the Aurora pair
// and for the Multi-AZ instance, whose list is empty. With the Deps.Alarms condition dropped every
// test passed: a recommendation made without a CloudWatch alarms client said its reader's alarms
// had been checked and were none.
func TestRecommend_readerAlarmsChecked(t *testing.T) {
	d, _ := deps(t, sandbox.Demo(), testNow)
	ctx := context.Background()
	for _, withAlarms := range []bool{false, true} {
		d.Alarms = nil
		if withAlarms {
			d.Alarms = d.CloudWatch.(*cloudwatch.Client)
		}
		for _, req := range []Request{{ClusterID: "sso-prod"}, {InstanceID: "mandible-prod"}} {
			req.Lookback, req.End, req.SkipReport = 3*24*time.Hour, testNow, true
			res, err := Recommend(ctx, d, req)
			if err != nil {
				t.Fatal(err)
			}
			if res.ReaderAlarmsChecked != withAlarms || len(res.ReaderAlarms) != 0 {
				t.Errorf("%s, alarms client %t: ReaderAlarmsChecked %t with %d alarms, want %t with none",
					res.Name, withAlarms, res.ReaderAlarmsChecked, len(res.ReaderAlarms), withAlarms)
			}
			for _, w := range res.Warnings {
				if w.Title == "CloudWatch Alarms Not Checked" {
					t.Errorf("%s, alarms client %t: warning %+v", res.Name, withAlarms, w)
				}
			}
		}
	}
}

// TestRecommend_readerParametersUnread: when RDS refuses to list the Aurora reader's DB parameter
// group, the recommendation says the reader's and the writer's parameters were not compared,
// and what to allow, and raises no parameter risk it could not judge.
func TestRecommend_readerParametersUnread(t *testing.T) {
	sc := sandbox.Demo()
	sc.ParameterGroups = append(sc.ParameterGroups,
		sandbox.ParameterGroupSpec{Name: "sso-writer", Parameters: map[string]string{"statement_timeout": "30000"}},
		sandbox.ParameterGroupSpec{Name: "sso-reporting", Parameters: map[string]string{"work_mem": "65536"}})
	for i := range sc.Clusters {
		if sc.Clusters[i].ID == "sso-prod" {
			sc.Clusters[i].Members[0].ParameterGroup, sc.Clusters[i].Members[1].ParameterGroup = "sso-writer", "sso-reporting"
		}
	}
	d, srv := deps(t, sc, testNow)
	for _, deny := range []bool{false, true} {
		srv.ClearFaults()
		if deny { // the writer's group is read first, then the reader's
			srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBParameters", Sequence: []sandbox.Fault{{Kind: sandbox.FaultNone},
				{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBParameters"}}})
		}
		res, err := Recommend(context.Background(), d, Request{ClusterID: "sso-prod", Lookback: 3 * 24 * time.Hour, End: testNow, SkipReport: true})
		if err != nil {
			t.Fatal(err)
		}
		var warned, risk bool
		for _, w := range res.Warnings {
			warned = warned || w.Title == "Reader Parameters Not Compared" && strings.Contains(w.Text, "rds:DescribeDBParameters")
		}
		for _, r := range res.Recommendation.Risks {
			risk = risk || strings.Contains(r.Description, "run under the writer's parameters")
		}
		if warned != deny || risk == deny {
			t.Errorf("reader group denied %t: warned %t, risk %t", deny, warned, risk)
		}
	}
}

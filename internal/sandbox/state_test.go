package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

func TestStateFileSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	ctx := context.Background()
	srv, rc, cc := start(t, Options{StateFile: path})
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("keep")}); err == nil {
		t.Fatal("snapshot while modifying should fail")
	}
	now := srv.Now()
	if _, err := cc.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("S"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(7), Timestamp: aws.Time(now.Add(-time.Minute))}}}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(5 * time.Minute)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv2, rc2, cc2 := start(t, Options{StateFile: path})
	if !srv2.Now().Equal(ScenarioEpoch.Add(5 * time.Minute)) {
		t.Errorf("restored clock %v", srv2.Now())
	}
	in := describeOne(t, rc2, "mandible-prod")
	if aws.ToString(in.DBInstanceStatus) != "modifying" {
		t.Fatalf("restored status %q", aws.ToString(in.DBInstanceStatus))
	}
	srv2.Advance(time.Hour)
	if in := describeOne(t, rc2, "mandible-prod"); aws.ToBool(in.MultiAZ) {
		t.Error("conversion did not complete after restart")
	}
	n2 := srv2.Now()
	out, err := cc2.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(n2.Add(-3 * time.Hour)), EndTime: &n2,
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("a"), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String("S"), MetricName: aws.String("m")}, Period: aws.Int32(60), Stat: aws.String("Sum")}}}})
	if err != nil || len(out.MetricDataResults[0].Values) != 1 || out.MetricDataResults[0].Values[0] != 7 {
		t.Fatalf("restored PutMetricData: %v %+v", err, out)
	}
	if _, err := Start(Options{StateFile: path, ScenarioName: "busy"}); err == nil || !strings.Contains(err.Error(), `scenario "demo"`) {
		t.Errorf("state file of another scenario: %v", err)
	}
	// metrics of the generated nodes are unchanged by the restart
	a, _ := srv2.MetricValue("sso-prod-instance-1", MetricCPUUtilization, ScenarioEpoch.Add(-time.Hour))
	fresh, _, _ := start(t, Options{})
	b, _ := fresh.MetricValue("sso-prod-instance-1", MetricCPUUtilization, ScenarioEpoch.Add(-time.Hour))
	if a != b || a == 0 {
		t.Errorf("metric after restore %v, fresh %v", a, b)
	}
}

// TestStateFileMustBeRegular: saving renames a temporary file over the state
// path, so a special file such as /dev/null must be refused, not replaced.
func TestStateFileMustBeRegular(t *testing.T) {
	for _, p := range []string{os.DevNull, t.TempDir()} {
		if srv, err := Start(Options{StateFile: p}); err == nil {
			_ = srv.Close()
			t.Fatalf("Start accepted state file %s", p)
		} else if !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("Start(%s) error = %v", p, err)
		}
	}
	if st, err := os.Stat(os.DevNull); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a character device: %v %v", os.DevNull, st.Mode(), err)
	}
}

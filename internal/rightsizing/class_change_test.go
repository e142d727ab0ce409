package rightsizing

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

// classChangeWorkload: a Multi-AZ db.r6g.large running at 20–48 % of its 2 vCPUs with 6 GiB in use.
var classChangeWorkload = sandbox.Workload{CPUBase: 20, CPUAmplitude: 28, PeakHourUTC: 14, Sharpness: 1, WeekendFactor: 0.9,
	NoiseStdDev: 1, Connections: 40, ConnectionsAmplitude: 40,
	ReadIOPS: 100, ReadIOPSAmplitude: 200, WriteIOPS: 80, WriteIOPSAmplitude: 100, MemoryUsedGiB: 6, StorageUsedGiB: 30}

// resizedAgo analyses, over 14 days, a db.r6g.large resized to db.r6g.xlarge ago before now (RDS
// records RDS-EVENT-0014, "Finished applying modification to DB instance class.").
func resizedAgo(t *testing.T, ago time.Duration) Result {
	t.Helper()
	ctx := context.Background()
	sc := &sandbox.Scenario{Name: "resized", Seed: 21, Instances: []sandbox.InstanceSpec{sandbox.MultiAZInstance("cls-prod", "db.r6g.large", classChangeWorkload)}}
	d, srv := deps(t, sc, testNow.Add(-ago))
	api := rds.New(rds.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), HTTPClient: sdkhttp.Wrap(nil)})
	if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("cls-prod"),
		DBInstanceClass: aws.String("db.r6g.xlarge"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(ago)
	d.Now = srv.Now
	res, err := Recommend(ctx, d, Request{InstanceID: "cls-prod", Lookback: 14 * 24 * time.Hour, TargetClasses: []string{"db.r6g.xlarge"}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestClassChangeInWindow: CloudWatch measured CPU in percent of the vCPUs, and FreeableMemory of
// the RAM, of the class of the time. An upsize 3 days ago made the 11 days before look twice as
// busy on today's class (keep on db.r6g.2xlarge, memory alarm below 1.60 GiB): the analysis now
// starts at the change and says so, which leaves too little history for a verdict. An upsize 10
// days ago leaves 10 days, enough: the verdict and the memory alarm are those of today's class.
func TestClassChangeInWindow(t *testing.T) {
	warning := func(res Result) string {
		for _, w := range res.WarningTexts() {
			if strings.Contains(w, "instance class changed at") {
				return w
			}
		}
		return ""
	}
	recent := resizedAgo(t, 3*24*time.Hour)
	if w := warning(recent); !strings.Contains(w, "cls-prod's instance class changed") || !strings.Contains(w, "covers 3.0 of the 14.0 days") {
		t.Errorf("warnings %q, want one saying the class changed and the analysis covers 3 of 14 days", recent.WarningTexts())
	}
	if v := recent.Recommendation.Verdict; v != analysis.VerdictInsufficient {
		t.Errorf("verdict %s after a resize 3 days ago, want insufficient-data (3 days on today's class)", v)
	}
	older := resizedAgo(t, 10*24*time.Hour)
	rec := older.Recommendation
	if w := warning(older); !strings.Contains(w, "covers 10.0 of the 14.0 days") {
		t.Errorf("warnings %q, want one saying the analysis covers 10 of 14 days", older.WarningTexts())
	}
	if rec.Verdict != analysis.VerdictConsolidate || rec.RecommendedClass != "db.r6g.xlarge" {
		t.Errorf("verdict %s on %s after a resize 10 days ago, want consolidate on db.r6g.xlarge (24 %% CPU, 6 GiB of 32)", rec.Verdict, rec.RecommendedClass)
	}
	for _, a := range rec.RollbackTriggers {
		if a.MetricName == analysis.MetricFreeableMemory && a.Threshold < 16*(1<<30) {
			t.Errorf("FreeableMemory alarm %q: want it from today's class (32 GiB, about 6 GiB in use)", a.Description)
		}
	}
}

// TestClassChangePinnedWindow: a window pinned by end_time is trimmed at a class change only while
// RDS still returns the change's event (14 days): the warning gives the date from which the same
// window is analysed whole again, and the lookback that keeps the result.
func TestClassChangePinnedWindow(t *testing.T) {
	ctx := context.Background()
	end := testNow.Truncate(time.Hour)
	change := end.Add(-3 * 24 * time.Hour)
	sc := &sandbox.Scenario{Name: "pin", Seed: 21, Instances: []sandbox.InstanceSpec{sandbox.MultiAZInstance("pin-prod", "db.r6g.large", classChangeWorkload)}}
	d, srv := deps(t, sc, change)
	if _, err := rds.NewFromConfig(srv.AWSConfig()).ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("pin-prod"),
		DBInstanceClass: aws.String("db.r6g.xlarge"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(end.Add(time.Hour).Sub(srv.Now()))
	d.Now = srv.Now
	res, err := Recommend(ctx, d, Request{InstanceID: "pin-prod", Lookback: 14 * 24 * time.Hour, End: end, Period: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	want := "RDS keeps the event 14 days: from " + change.Add(14*24*time.Hour).Format("2006-01-02") // the change ended a little after it began
	found := false
	for _, w := range res.WarningTexts() {
		found = found || (strings.Contains(w, want) && strings.Contains(w, "lookback_days 2 or less"))
	}
	if !found {
		t.Errorf("warnings %q, want one saying the trim lasts until the event is 14 days old (%s) and the lookback that keeps it", res.WarningTexts(), want)
	}
}

// TestClassChangeFailoverBeforeIt: an Aurora failover, then a class change of an instance: the
// analysis starts at the class change, so the failover before it is not said to swap roles inside
// the window analysed.
func TestClassChangeFailoverBeforeIt(t *testing.T) {
	ctx := context.Background()
	d, srv := deps(t, &sandbox.Scenario{Name: "shop", Seed: 3, Clusters: []sandbox.ClusterSpec{
		sandbox.AuroraPair("shop", "db.r6g.large", classChangeWorkload, sandbox.IdleWorkload)}}, testNow.Add(-14*24*time.Hour))
	api := rds.NewFromConfig(srv.AWSConfig())
	srv.Advance(6 * 24 * time.Hour)
	if _, err := api.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("shop")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(3 * 24 * time.Hour)
	if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("shop-instance-1"),
		DBInstanceClass: aws.String("db.r6g.xlarge"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(5 * 24 * time.Hour)
	d.Now = srv.Now
	res, err := Recommend(ctx, d, Request{ClusterID: "shop", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	classChanged := false
	for _, w := range res.WarningTexts() {
		classChanged = classChanged || strings.Contains(w, "instance class changed at")
		if strings.Contains(w, "swapped the roles inside the window") {
			t.Errorf("warning about a failover before the analysed window: %q", w)
		}
	}
	if !classChanged {
		t.Errorf("warnings %q, want the class change", res.WarningTexts())
	}
}

// TestClassChangePinnedAdviceUnderADay: a class change less than a day before a pinned window's end
// leaves no lookback_days (1 or more) that starts after it: the advice says to move end_time.
func TestClassChangePinnedAdviceUnderADay(t *testing.T) {
	end := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	plan := &cw.Plan{Period: time.Minute, Start: end.Add(-14 * 24 * time.Hour), End: end}
	c := inventory.Cluster{ClassChanges: []analysis.Event{{Source: "cls-prod", Time: end.Add(-10 * time.Hour), Message: "Finished applying modification to DB instance class."}}}
	_, w := classChangeStart(c, plan, true)
	if strings.Contains(w, "lookback_days 0") || !strings.Contains(w, "move end_time to at least a day after the change") {
		t.Errorf("advice %q, want it to move end_time (no lookback_days of 1 or more starts after the change)", w)
	}
	c.ClassChanges[0].Time = end.Add(-50 * time.Hour)
	if _, w := classChangeStart(c, plan, true); !strings.Contains(w, "lookback_days 2 or less") {
		t.Errorf("advice %q, want lookback_days 2 or less", w)
	}
}

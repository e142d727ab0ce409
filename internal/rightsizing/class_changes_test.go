package rightsizing

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestClassChangesInWindowLatestWins: two class changes inside the window (db.r6g.large to
// db.r6g.xlarge about 50 hours before the end, then to db.r6g.2xlarge about 10 hours before it):
// CloudWatch measured the hours between them on db.r6g.xlarge, which is not today's class either, so
// the analysis starts at the later change, not the earlier one, and the warning names the later one.
func TestClassChangesInWindowLatestWins(t *testing.T) {
	ctx := context.Background()
	sc := &sandbox.Scenario{Name: "resized-twice", Seed: 21, Instances: []sandbox.InstanceSpec{sandbox.MultiAZInstance("cls2-prod", "db.r6g.large", classChangeWorkload)}}
	d, srv := deps(t, sc, testNow.Add(-50*time.Hour))
	api := rds.NewFromConfig(srv.AWSConfig())
	modify := func(class string) {
		t.Helper()
		if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("cls2-prod"),
			DBInstanceClass: aws.String(class), ApplyImmediately: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	modify("db.r6g.xlarge")
	srv.Advance(40 * time.Hour)
	modify("db.r6g.2xlarge")
	srv.Advance(10 * time.Hour)
	d.Now = srv.Now

	// The two changes' times, as RDS reports them (each finishes a little after it was asked for).
	out, err := api.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceIdentifier: aws.String("cls2-prod"),
		SourceType: "db-instance", Duration: aws.Int32(14 * 24 * 60)})
	if err != nil {
		t.Fatal(err)
	}
	var changes []time.Time
	for _, e := range out.Events {
		if aws.ToString(e.Message) == "Finished applying modification to DB instance class." {
			changes = append(changes, aws.ToTime(e.Date))
		}
	}
	if len(changes) != 2 {
		t.Fatalf("class change events at %v, want 2", changes)
	}
	earlier, later := changes[0], changes[1]
	if later.Before(earlier) {
		earlier, later = later, earlier
	}

	res, err := Recommend(ctx, d, Request{InstanceID: "cls2-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Cluster.ClassChanges); n != 2 {
		t.Fatalf("inventory read %d class changes, want 2 (the test needs both inside the window)", n)
	}
	rec := res.Recommendation
	if rec.Start.Before(later) || !rec.Start.Before(later.Add(res.Period)) {
		t.Errorf("analysed window starts at %s, want the first period at or after the later class change (%s, period %s), not the earlier one (%s)",
			rec.Start.UTC().Format(time.RFC3339), later.UTC().Format(time.RFC3339), res.Period, earlier.UTC().Format(time.RFC3339))
	}
	var w string
	for _, text := range res.WarningTexts() {
		if strings.Contains(text, "instance class changed at") {
			w = text
		}
	}
	if !strings.Contains(w, "changed at "+later.UTC().Format(time.RFC3339)) || strings.Contains(w, earlier.UTC().Format(time.RFC3339)) {
		t.Errorf("warning %q, want it to name the later class change (%s), not the earlier one (%s)",
			w, later.UTC().Format(time.RFC3339), earlier.UTC().Format(time.RFC3339))
	}
	if !strings.Contains(w, "covers 0.4 of the 14.0 days") {
		t.Errorf("warning %q, want the analysis to cover the 10 hours since the later change (0.4 of 14.0 days)", w)
	}
}

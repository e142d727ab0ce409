package rightsizing

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

// TestRecommend_earlierPeakClassChange: a db.r6g.large (20–48 % of its 2 vCPUs) upsized to
// db.r6g.xlarge 10 days ago. CloudWatch measured the CPU before the upsize in percent of the
// large's vCPUs, twice what the same load is on today's class: taken as today's, the days before
// a 14-day window looked twice as busy as the lookback's xlarge hours and raised a high
// high-traffic risk ("would have failed the CPU check") that is not there. The provider knows
// the change (RDS's event): the earlier CPU measured before it is left out, and a warning says
// so. With a 7-day lookback the 3 earlier days after the change are still compared, on today's
// class (about 24 %).
func TestRecommend_earlierPeakClassChange(t *testing.T) {
	ctx := context.Background()
	ago := 10 * 24 * time.Hour
	run := func(t *testing.T, lookback time.Duration) Result {
		sc := &sandbox.Scenario{Name: "resized-earlier", Seed: 21, History: 90 * 24 * time.Hour,
			Instances: []sandbox.InstanceSpec{sandbox.MultiAZInstance("cls-prod", "db.r6g.large", classChangeWorkload)}}
		d, srv := deps(t, sc, testNow.Add(-ago))
		api := rds.New(rds.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
			Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), HTTPClient: sdkhttp.Wrap(nil)})
		if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("cls-prod"),
			DBInstanceClass: aws.String("db.r6g.xlarge"), ApplyImmediately: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		srv.Advance(ago)
		d.Now = srv.Now
		res, err := Recommend(ctx, d, Request{InstanceID: "cls-prod", Lookback: lookback, PeakLookback: 60 * 24 * time.Hour,
			TargetClasses: []string{"db.r6g.xlarge"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Recommendation.Risks {
			if strings.HasPrefix(r.Description, "Busier before the lookback") {
				t.Errorf("risk %q: the earlier hours were on the smaller class", r.Description)
			}
		}
		return res
	}
	warning := func(res Result) string {
		for _, w := range res.WarningTexts() {
			if strings.HasPrefix(w, "peak_lookback_days: cls-prod's instance class changed") {
				return w
			}
		}
		return ""
	}
	t.Run("14-day lookback: all earlier CPU on the old class", func(t *testing.T) {
		res := run(t, 14*24*time.Hour)
		if e := res.Recommendation.EarlierPeak; e != nil {
			t.Errorf("EarlierPeak %+v: the earlier CPU was measured on db.r6g.large, want none compared", *e)
		}
		if w := warning(res); !strings.Contains(w, "earlier_peak is null") {
			t.Errorf("warnings %q: want one saying the earlier peak was not compared because the class changed", res.WarningTexts())
		}
	})
	t.Run("7-day lookback: the earlier hours after the change", func(t *testing.T) {
		res := run(t, 7*24*time.Hour)
		e := res.Recommendation.EarlierPeak
		change := testNow.Add(-ago)
		if e == nil || e.Start.Before(change) || e.PeakCPU > 30 || e.PeakCPU < 18 {
			t.Errorf("EarlierPeak %+v: want the hours after the change at %s, about 24%% on db.r6g.xlarge", e, change)
		}
		if w := warning(res); !strings.Contains(w, "only the hours after it are compared") {
			t.Errorf("warnings %q: want one saying only the earlier hours after the class change are compared", res.WarningTexts())
		}
	})
}

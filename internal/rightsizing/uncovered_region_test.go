package rightsizing

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// In a region the embedded catalog does not price, the recommendation's warning says so and
// names what can read the price: rightsize_rds_price with use_pricing_api (the recommendation
// data sources have no use_pricing_api of their own).
func TestRecommendUncoveredRegionPriceWarning(t *testing.T) {
	sc := sandbox.Demo()
	sc.Region = "ap-southeast-2"
	d, srv := deps(t, sc, testNow)
	d.Region = sc.Region
	d.RDS = rds.NewFromConfig(srv.AWSConfig())
	d.CloudWatch = cloudwatch.NewFromConfig(srv.AWSConfig())
	m, a := recommendBoth(t, d, testNow)
	for _, r := range []Result{m, a} {
		w, ok := warningWith(r.WarningTexts(), "current price unknown", "ap-southeast-2")
		if !ok {
			t.Fatalf("%s: no price warning for ap-southeast-2: %q", r.Name, r.WarningTexts())
		}
		for _, want := range []string{"prices in ap-southeast-2 are unknown to it", "rightsize_rds_price", "use_pricing_api = true"} {
			if !strings.Contains(w, want) {
				t.Errorf("%s: warning %q does not say %q", r.Name, w, want)
			}
		}
		if strings.Contains(w, "use the Price List API for others") {
			t.Errorf("%s: warning %q points to a Price List API this data source cannot use", r.Name, w)
		}
	}
}

package rightsizing

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// The demo's sso-prod reader runs in us-east-1b, its writer in us-east-1a: its clients' traffic,
// as CloudWatch measured it, is a low cost risk (a couple of dollars a month against $53 of
// savings). With both in one AZ, or for the Multi-AZ instance, there is none.
func TestRecommend_crossAZ(t *testing.T) {
	crossAZ := func(res Result) []analysis.Risk {
		var rs []analysis.Risk
		for _, r := range res.Recommendation.Risks {
			if strings.HasPrefix(r.Description, "Cross-AZ data transfer") {
				rs = append(rs, r)
			}
		}
		return rs
	}
	ctx := context.Background()
	d, _ := deps(t, sandbox.Demo(), testNow)
	res, err := Recommend(ctx, d, Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var gb float64
	for _, n := range res.Recommendation.Nodes {
		if n.ID != "sso-prod-instance-2" {
			continue
		}
		for _, m := range []string{analysis.MetricNetworkTransmit, analysis.MetricNetworkReceive} {
			s, ok := n.Summary(m)
			if !ok || s.Count == 0 {
				t.Fatalf("the reader's %s was not measured", m)
			}
			gb += s.Mean * analysis.HoursPerMonth * 3600 / (1 << 30)
		}
	}
	usd := fmt.Sprintf("$%.2f", gb*2*analysis.CrossAZUSDPerGB)
	rs := crossAZ(res)
	if len(rs) != 1 || rs[0].Category != "cost" || rs[0].Severity != "low" ||
		!strings.Contains(rs[0].Description, "the reader sso-prod-instance-2 in us-east-1b") || !strings.Contains(rs[0].Description, "writer in us-east-1a") ||
		!strings.Contains(rs[0].Description, "between -"+usd+" and +"+usd+" a month") ||
		!strings.Contains(rs[0].Description, fmt.Sprintf("against monthly savings of $%.2f", res.Recommendation.Cost.MonthlySavingsUSD)) {
		t.Fatalf("cross-AZ risks %+v, want one, low, of %s", rs, usd)
	}

	res, err = Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rs := crossAZ(res); len(rs) != 0 {
		t.Fatalf("Multi-AZ instance: cross-AZ risks %+v, want none (its standby serves no clients)", rs)
	}

	sc := sandbox.Demo()
	for i := range sc.Clusters[0].Members {
		sc.Clusters[0].Members[i].AvailabilityZone = "us-east-1c"
	}
	d, _ = deps(t, sc, testNow)
	res, err = Recommend(ctx, d, Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rs := crossAZ(res); len(rs) != 0 {
		t.Fatalf("writer and reader in one AZ: cross-AZ risks %+v, want none", rs)
	}
}

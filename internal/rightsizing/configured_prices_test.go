package rightsizing

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// configuredDeps are deps for the demo in region, with sso-prod an Aurora I/O-Optimized cluster
// and the provider configuration's instance_prices (pricing.Catalog.WithPrices) there.
func configuredDeps(t *testing.T, region string, overrides ...pricing.PriceOverride) Deps {
	t.Helper()
	sc := sandbox.Demo()
	sc.Region = region
	for i := range sc.Clusters {
		if sc.Clusters[i].ID == "sso-prod" {
			sc.Clusters[i].StorageType = "aurora-iopt1"
		}
	}
	d, srv := deps(t, sc, testNow)
	d.Region = region
	d.RDS = rds.NewFromConfig(srv.AWSConfig())
	d.CloudWatch = cloudwatch.NewFromConfig(srv.AWSConfig())
	cat, err := d.Catalog.WithPrices(region, overrides)
	if err != nil {
		t.Fatal(err)
	}
	d.Catalog = cat
	return d
}

// TestPriceSourcesMixed: with instance_prices giving a negotiated rate for the class a deployment
// runs on, in a region the catalog prices, the current price is the configuration's and the other
// candidate classes' the catalog's: the sources name both, the current price's first. It named
// the current price's alone ("provider-configuration"), though the class options, the proposed
// cost and the savings were priced at the catalog's list prices. The Aurora I/O-Optimized note no
// longer calls the configured prices the catalog's. The report's cost section names the sources
// as price_source does: it called every price an on-demand list price, an account's rates too.
// A Multi-AZ instance's storage, which its current cost and its savings include, priced by
// storage_prices, names the provider configuration too: the sources named the catalog alone.
func TestPriceSourcesMixed(t *testing.T) {
	configured := configuredDeps(t, "us-east-1",
		pricing.PriceOverride{Class: "db.t4g.large", MultiAZUSD: 0.2},
		pricing.PriceOverride{Class: "db.t4g.medium", AuroraUSD: 0.05})
	catalog := configuredDeps(t, "us-east-1")
	// storage_prices giving gp3's rate: mandible-prod's 100 GiB of gp3, in its current cost and its
	// savings, are priced at the configuration's rate, the instances at the catalog's.
	storage := configuredDeps(t, "us-east-1")
	var err error
	if storage.Catalog, err = storage.Catalog.WithStoragePrices("us-east-1", map[pricing.StorageType]float64{pricing.StorageGP3: 0.08}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		d       Deps
		id      Request
		sources string // a pattern: the catalog's dates vary by row
		note    string
	}{
		// Multi-AZ db.t4g.large at the configuration's 0.2; the Single-AZ classes at the catalog's.
		{configured, Request{InstanceID: "mandible-prod"}, `^\[provider-configuration catalog 2024-\d\d-\d\d\]$`, ""},
		// Aurora I/O-Optimized on db.t4g.medium at the configuration's 0.05 (× 1.3); db.t4g.large at the catalog's.
		{configured, Request{ClusterID: "sso-prod"}, `^\[provider-configuration catalog 2024-\d\d-\d\d\]$`, "Aurora I/O-Optimized: the Aurora Standard prices × 1.3"},
		// The catalog's alone: as before.
		{catalog, Request{InstanceID: "mandible-prod"}, `^\[catalog 2024-\d\d-\d\d\]$`, ""},
		// The catalog's Aurora rows were taken on several days: db.t4g.medium's on 2024-07-24, the
		// candidates' up to 2024-07-29; the sources say both, where they said the first alone.
		{catalog, Request{ClusterID: "sso-prod"}, `^\[catalog 2024-07-24 to 2024-07-29\]$`, "Aurora I/O-Optimized: the catalog's Aurora Standard prices × 1.3"},
		// The instances at the catalog's prices, the storage at storage_prices' rate.
		{storage, Request{InstanceID: "mandible-prod"}, `^\[catalog 2024-\d\d-\d\d provider-configuration\]$`, ""},
	} {
		req := tc.id
		req.Lookback, req.End = 14*24*time.Hour, testNow
		r, err := Recommend(context.Background(), tc.d, req)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(r.PriceSources)
		if !regexp.MustCompile(tc.sources).MatchString(got) || r.PriceNote != tc.note {
			t.Errorf("%s: sources %s, note %q; want %s, %q", r.Name, got, r.PriceNote, tc.sources, tc.note)
		}
		report := r.Recommendation.ReportMarkdown
		if want := "Prices are on-demand prices at 730 hours a month, from " + r.PriceSource() + "."; !strings.Contains(report, want) || strings.Contains(report, "list prices") {
			_, cost, _ := strings.Cut(report, "## Cost")
			cost, _, _ = strings.Cut(cost, "\n## ")
			t.Errorf("%s: the report's cost section does not say %q:\n%s", r.Name, want, cost)
		}
	}
}

// TestUnpricedClassesWarning: in a region the catalog does not price, instance_prices giving the
// writer's class alone leave the other sizes of its family without a price, so the default
// candidate list (familyClasses) drops them: a warning names them and what prices them. They were
// dropped without a word, so a recommendation of the writer's class read as if no smaller or
// larger size had been considered; and a Multi-AZ instance priced as it runs (multi_az) but with
// no Single-AZ price had a current cost, no savings, no class option and no warning at all. An
// Aurora cluster's list names no class Aurora does not offer; nothing priced at all needs no list.
func TestUnpricedClassesWarning(t *testing.T) {
	const region = "ap-northeast-1"
	for _, tc := range []struct {
		name      string
		overrides []pricing.PriceOverride
		req       Request
		want      string // "" for no warning
		options   int
	}{
		{"multi-az", []pricing.PriceOverride{{Class: "db.t4g.large", SingleAZUSD: 0.1, MultiAZUSD: 0.2}}, Request{InstanceID: "mandible-prod"},
			"the single node's class was chosen among the classes of the writer's family that have a price: db.t4g.micro, db.t4g.small, db.t4g.medium, db.t4g.xlarge, db.t4g.2xlarge, " +
				"without a Single-AZ price in ap-northeast-1, were not considered (neither in class_options nor as the recommended class). " +
				"Give their prices in the provider's instance_prices, or list the classes to consider in target_instance_classes, which checks their fit without a price", 1},
		{"no single-az price", []pricing.PriceOverride{{Class: "db.t4g.large", MultiAZUSD: 0.2}}, Request{InstanceID: "mandible-prod"},
			"no class of the writer's family has a Single-AZ price in ap-northeast-1 (db.t4g.large, db.t4g.micro, db.t4g.small, db.t4g.medium, db.t4g.xlarge, db.t4g.2xlarge), so none was considered", 0},
		// sso-prod is Aurora I/O-Optimized here (configuredDeps): the warning names the price to give.
		{"aurora", []pricing.PriceOverride{{Class: "db.t4g.medium", AuroraUSD: 0.05}}, Request{ClusterID: "sso-prod"},
			"that have a price: db.t4g.large, without an Aurora I/O-Optimized price in ap-northeast-1, were not considered (neither in class_options nor as the recommended class). " +
				"Give their prices in the provider's instance_prices (aurora_io_optimized, or aurora, the Aurora Standard price, taken × 1.3), or list", 1},
		{"aurora, I/O-Optimized rate", []pricing.PriceOverride{{Class: "db.t4g.medium", AuroraIOOptimizedUSD: 0.07}}, Request{ClusterID: "sso-prod"},
			"that have a price: db.t4g.large, without an Aurora I/O-Optimized price in ap-northeast-1", 1},
		{"all priced", []pricing.PriceOverride{{Class: "db.t4g.medium", AuroraUSD: 0.05}, {Class: "db.t4g.large", AuroraUSD: 0.1}}, Request{ClusterID: "sso-prod"}, "", 2},
		{"nothing priced", nil, Request{InstanceID: "mandible-prod"}, "", 0},
	} {
		d := configuredDeps(t, region, tc.overrides...)
		req := tc.req
		req.Lookback, req.End = 14*24*time.Hour, testNow
		r, err := Recommend(context.Background(), d, req)
		if err != nil {
			t.Fatal(err)
		}
		var w string
		found := false
		for _, x := range r.Warnings {
			if x.Title == "Classes Without Price Not Considered" {
				w, found = x.Text, true
			}
		}
		if tc.want == "" && found || tc.want != "" && !strings.Contains(w, tc.want) || len(r.Recommendation.Options) != tc.options {
			t.Errorf("%s: warning %q, %d class options; want one saying %q, %d", tc.name, w, len(r.Recommendation.Options), tc.want, tc.options)
		}
	}
}

// TestAuroraIOOptimizedPrices: an account's I/O-Optimized rates (instance_prices'
// aurora_io_optimized) price an Aurora I/O-Optimized cluster's instances as given, not as 1.3 times
// an Aurora Standard rate, which was the only way to give them (divided by 1.3 by hand); the note
// says × 1.3 only for the classes they leave out.
func TestAuroraIOOptimizedPrices(t *testing.T) {
	for _, tc := range []struct {
		name      string
		overrides []pricing.PriceOverride
		current   float64 // USD a month, writer and reader on db.t4g.medium
		sources   string
		note      string
	}{
		{"every class given", []pricing.PriceOverride{{Class: "db.t4g.medium", AuroraIOOptimizedUSD: 0.1}, {Class: "db.t4g.large", AuroraIOOptimizedUSD: 0.2}},
			146, `^\[provider-configuration\]$`, ""},
		{"the writer's class given", []pricing.PriceOverride{{Class: "db.t4g.medium", AuroraIOOptimizedUSD: 0.1}},
			146, `^\[provider-configuration catalog 2024-\d\d-\d\d\]$`, "Aurora I/O-Optimized: the catalog's Aurora Standard prices × 1.3, where the provider configuration gives no aurora_io_optimized price"},
		// An Aurora Standard rate alone is still taken × 1.3 (0.05 × 1.3 × 2 × 730).
		{"a Standard rate", []pricing.PriceOverride{{Class: "db.t4g.medium", AuroraUSD: 0.05}},
			94.9, `^\[provider-configuration catalog 2024-\d\d-\d\d\]$`, "Aurora I/O-Optimized: the Aurora Standard prices × 1.3"},
	} {
		d := configuredDeps(t, "us-east-1", tc.overrides...)
		r, err := Recommend(context.Background(), d, Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour, End: testNow})
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(r.PriceSources)
		if c := r.Recommendation.Cost.CurrentMonthlyUSD; c != tc.current || !regexp.MustCompile(tc.sources).MatchString(got) || r.PriceNote != tc.note {
			t.Errorf("%s: current %v, sources %s, note %q; want %v, %s, %q", tc.name, c, got, r.PriceNote, tc.current, tc.sources, tc.note)
		}
	}
}

// addPriceSource keeps one entry per kind of source, with the range of its prices' dates.
func TestAddPriceSource(t *testing.T) {
	for _, tc := range []struct {
		adds [][2]string // kind, date
		want string
	}{
		{[][2]string{{"catalog", "2024-08-09"}}, "[catalog 2024-08-09]"},
		{[][2]string{{"catalog", "2024-08-09"}, {"catalog", "2024-08-09"}}, "[catalog 2024-08-09]"},
		{[][2]string{{"catalog", "2024-07-29"}, {"catalog", "2024-07-24"}, {"catalog", "2024-08-09"}, {"catalog", "2024-07-30"}}, "[catalog 2024-07-24 to 2024-08-09]"},
		{[][2]string{{"catalog", ""}, {"catalog", "2024-07-24"}}, "[catalog 2024-07-24]"}, // an undated row adds no date
		{[][2]string{{"catalog", "2024-07-24"}, {"catalog", ""}}, "[catalog 2024-07-24]"},
		{[][2]string{{"provider-configuration", ""}, {"catalog", "2024-08-09"}, {"provider-configuration", ""}, {"catalog", "2024-07-24"}},
			"[provider-configuration catalog 2024-07-24 to 2024-08-09]"},
	} {
		var got []string
		for _, a := range tc.adds {
			got = addPriceSource(got, a[0], a[1])
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("%v: %v, want %s", tc.adds, got, tc.want)
		}
	}
}

package pricing

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	awspricing "github.com/aws/aws-sdk-go-v2/service/pricing"
)

// A region the catalog does not price: the reason says the catalog does not know the price and what can
// read it (rightsize_rds_price with use_pricing_api), not a Price List API the caller may not have.
func TestCatalogUncoveredRegionReason(t *testing.T) {
	_, err := mustDefault(t).Price("db.r6g.large", EngineRDSPostgres, MultiAZ, "ap-southeast-2")
	var pu *PriceUnavailableError
	if !errors.As(err, &pu) {
		t.Fatalf("want *PriceUnavailableError, got %v", err)
	}
	for _, want := range []string{"covers regions ap-southeast-1, eu-central-1, eu-west-1, us-east-1, us-west-2 only",
		"prices in ap-southeast-2 are unknown to it", "the rightsize_rds_price data source with use_pricing_api = true"} {
		if !strings.Contains(pu.Reason, want) {
			t.Errorf("reason %q does not say %q", pu.Reason, want)
		}
	}
	if strings.Contains(pu.Reason, "use the Price List API for others") || strings.Contains(pu.Reason, "does not offer") {
		t.Errorf("reason %q", pu.Reason)
	}
}

// cnyDoc is priceDoc with the hourly price in CNY only, as the Price List of the China regions gives it.
func cnyDoc(sku, location, cny string) string {
	usd := priceDoc(sku, "db.r6g.large", "PostgreSQL", "Multi-AZ", location, "CNN1-Multi-AZUsage:db.r6g.large", cny)
	return strings.Replace(usd, `"pricePerUnit": {"USD": "`+cny+`"}`, `"pricePerUnit": {"CNY": "`+cny+`"}`, 1)
}

func TestParsePriceListItemNotUSD(t *testing.T) {
	doc := cnyDoc("CN1", "China (Beijing)", "4.4180000000")
	if !strings.Contains(doc, `{"CNY": "4.4180000000"}`) {
		t.Fatal("cnyDoc did not replace the hourly price")
	}
	_, err := ParsePriceListItem(doc)
	var nu *NotUSDError
	if !errors.As(err, &nu) {
		t.Fatalf("want *NotUSDError, got %v", err)
	}
	for _, want := range []string{"db.r6g.large in China (Beijing) (SKU CN1) as 4.4180000000 CNY per hour, not in USD", "USD only"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// A document without any hourly price is still the plain error.
	if _, err := ParsePriceListItem(`{"product":{"sku":"X"},"terms":{"OnDemand":{}}}`); err == nil || errors.As(err, &nu) {
		t.Errorf("document without on-demand price: %v", err)
	}
}

// The Price List answers in CNY (China): the lookup says the price is not in USD, not that the catalog has
// no price for the region (which the data source turns into "check that the class is offered"). Where the
// catalog has a USD price, that is used with a warning as for any other Price List failure.
func TestLookupNotUSD(t *testing.T) {
	cat := mustDefault(t)
	srv := &priceListServer{respond: func(f map[string]string, _ string) (int, string) {
		switch {
		case f["regionCode"] == "cn-north-1":
			return 200, productsJSON("", cnyDoc("CN1", "China (Beijing)", "4.4180000000"))
		case f["location"] == "EU (Ireland)":
			return 200, productsJSON("", cnyDoc("EU1", "EU (Ireland)", "3.0000000000"))
		}
		return 400, `{"__type":"InvalidParameterException","Message":"unexpected filters"}`
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	l := &Lookup{API: newPricingClient(hs.URL), Catalog: cat}

	_, warns, err := l.Price(context.Background(), "db.r6g.large", EngineRDSPostgres, MultiAZ, "cn-north-1")
	var nu *NotUSDError
	var pu *PriceUnavailableError
	if !errors.As(err, &nu) || errors.As(err, &pu) || len(warns) != 0 {
		t.Fatalf("cn-north-1: want a *NotUSDError only, got %v (warnings %q)", err, warns)
	}
	for _, want := range []string{"4.4180000000 CNY per hour, not in USD", "the embedded catalog has no USD price for it either"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	p, warns, err := l.Price(context.Background(), "db.r6g.large", EngineRDSPostgres, MultiAZ, "eu-west-1")
	want, _ := cat.Price("db.r6g.large", EngineRDSPostgres, MultiAZ, "eu-west-1")
	if err != nil || p != want || len(warns) != 1 || !strings.Contains(warns[0], "not in USD") {
		t.Errorf("eu-west-1: %+v %v %q", p, err, warns)
	}
}

type unavailableAPI struct{ calls int }

func (u *unavailableAPI) GetProducts(context.Context, *awspricing.GetProductsInput, ...func(*awspricing.Options)) (*awspricing.GetProductsOutput, error) {
	u.calls++
	return nil, fmt.Errorf("operation error Pricing: GetProducts, failed to resolve service endpoint, %w",
		&APIUnavailableError{Reason: "use_pricing_api: no Price List endpoint"})
}

// A Price List client that cannot ask the API at all is an error, even where the catalog has a price:
// the caller asked for the API.
func TestLookupAPIUnavailable(t *testing.T) {
	api := &unavailableAPI{}
	l := &Lookup{API: api, Catalog: mustDefault(t)}
	_, warns, err := l.Price(context.Background(), "db.r6g.large", EngineRDSPostgres, MultiAZ, "us-east-1")
	var ua *APIUnavailableError
	if !errors.As(err, &ua) || err.Error() != "use_pricing_api: no Price List endpoint" || len(warns) != 0 || api.calls != 1 {
		t.Errorf("got %v (warnings %q, %d calls)", err, warns, api.calls)
	}
}

package pricing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awspricing "github.com/aws/aws-sdk-go-v2/service/pricing"
)

// priceDoc builds one GetProducts PriceList element in the shape AWS documents for the Price List API
// (product.attributes, terms.OnDemand.<sku>.<offerTermCode>.priceDimensions.<rateCode>.pricePerUnit), with a
// Reserved term present as in real responses so the parser must ignore it.
func priceDoc(sku, instanceType, engine, deployment, location, usageType, usd string) string {
	return fmt.Sprintf(`{
  "product": {
    "productFamily": "Database Instance",
    "attributes": {
      "engineCode": "14", "memory": "16 GiB", "vcpu": "2", "instanceType": %[2]q,
      "usagetype": %[6]q, "locationType": "AWS Region", "storage": "EBS Only",
      "instanceFamily": "Memory optimized", "databaseEngine": %[3]q, "regionCode": "us-east-1",
      "servicecode": "AmazonRDS", "licenseModel": "No license required", "location": %[5]q,
      "deploymentOption": %[4]q, "operation": "CreateDBInstance:0014", "servicename": "Amazon Relational Database Service"
    },
    "sku": %[1]q
  },
  "serviceCode": "AmazonRDS",
  "terms": {
    "OnDemand": {
      "%[1]s.JRTCKXETXF": {
        "priceDimensions": {
          "%[1]s.JRTCKXETXF.6YS6EN2CT7": {
            "unit": "Hrs", "endRange": "Inf", "description": "$%[7]s per RDS instance hour",
            "appliesTo": [], "rateCode": "%[1]s.JRTCKXETXF.6YS6EN2CT7", "beginRange": "0",
            "pricePerUnit": {"USD": %[7]q}
          }
        },
        "sku": %[1]q, "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "JRTCKXETXF", "termAttributes": {}
      }
    },
    "Reserved": {
      "%[1]s.HU7G6KETJZ": {
        "priceDimensions": {
          "%[1]s.HU7G6KETJZ.2TG2D8R56U": {"unit": "Quantity", "description": "Upfront Fee", "pricePerUnit": {"USD": "1000"}}
        },
        "sku": %[1]q, "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "HU7G6KETJZ",
        "termAttributes": {"LeaseContractLength": "1yr", "OfferingClass": "standard", "PurchaseOption": "Partial Upfront"}
      }
    }
  },
  "version": "20261101000000",
  "publicationDate": "2026-11-01T00:00:00Z"
}`, sku, instanceType, engine, deployment, location, usageType, usd)
}

func TestParsePriceListItem(t *testing.T) {
	lp, err := ParsePriceListItem(priceDoc("ABC123", "db.r6g.large", "PostgreSQL", "Multi-AZ", "EU (Ireland)", "EU-Multi-AZUsage:db.r6g.large", "0.5160000000"))
	if err != nil {
		t.Fatal(err)
	}
	want := ListPrice{SKU: "ABC123", InstanceType: "db.r6g.large", Engine: "PostgreSQL", Deployment: "Multi-AZ",
		Location: "EU (Ireland)", UsageType: "EU-Multi-AZUsage:db.r6g.large", HourlyUSD: 0.516, EffectiveDate: "2026-11-01"}
	if lp != want {
		t.Errorf("got %+v\nwant %+v", lp, want)
	}
	if _, err := ParsePriceListItem(`{"product":{"sku":"X"},"terms":{"OnDemand":{}}}`); err == nil {
		t.Error("document without on-demand price parsed")
	}
	if _, err := ParsePriceListItem(`not json`); err == nil {
		t.Error("non-JSON parsed")
	}
	// strconv.ParseFloat takes all of these; none is a price (a NaN reached the framework, which panics on it).
	for _, usd := range []string{"abc", "NaN", "nan", "Inf", "+Inf", "-Inf", "infinity", "0x1p-2", "1e400", "-1", ""} {
		if lp, err := ParsePriceListItem(priceDoc("B", "db.r6g.large", "PostgreSQL", "Single-AZ", "x", "u", usd)); err == nil {
			t.Errorf("price %q parsed as %v", usd, lp.HourlyUSD)
		}
	}
	for usd, want := range map[string]float64{"0.0720000000": 0.072, "1.5E+1": 15, "3": 3} {
		if lp, err := ParsePriceListItem(priceDoc("C", "db.r6g.large", "PostgreSQL", "Single-AZ", "x", "u", usd)); err != nil || lp.HourlyUSD != want {
			t.Errorf("price %q: %v, %v; want %v", usd, lp.HourlyUSD, err, want)
		}
	}
}

// priceListServer serves GetProducts over the awsJson1.1 protocol the real SDK client speaks.
type priceListServer struct {
	mu       sync.Mutex
	requests []map[string]any
	respond  func(filters map[string]string, nextToken string) (int, string)
}

func (s *priceListServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if got := r.Header.Get("X-Amz-Target"); got != "AWSPriceListService.GetProducts" {
		http.Error(w, "unexpected target "+got, http.StatusBadRequest)
		return
	}
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	filters := map[string]string{}
	fl, _ := req["Filters"].([]any)
	for _, f := range fl {
		m := f.(map[string]any)
		if m["Type"] != "TERM_MATCH" {
			http.Error(w, "unexpected filter type", http.StatusBadRequest)
			return
		}
		filters[m["Field"].(string)] = m["Value"].(string)
	}
	tok, _ := req["NextToken"].(string)
	code, out := s.respond(filters, tok)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, out)
}

func newPricingClient(url string) *awspricing.Client {
	return awspricing.New(awspricing.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  aws.AnonymousCredentials{},
		// API errors reach the lookup as they are; a connection lost while the response is read (a rare race in
		// the standard library's HTTP/1 client, aws-sdk-go-v2 issue 2737) is retried, as the SDK's default does.
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
			o.RateLimiter = ratelimit.None
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		}),
	})
}

func productsJSON(next string, docs ...string) string {
	out := map[string]any{"FormatVersion": "aws_v1", "PriceList": docs}
	if next != "" {
		out["NextToken"] = next
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func TestLookupPriceListAPI(t *testing.T) {
	cat := mustDefault(t)
	srv := &priceListServer{respond: func(f map[string]string, tok string) (int, string) {
		key := f["instanceType"] + "|" + f["databaseEngine"] + "|" + f["deploymentOption"] + "|" + f["location"]
		switch key {
		case "db.r6g.large|PostgreSQL|Multi-AZ|EU (Ireland)":
			if tok == "" { // first page: only an I/O-Optimized-looking offer that must be skipped, then a page token
				return 200, productsJSON("page2", priceDoc("IOO", "db.r6g.large", "PostgreSQL", "Multi-AZ", "EU (Ireland)", "EU-InstanceUsageIOOptimized:db.r6g.large", "9.99"))
			}
			return 200, productsJSON("", priceDoc("MAZ", "db.r6g.large", "PostgreSQL", "Multi-AZ", "EU (Ireland)", "EU-Multi-AZUsage:db.r6g.large", "0.5160000000"))
		case "db.r6g.large|Aurora PostgreSQL|Single-AZ|US East (N. Virginia)":
			return 200, productsJSON("", priceDoc("AUR", "db.r6g.large", "Aurora PostgreSQL", "Single-AZ", "US East (N. Virginia)", "InstanceUsage:db.r6g.large", "0.2600000000"),
				priceDoc("AURIO", "db.r6g.large", "Aurora PostgreSQL", "Single-AZ", "US East (N. Virginia)", "InstanceUsageIOOptimized:db.r6g.large", "0.3380000000"))
		case "db.r6g.xlarge|Aurora PostgreSQL|Single-AZ|US East (N. Virginia)": // Aurora Standard's offer only
			return 200, productsJSON("", priceDoc("AURX", "db.r6g.xlarge", "Aurora PostgreSQL", "Single-AZ", "US East (N. Virginia)", "InstanceUsage:db.r6g.xlarge", "0.5190000000"))
		case "db.m5.large|PostgreSQL|Single-AZ|US East (N. Virginia)":
			return 500, `{"__type":"InternalErrorException","Message":"backend unavailable"}`
		case "db.m6g.large|PostgreSQL|Single-AZ|US East (N. Virginia)":
			return 200, productsJSON("")
		case "db.m6i.large|PostgreSQL|Single-AZ|US East (N. Virginia)":
			return 200, productsJSON("", priceDoc("A", "db.m6i.large", "PostgreSQL", "Single-AZ", "US East (N. Virginia)", "InstanceUsage:db.m6i.large", "0.178"),
				priceDoc("B", "db.m6i.large", "PostgreSQL", "Single-AZ", "US East (N. Virginia)", "InstanceUsage:db.m6i.large", "0.2"))
		}
		return 400, `{"__type":"InvalidParameterException","Message":"unexpected filters ` + key + `"}`
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	l := &Lookup{API: newPricingClient(hs.URL), Catalog: cat}
	ctx := context.Background()

	p, warns, err := l.Price(ctx, "db.r6g.large", EngineRDSPostgres, MultiAZ, "eu-west-1")
	if err != nil || len(warns) != 0 {
		t.Fatalf("rds multi-az: %v %v", err, warns)
	}
	if p.Source != SourcePricingAPI || p.HourlyUSD != 0.516 || p.MonthlyUSD != 0.516*730 || p.SourceDate != "2026-11-01" {
		t.Errorf("rds multi-az price %+v", p)
	}
	srv.mu.Lock()
	if len(srv.requests) != 2 || srv.requests[0]["ServiceCode"] != "AmazonRDS" || srv.requests[1]["NextToken"] != "page2" {
		t.Errorf("requests = %v", srv.requests)
	}
	srv.mu.Unlock()

	p, _, err = l.Price(ctx, "db.r6g.large", EngineAuroraPostgres, MultiAZ, "us-east-1")
	if err != nil || p.HourlyUSD != 0.52 || p.Source != SourcePricingAPI || p.Note == "" {
		t.Errorf("aurora multi-az: %+v %v", p, err)
	}

	// An Aurora I/O-Optimized cluster's instance: the Price List's I/O-Optimized offer, not 1.3 times
	// Aurora Standard's, which Price keeps returning for the same filters.
	p, warns, err = l.AuroraIOOptimizedPrice(ctx, "db.r6g.large", MultiAZ, "us-east-1")
	if err != nil || len(warns) != 0 || p.HourlyUSD != 0.676 || p.Source != SourcePricingAPI || p.Scaled ||
		!strings.Contains(p.Note, "Aurora I/O-Optimized (the Price List's InstanceUsageIOOptimized:db.r6g.large offer)") {
		t.Errorf("aurora I/O-Optimized: %+v %v %q", p, err, warns)
	}
	if p, _, err := l.Price(ctx, "db.r6g.large", EngineAuroraPostgres, SingleAZ, "us-east-1"); err != nil || p.HourlyUSD != 0.26 {
		t.Errorf("aurora standard beside an I/O-Optimized offer: %+v %v", p, err)
	}
	// No I/O-Optimized offer: the catalog's Aurora Standard price × 1.3, with a warning; or the
	// configuration's aurora_io_optimized rate, the warning naming instance_prices.
	p, warns, err = l.AuroraIOOptimizedPrice(ctx, "db.r6g.xlarge", SingleAZ, "us-east-1")
	std, _ := cat.Price("db.r6g.xlarge", EngineAuroraPostgres, SingleAZ, "us-east-1")
	if err != nil || p.HourlyUSD != std.HourlyUSD*1.3 || !p.Scaled || p.Source != SourceCatalog || len(warns) != 1 || !strings.Contains(warns[0], "no Aurora I/O-Optimized on-demand offer") {
		t.Errorf("aurora I/O-Optimized without an offer: %+v %v %q", p, err, warns)
	}
	ioRate, err := cat.WithPrices("us-east-1", []PriceOverride{{Class: "db.r6g.xlarge", AuroraIOOptimizedUSD: 0.6}})
	if err != nil {
		t.Fatal(err)
	}
	p, warns, err = (&Lookup{API: l.API, Catalog: ioRate}).AuroraIOOptimizedPrice(ctx, "db.r6g.xlarge", SingleAZ, "us-east-1")
	if err != nil || p.HourlyUSD != 0.6 || p.Source != SourceConfiguration || len(warns) != 1 || !strings.Contains(warns[0], "instance_prices give for db.r6g.xlarge") {
		t.Errorf("aurora I/O-Optimized rate configured: %+v %v %q", p, err, warns)
	}
	if p, _, err := (&Lookup{Catalog: ioRate}).AuroraIOOptimizedPrice(ctx, "db.r6g.xlarge", SingleAZ, "us-east-1"); err != nil || p.HourlyUSD != 0.6 {
		t.Errorf("aurora I/O-Optimized, catalog only: %+v %v", p, err)
	}

	for _, class := range []string{"db.m5.large", "db.m6g.large", "db.m6i.large"} {
		p, warns, err = l.Price(ctx, class, EngineRDSPostgres, SingleAZ, "us-east-1")
		want, _ := cat.Price(class, EngineRDSPostgres, SingleAZ, "us-east-1")
		if err != nil || p != want || len(warns) != 1 || !strings.Contains(warns[0], "catalog") {
			t.Errorf("%s fallback: price %+v err %v warnings %q", class, p, err, warns)
		}
	}
	if !strings.Contains(warns[0], "different on-demand prices") {
		t.Errorf("ambiguous offers warning: %q", warns[0])
	}

	// A class the provider configuration describes falls back to the configuration's price, and
	// the warning says so: not the embedded catalog's dated estimate, which has none for it.
	custom, err := cat.WithClasses("us-east-1", []CustomClass{{Name: "db.r8g.large", VCPU: 2, MemoryGiB: 16, SingleAZUSD: 0.2}})
	if err != nil {
		t.Fatal(err)
	}
	p, warns, err = (&Lookup{API: l.API, Catalog: custom}).Price(ctx, "db.r8g.large", EngineRDSPostgres, SingleAZ, "us-east-1")
	if err != nil || p.Source != SourceConfiguration || p.HourlyUSD != 0.2 || len(warns) != 1 ||
		!strings.HasPrefix(warns[0], "Price List API lookup failed, using the price the provider configuration's instance_classes give for db.r8g.large: ") || strings.Contains(warns[0], "catalog") {
		t.Errorf("custom class fallback: price %+v err %v warnings %q", p, err, warns)
	}

	// So does a catalog class instance_prices price (a negotiated rate): the warning named the
	// embedded catalog's dated estimate, whose price was not the one used.
	negotiated, err := cat.WithPrices("us-east-1", []PriceOverride{{Class: "db.m5.large", SingleAZUSD: 0.1}})
	if err != nil {
		t.Fatal(err)
	}
	p, warns, err = (&Lookup{API: l.API, Catalog: negotiated}).Price(ctx, "db.m5.large", EngineRDSPostgres, SingleAZ, "us-east-1")
	if err != nil || p.Source != SourceConfiguration || p.HourlyUSD != 0.1 || len(warns) != 1 ||
		!strings.HasPrefix(warns[0], "Price List API lookup failed, using the price the provider configuration's instance_prices give for db.m5.large: ") || strings.Contains(warns[0], "catalog") {
		t.Errorf("instance_prices fallback: price %+v err %v warnings %q", p, err, warns)
	}

	// The API answers but the catalog has no price either: catalog error plus the API warning.
	_, warns, err = l.Price(ctx, "db.r7g.large", EngineAuroraPostgres, SingleAZ, "eu-central-1")
	var pu *PriceUnavailableError
	if !errors.As(err, &pu) || len(warns) != 1 {
		t.Errorf("unsourced with failing API: %v %q", err, warns)
	}

	srv.mu.Lock()
	before := len(srv.requests)
	srv.mu.Unlock()
	_, _, err = l.Price(ctx, "db.z9.large", EngineRDSPostgres, SingleAZ, "us-east-1")
	var uc *UnknownClassError
	if !errors.As(err, &uc) {
		t.Errorf("unknown class: %v", err)
	}
	srv.mu.Lock()
	if len(srv.requests) != before {
		t.Error("unknown class reached the Price List API")
	}
	srv.mu.Unlock()
}

// The consumer-side interface is satisfied by the real client.
var _ PriceListAPI = (*awspricing.Client)(nil)

func TestLookupCatalogOnly(t *testing.T) {
	cat := mustDefault(t)
	l := &Lookup{Catalog: cat}
	p, warns, err := l.Price(context.Background(), "db.t4g.large", EngineRDSPostgres, SingleAZ, "us-west-2")
	if err != nil || len(warns) != 0 || p.Source != SourceCatalog || p.HourlyUSD <= 0 {
		t.Errorf("%+v %v %v", p, warns, err)
	}
	if _, err := ProductFilters("db.r6g.large", EngineRDSPostgres, SingleAZ, "not a region"); err == nil {
		t.Error("a non-region accepted by ProductFilters")
	}
}

// A region the location map lacks is filtered by the Price List's regionCode attribute, so every
// region the Price List covers can be priced; a known one by its location name.
func TestProductFiltersRegionCode(t *testing.T) {
	for region, want := range map[string]string{
		"eu-west-1": "location=EU (Ireland)", "ap-northeast-3": "regionCode=ap-northeast-3",
		"us-gov-west-1": "regionCode=us-gov-west-1", "il-central-1": "regionCode=il-central-1",
		"cn-north-1": "regionCode=cn-north-1", "eusc-de-east-1": "regionCode=eusc-de-east-1",
		"us-isof-south-1": "regionCode=us-isof-south-1",
	} {
		fs, err := ProductFilters("db.r6g.large", EngineRDSPostgres, SingleAZ, region)
		if err != nil {
			t.Fatalf("%s: %v", region, err)
		}
		got := ""
		for _, f := range fs {
			if f.Field != nil && (*f.Field == "location" || *f.Field == "regionCode") {
				got = *f.Field + "=" + *f.Value
			}
		}
		if got != want {
			t.Errorf("%s: region filter %q, want %q", region, got, want)
		}
	}
}

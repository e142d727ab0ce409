package provider

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awspricing "github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/awspartition"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/awspartition/partitionstest"
	rspricing "github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
)

// regionPattern (the provider's region, rightsize_rds_price's region) accepts the regions of every
// partition of the SDK, and refuses what is not a region code.
func TestRegionPattern(t *testing.T) {
	for _, region := range []string{
		"us-east-1", "us-west-2", "eu-central-2", "ap-southeast-7", "mx-central-1", "il-central-1", "af-south-1", "ca-west-1",
		"sa-east-1", "me-central-1", "ap-east-2",
		"cn-north-1", "cn-northwest-1", // aws-cn
		"eusc-de-east-1",                 // aws-eusc, the European Sovereign Cloud
		"us-gov-west-1", "us-gov-east-1", // aws-us-gov
		"us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "us-isob-west-1", "eu-isoe-west-1", "us-isof-south-1", "us-isof-east-1",
		"eusc-de-west-1", "ap-southeast-8", // regions to come: the SDK's patterns accept them
	} {
		if !regionPattern.MatchString(region) {
			t.Errorf("regionPattern refuses %q, a region of partition %s", region, awspartition.Of(region))
		}
	}
	for _, notRegion := range []string{
		"", "us-east", "useast1", "us-east-1a", "us-east-1 ", " us-east-1", "US-EAST-1", "xx-east-1", "eu-central", "mars-north-1",
		"eusc-fr-east-1", "eusc-east-1", "cn-north", "aws-global", "aws-cn-global", "us-gov-west", "us-east-1.amazonaws.com",
		"https://us-east-1", "us-east-1\nus-west-2", "us-EAST-1", "eu-West-1", "us-east_x-1", "cn-NORTH-1", "us-gov-WEST-1",
	} {
		if regionPattern.MatchString(notRegion) {
			t.Errorf("regionPattern accepts %q, not a region", notRegion)
		}
	}
}

// regionPattern accepts every region aws-sdk-go-v2's partitions.json lists (the version in go.mod,
// partitionstest.SDK), each of its own partition (awspartition.All, which
// awspartition's tests compare with the SDK).
func TestRegionPatternAcceptsSDKRegions(t *testing.T) {
	sdk := partitionstest.SDK(t)
	if len(sdk) != len(awspartition.All) {
		t.Errorf("the SDK has %d partitions, awspartition.All %d", len(sdk), len(awspartition.All))
	}
	for _, p := range sdk {
		for _, region := range p.Regions {
			if !regionPattern.MatchString(region) || awspartition.Of(region) != p.ID {
				t.Errorf("region %s of %s: regionPattern %v, partition %s", region, p.ID, regionPattern.MatchString(region), awspartition.Of(region))
			}
		}
	}
}

func TestPriceListSigningRegion(t *testing.T) {
	for _, c := range []struct {
		region, endpoint, want string
	}{
		{"us-west-2", "", "us-east-1"},
		{"eu-central-1", "", "us-east-1"},
		{"", "", "us-east-1"}, // no region configured: the aws partition, as before
		{"cn-north-1", "", "cn-northwest-1"},
		{"cn-northwest-1", "", "cn-northwest-1"},
		{"eusc-de-east-1", "", "eusc-de-east-1"},
		{"us-iso-west-1", "", "us-iso-east-1"},
		{"us-isob-east-1", "", "us-isob-east-1"},
		{"eu-isoe-west-1", "", "eu-isoe-west-1"},
		{"us-isof-east-1", "", "us-isof-south-1"},
		// endpoints.pricing: the region its host names, else the provider's region (as before).
		{"cn-north-1", "https://api.pricing.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"},
		{"us-west-2", "https://api.pricing.eu-central-1.amazonaws.com", "eu-central-1"},
		{"us-west-2", "https://API.Pricing.AP-South-1.amazonaws.com.", "ap-south-1"},
		{"us-west-2", "https://vpce-0a1b2c3d4e5f-abcdefgh.api.pricing.us-east-1.vpce.amazonaws.com", "us-east-1"},
		{"us-west-2", "https://api.pricing-fips.us-east-1.amazonaws.com", "us-east-1"},
		{"eusc-de-east-1", "https://api.pricing.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1"},
		{"cn-north-1", "http://127.0.0.1:4566", "cn-north-1"},
		{"us-west-2", "https://pricing.proxy.example.com", "us-west-2"},
		{"us-gov-west-1", "http://localhost:4566", "us-gov-west-1"}, // an emulator: no error
	} {
		got, err := priceListSigningRegion(c.region, c.endpoint)
		if err != nil || got != c.want {
			t.Errorf("priceListSigningRegion(%q, %q) = %q, %v; want %q", c.region, c.endpoint, got, err, c.want)
		}
	}
	for _, region := range []string{"us-gov-west-1", "us-gov-east-1"} {
		_, err := priceListSigningRegion(region, "")
		var ua *rspricing.APIUnavailableError
		if !errors.As(err, &ua) || !strings.HasPrefix(err.Error(), "use_pricing_api: ") || !strings.Contains(err.Error(), "aws-us-gov") {
			t.Errorf("%s: want an APIUnavailableError naming use_pricing_api and aws-us-gov, got %v", region, err)
		}
	}
}

// recordingHTTP records each request's host and credential scope and answers what AWS answers a
// request it refuses.
type recordingHTTP struct {
	mu       sync.Mutex
	requests []string // "<host> <credential scope>"
}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/\d+/([^,]+)`)

func (r *recordingHTTP) Do(req *http.Request) (*http.Response, error) {
	scope := credentialScope.FindStringSubmatch(req.Header.Get("Authorization"))
	r.mu.Lock()
	if scope != nil {
		r.requests = append(r.requests, req.URL.Host+" "+scope[1])
	} else {
		r.requests = append(r.requests, req.URL.Host+" unsigned")
	}
	r.mu.Unlock()
	body := `{"__type":"AccessDeniedException","message":"recorded"}`
	return &http.Response{StatusCode: 400, Status: "400 Bad Request", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": []string{"application/x-amz-json-1.1"}},
		Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// The Price List client of use_pricing_api asks the Price List endpoint of the provider region's
// partition, signed for its region: a China account's credentials are valid in aws-cn only.
func TestPriceListClientPartition(t *testing.T) {
	for _, c := range []struct {
		region, endpoint string
		want             string // "<host> <credential scope>" of the request
	}{
		{"us-west-2", "", "api.pricing.us-east-1.amazonaws.com us-east-1/pricing/aws4_request"},
		{"cn-north-1", "", "api.pricing.cn-northwest-1.amazonaws.com.cn cn-northwest-1/pricing/aws4_request"},
		{"eusc-de-east-1", "", "api.pricing.eusc-de-east-1.amazonaws.eu eusc-de-east-1/pricing/aws4_request"},
		{"cn-north-1", "https://api.pricing.cn-northwest-1.amazonaws.com.cn", "api.pricing.cn-northwest-1.amazonaws.com.cn cn-northwest-1/pricing/aws4_request"},
		{"cn-north-1", "http://127.0.0.1:4566", "127.0.0.1:4566 cn-north-1/pricing/aws4_request"},
	} {
		rec := &recordingHTTP{}
		cfg := aws.Config{Region: c.region, HTTPClient: rec, RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")}
		ep := types.StringNull()
		if c.endpoint != "" {
			ep = types.StringValue(c.endpoint)
		}
		_, err := newPriceListClient(cfg, ep).GetProducts(context.Background(), &awspricing.GetProductsInput{ServiceCode: aws.String("AmazonRDS")})
		if err == nil || !strings.Contains(err.Error(), "recorded") {
			t.Errorf("%s %s: GetProducts error %v, want the recorded refusal", c.region, c.endpoint, err)
		}
		if len(rec.requests) != 1 || rec.requests[0] != c.want {
			t.Errorf("%s %s: requests %q, want %q", c.region, c.endpoint, rec.requests, c.want)
		}
	}

	// GovCloud has no Price List endpoint: the call fails before any request, naming use_pricing_api.
	rec := &recordingHTTP{}
	cfg := aws.Config{Region: "us-gov-west-1", HTTPClient: rec, Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")}
	_, err := newPriceListClient(cfg, types.StringNull()).GetProducts(context.Background(), &awspricing.GetProductsInput{ServiceCode: aws.String("AmazonRDS")})
	var ua *rspricing.APIUnavailableError
	if !errors.As(err, &ua) || len(rec.requests) != 0 {
		t.Errorf("us-gov-west-1: error %v, requests %q; want an APIUnavailableError and no request", err, rec.requests)
	}
}

// The provider block accepts the regions of the other partitions (they were refused as not
// regions); the catalog lookup below makes no AWS call.
func TestAccProvider_partitionRegions(t *testing.T) {
	for _, region := range []string{"eusc-de-east-1", "cn-northwest-1", "us-isof-south-1"} {
		t.Run(region, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{Config: `
provider "rightsize" {
  region     = "` + region + `"
  access_key = "AKIDPARTITION"
  secret_key = "partition-secret"
}
data "rightsize_rds_price" "frankfurt" {
  instance_class = "db.r6g.large"
  engine         = "rds-postgresql"
  deployment     = "multi-az"
  region         = "eu-central-1"
}
` + providerProbe}},
			})
		})
	}
}

// use_pricing_api in GovCloud, which has no Price List endpoint, is an error naming the attribute
// (it was a request to us-east-1, where GovCloud credentials are not valid, and a catalog fallback).
func TestAccRDSPrice_pricingAPIGovCloud(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{Config: `
provider "rightsize" {
  region      = "us-gov-west-1"
  access_key  = "AKIDGOV"
  secret_key  = "gov-secret"
  max_retries = 1
}
data "rightsize_rds_price" "gov" {
  instance_class  = "db.r6g.large"
  engine          = "rds-postgresql"
  deployment      = "multi-az"
  region          = "us-east-1"
  use_pricing_api = true
}
`, ExpectError: regexp.MustCompile(strings.Join(strings.Fields("use_pricing_api: the AWS Price List API has no endpoint in partition aws-us-gov"), `\s+`))}},
	})
}

// The Price List of the China regions gives prices in CNY: rightsize_rds_price with use_pricing_api
// says the price is not in USD, not "Price Not Available ... check that the class is offered".
func TestAccRDSPrice_pricingAPINotUSD(t *testing.T) {
	const doc = `{"product":{"productFamily":"Database Instance","sku":"CNSKU1","attributes":{"instanceType":"db.r6g.large",` +
		`"databaseEngine":"PostgreSQL","deploymentOption":"Multi-AZ","location":"China (Beijing)","regionCode":"cn-north-1",` +
		`"usagetype":"CNN1-Multi-AZUsage:db.r6g.large"}},"terms":{"OnDemand":{"CNSKU1.T":{"effectiveDate":"2026-11-01T00:00:00Z",` +
		`"priceDimensions":{"CNSKU1.T.R":{"unit":"Hrs","description":"CNY 8.836 per RDS Multi-AZ db.r6g.large instance hour",` +
		`"pricePerUnit":{"CNY":"8.8360000000"}}}}}}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		b, _ := json.Marshal(map[string]any{"FormatVersion": "aws_v1", "PriceList": []string{doc}})
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{Config: `
provider "rightsize" {
  region      = "cn-north-1"
  access_key  = "AKIDCHINA"
  secret_key  = "china-secret"
  max_retries = 1
  endpoints {
    pricing = "` + srv.URL + `"
  }
}
data "rightsize_rds_price" "beijing" {
  instance_class  = "db.r6g.large"
  engine          = "rds-postgresql"
  deployment      = "multi-az"
  use_pricing_api = true
}
`, ExpectError: regexp.MustCompile(strings.Join(strings.Fields("as 8.8360000000 CNY per hour, not in USD"), `\s+`))}},
	})
}

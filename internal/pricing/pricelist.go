package pricing

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awspricing "github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/aws-sdk-go-v2/service/pricing/types"
)

// PriceListAPI is the one call the live lookup makes; *pricing.Client (service/pricing) satisfies it. The Price
// List API is served from one region of each partition (us-east-1, also eu-central-1 and ap-south-1, for aws;
// cn-northwest-1 for aws-cn; eusc-de-east-1 for aws-eusc; none for aws-us-gov), whatever region is being priced.
type PriceListAPI interface {
	GetProducts(ctx context.Context, in *awspricing.GetProductsInput, optFns ...func(*awspricing.Options)) (*awspricing.GetProductsOutput, error)
}

// regionLocations maps region codes to the Price List "location" attribute.
var regionLocations = map[string]string{
	"us-east-1":      "US East (N. Virginia)",
	"us-east-2":      "US East (Ohio)",
	"us-west-1":      "US West (N. California)",
	"us-west-2":      "US West (Oregon)",
	"ca-central-1":   "Canada (Central)",
	"eu-west-1":      "EU (Ireland)",
	"eu-west-2":      "EU (London)",
	"eu-west-3":      "EU (Paris)",
	"eu-central-1":   "EU (Frankfurt)",
	"eu-north-1":     "EU (Stockholm)",
	"ap-southeast-1": "Asia Pacific (Singapore)",
	"ap-southeast-2": "Asia Pacific (Sydney)",
	"ap-northeast-1": "Asia Pacific (Tokyo)",
	"ap-northeast-2": "Asia Pacific (Seoul)",
	"ap-south-1":     "Asia Pacific (Mumbai)",
	"sa-east-1":      "South America (Sao Paulo)",
}

// Location returns the Price List API location name of a region code, e.g. "EU (Ireland)" for "eu-west-1".
func Location(region string) (string, bool) {
	l, ok := regionLocations[region]
	return l, ok
}

// regionCodePattern is the form of an AWS region code (us-east-1, ap-northeast-3, us-gov-west-1,
// cn-north-1, eusc-de-east-1).
var regionCodePattern = regexp.MustCompile(`^([a-z]{2}(-gov|-iso[a-z]?)?|eusc-[a-z]{2})-[a-z]+-[0-9]+$`)

// ProductFilters returns the GetProducts filters for one class, engine and deployment in a region: by its
// "location" name where Location knows it, else by the "regionCode" attribute the Price List documents also
// carry, so that every region the Price List covers can be priced. Aurora is always priced per instance
// ("Single-AZ" in the Price List); MultiAZ doubling is applied by the caller. A region that is not a region
// code is an error.
func ProductFilters(class string, engine Engine, deployment Deployment, region string) ([]types.Filter, error) {
	where, value := "location", ""
	if loc, ok := Location(region); ok {
		value = loc
	} else if regionCodePattern.MatchString(region) {
		where, value = "regionCode", region
	} else {
		return nil, fmt.Errorf("region %q is not an AWS region code (e.g. eu-west-1)", region)
	}
	var dbEngine, option string
	switch engine {
	case EngineRDSPostgres:
		dbEngine = "PostgreSQL"
		option = "Single-AZ"
		if deployment == MultiAZ {
			option = "Multi-AZ"
		}
	case EngineAuroraPostgres:
		dbEngine, option = "Aurora PostgreSQL", "Single-AZ"
	default:
		return nil, &UnsupportedError{What: "engine", Value: string(engine), Allowed: engineNames()}
	}
	term := func(field, value string) types.Filter {
		return types.Filter{Field: aws.String(field), Type: types.FilterTypeTermMatch, Value: aws.String(value)}
	}
	return []types.Filter{
		term("instanceType", class),
		term("deploymentOption", option),
		term("databaseEngine", dbEngine),
		term(where, value),
	}, nil
}

// priceListItem is the subset of one Price List JSON document (a PriceList element) the parser reads.
type priceListItem struct {
	Product struct {
		ProductFamily string            `json:"productFamily"`
		SKU           string            `json:"sku"`
		Attributes    map[string]string `json:"attributes"`
	} `json:"product"`
	Terms struct {
		OnDemand map[string]struct {
			EffectiveDate   string `json:"effectiveDate"`
			PriceDimensions map[string]struct {
				Unit         string            `json:"unit"`
				Description  string            `json:"description"`
				PricePerUnit map[string]string `json:"pricePerUnit"`
			} `json:"priceDimensions"`
		} `json:"OnDemand"`
	} `json:"terms"`
}

// ListPrice is one on-demand hourly offer parsed from a Price List document.
type ListPrice struct {
	SKU           string
	InstanceType  string
	Engine        string // Price List databaseEngine, e.g. "PostgreSQL"
	Deployment    string // Price List deploymentOption, e.g. "Multi-AZ"
	Location      string
	UsageType     string
	HourlyUSD     float64
	EffectiveDate string // YYYY-MM-DD when given
}

// NotUSDError is the error of a Price List offer whose on-demand hourly price is given in other currencies
// only, as the Price List of the China regions gives it in CNY: prices here are USD, and are not converted.
type NotUSDError struct {
	SKU, InstanceType, Location string
	// Prices are the hourly prices the offer gives, e.g. "0.8880000000 CNY".
	Prices []string
}

func (e *NotUSDError) Error() string {
	return fmt.Sprintf("the AWS Price List gives the on-demand price of %s in %s (SKU %s) as %s per hour, not in USD: "+
		"this provider reports prices in USD only and does not convert currencies",
		e.InstanceType, cmp.Or(e.Location, "this region"), e.SKU, strings.Join(e.Prices, " or "))
}

// APIUnavailableError is the error of a Price List client that cannot ask the API at all from its
// configuration, such as one whose partition has no Price List endpoint. Lookup.Price returns it rather than
// a catalog price: the caller asked for the Price List API.
type APIUnavailableError struct {
	Reason string
}

func (e *APIUnavailableError) Error() string { return e.Reason }

// decimalPrice is the shape of a Price List price: decimal digits with an optional fraction and exponent
// ("0.5160000000").
var decimalPrice = regexp.MustCompile(`^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$`)

// ParsePriceListItem parses one element of GetProductsOutput.PriceList (a JSON document in AWS's documented
// shape: product.attributes and terms.OnDemand.<term>.priceDimensions.<dim>.pricePerUnit.USD) and returns its
// on-demand hourly USD offer. It returns an error when the document is not JSON or holds no hourly USD price:
// a *NotUSDError when it has hourly prices in other currencies only.
func ParsePriceListItem(doc string) (ListPrice, error) {
	var it priceListItem
	if err := json.Unmarshal([]byte(doc), &it); err != nil {
		return ListPrice{}, fmt.Errorf("parsing Price List document: %w", err)
	}
	a := it.Product.Attributes
	lp := ListPrice{SKU: it.Product.SKU, InstanceType: a["instanceType"], Engine: a["databaseEngine"],
		Deployment: a["deploymentOption"], Location: a["location"], UsageType: a["usagetype"]}
	var other []string // hourly prices in other currencies than USD
	for _, term := range it.Terms.OnDemand {
		for _, dim := range term.PriceDimensions {
			if !strings.EqualFold(dim.Unit, "Hrs") {
				continue
			}
			s, ok := dim.PricePerUnit["USD"]
			if !ok {
				for cur, v := range dim.PricePerUnit {
					other = append(other, v+" "+cur)
				}
				continue
			}
			if !decimalPrice.MatchString(s) {
				// strconv.ParseFloat would also take NaN, Inf and hexadecimal floats, which are no price.
				return ListPrice{}, fmt.Errorf("parsing Price List price %q of SKU %s: not a decimal number", s, lp.SKU)
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsInf(v, 0) {
				return ListPrice{}, fmt.Errorf("parsing Price List price %q of SKU %s: not a finite number", s, lp.SKU)
			}
			if v <= 0 {
				continue
			}
			lp.HourlyUSD = v
			if len(term.EffectiveDate) >= 10 {
				lp.EffectiveDate = term.EffectiveDate[:10]
			}
			return lp, nil
		}
	}
	if len(other) > 0 {
		slices.Sort(other)
		return ListPrice{}, &NotUSDError{SKU: lp.SKU, InstanceType: lp.InstanceType, Location: lp.Location, Prices: slices.Compact(other)}
	}
	return ListPrice{}, fmt.Errorf("Price List SKU %s (%s) has no on-demand hourly USD price", lp.SKU, lp.InstanceType)
}

// isIOOptimized reports whether an offer is Aurora I/O-Optimized (its usage type names IOOptimized, e.g.
// "InstanceUsageIOOptimized:db.r6g.large"), which the catalog's Aurora Standard prices exclude.
func (lp ListPrice) isIOOptimized() bool {
	return strings.Contains(strings.ToLower(lp.UsageType), "iooptimized")
}

// Lookup prices instances from the Price List API when API is set, falling back to Catalog with a warning.
type Lookup struct {
	// API is the Price List client; nil means catalog only.
	API PriceListAPI
	// Catalog validates classes and supplies fallback prices; required.
	Catalog *Catalog
	// MaxPages bounds GetProducts paging; 0 means 5.
	MaxPages int
}

// Price returns the price of class/engine/deployment/region and warnings (e.g. a Price List failure that fell
// back to the catalog). The class must be in the catalog (else *UnknownClassError). When the API path fails and
// the catalog has no price either, the catalog's error is returned together with the API warning.
func (l *Lookup) Price(ctx context.Context, class string, engine Engine, deployment Deployment, region string) (Price, []string, error) {
	return l.price(ctx, class, engine, deployment, region, false)
}

// AuroraIOOptimizedPrice is Price for an Aurora PostgreSQL instance of an Aurora I/O-Optimized
// cluster (deployment as Price takes it): the Price List API's I/O-Optimized offer when it answers
// (its usage type names IOOptimized), else, with the same warnings, the catalog's
// (Catalog.AuroraIOOptimizedPrice: the configuration's aurora_io_optimized price, or the Aurora
// Standard price × 1.3).
func (l *Lookup) AuroraIOOptimizedPrice(ctx context.Context, class string, deployment Deployment, region string) (Price, []string, error) {
	return l.price(ctx, class, EngineAuroraPostgres, deployment, region, true)
}

// price is Price, or AuroraIOOptimizedPrice when ioOptimized.
func (l *Lookup) price(ctx context.Context, class string, engine Engine, deployment Deployment, region string, ioOptimized bool) (Price, []string, error) {
	if l.Catalog == nil {
		return Price{}, nil, errors.New("pricing lookup has no catalog; please report this issue to the provider developers")
	}
	ic, err := l.Catalog.Class(class)
	if err != nil {
		return Price{}, nil, err
	}
	if _, err := ParseDeployment(string(deployment)); err != nil {
		return Price{}, nil, err
	}
	fromCatalog := func() (Price, error) {
		if ioOptimized {
			return l.Catalog.AuroraIOOptimizedPrice(ic.Name, deployment, region)
		}
		return l.Catalog.Price(ic.Name, engine, deployment, region)
	}
	if l.API == nil {
		p, err := fromCatalog()
		return p, nil, err
	}
	p, apiErr := l.live(ctx, ic.Name, engine, deployment, region, ioOptimized)
	if apiErr == nil {
		return p, nil, nil
	}
	var unavailable *APIUnavailableError
	if errors.As(apiErr, &unavailable) {
		return Price{}, nil, unavailable
	}
	warn := fmt.Sprintf("Price List API lookup failed, using the embedded catalog (a dated estimate from %s): %v", CatalogDate, apiErr)
	if l.Catalog.Custom(ic.Name) {
		warn = fmt.Sprintf("Price List API lookup failed, using the price the provider configuration's instance_classes give for %s: %v", ic.Name, apiErr)
	}
	cp, err := fromCatalog()
	if err != nil {
		// The API answered in another currency: say so, rather than that the catalog has no price, which
		// reads as if the class were not offered.
		var notUSD *NotUSDError
		if errors.As(apiErr, &notUSD) {
			return Price{}, nil, fmt.Errorf("%w; the embedded catalog has no USD price for it either", notUSD)
		}
		return Price{}, []string{warn}, err
	}
	if cp.Source == SourceConfiguration && !l.Catalog.Custom(ic.Name) { // a negotiated rate, say
		warn = fmt.Sprintf("Price List API lookup failed, using the price the provider configuration's instance_prices give for %s: %v", ic.Name, apiErr)
	}
	return cp, []string{warn}, nil
}

// live asks the Price List API for the on-demand offer of class, engine, deployment and region: an
// Aurora I/O-Optimized one (its usage type names IOOptimized) when ioOptimized, else one that is not.
func (l *Lookup) live(ctx context.Context, class string, engine Engine, deployment Deployment, region string, ioOptimized bool) (Price, error) {
	filters, err := ProductFilters(class, engine, deployment, region)
	if err != nil {
		return Price{}, err
	}
	maxPages := l.MaxPages
	if maxPages <= 0 {
		maxPages = 5
	}
	in := &awspricing.GetProductsInput{ServiceCode: aws.String("AmazonRDS"), Filters: filters,
		FormatVersion: aws.String("aws_v1")}
	var offers []ListPrice
	for page := 0; page < maxPages; page++ {
		out, err := l.API.GetProducts(ctx, in)
		if err != nil {
			return Price{}, fmt.Errorf("GetProducts AmazonRDS %s %s %s %s: %w", class, engine, deployment, region, err)
		}
		for _, doc := range out.PriceList {
			lp, err := ParsePriceListItem(doc)
			if err != nil {
				return Price{}, err
			}
			if lp.isIOOptimized() != ioOptimized {
				continue
			}
			offers = append(offers, lp)
		}
		if out.NextToken == nil || *out.NextToken == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	if len(offers) == 0 {
		what := "on-demand offer"
		if ioOptimized {
			what = "Aurora I/O-Optimized on-demand offer"
		}
		return Price{}, fmt.Errorf("GetProducts returned no %s for %s %s %s in %s", what, class, engine, deployment, region)
	}
	hourly := offers[0].HourlyUSD
	for _, o := range offers[1:] {
		if o.HourlyUSD != hourly {
			return Price{}, fmt.Errorf("GetProducts returned %d different on-demand prices for %s %s %s in %s (e.g. SKU %s %g, SKU %s %g)",
				len(offers), class, engine, deployment, region, offers[0].SKU, hourly, o.SKU, o.HourlyUSD)
		}
	}
	p := Price{Class: class, Engine: engine, Deployment: deployment, Region: region, Source: SourcePricingAPI,
		SourceDate: offers[0].EffectiveDate, HourlyUSD: hourly}
	if ioOptimized {
		p.Note = "Aurora I/O-Optimized (the Price List's " + offers[0].UsageType + " offer)"
	}
	if engine == EngineAuroraPostgres && deployment == MultiAZ {
		p.HourlyUSD *= 2
		p.Note = strings.TrimPrefix(p.Note+"; Aurora bills per instance: writer + one reader = 2 × the instance price", "; ")
	}
	p.MonthlyUSD = Monthly(p.HourlyUSD)
	return p, nil
}

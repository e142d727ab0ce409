package pricing

import (
	"math"
	"testing"
)

// FuzzParsePriceListItem: any document (the Pricing API's answer) gives an error or a finite,
// positive hourly USD price.
func FuzzParsePriceListItem(f *testing.F) {
	f.Add(`{"product":{"sku":"X","attributes":{"instanceType":"db.t4g.medium"}},"terms":{"OnDemand":{"X.T":{"effectiveDate":"2026-01-01T00:00:00Z","priceDimensions":{"X.T.D":{"unit":"Hrs","pricePerUnit":{"USD":"0.0650000000"}}}}}}}`)
	f.Add(`{"terms":{"OnDemand":{"a":{"priceDimensions":{"b":{"unit":"hrs","pricePerUnit":{"USD":"1e400"}}}}}}}`)
	f.Add(`{"terms":{"OnDemand":{"a":{"priceDimensions":{"b":{"unit":"Hrs","pricePerUnit":{"CNY":"1.2"}}}}}}}`)
	f.Add(`{"terms":{"OnDemand":{"a":{"effectiveDate":"2","priceDimensions":{"b":{"unit":"Hrs","pricePerUnit":{"USD":".5e-400"}}}}}}}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, doc string) {
		lp, err := ParsePriceListItem(doc)
		if err == nil && (!(lp.HourlyUSD > 0) || math.IsInf(lp.HourlyUSD, 0)) {
			t.Fatalf("price %v from %s", lp.HourlyUSD, doc)
		}
		if m, ok := PostgresMajor(doc); ok && m <= 0 {
			t.Fatalf("major %d", m)
		}
	})
}

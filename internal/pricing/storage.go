package pricing

import (
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// ProvisionedCharge is a charge RDS bills per month for a volume's provisioned performance, on
// top of its storage per GB-month.
type ProvisionedCharge string

// The provisioned-performance charges of RDS for PostgreSQL storage.
const (
	// ChargeIO1IOPS and ChargeIO2IOPS are per provisioned IOPS-month of io1 and io2 storage.
	ChargeIO1IOPS ProvisionedCharge = "io1_iops"
	ChargeIO2IOPS ProvisionedCharge = "io2_iops"
	// ChargeGP3IOPS is per IOPS-month provisioned above gp3's included IOPS (GP3Included).
	ChargeGP3IOPS ProvisionedCharge = "gp3_iops"
	// ChargeGP3Throughput is per MiB/s-month provisioned above gp3's included throughput.
	ChargeGP3Throughput ProvisionedCharge = "gp3_throughput"
)

// ProvisionedCharges are the charges WithProvisionedPrices takes, in documentation order.
var ProvisionedCharges = []ProvisionedCharge{ChargeIO1IOPS, ChargeIO2IOPS, ChargeGP3IOPS, ChargeGP3Throughput}

// GP3Included returns the IOPS and throughput (MiB/s) an RDS for PostgreSQL gp3 volume of gib GiB
// includes in its GB-month price: 3,000 IOPS and 125 MiB/s below 400 GiB (where they cannot be
// raised), 12,000 and 500 from 400 GiB. Only what is provisioned above them is billed.
func GP3Included(gib int32) (iops, mibps int32) {
	if gib >= 400 {
		return 12000, 500
	}
	return 3000, 125
}

// MaxProvisionedUSDPerMonth bounds a configured provisioned-performance price: RDS's are cents per
// IOPS-month or per MiB/s-month, so a larger one is a unit typo.
const MaxProvisionedUSDPerMonth = 10

//go:embed data/storage-prices.csv
var embeddedStoragePricesCSV string

// listedKey is a storage price of data/storage-prices.csv: an item (a StorageType or a
// ProvisionedCharge) in a region.
type listedKey struct{ region, item string }

// addStoragePrices reads a CSV in the layout of data/storage-prices.csv (region, item,
// single_az_usd_per_month; '#' comments) into the catalog's listed storage prices. Every row must
// name a region the catalog prices, an item other than gp2 and gp3 (the catalog file's own), once,
// with a price in (0, 10].
func (c *Catalog) addStoragePrices(r io.Reader) error {
	items := []string{string(StorageIO1), string(StorageIO2), string(StorageMagnetic)}
	for _, ch := range ProvisionedCharges {
		items = append(items, string(ch))
	}
	c.listed = map[listedKey]float64{}
	return readTable(r, "storage prices", []string{"region", "item", "single_az_usd_per_month"}, func(line int, rec []string) error {
		k := listedKey{strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])}
		switch {
		case !slices.Contains(c.regions, k.region):
			return fmt.Errorf("storage prices line %d: region %q has no prices in the catalog", line, k.region)
		case !slices.Contains(items, k.item):
			return fmt.Errorf("storage prices line %d: item %q is not one of %s", line, k.item, strings.Join(items, ", "))
		}
		if _, dup := c.listed[k]; dup {
			return fmt.Errorf("storage prices line %d: %s in %s is listed twice", line, k.item, k.region)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64)
		if err != nil || !(v > 0) || v > MaxStorageUSDPerGBMonth {
			return fmt.Errorf("storage prices line %d: single_az_usd_per_month %q is not a price in (0, %d]", line, rec[2], MaxStorageUSDPerGBMonth)
		}
		c.listed[k] = v
		return nil
	})
}

// ProvisionedPricePerMonth returns the USD per unit-month of charge ch (per IOPS-month, or per
// MiB/s-month for ChargeGP3Throughput) for an RDS for PostgreSQL deployment in region: the provider
// configuration's (WithProvisionedPrices) in its region, else the catalog's (io1's and gp3's IOPS,
// in us-east-1); a Multi-AZ instance's is twice the Single-AZ one, as RDS bills both copies. A
// charge it does not know gets an *UnsupportedError; one without a price (io2's IOPS, gp3's
// throughput, any region but us-east-1, unless configured) a *PriceUnavailableError.
func (c *Catalog) ProvisionedPricePerMonth(ch ProvisionedCharge, deployment Deployment, region string) (float64, error) {
	if _, err := ParseDeployment(string(deployment)); err != nil {
		return 0, err
	}
	if !slices.Contains(ProvisionedCharges, ch) {
		return 0, &UnsupportedError{What: "provisioned storage charge", Value: string(ch), Allowed: names(ProvisionedCharges)}
	}
	v, ok := c.provisioned[ch]
	if !c.ProvisionedPriceConfigured(ch, region) {
		v, ok = c.listed[listedKey{region, string(ch)}]
	}
	if !ok {
		reason := "the catalog has provisioned IOPS prices of io1 and gp3 in us-east-1 only"
		if ch == ChargeIO2IOPS || ch == ChargeGP3Throughput {
			reason = "the catalog has no price for it"
		}
		return 0, &PriceUnavailableError{Class: "storage " + string(ch), Engine: EngineRDSPostgres, Deployment: deployment,
			Region: region, Reason: reason + "; the provider configuration's storage_prices can give them"}
	}
	if deployment == MultiAZ {
		return 2 * v, nil // billed for the primary and the standby
	}
	return v, nil
}

// WithProvisionedPrices returns a catalog that has cat's classes and prices, with the Single-AZ
// prices per unit-month of prices (by ProvisionedCharges' charge) in region, the provider
// configuration's, in place of the catalog's or where it has none; a Multi-AZ instance pays twice
// that. cat is unchanged. It fails on a charge it does not take or a price out of (0,
// MaxProvisionedUSDPerMonth], naming the charge (CustomClassFieldError.Field).
func (c *Catalog) WithProvisionedPrices(region string, prices map[ProvisionedCharge]float64) (*Catalog, error) {
	if len(prices) == 0 {
		return c, nil
	}
	unit := func(ch ProvisionedCharge) string {
		if ch == ChargeGP3Throughput {
			return "MiB/s-month"
		}
		return "IOPS-month"
	}
	checked, err := unitPrices(prices, ProvisionedCharges, "provisioned storage charge", unit, MaxProvisionedUSDPerMonth)
	if err != nil {
		return nil, err
	}
	out := *c
	out.provisioned, out.provisionedRegion = checked, region
	return &out, nil
}

// StoragePriceConfigured reports whether StoragePricePerGBMonth prices storage type st in region
// at the provider configuration's rate (WithStoragePrices) rather than the catalog's.
func (c *Catalog) StoragePriceConfigured(st StorageType, region string) bool {
	_, ok := c.storage[st]
	return ok && region == c.storageRegion
}

// ProvisionedPriceConfigured reports whether ProvisionedPricePerMonth prices charge ch in region at
// the provider configuration's rate (WithProvisionedPrices) rather than the catalog's.
func (c *Catalog) ProvisionedPriceConfigured(ch ProvisionedCharge, region string) bool {
	_, ok := c.provisioned[ch]
	return ok && region == c.provisionedRegion
}

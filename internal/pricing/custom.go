package pricing

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
)

// SourceConfiguration is the Price.Source of a price the provider configuration gives for a class
// the catalog does not have (CustomClass).
const SourceConfiguration = "provider-configuration"

// CustomClass describes an instance class the embedded catalog does not have (a family newer than
// its 2023-06 sources, such as db.r8g or db.m7i), as the user gives it: its capacity and,
// optionally, its on-demand prices in one region. Zero optional fields are unknown.
type CustomClass struct {
	Name      string  // e.g. "db.r8g.large"
	VCPU      int     // vCPUs, at least 1
	MemoryGiB float64 // GiB, more than 0
	// Aurora is true when Aurora PostgreSQL offers the class.
	Aurora bool
	// AuroraLocalStorageGiB is an Aurora PostgreSQL instance's local storage on the class, GiB
	// (temporary files and logs; CloudWatch's FreeLocalStorage), for the local-storage check of
	// an Aurora deployment; 0: unknown, not checked. Only with Aurora.
	AuroraLocalStorageGiB float64
	// EBSBaselineIOPS is the class's EBS baseline IOPS (the EC2 type's, at 16 KiB I/O), and
	// NetworkBaselineGbps its sustained network bandwidth (the EC2 type's baseline); 0: unknown.
	EBSBaselineIOPS     float64
	NetworkBaselineGbps float64
	// SingleAZUSD and MultiAZUSD are RDS for PostgreSQL's on-demand prices per hour (Multi-AZ: primary
	// and standby, as AWS bills it), AuroraUSD an Aurora PostgreSQL instance's (Aurora Standard),
	// in the region passed to WithClasses; 0: unknown.
	SingleAZUSD, MultiAZUSD, AuroraUSD float64
	// AuroraIOOptimizedUSD is an Aurora PostgreSQL instance's in an Aurora I/O-Optimized cluster;
	// 0: AuroraUSD × AuroraIOOptimizedFactor, as AWS prices it (AuroraIOOptimizedPrice).
	AuroraIOOptimizedUSD float64
}

// customClassName is an RDS DB instance class name: "db.", a family, ".", a size.
var customClassName = regexp.MustCompile(`^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$`)

// MaxCustomVCPU and MaxCustomMemoryGiB bound a CustomClass: above the largest RDS classes (192 vCPUs,
// 24 TiB of memory on db.x2iedn/db.x2g sizes), so that a typo in units is refused.
const (
	MaxCustomVCPU      = 512
	MaxCustomMemoryGiB = 32768
)

// Validate checks a custom class against cat, the catalog it would extend, and says what to change
// in the field it names (its Go name, as CustomClassFieldError reports): a name that is no RDS
// class name or one the catalog has (its capacity and prices are the catalog's), a burstable class
// (every db.t3 and db.t4g size is in the catalog, with the CPU credit baselines a custom one would
// lack), a capacity out of range, a negative or non-finite price, or an Aurora price or local
// storage for a class Aurora does not offer.
func (cc CustomClass) Validate(cat *Catalog) error {
	bad := func(field, format string, a ...any) error {
		return &CustomClassFieldError{Class: cc.Name, Field: field, Reason: fmt.Sprintf(format, a...)}
	}
	name := strings.ToLower(strings.TrimSpace(cc.Name))
	switch {
	case name != cc.Name || !customClassName.MatchString(name):
		return bad("Name", "%q is not an RDS DB instance class name: write it in lower case as RDS does, e.g. \"db.r8g.large\"", cc.Name)
	case strings.HasPrefix(name, "db.t"):
		return bad("Name", "%s is a burstable class: every db.t3 and db.t4g size is in the provider's catalog, with the CPU credit baselines a burstable class needs", name)
	}
	if _, err := cat.Class(name); err == nil {
		return bad("Name", "%s is in the provider's catalog already, with its capacity and prices: remove it from instance_classes", name)
	}
	switch {
	case cc.VCPU < 1 || cc.VCPU > MaxCustomVCPU:
		return bad("VCPU", "%d vCPUs: want 1 to %d", cc.VCPU, MaxCustomVCPU)
	case !(cc.MemoryGiB > 0) || cc.MemoryGiB > MaxCustomMemoryGiB:
		return bad("MemoryGiB", "%v GiB: want more than 0, at most %d", cc.MemoryGiB, MaxCustomMemoryGiB)
	case !(cc.EBSBaselineIOPS >= 0) || math.IsInf(cc.EBSBaselineIOPS, 1):
		return bad("EBSBaselineIOPS", "%v: want 0 (unknown) or more, finite", cc.EBSBaselineIOPS)
	case !(cc.NetworkBaselineGbps >= 0) || cc.NetworkBaselineGbps > 1000:
		return bad("NetworkBaselineGbps", "%v Gbps: want 0 (unknown) to 1000", cc.NetworkBaselineGbps)
	case !(cc.AuroraLocalStorageGiB >= 0) || cc.AuroraLocalStorageGiB > MaxCustomMemoryGiB:
		return bad("AuroraLocalStorageGiB", "%v GiB: want 0 (unknown) to %d", cc.AuroraLocalStorageGiB, MaxCustomMemoryGiB)
	case cc.AuroraLocalStorageGiB > 0 && !cc.Aurora:
		return bad("AuroraLocalStorageGiB", "an Aurora instance's local storage for a class Aurora PostgreSQL does not offer: set aurora = true, or remove it")
	}
	if field, v, ok := hourlyOutOfRange(cc.SingleAZUSD, cc.MultiAZUSD, cc.AuroraUSD, cc.AuroraIOOptimizedUSD); ok {
		return bad(field, "%v USD per hour: want 0 (unknown) to %d", v, MaxHourlyUSD)
	}
	if field, ok := auroraPriced(cc.AuroraUSD, cc.AuroraIOOptimizedUSD); ok && !cc.Aurora {
		return bad(field, "an Aurora price for a class Aurora PostgreSQL does not offer: set aurora = true, or remove the price")
	}
	return nil
}

// CustomClassFieldError is a CustomClass that Validate refuses, naming the field (its Go name).
type CustomClassFieldError struct {
	Class, Field, Reason string
}

func (e *CustomClassFieldError) Error() string { return e.Reason }

// WithClasses returns a catalog that has cat's classes and prices and the custom classes, each
// priced in region (the provider configuration's) where it gives prices; cat is unchanged. A
// custom class's family is listed after the catalog's when it is new. It fails on the first class
// Validate refuses, or on a name given twice.
func (c *Catalog) WithClasses(region string, custom []CustomClass) (*Catalog, error) {
	if len(custom) == 0 {
		return c, nil
	}
	out := *c // its prices, overrides and storage prices as they are; what this adds to, cloned
	out.classes, out.order, out.families, out.custom = maps.Clone(c.classes), slices.Clone(c.order), slices.Clone(c.families), maps.Clone(c.custom)
	if out.custom == nil {
		out.custom = map[string]customPrices{}
	}
	for _, cc := range custom {
		if err := cc.Validate(c); err != nil {
			return nil, err
		}
		if _, dup := out.classes[cc.Name]; dup {
			return nil, &CustomClassFieldError{Class: cc.Name, Field: "Name", Reason: fmt.Sprintf("%s is given twice: keep one", cc.Name)}
		}
		parts := strings.SplitN(cc.Name, ".", 3)
		family := parts[0] + "." + parts[1]
		out.classes[cc.Name] = InstanceClass{Name: cc.Name, Family: family, Size: parts[2], VCPU: cc.VCPU, MemoryGiB: cc.MemoryGiB,
			AuroraSupported: cc.Aurora, EBSBaselineIOPS: cc.EBSBaselineIOPS, NetworkBaselineGbps: cc.NetworkBaselineGbps, AuroraLocalStorageGiB: cc.AuroraLocalStorageGiB}
		out.order = append(out.order, cc.Name)
		if !slices.Contains(out.families, family) {
			out.families = append(out.families, family)
		}
		out.custom[cc.Name] = customPrices{region: region, singleAZ: cc.SingleAZUSD, multiAZ: cc.MultiAZUSD, aurora: cc.AuroraUSD, auroraIOOptimized: cc.AuroraIOOptimizedUSD}
	}
	return &out, nil
}

// Custom reports whether class (as Class reads it) is one the provider configuration described
// (WithClasses), not the embedded catalog's.
func (c *Catalog) Custom(class string) bool {
	_, ok := c.custom[strings.ToLower(strings.TrimSpace(class))]
	return ok
}

// customPrices are a CustomClass's prices per hour in region (0: unknown), or a PriceOverride's
// (0: the catalog's); from names the provider configuration's attribute they come from.
type customPrices struct {
	region                    string
	singleAZ, multiAZ, aurora float64
	auroraIOOptimized         float64 // an instance's in an Aurora I/O-Optimized cluster (0: aurora × 1.3)
	from                      string
}

// price is the price of a custom class ic for engine and deployment in region, as Catalog.Price
// gives a catalog class's (Aurora: the instance price, twice for MultiAZ).
func (cp customPrices) price(ic InstanceClass, engine Engine, deployment Deployment, region string) (Price, error) {
	from := cmp.Or(cp.from, "instance_classes")
	p := Price{Class: ic.Name, Engine: engine, Deployment: deployment, Region: region, Source: SourceConfiguration,
		Note: "from the provider configuration's " + from}
	unavailable := func(reason string) error {
		return &PriceUnavailableError{Class: ic.Name, Engine: engine, Deployment: deployment, Region: region, Reason: reason}
	}
	if region != cp.region {
		return Price{}, unavailable(fmt.Sprintf("the provider configuration's %s describe it, with prices in %s only", from, cp.region))
	}
	v, multiplier := 0.0, 1.0
	switch engine {
	case EngineRDSPostgres:
		v = cp.singleAZ
		if deployment == MultiAZ {
			v = cp.multiAZ
		}
	case EngineAuroraPostgres:
		if !ic.AuroraSupported {
			return Price{}, unavailable("the provider configuration's instance_classes say Aurora PostgreSQL does not offer it (aurora = false)")
		}
		v = cp.aurora
		if deployment == MultiAZ {
			multiplier = 2
			p.Note += "; Aurora bills per instance: writer + one reader = 2 × the instance price"
		}
	default:
		return Price{}, &UnsupportedError{What: "engine", Value: string(engine), Allowed: engineNames()}
	}
	if v <= 0 {
		return Price{}, unavailable("the provider configuration's " + from + " give no price for it")
	}
	p.HourlyUSD = v * multiplier
	p.MonthlyUSD = Monthly(p.HourlyUSD)
	return p, nil
}

// PriceOverride is what the provider configuration's instance_prices give for a class of the
// catalog in the configuration's region: on-demand prices per hour where the catalog has none (a
// region it does not price) or where another rate applies (a negotiated discount). 0: the
// catalog's.
type PriceOverride struct {
	Class                              string
	SingleAZUSD, MultiAZUSD, AuroraUSD float64
	// AuroraIOOptimizedUSD is an instance's price in an Aurora I/O-Optimized cluster; 0: the Aurora
	// Standard one (AuroraUSD, else the catalog's) × AuroraIOOptimizedFactor.
	AuroraIOOptimizedUSD float64
}

// Validate checks a price override against cat, the catalog it would apply to (with its custom
// classes), naming the field it refuses (CustomClassFieldError): a class cat does not have, or one
// the configuration describes (its prices go with it), no price at all, a price out of 0 to 1000,
// or an Aurora price for a class Aurora does not offer.
func (po PriceOverride) Validate(cat *Catalog) error {
	bad := func(field, format string, a ...any) error {
		return &CustomClassFieldError{Class: po.Class, Field: field, Reason: fmt.Sprintf(format, a...)}
	}
	ic, err := cat.Class(po.Class)
	switch {
	case err != nil || ic.Name != po.Class:
		return bad("Class", "%q is not a class of the provider's catalog: write it as RDS does, e.g. \"db.r6g.large\" (a class the catalog lacks is described, with its prices, in instance_classes)", po.Class)
	case cat.Custom(po.Class):
		return bad("Class", "%s is described in instance_classes: give its prices there, in hourly_usd", po.Class)
	case po.SingleAZUSD == 0 && po.MultiAZUSD == 0 && po.AuroraUSD == 0 && po.AuroraIOOptimizedUSD == 0:
		return bad("SingleAZUSD", "no price: give at least one of single_az, multi_az, aurora and aurora_io_optimized")
	}
	if field, v, ok := hourlyOutOfRange(po.SingleAZUSD, po.MultiAZUSD, po.AuroraUSD, po.AuroraIOOptimizedUSD); ok {
		return bad(field, "%v USD per hour: want 0 (the catalog's) to %d", v, MaxHourlyUSD)
	}
	if field, ok := auroraPriced(po.AuroraUSD, po.AuroraIOOptimizedUSD); ok && !ic.AuroraSupported {
		return bad(field, "Aurora PostgreSQL does not offer %s: remove the Aurora price", po.Class)
	}
	return nil
}

// WithPrices returns a catalog that has cat's classes and prices, with the prices of overrides in
// region (the provider configuration's) in place of the catalog's, or where it has none; cat is
// unchanged. It fails on the first override Validate refuses, or on a class given twice.
func (c *Catalog) WithPrices(region string, overrides []PriceOverride) (*Catalog, error) {
	if len(overrides) == 0 {
		return c, nil
	}
	out := *c
	out.overrides = maps.Clone(c.overrides)
	if out.overrides == nil {
		out.overrides = map[string]customPrices{}
	}
	for _, po := range overrides {
		if err := po.Validate(c); err != nil {
			return nil, err
		}
		if _, dup := out.overrides[po.Class]; dup {
			return nil, &CustomClassFieldError{Class: po.Class, Field: "Class", Reason: fmt.Sprintf("%s is given twice: keep one", po.Class)}
		}
		out.overrides[po.Class] = customPrices{region: region, singleAZ: po.SingleAZUSD, multiAZ: po.MultiAZUSD, aurora: po.AuroraUSD,
			auroraIOOptimized: po.AuroraIOOptimizedUSD, from: "instance_prices"}
	}
	return &out, nil
}

// overridesRegion is the region of the prices WithPrices gave (the provider configuration's), ""
// when it gave none.
func (c *Catalog) overridesRegion() string {
	for _, op := range c.overrides {
		return op.region
	}
	return ""
}

// overridden is the price instance_prices give for class ic, engine and deployment in region, if
// they give one (WithPrices); otherwise the catalog's stands.
func (c *Catalog) overridden(ic InstanceClass, engine Engine, deployment Deployment, region string) (Price, bool) {
	op, ok := c.overrides[ic.Name]
	if !ok {
		return Price{}, false
	}
	p, err := op.price(ic, engine, deployment, region) // unavailable in another region, or for a deployment it leaves at 0
	return p, err == nil
}

// MaxStorageUSDPerGBMonth bounds a storage price: RDS's are cents per GB-month, so a larger one is
// a unit typo (a month's price per TB, say).
const MaxStorageUSDPerGBMonth = 10

// WithStoragePrices returns a catalog that has cat's classes and prices, with the Single-AZ prices
// per GB-month of prices (by StorageTypes' type) in region, the provider configuration's, in place
// of the catalog's or where it has none; a Multi-AZ instance's storage costs twice that, as AWS
// bills it for both copies. cat is unchanged. It fails on a type it does not take or a price out
// of (0, MaxStorageUSDPerGBMonth], naming the type (CustomClassFieldError.Field).
func (c *Catalog) WithStoragePrices(region string, prices map[StorageType]float64) (*Catalog, error) {
	if len(prices) == 0 {
		return c, nil
	}
	checked, err := unitPrices(prices, StorageTypes, "storage type", func(StorageType) string { return "GB-month" }, MaxStorageUSDPerGBMonth)
	if err != nil {
		return nil, err
	}
	out := *c
	out.storage, out.storageRegion = checked, region
	return &out, nil
}

// unitPrices returns a copy of prices, the provider configuration's Single-AZ USD per unit (by
// key) of each key, when each key is one of allowed (what names them) and each price is more than
// 0 and at most max; otherwise the first refusal, in key order, naming the key
// (CustomClassFieldError.Field).
func unitPrices[K ~string](prices map[K]float64, allowed []K, what string, unit func(K) string, max int) (map[K]float64, error) {
	out := make(map[K]float64, len(prices))
	for _, k := range slices.Sorted(maps.Keys(prices)) {
		v := prices[k]
		if !slices.Contains(allowed, k) {
			ns := names(allowed)
			return nil, &CustomClassFieldError{Field: string(k), Reason: fmt.Sprintf("%s %q: want one of %s and %s", what, k,
				strings.Join(ns[:len(ns)-1], ", "), ns[len(ns)-1])}
		}
		if !(v > 0) || v > float64(max) {
			u := unit(k)
			return nil, &CustomClassFieldError{Field: string(k), Reason: fmt.Sprintf("%v USD per %s of %s: want more than 0, at most %d (RDS prices it in cents per %s)", v, u, k, max, u)}
		}
		out[k] = v
	}
	return out, nil
}

// MaxHourlyUSD bounds a configured price per hour: above the dearest RDS classes' on-demand prices,
// so that a monthly price given as hourly is refused.
const MaxHourlyUSD = 1000

// auroraPriced names the first of a configuration's Aurora Standard and Aurora I/O-Optimized prices
// per hour that is given (more than 0); ok is false when neither is.
func auroraPriced(standard, ioOptimized float64) (field string, ok bool) {
	switch {
	case standard > 0:
		return "AuroraUSD", true
	case ioOptimized > 0:
		return "AuroraIOOptimizedUSD", true
	}
	return "", false
}

// hourlyOutOfRange finds the first of a configuration's Single-AZ, Multi-AZ, Aurora and Aurora
// I/O-Optimized prices per hour that is not from 0 to MaxHourlyUSD (NaN included): its field name (as CustomClass and
// PriceOverride name it) and value; ok is false when all are in range.
func hourlyOutOfRange(singleAZ, multiAZ, aurora, auroraIOOptimized float64) (field string, v float64, ok bool) {
	for _, p := range []struct {
		field string
		v     float64
	}{{"SingleAZUSD", singleAZ}, {"MultiAZUSD", multiAZ}, {"AuroraUSD", aurora}, {"AuroraIOOptimizedUSD", auroraIOOptimized}} {
		if !(p.v >= 0) || p.v > MaxHourlyUSD {
			return p.field, p.v, true
		}
	}
	return "", 0, false
}

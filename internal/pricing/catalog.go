// Package pricing holds the embedded RDS / Aurora PostgreSQL instance-class catalog (capacity and on-demand
// prices, a dated estimate) and an optional live lookup through the AWS Price List API that falls back to it.
//
// The catalog is built from data/rds-instance-classes.csv (see data/README.md for sources and dates). It imports
// no Terraform packages; callers turn its typed errors into diagnostics.
package pricing

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/awspartition"
)

// HoursPerMonth is the number of hours in a billing month used for every monthly figure (AWS's convention).
const HoursPerMonth = 730

// CatalogDate is the date of the newest price in the embedded catalog. Catalog prices are a dated estimate.
const CatalogDate = "2024-08-09"

// Engine is a database engine as the catalog names it.
type Engine string

// Engines covered by the catalog.
const (
	// EngineRDSPostgres is RDS for PostgreSQL (DescribeDBInstances engine "postgres").
	EngineRDSPostgres Engine = "rds-postgresql"
	// EngineAuroraPostgres is Aurora PostgreSQL, Aurora Standard storage configuration
	// (DescribeDBInstances engine "aurora-postgresql").
	EngineAuroraPostgres Engine = "aurora-postgresql"
)

// Engines lists the engines the catalog covers, in documentation order.
var Engines = []Engine{EngineRDSPostgres, EngineAuroraPostgres}

// CPUCreditUSDPerVCPUHour is the price of the surplus CPU credits a burstable (db.t3, db.t4g) instance pays for in
// unlimited mode, USD per vCPU-hour, in region, and whether the catalog knows it. RDS for PostgreSQL: 0.075, the
// same for every T3 and T4g size in every commercial region and not covered by reserved instances (AWS's RDS
// pricing page, as quoted in public sources; see data/README.md); unknown in China, billed in CNY, and in the other
// partitions (GovCloud, ISO, European Sovereign Cloud), for which no source was found (OutsideCommercialPartition).
// Aurora PostgreSQL: unknown, no source was found.
func CPUCreditUSDPerVCPUHour(e Engine, region string) (float64, bool) {
	if e == EngineRDSPostgres && OutsideCommercialPartition(region) == "" {
		return 0.075, true
	}
	return 0, false
}

// OutsideCommercialPartition says why region's prices are outside what this package can price, as a clause ("" for a
// region of AWS's commercial partition): China's regions (cn-*) are billed in CNY, which the AWS Price List API
// also gives them in and which this package does not convert; GovCloud's (us-gov-*) have no Price List endpoint of
// their own (a provider in a commercial region, with commercial credentials, can read them); the ISO and European
// Sovereign Cloud partitions' prices are not sourced. The partition is aws-sdk-go-v2's (awspartition.Of).
func OutsideCommercialPartition(region string) string {
	switch awspartition.Of(region) {
	case "aws":
		return ""
	case "aws-cn":
		return fmt.Sprintf("%s is in AWS China, billed in CNY: the AWS Price List API gives its prices in CNY too, which this provider does not convert to USD", region)
	case "aws-us-gov":
		return fmt.Sprintf("%s is in AWS GovCloud (US), whose partition has no Price List API endpoint: rightsize_rds_price with use_pricing_api = true and region = %q, in a provider configuration for a commercial region with commercial-account credentials, can read its prices", region, region)
	}
	return fmt.Sprintf("%s is in a partition whose prices this provider has no source for", region)
}

// Deployment is how the database is deployed for pricing purposes.
type Deployment string

// Deployments accepted by Price.
const (
	// SingleAZ is one instance. For Aurora it is the price of one Aurora instance (a writer alone).
	SingleAZ Deployment = "single-az"
	// MultiAZ is a 2-node deployment. For RDS for PostgreSQL it is the Multi-AZ DB instance price (primary plus
	// standby, as AWS bills it). For Aurora, which bills per instance, it is a writer plus one reader (2 × the
	// instance price).
	MultiAZ Deployment = "multi-az"
)

// Deployments lists the accepted deployments, in documentation order.
var Deployments = []Deployment{SingleAZ, MultiAZ}

// StorageType is an RDS storage volume type priced per GB-month.
type StorageType string

// Storage types with catalog prices (gp2, gp3), and the others a provider configuration can price
// (WithStoragePrices).
const (
	StorageGP2      StorageType = "gp2"
	StorageGP3      StorageType = "gp3"
	StorageIO1      StorageType = "io1"
	StorageIO2      StorageType = "io2"
	StorageMagnetic StorageType = "standard"
)

// StorageTypes are the RDS storage types WithStoragePrices takes, in documentation order.
var StorageTypes = []StorageType{StorageGP2, StorageGP3, StorageIO1, StorageIO2, StorageMagnetic}

// InstanceClass is the capacity of one DB instance class. Zero in a numeric baseline field means the source did
// not publish it (see the field's comment).
type InstanceClass struct {
	Name      string  // e.g. "db.r6g.large"
	Family    string  // e.g. "db.r6g"
	Size      string  // e.g. "large"
	VCPU      int     // vCPUs
	MemoryGiB float64 // GiB
	Burstable bool    // CPU-credit burstable (db.t3, db.t4g)
	// AuroraSupported reports whether Aurora PostgreSQL offers the class (catalog has Aurora rows for it).
	AuroraSupported bool
	// AuroraLocalStorageGiB is the local storage of an Aurora PostgreSQL instance of the class, in GiB: where it
	// writes temporary files (sorts, hashes and index builds that spill out of work_mem) and its logs, and what
	// the CloudWatch metric FreeLocalStorage reports free. 0 when unknown: a class Aurora does not offer, or a
	// catalog loaded without data/aurora-local-storage.csv.
	AuroraLocalStorageGiB float64
	// CPUBaselinePercent is a burstable class's baseline utilization per vCPU, percent: the CPUUtilization at
	// which it earns as many CPU credits as it spends (CreditsPerHour = baseline/100 × vCPU × 60). Both are 0 for
	// fixed-performance classes, and for a catalog loaded without data/burstable-cpu-baseline.csv.
	CPUBaselinePercent float64
	CreditsPerHour     float64

	NetworkGbps string // network bandwidth as the RDS docs print it, e.g. "Up to 10" or "12"
	MaxEBSMbps  string // max EBS bandwidth as the RDS docs print it, e.g. "Up to 4750" or "9000"
	// BurstLimited is true when the RDS docs say maximum EBS/network performance lasts 30 minutes once every 24 h.
	BurstLimited bool

	NetworkBaselineGbps float64 // EC2 baseline network Gbps; 0 for fixed-bandwidth sizes (use NetworkGbps)
	NetworkBurstGbps    float64 // EC2 burst network Gbps; 0 for fixed-bandwidth sizes
	EBSBaselineMbps     float64 // EC2 EBS baseline bandwidth, Mbps
	EBSMaxMbps          float64 // EC2 EBS max bandwidth, Mbps
	EBSBaselineIOPS     float64 // EC2 EBS baseline IOPS (16 KiB I/O)
	EBSMaxIOPS          float64 // EC2 EBS max IOPS (16 KiB I/O)
}

// Price is an on-demand price for one class, engine, deployment and region.
type Price struct {
	Class      string
	Engine     Engine
	Deployment Deployment
	Region     string
	HourlyUSD  float64 // USD per hour for the whole deployment (both nodes for MultiAZ)
	MonthlyUSD float64 // HourlyUSD × HoursPerMonth
	// Source is SourceCatalog, SourceConfiguration or SourcePricingAPI.
	Source string
	// SourceDate is the date of the catalog price (YYYY-MM-DD); for SourcePricingAPI, the offer's effective date
	// when the response gave one.
	SourceDate string
	Note       string // how the value was derived, when not a plain list price
	// Scaled is true for an Aurora I/O-Optimized instance's price derived from Aurora Standard's
	// (AuroraIOOptimized: × AuroraIOOptimizedFactor), not given as such.
	Scaled bool
}

// Price sources reported in Price.Source.
const (
	SourceCatalog    = "catalog"
	SourcePricingAPI = "pricing-api"
)

// UnknownClassError is returned for an instance class the catalog does not cover.
type UnknownClassError struct {
	Class    string
	Families []string // families the catalog supports
}

func (e *UnknownClassError) Error() string {
	return fmt.Sprintf("instance class %q is not in the catalog; supported families: %s (sizes as listed by AWS in 2023-06). "+
		"Describe a class the catalog lacks in the provider configuration's instance_classes (its vCPUs, memory and, for savings, its prices)",
		e.Class, strings.Join(e.Families, ", "))
}

// PriceUnavailableError is returned when the catalog knows the class but has no price for the combination.
type PriceUnavailableError struct {
	Class      string
	Engine     Engine
	Deployment Deployment
	Region     string
	Reason     string
}

func (e *PriceUnavailableError) Error() string {
	return fmt.Sprintf("no %s %s price for %s in region %s: %s", e.Engine, e.Deployment, e.Class, e.Region, e.Reason)
}

// UnsupportedError is returned for an engine, deployment or storage type the catalog does not model.
type UnsupportedError struct {
	What    string // "engine", "deployment", "storage type"
	Value   string
	Allowed []string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("unsupported %s %q; supported: %s", e.What, e.Value, strings.Join(e.Allowed, ", "))
}

type priceKey struct {
	class, engine, deployment, region string
}

type priceRow struct {
	hourly float64
	date   string
	note   string
	gp2    float64 // 0 = not given
	gp3    float64
}

// Catalog is an immutable, parsed instance-class and price catalog. Safe for concurrent use.
type Catalog struct {
	classes  map[string]InstanceClass
	order    []string // class names in file order
	families []string
	regions  []string
	prices   map[priceKey]priceRow
	// custom are the prices of the classes WithClasses added, by class name; overrides the
	// prices WithPrices gives for the catalog's classes.
	custom, overrides map[string]customPrices
	// storage are the Single-AZ prices per GB-month WithStoragePrices gives, in storageRegion.
	storage       map[StorageType]float64
	storageRegion string
	// provisioned are the Single-AZ prices per unit-month WithProvisionedPrices gives, in
	// provisionedRegion.
	provisioned       map[ProvisionedCharge]float64
	provisionedRegion string
	// listed are the embedded catalog's Single-AZ storage prices beyond gp2 and gp3
	// (data/storage-prices.csv); nil for a catalog Load read alone.
	listed map[listedKey]float64
}

//go:embed data/rds-instance-classes.csv
var embeddedCSV string

//go:embed data/aurora-local-storage.csv
var embeddedLocalStorageCSV string

//go:embed data/burstable-cpu-baseline.csv
var embeddedBaselineCSV string

var defaultCatalog = sync.OnceValues(func() (*Catalog, error) {
	c, err := Load(strings.NewReader(embeddedCSV))
	if err != nil {
		return nil, err
	}
	if err := c.addLocalStorage(strings.NewReader(embeddedLocalStorageCSV)); err != nil {
		return nil, err
	}
	if err := c.addCPUBaselines(strings.NewReader(embeddedBaselineCSV)); err != nil {
		return nil, err
	}
	if err := c.addStoragePrices(strings.NewReader(embeddedStoragePricesCSV)); err != nil {
		return nil, err
	}
	return c, nil
})

// Default returns the embedded catalog, parsed once. An error means the embedded file is corrupt (a build defect).
func Default() (*Catalog, error) { return defaultCatalog() }

var csvColumns = []string{
	"db_instance_class", "family", "size", "engine", "deployment", "region", "vcpu", "memory_gib", "burstable_cpu",
	"on_demand_usd_per_hour", "price_source_date", "price_note", "storage_gp2_usd_per_gb_month",
	"storage_gp3_usd_per_gb_month", "rds_doc_network_gbps", "rds_doc_max_ebs_bandwidth_mbps",
	"rds_doc_max_only_30min_per_24h", "ec2_network_baseline_gbps", "ec2_network_burst_gbps",
	"ec2_ebs_baseline_bandwidth_mbps", "ec2_ebs_max_bandwidth_mbps", "ec2_ebs_baseline_iops", "ec2_ebs_max_iops",
}

// Load parses a catalog CSV in the layout of data/rds-instance-classes.csv (lines starting with '#' are comments;
// the header row names the columns, extra columns are ignored). Empty price cells mean "no price".
func Load(r io.Reader) (*Catalog, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading catalog header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, c := range csvColumns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("catalog header lacks column %q", c)
		}
	}
	c := &Catalog{classes: map[string]InstanceClass{}, prices: map[priceKey]priceRow{}}
	famSeen, regSeen := map[string]bool{}, map[string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading catalog: %w", err)
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
		num := func(name string) (float64, error) {
			s := get(name)
			if s == "" {
				return 0, nil
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return 0, fmt.Errorf("catalog line %d column %s: %w", line, name, err)
			}
			return v, nil
		}
		var perr error
		f := func(name string) float64 {
			v, err := num(name)
			if err != nil && perr == nil {
				perr = err
			}
			return v
		}
		name := get("db_instance_class")
		vcpu := f("vcpu")
		ic := InstanceClass{
			Name: name, Family: get("family"), Size: get("size"),
			VCPU: int(vcpu), MemoryGiB: f("memory_gib"), Burstable: get("burstable_cpu") == "yes",
			NetworkGbps: get("rds_doc_network_gbps"), MaxEBSMbps: get("rds_doc_max_ebs_bandwidth_mbps"),
			BurstLimited:        get("rds_doc_max_only_30min_per_24h") == "yes",
			NetworkBaselineGbps: f("ec2_network_baseline_gbps"), NetworkBurstGbps: f("ec2_network_burst_gbps"),
			EBSBaselineMbps: f("ec2_ebs_baseline_bandwidth_mbps"), EBSMaxMbps: f("ec2_ebs_max_bandwidth_mbps"),
			EBSBaselineIOPS: f("ec2_ebs_baseline_iops"), EBSMaxIOPS: f("ec2_ebs_max_iops"),
		}
		pr := priceRow{hourly: f("on_demand_usd_per_hour"), date: get("price_source_date"), note: get("price_note"),
			gp2: f("storage_gp2_usd_per_gb_month"), gp3: f("storage_gp3_usd_per_gb_month")}
		if perr != nil {
			return nil, perr
		}
		if name == "" || ic.Family == "" || ic.VCPU <= 0 || ic.MemoryGiB <= 0 {
			return nil, fmt.Errorf("catalog line %d: class, family, vcpu and memory_gib are required", line)
		}
		engine, deployment, region := get("engine"), get("deployment"), get("region")
		if prev, ok := c.classes[name]; ok {
			ic.AuroraSupported = prev.AuroraSupported
		} else {
			c.order = append(c.order, name)
		}
		if Engine(engine) == EngineAuroraPostgres {
			ic.AuroraSupported = true
		}
		c.classes[name] = ic
		if !famSeen[ic.Family] {
			famSeen[ic.Family] = true
			c.families = append(c.families, ic.Family)
		}
		if !regSeen[region] {
			regSeen[region] = true
			c.regions = append(c.regions, region)
		}
		c.prices[priceKey{name, engine, deployment, region}] = pr
	}
	if len(c.classes) == 0 {
		return nil, errors.New("catalog has no rows")
	}
	slices.Sort(c.regions)
	return c, nil
}

// addLocalStorage sets AuroraLocalStorageGiB from a CSV in the layout of data/aurora-local-storage.csv
// (db_instance_class, local_storage_gib; '#' comments). Every row must name a class the catalog offers on
// Aurora, once, with a positive size, and every such class must have a row: a gap would silently skip the
// local-storage checks for that class.
func (c *Catalog) addLocalStorage(r io.Reader) error {
	seen := map[string]bool{}
	err := readTable(r, "local storage", []string{"db_instance_class", "local_storage_gib"}, func(line int, rec []string) error {
		name := strings.TrimSpace(rec[0])
		ic, ok := c.classes[name]
		switch {
		case !ok:
			return fmt.Errorf("local storage line %d: class %q is not in the catalog", line, name)
		case !ic.AuroraSupported:
			return fmt.Errorf("local storage line %d: class %q has no Aurora PostgreSQL rows in the catalog", line, name)
		case seen[name]:
			return fmt.Errorf("local storage line %d: class %q is listed twice", line, name)
		}
		gib, err := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if err != nil || !(gib > 0) || math.IsInf(gib, 1) {
			return fmt.Errorf("local storage line %d: local_storage_gib %q is not a positive number", line, rec[1])
		}
		seen[name] = true
		ic.AuroraLocalStorageGiB = gib
		c.classes[name] = ic
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range c.order {
		if c.classes[name].AuroraSupported && !seen[name] {
			return fmt.Errorf("local storage: Aurora class %q has no row", name)
		}
	}
	return nil
}

// addCPUBaselines sets CPUBaselinePercent and CreditsPerHour from a CSV in the layout of
// data/burstable-cpu-baseline.csv (db_instance_class, credits_per_hour, baseline_percent_per_vcpu; '#' comments).
// Every row must name a burstable class of the catalog, once, with a baseline in (0, 100] whose credits per hour
// equal baseline/100 × the class's vCPUs × 60; every burstable class must have a row (a gap would leave its
// CPU credits unprojected).
func (c *Catalog) addCPUBaselines(r io.Reader) error {
	seen := map[string]bool{}
	err := readTable(r, "CPU baseline", []string{"db_instance_class", "credits_per_hour", "baseline_percent_per_vcpu"}, func(line int, rec []string) error {
		name := strings.TrimSpace(rec[0])
		ic, ok := c.classes[name]
		switch {
		case !ok:
			return fmt.Errorf("CPU baseline line %d: class %q is not in the catalog", line, name)
		case !ic.Burstable:
			return fmt.Errorf("CPU baseline line %d: class %q is not burstable in the catalog", line, name)
		case seen[name]:
			return fmt.Errorf("CPU baseline line %d: class %q is listed twice", line, name)
		}
		credits, err1 := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		base, err2 := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64)
		if err1 != nil || err2 != nil || !(base > 0 && base <= 100) || !(credits > 0) {
			return fmt.Errorf("CPU baseline line %d: credits_per_hour %q and baseline_percent_per_vcpu %q must be positive numbers, the baseline at most 100", line, rec[1], rec[2])
		}
		if want := float64(base / 100 * float64(ic.VCPU) * 60); math.Abs(credits-want) > 1e-9*want {
			return fmt.Errorf("CPU baseline line %d: class %q earns %v credits per hour, but a %v%% baseline on its %d vCPUs earns %v", line, name, credits, base, ic.VCPU, want)
		}
		seen[name] = true
		ic.CPUBaselinePercent, ic.CreditsPerHour = base, credits
		c.classes[name] = ic
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range c.order {
		if c.classes[name].Burstable && !seen[name] {
			return fmt.Errorf("CPU baselines: burstable class %q has no row", name)
		}
	}
	return nil
}

// readTable reads a small CSV table of the catalog's data folder ('#' comments): its header must be header
// exactly, every record has len(header) fields, and row is called with each record and its line number. what
// names the table in errors.
func readTable(r io.Reader, what string, header []string, row func(line int, rec []string) error) error {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = len(header)
	got, err := cr.Read()
	if err != nil {
		return fmt.Errorf("reading %s header: %w", what, err)
	}
	if !slices.Equal(got, header) {
		return fmt.Errorf("%s header is %q, want %s", what, got, strings.Join(header, ","))
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", what, err)
		}
		line, _ := cr.FieldPos(0)
		if err := row(line, rec); err != nil {
			return err
		}
	}
}

// Families returns the instance families covered, e.g. "db.r6g", in catalog order.
func (c *Catalog) Families() []string { return slices.Clone(c.families) }

// Regions returns the regions with prices, sorted.
func (c *Catalog) Regions() []string { return slices.Clone(c.regions) }

// Classes returns every instance class, in catalog order (by family, then size).
func (c *Catalog) Classes() []InstanceClass {
	out := make([]InstanceClass, 0, len(c.order))
	for _, n := range c.order {
		out = append(out, c.classes[n])
	}
	return out
}

// Class returns the capacity of the named class (case-insensitive, e.g. "db.r6g.large"). It returns an
// *UnknownClassError listing the supported families when the class is not covered.
func (c *Catalog) Class(name string) (InstanceClass, error) {
	ic, ok := c.classes[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return InstanceClass{}, &UnknownClassError{Class: name, Families: c.Families()}
	}
	return ic, nil
}

// AuroraIOOptimizedFactor is what an Aurora I/O-Optimized instance costs relative to the Aurora Standard
// instance price the catalog carries: AWS prices I/O-Optimized instances 30% above Standard (and charges no I/O).
// The catalog's source showed both prices for each class, 1.295 to 1.306 apart after rounding (data/README.md).
const AuroraIOOptimizedFactor = 1.3

// StorageAuroraIOOptimized is the storage configuration (DBCluster.StorageType) of an Aurora I/O-Optimized cluster;
// StorageAuroraStandard (or none) is Aurora Standard's.
const (
	StorageAuroraIOOptimized = "aurora-iopt1"
	StorageAuroraStandard    = "aurora"
)

// AuroraIOOptimized returns p, an Aurora PostgreSQL instance price from the catalog (Aurora Standard), as the price
// of the same instance in an Aurora I/O-Optimized cluster: × AuroraIOOptimizedFactor, with a note saying so.
func AuroraIOOptimized(p Price) Price {
	p.Scaled = true
	p.HourlyUSD *= AuroraIOOptimizedFactor
	p.MonthlyUSD = Monthly(p.HourlyUSD)
	p.Note = strings.TrimPrefix(p.Note+"; Aurora I/O-Optimized: the Aurora Standard price × 1.3, as AWS prices it", "; ")
	return p
}

// AuroraIOOptimizedPrice returns the price of class as an Aurora PostgreSQL instance in an Aurora
// I/O-Optimized cluster in region, for deployment as Price takes it (MultiAZ: writer and one reader,
// twice the instance price): the provider configuration's aurora_io_optimized price for the class
// (instance_prices, or its description in instance_classes) in its region when it gives one, else
// the Aurora Standard price Price gives (the catalog's or the configuration's) × the factor
// (AuroraIOOptimized). The errors are Price's.
func (c *Catalog) AuroraIOOptimizedPrice(class string, deployment Deployment, region string) (Price, error) {
	ic, err := c.Class(class)
	if err != nil {
		return Price{}, err
	}
	cp, ok := c.custom[ic.Name]
	if !ok {
		cp, ok = c.overrides[ic.Name]
	}
	if _, err := ParseDeployment(string(deployment)); err == nil && ok && cp.auroraIOOptimized > 0 {
		io := cp
		io.aurora = cp.auroraIOOptimized // priced as the configuration's Aurora prices are, at this rate
		if p, err := io.price(ic, EngineAuroraPostgres, deployment, region); err == nil {
			p.Note = "Aurora I/O-Optimized, " + p.Note
			return p, nil
		}
	}
	p, err := c.Price(ic.Name, EngineAuroraPostgres, deployment, region)
	if err != nil {
		return Price{}, err
	}
	return AuroraIOOptimized(p), nil
}

// EngineFromRDS maps the engine string DescribeDBInstances/DescribeDBClusters report ("postgres",
// "aurora-postgresql") to a catalog Engine. It returns an *UnsupportedError for anything else (MySQL, Oracle, ...).
func EngineFromRDS(engine string) (Engine, error) {
	switch strings.ToLower(engine) {
	case "postgres", string(EngineRDSPostgres):
		return EngineRDSPostgres, nil
	case "aurora-postgresql":
		return EngineAuroraPostgres, nil
	}
	return "", &UnsupportedError{What: "engine", Value: engine, Allowed: []string{"postgres", "aurora-postgresql"}}
}

// ParseEngine validates a catalog engine name ("rds-postgresql" or "aurora-postgresql"; the RDS spellings
// "postgres" is accepted too).
func ParseEngine(s string) (Engine, error) {
	e, err := EngineFromRDS(s)
	if err != nil {
		return "", &UnsupportedError{What: "engine", Value: s, Allowed: engineNames()}
	}
	return e, nil
}

// ParseDeployment validates a deployment name ("single-az" or "multi-az").
func ParseDeployment(s string) (Deployment, error) {
	for _, d := range Deployments {
		if string(d) == s {
			return d, nil
		}
	}
	return "", &UnsupportedError{What: "deployment", Value: s, Allowed: names(Deployments)}
}

func engineNames() []string { return names(Engines) }

// names are the values of ks as strings, in order: an UnsupportedError's Allowed, say.
func names[K ~string](ks []K) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// Price returns the catalog's on-demand price for class, engine, deployment and region. For Aurora, MultiAZ
// means writer + one reader (2 × the per-instance price, see MultiAZ). Errors: *UnknownClassError,
// *UnsupportedError (engine/deployment), *PriceUnavailableError (class not offered for the engine, region not
// covered, or a price the sources did not give).
func (c *Catalog) Price(class string, engine Engine, deployment Deployment, region string) (Price, error) {
	ic, err := c.Class(class)
	if err != nil {
		return Price{}, err
	}
	if _, err := ParseDeployment(string(deployment)); err != nil {
		return Price{}, err
	}
	if cp, ok := c.custom[ic.Name]; ok {
		return cp.price(ic, engine, deployment, region)
	}
	if p, ok := c.overridden(ic, engine, deployment, region); ok {
		return p, nil
	}
	p := Price{Class: ic.Name, Engine: engine, Deployment: deployment, Region: region, Source: SourceCatalog}
	unavailable := func(reason string) error {
		return &PriceUnavailableError{Class: ic.Name, Engine: engine, Deployment: deployment, Region: region, Reason: reason}
	}
	if !slices.Contains(c.regions, region) {
		how := "the provider configuration's instance_prices can give them, and the rightsize_rds_price data source with use_pricing_api = true can read them from the AWS Price List API"
		if r := c.overridesRegion(); r != "" && r != region { // rightsize_rds_price's region, not the provider's
			how = fmt.Sprintf("the provider configuration's instance_prices are prices in its region, %s, not in %s; the rightsize_rds_price data source with use_pricing_api = true can read them from the AWS Price List API", r, region)
		} else if _, ok := c.overrides[ic.Name]; ok { // its element leaves this deployment at 0
			field := "single_az"
			switch {
			case engine == EngineAuroraPostgres:
				field = "aurora"
			case deployment == MultiAZ:
				field = "multi_az"
			}
			how = fmt.Sprintf("the provider configuration's instance_prices give %s no %s price: add it there, or the rightsize_rds_price data source with use_pricing_api = true can read it from the AWS Price List API", ic.Name, field)
		}
		if why := OutsideCommercialPartition(region); why != "" {
			how = why
		}
		return Price{}, unavailable(fmt.Sprintf("the embedded catalog covers regions %s only, so prices in %s are unknown to it (%s)",
			strings.Join(c.regions, ", "), region, how))
	}
	var key priceKey
	multiplier := 1.0
	switch engine {
	case EngineRDSPostgres:
		key = priceKey{ic.Name, string(engine), string(deployment), region}
	case EngineAuroraPostgres:
		if !ic.AuroraSupported {
			return Price{}, unavailable("Aurora PostgreSQL does not offer this class (Aurora supports the db.r5, db.r6g, db.r6i, db.r7g families and db.t3/db.t4g medium and large)")
		}
		key = priceKey{ic.Name, string(engine), "aurora-standard", region}
		if deployment == MultiAZ {
			multiplier = 2
			p.Note = "Aurora bills per instance: writer + one reader = 2 × the instance price"
		}
	default:
		return Price{}, &UnsupportedError{What: "engine", Value: string(engine), Allowed: engineNames()}
	}
	row, ok := c.prices[key]
	if !ok || row.hourly <= 0 {
		reason := "the catalog's sources gave no price for it"
		if row.note != "" {
			reason += " (" + row.note + ")"
		}
		return Price{}, unavailable(reason)
	}
	p.HourlyUSD = row.hourly * multiplier
	p.MonthlyUSD = Monthly(p.HourlyUSD)
	p.SourceDate = row.date
	if row.note != "" {
		p.Note = strings.TrimPrefix(p.Note+"; "+row.note, "; ")
	}
	return p, nil
}

// StoragePricePerGBMonth returns the USD per GB-month of RDS storage of type st for an RDS for PostgreSQL
// deployment (MultiAZ storage is billed twice): the provider configuration's (WithStoragePrices) in its
// region, else the catalog's (gp2 and gp3, and the embedded catalog's io1 and magnetic, in us-east-1). A
// type that is none of StorageTypes (Aurora's storage, say) gets an *UnsupportedError; one without a price
// (io2, any region but us-east-1, unless configured) a *PriceUnavailableError.
func (c *Catalog) StoragePricePerGBMonth(st StorageType, deployment Deployment, region string) (float64, error) {
	if _, err := ParseDeployment(string(deployment)); err != nil {
		return 0, err
	}
	if !slices.Contains(StorageTypes, st) {
		return 0, &UnsupportedError{What: "storage type", Value: string(st), Allowed: names(StorageTypes)}
	}
	v, ok := c.storage[st]
	if !c.StoragePriceConfigured(st, region) {
		v, ok = c.listed[listedKey{region, string(st)}]
	}
	if ok {
		if deployment == MultiAZ {
			return 2 * v, nil // AWS bills a Multi-AZ instance's storage for the primary and the standby
		}
		return v, nil
	}
	if st == StorageGP2 || st == StorageGP3 {
		// In the catalog file's rows, the same for every class: the first class that has a row.
		for _, name := range c.order {
			row, ok := c.prices[priceKey{name, string(EngineRDSPostgres), string(deployment), region}]
			if !ok {
				continue
			}
			v := row.gp2
			if st == StorageGP3 {
				v = row.gp3
			}
			if v > 0 {
				return v, nil
			}
		}
	}
	reason := "the catalog has storage prices for us-east-1 only"
	if st == StorageIO2 {
		reason = "the catalog has no io2 price"
	}
	return 0, &PriceUnavailableError{Class: "storage " + string(st), Engine: EngineRDSPostgres, Deployment: deployment,
		Region: region, Reason: reason + "; the provider configuration's storage_prices can give them"}
}

// Monthly converts an hourly price to a monthly one (× HoursPerMonth).
func Monthly(hourly float64) float64 { return hourly * HoursPerMonth }

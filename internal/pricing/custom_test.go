package pricing

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

func r8g() CustomClass {
	return CustomClass{Name: "db.r8g.large", VCPU: 2, MemoryGiB: 16, Aurora: true, EBSBaselineIOPS: 3600, NetworkBaselineGbps: 0.937,
		SingleAZUSD: 0.2, MultiAZUSD: 0.4, AuroraUSD: 0.23}
}

// TestWithClasses: a catalog extended with custom classes knows their capacity, family and
// prices in the configured region (Aurora Multi-AZ twice the instance price), reports them as the
// configuration's, and leaves the catalog it extends unchanged; elsewhere, or unpriced, a custom
// class has no price, with a reason naming instance_classes.
func TestWithClasses(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	m7i := CustomClass{Name: "db.m7i.xlarge", VCPU: 4, MemoryGiB: 16, SingleAZUSD: 0.3}
	r8gAurora := r8g()
	r8gAurora.AuroraLocalStorageGiB = 32
	ext, err := cat.WithClasses("ap-northeast-1", []CustomClass{r8gAurora, m7i})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Class("db.r8g.large"); err == nil || cat.Custom("db.r8g.large") {
		t.Errorf("the embedded catalog changed: %v", err)
	}
	ic, err := ext.Class("DB.R8G.LARGE")
	if err != nil || ic.Family != "db.r8g" || ic.Size != "large" || ic.VCPU != 2 || ic.MemoryGiB != 16 || !ic.AuroraSupported || ic.EBSBaselineIOPS != 3600 || ic.NetworkBaselineGbps != 0.937 || ic.AuroraLocalStorageGiB != 32 || !ext.Custom("db.r8g.large") {
		t.Errorf("db.r8g.large: %+v, %v", ic, err)
	}
	if f := ext.Families(); f[len(f)-2] != "db.r8g" || f[len(f)-1] != "db.m7i" || len(f) != len(cat.Families())+2 {
		t.Errorf("families %v, want the catalog's then db.r8g, db.m7i", f)
	}
	if ext.Custom("db.r6g.large") {
		t.Error("db.r6g.large reported custom")
	}
	for _, tc := range []struct {
		class  string
		engine Engine
		dep    Deployment
		region string
		want   float64 // 0: unavailable, with reason
		reason string
	}{
		{"db.r8g.large", EngineRDSPostgres, SingleAZ, "ap-northeast-1", 0.2, ""},
		{"db.r8g.large", EngineRDSPostgres, MultiAZ, "ap-northeast-1", 0.4, ""},
		{"db.r8g.large", EngineAuroraPostgres, SingleAZ, "ap-northeast-1", 0.23, ""},
		{"db.r8g.large", EngineAuroraPostgres, MultiAZ, "ap-northeast-1", 0.46, ""},
		{"db.r8g.large", EngineRDSPostgres, SingleAZ, "us-east-1", 0, "with prices in ap-northeast-1 only"},
		{"db.m7i.xlarge", EngineRDSPostgres, MultiAZ, "ap-northeast-1", 0, "give no price for it"},
		{"db.m7i.xlarge", EngineAuroraPostgres, SingleAZ, "ap-northeast-1", 0, "aurora = false"},
	} {
		p, err := ext.Price(tc.class, tc.engine, tc.dep, tc.region)
		var pu *PriceUnavailableError
		switch {
		case tc.want > 0 && (err != nil || math.Abs(p.HourlyUSD-tc.want) > 1e-9 || p.Source != SourceConfiguration || !strings.Contains(p.Note, "instance_classes")):
			t.Errorf("%s %s %s %s: %+v, %v; want $%v/h from the configuration", tc.class, tc.engine, tc.dep, tc.region, p, err, tc.want)
		case tc.want == 0 && (!errors.As(err, &pu) || !strings.Contains(err.Error(), tc.reason)):
			t.Errorf("%s %s %s %s: %v, want unavailable: %q", tc.class, tc.engine, tc.dep, tc.region, err, tc.reason)
		}
	}
	// The catalog's own classes keep their prices; its regions are unchanged.
	a, errA := cat.Price("db.r6g.large", EngineRDSPostgres, MultiAZ, "us-east-1")
	b, errB := ext.Price("db.r6g.large", EngineRDSPostgres, MultiAZ, "us-east-1")
	if errA != nil || errB != nil || a != b || fmt.Sprint(ext.Regions()) != fmt.Sprint(cat.Regions()) {
		t.Errorf("catalog class: %+v %v vs %+v %v; regions %v", a, errA, b, errB, ext.Regions())
	}
}

// TestCustomClassValidate: what WithClasses refuses, naming the field.
func TestCustomClassValidate(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		edit  func(*CustomClass)
		field string
		want  string
	}{
		{func(c *CustomClass) { c.Name = "db.R8G.large" }, "Name", "lower case"},
		{func(c *CustomClass) { c.Name = "r8g.large" }, "Name", "not an RDS DB instance class name"},
		{func(c *CustomClass) { c.Name = "db.r6g.large" }, "Name", "in the provider's catalog already"},
		{func(c *CustomClass) { c.Name = "db.t4g.4xlarge" }, "Name", "burstable"},
		{func(c *CustomClass) { c.VCPU = 0 }, "VCPU", "want 1 to 512"},
		{func(c *CustomClass) { c.MemoryGiB = math.NaN() }, "MemoryGiB", "more than 0"},
		{func(c *CustomClass) { c.MemoryGiB = 16 << 20 }, "MemoryGiB", "at most 32768"},
		{func(c *CustomClass) { c.EBSBaselineIOPS = -1 }, "EBSBaselineIOPS", "0 (unknown) or more"},
		{func(c *CustomClass) { c.NetworkBaselineGbps = math.NaN() }, "NetworkBaselineGbps", "0 (unknown) to 1000"},
		{func(c *CustomClass) { c.MultiAZUSD = math.Inf(1) }, "MultiAZUSD", "0 (unknown) to 1000"},
		{func(c *CustomClass) { c.SingleAZUSD = -0.1 }, "SingleAZUSD", "0 (unknown) to 1000"},
		{func(c *CustomClass) { c.Aurora = false }, "AuroraUSD", "set aurora = true"},
		{func(c *CustomClass) { c.AuroraLocalStorageGiB = -1 }, "AuroraLocalStorageGiB", "0 (unknown) to 32768"},
		{func(c *CustomClass) { c.Aurora, c.AuroraUSD, c.AuroraLocalStorageGiB = false, 0, 32 }, "AuroraLocalStorageGiB", "set aurora = true, or remove it"},
	} {
		cc := r8g()
		tc.edit(&cc)
		var fe *CustomClassFieldError
		if err := cc.Validate(cat); !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %s: %q", cc, err, tc.field, tc.want)
		}
		if _, err := cat.WithClasses("us-east-1", []CustomClass{cc}); err == nil {
			t.Errorf("%+v: WithClasses took it", cc)
		}
	}
	if err := r8g().Validate(cat); err != nil {
		t.Errorf("db.r8g.large: %v", err)
	}
	if _, err := cat.WithClasses("us-east-1", []CustomClass{r8g(), r8g()}); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("twice: %v", err)
	}
}

// A class newer than the catalog (here db.r8g.large, priced in ap-northeast-1, a region the
// catalog does not price) is described in the provider configuration and priced from it.
func ExampleCatalog_WithClasses() {
	cat, _ := Default()
	ext, err := cat.WithClasses("ap-northeast-1", []CustomClass{{Name: "db.r8g.large", VCPU: 2, MemoryGiB: 16, SingleAZUSD: 0.25, MultiAZUSD: 0.5}})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := ext.Price("db.r8g.large", EngineRDSPostgres, MultiAZ, "ap-northeast-1")
	fmt.Printf("%s %s: $%.2f/h, $%.2f/month (%s)\n", p.Class, p.Deployment, p.HourlyUSD, p.MonthlyUSD, p.Source)
	// Output:
	// db.r8g.large multi-az: $0.50/h, $365.00/month (provider-configuration)
}

// TestWithPrices: instance_prices give a catalog class its prices in the configured region (one
// the catalog does not price, or in place of the catalog's: a negotiated rate), each deployment
// they leave at 0 keeping the catalog's; elsewhere the catalog's stand, and the catalog extended
// is unchanged.
func TestWithPrices(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	ext, err := cat.WithPrices("ap-northeast-1", []PriceOverride{{Class: "db.r6g.large", MultiAZUSD: 0.5, AuroraUSD: 0.3}, {Class: "db.t4g.large", SingleAZUSD: 0.15}})
	if err != nil {
		t.Fatal(err)
	}
	tokyo, err := ext.Price("db.r6g.large", EngineRDSPostgres, MultiAZ, "ap-northeast-1")
	if err != nil || tokyo.HourlyUSD != 0.5 || tokyo.Source != SourceConfiguration || !strings.Contains(tokyo.Note, "instance_prices") {
		t.Errorf("db.r6g.large Multi-AZ in ap-northeast-1: %+v, %v", tokyo, err)
	}
	if p, err := ext.Price("db.r6g.large", EngineAuroraPostgres, MultiAZ, "ap-northeast-1"); err != nil || math.Abs(p.HourlyUSD-0.6) > 1e-9 {
		t.Errorf("Aurora writer + reader: %+v, %v; want 2 × 0.3", p, err)
	}
	// Single-AZ is left at 0: the catalog's, which has no ap-northeast-1 prices.
	var pu *PriceUnavailableError
	if _, err := ext.Price("db.r6g.large", EngineRDSPostgres, SingleAZ, "ap-northeast-1"); !errors.As(err, &pu) || !strings.Contains(err.Error(), "instance_prices give db.r6g.large no single_az price: add it there") {
		t.Errorf("db.r6g.large Single-AZ in ap-northeast-1: %v, want the catalog's unavailable price saying instance_prices give it no single_az price", err)
	}
	if _, err := ext.Price("db.t4g.large", EngineAuroraPostgres, SingleAZ, "ap-northeast-1"); !errors.As(err, &pu) || !strings.Contains(err.Error(), "instance_prices give db.t4g.large no aurora price") {
		t.Errorf("db.t4g.large Aurora in ap-northeast-1: %v, want the catalog's unavailable price saying instance_prices give it no aurora price", err)
	}
	// Another class there: instance_prices can give it.
	if _, err := ext.Price("db.r6g.xlarge", EngineRDSPostgres, SingleAZ, "ap-northeast-1"); !errors.As(err, &pu) || !strings.Contains(err.Error(), "instance_prices can give them") {
		t.Errorf("db.r6g.xlarge Single-AZ in ap-northeast-1: %v, want the catalog's unavailable price naming instance_prices", err)
	}
	// A region neither the catalog nor instance_prices price (rightsize_rds_price's region):
	// instance_prices, the provider's region's, cannot give them. It said they could.
	if _, err := ext.Price("db.r6g.large", EngineRDSPostgres, MultiAZ, "us-east-2"); !errors.As(err, &pu) ||
		!strings.Contains(err.Error(), "instance_prices are prices in its region, ap-northeast-1, not in us-east-2") || strings.Contains(err.Error(), "instance_prices can give them") {
		t.Errorf("db.r6g.large Multi-AZ in us-east-2: %v, want the catalog's unavailable price saying instance_prices are ap-northeast-1's", err)
	}
	// Another region: the catalog's.
	a, _ := cat.Price("db.r6g.large", EngineRDSPostgres, MultiAZ, "us-east-1")
	if b, err := ext.Price("db.r6g.large", EngineRDSPostgres, MultiAZ, "us-east-1"); err != nil || a != b {
		t.Errorf("us-east-1: %+v vs the catalog's %+v (%v)", b, a, err)
	}
	if p, err := cat.Price("db.r6g.large", EngineRDSPostgres, MultiAZ, "ap-northeast-1"); err == nil {
		t.Errorf("the embedded catalog changed: %+v", p)
	}
	// A negotiated rate in a region the catalog prices.
	us, err := cat.WithPrices("us-east-1", []PriceOverride{{Class: "db.t4g.large", MultiAZUSD: 0.2}})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := us.Price("db.t4g.large", EngineRDSPostgres, MultiAZ, "us-east-1"); err != nil || p.HourlyUSD != 0.2 || p.Source != SourceConfiguration {
		t.Errorf("db.t4g.large Multi-AZ at the negotiated rate: %+v, %v", p, err)
	}
	if p, err := us.Price("db.t4g.large", EngineRDSPostgres, SingleAZ, "us-east-1"); err != nil || p.Source != SourceCatalog {
		t.Errorf("db.t4g.large Single-AZ, not overridden: %+v, %v; want the catalog's", p, err)
	}

	withR8g, err := cat.WithClasses("us-east-1", []CustomClass{r8g()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		po    PriceOverride
		field string
		want  string
	}{
		{PriceOverride{Class: "db.x9.large", SingleAZUSD: 1}, "Class", "not a class of the provider's catalog"},
		{PriceOverride{Class: "DB.R6G.LARGE", SingleAZUSD: 1}, "Class", "write it as RDS does"},
		{PriceOverride{Class: "db.r8g.large", SingleAZUSD: 1}, "Class", "give its prices there, in hourly_usd"},
		{PriceOverride{Class: "db.r6g.large"}, "SingleAZUSD", "give at least one of"},
		{PriceOverride{Class: "db.r6g.large", MultiAZUSD: -1}, "MultiAZUSD", "0 (the catalog's) to 1000"},
		{PriceOverride{Class: "db.r6g.large", SingleAZUSD: math.NaN()}, "SingleAZUSD", "0 (the catalog's) to 1000"},
		{PriceOverride{Class: "db.m6g.large", AuroraUSD: 0.2}, "AuroraUSD", "does not offer db.m6g.large"},
	} {
		var fe *CustomClassFieldError
		if err := tc.po.Validate(withR8g); !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %s: %q", tc.po, err, tc.field, tc.want)
		}
		if _, err := withR8g.WithPrices("us-east-1", []PriceOverride{tc.po}); err == nil {
			t.Errorf("%+v: WithPrices took it", tc.po)
		}
	}
	if _, err := cat.WithPrices("us-east-1", []PriceOverride{{Class: "db.r6g.large", SingleAZUSD: 1}, {Class: "db.r6g.large", MultiAZUSD: 1}}); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("twice: %v", err)
	}
}

// TestWithStoragePrices: storage_prices give the Single-AZ price per GB-month of a storage type in
// the configured region, Multi-AZ twice that (both copies billed), in place of the catalog's
// (us-east-1's gp2, gp3, io1 and magnetic) or where it has none (io2, another region); elsewhere the
// catalog's stand. A type RDS does not have, or a price out of range, is refused naming the type.
func TestWithStoragePrices(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	ext, err := cat.WithStoragePrices("ap-northeast-1", map[StorageType]float64{StorageGP3: 0.138, StorageIO1: 0.15})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		st     StorageType
		dep    Deployment
		region string
		want   float64 // 0: unavailable
	}{
		{StorageGP3, SingleAZ, "ap-northeast-1", 0.138},
		{StorageGP3, MultiAZ, "ap-northeast-1", 0.276},
		{StorageIO1, MultiAZ, "ap-northeast-1", 0.3},
		{StorageGP2, SingleAZ, "ap-northeast-1", 0},
		{StorageIO1, SingleAZ, "us-east-1", 0.125}, // the catalog's, outside the configured region
		{StorageIO2, SingleAZ, "us-east-1", 0},
	} {
		got, err := ext.StoragePricePerGBMonth(tc.st, tc.dep, tc.region)
		if tc.want > 0 && (err != nil || math.Abs(got-tc.want) > 1e-12) || tc.want == 0 && err == nil {
			t.Errorf("%s %s %s: %v, %v; want %v", tc.st, tc.dep, tc.region, got, err, tc.want)
		}
	}
	a, errA := cat.StoragePricePerGBMonth(StorageGP3, MultiAZ, "us-east-1")
	b, errB := ext.StoragePricePerGBMonth(StorageGP3, MultiAZ, "us-east-1")
	if errA != nil || errB != nil || a != b {
		t.Errorf("us-east-1 gp3: %v %v vs the catalog's %v %v", b, errB, a, errA)
	}
	if _, err := cat.StoragePricePerGBMonth(StorageGP3, SingleAZ, "ap-northeast-1"); err == nil || !strings.Contains(err.Error(), "storage_prices can give them") {
		t.Errorf("the embedded catalog in ap-northeast-1: %v", err)
	}
	for _, tc := range []struct {
		prices map[StorageType]float64
		field  string
		want   string
	}{
		{map[StorageType]float64{"aurora": 0.1}, "aurora", "want one of gp2, gp3, io1, io2 and standard"},
		{map[StorageType]float64{StorageGP2: 0}, "gp2", "want more than 0, at most 10"},
		{map[StorageType]float64{StorageIO2: 115}, "io2", "want more than 0, at most 10"},
		{map[StorageType]float64{StorageMagnetic: math.NaN()}, "standard", "want more than 0"},
	} {
		var fe *CustomClassFieldError
		if _, err := cat.WithStoragePrices("us-east-1", tc.prices); !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %s: %q", tc.prices, err, tc.field, tc.want)
		}
	}
}

// TestAuroraIOOptimizedPrice: an Aurora I/O-Optimized instance's price is the configuration's
// aurora_io_optimized one for the class in its region (instance_prices, or instance_classes for a
// class they describe), else the Aurora Standard one (the configuration's, else the catalog's) ×
// 1.3; a Multi-AZ (writer and reader) price is twice the instance's.
func TestAuroraIOOptimizedPrice(t *testing.T) {
	cat := mustDefault(t)
	std, err := cat.Price("db.r6g.large", EngineAuroraPostgres, SingleAZ, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	eu, err := cat.Price("db.r6g.large", EngineAuroraPostgres, SingleAZ, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	ext, err := cat.WithClasses("us-east-1", []CustomClass{{Name: "db.r8g.large", VCPU: 2, MemoryGiB: 16, Aurora: true, AuroraIOOptimizedUSD: 0.4},
		{Name: "db.r8g.xlarge", VCPU: 4, MemoryGiB: 32, Aurora: true, AuroraUSD: 0.5}})
	if err == nil {
		ext, err = ext.WithPrices("us-east-1", []PriceOverride{{Class: "db.r6g.large", AuroraIOOptimizedUSD: 0.3}, {Class: "db.r6g.xlarge", AuroraUSD: 0.4}})
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cat    *Catalog
		class  string
		dep    Deployment
		region string
		want   float64 // 0: an error
		scaled bool
		source string
	}{
		{cat, "db.r6g.large", SingleAZ, "us-east-1", std.HourlyUSD * 1.3, true, SourceCatalog},
		{cat, "db.r6g.large", MultiAZ, "us-east-1", std.HourlyUSD * 2.6, true, SourceCatalog},
		{ext, "db.r6g.large", SingleAZ, "us-east-1", 0.3, false, SourceConfiguration},
		{ext, "db.r6g.large", MultiAZ, "us-east-1", 0.6, false, SourceConfiguration},
		{ext, "db.r6g.large", SingleAZ, "eu-west-1", eu.HourlyUSD * 1.3, true, SourceCatalog}, // instance_prices are us-east-1's
		{ext, "db.r6g.xlarge", SingleAZ, "us-east-1", 0.4 * 1.3, true, SourceConfiguration},
		{ext, "db.r8g.large", SingleAZ, "us-east-1", 0.4, false, SourceConfiguration},
		{ext, "db.r8g.xlarge", SingleAZ, "us-east-1", 0.5 * 1.3, true, SourceConfiguration},
		{ext, "db.r8g.large", SingleAZ, "us-west-2", 0, false, ""},
		{cat, "db.m6g.large", SingleAZ, "us-east-1", 0, false, ""}, // Aurora does not offer it
	} {
		p, err := tc.cat.AuroraIOOptimizedPrice(tc.class, tc.dep, tc.region)
		if tc.want == 0 {
			if err == nil {
				t.Errorf("%s %s %s: %v, want an error", tc.class, tc.dep, tc.region, p.HourlyUSD)
			}
			continue
		}
		if err != nil || math.Abs(p.HourlyUSD-tc.want) > 1e-12 || p.Scaled != tc.scaled || p.Source != tc.source || p.MonthlyUSD != Monthly(p.HourlyUSD) {
			t.Errorf("%s %s %s: %+v, %v; want %v (scaled %v, %s)", tc.class, tc.dep, tc.region, p, err, tc.want, tc.scaled, tc.source)
		}
	}
	// Refusals name the field: an I/O-Optimized price for a class Aurora does not offer, out of range.
	for _, tc := range []struct {
		err   error
		field string
		want  string
	}{
		{PriceOverride{Class: "db.m6g.large", AuroraIOOptimizedUSD: 0.2}.Validate(cat), "AuroraIOOptimizedUSD", "Aurora PostgreSQL does not offer db.m6g.large"},
		{PriceOverride{Class: "db.r6g.large", AuroraIOOptimizedUSD: 2000}.Validate(cat), "AuroraIOOptimizedUSD", "2000 USD per hour"},
		{CustomClass{Name: "db.m8g.large", VCPU: 2, MemoryGiB: 8, AuroraIOOptimizedUSD: 0.2}.Validate(cat), "AuroraIOOptimizedUSD", "set aurora = true"},
		{CustomClass{Name: "db.r8g.large", VCPU: 2, MemoryGiB: 16, Aurora: true, AuroraIOOptimizedUSD: math.NaN()}.Validate(cat), "AuroraIOOptimizedUSD", "want 0 (unknown)"},
	} {
		var fe *CustomClassFieldError
		if !errors.As(tc.err, &fe) || fe.Field != tc.field || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%v: want %s, %q", tc.err, tc.field, tc.want)
		}
	}
	// An I/O-Optimized price alone is a price.
	if err := (PriceOverride{Class: "db.r6g.large", AuroraIOOptimizedUSD: 0.3}).Validate(cat); err != nil {
		t.Errorf("aurora_io_optimized alone: %v", err)
	}
}

package pricing

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func mustDefault(t testing.TB) *Catalog {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatalf("embedded catalog: %v", err)
	}
	return c
}

// TestCatalogLargePrices checks the "large" size of every family in every region, for every engine/deployment,
// against values read independently from /work/shared/data/rds-instance-classes.csv (0 = not sourced there).
// Aurora rows are the per-instance price (single-az); multi-az Aurora is checked as 2× below.
func TestCatalogLargePrices(t *testing.T) {
	c := mustDefault(t)
	tests := []struct {
		class      string
		engine     Engine
		deployment Deployment
		region     string
		hourly     float64
	}{
		{"db.t3.large", EngineRDSPostgres, SingleAZ, "us-east-1", 0.145},
		{"db.t3.large", EngineRDSPostgres, SingleAZ, "us-west-2", 0.145},
		{"db.t3.large", EngineRDSPostgres, SingleAZ, "eu-west-1", 0.156},
		{"db.t3.large", EngineRDSPostgres, SingleAZ, "eu-central-1", 0.168},
		{"db.t3.large", EngineRDSPostgres, SingleAZ, "ap-southeast-1", 0.224},
		{"db.t3.large", EngineRDSPostgres, MultiAZ, "us-east-1", 0.29},
		{"db.t3.large", EngineRDSPostgres, MultiAZ, "us-west-2", 0.29},
		{"db.t3.large", EngineRDSPostgres, MultiAZ, "eu-west-1", 0.312},
		{"db.t3.large", EngineRDSPostgres, MultiAZ, "eu-central-1", 0.336},
		{"db.t3.large", EngineRDSPostgres, MultiAZ, "ap-southeast-1", 0.448},
		{"db.t3.large", EngineAuroraPostgres, SingleAZ, "us-east-1", 0.164},
		{"db.t3.large", EngineAuroraPostgres, SingleAZ, "us-west-2", 0.164},
		{"db.t3.large", EngineAuroraPostgres, SingleAZ, "eu-west-1", 0.176},
		{"db.t3.large", EngineAuroraPostgres, SingleAZ, "eu-central-1", 0.192},
		{"db.t3.large", EngineAuroraPostgres, SingleAZ, "ap-southeast-1", 0.252},
		{"db.t4g.large", EngineRDSPostgres, SingleAZ, "us-east-1", 0.129},
		{"db.t4g.large", EngineRDSPostgres, SingleAZ, "us-west-2", 0.129},
		{"db.t4g.large", EngineRDSPostgres, SingleAZ, "eu-west-1", 0.138},
		{"db.t4g.large", EngineRDSPostgres, SingleAZ, "eu-central-1", 0.149},
		{"db.t4g.large", EngineRDSPostgres, SingleAZ, "ap-southeast-1", 0.203},
		{"db.t4g.large", EngineRDSPostgres, MultiAZ, "us-east-1", 0.258},
		{"db.t4g.large", EngineRDSPostgres, MultiAZ, "us-west-2", 0.258},
		{"db.t4g.large", EngineRDSPostgres, MultiAZ, "eu-west-1", 0.277},
		{"db.t4g.large", EngineRDSPostgres, MultiAZ, "eu-central-1", 0.298},
		{"db.t4g.large", EngineRDSPostgres, MultiAZ, "ap-southeast-1", 0.406},
		{"db.t4g.large", EngineAuroraPostgres, SingleAZ, "us-east-1", 0.146},
		{"db.t4g.large", EngineAuroraPostgres, SingleAZ, "us-west-2", 0.146},
		{"db.t4g.large", EngineAuroraPostgres, SingleAZ, "eu-west-1", 0.156},
		{"db.t4g.large", EngineAuroraPostgres, SingleAZ, "eu-central-1", 0.17},
		{"db.t4g.large", EngineAuroraPostgres, SingleAZ, "ap-southeast-1", 0.229},
		{"db.m5.large", EngineRDSPostgres, SingleAZ, "us-east-1", 0.178},
		{"db.m5.large", EngineRDSPostgres, SingleAZ, "us-west-2", 0.178},
		{"db.m5.large", EngineRDSPostgres, SingleAZ, "eu-west-1", 0.197},
		{"db.m5.large", EngineRDSPostgres, SingleAZ, "eu-central-1", 0.212},
		{"db.m5.large", EngineRDSPostgres, SingleAZ, "ap-southeast-1", 0.247},
		{"db.m5.large", EngineRDSPostgres, MultiAZ, "us-east-1", 0.356},
		{"db.m5.large", EngineRDSPostgres, MultiAZ, "us-west-2", 0.356},
		{"db.m5.large", EngineRDSPostgres, MultiAZ, "eu-west-1", 0.394},
		{"db.m5.large", EngineRDSPostgres, MultiAZ, "eu-central-1", 0.424},
		{"db.m5.large", EngineRDSPostgres, MultiAZ, "ap-southeast-1", 0.494},
		{"db.m6g.large", EngineRDSPostgres, SingleAZ, "us-east-1", 0.159},
		{"db.m6g.large", EngineRDSPostgres, SingleAZ, "us-west-2", 0.159},
		{"db.m6g.large", EngineRDSPostgres, SingleAZ, "eu-west-1", 0.176},
		{"db.m6g.large", EngineRDSPostgres, SingleAZ, "eu-central-1", 0.189},
		{"db.m6g.large", EngineRDSPostgres, SingleAZ, "ap-southeast-1", 0.221},
		{"db.m6g.large", EngineRDSPostgres, MultiAZ, "us-east-1", 0.318},
		{"db.m6g.large", EngineRDSPostgres, MultiAZ, "us-west-2", 0.318},
		{"db.m6g.large", EngineRDSPostgres, MultiAZ, "eu-west-1", 0.352},
		{"db.m6g.large", EngineRDSPostgres, MultiAZ, "eu-central-1", 0.379},
		{"db.m6g.large", EngineRDSPostgres, MultiAZ, "ap-southeast-1", 0.441},
		{"db.m6i.large", EngineRDSPostgres, SingleAZ, "us-east-1", 0.178},
		{"db.m6i.large", EngineRDSPostgres, SingleAZ, "us-west-2", 0.178},
		{"db.m6i.large", EngineRDSPostgres, SingleAZ, "eu-west-1", 0.197},
		{"db.m6i.large", EngineRDSPostgres, SingleAZ, "eu-central-1", 0.212},
		{"db.m6i.large", EngineRDSPostgres, SingleAZ, "ap-southeast-1", 0.247},
		{"db.m6i.large", EngineRDSPostgres, MultiAZ, "us-east-1", 0.356},
		{"db.m6i.large", EngineRDSPostgres, MultiAZ, "us-west-2", 0.356},
		{"db.m6i.large", EngineRDSPostgres, MultiAZ, "eu-west-1", 0.394},
		{"db.m6i.large", EngineRDSPostgres, MultiAZ, "eu-central-1", 0.424},
		{"db.m6i.large", EngineRDSPostgres, MultiAZ, "ap-southeast-1", 0.494},
		{"db.m7g.large", EngineRDSPostgres, SingleAZ, "us-east-1", 0.168},
		{"db.m7g.large", EngineRDSPostgres, SingleAZ, "us-west-2", 0.168},
		{"db.m7g.large", EngineRDSPostgres, SingleAZ, "eu-west-1", 0.186},
		{"db.m7g.large", EngineRDSPostgres, SingleAZ, "eu-central-1", 0.2},
		{"db.m7g.large", EngineRDSPostgres, SingleAZ, "ap-southeast-1", 0.234},
		{"db.m7g.large", EngineRDSPostgres, MultiAZ, "us-east-1", 0.337},
		{"db.m7g.large", EngineRDSPostgres, MultiAZ, "us-west-2", 0.337},
		{"db.m7g.large", EngineRDSPostgres, MultiAZ, "eu-west-1", 0.372},
		{"db.m7g.large", EngineRDSPostgres, MultiAZ, "eu-central-1", 0.401},
		{"db.m7g.large", EngineRDSPostgres, MultiAZ, "ap-southeast-1", 0.468},
		{"db.r5.large", EngineRDSPostgres, SingleAZ, "us-east-1", 0.25},
		{"db.r5.large", EngineRDSPostgres, SingleAZ, "us-west-2", 0.25},
		{"db.r5.large", EngineRDSPostgres, SingleAZ, "eu-west-1", 0.28},
		{"db.r5.large", EngineRDSPostgres, SingleAZ, "eu-central-1", 0.305},
		{"db.r5.large", EngineRDSPostgres, SingleAZ, "ap-southeast-1", 0.3},
		{"db.r5.large", EngineRDSPostgres, MultiAZ, "us-east-1", 0.5},
		{"db.r5.large", EngineRDSPostgres, MultiAZ, "us-west-2", 0.5},
		{"db.r5.large", EngineRDSPostgres, MultiAZ, "eu-west-1", 0.56},
		{"db.r5.large", EngineRDSPostgres, MultiAZ, "eu-central-1", 0.61},
		{"db.r5.large", EngineRDSPostgres, MultiAZ, "ap-southeast-1", 0.6},
		{"db.r5.large", EngineAuroraPostgres, SingleAZ, "us-east-1", 0.29},
		{"db.r5.large", EngineAuroraPostgres, SingleAZ, "us-west-2", 0.29},
		{"db.r5.large", EngineAuroraPostgres, SingleAZ, "eu-west-1", 0.32},
		{"db.r5.large", EngineAuroraPostgres, SingleAZ, "eu-central-1", 0.35},
		{"db.r5.large", EngineAuroraPostgres, SingleAZ, "ap-southeast-1", 0.35},
		{"db.r6g.large", EngineRDSPostgres, SingleAZ, "us-east-1", 0.225},
		{"db.r6g.large", EngineRDSPostgres, SingleAZ, "us-west-2", 0.225},
		{"db.r6g.large", EngineRDSPostgres, SingleAZ, "eu-west-1", 0.252},
		{"db.r6g.large", EngineRDSPostgres, SingleAZ, "eu-central-1", 0.274},
		{"db.r6g.large", EngineRDSPostgres, SingleAZ, "ap-southeast-1", 0.27},
		{"db.r6g.large", EngineRDSPostgres, MultiAZ, "us-east-1", 0.45},
		{"db.r6g.large", EngineRDSPostgres, MultiAZ, "us-west-2", 0.45},
		{"db.r6g.large", EngineRDSPostgres, MultiAZ, "eu-west-1", 0.504},
		{"db.r6g.large", EngineRDSPostgres, MultiAZ, "eu-central-1", 0.549},
		{"db.r6g.large", EngineRDSPostgres, MultiAZ, "ap-southeast-1", 0.54},
		{"db.r6g.large", EngineAuroraPostgres, SingleAZ, "us-east-1", 0.26},
		{"db.r6g.large", EngineAuroraPostgres, SingleAZ, "us-west-2", 0.26},
		{"db.r6g.large", EngineAuroraPostgres, SingleAZ, "eu-west-1", 0.286},
		{"db.r6g.large", EngineAuroraPostgres, SingleAZ, "eu-central-1", 0.313},
		{"db.r6g.large", EngineAuroraPostgres, SingleAZ, "ap-southeast-1", 0.313},
		{"db.r6i.large", EngineRDSPostgres, SingleAZ, "us-east-1", 0.25},
		{"db.r6i.large", EngineRDSPostgres, SingleAZ, "us-west-2", 0.25},
		{"db.r6i.large", EngineRDSPostgres, SingleAZ, "eu-west-1", 0.28},
		{"db.r6i.large", EngineRDSPostgres, SingleAZ, "eu-central-1", 0.305},
		{"db.r6i.large", EngineRDSPostgres, SingleAZ, "ap-southeast-1", 0.3},
		{"db.r6i.large", EngineRDSPostgres, MultiAZ, "us-east-1", 0.5},
		{"db.r6i.large", EngineRDSPostgres, MultiAZ, "us-west-2", 0.5},
		{"db.r6i.large", EngineRDSPostgres, MultiAZ, "eu-west-1", 0.56},
		{"db.r6i.large", EngineRDSPostgres, MultiAZ, "eu-central-1", 0.61},
		{"db.r6i.large", EngineRDSPostgres, MultiAZ, "ap-southeast-1", 0.6},
		{"db.r6i.large", EngineAuroraPostgres, SingleAZ, "us-east-1", 0.29},
		{"db.r6i.large", EngineAuroraPostgres, SingleAZ, "us-west-2", 0.29},
		{"db.r6i.large", EngineAuroraPostgres, SingleAZ, "eu-west-1", 0.32},
		{"db.r6i.large", EngineAuroraPostgres, SingleAZ, "eu-central-1", 0.35},
		{"db.r6i.large", EngineAuroraPostgres, SingleAZ, "ap-southeast-1", 0.35},
		{"db.r7g.large", EngineRDSPostgres, SingleAZ, "us-east-1", 0.239},
		{"db.r7g.large", EngineRDSPostgres, SingleAZ, "us-west-2", 0.239},
		{"db.r7g.large", EngineRDSPostgres, SingleAZ, "eu-west-1", 0.268},
		{"db.r7g.large", EngineRDSPostgres, SingleAZ, "eu-central-1", 0.291},
		{"db.r7g.large", EngineRDSPostgres, SingleAZ, "ap-southeast-1", 0.287},
		{"db.r7g.large", EngineRDSPostgres, MultiAZ, "us-east-1", 0.478},
		{"db.r7g.large", EngineRDSPostgres, MultiAZ, "us-west-2", 0.478},
		{"db.r7g.large", EngineRDSPostgres, MultiAZ, "eu-west-1", 0.536},
		{"db.r7g.large", EngineRDSPostgres, MultiAZ, "eu-central-1", 0.582},
		{"db.r7g.large", EngineRDSPostgres, MultiAZ, "ap-southeast-1", 0.574},
		{"db.r7g.large", EngineAuroraPostgres, SingleAZ, "us-east-1", 0.276},
		{"db.r7g.large", EngineAuroraPostgres, SingleAZ, "us-west-2", 0.276},
		{"db.r7g.large", EngineAuroraPostgres, SingleAZ, "eu-west-1", 0.304},
		{"db.r7g.large", EngineAuroraPostgres, SingleAZ, "eu-central-1", 0},
		{"db.r7g.large", EngineAuroraPostgres, SingleAZ, "ap-southeast-1", 0},
	}
	families := map[string]bool{}
	regions := map[string]bool{}
	for _, tt := range tests {
		families[strings.Join(strings.Split(tt.class, ".")[:2], ".")] = true
		regions[tt.region] = true
		t.Run(string(tt.engine)+"/"+string(tt.deployment)+"/"+tt.region+"/"+tt.class, func(t *testing.T) {
			p, err := c.Price(tt.class, tt.engine, tt.deployment, tt.region)
			if tt.hourly == 0 {
				var pu *PriceUnavailableError
				if !errors.As(err, &pu) {
					t.Fatalf("want *PriceUnavailableError for unsourced cell, got %v (price %+v)", err, p)
				}
				if pu.Region != tt.region || !strings.Contains(err.Error(), tt.region) {
					t.Errorf("error does not name the region: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.HourlyUSD != tt.hourly {
				t.Errorf("hourly = %v, want %v", p.HourlyUSD, tt.hourly)
			}
			if math.Abs(p.MonthlyUSD-tt.hourly*730) > 1e-9 {
				t.Errorf("monthly = %v, want %v", p.MonthlyUSD, tt.hourly*730)
			}
			if p.Source != SourceCatalog || p.SourceDate == "" {
				t.Errorf("source = %q date %q", p.Source, p.SourceDate)
			}
			if tt.engine == EngineAuroraPostgres {
				m, err := c.Price(tt.class, tt.engine, MultiAZ, tt.region)
				if err != nil {
					t.Fatal(err)
				}
				if m.HourlyUSD != 2*tt.hourly || m.Note == "" {
					t.Errorf("aurora multi-az = %v (note %q), want 2×%v", m.HourlyUSD, m.Note, tt.hourly)
				}
			}
		})
	}
	if len(families) != 10 || len(regions) != 5 {
		t.Fatalf("table covers %d families and %d regions, want 10 and 5", len(families), len(regions))
	}
	if got := c.Families(); len(got) != 10 {
		t.Errorf("Families() = %v", got)
	}
	if got := c.Regions(); strings.Join(got, ",") != "ap-southeast-1,eu-central-1,eu-west-1,us-east-1,us-west-2" {
		t.Errorf("Regions() = %v", got)
	}
}

func TestCatalogClassSpecs(t *testing.T) {
	c := mustDefault(t)
	tests := []struct {
		class       string
		vcpu        int
		mem         float64
		burstable   bool
		network     string
		ebsBaseline float64
		aurora      bool
		localGiB    float64 // Aurora local storage (AWS's "Temporary storage limits" table)
	}{
		{"db.t3.large", 2, 8, true, "Up to 5", 695, true, 16},
		{"db.t3.medium", 2, 4, true, "Up to 5", 0, true, 7.5},
		{"db.t4g.medium", 2, 4, true, "Up to 5", 0, true, 8.13},
		{"db.t4g.large", 2, 8, true, "Up to 5", 695, true, 16.5},
		{"db.m5.large", 2, 8, false, "Up to 10", 650, false, 0},
		{"db.m6g.large", 2, 8, false, "Up to 10", 630, false, 0},
		{"db.m6i.large", 2, 8, false, "Up to 10", 650, false, 0},
		{"db.m7g.large", 2, 8, false, "Up to 12.5", 630, false, 0},
		{"db.r5.large", 2, 16, false, "Up to 10", 650, true, 31},
		{"db.r6g.large", 2, 16, false, "Up to 10", 630, true, 32},
		{"db.r6i.large", 2, 16, false, "Up to 12.5", 650, true, 31},
		{"DB.R7G.LARGE", 2, 16, false, "Up to 12.5", 630, true, 32},
		{"db.r7g.16xlarge", 64, 512, false, "30", 0, true, 1008},
		{"db.t3.micro", 2, 1, true, "Up to 5", 87, false, 0},
		{"db.r6i.32xlarge", 128, 1024, false, "50", 0, true, 1829},
	}
	for _, tt := range tests {
		t.Run(tt.class, func(t *testing.T) {
			ic, err := c.Class(tt.class)
			if err != nil {
				t.Fatal(err)
			}
			if ic.VCPU != tt.vcpu || ic.MemoryGiB != tt.mem || ic.Burstable != tt.burstable || ic.NetworkGbps != tt.network || ic.AuroraSupported != tt.aurora {
				t.Errorf("got %+v", ic)
			}
			if ic.AuroraLocalStorageGiB != tt.localGiB {
				t.Errorf("AuroraLocalStorageGiB = %v, want %v", ic.AuroraLocalStorageGiB, tt.localGiB)
			}
			if tt.ebsBaseline != 0 && ic.EBSBaselineMbps != tt.ebsBaseline {
				t.Errorf("EBS baseline = %v, want %v", ic.EBSBaselineMbps, tt.ebsBaseline)
			}
		})
	}
	if n := len(c.Classes()); n != 74 {
		t.Errorf("Classes() has %d classes, want 74", n)
	}
	aurora := 0
	for _, ic := range c.Classes() {
		if ic.AuroraSupported {
			aurora++
			if ic.AuroraLocalStorageGiB < 7 || ic.AuroraLocalStorageGiB > 2*ic.MemoryGiB+1 {
				t.Errorf("%s: local storage %v GiB is outside 7 GiB .. twice its memory (%v GiB)", ic.Name, ic.AuroraLocalStorageGiB, ic.MemoryGiB)
			}
		}
	}
	if aurora != 35 {
		t.Errorf("%d Aurora classes, want 35", aurora)
	}
}

// TestLocalStorageRejectsBadInput: the local storage file must name each
// Aurora class of the catalog once, with a positive size.
func TestLocalStorageRejectsBadInput(t *testing.T) {
	header := strings.Join(csvColumns, ",") + "\n"
	row := func(class, engine string) string {
		return class + ",db.x,large," + engine + ",single-az,us-east-1,2,16,no,0.2,,,,,,,,,,,,,\n"
	}
	cat := header + row("db.r6g.large", "aurora-postgresql") + row("db.r6g.xlarge", "aurora-postgresql") + row("db.m5.large", "rds-postgresql")
	const h = "db_instance_class,local_storage_gib\n"
	for name, tc := range map[string]struct{ in, want string }{
		"bad header":      {"class,gib\ndb.r6g.large,32\ndb.r6g.xlarge,63\n", "header"},
		"unknown class":   {h + "db.r6g.large,32\ndb.r6g.xlarge,63\ndb.r9.large,1\n", `"db.r9.large" is not in the catalog`},
		"not aurora":      {h + "db.r6g.large,32\ndb.r6g.xlarge,63\ndb.m5.large,30\n", `"db.m5.large" has no Aurora`},
		"twice":           {h + "db.r6g.large,32\ndb.r6g.large,32\ndb.r6g.xlarge,63\n", "listed twice"},
		"zero":            {h + "db.r6g.large,0\ndb.r6g.xlarge,63\n", "not a positive number"},
		"not a number":    {h + "db.r6g.large,lots\ndb.r6g.xlarge,63\n", "not a positive number"},
		"missing a class": {h + "db.r6g.large,32\n", `"db.r6g.xlarge" has no row`},
		"extra column":    {h + "db.r6g.large,32,x\ndb.r6g.xlarge,63\n", "wrong number of fields"},
	} {
		c, err := Load(strings.NewReader(cat))
		if err != nil {
			t.Fatal(err)
		}
		err = c.addLocalStorage(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
	c, err := Load(strings.NewReader(cat))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.addLocalStorage(strings.NewReader(h + "# a comment\ndb.r6g.large,32\ndb.r6g.xlarge,63.5\n")); err != nil {
		t.Fatal(err)
	}
	if ic, _ := c.Class("db.r6g.xlarge"); ic.AuroraLocalStorageGiB != 63.5 {
		t.Errorf("db.r6g.xlarge local storage = %v, want 63.5", ic.AuroraLocalStorageGiB)
	}
	if ic, _ := c.Class("db.m5.large"); ic.AuroraLocalStorageGiB != 0 {
		t.Errorf("db.m5.large local storage = %v, want 0", ic.AuroraLocalStorageGiB)
	}
}

func TestCatalogErrors(t *testing.T) {
	c := mustDefault(t)
	_, err := c.Class("db.x2g.large")
	var uc *UnknownClassError
	if !errors.As(err, &uc) {
		t.Fatalf("want *UnknownClassError, got %v", err)
	}
	for _, fam := range []string{"db.t3", "db.t4g", "db.m5", "db.m6g", "db.m6i", "db.m7g", "db.r5", "db.r6g", "db.r6i", "db.r7g"} {
		if !strings.Contains(err.Error(), fam) {
			t.Errorf("unknown-class error %q does not list family %s", err, fam)
		}
	}
	if _, err := c.Price("db.x2g.large", EngineRDSPostgres, SingleAZ, "us-east-1"); !errors.As(err, &uc) {
		t.Errorf("Price of unknown class: %v", err)
	}
	var pu *PriceUnavailableError
	_, err = c.Price("db.r6g.large", EngineRDSPostgres, SingleAZ, "mars-north-1")
	if !errors.As(err, &pu) || !strings.Contains(err.Error(), "mars-north-1") || !strings.Contains(err.Error(), "us-east-1") {
		t.Errorf("unknown region: %v", err)
	}
	_, err = c.Price("db.m6g.large", EngineAuroraPostgres, SingleAZ, "us-east-1")
	if !errors.As(err, &pu) || !strings.Contains(err.Error(), "Aurora") {
		t.Errorf("aurora m6g: %v", err)
	}
	_, err = c.Price("db.r7g.large", EngineAuroraPostgres, SingleAZ, "eu-central-1")
	if !errors.As(err, &pu) || !strings.Contains(err.Error(), "no price") {
		t.Errorf("unsourced aurora r7g eu-central-1: %v", err)
	}
	var ue *UnsupportedError
	if _, err := c.Price("db.r6g.large", EngineRDSPostgres, "three-az", "us-east-1"); !errors.As(err, &ue) || ue.What != "deployment" {
		t.Errorf("bad deployment: %v", err)
	}
	if _, err := c.Price("db.r6g.large", "mysql", SingleAZ, "us-east-1"); !errors.As(err, &ue) || ue.What != "engine" {
		t.Errorf("bad engine: %v", err)
	}
	if _, err := EngineFromRDS("mysql"); !errors.As(err, &ue) {
		t.Errorf("EngineFromRDS(mysql): %v", err)
	}
	if e, err := EngineFromRDS("postgres"); err != nil || e != EngineRDSPostgres {
		t.Errorf("EngineFromRDS(postgres) = %v, %v", e, err)
	}
	if e, err := EngineFromRDS("aurora-postgresql"); err != nil || e != EngineAuroraPostgres {
		t.Errorf("EngineFromRDS(aurora-postgresql) = %v, %v", e, err)
	}
}

func TestStoragePrices(t *testing.T) {
	c := mustDefault(t)
	tests := []struct {
		st     StorageType
		d      Deployment
		region string
		want   float64
	}{
		{StorageGP2, SingleAZ, "us-east-1", 0.115},
		{StorageGP2, MultiAZ, "us-east-1", 0.23},
		{StorageGP3, SingleAZ, "us-east-1", 0.115},
		{StorageGP3, MultiAZ, "us-east-1", 0.23},
		{StorageGP3, SingleAZ, "eu-west-1", 0},
		{StorageIO1, SingleAZ, "us-east-1", 0.125}, // data/storage-prices.csv
		{StorageIO1, MultiAZ, "us-east-1", 0.25},
		{StorageMagnetic, SingleAZ, "us-east-1", 0.1},
		{StorageMagnetic, MultiAZ, "us-east-1", 0.2},
		{StorageIO1, SingleAZ, "eu-west-1", 0},
		{StorageIO2, SingleAZ, "us-east-1", 0},
		{"aurora", SingleAZ, "us-east-1", 0},
	}
	for _, tt := range tests {
		got, err := c.StoragePricePerGBMonth(tt.st, tt.d, tt.region)
		if tt.want == 0 {
			if err == nil {
				t.Errorf("%s %s %s: want error, got %v", tt.st, tt.d, tt.region, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s %s %s = %v, %v; want %v", tt.st, tt.d, tt.region, got, err, tt.want)
		}
	}
	// Aurora's storage is no RDS volume type: unsupported, where io2 is only unpriced.
	var ue *UnsupportedError
	if _, err := c.StoragePricePerGBMonth("aurora", SingleAZ, "us-east-1"); !errors.As(err, &ue) || !strings.Contains(err.Error(), "gp2, gp3, io1, io2, standard") {
		t.Errorf("aurora: %v, want unsupported, naming the types", err)
	}
	var pu *PriceUnavailableError
	if _, err := c.StoragePricePerGBMonth(StorageIO2, MultiAZ, "us-east-1"); !errors.As(err, &pu) || !strings.Contains(err.Error(), "the catalog has no io2 price; the provider configuration's storage_prices can give them") {
		t.Errorf("io2: %v, want unavailable, saying what gives it", err)
	}
}

func TestLoadRejectsBadInput(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"missing column": "db_instance_class,family\ndb.r6g.large,db.r6g\n",
		"no rows":        strings.Join(csvColumns, ",") + "\n",
		"bad number":     strings.Join(csvColumns, ",") + "\ndb.r6g.large,db.r6g,large,rds-postgresql,single-az,us-east-1,two,16,no,0.2,,,,,,,,,,,,,\n",
	} {
		if _, err := Load(strings.NewReader(in)); err == nil {
			t.Errorf("%s: Load succeeded", name)
		}
	}
}

func TestCPUBaselines(t *testing.T) {
	c := mustDefault(t)
	n := 0
	for _, ic := range c.Classes() {
		if !ic.Burstable {
			if ic.CPUBaselinePercent != 0 || ic.CreditsPerHour != 0 {
				t.Errorf("%s is not burstable but has baseline %v, %v credits/h", ic.Name, ic.CPUBaselinePercent, ic.CreditsPerHour)
			}
			continue
		}
		n++
		if ic.CPUBaselinePercent <= 0 {
			t.Errorf("%s: no CPU baseline", ic.Name)
		}
	}
	if n != 12 {
		t.Errorf("%d burstable classes, want 12 (db.t3 and db.t4g, micro to 2xlarge)", n)
	}
	// The EC2 credit table: t4g.medium earns 24 credits an hour (20%), t3.large 36 (30%), t4g.2xlarge 192 (40% of 8).
	for _, tc := range []struct {
		class         string
		base, credits float64
	}{{"db.t4g.medium", 20, 24}, {"db.t3.large", 30, 36}, {"db.t4g.2xlarge", 40, 192}, {"db.t3.micro", 10, 12}} {
		ic, err := c.Class(tc.class)
		if err != nil {
			t.Fatal(err)
		}
		if ic.CPUBaselinePercent != tc.base || ic.CreditsPerHour != tc.credits {
			t.Errorf("%s: baseline %v%%, %v credits/h; want %v%%, %v", tc.class, ic.CPUBaselinePercent, ic.CreditsPerHour, tc.base, tc.credits)
		}
	}
	for _, region := range []string{"us-east-1", "ap-southeast-7", "il-central-1"} {
		if p, ok := CPUCreditUSDPerVCPUHour(EngineRDSPostgres, region); !ok || p != 0.075 {
			t.Errorf("RDS credit price in %s = %v, %v; want 0.075, true", region, p, ok)
		}
	}
	// China bills in CNY; the other partitions' prices are not sourced.
	for _, region := range []string{"cn-north-1", "us-gov-west-1", "us-iso-east-1", "eusc-de-east-1"} {
		if p, ok := CPUCreditUSDPerVCPUHour(EngineRDSPostgres, region); ok || p != 0 {
			t.Errorf("RDS credit price in %s = %v, %v; want unknown", region, p, ok)
		}
	}
	if p, ok := CPUCreditUSDPerVCPUHour(EngineAuroraPostgres, "us-east-1"); ok || p != 0 {
		t.Errorf("Aurora credit price = %v, %v; want unknown", p, ok)
	}
}

func TestCPUBaselinesRejectBadInput(t *testing.T) {
	header := strings.Join(csvColumns, ",") + "\n"
	row := func(class, vcpu, burst string) string {
		return class + ",db.x,large,rds-postgresql,single-az,us-east-1," + vcpu + ",4," + burst + ",0.2,,,,,,,,,,,,,\n"
	}
	cat := header + row("db.t4g.medium", "2", "yes") + row("db.t4g.xlarge", "4", "yes") + row("db.m5.large", "2", "no")
	const h = "db_instance_class,credits_per_hour,baseline_percent_per_vcpu\n"
	for name, tc := range map[string]struct{ in, want string }{
		"bad header":        {"class,credits,base\ndb.t4g.medium,24,20\ndb.t4g.xlarge,96,40\n", "header"},
		"unknown class":     {h + "db.t4g.medium,24,20\ndb.t4g.xlarge,96,40\ndb.t9.large,1,1\n", `"db.t9.large" is not in the catalog`},
		"not burstable":     {h + "db.t4g.medium,24,20\ndb.t4g.xlarge,96,40\ndb.m5.large,24,20\n", `"db.m5.large" is not burstable`},
		"twice":             {h + "db.t4g.medium,24,20\ndb.t4g.medium,24,20\ndb.t4g.xlarge,96,40\n", "listed twice"},
		"zero baseline":     {h + "db.t4g.medium,0,0\ndb.t4g.xlarge,96,40\n", "must be positive"},
		"over 100":          {h + "db.t4g.medium,240,200\ndb.t4g.xlarge,96,40\n", "at most 100"},
		"not a number":      {h + "db.t4g.medium,many,20\ndb.t4g.xlarge,96,40\n", "must be positive"},
		"credits disagree":  {h + "db.t4g.medium,24,20\ndb.t4g.xlarge,48,40\n", "earns 48 credits per hour, but a 40% baseline on its 4 vCPUs earns 96"},
		"missing a class":   {h + "db.t4g.medium,24,20\n", `"db.t4g.xlarge" has no row`},
		"wrong field count": {h + "db.t4g.medium,24\ndb.t4g.xlarge,96,40\n", "wrong number of fields"},
	} {
		c, err := Load(strings.NewReader(cat))
		if err != nil {
			t.Fatal(err)
		}
		err = c.addCPUBaselines(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
	c, err := Load(strings.NewReader(cat))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.addCPUBaselines(strings.NewReader(h + "# a comment\ndb.t4g.medium,24,20\ndb.t4g.xlarge,96,40\n")); err != nil {
		t.Fatal(err)
	}
	if ic, _ := c.Class("db.t4g.xlarge"); ic.CPUBaselinePercent != 40 || ic.CreditsPerHour != 96 {
		t.Errorf("db.t4g.xlarge = %v%%, %v credits/h; want 40%%, 96", ic.CPUBaselinePercent, ic.CreditsPerHour)
	}
}

// An Aurora I/O-Optimized instance is the catalog's Aurora Standard price × 1.3, with a note; the
// catalog's source saw both prices (0.082 and 0.107 for db.t3.medium in us-east-1).
func TestAuroraIOOptimized(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	std, err := cat.Price("db.t3.medium", EngineAuroraPostgres, SingleAZ, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	io := AuroraIOOptimized(std)
	if std.HourlyUSD != 0.082 || math.Abs(io.HourlyUSD-0.1066) > 1e-9 || math.Abs(io.MonthlyUSD-0.1066*HoursPerMonth) > 1e-9 ||
		math.Abs(io.HourlyUSD-0.107) > 0.001 || !strings.HasSuffix(io.Note, "; Aurora I/O-Optimized: the Aurora Standard price × 1.3, as AWS prices it") ||
		!strings.HasPrefix(io.Note, std.Note) || io.Class != std.Class || io.SourceDate != std.SourceDate {
		t.Fatalf("standard %+v, I/O-Optimized %+v", std, io)
	}
	if std.HourlyUSD != 0.082 {
		t.Error("the standard price was changed")
	}
}

// A region outside the catalog gets a reason that says what can price it: the Price List API in
// the commercial partition; in China and GovCloud not that (CNY; no endpoint there).
func TestPriceOutsideCatalogSaysWhatCanPriceIt(t *testing.T) {
	c := mustDefault(t)
	for region, want := range map[string]string{
		"ca-west-1":     "use_pricing_api = true can read them from the AWS Price List API",
		"cn-north-1":    "cn-north-1 is in AWS China, billed in CNY",
		"us-gov-west-1": "in a provider configuration for a commercial region with commercial-account credentials",
	} {
		_, err := c.Price("db.t4g.large", EngineRDSPostgres, MultiAZ, region)
		var pu *PriceUnavailableError
		if !errors.As(err, &pu) || !strings.Contains(pu.Reason, want) {
			t.Errorf("%s: %v, want a reason saying %q", region, err, want)
		}
		if region != "ca-west-1" && strings.Contains(err.Error(), "use_pricing_api = true can read them") {
			t.Errorf("%s: %v points to the Price List API, which cannot price it", region, err)
		}
	}
}

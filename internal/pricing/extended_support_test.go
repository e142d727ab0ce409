package pricing

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestExtendedSupport checks the embedded tables against AWS's dates ("Amazon RDS Extended Support charges": PostgreSQL
// 11 from March 1, 2024, charged from April 1, 2024; 12 from March 1, 2025; 13 from March 1, 2026) and the us-east-1
// rates ($0.100 per vCPU-hour in years 1-2, $0.200 in year 3), for RDS for PostgreSQL and Aurora PostgreSQL alike.
func TestExtendedSupport(t *testing.T) {
	for _, tc := range []struct {
		engine  Engine
		version string
		region  string
		at      time.Time
		ok      bool
		year    int
		rate    float64 // 0: not priced
	}{
		{EngineRDSPostgres, "12.19", "us-east-1", date(2026, 11, 2).Add(12 * time.Hour), true, 2, 0.1},
		{EngineAuroraPostgres, "12.22", "us-east-1", date(2026, 11, 2), true, 2, 0.1},
		{EngineRDSPostgres, "12.19", "us-east-1", date(2025, 2, 28).Add(23 * time.Hour), false, 0, 0}, // last day of standard support
		{EngineRDSPostgres, "12.19", "us-east-1", date(2025, 3, 1), true, 1, 0.1},
		{EngineRDSPostgres, "12.19", "us-east-1", date(2026, 3, 1), true, 2, 0.1},
		{EngineRDSPostgres, "12.19", "us-east-1", date(2027, 3, 1), true, 3, 0.2},
		{EngineRDSPostgres, "12.19", "us-east-1", date(2028, 3, 1), true, 4, 0},   // past year 3: not in the table
		{EngineRDSPostgres, "11.22", "us-east-1", date(2024, 3, 15), false, 0, 0}, // on Extended Support, not yet charged
		{EngineRDSPostgres, "11.22", "us-east-1", date(2024, 4, 1), true, 1, 0.1},
		{EngineRDSPostgres, "11.22", "us-east-1", date(2026, 2, 28), true, 2, 0.1},
		{EngineRDSPostgres, "11.22", "us-east-1", date(2026, 3, 1), true, 3, 0.2},
		{EngineAuroraPostgres, "11.21", "us-east-1", date(2026, 11, 2), true, 3, 0.2},
		{EngineRDSPostgres, "13.15", "us-east-1", date(2026, 2, 28), false, 0, 0},
		{EngineRDSPostgres, "13.15", "us-east-1", date(2026, 3, 1), true, 1, 0.1},
		{EngineRDSPostgres, "12.19", "eu-west-1", date(2026, 11, 2), true, 2, 0}, // rate unknown there
		{EngineRDSPostgres, "14.12", "us-east-1", date(2026, 11, 2), false, 0, 0},
		{EngineRDSPostgres, "15.7", "us-east-1", date(2026, 11, 2), false, 0, 0},
		{EngineRDSPostgres, "9.6.22", "us-east-1", date(2026, 11, 2), false, 0, 0}, // no Extended Support
		{EngineRDSPostgres, "", "us-east-1", date(2026, 11, 2), false, 0, 0},
		{Engine("mysql"), "5.7.44", "us-east-1", date(2026, 11, 2), false, 0, 0},
	} {
		name := fmt.Sprintf("%s %s %s %s", tc.engine, tc.version, tc.region, tc.at.Format(time.RFC3339))
		c, ok := ExtendedSupport(tc.engine, tc.version, tc.region, tc.at)
		if ok != tc.ok || c.Year != tc.year || c.USDPerVCPUHour != tc.rate || c.Priced != (tc.rate > 0) {
			t.Errorf("%s: got ok %v year %d rate %v priced %v (%q), want ok %v year %d rate %v", name, ok, c.Year, c.USDPerVCPUHour, c.Priced, c.Unpriced, tc.ok, tc.year, tc.rate)
		}
		if ok && !c.Priced && c.Unpriced == "" {
			t.Errorf("%s: unpriced without a reason", name)
		}
		if c.Priced && (c.SourceDate != "2026-05" || c.Source != ExtendedSupportSource) {
			t.Errorf("%s: source %q %q", name, c.Source, c.SourceDate)
		}
	}
	c, _ := ExtendedSupport(EngineRDSPostgres, "12.19", "us-east-1", date(2026, 11, 2))
	// A Multi-AZ db.t4g.large: 2 vCPUs on the primary and 2 on the standby.
	if got := c.MonthlyUSD(4); got != 292 {
		t.Errorf("4 vCPUs a month at $0.10: %v, want 292", got)
	}
	if !c.Period.From.Equal(date(2025, 3, 1)) {
		t.Errorf("PostgreSQL 12 from %s", c.Period.From)
	}
}

func TestLoadExtendedSupport_refusesBadRows(t *testing.T) {
	const rates = "region,year1_2_usd_per_vcpu_hour,year3_usd_per_vcpu_hour,source_date\nus-east-1,0.1,0.2,2026-05\n"
	const versions = "postgresql_major,extended_support_from,charges_from,year3_from\n"
	for _, tc := range []struct{ versions, rates, want string }{
		{versions + "12,2025-03-01,2025-03-01,2027-03-02\n", rates, "out of order"},
		{versions + "12,2025-03-01,2025-02-01,2027-03-01\n", rates, "out of order"},
		{versions + "x,2025-03-01,2025-03-01,2027-03-01\n", rates, "positive integer"},
		{versions + "12,2025-03-01,2025-03-01,2027-03-01\n12,2025-03-01,2025-03-01,2027-03-01\n", rates, "twice"},
		{versions + "12,1 March 2025,2025-03-01,2027-03-01\n", rates, "YYYY-MM-DD"},
		{versions, rates + "eu-west-1,0.1,0.05,2026-05\n", "year 3 at least"},
		{versions, rates + "us-east-1,0.1,0.2,2026-05\n", "twice"},
		{versions, "region,rate\n", "header"},
	} {
		_, err := loadExtendedSupport(strings.NewReader(tc.versions), strings.NewReader(tc.rates))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q / %q: error %v, want one containing %q", tc.versions, tc.rates, err, tc.want)
		}
	}
	if _, err := extendedSupportData(); err != nil {
		t.Fatalf("embedded Extended Support tables: %v", err)
	}
	ps, err := ExtendedSupportPeriods()
	if err != nil || len(ps) != 3 {
		t.Fatalf("periods %v, %v", ps, err)
	}
}

func TestPostgresMajor(t *testing.T) {
	for v, want := range map[string]int{"12.19": 12, "9.6.22": 9, "16": 16, "\t13.4\n": 13, "": 0, "x.1": 0, "-1.2": 0} {
		got, ok := PostgresMajor(v)
		if got != want || ok != (want > 0) {
			t.Errorf("PostgresMajor(%q) = %d, %v; want %d", v, got, ok, want)
		}
	}
}

func ExampleExtendedSupport() {
	c, ok := ExtendedSupport(EngineRDSPostgres, "12.19", "us-east-1", time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	fmt.Printf("%v: PostgreSQL %d on Extended Support since %s, year %d, $%.3f per vCPU-hour (%s); a Multi-AZ 2-vCPU instance: $%.2f/month\n",
		ok, c.Period.Major, c.Period.From.Format(time.DateOnly), c.Year, c.USDPerVCPUHour, c.SourceDate, c.MonthlyUSD(2*2))
	c, ok = ExtendedSupport(EngineRDSPostgres, "12.19", "eu-west-1", time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	fmt.Println(ok, c.Priced, c.Unpriced)
	_, ok = ExtendedSupport(EngineAuroraPostgres, "15.4", "us-east-1", time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	fmt.Println(ok)
	// Output:
	// true: PostgreSQL 12 on Extended Support since 2025-03-01, year 2, $0.100 per vCPU-hour (2026-05); a Multi-AZ 2-vCPU instance: $292.00/month
	// true false the provider knows the Extended Support rate in us-east-1 only
	// false
}

// TestExtendedSupportWith: RDS's dates price a version the table does not list (year 1 from
// RDS's start, year 3 two years on, priced in us-east-1); they are ignored for another major
// version, and the table's dates win for one it lists (PostgreSQL 11's charges start a month
// after its Extended Support, which RDS's lifecycle does not say).
func TestExtendedSupportWith(t *testing.T) {
	rds14 := ExtendedSupportPeriodFromRDS(14, time.Date(2027, 3, 1, 0, 0, 0, 0, time.FixedZone("x", 3600)).Add(time.Hour))
	if !rds14.From.Equal(date(2027, 3, 1)) || !rds14.ChargedFrom.Equal(rds14.From) || !rds14.Year3From.Equal(date(2029, 3, 1)) || !rds14.FromRDS || rds14.Major != 14 {
		t.Fatalf("period from RDS: %+v", rds14)
	}
	for _, tc := range []struct {
		name    string
		version string
		at      time.Time
		rds     *ExtendedSupportPeriod
		ok      bool
		year    int
		rate    float64
	}{
		{"14 before RDS's start", "14.12", date(2027, 2, 28), &rds14, false, 0, 0},
		{"14 on RDS's first day", "14.12", date(2027, 3, 1), &rds14, true, 1, 0.1},
		{"14 in year 2", "14.12", date(2028, 6, 1), &rds14, true, 2, 0.1},
		{"14 in year 3", "14.12", date(2029, 3, 1), &rds14, true, 3, 0.2},
		{"14 without RDS's dates", "14.12", date(2028, 6, 1), nil, false, 0, 0},
		{"15 with 14's dates", "15.7", date(2028, 6, 1), &rds14, false, 0, 0},
		{"11 with RDS's dates: the table's charge start wins", "11.22", date(2024, 3, 15), &ExtendedSupportPeriod{Major: 11, From: date(2024, 3, 1), ChargedFrom: date(2024, 3, 1), Year3From: date(2026, 3, 1), FromRDS: true}, false, 0, 0},
	} {
		c, ok := ExtendedSupportWith(EngineRDSPostgres, tc.version, "us-east-1", tc.at, tc.rds)
		if ok != tc.ok || c.Year != tc.year || c.USDPerVCPUHour != tc.rate || (ok && (!c.Priced || c.Period.FromRDS != (tc.rds != nil && tc.rds.Major == 14))) {
			t.Errorf("%s: %+v %v, want ok %v year %d rate %v", tc.name, c, ok, tc.ok, tc.year, tc.rate)
		}
	}
	if _, listed := ExtendedSupportTablePeriod(14); listed {
		t.Error("the table lists PostgreSQL 14: TestExtendedSupportWith and inventory.AttachSupportDates assume it does not")
	}
	if p, listed := ExtendedSupportTablePeriod(12); !listed || !p.From.Equal(date(2025, 3, 1)) || p.FromRDS {
		t.Errorf("table period of 12: %+v %v", p, listed)
	}
}

// TestPostgresCommunitySupportEnd: five years after the first release (14: 2021-09-30; after 18,
// September 1 of 2007 + major), unknown before 14.
func TestPostgresCommunitySupportEnd(t *testing.T) {
	for major, want := range map[int]time.Time{14: date(2026, 9, 30), 15: date(2027, 10, 13), 16: date(2028, 9, 14), 17: date(2029, 9, 26), 18: date(2030, 9, 25),
		19: date(2031, 9, 1), 22: date(2034, 9, 1)} { // newer ones: first released on September 1 of 2007 + major, at the earliest
		if got, ok := PostgresCommunitySupportEnd(major); !ok || !got.Equal(want) {
			t.Errorf("%d: %v %v, want %v", major, got, ok, want)
		}
	}
	for _, major := range []int{10, 13} {
		if got, ok := PostgresCommunitySupportEnd(major); ok {
			t.Errorf("%d: %v, want unknown", major, got)
		}
	}
}

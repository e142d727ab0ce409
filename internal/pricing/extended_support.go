package pricing

import (
	_ "embed"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Engine lifecycle support values (DBInstance.EngineLifecycleSupport, DBCluster.EngineLifecycleSupport, and the
// CreateDBInstance/CreateDBCluster parameter of the same name). RDS's default is LifecycleExtendedSupport: a
// deployment created without the setting is enrolled in RDS Extended Support.
const (
	LifecycleExtendedSupport         = "open-source-rds-extended-support"
	LifecycleExtendedSupportDisabled = "open-source-rds-extended-support-disabled"
)

// ExtendedSupportPeriod is when a PostgreSQL major version is on RDS Extended Support, for RDS for PostgreSQL and
// Aurora PostgreSQL alike (their end of standard support dates match). Times are midnight UTC of the day.
type ExtendedSupportPeriod struct {
	Major int       // PostgreSQL major version, e.g. 12
	From  time.Time // first day of Extended Support: the day after the end of RDS standard support
	// ChargedFrom is the first day AWS bills it: From, except PostgreSQL 11 (Extended Support from March 1, 2024,
	// charged from April 1, 2024).
	ChargedFrom time.Time
	Year3From   time.Time // first day of the third year (From + 2 years), billed at the year-3 rate
	// FromRDS is true when the dates are RDS's own (DescribeDBMajorEngineVersions, ExtendedSupportPeriodFromRDS),
	// false when they come from the provider's table.
	FromRDS bool
}

// ExtendedSupportRate is the RDS Extended Support price of provisioned instances in one region, USD per vCPU-hour.
type ExtendedSupportRate struct {
	Region     string
	Year12     float64 // years 1 and 2 of a version's Extended Support
	Year3      float64 // year 3
	SourceDate string  // date (YYYY-MM) of the newest source quoting the rates
}

// ExtendedSupportSource names where the Extended Support prices come from (data/extended-support-rates.csv).
const ExtendedSupportSource = "AWS RDS for PostgreSQL pricing page as quoted by usage.ai, cloudyali.io and vantage.sh"

//go:embed data/extended-support-versions.csv
var embeddedESVersionsCSV string

//go:embed data/extended-support-rates.csv
var embeddedESRatesCSV string

type extendedSupportTables struct {
	periods []ExtendedSupportPeriod
	rates   map[string]ExtendedSupportRate
}

var extendedSupportData = sync.OnceValues(func() (*extendedSupportTables, error) {
	return loadExtendedSupport(strings.NewReader(embeddedESVersionsCSV), strings.NewReader(embeddedESRatesCSV))
})

// loadExtendedSupport parses the tables of data/extended-support-versions.csv and data/extended-support-rates.csv.
// Every version row needs dates in order (From ≤ ChargedFrom < Year3From, Year3From two years after From), every
// rate row positive rates with year 3 at least years 1-2; majors and regions appear once.
func loadExtendedSupport(versions, rates io.Reader) (*extendedSupportTables, error) {
	t := &extendedSupportTables{rates: map[string]ExtendedSupportRate{}}
	day := func(line int, col, s string) (time.Time, error) {
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
		if err != nil {
			return time.Time{}, fmt.Errorf("extended-support versions line %d: %s %q is not a YYYY-MM-DD date", line, col, s)
		}
		return d, nil
	}
	err := readTable(versions, "Extended Support versions", []string{"postgresql_major", "extended_support_from", "charges_from", "year3_from"}, func(line int, rec []string) error {
		major, err := strconv.Atoi(strings.TrimSpace(rec[0]))
		if err != nil || major <= 0 {
			return fmt.Errorf("extended-support versions line %d: postgresql_major %q is not a positive integer", line, rec[0])
		}
		var p ExtendedSupportPeriod
		p.Major = major
		if p.From, err = day(line, "extended_support_from", rec[1]); err != nil {
			return err
		}
		if p.ChargedFrom, err = day(line, "charges_from", rec[2]); err != nil {
			return err
		}
		if p.Year3From, err = day(line, "year3_from", rec[3]); err != nil {
			return err
		}
		if p.ChargedFrom.Before(p.From) || !p.Year3From.After(p.ChargedFrom) || !p.Year3From.Equal(p.From.AddDate(2, 0, 0)) {
			return fmt.Errorf("extended-support versions line %d: dates out of order (year 3 starts two years after Extended Support, charges between the two)", line)
		}
		if slices.ContainsFunc(t.periods, func(q ExtendedSupportPeriod) bool { return q.Major == major }) {
			return fmt.Errorf("extended-support versions line %d: PostgreSQL %d is listed twice", line, major)
		}
		t.periods = append(t.periods, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readTable(rates, "Extended Support rates", []string{"region", "year1_2_usd_per_vcpu_hour", "year3_usd_per_vcpu_hour", "source_date"}, func(line int, rec []string) error {
		r := ExtendedSupportRate{Region: strings.TrimSpace(rec[0]), SourceDate: strings.TrimSpace(rec[3])}
		y12, err1 := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		y3, err2 := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64)
		if r.Region == "" || err1 != nil || err2 != nil || !(y12 > 0) || !(y3 >= y12) || math.IsInf(y3, 1) || r.SourceDate == "" {
			return fmt.Errorf("extended-support rates line %d: region, positive rates (year 3 at least years 1-2) and source_date are required", line)
		}
		if _, dup := t.rates[r.Region]; dup {
			return fmt.Errorf("extended-support rates line %d: region %s is listed twice", line, r.Region)
		}
		r.Year12, r.Year3 = y12, y3
		t.rates[r.Region] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ExtendedSupportCharge is what RDS Extended Support adds to every instance of a deployment at one time.
type ExtendedSupportCharge struct {
	Period ExtendedSupportPeriod
	// Year of Extended Support at the time asked: 1, 2 or 3 (4 once three years have passed, which the table does
	// not price: RDS upgrades a version at the end of its Extended Support).
	Year   int
	Region string
	// Priced is whether the rate for Region and Year is known; USDPerVCPUHour is then the price per vCPU of each
	// instance per hour (0 when not priced), from Source at SourceDate.
	Priced         bool
	USDPerVCPUHour float64
	Source         string
	SourceDate     string
	// Unpriced says why the charge is not priced, when it is not.
	Unpriced string
}

// MonthlyUSD is what the charge costs per month (HoursPerMonth) for vcpus vCPUs (summed over the instances
// billed), USD; 0 when not priced.
func (c ExtendedSupportCharge) MonthlyUSD(vcpus int) float64 {
	return c.USDPerVCPUHour * float64(vcpus) * HoursPerMonth
}

// PostgresMajor returns the major version of a PostgreSQL engine version as RDS reports it ("12.19" → 12, "9.6.22"
// → 9, Aurora's "12.22" → 12); ok is false for anything else.
func PostgresMajor(engineVersion string) (int, bool) {
	head, _, _ := strings.Cut(strings.TrimSpace(engineVersion), ".")
	m, err := strconv.Atoi(head)
	if err != nil || m <= 0 {
		return 0, false
	}
	return m, true
}

// ExtendedSupport reports whether an instance of engine e (RDS for PostgreSQL or Aurora PostgreSQL) running
// engineVersion in region is billed RDS Extended Support at time at, and at what rate. ok is false when it is not:
// a major version in standard support (or one the table does not list), a version RDS does not yet bill (PostgreSQL
// 11 in March 2024), an engine other than PostgreSQL, or an unparsable version. It does not know the deployment's
// EngineLifecycleSupport: one created with LifecycleExtendedSupportDisabled is not billed, and the caller checks that.
// When ok, the charge is per vCPU-hour of every instance, Multi-AZ standbys and Aurora readers included, on top of
// the instance price, for On-Demand and reserved instances alike; it is unpriced (Priced false, with Unpriced saying
// why) in a region without a known rate and after the third year.
func ExtendedSupport(e Engine, engineVersion, region string, at time.Time) (ExtendedSupportCharge, bool) {
	return ExtendedSupportWith(e, engineVersion, region, at, nil)
}

// ExtendedSupportWith is ExtendedSupport with the Extended Support period RDS reports (ExtendedSupportPeriodFromRDS)
// for a major version the provider's table does not list; fromRDS nil, or for another major version, is ignored, and
// the table's dates win where it lists the version (they know when charges started later than Extended Support).
func ExtendedSupportWith(e Engine, engineVersion, region string, at time.Time, fromRDS *ExtendedSupportPeriod) (ExtendedSupportCharge, bool) {
	if e != EngineRDSPostgres && e != EngineAuroraPostgres {
		return ExtendedSupportCharge{}, false
	}
	major, ok := PostgresMajor(engineVersion)
	if !ok {
		return ExtendedSupportCharge{}, false
	}
	t, err := extendedSupportData()
	if err != nil {
		return ExtendedSupportCharge{}, false // the embedded tables are checked by the package's tests
	}
	p, listed := ExtendedSupportTablePeriod(major)
	if !listed {
		if fromRDS == nil || fromRDS.Major != major {
			return ExtendedSupportCharge{}, false
		}
		p = *fromRDS
	}
	at = at.UTC()
	if at.Before(p.ChargedFrom) {
		return ExtendedSupportCharge{}, false
	}
	c := ExtendedSupportCharge{Period: p, Region: region, Source: ExtendedSupportSource}
	switch {
	case at.Before(p.From.AddDate(1, 0, 0)):
		c.Year = 1
	case at.Before(p.Year3From):
		c.Year = 2
	case at.Before(p.From.AddDate(3, 0, 0)):
		c.Year = 3
	default:
		c.Year = 4
		c.Unpriced = fmt.Sprintf("PostgreSQL %d is past the third year of its Extended Support (from %s), which the provider does not price",
			major, p.From.Format(time.DateOnly))
		return c, true
	}
	r, known := t.rates[region]
	if !known {
		c.Unpriced = fmt.Sprintf("the provider knows the Extended Support rate in %s only", strings.Join(slices.Sorted(maps.Keys(t.rates)), ", "))
		return c, true
	}
	c.Priced, c.SourceDate = true, r.SourceDate
	c.USDPerVCPUHour = r.Year12
	if c.Year == 3 {
		c.USDPerVCPUHour = r.Year3
	}
	return c, true
}

// ExtendedSupportTablePeriod returns the provider's table's Extended Support period of PostgreSQL major; ok is false
// when the table does not list it.
func ExtendedSupportTablePeriod(major int) (ExtendedSupportPeriod, bool) {
	t, err := extendedSupportData()
	if err != nil {
		return ExtendedSupportPeriod{}, false
	}
	i := slices.IndexFunc(t.periods, func(p ExtendedSupportPeriod) bool { return p.Major == major })
	if i < 0 {
		return ExtendedSupportPeriod{}, false
	}
	return t.periods[i], true
}

// ExtendedSupportPeriodFromRDS is the Extended Support period of PostgreSQL major whose Extended Support lifecycle
// RDS reports starting at start (DescribeDBMajorEngineVersions' LifecycleSupportStartDate of
// "open-source-rds-extended-support"): from start's UTC day, billed from then (as for every version since 12), year 3
// two years later.
func ExtendedSupportPeriodFromRDS(major int, start time.Time) ExtendedSupportPeriod {
	from := start.UTC().Truncate(24 * time.Hour)
	return ExtendedSupportPeriod{Major: major, From: from, ChargedFrom: from, Year3From: from.AddDate(2, 0, 0), FromRDS: true}
}

// postgresFirstRelease is the day each PostgreSQL major version newer than the table's was first released
// (postgresql.org's release announcements).
var postgresFirstRelease = map[int]time.Time{
	14: time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC),
	15: time.Date(2022, 10, 13, 0, 0, 0, 0, time.UTC),
	16: time.Date(2023, 9, 14, 0, 0, 0, 0, time.UTC),
	17: time.Date(2024, 9, 26, 0, 0, 0, 0, time.UTC),
	18: time.Date(2025, 9, 25, 0, 0, 0, 0, time.UTC),
}

// PostgresCommunitySupportEnd is when the PostgreSQL community's support of major ends: five years after its first
// release (postgresql.org's versioning policy; its last minor release follows in the November after). RDS standard
// support has always lasted past it (to the end of the following February for 11, 12 and 13), so before it a
// version is not on RDS Extended Support. A version newer than 18 is taken as first released on September 1 of
// 2007 + major (every major version since 9.0 came out in September or October of that year: 14 in 2021), so that
// the provider asks about it in time, if anything early. ok is false for one older than 14 (the Extended Support
// table has 11 to 13, and RDS supports none older).
func PostgresCommunitySupportEnd(major int) (time.Time, bool) {
	first, ok := postgresFirstRelease[major]
	if !ok {
		if major <= 18 {
			return time.Time{}, false
		}
		first = time.Date(2007+major, time.September, 1, 0, 0, 0, 0, time.UTC)
	}
	return first.AddDate(5, 0, 0), true
}

// ExtendedSupportPeriods returns the Extended Support periods of the table, by major version.
func ExtendedSupportPeriods() ([]ExtendedSupportPeriod, error) {
	t, err := extendedSupportData()
	if err != nil {
		return nil, err
	}
	return slices.Clone(t.periods), nil
}

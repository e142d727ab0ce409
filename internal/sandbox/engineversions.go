package sandbox

import (
	"fmt"
	"net/url"
	"slices"
	"time"
)

// DescribeDBMajorEngineVersions: the support calendar of major engine versions (when RDS standard
// support and RDS Extended Support start and end), which the recommendation reads for a PostgreSQL
// version its own table does not list.
//
// The default calendar has PostgreSQL 11 to 18 for RDS for PostgreSQL ("postgres") and Aurora
// PostgreSQL ("aurora-postgresql"), whose dates match. Standard support starts with the community's
// first release and ends on the last day of the February after the community's end of support
// (as AWS published for 11, 12 and 13: 2024-02-29, 2025-02-28, 2026-02-28; the later ones are the
// emulator's, following that pattern); Extended Support starts the next day and lasts three years.
// Periods end at the last millisecond of their last day, as RDS reports them. A scenario can
// replace the calendar (Scenario.MajorEngineVersions), for instance to list a version without
// Extended Support. Other valid engines list nothing; an engine RDS does not know is refused.

// MajorEngineVersionSpec is one major engine version of the support calendar.
type MajorEngineVersionSpec struct {
	Engine string `json:"engine"` // "postgres", "aurora-postgresql", ...
	Major  string `json:"major"`  // MajorEngineVersion, e.g. "14"
	// StandardStart and StandardEnd bound RDS standard support (StandardEnd is its last instant).
	StandardStart time.Time `json:"standardStart"`
	StandardEnd   time.Time `json:"standardEnd"`
	// ExtendedStart and ExtendedEnd bound RDS Extended Support; a zero ExtendedStart lists none.
	ExtendedStart time.Time `json:"extendedStart,omitzero"`
	ExtendedEnd   time.Time `json:"extendedEnd,omitzero"`
}

// majorEngines are the engines DescribeDBMajorEngineVersions accepts (the API reference's list).
var majorEngines = []string{
	"aurora-mysql", "aurora-postgresql", "custom-sqlserver-ee", "custom-sqlserver-se", "custom-sqlserver-web",
	"db2-ae", "db2-ce", "db2-se", "mariadb", "mysql", "oracle-ee", "oracle-ee-cdb", "oracle-se2", "oracle-se2-cdb",
	"postgres", "sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web",
}

// DefaultMajorEngineVersions returns the default support calendar (see above).
func DefaultMajorEngineVersions() []MajorEngineVersionSpec {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	lastInstant := func(t time.Time) time.Time { return t.AddDate(0, 0, 1).Add(-time.Millisecond) }
	versions := []struct {
		major       int
		first, last time.Time // community first release; last day of RDS standard support
	}{
		{11, day(2018, 10, 18), day(2024, 2, 29)},
		{12, day(2019, 10, 3), day(2025, 2, 28)},
		{13, day(2020, 9, 24), day(2026, 2, 28)},
		{14, day(2021, 9, 30), day(2027, 2, 28)},
		{15, day(2022, 10, 13), day(2028, 2, 29)},
		{16, day(2023, 9, 14), day(2029, 2, 28)},
		{17, day(2024, 9, 26), day(2030, 2, 28)},
		{18, day(2025, 9, 25), day(2031, 2, 28)},
	}
	var out []MajorEngineVersionSpec
	for _, engine := range []string{"aurora-postgresql", "postgres"} {
		for _, v := range versions {
			ext := v.last.AddDate(0, 0, 1)
			out = append(out, MajorEngineVersionSpec{
				Engine: engine, Major: fmt.Sprint(v.major),
				StandardStart: v.first, StandardEnd: lastInstant(v.last),
				ExtendedStart: ext, ExtendedEnd: lastInstant(ext.AddDate(3, 0, -1)),
			})
		}
	}
	return out
}

type xSupportedEngineLifecycle struct {
	LifecycleSupportName      string `xml:"LifecycleSupportName"`
	LifecycleSupportStartDate string `xml:"LifecycleSupportStartDate"`
	LifecycleSupportEndDate   string `xml:"LifecycleSupportEndDate"`
}

type xDBMajorEngineVersion struct {
	Engine                    string                      `xml:"Engine"`
	MajorEngineVersion        string                      `xml:"MajorEngineVersion"`
	SupportedEngineLifecycles []xSupportedEngineLifecycle `xml:"SupportedEngineLifecycles>SupportedEngineLifecycle"`
}

type xDescribeDBMajorEngineVersionsResult struct {
	DBMajorEngineVersions []xDBMajorEngineVersion `xml:"DBMajorEngineVersions>DBMajorEngineVersion"`
	Marker                string                  `xml:"Marker,omitempty"`
}

// describeDBMajorEngineVersions lists the calendar's versions of Engine and MajorEngineVersion
// (each optional), ordered by engine and version, in pages (MaxRecords 20–100, default 100).
func (st *rdsState) describeDBMajorEngineVersions(f url.Values, _ time.Time) (any, *rdsError) {
	engine, major := f.Get("Engine"), f.Get("MajorEngineVersion")
	if engine != "" && !slices.Contains(majorEngines, engine) {
		return nil, errParam("Invalid DB engine: %s", engine)
	}
	cal := st.MajorVersions
	if cal == nil {
		cal = DefaultMajorEngineVersions()
	}
	byKey := map[string]MajorEngineVersionSpec{}
	var keys []string
	for _, v := range cal {
		if (engine != "" && v.Engine != engine) || (major != "" && v.Major != major) {
			continue
		}
		k := fmt.Sprintf("%s/%08s", v.Engine, v.Major)
		byKey[k] = v
		keys = append(keys, k)
	}
	slices.Sort(keys)
	pg, marker, e := page(f, keys)
	if e != nil {
		return nil, e
	}
	res := xDescribeDBMajorEngineVersionsResult{Marker: marker}
	stamp := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	for _, k := range pg {
		v := byKey[k]
		x := xDBMajorEngineVersion{Engine: v.Engine, MajorEngineVersion: v.Major}
		x.SupportedEngineLifecycles = append(x.SupportedEngineLifecycles, xSupportedEngineLifecycle{
			LifecycleSupportName: "open-source-rds-standard-support", LifecycleSupportStartDate: stamp(v.StandardStart), LifecycleSupportEndDate: stamp(v.StandardEnd),
		})
		if !v.ExtendedStart.IsZero() {
			x.SupportedEngineLifecycles = append(x.SupportedEngineLifecycles, xSupportedEngineLifecycle{
				LifecycleSupportName: "open-source-rds-extended-support", LifecycleSupportStartDate: stamp(v.ExtendedStart), LifecycleSupportEndDate: stamp(v.ExtendedEnd),
			})
		}
		res.DBMajorEngineVersions = append(res.DBMajorEngineVersions, x)
	}
	return res, nil
}

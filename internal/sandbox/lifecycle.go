package sandbox

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Engine lifecycle support (DBInstance.EngineLifecycleSupport, DBCluster.EngineLifecycleSupport):
// whether the database is enrolled in RDS Extended Support, which RDS bills per vCPU-hour once its
// major version is past the end of standard support. RDS's default is lifecycleExtendedSupport.
const (
	lifecycleExtendedSupport         = "open-source-rds-extended-support"
	lifecycleExtendedSupportDisabled = "open-source-rds-extended-support-disabled"
)

// validLifecycle reports whether v is an EngineLifecycleSupport value ("" is the default).
func validLifecycle(v string) bool {
	return v == "" || v == lifecycleExtendedSupport || v == lifecycleExtendedSupportDisabled
}

// hasLifecycle reports whether RDS reports an EngineLifecycleSupport for engine: RDS for MySQL and
// PostgreSQL and Aurora MySQL and PostgreSQL, the engines with RDS Extended Support.
func hasLifecycle(engine string) bool {
	switch engine {
	case "postgres", "mysql", "aurora-postgresql", "aurora-mysql":
		return true
	}
	return false
}

// lifecycleOf is the EngineLifecycleSupport RDS reports for a database of engine whose setting is v
// ("" is RDS's default, lifecycleExtendedSupport); "" for an engine without one.
func lifecycleOf(engine, v string) string {
	if !hasLifecycle(engine) {
		return ""
	}
	if v == "" {
		return lifecycleExtendedSupport
	}
	return v
}

// postgresExtendedSupportFrom is the first day of RDS Extended Support of the PostgreSQL major
// versions past the end of RDS standard support as the sandbox knows them, for RDS for PostgreSQL
// and Aurora PostgreSQL alike (AWS, "Amazon RDS Extended Support charges", RDS and Aurora user
// guides: PostgreSQL 11 from March 1, 2024; 12 after its end of standard support on February 28,
// 2025; 13 after February 28, 2026). Older majors are no longer offered at all.
var postgresExtendedSupportFrom = map[int]time.Time{
	11: time.Date(2024, time.March, 1, 0, 0, 0, 0, time.UTC),
	12: time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC),
	13: time.Date(2026, time.March, 1, 0, 0, 0, 0, time.UTC),
}

// formLifecycle reads the EngineLifecycleSupport parameter of a create or restore request for a
// database of engine and version at now. An unknown value is InvalidParameterValue. As the RDS API
// reference says, creating (or restoring) a database with
// open-source-rds-extended-support-disabled fails when its major version is past the end of
// standard support: InvalidParameterCombination for a PostgreSQL major version of
// postgresExtendedSupportFrom at or after its date.
func formLifecycle(f url.Values, engine, version string, now time.Time) (string, *rdsError) {
	v := f.Get("EngineLifecycleSupport")
	if !validLifecycle(v) {
		return "", errParam("Invalid value %s for EngineLifecycleSupport: valid values are %s and %s.", v, lifecycleExtendedSupport, lifecycleExtendedSupportDisabled)
	}
	if v != "" && !hasLifecycle(engine) {
		return "", errCombo("EngineLifecycleSupport doesn't apply to engine %s.", engine)
	}
	if v == lifecycleExtendedSupportDisabled && (engine == "postgres" || engine == "aurora-postgresql") {
		major, _ := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
		if from, ok := postgresExtendedSupportFrom[major]; ok && !now.Before(from) {
			return "", errCombo("Cannot create a DB with major version %d past its end of standard support (%s) with EngineLifecycleSupport %s: use a major version in standard support, or %s.",
				major, from.AddDate(0, 0, -1).Format(time.DateOnly), lifecycleExtendedSupportDisabled, lifecycleExtendedSupport)
		}
	}
	return v, nil
}

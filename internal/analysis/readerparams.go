package analysis

import (
	"fmt"
	"strconv"
	"strings"
)

// ParameterDifference is a parameter that shapes how a query runs (SessionParameters) and that an
// Aurora reader runs with another value than the writer, as their parameter groups set it: the
// reader's queries, once the reader is removed, run on the writer with the writer's value.
type ParameterDifference struct {
	Name string
	// Reader and Writer are the values each runs with, as RDS lists them (the unit is the
	// parameter's: milliseconds for the timeouts, kB for work_mem and temp_file_limit; a value
	// may be an RDS formula); "" for PostgreSQL's default, set by no group. The risk shows them
	// as PostgreSQL's SHOW prints them ("30s (30000 ms)", "64MB (65536 kB)", "0 (no limit)").
	Reader, Writer string
	// ReaderFrom and WriterFrom say where each value comes from: "DB parameter group x",
	// "DB cluster parameter group y", or "" for PostgreSQL's default.
	ReaderFrom, WriterFrom string
}

// SessionParameters are the parameters whose difference between an Aurora reader and its writer
// ParameterDifference reports: the limits that cancel a statement or end a session
// (limitParameters), and those that change a query's memory, plan or results.
var SessionParameters = []string{
	"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "idle_session_timeout",
	"transaction_timeout", "temp_file_limit",
	"work_mem", "hash_mem_multiplier", "max_parallel_workers_per_gather", "random_page_cost",
	"effective_io_concurrency", "jit", "default_transaction_isolation", "default_transaction_read_only",
	"search_path", "timezone", "datestyle",
}

// limitParameters are SessionParameters that cancel a statement or end a session past a limit,
// 0 (-1 for temp_file_limit) meaning none.
var limitParameters = map[string]int64{
	"statement_timeout": 0, "lock_timeout": 0, "idle_in_transaction_session_timeout": 0,
	"idle_session_timeout": 0, "transaction_timeout": 0, "temp_file_limit": -1,
}

// SameSetting reports whether a and b, two values of SessionParameter name as RDS lists them
// ("" for PostgreSQL's default, set by no group), are the same setting: equal, or both a limit
// parameter's "none" (its default: 0 for the timeouts, -1 for temp_file_limit, however written),
// or the same boolean (jit, default_transaction_read_only: 1/0, on/off, true/false).
func SameSetting(name, a, b string) bool {
	if a == b {
		return true
	}
	if none, ok := limitParameters[name]; ok {
		x, ok1 := limitValue(a, none)
		y, ok2 := limitValue(b, none)
		return ok1 && ok2 && x == y
	}
	if def, ok := booleanParameters[name]; ok {
		x, ok1 := parseBool(a, def)
		y, ok2 := parseBool(b, def)
		return ok1 && ok2 && x == y
	}
	return false
}

// booleanParameters are SessionParameters that are booleans, with PostgreSQL's default.
var booleanParameters = map[string]bool{"jit": true, "default_transaction_read_only": false}

// parseBool reads a boolean parameter's value as PostgreSQL does (on/off, true/false, yes/no,
// 1/0, any case), def for "" (the default).
func parseBool(s string, def bool) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return def, true
	case "1", "on", "true", "yes":
		return true, true
	case "0", "off", "false", "no":
		return false, true
	}
	return false, false
}

// limitValue is a limit parameter's value s as RDS lists it, none for "" (PostgreSQL's default);
// false when s is not an integer (an RDS formula).
func limitValue(s string, none int64) (int64, bool) {
	if s == "" {
		return none, true
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return v, err == nil
}

// stricter reports whether limit parameter name, off at none, is stricter at w than at r (both
// as RDS lists them, "" for PostgreSQL's default, which is none): w sets a limit that r does not,
// or a lower one. A value that is not an integer (an RDS formula) is never judged stricter.
func stricter(name, r, w string, none int64) bool {
	rv, ok1 := limitValue(r, none)
	wv, ok2 := limitValue(w, none)
	if !ok1 || !ok2 || wv == none || wv < 0 && none == 0 {
		return false
	}
	return rv == none || rv > wv
}

// readerParametersRisk is the operations risk of the parameter differences ds between the
// reader reader and the writer writer of an Aurora cluster: medium when a limit is stricter on
// the writer (what ran on the reader would be cancelled), else low; false when ds is empty. It
// shows each value as SHOW prints it, with the value a parameter group takes (paramValue).
func readerParametersRisk(ds []ParameterDifference, reader, writer string) (Risk, bool) {
	if len(ds) == 0 {
		return Risk{}, false
	}
	sev := "low"
	parts := make([]string, 0, len(ds))
	for _, d := range ds {
		if none, ok := limitParameters[d.Name]; ok && stricter(d.Name, d.Reader, d.Writer, none) {
			sev = "medium"
		}
		parts = append(parts, fmt.Sprintf("%s %s on the reader (%s), %s on the writer (%s)", d.Name,
			paramValue(d.Name, d.Reader), paramSource(d.ReaderFrom), paramValue(d.Name, d.Writer), paramSource(d.WriterFrom)))
	}
	what := "they may use other memory or plans, or give other results"
	if sev == "medium" {
		what = "a stricter limit on the writer cancels statements or ends sessions that ran on the reader (reports, exports)"
	}
	return Risk{Category: "operations", Severity: sev, Description: fmt.Sprintf(
		"The reader %s's queries move to the writer %s and run under the writer's parameters, which differ: %s. "+
			"So %s; set the reader's values for its clients' roles (ALTER ROLE … SET) or in the writer's parameter group before the change",
		reader, writer, strings.Join(parts, "; "), what)}, true
}

// paramValue is the value v of SessionParameter name, as RDS lists it, as a risk shows it: as
// PostgreSQL's SHOW prints it, with the value as a parameter group takes it where that differs.
//   - A parameter with a unit (milliseconds for the timeouts, kB for work_mem and
//     temp_file_limit; unitParameters) above 0 is in the largest unit that divides it exactly, as
//     SHOW prints it, then the value in the parameter's own unit: 30000 ms is "30s (30000 ms)",
//     90000 "90s (90000 ms)", 1500 "1500ms"; 65536 kB is "64MB (65536 kB)", 1000 "1000kB".
//   - A limit at its "none" (0 for the timeouts, -1 for temp_file_limit) says so: "0 (no limit)";
//     "" (PostgreSQL's default, set by no group) of a limit is its none too. A temp_file_limit of 0
//     allows no temporary file at all: "0 (no temporary files)".
//   - A boolean is "on" or "off" (jit "1" is "on").
//   - "" of any other parameter is "default"; a value that is not an integer (an RDS formula such
//     as {DBInstanceClassMemory/...}, a fraction) or of a parameter without a unit is as listed.
func paramValue(name, v string) string {
	none, limit := limitParameters[name]
	if v == "" {
		if limit {
			return strconv.FormatInt(none, 10) + " (no limit)"
		}
		return "default"
	}
	if def, ok := booleanParameters[name]; ok {
		if b, ok := parseBool(v, def); ok {
			return map[bool]string{true: "on", false: "off"}[b]
		}
		return v
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	switch {
	case err != nil:
		return v
	case limit && n == none:
		return strconv.FormatInt(n, 10) + " (no limit)"
	case name == "temp_file_limit" && n == 0:
		return "0 (no temporary files)"
	}
	base, ok := unitParameters[name]
	if !ok || n <= 0 { // SHOW prints 0 and below without a unit
		return v
	}
	for _, u := range showUnits[base] {
		if n%u.size == 0 {
			shown := strconv.FormatInt(n/u.size, 10) + u.name
			if u.size == 1 {
				return shown
			}
			return fmt.Sprintf("%s (%d %s)", shown, n, base)
		}
	}
	return v // unreachable: every unit list ends with its base unit, of size 1
}

// unitParameters are the SessionParameters with a unit, by name: the unit RDS lists (and a
// parameter group takes) their values in, PostgreSQL's base unit for them.
var unitParameters = map[string]string{
	"statement_timeout": "ms", "lock_timeout": "ms", "idle_in_transaction_session_timeout": "ms",
	"idle_session_timeout": "ms", "transaction_timeout": "ms", "temp_file_limit": "kB", "work_mem": "kB",
}

// showUnits are, for each base unit, the units SHOW prints a value in, largest first, with their
// size in the base unit (PostgreSQL's memory_unit_conversion_table and time_unit_conversion_table).
var showUnits = map[string][]struct {
	name string
	size int64
}{
	"ms": {{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}, {"ms", 1}},
	"kB": {{"TB", 1 << 30}, {"GB", 1 << 20}, {"MB", 1 << 10}, {"kB", 1}},
}

// paramSource is where a value comes from as a risk shows it.
func paramSource(from string) string {
	if from == "" {
		return "PostgreSQL's default"
	}
	return from
}

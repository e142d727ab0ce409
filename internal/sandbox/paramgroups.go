package sandbox

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// DB parameter groups and DB cluster parameter groups: which values a user set in them, as
// DescribeDBParameters and DescribeDBClusterParameters list them (the recommendation reads the
// writer's max_connections there when PostgreSQL's own settings are not read).
//
// A scenario declares its custom groups (Scenario.ParameterGroups) and attaches them to instances
// (InstanceSpec.ParameterGroup) and Aurora clusters (ClusterSpec.ParameterGroup); an instance or
// cluster without one has its engine's default group ("default.postgres15",
// "default.aurora-postgresql15"), which sets nothing. The emulator keeps no engine defaults beyond
// max_connections's formula, which both kinds list with Source "system" where no user value
// replaces it: Source "user" lists exactly what the scenario set.

// ParameterGroupSpec is a custom DB parameter group (Cluster false) or DB cluster parameter group
// (Cluster true) with the parameter values a user set in it.
type ParameterGroupSpec struct {
	// Name is the group's name: a letter, then letters, digits and single hyphens, at most 255
	// characters, not ending with a hyphen and not starting with "default." (RDS's own groups).
	Name string `json:"name"`
	// Cluster makes it a DB cluster parameter group, for Aurora clusters.
	Cluster bool `json:"cluster,omitempty"`
	// Family is the group's DBParameterGroupFamily ("aurora-postgresql15"); when set, creating
	// an Aurora PostgreSQL member with the group checks it (parameterGroupFamily).
	Family string `json:"family,omitempty"`
	// Parameters are the values a user set, by parameter name ("max_connections": "858", or an RDS
	// formula such as "LEAST({DBInstanceClassMemory/4000000},5000)").
	Parameters map[string]string `json:"parameters,omitempty"`
}

// systemMaxConnections is RDS's default max_connections for PostgreSQL and Aurora PostgreSQL.
const systemMaxConnections = "LEAST({DBInstanceClassMemory/9531392},5000)"

var paramGroupName = regexp.MustCompile(`^[A-Za-z](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,254}$`)

// validParameterGroups checks a scenario's groups: valid, unique names and non-empty parameter
// names and values.
func validParameterGroups(gs []ParameterGroupSpec) error {
	for i, g := range gs {
		if !paramGroupName.MatchString(g.Name) || len(g.Name) > 255 {
			return fmt.Errorf("parameter group %q: invalid name (a letter, then letters, digits and single hyphens, not ending with one)", g.Name)
		}
		if findParameterGroup(gs[:i], g.Name, g.Cluster) >= 0 {
			return fmt.Errorf("duplicate parameter group %q", g.Name)
		}
		for n, v := range g.Parameters {
			if n == "" || v == "" {
				return fmt.Errorf("parameter group %q: parameter %q = %q: want a name and a value", g.Name, n, v)
			}
		}
	}
	return nil
}

// findParameterGroup is the index in gs of the group of that name (RDS's names are
// case-insensitive) and kind (cluster), -1 when there is none.
func findParameterGroup(gs []ParameterGroupSpec, name string, cluster bool) int {
	return slices.IndexFunc(gs, func(g ParameterGroupSpec) bool { return g.Cluster == cluster && strings.EqualFold(g.Name, name) })
}

// parameterGroup returns the user values of the group name of the kind, whether it exists: a
// scenario's, or (any "default." name) one of RDS's default groups, which set nothing.
func (st *rdsState) parameterGroup(name string, cluster bool) (map[string]string, bool) {
	if i := findParameterGroup(st.ParamGroups, name, cluster); i >= 0 {
		return st.ParamGroups[i].Parameters, true
	}
	return nil, strings.HasPrefix(name, "default.")
}

// formParameterGroup is the DBParameterGroupName of a CreateDBInstance or
// RestoreDBInstanceFromDBSnapshot ("" when none: the engine's default group, as RDS gives), which
// must exist.
func (st *rdsState) formParameterGroup(f url.Values) (string, *rdsError) {
	name := f.Get("DBParameterGroupName")
	if _, ok := st.parameterGroup(name, false); name != "" && !ok {
		return "", errf(404, "DBParameterGroupNotFound", "DBParameterGroup not found: %s", name)
	}
	return name, nil
}

// staticParameters are parameters RDS lists with ApplyType "static" (PostgreSQL reads them at
// server start), of those a scenario's groups may set; every other one is "dynamic".
var staticParameters = []string{"max_connections", "shared_buffers", "max_worker_processes", "shared_preload_libraries",
	"rds.logical_replication", "wal_level", "max_wal_senders", "max_replication_slots", "max_locks_per_transaction",
	"max_prepared_transactions", "track_activity_query_size", "huge_pages", "pg_stat_statements.max"}

type xParameter struct {
	ParameterName  string `xml:"ParameterName"`
	ParameterValue string `xml:"ParameterValue,omitempty"`
	Description    string `xml:"Description"`
	Source         string `xml:"Source"`
	ApplyType      string `xml:"ApplyType,omitempty"`
	DataType       string `xml:"DataType,omitempty"`
	IsModifiable   bool   `xml:"IsModifiable"`
	ApplyMethod    string `xml:"ApplyMethod"`
}

type xDescribeParametersResult struct {
	Parameters []xParameter `xml:"Parameters>Parameter"`
	Marker     string       `xml:"Marker,omitempty"`
}

// describeDBParameters lists DBParameterGroupName's parameters (Source "user", "system" or
// "engine-default" filters them), in pages (MaxRecords 20–100).
func (st *rdsState) describeDBParameters(f url.Values, _ time.Time) (any, *rdsError) {
	return st.describeParameters(f, "DBParameterGroupName", false)
}

// describeDBClusterParameters is describeDBParameters for DBClusterParameterGroupName.
func (st *rdsState) describeDBClusterParameters(f url.Values, _ time.Time) (any, *rdsError) {
	return st.describeParameters(f, "DBClusterParameterGroupName", true)
}

func (st *rdsState) describeParameters(f url.Values, field string, cluster bool) (any, *rdsError) {
	name := f.Get(field)
	if name == "" {
		return nil, errf(400, "MissingParameter", "The request must contain the parameter %s.", field)
	}
	source := f.Get("Source")
	if source != "" && source != "user" && source != "system" && source != "engine-default" {
		return nil, errParam("Invalid value %q for Source. Must be one of: user, system, engine-default.", source)
	}
	user, ok := st.parameterGroup(name, cluster)
	if !ok {
		kind := "DBParameterGroup"
		if cluster {
			kind = "DBClusterParameterGroup"
		}
		return nil, errf(404, "DBParameterGroupNotFound", "%s not found: %s", kind, name)
	}
	params := map[string]xParameter{}
	if source == "" || source == "system" {
		params["max_connections"] = xParameter{ParameterName: "max_connections", ParameterValue: systemMaxConnections,
			Description: "Sets the maximum number of concurrent connections.", Source: "system", ApplyType: "static",
			DataType: "integer", IsModifiable: true, ApplyMethod: "pending-reboot"}
	}
	if source == "" || source == "user" {
		for n, v := range user {
			params[n] = xParameter{ParameterName: n, ParameterValue: v, Source: "user", ApplyType: "dynamic", IsModifiable: true, ApplyMethod: "immediate"}
			if slices.Contains(staticParameters, n) {
				p := params[n]
				p.ApplyType, p.ApplyMethod = "static", "pending-reboot"
				params[n] = p
			}
		}
		if v, ok := user["max_connections"]; ok {
			p := params["max_connections"]
			p.ParameterValue, p.Description, p.ApplyType, p.DataType, p.ApplyMethod = v, "Sets the maximum number of concurrent connections.", "static", "integer", "pending-reboot"
			params["max_connections"] = p
		}
	}
	keys := slices.Sorted(maps.Keys(params))
	pg, marker, e := page(f, keys)
	if e != nil {
		return nil, e
	}
	res := xDescribeParametersResult{Marker: marker}
	for _, k := range pg {
		res.Parameters = append(res.Parameters, params[k])
	}
	return res, nil
}

// parameterGroupFamily refuses a DB parameter group name of another family than engine at
// version takes, as RDS does (InvalidParameterCombination): an instance created after a major
// upgrade with a group of the version before. It knows the family of RDS's default groups
// ("default.aurora-postgresql15") and of a scenario's group with Family set, and checks
// PostgreSQL engines only (their family is the engine and the major version).
func (st *rdsState) parameterGroupFamily(name, engine, version string) *rdsError {
	if name == "" || (engine != "postgres" && engine != "aurora-postgresql") {
		return nil
	}
	family := ""
	if i := findParameterGroup(st.ParamGroups, name, false); i >= 0 {
		family = st.ParamGroups[i].Family
	} else if strings.HasPrefix(strings.ToLower(name), "default.") {
		family = name[len("default."):]
	}
	major, _, _ := strings.Cut(version, ".")
	want := engine + major
	if family == "" || major == "" || strings.EqualFold(family, want) {
		return nil
	}
	return errCombo("The parameter group %s with DBParameterGroupFamily %s can't be used for this instance. Use a parameter group with DBParameterGroupFamily %s.", name, family, want)
}

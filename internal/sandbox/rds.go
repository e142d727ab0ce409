package sandbox

import (
	"cmp"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// rdsError is an RDS API error (query-protocol error XML).
type rdsError struct {
	Status  int
	Code    string
	Message string
}

// Error implements error.
func (e *rdsError) Error() string { return e.Code + ": " + e.Message }

func errf(status int, code, format string, a ...any) *rdsError {
	return &rdsError{Status: status, Code: code, Message: fmt.Sprintf(format, a...)}
}

func errInstanceNotFound(id string) *rdsError {
	return errf(404, "DBInstanceNotFound", "DBInstance %s not found.", id)
}
func errClusterNotFound(id string) *rdsError {
	return errf(404, "DBClusterNotFoundFault", "DBCluster %s not found.", id)
}
func errParam(format string, a ...any) *rdsError {
	return errf(400, "InvalidParameterValue", format, a...)
}
func errCombo(format string, a ...any) *rdsError {
	return errf(400, "InvalidParameterCombination", format, a...)
}

func requestID(seq uint64) string {
	h := splitmix64(seq)
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", uint32(h), uint16(h>>32), uint16(h>>48), uint16(splitmix64(h)), splitmix64(h+1)&0xffffffffffff)
}

func writeRDSError(w http.ResponseWriter, status int, code, msg string) {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	rid := requestID(uint64(len(msg)) ^ hashString(code))
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", rid)
	w.WriteHeader(status)
	var b strings.Builder
	b.WriteString(`<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>` + typ + `</Type><Code>`)
	_ = xml.EscapeText(&b, []byte(code)) // a strings.Builder never fails
	b.WriteString(`</Code><Message>`)
	_ = xml.EscapeText(&b, []byte(msg))
	b.WriteString(`</Message></Error><RequestId>` + rid + `</RequestId></ErrorResponse>`)
	_, _ = w.Write([]byte(b.String()))
}

func writeRDSResult(w http.ResponseWriter, action string, result any) error {
	var b strings.Builder
	b.WriteString(`<` + action + `Response xmlns="http://rds.amazonaws.com/doc/2014-10-31/">`)
	if result != nil {
		enc := xml.NewEncoder(&b)
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return err
		}
		if err := enc.Flush(); err != nil {
			return err
		}
	}
	rid := requestID(hashString(b.String()))
	b.WriteString(`<ResponseMetadata><RequestId>` + rid + `</RequestId></ResponseMetadata></` + action + `Response>`)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", rid)
	w.WriteHeader(200)
	_, err := w.Write([]byte(b.String()))
	return err
}

// mutating RDS actions (the state file is rewritten after them).
var rdsMutating = map[string]bool{
	"CreateDBInstance": true, "CreateDBCluster": true, "ModifyDBInstance": true, "DeleteDBInstance": true,
	"CreateDBSnapshot": true, "CreateDBClusterSnapshot": true, "DeleteDBSnapshot": true, "DeleteDBClusterSnapshot": true,
	"RestoreDBInstanceFromDBSnapshot": true, "AddTagsToResource": true, "RemoveTagsFromResource": true,
	"RebootDBInstance": true, "FailoverDBCluster": true, "CreateDBClusterEndpoint": true,
	"CreateDBProxy": true, "RegisterDBProxyTargets": true, "CreateDBProxyEndpoint": true,
	"CreateBlueGreenDeployment": true, "DeleteBlueGreenDeployment": true,
	"PurchaseReservedDBInstancesOffering": true, "ApplyPendingMaintenanceAction": true,
	"StopDBInstance": true, "StartDBInstance": true, "StopDBCluster": true, "StartDBCluster": true,
}

func (s *Server) serveRDS(w http.ResponseWriter, r *http.Request) {
	entry := LogEntry{Time: s.clock.Now(), RealTime: time.Now(), Service: "rds", Attempt: sdkAttempt(r.Header)}
	// RDS's Date header is its clock, which stamps its snapshots and events: here the virtual
	// clock (net/http would send the real one).
	w.Header().Set("Date", entry.Time.UTC().Format(http.TimeFormat))
	body, err := readBody(r)
	var form url.Values
	if err == nil {
		form, err = url.ParseQuery(string(body))
	}
	if err != nil {
		entry.Operation = "(malformed)"
		defer s.log.begin(&entry)()
		entry.Status, entry.ErrorCode = 400, "MalformedQueryString"
		writeRDSError(w, 400, "MalformedQueryString", err.Error())
		return
	}
	for k, v := range r.URL.Query() {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	action := form.Get("Action")
	entry.Operation = action
	entry.Params = map[string]string{}
	for k, v := range form {
		if k != "Action" && k != "Version" && len(v) > 0 {
			entry.Params[k] = v[0]
		}
	}
	defer s.log.begin(&entry)()
	if action == "" {
		entry.Status, entry.ErrorCode = 400, "MissingAction"
		writeRDSError(w, 400, "MissingAction", "Missing Action parameter; this endpoint serves the RDS query API, CloudWatch RPCv2 CBOR and /_sandbox/ admin paths.")
		return
	}
	if st, code, msg := s.checkSignature(r, "rds"); st != 0 {
		entry.Status, entry.ErrorCode = st, code
		writeRDSError(w, st, code, msg)
		return
	}
	if s.applyFault(w, r, "rds", action, &entry, nil, func(st int, code, msg string) { writeRDSError(w, st, code, msg) }) {
		return
	}
	if msg := s.tags.denies(s.sc.account(), action, form); msg != "" {
		entry.Status, entry.ErrorCode = 403, "AccessDenied"
		writeRDSError(w, 403, "AccessDenied", msg)
		return
	}
	h, ok := rdsHandlers[action]
	if !ok {
		entry.Status, entry.ErrorCode = 400, "InvalidAction"
		writeRDSError(w, 400, "InvalidAction", "The action "+action+" is not valid for this web service (the sandbox does not emulate it).")
		return
	}
	if rerr := checkFormTags(form); rerr != nil {
		entry.Status, entry.ErrorCode = rerr.Status, rerr.Code
		writeRDSError(w, rerr.Status, rerr.Code, rerr.Message)
		return
	}
	now := s.clock.Now()
	if step := time.Duration(s.step.Load()); step > 0 {
		now = s.clock.Advance(step)
	}
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	s.mu.Lock()
	s.st.settle(now)
	res, rerr := h(s.st, form, now)
	var out any
	if rerr == nil {
		out = res
	}
	s.mu.Unlock()
	if rerr != nil {
		entry.Status, entry.ErrorCode = rerr.Status, rerr.Code
		writeRDSError(w, rerr.Status, rerr.Code, rerr.Message)
		return
	}
	entry.Status = 200
	if rdsMutating[action] {
		s.persist()
	}
	if err := writeRDSResult(w, action, out); err != nil {
		entry.Status = 500
	}
}

type rdsHandler func(st *rdsState, f url.Values, now time.Time) (any, *rdsError)

var rdsHandlers map[string]rdsHandler

func init() {
	rdsHandlers = map[string]rdsHandler{
		"DescribeDBInstances":             (*rdsState).describeDBInstances,
		"DescribeDBClusters":              (*rdsState).describeDBClusters,
		"CreateDBInstance":                (*rdsState).createDBInstance,
		"CreateDBCluster":                 (*rdsState).createDBCluster,
		"ModifyDBInstance":                (*rdsState).modifyDBInstance,
		"DeleteDBInstance":                (*rdsState).deleteDBInstance,
		"CreateDBSnapshot":                (*rdsState).createDBSnapshot,
		"CreateDBClusterSnapshot":         (*rdsState).createDBClusterSnapshot,
		"DescribeDBSnapshots":             (*rdsState).describeDBSnapshots,
		"DescribeDBClusterSnapshots":      (*rdsState).describeDBClusterSnapshots,
		"DeleteDBSnapshot":                (*rdsState).deleteDBSnapshot,
		"DeleteDBClusterSnapshot":         (*rdsState).deleteDBClusterSnapshot,
		"RestoreDBInstanceFromDBSnapshot": (*rdsState).restoreDBInstanceFromDBSnapshot,
		"AddTagsToResource":               (*rdsState).addTagsToResource,
		"RemoveTagsFromResource":          (*rdsState).removeTagsFromResource,
		"ListTagsForResource":             (*rdsState).listTagsForResource,
		"DescribeEvents":                  (*rdsState).describeEvents,
		"RebootDBInstance":                (*rdsState).rebootDBInstance,
		"FailoverDBCluster":               (*rdsState).failoverDBCluster,
		"CreateDBClusterEndpoint":         (*rdsState).createDBClusterEndpoint,
		"DescribeDBClusterEndpoints":      (*rdsState).describeDBClusterEndpoints,
		"CreateDBProxy":                   (*rdsState).createDBProxy,
		"RegisterDBProxyTargets":          (*rdsState).registerDBProxyTargets,
		"CreateDBProxyEndpoint":           (*rdsState).createDBProxyEndpoint,
		"DescribeDBProxies":               (*rdsState).describeDBProxies,
		"DescribeDBProxyTargets":          (*rdsState).describeDBProxyTargets,
		"DescribeDBProxyEndpoints":        (*rdsState).describeDBProxyEndpoints,
		"CreateBlueGreenDeployment":       (*rdsState).createBlueGreenDeployment,
		"DescribeBlueGreenDeployments":    (*rdsState).describeBlueGreenDeployments,
		"DeleteBlueGreenDeployment":       (*rdsState).deleteBlueGreenDeployment,

		// Reserved DB instances (reserved.go).
		"DescribeReservedDBInstancesOfferings": (*rdsState).describeReservedDBInstancesOfferings,
		"PurchaseReservedDBInstancesOffering":  (*rdsState).purchaseReservedDBInstancesOffering,
		"DescribeReservedDBInstances":          (*rdsState).describeReservedDBInstances,

		// Stopping and starting (stopstart.go).
		"StopDBInstance":  (*rdsState).stopDBInstance,
		"StartDBInstance": (*rdsState).startDBInstance,
		"StopDBCluster":   (*rdsState).stopDBCluster,
		"StartDBCluster":  (*rdsState).startDBCluster,

		// Pending maintenance actions (maintenance.go).
		"DescribePendingMaintenanceActions": (*rdsState).describePendingMaintenanceActions,
		"ApplyPendingMaintenanceAction":     (*rdsState).applyPendingMaintenanceAction,

		// The support calendar of major engine versions (engineversions.go).
		"DescribeDBMajorEngineVersions": (*rdsState).describeDBMajorEngineVersions,

		// What parameter groups set (paramgroups.go).
		"DescribeDBParameters":        (*rdsState).describeDBParameters,
		"DescribeDBClusterParameters": (*rdsState).describeDBClusterParameters,
	}
}

// ---- form helpers ----

// formList returns prefix.1, prefix.2, ... values.
func formList(f url.Values, prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := f[prefix+"."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

type filter struct {
	Name   string
	Values []string
}

func formFilters(f url.Values) []filter {
	var out []filter
	for i := 1; ; i++ {
		p := "Filters.Filter." + strconv.Itoa(i)
		name, ok := f[p+".Name"]
		if !ok {
			return out
		}
		out = append(out, filter{Name: name[0], Values: formList(f, p+".Values.Value")})
	}
}

// knownFilters is formFilters for an operation that accepts only the filter names given.
func knownFilters(f url.Values, names ...string) ([]filter, *rdsError) {
	filters := formFilters(f)
	for _, fl := range filters {
		if !slices.Contains(names, fl.Name) {
			return nil, errParam("Unrecognized filter name: %s.", fl.Name)
		}
	}
	return filters, nil
}

func formTags(f url.Values) []tag {
	var out []tag
	for i := 1; ; i++ {
		p := "Tags.Tag." + strconv.Itoa(i)
		k, ok := f[p+".Key"]
		if !ok {
			return out
		}
		out = append(out, tag{Key: k[0], Value: f.Get(p + ".Value")})
	}
}

// rdsTagText is what RDS allows in a tag key or value (the Tag data type of the RDS API: Unicode
// letters, digits, white space, and _ . : / = + - @).
var rdsTagText = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// checkFormTags refuses, as RDS does, a request whose tags (Tags.Tag.N) have a key of no or more
// than 128 characters, a value of more than 256, a character RDS does not allow in either, or a
// key or value starting with "aws:" or "rds:".
func checkFormTags(f url.Values) *rdsError {
	for _, t := range formTags(f) {
		for _, part := range []struct {
			name, text string
			max        int
		}{{"key", t.Key, 128}, {"value", t.Value, 256}} {
			n := utf8.RuneCountInString(part.text)
			lower := strings.ToLower(part.text)
			switch {
			case part.name == "key" && n == 0, n > part.max:
				return errParam("Tag %s %q must be 1 to %d Unicode characters long.", part.name, part.text, part.max)
			case !rdsTagText.MatchString(part.text):
				return errParam("Tag %s %q contains characters that are not allowed: only Unicode letters, digits, white space, and _ . : / = + - @.", part.name, part.text)
			case strings.HasPrefix(lower, "aws:") || strings.HasPrefix(lower, "rds:"):
				return errParam("Tag %s %q cannot start with aws: or rds:.", part.name, part.text)
			}
		}
	}
	return nil
}

func formBool(f url.Values, name string) (*bool, *rdsError) {
	v, ok := f[name]
	if !ok {
		return nil, nil
	}
	b, err := strconv.ParseBool(v[0])
	if err != nil {
		return nil, errParam("Invalid value %q for %s: must be true or false.", v[0], name)
	}
	return &b, nil
}

// checkMonitoringRole refuses Enhanced Monitoring (interval > 0) with a role deleted since
// (Server.DeleteIAMRole), with the error RDS gives for a role it cannot assume.
func (st *rdsState) checkMonitoringRole(interval int32, role string) *rdsError {
	if interval > 0 && st.DeletedRoles[role] {
		return errf(400, "InvalidParameterValue", "IAM role ARN value is invalid or does not include the required permissions for: ENHANCED_MONITORING")
	}
	return nil
}

// formMonitoring is CreateDBInstance's MonitoringInterval: 0 (Enhanced Monitoring off, RDS's
// default) or one of 1, 5, 10, 15, 30, 60 seconds.
func formMonitoring(f url.Values) (int32, *rdsError) {
	v, e := formInt(f, "MonitoringInterval")
	if e != nil || v == nil {
		return 0, e
	}
	if !slices.Contains([]int32{0, 1, 5, 10, 15, 30, 60}, *v) {
		return 0, errParam("Invalid value %d for MonitoringInterval: must be 0, 1, 5, 10, 15, 30 or 60.", *v)
	}
	return *v, nil
}

func formInt(f url.Values, name string) (*int32, *rdsError) {
	v, ok := f[name]
	if !ok {
		return nil, nil
	}
	n, err := strconv.ParseInt(v[0], 10, 32)
	if err != nil {
		return nil, errParam("Invalid value %q for %s: must be an integer.", v[0], name)
	}
	x := int32(n)
	return &x, nil
}

// page applies Marker/MaxRecords (20–100, default 100) to sorted ids.
func page(f url.Values, ids []string) ([]string, string, *rdsError) {
	max := int32(100)
	mr, e := formInt(f, "MaxRecords")
	if e != nil {
		return nil, "", e
	}
	if mr != nil {
		if *mr < 20 || *mr > 100 {
			return nil, "", errParam("Invalid value %d for MaxRecords. Must be between 20 and 100.", *mr)
		}
		max = *mr
	}
	start := 0
	if m := f.Get("Marker"); m != "" {
		raw, err := base64.RawURLEncoding.DecodeString(m)
		if err != nil {
			return nil, "", errParam("Invalid Marker %q.", m)
		}
		after := string(raw)
		start = sort.SearchStrings(ids, after)
		for start < len(ids) && ids[start] <= after {
			start++
		}
	}
	end := min(len(ids), start+int(max))
	marker := ""
	if end < len(ids) {
		marker = base64.RawURLEncoding.EncodeToString([]byte(ids[end-1]))
	}
	return ids[start:end], marker, nil
}

// pageSlice is page for results without identifiers to page by: it pages items by position.
func pageSlice[T any](f url.Values, items []T) ([]T, string, *rdsError) {
	keys := make([]string, len(items)) // page pages sorted keys
	for i := range items {
		keys[i] = fmt.Sprintf("%08d", i)
	}
	pg, marker, e := page(f, keys)
	if e != nil || len(pg) == 0 {
		return nil, marker, e
	}
	first, _ := strconv.Atoi(pg[0])
	return items[first : first+len(pg)], marker, nil
}

func matches(vals []string, v string) bool {
	for _, x := range vals {
		if x == v {
			return true
		}
	}
	return false
}

// idFromARN accepts an identifier or an ARN of the given kind.
func idFromARN(v string) string {
	if strings.HasPrefix(v, "arn:") {
		parts := strings.Split(v, ":")
		return parts[len(parts)-1]
	}
	return v
}

func lower(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.ToLower(idFromARN(v))
	}
	return out
}

// ---- DB instances ----

func (st *rdsState) describeDBInstances(f url.Values, now time.Time) (any, *rdsError) {
	id := strings.ToLower(idFromARN(f.Get("DBInstanceIdentifier")))
	if id != "" {
		if in, ok := st.Instances[id]; !ok || st.unseen(in.Created, now) {
			return nil, errInstanceNotFound(id)
		}
	}
	var ids []string
	filters, e := knownFilters(f, "db-instance-id", "db-cluster-id", "engine", "dbi-resource-id", "domain")
	if e != nil {
		return nil, e
	}
	for _, k := range sortedKeys(st.Instances) {
		in := st.Instances[k]
		if (id != "" && k != id) || st.unseen(in.Created, now) {
			continue
		}
		ok := true
		for _, fl := range filters {
			switch fl.Name {
			case "db-instance-id":
				ok = ok && matches(lower(fl.Values), in.ID)
			case "db-cluster-id":
				ok = ok && in.Cluster != "" && matches(lower(fl.Values), in.Cluster)
			case "engine":
				ok = ok && matches(fl.Values, in.Engine)
			case "dbi-resource-id":
				ok = ok && matches(fl.Values, in.ResourceID)
			case "domain":
				ok = false
			}
		}
		if ok {
			ids = append(ids, k)
		}
	}
	pg, marker, e := page(f, ids)
	if e != nil {
		return nil, e
	}
	res := xDescribeDBInstancesResult{Marker: marker, DBInstances: []xDBInstance{}}
	for _, k := range pg {
		res.DBInstances = append(res.DBInstances, st.xInstance(st.Instances[k], now))
	}
	return res, nil
}

// selectedClusters returns the cluster a request's DBClusterIdentifier (identifier or ARN) names,
// or every cluster in identifier order when it names none. A missing one is
// DBClusterNotFoundFault.
func (st *rdsState) selectedClusters(f url.Values) ([]*dbCluster, *rdsError) {
	if id := strings.ToLower(idFromARN(f.Get("DBClusterIdentifier"))); id != "" {
		c, ok := st.Clusters[id]
		if !ok {
			return nil, errClusterNotFound(id)
		}
		return []*dbCluster{c}, nil
	}
	var out []*dbCluster
	for _, k := range sortedKeys(st.Clusters) {
		out = append(out, st.Clusters[k])
	}
	return out, nil
}

func (st *rdsState) describeDBClusters(f url.Values, now time.Time) (any, *rdsError) {
	clusters, e := st.selectedClusters(f)
	if e != nil {
		return nil, e
	}
	filters, e := knownFilters(f, "db-cluster-id", "engine", "clone-group-id", "db-cluster-resource-id")
	if e != nil {
		return nil, e
	}
	var ids []string
	for _, c := range clusters {
		ok := true
		for _, fl := range filters {
			switch fl.Name {
			case "db-cluster-id":
				ok = ok && matches(lower(fl.Values), c.ID)
			case "engine":
				ok = ok && matches(fl.Values, c.Engine)
			case "db-cluster-resource-id":
				ok = ok && matches(fl.Values, c.ResourceID)
			case "clone-group-id":
				ok = false
			}
		}
		if ok {
			ids = append(ids, c.ID)
		}
	}
	pg, marker, e := page(f, ids)
	if e != nil {
		return nil, e
	}
	res := xDescribeDBClustersResult{Marker: marker, DBClusters: []xDBCluster{}}
	for _, k := range pg {
		res.DBClusters = append(res.DBClusters, st.xCluster(st.Clusters[k], now))
	}
	return res, nil
}

// validID applies RDS's identifier rules with the 63-character limit of DB instance, cluster and
// cluster snapshot identifiers.
// unseen reports whether a resource created at created is not yet shown by the describe calls at
// now (Server.SetReadLag).
func (st *rdsState) unseen(created, now time.Time) bool {
	return st.readLag > 0 && now.Before(created.Add(st.readLag))
}

func validID(id string) bool { return validIdentifier(id, 63) }

// validSnapshotID applies them to a DB snapshot identifier, which may have up to 255 characters
// (CreateDBSnapshot: "Can't be null, empty, or blank; must contain from 1 to 255 letters, numbers, or
// hyphens"); a DB cluster snapshot identifier has at most 63.
func validSnapshotID(id string) bool { return validIdentifier(id, 255) }

func validIdentifier(id string, n int) bool {
	if id == "" || len(id) > n || !(id[0] >= 'a' && id[0] <= 'z') || strings.HasSuffix(id, "-") || strings.Contains(id, "--") {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (st *rdsState) createDBInstance(f url.Values, now time.Time) (any, *rdsError) {
	id := strings.ToLower(f.Get("DBInstanceIdentifier"))
	if !validID(id) {
		return nil, errParam("The parameter DBInstanceIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.")
	}
	if _, ok := st.Instances[id]; ok {
		return nil, errf(400, "DBInstanceAlreadyExists", "DB instance already exists")
	}
	class := f.Get("DBInstanceClass")
	if _, ok := LookupClass(class); !ok {
		return nil, errCombo("RDS does not support creating a DB instance with the following combination: DBInstanceClass=%s, Engine=%s.", class, f.Get("Engine"))
	}
	multi, e := formBool(f, "MultiAZ")
	if e != nil {
		return nil, e
	}
	tier, e := formInt(f, "PromotionTier")
	if e != nil {
		return nil, e
	}
	alloc, e := formInt(f, "AllocatedStorage")
	if e != nil {
		return nil, e
	}
	spec := InstanceSpec{ID: id, Class: class, Engine: f.Get("Engine"), EngineVersion: f.Get("EngineVersion"),
		AvailabilityZone: f.Get("AvailabilityZone"), StorageType: f.Get("StorageType")}
	if spec.ParameterGroup, e = st.formParameterGroup(f); e != nil {
		return nil, e
	}
	if cid := strings.ToLower(f.Get("DBClusterIdentifier")); cid != "" {
		c, ok := st.Clusters[cid]
		if !ok {
			return nil, errClusterNotFound(cid)
		}
		if c.multiAZ() {
			return nil, errCombo("You can't add a DB instance to Multi-AZ DB cluster %s: RDS creates its writer and two readable standbys with the cluster.", cid)
		}
		if spec.Engine != c.Engine {
			return nil, errCombo("The engine name requested for your DB instance (%s) doesn't match the engine name of your DB cluster (%s).", spec.Engine, c.Engine)
		}
		if e := st.parameterGroupFamily(spec.ParameterGroup, c.Engine, c.EngineVersion); e != nil {
			return nil, e
		}
		if multi != nil && *multi {
			return nil, errCombo("MultiAZ is not supported for DB instances in an Aurora DB cluster; add a reader instead.")
		}
		if alloc != nil {
			return nil, errCombo("The requested DB instance will be a member of a DB cluster. You don't need to set storage size.")
		}
		if f.Get("MaxAllocatedStorage") != "" { // as ModifyDBInstance refuses it on a member
			return nil, errCombo("MaxAllocatedStorage doesn't apply to Aurora DB instances: the DB cluster manages their storage.")
		}
		if class == "db.serverless" && c.Serverless == nil {
			return nil, errCombo("Set the Serverless v2 scaling configuration on the parent DB cluster before creating a Serverless v2 DB instance.")
		}
		if f.Get("PreferredBackupWindow") != "" {
			return nil, errCombo("The requested DB Instance will be a member of a DB Cluster. Set backup window for the DB Cluster.")
		}
		if f.Get("EngineLifecycleSupport") != "" {
			// "For Amazon Aurora DB instances, the engine lifecycle support is managed by the DB cluster."
			return nil, errCombo("The requested DB Instance will be a member of a DB Cluster. Set EngineLifecycleSupport for the DB Cluster.")
		}
		if mw := f.Get("PreferredMaintenanceWindow"); mw != "" {
			_, norm, err := parseMaintenanceWindow(mw)
			if err != nil {
				return nil, errWindow(err)
			}
			spec.MaintenanceWindow = norm
		}
		ms := st.members(cid)
		in := st.newInstance(spec, c.Engine, c.EngineVersion, now)
		// The first instance of a cluster is its writer, but in a secondary cluster of a global
		// database, whose instances are all readers.
		in.Cluster, in.Writer, in.Allocated, in.StorageType, in.MultiAZ = cid, len(ms) == 0 && !c.Secondary, 1, "aurora", false
		in.BackupWindow = c.BackupWindow
		in.PromotionTier = 1
		if tier != nil {
			in.PromotionTier = *tier
		}
		if spec.AvailabilityZone == "" {
			in.AZ = st.Region + string(rune('a'+len(ms)%3))
		}
		in.Status, in.Tags = "creating", formTags(f)
		if in.Monitoring, e = formMonitoring(f); e != nil {
			return nil, e
		}
		in.MonitoringRole = f.Get("MonitoringRoleArn")
		if e := st.checkMonitoringRole(in.Monitoring, in.MonitoringRole); e != nil {
			return nil, e
		}
		in.Op = &op{Kind: "create", Start: now, End: now.Add(st.dur.CreateAuroraInstance), ConfigureMonitoring: in.Monitoring > 0}
		st.Instances[id] = in
		st.addNode(in, IdleWorkload, now.Add(st.dur.CreateAuroraInstance).Truncate(time.Minute), c.Serverless, !in.Writer)
		return xInstanceResult{DBInstance: st.xInstance(in, now)}, nil
	}
	if spec.Engine == "" || strings.HasPrefix(spec.Engine, "aurora") {
		return nil, errCombo("Engine %q requires DBClusterIdentifier (Aurora DB instances are created in a DB cluster).", spec.Engine)
	}
	if alloc == nil {
		return nil, errParam("AllocatedStorage is required for engine %s (20–65536 GiB).", spec.Engine)
	}
	if *alloc < 20 || *alloc > 65536 {
		return nil, errParam("Invalid storage size for engine name %s and storage type %s: %d", spec.Engine, spec.StorageType, *alloc)
	}
	spec.AllocatedStorage = *alloc
	iops, e := formInt(f, "Iops")
	if e != nil {
		return nil, e
	}
	throughput, e := formInt(f, "StorageThroughput")
	if e != nil {
		return nil, e
	}
	if iops != nil {
		spec.Iops = *iops
	}
	if throughput != nil {
		spec.StorageThroughput = *throughput
	}
	spec.StorageType = instanceStorageType(spec.StorageType, spec.Iops)
	maxAlloc, e := formInt(f, "MaxAllocatedStorage")
	if e != nil {
		return nil, e
	}
	if maxAlloc != nil {
		if e := checkMaxAllocated(*maxAlloc, spec.AllocatedStorage); e != nil {
			return nil, e
		}
		spec.MaxAllocatedStorage = *maxAlloc
	}
	if spec.Engine == "postgres" {
		if e := checkInstanceStorage(spec.StorageType, spec.AllocatedStorage, spec.Iops, spec.StorageThroughput); e != nil {
			return nil, e
		}
	}
	if multi != nil {
		spec.MultiAZ = *multi
	}
	backup, maint, err := resolveWindows(f.Get("PreferredBackupWindow"), f.Get("PreferredMaintenanceWindow"))
	if err != nil {
		return nil, errWindow(err)
	}
	spec.BackupWindow, spec.MaintenanceWindow = backup, maint
	if spec.EngineLifecycleSupport, e = formLifecycle(f, spec.Engine, cmp.Or(spec.EngineVersion, defaultInstanceVersion), now); e != nil {
		return nil, e
	}
	in := st.newInstance(spec, spec.Engine, spec.EngineVersion, now)
	if u := f.Get("MasterUsername"); u != "" {
		in.MasterUsername = u
	}
	in.DBName = f.Get("DBName")
	if in.MultiAZ {
		in.SecondaryAZ = st.otherAZ(in.AZ)
	}
	in.Status, in.Tags = "creating", formTags(f)
	if in.Monitoring, e = formMonitoring(f); e != nil {
		return nil, e
	}
	in.MonitoringRole = f.Get("MonitoringRoleArn")
	if e := st.checkMonitoringRole(in.Monitoring, in.MonitoringRole); e != nil {
		return nil, e
	}
	in.Op = &op{Kind: "create", Start: now, End: now.Add(st.dur.CreateInstance), ConfigureMonitoring: in.Monitoring > 0}
	st.Instances[id] = in
	st.addNode(in, IdleWorkload, now.Add(st.dur.CreateInstance).Truncate(time.Minute), nil, false)
	return xInstanceResult{DBInstance: st.xInstance(in, now)}, nil
}

func (st *rdsState) createDBCluster(f url.Values, now time.Time) (any, *rdsError) {
	id := strings.ToLower(f.Get("DBClusterIdentifier"))
	if !validID(id) {
		return nil, errParam("The parameter DBClusterIdentifier is not a valid identifier.")
	}
	if _, ok := st.Clusters[id]; ok {
		return nil, errf(400, "DBClusterAlreadyExistsFault", "DB Cluster already exists")
	}
	eng := f.Get("Engine")
	if eng == multiAZClusterEngine {
		return st.createMultiAZDBCluster(f, id, now) // multiazcluster.go
	}
	if eng != "aurora-postgresql" && eng != "aurora-mysql" {
		return nil, errParam("Invalid DB engine: %s (the sandbox supports aurora-postgresql and aurora-mysql clusters, and postgres Multi-AZ DB clusters).", eng)
	}
	ver := f.Get("EngineVersion")
	if ver == "" {
		ver = "15.4"
		if eng == "aurora-mysql" {
			ver = "8.0.mysql_aurora.3.05.2"
		}
	}
	storage := f.Get("StorageType")
	if !validAuroraStorage(storage) {
		return nil, errParam("Invalid storage type: %s (Aurora clusters take %s or %s).", storage, auroraStandard, auroraIOOptimized)
	}
	backup, maint, err := resolveWindows(f.Get("PreferredBackupWindow"), f.Get("PreferredMaintenanceWindow"))
	if err != nil {
		return nil, errWindow(err)
	}
	life, e := formLifecycle(f, eng, ver, now)
	if e != nil {
		return nil, e
	}
	c := &dbCluster{ID: id, Engine: eng, Lifecycle: life, EngineVersion: ver, Status: "creating", ResourceID: st.resourceID("cluster-", id),
		ARN: st.arn("cluster", id), Created: now, MasterUsername: f.Get("MasterUsername"), DatabaseName: f.Get("DatabaseName"),
		Port: portFor(eng), MaintenanceWindow: maint, BackupWindow: backup, Tags: formTags(f), StorageType: storage,
		Op: &op{Kind: "create", Start: now, End: now.Add(st.dur.CreateCluster)}}
	if c.MasterUsername == "" {
		c.MasterUsername = "postgres"
	}
	if mn, ok := f["ServerlessV2ScalingConfiguration.MinCapacity"]; ok {
		minC, err1 := strconv.ParseFloat(mn[0], 64)
		maxC, err2 := strconv.ParseFloat(f.Get("ServerlessV2ScalingConfiguration.MaxCapacity"), 64)
		if err1 != nil || err2 != nil || minC < 0 || maxC < minC || maxC > 256 {
			return nil, errParam("Invalid ServerlessV2ScalingConfiguration: MinCapacity %s, MaxCapacity %s.", mn[0], f.Get("ServerlessV2ScalingConfiguration.MaxCapacity"))
		}
		c.Serverless = &ServerlessV2Scaling{MinACU: minC, MaxACU: maxC}
	}
	st.Clusters[id] = c
	return xClusterResult{DBCluster: st.xCluster(c, now)}, nil
}

func (st *rdsState) modifyDBInstance(f url.Values, now time.Time) (any, *rdsError) {
	id := strings.ToLower(f.Get("DBInstanceIdentifier"))
	in, ok := st.Instances[id]
	if !ok {
		return nil, errInstanceNotFound(id)
	}
	if st.multiAZMemberOf(in) != nil {
		return nil, errMultiAZMember("ModifyDBInstance", in)
	}
	// m are the values the request changes; revert those it names as they are, which cancel
	// the same fields' pending values (RDS: "modify the DB instance to revert the change").
	var m, revert mods
	if c := f.Get("DBInstanceClass"); c != "" {
		if _, ok := LookupClass(c); !ok {
			return nil, errCombo("RDS does not support creating a DB instance with the following combination: DBInstanceClass=%s, Engine=%s.", c, in.Engine)
		}
		if c != in.Class {
			m.Class = c
		} else {
			revert.Class = c
		}
	}
	multi, e := formBool(f, "MultiAZ")
	if e != nil {
		return nil, e
	}
	if multi != nil {
		if in.Cluster != "" {
			return nil, errCombo("The MultiAZ parameter doesn't apply to DB instances in an Aurora DB cluster: add or remove Aurora Replicas instead.")
		}
		if *multi != in.MultiAZ {
			m.MultiAZ = multi
		} else {
			revert.MultiAZ = multi
		}
	}
	alloc, e := formInt(f, "AllocatedStorage")
	if e != nil {
		return nil, e
	}
	if alloc != nil {
		if in.Cluster != "" {
			return nil, errCombo("AllocatedStorage doesn't apply to Aurora DB instances.")
		}
		if *alloc < in.Allocated {
			return nil, errParam("Invalid storage size: you can't decrease AllocatedStorage (currently %d GiB).", in.Allocated)
		}
		if *alloc != in.Allocated {
			m.Allocated = alloc
		} else {
			revert.Allocated = alloc
		}
	}
	retention, e := formInt(f, "BackupRetentionPeriod")
	if e != nil {
		return nil, e
	}
	// apply is a retention from one nonzero value to another: RDS applies it "asynchronously
	// ... as soon as possible", whatever ApplyImmediately says, and it replaces a retention left
	// pending (a 0, turning automated backups off, would otherwise still apply later); to or
	// from 0 (automated backups turned on or off, with an outage) it is a modification like the
	// others.
	var apply *int32
	if retention != nil {
		switch r := *retention; {
		case in.Cluster != "":
			return nil, errCombo("The requested DB instance is a member of a DB cluster. Set backup retention period for the DB cluster.")
		case r < 0 || r > 35:
			return nil, errParam("Invalid value %d for BackupRetentionPeriod: must be a value from 0 to 35.", r)
		case r == 0 && st.hasReadReplicas(in.ID):
			return nil, errCombo("Cannot set BackupRetentionPeriod to 0 for a DB instance that is the source of read replicas.")
		case r == in.retention():
			revert.Retention = retention
		case r > 0 && in.retention() > 0:
			apply, revert.Retention = retention, retention
		default:
			m.Retention = retention
		}
	}
	if nid := strings.ToLower(f.Get("NewDBInstanceIdentifier")); nid != "" {
		switch _, taken := st.Instances[nid]; {
		case !validID(nid):
			return nil, errParam("The parameter NewDBInstanceIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.")
		case nid == in.ID:
			revert.Identifier = nid
		case in.Cluster != "":
			return nil, errParam("NewDBInstanceIdentifier is not supported by the sandbox for an instance of a DB cluster: it renames standalone DB instances only.")
		case taken:
			return nil, errf(400, "DBInstanceAlreadyExists", "DB instance already exists")
		default:
			m.Identifier = nid
		}
	}
	tier, e := formInt(f, "PromotionTier")
	if e != nil {
		return nil, e
	}
	imm, e := formBool(f, "ApplyImmediately")
	if e != nil {
		return nil, e
	}
	maxAlloc, e := formInt(f, "MaxAllocatedStorage")
	if e != nil {
		return nil, e
	}
	if maxAlloc != nil {
		if in.Cluster != "" {
			return nil, errCombo("MaxAllocatedStorage doesn't apply to Aurora DB instances.")
		}
		// Checked against the storage the instance will have: an increase this request makes,
		// or one left pending that it does not cancel.
		alloc := in.Allocated
		for _, a := range []*int32{m.Allocated, in.Pending.without(revert).Allocated} {
			if a != nil {
				alloc = max(alloc, *a)
			}
		}
		if e := checkMaxAllocated(*maxAlloc, alloc); e != nil {
			return nil, e
		}
	}
	backup, maint, e := modifiedWindows(in, f)
	if e != nil {
		return nil, e
	}
	if !in.ready() {
		return nil, errf(400, "InvalidDBInstanceState", "Database instance is not in available state.")
	}
	if in.Status == "storage-optimization" && m.Allocated != nil {
		return nil, errCombo("You can't currently modify the storage of this DB instance because the previous storage change is being optimized.")
	}
	if tier != nil {
		in.PromotionTier = *tier
	}
	if apply != nil {
		in.Retention = apply
	}
	if maxAlloc != nil { // storage autoscaling's limit changes at once, as in RDS
		in.MaxAlloc = *maxAlloc
	}
	if c, ok := st.Clusters[in.Cluster]; ok && c.Status != "available" && !m.empty() {
		return nil, errf(400, "InvalidDBClusterStateFault", "DB cluster %s is not in available state.", c.ID)
	}
	// New windows apply at once, without downtime, whatever ApplyImmediately says (as in RDS).
	in.BackupWindow = backup
	in.setMaintenanceWindow(maint, now)
	in.Pending = in.Pending.without(revert)
	if imm != nil && *imm {
		all := in.Pending.merge(m)
		if !all.empty() {
			st.startModify(in, all, now)
		}
	} else if !m.empty() {
		if in.Pending.empty() {
			in.PendingSince = now
		}
		in.Pending = in.Pending.merge(m)
	}
	return xInstanceResult{DBInstance: st.xInstance(in, now)}, nil
}

func (st *rdsState) deleteDBInstance(f url.Values, now time.Time) (any, *rdsError) {
	id := strings.ToLower(f.Get("DBInstanceIdentifier"))
	in, ok := st.Instances[id]
	if !ok {
		return nil, errInstanceNotFound(id)
	}
	skip, e := formBool(f, "SkipFinalSnapshot")
	if e != nil {
		return nil, e
	}
	final := f.Get("FinalDBSnapshotIdentifier")
	if st.multiAZMemberOf(in) != nil {
		return nil, errMultiAZMember("DeleteDBInstance", in)
	}
	if in.Status == "deleting" || in.Status == "delete-precheck" {
		return nil, errf(400, "InvalidDBInstanceState", "Instance %s is already being deleted.", id)
	}
	// A stopped standalone instance can be deleted (RDS: "You can delete a stopped DB instance").
	if !in.ready() && in.Status != "failed" && in.Status != "storage-full" && !(in.Status == "stopped" && in.Cluster == "") {
		return nil, errf(400, "InvalidDBInstanceState", "Instance %s is not in available state (status %s).", id, in.Status)
	}
	if in.DeletionProtect {
		return nil, errCombo("Cannot delete protected DB Instance, please disable deletion protection and try again.")
	}
	if in.Cluster != "" {
		if final != "" {
			return nil, errCombo("FinalDBSnapshotIdentifier can not be specified when deleting a cluster member instance.")
		}
	} else {
		if (skip == nil || !*skip) && final == "" {
			return nil, errCombo("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
		}
		if skip != nil && *skip && final != "" {
			return nil, errCombo("Cannot specify FinalDBSnapshotIdentifier when SkipFinalSnapshot is true.")
		}
		if final != "" {
			if _, ok := st.Snapshots[final]; ok {
				return nil, errf(400, "DBSnapshotAlreadyExists", "Cannot create the snapshot because a snapshot with the identifier %s already exists.", final)
			}
		}
	}
	in.FinalSnapshot = final
	in.Status = "deleting"
	in.Op = &op{Kind: "delete", Start: now, End: now.Add(st.dur.DeleteInstance)}
	if in.Cluster != "" || in.ReplicaOf != "" || in.ReplicaOfCluster != "" {
		in.Status = "delete-precheck"
		in.Op.PrecheckUntil = now.Add(st.dur.DeletePrecheck)
		in.Op.End = in.Op.PrecheckUntil.Add(st.dur.DeleteInstance)
	}
	return xInstanceResult{DBInstance: st.xInstance(in, now)}, nil
}

// ---- snapshots ----

func (st *rdsState) createDBSnapshot(f url.Values, now time.Time) (any, *rdsError) {
	sid := f.Get("DBSnapshotIdentifier")
	id := strings.ToLower(f.Get("DBInstanceIdentifier"))
	if !validSnapshotID(strings.ToLower(sid)) {
		return nil, errParam("The parameter DBSnapshotIdentifier is not a valid identifier.")
	}
	sid = strings.ToLower(sid)
	in, ok := st.Instances[id]
	if !ok {
		return nil, errInstanceNotFound(id)
	}
	if _, ok := st.Snapshots[sid]; ok {
		return nil, errf(400, "DBSnapshotAlreadyExists", "Cannot create the snapshot because a snapshot with the identifier %s already exists.", sid)
	}
	if in.Cluster != "" {
		return nil, errf(400, "InvalidDBInstanceState", "The specified instance is a member of a cluster and a snapshot cannot be created directly. Please use the CreateDBClusterSnapshot API instead.")
	}
	if !in.ready() {
		return nil, errf(400, "InvalidDBInstanceState", "Cannot create a snapshot because the database instance %s is not currently in the available state.", id)
	}
	sn := st.snapshotOf(in, sid, now)
	sn.Tags = formTags(f)
	sn.Fail = st.takeFailSnapshot(sid)
	st.Snapshots[sid] = sn
	in.Status = "backing-up"
	in.Op = &op{Kind: "backup", Start: now, End: now.Add(min(st.dur.BackingUp, sn.End.Sub(now)))}
	st.event("db-snapshot", sid, sn.ARN, "Creating manual snapshot", now, "creation")
	st.event("db-instance", in.ID, in.ARN, "Backing up DB instance", now, "backup")
	return xSnapshotResult{DBSnapshot: st.xSnapshot(sn, now)}, nil
}

func (st *rdsState) createDBClusterSnapshot(f url.Values, now time.Time) (any, *rdsError) {
	sid := strings.ToLower(f.Get("DBClusterSnapshotIdentifier"))
	cid := strings.ToLower(f.Get("DBClusterIdentifier"))
	if !validID(sid) {
		return nil, errParam("The parameter DBClusterSnapshotIdentifier is not a valid identifier.")
	}
	c, ok := st.Clusters[cid]
	if !ok {
		return nil, errClusterNotFound(cid)
	}
	if _, ok := st.ClusterSnapshots[sid]; ok {
		return nil, errf(400, "DBClusterSnapshotAlreadyExistsFault", "Cannot create the cluster snapshot because one with the identifier %s already exists.", sid)
	}
	if c.Status != "available" {
		return nil, errf(400, "InvalidDBClusterStateFault", "Cannot create a snapshot because the DB cluster %s is not in the available state.", cid)
	}
	sn := &dbSnapshot{ID: sid, Cluster: true, Source: cid, SourceRes: c.ResourceID, Engine: c.Engine, EngineVersion: c.EngineVersion,
		Allocated: c.snapshotGiB(), Port: c.Port, SourceCreated: c.Created, Master: c.MasterUsername, Type: "manual", Status: "creating",
		Start: now, End: now.Add(st.dur.SnapshotBase), ARN: st.arn("cluster-snapshot", sid), Tags: formTags(f)}
	sn.Fail = st.takeFailSnapshot(sid)
	st.ClusterSnapshots[sid] = sn
	st.event("db-cluster-snapshot", sid, sn.ARN, "Creating manual cluster snapshot", now, "backup")
	return xClusterSnapshotResult{DBClusterSnapshot: st.xClusterSnapshot(sn, now)}, nil
}

// snapshotField is the snapshot field a Describe*Snapshots filter
// matches; ids compares the filter values as identifiers (lower case,
// ARNs accepted).
type snapshotField struct {
	of  func(*dbSnapshot) string
	ids bool
}

// selectSnapshots returns, in key order, the snapshots of m that have the
// identifier sid, the source source and the type typ (each when not empty),
// pass every filter and are seen at now (unseen); a filter name not in fields
// is an error (met when a snapshot is checked against it).
func (st *rdsState) selectSnapshots(m map[string]*dbSnapshot, now time.Time, sid, source, typ string, filters []filter, fields map[string]snapshotField) ([]string, *rdsError) {
	var ids []string
	for _, k := range sortedKeys(m) {
		sn := m[k]
		if (sid != "" && k != sid) || (source != "" && sn.Source != source) || (typ != "" && sn.Type != typ) || st.unseen(sn.Start, now) {
			continue
		}
		ok := true
		for _, fl := range filters {
			field, known := fields[fl.Name]
			if !known {
				return nil, errParam("Unrecognized filter name: %s.", fl.Name)
			}
			vals := fl.Values
			if field.ids {
				vals = lower(vals)
			}
			ok = ok && matches(vals, field.of(sn))
		}
		if ok {
			ids = append(ids, k)
		}
	}
	return ids, nil
}

func (st *rdsState) describeDBSnapshots(f url.Values, now time.Time) (any, *rdsError) {
	sid := strings.ToLower(idFromARN(f.Get("DBSnapshotIdentifier")))
	iid := strings.ToLower(idFromARN(f.Get("DBInstanceIdentifier")))
	typ := f.Get("SnapshotType")
	if sid != "" {
		if sn, ok := st.Snapshots[sid]; !ok || st.unseen(sn.Start, now) {
			return nil, errf(404, "DBSnapshotNotFound", "DBSnapshot %s not found.", sid)
		}
	}
	ids, e := st.selectSnapshots(st.Snapshots, now, sid, iid, typ, formFilters(f), map[string]snapshotField{
		"db-instance-id":  {func(sn *dbSnapshot) string { return sn.Source }, true},
		"db-snapshot-id":  {func(sn *dbSnapshot) string { return sn.ID }, true},
		"snapshot-type":   {func(sn *dbSnapshot) string { return sn.Type }, false},
		"engine":          {func(sn *dbSnapshot) string { return sn.Engine }, false},
		"dbi-resource-id": {func(sn *dbSnapshot) string { return sn.SourceRes }, false},
	})
	if e != nil {
		return nil, e
	}
	if typ == "" && sid == "" {
		// Without a SnapshotType RDS lists automated and manual snapshots: AWS Backup's only
		// with SnapshotType awsbackup.
		ids = slices.DeleteFunc(ids, func(k string) bool { return st.Snapshots[k].Type == "awsbackup" })
	}
	pg, marker, e := page(f, ids)
	if e != nil {
		return nil, e
	}
	res := xDescribeDBSnapshotsResult{Marker: marker, DBSnapshots: []xDBSnapshot{}}
	for _, k := range pg {
		res.DBSnapshots = append(res.DBSnapshots, st.xSnapshot(st.Snapshots[k], now))
	}
	return res, nil
}

func (st *rdsState) describeDBClusterSnapshots(f url.Values, now time.Time) (any, *rdsError) {
	sid := strings.ToLower(idFromARN(f.Get("DBClusterSnapshotIdentifier")))
	cid := strings.ToLower(idFromARN(f.Get("DBClusterIdentifier")))
	typ := f.Get("SnapshotType")
	if sid != "" {
		if sn, ok := st.ClusterSnapshots[sid]; !ok || st.unseen(sn.Start, now) {
			return nil, errf(404, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot %s not found.", sid)
		}
	}
	ids, e := st.selectSnapshots(st.ClusterSnapshots, now, sid, cid, typ, formFilters(f), map[string]snapshotField{
		"db-cluster-id":          {func(sn *dbSnapshot) string { return sn.Source }, true},
		"db-cluster-snapshot-id": {func(sn *dbSnapshot) string { return sn.ID }, true},
		"snapshot-type":          {func(sn *dbSnapshot) string { return sn.Type }, false},
		"engine":                 {func(sn *dbSnapshot) string { return sn.Engine }, false},
	})
	if e != nil {
		return nil, e
	}
	pg, marker, e := page(f, ids)
	if e != nil {
		return nil, e
	}
	res := xDescribeDBClusterSnapshotsResult{Marker: marker, DBClusterSnapshots: []xDBClusterSnapshot{}}
	for _, k := range pg {
		res.DBClusterSnapshots = append(res.DBClusterSnapshots, st.xClusterSnapshot(st.ClusterSnapshots[k], now))
	}
	return res, nil
}

func (st *rdsState) deleteDBSnapshot(f url.Values, now time.Time) (any, *rdsError) {
	sid := strings.ToLower(f.Get("DBSnapshotIdentifier"))
	sn, ok := st.Snapshots[sid]
	if !ok {
		return nil, errf(404, "DBSnapshotNotFound", "DBSnapshot %s not found.", sid)
	}
	if sn.Status == "creating" {
		return nil, errf(400, "InvalidDBSnapshotState", "Cannot delete the snapshot because it is not in available state (status creating).")
	}
	x := st.xSnapshot(sn, now)
	x.Status = "deleted"
	delete(st.Snapshots, sid)
	st.event("db-snapshot", sid, sn.ARN, "Deleted manual snapshot", now, "deletion")
	return xSnapshotResult{DBSnapshot: x}, nil
}

func (st *rdsState) deleteDBClusterSnapshot(f url.Values, now time.Time) (any, *rdsError) {
	sid := strings.ToLower(f.Get("DBClusterSnapshotIdentifier"))
	sn, ok := st.ClusterSnapshots[sid]
	if !ok {
		return nil, errf(404, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot %s not found.", sid)
	}
	if sn.Status == "creating" {
		return nil, errf(400, "InvalidDBClusterSnapshotStateFault", "Cannot delete the cluster snapshot because it is not in available state (status creating).")
	}
	x := st.xClusterSnapshot(sn, now)
	x.Status = "deleted"
	delete(st.ClusterSnapshots, sid)
	st.event("db-cluster-snapshot", sid, sn.ARN, "Deleted manual cluster snapshot", now, "deletion")
	return xClusterSnapshotResult{DBClusterSnapshot: x}, nil
}

func (st *rdsState) restoreDBInstanceFromDBSnapshot(f url.Values, now time.Time) (any, *rdsError) {
	id := strings.ToLower(f.Get("DBInstanceIdentifier"))
	sid := strings.ToLower(idFromARN(f.Get("DBSnapshotIdentifier")))
	if !validID(id) {
		return nil, errParam("The parameter DBInstanceIdentifier is not a valid identifier.")
	}
	sn, ok := st.Snapshots[sid]
	if !ok {
		return nil, errf(404, "DBSnapshotNotFound", "DBSnapshot %s not found.", sid)
	}
	if sn.Status != "available" {
		return nil, errf(400, "InvalidDBSnapshotState", "Snapshot %s is not in available state (status %s).", sid, sn.Status)
	}
	if _, ok := st.Instances[id]; ok {
		return nil, errf(400, "DBInstanceAlreadyExists", "DB instance already exists")
	}
	class := f.Get("DBInstanceClass")
	if class == "" {
		class = sn.Class
	}
	if _, ok := LookupClass(class); !ok {
		return nil, errCombo("RDS does not support creating a DB instance with the following combination: DBInstanceClass=%s, Engine=%s.", class, sn.Engine)
	}
	multi, e := formBool(f, "MultiAZ")
	if e != nil {
		return nil, e
	}
	// The snapshot's storage, its provisioned IOPS and throughput included ("If this parameter isn't
	// specified, the IOPS value is taken from the backup").
	spec := InstanceSpec{ID: id, Class: class, AllocatedStorage: sn.Allocated, StorageType: sn.StorageType, Iops: sn.Iops,
		StorageThroughput: sn.Throughput, AvailabilityZone: f.Get("AvailabilityZone")}
	if spec.ParameterGroup, e = st.formParameterGroup(f); e != nil {
		return nil, e
	}
	if spec.EngineLifecycleSupport, e = formLifecycle(f, sn.Engine, sn.EngineVersion, now); e != nil {
		return nil, e
	}
	if multi != nil {
		spec.MultiAZ = *multi
	}
	retention, e := formInt(f, "BackupRetentionPeriod")
	if e != nil {
		return nil, e
	}
	if retention != nil && (*retention < 0 || *retention > 35) {
		return nil, errParam("Invalid value %d for BackupRetentionPeriod: must be a value from 0 to 35.", *retention)
	}
	in := st.newInstance(spec, sn.Engine, sn.EngineVersion, now)
	in.MasterUsername = sn.Master
	if retention == nil { // "Default: Uses existing setting"
		if src := st.Instances[sn.Source]; src != nil {
			retention = src.Retention
		}
	}
	in.Retention = retention
	if in.MultiAZ {
		in.SecondaryAZ = st.otherAZ(in.AZ)
	}
	in.Status, in.Tags = "creating", formTags(f)
	in.Op = &op{Kind: "restore", Start: now, End: now.Add(st.dur.Restore)}
	st.Instances[id] = in
	w := IdleWorkload
	if src := st.Nodes[sn.Source]; src != nil {
		w = src.W
	}
	st.addNode(in, w, now.Add(st.dur.Restore).Truncate(time.Minute), nil, false)
	return xInstanceResult{DBInstance: st.xInstance(in, now)}, nil
}

// ---- tags ----

// tagsOf returns a pointer to the tag list of the resource with this ARN.
func (st *rdsState) tagsOf(arn string) (*[]tag, *rdsError) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "rds" {
		return nil, errParam("The specified resource name does not match an RDS resource in this region: %s", arn)
	}
	kind, id := parts[5], parts[6]
	switch kind {
	case "db":
		if in, ok := st.Instances[id]; ok {
			return &in.Tags, nil
		}
		return nil, errInstanceNotFound(id)
	case "cluster":
		if c, ok := st.Clusters[id]; ok {
			return &c.Tags, nil
		}
		return nil, errClusterNotFound(id)
	case "snapshot":
		if sn, ok := st.Snapshots[id]; ok {
			return &sn.Tags, nil
		}
		return nil, errf(404, "DBSnapshotNotFound", "DBSnapshot %s not found.", id)
	case "cluster-snapshot":
		if sn, ok := st.ClusterSnapshots[id]; ok {
			return &sn.Tags, nil
		}
		return nil, errf(404, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot %s not found.", id)
	case "ri":
		if r := st.reservation(id); r != nil {
			return &r.Tags, nil
		}
		return nil, errReservationNotFound(id)
	}
	return nil, errParam("The sandbox does not keep tags for resource type %q (%s).", kind, arn)
}

func (st *rdsState) addTagsToResource(f url.Values, now time.Time) (any, *rdsError) {
	tp, e := st.tagsOf(f.Get("ResourceName"))
	if e != nil {
		return nil, e
	}
	for _, t := range formTags(f) {
		replaced := false
		for i := range *tp {
			if (*tp)[i].Key == t.Key {
				(*tp)[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			*tp = append(*tp, t)
		}
	}
	return nil, nil
}

func (st *rdsState) removeTagsFromResource(f url.Values, now time.Time) (any, *rdsError) {
	tp, e := st.tagsOf(f.Get("ResourceName"))
	if e != nil {
		return nil, e
	}
	keys := formList(f, "TagKeys.member")
	out := (*tp)[:0]
	for _, t := range *tp {
		if !matches(keys, t.Key) {
			out = append(out, t)
		}
	}
	*tp = out
	return nil, nil
}

func (st *rdsState) listTagsForResource(f url.Values, now time.Time) (any, *rdsError) {
	tp, e := st.tagsOf(f.Get("ResourceName"))
	if e != nil {
		return nil, e
	}
	return xTagListResult{TagList: xtags(*tp)}, nil
}

// ---- events ----

func (st *rdsState) describeEvents(f url.Values, now time.Time) (any, *rdsError) {
	src := strings.ToLower(f.Get("SourceIdentifier"))
	typ := f.Get("SourceType")
	if src != "" && typ == "" {
		return nil, errParam("SourceType must be specified when SourceIdentifier is specified.")
	}
	switch typ {
	case "", "db-instance", "db-cluster", "db-snapshot", "db-cluster-snapshot", "db-parameter-group", "db-security-group",
		"db-cluster-parameter-group", "custom-engine-version", "db-proxy", "blue-green-deployment", "db-shard-group", "zero-etl":
	default:
		return nil, errParam("Invalid SourceType: %s.", typ)
	}
	start, end := now.Add(-time.Hour), now
	parse := func(name string) (time.Time, bool, *rdsError) {
		v := f.Get(name)
		if v == "" {
			return time.Time{}, false, nil
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return time.Time{}, false, errParam("Invalid %s: %s.", name, v)
		}
		return t, true, nil
	}
	st0, hasStart, e := parse("StartTime")
	if e != nil {
		return nil, e
	}
	en, hasEnd, e := parse("EndTime")
	if e != nil {
		return nil, e
	}
	dur, e := formInt(f, "Duration")
	if e != nil {
		return nil, e
	}
	switch {
	case hasStart && hasEnd:
		start, end = st0, en
	case hasStart:
		start = st0
		if dur != nil {
			end = start.Add(time.Duration(*dur) * time.Minute)
		}
	case hasEnd:
		end = en
		d := time.Hour
		if dur != nil {
			d = time.Duration(*dur) * time.Minute
		}
		start = end.Add(-d)
	case dur != nil:
		start = now.Add(-time.Duration(*dur) * time.Minute)
	}
	if start.Before(now.Add(-14 * 24 * time.Hour)) {
		start = now.Add(-14 * 24 * time.Hour)
	}
	cats := formList(f, "EventCategories.EventCategory")
	var sel []rdsEvent
	for _, ev := range st.Events {
		if ev.Date.Before(start) || ev.Date.After(end) || (typ != "" && ev.SourceType != typ) || (src != "" && ev.SourceID != src) {
			continue
		}
		if len(cats) > 0 {
			hit := false
			for _, c := range ev.Categories {
				hit = hit || matches(cats, c)
			}
			if !hit {
				continue
			}
		}
		sel = append(sel, ev)
	}
	pg, marker, e := pageSlice(f, sel)
	if e != nil {
		return nil, e
	}
	res := xDescribeEventsResult{Marker: marker, Events: []xEvent{}}
	for _, ev := range pg {
		res.Events = append(res.Events, xEvent{SourceIdentifier: ev.SourceID, SourceType: ev.SourceType, Message: ev.Message,
			EventCategories: ev.Categories, Date: ts(ev.Date), SourceArn: ev.ARN})
	}
	return res, nil
}

// ---- reboot and failover ----

func (st *rdsState) rebootDBInstance(f url.Values, now time.Time) (any, *rdsError) {
	id := strings.ToLower(f.Get("DBInstanceIdentifier"))
	in, ok := st.Instances[id]
	if !ok {
		return nil, errInstanceNotFound(id)
	}
	force, e := formBool(f, "ForceFailover")
	if e != nil {
		return nil, e
	}
	if !in.ready() {
		return nil, errf(400, "InvalidDBInstanceState", "Instance %s is not in available state (status %s).", id, in.Status)
	}
	failover := force != nil && *force
	if failover && !in.MultiAZ {
		return nil, errCombo("ForceFailover can only be specified for a Multi-AZ DB instance.")
	}
	in.Status = "rebooting"
	in.Op = &op{Kind: "reboot", Start: now, End: now.Add(st.dur.Reboot)}
	if failover {
		in.AZ, in.SecondaryAZ = in.SecondaryAZ, in.AZ
		st.event("db-instance", in.ID, in.ARN, "Multi-AZ instance failover started.", now, "failover")
	}
	st.event("db-instance", in.ID, in.ARN, "DB instance restarted", now, "availability")
	return xInstanceResult{DBInstance: st.xInstance(in, now)}, nil
}

func (st *rdsState) failoverDBCluster(f url.Values, now time.Time) (any, *rdsError) {
	cid := strings.ToLower(f.Get("DBClusterIdentifier"))
	c, ok := st.Clusters[cid]
	if !ok {
		return nil, errClusterNotFound(cid)
	}
	if c.Status != "available" {
		return nil, errf(400, "InvalidDBClusterStateFault", "DB cluster %s is not in available state.", cid)
	}
	if c.Secondary {
		// Its instances are all readers: the global database's failover or switchover
		// (FailoverGlobalCluster, SwitchoverGlobalCluster) makes it primary.
		return nil, errf(400, "InvalidDBClusterStateFault", "DB cluster %s is a secondary cluster of global database %s and has no writer to fail over; use FailoverGlobalCluster or SwitchoverGlobalCluster.", cid, c.Global)
	}
	ms := st.members(cid)
	var writer, target *dbInstance
	for _, m := range ms {
		if m.Writer {
			writer = m
		}
	}
	if tid := strings.ToLower(f.Get("TargetDBInstanceIdentifier")); tid != "" {
		for _, m := range ms {
			if m.ID == tid {
				target = m
			}
		}
		if target == nil {
			return nil, errInstanceNotFound(tid)
		}
	} else {
		for _, m := range ms {
			if !m.Writer && m.Status == "available" && (target == nil || m.PromotionTier < target.PromotionTier) {
				target = m
			}
		}
	}
	if target == nil || target == writer {
		return nil, errf(400, "InvalidDBClusterStateFault", "DB cluster %s has no available reader to fail over to.", cid)
	}
	if target.Status != "available" {
		return nil, errf(400, "InvalidDBInstanceState", "Failover target %s is not in available state.", target.ID)
	}
	// The roles change from now on, not over the metrics' history: CloudWatch's
	// DBClusterIdentifier+Role series follow the writer across the failover,
	// and the load moves with the role while each instance keeps its own series.
	if writer != nil {
		writer.Writer = false
		if wn, tn := st.Nodes[writer.ID], st.Nodes[target.ID]; wn != nil && tn != nil {
			failOver(wn, tn, now)
		}
	} else if tn := st.Nodes[target.ID]; tn != nil {
		tn.Roles = append(tn.Roles, roleSpan{From: now, Reader: false, Load: tn.loadID(now)})
	}
	target.Writer = true
	st.event("db-cluster", cid, c.ARN, "Started cross AZ failover to DB instance: "+target.ID, now, "failover")
	st.event("db-cluster", cid, c.ARN, "Completed failover to DB instance: "+target.ID, now, "failover")
	return xClusterResult{DBCluster: st.xCluster(c, now)}, nil
}

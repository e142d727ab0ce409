package sandbox

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// RDS Proxy. A proxy (CreateDBProxy; POSTGRESQL only) has one target group, "default", which
// RegisterDBProxyTargets points at one Aurora cluster or one standalone DB instance. Its targets
// are computed from the current state on every call, as AWS tracks a cluster: the cluster itself
// (TRACKED_CLUSTER) and each current member (RDS_INSTANCE: the writer READ_WRITE, the readers
// READ_ONLY), so deleting a reader needs no proxy bookkeeping. Every proxy has a default
// READ_WRITE endpoint bearing its name; CreateDBProxyEndpoint adds READ_WRITE or READ_ONLY ones,
// READ_ONLY only on a proxy in front of an Aurora cluster.

// dbProxy is one RDS Proxy.
type dbProxy struct {
	Name         string          `json:"name"`
	EngineFamily string          `json:"engineFamily"`
	RoleARN      string          `json:"roleArn"`
	Subnets      []string        `json:"vpcSubnetIds"`
	RequireTLS   bool            `json:"requireTLS,omitempty"`
	Created      time.Time       `json:"created"`
	Cluster      string          `json:"cluster,omitempty"`  // the registered Aurora cluster, or
	Instance     string          `json:"instance,omitempty"` // the registered standalone DB instance
	Endpoints    []proxyEndpoint `json:"endpoints,omitempty"`
}

// proxyEndpoint is an endpoint made with CreateDBProxyEndpoint.
type proxyEndpoint struct {
	Name       string    `json:"name"`
	TargetRole string    `json:"targetRole"` // READ_WRITE or READ_ONLY
	Subnets    []string  `json:"vpcSubnetIds"`
	Created    time.Time `json:"created"`
}

type xDBProxy struct {
	DBProxyName       string   `xml:"DBProxyName"`
	DBProxyArn        string   `xml:"DBProxyArn"`
	Status            string   `xml:"Status"`
	EngineFamily      string   `xml:"EngineFamily"`
	VpcSubnetIds      []string `xml:"VpcSubnetIds>member"`
	RoleArn           string   `xml:"RoleArn"`
	Endpoint          string   `xml:"Endpoint"`
	RequireTLS        bool     `xml:"RequireTLS"`
	IdleClientTimeout int32    `xml:"IdleClientTimeout"`
	DebugLogging      bool     `xml:"DebugLogging"`
	CreatedDate       string   `xml:"CreatedDate"`
	UpdatedDate       string   `xml:"UpdatedDate"`
}

type xTargetHealth struct {
	State string `xml:"State"`
}

type xDBProxyTarget struct {
	TargetArn        string         `xml:"TargetArn,omitempty"`
	Endpoint         string         `xml:"Endpoint,omitempty"`
	TrackedClusterId string         `xml:"TrackedClusterId,omitempty"`
	RdsResourceId    string         `xml:"RdsResourceId"`
	Port             int32          `xml:"Port"`
	Type             string         `xml:"Type"`
	Role             string         `xml:"Role,omitempty"`
	TargetHealth     *xTargetHealth `xml:"TargetHealth,omitempty"`
}

type xDBProxyEndpoint struct {
	DBProxyEndpointName string   `xml:"DBProxyEndpointName"`
	DBProxyEndpointArn  string   `xml:"DBProxyEndpointArn,omitempty"`
	DBProxyName         string   `xml:"DBProxyName"`
	Status              string   `xml:"Status"`
	VpcSubnetIds        []string `xml:"VpcSubnetIds>member"`
	Endpoint            string   `xml:"Endpoint"`
	CreatedDate         string   `xml:"CreatedDate"`
	TargetRole          string   `xml:"TargetRole"`
	IsDefault           bool     `xml:"IsDefault"`
}

type xDBProxyResult struct {
	DBProxy xDBProxy `xml:"DBProxy"`
}

type xDBProxyEndpointResult struct {
	DBProxyEndpoint xDBProxyEndpoint `xml:"DBProxyEndpoint"`
}

type xRegisterDBProxyTargetsResult struct {
	DBProxyTargets []xDBProxyTarget `xml:"DBProxyTargets>member"`
}

type xDescribeDBProxiesResult struct {
	Marker    string     `xml:"Marker,omitempty"`
	DBProxies []xDBProxy `xml:"DBProxies>member"`
}

type xDescribeDBProxyTargetsResult struct {
	Marker  string           `xml:"Marker,omitempty"`
	Targets []xDBProxyTarget `xml:"Targets>member"`
}

type xDescribeDBProxyEndpointsResult struct {
	Marker           string             `xml:"Marker,omitempty"`
	DBProxyEndpoints []xDBProxyEndpoint `xml:"DBProxyEndpoints>member"`
}

func errProxyNotFound(name string) *rdsError {
	return errf(404, "DBProxyNotFoundFault", "DBProxy %s not found.", name)
}

// proxy returns the proxy the request's DBProxyName names.
func (st *rdsState) proxy(f url.Values) (*dbProxy, *rdsError) {
	name := strings.ToLower(f.Get("DBProxyName"))
	p, ok := st.Proxies[name]
	if !ok {
		return nil, errProxyNotFound(name)
	}
	return p, nil
}

// proxyNames are the proxies a describe call asks for: the one its DBProxyName names, or all of
// them, by name.
func (st *rdsState) proxyNames(f url.Values) ([]string, *rdsError) {
	if f.Get("DBProxyName") == "" {
		return sortedKeys(st.Proxies), nil
	}
	p, e := st.proxy(f)
	if e != nil {
		return nil, e
	}
	return []string{p.Name}, nil
}

// defaultTargetGroup refuses a TargetGroupName other than "default", a proxy's only target group.
func defaultTargetGroup(f url.Values) *rdsError {
	if g := f.Get("TargetGroupName"); g != "" && g != "default" {
		return errf(404, "DBProxyTargetGroupNotFoundFault", "DBProxy target group %s not found.", g)
	}
	return nil
}

// proxyEndpointTaken reports whether an endpoint is named name: a created one, or the default
// endpoint of a proxy, which bears the proxy's name.
func (st *rdsState) proxyEndpointTaken(name string) bool {
	for _, p := range st.Proxies {
		if p.Name == name || slices.ContainsFunc(p.Endpoints, func(e proxyEndpoint) bool { return e.Name == name }) {
			return true
		}
	}
	return false
}

func (st *rdsState) createDBProxy(f url.Values, now time.Time) (any, *rdsError) {
	name := strings.ToLower(f.Get("DBProxyName"))
	if !validID(name) {
		return nil, errParam("The parameter DBProxyName is not a valid identifier.")
	}
	if _, ok := st.Proxies[name]; ok || st.proxyEndpointTaken(name) {
		return nil, errf(400, "DBProxyAlreadyExistsFault", "A DB proxy or DB proxy endpoint named %s already exists.", name)
	}
	if fam := f.Get("EngineFamily"); fam != "POSTGRESQL" {
		return nil, errParam("EngineFamily %q is not supported by the sandbox: it emulates POSTGRESQL proxies only.", fam)
	}
	subnets := formList(f, "VpcSubnetIds.member")
	if f.Get("RoleArn") == "" || len(subnets) == 0 {
		return nil, errParam("RoleArn and VpcSubnetIds are required.")
	}
	tls, e := formBool(f, "RequireTLS")
	if e != nil {
		return nil, e
	}
	if st.Proxies == nil { // a state file written before the sandbox had proxies
		st.Proxies = map[string]*dbProxy{}
	}
	p := &dbProxy{Name: name, EngineFamily: "POSTGRESQL", RoleARN: f.Get("RoleArn"), Subnets: subnets,
		RequireTLS: tls != nil && *tls, Created: now}
	st.Proxies[name] = p
	return xDBProxyResult{DBProxy: st.xProxy(p)}, nil
}

func (st *rdsState) registerDBProxyTargets(f url.Values, _ time.Time) (any, *rdsError) {
	p, e := st.proxy(f)
	if e != nil {
		return nil, e
	}
	if e := defaultTargetGroup(f); e != nil {
		return nil, e
	}
	clusters, instances := lower(formList(f, "DBClusterIdentifiers.member")), lower(formList(f, "DBInstanceIdentifiers.member"))
	if len(clusters)+len(instances) != 1 {
		return nil, errParam("Specify one DB cluster or one DB instance: a proxy's target group has one target.")
	}
	if p.Cluster != "" || p.Instance != "" {
		return nil, errf(400, "DBProxyTargetAlreadyRegisteredFault", "The target group of DB proxy %s already has a registered target.", p.Name)
	}
	var engine string
	if len(clusters) == 1 {
		c, ok := st.Clusters[clusters[0]]
		if !ok {
			return nil, errClusterNotFound(clusters[0])
		}
		engine = c.Engine
	} else {
		in, ok := st.Instances[instances[0]]
		if !ok {
			return nil, errInstanceNotFound(instances[0])
		}
		if in.Cluster != "" {
			return nil, errCombo("DB instance %s is a member of DB cluster %s: register the cluster instead.", in.ID, in.Cluster)
		}
		engine = in.Engine
	}
	if !strings.Contains(engine, "postgres") {
		return nil, errCombo("The engine %s does not match the engine family %s of DB proxy %s.", engine, p.EngineFamily, p.Name)
	}
	if len(clusters) == 1 {
		p.Cluster = clusters[0]
	} else {
		p.Instance = instances[0]
	}
	return xRegisterDBProxyTargetsResult{DBProxyTargets: st.proxyTargets(p)}, nil
}

func (st *rdsState) createDBProxyEndpoint(f url.Values, now time.Time) (any, *rdsError) {
	p, e := st.proxy(f)
	if e != nil {
		return nil, e
	}
	name := strings.ToLower(f.Get("DBProxyEndpointName"))
	if !validID(name) {
		return nil, errParam("The parameter DBProxyEndpointName is not a valid identifier.")
	}
	if st.proxyEndpointTaken(name) {
		return nil, errf(400, "DBProxyEndpointAlreadyExistsFault", "DB proxy endpoint %s already exists.", name)
	}
	role := f.Get("TargetRole")
	if role == "" {
		role = "READ_WRITE"
	}
	if role != "READ_WRITE" && role != "READ_ONLY" {
		return nil, errParam("TargetRole must be READ_WRITE or READ_ONLY, not %q.", role)
	}
	// AWS: CreateDBProxyEndpoint "only applies to proxies that are associated with Aurora DB
	// clusters", and a READ_ONLY endpoint needs the cluster's reader instances. Of the operation's
	// modelled errors, InvalidDBProxyStateFault ("the requested operation can't be performed while
	// the proxy is in this state") is the one that fits: what is missing is the proxy's Aurora
	// target, not a request parameter. READ_WRITE endpoints stay allowed for any proxy.
	if role == "READ_ONLY" && p.Cluster == "" {
		return nil, errf(400, "InvalidDBProxyStateFault", "DB proxy %s does not target an Aurora DB cluster: a READ_ONLY endpoint needs the cluster's reader instances.", p.Name)
	}
	subnets := formList(f, "VpcSubnetIds.member")
	if len(subnets) == 0 {
		return nil, errParam("VpcSubnetIds is required.")
	}
	ep := proxyEndpoint{Name: name, TargetRole: role, Subnets: subnets, Created: now}
	p.Endpoints = append(p.Endpoints, ep)
	return xDBProxyEndpointResult{DBProxyEndpoint: st.xProxyEndpoint(p, ep)}, nil
}

func (st *rdsState) describeDBProxies(f url.Values, _ time.Time) (any, *rdsError) {
	if _, e := knownFilters(f); e != nil {
		return nil, e
	}
	names, e := st.proxyNames(f)
	if e != nil {
		return nil, e
	}
	pg, marker, e := page(f, names)
	if e != nil {
		return nil, e
	}
	res := xDescribeDBProxiesResult{Marker: marker, DBProxies: []xDBProxy{}}
	for _, n := range pg {
		res.DBProxies = append(res.DBProxies, st.xProxy(st.Proxies[n]))
	}
	return res, nil
}

func (st *rdsState) describeDBProxyTargets(f url.Values, _ time.Time) (any, *rdsError) {
	p, e := st.proxy(f)
	if e != nil {
		return nil, e
	}
	if e := defaultTargetGroup(f); e != nil {
		return nil, e
	}
	if _, e := knownFilters(f); e != nil {
		return nil, e
	}
	pg, marker, e := pageSlice(f, st.proxyTargets(p))
	if e != nil {
		return nil, e
	}
	return xDescribeDBProxyTargetsResult{Marker: marker, Targets: append([]xDBProxyTarget{}, pg...)}, nil
}

func (st *rdsState) describeDBProxyEndpoints(f url.Values, _ time.Time) (any, *rdsError) {
	if _, e := knownFilters(f); e != nil {
		return nil, e
	}
	names, e := st.proxyNames(f)
	if e != nil {
		return nil, e
	}
	eid := strings.ToLower(f.Get("DBProxyEndpointName"))
	var keep []xDBProxyEndpoint
	for _, n := range names {
		p := st.Proxies[n]
		eps := slices.Clone(p.Endpoints)
		slices.SortFunc(eps, func(a, b proxyEndpoint) int { return strings.Compare(a.Name, b.Name) })
		all := []xDBProxyEndpoint{{DBProxyEndpointName: p.Name, DBProxyName: p.Name, Status: "available",
			VpcSubnetIds: p.Subnets, Endpoint: st.endpointHost(p.Name + ".proxy"), CreatedDate: ts(p.Created),
			TargetRole: "READ_WRITE", IsDefault: true}}
		for _, ep := range eps {
			all = append(all, st.xProxyEndpoint(p, ep))
		}
		for _, x := range all {
			if eid == "" || x.DBProxyEndpointName == eid {
				keep = append(keep, x)
			}
		}
	}
	if eid != "" && len(keep) == 0 {
		return nil, errf(404, "DBProxyEndpointNotFoundFault", "DBProxy endpoint %s not found.", eid)
	}
	pg, marker, e := pageSlice(f, keep)
	if e != nil {
		return nil, e
	}
	return xDescribeDBProxyEndpointsResult{Marker: marker, DBProxyEndpoints: append([]xDBProxyEndpoint{}, pg...)}, nil
}

// proxyTargets are the current targets of p's target group: for an Aurora cluster the cluster
// (TRACKED_CLUSTER; AWS gives it no TargetArn) and its present members, for a standalone DB
// instance the instance; none when nothing is registered or the target is gone.
func (st *rdsState) proxyTargets(p *dbProxy) []xDBProxyTarget {
	port := func(port int32) int32 {
		if st.endpointP != 0 {
			return st.endpointP
		}
		return port
	}
	instance := func(in *dbInstance, role string) xDBProxyTarget {
		return xDBProxyTarget{TargetArn: in.ARN, Endpoint: st.endpointHost(in.ID), TrackedClusterId: in.Cluster,
			RdsResourceId: in.ID, Port: port(in.Port), Type: "RDS_INSTANCE", Role: role,
			TargetHealth: &xTargetHealth{State: targetState(in.Status)}}
	}
	out := []xDBProxyTarget{}
	if c, ok := st.Clusters[p.Cluster]; ok {
		out = append(out, xDBProxyTarget{RdsResourceId: c.ID, TrackedClusterId: c.ID, Port: port(c.Port), Type: "TRACKED_CLUSTER"})
		for _, in := range st.members(c.ID) {
			role := "READ_ONLY"
			if in.Writer {
				role = "READ_WRITE"
			}
			out = append(out, instance(in, role))
		}
	} else if in, ok := st.Instances[p.Instance]; ok {
		out = append(out, instance(in, "READ_WRITE"))
	}
	return out
}

// targetState is the TargetHealth State of a DB instance target with this status.
func targetState(status string) string {
	switch status {
	case "creating":
		return "REGISTERING"
	case "delete-precheck", "deleting", "rebooting", "failed":
		return "UNAVAILABLE"
	}
	return "AVAILABLE"
}

func (st *rdsState) xProxy(p *dbProxy) xDBProxy {
	return xDBProxy{DBProxyName: p.Name, DBProxyArn: st.arn("db-proxy", p.Name), Status: "available",
		EngineFamily: p.EngineFamily, VpcSubnetIds: p.Subnets, RoleArn: p.RoleARN, Endpoint: st.endpointHost(p.Name + ".proxy"),
		RequireTLS: p.RequireTLS, IdleClientTimeout: 1800, CreatedDate: ts(p.Created), UpdatedDate: ts(p.Created)}
}

func (st *rdsState) xProxyEndpoint(p *dbProxy, ep proxyEndpoint) xDBProxyEndpoint {
	return xDBProxyEndpoint{DBProxyEndpointName: ep.Name, DBProxyEndpointArn: st.arn("db-proxy-endpoint", ep.Name),
		DBProxyName: p.Name, Status: "available", VpcSubnetIds: ep.Subnets, Endpoint: st.endpointHost(ep.Name + ".endpoint.proxy"),
		CreatedDate: ts(ep.Created), TargetRole: ep.TargetRole}
}

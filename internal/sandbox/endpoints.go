package sandbox

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// Aurora cluster endpoints. Every cluster has its writer (cluster) and reader endpoints; custom
// endpoints are made with CreateDBClusterEndpoint. A custom endpoint of type READER can route to
// the cluster's readers only, one of type ANY to every instance; its members are its static
// list, or, when that is empty, every eligible instance not on its exclusion list. The lists are
// kept as given: deleting an instance does not edit them.

// customEndpoint is one custom endpoint of a cluster.
type customEndpoint struct {
	ID         string   `json:"id"`
	Type       string   `json:"type"` // READER or ANY
	Static     []string `json:"static,omitempty"`
	Excluded   []string `json:"excluded,omitempty"`
	ResourceID string   `json:"resourceId"`
	ARN        string   `json:"arn"`
}

type xDBClusterEndpoint struct {
	CustomEndpointType                  string   `xml:"CustomEndpointType,omitempty"`
	DBClusterEndpointArn                string   `xml:"DBClusterEndpointArn,omitempty"`
	DBClusterEndpointIdentifier         string   `xml:"DBClusterEndpointIdentifier,omitempty"`
	DBClusterEndpointResourceIdentifier string   `xml:"DBClusterEndpointResourceIdentifier,omitempty"`
	DBClusterIdentifier                 string   `xml:"DBClusterIdentifier"`
	Endpoint                            string   `xml:"Endpoint"`
	EndpointType                        string   `xml:"EndpointType"`
	ExcludedMembers                     []string `xml:"ExcludedMembers>member"`
	StaticMembers                       []string `xml:"StaticMembers>member"`
	Status                              string   `xml:"Status"`
}

type xDescribeDBClusterEndpointsResult struct {
	Marker             string               `xml:"Marker,omitempty"`
	DBClusterEndpoints []xDBClusterEndpoint `xml:"DBClusterEndpoints>DBClusterEndpointList"`
}

func (st *rdsState) createDBClusterEndpoint(f url.Values, _ time.Time) (any, *rdsError) {
	cid := strings.ToLower(idFromARN(f.Get("DBClusterIdentifier")))
	c, ok := st.Clusters[cid]
	if !ok {
		return nil, errClusterNotFound(cid)
	}
	if c.multiAZ() {
		return nil, errCombo("Custom endpoints aren't supported for Multi-AZ DB cluster %s: use its writer, reader or instance endpoints.", cid)
	}
	id := strings.ToLower(f.Get("DBClusterEndpointIdentifier"))
	if !validID(id) {
		return nil, errParam("The parameter DBClusterEndpointIdentifier is not a valid identifier.")
	}
	for _, o := range st.Clusters {
		for _, e := range o.Endpoints {
			if e.ID == id {
				return nil, errf(400, "DBClusterEndpointAlreadyExistsFault", "DB cluster endpoint %s already exists.", id)
			}
		}
	}
	typ := strings.ToUpper(f.Get("EndpointType"))
	if typ != "READER" && typ != "ANY" {
		return nil, errParam("EndpointType must be READER or ANY, not %q.", f.Get("EndpointType"))
	}
	static, excluded := lower(formList(f, "StaticMembers.member")), lower(formList(f, "ExcludedMembers.member"))
	if len(static) > 0 && len(excluded) > 0 {
		return nil, errCombo("StaticMembers and ExcludedMembers cannot both be set.")
	}
	for _, m := range append(slices.Clone(static), excluded...) {
		if in, ok := st.Instances[m]; !ok || in.Cluster != cid {
			return nil, errParam("DB instance %s is not a member of DB cluster %s.", m, cid)
		}
	}
	e := customEndpoint{ID: id, Type: typ, Static: static, Excluded: excluded,
		ResourceID: st.resourceID("cluster-endpoint-", id), ARN: st.arn("cluster-endpoint", id)}
	c.Endpoints = append(c.Endpoints, e)
	return st.xCustomEndpoint(c, e), nil
}

func (st *rdsState) describeDBClusterEndpoints(f url.Values, _ time.Time) (any, *rdsError) {
	clusters, e := st.selectedClusters(f)
	if e != nil {
		return nil, e
	}
	eid := strings.ToLower(f.Get("DBClusterEndpointIdentifier"))
	filters, e := knownFilters(f, "db-cluster-endpoint-type", "db-cluster-endpoint-custom-type", "db-cluster-endpoint-status")
	if e != nil {
		return nil, e
	}
	var all []xDBClusterEndpoint
	for _, c := range clusters {
		all = append(all,
			xDBClusterEndpoint{DBClusterIdentifier: c.ID, EndpointType: "WRITER", Status: "available",
				Endpoint: st.endpointHost(c.ID + ".cluster")},
			xDBClusterEndpoint{DBClusterIdentifier: c.ID, EndpointType: "READER", Status: "available",
				Endpoint: st.endpointHost(c.ID + ".cluster-ro")})
		for _, e := range c.Endpoints {
			all = append(all, st.xCustomEndpoint(c, e))
		}
	}
	var keep []xDBClusterEndpoint
	for _, e := range all {
		ok := eid == "" || e.DBClusterEndpointIdentifier == eid
		for _, fl := range filters {
			switch fl.Name {
			case "db-cluster-endpoint-type":
				ok = ok && matches(lower(fl.Values), strings.ToLower(e.EndpointType))
			case "db-cluster-endpoint-custom-type":
				ok = ok && e.CustomEndpointType != "" && matches(lower(fl.Values), strings.ToLower(e.CustomEndpointType))
			case "db-cluster-endpoint-status":
				ok = ok && matches(lower(fl.Values), e.Status)
			}
		}
		if ok {
			keep = append(keep, e)
		}
	}
	if eid != "" && len(keep) == 0 {
		return nil, errf(404, "DBClusterEndpointNotFoundFault", "DB cluster endpoint %s not found.", eid)
	}
	pg, marker, e := pageSlice(f, keep)
	if e != nil {
		return nil, e
	}
	return xDescribeDBClusterEndpointsResult{Marker: marker, DBClusterEndpoints: append([]xDBClusterEndpoint{}, pg...)}, nil
}

func (st *rdsState) xCustomEndpoint(c *dbCluster, e customEndpoint) xDBClusterEndpoint {
	return xDBClusterEndpoint{CustomEndpointType: e.Type, DBClusterEndpointArn: e.ARN, DBClusterEndpointIdentifier: e.ID,
		DBClusterEndpointResourceIdentifier: e.ResourceID, DBClusterIdentifier: c.ID, EndpointType: "CUSTOM",
		Endpoint: st.endpointHost(e.ID + ".cluster-custom"), Status: "available",
		StaticMembers: e.Static, ExcludedMembers: e.Excluded}
}

// endpointHost is the DNS name of an instance or cluster endpoint labelled label, or the
// override host of Options.EndpointHost (the demo points every endpoint at its PostgreSQL).
func (st *rdsState) endpointHost(label string) string {
	if st.endpointH != "" {
		return st.endpointH
	}
	return label + ".c1sandbox0." + st.Region + ".rds.amazonaws.com"
}

package topology

import (
	"fmt"
	"slices"
	"strings"
)

// rdsHostSuffixes end the DNS names RDS gives DB instance, cluster, custom and proxy endpoints.
var rdsHostSuffixes = []string{".rds.amazonaws.com", ".rds.amazonaws.com.cn"}

// ValidationHostMismatch reports why host, the host the validation connection dials, is the
// endpoint of another database than t's target, or "" when it is one of t's or when its name
// cannot tell. Validation counts rows on the database it reaches, so validating through another
// database's endpoint would pass whatever the change did to this one.
//
// Only RDS endpoint names are judged: "<instance>.<id>.<region>.rds.amazonaws.com" and
// "<cluster>.cluster[-ro]-<id>.<region>.rds.amazonaws.com". A DB instance target accepts its own
// instance endpoint; an Aurora cluster accepts its cluster (writer) and reader endpoints and the
// instance endpoints of its members. IP addresses, other DNS names (a tunnel, a private alias),
// RDS Proxy endpoints and Aurora custom endpoints (whose names are chosen freely) cannot be told
// apart by name and are accepted. Comparisons ignore case and a trailing dot.
func ValidationHostMismatch(t *Topology, host string) string {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if !slices.ContainsFunc(rdsHostSuffixes, func(s string) bool { return strings.HasSuffix(h, s) }) {
		return ""
	}
	labels := strings.Split(h, ".")
	if len(labels) < 5 {
		return ""
	}
	name, kind := labels[0], labels[1]
	if strings.HasPrefix(kind, "proxy-") || strings.HasPrefix(kind, "cluster-custom-") {
		return ""
	}
	for _, known := range t.endpointAddresses() {
		if h == known {
			return ""
		}
	}
	cluster := strings.HasPrefix(kind, "cluster-")
	id := strings.ToLower(t.Target.Identifier)
	switch t.Target.Kind {
	case KindInstance:
		if !cluster && name == id {
			return ""
		}
	case KindCluster:
		if cluster && name == id {
			return ""
		}
		if !cluster && slices.ContainsFunc(t.Members, func(m Member) bool { return strings.EqualFold(m.Identifier, name) }) {
			return ""
		}
	}
	other := "DB instance " + name
	if cluster {
		other = "DB cluster " + name
	}
	want := "its endpoint"
	if a := t.endpointAddresses(); len(a) > 0 {
		want = a[0] // the instance endpoint, or the cluster (writer) endpoint
	}
	return fmt.Sprintf("validation connects to %s, an endpoint of %s, not of %s, so it would count that database's rows and pass whatever the change did to this one; "+
		"give this resource a provider configuration of its own (provider = rightsize.<alias>) whose postgres host is %s", host, other, t.Target.Noun(), want)
}

// endpointAddresses lists the endpoint DNS names RDS reported for the target (lower case): the
// instance endpoint, or the cluster's writer and reader endpoints.
func (t *Topology) endpointAddresses() []string {
	var out []string
	add := func(s *string) {
		if v := strings.TrimSuffix(strings.ToLower(deref(s)), "."); v != "" {
			out = append(out, v)
		}
	}
	if t.Instance != nil && t.Instance.Endpoint != nil {
		add(t.Instance.Endpoint.Address)
	}
	if t.Cluster != nil {
		add(t.Cluster.Endpoint)
		add(t.Cluster.ReaderEndpoint)
	}
	return out
}

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
// Only RDS endpoint names of these two forms are judged: "<instance>.<id>.<region>.rds.amazonaws.com"
// and "<cluster>.cluster[-ro]-<id>.<region>.rds.amazonaws.com" (".rds.amazonaws.com.cn" in China). A DB instance target accepts its own
// instance endpoint; an Aurora cluster accepts its cluster (writer) and reader endpoints and the
// instance endpoints of its members. IP addresses, other DNS names (a tunnel, a private alias),
// RDS Proxy endpoints (default or additional), Aurora custom and global endpoints cannot be told
// apart by name and are accepted. Comparisons ignore case and a trailing dot.
func ValidationHostMismatch(t *Topology, host string) string {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if !slices.ContainsFunc(rdsHostSuffixes, func(s string) bool { return strings.HasSuffix(h, s) }) {
		return ""
	}
	labels := strings.Split(h, ".")
	nLabels := 6 // name.kind.region.rds.amazonaws.com
	if strings.HasSuffix(h, ".cn") {
		nLabels = 7
	}
	if len(labels) != nLabels {
		return "" // an RDS Proxy's additional endpoint, an Aurora global endpoint, ...: cannot tell
	}
	name, kind := labels[0], labels[1]
	if !rdsEndpointKind(kind) {
		return "" // proxy-, cluster-custom-, global-, shardgrp-, ...: cannot tell
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

// rdsEndpointKind reports whether kind, the second label of an RDS endpoint name, is that of a
// DB instance endpoint (the account's identifier in the region, letters and digits) or of an
// Aurora cluster's writer or reader endpoint ("cluster-<id>", "cluster-ro-<id>").
func rdsEndpointKind(kind string) bool {
	id, ok := strings.CutPrefix(kind, "cluster-ro-")
	if !ok {
		id, _ = strings.CutPrefix(kind, "cluster-")
	}
	if id == "" {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
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

package topology

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// rdsHostPatterns match the DNS names RDS gives DB instance, cluster (writer, reader, custom),
// RDS Proxy and Limitless shard group endpoints, in the forms AWS's own drivers recognise
// (aws/aws-advanced-go-wrapper awssql/utils/rds_utils.go: AURORA_DNS_PATTERN,
// AURORA_CHINA_DNS_PATTERN, AURORA_OLD_CHINA_DNS_PATTERN and AURORA_GOV_DNS_PATTERN; the Ruby
// wrapper adds "rds-fips" and the amazonaws.eu, .au and .uk domains):
//
//	<name>.[<kind>-]<id>.<region>.rds.amazonaws.com         commercial regions, GovCloud
//	<name>.[<kind>-]<id>.rds.<region>.amazonaws.com.cn      China
//	<name>.[<kind>-]<id>.<region>.rds.amazonaws.com.cn      China, older endpoints
//	<name>.[<kind>-]<id>.rds.<region>.amazonaws.com         GovCloud
//	<name>.[<kind>-]<id>.rds.<region>.c2s.ic.gov, .sc2s.sgov.gov   ISO regions
//	<name>.[<kind>-]<id>.<region>.rds.amazonaws.eu          European Sovereign Cloud
//
// Both orders ("<region>.rds" and "rds.<region>", either one "rds-fips") are accepted under the
// DNS suffix of every partition aws-sdk-go-v2 knows (internal/endpoints/awsrulesfn/partitions.json)
// and those the wrappers list: a name of either shape under one of them is an RDS endpoint
// whatever its partition. <id> is letters and digits; <kind> is "cluster-", "cluster-ro-",
// "cluster-custom-", "proxy-", "shardgrp-" or "global-" and absent for a DB instance endpoint.
// They are matched against the lower-cased name without its trailing dot.
var rdsHostPatterns = func() []*regexp.Regexp {
	const (
		head    = `^(?P<name>.+)\.(?P<kind>cluster-|cluster-ro-|cluster-custom-|proxy-|shardgrp-|global-)?[a-z0-9]+\.`
		rds     = `rds(?:-fips)?`
		region  = `[a-z0-9-]+`
		domains = `(?:amazonaws\.com|amazonaws\.com\.cn|amazonaws\.eu|amazonaws\.au|amazonaws\.uk|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$`
	)
	return []*regexp.Regexp{
		regexp.MustCompile(head + region + `\.` + rds + `\.` + domains), // <region>.rds.<domain>
		regexp.MustCompile(head + rds + `\.` + region + `\.` + domains), // rds.<region>.<domain>
	}
}()

// parseRDSHost returns the name (the first part: a DB instance, cluster, custom endpoint, proxy
// ... identifier) and kind ("" for a DB instance endpoint, else "cluster-", "cluster-ro-", ...)
// of h, a lower-cased host name without a trailing dot, when h has the form of an RDS endpoint
// name (rdsHostPatterns).
func parseRDSHost(h string) (name, kind string, ok bool) {
	for _, re := range rdsHostPatterns {
		if m := re.FindStringSubmatch(h); m != nil {
			return m[re.SubexpIndex("name")], m[re.SubexpIndex("kind")], true
		}
	}
	return "", "", false
}

// ValidationHostMismatch reports why host, the host the validation connection dials, is the
// endpoint of another database than t's target, or "" when it is one of t's or when its name
// cannot tell. Validation counts rows on the database it reaches, so validating through another
// database's endpoint would pass whatever the change did to this one.
//
// Only RDS endpoint names (rdsHostPatterns, in every partition's forms) of DB instances
// ("<instance>.<id>.<region>.rds.amazonaws.com") and of Aurora clusters' writer and reader
// endpoints ("<cluster>.cluster[-ro]-<id>.<region>.rds.amazonaws.com") are judged. A DB instance
// target accepts its own instance endpoint; an Aurora cluster accepts its cluster (writer) and
// reader endpoints and the instance endpoints of its members. IP addresses, other DNS names (a
// tunnel, a private alias), RDS Proxy endpoints (default or additional), Aurora custom, global
// and Limitless shard group endpoints cannot be told apart by name and are accepted.
// Comparisons ignore case and a trailing dot.
func ValidationHostMismatch(t *Topology, host string) string {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	name, kind, ok := parseRDSHost(h)
	if !ok || strings.Contains(name, ".") {
		return "" // not an RDS endpoint name, or an RDS Proxy's additional endpoint: cannot tell
	}
	if kind != "" && kind != "cluster-" && kind != "cluster-ro-" {
		return "" // proxy-, cluster-custom-, global-, shardgrp-: cannot tell
	}
	for _, known := range t.endpointAddresses() {
		if h == known {
			return ""
		}
	}
	cluster := kind != ""
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

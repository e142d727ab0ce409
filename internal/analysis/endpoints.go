package analysis

import (
	"fmt"
	"slices"
	"strings"
)

// CustomEndpoint is an Aurora custom endpoint (rds:DescribeDBClusterEndpoints, EndpointType
// CUSTOM). Type is "READER", which routes to the cluster's readers only, or "ANY", which routes to
// every instance. Its members are Static, or, when Static is empty, every eligible instance not
// in Excluded. Identifiers compare without regard to case, as RDS stores them in lower case.
type CustomEndpoint struct {
	ID       string
	Type     string // "READER" or "ANY"
	Static   []string
	Excluded []string
}

// Members returns the instances of a cluster with the given writer and readers that e routes to,
// the writer first, then the readers in the order given. It never fails: an unknown Type routes
// to nothing, and an empty writer is no instance.
func (e CustomEndpoint) Members(writer string, readers []string) []string {
	var eligible []string
	if strings.EqualFold(e.Type, "ANY") && writer != "" {
		eligible = append(eligible, writer)
	}
	if strings.EqualFold(e.Type, "ANY") || strings.EqualFold(e.Type, "READER") {
		eligible = append(eligible, readers...)
	}
	has := func(ids []string, id string) bool {
		return slices.ContainsFunc(ids, func(x string) bool { return strings.EqualFold(x, id) })
	}
	if len(e.Static) > 0 {
		return slices.DeleteFunc(eligible, func(id string) bool { return !has(e.Static, id) })
	}
	return slices.DeleteFunc(eligible, func(id string) bool { return has(e.Excluded, id) })
}

// Describe names e with its type and its static or exclusion list, for messages.
func (e CustomEndpoint) Describe() string {
	s := e.ID + " (type " + strings.ToUpper(e.Type)
	switch {
	case len(e.Static) > 0:
		s += ", static members " + strings.Join(e.Static, " ")
	case len(e.Excluded) > 0:
		s += ", excluding " + strings.Join(e.Excluded, " ")
	}
	return s + ")"
}

func (e CustomEndpoint) validate() error {
	if e.ID == "" {
		return errorf("custom endpoint: id is empty")
	}
	if !strings.EqualFold(e.Type, "READER") && !strings.EqualFold(e.Type, "ANY") {
		return errorf("custom endpoint %q: type %q: must be READER or ANY", e.ID, e.Type)
	}
	if len(e.Static) > 0 && len(e.Excluded) > 0 {
		return errorf("custom endpoint %q: has both static and excluded members; RDS allows one list", e.ID)
	}
	return nil
}

// ProxyEndpoint is a read-only endpoint of an RDS Proxy whose target is the Aurora cluster
// (rds:DescribeDBProxyEndpoints TargetRole READ_ONLY, rds:DescribeDBProxyTargets). It routes to
// the cluster's readers only and, unlike the cluster's reader endpoint, never falls back to the
// writer: RDS Proxy fails the requests to a read-only endpoint of a cluster without readers. So
// every one is left routing to no instance once the last reader is removed.
type ProxyEndpoint struct {
	Proxy    string // the DB proxy's name
	Endpoint string // the proxy endpoint's name
}

// Describe names e and its proxy, for messages.
func (e ProxyEndpoint) Describe() string {
	return e.Endpoint + " (read-only endpoint of RDS Proxy " + e.Proxy + ")"
}

func (e ProxyEndpoint) validate() error {
	if e.Proxy == "" || e.Endpoint == "" {
		return errorf("RDS Proxy endpoint %q of proxy %q: the proxy and endpoint names must be set", e.Endpoint, e.Proxy)
	}
	return nil
}

// ReplicaAutoScaling is Aurora Auto Scaling of a cluster's readers: the Application Auto Scaling
// scalable target of the cluster (namespace rds, dimension rds:cluster:ReadReplicaCount), which
// keeps between MinCapacity and MaxCapacity readers (0–15 each). With MinCapacity of 1 or more
// it puts a reader back after the last one is removed, so a single node does not last.
type ReplicaAutoScaling struct {
	MinCapacity, MaxCapacity int
}

// Describe states the target's capacity range, for messages.
func (a ReplicaAutoScaling) Describe() string {
	return fmt.Sprintf("Aurora Auto Scaling keeps %d to %d reader(s)", a.MinCapacity, a.MaxCapacity)
}

func (a ReplicaAutoScaling) validate() error {
	if a.MinCapacity < 0 || a.MaxCapacity < a.MinCapacity || a.MaxCapacity > 15 {
		return errorf("replica auto scaling: capacity %d to %d: must satisfy 0 <= min <= max <= 15", a.MinCapacity, a.MaxCapacity)
	}
	return nil
}

// BlueGreenDeployment is an RDS blue/green deployment whose source (blue) database is the
// cluster, and which has not switched over (rds:DescribeBlueGreenDeployments, any status but
// SWITCHOVER_COMPLETED). Its green copy was made with the topology the database had then, and a
// switchover makes the green copy the production database under the blue one's name: a change
// made to the blue database alone does not last.
type BlueGreenDeployment struct {
	ID     string // the deployment's identifier (bgd-…)
	Name   string // its user-supplied name
	Status string // PROVISIONING, AVAILABLE, SWITCHOVER_IN_PROGRESS, ...
	Source string // the blue database's ARN
	Target string // the green database's ARN
}

// Describe names d, its status and its green database, for messages.
func (d BlueGreenDeployment) Describe() string {
	s := d.label()
	if d.Target != "" {
		s += ", green database " + d.Target
	}
	return s
}

// DescribeGreen states what d's green (target) database is, for messages about that database.
func (d BlueGreenDeployment) DescribeGreen() string {
	return "the green database of " + d.label() + ": a staging copy of " + d.Source + ", which it replaces at switchover"
}

// label names d with its name and status.
func (d BlueGreenDeployment) label() string {
	s := "blue/green deployment " + d.ID
	if d.Name != "" {
		s += " (" + d.Name + ")"
	}
	if d.Status != "" {
		s += ", status " + d.Status
	}
	return s
}

func (d BlueGreenDeployment) validate() error {
	if d.ID == "" {
		return errorf("blue/green deployment %q: the identifier must be set", d.Name)
	}
	return nil
}

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// isErr reports whether err is (wraps) the SDK's typed error T.
func isErr[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

func createProxy(ctx context.Context, rc *rds.Client, name, family string) (*rds.CreateDBProxyOutput, error) {
	return rc.CreateDBProxy(ctx, &rds.CreateDBProxyInput{DBProxyName: aws.String(name), EngineFamily: rdstypes.EngineFamily(family),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/proxy"), VpcSubnetIds: []string{"subnet-a", "subnet-b"}})
}

func registerTarget(ctx context.Context, rc *rds.Client, proxy string, clusters, instances []string) (*rds.RegisterDBProxyTargetsOutput, error) {
	return rc.RegisterDBProxyTargets(ctx, &rds.RegisterDBProxyTargetsInput{DBProxyName: aws.String(proxy),
		DBClusterIdentifiers: clusters, DBInstanceIdentifiers: instances})
}

func createProxyEndpoint(ctx context.Context, rc *rds.Client, proxy, name string, role rdstypes.DBProxyEndpointTargetRole) (*rds.CreateDBProxyEndpointOutput, error) {
	return rc.CreateDBProxyEndpoint(ctx, &rds.CreateDBProxyEndpointInput{DBProxyName: aws.String(proxy), DBProxyEndpointName: aws.String(name),
		TargetRole: role, VpcSubnetIds: []string{"subnet-c"}})
}

// targetSummary is Type/RdsResourceId/TrackedClusterId/Role/health state of each target.
func targetSummary(ts []rdstypes.DBProxyTarget) []string {
	var out []string
	for _, t := range ts {
		state := ""
		if t.TargetHealth != nil {
			state = string(t.TargetHealth.State)
		}
		out = append(out, fmt.Sprintf("%s/%s/%s/%s/%s", t.Type, aws.ToString(t.RdsResourceId), aws.ToString(t.TrackedClusterId), t.Role, state))
	}
	return out
}

// endpointSummary is DBProxyEndpointName/DBProxyName/TargetRole/IsDefault of each endpoint.
func endpointSummary(es []rdstypes.DBProxyEndpoint) []string {
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%s/%s/%s/%t", aws.ToString(e.DBProxyEndpointName), aws.ToString(e.DBProxyName), e.TargetRole, aws.ToBool(e.IsDefault)))
	}
	return out
}

// paginator is what the SDK's RDS paginators have in common.
type paginator[O any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*rds.Options)) (O, error)
}

// everyPage returns the items of every page of p (items picks them from a page), failing the
// test on an error.
func everyPage[O, T any](t *testing.T, p paginator[O], items func(O) []T) []T {
	t.Helper()
	var all []T
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, items(page)...)
	}
	return all
}

func proxyTargets(t *testing.T, rc *rds.Client, in *rds.DescribeDBProxyTargetsInput) []rdstypes.DBProxyTarget {
	t.Helper()
	return everyPage(t, rds.NewDescribeDBProxyTargetsPaginator(rc, in), func(o *rds.DescribeDBProxyTargetsOutput) []rdstypes.DBProxyTarget { return o.Targets })
}

func proxyEndpoints(t *testing.T, rc *rds.Client, in *rds.DescribeDBProxyEndpointsInput) []rdstypes.DBProxyEndpoint {
	t.Helper()
	return everyPage(t, rds.NewDescribeDBProxyEndpointsPaginator(rc, in), func(o *rds.DescribeDBProxyEndpointsOutput) []rdstypes.DBProxyEndpoint {
		return o.DBProxyEndpoints
	})
}

// An RDS Proxy in front of the demo's Aurora cluster, with a reader and a writer endpoint, over
// the real SDK: its targets follow the cluster's membership as it changes.
func TestDBProxyAuroraCluster(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	created, err := createProxy(ctx, rc, "SSO-Proxy", "POSTGRESQL")
	if err != nil {
		t.Fatal(err)
	}
	p := created.DBProxy
	if aws.ToString(p.DBProxyName) != "sso-proxy" || p.Status != rdstypes.DBProxyStatusAvailable || p.EngineFamily == nil || *p.EngineFamily != "POSTGRESQL" ||
		aws.ToString(p.DBProxyArn) != "arn:aws:rds:us-east-1:123456789012:db-proxy:sso-proxy" ||
		aws.ToString(p.Endpoint) != "sso-proxy.proxy.c1sandbox0.us-east-1.rds.amazonaws.com" || aws.ToBool(p.RequireTLS) ||
		!slices.Equal(p.VpcSubnetIds, []string{"subnet-a", "subnet-b"}) || aws.ToString(p.RoleArn) != "arn:aws:iam::123456789012:role/proxy" {
		t.Fatalf("created %+v", p)
	}
	reg, err := registerTarget(ctx, rc, "sso-proxy", []string{"sso-prod"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"TRACKED_CLUSTER/sso-prod/sso-prod//", "RDS_INSTANCE/sso-prod-instance-1/sso-prod/READ_WRITE/AVAILABLE",
		"RDS_INSTANCE/sso-prod-instance-2/sso-prod/READ_ONLY/AVAILABLE"}
	if got := targetSummary(reg.DBProxyTargets); !slices.Equal(got, want) {
		t.Fatalf("registered targets %v, want %v", got, want)
	}
	ro, err := createProxyEndpoint(ctx, rc, "sso-proxy", "sso-ro", rdstypes.DBProxyEndpointTargetRoleReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	if e := ro.DBProxyEndpoint; aws.ToString(e.DBProxyEndpointName) != "sso-ro" || aws.ToString(e.DBProxyName) != "sso-proxy" ||
		e.TargetRole != rdstypes.DBProxyEndpointTargetRoleReadOnly || aws.ToBool(e.IsDefault) || e.Status != rdstypes.DBProxyEndpointStatusAvailable ||
		aws.ToString(e.Endpoint) != "sso-ro.endpoint.proxy.c1sandbox0.us-east-1.rds.amazonaws.com" ||
		aws.ToString(e.DBProxyEndpointArn) != "arn:aws:rds:us-east-1:123456789012:db-proxy-endpoint:sso-ro" || !slices.Equal(e.VpcSubnetIds, []string{"subnet-c"}) {
		t.Fatalf("created endpoint %+v", e)
	}
	rw, err := createProxyEndpoint(ctx, rc, "sso-proxy", "sso-rw", "") // TargetRole defaults to READ_WRITE
	if err != nil {
		t.Fatal(err)
	}
	if rw.DBProxyEndpoint.TargetRole != rdstypes.DBProxyEndpointTargetRoleReadWrite {
		t.Fatalf("default TargetRole %q", rw.DBProxyEndpoint.TargetRole)
	}

	proxies, err := rc.DescribeDBProxies(ctx, &rds.DescribeDBProxiesInput{})
	if err != nil || len(proxies.DBProxies) != 1 || aws.ToString(proxies.DBProxies[0].DBProxyName) != "sso-proxy" ||
		aws.ToString(proxies.DBProxies[0].Endpoint) != aws.ToString(p.Endpoint) {
		t.Fatalf("DescribeDBProxies: %v %+v", err, proxies)
	}
	if got := targetSummary(proxyTargets(t, rc, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("sso-proxy"), TargetGroupName: aws.String("default")})); !slices.Equal(got, want) {
		t.Fatalf("targets %v, want %v", got, want)
	}
	eps := proxyEndpoints(t, rc, &rds.DescribeDBProxyEndpointsInput{DBProxyName: aws.String("sso-proxy")})
	wantEps := []string{"sso-proxy/sso-proxy/READ_WRITE/true", "sso-ro/sso-proxy/READ_ONLY/false", "sso-rw/sso-proxy/READ_WRITE/false"}
	if got := endpointSummary(eps); !slices.Equal(got, wantEps) {
		t.Fatalf("endpoints %v, want %v", got, wantEps)
	}
	if aws.ToString(eps[0].Endpoint) != aws.ToString(p.Endpoint) {
		t.Errorf("default endpoint host %q, want the proxy's %q", aws.ToString(eps[0].Endpoint), aws.ToString(p.Endpoint))
	}
	if got := endpointSummary(proxyEndpoints(t, rc, &rds.DescribeDBProxyEndpointsInput{DBProxyEndpointName: aws.String("sso-ro")})); !slices.Equal(got, wantEps[1:2]) {
		t.Fatalf("by name: %v", got)
	}

	// Deleting the only reader: it shows UNAVAILABLE while it is deleted, then only the cluster
	// and the writer remain, while the READ_ONLY endpoint still targets the cluster.
	if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2")}); err != nil {
		t.Fatal(err)
	}
	deleting := []string{want[0], want[1], "RDS_INSTANCE/sso-prod-instance-2/sso-prod/READ_ONLY/UNAVAILABLE"}
	if got := targetSummary(proxyTargets(t, rc, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("sso-proxy")})); !slices.Equal(got, deleting) {
		t.Fatalf("targets while deleting %v, want %v", got, deleting)
	}
	srv.Advance(DefaultDurations.DeletePrecheck)
	if got := targetSummary(proxyTargets(t, rc, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("sso-proxy")})); !slices.Equal(got, deleting) {
		t.Fatalf("targets after the delete precheck %v, want %v", got, deleting)
	}
	srv.Advance(DefaultDurations.DeleteInstance)
	if got := targetSummary(proxyTargets(t, rc, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("sso-proxy")})); !slices.Equal(got, want[:2]) {
		t.Fatalf("targets after deletion %v, want %v", got, want[:2])
	}
	if got := endpointSummary(proxyEndpoints(t, rc, &rds.DescribeDBProxyEndpointsInput{})); !slices.Equal(got, wantEps) {
		t.Fatalf("endpoints after deletion %v, want %v", got, wantEps)
	}
}

// A proxy in front of a standalone instance: one READ_WRITE target without a tracked cluster,
// and no READ_ONLY endpoint.
func TestDBProxyStandaloneInstance(t *testing.T) {
	_, rc, _ := start(t, Options{})
	ctx := context.Background()
	if _, err := createProxy(ctx, rc, "mandible-proxy", "POSTGRESQL"); err != nil {
		t.Fatal(err)
	}
	if got := proxyTargets(t, rc, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("mandible-proxy")}); len(got) != 0 {
		t.Fatalf("targets before registration: %v", targetSummary(got))
	}
	if _, err := registerTarget(ctx, rc, "mandible-proxy", nil, []string{"mandible-prod"}); err != nil {
		t.Fatal(err)
	}
	ts := proxyTargets(t, rc, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("mandible-proxy")})
	if got, want := targetSummary(ts), []string{"RDS_INSTANCE/mandible-prod//READ_WRITE/AVAILABLE"}; !slices.Equal(got, want) {
		t.Fatalf("targets %v, want %v", got, want)
	}
	if ts[0].TrackedClusterId != nil || aws.ToInt32(ts[0].Port) != 5432 || aws.ToString(ts[0].Endpoint) != "mandible-prod.c1sandbox0.us-east-1.rds.amazonaws.com" ||
		aws.ToString(ts[0].TargetArn) != "arn:aws:rds:us-east-1:123456789012:db:mandible-prod" {
		t.Fatalf("target %+v", ts[0])
	}
	_, err := createProxyEndpoint(ctx, rc, "mandible-proxy", "mandible-ro", rdstypes.DBProxyEndpointTargetRoleReadOnly)
	if !isErr[*rdstypes.InvalidDBProxyStateFault](err) {
		t.Fatalf("READ_ONLY endpoint on an instance proxy: %v", err)
	}
	if _, err := createProxyEndpoint(ctx, rc, "mandible-proxy", "mandible-rw", rdstypes.DBProxyEndpointTargetRoleReadWrite); err != nil {
		t.Fatalf("READ_WRITE endpoint on an instance proxy: %v", err)
	}
}

// Every refusal, as the SDK's typed error where the SDK has one.
func TestDBProxyErrors(t *testing.T) {
	_, rc, _ := start(t, Options{})
	ctx := context.Background()
	for _, name := range []string{"sso-proxy", "bare-proxy", "mysql-proxy"} {
		if _, err := createProxy(ctx, rc, name, "POSTGRESQL"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := registerTarget(ctx, rc, "sso-proxy", []string{"sso-prod"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := createProxyEndpoint(ctx, rc, "sso-proxy", "sso-ro", rdstypes.DBProxyEndpointTargetRoleReadOnly); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("my-aurora"), Engine: aws.String("aurora-mysql")}); err != nil {
		t.Fatal(err)
	}
	badFilter := []rdstypes.Filter{{Name: aws.String("engine"), Values: []string{"x"}}}
	for _, c := range []struct {
		name  string
		call  func() error
		code  string
		typed func(error) bool // nil: the SDK has no type for code
	}{
		{"duplicate proxy", func() error { _, err := createProxy(ctx, rc, "sso-proxy", "POSTGRESQL"); return err },
			"DBProxyAlreadyExistsFault", isErr[*rdstypes.DBProxyAlreadyExistsFault]},
		{"proxy named like an endpoint", func() error { _, err := createProxy(ctx, rc, "sso-ro", "POSTGRESQL"); return err },
			"DBProxyAlreadyExistsFault", isErr[*rdstypes.DBProxyAlreadyExistsFault]},
		{"MYSQL proxy", func() error { _, err := createProxy(ctx, rc, "other", "MYSQL"); return err }, "InvalidParameterValue", nil},
		{"bad proxy name", func() error { _, err := createProxy(ctx, rc, "bad--name", "POSTGRESQL"); return err }, "InvalidParameterValue", nil},
		{"no subnets", func() error {
			_, err := rc.CreateDBProxy(ctx, &rds.CreateDBProxyInput{DBProxyName: aws.String("other"), EngineFamily: rdstypes.EngineFamilyPostgresql,
				RoleArn: aws.String("arn:aws:iam::123456789012:role/proxy"), VpcSubnetIds: []string{}})
			return err
		}, "InvalidParameterValue", nil},
		{"register on unknown proxy", func() error { _, err := registerTarget(ctx, rc, "nope", []string{"sso-prod"}, nil); return err },
			"DBProxyNotFoundFault", isErr[*rdstypes.DBProxyNotFoundFault]},
		{"register in unknown target group", func() error {
			_, err := rc.RegisterDBProxyTargets(ctx, &rds.RegisterDBProxyTargetsInput{DBProxyName: aws.String("bare-proxy"),
				TargetGroupName: aws.String("other"), DBClusterIdentifiers: []string{"sso-prod"}})
			return err
		}, "DBProxyTargetGroupNotFoundFault", isErr[*rdstypes.DBProxyTargetGroupNotFoundFault]},
		{"second target", func() error {
			_, err := registerTarget(ctx, rc, "sso-proxy", nil, []string{"mandible-prod"})
			return err
		}, "DBProxyTargetAlreadyRegisteredFault", isErr[*rdstypes.DBProxyTargetAlreadyRegisteredFault]},
		{"unknown cluster", func() error { _, err := registerTarget(ctx, rc, "bare-proxy", []string{"nope"}, nil); return err },
			"DBClusterNotFoundFault", isErr[*rdstypes.DBClusterNotFoundFault]},
		{"unknown instance", func() error { _, err := registerTarget(ctx, rc, "bare-proxy", nil, []string{"nope"}); return err },
			"DBInstanceNotFound", isErr[*rdstypes.DBInstanceNotFoundFault]},
		{"cluster member as instance", func() error {
			_, err := registerTarget(ctx, rc, "bare-proxy", nil, []string{"sso-prod-instance-1"})
			return err
		}, "InvalidParameterCombination", nil},
		{"two targets at once", func() error {
			_, err := registerTarget(ctx, rc, "bare-proxy", []string{"sso-prod"}, []string{"mandible-prod"})
			return err
		}, "InvalidParameterValue", nil},
		{"MySQL cluster behind a POSTGRESQL proxy", func() error {
			_, err := registerTarget(ctx, rc, "mysql-proxy", []string{"my-aurora"}, nil)
			return err
		}, "InvalidParameterCombination", nil},
		{"endpoint on unknown proxy", func() error { _, err := createProxyEndpoint(ctx, rc, "nope", "e1", ""); return err },
			"DBProxyNotFoundFault", isErr[*rdstypes.DBProxyNotFoundFault]},
		{"duplicate endpoint", func() error { _, err := createProxyEndpoint(ctx, rc, "bare-proxy", "sso-ro", ""); return err },
			"DBProxyEndpointAlreadyExistsFault", isErr[*rdstypes.DBProxyEndpointAlreadyExistsFault]},
		{"endpoint named like its proxy", func() error { _, err := createProxyEndpoint(ctx, rc, "sso-proxy", "sso-proxy", ""); return err },
			"DBProxyEndpointAlreadyExistsFault", isErr[*rdstypes.DBProxyEndpointAlreadyExistsFault]},
		{"endpoint named like another proxy", func() error { _, err := createProxyEndpoint(ctx, rc, "sso-proxy", "bare-proxy", ""); return err },
			"DBProxyEndpointAlreadyExistsFault", isErr[*rdstypes.DBProxyEndpointAlreadyExistsFault]},
		{"bad endpoint name", func() error { _, err := createProxyEndpoint(ctx, rc, "sso-proxy", "-x", ""); return err }, "InvalidParameterValue", nil},
		{"bad TargetRole", func() error { _, err := createProxyEndpoint(ctx, rc, "sso-proxy", "e1", "READ"); return err }, "InvalidParameterValue", nil},
		{"READ_ONLY endpoint without a target", func() error {
			_, err := createProxyEndpoint(ctx, rc, "bare-proxy", "bare-ro", rdstypes.DBProxyEndpointTargetRoleReadOnly)
			return err
		}, "InvalidDBProxyStateFault", isErr[*rdstypes.InvalidDBProxyStateFault]},
		{"describe unknown proxy", func() error {
			_, err := rc.DescribeDBProxies(ctx, &rds.DescribeDBProxiesInput{DBProxyName: aws.String("nope")})
			return err
		}, "DBProxyNotFoundFault", isErr[*rdstypes.DBProxyNotFoundFault]},
		{"describe proxies with a filter", func() error {
			_, err := rc.DescribeDBProxies(ctx, &rds.DescribeDBProxiesInput{Filters: badFilter})
			return err
		}, "InvalidParameterValue", nil},
		{"MaxRecords below 20", func() error {
			_, err := rc.DescribeDBProxies(ctx, &rds.DescribeDBProxiesInput{MaxRecords: aws.Int32(19)})
			return err
		}, "InvalidParameterValue", nil},
		{"targets of unknown proxy", func() error {
			_, err := rc.DescribeDBProxyTargets(ctx, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("nope")})
			return err
		}, "DBProxyNotFoundFault", isErr[*rdstypes.DBProxyNotFoundFault]},
		{"targets of unknown target group", func() error {
			_, err := rc.DescribeDBProxyTargets(ctx, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("sso-proxy"), TargetGroupName: aws.String("other")})
			return err
		}, "DBProxyTargetGroupNotFoundFault", isErr[*rdstypes.DBProxyTargetGroupNotFoundFault]},
		{"targets with a filter", func() error {
			_, err := rc.DescribeDBProxyTargets(ctx, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("sso-proxy"), Filters: badFilter})
			return err
		}, "InvalidParameterValue", nil},
		{"targets MaxRecords above 100", func() error {
			_, err := rc.DescribeDBProxyTargets(ctx, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("sso-proxy"), MaxRecords: aws.Int32(101)})
			return err
		}, "InvalidParameterValue", nil},
		{"endpoints of unknown proxy", func() error {
			_, err := rc.DescribeDBProxyEndpoints(ctx, &rds.DescribeDBProxyEndpointsInput{DBProxyName: aws.String("nope")})
			return err
		}, "DBProxyNotFoundFault", isErr[*rdstypes.DBProxyNotFoundFault]},
		{"unknown endpoint", func() error {
			_, err := rc.DescribeDBProxyEndpoints(ctx, &rds.DescribeDBProxyEndpointsInput{DBProxyEndpointName: aws.String("nope")})
			return err
		}, "DBProxyEndpointNotFoundFault", isErr[*rdstypes.DBProxyEndpointNotFoundFault]},
		{"endpoint of another proxy", func() error {
			_, err := rc.DescribeDBProxyEndpoints(ctx, &rds.DescribeDBProxyEndpointsInput{DBProxyName: aws.String("bare-proxy"), DBProxyEndpointName: aws.String("sso-ro")})
			return err
		}, "DBProxyEndpointNotFoundFault", isErr[*rdstypes.DBProxyEndpointNotFoundFault]},
		{"endpoints with a filter", func() error {
			_, err := rc.DescribeDBProxyEndpoints(ctx, &rds.DescribeDBProxyEndpointsInput{Filters: badFilter})
			return err
		}, "InvalidParameterValue", nil},
	} {
		err := c.call()
		if apiCode(err) != c.code || (c.typed != nil && !c.typed(err)) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	// The refused calls changed nothing.
	if got := targetSummary(proxyTargets(t, rc, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("bare-proxy")})); len(got) != 0 {
		t.Errorf("bare-proxy targets %v", got)
	}
	if got := endpointSummary(proxyEndpoints(t, rc, &rds.DescribeDBProxyEndpointsInput{DBProxyName: aws.String("sso-proxy")})); !slices.Equal(got,
		[]string{"sso-proxy/sso-proxy/READ_WRITE/true", "sso-ro/sso-proxy/READ_ONLY/false"}) {
		t.Errorf("sso-proxy endpoints %v", got)
	}
}

// Marker round trips with MaxRecords 20 over proxies, targets and endpoints.
func TestDBProxyPaging(t *testing.T) {
	_, rc, _ := start(t, Options{})
	ctx := context.Background()
	for i := range 25 {
		if _, err := createProxy(ctx, rc, fmt.Sprintf("p%02d", i), "POSTGRESQL"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := registerTarget(ctx, rc, "p00", []string{"sso-prod"}, nil); err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		if _, err := createProxyEndpoint(ctx, rc, "p00", fmt.Sprintf("e%02d", 24-i), rdstypes.DBProxyEndpointTargetRoleReadOnly); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBClusterIdentifier: aws.String("sso-prod"), DBInstanceIdentifier: aws.String(fmt.Sprintf("sso-prod-r%02d", i)),
			Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large")}); err != nil {
			t.Fatal(err)
		}
	}

	first, err := rc.DescribeDBProxies(ctx, &rds.DescribeDBProxiesInput{MaxRecords: aws.Int32(20)})
	if err != nil || len(first.DBProxies) != 20 || first.Marker == nil {
		t.Fatalf("first page of proxies: %v %d", err, len(first.DBProxies))
	}
	var names []string
	for p := rds.NewDescribeDBProxiesPaginator(rc, &rds.DescribeDBProxiesInput{MaxRecords: aws.Int32(20)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page.DBProxies {
			names = append(names, aws.ToString(x.DBProxyName))
		}
	}
	if len(names) != 25 || !slices.IsSorted(names) || names[0] != "p00" || names[24] != "p24" {
		t.Fatalf("proxies over the pages: %v", names)
	}

	ts := proxyTargets(t, rc, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("p00"), MaxRecords: aws.Int32(20)})
	if len(ts) != 23 {
		t.Fatalf("%d targets over the pages, want 23", len(ts))
	}
	if got, want := targetSummary(ts[22:]), []string{"RDS_INSTANCE/sso-prod-r19/sso-prod/READ_ONLY/REGISTERING"}; !slices.Equal(got, want) {
		t.Fatalf("last target %v, want %v (a reader being created)", got, want)
	}

	eps := endpointSummary(proxyEndpoints(t, rc, &rds.DescribeDBProxyEndpointsInput{DBProxyName: aws.String("p00"), MaxRecords: aws.Int32(20)}))
	if len(eps) != 26 || eps[0] != "p00/p00/READ_WRITE/true" || eps[1] != "e00/p00/READ_ONLY/false" || eps[25] != "e24/p00/READ_ONLY/false" {
		t.Fatalf("endpoints over the pages: %v", eps)
	}
	if all := proxyEndpoints(t, rc, &rds.DescribeDBProxyEndpointsInput{MaxRecords: aws.Int32(20)}); len(all) != 25+25 {
		t.Fatalf("%d endpoints of all proxies, want 50", len(all))
	}
}

// Proxies are part of the state file.
func TestDBProxyStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	ctx := context.Background()
	srv, rc, _ := start(t, Options{StateFile: path})
	if _, err := createProxy(ctx, rc, "sso-proxy", "POSTGRESQL"); err != nil {
		t.Fatal(err)
	}
	if _, err := registerTarget(ctx, rc, "sso-proxy", []string{"sso-prod"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := createProxyEndpoint(ctx, rc, "sso-proxy", "sso-ro", rdstypes.DBProxyEndpointTargetRoleReadOnly); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	_, rc2, _ := start(t, Options{StateFile: path})
	if got, want := endpointSummary(proxyEndpoints(t, rc2, &rds.DescribeDBProxyEndpointsInput{})),
		[]string{"sso-proxy/sso-proxy/READ_WRITE/true", "sso-ro/sso-proxy/READ_ONLY/false"}; !slices.Equal(got, want) {
		t.Fatalf("restored endpoints %v, want %v", got, want)
	}
	if got := proxyTargets(t, rc2, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String("sso-proxy")}); len(got) != 3 {
		t.Fatalf("restored targets %v", targetSummary(got))
	}
}

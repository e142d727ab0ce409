package routing

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

const (
	ro = rdstypes.DBProxyEndpointTargetRoleReadOnly
	rw = rdstypes.DBProxyEndpointTargetRoleReadWrite
)

// fleet serves the demo scenario plus the three-node Aurora cluster tri-prod.
func fleet(t *testing.T) (*sandbox.Server, *rds.Client) {
	t.Helper()
	sc := sandbox.Demo()
	sc.Clusters = append(sc.Clusters, sandbox.ThreeNodeAurora().Clusters...)
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc})
	return srv, rds.NewFromConfig(srv.AWSConfig())
}

func describe(m map[string][]analysis.ProxyEndpoint) string {
	var parts []string
	for _, c := range []string{"sso-prod", "tri-prod", "mandible-prod"} {
		if eps, ok := m[c]; ok {
			parts = append(parts, fmt.Sprintf("%s:%v", c, eps))
		}
	}
	if len(parts) != len(m) {
		parts = append(parts, fmt.Sprintf("other keys in %v", m))
	}
	return strings.Join(parts, " ")
}

// ProxyReaderEndpoints finds the read-only endpoints of the proxies in front of each Aurora
// cluster, over the real SDK, asking for the targets of only those proxies that have one.
func TestProxyReaderEndpoints(t *testing.T) {
	srv, api := fleet(t)
	ctx := context.Background()

	srv.ResetLog()
	got, err := ProxyReaderEndpoints(ctx, api)
	if err != nil || len(got) != 0 {
		t.Fatalf("no proxies: %v %v", err, got)
	}
	if n, m := len(srv.Calls("DescribeDBProxyEndpoints")), len(srv.Calls("DescribeDBProxyTargets")); n != 1 || m != 0 {
		t.Fatalf("no proxies: %d endpoint listings, %d target listings", n, m)
	}

	acctest.AddProxy(t, srv, "sso-proxy", "sso-prod", "", map[string]rdstypes.DBProxyEndpointTargetRole{"sso-ro": ro, "sso-rw": rw, "sso-ro2": ro})
	acctest.AddProxy(t, srv, "tri-proxy", "tri-prod", "", map[string]rdstypes.DBProxyEndpointTargetRole{"tri-rw": rw})
	acctest.AddProxy(t, srv, "chat-proxy", "", "mandible-prod", nil)
	srv.ResetLog()
	got, err = ProxyReaderEndpoints(ctx, api)
	if err != nil {
		t.Fatal(err)
	}
	if want := "sso-prod:[{sso-proxy sso-ro} {sso-proxy sso-ro2}]"; describe(got) != want {
		t.Fatalf("got %s, want %s", describe(got), want)
	}
	if calls := srv.Calls("DescribeDBProxyTargets"); len(calls) != 1 || calls[0].Params["DBProxyName"] != "sso-proxy" {
		t.Fatalf("target listings %+v, want one of sso-proxy", calls)
	}

	acctest.AddProxy(t, srv, "tri-readers", "tri-prod", "", map[string]rdstypes.DBProxyEndpointTargetRole{"tri-ro": ro})
	if got, err = ProxyReaderEndpoints(ctx, api); err != nil || describe(got) != "sso-prod:[{sso-proxy sso-ro} {sso-proxy sso-ro2}] tri-prod:[{tri-readers tri-ro}]" {
		t.Fatalf("two clusters: %v %s", err, describe(got))
	}

	for _, op := range []string{"DescribeDBProxyEndpoints", "DescribeDBProxyTargets"} {
		srv.InjectFaults(sandbox.FaultRule{Operation: op, Rate: 1,
			RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:" + op}})
		if got, err := ProxyReaderEndpoints(ctx, api); err == nil || !strings.Contains(err.Error(), "(rds:"+op+")") || !strings.Contains(err.Error(), "AccessDenied") {
			t.Errorf("%s denied: %v %v", op, err, got)
		}
		srv.ClearFaults()
	}
}

// CustomEndpoints lists one cluster's custom endpoints, or the region's, by cluster.
func TestCustomEndpoints(t *testing.T) {
	srv, api := fleet(t)
	ctx := context.Background()
	for _, e := range []struct{ cluster, id, typ string }{{"sso-prod", "reporting", "READER"}, {"sso-prod", "all", "ANY"}, {"tri-prod", "tri-any", "ANY"}} {
		if _, err := api.CreateDBClusterEndpoint(ctx, &rds.CreateDBClusterEndpointInput{DBClusterIdentifier: aws.String(e.cluster),
			DBClusterEndpointIdentifier: aws.String(e.id), EndpointType: aws.String(e.typ)}); err != nil {
			t.Fatal(err)
		}
	}
	one, err := CustomEndpoints(ctx, api, "sso-prod")
	if err != nil || len(one) != 1 || fmt.Sprint(one["sso-prod"]) != "[{reporting READER [] []} {all ANY [] []}]" {
		t.Fatalf("sso-prod: %v %v", err, one)
	}
	all, err := CustomEndpoints(ctx, api, "")
	if err != nil || len(all) != 2 || len(all["sso-prod"]) != 2 || fmt.Sprint(all["tri-prod"]) != "[{tri-any ANY [] []}]" {
		t.Fatalf("region: %v %v", err, all)
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBClusterEndpoints", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "denied"}})
	if _, err := CustomEndpoints(ctx, api, "sso-prod"); err == nil || !strings.Contains(err.Error(), "(rds:DescribeDBClusterEndpoints)") {
		t.Fatalf("denied: %v", err)
	}
}

// Package routing lists what routes client connections to the instances of Aurora clusters
// besides the clusters' own writer and reader endpoints: their custom endpoints
// (rds:DescribeDBClusterEndpoints) and the read-only endpoints of the RDS Proxies in front of
// them (rds:DescribeDBProxyEndpoints, rds:DescribeDBProxyTargets). Unlike the reader endpoint,
// which falls back to the writer, these can be left routing to no instance when a cluster's last
// reader is removed: the recommendation (through inventory) reports them as risks, and the
// topology precheck refuses to strand them. Both read them here, as analysis values.
package routing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// API lists the RDS operations this package calls; *rds.Client satisfies it.
type API interface {
	DescribeDBClusterEndpoints(ctx context.Context, in *rds.DescribeDBClusterEndpointsInput, optFns ...func(*rds.Options)) (*rds.DescribeDBClusterEndpointsOutput, error)
	DescribeDBProxyEndpoints(ctx context.Context, in *rds.DescribeDBProxyEndpointsInput, optFns ...func(*rds.Options)) (*rds.DescribeDBProxyEndpointsOutput, error)
	DescribeDBProxyTargets(ctx context.Context, in *rds.DescribeDBProxyTargetsInput, optFns ...func(*rds.Options)) (*rds.DescribeDBProxyTargetsOutput, error)
}

// CustomEndpoints lists the custom endpoints of the Aurora cluster clusterID, or of every cluster
// in the region when clusterID is empty, by cluster identifier (all pages).
func CustomEndpoints(ctx context.Context, api API, clusterID string) (map[string][]analysis.CustomEndpoint, error) {
	in := &rds.DescribeDBClusterEndpointsInput{Filters: []types.Filter{{Name: aws.String("db-cluster-endpoint-type"), Values: []string{"custom"}}}}
	if clusterID != "" {
		in.DBClusterIdentifier = aws.String(clusterID)
	}
	out := map[string][]analysis.CustomEndpoint{}
	p := rds.NewDescribeDBClusterEndpointsPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing custom endpoints (rds:DescribeDBClusterEndpoints): %w", err)
		}
		for _, e := range page.DBClusterEndpoints {
			if aws.ToString(e.EndpointType) != "CUSTOM" {
				continue
			}
			cid := aws.ToString(e.DBClusterIdentifier)
			out[cid] = append(out[cid], analysis.CustomEndpoint{ID: aws.ToString(e.DBClusterEndpointIdentifier),
				Type: aws.ToString(e.CustomEndpointType), Static: e.StaticMembers, Excluded: e.ExcludedMembers})
		}
	}
	return out, nil
}

// ProxyReaderEndpoints lists the read-only endpoints (TargetRole READ_ONLY) of the region's RDS
// Proxies whose target is an Aurora cluster, by the cluster's identifier in lower case, as RDS
// stores it. Endpoints being deleted are left out. It makes one DescribeDBProxyEndpoints listing
// and, only for the proxies that have a read-only endpoint, one DescribeDBProxyTargets listing
// each (all pages); a proxy deleted in between is skipped.
func ProxyReaderEndpoints(ctx context.Context, api API) (map[string][]analysis.ProxyEndpoint, error) {
	var (
		proxies []string // in the order listed
		byProxy = map[string][]string{}
	)
	ep := rds.NewDescribeDBProxyEndpointsPaginator(api, &rds.DescribeDBProxyEndpointsInput{})
	for ep.HasMorePages() {
		page, err := ep.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing RDS Proxy endpoints (rds:DescribeDBProxyEndpoints): %w", err)
		}
		for _, e := range page.DBProxyEndpoints {
			if e.TargetRole != types.DBProxyEndpointTargetRoleReadOnly || e.Status == types.DBProxyEndpointStatusDeleting {
				continue
			}
			name := aws.ToString(e.DBProxyName)
			if _, seen := byProxy[name]; !seen {
				proxies = append(proxies, name)
			}
			byProxy[name] = append(byProxy[name], aws.ToString(e.DBProxyEndpointName))
		}
	}
	out := map[string][]analysis.ProxyEndpoint{}
	for _, proxy := range proxies {
		cluster, err := proxyCluster(ctx, api, proxy)
		if err != nil {
			return nil, err
		}
		if cluster == "" {
			continue
		}
		for _, name := range byProxy[proxy] {
			out[cluster] = append(out[cluster], analysis.ProxyEndpoint{Proxy: proxy, Endpoint: name})
		}
	}
	return out, nil
}

// proxyCluster returns the Aurora cluster the proxy targets, in lower case ("" for none, or when
// the proxy no longer exists).
func proxyCluster(ctx context.Context, api API, proxy string) (string, error) {
	p := rds.NewDescribeDBProxyTargetsPaginator(api, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String(proxy)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		var nf *types.DBProxyNotFoundFault
		if errors.As(err, &nf) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("listing the targets of RDS Proxy %s (rds:DescribeDBProxyTargets): %w", proxy, err)
		}
		for _, t := range page.Targets {
			if id := aws.ToString(t.TrackedClusterId); id != "" {
				return strings.ToLower(id), nil
			}
			if t.Type == types.TargetTypeTrackedCluster {
				return strings.ToLower(aws.ToString(t.RdsResourceId)), nil
			}
		}
	}
	return "", nil
}

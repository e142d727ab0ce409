// Package paramgroups reads what an RDS DB parameter group or an Aurora DB cluster parameter group
// sets: the values a user gave its parameters (rds:DescribeDBParameters and
// rds:DescribeDBClusterParameters with Source "user"). The recommendation reads the writer's
// max_connections there, which says what the single node keeps, and its shared_buffers, the buffer
// cache Aurora allocates at start.
package paramgroups

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// API lists the RDS operations this package calls; *rds.Client satisfies it.
type API interface {
	DescribeDBParameters(ctx context.Context, in *rds.DescribeDBParametersInput, optFns ...func(*rds.Options)) (*rds.DescribeDBParametersOutput, error)
	DescribeDBClusterParameters(ctx context.Context, in *rds.DescribeDBClusterParametersInput, optFns ...func(*rds.Options)) (*rds.DescribeDBClusterParametersOutput, error)
}

// sourceUser lists only the values a user set (not the engine's defaults, Source "engine-default",
// or RDS's, "system").
const sourceUser = "user"

// UserValues returns the values a user set for the parameters names in DB parameter group group,
// by name; a parameter the group leaves at its default (RDS's default groups set nothing) is not
// in the map, nor one listed without a value. It fails when RDS refuses the call or does not know
// the group.
func UserValues(ctx context.Context, api API, group string, names ...string) (map[string]string, error) {
	p := rds.NewDescribeDBParametersPaginator(api, &rds.DescribeDBParametersInput{
		DBParameterGroupName: aws.String(group), Source: aws.String(sourceUser),
	})
	return find(ctx, p, func(o *rds.DescribeDBParametersOutput) []types.Parameter { return o.Parameters }, names,
		"DB parameter group "+group+" (rds:DescribeDBParameters)")
}

// ClusterUserValues is UserValues for DB cluster parameter group group
// (rds:DescribeDBClusterParameters).
func ClusterUserValues(ctx context.Context, api API, group string, names ...string) (map[string]string, error) {
	p := rds.NewDescribeDBClusterParametersPaginator(api, &rds.DescribeDBClusterParametersInput{
		DBClusterParameterGroupName: aws.String(group), Source: aws.String(sourceUser),
	})
	return find(ctx, p, func(o *rds.DescribeDBClusterParametersOutput) []types.Parameter { return o.Parameters }, names,
		"DB cluster parameter group "+group+" (rds:DescribeDBClusterParameters)")
}

// pager is an SDK paginator of outputs O.
type pager[O any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*rds.Options)) (O, error)
}

// find pages through p for the values of names, until it has them all; what names the group and
// call in errors.
func find[O any](ctx context.Context, p pager[O], params func(O) []types.Parameter, names []string, what string) (map[string]string, error) {
	out := map[string]string{}
	for p.HasMorePages() && len(out) < len(names) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", what, err)
		}
		for _, prm := range params(page) {
			if n := aws.ToString(prm.ParameterName); slices.Contains(names, n) && aws.ToString(prm.ParameterValue) != "" {
				out[n] = aws.ToString(prm.ParameterValue)
			}
		}
	}
	return out, nil
}

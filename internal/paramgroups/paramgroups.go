// Package paramgroups reads what an RDS DB parameter group or an Aurora DB cluster parameter group
// sets: the values a user gave its parameters (rds:DescribeDBParameters and
// rds:DescribeDBClusterParameters with Source "user"). The recommendation reads the writer's
// max_connections there, which says what the single node keeps when PostgreSQL's own settings are
// not read.
package paramgroups

import (
	"context"
	"fmt"

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

// UserValue returns the value a user set for parameter name in DB parameter group group; ok is
// false, with a nil error, when the group leaves it at its default (RDS's default groups set
// nothing). It fails when RDS refuses the call or does not know the group.
func UserValue(ctx context.Context, api API, group, name string) (value string, ok bool, err error) {
	p := rds.NewDescribeDBParametersPaginator(api, &rds.DescribeDBParametersInput{
		DBParameterGroupName: aws.String(group), Source: aws.String(sourceUser),
	})
	return find(ctx, p, func(o *rds.DescribeDBParametersOutput) []types.Parameter { return o.Parameters }, name,
		"DB parameter group "+group+" (rds:DescribeDBParameters)")
}

// ClusterUserValue is UserValue for DB cluster parameter group group
// (rds:DescribeDBClusterParameters).
func ClusterUserValue(ctx context.Context, api API, group, name string) (value string, ok bool, err error) {
	p := rds.NewDescribeDBClusterParametersPaginator(api, &rds.DescribeDBClusterParametersInput{
		DBClusterParameterGroupName: aws.String(group), Source: aws.String(sourceUser),
	})
	return find(ctx, p, func(o *rds.DescribeDBClusterParametersOutput) []types.Parameter { return o.Parameters }, name,
		"DB cluster parameter group "+group+" (rds:DescribeDBClusterParameters)")
}

// pager is an SDK paginator of outputs O.
type pager[O any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*rds.Options)) (O, error)
}

// find pages through p for parameter name's value; what names the group and call in errors.
func find[O any](ctx context.Context, p pager[O], params func(O) []types.Parameter, name, what string) (string, bool, error) {
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", false, fmt.Errorf("reading %s: %w", what, err)
		}
		for _, prm := range params(page) {
			if aws.ToString(prm.ParameterName) == name && prm.ParameterValue != nil {
				return aws.ToString(prm.ParameterValue), true, nil
			}
		}
	}
	return "", false, nil
}

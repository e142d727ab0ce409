// Package paramgroups reads what an RDS DB parameter group or an Aurora DB cluster parameter group
// sets: the values a user gave its parameters (rds:DescribeDBParameters and
// rds:DescribeDBClusterParameters with Source "user"). The recommendation reads the writer's
// max_connections there, which says what the single node keeps, and its shared_buffers, the buffer
// cache Aurora allocates at start; and every parameter of the writer's DB parameter group, which a
// new group replacing it must carry over.
package paramgroups

import (
	"context"
	"fmt"
	"slices"
	"strings"

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

// ClusterUserValues returns the values a user set for the parameters names in DB cluster parameter
// group group (rds:DescribeDBClusterParameters), by name; a parameter the group leaves at its
// default is not in the map, nor one listed without a value. It stops paging once it has them all,
// and fails when RDS refuses the call or does not know the group.
func ClusterUserValues(ctx context.Context, api API, group string, names ...string) (map[string]string, error) {
	p := rds.NewDescribeDBClusterParametersPaginator(api, &rds.DescribeDBClusterParametersInput{
		DBClusterParameterGroupName: aws.String(group), Source: aws.String(sourceUser),
	})
	return find(ctx, p, func(o *rds.DescribeDBClusterParametersOutput) []types.Parameter { return o.Parameters }, names,
		"DB cluster parameter group "+group+" (rds:DescribeDBClusterParameters)")
}

// IsDefault reports whether group is one of RDS's default parameter groups ("default.postgres15",
// "default.aurora-postgresql15"), which no one can modify, so that they set nothing a user chose.
func IsDefault(group string) bool { return strings.HasPrefix(group, "default.") }

// Parameter is a parameter a user set in a DB parameter group.
type Parameter struct {
	Name, Value string
	// Static is true for a parameter PostgreSQL reads at server start (RDS's ApplyType
	// "static"): a new value needs apply_method "pending-reboot" and takes effect at the next
	// reboot.
	Static bool
}

// ApplyMethod is how a parameter group applies p: "pending-reboot" when it is static, else
// "immediate".
func (p Parameter) ApplyMethod() string {
	if p.Static {
		return "pending-reboot"
	}
	return "immediate"
}

// UserParameters returns every parameter a user set in DB parameter group group (Source "user";
// none for RDS's default groups), by name, with whether each is static; one listed without a
// value is left out. It reads every page, and fails when RDS refuses the call or does not know the
// group.
func UserParameters(ctx context.Context, api API, group string) ([]Parameter, error) {
	p := rds.NewDescribeDBParametersPaginator(api, &rds.DescribeDBParametersInput{
		DBParameterGroupName: aws.String(group), Source: aws.String(sourceUser),
	})
	out := []Parameter{} // non-nil: read, perhaps with none set
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading DB parameter group %s (rds:DescribeDBParameters): %w", group, err)
		}
		for _, prm := range page.Parameters {
			if v := aws.ToString(prm.ParameterValue); v != "" {
				out = append(out, Parameter{Name: aws.ToString(prm.ParameterName), Value: v, Static: strings.EqualFold(aws.ToString(prm.ApplyType), "static")})
			}
		}
	}
	slices.SortFunc(out, func(a, b Parameter) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
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

// Package bluegreen reads RDS blue/green deployments (rds:DescribeBlueGreenDeployments). A
// deployment's green environment is a copy of its source (blue) database made with the topology
// the database had then, and a switchover makes the green copy the production database under the
// blue one's name. A change to the number of nodes of the blue database alone therefore does not
// last: the recommendation (through inventory) reports such a deployment as a risk, and the
// topology precheck refuses to change a database that is the source of one.
package bluegreen

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// API lists the RDS operation this package calls; *rds.Client satisfies it.
type API interface {
	DescribeBlueGreenDeployments(ctx context.Context, in *rds.DescribeBlueGreenDeploymentsInput, optFns ...func(*rds.Options)) (*rds.DescribeBlueGreenDeploymentsOutput, error)
}

// Statuses of a deployment that can no longer switch over, and so are left out.
const (
	StatusSwitchedOver = "SWITCHOVER_COMPLETED"
	StatusDeleting     = "DELETING"
)

// Pending returns the region's blue/green deployments that can still switch over (any status but
// SWITCHOVER_COMPLETED and DELETING), by the ARN of their source database in lower case, in the
// order listed (all pages). It lists every deployment rather than filtering by source: a region
// holds few, and the comparison of ARNs stays here.
func Pending(ctx context.Context, api API) (map[string][]analysis.BlueGreenDeployment, error) {
	out := map[string][]analysis.BlueGreenDeployment{}
	p := rds.NewDescribeBlueGreenDeploymentsPaginator(api, &rds.DescribeBlueGreenDeploymentsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing blue/green deployments (rds:DescribeBlueGreenDeployments): %w", err)
		}
		for _, d := range page.BlueGreenDeployments {
			status := aws.ToString(d.Status)
			if strings.EqualFold(status, StatusSwitchedOver) || strings.EqualFold(status, StatusDeleting) {
				continue
			}
			src := strings.ToLower(aws.ToString(d.Source))
			out[src] = append(out[src], analysis.BlueGreenDeployment{ID: aws.ToString(d.BlueGreenDeploymentIdentifier),
				Name: aws.ToString(d.BlueGreenDeploymentName), Status: status, Source: aws.ToString(d.Source), Target: aws.ToString(d.Target)})
		}
	}
	return out, nil
}

// Of returns the deployments in pending (as Pending returns them) whose source is the database
// with the given ARN.
func Of(pending map[string][]analysis.BlueGreenDeployment, arn string) []analysis.BlueGreenDeployment {
	return pending[strings.ToLower(arn)]
}

// GreenOf returns the deployments in pending whose target (green) database is the database with
// the given ARN, in source ARN order.
func GreenOf(pending map[string][]analysis.BlueGreenDeployment, arn string) []analysis.BlueGreenDeployment {
	var out []analysis.BlueGreenDeployment
	for _, src := range slices.Sorted(maps.Keys(pending)) {
		for _, d := range pending[src] {
			if strings.EqualFold(d.Target, arn) {
				out = append(out, d)
			}
		}
	}
	return out
}

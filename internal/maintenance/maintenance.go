// Package maintenance reads the maintenance actions RDS has pending for the region's DB instances
// and clusters (rds:DescribePendingMaintenanceActions). An OS update or a hardware maintenance
// costs a 2-node deployment a failover but takes a single node offline while it runs, so the
// recommendation (through inventory) lists one pending on the node that stays as a risk of the
// change, to apply first.
package maintenance

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// API lists the RDS operation this package calls; *rds.Client satisfies it.
type API interface {
	DescribePendingMaintenanceActions(ctx context.Context, in *rds.DescribePendingMaintenanceActionsInput, optFns ...func(*rds.Options)) (*rds.DescribePendingMaintenanceActionsOutput, error)
}

// Resource is a DB instance or cluster with pending maintenance actions. The actions' Resource
// field holds ARN; For names them.
type Resource struct {
	ARN     string
	Actions []analysis.PendingMaintenance
}

// Pending lists the region's resources with pending maintenance actions, in the order listed (all
// pages).
func Pending(ctx context.Context, api API) ([]Resource, error) {
	var out []Resource
	p := rds.NewDescribePendingMaintenanceActionsPaginator(api, &rds.DescribePendingMaintenanceActionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing pending maintenance actions (rds:DescribePendingMaintenanceActions): %w", err)
		}
		for _, r := range page.PendingMaintenanceActions {
			res := Resource{ARN: aws.ToString(r.ResourceIdentifier)}
			for _, a := range r.PendingMaintenanceActionDetails {
				res.Actions = append(res.Actions, analysis.PendingMaintenance{
					Resource: res.ARN, Action: aws.ToString(a.Action), Description: aws.ToString(a.Description),
					AutoAppliedAfter: aws.ToTime(a.AutoAppliedAfterDate).UTC(), ForcedApply: aws.ToTime(a.ForcedApplyDate).UTC(),
					CurrentApply: aws.ToTime(a.CurrentApplyDate).UTC(), OptIn: aws.ToString(a.OptInStatus),
				})
			}
			if len(res.Actions) > 0 {
				out = append(out, res)
			}
		}
	}
	return out, nil
}

// For returns the actions pending for the resource whose ARN is arn (compared without regard to
// case), each with Resource set to name (its identifier); nil when there are none.
func For(rs []Resource, arn, name string) []analysis.PendingMaintenance {
	var out []analysis.PendingMaintenance
	for _, r := range rs {
		if arn == "" || !strings.EqualFold(r.ARN, arn) {
			continue
		}
		for _, a := range r.Actions {
			a.Resource = name
			out = append(out, a)
		}
	}
	return out
}

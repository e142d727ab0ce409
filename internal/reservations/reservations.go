// Package reservations reads the region's RDS reserved DB instances
// (rds:DescribeReservedDBInstances). A reservation is billed for its whole term and RDS applies
// it to running instances of its engine and class family, so removing a node that a reservation
// covers frees reserved capacity instead of saving money: the recommendation (through inventory)
// reports the reserved units the change would leave idle as a cost risk.
package reservations

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// API lists the RDS operation this package calls; *rds.Client satisfies it.
type API interface {
	DescribeReservedDBInstances(ctx context.Context, in *rds.DescribeReservedDBInstancesInput, optFns ...func(*rds.Options)) (*rds.DescribeReservedDBInstancesOutput, error)
}

// States of a reservation that bills (or is about to): the others are "retired" (its term is
// over) and "payment-failed".
const (
	StateActive         = "active"
	StatePaymentPending = "payment-pending"
)

// Current lists the region's reserved DB instances that are active or whose payment is pending,
// in the order listed (all pages). Their End is StartTime + Duration (zero when either is missing).
func Current(ctx context.Context, api API) ([]analysis.Reservation, error) {
	var out []analysis.Reservation
	p := rds.NewDescribeReservedDBInstancesPaginator(api, &rds.DescribeReservedDBInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing reserved DB instances (rds:DescribeReservedDBInstances): %w", err)
		}
		for _, r := range page.ReservedDBInstances {
			if s := aws.ToString(r.State); s != StateActive && s != StatePaymentPending {
				continue
			}
			res := analysis.Reservation{ID: aws.ToString(r.ReservedDBInstanceId), Class: aws.ToString(r.DBInstanceClass),
				ProductDescription: aws.ToString(r.ProductDescription), MultiAZ: aws.ToBool(r.MultiAZ), Count: int(aws.ToInt32(r.DBInstanceCount))}
			if r.StartTime != nil && r.Duration != nil {
				res.End = r.StartTime.Add(time.Duration(*r.Duration) * time.Second).UTC()
			}
			out = append(out, res)
		}
	}
	return out, nil
}

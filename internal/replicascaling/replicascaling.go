// Package replicascaling reads Aurora Auto Scaling: the Application Auto Scaling scalable
// targets (namespace rds, dimension rds:cluster:ReadReplicaCount, resource cluster:<id>) that
// add and remove Aurora clusters' readers (application-autoscaling:DescribeScalableTargets).
// The recommendation (through inventory) reports one that would undo a single node, and the
// topology precheck refuses to remove a reader that it would put back.
package replicascaling

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// API lists the Application Auto Scaling operation this package calls;
// *applicationautoscaling.Client satisfies it.
type API interface {
	DescribeScalableTargets(ctx context.Context, in *aas.DescribeScalableTargetsInput, optFns ...func(*aas.Options)) (*aas.DescribeScalableTargetsOutput, error)
}

// Dimension is the scalable dimension of an Aurora cluster's reader count.
const Dimension = types.ScalableDimensionRDSClusterReadReplicaCount

// resourcePrefix starts the ResourceId of an Aurora cluster's scalable target.
const resourcePrefix = "cluster:"

// Targets returns the replica auto scaling of the Aurora cluster clusterID, or of every cluster
// in the region when clusterID is empty, by cluster identifier in lower case (all pages).
// Clusters without a scalable target are absent.
func Targets(ctx context.Context, api API, clusterID string) (map[string]analysis.ReplicaAutoScaling, error) {
	in := &aas.DescribeScalableTargetsInput{ServiceNamespace: types.ServiceNamespaceRds, ScalableDimension: Dimension}
	if clusterID != "" {
		// RDS stores identifiers in lower case, and so names the scalable target.
		in.ResourceIds = []string{resourcePrefix + strings.ToLower(clusterID)}
	}
	out := map[string]analysis.ReplicaAutoScaling{}
	p := aas.NewDescribeScalableTargetsPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing Aurora Auto Scaling targets (application-autoscaling:DescribeScalableTargets): %w", err)
		}
		for _, t := range page.ScalableTargets {
			id, ok := strings.CutPrefix(aws.ToString(t.ResourceId), resourcePrefix)
			if !ok || t.ScalableDimension != Dimension {
				continue
			}
			out[strings.ToLower(id)] = analysis.ReplicaAutoScaling{
				MinCapacity: int(aws.ToInt32(t.MinCapacity)), MaxCapacity: int(aws.ToInt32(t.MaxCapacity))}
		}
	}
	return out, nil
}

package replicascaling

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// Targets reads the Aurora Auto Scaling of one cluster, or of every cluster of the region, over
// the real SDK, keyed by the cluster's identifier; a denied listing names the permission.
func TestTargets(t *testing.T) {
	sc := sandbox.Demo()
	sc.Clusters = append(sc.Clusters, sandbox.ThreeNodeAurora().Clusters...)
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc})
	api := applicationautoscaling.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	if got, err := Targets(ctx, api, ""); err != nil || len(got) != 0 {
		t.Fatalf("none: %v %v", err, got)
	}
	acctest.AddReplicaScaling(t, srv, "sso-prod", 1, 3)
	acctest.AddReplicaScaling(t, srv, "tri-prod", 0, 5)
	all, err := Targets(ctx, api, "")
	if err != nil || fmt.Sprint(all) != "map[sso-prod:{1 3} tri-prod:{0 5}]" {
		t.Fatalf("region: %v %v", err, all)
	}
	one, err := Targets(ctx, api, "SSO-Prod") // as a user may write it; RDS ignores the case
	if err != nil || fmt.Sprint(one) != "map[sso-prod:{1 3}]" {
		t.Fatalf("sso-prod: %v %v", err, one)
	}
	calls := srv.Calls("DescribeScalableTargets")
	if last := calls[len(calls)-1]; !strings.Contains(fmt.Sprint(last.Params), "cluster:sso-prod") {
		t.Errorf("the one-cluster listing did not ask for cluster:sso-prod: %+v", last.Params)
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeScalableTargets", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 400, Code: "AccessDeniedException", Message: "not authorized"}})
	if _, err := Targets(ctx, api, "sso-prod"); err == nil || !strings.Contains(err.Error(), "(application-autoscaling:DescribeScalableTargets)") ||
		!strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("denied: %v", err)
	}
}

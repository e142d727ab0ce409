package inventory

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// An Aurora cluster's own maintenance window is read beside its writer's.
func TestDiscover_clusterMaintenanceWindow(t *testing.T) {
	pair := sandbox.AuroraPair("apg", "db.r6g.large", sandbox.IdleWorkload, sandbox.IdleWorkload)
	pair.MaintenanceWindow = "wed:10:00-wed:10:30"
	pair.Members[0].MaintenanceWindow = "sat:04:00-sat:04:30"
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: &sandbox.Scenario{Name: "windows", Clusters: []sandbox.ClusterSpec{pair}}})
	c, err := Discover(context.Background(), rds.NewFromConfig(srv.AWSConfig()), "", "apg")
	if err != nil {
		t.Fatal(err)
	}
	if c.ClusterMaintenanceWindow != "wed:10:00-wed:10:30" || c.MaintenanceWindow != "sat:04:00-sat:04:30" {
		t.Errorf("cluster window %q, writer's %q", c.ClusterMaintenanceWindow, c.MaintenanceWindow)
	}
}

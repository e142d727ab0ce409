package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// restoredToTwoNodes checks that mandible-prod is Multi-AZ again with nothing pending (a destroy
// with restore_on_destroy).
func restoredToTwoNodes(api *rds.Client) error {
	in, err := topology.FindDBInstance(context.Background(), api, "mandible-prod")
	if err != nil {
		return err
	}
	if !*in.MultiAZ || (in.PendingModifiedValues != nil && in.PendingModifiedValues.MultiAZ != nil) {
		return fmt.Errorf("destroy with restore_on_destroy left Multi-AZ %t, pending %+v", *in.MultiAZ, in.PendingModifiedValues)
	}
	return nil
}

func deferredConfig(srv *sandbox.Server, nodes int, extra string) string {
	return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = %d
%s
}
`, nodes, extra))
}

// TestAccDBTopology_applyImmediatelyAfterDeferral: a change deferred to the maintenance window
// (apply_immediately = false) is wanted now: setting apply_immediately = true plans an update
// that makes it, behind a guard snapshot of its own, instead of only recording the setting while
// the change keeps waiting for the window.
func TestAccDBTopology_applyImmediatelyAfterDeferral(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: deferredConfig(srv, 1, "  apply_immediately = false\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("pending"), knownvalue.Bool(true)),
				},
			},
			{
				Config: deferredConfig(srv, 1, "  apply_immediately = true\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(name, tfjsonpath.New("pending")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("pending"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-mandible-prod-g2-to1")),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("last_change").AtMapKey("generation"), knownvalue.Int64Exact(2)),
				},
				Check: checkGuardedLog(srv, "mandible-prod", 2),
			},
			{Config: deferredConfig(srv, 1, "  apply_immediately = true\n"), PlanOnly: true},
		},
	})
}

// TestAccDBTopology_restoreOnDestroyWhilePendingToTwo: restore_on_destroy while this resource's
// own change back to two nodes waits for the maintenance window: the destroy makes it now, behind
// a guard of its own, instead of refusing it as a change "made outside this resource".
func TestAccDBTopology_restoreOnDestroyWhilePendingToTwo(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := restoredToTwoNodes(api); err != nil {
				return err
			}
			_, err := srv.CheckGuarded("mandible-prod")
			return err
		},
		Steps: []resource.TestStep{
			{Config: deferredConfig(srv, 1, "  restore_on_destroy = true\n")},
			{
				Config: deferredConfig(srv, 2, "  apply_immediately = false\n  restore_on_destroy = true\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("pending"), knownvalue.Bool(true)),
				},
			},
			// The test framework's destroy follows.
		},
	})
}

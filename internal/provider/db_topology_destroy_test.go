package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// topologyAttrDescription is the MarkdownDescription of rightsize_db_topology's attribute name.
func topologyAttrDescription(t *testing.T, name string) string {
	t.Helper()
	var resp resource.SchemaResponse
	NewDBTopologyResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	a, ok := resp.Schema.Attributes[name]
	if !ok {
		t.Fatalf("rightsize_db_topology has no attribute %s", name)
	}
	return a.GetMarkdownDescription()
}

// TestAccDBTopology_restoreOnDestroyReadFromState: a destroy reads restore_on_destroy from the
// state, as Terraform gives a destroy no configuration: set to true in the configuration but not
// applied, the destroy forgets the resource and leaves the database at one node. The attribute's
// description says so (a user who sets it and runs terraform destroy expects two nodes back).
func TestAccDBTopology_restoreOnDestroyReadFromState(t *testing.T) {
	if d := topologyAttrDescription(t, "restore_on_destroy"); !strings.Contains(d, "reads it from the state") {
		t.Errorf("restore_on_destroy's description does not say that a destroy reads it from the state (apply it first): %q", d)
	}
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{Config: mandibleNodesConfig(srv, 1)},
			{
				Config: mandibleNodesConfig(srv, 1, "  restore_on_destroy = true\n"), Destroy: true,
				Check: func(*terraform.State) error { return singleAZNow(api) },
			},
		},
	})
}

// TestAccDBTopology_restoreOnDestroyAtOnce: restore_on_destroy restores two nodes at once even with
// apply_immediately = false: nothing would be left to validate and record a change the maintenance
// window made once the resource is destroyed. The attribute's description says so (a user who
// defers changes to the window, to keep a Multi-AZ conversion's I/O out of business hours, would
// expect the destroy's to wait for it too).
func TestAccDBTopology_restoreOnDestroyAtOnce(t *testing.T) {
	if d := topologyAttrDescription(t, "restore_on_destroy"); !strings.Contains(d, "at once whatever `apply_immediately` says") {
		t.Errorf("restore_on_destroy's description does not say that the restore is made at once whatever apply_immediately says: %q", d)
	}
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			calls := srv.Calls("ModifyDBInstance")
			if last := calls[len(calls)-1].Params; last["MultiAZ"] != "true" || last["ApplyImmediately"] != "true" {
				t.Errorf("destroy's restore: ModifyDBInstance %v, want MultiAZ=true ApplyImmediately=true", last)
			}
			return restoredToTwoNodes(api)
		},
		Steps: []tfresource.TestStep{
			{Config: mandibleNodesConfig(srv, 1, "  restore_on_destroy = true\n")},
			{Config: mandibleNodesConfig(srv, 1, "  restore_on_destroy = true\n  apply_immediately = false\n")},
		},
	})
}

// TestAccDBTopology_retainFalseGuardAttributes: with guard.retain = false the guard snapshot is
// deleted after the validated change, and guard_snapshot_id and guard_snapshot_arn still name it
// (which snapshot guarded the change): an output of them (the documentation's example exports the
// ARN) names a snapshot that no longer exists. Their descriptions say so.
func TestAccDBTopology_retainFalseGuardAttributes(t *testing.T) {
	for _, a := range []string{"guard_snapshot_id", "guard_snapshot_arn"} {
		if d := topologyAttrDescription(t, a); !strings.Contains(d, "`guard.retain = false`") {
			t.Errorf("%s's description does not say that it names a deleted snapshot after a change with guard.retain = false: %q", a, d)
		}
	}
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	const guard = "rightsize-guard-mandible-prod-g1-to1"
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: mandibleNodesConfig(srv, 1, "  guard = { retain = false }\n"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact(guard)),
				statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("guard_snapshot_arn"), knownvalue.StringRegexp(regexp.MustCompile(":snapshot:"+guard+"$"))),
			},
			Check: func(*terraform.State) error {
				if _, err := topology.FindDBSnapshot(context.Background(), api, guard); !topology.IsNotFound(err) {
					return fmt.Errorf("guard snapshot %s with retain = false: %w, want deleted", guard, err)
				}
				return nil
			},
		}},
	})
}

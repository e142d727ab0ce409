package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
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

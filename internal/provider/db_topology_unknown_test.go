package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccDBTopology_validationUnknownAtPlan: a module that sets validation from a value not known
// until apply (here null once known) plans and applies without a postgres connection configured:
// the plan does not refuse a validation it cannot know is set ('PostgreSQL Connection Needed for
// Validation' is for a validation that is). Known set at apply, the apply refuses it, changing
// nothing.
func TestAccDBTopology_validationUnknownAtPlan(t *testing.T) {
	t.Setenv("PGHOST", "")
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	cfg := func(srv *sandbox.Server, validate bool) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "terraform_data" "t" {
  input = { validate = %t }
}
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  force                  = true
  validation             = terraform_data.t.output.validate ? { tables = ["messages"] } : null
}
`, validate))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg(srv, false),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("validation"), knownvalue.Null()),
			},
		}},
	})
	srv2, _ := topologySandbox(t, sandbox.Demo(), nil)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      cfg(srv2, true),
			ExpectError: regexp.MustCompile(`PostgreSQL Connection Needed for Validation`),
		}},
	})
	if ops := changingOps(srv2); len(ops) != 0 {
		t.Errorf("changing calls %v after the refused apply, want none", ops)
	}
}

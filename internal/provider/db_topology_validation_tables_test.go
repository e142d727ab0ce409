package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccDBTopology_validationTablesElsewhere: validation tables that are not in the database the
// resource's provider configuration reaches, as when examples/demo's sso-prod (auth's tables) is left
// without provider = rightsize.sso and validates through the default configuration's chat database.
// The apply fails on validation.tables before anything is changed, naming every missing table and the
// database it looked in, and says how to reach another database. It said "validation table
// public.credentials does not exist; fix validation.tables", naming one table and neither the database
// nor the provider configuration, which read as a typo in a list that was right.
func TestAccDBTopology_validationTablesElsewhere(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	cfg := topologyConfig(srv, acctest.HarnessPostgres(t), `
resource "rightsize_db_topology" "sso" {
  db_cluster_identifier = "sso-prod"
  nodes                 = 1
  validation = {
    tables = ["credentials", "login_events"]
  }
}
`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			ExpectError: regexp.MustCompile(`(?s)Validation Tables Not Found.*` +
				`validation\s+tables\s+public\.credentials,\s+public\.login_events\s+do\s+not\s+exist\s+in\s+database\s+"postgres"\s+on\s+127\.0\.0\.1:\d+.*` +
				`fix\s+validation\.tables.*no\s+change\s+was\s+made.*provider\s+=\s+rightsize\.<alias>`),
		}, {
			PreConfig: func() {
				if n, err := countGuards(api, true, "sso-prod", "rightsize-guard-"); err != nil || n != 0 {
					t.Fatalf("guard snapshots of sso-prod: %d %v", n, err)
				}
				if n, err := srv.CheckGuarded("sso-prod"); err != nil || n != 0 {
					t.Fatalf("changing calls on sso-prod: %d %v", n, err)
				}
			},
			Config: cfg, PlanOnly: true, ExpectNonEmptyPlan: true,
		}},
	})
}

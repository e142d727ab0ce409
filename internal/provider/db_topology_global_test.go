package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccDBTopology_globalSwitchedOver: the resource removes the reader of sso-prod, the primary
// cluster of Aurora global database sso-global; a switchover then makes sso-prod a secondary
// cluster, its one instance a reader. The refresh keeps one node (an empty plan); going back to 2
// nodes, and destroying with restore_on_destroy, are refused naming the global database and the
// switchover that makes the cluster primary, with no guard snapshot taken; once it is the primary
// again, going back to 2 nodes works.
func TestAccDBTopology_globalSwitchedOver(t *testing.T) {
	sc := sandbox.Demo()
	sc.Clusters[0].GlobalCluster = "sso-global"
	srv, api := topologySandbox(t, sc, nil)
	cfg := func(nodes int) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "sso" {
  db_cluster_identifier = "sso-prod"
  nodes                 = %d
  force                 = true
  restore_on_destroy    = true
}
`, nodes))
	}
	const name = "rightsize_db_topology.sso"
	refused := regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*secondary\s+cluster\s+of\s+Aurora\s+global\s+database\s+sso-global.*switchover-global-cluster\s+--global-cluster-identifier\s+sso-global\s+--target-db-cluster-identifier\s+arn:aws:rds:us-east-1:123456789012:cluster:sso-prod\)`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(1), Check: checkGuardedLog(srv, "sso-prod", 1)},
			{
				PreConfig: func() {
					if !srv.GlobalSwitchover("sso-prod", false) {
						t.Fatal("switchover: sso-prod not demoted")
					}
				},
				Config: cfg(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
				},
			},
			{Config: cfg(2), ExpectError: refused},
			{Config: cfg(1), Destroy: true, ExpectError: refused},
			{
				PreConfig: func() {
					if !srv.GlobalSwitchover("sso-prod", true) {
						t.Fatal("switchover back: sso-prod not promoted")
					}
				},
				Config: cfg(2),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-sso-prod-g2-to2")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkGuardedLog(srv, "sso-prod", 2),
					// The refused change and destroy took no guard snapshot.
					checkGuardCount(api, true, "sso-prod", "rightsize-guard-sso-prod-g2-", 1),
				),
			},
		},
	})
}

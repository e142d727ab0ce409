package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccSingleNodeRecommendation_readerParameters: sso-prod's reader runs in a DB parameter group
// of its own without the writer's statement_timeout, and with more work_mem: its queries (reports
// with no time limit) would be cancelled after 30 s on the writer once it is removed. The
// recommendation and the fleet say so in a medium operations risk naming both values and their
// groups; mandible-prod (Multi-AZ) has no such risk.
func TestAccSingleNodeRecommendation_readerParameters(t *testing.T) {
	now := sandboxNow()
	sc := sandbox.Demo()
	sc.ParameterGroups = append(sc.ParameterGroups,
		sandbox.ParameterGroupSpec{Name: "sso-writer", Parameters: map[string]string{"statement_timeout": "30000"}},
		sandbox.ParameterGroupSpec{Name: "sso-reporting", Parameters: map[string]string{"work_mem": "65536"}})
	for i := range sc.Clusters {
		if sc.Clusters[i].ID == "sso-prod" {
			sc.Clusters[i].Members[0].ParameterGroup, sc.Clusters[i].Members[1].ParameterGroup = "sso-writer", "sso-reporting"
		}
	}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	const want = "medium operations: The reader sso-prod-instance-2's queries move to the writer sso-prod-instance-1 and run under the writer's parameters, which differ: " +
		"statement_timeout 0 (no limit) on the reader (PostgreSQL's default), 30s (30000 ms) on the writer (DB parameter group sso-writer); " +
		"work_mem 64MB (65536 kB) on the reader (DB parameter group sso-reporting), default on the writer (PostgreSQL's default). " +
		"So a stricter limit on the writer cancels statements or ends sessions that ran on the reader"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 7
  period_seconds        = 3600
  end_time              = %[1]q
}

data "rightsize_single_node_recommendation" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 7
  period_seconds         = 3600
  end_time               = %[1]q
}

data "rightsize_fleet" "f" {
  identifier_regex = "^sso-prod$"
  lookback_days    = 7
  period_seconds   = 3600
  end_time         = %[1]q
}
`, now.Format(time.RFC3339))),
			Check: func(s *terraform.State) error {
				for _, x := range []struct{ name, key, want string }{
					{"data.rightsize_single_node_recommendation.sso", "risks", want},
					{"data.rightsize_fleet.f", "clusters.0.risks", want},
					{"data.rightsize_single_node_recommendation.mandible", "risks", ""},
				} {
					a, err := fleetAttrs(s, x.name)
					if err != nil {
						return err
					}
					rs, err := risksWith(a, x.key)
					if err != nil {
						return err
					}
					var got []string
					for _, r := range rs {
						if strings.Contains(r, "run under the writer's parameters") {
							got = append(got, r)
						}
					}
					if (x.want == "") != (len(got) == 0) || x.want != "" && (len(got) != 1 || !strings.HasPrefix(got[0], x.want)) {
						return fmt.Errorf("%s: reader parameter risks %q, want one starting %q", x.name, got, x.want)
					}
				}
				return nil
			},
		}},
	})
}

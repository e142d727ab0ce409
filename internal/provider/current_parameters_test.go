package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// The recommendation lists what the writer's DB parameter group sets (current_parameters, the
// static ones in current_static_parameters), so that a new group replacing it keeps them: here
// the merge examples/modules/rightsize-analysis makes keeps shared_preload_libraries and
// rds.logical_replication, takes the recommended work_mem over the group's, and marks the static
// ones pending-reboot. A writer on RDS's default group has none (an empty map, not null).
func TestAccSingleNodeRecommendation_currentParameters(t *testing.T) {
	now := sandboxNow()
	sc := sandbox.Demo()
	sc.Instances[0].ParameterGroup = "mandible-pg15"
	sc.ParameterGroups = []sandbox.ParameterGroupSpec{{Name: "mandible-pg15", Parameters: map[string]string{
		"shared_preload_libraries": "pg_stat_statements,pg_cron", "rds.logical_replication": "1", "work_mem": "1024", "log_min_duration_statement": "500",
	}}}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	m, s := "data.rightsize_single_node_recommendation.mandible", "data.rightsize_single_node_recommendation.sso"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, demoRecommendationsHCL(now.Format(time.RFC3339), 14)+`
locals {
  r = data.rightsize_single_node_recommendation.mandible
}

# As examples/modules/rightsize-analysis's parameter_group_parameters.
output "merged" {
  value = merge(
    { for name, value in local.r.current_parameters : name => { value = value, apply_method = contains(local.r.current_static_parameters, name) ? "pending-reboot" : "immediate" } },
    { for name, value in local.r.recommended_parameters : name => { value = value, apply_method = contains(local.r.pending_reboot_parameters, name) ? "pending-reboot" : "immediate" } },
  )
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(m, tfjsonpath.New("current_parameter_group"), knownvalue.StringExact("mandible-pg15")),
				statecheck.ExpectKnownValue(m, tfjsonpath.New("current_parameters"), knownvalue.MapExact(map[string]knownvalue.Check{
					"shared_preload_libraries": knownvalue.StringExact("pg_stat_statements,pg_cron"), "rds.logical_replication": knownvalue.StringExact("1"),
					"work_mem": knownvalue.StringExact("1024"), "log_min_duration_statement": knownvalue.StringExact("500"),
				})),
				statecheck.ExpectKnownValue(m, tfjsonpath.New("current_static_parameters"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("rds.logical_replication"), knownvalue.StringExact("shared_preload_libraries"),
				})),
				statecheck.ExpectKnownOutputValueAtPath("merged", tfjsonpath.New("shared_preload_libraries"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"value": knownvalue.StringExact("pg_stat_statements,pg_cron"), "apply_method": knownvalue.StringExact("pending-reboot"),
				})),
				statecheck.ExpectKnownOutputValueAtPath("merged", tfjsonpath.New("log_min_duration_statement").AtMapKey("apply_method"), knownvalue.StringExact("immediate")),
				statecheck.ExpectKnownOutputValueAtPath("merged", tfjsonpath.New("work_mem").AtMapKey("value"), knownvalue.StringFunc(func(v string) error {
					if v == "1024" {
						return fmt.Errorf("work_mem %s is the current group's, want the recommended one over it", v)
					}
					return nil
				})),
				statecheck.ExpectKnownValue(s, tfjsonpath.New("current_parameters"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				statecheck.ExpectKnownValue(s, tfjsonpath.New("current_static_parameters"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}, {
			// The group cannot be read: what a new group must keep is unknown (null), not "nothing".
			PreConfig: func() {
				srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBParameters", Rate: 1,
					RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized for the test"}})
			},
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 14
  end_time               = %q
}
`, now.Format(time.RFC3339))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(m, tfjsonpath.New("current_parameter_group"), knownvalue.StringExact("mandible-pg15")),
				statecheck.ExpectKnownValue(m, tfjsonpath.New("current_parameters"), knownvalue.Null()),
				statecheck.ExpectKnownValue(m, tfjsonpath.New("current_static_parameters"), knownvalue.Null()),
			},
		}},
	})
}

package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccExampleModules plans the example modules (rightsize-analysis feeding
// cost) against the sandbox, as a user's root module would use them.
func TestAccExampleModules(t *testing.T) {
	// The modules require dbrightsize/rightsize; serve the provider under that address.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "dbrightsize")
	analysisModule, err := filepath.Abs("../../examples/modules/rightsize-analysis")
	if err != nil {
		t.Fatal(err)
	}
	costModule, _ := filepath.Abs("../../examples/modules/cost")
	now := sandboxNow()
	// mandible-prod's DB parameter group sets what a new group must keep, and a work_mem the
	// recommendation replaces (none of the parameters the recommendation reads there).
	sc := sandbox.Demo()
	sc.Instances[0].ParameterGroup = "mandible-pg15"
	sc.ParameterGroups = []sandbox.ParameterGroupSpec{{Name: "mandible-pg15", Parameters: map[string]string{
		"shared_preload_libraries": "pg_stat_statements,pg_cron", "work_mem": "1024"}}}
	// solo-db runs one node already, as a deployment does after rightsize_db_topology's change:
	// the module keeps planning it (allow_single_node) rather than failing every later plan.
	sc.Instances = append(sc.Instances, sandbox.SingleAZ().Instances...)
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	end := now.Format(time.RFC3339)
	config := `terraform {
  required_providers {
    rightsize = { source = "dbrightsize/rightsize" }
  }
}
` + acctest.SandboxProvider(srv).HCL() + fmt.Sprintf(`
module "sso" {
  source                = %[1]q
  db_cluster_identifier = "sso-prod"
  end_time              = %[3]q
}
module "mandible" {
  source                 = %[1]q
  db_instance_identifier = "mandible-prod"
  lookback_days          = 28
  end_time               = %[3]q
}
module "mandible_keep" {
  source                  = %[1]q
  db_instance_identifier  = "mandible-prod"
  lookback_days           = 28
  end_time                = %[3]q
  keep_current_parameters = ["work_mem", "not_in_the_group"]
}
module "solo" {
  source                 = %[1]q
  db_instance_identifier = "solo-db"
  end_time               = %[3]q
}
output "solo_verdict"     { value = module.solo.verdict }
output "solo_alarm_count" { value = length(module.solo.alarms) }
output "mandible_keep_work_mem" { value = module.mandible_keep.parameter_group_parameters["work_mem"] }
module "cost" {
  source = %[2]q
  items  = [module.sso.cost_item, module.mandible.cost_item]
}
output "sso_verdict"     { value = module.sso.verdict }
output "sso_savings"     { value = module.sso.monthly_savings }
output "alarm_count"     { value = length(module.sso.alarms) }
output "fleet_current"   { value = module.cost.current_monthly_cost }
output "fleet_savings"   { value = module.cost.monthly_savings }
output "fleet_after"     { value = module.cost.monthly_cost_after }
# As Terraform prints them: a float64 from the provider times 12 printed 1907.5199999…98 (about 150 digits).
output "fleet_text" {
  value = [for v in [module.cost.current_monthly_cost, module.cost.monthly_savings, module.cost.monthly_cost_after, module.cost.annual_savings] : tostring(v)]
}
output "consolidate"     { value = module.cost.consolidate }
output "mandible_parameters" { value = module.mandible.parameters }
output "sso_parameters"      { value = module.sso.parameters }
output "mandible_group"      { value = module.mandible.parameter_group_parameters }
output "sso_group"           { value = module.sso.parameter_group_parameters }
output "mandible_group_read" { value = module.mandible.current_parameters_read }

# The cost module on its own: a priced deployment, one unpriced, one whose single node has no price.
module "cost_mixed" {
  source = %[2]q
  items = [
    { name = "a", verdict = "consolidate", current_monthly_cost = 100, monthly_savings = 40 },
    { name = "b", verdict = "consolidate", current_monthly_cost = null, monthly_savings = null },
    { name = "c", verdict = "consolidate", current_monthly_cost = 80, monthly_savings = null },
    { name = "d", verdict = "keep", current_monthly_cost = 60, monthly_savings = 10 },
  ]
}
output "mixed_consolidate" { value = module.cost_mixed.consolidate }
output "mixed_unpriced"    { value = module.cost_mixed.unpriced }
output "mixed_current"     { value = module.cost_mixed.current_monthly_cost }
output "mixed_savings"     { value = module.cost_mixed.monthly_savings }

# Totals whose difference, unrounded, Terraform prints with some 150 digits (159.37000…0002).
module "cost_cents" {
  source = %[2]q
  items = [
    { name = "a", verdict = "consolidate", current_monthly_cost = 318.33, monthly_savings = 158.96 },
  ]
}
output "cents_text" {
  value = [for v in [module.cost_cents.monthly_cost_after, module.cost_cents.annual_savings] : tostring(v)]
}
`, analysisModule, costModule, end)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		PreCheck: func() { acctest.PreCheck(t) },
		Steps: []resource.TestStep{{
			// A configuration directory (rather than Config) makes
			// terraform-plugin-testing run init on the whole configuration,
			// which installs the modules.
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			ConfigDirectory:          tfconfig.StaticDirectory(dir),
			// terraform-plugin-testing cannot read module state back, so this
			// step only plans and checks the planned outputs.
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectKnownOutputValue("sso_verdict", knownvalue.StringExact("consolidate")),
				plancheck.ExpectKnownOutputValue("sso_savings", knownvalue.Float64Exact(53.29)),
				// Aurora 2 × db.t4g.medium (2 × 53.29) + Multi-AZ db.t4g.large (188.34) and its 100 GiB of gp3
				// storage at the Multi-AZ rate (23.00); one node saves 53.29 + 94.17 + 11.50.
				plancheck.ExpectKnownOutputValue("fleet_current", knownvalue.Float64Exact(317.92)),
				plancheck.ExpectKnownOutputValue("fleet_savings", knownvalue.Float64Exact(158.96)),
				plancheck.ExpectKnownOutputValue("fleet_after", knownvalue.Float64Exact(158.96)),
				plancheck.ExpectKnownOutputValue("fleet_text", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("317.92"), knownvalue.StringExact("158.96"), knownvalue.StringExact("158.96"), knownvalue.StringExact("1907.52"),
				})),
				plancheck.ExpectKnownOutputValue("consolidate", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("sso-prod"), knownvalue.StringExact("mandible-prod"),
				})),
				// Every consolidate deployment is named; those without a price are listed and left out of
				// the totals (a and d are priced; d is kept, so only a's savings count).
				plancheck.ExpectKnownOutputValue("mixed_consolidate", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("a"), knownvalue.StringExact("b"), knownvalue.StringExact("c"),
				})),
				plancheck.ExpectKnownOutputValue("mixed_unpriced", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("b"), knownvalue.StringExact("c"),
				})),
				plancheck.ExpectKnownOutputValue("mixed_current", knownvalue.Float64Exact(160)),
				plancheck.ExpectKnownOutputValue("mixed_savings", knownvalue.Float64Exact(40)),
				plancheck.ExpectKnownOutputValue("cents_text", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("159.37"), knownvalue.StringExact("1907.52"),
				})),
				// Parameters shaped for aws_db_parameter_group: the static ones (PostgreSQL reads them at
				// server start) with pending-reboot, the others immediate.
				plancheck.ExpectKnownOutputValue("mandible_parameters", knownvalue.MapPartial(map[string]knownvalue.Check{
					"shared_buffers": parameterBlock("shared_buffers", "pending-reboot"),
					"work_mem":       parameterBlock("work_mem", "immediate"),
				})),
				plancheck.ExpectKnownOutputValue("sso_parameters", knownvalue.MapPartial(map[string]knownvalue.Check{
					"max_worker_processes": parameterBlock("max_worker_processes", "pending-reboot"),
					"shared_buffers":       parameterBlock("shared_buffers", "pending-reboot"),
					"random_page_cost": knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name": knownvalue.StringExact("random_page_cost"), "value": knownvalue.StringExact("1.1"),
						"apply_method": knownvalue.StringExact("immediate"),
					}),
				})),
				plancheck.ExpectKnownOutputValue("sso_parameters", knownvalue.MapSizeExact(10)),
				// A new group holds what the current one sets, the recommended values over it; on
				// RDS's default group (sso-prod's), the recommended ones alone.
				plancheck.ExpectKnownOutputValue("mandible_group", knownvalue.MapPartial(map[string]knownvalue.Check{
					"shared_preload_libraries": knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name": knownvalue.StringExact("shared_preload_libraries"), "value": knownvalue.StringExact("pg_stat_statements,pg_cron"),
						"apply_method": knownvalue.StringExact("pending-reboot"),
					}),
					"work_mem": knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name": knownvalue.StringExact("work_mem"), "apply_method": knownvalue.StringExact("immediate"),
						"value": knownvalue.StringFunc(func(v string) error {
							if v == "1024" {
								return fmt.Errorf("work_mem is the current group's 1024, want the recommended value over it")
							}
							return nil
						}),
					}),
				})),
				plancheck.ExpectKnownOutputValue("sso_group", knownvalue.MapSizeExact(10)),
				plancheck.ExpectKnownOutputValue("mandible_group_read", knownvalue.Bool(true)),
				// keep_current_parameters keeps the group's own work_mem (and ignores a name it does not set).
				plancheck.ExpectKnownOutputValue("mandible_keep_work_mem", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"name": knownvalue.StringExact("work_mem"), "value": knownvalue.StringExact("1024"), "apply_method": knownvalue.StringExact("immediate"),
				})),
				plancheck.ExpectKnownOutputValue("solo_verdict", knownvalue.StringFunc(func(v string) error {
					if v == "" {
						return fmt.Errorf("no verdict for the single-node deployment")
					}
					return nil
				})),
				plancheck.ExpectKnownOutputValue("solo_alarm_count", knownvalue.Int64Func(func(n int64) error {
					if n < 1 {
						return fmt.Errorf("the module produced %d alarms for the single node, want its rollback triggers", n)
					}
					return nil
				})),
				plancheck.ExpectKnownOutputValue("alarm_count", knownvalue.Int64Func(func(n int64) error {
					if n < 1 {
						return fmt.Errorf("the module produced %d alarms, want at least one rollback trigger", n)
					}
					return nil
				})),
			}},
		}},
	})
}

// parameterBlock matches one entry of the rightsize-analysis module's parameters output: an
// aws_db_parameter_group parameter block with a value and the given apply method.
func parameterBlock(name, applyMethod string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"name": knownvalue.StringExact(name), "value": knownvalue.NotNull(), "apply_method": knownvalue.StringExact(applyMethod),
	})
}

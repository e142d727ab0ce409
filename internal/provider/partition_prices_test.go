package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// In China (billed in CNY) and GovCloud, where the catalog has no instance price, the surplus CPU
// credits' cost is unknown too (null), not priced at the commercial regions' USD rate beside
// costs that are all null; in a commercial region it is priced.
func TestAccRecommendation_creditPriceByPartition(t *testing.T) {
	for region, priced := range map[string]bool{"cn-north-1": false, "us-gov-west-1": false, "us-east-1": true} {
		t.Run(region, func(t *testing.T) {
			sc := sandbox.Demo()
			sc.Region = region
			srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc})
			pc := acctest.SandboxProvider(srv)
			pc.Region = region
			const ds = "data.rightsize_single_node_recommendation.m"
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: pc.HCL() + `
data "rightsize_single_node_recommendation" "m" {
  db_instance_identifier = "mandible-prod"
}
`,
					Check: func(s *terraform.State) error {
						a := s.RootModule().Resources[ds].Primary.Attributes
						if a["cpu_credits.instance_class"] == "" {
							return fmt.Errorf("no cpu_credits for a burstable class: %v", a["recommended_instance_class"])
						}
						_, costed := a["current_monthly_cost"]
						_, credit := a["cpu_credits.surplus_monthly_cost"]
						if costed != priced || credit != priced {
							return fmt.Errorf("%s: current_monthly_cost set %t, cpu_credits.surplus_monthly_cost set %t (%q); want both %t",
								region, costed, credit, a["cpu_credits.surplus_monthly_cost"], priced)
						}
						return nil
					},
				}},
			})
		})
	}
}

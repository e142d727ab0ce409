package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccFleet_beingDeleted: a Multi-AZ instance being deleted (DeleteDBInstance, status
// "deleting") and an Aurora cluster whose reader is being deleted are going away, or to one node,
// by themselves: the fleet skips them with the reason, rather than listing them as deployments to
// consolidate, in phase_order and with their savings in total_monthly_savings.
func TestAccFleet_beingDeleted(t *testing.T) {
	now := sandboxNow()
	sc := fleetScenario(&sandbox.Scenario{Name: "gone", Instances: []sandbox.InstanceSpec{
		sandbox.MultiAZInstance("gone-prod", "db.t4g.large", sandbox.DemoMandibleWorkload)}})
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	api := rds.NewFromConfig(srv.AWSConfig())
	for _, id := range []string{"gone-prod", "sso-prod-instance-2"} {
		if _, err := api.DeleteDBInstance(context.Background(), &rds.DeleteDBInstanceInput{
			DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
			t.Fatalf("deleting %s: %v", id, err)
		}
	}
	ds := "data.rightsize_fleet.f"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "f" {
  identifier_regex = "-prod$"
  lookback_days    = 7
  period_seconds   = 3600
  end_time         = %q
}
`, now.Format(time.RFC3339))),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkFleetIdentifiers(ds, "mandible-prod"),
				resource.TestCheckResourceAttr(ds, "phase_order.#", "1"),
				resource.TestCheckResourceAttr(ds, "phase_order.0", "mandible-prod"),
				resource.TestCheckResourceAttrPair(ds, "total_monthly_savings", ds, "clusters.0.monthly_savings"),
				resource.TestMatchTypeSetElemNestedAttrs(ds, "skipped.*", map[string]*regexp.Regexp{
					"identifier": regexp.MustCompile(`^gone-prod$`),
					"reason":     regexp.MustCompile(`^the DB instance is being deleted \(status "(delete-precheck|deleting)"\): it is going away$`),
				}),
				resource.TestMatchTypeSetElemNestedAttrs(ds, "skipped.*", map[string]*regexp.Regexp{
					"identifier": regexp.MustCompile(`^sso-prod$`),
					"reason":     regexp.MustCompile(`^its reader sso-prod-instance-2 is being deleted \(status "(delete-precheck|deleting)"\): the cluster is going to one node by itself$`),
				}),
				func(s *terraform.State) error {
					a, err := fleetAttrs(s, ds)
					if err != nil {
						return err
					}
					skipped, err := fleetStrings(a, "skipped", "identifier")
					if err != nil {
						return err
					}
					slices.Sort(skipped)
					if !slices.Equal(skipped, []string{"gone-prod", "sso-prod"}) {
						return fmt.Errorf("skipped %v, want gone-prod and sso-prod", skipped)
					}
					return nil
				},
			),
		}},
	})
}

// TestAccFleet_pendingSingleAZ: a Multi-AZ instance whose change to Single-AZ waits for the
// maintenance window (ModifyDBInstance MultiAZ=false without ApplyImmediately) is going to one
// node by itself: the fleet skips it with the reason, rather than listing it as a deployment to
// consolidate, in phase_order and with its savings in total_monthly_savings.
func TestAccFleet_pendingSingleAZ(t *testing.T) {
	now := sandboxNow()
	sc := fleetScenario(&sandbox.Scenario{Name: "later", Instances: []sandbox.InstanceSpec{
		sandbox.MultiAZInstance("later-prod", "db.t4g.large", sandbox.DemoMandibleWorkload)}})
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	api := rds.NewFromConfig(srv.AWSConfig())
	if _, err := api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("later-prod"),
		MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	ds := "data.rightsize_fleet.f"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "f" {
  identifier_regex = "-prod$"
  lookback_days    = 7
  period_seconds   = 3600
  end_time         = %q
}
`, now.Format(time.RFC3339))),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkFleetIdentifiers(ds, "mandible-prod", "sso-prod"),
				resource.TestCheckResourceAttr(ds, "phase_order.#", "2"),
				resource.TestCheckResourceAttr(ds, "skipped.#", "1"),
				resource.TestCheckResourceAttr(ds, "skipped.0.identifier", "later-prod"),
				resource.TestMatchResourceAttr(ds, "skipped.0.reason", regexp.MustCompile(`^a change to Single-AZ is pending \(requested without ApplyImmediately: .*\): it is going to one node by itself$`)),
			),
		}},
	})
}

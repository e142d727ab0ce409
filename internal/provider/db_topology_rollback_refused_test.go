package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// TestAccDBTopology_rollbackRefusedThenGranted: a change to 1 node loses rows, and the role,
// allowed the change, is denied the rollback's ModifyDBInstance. The apply fails saying the
// rollback has not begun and why; once the permission is granted, the next plan is not empty
// (the state keeps 2 nodes) and its apply makes the rollback and reports it, instead of taking
// the failed change for the database's topology. The apply after that makes the change anew.
func TestAccDBTopology_rollbackRefusedThenGranted(t *testing.T) {
	srv, api, cfg := refusedRollbackAt(t, 3) // generation 3's change
	multiAZ := func(want bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			in, err := topology.FindDBInstance(context.Background(), api, "mandible-prod")
			if err != nil {
				return err
			}
			if aws.ToBool(in.MultiAZ) != want {
				return fmt.Errorf("mandible-prod MultiAZ = %t, want %t", aws.ToBool(in.MultiAZ), want)
			}
			return nil
		}
	}
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(1), Check: multiAZ(false)}, // generation 1 (created at 1 node)
			{Config: cfg(2), Check: multiAZ(true)},  // generation 2: back to 2 nodes
			{Config: cfg(1), ExpectError: regexp.MustCompile(`(?s)Topology Change Failed, Rollback Not Begun.*validation\s+failed.*` +
				`was\s+refused.*AccessDenied.*nothing\s+is\s+restored\s+yet.*credentials\s+were\s+refused.*apply\s+again\s+to\s+roll\s+back`)},
			{
				PreConfig: srv.ClearFaults,
				Config:    cfg(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ExpectError: regexp.MustCompile(`(?s)Topology Change Rolled Back.*finishing\s+the\s+rollback.*Multi-AZ\s+turned\s+on\s+again`),
			},
			{
				Config:            cfg(1),
				Check:             multiAZ(false),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(name, tfPath("nodes"), knownvalue.Int64Exact(1))},
			},
		},
	})
}

// TestAccDBTopology_rollbackRefusedPutBackLater: the rollback is refused, and the operator puts
// Multi-AZ back by hand as the docs say, but without --apply-immediately (the CLI's default), so
// the modification waits for the maintenance window. The next apply, its rollback refused again,
// says that Multi-AZ is already pending and gives the command that makes it now; once it is made,
// the apply after records the rollback. (A change to 2 nodes whose failure comes once the database
// has its two nodes keeps them: TestUpdate_toTwoValidationFailureKeepsTwo.)
func TestAccDBTopology_rollbackRefusedPutBackLater(t *testing.T) {
	for _, tc := range []struct {
		name       string
		at         int  // the refused change's generation
		to         int  // its node count
		back       bool // Multi-AZ as the rollback sets it
		flag, word string
	}{
		{"to1", 1, 1, true, "--multi-az", "on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, api, cfg := refusedRollbackAt(t, tc.at)
			ctx := context.Background()
			var steps []resource.TestStep
			steps = append(steps,
				resource.TestStep{Config: cfg(tc.to), ExpectError: regexp.MustCompile(`(?s)Rollback\s+Not\s+Begun`)},
				resource.TestStep{
					PreConfig: func() {
						srv.ClearFaults()
						if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(tc.back)}); err != nil {
							t.Fatal(err)
						}
						srv.InjectFaults(modifyDenied)
					},
					Config: cfg(tc.to),
					ExpectError: regexp.MustCompile(`(?s)was\s+refused.*Multi-AZ\s+` + tc.word + `\s+is\s+already\s+pending\s+on\s+DB\s+instance\s+mandible-prod\s+for\s+its\s+maintenance\s+window.*` +
						`aws\s+rds\s+modify-db-instance\s+--db-instance-identifier\s+mandible-prod\s+` + tc.flag + `\s+--apply-immediately`),
				},
				resource.TestStep{
					PreConfig: func() {
						srv.ClearFaults()
						setMultiAZ(t, api, tc.back) // as the message says: --apply-immediately
						srv.InjectFaults(modifyDenied)
					},
					Config:      cfg(tc.to),
					ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Rolled\s+Back.*rolled\s+back:\s+Multi-AZ\s+turned\s+` + tc.word + `\s+again`),
				})
			resource.Test(t, resource.TestCase{PreCheck: func() { acctest.PreCheck(t) }, ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
		})
	}
}

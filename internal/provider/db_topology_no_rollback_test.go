package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// TestAccDBTopology_noRollbackThenBackToTwo: an Aurora cluster imported at 2 nodes (its state
// records no reader) has its reader removed with rollback_on_failure = false, and the validation
// fails: the error says the change is left as it is and "to undo it, set nodes = 2". That apply
// kept the state as it was, so the reader it removed is recorded only on its guard snapshot. Going
// back to 2 nodes must recreate that reader (its identifier and class), not a new one named after
// the cluster with the writer's settings. The refresh after the failed apply records the removal
// as an apply that succeeded would have (last_change, previous_topology with the reader, the
// guard snapshot), from that guard snapshot: the state says what was removed and where its guard
// is, and going back to 2 nodes is the next generation's change.
func TestAccDBTopology_noRollbackThenBackToTwo(t *testing.T) {
	schema := seedTopologyTables(t)
	dsn := acctest.PGDSN(t)
	settled := 0
	srv, api := topologySandbox(t, sandbox.Demo(), func(o *topology.Orchestrator) {
		o.OnStep = func(s topology.Step) error {
			if s != topology.StepSettled {
				return nil
			}
			if settled++; settled != 1 {
				return nil
			}
			// Rows disappear during the removal: its validation fails.
			c, err := pgx.Connect(context.Background(), dsn)
			if err != nil {
				return err
			}
			defer func() { _ = c.Close(context.Background()) }()
			_, err = c.Exec(context.Background(), "DELETE FROM "+schema+".messages WHERE id <= 3")
			return err
		}
	})
	// The reader's class differs from the writer's (db.t4g.medium).
	if _, err := api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2"),
		DBInstanceClass: aws.String("db.r6g.large"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(2 * time.Hour)
	cfg := func(n int) string {
		return topologyConfig(srv, acctest.HarnessPostgres(t), fmt.Sprintf(`
resource "rightsize_db_topology" "s" {
  db_cluster_identifier = "sso-prod"
  nodes                 = %d
  force                 = true
  rollback_on_failure   = false
  validation = {
    tables = ["%s.messages"]
  }
}
`, n, schema))
	}
	const name = "rightsize_db_topology.s"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(2), ResourceName: name, ImportState: true, ImportStateId: "cluster:sso-prod", ImportStatePersist: true},
			{Config: cfg(2)},
			{Config: cfg(1), ExpectError: regexp.MustCompile(`(?s)3 lost.*not rolled back.*to undo it, set nodes = 2`)},
			// The refresh (persisted by an apply that plans nothing) records the removal.
			{Config: cfg(1), ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(name, tfPath("nodes"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(name, tfPath("current_nodes"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(name, tfPath("last_change.generation"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(name, tfPath("last_change.from_nodes"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(name, tfPath("last_change.to_nodes"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(name, tfPath("last_change.time"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(name, tfPath("last_change.action"), knownvalue.StringRegexp(regexp.MustCompile(
					`^reader sso-prod-instance-2 removed from DB cluster sso-prod \(2 → 1 node\).*failed-not-rolled-back`))),
				statecheck.ExpectKnownValue(name, tfPath("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-sso-prod-g1-to1")),
				statecheck.ExpectKnownValue(name, tfPath("guard_snapshot_arn"), knownvalue.StringRegexp(regexp.MustCompile(`:cluster-snapshot:rightsize-guard-sso-prod-g1-to1$`))),
				statecheck.ExpectKnownValue(name, tfPath("previous_topology.nodes"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(name, tfPath("previous_topology.multi_az"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(name, tfPath("previous_topology.reader.identifier"), knownvalue.StringExact("sso-prod-instance-2")),
				statecheck.ExpectKnownValue(name, tfPath("previous_topology.reader.instance_class"), knownvalue.StringExact("db.r6g.large")),
			}},
			{Config: cfg(2), ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(name, tfPath("last_change.generation"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(name, tfPath("last_change.from_nodes"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(name, tfPath("last_change.to_nodes"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(name, tfPath("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-sso-prod-g2-to2")),
				statecheck.ExpectKnownValue(name, tfPath("previous_topology.nodes"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(name, tfPath("previous_topology.reader.identifier"), knownvalue.StringExact("sso-prod-instance-2")),
			}, Check: func(*terraform.State) error {
				topo, err := topology.Describe(context.Background(), api, topology.Target{Kind: topology.KindCluster, Identifier: "sso-prod"})
				if err != nil {
					return err
				}
				rd := topo.Readers()
				if len(rd) != 1 || rd[0].Identifier != "sso-prod-instance-2" || rd[0].Class != "db.r6g.large" {
					return fmt.Errorf("readers after going back to 2 nodes: %+v; want the removed sso-prod-instance-2, db.r6g.large", rd)
				}
				return nil
			}},
		},
	})
}

package provider

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// How the resource reads the state its earlier applies left: a refresh while the maintenance
// window makes a deferred change, a pending change made outside it, and a database left at a
// node count other than the state's.

// TestAccDBTopology_refreshDuringWindow: a refresh while the window is making the deferred change
// (status modifying) keeps it pending, so the apply after the window still validates and records it.
func TestAccDBTopology_refreshDuringWindow(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	cfg, _ := deferredValidatedConfig(t, srv)
	const name = "rightsize_db_topology.m"
	const guard = "rightsize-guard-mandible-prod-g1-to1"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: checkGuardOutcome(api, guard, topology.OutcomePending)},
			{
				// Into the window: the instance is modifying.
				PreConfig: func() {
					for range 8 * 24 * 60 {
						srv.Advance(time.Minute)
						in, err := topology.FindDBInstance(context.Background(), api, "mandible-prod")
						if err != nil {
							t.Fatal(err)
						}
						if aws.ToString(in.DBInstanceStatus) == "modifying" {
							return
						}
					}
					t.Fatal("the instance was never modifying")
				},
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(name, "pending", "true"),
			},
			{
				PreConfig: func() { srv.Advance(8 * 24 * time.Hour) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("pending"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
				},
				Check: checkGuardOutcome(api, guard, topology.OutcomeCompleted),
			},
		},
	})
}

// TestAccDBTopology_foreignPendingChange: a Multi-AZ change deferred outside Terraform is not this
// resource's: once the window has made it, the plan takes the database to the configured node
// count behind a guard of its own instead of planning, forever, an update that is refused.
func TestAccDBTopology_foreignPendingChange(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	cfg := func(n int) string { return mandibleNodesConfig(srv, n) }
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(1)},
			{
				// Someone defers Multi-AZ on to the window; the configuration follows.
				PreConfig: func() {
					if _, err := api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
						MultiAZ: aws.Bool(true), ApplyImmediately: aws.Bool(false)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionNoop),
				}},
			},
			{
				PreConfig: func() { srv.Advance(8 * 24 * time.Hour) },
				Config:    cfg(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("pending"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(2)),
				},
			},
		},
	})
}

// TestAccDBTopology_backToConfiguredNodes: a change whose rollback was cut short leaves the
// database on one node while the state keeps two; with nodes = 2 configured, the plan takes the
// database back to two nodes behind a guard of its own rather than showing nothing to do.
func TestAccDBTopology_backToConfiguredNodes(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	cfg := func(n int) string { return mandibleNodesConfig(srv, n) }
	const name = "rightsize_db_topology.m"
	tags := func(m map[string]string) []rdstypes.Tag {
		var out []rdstypes.Tag
		for k, v := range m {
			out = append(out, rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		return out
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(1)},
			{Config: cfg(2)},
			{
				// Generation 3's change to 1 node failed and its rollback was cut short before its
				// first call: its guard is tagged rolling-back and the instance is Single-AZ.
				PreConfig: func() {
					ctx := context.Background()
					id := topology.GuardSnapshotID("", topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, 3, 1, 1)
					if _, err := api.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String(id),
						Tags: tags(map[string]string{topology.TagTarget: "instance:mandible-prod", topology.TagGeneration: "3", topology.TagFromNodes: "2",
							topology.TagToNodes: "1", topology.TagManagedBy: topology.ManagedByValue,
							topology.TagChangeStarted: srv.Now().UTC().Format(time.RFC3339Nano), topology.TagOutcome: topology.OutcomeRollingBack})}); err != nil {
						t.Fatal(err)
					}
					srv.Advance(time.Hour)
					if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
						MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
						t.Fatal(err)
					}
					srv.Advance(time.Hour)
				},
				Config: cfg(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("multi_az"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-mandible-prod-g3-to2")),
				},
				Check: checkGuardCount(api, false, "mandible-prod", "rightsize-guard-mandible-prod-g3-to2", 1),
			},
		},
	})
}

// TestAccDBTopology_redoAfterImport: an imported resource (no previous_topology) whose database is
// left on one node by an unfinished change goes back to the configured two nodes; the plan leaves
// previous_topology unknown, as the change records it anew (no inconsistent result after apply).
func TestAccDBTopology_redoAfterImport(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	cfg := mandibleNodesConfig(srv, 2)
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, ResourceName: name, ImportState: true, ImportStateId: "instance:mandible-prod", ImportStatePersist: true},
			{
				PreConfig: func() {
					ctx := context.Background()
					id := topology.GuardSnapshotID("", topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, 1, 1, 1)
					if _, err := api.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String(id),
						Tags: []rdstypes.Tag{
							{Key: aws.String(topology.TagTarget), Value: aws.String("instance:mandible-prod")}, {Key: aws.String(topology.TagGeneration), Value: aws.String("1")},
							{Key: aws.String(topology.TagFromNodes), Value: aws.String("2")}, {Key: aws.String(topology.TagToNodes), Value: aws.String("1")},
							{Key: aws.String(topology.TagManagedBy), Value: aws.String(topology.ManagedByValue)},
							{Key: aws.String(topology.TagChangeStarted), Value: aws.String(srv.Now().UTC().Format(time.RFC3339Nano))},
							{Key: aws.String(topology.TagOutcome), Value: aws.String(topology.OutcomeRollingBack)},
						}}); err != nil {
						t.Fatal(err)
					}
					srv.Advance(time.Hour)
					if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
						MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
						t.Fatal(err)
					}
					srv.Advance(time.Hour)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(name, tfjsonpath.New("previous_topology")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(name, tfPath("previous_topology.nodes"), knownvalue.Int64Exact(1)),
				},
			},
		},
	})
}

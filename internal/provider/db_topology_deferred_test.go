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
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// restoredToTwoNodes checks that mandible-prod is Multi-AZ again with nothing pending (a destroy
// with restore_on_destroy).
func restoredToTwoNodes(api *rds.Client) error {
	in, err := topology.FindDBInstance(context.Background(), api, "mandible-prod")
	if err != nil {
		return err
	}
	if !*in.MultiAZ || (in.PendingModifiedValues != nil && in.PendingModifiedValues.MultiAZ != nil) {
		return fmt.Errorf("destroy with restore_on_destroy left Multi-AZ %t, pending %+v", *in.MultiAZ, in.PendingModifiedValues)
	}
	return nil
}

// singleAZNow checks that mandible-prod is Single-AZ with nothing pending: a deferred change made now.
func singleAZNow(api *rds.Client) error {
	in, err := topology.FindDBInstance(context.Background(), api, "mandible-prod")
	if err != nil {
		return err
	}
	if aws.ToBool(in.MultiAZ) || (in.PendingModifiedValues != nil && in.PendingModifiedValues.MultiAZ != nil) {
		return fmt.Errorf("mandible-prod is still Multi-AZ (%t) or has Multi-AZ pending (%+v)", aws.ToBool(in.MultiAZ), in.PendingModifiedValues)
	}
	return nil
}

// TestAccDBTopology_applyImmediatelyAfterDeferral: a change deferred to the maintenance window
// (apply_immediately = false) is wanted now: setting apply_immediately = true plans an update
// that makes it, behind a guard snapshot of its own, instead of only recording the setting while
// the change keeps waiting for the window.
func TestAccDBTopology_applyImmediatelyAfterDeferral(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: mandibleNodesConfig(srv, 1, "  apply_immediately = false\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("pending"), knownvalue.Bool(true)),
				},
			},
			{
				Config: mandibleNodesConfig(srv, 1, "  apply_immediately = true\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(name, tfjsonpath.New("pending")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("pending"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-mandible-prod-g2-to1")),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("last_change").AtMapKey("generation"), knownvalue.Int64Exact(2)),
				},
				Check: checkGuardedLog(srv, "mandible-prod", 2),
			},
			{Config: mandibleNodesConfig(srv, 1, "  apply_immediately = true\n"), PlanOnly: true},
		},
	})
}

// TestAccDBTopology_restoreOnDestroyWhilePendingToTwo: restore_on_destroy while this resource's
// own change back to two nodes waits for the maintenance window: the destroy makes it now, behind
// a guard of its own, instead of refusing it as a change "made outside this resource".
func TestAccDBTopology_restoreOnDestroyWhilePendingToTwo(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := restoredToTwoNodes(api); err != nil {
				return err
			}
			_, err := srv.CheckGuarded("mandible-prod")
			return err
		},
		Steps: []resource.TestStep{
			{Config: mandibleNodesConfig(srv, 1, "  restore_on_destroy = true\n")},
			{
				Config: mandibleNodesConfig(srv, 2, "  apply_immediately = false\n  restore_on_destroy = true\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("pending"), knownvalue.Bool(true)),
				},
			},
			// The test framework's destroy follows.
		},
	})
}

// TestAccDBTopology_deferredInterruptedThenImmediate: a deferred change (apply_immediately = false)
// interrupted right after its request, then applied with apply_immediately = true. That apply
// finishes the interrupted one (the change stays scheduled, as requested then); the next plan
// still shows an update, which makes it now behind a guard of its own, instead of an empty plan
// while the change waits for the window.
func TestAccDBTopology_deferredInterruptedThenImmediate(t *testing.T) {
	hit := false
	srv, api := topologySandbox(t, sandbox.Demo(), func(o *topology.Orchestrator) {
		o.OnStep = func(s topology.Step) error {
			if s == topology.StepChange && !hit {
				hit = true
				return fmt.Errorf("test interruption after the deferred request")
			}
			return nil
		}
	})
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: mandibleNodesConfig(srv, 1, "  apply_immediately = false\n"), ExpectError: regexp.MustCompile(`Interrupted`)},
			{Config: mandibleNodesConfig(srv, 1, "  apply_immediately = true\n"), ExpectNonEmptyPlan: true, // the next plan makes it now
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(name, tfjsonpath.New("pending"), knownvalue.Bool(true))}},
			{
				Config: mandibleNodesConfig(srv, 1, "  apply_immediately = true\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				Check:             func(*terraform.State) error { return singleAZNow(api) },
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(name, tfjsonpath.New("pending"), knownvalue.Bool(false))},
			},
			{Config: mandibleNodesConfig(srv, 1, "  apply_immediately = true\n"), PlanOnly: true},
		},
	})
}

// TestAccDBTopology_applyNowInterrupted: the apply that makes a deferred change now (apply_immediately
// false → true) is interrupted while its guard snapshot is taken (the instance shows backing-up) or
// once it is available; applying the same configuration again makes the change now, not records it
// as waiting for the window.
func TestAccDBTopology_applyNowInterrupted(t *testing.T) {
	for _, step := range []topology.Step{topology.StepGuardCreate, topology.StepGuardAvailable} {
		t.Run(string(step), func(t *testing.T) {
			interrupt := false
			srv, api := topologySandbox(t, sandbox.Demo(), func(o *topology.Orchestrator) {
				o.OnStep = func(s topology.Step) error {
					if interrupt && s == step {
						interrupt = false
						return fmt.Errorf("test interruption at %s", s)
					}
					return nil
				}
			})
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: mandibleNodesConfig(srv, 1, "  apply_immediately = false\n")},
					{
						PreConfig:   func() { interrupt = true },
						Config:      mandibleNodesConfig(srv, 1, "  apply_immediately = true\n"),
						ExpectError: regexp.MustCompile(`Interrupted`),
					},
					{
						Config: mandibleNodesConfig(srv, 1, "  apply_immediately = true\n"),
						Check:  func(*terraform.State) error { return singleAZNow(api) },
					},
					{Config: mandibleNodesConfig(srv, 1, "  apply_immediately = true\n"), PlanOnly: true},
				},
			})
		})
	}
}

// TestAccDBTopology_applyNowGuardUnreadAtPlan: the plan cannot read the guard snapshots (one denied
// DescribeDBSnapshots: a transient error, or a role without it). Whether to make the deferred change
// now is decided from the state, so the plan and the plan Terraform makes again at apply agree, and
// the apply (which reads the guard) makes the change now.
func TestAccDBTopology_applyNowGuardUnreadAtPlan(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: mandibleNodesConfig(srv, 1, "  apply_immediately = false\n")},
			{
				PreConfig: func() {
					srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBSnapshots", Sequence: []sandbox.Fault{
						{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBSnapshots"}}})
				},
				Config: mandibleNodesConfig(srv, 1, "  apply_immediately = true\n"),
				Check:  func(*terraform.State) error { return singleAZNow(api) },
			},
		},
	})
}

// TestAccDBTopology_foreignPendingGuardsUnreadable: a Multi-AZ change scheduled outside the resource
// after its own change completed (the configuration follows it), with the guard snapshots
// unreadable from then on (a role without rds:DescribeDBSnapshots, say): whether to make a deferred
// change now is decided from the state alone (the last change went to another node count), so the
// plan is a no-op rather than an update every apply would refuse.
func TestAccDBTopology_foreignPendingGuardsUnreadable(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: mandibleNodesConfig(srv, 1)},
			{
				PreConfig: func() {
					if _, err := api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
						MultiAZ: aws.Bool(true), ApplyImmediately: aws.Bool(false)}); err != nil {
						t.Fatal(err)
					}
					srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBSnapshots", Rate: 1,
						RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBSnapshots"}})
				},
				Config: mandibleNodesConfig(srv, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionNoop),
				}},
			},
		},
	})
}

// TestAccDBTopology_foreignPendingSameDirection: the resource's change to 1 node completed; outside
// it, Multi-AZ was turned back on and then its removal scheduled for the window (the same direction
// as the resource's last change). The last change was not deferred (its recorded action says so),
// so the plan is a no-op, not an update every apply would refuse.
func TestAccDBTopology_foreignPendingSameDirection(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: mandibleNodesConfig(srv, 1)},
			{
				PreConfig: func() {
					ctx := context.Background()
					if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
						MultiAZ: aws.Bool(true), ApplyImmediately: aws.Bool(true)}); err != nil {
						t.Fatal(err)
					}
					srv.Advance(3 * time.Hour)
					if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
						MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(false)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: mandibleNodesConfig(srv, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("rightsize_db_topology.m", plancheck.ResourceActionNoop),
				}},
			},
		},
	})
}

// TestAccDBTopology_deferredGuardDeleted: the guard of the resource's own deferred change was deleted
// outside it, then apply_immediately turned true. A change is made now only behind that guard, so
// the apply refuses, changing nothing, and says what happened and what to do (not "made outside").
func TestAccDBTopology_deferredGuardDeleted(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: mandibleNodesConfig(srv, 1, "  apply_immediately = false\n")},
			{
				PreConfig: func() {
					if _, err := api.DeleteDBSnapshot(context.Background(), &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("rightsize-guard-mandible-prod-g1-to1")}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      mandibleNodesConfig(srv, 1, "  apply_immediately = true\n"),
				ExpectError: regexp.MustCompile(`(?s)guard snapshot of this\s+resource's\s+last\s+change\s+\(generation\s+1\)\s+does\s+not\s+show\s+that\s+change\s+deferred.*set\s+apply_immediately\s+=\s+false`),
			},
			{Config: mandibleNodesConfig(srv, 1, "  apply_immediately = false\n")},
		},
	})
}

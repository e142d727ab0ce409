package provider

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// TestAccDBTopology_deferredRollbackRefused: the maintenance window made the deferred change, the
// apply after it found rows lost and RDS refused its rollback (the guard stays rolling-back, the
// database on one node). The next plan must show the update that finishes the rollback, and its
// apply must restore Multi-AZ and report it.
func TestAccDBTopology_deferredRollbackRefused(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	dsn := acctest.PGDSN(t)
	cfg, schema := deferredValidatedConfig(t, srv)
	const name = "rightsize_db_topology.m"
	const guard = "rightsize-guard-mandible-prod-g1-to1"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					windowPassesRowsLost(t, srv, dsn, schema)
					srv.InjectFaults(modifyDenied)
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`Rollback Not Begun`),
			},
			{
				PreConfig: func() { srv.ClearFaults() },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ExpectError: regexp.MustCompile(`Topology Change Rolled Back`),
			},
			{
				PreConfig: func() {
					in, err := topology.FindDBInstance(context.Background(), api, "mandible-prod")
					if err != nil || !aws.ToBool(in.MultiAZ) {
						t.Fatalf("not rolled back: %v", err)
					}
					if _, err := srv.CheckGuarded("mandible-prod"); err != nil {
						t.Fatal(err)
					}
					if err := checkGuardOutcome(api, guard, topology.OutcomeRolledBack)(nil); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg, PlanOnly: true, ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccDBTopology_deferredRollbackOutOfTime: as above, but RDS accepted the rollback and was
// still restoring Multi-AZ when the apply's rollback deadline ran out.
func TestAccDBTopology_deferredRollbackOutOfTime(t *testing.T) {
	var srv *sandbox.Server
	srv, api := topologySandbox(t, sandbox.Demo(), func(o *topology.Orchestrator) {
		o.RollbackTimeout = 3 * time.Second
		prev := o.OnStep
		o.OnStep = func(s topology.Step) error {
			if s == topology.StepRollback {
				srv.StickModifying("mandible-prod")
			}
			if prev != nil {
				return prev(s)
			}
			return nil
		}
	})
	dsn := acctest.PGDSN(t)
	cfg, schema := deferredValidatedConfig(t, srv)
	const name = "rightsize_db_topology.m"
	const guard = "rightsize-guard-mandible-prod-g1-to1"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					windowPassesRowsLost(t, srv, dsn, schema)
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`Rollback Still In Progress`),
			},
			{
				// RDS still restoring Multi-AZ: the refresh keeps the deferred change pending, and
				// the apply of nodes = 1 waits for the rollback again (not a new change to 1 node,
				// refused while the instance is modifying).
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ExpectError: regexp.MustCompile(`Rollback Still In Progress`),
			},
			{
				PreConfig: func() {
					if _, err := srv.CheckGuarded("mandible-prod"); err != nil {
						t.Fatal(err)
					}
					if err := checkGuardOutcome(api, guard, topology.OutcomeRollingBack)(nil); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg, PlanOnly: true, ExpectNonEmptyPlan: true,
			},
			{
				// RDS finishes the rollback before the next apply: the refresh takes the database
				// at 2 nodes, and the apply makes the change anew as generation 2, behind a guard of
				// its own, recording generation 1's rollback (its guard no longer rolling-back).
				PreConfig: func() { srv.Unstick("mandible-prod") },
				Config:    cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(name, "guard_snapshot_id", "rightsize-guard-mandible-prod-g2-to1"),
					func(*terraform.State) error { _, err := srv.CheckGuarded("mandible-prod"); return err },
					checkGuardOutcome(api, guard, topology.OutcomeRolledBack),
				),
			},
		},
	})
}

// A change this resource deferred to the maintenance window, made there, whose validation failed
// and whose rollback is unfinished (its guard, of the state's generation, rolling-back): RDS
// refused the rollback (the database still on one node), or accepted it and is restoring Multi-AZ.
// The refresh says so and keeps the change pending (nodes = 1, current_nodes = 1), as the failed
// apply left it, so that the next apply of nodes = 1 finishes the rollback: it neither takes the
// database as changed (an empty plan) nor plans a new change while RDS restores the old topology.
func TestRead_deferredRollbackUnfinished(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	r, empty := directTopologyResource(t, api)
	multiAZOffNow(t, api)
	srv.Advance(2 * time.Hour)
	guard := handGuard(t, srv, api, topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, "", 1, 1, topology.OutcomeRollingBack)
	want := "A change of DB instance mandible-prod to 1 node(s), deferred to the maintenance window and made there, failed its validation and its rollback was not finished: " +
		"refused, interrupted or out of time (guard snapshot " + guard + "). The state keeps nodes = 1, pending, until an apply settles it: "
	for _, c := range []struct {
		name, want string
		setup      func()
	}{
		{"refused", want + "applying nodes = 1 finishes the rollback and reports it; applying nodes = 2 takes the database back behind a guard snapshot of its own.", func() {}},
		{"restoring", want + "RDS is restoring 2 node(s): applying nodes = 1 waits for it and records the rollback.", func() { setMultiAZ(t, api, true) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.setup()
			resp := directRead(t, r, empty, mandibleModel(1, 1, true, lastChangeObject(1, "Multi-AZ turning off on DB instance mandible-prod, "+topology.ScheduledAction, 2, 1)))
			if resp.Diagnostics.HasError() {
				t.Fatalf("Read: %v", resp.Diagnostics)
			}
			if w, ok := warningDetail(resp.Diagnostics, changedOutsideTitle); ok {
				t.Errorf("own deferred change's rollback: warning %q, want none", w)
			}
			if w, ok := warningDetail(resp.Diagnostics, "Unfinished Topology Change"); !ok || w != c.want {
				t.Errorf("warning %q (found %t),\nwant %q", w, ok, c.want)
			}
			got := stateModel(t, resp)
			if got.Nodes.ValueInt64() != 1 || got.CurrentNodes.ValueInt64() != 1 || !got.Pending.ValueBool() {
				t.Errorf("state nodes %v, current_nodes %v, pending %v; want 1, 1, true (the deferred change kept for the apply that finishes its rollback)", got.Nodes, got.CurrentNodes, got.Pending)
			}
		})
	}
}

package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// refusedRollbackOnCreate starts a sandbox whose first topology change (a resource's create, to
// 1 node) loses rows of the validated table, and whose rollback RDS then refuses (AccessDenied on
// ModifyDBInstance): the create fails with the rollback not begun, leaving no resource in the
// state, mandible-prod on one node and its guard snapshot tagged rolling-back. It returns the
// sandbox, an RDS client of it and the configuration for n nodes.
func refusedRollbackOnCreate(t *testing.T) (*sandbox.Server, *rds.Client, func(n int) string) {
	t.Helper()
	return refusedRollbackAt(t, 1)
}

// refusedRollbackAt starts a sandbox whose at-th topology change loses rows of the validated
// table and whose rollback RDS then refuses (loseRowsThenRefuseRollback). It returns the sandbox,
// an RDS client of it and the configuration of mandible-prod, validated, for n nodes.
func refusedRollbackAt(t *testing.T, at int) (*sandbox.Server, *rds.Client, func(n int) string) {
	t.Helper()
	schema := seedTopologyTables(t)
	var srv *sandbox.Server
	srv, api := topologySandbox(t, sandbox.Demo(), loseRowsThenRefuseRollback(acctest.PGDSN(t), schema, &srv, at))
	cfg := func(n int) string {
		return topologyConfig(srv, acctest.HarnessPostgres(t), fmt.Sprintf(`
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = %d
  validation = {
    tables = ["%s.messages"]
  }
}
`, n, schema))
	}
	return srv, api, cfg
}

// loseRowsThenRefuseRollback is an orchestrator hook that, when the at-th change settles, deletes
// rows of schema.messages (so the validation fails) and makes RDS refuse ModifyDBInstance from
// then on with AccessDenied (so the rollback is refused). *srv is read when the hook runs.
func loseRowsThenRefuseRollback(dsn, schema string, srv **sandbox.Server, at int) func(*topology.Orchestrator) {
	settled := 0
	return func(o *topology.Orchestrator) {
		o.OnStep = func(s topology.Step) error {
			if s != topology.StepSettled {
				return nil
			}
			if settled++; settled != at {
				return nil
			}
			c, err := pgx.Connect(context.Background(), dsn)
			if err != nil {
				return err
			}
			defer func() { _ = c.Close(context.Background()) }()
			if _, err := c.Exec(context.Background(), "DELETE FROM "+schema+".messages WHERE id <= 3"); err != nil {
				return err
			}
			(*srv).InjectFaults(modifyDenied)
			return nil
		}
	}
}

// modifyDenied makes RDS refuse every ModifyDBInstance as the role's missing permission.
var modifyDenied = sandbox.FaultRule{Operation: "ModifyDBInstance", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
	Code: "AccessDenied", Message: "User: arn:aws:sts::123456789012:assumed-role/ci/x is not authorized to perform: rds:ModifyDBInstance"}}

// interruptOnce is an orchestrator hook that stops the first run reaching step, as a crash or
// Ctrl-C would there.
func interruptOnce(step topology.Step) func(*topology.Orchestrator) {
	hit := false
	return func(o *topology.Orchestrator) {
		o.OnStep = func(s topology.Step) error {
			if s == step && !hit {
				hit = true
				return fmt.Errorf("test interruption after %s", s)
			}
			return nil
		}
	}
}

// refusedCreateStep is the step whose create fails with its rollback refused (refusedRollbackOnCreate).
func refusedCreateStep(cfg func(int) string) resource.TestStep {
	return resource.TestStep{Config: cfg(1), ExpectError: regexp.MustCompile(`(?s)Topology Change Failed, Rollback Not Begun.*validation\s+failed`)}
}

// importedAttrs checks attributes of the one imported instance state.
func importedAttrs(want map[string]string) resource.ImportStateCheckFunc {
	return func(states []*terraform.InstanceState) error {
		if len(states) != 1 {
			return fmt.Errorf("%d imported states, want 1", len(states))
		}
		for k, v := range want {
			if got := states[0].Attributes[k]; got != v {
				return fmt.Errorf("imported %s = %q, want %q", k, got, v)
			}
		}
		return nil
	}
}

// TestAccDBTopology_importUnfinishedRollback: an apply's rollback RDS refused leaves the database
// on the failed change's one node, and the resource is not in the state (its create failed; or it
// was removed with terraform state rm). Imported, the database is taken over as that resource
// holds it: nodes = 2 (the change's starting count, generation 0), so with nodes = 1 configured
// the next apply finishes the rollback and reports it, and the one after makes the change anew
// behind a guard snapshot of its own — instead of the import taking the failed change for the
// database's topology (an empty plan, the lost rows forgotten).
func TestAccDBTopology_importUnfinishedRollback(t *testing.T) {
	srv, api, cfg := refusedRollbackOnCreate(t)
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			refusedCreateStep(cfg),
			{
				PreConfig: srv.ClearFaults,
				Config:    cfg(1), ResourceName: name, ImportState: true, ImportStateId: "instance:mandible-prod", ImportStatePersist: true,
				ImportStateCheck: importedAttrs(map[string]string{"nodes": "2", "current_nodes": "1", "last_change.generation": "0"}),
			},
			{
				Config: cfg(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ExpectError: regexp.MustCompile(`(?s)Topology Change Rolled Back.*finishing\s+the\s+rollback.*Multi-AZ\s+turned\s+on\s+again`),
				Check:       checkGuardOutcome(api, "rightsize-guard-mandible-prod-g1-to1", topology.OutcomeRolledBack),
			},
			{
				Config: cfg(1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfPath("nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfPath("current_nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfPath("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-mandible-prod-g1-to1-r2")),
				},
			},
		},
	})
}

// TestAccDBTopology_importAfterRollbackByHand: the database of a refused rollback put back to two
// nodes by hand, then imported, as the resource's docs advise. The import records the earlier
// change's generation, so the next change (to 1 node) is generation 2 behind a guard snapshot of
// its own, rather than generation 1 "finishing" the earlier resource's rollback and failing the
// apply with it; beginning from 2 nodes, it records the earlier guard, of generation 1, rolled
// back (closeEarlierRollback): the database was back.
func TestAccDBTopology_importAfterRollbackByHand(t *testing.T) {
	srv, api, cfg := refusedRollbackOnCreate(t)
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			refusedCreateStep(cfg),
			{
				PreConfig: func() {
					srv.ClearFaults()
					setMultiAZ(t, api, true)
					srv.Advance(time.Hour)
				},
				Config: cfg(1), ResourceName: name, ImportState: true, ImportStateId: "instance:mandible-prod", ImportStatePersist: true,
				ImportStateCheck: importedAttrs(map[string]string{"nodes": "2", "current_nodes": "2", "last_change.generation": "1"}),
			},
			{
				Config: cfg(1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfPath("current_nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfPath("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-mandible-prod-g2-to1")),
					statecheck.ExpectKnownValue(name, tfPath("last_change.generation"), knownvalue.Int64Exact(2)),
				},
				Check: checkGuardOutcome(api, "rightsize-guard-mandible-prod-g1-to1", topology.OutcomeRolledBack),
			},
		},
	})
}

// handGuard creates, by hand, a guard snapshot of target as a change of the given generation from
// 3−to to `to` nodes would have taken it, tagged with outcome, named with prefix.
func handGuard(t *testing.T, srv *sandbox.Server, api *rds.Client, target topology.Target, prefix string, gen int64, to int, outcome string) string {
	t.Helper()
	id := topology.GuardSnapshotID(prefix, target, gen, to, 1)
	tags := []rdstypes.Tag{}
	for k, v := range map[string]string{
		topology.TagManagedBy: topology.ManagedByValue, topology.TagTarget: target.String(), topology.TagGeneration: fmt.Sprint(gen),
		topology.TagFromNodes: fmt.Sprint(3 - to), topology.TagToNodes: fmt.Sprint(to), topology.TagOutcome: outcome,
		topology.TagChangeStarted: srv.Now().UTC().Format(time.RFC3339Nano),
	} {
		tags = append(tags, rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	ctx := context.Background()
	var err error
	if target.Kind == topology.KindCluster {
		_, err = api.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String(target.Identifier), DBClusterSnapshotIdentifier: aws.String(id), Tags: tags})
	} else {
		_, err = api.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(target.Identifier), DBSnapshotIdentifier: aws.String(id), Tags: tags})
	}
	if err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	return id
}

// ImportState carries the guard snapshots' record of earlier changes into the imported state:
// nothing without them; the highest generation after closed changes, or a database at its
// starting node count; an unfinished change taken over at its starting node count with its
// guard's prefix; a warning, and the database taken as it is, when the guard's identifier
// (shortened to RDS's limit) does not tell the prefix; and no import at all when the snapshots
// cannot be listed.
func TestImportState_earlierChanges(t *testing.T) {
	long := "aurora-" + strings.Repeat("x", 38) // members within 63 characters; its guard identifiers are not
	sc := sandbox.Demo()
	sc.Clusters = append(sc.Clusters, sandbox.AuroraPair(long, "db.t4g.medium", sandbox.DemoSSOWriterWorkload, sandbox.DemoSSOReaderWorkload))
	srv, api := topologySandbox(t, sc, nil)
	ctx := context.Background()
	r, empty := directTopologyResource(t, api)
	imp := func(id string) (*dbTopologyModel, diag.Diagnostics) {
		t.Helper()
		resp := fwresource.ImportStateResponse{State: tfsdk.State{Schema: empty.Schema, Raw: empty.Raw}}
		r.ImportState(ctx, fwresource.ImportStateRequest{ID: id}, &resp)
		if resp.Diagnostics.HasError() {
			return nil, resp.Diagnostics
		}
		var m dbTopologyModel
		if d := resp.State.Get(ctx, &m); d.HasError() {
			t.Fatal(d)
		}
		return &m, resp.Diagnostics
	}
	lastGen := func(m *dbTopologyModel) string {
		if m.LastChange.IsNull() {
			return "null"
		}
		var d diag.Diagnostics
		return fmt.Sprint(m.generation(ctx, &d))
	}
	prefix := func(m *dbTopologyModel) string {
		var d diag.Diagnostics
		return m.guard(ctx, &d).SnapshotIdentifierPrefix.ValueString()
	}
	mandible := topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}
	cluster := topology.Target{Kind: topology.KindCluster, Identifier: long}

	m, d := imp("instance:mandible-prod")
	if m == nil || lastGen(m) != "null" || !m.Nodes.IsUnknown() || len(d) != 0 {
		t.Fatalf("without guards: %+v %v", m, d)
	}

	// Closed changes: the next change's generation is above theirs.
	handGuard(t, srv, api, mandible, "", 1, 1, topology.OutcomeCompleted)
	handGuard(t, srv, api, mandible, "", 2, 2, topology.OutcomeCompleted)
	if m, d = imp("instance:mandible-prod"); m == nil || lastGen(m) != "2" || !m.Nodes.IsUnknown() || len(d) != 0 ||
		!strings.Contains(m.LastChange.Attributes()["action"].String(), "rightsize-guard-mandible-prod-g2-to2") {
		t.Fatalf("after closed changes: %+v %v", m, d)
	}

	// An unfinished change of generation 3 (named with another prefix) that left the database on
	// one node: taken over at two nodes, generation 2, its prefix.
	handGuard(t, srv, api, mandible, "team-guard", 3, 1, topology.OutcomeChanging)
	setMultiAZ(t, api, false)
	srv.Advance(time.Hour)
	if m, d = imp("instance:mandible-prod"); m == nil || lastGen(m) != "2" || m.Nodes.ValueInt64() != 2 || prefix(m) != "team-guard" || len(d) != 0 {
		t.Fatalf("an unfinished change: %+v %v", m, d)
	}

	// Put back by hand, then a rollback left unfinished while the database is busy with something
	// else at its starting node count (storage optimization): it is not away from it, so nothing
	// is taken over; nor is an old change when a later one, of a lower generation (a resource
	// created anew), completed.
	setMultiAZ(t, api, true)
	srv.Advance(time.Hour)
	handGuard(t, srv, api, mandible, "", 4, 1, topology.OutcomeRollingBack)
	if !srv.StorageOptimization("mandible-prod", 6*time.Hour) {
		t.Fatal("no storage optimization")
	}
	if m, d = imp("instance:mandible-prod"); m == nil || lastGen(m) != "4" || !m.Nodes.IsUnknown() || len(d) != 0 {
		t.Fatalf("a rollback put back by hand: %+v %v", m, d)
	}
	srv.Advance(7 * time.Hour)
	handGuard(t, srv, api, mandible, "", 1, 2, topology.OutcomeCompleted)
	setMultiAZ(t, api, false)
	srv.Advance(time.Hour)
	if m, d = imp("instance:mandible-prod"); m == nil || lastGen(m) != "4" || !m.Nodes.IsUnknown() || len(d) != 0 {
		t.Fatalf("an old rollback before a completed change: %+v %v", m, d)
	}

	// A cluster whose guard identifier was shortened to RDS's limit: taken over when it was named
	// with the default prefix (which can be told); otherwise taken as it is, with a warning naming
	// the guard.
	handGuard(t, srv, api, cluster, "", 1, 1, topology.OutcomeRollingBack)
	if _, err := api.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(long + "-instance-2"), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	if m, d = imp("cluster:" + long); m == nil || lastGen(m) != "0" || m.Nodes.ValueInt64() != 2 || prefix(m) != topology.DefaultSnapshotPrefix || len(d) != 0 {
		t.Fatalf("a shortened guard identifier of the default prefix: %+v %v", m, d)
	}
	gid := handGuard(t, srv, api, cluster, "team-guard-snapshots", 2, 1, topology.OutcomeRollingBack)
	m, d = imp("cluster:" + long)
	if m == nil || lastGen(m) != "2" || !m.Nodes.IsUnknown() || prefix(m) != topology.DefaultSnapshotPrefix || len(d.Warnings()) != 1 ||
		!strings.Contains(d.Warnings()[0].Detail(), gid) || !strings.Contains(d.Warnings()[0].Detail(), "superseded") {
		t.Fatalf("a shortened guard identifier of another prefix: %+v %v", m, d)
	}

	// Snapshots that cannot be listed: no import.
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBSnapshots", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
		Code: "AccessDenied", Message: "not authorized to perform: rds:DescribeDBSnapshots"}})
	if m, d = imp("instance:mandible-prod"); m != nil || !d.HasError() || !strings.Contains(d.Errors()[0].Detail(), "AccessDenied") ||
		d.Errors()[0].Summary() != "Unable to Read Guard Snapshots" {
		t.Fatalf("snapshots not listed: %+v %v", m, d)
	}
}

// TestAccDBTopology_importInterruptedChange: an apply of another configuration (guard prefix
// team-guard) made its change to 1 node and was killed before validating it (its guard tagged
// changing). Imported, the database is taken over at its starting two nodes with that prefix; a
// plan without that prefix is refused, and the next apply with it and nodes = 1 resumes the
// change behind that guard, validates it and records it as generation 1, instead of the import
// taking the unvalidated change as it is.
func TestAccDBTopology_importInterruptedChange(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	target := topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}
	const name = "rightsize_db_topology.m"
	guard := "\n  guard = {\n    snapshot_identifier_prefix = \"team-guard\"\n  }\n"
	var gid string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					gid = handGuard(t, srv, api, target, "team-guard", 1, 1, topology.OutcomeChanging)
					setMultiAZ(t, api, false)
					srv.Advance(time.Hour)
				},
				Config: mandibleNodesConfig(srv, 1, guard), ResourceName: name, ImportState: true, ImportStateId: "instance:mandible-prod", ImportStatePersist: true,
				ImportStateCheck: importedAttrs(map[string]string{"nodes": "2", "current_nodes": "1", "last_change.generation": "0",
					"guard.snapshot_identifier_prefix": "team-guard"}),
			},
			{
				// Without the prefix the change's guard snapshots are named with, the plan is
				// refused: the apply would not find them.
				Config: mandibleNodesConfig(srv, 1),
				ExpectError: regexp.MustCompile(`(?s)Guard Snapshot Prefix Changed During an Unfinished Change.*guard\s+snapshot\s+team-guard-mandible-prod-g1-to1\s+is\s+tagged\s+rightsize:outcome\s+=\s+changing.*` +
					`guard.snapshot_identifier_prefix\s+=\s+"team-guard"\s+until`),
			},
			{
				Config: mandibleNodesConfig(srv, 1, guard),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfPath("nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfPath("guard_snapshot_id"), knownvalue.StringExact("team-guard-mandible-prod-g1-to1")),
					statecheck.ExpectKnownValue(name, tfPath("last_change.generation"), knownvalue.Int64Exact(1)),
				},
				Check: func(s *terraform.State) error { return checkGuardOutcome(api, gid, topology.OutcomeCompleted)(s) },
			},
		},
	})
}

// TestAccDBTopology_prefixChangedWithInterruptedChange: an apply that changes the guard prefix
// and the node count at once is interrupted after the change call. Its guard snapshot is named
// with the new prefix, which the state keeps although the update failed, so the refresh finds the
// unfinished change and the next apply resumes it and validates it (rather than taking the
// unvalidated change for drift). Going back to the old prefix meanwhile is refused at plan.
func TestAccDBTopology_prefixChangedWithInterruptedChange(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), interruptOnce(topology.StepSettled))
	const name = "rightsize_db_topology.m"
	guard := "\n  guard = {\n    snapshot_identifier_prefix = \"team-guard\"\n  }\n"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: mandibleNodesConfig(srv, 2), ResourceName: name, ImportState: true, ImportStateId: "instance:mandible-prod", ImportStatePersist: true},
			{Config: mandibleNodesConfig(srv, 1, guard), ExpectError: regexp.MustCompile(`Topology\s+Change\s+Interrupted`)},
			{
				Config:      mandibleNodesConfig(srv, 1),
				ExpectError: regexp.MustCompile(`(?s)Guard Snapshot Prefix Changed During an Unfinished Change.*"team-guard"`),
			},
			{
				Config: mandibleNodesConfig(srv, 1, guard),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfPath("current_nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfPath("guard_snapshot_id"), knownvalue.StringExact("team-guard-mandible-prod-g1-to1")),
				},
				Check: checkGuardOutcome(api, "team-guard-mandible-prod-g1-to1", topology.OutcomeCompleted),
			},
		},
	})
}

// TestAccDBTopology_readerlessGuardRemedy runs end to end the way out the apply gives for an Aurora
// change under way whose guard lost its reader record (its rightsize:reader:* tags removed by
// hand): tag the guard superseded and import the cluster. The import takes the cluster as it is
// (one node, the superseded guard's generation recorded), the plan at one node is empty, and the
// next change, back to two nodes, is generation 2 behind a guard snapshot of its own.
func TestAccDBTopology_readerlessGuardRemedy(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), interruptOnce(topology.StepChange))
	cfg := func(n int) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "sso" {
  db_cluster_identifier = "sso-prod"
  nodes                 = %d
}
`, n))
	}
	const name = "rightsize_db_topology.sso"
	ctx := context.Background()
	guardARN := "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rightsize-guard-sso-prod-g1-to1"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(1), ExpectError: regexp.MustCompile(`Topology\s+Change\s+Interrupted`)},
			{
				PreConfig: func() {
					out, err := api.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(guardARN)})
					if err != nil {
						t.Fatal(err)
					}
					var keys []string
					for _, tg := range out.TagList {
						if strings.HasPrefix(aws.ToString(tg.Key), "rightsize:reader:") {
							keys = append(keys, aws.ToString(tg.Key))
						}
					}
					if len(keys) == 0 {
						t.Fatal("the guard records no reader")
					}
					if _, err := api.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: aws.String(guardARN), TagKeys: keys}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      cfg(1),
				ExpectError: regexp.MustCompile(`(?s)no\s+longer\s+records\s+the\s+reader.*rightsize:outcome\s+=\s+superseded\s+and\s+import\s+the\s+cluster`),
			},
			{
				PreConfig: func() {
					if _, err := api.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(guardARN),
						Tags: []rdstypes.Tag{{Key: aws.String(topology.TagOutcome), Value: aws.String(topology.OutcomeSuperseded)}}}); err != nil {
						t.Fatal(err)
					}
					srv.Advance(time.Hour) // the reader's deletion finishes
				},
				Config: cfg(1), ResourceName: name, ImportState: true, ImportStateId: "cluster:sso-prod", ImportStatePersist: true,
				ImportStateCheck: importedAttrs(map[string]string{"nodes": "1", "current_nodes": "1", "last_change.generation": "1"}),
			},
			{Config: cfg(1), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				Config: cfg(2),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfPath("current_nodes"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(name, tfPath("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-sso-prod-g2-to2")),
				},
			},
		},
	})
}

// multiAZOffNow asks RDS to turn Multi-AZ off on mandible-prod at once, as a change made outside
// Terraform (or by a hand-made guard's change) would; the clock does not move, so it is under way.
func multiAZOffNow(t *testing.T, api *rds.Client) {
	t.Helper()
	setMultiAZ(t, api, false)
}

// setMultiAZ asks RDS to turn Multi-AZ on or off on mandible-prod at once, by hand.
func setMultiAZ(t *testing.T, api *rds.Client, on bool) {
	t.Helper()
	if _, err := api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		MultiAZ: aws.Bool(on), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
}

// The prefix refusal asks RDS rather than reading the state's node counts: a change still under
// way (the instance modifying, reporting its starting Multi-AZ flag), taken over by an import or
// begun by an interrupted apply, is unfinished all the same, and a plan without its prefix is
// refused, before and after RDS finishes it, until the apply with the prefix resumes and
// validates it; a change made outside Terraform, guarded by nothing, is not.
func TestAccDBTopology_prefixRefusedWhileUnderWay(t *testing.T) {
	guard := "\n  guard = {\n    snapshot_identifier_prefix = \"team-guard\"\n  }\n"
	const name = "rightsize_db_topology.m"
	refused := regexp.MustCompile(`(?s)Guard Snapshot Prefix Changed During an Unfinished Change.*rightsize:outcome\s+=\s+changing.*To\s+keep\s+the\s+database\s+as\s+it\s+is\s+instead.*=\s+superseded`)
	target := topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}

	t.Run("import", func(t *testing.T) {
		srv, api := topologySandbox(t, sandbox.Demo(), nil)
		var gid string
		resource.Test(t, resource.TestCase{
			PreCheck:                 func() { acctest.PreCheck(t) },
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{
					PreConfig: func() {
						gid = handGuard(t, srv, api, target, "team-guard", 1, 1, topology.OutcomeChanging)
						multiAZOffNow(t, api)
					},
					Config: mandibleNodesConfig(srv, 1), ResourceName: name, ImportState: true, ImportStateId: "instance:mandible-prod", ImportStatePersist: true,
					ImportStateCheck: importedAttrs(map[string]string{"nodes": "2", "guard.snapshot_identifier_prefix": "team-guard"}),
				},
				{Config: mandibleNodesConfig(srv, 1), ExpectError: refused},
				{PreConfig: func() { srv.Advance(2 * time.Hour) }, Config: mandibleNodesConfig(srv, 1), ExpectError: refused},
				{
					Config: mandibleNodesConfig(srv, 1, guard),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(name, tfPath("current_nodes"), knownvalue.Int64Exact(1)),
						statecheck.ExpectKnownValue(name, tfPath("last_change.generation"), knownvalue.Int64Exact(1)),
					},
					Check: func(s *terraform.State) error { return checkGuardOutcome(api, gid, topology.OutcomeCompleted)(s) },
				},
			},
		})
	})

	t.Run("interrupted apply", func(t *testing.T) {
		srv, api := topologySandbox(t, sandbox.Demo(), interruptOnce(topology.StepChange))
		resource.Test(t, resource.TestCase{
			PreCheck:                 func() { acctest.PreCheck(t) },
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{Config: mandibleNodesConfig(srv, 2), ResourceName: name, ImportState: true, ImportStateId: "instance:mandible-prod", ImportStatePersist: true},
				{Config: mandibleNodesConfig(srv, 1), ExpectError: regexp.MustCompile(`Topology\s+Change\s+Interrupted`)},
				{Config: mandibleNodesConfig(srv, 1, guard), ExpectError: refused},
				{PreConfig: func() { srv.Advance(2 * time.Hour) }, Config: mandibleNodesConfig(srv, 1, guard), ExpectError: refused},
				{
					Config: mandibleNodesConfig(srv, 1),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(name, tfPath("current_nodes"), knownvalue.Int64Exact(1)),
						statecheck.ExpectKnownValue(name, tfPath("last_change.generation"), knownvalue.Int64Exact(1)),
					},
					Check: checkGuardOutcome(api, "rightsize-guard-mandible-prod-g1-to1", topology.OutcomeCompleted),
				},
			},
		})
	})

	t.Run("outside change", func(t *testing.T) {
		srv, api := topologySandbox(t, sandbox.Demo(), nil)
		resource.Test(t, resource.TestCase{
			PreCheck:                 func() { acctest.PreCheck(t) },
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{Config: mandibleNodesConfig(srv, 2), ResourceName: name, ImportState: true, ImportStateId: "instance:mandible-prod", ImportStatePersist: true},
				{
					// Not refused at plan for the prefix: the apply's precheck waits for the
					// outside change, and the failed update, which took no guard, keeps the old
					// prefix.
					PreConfig:   func() { multiAZOffNow(t, api) },
					Config:      mandibleNodesConfig(srv, 1, guard),
					ExpectError: regexp.MustCompile(`(?s)Topology Change Refused.*a\s+change\s+that\s+this\s+resource\s+did\s+not\s+start\s+is\s+in\s+progress`),
				},
				{RefreshState: true, ExpectNonEmptyPlan: true, Check: resource.TestCheckResourceAttr(name, "guard.snapshot_identifier_prefix", "rightsize-guard")},
				{
					PreConfig: func() { srv.Advance(2 * time.Hour) },
					Config:    mandibleNodesConfig(srv, 1, guard),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(name, tfPath("guard.snapshot_identifier_prefix"), knownvalue.StringExact("team-guard")),
						statecheck.ExpectKnownValue(name, tfPath("current_nodes"), knownvalue.Int64Exact(1)),
					},
				},
			},
		})
	})
}

// directTopologyResource is the topology resource on the RDS client api, for tests that call its
// methods directly, and an empty state of its schema.
func directTopologyResource(t *testing.T, api *rds.Client) (*dbTopologyResource, tfsdk.State) {
	t.Helper()
	ctx := context.Background()
	r := &dbTopologyResource{data: &ProviderData{Region: "us-east-1", RDS: api}}
	var sr fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sr)
	if sr.Diagnostics.HasError() {
		t.Fatal(sr.Diagnostics)
	}
	return r, tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
}

// directUpdate calls r.Update from state sm to plan pm (empty is r's empty state,
// directTopologyResource) and returns its diagnostics.
func directUpdate(t *testing.T, r *dbTopologyResource, empty tfsdk.State, sm, pm dbTopologyModel) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	state, plan := empty, tfsdk.Plan(empty)
	if d := state.Set(ctx, &sm); d.HasError() {
		t.Fatal(d)
	}
	if d := plan.Set(ctx, &pm); d.HasError() {
		t.Fatal(d)
	}
	resp := fwresource.UpdateResponse{State: state}
	r.Update(ctx, fwresource.UpdateRequest{State: state, Plan: plan, Config: tfsdk.Config{Schema: empty.Schema, Raw: plan.Raw}}, &resp)
	return resp.Diagnostics
}

// directModifyPlan calls r.ModifyPlan for plan pm from state sm (nil: a create; empty is r's
// empty state, directTopologyResource) and returns its diagnostics.
func directModifyPlan(t *testing.T, r *dbTopologyResource, empty tfsdk.State, sm *dbTopologyModel, pm dbTopologyModel) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	state, plan := empty, tfsdk.Plan(empty)
	if sm != nil {
		if d := state.Set(ctx, sm); d.HasError() {
			t.Fatal(d)
		}
	}
	if d := plan.Set(ctx, &pm); d.HasError() {
		t.Fatal(d)
	}
	resp := fwresource.ModifyPlanResponse{Plan: plan}
	r.ModifyPlan(ctx, fwresource.ModifyPlanRequest{State: state, Plan: plan, Config: tfsdk.Config{Schema: empty.Schema, Raw: plan.Raw}}, &resp)
	return resp.Diagnostics
}

// mandibleModel is a state (or plan) of a resource for mandible-prod with the given node counts,
// pending flag and last change.
func mandibleModel(nodes, current int64, pending bool, lastChange types.Object) dbTopologyModel {
	m := dbTopologyModel{
		ID: types.StringValue("instance:mandible-prod"), DBInstanceIdentifier: types.StringValue("mandible-prod"), DBClusterIdentifier: types.StringNull(),
		Nodes: types.Int64Value(nodes), Guard: defaultGuard(), RequireVerdict: types.StringNull(), Force: types.BoolValue(false),
		ApplyImmediately: types.BoolValue(!pending), Validation: types.ObjectNull(validationAttrTypes),
		RollbackOnFailure: types.BoolValue(true), RestoreOnDestroy: types.BoolValue(false),
		CurrentNodes: types.Int64Value(current), MultiAZ: types.BoolValue(current == 2), Pending: types.BoolValue(pending),
		GuardSnapshotID: types.StringNull(), GuardSnapshotARN: types.StringNull(), PreviousTopology: types.ObjectNull(previousAttrTypes),
		LastChange: lastChange,
	}
	m.Timeouts.Object = types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})
	return m
}

// lastChangeObject is a last_change of the given generation and action, its node counts null
// unless from and to are above 0.
func lastChangeObject(gen int64, action string, from, to int64) types.Object {
	n := func(v int64) attr.Value {
		if v == 0 {
			return types.Int64Null()
		}
		return types.Int64Value(v)
	}
	return types.ObjectValueMust(lastChangeAttrTypes, map[string]attr.Value{
		"generation": types.Int64Value(gen), "time": types.StringNull(), "action": types.StringValue(action), "from_nodes": n(from), "to_nodes": n(to),
	})
}

// A change this resource deferred to the maintenance window, made by the window after its guard
// snapshot was deleted by hand, cannot be validated: the refresh says so rather than taking it as
// made in silence.
func TestRead_deferredChangeGuardDeleted(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	r, empty := directTopologyResource(t, api)
	m := mandibleModel(1, 2, true, lastChangeObject(1, "Multi-AZ turning off "+topology.ScheduledAction, 2, 1))
	read := func() diag.Diagnostics {
		t.Helper()
		return directRead(t, r, empty, m).Diagnostics
	}
	// The window made the change; its guard was deleted.
	m.GuardSnapshotID = types.StringValue("rightsize-guard-mandible-prod-g1-to1")
	multiAZOffNow(t, api)
	srv.Advance(2 * time.Hour)
	warned := func(guard string) {
		t.Helper()
		d := read()
		if len(d.Warnings()) != 1 || d.Warnings()[0].Summary() != "Deferred Change Made Without Its Guard Snapshot" ||
			!strings.Contains(d.Warnings()[0].Detail(), "guard snapshot ("+guard+") no longer exists") {
			t.Fatalf("diagnostics %v, want the warning naming %s", d, guard)
		}
	}
	warned("rightsize-guard-mandible-prod-g1-to1")
	// The deferred change was a second attempt; the first, completed, is still there.
	handGuard(t, srv, api, topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, "", 1, 1, topology.OutcomeCompleted)
	m.GuardSnapshotID = types.StringValue("rightsize-guard-mandible-prod-g1-to1-r2")
	warned("rightsize-guard-mandible-prod-g1-to1-r2")
	// A pending change this resource did not defer (its last change was made at once) gets none.
	m.LastChange = lastChangeObject(1, "Multi-AZ turned off", 2, 1)
	if d := read(); len(d) != 0 {
		t.Errorf("diagnostics %v for a change made outside the resource", d)
	}
}

// A change this resource deferred, made by the maintenance window and kept pending by a refresh
// (nodes = current_nodes, pending: the update that validates it planned), whose guard snapshot is
// deleted before that apply: the next refresh says so, as when the guard is gone by the first
// refresh after the window, rather than taking the change as made in silence (an empty plan, the
// change never validated).
func TestRead_madeInWindowGuardDeleted(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	r, empty := directTopologyResource(t, api)
	guard := handGuard(t, srv, api, topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, "", 1, 1, topology.OutcomePending)
	multiAZOffNow(t, api)
	srv.Advance(2 * time.Hour)
	m := mandibleModel(1, 2, true, lastChangeObject(1, "Multi-AZ turning off on DB instance mandible-prod, "+topology.ScheduledAction, 2, 1))
	m.GuardSnapshotID = types.StringValue(guard)
	resp := directRead(t, r, empty, m)
	got := stateModel(t, resp)
	if len(resp.Diagnostics) != 0 || !madeInWindow(&got) {
		t.Fatalf("first refresh: diagnostics %v, state nodes %v, current_nodes %v, pending %v; want none, the change kept pending", resp.Diagnostics, got.Nodes, got.CurrentNodes, got.Pending)
	}
	if _, err := api.DeleteDBSnapshot(context.Background(), &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(guard)}); err != nil {
		t.Fatal(err)
	}
	d := directRead(t, r, empty, got).Diagnostics
	if len(d.Warnings()) != 1 || d.Warnings()[0].Summary() != "Deferred Change Made Without Its Guard Snapshot" ||
		!strings.Contains(d.Warnings()[0].Detail(), "guard snapshot ("+guard+") no longer exists") {
		t.Errorf("refresh after the guard's deletion: diagnostics %v, want the warning naming %s", d, guard)
	}
}

// An apply that keeps a guard snapshot warns once the database has 10 or more of them, naming the
// oldest of those that may be deleted; below that it says nothing.
func TestUpdate_guardsAddUp(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	r, empty := directTopologyResource(t, api)
	target := topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}
	update := func(from, to, gen int64) diag.Diagnostics {
		t.Helper()
		d := directUpdate(t, r, empty, mandibleModel(from, from, false, lastChangeObject(gen, "imported", 0, 0)), mandibleModel(to, from, false, lastChangeObject(gen, "imported", 0, 0)))
		if d.HasError() {
			t.Fatalf("update %d → %d: %v", from, to, d)
		}
		return d
	}
	// Eight guards of earlier changes, kept; the ninth, this apply's, stays below the mark.
	for g := int64(1); g <= 8; g++ {
		handGuard(t, srv, api, target, "", g, int(2-g%2), topology.OutcomeCompleted)
	}
	if d := update(2, 1, 8); len(d.Warnings()) != 0 {
		t.Fatalf("with 9 guards: %v", d)
	}
	handGuard(t, srv, api, target, "", 10, 2, topology.OutcomeCompleted)
	d := update(1, 2, 10)
	if len(d.Warnings()) != 1 || d.Warnings()[0].Summary() != "Guard Snapshots Add Up" {
		t.Fatalf("with 11 guards: %v, want the warning", d)
	}
	// The oldest closed guards are named (g1 to g5, not g1, g10, g2, ...), never the one this
	// apply just kept (g11-to2).
	detail := d.Warnings()[0].Detail()
	for _, want := range []string{"DB instance mandible-prod has 11 guard snapshots", "10 guard snapshot(s) of DB instance mandible-prod this provider took are closed",
		"(rightsize-guard-mandible-prod-g1-to1, rightsize-guard-mandible-prod-g2-to2, rightsize-guard-mandible-prod-g3-to1, rightsize-guard-mandible-prod-g4-to2, rightsize-guard-mandible-prod-g5-to1, ...)",
		"But never delete a guard snapshot tagged rightsize:outcome = changing, rolling-back or pending-maintenance"} {
		if !strings.Contains(detail, want) {
			t.Errorf("%q lacks %q", detail, want)
		}
	}
	if strings.Contains(detail, "g11-to2") {
		t.Errorf("%q offers the guard this apply just kept", detail)
	}
}

// A rollback RDS refused, the database then put back by hand and the configuration set back to
// two nodes: the plan is empty, and nothing will ever finish that guard's rollback, so changing
// the guard prefix is not refused on its account.
func TestAccDBTopology_prefixChangeAfterRollbackPutBack(t *testing.T) {
	srv, api, cfg := refusedRollbackAt(t, 3)
	withPrefix := func(n int) string {
		return strings.Replace(cfg(n), "validation = {", "guard = { snapshot_identifier_prefix = \"team-b\" }\n  validation = {", 1)
	}
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(1)},
			{Config: cfg(2)},
			{Config: cfg(1), ExpectError: regexp.MustCompile(`Rollback Not Begun`)},
			{
				PreConfig: func() {
					srv.ClearFaults()
					setMultiAZ(t, api, true)
					srv.Advance(time.Hour)
				},
				Config: cfg(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionNoop),
				}},
				Check: checkGuardOutcome(api, "rightsize-guard-mandible-prod-g3-to1", topology.OutcomeRollingBack),
			},
			{
				Config:            withPrefix(2),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(name, tfPath("guard.snapshot_identifier_prefix"), knownvalue.StringExact("team-b"))},
			},
		},
	})
}

// A change interrupted after its call whose guard snapshot then no longer verifies (a tag removed
// by hand) is not followed further; the error's way out works as written: tag the guard
// superseded and import the database, which takes it as it is, and the plan is then empty.
// (Importing without the tag took the unfinished change over again, and the next apply failed
// with the same error.)
func TestAccDBTopology_unusableGuardRemedy(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), interruptOnce(topology.StepChange))
	cfg := topologyConfig(srv, nil, `
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
}
`)
	const guardID = "rightsize-guard-mandible-prod-g1-to1"
	arn := aws.String("arn:aws:rds:us-east-1:123456789012:snapshot:" + guardID)
	ctx := context.Background()
	resource.Test(t, resource.TestCase{
		PreCheck: func() { acctest.PreCheck(t) }, ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, ExpectError: regexp.MustCompile(`Topology\s+Change\s+Interrupted`)},
			{
				PreConfig: func() {
					if _, err := api.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: arn, TagKeys: []string{topology.TagChangeStarted}}); err != nil {
						t.Fatal(err)
					}
					srv.Advance(time.Hour)
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)no\s+longer\s+verifies.*tag\s+the\s+guard\s+snapshot\s+` + guardID + `\s+rightsize:outcome\s+=\s+superseded\s+and\s+import\s+the\s+database`),
			},
			{
				PreConfig: func() {
					if _, err := api.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: arn,
						Tags: []rdstypes.Tag{{Key: aws.String(topology.TagOutcome), Value: aws.String(topology.OutcomeSuperseded)}}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg, ResourceName: "rightsize_db_topology.m", ImportState: true, ImportStateId: "instance:mandible-prod", ImportStatePersist: true,
				ImportStateCheck: importedAttrs(map[string]string{"nodes": "1", "current_nodes": "1", "last_change.generation": "1"}),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// The docs' way to follow a restore from a guard snapshot: RDS restores it to a new identifier;
// the resource that managed the old database leaves the state (here: removed from the
// configuration, whose destroy changes nothing on the database), and a resource for the restored
// one is imported. The restored database's import finds none of the old one's guard snapshots and
// its plan is empty; nothing is changed on either database.
func TestAccDBTopology_followRestoreFromGuard(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	old := topologyConfig(srv, nil, `
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
}
`)
	restored := `
resource "rightsize_db_topology" "r" {
  db_instance_identifier = "mandible-restored"
  nodes                  = 2
}
`
	ctx := context.Background()
	resource.Test(t, resource.TestCase{
		PreCheck: func() { acctest.PreCheck(t) }, ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: old},
			{
				PreConfig: func() {
					// aws rds restore-db-instance-from-db-snapshot --db-instance-identifier mandible-restored
					//   --db-snapshot-identifier rightsize-guard-mandible-prod-g1-to1 --multi-az
					if _, err := api.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-restored"),
						DBSnapshotIdentifier: aws.String("rightsize-guard-mandible-prod-g1-to1"), MultiAZ: aws.Bool(true)}); err != nil {
						t.Fatal(err)
					}
					srv.Advance(time.Hour)
					srv.ResetLog()
				},
				Config: old + restored, ResourceName: "rightsize_db_topology.r", ImportState: true, ImportStateId: "instance:mandible-restored", ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					for _, st := range states {
						if st.ID != "instance:mandible-restored" {
							continue
						}
						for k, v := range map[string]string{"nodes": "2", "current_nodes": "2", "multi_az": "true", "last_change.generation": ""} {
							if got := st.Attributes[k]; got != v {
								return fmt.Errorf("imported %s = %q, want %q", k, got, v)
							}
						}
						return nil
					}
					return fmt.Errorf("no state imported for mandible-restored")
				},
			},
			{
				Config: topologyConfig(srv, nil, restored),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("rightsize_db_topology.m", plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction("rightsize_db_topology.r", plancheck.ResourceActionNoop),
				}},
				Check: func(*terraform.State) error {
					for _, op := range []string{"ModifyDBInstance", "DeleteDBInstance", "CreateDBInstance", "CreateDBSnapshot"} {
						if n := len(srv.Calls(op)); n != 0 {
							return fmt.Errorf("%d %s calls after the restore, want none", n, op)
						}
					}
					return nil
				},
			},
		},
	})
}

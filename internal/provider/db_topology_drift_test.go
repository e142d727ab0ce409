package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

const changedOutsideTitle = "Topology Changed Outside This Resource"

// A database whose node count changed outside the resource (by hand, or by a hashicorp/aws
// resource that manages the same database and undoes this resource's change at every apply):
// the refresh takes the observed count as drift and says what changed it and how the two
// resources stop undoing each other, for a DB instance (Multi-AZ back on, or turned off for the
// maintenance window) and an Aurora cluster (a reader back); a refresh that finds the state's
// count says nothing.
func TestRead_changedOutside(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	ctx := context.Background()
	r, empty := directTopologyResource(t, api)
	read := func(m dbTopologyModel) (string, bool, dbTopologyModel) {
		t.Helper()
		resp := directRead(t, r, empty, m)
		if resp.Diagnostics.HasError() {
			t.Fatalf("Read: %v", resp.Diagnostics)
		}
		got := stateModel(t, resp)
		w, ok := warningDetail(resp.Diagnostics, changedOutsideTitle)
		return w, ok, got
	}
	contains := func(what, w string, parts ...string) {
		t.Helper()
		for _, p := range parts {
			if !strings.Contains(w, p) {
				t.Errorf("%s: warning %q\nlacks %q", what, w, p)
			}
		}
	}

	// mandible-prod is Multi-AZ; the state says this resource turned it off.
	w, ok, got := read(mandibleModel(1, 1, false, lastChangeObject(1, "multi-az-off", 2, 1)))
	if !ok {
		t.Fatalf("Multi-AZ back on: no %q warning", changedOutsideTitle)
	}
	contains("Multi-AZ back on", w, "The state had DB instance mandible-prod at 1 node(s), and no change of this resource is under way, but it has 2 node(s)",
		"`aws_db_instance` (hashicorp/aws) with `multi_az = true` turns Multi-AZ back on.", "`lifecycle { ignore_changes = [multi_az] }`")
	if got.Nodes.ValueInt64() != 2 || got.CurrentNodes.ValueInt64() != 2 {
		t.Errorf("Multi-AZ back on: state nodes %v, current_nodes %v; want 2 and 2 (drift)", got.Nodes, got.CurrentNodes)
	}
	if w, ok, _ := read(mandibleModel(2, 2, false, lastChangeObject(1, "created", 2, 2))); ok {
		t.Errorf("state at the database's 2 nodes: warning %q, want none", w)
	}
	// Not when this resource's next change made it, in an apply whose state was lost: its
	// guard snapshot says so.
	guard := handGuard(t, srv, api, topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, "", 2, 2, topology.OutcomeCompleted)
	if w, ok, _ := read(mandibleModel(1, 1, false, lastChangeObject(1, "multi-az-off", 2, 1))); ok {
		t.Errorf("own change to 2 nodes completed (guard %s): warning %q, want none", guard, w)
	}
	if _, err := api.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(guard)}); err != nil {
		t.Fatal(err)
	}

	// Multi-AZ turned off for the maintenance window by someone else.
	if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	w, ok, got = read(mandibleModel(2, 2, false, lastChangeObject(1, "created", 2, 2)))
	if !ok {
		t.Fatalf("Multi-AZ off pending: no %q warning", changedOutsideTitle)
	}
	contains("Multi-AZ off pending", w, "but it is set to go to 1 node(s) in its next maintenance window", "`multi_az = false` turns it off.")
	if got.Nodes.ValueInt64() != 1 || !got.Pending.ValueBool() {
		t.Errorf("Multi-AZ off pending: state nodes %v, pending %v; want 1, true", got.Nodes, got.Pending)
	}

	// sso-prod has its reader; the state says this resource removed it.
	sso := mandibleModel(1, 1, false, lastChangeObject(1, "reader-removed", 2, 1))
	sso.ID, sso.DBInstanceIdentifier, sso.DBClusterIdentifier = types.StringValue("cluster:sso-prod"), types.StringNull(), types.StringValue("sso-prod")
	w, ok, _ = read(sso)
	if !ok {
		t.Fatalf("reader back: no %q warning", changedOutsideTitle)
	}
	contains("reader back", w, "The state had DB cluster sso-prod at 1 node(s)", "but it has 2 node(s)",
		"`aws_rds_cluster_instance` (hashicorp/aws) that manages the reader creates it again", "`terraform state rm <address>`")
	if strings.Contains(w, "aws_db_instance") {
		t.Errorf("reader back: warning %q names the DB instance's resource", w)
	}

	// A second reader added by hand to sso-prod, which the state has at 2 nodes: no plan takes it
	// back (every apply is refused while the cluster has more than one reader), and the warning
	// must not say one does.
	if _, err := api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-3"),
		DBClusterIdentifier: aws.String("sso-prod"), DBInstanceClass: aws.String("db.t4g.medium"), Engine: aws.String("aurora-postgresql")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(2 * time.Hour)
	sso2 := mandibleModel(2, 2, false, lastChangeObject(1, "created", 2, 2))
	sso2.ID, sso2.DBInstanceIdentifier, sso2.DBClusterIdentifier = types.StringValue("cluster:sso-prod"), types.StringNull(), types.StringValue("sso-prod")
	w, ok, _ = read(sso2)
	if !ok {
		t.Fatalf("extra reader: no %q warning", changedOutsideTitle)
	}
	contains("extra reader", w, "but it has 3 node(s)", "Every apply is refused while the cluster has more than one reader", "remove the extra readers")
	if strings.Contains(w, "takes it back") {
		t.Errorf("extra reader: warning %q says a plan takes it back, which every apply refuses", w)
	}
}

// A change of this resource whose rollback failed leaves the database at the change's node count
// (the apply said so: "Topology Change Failed and Rollback Failed"), the state at the count
// before it: the refresh takes the observed count without saying that the database was changed
// outside this resource, which it was not.
func TestRead_ownRollbackFailedNotChangedOutside(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	r, empty := directTopologyResource(t, api)
	// mandible-prod is Multi-AZ; the state has it at 1 node, and this resource's change of
	// generation 2 to 2 nodes failed, its rollback too.
	guard := handGuard(t, srv, api, topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, "", 2, 2, topology.OutcomeRollbackFailed)
	resp := directRead(t, r, empty, mandibleModel(1, 1, false, lastChangeObject(1, "multi-az-off", 2, 1)))
	if resp.Diagnostics.HasError() {
		t.Fatalf("Read: %v", resp.Diagnostics)
	}
	if w, ok := warningDetail(resp.Diagnostics, changedOutsideTitle); ok {
		t.Errorf("own change's rollback failed (guard %s): warning %q, want none", guard, w)
	}
}

// A change of this resource that stands on the database but not in the state (its apply failed
// and left it in place, or failed its rollback; or completed and its result was not saved): the
// refresh records it from its guard snapshot as a successful apply records a change
// (last_change, previous_topology, guard_snapshot_id). A change rolled back is not recorded: the
// database was changed outside this resource, and the state keeps its last change.
func TestRead_recordsOwnChangeThatStood(t *testing.T) {
	mandible := topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}
	for _, c := range []struct{ outcome, says string }{
		{topology.OutcomeFailedNotRolledBack, " (failed and not rolled back: guard snapshot rightsize-guard-mandible-prod-g2-to2, rightsize:outcome = failed-not-rolled-back); recorded by a refresh"},
		{topology.OutcomeRollbackFailed, " (failed, and its rollback failed: guard snapshot rightsize-guard-mandible-prod-g2-to2, rightsize:outcome = rollback-failed); recorded by a refresh"},
		{topology.OutcomeCompleted, " (completed by an earlier apply); recorded by a refresh"},
		{topology.OutcomeRolledBack, ""},
	} {
		t.Run(c.outcome, func(t *testing.T) {
			srv, api := topologySandbox(t, sandbox.Demo(), nil)
			r, empty := directTopologyResource(t, api)
			// mandible-prod is Multi-AZ; the state has it at 1 node after its change of generation
			// 1, and its change of generation 2 to 2 nodes has the outcome c.outcome.
			guard := handGuard(t, srv, api, mandible, "", 2, 2, c.outcome)
			before := mandibleModel(1, 1, false, lastChangeObject(1, "multi-az-off", 2, 1))
			before.GuardSnapshotID = types.StringValue("rightsize-guard-mandible-prod-g1-to1")
			resp := directRead(t, r, empty, before)
			if resp.Diagnostics.HasError() {
				t.Fatalf("Read: %v", resp.Diagnostics)
			}
			got := stateModel(t, resp)
			if got.Nodes.ValueInt64() != 2 || got.CurrentNodes.ValueInt64() != 2 {
				t.Errorf("state nodes %v, current_nodes %v; want 2 and 2", got.Nodes, got.CurrentNodes)
			}
			w, drift := warningDetail(resp.Diagnostics, changedOutsideTitle)
			if c.says == "" {
				if !drift || !got.LastChange.Equal(before.LastChange) || !got.PreviousTopology.IsNull() || got.GuardSnapshotID != before.GuardSnapshotID {
					t.Errorf("change rolled back: drift warning %t, last_change %v, previous_topology %v, guard_snapshot_id %v; want the drift warning and the state's own kept",
						drift, got.LastChange, got.PreviousTopology, got.GuardSnapshotID)
				}
				return
			}
			if drift {
				t.Errorf("own change (%s): warning %q, want none", c.outcome, w)
			}
			var lc lastChangeModel
			var prev previousModel
			if d := got.LastChange.As(context.Background(), &lc, topologyObjectAs); d.HasError() {
				t.Fatal(d)
			}
			if d := got.PreviousTopology.As(context.Background(), &prev, topologyObjectAs); d.HasError() {
				t.Fatal(d)
			}
			if lc.Generation.ValueInt64() != 2 || lc.FromNodes.ValueInt64() != 1 || lc.ToNodes.ValueInt64() != 2 || lc.Time.IsNull() ||
				lc.Action.ValueString() != "Multi-AZ turned on on DB instance mandible-prod (1 → 2 node(s))"+c.says {
				t.Errorf("last_change %+v; want generation 2, 1 → 2 nodes, timed, and its action saying %q", lc, c.says)
			}
			if prev.Nodes.ValueInt64() != 1 || prev.MultiAZ.ValueBool() || !prev.Reader.IsNull() {
				t.Errorf("previous_topology %+v; want 1 node, not Multi-AZ, no reader", prev)
			}
			if got.GuardSnapshotID.ValueString() != guard || !strings.HasSuffix(got.GuardSnapshotARN.ValueString(), ":snapshot:"+guard) {
				t.Errorf("guard_snapshot_id %v, guard_snapshot_arn %v; want %s", got.GuardSnapshotID, got.GuardSnapshotARN, guard)
			}
			// The next change is of the generation after it.
			if gen := got.generation(context.Background(), &resp.Diagnostics); gen != 2 {
				t.Errorf("generation %d, want 2", gen)
			}
		})
	}
}

// A change this resource deferred to the maintenance window, made by the window and rolled back
// by the apply that validated it (its guard snapshot, of the state's generation, rolled-back; or
// rolling-back, the rollback RDS finished after that apply stopped watching): the state still has
// the deferred change's node count, pending, and the refresh finds the database back at the count
// before it. That is this resource's rollback, not a change made outside it.
func TestRead_deferredChangeRolledBackNotChangedOutside(t *testing.T) {
	for _, outcome := range []string{topology.OutcomeRolledBack, topology.OutcomeRollingBack} {
		t.Run(outcome, func(t *testing.T) {
			srv, api := topologySandbox(t, sandbox.Demo(), nil)
			r, empty := directTopologyResource(t, api)
			// mandible-prod is Multi-AZ (the rollback turned it on again); the state has the
			// change of generation 1 to 1 node deferred.
			guard := handGuard(t, srv, api, topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, "", 1, 1, outcome)
			resp := directRead(t, r, empty, mandibleModel(1, 1, true, lastChangeObject(1, "Multi-AZ turned off on DB instance mandible-prod (2 → 1 node(s)), "+topology.ScheduledAction, 2, 1)))
			if resp.Diagnostics.HasError() {
				t.Fatalf("Read: %v", resp.Diagnostics)
			}
			if w, ok := warningDetail(resp.Diagnostics, changedOutsideTitle); ok {
				t.Errorf("own deferred change rolled back (guard %s, %s): warning %q, want none", guard, outcome, w)
			}
		})
	}
}

// A Multi-AZ change scheduled outside the resource for the maintenance window: the refresh's
// warning says how to keep the state's node count, and does not promise that a plan of it takes
// the database back, which the apply refuses while the change is pending (as that plan says).
func TestRead_changedOutsidePendingSaysRefused(t *testing.T) {
	_, api := topologySandbox(t, sandbox.Demo(), nil)
	ctx := context.Background()
	r, empty := directTopologyResource(t, api)
	if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	resp := directRead(t, r, empty, mandibleModel(2, 2, false, lastChangeObject(1, "created", 2, 2)))
	w, ok := warningDetail(resp.Diagnostics, changedOutsideTitle)
	if !ok {
		t.Fatalf("diagnostics %v, want %q", resp.Diagnostics, changedOutsideTitle)
	}
	if strings.Contains(w, "takes it back") || !strings.Contains(w, "A plan of nodes = 2 is refused while that change is pending: to keep 2 node(s), revert it "+
		"(aws rds modify-db-instance --db-instance-identifier mandible-prod --multi-az --apply-immediately;") {
		t.Errorf("warning %q\nwant it to say that a plan of nodes = 2 is refused, and how to revert the pending change", w)
	}
	got := stateModel(t, resp)
	plan := got
	plan.Nodes, plan.ApplyImmediately = types.Int64Value(2), types.BoolValue(true)
	if _, ok := warningDetail(directModifyPlan(t, r, empty, &got, plan), "Database Topology Change Will Be Refused"); !ok {
		t.Errorf("plan of nodes = 2 not refused: the warning's advice is stale")
	}
}

// Drift of a state not pending (Multi-AZ turned back on outside this resource): the refresh
// lists the guard snapshots once, for the next generation's change; the deferred change's guard
// is looked for only when the state had one pending.
func TestRead_changedOutsideListsGuardsOnce(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	r, empty := directTopologyResource(t, api)
	srv.Advance(time.Minute)
	before := len(srv.Calls("DescribeDBSnapshots"))
	resp := directRead(t, r, empty, mandibleModel(1, 1, false, lastChangeObject(1, "multi-az-off", 2, 1)))
	if _, ok := warningDetail(resp.Diagnostics, changedOutsideTitle); !ok {
		t.Fatalf("diagnostics %v, want %q", resp.Diagnostics, changedOutsideTitle)
	}
	if n := len(srv.Calls("DescribeDBSnapshots")) - before; n != 1 {
		t.Errorf("the refresh listed the guard snapshots %d times, want 1", n)
	}
}

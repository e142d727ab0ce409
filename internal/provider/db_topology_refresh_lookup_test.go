package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// snapshotsThrottled makes RDS throttle every DescribeDBSnapshots (the guard snapshots' listing),
// through the SDK's attempts.
var snapshotsThrottled = sandbox.FaultRule{Operation: "DescribeDBSnapshots", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultThrottling}}

// A refresh whose listing of the guard snapshots AWS throttles (or fails with a server error)
// while the database is not at the state's node count cannot tell this resource's unfinished
// change from drift: it keeps the state's count, says so, and the next refresh looks again.
// Taking the observed count lost the unfinished change for good: the next refresh found the state
// at the database's count and never looked for its guard, so the plan was empty, the change never
// validated, its guard open for ever.
func TestRead_unfinishedChangeLookupFails(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	ctx := context.Background()
	r, empty := directTopologyResource(t, api)
	// This resource's change of generation 2 to 1 node was requested and interrupted (its guard
	// changing); RDS made it.
	guard := handGuard(t, srv, api, topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, "", 2, 1, topology.OutcomeChanging)
	multiAZOffNow(t, api)
	srv.Advance(2 * time.Hour)

	srv.InjectFaults(snapshotsThrottled)
	resp := directRead(t, r, empty, mandibleModel(2, 2, false, lastChangeObject(1, "created", 2, 2)))
	srv.ClearFaults()
	if resp.Diagnostics.HasError() {
		t.Fatalf("Read: %v", resp.Diagnostics)
	}
	if w, ok := warningDetail(resp.Diagnostics, changedOutsideTitle); ok {
		t.Errorf("guards not listed: warning %q, want none", w)
	}
	if w, ok := warningDetail(resp.Diagnostics, "Unfinished Change Not Checked"); !ok || !strings.Contains(w, "The state keeps nodes = 2 until a refresh can tell") {
		t.Errorf("guards not listed: warning %q (found %t), want it to say the state keeps nodes = 2", w, ok)
	}
	got := stateModel(t, resp)
	if got.Nodes.ValueInt64() != 2 {
		t.Errorf("guards not listed: state nodes %v, want 2 kept (the next refresh looks again)", got.Nodes)
	}
	// The next refresh, the listing answered, finds the unfinished change.
	resp = directRead(t, r, empty, got)
	if _, ok := warningDetail(resp.Diagnostics, "Unfinished Topology Change"); !ok {
		t.Errorf("next refresh: diagnostics %v, want the unfinished change of guard %s", resp.Diagnostics, guard)
	}
	if d := resp.State.Get(ctx, &got); d.HasError() {
		t.Fatal(d)
	}
	if got.Nodes.ValueInt64() != 2 || got.CurrentNodes.ValueInt64() != 1 {
		t.Errorf("next refresh: state nodes %v, current_nodes %v; want 2 and 1", got.Nodes, got.CurrentNodes)
	}
}

// tagGuardByHand adds tags to mandible-prod's guard snapshot id by hand.
func tagGuardByHand(t *testing.T, api *rds.Client, id string, tags map[string]string) {
	t.Helper()
	ctx := context.Background()
	out, err := api.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(id)})
	if err != nil || len(out.DBSnapshots) != 1 {
		t.Fatalf("describing %s: %v", id, err)
	}
	var tl []rdstypes.Tag
	for k, v := range tags {
		tl = append(tl, rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := api.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: out.DBSnapshots[0].DBSnapshotArn, Tags: tl}); err != nil {
		t.Fatal(err)
	}
}

// A change this resource deferred whose guard snapshot's tagging as pending-maintenance failed
// (best effort: left changing, tagged deferred, which the orchestrator takes as the deferred
// change, confirmOwnPending), made by the window: the refresh keeps it pending, so that the next
// apply validates and records it, as for a guard tagged pending-maintenance. It took the change as
// made: an empty plan, the change never validated, its guard changing for good.
func TestRead_deferredChangeGuardLeftChanging(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	r, empty := directTopologyResource(t, api)
	guard := handGuard(t, srv, api, topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, "", 1, 1, topology.OutcomeChanging)
	tagGuardByHand(t, api, guard, map[string]string{topology.TagDeferred: "true"})
	multiAZOffNow(t, api)
	srv.Advance(2 * time.Hour)
	m := mandibleModel(1, 2, true, lastChangeObject(1, "Multi-AZ turning off on DB instance mandible-prod, "+topology.ScheduledAction, 2, 1))
	resp := directRead(t, r, empty, m)
	if resp.Diagnostics.HasError() {
		t.Fatalf("Read: %v", resp.Diagnostics)
	}
	got := stateModel(t, resp)
	if got.Nodes.ValueInt64() != 1 || got.CurrentNodes.ValueInt64() != 1 || !got.Pending.ValueBool() || !madeInWindow(&got) {
		t.Errorf("state nodes %v, current_nodes %v, pending %v; want 1, 1, true (the update that validates the change planned)", got.Nodes, got.CurrentNodes, got.Pending)
	}
	if len(resp.Diagnostics) != 0 {
		t.Errorf("diagnostics %v, want none", resp.Diagnostics)
	}
	// The apply of the same nodes that the plan then makes records the change.
	if d := directUpdate(t, r, empty, got, got); d.HasError() {
		t.Fatalf("Update: %v", d)
	}
	if err := checkGuardOutcome(api, guard, topology.OutcomeCompleted)(nil); err != nil {
		t.Error(err)
	}
}

// This resource's change to 1 node deferred to the maintenance window and interrupted after its
// request, before its guard snapshot was tagged pending-maintenance (left changing, tagged
// deferred; the failed update kept the state: nodes = 2, of an imported database, generation 0):
// the refresh keeps nodes = 2, not pending (the count pending is 1), and counts the pending change
// in current_nodes. Pending, it read as a deferred change the window had made, so that a plan of
// nodes = 2 planned the update that resumes the previous generation's change: here generation 0,
// which the apply failed on ("generation must be at least 1"). The apply of nodes = 1 resumes the
// change and records it deferred.
func TestRead_unfinishedDeferredChangeNotMadeInWindow(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	ctx := context.Background()
	r, empty := directTopologyResource(t, api)
	guard := handGuard(t, srv, api, topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, "", 1, 1, topology.OutcomeChanging)
	tagGuardByHand(t, api, guard, map[string]string{topology.TagDeferred: "true"})
	if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	resp := directRead(t, r, empty, mandibleModel(2, 2, false, types.ObjectNull(lastChangeAttrTypes)))
	if _, ok := warningDetail(resp.Diagnostics, "Unfinished Topology Change"); !ok || resp.Diagnostics.HasError() {
		t.Fatalf("diagnostics %v, want the unfinished change", resp.Diagnostics)
	}
	got := stateModel(t, resp)
	if got.Nodes.ValueInt64() != 2 || got.Pending.ValueBool() || got.CurrentNodes.ValueInt64() != 1 || madeInWindow(&got) {
		t.Errorf("state nodes %v, pending %v, current_nodes %v; want 2, false, 1", got.Nodes, got.Pending, got.CurrentNodes)
	}
	two := got
	two.ApplyImmediately = types.BoolValue(true)
	for _, d := range directUpdate(t, r, empty, got, two) {
		if strings.Contains(d.Detail(), "generation must be") {
			t.Errorf("apply of nodes = 2: %s: %s", d.Summary(), d.Detail())
		}
	}
	one := got
	one.Nodes = types.Int64Value(1)
	if d := directUpdate(t, r, empty, got, one); d.HasError() {
		t.Fatalf("apply of nodes = 1: %v", d)
	}
	if err := checkGuardOutcome(api, guard, topology.OutcomePending)(nil); err != nil {
		t.Error(err)
	}
}

// deferredToOne is the state of this resource's change of generation 1 of mandible-prod to 1
// node, deferred to the maintenance window and not yet made: nodes = 1, pending, current_nodes 2.
func deferredToOne() dbTopologyModel {
	return mandibleModel(1, 2, true, lastChangeObject(1, "Multi-AZ turning off on DB instance mandible-prod, "+topology.ScheduledAction, 2, 1))
}

// A change this resource deferred (nodes = 1, pending) whose database is found at 2 nodes, nothing
// pending, while AWS throttles the listing of the guard snapshots: the refresh keeps the state as
// it was, the change still pending, as well as its node count, so that the next refresh looks
// again and the next plan still reads the deferred change (deferredByLastApply). Pending dropped,
// the state read as a change to 1 node made and not pending.
func TestRead_deferredChangeLookupFailsKeepsPending(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	handGuard(t, srv, api, topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, "", 1, 1, topology.OutcomePending)
	r, empty := directTopologyResource(t, api)
	srv.InjectFaults(snapshotsThrottled)
	resp := directRead(t, r, empty, deferredToOne())
	srv.ClearFaults()
	if resp.Diagnostics.HasError() {
		t.Fatalf("Read: %v", resp.Diagnostics)
	}
	if _, ok := warningDetail(resp.Diagnostics, "Unfinished Change Not Checked"); !ok {
		t.Errorf("diagnostics %v, want %q", resp.Diagnostics, "Unfinished Change Not Checked")
	}
	got := stateModel(t, resp)
	if got.Nodes.ValueInt64() != 1 || !got.Pending.ValueBool() || got.CurrentNodes.ValueInt64() != 2 || !deferredByLastApply(&got) {
		t.Errorf("state nodes %v, pending %v, current_nodes %v; want 1, true, 2 (the deferred change kept as it was)", got.Nodes, got.Pending, got.CurrentNodes)
	}
}

// The same database, the listing of the next generation's guards answered (none: no change of
// this resource to 2 nodes) but that of the deferred change's own guard refused: whether the
// deferred change was rolled back by this resource cannot be told, so the refresh does not say
// that the database was changed outside this resource.
func TestRead_deferredGuardLookupFailsNotChangedOutside(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	handGuard(t, srv, api, topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, "", 1, 1, topology.OutcomeRolledBack)
	r, empty := directTopologyResource(t, api)
	before := len(srv.Calls("DescribeDBSnapshots"))
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBSnapshots", Sequence: []sandbox.Fault{{Kind: sandbox.FaultNone},
		{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "User is not authorized to perform: rds:DescribeDBSnapshots"}}})
	resp := directRead(t, r, empty, deferredToOne())
	srv.ClearFaults()
	if resp.Diagnostics.HasError() {
		t.Fatalf("Read: %v", resp.Diagnostics)
	}
	if n := len(srv.Calls("DescribeDBSnapshots")) - before; n != 2 {
		t.Fatalf("the refresh listed the guard snapshots %d times, want 2 (the next generation's, then the deferred change's)", n)
	}
	if w, ok := warningDetail(resp.Diagnostics, changedOutsideTitle); ok {
		t.Errorf("deferred change's guard not readable: warning %q, want none", w)
	}
}

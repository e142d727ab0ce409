package provider

import (
	"context"
	"strings"
	"testing"
	"time"

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
	var got dbTopologyModel
	if d := resp.State.Get(ctx, &got); d.HasError() {
		t.Fatal(d)
	}
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

package provider

import (
	"strings"
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// A change that succeeded, whose guard snapshot RDS refused to tag completed, succeeds with a
// warning naming the guard snapshot and the tag to set by hand: left tagged changing, the guard
// reads as an unfinished change to a later apply or an import (the failure was only logged).
func TestUpdate_outcomeNotRecorded(t *testing.T) {
	var srv *sandbox.Server
	srv, api := topologySandbox(t, sandbox.Demo(), func(o *topology.Orchestrator) {
		o.OnStep = func(s topology.Step) error {
			if s == topology.StepSettled {
				srv.InjectFaults(sandbox.FaultRule{Operation: "AddTagsToResource", Sequence: []sandbox.Fault{
					{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "denied for the test"}}})
			}
			return nil
		}
	})
	r, empty := directTopologyResource(t, api)
	sm, pm := mandibleModel(2, 2, false, lastChangeObject(1, "created", 2, 2)), mandibleModel(1, 2, false, lastChangeObject(1, "created", 2, 2))
	d := directUpdate(t, r, empty, sm, pm)
	if d.HasError() {
		t.Fatalf("apply: %v, want the change to succeed", d)
	}
	guard := "rightsize-guard-mandible-prod-g2-to1"
	w, ok := warningDetail(d, "Guard Snapshot Outcome Not Recorded")
	if !ok || !strings.Contains(w, "guard snapshot "+guard+" could not be tagged "+topology.TagOutcome+" = "+topology.OutcomeCompleted) ||
		!strings.Contains(w, "AccessDenied") || !strings.Contains(w, "Key="+topology.TagOutcome+",Value="+topology.OutcomeCompleted) {
		t.Errorf("warnings %v, want the guard snapshot named and the tag to set by hand", d.Warnings())
	}
}

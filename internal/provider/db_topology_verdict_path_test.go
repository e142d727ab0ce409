package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

const verdictRefused = "Recommendation Does Not Support One Node"

// verdictRefusal is the one error titled verdictRefused in d, failing t unless there is exactly one.
func verdictRefusal(t *testing.T, d diag.Diagnostics) diag.Diagnostic {
	t.Helper()
	var got []diag.Diagnostic
	for _, e := range d.Errors() {
		if e.Summary() == verdictRefused {
			got = append(got, e)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d %q errors, want 1: %v", len(got), verdictRefused, d)
	}
	return got[0]
}

// assertOnRequireVerdict fails t unless e is on the attribute require_verdict (where Terraform
// points the user to fix it), not on force or on no attribute.
func assertOnRequireVerdict(t *testing.T, e diag.Diagnostic) {
	t.Helper()
	if wp, ok := e.(diag.DiagnosticWithPath); !ok || !wp.Path().Equal(path.Root("require_verdict")) {
		t.Errorf("the %q error is not on require_verdict: %#v", verdictRefused, e)
	}
}

// TestCheckVerdict_errorOnRequireVerdict: going to 1 node with require_verdict other than
// "consolidate" (and force = false) is refused with an error on the attribute require_verdict, on
// create (no state) and on an update from 2 nodes; force = true lets it through.
func TestCheckVerdict_errorOnRequireVerdict(t *testing.T) {
	r := &dbTopologyResource{}
	keep := mandibleModel(1, 2, false, lastChangeObject(1, "created", 2, 2))
	keep.RequireVerdict = types.StringValue("keep")
	two := mandibleModel(2, 2, false, lastChangeObject(1, "created", 2, 2))
	for name, state := range map[string]*dbTopologyModel{"create": nil, "update from 2 nodes": &two} {
		t.Run(name, func(t *testing.T) {
			var diags diag.Diagnostics
			if r.checkVerdict(&keep, state, &diags) {
				t.Fatalf("checkVerdict passed require_verdict = \"keep\" going to 1 node: %v", diags)
			}
			e := verdictRefusal(t, diags)
			assertOnRequireVerdict(t, e)
			if !strings.Contains(e.Detail(), `require_verdict is "keep"`) || !strings.Contains(e.Detail(), "DB instance mandible-prod") {
				t.Errorf("detail %q, want the verdict and the database named", e.Detail())
			}
		})
	}
	forced := keep
	forced.Force = types.BoolValue(true)
	var diags diag.Diagnostics
	if !r.checkVerdict(&forced, nil, &diags) || diags.HasError() {
		t.Errorf("force = true: checkVerdict refused: %v", diags)
	}
}

// TestCheckVerdict_saysWhy: the refusal says where the recommendation gives its reasons, and for
// insufficient-data what to check (the window against the deployment's history) before reaching for
// force. It said only "Keep nodes = 2, or set force = true to override the recommendation", the
// same for a deployment too busy for one node and for a window with no datapoints (an end_time a
// year off), where force would act on no evidence.
func TestCheckVerdict_saysWhy(t *testing.T) {
	r := &dbTopologyResource{}
	for verdict, want := range map[string][]string{
		"keep":              {"reasons (the checks with passed = false)", "report_markdown", "Keep nodes = 2, or set force = true"},
		"insufficient-data": {"too little CloudWatch data", "reasons (the checks with passed = false", "end_time and lookback_days", "force = true would override the recommendation without that evidence"},
	} {
		m := mandibleModel(1, 2, false, lastChangeObject(1, "created", 2, 2))
		m.RequireVerdict = types.StringValue(verdict)
		var diags diag.Diagnostics
		if r.checkVerdict(&m, nil, &diags) {
			t.Fatalf("%s: checkVerdict passed", verdict)
		}
		d := verdictRefusal(t, diags).Detail()
		for _, w := range want {
			if !strings.Contains(d, w) {
				t.Errorf("%s: detail %q lacks %q", verdict, d, w)
			}
		}
	}
}

// TestModifyPlan_verdictErrorOnRequireVerdict: the same refusal through the resource's ModifyPlan
// (a plan from the schema, the RDS sandbox behind it) keeps its attribute path require_verdict.
func TestModifyPlan_verdictErrorOnRequireVerdict(t *testing.T) {
	_, api := topologySandbox(t, sandbox.Demo(), nil)
	r, empty := directTopologyResource(t, api)
	next := mandibleModel(1, 2, false, lastChangeObject(1, "created", 2, 2))
	next.RequireVerdict = types.StringValue("insufficient-data")
	assertOnRequireVerdict(t, verdictRefusal(t, directModifyPlan(t, r, empty, nil, next)))
}

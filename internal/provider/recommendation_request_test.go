package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestRecommendationRequestSkipRender: include_report = false asks rightsizing for a
// recommendation not rendered (Request.SkipRender: analysis.Assess), not only for its outputs
// nulled afterwards; unset or true, it is rendered. With SkipRender not passed every test passed:
// the outputs are nulled either way, the report and charts rendered for nothing.
func TestRecommendationRequestSkipRender(t *testing.T) {
	for _, tc := range []struct {
		include types.Bool
		want    bool
	}{{types.BoolNull(), false}, {types.BoolValue(true), false}, {types.BoolValue(false), true}} {
		var diags diag.Diagnostics
		m := recommendationModel{DBInstanceIdentifier: types.StringValue("mandible-prod"), IncludeReport: tc.include}
		req, ok := recommendationRequest(context.Background(), &m, &diags)
		if !ok || diags.HasError() {
			t.Fatalf("include_report %v: %v", tc.include, diags)
		}
		if req.SkipRender != tc.want {
			t.Errorf("include_report %v: SkipRender %v, want %v", tc.include, req.SkipRender, tc.want)
		}
	}
}

package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// TestDBTopologySchema_noComputedNestedAttributes: Terraform before 1.7 (1.5.7 among them, the
// version the project tests with) crashes in `plan -generate-config-out` (an import block's
// generated configuration) on a resource with a computed-only nested attribute: its
// configschema.Block.Filter drops the attribute and then dereferences it
// (hashicorp/terraform#34463). The resource's computed objects are object attributes instead, and
// their descriptions name every field.
func TestDBTopologySchema_noComputedNestedAttributes(t *testing.T) {
	var resp resource.SchemaResponse
	NewDBTopologyResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	for name, a := range resp.Schema.Attributes {
		if _, nested := a.(schema.NestedAttribute); nested && a.IsComputed() && !a.IsOptional() && !a.IsRequired() {
			t.Errorf("%s is a computed-only nested attribute: terraform < 1.7 crashes generating configuration for an import", name)
		}
	}
	check := func(what string, attrs map[string]attr.Type, fields [][2]string) {
		t.Helper()
		var names []string
		for _, f := range fields {
			names = append(names, f[0])
			if _, ok := attrs[f[0]]; !ok {
				t.Errorf("%s describes %s, which it does not have", what, f[0])
			}
		}
		for k := range attrs {
			if !slices.Contains(names, k) {
				t.Errorf("%s does not describe %s", what, k)
			}
		}
	}
	check("previous_topology", previousAttrTypes, previousFields)
	check("previous_topology.reader", readerAttrTypes, readerFields)
	check("last_change", lastChangeAttrTypes, lastChangeFields)
}

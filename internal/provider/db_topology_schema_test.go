package provider

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
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

// The rollback's own deadline is as long as the operation's timeout, and never shorter than
// topology.DefaultRollbackTimeout: a database that needs a longer timeouts.<op> needs as long to be
// put back.
func TestOrchestratorRollbackTimeoutFollowsTheOperation(t *testing.T) {
	r := &dbTopologyResource{data: &ProviderData{}}
	for _, c := range []struct {
		timeout  time.Duration
		min, max time.Duration
	}{
		{5 * time.Hour, 4*time.Hour + 59*time.Minute, 5 * time.Hour},
		{10 * time.Minute, topology.DefaultRollbackTimeout, topology.DefaultRollbackTimeout},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		got := r.orchestrator(ctx).RollbackTimeout
		cancel()
		if got < c.min || got > c.max {
			t.Errorf("timeout %s: rollback timeout %s, want %s to %s", c.timeout, got, c.min, c.max)
		}
	}
	if got := r.orchestrator(context.Background()).RollbackTimeout; got != 0 {
		t.Errorf("no deadline: rollback timeout %s, want 0 (the orchestrator's default)", got)
	}
}

package provider

import (
	"context"
	"maps"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// previous_topology.reader.tags round-trips through state, and null (a record without the
// reader's tags, or an earlier version's state) is read as unknown tags, not as none: a reader
// recreated from it is reported (topology.Result.ReaderTagsUnrecorded).
func TestPreviousReaderTagsInState(t *testing.T) {
	ctx := context.Background()
	for _, rd := range []topology.ReaderSpec{
		{Identifier: "sso-prod-instance-2", Tags: map[string]string{"environment": "production"}},
		{Identifier: "sso-prod-instance-2"},
		{Identifier: "sso-prod-instance-2", TagsUnrecorded: true},
	} {
		obj := previousObject(topology.Previous{Nodes: 2, Reader: &rd})
		m := dbTopologyModel{PreviousTopology: obj}
		var diags diag.Diagnostics
		got := m.previous(ctx, &diags)
		if diags.HasError() || got == nil || got.Reader == nil {
			t.Fatalf("%+v: %v", rd, diags)
		}
		if got.Reader.TagsUnrecorded != rd.TagsUnrecorded || !maps.Equal(got.Reader.Tags, rd.Tags) {
			t.Errorf("state round trip of %+v: %+v", rd, got.Reader)
		}
		tags := obj.Attributes()["reader"].(types.Object).Attributes()["tags"]
		if tags.IsNull() != rd.TagsUnrecorded {
			t.Errorf("%+v: state tags %v, want null only when unrecorded", rd, tags)
		}
	}
}

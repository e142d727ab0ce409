package provider

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// previous_topology.reader.tags round-trips through state, and null (a record without the
// reader's tags, or an earlier version's state) is read as unknown tags, not as none: a reader
// recreated from it is reported (topology.Result.ReaderWithoutTags).
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

// A change back to 2 nodes and a destroy with restore_on_destroy that recreate the reader from a
// record without its tags (null in state) both warn "Reader Recreated Without Its Tags".
func TestReaderRecreatedWithoutTagsWarns(t *testing.T) {
	ctx := context.Background()
	for _, how := range []string{"update", "destroy"} {
		t.Run(how, func(t *testing.T) {
			_, api, res := ssoReaderRemoved(t)
			prev := res.Previous
			rd := *prev.Reader
			rd.Tags, rd.TagsUnrecorded = nil, true // as a resumed removal without room for them records it
			prev.Reader = &rd
			r, empty := directTopologyResource(t, api)
			m := ssoRemovedModel(res, prev)
			var diags diag.Diagnostics
			if how == "update" {
				two := m
				two.Nodes = types.Int64Value(2)
				diags = directUpdate(t, r, empty, m, two)
			} else {
				state := empty
				if d := state.Set(ctx, &m); d.HasError() {
					t.Fatal(d)
				}
				var resp fwresource.DeleteResponse
				r.Delete(ctx, fwresource.DeleteRequest{State: state}, &resp)
				diags = resp.Diagnostics
			}
			if _, err := topology.FindDBInstance(ctx, api, rd.Identifier); err != nil {
				t.Fatalf("reader not recreated: %v (%v)", err, diags)
			}
			var warned bool
			for _, d := range diags.Warnings() {
				warned = warned || (d.Summary() == "Reader Recreated Without Its Tags" && strings.Contains(d.Detail(), rd.Identifier))
			}
			if !warned || diags.HasError() {
				t.Errorf("%s recreated reader %s without its tags: %v; want the warning naming it", how, rd.Identifier, diags)
			}
		})
	}
}

// ssoReaderRemoved starts the emulator with the demo scenario and removes sso-prod's reader
// (generation 1) as the provider's orchestrator does.
func ssoReaderRemoved(t *testing.T) (*sandbox.Server, *rds.Client, *topology.Result) {
	t.Helper()
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	o := &topology.Orchestrator{RDS: api, AutoScaling: applicationautoscaling.NewFromConfig(srv.AWSConfig())}
	orchestratorHook(o)
	res, err := o.Run(context.Background(), topology.Request{Target: topology.Target{Kind: topology.KindCluster, Identifier: "sso-prod"}, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	return srv, api, res
}

// ssoRemovedModel is the state of a resource that took sso-prod to 1 node in the change res,
// with prev as its previous_topology.
func ssoRemovedModel(res *topology.Result, prev topology.Previous) dbTopologyModel {
	m := dbTopologyModel{
		ID: types.StringValue("cluster:sso-prod"), DBInstanceIdentifier: types.StringNull(), DBClusterIdentifier: types.StringValue("sso-prod"),
		Nodes: types.Int64Value(1), Guard: defaultGuard(), RequireVerdict: types.StringNull(), Force: types.BoolValue(false),
		ApplyImmediately: types.BoolValue(true), Validation: types.ObjectNull(validationAttrTypes),
		RollbackOnFailure: types.BoolValue(true), RestoreOnDestroy: types.BoolValue(true),
		CurrentNodes: types.Int64Value(1), MultiAZ: types.BoolValue(false), Pending: types.BoolValue(false),
		GuardSnapshotID: types.StringValue(res.GuardSnapshotID), GuardSnapshotARN: types.StringValue(res.GuardSnapshotARN),
		PreviousTopology: previousObject(prev), LastChange: lastChangeObject(1, "removed", 2, 1),
	}
	m.Timeouts.Object = types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})
	return m
}

// A change back to 2 nodes whose recorded reader settings RDS no longer takes (its parameter group
// of the engine version before an upgrade, its Enhanced Monitoring role deleted since) recreates
// the reader without them and warns of each, naming the reader, what it has instead and the
// command to set it.
func TestReaderRecreatedWithReplacedSettingsWarns(t *testing.T) {
	const gone = "arn:aws:iam::123456789012:role/rds-monitoring-gone"
	srv, api, res := ssoReaderRemoved(t)
	prev := res.Previous
	rd := *prev.Reader
	rd.ParameterGroup, rd.MonitoringInterval, rd.MonitoringRoleARN = "default.aurora-postgresql14", 60, gone
	prev.Reader = &rd
	srv.DeleteIAMRole(gone)
	r, empty := directTopologyResource(t, api)
	m := ssoRemovedModel(res, prev)
	two := m
	two.Nodes = types.Int64Value(2)
	diags := directUpdate(t, r, empty, m, two)
	if diags.HasError() {
		t.Fatalf("back to 2 nodes: %v", diags)
	}
	for title, parts := range map[string][]string{
		"Reader Recreated With Another Parameter Group": {rd.Identifier, "as RDS refused its recorded default.aurora-postgresql14", "--db-parameter-group-name <group>"},
		"Reader Recreated Without Enhanced Monitoring":  {rd.Identifier, "as RDS refused its recorded monitoring role " + gone + " (every 60 s): the role was deleted", "--monitoring-role-arn <role ARN>"},
	} {
		w, ok := warningDetail(diags, title)
		if !ok {
			t.Errorf("no %q warning: %v", title, diags)
		}
		for _, p := range parts {
			if !strings.Contains(w, p) {
				t.Errorf("%q: %q lacks %q", title, w, p)
			}
		}
	}
}

// A rollback that recreated the reader without its tags warns beside the change's error.
func TestRollbackWithoutReaderTagsWarns(t *testing.T) {
	req := topology.Request{Target: topology.Target{Kind: topology.KindCluster, Identifier: "sso-prod"}, Nodes: 1}
	var diags diag.Diagnostics
	addTopologyError(&diags, req, &topology.ChangeError{Target: req.Target, Nodes: 1, Stage: "validating the change",
		Changed: true, RollbackAttempted: true, RolledBack: true, ReaderWithoutTags: "sso-prod-instance-2"}, true)
	if !diags.HasError() || len(diags.Warnings()) != 1 || diags.Warnings()[0].Summary() != "Reader Recreated Without Its Tags" ||
		!strings.Contains(diags.Warnings()[0].Detail(), "sso-prod-instance-2") {
		t.Errorf("diagnostics %v, want the rollback's error and the warning naming the reader", diags)
	}
}

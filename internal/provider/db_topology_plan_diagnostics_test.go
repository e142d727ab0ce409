package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/jackc/pgx/v5"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// A plan going to 1 node with no require_verdict warns that no recommendation gates it (the
// attribute's documentation once read as if the plan failed): not when require_verdict or
// force = true is set, nor when the state is already at 1 node.
func TestModifyPlan_ungatedChangeWarns(t *testing.T) {
	_, api := topologySandbox(t, sandbox.Demo(), nil)
	r, empty := directTopologyResource(t, api)
	const title = "No Recommendation Gates This Change"
	plan := func(prior *dbTopologyModel, next dbTopologyModel) (string, bool) {
		t.Helper()
		diags := directModifyPlan(t, r, empty, prior, next)
		if diags.HasError() {
			t.Fatalf("ModifyPlan: %v", diags)
		}
		return warningDetail(diags, title)
	}
	ungated := mandibleModel(1, 2, false, lastChangeObject(1, "created", 2, 2))
	if w, ok := plan(nil, ungated); !ok || !strings.Contains(w, "require_verdict is not set, so going to 1 node is not checked against the single-node recommendation for DB instance mandible-prod") ||
		!strings.Contains(w, "require_verdict = data.rightsize_single_node_recommendation.<name>.verdict") {
		t.Errorf("create to 1 node without require_verdict: warning %q (found %t), want it to say nothing gates the change and what to set", w, ok)
	}
	two := mandibleModel(2, 2, false, lastChangeObject(1, "created", 2, 2))
	if _, ok := plan(&two, ungated); !ok {
		t.Errorf("update from 2 to 1 node without require_verdict: no %q warning", title)
	}
	gated := ungated
	gated.RequireVerdict = types.StringValue("consolidate")
	forced := ungated
	forced.Force = types.BoolValue(true)
	for name, m := range map[string]dbTopologyModel{"require_verdict set": gated, "force = true": forced} {
		if w, ok := plan(nil, m); ok {
			t.Errorf("%s: warning %q, want none", name, w)
		}
	}
	one := mandibleModel(1, 1, false, lastChangeObject(1, "multi-az-off", 2, 1))
	if w, ok := plan(&one, one); ok {
		t.Errorf("state already at 1 node: warning %q, want none", w)
	}
}

// A database deleted outside Terraform: refresh removes the resource from the state and says what
// the plan then does, naming the database (the diagnostic carries the resource's address; the
// warning once made one up from the database's identifier).
func TestRead_databaseGone(t *testing.T) {
	_, api := topologySandbox(t, sandbox.Demo(), nil)
	r, empty := directTopologyResource(t, api)
	gone := mandibleModel(1, 1, false, lastChangeObject(1, "multi-az-off", 2, 1))
	gone.ID, gone.DBInstanceIdentifier = types.StringValue("instance:gone-prod"), types.StringValue("gone-prod")
	resp := directRead(t, r, empty, gone)
	if resp.Diagnostics.HasError() {
		t.Fatalf("Read: %v", resp.Diagnostics)
	}
	w, ok := warningDetail(resp.Diagnostics, "Database No Longer Exists")
	if !ok || !strings.HasPrefix(w, "DB instance gone-prod was not found (DB instance gone-prod not found), so this resource is removed from the state and Terraform plans to create it again: that apply fails, changing nothing, unless the database exists again by then.") ||
		strings.Contains(w, "rightsize_db_topology.") {
		t.Errorf("warning %q (found %t), want the database named and what the plan does", w, ok)
	}
	if !resp.State.Raw.IsNull() {
		t.Errorf("state after Read = %v, want the resource removed", resp.State.Raw)
	}
}

// What the database is (a member of an Aurora cluster, another engine), or a new resource asking
// for the two nodes it has, fails a plan that could check everything, rather than passing it with a warning for an apply that
// cannot succeed; a passing state (a custom endpoint that would lose its reader) still only warns.
func TestAccDBTopology_refusedAtPlan(t *testing.T) {
	sc := sandbox.Demo()
	for _, extra := range []*sandbox.Scenario{sandbox.MySQL(), sandbox.SingleAZ()} {
		sc.Clusters = append(sc.Clusters, extra.Clusters...)
		sc.Instances = append(sc.Instances, extra.Instances...)
	}
	srv, api := topologySandbox(t, sc, nil)
	cfg := func(attr, id string, nodes int) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "x" {
  %s = %q
  nodes = %d
  force = true
}
`, attr, id, nodes))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg("db_instance_identifier", "sso-prod-instance-1", 1), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*member\s+of\s+DB\s+cluster\s+sso-prod`)},
			{Config: cfg("db_instance_identifier", "shop-mysql", 1), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*engine\s+is\s+"mysql"`)},
			{Config: cfg("db_cluster_identifier", "sso-prod", 2), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*already\s+has\s+2\s+node.*import\s+it:\s+terraform\s+import\s+<address>\s+cluster:sso-prod`)},
			{Config: cfg("db_instance_identifier", "mandible-prod", 2), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*already\s+has\s+2\s+node.*import\s+it:\s+terraform\s+import\s+<address>\s+instance:mandible-prod`)},
			// A new resource at 1 node on a database of one node passes the plan with its warning:
			// it may be the create half of a replacement whose destroy restores two nodes.
			{Config: cfg("db_instance_identifier", "solo-db", 1), PlanOnly: true, ExpectNonEmptyPlan: true},
			// So does one at 2 nodes when the plan could not list the guard snapshots: the apply
			// may find an earlier change of the database to record.
			{
				PreConfig: func() {
					srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBSnapshots", Rate: 1,
						RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
				},
				Config: cfg("db_instance_identifier", "mandible-prod", 2), PlanOnly: true, ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() {
					srv.ClearFaults()
					if _, err := api.CreateDBClusterEndpoint(context.Background(), &rds.CreateDBClusterEndpointInput{DBClusterIdentifier: aws.String("sso-prod"),
						DBClusterEndpointIdentifier: aws.String("reporting"), EndpointType: aws.String("READER")}); err != nil {
						t.Fatal(err)
					}
				},
				// The plan passes with its warning (a plan that is not empty is what PlanOnly
				// then reports); the apply refuses the change.
				Config: cfg("db_cluster_identifier", "sso-prod", 1), PlanOnly: true, ExpectNonEmptyPlan: true,
			},
		},
	})
}

// A change back to two nodes whose validation fails (rows deleted meanwhile, as on a busy node)
// keeps the two nodes, under its own title, rather than rolling back to one: that would take away
// the redundancy it restores.
func TestUpdate_toTwoValidationFailureKeepsTwo(t *testing.T) {
	schema := seedTopologyTables(t)
	dsn := acctest.PGDSN(t)
	deleting := false
	_, api := topologySandbox(t, sandbox.Demo(), func(o *topology.Orchestrator) {
		o.OnStep = func(s topology.Step) error {
			if deleting && s == topology.StepSettled {
				conn, err := pgx.Connect(context.Background(), dsn)
				if err != nil {
					return err
				}
				defer conn.Close(context.Background())
				_, err = conn.Exec(context.Background(), "DELETE FROM "+pgx.Identifier{schema, "messages"}.Sanitize()+" WHERE id <= 5")
				return err
			}
			return nil
		}
	})
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, empty := directTopologyResource(t, api)
	r.data.Postgres = PostgresSettings{Host: pc.Host, Port: int(pc.Port), Database: pc.Database, Username: pc.User, Password: pc.Password}
	list, d := types.ListValueFrom(ctx, types.StringType, []string{schema + ".messages"})
	if d.HasError() {
		t.Fatal(d)
	}
	validation := types.ObjectValueMust(validationAttrTypes, map[string]attr.Value{"tables": list, "check_indexes": types.BoolValue(false)})
	two, one := mandibleModel(2, 2, false, lastChangeObject(1, "created", 2, 2)), mandibleModel(1, 2, false, lastChangeObject(1, "created", 2, 2))
	two.Validation, one.Validation = validation, validation
	if d := directUpdate(t, r, empty, two, one); d.HasError() {
		t.Fatalf("2 → 1: %v", d)
	}
	deleting = true
	back := mandibleModel(2, 1, false, lastChangeObject(2, "multi-az-off", 2, 1))
	from := mandibleModel(1, 1, false, lastChangeObject(2, "multi-az-off", 2, 1))
	back.Validation, from.Validation = validation, validation
	d = directUpdate(t, r, empty, from, back)
	if !d.HasError() || d.Errors()[0].Summary() != "Topology Change Failed, Two Nodes Kept" ||
		!strings.Contains(d.Errors()[0].Detail(), "not rolled back: the target has its two nodes") {
		t.Fatalf("1 → 2 with rows deleted: %v, want it failed with its two nodes kept", d)
	}
	out, err := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mandible-prod")})
	if err != nil || !aws.ToBool(out.DBInstances[0].MultiAZ) {
		t.Fatalf("mandible-prod after the failed change to two nodes: %v, want Multi-AZ kept on", err)
	}
}

// A change interrupted after it began: the refresh keeps the state's node count and says what
// applying each node count does. The same refresh runs inside the apply that resumes the change,
// so the warning speaks of "an apply", not of "the next apply" (which read, during that very
// apply, as if it would not resume the change).
func TestRead_unfinishedChange(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	ctx := context.Background()
	r, empty := directTopologyResource(t, api)
	target := topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}
	multiAZOffNow(t, api)
	srv.Advance(2 * time.Hour)
	for _, c := range []struct{ outcome, want string }{
		{topology.OutcomeChanging, "A change of DB instance mandible-prod to 1 node(s) was interrupted after it began (guard snapshot %s). " +
			"The state keeps nodes = 2 until an apply finishes it: applying nodes = 1 resumes the change behind that guard snapshot, waits for it, validates it and records it."},
		{topology.OutcomeRollingBack, "A change of DB instance mandible-prod to 1 node(s) failed and its rollback was not finished: refused, interrupted or out of time (guard snapshot %s). " +
			"The state keeps nodes = 2 until an apply settles it: applying nodes = 1 finishes the rollback and reports it; applying nodes = 2 takes the database back behind a guard snapshot of its own."},
	} {
		t.Run(c.outcome, func(t *testing.T) {
			guard := handGuard(t, srv, api, target, "", 2, 1, c.outcome)
			t.Cleanup(func() {
				if _, err := api.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(guard)}); err != nil {
					t.Error(err)
				}
			})
			resp := directRead(t, r, empty, mandibleModel(2, 2, false, lastChangeObject(1, "created", 2, 2)))
			if resp.Diagnostics.HasError() {
				t.Fatalf("Read: %v", resp.Diagnostics)
			}
			if w, ok := warningDetail(resp.Diagnostics, changedOutsideTitle); ok {
				t.Errorf("own unfinished change: warning %q, want none", w)
			}
			if w, ok := warningDetail(resp.Diagnostics, "Unfinished Topology Change"); !ok || w != fmt.Sprintf(c.want, guard) {
				t.Errorf("warning %q (found %t),\nwant %q", w, ok, fmt.Sprintf(c.want, guard))
			}
			got := stateModel(t, resp)
			if got.Nodes.ValueInt64() != 2 || got.CurrentNodes.ValueInt64() != 1 {
				t.Errorf("state nodes %v, current_nodes %v; want 2 kept and 1 observed", got.Nodes, got.CurrentNodes)
			}
		})
	}
}

// An interruption during the change's own call does not say that nothing was changed (RDS may
// have accepted the request); one before it does. A create cut short after its change may have
// begun warns that the resource is not in the state, so destroy would not restore two nodes.
func TestInterruptedChangeDiagnostics(t *testing.T) {
	req := topology.Request{Target: topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, Nodes: 1}
	errOf := func(ce *topology.ChangeError) diag.Diagnostics {
		var diags diag.Diagnostics
		addTopologyError(&diags, req, ce, true)
		return diags
	}
	unanswered := &topology.ChangeError{Target: req.Target, Nodes: 1, Stage: "requesting the change", Err: context.Canceled, Interrupted: true, Resumable: true, RequestUnanswered: true}
	d := errOf(unanswered)
	if len(d.Errors()) != 1 || d.Errors()[0].Summary() != "Topology Change Interrupted" ||
		!strings.Contains(d.Errors()[0].Detail(), "before RDS answered the change's request, which RDS may still have accepted") || !strings.Contains(d.Errors()[0].Detail(), "if RDS began the change, it resumes it behind the same guard snapshot") ||
		strings.Contains(d.Errors()[0].Detail(), "Nothing was changed yet") {
		t.Errorf("unanswered request: %v, want an interruption saying RDS may have accepted the change", d)
	}
	before := &topology.ChangeError{Target: req.Target, Nodes: 1, Stage: "recording on the guard snapshot that the change begins", Err: context.Canceled, Interrupted: true}
	if d := errOf(before); len(d.Errors()) != 1 || !strings.Contains(d.Errors()[0].Detail(), "interrupted before any change was made. Nothing was changed yet; applying again takes a new guard snapshot") {
		t.Errorf("interruption before the change: %v", d)
	}
	plan := mandibleModel(1, 2, false, lastChangeObject(1, "created", 2, 2))
	for name, c := range map[string]struct {
		err  error
		warn bool
	}{
		"request unanswered":      {unanswered, true},
		"after the change":        {&topology.ChangeError{Target: req.Target, Nodes: 1, Err: context.Canceled, Interrupted: true, Changed: true}, true},
		"still in progress":       {&topology.ChangeError{Target: req.Target, Nodes: 1, Err: context.DeadlineExceeded, Resumable: true, Changed: true}, true},
		"before the change":       {before, false},
		"rolled back":             {&topology.ChangeError{Target: req.Target, Nodes: 1, Changed: true, RollbackAttempted: true, RolledBack: true}, false},
		"refused before anything": {&topology.PrecheckError{Target: req.Target, Reason: topology.ReasonStatus, Detail: "busy"}, false},
	} {
		var diags diag.Diagnostics
		warnCreateNotInState(c.err, &plan, &diags)
		w, ok := warningDetail(diags, "Resource Not Yet in the State")
		if ok != c.warn || (ok && (!strings.Contains(w, "DB instance mandible-prod to 1 node(s)") || !strings.Contains(w, "to go back to 2 node(s), apply nodes = 2 or destroy with restore_on_destroy = true."))) {
			t.Errorf("%s: warning %q (found %t), want found %t", name, w, ok, c.warn)
		}
	}
	// A create to two nodes: destroy's restore_on_destroy keeps two nodes, so it is no way back.
	two := mandibleModel(2, 1, false, lastChangeObject(1, "created", 1, 2))
	var diags diag.Diagnostics
	warnCreateNotInState(unanswered, &two, &diags)
	if w, ok := warningDetail(diags, "Resource Not Yet in the State"); !ok || !strings.Contains(w, "to 2 node(s)") ||
		!strings.HasSuffix(w, "to go back to 1 node(s), apply nodes = 1.") || strings.Contains(w, "destroy with restore_on_destroy") {
		t.Errorf("create to 2 nodes: warning %q (found %t), want the way back to 1 node only by nodes = 1", w, ok)
	}
}

// stateModel is the state a Read left in resp.
func stateModel(t *testing.T, resp fwresource.ReadResponse) dbTopologyModel {
	t.Helper()
	var got dbTopologyModel
	if d := resp.State.Get(context.Background(), &got); d.HasError() {
		t.Fatal(d)
	}
	return got
}

// directRead calls the resource's Read with state m, as a refresh does, and returns the response.
func directRead(t *testing.T, r *dbTopologyResource, empty tfsdk.State, m dbTopologyModel) fwresource.ReadResponse {
	t.Helper()
	ctx := context.Background()
	state := tfsdk.State{Schema: empty.Schema, Raw: empty.Raw}
	if d := state.Set(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	resp := fwresource.ReadResponse{State: state}
	r.Read(ctx, fwresource.ReadRequest{State: state}, &resp)
	return resp
}

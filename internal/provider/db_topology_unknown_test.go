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
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccDBTopology_validationUnknownAtPlan: a module that sets validation from a value not known
// until apply (here null once known) plans and applies without a postgres connection configured:
// the plan does not refuse a validation it cannot know is set ('PostgreSQL Connection Needed for
// Validation' is for a validation that is). Known set at apply, the apply refuses it, changing
// nothing.
func TestAccDBTopology_validationUnknownAtPlan(t *testing.T) {
	t.Setenv("PGHOST", "")
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	cfg := func(srv *sandbox.Server, validate bool) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "terraform_data" "t" {
  input = { validate = %t }
}
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  force                  = true
  validation             = terraform_data.t.output.validate ? { tables = ["messages"] } : null
}
`, validate))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg(srv, false),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("validation"), knownvalue.Null()),
			},
		}},
	})
	srv2, _ := topologySandbox(t, sandbox.Demo(), nil)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      cfg(srv2, true),
			ExpectError: regexp.MustCompile(`PostgreSQL Connection Needed for Validation`),
		}},
	})
	if ops := changingOps(srv2); len(ops) != 0 {
		t.Errorf("changing calls %v after the refused apply, want none", ops)
	}
}

// A plan whose apply_immediately, rollback_on_failure, guard or validation settings come from
// values not known until apply (another resource's output) previews the change with each as its
// default and names them: it said the change would wait for the maintenance window
// (ApplyImmediately=false, on an Aurora cluster too, which cannot) and that rollback was disabled,
// neither known. Known, the preview is as before and names nothing.
func TestModifyPlan_unknownSettingsPreviewDefaults(t *testing.T) {
	_, api := topologySandbox(t, sandbox.Demo(), nil)
	r, empty := directTopologyResource(t, api)
	r.data.Postgres = PostgresSettings{Host: "127.0.0.1"}
	const title = "Database Topology Change Planned"
	m := mandibleModel(1, 2, false, types.ObjectNull(lastChangeAttrTypes))
	m.Force = types.BoolValue(true)
	m.ApplyImmediately, m.RollbackOnFailure = types.BoolUnknown(), types.BoolUnknown()
	w, ok := warningDetail(directModifyPlan(t, r, empty, nil, m), title)
	if !ok || strings.Contains(w, "maintenance window") || strings.Contains(w, "rollback disabled") ||
		!strings.Contains(w, "ApplyImmediately=true") || !strings.Contains(w, "roll back (Multi-AZ on again)") ||
		!strings.Contains(w, "Not known until apply: apply_immediately, rollback_on_failure. This preview takes each as its default; the apply follows the values they take.") {
		t.Errorf("apply_immediately and rollback_on_failure unknown: warning %q (found %t), want the defaults' change, naming both as not known", w, ok)
	}

	m = mandibleModel(1, 2, false, types.ObjectNull(lastChangeAttrTypes))
	m.Force = types.BoolValue(true)
	m.Guard = types.ObjectValueMust(guardAttrTypes, map[string]attr.Value{
		"snapshot_identifier_prefix": types.StringUnknown(), "retain": types.BoolUnknown(), "verify_restore": types.BoolUnknown(), "tags": types.MapUnknown(types.StringType),
	})
	m.Validation = types.ObjectUnknown(validationAttrTypes)
	w, ok = warningDetail(directModifyPlan(t, r, empty, nil, m), title)
	if !ok || !strings.Contains(w, "rightsize-guard-mandible-prod-g1-to1") ||
		!strings.Contains(w, "Not known until apply: guard.snapshot_identifier_prefix, guard.retain, guard.verify_restore, validation. This preview takes each as its default (validation as not set)") {
		t.Errorf("guard's settings and validation unknown: warning %q (found %t), want them named as not known", w, ok)
	}

	// The whole guard block not known (a module's input): named as one.
	m = mandibleModel(1, 2, false, types.ObjectNull(lastChangeAttrTypes))
	m.Force = types.BoolValue(true)
	m.Guard = types.ObjectUnknown(guardAttrTypes)
	w, ok = warningDetail(directModifyPlan(t, r, empty, nil, m), title)
	if !ok || !strings.Contains(w, "rightsize-guard-mandible-prod-g1-to1") ||
		!strings.Contains(w, "Not known until apply: guard. This preview takes each as its default;") {
		t.Errorf("guard unknown: warning %q (found %t), want it named as not known", w, ok)
	}

	m = mandibleModel(1, 2, false, types.ObjectNull(lastChangeAttrTypes))
	m.Force = types.BoolValue(true)
	m.Validation = types.ObjectValueMust(validationAttrTypes, map[string]attr.Value{
		"tables": types.ListValueMust(types.StringType, []attr.Value{types.StringValue("messages")}), "check_indexes": types.BoolUnknown(),
	})
	w, ok = warningDetail(directModifyPlan(t, r, empty, nil, m), title)
	if !ok || !strings.Contains(w, "Not known until apply: validation.check_indexes. This preview takes each as its default;") {
		t.Errorf("validation.check_indexes unknown: warning %q (found %t), want it named as not known", w, ok)
	}

	m = mandibleModel(1, 2, false, types.ObjectNull(lastChangeAttrTypes))
	m.Force = types.BoolValue(true)
	if w, ok := warningDetail(directModifyPlan(t, r, empty, nil, m), title); !ok || strings.Contains(w, "Not known") {
		t.Errorf("every setting known: warning %q (found %t), want the change, nothing said of unknown values", w, ok)
	}
}

// TestAccDBTopology_applyImmediatelyUnknownAtPlan: apply_immediately = false known only at apply
// (the plan's preview takes it as its default, true) defers the change to the maintenance window
// all the same: the apply follows the value it takes.
func TestAccDBTopology_applyImmediatelyUnknownAtPlan(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: topologyConfig(srv, nil, `
resource "terraform_data" "t" {
  input = { now = false }
}
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  force                  = true
  apply_immediately      = terraform_data.t.output.now
  rollback_on_failure    = terraform_data.t.output.now
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("pending"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("rollback_on_failure"), knownvalue.Bool(false)),
			},
		}},
	})
}

// A plan whose identifier is not known until apply (a module's output during an upstream change)
// replaces the resource, since Terraform cannot compare it with the state's: with
// restore_on_destroy = true the replacement's destroy takes the database back to two nodes, which
// the plan now says ('Replacement Restores Two Nodes', as for a known other identifier); it said
// nothing, ModifyPlan returning before the state was read.
func TestModifyPlan_unknownIdentifierReplacementWarns(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	if _, err := api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(2 * time.Hour)
	r, empty := directTopologyResource(t, api)
	state := mandibleModel(1, 1, false, lastChangeObject(1, "multi-az-off", 2, 1))
	state.RestoreOnDestroy = types.BoolValue(true)
	plan := state
	plan.DBInstanceIdentifier = types.StringUnknown()
	diags := directModifyPlan(t, r, empty, &state, plan)
	if diags.HasError() {
		t.Fatalf("ModifyPlan: %v", diags)
	}
	w, ok := warningDetail(diags, "Replacement Restores Two Nodes")
	if !ok || !strings.Contains(w, "The identifier is not known until apply, so Terraform replaces this resource, even if it turns out to be mandible-prod again") ||
		!strings.Contains(w, "Apply will change DB instance mandible-prod to 2 node(s)") {
		t.Errorf("identifier unknown, restore_on_destroy = true: warning %q (found %t), want the replacement's restore of two nodes, and why", w, ok)
	}
	// restore_on_destroy = false: the destroy forgets, and nothing is said.
	state.RestoreOnDestroy, plan.RestoreOnDestroy = types.BoolValue(false), types.BoolValue(false)
	if d := directModifyPlan(t, r, empty, &state, plan); len(d) != 0 {
		t.Errorf("identifier unknown, restore_on_destroy = false: diagnostics %v, want none", d)
	}
}

// TestAccDBTopology_unknownIdentifierReplaces: the premise of the warning above, with real
// terraform: an identifier not known until apply plans a replacement of the resource.
func TestAccDBTopology_unknownIdentifierReplaces(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	cfg := func(id string) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "terraform_data" "t" {
  input = %q
}
resource "rightsize_db_topology" "m" {
  db_instance_identifier = %s
  nodes                  = 1
  force                  = true
  restore_on_destroy     = true
}
`, id, map[bool]string{true: `"mandible-prod"`, false: "terraform_data.t.output"}[id == "first"]))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg("first")},
			{
				Config: cfg("mandible-prod"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("rightsize_db_topology.m", plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

// TestModifyPlan_unknownClusterIdentifierReplacementWarns: the same for an Aurora cluster whose
// db_cluster_identifier is not known until apply: the replacement's destroy recreates the reader
// (restore_on_destroy = true), and the plan says so and why. Only the DB instance's identifier
// was tested: with db_cluster_identifier's unknown value not checked, every test passed.
func TestModifyPlan_unknownClusterIdentifierReplacementWarns(t *testing.T) {
	_, api, res := ssoReaderRemoved(t)
	r, empty := directTopologyResource(t, api)
	state := ssoRemovedModel(res, res.Previous)
	plan := state
	plan.DBClusterIdentifier = types.StringUnknown()
	diags := directModifyPlan(t, r, empty, &state, plan)
	if diags.HasError() {
		t.Fatalf("ModifyPlan: %v", diags)
	}
	w, ok := warningDetail(diags, "Replacement Restores Two Nodes")
	if !ok || !strings.Contains(w, "The identifier is not known until apply, so Terraform replaces this resource, even if it turns out to be sso-prod again") ||
		!strings.Contains(w, "DB cluster sso-prod") {
		t.Errorf("cluster identifier unknown, restore_on_destroy = true: warning %q (found %t), want the replacement's restore of two nodes, and why", w, ok)
	}
}

// TestModifyPlan_unknownSettingsRefusedPreview: a preview that refuses the change (here a new
// resource at 1 node on a database of one, the create half of a replacement) describes no change
// to take the unknown settings' defaults in, and says nothing of them. With its Refusal condition
// dropped every test passed, the refusal then ending 'This preview takes each as its default; the
// apply follows the values they take.'
func TestModifyPlan_unknownSettingsRefusedPreview(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	if _, err := api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(2 * time.Hour)
	r, empty := directTopologyResource(t, api)
	m := mandibleModel(1, 1, false, types.ObjectNull(lastChangeAttrTypes))
	m.ApplyImmediately, m.RollbackOnFailure = types.BoolUnknown(), types.BoolUnknown()
	w, ok := warningDetail(directModifyPlan(t, r, empty, nil, m), "Database Topology Change Will Be Refused")
	if !ok || strings.Contains(w, "Not known until apply") {
		t.Errorf("refused preview, apply_immediately and rollback_on_failure unknown: warning %q (found %t), want the refusal, nothing said of unknown values", w, ok)
	}
}

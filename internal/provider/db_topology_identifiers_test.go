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
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

func identifierConfig(srv *sandbox.Server, attr, id string, nodes int) string {
	return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "m" {
  %s = %q
  nodes = %d
}
`, attr, id, nodes))
}

// changingOps are the sandbox's requests that change something (every RDS action but reads).
func changingOps(srv *sandbox.Server) []string {
	var out []string
	for _, op := range srv.Operations() {
		if !strings.HasPrefix(op, "Describe") && !strings.HasPrefix(op, "List") && !strings.HasPrefix(op, "Get") {
			out = append(out, op)
		}
	}
	return out
}

// TestAccDBTopology_identifierCase: RDS identifiers are not case-sensitive ("Mandible-Prod" is
// mandible-prod), so the guard snapshots of a resource written in either case belong to the same
// database: a later resource written in the other case (a new workspace, an import, a fixed
// typo) is not refused as a foreign guard's, and a change of case only is an in-place update
// that touches no database, not a replacement. A guard tagged with the configuration's case by
// an earlier version is still recognised as this database's.
func TestAccDBTopology_identifierCase(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	const name = "rightsize_db_topology.m"
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{Config: identifierConfig(srv, "db_instance_identifier", "Mandible-Prod", 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("id"), knownvalue.StringExact("instance:mandible-prod")),
				}},
			{
				Config: identifierConfig(srv, "db_instance_identifier", "mandible-prod", 1),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				Check: checkGuardedLog(srv, "mandible-prod", 1),
			},
			{Config: identifierConfig(srv, "db_instance_identifier", "Mandible-Prod", 2)},
			// Imported in the configuration's case, the identifier keeps it: no change planned.
			{
				Config:       identifierConfig(srv, "db_instance_identifier", "Mandible-Prod", 2),
				ResourceName: name, ImportState: true, ImportStateId: "instance:Mandible-Prod", ImportStateVerify: true,
				ImportStateVerifyIgnore: strings.Split(topoImportIgnore, ","),
			},
		},
	})
	// Destroy only forgot the resource. Its first guard, tagged in the old way with the
	// configuration's case (as an earlier version tagged it):
	ctx := context.Background()
	snaps, err := api.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("rightsize-guard-mandible-prod-g1-to1")})
	if err != nil || len(snaps.DBSnapshots) != 1 {
		t.Fatalf("the first guard snapshot: %v, %v", snaps, err)
	}
	if _, err := api.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: snaps.DBSnapshots[0].DBSnapshotArn,
		Tags: []rdstypes.Tag{{Key: aws.String(topology.TagTarget), Value: aws.String("instance:MANDIBLE-prod")}}}); err != nil {
		t.Fatal(err)
	}
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: identifierConfig(srv, "db_instance_identifier", "mandible-prod", 1),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
			},
		}},
	})
}

// TestAccDBTopology_invalidIdentifier: an identifier RDS would not accept is refused at
// validation, naming the attribute; an ARN (which the data sources accept, as DescribeDBInstances
// does) is refused with its identifier, which the guard snapshots are named and tagged after.
func TestAccDBTopology_invalidIdentifier(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	for _, tc := range []struct{ attr, id, want string }{
		{"db_instance_identifier", "arn:aws:rds:us-east-1:123456789012:db:mandible-prod", `db_instance_identifier is an ARN(.|\n)*"mandible-prod"`},
		{"db_cluster_identifier", "arn:aws:rds:us-east-1:123456789012:cluster:sso-prod", `db_cluster_identifier is an ARN(.|\n)*"sso-prod"`},
		{"db_instance_identifier", " mandible-prod", `with surrounding spaces`},
		{"db_instance_identifier", "mandible--prod", `not an RDS DB instance(.|\n)*identifier`},
		{"db_instance_identifier", "mandible-prod-", `not an RDS DB instance(.|\n)*identifier`},
		{"db_cluster_identifier", "1sso", `not an RDS DB cluster(.|\n)*identifier`},
		{"db_instance_identifier", "mandible_prod", `not an RDS DB instance(.|\n)*identifier`},
	} {
		t.Run(tc.id, func(t *testing.T) {
			tfresource.Test(t, tfresource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []tfresource.TestStep{{
					Config: identifierConfig(srv, tc.attr, tc.id, 1), PlanOnly: true,
					ExpectError: regexp.MustCompile(`Invalid RDS Identifier(.|\n)*` + tc.want),
				}},
			})
		})
	}
	if ops := changingOps(srv); len(ops) != 0 {
		t.Errorf("changing calls %v, want none", ops)
	}
}

// TestAccDBTopology_nonPositiveTimeout: a zero or negative timeout is refused at validation,
// naming timeouts.<op>, instead of failing every call of the apply with a deadline.
func TestAccDBTopology_nonPositiveTimeout(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	for _, tc := range []struct{ op, value string }{{"create", "0s"}, {"update", "-5m"}, {"delete", "0"}} {
		t.Run(tc.op, func(t *testing.T) {
			tfresource.Test(t, tfresource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []tfresource.TestStep{{
					Config: topologyConfig(srv, nil, `
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  timeouts = { `+tc.op+` = "`+tc.value+`" }
}
`), PlanOnly: true,
					ExpectError: regexp.MustCompile(`Invalid Timeout(.|\n)*timeouts\.` + tc.op + ` is "` + regexp.QuoteMeta(tc.value) + `": it must be(.|\n)*positive`),
				}},
			})
		})
	}
	if ops := changingOps(srv); len(ops) != 0 {
		t.Errorf("changing calls %v, want none", ops)
	}
}

// TestModifyPlan_replacementPreviewsTheNewResource: a changed identifier replaces the resource.
// Terraform plans the replacement twice, with the old state and then as a create with no prior
// state, and shows only the first plan's warnings (the second's only when it fails). So the first
// plan previews the create as the second makes it: a first-generation guard of the new
// database, not one with the old resource's generation and previous topology (a guard name the
// apply never uses).
func TestModifyPlan_replacementPreviewsTheNewResource(t *testing.T) {
	_, api := topologySandbox(t, sandbox.Demo(), nil)
	ctx := context.Background()
	r := &dbTopologyResource{data: &ProviderData{Region: "us-east-1", RDS: api}}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	if sr.Diagnostics.HasError() {
		t.Fatal(sr.Diagnostics)
	}
	empty := tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)
	model := func(instance, cluster string) dbTopologyModel {
		m := dbTopologyModel{
			ID: types.StringUnknown(), DBInstanceIdentifier: types.StringNull(), DBClusterIdentifier: types.StringNull(),
			Nodes: types.Int64Value(1), Guard: defaultGuard(), RequireVerdict: types.StringNull(), Force: types.BoolValue(false),
			ApplyImmediately: types.BoolValue(true), Validation: types.ObjectNull(validationAttrTypes),
			RollbackOnFailure: types.BoolValue(true), RestoreOnDestroy: types.BoolValue(false),
			CurrentNodes: types.Int64Unknown(), MultiAZ: types.BoolUnknown(), Pending: types.BoolUnknown(),
			GuardSnapshotID: types.StringUnknown(), GuardSnapshotARN: types.StringUnknown(),
			PreviousTopology: types.ObjectUnknown(previousAttrTypes), LastChange: types.ObjectUnknown(lastChangeAttrTypes),
		}
		m.Timeouts.Object = types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})
		if instance != "" {
			m.DBInstanceIdentifier = types.StringValue(instance)
		} else {
			m.DBClusterIdentifier = types.StringValue(cluster)
		}
		return m
	}
	// The old resource took mandible-prod to 1 node and back to 2 (its third change).
	old := model("mandible-prod", "")
	old.Nodes, old.CurrentNodes, old.MultiAZ, old.Pending = types.Int64Value(2), types.Int64Value(2), types.BoolValue(true), types.BoolValue(false)
	old.ID = types.StringValue("instance:mandible-prod")
	old.GuardSnapshotID, old.GuardSnapshotARN = types.StringValue("rightsize-guard-mandible-prod-g3-to2"), types.StringNull()
	old.PreviousTopology = types.ObjectNull(previousAttrTypes)
	old.LastChange = types.ObjectValueMust(lastChangeAttrTypes, map[string]attr.Value{
		"generation": types.Int64Value(3), "time": types.StringValue("2026-11-01T00:00:00Z"), "action": types.StringValue("multi-az-on"),
		"from_nodes": types.Int64Value(1), "to_nodes": types.Int64Value(2),
	})
	next := model("", "sso-prod")
	warnings := func(prior *dbTopologyModel) string {
		t.Helper()
		state := tfsdk.State{Schema: sr.Schema, Raw: empty}
		if prior != nil {
			if d := state.Set(ctx, prior); d.HasError() {
				t.Fatal(d)
			}
		}
		plan := tfsdk.Plan{Schema: sr.Schema, Raw: empty}
		if d := plan.Set(ctx, &next); d.HasError() {
			t.Fatal(d)
		}
		resp := resource.ModifyPlanResponse{Plan: plan}
		r.ModifyPlan(ctx, resource.ModifyPlanRequest{State: state, Plan: plan, Config: tfsdk.Config{Schema: sr.Schema, Raw: plan.Raw}}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("ModifyPlan: %v", resp.Diagnostics)
		}
		var b strings.Builder
		for _, d := range resp.Diagnostics.Warnings() {
			b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
		}
		return b.String()
	}
	if w := warnings(&old); !strings.Contains(w, "Apply will change DB cluster sso-prod") || !strings.Contains(w, "rightsize-guard-sso-prod-g1-to1") || strings.Contains(w, "-g4-") {
		t.Errorf("the plan with the old state does not preview the create as a first generation:\n%s", w)
	}
	if w := warnings(nil); !strings.Contains(w, "Apply will change DB cluster sso-prod") || !strings.Contains(w, "rightsize-guard-sso-prod-g1-to1") {
		t.Errorf("the create half's plan does not preview a first-generation guard of sso-prod:\n%s", w)
	}
}

// TestAccDBTopology_importBadIdentifier: an import identifier naming the database by its ARN, by
// an identifier RDS would refuse, or by one not found (a DB cluster's imported as instance:<id>)
// fails the import saying what is wrong and what to give: each was imported, and the Read after
// it found no database, so that Terraform said only "Cannot import non-existent remote object".
func TestAccDBTopology_importBadIdentifier(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	const name = "rightsize_db_topology.m"
	cfg := identifierConfig(srv, "db_instance_identifier", "mandible-prod", 2)
	step := func(id, want string) tfresource.TestStep {
		return tfresource.TestStep{Config: cfg, ResourceName: name, ImportState: true, ImportStateId: id,
			ExpectError: regexp.MustCompile(want)}
	}
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			step("instance:arn:aws:rds:us-east-1:123456789012:db:mandible-prod",
				`(?s)Invalid Import Identifier.*is\s+an\s+ARN.*give\s+the\s+DB\s+instance\s+identifier,\s+the\s+ARN's\s+last\s+part\s+\("mandible-prod"\)`),
			step("cluster:arn:aws:rds:us-east-1:123456789012:cluster:sso-prod",
				`(?s)Invalid Import Identifier.*is\s+an\s+ARN.*give\s+the\s+DB\s+cluster\s+identifier,\s+the\s+ARN's\s+last\s+part\s+\("sso-prod"\)`),
			step("instance:mandible_prod", `(?s)Invalid Import Identifier.*"mandible_prod",\s+which\s+is\s+not\s+an\s+RDS\s+DB\s+instance\s+identifier`),
			step("instance:"+strings.Repeat("m", 64), `(?s)Invalid Import Identifier.*longer\s+than\s+the\s+63\s+characters`),
			step("instance:sso-prod", `(?s)Cannot Import Database Topology.*DB\s+instance\s+sso-prod\s+not\s+found:\s+sso-prod\s+is\s+a\s+DB\s+cluster.*cluster:<db-cluster-identifier>`),
			step("instance:nope-prod", `(?s)Cannot Import Database Topology.*DB\s+instance\s+nope-prod\s+not\s+found.*provider's\s+region`),
		},
	})
}

// TestAccDBTopology_importThreeNodeCluster: an Aurora cluster of a writer and two readers is
// refused at import, saying to remove the extra readers first: every plan and apply of it would
// be refused, where the import recorded nodes = 3. The same cluster with one reader is imported.
func TestAccDBTopology_importThreeNodeCluster(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.ThreeNodeAurora(), nil)
	const name = "rightsize_db_topology.m"
	cfg := identifierConfig(srv, "db_cluster_identifier", "tri-prod", 2)
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{Config: cfg, ResourceName: name, ImportState: true, ImportStateId: "cluster:tri-prod",
				ExpectError: regexp.MustCompile(`(?s)Cannot Import Database Topology.*DB\s+cluster\s+tri-prod\s+has\s+3\s+instances.*Remove\s+the\s+extra\s+readers\s+first`)},
			{
				PreConfig: func() {
					if _, err := api.DeleteDBInstance(context.Background(), &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("tri-prod-instance-3"),
						SkipFinalSnapshot: aws.Bool(true)}); err != nil {
						t.Fatal(err)
					}
					srv.Advance(time.Hour)
				},
				Config: cfg, ResourceName: name, ImportState: true, ImportStateId: "cluster:tri-prod", ImportStatePersist: true,
				ImportStateCheck: func(s []*terraform.InstanceState) error {
					if len(s) != 1 || s[0].Attributes["nodes"] != "2" {
						return fmt.Errorf("imported %v, want nodes = 2", s)
					}
					return nil
				},
			},
		},
	})
}

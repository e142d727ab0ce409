package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// betweenPlanAndApply runs f after the plan is made and before it is applied (terraform-plugin-testing
// applies the saved plan): a team's `terraform plan -out` reviewed, then applied later.
type betweenPlanAndApply func(context.Context) error

func (f betweenPlanAndApply) CheckPlan(ctx context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(ctx)
}

// TestAccDBTopology_savedPlanFailover: the reviewed plan removes reader pay-prod-instance-2
// (db.t4g.medium) and keeps the db.r6g.xlarge writer; a failover swaps them before the saved plan
// is applied. The plan holds previous_topology.reader.identifier as the reader it names, so
// Terraform's own check of the plan at apply (planned again with the cluster as it is) stops the
// apply before anything is changed, instead of deleting the planned writer; the orchestrator
// holds to the same name (Request.ExpectedReader) should a plan reach it.
func TestAccDBTopology_savedPlanFailover(t *testing.T) {
	srv, api := topologySandbox(t, &sandbox.Scenario{Name: "pay", Seed: 7, Clusters: []sandbox.ClusterSpec{{
		ID: "pay-prod", Engine: "aurora-postgresql", EngineVersion: "15.4",
		Members: []sandbox.InstanceSpec{
			{ID: "pay-prod-instance-1", Class: "db.r6g.xlarge", Workload: sandbox.IdleWorkload},
			{ID: "pay-prod-instance-2", Class: "db.t4g.medium", Workload: sandbox.IdleWorkload},
		},
	}}}, nil)
	const name = "rightsize_db_topology.pay"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: topologyConfig(srv, nil, `
resource "rightsize_db_topology" "pay" {
  db_cluster_identifier = "pay-prod"
  nodes                 = 1
}
`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(name, tfjsonpath.New("previous_topology").AtMapKey("reader").AtMapKey("identifier"),
					knownvalue.StringExact("pay-prod-instance-2")),
				betweenPlanAndApply(func(ctx context.Context) error {
					if _, err := api.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("pay-prod")}); err != nil {
						return err
					}
					srv.Advance(30 * time.Minute)
					return nil
				}),
			}},
			ExpectError: regexp.MustCompile(`(?s)inconsistent final plan.*previous_topology\.reader\.identifier.*"pay-prod-instance-2".*"pay-prod-instance-1"`),
		}},
		CheckDestroy: func(*terraform.State) error { return nil },
	})
	out, err := api.DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.DBInstances) != 2 {
		t.Errorf("%d instances after the refused apply, want both", len(out.DBInstances))
	}
	for _, in := range out.DBInstances {
		if s := aws.ToString(in.DBInstanceStatus); s != "available" {
			t.Errorf("%s is %s after the refused apply", aws.ToString(in.DBInstanceIdentifier), s)
		}
	}
	if ops := changingOps(srv); len(ops) != 1 || ops[0] != "FailoverDBCluster" {
		t.Errorf("changing calls %v, want only the test's failover", ops)
	}
}

// TestAccDBTopology_savedPlanAlreadyAtTarget: a managed resource's saved plan (2 → 1 node) is
// applied after Multi-AZ was turned off by hand: the refusal says to plan again (the refresh
// records the database), not to import a resource already managed.
func TestAccDBTopology_savedPlanAlreadyAtTarget(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	cfg := func(n int) string { return mandibleNodesConfig(srv, n) }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(2), ResourceName: "rightsize_db_topology.m", ImportState: true, ImportStateId: "instance:mandible-prod", ImportStatePersist: true},
			{
				Config: cfg(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					betweenPlanAndApply(func(ctx context.Context) error {
						_, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
							MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)})
						srv.Advance(2 * time.Hour)
						return err
					}),
				}},
				ExpectError: regexp.MustCompile(`(?s)already has 1 node.*run terraform plan again`),
			},
		},
	})
}

// TestAccDBTopology_auroraApplyRefusalShown: a plain apply whose provider postgres host is known only
// at apply and turns out to be another cluster's endpoint: the plan named the reader whatever it
// could judge, so the plan made again at apply names the same and the orchestrator's refusal, with
// its remedy, is what the user sees (not a final-plan inconsistency).
func TestAccDBTopology_auroraApplyRefusalShown(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	pg := map[string]string{
		"host":     `"${substr(terraform_data.h.id, 0, 0)}other-prod.cluster-abc123xyz.us-east-1.rds.amazonaws.com"`,
		"username": `"postgres"`, "database": `"postgres"`, "sslmode": `"disable"`,
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: topologyConfig(srv, pg, `
resource "terraform_data" "h" {
  input = "x"
}
resource "rightsize_db_topology" "s" {
  db_cluster_identifier = "sso-prod"
  nodes                 = 1
  validation = { tables = ["public.t"] }
}
`),
			ExpectError: regexp.MustCompile(`(?s)Topology Change Refused.*other-prod`),
		}},
	})
}

// TestAccDBTopology_savedPlanReaderAdded: a reader added to the cluster between the plan (which
// named sso-prod-instance-2 for removal) and its apply: the plan made again at apply names no single
// reader, and Terraform stops the apply on previous_topology before anything is changed.
func TestAccDBTopology_savedPlanReaderAdded(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: topologyConfig(srv, nil, `
resource "rightsize_db_topology" "s" {
  db_cluster_identifier = "sso-prod"
  nodes                 = 1
}
`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				betweenPlanAndApply(func(ctx context.Context) error {
					_, err := api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-3"),
						DBClusterIdentifier: aws.String("sso-prod"), DBInstanceClass: aws.String("db.t4g.medium"), Engine: aws.String("aurora-postgresql")})
					srv.Advance(2 * time.Hour)
					return err
				}),
			}},
			ExpectError: regexp.MustCompile(`(?s)inconsistent final plan.*previous_topology`),
		}},
	})
	if ops := changingOps(srv); len(ops) != 1 || ops[0] != "CreateDBInstance" {
		t.Errorf("changing calls %v, want only the test's new reader", ops)
	}
}

// TestAccDBTopology_noRefreshPlanAlreadyAtTarget: a pipeline that plans with -refresh=false from a
// state that does not record a change made by hand (Multi-AZ turned off outside Terraform) plans
// the change again; its apply is refused, changing nothing, and says that the state was not
// refreshed and how to refresh it: planning again the same way would plan the same refusal.
func TestAccDBTopology_noRefreshPlanAlreadyAtTarget(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	cfg := func(n int) string { return mandibleNodesConfig(srv, n) }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		AdditionalCLIOptions:     &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}},
		Steps: []resource.TestStep{
			{Config: cfg(2), ResourceName: "rightsize_db_topology.m", ImportState: true, ImportStateId: "instance:mandible-prod", ImportStatePersist: true},
			{
				PreConfig: func() {
					if _, err := api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
						MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
						t.Fatal(err)
					}
					srv.Advance(2 * time.Hour)
				},
				Config:      cfg(1),
				ExpectError: regexp.MustCompile(`(?s)already has 1 node.*plan was made\s+with\s+-refresh=false.*terraform\s+plan\s+again\s+with\s+its\s+refresh.*terraform\s+apply\s+-refresh-only`),
			},
		},
	})
	if ops := changingOps(srv); len(ops) != 1 || ops[0] != "ModifyDBInstance" {
		t.Errorf("changing calls %v, want only the test's own ModifyDBInstance", ops)
	}
}

// A plan made from a state that no refresh brought up to date (terraform plan -refresh=false: the
// state has mandible-prod at 1 node, set back to Multi-AZ by hand since) warns that the apply will
// be refused and why: the state was not refreshed, and how to refresh it. A plan whose state
// records the database as it is says nothing of a refresh.
func TestModifyPlan_unrefreshedStateSaysRefresh(t *testing.T) {
	_, api := topologySandbox(t, sandbox.Demo(), nil) // mandible-prod is Multi-AZ: 2 nodes
	r, empty := directTopologyResource(t, api)
	const title = "Database Topology Change Will Be Refused"
	stale := mandibleModel(1, 1, false, lastChangeObject(1, "multi-az-off", 2, 1))
	want := mandibleModel(2, 1, false, lastChangeObject(1, "multi-az-off", 2, 1))
	diags := directModifyPlan(t, r, empty, &stale, want)
	if diags.HasError() {
		t.Fatalf("ModifyPlan: %v", diags)
	}
	w, ok := warningDetail(diags, title)
	if !ok || !strings.Contains(w, "it already has 2 node(s)") ||
		!strings.Contains(w, "The state records DB instance mandible-prod at 1 node(s): this plan was made without refreshing it (terraform plan -refresh=false)") ||
		!strings.Contains(w, "terraform apply -refresh-only") {
		t.Errorf("plan from an unrefreshed state: warning %q (found %t), want the refusal, that the state was not refreshed and how to refresh it", w, ok)
	}
	// The state records the 2 nodes (a refresh made it) and a new generation's change is planned:
	// nothing is said of a refresh.
	fresh := mandibleModel(1, 2, false, lastChangeObject(1, "multi-az-off", 2, 1))
	diags = directModifyPlan(t, r, empty, &fresh, want)
	if w, _ := warningDetail(diags, title); strings.Contains(w, "refresh") {
		t.Errorf("plan from a state that records the database: warning %q, want nothing of a refresh", w)
	}
	// A state that records no node count of the database (current_nodes null) says nothing of
	// one: with that condition dropped every test passed, the warning saying 'The state records
	// DB instance mandible-prod at 0 node(s)'.
	unknownCount := stale
	unknownCount.CurrentNodes = types.Int64Null()
	diags = directModifyPlan(t, r, empty, &unknownCount, want)
	if w, ok := warningDetail(diags, title); !ok || strings.Contains(w, "The state records") {
		t.Errorf("plan from a state without current_nodes: warning %q (found %t), want the refusal, nothing of a node count the state does not record", w, ok)
	}
}

// A refresh that could not look for an unfinished change of this resource (its guard snapshots'
// listing throttled: 'Unfinished Change Not Checked') keeps the state's node count (nodes = 1)
// beside the database's (current_nodes = 2): a plan of 2 nodes made with that refresh, applied at
// once, finds the database already there. The refusal names that refresh among the causes, not
// only a change since the plan or -refresh=false, neither of which happened.
func TestUpdate_alreadyAtTargetAfterUncheckedRefresh(t *testing.T) {
	_, api := topologySandbox(t, sandbox.Demo(), nil) // mandible-prod is Multi-AZ: 2 nodes
	r, empty := directTopologyResource(t, api)
	kept := mandibleModel(1, 2, false, lastChangeObject(1, "multi-az-off", 2, 1))
	want := mandibleModel(2, 2, false, lastChangeObject(1, "multi-az-off", 2, 1))
	diags := directUpdate(t, r, empty, kept, want)
	var detail string
	for _, d := range diags.Errors() {
		detail += d.Detail()
	}
	if !strings.Contains(detail, "it already has 2 node(s)") || !strings.Contains(detail, "Unfinished Change Not Checked") ||
		!strings.Contains(detail, "terraform apply -refresh-only") {
		t.Errorf("apply of a plan whose refresh kept the state's node count: errors %q, want the refusal naming that refresh (Unfinished Change Not Checked) and how to refresh", detail)
	}
}

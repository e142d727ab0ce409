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
	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// renameMandible renames mandible-prod to id (ModifyDBInstance NewDBInstanceIdentifier, at once)
// and lets the rename finish.
func renameMandible(t *testing.T, srv *sandbox.Server, api *rds.Client, id string) {
	t.Helper()
	if _, err := api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		NewDBInstanceIdentifier: aws.String(id), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
}

// importWarns imports id with a direct call of ImportState (the import step's warnings are not
// shown to the test) and checks it warns with summary, its detail containing each of want.
func importWarns(t *testing.T, api *rds.Client, id, summary string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		r, empty := directTopologyResource(t, api)
		resp := fwresource.ImportStateResponse{State: tfsdk.State{Schema: empty.Schema, Raw: empty.Raw}}
		r.ImportState(context.Background(), fwresource.ImportStateRequest{ID: id}, &resp)
		for _, d := range resp.Diagnostics {
			if d.Severity() != diag.SeverityWarning || d.Summary() != summary {
				continue
			}
			for _, w := range want {
				if !strings.Contains(d.Detail(), w) {
					return fmt.Errorf("warning %q: %q lacks %q", summary, d.Detail(), w)
				}
			}
			return nil
		}
		return fmt.Errorf("importing %s: diagnostics %v, want the warning %q", id, resp.Diagnostics, summary)
	}
}

// TestAccDBTopology_importAfterRename: an apply's change of mandible-prod to 1 node is interrupted
// after its change call (its guard, rightsize-guard-mandible-prod-g1-to1, tagged changing), then
// the instance is renamed mandible-v2 (its DbiResourceId kept, its guard keeping the old name).
// The configuration pointed at mandible-v2 does not make the change again (the database has 1
// node: the create is refused, saying to import it). The import finds the guard (by the instance's
// DbiResourceId) but does not take its change over under the new name, which an apply would not
// find it by: the database is taken as it is (nodes = 1, generation 1 recorded, the guard named),
// and the import warns, saying how to have the change finished (rename the instance back and
// import it under its old name); the plan at 1 node is empty and leaves the guard tagged changing,
// and the next change, to 2
// nodes, is generation 2 behind a guard of the new name.
func TestAccDBTopology_importAfterRename(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), interruptOnce(topology.StepChange))
	const name = "rightsize_db_topology.m"
	const oldGuard = "rightsize-guard-mandible-prod-g1-to1"
	renamed := func(n int) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-v2"
  nodes                  = %d
}
`, n))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: mandibleNodesConfig(srv, 1), ExpectError: regexp.MustCompile(`Topology\s+Change\s+Interrupted`)},
			{
				PreConfig: func() {
					srv.Advance(3 * time.Hour) // RDS finishes the change to 1 node
					renameMandible(t, srv, api, "mandible-v2")
				},
				Config:      renamed(1),
				ExpectError: regexp.MustCompile(`(?s)already\s+has\s+1\s+node.*terraform\s+import\s+<address>\s+instance:mandible-v2`),
			},
			{
				Config: renamed(1), ResourceName: name, ImportState: true, ImportStateId: "instance:mandible-v2", ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if err := importedAttrs(map[string]string{"nodes": "1", "current_nodes": "1", "last_change.generation": "1",
						"guard.snapshot_identifier_prefix": topology.DefaultSnapshotPrefix})(states); err != nil {
						return err
					}
					if a := states[0].Attributes["last_change.action"]; !strings.Contains(a, oldGuard) || !strings.Contains(a, "taken when the instance was named mandible-prod") {
						return fmt.Errorf("last_change.action %q does not name the guard taken under the old name", a)
					}
					return nil
				},
			},
			{
				Config:           renamed(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeTestCheckFunc(checkGuardOutcome(api, oldGuard, topology.OutcomeChanging),
					importWarns(t, api, "instance:mandible-v2", "Unfinished Topology Change Not Taken Over",
						"Guard snapshot "+oldGuard+" records a change of DB instance mandible-v2 from 2 to 1 node(s) that is unfinished (rightsize:outcome = changing), begun when the instance was named mandible-prod",
						"nodes = 1", "rename the instance back to mandible-prod, import instance:mandible-prod instead and apply", "rightsize:outcome = superseded")),
			},
			{
				Config: renamed(2),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfPath("current_nodes"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(name, tfPath("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-mandible-v2-g2-to2")),
					statecheck.ExpectKnownValue(name, tfPath("last_change.generation"), knownvalue.Int64Exact(2)),
				},
				Check: checkGuardOutcome(api, oldGuard, topology.OutcomeChanging),
			},
		},
	})
}

// TestImportAfterRenameNameTaken: mandible-prod's change to 1 node is unfinished (its guard,
// rightsize-guard-mandible-prod-g1-to1, tagged changing) when it is renamed mandible-old and a new
// instance is created as mandible-prod, replacing it (the usual reason for a rename, "Renaming a
// DB instance"). The import of mandible-old warns that the change is not taken over, but does not
// advise renaming it back to mandible-prod, which RDS refuses while another instance has the name
// (and whose import would be the new instance's): it names the instance that has it and says to
// tag the guard superseded.
func TestImportAfterRenameNameTaken(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sandbox.Demo()})
	api := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	const guard = "rightsize-guard-mandible-prod-g1-to1"
	tag := func(k, v string) rdstypes.Tag { return rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)} }
	if _, err := api.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String(guard),
		Tags: []rdstypes.Tag{tag(topology.TagManagedBy, topology.ManagedByValue), tag(topology.TagTarget, "instance:mandible-prod"), tag(topology.TagGeneration, "1"),
			tag(topology.TagFromNodes, "2"), tag(topology.TagToNodes, "1"), tag(topology.TagOutcome, topology.OutcomeChanging)}}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(3 * time.Hour)
	renameMandible(t, srv, api, "mandible-old")
	importDetail := func() string {
		t.Helper()
		r, empty := directTopologyResource(t, api)
		resp := fwresource.ImportStateResponse{State: tfsdk.State{Schema: empty.Schema, Raw: empty.Raw}}
		r.ImportState(ctx, fwresource.ImportStateRequest{ID: "instance:mandible-old"}, &resp)
		for _, d := range resp.Diagnostics {
			if d.Severity() == diag.SeverityWarning && d.Summary() == "Unfinished Topology Change Not Taken Over" {
				return d.Detail()
			}
		}
		t.Fatalf("import: diagnostics %v, want the warning Unfinished Topology Change Not Taken Over", resp.Diagnostics)
		return ""
	}
	// The old name free: renaming back is the way to have the change finished.
	before := len(srv.Calls("DescribeDBInstances"))
	if d := importDetail(); !strings.Contains(d, "rename the instance back to mandible-prod, import instance:mandible-prod instead") {
		t.Errorf("old name free: %q does not say to rename back", d)
	}
	// RDS refuses the look-up of the old name (here AccessDenied; throttling beyond the retries
	// alike): whether it is free is not known, and renaming back is advised only if it is.
	lookup := -1
	for i, c := range srv.Calls("DescribeDBInstances")[before:] {
		if c.Params["DBInstanceIdentifier"] == "mandible-prod" {
			lookup = i
		}
	}
	if lookup < 0 {
		t.Fatal("the import did not look up the old name mandible-prod")
	}
	seq := make([]sandbox.Fault, lookup+1)
	for i := range seq {
		seq[i] = sandbox.Fault{Kind: sandbox.FaultNone}
	}
	seq[lookup] = sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized for the test"}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBInstances", Sequence: seq})
	d := importDetail()
	for _, want := range []string{"Whether another DB instance has the identifier mandible-prod now could not be checked", "AccessDenied",
		"If none has, to have this provider finish the change", "rename the instance back to mandible-prod",
		"If one has, or to keep the database as it is", "tag the guard snapshot " + guard + " rightsize:outcome = superseded"} {
		if !strings.Contains(d, want) {
			t.Errorf("old name not looked up: %q lacks %q", d, want)
		}
	}
	if _, err := api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.m6g.large"), AllocatedStorage: aws.Int32(100), MultiAZ: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	d = importDetail()
	for _, want := range []string{"begun when the instance was named mandible-prod", "another DB instance has the identifier mandible-prod now",
		"tag the guard snapshot " + guard + " rightsize:outcome = superseded"} {
		if !strings.Contains(d, want) {
			t.Errorf("old name taken: %q lacks %q", d, want)
		}
	}
	if strings.Contains(d, "rename the instance back") || strings.Contains(d, "import instance:mandible-prod") {
		t.Errorf("old name taken: %q advises renaming back, which RDS refuses", d)
	}
}

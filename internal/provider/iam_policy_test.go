package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// readmeIAM is the README's IAM section: the actions of each statement of its policy, by Sid, and
// the optional actions after it, by the option they are for ("use_pricing_api",
// "guard.retain = false", "guard.verify_restore", ...).
type readmeIAM struct {
	statements map[string]map[string]bool
	options    map[string]map[string]bool
}

func readREADMEIAM(t *testing.T) readmeIAM {
	t.Helper()
	section := readmeIAMSection(t)
	open := strings.Index(section, "```json")
	closing := strings.Index(section[open+len("```json"):], "```")
	if open < 0 || closing < 0 {
		t.Fatal("README's IAM section has no ```json policy")
	}
	var policy struct {
		Statement []struct {
			Sid    string
			Action []string
		}
	}
	if err := json.Unmarshal([]byte(section[open+len("```json"):open+len("```json")+closing]), &policy); err != nil {
		t.Fatalf("README's IAM policy: %v", err)
	}
	out := readmeIAM{statements: map[string]map[string]bool{}, options: map[string]map[string]bool{}}
	for _, s := range policy.Statement {
		out.statements[s.Sid] = map[string]bool{}
		for _, a := range s.Action {
			out.statements[s.Sid][a] = true
		}
	}
	// The optional actions: clauses separated by ';', each naming its actions and then the option
	// they are for ("`rds:DeleteDBSnapshot`/`rds:DeleteDBClusterSnapshot` for `guard.retain = false`").
	rest := strings.Join(strings.Fields(section[open+len("```json")+closing+3:]), " ")
	action := regexp.MustCompile("`([a-z0-9-]+:[A-Za-z*]+)`")
	option := regexp.MustCompile("\\bfor `([^`]+)`")
	for _, clause := range strings.Split(rest, ";") {
		m := option.FindStringSubmatch(clause)
		if m == nil {
			continue
		}
		if out.options[m[1]] == nil {
			out.options[m[1]] = map[string]bool{}
		}
		for _, a := range action.FindAllStringSubmatch(clause, -1) {
			out.options[m[1]][a[1]] = true
		}
	}
	return out
}

// allowed is the union of the named statements and options; it fails t for a name the README lacks.
func (p readmeIAM) allowed(t *testing.T, statements []string, options ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, s := range statements {
		if p.statements[s] == nil {
			t.Fatalf("README's IAM policy has no statement %q (it has %v)", s, slices.Sorted(maps.Keys(p.statements)))
		}
		maps.Copy(out, p.statements[s])
	}
	for _, o := range options {
		if len(p.options[o]) == 0 {
			t.Fatalf("README's IAM section names no action for %q (it has %v)", o, slices.Sorted(maps.Keys(p.options)))
		}
		maps.Copy(out, p.options[o])
	}
	return out
}

// iamActions are the IAM actions a request the sandbox logged needs: its operation's, and, for a
// create or restore that tags what it makes, rds:AddTagsToResource, which AWS also checks then.
func iamActions(e sandbox.LogEntry) []string {
	var out []string
	switch {
	case e.Service == "unknown" && strings.HasPrefix(e.Operation, "AWSPriceListService."):
		out = append(out, "pricing:"+strings.TrimPrefix(e.Operation, "AWSPriceListService."))
	default:
		out = append(out, e.Service+":"+e.Operation)
	}
	if e.Service == "rds" && e.Params["Tags.Tag.1.Key"] != "" && e.Operation != "AddTagsToResource" {
		out = append(out, "rds:AddTagsToResource")
	}
	if e.Params["MonitoringRoleArn"] != "" {
		out = append(out, "iam:PassRole")
	}
	return out
}

// iamPath is a stretch of an acceptance test (a step) and the actions the README says it needs.
type iamPath struct {
	srv     *sandbox.Server
	name    string
	from    int
	allowed map[string]bool
}

// begin checks the requests of the path before (if any) against what it was allowed, then starts
// path name with allowed, at the end of the request log.
func (p *iamPath) begin(t *testing.T, name string, allowed map[string]bool) {
	t.Helper()
	p.check(t)
	p.name, p.allowed, p.from = name, allowed, len(p.srv.Log())
}

func (p *iamPath) check(t *testing.T) {
	t.Helper()
	if p.allowed == nil {
		return
	}
	missing := map[string]bool{}
	for _, e := range p.srv.Log()[p.from:] {
		for _, a := range iamActions(e) {
			if !p.allowed[a] {
				missing[a] = true
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s calls %v, which the README's IAM section does not grant it", p.name, slices.Sorted(maps.Keys(missing)))
	}
}

// denyAllBut makes the sandbox answer AccessDenied (HTTP 403, as AWS does) to every operation of
// ops that allowed lacks, as to credentials granted only allowed.
func denyAllBut(srv *sandbox.Server, ops, allowed map[string]bool) {
	srv.ClearFaults()
	for op := range ops {
		if allowed[op] || strings.HasPrefix(op, "pricing:") || strings.HasPrefix(op, "kms:") || strings.HasPrefix(op, "iam:") || strings.HasPrefix(op, "rds-db:") {
			continue
		}
		srv.InjectFaults(sandbox.FaultRule{Operation: op, Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied",
			Message: "User: arn:aws:sts::123456789012:assumed-role/ci/plan is not authorized to perform: " + op + " because no identity-based policy allows the " + op + " action"}})
	}
}

// TestAccIAMPolicy_README runs the main paths against the sandbox and checks each request on its
// request log against the README's IAM policy: a plan (refresh and plan of every data source and
// of rightsize_db_topology, both targets, and an import) needs only RightsizeAnalyse, and works
// with every other operation refused; an apply (the change, back to two nodes, guard.retain =
// false, guard.verify_restore, a destroy with restore_on_destroy) needs RightsizeAnalyse,
// RightsizeChange and the optional actions of the options it sets.
func TestAccIAMPolicy_README(t *testing.T) {
	iam := readREADMEIAM(t)
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	acctest.AddProxy(t, srv, "sso-proxy", "sso-prod", "", nil)
	end := srv.Now().Format(time.RFC3339)
	analyse := []string{"RightsizeAnalyse"}
	change := []string{"RightsizeAnalyse", "RightsizeChange"}
	universe := awsOperations()
	maps.Copy(universe, iam.allowed(t, change, "use_pricing_api", "guard.retain = false", "guard.verify_restore"))
	dataSources := fmt.Sprintf(`
data "rightsize_fleet" "all" {
  lookback_days = 7
  end_time      = %[1]q
}
data "rightsize_utilization" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 7
  end_time              = %[1]q
}
data "rightsize_utilization" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 7
  end_time               = %[1]q
}
data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 7
  end_time              = %[1]q
  allow_single_node     = true
}
data "rightsize_single_node_recommendation" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 7
  end_time               = %[1]q
  allow_single_node      = true
}
data "rightsize_rds_price" "p" {
  instance_class  = "db.r6g.large"
  engine          = "aurora-postgresql"
  deployment      = "single-az"
  use_pricing_api = true
}
`, end)
	// The verdicts gate the change while both deployments have their 2-node history (the reader
	// recreated on the sandbox's frozen clock has none).
	cfg := func(nodes int, retain bool) string {
		verdict := map[bool]string{true: "data.rightsize_single_node_recommendation.%s.verdict", false: "null # %s"}[nodes == 1 && retain]
		return topologyConfig(srv, nil, dataSources+fmt.Sprintf(`
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = %[1]d
  require_verdict        = %[3]s
  restore_on_destroy     = true
  guard = {
    verify_restore = true
    retain         = %[2]t
  }
}
resource "rightsize_db_topology" "s" {
  db_cluster_identifier = "sso-prod"
  nodes                 = %[1]d
  require_verdict       = %[4]s
  restore_on_destroy    = true
  guard = {
    retain = %[2]t
  }
}
`, nodes, retain, fmt.Sprintf(verdict, "mandible"), fmt.Sprintf(verdict, "sso")))
	}
	path := &iamPath{srv: srv}
	plan := func(name string) func() {
		return func() {
			path.begin(t, name, iam.allowed(t, analyse, "use_pricing_api"))
			denyAllBut(srv, universe, path.allowed)
		}
	}
	apply := func(name string, options ...string) func() {
		return func() {
			path.begin(t, name, iam.allowed(t, change, append(options, "use_pricing_api")...))
			srv.ClearFaults()
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{PreConfig: plan("plan of the change"), Config: cfg(1, true), PlanOnly: true, ExpectNonEmptyPlan: true},
			{PreConfig: apply("apply of the change", "guard.verify_restore"), Config: cfg(1, true)},
			{PreConfig: plan("refresh and plan"), Config: cfg(1, true), PlanOnly: true},
			{PreConfig: plan("plan back to two nodes"), Config: cfg(2, true), PlanOnly: true, ExpectNonEmptyPlan: true},
			{PreConfig: plan("import"), Config: cfg(1, true), ResourceName: "rightsize_db_topology.s", ImportState: true, ImportStateId: "cluster:sso-prod"},
			{PreConfig: apply("apply back to two nodes", "guard.verify_restore"), Config: cfg(2, true)},
			{PreConfig: apply("apply with guard.retain = false", "guard.verify_restore", "guard.retain = false"), Config: cfg(1, false)},
			{PreConfig: apply("destroy with restore_on_destroy", "guard.verify_restore", "guard.retain = false"), Config: topologyConfig(srv, nil, "# nothing")},
		},
	})
	path.check(t)
}

// TestAccIAMPolicy_READMERollback: a change whose validation fails is rolled back (Multi-AZ turned
// on again; the Aurora reader created again) with the actions of the README's policy.
func TestAccIAMPolicy_READMERollback(t *testing.T) {
	iam := readREADMEIAM(t)
	schema := seedTopologyTables(t)
	dsn := acctest.PGDSN(t)
	deleted := 0
	srv, _ := topologySandbox(t, sandbox.Demo(), func(o *topology.Orchestrator) {
		o.OnStep = func(s topology.Step) error {
			if s != topology.StepSettled {
				return nil
			}
			// Rows disappear during the change: its validation fails and it is rolled back.
			c, err := pgx.Connect(context.Background(), dsn)
			if err != nil {
				return err
			}
			defer c.Close(context.Background())
			deleted++
			_, err = c.Exec(context.Background(), fmt.Sprintf("DELETE FROM %s.messages WHERE id = %d", schema, deleted))
			return err
		}
	})
	path := &iamPath{srv: srv}
	cfg := func(attr, id string) string {
		return topologyConfig(srv, acctest.HarnessPostgres(t), fmt.Sprintf(`
resource "rightsize_db_topology" "t" {
  %s = %q
  nodes = 1
  validation = {
    tables = ["%s.messages"]
  }
}
`, attr, id, schema))
	}
	rollback := func(name string) func() {
		return func() { path.begin(t, name, iam.allowed(t, []string{"RightsizeAnalyse", "RightsizeChange"})) }
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{PreConfig: rollback("rollback of a DB instance's change"), Config: cfg("db_instance_identifier", "mandible-prod"),
				ExpectError: regexp.MustCompile(`Topology Change Rolled Back`)},
			{PreConfig: rollback("rollback of an Aurora cluster's change"), Config: cfg("db_cluster_identifier", "sso-prod"),
				ExpectError: regexp.MustCompile(`Topology Change Rolled Back`)},
		},
	})
	path.check(t)
	if n := srv.Counts()["CreateDBInstance"]; n != 1 {
		t.Errorf("%d CreateDBInstance calls, want the one of the Aurora reader's rollback", n)
	}
}

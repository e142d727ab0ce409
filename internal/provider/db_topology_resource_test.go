package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// topologySandbox starts a sandbox on a frozen virtual clock and makes the resource's waits
// advance that clock instead of sleeping, so a 25-minute Multi-AZ conversion takes milliseconds
// and every run is deterministic. It returns the sandbox and a real RDS client pointed at it.
func topologySandbox(t *testing.T, sc *sandbox.Scenario, hook func(*topology.Orchestrator)) (*sandbox.Server, *rds.Client) {
	t.Helper()
	return topologySandboxWith(t, sandbox.Options{Scenario: sc}, hook)
}

// topologySandboxWith is topologySandbox for the sandbox started with opts (its clock starting at
// opts.Now, say).
func topologySandboxWith(t *testing.T, opts sandbox.Options, hook func(*topology.Orchestrator)) (*sandbox.Server, *rds.Client) {
	t.Helper()
	srv := acctest.StartSandbox(t, opts)
	orchestratorHook = func(o *topology.Orchestrator) {
		o.Now = srv.Now
		o.PollMin, o.PollMax = 10*time.Second, time.Minute
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			srv.Advance(d)
			return nil
		}
		if hook != nil {
			hook(o)
		}
	}
	t.Cleanup(func() { orchestratorHook = nil })
	api := rds.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDSANDBOX", "sandbox-secret", ""), HTTPClient: sdkhttp.Wrap(nil)},
		func(o *rds.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	return srv, api
}

// seedTopologyTables creates the demo's users, chat_rooms and messages tables in a fresh schema of
// the harness PostgreSQL and returns the schema name.
func seedTopologyTables(t *testing.T) string {
	t.Helper()
	dsn := acctest.PGDSN(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to the harness PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("rs_acc_topo_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	s := pgx.Identifier{schema}.Sanitize()
	for _, q := range []string{
		"CREATE SCHEMA " + s,
		"CREATE TABLE " + s + ".users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE)",
		"CREATE TABLE " + s + ".chat_rooms (id bigserial PRIMARY KEY, name text NOT NULL)",
		"CREATE TABLE " + s + ".messages (id bigserial PRIMARY KEY, room_id bigint NOT NULL REFERENCES " + s + ".chat_rooms(id), body text NOT NULL)",
		"CREATE INDEX messages_room ON " + s + ".messages (room_id)",
		"INSERT INTO " + s + ".users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 100) g",
		"INSERT INTO " + s + ".chat_rooms (name) SELECT 'room ' || g FROM generate_series(1, 10) g",
		"INSERT INTO " + s + ".messages (room_id, body) SELECT 1 + g % 10, 'hi ' || g FROM generate_series(1, 1000) g",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("seeding %s: %v", schema, err)
		}
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), dsn); err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+s+" CASCADE")
			_ = c.Close(context.Background())
		}
	})
	return schema
}

func topologyConfig(srv *sandbox.Server, pg map[string]string, body string) string {
	pc := acctest.SandboxProvider(srv)
	pc.Postgres = pg
	return pc.HCL() + body
}

// checkGuardedLog checks the guard invariant on the sandbox's request log (sandbox.CheckGuarded:
// every change to the target follows a successful describe of an available guard snapshot) and
// that wantCalls changing calls were made.
func checkGuardedLog(srv *sandbox.Server, target string, wantCalls int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		n, err := srv.CheckGuarded(target)
		if err != nil {
			return err
		}
		if n != wantCalls {
			return fmt.Errorf("%d guarded calls on %s, want %d", n, target, wantCalls)
		}
		return nil
	}
}

func countGuards(api *rds.Client, cluster bool, target, prefix string) (int, error) {
	ctx := context.Background()
	n := 0
	if cluster {
		out, err := api.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterIdentifier: &target})
		if err != nil {
			return 0, err
		}
		for _, s := range out.DBClusterSnapshots {
			if strings.HasPrefix(*s.DBClusterSnapshotIdentifier, prefix) {
				n++
			}
		}
		return n, nil
	}
	out, err := api.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: &target})
	if err != nil {
		return 0, err
	}
	for _, s := range out.DBSnapshots {
		if strings.HasPrefix(*s.DBSnapshotIdentifier, prefix) {
			n++
		}
	}
	return n, nil
}

func checkGuardCount(api *rds.Client, cluster bool, target, prefix string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		n, err := countGuards(api, cluster, target, prefix)
		if err != nil {
			return err
		}
		if n != want {
			return fmt.Errorf("%d snapshots %s* of %s, want %d", n, prefix, target, want)
		}
		return nil
	}
}

// tfPath turns "a.b.c" into a tfjsonpath through nested objects.
func tfPath(p string) tfjsonpath.Path {
	parts := strings.Split(p, ".")
	path := tfjsonpath.New(parts[0])
	for _, s := range parts[1:] {
		path = path.AtMapKey(s)
	}
	return path
}

const topoImportIgnore = "guard_snapshot_id,guard_snapshot_arn,previous_topology,last_change,validation,timeouts,require_verdict"

func TestAccDBTopology_multiAZ(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	schema := seedTopologyTables(t)
	pg := acctest.HarnessPostgres(t)
	cfg := func(nodes int) string {
		return topologyConfig(srv, pg, fmt.Sprintf(`
resource "rightsize_db_topology" "mandible" {
  db_instance_identifier = "mandible-prod"
  nodes                  = %d
  require_verdict        = "consolidate"
  validation = {
    tables        = ["%[2]s.users", "%[2]s.messages", "%[2]s.chat_rooms"]
    check_indexes = true
  }
}
`, nodes, schema))
	}
	const name = "rightsize_db_topology.mandible"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(name, tfjsonpath.New("guard_snapshot_id")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("id"), knownvalue.StringExact("instance:mandible-prod")),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("multi_az"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("pending"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-mandible-prod-g1-to1")),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_arn"), knownvalue.StringExact("arn:aws:rds:us-east-1:123456789012:snapshot:rightsize-guard-mandible-prod-g1-to1")),
					statecheck.ExpectKnownValue(name, tfPath("previous_topology.multi_az"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(name, tfPath("last_change.generation"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfPath("last_change.action"), knownvalue.StringRegexp(regexp.MustCompile(`Multi-AZ\s+turned\s+off`))),
					statecheck.ExpectKnownValue(name, tfPath("guard.retain"), knownvalue.Bool(true)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkGuardedLog(srv, "mandible-prod", 1),
					checkGuardCount(api, false, "mandible-prod", "rightsize-guard-", 1),
				),
			},
			{
				Config: cfg(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("multi_az"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-mandible-prod-g2-to2")),
					statecheck.ExpectKnownValue(name, tfPath("last_change.generation"), knownvalue.Int64Exact(2)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkGuardedLog(srv, "mandible-prod", 2),
					checkGuardCount(api, false, "mandible-prod", "rightsize-guard-", 2),
				),
			},
			{
				ResourceName: name, ImportState: true, ImportStateId: "instance:mandible-prod", ImportStateVerify: true,
				ImportStateVerifyIdentifierAttribute: "id",
				ImportStateVerifyIgnore:              strings.Split(topoImportIgnore, ","),
			},
		},
	})
}

func TestAccDBTopology_aurora(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	cfg := func(nodes int) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "sso" {
  db_cluster_identifier = "sso-prod"
  nodes                 = %d
  guard = {
    snapshot_identifier_prefix = "pre-change"
  }
}
`, nodes))
	}
	const name = "rightsize_db_topology.sso"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg(1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("id"), knownvalue.StringExact("cluster:sso-prod")),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact("pre-change-sso-prod-g1-to1")),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("previous_topology").AtMapKey("reader").AtMapKey("identifier"), knownvalue.StringExact("sso-prod-instance-2")),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("previous_topology").AtMapKey("reader").AtMapKey("instance_class"), knownvalue.StringExact("db.t4g.medium")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkGuardedLog(srv, "sso-prod", 1),
					checkGuardCount(api, true, "sso-prod", "pre-change-", 1),
				),
			},
			{
				Config: cfg(2),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("multi_az"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact("pre-change-sso-prod-g2-to2")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkGuardedLog(srv, "sso-prod", 2),
					func(*terraform.State) error {
						in, err := topology.FindDBInstance(context.Background(), api, "sso-prod-instance-2")
						if err != nil {
							return fmt.Errorf("reader not recreated: %w", err)
						}
						if *in.DBInstanceClass != "db.t4g.medium" || *in.DBInstanceStatus != "available" {
							return fmt.Errorf("recreated reader: %s %s", *in.DBInstanceClass, *in.DBInstanceStatus)
						}
						return nil
					},
				),
			},
			{
				ResourceName: name, ImportState: true, ImportStateId: "cluster:sso-prod", ImportStateVerify: true,
				ImportStateVerifyIdentifierAttribute: "id",
				ImportStateVerifyIgnore:              append(strings.Split(topoImportIgnore, ","), "guard"),
			},
			{
				// A member instance is imported through its cluster.
				ResourceName: name, ImportState: true, ImportStateId: "instance:sso-prod-instance-1",
				ExpectError: regexp.MustCompile(`(?s)member of DB cluster sso-prod.*import it as cluster:sso-prod`),
			},
		},
	})
}

func TestAccDBTopology_drift(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	cfg := mandibleNodesConfig(srv, 1)
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// Multi-AZ turned back on by hand: the refresh shows 2 nodes and the plan an update to 1.
				PreConfig: func() {
					if _, err := api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{
						DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(true), ApplyImmediately: aws.Bool(true)}); err != nil {
						t.Fatal(err)
					}
					srv.Advance(time.Hour)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(name, tfjsonpath.New("nodes"), knownvalue.Int64Exact(1)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-mandible-prod-g2-to1")),
				},
			},
		},
	})
}

func TestAccDBTopology_disappears(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	cfg := mandibleNodesConfig(srv, 1)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					if _, err := api.DeleteDBInstance(context.Background(), &rds.DeleteDBInstanceInput{
						DBInstanceIdentifier: aws.String("mandible-prod"), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
						t.Fatal(err)
					}
					srv.Advance(time.Hour)
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccDBTopology_requireVerdict(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	cfg := func(extra string) string {
		return topologyConfig(srv, nil, `
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  require_verdict        = "keep"
`+extra+`
}
`)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(""), PlanOnly: true, ExpectError: regexp.MustCompile(`Recommendation\s+Does\s+Not\s+Support\s+One\s+Node`)},
			{
				PreConfig: func() {
					if n := len(srv.Calls("CreateDBSnapshot")) + len(srv.Calls("ModifyDBInstance")); n != 0 {
						t.Fatalf("the refused plan made %d changing calls", n)
					}
				},
				Config: cfg("  force = true"),
				Check:  checkGuardedLog(srv, "mandible-prod", 1),
			},
		},
	})
}

func TestAccDBTopology_refused(t *testing.T) {
	sc := sandbox.Demo()
	for _, extra := range []*sandbox.Scenario{sandbox.MySQL(), sandbox.ServerlessV2(), sandbox.ThreeNodeAurora(), sandbox.SingleAZ(), sandbox.Busy(), sandbox.Idle()} {
		sc.Clusters = append(sc.Clusters, extra.Clusters...)
		sc.Instances = append(sc.Instances, extra.Instances...)
	}
	srv, api := topologySandbox(t, sc, nil)
	var bgd string // the blue/green deployment of mandible-prod
	one := func(attr, id string) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "x" {
  %s = %q
  nodes = 1
}
`, attr, id))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: one("db_cluster_identifier", "tri-prod"), ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*it\s+has\s+3\s+instances`)},
			{Config: one("db_instance_identifier", "shop-mysql"), ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*engine\s+is\s+"mysql"`)},
			{Config: one("db_cluster_identifier", "sls-prod"), ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*Aurora\s+Serverless`)},
			{Config: one("db_instance_identifier", "solo-db"), ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*already\s+has\s+1\s+node`)},
			{Config: one("db_instance_identifier", "nope"), ExpectError: regexp.MustCompile(`Database\s+Not\s+Found`)},
			{
				PreConfig: func() {
					if _, err := api.CreateDBClusterEndpoint(context.Background(), &rds.CreateDBClusterEndpointInput{DBClusterIdentifier: aws.String("sso-prod"),
						DBClusterEndpointIdentifier: aws.String("reporting"), EndpointType: aws.String("READER")}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      one("db_cluster_identifier", "sso-prod"),
				ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*custom\s+endpoint\(s\)\s+reporting\s+\(type\s+READER\)\s+routing\s+to\s+no\s+DB\s+instance`),
			},
			{
				// An RDS Proxy read-only endpoint routes to readers only: removing busy-prod's reader is refused.
				PreConfig: func() {
					acctest.AddProxy(t, srv, "busy-proxy", "busy-prod", "", map[string]rdstypes.DBProxyEndpointTargetRole{"busy-ro": rdstypes.DBProxyEndpointTargetRoleReadOnly})
				},
				Config:      one("db_cluster_identifier", "busy-prod"),
				ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*RDS\s+Proxy\s+endpoint\(s\)\s+busy-ro\s+\(read-only\s+endpoint\s+of\s+RDS\s+Proxy\s+busy-proxy\).*default\s+\(read/write\)\s+endpoint`),
			},
			{
				// Aurora Auto Scaling with a minimum of one reader would put idle-prod's reader back.
				PreConfig:   func() { acctest.AddReplicaScaling(t, srv, "idle-prod", 1, 2) },
				Config:      one("db_cluster_identifier", "idle-prod"),
				ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*Aurora\s+Auto\s+Scaling\s+keeps\s+1\s+to\s+2\s+reader\(s\).*minimum\s+capacity\s+to\s+0`),
			},
			{
				Config: topologyConfig(srv, nil, `
resource "rightsize_db_topology" "x" {
  db_cluster_identifier = "sso-prod"
  nodes                 = 1
  apply_immediately     = false
}
`), PlanOnly: true, ExpectError: regexp.MustCompile(`Maintenance\s+Window\s+Not\s+Available\s+for\s+Aurora`),
			},
			{
				Config: topologyConfig(srv, nil, `
resource "rightsize_db_topology" "x" {
  db_cluster_identifier  = "sso-prod"
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
}
`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?i)invalid\s+attribute\s+combination`),
			},
			{
				// A pending blue/green deployment's switchover would replace the changed database
				// with its green copy, made with two nodes.
				PreConfig: func() { bgd = acctest.AddBlueGreen(t, srv, "chat-upgrade", "", "mandible-prod") },
				Config:    one("db_instance_identifier", "mandible-prod"),
				ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*blue\s+\(source\)\s+database\s+of\s+blue/green\s+deployment\s+bgd-[a-z0-9]+\s+\(chat-upgrade\).*` +
					`delete\s+the\s+blue/green\s+deployment,\s+or\s+switch\s+over\s+first`),
			},
			{
				// Once the deployment is deleted (its green copy kept), the change goes ahead.
				PreConfig: func() {
					for _, op := range []string{"CreateDBSnapshot", "CreateDBClusterSnapshot", "ModifyDBInstance", "DeleteDBInstance", "CreateDBInstance"} {
						if n := len(srv.Calls(op)); n != 0 {
							t.Fatalf("refused targets got %d %s calls", n, op)
						}
					}
					if _, err := api.DeleteBlueGreenDeployment(context.Background(), &rds.DeleteBlueGreenDeploymentInput{BlueGreenDeploymentIdentifier: aws.String(bgd)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: one("db_instance_identifier", "mandible-prod"),
			},
		},
	})
}

func TestAccDBTopology_validationRollback(t *testing.T) {
	schema := seedTopologyTables(t)
	dsn := acctest.PGDSN(t)
	srv, api := topologySandbox(t, sandbox.Demo(), func(o *topology.Orchestrator) {
		o.OnStep = func(s topology.Step) error {
			if s == topology.StepSettled {
				// Rows disappear during the change: validation must catch it and roll back.
				c, err := pgx.Connect(context.Background(), dsn)
				if err != nil {
					return err
				}
				defer c.Close(context.Background())
				_, err = c.Exec(context.Background(), "DELETE FROM "+schema+".messages WHERE id <= 3")
				return err
			}
			return nil
		}
	})
	cfg := topologyConfig(srv, acctest.HarnessPostgres(t), fmt.Sprintf(`
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  validation = {
    tables = ["%s.messages"]
  }
}
`, schema))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: regexp.MustCompile(`(?s)Topology Change Rolled Back.*messages\s+has\s+997\s+rows,\s+1000\s+before.*rolled\s+back:\s+Multi-AZ\s+turned\s+on\s+again.*rightsize-guard-mandible-prod-g1-to1`),
		}, {
			PreConfig: func() {
				in, err := topology.FindDBInstance(context.Background(), api, "mandible-prod")
				if err != nil || !*in.MultiAZ {
					t.Fatalf("not rolled back: %v", err)
				}
			},
			Config: topologyConfig(srv, nil, `# nothing`),
		}},
	})
}

// TestAccDBTopology_interruption interrupts the apply right after every step boundary (the
// orchestrator's OnStep hook stops the run there, as a crash or Ctrl-C would), then applies again:
// the second apply converges with the guard invariant intact. After the change began it resumes
// with the one guard snapshot; before it, the first apply's guard is superseded and the second
// apply changes the database behind a guard snapshot of its own.
func TestAccDBTopology_interruption(t *testing.T) {
	cases := []struct {
		name, attr, id string
		cluster        bool
		steps          []topology.Step
		extra          string
	}{
		{"instance", "db_instance_identifier", "mandible-prod", false, topology.Steps, "guard = { verify_restore = true }"},
		{"cluster", "db_cluster_identifier", "sso-prod", true, []topology.Step{topology.StepPrecheck, topology.StepBaseline,
			topology.StepGuardCreate, topology.StepGuardAvailable, topology.StepGuardVerified, topology.StepChange,
			topology.StepSettled, topology.StepValidated, topology.StepDone}, ""},
	}
	schema := seedTopologyTables(t)
	pg := acctest.HarnessPostgres(t)
	for _, c := range cases {
		for _, step := range c.steps {
			t.Run(c.name+"/"+string(step), func(t *testing.T) {
				hit := false
				srv, api := topologySandbox(t, sandbox.Demo(), func(o *topology.Orchestrator) {
					o.OnStep = func(s topology.Step) error {
						if s == step && !hit {
							hit = true
							return fmt.Errorf("test interruption after %s", s)
						}
						return nil
					}
				})
				cfg := topologyConfig(srv, pg, fmt.Sprintf(`
resource "rightsize_db_topology" "x" {
  %s = %q
  nodes = 1
  validation = {
    tables        = ["%[3]s.users", "%[3]s.messages"]
    check_indexes = true
  }
  %[4]s
}
`, c.attr, c.id, schema, c.extra))
				const name = "rightsize_db_topology.x"
				guard, guards, firstErr := "rightsize-guard-"+c.id+"-g1-to1", 1, `Topology\s+Change\s+Interrupted`
				switch step {
				case topology.StepGuardCreate, topology.StepGuardAvailable, topology.StepRestoreCreate,
					topology.StepRestoreAvailable, topology.StepRestoreDeleted, topology.StepGuardVerified:
					guard, guards = guard+"-r2", 2
					firstErr += `(.|\n)*Nothing\s+was\s+changed\s+yet;\s+applying\s+again\s+takes\s+a\s+new\s+guard\s+snapshot`
				case topology.StepChange, topology.StepSettled, topology.StepValidated:
					firstErr += `(.|\n)*applying\s+again\s+resumes\s+the\s+change\s+with\s+the\s+same\s+guard\s+snapshot`
				}
				resource.Test(t, resource.TestCase{
					PreCheck:                 func() { acctest.PreCheck(t) },
					ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
					Steps: []resource.TestStep{
						{Config: cfg, ExpectError: regexp.MustCompile(firstErr)},
						{
							Config: cfg,
							ConfigStateChecks: []statecheck.StateCheck{
								statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
								statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact(guard)),
							},
							Check: resource.ComposeAggregateTestCheckFunc(
								checkGuardedLog(srv, c.id, 1),
								checkGuardCount(api, c.cluster, c.id, "rightsize-guard-", guards),
								func(*terraform.State) error {
									if !hit {
										return fmt.Errorf("step %s was never reached", step)
									}
									return nil
								},
							),
						},
					},
				})
			})
		}
	}
}

// TestAccDBTopology_maintenanceWindow defers the change to the maintenance window: pending until
// the window, then the first plan after it shows the update that validates and records the change
// (the guard's outcome goes from pending-maintenance to completed), and the plan after that is empty.
func TestAccDBTopology_maintenanceWindow(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	cfg, _ := deferredValidatedConfig(t, srv)
	const name = "rightsize_db_topology.m"
	const guard = "rightsize-guard-mandible-prod-g1-to1"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("pending"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("nodes"), knownvalue.Int64Exact(1)),
					// Not made yet: no time.
					statecheck.ExpectKnownValue(name, tfPath("last_change.time"), knownvalue.Null()),
				},
				Check: checkGuardOutcome(api, guard, topology.OutcomePending),
			},
			{
				// Before the window nothing is left to do.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionNoop),
				}},
			},
			{
				// The maintenance window passes and makes the change: the next apply validates it
				// and records it.
				PreConfig: func() { srv.Advance(8 * 24 * time.Hour) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("pending"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact(guard)),
					statecheck.ExpectKnownValue(name, tfPath("last_change.generation"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfPath("last_change.time"), knownvalue.NotNull()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkGuardOutcome(api, guard, topology.OutcomeCompleted),
					checkGuardCount(api, false, "mandible-prod", "rightsize-guard-", 1),
				),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionNoop),
				}},
			},
		},
	})
}

// windowPassesRowsLost lets the maintenance window pass (a week and a day on the emulator's clock,
// which makes a deferred change) and deletes 5 of schema.messages' rows, so that the apply that
// validates the change finds rows lost.
func windowPassesRowsLost(t *testing.T, srv *sandbox.Server, dsn, schema string) {
	t.Helper()
	srv.Advance(8 * 24 * time.Hour)
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(context.Background(), "DELETE FROM "+schema+".messages WHERE id <= 5"); err != nil {
		t.Fatal(err)
	}
}

// TestAccDBTopology_maintenanceWindowRollback: rows lost by the time the maintenance window made
// the deferred change fail the validation of the apply after it, which rolls the change back.
func TestAccDBTopology_maintenanceWindowRollback(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	dsn := acctest.PGDSN(t)
	cfg, schema := deferredValidatedConfig(t, srv)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					windowPassesRowsLost(t, srv, dsn, schema)
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Topology Change Rolled Back.*messages\s+has\s+995\s+rows,\s+1000\s+before.*Multi-AZ\s+turned\s+on\s+again`),
			},
			{
				PreConfig: func() {
					in, err := topology.FindDBInstance(context.Background(), api, "mandible-prod")
					if err != nil || !aws.ToBool(in.MultiAZ) {
						t.Fatalf("not rolled back: %v", err)
					}
				},
				Config: cfg, PlanOnly: true, ExpectNonEmptyPlan: true,
			},
		},
	})
}

// deferredValidatedConfig is a configuration that takes mandible-prod to one node in its
// maintenance window (apply_immediately = false), validated on the messages table of a fresh
// schema of the harness PostgreSQL; it returns the configuration and the schema.
func deferredValidatedConfig(t *testing.T, srv *sandbox.Server) (cfg, schema string) {
	t.Helper()
	schema = seedTopologyTables(t)
	return topologyConfig(srv, acctest.HarnessPostgres(t), fmt.Sprintf(`
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  apply_immediately      = false
  validation = {
    tables = ["%s.messages"]
  }
}
`, schema)), schema
}

// mandibleNodesConfig is the plainest configuration: mandible-prod at nodes nodes.
func mandibleNodesConfig(srv *sandbox.Server, nodes int, extra ...string) string {
	return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = %d
%s
}
`, nodes, strings.Join(extra, "")))
}

// checkGuardOutcome checks the rightsize:outcome tag of DB snapshot id.
func checkGuardOutcome(api topology.RDSAPI, id, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, err := topology.FindDBSnapshot(context.Background(), api, id)
		if err != nil {
			return err
		}
		out, err := api.ListTagsForResource(context.Background(), &rds.ListTagsForResourceInput{ResourceName: s.DBSnapshotArn})
		if err != nil {
			return err
		}
		for _, tag := range out.TagList {
			if aws.ToString(tag.Key) == topology.TagOutcome {
				if got := aws.ToString(tag.Value); got != want {
					return fmt.Errorf("guard snapshot %s: outcome %q, want %q", id, got, want)
				}
				return nil
			}
		}
		return fmt.Errorf("guard snapshot %s has no %s tag", id, topology.TagOutcome)
	}
}

// TestAccDBTopology_unknownAtPlan: a validation table or force known only after apply (from
// another resource) is not judged at plan time; apply uses the values.
func TestAccDBTopology_unknownAtPlan(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	schema := seedTopologyTables(t)
	cfg := topologyConfig(srv, acctest.HarnessPostgres(t), fmt.Sprintf(`
resource "terraform_data" "t" {
  input = { table = "%s.messages", force = true }
}
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  require_verdict        = "keep"
  force                  = terraform_data.t.output.force
  validation = {
    tables = [terraform_data.t.output.table]
  }
}
`, schema))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
			},
		}},
	})
}

func TestAccDBTopology_restoreOnDestroy(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := restoredToTwoNodes(api); err != nil {
				return err
			}
			return checkGuardCount(api, false, "mandible-prod", "rightsize-guard-mandible-prod-g2-to2", 1)(nil)
		},
		Steps: []resource.TestStep{{
			Config: topologyConfig(srv, nil, `
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  restore_on_destroy     = true
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("multi_az"), knownvalue.Bool(false)),
			},
		}},
	})
}

// sandboxInterruptingSecondChange is topologySandbox on the demo scenario with every apply's run
// interrupted right after the second change call of the test (the first apply's goes through).
func sandboxInterruptingSecondChange(t *testing.T) (*sandbox.Server, *rds.Client) {
	changes := 0
	return topologySandbox(t, sandbox.Demo(), func(o *topology.Orchestrator) {
		o.OnStep = func(s topology.Step) error {
			if s == topology.StepChange {
				changes++
				if changes == 2 {
					return fmt.Errorf("test interruption after the second change call")
				}
			}
			return nil
		}
	})
}

// TestAccDBTopology_interruptedUpdate interrupts an update after the change call: the refresh must
// not mistake the half-made change for drift, so the next apply resumes it, validates it and
// records it (generation 2, its guard snapshot completed).
func TestAccDBTopology_interruptedUpdate(t *testing.T) {
	srv, api := sandboxInterruptingSecondChange(t)
	cfg := func(n int) string { return mandibleNodesConfig(srv, n) }
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(1)},
			{Config: cfg(2), ExpectError: regexp.MustCompile(`Topology\s+Change\s+Interrupted`)},
			{
				Config: cfg(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-mandible-prod-g2-to2")),
					statecheck.ExpectKnownValue(name, tfPath("last_change.generation"), knownvalue.Int64Exact(2)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkGuardedLog(srv, "mandible-prod", 2),
					checkGuardCount(api, false, "mandible-prod", "rightsize-guard-mandible-prod-g2-", 1),
					func(*terraform.State) error {
						_, unfinished, err := topology.UnfinishedChange(context.Background(), api, "", topology.Target{Kind: topology.KindInstance, Identifier: "mandible-prod"}, 2, 2)
						if err != nil {
							return err
						}
						if unfinished {
							return fmt.Errorf("the resumed change was not recorded as completed")
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccDBTopology_interruptedThenSetBack interrupts an update to 2 nodes right after its
// ModifyDBInstance(MultiAZ=true) call, then sets nodes back to 1. RDS still reports MultiAZ=false
// while it makes the change (PendingModifiedValues.MultiAZ=true, status modifying), and Read keeps
// nodes = 1 for the unfinished change: current_nodes counts the change under way as 2, so the plan
// is an update rather than an empty plan while RDS makes the instance Multi-AZ. As for an Aurora
// reader still being created, that apply is refused while RDS is busy ("wait for it to be
// available, then plan again"); once RDS is done, the next plan takes the database back to 1 node
// behind a guard snapshot of its own.
func TestAccDBTopology_interruptedThenSetBack(t *testing.T) {
	srv, api := sandboxInterruptingSecondChange(t)
	cfg := func(n int) string { return mandibleNodesConfig(srv, n) }
	const name = "rightsize_db_topology.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(1)},
			{Config: cfg(2), ExpectError: regexp.MustCompile(`Topology\s+Change\s+Interrupted`)},
			{
				PreConfig: func() {
					in, err := topology.FindDBInstance(context.Background(), api, "mandible-prod")
					if err != nil {
						t.Fatal(err)
					}
					if aws.ToBool(in.MultiAZ) || in.PendingModifiedValues == nil || !aws.ToBool(in.PendingModifiedValues.MultiAZ) {
						t.Fatalf("want the interrupted change under way (MultiAZ false, pending true): MultiAZ %t, pending %+v", aws.ToBool(in.MultiAZ), in.PendingModifiedValues)
					}
				},
				Config: cfg(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ExpectError: regexp.MustCompile(`status\s+is\s+"modifying"(.|\n)*wait\s+for\s+it\s+to\s+be\s+available,\s+then\s+plan\s+again`),
			},
			{
				PreConfig: func() { srv.Advance(3 * time.Hour) },
				Config:    cfg(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-mandible-prod-g2-to1")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkGuardedLog(srv, "mandible-prod", 3),
					func(*terraform.State) error { return singleAZNow(api) },
				),
			},
			{Config: cfg(1), PlanOnly: true},
		},
	})
}

// TestAccDBTopology_example plans the documentation example against the sandbox, so the example
// stays valid against the schema.
func TestAccDBTopology_example(t *testing.T) {
	raw, err := os.ReadFile("../../examples/resources/rightsize_db_topology/resource.tf")
	if err != nil {
		t.Fatal(err)
	}
	// The recommendation data source has its own tests; here its verdict is taken as given, so
	// this test checks the resource blocks of the example against the schema.
	example := regexp.MustCompile(`(?s)data\s+"rightsize_single_node_recommendation"\s+"\w+"\s+\{.*?\n\}\n`).ReplaceAllString(string(raw), "")
	example = regexp.MustCompile(`data\.rightsize_single_node_recommendation\.\w+\.verdict`).ReplaceAllString(example, `"consolidate"`)
	if strings.Contains(example, "data.") {
		t.Fatalf("example still references a data source:\n%s", example)
	}
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo"})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             topologyConfig(srv, acctest.HarnessPostgres(t), example),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("rightsize_db_topology.mandible", plancheck.ResourceActionCreate),
				plancheck.ExpectKnownValue("rightsize_db_topology.mandible", tfjsonpath.New("require_verdict"), knownvalue.StringExact("consolidate")),
				plancheck.ExpectResourceAction("rightsize_db_topology.sso", plancheck.ResourceActionCreate),
				plancheck.ExpectKnownValue("rightsize_db_topology.sso", tfjsonpath.New("require_verdict"), knownvalue.StringExact("consolidate")),
			}},
		}},
	})
	if n := len(srv.Calls("CreateDBSnapshot")) + len(srv.Calls("ModifyDBInstance")); n != 0 {
		t.Fatalf("planning made %d changing calls", n)
	}
}

func TestAccDBTopology_failedSnapshot(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	srv.FailSnapshot("rightsize-guard-mandible-prod-g1-to1")
	cfg := mandibleNodesConfig(srv, 1)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, ExpectError: regexp.MustCompile(`(?s)unexpected\s+state\s+"failed".*no\s+change\s+was\s+made.*cannot\s+be\s+used\s+for\s+a\s+restore`)},
			{
				// The next apply takes a new guard snapshot (attempt 2) and makes the change.
				PreConfig: func() {
					if n := len(srv.Calls("ModifyDBInstance")); n != 0 {
						t.Fatalf("%d ModifyDBInstance calls after a failed guard snapshot", n)
					}
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("rightsize_db_topology.m", tfjsonpath.New("guard_snapshot_id"), knownvalue.StringExact("rightsize-guard-mandible-prod-g1-to1-r2")),
				},
				Check: checkGuardedLog(srv, "mandible-prod", 1),
			},
		},
	})
}

// TestAccDBTopology_stuckModifying: the instance stays "modifying" past the create timeout (as a
// multi-TiB instance converting for hours would): the change is not rolled back, the error says
// it is still in progress and which timeout to raise, and the next apply, once RDS has finished,
// resumes it behind the same guard snapshot.
func TestAccDBTopology_stuckModifying(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	srv.StickModifying("mandible-prod")
	config := func(timeout string) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  timeouts = {
    create = %q
  }
}
`, timeout))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config("2s"),
			ExpectError: regexp.MustCompile(`(?s)Topology Change Interrupted.*timeout\s+after.*last\s+state\s+"modifying".*still\s+in\s+progress\s+and\s+is\s+not\s+rolled\s+back` +
				`.*Timeout Reached.*timeouts\.create\s+\(2s\)\s+ran\s+out.*raise\s+timeouts\.create`),
		}, {
			PreConfig: func() {
				for _, c := range srv.Calls("ModifyDBInstance") {
					if c.Params["MultiAZ"] == "true" {
						t.Fatal("the change was rolled back")
					}
				}
				srv.Unstick("mandible-prod")
			},
			Config: config("60m"),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("rightsize_db_topology.m", "nodes", "1"),
				resource.TestCheckResourceAttr("rightsize_db_topology.m", "guard_snapshot_id", "rightsize-guard-mandible-prod-g1-to1"),
				func(*terraform.State) error {
					in, err := topology.FindDBInstance(context.Background(), api, "mandible-prod")
					if err != nil {
						return err
					}
					if *in.MultiAZ {
						return fmt.Errorf("mandible-prod is still Multi-AZ after the resumed apply")
					}
					return nil
				},
			),
		}},
	})
}

// TestAccDBTopology_validationElsewhere: a validation whose provider configuration's postgres host
// is another database's endpoint (here mandible-prod's, for sso-prod) is refused on the
// validation attribute before anything is changed; the plan says so first.
func TestAccDBTopology_validationElsewhere(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	pg := acctest.HarnessPostgres(t)
	pg["host"] = `"mandible-prod.c1sandbox0.us-east-1.rds.amazonaws.com"`
	cfg := topologyConfig(srv, pg, `
resource "rightsize_db_topology" "sso" {
  db_cluster_identifier = "sso-prod"
  nodes                 = 1
  validation = {
    tables = ["users"]
  }
}
`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: regexp.MustCompile(`(?s)Topology\s+Change\s+Refused.*validation\s+connects\s+to\s+mandible-prod\.c1sandbox0.*not\s+of\s+DB\s+cluster\s+sso-prod.*provider\s+=\s+rightsize\.<alias>`),
		}, {
			PreConfig: func() {
				if n, err := countGuards(api, true, "sso-prod", "rightsize-guard-"); err != nil || n != 0 {
					t.Fatalf("guard snapshots of sso-prod: %d %v", n, err)
				}
				if n, err := srv.CheckGuarded("sso-prod"); err != nil || n != 0 {
					t.Fatalf("changing calls on sso-prod: %d %v", n, err)
				}
			},
			Config: cfg, PlanOnly: true, ExpectNonEmptyPlan: true,
		}},
	})
}

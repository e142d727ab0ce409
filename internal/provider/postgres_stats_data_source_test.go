package provider

import (
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pgstats"
)

// Secrets given to the provider in these tests. The harness server uses trust
// authentication, so it accepts them without checking; what matters is that
// they never reach a log or an error.
const (
	pgsProviderPassword = "Prov1der-Pa55word-7f3a9c"
	pgsOverridePassword = "0verride-Pa55word-2b8d41"
)

// pgsAdmin connects to database on the harness as the superuser.
func pgsAdmin(t *testing.T, database string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(acctest.PGDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = database
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connecting to the harness database %s: %v", database, err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func pgsExec(t *testing.T, conn *pgx.Conn, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// pgsDatabase creates a fresh database with pg_stat_statements, a table of
// 1000 rows with one unused non-unique index, and drops it at cleanup.
func pgsDatabase(t *testing.T, name string) {
	t.Helper()
	admin := pgsAdmin(t, "postgres")
	ident := pgx.Identifier{name}.Sanitize()
	pgsExec(t, admin, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)", "CREATE DATABASE "+ident)
	t.Cleanup(func() {
		c := pgsAdmin(t, "postgres")
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)")
	})
	db := pgsAdmin(t, name)
	pgsExec(t, db,
		"CREATE EXTENSION pg_stat_statements",
		"CREATE TABLE orders (id int PRIMARY KEY, note text)",
		"CREATE INDEX orders_note_unused ON orders (note)",
		"INSERT INTO orders SELECT g, 'n' || g FROM generate_series(1, 1000) g",
		"ANALYZE orders",
	)
}

// pgsRole creates a LOGIN role granted the given roles, dropped at cleanup.
func pgsRole(t *testing.T, name string, grants ...string) {
	t.Helper()
	admin := pgsAdmin(t, "postgres")
	ident := pgx.Identifier{name}.Sanitize()
	pgsExec(t, admin, "DROP ROLE IF EXISTS "+ident, "CREATE ROLE "+ident+" LOGIN")
	for _, g := range grants {
		pgsExec(t, admin, "GRANT "+pgx.Identifier{g}.Sanitize()+" TO "+ident)
	}
	t.Cleanup(func() {
		c := pgsAdmin(t, "postgres")
		_, _ = c.Exec(context.Background(), "DROP ROLE IF EXISTS "+ident)
	})
}

// pgsProvider is the provider block: the harness PostgreSQL with a password.
func pgsProvider(t *testing.T, extra map[string]string) string {
	pg := acctest.HarnessPostgres(t)
	pg["password"] = strconv.Quote(pgsProviderPassword)
	for k, v := range extra {
		pg[k] = v
	}
	return acctest.ProviderConfig{Postgres: pg}.HCL()
}

func pgsCheckInt(min int64) knownvalue.Check {
	return knownvalue.Int64Func(func(v int64) error {
		if v < min {
			return fmt.Errorf("%d < %d", v, min)
		}
		return nil
	})
}

func pgsCheckFloat(min, max float64) knownvalue.Check {
	return knownvalue.Float64Func(func(v float64) error {
		if v < min || v > max {
			return fmt.Errorf("%v is outside [%v, %v]", v, min, max)
		}
		return nil
	})
}

func TestAccPostgresStatsDataSource_basic(t *testing.T) {
	acctest.PreCheck(t)
	const db = "rs_acc_pgstats_basic"
	pgsDatabase(t, db)
	var maxConn, sharedBuffers, versionNum int64
	if err := pgsAdmin(t, db).QueryRow(context.Background(), `SELECT current_setting('max_connections')::int8,
		pg_size_bytes(current_setting('shared_buffers')), current_setting('server_version_num')::int8`).Scan(&maxConn, &sharedBuffers, &versionNum); err != nil {
		t.Fatal(err)
	}
	ds := "data.rightsize_postgres_stats.t"
	host, port := acctest.PGAddr(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pgsProvider(t, nil) + fmt.Sprintf(`
data "rightsize_postgres_stats" "t" {
  top_statements    = 5
  query_text_length = 12
  tables            = ["orders", "missing_one"]
  postgres = {
    database = %q
    password = %q
  }
}
`, db, pgsOverridePassword),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("id"), knownvalue.StringExact(fmt.Sprintf("%s:%d/%s", host, port, db))),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("server").AtMapKey("version_num"), knownvalue.Int64Exact(versionNum)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("server").AtMapKey("database"), knownvalue.StringExact(db)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("server").AtMapKey("in_recovery"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("server").AtMapKey("can_read_all_stats"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("server").AtMapKey("uptime_seconds"), pgsCheckFloat(0.001, 1e9)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("settings").AtMapKey("max_connections"), knownvalue.Int64Exact(maxConn)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("settings").AtMapKey("shared_buffers_bytes"), knownvalue.Int64Exact(sharedBuffers)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("settings").AtMapKey("block_size_bytes"), knownvalue.Int64Exact(8192)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("connections").AtMapKey("max_connections"), knownvalue.Int64Exact(maxConn)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("connections").AtMapKey("utilization_ratio"), pgsCheckFloat(0.0001, 1)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("rate_basis"), knownvalue.StringRegexp(regexp.MustCompile(`^(stats_reset|server_start)$`))),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("sample_interval_seconds"), knownvalue.Float64Exact(0)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("statements").AtMapKey("available"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("statements").AtMapKey("texts_visible"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("statements").AtMapKey("count"), pgsCheckInt(5)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("statements").AtMapKey("top"), knownvalue.ListSizeExact(5)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("statements").AtMapKey("top").AtSliceIndex(0).AtMapKey("query"),
					knownvalue.StringFunc(func(s string) error {
						if n := len([]rune(s)); n == 0 || n > 12 {
							return fmt.Errorf("query %q is not truncated to 1-12 characters", s)
						}
						return nil
					})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("unused_indexes"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"schema": knownvalue.StringExact("public"), "table": knownvalue.StringExact("orders"),
						"name": knownvalue.StringExact("orders_note_unused"), "size_bytes": pgsCheckInt(8192),
					}),
				})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("unused_indexes_total"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("unused_indexes_total_bytes"), pgsCheckInt(8192)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("table_stats"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"name": knownvalue.StringExact("orders"), "schema": knownvalue.StringExact("public"),
						"table": knownvalue.StringExact("orders"), "estimated_rows": knownvalue.Float64Exact(1000),
						"size_bytes": pgsCheckInt(8192),
					}),
				})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("warnings"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringRegexp(regexp.MustCompile(`table "missing_one" was not found in database "` + db + `"`)),
				})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("replication").AtMapKey("replay_delay_seconds"), knownvalue.Null()),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("collector_timing").AtMapKey("snapshot_server_ms"),
					knownvalue.ListExact([]knownvalue.Check{pgsCheckFloat(0.001, 10000)})),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckTypeSetElemNestedAttrs(ds, "databases.*", map[string]string{"name": db}),
				resource.TestCheckTypeSetElemNestedAttrs(ds, "databases.*", map[string]string{"name": "postgres"}),
				resource.TestCheckResourceAttrSet(ds, "connections.by_state.%"),
				resource.TestCheckResourceAttrSet(ds, "checkpoints.timed"),
			),
		}},
	})
}

// TestAccPostgresStatsDataSource_maxDatabases: on a server with many databases (a database per
// tenant) databases lists the connected one and the busiest others, max_databases of them (100 by
// default), and databases_total counts them all; each listed database is some 600 bytes of state.
func TestAccPostgresStatsDataSource_maxDatabases(t *testing.T) {
	acctest.PreCheck(t)
	const db = "rs_acc_pgstats_maxdb"
	pgsDatabase(t, db)
	var total int64
	if err := pgsAdmin(t, db).QueryRow(context.Background(),
		"SELECT count(*) FROM pg_database WHERE NOT datistemplate AND datallowconn").Scan(&total); err != nil {
		t.Fatal(err)
	}
	ds := "data.rightsize_postgres_stats.t"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pgsProvider(t, nil) + fmt.Sprintf(`
data "rightsize_postgres_stats" "t" {
  max_databases = 1
  postgres      = { database = %q }
}
`, db),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("databases"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(db), "size_bytes": pgsCheckInt(8192)}),
				})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("databases_total"), pgsCheckInt(max(total, 2))),
			},
		}, {
			Config: pgsProvider(t, nil) + fmt.Sprintf(`
data "rightsize_postgres_stats" "t" {
  postgres = { database = %q }
}
`, db),
			Check: func(s *terraform.State) error { // the default: at most 100 listed, all counted
				a := s.RootModule().Resources[ds].Primary.Attributes
				listed, _ := strconv.Atoi(a["databases.#"])
				all, _ := strconv.Atoi(a["databases_total"])
				if all < 2 || listed != min(all, 100) {
					return fmt.Errorf("%d databases listed of %d, want min(%d, 100)", listed, all, all)
				}
				return nil
			},
		}},
	})
}

// pgsSampleMarker is the sample test's load. It reads a table: PostgreSQL 15
// and later hold back the transaction counts of a connection whose
// transactions read no table (SELECT $1::text) until one does or it
// disconnects, so such a load moves pg_stat_database only about a second
// after it starts (scripts/pg-publish-cadence.sh), and a sample taken later
// sees 0 transactions per second (the collector warns of it:
// TestCollect_sampleWarnsOfUnpublishedTransactions).
const pgsSampleMarker = "SELECT note AS rs_acc_sample_marker FROM orders WHERE id = $1"

// TestAccPostgresStatsDataSource_sample samples a running workload: rates
// are over the interval and the workload's statement is on top.
func TestAccPostgresStatsDataSource_sample(t *testing.T) {
	acctest.PreCheck(t)
	const db = "rs_acc_pgstats_sample"
	pgsDatabase(t, db)
	load := pgsAdmin(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // bounds the load
	var wg sync.WaitGroup
	wg.Add(1)
	var loadErr error
	var loadCalls int
	go func() { // one-statement transactions until the test ends
		defer wg.Done()
		for ctx.Err() == nil {
			var s string
			if err := load.QueryRow(ctx, pgsSampleMarker, 7).Scan(&s); err != nil {
				if ctx.Err() == nil {
					loadErr = err
				}
				return
			}
			loadCalls++
		}
	}()
	defer func() {
		cancel()
		wg.Wait()
		if loadErr != nil {
			t.Errorf("the load stopped after %d calls: %v", loadCalls, loadErr)
		}
		t.Logf("load ran %d statements", loadCalls)
	}()

	ds := "data.rightsize_postgres_stats.s"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pgsProvider(t, nil) + fmt.Sprintf(`
data "rightsize_postgres_stats" "s" {
  sample_seconds = 2
  top_statements = 100
  postgres = {
    database = %q
  }
}
`, db),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("rate_basis"), knownvalue.StringExact("sample")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("sample_interval_seconds"), pgsCheckFloat(2, 10)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("collector_timing").AtMapKey("snapshot_server_ms"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("statements").AtMapKey("rate_basis"), knownvalue.StringExact("sample")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("statements").AtMapKey("calls_per_second"), pgsCheckFloat(1, 1e7)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckTypeSetElemNestedAttrs(ds, "databases.*", map[string]string{"name": db, "rate_basis": "sample"}),
				// Other tests may load the shared server meanwhile: the marker
				// need not be first, but it ran during the sample.
				resource.TestCheckTypeSetElemNestedAttrs(ds, "statements.top.*", map[string]string{
					"query": pgsSampleMarker, "database": db}),
				func(s *terraform.State) error { return pgsCheckMarkerRate(s, ds) },
				func(s *terraform.State) error { return pgsCheckDatabaseTPS(s, ds, db) },
			),
		}},
	})
}

// TestAccPostgresStatsDataSource_roles: a role with only pg_monitor sees
// everything; a role without it gets warnings and hidden texts.
func TestAccPostgresStatsDataSource_roles(t *testing.T) {
	acctest.PreCheck(t)
	pgsRole(t, "rs_acc_monitor", "pg_monitor")
	pgsRole(t, "rs_acc_plain")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pgsProvider(t, nil) + `
data "rightsize_postgres_stats" "monitor" {
  postgres = { username = "rs_acc_monitor" }
}
data "rightsize_postgres_stats" "plain" {
  top_statements = 100
  postgres       = { username = "rs_acc_plain" }
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.rightsize_postgres_stats.monitor", tfjsonpath.New("warnings"), knownvalue.ListExact(nil)),
				statecheck.ExpectKnownValue("data.rightsize_postgres_stats.monitor", tfjsonpath.New("server").AtMapKey("user"), knownvalue.StringExact("rs_acc_monitor")),
				statecheck.ExpectKnownValue("data.rightsize_postgres_stats.monitor", tfjsonpath.New("statements").AtMapKey("texts_visible"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.rightsize_postgres_stats.plain", tfjsonpath.New("warnings"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringRegexp(regexp.MustCompile(`lacks the privileges of pg_read_all_stats \(GRANT pg_monitor TO rs_acc_plain\)`)),
				})),
				statecheck.ExpectKnownValue("data.rightsize_postgres_stats.plain", tfjsonpath.New("statements").AtMapKey("available"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.rightsize_postgres_stats.plain", tfjsonpath.New("statements").AtMapKey("texts_visible"), knownvalue.Bool(false)),
			},
			Check: resource.TestCheckTypeSetElemNestedAttrs("data.rightsize_postgres_stats.plain", "statements.top.*",
				map[string]string{"query_hidden": "true", "query": "", "queryid": "0"}),
		}},
	})
}

// TestAccPostgresStatsDataSource_errors: bad inputs fail at plan time with the
// attribute named; server-side failures name what went wrong.
func TestAccPostgresStatsDataSource_errors(t *testing.T) {
	acctest.PreCheck(t)
	const db = "rs_acc_pgstats_errors"
	pgsDatabase(t, db)
	// A table locked by another session, which the table statistics would wait
	// for until the statement timeout, were it sized.
	locker := pgsAdmin(t, db)
	pgsExec(t, locker, "CREATE TABLE locked (id int)")
	tx, err := locker.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(context.Background(), "LOCK TABLE locked IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()

	step := func(body, want string, providerExtra map[string]string) resource.TestStep {
		return resource.TestStep{Config: pgsProvider(t, providerExtra) + body, ExpectError: regexp.MustCompile(want)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`data "rightsize_postgres_stats" "e" {
  postgres = { sslmode = "sometimes" }
}`, `(?s)postgres\.sslmode.*value must be one of`, nil),
			step(`data "rightsize_postgres_stats" "e" {
  top_statements = 0
}`, `(?s)top_statements.*must be between 1 and 1000`, nil),
			step(`data "rightsize_postgres_stats" "e" {
  sample_seconds = 3601
}`, `(?s)sample_seconds.*must be between 0 and 3600`, nil),
			step(`data "rightsize_postgres_stats" "e" {
  max_databases = 0
}`, `(?s)max_databases.*must be between 1 and 10000`, nil),
			step(`data "rightsize_postgres_stats" "e" {
  tables = ["a.b.c"]
}`, `(?s)Invalid Table Name.*3 name parts`, nil),
			step(`data "rightsize_postgres_stats" "e" {
  postgres = {
    iam_auth = true
    password = "x"
  }
}`, `(?s)Conflicting PostgreSQL Authentication.*postgres\.password is set`, nil),
			step(fmt.Sprintf(`data "rightsize_postgres_stats" "e" {
  postgres = { port = %d }
}`, closedPort), fmt.Sprintf(`(?s)Unable to Connect to PostgreSQL.*127\.0\.0\.1:%d`, closedPort), nil),
			step(`data "rightsize_postgres_stats" "e" {
  postgres = { database = "rs_acc_no_such_db" }
}`, `(?s)Unable to Connect to PostgreSQL.*database "rs_acc_no_such_db" does not exist`, nil),
			// The locked table is not sized (it would wait for the lock past the statement
			// timeout, failing the whole read): size_bytes -1, the rest read.
			{
				Config: pgsProvider(t, map[string]string{"statement_timeout": "200"}) + fmt.Sprintf(`data "rightsize_postgres_stats" "e" {
  tables   = ["locked"]
  postgres = { database = %q }
}`, db),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.rightsize_postgres_stats.e", "table_stats.#", "1"),
					resource.TestCheckResourceAttr("data.rightsize_postgres_stats.e", "table_stats.0.name", "locked"),
					resource.TestCheckResourceAttr("data.rightsize_postgres_stats.e", "table_stats.0.size_bytes", "-1"),
				),
			},
		},
	})
}

// With the provider's postgres.host not known until apply (it names a resource's attribute), the
// read during plan is refused as rightsize_single_node_recommendation refuses it: the host is
// configured, so the error names it and says what to do, rather than asking for a postgres block.
// A data source that sets the host itself reads regardless.
func TestAccPostgresStatsDataSource_unknownHost(t *testing.T) {
	acctest.PreCheck(t)
	pg := acctest.HarnessPostgres(t)
	host := pg["host"]
	pg["host"] = "terraform_data.host.output"
	cfg := func(body string) string {
		return "resource \"terraform_data\" \"host\" {\n  input = " + host + "\n}\n" +
			acctest.ProviderConfig{Postgres: pg}.HCL() + body
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:   cfg(`data "rightsize_postgres_stats" "u" {}`),
			PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)PostgreSQL Connection Not Known Until Apply.*postgres\.host\s+is\s+not\s+known\s+until\s+apply` +
				`.*set\s+it\s+in\s+this\s+data\s+source's\s+postgres\s+attribute,\s+add\s+depends_on\s+=\s+\[<the\s+resource\s+it\s+comes\s+from>\]\s+to\s+this\s+data\s+source\s+so\s+that\s+Terraform\s+reads\s+it\s+during\s+the\s+apply`),
		}, {
			// As the error says: depends_on on the resource the host comes from defers the read to
			// the apply, when the provider's postgres.host is known.
			Config: cfg(`data "rightsize_postgres_stats" "u" {
  depends_on = [terraform_data.host]
}`),
			Check: resource.TestCheckResourceAttrSet("data.rightsize_postgres_stats.u", "server.version"),
		}, {
			Config: cfg(fmt.Sprintf(`data "rightsize_postgres_stats" "u" {
  postgres = { host = %s }
}`, host)),
			Check: resource.TestCheckResourceAttrSet("data.rightsize_postgres_stats.u", "server.version"),
		}},
	})
}

// TestAccPostgresStatsDataSource_secretsNotLogged runs reads, including a
// failing one and one with iam_auth, with TF_LOG=TRACE into a file and proves
// no password (nor IAM token) appears in it. The passwords reach the provider
// as users pass them, through PGPASSWORD and a sensitive variable: the testing
// framework itself logs each step's configuration text at TRACE, so a
// password written literally in the HCL would be in the log whatever the
// provider does.
func TestAccPostgresStatsDataSource_secretsNotLogged(t *testing.T) {
	acctest.PreCheck(t)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("PGPASSWORD", pgsProviderPassword)
	t.Setenv("TF_VAR_override_password", pgsOverridePassword)
	provider := acctest.ProviderConfig{Postgres: acctest.HarnessPostgres(t)}.HCL() + `
variable "override_password" {
  type      = string
  sensitive = true
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: provider + `
data "rightsize_postgres_stats" "provider_password" {}
data "rightsize_postgres_stats" "override_password" {
  postgres = { password = var.override_password }
}
data "rightsize_postgres_stats" "iam" {
  postgres = {
    username = "postgres"
    iam_auth = true
  }
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.rightsize_postgres_stats.provider_password", tfjsonpath.New("server").AtMapKey("user"), knownvalue.StringExact("postgres")),
				statecheck.ExpectKnownValue("data.rightsize_postgres_stats.override_password", tfjsonpath.New("server").AtMapKey("user"), knownvalue.StringExact("postgres")),
				statecheck.ExpectKnownValue("data.rightsize_postgres_stats.iam", tfjsonpath.New("server").AtMapKey("user"), knownvalue.StringExact("postgres")),
			},
		}, {
			Config: provider + `
data "rightsize_postgres_stats" "wrong" {
  postgres = {
    database = "rs_acc_no_such_db"
    password = var.override_password
  }
}
`,
			ExpectError: regexp.MustCompile(`database "rs_acc_no_such_db" does not exist`),
		}},
	})
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the TRACE log: %v", err)
	}
	log := string(b)
	// The log really is a TRACE log of this provider's reads and failure.
	// It has the provider's debug lines and the failed connection's error.
	for _, want := range []string{"reading PostgreSQL statistics", `postgres_host`, `database \"rs_acc_no_such_db\" does not exist`} {
		if !strings.Contains(log, want) {
			t.Fatalf("the TRACE log (%d bytes) lacks %q: logging was not captured", len(log), want)
		}
	}
	for _, secret := range []string{pgsProviderPassword, pgsOverridePassword, "X-Amz-Signature", "X-Amz-Credential"} {
		if i := strings.Index(log, secret); i >= 0 {
			t.Errorf("the TRACE log contains the secret %q: ...%s...", secret, log[max(0, i-200):min(len(log), i+100)])
		}
	}
}

// TestAccPostgresStatsDataSource_redactsSecrets: passwords written as string
// constants in utility statements, which pg_stat_statements stores verbatim
// before PostgreSQL 16, do not reach the state; the statements are listed
// with their constants redacted. The DO block sleeps a second so that it
// ranks among the top statements however many entries the shared harness
// has (its text and the ALTER ROLE it runs both hold a password); the plain
// ALTER ROLE is covered by the search of the whole state whenever it is
// listed, as it is when the harness is quiet.
func TestAccPostgresStatsDataSource_redactsSecrets(t *testing.T) {
	acctest.PreCheck(t)
	const role = "rs_acc_redact"
	pgsRole(t, role)
	secrets := []string{"Acc-Alter-Secret-1", "Acc-Do-Secret-2"}
	admin := pgsAdmin(t, "postgres")
	pgsExec(t, admin,
		"ALTER ROLE "+role+" PASSWORD '"+secrets[0]+"'",
		"DO /* "+role+" */ $$BEGIN EXECUTE 'ALTER ROLE "+role+" PASSWORD ''"+secrets[1]+"'''; PERFORM pg_sleep(1); END$$",
	)
	// The server really stores them (else this test proves nothing).
	var stored int
	if err := admin.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_statements WHERE strpos(query, $1) > 0 OR strpos(query, $2) > 0",
		secrets[0], secrets[1]).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == 0 {
		t.Fatal("pg_stat_statements holds none of the secrets verbatim: this server normalises utility statements, and the test proves nothing")
	}
	ds := "data.rightsize_postgres_stats.s"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pgsProvider(t, nil) + `
data "rightsize_postgres_stats" "s" {
  top_statements = 1000
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckTypeSetElemNestedAttrs(ds, "statements.top.*", map[string]string{
					"query": "DO /* " + role + " */ '<redacted>'", "user": "postgres"}),
				func(s *terraform.State) error {
					for name, rs := range s.RootModule().Resources {
						for k, v := range rs.Primary.Attributes {
							for _, secret := range secrets {
								if strings.Contains(v, secret) {
									return fmt.Errorf("%s.%s holds the secret %q in the state: %q", name, k, secret, v)
								}
							}
						}
					}
					return nil
				},
			),
		}},
	})
}

// TestAccPostgresStatsDataSource_example plans the documentation example
// against the harness (its table does not exist there: a warning). Live
// statistics change between reads, so the example is planned, not applied:
// the planned outputs are what a user would see.
func TestAccPostgresStatsDataSource_example(t *testing.T) {
	acctest.PreCheck(t)
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "data-sources", "rightsize_postgres_stats", "data-source.tf"))
	if err != nil {
		t.Fatalf("reading the example: %v", err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             pgsProvider(t, nil) + string(b),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true, // the outputs are created
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
				plancheck.ExpectKnownOutputValue("server_version", knownvalue.StringRegexp(regexp.MustCompile(`^1[2-9]\.`))),
				plancheck.ExpectKnownOutputValue("cache_hit_ratio", pgsCheckFloat(0.000001, 1)),
				plancheck.ExpectKnownOutputValue("connections_in_use_ratio", pgsCheckFloat(0.000001, 1)),
				plancheck.ExpectKnownOutputValue("shared_buffers_bytes", pgsCheckInt(1<<20)),
				plancheck.ExpectKnownOutputValue("costliest_statement", knownvalue.NotNull()),
				plancheck.ExpectKnownOutputValue("sampled_tps", pgsCheckFloat(0, 1e9)),
				plancheck.ExpectKnownOutputValue("unused_index_bytes", pgsCheckInt(0)),
			}},
		}},
	})
}

// pgsCheckDatabaseTPS checks that database db's transactions_per_second in
// data source ds is positive.
func pgsCheckDatabaseTPS(s *terraform.State, ds, db string) error {
	rs, ok := s.RootModule().Resources[ds]
	if !ok {
		return fmt.Errorf("%s not in state", ds)
	}
	a := rs.Primary.Attributes
	n, _ := strconv.Atoi(a["databases.#"])
	for i := 0; i < n; i++ {
		if a[fmt.Sprintf("databases.%d.name", i)] != db {
			continue
		}
		tps, err := strconv.ParseFloat(a[fmt.Sprintf("databases.%d.transactions_per_second", i)], 64)
		if err != nil || tps <= 0 {
			return fmt.Errorf("database %s transactions_per_second = %q, want > 0", db, a[fmt.Sprintf("databases.%d.transactions_per_second", i)])
		}
		return nil
	}
	return fmt.Errorf("database %s not in %s", db, ds)
}

// TestPostgresStatsValues checks the mapping of undefined values: NaN rates
// and ratios and zero times become null, not 0 or a bogus date.
func TestPostgresStatsValues(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if !floatValue(v).IsNull() {
			t.Errorf("floatValue(%v) is not null", v)
		}
	}
	if got := floatValue(0.25); got.IsNull() || got.ValueFloat64() != 0.25 {
		t.Errorf("floatValue(0.25) = %v", got)
	}
	if !timeOrNull(time.Time{}).IsNull() {
		t.Error("the zero time must be null")
	}
	at := time.Date(2026, 11, 28, 11, 0, 0, 500, time.FixedZone("x", 3600))
	if got := timeOrNull(at).ValueString(); got != "2026-11-28T10:00:00.0000005Z" {
		t.Errorf("timeOrNull = %s", got)
	}
	var m postgresStatsModel
	st := &pgstats.Stats{
		RateBasis:   pgstats.RateBasisNone,
		Databases:   []pgstats.Database{{Name: "app", CacheHitRatio: math.NaN(), TransactionsPerSecond: math.NaN(), RateBasis: pgstats.RateBasisNone}},
		Connections: pgstats.Connections{ByState: map[string]int{"idle": 2}, Utilisation: math.NaN()},
		Replication: pgstats.Replication{ReplayDelaySeconds: math.NaN(), ReceiveReplayLagBytes: -1},
		Statements:  pgstats.Statements{Top: []pgstats.Statement{{QueryID: -42, ShareOfTotalTime: math.NaN()}}},
		Warnings:    []string{"w"},
	}
	if d := fillPostgresStats(&m, st); d.HasError() {
		t.Fatal(d)
	}
	if !m.Databases[0].CacheHitRatio.IsNull() || !m.Databases[0].TransactionsPerSecond.IsNull() || !m.Connections.Utilization.IsNull() ||
		!m.Replication.ReplayDelaySeconds.IsNull() || m.Statements.Top[0].QueryID.ValueString() != "-42" ||
		m.Statements.RateBasis.ValueString() != pgstats.RateBasisNone || len(m.Warnings) != 1 || !m.CollectedAt.IsNull() {
		t.Errorf("unexpected model %+v", m)
	}
	if n := len(m.Connections.ByState.Elements()); n != 1 || len(m.Connections.ByApplication.Elements()) != 0 {
		t.Errorf("by_state %v by_application %v", m.Connections.ByState, m.Connections.ByApplication)
	}
}

// pgsCheckMarkerRate checks that the sample marker's calls_per_second is positive.
func pgsCheckMarkerRate(s *terraform.State, ds string) error {
	a := s.RootModule().Resources[ds].Primary.Attributes
	n, _ := strconv.Atoi(a["statements.top.#"])
	for i := 0; i < n; i++ {
		if a[fmt.Sprintf("statements.top.%d.query", i)] != pgsSampleMarker {
			continue
		}
		if v, err := strconv.ParseFloat(a[fmt.Sprintf("statements.top.%d.calls_per_second", i)], 64); err != nil || v < 1 {
			return fmt.Errorf("marker calls_per_second = %q, want >= 1", a[fmt.Sprintf("statements.top.%d.calls_per_second", i)])
		}
		return nil
	}
	return fmt.Errorf("the marker statement is not in %s.statements.top", ds)
}

package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// A change-data-capture consumer's logical replication slot on the writer of the demo's Multi-AZ
// mandible-prod (a real server of its own: the slot must not show in the tests sharing the
// harness's) is read by rightsize_postgres_stats and becomes two risks of the recommendation: its
// stream on one node (failure, medium), and the WAL it keeps while no consumer is connected
// (capacity, low: far below a tenth of the 80-odd GiB free). A temporary slot, a session's own,
// is listed by rightsize_postgres_stats and is no risk.
func TestAccRecommendationReplicationSlots(t *testing.T) {
	acctest.PreCheck(t)
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	dsn := acctest.StartPostgres(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close(context.Background()) })
	holder, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holder.Close(context.Background()) })
	for _, q := range []string{
		"SELECT pg_create_logical_replication_slot('debezium_chat', 'pgoutput')",
		"CREATE TABLE messages AS SELECT g AS id, repeat('m', 300) AS body FROM generate_series(1, 4000) AS g",
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := holder.Exec(ctx, "SELECT pg_create_logical_replication_slot('session_temp', 'pgoutput', true)"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for { // the table's WAL, written by the WAL writer soon after (synchronous_commit is off)
		var kept int64
		if err := admin.QueryRow(ctx, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = 'debezium_chat'").Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept > 1<<20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the slot keeps %d bytes of WAL after 10 s, want the table's (over 1 MiB)", kept)
		}
		time.Sleep(100 * time.Millisecond)
	}

	rec, stats := "data.rightsize_single_node_recommendation.this", "data.rightsize_postgres_stats.this"
	slot := func(i int, key string) tfjsonpath.Path {
		return tfjsonpath.New("replication").AtMapKey("slots").AtSliceIndex(i).AtMapKey(key)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, factsRecommendationHCL("mandible-prod", now, u.Hostname(), port)+fmt.Sprintf(`
data "rightsize_postgres_stats" "this" {
  postgres = {
    host     = %q
    port     = %d
    username = "postgres"
    database = "postgres"
    sslmode  = "disable"
  }
}
`, u.Hostname(), port)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(stats, slot(0, "name"), knownvalue.StringExact("debezium_chat")),
				statecheck.ExpectKnownValue(stats, slot(0, "type"), knownvalue.StringExact("logical")),
				statecheck.ExpectKnownValue(stats, slot(0, "plugin"), knownvalue.StringExact("pgoutput")),
				statecheck.ExpectKnownValue(stats, slot(0, "database"), knownvalue.StringExact("postgres")),
				statecheck.ExpectKnownValue(stats, slot(0, "temporary"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(stats, slot(0, "active"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(stats, slot(0, "wal_status"), knownvalue.StringExact("reserved")),
				statecheck.ExpectKnownValue(stats, slot(0, "retained_bytes"), knownvalue.Int64Func(func(v int64) error {
					if v <= 1<<20 {
						return fmt.Errorf("%d bytes, want the table's WAL (over 1 MiB)", v)
					}
					return nil
				})),
				statecheck.ExpectKnownValue(stats, slot(1, "name"), knownvalue.StringExact("session_temp")),
				statecheck.ExpectKnownValue(stats, slot(1, "temporary"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(stats, slot(1, "active"), knownvalue.Bool(true)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestMatchTypeSetElemNestedAttrs(rec, "risks.*", map[string]*regexp.Regexp{
					"category": regexp.MustCompile(`^failure$`), "severity": regexp.MustCompile(`^medium$`),
					"description": regexp.MustCompile(`^Logical replication slot debezium_chat streams this database's changes to consumers outside it .*A failover to the standby keeps them`),
				}),
				resource.TestMatchTypeSetElemNestedAttrs(rec, "risks.*", map[string]*regexp.Regexp{
					"category": regexp.MustCompile(`^capacity$`), "severity": regexp.MustCompile(`^low$`),
					"description": regexp.MustCompile(`^Replication slots with no consumer connected keep WAL from being removed: debezium_chat \(logical, pgoutput\) [0-9.]+ MiB, against [0-9.]+ GiB free storage at its lowest\.`),
				}),
				resource.TestMatchResourceAttr(rec, "report_markdown", regexp.MustCompile(`Logical replication slot debezium_chat streams`)),
				func(s *terraform.State) error { // a temporary slot is no risk
					for k, v := range s.RootModule().Resources[rec].Primary.Attributes {
						if strings.HasPrefix(k, "risks.") && strings.Contains(v, "session_temp") {
							return fmt.Errorf("%s = %q names the temporary slot", k, v)
						}
					}
					return nil
				},
			),
		}},
	})
}

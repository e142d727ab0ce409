package provider

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pgstats"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// readPostgresFacts reads the whole server (factsFrom): connected to the
// maintenance database "postgres", its cache hit ratio is that of the workload running in another
// database (here one that reads a cached table over and over), as pg_stat_database sums them.
func TestReadPostgresFactsWholeServer(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	dsn := acctest.PGDSN(t)
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	work := fmt.Sprintf("rs_facts_%d", os.Getpid())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+work); err != nil {
		t.Fatal(err)
	}
	// The drop, then the close (cleanups run last first): a drop after a deferred close, which
	// runs before the cleanups, failed on the closed connection and left the database behind.
	t.Cleanup(func() { _ = admin.Close(context.Background()) })
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+work+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping %s: %v", work, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + work
	w, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE TABLE t AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 20000) g"} {
		if _, err := w.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for range 200 { // the workload: a cached table read again and again (hits, no reads)
		if _, err := w.Exec(ctx, "SELECT count(*) FROM t"); err != nil {
			t.Fatal(err)
		}
	}
	var pid int32
	if err := w.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	_ = w.Close(ctx) // its statistics are flushed when the session ends
	// Wait until it has ended: the backend exits after the client's Close at a time of its own,
	// and the test compares the facts with the server's counters read after them, which differ
	// when the flush lands between the two (a fixed 1.5 s sleep does not bound a backend kept off
	// the CPU of a loaded machine). A backend leaves pg_stat_activity after it has flushed its
	// statistics (PostgreSQL 15 and later: its before_shmem_exit hook flushes them, the
	// on_shmem_exit one that follows clears its pg_stat_activity entry).
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var alive bool
		if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE pid = $1)", pid).Scan(&alive); err != nil {
			t.Fatal(err)
		}
		if !alive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the workload's backend %d has not ended 60 s after its connection was closed", pid)
		}
	}

	host, port := acctest.PGAddr(t)
	pd := &ProviderData{Postgres: PostgresSettings{Host: host, Port: port, Database: "postgres", Username: "postgres", SSLMode: "disable",
		ConnectTimeout: 10 * time.Second, StatementTimeout: 30 * time.Second}}
	f, _, err := readPostgresFacts(ctx, pd, types.ObjectNull(recPostgresAttrTypes()), factsNode{})
	if err != nil {
		t.Fatal(err)
	}
	var server, own float64
	if err := admin.QueryRow(ctx, `SELECT sum(d.blks_hit)::float8 / nullif(sum(d.blks_hit + d.blks_read), 0),
		(SELECT blks_hit::float8 / nullif(blks_hit + blks_read, 0) FROM pg_stat_database WHERE datname = 'postgres')
		FROM pg_stat_database d JOIN pg_database db ON db.oid = d.datid WHERE NOT db.datistemplate AND db.datallowconn`).Scan(&server, &own); err != nil {
		t.Fatal(err)
	}
	if math.Abs(f.CacheHitRatio-server) > 0.005 {
		t.Errorf("cache hit ratio %.5f, want the server's %.5f (the postgres database alone has %.5f)", f.CacheHitRatio, server, own)
	}
	if f.MaxConnections <= 0 || f.PeakConnections <= 0 {
		t.Errorf("facts %+v", f)
	}
}

// factsFrom sums every database: the workload's counters, not only the connection database's.
func TestFactsFromWholeServer(t *testing.T) {
	st := &pgstats.Stats{Databases: []pgstats.Database{
		{Name: "postgres", BlksHit: 90, BlksRead: 10, TransactionsPerSecond: 0.5},
		{Name: "chat", BlksHit: 9900, BlksRead: 0, TransactionsPerSecond: 120},
		{Name: "idle", TransactionsPerSecond: math.NaN()},
	}}
	st.Connections.MaxConnections, st.Connections.Total = 200, 41
	st.Server.CanReadAllStats = true
	f := factsFrom(st)
	if f.CacheHitRatio != 0.999 || f.TPS != 120.5 || f.MaxConnections != 200 || f.PeakConnections != 42 {
		t.Errorf("facts %+v, want hit ratio 0.999 (9990 of 10000 blocks), TPS 120.5, 200 max, 42 peak", f)
	}
	// One database with blocks was never reset: the counters' start is unknown.
	if !f.CountersSince.IsZero() {
		t.Errorf("counters since %v, want unknown", f.CountersSince)
	}
	reset := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	st.Databases[0].StatsReset, st.Databases[1].StatsReset = reset.Add(48*time.Hour), reset
	if f := factsFrom(st); !f.CountersSince.Equal(reset) {
		t.Errorf("counters since %v, want the earliest reset of the databases summed, %v", f.CountersSince, reset)
	}
	// Without pg_read_all_stats other roles' workers look like clients: no connection fact.
	st.Server.CanReadAllStats = false
	if f := factsFrom(st); f.PeakConnections != 0 || f.MaxConnections != 200 {
		t.Errorf("facts without pg_read_all_stats %+v, want no peak connections (unknown) and max_connections 200", f)
	}
}

// readPostgresFacts refuses a hot standby (a postgres host pointing at a reader by mistake): its
// cache hit ratio and connections are not the writer's, whose load the single node carries. The
// writer's facts are read as before.
func TestReadPostgresFactsRefusesStandby(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	host, port := acctest.PGAddr(t)
	standby := acctest.StartStandby(t)
	read := func(p int) (*analysis.PostgresFacts, error) {
		pd := &ProviderData{Postgres: PostgresSettings{Host: host, Port: p, Database: "postgres", Username: "postgres", SSLMode: "disable",
			ConnectTimeout: 10 * time.Second, StatementTimeout: 30 * time.Second}}
		f, _, err := readPostgresFacts(ctx, pd, types.ObjectNull(recPostgresAttrTypes()), factsNode{})
		return f, err
	}
	if f, err := read(port); err != nil || f == nil {
		t.Fatalf("the writer's facts: %v", err)
	}
	f, err := read(standby)
	if err == nil || !strings.Contains(err.Error(), "hot standby") || !strings.Contains(err.Error(), "point host at the writer") {
		t.Fatalf("facts from a standby: %+v, %v; want an error saying it is a standby and to point host at the writer", f, err)
	}
}

// The recommendation's PostgreSQL facts come from the node that stays: for a DB instance that is a
// read replica (RDS lets one be Multi-AZ, and rightsize_db_topology turns that off) the replica
// itself, in recovery as every replica is; its source (not in recovery) is refused, and so is a
// standby for a writer.
func TestAccRecommendationFactsNode(t *testing.T) {
	now := sandboxNow()
	sc := sandbox.Demo()
	replica := sandbox.MultiAZInstance("mandible-replica", "db.t4g.large", sandbox.DemoMandibleWorkload)
	replica.ReadReplicaOf = "mandible-prod"
	// A DB instance read replica of a Multi-AZ DB cluster: RDS names its source in
	// ReadReplicaSourceDBClusterIdentifier.
	ordersReplica := sandbox.MultiAZInstance("orders-replica", "db.t4g.large", sandbox.DemoMandibleWorkload)
	ordersReplica.ReadReplicaOfCluster = "orders-prod"
	sc.Instances = append(sc.Instances, replica, ordersReplica)
	sc.Clusters = append(sc.Clusters, sandbox.MultiAZDBCluster().Clusters...)
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	host, primary := acctest.PGAddr(t)
	standby := acctest.StartStandby(t)
	config := func(id string, port int) string {
		return recommendationConfig(srv, factsRecommendationHCL(id, now, host, port))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{ // the replica's own facts, read on the replica
				Config: config("mandible-replica", standby),
				Check:  resource.TestCheckResourceAttrSet("data.rightsize_single_node_recommendation.this", "verdict"),
			},
			{ // the replica's facts read on its source
				Config:      config("mandible-replica", primary),
				ExpectError: regexp.MustCompile(`(?s)not\s+in\s+recovery,\s+but\s+DB\s+instance\s+mandible-replica\s+is\s+a\s+read\s+replica\s+of\s+mandible-prod.*point\s+host\s+at\s+mandible-replica.s\s+endpoint`),
			},
			{ // the writer's facts read on a standby
				Config:      config("mandible-prod", standby),
				ExpectError: regexp.MustCompile(`(?s)is\s+a\s+hot\s+standby.*point\s+host\s+at\s+the\s+writer`),
			},
			{ // the facts of a read replica of a Multi-AZ DB cluster, read on the replica
				Config: config("orders-replica", standby),
				Check:  resource.TestCheckResourceAttrSet("data.rightsize_single_node_recommendation.this", "verdict"),
			},
			{ // a mistyped identifier is reported on the identifier, not on postgres (nor the facts judged)
				Config:      config("mandible-prd", standby),
				ExpectError: regexp.MustCompile(`(?s)DB Deployment Not Found.*db_instance_identifier.*mandible-prd`),
			},
		},
	})
}

// When RDS cannot say whether the target is a read replica (its describe throttled past
// max_retries), facts read on a hot standby are not taken unjudged: the read fails, saying why.
func TestAccRecommendationFactsNodeUnknown(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sandbox.Demo(), Now: now})
	host, _ := acctest.PGAddr(t)
	standby := acctest.StartStandby(t)
	pc := acctest.SandboxProvider(srv)
	pc.Extra = map[string]string{"max_retries": "2"}
	config := pc.HCL() + factsRecommendationHCL("mandible-prod", now, host, standby)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBInstances", Sequence: []sandbox.Fault{
					{Kind: sandbox.FaultThrottling}, {Kind: sandbox.FaultThrottling}}})
			},
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)Unable\s+to\s+Read\s+PostgreSQL\s+Facts.*to\s+tell\s+whether\s+it\s+is\s+a\s+read\s+replica`),
		}},
	})
}

// factsRecommendationHCL is a rightsize_single_node_recommendation "this" of DB instance id, its
// window ending at end, reading PostgreSQL facts as postgres at host:port.
func factsRecommendationHCL(id string, end time.Time, host string, port int) string {
	return fmt.Sprintf(`
data "rightsize_single_node_recommendation" "this" {
  db_instance_identifier = %q
  lookback_days          = 14
  end_time               = %q
  postgres = {
    host     = %q
    port     = %d
    username = "postgres"
    database = "postgres"
    sslmode  = "disable"
  }
}
`, id, end.Format(time.RFC3339), host, port)
}

package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/rightsizing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// fleetScenario is the demo scenario plus the given scenarios' resources.
func fleetScenario(extra ...*sandbox.Scenario) *sandbox.Scenario {
	sc := sandbox.Demo()
	for _, e := range extra {
		sc.Name += "+" + e.Name
		sc.Clusters = append(sc.Clusters, e.Clusters...)
		sc.Instances = append(sc.Instances, e.Instances...)
	}
	return sc
}

// fleetAttrs returns the flatmap attributes of a data source in state.
func fleetAttrs(s *terraform.State, name string) (map[string]string, error) {
	rs, ok := s.RootModule().Resources[name]
	if !ok {
		return nil, fmt.Errorf("%s not in state", name)
	}
	return rs.Primary.Attributes, nil
}

// fleetListLen reads the element count of list attribute key.
func fleetListLen(a map[string]string, key string) (int, error) {
	n, err := strconv.Atoi(a[key+".#"])
	if err != nil {
		return 0, fmt.Errorf("%s.# = %q: %w", key, a[key+".#"], err)
	}
	return n, nil
}

// fleetStrings reads a list of strings, or one string field of every element of a nested list.
func fleetStrings(a map[string]string, key, field string) ([]string, error) {
	n, err := fleetListLen(a, key)
	if err != nil {
		return nil, err
	}
	out := make([]string, n)
	for i := range n {
		k := fmt.Sprintf("%s.%d", key, i)
		if field != "" {
			k += "." + field
		}
		v, ok := a[k]
		if !ok {
			return nil, fmt.Errorf("%s is missing", k)
		}
		out[i] = v
	}
	return out, nil
}

// fleetInt reads an integer attribute.
func fleetInt(a map[string]string, key string) (int, error) {
	v, err := strconv.Atoi(a[key])
	if err != nil {
		return 0, fmt.Errorf("%s = %q: %w", key, a[key], err)
	}
	return v, nil
}

// checkFleetSortedBySavings asserts clusters are ordered by monthly_savings,
// highest first, with null (unpriced) savings last.
func checkFleetSortedBySavings(name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a, err := fleetAttrs(s, name)
		if err != nil {
			return err
		}
		n, err := fleetListLen(a, "clusters")
		if err != nil {
			return err
		}
		// consolidate verdicts first; within each group by savings, highest first, null last.
		prev, seenNull, known, inGroup, seenOther := 0.0, false, 0, 0, false
		for i := range n {
			id := a[fmt.Sprintf("clusters.%d.identifier", i)]
			consolidate := a[fmt.Sprintf("clusters.%d.verdict", i)] == "consolidate"
			if consolidate && seenOther {
				return fmt.Errorf("clusters.%d (%s) is consolidate after a cluster of another verdict", i, id)
			}
			if !consolidate && !seenOther {
				seenOther, seenNull, inGroup = true, false, 0 // a new group
			}
			raw, ok := a[fmt.Sprintf("clusters.%d.monthly_savings", i)]
			if !ok || raw == "" {
				seenNull = true
				continue
			}
			if seenNull {
				return fmt.Errorf("clusters.%d (%s) has savings %s after a cluster with null savings", i, id, raw)
			}
			v, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				return fmt.Errorf("clusters.%d.monthly_savings = %q: %w", i, raw, err)
			}
			if inGroup > 0 && v > prev {
				return fmt.Errorf("clusters.%d (%s) saves %g, more than the previous cluster's %g: not sorted by savings", i, id, v, prev)
			}
			prev = v
			known++
			inGroup++
		}
		if known < 2 {
			return fmt.Errorf("only %d of %d clusters have known savings: the sort order is not exercised", known, n)
		}
		return nil
	}
}

// checkFleetPhaseOrder asserts first comes before second in phase_order.
func checkFleetPhaseOrder(name, first, second string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a, err := fleetAttrs(s, name)
		if err != nil {
			return err
		}
		order, err := fleetStrings(a, "phase_order", "")
		if err != nil {
			return err
		}
		i, j := slices.Index(order, first), slices.Index(order, second)
		if i < 0 || j < 0 {
			return fmt.Errorf("phase_order %v lacks %s or %s", order, first, second)
		}
		if i >= j {
			return fmt.Errorf("phase_order puts %s (position %d) after %s (position %d)", first, i, second, j)
		}
		// Lower traffic first: ranks rise along the order, and only
		// deployments with verdict consolidate are in it.
		ids, err := fleetStrings(a, "clusters", "identifier")
		if err != nil {
			return err
		}
		rank, verdict := map[string]int{}, map[string]string{}
		for k, id := range ids {
			if rank[id], err = fleetInt(a, fmt.Sprintf("clusters.%d.traffic_rank", k)); err != nil {
				return err
			}
			verdict[id] = a[fmt.Sprintf("clusters.%d.verdict", k)]
		}
		for k, id := range order {
			if verdict[id] != "consolidate" {
				return fmt.Errorf("phase_order lists %s with verdict %q", id, verdict[id])
			}
			if k > 0 && rank[id] <= rank[order[k-1]] {
				return fmt.Errorf("phase_order puts %s (traffic rank %d) after %s (rank %d)", id, rank[id], order[k-1], rank[order[k-1]])
			}
		}
		return nil
	}
}

// checkFleetRequests asserts requests_lower_bound = the lower bound computed
// from nodes_analysed and the Aurora clusters listed, and that every read of the data source made
// requests_made GetMetricData calls in the sandbox's request log, of which
// requests_lower_bound were distinct successful calls. requests_made counts
// the collector's retries too: normally there is none and requests_made =
// requests_lower_bound, but a failed call is sent again, and so is one whose
// response was lost on the way (aws-sdk-go-v2 issue 2737, about one call in
// 20,000 here; the sandbox logged it as a success, and the retry repeats its
// parameters). One retry per read is allowed. Reads are told apart by
// their DescribeDBClusters listing (the fleet has fewer than 100 clusters,
// so one page per read); a listing the SDK sent again (a retried attempt,
// LogEntry.Attempt > 1) belongs to the same read.
func checkFleetRequests(name string, srv *sandbox.Server, pointsPerSeries, minNodes int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a, err := fleetAttrs(s, name)
		if err != nil {
			return err
		}
		made, err := fleetInt(a, "requests_made")
		if err != nil {
			return err
		}
		lower, err := fleetInt(a, "requests_lower_bound")
		if err != nil {
			return err
		}
		nodes, err := fleetInt(a, "nodes_analysed")
		if err != nil {
			return err
		}
		if nodes < minNodes {
			return fmt.Errorf("nodes_analysed = %d, want ≥ %d", nodes, minNodes)
		}
		// Every 2-node Aurora cluster (read by role) has one series more: its readers' count.
		topologies, err := fleetStrings(a, "clusters", "topology")
		if err != nil {
			return err
		}
		aurora := 0
		for _, tp := range topologies {
			if tp == string(inventory.KindAurora) {
				aurora++
			}
		}
		if aurora == 0 {
			return fmt.Errorf("no Aurora cluster in the fleet: the readers' counts are not exercised")
		}
		if want := cw.LowerBound(nodes*len(cw.DefaultMetrics)+aurora, pointsPerSeries); lower != want {
			return fmt.Errorf("requests_lower_bound = %d, want %d for %d nodes × %d metrics and %d Aurora readers' counts × %d points",
				lower, want, nodes, len(cw.DefaultMetrics), aurora, pointsPerSeries)
		}
		if lower < 2 {
			return fmt.Errorf("requests_lower_bound = %d: the test does not exercise batching", lower)
		}
		var reads [][]sandbox.LogEntry // each read's GetMetricData calls
		for _, e := range srv.Log() {
			switch e.Operation {
			case "DescribeDBClusters":
				if e.Attempt > 1 && len(reads) > 0 {
					continue // the SDK sent this listing again: the same read
				}
				reads = append(reads, nil)
			case "GetMetricData":
				if len(reads) == 0 {
					return fmt.Errorf("GetMetricData call #%d before any fleet listing", e.Seq)
				}
				reads[len(reads)-1] = append(reads[len(reads)-1], e)
			}
		}
		if len(reads) == 0 {
			return fmt.Errorf("the sandbox saw no fleet listing")
		}
		for i, r := range reads {
			calls, distinct := len(r), sandbox.Distinct(r)
			if calls != made {
				return fmt.Errorf("read %d of %d made %d GetMetricData calls (sandbox log), requests_made says %d", i+1, len(reads), calls, made)
			}
			if distinct != lower || calls-distinct > 1 {
				return fmt.Errorf("read %d of %d made %d distinct GetMetricData calls (%d in all), requests_lower_bound = %d", i+1, len(reads), distinct, calls, lower)
			}
		}
		return nil
	}
}

// TestAccFleet_demoPlus100 reads the fleet of the demo scenario plus 100
// generated nodes under terraform.
func TestAccFleet_demoPlus100(t *testing.T) {
	now := sandboxNow()
	// Plus an Aurora pair on a class the catalog has no Aurora price for
	// (db.m6g): its savings are null and it must sort last, although its
	// identifier sorts first.
	unpriced := &sandbox.Scenario{Name: "unpriced", Clusters: []sandbox.ClusterSpec{
		sandbox.AuroraPair("a-unpriced-prod", "db.m6g.large", sandbox.DemoSSOWriterWorkload, sandbox.DemoSSOReaderWorkload)}}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: fleetScenario(sandbox.Fleet(100), unpriced), Now: now})
	ds := "data.rightsize_fleet.all"
	// 7 days of 5-minute points: 105 nodes × 10 metrics, and the readers' counts of 35 Aurora pairs, × 2,016
	// points = 22 calls at the lower bound (21 without the counts).
	const lookbackDays, period = 7, 300
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				srv.ResetLog()
				// The fleet listing and the second GetMetricData call fail once with a 500: the SDK sends the
				// listing again (attempt 2, still the same read) and the collector the batch (requests_made
				// counts it: lower bound + 1), so checkFleetRequests' retry accounting is exercised.
				srv.InjectSequence("DescribeDBClusters", sandbox.FaultHTTP500)
				srv.InjectSequence("cloudwatch:GetMetricData", sandbox.FaultNone, sandbox.FaultHTTP500)
			},
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "all" {
  lookback_days  = %d
  period_seconds = %d
  end_time       = %q
}
`, lookbackDays, period, now.Format(time.RFC3339))),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkFleetSortedBySavings(ds),
				checkFleetPhaseOrder(ds, "sso-prod", "mandible-prod"),
				checkFleetRequests(ds, srv, lookbackDays*24*3600/period, 100),
				resource.TestCheckResourceAttr(ds, "period_seconds_used", strconv.Itoa(period)),
				resource.TestCheckResourceAttr(ds, "skipped.#", "0"),
				// The seed clusters keep their single-recommendation answers inside the fleet.
				resource.TestCheckTypeSetElemNestedAttrs(ds, "clusters.*", map[string]string{"identifier": "sso-prod", "verdict": "consolidate", "monthly_savings": "53.29"}),
				resource.TestCheckTypeSetElemNestedAttrs(ds, "clusters.*", map[string]string{"identifier": "mandible-prod", "verdict": "consolidate", "monthly_savings": "105.67"}),
				func(s *terraform.State) error {
					a, err := fleetAttrs(s, ds)
					if err != nil {
						return err
					}
					ids, err := fleetStrings(a, "clusters", "identifier")
					if err != nil {
						return err
					}
					ranks, err := fleetStrings(a, "clusters", "traffic_rank")
					if err != nil {
						return err
					}
					// The unpriced cluster is the last of its verdict's group, although its identifier
					// sorts first.
					at := slices.Index(ids, "a-unpriced-prod")
					if at < 0 {
						return fmt.Errorf("the unpriced cluster is not listed: %v", ids)
					}
					if v, ok := a[fmt.Sprintf("clusters.%d.monthly_savings", at)]; ok && v != "" {
						return fmt.Errorf("a-unpriced-prod monthly_savings = %q, want null", v)
					}
					verdict := a[fmt.Sprintf("clusters.%d.verdict", at)]
					// It is named in unpriced_savings, left out of the total, when it is to be consolidated.
					if verdict != "consolidate" {
						return fmt.Errorf("a-unpriced-prod verdict %q: the test needs it consolidate", verdict)
					}
					if a["unpriced_savings.#"] != "1" || a["unpriced_savings.0"] != "a-unpriced-prod" {
						return fmt.Errorf("unpriced_savings = %s × [%s], want [a-unpriced-prod]", a["unpriced_savings.#"], a["unpriced_savings.0"])
					}
					for i := at + 1; i < len(ids); i++ {
						if a[fmt.Sprintf("clusters.%d.verdict", i)] == verdict {
							return fmt.Errorf("the unpriced cluster is not the last %s cluster: %s follows it (%v)", verdict, ids[i], ids)
						}
					}
					// Every deployment of the scenario appears once, ranks are a permutation of 1..n.
					want := len(srv.Scenario().Clusters) + len(srv.Scenario().Instances)
					if len(ids) != want {
						return fmt.Errorf("%d clusters listed, the scenario has %d deployments", len(ids), want)
					}
					seen := map[string]bool{}
					for i, r := range ranks {
						if seen[r] {
							return fmt.Errorf("traffic_rank %s repeated (%s)", r, ids[i])
						}
						seen[r] = true
						if k, err := strconv.Atoi(r); err != nil || k < 1 || k > len(ids) {
							return fmt.Errorf("%s traffic_rank = %q, want 1..%d", ids[i], r, len(ids))
						}
					}
					return nil
				},
			),
		}},
	})
}

// tagResource adds tags to an RDS instance or cluster in the sandbox with the real SDK.
func tagResource(t *testing.T, srv *sandbox.Server, instance, cluster string, tags map[string]string) {
	t.Helper()
	ctx := context.Background()
	c := rds.NewFromConfig(srv.AWSConfig())
	var arn string
	if instance != "" {
		out, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(instance)})
		if err != nil || len(out.DBInstances) != 1 {
			t.Fatalf("describing %s: %v", instance, err)
		}
		arn = aws.ToString(out.DBInstances[0].DBInstanceArn)
	} else {
		out, err := c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(cluster)})
		if err != nil || len(out.DBClusters) != 1 {
			t.Fatalf("describing %s: %v", cluster, err)
		}
		arn = aws.ToString(out.DBClusters[0].DBClusterArn)
	}
	var list []rdstypes.Tag
	for k, v := range tags {
		list = append(list, rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := c.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: list}); err != nil {
		t.Fatalf("tagging %s: %v", arn, err)
	}
}

// checkFleetIdentifiers asserts the clusters listed are exactly want (any order).
func checkFleetIdentifiers(name string, want ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a, err := fleetAttrs(s, name)
		if err != nil {
			return err
		}
		ids, err := fleetStrings(a, "clusters", "identifier")
		if err != nil {
			return err
		}
		got := slices.Clone(ids)
		slices.Sort(got)
		w := slices.Clone(want)
		slices.Sort(w)
		if !slices.Equal(got, w) {
			return fmt.Errorf("clusters = %v, want %v", ids, want)
		}
		return nil
	}
}

func TestAccFleet_filters(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: fleetScenario(sandbox.Fleet(10)), Now: now})
	tagResource(t, srv, "mandible-prod", "", map[string]string{"team": "payments", "env": "prod"})
	tagResource(t, srv, "", "fleet-c000", map[string]string{"team": "payments"})
	// A member instance's tags do not count for its Aurora cluster.
	tagResource(t, srv, "fleet-c002-instance-1", "", map[string]string{"team": "payments"})
	tagResource(t, srv, "fleet-i001", "", map[string]string{"team": "search"})
	end := now.Format(time.RFC3339)
	ds := "data.rightsize_fleet.f"
	cfg := func(body string) string {
		return recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "f" {
  lookback_days  = 7
  period_seconds = 3600
  end_time       = %q
%s
}
`, end, body))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg(`  identifier_regex = "-prod$"`),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkFleetIdentifiers(ds, "sso-prod", "mandible-prod"),
				resource.TestCheckResourceAttr(ds, "nodes_analysed", "3"),
				resource.TestCheckResourceAttr(ds, "phase_order.#", "2"),
				resource.TestCheckResourceAttr(ds, "phase_order.0", "sso-prod"),
				resource.TestCheckResourceAttr(ds, "phase_order.1", "mandible-prod"),
				resource.TestCheckResourceAttr(ds, "total_monthly_savings", "158.96"),
				// mandible-prod's RDS prices are of one day; sso-prod's Aurora prices come from catalog rows
				// taken on different days: the range.
				resource.TestCheckResourceAttr(ds, "clusters.0.price_source", "catalog 2024-08-09"),
				resource.TestCheckResourceAttr(ds, "clusters.1.price_source", "catalog 2024-07-24 to 2024-07-29"),
			),
		}, {
			Config: cfg(`  tags = { team = "payments" }`),
			Check:  checkFleetIdentifiers(ds, "mandible-prod", "fleet-c000"),
		}, {
			Config: cfg(`  tags = { team = "payments", env = "prod" }`),
			Check:  checkFleetIdentifiers(ds, "mandible-prod"),
		}, {
			Config: cfg(`  identifier_regex = "^fleet-"` + "\n" + `  tags = { team = "payments" }`),
			Check:  checkFleetIdentifiers(ds, "fleet-c000"),
		}, {
			// Nothing matches: an empty fleet with a warning, not an error.
			Config: cfg(`  identifier_regex = "^nothing-matches$"`),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(ds, "clusters.#", "0"),
				resource.TestCheckResourceAttr(ds, "phase_order.#", "0"),
				resource.TestCheckResourceAttr(ds, "requests_made", "0"),
				// No metrics read: no period.
				resource.TestCheckNoResourceAttr(ds, "period_seconds_used"),
			),
		}},
	})
}

func TestAccFleet_invalidRegex(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: sandboxNow()})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, `
data "rightsize_fleet" "f" {
  identifier_regex = "prod(["
}
`),
			// An attribute error: terraform quotes the attribute's line, the detail names it.
			ExpectError: regexp.MustCompile(`(?s)Invalid Regular Expression.*identifier_regex = "prod\(\[".*identifier_regex\s+is\s+not\s+a\s+valid\s+RE2`),
		}},
	})
}

func TestAccFleet_skipped(t *testing.T) {
	now := sandboxNow()
	// A Multi-AZ instance on a class with local NVMe storage, which the provider's catalog lacks: it
	// is skipped with the reason instead of failing the whole fleet.
	nvme := &sandbox.Scenario{Name: "nvme", Seed: 9, Instances: []sandbox.InstanceSpec{sandbox.MultiAZInstance("nvme-prod", "db.m6gd.large", sandbox.DemoMandibleWorkload)}}
	srv := acctest.StartSandbox(t, sandbox.Options{
		Scenario: fleetScenario(sandbox.MySQL(), sandbox.SingleAZ(), sandbox.ThreeNodeAurora(), sandbox.ServerlessV2(), sandbox.MultiAZDBCluster(), nvme), Now: now})
	ds := "data.rightsize_fleet.all"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "all" {
  lookback_days  = 7
  period_seconds = 3600
  end_time       = %q
}
`, now.Format(time.RFC3339))),
			Check: resource.ComposeAggregateTestCheckFunc(
				// Only the 2-node PostgreSQL deployments are analysed.
				checkFleetIdentifiers(ds, "sso-prod", "mandible-prod"),
				resource.TestMatchTypeSetElemNestedAttrs(ds, "skipped.*", map[string]*regexp.Regexp{
					"identifier": regexp.MustCompile(`^solo-db$`),
					"reason":     regexp.MustCompile(`already Single-AZ.*nothing to consolidate`),
				}),
				resource.TestMatchTypeSetElemNestedAttrs(ds, "skipped.*", map[string]*regexp.Regexp{
					"identifier": regexp.MustCompile(`^tri-prod$`),
					"reason":     regexp.MustCompile(`has 3 instances`),
				}),
				// A PostgreSQL cluster the provider cannot analyse is listed with the reason, not left out.
				resource.TestMatchTypeSetElemNestedAttrs(ds, "skipped.*", map[string]*regexp.Regexp{
					"identifier": regexp.MustCompile(`^sls-prod$`),
					"reason":     regexp.MustCompile(`Aurora Serverless v2 \(db.serverless\)`),
				}),
				resource.TestMatchTypeSetElemNestedAttrs(ds, "skipped.*", map[string]*regexp.Regexp{
					"identifier": regexp.MustCompile(`^nvme-prod$`),
					"reason":     regexp.MustCompile(`instance class is not one the provider knows.*db\.m6gd\.large`),
				}),
				resource.TestMatchTypeSetElemNestedAttrs(ds, "skipped.*", map[string]*regexp.Regexp{
					"identifier": regexp.MustCompile(`^orders-prod$`),
					"reason":     regexp.MustCompile(`it is a Multi-AZ DB cluster \(engine "postgres": a writer and two readable standby instances\)`),
				}),
				// Nothing else is skipped except, at most, the MySQL instance
				// (not a PostgreSQL deployment: the fleet leaves other engines
				// out), which must never be analysed.
				func(s *terraform.State) error {
					a, err := fleetAttrs(s, ds)
					if err != nil {
						return err
					}
					skipped, err := fleetStrings(a, "skipped", "identifier")
					if err != nil {
						return err
					}
					for i, id := range skipped {
						switch id {
						case "solo-db", "tri-prod", "sls-prod", "orders-prod", "nvme-prod":
						case "shop-mysql":
							if r := a[fmt.Sprintf("skipped.%d.reason", i)]; !strings.Contains(strings.ToLower(r), "mysql") {
								return fmt.Errorf("shop-mysql skipped with reason %q, which does not name its engine", r)
							}
						default:
							return fmt.Errorf("skipped lists %s (%s)", id, a[fmt.Sprintf("skipped.%d.reason", i)])
						}
					}
					order, err := fleetStrings(a, "phase_order", "")
					if err != nil {
						return err
					}
					if slices.Contains(order, "shop-mysql") {
						return fmt.Errorf("phase_order %v lists the MySQL instance", order)
					}
					return nil
				},
			),
		}},
	})
}

// What would undo the change or strand clients reaches each fleet entry's risks: an RDS Proxy
// read-only endpoint in front of sso-prod, Aurora Auto Scaling keeping a reader on idle-prod;
// mandible-prod (Multi-AZ) has neither.
func TestAccFleet_operationsRisks(t *testing.T) {
	now := sandboxNow()
	sc := fleetScenario(sandbox.Idle())
	// A Multi-AZ reservation that covers mandible-prod's db.t4g.large: a cost risk of mandible-prod.
	sc.Reservations = []sandbox.ReservationSpec{{Class: "db.t4g.large", ProductDescription: "postgresql", MultiAZ: true, Count: 1,
		Years: 1, OfferingType: "All Upfront", StartAgo: 30 * 24 * time.Hour}}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	acctest.AddProxy(t, srv, "sso-proxy", "sso-prod", "", map[string]rdstypes.DBProxyEndpointTargetRole{"sso-ro": rdstypes.DBProxyEndpointTargetRoleReadOnly})
	acctest.AddReplicaScaling(t, srv, "idle-prod", 1, 2)
	// mandible-prod's blue/green deployment: a risk of mandible-prod, and its green copy (a Multi-AZ
	// instance, which the regular expression also selects) is skipped, not listed.
	bgd := acctest.AddBlueGreen(t, srv, "chat-upgrade", "", "mandible-prod")
	ds := "data.rightsize_fleet.f"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "f" {
  identifier_regex = "-prod(-green-[a-z0-9]+)?$"
  lookback_days    = 7
  period_seconds   = 3600
  end_time         = %q
}
`, now.Format(time.RFC3339))),
			Check: func(s *terraform.State) error {
				a, err := fleetAttrs(s, ds)
				if err != nil {
					return err
				}
				ids, err := fleetStrings(a, "clusters", "identifier")
				if err != nil {
					return err
				}
				want := map[string]string{
					"sso-prod":      "high: RDS Proxy endpoint sso-ro (read-only endpoint of RDS Proxy sso-proxy) routes to the cluster's readers only",
					"idle-prod":     "high: Aurora Auto Scaling keeps 1 to 2 reader(s) (minimum 1)",
					"mandible-prod": "high: The database is the blue (source) database of blue/green deployment " + bgd + " (chat-upgrade), status PROVISIONING",
				}
				for i, id := range ids {
					w, ok := want[id]
					if !ok {
						return fmt.Errorf("unexpected fleet entry %s", id)
					}
					delete(want, id)
					var ops, cost []string
					n, err := fleetListLen(a, fmt.Sprintf("clusters.%d.risks", i))
					if err != nil {
						return err
					}
					for j := range n {
						k := fmt.Sprintf("clusters.%d.risks.%d.", i, j)
						switch a[k+"category"] {
						case "operations":
							ops = append(ops, a[k+"severity"]+": "+a[k+"description"])
						case "cost":
							cost = append(cost, a[k+"severity"]+": "+a[k+"description"])
						}
					}
					// sso-prod's reader, in another AZ than its writer, hands its clients' traffic
					// to the writer; idle-prod's has next to none.
					wantCost := map[string]string{
						"mandible-prod": "medium: Reserved DB instances of the db.t4g family for postgresql (ri-",
						"sso-prod":      "low: Cross-AZ data transfer: the reader sso-prod-instance-2 in us-east-1b ",
					}[id]
					if (wantCost == "") != (len(cost) == 0) || (wantCost != "" && (len(cost) != 1 || !strings.HasPrefix(cost[0], wantCost))) {
						return fmt.Errorf("%s: cost risks %q, want %q", id, cost, wantCost)
					}
					switch {
					case w == "" && len(ops) != 0:
						return fmt.Errorf("%s: operations risks %q, want none", id, ops)
					case w != "" && (len(ops) != 1 || !strings.HasPrefix(ops[0], w)):
						return fmt.Errorf("%s: operations risks %q, want one starting %q", id, ops, w)
					}
				}
				if len(want) != 0 {
					return fmt.Errorf("fleet entries missing: %v", want)
				}
				skipped, err := fleetStrings(a, "skipped", "identifier")
				if err != nil {
					return err
				}
				reason := "it is the green database of blue/green deployment " + bgd + " (chat-upgrade), status PROVISIONING: a staging copy of arn:aws:rds:"
				if len(skipped) != 1 || !strings.HasPrefix(skipped[0], "mandible-prod-green-") ||
					!strings.HasPrefix(a["skipped.0.reason"], reason) || !strings.HasSuffix(a["skipped.0.reason"], ":db:mandible-prod, which it replaces at switchover") {
					return fmt.Errorf("skipped %q (%q), want the green copy of mandible-prod", skipped, a["skipped.0.reason"])
				}
				return nil
			},
		}},
	})
}

// addFleetWarnings says each warning once, naming every deployment it concerns by its name in the
// fleet, once: a text that starts with the deployment's name (the parameter group warnings) is
// said without it ("a: a: ..." before).
func TestAddFleetWarnings(t *testing.T) {
	var diags diag.Diagnostics
	addFleetWarnings(&diags, []rightsizing.Result{
		{Cluster: inventory.Cluster{Identifier: "a"}, Name: "a", Warnings: []rightsizing.Warning{{Title: "Coarse", Text: "coarse period"},
			{Title: "Custom Endpoints Not Checked", Text: "custom endpoints not checked: x"},
			{Title: "Parameter Groups Not Read", Text: "a: what its parameter groups set was not read (denied)"}}},
		{Cluster: inventory.Cluster{Identifier: "b"}, Name: "b", Warnings: []rightsizing.Warning{{Title: "Coarse", Text: "coarse period"},
			{Title: "Parameter Groups Not Read", Text: "b: what its parameter groups set was not read (denied)"}}},
		{Cluster: inventory.Cluster{Identifier: "c"}, Name: "c", Warnings: []rightsizing.Warning{{Title: "Note", Text: "a: names another deployment"}}},
	})
	var got []string
	for _, d := range diags {
		got = append(got, d.Severity().String()+" "+d.Summary()+" | "+d.Detail())
	}
	want := []string{"Warning Coarse | a, b: coarse period", "Warning Custom Endpoints Not Checked | a: custom endpoints not checked: x",
		"Warning Parameter Groups Not Read | a, b: what its parameter groups set was not read (denied)", "Warning Note | c: a: names another deployment"}
	if !slices.Equal(got, want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}
}

// The fleet reads its policy as the recommendation does: a weight set alone leaves the others at
// their defaults (with reliability alone, sso-prod would score its reliability, 5, below the
// minimum of 5.5; with the other weights at theirs it scores above), and all four weights 0 are
// refused.
func TestAccFleet_policy(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	end := now.Format(time.RFC3339)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// A period past a day: a multiple of 60 from 60 to 86400, as documented. The refused
			// configurations come first: the destroy after the test validates the last config.
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "f" {
  end_time       = %q
  period_seconds = 172800
}
`, end)),
			ExpectError: regexp.MustCompile(`(?s)period_seconds.*between\s+60\s+and\s+86400`),
		}, {
			// A minimum lookback longer than the window: every verdict would be insufficient-data.
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "f" {
  end_time      = %q
  lookback_days = 7
  policy        = { min_lookback_days = 10 }
}
`, end)),
			ExpectError: regexp.MustCompile(`(?s)Minimum Lookback Longer Than the Lookback.*min_lookback_days = 10.*more\s+history\s+than\s+lookback_days\s+\(7\)`),
		}, {
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "f" {
  end_time = %q
  policy = {
    weight_performance = 0
    weight_cost        = 0
    weight_reliability = 0
    weight_operations  = 0
  }
}
`, end)),
			ExpectError: regexp.MustCompile(`(?s)Invalid Policy.*weight_operations\s+all\s+to\s+0.*set\s+at\s+least\s+one\s+above\s+0`),
		}, {
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "f" {
  identifier_regex = "^sso-prod$"
  end_time         = %q
  policy = {
    weight_reliability = 1
    min_decision_score = 5.5
  }
}
`, end)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.rightsize_fleet.f", "clusters.0.identifier", "sso-prod"),
				resource.TestCheckResourceAttr("data.rightsize_fleet.f", "clusters.0.verdict", "consolidate"),
			),
		}},
	})
}

// TestAccFleet_validate: the fleet refuses peak_lookback_days and policy.min_lookback_days
// against lookback_days, a policy that weighs nothing and a savings target whose maximum is below
// its minimum when the configuration is validated, as the recommendation does: with end_time
// known only after apply, the read waits for apply and a check made only there let the plan
// through. lookback_days unknown, or a policy field unknown: not judged then.
func TestAccFleet_validate(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: sandboxNow()})
	config := func(attrs string) string {
		return recommendationConfig(srv, fmt.Sprintf(`
resource "terraform_data" "later" {
  input = { end = %q, days = 30 }
}
data "rightsize_fleet" "f" {
  end_time = terraform_data.later.output.end
  %s
}
`, sandboxNow().Format(time.RFC3339), attrs))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("peak_lookback_days = 10"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Peak Lookback Not Longer Than the Lookback.*peak_lookback_days = 10 reaches no\s+further back than lookback_days \(14\)`)},
			{Config: config("lookback_days = 7\n  policy = { min_lookback_days = 10 }"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Minimum Lookback Longer Than the Lookback.*min_lookback_days = 10.*more\s+history\s+than\s+lookback_days\s+\(7\)`)},
			{Config: config("policy = {\n weight_performance = 0\n weight_cost = 0\n weight_reliability = 0\n weight_operations = 0\n }"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Policy.*weight_operations\s+all\s+to\s+0`)},
			{Config: config("savings_target = { min_monthly_usd = 80, max_monthly_usd = 50 }"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Savings Target.*max_monthly_usd \(50\) is below\s+min_monthly_usd \(80\)`)},
			{Config: config("lookback_days = terraform_data.later.output.days\n  peak_lookback_days = 20\n" +
				"  policy = {\n min_lookback_days = 10\n weight_performance = 0\n weight_cost = terraform_data.later.output.days * 0\n weight_reliability = 0\n weight_operations = 0\n }"),
				PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
}

// RDS keeps DB instance identifiers and DB cluster identifiers in separate namespaces, so a
// Multi-AZ instance sso-prod can stand beside the demo's Aurora cluster sso-prod (as during a
// migration from RDS to Aurora through an Aurora read replica). The fleet analyses both: each has
// its own traffic rank, and phase_order names them instance:sso-prod and cluster:sso-prod, while
// mandible-prod, whose identifier nothing shares, keeps its bare name.
func TestAccFleet_instanceAndClusterShareIdentifier(t *testing.T) {
	now := sandboxNow()
	twin := &sandbox.Scenario{Name: "twin", Seed: 7, Instances: []sandbox.InstanceSpec{
		sandbox.MultiAZInstance("sso-prod", "db.r6g.large", sandbox.DemoMandibleWorkload)}}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: fleetScenario(twin), Now: now})
	ds := "data.rightsize_fleet.f"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "f" {
  lookback_days  = 7
  period_seconds = 3600
  end_time       = %q
}
`, now.Format(time.RFC3339))),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkFleetIdentifiers(ds, "sso-prod", "sso-prod", "mandible-prod"),
				resource.TestCheckResourceAttr(ds, "nodes_analysed", "4"),
				func(s *terraform.State) error {
					a, err := fleetAttrs(s, ds)
					if err != nil {
						return err
					}
					ids, err := fleetStrings(a, "clusters", "identifier")
					if err != nil {
						return err
					}
					// Each deployment's name in the fleet, from its identifier and topology.
					verdict, rank, ranks := map[string]string{}, map[string]int{}, map[int]bool{}
					for i, id := range ids {
						name := id
						if id == "sso-prod" {
							name = map[string]string{"multi-az": "instance:", "aurora": "cluster:"}[a[fmt.Sprintf("clusters.%d.topology", i)]] + id
						}
						if _, dup := verdict[name]; dup || name == id && id == "sso-prod" {
							return fmt.Errorf("clusters.%d: %s (%s) is listed twice or has no topology", i, id, a[fmt.Sprintf("clusters.%d.topology", i)])
						}
						verdict[name] = a[fmt.Sprintf("clusters.%d.verdict", i)]
						if rank[name], err = fleetInt(a, fmt.Sprintf("clusters.%d.traffic_rank", i)); err != nil {
							return err
						}
						if rank[name] < 1 || rank[name] > len(ids) || ranks[rank[name]] {
							return fmt.Errorf("%s: traffic_rank %d repeated or out of 1..%d", name, rank[name], len(ids))
						}
						ranks[rank[name]] = true
					}
					order, err := fleetStrings(a, "phase_order", "")
					if err != nil {
						return err
					}
					var want []string
					for _, name := range []string{"instance:sso-prod", "cluster:sso-prod", "mandible-prod"} {
						if verdict[name] == "consolidate" {
							want = append(want, name)
						}
					}
					slices.SortFunc(want, func(x, y string) int { return rank[x] - rank[y] })
					if !slices.Equal(order, want) {
						return fmt.Errorf("phase_order %q, want %q (the deployments with verdict consolidate, by traffic rank; verdicts %v, ranks %v)", order, want, verdict, rank)
					}
					if !slices.Contains(order, "instance:sso-prod") || !slices.Contains(order, "cluster:sso-prod") {
						return fmt.Errorf("phase_order %q does not name both sso-prod deployments: the test does not exercise their names (verdicts %v)", order, verdict)
					}
					return nil
				},
			),
		}},
	})
}

// rightsize_fleet warns when no PostgreSQL deployment matches its filters, naming them, but not when
// deployments match and none is 2-node: after the fleet's consolidation every deployment is
// single-node, the expected steady state, and skipped says so of each.
func TestReadFleetNoDeploymentsWarning(t *testing.T) {
	now := utilizationAccNow()
	pd := sandboxProviderData(t, "single-az", now) // solo-db, a Single-AZ instance
	end := tftypes.NewValue(tftypes.String, now.Format(time.RFC3339))
	fleetWarnings := func(vals map[string]tftypes.Value) map[string]string {
		t.Helper()
		vals["end_time"] = end
		diags := readDataSource(t, NewFleetDataSource(), pd, vals, nil)
		if diags.HasError() {
			t.Fatalf("read: %v", diags)
		}
		got := map[string]string{}
		for _, d := range diags.Warnings() {
			got[d.Summary()] = d.Detail()
		}
		return got
	}
	if got := fleetWarnings(map[string]tftypes.Value{}); len(got) != 0 {
		t.Errorf("only single-node deployments: warnings %q, want none", got)
	}
	const want = `No RDS for PostgreSQL DB instance or Aurora PostgreSQL cluster in us-east-1 matches this data source's filters, ` +
		`so clusters and skipped are empty: check identifier_regex "^nothing$", and the provider's region.`
	got := fleetWarnings(map[string]tftypes.Value{"identifier_regex": tftypes.NewValue(tftypes.String, "^nothing$")})
	if len(got) != 1 || got["No PostgreSQL Deployments Found"] != want {
		t.Errorf("nothing matching: warnings %q, want one titled %q: %q", got, "No PostgreSQL Deployments Found", want)
	}
}

// TestAccFleet_badTagFilter: a tag key AWS could never have (empty, over 128 characters) or a
// value over 256 is refused at validation, naming the attribute, where it matched nothing and
// only warned that the fleet was empty.
func TestAccFleet_badTagFilter(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: sandboxNow()})
	for _, tc := range []struct{ tags, want string }{
		{`{ "" = "payments" }`, `tags.*UTF-8 character count must be between 1 and 128, got: 0`},
		{`{ "` + strings.Repeat("k", 129) + `" = "payments" }`, `tags.*UTF-8 character count must be between 1 and 128, got: 129`},
		{`{ team = "` + strings.Repeat("v", 257) + `" }`, `tags\["team"\].*UTF-8 character count must be at most 256, got: 257`},
		{`{ team = "` + strings.Repeat("決", 257) + `" }`, `tags\["team"\].*UTF-8 character count must be at most 256, got: 257`},
	} {
		t.Run(tc.want, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      recommendationConfig(srv, `data "rightsize_fleet" "f" { tags = `+tc.tags+` }`),
					ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value Length.*` + strings.ReplaceAll(tc.want, " ", `\s+`)),
				}},
			})
		})
	}
	if n := len(srv.Calls("DescribeDBInstances")); n != 0 {
		t.Errorf("refused filters made %d RDS calls, want none", n)
	}
	// The limits are in characters, as AWS's, not bytes: a key of 128 and a value of 256 letters
	// of three bytes each are a filter AWS's tags can match (nothing in the demo does).
	t.Run("unicode", func(t *testing.T) {
		resource.Test(t, resource.TestCase{
			PreCheck:                 func() { acctest.PreCheck(t) },
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: recommendationConfig(srv, `data "rightsize_fleet" "f" { tags = { "`+strings.Repeat("鍵", 128)+`" = "`+strings.Repeat("決", 256)+`" } }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.rightsize_fleet.f", tfjsonpath.New("clusters"), knownvalue.ListSizeExact(0)),
				},
			}},
		})
	})
}

// peak_lookback_days reaches the fleet: the deployment whose load surged 30 days ago has the
// earlier peak's high-traffic risk, the other none, and the fleet makes one more request; a peak
// lookback no longer than the lookback is refused on its attribute.
func TestAccFleet_peakLookback(t *testing.T) {
	now := sandboxNow()
	quiet := sandbox.DemoMandibleWorkload
	surged := quiet
	surged.Surges = []sandbox.Surge{{From: now.Add(-30 * 24 * time.Hour), To: now.Add(-29 * 24 * time.Hour), Factor: 4}}
	sc := &sandbox.Scenario{Name: "fleet-peak", Seed: 13, History: 60 * 24 * time.Hour, Instances: []sandbox.InstanceSpec{
		sandbox.MultiAZInstance("quiet-db", "db.m6g.large", quiet), sandbox.MultiAZInstance("surged-db", "db.m6g.large", surged)}}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	ds := "data.rightsize_fleet.all"
	config := func(extra string) string {
		return recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "all" {
  end_time = %q
  %s
}
`, now.Format(time.RFC3339), extra))
	}
	earlierRisks := func(s *terraform.State) map[string]int {
		a := s.RootModule().Resources[ds].Primary.Attributes
		out := map[string]int{}
		for i := 0; ; i++ {
			id, ok := a[fmt.Sprintf("clusters.%d.identifier", i)]
			if !ok {
				return out
			}
			for j := 0; ; j++ {
				desc, ok := a[fmt.Sprintf("clusters.%d.risks.%d.description", i, j)]
				if !ok {
					break
				}
				if strings.HasPrefix(desc, "Busier before the lookback") {
					out[id]++
				}
			}
		}
	}
	var without int
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config("peak_lookback_days = 14"),
			ExpectError: regexp.MustCompile(`(?s)peak_lookback_days = 14 reaches no further back than\s+lookback_days \(14\)`),
		}, {
			Config: config(""),
			Check: func(s *terraform.State) error {
				without, _ = strconv.Atoi(s.RootModule().Resources[ds].Primary.Attributes["requests_made"])
				if got := earlierRisks(s); len(got) != 0 {
					return fmt.Errorf("without peak_lookback_days: earlier-peak risks %v, want none", got)
				}
				return nil
			},
		}, {
			Config: config("peak_lookback_days = 45"),
			Check: func(s *terraform.State) error {
				if got := earlierRisks(s); len(got) != 1 || got["surged-db"] != 1 {
					return fmt.Errorf("earlier-peak risks %v, want one, on surged-db", got)
				}
				if with, _ := strconv.Atoi(s.RootModule().Resources[ds].Primary.Attributes["requests_made"]); with != without+1 {
					return fmt.Errorf("requests_made %d with peak_lookback_days, %d without: want one more", with, without)
				}
				return nil
			},
		}},
	})
}

package provider

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/jackc/pgx/v5"
	"gopkg.in/yaml.v3"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// outAttrs returns a data source's flatmap attributes from state.
func outAttrs(s *terraform.State, name string) (map[string]string, error) {
	rs, ok := s.RootModule().Resources[name]
	if !ok {
		return nil, fmt.Errorf("%s not in state", name)
	}
	return rs.Primary.Attributes, nil
}

// outCheck wraps a check of one data source's attributes.
func outCheck(name string, f func(a map[string]string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a, err := outAttrs(s, name)
		if err != nil {
			return err
		}
		if err := f(a); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
}

// outMap returns the entries of map attribute key (keys may contain dots).
func outMap(a map[string]string, key string) (map[string]string, error) {
	n, err := strconv.Atoi(a[key+".%"])
	if err != nil {
		return nil, fmt.Errorf("%s.%% = %q: %w", key, a[key+".%"], err)
	}
	out := map[string]string{}
	for k, v := range a {
		if rest, ok := strings.CutPrefix(k, key+"."); ok && rest != "%" {
			out[rest] = v
		}
	}
	if len(out) != n {
		return nil, fmt.Errorf("%s has %d entries in state, %s.%% says %d", key, len(out), key, n)
	}
	return out, nil
}

// checkChartsSVG asserts every charts_svg value is a well-formed XML document
// whose root element is an SVG <svg> with a size.
func checkChartsSVG(name string) resource.TestCheckFunc {
	return outCheck(name, func(a map[string]string) error {
		charts, err := outMap(a, "charts_svg")
		if err != nil {
			return err
		}
		if len(charts) == 0 {
			return errors.New("charts_svg is empty")
		}
		for file, doc := range charts {
			if !strings.HasSuffix(file, ".svg") {
				return fmt.Errorf("charts_svg key %q is not a .svg file name", file)
			}
			if err := validSVG(doc); err != nil {
				return fmt.Errorf("charts_svg[%q]: %w", file, err)
			}
		}
		return nil
	})
}

// validSVG parses doc to the end with encoding/xml (strict mode) and checks
// it has exactly one root element, <svg> in the SVG namespace, with a viewBox.
func validSVG(doc string) error {
	d := xml.NewDecoder(strings.NewReader(doc))
	d.Strict = true
	depth, roots, elements := 0, 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("not well-formed XML: %w", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			elements++
			if depth == 0 {
				roots++
				if el.Name.Local != "svg" || el.Name.Space != "http://www.w3.org/2000/svg" {
					return fmt.Errorf("root element is {%s}%s, want {http://www.w3.org/2000/svg}svg", el.Name.Space, el.Name.Local)
				}
				if !slices.ContainsFunc(el.Attr, func(at xml.Attr) bool { return at.Name.Local == "viewBox" && at.Value != "" }) {
					return errors.New("the <svg> root has no viewBox")
				}
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && strings.TrimSpace(string(el)) != "" {
				return fmt.Errorf("text outside the root element: %q", el)
			}
		}
	}
	if roots != 1 || depth != 0 {
		return fmt.Errorf("%d root elements, unclosed depth %d", roots, depth)
	}
	if elements < 3 {
		return fmt.Errorf("only %d elements: an empty chart", elements)
	}
	return nil
}

// reportSections are the level-2 headings of analysis.Report, in order, for
// a cluster on burstable classes (both demo clusters run db.t4g): "CPU
// credits" is left out for fixed-performance classes.
var reportSections = []string{
	"Verdict", "Checks", "Projected single-node utilization", "Nodes", "Workload pattern", "Decision matrix",
	"Risks", "Cost", "CPU credits", "Instance class options", "Recommended PostgreSQL parameters", "Migration window", "Backup and maintenance windows",
	"Rollback triggers", "Charts",
}

// checkReportMarkdown asserts report_markdown has its title naming the
// cluster, every section in order, the verdict, and links to every chart.
func checkReportMarkdown(name, cluster string) resource.TestCheckFunc {
	return outCheck(name, func(a map[string]string) error {
		md := a["report_markdown"]
		lines := strings.Split(md, "\n")
		if want := "# Right-size report: " + cluster; lines[0] != want {
			return fmt.Errorf("report title %q, want %q", lines[0], want)
		}
		var h2 []string
		for _, l := range lines {
			if h, ok := strings.CutPrefix(l, "## "); ok {
				h2 = append(h2, h)
			}
		}
		if !slices.Equal(h2, reportSections) {
			return fmt.Errorf("report sections %q, want %q", h2, reportSections)
		}
		if v := a["verdict"]; !strings.Contains(md, "- **Verdict:** `"+v+"`") {
			return fmt.Errorf("report does not state the verdict %q", v)
		}
		charts, err := outMap(a, "charts_svg")
		if err != nil {
			return err
		}
		for file := range charts {
			if !strings.Contains(md, "]("+file+")") {
				return fmt.Errorf("report does not link chart %s", file)
			}
		}
		// Every reason's check appears in the Checks table.
		for i := 0; ; i++ {
			check, ok := a[fmt.Sprintf("reasons.%d.check", i)]
			if !ok {
				if i == 0 {
					return errors.New("no reasons")
				}
				break
			}
			if !strings.Contains(md, "| "+check+" |") {
				return fmt.Errorf("report's Checks table lacks %s", check)
			}
		}
		return nil
	})
}

// checkInfracostYAML asserts infracost_usage_yaml parses as YAML, has version
// 0.1 and resource_usage with exactly the resource at address, whose usage
// values are the wanted keys with non-negative integer values.
func checkInfracostYAML(name, address string, keys ...string) resource.TestCheckFunc {
	return outCheck(name, func(a map[string]string) error {
		var doc struct {
			Version       string                    `yaml:"version"`
			ResourceUsage map[string]map[string]any `yaml:"resource_usage"`
		}
		if err := yaml.Unmarshal([]byte(a["infracost_usage_yaml"]), &doc); err != nil {
			return fmt.Errorf("infracost_usage_yaml is not YAML: %w", err)
		}
		if doc.Version != "0.1" {
			return fmt.Errorf("infracost_usage_yaml version %q, want 0.1", doc.Version)
		}
		if len(doc.ResourceUsage) != 1 {
			return fmt.Errorf("resource_usage has %d resources, want only %s", len(doc.ResourceUsage), address)
		}
		usage, ok := doc.ResourceUsage[address]
		if !ok {
			return fmt.Errorf("resource_usage lacks %s: %v", address, doc.ResourceUsage)
		}
		var got []string
		for k, v := range usage {
			got = append(got, k)
			n, ok := v.(int)
			if !ok {
				return fmt.Errorf("%s.%s = %v (%T), want an integer", address, k, v, v)
			}
			if n < 0 {
				return fmt.Errorf("%s.%s = %d, negative", address, k, n)
			}
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(keys))
		if !slices.Equal(got, want) {
			return fmt.Errorf("%s usage keys %v, want %v", address, got, want)
		}
		return nil
	})
}

// validComparisonOperators are CloudWatch's, from the SDK's enum.
var validComparisonOperators = cwtypes.ComparisonOperator("").Values()

// checkRollbackTriggers asserts every rollback trigger is a valid
// aws_cloudwatch_metric_alarm specification for the cluster's nodes.
func checkRollbackTriggers(name string) resource.TestCheckFunc {
	return outCheck(name, func(a map[string]string) error {
		n, err := strconv.Atoi(a["rollback_triggers.#"])
		if err != nil || n == 0 {
			return fmt.Errorf("rollback_triggers.# = %q, want at least one", a["rollback_triggers.#"])
		}
		statistics := cwtypes.Statistic("").Values()
		for i := range n {
			p := fmt.Sprintf("rollback_triggers.%d.", i)
			op := a[p+"comparison_operator"]
			if !slices.Contains(validComparisonOperators, cwtypes.ComparisonOperator(op)) {
				return fmt.Errorf("%scomparison_operator %q is not a CloudWatch operator (%v)", p, op, validComparisonOperators)
			}
			if st := a[p+"statistic"]; !slices.Contains(statistics, cwtypes.Statistic(st)) {
				return fmt.Errorf("%sstatistic %q is not a CloudWatch statistic", p, st)
			}
			if a[p+"namespace"] != "AWS/RDS" || a[p+"metric_name"] == "" || a[p+"alarm_name"] == "" {
				return fmt.Errorf("%s: namespace %q, metric %q, name %q", p, a[p+"namespace"], a[p+"metric_name"], a[p+"alarm_name"])
			}
			period, _ := strconv.Atoi(a[p+"period"])
			evals, _ := strconv.Atoi(a[p+"evaluation_periods"])
			dta, _ := strconv.Atoi(a[p+"datapoints_to_alarm"])
			if period < 60 || period%60 != 0 || evals < 1 || dta < 1 || dta > evals {
				return fmt.Errorf("%s: period %d, evaluation_periods %d, datapoints_to_alarm %d", p, period, evals, dta)
			}
			if _, err := strconv.ParseFloat(a[p+"threshold"], 64); err != nil {
				return fmt.Errorf("%sthreshold = %q", p, a[p+"threshold"])
			}
			if tm := a[p+"treat_missing_data"]; !slices.Contains([]string{"breaching", "notBreaching", "ignore", "missing"}, tm) {
				return fmt.Errorf("%streat_missing_data %q", p, tm)
			}
			if a[p+"dimensions.%"] == "" || a[p+"dimensions.%"] == "0" {
				return fmt.Errorf("%s has no dimensions", p)
			}
		}
		return nil
	})
}

// checkPrometheusRules asserts prometheus_rules_yaml is a Prometheus rules
// file: groups with a name and rules, each with alert and expr, one rule per
// rollback trigger with the same comparison and threshold.
func checkPrometheusRules(name string) resource.TestCheckFunc {
	return outCheck(name, func(a map[string]string) error {
		var doc struct {
			Groups []struct {
				Name  string `yaml:"name"`
				Rules []struct {
					Alert  string            `yaml:"alert"`
					Expr   string            `yaml:"expr"`
					For    string            `yaml:"for"`
					Labels map[string]string `yaml:"labels"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal([]byte(a["prometheus_rules_yaml"]), &doc); err != nil {
			return fmt.Errorf("prometheus_rules_yaml is not YAML: %w", err)
		}
		if len(doc.Groups) == 0 {
			return errors.New("prometheus_rules_yaml has no groups")
		}
		exprRe := regexp.MustCompile(`^[a-z_:][a-z0-9_:]*\{[^}]*\} (>|<|>=|<=) (-?[0-9.eE+-]+)$`)
		var rules []string
		for _, g := range doc.Groups {
			if g.Name == "" || len(g.Rules) == 0 {
				return fmt.Errorf("group %q has %d rules", g.Name, len(g.Rules))
			}
			for _, r := range g.Rules {
				if r.Alert == "" || r.Expr == "" {
					return fmt.Errorf("rule %+v lacks alert or expr", r)
				}
				if _, err := time.ParseDuration(r.For); err != nil {
					return fmt.Errorf("rule %s: for %q: %w", r.Alert, r.For, err)
				}
				rules = append(rules, r.Expr)
			}
		}
		n, _ := strconv.Atoi(a["rollback_triggers.#"])
		if len(rules) != n {
			return fmt.Errorf("%d Prometheus rules for %d rollback triggers", len(rules), n)
		}
		absentRe := regexp.MustCompile(`^absent_over_time\([a-z_:][a-z0-9_:]*\{[^}]*\}\[[0-9]+m\]\)$`)
		for i, expr := range rules {
			p := fmt.Sprintf("rollback_triggers.%d.", i)
			// A cost is a warning, routed away from on call; everything else critical.
			if want := map[bool]string{true: "warning", false: "critical"}[a[p+"metric_name"] == "CPUSurplusCreditsCharged"]; a[p+"severity"] != want {
				return fmt.Errorf("trigger %d (%s) severity %q, want %q", i, a[p+"metric_name"], a[p+"severity"], want)
			}
			if a[p+"treat_missing_data"] == "breaching" {
				// The availability alarm: the node's silence, an absent series in Prometheus.
				if !absentRe.MatchString(expr) {
					return fmt.Errorf("availability trigger %d's rule %q is not absent_over_time(metric{labels}[Nm])", i, expr)
				}
				continue
			}
			m := exprRe.FindStringSubmatch(expr)
			if m == nil {
				return fmt.Errorf("rule expr %q is not `metric{labels} op threshold`", expr)
			}
			want := map[string]string{
				"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">=",
				"LessThanThreshold": "<", "LessThanOrEqualToThreshold": "<=",
			}[a[p+"comparison_operator"]]
			if m[1] != want {
				return fmt.Errorf("rule %q compares with %s, trigger %d is %s", expr, m[1], i, a[p+"comparison_operator"])
			}
			got, _ := strconv.ParseFloat(m[2], 64)
			thr, _ := strconv.ParseFloat(a[p+"threshold"], 64)
			if math.Abs(got-thr) > 1e-4+1e-9*math.Abs(thr) {
				return fmt.Errorf("rule %q threshold %g, trigger %d threshold %g", expr, got, i, thr)
			}
		}
		return nil
	})
}

// checkRecommendedParameters asserts the memory settings are present with
// positive integer values (base units, as a parameter group takes), and
// max_connections too when recommended.
func checkRecommendedParameters(name string) resource.TestCheckFunc {
	return outCheck(name, func(a map[string]string) error {
		params, err := outMap(a, "recommended_parameters")
		if err != nil {
			return err
		}
		for _, k := range []string{"shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem", "max_connections"} {
			v, ok := params[k]
			if !ok && k == "max_connections" {
				continue // recommended only when the node needs more or has more than RDS's default
			}
			if !ok {
				return fmt.Errorf("recommended_parameters lacks %s (has %v)", k, slices.Sorted(maps.Keys(params)))
			}
			if _, ok := analysis.FormulaPages(v, 1<<30); ok && (k == "shared_buffers" || k == "effective_cache_size") {
				continue // an RDS or Aurora formula, which a parameter group takes as it is
			}
			if n, err := strconv.ParseInt(v, 10, 64); err != nil || n <= 0 {
				return fmt.Errorf("recommended_parameters.%s = %q, want a positive integer", k, v)
			}
		}
		return nil
	})
}

// checkPendingReboot asserts pending_reboot_parameters names, sorted, exactly
// the recommended_parameters that the harness PostgreSQL reads only at server
// start (static: pg_settings' context postmaster).
func checkPendingReboot(name string, static map[string]bool) resource.TestCheckFunc {
	return outCheck(name, func(a map[string]string) error {
		params, err := outMap(a, "recommended_parameters")
		if err != nil {
			return err
		}
		var want []string
		for _, k := range slices.Sorted(maps.Keys(params)) {
			if static[k] {
				want = append(want, k)
			}
		}
		n, err := strconv.Atoi(a["pending_reboot_parameters.#"])
		if err != nil {
			return fmt.Errorf("pending_reboot_parameters.# = %q: %w", a["pending_reboot_parameters.#"], err)
		}
		got := make([]string, n)
		for i := range got {
			got[i] = a[fmt.Sprintf("pending_reboot_parameters.%d", i)]
		}
		if len(want) == 0 || !slices.Equal(got, want) {
			return fmt.Errorf("pending_reboot_parameters %q, want %q (PostgreSQL's postmaster parameters among %q)",
				got, want, slices.Sorted(maps.Keys(params)))
		}
		return nil
	})
}

// harnessStatic reads the names of the parameters the harness PostgreSQL
// reads only at server start (pg_settings' context postmaster).
func harnessStatic(t *testing.T) map[string]bool {
	t.Helper()
	conn, ctx := acctest.PGConn(t)
	defer func() { _ = conn.Close(ctx) }()
	rows, err := conn.Query(ctx, "SELECT name FROM pg_catalog.pg_settings WHERE context = 'postmaster'")
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	if !out["shared_buffers"] {
		t.Fatalf("pg_settings lists %d postmaster parameters, not shared_buffers", len(out))
	}
	return out
}

func TestAccRecommendationOutputs_valid(t *testing.T) {
	static := harnessStatic(t)
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	ds := "data.rightsize_single_node_recommendation."
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, demoRecommendationsHCL(now.Format(time.RFC3339), 28)),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkChartsSVG(ds+"sso"),
				checkChartsSVG(ds+"mandible"),
				checkReportMarkdown(ds+"sso", "sso-prod"),
				checkReportMarkdown(ds+"mandible", "mandible-prod"),
				checkInfracostYAML(ds+"sso", "aws_rds_cluster.sso_prod", "read_requests_per_sec", "write_requests_per_sec"),
				checkInfracostYAML(ds+"mandible", "aws_db_instance.mandible_prod", "monthly_standard_io_requests"),
				checkPrometheusRules(ds+"sso"),
				checkPrometheusRules(ds+"mandible"),
				checkRollbackTriggers(ds+"sso"),
				checkRollbackTriggers(ds+"mandible"),
				// The first trigger is CPU's: on Aurora by the cluster's WRITER role, on RDS by instance.
				resource.TestCheckResourceAttr(ds+"sso", "rollback_triggers.0.metric_name", "CPUUtilization"),
				resource.TestCheckResourceAttr(ds+"sso", "rollback_triggers.0.dimensions.%", "2"),
				resource.TestCheckResourceAttr(ds+"sso", "rollback_triggers.0.dimensions.DBClusterIdentifier", "sso-prod"),
				resource.TestCheckResourceAttr(ds+"sso", "rollback_triggers.0.dimensions.Role", "WRITER"),
				resource.TestCheckResourceAttr(ds+"mandible", "rollback_triggers.0.dimensions.%", "1"),
				resource.TestCheckResourceAttr(ds+"mandible", "rollback_triggers.0.dimensions.DBInstanceIdentifier", "mandible-prod"),
				checkRecommendedParameters(ds+"sso"),
				checkRecommendedParameters(ds+"mandible"),
				checkPendingReboot(ds+"sso", static),
				checkPendingReboot(ds+"mandible", static),
				// The demo's peaks fit RDS's default max_connections on their classes: not recommended.
				resource.TestCheckNoResourceAttr(ds+"mandible", "recommended_parameters.max_connections"),
				resource.TestCheckNoResourceAttr(ds+"sso", "recommended_parameters.max_connections"),
				// Neither gets wal_buffers: PostgreSQL sizes it (up to a 64 MB WAL segment on RDS).
				resource.TestCheckNoResourceAttr(ds+"mandible", "recommended_parameters.wal_buffers"),
				resource.TestCheckNoResourceAttr(ds+"sso", "recommended_parameters.wal_buffers"),
			),
		}},
	})
}

// harnessMaxConnections reads max_connections from the harness PostgreSQL.
func harnessMaxConnections(t *testing.T) int {
	t.Helper()
	var s string
	conn, ctx := acctest.PGConn(t)
	defer func() { _ = conn.Close(ctx) }()
	if err := conn.QueryRow(ctx, "SELECT current_setting('max_connections')").Scan(&s); err != nil {
		t.Fatalf("reading max_connections: %v", err)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkReason asserts the data source has (or, with want "", lacks) a reason
// whose check is check, and that its message contains want.
func checkReason(name, check, want string) resource.TestCheckFunc {
	return outCheck(name, func(a map[string]string) error {
		for i := 0; ; i++ {
			c, ok := a[fmt.Sprintf("reasons.%d.check", i)]
			if !ok {
				if want == "" {
					return nil
				}
				return fmt.Errorf("no reason %s", check)
			}
			if c != check {
				continue
			}
			msg := a[fmt.Sprintf("reasons.%d.message", i)]
			if want == "" {
				return fmt.Errorf("unexpected reason %s: %s", check, msg)
			}
			if !strings.Contains(msg, want) {
				return fmt.Errorf("reason %s message %q does not contain %q", check, msg, want)
			}
			if a[fmt.Sprintf("reasons.%d.passed", i)] != "true" {
				return fmt.Errorf("reason %s failed: %s", check, msg)
			}
			return nil
		}
	})
}

func TestAccRecommendationOutputs_postgresFacts(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	maxConns := harnessMaxConnections(t)
	provider := acctest.SandboxProvider(srv)
	provider.Postgres = acctest.HarnessPostgres(t)
	ds := "data.rightsize_single_node_recommendation."
	same := func(attr string) resource.TestCheckFunc {
		return resource.TestCheckResourceAttrPair(ds+"facts", attr, ds+"plain", attr)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: provider.HCL() + fmt.Sprintf(`
data "rightsize_single_node_recommendation" "facts" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  end_time              = %[1]q
  use_provider_postgres = true
}
data "rightsize_single_node_recommendation" "plain" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  end_time              = %[1]q
}
`, now.Format(time.RFC3339)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(ds+"facts", "verdict", "consolidate"),
				resource.TestCheckResourceAttr(ds+"facts", "monthly_savings", "53.29"),
				same("verdict"),
				same("single_node_sufficient"),
				same("monthly_savings"),
				same("current_monthly_cost"),
				same("proposed_monthly_cost"),
				same("projected_cpu_p99"),
				same("projected_cpu_p95"),
				same("recommended_instance_class"),
				same("infracost_usage_yaml"),
				same("migration_window.weekday"),
				same("migration_window.start_hour_utc"),
				// The facts were read: the connections check against the
				// server's max_connections appears only with them.
				checkReason(ds+"facts", "connections_peak_with_headroom", fmt.Sprintf("max_connections %d", maxConns)),
				checkReason(ds+"plain", "connections_peak_with_headroom", ""),
				// sso-prod's peak with headroom fits the server's max_connections, which is below RDS's
				// default on the class: not recommended (and never below the server's).
				resource.TestCheckNoResourceAttr(ds+"facts", "recommended_parameters.max_connections"),
				outCheck(ds+"facts", func(a map[string]string) error {
					if v, ok := a["recommended_parameters.max_connections"]; ok {
						if n, err := strconv.Atoi(v); err != nil || n < maxConns {
							return fmt.Errorf("recommended max_connections %q, server's %d: a cut", v, maxConns)
						}
					}
					return nil
				}),
			),
		}},
	})
}

func TestAccRecommendationOutputs_postgresClosedPort(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: sandboxNow()})
	// A port nothing listens on: bind one, then close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "x" {
  db_cluster_identifier = "sso-prod"
  postgres = {
    host     = "127.0.0.1"
    port     = %d
    username = "postgres"
    database = "postgres"
    sslmode  = "disable"
  }
}
`, port)),
			// An attribute error on postgres (terraform quotes its line) naming host and port.
			ExpectError: regexp.MustCompile(fmt.Sprintf(`(?s)Unable to Read PostgreSQL Facts.*postgres = \{.*127\.0\.0\.1:%d`, port)),
		}},
	})
}

// With the provider's postgres.password not known until apply, use_provider_postgres reports it
// by name during plan; a data source that sets the password itself reads the facts regardless.
func TestAccRecommendationOutputs_postgresUnknownPassword(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	provider := acctest.SandboxProvider(srv)
	provider.Postgres = acctest.HarnessPostgres(t)
	provider.Postgres["password"] = "terraform_data.pw.output"
	cfg := func(body string) string {
		return "resource \"terraform_data\" \"pw\" {\n  input = \"pw\"\n}\n" + provider.HCL() + fmt.Sprintf(`
data "rightsize_single_node_recommendation" "x" {
  db_cluster_identifier = "sso-prod"
  end_time              = %q
  %s
}
`, now.Format(time.RFC3339), body)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      cfg("use_provider_postgres = true"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)PostgreSQL Connection Not Known Until Apply.*use_provider_postgres.*postgres\.password\s+is\s+not\s+known\s+until\s+apply`),
		}, {
			Config: cfg(`postgres = { password = "set-here" }`),
			Check:  checkReason("data.rightsize_single_node_recommendation.x", "connections_peak_with_headroom", "max_connections"),
		}},
	})
}

// TestAccRecommendationWALSizes: on RDS, the recommended WAL sizes follow the writer's lowest
// FreeStorageSpace as CloudWatch reports it (a quarter of it, as a power of two from 256 MB to 8 GB);
// Aurora gets none. mandible-prod's volume is shrunk so that little is free. Its connections are
// also grown, and its PostgreSQL facts read from the harness, whose max_connections the peak with
// headroom then needs more than: it is raised.
func TestAccRecommendationWALSizes(t *testing.T) {
	now := sandboxNow()
	sc := sandbox.Demo()
	sc.Instances[0].AllocatedStorage = 48
	sc.Instances[0].Workload.Connections = 70
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	maxConns := harnessMaxConnections(t)
	provider := acctest.SandboxProvider(srv)
	provider.Postgres = acctest.HarnessPostgres(t)
	// The storage in use only grows: the lowest free storage is the window's last datapoint.
	free, ok := srv.MetricValue("mandible-prod", sandbox.MetricFreeStorageSpace, now.Add(-5*time.Minute))
	if !ok || !(free > 1<<30 && free < 8<<30) {
		t.Fatalf("mandible-prod's FreeStorageSpace %v (%t), want 1–8 GiB for this test", free, ok)
	}
	wantMax := 8192
	for wantMax > 256 && float64(wantMax)*(1<<20) > free/4 {
		wantMax /= 2
	}
	ds := "data.rightsize_single_node_recommendation."
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: provider.HCL() + fmt.Sprintf(`
data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  end_time              = %[1]q
}
data "rightsize_single_node_recommendation" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 28
  end_time               = %[1]q
  use_provider_postgres  = true
}
`, now.Format(time.RFC3339)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(ds+"mandible", "recommended_parameters.max_wal_size", strconv.Itoa(wantMax)),
				resource.TestCheckResourceAttr(ds+"mandible", "recommended_parameters.min_wal_size", strconv.Itoa(max(128, wantMax/4))),
				resource.TestCheckNoResourceAttr(ds+"sso", "recommended_parameters.max_wal_size"),
				resource.TestCheckNoResourceAttr(ds+"sso", "recommended_parameters.min_wal_size"),
				outCheck(ds+"mandible", func(a map[string]string) error {
					if n, err := strconv.Atoi(a["recommended_parameters.max_connections"]); err != nil || n <= maxConns {
						return fmt.Errorf("max_connections %q, want a raise above the server's %d", a["recommended_parameters.max_connections"], maxConns)
					}
					return nil
				}),
				resource.TestCheckTypeSetElemAttr(ds+"mandible", "pending_reboot_parameters.*", "max_connections"),
				resource.TestCheckNoResourceAttr(ds+"sso", "recommended_parameters.max_connections"),
			),
		}},
	})
	t.Logf("lowest free storage %.2f GiB: max_wal_size %d MB", free/(1<<30), wantMax)
}

// TestAccRecommendationOutputs_withoutReport: include_report = false leaves report_markdown and
// charts_svg null, most of what the data source stores (about 100 KB of some 110 KB per
// deployment in the state, and in every plan file), and every other attribute as the default
// gives it, Infracost usage file included; include_report = true is the default.
func TestAccRecommendationOutputs_withoutReport(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	const ds = "data.rightsize_single_node_recommendation."
	body := func(name, include string) string {
		return fmt.Sprintf(`
data "rightsize_single_node_recommendation" %q {
  db_cluster_identifier = "sso-prod"
  end_time              = %q
  %s
}
`, name, now.Format(time.RFC3339), include)
	}
	sameButReport := func(s *terraform.State) error {
		full, err := outAttrs(s, ds+"full")
		if err != nil {
			return err
		}
		lean, err := outAttrs(s, ds+"lean")
		if err != nil {
			return err
		}
		heavy := func(k string) bool {
			return k == "report_markdown" || strings.HasPrefix(k, "charts_svg.") || k == "include_report"
		}
		fullBytes, leanBytes := 0, 0
		for k, v := range full {
			fullBytes += len(v)
			if heavy(k) {
				continue
			}
			if lv, ok := lean[k]; !ok || lv != v {
				return fmt.Errorf("%s: %.80q with the report, %.80q (present %t) without it", k, v, lv, ok)
			}
		}
		for k, v := range lean {
			leanBytes += len(v)
			if _, ok := full[k]; !ok && !heavy(k) {
				return fmt.Errorf("%s = %q only without the report", k, v)
			}
		}
		if md, ok := lean["report_markdown"]; ok {
			return fmt.Errorf("report_markdown is %d bytes without the report, want null", len(md))
		}
		if n, ok := lean["charts_svg.%"]; ok {
			return fmt.Errorf("charts_svg has %s elements without the report, want null", n)
		}
		if full["infracost_usage_yaml"] == "" {
			return errors.New("infracost_usage_yaml is empty")
		}
		if leanBytes*5 > fullBytes {
			return fmt.Errorf("without the report the data source holds %d bytes, with it %d: want less than a fifth", leanBytes, fullBytes)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, body("full", "")+body("lean", "include_report = false")+body("explicit", "include_report = true")),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkChartsSVG(ds+"full"),
				checkReportMarkdown(ds+"full", "sso-prod"),
				checkChartsSVG(ds+"explicit"),
				checkReportMarkdown(ds+"explicit", "sso-prod"),
				sameButReport,
			),
		}},
	})
}

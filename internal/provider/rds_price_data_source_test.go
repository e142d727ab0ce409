package provider

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccRDSPrice_catalog prices the seed's classes from the embedded catalog; expected values are the catalog's
// (/work/shared/data/rds-instance-classes.csv, 2024 list prices).
func TestAccRDSPrice_catalog(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "empty", Now: time.Now().UTC().Truncate(time.Hour)})
	cases := []struct {
		name, class, engine, deployment, region string
		hourly                                  float64
		vcpu                                    int64
		mem                                     float64
		// the burstable class's baseline and surplus credit price (null: -1)
		baseline, creditPrice float64
	}{
		{"mandible_maz", "db.t4g.large", "rds-postgresql", "multi-az", "", 0.258, 2, 8, 30, 0.075},
		{"mandible_saz", "db.t4g.large", "rds-postgresql", "single-az", "", 0.129, 2, 8, 30, 0.075},
		{"sso_reader", "db.t4g.medium", "aurora-postgresql", "single-az", "", 0.073, 2, 4, 20, -1},
		{"sso_pair", "db.t4g.medium", "aurora-postgresql", "multi-az", "", 0.146, 2, 4, 20, -1},
		{"r6g_ireland", "db.r6g.large", "rds-postgresql", "multi-az", "eu-west-1", 0.504, 2, 16, -1, -1},
	}
	var body string
	var checks []statecheck.StateCheck
	for _, c := range cases {
		region := ""
		if c.region != "" {
			region = fmt.Sprintf("\n  region = %q", c.region)
		}
		body += fmt.Sprintf(`
data "rightsize_rds_price" %q {
  instance_class = %q
  engine         = %q
  deployment     = %q%s
}
`, c.name, c.class, c.engine, c.deployment, region)
		ds := "data.rightsize_rds_price." + c.name
		wantRegion := c.region
		if wantRegion == "" {
			wantRegion = "us-east-1"
		}
		checks = append(checks,
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("hourly_usd"), knownvalue.Float64Exact(c.hourly)),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("monthly_usd"), knownvalue.Float64Exact(c.hourly*730)),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("hours_per_month"), knownvalue.Int64Exact(730)),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("source"), knownvalue.StringExact("catalog")),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("region"), knownvalue.StringExact(wantRegion)),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("vcpu"), knownvalue.Int64Exact(c.vcpu)),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("memory_gib"), knownvalue.Float64Exact(c.mem)),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("source_date"), knownvalue.StringRegexp(regexp.MustCompile(`^2024-\d\d-\d\d$`))),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("cpu_baseline_percent"), floatOrNull(c.baseline)),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("cpu_credit_usd_per_vcpu_hour"), floatOrNull(c.creditPrice)),
		)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: acctest.SandboxProvider(srv).HCL() + body, ConfigStateChecks: checks},
			{Config: acctest.SandboxProvider(srv).HCL() + body, PlanOnly: true},
		},
	})
}

// floatOrNull expects v, or null when v is -1.
func floatOrNull(v float64) knownvalue.Check {
	if v == -1 {
		return knownvalue.Null()
	}
	return knownvalue.Float64Exact(v)
}

// TestAccRDSPrice_pricingAPIFallback: with use_pricing_api the provider calls the Price List endpoint (here the
// sandbox, which does not serve it), warns, and falls back to the catalog.
func TestAccRDSPrice_pricingAPIFallback(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "empty", Now: time.Now().UTC().Truncate(time.Hour)})
	ds := "data.rightsize_rds_price.p"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.SandboxProvider(srv).HCL() + `
data "rightsize_rds_price" "p" {
  instance_class  = "db.r6g.xlarge"
  engine          = "aurora-postgresql"
  deployment      = "single-az"
  use_pricing_api = true
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("source"), knownvalue.StringExact("catalog")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("hourly_usd"), knownvalue.Float64Exact(0.519)),
			},
			Check: func(*terraform.State) error {
				// The Price List request reached the endpoint, which does not serve it (an error status).
				for _, e := range srv.Log() {
					if e.Status >= 400 && (strings.Contains(e.Operation, "GetProducts") || e.Operation == "") {
						return nil
					}
				}
				return fmt.Errorf("no Price List request reached the sandbox: %+v", srv.Log())
			},
		}},
	})
}

func TestAccRDSPrice_badInputs(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "empty", Now: time.Now().UTC().Truncate(time.Hour)})
	step := func(body, want string) resource.TestStep {
		return resource.TestStep{Config: acctest.SandboxProvider(srv).HCL() + body, ExpectError: regexp.MustCompile(strings.ReplaceAll(want, " ", `\s+`))} // terraform wraps long lines
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`data "rightsize_rds_price" "p" {
  instance_class = "db.x2g.large"
  engine         = "rds-postgresql"
  deployment     = "single-az"
}`, `(?s)Unsupported Instance Class.*instance_class.*db\.t3, db\.t4g, db\.m5, db\.m6g, db\.m6i, db\.m7g, db\.r5, db\.r6g,\s+db\.r6i, db\.r7g`),
			step(`data "rightsize_rds_price" "p" {
  instance_class = "db.r7g.large"
  engine         = "aurora-postgresql"
  deployment     = "single-az"
  region         = "eu-central-1"
}`, `(?s)Price Not Available.*region.*eu-central-1`),
			step(`data "rightsize_rds_price" "p" {
  instance_class = "db.r6g.large"
  engine         = "rds-postgresql"
  deployment     = "single-az"
  region         = "sa-east-1"
}`, `(?s)Price Not Available.*sa-east-1.*use_pricing_api`),
			// With use_pricing_api already on (the sandbox does not serve the Price List API), the
			// error does not tell the user to turn it on.
			step(`data "rightsize_rds_price" "p" {
  instance_class  = "db.r6g.large"
  engine          = "rds-postgresql"
  deployment      = "single-az"
  region          = "sa-east-1"
  use_pricing_api = true
}`, `(?s)Price Not Available.*sa-east-1.*The AWS Price List API was asked too`),
			step(`data "rightsize_rds_price" "p" {
  instance_class = "db.m6g.large"
  engine         = "aurora-postgresql"
  deployment     = "single-az"
}`, `(?s)Price Not Available.*instance_class.*does not offer`),
			step(`data "rightsize_rds_price" "p" {
  instance_class = "db.r6g.large"
  engine         = "mysql"
  deployment     = "single-az"
}`, `(?s)engine.*value must be one of`),
			step(`data "rightsize_rds_price" "p" {
  instance_class = "db.r6g.large"
  engine         = "rds-postgresql"
  deployment     = "three-az"
}`, `(?s)deployment.*value must be one of`),
			step(`data "rightsize_rds_price" "p" {
  instance_class = "r6g.large"
  engine         = "rds-postgresql"
  deployment     = "single-az"
}`, `(?s)instance_class.*db\.<family>\.<size>`),
		},
	})
}

// exampleConfig is the sandbox's provider block followed by the documentation examples of the named data sources.
func exampleConfig(t *testing.T, srv *sandbox.Server, names ...string) string {
	t.Helper()
	var cfg strings.Builder
	cfg.WriteString(acctest.SandboxProvider(srv).HCL())
	for _, f := range names {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "data-sources", f, "data-source.tf"))
		if err != nil {
			t.Fatalf("reading example %s: %v", f, err)
		}
		cfg.Write(b)
	}
	return cfg.String()
}

// TestAccDataSourceExamples applies the documentation examples of rightsize_utilization and rightsize_rds_price
// against the sandbox with its clock at the current hour, to which the utilization example's pinned end_time is
// moved: the provider judges CloudWatch's retention by the real clock, so the example's own date, fixed, would
// fail the test once its window's start is older than CloudWatch keeps (455 days).
// TestAccDataSourceExamples_fleet applies rightsize_fleet's and rightsize_single_node_recommendation's, and
// TestAccPostgresStatsDataSource_example plans rightsize_postgres_stats's against PostgreSQL.
func TestAccDataSourceExamples(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	cfg := exampleConfig(t, srv, "rightsize_utilization", "rightsize_rds_price")
	const pinned = `end_time = "2026-11-02T12:00:00Z"`
	if n := strings.Count(cfg, pinned); n != 2 {
		t.Fatalf("the utilization example pins %d window(s) with %s, want 2: update this test with the example", n, pinned)
	}
	cfg = strings.ReplaceAll(cfg, pinned, fmt.Sprintf("end_time = %q", now.Format(time.RFC3339)))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("sso_pattern", knownvalue.StringRegexp(regexp.MustCompile(`-cycle$`))),
				// Both windows are pinned (end_time), so the refresh after apply reads the same data.
				statecheck.ExpectKnownOutputValue("mandible_memory_utilization_p95", knownvalue.Float64Func(func(v float64) error {
					if !(v > 0 && v < 100) {
						return fmt.Errorf("memory utilization p95 %v, want a percentage", v)
					}
					return nil
				})),
				statecheck.ExpectKnownOutputValue("cloudwatch_requests", knownvalue.Int64Func(func(n int64) error {
					if n < 1 {
						return fmt.Errorf("requests_made = %d", n)
					}
					return nil
				})),
				// db.t4g.large us-east-1: Multi-AZ 0.258 − Single-AZ 0.129 $/h.
				statecheck.ExpectKnownOutputValue("monthly_savings_going_single_az", knownvalue.Float64Func(func(v float64) error {
					if math.Abs(v-0.129*730) > 1e-6 {
						return fmt.Errorf("savings %v, want %v", v, 0.129*730)
					}
					return nil
				})),
			},
		}},
	})
}

// TestAccDataSourceExamples_fleet applies the documentation examples of rightsize_fleet and
// rightsize_single_node_recommendation against the demo sandbox with its clock at the current hour: like a
// user's, their windows end now.
func TestAccDataSourceExamples_fleet(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: sandboxNow()})
	cfg := exampleConfig(t, srv, "rightsize_fleet", "rightsize_single_node_recommendation")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				// The fleet example selects both demo clusters by name and tag (the demo scenario tags them
				// environment = production), lower traffic first, and adds up their savings: an Aurora db.t4g.medium
				// reader (0.073 $/h), db.t4g.large's Multi-AZ surcharge (0.129 $/h) and half its 100 GiB of gp3
				// storage, which Multi-AZ bills twice ($11.50 a month).
				statecheck.ExpectKnownOutputValue("phase_order", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("sso-prod"), knownvalue.StringExact("mandible-prod")})),
				statecheck.ExpectKnownOutputValue("fleet_savings", knownvalue.Float64Func(func(v float64) error {
					if want := (0.073+0.129)*730 + 11.5; math.Abs(v-want) > 0.01 {
						return fmt.Errorf("fleet savings %v, want %v", v, want)
					}
					return nil
				})),
				statecheck.ExpectKnownOutputValue("sso_verdict", knownvalue.StringExact("consolidate")),
				statecheck.ExpectKnownOutputValue("sso_monthly_savings", knownvalue.Float64Func(func(v float64) error {
					if want := 0.073 * 730; math.Abs(v-want) > 0.01 {
						return fmt.Errorf("sso savings %v, want %v", v, want)
					}
					return nil
				})),
				// The demo's maintenance window, or a quieter one, in RDS's format.
				statecheck.ExpectKnownOutputValue("sso_maintenance_window", knownvalue.StringRegexp(
					regexp.MustCompile(`^(sun|mon|tue|wed|thu|fri|sat):\d{2}:[03]0-(sun|mon|tue|wed|thu|fri|sat):\d{2}:[03]0$`))),
			},
		}},
	})
}

// TestAccRDSPrice_auroraIOOptimized: aurora_storage_type = "aurora-iopt1" prices an instance of an
// Aurora I/O-Optimized cluster as the recommendation does: the catalog's Aurora Standard price × 1.3,
// or the rate instance_prices' aurora_io_optimized gives; the data source returned the Aurora
// Standard price alone, and a configured I/O-Optimized rate was out of its reach. On another engine
// the attribute is refused.
func TestAccRDSPrice_auroraIOOptimized(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "empty", Now: time.Now().UTC().Truncate(time.Hour)})
	body := func(class, engine, storage string) string {
		return fmt.Sprintf(`
data "rightsize_rds_price" "p" {
  instance_class      = %q
  engine              = %q
  deployment          = "multi-az"
  aurora_storage_type = %q
}
`, class, engine, storage)
	}
	ds := "data.rightsize_rds_price.p"
	configured := acctest.SandboxProvider(srv)
	configured.Extra = map[string]string{"instance_prices": `[{ instance_class = "db.r6g.large", aurora_io_optimized = 0.3 }]`}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      acctest.SandboxProvider(srv).HCL() + body("db.r6g.large", "rds-postgresql", "aurora-iopt1"),
				ExpectError: regexp.MustCompile(`aurora_storage_type\s+is\s+an\s+Aurora\s+cluster's\s+storage\s+configuration:\s+set\s+engine\s+=\s+"aurora-postgresql"`),
			},
			{
				Config:      acctest.SandboxProvider(srv).HCL() + body("db.r6g.large", "aurora-postgresql", "io-optimized"),
				ExpectError: regexp.MustCompile(`(?s)aurora_storage_type.*value must be one of`),
			},
			{
				// Writer and reader: 2 × 0.26 × 1.3.
				Config: acctest.SandboxProvider(srv).HCL() + body("db.r6g.large", "aurora-postgresql", "aurora-iopt1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("hourly_usd"), knownvalue.Float64Exact(0.676)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("source"), knownvalue.StringExact("catalog")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("note"), knownvalue.StringRegexp(regexp.MustCompile(`Aurora I/O-Optimized: the Aurora Standard price × 1\.3`))),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("id"), knownvalue.StringExact("db.r6g.large/aurora-postgresql/multi-az/us-east-1/aurora-iopt1")),
				},
			},
			{
				Config: acctest.SandboxProvider(srv).HCL() + body("db.r6g.large", "aurora-postgresql", "aurora"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("hourly_usd"), knownvalue.Float64Exact(0.52)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("id"), knownvalue.StringExact("db.r6g.large/aurora-postgresql/multi-az/us-east-1")),
				},
			},
			{
				Config: configured.HCL() + body("db.r6g.large", "aurora-postgresql", "aurora-iopt1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("hourly_usd"), knownvalue.Float64Exact(0.6)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("source"), knownvalue.StringExact("provider-configuration")),
					// The configuration's rates carry no date.
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("source_date"), knownvalue.StringExact("")),
				},
			},
		},
	})
}

// TestRDSPriceValidateConfig: aurora_storage_type with an engine other than aurora-postgresql is
// refused at validation (terraform validate), on the attribute, before any read; with the Aurora
// engine, without the attribute, or with an engine known only at apply, nothing is said.
func TestRDSPriceValidateConfig(t *testing.T) {
	ctx := context.Background()
	d := &rdsPriceDataSource{}
	var sr datasource.SchemaResponse
	d.Schema(ctx, datasource.SchemaRequest{}, &sr)
	objType := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	config := func(engine, storage tftypes.Value) tfsdk.Config {
		vals := map[string]tftypes.Value{}
		for name, typ := range objType.AttributeTypes {
			vals[name] = tftypes.NewValue(typ, nil)
		}
		vals["instance_class"] = tftypes.NewValue(tftypes.String, "db.r6g.large")
		vals["deployment"] = tftypes.NewValue(tftypes.String, "single-az")
		vals["engine"], vals["aurora_storage_type"] = engine, storage
		return tfsdk.Config{Schema: sr.Schema, Raw: tftypes.NewValue(objType, vals)}
	}
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	null, unknown := tftypes.NewValue(tftypes.String, nil), tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	for _, tc := range []struct {
		name            string
		engine, storage tftypes.Value
		refused         bool
	}{
		{"rds engine", str("rds-postgresql"), str("aurora-iopt1"), true},
		{"rds engine, Standard", str("rds-postgresql"), str("aurora"), true},
		{"aurora engine", str("aurora-postgresql"), str("aurora-iopt1"), false},
		{"no storage type", str("rds-postgresql"), null, false},
		{"engine unknown", unknown, str("aurora-iopt1"), false},
	} {
		var resp datasource.ValidateConfigResponse
		d.ValidateConfig(ctx, datasource.ValidateConfigRequest{Config: config(tc.engine, tc.storage)}, &resp)
		var paths []string
		for _, e := range resp.Diagnostics.Errors() {
			if pd, ok := e.(diag.DiagnosticWithPath); ok {
				paths = append(paths, pd.Path().String())
			}
		}
		if tc.refused != (fmt.Sprint(paths) == "[aurora_storage_type]") || !tc.refused && resp.Diagnostics.HasError() {
			t.Errorf("%s: errors at %v (%v), want refused %v", tc.name, paths, resp.Diagnostics.Errors(), tc.refused)
		}
	}
}

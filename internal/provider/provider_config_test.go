package provider

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pgstats"
)

func TestResolvePostgres_envFallbacks(t *testing.T) {
	env := map[string]string{
		"PGHOST": "db.internal", "PGPORT": "6543", "PGDATABASE": "chat", "PGUSER": "rightsize",
		"PGPASSWORD": "s3cret", "PGSSLMODE": "require",
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }

	got, errs := resolvePostgres(nil, lookup)
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %+v", errs)
	}
	want := PostgresSettings{Host: "db.internal", Port: 6543, Database: "chat", Username: "rightsize", Password: "s3cret",
		SSLMode: "require", ConnectTimeout: 10 * time.Second, StatementTimeout: 30 * time.Second}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("resolvePostgres(nil) = %+v, want %+v", got, want)
	}

	// The block wins over the environment.
	block := &postgresModel{Host: types.StringValue("block-host"), Port: types.Int64Value(5433), SSLMode: types.StringValue("disable"),
		ConnectTimeout: types.Int64Value(3), StatementTimeout: types.Int64Value(1500)}
	got, errs = resolvePostgres(block, lookup)
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %+v", errs)
	}
	if got.Host != "block-host" || got.Port != 5433 || got.SSLMode != "disable" || got.Database != "chat" ||
		got.ConnectTimeout != 3*time.Second || got.StatementTimeout != 1500*time.Millisecond {
		t.Fatalf("block did not take precedence: %+v", got)
	}
	if s := got.String(); regexp.MustCompile("s3cret").MatchString(s) {
		t.Fatalf("String() leaks the password: %s", s)
	}
}

// TestResolvePostgres_badEnv: an invalid PGPORT or PGSSLMODE fails the configuration, on the
// attribute it stands for, only when a host is configured (the block's or PGHOST): without one the
// provider dials no PostgreSQL of its own, and the problem is kept for a connection that would
// take the variable's value (envProblems, TestMergePostgres_envProblems).
func TestResolvePostgres_badEnv(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"port":    {"PGPORT": "70000"},
		"nonnum":  {"PGPORT": "five"},
		"sslmode": {"PGSSLMODE": "sometimes"},
	} {
		attr := map[string]string{"port": "port", "nonnum": "port", "sslmode": "sslmode"}[name]
		t.Run(name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			s, errs := resolvePostgres(nil, lookup)
			if len(errs) != 0 {
				t.Fatalf("no host configured: got errors %+v, want none", errs)
			}
			if _, ok := s.envProblems[attr]; !ok || len(s.envProblems) != 1 {
				t.Fatalf("envProblems %v, want one for %s", s.envProblems, attr)
			}
			withHost := func(k string) (string, bool) {
				if k == "PGHOST" {
					return "db.internal", true
				}
				return lookup(k)
			}
			for what, f := range map[string]func() (PostgresSettings, []diagError){
				"PGHOST": func() (PostgresSettings, []diagError) { return resolvePostgres(nil, withHost) },
				"postgres.host": func() (PostgresSettings, []diagError) {
					return resolvePostgres(&postgresModel{Host: types.StringValue("db.internal")}, lookup)
				},
			} {
				s, errs := f()
				if len(errs) != 1 {
					t.Fatalf("host from %s: got %d errors, want 1: %+v", what, len(errs), errs)
				}
				if errs[0].path.String() != "postgres."+attr {
					t.Fatalf("host from %s: error on %s", what, errs[0].path)
				}
				if len(s.envProblems) != 0 {
					t.Fatalf("host from %s: reported and kept: %v", what, s.envProblems)
				}
			}
		})
	}
}

func TestMarkdownList(t *testing.T) {
	for in, want := range map[string]string{"": "", "a": "`a`", "a,b": "`a` or `b`", "a,b,c": "`a`, `b` or `c`"} {
		var vs []string
		if in != "" {
			vs = regexp.MustCompile(",").Split(in, -1)
		}
		if got := markdownList(vs); got != want {
			t.Errorf("markdownList(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAccProvider_badConfig runs terraform against provider blocks that must
// be rejected, each with the attribute named in the error.
func TestAccProvider_badConfig(t *testing.T) {
	cases := []struct {
		name   string
		config string
		want   string
	}{
		{"profile and static keys", `profile = "prod"` + "\n" + `access_key = "AKID"` + "\n" + `secret_key = "x"`, `(?s)profile.*access_key|access_key.*profile`},
		{"access key without secret", `access_key = "AKID"`, `(?s)secret_key`},
		{"endpoint not a URL", `endpoints { rds = "localhost:4566" }`, `(?s)endpoints\.rds.*not an absolute URL`},
		{"port out of range", `postgres { port = 70000 }`, `(?s)postgres\.port.*between 1 and 65535`},
		{"connect timeout out of range", `postgres { connect_timeout = 0 }`, `(?s)postgres\.connect_timeout.*between 1 and 300`},
		{"statement timeout out of range", `postgres { statement_timeout = 10 }`, `(?s)postgres\.statement_timeout`},
		{"unknown sslmode", `postgres { sslmode = "sometimes" }`, `(?s)postgres\.sslmode.*value must be one of`},
		{"region", `region = "US East"`, `(?s)region.*AWS region name`},
		{"max retries", `max_retries = 100`, `(?s)max_retries.*between 1 and 25`},
		{"role arn", `assume_role { role_arn = "admin" }`, `(?s)assume_role\.role_arn.*IAM role ARN`},
		{"assume role without arn", `assume_role { session_name = "x1" }`, `(?s)Missing Role ARN.*assume_role\.role_arn is not set`},
		{"profile not in the shared files", `region = "us-east-1"` + "\n" + `profile = "rightsize-no-such-profile"`, `(?s)AWS Profile Not Found.*"rightsize-no-such-profile".*Check\s+profile`},
		{"iam auth with password", `postgres {` + "\n" + `iam_auth = true` + "\n" + `password = "pw"` + "\n}", `(?s)postgres\.password.*iam_auth`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      "provider \"rightsize\" {\n" + tc.config + "\n}\n" + providerProbe,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// providerProbe makes terraform configure the provider during plan.
const providerProbe = `data "rightsize_test_probe" "p" {}`

// TestAccProvider_valid plans a full valid configuration; the PostgreSQL host
// is unreachable, which must not matter to a plan that does not read it.
func TestAccProvider_valid(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "rightsize" {
  region      = "eu-west-1"
  max_retries = 3
  access_key  = "AKIDEXAMPLE"
  secret_key  = "secret"
  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/rightsize"
    session_name = "ci"
    duration     = 900
  }
  endpoints {
    rds                     = "http://127.0.0.1:1"
    cloudwatch              = "http://127.0.0.1:1"
    application_autoscaling = "http://127.0.0.1:1"
    pricing                 = "http://127.0.0.1:1"
    sts                     = "http://127.0.0.1:1"
  }
  postgres {
    host              = "192.0.2.1" # TEST-NET-1: never reachable
    port              = 5432
    database          = "chat"
    username          = "rightsize"
    password          = "pw"
    sslmode           = "verify-full"
    connect_timeout   = 1
    statement_timeout = 5000
  }
}
` + providerProbe,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("region"), knownvalue.StringExact("eu-west-1")),
				statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_host"), knownvalue.StringExact("192.0.2.1")),
				statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_sslmode"), knownvalue.StringExact("verify-full")),
				statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_has_password"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("aws_clients_use_sdkhttp"), knownvalue.Bool(true)),
			},
		}},
	})
}

// TestAccProvider_pgEnvFallbacks checks that PG* variables fill what the
// postgres block leaves out, and that the block wins where it is set.
func TestAccProvider_pgEnvFallbacks(t *testing.T) {
	t.Setenv("PGHOST", "pg.example.internal")
	t.Setenv("PGPORT", "6432")
	t.Setenv("PGDATABASE", "chat")
	t.Setenv("PGUSER", "monitor")
	t.Setenv("PGPASSWORD", "from-env")
	t.Setenv("PGSSLMODE", "require")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "rightsize" {
  region = "us-east-1"
  postgres {
    database = "override"
  }
}
` + providerProbe,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_host"), knownvalue.StringExact("pg.example.internal")),
				statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_port"), knownvalue.Int64Exact(6432)),
				statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_database"), knownvalue.StringExact("override")),
				statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_username"), knownvalue.StringExact("monitor")),
				statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_sslmode"), knownvalue.StringExact("require")),
				statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_has_password"), knownvalue.Bool(true)),
			},
		}},
	})
}

// TestAccProvider_badPGEnv: a bad PGSSLMODE is reported on postgres.sslmode when the provider's
// connection would use it (PGHOST is set).
func TestAccProvider_badPGEnv(t *testing.T) {
	t.Setenv("PGSSLMODE", "sometimes")
	t.Setenv("PGHOST", "192.0.2.1")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      "provider \"rightsize\" {\n  region = \"us-east-1\"\n}\n" + providerProbe,
			ExpectError: regexp.MustCompile(`(?s)Invalid PGSSLMODE.*sometimes`),
		}},
	})
}

// Every endpoint the provider builds a client for is checked for an unknown value (an unknown one
// left out would fall back to the real AWS endpoint); the postgres block's unknown attributes are
// not refused at configure time but recorded, and resolved by a data source's override.
func TestUnknownAttributes(t *testing.T) {
	null := types.StringNull()
	eps := endpointsModel{RDS: null, CloudWatch: null, ApplicationAutoScaling: null, Pricing: null, STS: null}
	for name, set := range map[string]func(*endpointsModel){
		"rds": func(e *endpointsModel) { e.RDS = types.StringUnknown() }, "cloudwatch": func(e *endpointsModel) { e.CloudWatch = types.StringUnknown() },
		"application_autoscaling": func(e *endpointsModel) { e.ApplicationAutoScaling = types.StringUnknown() },
		"pricing":                 func(e *endpointsModel) { e.Pricing = types.StringUnknown() }, "sts": func(e *endpointsModel) { e.STS = types.StringUnknown() },
	} {
		e := eps
		set(&e)
		got := unknownAttributes(providerModel{Endpoints: &e})
		if len(got) != 1 || got[0].String() != "endpoints."+name {
			t.Errorf("unknown endpoints.%s: unknownAttributes = %v", name, got)
		}
	}

	pg := &postgresModel{Host: types.StringValue("db.internal"), Password: types.StringUnknown(), Port: types.Int64Unknown()}
	if got := unknownAttributes(providerModel{Postgres: pg}); len(got) != 0 {
		t.Errorf("unknown postgres attributes refused at configure time: %v", got)
	}
	s, errs := resolvePostgres(pg, func(string) (string, bool) { return "", false })
	if len(errs) != 0 || !reflect.DeepEqual(s.Unknown, []string{"port", "password"}) || s.Port != DefaultPostgresPort || !s.Configured() {
		t.Fatalf("resolvePostgres = %+v, %v: want port and password unknown, the default port", s, errs)
	}
	_, err := pgConnConfig(context.Background(), &ProviderData{}, s)
	if err == nil || !strings.Contains(err.Error(), "postgres.port, postgres.password are not known until apply") {
		t.Errorf("pgConnConfig with unknown settings: %v", err)
	}
	override := types.ObjectValueMust(recPostgresAttrTypes(), map[string]attr.Value{
		"host": types.StringNull(), "port": types.Int64Value(5433), "database": types.StringNull(), "username": types.StringNull(),
		"password": types.StringValue("pw"), "sslmode": types.StringNull(), "sslrootcert": types.StringNull(), "iam_auth": types.BoolNull(),
	})
	merged, err := mergePostgres(context.Background(), s, override)
	if err != nil || len(merged.Unknown) != 0 || len(s.Unknown) != 2 {
		t.Fatalf("mergePostgres = %+v, %v: the override should resolve both (and leave the base alone: %v)", merged, err, s.Unknown)
	}
	if cc, err := pgConnConfig(context.Background(), &ProviderData{}, merged); err != nil || cc.Password != "pw" || cc.Port != 5433 {
		t.Errorf("pgConnConfig after the override = %+v, %v", cc, err)
	}
	// An IAM token replaces an unknown password.
	iam := s
	iam.Unknown, iam.IAMAuth = []string{"password"}, true
	if _, err := pgConnConfig(context.Background(), &ProviderData{}, iam); err == nil || strings.Contains(err.Error(), "not known until apply") {
		t.Errorf("pgConnConfig with iam_auth and an unknown password: %v, want the IAM error only", err)
	}
}

// recPostgresAttrTypes is the object type of a data source's postgres attribute.
func recPostgresAttrTypes() map[string]attr.Type {
	out := map[string]attr.Type{}
	for k, a := range postgresOverrideAttributes() {
		out[k] = a.GetType()
	}
	return out
}

// TestAccProvider_unknownValues: a postgres block attribute unknown at plan does not stop a plan
// that does not read PostgreSQL, and is reported, by name, by a data source that does; an unknown
// AWS endpoint, application_autoscaling included, is still refused at configure time.
func TestAccProvider_unknownValues(t *testing.T) {
	provider := func(block string) string {
		return "resource \"terraform_data\" \"v\" {\n  input = \"x\"\n}\nprovider \"rightsize\" {\n  region = \"us-east-1\"\n" + block + "\n}\n"
	}
	pg := provider(`  postgres {
    host     = "192.0.2.1" # TEST-NET-1: never dialled
    password = terraform_data.v.output
  }`)
	price := `
data "rightsize_rds_price" "p" {
  instance_class = "db.r6g.large"
  engine         = "rds-postgresql"
  deployment     = "multi-az"
}
`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             pg + price,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true, // terraform_data
		}, {
			Config:      pg + price + `data "rightsize_postgres_stats" "s" {}`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)postgres\.password\s+is\s+not\s+known\s+until\s+apply.*-target`),
		}, {
			Config:      provider("  endpoints {\n    application_autoscaling = terraform_data.v.output\n  }") + price,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Unknown Provider Configuration Value.*endpoints\.application_autoscaling\s+is\s+not\s+known`),
		}},
	})
}

// As in libpq: sslrootcert without sslmode (in the block, or from PGSSLROOTCERT) leaves the
// default prefer, also when a data source's postgres attribute gives it (a tunnel, an IP address
// or a DNS alias keeps connecting); require with sslrootcert is verify-ca, also when require comes
// from a data source over the provider's sslrootcert.
func TestResolvePostgres_sslRootCertVerifies(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	for _, c := range []struct {
		name      string
		block     *postgresModel
		env       map[string]string
		wantMode  string // PostgresSettings.SSLMode
		effective string
	}{
		{"nothing", &postgresModel{Host: types.StringValue("db.internal")}, nil, "", "prefer"},
		{"sslrootcert", &postgresModel{Host: types.StringValue("db.internal"), SSLRootCert: types.StringValue("/ca.pem")}, nil, "", "prefer"},
		{"PGSSLROOTCERT", nil, map[string]string{"PGHOST": "db.internal", "PGSSLROOTCERT": "/ca.pem"}, "", "prefer"},
		{"require with sslrootcert", &postgresModel{SSLMode: types.StringValue("require"), SSLRootCert: types.StringValue("/ca.pem")}, nil, "require", "verify-ca"},
		{"PGSSLMODE require with sslrootcert", &postgresModel{SSLRootCert: types.StringValue("/ca.pem")}, map[string]string{"PGSSLMODE": "require"}, "require", "verify-ca"},
		{"explicit prefer", &postgresModel{SSLMode: types.StringValue("prefer"), SSLRootCert: types.StringValue("/ca.pem")}, nil, "prefer", "prefer"},
		{"require with ~/.postgresql/root.crt", &postgresModel{SSLMode: types.StringValue("require")}, map[string]string{"HOME": homeWithRootCrt(t)}, "require", "verify-ca"},
		{"default with ~/.postgresql/root.crt", &postgresModel{Host: types.StringValue("db.internal")}, map[string]string{"HOME": homeWithRootCrt(t)}, "", "prefer"},
		{"require, HOME without root.crt", &postgresModel{SSLMode: types.StringValue("require")}, map[string]string{"HOME": t.TempDir()}, "require", "require"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := noEnv
			if c.env != nil {
				env = func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }
			}
			s, errs := resolvePostgres(c.block, env)
			if len(errs) != 0 {
				t.Fatalf("errors: %+v", errs)
			}
			if s.SSLMode != c.wantMode || s.EffectiveSSLMode() != c.effective || !strings.Contains(s.String(), "sslmode="+c.effective) {
				t.Errorf("SSLMode %q, effective %q, String %q: want %q, %q", s.SSLMode, s.EffectiveSSLMode(), s, c.wantMode, c.effective)
			}
		})
	}

	// A data source's sslmode require, over provider settings with sslrootcert.
	base, _ := resolvePostgres(&postgresModel{Host: types.StringValue("db.internal"), Username: types.StringValue("rightsize"),
		SSLRootCert: types.StringValue("/ca.pem")}, noEnv)
	override := types.ObjectValueMust(recPostgresAttrTypes(), map[string]attr.Value{
		"host": types.StringNull(), "port": types.Int64Null(), "database": types.StringNull(), "username": types.StringNull(),
		"password": types.StringNull(), "sslmode": types.StringValue("require"), "sslrootcert": types.StringNull(), "iam_auth": types.BoolNull(),
	})
	merged, err := mergePostgres(context.Background(), base, override)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := pgConnConfig(context.Background(), &ProviderData{}, merged)
	if err != nil {
		t.Fatal(err)
	}
	if got := pgstats.EffectiveSSLMode(cc.SSLMode, cc.SSLRootCert); got != "verify-ca" {
		t.Errorf("a data source's require over the provider's sslrootcert connects with sslmode %q, want verify-ca", got)
	}
}

// configureProvider runs the provider's Configure on a configuration with region us-east-1 and
// the given postgres block attributes (nil: no block), and returns its diagnostics. Configure
// dials nothing: PostgreSQL is opened lazily by what reads it.
func configureProvider(t *testing.T, postgres map[string]tftypes.Value) diag.Diagnostics {
	t.Helper()
	_, diags := configuredData(t, postgres)
	return diags
}

// configuredData is configureProvider's, with the ProviderData Configure gives data sources.
func configuredData(t *testing.T, postgres map[string]tftypes.Value) (*ProviderData, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	p := &rightsizeProvider{version: "test"}
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	vals := map[string]tftypes.Value{
		"region":     tftypes.NewValue(tftypes.String, "us-east-1"),
		"access_key": tftypes.NewValue(tftypes.String, "AKIDEXAMPLE"), // no shared-config or IMDS look-up
		"secret_key": tftypes.NewValue(tftypes.String, "secret"),
	}
	if postgres != nil {
		vals["postgres"] = objectOf(t, typ.AttributeTypes["postgres"].(tftypes.Object), "postgres.", postgres)
	}
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: objectOf(t, typ, "", vals)}}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("Configure failed: %v", resp.Diagnostics)
	}
	pd, _ := resp.DataSourceData.(*ProviderData)
	return pd, resp.Diagnostics
}

// Provider configuration warns, once, when the postgres settings are used with an sslmode below
// verify-ca for a host that is not local, naming the host, who would receive what, and what to
// set (sslrootcert alone leaves prefer, as in libpq); it does not for a verifying sslmode (require
// with sslrootcert included), a local host, or no PostgreSQL settings at all; require with an
// sslrootcert known after apply is not judged.
func TestConfigure_unverifiedPostgresWarning(t *testing.T) {
	for _, k := range []string{"PGHOST", "PGSSLMODE", "PGSSLROOTCERT", "PGPORT", "PGSERVICE"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", t.TempDir()) // no ~/.postgresql/root.crt, but where a case says
	withRootCrt := homeWithRootCrt(t)
	rootCrt := filepath.Join(withRootCrt, ".postgresql", "root.crt")
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	const remote = "rightsize-test.invalid" // resolves nowhere: nothing is dialled
	for _, c := range []struct {
		name     string
		postgres map[string]tftypes.Value
		env      map[string]string
		want     []string // substrings of the warning's detail; nil: no warning
	}{
		{"default sslmode", map[string]tftypes.Value{"host": str(remote)}, nil,
			[]string{`connection to "` + remote + `"`, `sslmode is not set, so it is libpq's default "prefer"`,
				"would receive the password, in cleartext if it refuses TLS", `postgres.sslmode = "verify-full"`, "global-bundle.pem", rdsCABundleURL}},
		{"require, IAM", map[string]tftypes.Value{"host": str(remote), "sslmode": str("require"), "iam_auth": tftypes.NewValue(tftypes.Bool, true)}, nil,
			[]string{`postgres.sslmode is "require"`, "would receive the RDS IAM authentication token over TLS, whatever certificate it presents"}},
		{"disable", map[string]tftypes.Value{"host": str("10.0.0.5"), "sslmode": str("disable")}, nil, []string{"in cleartext."}},
		{"PGSSLMODE", map[string]tftypes.Value{}, map[string]string{"PGHOST": remote, "PGSSLMODE": "allow"}, []string{`PGSSLMODE is "allow"`}},
		{"host known after apply", map[string]tftypes.Value{"host": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}, nil,
			[]string{"postgres.host names (known after apply)"}},
		{"sslrootcert alone", map[string]tftypes.Value{"host": str(remote), "sslrootcert": str("/etc/ssl/rds/global-bundle.pem")}, nil,
			[]string{`sslmode is not set, so it is libpq's default "prefer"`}},
		{"PGSSLROOTCERT alone", map[string]tftypes.Value{"host": str(remote)}, map[string]string{"PGSSLROOTCERT": "/ca.pem"},
			[]string{`sslmode is not set, so it is libpq's default "prefer"`}},
		{"verify-full with sslrootcert", map[string]tftypes.Value{"host": str(remote), "sslmode": str("verify-full"), "sslrootcert": str("/ca.pem")}, nil, nil},
		{"require with sslrootcert known after apply", map[string]tftypes.Value{"host": str(remote), "sslmode": str("require"),
			"sslrootcert": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}, nil, nil},
		{"sslrootcert known after apply", map[string]tftypes.Value{"host": str(remote),
			"sslrootcert": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}, nil, nil},
		{"require with sslrootcert", map[string]tftypes.Value{"host": str(remote), "sslmode": str("require"), "sslrootcert": str("/ca.pem")}, nil, nil},
		{"verify-ca", map[string]tftypes.Value{"host": str(remote), "sslmode": str("verify-ca")}, nil, nil},
		{"sslmode known after apply", map[string]tftypes.Value{"host": str(remote), "sslmode": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}, nil, nil},
		{"no postgres", nil, nil, nil},
		{"127.0.0.1", map[string]tftypes.Value{"host": str("127.0.0.1")}, nil, nil},
		{"127.0.0.53", map[string]tftypes.Value{"host": str("127.0.0.53")}, nil, nil},
		{"::1", map[string]tftypes.Value{"host": str("::1")}, nil, nil},
		{"localhost", map[string]tftypes.Value{"host": str("LocalHost.")}, nil, nil},
		{"unix socket", map[string]tftypes.Value{"host": str("/var/run/postgresql")}, nil, nil},
		{"PGHOST localhost", map[string]tftypes.Value{}, map[string]string{"PGHOST": "localhost"}, nil},
		// pgx (as libpq) takes ~/.postgresql/root.crt as the root CA file when sslrootcert is not
		// set: require is then verify-ca, which verifies the server; prefer still checks nothing.
		{"require with ~/.postgresql/root.crt", map[string]tftypes.Value{"host": str(remote), "sslmode": str("require")},
			map[string]string{"HOME": withRootCrt}, nil},
		{"PGSSLMODE require with ~/.postgresql/root.crt", map[string]tftypes.Value{"host": str(remote)},
			map[string]string{"HOME": withRootCrt, "PGSSLMODE": "require"}, nil},
		{"default sslmode with ~/.postgresql/root.crt", map[string]tftypes.Value{"host": str(remote)}, map[string]string{"HOME": withRootCrt},
			[]string{`sslmode is not set, so it is libpq's default "prefer"`, "in cleartext if it refuses TLS",
				"The root CA file " + rootCrt + ", which the connection reads when sslrootcert is not set", "not used to check the server with sslmode prefer",
				`Set postgres.sslmode = "verify-full" to check the server's certificate against it`}},
		{"require with ~/.postgresql/root.crt and sslrootcert", map[string]tftypes.Value{"host": str(remote), "sslmode": str("require"),
			"sslrootcert": str("/ca.pem")}, map[string]string{"HOME": withRootCrt}, nil},
		{"disable with ~/.postgresql/root.crt", map[string]tftypes.Value{"host": str(remote), "sslmode": str("disable")},
			map[string]string{"HOME": withRootCrt}, []string{`postgres.sslmode is "disable"`, "in cleartext.", "not used to check the server with sslmode disable"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			w := unverifiedWarning(t, configureProvider(t, c.postgres), c.want)
			if wp, ok := w.(diag.DiagnosticWithPath); w != nil && (!ok || !wp.Path().Equal(path.Root("postgres").AtName("sslmode"))) {
				t.Errorf("the warning is not on postgres.sslmode: %#v", w)
			}
		})
	}
}

// homeWithRootCrt returns a home directory holding .postgresql/root.crt (a CA certificate's PEM:
// only its existence counts until a connection reads it).
func homeWithRootCrt(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".postgresql"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".postgresql", "root.crt"), []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return home
}

// unverifiedWarning checks that diags hold no server identity warning (unverifiedPostgresSummary)
// when want is nil, else exactly one whose detail holds every string of want, and returns it (nil
// when none is wanted).
func unverifiedWarning(t *testing.T, diags diag.Diagnostics, want []string) diag.Diagnostic {
	t.Helper()
	var got []diag.Diagnostic
	for _, d := range diags.Warnings() {
		if d.Summary() == unverifiedPostgresSummary {
			got = append(got, d)
		}
	}
	if want == nil {
		if len(got) != 0 {
			t.Errorf("unexpected warning: %s", got[0].Detail())
		}
		return nil
	}
	if len(got) != 1 {
		t.Fatalf("%d server identity warnings, want 1: %v", len(got), diags)
	}
	for _, w := range want {
		if !strings.Contains(got[0].Detail(), w) {
			t.Errorf("warning detail lacks %q: %s", w, got[0].Detail())
		}
	}
	return got[0]
}

// Through terraform: sslrootcert without sslmode resolves to prefer (libpq's default), require
// with it to verify-ca, verify-full to itself (the probe reports the sslmode a connection would
// use); no plan connects.
func TestAccProvider_sslRootCertDefault(t *testing.T) {
	for _, k := range []string{"PGSSLMODE", "PGSSLROOTCERT"} {
		t.Setenv(k, "")
	}
	cfg := func(extra string) string {
		return "provider \"rightsize\" {\n  region = \"us-east-1\"\n  postgres {\n    host = \"rightsize-test.invalid\"\n" + extra + "  }\n}\n" + providerProbe
	}
	check := func(mode string) []statecheck.StateCheck {
		return []statecheck.StateCheck{statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_sslmode"), knownvalue.StringExact(mode))}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg("    sslrootcert = \"/etc/ssl/rds/global-bundle.pem\"\n"), ConfigStateChecks: check("prefer")},
			{Config: cfg("    sslmode = \"verify-full\"\n    sslrootcert = \"/etc/ssl/rds/global-bundle.pem\"\n"), ConfigStateChecks: check("verify-full")},
			{Config: cfg("    sslmode = \"require\"\n    sslrootcert = \"/etc/ssl/rds/global-bundle.pem\"\n"), ConfigStateChecks: check("verify-ca")},
			{Config: cfg(""), ConfigStateChecks: check("prefer")},
		},
	})
}

// The username falls back to PGUSER, then to the operating system user (USER), as libpq does and
// as postgres.username's description says; the block wins over both.
func TestResolvePostgres_usernameFallsBackToUSER(t *testing.T) {
	for _, c := range []struct {
		name  string
		block *postgresModel
		env   map[string]string
		want  string
	}{
		{"USER", nil, map[string]string{"USER": "alice"}, "alice"},
		{"PGUSER before USER", nil, map[string]string{"USER": "alice", "PGUSER": "monitor"}, "monitor"},
		{"block before both", &postgresModel{Username: types.StringValue("rightsize")}, map[string]string{"USER": "alice", "PGUSER": "monitor"}, "rightsize"},
		{"none", nil, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, errs := resolvePostgres(c.block, func(k string) (string, bool) { v, ok := c.env[k]; return v, ok })
			if len(errs) != 0 || got.Username != c.want {
				t.Fatalf("resolvePostgres: username %q, errors %v; want %q", got.Username, errs, c.want)
			}
		})
	}
	var resp provider.SchemaResponse
	(&rightsizeProvider{}).Schema(context.Background(), provider.SchemaRequest{}, &resp)
	d := resp.Schema.Blocks["postgres"].GetNestedObject().GetAttributes()["username"].GetMarkdownDescription()
	if !strings.Contains(d, "`PGUSER`, then to the operating system user (`USER`)") {
		t.Errorf("postgres.username's description does not give the USER fallback: %s", d)
	}
}

package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// A PGPORT libpq takes but the provider does not (a port per host of a multi-host connection
// string), and a mistyped PGSSLMODE, in the environment of a provider whose PostgreSQL is not
// configured (no host in its postgres block, no PGHOST): the variables are another tool's, and
// they fail only a connection that would take their values, one whose data source sets a host
// but not the port or sslmode. The data source's own port and sslmode resolve them.
const (
	envProblemPort    = "5432,5433"
	envProblemSSLMode = "sometimes"
)

func TestMergePostgres_envProblems(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"PGPORT": envProblemPort, "PGSSLMODE": envProblemSSLMode}
	base, errs := resolvePostgres(nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if len(errs) != 0 {
		t.Fatalf("resolvePostgres without a host: %+v", errs)
	}
	if _, err := pgConnConfig(ctx, nil, base); err == nil || !strings.Contains(err.Error(), "no PostgreSQL host is configured") {
		t.Fatalf("pgConnConfig on the provider's settings: %v, want: no host", err)
	}
	host := types.StringValue("reporting.internal")
	for _, c := range []struct {
		name string
		set  map[string]attr.Value
		want []string // in the error; none: no error
	}{
		{"host only", map[string]attr.Value{"host": host}, []string{`PGPORT is "5432,5433"`, `PGSSLMODE is "sometimes"`}},
		{"host and port", map[string]attr.Value{"host": host, "port": types.Int64Value(6432)}, []string{`PGSSLMODE is "sometimes"`}},
		{"host and sslmode", map[string]attr.Value{"host": host, "sslmode": types.StringValue("verify-full")}, []string{`PGPORT is "5432,5433"`}},
		{"host, port and sslmode", map[string]attr.Value{"host": host, "port": types.Int64Value(6432), "sslmode": types.StringValue("verify-full")}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := mergePostgres(ctx, base, postgresOverride(c.set))
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("mergePostgres: %v", err)
				}
				cc, err := pgConnConfig(ctx, nil, s)
				if err != nil {
					t.Fatalf("pgConnConfig: %v", err)
				}
				if cc.Port != 6432 || cc.SSLMode != "verify-full" {
					t.Fatalf("connection port %d sslmode %q, want the data source's 6432 and verify-full", cc.Port, cc.SSLMode)
				}
				return
			}
			if err == nil {
				t.Fatalf("mergePostgres accepted a connection that takes an invalid environment variable (port %d, sslmode %q)", s.Port, s.SSLMode)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %s", err, w)
				}
			}
			if len(c.want) == 1 && strings.Count(err.Error(), "The environment variable") != 1 {
				t.Errorf("error %q names a variable the data source's attribute replaced", err)
			}
		})
	}
	// The merges left the provider's settings as they were.
	if len(base.envProblems) != 2 {
		t.Fatalf("mergePostgres changed the provider's settings: envProblems %v", base.envProblems)
	}
	// pgConnConfig refuses them too (settings built without mergePostgres).
	s := base
	s.Host = "reporting.internal"
	if _, err := pgConnConfig(ctx, nil, s); err == nil || !strings.Contains(err.Error(), "PGPORT") {
		t.Fatalf("pgConnConfig with the invalid variables: %v", err)
	}
}

// TestAccPostgresStatsDataSource_envProblems: through Terraform, the same environment leaves a
// provider without PostgreSQL usable, a data source that sets its own port and sslmode reads the
// real server, and one that sets only a host is refused on its postgres attribute, naming both
// variables.
func TestAccPostgresStatsDataSource_envProblems(t *testing.T) {
	acctest.PreCheck(t)
	host, port := acctest.PGAddr(t)
	t.Setenv("PGPORT", envProblemPort)
	t.Setenv("PGSSLMODE", envProblemSSLMode)
	t.Setenv("PGHOST", "")
	provider := "provider \"rightsize\" {\n  region     = \"us-east-1\"\n  access_key = \"AKIDEXAMPLE\"\n  secret_key = \"secret\"\n}\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: provider + providerProbe,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_host"), knownvalue.StringExact("")),
				},
			},
			{
				Config: provider + fmt.Sprintf(`
data "rightsize_postgres_stats" "t" {
  postgres = {
    host     = %q
    port     = %d
    username = "postgres"
    sslmode  = "disable"
  }
}
`, host, port),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.rightsize_postgres_stats.t", tfjsonpath.New("id"), knownvalue.StringExact(fmt.Sprintf("%s:%d/postgres", host, port))),
				},
			},
			{
				Config: provider + fmt.Sprintf(`
data "rightsize_postgres_stats" "t" {
  postgres = {
    host     = %q
    username = "postgres"
  }
}
`, host),
				ExpectError: regexp.MustCompile(`(?s)Invalid PostgreSQL Connection.*PGPORT\s+is\s+"5432,5433".*PGSSLMODE\s+is\s+"sometimes"`),
			},
		},
	})
}

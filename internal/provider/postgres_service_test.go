package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// writeServiceFile writes a libpq connection service file (pg_service.conf) of body into a
// temporary directory under name, and returns its path.
func writeServiceFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// serviceRS is a service file whose service rs sets every connection parameter the provider
// resolves, each to a value neither the environment of TestResolvePostgres_service nor the
// provider's defaults give; another service before it sets what rs does not.
const serviceRS = `# services of the team
[other]
sslmode=disable
port=7000

[rs]
host=db.svc.internal
port = 6001
dbname=chat
user=monitor
password=from-service
sslmode=verify-full
sslrootcert=/etc/ssl/rds/global-bundle.pem
connect_timeout=7
`

// As in libpq (and pgx, which reads the service file too): a connection parameter comes from the
// provider's postgres block, else from the connection service PGSERVICE names (in PGSERVICEFILE,
// else ~/.pg_service.conf), else from its PG* environment variable, else from the default. The
// provider's defaults (port 5432, database postgres, sslmode prefer, connect_timeout 10, the OS
// user) are not parameters the user gave, and must not hide the service's: a service with sslmode
// verify-full connected with prefer.
func TestResolvePostgres_service(t *testing.T) {
	file := writeServiceFile(t, "pg_service.conf", serviceRS)
	envAll := map[string]string{
		"PGSERVICE": "rs", "PGSERVICEFILE": file,
		"PGHOST": "env-host.internal", "PGPORT": "5433", "PGDATABASE": "envdb", "PGUSER": "envuser", "PGPASSWORD": "from-env",
		"PGSSLMODE": "require", "PGSSLROOTCERT": "/env-ca.pem", "USER": "alice",
	}
	lookup := func(env map[string]string) lookupEnv {
		return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	}
	type want struct {
		host, database, user, password, sslmode, rootCert, effective string
		port                                                         int
		connectTimeout                                               time.Duration
	}
	check := func(t *testing.T, s PostgresSettings, w want) {
		t.Helper()
		got := want{s.Host, s.Database, s.Username, s.Password, s.SSLMode, s.SSLRootCert, s.EffectiveSSLMode(), s.Port, s.ConnectTimeout}
		if got != w {
			t.Fatalf("resolved %+v,\nwant     %+v", got, w)
		}
		cc, err := pgConnConfig(context.Background(), &ProviderData{}, s)
		if err != nil {
			t.Fatalf("pgConnConfig: %v", err)
		}
		if cc.Host != w.host || cc.Port != w.port || cc.Database != w.database || cc.User != w.user || cc.SSLMode != w.sslmode ||
			cc.SSLRootCert != w.rootCert || cc.ConnectTimeout != w.connectTimeout {
			t.Fatalf("connection %+v does not take the resolved settings %+v", cc, w)
		}
	}
	fromService := want{"db.svc.internal", "chat", "monitor", "from-service", "verify-full", "/etc/ssl/rds/global-bundle.pem", "verify-full", 6001, 7 * time.Second}

	t.Run("service over environment and defaults", func(t *testing.T) {
		s, errs := resolvePostgres(nil, lookup(envAll))
		if len(errs) != 0 {
			t.Fatalf("errors: %+v", errs)
		}
		check(t, s, fromService)
		// pgx reads the service's other settings from the file read here.
		if cc, _ := pgConnConfig(context.Background(), &ProviderData{}, s); cc.Service != "rs" || cc.ServiceFile != file {
			t.Fatalf("connection service %q in %q, want rs in %s", cc.Service, cc.ServiceFile, file)
		}
	})
	t.Run("service over defaults", func(t *testing.T) {
		s, errs := resolvePostgres(nil, lookup(map[string]string{"PGSERVICE": "rs", "PGSERVICEFILE": file, "USER": "alice"}))
		if len(errs) != 0 {
			t.Fatalf("errors: %+v", errs)
		}
		check(t, s, fromService)
	})
	t.Run("block over service", func(t *testing.T) {
		block := &postgresModel{Host: types.StringValue("block-host.internal"), Port: types.Int64Value(5434), SSLMode: types.StringValue("disable"),
			Username: types.StringValue("rightsize"), ConnectTimeout: types.Int64Value(3)}
		s, errs := resolvePostgres(block, lookup(envAll))
		if len(errs) != 0 {
			t.Fatalf("errors: %+v", errs)
		}
		check(t, s, want{"block-host.internal", "chat", "rightsize", "from-service", "disable", "/etc/ssl/rds/global-bundle.pem", "disable", 5434, 3 * time.Second})
	})
	t.Run("service setting sslmode only", func(t *testing.T) {
		only := writeServiceFile(t, "pg_service.conf", "[tls]\nsslmode=disable\n")
		s, errs := resolvePostgres(&postgresModel{Host: types.StringValue("db.internal")},
			lookup(map[string]string{"PGSERVICE": "tls", "PGSERVICEFILE": only, "PGPORT": "5433", "USER": "alice"}))
		if len(errs) != 0 {
			t.Fatalf("errors: %+v", errs)
		}
		check(t, s, want{"db.internal", DefaultPostgresDatabase, "alice", "", "disable", "", "disable", 5433, DefaultConnectTimeoutSeconds * time.Second})
	})
	t.Run("service file in the home directory", func(t *testing.T) {
		home := filepath.Dir(writeServiceFile(t, ".pg_service.conf", serviceRS))
		s, errs := resolvePostgres(nil, lookup(map[string]string{"PGSERVICE": "rs", "HOME": home, "APPDATA": home + "/none", "USER": "alice"}))
		if len(errs) != 0 {
			t.Fatalf("errors: %+v", errs)
		}
		check(t, s, fromService)
	})
	// As libpq: a service the user's file does not define (here it has none) comes from the
	// system-wide pg_service.conf in PGSYSCONFDIR, and pgx is given that file; one the user's file
	// defines is the user's, whole (the system-wide file's settings for it are not merged in).
	t.Run("system-wide service file", func(t *testing.T) {
		sysdir := filepath.Dir(writeServiceFile(t, "pg_service.conf", serviceRS))
		env := map[string]string{"PGSERVICE": "rs", "PGSYSCONFDIR": sysdir, "HOME": t.TempDir(), "APPDATA": t.TempDir(), "USER": "alice"}
		s, errs := resolvePostgres(nil, lookup(env))
		if len(errs) != 0 {
			t.Fatalf("errors: %+v", errs)
		}
		check(t, s, fromService)
		sysFile := filepath.Join(sysdir, "pg_service.conf")
		if cc, _ := pgConnConfig(context.Background(), &ProviderData{}, s); cc.Service != "rs" || cc.ServiceFile != sysFile {
			t.Fatalf("connection service %q in %q, want rs in %s", cc.Service, cc.ServiceFile, sysFile)
		}
		env["PGSERVICEFILE"] = writeServiceFile(t, "user.conf", "[rs]\nhost=user-host.internal\n")
		s, errs = resolvePostgres(nil, lookup(env))
		if len(errs) != 0 {
			t.Fatalf("errors: %+v", errs)
		}
		check(t, s, want{"user-host.internal", DefaultPostgresDatabase, "alice", "", "", "", "prefer", DefaultPostgresPort, DefaultConnectTimeoutSeconds * time.Second})
		if cc, _ := pgConnConfig(context.Background(), &ProviderData{}, s); cc.ServiceFile != env["PGSERVICEFILE"] {
			t.Fatalf("connection service file %q, want the user's %s", cc.ServiceFile, env["PGSERVICEFILE"])
		}
	})
	t.Run("no PGSERVICE", func(t *testing.T) {
		env := map[string]string{"PGSERVICEFILE": file}
		for k, v := range envAll {
			if k != "PGSERVICE" && k != "PGSERVICEFILE" {
				env[k] = v
			}
		}
		s, errs := resolvePostgres(nil, lookup(env))
		if len(errs) != 0 {
			t.Fatalf("errors: %+v", errs)
		}
		check(t, s, want{"env-host.internal", "envdb", "envuser", "from-env", "require", "/env-ca.pem", "verify-ca", 5433, DefaultConnectTimeoutSeconds * time.Second})
	})

	// A data source's postgres attribute is explicit too: it wins over the service, whose other
	// settings stay (pgx reads the service for that connection as well).
	t.Run("data source over service", func(t *testing.T) {
		base, errs := resolvePostgres(nil, lookup(envAll))
		if len(errs) != 0 {
			t.Fatalf("errors: %+v", errs)
		}
		s, err := mergePostgres(context.Background(), base, postgresOverride(map[string]attr.Value{
			"host": types.StringValue("reporting.internal"), "sslmode": types.StringValue("require"),
		}))
		if err != nil {
			t.Fatal(err)
		}
		check(t, s, want{"reporting.internal", "chat", "monitor", "from-service", "require", "/etc/ssl/rds/global-bundle.pem", "verify-ca", 6001, 7 * time.Second})
	})
}

// A service whose settings cannot work (a port or sslmode libpq would refuse, a connect_timeout
// that is not a number), or that cannot be read (no such file, no such service), fails the
// configuration when the provider's connection would use it (a host is set), naming the service,
// its file and what to fix; without a host it fails only a connection, as an invalid PGPORT does
// (TestResolvePostgres_badEnv).
func TestResolvePostgres_badService(t *testing.T) {
	for _, c := range []struct {
		name, body, service string
		path                string // of the error
		want                []string
	}{
		{"port", "[rs]\nport=70000\n", "rs", "postgres.port", []string{`connection service "rs"`, `port = "70000"`, "postgres.port"}},
		{"sslmode", "[rs]\nsslmode=sometimes\n", "rs", "postgres.sslmode", []string{`connection service "rs"`, `sslmode = "sometimes"`, "postgres.sslmode"}},
		{"connect_timeout", "[rs]\nconnect_timeout=soon\n", "rs", "postgres.connect_timeout", []string{`connect_timeout = "soon"`}},
		{"no such service", "[other]\nport=6000\n", "rs", "postgres", []string{`PGSERVICE`, `"rs"`, "no such service"}},
		{"no such file", "", "rs", "postgres", []string{`PGSERVICE`, `"rs"`, "PGSERVICEFILE", "does not exist", "PGSYSCONFDIR"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "missing.conf")
			if c.body != "" {
				file = writeServiceFile(t, "pg_service.conf", c.body)
			}
			env := map[string]string{"PGSERVICE": c.service, "PGSERVICEFILE": file}
			lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			s, errs := resolvePostgres(nil, lookup)
			if len(errs) != 0 {
				t.Fatalf("no host configured: got errors %+v, want none", errs)
			}
			if err := s.envProblem(); err == nil {
				t.Fatalf("no host configured: the problem was not kept for a connection (envProblems %v)", s.envProblems)
			}
			s, errs = resolvePostgres(&postgresModel{Host: types.StringValue("db.internal")}, lookup)
			if len(errs) != 1 {
				t.Fatalf("host configured: %d errors, want 1: %+v", len(errs), errs)
			}
			if errs[0].path.String() != c.path {
				t.Errorf("error on %s, want %s", errs[0].path, c.path)
			}
			for _, w := range append(c.want, file) {
				if !strings.Contains(errs[0].detail, w) {
					t.Errorf("error %q does not say %s", errs[0].detail, w)
				}
			}
			if len(s.envProblems) != 0 {
				t.Errorf("reported and kept: %v", s.envProblems)
			}
		})
	}
}

// The warning of an unverified connection judges the sslmode the connection uses: a service's
// verify-full (with its sslrootcert) is not warned of, and a service's require is, naming the
// service as where it comes from.
func TestConfigure_serviceSSLModeWarning(t *testing.T) {
	for _, k := range []string{"PGHOST", "PGSSLMODE", "PGSSLROOTCERT", "PGPORT"} {
		t.Setenv(k, "")
	}
	const remote = "rightsize-test.invalid"
	for _, c := range []struct {
		name, body string
		want       []string // nil: no warning
	}{
		{"verify-full", "[rs]\nsslmode=verify-full\nsslrootcert=/etc/ssl/rds/global-bundle.pem\n", nil},
		{"require", "[rs]\nsslmode=require\n", []string{`sslmode is "require", from the connection service "rs" (PGSERVICE)`, "whatever certificate it presents"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("PGSERVICE", "rs")
			t.Setenv("PGSERVICEFILE", writeServiceFile(t, "pg_service.conf", c.body))
			unverifiedWarning(t, configureProvider(t, map[string]tftypes.Value{"host": tftypes.NewValue(tftypes.String, remote)}), c.want)
		})
	}
}

// TestAccPostgresStatsDataSource_service: through Terraform, against the harness's PostgreSQL, a
// provider with no postgres block reaches the server through the connection service PGSERVICE
// names (host, port, user and sslmode disable from the service; the probe reports the sslmode the
// connection uses, which was the provider's default prefer); and with the host, port and user in
// the postgres block and only sslmode in the service, the service's sslmode is the one the
// connection uses: require, against the harness's server without TLS, is refused, where the
// provider's default prefer connected in cleartext.
func TestAccPostgresStatsDataSource_service(t *testing.T) {
	acctest.PreCheck(t)
	host, port := acctest.PGAddr(t)
	for _, k := range []string{"PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSSLMODE", "PGSSLROOTCERT"} {
		t.Setenv(k, "")
	}
	service := func(sslmode string) string {
		return fmt.Sprintf("[rs_acc]\nhost=%s\nport=%d\nuser=postgres\nsslmode=%s\n", host, port, sslmode)
	}
	file := writeServiceFile(t, "pg_service.conf", service("disable"))
	t.Setenv("PGSERVICEFILE", file)
	t.Setenv("PGSERVICE", "rs_acc")
	provider := "provider \"rightsize\" {\n  region     = \"us-east-1\"\n  access_key = \"AKIDEXAMPLE\"\n  secret_key = \"secret\"\n}\n"
	stats := "data \"rightsize_postgres_stats\" \"t\" {}\n"
	explicit := fmt.Sprintf("provider \"rightsize\" {\n  region     = \"us-east-1\"\n  access_key = \"AKIDEXAMPLE\"\n  secret_key = \"secret\"\n"+
		"  postgres {\n    host     = %q\n    port     = %d\n    username = \"postgres\"\n  }\n}\n", host, port)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: provider + providerProbe + "\n" + stats,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_host"), knownvalue.StringExact(host)),
					statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_port"), knownvalue.Int64Exact(int64(port))),
					statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_username"), knownvalue.StringExact("postgres")),
					statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_sslmode"), knownvalue.StringExact("disable")),
					statecheck.ExpectKnownValue("data.rightsize_postgres_stats.t", tfjsonpath.New("id"), knownvalue.StringExact(fmt.Sprintf("%s:%d/postgres", host, port))),
				},
			},
			{
				PreConfig: func() {
					if err := os.WriteFile(file, []byte("[rs_acc]\nsslmode=require\n"), 0o600); err != nil {
						t.Fatal(err)
					}
				},
				Config:      explicit + stats,
				ExpectError: regexp.MustCompile(`(?s)Unable to Connect to PostgreSQL.*sslmode\s+require`),
			},
			{
				// The service only in the system-wide file (PGSYSCONFDIR), as libpq finds it: the
				// user's file (PGSERVICEFILE) does not exist. Its options reach the server too (pgx reads
				// that file): the statistics' settings show its work_mem, 5678kB.
				PreConfig: func() {
					t.Setenv("PGSERVICEFILE", file+".missing")
					sysdir := filepath.Dir(writeServiceFile(t, "pg_service.conf", service("disable")+"options=-c work_mem=5678kB\n"))
					t.Setenv("PGSYSCONFDIR", sysdir)
				},
				Config: provider + providerProbe + "\n" + stats,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_host"), knownvalue.StringExact(host)),
					statecheck.ExpectKnownValue("data.rightsize_test_probe.p", tfjsonpath.New("postgres_sslmode"), knownvalue.StringExact("disable")),
					statecheck.ExpectKnownValue("data.rightsize_postgres_stats.t", tfjsonpath.New("id"), knownvalue.StringExact(fmt.Sprintf("%s:%d/postgres", host, port))),
					statecheck.ExpectKnownValue("data.rightsize_postgres_stats.t", tfjsonpath.New("settings").AtMapKey("work_mem_bytes"), knownvalue.Int64Exact(5678*1024)),
				},
			},
		},
	})
}

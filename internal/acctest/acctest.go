// Package acctest is the test harness shared by the provider's acceptance
// tests: where terraform is, the throwaway PostgreSQL started by `make test`,
// and builders for provider configuration blocks.
//
// Harness variables (exported by scripts/test.sh, which `make test` runs):
//
//	TF_ACC=1, TF_ACC_TERRAFORM_PATH   terraform v1.5.7 built into ./bin
//	RIGHTSIZE_TEST_PG_DSN             postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
//	RIGHTSIZE_TEST_PG_HOST/_PORT      the same server's address
//	RIGHTSIZE_TEST_PG_BINDIR          PostgreSQL server binaries (pgbench)
//	RIGHTSIZE_TEST_PG_MATRIX          "<major>=<dsn> ..." for PostgreSQL 12, 13, 14, 16, 17 and 18
//	                                  (scripts/pgversions.sh; PGVersions), when the tests that use it run
//	RIGHTSIZE_REQUIRE_HARNESS=1       a missing piece fails the test instead of skipping
//
// A test that needs terraform or PostgreSQL calls PreCheck or PGDSN: when the
// harness is missing they fail the test with what to run, never skip it.
package acctest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variable names of the harness.
const (
	EnvPGDSN           = "RIGHTSIZE_TEST_PG_DSN"
	EnvPGHost          = "RIGHTSIZE_TEST_PG_HOST"
	EnvPGPort          = "RIGHTSIZE_TEST_PG_PORT"
	EnvPGBinDir        = "RIGHTSIZE_TEST_PG_BINDIR"
	EnvRequireHarness  = "RIGHTSIZE_REQUIRE_HARNESS"
	EnvTerraformPath   = "TF_ACC_TERRAFORM_PATH"
	EnvAcc             = "TF_ACC"
	harnessInstruction = "run the tests with `make test`, which builds terraform into ./bin and starts a throwaway PostgreSQL"
)

// PreCheck fails t unless terraform is available for an acceptance test.
// Use it as the PreCheck of every resource.Test.
func PreCheck(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvAcc) == "" {
		t.Fatalf("%s is not set: %s", EnvAcc, harnessInstruction)
	}
	p := os.Getenv(EnvTerraformPath)
	if p == "" {
		t.Fatalf("%s is not set: %s", EnvTerraformPath, harnessInstruction)
	}
	if st, err := os.Stat(p); err != nil || st.IsDir() {
		t.Fatalf("%s=%s is not a terraform binary (%v): %s", EnvTerraformPath, p, err, harnessInstruction)
	}
	if os.Getenv("CHECKPOINT_DISABLE") == "" {
		t.Setenv("CHECKPOINT_DISABLE", "1")
	}
}

// PGDSN returns the DSN of the harness's PostgreSQL superuser connection, or
// fails t when the harness did not start one.
func PGDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvPGDSN)
	if dsn == "" {
		t.Fatalf("%s is not set: %s (or `eval \"$(scripts/testpg.sh start DIR)\"`)", EnvPGDSN, harnessInstruction)
	}
	return dsn
}

// PGConn connects to the harness's PostgreSQL as its superuser (PGDSN), or
// fails t. It returns the connection and a context for its queries that ends
// 20 seconds on; the caller closes the connection when done (a session left
// open counts among the server's connections), and it is closed when t ends
// at the latest.
func PGConn(t testing.TB) (*pgx.Conn, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	conn, err := pgx.Connect(ctx, PGDSN(t))
	if err != nil {
		t.Fatalf("connecting to the harness PostgreSQL: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn, ctx
}

// PGAddr returns the harness PostgreSQL host and port.
func PGAddr(t testing.TB) (string, int) {
	t.Helper()
	u, err := url.Parse(PGDSN(t))
	if err != nil {
		t.Fatalf("parsing %s: %v", EnvPGDSN, err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatalf("%s has no numeric port: %v", EnvPGDSN, err)
	}
	return u.Hostname(), port
}

// PGBinDir returns the directory of the PostgreSQL server binaries (pgbench).
func PGBinDir(t testing.TB) string {
	t.Helper()
	d := os.Getenv(EnvPGBinDir)
	if d == "" {
		t.Fatalf("%s is not set: %s", EnvPGBinDir, harnessInstruction)
	}
	return d
}

// ProviderConfig describes a provider block for a test configuration.
type ProviderConfig struct {
	Region   string            // defaults to us-east-1
	Endpoint string            // base URL used for every service endpoint (the sandbox)
	Extra    map[string]string // extra top-level attributes, rendered verbatim (value is HCL)
	Postgres map[string]string // postgres block attributes, rendered verbatim (value is HCL)
}

// HCL renders the provider block. Credentials are static dummy keys: the
// sandbox checks the SigV4 header's presence, not its signature.
func (c ProviderConfig) HCL() string {
	var b strings.Builder
	region := c.Region
	if region == "" {
		region = "us-east-1"
	}
	fmt.Fprintf(&b, "provider \"rightsize\" {\n  region     = %q\n  access_key = \"AKIDSANDBOX\"\n  secret_key = \"sandbox-secret\"\n", region)
	for _, k := range sortedKeys(c.Extra) {
		fmt.Fprintf(&b, "  %s = %s\n", k, c.Extra[k])
	}
	if c.Endpoint != "" {
		fmt.Fprintf(&b, "  endpoints {\n    rds                     = %q\n    cloudwatch              = %q\n    application_autoscaling = %q\n    pricing                 = %q\n    sts                     = %q\n  }\n",
			c.Endpoint, c.Endpoint, c.Endpoint, c.Endpoint, c.Endpoint)
	}
	if c.Postgres != nil {
		b.WriteString("  postgres {\n")
		for _, k := range sortedKeys(c.Postgres) {
			fmt.Fprintf(&b, "    %s = %s\n", k, c.Postgres[k])
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// HarnessPostgres returns postgres block attributes for the harness server.
func HarnessPostgres(t testing.TB) map[string]string {
	t.Helper()
	host, port := PGAddr(t)
	return map[string]string{
		"host":     strconv.Quote(host),
		"port":     strconv.Itoa(port),
		"username": `"postgres"`,
		"database": `"postgres"`,
		"sslmode":  `"disable"`,
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// PGVersion is one server of the version matrix (PGVersions).
type PGVersion struct {
	Major int    // e.g. 18
	DSN   string // superuser (postgres), trust authentication
}

// PGVersionMajors are the major versions the matrix holds besides the harness's 15: those RDS and
// Aurora run.
var PGVersionMajors = []int{12, 13, 14, 16, 17, 18}

// PGVersions returns the servers scripts/pgversions.sh started for make test, one per
// PGVersionMajors, from RIGHTSIZE_TEST_PG_MATRIX ("<major>=<dsn> ..."). It fails the test when a
// version is missing; without the variable it fails under make test (RIGHTSIZE_REQUIRE_HARNESS)
// and skips otherwise, saying how to start them.
func PGVersions(t testing.TB) []PGVersion {
	t.Helper()
	matrix := os.Getenv("RIGHTSIZE_TEST_PG_MATRIX")
	if matrix == "" {
		if os.Getenv("RIGHTSIZE_REQUIRE_HARNESS") != "" {
			t.Fatal("RIGHTSIZE_TEST_PG_MATRIX is not set: make test starts the servers with scripts/pgversions.sh start DIR")
		}
		t.Skip(`RIGHTSIZE_TEST_PG_MATRIX is not set: eval "$(scripts/pgversions.sh start DIR)" to run this`)
	}
	var out []PGVersion
	seen := map[int]bool{}
	for _, entry := range strings.Fields(matrix) {
		major, dsn, ok := strings.Cut(entry, "=")
		n, err := strconv.Atoi(major)
		if !ok || err != nil || dsn == "" {
			t.Fatalf("RIGHTSIZE_TEST_PG_MATRIX entry %q is not <major>=<dsn>", entry)
		}
		seen[n] = true
		out = append(out, PGVersion{Major: n, DSN: dsn})
	}
	for _, v := range PGVersionMajors {
		if !seen[v] {
			t.Fatalf("RIGHTSIZE_TEST_PG_MATRIX has no PostgreSQL %d", v)
		}
	}
	return out
}

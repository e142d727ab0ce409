package acctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// StartStandby starts a streaming hot standby of the harness PostgreSQL (scripts/testpg.sh
// standby: pg_basebackup -R, on a free port of 127.0.0.1) and stops it when the test ends. It
// returns the standby's port; a missing harness fails the test.
func StartStandby(t testing.TB) int {
	t.Helper()
	_, port := PGAddr(t)
	out := startServer(t, "standby", strconv.Itoa(port))
	fields := strings.Fields(out)
	if len(fields) == 0 {
		t.Fatal("scripts/testpg.sh standby printed no port")
	}
	sport, err := strconv.Atoi(fields[len(fields)-1])
	if err != nil {
		t.Fatalf("scripts/testpg.sh standby printed %q, not a port", out)
	}
	return sport
}

// StartPostgres starts a throwaway PostgreSQL server of the harness's version, configured as the
// harness's (scripts/testpg.sh start), and stops it when the test ends. It returns its DSN. For
// tests that change what the whole server reports (replication slots, say), which must not show
// in the tests that share the harness's server.
func StartPostgres(t testing.TB) string {
	t.Helper()
	out := startServer(t, "start")
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "export RIGHTSIZE_TEST_PG_DSN="); ok {
			return strings.Trim(v, "'")
		}
	}
	t.Fatalf("scripts/testpg.sh start printed no DSN:\n%s", out)
	return ""
}

// startServer runs scripts/testpg.sh mode in a new folder, with args, stops the server it starts
// when the test ends, and returns what the script printed.
func startServer(t testing.TB, mode string, args ...string) string {
	t.Helper()
	bindir := PGBinDir(t)
	script := filepath.Join(moduleRoot(t), "scripts", "testpg.sh")
	// Not t.TempDir: its folders are private to the test's user, and the server runs as postgres.
	parent, err := os.MkdirTemp("", "rightsize-"+mode+"-") //nolint:usetesting // see above
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(parent, 0o755); err != nil { //nolint:gosec // the postgres user must reach the server's folder
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "pg")
	t.Cleanup(func() {
		if out, err := exec.Command("bash", script, "stop", dir).CombinedOutput(); err != nil {
			t.Errorf("stopping the PostgreSQL server of scripts/testpg.sh %s: %v\n%s", mode, err, out)
		}
		_ = os.RemoveAll(parent)
	})
	cmd := exec.Command("bash", append([]string{script, mode, dir}, args...)...)
	cmd.Env = append(os.Environ(), "PG_BINDIR="+bindir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/testpg.sh %s %s: %v\n%s", mode, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// AsPostgres is the command that runs name with args as the postgres user when the test runs as
// root (PostgreSQL's server programs refuse to run as root), else as the test's user.
func AsPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

// moduleRoot is the folder of go.mod, found from the test's working directory upwards.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the test's working directory")
		}
		dir = up
	}
}

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
	bindir := PGBinDir(t)
	script := filepath.Join(moduleRoot(t), "scripts", "testpg.sh")
	// Not t.TempDir: its folders are private to the test's user, and the standby runs as postgres.
	parent, err := os.MkdirTemp("", "rightsize-standby-") //nolint:usetesting // see above
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(parent, 0o755); err != nil { //nolint:gosec // the postgres user must reach the standby's folder
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "standby")
	t.Cleanup(func() {
		if out, err := exec.Command("bash", script, "stop", dir).CombinedOutput(); err != nil {
			t.Errorf("stopping the standby: %v\n%s", err, out)
		}
		_ = os.RemoveAll(parent)
	})
	cmd := exec.Command("bash", script, "standby", dir, strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "PG_BINDIR="+bindir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("starting a standby of the harness PostgreSQL (port %d): %v\n%s", port, err, stderr.String())
	}
	fields := strings.Fields(string(out))
	if len(fields) == 0 {
		t.Fatal("scripts/testpg.sh standby printed no port")
	}
	sport, err := strconv.Atoi(fields[len(fields)-1])
	if err != nil {
		t.Fatalf("scripts/testpg.sh standby printed %q, not a port", out)
	}
	return sport
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

package acctest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestTestpgPgBouncerPortTakenByListener: when the port scripts/testpg.sh chose for PgBouncer is
// taken by another process's listener before PgBouncer binds it, the script starts PgBouncer on
// another port and prints that one, not the port the other listener answers on (free_port's first
// answer is that listener's port, through a python3 ahead on PATH).
func TestTestpgPgBouncerPortTakenByListener(t *testing.T) {
	_, pgPort := PGAddr(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = taken.Close() }()
	go func() {
		for {
			c, err := taken.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	takenPort := taken.Addr().(*net.TCPAddr).Port

	// Not t.TempDir: PgBouncer runs as postgres when the test runs as root.
	parent, err := os.MkdirTemp("", "rightsize-pgbouncer-") //nolint:usetesting // see above
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(parent, 0o755); err != nil { //nolint:gosec // the postgres user must reach the folder
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "pg")
	if err := os.Mkdir(dir, 0o755); err != nil { //nolint:gosec // as above
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	// The cluster PgBouncer fronts: the harness's (testpg.sh pgbouncer reads DIR/port).
	if err := os.WriteFile(filepath.Join(dir, "port"), []byte(strconv.Itoa(pgPort)+"\n"), 0o644); err != nil { //nolint:gosec // read by postgres
		t.Fatal(err)
	}
	script := filepath.Join(moduleRoot(t), "scripts", "testpg.sh")
	t.Cleanup(func() {
		if out, err := exec.Command("bash", script, "stop", dir).CombinedOutput(); err != nil {
			t.Errorf("stopping the PgBouncer of scripts/testpg.sh pgbouncer: %v\n%s", err, out)
		}
		_ = os.RemoveAll(parent)
	})

	// free_port runs `python3 -`: its first answer is the taken port, later ones the real python3's
	// (or, without one, free_port's own fallback).
	shim := t.TempDir()
	python, _ := exec.LookPath("python3")
	next := "exit 1"
	if python != "" {
		next = `exec "` + python + `" "$@"`
	}
	state := filepath.Join(shim, "answered")
	if err := os.WriteFile(filepath.Join(shim, "python3"), []byte("#!/bin/sh\n"+
		`[ -e "`+state+`" ] && `+next+"\n"+
		`: >"`+state+`"; cat >/dev/null; echo `+strconv.Itoa(takenPort)+"\n"), 0o755); err != nil { //nolint:gosec // an executable
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script, "pgbouncer", dir)
	cmd.Env = append(os.Environ(), "PATH="+shim+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/testpg.sh pgbouncer: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "port "+strconv.Itoa(takenPort)+" was taken before pgbouncer bound it") {
		t.Errorf("the script did not see its first port %d taken; stderr:\n%s", takenPort, stderr.String())
	}
	v, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "export RIGHTSIZE_TEST_PGBOUNCER_PORT=")
	port, err := strconv.Atoi(v)
	if !ok || err != nil {
		t.Fatalf("scripts/testpg.sh pgbouncer printed %q, not a port", out)
	}
	if port == takenPort {
		t.Fatalf("scripts/testpg.sh pgbouncer printed port %d, which the other listener holds (PgBouncer did not bind it)", port)
	}
	// What answers there is a PgBouncer in front of the harness's server.
	cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
	defer ccancel()
	conn, err := pgx.Connect(cctx, "postgres://postgres@127.0.0.1:"+strconv.Itoa(port)+"/postgres?sslmode=disable&default_query_exec_mode=simple_protocol")
	if err != nil {
		t.Fatalf("connecting through PgBouncer on %d: %v", port, err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var got int
	if err := conn.QueryRow(cctx, "SELECT current_setting('port')::int").Scan(&got); err != nil || got != pgPort {
		t.Fatalf("through PgBouncer on %d: server port %d (%v), want the harness's %d", port, got, err, pgPort)
	}
}

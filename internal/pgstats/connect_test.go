package pgstats

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

func TestConnConfigValidate(t *testing.T) {
	ok := ConnConfig{Host: "db.example.internal", User: "rightsize"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config rejected: %v", err)
	}
	for _, mode := range SSLModes {
		c := ok
		c.SSLMode = mode
		if err := c.Validate(); err != nil {
			t.Errorf("sslmode %q rejected: %v", mode, err)
		}
	}
	cases := []struct {
		name string
		mod  func(*ConnConfig)
		want string
	}{
		{"empty host", func(c *ConnConfig) { c.Host = " " }, "host is empty"},
		{"two hosts", func(c *ConnConfig) { c.Host = "a,b" }, "comma"},
		{"port", func(c *ConnConfig) { c.Port = 70000 }, "port 70000 is out of range"},
		{"user", func(c *ConnConfig) { c.User = "" }, "user is empty"},
		{"sslmode", func(c *ConnConfig) { c.SSLMode = "sometimes" }, `sslmode "sometimes" is not supported: use one of disable, allow, prefer, require, verify-ca, verify-full`},
		{"timeout", func(c *ConnConfig) { c.ConnectTimeout = -time.Second }, "connect timeout -1s is negative"},
		{"nul", func(c *ConnConfig) { c.Database = "a\x00b" }, "NUL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			c.Password = testPassword
			tc.mod(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tc.want)
			}
			// Connect reports the same problem without contacting anything.
			_, err = Connect(context.Background(), c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Connect() = %v, want error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Fatalf("error contains the password: %v", err)
			}
		})
	}
	if got := (ConnConfig{Host: "h"}).Address(); got != "h:5432" {
		t.Errorf("Address() = %q, want h:5432", got)
	}
}

func TestRedact(t *testing.T) {
	inner := &pgconn.PgError{Severity: "FATAL", Code: "28P01", Message: "password authentication failed"}
	err := redact(fmt.Errorf("user tried hunter2 twice: %w", inner), "hunter2")
	if got := err.Error(); got != "user tried [REDACTED] twice: FATAL: password authentication failed (SQLSTATE 28P01)" {
		t.Fatalf("redacted text = %q", got)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
		t.Fatalf("errors.As lost the PgError through redaction: %v", err)
	}
	if redact(nil, "x") != nil {
		t.Fatal("redact(nil) must be nil")
	}
	// Every occurrence: a DSN echoed in the wrapping error and again in the inner one.
	twice := redact(fmt.Errorf("connecting with password=hunter2: %w", fmt.Errorf("dial failed for postgres://u:hunter2@h/db")), "hunter2")
	if got := twice.Error(); strings.Contains(got, "hunter2") || strings.Count(got, "[REDACTED]") != 2 {
		t.Errorf("a password appearing twice: %q, want both redacted", got)
	}
}

func TestConnect_ok(t *testing.T) {
	h := needPG(t)
	t.Setenv("PGAPPNAME", "") // TestConnect_applicationName sets it
	conn := h.connect(t, "postgres", "postgres")
	var app string
	if err := conn.QueryRow(context.Background(), "SELECT current_setting('application_name')").Scan(&app); err != nil {
		t.Fatal(err)
	}
	if app != DefaultApplicationName {
		t.Fatalf("application_name = %q, want %q", app, DefaultApplicationName)
	}
}

// TestConnect_refused: nothing listens on the port; the error names host and
// port and comes back at once.
func TestConnect_refused(t *testing.T) {
	h := needPG(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close() // the port is now closed
	c := h.cfg("postgres", "postgres")
	c.Port = port
	start := time.Now()
	_, err = Connect(context.Background(), c)
	if err == nil {
		t.Fatal("Connect to a closed port succeeded")
	}
	want := fmt.Sprintf("127.0.0.1:%d", port)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error does not name %s: %v", want, err)
	}
	if strings.Contains(err.Error(), testPassword) {
		t.Errorf("error contains the password: %v", err)
	}
	if d := time.Since(start); d > c.ConnectTimeout {
		t.Errorf("refused connection took %s, more than connect timeout %s", d, c.ConnectTimeout)
	}
}

// TestConnect_unreachableTimeout: a host that accepts TCP but never answers
// (like a packet-dropping firewall after the handshake) must fail within the
// connect timeout, even with sslmode=prefer's fallback attempt, naming host and port.
func TestConnect_unreachableTimeout(t *testing.T) {
	h := needPG(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var held []net.Conn
	wg.Add(1)
	go func() { // accept and never reply
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			_ = c.Close()
		}
	})
	port := l.Addr().(*net.TCPAddr).Port
	for _, mode := range []string{"disable", "prefer"} {
		t.Run(mode, func(t *testing.T) {
			c := h.cfg("postgres", "postgres")
			c.Port = port
			c.SSLMode = mode
			c.ConnectTimeout = 700 * time.Millisecond
			start := time.Now()
			_, err := Connect(context.Background(), c)
			elapsed := time.Since(start)
			if err == nil {
				t.Fatal("Connect to a silent server succeeded")
			}
			// The upper bound leaves room for a loaded 2-core CI machine; without the
			// timeout the attempt would hang for as long as the server stays silent.
			if elapsed < c.ConnectTimeout/2 || elapsed > c.ConnectTimeout+2*time.Second {
				t.Errorf("failed after %s; want about the connect timeout %s", elapsed, c.ConnectTimeout)
			}
			msg := err.Error()
			for _, want := range []string{fmt.Sprintf("127.0.0.1:%d", port), "connect timeout 700ms"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error does not contain %q: %v", want, err)
				}
			}
			if strings.Contains(msg, testPassword) {
				t.Errorf("error contains the password: %v", err)
			}
		})
	}
}

func TestConnect_nonexistentDatabase(t *testing.T) {
	h := needPG(t)
	_, err := Connect(context.Background(), h.cfg("pgstats_no_such_db", "postgres"))
	if err == nil {
		t.Fatal("Connect to a nonexistent database succeeded")
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" {
		t.Errorf("want SQLSTATE 3D000 (invalid_catalog_name), got %v", err)
	}
	for _, want := range []string{`database "pgstats_no_such_db" does not exist`, fmt.Sprintf("%s:%d", h.host, h.port)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), testPassword) {
		t.Errorf("error contains the password: %v", err)
	}
}

// TestConnect_loginRejected: the server rejects the login after the password
// was supplied (a NOLOGIN role: the harness uses trust authentication, so this
// is the authentication failure it can produce); the password is not in the error.
func TestConnect_loginRejected(t *testing.T) {
	h := needPG(t)
	admin := h.superuser(t, "postgres")
	execSQL(t, admin, "DROP ROLE IF EXISTS pgstats_nologin", "CREATE ROLE pgstats_nologin NOLOGIN PASSWORD '"+testPassword+"'")
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), "DROP ROLE IF EXISTS pgstats_nologin") })
	_, err := Connect(context.Background(), h.cfg("postgres", "pgstats_nologin"))
	if err == nil {
		t.Fatal("login of a NOLOGIN role succeeded")
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "28000" {
		t.Errorf("want SQLSTATE 28000 (invalid_authorization_specification), got %v", err)
	}
	if !strings.Contains(err.Error(), `user "pgstats_nologin"`) {
		t.Errorf("error does not name the user: %v", err)
	}
	if strings.Contains(err.Error(), testPassword) {
		t.Errorf("error contains the password: %v", err)
	}
}

// TestConnect_sslRequiredButUnavailable: the harness has no TLS, so
// sslmode=require must fail rather than silently connect in clear text.
func TestConnect_sslRequiredButUnavailable(t *testing.T) {
	h := needPG(t)
	c := h.cfg("postgres", "postgres")
	c.SSLMode = "require"
	conn, err := Connect(context.Background(), c)
	if err == nil {
		_ = conn.Close(context.Background())
		t.Fatal("sslmode=require connected to a server without TLS")
	}
	if !strings.Contains(err.Error(), "sslmode require") || strings.Contains(err.Error(), testPassword) {
		t.Errorf("unexpected error: %v", err)
	}
}

// startPasswordCluster starts a private PostgreSQL (from the harness's binaries) that requires
// SCRAM password authentication, which the trust-auth harness cannot exercise, and stops it at
// cleanup. It returns its port.
func startPasswordCluster(t *testing.T, bindir, password string) int {
	t.Helper()
	return startPrivateCluster(t, bindir, password, "")
}

// startPrivateCluster starts a private PostgreSQL from the harness's binaries on 127.0.0.1 with
// fsync off, stopped at cleanup, and returns its port: SCRAM authentication with password for
// postgres, or trust when password is empty; serverOpts are more of postgres's options (-c
// name=value ...).
func startPrivateCluster(t *testing.T, bindir, password, serverOpts string) int {
	t.Helper()
	// Not t.TempDir: its parent is private to the test's user, and the server
	// runs as postgres.
	dir, err := os.MkdirTemp("", "pgstats-private-") //nolint:usetesting // see above
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	asOwner := acctest.AsPostgres
	auth := []string{"--auth=trust"}
	if password != "" {
		pwfile := filepath.Join(dir, "pw")
		if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		auth = []string{"--auth=scram-sha-256", "--pwfile=" + pwfile}
	}
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "-R", "postgres:", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v\n%s", err, out)
		}
	}
	data := filepath.Join(dir, "data")
	args := append([]string{"-D", data, "-U", "postgres", "--no-sync", "-E", "UTF8", "--no-locale"}, auth...)
	if out, err := asOwner(filepath.Join(bindir, "initdb"), args...).CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port := startOnFreePort(t, filepath.Join(dir, "log"), func(port int) ([]byte, error) {
		opts := strings.TrimSpace(fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off %s", port, dir, serverOpts))
		return asOwner(filepath.Join(bindir, "pg_ctl"), "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start").CombinedOutput()
	})
	t.Cleanup(func() {
		_ = asOwner(filepath.Join(bindir, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop").Run()
	})
	return port
}

// TestConnect_wrongPassword: against a server that checks passwords, a wrong
// password fails with SQLSTATE 28P01 and the error never contains it; the
// right one connects.
func TestConnect_wrongPassword(t *testing.T) {
	h := needPG(t)
	if h.bindir == "" {
		t.Fatal("RIGHTSIZE_TEST_PG_BINDIR is not set: it must point at the PostgreSQL server binaries (initdb, pg_ctl)")
	}
	const right = "R1ght-Pa55word-41d7"
	port := startPasswordCluster(t, h.bindir, right)
	c := ConnConfig{Host: "127.0.0.1", Port: port, User: "postgres", SSLMode: "disable", ConnectTimeout: 5 * time.Second}

	c.Password = testPassword
	_, err := Connect(context.Background(), c)
	if err == nil {
		t.Fatal("a wrong password was accepted")
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
		t.Errorf("want SQLSTATE 28P01 (invalid_password), got %v", err)
	}
	if !strings.Contains(err.Error(), `password authentication failed for user "postgres"`) ||
		!strings.Contains(err.Error(), fmt.Sprintf("127.0.0.1:%d", port)) {
		t.Errorf("error does not say what failed where: %v", err)
	}
	if strings.Contains(err.Error(), testPassword) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), testPassword) {
		t.Errorf("error contains the password: %v", err)
	}

	c.Password = right
	conn, err := Connect(context.Background(), c)
	if err != nil {
		t.Fatalf("the right password was refused: %v", err)
	}
	_ = conn.Close(context.Background())
}

package pgstats

import (
	"context"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// testPassword is given to every connection the tests make so that any leak
// into an error message is detectable. The harness cluster uses trust
// authentication, so the server ignores it.
const testPassword = "Sup3r-Secret-Pa55word-9c1e"

// harness holds the throwaway PostgreSQL started by scripts/testpg.sh.
type harness struct {
	dsn    string
	host   string
	port   int
	bindir string
}

// needPG returns the harness or fails the test: these tests exercise a real
// PostgreSQL and must not silently pass without one.
func needPG(tb testing.TB) harness {
	tb.Helper()
	h := harness{
		dsn:    os.Getenv("RIGHTSIZE_TEST_PG_DSN"),
		host:   os.Getenv("RIGHTSIZE_TEST_PG_HOST"),
		bindir: os.Getenv("RIGHTSIZE_TEST_PG_BINDIR"),
	}
	if h.dsn == "" {
		tb.Fatal("RIGHTSIZE_TEST_PG_DSN is not set: start a throwaway PostgreSQL with " +
			`eval "$(scripts/testpg.sh start /tmp/pg-test)" (or run make test)`)
	}
	u, err := url.Parse(h.dsn)
	if err != nil {
		tb.Fatalf("RIGHTSIZE_TEST_PG_DSN is not a URL: %v", err)
	}
	if h.host == "" {
		h.host = u.Hostname()
	}
	p := os.Getenv("RIGHTSIZE_TEST_PG_PORT")
	if p == "" {
		p = u.Port()
	}
	if h.port, err = strconv.Atoi(p); err != nil {
		tb.Fatalf("cannot tell the harness port (RIGHTSIZE_TEST_PG_PORT=%q): %v", p, err)
	}
	return h
}

// private returns a harness for a throwaway server of the harness's version and configuration
// (acctest.StartPostgres), stopped when the test ends: for a test that changes what the whole
// server does (ALTER SYSTEM), which the harness's server, shared with the other packages' tests
// running at the same time, must not see.
func (h harness) private(tb testing.TB) harness {
	tb.Helper()
	dsn := acctest.StartPostgres(tb)
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("the private server's DSN is not a URL: %v", err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		tb.Fatalf("the private server's DSN %q has no port: %v", dsn, err)
	}
	return harness{dsn: dsn, host: u.Hostname(), port: port, bindir: h.bindir}
}

// cfg returns connection settings for database and user on the harness.
func (h harness) cfg(database, user string) ConnConfig {
	return ConnConfig{Host: h.host, Port: h.port, Database: database, User: user, Password: testPassword,
		SSLMode: "disable", ConnectTimeout: 5 * time.Second}
}

// superuser connects to database as postgres with the harness DSN.
func (h harness) superuser(tb testing.TB, database string) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(h.dsn)
	if err != nil {
		tb.Fatalf("parsing harness DSN: %v", err)
	}
	cfg.Database = database
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		tb.Fatalf("connecting to harness database %s: %v", database, err)
	}
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// connect opens a collector connection through Connect and closes it at cleanup.
func (h harness) connect(tb testing.TB, database, user string) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := Connect(ctx, h.cfg(database, user))
	if err != nil {
		tb.Fatalf("Connect(%s as %s): %v", database, user, err)
	}
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// execSQL runs statements on conn, failing the test on error.
func execSQL(tb testing.TB, conn *pgx.Conn, stmts ...string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
}

// freshDatabase drops and recreates database name (owned by the harness
// superuser) and drops it again at cleanup.
func (h harness) freshDatabase(tb testing.TB, name string) {
	tb.Helper()
	admin := h.superuser(tb, "postgres")
	ident := pgx.Identifier{name}.Sanitize()
	execSQL(tb, admin, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)", "CREATE DATABASE "+ident)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, h.dsn)
		if err != nil {
			tb.Logf("cleanup: connecting to drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			tb.Logf("cleanup: dropping %s: %v", name, err)
		}
	})
}

// freshRole drops and recreates a LOGIN role with the given extra clause and
// drops it at cleanup.
func (h harness) freshRole(tb testing.TB, name string, grants ...string) {
	tb.Helper()
	admin := h.superuser(tb, "postgres")
	ident := pgx.Identifier{name}.Sanitize()
	execSQL(tb, admin, "DROP ROLE IF EXISTS "+ident, "CREATE ROLE "+ident+" LOGIN")
	for _, g := range grants {
		execSQL(tb, admin, "GRANT "+pgx.Identifier{g}.Sanitize()+" TO "+ident)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, h.dsn)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP ROLE IF EXISTS "+ident)
	})
}

// collect runs Collect on conn with opts and a bounded context.
func collect(tb testing.TB, conn *pgx.Conn, opts Options) *Stats {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := Collect(ctx, conn, opts)
	if err != nil {
		tb.Fatalf("Collect: %v", err)
	}
	return st
}

// poll calls cond every 50 ms until it returns true or timeout passes.
func poll(tb testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil {
			tb.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// backgroundCollect is a collection running in another goroutine (sampleInBackground).
type backgroundCollect chan struct {
	st  *Stats
	err error
}

// sampleInBackground starts Collect on conn with opts (a sample, so that a test can run its
// workload during it: awaitSampleWait) in a goroutine, bounded as collect's.
func sampleInBackground(conn *pgx.Conn, opts Options) backgroundCollect {
	c := make(backgroundCollect, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		st, err := Collect(ctx, conn, opts)
		c <- struct {
			st  *Stats
			err error
		}{st, err}
	}()
	return c
}

// wait returns the collection's statistics, failing the test if Collect failed.
func (c backgroundCollect) wait(tb testing.TB) *Stats {
	tb.Helper()
	r := <-c
	if r.err != nil {
		tb.Fatalf("Collect: %v", r.err)
	}
	return r.st
}

// awaitSampleWait returns once the sampled collection on the session pid (running in another
// goroutine) has taken its first snapshot and waits for the second: the session is idle in its
// transaction after the snapshot's closing statement. What a test runs after it falls in the
// sample however long the collection took to get there (a loaded machine makes a fixed sleep
// too short). admin is a connection of a superuser (or pg_read_all_stats) of the same server.
func awaitSampleWait(tb testing.TB, admin *pgx.Conn, pid uint32) {
	tb.Helper()
	poll(tb, 30*time.Second, "the collector waiting between its sample snapshots", func() (bool, error) {
		var waiting bool
		err := admin.QueryRow(context.Background(), `SELECT EXISTS (SELECT FROM pg_stat_activity
			WHERE pid = $1 AND state = 'idle in transaction' AND query = $2)`, pid, tagged("SELECT clock_timestamp()")).Scan(&waiting)
		return waiting, err
	})
}

func hasWarning(st *Stats, substr string) bool {
	for _, w := range st.Warnings {
		if strings.Contains(w, substr) {
			return true
		}
	}
	return false
}

func findDatabase(st *Stats, name string) *Database {
	for i := range st.Databases {
		if st.Databases[i].Name == name {
			return &st.Databases[i]
		}
	}
	return nil
}

// otherWarnings are st's warnings but the one of unpublishedTransactions, which a sample
// on the shared test server may rightly give for a load of another test (or of its own
// that reads no table: SELECT $1::int): the tests that want no warning mean the others.
func otherWarnings(st *Stats) []string {
	var out []string
	for _, w := range st.Warnings {
		if !strings.HasPrefix(w, unpublishedWarningStart) {
			out = append(out, w)
		}
	}
	return out
}

// startOnFreePort starts a private PostgreSQL with start(port), on a port of 127.0.0.1 that was
// free when picked, and returns that port. Until the server binds it another process may take it
// (make test's packages connect and start servers in parallel, and any outgoing connection takes
// a port of the same ephemeral range): a start that fails on its address in use, as the server's
// log (logPath) says, is retried on another free port, as scripts/testpg.sh does.
func startOnFreePort(tb testing.TB, logPath string, start func(port int) ([]byte, error)) int {
	tb.Helper()
	for attempt := 1; ; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		var logged int64
		if fi, err := os.Stat(logPath); err == nil {
			logged = fi.Size()
		}
		out, err := start(port)
		if err == nil {
			return port
		}
		log, _ := os.ReadFile(logPath)
		if int64(len(log)) >= logged {
			log = log[logged:]
		}
		if attempt == 5 || !addrInUse.Match(log) {
			tb.Fatalf("starting PostgreSQL on port %d: %v: %s\n%s", port, err, out, log)
		}
		tb.Logf("port %d was taken before the server bound it; trying another", port)
	}
}

var addrInUse = regexp.MustCompile(`could not bind .*Address already in use`)

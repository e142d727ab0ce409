package pgstats

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestConnect_hostConnectionString: a host that is a connection string (a postgres:// URI, a
// user:password@host, or libpq keyword=value settings), as when a DATABASE_URL is pasted into
// postgres.host or PGHOST, is refused before anything is dialled, saying what to do, and the
// error never repeats it: the password inside it is not the password setting, so redaction did
// not hide it, and the error quoted the whole host (in its context and in the resolver's "lookup
// postgresql://rightsize:<password>@...: no such host").
func TestConnect_hostConnectionString(t *testing.T) {
	const secret = "S3cretInHost-8f2a"
	for _, host := range []string{
		"postgresql://rightsize:" + secret + "@127.0.0.1:5432/postgres",
		"postgres://rightsize:" + secret + "@db.example.internal/chat?sslmode=require",
		"rightsize:" + secret + "@db.example.internal",
		"host=db.example.internal password=" + secret,
	} {
		t.Run(host[:12], func(t *testing.T) {
			c := ConnConfig{Host: host, User: "rightsize", SSLMode: "disable", ConnectTimeout: 2 * time.Second}
			if err := c.Validate(); err == nil {
				t.Error("Validate accepted a connection string as the host")
			}
			conn, err := Connect(context.Background(), c)
			if err == nil {
				_ = conn.Close(context.Background())
				t.Fatal("Connect accepted a connection string as the host")
			}
			for _, e := range []error{err, c.Validate()} {
				if e == nil {
					continue
				}
				if s := fmt.Sprintf("%v %+v", e, e); strings.Contains(s, secret) {
					t.Errorf("error contains the password of the connection string: %s", s)
				}
				if !strings.Contains(e.Error(), "connection string") {
					t.Errorf("error does not say the host is a connection string: %v", e)
				}
			}
		})
	}
	// Host names, addresses and socket directories stay valid.
	for _, host := range []string{"db.example.internal", "127.0.0.1", "::1", "fe80::1%eth0", "/var/run/postgresql", "@pgsock",
		"/tmp/sock dir=x@y"} {
		if err := (ConnConfig{Host: host, User: "rightsize"}).Validate(); err != nil {
			t.Errorf("host %q refused: %v", host, err)
		}
	}
}

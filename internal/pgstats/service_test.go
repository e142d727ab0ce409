package pgstats

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// envOf is a getenv over m.
func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// LookupService reads the service PGSERVICE names from PGSERVICEFILE, else ~/.pg_service.conf;
// nothing without PGSERVICE; an error naming the service and the file (and no setting's value)
// when the file or the service is missing.
func TestLookupService(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "services.conf")
	body := "# comment\n[other]\nport=7000\n\n[rs]\nhost = db.svc.internal\nport=6001\ndbname=chat\npassword=s3cret-in-file\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".pg_service.conf"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	svc, err := LookupService(envOf(map[string]string{"PGSERVICE": "rs", "PGSERVICEFILE": file}))
	if err != nil {
		t.Fatal(err)
	}
	if svc.Name != "rs" || svc.File != file || svc.Get("host") != "db.svc.internal" || svc.Get("port") != "6001" ||
		svc.Get("dbname") != "chat" || svc.Get("sslmode") != "" {
		t.Fatalf("service %+v", svc)
	}
	if (*Service)(nil).Get("port") != "" {
		t.Fatal("a nil service sets a port")
	}

	if runtime.GOOS != "windows" {
		svc, err = LookupService(envOf(map[string]string{"PGSERVICE": "rs", "HOME": dir}))
		if err != nil || svc.File != filepath.Join(dir, ".pg_service.conf") || svc.Get("port") != "6001" {
			t.Fatalf("from the home directory: %+v, %v", svc, err)
		}
	}

	if svc, err := LookupService(envOf(map[string]string{"PGSERVICEFILE": file, "HOME": dir})); svc != nil || err != nil {
		t.Fatalf("without PGSERVICE: %+v, %v; want nothing", svc, err)
	}

	for name, c := range map[string]struct {
		env  map[string]string
		want []string
	}{
		"no such service": {map[string]string{"PGSERVICE": "nope", "PGSERVICEFILE": file}, []string{`"nope"`, file, "no such service", "[nope]"}},
		"no such file":    {map[string]string{"PGSERVICE": "rs", "PGSERVICEFILE": file + ".missing"}, []string{`"rs"`, file + ".missing", "no such file"}},
		"no file at all":  {map[string]string{"PGSERVICE": "rs"}, []string{`"rs"`, "PGSERVICEFILE"}},
	} {
		t.Run(name, func(t *testing.T) {
			if runtime.GOOS == "windows" && name == "no file at all" {
				t.Skip("APPDATA and USERPROFILE decide on Windows")
			}
			svc, err := LookupService(envOf(c.env))
			if err == nil {
				t.Fatalf("got %+v, want an error", svc)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %s", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cret-in-file") {
				t.Errorf("error %q quotes the file's password", err)
			}
			if name == "no such service" && !errors.Is(err, ErrNoService) {
				t.Errorf("error %q is not ErrNoService", err)
			}
		})
	}
}

// Connect hands pgx the service and the file its caller resolved them from (ConnConfig.Service,
// ServiceFile), not whatever PGSERVICE and PGSERVICEFILE say: pgx takes the service's settings
// that ConnConfig does not carry (here options) from that file, and ConnConfig's own fields win
// over the service's.
func TestConnect_serviceFile(t *testing.T) {
	h := needPG(t)
	file := filepath.Join(t.TempDir(), "pg_service.conf")
	body := "[rs_pgstats]\nport=1\nsslmode=require\noptions=-c work_mem=7777kB\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGSERVICE", "")
	t.Setenv("PGSERVICEFILE", "")
	c := h.cfg("postgres", "postgres") // port and sslmode disable: the harness's, over the service's
	c.Service, c.ServiceFile = "rs_pgstats", file
	conn, err := Connect(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var workMem string
	if err := conn.QueryRow(context.Background(), "SHOW work_mem").Scan(&workMem); err != nil {
		t.Fatal(err)
	}
	if workMem != "7777kB" {
		t.Fatalf("work_mem = %q, want the service's options' 7777kB", workMem)
	}

	// A service the file lacks fails the connection, as in libpq.
	c.Service = "nope"
	if _, err := Connect(context.Background(), c); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("a service the file lacks: %v", err)
	}
}

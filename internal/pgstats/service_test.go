package pgstats

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// envOf is a getenv over m.
func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// LookupService reads the service PGSERVICE names from PGSERVICEFILE, else ~/.pg_service.conf;
// nothing without PGSERVICE; an error naming the service and the files searched (and no
// setting's value) when no file defines it. The system-wide file is TestLookupService_systemFile's.
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
		"no such service": {map[string]string{"PGSERVICE": "nope", "PGSERVICEFILE": file}, []string{`"nope"`, file, "no such service", "[nope]", "PGSYSCONFDIR"}},
		"no such file":    {map[string]string{"PGSERVICE": "rs", "PGSERVICEFILE": file + ".missing"}, []string{`"rs"`, file + ".missing", "does not exist", "no such service"}},
		"no file at all":  {map[string]string{"PGSERVICE": "rs"}, []string{`"rs"`, "PGSERVICEFILE", "PGSYSCONFDIR", "/etc/postgresql-common"}},
		"in neither file": {map[string]string{"PGSERVICE": "nope", "PGSERVICEFILE": file, "PGSYSCONFDIR": dir},
			[]string{`"nope"`, file + " (PGSERVICEFILE) has no [nope] section", filepath.Join(dir, "pg_service.conf") + " (the system-wide service file, in PGSYSCONFDIR) does not exist"}},
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
			if !errors.Is(err, ErrNoService) {
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

// As libpq: a service the user's file (PGSERVICEFILE, else ~/.pg_service.conf) does not define,
// or that has no user's file, is looked up in the system-wide pg_service.conf of PGSYSCONFDIR; one
// the user's file defines is taken from it whole, the system-wide file's settings for it left
// out (libpq does not merge them); a user's file that exists but cannot be parsed is an error,
// the system-wide file not tried. Without PGSYSCONFDIR no system-wide file is read.
func TestLookupService_systemFile(t *testing.T) {
	sysdir, userdir := t.TempDir(), t.TempDir()
	sysFile := filepath.Join(sysdir, "pg_service.conf")
	if err := os.WriteFile(sysFile, []byte("[shared]\nhost=db.shared.internal\nport=6100\n\n[rs]\nhost=db.system.internal\nsslmode=verify-full\noptions=-c work_mem=64kB\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	userFile := filepath.Join(userdir, ".pg_service.conf")
	if err := os.WriteFile(userFile, []byte("[rs]\nhost=db.user.internal\nport=6001\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(userdir, "broken.conf")
	if err := os.WriteFile(broken, []byte("host=outside-a-section\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		env      map[string]string
		file     string
		settings map[string]string
	}{
		{"only in the system-wide file", map[string]string{"PGSERVICE": "shared", "PGSERVICEFILE": userFile, "PGSYSCONFDIR": sysdir},
			sysFile, map[string]string{"host": "db.shared.internal", "port": "6100"}},
		{"user's file missing", map[string]string{"PGSERVICE": "rs", "PGSERVICEFILE": userFile + ".missing", "PGSYSCONFDIR": sysdir},
			sysFile, map[string]string{"host": "db.system.internal", "sslmode": "verify-full", "options": "-c work_mem=64kB"}},
		{"in both: the user's, whole", map[string]string{"PGSERVICE": "rs", "PGSERVICEFILE": userFile, "PGSYSCONFDIR": sysdir},
			userFile, map[string]string{"host": "db.user.internal", "port": "6001"}},
		{"no user's file known", map[string]string{"PGSERVICE": "shared", "PGSYSCONFDIR": sysdir},
			sysFile, map[string]string{"host": "db.shared.internal", "port": "6100"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && c.env["PGSERVICEFILE"] == "" {
				t.Skip("APPDATA and USERPROFILE decide on Windows")
			}
			svc, err := LookupService(envOf(c.env))
			if err != nil {
				t.Fatal(err)
			}
			if svc.File != c.file || !maps.Equal(svc.Settings, c.settings) {
				t.Fatalf("service %q from %s with %v, want from %s with %v", svc.Name, svc.File, svc.Settings, c.file, c.settings)
			}
		})
	}

	if svc, err := LookupService(envOf(map[string]string{"PGSERVICE": "shared", "PGSERVICEFILE": userFile})); err == nil ||
		!errors.Is(err, ErrNoService) || !strings.Contains(err.Error(), "PGSYSCONFDIR") {
		t.Errorf("without PGSYSCONFDIR: %+v, %v; want no such service, saying to set PGSYSCONFDIR", svc, err)
	}
	svc, err := LookupService(envOf(map[string]string{"PGSERVICE": "shared", "PGSERVICEFILE": broken, "PGSYSCONFDIR": sysdir}))
	if err == nil || errors.Is(err, ErrNoService) || !strings.Contains(err.Error(), broken) || !strings.Contains(err.Error(), "not in a section") {
		t.Errorf("a user's file that cannot be parsed: %+v, %v; want its error, the system-wide file not tried", svc, err)
	}
	if SystemServiceFile(envOf(nil)) != "" {
		t.Errorf("SystemServiceFile without PGSYSCONFDIR = %q, want none", SystemServiceFile(envOf(nil)))
	}
}

// Against the harness's PostgreSQL, as libpq connects: a service that only the system-wide
// service file (PGSYSCONFDIR) defines is the one pgx connects with, whether the caller names it
// and its file (as the provider does, from LookupService) or leaves both to PGSERVICE; pgx takes
// its settings that ConnConfig does not carry (options) from that file. A service the user's
// file defines too is the user's whole: the system-wide file's options are not applied.
func TestConnect_systemServiceFile(t *testing.T) {
	h := needPG(t)
	sysdir, userdir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(sysdir, "pg_service.conf"),
		[]byte("[rs_sys]\noptions=-c work_mem=6543kB\n\n[rs_both]\noptions=-c work_mem=6543kB\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	userFile := filepath.Join(userdir, ".pg_service.conf")
	if err := os.WriteFile(userFile, []byte("[rs_both]\nconnect_timeout=9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGSYSCONFDIR", sysdir)
	t.Setenv("PGSERVICEFILE", "")
	t.Setenv("HOME", userdir)
	workMem := func(t *testing.T, c ConnConfig) string {
		t.Helper()
		conn, err := Connect(context.Background(), c)
		if err != nil {
			t.Fatalf("Connect: %v", err)
		}
		defer func() { _ = conn.Close(context.Background()) }()
		var v string
		if err := conn.QueryRow(context.Background(), "SHOW work_mem").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	t.Run("named by the caller", func(t *testing.T) {
		t.Setenv("PGSERVICE", "rs_sys")
		svc, err := LookupService(os.Getenv)
		if err != nil {
			t.Fatal(err)
		}
		c := h.cfg("postgres", "postgres")
		c.Service, c.ServiceFile = svc.Name, svc.File
		if got := workMem(t, c); got != "6543kB" {
			t.Fatalf("work_mem = %q, want the system-wide service's 6543kB", got)
		}
	})
	t.Run("from PGSERVICE", func(t *testing.T) {
		t.Setenv("PGSERVICE", "rs_sys")
		if got := workMem(t, h.cfg("postgres", "postgres")); got != "6543kB" {
			t.Fatalf("work_mem = %q, want the system-wide service's 6543kB", got)
		}
	})
	t.Run("in both files", func(t *testing.T) {
		t.Setenv("PGSERVICE", "rs_both")
		if got := workMem(t, h.cfg("postgres", "postgres")); got == "6543kB" {
			t.Fatalf("work_mem = %q, the system-wide file's rs_both: the user's file defines rs_both, without options", got)
		}
	})
}

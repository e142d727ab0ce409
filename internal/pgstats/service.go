package pgstats

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/jackc/pgservicefile"
)

// Service is a libpq connection service: the settings of one section of a connection service file
// (pg_service.conf), which libpq, and pgx with it, takes for every connection parameter the
// connection string does not set, before the PG* environment variables and the defaults
// ("explicit parameter > service > environment > default"). Settings are keyed as written in the
// file (dbname, user, sslmode, ...). A password may be among them: never log Settings.
type Service struct {
	// Name is the service, as PGSERVICE names it.
	Name string
	// File is the service file it was read from: the user's (ServiceFile) or, when that does
	// not define the service, the system-wide one (SystemServiceFile).
	File string
	// Settings are the service's keyword = value lines.
	Settings map[string]string
}

// Get returns the service's value of keyword, "" when it sets none (or s is nil).
func (s *Service) Get(keyword string) string {
	if s == nil {
		return ""
	}
	return s.Settings[keyword]
}

// ServiceFile returns the user's connection service file, the first file libpq looks for a
// service in, with getenv giving the environment: PGSERVICEFILE when set, else .pg_service.conf
// in the user's home directory (HOME; on Windows %APPDATA%\postgresql\.pg_service.conf, as libpq
// has it); "" when neither is known. The system-wide file, read after it, is SystemServiceFile's.
func ServiceFile(getenv func(string) string) string {
	if f := getenv("PGSERVICEFILE"); f != "" {
		return f
	}
	if runtime.GOOS == "windows" {
		if d := getenv("APPDATA"); d != "" {
			return filepath.Join(d, "postgresql", ".pg_service.conf")
		}
		if d := getenv("USERPROFILE"); d != "" {
			return filepath.Join(d, ".pg_service.conf")
		}
		return ""
	}
	if d := getenv("HOME"); d != "" {
		return filepath.Join(d, ".pg_service.conf")
	}
	return ""
}

// SystemServiceFile returns the system-wide connection service file libpq looks for a service in
// when the user's file (ServiceFile) does not have it: pg_service.conf in PGSYSCONFDIR, with getenv
// giving the environment; "" when PGSYSCONFDIR is not set.
//
// Without PGSYSCONFDIR, libpq reads pg_service.conf in the sysconfdir compiled into it, which each
// build of libpq chooses: /etc/postgresql-common on Debian and Ubuntu, /etc/sysconfig/pgsql in the
// PGDG RPMs, the installation's etc in a source build or Homebrew's. This provider is not built
// with libpq and has no sysconfdir of its own, and pgx reads no system-wide file. Guessing one
// distribution's (Debian's /etc/postgresql-common/pg_service.conf) on every machine would take a
// service, with the host and sslmode it sets, from a file that the machine's own libpq may not
// read at all, silently; reading none makes a service that only such a file defines fail, loudly,
// with LookupService's error saying to set PGSYSCONFDIR (on Debian and Ubuntu to
// /etc/postgresql-common). So no system-wide file is read unless PGSYSCONFDIR names its folder.
func SystemServiceFile(getenv func(string) string) string {
	if d := getenv("PGSYSCONFDIR"); d != "" {
		return filepath.Join(d, "pg_service.conf")
	}
	return ""
}

// ErrNoService is LookupService's error (errors.Is) for a service that neither the user's service
// file nor the system-wide one defines (or that has no service file to be read from).
var ErrNoService = errors.New("no such service")

// LookupService reads the connection service PGSERVICE names, with getenv giving the environment,
// as libpq finds it: in the user's service file (ServiceFile: PGSERVICEFILE, else
// ~/.pg_service.conf), else in the system-wide one (SystemServiceFile: $PGSYSCONFDIR/pg_service.conf).
// A file that does not exist is passed over; the first file that has a section of the service's
// name gives the whole service (libpq does not merge a service's settings from both files), and
// Service.File says which, for pgx to read the same (ConnConfig.ServiceFile). It returns nil and
// no error when PGSERVICE is not set. The error, when a file that exists cannot be read or parsed
// (as in libpq, the system-wide file is then not tried) or neither defines the service
// (ErrNoService), names the service and the files, never a setting's value.
func LookupService(getenv func(string) string) (*Service, error) {
	name := getenv("PGSERVICE")
	if name == "" {
		return nil, nil
	}
	return findService(name, getenv)
}

// findService is LookupService for the service name (not empty).
func findService(name string, getenv func(string) string) (*Service, error) {
	type candidate struct{ file, from string }
	var candidates []candidate
	if f := ServiceFile(getenv); f != "" {
		from := "the user's service file"
		if getenv("PGSERVICEFILE") != "" {
			from = "PGSERVICEFILE"
		}
		candidates = append(candidates, candidate{f, from})
	}
	if f := SystemServiceFile(getenv); f != "" {
		candidates = append(candidates, candidate{f, "the system-wide service file, in PGSYSCONFDIR"})
	}
	const remedy = "set PGSERVICEFILE to the file that defines it (else ~/.pg_service.conf is read), or PGSYSCONFDIR to the folder of " +
		"the system-wide pg_service.conf that does (on Debian and Ubuntu /etc/postgresql-common; the provider reads no " +
		"system-wide file without PGSYSCONFDIR)"
	if len(candidates) == 0 {
		return nil, fmt.Errorf("connection service %q (PGSERVICE): %w: no service file to read it from: %s", name, ErrNoService, remedy)
	}
	var searched []string
	for _, c := range candidates {
		sf, err := pgservicefile.ReadServicefile(c.file)
		if errors.Is(err, fs.ErrNotExist) {
			searched = append(searched, fmt.Sprintf("%s (%s) does not exist", c.file, c.from))
			continue
		}
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is said once, below
			}
			return nil, fmt.Errorf("connection service %q (PGSERVICE): reading the service file %s (%s): %w", name, c.file, c.from, err)
		}
		if svc, err := sf.GetService(name); err == nil {
			return &Service{Name: name, File: c.file, Settings: svc.Settings}, nil
		}
		searched = append(searched, fmt.Sprintf("%s (%s) has no [%s] section", c.file, c.from, name))
	}
	return nil, fmt.Errorf("connection service %q (PGSERVICE): %w: %s; %s", name, ErrNoService, strings.Join(searched, ", and "), remedy)
}

package pgstats

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"

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
	// File is the service file it was read from (ServiceFile).
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

// ServiceFile returns the connection service file a service is read from, with getenv giving
// the environment: PGSERVICEFILE when set, else .pg_service.conf in the user's home directory
// (HOME; on Windows %APPDATA%\postgresql\.pg_service.conf, as libpq has it); "" when neither is
// known. libpq's system-wide file (pg_service.conf in PGSYSCONFDIR) is not read, as pgx does
// not read it.
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

// ErrNoService is LookupService's error (errors.Is) for a service file that has no section of
// the service's name.
var ErrNoService = errors.New("no such service")

// LookupService reads the connection service PGSERVICE names from its file (ServiceFile), with
// getenv giving the environment. It returns nil and no error when PGSERVICE is not set. The
// error, when the file cannot be read or parsed or has no such service (ErrNoService), names the
// service and the file, never a setting's value.
func LookupService(getenv func(string) string) (*Service, error) {
	name := getenv("PGSERVICE")
	if name == "" {
		return nil, nil
	}
	file := ServiceFile(getenv)
	if file == "" {
		return nil, fmt.Errorf("connection service %q (PGSERVICE): no service file: set PGSERVICEFILE, or HOME for ~/.pg_service.conf", name)
	}
	sf, err := pgservicefile.ReadServicefile(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said once, below
		}
		return nil, fmt.Errorf("connection service %q (PGSERVICE): reading the service file %s: %w", name, file, err)
	}
	svc, err := sf.GetService(name)
	if err != nil {
		return nil, fmt.Errorf("connection service %q (PGSERVICE): %w in the service file %s (no [%s] section)", name, ErrNoService, file, name)
	}
	return &Service{Name: name, File: file, Settings: svc.Settings}, nil
}

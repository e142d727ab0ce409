package pgstats

import (
	"cmp"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// SSLModes lists the accepted values of ConnConfig.SSLMode, in libpq order from
// least to most protective. The provider builds its validator and documentation
// from this slice.
var SSLModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

// Defaults applied by Connect to zero-valued ConnConfig fields.
const (
	// DefaultPort is the PostgreSQL port used when ConnConfig.Port is 0.
	DefaultPort = 5432
	// DefaultDatabase is the database used when ConnConfig.Database is empty.
	DefaultDatabase = "postgres"
	// DefaultSSLMode is the sslmode used when ConnConfig.SSLMode is empty, a root CA file given or
	// not (libpq's default, which existing tunnels, IP addresses and aliases in front of a server
	// rely on). It does not verify the server: see EffectiveSSLMode and VerifiesServer.
	DefaultSSLMode = "prefer"
	// DefaultConnectTimeout bounds a connection attempt when ConnConfig.ConnectTimeout is 0.
	DefaultConnectTimeout = 10 * time.Second
	// DefaultApplicationName is reported to the server as application_name when nothing else
	// sets one and ConnConfig.FallbackApplicationName is empty, so the collector's session is
	// easy to recognise in pg_stat_activity (libpq's fallback_application_name: see Connect).
	DefaultApplicationName = "terraform-provider-rightsize"
)

// ConnConfig holds explicit connection settings. Only the fields below are
// taken from it; settings it does not name (for example PGOPTIONS or PGSSLCERT)
// keep libpq's environment-variable behaviour, as pgx implements it.
type ConnConfig struct {
	// Host is the server's host name or IP address. Required.
	Host string
	// Port is the server's TCP port; 0 means DefaultPort (5432). Must be 0..65535.
	Port int
	// Database to connect to; empty means DefaultDatabase ("postgres").
	Database string
	// User is the role to log in as. Required.
	User string
	// Password for User (or an RDS IAM authentication token). Never included in
	// any error returned by this package. Empty means none is sent unless the
	// server asks and PGPASSWORD or a passfile supplies one.
	Password string
	// SSLMode is one of SSLModes; empty means DefaultSSLMode ("prefer"), as in
	// libpq. "require" with a root CA file behaves as "verify-ca", as in libpq
	// (EffectiveSSLMode).
	SSLMode string
	// SSLRootCert is the path of a PEM file of trusted CA certificates, used by
	// sslmode verify-ca and verify-full (for RDS, the CA bundle from AWS,
	// global-bundle.pem); empty means PGSSLROOTCERT, if set. Given, "require"
	// becomes "verify-ca"; only "verify-full" also checks the host name.
	SSLRootCert string
	// ConnectTimeout bounds the whole connection attempt, TLS fallbacks
	// included; 0 means DefaultConnectTimeout. Negative values are an error.
	ConnectTimeout time.Duration
	// FallbackApplicationName is sent as application_name when neither PGAPPNAME nor the
	// connection service sets one, as libpq's fallback_application_name is: the name a user
	// gives the session wins over the tool's. Empty means DefaultApplicationName.
	FallbackApplicationName string
	// Service names a libpq connection service (PGSERVICE) and ServiceFile the file it is read
	// from (LookupService's Service.File: the user's service file or the system-wide one). The
	// fields above are taken as they are, so a caller that honours the service fills those the
	// configuration leaves out from it first (LookupService), before the environment and the
	// defaults, as libpq does; pgx reads this file for the service's other settings (sslcert,
	// sslkey, options, application_name, ...), the file the caller read, not one of its own
	// choosing (pgx knows only the user's file, and no system-wide one). Service empty means
	// PGSERVICE's; ServiceFile empty means the file libpq would find the service in
	// (LookupService).
	Service     string
	ServiceFile string
}

// Address returns "host:port" with defaults applied, for messages.
func (c ConnConfig) Address() string {
	port := c.Port
	if port == 0 {
		port = DefaultPort
	}
	return fmt.Sprintf("%s:%d", c.Host, port)
}

// Validate reports the first setting that cannot work, naming it. It does not
// contact the server.
func (c ConnConfig) Validate() error {
	switch {
	case strings.TrimSpace(c.Host) == "":
		return errors.New("host is empty: set the PostgreSQL server's host name or address")
	case HostIsConnectionString(c.Host):
		return ErrHostConnectionString
	case strings.Contains(c.Host, ","):
		return fmt.Errorf("host %q contains a comma: give exactly one host", c.Host)
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("port %d is out of range: use 1-65535 (or 0 for %d)", c.Port, DefaultPort)
	case strings.TrimSpace(c.User) == "":
		return errors.New("user is empty: set the role to log in as (least privilege: a role granted pg_monitor)")
	case c.SSLMode != "" && !slices.Contains(SSLModes, c.SSLMode):
		return fmt.Errorf("sslmode %q is not supported: use one of %s", c.SSLMode, strings.Join(SSLModes, ", "))
	case c.ConnectTimeout < 0:
		return fmt.Errorf("connect timeout %s is negative: use a positive duration (or 0 for %s)", c.ConnectTimeout, DefaultConnectTimeout)
	case strings.ContainsRune(c.Host+c.Database+c.User+c.SSLRootCert+c.FallbackApplicationName+c.Service+c.ServiceFile, 0):
		return errors.New("a connection setting contains a NUL byte")
	}
	return nil
}

// ErrHostConnectionString is Validate's error for a host that is a connection string
// (HostIsConnectionString). It does not repeat the host, which may hold a password.
var ErrHostConnectionString = errors.New("host is a connection string (a postgres:// or postgresql:// URI, " +
	"user:password@host, or keyword=value settings), not a host name; its value, which may hold a password, is not repeated here. " +
	"Set host to the server's host name or IP address alone, and the port, database, user and password in their own settings")

// HostIsConnectionString reports whether host is a connection string rather than a host: a URI
// (it holds "://"), user[:password]@host, or libpq keyword=value settings (it holds "="), as when
// a DATABASE_URL is given as the host. Such a value may hold a password, which Connect would
// otherwise quote in its errors (as the host name it failed to resolve) and which is not the
// Password it redacts. A host name or IP address holds none of these; a Unix-domain socket
// directory (an absolute path) or abstract socket (@name) may, and is never taken for one.
func HostIsConnectionString(host string) bool {
	h := strings.TrimSpace(host)
	if strings.Contains(h, "://") {
		return true
	}
	if strings.HasPrefix(h, "/") || strings.HasPrefix(h, "@") {
		return false
	}
	return strings.ContainsAny(h, "@=")
}

// EffectiveSSLMode returns the sslmode a connection with ConnConfig.SSLMode
// sslmode and root CA file sslrootcert ("" for none) uses, as libpq has it.
// sslmode, when set, is used as it is, except that "require" with a root CA
// file is "verify-ca" ("if a root CA file exists, the behavior of
// sslmode=require will be the same as that of verify-ca"). An empty sslmode is
// DefaultSSLMode ("prefer"), with a root CA file too: making it verify the
// server would break connections through a tunnel (localhost), to an IP
// address or through a DNS alias, which libpq's default lets through.
// sslrootcert "system" (the system's trusted roots) is always "verify-full",
// as pgx (and libpq) have it.
func EffectiveSSLMode(sslmode, sslrootcert string) string {
	switch {
	case sslrootcert == "system":
		return "verify-full"
	case sslmode == "":
		return DefaultSSLMode
	case sslmode == "require" && sslrootcert != "":
		return "verify-ca"
	}
	return sslmode
}

// DefaultRootCert returns the root CA file that pgx (as libpq) uses when neither sslrootcert
// nor PGSSLROOTCERT nor a connection service gives one, with getenv giving the environment:
// .postgresql/root.crt in the home directory (HOME, which is what pgx v5.13 reads, through
// os.UserHomeDir; on Windows %APPDATA%\postgresql\root.crt) when that file exists, else "".
// With it, sslmode "require" is "verify-ca" (EffectiveSSLMode), as pgx connects.
func DefaultRootCert(getenv func(string) string) string {
	var f string
	switch {
	case runtime.GOOS == "windows":
		if d := getenv("APPDATA"); d != "" {
			f = filepath.Join(d, "postgresql", "root.crt")
		}
	case getenv("HOME") != "":
		f = filepath.Join(getenv("HOME"), ".postgresql", "root.crt")
	}
	if f == "" {
		return ""
	}
	if _, err := os.Stat(f); err != nil {
		return ""
	}
	return f
}

// VerifiesServer reports whether sslmode (an effective one: EffectiveSSLMode)
// checks the server's certificate against a trusted CA, so that only a server
// holding such a certificate (verify-full: for the host name) receives the
// password: "verify-ca" and "verify-full". With any other mode a server that
// refuses TLS (disable, allow, prefer) or presents any certificate (require)
// gets it.
func VerifiesServer(sslmode string) bool {
	return sslmode == "verify-ca" || sslmode == "verify-full"
}

// Connect opens one pgx connection with the given settings, with the sslmode
// EffectiveSSLMode gives. The whole
// attempt, including an sslmode=prefer/allow fallback, is bounded by
// ConnectTimeout (and by ctx). Errors name the host, port, database, user and
// effective sslmode, wrap the driver's error (errors.As finds
// *pgconn.PgError and *pgconn.ConnectError), and never contain the password:
// any occurrence of it in the driver's text is replaced by "[REDACTED]". The
// caller closes the connection.
func Connect(ctx context.Context, c ConnConfig) (*pgx.Conn, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("invalid PostgreSQL connection settings: %w", err)
	}
	port := cmp.Or(c.Port, DefaultPort)
	database := cmp.Or(c.Database, DefaultDatabase)
	// pgx would read PGSSLROOTCERT itself when sslrootcert is not given, else ~/.postgresql/root.crt
	// when it exists (DefaultRootCert): the sslmode follows the file it would use. Only a file
	// given or PGSSLROOTCERT is passed on: a connection service's sslrootcert, which pgx reads,
	// comes before the default file.
	rootCert := cmp.Or(c.SSLRootCert, os.Getenv("PGSSLROOTCERT"))
	defaultRoot := ""
	if rootCert == "" {
		defaultRoot = DefaultRootCert(os.Getenv)
	}
	sslmode := EffectiveSSLMode(c.SSLMode, cmp.Or(rootCert, defaultRoot))
	timeout := cmp.Or(c.ConnectTimeout, DefaultConnectTimeout)
	mode := sslmode
	if defaultRoot != "" && sslmode != EffectiveSSLMode(c.SSLMode, "") {
		mode = fmt.Sprintf("%s: %s with the root CA file %s", sslmode, c.SSLMode, defaultRoot)
	}
	where := fmt.Sprintf("connecting to PostgreSQL at %s:%d (database %q, user %q, sslmode %s)", c.Host, port, database, c.User, mode)

	// The password is never part of the connection string: it is set on the
	// parsed config, so no parse error can quote it.
	kv := []string{
		"host=" + quoteConnValue(c.Host),
		"port=" + strconv.Itoa(port),
		"dbname=" + quoteConnValue(database),
		"user=" + quoteConnValue(c.User),
		"sslmode=" + quoteConnValue(sslmode),
		"connect_timeout=" + strconv.Itoa(max(1, int((timeout+time.Second-1)/time.Second))),
	}
	if rootCert != "" {
		kv = append(kv, "sslrootcert="+quoteConnValue(rootCert))
	}
	// The service (PGSERVICE's when the caller names none) is looked up as libpq does, in the
	// user's service file and then the system-wide one, and pgx is given the file it is in: left to
	// itself, pgx would look in the user's file only.
	if service := cmp.Or(c.Service, os.Getenv("PGSERVICE")); service != "" {
		file := c.ServiceFile
		if file == "" {
			svc, err := findService(service, os.Getenv)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			file = svc.File
		}
		kv = append(kv, "service="+quoteConnValue(service), "servicefile="+quoteConnValue(file))
	}
	cfg, err := pgx.ParseConfig(strings.Join(kv, " "))
	if err != nil {
		return nil, redact(fmt.Errorf("%s: %w", where, err), c.Password)
	}
	if c.Password != "" {
		cfg.Password = c.Password
	}
	// application_name as libpq sets it with fallback_application_name (which pgx does not know,
	// and would send to the server as a parameter it refuses): PGAPPNAME, or the connection
	// service's application_name, as pgx has read them, else this tool's name. A
	// fallback_application_name of the service's gives way to this one, as in libpq, where the
	// connection string's wins over the service's.
	delete(cfg.RuntimeParams, "fallback_application_name")
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = cmp.Or(c.FallbackApplicationName, DefaultApplicationName)
	}
	cfg.ConnectTimeout = timeout
	// No named prepared statements: pgx's default (QueryExecModeCacheStatement) prepares each query
	// under a name derived from its text, which a connection pooler in transaction mode (PgBouncer
	// before 1.21, or with max_prepared_statements = 0) leaves on the server connection for the
	// next client, whose identical query then fails with 42P05 "prepared statement ... already
	// exists": every collection after the first failed, and a validation's check after its capture,
	// rolling back a good change. The unnamed statement with cached descriptions works the same
	// through any pooler (every query of this provider runs inside one transaction) and directly.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, redact(fmt.Errorf("%s: no answer within connect timeout %s: %w", where, timeout, err), c.Password)
		}
		return nil, redact(fmt.Errorf("%s: %w%s", where, err, tlsHint(err, c.Host, sslmode)), c.Password)
	}
	return conn, nil
}

// RDSCABundleURL is where AWS publishes the certificate bundle of the RDS certificate authorities
// ("Using SSL/TLS to encrypt a connection to a DB instance or cluster").
const RDSCABundleURL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"

// tlsHint says what to do when the server's certificate failed verification (sslmode verify-ca or
// verify-full): signed by an authority this machine does not trust (an RDS or Aurora server's is
// signed by the RDS CAs, which no system trust store holds), or not naming host (verify-full
// checks the name connected to, so an IP address, or a CNAME the certificate does not list, fails
// it); "" for other errors.
func tlsHint(err error, host, sslmode string) string {
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return fmt.Sprintf(". The server's certificate is signed by a certificate authority this machine does not trust (sslmode %s verifies it): "+
			"set sslrootcert to the file of the authority that signed it; for RDS and Aurora, the RDS certificate bundle %s", sslmode, RDSCABundleURL)
	case errors.As(err, &hostErr):
		return fmt.Sprintf(". The server's certificate does not name the host connected to, %s (sslmode verify-full checks the name): "+
			"connect by a name the certificate lists (for RDS and Aurora, the instance or cluster endpoint, not an IP address or a CNAME of your own), "+
			"or use sslmode verify-ca, which checks the signature only", host)
	}
	return ""
}

// quoteConnValue quotes v for a libpq keyword/value connection string.
func quoteConnValue(v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	v = strings.ReplaceAll(v, `'`, `\'`)
	return "'" + v + "'"
}

// redactedError carries an error whose text had a secret replaced. Unwrap
// still returns the original so that errors.As works; its own text is the
// redacted one.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with every occurrence of secret in its text replaced by
// "[REDACTED]". A nil error or empty secret returns err unchanged in meaning.
func redact(err error, secret string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret, "[REDACTED]")
	}
	return &redactedError{msg: msg, err: err}
}

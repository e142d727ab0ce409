package pgstats

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// FuzzQuoteConnValue: settings that pass ConnConfig.Validate, quoted into the keyword/value
// connection string as Connect builds it, parse back to themselves: no value sets another
// keyword (sslmode=disable in a user name, say, or an application_name in a database name).
func FuzzQuoteConnValue(f *testing.F) {
	f.Add("db.example.com", "postgres", "rightsize")
	f.Add("h' sslmode='disable", `d\' x='y`, `u\`)
	f.Add("h", "d", "u' host='evil")
	f.Add("postgres://u:p@h/d", "d", "u")
	f.Add("h", "host=evil", `\'`)
	f.Add("h", "d' application_name='evil", "u")
	for _, k := range []string{"PGAPPNAME", "PGOPTIONS", "PGTZ", "PGSERVICE"} { // no runtime parameters but those a value sets
		f.Setenv(k, "")
	}
	f.Fuzz(func(t *testing.T, host, db, user string) {
		c := ConnConfig{Host: host, Database: db, User: user}
		if c.Validate() != nil || db == "" {
			return
		}
		kv := strings.Join([]string{"host=" + quoteConnValue(host), "port=5432", "dbname=" + quoteConnValue(db), "user=" + quoteConnValue(user),
			"sslmode=" + quoteConnValue("verify-full"), "connect_timeout=5"}, " ")
		cfg, err := pgconn.ParseConfig(kv)
		if err != nil {
			return // refused, not misread
		}
		if cfg.Host != host || cfg.Database != db || cfg.User != user || len(cfg.RuntimeParams) != 0 ||
			!strings.HasPrefix(host, "/") && (cfg.TLSConfig == nil || cfg.TLSConfig.InsecureSkipVerify) { // libpq uses no TLS over a Unix socket
			t.Fatalf("%q parsed as host %q db %q user %q runtime parameters %q tls %v", kv, cfg.Host, cfg.Database, cfg.User, cfg.RuntimeParams, cfg.TLSConfig)
		}
		if len(cfg.Fallbacks) != 0 {
			t.Fatalf("%q parsed with %d fallbacks", kv, len(cfg.Fallbacks))
		}
	})
}

package pgstats

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// FuzzQuoteConnValue: settings that pass ConnConfig.Validate, quoted into the keyword/value
// connection string as Connect builds it, parse back to themselves: no value sets another
// keyword (sslmode=disable in a user name, say).
func FuzzQuoteConnValue(f *testing.F) {
	f.Add("db.example.com", "postgres", "rightsize", "rightsize")
	f.Add("h' sslmode='disable", `d\' x='y`, `u\`, "a b=c")
	f.Add("h", "d", "u' host='evil", "")
	f.Add("postgres://u:p@h/d", "d", "u", "x")
	f.Add("h", "host=evil", "u", `\'`)
	f.Fuzz(func(t *testing.T, host, db, user, app string) {
		c := ConnConfig{Host: host, Database: db, User: user, ApplicationName: app}
		if c.Validate() != nil || db == "" || app == "" {
			return
		}
		kv := strings.Join([]string{"host=" + quoteConnValue(host), "port=5432", "dbname=" + quoteConnValue(db), "user=" + quoteConnValue(user),
			"sslmode=" + quoteConnValue("verify-full"), "application_name=" + quoteConnValue(app), "connect_timeout=5"}, " ")
		cfg, err := pgconn.ParseConfig(kv)
		if err != nil {
			return // refused, not misread
		}
		if cfg.Host != host || cfg.Database != db || cfg.User != user || cfg.RuntimeParams["application_name"] != app ||
			!strings.HasPrefix(host, "/") && (cfg.TLSConfig == nil || cfg.TLSConfig.InsecureSkipVerify) { // libpq uses no TLS over a Unix socket
			t.Fatalf("%q parsed as host %q db %q user %q app %q tls %v", kv, cfg.Host, cfg.Database, cfg.User, cfg.RuntimeParams["application_name"], cfg.TLSConfig)
		}
		if len(cfg.Fallbacks) != 0 {
			t.Fatalf("%q parsed with %d fallbacks", kv, len(cfg.Fallbacks))
		}
	})
}

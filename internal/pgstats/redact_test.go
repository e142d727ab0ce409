package pgstats

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRedactQueryText: every kind of string constant is replaced, and what
// is not a constant (identifiers, comments, parameters) is kept byte for byte.
func TestRedactQueryText(t *testing.T) {
	const r = RedactedLiteral
	cases := []struct{ name, in, want string }{
		{"normalised DML is unchanged", "SELECT a, $1 FROM t WHERE b = $2 AND c IN ($3, $10)", ""},
		{"no quotes at all", "VACUUM ANALYZE orders", ""},
		{"alter role password", "ALTER ROLE app PASSWORD 'Hunter2'", "ALTER ROLE app PASSWORD " + r},
		{"doubled quote inside", "CREATE ROLE x LOGIN PASSWORD 'it''s Hunter2' VALID UNTIL 'infinity'",
			"CREATE ROLE x LOGIN PASSWORD " + r + " VALID UNTIL " + r},
		{"empty literal", "SELECT '' , ''''", "SELECT " + r + " , " + r},
		{"user mapping", "CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'app', password 'pw')",
			"CREATE USER MAPPING FOR app SERVER s OPTIONS (user " + r + ", password " + r + ")"},
		{"E literal with backslash escapes", `ALTER ROLE x PASSWORD E'a\'b\\c''d' LOGIN`, "ALTER ROLE x PASSWORD E" + r + " LOGIN"},
		{"lower-case e literal", `SELECT e'\'', 'x'`, "SELECT e" + r + ", " + r},
		{"escaped quote does not end E literal", `SELECT E'a\' , Hunter2' AS p`, "SELECT E" + r + " AS p"},
		// typE'...' is a typed plain constant: its backslash before a quote
		// is ambiguous (below), where an E'...' would end at the second quote.
		{"E ending a word is not E'", `SELECT typE'x\' AS p, 'y'`, "SELECT typE" + r},
		{"bit, hex, national and unicode literals", `SELECT B'0101', X'ff', N'nat', U&'d\0061t' UESCAPE '!'`,
			"SELECT B" + r + ", X" + r + ", N" + r + ", U&" + r + " UESCAPE " + r},
		{"dollar quoted", "DO $$ BEGIN PERFORM 'x'; END $$", "DO " + r},
		{"tagged dollar quote with inner $$", "CREATE FUNCTION f() RETURNS text AS $fn$ SELECT $$Hunter2$$ $fn$ LANGUAGE sql",
			"CREATE FUNCTION f() RETURNS text AS " + r + " LANGUAGE sql"},
		{"dollar quote then literal", "SELECT $q$it's$q$, 'Hunter2'", "SELECT " + r + ", " + r},
		{"parameters and $ in identifiers", "SELECT a$b$c, t$1.x FROM t$ WHERE x = $1", ""},
		{"lone dollar", "SELECT 1 $ 2", ""},
		{"numbers", "SELECT 1e5, 0x1F, 1_000, 1.5e-3", ""},
		{"quote inside double-quoted identifier", `SELECT "it's" FROM "a""b'c" WHERE x = 'Hunter2'`,
			`SELECT "it's" FROM "a""b'c" WHERE x = ` + r},
		{"line comment with a quote", "SELECT 1 -- don't\nFROM t WHERE p = 'Hunter2'", "SELECT 1 -- don't\nFROM t WHERE p = " + r},
		{"line comment ended by a lone CR", "ALTER ROLE x PASSWORD -- set by a tool\r'Hunter2'", "ALTER ROLE x PASSWORD -- set by a tool\r" + r},
		// A SET value may be an unquoted word, a number or a quoted identifier (SQL command SET:
		// "string constants, identifiers, numbers"), which pg_stat_statements keeps as written.
		{"unquoted SET value", "SET app.api_key = SkLive2", "SET app.api_key = " + r},
		{"SET value by TO, a number", "SET app.pin TO 987654321", "SET app.pin TO " + r},
		{"SET SESSION, quoted identifier value", `SET SESSION app.token = "Hunter2"`, "SET SESSION app.token = " + r},
		{"SET LOCAL lower case, list value", "set local search_path to app, public", "set local search_path to " + r},
		{"ALTER ROLE SET", "ALTER ROLE victim SET app.role_key = Hunter2", "ALTER ROLE victim SET app.role_key = " + r},
		{"ALTER ROLE IN DATABASE SET", `ALTER ROLE r IN DATABASE "chat" SET "app"."k" TO Hunter2`, `ALTER ROLE r IN DATABASE "chat" SET "app"."k" TO ` + r},
		{"ALTER DATABASE SET with a literal", "ALTER DATABASE chat SET app.db_key TO 'Hunter2'", "ALTER DATABASE chat SET app.db_key TO " + r},
		{"ALTER SYSTEM SET", "ALTER SYSTEM SET app.k = Hunter2", "ALTER SYSTEM SET app.k = " + r},
		{"comment before SET", "/* tool */ SET app.k = Hunter2", "/* tool */ SET app.k = " + r},
		{"one statement of several", "SET app.k = Hunter2; SELECT 1; SET x TO 5", "SET app.k = " + r + "; SELECT 1; SET x TO " + r},
		{"UPDATE ... SET is kept", "UPDATE t SET a = $1, b = $2 WHERE id = $3", ""},
		{"INSERT ... DO UPDATE SET is kept", "INSERT INTO t VALUES ($1) ON CONFLICT (id) DO UPDATE SET a = EXCLUDED.a", ""},
		{"SET ROLE has no value", "SET ROLE app_owner", ""},
		{"SET FROM CURRENT has no value", "ALTER FUNCTION f() SET search_path FROM CURRENT", ""},
		{"ALTER TABLE SET is kept", "ALTER TABLE t SET (fillfactor = 70)", ""},
		{"RESET is kept", "RESET app.k", ""},
		{"CREATE FUNCTION SET", "CREATE OR REPLACE FUNCTION f() RETURNS int SET app.k = Hunter2 LANGUAGE sql AS $$ SELECT 1 $$",
			"CREATE OR REPLACE FUNCTION f() RETURNS int SET app.k = " + r},
		{"no spaces, a comment inside", "SET/*c*/app.k=Hunter2", "SET/*c*/app.k= " + r},
		{"a name starting with session", "SET session.api_key = Hunter2", "SET session.api_key = " + r},
		{"SET LOCAL of a name starting with local", "SET LOCAL local.api_key = Hunter2", "SET LOCAL local.api_key = " + r},
		{"a U& identifier in the name", `ALTER ROLE r SET app.U&"k" TO Hunter2`, `ALTER ROLE r SET app.U&"k" TO ` + r},
		{"FROM CURRENT, then a value", "ALTER FUNCTION f() SET search_path FROM CURRENT SET app.k = Hunter2",
			"ALTER FUNCTION f() SET search_path FROM CURRENT SET app.k = " + r},
		{"CREATE FUNCTION, FROM CURRENT then a value", "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path FROM CURRENT SET app.k = Hunter2 AS 'x'",
			"CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path FROM CURRENT SET app.k = " + r},
		{"a role named set", "ALTER ROLE set SET app.k = Hunter2", "ALTER ROLE set SET app.k = " + r},
		{"a parameter named set", "CREATE FUNCTION f(set int) RETURNS int LANGUAGE sql SET app.k = Hunter2 AS 'x'",
			"CREATE FUNCTION f(set int) RETURNS int LANGUAGE sql SET app.k = " + r},
		{"a parameter named begin", "CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql SET app.k = Hunter2 AS 'x'",
			"CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql SET app.k = " + r},
		{"a parameter named return", "CREATE FUNCTION g(return int) RETURNS int LANGUAGE sql SET app.k = Hunter2 AS 'x'",
			"CREATE FUNCTION g(return int) RETURNS int LANGUAGE sql SET app.k = " + r},
		{"a column named begin", "CREATE FUNCTION h() RETURNS TABLE(begin int) LANGUAGE sql SET app.k = Hunter2 AS 'x'",
			"CREATE FUNCTION h() RETURNS TABLE(begin int) LANGUAGE sql SET app.k = " + r},
		{"a procedure named return", "CREATE OR REPLACE PROCEDURE return(x int) LANGUAGE sql SET app.k TO Hunter2 AS 'x'",
			"CREATE OR REPLACE PROCEDURE return(x int) LANGUAGE sql SET app.k TO " + r},
		{"a schema named return", "CREATE FUNCTION return.f() RETURNS int LANGUAGE sql SET app.k = Hunter2 AS 'x'",
			"CREATE FUNCTION return.f() RETURNS int LANGUAGE sql SET app.k = " + r},
		{"RETURN body is kept", "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql RETURN a + 1", ""},
		{"a qualified name ending in return", "CREATE FUNCTION public.return() RETURNS int LANGUAGE sql SET app.k = Hunter2 AS 'x'",
			"CREATE FUNCTION public.return() RETURNS int LANGUAGE sql SET app.k = " + r},
		{"a type named return", "CREATE FUNCTION f() RETURNS SETOF return LANGUAGE sql SET app.k = Hunter2 AS 'x'",
			"CREATE FUNCTION f() RETURNS SETOF return LANGUAGE sql SET app.k = " + r},
		{"a language named return", "CREATE FUNCTION f() RETURNS int LANGUAGE return SET app.k = Hunter2 AS 'x'",
			"CREATE FUNCTION f() RETURNS int LANGUAGE return SET app.k = " + r},
		{"a parameter name ending in return", "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET app.return = Hunter2 AS 'x'",
			"CREATE FUNCTION f() RETURNS int LANGUAGE sql SET app.return = " + r},
		{"a column type through return", "CREATE FUNCTION f() RETURNS t.return%TYPE LANGUAGE sql SET app.k = Hunter2 AS 'x'",
			"CREATE FUNCTION f() RETURNS t.return%TYPE LANGUAGE sql SET app.k = " + r},
		{"BEGIN ATOMIC body is kept", "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC UPDATE t SET a = 1 WHERE b = 2; DELETE FROM t WHERE a > 5; END", ""},
		{"SET CONSTRAINTS is kept", "SET CONSTRAINTS ALL DEFERRED", ""},
		{"SET TRANSACTION is kept", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", ""},
		{"ALTER FUNCTION SET SCHEMA is kept", "ALTER FUNCTION f(int) SET SCHEMA s", ""},
		{"ALTER DATABASE SET TABLESPACE is kept", "ALTER DATABASE d SET TABLESPACE t", ""},
		{"ALTER TABLE ... SET DEFAULT is kept", "ALTER TABLE t ALTER COLUMN c SET DEFAULT 5", ""},
		{"line comment at the end", "SELECT 'x' -- it's", "SELECT " + r + " -- it's"},
		{"nested block comment with quotes", "/* it's /* nested 'x' */ still ' */ SELECT 'Hunter2'",
			"/* it's /* nested 'x' */ still ' */ SELECT " + r},
		{"comment markers inside literals", "SELECT '-- no', '/* no', '\"', '$$', 'Hunter2'",
			"SELECT " + r + ", " + r + ", " + r + ", " + r + ", " + r},
		{"multibyte text", "SELECT \"名前\", 'pässwörd' FROM tëst -- ünïcode 'x'", "SELECT \"名前\", " + r + " FROM tëst -- ünïcode 'x'"},
		{"multibyte dollar tag", "SELECT $ä$Hunter2$ä$, café$$x", "SELECT " + r + ", café$$x"},
		{"even backslashes before the quote agree in both readings", `SELECT 'a\\' AS p, 'Hunter2'`, "SELECT " + r + " AS p, " + r},
		// With standard_conforming_strings off the first constant would run to
		// the second quote, leaving Hunter2 outside: hide everything.
		{"backslash before quote is ambiguous", `SELECT 'C:\' AS p, 'Hunter2' AS q`, "SELECT " + r},
		{"unterminated literal", "ALTER ROLE x PASSWORD 'Hunt", "ALTER ROLE x PASSWORD " + r},
		{"unterminated after doubled quote", "ALTER ROLE x PASSWORD 'Hu''", "ALTER ROLE x PASSWORD " + r},
		{"unterminated E literal", `SELECT E'Hunter2\'`, "SELECT E" + r},
		{"unterminated dollar quote", "DO $body$ Hunter2 $bod", "DO " + r},
		{"unterminated identifier", `SELECT "it's`, ""},
		{"unterminated block comment", "SELECT 1 /* it's", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == "" {
				want = tc.in
			}
			if got := RedactQueryText(tc.in); got != want {
				t.Errorf("RedactQueryText(%q)\n got %q\nwant %q", tc.in, got, want)
			}
		})
	}
}

// TestRedactQueryText_prefixes redacts every prefix of texts holding a
// secret, as the server's truncation to query_text_length produces them: no
// prefix may show any two consecutive characters of the secret, and the
// result stays valid UTF-8.
func TestRedactQueryText_prefixes(t *testing.T) {
	const secret = "Zq9ẞw7"
	texts := []string{
		"ALTER ROLE app PASSWORD '" + secret + "'",
		"ALTER ROLE app PASSWORD 'a''" + secret + "''b'",
		"ALTER ROLE app PASSWORD E'a\\'" + secret + "\\\\'",
		"CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'app', password '" + secret + "')",
		"CREATE FUNCTION f() RETURNS text AS $fn$ SELECT '" + secret + "' $fn$ LANGUAGE sql",
		"DO $$ BEGIN RAISE NOTICE '" + secret + "'; END $$",
		"SELECT 'C:\\' AS p, '" + secret + "' AS q",
		`SELECT "it's", 'x' /* don't */, '` + secret + "'",
		"SET app.api_key = " + secret,
		`ALTER ROLE app SET app.pin TO "` + secret + `"`,
		"SET LOCAL app.k = " + secret + "; SELECT 1",
		"SET session.api_key = " + secret,
		"ALTER FUNCTION f() SET search_path FROM CURRENT SET app.k = " + secret,
	}
	var pairs []string
	rs := []rune(secret)
	for i := 0; i+1 < len(rs); i++ {
		pairs = append(pairs, string(rs[i:i+2]))
	}
	for _, text := range texts {
		for end := range len(text) + 1 {
			if !utf8.RuneStart(text[min(end, len(text)-1)]) && end < len(text) {
				continue // the server cuts at characters, not bytes
			}
			got := RedactQueryText(text[:end])
			if !utf8.ValidString(got) {
				t.Errorf("RedactQueryText(%q) = %q is not valid UTF-8", text[:end], got)
			}
			for _, p := range pairs {
				if strings.Contains(got, p) {
					t.Errorf("RedactQueryText(%q) = %q shows %q of the secret", text[:end], got, p)
				}
			}
		}
	}
}

func TestTruncateRunes(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"pässwörd", 3, "päs"},
		{"pässwörd", 8, "pässwörd"},
		{"pässwörd", 100, "pässwörd"},
		{"abc", 0, ""},
		{"名前x", 2, "名前"},
	}
	for _, tc := range cases {
		if got := truncateRunes(tc.in, tc.n); got != tc.want {
			t.Errorf("truncateRunes(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// FuzzRedactQueryText: any text (a query text is whatever a client sent, cut anywhere) is
// redacted without a panic, into valid UTF-8 when the text was.
func FuzzRedactQueryText(f *testing.F) {
	for _, seed := range []string{
		"SET app.k = v", "ALTER ROLE r SET x TO 1; SET", "CREATE FUNCTION f(begin int) RETURN", "SET", ";", "RETURN",
		"CREATE PROCEDURE p() BEGIN ATOMIC UPDATE t SET a = 1; END", `SET "a;b" = 'x'`, "ALTER ROLE set SET", "/* */ SET x=",
		"ALTER ROLE x PASSWORD 'Hunter2'", "DO $$ SELECT 1 $$", "E'\\'", "U&\"k\"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := RedactQueryText(text)
		if utf8.ValidString(text) && !utf8.ValidString(got) {
			t.Errorf("RedactQueryText(%q) = %q is not valid UTF-8", text, got)
		}
	})
}

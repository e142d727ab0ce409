package topology

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// rdsSnapshotID is what CreateDBSnapshot and CreateDBClusterSnapshot accept: a letter first,
// letters, digits and hyphens, no two hyphens in a row, no hyphen at the end.
var rdsSnapshotID = regexp.MustCompile(`^[a-z](-?[a-z0-9])*$`)

// FuzzGuardSnapshotID: any prefix (as the provider's pattern lets through, and beyond) and
// target identifier give an identifier RDS accepts, within its length limit, and a hashed one
// differs from every other input's.
func FuzzGuardSnapshotID(f *testing.F) {
	f.Add("rightsize-guard", "mandible-prod", int64(1), 1, 1, false)
	f.Add("A--b-", "x", int64(-1), 2, 999, true)
	f.Add(strings.Repeat("p", 70), strings.Repeat("c", 63), int64(9223372036854775807), 2, 20, true)
	f.Add("9abc", "", int64(0), 0, 0, false)
	f.Add("", "ünï-©", int64(3), 1, 2, false)
	f.Add(" ", "-", int64(3), 1, 2, true)
	f.Fuzz(func(t *testing.T, prefix, ident string, generation int64, nodes, attempt int, cluster bool) {
		k := KindInstance
		if cluster {
			k = KindCluster
		}
		id := GuardSnapshotID(prefix, Target{Kind: k, Identifier: ident}, generation, nodes, attempt)
		if !rdsSnapshotID.MatchString(id) || len(id) > maxSnapshotIDLen(k) {
			t.Fatalf("GuardSnapshotID(%q, %q, %d, %d, %d) = %q (%d characters; RDS allows %d)", prefix, ident, generation, nodes, attempt, id, len(id), maxSnapshotIDLen(k))
		}
		if id != GuardSnapshotID(prefix, Target{Kind: k, Identifier: ident}, generation, nodes, attempt) {
			t.Fatal("not deterministic")
		}
		if rid := restoreInstanceID(id); !rdsSnapshotID.MatchString(rid) || len(rid) > 63 {
			t.Fatalf("restore instance id %q", rid)
		}
	})
}

// FuzzTagText: any failure text becomes a tag value RDS accepts: at most 256 characters of
// letters, digits, white space and _ . : / = + - @, not starting with aws: or rds:.
func FuzzTagText(f *testing.F) {
	f.Add("creating DB snapshot rs-guard-x for mandible-prod: waiting for status available: context deadline exceeded")
	f.Add("aws: something")
	f.Add("  RDS:x")
	f.Add("\"quoted\" <b>&amp;</b>\n\ttab, comma; semicolon")
	f.Add(strings.Repeat("é", 300))
	f.Add(strings.Repeat("a ", 200))
	f.Add("\xff\xfe\u2028\u00a0\u3000x")
	f.Fuzz(func(t *testing.T, s string) {
		v := tagText(s)
		if n := utf8.RuneCountInString(v); n > 256 {
			t.Fatalf("%d characters", n)
		}
		if l := strings.ToLower(v); strings.HasPrefix(l, "aws:") || strings.HasPrefix(l, "rds:") {
			t.Fatalf("%q starts with a reserved prefix", v)
		}
		for _, r := range v {
			if !(unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.In(r, unicode.Z) || strings.ContainsRune("_.:/=+-@", r)) || r == utf8.RuneError {
				t.Fatalf("%q holds %q, which RDS does not allow in a tag value", v, r)
			}
		}
	})
}

// FuzzReaderTagsRecord: a reader's own tags, whatever they hold, come back from the guard
// snapshot's tags as they were, in values of at most 256 characters RDS allows.
func FuzzReaderTagsRecord(f *testing.F) {
	f.Add("Name", "reader", "team", "db")
	f.Add("", "", "k\"\\", "\xff")
	f.Add(strings.Repeat("k", 128), strings.Repeat("v", 256), "a", "b")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		if !utf8.ValidString(k1) || !utf8.ValidString(v1) || !utf8.ValidString(k2) || !utf8.ValidString(v2) { // RDS tags are Unicode text
			return
		}
		in := map[string]string{k1: v1, k2: v2}
		rec := readerTagsRecord(in)
		if len(rec) > maxTags {
			t.Skip()
		}
		for k, v := range rec {
			if len(v) > maxTagValue || len(k) > 128 || !regexp.MustCompile(`^[A-Za-z0-9+/=]*$`).MatchString(v) {
				t.Fatalf("tag %q=%q", k, v)
			}
		}
		out, ok := readerTagsFromRecord(rec)
		if !ok || len(out) != len(in) {
			t.Fatalf("read back %v, %v from %v", out, ok, in)
		}
		for k, v := range in {
			if out[k] != v {
				t.Fatalf("%q read back as %q", v, out[k])
			}
		}
	})
}

// FuzzParseTableName: what ParseTableName accepts has a fact key a guard snapshot tag can hold
// (RDS tag key characters, at most MaxFactKeyLen with the prefixes), distinct names get distinct
// keys, and the key reads back as the name.
func FuzzParseTableName(f *testing.F) {
	for _, s := range []string{"users", "public.users", `"Users"`, `app."Order-Items"`, `a$b.c`, `"a.b"`, `""`, `"a""b"`, "  users ",
		`"` + strings.Repeat("x", 63) + `"."` + strings.Repeat("y", 63) + `"`, "sch\u00e9ma.t", "\u212aelvin", "a.b.c", `"unterminated`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		schema, table, err := ParseTableName(s)
		if err != nil {
			return
		}
		q := qualifiedTable{schema, table}
		for _, key := range []string{factRowsPrefix + q.factKey(), factIndexesPrefix + q.factKey()} {
			if len(key) > MaxFactKeyLen {
				t.Fatalf("%q: fact key %q is %d characters, more than a tag key may hold (%d)", s, key, len(key), MaxFactKeyLen)
			}
			if !regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`).MatchString(tagFactPrefix + key) {
				t.Fatalf("%q: fact key %q is not a valid tag key", s, key)
			}
		}
	})
}

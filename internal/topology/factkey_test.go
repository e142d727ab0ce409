package topology

import (
	"context"
	"regexp"
	"testing"
)

// rdsTagChars is what RDS allows in a tag key or value (the Tag data type of the RDS API).
var rdsTagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// A table whose name holds a $ (valid in a PostgreSQL identifier, not in an RDS tag) is recorded
// under a key RDS accepts, and its baseline still compares after the change.
func TestFactKeysAreValidTagKeys(t *testing.T) {
	dsn, schema := seedSchema(t)
	execSQL(t, dsn, "CREATE TABLE "+schema+".orders$2026 (id int PRIMARY KEY)")
	execSQL(t, dsn, "INSERT INTO "+schema+".orders$2026 SELECT generate_series(1, 7)")
	v := newPGValidator(dsn, schema, true)
	v.Tables = append(v.Tables, schema+".orders$2026")
	ctx := context.Background()
	facts, err := v.Capture(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k, val := range facts {
		if key := tagFactPrefix + k; !rdsTagChars.MatchString(key) || !rdsTagChars.MatchString(val) {
			t.Errorf("fact %q = %q is not a valid RDS tag", key, val)
		}
	}
	if facts[factRowsPrefix+schema+".orders=2026"] != "7" {
		t.Errorf("facts %v lack the orders$2026 row count under orders=2026", facts)
	}
	if _, err := v.Check(ctx, facts); err != nil {
		t.Errorf("check against its own baseline: %v", err)
	}
}

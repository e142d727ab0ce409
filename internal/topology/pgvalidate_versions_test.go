package topology

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// TestPGValidatorAcrossVersions runs the validation's queries (row counts, index definitions, the
// primary check) on a server of each other major version RDS runs (acctest.PGVersions): a baseline
// captured, an unchanged database passing, lost rows and a dropped index failing.
func TestPGValidatorAcrossVersions(t *testing.T) {
	for _, pv := range acctest.PGVersions(t) {
		t.Run("PostgreSQL "+strconv.Itoa(pv.Major), func(t *testing.T) {
			dsn, schema := seedSchemaOn(t, pv.DSN)
			v := newPGValidator(dsn, schema, true)
			ctx := context.Background()
			facts := captureSeeded(t, v, schema)
			if got := facts["idx:"+schema+".messages"]; !strings.HasPrefix(got, "2:") {
				t.Fatalf("messages index fingerprint = %q, want 2 indexes", got)
			}
			if rep, err := v.Check(ctx, facts); err != nil || rep.Checked[1] != "the server is the primary (not in recovery)" {
				t.Fatalf("unchanged: %+v, %v", rep, err)
			}
			execSQL(t, dsn, "DELETE FROM "+schema+".messages WHERE id <= 10")
			execSQL(t, dsn, "DROP INDEX "+schema+".messages_room_sent")
			_, err := v.Check(ctx, facts)
			var ve *ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Error(), schema+".messages has 2990 rows, 3000 before") ||
				!strings.Contains(ve.Error(), "index definitions of "+schema+".messages changed (2 indexes before, 1 after)") {
				t.Fatalf("rows lost and an index dropped: %v", err)
			}
		})
	}
}

package provider

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// A change interrupted after it was made is resumed by the next apply and validated against the
// baseline its guard snapshot recorded. A table added to validation.tables in between has no
// baseline: the apply warns that it was not compared (it passed over it in silence, which also
// hid a change begun by another apply, validated against that apply's tables).
func TestUpdate_validationNotCompared(t *testing.T) {
	schema := seedTopologyTables(t)
	_, api := topologySandbox(t, sandbox.Demo(), interruptOnce(topology.StepChange))
	pc, err := pgx.ParseConfig(acctest.PGDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, empty := directTopologyResource(t, api)
	r.data.Postgres = PostgresSettings{Host: pc.Host, Port: int(pc.Port), Database: pc.Database, Username: pc.User, Password: pc.Password}
	update := func(tables ...string) diag.Diagnostics {
		t.Helper()
		list, d := types.ListValueFrom(ctx, types.StringType, tables)
		if d.HasError() {
			t.Fatal(d)
		}
		sm, pm := mandibleModel(2, 2, false, lastChangeObject(1, "created", 2, 2)), mandibleModel(1, 2, false, lastChangeObject(1, "created", 2, 2))
		sm.Validation = types.ObjectValueMust(validationAttrTypes, map[string]attr.Value{"tables": list, "check_indexes": types.BoolValue(false)})
		pm.Validation = sm.Validation
		return directUpdate(t, r, empty, sm, pm)
	}
	if d := update(schema + ".users"); !d.HasError() || !strings.Contains(d.Errors()[0].Detail(), "test interruption after change") {
		t.Fatalf("first apply: %v, want it interrupted once the change was requested", d)
	}
	d := update(schema+".users", schema+".messages")
	if d.HasError() {
		t.Fatalf("second apply: %v", d)
	}
	if w, ok := warningDetail(d, "Validation Not Compared"); !ok || !strings.Contains(w, "guard snapshot rightsize-guard-mandible-prod-g2-to1 when the change began, which has nothing for: rows of "+schema+".messages.") {
		t.Errorf("warnings %v, want the messages table reported not compared", d.Warnings())
	}
}

// warningDetail returns the detail of the warning of d titled summary, if there is one.
func warningDetail(d diag.Diagnostics, summary string) (string, bool) {
	for _, w := range d.Warnings() {
		if w.Summary() == summary {
			return w.Detail(), true
		}
	}
	return "", false
}

// An earlier apply's verify_restore left its temporary instance, and another apply set that guard
// aside but stopped before removing it; the next apply, refused the deletion, goes on with its
// change and warns, naming the instance and how to delete it.
func TestUpdate_restoreInstanceLeft(t *testing.T) {
	applies := 0
	srv, api := topologySandbox(t, sandbox.Demo(), func(o *topology.Orchestrator) {
		switch applies++; applies {
		case 1: // interrupted while its guard snapshot is restored to the temporary instance
			o.OnStep = func(s topology.Step) error {
				if s == topology.StepRestoreCreate {
					return errors.New("test interruption while restoring")
				}
				return nil
			}
		case 2: // sets that guard aside, then stops at its first wait (for the temporary instance)
			o.Sleep = func(context.Context, time.Duration) error { return errors.New("test interruption while waiting") }
		}
	})
	r, empty := directTopologyResource(t, api)
	verify := types.ObjectValueMust(guardAttrTypes, map[string]attr.Value{
		"snapshot_identifier_prefix": types.StringValue(topology.DefaultSnapshotPrefix), "retain": types.BoolValue(true), "verify_restore": types.BoolValue(true), "tags": types.MapNull(types.StringType),
	})
	update := func() diag.Diagnostics {
		t.Helper()
		sm, pm := mandibleModel(2, 2, false, lastChangeObject(1, "created", 2, 2)), mandibleModel(1, 2, false, lastChangeObject(1, "created", 2, 2))
		sm.Guard, pm.Guard = verify, verify
		return directUpdate(t, r, empty, sm, pm)
	}
	for i := 1; i <= 2; i++ {
		if d := update(); !d.HasError() {
			t.Fatalf("apply %d was not interrupted", i)
		}
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DeleteDBInstance", Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "denied for the test"}}})
	d := update()
	if d.HasError() {
		t.Fatalf("third apply: %v", d)
	}
	if w, ok := warningDetail(d, "Temporary Restore Instance Left"); !ok || !strings.Contains(w, "rs-verify-") || !strings.Contains(w, "(of guard snapshot rightsize-guard-mandible-prod-g2-to1: ") ||
		!strings.Contains(w, "aws rds delete-db-instance --db-instance-identifier <identifier> --skip-final-snapshot") {
		t.Errorf("warnings %v, want the temporary instance left named, and how to delete it", d.Warnings())
	}
}

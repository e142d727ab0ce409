package pgstats

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// TestReplicationSlots creates replication slots on a real server of each major version (15, the
// harness's, on a server of its own so that the slots do not show in the tests sharing the
// harness's; and acctest.PGVersions) and checks what Collect reports of them, read by a role
// with no privileges (pg_replication_slots is readable by any role): a logical slot of a
// consumer that is gone (inactive, retaining the WAL written since), a physical slot that
// reserves WAL and one that reserves none, and a temporary slot held by a live session (active).
// wal_status is PostgreSQL 13's: empty on 12.
func TestReplicationSlots(t *testing.T) {
	t.Run("PostgreSQL 15", func(t *testing.T) { slotsOnVersion(t, 15, acctest.StartPostgres(t)) })
	for _, v := range acctest.PGVersions(t) {
		t.Run("PostgreSQL "+strconv.Itoa(v.Major), func(t *testing.T) { slotsOnVersion(t, v.Major, v.DSN) })
	}
}

func slotsOnVersion(t *testing.T, major int, dsn string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	connect := func(user string) *pgx.Conn {
		t.Helper()
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			cfg.User = user
		}
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Fatalf("connecting to %s as %q: %v", dsn, user, err)
		}
		t.Cleanup(func() { _ = c.Close(context.Background()) })
		return c
	}
	admin := connect("")
	prefix := fmt.Sprintf("rs_slot_%d_", time.Now().UnixNano())
	cdc, reserved, unreserved, temp := prefix+"cdc", prefix+"phys", prefix+"phys_idle", prefix+"temp"
	var db string
	if err := admin.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// An inactive slot keeps WAL from being removed: never leave one on the shared server.
		for _, name := range []string{cdc, reserved, unreserved} {
			_, _ = admin.Exec(context.Background(), "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", name)
		}
	})
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"SELECT pg_create_logical_replication_slot($1, 'pgoutput')", []any{cdc}},
		{"SELECT pg_create_physical_replication_slot($1, true)", []any{reserved}},
		{"SELECT pg_create_physical_replication_slot($1)", []any{unreserved}},
		{"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'slots_reader') THEN CREATE ROLE slots_reader LOGIN; END IF; END $$", nil},
		{"DROP TABLE IF EXISTS slots_wal", nil},
		{"CREATE TABLE slots_wal AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 5000) AS g", nil},
	} {
		if _, err := admin.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	// A temporary slot belongs to the session that made it, which holds it (active) until it ends.
	holder := connect("")
	if _, err := holder.Exec(ctx, "SELECT pg_create_logical_replication_slot($1, 'pgoutput', true)", temp); err != nil {
		t.Fatal(err)
	}
	// The table's WAL is written by the WAL writer soon after (synchronous_commit is off here).
	var wantRetained int64
	poll(t, 10*time.Second, "the table's WAL to be written", func() (bool, error) {
		err := admin.QueryRow(ctx, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = $1", cdc).Scan(&wantRetained)
		return wantRetained > 1<<20, err
	})

	st, err := Collect(ctx, connect("slots_reader"), Options{SkipCatalogScans: true})
	if err != nil {
		t.Fatalf("Collect on PostgreSQL %d: %v", major, err)
	}
	got := map[string]ReplicationSlot{}
	var names []string
	for _, s := range st.Replication.Slots {
		if strings.HasPrefix(s.Name, prefix) {
			got[s.Name] = s
			names = append(names, s.Name)
		}
	}
	if want := []string{cdc, reserved, unreserved, temp}; strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("slots %v, want %v (by name)", names, want)
	}
	walStatus := "reserved"
	if major < 13 {
		walStatus = ""
	}
	if s := got[cdc]; s.Type != "logical" || s.Plugin != "pgoutput" || s.Database != db || s.Temporary || s.Active ||
		s.WALStatus != walStatus || s.RetainedBytes < wantRetained {
		t.Errorf("logical slot %+v: want logical, pgoutput, database %s, inactive, wal_status %q, retaining at least %d bytes", s, db, walStatus, wantRetained)
	}
	// Made after the logical slot, it retains a little less than that, and the table's WAL.
	if s := got[reserved]; s.Type != "physical" || s.Plugin != "" || s.Database != "" || s.Active || s.WALStatus != walStatus || s.RetainedBytes <= 1<<20 {
		t.Errorf("physical slot %+v: want physical, inactive, wal_status %q, retaining the table's WAL (over 1 MiB)", s, walStatus)
	}
	if s := got[unreserved]; s.Type != "physical" || s.Active || s.WALStatus != "" || s.RetainedBytes != -1 {
		t.Errorf("physical slot reserving nothing %+v: want no wal_status and RetainedBytes -1", s)
	}
	if s := got[temp]; s.Type != "logical" || !s.Temporary || !s.Active {
		t.Errorf("temporary slot %+v: want logical, temporary, active", s)
	}
	if major >= 18 {
		lostSlotKeepsNothing(ctx, t, admin, connect("slots_reader"), prefix+"lost")
	}
}

// lostSlotKeepsNothing: a slot that PostgreSQL 18 invalidates for being idle longer than
// idle_replication_slot_timeout is lost (wal_status lost) and keeps no WAL, yet, invalidated
// otherwise than by the removal of its WAL, it keeps its restart_lsn (so do the slots PostgreSQL 16
// and later invalidate on a standby): Collect must report it retaining nothing (-1), not the WAL
// written since its restart_lsn. Run after the other slots are checked, as the timeout invalidates
// them too.
func lostSlotKeepsNothing(ctx context.Context, t *testing.T, admin, reader *pgx.Conn, name string) {
	t.Helper()
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = admin.Exec(ctx, "ALTER SYSTEM RESET idle_replication_slot_timeout")
		_, _ = admin.Exec(ctx, "SELECT pg_reload_conf()")
		_, _ = admin.Exec(ctx, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", name)
	})
	if _, err := admin.Exec(ctx, "SELECT pg_create_logical_replication_slot($1, 'pgoutput')", name); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"DROP TABLE IF EXISTS slots_lost_wal",
		"CREATE TABLE slots_lost_wal AS SELECT g AS id FROM generate_series(1, 20000) AS g",
		"ALTER SYSTEM SET idle_replication_slot_timeout = '1s'",
		"SELECT pg_reload_conf()",
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var hasRestart bool
	poll(t, 30*time.Second, "the idle slot to be invalidated (a checkpoint invalidates it once idle past the timeout)", func() (bool, error) {
		if _, err := admin.Exec(ctx, "CHECKPOINT"); err != nil {
			return false, err
		}
		var status string
		err := admin.QueryRow(ctx, "SELECT coalesce(wal_status, ''), restart_lsn IS NOT NULL FROM pg_replication_slots WHERE slot_name = $1", name).Scan(&status, &hasRestart)
		return status == "lost", err
	})
	if !hasRestart {
		t.Fatal("the lost slot has no restart_lsn: the test proves nothing")
	}
	st, err := Collect(ctx, reader, Options{SkipCatalogScans: true})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	for _, s := range st.Replication.Slots {
		if s.Name == name {
			if s.WALStatus != "lost" || s.RetainedBytes != -1 {
				t.Errorf("lost slot %+v: want wal_status lost and RetainedBytes -1 (it keeps no WAL)", s)
			}
			return
		}
	}
	t.Errorf("slot %s not collected: %+v", name, st.Replication.Slots)
}

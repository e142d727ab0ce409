package pgstats

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// TestCollect_standbyReplayRefused runs the collector on a real hot standby
// where the monitoring role may not execute pg_last_wal_receive_lsn() (EXECUTE
// revoked from PUBLIC on the primary, replicated to the standby): the call
// fails with insufficient_privilege (42501), as it fails on an Aurora replica
// with feature_not_supported (0A000). The collection must succeed with a
// warning, the received-but-not-replayed WAL unknown (-1) and the replay
// delay still read; a superuser on the same standby gets both figures.
func TestCollect_standbyReplayRefused(t *testing.T) {
	h := needPG(t)
	const role = "pgstats_standby_monitor"
	h.freshRole(t, role, "pg_monitor")
	admin := h.superuser(t, "postgres")
	standbyPort := acctest.StartStandby(t)

	// Revoked once the standby streams, so that its replay of this commit
	// sets pg_last_xact_replay_timestamp() and proves it is current.
	execSQL(t, admin, "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_last_wal_receive_lsn() FROM PUBLIC")
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), h.dsn)
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "GRANT EXECUTE ON FUNCTION pg_catalog.pg_last_wal_receive_lsn() TO PUBLIC"); err != nil {
			t.Logf("cleanup: restoring EXECUTE on pg_last_wal_receive_lsn: %v", err)
		}
	})

	connect := func(user string) *pgx.Conn { return connectStandby(t, h, standbyPort, user) }
	super := connect("postgres")
	poll(t, 30*time.Second, "the standby replaying the REVOKE", func() (bool, error) {
		var revoked bool
		err := super.QueryRow(context.Background(),
			"SELECT NOT has_function_privilege($1, 'pg_catalog.pg_last_wal_receive_lsn()', 'EXECUTE')", role).Scan(&revoked)
		return revoked, err
	})

	// A superuser may call everything: both figures are known.
	st := collect(t, super, Options{})
	r := st.Replication
	if !st.Server.InRecovery || r.ReceiveReplayLagBytes < 0 || math.IsNaN(r.ReplayDelaySeconds) || r.ReplayDelaySeconds < 0 {
		t.Errorf("superuser on the standby: in recovery %v, replication %+v", st.Server.InRecovery, r)
	}
	if hasWarning(st, "standby") {
		t.Errorf("superuser on the standby: unexpected warnings %q", st.Warnings)
	}

	// The monitoring role is refused pg_last_wal_receive_lsn().
	var lsn string
	err := connect(role).QueryRow(context.Background(), "SELECT pg_catalog.pg_last_wal_receive_lsn()::text").Scan(&lsn)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Fatalf("calling pg_last_wal_receive_lsn() as the monitoring role: %v, want SQLSTATE 42501 (else the test proves nothing)", err)
	}
	st = collect(t, connect(role), Options{Tables: []string{"pg_class"}})
	r = st.Replication
	if !st.Server.InRecovery || r.ReceiveReplayLagBytes != -1 {
		t.Errorf("monitoring role on the standby: in recovery %v, receive_replay_lag_bytes %d, want -1", st.Server.InRecovery, r.ReceiveReplayLagBytes)
	}
	if math.IsNaN(r.ReplayDelaySeconds) || r.ReplayDelaySeconds < 0 {
		t.Errorf("the replay delay needs no pg_last_wal_receive_lsn() and must still be read: %v", r.ReplayDelaySeconds)
	}
	if !hasWarning(st, "the standby's received but not yet replayed WAL is unknown: permission denied for function pg_last_wal_receive_lsn (SQLSTATE 42501) (GRANT EXECUTE on the function TO "+role+")") {
		t.Errorf("no warning about the refused function: %q", st.Warnings)
	}
	if hasWarning(st, "replay delay is unknown") {
		t.Errorf("the replay delay was read, yet a warning says it is unknown: %q", st.Warnings)
	}
	// The rest of the collection after the savepoint is intact.
	if len(st.Databases) == 0 || len(st.Tables) != 1 || !st.Statements.Available || st.Settings.MaxConnections == 0 {
		t.Errorf("the collection after the refused function is incomplete: %d databases, tables %+v, statements available %v",
			len(st.Databases), st.Tables, st.Statements.Available)
	}
}

// TestTolerableStandbyError: the SQLSTATEs a standby's replay functions may
// fail with, without failing the collection. 0A000 is Aurora's (its replicas
// raise "Function pg_last_wal_receive_lsn() is currently not supported for
// Aurora"), which a vanilla server cannot produce; TestCollect_standbyReplayRefused
// runs the same path with 42501 on a real standby.
func TestTolerableStandbyError(t *testing.T) {
	for code, want := range map[string]bool{
		"0A000": true,  // feature_not_supported: Aurora replicas
		"42883": true,  // undefined_function
		"42501": true,  // insufficient_privilege
		"57014": false, // query_canceled: a statement timeout is an error
		"XX000": false, // internal_error
		"53200": false, // out_of_memory
	} {
		if got := tolerableStandbyError(&pgconn.PgError{Code: code}); got != want {
			t.Errorf("tolerableStandbyError(%s) = %v, want %v", code, got, want)
		}
	}
}

// TestCollect_standbySlots runs the collector on a real hot standby that has a replication slot
// of its own (a cascading standby's physical slot; from PostgreSQL 16 a standby may also have
// logical ones, a change-data-capture consumer's), where pg_current_wal_lsn() fails ("recovery is
// in progress"): the WAL the slot retains is measured to the last replayed position, for a role
// with no privileges as for a superuser.
func TestCollect_standbySlots(t *testing.T) {
	h := needPG(t)
	const role = "pgstats_standby_slots"
	h.freshRole(t, role)
	standbyPort := acctest.StartStandby(t)
	connect := func(user string) *pgx.Conn { return connectStandby(t, h, standbyPort, user) }
	super := connect("postgres")
	const slot = "cascade_slot"
	if _, err := super.Exec(context.Background(), "SELECT pg_create_physical_replication_slot($1, true)", slot); err != nil {
		t.Fatalf("creating a slot on the standby: %v", err)
	}
	if _, err := super.Exec(context.Background(), "SELECT pg_catalog.pg_current_wal_lsn()"); err == nil {
		t.Fatal("pg_current_wal_lsn() succeeds on the standby: the test proves nothing")
	}
	for _, user := range []string{"postgres", role} {
		st := collect(t, connect(user), Options{SkipCatalogScans: true})
		var got []ReplicationSlot
		for _, s := range st.Replication.Slots {
			if s.Name == slot {
				got = append(got, s)
			}
		}
		if !st.Server.InRecovery || len(got) != 1 || got[0].Type != "physical" || got[0].Active || got[0].RetainedBytes < 0 {
			t.Errorf("%s on the standby: in recovery %v, slots %+v, want %s, physical, inactive, its retained WAL measured", user, st.Server.InRecovery, st.Replication.Slots, slot)
		}
	}
}

// connectStandby connects to the standby on port as user (to the postgres database), closing the
// connection when the test ends.
func connectStandby(t *testing.T, h harness, port int, user string) *pgx.Conn {
	t.Helper()
	cfg := h.cfg("postgres", user)
	cfg.Port = port
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := Connect(ctx, cfg)
	if err != nil {
		t.Fatalf("connecting to the standby as %s: %v", user, err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

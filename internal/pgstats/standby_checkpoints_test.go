package pgstats

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// TestCollect_standbyRestartpointsCounted: on a hot standby the checkpoints are restartpoints.
// Up to PostgreSQL 16 pg_stat_bgwriter counts them as checkpoints; from 17 pg_stat_checkpointer
// keeps them apart (restartpoints_timed, restartpoints_req), and its num_timed and num_requested
// stay 0 on a standby: a CHECKPOINT run on a standby of 17 or 18 left checkpoints.requested 0.
// Checked on standbys of the matrix's 16, 17 and 18 (the harness's 15 is TestCollect_standbySlots').
func TestCollect_standbyRestartpointsCounted(t *testing.T) {
	for _, v := range acctest.PGVersions(t) {
		if v.Major < 16 {
			continue // pg_backup_start and pg_backup_stop, which matrixStandby calls, are 15's
		}
		t.Run("PostgreSQL "+strconv.Itoa(v.Major), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			standby := matrixStandby(t, v.DSN)
			primary, err := pgx.Connect(ctx, v.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = primary.Close(ctx) }()
			var lsn string
			if _, err := primary.Exec(ctx, "CHECKPOINT"); err != nil {
				t.Fatal(err)
			}
			if err := primary.QueryRow(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&lsn); err != nil {
				t.Fatal(err)
			}
			sb, err := pgx.Connect(ctx, standby)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = sb.Close(ctx) }()
			poll(t, 30*time.Second, "the standby replaying the primary's checkpoint", func() (bool, error) {
				var done bool
				err := sb.QueryRow(ctx, "SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn", lsn).Scan(&done)
				return done, err
			})
			if _, err := sb.Exec(ctx, "CHECKPOINT"); err != nil { // a requested restartpoint
				t.Fatal(err)
			}
			var st *Stats
			poll(t, 15*time.Second, "the restartpoint counted", func() (bool, error) {
				st, err = Collect(ctx, sb, Options{SkipStatements: true})
				return err != nil || st.Checkpoints.Requested >= 1, err
			})
			if !st.Server.InRecovery {
				t.Errorf("the standby is not in recovery")
			}
		})
	}
}

// matrixStandby starts a hot standby of the matrix server dsn from a low-level base backup (the
// matrix's packages have no pg_basebackup), run by the server's own binaries, and stops it when
// the test ends. It returns the standby's DSN.
func matrixStandby(t *testing.T, dsn string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = admin.Close(ctx) }()
	var dataDir string
	var primaryPort int
	if err := admin.QueryRow(ctx, "SELECT current_setting('data_directory'), current_setting('port')::int").Scan(&dataDir, &primaryPort); err != nil {
		t.Fatal(err)
	}
	pid, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Readlink("/proc/" + strings.SplitN(string(pid), "\n", 2)[0] + "/exe")
	if err != nil {
		t.Fatalf("finding the server's binaries: %v", err)
	}
	bindir := filepath.Dir(exe)
	parent, err := os.MkdirTemp("", "rightsize-standby-") //nolint:usetesting // the server runs as postgres (acctest.startServer)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(parent, 0o755); err != nil { //nolint:gosec // the postgres user must reach the server's folder
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "data")
	// A physical slot reserving WAL from now on, which the standby streams through: a checkpoint
	// of the shared server before the standby connects must not remove the WAL it starts from.
	slot := fmt.Sprintf("rs_test_standby_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "SELECT pg_create_physical_replication_slot($1, true)", slot); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// After the standby's cleanup (registered later, run first): its walsender may take a
		// moment to exit, and an active slot cannot be dropped.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("dropping the standby's slot %s: %v", slot, err)
			return
		}
		defer func() { _ = c.Close(context.Background()) }()
		for {
			var n int
			err := c.QueryRow(ctx, "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active", slot).Scan(&n)
			var left bool
			if err == nil {
				err = c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)", slot).Scan(&left)
			}
			if err != nil || !left {
				if err != nil {
					t.Errorf("dropping the standby's slot %s (it keeps WAL on the shared server): %v", slot, err)
				}
				return
			}
			select {
			case <-ctx.Done():
				t.Errorf("the standby's slot %s is still active after 30 s (it keeps WAL on the shared server)", slot)
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	})
	if _, err := admin.Exec(ctx, "SELECT pg_backup_start('rightsize-test', true)"); err != nil {
		t.Fatal(err)
	}
	if err := copyLiveDataDir(dataDir, dir); err != nil {
		t.Fatalf("copying the data directory: %v", err)
	}
	var label string
	if err := admin.QueryRow(ctx, "SELECT labelfile FROM pg_backup_stop(true)").Scan(&label); err != nil {
		t.Fatal(err)
	}
	// TCP only: a socket path under a long TMPDIR could pass the 107 bytes a socket path may have.
	// The port is given to the server's start (startOnFreePort), on its command line.
	conf := fmt.Sprintf("\nunix_socket_directories = ''\nhot_standby = on\nprimary_conninfo = 'host=127.0.0.1 port=%d user=postgres'\nprimary_slot_name = '%s'\n", primaryPort, slot)
	f, err := os.OpenFile(filepath.Join(dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		_ = f.Close()
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "backup_label"), []byte(label), 0o600)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "standby.signal"), nil, 0o600)
	}
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "-R", "postgres:", parent).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v: %s", err, out)
		}
	}
	t.Cleanup(func() {
		_ = acctest.AsPostgres(filepath.Join(bindir, "pg_ctl"), "-D", dir, "-m", "immediate", "-w", "stop").Run()
		_ = os.RemoveAll(parent)
	})
	port := startOnFreePort(t, filepath.Join(parent, "server.log"), func(port int) ([]byte, error) {
		return acctest.AsPostgres(filepath.Join(bindir, "pg_ctl"), "-D", dir, "-o", fmt.Sprintf("-p %d", port), "-l", filepath.Join(parent, "server.log"), "-w", "-t", "60", "start").CombinedOutput()
	})
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// copyLiveDataDir copies a running server's data directory from to a new directory to, as a
// low-level base backup does (between pg_backup_start and pg_backup_stop): files may change or
// vanish while it runs, and one that vanishes is left out (the WAL replay restores what it held);
// pg_wal's contents (streamed from the primary instead), those of pg_replslot, pg_dynshmem,
// pg_notify, pg_serial, pg_snapshots, pg_stat_tmp and pg_subtrans, postmaster.pid and
// postmaster.opts are left out, as PostgreSQL's documentation of base backups says.
func copyLiveDataDir(from, to string) error {
	return filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil // vanished while the copy ran
			}
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			if err := os.MkdirAll(dst, 0o700); err != nil {
				return err
			}
			switch rel {
			case "pg_wal":
				if err := os.MkdirAll(filepath.Join(dst, "archive_status"), 0o700); err != nil { // empty: streamed instead
					return err
				}
				return filepath.SkipDir
			case "pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans":
				return filepath.SkipDir // their contents are left out (the directories kept), as the documentation says
			}
			return nil
		}
		if rel == "postmaster.pid" || rel == "postmaster.opts" || !d.Type().IsRegular() {
			return nil
		}
		src, err := os.Open(path)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		defer func() { _ = src.Close() }()
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, src); err != nil {
			_ = out.Close()
			return err
		}
		return out.Close()
	})
}

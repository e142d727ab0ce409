package topology

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// Tests of verifyGuard as a run meets it: the guard snapshot the run waited for is checked before
// anything is changed, on a first apply (its own fresh guard) and on a resumed one (the guard the
// change began with). Every problem it reports refuses the run, names the problem, and is
// followed by no changing call (ModifyDBInstance, DeleteDBInstance, CreateDBInstance).

// editState rewrites the emulator's RDS state as no API call can (a snapshot's engine, source,
// size, type or creation time): it reads the whole state (GET /_sandbox/state), lets edit change
// its "rds" section (the state file's JSON), and restarts the emulator on the same address from
// that state. The request log starts empty again; the env's clock and waits follow the new
// emulator.
func (e *env) editState(edit func(rdsState map[string]any)) {
	e.t.Helper()
	resp, err := http.Get(e.srv.URL() + "/_sandbox/state")
	if err != nil {
		e.t.Fatalf("reading the sandbox state: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		e.t.Fatalf("reading the sandbox state: %d %v", resp.StatusCode, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		e.t.Fatalf("decoding the sandbox state: %v", err)
	}
	edit(doc["rds"].(map[string]any))
	if b, err = json.Marshal(doc); err != nil {
		e.t.Fatal(err)
	}
	path := filepath.Join(e.t.TempDir(), "state.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		e.t.Fatal(err)
	}
	addr, sc := e.srv.Addr(), e.srv.Scenario()
	if err := e.srv.Close(); err != nil {
		e.t.Fatalf("stopping the sandbox: %v", err)
	}
	srv, err := sandbox.Start(sandbox.Options{Addr: addr, Scenario: sc, StateFile: path})
	if err != nil {
		e.t.Fatalf("restarting the sandbox from the edited state: %v", err)
	}
	e.t.Cleanup(func() { _ = srv.Close() })
	e.srv = srv
	e.o.Now = srv.Now
	e.o.Sleep = func(ctx context.Context, d time.Duration) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		srv.Advance(d)
		return ctx.Err()
	}
}

// editSnapshot sets fields of DB snapshot id in the emulator's state (editState): keys of the
// state file's snapshot ("engine", "source", "allocated", "type", "start", ...).
func (e *env) editSnapshot(id string, fields map[string]any) {
	e.t.Helper()
	e.editState(func(st map[string]any) {
		snaps, _ := st["snapshots"].(map[string]any)
		sn, ok := snaps[id].(map[string]any)
		if !ok {
			e.t.Fatalf("snapshot %s is not in the sandbox state", id)
		}
		for k, v := range fields {
			if _, known := sn[k]; !known && k != "allocated" {
				e.t.Fatalf("snapshot field %q is not in the sandbox state (%v)", k, sn)
			}
			sn[k] = v
		}
	})
}

// tagSnapshot sets tags on DB snapshot id through the RDS API (a tag tool, by hand).
func (e *env) tagSnapshot(id string, tags map[string]string) {
	e.t.Helper()
	g, err := loadGuard(context.Background(), e.api, KindInstance, id)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.api.AddTagsToResource(context.Background(), &rds.AddTagsToResourceInput{ResourceName: aws.String(g.arn),
		Tags: toTagList(tags)}); err != nil {
		e.t.Fatal(err)
	}
}

// changingCallsSince returns the calls that change a database (ModifyDBInstance, DeleteDBInstance,
// CreateDBInstance) logged after sequence number seq.
func (e *env) changingCallsSince(seq int) []sandbox.LogEntry {
	e.settleRequests()
	var out []sandbox.LogEntry
	for _, op := range []string{"ModifyDBInstance", "DeleteDBInstance", "CreateDBInstance"} {
		out = append(out, e.callsSince(op, seq)...)
	}
	return out
}

// guardCreated is the creation time the emulator reports for DB snapshot id.
func (e *env) guardCreated(id string) time.Time {
	e.t.Helper()
	g, err := loadGuard(context.Background(), e.api, KindInstance, id)
	if err != nil {
		e.t.Fatal(err)
	}
	if g.created.IsZero() {
		e.t.Fatalf("guard %s reports no creation time", id)
	}
	return g.created
}

// A first apply's own guard snapshot, tampered with while it is being created (its tags by the
// RDS API, its other fields in the emulator's state), is refused with the problem named, and the
// database is not changed: every problem verifyGuard reports that a snapshot can show.
func TestFirstApplyGuardThatDoesNotVerifyChangesNothing(t *testing.T) {
	id := GuardSnapshotID("", mandible, 1, 1, 1)
	later := func(e *env) string { // the change said to begin an hour after the snapshot was taken
		return e.guardCreated(id).Add(time.Hour).UTC().Format(time.RFC3339Nano)
	}
	cases := []struct {
		name   string
		tamper func(e *env)
		want   string
	}{
		{"another source", func(e *env) { e.editSnapshot(id, map[string]any{"source": "mandible-staging"}) },
			`it is a snapshot of "mandible-staging", not of "mandible-prod"`},
		{"another engine", func(e *env) { e.editSnapshot(id, map[string]any{"engine": "mysql"}) },
			`engine is "mysql", the target runs "postgres"`},
		{"larger storage", func(e *env) { e.editSnapshot(id, map[string]any{"allocated": 150}) },
			"allocated storage is 150 GiB, the target has 100 GiB"},
		{"smaller storage", func(e *env) { e.editSnapshot(id, map[string]any{"allocated": 50}) },
			"allocated storage is 50 GiB, the target has 100 GiB"},
		{"no storage reported", func(e *env) { e.editSnapshot(id, map[string]any{"allocated": 0}) },
			"allocated storage is not reported"},
		{"automated snapshot", func(e *env) { e.editSnapshot(id, map[string]any{"type": "automated"}) },
			"it is not a manual snapshot"},
		{"no creation time reported", func(e *env) { e.editSnapshot(id, map[string]any{"start": time.Time{}}) },
			"snapshot creation time is not reported"},
		{"created a day before the change began", func(e *env) {
			e.editSnapshot(id, map[string]any{"start": e.guardCreated(id).Add(-23 * time.Hour)})
		}, "before this change began"},
		{"change-started tag later than the snapshot", func(e *env) { e.tagSnapshot(id, map[string]string{TagChangeStarted: later(e)}) },
			"before this change began"},
		{"change-started tag invalid", func(e *env) { e.tagSnapshot(id, map[string]string{TagChangeStarted: "yesterday"}) },
			"tag rightsize:change-started is missing or invalid"},
		{"another target's tag", func(e *env) { e.tagSnapshot(id, map[string]string{TagTarget: "instance:mandible-staging"}) },
			`tag rightsize:target is "instance:mandible-staging", expected "instance:mandible-prod"`},
		{"another generation's tag", func(e *env) { e.tagSnapshot(id, map[string]string{TagGeneration: "7"}) },
			`tag rightsize:generation is "7", expected "1"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			mark := -1
			e.o.OnStep = func(s Step) error {
				if s == StepGuardCreate {
					c.tamper(e)
					mark = e.lastSeq()
				}
				return nil
			}
			_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1})
			e.o.OnStep = nil
			if mark < 0 {
				t.Fatalf("the run never created its guard snapshot: %v", err)
			}
			var ce *ChangeError
			if !errors.As(err, &ce) || ce.Stage != "verifying the guard snapshot" || ce.Changed || ce.GuardUnusable ||
				!strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "no change was made") {
				t.Fatalf("run: %v; want it refused at the guard's verification naming %q, no change made", err, c.want)
			}
			if calls := e.changingCallsSince(mark); len(calls) > 0 {
				t.Fatalf("%d changing call(s) after the guard failed its verification: %+v", len(calls), calls)
			}
			if in := e.instance("mandible-prod"); !aws.ToBool(in.MultiAZ) {
				t.Fatal("mandible-prod lost Multi-AZ behind a guard that did not verify")
			}
		})
	}
}

// The instance's storage grows (storage autoscaling, or a change made by hand) after the run
// described it and before it takes its guard: the fresh guard is larger than the database the run
// checked, fails its verification, and nothing is modified. Only the RDS API is used: the first
// apply's own guard is verified like a resumed one's.
func TestFirstApplyGuardOfGrownInstanceChangesNothing(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	mark := -1
	e.o.OnStep = func(s Step) error {
		if s != StepPrecheck {
			return nil
		}
		if _, err := e.api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
			AllocatedStorage: aws.Int32(150), ApplyImmediately: aws.Bool(true)}); err != nil {
			t.Error(err)
			return err
		}
		for range 240 {
			e.srv.Advance(time.Minute)
			if st, _ := e.srv.InstanceStatus("mandible-prod"); st == "available" || st == "storage-optimization" {
				break
			}
		}
		if in := e.instance("mandible-prod"); aws.ToInt32(in.AllocatedStorage) != 150 {
			t.Errorf("setup: the storage did not grow (%d GiB, status %s)", aws.ToInt32(in.AllocatedStorage), aws.ToString(in.DBInstanceStatus))
		}
		mark = e.lastSeq()
		return nil
	}
	_, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1})
	e.o.OnStep = nil
	if mark < 0 {
		t.Fatalf("setup: the run did not reach its precheck: %v", err)
	}
	var ce *ChangeError
	if !errors.As(err, &ce) || ce.Stage != "verifying the guard snapshot" || ce.Changed ||
		!strings.Contains(err.Error(), "allocated storage is 150 GiB, the target has 100 GiB") {
		t.Fatalf("run: %v; want the fresh guard refused (150 GiB, the target described at 100 GiB), no change made", err)
	}
	if e.srv.Distinct("CreateDBSnapshot") != 1 {
		t.Fatalf("setup: %d guard snapshots taken, want the run's one", e.srv.Distinct("CreateDBSnapshot"))
	}
	if calls := e.changingCallsSince(mark); len(calls) > 0 {
		t.Fatalf("%d changing call(s) behind a guard that did not verify: %+v", len(calls), calls)
	}
	if in := e.instance("mandible-prod"); !aws.ToBool(in.MultiAZ) {
		t.Fatal("mandible-prod lost Multi-AZ behind a guard that did not verify")
	}
}

// resumeRefused interrupts mandible-prod's change to 1 node right after its change call, lets
// tamper alter the guard, and runs again: the resumed run must refuse the guard (GuardUnusable),
// naming want, and make no changing call.
func resumeRefused(t *testing.T, tamper func(e *env, id string), want string) {
	t.Helper()
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	e.runInterrupted(t, req, StepChange)
	id := GuardSnapshotID("", mandible, 1, 1, 1)
	if o := e.snapshotTags(KindInstance, id)[TagOutcome]; o != OutcomeChanging {
		t.Fatalf("setup: guard outcome %q, want %q", o, OutcomeChanging)
	}
	tamper(e, id)
	e.srv.Advance(2 * time.Hour) // the change has settled at RDS
	mark := e.lastSeq()
	res, err := e.o.Run(context.Background(), req)
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.GuardUnusable || !ce.Changed || ce.Stage != "verifying the guard snapshot" ||
		!strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "its guard snapshot no longer verifies") {
		t.Fatalf("resume: %+v %v; want the begun change's guard refused as unusable, naming %q", res, err, want)
	}
	if calls := e.changingCallsSince(mark); len(calls) > 0 {
		t.Fatalf("%d changing call(s) behind a guard that no longer verifies: %+v", len(calls), calls)
	}
	if o := e.snapshotTags(KindInstance, id)[TagOutcome]; o != OutcomeChanging {
		t.Errorf("guard outcome %q after the refusal, want it left %q", o, OutcomeChanging)
	}
}

// A begun change whose guard says the change started an hour after the snapshot was taken (its
// rightsize:change-started tag rewritten): the snapshot was not taken in that apply, and the
// resume is refused, beyond the clock skew and well within a day.
func TestResumeRefusesGuardTakenBeforeTheChange(t *testing.T) {
	resumeRefused(t, func(e *env, id string) {
		e.tagSnapshot(id, map[string]string{TagChangeStarted: e.guardCreated(id).Add(time.Hour).UTC().Format(time.RFC3339Nano)})
	}, "before this change began")
}

// The control of the test above: a rightsize:change-started within the clock skew after the
// snapshot's creation (clocks that differ a little) resumes.
func TestResumeAcceptsChangeStartedWithinClockSkew(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	e.runInterrupted(t, req, StepChange)
	id := GuardSnapshotID("", mandible, 1, 1, 1)
	e.tagSnapshot(id, map[string]string{TagChangeStarted: e.guardCreated(id).Add(DefaultClockSkew - time.Minute).UTC().Format(time.RFC3339Nano)})
	e.srv.Advance(2 * time.Hour)
	if res, err := e.o.Run(context.Background(), req); err != nil || !res.Resumed {
		t.Fatalf("resume: %+v %v; want it resumed", res, err)
	}
}

// A begun change whose guard is larger than the instance (150 GiB against 100): no restore point
// of the database as it is, and the resume is refused (a smaller guard is accepted on resume:
// TestResumeAcceptsGrownStorage).
func TestResumeRefusesGuardLargerThanTheInstance(t *testing.T) {
	resumeRefused(t, func(e *env, id string) {
		e.editSnapshot(id, map[string]any{"allocated": 150})
	}, "allocated storage is 150 GiB, the target has 100 GiB")
}

// A begun change whose guard was replaced in the emulator by another engine's snapshot of the
// same name: refused on resume too.
func TestResumeRefusesGuardOfAnotherEngine(t *testing.T) {
	resumeRefused(t, func(e *env, id string) {
		e.editSnapshot(id, map[string]any{"engine": "mysql"})
	}, `engine is "mysql", the target runs "postgres"`)
}

// What no emulator state can show a run (waitGuard returns only an available snapshot, and an
// available one reports 100%): verifyGuard itself still refuses a snapshot not available or not
// complete.
func TestVerifyGuardRefusesIncompleteSnapshot(t *testing.T) {
	created := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	r := &run{o: &Orchestrator{}, req: Request{Target: mandible, Nodes: 1, Generation: 1},
		topo: &Topology{Engine: "postgres", AllocatedStorage: 100}}
	good := func() *guard {
		return &guard{id: "g", status: "available", created: created, engine: "postgres", source: "mandible-prod",
			storage: 100, percent: 100, manual: true, tags: map[string]string{TagTarget: mandible.String(), TagGeneration: "1",
				TagChangeStarted: created.Format(time.RFC3339Nano)}}
	}
	for _, resuming := range []bool{false, true} {
		if err := r.verifyGuard(good(), resuming); err != nil {
			t.Fatalf("control (resuming=%t): %v", resuming, err)
		}
		g := good()
		g.status = "creating"
		if err := r.verifyGuard(g, resuming); err == nil || !strings.Contains(err.Error(), `status is "creating", expected "available"`) {
			t.Errorf("status creating (resuming=%t): %v", resuming, err)
		}
		g = good()
		g.percent = 99
		if err := r.verifyGuard(g, resuming); err == nil || !strings.Contains(err.Error(), "progress is 99%") {
			t.Errorf("progress 99%% (resuming=%t): %v", resuming, err)
		}
	}
}

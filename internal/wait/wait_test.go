package wait

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// seq returns a RefreshFunc that reports the given states in order, repeating the last one.
func seq(states ...string) (RefreshFunc[int], *int) {
	calls := 0
	return func(context.Context) (int, string, error) {
		i := min(calls, len(states)-1)
		calls++
		return i, states[i], nil
	}, &calls
}

// recordSleep is a Sleep hook that records intervals without sleeping.
func recordSleep(got *[]time.Duration) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		*got = append(*got, d)
		return ctx.Err()
	}
}

func TestWaitReachesTarget(t *testing.T) {
	refresh, calls := seq("creating", "backing-up", "available")
	var slept []time.Duration
	w := Waiter[int]{
		Description: "DB snapshot s1",
		Pending:     []string{"creating", "backing-up"},
		Target:      []string{"available"},
		Refresh:     refresh,
		MinInterval: time.Millisecond,
		MaxInterval: 3 * time.Millisecond,
		Sleep:       recordSleep(&slept),
	}
	v, err := w.Wait(context.Background())
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if v != 2 || *calls != 3 {
		t.Fatalf("value %d after %d calls, want 2 after 3", v, *calls)
	}
	want := []time.Duration{time.Millisecond, 2 * time.Millisecond}
	if len(slept) != len(want) {
		t.Fatalf("slept %v, want %v", slept, want)
	}
	for i := range want {
		if slept[i] != want[i] {
			t.Fatalf("slept %v, want %v", slept, want)
		}
	}
}

func TestWaitBackoffCapped(t *testing.T) {
	refresh, _ := seq("a", "a", "a", "a", "a", "a", "b")
	var slept []time.Duration
	w := Waiter[int]{Target: []string{"b"}, Refresh: refresh,
		MinInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond, Sleep: recordSleep(&slept)}
	if _, err := w.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{1, 2, 4, 5, 5, 5}
	if len(slept) != len(want) {
		t.Fatalf("slept %v", slept)
	}
	for i := range want {
		if slept[i] != want[i]*time.Millisecond {
			t.Fatalf("slept %v, want %v ms", slept, want)
		}
	}
}

func TestWaitDelayAndDefaults(t *testing.T) {
	refresh, _ := seq("x", "ok")
	var slept []time.Duration
	w := Waiter[int]{Target: []string{"ok"}, Refresh: refresh, Delay: 7 * time.Millisecond, Sleep: recordSleep(&slept)}
	if _, err := w.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(slept) != 2 || slept[0] != 7*time.Millisecond || slept[1] != DefaultMinInterval {
		t.Fatalf("slept %v, want [7ms %v]", slept, DefaultMinInterval)
	}
}

func TestWaitUnexpectedState(t *testing.T) {
	refresh, _ := seq("creating", "failed")
	w := Waiter[int]{Description: "DB snapshot s1", Pending: []string{"creating"}, Target: []string{"available"},
		Refresh: refresh, MinInterval: time.Millisecond}
	// Bounded: a waiter that took the state for a pending one would wait on forever.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := w.Wait(ctx)
	var ue *UnexpectedStateError
	if !errors.As(err, &ue) {
		t.Fatalf("want *UnexpectedStateError, got %v", err)
	}
	if ue.State != "failed" || !strings.Contains(err.Error(), `"failed"`) || !strings.Contains(err.Error(), "DB snapshot s1") {
		t.Fatalf("error does not name the state and resource: %v", err)
	}
}

// expiringCtx is a context whose deadline passes when expire is called: a test's Refresh passes it
// once it has been called the times the test needs, where a real 30 ms deadline could pass first
// on a loaded machine (a 40 ms stall of the test process left one call: "after 1 calls").
type expiringCtx struct {
	context.Context
	done chan struct{}
}

func newExpiringCtx() *expiringCtx {
	return &expiringCtx{Context: context.Background(), done: make(chan struct{})}
}

func (c *expiringCtx) Done() <-chan struct{} { return c.done }

func (c *expiringCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func (c *expiringCtx) expire() { close(c.done) }

func TestWaitTimeoutFromContext(t *testing.T) {
	states, calls := seq("modifying")
	ctx := newExpiringCtx()
	refresh := func(rctx context.Context) (int, string, error) {
		v, s, err := states(rctx)
		if *calls == 2 { // the deadline passes after the second call
			ctx.expire()
		}
		return v, s, err
	}
	w := Waiter[int]{Description: "DB instance i1", Pending: []string{"modifying"}, Target: []string{"available"},
		Refresh: refresh, MinInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond}
	_, err := w.Wait(ctx)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("want *TimeoutError, got %v", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timeout does not unwrap to DeadlineExceeded: %v", err)
	}
	if te.LastState != "modifying" || *calls < 2 {
		t.Fatalf("last state %q after %d calls", te.LastState, *calls)
	}
	if !strings.Contains(err.Error(), `"modifying"`) || !strings.Contains(err.Error(), "DB instance i1") {
		t.Fatalf("message: %v", err)
	}
}

func TestWaitTimeoutField(t *testing.T) {
	refresh, _ := seq("modifying")
	w := Waiter[int]{Target: []string{"available"}, Refresh: refresh, Timeout: 10 * time.Millisecond,
		MinInterval: time.Millisecond, MaxInterval: time.Millisecond}
	_, err := w.Wait(context.Background())
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("want *TimeoutError, got %v", err)
	}
}

func TestWaitCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	w := Waiter[int]{Target: []string{"available"}, MinInterval: time.Millisecond,
		Refresh: func(context.Context) (int, string, error) {
			calls++
			if calls == 2 {
				cancel()
			}
			return 0, "modifying", nil
		}}
	_, err := w.Wait(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	var te *TimeoutError
	if errors.As(err, &te) {
		t.Fatalf("cancellation reported as timeout: %v", err)
	}
}

var errThrottle = errors.New("throttling: rate exceeded")

func TestWaitRetryableErrors(t *testing.T) {
	calls := 0
	w := Waiter[string]{Target: []string{"available"}, MinInterval: time.Millisecond,
		Retryable: func(err error) bool { return errors.Is(err, errThrottle) },
		Refresh: func(context.Context) (string, string, error) {
			calls++
			if calls < 3 {
				return "", "", errThrottle
			}
			return "v", "available", nil
		}}
	v, err := w.Wait(context.Background())
	if err != nil || v != "v" || calls != 3 {
		t.Fatalf("got %q, %v after %d calls", v, err, calls)
	}
}

func TestWaitNonRetryableError(t *testing.T) {
	boom := errors.New("AccessDenied")
	calls := 0
	w := Waiter[int]{Description: "DB cluster c1", Target: []string{"available"}, MinInterval: time.Millisecond,
		Retryable: func(err error) bool { return errors.Is(err, errThrottle) },
		Refresh: func(context.Context) (int, string, error) {
			calls++
			return 0, "", boom
		}}
	_, err := w.Wait(context.Background())
	if !errors.Is(err, boom) || calls != 1 || !strings.Contains(err.Error(), "DB cluster c1") {
		t.Fatalf("got %v after %d calls", err, calls)
	}
}

func TestWaitRetryableUntilTimeoutReportsLastError(t *testing.T) {
	ctx, sleeps := newExpiringCtx(), 0
	w := Waiter[int]{Target: []string{"available"}, MinInterval: time.Millisecond, MaxInterval: time.Millisecond,
		Retryable: func(error) bool { return true },
		Refresh:   func(context.Context) (int, string, error) { return 0, "", errThrottle },
		Sleep: func(sctx context.Context, d time.Duration) error {
			if sleeps++; sleeps == 2 { // the deadline passes during the second wait (expiringCtx)
				ctx.expire()
			}
			return Sleep(sctx, d)
		}}
	_, err := w.Wait(ctx)
	var te *TimeoutError
	if !errors.As(err, &te) || !errors.Is(te.LastErr, errThrottle) || !strings.Contains(err.Error(), "throttling") {
		t.Fatalf("got %v", err)
	}
}

func TestWaitTargetOccurrences(t *testing.T) {
	refresh, calls := seq("available", "modifying", "available", "available")
	w := Waiter[int]{Target: []string{"available"}, Pending: []string{"modifying"}, TargetOccurrences: 2,
		Refresh: refresh, MinInterval: time.Millisecond, Sleep: recordSleep(new([]time.Duration))}
	if _, err := w.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if *calls != 4 {
		t.Fatalf("succeeded after %d calls, want 4 (two consecutive targets)", *calls)
	}
}

func TestWaitEmptyPendingAcceptsAnything(t *testing.T) {
	refresh, _ := seq("whatever", "odd", "done")
	w := Waiter[int]{Target: []string{"done"}, Refresh: refresh, MinInterval: time.Millisecond,
		Sleep: recordSleep(new([]time.Duration))}
	if _, err := w.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestWaitMisconfigured(t *testing.T) {
	if _, err := (Waiter[int]{}).Wait(context.Background()); err == nil {
		t.Fatal("want an error for a Waiter without Refresh and Target")
	}
}

// TestWaitProgress: Progress hears each change of state once (not every poll that repeats it) and
// every retried refresh error, with the last state seen.
func TestWaitProgress(t *testing.T) {
	transient := errors.New("throttled")
	states := []string{"modifying", "modifying", "", "modifying", "available"}
	calls := 0
	var got []string
	w := Waiter[int]{
		Pending: []string{"modifying"}, Target: []string{"available"},
		Refresh: func(context.Context) (int, string, error) {
			s := states[calls]
			calls++
			if s == "" {
				return 0, "", transient
			}
			return 0, s, nil
		},
		Retryable:   func(err error) bool { return errors.Is(err, transient) },
		MinInterval: time.Millisecond, MaxInterval: time.Millisecond,
		Sleep: func(context.Context, time.Duration) error { return nil },
		Progress: func(state string, retried error, waited time.Duration) {
			if waited < 0 {
				t.Errorf("waited %s", waited)
			}
			if retried != nil {
				got = append(got, state+" retried: "+retried.Error())
				return
			}
			got = append(got, state)
		},
	}
	if _, err := w.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := "modifying|modifying retried: throttled|available"
	if s := strings.Join(got, "|"); s != want {
		t.Errorf("Progress heard %q, want %q", s, want)
	}
}

// TestWaitProgressUnexpectedState: the state that ends a wait as unexpected is told to Progress
// too, so that the log's trail of a long wait ends with the state that stopped it.
func TestWaitProgressUnexpectedState(t *testing.T) {
	states := []string{"modifying", "failed"}
	calls := 0
	var got []string
	w := Waiter[int]{
		Pending: []string{"modifying"}, Target: []string{"available"},
		Refresh: func(context.Context) (int, string, error) {
			s := states[calls]
			calls++
			return 0, s, nil
		},
		MinInterval: time.Millisecond, MaxInterval: time.Millisecond,
		Sleep: func(context.Context, time.Duration) error { return nil },
		Progress: func(state string, retried error, _ time.Duration) {
			got = append(got, state)
		},
	}
	var ue *UnexpectedStateError
	if _, err := w.Wait(context.Background()); !errors.As(err, &ue) || ue.State != "failed" {
		t.Fatalf("Wait: %v, want the unexpected state failed", err)
	}
	if s := strings.Join(got, "|"); s != "modifying|failed" {
		t.Errorf("Progress heard %q, want %q", s, "modifying|failed")
	}
}

// Package wait is a small, standard-library-only poller for long-running cloud operations.
//
// A [Waiter] repeatedly calls a refresh function that reports the current state of a resource
// ("creating", "modifying", "available", ...) until the state is one of the target states, the
// state is neither pending nor target (an error naming it), the refresh function returns an error
// that is not retryable, or the deadline passes. The deadline is the earlier of the context's
// deadline and the optional [Waiter.Timeout]. Intervals grow exponentially from
// [Waiter.MinInterval] to [Waiter.MaxInterval], so production code polls every few seconds while
// tests configure milliseconds.
package wait

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Default intervals used when a Waiter leaves MinInterval or MaxInterval at zero.
const (
	// DefaultMinInterval is the first poll interval: 5 seconds.
	DefaultMinInterval = 5 * time.Second
	// DefaultMaxInterval caps the exponential backoff: 30 seconds.
	DefaultMaxInterval = 30 * time.Second
)

// RefreshFunc reports the current value of the watched resource and its state. A returned error
// stops the wait unless the Waiter's Retryable predicate accepts it. A refresh function should map
// "resource not found" to a state of its own (for example "deleted") when disappearance is the
// expected outcome, and return an error otherwise.
type RefreshFunc[T any] func(ctx context.Context) (value T, state string, err error)

// Waiter polls a RefreshFunc until a target state is reached. The zero value is not usable: Refresh
// and Target are required. A Waiter holds no state between calls to Wait and may be reused.
type Waiter[T any] struct {
	// Description names what is waited on in errors, e.g. "DB instance mandible-prod".
	Description string
	// Pending lists states that mean "keep polling". A state in neither Pending nor Target ends the
	// wait with an *UnexpectedStateError. An empty Pending means every non-target state is pending.
	Pending []string
	// Target lists the states that end the wait successfully. Required.
	Target []string
	// Refresh reads the current state. Required.
	Refresh RefreshFunc[T]
	// Delay is waited before the first refresh (0: refresh immediately).
	Delay time.Duration
	// MinInterval is the first interval between refreshes; it doubles after every poll up to
	// MaxInterval. Zero means DefaultMinInterval.
	MinInterval time.Duration
	// MaxInterval caps the interval. Zero means DefaultMaxInterval (or MinInterval if larger).
	MaxInterval time.Duration
	// Timeout bounds the whole wait in addition to the context's deadline (0: context only).
	Timeout time.Duration
	// TargetOccurrences is how many consecutive refreshes must report a target state before the
	// wait succeeds (guards against eventually consistent reads). Zero or one means one.
	TargetOccurrences int
	// Retryable reports whether a refresh error is transient (throttling, a dropped connection);
	// such errors are retried until the deadline. Nil means no error is retryable.
	Retryable func(error) bool
	// Sleep waits for d or until ctx is done, returning ctx.Err() in the latter case. Nil uses a
	// timer. Tests may inject a function that records intervals.
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress, if set, is told what the wait sees, for a log of a long wait: each state the
	// refresh reports that differs from the one before (the first included), with retried nil,
	// and each refresh error the wait retries (Retryable), with the last state seen and the
	// error. waited is the time since Wait began. Nil: nothing is told.
	Progress func(state string, retried error, waited time.Duration)
}

// UnexpectedStateError is returned when the refresh function reports a state that is neither
// pending nor a target.
type UnexpectedStateError struct {
	// Description is the Waiter's Description.
	Description string
	// State is the unexpected state reported.
	State string
	// Pending and Target are the states the Waiter expected.
	Pending, Target []string
}

// Error implements error.
func (e *UnexpectedStateError) Error() string {
	return fmt.Sprintf("waiting for %s: unexpected state %q (expected %s, or pending %s)",
		describe(e.Description), e.State, quoteList(e.Target), quoteList(e.Pending))
}

// TimeoutError is returned when the deadline passes before a target state is reached. It unwraps
// to context.DeadlineExceeded, so errors.Is(err, context.DeadlineExceeded) holds.
type TimeoutError struct {
	// Description is the Waiter's Description.
	Description string
	// LastState is the last state observed ("" if no refresh succeeded).
	LastState string
	// Target lists the states that were awaited.
	Target []string
	// Waited is how long the wait lasted.
	Waited time.Duration
	// LastErr is the last retryable refresh error seen, if any.
	LastErr error
}

// Error implements error.
func (e *TimeoutError) Error() string {
	msg := fmt.Sprintf("timeout after %s waiting for %s to reach %s (last state %q)",
		e.Waited.Round(time.Millisecond), describe(e.Description), quoteList(e.Target), e.LastState)
	if e.LastErr != nil {
		msg += fmt.Sprintf("; last error: %v", e.LastErr)
	}
	return msg
}

// Unwrap returns context.DeadlineExceeded.
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// Wait polls until a target state is reached and returns the value reported with it. Errors:
// *UnexpectedStateError for a state outside Pending and Target; *TimeoutError when the deadline
// passes; the context's error (wrapped) when it is cancelled; the refresh error (wrapped) when it
// is not retryable. On error the last value seen is returned as well (the zero value if none).
func (w Waiter[T]) Wait(ctx context.Context) (T, error) {
	var last T
	if w.Refresh == nil || len(w.Target) == 0 {
		return last, fmt.Errorf("waiting for %s: Waiter needs Refresh and Target", describe(w.Description))
	}
	start := time.Now()
	if w.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, w.Timeout)
		defer cancel()
	}
	sleep := w.Sleep
	if sleep == nil {
		sleep = Sleep
	}
	minI, maxI := w.MinInterval, w.MaxInterval
	if minI <= 0 {
		minI = DefaultMinInterval
	}
	if maxI <= 0 {
		maxI = DefaultMaxInterval
	}
	if maxI < minI {
		maxI = minI
	}
	need := max(w.TargetOccurrences, 1)

	var (
		lastState string
		lastErr   error
		hits      int
		interval  = minI
		told      bool   // Progress was told a state
		toldState string // the last state Progress was told
	)
	progress := func(state string, retried error) {
		if w.Progress == nil {
			return
		}
		if retried == nil {
			if told && state == toldState {
				return
			}
			told, toldState = true, state
		}
		w.Progress(state, retried, time.Since(start))
	}
	ctxErr := func(err error) error {
		if errors.Is(err, context.DeadlineExceeded) {
			return &TimeoutError{Description: w.Description, LastState: lastState, Target: w.Target,
				Waited: time.Since(start), LastErr: lastErr}
		}
		return fmt.Errorf("waiting for %s: %w", describe(w.Description), err)
	}
	if w.Delay > 0 {
		if err := sleep(ctx, w.Delay); err != nil {
			return last, ctxErr(err)
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return last, ctxErr(err)
		}
		v, state, err := w.Refresh(ctx)
		switch {
		case err != nil:
			if cerr := ctx.Err(); cerr != nil {
				// The refresh failed because the deadline passed or the caller cancelled.
				lastErr = err
				return last, ctxErr(cerr)
			}
			if w.Retryable == nil || !w.Retryable(err) {
				return last, fmt.Errorf("waiting for %s: %w", describe(w.Description), err)
			}
			lastErr = err
			hits = 0
			progress(lastState, err)
		case slices.Contains(w.Target, state):
			last, lastState = v, state
			progress(state, nil)
			hits++
			if hits >= need {
				return last, nil
			}
		case len(w.Pending) == 0 || slices.Contains(w.Pending, state):
			last, lastState = v, state
			progress(state, nil)
			hits = 0
		default:
			progress(state, nil)
			return v, &UnexpectedStateError{Description: w.Description, State: state, Pending: w.Pending, Target: w.Target}
		}
		if err := sleep(ctx, interval); err != nil {
			return last, ctxErr(err)
		}
		interval = min(interval*2, maxI)
	}
}

// Sleep waits for d or until ctx is done, returning ctx.Err() in the latter case: the default of
// Waiter.Sleep.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func describe(s string) string {
	if s == "" {
		return "resource"
	}
	return s
}

func quoteList(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

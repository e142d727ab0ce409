package topology

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Facts is a validation baseline: short named values recorded before the change and compared
// after it. Keys are at most MaxFactKeyLen characters and values at most MaxFactValueLen
// characters, because the orchestrator stores them as tags of the guard snapshot so that an
// interrupted apply can still validate against the baseline taken before the change.
type Facts map[string]string

// Limits of Facts keys and values (RDS tag limits minus the orchestrator's key prefix).
const (
	MaxFactKeyLen   = 128 - len(tagFactPrefix)
	MaxFactValueLen = 256
)

// Validator checks that the database is intact after a topology change. Implementations must be
// read-only. PGValidator is the PostgreSQL implementation.
type Validator interface {
	// Capture records the baseline before the change.
	Capture(ctx context.Context) (Facts, error)
	// Check compares the database with the baseline and measures a round trip. A mismatch is a
	// *ValidationError; other errors (for example the database not answering) are returned as is.
	// before may be empty when no baseline was recorded; Check then verifies connectivity only.
	Check(ctx context.Context, before Facts) (*Report, error)
}

// Report is the result of a successful validation.
type Report struct {
	// RoundTrip is the duration of a `SELECT 1` round trip after the change.
	RoundTrip time.Duration
	// Checked lists what was compared, e.g. "rows public.users = 1000".
	Checked []string
	// NotCompared lists what the validation asks for but the baseline does not hold, so nothing
	// was compared: a table added to the validation since the change began (a resumed change
	// keeps the baseline recorded on its guard snapshot), or a change another apply began.
	NotCompared []string
}

// ValidationError lists the differences found by a Validator. Cause is the error that stopped the
// rest of the validation after these were found (nil when it ran to the end): Unwrap returns it, so
// a cancellation or a deadline is still seen as one, while what was found stands (a ValidationError
// is never taken for a connection failure or an inconclusive query).
type ValidationError struct {
	Mismatches []string
	Cause      error
}

// Unwrap returns Cause.
func (e *ValidationError) Unwrap() error { return e.Cause }

// Error implements error.
func (e *ValidationError) Error() string {
	return "validation failed: " + strings.Join(e.Mismatches, "; ")
}

func checkFacts(f Facts) error {
	for k, v := range f {
		if k == "" || len(k) > MaxFactKeyLen || len(v) > MaxFactValueLen {
			return fmt.Errorf("validation baseline entry %q is too long to record on the guard snapshot (key ≤ %d, value ≤ %d characters)", k, MaxFactKeyLen, MaxFactValueLen)
		}
	}
	return nil
}

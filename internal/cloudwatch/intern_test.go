package cloudwatch

import (
	"slices"
	"testing"
	"time"
)

// TestTimestampSetIntern: equal sequences share one copy; sequences of the same length and end points that
// differ in between do not; the caller's buffer is neither kept nor aliased.
func TestTimestampSetIntern(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	grid := func(skip int) []time.Time { // 0..10 minutes, without minute skip
		var ts []time.Time
		for m := range 11 {
			if m != skip {
				ts = append(ts, t0.Add(time.Duration(m)*time.Minute))
			}
		}
		return ts
	}
	set := timestampSet{}
	buf := grid(3)
	a := set.intern(buf)
	if &a[0] == &buf[0] || cap(a) != len(a) || !slices.Equal(a, buf) {
		t.Fatalf("intern returned the buffer itself, spare capacity or other times: cap %d, len %d", cap(a), len(a))
	}
	buf[1] = t0.Add(time.Hour) // the caller reuses its buffer
	if !a[1].Equal(t0.Add(time.Minute)) {
		t.Fatal("the interned copy changed with the caller's buffer")
	}
	// The same instants in another location are the same sequence.
	local := grid(3)
	for i := range local {
		local[i] = local[i].In(time.FixedZone("UTC+2", 2*3600))
	}
	if b := set.intern(local); &b[0] != &a[0] {
		t.Error("an equal sequence got its own copy")
	}
	// Same length, first and last instant, another minute missing: another sequence.
	if c := set.intern(grid(7)); &c[0] == &a[0] || !c[3].Equal(t0.Add(3*time.Minute)) {
		t.Error("a sequence that differs in between was merged with another of the same shape")
	}
	if e := set.intern(nil); e == nil || len(e) != 0 {
		t.Errorf("empty sequence: %v (nil %v), want an empty slice", e, e == nil)
	}
}

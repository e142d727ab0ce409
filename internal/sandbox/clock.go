package sandbox

import (
	"sync"
	"time"
)

// ScenarioEpoch is the default "now" of every scenario when Options.Now is zero:
// Monday 2026-11-02 12:00:00 UTC. Using a fixed instant keeps metric values,
// identifiers and event times identical from run to run.
var ScenarioEpoch = time.Date(2026, time.November, 2, 12, 0, 0, 0, time.UTC)

// Clock is the sandbox's virtual clock. Every status transition, snapshot
// progress, event time and the end of the metric history is measured on it.
//
// Virtual time = start + manual offset + Speed × (real time elapsed since the
// speed was last set). With Speed 0 (the default) the clock only moves when
// Advance is called, which makes tests fully deterministic. With Speed 3600 one
// real millisecond is 3.6 virtual seconds, so a 20-minute Multi-AZ conversion
// completes in about a third of a real second. Clock is safe for concurrent use.
type Clock struct {
	mu       sync.Mutex
	base     time.Time // virtual time at realBase
	realBase time.Time
	speed    float64
	realNow  func() time.Time
}

func newClock(start time.Time, speed float64) *Clock {
	return &Clock{base: start.UTC(), realBase: time.Now(), speed: speed, realNow: time.Now}
}

// Now returns the current virtual time (UTC).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.speed == 0 {
		return c.base
	}
	el := c.realNow().Sub(c.realBase)
	return c.base.Add(time.Duration(float64(el) * c.speed))
}

// Advance moves the virtual clock forward by d (negative d is ignored) and
// returns the new virtual time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.nowLocked()
	if d > 0 {
		now = now.Add(d)
	}
	c.base, c.realBase = now, c.realNow()
	return now
}

// Set moves the virtual clock to t if t is after the current virtual time
// (the clock never goes backwards) and returns the resulting time.
func (c *Clock) Set(t time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.nowLocked()
	if t.After(now) {
		now = t.UTC()
	}
	c.base, c.realBase = now, c.realNow()
	return now
}

// SetSpeed sets how many virtual seconds pass per real second (0 freezes the
// clock; negative values are treated as 0). The current virtual time is kept.
func (c *Clock) SetSpeed(speed float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.nowLocked()
	if speed < 0 {
		speed = 0
	}
	c.base, c.realBase, c.speed = now, c.realNow(), speed
}

// Speed returns the current speed factor (virtual seconds per real second).
func (c *Clock) Speed() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.speed
}

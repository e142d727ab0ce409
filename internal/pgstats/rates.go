package pgstats

import (
	"math"
	"time"
)

// ratio returns num/den, or NaN when den is 0 (or either is NaN).
func ratio(num, den float64) float64 {
	if den == 0 || math.IsNaN(num) || math.IsNaN(den) {
		return math.NaN()
	}
	return num / den
}

// orNaN dereferences p, or returns NaN for nil (SQL NULL).
func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// rate returns the per-second rate of a counter that went from prev to cur in
// seconds; NaN when seconds <= 0 or the counter went backwards (it was reset).
func rate(prev, cur int64, seconds float64) float64 {
	if seconds <= 0 || cur < prev {
		return math.NaN()
	}
	return float64(cur-prev) / seconds
}

// rateF is rate for fractional counters (milliseconds of execution time).
func rateF(prev, cur, seconds float64) float64 {
	if seconds <= 0 || cur < prev {
		return math.NaN()
	}
	return (cur - prev) / seconds
}

// setDatabaseRates fills d's rates from the counters in prev (zero for
// "since reset") to d over seconds, with the given basis.
func setDatabaseRates(d *Database, prev Database, seconds float64, basis string) {
	if seconds <= 0 {
		basis, seconds = RateBasisNone, 0
	}
	d.RateBasis, d.RateSeconds = basis, seconds
	d.CommitsPerSecond = rate(prev.XactCommit, d.XactCommit, seconds)
	d.RollbacksPerSecond = rate(prev.XactRollback, d.XactRollback, seconds)
	d.TransactionsPerSecond = rate(prev.XactCommit+prev.XactRollback, d.XactCommit+d.XactRollback, seconds)
	d.BlocksReadPerSecond = rate(prev.BlksRead, d.BlksRead, seconds)
	d.BlocksHitPerSecond = rate(prev.BlksHit, d.BlksHit, seconds)
	d.TempBytesPerSecond = rate(prev.TempBytes, d.TempBytes, seconds)
}

// sinceSeconds is the time from since to at in seconds, or 0 when since is
// the zero time or not before at.
func sinceSeconds(since, at time.Time) float64 {
	if since.IsZero() || !since.Before(at) {
		return 0
	}
	return at.Sub(since).Seconds()
}

// ratesSinceReset computes rates of a single snapshot: cumulative counters
// over the time since they were reset (or since the server started).
func (c *collector) ratesSinceReset() {
	st := c.st
	st.RateBasis = RateBasisNone
	for i := range st.Databases {
		d := &st.Databases[i]
		basis, secs := RateBasisStatsReset, sinceSeconds(d.StatsReset, st.CollectedAt)
		if d.StatsReset.IsZero() {
			basis, secs = RateBasisServerStart, sinceSeconds(st.Server.StartTime, st.CollectedAt)
		}
		setDatabaseRates(d, Database{}, secs, basis)
		if d.Name == st.Server.Database {
			st.RateBasis = d.RateBasis
		}
	}
	s := &st.Statements
	secs := sinceSeconds(s.StatsReset, st.CollectedAt)
	s.RateBasis, s.RateSeconds = RateBasisStatsReset, secs
	if secs == 0 {
		s.RateBasis = RateBasisNone
	}
	s.CallsPerSecond = rate(0, s.TotalCalls, secs)
	s.TimeMsPerSecond = rateF(0, s.TotalTimeMs, secs)
	if !s.Available {
		s.CallsPerSecond, s.TimeMsPerSecond = math.NaN(), math.NaN()
	}
	for i := range s.Top {
		t := &s.Top[i]
		t.ShareOfTotalTime = math.Min(ratio(t.TotalTimeMs, s.TotalTimeMs), 1) // a nested entry's callers may still run
		t.CallsPerSecond = rate(0, t.Calls, secs)
		t.TimeMsPerSecond = rateF(0, t.TotalTimeMs, secs)
	}
}

// ratesFromSample computes rates between two snapshots of the same
// transaction; the interval is measured on the server's clock.
func (c *collector) ratesFromSample(first, second *snapshot) {
	st := c.st
	secs := second.at.Sub(first.at).Seconds()
	st.SampleSeconds = secs
	st.RateBasis = RateBasisSample
	prev := map[string]Database{}
	for _, d := range first.databases {
		prev[d.Name] = d
	}
	for i := range st.Databases {
		d := &st.Databases[i]
		p, ok := prev[d.Name]
		if !ok { // created during the sample: its counters started at zero
			p = Database{}
		}
		setDatabaseRates(d, p, secs, RateBasisSample)
		d.IntervalCacheHitRatio = ratio(float64(d.BlksHit-p.BlksHit), float64(d.BlksHit-p.BlksHit+d.BlksRead-p.BlksRead))
		if d.BlksHit < p.BlksHit || d.BlksRead < p.BlksRead {
			d.IntervalCacheHitRatio = math.NaN()
		}
	}

	s := &st.Statements
	s.RateBasis, s.RateSeconds = RateBasisSample, secs
	s.CallsPerSecond, s.TimeMsPerSecond = math.NaN(), math.NaN()
	if !s.Available || first.pgss == nil || second.pgss == nil {
		for i := range s.Top {
			s.Top[i].CallsPerSecond, s.Top[i].TimeMsPerSecond = math.NaN(), math.NaN()
			s.Top[i].ShareOfTotalTime = math.NaN()
		}
		return
	}
	s.Count = second.pgssCount
	var dCalls int64
	var dTime, dNested float64
	for k, cur := range second.pgss {
		dc, dt := counterDelta(first.pgss, k, cur)
		if !k.toplevel { // its time is in its caller's (track = all): counted there
			dNested += dt
			continue
		}
		s.TotalCalls += cur.calls
		s.TotalTimeMs += cur.totalMs
		dCalls += dc
		dTime += dt
	}
	// pg_stat_statements records a statement's time when it ends: a call still running at the
	// sample's end has added nothing yet while the statements it ran have. The execution time of
	// the sample is the larger of the two sums (the top-level one when every caller ended).
	dTime = math.Max(dTime, dNested)
	s.CallsPerSecond = rate(0, dCalls, secs)
	s.TimeMsPerSecond = rateF(0, dTime, secs)
	for i := range s.Top {
		t := &s.Top[i]
		t.ShareOfTotalTime, t.CallsPerSecond, t.TimeMsPerSecond = math.NaN(), math.NaN(), math.NaN()
		if i >= len(c.topKeys) || t.QueryHidden {
			continue
		}
		k := c.topKeys[i]
		cur, ok := second.pgss[k]
		if !ok { // appeared after the second counters were read
			cur = pgssCounter{calls: t.Calls, totalMs: t.TotalTimeMs}
		}
		dc, dt := counterDelta(first.pgss, k, cur)
		t.ShareOfTotalTime = math.Min(ratio(dt, dTime), 1)
		t.CallsPerSecond = rate(0, dc, secs)
		t.TimeMsPerSecond = rateF(0, dt, secs)
	}
}

// counterDelta is what entry k did between prev and cur: an entry absent from
// prev, or whose counters went backwards (it was reset), counts from zero.
func counterDelta(prev map[pgssKey]pgssCounter, k pgssKey, cur pgssCounter) (calls int64, ms float64) {
	p, ok := prev[k]
	if !ok || cur.calls < p.calls || cur.totalMs < p.totalMs {
		p = pgssCounter{}
	}
	return cur.calls - p.calls, cur.totalMs - p.totalMs
}

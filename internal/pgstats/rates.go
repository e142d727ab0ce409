package pgstats

import (
	"fmt"
	"math"
	"strings"
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

	if w := unpublishedTransactions(st.Databases, prev, first, second, st.Server.Database, secs); w != "" {
		c.warn("%s", w)
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
	// The collector's own statements between the two reads (the first read
	// itself among them, which pg_stat_statements counts when it ends) are
	// not the workload's: about one a second on a 5 s sample, all of an idle
	// server's calls.
	dCalls = max(dCalls-(second.sentBeforePgss-first.sentBeforePgss), 0)
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
// But the sum of a role's hidden entries (queryid 0: another role's, read
// without pg_read_all_stats, readPgssCounters) goes backwards when one of
// them leaves (evicted at pg_stat_statements.max, or reset on its own): the
// rest's cumulative counters are no work of the interval, which counts
// nothing then (what the remaining entries did meanwhile cannot be told).
func counterDelta(prev map[pgssKey]pgssCounter, k pgssKey, cur pgssCounter) (calls int64, ms float64) {
	p, ok := prev[k]
	if ok && (cur.calls < p.calls || cur.totalMs < p.totalMs) {
		if k.queryid == 0 {
			return 0, 0
		}
		p = pgssCounter{}
	}
	return cur.calls - p.calls, cur.totalMs - p.totalMs
}

// unpublishedMinStatements and unpublishedMinRate (statements per second) are how busy a
// database must have been during a sample for unpublishedTransactions to name it.
const (
	unpublishedWarningStart  = "pg_stat_database counted no transaction ending"
	unpublishedMinStatements = 100
	unpublishedMinRate       = 10
)

// unpublishedTransactions returns a warning naming the databases of dbs in
// which pg_stat_statements counted top-level statements during a sample
// (first to second, secs seconds) while pg_stat_database counted no
// transaction ending (against prev, by name); "" when there is none, or
// without statement counters in both snapshots. In the connected database the
// collector's own statements, sent between the two counter reads, are not
// the application's and are left out.
//
// PostgreSQL publishes a connection's database counters only after a
// transaction ends, at most once a second, so a transaction still open during
// the sample is not counted. And from PostgreSQL 15 (statistics in shared
// memory) a transaction that reads no table leaves nothing pending for the
// flush to run on. Measured with scripts/pg-publish-cadence.sh (one pgbench
// client, read for 5 s from its second second): a connection running
// SELECT 'x' had its counts published at most once on 15.18, 16.14, 17.10 and
// 18.4, most often not at all (15.18 published none in 25 s, until it
// disconnected), one running SELECT n FROM c every second; on 12.22, 13.23
// and 14.23 (the statistics collector) both every half second. Either way
// transactions_per_second says 0 for a database that was busy.
//
// A database is named only when its statements reached unpublishedMinStatements and
// unpublishedMinRate per second: a connection that ran a few transactions and went idle has
// them published only when PostgreSQL's idle flush comes, 10 s later, and a rate that small is
// not worth a warning (another collection's some 30 statistics queries, in the test matrix).
func unpublishedTransactions(dbs []Database, prev map[string]Database, first, second *snapshot, connected string, secs float64) string {
	if first.pgss == nil || second.pgss == nil {
		return ""
	}
	calls := map[uint32]int64{}
	for k, cur := range second.pgss {
		if k.toplevel {
			dc, _ := counterDelta(first.pgss, k, cur)
			calls[k.dbid] += dc
		}
	}
	own := second.sentBeforePgss - first.sentBeforePgss
	var names []string
	var total int64
	for _, d := range dbs {
		n := calls[d.oid]
		if d.Name == connected {
			n -= own
		}
		p, ok := prev[d.Name]
		if n < unpublishedMinStatements || float64(n) < unpublishedMinRate*secs || !ok || d.XactCommit+d.XactRollback != p.XactCommit+p.XactRollback {
			continue
		}
		total += n
		if len(names) < 5 {
			names = append(names, fmt.Sprintf("%q (%d)", d.Name, n))
		} else if len(names) == 5 {
			names = append(names, "…")
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf(unpublishedWarningStart+" during the %.1f s sample in %s, where pg_stat_statements counted "+
		"%d statement(s) (in parentheses): there transactions_per_second is 0, and the interval cache hit ratio leaves those statements' "+
		"reads out, although the database was busy. PostgreSQL publishes a connection's database counters only after a transaction ends, at most once a "+
		"second: a transaction left open is not counted, and PostgreSQL 15 and later hold back the counts of transactions that read no "+
		"table (SELECT 1) until one on the same connection does, or it disconnects. statements.calls_per_second counts what ran; "+
		"a sample taken again may catch the counters published.", secs, strings.Join(names, ", "), total)
}

package pgstats

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestNormaliseSetting(t *testing.T) {
	cases := []struct {
		setting, unit string
		want          float64
		err           string
	}{
		{"16384", "8kB", 16384 * 8192, ""}, // shared_buffers 128MB
		{"4096", "kB", 4 << 20, ""},        // work_mem 4MB
		{"1024", "MB", 1 << 30, ""},        // max_wal_size 1GB
		{"300", "s", 300, ""},              // checkpoint_timeout
		{"200", "ms", 0.2, ""},
		{"5", "min", 300, ""},
		{"4", "", 4, ""},
		{"1.1", "", 1.1, ""},
		{"-1", "8kB", -1, ""}, // "automatic" sentinels stay -1
		{"8192", "B", 8192, ""},
		{"on", "", 0, "not numeric"},
		{"NaN", "", 0, "not finite"},
		{"1", "parsecs", 0, "unknown pg_settings unit"},
	}
	for _, tc := range cases {
		got, err := normaliseSetting(tc.setting, tc.unit)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("normaliseSetting(%q, %q) error = %v, want %q", tc.setting, tc.unit, err, tc.err)
			}
			continue
		}
		if err != nil || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("normaliseSetting(%q, %q) = %v, %v; want %v", tc.setting, tc.unit, got, err, tc.want)
		}
	}
}

func TestBuildSettings(t *testing.T) {
	s, warnings := buildSettings([]settingRow{
		{"shared_buffers", "16384", "8kB"},
		{"work_mem", "4096", "kB"},
		{"wal_level", "replica", ""},
		{"random_page_cost", "1.1", ""},
		{"max_connections", "bogus", ""},
		{"unknown_setting", "1", ""},
	})
	if s.SharedBuffersBytes != 128<<20 || s.WorkMemBytes != 4<<20 || s.WALLevel != "replica" || s.RandomPageCost != 1.1 {
		t.Errorf("unexpected settings %+v", s)
	}
	if s.MaxConnections != 0 || len(warnings) != 1 || !strings.Contains(warnings[0], "max_connections") {
		t.Errorf("bad value must be 0 with one warning naming it; got %d, %q", s.MaxConnections, warnings)
	}
}

func TestParseQualifiedName(t *testing.T) {
	cases := []struct {
		in, schema, table, err string
	}{
		{"orders", "", "orders", ""},
		{"Orders", "", "orders", ""},
		{"public.orders", "public", "orders", ""},
		{`"Sales"."Order.Lines"`, "Sales", "Order.Lines", ""},
		{`"a""b"`, "", `a"b`, ""},
		{"", "", "", "empty name part"},
		{"a.", "", "", "empty name part"},
		{"a.b.c", "", "", "3 name parts"},
		{`"open`, "", "", "unterminated"},
		{"has space", "", "", "quote the identifier"},
		{`"x"y`, "", "", "expected '.'"},
	}
	for _, tc := range cases {
		schema, table, err := ParseQualifiedName(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseQualifiedName(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || schema != tc.schema || table != tc.table {
			t.Errorf("ParseQualifiedName(%q) = %q, %q, %v; want %q, %q", tc.in, schema, table, err, tc.schema, tc.table)
		}
	}
}

func TestOptionsNormalised(t *testing.T) {
	o, names, err := Options{Tables: []string{"public.t"}}.normalised()
	if err != nil || o.TopStatements != DefaultTopStatements || o.QueryTextLength != DefaultQueryTextLength ||
		o.StatementTimeout != DefaultStatementTimeout || len(names) != 1 || names[0].schema != "public" {
		t.Fatalf("defaults: %+v %+v %v", o, names, err)
	}
	bad := []struct {
		o    Options
		want string
	}{
		{Options{TopStatements: -1}, "top statements -1"},
		{Options{TopStatements: MaxTopStatements + 1}, "top statements 1001"},
		{Options{QueryTextLength: -5}, "query text length -5"},
		{Options{Sample: -time.Second}, "sample -1s"},
		{Options{Sample: 2 * time.Hour}, "sample 2h0m0s"},
		{Options{StatementTimeout: time.Microsecond}, "statement timeout 1µs"},
		{Options{Tables: []string{"ok", "a.b.c"}}, `tables[1] "a.b.c"`},
	}
	for _, tc := range bad {
		if _, _, err := tc.o.normalised(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error = %v, want %q", tc.o, err, tc.want)
		}
	}
}

func TestRates(t *testing.T) {
	if got := rate(100, 400, 3); got != 100 {
		t.Errorf("rate = %v, want 100", got)
	}
	for _, got := range []float64{rate(400, 100, 3), rate(0, 1, 0), rateF(2, 1, 1), ratio(1, 0), ratio(math.NaN(), 1)} {
		if !math.IsNaN(got) {
			t.Errorf("want NaN, got %v", got)
		}
	}
	var d Database
	d.XactCommit, d.XactRollback, d.BlksRead, d.BlksHit, d.TempBytes = 1100, 20, 50, 950, 4096
	setDatabaseRates(&d, Database{XactCommit: 100, BlksRead: 10, BlksHit: 150}, 10, RateBasisSample)
	if d.CommitsPerSecond != 100 || d.RollbacksPerSecond != 2 || d.TransactionsPerSecond != 102 ||
		d.BlocksReadPerSecond != 4 || d.BlocksHitPerSecond != 80 || d.TempBytesPerSecond != 409.6 ||
		d.RateBasis != RateBasisSample || d.RateSeconds != 10 {
		t.Errorf("unexpected rates %+v", d)
	}
	setDatabaseRates(&d, Database{}, 0, RateBasisStatsReset)
	if d.RateBasis != RateBasisNone || !math.IsNaN(d.TransactionsPerSecond) {
		t.Errorf("zero interval must give basis none and NaN rates: %+v", d)
	}
	at := time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC)
	if got := sinceSeconds(at.Add(-10*time.Second), at); got != 10 {
		t.Errorf("sinceSeconds = %v", got)
	}
	if sinceSeconds(time.Time{}, at) != 0 || sinceSeconds(at.Add(time.Second), at) != 0 {
		t.Error("sinceSeconds of zero or future time must be 0")
	}
}

// TestRatesFromSample checks the statement and database rate arithmetic of a
// sample on hand-made snapshots.
func TestRatesFromSample(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k1 := pgssKey{userid: 10, dbid: 5, queryid: 1, toplevel: true}
	k2 := pgssKey{userid: 10, dbid: 5, queryid: 2, toplevel: true}
	kNew := pgssKey{userid: 10, dbid: 5, queryid: 3, toplevel: true}
	first := &snapshot{at: t0,
		databases: []Database{{Name: "app", XactCommit: 1000, BlksHit: 90, BlksRead: 10}},
		pgss:      map[pgssKey]pgssCounter{k1: {calls: 100, totalMs: 50}, k2: {calls: 500, totalMs: 10}}, pgssCount: 2}
	second := &snapshot{at: t0.Add(4 * time.Second),
		databases: []Database{{Name: "app", XactCommit: 1400, BlksHit: 190, BlksRead: 10}, {Name: "new", XactCommit: 8}},
		pgss: map[pgssKey]pgssCounter{k1: {calls: 300, totalMs: 150}, k2: {calls: 100, totalMs: 2}, // k2 was reset
			kNew: {calls: 40, totalMs: 8}}, pgssCount: 3}
	st := &Stats{Databases: second.databases, Statements: Statements{Available: true,
		Top: []Statement{{Calls: 300, TotalTimeMs: 150}, {Calls: 40, TotalTimeMs: 8}, {Calls: 100, TotalTimeMs: 2}}}}
	c := &collector{st: st, topKeys: []pgssKey{k1, kNew, k2}}
	c.ratesFromSample(first, second)

	if st.SampleSeconds != 4 || st.RateBasis != RateBasisSample {
		t.Fatalf("sample %v basis %q", st.SampleSeconds, st.RateBasis)
	}
	app := st.Databases[0]
	if app.CommitsPerSecond != 100 || app.IntervalCacheHitRatio != 1 || app.RateSeconds != 4 {
		t.Errorf("app rates %+v", app)
	}
	if st.Databases[1].CommitsPerSecond != 2 {
		t.Errorf("a database created during the sample counts from zero: %+v", st.Databases[1])
	}
	s := st.Statements
	// calls: k1 +200, kNew +40 (new), k2 reset so counted from zero +100 = 340
	// over 4 s; time: 100 + 8 + 2 = 110 ms.
	if s.CallsPerSecond != 85 || s.TimeMsPerSecond != 27.5 || s.Count != 3 || s.TotalCalls != 440 || s.TotalTimeMs != 160 {
		t.Errorf("statement aggregates %+v", s)
	}
	if s.Top[0].CallsPerSecond != 50 || s.Top[0].TimeMsPerSecond != 25 || s.Top[0].ShareOfTotalTime != 100.0/110 {
		t.Errorf("top[0] %+v", s.Top[0])
	}
	if s.Top[1].CallsPerSecond != 10 {
		t.Errorf("new entry counts from zero: %+v", s.Top[1])
	}
	if s.Top[2].CallsPerSecond != 25 {
		t.Errorf("a reset entry counts from zero: %+v", s.Top[2])
	}
	keys := topByDelta(first.pgss, second.pgss, 2)
	if len(keys) != 2 || keys[0] != k1 || keys[1] != kNew {
		t.Errorf("topByDelta = %+v, want k1 (100 ms) then kNew (8 ms)", keys)
	}
	if got := topByDelta(second.pgss, second.pgss, 5); len(got) != 0 {
		t.Errorf("nothing ran: topByDelta = %+v", got)
	}
}

// TestVersionedSQL checks the choices made per server and extension version
// (the harness runs one server version; TestCollect_pgssVersions runs the
// extension versions for real).
func TestVersionedSQL(t *testing.T) {
	for v, want := range map[int]string{120000: "pg_stat_bgwriter", 160004: "pg_stat_bgwriter", 170000: "pg_stat_checkpointer", 170002: "pg_stat_checkpointer"} {
		if got := checkpointsQuery(v); !strings.Contains(got, want) {
			t.Errorf("checkpointsQuery(%d) = %q, want %s", v, got, want)
		}
	}
	cases := []struct {
		major, minor          int
		total, mean, toplevel string
	}{
		{1, 7, "total_time", "mean_time", "true"},
		{1, 8, "total_exec_time", "mean_exec_time", "true"},
		{1, 9, "total_exec_time", "mean_exec_time", "s.toplevel"},
		{1, 11, "total_exec_time", "mean_exec_time", "s.toplevel"},
		{2, 0, "total_exec_time", "mean_exec_time", "s.toplevel"},
	}
	for _, tc := range cases {
		p := &pgssInfo{schema: "my schema", major: tc.major, minor: tc.minor}
		if p.totalCol() != tc.total || p.meanCol() != tc.mean || p.toplevelCol() != tc.toplevel {
			t.Errorf("%d.%d: %s %s %s", tc.major, tc.minor, p.totalCol(), p.meanCol(), p.toplevelCol())
		}
		if got := p.fn(false); got != `"my schema"."pg_stat_statements"(false)` {
			t.Errorf("fn = %s", got)
		}
	}
}

// TestEstimatedRows checks when the row estimate falls back to the live
// tuples: a never vacuumed or analysed table has reltuples -1 from PostgreSQL
// 14, and reltuples 0 with relpages 0 before (the harness runs one version).
func TestEstimatedRows(t *testing.T) {
	for _, tc := range []struct {
		version   int
		reltuples float64
		relpages  int64
		live      int64
		want      float64
	}{
		{150008, -1, 0, 42, 42},          // 14+: never analysed
		{140000, -1, 0, 42, 42},          // 14+: never analysed
		{150008, 0, 0, 42, 0},            // 14+: analysed while empty
		{150008, 1000, 10, 42, 1000},     // 14+: analysed
		{130015, 0, 0, 42, 42},           // before 14: never analysed
		{120000, 0, 0, 42, 42},           // before 14: never analysed
		{130015, 0, 0, 0, 0},             // before 14: empty (analysed or not)
		{130015, 0, 3, 42, 0},            // before 14: analysed, pages but no rows counted
		{130015, 1000, 10, 42, 1000},     // before 14: analysed
		{120000, 2.5e6, 31250, 0, 2.5e6}, // before 14: analysed, statistics reset
	} {
		if got := estimatedRows(tc.version, tc.reltuples, tc.relpages, tc.live); got != tc.want {
			t.Errorf("estimatedRows(%d, reltuples %v, relpages %d, live %d) = %v, want %v",
				tc.version, tc.reltuples, tc.relpages, tc.live, got, tc.want)
		}
	}
}

// TestSampleTimeoutStatements checks the transaction limits a sample lifts per
// server version: transaction_timeout only from PostgreSQL 17 (older servers
// reject the unknown parameter; the harness runs the statements on its own
// version in every sampled collection).
func TestSampleTimeoutStatements(t *testing.T) {
	for _, tc := range []struct {
		version int
		want    []string
	}{
		{120000, []string{"idle_in_transaction_session_timeout"}},
		{160004, []string{"idle_in_transaction_session_timeout"}},
		{170000, []string{"idle_in_transaction_session_timeout", "transaction_timeout"}},
		{180001, []string{"idle_in_transaction_session_timeout", "transaction_timeout"}},
	} {
		stmts := sampleTimeoutStatements(tc.version, 90*time.Second)
		if len(stmts) != len(tc.want) {
			t.Fatalf("%d: %d statements, want %d: %+v", tc.version, len(stmts), len(tc.want), stmts)
		}
		for i, s := range stmts {
			if !strings.HasPrefix(s.sql, "SELECT "+queryTag) || !strings.Contains(s.sql, "set_config('"+tc.want[i]+"', ") || !strings.Contains(s.sql, ", true)") {
				t.Errorf("%d: statement %d is not a transaction-local set_config of %s: %s", tc.version, i, tc.want[i], s.sql)
			}
			if !strings.Contains(s.what, tc.want[i]) {
				t.Errorf("%d: statement %d is described as %q", tc.version, i, s.what)
			}
		}
		idle := stmts[0]
		if len(idle.args) != 2 || idle.args[0] != "150000" || idle.args[1] != int64(150000) {
			t.Errorf("%d: idle_in_transaction_session_timeout arguments %v, want the sample plus a minute in ms", tc.version, idle.args)
		}
		if len(stmts) == 2 && (!strings.Contains(stmts[1].sql, "set_config('transaction_timeout', '0', true)") || len(stmts[1].args) != 0) {
			t.Errorf("%d: transaction_timeout is not turned off: %s %v", tc.version, stmts[1].sql, stmts[1].args)
		}
	}
}

// TestPluralListSome: the locked-index warning's count and list (at most n names, then how many more).
func TestPluralListSome(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{plural(1, "index is", "indexes are"), "1 index is"},
		{plural(3, "index is", "indexes are"), "3 indexes are"},
		{listSome([]string{"a", "b"}, 2), "a, b"},
		{listSome([]string{"a", "b", "c", "d"}, 2), "a, b and 2 more"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestBusiestDatabases: with a limit, the connected database and the busiest others by transactions
// (since the counters were reset, or since a sample's first snapshot), in their given order.
func TestBusiestDatabases(t *testing.T) {
	db := func(name string, commits, rollbacks int64) Database {
		return Database{Name: name, XactCommit: commits, XactRollback: rollbacks}
	}
	names := func(dbs []Database) string {
		var s []string
		for _, d := range dbs {
			s = append(s, d.Name)
		}
		return strings.Join(s, ",")
	}
	all := []Database{db("a", 5, 0), db("b", 100, 0), db("c", 1, 1), db("d", 50, 60), db("e", 100, 0), db("postgres", 0, 0)}
	for _, tc := range []struct {
		name      string
		prev      []Database
		n         int
		connected string
		want      string
	}{
		{"no limit", nil, 0, "postgres", "a,b,c,d,e,postgres"},
		{"limit above the count", nil, 6, "postgres", "a,b,c,d,e,postgres"},
		{"connected and the busiest, by name on ties", nil, 3, "postgres", "b,d,postgres"},
		{"connected first", nil, 1, "c", "c"},
		{"connected among the busiest", nil, 2, "d", "b,d"},
		// During a sample: d ran 10, a 5, e 1; b's counters went backwards (reset: 100 since); c is new (2).
		{"sample", []Database{db("a", 0, 0), db("b", 200, 0), db("d", 100, 0), db("e", 99, 0)}, 3, "postgres", "b,d,postgres"},
		{"sample without the reset one", []Database{db("a", 0, 0), db("b", 100, 0), db("d", 100, 0), db("e", 99, 0)}, 3, "postgres", "a,d,postgres"},
	} {
		in := append([]Database(nil), all...)
		if got := names(busiestDatabases(in, tc.prev, tc.n, tc.connected)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
		if names(in) != names(all) {
			t.Errorf("%s: the input was reordered: %s", tc.name, names(in))
		}
	}
}

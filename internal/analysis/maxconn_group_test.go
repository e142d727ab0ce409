package analysis

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The parameter group's own max_connections (PostgresFacts.MaxConnectionsFormula) is what the
// single node keeps: a formula is evaluated on the target class, a number kept as it is (even one
// that looks like RDS's default), and either is today's limit when the server's is not known.
func TestMaxConnectionsFormula(t *testing.T) {
	run := func(conns float64, pg *PostgresFacts) Recommendation {
		t.Helper()
		in := xlargeWithConnections(conns, []Candidate{{Class: classR6gXLarge, SingleNodeHourlyUSD: 0.48}, {Class: classR6gLarge, SingleNodeHourlyUSD: 0.24}})
		in.Postgres = pg
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	risk := func(rec Recommendation, text string) *Risk {
		for i, r := range rec.Risks {
			if strings.Contains(r.Description, text) {
				return &rec.Risks[i]
			}
		}
		return nil
	}
	// {DBInstanceClassMemory/20000000} gives the xlarge (32 GiB) 1717 and the large (16 GiB) 858: a
	// peak of 600 needs 720 with headroom, above 80% of 858.
	formula := "{DBInstanceClassMemory/20000000}"
	rec := run(600, &PostgresFacts{MaxConnectionsFormula: formula})
	r := risk(rec, "parameter group's max_connections")
	if rec.RecommendedClass != "db.r6g.large" || r == nil || r.Severity != "high" || r.Category != "capacity" ||
		!strings.Contains(r.Description, "("+formula+") gives 858, not 1717 as on db.r6g.xlarge") {
		t.Fatalf("formula, 600 connections (class %s): risk %+v", rec.RecommendedClass, r)
	}
	if d := risk(rec, "default max_connections"); d != nil {
		t.Errorf("formula: the default's risk too: %+v", d)
	}
	if got := rec.Parameters["max_connections"]; got != "903" { // 600 × 1.2 / 0.8 = 900, + 3 reserved
		t.Errorf("formula: max_connections %q, want 903 (raised above the 858 it gives db.r6g.large)", got)
	}
	// 300 connections fit the 858 it gives the large: no risk, and the kept 858 (below the
	// large's default, 1802) is not recommended.
	rec = run(300, &PostgresFacts{MaxConnectionsFormula: formula})
	if r := risk(rec, "max_connections ("); r != nil || rec.Parameters["max_connections"] != "" {
		t.Errorf("formula, 300 connections: risk %+v, max_connections %q", r, rec.Parameters["max_connections"])
	}
	// Without the server's value the formula is today's limit: 1600 connections exceed 80% of 1717.
	rec = run(1600, &PostgresFacts{MaxConnectionsFormula: formula})
	if r := risk(rec, "exceed 80% of max_connections 1717"); r == nil {
		t.Errorf("formula as today's limit: risks %+v", rec.Risks)
	}
	if u := rec.Projected[3]; u.Metric != "connections" || u.Limit != 0.8*1717 {
		t.Errorf("projected connections' limit %+v, want 80%% of 1717", u)
	}
	if !slices.ContainsFunc(rec.Reasons, func(r Reason) bool {
		return r.Check == "connections_peak_with_headroom" && !r.Passed && strings.Contains(r.Message, "of max_connections 1717")
	}) || rec.Verdict != VerdictKeep {
		t.Errorf("formula as today's limit: verdict %s, reasons %+v", rec.Verdict, rec.Reasons)
	}
	// The server's value, where given, is today's limit; the formula still says what is kept.
	rec = run(600, &PostgresFacts{MaxConnections: 2000, MaxConnectionsFormula: formula})
	if u := rec.Projected[3]; u.Limit != 0.8*2000 || risk(rec, "gives 858") == nil {
		t.Errorf("server's 2000 and formula: limit %v, risks %+v", u.Limit, rec.Risks)
	}
	// A number is kept on the smaller class even where it looks like the xlarge's default (at most
	// 3605): 1300 connections need 1950 with headroom, which 3600 holds.
	rec = run(1300, &PostgresFacts{MaxConnectionsFormula: "3600"})
	if rec.RecommendedClass != "db.r6g.large" || risk(rec, "max_connections (") != nil || risk(rec, "default max_connections") != nil ||
		rec.Parameters["max_connections"] != "3600" {
		t.Errorf("3600 in the group (class %s): max_connections %q, risks %+v", rec.RecommendedClass, rec.Parameters["max_connections"], rec.Risks)
	}
	// The same value read from the server only looks like the default, which the large would not keep.
	rec = run(1300, &PostgresFacts{MaxConnections: 3600})
	if r := risk(rec, "default max_connections"); r == nil || r.Severity != "high" {
		t.Errorf("3600 from the server: risks %+v, want the default's high risk", rec.Risks)
	}
}

// On the writer's own class the single node keeps what the server runs: the formula, evaluated on
// the class's nominal memory, would overstate it (and a raise would be invented). A formula giving
// another class less than 1 is a high risk; one beyond what PostgreSQL takes is capped.
func TestMaxConnectionsFormula_edges(t *testing.T) {
	xlarge := []Candidate{{Class: classR6gXLarge, SingleNodeHourlyUSD: 0.48}}
	both := append(slices.Clone(xlarge), Candidate{Class: classR6gLarge, SingleNodeHourlyUSD: 0.24})
	run := func(cands []Candidate, pg *PostgresFacts) Recommendation {
		t.Helper()
		in := xlargeWithConnections(300, cands)
		in.Postgres = pg
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	// {DBInstanceClassMemory/8000000} gives the xlarge 4294 on its nominal memory; the server runs 4000.
	rec := run(xlarge, &PostgresFacts{MaxConnections: 4000, MaxConnectionsFormula: "{DBInstanceClassMemory/8000000}"})
	if got := rec.Parameters["max_connections"]; rec.RecommendedClass != "db.r6g.xlarge" || got != "4000" {
		t.Errorf("same class: max_connections %q on %s, want the server's 4000 kept", got, rec.RecommendedClass)
	}
	// SUM({DBInstanceClassMemory/9531392},-2000): 1605 on the xlarge, less than 1 on the large.
	rec = run(both, &PostgresFacts{MaxConnectionsFormula: "SUM({DBInstanceClassMemory/9531392},-2000)"})
	var found bool
	for _, r := range rec.Risks {
		found = found || r.Severity == "high" && strings.Contains(r.Description, "On db.r6g.large, the parameter group's max_connections (SUM({DBInstanceClassMemory/9531392},-2000)) gives less than 1")
	}
	if rec.RecommendedClass != "db.r6g.large" || !found || rec.Parameters["max_connections"] != "1802" { // RDS's default on the large
		t.Errorf("less than 1 on %s: max_connections %q, risks %+v", rec.RecommendedClass, rec.Parameters["max_connections"], rec.Risks)
	}
	// A value beyond PostgreSQL's limit on backends is kept at most at what it takes beside the
	// xlarge's 8 worker processes and the other backends.
	rec = run(xlarge, &PostgresFacts{MaxConnectionsFormula: "100000000"})
	if got, want := rec.Parameters["max_connections"], fmt.Sprint(pgMaxBackends-8-otherBackends); got != want {
		t.Errorf("huge: max_connections %q, want %s", got, want)
	}
}

func TestMaxConnectionsFormula_invalid(t *testing.T) {
	in := idleMultiAZ(14)
	in.Postgres = &PostgresFacts{MaxConnectionsFormula: "{AllocatedStorage/4}"}
	if _, err := Analyze(in, Policy{}); err == nil || !strings.Contains(err.Error(), "{AllocatedStorage/4}") {
		t.Errorf("unevaluable formula: %v", err)
	}
}

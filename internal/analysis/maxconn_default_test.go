package analysis

import (
	"math"
	"strings"
	"testing"
	"time"
)

// A downsize to a class whose default max_connections (RDS's LEAST({DBInstanceClassMemory/9531392},
// 5000)) cannot hold the projected peak is a high risk naming the limit when today's setting looks
// like the default, a medium one when it is not known, and none when it is set to another value
// (kept on the smaller class); keeping the class, or a peak the smaller class holds, is none.
func TestDefaultMaxConnectionsRisk(t *testing.T) {
	maxConns := 3604 // db.r6g.xlarge's default is at most 3605
	run := func(conns float64, cands []Candidate) Recommendation {
		in := xlargeWithConnections(conns, cands)
		if maxConns > 0 {
			in.Postgres = &PostgresFacts{MaxConnections: maxConns}
		}
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	both := []Candidate{{Class: classR6gXLarge, SingleNodeHourlyUSD: 0.48}, {Class: classR6gLarge, SingleNodeHourlyUSD: 0.24}}
	find := func(rec Recommendation) *Risk {
		for i, r := range rec.Risks {
			if strings.Contains(r.Description, "default max_connections") {
				return &rec.Risks[i]
			}
		}
		return nil
	}
	rec := run(1300, both)
	r := find(rec)
	if rec.RecommendedClass != "db.r6g.large" || r == nil || r.Severity != "high" ||
		!strings.Contains(r.Description, "On db.r6g.large") || !strings.Contains(r.Description, "at most 1802") ||
		!strings.Contains(r.Description, "peak of 1300 connections") {
		t.Errorf("1300 connections on db.r6g.large (class %s): risk %+v", rec.RecommendedClass, r)
	}
	if rec := run(500, both); find(rec) != nil { // 600 with headroom, under 80% of 1802
		t.Errorf("500 connections: unexpected risk %+v", find(rec))
	}
	if rec := run(1300, both[:1]); rec.RecommendedClass != "db.r6g.xlarge" || find(rec) != nil { // no class change
		t.Errorf("same class %s: unexpected risk %+v", rec.RecommendedClass, find(rec))
	}
	maxConns = 5000 // above the xlarge's default: set in the parameter group, kept on the large
	if rec := run(1300, both); find(rec) != nil {
		t.Errorf("explicit max_connections 5000: unexpected risk %+v", find(rec))
	}
	maxConns = 0 // not known
	if r := find(run(1300, both)); r == nil || r.Severity != "medium" {
		t.Errorf("max_connections not known: risk %+v, want a medium one", r)
	}
}

// xlargeWithConnections is an idle Multi-AZ db.r6g.xlarge (8 ± 6% CPU, 8 GiB in use, 100 IOPS)
// with a flat conns connections for 14 days at 5-minute periods, priced at $0.96 an hour, with
// candidates cands.
func xlargeWithConnections(conns float64, cands []Candidate) ClusterInput {
	l := load{
		MetricCPU:            func(tt time.Time, _ int) float64 { return 8 + 6*math.Sin(2*math.Pi*float64(tt.Hour())/24) },
		MetricFreeableMemory: func(time.Time, int) float64 { return 24 * gib },
		MetricReadIOPS:       func(time.Time, int) float64 { return 50 },
		MetricWriteIOPS:      func(time.Time, int) float64 { return 50 },
		MetricConnections:    func(time.Time, int) float64 { return conns },
	}
	return ClusterInput{Name: "db", Topology: TopologyMultiAZ, Nodes: []Node{
		{ID: "db", Role: RoleWriter, Class: classR6gXLarge, Series: seriesOf(l, 14, 5*time.Minute)},
		{ID: "db-standby", Role: RoleStandby, Class: classR6gXLarge},
	}, CurrentHourlyUSD: 0.96, Candidates: cands}
}

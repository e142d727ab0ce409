package analysis

import (
	"strings"
	"testing"
	"time"
)

// TestCacheHitRatioRiskSaysCumulative: PostgreSQL's cache hit ratio is cumulative since the
// statistics were reset (bulk loads, dumps and vacuums included), not the current load's: the
// risk says so, with the date when known, rather than presenting it as today's ratio.
func TestCacheHitRatioRiskSaysCumulative(t *testing.T) {
	l := load{
		MetricCPU:            func(time.Time, int) float64 { return 10 },
		MetricFreeableMemory: func(time.Time, int) float64 { return 24 * gib },
		MetricReadIOPS:       func(time.Time, int) float64 { return 50 },
		MetricWriteIOPS:      func(time.Time, int) float64 { return 50 },
		MetricConnections:    func(time.Time, int) float64 { return 20 },
	}
	risk := func(pg *PostgresFacts) string {
		t.Helper()
		rec, err := Analyze(ClusterInput{Name: "db", Topology: TopologyMultiAZ, Postgres: pg, Nodes: []Node{
			{ID: "db", Role: RoleWriter, Class: classR6gXLarge, Series: seriesOf(l, 14, 5*time.Minute)},
			{ID: "db-standby", Role: RoleStandby, Class: classR6gXLarge},
		}}, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rec.Risks {
			if strings.Contains(r.Description, "cache hit ratio") {
				return r.Description
			}
		}
		return ""
	}
	if got := risk(&PostgresFacts{CacheHitRatio: 0.878, CountersSince: time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)}); !strings.Contains(got, "87.8% (below 99%) cumulative since 2026-10-01") {
		t.Errorf("risk %q, want the ratio said cumulative since 2026-10-01", got)
	}
	if got := risk(&PostgresFacts{CacheHitRatio: 0.878}); !strings.Contains(got, "cumulative since the statistics were last reset") {
		t.Errorf("risk %q, want the ratio said cumulative since the last reset", got)
	}
	if got := risk(&PostgresFacts{CacheHitRatio: 0.995}); got != "" {
		t.Errorf("unexpected risk %q at 99.5%%", got)
	}
}

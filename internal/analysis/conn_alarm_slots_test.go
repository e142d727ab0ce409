package analysis

import (
	"strings"
	"testing"
)

// Analyze gives the rollback alarm the reserved slots PostgreSQL reports: a flat 66 connections
// (baseline max × 1.5 = 99) on max_connections 100 caps the alarm at 90 with nothing reserved and at
// 85 (90% of 95) with RDS's 5 reserved slots.
func TestAnalyzeConnectionsAlarmLeavesOutReservedSlots(t *testing.T) {
	for _, tc := range []struct {
		reserved int
		want     float64
		of       string
	}{
		{0, 90, "capped at 90% of max_connections 100)"},
		{5, 85, "capped at 90% of the 95 of max_connections 100 that clients can take (5 reserved))"},
	} {
		in := xlargeWithConnections(66, []Candidate{{Class: classR6gXLarge, SingleNodeHourlyUSD: 0.48}})
		in.Postgres = &PostgresFacts{MaxConnections: 100, ReservedConnections: tc.reserved}
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range rec.RollbackTriggers {
			if a.MetricName != MetricConnections {
				continue
			}
			n++
			if a.Threshold != tc.want || !strings.HasSuffix(a.Description, tc.of) {
				t.Errorf("%d reserved: connections alarm > %v (%s), want > %v, %s", tc.reserved, a.Threshold, a.Description, tc.want, tc.of)
			}
		}
		if n != 1 {
			t.Errorf("%d reserved: %d connections alarms", tc.reserved, n)
		}
	}
}

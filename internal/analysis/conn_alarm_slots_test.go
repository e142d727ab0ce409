package analysis

import (
	"strings"
	"testing"
)

// Ordinary roles are refused past max_connections less the slots PostgreSQL reserves
// (TestConnectionsChecksLeaveOutReservedSlots), so the DatabaseConnections rollback alarm caps its
// threshold at 90% of the slots clients can take, not of max_connections: with RDS's defaults (5
// reserved of 100) an alarm at 90 would fire only when clients held 90 of their 95 slots. Nothing
// reserved (or not known) keeps the cap at 90% of max_connections.
func TestConnectionsAlarmCapsAtClientSlots(t *testing.T) {
	p := DefaultPolicy()
	for _, tc := range []struct {
		name               string
		max                float64 // baseline max connections
		maxConns, reserved int
		want               float64
		how                string // the description's parenthesis; "" not checked
	}{
		{"nothing reserved", 80, 100, 0, 90, "baseline max 80 × 1.50 = 120, capped at 90% of max_connections 100"},
		{"RDS's defaults reserved", 80, 100, 5, 85,
			"baseline max 80 × 1.50 = 120, capped at 90% of the 95 of max_connections 100 that clients can take (5 reserved)"},
		{"90% of the slots not above the baseline", 86, 100, 5, 87,
			"baseline max 86 × 1.50 = 129; 90% of the 95 of max_connections 100 that clients can take (5 reserved) is 85, not above the baseline max, so just above that"},
		{"below the cap", 40, 100, 5, 60, "baseline max 40 × 1.50"},
		{"max_connections not known", 80, 0, 5, 120, "baseline max 80 × 1.50"},
		{"reserved slots leave clients one", 3, 5, 10, 4, ""},
	} {
		pr := projectionFor(10, 4*gib, tc.max, 300, 0.5, classR6gLarge)
		var found []AlarmSpec
		for _, a := range RollbackTriggers(TriggerInput{Instance: "db1", Class: classR6gLarge, Projection: pr,
			MaxConnections: tc.maxConns, ReservedConnections: tc.reserved}, p) {
			if a.MetricName == MetricConnections {
				found = append(found, a)
			}
		}
		if len(found) != 1 {
			t.Errorf("%s: %d connections alarms", tc.name, len(found))
			continue
		}
		a := found[0]
		if a.Threshold != tc.want || !(a.Threshold > tc.max) {
			t.Errorf("%s: threshold %v, want %v (above the baseline max %v)", tc.name, a.Threshold, tc.want, tc.max)
		}
		if tc.how != "" && !strings.HasSuffix(a.Description, " ("+tc.how+")") {
			t.Errorf("%s: description %q, want it to end (%s)", tc.name, a.Description, tc.how)
		}
	}
}

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

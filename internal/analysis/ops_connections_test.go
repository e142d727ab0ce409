package analysis

import (
	"math"
	"strconv"
	"testing"
)

// TestConnectionsAlarmAboveBaseline: the connections rollback alarm never fires on the load it was
// derived from, even where 90% of max_connections is at or below the baseline max. Its cap is 90% of
// the slots clients can take, not of max_connections: ordinary roles are refused past
// max_connections less the slots PostgreSQL reserves (TestConnectionsChecksLeaveOutReservedSlots),
// so with RDS's defaults (5 reserved of 100) an alarm at 90 would fire only when clients held 90 of
// their 95 slots. Nothing reserved (or not known) keeps the cap at 90% of max_connections.
func TestConnectionsAlarmAboveBaseline(t *testing.T) {
	p := DefaultPolicy()
	const resize = "Resize the instance (putting the standby back restores failover, not capacity) if connections exceed "
	for _, tc := range []struct {
		name               string
		max                float64
		maxConns, reserved int
		want               float64
		desc               string
	}{
		{"90% of max_connections below the baseline", 4700, 5000, 0, 4701,
			"Resize the instance (putting the standby back restores failover, not capacity) if connections exceed 4701 (baseline max 4700 × 1.50 = 7050; 90% of max_connections 5000 is 4500, not above the baseline max, so just above that)"},
		{"90% equals the baseline", 450, 500, 0, 451, ""},
		{"fractional baseline", 449.5, 500, 0, 450, ""},
		{"90% above the baseline", 4000, 5000, 0, 4500,
			"Resize the instance (putting the standby back restores failover, not capacity) if connections exceed 4500 (baseline max 4000 × 1.50 = 6000, capped at 90% of max_connections 5000)"},
		{"nothing reserved", 80, 100, 0, 90, resize + "90 (baseline max 80 × 1.50 = 120, capped at 90% of max_connections 100)"},
		{"RDS's defaults reserved", 80, 100, 5, 85,
			resize + "85 (baseline max 80 × 1.50 = 120, capped at 90% of the 95 of max_connections 100 that clients can take (5 reserved))"},
		{"90% of the slots not above the baseline", 86, 100, 5, 87,
			resize + "87 (baseline max 86 × 1.50 = 129; 90% of the 95 of max_connections 100 that clients can take (5 reserved) is 85, not above the baseline max, so just above that)"},
		{"below the cap, slots reserved", 40, 100, 5, 60, resize + "60 (baseline max 40 × 1.50)"},
		{"max_connections not known", 80, 0, 5, 120, resize + "120 (baseline max 80 × 1.50)"},
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
		if tc.desc != "" && a.Description != tc.desc {
			t.Errorf("%s: description %q, want %q", tc.name, a.Description, tc.desc)
		}
	}
}

// TestConnectionsFlatAt4700: connections flat at 4700 and no PostgreSQL facts. 5000 only caps RDS's
// default max_connections formula, so the tuned value must leave the peak its headroom, and the rollback
// alarm must sit above the baseline, not at floor(0.9 × 5000) = 4500.
func TestConnectionsFlatAt4700(t *testing.T) {
	in := withFlatConnections(idleMultiAZ(14), 4700)
	in.Postgres = nil
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	mc, err := strconv.Atoi(rec.Parameters["max_connections"])
	p := DefaultPolicy()
	if need := 4700 * (1 + p.HeadroomPercent/100) * 100 / p.ConnectionsThresholdPercent; err != nil || float64(mc) < need {
		t.Errorf("max_connections %q, want at least %v (4700 + %v%% within %v%%)", rec.Parameters["max_connections"], need,
			p.HeadroomPercent, p.ConnectionsThresholdPercent)
	}
	n := 0
	for _, a := range rec.RollbackTriggers {
		if a.MetricName != MetricConnections {
			continue
		}
		n++
		if !(a.Threshold > 4700) || a.Threshold > math.Floor(0.9*float64(mc)) {
			t.Errorf("connections alarm > %v (%s): want above the baseline 4700 and within 90%% of max_connections %d", a.Threshold, a.Description, mc)
		}
	}
	if n != 1 {
		t.Errorf("%d connections alarms", n)
	}
}

// TestMaxConnectionsOnlyRaised: the recommendation never cuts max_connections; it raises it when the
// single node needs more than it keeps, and without PostgreSQL facts the rollback alarm stays below
// the limit the node keeps (RDS's default on its class).
func TestMaxConnectionsOnlyRaised(t *testing.T) {
	connAlarm := func(rec Recommendation) float64 {
		for _, a := range rec.RollbackTriggers {
			if a.MetricName == MetricConnections {
				return a.Threshold
			}
		}
		return math.NaN()
	}

	// 100 connections need 153 with headroom: today's 120 are raised, today's 400 kept (left out), and
	// today's 2000, above RDS's default on the class, kept (recommended, so that a new group keeps it).
	for _, tc := range []struct {
		today int
		want  string
	}{{120, "153"}, {152, "153"}, {153, ""}, {400, ""}, {2000, "2000"}} { // 2000: above RDS's default 901, which a new group would have
		in := withFlatConnections(idleMultiAZ(14), 100)
		in.Postgres = &PostgresFacts{MaxConnections: tc.today, PeakConnections: 90}
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.Parameters["max_connections"]; got != tc.want {
			t.Errorf("max_connections %d today: recommended %q, want %q", tc.today, got, tc.want)
		}
	}

	// No PostgreSQL facts, 580 connections on db.m6g.large: they need 873, which RDS's default on
	// 8 GiB of class memory (8 GiB / 9531392 = 901) would hold, but RDS divides DBInstanceClassMemory,
	// less than the class's memory (the default can be as low as 60% of 901), so 901 is recommended,
	// not left to the default; the alarm (580 × 1.5 = 870) is capped at 90% of those 901, 810, so
	// that it fires before connections are refused.
	in := withFlatConnections(idleMultiAZ(14), 580)
	in.Postgres = nil
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if v := rec.Parameters["max_connections"]; v != "901" {
		t.Errorf("max_connections %q recommended, want 901 (RDS's default on the class's memory, above the 873 needed)", v)
	}
	if got := connAlarm(rec); got != 810 {
		t.Errorf("connections alarm at %v, want 810 (90%% of RDS's default 901 on db.m6g.large)", got)
	}
}

// TestIOPSAlarmAboveBaseline: an IOPS alarm capped at a baseline IOPS the load already exceeds (a
// small volume) stays above the baseline p99, so that it does not fire on the load it was derived
// from; below the cap it is p99 × factor.
func TestIOPSAlarmAboveBaseline(t *testing.T) {
	c := classR6gLarge
	c.BaselineIOPS, c.BaselineIOPSBy = 300, "its 100 GiB gp3 volume"
	pr := projectionFor(10, 4*gib, 50, 300, 0.5, c)
	alarms := RollbackTriggers(TriggerInput{Instance: "db1", Class: c, Projection: pr, ReadIOPSP99: 150, WriteIOPSP99: 332.4}, DefaultPolicy())
	got := map[string]AlarmSpec{}
	for _, a := range alarms {
		got[a.MetricName] = a
	}
	if a := got[MetricWriteIOPS]; a.Threshold != 333 ||
		a.Description != "Resize the instance (putting the standby back restores failover, not capacity) if WriteIOPS stays above 333 (baseline p99 332 × 1.50, at most 90% of the 300 baseline IOPS of db.r6g.large (its 100 GiB gp3 volume), not above the baseline p99, so just above that)" {
		t.Errorf("WriteIOPS alarm %v: %q", a.Threshold, a.Description)
	}
	if a := got[MetricReadIOPS]; a.Threshold != 225 {
		t.Errorf("ReadIOPS alarm %v, want 150 × 1.5 = 225: %q", a.Threshold, a.Description)
	}
}

// TestIOPSAlarmInfiniteBaseline: an infinite IOPS p99 is no baseline: no alarm, rather than one at
// +Inf (floor(+Inf) + 1 above a cap).
func TestIOPSAlarmInfiniteBaseline(t *testing.T) {
	c := classR6gLarge
	pr := projectionFor(10, 4*gib, 50, 300, 0.5, c)
	for _, a := range RollbackTriggers(TriggerInput{Instance: "db1", Class: c, Projection: pr, ReadIOPSP99: 150, WriteIOPSP99: math.Inf(1)}, DefaultPolicy()) {
		if a.MetricName == MetricWriteIOPS || math.IsInf(a.Threshold, 0) || a.Threshold != a.Threshold {
			t.Errorf("alarm %s at %v from an infinite WriteIOPS p99", a.MetricName, a.Threshold)
		}
	}
}

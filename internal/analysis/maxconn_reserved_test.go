package analysis

import (
	"strconv"
	"strings"
	"testing"
)

// Clients' ordinary roles cannot take the slots of max_connections PostgreSQL reserves
// (superuser_reserved_connections, reserved_connections on 16+, RDS's
// rds.rds_superuser_reserved_connections): past max_connections less those, a connection is refused
// with "remaining connection slots are reserved". A peak of 66 connections with 20% headroom
// (79.2) is 79.2% of max_connections 100, within the 80% threshold, but 83.4% of the 95 slots
// RDS's defaults (3 + 2) leave to clients: the connections check fails, the risk says so, and the
// tuned max_connections leaves clients room for the peak with headroom.
func TestConnectionsChecksLeaveOutReservedSlots(t *testing.T) {
	run := func(reserved int) Recommendation {
		t.Helper()
		in := xlargeWithConnections(66, []Candidate{{Class: classR6gXLarge, SingleNodeHourlyUSD: 0.48}})
		in.Postgres = &PostgresFacts{MaxConnections: 100, ReservedConnections: reserved}
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	check := func(rec Recommendation) Reason {
		t.Helper()
		for _, r := range rec.Reasons {
			if r.Check == "connections_peak_with_headroom" {
				return r
			}
		}
		t.Fatalf("no connections check in %+v", rec.Reasons)
		return Reason{}
	}
	risk := func(rec Recommendation) string {
		for _, r := range rec.Risks {
			if r.Category == "connections" {
				return r.Description
			}
		}
		return ""
	}
	if rec := run(0); !check(rec).Passed || risk(rec) != "" { // reserved slots not known: max_connections as before
		t.Errorf("no reserved slots known: check %+v, risk %q; want it passed at 79.2%% of 100, no risk", check(rec), risk(rec))
	}
	rec := run(5)
	c := check(rec)
	if c.Passed || c.Value != 83.37 || !strings.Contains(c.Message, "95 of max_connections 100 that clients can take") {
		t.Errorf("5 reserved slots: check %+v, want it failed at 83.37%% of the 95 slots clients can take", c)
	}
	if rec.Verdict == VerdictConsolidate {
		t.Errorf("verdict %s with the connections check failed", rec.Verdict)
	}
	if r := risk(rec); !strings.Contains(r, "95 of max_connections 100") {
		t.Errorf("risk %q, want the peak compared with the 95 slots clients can take", r)
	}
	// The tuned max_connections holds the peak with headroom in what it leaves clients.
	mc, err := strconv.Atoi(rec.Parameters["max_connections"])
	if err != nil || float64(mc-5)*0.8 < 66*1.2 {
		t.Errorf("tuned max_connections %q (%v): less its 5 reserved slots it does not hold 79.2 connections within 80%%", rec.Parameters["max_connections"], err)
	}
}

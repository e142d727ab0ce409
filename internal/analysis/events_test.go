package analysis

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestIncidents(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 20, h, m, 0, 0, time.UTC) }
	ev := func(h, m int, msg string) Event {
		return Event{Source: "db", Time: at(h, m), Message: msg, Category: "failover"}
	}
	for _, tc := range []struct {
		name string
		in   []Event
		want [][]string
	}{
		{"none", nil, nil},
		{"one", []Event{ev(3, 0, "a")}, [][]string{{"a"}}},
		// 29 minutes apart: one incident; 30 minutes: two.
		{"gaps", []Event{ev(3, 0, "a"), ev(3, 29, "b"), ev(3, 59, "c")}, [][]string{{"a", "b"}, {"c"}}},
		{"unsorted", []Event{ev(5, 0, "c"), ev(3, 0, "a"), ev(3, 5, "b")}, [][]string{{"a", "b"}, {"c"}}},
		{"same time keeps input order", []Event{ev(3, 0, "x"), ev(3, 0, "y")}, [][]string{{"x", "y"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := slices.Clone(tc.in)
			got := Incidents(tc.in)
			var msgs [][]string
			for _, inc := range got {
				var m []string
				for _, e := range inc {
					m = append(m, e.Message)
				}
				msgs = append(msgs, m)
			}
			if !slices.EqualFunc(msgs, tc.want, slices.Equal[[]string]) {
				t.Errorf("incidents %v, want %v", msgs, tc.want)
			}
			if !slices.Equal(before, tc.in) {
				t.Error("the events were modified")
			}
		})
	}
}

// Recent failovers and failures are a redundancy risk, counted by incident, naming the latest;
// bad events are refused; none, no risk.
func TestAnalyzeEvents(t *testing.T) {
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
	in := idleMultiAZ(14)
	in.Events = []Event{
		{Source: "sso-prod", Time: at(20, 3, 5), Message: "Multi-AZ instance failover completed.", Category: "failover"},
		{Source: "sso-prod", Time: at(20, 3, 0), Message: "Multi-AZ instance failover started.", Category: "failover"},
		{Source: "sso-prod", Time: at(10, 14, 0), Message: "The DB instance has failed.", Category: "failure"},
		{Source: "sso-prod", Time: at(10, 14, 2), Message: "Multi-AZ instance failover started.", Category: "failover"},
	}
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	want := "1 failover and 1 incident with an instance failure in the RDS events of the last 14 days (the latest: " +
		"2026-11-20 03:00 sso-prod: Multi-AZ instance failover started.; 2026-11-20 03:05 sso-prod: Multi-AZ instance failover completed. UTC): each time the standby was there"
	if got := riskWith(rec.Risks, "in the RDS events of the last 14 days"); got.Severity != "medium" || got.Category != "redundancy" || !strings.HasPrefix(got.Description, want) {
		t.Errorf("event risk %+v, want one starting %q", got, want)
	}

	au := auroraPair(14)
	au.Events = []Event{
		{Source: "mandible-prod", Time: at(21, 9, 0), Message: "Started cross AZ failover to DB instance: mandible-prod-2", Category: "failover"},
		{Source: "mandible-prod", Time: at(22, 9, 0), Message: "Started cross AZ failover to DB instance: mandible-prod-1", Category: "failover"},
	}
	rec, err = Analyze(au, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if got := riskWith(rec.Risks, "in the RDS events of the last 14 days"); !strings.HasPrefix(got.Description, "2 failovers in the RDS events") ||
		!strings.Contains(got.Description, "each time the reader was there") || !strings.Contains(got.Description, "2026-11-22 09:00 mandible-prod: Started cross AZ failover to DB instance: mandible-prod-1 UTC") {
		t.Errorf("Aurora event risk %+v", got)
	}

	rec, err = Analyze(idleMultiAZ(14), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if got := riskWith(rec.Risks, "in the RDS events of the last 14 days"); got.Description != "" {
		t.Errorf("no events, risk %+v", got)
	}

	for _, e := range []Event{
		{Time: at(20, 3, 0), Category: "failover", Message: "no source"},
		{Source: "sso-prod", Category: "failover", Message: "no time"},
		{Source: "sso-prod", Time: at(20, 3, 0), Category: "availability", Message: "other category"},
	} {
		bad := idleMultiAZ(14)
		bad.Events = []Event{e}
		if _, err := Analyze(bad, Policy{}); err == nil || !strings.Contains(err.Error(), `cluster "sso-prod": event "`+e.Message+`"`) {
			t.Errorf("event %+v: err = %v", e, err)
		}
	}
}

// riskWith is the first risk whose description contains s (zero when none).
func riskWith(rs []Risk, s string) Risk {
	for _, r := range rs {
		if strings.Contains(r.Description, s) {
			return r
		}
	}
	return Risk{}
}

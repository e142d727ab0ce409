package analysis

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Event is an RDS event that shows the deployment's second node at work (rds:DescribeEvents): a
// failover, or a failure of one of its instances. A 2-node deployment rides through such an
// incident on its standby or reader in about a minute; on one node it is downtime until the
// instance restarts or, after a host failure, is replaced.
type Event struct {
	Source   string    // the DB instance or cluster identifier
	Time     time.Time // when RDS recorded it
	Message  string    // RDS's message
	Category string    // "failover" or "failure"
}

// incidentGap separates incidents: events closer together than this are one incident (a failover
// is recorded as several events: started, completed, DNS propagated).
const incidentGap = 30 * time.Minute

// Incidents groups events (any order; not modified) into incidents: runs of events, in time order,
// each less than 30 minutes after the previous one. It returns each incident's events, oldest
// incident first.
func Incidents(events []Event) [][]Event {
	es := slices.Clone(events)
	slices.SortStableFunc(es, func(a, b Event) int { return a.Time.Compare(b.Time) })
	var out [][]Event
	for i, e := range es {
		if i == 0 || e.Time.Sub(es[i-1].Time) >= incidentGap {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], e)
	}
	return out
}

func (e Event) validate() error {
	if e.Source == "" || e.Time.IsZero() || (e.Category != "failover" && e.Category != "failure") {
		return errorf("event %q: its source and time must be set, and its category failover or failure (got %q)", e.Message, e.Category)
	}
	return nil
}

// eventRisk is the redundancy risk of the deployment's recent failovers and failures: the second
// node was needed, and the single node would not have one.
func eventRisk(in ClusterInput) (Risk, bool) {
	inc := Incidents(in.Events)
	if len(inc) == 0 {
		return Risk{}, false
	}
	failovers, failures := 0, 0
	for _, es := range inc {
		if slices.ContainsFunc(es, func(e Event) bool { return e.Category == "failure" }) {
			failures++
		} else {
			failovers++
		}
	}
	var what []string
	if failovers > 0 {
		what = append(what, plural(failovers, "failover", "failovers"))
	}
	if failures > 0 {
		what = append(what, plural(failures, "incident with an instance failure", "incidents with an instance failure"))
	}
	last := inc[len(inc)-1]
	var lines []string
	for _, e := range last {
		lines = append(lines, fmt.Sprintf("%s %s: %s", e.Time.UTC().Format("2006-01-02 15:04"), e.Source, e.Message))
	}
	second := "the standby"
	if in.Topology == TopologyAurora {
		second = "the reader"
	}
	return Risk{Category: "redundancy", Severity: "medium", Description: fmt.Sprintf(
		"%s in the RDS events of the last 14 days (the latest: %s UTC): each time %s was there to take over within about a minute; on one node the database would have been down until its instance restarted or, after a host failure, was replaced. Find the cause in the event log before the change: a failover during maintenance or a test is expected, a host or AZ failure is what the second node is for",
		strings.Join(what, " and "), strings.Join(lines, "; "), second)}, true
}

// plural is "1 <one>" or "<n> <many>".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

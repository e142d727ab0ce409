package analysis

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Event is an RDS event of the failover or failure category (rds:DescribeEvents). Most show the
// deployment's second node at work (Event.Incident): a failover, or a failure of one of its
// instances. A 2-node deployment rides through such an incident on its standby or reader in about
// a minute; on one node it is downtime until the instance restarts or, after a host failure, is
// replaced. RDS also files events under those categories that show neither, such as an Enhanced
// Monitoring configuration error: they are accepted and ignored.
type Event struct {
	Source   string    // the DB instance or cluster identifier
	Time     time.Time // when RDS recorded it
	Message  string    // RDS's message
	Category string    // "failover" or "failure"
}

// incidentGap separates incidents: events closer together than this are one incident (a failover
// is recorded as several events: started, completed, DNS propagated).
const incidentGap = 30 * time.Minute

// notIncidents are the messages of the events RDS files under the failover and failure categories
// that show no node going down and no standby or reader taking over, from the tables of the Amazon
// RDS and Amazon Aurora User Guides ("Amazon RDS event categories and event messages": DB instance
// events, DB cluster events). rds:DescribeEvents returns an event's message, categories and source
// type but not its event ID, so an event is told apart by its message: it is one of these when its
// message contains one of these fragments, without regard to case. Every fragment holds a space, so
// that an identifier in a message (which has none) cannot match one. The comment above each names
// the events it stands for; an earlier wording of an event's message is kept beside its current
// one.
var notIncidents = []string{
	// failover, DB instance: RDS-EVENT-0034 "Abandoning user requested failover since a failover
	// recently occurred on the database instance." (earlier: "Amazon RDS is not attempting a
	// requested failover because a failover recently occurred on the DB instance."): no failover.
	"abandoning user requested failover",
	"not attempting a requested failover",
	// failover, DB cluster: RDS-EVENT-0069 "Cluster failover failed, check the health of your
	// cluster instances and try again.": the roles did not change.
	"failover failed",
	"failover for the db cluster has failed",
	// failure, DB instance: RDS-EVENT-0079 "Amazon RDS has been unable to create credentials for
	// enhanced monitoring and this feature has been disabled. ...", RDS-EVENT-0080 "Amazon RDS has
	// been unable to configure enhanced monitoring on your instance: <name> and this feature has
	// been disabled. ...".
	"enhanced monitoring",
	// failure, DB instance: RDS-EVENT-0081 "Amazon RDS has been unable to create credentials for
	// <name> option. ...", RDS-EVENT-0082 and, DB cluster, RDS-EVENT-0083 "Amazon RDS has been
	// unable to create credentials to access your Amazon S3 Bucket for your DB instance|cluster
	// <name>. ...".
	"unable to create credentials",
	// failure, DB instance: RDS-EVENT-0058 "The Statspack installation failed. <message>.".
	"statspack installation",
	// failure, DB instance: RDS-EVENT-0165 "The RDS Custom DB instance is outside the support
	// perimeter.", RDS-EVENT-0279 to 0285 and 0421 "RDS Custom couldn't ...", "The promotion of
	// the RDS Custom read replica failed. ...".
	"rds custom",
	// failure, DB instance: RDS-EVENT-0188 "The DB instance is in a state that can't be upgraded.
	// <message>".
	"can't be upgraded",
	"cannot be upgraded",
	// failure, DB instance, storage autoscaling: RDS-EVENT-0219 "DB instance is in an invalid
	// state. No actions are necessary. Autoscaling will retry later.", RDS-EVENT-0220 "DB instance
	// is in the cooling-off period for a previous scale storage operation. ... Autoscaling will
	// retry after the cooling-off period.", RDS-EVENT-0237 "DB instance has a storage type that's
	// currently unavailable in the Availability Zone. Autoscaling will retry later.",
	// RDS-EVENT-0223 "Storage autoscaling is unable to scale the storage for the reason: ...",
	// RDS-EVENT-0224 "Storage autoscaling has triggered a pending scale storage task that will
	// reach or exceed the maximum storage threshold. ...", RDS-EVENT-0254 "Underlying storage
	// quota for this customer account has exceeded the limit. ...".
	"autoscaling will retry",
	"storage autoscaling",
	"storage quota",
	// failure, DB instance: RDS-EVENT-0278 "The DB instance creation failed. <message>",
	// RDS-EVENT-0353 "The DB instance can't be created because of insufficient resource limits.
	// ..."; DB cluster: RDS-EVENT-0354 "You can't create the DB cluster because of incompatible
	// resources. ...", RDS-EVENT-0355 "The DB cluster can't be created because of insufficient
	// resource limits. ...".
	"creation failed",
	"can't be created",
	"can't create the db cluster",
	// failure, DB instance: RDS-EVENT-0306 "Storage configuration upgrade failed. Please retry the
	// upgrade.".
	"storage configuration upgrade",
	// failure, DB instance: RDS-EVENT-0315 "Unable to move incompatible-network database, <name>,
	// to the available status: <message>" (the failure itself is RDS-EVENT-0036, which counts).
	"unable to move incompatible-network",
	// failure, DB instance: RDS-EVENT-0328 "Failed to join a host to a domain. ...",
	// RDS-EVENT-0329 "Failed to join a host to your domain. ...", RDS-EVENT-0356 "RDS was unable
	// to configure the Kerberos endpoint in your domain. ...".
	"failed to join a host",
	"kerberos endpoint",
	// failure, DB instance: RDS-EVENT-0418 "Amazon RDS is unable to access the KMS encryption key
	// for database instance <name>. ... If this continues the database will be placed into an
	// inaccessible state. ...", RDS-EVENT-0420 "Amazon RDS can now successfully access the KMS
	// encryption key for database instance <name>." (the instance becoming inaccessible is
	// RDS-EVENT-0419, category availability); a second node would use the same key.
	"kms encryption key",
	// failure, DB cluster: RDS-EVENT-0143 "The DB cluster failed to scale from <units> to <units>
	// for this reason: <reason>." (Aurora Serverless v1), RDS-EVENT-0387 "Failed to partition DB
	// instances in DB cluster <name> for patching.".
	"failed to scale",
	"failed to partition",
	// maintenance and failure, DB instance: RDS-EVENT-0195 "The upgrade of the time zone file
	// failed." (RDS for Oracle).
	"time zone file",
}

// Incident reports whether e shows the deployment's second node at work: a failover, or a failure
// of one of its instances. Those are the events of the failover and failure categories but the
// ones RDS files under them that show neither (notIncidents): an Enhanced Monitoring or IAM role
// configuration error, storage autoscaling that could not run, a requested failover RDS did not
// attempt (RDS-EVENT-0034) or an Aurora failover that failed (RDS-EVENT-0069), and the like. An
// event of another category is not an incident. Messages compare without regard to case.
func (e Event) Incident() bool {
	if e.Category != "failover" && e.Category != "failure" {
		return false
	}
	msg := strings.ToLower(e.Message)
	return !slices.ContainsFunc(notIncidents, func(s string) bool { return strings.Contains(msg, s) })
}

// Incidents groups the events that are incidents (Event.Incident; the others are left out) of
// events (any order; not modified) into incidents: runs of events, in time order, each less than
// 30 minutes after the previous one. It returns each incident's events, oldest incident first; nil
// when none is an incident.
func Incidents(events []Event) [][]Event {
	es := slices.DeleteFunc(slices.Clone(events), func(e Event) bool { return !e.Incident() })
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

// eventRisk is the redundancy risk of the deployment's recent failovers and failures (its events
// that are incidents, Event.Incident): the second node was needed, and the single node would not
// have one. None when no event is an incident.
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
		lines = append(lines, fmt.Sprintf("%s UTC %s: %s", e.Time.UTC().Format("2006-01-02 15:04"), e.Source, e.Message))
	}
	second := "the standby"
	if in.engineTopology() == TopologyAurora {
		second = "the reader"
	}
	return Risk{Category: "redundancy", Severity: "medium", Description: fmt.Sprintf(
		"%s in the RDS events of the last 14 days (the latest: %s): each time %s was there to take over within about a minute; on one node the database would have been down until its instance restarted or, after a host failure, was replaced. Find the cause in the event log before the change: a failover during maintenance or a test is expected, a host or AZ failure is what the second node is for",
		strings.Join(what, " and "), strings.Join(lines, "; "), second)}, true
}

// plural is "1 <one>" or "<n> <many>".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

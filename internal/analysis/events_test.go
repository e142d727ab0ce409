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
		"2026-11-20 03:00 UTC sso-prod: Multi-AZ instance failover started.; 2026-11-20 03:05 UTC sso-prod: Multi-AZ instance failover completed.): each time the standby was there"
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
		!strings.Contains(got.Description, "each time the reader was there") || !strings.Contains(got.Description, "2026-11-22 09:00 UTC mandible-prod: Started cross AZ failover to DB instance: mandible-prod-1)") {
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

// The messages RDS files under the failover and failure categories, as the RDS and Aurora User
// Guides word them ("Amazon RDS event categories and event messages"), with their names filled in:
// the failovers and instance failures are incidents; the events that show no node at work are
// not, in any case; no other category is.
func TestEventIncident(t *testing.T) {
	for _, tc := range []struct {
		id, category, message string
		want                  bool
	}{
		// DB instance, failover.
		{"RDS-EVENT-0013", "failover", "Multi-AZ instance failover started.", true},
		{"RDS-EVENT-0015", "failover", "Multi-AZ failover to standby complete - DNS propagation may take a few minutes.", true},
		{"RDS-EVENT-0049", "failover", "Multi-AZ instance failover completed.", true},
		{"RDS-EVENT-0050", "failover", "Multi-AZ instance activation started.", true},
		{"RDS-EVENT-0051", "failover", "Multi-AZ instance activation completed.", true},
		{"RDS-EVENT-0065", "failover", "Recovered from partial failover.", true},
		{"RDS-EVENT-0034", "failover", "Abandoning user requested failover since a failover recently occurred on the database instance.", false},
		{"RDS-EVENT-0034 (earlier wording)", "failover", "Amazon RDS is not attempting a requested failover because a failover recently occurred on the DB instance.", false},
		// DB cluster, failover.
		{"RDS-EVENT-0070", "failover", "Promoting previous primary again: sso-prod-instance-1.", true},
		{"RDS-EVENT-0071", "failover", "Completed failover to DB instance: sso-prod-instance-2", true},
		{"RDS-EVENT-0072", "failover", "Started same AZ failover to DB instance: sso-prod-instance-2", true},
		{"RDS-EVENT-0073", "failover", "Started cross AZ failover to DB instance: sso-prod-instance-2", true},
		{"RDS-EVENT-0069", "failover", "Cluster failover failed, check the health of your cluster instances and try again.", false},
		{"RDS-EVENT-0069 (earlier wording)", "failover", "A failover for the DB cluster has failed.", false},
		// DB instance, failure.
		{"RDS-EVENT-0031", "failure", "DB instance put into incompatible-restore state. RDS recommends that you initiate a point-in-time-restore.", true},
		{"RDS-EVENT-0035", "failure", "Database instance put into incompatible-parameters. The memory settings are too high.", true},
		{"RDS-EVENT-0036", "failure", "Database instance in incompatible-network. The subnet subnet-0a1b does not exist.", true},
		{"RDS-EVENT-0058", "failure", "The Statspack installation failed. PERFSTAT exists.", false},
		{"RDS-EVENT-0079", "failure", "Amazon RDS has been unable to create credentials for enhanced monitoring and this feature has been disabled. This is likely due to the rds-monitoring-role not being present and configured correctly in your account. Please refer to the troubleshooting section in the Amazon RDS documentation for further details.", false},
		{"RDS-EVENT-0080", "failure", "Amazon RDS has been unable to configure enhanced monitoring on your instance: mandible-prod and this feature has been disabled. This is likely due to the rds-monitoring-role not being present and configured correctly in your account. Please refer to the troubleshooting section in the Amazon RDS documentation for further details.", false},
		{"RDS-EVENT-0080, upper case", "failure", "AMAZON RDS HAS BEEN UNABLE TO CONFIGURE ENHANCED MONITORING ON YOUR INSTANCE: MANDIBLE-PROD AND THIS FEATURE HAS BEEN DISABLED.", false},
		{"RDS-EVENT-0081", "failure", "Amazon RDS has been unable to create credentials for SQLSERVER_BACKUP_RESTORE option. This is due to the backup IAM role not being configured correctly in your account.", false},
		{"RDS-EVENT-0082", "failure", "Amazon RDS has been unable to create credentials to access your Amazon S3 Bucket for your DB instance mandible-prod. This is due to the S3 snapshot ingestion IAM role not being configured correctly in your account or the specified Amazon S3 bucket cannot be found.", false},
		{"RDS-EVENT-0165", "failure", "The RDS Custom DB instance is outside the support perimeter.", false},
		{"RDS-EVENT-0188", "failure", "The DB instance is in a state that can't be upgraded. Tables use an unsupported format.", false},
		{"RDS-EVENT-0219", "failure", "DB instance is in an invalid state. No actions are necessary. Autoscaling will retry later.", false},
		{"RDS-EVENT-0220", "failure", "DB instance is in the cooling-off period for a previous scale storage operation. We're optimizing your DB instance. This takes at least 6 hours. No actions are necessary. Autoscaling will retry after the cooling-off period.", false},
		{"RDS-EVENT-0223", "failure", "Storage autoscaling is unable to scale the storage for the reason: the maximum storage threshold is reached.", false},
		{"RDS-EVENT-0224", "failure", "Storage autoscaling has triggered a pending scale storage task that will reach or exceed the maximum storage threshold. Increase the maximum storage threshold.", false},
		{"RDS-EVENT-0237", "failure", "DB instance has a storage type that's currently unavailable in the Availability Zone. Autoscaling will retry later.", false},
		{"RDS-EVENT-0254", "failure", "Underlying storage quota for this customer account has exceeded the limit. Please increase the allowed storage quota to let the scaling go through on the instance.", false},
		{"RDS-EVENT-0278", "failure", "The DB instance creation failed. Insufficient capacity.", false},
		{"RDS-EVENT-0306", "failure", "Storage configuration upgrade failed. Please retry the upgrade.", false},
		{"RDS-EVENT-0315", "failure", "Unable to move incompatible-network database, mandible-prod, to the available status: the subnet does not exist", false},
		{"RDS-EVENT-0328", "failure", "Failed to join a host to a domain. Domain membership status for instance mandible-prod has been set to Failed.", false},
		{"RDS-EVENT-0353", "failure", "The DB instance can't be created because of insufficient resource limits. Too many instances.", false},
		{"RDS-EVENT-0356", "failure", "RDS was unable to configure the Kerberos endpoint in your domain. This might prevent Kerberos authentication for your DB instance.", false},
		{"RDS-EVENT-0418", "failure", "Amazon RDS is unable to access the KMS encryption key for database instance mandible-prod. This is likely due to the key being disabled or Amazon RDS being unable to access it.", false},
		{"RDS-EVENT-0420", "failure", "Amazon RDS can now successfully access the KMS encryption key for database instance mandible-prod.", false},
		// DB cluster, failure.
		{"RDS-EVENT-0083", "failure", "Amazon RDS has been unable to create credentials to access your Amazon S3 Bucket for your DB cluster sso-prod.", false},
		{"RDS-EVENT-0143", "failure", "The DB cluster failed to scale from 2 capacity units to 4 capacity units for this reason: a timeout.", false},
		{"RDS-EVENT-0354", "failure", "You can't create the DB cluster because of incompatible resources. The subnet group is invalid.", false},
		{"RDS-EVENT-0355", "failure", "The DB cluster can't be created because of insufficient resource limits. Too many clusters.", false},
		{"RDS-EVENT-0387", "failure", "Failed to partition DB instances in DB cluster sso-prod for patching.", false},
		// An identifier holding a fragment's word is still an identifier.
		{"RDS-EVENT-0071, instance kerberos-statspack", "failover", "Completed failover to DB instance: kerberos-statspack", true},
		// Other categories are not incidents.
		{"RDS-EVENT-0006", "availability", "DB instance restarted.", false},
	} {
		e := Event{Source: "db", Time: time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC), Message: tc.message, Category: tc.category}
		if got := e.Incident(); got != tc.want {
			t.Errorf("%s %q: Incident() = %v, want %v", tc.id, tc.message, got, tc.want)
		}
	}
}

// Events that show no node at work add no redundancy risk on their own and are left out of the
// incidents and of the one named as the latest; the analysis accepts them.
func TestAnalyzeEvents_notIncidents(t *testing.T) {
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
	monitoring := Event{Source: "sso-prod", Time: at(20, 3, 0), Category: "failure",
		Message: "Amazon RDS has been unable to configure enhanced monitoring on your instance: sso-prod and this feature has been disabled. This is likely due to the rds-monitoring-role not being present and configured correctly in your account. Please refer to the troubleshooting section in the Amazon RDS documentation for further details."}
	abandoned := Event{Source: "sso-prod", Time: at(21, 9, 0), Category: "failover",
		Message: "Abandoning user requested failover since a failover recently occurred on the database instance."}
	in := idleMultiAZ(14)
	in.Events = []Event{monitoring, abandoned}
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if got := riskWith(rec.Risks, "in the RDS events of the last 14 days"); got.Description != "" {
		t.Errorf("events that show no node at work make a risk: %+v", got)
	}

	// A real failover among them: one failover, named alone as the latest.
	in.Events = append(in.Events, Event{Source: "sso-prod", Time: at(19, 1, 0), Category: "failover", Message: "Multi-AZ instance failover started."})
	if rec, err = Analyze(in, Policy{}); err != nil {
		t.Fatal(err)
	}
	got := riskWith(rec.Risks, "in the RDS events of the last 14 days")
	if want := "1 failover in the RDS events of the last 14 days (the latest: 2026-11-19 01:00 UTC sso-prod: Multi-AZ instance failover started.)"; !strings.HasPrefix(got.Description, want) {
		t.Errorf("risk %q, want one starting %q", got.Description, want)
	}

	// An Aurora failover that failed is no failover.
	au := auroraPair(14)
	au.Events = []Event{{Source: au.Name, Time: at(22, 9, 0), Category: "failover",
		Message: "Cluster failover failed, check the health of your cluster instances and try again."}}
	if rec, err = Analyze(au, Policy{}); err != nil {
		t.Fatal(err)
	}
	if got := riskWith(rec.Risks, "in the RDS events of the last 14 days"); got.Description != "" {
		t.Errorf("a failed Aurora failover makes a risk: %+v", got)
	}
	if inc := Incidents(au.Events); inc != nil {
		t.Errorf("Incidents of a failed failover = %v, want none", inc)
	}
}

// Package events reads the RDS events that show a deployment's second node at work: failovers
// and instance failures (rds:DescribeEvents, event categories "failover" and "failure"). RDS keeps
// events for 14 days. A 2-node deployment that failed over in that time relied on its standby or
// reader; on one node, the same incident would have been downtime, so the recommendation (through
// inventory) lists such events as a risk of the change. RDS files some events under those
// categories that show no node at work (an Enhanced Monitoring configuration error, a requested
// failover it did not attempt, an Aurora failover that failed): they are listed here like the
// others, and the analysis leaves them out (analysis.Event.Incident, which holds the one list of
// their messages).
package events

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// API lists the RDS operation this package calls; *rds.Client satisfies it.
type API interface {
	DescribeEvents(ctx context.Context, in *rds.DescribeEventsInput, optFns ...func(*rds.Options)) (*rds.DescribeEventsOutput, error)
}

// Retention is how long RDS keeps events: DescribeEvents reaches no further back.
const Retention = 14 * 24 * time.Hour

// Categories are the event categories read: failovers and failures, and configuration changes,
// of which only an instance class change is kept (ClassChange).
var Categories = []string{"failover", "failure", "configuration change"}

// ClassChange is the Category of an event that finished changing a DB instance's class
// (RDS-EVENT-0014, category "configuration change", "Finished applying modification to DB
// instance class."). CloudWatch measured the instance's CPUUtilization and FreeableMemory before
// it on another class, so its history before the event is not that of today's class.
const ClassChange = "class change"

// classChangeMessage is how RDS-EVENT-0014's message begins (lower case): DescribeEvents returns
// an event's message and categories, not its ID (Amazon RDS User Guide, "Amazon RDS event
// categories and event messages").
const classChangeMessage = "finished applying modification to db instance class"

// Event is an RDS event with its source's type (db-instance, db-cluster, ...).
type Event struct {
	SourceType string
	analysis.Event
}

// Step is the granularity of the window Recent asks for.
const Step = 5 * time.Minute

// Recent lists the region's failover and failure events, and its instance class changes
// (Category ClassChange), of the Retention before now, oldest first (all pages). An event in both
// failover and failure is listed once, as a failure. The window asked for is whole Steps: from
// the Step boundary at or before now − Retention to the first boundary after now (RDS lists
// what it has up to the moment it answers), so that the data sources of a plan, each with its
// own now, ask for the same window and share one listing (inventory.SharedListings); events
// after now are then left out here.
func Recent(ctx context.Context, api API, now time.Time) ([]Event, error) {
	var out []Event
	step := now.Truncate(Step)
	p := rds.NewDescribeEventsPaginator(api, &rds.DescribeEventsInput{
		StartTime: aws.Time(step.Add(-Retention)), EndTime: aws.Time(step.Add(Step)), EventCategories: Categories})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the failover, failure and configuration change events of the last 14 days (rds:DescribeEvents): %w", err)
		}
		for _, e := range page.Events {
			cat := ""
			for _, c := range e.EventCategories {
				switch {
				case c == "failure":
					cat = c
				case c == "failover" && cat == "":
					cat = c
				case c == "configuration change" && cat == "" && strings.HasPrefix(strings.ToLower(aws.ToString(e.Message)), classChangeMessage):
					cat = ClassChange
				}
			}
			if cat == "" || aws.ToTime(e.Date).After(now) {
				continue
			}
			out = append(out, Event{SourceType: string(e.SourceType), Event: analysis.Event{
				Source: aws.ToString(e.SourceIdentifier), Time: aws.ToTime(e.Date).UTC(), Message: aws.ToString(e.Message), Category: cat}})
		}
	}
	return out, nil
}

// For returns the events whose source is of type sourceType and named id (without regard to
// case), in the order listed; nil when there are none.
func For(es []Event, sourceType, id string) []analysis.Event {
	var out []analysis.Event
	for _, e := range es {
		if e.SourceType == sourceType && strings.EqualFold(e.Source, id) {
			out = append(out, e.Event)
		}
	}
	return out
}

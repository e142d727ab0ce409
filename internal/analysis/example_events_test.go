package analysis_test

import (
	"fmt"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

func ExampleIncidents() {
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
	// One failover recorded as two events, and a failure a week earlier.
	for _, inc := range analysis.Incidents([]analysis.Event{
		{Source: "chat-db", Time: at(20, 3, 5), Message: "Multi-AZ instance failover completed.", Category: "failover"},
		{Source: "chat-db", Time: at(20, 3, 0), Message: "Multi-AZ instance failover started.", Category: "failover"},
		{Source: "chat-db", Time: at(13, 14, 0), Message: "The DB instance has failed.", Category: "failure"},
	}) {
		fmt.Println(inc[0].Time.Format("Jan 2 15:04"), len(inc), "event(s)")
	}
	// Output:
	// Nov 13 14:00 1 event(s)
	// Nov 20 03:00 2 event(s)
}

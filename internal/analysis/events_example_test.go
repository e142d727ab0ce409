package analysis_test

import (
	"fmt"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

func ExampleEvent_Incident() {
	at := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	for _, e := range []analysis.Event{
		{Source: "chat-db", Time: at, Category: "failover", Message: "Multi-AZ instance failover started."},
		{Source: "chat-db", Time: at, Category: "failover", Message: "Abandoning user requested failover since a failover recently occurred on the database instance."},
		{Source: "chat-db", Time: at, Category: "failure", Message: "Amazon RDS has been unable to configure enhanced monitoring on your instance: chat-db and this feature has been disabled."},
	} {
		fmt.Println(e.Incident(), e.Message[:min(len(e.Message), 40)])
	}
	// Output:
	// true Multi-AZ instance failover started.
	// false Abandoning user requested failover since
	// false Amazon RDS has been unable to configure
}

package rightsizing

import (
	"context"
	"slices"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
)

// readerAlarms are the CloudWatch alarms that watch the reader a 2-node Aurora cluster's
// consolidation would remove (cw.WatchingReader), or why they were not read.
type readerAlarms struct {
	alarms []analysis.ReaderAlarm
	unread string
}

// consolidatedReader is the reader the consolidation of c removes: the only reader of a 2-node
// Aurora cluster; "" for any other deployment (a Multi-AZ instance keeps its identifier and
// metrics without its standby, and a one-node cluster has no reader to remove).
func consolidatedReader(c inventory.Cluster) string {
	if c.Kind != inventory.KindAurora || len(c.Nodes) != 2 {
		return ""
	}
	if rs := c.Readers(); len(rs) == 1 {
		return rs[0].ID
	}
	return ""
}

// readerAlarmsOf lists the region's metric and composite alarms once (cw.ListAlarms) and returns, for each
// deployment of clusters (in order), those that watch the reader its consolidation removes; a
// deployment without one gets nothing, and nothing is listed when none has one or api is nil. A
// failed listing is recorded in each such deployment's unread, not returned.
func readerAlarmsOf(ctx context.Context, api cw.AlarmsAPI, clusters []inventory.Cluster) []readerAlarms {
	out := make([]readerAlarms, len(clusters))
	readers := make([]string, len(clusters))
	for i, c := range clusters {
		readers[i] = consolidatedReader(c)
	}
	if api == nil || !slices.ContainsFunc(readers, func(r string) bool { return r != "" }) {
		return out
	}
	all, err := cw.ListAlarms(ctx, api)
	for i, c := range clusters {
		switch {
		case readers[i] == "":
		case err != nil:
			out[i].unread = err.Error()
		default:
			out[i].alarms = cw.WatchingReader(all, c.Identifier, writerOf(c), readers[i])
		}
	}
	return out
}

// writerOf is the identifier of c's writer, "" without one.
func writerOf(c inventory.Cluster) string {
	w, _ := c.Writer()
	return w.ID
}

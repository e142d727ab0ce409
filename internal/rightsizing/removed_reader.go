package rightsizing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// An Aurora cluster that rightsize_db_topology took to its writer alone had a reader until the
// change: a window pinned before it (end_time) was analysed, and its rollback alarms approved,
// with the reader's load moving onto the writer. Analysed with today's members only, the same
// window would lose that load (the projection, the alarm thresholds and the reader's own alarms
// would change after the change they were meant to guard). So the removed reader is analysed as
// it was: its guard snapshot records its identifier, class and Availability Zone (the
// rightsize:reader:* tags) and when its removal was requested, and CloudWatch keeps its metrics
// after it is gone: by role ({DBClusterIdentifier, Role=READER}, every instance for the minutes
// it was a reader, metricSources) as the 2-node cluster was read, and per instance by its
// identifier (DiskQueueDepth; CPU, memory and local storage when its class differed from the
// writer's).

// removedReader is the reader a single-node Aurora cluster had inside the analysed window and no
// longer has (node, nil when none), with the warnings about it. lastClass is the class of the
// reader the cluster had last, inside the window or before it: the one rightsize_db_topology
// removed last, when no change to two nodes followed and its guard snapshot records its class
// ("" when not known). The cluster's 2-node form is priced with it.
//
// earlier is, when node is nil, the reader the cluster had before the window, in the days the
// earlier read covers (Request.PeakLookback; earlierReaderOf), nil when none: the earlier read
// (collectEarlier) reads the cluster with it, by role as the 2-node cluster was read, and the
// earlier peak adds its CPU to the writer's (analysis.ClusterInput.EarlierReaders). earlierWarn
// says so, shown only when its CPU was read.
type removedReader struct {
	node      *inventory.Node
	warns     []Warning
	lastClass string

	earlier     *inventory.Node
	earlierWarn Warning
}

// windowReaders finds, for each of clusters, the reader it had in the window starting at start
// (removedReaderOf) and, when earlierFrom is before start (the start of the earlier read,
// earlierStart; the zero time when there is none), the reader it had before the window from
// earlierFrom (earlierReaderOf); the zero value for every cluster but an Aurora cluster of its
// writer alone. Each such cluster's guard snapshots are listed once.
func windowReaders(ctx context.Context, api inventory.RDSAPI, clusters []inventory.Cluster, start, earlierFrom time.Time) []removedReader {
	out := make([]removedReader, len(clusters))
	for i, c := range clusters {
		out[i] = removedReaderOf(ctx, api, c, start, earlierFrom)
	}
	return out
}

// removedReaderOf is the reader that a change of this provider removed from c, an Aurora cluster
// of its writer alone, after start, and that c had at start (topology.ReaderChanges; the first
// removal after start when several): its removal was requested after start and no change to two
// nodes between them created it, so it was a member from the window's start until its removal.
// The zero value when there is none: a window entirely after the removal is the writer's alone, and
// so is one that starts with the writer alone, a reader added and removed within it not counted (a
// warning says so: its few hours would read as a required metric missing most of the window). A
// reader removed outside this provider, or whose guard snapshot was deleted (retain = false), is
// not known. With none in the window and earlierFrom before start, its earlier field is the reader
// c had before the window (earlierReaderOf).
func removedReaderOf(ctx context.Context, api inventory.RDSAPI, c inventory.Cluster, start, earlierFrom time.Time) removedReader {
	w, ok := c.Writer()
	if c.Kind != inventory.KindAurora || len(c.Nodes) != 1 || !ok {
		return removedReader{}
	}
	lister, ok := api.(topology.ClusterSnapshotsAPI)
	if !ok {
		return removedReader{}
	}
	h, err := topology.ReaderChanges(ctx, lister, c.Identifier)
	if err != nil {
		when := fmt.Sprintf("during the window (from %s)", start.UTC().Format(time.RFC3339))
		if !earlierFrom.IsZero() && earlierFrom.Before(start) {
			when = fmt.Sprintf("during the window (from %s) or the days before it that peak_lookback_days reads (from %s)", start.UTC().Format(time.RFC3339), earlierFrom.UTC().Format(time.RFC3339))
		}
		return removedReader{warns: []Warning{{"Removed Reader Not Checked", fmt.Sprintf(
			"the guard snapshots of %s could not be listed, so a reader that rightsize_db_topology removed %s is not known and its load is not counted: only the writer's is (%v)",
			c.Identifier, when, err)}}}
	}
	out := windowReaderOf(c, w, h, start)
	if out.node == nil && !earlierFrom.IsZero() && earlierFrom.Before(start) {
		out.earlier, out.earlierWarn = earlierReaderOf(c, w, h, earlierFrom, start)
	}
	return out
}

// windowReaderOf is removedReaderOf's reader of the window from start, from c's reader history h
// (w is c's writer).
func windowReaderOf(c inventory.Cluster, w inventory.Node, h topology.ReaderHistory, start time.Time) removedReader {
	gone := h.Removed
	var lastClass string
	if len(gone) > 0 {
		last := gone[len(gone)-1] // h.Removed is in the order the removals were requested
		if !slices.ContainsFunc(h.Added, func(t time.Time) bool { return t.After(last.Requested) }) {
			lastClass = last.Class
		}
	}
	gone = slices.DeleteFunc(slices.Clone(gone), func(r topology.RemovedReader) bool {
		return !r.Requested.After(start) || slices.ContainsFunc(c.Nodes, func(n inventory.Node) bool { return strings.EqualFold(n.ID, r.Identifier) })
	})
	if len(gone) == 0 {
		return removedReader{lastClass: lastClass}
	}
	// The reader the cluster had at the window's start: the first removed after it (a later one was
	// created after that removal, by a change back to two nodes), unless a change to two nodes
	// created it after the start too.
	r := gone[0]
	if slices.ContainsFunc(h.Added, func(t time.Time) bool { return t.After(start) && t.Before(r.Requested) }) {
		return removedReader{lastClass: lastClass, warns: []Warning{{"Removed Reader Not Counted", fmt.Sprintf(
			"the window (from %s) includes hours when %s had the reader %s, which rightsize_db_topology added after the window's start and removed "+
				"(requested at %s; guard snapshot %s): the cluster ran its writer alone at the window's start, and the writer's load alone is analysed",
			start.UTC().Format(time.RFC3339), c.Identifier, r.Identifier, r.Requested.UTC().Format(time.RFC3339), r.GuardID)}}}
	}
	n := inventory.Node{ID: r.Identifier, Role: inventory.RoleReader, Class: r.Class, Engine: w.Engine, EngineVersion: w.EngineVersion,
		AvailabilityZone: r.AvailabilityZone, Status: "deleted"}
	out := removedReader{node: &n, lastClass: lastClass}
	text := fmt.Sprintf("the window (from %s) includes time when %s had the reader %s, which rightsize_db_topology removed (requested at %s; guard snapshot %s): "+
		"its load in the window, read by Aurora role (READER) as before the removal, is counted as moving onto the single node",
		start.UTC().Format(time.RFC3339), c.Identifier, r.Identifier, r.Requested.UTC().Format(time.RFC3339), r.GuardID)
	if n.Class == "" {
		n.Class = w.Class
		text += fmt.Sprintf("; its guard snapshot does not record its class, so it is taken to have run the writer's (%s), which scales its CPU", w.Class)
	}
	out.warns = []Warning{{"Removed Reader Counted", text}}
	return out
}

// earlierReaderOf is the reader c (an Aurora cluster of its writer w alone) had before the window
// starting at start, in the days the earlier read covers from from (peak_lookback_days): the first
// reader, not a member today, that a change of this provider removed after from and by start (h,
// c's reader history; windowReaderOf's reader, removed after start, is the window's). Its guard
// snapshot records its identifier, class and Availability Zone; its class, when not recorded, is
// taken to be the writer's, as windowReaderOf takes it. The earlier read covers it by role
// ({DBClusterIdentifier, Role=READER}, every instance for the minutes it was a reader: also a
// reader a change to two nodes added after from) or, when its class differs from the writer's,
// per instance by its identifier; its CPU adds to the earlier peak in the hours it has data, none
// after its removal, whose load the writer's CPU holds from then. nil when there is none.
func earlierReaderOf(c inventory.Cluster, w inventory.Node, h topology.ReaderHistory, from, start time.Time) (*inventory.Node, Warning) {
	i := slices.IndexFunc(h.Removed, func(r topology.RemovedReader) bool {
		return r.Requested.After(from) && !r.Requested.After(start) &&
			!slices.ContainsFunc(c.Nodes, func(n inventory.Node) bool { return strings.EqualFold(n.ID, r.Identifier) })
	})
	if i < 0 {
		return nil, Warning{}
	}
	r := h.Removed[i]
	n := inventory.Node{ID: r.Identifier, Role: inventory.RoleReader, Class: r.Class, Engine: w.Engine, EngineVersion: w.EngineVersion,
		AvailabilityZone: r.AvailabilityZone, Status: "deleted"}
	how, note := "by Aurora role (READER) as before the removal", ""
	switch {
	case n.Class == "":
		n.Class = w.Class
		note = fmt.Sprintf("; its guard snapshot does not record its class, so it is taken to have run the writer's (%s), which scales its CPU", w.Class)
	case n.Class != w.Class:
		how = fmt.Sprintf("per instance, as its class (%s) is not the writer's, and scaled by its vCPUs", n.Class)
	}
	return &n, Warning{"Removed Reader Counted in the Earlier Peak", fmt.Sprintf(
		"peak_lookback_days: the days before the window (from %s to %s) include time when %s had the reader %s, which rightsize_db_topology removed "+
			"(requested at %s; guard snapshot %s): its CPU then, read %s, is added to the writer's in earlier_peak, as the single node's load%s",
		from.UTC().Format(time.RFC3339), start.UTC().Format(time.RFC3339), c.Identifier, r.Identifier, r.Requested.UTC().Format(time.RFC3339), r.GuardID, how, note)}
}

// withReader is c with the node r added (as the 2-node cluster it was), c itself when r is nil.
func withReader(c inventory.Cluster, r *inventory.Node) inventory.Cluster {
	if r == nil {
		return c
	}
	c.Nodes = append(slices.Clone(c.Nodes), *r)
	return c
}

// readersReported reports whether c's readers reported in the collection got: a datapoint of the
// readers' count (readerCountSource) above 0. A reader removed after the window's start may have
// been added after its end.
func readersReported(c inventory.Cluster, got *cw.Result) bool {
	cnt, ok := got.Find(readerCountID(c), readerCountMetric, statSampleCount)
	return ok && slices.ContainsFunc(cnt.Values, func(v float64) bool { return v > 0 })
}

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
type removedReader struct {
	node      *inventory.Node
	warns     []Warning
	lastClass string
}

// windowReaders finds, for each of clusters, the reader it had in the window starting at start
// (removedReaderOf); the zero value for every cluster but an Aurora cluster of its writer alone.
func windowReaders(ctx context.Context, api inventory.RDSAPI, clusters []inventory.Cluster, start time.Time) []removedReader {
	out := make([]removedReader, len(clusters))
	for i, c := range clusters {
		out[i] = removedReaderOf(ctx, api, c, start)
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
// not known.
func removedReaderOf(ctx context.Context, api inventory.RDSAPI, c inventory.Cluster, start time.Time) removedReader {
	w, ok := c.Writer()
	if c.Kind != inventory.KindAurora || len(c.Nodes) != 1 || !ok {
		return removedReader{}
	}
	lister, ok := api.(topology.ClusterSnapshotsAPI)
	if !ok {
		return removedReader{}
	}
	h, err := topology.ReaderChanges(ctx, lister, c.Identifier)
	gone := h.Removed
	if err != nil {
		return removedReader{warns: []Warning{{"Removed Reader Not Checked", fmt.Sprintf(
			"the guard snapshots of %s could not be listed, so a reader that rightsize_db_topology removed during the window (from %s) is not known and its load is not counted: only the writer's is (%v)",
			c.Identifier, start.UTC().Format(time.RFC3339), err)}}}
	}
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

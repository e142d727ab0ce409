package sandbox

import (
	"fmt"
	"maps"
	"strings"
	"time"
)

// CheckGuarded checks the topology resource's invariant on the request log:
// no change to a database without an available guard snapshot. id is a DB
// cluster or a standalone DB instance. The calls that change it are
// ModifyDBInstance and DeleteDBInstance on the instance (for a cluster, on
// any of its members: those of the scenario, those it has now and those
// created into it) and, for a cluster, CreateDBInstance into it. Each must be
// immediately preceded by a successful describe of a guard snapshot
// (DescribeDBSnapshots for an instance, DescribeDBClusterSnapshots for a
// cluster) made at a virtual time when that snapshot was available (its
// "snapshot created" event). Tag calls in between are allowed, and so is an
// earlier identical call (same operation and parameters): the same change
// sent again by its client. Temporary restore-verification instances
// (rs-verify-*) are exempt.
//
// It returns how many changing calls it checked. An SDK retry (Attempt > 1)
// is the call it retries, checked and counted with that call's first
// attempt; a call its client made again itself (attempt 1) counts again.
// The error names the first call that breaks the invariant.
func (s *Server) CheckGuarded(id string) (int, error) {
	log := s.Log()
	s.mu.Lock()
	s.st.settle(s.clock.Now())
	cluster := s.st.Clusters[id] != nil
	members := map[string]bool{}
	for _, c := range s.sc.Clusters {
		if c.ID == id {
			cluster = true
			for _, m := range c.Members {
				members[m.ID] = true
			}
		}
	}
	for _, in := range s.st.members(id) {
		members[in.ID] = true
	}
	// When each snapshot became available: its "snapshot created" event (the
	// events outlive a deleted snapshot).
	availableAt := map[string]time.Time{}
	for _, ev := range s.st.Events {
		k := strings.ToLower(ev.SourceID)
		if _, seen := availableAt[k]; !seen && (ev.SourceType == "db-snapshot" || ev.SourceType == "db-cluster-snapshot") &&
			strings.HasSuffix(ev.Message, "snapshot created") {
			availableAt[k] = ev.Date
		}
	}
	s.mu.Unlock()
	for _, en := range log {
		if en.Operation == "CreateDBInstance" && cluster && en.Params["DBClusterIdentifier"] == id {
			members[en.Params["DBInstanceIdentifier"]] = true
		}
	}
	describeOp, idParam := "DescribeDBSnapshots", "DBSnapshotIdentifier"
	if cluster {
		describeOp, idParam = "DescribeDBClusterSnapshots", "DBClusterSnapshotIdentifier"
	}
	n := 0
	for i, en := range log {
		if !changes(en, id, cluster, members) || en.Attempt > 1 {
			continue
		}
		n++
		var prev *LogEntry
		for j := i - 1; j >= 0; j-- {
			p := &log[j]
			if p.Operation == "ListTagsForResource" || p.Operation == "AddTagsToResource" ||
				(p.Operation == en.Operation && maps.Equal(p.Params, en.Params)) {
				continue
			}
			prev = p
			break
		}
		call := fmt.Sprintf("%s #%d (%s)", en.Operation, en.Seq, en.Params["DBInstanceIdentifier"])
		if prev == nil || prev.Operation != describeOp || prev.Status != 200 || prev.Params[idParam] == "" {
			what := "nothing"
			if prev != nil {
				what = fmt.Sprintf("%s #%d (status %d)", prev.Operation, prev.Seq, prev.Status)
			}
			return n, fmt.Errorf("guard invariant broken: %s is not immediately preceded by a successful %s of a guard snapshot, but by %s",
				call, describeOp, what)
		}
		gid := prev.Params[idParam]
		at, ok := availableAt[strings.ToLower(gid)]
		if !ok {
			return n, fmt.Errorf("guard invariant broken: %s follows a describe of %s, which has not become available", call, gid)
		}
		if prev.Time.Before(at) {
			return n, fmt.Errorf("guard invariant broken: %s follows a describe of %s at %s, before it became available at %s",
				call, gid, prev.Time.Format(time.RFC3339), at.Format(time.RFC3339))
		}
	}
	return n, nil
}

// changes reports whether en changes the database id (see CheckGuarded).
func changes(en LogEntry, id string, cluster bool, members map[string]bool) bool {
	inst := en.Params["DBInstanceIdentifier"]
	if strings.HasPrefix(inst, "rs-verify-") {
		return false
	}
	switch en.Operation {
	case "ModifyDBInstance", "DeleteDBInstance":
		return inst == id || members[inst]
	case "CreateDBInstance":
		return cluster && en.Params["DBClusterIdentifier"] == id
	}
	return false
}

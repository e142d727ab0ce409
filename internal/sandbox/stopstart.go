package sandbox

import (
	"net/url"
	"strings"
	"time"
)

// Stopping and starting DB instances and clusters, as RDS does it ("Stopping an Amazon RDS DB
// instance temporarily", "Stopping and starting an Amazon Aurora DB cluster"):
//
//   - StopDBInstance stops a standalone, available DB instance (Multi-AZ or not): "stopping" for
//     Durations.Stop, then "stopped". With DBSnapshotIdentifier it first takes a manual snapshot of
//     that name, and stops once the snapshot is done. A member of an Aurora cluster or of a Multi-AZ
//     DB cluster is stopped with its cluster (InvalidParameterCombination).
//   - StopDBCluster stops an available DB cluster whose members are all available: the cluster and
//     every member "stopping", then "stopped".
//   - StartDBInstance / StartDBCluster start a stopped one again: "starting" for Durations.Start,
//     then "available".
//   - RDS starts a database that has been stopped for 7 days by itself (stoppedLimit), with the
//     event AWS sends then.
//
// A stopped instance publishes no CloudWatch metrics: from the moment it is stopped until it is
// available again, GetMetricData has no datapoints for it (genNode.Stops). Events: "DB instance
// stopped", "DB instance started", "DB cluster stopped", "DB cluster started" (category
// notification), and for the automatic start "DB instance is being started due to it exceeding the
// maximum allowed time being stopped." (or "DB cluster ..."). While stopped, an instance takes no
// modification, reboot or snapshot (InvalidDBInstanceState); a standalone one can be deleted.

// stoppedLimit is how long RDS keeps a DB instance or cluster stopped before it starts it by itself.
const stoppedLimit = 7 * 24 * time.Hour

// stopSpan records that a node was stopped from From until To (zero: still stopped): it publishes
// no metrics in between.
type stopSpan struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to,omitempty"`
}

// stoppedAt reports whether the node was stopped at t.
func (n *genNode) stoppedAt(t time.Time) bool {
	for _, s := range n.Stops {
		if !t.Before(s.From) && (s.To.IsZero() || t.Before(s.To)) {
			return true
		}
	}
	return false
}

// stoppedFor is how long the node has been stopped at now (0 when it is running).
func (n *genNode) stoppedFor(now time.Time) time.Duration {
	if k := len(n.Stops); k > 0 && n.Stops[k-1].To.IsZero() && !now.Before(n.Stops[k-1].From) {
		return now.Sub(n.Stops[k-1].From)
	}
	return 0
}

// nodeStopped records that the node of instance id stops publishing metrics at at; nodeStarted
// that it publishes them again from at.
func (st *rdsState) nodeStopped(id string, at time.Time) {
	if n := st.Nodes[id]; n != nil {
		n.Stops = append(n.Stops, stopSpan{From: at})
	}
}

func (st *rdsState) nodeStarted(id string, at time.Time) {
	if n := st.Nodes[id]; n != nil {
		if k := len(n.Stops); k > 0 && n.Stops[k-1].To.IsZero() {
			n.Stops[k-1].To = at
		}
	}
}

// stoppableInstance is the DB instance f names for StopDBInstance or StartDBInstance (verb
// "Stop" or "Start"): one of a cluster is stopped and started with its cluster, as RDS has it.
func (st *rdsState) stoppableInstance(f url.Values, verb string) (*dbInstance, *rdsError) {
	id := strings.ToLower(f.Get("DBInstanceIdentifier"))
	in, ok := st.Instances[id]
	if !ok {
		return nil, errInstanceNotFound(id)
	}
	if st.multiAZMemberOf(in) != nil {
		return nil, errMultiAZMember(verb+"DBInstance", in)
	}
	if in.Cluster != "" {
		return nil, errCombo("DB instance %s is a member of Aurora DB cluster %s: %s the DB cluster with %sDBCluster instead.",
			id, in.Cluster, strings.ToLower(verb), verb)
	}
	return in, nil
}

func (st *rdsState) stopDBInstance(f url.Values, now time.Time) (any, *rdsError) {
	in, e := st.stoppableInstance(f, "Stop")
	if e != nil {
		return nil, e
	}
	id := in.ID
	if in.Status != "available" {
		return nil, errf(400, "InvalidDBInstanceState", "Instance %s is not in available state (status %s).", id, in.Status)
	}
	// "You can't stop a DB instance that has a read replica, or that is a read replica." (RDS User
	// Guide, Stopping an Amazon RDS DB instance temporarily, Limitations.)
	if in.ReplicaOf != "" {
		return nil, errf(400, "InvalidDBInstanceState", "Instance %s cannot be stopped: it is a read replica of %s.", id, in.ReplicaOf)
	}
	for _, r := range st.Instances {
		if r.ReplicaOf == in.ID {
			return nil, errf(400, "InvalidDBInstanceState", "Instance %s cannot be stopped: it has the read replica %s.", id, r.ID)
		}
	}
	end := now.Add(st.dur.Stop)
	if sid := strings.ToLower(f.Get("DBSnapshotIdentifier")); sid != "" {
		if !validSnapshotID(sid) {
			return nil, errParam("The parameter DBSnapshotIdentifier is not a valid identifier.")
		}
		if _, ok := st.Snapshots[sid]; ok {
			return nil, errf(400, "DBSnapshotAlreadyExists", "Cannot create the snapshot because a snapshot with the identifier %s already exists.", sid)
		}
		sn := st.snapshotOf(in, sid, now)
		sn.Fail = st.takeFailSnapshot(sid)
		st.Snapshots[sid] = sn
		st.event("db-snapshot", sid, sn.ARN, "Creating manual snapshot", now, "creation")
		end = sn.End.Add(st.dur.Stop)
	}
	in.Status = "stopping"
	in.Op = &op{Kind: "stop", Start: now, End: end}
	return xInstanceResult{DBInstance: st.xInstance(in, now)}, nil
}

func (st *rdsState) startDBInstance(f url.Values, now time.Time) (any, *rdsError) {
	in, e := st.stoppableInstance(f, "Start")
	if e != nil {
		return nil, e
	}
	id := in.ID
	if in.Status != "stopped" {
		return nil, errf(400, "InvalidDBInstanceState", "Instance %s cannot be started as it is not in stopped state (status %s).", id, in.Status)
	}
	st.startInstance(in, now)
	return xInstanceResult{DBInstance: st.xInstance(in, now)}, nil
}

// startInstance starts the stopped instance in at at: "starting" for Durations.Start.
func (st *rdsState) startInstance(in *dbInstance, at time.Time) {
	in.Status = "starting"
	in.Op = &op{Kind: "start", Start: at, End: at.Add(st.dur.Start)}
}

func (st *rdsState) stopDBCluster(f url.Values, now time.Time) (any, *rdsError) {
	cid := strings.ToLower(idFromARN(f.Get("DBClusterIdentifier")))
	c, ok := st.Clusters[cid]
	if !ok {
		return nil, errClusterNotFound(cid)
	}
	if c.Status != "available" {
		return nil, errf(400, "InvalidDBClusterStateFault", "DbCluster %s is in %s state but expected it to be one of available.", cid, c.Status)
	}
	// "You can't stop and start a cluster that is part of a blue/green deployment." (Aurora User
	// Guide, Limitations for stopping and starting Aurora DB clusters.)
	if d := st.blueGreenOf(true, cid); d != nil {
		return nil, errf(400, "InvalidDBClusterStateFault", "DbCluster %s is part of blue/green deployment %s and can't be stopped.", cid, d.ID)
	}
	ms := st.members(cid)
	for _, m := range ms {
		if m.Status != "available" {
			return nil, errf(400, "InvalidDBClusterStateFault", "DbCluster %s can't be stopped while its DB instance %s is in %s state.", cid, m.ID, m.Status)
		}
	}
	end := now.Add(st.dur.Stop)
	c.Status, c.Op = "stopping", &op{Kind: "stop", Start: now, End: end}
	for _, m := range ms {
		m.Status, m.Op = "stopping", &op{Kind: "stop", Start: now, End: end}
	}
	return xClusterResult{DBCluster: st.xCluster(c, now)}, nil
}

func (st *rdsState) startDBCluster(f url.Values, now time.Time) (any, *rdsError) {
	cid := strings.ToLower(idFromARN(f.Get("DBClusterIdentifier")))
	c, ok := st.Clusters[cid]
	if !ok {
		return nil, errClusterNotFound(cid)
	}
	if c.Status != "stopped" {
		return nil, errf(400, "InvalidDBClusterStateFault", "DbCluster %s is in %s state but expected it to be one of stopped.", cid, c.Status)
	}
	st.startCluster(c, now)
	return xClusterResult{DBCluster: st.xCluster(c, now)}, nil
}

// startCluster starts the stopped cluster c and its members at at: "starting" for Durations.Start.
func (st *rdsState) startCluster(c *dbCluster, at time.Time) {
	end := at.Add(st.dur.Start)
	c.Status, c.Op = "starting", &op{Kind: "start", Start: at, End: end}
	for _, m := range st.members(c.ID) {
		if m.Status == "stopped" {
			m.Status, m.Op = "starting", &op{Kind: "start", Start: at, End: end}
		}
	}
}

// completeStopStart completes the stop or start operation o of the instance in (settle):
// stopped, or available again, and its metrics stop or resume then. Only a standalone instance
// records the events and the time it stopped; a cluster's members follow their cluster.
func (st *rdsState) completeStopStart(in *dbInstance, o *op) {
	standalone := in.Cluster == ""
	switch o.Kind {
	case "stop":
		in.Status = "stopped"
		st.nodeStopped(in.ID, o.End)
		if standalone {
			in.StoppedAt = o.End
			st.event("db-instance", in.ID, in.ARN, "DB instance stopped", o.End, "notification")
		}
	case "start":
		in.Status, in.StoppedAt = in.idleStatus(o.End), time.Time{}
		st.nodeStarted(in.ID, o.End)
		if standalone {
			st.event("db-instance", in.ID, in.ARN, "DB instance started", o.End, "notification")
		}
	}
}

// completeClusterOp completes the operation of the cluster c at its end (settle).
func (st *rdsState) completeClusterOp(c *dbCluster) {
	o := c.Op
	c.Op = nil
	switch o.Kind {
	case "stop":
		c.Status, c.StoppedAt = "stopped", o.End
		st.event("db-cluster", c.ID, c.ARN, "DB cluster stopped", o.End, "notification")
	case "start":
		c.Status, c.StoppedAt = "available", time.Time{}
		st.event("db-cluster", c.ID, c.ARN, "DB cluster started", o.End, "notification")
	default: // create
		c.Status = "available"
		st.event("db-cluster", c.ID, c.ARN, "DB cluster created", o.End, "creation")
	}
}

// stopStartTransitions offers settle (as its consider) RDS's own start of every DB instance and
// cluster stopped for stoppedLimit.
func (st *rdsState) stopStartTransitions(consider func(time.Time, func())) {
	for _, id := range sortedKeys(st.Instances) {
		in := st.Instances[id]
		if in.Cluster == "" && in.Op == nil && in.Status == "stopped" && !in.StoppedAt.IsZero() {
			at := in.StoppedAt.Add(stoppedLimit)
			consider(at, func() {
				st.event("db-instance", in.ID, in.ARN, "DB instance is being started due to it exceeding the maximum allowed time being stopped.", at, "notification")
				st.startInstance(in, at)
			})
		}
	}
	for _, id := range sortedKeys(st.Clusters) {
		c := st.Clusters[id]
		if c.Op == nil && c.Status == "stopped" && !c.StoppedAt.IsZero() {
			at := c.StoppedAt.Add(stoppedLimit)
			consider(at, func() {
				st.event("db-cluster", c.ID, c.ARN, "DB cluster is being started due to it exceeding the maximum allowed time being stopped.", at, "notification")
				st.startCluster(c, at)
			})
		}
	}
}

package analysis

import (
	"fmt"
	"strings"
)

// replicationSlotRisks adds the risks of the writer's replication slots (in.Postgres.ReplicationSlots):
//
//   - Logical slots feed consumers outside the database (change data capture, subscriptions).
//     On an RDS instance a failover to the standby, which has a copy of the storage, keeps them;
//     on one node a failure stops the stream until the instance is recovered, and recovery by a
//     restore makes a new instance the consumers must be pointed at, with their slots checked:
//     "failure", medium. On Aurora the slots stay on the writer, and removing the reader only
//     makes a writer failure a longer outage of the stream (Aurora recreates the writer): low.
//   - Slots no consumer is connected to keep WAL from being removed, more with every write:
//     "capacity", medium on an RDS instance when what they keep is at least a tenth of the
//     writer's lowest free storage (CloudWatch's FreeStorageSpace), else low.
//
// nodes are the cluster's analysed nodes (the writer's free storage is read from them).
func replicationSlotRisks(in ClusterInput, nodes []NodeAnalysis, add func(category, severity, format string, a ...any)) {
	if in.Postgres == nil {
		return
	}
	var logical, idle []string
	var kept int64
	for _, s := range in.Postgres.ReplicationSlots {
		kind := "physical"
		if s.Logical {
			kind = "logical"
			if s.Plugin != "" {
				kind += ", " + s.Plugin
			}
			logical = append(logical, s.Name)
		}
		if !s.Active && s.RetainedBytes > 0 {
			idle = append(idle, fmt.Sprintf("%s (%s) %s", s.Name, kind, formatBytes(s.RetainedBytes)))
			kept += s.RetainedBytes
		}
	}
	aurora := in.engineTopology() == TopologyAurora
	if len(logical) > 0 {
		slots := "Logical replication slot " + logical[0] + " streams"
		if len(logical) > 1 {
			slots = "Logical replication slots " + strings.Join(logical, ", ") + " stream"
		}
		consumers := "to consumers outside it (change data capture such as Debezium or AWS DMS, or logical replication subscribers)"
		switch {
		case aurora:
			how := "Removing the reader leaves them on the writer, but without a reader"
			if in.AlreadySingleNode {
				how = "With no reader,"
			}
			add("failure", "low", "%s the cluster's changes from the writer %s. %s a writer failure stops the stream for as long as Aurora takes to recreate the writer (typically about 10 minutes) instead of a ~30 second failover: make sure the consumers reconnect and retry for that long",
				slots, consumers, how)
		default:
			today := "A failover to the standby keeps them, as the standby has a copy of the storage; on one node, a"
			if in.AlreadySingleNode {
				today = "On one node, a"
			}
			recovery := "a restore from snapshot or a point-in-time restore"
			switch {
			case in.ReplicaSource != "":
				recovery = "recreating the replica from " + in.ReplicaSource
			case in.AutomatedBackupsOff:
				recovery = "a restore of the latest snapshot"
			}
			add("failure", "medium", "%s this database's changes %s. %s failure stops the stream until the instance is back, and recovery by %s makes a new instance: point the consumers at it and check that their slots are there and not behind before they resume (a missing slot means a new initial copy of the tables)",
				slots, consumers, today, recovery)
		}
	}
	if len(idle) == 0 {
		return
	}
	sev, free := "low", ""
	if !aurora {
		for _, n := range nodes {
			if s, ok := n.Summary(MetricFreeStorageSpace); ok && n.Role == RoleWriter && s.Count > 0 {
				free = fmt.Sprintf(", against %.1f GiB free storage at its lowest", s.Min/(1<<30))
				if float64(kept) >= s.Min/10 {
					sev = "medium"
				}
			}
		}
	}
	add("capacity", sev, "Replication slots with no consumer connected keep WAL from being removed: %s%s. The WAL grows with every write while no consumer reads it: drop a slot whose consumer is gone for good (pg_drop_replication_slot), or bring the consumer back; max_slot_wal_keep_size caps what a slot may keep (PostgreSQL 13 and later)",
		strings.Join(idle, ", "), free)
}

// formatBytes is n bytes in GiB, or MiB below one GiB, or bytes below one MiB, one decimal.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

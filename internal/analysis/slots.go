package analysis

import (
	"fmt"
	"math"
	"strings"
)

// replicationSlotRisks adds the risks of the writer's replication slots (in.Postgres.ReplicationSlots):
//
//   - Logical slots feed consumers outside the database (change data capture, subscriptions).
//     On an RDS instance a failover to the standby, a synchronous copy of the storage where
//     PostgreSQL keeps them (pg_replslot), keeps them; on one node a failure stops the stream
//     until the instance is recovered, and recovery by a restore makes a new instance at an
//     earlier point than the consumers have read to, with the slots only as its backup saved
//     them (a recreated read replica has none of the old one's), where resuming from the
//     positions the consumers recorded can miss changes: they start over with new slots and a
//     new initial copy: "failure", medium. On Aurora the slots stay on the writer (Aurora
//     readers do not decode), and removing the reader only makes a writer failure a longer
//     outage of the stream (Aurora recreates the writer): low.
//   - Slots no consumer is connected to keep WAL from being removed, more with every write:
//     "capacity", medium on an RDS instance when what they keep is at least a tenth of the
//     writer's lowest free storage (CloudWatch's FreeStorageSpace), else low.
//   - A slot with a consumer connected keeps WAL too: "capacity", medium, for each such slot
//     that keeps at least a tenth of that free storage on an RDS instance (an active slot always
//     keeps some, so less is not reported, nor where the free storage is not known). What it
//     keeps is measured from its restart_lsn (pgstats): the WAL its consumer has yet to confirm
//     (a physical slot's standby, or a logical slot's consumer, that is behind), but for a
//     logical slot also, however far its consumer has confirmed (confirmed_flush_lsn), all WAL
//     since the start of the oldest transaction with writes still open at that position, in any
//     of the server's databases: a long-running transaction holds it back as much.
//
// A lost slot (WALStatus "lost": PostgreSQL removed WAL it needed, or invalidated it otherwise)
// streams nothing and keeps no WAL: it is neither risk.
//
// nodes are the cluster's analysed nodes (the writer's free storage is read from them).
func replicationSlotRisks(in ClusterInput, nodes []NodeAnalysis, add func(category, severity, format string, a ...any)) {
	if in.Postgres == nil {
		return
	}
	var logical, idle, behind []string
	var kept int64
	behindLogical := false
	aurora := in.engineTopology() == TopologyAurora
	low := math.NaN()
	if !aurora {
		low = writerLowestFreeStorage(nodes)
	}
	for _, s := range in.Postgres.ReplicationSlots {
		if s.WALStatus == "lost" { // unusable already, whatever the topology
			continue
		}
		kind := "physical"
		if s.Logical {
			kind = "logical"
			if s.Plugin != "" {
				kind += ", " + s.Plugin
			}
			logical = append(logical, s.Name)
		}
		switch {
		case !s.Active && s.RetainedBytes > 0:
			idle = append(idle, fmt.Sprintf("%s (%s) %s", s.Name, kind, formatBytes(s.RetainedBytes)))
			kept += s.RetainedBytes
		case s.Active && s.RetainedBytes > 0 && float64(s.RetainedBytes) >= low/10: // false when low is NaN
			behind = append(behind, fmt.Sprintf("%s (%s) %s", s.Name, kind, formatBytes(s.RetainedBytes)))
			behindLogical = behindLogical || s.Logical
		}
	}
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
			add("failure", "low", "%s the cluster's changes from the writer %s. %s a writer failure stops the stream for as long as Aurora takes to recreate the writer (typically about 10 minutes, on a best-effort basis) instead of a ~30 second failover: make sure the consumers reconnect and retry for that long",
				slots, consumers, how)
		default:
			today := "A failover to the standby keeps them, as PostgreSQL keeps them in its storage (pg_replslot), of which the standby is a synchronous copy; on one node, a"
			if in.AlreadySingleNode {
				today = "On one node, a"
			}
			recovery, state := "a restore from snapshot or a point-in-time restore", "at an earlier point than the consumers have read to, with the slots only as its backup saved them"
			switch {
			case in.ReplicaSource != "":
				recovery, state = "recreating the replica from "+in.ReplicaSource, "without the replica's slots"
			case in.AutomatedBackupsOff:
				recovery = "a restore of the latest snapshot"
			}
			add("failure", "medium", "%s this database's changes %s. %s failure stops the stream until the instance is back, and recovery by %s makes a new instance, %s: plan for the consumers to start over there with new slots and a new initial copy of the tables, as resuming from the positions they recorded can miss changes",
				slots, consumers, today, recovery, state)
		}
	}
	free := ""
	if !math.IsNaN(low) {
		free = fmt.Sprintf(", against %.1f GiB free storage at its lowest", low/(1<<30))
	}
	if len(behind) > 0 {
		// A logical slot's restart_lsn is where decoding must start again: the oldest transaction
		// with changes still in progress (PostgreSQL's pg_replication_slots: "the oldest WAL which
		// still might be required by the consumer of this slot"), which its consumer's
		// confirmed_flush_lsn does not move past.
		why, until := "", "its consumer catches up"
		if behindLogical {
			why = ", and a logical slot, however far its consumer has confirmed (confirmed_flush_lsn), keeps all WAL since the start of the oldest transaction with writes still open at that position, in any of the server's databases: a long-running transaction holds it back as much (look for old xact_start in pg_stat_activity)"
			until = "its consumer catches up or that transaction ends"
		}
		// CloudWatch's OldestReplicationSlotLag and ReplicationSlotDiskUsage: "Amazon CloudWatch
		// metrics for Amazon RDS",
		// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html (PostgreSQL).
		add("capacity", "medium", "Replication slots with a consumer connected keep WAL from being removed: %s%s. A slot keeps the WAL its consumer has yet to confirm (a stalled or slow consumer, or a logical slot on a database with little change of its own, whose consumer confirms no position while other databases write: Debezium's heartbeats are for that)%s. The WAL grows until %s: alarm on CloudWatch's OldestReplicationSlotLag or ReplicationSlotDiskUsage; max_slot_wal_keep_size caps what a slot may keep (PostgreSQL 13 and later), past which the slot is lost and its consumer starts over with a new initial copy",
			strings.Join(behind, ", "), free, why, until)
	}
	if len(idle) == 0 {
		return
	}
	sev := "low"
	if float64(kept) >= low/10 {
		sev = "medium"
	}
	add("capacity", sev, "Replication slots with no consumer connected keep WAL from being removed: %s%s. The WAL grows with every write while no consumer reads it: drop a slot whose consumer is gone for good (pg_drop_replication_slot), or bring the consumer back; max_slot_wal_keep_size caps what a slot may keep (PostgreSQL 13 and later), and a slot that falls further behind is lost, its consumer to start over with a new initial copy",
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

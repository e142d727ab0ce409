package analysis

import (
	"strings"
	"testing"
)

// TestReplicationSlotRisks: a logical replication slot (a change-data-capture consumer) is a
// medium failure risk on an RDS instance, whose recovery on one node makes a new instance, and a
// low one on Aurora, where only a writer failure's outage grows; slots no consumer is connected to
// are a capacity risk for the WAL they keep, medium on an RDS instance when that is at least a
// tenth of the lowest free storage (idleMultiAZ's writer has 80 GiB free).
func TestReplicationSlotRisks(t *testing.T) {
	const gib = int64(1 << 30)
	cdc := ReplicationSlot{Name: "debezium_orders", Logical: true, Plugin: "pgoutput", Active: true, WALStatus: "reserved", RetainedBytes: 10 << 20}
	idle := func(s ReplicationSlot, retained int64) ReplicationSlot {
		s.Active, s.RetainedBytes = false, retained
		return s
	}
	phys := ReplicationSlot{Name: "standby_old", RetainedBytes: gib}
	singleAZ := func(in ClusterInput) ClusterInput {
		in.Nodes, in.AlreadySingleNode = in.Nodes[:1], true
		return in
	}
	backupsOff := func(in ClusterInput) ClusterInput { in.AutomatedBackupsOff = true; return in }
	replica := func(in ClusterInput) ClusterInput { in.ReplicaSource = "sso-primary"; return in }
	for _, tc := range []struct {
		name    string
		in      ClusterInput
		slots   []ReplicationSlot
		failure string // severity of the failure risk, "" for none
		saying  string
		kept    string // severity of the capacity risk, "" for none
		keeps   string
	}{
		{"no slots", idleMultiAZ(14), nil, "", "", "", ""},
		{"an active CDC slot", idleMultiAZ(14), []ReplicationSlot{cdc}, "medium",
			"Logical replication slot debezium_orders streams this database's changes to consumers outside it (change data capture such as Debezium or AWS DMS, or logical replication subscribers). " +
				"A failover to the standby keeps them, as PostgreSQL keeps them in its storage (pg_replslot), of which the standby is a synchronous copy; on one node, a failure stops the stream until the instance is back, and recovery by a restore from snapshot or a point-in-time restore makes a new instance, " +
				"at an earlier point than the consumers have read to, with the slots only as its backup saved them: plan for the consumers to start over there with new slots and a new initial copy of the tables, as resuming from the positions they recorded can miss changes", "", ""},
		{"two CDC slots", idleMultiAZ(14), []ReplicationSlot{cdc, {Name: "dms_slot", Logical: true, Plugin: "test_decoding", Active: true, RetainedBytes: 0}}, "medium",
			"Logical replication slots debezium_orders, dms_slot stream this database's changes", "", ""},
		{"on a Single-AZ instance", singleAZ(idleMultiAZ(14)), []ReplicationSlot{cdc}, "medium", ". On one node, a failure stops the stream", "", ""},
		{"a read replica (PostgreSQL 16 and later)", replica(idleMultiAZ(14)), []ReplicationSlot{cdc}, "medium", "recovery by recreating the replica from sso-primary makes a new instance, without the replica's slots: plan for the consumers to start over there with new slots", "", ""},
		{"without automated backups", backupsOff(idleMultiAZ(14)), []ReplicationSlot{cdc}, "medium", "recovery by a restore of the latest snapshot makes a new instance, at an earlier point than the consumers have read to", "", ""},
		{"an idle CDC slot keeping a tenth of the free storage", idleMultiAZ(14), []ReplicationSlot{idle(cdc, 8*gib)}, "medium", "Logical replication slot debezium_orders streams", "medium",
			"Replication slots with no consumer connected keep WAL from being removed: debezium_orders (logical, pgoutput) 8.0 GiB, against 80.0 GiB free storage at its lowest. The WAL grows with every write while no consumer reads it: " +
				"drop a slot whose consumer is gone for good (pg_drop_replication_slot), or bring the consumer back; max_slot_wal_keep_size caps what a slot may keep (PostgreSQL 13 and later), " +
				"and a slot that falls further behind is lost, its consumer to start over with a new initial copy"},
		{"an idle CDC slot keeping less", idleMultiAZ(14), []ReplicationSlot{idle(cdc, 8*gib-1)}, "medium", "", "low", "debezium_orders (logical, pgoutput) 8.0 GiB"},
		{"idle slots adding up", idleMultiAZ(14), []ReplicationSlot{idle(cdc, 4*gib), {Name: "standby_old", RetainedBytes: 4 * gib}}, "medium", "", "medium",
			"debezium_orders (logical, pgoutput) 4.0 GiB, standby_old (physical) 4.0 GiB, against 80.0 GiB"},
		{"a physical slot", idleMultiAZ(14), []ReplicationSlot{phys}, "", "", "low", "standby_old (physical) 1.0 GiB"},
		{"a slot keeping little", idleMultiAZ(14), []ReplicationSlot{{Name: "s", RetainedBytes: 3 << 19}}, "", "", "low", "s (physical) 1.5 MiB"},
		{"a slot keeping bytes", idleMultiAZ(14), []ReplicationSlot{{Name: "s", RetainedBytes: 56}}, "", "", "low", "s (physical) 56 bytes"},
		// A lost slot streams nothing and keeps no WAL, whatever its restart_lsn says (pgstats
		// reports -1 for it; a caller might not).
		{"a lost CDC slot", idleMultiAZ(14), []ReplicationSlot{{Name: "debezium_old", Logical: true, Plugin: "pgoutput", WALStatus: "lost", RetainedBytes: -1}}, "", "", "", ""},
		{"a lost slot with a restart_lsn", idleMultiAZ(14), []ReplicationSlot{{Name: "debezium_old", Logical: true, WALStatus: "lost", RetainedBytes: 8 * gib}}, "", "", "", ""},
		{"a lost slot beside a live one", idleMultiAZ(14), []ReplicationSlot{cdc, {Name: "debezium_old", Logical: true, WALStatus: "lost", RetainedBytes: -1}}, "medium",
			"Logical replication slot debezium_orders streams", "", ""},
		{"an idle slot reserving nothing", idleMultiAZ(14), []ReplicationSlot{{Name: "s", RetainedBytes: -1}}, "", "", "", ""},
		{"an idle slot keeping nothing yet", idleMultiAZ(14), []ReplicationSlot{{Name: "s", RetainedBytes: 0}}, "", "", "", ""},
		{"Aurora", auroraPair(14), []ReplicationSlot{cdc}, "low",
			"Logical replication slot debezium_orders streams the cluster's changes from the writer to consumers outside it (change data capture such as Debezium or AWS DMS, or logical replication subscribers). " +
				"Removing the reader leaves them on the writer, but without a reader a writer failure stops the stream for as long as Aurora takes to recreate the writer", "", ""},
		// Aurora publishes no FreeStorageSpace: what a slot keeps is said, low, however much.
		{"Aurora, an idle slot", auroraPair(14), []ReplicationSlot{idle(cdc, 500*gib)}, "low", "", "low", "debezium_orders (logical, pgoutput) 500.0 GiB. The WAL"},
		{"Aurora, an idle slot, free storage given", withFreeStorage(auroraPair(14), 80), []ReplicationSlot{idle(cdc, 500*gib)}, "low", "", "low", "debezium_orders (logical, pgoutput) 500.0 GiB. The WAL"},
	} {
		in := tc.in
		if in.Postgres == nil {
			in.Postgres = &PostgresFacts{}
		}
		pg := *in.Postgres
		pg.ReplicationSlots = tc.slots
		in.Postgres = &pg
		rec, err := Analyze(in, DefaultPolicy())
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var failure, capacity []Risk
		for _, r := range rec.Risks {
			switch {
			case strings.Contains(r.Description, "Logical replication slot"):
				failure = append(failure, r)
			case strings.Contains(r.Description, "Replication slots with no consumer"):
				capacity = append(capacity, r)
			}
		}
		check := func(what string, got []Risk, category, severity, saying string) {
			t.Helper()
			if severity == "" {
				if len(got) != 0 {
					t.Errorf("%s: %s risk %+v, want none", tc.name, what, got)
				}
				return
			}
			if len(got) != 1 || got[0].Category != category || got[0].Severity != severity || !strings.Contains(got[0].Description, saying) {
				t.Errorf("%s: %s risks %+v, want one %s %s risk saying %q", tc.name, what, got, severity, category, saying)
			}
		}
		check("CDC", failure, "failure", tc.failure, tc.saying)
		check("retained WAL", capacity, "capacity", tc.kept, tc.keeps)
	}
}

// TestReplicationSlotsBehind: a slot whose consumer is connected but keeps at least a tenth of the
// writer's lowest free storage (80 GiB in idleMultiAZ) is a medium capacity risk of its own, one
// keeping less is not (an active slot always keeps what its consumer has yet to confirm), nor any
// where that free storage is not known (Aurora, or no FreeStorageSpace series). What a logical
// slot keeps is measured from its restart_lsn, which a long-running transaction holds back however
// far its consumer confirmed: the risk says so for a logical slot, and does not call its consumer
// behind; for a physical slot only it does not speak of transactions.
func TestReplicationSlotsBehind(t *testing.T) {
	const gib = int64(1 << 30)
	cdc := func(retained int64) ReplicationSlot {
		return ReplicationSlot{Name: "debezium_orders", Logical: true, Plugin: "pgoutput", Active: true, WALStatus: "extended", RetainedBytes: retained}
	}
	noFreeStorage := func(in ClusterInput) ClusterInput {
		in.Nodes = append([]Node(nil), in.Nodes...)
		for i, n := range in.Nodes {
			var kept []Series
			for _, s := range n.Series {
				if s.Metric != MetricFreeStorageSpace {
					kept = append(kept, s)
				}
			}
			in.Nodes[i].Series = kept
		}
		return in
	}
	singleAZ := idleMultiAZ(14)
	singleAZ.Nodes, singleAZ.AlreadySingleNode = singleAZ.Nodes[:1], true
	for _, tc := range []struct {
		name   string
		in     ClusterInput
		slots  []ReplicationSlot
		saying string // "" for no such risk
		idle   bool   // an idle slots' risk too
	}{
		{"a consumer keeping a tenth of the free storage", idleMultiAZ(14), []ReplicationSlot{cdc(8 * gib)},
			"Replication slots with a consumer connected keep WAL from being removed: debezium_orders (logical, pgoutput) 8.0 GiB, against 80.0 GiB free storage at its lowest. A slot keeps the WAL its consumer has yet to confirm", false},
		{"a consumer keeping less", idleMultiAZ(14), []ReplicationSlot{cdc(8*gib - 1)}, "", false},
		{"a consumer keeping none", idleMultiAZ(14), []ReplicationSlot{cdc(-1)}, "", false},
		{"a physical slot's replica behind", idleMultiAZ(14), []ReplicationSlot{{Name: "standby_dr", Active: true, RetainedBytes: 20 * gib}},
			"standby_dr (physical) 20.0 GiB, against 80.0 GiB", false},
		{"each slot on its own", idleMultiAZ(14), []ReplicationSlot{cdc(5 * gib), {Name: "dms", Logical: true, Active: true, RetainedBytes: 5 * gib}}, "", false},
		{"beside an idle slot", idleMultiAZ(14), []ReplicationSlot{cdc(9 * gib), {Name: "standby_old", RetainedBytes: gib}},
			"debezium_orders (logical, pgoutput) 9.0 GiB, against", true},
		{"a lost slot", idleMultiAZ(14), []ReplicationSlot{{Name: "debezium_old", Logical: true, Active: true, WALStatus: "lost", RetainedBytes: 20 * gib}}, "", false},
		{"on a Single-AZ instance", singleAZ, []ReplicationSlot{cdc(8 * gib)}, "debezium_orders (logical, pgoutput) 8.0 GiB, against 80.0 GiB", false},
		{"no free storage known", noFreeStorage(idleMultiAZ(14)), []ReplicationSlot{cdc(500 * gib)}, "", false},
		{"Aurora", withFreeStorage(auroraPair(14), 80), []ReplicationSlot{cdc(500 * gib)}, "", false},
	} {
		in := tc.in
		pg := PostgresFacts{}
		if in.Postgres != nil {
			pg = *in.Postgres
		}
		pg.ReplicationSlots = tc.slots
		in.Postgres = &pg
		rec, err := Analyze(in, DefaultPolicy())
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var behind []Risk
		idle := false
		for _, r := range rec.Risks {
			switch {
			case strings.Contains(r.Description, "Replication slots with a consumer connected"):
				behind = append(behind, r)
			case strings.Contains(r.Description, "Replication slots with no consumer"):
				idle = true
			}
		}
		switch {
		case tc.saying == "" && len(behind) != 0:
			t.Errorf("%s: risks %+v, want none for a connected consumer", tc.name, behind)
		case tc.saying != "" && (len(behind) != 1 || behind[0].Category != "capacity" || behind[0].Severity != "medium" || !strings.Contains(behind[0].Description, tc.saying)):
			t.Errorf("%s: risks %+v, want one medium capacity risk saying %q", tc.name, behind, tc.saying)
		}
		if len(behind) == 1 {
			logical := false
			for _, s := range tc.slots {
				logical = logical || (s.Logical && s.Active)
			}
			const txn = "however far its consumer has confirmed (confirmed_flush_lsn), keeps all WAL since the start of the oldest transaction with writes still open at that position"
			if d := behind[0].Description; strings.Contains(d, txn) != logical || strings.Contains(d, "that transaction ends") != logical {
				t.Errorf("%s: %q, want the long-running transaction that holds a logical slot back named (%v), and only then", tc.name, d, logical)
			}
		}
		if idle != tc.idle {
			t.Errorf("%s: idle slots' risk %v, want %v", tc.name, idle, tc.idle)
		}
	}
}

// TestReplicationSlotsValidated: a slot without a name, or with retained WAL below -1 (unknown),
// is refused.
func TestReplicationSlotsValidated(t *testing.T) {
	for _, s := range []ReplicationSlot{{Name: ""}, {Name: "s", RetainedBytes: -2}} {
		in := idleMultiAZ(14)
		pg := *in.Postgres
		pg.ReplicationSlots = []ReplicationSlot{s}
		in.Postgres = &pg
		if _, err := Analyze(in, DefaultPolicy()); err == nil || !strings.Contains(err.Error(), "replication slot") {
			t.Errorf("slot %+v: %v, want it refused", s, err)
		}
	}
}

// withFreeStorage gives in's writer a FreeStorageSpace series of gibFree GiB at each of its CPU
// series' timestamps.
func withFreeStorage(in ClusterInput, gibFree float64) ClusterInput {
	in.Nodes = append([]Node(nil), in.Nodes...)
	for i, n := range in.Nodes {
		if n.Role != RoleWriter {
			continue
		}
		for _, s := range n.Series {
			if s.Metric == MetricCPU {
				f := cloneSeries(s)
				f.Metric, f.Unit = MetricFreeStorageSpace, "Bytes"
				for j := range f.Values {
					f.Values[j] = gibFree * (1 << 30)
				}
				in.Nodes[i].Series = append(append([]Series(nil), n.Series...), f)
			}
		}
	}
	return in
}

// TestPerformanceEvidenceCommitLatency: the performance evidence of a Multi-AZ instance says that
// its commits stop waiting for the standby's synchronous copy; not an Aurora cluster's (whose
// writer does not wait for its reader), that of an instance already Single-AZ, nor that of a
// Multi-AZ read replica, which takes no writes (its replay is said instead).
func TestPerformanceEvidenceCommitLatency(t *testing.T) {
	const say = "writes stop waiting for the standby's synchronous copy in another AZ, so commit latency can fall"
	single := idleMultiAZ(14)
	single.Nodes, single.AlreadySingleNode = single.Nodes[:1], true
	// A Multi-AZ read replica takes no writes: only its replay waits for its standby.
	replica := idleMultiAZ(14)
	replica.ReplicaSource = "sso-primary"
	const replay = "its replay of sso-primary's writes stops waiting for the standby's synchronous copy in another AZ (a read replica takes no writes of its own, so no client's commit latency changes)"
	for _, tc := range []struct {
		name string
		in   ClusterInput
		want bool
	}{{"Multi-AZ", idleMultiAZ(14), true}, {"Aurora", auroraPair(14), false}, {"already Single-AZ", single, false}, {"Multi-AZ read replica", replica, false}} {
		rec, err := Analyze(tc.in, DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(rec.Matrix.Rows[0].Evidence, say); rec.Matrix.Rows[0].Criterion != "performance" || got != tc.want {
			t.Errorf("%s: performance evidence %q, want it to say so: %v", tc.name, rec.Matrix.Rows[0].Evidence, tc.want)
		}
		if got := strings.Contains(rec.Matrix.Rows[0].Evidence, replay); got != (tc.name == "Multi-AZ read replica") {
			t.Errorf("%s: performance evidence %q, want the replica's replay said: %v", tc.name, rec.Matrix.Rows[0].Evidence, !got)
		}
	}
}

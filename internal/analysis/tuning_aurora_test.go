package analysis

import (
	"maps"
	"slices"
	"testing"
)

// TestTuneAurora: Aurora PostgreSQL gets only parameters its DB (instance) parameter group can take, and
// keeps its buffer cache at the Aurora default instead of RDS's RAM/4.
func TestTuneAurora(t *testing.T) {
	in := TuneInput{PeakConnections: 100, HeadroomPercent: 20, KeptMaxConnections: 100, Topology: TopologyAurora}
	got := Tune(classR6gLarge, in)
	// Not in the Aurora PostgreSQL parameter reference (setting them fails), cluster-level (wal_buffers,
	// which RDS does not get either), or not modifiable (effective_io_concurrency).
	for _, k := range []string{"min_wal_size", "max_wal_size", "checkpoint_completion_target", "wal_buffers", "effective_io_concurrency"} {
		if v, ok := got[k]; ok {
			t.Errorf("Aurora gets %s = %s", k, v)
		}
	}
	// Aurora's default, about 68% of memory, not 4 GiB of the 16.
	for _, k := range []string{"shared_buffers", "effective_cache_size"} {
		if got[k] != "SUM({DBInstanceClassMemory/12038},-50003)" {
			t.Errorf("%s = %s, want Aurora's default formula", k, got[k])
		}
		if ParameterUnits[k] != "8kB" {
			t.Errorf("%s unit %q: the formula resolves to 8kB pages", k, ParameterUnits[k])
		}
		if h := humanParameter(k, got[k]); h != "Aurora default: 68% of DBInstanceClassMemory − 391MB" {
			t.Errorf("human %s %q", k, h)
		}
	}
	// work_mem against Aurora's buffer cache: (16 GiB − (16 GiB / 12038 − 50003) × 8 kB) / ((153 + 8) × 3).
	// maintenance_work_mem a sixteenth of the same, in whole MB: 351 MB, not RAM/16 (1 GiB) on top of the cache.
	want := map[string]string{"max_connections": "153", "work_mem": "11925", "maintenance_work_mem": "359424",
		"random_page_cost": "1.1", "max_worker_processes": "8", "default_statistics_target": "100"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := ParameterUnits[k]; !ok {
			t.Errorf("%s has no unit entry", k)
		}
	}

	// RDS (Multi-AZ, or the zero value until a caller says which) keeps the full pgtune set.
	in.FreeStorageBytes = 100 << 30 // Aurora ignores it; RDS sizes its WAL by it
	if aur := Tune(classR6gLarge, TuneInput{PeakConnections: 100, HeadroomPercent: 20, KeptMaxConnections: 100, Topology: TopologyAurora, FreeStorageBytes: in.FreeStorageBytes}); !maps.Equal(aur, got) {
		t.Errorf("Aurora with free storage: %v, want %v", aur, got)
	}
	for _, topo := range []Topology{"", TopologyMultiAZ} {
		in.Topology = topo
		rds := Tune(classR6gLarge, in)
		if rds["shared_buffers"] != RDSSharedBuffersFormula || rds["effective_cache_size"] != RDSCacheFormula || rds["work_mem"] != "26051" ||
			rds["max_wal_size"] != "8192" || rds["effective_io_concurrency"] != "200" {
			t.Errorf("topology %q: %v", topo, rds)
		}
		if _, ok := rds["wal_buffers"]; ok {
			t.Errorf("topology %q: wal_buffers %s, want PostgreSQL's own (1/32 of shared_buffers up to a 64 MiB WAL segment)", topo, rds["wal_buffers"])
		}
		if extra := slices.Sorted(maps.Keys(rds)); len(extra) != len(got)+4 {
			t.Errorf("topology %q: %d parameters %v, want Aurora's %d plus the 4 Aurora cannot take", topo, len(extra), extra, len(got))
		}
	}
}

// TestTuneAuroraGroupSharedBuffers: on Aurora a parameter group's shared_buffers is kept (for
// effective_cache_size too) and sizes maintenance_work_mem on what it leaves, at least PostgreSQL's
// default 64 MB where that is next to nothing; one that does not fit the class leaves Aurora's
// default; RDS ignores it.
func TestTuneAuroraGroupSharedBuffers(t *testing.T) {
	for _, tc := range []struct {
		buffers, wantShared, wantMaint string
		topo                           Topology
	}{
		{"{DBInstanceClassMemory/32768}", "{DBInstanceClassMemory/32768}", "786432", TopologyAurora}, // 12 GiB left / 16
		{"{DBInstanceClassMemory/8193}", "{DBInstanceClassMemory/8193}", "65536", TopologyAurora},    // 2 MiB left
		{"{DBInstanceClassMemory/8192}", AuroraBufferFormula, "359424", TopologyAurora},              // all of it: not kept
		{"{DBInstanceClassMemory/32768}", RDSSharedBuffersFormula, "1048576", TopologyMultiAZ},
	} {
		p := Tune(classR6gLarge, TuneInput{HeadroomPercent: 20, Topology: tc.topo, SharedBuffers: tc.buffers})
		if p["shared_buffers"] != tc.wantShared || p["maintenance_work_mem"] != tc.wantMaint ||
			(tc.topo == TopologyAurora && p["effective_cache_size"] != tc.wantShared) {
			t.Errorf("%s %s: %v", tc.topo, tc.buffers, p)
		}
	}
}

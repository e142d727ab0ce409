package analysis

import (
	"strconv"
	"testing"
)

// TestTuneWorkers: max_worker_processes is at least RDS's and Aurora's default GREATEST(vCPU×2, 8), and
// parallel query leaves slots of it to other background workers (logical replication, extensions).
func TestTuneWorkers(t *testing.T) {
	for _, vcpu := range []float64{1, 2, 4, 8, 16, 64, 96} {
		for _, topo := range []Topology{TopologyMultiAZ, TopologyAurora} {
			p := Tune(InstanceClass{Name: "db.x", VCPU: vcpu, MemoryGiB: 8 * vcpu}, TuneInput{PeakConnections: 100, Topology: topo})
			n := func(k string) int {
				v, err := strconv.Atoi(p[k])
				if err != nil {
					t.Fatalf("%v vCPU: %s = %q", vcpu, k, p[k])
				}
				return v
			}
			workers, parallel := n("max_worker_processes"), n("max_parallel_workers")
			if want := max(8, 2*int(vcpu)); workers < want {
				t.Errorf("%v vCPU %s: max_worker_processes %d below RDS's default %d", vcpu, topo, workers, want)
			}
			if parallel < 1 || parallel > workers-4 {
				t.Errorf("%v vCPU %s: max_parallel_workers %d leaves fewer than 4 of max_worker_processes %d", vcpu, topo, parallel, workers)
			}
			if g, m := n("max_parallel_workers_per_gather"), n("max_parallel_maintenance_workers"); g > parallel || m > parallel || g < 1 {
				t.Errorf("%v vCPU %s: per gather %d, maintenance %d, max_parallel_workers %d", vcpu, topo, g, m, parallel)
			}
		}
	}
}

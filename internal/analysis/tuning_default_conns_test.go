package analysis

import (
	"strconv"
	"testing"
)

// TestTuneDefaultMaxConnectionsBelowNominal: with the kept max_connections unknown, the node gets
// RDS's default LEAST({DBInstanceClassMemory/9531392},5000), and DBInstanceClassMemory is less than
// the class's memory (about 72% of it on a 1 GiB class: 81 connections, not the 112 the nominal
// memory gives). A peak whose need (peak × 1.2 / 0.8, rounded up to ten, + 3) lies between the two
// must not be left to the default: max_connections is recommended, never below the nominal default
// (a cut of whatever RDS gives) nor the need.
func TestTuneDefaultMaxConnectionsBelowNominal(t *testing.T) {
	micro := InstanceClass{Name: "db.t4g.micro", VCPU: 2, MemoryGiB: 1}
	small := InstanceClass{Name: "db.t4g.small", VCPU: 2, MemoryGiB: 2}
	for _, tc := range []struct {
		c    InstanceClass
		peak float64
		need int
	}{
		{micro, 62, 103},  // 93 → 100 + 3: above the 81 RDS gives, below the nominal 112
		{micro, 70, 113},  // above the nominal default too: the need itself
		{small, 130, 203}, // 195 → 200 + 3: below the nominal 225, above 60% of it
	} {
		for _, topo := range []Topology{TopologyMultiAZ, TopologyAurora} {
			p := Tune(tc.c, TuneInput{PeakConnections: tc.peak, HeadroomPercent: 20, Topology: topo})
			got, err := strconv.Atoi(p["max_connections"])
			nominal := int(rdsDefaultMaxConnections(tc.c))
			if err != nil || got < tc.need || got < nominal {
				t.Errorf("%s %s peak %v: max_connections %q, want at least %d (need) and %d (nominal default)",
					tc.c.Name, topo, tc.peak, p["max_connections"], tc.need, nominal)
			}
		}
	}
	// A peak far below the lowest the default can be (60% of the nominal) leaves it out.
	if p := Tune(micro, TuneInput{PeakConnections: 20, HeadroomPercent: 20}); p["max_connections"] != "" {
		t.Errorf("db.t4g.micro peak 20 (need 33): max_connections %q, want it left out", p["max_connections"])
	}
}

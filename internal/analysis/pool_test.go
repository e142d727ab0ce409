package analysis

import (
	"fmt"
	"testing"
)

// TestAnalyzeResultsOwnTheirMemory checks that pooled buffers (hourly
// aggregates, chart lines, scan scratch) never end up shared with a returned
// Recommendation: results formatted right after Analyze are unchanged after
// further calls on other data have reused the pools. The Multi-AZ cluster's projected CPU
// reuses the writer's hourly aggregates (a single unscaled part), which must
// therefore not be recycled.
func TestAnalyzeResultsOwnTheirMemory(t *testing.T) {
	cl, _ := makeFleet(8, 4)
	maz := ClusterInput{Name: "maz", Topology: TopologyMultiAZ, CurrentHourlyUSD: 0.45, Candidates: cl[1].Candidates,
		Nodes: []Node{cl[1].Nodes[0], {ID: "maz-standby", Role: RoleStandby, Class: classR6gLarge}}}
	inputs := []ClusterInput{maz, cl[0], cl[1]}
	recs := make([]Recommendation, len(inputs))
	before := make([]string, len(inputs))
	for i, in := range inputs {
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatalf("%s: %v", in.Name, err)
		}
		recs[i], before[i] = rec, fmt.Sprintf("%+v", rec)
	}
	if len(recs[0].Projection.cpuH.mean) == 0 {
		t.Fatal("the Multi-AZ projection has no hourly CPU aggregates")
	}
	for range 2 { // other data into the same pools
		for _, in := range cl[2:] {
			if _, err := Analyze(in, Policy{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, rec := range recs {
		if got := fmt.Sprintf("%+v", rec); got != before[i] {
			t.Errorf("%s: the recommendation changed after later calls (it shares pooled memory)", inputs[i].Name)
		}
	}
}

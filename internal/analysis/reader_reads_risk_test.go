package analysis

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// On Aurora the readers' queries move to the writer: a medium capacity risk when the readers read
// clearly more from the cluster volume than the writer (half as much again, and at least 100 IOPS:
// a working set the writer's cache does not hold), naming them and both p95s; otherwise, or
// without ReadIOPS, the low generic one.
func TestReaderReadsRisk(t *testing.T) {
	node := func(id string, role Role, p95 float64) NodeAnalysis {
		n := NodeAnalysis{ID: id, Role: role}
		if p95 == p95 {
			n.Summaries = []Summary{{Metric: MetricReadIOPS, Count: 100, P95: p95}}
		}
		return n
	}
	nan := math.NaN() // not measured
	for _, tc := range []struct {
		name  string
		nodes []NodeAnalysis
		want  string
	}{
		{"reader reads more", []NodeAnalysis{node("w", RoleWriter, 800), node("r", RoleReader, 1200)},
			"capacity medium the reader r reads 1200 IOPS (p95) from the cluster volume, 1.5 times the writer's 800"},
		{"idle writer", []NodeAnalysis{node("w", RoleWriter, 0), node("r", RoleReader, 150)},
			"capacity medium the reader r reads 150 IOPS (p95) from the cluster volume, while the writer reads next to none"},
		{"two readers", []NodeAnalysis{node("w", RoleWriter, 100), node("r1", RoleReader, 100), node("r2", RoleReader, 100)},
			"capacity medium the readers r1, r2 read 200 IOPS (p95) from the cluster volume, 2.0 times the writer's 100"},
		{"writer reads more", []NodeAnalysis{node("w", RoleWriter, 800), node("r", RoleReader, 300)}, "failure low Read traffic moves to the writer"},
		{"a little more", []NodeAnalysis{node("w", RoleWriter, 800), node("r", RoleReader, 1100)}, "failure low Read traffic moves to the writer"},
		{"next to nothing", []NodeAnalysis{node("w", RoleWriter, 0), node("r", RoleReader, 0.4)}, "failure low Read traffic moves to the writer"},
		{"below the floor", []NodeAnalysis{node("w", RoleWriter, 20), node("r", RoleReader, 99)}, "failure low Read traffic moves to the writer"},
		{"reader not measured", []NodeAnalysis{node("w", RoleWriter, 800), node("r", RoleReader, nan)}, "failure low Read traffic moves to the writer"},
		{"writer not measured", []NodeAnalysis{node("w", RoleWriter, nan), node("r", RoleReader, 1200)}, "failure low Read traffic moves to the writer"},
	} {
		var got []string
		readerReadsRisk(tc.nodes, func(cat, sev, format string, a ...any) {
			got = append(got, cat+" "+sev+" "+fmt.Sprintf(format, a...))
		})
		if len(got) != 1 || !strings.HasPrefix(strings.Replace(got[0], "Read traffic moves to the writer; a heavy analytic query can now slow writes; ", "", 1), tc.want) {
			t.Errorf("%s: %q, want one starting %q", tc.name, got, tc.want)
		}
	}
}

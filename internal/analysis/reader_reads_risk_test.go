package analysis

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// On Aurora the readers' queries move to the writer: a medium capacity risk when the readers read
// more from the cluster volume than the writer (a working set the writer's cache does not hold),
// naming them and both p95s; otherwise, or without ReadIOPS, the low generic one.
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
			"capacity medium the reader r reads 1200 IOPS (p95) from the cluster volume, more than the writer's 800"},
		{"writer reads more", []NodeAnalysis{node("w", RoleWriter, 800), node("r", RoleReader, 300)}, "failure low Read traffic moves to the writer"},
		{"as much", []NodeAnalysis{node("w", RoleWriter, 800), node("r", RoleReader, 800)}, "failure low Read traffic moves to the writer"},
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

package analysis

import (
	"math"
	"strings"
	"testing"
	"time"
)

// The same single-node load on a db.r6g.large gets the same window advice, risks and migration
// window whether it is a downsize from a db.r6g.xlarge writer (the projection is in percent of the
// xlarge's vCPUs) or was measured on a db.r6g.large writer: everything judged against the alert
// threshold is in percent of the recommended class, like the capacity checks.
func TestCPUAdviceOnRecommendedClass(t *testing.T) {
	cpu := func(tt time.Time, _ int) float64 { return 8 + 6*math.Sin(2*math.Pi*float64(tt.Hour())/24) }
	l := load{
		MetricCPU:            cpu,
		MetricFreeableMemory: func(time.Time, int) float64 { return 24 * gib },
		MetricReadIOPS:       func(time.Time, int) float64 { return 50 },
		MetricWriteIOPS:      func(time.Time, int) float64 { return 50 },
		MetricConnections:    func(time.Time, int) float64 { return 20 },
	}
	down, err := Analyze(ClusterInput{Name: "db", Topology: TopologyMultiAZ, Nodes: []Node{
		{ID: "db", Role: RoleWriter, Class: classR6gXLarge, Series: seriesOf(l, 14, 5*time.Minute)},
		{ID: "db-standby", Role: RoleStandby, Class: classR6gXLarge},
	}, CurrentHourlyUSD: 0.96, BackupWindow: "06:00-06:30", Candidates: []Candidate{
		{Class: classR6gXLarge, SingleNodeHourlyUSD: 0.48}, {Class: classR6gLarge, SingleNodeHourlyUSD: 0.24},
	}}, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	// What the large node really runs: twice the xlarge's percentage, with 8 GiB less free memory.
	l[MetricCPU] = func(tt time.Time, i int) float64 { return 2 * cpu(tt, i) }
	l[MetricFreeableMemory] = func(time.Time, int) float64 { return 8 * gib }
	same, err := Analyze(ClusterInput{Name: "db", Topology: TopologyMultiAZ, Nodes: []Node{
		{ID: "db", Role: RoleWriter, Class: classR6gLarge, Series: seriesOf(l, 14, 5*time.Minute)},
		{ID: "db-standby", Role: RoleStandby, Class: classR6gLarge},
	}, CurrentHourlyUSD: 0.48, BackupWindow: "06:00-06:30", Candidates: []Candidate{{Class: classR6gLarge, SingleNodeHourlyUSD: 0.24}}}, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if down.RecommendedClass != "db.r6g.large" || same.RecommendedClass != "db.r6g.large" {
		t.Fatalf("recommended %s and %s, want db.r6g.large", down.RecommendedClass, same.RecommendedClass)
	}
	risk := func(rec Recommendation, match func(Risk) bool) string {
		for _, r := range rec.Risks {
			if match(r) {
				return "[" + r.Severity + "] " + r.Description
			}
		}
		return ""
	}
	for _, m := range []struct {
		name  string
		match func(Risk) bool
	}{
		{"backup", func(r Risk) bool { return r.Category == "backup" && strings.Contains(r.Description, "06:00-06:30") }},
		{"busiest hours", func(r Risk) bool { return strings.HasPrefix(r.Description, "Busiest hours") }},
	} {
		a, b := risk(down, m.match), risk(same, m.match)
		if a == "" || a != b {
			t.Errorf("%s risk after a downsize %q, measured on the class %q", m.name, a, b)
		}
	}
	if math.Abs(down.Windows.Backup.PeakLoad-same.Windows.Backup.PeakLoad) > 0.01 ||
		math.Abs(down.MigrationWindow.ExpectedLoad-same.MigrationWindow.ExpectedLoad) > 0.01 {
		t.Errorf("backup window load %v vs %v, migration window load %v vs %v", down.Windows.Backup.PeakLoad, same.Windows.Backup.PeakLoad,
			down.MigrationWindow.ExpectedLoad, same.MigrationWindow.ExpectedLoad)
	}
	if !strings.Contains(down.Charts["heatmap.svg"], "projected CPU on db.r6g.large") ||
		!strings.Contains(down.Charts["cpu.svg"], "single node on db.r6g.large (projected)") {
		t.Errorf("charts do not name the class their projected lines are in")
	}
}

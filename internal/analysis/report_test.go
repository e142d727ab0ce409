package analysis

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// golden compares got with testdata/golden/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run with -update if the change is intended)", name, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", name, len(gl), len(wl))
	}
}

// wellFormedSVG parses s as XML and checks the root element is <svg>.
func wellFormedSVG(t *testing.T, name, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
			if se.Name.Space != "http://www.w3.org/2000/svg" {
				t.Errorf("%s: namespace %q", name, se.Name.Space)
			}
		}
	}
	if root != "svg" {
		t.Fatalf("%s: root element %q", name, root)
	}
}

func TestReportGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   ClusterInput
	}{
		{"sso-prod", withWindows(idleMultiAZ(14), "03:00-03:30", "sun:05:00-sun:05:30", PendingMaintenance{
			Resource: "sso-prod", Action: "system-update", Description: "New Operating System update is available",
			AutoAppliedAfter: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})},
		{"mandible-prod", withWindows(auroraPair(14), "", "mon:15:00-mon:15:30")},
		{"short", idleMultiAZ(3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Analyze(tc.in, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "report_"+tc.name+".md", rec.ReportMarkdown)
			for _, section := range []string{"## Verdict", "## Checks", "## Projected single-node utilization", "## Nodes",
				"## Workload pattern", "## Decision matrix", "## Risks", "## Cost", "## Instance class options",
				"## Recommended PostgreSQL parameters", "## Migration window", "## Backup and maintenance windows", "## Rollback triggers", "## Charts"} {
				if !strings.Contains(rec.ReportMarkdown, "\n"+section+"\n") {
					t.Errorf("report lacks %q", section)
				}
			}
			if len(rec.Charts) != 4 {
				t.Errorf("%d charts", len(rec.Charts))
			}
			for file, svg := range rec.Charts {
				wellFormedSVG(t, file, svg)
				if tc.name == "sso-prod" {
					golden(t, tc.name+"_"+file, svg)
				}
			}
		})
	}
}

func TestChartsShowThresholdsAndNodes(t *testing.T) {
	rec, err := Analyze(auroraPair(14), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	cpu := rec.Charts["cpu.svg"]
	a, ok := cpuAlarm(rec.RollbackTriggers)
	if !ok || a.Threshold == rec.Policy.AlertThresholdPercent {
		t.Fatalf("fixture: the CPU alarm %+v must differ from the check's limit", a)
	}
	for _, want := range []string{"mandible-prod-1 (writer)", "mandible-prod-2 (reader)", "single node (projected)",
		"check limit, p99 + headroom (40)", "p99 limit before headroom (33.3)", "rollback alarm fires above (" + shortNum(a.Threshold) + ")"} {
		if !strings.Contains(cpu, want) {
			t.Errorf("cpu.svg lacks %q", want)
		}
	}
	if strings.Contains(cpu, "alert threshold") {
		t.Error("cpu.svg calls the check's limit an alert threshold")
	}
	if n := strings.Count(rec.Charts["heatmap.svg"], `stroke="#ffffff"><title>`); n != 168 {
		t.Errorf("heatmap has %d cells", n)
	}
	for file, wants := range map[string][]string{
		// The checks on memory and IOPS take the same headroom as CPU; the IOPS limit is on
		// reads and writes together, whose alarms watch each alone (not drawn).
		"memory.svg": {"check limit, p99 + headroom (80)", "p99 limit before headroom (66.7)"},
		"iops.svg":   {"read+write check limit, p99 + headroom (1440)", "read+write p99 limit before headroom (1200)"},
	} {
		for _, want := range wants {
			if !strings.Contains(rec.Charts[file], want) {
				t.Errorf("%s lacks %q", file, want)
			}
		}
		if strings.Contains(rec.Charts[file], "rollback alarm") || strings.Contains(rec.Charts[file], "alert threshold") {
			t.Errorf("%s draws a line that is not its own", file)
		}
	}
	if !strings.Contains(rec.ReportMarkdown, "ReadIOPS and WriteIOPS separately") {
		t.Error("the report does not say the IOPS alarms are not drawn")
	}
}

func TestSVGDegenerate(t *testing.T) {
	nan := math.NaN()
	for name, svg := range map[string]string{
		"empty":      TimeSeriesSVG("empty <chart> & co", "percent", t0, nil, nil),
		"nan":        TimeSeriesSVG("nan", "percent", t0, []ChartLine{{Label: "a", Hourly: []float64{nan, nan}}}, []ChartThreshold{{Label: "t", Value: nan}}),
		"single":     TimeSeriesSVG("one", "x", t0, []ChartLine{{Label: "a", Hourly: []float64{3}}}, nil),
		"gap":        TimeSeriesSVG("gap", "x", t0, []ChartLine{{Label: "a", Hourly: []float64{1, 2, nan, 3, 4}}}, nil),
		"heat-bad":   HeatmapSVG("bad", Profile{Mean: []float64{1}}, 40),
		"heat-empty": HeatmapSVG("empty", flatProfile(nan), 0),
	} {
		wellFormedSVG(t, name, svg)
	}
	gap := TimeSeriesSVG("gap", "x", t0, []ChartLine{{Label: "a", Hourly: []float64{1, 2, nan, 3, 4}}}, nil)
	if strings.Count(gap, " M") != 1 || !strings.Contains(gap, `d="M`) {
		t.Errorf("a NaN must break the line into two subpaths: %s", gap)
	}
	if !strings.Contains(TimeSeriesSVG("esc <&>", "", t0, nil, nil), "esc &lt;&amp;&gt;") {
		t.Error("title not escaped")
	}
}

func TestNiceCeilAndShortNum(t *testing.T) {
	for v, want := range map[float64]float64{0: 1, -3: 1, 0.7: 1, 1: 1, 1.2: 2, 2.2: 2.5, 3: 5, 42: 50, 101: 200, 4e9: 5e9} {
		if got := niceCeil(v); math.Abs(got-want) > 1e-9*want {
			t.Errorf("niceCeil(%v) = %v, want %v", v, got, want)
		}
	}
	for v, want := range map[float64]string{0: "0", 0.25: "0.250", 3.3: "3.3", 250: "250", 15000: "15k", 1.04e6: "1M", 2.5e6: "2.5M", 8.6e9: "8.6G"} {
		if got := shortNum(v); got != want {
			t.Errorf("shortNum(%v) = %s, want %s", v, got, want)
		}
	}
}

func TestReportEscapesAndFormats(t *testing.T) {
	rec := Recommendation{Cluster: "a|b", Verdict: VerdictKeep, Policy: DefaultPolicy(),
		Reasons: []Reason{{Check: "c", Value: math.NaN(), Limit: math.Inf(1), Comparison: "<=", Message: "line1\nline2"}}}
	md := Report(rec)
	for _, want := range []string{`# Right-size report: a\|b`, "| n/a | <= inf |", "line1 line2", "Not determined"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if num(-0.0001, 2) != "0.00" {
		t.Errorf("negative zero: %s", num(-0.0001, 2))
	}
}

// TestReportEmptyMetrics: a metric without any datapoint (one the node does
// not publish) is named below its node's table instead of filling a row with
// n/a.
func TestReportEmptyMetrics(t *testing.T) {
	nan := math.NaN()
	rec := Recommendation{Cluster: "c", Verdict: VerdictKeep, Policy: DefaultPolicy(), Nodes: []NodeAnalysis{{
		ID: "c-1", Role: RoleWriter, Class: classT4gMedium,
		Summaries: []Summary{
			{Metric: MetricAuroraReplicaLag, Unit: "Milliseconds", Expected: 100, Mean: nan, Min: nan, Max: nan, P50: nan, P95: nan, P99: nan},
			{Metric: MetricCPU, Unit: "Percent", Count: 100, Expected: 100, Coverage: 1, Mean: 5, Min: 1, Max: 9, P50: 5, P95: 8, P99: 9},
			{Metric: MetricFreeStorageSpace, Unit: "Bytes", Expected: 100, Mean: nan, Min: nan, Max: nan, P50: nan, P95: nan, P99: nan},
		},
	}}}
	md := Report(rec)
	if !strings.Contains(md, "| CPUUtilization | Percent | 100.0% |") {
		t.Errorf("the CPU row is missing:\n%s", md)
	}
	if strings.Contains(md, "| AuroraReplicaLag |") || strings.Contains(md, "| FreeStorageSpace |") {
		t.Errorf("a metric without datapoints has a row:\n%s", md)
	}
	if !strings.Contains(md, "No datapoints in the window: AuroraReplicaLag, FreeStorageSpace.") {
		t.Errorf("the metrics without datapoints are not named:\n%s", md)
	}
}

func TestQty(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		unit string
		want string
	}{
		{2314437579.78, "Bytes", "2.16 GiB"},
		{3 << 20, "Bytes", "3.00 MiB"},
		{1536, "bytes", "1.50 KiB"},
		{1023, "Bytes", "1023.00"},
		{5 << 40, "Bytes", "5.00 TiB"},
		{-2 << 30, "Bytes", "-2.00 GiB"},
		{483052.31, "Bytes/Second", "483.05 kB/s"},
		{12.8e6, "bytes/second", "12.80 MB/s"},
		{999, "Bytes/Second", "999.00"},
		{2.5e9, "Bytes/Second", "2.50 GB/s"},
		{118.4, "Count/Second", "118.40"},
		{2e9, "Count", "2000000000.00"},
		{math.NaN(), "Bytes", "n/a"},
		{math.Inf(1), "Bytes", "inf"},
		{0, "Bytes", "0.00"},
	} {
		if got := qty(tc.v, tc.unit, 2); got != tc.want {
			t.Errorf("qty(%v, %q) = %q, want %q", tc.v, tc.unit, got, tc.want)
		}
	}
}

func ExampleHeatmapSVG() {
	p := Profile{Metric: "CPUUtilization", Unit: "percent", Mean: make([]float64, HoursPerWeek)}
	p.Mean[1*24+9] = 40 // Monday 09:00 at the limit: full red
	svg := HeatmapSVG("CPU by hour of week", p, 40)
	fmt.Println(strings.Contains(svg, `fill="#ff0000" stroke="#ffffff"><title>Monday 09:00 UTC: 40</title>`))
	// Output: true
}

func ExampleTimeSeriesSVG() {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	svg := TimeSeriesSVG("CPU", "percent", start, []ChartLine{{Label: "writer", Hourly: []float64{10, 20, 15}}},
		[]ChartThreshold{{Label: "alert threshold", Value: 40}})
	fmt.Println(strings.HasPrefix(svg, "<svg"), bytes.Count([]byte(svg), []byte("<path")))
	// Output: true 1
}

func ExampleReport() {
	rec := Recommendation{Cluster: "sso-prod", Verdict: VerdictConsolidate, SingleNodeSufficient: true, Confidence: 0.8,
		Policy: DefaultPolicy(), Cost: Cost(0.318, 0.159, "db.m6g.large", SavingsTarget{})}
	md := Report(rec)
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "- **Verdict") || strings.HasPrefix(line, "| savings |") {
			fmt.Println(line)
		}
	}
	// Output:
	// - **Verdict:** `consolidate`
	// | savings | 116.07 |
}

func TestAppendFixed1(t *testing.T) {
	for v, want := range map[float64]string{0: "0.0", 1.25: "1.3", -1.25: "-1.3", 276: "276.0", 34.04: "34.0", 0.05: "0.1", -0.04: "0.0", 1e16: "10000000000000000.0"} {
		if got := string(appendFixed1(nil, v)); got != want {
			t.Errorf("appendFixed1(%v) = %q, want %q", v, got, want)
		}
	}
}

// withWindows sets in's backup and maintenance windows and pending maintenance.
func withWindows(in ClusterInput, backup, maintenance string, pending ...PendingMaintenance) ClusterInput {
	in.BackupWindow, in.MaintenanceWindow, in.PendingMaintenance = backup, maintenance, pending
	return in
}

// TestReportChangeSectionsFollowVerdict: the migration window and the rollback triggers are
// advice for a consolidation; a report whose verdict is keep or insufficient-data says so in
// them rather than planning the change, and an insufficient-data report suggests no window
// from its incomplete data.
func TestReportChangeSectionsFollowVerdict(t *testing.T) {
	section := func(md, name string) string {
		_, rest, _ := strings.Cut(md, "\n## "+name+"\n")
		body, _, _ := strings.Cut(rest, "\n## ")
		return body
	}
	for _, tc := range []struct {
		name    string
		in      ClusterInput
		verdict Verdict
		window  bool // the migration window shown, marked as conditional
	}{
		{"keep", auroraPair(14), VerdictKeep, true},
		{"insufficient", idleMultiAZ(3), VerdictInsufficient, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Analyze(tc.in, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			if rec.Verdict != tc.verdict || !rec.MigrationWindow.Known {
				t.Fatalf("fixture: verdict %s, window %+v", rec.Verdict, rec.MigrationWindow)
			}
			mw, rb := section(rec.ReportMarkdown, "Migration window"), section(rec.ReportMarkdown, "Rollback triggers")
			applies := "Applies only to a consolidation, and the verdict is `" + string(tc.verdict) + "`"
			if !strings.Contains(mw, applies) {
				t.Errorf("migration window does not say it applies only to a consolidation:\n%s", mw)
			}
			if got := strings.Contains(mw, "UTC for 2 hours"); got != tc.window {
				t.Errorf("window shown %t, want %t:\n%s", got, tc.window, mw)
			}
			if tc.window && !strings.Contains(mw, "Were one node on "+rec.RecommendedClass+" chosen despite the verdict, the window would be") {
				t.Errorf("the window is not marked as conditional:\n%s", mw)
			}
			if !strings.Contains(rb, "These alarms apply only to a consolidation, and the verdict is `"+string(tc.verdict)+"`") ||
				strings.Contains(rb, "when an alarm fires") || strings.Contains(rb, "the single node carries the same load") {
				t.Errorf("rollback triggers read as if the change were made:\n%s", rb)
			}
		})
	}
	// A consolidation keeps its plan.
	rec, err := Analyze(idleMultiAZ(14), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictConsolidate || strings.Contains(rec.ReportMarkdown, "Applies only to a consolidation") ||
		!strings.Contains(section(rec.ReportMarkdown, "Rollback triggers"), "The standby served nothing") {
		t.Errorf("consolidate report:\n%s", section(rec.ReportMarkdown, "Migration window"))
	}
}

// TestReportAlreadySingleNode: a deployment that already runs one node (AlreadySingleNode) gets
// a report that says so, prices its 2-node form against the node it runs (savings realised),
// plans no migration and words the decision matrix as a change made; the analysis is the same.
func TestReportAlreadySingleNode(t *testing.T) {
	in := idleMultiAZ(14)
	in.Nodes = in.Nodes[:1] // the writer only: Single-AZ
	two, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	in.AlreadySingleNode = true
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.AlreadySingleNode || rec.Verdict != two.Verdict || rec.Cost != two.Cost || rec.Matrix.Total != two.Matrix.Total {
		t.Fatalf("the analysis changed: %s %+v, want %s %+v", rec.Verdict, rec.Cost, two.Verdict, two.Cost)
	}
	md := rec.ReportMarkdown
	for _, want := range []string{
		"- **Topology:** multi-az, analysed as its 2-node form: the deployment runs one node now (Single-AZ)",
		"| 2-node form (not running) | ", "| one node, now (" + rec.RecommendedClass + ") | ", "| savings realised | ", "| savings realised per year | ",
		"already Single-AZ: no change to make", "realised already",
		"None: the deployment already runs one node, so there is no topology change to make.",
		"The deployment already runs one node, which carries all of its load: these alarms watch it.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, unwanted := range []string{"| now |", "| savings |", "one ModifyDBInstance", "UTC for 2 hours", "The standby served nothing"} {
		if strings.Contains(md, unwanted) {
			t.Errorf("report has %q, as if the change were to come", unwanted)
		}
	}
}

// TestReportStatesPeriod: the report states its datapoints' period and, above one minute, that
// the averages understate shorter peaks.
func TestReportStatesPeriod(t *testing.T) {
	rec, err := Analyze(idleMultiAZ(14), Policy{}) // 5-minute datapoints
	if err != nil {
		t.Fatal(err)
	}
	if rec.Period != 5*time.Minute || !strings.Contains(rec.ReportMarkdown, "- **Datapoints:** 300 s averages: an average over 300 s understates peaks shorter than that, such as 1-minute spikes") {
		t.Errorf("period %v; report:\n%s", rec.Period, rec.ReportMarkdown[:800])
	}
	rec.Period = time.Minute
	if md := Report(rec); !strings.Contains(md, "- **Datapoints:** 60 s averages\n") {
		t.Errorf("1-minute data:\n%s", md[:800])
	}
}

// TestReportFreeMetricsTail: a node table shows each metric's min, and says that for the free
// memory and storage metrics the min is the tail that matters, not p95/p99/max.
func TestReportFreeMetricsTail(t *testing.T) {
	rec, err := Analyze(idleMultiAZ(14), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	s, ok := rec.Nodes[0].Summary(MetricFreeableMemory)
	if !ok {
		t.Fatal("fixture: no FreeableMemory")
	}
	md := rec.ReportMarkdown
	row := fmt.Sprintf("| %s | %s | %s | %s | %s | %s |", s.Metric, s.Unit, num(100*s.Coverage, 1)+"%", qty(s.Mean, s.Unit, 2), qty(s.Min, s.Unit, 2), qty(s.P50, s.Unit, 2))
	if !strings.Contains(md, "| metric | unit | coverage | mean | min | p50 | p95 | p99 | max | max at (UTC) |") || !strings.Contains(md, row) {
		t.Errorf("node table lacks the min column (row %q)", row)
	}
	if !strings.Contains(md, "FreeStorageSpace, FreeableMemory: less free is worse, so the tail that matters is the low one, min (the least free)") ||
		!strings.Contains(md, "its p99 matches FreeableMemory's low tail") {
		t.Errorf("the free metrics' tail is not explained:\n%s", md)
	}
}

// reportSectionOf is the text of the report's section name (from its heading to the next).
func reportSectionOf(md, name string) string {
	i := strings.Index(md, "## "+name+"\n")
	if i < 0 {
		return ""
	}
	rest := md[i:]
	if j := strings.Index(rest[3:], "\n## "); j >= 0 {
		rest = rest[:j+3]
	}
	return rest
}

// A deployment already of one node, on another class than the one recommended: the report says
// that class change remains (its migration window, decision matrix and alarms), not that there
// is nothing to do; for keep and insufficient-data it says what the verdict means.
func TestReportAlreadySingleNodeWording(t *testing.T) {
	in := idleMultiAZ(14)
	in.Nodes = in.Nodes[:1]
	for i := range in.Candidates {
		if in.Candidates[i].Class == classR6gLarge {
			in.Candidates[i].SingleNodeHourlyUSD = 0.10
		}
	}
	in.AlreadySingleNode = true
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	wc := writerClass(rec.Nodes)
	if rec.RecommendedClass != classR6gLarge.Name || wc == classR6gLarge.Name {
		t.Fatalf("fixture: recommended %s on %s", rec.RecommendedClass, wc)
	}
	mw, rb := reportSectionOf(rec.ReportMarkdown, "Migration window"), reportSectionOf(rec.ReportMarkdown, "Rollback triggers")
	if rs := reportSectionOf(rec.ReportMarkdown, "Risks"); len(rec.Risks) == 0 || !strings.Contains(rs, "these are risks it carries now, not of a change to come") {
		t.Errorf("risks (%d):\n%s", len(rec.Risks), rs)
	}
	if !strings.Contains(mw, "no topology change to make") || !strings.Contains(mw, "The recommended class, "+classR6gLarge.Name+", is not the one it runs on, "+wc+": that class change remains") {
		t.Errorf("migration window:\n%s", mw)
	}
	if !strings.Contains(rb, "The thresholds are sized for "+classR6gLarge.Name+", the recommended class, not for "+wc) {
		t.Errorf("rollback triggers:\n%s", rb)
	}
	for _, r := range rec.Matrix.Rows {
		if r.Criterion == "operations" && !strings.HasSuffix(r.Evidence, "; a class change from "+wc+" to "+classR6gLarge.Name+" remains") {
			t.Errorf("operations evidence %q", r.Evidence)
		}
	}

	short := idleMultiAZ(3)
	short.Nodes = short.Nodes[:1]
	short.AlreadySingleNode = true
	rec, err = Analyze(short, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	md := rec.ReportMarkdown
	if rec.Verdict != VerdictInsufficient || !strings.Contains(reportSectionOf(md, "Migration window"), "(the verdict is `insufficient-data`: the data does not support a decision)") ||
		!strings.Contains(reportSectionOf(md, "Rollback triggers"), "The verdict is `insufficient-data`: the data does not support a decision") ||
		strings.Contains(md, "do not support the one node") || strings.Contains(md, "what one node does not support") {
		t.Errorf("insufficient-data, already one node (%s):\n%s\n%s", rec.Verdict, reportSectionOf(md, "Migration window"), reportSectionOf(md, "Rollback triggers"))
	}
}

// keep on an Aurora cluster of three instances: the report keeps "the deployment's nodes", not
// "both nodes".
func TestReportKeepWordingAnyNodeCount(t *testing.T) {
	in := auroraPair(20)
	for _, n := range in.Nodes {
		if n.Role == RoleReader {
			n.ID += "-b"
			in.Nodes = append(in.Nodes, n)
			break
		}
	}
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictKeep || len(rec.Nodes) != 3 {
		t.Fatalf("fixture: %s with %d nodes", rec.Verdict, len(rec.Nodes))
	}
	if md := rec.ReportMarkdown; strings.Contains(md, "both nodes") || !strings.Contains(reportSectionOf(md, "Migration window"), "keep the deployment's nodes") {
		t.Errorf("report of three instances:\n%s", reportSectionOf(md, "Migration window"))
	}
}

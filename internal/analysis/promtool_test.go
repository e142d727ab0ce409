package analysis_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// promtoolPath returns Prometheus's promtool: $PROMTOOL, else promtool on PATH (Debian's
// prometheus package installs it; .ci/run does). Without it the test fails under make test
// (RIGHTSIZE_REQUIRE_HARNESS) and is skipped under plain go test, saying what to install.
func promtoolPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PROMTOOL"); p != "" {
		return p
	}
	if p, err := exec.LookPath("promtool"); err == nil {
		return p
	}
	const how = "promtool (Prometheus's rule checker) is not on PATH: install it (Debian: apt-get install --no-install-recommends prometheus), or set PROMTOOL to its path"
	if os.Getenv("RIGHTSIZE_REQUIRE_HARNESS") != "" {
		t.Fatal(how)
	}
	t.Skip(how + "; make test fails without it")
	return ""
}

// promtoolTimeout bounds TestPrometheusRulesPromtool's promtool runs together.
const promtoolTimeout = 2 * time.Minute

// The series names and labels of prometheus/cloudwatch_exporter, spelled here as it spells them
// (CloudWatchCollector: toSnakeCase, safeName), not as PrometheusRules does:
// aws_rds_<metric>_<statistic>{<dimension>="value", job="aws_rds"} (its instance label is empty,
// which Prometheus reads as none).
var (
	exporterCamel  = regexp.MustCompile(`([a-z0-9])([A-Z])`)
	exporterUnsafe = regexp.MustCompile(`[^a-zA-Z0-9:_]`)
	exporterRun    = regexp.MustCompile(`__+`)
)

func exporterSnake(s string) string {
	s = strings.ToLower(exporterCamel.ReplaceAllString(s, "${1}_${2}"))
	return exporterRun.ReplaceAllString(exporterUnsafe.ReplaceAllString(s, "_"), "_")
}

// exporterSeries returns the series the exporter publishes for metric's statistic with dims: its
// selector (as promtool's input_series take it) and its labels, the exporter's job among them.
func exporterSeries(namespace, metric, stat string, dims map[string]string) (string, map[string]string) {
	name := exporterSnake(strings.ToLower(namespace)+"_"+metric) + "_" + exporterSnake(stat)
	labels := map[string]string{"job": exporterSnake(strings.ToLower(namespace))}
	for k, v := range dims {
		labels[exporterSnake(k)] = v
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sel := make([]string, len(keys))
	for i, k := range keys {
		sel[i] = k + "=" + strconv.Quote(labels[k])
	}
	return name + "{" + strings.Join(sel, ",") + "}", labels
}

// The YAML of a promtool unit-test file (promtool test rules).
type (
	promTestFile struct {
		RuleFiles          []string        `yaml:"rule_files"`
		EvaluationInterval string          `yaml:"evaluation_interval"`
		Tests              []promTestGroup `yaml:"tests"`
	}
	promTestGroup struct {
		Name          string          `yaml:"name"`
		Interval      string          `yaml:"interval"`
		InputSeries   []promSeries    `yaml:"input_series"`
		AlertRuleTest []promAlertTest `yaml:"alert_rule_test"`
	}
	promSeries struct {
		Series string `yaml:"series"`
		Values string `yaml:"values"`
	}
	promAlertTest struct {
		EvalTime  string      `yaml:"eval_time"`
		Alertname string      `yaml:"alertname"`
		ExpAlerts []promAlert `yaml:"exp_alerts"`
	}
	promAlert struct {
		ExpLabels      map[string]string `yaml:"exp_labels"`
		ExpAnnotations map[string]string `yaml:"exp_annotations"`
	}
)

// promRule is one rule of a rendered file, as promtool should see it behave: the alert it
// raises, the exporter series it reads, when it fires and with what.
type promRule struct {
	alert  string
	series string            // selector of the exporter series it reads
	labels map[string]string // that series' labels
	forMin int               // minutes the breach must last before the alert fires
	// breach is a value just on the breaching side of the threshold; calm the threshold itself,
	// which a strict comparison (as CloudWatch's GreaterThanThreshold and LessThanThreshold) does
	// not fire on.
	breach, calm float64
	want         promAlert         // the alert when it fires
	silent       bool              // the availability rule: fires on the series' absence
	dims         map[string]string // the alarm's CloudWatch dimensions
}

// promRules derives, from the alarm specs PrometheusRules rendered for cluster, what each rule
// of the file must do, independently of how the file spells it. The availability rule's summary
// is taken as rendered (its text is the rule's own, not the CloudWatch alarm's).
func promRules(t *testing.T, cluster string, alarms []analysis.AlarmSpec, rendered string) []promRule {
	t.Helper()
	var doc promDoc
	if err := yaml.Unmarshal([]byte(rendered), &doc); err != nil {
		t.Fatalf("rules do not parse: %v\n%s", err, rendered)
	}
	silentSummary := ""
	for _, r := range doc.Groups[0].Rules {
		if r.Alert == "RightsizeNodeSilent" {
			silentSummary = r.Annotations["summary"]
		}
	}
	var out []promRule
	for _, a := range alarms {
		r := promRule{dims: a.Dimensions, want: promAlert{ExpLabels: map[string]string{"severity": a.Severity, "cluster": cluster}}}
		if a.TreatMissingData == "breaching" {
			// The node's silence: the series of its CPU rule, absent. The alert carries the
			// labels its selector names (absent_over_time's), not the exporter's job.
			r.alert, r.silent = "RightsizeNodeSilent", true
			r.series, r.labels = exporterSeries(a.Namespace, a.MetricName, "Average", a.Dimensions)
			r.calm = 1 // a quiet node's CPU, in the groups where the series goes silent
			if !strings.Contains(silentSummary, "no sample for the last 10 minutes") {
				t.Fatalf("RightsizeNodeSilent's summary does not say it waits 10 minutes: %q", silentSummary)
			}
			r.want.ExpAnnotations = map[string]string{"summary": silentSummary}
			for k, v := range a.Dimensions {
				r.want.ExpLabels[exporterSnake(k)] = v
			}
			out = append(out, r)
			continue
		}
		r.alert = "RightsizeRollback" + a.MetricName
		r.series, r.labels = exporterSeries(a.Namespace, a.MetricName, a.Statistic, a.Dimensions)
		r.forMin = a.PeriodSeconds * a.EvaluationPeriods / 60
		if a.Statistic == "Sum" {
			// One datapoint a period, which the exporter's gauge holds only until its next
			// scrape: the rule fires on it at once (PrometheusRules).
			r.forMin = 0
		}
		r.calm = a.Threshold
		switch a.ComparisonOperator {
		case "GreaterThanThreshold":
			r.breach = math.Nextafter(a.Threshold, math.Inf(1))
		case "LessThanThreshold":
			r.breach = math.Nextafter(a.Threshold, math.Inf(-1))
		default:
			t.Fatalf("alarm %s: comparison %q", a.Name, a.ComparisonOperator)
		}
		for k, v := range r.labels {
			r.want.ExpLabels[k] = v
		}
		r.want.ExpAnnotations = map[string]string{"summary": a.Description}
		out = append(out, r)
	}
	return out
}

// promTests writes the unit tests of rules (a rendered file's, read from rulesFile):
//   - at rest (every series at its threshold) no rule fires, however long;
//   - each threshold rule fires, with exactly its labels and summary, once its series has been
//     just past the threshold for its "for", not a minute sooner, and no other rule fires;
//   - a breach a minute shorter than that never fires it;
//   - the availability rule fires when the node's CPU series has had no sample for more than 10
//     minutes (another cluster's series going on), not after 9, and stops when the series returns;
//     a silence of 9 minutes never fires it.
//
// Series are sampled every minute, as the exporter is scraped, for 45 minutes.
func promTests(rulesFile string, rules []promRule) promTestFile {
	const samples = 46 // minutes 0 to 45
	fv := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	run := func(v string, n int) []string { return slices.Repeat([]string{v}, n) }
	at := func(m int) string { return fmt.Sprintf("%dm", m) }
	// series gives every series its calm value throughout, but those of over.
	series := func(over map[string][]string) []promSeries {
		var out []promSeries
		seen := map[string]bool{}
		for _, r := range rules {
			if seen[r.series] {
				continue // the CPU rule and the availability rule read the same series
			}
			seen[r.series] = true
			vs, ok := over[r.series]
			if !ok {
				vs = run(fv(r.calm), samples)
			}
			out = append(out, promSeries{Series: r.series, Values: strings.Join(vs, " ")})
		}
		return out
	}
	// expect: at minute m, rule fired (if any) raises its alert and every other rule none.
	expect := func(m int, fired *promRule) []promAlertTest {
		var out []promAlertTest
		for i := range rules {
			tc := promAlertTest{EvalTime: at(m), Alertname: rules[i].alert, ExpAlerts: []promAlert{}}
			if fired != nil && fired.alert == rules[i].alert {
				tc.ExpAlerts = []promAlert{fired.want}
			}
			out = append(out, tc)
		}
		return out
	}
	maxFor := 0
	for _, r := range rules {
		maxFor = max(maxFor, r.forMin)
	}
	file := promTestFile{RuleFiles: []string{filepath.Base(rulesFile)}, EvaluationInterval: "1m"}
	add := func(name string, in []promSeries, checks ...[]promAlertTest) {
		g := promTestGroup{Name: name, Interval: "1m", InputSeries: in}
		for _, c := range checks {
			g.AlertRuleTest = append(g.AlertRuleTest, c...)
		}
		file.Tests = append(file.Tests, g)
	}
	add("at rest: every series at its threshold", series(nil), expect(maxFor, nil), expect(samples-1, nil))
	for i := range rules {
		r := &rules[i]
		if r.silent {
			// Silent from minute 30 (a stale marker: the exporter no longer returns the series),
			// back at minute 45; another cluster's series goes on throughout.
			other := map[string]string{}
			for k, v := range r.dims {
				other[k] = v
				if k != "Role" {
					other[k] = "billing-prod"
				}
			}
			otherSel, _ := exporterSeries("AWS/RDS", analysis.MetricCPU, "Average", other)
			calm := fv(r.calm)
			gone := slices.Concat(run(calm, 30), []string{"stale"}, run("_", 14), run(calm, samples-45))
			in := append(series(map[string][]string{r.series: gone}), promSeries{Series: otherSel, Values: strings.Join(run(calm, samples), " ")})
			add(r.alert+": the node publishes nothing for more than 10 minutes", in,
				expect(29+9, nil), expect(29+11, r), expect(45, nil))
			short := slices.Concat(run(calm, 30), []string{"stale"}, run("_", 8), run(calm, samples-39))
			add(r.alert+": a silence of 9 minutes", series(map[string][]string{r.series: short}),
				expect(38, nil), expect(39, nil), expect(45, nil))
			continue
		}
		var checks []promAlertTest
		if r.forMin > 0 {
			checks = expect(r.forMin-1, nil) // pending, not firing
		}
		add(fmt.Sprintf("%s: just past %v for its for (%dm)", r.alert, r.calm, r.forMin),
			series(map[string][]string{r.series: run(fv(r.breach), samples)}),
			checks, expect(r.forMin, r), expect(r.forMin+5, r))
		if r.forMin > 0 {
			brief := slices.Concat(run(fv(r.breach), r.forMin), run(fv(r.calm), samples-r.forMin))
			add(fmt.Sprintf("%s: just past %v for a minute less than its for", r.alert, r.calm),
				series(map[string][]string{r.series: brief}), expect(r.forMin, nil), expect(r.forMin+5, nil))
		}
	}
	return file
}

// TestPrometheusRulesPromtool renders the rules of real recommendations (an RDS Multi-AZ instance
// on 5-minute data, an Aurora cluster on 1-minute data with local storage, an Aurora cluster on a
// burstable class: every kind of rule RollbackTriggers makes) and has Prometheus's own promtool
// check them (promtool check rules) and run them on exporter series (promtool test rules,
// promTests): each alert fires when, and only when, its series crosses the threshold for the
// rule's "for", with exactly the labels and summary rendered. A fourth file renders the Multi-AZ
// CPU and availability alarms for an identifier with every character PrometheusRules escapes in
// PromQL or YAML: the alerts carry it unchanged. One promtool run of each kind.
func TestPrometheusRulesPromtool(t *testing.T) {
	promtool := promtoolPath(t)
	dir := t.TempDir()
	type file struct {
		name, cluster string
		alarms        []analysis.AlarmSpec
		rendered      string
	}
	var files []file
	for _, sc := range []struct {
		name string
		in   analysis.ClusterInput
		want []string // the alarms' metrics, in order (the last the availability alarm's)
	}{
		{"multi-az", analysis.ScenarioMultiAZ(), []string{analysis.MetricCPU, analysis.MetricFreeableMemory,
			analysis.MetricConnections, analysis.MetricReadIOPS, analysis.MetricWriteIOPS, analysis.MetricDiskQueueDepth, analysis.MetricCPU}},
		{"aurora", analysis.ScenarioAurora(), []string{analysis.MetricCPU, analysis.MetricFreeableMemory,
			analysis.MetricConnections, analysis.MetricReadIOPS, analysis.MetricWriteIOPS, analysis.MetricDiskQueueDepth,
			analysis.MetricFreeLocalStorage, analysis.MetricCPU}},
		{"burstable", analysis.ScenarioBurstable(), []string{analysis.MetricCPU, analysis.MetricFreeableMemory,
			analysis.MetricConnections, analysis.MetricReadIOPS, analysis.MetricWriteIOPS,
			analysis.MetricCPUCreditBalance, analysis.MetricCPUSurplusCreditsCharged, analysis.MetricCPU}},
	} {
		rec, err := analysis.Analyze(sc.in, analysis.Policy{})
		if err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		var got []string
		for _, a := range rec.RollbackTriggers {
			got = append(got, a.MetricName)
		}
		if !slices.Equal(got, sc.want) {
			t.Fatalf("%s: alarms on %v, want %v: the scenario no longer covers the rules it is here for", sc.name, got, sc.want)
		}
		if sc.in.AuroraClusterID != "" && rec.RollbackTriggers[0].Dimensions["Role"] != "WRITER" {
			t.Fatalf("%s: the CPU alarm watches %v, not the WRITER role", sc.name, rec.RollbackTriggers[0].Dimensions)
		}
		files = append(files, file{sc.name, sc.in.Name, rec.RollbackTriggers, rec.PrometheusRules})
	}
	// Quotes, backslashes, controls, line breaks YAML would fold and non-ASCII (not an empty
	// value, which Prometheus reads as no label, nor "{{", which it expands as a template).
	odd := "odd\"name\\x\n\t\x00\x7f\u0085\u2028\ufeff ünï©ødé 数据库"
	var oddAlarms []analysis.AlarmSpec
	for _, a := range files[0].alarms {
		if a.MetricName == analysis.MetricCPU {
			a.Dimensions = map[string]string{"DBInstanceIdentifier": odd}
			a.Description += " " + odd
			oddAlarms = append(oddAlarms, a)
		}
	}
	files = append(files, file{"escaping", odd, oddAlarms, analysis.PrometheusRules(odd, oddAlarms)})

	var ruleFiles, testFiles []string
	for _, f := range files {
		rulesFile := filepath.Join(dir, f.name+".rules.yml")
		testFile := filepath.Join(dir, f.name+".test.yml")
		tests, err := yaml.Marshal(promTests(rulesFile, promRules(t, f.cluster, f.alarms, f.rendered)))
		if err != nil {
			t.Fatal(err)
		}
		for path, b := range map[string][]byte{rulesFile: []byte(f.rendered), testFile: tests} {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		ruleFiles, testFiles = append(ruleFiles, rulesFile), append(testFiles, testFile)
	}
	// Each run takes well under a second; one that hangs (a promtool waiting on something) is
	// ended and fails the test after promtoolTimeout, not at go test's -timeout (40 minutes
	// under make test), which would also end the package's other tests.
	ctx, cancel := context.WithTimeout(t.Context(), promtoolTimeout)
	defer cancel()
	command := func(args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, promtool, args...)
		cmd.Dir = dir
		cmd.WaitDelay = 5 * time.Second // a child it left holding the output is not waited for
		return cmd
	}
	out, err := command(append([]string{"check", "rules"}, ruleFiles...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v (%v)\n%s", err, ctx.Err(), out)
	}
	for i, f := range ruleFiles {
		if want := fmt.Sprintf("Checking %s\n  SUCCESS: %d rules found\n", f, len(files[i].alarms)); !strings.Contains(string(out), want) {
			t.Errorf("promtool check rules did not report %q:\n%s", want, out)
		}
	}
	if out, err := command(append([]string{"test", "rules"}, testFiles...)...).CombinedOutput(); err != nil {
		var all bytes.Buffer
		for _, f := range ruleFiles {
			b, _ := os.ReadFile(f)
			fmt.Fprintf(&all, "--- %s\n%s\n", filepath.Base(f), b)
		}
		t.Fatalf("promtool test rules: %v (%v)\n%s\n%s", err, ctx.Err(), out, all.String())
	}
}

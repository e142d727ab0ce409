package analysis_test

import (
	"encoding/binary"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// hostileStrings seed the renderers' fuzz targets.
var hostileStrings = []string{
	"", "sso-prod", `odd"name\x`, "a|b", "a\nb", "a\r\nb", "<script>&amp;</script>", "{{ .Values }}", "'single'",
	"ünï©ødé 数据库", "tab\there", "\x00nul", "\x7fdel", "\u0085nel", "\u2028ls", "\ufeffbom", "\uffff", "\xff\xfe",
	"# comment", "key: value", "- item", "]]>", "&#x1;", "\\|", "a\\", strings.Repeat("x", 500),
}

// floatsOf reads b as little-endian float64 bit patterns (NaN, ±Inf and denormals included).
func floatsOf(b []byte) []float64 {
	var out []float64
	for len(b) >= 8 {
		out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		b = b[8:]
	}
	return out
}

func bytesOf(vs ...float64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// checkSVG parses s with encoding/xml: well formed, only the chart's elements, finite numeric
// coordinates, a <title> and a <desc> as the root's first children. It returns the character data of
// every <text> and <title>, in order.
func checkSVG(t *testing.T, s string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	allowed := map[string]bool{"svg": true, "rect": true, "text": true, "line": true, "path": true, "circle": true, "title": true, "desc": true, "g": true}
	numeric := map[string]bool{"x": true, "y": true, "x1": true, "y1": true, "x2": true, "y2": true, "cx": true, "cy": true, "r": true, "width": true, "height": true}
	var texts []string
	depth := 0
	roots := 0
	var stack []string
	var firsts []string // the root's first two children
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
			stack = append(stack, tok.Name.Local)
			if depth == 2 && len(firsts) < 2 {
				firsts = append(firsts, tok.Name.Local)
			}
			if !allowed[tok.Name.Local] {
				t.Fatalf("unexpected element <%s>\n%s", tok.Name.Local, s)
			}
			for _, a := range tok.Attr {
				if numeric[a.Name.Local] {
					v, err := strconv.ParseFloat(a.Value, 64)
					if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("attribute %s=%q of <%s> is not a finite number\n%s", a.Name.Local, a.Value, tok.Name.Local, s)
					}
				}
				if a.Name.Local == "d" && (strings.Contains(a.Value, "NaN") || strings.Contains(a.Value, "Inf")) {
					t.Fatalf("path d=%q holds a non-finite coordinate", a.Value)
				}
			}
		case xml.EndElement:
			depth--
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if depth > 0 && (stack[len(stack)-1] == "text" || stack[len(stack)-1] == "title") {
				texts = append(texts, string(tok))
			}
		}
	}
	if roots != 1 {
		t.Fatalf("%d root elements", roots)
	}
	if len(firsts) != 2 || firsts[0] != "title" || firsts[1] != "desc" {
		t.Fatalf("the root's first children are %q, not a <title> and a <desc> (its accessible name and description)", firsts)
	}
	return texts
}

// FuzzTimeSeriesSVG: any title, unit, label and values give a well-formed SVG whose text holds
// the title as given.
func FuzzTimeSeriesSVG(f *testing.F) {
	for i, s := range hostileStrings {
		f.Add(s, "percent", s, int64(1700000000+i*3600), bytesOf(1, math.NaN(), 3, math.Inf(1), -5, 1e308, 5e-324), 45.0, false)
	}
	f.Add("t", "u", "l", int64(math.MaxInt64), bytesOf(1, 2), math.Inf(1), true)
	f.Add("t", "u", "l", int64(math.MinInt64), bytesOf(math.MaxFloat64, -math.MaxFloat64), math.NaN(), true)
	f.Fuzz(func(t *testing.T, title, label string, unit string, start int64, raw []byte, threshold float64, dashed bool) {
		vals := floatsOf(raw)
		if len(vals) > 3000 {
			vals = vals[:3000]
		}
		in := slices.Clone(vals)
		lines := []analysis.ChartLine{{Label: label, Hourly: in, Dashed: dashed}, {Label: title, Hourly: in[:len(in)/2]}}
		ths := []analysis.ChartThreshold{{Label: label, Value: threshold}}
		out := analysis.TimeSeriesSVG(title, unit, time.Unix(start, 0), lines, ths)
		if !slices.EqualFunc(in, vals, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
			t.Fatal("TimeSeriesSVG modified its input")
		}
		texts := checkSVG(t, out)
		if want := xmlText(title); want != "" && texts[0] != want {
			t.Fatalf("title %q rendered as %q", title, texts[0])
		}
	})
}

// FuzzHeatmapSVG: any title, unit, bucket values and limit give a well-formed SVG.
func FuzzHeatmapSVG(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s, s, bytesOf(0, 12.5, math.NaN(), math.Inf(1), -1e308, 99, 5e-324), 45.0)
	}
	f.Fuzz(func(t *testing.T, title, unit string, raw []byte, limit float64) {
		vals := floatsOf(raw)
		for len(vals) < 168 && len(vals) > 0 {
			vals = append(vals, vals...)
		}
		if len(vals) > 168 {
			vals = vals[:168]
		}
		out := analysis.HeatmapSVG(title, analysis.Profile{Unit: unit, Mean: vals}, limit)
		texts := checkSVG(t, out)
		if want := xmlText(title); want != "" && texts[0] != want {
			t.Fatalf("title %q rendered as %q", title, texts[0])
		}
	})
}

// promDoc is the structure of a Prometheus rules file, as PrometheusRules writes it.
type promDoc struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// FuzzPrometheusRules: whatever the cluster name, dimensions, metric and description, the file
// parses as YAML with exactly the rule structure (no key injected) and carries the values as given.
func FuzzPrometheusRules(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s, "DBInstanceIdentifier", s, "CPUUtilization", "Average", s, "", 45.5, false)
	}
	f.Add("c", "Role", "WRITER", "Read\"IOPS", "Sum", "d", "warning\nx: y", math.Inf(1), true)
	f.Fuzz(func(t *testing.T, cluster, dimKey, dimVal, metric, stat, desc, severity string, threshold float64, avail bool) {
		// The severity label is written unquoted: RollbackTriggers sets only these.
		if severity != "" && severity != "critical" && severity != "warning" {
			severity = "warning"
		}
		a := analysis.AlarmSpec{
			Name: "x", Namespace: "AWS/RDS", MetricName: metric, Dimensions: map[string]string{dimKey: dimVal},
			Statistic: stat, PeriodSeconds: 60, EvaluationPeriods: 5, DatapointsToAlarm: 5,
			ComparisonOperator: "GreaterThanThreshold", Threshold: threshold, Description: desc, Severity: severity,
			TreatMissingData: "missing",
		}
		if avail {
			a.TreatMissingData = "breaching"
		}
		text := analysis.PrometheusRules(cluster, []analysis.AlarmSpec{a})
		var generic any
		if err := yaml.Unmarshal([]byte(text), &generic); err != nil {
			t.Fatalf("rules do not parse: %v\n%s", err, text)
		}
		// Exactly the keys the renderer writes, at every level.
		var shape struct {
			Groups []map[string]any `yaml:"groups"`
		}
		if err := yaml.Unmarshal([]byte(text), &shape); err != nil {
			t.Fatal(err)
		}
		if top, ok := generic.(map[string]any); !ok || len(top) != 1 {
			t.Fatalf("top level is %#v", generic)
		}
		if len(shape.Groups) != 1 || len(shape.Groups[0]) != 2 {
			t.Fatalf("groups %#v", shape.Groups)
		}
		rules, _ := shape.Groups[0]["rules"].([]any)
		if len(rules) != 1 {
			t.Fatalf("rules %#v\n%s", shape.Groups[0]["rules"], text)
		}
		r, _ := rules[0].(map[string]any)
		if len(r) != 5 {
			t.Fatalf("rule keys %v\n%s", r, text)
		}
		labels, _ := r["labels"].(map[string]any)
		ann, _ := r["annotations"].(map[string]any)
		if len(labels) != 2 || len(ann) != 1 {
			t.Fatalf("labels %#v annotations %#v\n%s", labels, ann, text)
		}
		var doc promDoc
		if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
			t.Fatal(err)
		}
		rule := doc.Groups[0].Rules[0]
		want := severity
		if want == "" {
			want = "critical"
		}
		if utf8.ValidString(want) && rule.Labels["severity"] != want {
			t.Fatalf("severity %q read back as %q\n%s", want, rule.Labels["severity"], text)
		}
		if !utf8.ValidString(cluster) || !utf8.ValidString(desc) {
			return
		}
		if doc.Groups[0].Name != "rightsize-rollback-"+cluster || rule.Labels["cluster"] != cluster {
			t.Fatalf("cluster %q read back as group %q, label %q\n%s", cluster, doc.Groups[0].Name, rule.Labels["cluster"], text)
		}
		if !avail && rule.Annotations["summary"] != desc {
			t.Fatalf("summary %q read back as %q\n%s", desc, rule.Annotations["summary"], text)
		}
		if !strings.HasPrefix(rule.Expr, "aws_") && !strings.HasPrefix(rule.Expr, "absent_over_time(aws_") {
			t.Fatalf("expr %q", rule.Expr)
		}
	})
}

// FuzzParseWindows: the window parsers never panic, and what they accept formats back to a
// string they parse to the same window.
func FuzzParseWindows(f *testing.F) {
	for _, s := range []string{"03:00-03:30", "23:45-00:15", "sun:05:00-sun:05:30", "SAT:23:00-sun:01:00", "24:00-01:00",
		"03:00-03:00", "mon:00:00-mon:00:00", "\u212aon:00:00-mon:01:00", "sun:05:00-sun:05:3\u0660", "+3:00-04:00", "-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if w, err := analysis.ParseBackupWindow(s); err == nil {
			if !w.Daily || w.Minutes < 1 || w.Minutes >= 24*60 || w.Start < 0 || w.Start >= 24*60 {
				t.Fatalf("%q: %+v", s, w)
			}
			if !strings.EqualFold(w.String(), s) {
				t.Fatalf("%q formats as %q", s, w.String())
			}
			if w2, err := analysis.ParseBackupWindow(w.String()); err != nil || w2 != w {
				t.Fatalf("%q: %v %+v", w.String(), err, w2)
			}
		}
		if w, err := analysis.ParseMaintenanceWindow(s); err == nil {
			if w.Daily || w.Minutes < 1 || w.Minutes >= 7*24*60 || w.Start < 0 || w.Start >= 7*24*60 {
				t.Fatalf("%q: %+v", s, w)
			}
			if !strings.EqualFold(w.String(), s) {
				t.Fatalf("%q formats as %q", s, w.String())
			}
			if w2, err := analysis.ParseMaintenanceWindow(w.String()); err != nil || w2 != w {
				t.Fatalf("%q: %v %+v", w.String(), err, w2)
			}
		}
	})
}

// fuzzSeries builds a series from raw bytes: 10 bytes a point (8 of float64 bits, 2 of a signed
// offset in periods from start), in the order given (duplicates and disorder included).
//
// With repeat > 0 the points instead lie on the period grid in order, the offsets' low bits
// choosing a step of one or two periods (a hole), and the values repeat that many times, so
// that long regular series (the scanner's grid paths) are reached; the window is then
// periods*repeat periods long.
func fuzzSeries(raw []byte, startSec int64, periodSec int32, periods int16, repeat uint8) analysis.Series {
	period := time.Duration(periodSec) * time.Second
	start := time.Unix(startSec, 0).UTC()
	s := analysis.Series{Metric: "CPUUtilization", Unit: "Percent", Period: period, Start: start, End: start.Add(time.Duration(periods) * period)}
	type pt struct {
		v   float64
		off int16
	}
	var pts []pt
	for len(raw) >= 10 && len(pts) < 5000 {
		pts = append(pts, pt{math.Float64frombits(binary.LittleEndian.Uint64(raw)), int16(binary.LittleEndian.Uint16(raw[8:]))})
		raw = raw[10:]
	}
	if repeat == 0 {
		for _, p := range pts {
			s.Timestamps = append(s.Timestamps, start.Add(time.Duration(p.off)*period))
			s.Values = append(s.Values, p.v)
		}
		return s
	}
	s.End = start.Add(time.Duration(periods) * time.Duration(repeat) * period)
	at := int64(periods) % 4 // a start off the window's first period, or before it
	for k := 0; k < int(repeat) && len(pts) > 0; k++ {
		for _, p := range pts {
			s.Timestamps = append(s.Timestamps, start.Add(time.Duration(at)*period))
			s.Values = append(s.Values, p.v)
			at += 1 + int64(p.off&1)
		}
	}
	return s
}

func seriesSeed(vs []float64, offs []int16) []byte {
	var b []byte
	for i, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		b = binary.LittleEndian.AppendUint16(b, uint16(offs[i]))
	}
	return b
}

// refQuantile is the R-7 quantile of sorted, NaN-free xs, the way the package documents it.
func refQuantile(xs []float64, q float64) float64 {
	h := float64(float64(len(xs)-1) * q) // as quantileRanks rounds it, on every platform
	lo := math.Floor(h)
	i := int(lo)
	frac := h - lo
	if frac == 0 || i+1 >= len(xs) {
		return xs[i]
	}
	x0, x1 := xs[i], xs[i+1]
	if math.IsInf(x0, 0) {
		return x0
	}
	d := x1 - x0
	if math.IsInf(d, 0) && !math.IsInf(x1, 0) {
		return float64(x0*(1-frac)) + float64(x1*frac)
	}
	return x0 + float64(frac*d)
}

// FuzzSummarize: Summarize never panics nor modifies its input, fails exactly when Validate
// does, and its counts, extremes and (exact) percentiles match a naive computation.
func FuzzSummarize(f *testing.F) {
	f.Add(seriesSeed([]float64{1, 2, 3, math.NaN(), 5}, []int16{0, 1, 2, 3, 4}), int64(1700000000), int32(60), int16(10), uint8(0))
	f.Add(seriesSeed([]float64{1, 2, 3}, []int16{2, 1, 1}), int64(1700000000), int32(60), int16(10), uint8(0))
	f.Add(seriesSeed([]float64{math.Inf(1), math.Inf(-1), 1e308, -1e308, 5e-324}, []int16{0, 1, 2, 3, 4}), int64(1700000000), int32(300), int16(5), uint8(0))
	f.Add(seriesSeed([]float64{1, 2}, []int16{-5, 100}), int64(1700000000), int32(60), int16(10), uint8(0))
	f.Add(seriesSeed([]float64{1, 2}, []int16{0, 1}), int64(math.MaxInt64/1000), int32(60), int16(10), uint8(0))
	f.Add(seriesSeed([]float64{1, 2}, []int16{0, 1}), int64(-9223372036), int32(60), int16(10), uint8(0))
	f.Add(seriesSeed([]float64{1, 2}, []int16{0, 1}), int64(0), int32(-60), int16(-10), uint8(0))
	f.Add(seriesSeed([]float64{10, 20, 30, math.NaN(), 50, 1e9, 0}, []int16{0, 0, 1, 0, 0, 1, 0}), int64(1700000000), int32(60), int16(10), uint8(200))
	f.Add(seriesSeed([]float64{1e300, 1e-300, 5}, []int16{0, 0, 0}), int64(1700000000), int32(300), int16(3), uint8(255))
	f.Fuzz(func(t *testing.T, raw []byte, startSec int64, periodSec int32, periods int16, repeat uint8) {
		s := fuzzSeries(raw, startSec, periodSec, periods, repeat)
		ts0, vs0 := slices.Clone(s.Timestamps), slices.Clone(s.Values)
		unchanged := func(what string) {
			t.Helper()
			if !slices.EqualFunc(ts0, s.Timestamps, time.Time.Equal) ||
				!slices.EqualFunc(vs0, s.Values, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
				t.Fatalf("%s modified its input", what)
			}
		}
		sum, err := analysis.Summarize(s)
		unchanged("Summarize")
		verr := s.Validate()
		if (err == nil) != (verr == nil) {
			t.Fatalf("Summarize error %v, Validate error %v", err, verr)
		}
		for _, fn := range []func(analysis.Series) (analysis.Profile, error){analysis.HourOfWeekProfile, analysis.HourOfDayProfile} {
			p, perr := fn(s)
			unchanged("profile")
			if (perr == nil) != (verr == nil) {
				t.Fatalf("profile error %v, Validate error %v", perr, verr)
			}
			if perr == nil && len(p.Mean) != 168 && len(p.Mean) != 24 {
				t.Fatalf("profile of %d buckets", len(p.Mean))
			}
		}
		_, _ = analysis.SeasonalityOf(s)
		_, _ = analysis.ClassifyPattern(s, analysis.DefaultPatternThresholds())
		unchanged("pattern")
		if sorted, serr := s.Sorted(); serr == nil {
			unchanged("Sorted")
			if err := sorted.Validate(); err != nil {
				t.Fatalf("Sorted gives an invalid series: %v", err)
			}
		}
		if err != nil {
			return
		}
		var in []float64
		nan, out := 0, 0
		for i, ts := range s.Timestamps {
			if ts.Before(s.Start) || !ts.Before(s.End) {
				out++
				continue
			}
			if math.IsNaN(s.Values[i]) {
				nan++
				continue
			}
			in = append(in, s.Values[i])
		}
		if sum.Count != len(in) || sum.NaN != nan || sum.OutOfWindow != out {
			t.Fatalf("count %d nan %d out %d, want %d %d %d", sum.Count, sum.NaN, sum.OutOfWindow, len(in), nan, out)
		}
		if sum.Missing != max(0, sum.Expected-sum.Count) || sum.Coverage < 0 || sum.Coverage > 1 {
			t.Fatalf("missing %d expected %d coverage %v", sum.Missing, sum.Expected, sum.Coverage)
		}
		if sum.LongestGap < 0 || sum.LongestGap > sum.Lookback || sum.DataSpan < 0 || sum.DataSpan > sum.Lookback {
			t.Fatalf("gap %v span %v lookback %v", sum.LongestGap, sum.DataSpan, sum.Lookback)
		}
		if len(in) == 0 {
			if !math.IsNaN(sum.Mean) || !math.IsNaN(sum.P99) || !sum.PeakTime.IsZero() {
				t.Fatalf("empty summary %+v", sum)
			}
			return
		}
		slices.Sort(in)
		if sum.Min != in[0] || sum.Max != in[len(in)-1] {
			t.Fatalf("min %v max %v, want %v %v", sum.Min, sum.Max, in[0], in[len(in)-1])
		}
		for i, q := range []float64{0.5, 0.9, 0.95, 0.99} {
			got := []float64{sum.P50, sum.P90, sum.P95, sum.P99}[i]
			want := refQuantile(in, q)
			if got != want && !(math.IsNaN(got) && math.IsNaN(want)) && math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Fatalf("p%v = %v, want %v (n=%d)", q*100, got, want, len(in))
			}
			if got < sum.Min || got > sum.Max {
				t.Fatalf("p%v = %v outside [%v, %v]", q*100, got, sum.Min, sum.Max)
			}
		}
		finite := !math.IsInf(in[0], 0) && !math.IsInf(in[len(in)-1], 0)
		tol := 1e-12 * math.Max(-in[0], in[len(in)-1]) // rounding of the shifted sums
		if finite && (math.IsNaN(sum.Mean) || sum.Mean < sum.Min-tol || sum.Mean > sum.Max+tol) {
			t.Fatalf("mean %v outside [%v, %v]", sum.Mean, sum.Min, sum.Max)
		}
		if finite && (math.IsNaN(sum.StdDev) || math.IsInf(sum.StdDev, 0) || sum.StdDev < 0) {
			t.Fatalf("stddev %v of finite values", sum.StdDev)
		}
		if s.Values[slices.IndexFunc(s.Timestamps, sum.PeakTime.Equal)] != sum.Max {
			t.Fatalf("peak time %v does not hold the max", sum.PeakTime)
		}
	})
}

// xmlText is what an XML parser reads back from s written as character data: characters XML
// does not allow (and bytes that are not UTF-8) as U+FFFD, line ends normalised to \n.
func xmlText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 {
			return r
		}
		return utf8.RuneError
	}, s)
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// reportWith is a recommendation whose free-text fields (identifiers, class names, messages and
// descriptions from AWS and PostgreSQL) are all s.
func reportWith(s string) analysis.Recommendation {
	cls := analysis.InstanceClass{Name: s, VCPU: 2, MemoryGiB: 4}
	return analysis.Recommendation{
		Cluster: s, Topology: analysis.TopologyMultiAZ, Verdict: analysis.VerdictConsolidate,
		Reasons: []analysis.Reason{{Check: "cpu_p99_with_headroom", Node: s, Metric: "CPUUtilization", Value: 1, Comparison: "<=", Limit: 2, Unit: "percent", Passed: false, Message: s}},
		Nodes: []analysis.NodeAnalysis{{ID: s, Role: analysis.RoleWriter, Class: cls, Summaries: []analysis.Summary{{Metric: "CPUUtilization", Unit: "Percent", Count: 1, Coverage: 1, Mean: 1, P99: 1, Max: 1}}},
			{ID: s + "-b", Role: analysis.RoleStandby, Class: cls}},
		Risks:            []analysis.Risk{{Category: "operations", Severity: "medium", Description: s}},
		Matrix:           analysis.DecisionMatrix{Rows: []analysis.CriterionScore{{Criterion: "performance", Score: 5, Weight: 1, Evidence: s}}},
		Cost:             analysis.CostEstimate{Known: true, ProposedClass: s, CurrentMonthlyUSD: 2, ProposedMonthlyUSD: 1},
		Options:          []analysis.ClassOption{{Rank: 1, Class: cls, Fits: true}},
		RecommendedClass: s,
		Parameters:       map[string]string{"max_connections": "100"},
		MigrationWindow:  analysis.Window{Reason: s},
		Windows: analysis.WindowAdvice{Backup: analysis.WindowLoad{Window: "03:00-03:30"},
			Pending: []analysis.PendingMaintenance{{Resource: s, Action: s, Description: s}}},
		RollbackTriggers: []analysis.AlarmSpec{{Name: s, MetricName: "CPUUtilization", Statistic: "Average", PeriodSeconds: 60, EvaluationPeriods: 5, DatapointsToAlarm: 5, ComparisonOperator: "GreaterThanThreshold", Threshold: 1, Severity: "critical"}},
		Charts:           map[string]string{"cpu.svg": ""},
		Start:            time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
		Policy: analysis.DefaultPolicy(),
	}
}

// mdLines splits Markdown into lines at \n, \r\n and \r (CommonMark's line endings) and gives
// each line's count of cell-separating pipes: those not escaped by a backslash, which escapes
// any ASCII punctuation character (a backslash included) in GFM.
func mdLines(md string) []int {
	var out []int
	pipes := 0
	for i := 0; i < len(md); i++ {
		switch c := md[i]; {
		case c == '\\' && i+1 < len(md) && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", md[i+1]) >= 0:
			i++
		case c == '|':
			pipes++
		case c == '\r' || c == '\n':
			if c == '\r' && i+1 < len(md) && md[i+1] == '\n' {
				i++
			}
			out = append(out, pipes)
			pipes = 0
		}
	}
	return append(out, pipes)
}

// FuzzReport: whatever the free-text fields hold, the report has the lines and table cells of
// one whose fields are plain words (no row, cell or heading injected).
func FuzzReport(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	want := mdLines(analysis.Report(reportWith("plain")))
	f.Fuzz(func(t *testing.T, s string) {
		md := analysis.Report(reportWith(s))
		got := mdLines(md)
		if !slices.Equal(got, want) {
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Fatalf("line %d has %d cell pipes, want %d (%d lines, want %d)\n%s", i+1, got[i], want[i], len(got), len(want), md)
				}
			}
			t.Fatalf("%d lines, want %d\n%s", len(got), len(want), md)
		}
	})
}

// TestSummarizeHugeValues: finite values whose sums overflow (found by FuzzSummarize) still
// give a finite mean within [Min, Max] and a finite deviation; the mean was -Inf for two positive
// values and the deviation NaN.
func TestSummarizeHugeValues(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, vs := range [][]float64{
		{1.422450685039393e+160, 1.398043286095289e-76},
		{9.655991433947954e+307, 1.398043286095289e-76},
		{math.MaxFloat64, math.MaxFloat64 / 2, -math.MaxFloat64},
		{1e200, 1e200, 1e200, 3e200},
	} {
		s := analysis.Series{Metric: "m", Period: time.Minute, Start: start, End: start.Add(time.Duration(len(vs)) * time.Minute), Values: vs}
		for i := range vs {
			s.Timestamps = append(s.Timestamps, start.Add(time.Duration(i)*time.Minute))
		}
		sum, err := analysis.Summarize(s)
		if err != nil {
			t.Fatal(err)
		}
		if math.IsNaN(sum.Mean) || sum.Mean < sum.Min || sum.Mean > sum.Max || math.IsNaN(sum.StdDev) || math.IsInf(sum.StdDev, 0) {
			t.Errorf("%v: mean %v (min %v, max %v), stddev %v", vs, sum.Mean, sum.Min, sum.Max, sum.StdDev)
		}
	}
}

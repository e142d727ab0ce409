package analysis

import (
	"encoding/xml"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// svgNode is an element of a parsed SVG: its name, attributes, text and children.
type svgNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []svgNode  `xml:",any"`
}

func (n svgNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// walk calls f on n and every element below it, in document order.
func (n svgNode) walk(f func(svgNode)) {
	f(n)
	for _, c := range n.Children {
		c.walk(f)
	}
}

func parseSVG(t *testing.T, name, s string) svgNode {
	t.Helper()
	var root svgNode
	if err := xml.Unmarshal([]byte(s), &root); err != nil {
		t.Fatalf("%s does not parse: %v", name, err)
	}
	return root
}

// accessibleText checks that svg is an image for a screen reader (WCAG 2.1 1.1.1, and the SVG
// practice of role="img" with a <title> and a <desc> as its first children, referenced by
// aria-labelledby and aria-describedby) and returns the title and the desc.
func accessibleText(t *testing.T, name, svg string) (title, desc, id string) {
	t.Helper()
	root := parseSVG(t, name, svg)
	if got := root.attr("role"); got != "img" {
		t.Errorf("%s: role=%q, want img", name, got)
	}
	if len(root.Children) < 2 || root.Children[0].XMLName.Local != "title" || root.Children[1].XMLName.Local != "desc" {
		t.Fatalf("%s: the first children are not <title> and <desc>:\n%.600s", name, svg)
	}
	ti, de := root.Children[0], root.Children[1]
	if ti.attr("id") == "" || root.attr("aria-labelledby") != ti.attr("id") {
		t.Errorf("%s: aria-labelledby=%q does not name the <title> (id %q)", name, root.attr("aria-labelledby"), ti.attr("id"))
	}
	if de.attr("id") == "" || root.attr("aria-describedby") != de.attr("id") {
		t.Errorf("%s: aria-describedby=%q does not name the <desc> (id %q)", name, root.attr("aria-describedby"), de.attr("id"))
	}
	if strings.TrimSpace(ti.Text) == "" || strings.TrimSpace(de.Text) == "" {
		t.Errorf("%s: empty title %q or desc %q", name, ti.Text, de.Text)
	}
	return ti.Text, de.Text, ti.attr("id")
}

// TestChartsAccessible: every chart of a report is an image with an accessible name (its title,
// as the chart shows it) and a description that holds its key figures: each line's highest hour
// and the hours above each red line, the heat map's busiest hour and the hours at the limit.
func TestChartsAccessible(t *testing.T) {
	rec, err := Analyze(auroraPair(14), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for file, svg := range rec.Charts {
		title, desc, id := accessibleText(t, file, svg)
		if !strings.HasPrefix(title, "mandible-prod: ") {
			t.Errorf("%s: title %q", file, title)
		}
		if !strings.Contains(svg, `font-weight="bold">`+xmlEscape(title)+"</text>") {
			t.Errorf("%s: the <title> %q is not the title the chart shows", file, title)
		}
		if other, ok := ids[id]; ok {
			t.Errorf("%s and %s share the id %s", file, other, id)
		}
		ids[id] = file
		t.Logf("%s: %s", file, desc)
	}
	_, cpu, _ := accessibleText(t, "cpu.svg", rec.Charts["cpu.svg"])
	a, _ := cpuAlarm(rec.RollbackTriggers)
	for _, want := range []string{"Hourly values in percent, 2026-11-02 00:00 to 2026-11-15 23:00 UTC.",
		"Red lines: check limit, p99 + headroom (40); p99 limit before headroom (33.3); rollback alarm fires above (" + shortNum(a.Threshold) + ").",
		"mandible-prod-1 (writer): highest ", "mandible-prod-2 (reader): highest ",
		"single node (projected), dashed line: highest 63 at 2026-11-02 14:00 UTC, 336 hours with data; above check limit, p99 + headroom (40) in 30 hours; above p99 limit before headroom (33.3) in 30 hours."} {
		if !strings.Contains(cpu, want) {
			t.Errorf("cpu.svg's desc lacks %q:\n%s", want, cpu)
		}
	}
	// The projected CPU's highest hour is the one the chart draws highest.
	pr := rec.Projection
	peak := math.Inf(-1)
	for _, v := range pr.cpuH.max {
		peak = math.Max(peak, v*pr.Class.VCPU/rec.Options[0].Class.VCPU)
	}
	if rec.Options[0].Class.Name != rec.RecommendedClass || !strings.Contains(cpu, "dashed line: highest "+shortNum(peak)+" at") {
		t.Errorf("cpu.svg's desc does not give the projected peak %s:\n%s", shortNum(peak), cpu)
	}
	_, heat, _ := accessibleText(t, "heatmap.svg", rec.Charts["heatmap.svg"])
	prof := targetCPUProfile(pr, rec.Options[0].Class)
	hi, at := math.Inf(-1), 0
	n := 0
	for i, v := range prof.Mean {
		if v > hi {
			hi, at = v, i
		}
		if v >= rec.Policy.AlertThresholdPercent {
			n++
		}
	}
	for _, want := range []string{"Mean in percent for each hour of the week (UTC)",
		"Busiest hour: " + weekdayName(at/24) + " " + strconv.Itoa(at%24) + ":00 at " + shortNum(hi) + ";",
		strconv.Itoa(n) + " of the 168 hours with data at or above the limit of 40."} {
		if !strings.Contains(heat, want) {
			t.Errorf("heatmap.svg's desc lacks %q:\n%s", want, heat)
		}
	}
}

// TestTimeSeriesSVGDesc: the description of a chart of known lines: the span, the red lines with
// their values, each line's highest hour and its hours above each line (NaN hours are no data),
// a line without data, and a chart without lines.
func TestTimeSeriesSVGDesc(t *testing.T) {
	nan := math.NaN()
	svg := TimeSeriesSVG("db: CPU", "percent", t0.Add(90*time.Minute), []ChartLine{
		{Label: "w (writer)", Hourly: []float64{10, 50, nan, 35, 20}},
		{Label: "r (reader)", Hourly: []float64{nan, nan}},
		{Label: "one node", Hourly: []float64{30, 45, 45, 40}, Dashed: true}, // 40: on the limit, not above it
	}, []ChartThreshold{{Label: "limit", Value: 40}, {Label: "lower", Value: 33.3}, {Label: "none", Value: nan}})
	title, desc, _ := accessibleText(t, "cpu", svg)
	if title != "db: CPU" {
		t.Errorf("title %q", title)
	}
	want := "Hourly values in percent, 2026-11-02 01:00 to 2026-11-02 05:00 UTC. Red lines: limit (40); lower (33.3). " +
		"w (writer): highest 50 at 2026-11-02 02:00 UTC, 4 hours with data; above limit (40) in 1 hour; above lower (33.3) in 2 hours. " +
		"r (reader): no data. " +
		"one node, dashed line: highest 45 at 2026-11-02 02:00 UTC, 4 hours with data; above limit (40) in 2 hours; above lower (33.3) in 3 hours."
	if desc != want {
		t.Errorf("desc\n got: %s\nwant: %s", desc, want)
	}
	_, desc, _ = accessibleText(t, "empty", TimeSeriesSVG("", "", t0, nil, nil))
	if desc != "Hourly values. No lines." {
		t.Errorf("empty chart's desc %q", desc)
	}
	_, desc, _ = accessibleText(t, "below", TimeSeriesSVG("t", "IOPS", t0, []ChartLine{{Label: "a", Hourly: []float64{1, 2}}}, []ChartThreshold{{Label: "l", Value: 5}}))
	if !strings.HasSuffix(desc, "a: highest 2 at 2026-11-02 01:00 UTC, 2 hours with data; above no red line.") {
		t.Errorf("desc %q", desc)
	}
}

// TestChartLinesNotByColourAlone: lines are told apart by dash pattern as well as colour
// (WCAG 2.1 1.4.1): the two measured nodes and the projection each have their own pattern, and
// so does each red line; every line colour has 3:1 contrast on the white background (1.4.11).
func TestChartLinesNotByColourAlone(t *testing.T) {
	rec, err := Analyze(auroraPair(14), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, "cpu.svg", rec.Charts["cpu.svg"])
	var paths, reds []string
	root.walk(func(n svgNode) {
		switch {
		case n.XMLName.Local == "path":
			paths = append(paths, n.attr("stroke-dasharray"))
		case n.XMLName.Local == "line" && n.attr("stroke") == "#d62728" && n.attr("x1") == "64":
			reds = append(reds, n.attr("stroke-dasharray"))
		}
	})
	distinct := func(what string, s []string, want int) {
		seen := map[string]bool{}
		for _, p := range s {
			seen[p] = true
		}
		if len(s) != want || len(seen) != want {
			t.Errorf("%s: dash patterns %q, want %d different ones", what, s, want)
		}
	}
	distinct("node and projected lines", paths, 3)
	distinct("red lines", reds, 3)
	for _, c := range append(slicesClone(palette), "#d62728") {
		if r := contrastOnWhite(c); r < 3 {
			t.Errorf("colour %s has contrast %.2f:1 on white, want at least 3:1", c, r)
		}
	}
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// contrastOnWhite is WCAG 2.1's contrast ratio of colour #rrggbb against white.
func contrastOnWhite(c string) float64 {
	lum := 0.0
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			s /= 12.92
		} else {
			s = math.Pow((s+0.055)/1.055, 2.4)
		}
		lum += w * s
	}
	return 1.05 / (lum + 0.05)
}

// TestHeatmapNotByColourAlone: each heat map cell with data shows its value, a scale below the
// grid gives the values of its shades and the grey of no data, and the description names the
// busiest and quietest hours, the hours at the limit and those without data.
func TestHeatmapNotByColourAlone(t *testing.T) {
	p := flatProfile(5)
	p.Unit = "Percent"
	p.Mean[1*24+9] = 42.4  // Monday 09:00
	p.Mean[3*24+14] = 150  // Wednesday 14:00
	p.Mean[0] = math.NaN() // Sunday 00:00: no data
	p.Mean[6*24+23] = 0.04 // Saturday 23:00
	p.Mean[2*24+3] = 40    // Tuesday 03:00: at the limit
	svg := HeatmapSVG("db: CPU by hour of week", p, 40)
	root := parseSVG(t, "heatmap", svg)
	var texts []string
	swatches := 0
	root.walk(func(n svgNode) {
		switch n.XMLName.Local {
		case "text":
			texts = append(texts, n.Text)
		case "rect":
			if n.attr("width") == "14" {
				swatches++
			}
		}
	})
	all := "|" + strings.Join(texts, "|") + "|"
	for _, want := range []string{"|42|", "|40|", "|150|", "|5.0|", "|0.0|", "|0|", "|37.5|", "|75|", "|" + shortNum(112.5) + "|", "|no data|"} {
		if !strings.Contains(all, want) {
			t.Errorf("heat map lacks the text %q", strings.Trim(want, "|"))
		}
	}
	if n := strings.Count(strings.Join(texts, "||"), "|5.0|"); n != 163 {
		t.Errorf("%d cells show 5.0, want 163", n)
	}
	if swatches != 6 {
		t.Errorf("%d scale swatches, want 6 (five shades and no data)", swatches)
	}
	_, desc, _ := accessibleText(t, "heatmap", svg)
	want := "Mean in percent for each hour of the week (UTC), a row for each day from Sunday, a column for each hour, shaded from white (0) to red (150). " +
		"Busiest hour: Wednesday 14:00 at 150; quietest: Saturday 23:00 at 0.040. 3 of the 167 hours with data at or above the limit of 40. 1 hour without data (grey)."
	if desc != want {
		t.Errorf("desc\n got: %s\nwant: %s", desc, want)
	}
	_, desc, _ = accessibleText(t, "bad", HeatmapSVG("bad", Profile{Mean: []float64{1}}, 40))
	if desc != "No chart: the profile has 1 buckets, want 168." {
		t.Errorf("desc %q", desc)
	}
	_, desc, _ = accessibleText(t, "empty", HeatmapSVG("empty", flatProfile(math.NaN()), 0))
	if !strings.HasSuffix(desc, " No hour has data.") {
		t.Errorf("desc %q", desc)
	}
}

var mdImage = regexp.MustCompile(`(?m)^- !\[((?:\\.|[^\]\\])*)\]\(([^)]*)\)\n\n  (.*)$`)

// TestReportChartAltText: in the report each chart's image has the chart's title as its alt
// text (not its file name), and below it the chart's description, so that nothing is only in a
// picture; a title with brackets stays inside the alt text.
func TestReportChartAltText(t *testing.T) {
	for _, in := range []ClusterInput{auroraPair(14), idleMultiAZ(14)} {
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		ms := mdImage.FindAllStringSubmatch(rec.ReportMarkdown, -1)
		if len(ms) != len(rec.Charts) || len(ms) != 4 {
			t.Fatalf("%d images with a description for %d charts:\n%s", len(ms), len(rec.Charts), chartsSection(rec.ReportMarkdown))
		}
		for _, m := range ms {
			alt, file, text := m[1], m[2], m[3]
			title, desc, _ := accessibleText(t, file, rec.Charts[file])
			if alt == strings.TrimSuffix(file, ".svg") || alt != mdInline(title) {
				t.Errorf("%s: alt text %q, want the chart's title %q", file, alt, title)
			}
			if text != mdInline(desc) {
				t.Errorf("%s: text below the image %q, want its description %q", file, text, desc)
			}
		}
	}
	rec := Recommendation{Cluster: "x", Charts: map[string]string{
		"cpu.svg": TimeSeriesSVG(`db [a]\b: CPU`, "percent", t0, []ChartLine{{Label: "w|x", Hourly: []float64{1, 2}}}, nil)}}
	md := Report(rec)
	if !strings.Contains(md, `- ![db \[a\]\\b: CPU](cpu.svg)`) || !strings.Contains(md, `w\|x: highest 2`) {
		t.Errorf("alt text or description not escaped:\n%s", chartsSection(md))
	}
	// Markdown's inline specials in a title or a line's label read as themselves, not as
	// emphasis, code, a link, an image, HTML, an entity or strikethrough (mdEscape, for table
	// cells, left all but | and \ as they were).
	special := "*a* _b_ `c` <b>d</b> &amp; ~~e~~ ![f](g) [h] |i \\j"
	rec = Recommendation{Cluster: "x", Charts: map[string]string{
		"cpu.svg": TimeSeriesSVG("CPU "+special, "percent", t0, []ChartLine{{Label: special, Hourly: []float64{1, 2}}}, nil)}}
	ms := mdImage.FindAllStringSubmatch(Report(rec), -1)
	if len(ms) != 1 {
		t.Fatalf("%d images:\n%s", len(ms), chartsSection(Report(rec)))
	}
	title, desc, _ := accessibleText(t, "cpu.svg", rec.Charts["cpu.svg"])
	for _, c := range []struct{ what, md, want string }{{"alt text", ms[0][1], title}, {"description", ms[0][3], desc}} {
		got, bare := mdUnescape(c.md)
		if got != c.want || bare != "" {
			t.Errorf("%s %q reads as %q, want %q; unescaped: %q", c.what, c.md, got, c.want, bare)
		}
	}
}

// mdUnescape is the text Markdown inline text md reads as if none of it is markup: each
// backslash escape is its character; bare is the Markdown specials in md that are not escaped.
func mdUnescape(md string) (text, bare string) {
	var b, u strings.Builder
	for i := 0; i < len(md); i++ {
		switch c := md[i]; {
		case c == '\\' && i+1 < len(md) && strings.IndexByte("\\[]!*_`<&~|", md[i+1]) >= 0:
			i++
			b.WriteByte(md[i])
		case strings.IndexByte("\\[]*_`<&~|", c) >= 0:
			u.WriteByte(c)
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), u.String()
}

// chartsSection is md from its Charts heading on (all of md without one).
func chartsSection(md string) string {
	if i := strings.Index(md, "## Charts"); i >= 0 {
		return md[i:]
	}
	return md
}

// TestSVGOpenText: the report reads every chart's title and description without encoding/xml
// (svgOpenText) and gets what encoding/xml reads, for hostile text too; what does not start as
// svgOpen writes it is left to encoding/xml.
func TestSVGOpenText(t *testing.T) {
	var svgs []string
	for _, in := range []ClusterInput{auroraPair(14), idleMultiAZ(3)} {
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		for file, s := range rec.Charts {
			svgs = append(svgs, s)
			// The report takes the fast path: encoding/xml allocates some 70 times a chart.
			if a := testing.AllocsPerRun(5, func() { svgText(s) }); a != 0 {
				t.Errorf("svgText(%s) allocates %v times", file, a)
			}
		}
	}
	for _, s := range []string{"", "a & b", `<x> "q" 'a' &amp; ]]>`, "l1\nl2\r\nl3\rl4", "\x00\x1f\uFFFE bad \xff", "\t&lt;"} {
		var b strings.Builder
		svgOpen(&b, 10, 10, s, s+" desc")
		svgs = append(svgs, b.String()+"</svg>\n", TimeSeriesSVG(s, s, t0, []ChartLine{{Label: s, Hourly: []float64{1}}}, nil),
			HeatmapSVG(s, Profile{Unit: s, Mean: make([]float64, 168)}, 1))
	}
	for _, s := range svgs {
		title, desc, ok := svgOpenText(s)
		if !ok {
			t.Errorf("svgOpenText does not read\n%.400s", s)
			continue
		}
		if wt, wd := svgTextXML(s); title != wt || desc != wd {
			t.Errorf("svgOpenText read %q, %q; encoding/xml %q, %q", title, desc, wt, wd)
		}
	}
	for _, s := range []string{
		`<svg xmlns="http://www.w3.org/2000/svg" a="1">` + "\n<title id=\"i\">t</title>\n<desc id=\"j\">d</desc>\n<title>more</title>",
		`<svg xmlns="http://www.w3.org/2000/svg" a="x>y">` + "\n<title id=\"i\">t</title>\n<desc id=\"j\">d</desc>\n<rect/>",
		`<svg xmlns="http://www.w3.org/2000/svg">` + "\n<title id=\"i\">t &#65; <![CDATA[x]]></title>\n<desc id=\"j\">d</desc>\n<rect/>",
		`<svg xmlns="http://www.w3.org/2000/svg">` + "\n<desc id=\"j\">d</desc>\n<title id=\"i\">t</title>\n<rect/>",
	} {
		if title, desc, ok := svgOpenText(s); ok {
			t.Errorf("svgOpenText read %q, %q of\n%s", title, desc, s)
		}
	}
}

// FuzzSVGText: whatever the SVG, svgText reads the title and description encoding/xml reads.
func FuzzSVGText(f *testing.F) {
	var b strings.Builder
	svgOpen(&b, 10, 10, "a & <b>", "c\n'd'")
	f.Add(b.String() + "</svg>\n")
	f.Add(`<svg xmlns="http://www.w3.org/2000/svg" a="1">` + "\n<title id=\"i\">t</title>\n<desc id=\"j\">d</desc>\n<rect x=\"1\"/><title>u</title>")
	f.Fuzz(func(t *testing.T, s string) {
		title, desc := svgText(s)
		if wt, wd := svgTextXML(s); title != wt || desc != wd {
			t.Fatalf("svgText read %q, %q; encoding/xml %q, %q", title, desc, wt, wd)
		}
	})
}

// TestHeatmapZeroAndInfiniteLimit: a mean that rounds to zero reads 0 in its cell and its title,
// not "-0.0" or "-0.000" (a tiny negative mean, as a sum of differences gives, or a negative zero);
// an infinite limit (none) leaves the shading and the scale to the data, where they read "+Inf"
// and every cell was white.
func TestHeatmapZeroAndInfiniteLimit(t *testing.T) {
	p := Profile{Metric: "CPUUtilization", Unit: "Percent", Mean: make([]float64, HoursPerWeek), Count: make([]int, HoursPerWeek)}
	for i := range p.Mean {
		p.Mean[i], p.Count[i] = 20, 60
	}
	p.Mean[0], p.Mean[1], p.Mean[2] = -1e-9, math.Copysign(0, -1), -0.0004
	p.Mean[3] = 40
	svg := HeatmapSVG("CPU", p, math.Inf(1))
	for _, bad := range []string{"-0", "Inf"} {
		if strings.Contains(svg, bad) {
			t.Errorf("the heat map shows %q:\n%s", bad, svg)
		}
	}
	for _, want := range []string{"Sunday 00:00 UTC: 0</title>", "Sunday 01:00 UTC: 0</title>", "Sunday 02:00 UTC: 0</title>", ">0.0</text>",
		"shaded from white (0) to red (40)", "white = 0, red = 40 Percent", `fill="#ff0000"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("the heat map lacks %q", want)
		}
	}
}

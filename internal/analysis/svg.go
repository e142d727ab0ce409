package analysis

import (
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ChartLine is one line of a time-series chart: one value per hour starting
// at the chart's start hour (NaN = no data, the line breaks).
type ChartLine struct {
	Label  string    // legend text
	Hourly []float64 // one value per hour from the chart start; NaN breaks the line
	Dashed bool      // draw dashed (projections)
}

// ChartThreshold is a horizontal reference line.
type ChartThreshold struct {
	Label string  // legend text
	Value float64 // height of the line, in the chart's unit
}

// palette colours the chart lines; each has a contrast of at least 4.2:1 on the white background
// (WCAG 2.1's 1.4.11 asks 3:1 of a graphical object).
var palette = []string{"#1f77b4", "#b35900", "#2a8a2a", "#9467bd", "#8c564b", "#b03a84", "#0f7c87"}

// Lines are told apart by dash pattern as well as colour (WCAG 2.1's 1.4.1): the measured lines
// (solid first), the projected ones (Dashed), and the red threshold lines, each its own.
var (
	lineDashes      = []string{"", "9 3 2 3", "9 3 2 3 2 3"}
	projectedDash   = "5 3"
	thresholdDashes = []string{"8 4", "2 2", "8 3 2 3"}
)

// TimeSeriesSVG draws hourly lines as an 850×320 SVG with a y axis from 0,
// day ticks along x (UTC dates from start) and threshold lines in red. Lines
// of different lengths are fine; NaN values break the line, and an hour alone
// between breaks is drawn as a dot. Where more than two hours fall in one
// pixel column, only the lowest and highest hour of
// each unbroken run in it are drawn (the line's envelope), so the SVG's size
// stops growing with the window past about 45 days. The output depends only
// on its arguments. An empty chart (no finite value) still renders axes with
// a 0–1 range. Values are utilizations, not negative: a value below 0 is drawn
// at 0, and one above 1e300 at the top. The legend, right of the plot, takes
// the room its longest entry needs (the plot narrows), up to 360 of the 850
// pixels; an entry longer than that is cut with an ellipsis and keeps its
// full text in a <title>. Lines are told apart by dash pattern as well as
// colour: the measured lines solid, then dash-dot; the Dashed ones dashed;
// each threshold its own pattern. For a screen reader the SVG is an image
// (role="img") named by a <title> (the title) and described by a <desc>
// (each line's highest hour and the hours it spends above
// each threshold).
func TimeSeriesSVG(title, unit string, start time.Time, lines []ChartLine, thresholds []ChartThreshold) string {
	const W, H, ml, mt, mb = 850, 320, 64, 34, 44
	// The right margin holds the legend: wide enough for its longest entry, from 240 to 360
	// pixels; an entry longer than that is cut with an ellipsis, its full text in a <title>.
	longest := 0
	for _, l := range lines {
		longest = max(longest, utf8.RuneCountInString(l.Label))
	}
	for _, t := range thresholds {
		if t.Value == t.Value && !math.IsInf(t.Value, 0) { // the others are not drawn
			longest = max(longest, utf8.RuneCountInString(thresholdLegend(t)))
		}
	}
	mr := min(max(240, legendInset+int(math.Ceil(legendCharWidth*float64(longest)))+legendPad), 360)
	fits := int(float64(mr-legendInset-legendPad) / legendCharWidth) // characters that fit
	legendText := func(label string) string {
		if utf8.RuneCountInString(label) <= fits {
			return xmlEscape(label)
		}
		r := []rune(label)
		return xmlEscape(string(r[:fits-1])+"…") + "<title>" + xmlEscape(label) + "</title>"
	}
	pw, ph := float64(W-ml-mr), float64(H-mt-mb)
	n := 0
	ymax := 0.0
	for _, l := range lines {
		n = max(n, len(l.Hourly))
		for _, v := range l.Hourly {
			if v == v && !math.IsInf(v, 0) {
				ymax = math.Max(ymax, v)
			}
		}
	}
	for _, t := range thresholds {
		if t.Value == t.Value && !math.IsInf(t.Value, 0) {
			ymax = math.Max(ymax, t.Value)
		}
	}
	ymax = niceCeil(math.Min(ymax, 1e300) * 1.05)
	if n < 2 {
		n = 2
	}
	x := func(i int) float64 { return float64(ml) + pw*float64(i)/float64(n-1) }
	y := func(v float64) float64 { return float64(mt) + float64(ph*(1-math.Min(math.Max(v, 0), ymax)/ymax)) }
	var b strings.Builder
	b.Grow(4096 + 16*n*len(lines)) // a path point is about 12 bytes
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	svgOpen(&b, W, H, title, seriesSummary(unit, start, lines, thresholds))
	w(`<text x="%d" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", ml, xmlEscape(title))
	// y grid and labels
	for k := 0; k <= 4; k++ {
		v := ymax * float64(k) / 4
		yy := f1(y(v))
		w(`<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#dddddd"/>`+"\n", ml, yy, W-mr, yy)
		w(`<text x="%d" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", ml-6, yy, xmlEscape(shortNum(v)))
	}
	w(`<text x="14" y="%s" transform="rotate(-90 14 %s)" text-anchor="middle">%s</text>`+"\n", f1(float64(mt)+ph/2), f1(float64(mt)+ph/2), xmlEscape(unit))
	// x ticks per day
	days := (n + 23) / 24
	step := max(1, (days+6)/7)
	first := start.UTC().Truncate(time.Hour)
	// UTC hours are uniform: the midnights are every 24th hour from the
	// first one.
	for hIdx := (24 - first.Hour()) % 24; hIdx < n; hIdx += 24 {
		t := first.Add(time.Duration(hIdx) * time.Hour)
		if t.YearDay()%step != 0 {
			continue
		}
		xx := f1(x(hIdx))
		w(`<line x1="%s" y1="%d" x2="%s" y2="%d" stroke="#eeeeee"/>`+"\n", xx, mt, xx, H-mb)
		w(`<text x="%s" y="%d" text-anchor="middle">%s</text>`+"\n", xx, H-mb+16, t.Format("01-02"))
	}
	w(`<rect x="%d" y="%d" width="%s" height="%s" fill="none" stroke="#888888"/>`+"\n", ml, mt, f1(pw), f1(ph))
	w(`<text x="%s" y="%d" text-anchor="middle">UTC date (hourly)</text>`+"\n", f1(float64(ml)+float64(pw/2)), H-8)
	legendY := mt + 6
	sc := svgScratchPool.Get().(*svgScratch)
	defer svgScratchPool.Put(sc)
	pathBuf := sc.path[:0] // reused across lines
	// Every line shares the x coordinates: format them once.
	xText := sc.xText[:0]
	if cap(sc.xEnd) < n {
		sc.xEnd = make([]int32, n)
	}
	xEnd := sc.xEnd[:n]
	for j := range xEnd {
		xText = appendFixed1(xText, x(j))
		xEnd[j] = int32(len(xText))
	}
	sc.xText = xText
	xAt := func(j int) []byte {
		from := int32(0)
		if j > 0 {
			from = xEnd[j-1]
		}
		return xText[from:xEnd[j]]
	}
	var dots []int // the hours of a line drawn alone (NaN on both sides): a path of one point shows nothing
	solid := 0     // the measured (not Dashed) lines so far: each its own dash pattern
	for i, l := range lines {
		color := palette[i%len(palette)]
		d := pathBuf[:0]
		pen := false
		subN, lastJ := 0, -1 // points in the current subpath, and the last one's hour
		dots = dots[:0]
		point := func(j int, v float64) {
			if !pen {
				subN = 0
			}
			subN++
			lastJ = j
			switch {
			case pen:
				d = append(d, " L"...)
			case len(d) > 0:
				d = append(d, " M"...)
			default:
				d = append(d, 'M')
			}
			d = append(d, xAt(j)...)
			d = append(d, ' ')
			d = appendFixed1(d, y(v))
			pen = true
		}
		// A long window has several hours per pixel column: of each run of valid hours in one
		// column only the lowest and the highest are drawn, in time order. The line's envelope
		// and its breaks stay exact, and the path stays at most two points per column (a
		// 455-day chart would otherwise hold ten thousand points in 546 pixels).
		col, lo, hi := -1, -1, -1
		flush := func() {
			switch {
			case lo < 0:
			case lo == hi:
				point(lo, l.Hourly[lo])
			case lo < hi:
				point(lo, l.Hourly[lo])
				point(hi, l.Hourly[hi])
			default:
				point(hi, l.Hourly[hi])
				point(lo, l.Hourly[lo])
			}
			col, lo, hi = -1, -1, -1
		}
		// endSub ends the subpath: one of a single point gets a marker.
		endSub := func() {
			if pen && subN == 1 {
				dots = append(dots, lastJ)
			}
			pen = false
		}
		for j, v := range l.Hourly {
			if v != v || math.IsInf(v, 0) {
				flush()
				endSub()
				continue
			}
			if c := int(x(j)); c != col {
				flush()
				col, lo, hi = c, j, j
				continue
			}
			if v < l.Hourly[lo] {
				lo = j
			}
			if v > l.Hourly[hi] {
				hi = j
			}
		}
		flush()
		endSub()
		dash := ` stroke-dasharray="` + projectedDash + `"`
		if !l.Dashed {
			dash = ""
			if p := lineDashes[solid%len(lineDashes)]; p != "" {
				dash = ` stroke-dasharray="` + p + `"`
			}
			solid++
		}
		if len(d) > 0 {
			b.WriteString(`<path d="`)
			b.Write(d)
			b.WriteString(`" fill="none" stroke="`)
			b.WriteString(color)
			b.WriteString(`" stroke-width="1.2"`)
			b.WriteString(dash)
			b.WriteString("/>\n")
		}
		for _, j := range dots {
			w(`<circle cx="%s" cy="%s" r="1.8" fill="%s"/>`+"\n", xAt(j), f1(y(l.Hourly[j])), color)
		}
		pathBuf = d
		sc.path = d
		w(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n", W-mr+10, legendY, W-mr+30, legendY, color, dash)
		w(`<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", W-mr+legendInset, legendY, legendText(l.Label))
		legendY += 16
	}
	for k, t := range thresholds {
		if t.Value != t.Value || math.IsInf(t.Value, 0) {
			continue
		}
		yy := f1(y(t.Value))
		dash := thresholdDashes[k%len(thresholdDashes)]
		w(`<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#d62728" stroke-dasharray="%s"/>`+"\n", ml, yy, W-mr, yy, dash)
		w(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#d62728" stroke-dasharray="%s" stroke-width="2"/>`+"\n", W-mr+10, legendY, W-mr+30, legendY, dash)
		w(`<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", W-mr+legendInset, legendY, legendText(thresholdLegend(t)))
		legendY += 16
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// The legend's text starts legendInset pixels into the right margin and keeps legendPad pixels
// from the edge; legendCharWidth is a generous mean width of a character at font-size 11 in a
// sans-serif font (about 0.55 em), so an estimate by character count does not run off the edge.
const (
	legendInset     = 36
	legendPad       = 6
	legendCharWidth = 6.5
)

// thresholdLegend is t's legend entry: its label and value.
func thresholdLegend(t ChartThreshold) string { return t.Label + " (" + shortNum(t.Value) + ")" }

// svgOpen writes a chart's root element and white background. For a screen reader the chart is
// an image (role="img") named by its <title>, title, and described by its <desc>, desc, the root's
// first two children, as SVG accessibility practice has them (a chart without a title is named
// "Chart"). Their ids are made from title and desc, so that charts inlined in one HTML page do not
// share one.
func svgOpen(b *strings.Builder, width, height int, title, desc string) {
	if title == "" {
		title = "Chart"
	}
	h := fnv.New32a()
	h.Write([]byte(title))
	h.Write([]byte{0})
	h.Write([]byte(desc))
	id := fmt.Sprintf("rightsize-%08x", h.Sum32())
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11" role="img" aria-labelledby="%s-title" aria-describedby="%s-desc">`+"\n", width, height, width, height, id, id)
	fmt.Fprintf(b, `<title id="%s-title">%s</title>`+"\n", id, xmlEscape(title))
	fmt.Fprintf(b, `<desc id="%s-desc">%s</desc>`+"\n", id, xmlEscape(desc))
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
}

// seriesSummary says in words what TimeSeriesSVG draws, for its <desc>: the hours and the unit,
// the thresholds, and for each line its highest hour and the hours it spends above each threshold
// (NaN and infinite values count as no data, as the chart leaves them out).
func seriesSummary(unit string, start time.Time, lines []ChartLine, thresholds []ChartThreshold) string {
	const layout = "2006-01-02 15:04"
	n := 0
	for _, l := range lines {
		n = max(n, len(l.Hourly))
	}
	first := start.UTC().Truncate(time.Hour)
	var b strings.Builder
	b.WriteString("Hourly values")
	if unit != "" {
		b.WriteString(" in " + unit)
	}
	if n > 0 {
		fmt.Fprintf(&b, ", %s to %s UTC", first.Format(layout), first.Add(time.Duration(n-1)*time.Hour).Format(layout))
	}
	b.WriteString(".")
	var ths []ChartThreshold
	for _, t := range thresholds {
		if isFinite(t.Value) {
			ths = append(ths, t)
		}
	}
	if len(ths) > 0 {
		b.WriteString(" Red lines:")
		for k, t := range ths {
			if k > 0 {
				b.WriteString(";")
			}
			b.WriteString(" " + thresholdLegend(t))
		}
		b.WriteString(".")
	}
	if len(lines) == 0 {
		b.WriteString(" No lines.")
	}
	above := make([]int, len(ths))
	for _, l := range lines {
		peak, at, hours := math.Inf(-1), 0, 0
		clear(above)
		for j, v := range l.Hourly {
			if !isFinite(v) {
				continue
			}
			hours++
			if v > peak {
				peak, at = v, j
			}
			for k, t := range ths {
				if v > t.Value {
					above[k]++
				}
			}
		}
		b.WriteString(" " + l.Label)
		if l.Dashed {
			b.WriteString(", dashed line")
		}
		if hours == 0 {
			b.WriteString(": no data.")
			continue
		}
		fmt.Fprintf(&b, ": highest %s at %s UTC, %s with data", shortNum(peak), first.Add(time.Duration(at)*time.Hour).Format(layout), plural(hours, "hour", "hours"))
		if len(ths) == 0 {
			b.WriteString(".")
			continue
		}
		var over []string
		for k, t := range ths {
			if above[k] > 0 {
				over = append(over, "above "+thresholdLegend(t)+" in "+plural(above[k], "hour", "hours"))
			}
		}
		if len(over) == 0 {
			b.WriteString("; above no red line.")
			continue
		}
		b.WriteString("; " + strings.Join(over, "; ") + ".")
	}
	return b.String()
}

// HeatmapSVG draws a 168-bucket hour-of-week profile (HourOfWeekProfile) as
// a 7×24 grid, Sunday on top, shaded from white (0) to red (limit or the
// profile maximum, whichever is larger). NaN buckets are grey, as the legend says (no data). Each cell
// shows its value, rounded, and has a <title> with it; a scale below the grid
// gives the shades' values, so that no figure is told by colour alone. For a
// screen reader the SVG is an image (role="img") named by a <title> (the
// title) and described by a <desc>: the busiest and quietest hours, and the
// hours at or above limit. A profile of another length yields an SVG that
// says so.
func HeatmapSVG(title string, p Profile, limit float64) string {
	const cw, ch, ml, mt = 28, 24, 90, 40
	W, H := ml+24*cw+20, mt+7*ch+58
	var b strings.Builder
	b.Grow(32 << 10) // 168 cells of about 160 bytes
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	if len(p.Mean) != HoursPerWeek {
		msg := fmt.Sprintf("profile has %d buckets, want 168", len(p.Mean))
		svgOpen(&b, W, H, title, "No chart: the "+msg+".")
		w(`<text x="%d" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", ml, xmlEscape(title))
		w(`<text x="%d" y="%d">%s</text>`+"\n", ml, mt+20, msg)
		b.WriteString("</svg>\n")
		return b.String()
	}
	top := 0.0
	if limit > 0 && !math.IsInf(limit, 0) { // an infinite limit (none) leaves the scale to the data
		top = limit
	}
	for _, v := range p.Mean {
		if v == v && !math.IsInf(v, 0) {
			top = math.Max(top, v)
		}
	}
	if top <= 0 {
		top = 1
	}
	svgOpen(&b, W, H, title, heatmapSummary(p, limit, top))
	w(`<text x="%d" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", ml, xmlEscape(title))
	for h := 0; h < 24; h++ {
		w(`<text x="%d" y="%d" text-anchor="middle">%02d</text>`+"\n", ml+h*cw+cw/2, mt-6, h)
	}
	var cell []byte                  // one <rect>, built with appends (168 per chart)
	values := make([]byte, 0, 6<<10) // the cells' values, one <text> each
	for d := 0; d < 7; d++ {
		w(`<text x="%d" y="%d" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", ml-6, mt+d*ch+ch/2, weekdayName(d))
		for h := 0; h < 24; h++ {
			v := p.Mean[d*24+h]
			cell = append(cell[:0], `<rect x="`...)
			cell = strconv.AppendInt(cell, int64(ml+h*cw), 10)
			cell = append(cell, `" y="`...)
			cell = strconv.AppendInt(cell, int64(mt+d*ch), 10)
			cell = append(cell, `" width="`...)
			cell = strconv.AppendInt(cell, cw, 10)
			cell = append(cell, `" height="`...)
			cell = strconv.AppendInt(cell, ch, 10)
			cell = append(cell, `" fill="`...)
			label := "no data"
			if v == v && !math.IsInf(v, 0) {
				t := clamp(v/top, 0, 1)
				g := int(math.Round(255 * (1 - t)))
				cell = append(cell, "#ff"...) // #ffGGGG in lower-case hex
				cell = appendHex2(cell, g)
				cell = appendHex2(cell, g)
				label = shortNum(v)
			} else {
				cell = append(cell, "#cccccc"...)
			}
			cell = append(cell, `" stroke="#ffffff"><title>`...)
			cell = append(cell, weekdayName(d)...)
			cell = append(cell, ' ', byte('0'+h/10), byte('0'+h%10))
			cell = append(cell, ":00 UTC: "...)
			cell = append(cell, xmlEscape(label)...)
			cell = append(cell, "</title></rect>\n"...)
			b.Write(cell)
			if v == v && !math.IsInf(v, 0) { // the value in the cell: black on the reddest is 5.25:1
				values = append(values, `<text x="`...)
				values = strconv.AppendInt(values, int64(ml+h*cw+cw/2), 10)
				values = append(values, `" y="`...)
				values = strconv.AppendInt(values, int64(mt+d*ch+ch/2), 10)
				values = append(values, `">`...)
				values = append(values, xmlEscape(cellNum(v))...)
				values = append(values, "</text>\n"...)
			}
		}
	}
	// The cells' values, drawn over them; a pointer passes through to the cell's <title>.
	b.WriteString(`<g text-anchor="middle" dominant-baseline="middle" pointer-events="none">` + "\n")
	b.Write(values)
	b.WriteString("</g>\n")
	w(`<text x="%d" y="%d">hour of day (UTC); white = 0, red = %s %s, grey = no data; each cell shows its value</text>`+"\n", ml, mt+7*ch+20, xmlEscape(shortNum(top)), xmlEscape(p.Unit))
	// The scale: five shades with their values, and the grey of no data.
	sy := mt + 7*ch + 30
	for k := 0; k <= 4; k++ {
		g := int(math.Round(float64(255*(4-k)) / 4)) // the shade of a cell at k/4 of top
		x := ml + k*64
		w(`<rect x="%d" y="%d" width="14" height="14" fill="#ff%02x%02x" stroke="#888888"/>`+"\n", x, sy, g, g)
		w(`<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", x+18, sy+7, xmlEscape(shortNum(top*float64(k)/4)))
	}
	w(`<rect x="%d" y="%d" width="14" height="14" fill="#cccccc" stroke="#888888"/>`+"\n", ml+5*64+16, sy)
	w(`<text x="%d" y="%d" dominant-baseline="middle">no data</text>`+"\n", ml+5*64+34, sy+7)
	b.WriteString("</svg>\n")
	return b.String()
}

// cellNum is v as a heatmap cell shows it, in at most four characters for the values of a
// utilization: one decimal under 10, none from 10, shortNum's form from 100.
func cellNum(v float64) string {
	switch a := math.Abs(v); {
	case a < 0.05: // rounds to zero: "0.0", not "-0.0" for a tiny negative mean
		return "0.0"
	case a >= 99.5:
		return shortNum(math.Round(v))
	case a >= 9.95:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// heatmapSummary says in words what HeatmapSVG draws of p (168 buckets), for its <desc>: the
// busiest and the quietest hour of the week (the first of equals, from Sunday 00:00), the hours at
// or above limit (when it is positive) and those without data.
func heatmapSummary(p Profile, limit, top float64) string {
	var b strings.Builder
	unit := ""
	if p.Unit != "" {
		unit = " in " + strings.ToLower(p.Unit)
	}
	fmt.Fprintf(&b, "Mean%s for each hour of the week (UTC), a row for each day from Sunday, a column for each hour, shaded from white (0) to red (%s).", unit, shortNum(top))
	hi, lo, missing, atLimit := -1, -1, 0, 0
	for i, v := range p.Mean {
		if v != v || math.IsInf(v, 0) {
			missing++
			continue
		}
		if hi < 0 || v > p.Mean[hi] {
			hi = i
		}
		if lo < 0 || v < p.Mean[lo] {
			lo = i
		}
		if limit > 0 && v >= limit {
			atLimit++
		}
	}
	if hi < 0 {
		b.WriteString(" No hour has data.")
		return b.String()
	}
	at := func(i int) string {
		return fmt.Sprintf("%s %02d:00 at %s", weekdayName(i/24), i%24, shortNum(p.Mean[i]))
	}
	fmt.Fprintf(&b, " Busiest hour: %s; quietest: %s.", at(hi), at(lo))
	if limit > 0 && !math.IsInf(limit, 0) {
		fmt.Fprintf(&b, " %d of the %s with data at or above the limit of %s.", atLimit, plural(len(p.Mean)-missing, "hour", "hours"), shortNum(limit))
	}
	if missing > 0 {
		fmt.Fprintf(&b, " %s without data (grey).", plural(missing, "hour", "hours"))
	}
	return b.String()
}

// appendHex2 appends v (0..255) as two lower-case hex digits, like %02x.
func appendHex2(b []byte, v int) []byte {
	const digits = "0123456789abcdef"
	return append(b, digits[v>>4&15], digits[v&15])
}

func f1(v float64) string { return string(appendFixed1(nil, v)) }

// appendFixed1 appends v with one decimal (half away from zero), the format
// of every SVG coordinate; much cheaper than strconv for chart paths.
func appendFixed1(b []byte, v float64) []byte {
	if v != v || math.IsInf(v, 0) || math.Abs(v) >= 1e15 {
		return strconv.AppendFloat(b, v, 'f', 1, 64)
	}
	t := int64(math.Round(v * 10))
	if t < 0 {
		b = append(b, '-')
		t = -t
	}
	switch q := t / 10; { // chart coordinates have at most three digits
	case q < 10:
		b = append(b, byte('0'+q))
	case q < 100:
		b = append(b, byte('0'+q/10), byte('0'+q%10))
	case q < 1000:
		b = append(b, byte('0'+q/100), byte('0'+q/10%10), byte('0'+q%10))
	default:
		b = strconv.AppendInt(b, q, 10)
	}
	return append(b, '.', byte('0'+t%10))
}

// shortNum formats axis values compactly (1.5k, 2.1M, 3.2G, 40), without a
// trailing ".0".
func shortNum(v float64) string {
	a := math.Abs(v)
	trim := func(s string) string { return strings.Replace(s, ".0", "", 1) }
	switch {
	case a >= 1e9:
		return trim(strconv.FormatFloat(v/1e9, 'f', 1, 64)) + "G"
	case a >= 1e6:
		return trim(strconv.FormatFloat(v/1e6, 'f', 1, 64)) + "M"
	case a >= 1e4:
		return trim(strconv.FormatFloat(v/1e3, 'f', 1, 64)) + "k"
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 1:
		s := strconv.FormatFloat(v, 'f', 1, 64)
		return strings.TrimSuffix(s, ".0")
	case a < 0.0005: // 0, or rounds to it: "0", not "-0" or "-0.000" for a negative zero or a tiny negative value
		return "0"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// niceCeil rounds v up to 1, 2, 2.5 or 5 × a power of ten (1 for v <= 0).
func niceCeil(v float64) float64 {
	if !(v > 0) || math.IsInf(v, 0) {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*e >= v*(1-1e-12) {
			return m * e
		}
	}
	return 10 * e
}

// xmlEscape escapes s for XML character data or a double-quoted attribute. A character XML 1.0
// does not allow at all (a control character other than tab, line feed and carriage return,
// U+FFFE, U+FFFF) and a byte that is not UTF-8 become U+FFFD, so the SVG stays well formed.
func xmlEscape(s string) string {
	if !utf8.ValidString(s) || strings.IndexFunc(s, notXMLChar) >= 0 {
		s = strings.Map(func(r rune) rune {
			if notXMLChar(r) {
				return utf8.RuneError
			}
			return r
		}, s)
	}
	return xmlReplacer.Replace(s)
}

// notXMLChar reports whether r is outside XML 1.0's Char production.
func notXMLChar(r rune) bool {
	return !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= utf8.MaxRune)
}

// svgScratch holds TimeSeriesSVG's scratch buffers between calls.
type svgScratch struct {
	path, xText []byte
	xEnd        []int32
}

var svgScratchPool = sync.Pool{New: func() any { return new(svgScratch) }}

// linePool holds chart line buffers (one value per hour), apart from the
// scan buffers of bufPool, which are much longer.
var linePool = sync.Pool{New: func() any { s := make([]float64, 0, 1024); return &s }}

// placeHourly puts hourly aggregates on a chart starting at hour x0 with n
// hours, mapping each value through f. The result is a buffer from
// linePool, appended to *bufs for the caller to put back.
func placeHourly(h hourly, vals []float64, x0 time.Time, n int, f func(float64) float64, bufs *[]*[]float64) []float64 {
	p := linePool.Get().(*[]float64)
	if cap(*p) < n {
		*p = make([]float64, n)
	}
	*p = (*p)[:n]
	*bufs = append(*bufs, p)
	out := *p
	for i := range out {
		out[i] = math.NaN()
	}
	off := int(h.start.Sub(x0) / time.Hour)
	for i, v := range vals {
		if j := off + i; j >= 0 && j < n && v == v {
			out[j] = f(v)
		}
	}
	return out
}

func ident(v float64) float64 { return v }

var (
	xmlReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")
	// mdReplacer keeps a table cell one cell of one line: a pipe is escaped, and so is a
	// backslash (GFM reads \\| as an escaped backslash and a cell break); line ends (\n, \r)
	// become spaces.
	mdReplacer = strings.NewReplacer(`\`, `\\`, "|", `\|`, "\r\n", " ", "\n", " ", "\r", " ")
)

// cpuAlarm is the load alarm on CPUUtilization among triggers (its Average above a threshold).
func cpuAlarm(triggers []AlarmSpec) (AlarmSpec, bool) {
	for _, a := range triggers {
		if a.MetricName == MetricCPU && a.Statistic == "Average" && a.ComparisonOperator == "GreaterThanThreshold" {
			return a, true
		}
	}
	return AlarmSpec{}, false
}

// charts renders the report's SVGs: cpu.svg, memory.svg, iops.svg and
// heatmap.svg, from the hourly aggregates of the scans. Each node's lines are
// in percent of its own class; the projected single node's in percent of the
// recommended class target, against whose thresholds the checks judge it.
func charts(rec Recommendation, in ClusterInput, ms map[string]map[string]*measured, p Policy, target InstanceClass) map[string]string {
	out := map[string]string{}
	if !rec.End.After(rec.Start) {
		return out
	}
	x0 := rec.Start.UTC().Truncate(time.Hour)
	n := int((rec.End.Sub(x0) + time.Hour - 1) / time.Hour)
	pr := rec.Projection
	var bufs []*[]float64 // the lines' buffers, from linePool
	defer func() {
		for _, p := range bufs {
			linePool.Put(p)
		}
	}()
	var cpu, mem, iops []ChartLine
	for _, node := range in.Nodes {
		m := ms[node.ID]
		label := node.ID + " (" + string(node.Role) + ")"
		if c, ok := m[MetricCPU]; ok {
			cpu = append(cpu, ChartLine{Label: label, Hourly: placeHourly(c.h, c.h.max, x0, n, ident, &bufs)})
		}
		if f, ok := m[MetricFreeableMemory]; ok {
			// Memory in use in percent of the class's memory; on Aurora outside the buffer cache, of what
			// the cache leaves (pr.memoryRoom), as the memory check judges it.
			ram := node.Class.MemoryBytes()
			used := func(v float64) float64 { return 100 * (1 - v/ram) }
			room := pr.memoryRoom(node.Class)
			if node.Class.Name == pr.Class.Name {
				room = pr.writerRoom() // the cache the writer runs with
			}
			if pr.Topology == TopologyAurora && room > 0 {
				used = func(v float64) float64 { return 100 * math.Max(0, room-v) / room }
			}
			mem = append(mem, ChartLine{Label: label, Hourly: placeHourly(f.h, f.h.min, x0, n, used, &bufs)})
		}
		r, okR := m[MetricReadIOPS]
		w, okW := m[MetricWriteIOPS]
		if okR && okW {
			a := placeHourly(r.h, r.h.mean, x0, n, ident, &bufs)
			b := placeHourly(w.h, w.h.mean, x0, n, ident, &bufs)
			for i := range a {
				a[i] += b[i]
			}
			iops = append(iops, ChartLine{Label: label, Hourly: a})
		}
	}
	single := "single node (projected)"
	if target.Name != "" && target.Name != pr.Class.Name {
		single = "single node on " + target.Name + " (projected)"
	}
	if len(pr.cpuH.mean) > 0 {
		scale := pr.Class.VCPU / target.VCPU
		cpu = append(cpu, ChartLine{Label: single, Hourly: placeHourly(pr.cpuH, pr.cpuH.max, x0, n, func(v float64) float64 { return v * scale }, &bufs), Dashed: true})
	}
	if ram := pr.memoryRoom(target); len(pr.memH.mean) > 0 && ram > 0 {
		mem = append(mem, ChartLine{Label: single, Hourly: placeHourly(pr.memH, pr.memH.max, x0, n, func(v float64) float64 { return 100 * pr.memoryJudged(v) / ram }, &bufs), Dashed: true})
	}
	if len(pr.iopsH.mean) > 0 {
		iops = append(iops, ChartLine{Label: single, Hourly: placeHourly(pr.iopsH, pr.iopsH.mean, x0, n, ident, &bufs), Dashed: true})
	}
	// The red lines are what they are: a capacity check's limit on the p99 with headroom, the
	// p99's own limit before the headroom, and (where one metric maps to one line) the rollback
	// alarm's threshold, which is not the check's limit.
	h := 1 + p.HeadroomPercent/100
	limits := func(prefix string, limit float64) []ChartThreshold {
		return []ChartThreshold{
			{Label: prefix + "check limit, p99 + headroom", Value: limit},
			{Label: prefix + "p99 limit before headroom", Value: round(limit/h, 2)},
		}
	}
	cpuTh := limits("", p.AlertThresholdPercent)
	if a, ok := cpuAlarm(rec.RollbackTriggers); ok {
		cpuTh = append(cpuTh, ChartThreshold{Label: "rollback alarm fires above", Value: a.Threshold})
	}
	out["cpu.svg"] = TimeSeriesSVG(rec.Cluster+": CPU utilization (hourly max)", "percent", x0, cpu, cpuTh)
	memTitle, memUnit := ": memory in use (hourly max)", "percent of RAM"
	if pr.Topology == TopologyAurora {
		memTitle, memUnit = ": memory in use outside the buffer cache (hourly max)", "percent of RAM less buffer cache"
	}
	out["memory.svg"] = TimeSeriesSVG(rec.Cluster+memTitle, memUnit, x0, mem, limits("", p.MemoryThresholdPercent))
	var iopsTh []ChartThreshold // a limit on reads and writes together; their alarms watch each alone
	if target.BaselineIOPS > 0 {
		iopsTh = limits("read+write ", target.BaselineIOPS*p.AlertThresholdPercent/100)
	}
	out["iops.svg"] = TimeSeriesSVG(rec.Cluster+": read + write IOPS (hourly mean)", "IOPS", x0, iops, iopsTh)
	if len(pr.cpuH.mean) > 0 {
		out["heatmap.svg"] = HeatmapSVG(rec.Cluster+": projected CPU on "+target.Name+" by hour of week (mean %)", targetCPUProfile(pr, target), p.AlertThresholdPercent)
	}
	return out
}

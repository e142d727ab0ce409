package analysis

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// A 455-day chart is not much larger than a 45-day one: past two hours per pixel column only each
// column's lowest and highest hour are drawn. The envelope stays (the highest and the lowest value
// are still on the line) and so do the breaks at missing hours.
func TestTimeSeriesSVGBoundedByWidth(t *testing.T) {
	start := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	chart := func(days int) (string, []float64) {
		rg := rand.New(rand.NewSource(int64(days)))
		v := make([]float64, days*24)
		for i := range v {
			v[i] = 20 + 10*rg.Float64()
		}
		v[len(v)/3] = 95 // one peak
		v[len(v)/2] = 1  // one trough
		for i := len(v) * 2 / 3; i < len(v)*2/3+30; i++ {
			v[i] = math.NaN() // a day and a quarter without data
		}
		return TimeSeriesSVG("cpu", "percent", start, []ChartLine{{Label: "writer", Hourly: v}}, []ChartThreshold{{Label: "alert", Value: 40}}), v
	}
	short, _ := chart(45)
	long, v := chart(455)
	if len(long) > 2*len(short) {
		t.Errorf("455-day chart %d bytes, 45-day chart %d: the long one should not grow with the window", len(long), len(short))
	}
	_, path, found := strings.Cut(long, `<path d="`)
	path, _, closed := strings.Cut(path, `" fill`)
	if !found || !closed {
		t.Fatal("no path in the chart")
	}
	points := strings.Count(path, "L") + strings.Count(path, "M")
	if points > 2*(850-64-240+2)+4 {
		t.Errorf("%d points for %d hours in 546 pixel columns", points, len(v))
	}
	if strings.Count(path, "M") != 2 {
		t.Errorf("the gap does not break the line once: %d moves", strings.Count(path, "M"))
	}
	// The peak (95) and trough (1) are drawn: with ymax 100 over 242 px from y=34, y(95)=46.1 and y(1)=273.6.
	for _, y := range []string{" 46.1", " 273.6"} {
		if !strings.Contains(path, y) {
			t.Errorf("the line lost the point at y%s (the envelope's extreme)", y)
		}
	}
}

// TestSVGLegendFits: a long legend entry widens the legend, and one too long for the widest is
// cut with an ellipsis inside the chart, its full text kept in a <title>.
func TestSVGLegendFits(t *testing.T) {
	const W, charW = 850, 6.5 // a generous mean character width at font-size 11
	long := "a-very-long-db-instance-identifier-of-sixty-three-characters-xx (writer)"
	for _, tc := range []struct {
		label string
		cut   bool
	}{
		{"w (writer)", false},
		{"mandible-prod-instance-1 (writer)", false},
		{"read+write p99 limit before headroom", false},
		{long, true},
	} {
		svg := TimeSeriesSVG("t", "percent", t0, []ChartLine{{Label: tc.label, Hourly: []float64{1, 2, 3}}}, []ChartThreshold{{Label: "check limit, p99 + headroom", Value: 40}})
		wellFormedSVG(t, tc.label, svg)
		for _, entry := range []string{tc.label, "check limit, p99 + headroom (40)"} {
			// The legend's <text> for entry: its x, and the text shown.
			i := strings.Index(svg, ">"+entry[:5])
			if i < 0 {
				t.Fatalf("%q: no legend entry %q:\n%s", tc.label, entry, svg)
			}
			open := strings.LastIndex(svg[:i], "<text x=\"")
			var x int
			if _, err := fmt.Sscanf(svg[open+len(`<text x="`):], "%d", &x); err != nil {
				t.Fatal(err)
			}
			shown, _, _ := strings.Cut(svg[i+1:], "<")
			if right := float64(x) + charW*float64(utf8.RuneCountInString(shown)); right > W {
				t.Errorf("%q: legend entry %q runs to %.0f, past the edge %d", tc.label, shown, right, W)
			}
			cut := entry == tc.label && tc.cut
			if got := strings.HasSuffix(shown, "…"); got != cut {
				t.Errorf("%q: entry %q cut %t, want %t", tc.label, shown, got, cut)
			}
			if cut && !strings.Contains(svg, "<title>"+entry+"</title>") {
				t.Errorf("%q: the full text is not in a <title>", tc.label)
			}
			if !cut && shown != entry {
				t.Errorf("entry %q shown as %q", entry, shown)
			}
		}
	}
}

// TestSVGIsolatedHours: an hour with no data on either side, which a path of one point does not
// show, is drawn as a dot in its line's colour; hours in a run are not.
func TestSVGIsolatedHours(t *testing.T) {
	nan := math.NaN()
	alternate := make([]float64, 336)
	for i := range alternate {
		alternate[i] = nan
		if i%2 == 1 {
			alternate[i] = 20
		}
	}
	for _, tc := range []struct {
		name   string
		hourly []float64
		dots   int
	}{
		{"every other hour", alternate, 168},
		{"one value", []float64{12}, 1},
		{"alone, then a run", []float64{nan, 5, nan, 6, 7, nan, 8}, 2},
		{"a run", []float64{1, 2, 3}, 0},
	} {
		svg := TimeSeriesSVG("t", "percent", t0, []ChartLine{{Label: "w", Hourly: tc.hourly}}, nil)
		wellFormedSVG(t, tc.name, svg)
		if n := strings.Count(svg, `<circle `); n != tc.dots {
			t.Errorf("%s: %d dots, want %d", tc.name, n, tc.dots)
		}
		if tc.dots > 0 && !strings.Contains(svg, `fill="`+palette[0]+`"/>`) {
			t.Errorf("%s: the dots are not in the line's colour", tc.name)
		}
	}
}

package analysis

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestReadIOPSAlarmAlignsNodes: on Aurora the ReadIOPS rollback alarm's
// baseline is the p99 of the writer's and the reader's ReadIOPS summed at
// each timestamp (the reads the single node serves), not the sum of their
// p99s: with the read peaks 12 hours apart (the writer's at 14-17 UTC, the
// reader's at 02-05) the sum of p99s (about 816 + 1216) overstates the
// aligned p99 (about 1420) by some 43%.
func TestReadIOPSAlarmAlignsNodes(t *testing.T) {
	in := auroraPair(2)
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	reads := func(n Node) Series {
		for _, s := range n.Series {
			if s.Metric == MetricReadIOPS {
				return s
			}
		}
		t.Fatalf("fixture: no ReadIOPS on %s", n.ID)
		return Series{}
	}
	w, r := reads(in.Nodes[0]), reads(in.Nodes[1])
	sum := make([]float64, len(w.Values))
	for i := range sum {
		if !w.Timestamps[i].Equal(r.Timestamps[i]) {
			t.Fatal("fixture: the nodes' timestamps differ")
		}
		sum[i] = w.Values[i] + r.Values[i]
	}
	q, err := Quantiles(sum, []float64{0.99})
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := rec.Nodes[0].Summary(MetricReadIOPS)
	rs, _ := rec.Nodes[1].Summary(MetricReadIOPS)
	aligned, ofP99s := q[0], ws.P99+rs.P99
	if aligned > 0.75*ofP99s {
		t.Fatalf("fixture: aligned p99 %.0f not well below the sum of p99s %.0f", aligned, ofP99s)
	}
	f := rec.Policy.RollbackFactor
	for _, a := range rec.RollbackTriggers {
		if a.MetricName != MetricReadIOPS {
			continue
		}
		if want := math.Ceil(aligned * f); a.Threshold != want {
			t.Errorf("ReadIOPS alarm at %v, want %v (aligned p99 %.0f × %.2f; the sum of p99s %.0f gives %v)",
				a.Threshold, want, aligned, f, ofP99s, math.Ceil(ofP99s*f))
		}
		if want := fmt.Sprintf("baseline p99 %.0f × %.2f", aligned, f); !strings.Contains(a.Description, want) {
			t.Errorf("ReadIOPS alarm description %q lacks %q", a.Description, want)
		}
		return
	}
	t.Fatal("no ReadIOPS alarm")
}

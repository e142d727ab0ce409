package analysis

import (
	"slices"
	"testing"
	"time"
)

// withFlat is in (14 days, writer first) whose writer's series of metric is v
// throughout; in is not modified.
func withFlat(in ClusterInput, metric string, v float64) ClusterInput {
	in.Nodes = slices.Clone(in.Nodes)
	w := &in.Nodes[0]
	w.Series = slices.Clone(w.Series)
	for j, s := range w.Series {
		if s.Metric == metric {
			w.Series[j] = synth(metric, s.Unit, s.Start, s.End.Sub(s.Start), s.Period, func(time.Time, int) float64 { return v })
		}
	}
	return in
}

// cpuMemory is idleMultiAZ(14) without candidates (the node stays on
// db.m6g.large) whose writer's CPU is flat at cpu percent and whose memory
// in use is flat at used percent of its 8 GiB: with 20% headroom the checks
// read cpu × 1.2 and used × 1.2.
func cpuMemory(cpu, used float64) ClusterInput {
	in := idleMultiAZ(14)
	in.Candidates = nil
	in = withFlat(in, MetricCPU, cpu)
	return withFlat(in, MetricFreeableMemory, (1-used/100)*8*gib)
}

// TestKeepConfidenceMonotone: a keep verdict's confidence rests on how
// clearly its failing checks fail, not on the passing checks' distance to
// their limits (the reviewer's table: CPU 2.7 times over its limit with
// memory just passing was less confident than CPU barely over).
func TestKeepConfidenceMonotone(t *testing.T) {
	cases := []struct {
		name      string
		cpu, used float64 // percent, before headroom
		cpuCheck  float64 // the CPU check's value with headroom
		memCheck  float64
	}{
		{"cpu 108 memory 79.2", 90, 66, 108, 79.2},
		{"cpu 42 memory 36", 35, 30, 42, 36},
		{"cpu 48 memory 79.2", 40, 66, 48, 79.2},
		{"cpu 60 memory 36", 50, 30, 60, 36},
	}
	conf := map[string]float64{}
	for _, c := range cases {
		rec, err := Analyze(cpuMemory(c.cpu, c.used), Policy{})
		if err != nil {
			t.Fatal(err)
		}
		cpu, _ := reason(rec, "cpu_p99_with_headroom")
		mem, _ := reason(rec, "memory_p99_with_headroom")
		if rec.Verdict != VerdictKeep || cpu.Passed || cpu.Value != c.cpuCheck || !mem.Passed || mem.Value != c.memCheck {
			t.Fatalf("%s: fixture: verdict %s, cpu %+v, memory %+v", c.name, rec.Verdict, cpu, mem)
		}
		conf[c.name] = rec.Confidence
	}
	for _, o := range []struct{ lower, higher string }{
		{"cpu 42 memory 36", "cpu 108 memory 79.2"}, // the reviewer's pair
		{"cpu 48 memory 79.2", "cpu 108 memory 79.2"},
		{"cpu 42 memory 36", "cpu 60 memory 36"},
	} {
		if conf[o.lower] >= conf[o.higher] {
			t.Errorf("keep confidence %v (%s) not below %v (%s)", conf[o.lower], o.lower, conf[o.higher], o.higher)
		}
	}
	// A passing check's distance plays no part: the same CPU overshoot with
	// memory near or far from its limit is as confident.
	if conf["cpu 48 memory 79.2"] != keepConf(t, 40, 30) {
		t.Errorf("keep confidence depends on a passing check: %v vs %v", conf["cpu 48 memory 79.2"], keepConf(t, 40, 30))
	}
}

func keepConf(t *testing.T, cpu, used float64) float64 {
	t.Helper()
	rec, err := Analyze(cpuMemory(cpu, used), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	return rec.Confidence
}

// TestKeepMargin: the margin of a keep is the largest miss among its
// failing checks, each by its own distance; passing checks play no part.
func TestKeepMargin(t *testing.T) {
	cpu := func(v float64) Reason {
		return Reason{Check: "cpu_p99_with_headroom", Value: v, Comparison: "<=", Limit: 40, Passed: v <= 40}
	}
	mem := func(v float64) Reason {
		return Reason{Check: "memory_p99_with_headroom", Value: v, Comparison: "<=", Limit: 80, Passed: v <= 80}
	}
	score := Reason{Check: "decision_score", Value: 4, Comparison: ">=", Limit: 5}
	savings := Reason{Check: "monthly_savings", Value: -50, Comparison: ">", Limit: 0}
	writerFails := Reason{Check: "writer_class_fits", Value: 0, Comparison: "==", Limit: 1}
	cases := []struct {
		name    string
		reasons []Reason
		stay    []Reason
		current float64
		want    float64
	}{
		{"none fails", []Reason{cpu(20), mem(40)}, nil, 100, 0},
		{"cpu over, memory near its limit", []Reason{cpu(50), mem(79)}, nil, 100, 0.25},
		{"cpu over, memory far", []Reason{cpu(50), mem(10)}, nil, 100, 0.25},
		{"both over: the larger", []Reason{cpu(50), mem(120)}, nil, 100, 0.5},
		{"decision score", []Reason{cpu(20), score}, nil, 100, 0.2},
		{"savings, today 200 a month", []Reason{cpu(20), savings}, nil, 200, 0.25},
		{"savings, today unknown", []Reason{savings}, nil, 0, 0},
		{"no savings at all", []Reason{{Check: "monthly_savings", Comparison: ">"}}, nil, 200, 0},
		{"writer's class fails", []Reason{cpu(20), writerFails}, []Reason{cpu(60), mem(79)}, 100, 0.5},
		{"class_fits alone", []Reason{{Check: "class_fits", Comparison: ">=", Limit: 1}}, nil, 100, 0},
	}
	for _, c := range cases {
		if got := keepMargin(c.reasons, c.stay, c.current); got != c.want {
			t.Errorf("%s: margin %v, want %v", c.name, got, c.want)
		}
	}
}

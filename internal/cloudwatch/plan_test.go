package cloudwatch

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, time.November, 2, 12, 0, 0, 0, time.UTC)

func nodes(n int) []Node {
	out := make([]Node, n)
	for i := range out {
		out[i] = Node{ID: fmt.Sprintf("node-%03d", i)}
	}
	return out
}

// checkPlan verifies the invariants of a plan: per-request limits, and every series covered exactly once over
// [Start, End) by contiguous segments.
func checkPlan(t *testing.T, p *Plan) {
	t.Helper()
	cover := make([][]Batch, len(p.Series))
	for bi, b := range p.Batches {
		if len(b.Series) == 0 || len(b.Series) > MaxQueriesPerRequest {
			t.Fatalf("batch %d has %d queries", bi, len(b.Series))
		}
		if dp := p.Datapoints(b); dp > MaxDatapointsPerRequest {
			t.Fatalf("batch %d has %d datapoints", bi, dp)
		}
		if !b.End.After(b.Start) || b.Start.Before(p.Start) || b.End.After(p.End) {
			t.Fatalf("batch %d window %v..%v outside plan %v..%v", bi, b.Start, b.End, p.Start, p.End)
		}
		if b.Start.Sub(p.Start)%p.Period != 0 || b.End.Sub(p.Start)%p.Period != 0 {
			t.Fatalf("batch %d not aligned to period", bi)
		}
		seen := map[int]bool{}
		for _, i := range b.Series {
			if seen[i] {
				t.Fatalf("batch %d repeats series %d", bi, i)
			}
			seen[i] = true
			cover[i] = append(cover[i], b)
		}
	}
	for i, bs := range cover {
		t0 := p.Start
		for _, b := range bs {
			if !b.Start.Equal(t0) {
				t.Fatalf("series %d: segment starts %v, want %v", i, b.Start, t0)
			}
			t0 = b.End
		}
		if !t0.Equal(p.End) {
			t.Fatalf("series %d covered up to %v, want %v", i, t0, p.End)
		}
	}
}

func TestPlanRequestCountAtLowerBound(t *testing.T) {
	tests := []struct {
		nodes, days  int
		period       time.Duration
		wantRequests int
	}{
		// 14 days at 60 s: 20,160 points/series, 5 series fill 100,800 datapoints exactly.
		{1, 14, time.Minute, 2},
		{2, 14, time.Minute, 4},
		{10, 14, time.Minute, 20},
		{100, 14, time.Minute, 200},
		// 28 days at 300 s: 8,064 points/series; 12.5 series per request, so whole series alone would need
		// ⌈n/12⌉ requests; splitting the window in two (25 half-series per request) reaches the bound.
		{1, 28, 5 * time.Minute, 1},
		{2, 28, 5 * time.Minute, 2},
		{10, 28, 5 * time.Minute, 8},
		{100, 28, 5 * time.Minute, 80},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dnodes_%ddays", tt.nodes, tt.days), func(t *testing.T) {
			end := testNow.Truncate(time.Minute)
			p, err := NewPlan(Request{Nodes: nodes(tt.nodes), Metrics: DefaultMetrics,
				Start: end.Add(-time.Duration(tt.days) * 24 * time.Hour), End: end, Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if p.Period != tt.period {
				t.Fatalf("period %v, want %v", p.Period, tt.period)
			}
			if len(p.Series) != tt.nodes*len(DefaultMetrics) {
				t.Fatalf("%d series", len(p.Series))
			}
			if p.LowerBound != tt.wantRequests || len(p.Batches) != p.LowerBound {
				t.Errorf("requests %d, lower bound %d, want %d", len(p.Batches), p.LowerBound, tt.wantRequests)
			}
			checkPlan(t, p)
		})
	}
}

// TestPackNearLowerBoundSweep sweeps series counts and window lengths that retention allows (up to 21,600
// points per series): the packer never needs more than one request above the lower bound (the bound is not always
// reachable with whole time segments), and reaches it exactly in the large majority of cases.
func TestPackNearLowerBoundSweep(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	exact := 0
	const n = 400
	for range n {
		s := 1 + rng.IntN(2500)
		pts := 1 + rng.IntN(21600)
		b := pack(s, pts, testNow, time.Minute)
		lb := LowerBound(s, pts)
		if len(b) < lb || len(b) > lb+1 {
			t.Errorf("S=%d P=%d: %d requests, lower bound %d", s, pts, len(b), lb)
		}
		if len(b) == lb {
			exact++
		}
	}
	if exact < n*3/5 {
		t.Errorf("only %d of %d random plans at the lower bound", exact, n)
	}
	t.Logf("%d of %d random (S, P) plans exactly at the lower bound, the rest one above", exact, n)
	// A series longer than one request's budget (only possible with an explicit coarse window in theory) is split.
	p := &Plan{Period: time.Minute, Start: testNow, End: testNow.Add(250000 * time.Minute), PointsPerSeries: 250000}
	p.Series = make([]SeriesRef, 3)
	p.Batches = pack(3, 250000, p.Start, p.Period)
	if len(p.Batches) != LowerBound(3, 250000) {
		t.Errorf("long series: %d batches, want %d", len(p.Batches), LowerBound(3, 250000))
	}
	checkPlan(t, p)
}

func TestChoosePeriod(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		age       time.Duration
		requested time.Duration
		want      time.Duration
		wantErr   string
	}{
		{time.Hour, 0, time.Minute, ""},
		{14 * day, 0, time.Minute, ""},
		{15 * day, 0, time.Minute, ""},
		{15*day + time.Minute, 0, 5 * time.Minute, ""},
		{28 * day, 0, 5 * time.Minute, ""},
		{63 * day, 0, 5 * time.Minute, ""},
		{64 * day, 0, time.Hour, ""},
		{455 * day, 0, time.Hour, ""},
		{456 * day, 0, 0, "455 days"},
		{14 * day, 5 * time.Minute, 5 * time.Minute, ""},
		{14 * day, 2 * time.Minute, 2 * time.Minute, ""},
		{28 * day, time.Minute, 0, "use a multiple of 300 s"},
		{100 * day, 5 * time.Minute, 0, "use a multiple of 3600 s"},
		{14 * day, 90 * time.Second, 0, "multiple of 60"},
		{14 * day, -time.Minute, 0, "multiple of 60"},
	}
	for _, tt := range tests {
		got, err := ChoosePeriod(testNow.Add(-tt.age), testNow, tt.requested)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("age %v req %v: err %v, want %q", tt.age, tt.requested, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("age %v req %v: %v %v, want %v", tt.age, tt.requested, got, err, tt.want)
		}
	}
	if _, err := ChoosePeriod(testNow.Add(-500*day), testNow, 0); !errors.Is(err, ErrRetention) {
		t.Errorf("want ErrRetention, got %v", err)
	}
}

func TestNewPlanValidation(t *testing.T) {
	end := testNow.Add(-time.Hour)
	base := func() Request {
		return Request{Nodes: nodes(2), Metrics: DefaultMetrics[:2], Start: end.Add(-24 * time.Hour), End: end, Now: testNow}
	}
	tests := map[string]func(r *Request){
		"no nodes":       func(r *Request) { r.Nodes = nil },
		"no metrics":     func(r *Request) { r.Metrics = nil },
		"no now":         func(r *Request) { r.Now = time.Time{} },
		"end before":     func(r *Request) { r.End = r.Start },
		"future end":     func(r *Request) { r.End = testNow.Add(time.Minute) },
		"duplicate node": func(r *Request) { r.Nodes = []Node{{ID: "a"}, {ID: "a"}} },
		"empty node":     func(r *Request) { r.Nodes = []Node{{}} },
		"empty metric":   func(r *Request) { r.Metrics = []Metric{{}} },
		"node without metrics": func(r *Request) {
			r.Metrics = nil
			r.Nodes = []Node{{ID: "a", Metrics: DefaultMetrics[:1]}, {ID: "b"}}
		},
		"empty node metric": func(r *Request) { r.Nodes[1].Metrics = []Metric{{}} },
		"too old":           func(r *Request) { r.Start = testNow.Add(-456 * 24 * time.Hour) },
		"sub-period span": func(r *Request) {
			r.Period = time.Hour
			r.Start, r.End = end.Add(10*time.Minute), end.Add(50*time.Minute)
		},
	}
	for name, mut := range tests {
		r := base()
		mut(&r)
		if p, err := NewPlan(r); err == nil {
			t.Errorf("%s: plan accepted: %+v", name, p)
		}
	}
	r := base()
	r.Stats = []string{"Average", "Maximum", "p99"}
	r.Start = r.Start.Add(17 * time.Second) // unaligned input is rounded down to the period
	p, err := NewPlan(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Series) != 2*2*3 || p.Namespace != DefaultNamespace || p.Coarsened || p.PointsPerSeries != 1440 {
		t.Errorf("plan %+v", p)
	}
	if p.Start.Sub(time.Unix(0, 0))%time.Minute != 0 {
		t.Errorf("start %v not aligned", p.Start)
	}
	checkPlan(t, p)
	r = base()
	r.Start = end.Add(-30 * 24 * time.Hour)
	if p, err := NewPlan(r); err != nil || !p.Coarsened || p.Period != 5*time.Minute {
		t.Errorf("30 days: %+v %v", p, err)
	}
}

func BenchmarkNewPlan(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			req := Request{Nodes: nodes(n), Metrics: DefaultMetrics, Start: testNow.Add(-28 * 24 * time.Hour), End: testNow, Now: testNow}
			for b.Loop() {
				if _, err := NewPlan(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestNewPlanPerNodeMetrics: a node's own Metrics replace the Request's for that node only; the series and the
// lower bound count each node's metrics, and a request without Metrics is fine when every node has its own.
func TestNewPlanPerNodeMetrics(t *testing.T) {
	end := testNow.Add(-time.Hour)
	r := Request{Nodes: []Node{{ID: "rds"}, {ID: "aurora-reader", Metrics: AuroraMetrics}}, Metrics: DefaultMetrics,
		Start: end.Add(-14 * 24 * time.Hour), End: end, Now: testNow}
	p, err := NewPlan(r)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, s := range p.Series {
		got[s.Node.ID] = append(got[s.Node.ID], s.Metric.Name)
	}
	want := map[string][]string{}
	for _, m := range DefaultMetrics {
		want["rds"] = append(want["rds"], m.Name)
	}
	for _, m := range AuroraMetrics {
		want["aurora-reader"] = append(want["aurora-reader"], m.Name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("series by node %v, want %v", got, want)
	}
	if !slices.Contains(want["aurora-reader"], "AuroraReplicaLag") || slices.Contains(want["aurora-reader"], "ReplicaLag") {
		t.Errorf("AuroraMetrics %v: want AuroraReplicaLag in place of ReplicaLag", want["aurora-reader"])
	}
	if !slices.Contains(want["aurora-reader"], "FreeLocalStorage") || slices.Contains(want["aurora-reader"], "FreeStorageSpace") {
		t.Errorf("AuroraMetrics %v: want FreeLocalStorage in place of FreeStorageSpace", want["aurora-reader"])
	}
	if len(AuroraMetrics) != len(DefaultMetrics) {
		t.Errorf("%d Aurora metrics, %d default ones: the request counts would differ", len(AuroraMetrics), len(DefaultMetrics))
	}
	if p.LowerBound != LowerBound(len(DefaultMetrics)+len(AuroraMetrics), p.PointsPerSeries) {
		t.Errorf("lower bound %d for %d series", p.LowerBound, len(p.Series))
	}
	r.Metrics = nil
	r.Nodes[0].Metrics = DefaultMetrics[:1]
	if p, err := NewPlan(r); err != nil || len(p.Series) != 1+len(AuroraMetrics) {
		t.Fatalf("every node with its own metrics, none in the request: %v, %+v", err, p)
	}
}

// TestNewPlanPerNodeStats: a node's own Stats replace the Request's for that node only, as its Metrics do: one
// SampleCount series beside nodes read with the Request's Average adds one series to the plan, its batches and
// its lower bound (not a statistic on every series), and the period-average warning follows the statistics the
// series actually have.
func TestNewPlanPerNodeStats(t *testing.T) {
	end := testNow.Truncate(time.Minute)
	role := []Dimension{{Name: "DBClusterIdentifier", Value: "c"}, {Name: "Role", Value: "READER"}}
	count := Node{ID: "c/READER/count", Dimensions: role, Metrics: []Metric{{"DatabaseConnections", "Count"}}, Stats: []string{"SampleCount"}}
	ns := append(nodes(100), Node{ID: "c/READER", Dimensions: role}, count)
	r := Request{Nodes: ns, Metrics: DefaultMetrics, Stats: []string{"Average"}, Start: end.Add(-7 * 24 * time.Hour), End: end, Now: testNow}
	p, err := NewPlan(r)
	if err != nil {
		t.Fatal(err)
	}
	stats := map[string][]string{}
	for _, s := range p.Series {
		stats[s.Node.ID] = append(stats[s.Node.ID], s.Metric.Name+" "+s.Stat)
	}
	if want := []string{"DatabaseConnections SampleCount"}; !slices.Equal(stats["c/READER/count"], want) {
		t.Errorf("series of the count node %v, want %v", stats["c/READER/count"], want)
	}
	if got := stats["c/READER"]; len(got) != len(DefaultMetrics) || got[0] != "CPUUtilization Average" {
		t.Errorf("series of the role node %v, want every default metric's Average", got)
	}
	series := 101*len(DefaultMetrics) + 1
	// 7 days at 60 s: 10,080 points, 10 series a request: 1,010 series take 101 requests, one more takes 102.
	if len(p.Series) != series || p.LowerBound != LowerBound(series, p.PointsPerSeries) || p.LowerBound != 102 || len(p.Batches) != p.LowerBound {
		t.Errorf("%d series, lower bound %d, %d requests; want %d series and 102 requests", len(p.Series), p.LowerBound, len(p.Batches), series)
	}
	checkPlan(t, p)

	// The request's statistics two ways: every series then has the second one too (the cost the per-node
	// statistic avoids).
	both := r
	both.Nodes, both.Stats = ns[:101], []string{"Average", "SampleCount"}
	if p2, err := NewPlan(both); err != nil || p2.LowerBound != 2*101 {
		t.Errorf("Average and SampleCount on every series: lower bound %d (%v), want %d", p2.LowerBound, err, 2*101)
	}

	// Warnings at 300 s: a node's own Average warns although the request asks for Maximum; a request's Average
	// that no node keeps does not.
	old := r
	old.Start = end.Add(-30 * 24 * time.Hour)
	old.Stats = []string{"Maximum"}
	old.Nodes = []Node{{ID: "a"}, {ID: "b", Stats: []string{"Average"}}}
	if p, err := NewPlan(old); err != nil || len(p.Warnings) != 1 || !strings.HasPrefix(p.Warnings[0], "datapoints are 300-second averages") {
		t.Errorf("a node's own Average at 300 s: warnings %q (%v), want the period-average one", p.Warnings, err)
	}
	old.Stats = []string{"Average"}
	old.Nodes = []Node{{ID: "a", Stats: []string{"Maximum"}}, {ID: "b", Stats: []string{"SampleCount"}}}
	if p, err := NewPlan(old); err != nil || len(p.Warnings) != 0 {
		t.Errorf("no series with Average at 300 s: warnings %q (%v), want none", p.Warnings, err)
	}

	for name, st := range map[string][]string{"empty": {""}, "repeated": {"Average", "Average"}} {
		bad := r
		bad.Nodes = []Node{{ID: "a", Stats: st}}
		if _, err := NewPlan(bad); err == nil {
			t.Errorf("%s node statistic accepted", name)
		}
	}
}

// CoarsenedReason names the window's start and the tiers it is older than.
func TestCoarsenedReason(t *testing.T) {
	start := time.Date(2026, 11, 14, 4, 0, 0, 0, time.FixedZone("IST", 19800))
	for period, want := range map[time.Duration]string{
		300 * time.Second:  "the window starts 2026-11-13T22:30:00Z, more than 15 days ago, and CloudWatch keeps 1-minute data 15 days",
		3600 * time.Second: "the window starts 2026-11-13T22:30:00Z, more than 63 days ago, and CloudWatch keeps 1-minute data 15 days and 5-minute data 63 days",
	} {
		if got := CoarsenedReason(start, period); got != want {
			t.Errorf("period %v: %q, want %q", period, got, want)
		}
	}
}

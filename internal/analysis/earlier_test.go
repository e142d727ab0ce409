package analysis

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// hourlySeries is CPUUtilization at period from start for d, values f(t) (NaN: missing).
func hourlySeries(start time.Time, d, period time.Duration, f func(t time.Time) float64) Series {
	return synth(MetricCPU, "Percent", start, d, period, func(t time.Time, _ int) float64 { return f(t) })
}

// TestEarlierPeak: the busiest earlier hour of the projected CPU (writer
// plus readers scaled, on the recommended class) against the lookback's,
// and the risk when it is busier by more than the headroom.
func TestEarlierPeak(t *testing.T) {
	day := 24 * time.Hour
	before := t0.Add(-60 * day) // the earlier window: 60 days to the lookback's start (t0)
	peakAt := before.Add(20*day + 15*time.Hour)
	withPeak := func(base, peak float64) func(time.Time) float64 {
		return func(tm time.Time) float64 {
			if !tm.Before(peakAt) && tm.Before(peakAt.Add(time.Hour)) {
				return peak
			}
			return base
		}
	}
	multiAZ := func(peak float64, period time.Duration) ClusterInput {
		in := idleMultiAZ(14)
		in.Candidates = nil // the writer's class: the projection's
		in.Earlier = map[string]Series{"sso-prod": hourlySeries(before, 60*day, period, withPeak(3, peak))}
		return in
	}
	tests := []struct {
		name     string
		in       ClusterInput
		peak     float64
		hours    int
		severity string
	}{
		{"Multi-AZ, an hour at 35%", multiAZ(35, time.Hour), 35, 60 * 24, "high"},
		{"Multi-AZ, an hour at 20%", multiAZ(20, time.Hour), 20, 60 * 24, "medium"},
		{"Multi-AZ, 5-minute points averaged by hour", multiAZ(20, 5*time.Minute), 20, 60 * 24, "medium"},
		// Twice the lookback's busiest hour, but with headroom 14.4%, under half the 40% threshold.
		{"Multi-AZ, an hour at 12%", multiAZ(12, time.Hour), 12, 60 * 24, ""},
		{"Multi-AZ, an hour at 6.5%", multiAZ(6.5, time.Hour), 6.5, 60 * 24, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Analyze(tc.in, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			e := rec.EarlierPeak
			if e == nil {
				t.Fatal("no EarlierPeak")
			}
			if math.Abs(e.PeakCPU-tc.peak) > 1e-9 || !e.PeakTime.Equal(peakAt) || e.Hours != tc.hours || !e.Start.Equal(before) || !e.End.Equal(t0) {
				t.Errorf("EarlierPeak %+v: want %v%% at %v over %d hours from %v to %v", *e, tc.peak, peakAt, tc.hours, before, t0)
			}
			// The lookback's busiest hour is the projection's highest hourly mean (idleWriter: about 6%).
			want := math.Inf(-1)
			for i, v := range rec.Projection.cpuH.mean {
				if rec.Projection.cpuH.count[i] > 0 {
					want = math.Max(want, v)
				}
			}
			if e.LookbackPeakCPU != want || e.LookbackPeakCPU < 5 || e.LookbackPeakCPU > 7 {
				t.Errorf("LookbackPeakCPU %v, want %v (about 6)", e.LookbackPeakCPU, want)
			}
			var risk *Risk
			for i, r := range rec.Risks {
				if strings.HasPrefix(r.Description, "Busier before the lookback") {
					risk = &rec.Risks[i]
				}
			}
			switch {
			case tc.severity == "" && risk != nil:
				t.Errorf("risk %+v, want none", *risk)
			case tc.severity != "" && (risk == nil || risk.Severity != tc.severity || risk.Category != "high-traffic"):
				t.Errorf("risk %+v, want a %s high-traffic risk", risk, tc.severity)
			case risk != nil:
				for _, s := range []string{"60 days before it", peakAt.Format("Mon 2006-01-02 15:04") + " UTC", num(tc.peak, 1) + "% CPU", "db.m6g.large",
					"(the Multi-AZ standby carries none of the load)"} {
					if !strings.Contains(risk.Description, s) {
						t.Errorf("risk %q does not say %q", risk.Description, s)
					}
				}
			}
			if !strings.Contains(rec.ReportMarkdown, "averaged "+num(tc.peak, 1)+"% CPU on db.m6g.large") {
				t.Errorf("the report does not give the earlier peak")
			}
		})
	}
}

// TestEarlierPeakAurora: on Aurora the reader's earlier CPU adds to the
// writer's, scaled by its vCPUs; an hour without the writer's data is left
// out, a reader's missing hour adds nothing; the peak is expressed on the
// recommended class.
func TestEarlierPeakAurora(t *testing.T) {
	day := 24 * time.Hour
	before := t0.Add(-30 * day)
	in := auroraPair(14)
	w, r := in.Nodes[0], in.Nodes[1]
	r.Class = classR6gXLarge // twice the writer's vCPUs: its CPU counts double
	in.Nodes[1] = r
	gap := before.Add(5 * day)
	in.Earlier = map[string]Series{
		w.ID: hourlySeries(before, 30*day, time.Hour, func(tm time.Time) float64 {
			if !tm.Before(gap) && tm.Before(gap.Add(3*time.Hour)) {
				return math.NaN() // three hours without the writer's data
			}
			return 20
		}),
		r.ID: hourlySeries(before, 30*day, time.Hour, func(tm time.Time) float64 {
			switch {
			case tm.Equal(before.Add(10*day + 9*time.Hour)):
				return 15 // 20 + 15 × 2 = 50% of the writer's vCPUs
			case tm.Before(before.Add(2 * day)):
				return math.NaN() // no reader yet
			}
			return 5
		}),
	}
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	e := rec.EarlierPeak
	if e == nil {
		t.Fatal("no EarlierPeak")
	}
	target, ok := classByName(in, rec.RecommendedClass)
	if !ok {
		t.Fatalf("recommended class %q not among the candidates", rec.RecommendedClass)
	}
	want := 50 * w.Class.VCPU / target.VCPU
	if math.Abs(e.PeakCPU-want) > 1e-9 || !e.PeakTime.Equal(before.Add(10*day+9*time.Hour)) || e.Hours != 30*24-3 {
		t.Errorf("EarlierPeak %+v: want %v%% (on %s) at day 10 09:00, %d hours", *e, want, target.Name, 30*24-3)
	}
}

// classByName is the class named name among in's nodes and candidates.
func classByName(in ClusterInput, name string) (InstanceClass, bool) {
	for _, n := range in.Nodes {
		if n.Class.Name == name {
			return n.Class, true
		}
	}
	for _, c := range in.Candidates {
		if c.Class.Name == name {
			return c.Class, true
		}
	}
	return InstanceClass{}, false
}

// TestEarlierPeakNone: without earlier data, or without the writer's, no
// EarlierPeak; an unknown node or a malformed series is refused.
func TestEarlierPeakNone(t *testing.T) {
	in := idleMultiAZ(14)
	rec, err := Analyze(in, Policy{})
	if err != nil || rec.EarlierPeak != nil {
		t.Errorf("no earlier data: EarlierPeak %+v, err %v; want nil, nil", rec.EarlierPeak, err)
	}
	before := t0.Add(-10 * 24 * time.Hour)
	in.Earlier = map[string]Series{"sso-prod": hourlySeries(before, 10*24*time.Hour, time.Hour, func(time.Time) float64 { return math.NaN() })}
	if rec, err := Analyze(in, Policy{}); err != nil || rec.EarlierPeak != nil {
		t.Errorf("earlier data all NaN: EarlierPeak %+v, err %v; want nil, nil", rec.EarlierPeak, err)
	}
	in.Earlier = map[string]Series{"other-db": hourlySeries(before, 10*24*time.Hour, time.Hour, func(time.Time) float64 { return 5 })}
	if _, err := Analyze(in, Policy{}); err == nil || !strings.Contains(err.Error(), `earlier CPU of "other-db"`) {
		t.Errorf("unknown node: err %v", err)
	}
	bad := hourlySeries(before, 10*24*time.Hour, time.Hour, func(time.Time) float64 { return 5 })
	bad.Values = bad.Values[1:]
	in.Earlier = map[string]Series{"sso-prod": bad}
	if _, err := Analyze(in, Policy{}); err == nil || !strings.Contains(err.Error(), "earlier CPU") {
		t.Errorf("malformed series: err %v", err)
	}
}

// TestEarlierPeakOnTargetClass: the earlier peak and the lookback's are
// expressed in percent of the recommended class's vCPUs (half the writer's
// here: twice the percent), and of hours equally busy the first is the
// busiest.
func TestEarlierPeakOnTargetClass(t *testing.T) {
	in := idleMultiAZ(14)
	in.Nodes[0].Class, in.Nodes[1].Class = classR6gXLarge, classR6gXLarge
	l := idleWriter(8)
	l[MetricFreeableMemory] = func(time.Time, int) float64 { return 28 * gib } // 4 GiB in use: fits the large's 16
	in.Nodes[0].Series = seriesOf(l, 14, 5*time.Minute)
	in.CurrentHourlyUSD = 2 * 0.45
	in.Candidates = []Candidate{{Class: classR6gXLarge, SingleNodeHourlyUSD: 0.45}, {Class: classR6gLarge, SingleNodeHourlyUSD: 0.225}}
	before := t0.Add(-20 * 24 * time.Hour)
	in.Earlier = map[string]Series{"sso-prod": hourlySeries(before, 20*24*time.Hour, time.Hour, func(time.Time) float64 { return 4 })}
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.RecommendedClass != classR6gLarge.Name {
		t.Fatalf("recommended %s, want %s", rec.RecommendedClass, classR6gLarge.Name)
	}
	e := rec.EarlierPeak
	lookback := math.Inf(-1)
	for i, v := range rec.Projection.cpuH.mean {
		if rec.Projection.cpuH.count[i] > 0 {
			lookback = math.Max(lookback, v)
		}
	}
	if e == nil || e.PeakCPU != 8 || !e.PeakTime.Equal(before) || e.LookbackPeakCPU != 2*lookback {
		t.Errorf("EarlierPeak %+v: want 8%% at %s (the first of equal hours), the lookback's %v", e, before, 2*lookback)
	}
}

// TestEarlierPeakNoLookbackCPU: with earlier CPU but none of the writer's in the lookback (an
// instance stopped through it), the earlier peak stands alone: no risk, and the report line
// says there was nothing to compare it with, not "n/a% in the lookback's busiest hour (Mon
// 0001-01-01 00:00 UTC)".
func TestEarlierPeakNoLookbackCPU(t *testing.T) {
	in := idleMultiAZ(14)
	in.Nodes[0].Series = slices.DeleteFunc(slices.Clone(in.Nodes[0].Series), func(s Series) bool { return s.Metric == MetricCPU })
	before := t0.Add(-20 * 24 * time.Hour)
	in.Earlier = map[string]Series{"sso-prod": hourlySeries(before, 20*24*time.Hour, time.Hour, func(time.Time) float64 { return 4 })}
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	e := rec.EarlierPeak
	if e == nil || e.PeakCPU != 4 || e.LookbackPeakCPU == e.LookbackPeakCPU || !e.LookbackPeakTime.IsZero() {
		t.Fatalf("EarlierPeak %+v: want 4%%, the lookback's NaN at the zero time", e)
	}
	for _, r := range rec.Risks {
		if strings.HasPrefix(r.Description, "Busier before the lookback") {
			t.Errorf("risk %q with nothing to compare with", r.Description)
		}
	}
	var line string
	for _, l := range strings.Split(rec.ReportMarkdown, "\n") {
		if strings.HasPrefix(l, "Before the lookback") {
			line = l
		}
	}
	if !strings.Contains(line, "averaged 4.0% CPU on db.m6g.large, with no projected CPU in the lookback to compare it with.") ||
		strings.Contains(line, "n/a") || strings.Contains(line, "0001") {
		t.Errorf("report line %q: want it to say the lookback had no projected CPU to compare with", line)
	}
}

// TestEarlierPeakRiskText: the remedy follows the deployment: capacity on
// Multi-AZ (the standby carries no load), the reader on Aurora, the class
// alone for one node already; the thresholds are the policy's.
func TestEarlierPeakRiskText(t *testing.T) {
	c := classR6gLarge
	e := EarlierPeak{Start: t0.Add(-30 * 24 * time.Hour), End: t0, Hours: 720, PeakTime: t0.Add(-10 * 24 * time.Hour), PeakCPU: 30,
		LookbackPeakTime: t0.Add(24 * time.Hour), LookbackPeakCPU: 10}
	for _, tc := range []struct {
		name    string
		e       EarlierPeak
		p       Policy
		t       Topology
		oneNode bool
		sev     string
		says    string
	}{
		{"Multi-AZ", e, DefaultPolicy(), TopologyMultiAZ, false, "medium", "or plan the class the single node needs for it (the Multi-AZ standby carries none of the load)"},
		{"Aurora", e, DefaultPolicy(), TopologyAurora, false, "medium", "or keep the reader through it"},
		{"one node", e, DefaultPolicy(), TopologyAurora, true, "medium", "or plan the class the node needs for it"},
		{"above the threshold", EarlierPeak{PeakCPU: 34, LookbackPeakCPU: 10}, DefaultPolicy(), TopologyMultiAZ, false, "high", "with 20% headroom 40.8%, above the 40% alert threshold"},
		{"a lower threshold", e, Policy{AlertThresholdPercent: 30}, TopologyMultiAZ, false, "high", "above the 30% alert threshold"},
		{"within the headroom", EarlierPeak{PeakCPU: 30, LookbackPeakCPU: 25}, DefaultPolicy(), TopologyMultiAZ, false, "", ""},
		{"under half the threshold", EarlierPeak{PeakCPU: 16, LookbackPeakCPU: 5}, DefaultPolicy(), TopologyMultiAZ, false, "", ""},
		{"at half the threshold", EarlierPeak{PeakCPU: 20.0 / 1.2, LookbackPeakCPU: 5}, DefaultPolicy(), TopologyMultiAZ, false, "medium", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := tc.e.risk(c, tc.p.withDefaults(), tc.t, tc.oneNode)
			if ok != (tc.sev != "") || r.Severity != tc.sev || !strings.Contains(r.Description, tc.says) {
				t.Errorf("risk %+v, %v: want severity %q saying %q", r, ok, tc.sev, tc.says)
			}
		})
	}
}

// TestEarlierPeakRemovedReader: an Aurora cluster of its writer alone (analysed as one node) that
// had a reader before the lookback: the reader's earlier CPU (ClusterInput.EarlierReaders) adds to
// the writer's as a reader's, scaled by its vCPUs (a db.r6g.xlarge: twice the writer's), in the
// hours it has data; after its removal the writer's own CPU holds its load. Without it the earlier
// peak was the writer's busiest hour after the removal (30%), no risk against the lookback's;
// with it, the reader's busy hour: 10 + 17 × 2 = 44%, a high risk whose remedy is the class.
// A reader that is a node, not a reader, or of a deployment that is not Aurora is refused.
func TestEarlierPeakRemovedReader(t *testing.T) {
	day := 24 * time.Hour
	before := t0.Add(-30 * day)
	removed := before.Add(25 * day)
	in := auroraPair(14)
	in.Nodes = in.Nodes[:1]
	in.Topology, in.AuroraClusterID, in.AlreadySingleNode = TopologyMultiAZ, "mandible-prod", true
	in.Candidates = in.Candidates[:1] // the writer's db.r6g.large
	w := in.Nodes[0]
	gone := Node{ID: "mandible-prod-2", Role: RoleReader, Class: classR6gXLarge}
	busy, late := before.Add(10*day+9*time.Hour), before.Add(27*day+10*time.Hour)
	in.Earlier = map[string]Series{
		w.ID: hourlySeries(before, 30*day, time.Hour, func(tm time.Time) float64 {
			switch {
			case tm.Equal(late):
				return 30
			case !tm.Before(removed):
				return 20 // its own 10 and the reader's 5 × 2
			}
			return 10
		}),
		gone.ID: hourlySeries(before, 25*day, time.Hour, func(tm time.Time) float64 {
			if tm.Equal(busy) {
				return 17
			}
			return 5
		}),
	}
	in.EarlierReaders = []Node{gone}
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	e := rec.EarlierPeak
	if e == nil || e.PeakCPU != 44 || !e.PeakTime.Equal(busy) || e.Hours != 30*24 || !e.Start.Equal(before) || !e.End.Equal(t0) {
		t.Fatalf("EarlierPeak %+v: want 44%% at %s over %d hours from %s to %s", e, busy, 30*24, before, t0)
	}
	if len(rec.Nodes) != 1 {
		t.Errorf("%d nodes analysed: want the writer alone", len(rec.Nodes))
	}
	i := slices.IndexFunc(rec.Risks, func(r Risk) bool { return strings.HasPrefix(r.Description, "Busier before the lookback") })
	if i < 0 || rec.Risks[i].Severity != "high" || !strings.Contains(rec.Risks[i].Description, "44.0% CPU") ||
		!strings.HasSuffix(rec.Risks[i].Description, "or plan the class the node needs for it") {
		t.Errorf("risks %+v: want a high one of the 44%% hour, planning the class", rec.Risks)
	}

	for _, tc := range []struct {
		name string
		edit func(*ClusterInput)
		want string
	}{
		{"a node's id", func(in *ClusterInput) { in.EarlierReaders[0].ID = w.ID }, `earlier reader "mandible-prod-1": its id must be set and not another node's`},
		{"not a reader", func(in *ClusterInput) { in.EarlierReaders[0].Role = RoleStandby }, `earlier reader "mandible-prod-2": role "standby": must be reader`},
		{"no class", func(in *ClusterInput) { in.EarlierReaders[0].Class = InstanceClass{} }, `earlier reader "mandible-prod-2": instance class`},
		{"not Aurora", func(in *ClusterInput) { in.AuroraClusterID = "" }, `earlier reader "mandible-prod-2": only an Aurora cluster has readers`},
		{"CPU of no reader", func(in *ClusterInput) { in.EarlierReaders = nil }, `earlier CPU of "mandible-prod-2", which is not one of its nodes or earlier readers`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := in
			bad.EarlierReaders = slices.Clone(in.EarlierReaders)
			tc.edit(&bad)
			if _, err := Analyze(bad, Policy{}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want one saying %q", err, tc.want)
			}
		})
	}
}

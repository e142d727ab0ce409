package analysis

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func flatProfile(v float64) Profile {
	p := Profile{Metric: "cpu", Mean: make([]float64, HoursPerWeek), Count: make([]int, HoursPerWeek)}
	for i := range p.Mean {
		p.Mean[i] = v
		p.Count[i] = 1
	}
	return p
}

func TestMigrationWindow(t *testing.T) {
	wrap := flatProfile(10)
	wrap.Mean[167], wrap.Mean[0], wrap.Mean[1] = 1, 1, 2 // Saturday 23:00 → Sunday 02:00
	gaps := flatProfile(math.NaN())
	gaps.Mean[50], gaps.Mean[51], gaps.Mean[52] = 5, 4, 6
	tests := []struct {
		name    string
		p       Profile
		hours   int
		want    Window
		wantErr bool
	}{
		{"wraps Saturday to Sunday", wrap, 2, Window{Known: true, Weekday: "Saturday", StartHourUTC: 23, LengthHours: 2, ExpectedLoad: 1, PeakLoad: 1}, false},
		{"three hours", wrap, 3, Window{Known: true, Weekday: "Saturday", StartHourUTC: 23, LengthHours: 3, ExpectedLoad: 4.0 / 3, PeakLoad: 2}, false},
		{"ties take the earliest", flatProfile(3), 4, Window{Known: true, Weekday: "Sunday", StartHourUTC: 0, LengthHours: 4, ExpectedLoad: 3, PeakLoad: 3}, false},
		{"skips hours without data", gaps, 2, Window{Known: true, Weekday: "Tuesday", StartHourUTC: 2, LengthHours: 2, ExpectedLoad: 4.5, PeakLoad: 5}, false},
		{"no complete window", gaps, 4, Window{LengthHours: 4}, false},
		{"whole week", flatProfile(1), 168, Window{Known: true, Weekday: "Sunday", LengthHours: 168, ExpectedLoad: 1, PeakLoad: 1}, false},
		{"zero hours", wrap, 0, Window{}, true},
		{"too long", wrap, 169, Window{}, true},
		{"wrong profile", Profile{Mean: make([]float64, 24)}, 2, Window{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MigrationWindow(tc.p, tc.hours)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				return
			}
			got.Reason = ""
			if math.Abs(got.ExpectedLoad-tc.want.ExpectedLoad) < 1e-3 {
				got.ExpectedLoad = tc.want.ExpectedLoad
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestPhaseOrder(t *testing.T) {
	in := []Traffic{
		{Cluster: "mandible-prod", BusyVCPU: 1.2, IOPS: 900, Connections: 120, NetworkBytesPerSec: 2e7},
		{Cluster: "sso-prod", BusyVCPU: 0.08, IOPS: 65, Connections: 18, NetworkBytesPerSec: 6e5},
		{Cluster: "billing-prod", BusyVCPU: 0.5, IOPS: 70, Connections: 300, NetworkBytesPerSec: math.NaN()},
		{Cluster: "aaa-tie", BusyVCPU: 0.5, IOPS: 70, Connections: 300, NetworkBytesPerSec: math.NaN()},
	}
	orig := slices.Clone(in)
	got, err := PhaseOrder(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"sso-prod", "aaa-tie", "billing-prod", "mandible-prod"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	for i := range in {
		if in[i].Cluster != orig[i].Cluster {
			t.Fatal("PhaseOrder modified its input")
		}
	}
	if _, err := PhaseOrder([]Traffic{{Cluster: "a"}, {Cluster: "a"}}); err == nil {
		t.Error("duplicate accepted")
	}
	if _, err := PhaseOrder([]Traffic{{}}); err == nil {
		t.Error("empty name accepted")
	}
	if got, err := PhaseOrder(nil); err != nil || len(got) != 0 {
		t.Errorf("empty = %v, %v", got, err)
	}
}

func TestPhaseOrderFromAnalyses(t *testing.T) {
	sso, err := Analyze(idleMultiAZ(14), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	mandible, err := Analyze(auroraPair(14), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := PhaseOrder([]Traffic{mandible.Traffic, sso.Traffic})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"sso-prod", "mandible-prod"}) {
		t.Errorf("phase order %v: sso-prod (low traffic) must go first", got)
	}
}

func projectionFor(cpuP99, memUsedP99, connMax, iopsP99, dqP99 float64, class InstanceClass) Projection {
	s := func(p99, mx float64) Summary {
		return Summary{Count: 1, P99: p99, Max: mx, P50: p99 / 2, P95: p99, Mean: p99 / 2}
	}
	return Projection{Class: class, CPU: s(cpuP99, cpuP99), MemoryUsed: s(memUsedP99, memUsedP99),
		Connections: s(connMax, connMax), IOPS: s(iopsP99, iopsP99), DiskQueueDepth: s(dqP99, dqP99), Network: emptySummary("n", "")}
}

func TestRollbackTriggers(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		name  string
		in    TriggerInput
		check map[string]float64 // metric → threshold
		ops   map[string]string
	}{
		{"floors at the alert threshold", TriggerInput{Instance: "db1", Class: classR6gLarge,
			Projection: projectionFor(10, 4*gib, 50, 300, 0.5, classR6gLarge), MaxConnections: 1000, Period: time.Minute},
			map[string]float64{MetricCPU: 40, MetricFreeableMemory: 10 * gib, MetricConnections: 75, MetricReadIOPS: 450, MetricWriteIOPS: 450, MetricDiskQueueDepth: 4},
			map[string]string{MetricCPU: "GreaterThanThreshold", MetricFreeableMemory: "LessThanThreshold"}},
		{"factor above the floor", TriggerInput{Instance: "db1", Class: classR6gLarge,
			Projection: projectionFor(36, 4*gib, 50, 300, 8, classR6gLarge), ReadIOPSP99: 200, WriteIOPSP99: 40, Period: 5 * time.Minute},
			map[string]float64{MetricCPU: 54, MetricReadIOPS: 300, MetricWriteIOPS: 100, MetricDiskQueueDepth: 12}, nil},
		// 90% of max_connections 400 (360) is below the baseline max 500: the alarm stays just above the
		// baseline; so do the IOPS alarms, whose cap, the class's 3600, is below the baseline p99 5000.
		{"capped", TriggerInput{Instance: "db1", Class: classR6gLarge,
			Projection: projectionFor(80, 15*gib, 500, 5000, 1, classR6gLarge), MaxConnections: 400},
			map[string]float64{MetricCPU: 90, MetricFreeableMemory: roundMiB(0.05 * 16 * gib), MetricConnections: 501, MetricReadIOPS: 5001}, nil},
		{"IOPS capped", TriggerInput{Instance: "db1", Class: classR6gLarge,
			Projection: projectionFor(80, 15*gib, 500, 3000, 1, classR6gLarge)},
			// 90% of the class's 3600 baseline IOPS: no more than 3600 can be read, so 3600 never fires.
			map[string]float64{MetricReadIOPS: 3240, MetricWriteIOPS: 3240}, nil},
		{"rescaled to a bigger class", TriggerInput{Instance: "db1", Class: classR6gXLarge,
			Projection: projectionFor(60, 4*gib, 50, 300, 1, classR6gLarge)},
			map[string]float64{MetricCPU: 45}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := thresholdAlarms(RollbackTriggers(tc.in, p))
			by := map[string]AlarmSpec{}
			for _, a := range got {
				by[a.MetricName] = a
				if a.Namespace != "AWS/RDS" || a.Dimensions["DBInstanceIdentifier"] != "db1" || a.EvaluationPeriods != a.DatapointsToAlarm {
					t.Errorf("alarm %+v", a)
				}
				wantPeriod := 300
				if tc.in.Period == time.Minute {
					wantPeriod = 60
				}
				if a.PeriodSeconds != wantPeriod {
					t.Errorf("%s period %d, want %d", a.MetricName, a.PeriodSeconds, wantPeriod)
				}
			}
			for m, thr := range tc.check {
				a, ok := by[m]
				if !ok {
					t.Errorf("no alarm for %s", m)
					continue
				}
				if math.Abs(a.Threshold-thr) > 1e-6*math.Max(1, thr) {
					t.Errorf("%s threshold %v, want %v", m, a.Threshold, thr)
				}
			}
			for m, op := range tc.ops {
				if by[m].ComparisonOperator != op {
					t.Errorf("%s operator %s, want %s", m, by[m].ComparisonOperator, op)
				}
			}
		})
	}
	// The connections alarm's description states the arithmetic that applied.
	for _, tc := range []struct {
		name     string
		max      float64
		maxConns int
		want     string
	}{
		{"factor", 120, 0, "Resize the instance (putting the standby back restores failover, not capacity) if connections exceed 180 (baseline max 120 × 1.50)"},
		{"at least 5 above", 4, 0, "Resize the instance (putting the standby back restores failover, not capacity) if connections exceed 9 (baseline max 4 + 5)"},
		{"capped", 120, 183, "Resize the instance (putting the standby back restores failover, not capacity) if connections exceed 164 (baseline max 120 × 1.50 = 180, capped at 90% of max_connections 183)"},
		{"fractional", 120.2, 0, "Resize the instance (putting the standby back restores failover, not capacity) if connections exceed 181 (baseline max 120.2 × 1.50 = 180.3, rounded up)"},
		{"fractional capped", 120.2, 193, "Resize the instance (putting the standby back restores failover, not capacity) if connections exceed 173 (baseline max 120.2 × 1.50 = 180.3, capped at 90% of max_connections 193)"},
		{"cap above", 120, 1000, "Resize the instance (putting the standby back restores failover, not capacity) if connections exceed 180 (baseline max 120 × 1.50)"},
	} {
		pr := projectionFor(10, 4*gib, tc.max, 300, 0.5, classR6gLarge)
		for _, a := range RollbackTriggers(TriggerInput{Instance: "db1", Class: classR6gLarge, Projection: pr, MaxConnections: tc.maxConns}, p) {
			if a.MetricName == MetricConnections && a.Description != tc.want {
				t.Errorf("%s: description %q, want %q", tc.name, a.Description, tc.want)
			}
		}
	}
	if got := RollbackTriggers(TriggerInput{Instance: "x", Projection: Projection{Class: classR6gLarge, CPU: emptySummary("c", ""),
		MemoryUsed: emptySummary("m", ""), Connections: emptySummary("c", ""), IOPS: emptySummary("i", ""), DiskQueueDepth: emptySummary("d", "")}}, p); len(got) != 0 {
		t.Errorf("no baseline → %d alarms", len(got))
	}
	// FreeLocalStorage (Aurora): 20% of the local storage, or less when the projected use max × 1.5 leaves
	// less free, at least 5% of it; none when the class's local storage is unknown or nothing was projected.
	local := classR6gLarge
	local.LocalStorageGiB = 32
	for _, tc := range []struct {
		name    string
		class   InstanceClass
		usedMax float64 // GiB; NaN: not projected
		want    float64 // GiB; 0: no alarm
	}{
		{"headroom share", local, 10, 6.4},
		{"below the headroom share", local, 18, 32 - 27},
		{"floored at 5%", local, 30, 1.6},
		{"class size unknown", classR6gLarge, 10, 0},
		{"not projected", local, math.NaN(), 0},
	} {
		pr := projectionFor(10, 4*gib, 50, 300, 0.5, local)
		pr.LocalStorageUsed = emptySummary("ProjectedLocalStorageUsed", "Bytes")
		if tc.usedMax == tc.usedMax {
			pr.LocalStorageUsed.Count, pr.LocalStorageUsed.Max = 100, tc.usedMax*gib
		}
		found := localAlarms(RollbackTriggers(TriggerInput{Instance: "db1", Class: tc.class, Projection: pr}, p))
		switch {
		case tc.want == 0 && len(found) > 0:
			t.Errorf("%s: unexpected alarm %+v", tc.name, found)
		case tc.want > 0 && (len(found) != 1 || found[0].Threshold != roundMiB(tc.want*gib) ||
			found[0].Statistic != "Minimum" || found[0].ComparisonOperator != "LessThanThreshold" || found[0].Unit != "Bytes"):
			t.Errorf("%s: alarms %+v, want one Minimum < %v GiB", tc.name, found, tc.want)
		}
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{"CPUUtilization": "cpuutilization", "ReadIOPS": "read_iops", "FreeableMemory": "freeable_memory",
		"DBInstanceIdentifier": "dbinstance_identifier", "DiskQueueDepth": "disk_queue_depth", "RDS": "rds"} {
		if got := snake(in); got != want {
			t.Errorf("snake(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestTune(t *testing.T) {
	const few = 10 // a kept max_connections every peak here needs more than
	tests := []struct {
		name  string
		class InstanceClass
		in    TuneInput
		want  map[string]string
	}{
		{"r6g.large, 100 peak", classR6gLarge, TuneInput{PeakConnections: 100, HeadroomPercent: 20, KeptMaxConnections: few},
			// 100 × 1.2 / 80% = 150, + 3 reserved = 153.
			// 16 GiB: shared a quarter (4 GiB as a number), cache three quarters, both of what RDS leaves the
			// database, as formulas; maint 1 GiB; work (12 GiB)/((153+8)×3) = 26051 kB
			map[string]string{"max_connections": "153", "shared_buffers": RDSSharedBuffersFormula, "effective_cache_size": RDSCacheFormula,
				"maintenance_work_mem": "1048576", "work_mem": "26051", "wal_buffers": "", "random_page_cost": "1.1",
				"max_worker_processes": "8", "max_parallel_workers_per_gather": "1"}},
		// The demo's mandible-prod: 120 × 1.2 = 144 needs 180 at 80% (no float residue rounds it up to 190).
		{"peak 120", classR6gLarge, TuneInput{PeakConnections: 120, HeadroomPercent: 20, KeptMaxConnections: few}, map[string]string{"max_connections": "183"}},
		{"threshold 90%", classR6gLarge, TuneInput{PeakConnections: 120, HeadroomPercent: 20, ConnectionsThresholdPercent: 90, KeptMaxConnections: few},
			map[string]string{"max_connections": "163"}},
		{"huge class caps maintenance_work_mem", InstanceClass{Name: "db.r6g.16xlarge", VCPU: 64, MemoryGiB: 512}, TuneInput{PeakConnections: 2000, KeptMaxConnections: few},
			map[string]string{"maintenance_work_mem": "8388608", "max_connections": "2503", "max_worker_processes": "128",
				"max_parallel_workers": "64", "max_parallel_workers_per_gather": "4"}},
		{"small class floors work_mem", classT4gMedium, TuneInput{PeakConnections: 3000},
			map[string]string{"work_mem": "4096", "max_connections": "3753"}},
		// No peak: no max_connections (the group keeps its own); work_mem against RDS's default on
		// 16 GiB, 17179869184 / 9531392 = 1802 connections: 12 GiB / ((1802 + 8) × 3) < 4 MiB.
		{"unknown peak", classR6gLarge, TuneInput{PeakConnections: math.NaN()}, map[string]string{"max_connections": "", "work_mem": "4096"}},
		// The peak needs 153, which the 400 kept hold: left out (no cut, no reboot); work_mem against
		// those 400: 12 GiB / ((400 + 8) × 3) = 10280 kB.
		{"kept holds the peak", classR6gLarge, TuneInput{PeakConnections: 100, HeadroomPercent: 20, KeptMaxConnections: 400},
			map[string]string{"max_connections": "", "work_mem": "10280"}},
		// 2000 is above RDS's default on 16 GiB (1802): a group's own, which a new group would cut to
		// the default, so it is recommended as it is; work_mem against it.
		{"kept above RDS's default", classR6gLarge, TuneInput{PeakConnections: 100, HeadroomPercent: 20, KeptMaxConnections: 2000},
			map[string]string{"max_connections": "2000", "work_mem": "4096"}},
		{"kept exactly what the peak needs", classR6gLarge, TuneInput{PeakConnections: 100, HeadroomPercent: 20, KeptMaxConnections: 153},
			map[string]string{"max_connections": ""}},
		{"kept one short", classR6gLarge, TuneInput{PeakConnections: 100, HeadroomPercent: 20, KeptMaxConnections: 152},
			map[string]string{"max_connections": "153"}},
		// Not known: RDS's default on 16 GiB, 1802, holds 153.
		{"kept unknown, default holds the peak", classR6gLarge, TuneInput{PeakConnections: 100, HeadroomPercent: 20},
			map[string]string{"max_connections": "", "work_mem": "4096"}},
		// ... and on 4 GiB (450) does not hold 3000 × 1.2 / 80%.
		{"kept unknown, default too small", classT4gMedium, TuneInput{PeakConnections: 3000, HeadroomPercent: 20},
			map[string]string{"max_connections": "4503"}},
		{"zero peak", classR6gLarge, TuneInput{}, map[string]string{"max_connections": ""}},
		// 512 GiB: the default is capped at 5000; 384 GiB / ((5000 + 128) × 3) / ⌈4 per gather / 2⌉ = 13086 kB.
		{"unknown peak, default capped", InstanceClass{Name: "db.r6g.16xlarge", VCPU: 64, MemoryGiB: 512}, TuneInput{},
			map[string]string{"max_connections": "", "max_parallel_workers_per_gather": "4", "work_mem": "13086"}},
		// 64 GiB, 100 kept: 48 GiB / ((100 + 16) × 3) / ⌈4 / 2⌉ = 72315 kB (not 144631: each of a parallel
		// query's workers takes work_mem).
		{"parallel workers share work_mem", InstanceClass{Name: "db.r6g.2xlarge", VCPU: 8, MemoryGiB: 64}, TuneInput{KeptMaxConnections: 100},
			map[string]string{"max_parallel_workers_per_gather": "4", "work_mem": "72315"}},
		{"tiny peak", classR6gLarge, TuneInput{PeakConnections: 2, KeptMaxConnections: few}, map[string]string{"max_connections": "20"}},
		{"hdd", classR6gLarge, TuneInput{HDD: true}, map[string]string{"random_page_cost": "4", "effective_io_concurrency": "2"}},
		// 5000 only caps RDS's default formula; 9000 / 80% = 11250 (+ 3 reserved).
		{"above 5000", classR6gXLarge, TuneInput{PeakConnections: 9000}, map[string]string{"max_connections": "11253"}},
		// PostgreSQL's MAX_BACKENDS 262143 − max_worker_processes 8 − 100 other backends.
		{"engine limit", classR6gXLarge, TuneInput{PeakConnections: 1e6}, map[string]string{"max_connections": "262035"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Tune(tc.class, tc.in)
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %s, want %s", k, got[k], v)
				}
			}
			for k := range got {
				if _, ok := ParameterUnits[k]; !ok {
					t.Errorf("%s has no unit entry", k)
				}
			}
		})
	}
	// The max_connections in effect (the tuned one, else the one kept) passes the connections check
	// it is compared with, peak × (1 + headroom) within ConnectionsThresholdPercent of it; and the
	// tuned one is only ever a raise.
	for _, kept := range []int{1, 100, 1000} {
		for _, h := range []float64{0, 10, 20, 35} {
			for _, lim := range []float64{50, 80, 100} {
				for pk := 1.0; pk <= 3000; pk = math.Ceil(pk * 1.07) {
					v, set := Tune(classR6gLarge, TuneInput{PeakConnections: pk, HeadroomPercent: h, ConnectionsThresholdPercent: lim, KeptMaxConnections: kept})["max_connections"]
					mc, _ := strconv.Atoi(v)
					if !set {
						mc = kept
					} else if mc < kept {
						t.Errorf("peak %v, headroom %v%%, kept %d: max_connections cut to %d", pk, h, kept, mc)
					}
					if 100*pk*(1+h/100)/float64(mc) > lim {
						t.Errorf("peak %v, headroom %v%%, kept %d: max_connections %d fails the %v%% check", pk, h, kept, mc, lim)
					}
				}
			}
		}
	}
	if Tune(InstanceClass{VCPU: 2}, TuneInput{}) != nil {
		t.Error("zero memory tuned")
	}
	if got := humanParameter("shared_buffers", "524288"); got != "4GB" {
		t.Errorf("human shared_buffers %s", got)
	}
	if got := humanParameter("work_mem", "32017"); got != "32017kB" {
		t.Errorf("human work_mem %s", got)
	}
}

func TestCost(t *testing.T) {
	tests := []struct {
		name            string
		cur, prop       float64
		target          SavingsTarget
		known, met      bool
		status          string
		monthly, annual float64
	}{
		{"within seed target", 0.258, 0.129, SavingsTarget{}, true, true, "within", 94.17, 1130.04},
		{"below", 0.129, 0.065, SavingsTarget{}, true, false, "below", 46.72, 560.64},
		{"above", 0.9, 0.45, SavingsTarget{MinMonthlyUSD: 50, MaxMonthlyUSD: 100}, true, true, "above", 328.5, 3942},
		{"costs more", 0.1, 0.2, SavingsTarget{}, true, false, "below", -73, -876},
		{"unknown current", 0, 0.2, SavingsTarget{}, false, false, "unknown", 0, 0},
		{"unknown proposed", 0.3, 0, SavingsTarget{}, false, false, "unknown", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Cost(tc.cur, tc.prop, "db.x", tc.target)
			if c.Known != tc.known || c.TargetMet != tc.met || c.TargetStatus != tc.status ||
				c.MonthlySavingsUSD != tc.monthly || c.AnnualSavingsUSD != tc.annual {
				t.Errorf("got %+v", c)
			}
			if c.Target == (SavingsTarget{}) {
				t.Error("default target not applied")
			}
		})
	}
}

func TestDecisionMatrix(t *testing.T) {
	caps := []Reason{{Check: "cpu", Value: 20, Limit: 40}, {Check: "mem", Value: 10, Limit: 80}}
	cost := Cost(0.318, 0.159, "db.m6g.large", SavingsTarget{})
	m := decisionMatrix(TopologyMultiAZ, false, caps, cost, DefaultSavingsTarget(), DefaultPolicy().Weights, nil, recovery{})
	want := []float64{10, 10, 3, 8}
	for i, r := range m.Rows {
		if r.Score != want[i] || r.Evidence == "" {
			t.Errorf("row %+v, want score %v", r, want[i])
		}
	}
	// (10×.35 + 10×.25 + 3×.25 + 8×.15) / 1
	if m.Total != 7.95 {
		t.Errorf("total %v", m.Total)
	}
	// Weights are relative, up to math.MaxFloat64 (Policy.Validate's limit): (10 + 10) / 2, not Inf/Inf = NaN.
	for _, w := range []DecisionWeights{{Performance: 1, Cost: 1}, {Performance: 1e308, Cost: 1e308},
		{Performance: math.MaxFloat64, Cost: math.MaxFloat64, Reliability: math.MaxFloat64, Operations: 5e-324}} {
		m = decisionMatrix(TopologyMultiAZ, false, caps, cost, DefaultSavingsTarget(), w, nil, recovery{})
		want := 10.0
		if w.Reliability > 0 {
			want = 7.67 // (10 + 10 + 3) / 3; the subnormal weight counts for nothing
		}
		if m.Total != want || m.Rows[0].Weight != w.Performance {
			t.Errorf("weights %+v: total %v, want %v (rows %+v)", w, m.Total, want, m.Rows)
		}
	}
	m = decisionMatrix(TopologyAurora, false, nil, CostEstimate{}, DefaultSavingsTarget(), DecisionWeights{}, []Risk{{Severity: "high"}}, recovery{})
	if m.Total != 0 || m.Rows[0].Score != 0 || m.Rows[1].Score != 5 || m.Rows[2].Score != 4 {
		t.Errorf("degenerate matrix %+v", m)
	}
}

func TestPerformanceAndSavingsScores(t *testing.T) {
	for _, tc := range []struct{ r, want float64 }{
		{0, 10}, {0.5, 10}, {0.75, 7.5}, {1, 5}, {1.25, 2.5}, {1.5, 0}, {3, 0}, {math.NaN(), 0},
	} {
		if got := performanceScore(tc.r); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("performanceScore(%v) = %v, want %v", tc.r, got, tc.want)
		}
	}
	target := DefaultSavingsTarget() // 50–100
	for _, tc := range []struct{ s, want float64 }{
		{-5, 0}, {0, 0}, {25, 3.5}, {50, 7}, {75, 8.5}, {100, 10}, {500, 10}, {math.NaN(), 0},
	} {
		if got := savingsScore(tc.s, target); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("savingsScore(%v) = %v, want %v", tc.s, got, tc.want)
		}
	}
	if got := savingsScore(10, SavingsTarget{MinMonthlyUSD: 0, MaxMonthlyUSD: 0}); got != 10 {
		t.Errorf("savingsScore with a zero target = %v, want 10", got)
	}
}

func ExampleMigrationWindow() {
	p := Profile{Metric: "CPUUtilization", Mean: make([]float64, HoursPerWeek)}
	for i := range p.Mean {
		p.Mean[i] = 30
	}
	p.Mean[3*24+2], p.Mean[3*24+3] = 5, 7 // Wednesday 02:00-04:00 is quiet
	w, _ := MigrationWindow(p, 2)
	fmt.Println(w.Weekday, w.StartHourUTC, w.ExpectedLoad)
	// Output: Wednesday 2 6
}

func ExamplePhaseOrder() {
	order, _ := PhaseOrder([]Traffic{
		{Cluster: "mandible-prod", BusyVCPU: 1.5, IOPS: 900, Connections: 120, NetworkBytesPerSec: 2e7},
		{Cluster: "sso-prod", BusyVCPU: 0.1, IOPS: 60, Connections: 18, NetworkBytesPerSec: 5e5},
	})
	fmt.Println(strings.Join(order, " → "))
	// Output: sso-prod → mandible-prod
}

func ExampleTune() {
	// A peak of 100 connections, with 20% headroom, needs 153 at the default 80% threshold: more
	// than the 100 the parameter group has today, so max_connections is raised.
	p := Tune(InstanceClass{Name: "db.r6g.large", VCPU: 2, MemoryGiB: 16}, TuneInput{PeakConnections: 100, HeadroomPercent: 20, KeptMaxConnections: 100})
	pages, _ := FormulaPages(p["shared_buffers"], 16<<30) // on 16 GiB of DBInstanceClassMemory
	fmt.Println(p["max_connections"], p["shared_buffers"], humanParameter("shared_buffers", strconv.FormatFloat(pages, 'f', 0, 64)), p["work_mem"])
	// With 400 today it is left as it is (no cut, no reboot); work_mem is sized against those 400.
	p = Tune(InstanceClass{Name: "db.r6g.large", VCPU: 2, MemoryGiB: 16}, TuneInput{PeakConnections: 100, HeadroomPercent: 20, KeptMaxConnections: 400})
	_, set := p["max_connections"]
	fmt.Println(set, p["work_mem"])
	// Output:
	// 153 {DBInstanceClassMemory/32768} 4GB 26051
	// false 10280
}

func ExampleCost() {
	c := Cost(0.258, 0.129, "db.t4g.large", SavingsTarget{MinMonthlyUSD: 50, MaxMonthlyUSD: 100})
	fmt.Println(c.MonthlySavingsUSD, c.AnnualSavingsUSD, c.TargetStatus)
	// Output: 94.17 1130.04 within
}

func ExampleRollbackTriggers() {
	pr := Projection{Class: InstanceClass{Name: "db.m6g.large", VCPU: 2, MemoryGiB: 8},
		CPU: Summary{Count: 1, P99: 30}, MemoryUsed: emptySummary("", ""), Connections: emptySummary("", ""),
		IOPS: emptySummary("", ""), DiskQueueDepth: emptySummary("", "")}
	for _, a := range RollbackTriggers(TriggerInput{Instance: "sso-prod", Projection: pr, Period: time.Minute}, DefaultPolicy()) {
		fmt.Println(a.Name, a.MetricName, a.Statistic, a.PeriodSeconds, a.EvaluationPeriods, a.ComparisonOperator, a.Threshold, a.TreatMissingData)
	}
	// Output:
	// rightsize-rollback-sso-prod-CPUUtilization CPUUtilization Average 60 5 GreaterThanThreshold 45 missing
	// rightsize-availability-sso-prod CPUUtilization SampleCount 60 5 LessThanThreshold 1 breaching
}

func ExamplePrometheusRules() {
	alarms := []AlarmSpec{{Name: "rightsize-rollback-sso-prod-CPUUtilization", Namespace: "AWS/RDS", MetricName: "CPUUtilization",
		Dimensions: map[string]string{"DBInstanceIdentifier": "sso-prod"}, Statistic: "Average", PeriodSeconds: 60,
		EvaluationPeriods: 5, ComparisonOperator: "GreaterThanThreshold", Threshold: 45, Description: "CPU above 45%"}}
	fmt.Print(PrometheusRules("sso-prod", alarms))
	// Output:
	// # Rollback alerts for prometheus/cloudwatch_exporter. Run the exporter with
	// # set_timestamp: false (with its default, true, each sample is stamped delay_seconds
	// # (600 s) in the past, outside Prometheus' 5-minute lookback, and these rules never
	// # see a value); a delay_seconds below 600 s alerts sooner, on values CloudWatch
	// # may still revise. Export each metric with the dimensions its rules' labels name
	// # (aws_dimensions: [DBInstanceIdentifier], or [DBClusterIdentifier, Role] for the
	// # metrics an Aurora cluster's rules watch by role).
	// groups:
	//   - name: "rightsize-rollback-sso-prod"
	//     rules:
	//       - alert: "RightsizeRollbackCPUUtilization"
	//         expr: "aws_rds_cpuutilization_average{dbinstance_identifier=\"sso-prod\"} > 45"
	//         for: 5m
	//         labels:
	//           severity: critical
	//           cluster: "sso-prod"
	//         annotations:
	//           summary: "CPU above 45%"
}

// The storage the change affects (a Multi-AZ instance's, billed twice) is added to both monthly
// costs and to the savings of the estimate and of every class option; its report line says so.
func TestAnalyzeStorageCost(t *testing.T) {
	in := idleMultiAZ(14)
	base, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	in.CurrentStorageMonthlyUSD, in.SingleNodeStorageMonthlyUSD = 23, 11.5
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	b, c := base.Cost, rec.Cost
	if b.CurrentStorageUSD != 0 || strings.Contains(base.ReportMarkdown, "storage the change affects") {
		t.Fatalf("unpriced storage shows: %+v", b)
	}
	if !c.Known || c.CurrentStorageUSD != 23 || c.ProposedStorageUSD != 11.5 || c.CurrentMonthlyUSD != round(b.CurrentMonthlyUSD+23, 2) ||
		c.ProposedMonthlyUSD != round(b.ProposedMonthlyUSD+11.5, 2) || c.MonthlySavingsUSD != round(b.MonthlySavingsUSD+11.5, 2) ||
		c.AnnualSavingsUSD != round(c.MonthlySavingsUSD*12, 2) {
		t.Fatalf("cost with storage %+v, without %+v", c, b)
	}
	for i, o := range rec.Options {
		if o.MonthlyUSD > 0 && o.MonthlySavingsUSD != round(base.Options[i].MonthlySavingsUSD+11.5, 2) {
			t.Errorf("option %s: savings %v, without storage %v", o.Class.Name, o.MonthlySavingsUSD, base.Options[i].MonthlySavingsUSD)
		}
	}
	if !strings.Contains(rec.ReportMarkdown, "Both include the storage the change affects: 23.00 now (Multi-AZ bills the storage and any provisioned IOPS and throughput twice), 11.50 on the single node.") {
		_, cost, _ := strings.Cut(rec.ReportMarkdown, "## Cost")
		t.Errorf("report cost section:\n%s", cost)
	}
	for _, s := range [][2]float64{{23, 0}, {0, 11.5}, {-1, 1}, {math.NaN(), 1}, {math.Inf(1), 1}} {
		bad := idleMultiAZ(14)
		bad.CurrentStorageMonthlyUSD, bad.SingleNodeStorageMonthlyUSD = s[0], s[1]
		if _, err := Analyze(bad, Policy{}); err == nil || !strings.Contains(err.Error(), "both must be finite and non-negative, and set together") {
			t.Errorf("storage %v: got %v", s, err)
		}
	}
}

// TestDecisionMatrixCostWording: a single node that costs more is worded as a cost, never as a
// negative saving.
func TestDecisionMatrixCostWording(t *testing.T) {
	caps := []Reason{{Check: "cpu", Value: 20, Limit: 40}}
	for _, tc := range []struct {
		now, after float64
		want       string
	}{
		{0.318, 0.159, "saves $116.07/month ($1392.84/year)"},
		{0.159, 0.677, "costs $378.14/month more ($4537.68/year)"},
	} {
		m := decisionMatrix(TopologyMultiAZ, false, caps, Cost(tc.now, tc.after, "c", SavingsTarget{}), DefaultSavingsTarget(), DefaultPolicy().Weights, nil, recovery{})
		if ev := m.Rows[1].Evidence; !strings.HasPrefix(ev, tc.want) || strings.Contains(ev, "$-") {
			t.Errorf("cost evidence %q, want %q", ev, tc.want)
		}
	}
	if !strings.Contains(greyHeatmap(), "grey = no data") {
		t.Error("the heatmap legend does not say what grey is")
	}
}

// greyHeatmap is a heatmap with one hour of data, the others grey.
func greyHeatmap() string {
	p := Profile{Unit: "percent", Mean: make([]float64, HoursPerWeek)}
	for i := range p.Mean {
		p.Mean[i] = math.NaN()
	}
	p.Mean[0] = 3
	return HeatmapSVG("t", p, 40)
}

// TestPrometheusNodeSilentSummary: the RightsizeNodeSilent rule fires on 10 minutes without a
// sample (absent_over_time), so its summary says that, not the CloudWatch alarm's 3 of 5 minutes.
func TestPrometheusNodeSilentSummary(t *testing.T) {
	rec, err := Analyze(idleMultiAZ(14), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	_, rule, ok := strings.Cut(rec.PrometheusRules, `alert: "RightsizeNodeSilent"`)
	if !ok {
		t.Fatalf("no RightsizeNodeSilent rule:\n%s", rec.PrometheusRules)
	}
	rule, _, _ = strings.Cut(rule, "- alert:")
	if !strings.Contains(rule, "absent_over_time(") || !strings.Contains(rule, "no sample for the last 10 minutes") || strings.Contains(rule, "3 of the last 5 minutes") {
		t.Errorf("the rule's summary does not match its expression:\n%s", rule)
	}
	// The CloudWatch alarm keeps its own description.
	last := rec.RollbackTriggers[len(rec.RollbackTriggers)-1]
	if !strings.Contains(last.Description, "3 of the last 5 minutes") {
		t.Errorf("availability alarm description %q", last.Description)
	}
}

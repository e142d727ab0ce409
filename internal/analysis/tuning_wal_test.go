package analysis

import (
	"math"
	"testing"
)

// TestTuneWALSizes: on RDS, max_wal_size is a quarter of the lowest free storage, as a power of two
// between 256 MiB and 8 GiB, and min_wal_size a quarter of that within 128 MiB..2 GiB; with the free
// storage unknown neither is set.
func TestTuneWALSizes(t *testing.T) {
	const gib = float64(1 << 30)
	cases := []struct {
		name     string
		free     float64
		min, max string // "" when left out
	}{
		{"unknown (NaN)", math.NaN(), "", ""},
		{"zero", 0, "", ""},
		{"negative", -gib, "", ""},
		{"+Inf", math.Inf(1), "", ""},
		{"1 TiB free", 1024 * gib, "2048", "8192"},
		{"exactly 32 GiB free", 32 * gib, "2048", "8192"},
		{"just under 32 GiB", 32*gib - 1, "1024", "4096"},
		{"15 GiB free of a 20 GiB volume", 15 * gib, "512", "2048"},
		{"5 GiB free", 5 * gib, "256", "1024"},
		{"2 GiB free", 2 * gib, "128", "512"},
		{"200 MiB free", 200 << 20, "128", "256"},
		{"1 byte free", 1, "128", "256"},
	}
	for _, c := range cases {
		for _, topo := range []Topology{"", TopologyMultiAZ} {
			p := Tune(classR6gLarge, TuneInput{PeakConnections: 100, HeadroomPercent: 20, Topology: topo, FreeStorageBytes: c.free})
			minV, hasMin := p["min_wal_size"]
			maxV, hasMax := p["max_wal_size"]
			if c.max == "" {
				if hasMin || hasMax {
					t.Errorf("%s, %q: min_wal_size %q, max_wal_size %q, want both left out", c.name, topo, minV, maxV)
				}
				continue
			}
			if minV != c.min || maxV != c.max {
				t.Errorf("%s, %q: min_wal_size %q, max_wal_size %q, want %s and %s", c.name, topo, minV, maxV, c.min, c.max)
			}
		}
		if p := Tune(classR6gLarge, TuneInput{PeakConnections: 100, Topology: TopologyAurora, FreeStorageBytes: c.free}); p["max_wal_size"] != "" || p["min_wal_size"] != "" {
			t.Errorf("%s: Aurora gets WAL sizes %v", c.name, p)
		}
	}
}

// TestAnalyzeWALSizesFollowWriterStorage: Analyze sizes the WAL by the writer's lowest FreeStorageSpace
// (one dip counts), and leaves it out when the writer has no such datapoints.
func TestAnalyzeWALSizesFollowWriterStorage(t *testing.T) {
	const gib = float64(1 << 30)
	in := idleMultiAZ(28)
	w := &in.Nodes[0]
	for i := range w.Series {
		if w.Series[i].Metric == MetricFreeStorageSpace {
			s := cloneSeries(w.Series[i])
			for j := range s.Values {
				s.Values[j] = 15 * gib
			}
			s.Values[len(s.Values)/2] = 5 * gib
			w.Series[i] = s
		}
	}
	rec, err := Analyze(in, DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if got := [2]string{rec.Parameters["min_wal_size"], rec.Parameters["max_wal_size"]}; got != [2]string{"256", "1024"} {
		t.Errorf("min, max_wal_size %v with 5 GiB free at the lowest, want 256 and 1024", got)
	}

	w.Series = where(w.Series, func(s Series) bool { return s.Metric != MetricFreeStorageSpace })
	rec, err = Analyze(in, DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := rec.Parameters["max_wal_size"]; ok {
		t.Errorf("max_wal_size %s without FreeStorageSpace, want it left out", v)
	}
	if v, ok := rec.Parameters["min_wal_size"]; ok {
		t.Errorf("min_wal_size %s without FreeStorageSpace, want it left out", v)
	}
	if rec.Parameters["shared_buffers"] == "" {
		t.Errorf("no parameters: %v", rec.Parameters)
	}
}

// TestFormulaPages: the formulas Tune returns, evaluated as RDS does on DBInstanceClassMemory, give
// pgtune's quarter and three quarters of the memory (on 16 GiB: 4 GiB and 12 GiB in 8kB pages) and
// Aurora's default; anything else is not a formula.
func TestFormulaPages(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		f    string
		mem  float64
		want float64
	}{
		{RDSSharedBuffersFormula, 16 * gib, 524288},
		{RDSCacheFormula, 16 * gib, 1572864},
		{RDSSharedBuffersFormula, 700 << 20, 22400}, // what a 1 GiB class leaves the database, roughly
		{AuroraBufferFormula, 16 * gib, 1377133},    // 17179869184 / 12038 = 1427136, less 50003
	} {
		if got, ok := FormulaPages(tc.f, tc.mem); !ok || got != tc.want {
			t.Errorf("%s on %v bytes: %v (%t), want %v", tc.f, tc.mem, got, ok, tc.want)
		}
	}
	if _, ok := FormulaPages("524288", 16*gib); ok {
		t.Error("a number taken for a formula")
	}
	for _, c := range []InstanceClass{classR6gLarge, classT4gMedium} {
		p := Tune(c, TuneInput{PeakConnections: 10})
		if p["shared_buffers"] != RDSSharedBuffersFormula || p["effective_cache_size"] != RDSCacheFormula {
			t.Errorf("%s: shared_buffers %q, effective_cache_size %q, want RDS's formulas", c.Name, p["shared_buffers"], p["effective_cache_size"])
		}
	}
}

package analysis

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// withLocalStorage returns auroraPair(readerPeak) on classes with 32 GiB of
// local storage (db.r6g.large's) and FreeLocalStorage series: the writer
// uses 2 GiB (logs), plus writerTemp GiB of temporary files in its busy
// hours (14–17 UTC on weekdays); the reader keeps 31 GiB free but for
// readerTemp GiB of temporary files in its own busy hours. The candidate
// classes have their local storage too (db.r6g.xlarge: 63 GiB).
func withLocalStorage(readerPeak int, writerTemp, readerTemp float64) ClusterInput {
	in := auroraPair(readerPeak)
	in.Nodes = slices.Clone(in.Nodes)
	w, r := &in.Nodes[0], &in.Nodes[1]
	w.Class.LocalStorageGiB, r.Class.LocalStorageGiB = 32, 32
	in.Candidates = slices.Clone(in.Candidates)
	for i := range in.Candidates {
		in.Candidates[i].Class.LocalStorageGiB = map[string]float64{"db.r6g.large": 32, "db.r6g.xlarge": 63}[in.Candidates[i].Class.Name]
	}
	span := 14 * 24 * time.Hour
	w.Series = append(slices.Clone(w.Series), synth(MetricFreeLocalStorage, "Bytes", t0, span, time.Minute,
		func(t time.Time, i int) float64 { return (30 - writerTemp*weekdayBump(t, 14, 17)) * gib }))
	r.Series = append(slices.Clone(r.Series), synth(MetricFreeLocalStorage, "Bytes", t0, span, time.Minute,
		func(t time.Time, i int) float64 {
			return (31 - readerTemp*weekdayBump(t, readerPeak, readerPeak+3)) * gib
		}))
	return in
}

// localRisks returns the risks about local storage.
func localRisks(rec Recommendation) []Risk {
	return where(rec.Risks, func(r Risk) bool { return strings.Contains(r.Description, "local storage") })
}

// localAlarms returns the FreeLocalStorage alarms of as.
func localAlarms(as []AlarmSpec) []AlarmSpec {
	return where(as, func(a AlarmSpec) bool { return a.MetricName == MetricFreeLocalStorage })
}

// TestAnalyzeLocalStorage: on Aurora, the readers' temporary files move onto
// the writer's local storage, aligned by timestamp; the single node's
// projected use is checked against its class's local storage.
func TestAnalyzeLocalStorage(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		readerPeak             int
		writerTemp, readerTemp float64
		wantMaxGiB             float64 // projected use at its peak
		wantSev                string  // "" for no risk
		wantText               string
	}{
		// Peaks at the same hours add up: 2 + 8 + 20 GiB = 30 GiB of 32;
		// with 20% headroom 36 > 32.
		{"peaks coincide", 14, 8, 20, 30, "medium", "peaks at 30.0 GiB of 32 GiB"},
		// The same use at different hours does not add up: the reader's
		// 20 GiB comes while the writer holds its 2 GiB of logs. The sum of
		// the two peaks would have been 30 GiB (a medium risk).
		{"peaks apart", 2, 8, 20, 22, "", ""},
		// 2 + 8 + 25 GiB = 35 GiB: more than the class has.
		{"runs out", 14, 8, 25, 35, "high", "would have taken 35.0 GiB, more than the 32 GiB local storage of db.r6g.large"},
		// Both quiet: 2 + 1 + 3 GiB.
		{"quiet", 14, 1, 3, 6, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := withLocalStorage(tc.readerPeak, tc.writerTemp, tc.readerTemp)
			rec, err := Analyze(in, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			used := rec.Projection.LocalStorageUsed
			if used.Metric != "ProjectedLocalStorageUsed" || used.Unit != "Bytes" {
				t.Errorf("projection is %s in %s", used.Metric, used.Unit)
			}
			if used.Max != tc.wantMaxGiB*gib {
				t.Errorf("projected use peaks at %v GiB, want %v", used.Max/gib, tc.wantMaxGiB)
			}
			if want := 2.0; used.Min != want*gib {
				t.Errorf("projected use is at least %v GiB, want %v (the writer's logs)", used.Min/gib, want)
			}
			if tc.wantMaxGiB > 2+tc.writerTemp {
				// The peak is in a busy hour of the reader's.
				if h := used.PeakTime.UTC().Hour(); h < tc.readerPeak || h >= tc.readerPeak+3 {
					t.Errorf("peak at %v, want within %02d–%02d UTC", used.PeakTime, tc.readerPeak, tc.readerPeak+3)
				}
			}
			rs := localRisks(rec)
			switch {
			case tc.wantSev == "" && len(rs) > 0:
				t.Errorf("unexpected risks %+v", rs)
			case tc.wantSev != "" && (len(rs) != 1 || rs[0].Severity != tc.wantSev || rs[0].Category != "capacity" ||
				!strings.Contains(rs[0].Description, tc.wantText)):
				t.Errorf("risks %+v, want one %s capacity risk containing %q", rs, tc.wantSev, tc.wantText)
			}
			// The rollback alarm, on the recommended class's local storage L
			// (db.r6g.xlarge, 63 GiB, when the peaks are apart; else
			// db.r6g.large, 32 GiB): free local storage below 20% of L, or
			// below L − peak use × 1.5 GiB when that is less, at least 5% of L.
			l := map[string]float64{"db.r6g.large": 32, "db.r6g.xlarge": 63}[rec.RecommendedClass]
			want := roundMiB(math.Min(0.2*l, math.Max(l-tc.wantMaxGiB*1.5, 0.05*l)) * gib)
			alarms := localAlarms(rec.RollbackTriggers)
			if len(alarms) != 1 || alarms[0].Threshold != want || !strings.Contains(rec.PrometheusRules, "aws_rds_free_local_storage_minimum") {
				t.Errorf("FreeLocalStorage alarms %+v, want one below %v GiB (and its Prometheus rule)", alarms, want/gib)
			}
			// A class whose local storage cannot hold the peak use with headroom does not fit:
			// db.r6g.large (32 GiB) from 26.7 GiB on, db.r6g.xlarge (63 GiB) not here.
			for _, o := range rec.Options {
				capGiB := map[string]float64{"db.r6g.large": 32, "db.r6g.xlarge": 63}[o.Class.Name]
				if want := tc.wantMaxGiB*1.2 > capGiB; slices.Contains(o.Failed, "local_storage") != want || (want && o.Fits) {
					t.Errorf("option %s: fits %v, failed %v; local storage too small: %v", o.Class.Name, o.Fits, o.Failed, want)
				}
			}
			if tc.wantSev != "" && !strings.Contains(rec.ReportMarkdown, tc.wantText) {
				t.Errorf("the report does not carry the risk %q", tc.wantText)
			}
		})
	}
}

// TestAnalyzeLocalStorageNotProjected: the local storage projection needs
// Aurora readers, the writer's class size and every node's FreeLocalStorage;
// without one of them it is empty and adds no risk.
func TestAnalyzeLocalStorageNotProjected(t *testing.T) {
	unknownSize := withLocalStorage(14, 8, 25)
	unknownSize.Nodes[0].Class.LocalStorageGiB = 0
	readerWithout := withLocalStorage(14, 8, 25)
	r := &readerWithout.Nodes[1]
	r.Series = slices.DeleteFunc(slices.Clone(r.Series), func(s Series) bool { return s.Metric == MetricFreeLocalStorage })
	multiAZ := idleMultiAZ(14)
	multiAZ.Nodes = slices.Clone(multiAZ.Nodes)
	w := &multiAZ.Nodes[0]
	w.Class.LocalStorageGiB = 32
	w.Series = append(slices.Clone(w.Series), synth(MetricFreeLocalStorage, "Bytes", t0, 14*24*time.Hour, 5*time.Minute,
		func(time.Time, int) float64 { return 0 }))
	for name, in := range map[string]ClusterInput{
		"class size unknown": unknownSize, "reader without the metric": readerWithout, "Multi-AZ": multiAZ,
	} {
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if u := rec.Projection.LocalStorageUsed; u.Count != 0 || !math.IsNaN(u.Max) {
			t.Errorf("%s: projected local storage %d points, max %v; want none", name, u.Count, u.Max)
		}
		if rs := localRisks(rec); len(rs) > 0 {
			t.Errorf("%s: unexpected risks %+v", name, rs)
		}
		if as := localAlarms(rec.RollbackTriggers); len(as) > 0 {
			t.Errorf("%s: unexpected alarms %+v", name, as)
		}
	}
}

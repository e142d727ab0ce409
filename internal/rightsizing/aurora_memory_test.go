package rightsizing

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestRecommend_auroraMemoryOutsideBufferCache: the reviewer's idle Aurora db.r6g.large pair (5% CPU,
// 10 connections, about 4.8 GiB of FreeableMemory of 16: the emulator, like Aurora, leaves its 10.51 GiB
// buffer cache out of it), read through CloudWatch, consolidates on its own class; counting the cache as
// load gave keep and "resize the writer to db.r6g.xlarge first". The memory rollback alarm fires below
// the FreeableMemory the writer showed, not at once. Multi-AZ (the demo's mandible-prod) judges memory
// in use against all of the class's memory, as before.
func TestRecommend_auroraMemoryOutsideBufferCache(t *testing.T) {
	idle := sandbox.Workload{CPUBase: 4.5, CPUAmplitude: 1, PeakHourUTC: 14, Sharpness: 1, WeekendFactor: 1, NoiseStdDev: 0.3,
		Connections: 9, ConnectionsAmplitude: 2, ReadIOPS: 20, ReadIOPSAmplitude: 10, WriteIOPS: 10, WriteIOPSAmplitude: 5,
		MemoryUsedGiB: 0.6}
	sc := &sandbox.Scenario{Name: "idle-r6g", Seed: 31, Clusters: []sandbox.ClusterSpec{sandbox.AuroraPair("quiet-prod", "db.r6g.large", idle, idle)}}
	_, res := recommendScenario(t, sc, Request{ClusterID: "quiet-prod", Lookback: 14 * 24 * time.Hour,
		TargetClasses: []string{"db.r6g.large", "db.r6g.xlarge", "db.r6g.2xlarge"}})
	rec := res.Recommendation
	free, _ := rec.Nodes[0].Summary(analysis.MetricFreeableMemory)
	if !(free.P50 > 4.5*gibF && free.P50 < 5*gibF) {
		t.Fatalf("writer FreeableMemory p50 %.2f GiB, want about 4.8 (16 GiB − 10.51 GiB cache − 0.6 GiB − connections)", free.P50/gibF)
	}
	var mem analysis.Reason
	for _, r := range rec.Reasons {
		if r.Check == "memory_p99_with_headroom" {
			mem = r
		}
	}
	if rec.Verdict != analysis.VerdictConsolidate || rec.RecommendedClass != "db.r6g.large" || !mem.Passed || mem.Value > 25 ||
		!strings.Contains(mem.Message, "outside the buffer cache") {
		t.Fatalf("verdict %s on %s, memory %+v; want consolidate on db.r6g.large, memory outside the buffer cache under 25%%", rec.Verdict, rec.RecommendedClass, mem)
	}
	for _, a := range rec.RollbackTriggers {
		if a.MetricName == analysis.MetricFreeableMemory && !(a.Threshold < free.Min-0.5*gibF && a.Threshold > 0.05*16*gibF) {
			t.Errorf("FreeableMemory alarm %.2f GiB, writer's lowest %.2f GiB: want it well below, above 5%% of RAM (%s)", a.Threshold/gibF, free.Min/gibF, a.Description)
		}
	}

	d, _ := deps(t, sandbox.Demo(), testNow)
	for _, req := range []Request{{InstanceID: "mandible-prod", Lookback: 28 * 24 * time.Hour}, {ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour}} {
		res, err := Recommend(t.Context(), d, req)
		if err != nil {
			t.Fatal(err)
		}
		rec := res.Recommendation
		pr := rec.Projection
		for _, r := range rec.Reasons {
			if r.Check != "memory_p99_with_headroom" {
				continue
			}
			ram := float64(rec.Nodes[0].Class.MemoryGiB) * gibF
			switch req.InstanceID {
			case "mandible-prod": // RDS: memory in use in percent of the class's memory
				if want := 100 * pr.MemoryUsed.P99 / ram * 1.2; math.Abs(r.Value-want) > 0.01 || !strings.HasPrefix(r.Message, "projected memory in use p99 on db.t4g.large is") {
					t.Errorf("mandible-prod memory %+v, want %.2f%% of the class's memory", r, want)
				}
			default: // Aurora: db.t4g.medium's cache, 306,781 pages of 8 kB, leaves 1.66 GiB
				cache := 306781 * 8192.0
				if want := 100 * (pr.MemoryUsed.P99 - cache) / (ram - cache) * 1.2; math.Abs(r.Value-want) > 0.01 || !r.Passed {
					t.Errorf("sso-prod memory %+v, want %.2f%% of what the buffer cache leaves", r, want)
				}
			}
		}
	}
}

const gibF = float64(1 << 30)

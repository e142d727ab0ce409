package rightsizing

import (
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// mixedClassPair is Aurora pair mix-prod: writer db.r6g.large and reader db.r6g.xlarge, whose
// load together does not fit the writer's class.
func mixedClassPair() *sandbox.Scenario {
	w := sandbox.Workload{CPUBase: 10, CPUAmplitude: 12, PeakHourUTC: 14, Sharpness: 1, WeekendFactor: 0.8,
		NoiseStdDev: 0.5, Connections: 20, ConnectionsAmplitude: 10,
		ReadIOPS: 50, ReadIOPSAmplitude: 100, WriteIOPS: 30, WriteIOPSAmplitude: 40, MemoryUsedGiB: 4}
	r := sandbox.Workload{CPUBase: 3, CPUAmplitude: 5, PeakHourUTC: 14, Sharpness: 1, WeekendFactor: 0.8,
		NoiseStdDev: 0.3, Connections: 10, ConnectionsAmplitude: 5,
		ReadIOPS: 20, ReadIOPSAmplitude: 40, WriteIOPS: 1, MemoryUsedGiB: 3, ReadShare: 0.4}
	c := sandbox.AuroraPair("mix-prod", "db.r6g.large", w, r)
	c.Members[1].Class = "db.r6g.xlarge"
	sc := &sandbox.Scenario{Name: "mix", Seed: 11, Clusters: []sandbox.ClusterSpec{c}}
	return sc
}

// Writer db.r6g.large and a bigger reader (db.r6g.xlarge) whose load does not fit on the writer's
// class: only db.r6g.xlarge holds the single node, but rightsize_db_topology removes the reader
// and keeps the writer's class, so the verdict is keep, naming the class to resize the writer to.
func TestRecommend_mixedClassesNeedWriterResize(t *testing.T) {
	sc := mixedClassPair()
	_, res := recommendScenario(t, sc, Request{ClusterID: "mix-prod", Lookback: 14 * 24 * time.Hour})
	rec := res.Recommendation
	var check *analysis.Reason
	for i, rs := range rec.Reasons {
		if rs.Check == "writer_class_fits" {
			check = &rec.Reasons[i]
		}
	}
	if rec.Verdict != analysis.VerdictKeep || rec.RecommendedClass != "db.r6g.xlarge" || check == nil || check.Passed ||
		!strings.Contains(check.Message, "resize the writer to db.r6g.xlarge first") {
		t.Errorf("verdict %s on %s, writer_class_fits %+v: want keep on db.r6g.xlarge with the writer's resize named", rec.Verdict, rec.RecommendedClass, check)
	}
}

// The same pair with target classes that leave the writer's out: the writer's class is still
// judged, and the verdict is keep.
func TestRecommend_mixedClassesWriterNotATarget(t *testing.T) {
	sc := mixedClassPair()
	_, res := recommendScenario(t, sc, Request{ClusterID: "mix-prod", Lookback: 14 * 24 * time.Hour, TargetClasses: []string{"db.r6g.xlarge"}})
	rec := res.Recommendation
	if rec.Verdict != analysis.VerdictKeep {
		t.Errorf("target classes without the writer's: verdict %s on %s, want keep", rec.Verdict, rec.RecommendedClass)
	}
}

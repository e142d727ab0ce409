package analysis

import (
	"strings"
	"testing"
)

// TestLowFreeStorageAutoscaling: a writer whose free storage fell under 10 GiB is a medium
// capacity risk, unless storage autoscaling has room to grow its volume (MaxAllocatedStorage above
// the allocated storage): then low, saying how RDS grows it; at its limit, medium, saying so.
func TestLowFreeStorageAutoscaling(t *testing.T) {
	const gib = float64(1 << 30)
	in := idleMultiAZ(14)
	w := &in.Nodes[0]
	for i := range w.Series {
		if w.Series[i].Metric == MetricFreeStorageSpace {
			s := cloneSeries(w.Series[i])
			s.Values[len(s.Values)/2] = 4 * gib
			w.Series[i] = s
		}
	}
	for _, tc := range []struct {
		name          string
		alloc, max    int
		severity      string
		want, notWant string
	}{
		{"autoscaling off", 100, 0, "medium", "sso-prod has only 4.0 GiB free storage at its lowest", "autoscaling"},
		{"autoscaling with room", 100, 500, "low", "sso-prod has only 4.0 GiB free storage at its lowest; storage autoscaling grows its 100 GiB up to 500 GiB (MaxAllocatedStorage) once free space stays at or below 10% for five minutes", "limit"},
		{"autoscaling at its limit", 500, 500, "medium", "storage autoscaling has reached its limit (MaxAllocatedStorage 500 GiB): raise the limit or the allocated storage", "grows"},
		// RDS reports an allocated storage above the limit after a manual increase: no room either.
		{"allocated storage above its limit", 600, 500, "medium", "storage autoscaling has reached its limit (MaxAllocatedStorage 500 GiB)", "grows"},
	} {
		in.AllocatedStorageGiB, in.MaxAllocatedStorageGiB = tc.alloc, tc.max
		rec, err := Analyze(in, DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		var got []Risk
		for _, r := range rec.Risks {
			if strings.Contains(r.Description, "free storage at its lowest") {
				got = append(got, r)
			}
		}
		if len(got) != 1 || got[0].Severity != tc.severity || got[0].Category != "capacity" || !strings.Contains(got[0].Description, tc.want) || strings.Contains(got[0].Description, tc.notWant) {
			t.Errorf("%s: %+v; want one %s capacity risk saying %q", tc.name, got, tc.severity, tc.want)
		}
	}
	// A limit without the allocated storage, or on Aurora, is refused.
	for _, bad := range []func(ClusterInput) ClusterInput{
		func(c ClusterInput) ClusterInput { c.AllocatedStorageGiB, c.MaxAllocatedStorageGiB = 0, 500; return c },
		func(c ClusterInput) ClusterInput { c.AllocatedStorageGiB, c.MaxAllocatedStorageGiB = -1, 0; return c },
	} {
		if _, err := Analyze(bad(in), DefaultPolicy()); err == nil || !strings.Contains(err.Error(), "autoscaling limit") {
			t.Errorf("%v", err)
		}
	}
	aurora := auroraPair(14)
	aurora.AllocatedStorageGiB, aurora.MaxAllocatedStorageGiB = 100, 500
	if _, err := Analyze(aurora, DefaultPolicy()); err == nil || !strings.Contains(err.Error(), "autoscaling limit") {
		t.Errorf("Aurora with an autoscaling limit: %v", err)
	}
}

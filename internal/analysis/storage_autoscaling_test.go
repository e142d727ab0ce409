package analysis

import (
	"strings"
	"testing"
)

// TestLowFreeStorageAutoscaling: a writer whose free storage fell under 10 GiB is a medium
// capacity risk, unless storage autoscaling has room to grow its volume (MaxAllocatedStorage above
// the allocated storage): then low, saying how RDS grows it; at its limit, medium, saying so; and
// medium, saying the fill outran it, when the lowest is under 5% of the volume (half the 10% at
// which RDS grows it).
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
		{"autoscaling with room", 60, 500, "low", "sso-prod has only 4.0 GiB free storage at its lowest; storage autoscaling grows its 60 GiB up to 500 GiB (MaxAllocatedStorage) once free space stays at or below 10% for five minutes, " +
			"six hours or more after the last storage modification and once its storage optimization (which can take more than 24 hours) has completed: a faster fill than that can still run it out", "limit"},
		// 4 GiB of 80 is 5%: half the trigger, not under it.
		{"autoscaling with room, at half its trigger", 80, 500, "low", "sso-prod has only 4.0 GiB free storage at its lowest; storage autoscaling grows its 80 GiB", "outran"},
		// 4 GiB of 100 is 4%: the volume fell that far below the 10% trigger before an increase.
		{"autoscaling outrun", 100, 500, "medium", "sso-prod has only 4.0 GiB free storage at its lowest, 4.0% of its 100 GiB: under half the 10% at which storage autoscaling grows it (up to 500 GiB, MaxAllocatedStorage), so the fill outran autoscaling, " +
			"which grows the volume once free space stays at or below 10% for five minutes, six hours or more after the last storage modification", "limit"},
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

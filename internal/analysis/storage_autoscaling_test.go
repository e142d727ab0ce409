package analysis

import (
	"slices"
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
		{"autoscaling with room", 60, 500, "low", "sso-prod has only 4.0 GiB free storage at its lowest; storage autoscaling grows its 60 GiB up to 500 GiB (MaxAllocatedStorage) once free space stays at or below 10% for five minutes " +
			"and the previous storage modification's storage optimization (which can take more than 24 hours) has completed, within RDS's cap on storage modifications: a faster fill than that can still run it out", "limit"},
		// 4 GiB of 80 is 5%: half the trigger, not under it.
		{"autoscaling with room, at half its trigger", 80, 500, "low", "sso-prod has only 4.0 GiB free storage at its lowest; storage autoscaling grows its 80 GiB", "outran"},
		// 4 GiB of 100 is 4%: the volume fell that far below the 10% trigger before an increase.
		// The rise back to 80 GiB free is no increase of autoscaling's: 4 GiB is not 10% of the
		// 20 GiB the volume would have had before it.
		{"autoscaling outrun", 100, 500, "medium", "sso-prod has only 4.0 GiB free storage at its lowest, 4.0% of its 100 GiB: under half the 10% at which storage autoscaling grows it (up to 500 GiB, MaxAllocatedStorage), so the fill outran autoscaling, " +
			"which grows the volume once free space stays at or below 10% for five minutes and the previous storage modification's storage optimization", "six hours"},
		{"autoscaling at its limit", 500, 500, "medium", "storage autoscaling has reached its limit (MaxAllocatedStorage 500 GiB): raise the limit or the allocated storage", "grows"},
		// RDS reports an allocated storage above the limit after a manual increase: no room either.
		{"allocated storage above its limit", 600, 500, "medium", "storage autoscaling has reached its limit (MaxAllocatedStorage 500 GiB)", "grows"},
	} {
		in.AllocatedStorageGiB, in.MaxAllocatedStorageGiB = tc.alloc, tc.max
		got := lowFreeStorageRisks(t, in)
		if len(got) != 1 || got[0].Severity != tc.severity || got[0].Category != "capacity" || !strings.Contains(got[0].Description, tc.want) || strings.Contains(got[0].Description, tc.notWant) {
			t.Errorf("%s: %+v; want one %s capacity risk saying %q", tc.name, got, tc.severity, tc.want)
		}
	}
	// Autoscaling grew the volume during the window: the lowest is judged against the volume it
	// had then, not today's.
	grown := func(vals ...float64) ClusterInput {
		c := in
		c.Nodes = append([]Node(nil), in.Nodes...)
		w := &c.Nodes[0]
		w.Series = append([]Series(nil), w.Series...)
		for i := range w.Series {
			if w.Series[i].Metric == MetricFreeStorageSpace {
				s := cloneSeries(w.Series[i])
				for k := range s.Values {
					s.Values[k] = vals[k*len(vals)/len(s.Values)] * gib
				}
				w.Series[i] = s
			}
		}
		return c
	}
	for _, tc := range []struct {
		name      string
		in        ClusterInput
		alloc     int
		severity  string
		want, not string
	}{
		// 100 GiB grown to 195 GiB by seven increases (10 GiB, then 10%), each from a free
		// storage of 9.5% of the volume: 9.5 GiB is 4.9% of today's 195 GiB but 9.5% of the
		// 100 GiB it had then, as autoscaling is meant to work.
		{"grown in steps", grown(9.5, 19.5, 10.4, 21.4, 11.4, 23.5, 12.6, 25.91, 13.9, 28.54, 15.3, 31.4, 16.8, 34.5), 195, "low",
			"sso-prod has only 9.5 GiB free storage at its lowest; storage autoscaling grows its 195 GiB up to 500 GiB", "outran"},
		// The same series given with its timestamps in reverse order (Analyze sorts a copy): the
		// rises are read in time order all the same.
		{"grown in steps, given unsorted", reversedFreeStorage(grown(9.5, 19.5, 10.4, 21.4, 11.4, 23.5, 12.6, 25.91, 13.9, 28.54, 15.3, 31.4, 16.8, 34.5)), 195, "low",
			"sso-prod has only 9.5 GiB free storage at its lowest; storage autoscaling grows its 195 GiB up to 500 GiB", "outran"},
		// 2 GiB of the 100 GiB it had then (2%), before an increase of 20 GiB: outran.
		{"outran, then grown", grown(30, 2, 22, 21), 120, "medium",
			"sso-prod has only 2.0 GiB free storage at its lowest, 2.0% of the 100 GiB it had then (its 120 GiB less the 20 GiB free storage rose by after it from 10% of the volume or less, " +
				"in rises of 10 GiB or more, as storage autoscaling adds): under half the 10%", "limit"},
	} {
		tc.in.AllocatedStorageGiB, tc.in.MaxAllocatedStorageGiB = tc.alloc, 500
		got := lowFreeStorageRisks(t, tc.in)
		if len(got) != 1 || got[0].Severity != tc.severity || !strings.Contains(got[0].Description, tc.want) || strings.Contains(got[0].Description, tc.not) {
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

// lowFreeStorageRisks analyses in and returns its low-free-storage risks.
func lowFreeStorageRisks(t *testing.T, in ClusterInput) []Risk {
	t.Helper()
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
	return got
}

// reversedFreeStorage is in with its writer's FreeStorageSpace series given newest first.
func reversedFreeStorage(in ClusterInput) ClusterInput {
	in.Nodes = append([]Node(nil), in.Nodes...)
	w := &in.Nodes[0]
	w.Series = append([]Series(nil), w.Series...)
	for i := range w.Series {
		if w.Series[i].Metric == MetricFreeStorageSpace {
			s := cloneSeries(w.Series[i])
			slices.Reverse(s.Timestamps)
			slices.Reverse(s.Values)
			w.Series[i] = s
		}
	}
	return in
}

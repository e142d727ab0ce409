package analysis

import "testing"

// TestIOPSAlarmCapReachable: an IOPS alarm capped by the baseline IOPS must be able to fire. A
// gp3 or io1/io2 volume (and a class whose EBS baseline is its maximum) delivers at most its
// IOPS, reads and writes together, so ReadIOPS or WriteIOPS GreaterThanThreshold that baseline
// can never breach: the alarm was inert in exactly the case the cap applies, a node nearing its
// volume's limit. The cap is 90% of the baseline (as the connections alarm's is of
// max_connections), still above the baseline p99.
func TestIOPSAlarmCapReachable(t *testing.T) {
	c := classR6gLarge
	c.BaselineIOPS, c.BaselineIOPSBy = 3000, "its 100 GiB gp3 volume"
	pr := projectionFor(10, 4*gib, 50, 2600, 0.5, c)
	for _, tc := range []struct {
		read, write float64
		wantRead    float64
		wantWrite   float64
	}{
		// 2500 × 1.5 = 3750 and 2100 × 1.5 = 3150, above the 3000 the volume delivers: 2700.
		{read: 2500, write: 2100, wantRead: 2700, wantWrite: 2700},
		// 150 × 1.5 = 225 is below the cap: unchanged.
		{read: 150, write: 150, wantRead: 225, wantWrite: 225},
		// The baseline p99 is above 90% of the volume's IOPS: just above it, as before.
		{read: 2800, write: 150, wantRead: 2801, wantWrite: 225},
	} {
		got := map[string]AlarmSpec{}
		for _, a := range RollbackTriggers(TriggerInput{Instance: "db1", Class: c, Projection: pr, ReadIOPSP99: tc.read, WriteIOPSP99: tc.write}, DefaultPolicy()) {
			got[a.MetricName] = a
		}
		for _, w := range []struct {
			metric    string
			p99, want float64
		}{{MetricReadIOPS, tc.read, tc.wantRead}, {MetricWriteIOPS, tc.write, tc.wantWrite}} {
			a := got[w.metric]
			if a.Threshold != w.want {
				t.Errorf("%s p99 %v on a %v-IOPS volume: threshold %v, want %v (%q)", w.metric, w.p99, c.BaselineIOPS, a.Threshold, w.want, a.Description)
			}
			if a.Threshold <= w.p99 {
				t.Errorf("%s threshold %v fires on its baseline p99 %v", w.metric, a.Threshold, w.p99)
			}
			if w.p99 < 0.9*c.BaselineIOPS && a.Threshold >= c.BaselineIOPS {
				t.Errorf("%s threshold %v can never be exceeded on a volume that delivers %v IOPS", w.metric, a.Threshold, c.BaselineIOPS)
			}
		}
	}
}

package analysis

import (
	"testing"
	"time"
)

// TestRollbackTriggersCoarseDataPeriod: thresholds derived from datapoints coarser than 5 minutes
// (period_seconds 3600, the finest CloudWatch keeps for a window starting more than 63 days ago)
// are the p99 of hourly means, which average away a burst shorter than the hour. Evaluated on
// 300-second periods, the alarm fired on the very load it was derived from: a 20-minute batch each
// hour at 1000 IOPS over 100 (hourly mean 400, ReadIOPS alarm 600) puts four consecutive 5-minute
// averages at 1000. The alarm evaluates periods of the data's length, over which the threshold
// was derived (at least 15 minutes in all, as 300 s × 3).
func TestRollbackTriggersCoarseDataPeriod(t *testing.T) {
	const burst, quiet = 1000.0, 100.0
	hourlyMean := (20*burst + 40*quiet) / 60 // 400
	pr := projectionFor(10, 4*gib, 50, hourlyMean, 0.5, classR6gLarge)
	for _, tc := range []struct {
		period          time.Duration
		wantPeriod      int
		wantEvaluations int
	}{
		{time.Minute, 60, 5},
		{5 * time.Minute, 300, 3},
		{10 * time.Minute, 600, 2},
		{time.Hour, 3600, 1},
		{24 * time.Hour, 86400, 1},
	} {
		alarms := RollbackTriggers(TriggerInput{Instance: "db1", Class: classR6gLarge, Projection: pr,
			ReadIOPSP99: hourlyMean, WriteIOPSP99: hourlyMean, Period: tc.period}, DefaultPolicy())
		if tc.period == time.Hour {
			// The baseline itself, a day of 1-minute ReadIOPS, averaged over the alarm's periods as
			// CloudWatch evaluates it: it must not fire.
			for _, a := range alarms {
				if a.MetricName != MetricReadIOPS {
					continue
				}
				per := max(a.PeriodSeconds/60, 1)
				var means []float64
				for start := 0; start+per <= 24*60; start += per {
					sum := 0.0
					for m := start; m < start+per; m++ {
						v := quiet
						if m%60 < 20 {
							v = burst
						}
						sum += v
					}
					means = append(means, sum/float64(per))
				}
				run := 0
				for i, v := range means {
					if v > a.Threshold {
						run++
					} else {
						run = 0
					}
					if run >= a.DatapointsToAlarm {
						t.Errorf("ReadIOPS alarm %v over %d s × %d, derived from hourly means (p99 %v), fires on its own baseline (period %d averages %v)",
							a.Threshold, a.PeriodSeconds, a.EvaluationPeriods, hourlyMean, i, v)
						break
					}
				}
			}
		}
		for _, a := range alarms {
			if a.isAvailability() || a.MetricName == MetricCPUCreditBalance || a.MetricName == MetricCPUSurplusCreditsCharged {
				continue // fixed periods, not derived from the data's
			}
			if a.PeriodSeconds != tc.wantPeriod || a.EvaluationPeriods != tc.wantEvaluations || a.DatapointsToAlarm != tc.wantEvaluations {
				t.Errorf("data period %v: %s alarm evaluates %d of %d periods of %d s, want all %d of %d s",
					tc.period, a.MetricName, a.DatapointsToAlarm, a.EvaluationPeriods, a.PeriodSeconds, tc.wantEvaluations, tc.wantPeriod)
			}
			if a.PeriodSeconds%60 != 0 || a.PeriodSeconds*a.EvaluationPeriods > 86400 {
				t.Errorf("data period %v: %s alarm %d s × %d is not an alarm CloudWatch accepts", tc.period, a.MetricName, a.PeriodSeconds, a.EvaluationPeriods)
			}
		}
	}
}

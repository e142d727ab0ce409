package analysis

import (
	"strings"
	"testing"
)

// A Sum alarm (one datapoint per period, such as CPUSurplusCreditsCharged) becomes a Prometheus
// rule that fires at once: the exporter's gauge holds the datapoint only until the next scrape,
// so a "for" of the period would never be met. Average alarms keep period × evaluations.
func TestPrometheusRulesSumFiresAtOnce(t *testing.T) {
	alarms := []AlarmSpec{
		{Name: "a", Namespace: "AWS/RDS", MetricName: "CPUSurplusCreditsCharged", Dimensions: map[string]string{"DBInstanceIdentifier": "db1"},
			Statistic: "Sum", PeriodSeconds: 3600, EvaluationPeriods: 1, ComparisonOperator: "GreaterThanThreshold", Threshold: 0},
		{Name: "b", Namespace: "AWS/RDS", MetricName: "CPUUtilization", Dimensions: map[string]string{"DBInstanceIdentifier": "db1"},
			Statistic: "Average", PeriodSeconds: 60, EvaluationPeriods: 5, ComparisonOperator: "GreaterThanThreshold", Threshold: 40},
	}
	y := PrometheusRules("c", alarms)
	sumAt, avgAt := strings.Index(y, "RightsizeRollbackCPUSurplusCreditsCharged"), strings.Index(y, "RightsizeRollbackCPUUtilization")
	if sumAt < 0 || avgAt < sumAt {
		t.Fatalf("rules out of order or missing:\n%s", y)
	}
	if sum := y[sumAt:avgAt]; !strings.Contains(sum, "for: 0m") {
		t.Errorf("the Sum rule waits:\n%s", sum)
	}
	if avg := y[avgAt:]; !strings.Contains(avg, "for: 5m") {
		t.Errorf("the Average rule lost its wait:\n%s", avg)
	}
}

// The IOPS alarms' text states the floor and the cap that set their threshold.
func TestIOPSAlarmTextStatesFloorAndCap(t *testing.T) {
	in := TriggerInput{Instance: "db1", Class: classR6gLarge, ReadIOPSP99: 42, WriteIOPSP99: 3000}
	in.Class.BaselineIOPS = 3600
	var read, write string
	for _, a := range RollbackTriggers(in, Policy{}) {
		switch a.MetricName {
		case MetricReadIOPS:
			read = a.Description
		case MetricWriteIOPS:
			write = a.Description
		}
	}
	if !strings.Contains(read, "stays above 100 (baseline p99 42 × 1.50, at least 100)") {
		t.Errorf("read IOPS alarm: %q", read)
	}
	if !strings.Contains(write, "stays above 3240 (baseline p99 3000 × 1.50, at most 90% of the 3600 baseline IOPS of db.r6g.large)") {
		t.Errorf("write IOPS alarm: %q", write)
	}
}

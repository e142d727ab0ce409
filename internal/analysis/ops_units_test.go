package analysis

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// rdsMetricUnits are the units RDS documents for the metrics the rollback triggers use ("Amazon
// CloudWatch metrics for Amazon RDS", rds-metrics; the CPU credit metrics are documented in credits,
// vCPU-minutes, which CloudWatch counts as Count).
var rdsMetricUnits = map[string]string{
	MetricCPU: "Percent", MetricFreeableMemory: "Bytes", MetricConnections: "Count",
	MetricReadIOPS: "Count/Second", MetricWriteIOPS: "Count/Second", MetricDiskQueueDepth: "Count",
	MetricFreeLocalStorage: "Bytes", MetricCPUCreditBalance: "Count", MetricCPUSurplusCreditsCharged: "Count",
}

// everyTriggerInput is a single node of instance db1 for which RollbackTriggers derives every
// alarm it can (rdsMetricUnits' metrics): a class with local storage, and CPU credits.
func everyTriggerInput() TriggerInput {
	local := classR6gLarge
	local.LocalStorageGiB = 32
	pr := projectionFor(10, 4*gib, 50, 300, 0.5, local)
	pr.LocalStorageUsed = emptySummary("ProjectedLocalStorageUsed", "Bytes")
	pr.LocalStorageUsed.Count, pr.LocalStorageUsed.Max = 100, 4*gib
	return TriggerInput{Instance: "db1", Class: local, Projection: pr, MaxConnections: 1000, Period: time.Minute,
		CPUCredits: &CPUCredits{Class: "db.t4g.large", MaxBalance: 576, MinBalance: 400}}
}

// TestAlarmUnits: AlarmSpec.Unit documents the unit of the threshold, the one RDS documents for the metric;
// every metric the triggers can use is covered.
func TestAlarmUnits(t *testing.T) {
	got := map[string]string{}
	for _, a := range thresholdAlarms(RollbackTriggers(everyTriggerInput(), DefaultPolicy())) {
		got[a.MetricName] = a.Unit
	}
	for m, u := range rdsMetricUnits {
		if got[m] != u {
			t.Errorf("%s unit %q, want %q", m, got[m], u)
		}
	}
	for m := range got {
		if _, ok := rdsMetricUnits[m]; !ok {
			t.Errorf("%s: no documented unit in rdsMetricUnits", m)
		}
	}
}

// TestAlarmConsumersOmitUnit: the Terraform that turns the triggers into CloudWatch alarms does not pass
// the unit. CloudWatch's PutMetricAlarm recommends omitting it: a unit the metric is not published with
// leaves the alarm in INSUFFICIENT_DATA for good.
func TestAlarmConsumersOmitUnit(t *testing.T) {
	unit := regexp.MustCompile(`(?m)^\s*unit\s*=`)
	for _, f := range []string{"examples/alarms/main.tf", "examples/modules/rightsize-analysis/main.tf"} {
		b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		if loc := unit.FindIndex(b); loc != nil {
			t.Errorf("%s sets unit (%q): leave it out of the alarm", f, b[loc[0]:loc[1]])
		}
	}
}

// thresholdAlarms are alarms less RollbackTriggers' availability alarm: one per metric.
func thresholdAlarms(alarms []AlarmSpec) []AlarmSpec {
	var out []AlarmSpec
	for _, a := range alarms {
		if !a.isAvailability() {
			out = append(out, a)
		}
	}
	return out
}

package analysis

import (
	"maps"
	"strings"
	"testing"
)

// TestRollbackAlarmDimensions: on Aurora the alarms on metrics published by role watch the
// cluster's WRITER role (AWS: "For Aurora, use WRITER or READER role metrics to set up alarms
// instead of relying on metrics for specific DB instances"), so a failover between the plan and
// the change cannot leave them on a reader or on the instance the change deleted; the metrics
// not published by role, and every alarm of an RDS instance, watch the instance. The Prometheus
// rules carry the same dimensions as labels.
func TestRollbackAlarmDimensions(t *testing.T) {
	instance := map[string]string{"DBInstanceIdentifier": "db1"}
	writer := map[string]string{"DBClusterIdentifier": "sso-prod", "Role": "WRITER"}
	for _, tc := range []struct {
		name, cluster string
	}{{"rds instance", ""}, {"aurora", "sso-prod"}} {
		t.Run(tc.name, func(t *testing.T) {
			in := everyTriggerInput()
			in.AuroraCluster = tc.cluster
			alarms := RollbackTriggers(in, DefaultPolicy())
			if len(alarms) != len(rdsMetricUnits)+1 || !alarms[len(alarms)-1].isAvailability() {
				t.Fatalf("%d alarms, want one per metric of rdsMetricUnits (%d), then the availability alarm", len(alarms), len(rdsMetricUnits))
			}
			rules := PrometheusRules("sso-prod", alarms)
			for _, a := range alarms {
				want := instance
				if tc.cluster != "" && AuroraRoleMetric(a.MetricName) {
					want = writer
				}
				// What to do: on Aurora roll back (the reader takes its work back); on RDS, whose
				// standby served nothing, resize.
				if wantDo := map[bool]string{true: "Roll back if ", false: multiAZActionPrefix}[tc.cluster != ""]; !a.isAvailability() && a.MetricName != MetricCPUSurplusCreditsCharged && !strings.HasPrefix(a.Description, wantDo) {
					t.Errorf("%s description %q, want it to open with %q", a.MetricName, a.Description, wantDo)
				}
				if !maps.Equal(a.Dimensions, want) {
					t.Errorf("%s dimensions %v, want %v", a.MetricName, a.Dimensions, want)
				}
				if prefix := "rightsize-rollback-db1-"; a.isAvailability() && a.Name != "rightsize-availability-db1" || !a.isAvailability() && !strings.HasPrefix(a.Name, prefix) {
					t.Errorf("%s alarm name %q, want it to keep naming the instance", a.MetricName, a.Name)
				}
			}
			roleLabels := `{dbcluster_identifier=\"sso-prod\",role=\"WRITER\"}`
			if got := strings.Contains(rules, "aws_rds_cpuutilization_average"+roleLabels); got != (tc.cluster != "") {
				t.Errorf("Prometheus CPU rule by role: %v, want %v:\n%s", got, tc.cluster != "", rules)
			}
			if !strings.Contains(rules, `aws_rds_disk_queue_depth_average{dbinstance_identifier=\"db1\"}`) {
				t.Errorf("Prometheus DiskQueueDepth rule does not watch the instance:\n%s", rules)
			}
			// The node's silence: the CPU series absent, on the CPU rule's labels.
			labels := `{dbinstance_identifier=\"db1\"}`
			if tc.cluster != "" {
				labels = roleLabels
			}
			if !strings.Contains(rules, `alert: "RightsizeNodeSilent"`+"\n"+`        expr: "absent_over_time(aws_rds_cpuutilization_average`+labels+`[10m])"`+"\n        for: 0m") {
				t.Errorf("Prometheus rules lack the availability rule on %s:\n%s", labels, rules)
			}
		})
	}
	// Every metric Aurora publishes by role that a trigger can use is one the alarms switch.
	for _, m := range []string{MetricCPU, MetricFreeableMemory, MetricConnections, MetricReadIOPS, MetricWriteIOPS, MetricFreeLocalStorage} {
		if !AuroraRoleMetric(m) {
			t.Errorf("AuroraRoleMetric(%s) = false", m)
		}
	}
	for _, m := range []string{MetricDiskQueueDepth, MetricCPUCreditBalance, MetricCPUSurplusCreditsCharged, MetricFreeStorageSpace} {
		if AuroraRoleMetric(m) {
			t.Errorf("AuroraRoleMetric(%s) = true", m)
		}
	}
}

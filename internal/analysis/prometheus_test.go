package analysis_test

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// TestPrometheusRulesParse renders real alarm specs and parses the YAML.
func TestPrometheusRulesParse(t *testing.T) {
	alarms := []analysis.AlarmSpec{
		{Name: "a", Namespace: "AWS/RDS", MetricName: "CPUUtilization", Dimensions: map[string]string{"DBInstanceIdentifier": `odd"name\x`},
			Statistic: "Average", PeriodSeconds: 60, EvaluationPeriods: 5, ComparisonOperator: "GreaterThanThreshold", Threshold: 45.5,
			Description: "Roll back: CPU > 45.5%\nnow"},
		{Name: "b", Namespace: "AWS/RDS", MetricName: "FreeableMemory", Dimensions: map[string]string{"DBInstanceIdentifier": "db1"},
			Statistic: "Average", PeriodSeconds: 300, EvaluationPeriods: 3, ComparisonOperator: "LessThanThreshold", Threshold: 858993459},
	}
	text := analysis.PrometheusRules("sso-prod", alarms)
	var doc promDoc
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("rules do not parse: %v\n%s", err, text)
	}
	if len(doc.Groups) != 1 || doc.Groups[0].Name != "rightsize-rollback-sso-prod" || len(doc.Groups[0].Rules) != 2 {
		t.Fatalf("unexpected structure: %+v", doc)
	}
	r0, r1 := doc.Groups[0].Rules[0], doc.Groups[0].Rules[1]
	if r0.Expr != `aws_rds_cpuutilization_average{dbinstance_identifier="odd\"name\\x"} > 45.5` || r0.For != "5m" {
		t.Errorf("rule 0: %+v", r0)
	}
	if r1.Expr != `aws_rds_freeable_memory_average{dbinstance_identifier="db1"} < 858993459` || r1.For != "15m" {
		t.Errorf("rule 1: %+v", r1)
	}
	if r0.Labels["severity"] != "critical" || r0.Labels["cluster"] != "sso-prod" || !strings.Contains(r0.Annotations["summary"], "\nnow") {
		t.Errorf("labels/annotations: %+v", r0)
	}
	empty := analysis.PrometheusRules("x", nil)
	if err := yaml.Unmarshal([]byte(empty), &doc); err != nil || len(doc.Groups[0].Rules) != 0 {
		t.Errorf("empty rules: %v %q", err, empty)
	}
}

// TestAnalyzeRulesParse checks the rules Analyze produces parse too.
func TestAnalyzeRulesParse(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	s := analysis.Series{Metric: analysis.MetricCPU, Unit: "Percent", Period: time.Hour, Start: start, End: start.Add(8 * 24 * time.Hour)}
	for i := 0; i < 8*24; i++ {
		s.Timestamps = append(s.Timestamps, start.Add(time.Duration(i)*time.Hour))
		s.Values = append(s.Values, float64(i%24))
	}
	rec, err := analysis.Analyze(analysis.ClusterInput{Name: "c", Topology: analysis.TopologyMultiAZ, Nodes: []analysis.Node{
		{ID: "c", Role: analysis.RoleWriter, Class: analysis.InstanceClass{Name: "db.m6g.large", VCPU: 2, MemoryGiB: 8}, Series: []analysis.Series{s}},
	}}, analysis.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != analysis.VerdictInsufficient {
		t.Errorf("verdict %s without memory/IOPS series", rec.Verdict)
	}
	var v map[string]any
	if err := yaml.Unmarshal([]byte(rec.PrometheusRules), &v); err != nil {
		t.Fatalf("%v\n%s", err, rec.PrometheusRules)
	}
	if !strings.Contains(rec.PrometheusRules, "aws_rds_cpuutilization_average") {
		t.Errorf("no CPU rule:\n%s", rec.PrometheusRules)
	}
}

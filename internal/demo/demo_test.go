package demo

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const planFixture = `{
 "prior_state": {"values": {"root_module": {"resources": [
  {"address": "data.rightsize_single_node_recommendation.sso", "mode": "data", "type": "rightsize_single_node_recommendation",
   "values": {"id": "sso-prod", "topology": "aurora", "verdict": "consolidate", "confidence": 0.91,
     "projected_cpu_p95": 15.2, "projected_cpu_p99": 18.8, "monthly_savings": 53.29, "annual_savings": 639.48,
     "migration_window": {"weekday": "Sunday", "start_hour_utc": 3, "length_hours": 2},
     "backup_window": {"window": "07:00-07:30", "peak_cpu": 12.3, "suggested": null, "suggested_peak_cpu": null},
     "maintenance_window": {"window": "wed:03:00-wed:03:30", "peak_cpu": 18.34, "suggested": "fri:02:00-fri:02:30", "suggested_peak_cpu": 7.92},
     "report_markdown": "# sso-prod\n\n- ![cpu](cpu.svg)\n", "charts_svg": {"cpu.svg": "<svg/>"}, "prometheus_rules_yaml": "groups: []\n", "infracost_usage_yaml": "version: 0.1\n"}},
  {"address": "data.rightsize_single_node_recommendation.mandible", "mode": "data", "type": "rightsize_single_node_recommendation",
   "values": {"id": "mandible-prod", "topology": "multi-az", "verdict": "keep", "confidence": 0.5,
     "projected_cpu_p95": 25, "projected_cpu_p99": 28.4, "monthly_savings": null, "annual_savings": null,
     "backup_window": {"window": "03:00-03:30", "peak_cpu": 10.1, "suggested": "03:00-03:30", "suggested_peak_cpu": 10.1},
     "maintenance_window": {"window": "sun:05:00-sun:05:30", "peak_cpu": null, "suggested": null, "suggested_peak_cpu": null},
     "migration_window": {"weekday": "", "start_hour_utc": 0, "length_hours": 0}}},
  {"address": "data.rightsize_fleet.all", "mode": "data", "type": "rightsize_fleet",
   "values": {"phase_order": ["sso-prod"], "total_monthly_savings": 53.29}},
  {"address": "rightsize_db_topology.old", "mode": "managed", "type": "rightsize_db_topology", "values": {}}
 ]}}},
 "resource_changes": [
  {"address": "rightsize_db_topology.sso", "type": "rightsize_db_topology",
   "change": {"actions": ["create"], "after": {"db_cluster_identifier": "sso-prod", "db_instance_identifier": null, "nodes": 1}}}
 ]
}`

func TestParsePlanPrintWrite(t *testing.T) {
	s, err := ParsePlan(strings.NewReader(planFixture))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Clusters) != 2 || s.Clusters[0].ID != "mandible-prod" || s.Clusters[1].ID != "sso-prod" {
		t.Fatalf("clusters = %+v", s.Clusters)
	}
	sso := s.Clusters[1]
	if sso.Verdict != "consolidate" || *sso.MonthlySavings != 53.29 || sso.Window != "Sunday 03:00 UTC, 2 h" ||
		sso.Windows != "maintenance wed:03:00-wed:03:30 (18.3%) → fri:02:00-fri:02:30 (7.9%)" {
		t.Fatalf("sso = %+v", sso)
	}
	if s.Clusters[0].MonthlySavings != nil || s.Clusters[0].Window != "unknown" || s.Clusters[0].Windows != "backup 03:00-03:30 (10.1%, stays)" {
		t.Fatalf("mandible = %+v", s.Clusters[0])
	}
	if len(s.Changes) != 1 || s.Changes[0].Target != "sso-prod" || s.Changes[0].Nodes != 1 {
		t.Fatalf("changes = %+v", s.Changes)
	}
	var b strings.Builder
	Print(&b, s)
	for _, want := range []string{"sso-prod", "consolidate", "$53.29", "unknown", "sso-prod → 1 node(s) [create]", "phase order (lower traffic first): sso-prod",
		"sso-prod windows for one node, projected CPU: maintenance wed:03:00-wed:03:30 (18.3%) → fri:02:00-fri:02:30 (7.9%)\n",
		"mandible-prod windows for one node, projected CPU: backup 03:00-03:30 (10.1%, stays)\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
	dir := t.TempDir()
	paths, err := WriteFiles(dir, s)
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, p := range paths {
		r, err := filepath.Rel(dir, p)
		if err != nil {
			t.Fatal(err)
		}
		rel = append(rel, filepath.ToSlash(r))
	}
	want := []string{"sso-prod/cpu.svg", "sso-prod/infracost-usage.yml", "sso-prod/report.md", "sso-prod/rollback-rules.yaml"}
	if !slices.Equal(rel, want) {
		t.Fatalf("wrote %v, want %v", rel, want)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "sso-prod", "cpu.svg")); string(got) != "<svg/>" {
		t.Fatalf("chart = %q", got)
	}
	// Every image the report links resolves next to it.
	report, err := os.ReadFile(filepath.Join(dir, "sso-prod", "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	links := regexp.MustCompile(`!\[[^]]*\]\(([^)]+)\)`).FindAllStringSubmatch(string(report), -1)
	if len(links) != 1 {
		t.Fatalf("report links %v", links)
	}
	for _, l := range links {
		if _, err := os.Stat(filepath.Join(dir, "sso-prod", l[1])); err != nil {
			t.Errorf("the report's image %s: %v", l[1], err)
		}
	}
}

func TestWriteFilesRefusesPaths(t *testing.T) {
	for _, c := range []Cluster{
		{ID: "../sso-prod", Report: "x"},
		{ID: "a/b", Report: "x"},
		{ID: "", Report: "x"},
		{ID: "sso-prod", Report: "x", Charts: map[string]string{"../cpu.svg": "<svg/>"}},
		{ID: "sso-prod", Report: "x", Charts: map[string]string{"report.md": "<svg/>"}},
	} {
		parent := t.TempDir()
		if _, err := WriteFiles(filepath.Join(parent, "out"), Summary{Clusters: []Cluster{c}}); err == nil {
			t.Errorf("WriteFiles(%q, %v) succeeded", c.ID, c.Charts)
		}
		if entries, _ := os.ReadDir(parent); len(entries) != 0 {
			t.Errorf("WriteFiles(%q, %v) wrote %v", c.ID, c.Charts, entries)
		}
	}
}

func TestParsePlanErrors(t *testing.T) {
	for _, in := range []string{`{`, `{"prior_state": {"values": {"root_module": {"resources": []}}}}`,
		`{"prior_state": {"values": {"root_module": {"resources": [{"mode": "data", "type": "rightsize_single_node_recommendation", "values": {"id": "x"}}]}}}}`} {
		if _, err := ParsePlan(strings.NewReader(in)); err == nil {
			t.Errorf("ParsePlan(%q) succeeded", in)
		}
	}
}

func TestVerify(t *testing.T) {
	s, err := ParsePlan(strings.NewReader(planFixture))
	if err != nil {
		t.Fatal(err)
	}
	good := `{"summary": {"value": {
	  "sso-prod": {"verdict": "consolidate", "projected_cpu_p95": 15.2, "projected_cpu_p99": 18.8, "monthly_savings": 53.29},
	  "mandible-prod": {"verdict": "keep", "projected_cpu_p95": 25, "projected_cpu_p99": 28.4, "monthly_savings": null}}},
	  "phase_order": {"value": ["sso-prod"]}}`
	if err := Verify(s, strings.NewReader(good)); err != nil {
		t.Fatalf("Verify(good) = %v", err)
	}
	bad := strings.Replace(strings.Replace(good, `"monthly_savings": 53.29`, `"monthly_savings": 50`, 1), `"keep"`, `"consolidate"`, 1)
	err = Verify(s, strings.NewReader(bad))
	if err == nil || !strings.Contains(err.Error(), "savings $53.29 in the summary, $50.00 in the output") || !strings.Contains(err.Error(), `verdict "keep"`) {
		t.Fatalf("Verify(bad) = %v", err)
	}
	if err := Verify(s, strings.NewReader(`{"summary": {"value": {}}, "phase_order": {"value": []}}`)); err == nil {
		t.Fatal("Verify(empty) succeeded")
	}
}

func TestPendingChanges(t *testing.T) {
	got, err := PendingChanges(strings.NewReader(planFixture))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "rightsize_db_topology.sso: create" {
		t.Fatalf("PendingChanges = %v", got)
	}
	empty := `{"resource_changes": [{"address": "rightsize_db_topology.sso", "type": "rightsize_db_topology", "change": {"actions": ["no-op"]}},
	  {"address": "data.rightsize_fleet.all", "type": "rightsize_fleet", "change": {"actions": ["read"]}}]}`
	if got, err := PendingChanges(strings.NewReader(empty)); err != nil || len(got) != 0 {
		t.Fatalf("PendingChanges(no-op) = %v, %v", got, err)
	}
	if _, err := PendingChanges(strings.NewReader("{")); err == nil {
		t.Fatal("PendingChanges accepted broken JSON")
	}
}

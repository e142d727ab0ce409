// Package demo turns the JSON of the demo's terraform plan (terraform show
// -json) into the short summary `make demo` prints, writes the reports and
// charts to a folder, and checks the summary against `terraform output -json`.
package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Cluster is one recommendation as the summary shows it.
type Cluster struct {
	Address        string  // Terraform address of the data source
	ID             string  // cluster identifier
	Topology       string  // multi-az | aurora
	Verdict        string  // consolidate | keep | insufficient-data
	Confidence     float64 // 0..1
	CPUP95, CPUP99 float64 // projected single-node CPU, percent
	MonthlySavings *float64
	AnnualSavings  *float64
	Window         string // "Sunday 03:00 UTC, 2 h"
	// Windows is the backup and maintenance window advice, "backup 13:00-13:30 (25.0%) →
	// 01:00-01:30 (5.2%), maintenance sun:05:00-sun:05:30 (9.1%, stays)", or "" when there is none.
	Windows         string
	Report          string
	Charts          map[string]string
	PrometheusRules string
	InfracostUsage  string
}

// Change is a planned or applied rightsize_db_topology change.
type Change struct {
	Address string
	Target  string
	Actions []string
	Nodes   int
}

// Summary is what the demo reports.
type Summary struct {
	Clusters     []Cluster // sorted by identifier
	PhaseOrder   []string
	FleetSavings float64
	Changes      []Change
}

type planJSON struct {
	PriorState struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string          `json:"address"`
					Mode    string          `json:"mode"`
					Type    string          `json:"type"`
					Values  json.RawMessage `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	} `json:"prior_state"`
	ResourceChanges []struct {
		Address string `json:"address"`
		Type    string `json:"type"`
		Change  struct {
			Actions []string        `json:"actions"`
			After   json.RawMessage `json:"after"`
		} `json:"change"`
	} `json:"resource_changes"`
}

type recValues struct {
	ID              string   `json:"id"`
	Topology        string   `json:"topology"`
	Verdict         string   `json:"verdict"`
	Confidence      float64  `json:"confidence"`
	CPUP95          float64  `json:"projected_cpu_p95"`
	CPUP99          float64  `json:"projected_cpu_p99"`
	MonthlySavings  *float64 `json:"monthly_savings"`
	AnnualSavings   *float64 `json:"annual_savings"`
	MigrationWindow struct {
		Weekday      string `json:"weekday"`
		StartHourUTC int    `json:"start_hour_utc"`
		LengthHours  int    `json:"length_hours"`
	} `json:"migration_window"`
	Backup      scheduledValues   `json:"backup_window"`
	Maintenance scheduledValues   `json:"maintenance_window"`
	Report      string            `json:"report_markdown"`
	Charts      map[string]string `json:"charts_svg"`
	Prometheus  string            `json:"prometheus_rules_yaml"`
	Infracost   string            `json:"infracost_usage_yaml"`
}

// scheduledValues are a backup_window or maintenance_window attribute.
type scheduledValues struct {
	Window           string   `json:"window"`
	PeakCPU          *float64 `json:"peak_cpu"`
	Suggested        string   `json:"suggested"`
	SuggestedPeakCPU *float64 `json:"suggested_peak_cpu"`
}

// advice is "<name> <window> (<cpu>) → <suggested> (<cpu>)", "<name> <window> (<cpu>, stays)"
// when the suggestion is the window itself, or "" unless both are known.
func (v scheduledValues) advice(name string) string {
	if v.Window == "" || v.Suggested == "" {
		return ""
	}
	cpu := func(p *float64) string {
		if p == nil {
			return "cpu unknown"
		}
		return fmt.Sprintf("%.1f%%", *p)
	}
	if v.Suggested == v.Window {
		return fmt.Sprintf("%s %s (%s, stays)", name, v.Window, cpu(v.PeakCPU))
	}
	return fmt.Sprintf("%s %s (%s) → %s (%s)", name, v.Window, cpu(v.PeakCPU), v.Suggested, cpu(v.SuggestedPeakCPU))
}

type fleetValues struct {
	PhaseOrder []string `json:"phase_order"`
	Total      float64  `json:"total_monthly_savings"`
}

// ParsePlan reads `terraform show -json <planfile>` output.
func ParsePlan(r io.Reader) (Summary, error) {
	var p planJSON
	if err := json.NewDecoder(r).Decode(&p); err != nil {
		return Summary{}, fmt.Errorf("decoding the plan JSON: %w", err)
	}
	var s Summary
	for _, res := range p.PriorState.Values.RootModule.Resources {
		if res.Mode != "data" {
			continue
		}
		switch res.Type {
		case "rightsize_single_node_recommendation":
			var v recValues
			if err := json.Unmarshal(res.Values, &v); err != nil {
				return Summary{}, fmt.Errorf("decoding %s: %w", res.Address, err)
			}
			if v.Verdict == "" {
				return Summary{}, fmt.Errorf("%s has no verdict", res.Address)
			}
			s.Clusters = append(s.Clusters, Cluster{
				Address: res.Address, ID: v.ID, Topology: v.Topology, Verdict: v.Verdict, Confidence: v.Confidence,
				CPUP95: v.CPUP95, CPUP99: v.CPUP99, MonthlySavings: v.MonthlySavings, AnnualSavings: v.AnnualSavings,
				Window:  windowText(v.MigrationWindow.Weekday, v.MigrationWindow.StartHourUTC, v.MigrationWindow.LengthHours),
				Windows: joinNonEmpty(", ", v.Backup.advice("backup"), v.Maintenance.advice("maintenance")),
				Report:  v.Report, Charts: v.Charts, PrometheusRules: v.Prometheus, InfracostUsage: v.Infracost,
			})
		case "rightsize_fleet":
			var v fleetValues
			if err := json.Unmarshal(res.Values, &v); err != nil {
				return Summary{}, fmt.Errorf("decoding %s: %w", res.Address, err)
			}
			s.PhaseOrder, s.FleetSavings = v.PhaseOrder, v.Total
		}
	}
	for _, rc := range p.ResourceChanges {
		if rc.Type != "rightsize_db_topology" {
			continue
		}
		var after struct {
			Cluster  *string `json:"db_cluster_identifier"`
			Instance *string `json:"db_instance_identifier"`
			Nodes    int     `json:"nodes"`
		}
		_ = json.Unmarshal(rc.Change.After, &after)
		target := ""
		if after.Cluster != nil {
			target = *after.Cluster
		} else if after.Instance != nil {
			target = *after.Instance
		}
		s.Changes = append(s.Changes, Change{Address: rc.Address, Target: target, Actions: rc.Change.Actions, Nodes: after.Nodes})
	}
	if len(s.Clusters) == 0 {
		return Summary{}, errors.New("the plan read no rightsize_single_node_recommendation data source")
	}
	sort.Slice(s.Clusters, func(i, j int) bool { return s.Clusters[i].ID < s.Clusters[j].ID })
	return s, nil
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

func windowText(day string, hour, length int) string {
	if day == "" {
		return "unknown"
	}
	return fmt.Sprintf("%s %02d:00 UTC, %d h", day, hour, length)
}

// Print writes the human summary.
func Print(w io.Writer, s Summary) {
	fmt.Fprintln(w, "rightsize demo: single-node recommendations")
	fmt.Fprintf(w, "  %-14s %-9s %-18s %6s %8s %8s %12s  %s\n", "cluster", "topology", "verdict", "conf", "cpu p95", "cpu p99", "savings/mo", "migration window")
	for _, c := range s.Clusters {
		fmt.Fprintf(w, "  %-14s %-9s %-18s %6.2f %7.1f%% %7.1f%% %12s  %s\n", c.ID, c.Topology, c.Verdict, c.Confidence, c.CPUP95, c.CPUP99, money(c.MonthlySavings), c.Window)
	}
	for _, c := range s.Clusters {
		if c.Windows != "" {
			fmt.Fprintf(w, "  %s windows for one node, projected CPU: %s\n", c.ID, c.Windows)
		}
	}
	if len(s.PhaseOrder) > 0 {
		fmt.Fprintf(w, "  phase order (lower traffic first): %s; fleet savings $%.2f/month\n", strings.Join(s.PhaseOrder, " → "), s.FleetSavings)
	}
	for _, ch := range s.Changes {
		fmt.Fprintf(w, "  %s: %s → %d node(s) [%s]\n", ch.Address, ch.Target, ch.Nodes, strings.Join(ch.Actions, ","))
	}
}

func money(v *float64) string {
	if v == nil {
		return "unknown"
	}
	return fmt.Sprintf("$%.2f", *v)
}

// WriteFiles writes each cluster's files into a folder of its own, dir/<id>/,
// under the names examples/report-files uses: report.md, its charts (the
// report links them by bare name, so they sit next to it), rollback-rules.yaml
// and infracost-usage.yml. It returns the paths written. A cluster id or a
// chart name that is not a single path element is refused.
func WriteFiles(dir string, s Summary) ([]string, error) {
	var paths []string
	for _, c := range s.Clusters {
		if !filepath.IsLocal(c.ID) || filepath.Base(c.ID) != c.ID {
			return paths, fmt.Errorf("cluster id %q cannot name a folder", c.ID)
		}
		files := map[string]string{"report.md": c.Report, "rollback-rules.yaml": c.PrometheusRules,
			"infracost-usage.yml": c.InfracostUsage}
		for n, svg := range c.Charts {
			if !filepath.IsLocal(n) || filepath.Base(n) != n {
				return paths, fmt.Errorf("chart name %q of %s cannot name a file", n, c.ID)
			}
			if _, ok := files[n]; ok {
				return paths, fmt.Errorf("chart name %q of %s is taken by another file", n, c.ID)
			}
			files[n] = svg
		}
		cdir := filepath.Join(dir, c.ID)
		if err := os.MkdirAll(cdir, 0o755); err != nil {
			return paths, err
		}
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if files[n] == "" {
				continue
			}
			p := filepath.Join(cdir, n)
			if err := os.WriteFile(p, []byte(files[n]), 0o644); err != nil {
				return paths, err
			}
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// PendingChanges lists the resource changes of a plan (terraform show -json)
// that are not no-ops, as "address: action,action". Output changes are not
// counted: after a change, the analysis of the now single-node deployment
// legitimately reports different numbers.
func PendingChanges(r io.Reader) ([]string, error) {
	var p planJSON
	if err := json.NewDecoder(r).Decode(&p); err != nil {
		return nil, fmt.Errorf("decoding the plan JSON: %w", err)
	}
	var out []string
	for _, rc := range p.ResourceChanges {
		acts := rc.Change.Actions
		if len(acts) == 1 && (acts[0] == "no-op" || acts[0] == "read") {
			continue
		}
		out = append(out, rc.Address+": "+strings.Join(acts, ","))
	}
	return out, nil
}

// Verify checks the summary against `terraform output -json`: every
// cluster's verdict, projected CPU and savings must equal the "summary"
// output, and the phase order the "phase_order" output.
func Verify(s Summary, outputsJSON io.Reader) error {
	var outs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(outputsJSON).Decode(&outs); err != nil {
		return fmt.Errorf("decoding terraform output -json: %w", err)
	}
	var sum map[string]struct {
		Verdict        string   `json:"verdict"`
		CPUP95         float64  `json:"projected_cpu_p95"`
		CPUP99         float64  `json:"projected_cpu_p99"`
		MonthlySavings *float64 `json:"monthly_savings"`
	}
	if err := json.Unmarshal(outs["summary"].Value, &sum); err != nil {
		return fmt.Errorf("decoding output summary: %w", err)
	}
	var problems []string
	for _, c := range s.Clusters {
		o, ok := sum[c.ID]
		if !ok {
			problems = append(problems, c.ID+": missing from output summary")
			continue
		}
		if o.Verdict != c.Verdict {
			problems = append(problems, fmt.Sprintf("%s: verdict %q in the summary, %q in the output", c.ID, c.Verdict, o.Verdict))
		}
		if o.CPUP95 != c.CPUP95 || o.CPUP99 != c.CPUP99 {
			problems = append(problems, fmt.Sprintf("%s: cpu p95/p99 %.2f/%.2f in the summary, %.2f/%.2f in the output", c.ID, c.CPUP95, c.CPUP99, o.CPUP95, o.CPUP99))
		}
		if !sameMoney(o.MonthlySavings, c.MonthlySavings) {
			problems = append(problems, fmt.Sprintf("%s: savings %s in the summary, %s in the output", c.ID, money(c.MonthlySavings), money(o.MonthlySavings)))
		}
	}
	var phase []string
	if raw, ok := outs["phase_order"]; ok {
		if err := json.Unmarshal(raw.Value, &phase); err != nil {
			return fmt.Errorf("decoding output phase_order: %w", err)
		}
	}
	if strings.Join(phase, ",") != strings.Join(s.PhaseOrder, ",") {
		problems = append(problems, fmt.Sprintf("phase order %v in the summary, %v in the output", s.PhaseOrder, phase))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func sameMoney(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) < 0.005
}

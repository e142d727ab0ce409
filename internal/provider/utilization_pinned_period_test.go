package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestReadUtilizationPinnedPeriodWarning: end_time pins rightsize_utilization's window ("Set it to
// make plans reproducible"), but with period_seconds left to default the period is chosen from
// the window's age, and once CloudWatch's 1-minute datapoints of its start expire (15 days) the
// same window is read at 5 minutes: every summary changes with no change in the workload, and a
// plan shows them all changed. Read through the real SDK against the sandbox, whose clock is
// advanced between the reads. As rightsize_single_node_recommendation (and rightsize_fleet) do,
// the first read warns of it, with the date and the period_seconds that keeps it reproducible;
// with period_seconds set, or without end_time, there is no such warning.
func TestReadUtilizationPinnedPeriodWarning(t *testing.T) {
	now := sandbox.ScenarioEpoch
	ctx := context.Background()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	pd := sandboxServerData(srv)
	end := now.Add(-24 * time.Hour)
	const title = "Pinned Window Changes When Datapoints Expire"
	warningsOf := func(diags diag.Diagnostics) (out []string) {
		for _, d := range diags {
			if d.Severity() == diag.SeverityWarning && d.Summary() == title {
				out = append(out, d.Detail())
			}
		}
		return out
	}
	read := func(m *utilizationModel) (*utilizationModel, diag.Diagnostics) {
		t.Helper()
		_, diags := readUtilization(ctx, pd, m, srv.Now())
		if diags.HasError() {
			t.Fatalf("%v", diags)
		}
		return m, diags
	}

	// Pinned, period chosen: read now (1-minute datapoints), and again 9 days later (the window's
	// start is then 15 days old, and the same window is read at 5 minutes).
	first, diags := read(utilizationReadModel("mandible-prod", "", 7, end))
	got := warningsOf(diags)
	want := "from 2026-11-09 12:00 UTC the same window is read in 300-second periods and its figures change. Set period_seconds = 300 to keep them reproducible until 2026-12-27 12:00 UTC"
	if len(got) != 1 || !strings.Contains(got[0], want) {
		t.Errorf("pinned, period chosen: %q warnings %q, want one saying %q", title, got, want)
	}
	srv.Advance(9 * 24 * time.Hour)
	later, _ := read(utilizationReadModel("mandible-prod", "", 7, end))
	p99 := func(m *utilizationModel) float64 { return m.Nodes[0].Metrics["CPUUtilization"].P99.ValueFloat64() }
	if first.PeriodSeconds.ValueInt64() != 60 || later.PeriodSeconds.ValueInt64() != 300 || p99(first) == p99(later) {
		t.Fatalf("the test no longer reads a pinned window whose period and figures change: period %d then %d, CPU p99 %v then %v",
			first.PeriodSeconds.ValueInt64(), later.PeriodSeconds.ValueInt64(), p99(first), p99(later))
	}
	t.Logf("the same pinned window: period %d s, CPU p99 %v; 9 days later period %d s, CPU p99 %v",
		first.PeriodSeconds.ValueInt64(), p99(first), later.PeriodSeconds.ValueInt64(), p99(later))

	// Pinned with period_seconds, or not pinned: no such warning.
	withPeriod := utilizationReadModel("mandible-prod", "", 7, end)
	withPeriod.PeriodSeconds = types.Int64Value(300)
	unpinned := utilizationReadModel("", "sso-prod", 7, end)
	unpinned.EndTime = types.StringNull()
	for name, m := range map[string]*utilizationModel{"period set": withPeriod, "not pinned": unpinned} {
		if _, diags := read(m); len(warningsOf(diags)) > 0 {
			t.Errorf("%s: unexpected warning %q", name, warningsOf(diags))
		}
	}
}

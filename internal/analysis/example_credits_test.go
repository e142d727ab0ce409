package analysis_test

import (
	"fmt"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// An Aurora pair on db.t4g.medium (baseline 20% per vCPU): each node stays
// within the baseline, but the single node would average 24% and pay for
// surplus CPU credits. Assess gives the decision and its figures without
// rendering the report and charts.
func ExampleAssess() {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	const days, period = 14, 5 * time.Minute
	gen := func(metric string, v float64) analysis.Series {
		s := analysis.Series{Metric: metric, Period: period, Start: start, End: start.Add(days * 24 * time.Hour)}
		for i := 0; i < days*288; i++ {
			s.Timestamps = append(s.Timestamps, start.Add(time.Duration(i)*period))
			s.Values = append(s.Values, v)
		}
		return s
	}
	class := analysis.InstanceClass{Name: "db.t4g.medium", VCPU: 2, MemoryGiB: 4, Burstable: true, BaselineCPUPercent: 20}
	node := func(id string, role analysis.Role, cpu float64) analysis.Node {
		return analysis.Node{ID: id, Role: role, Class: class, Series: []analysis.Series{
			gen(analysis.MetricCPU, cpu), gen(analysis.MetricFreeableMemory, 2.5*(1<<30)),
			gen(analysis.MetricConnections, 10), gen(analysis.MetricReadIOPS, 50), gen(analysis.MetricWriteIOPS, 20),
		}}
	}
	in := analysis.ClusterInput{
		Name: "sso-prod", Topology: analysis.TopologyAurora,
		Nodes:            []analysis.Node{node("sso-prod-1", analysis.RoleWriter, 15), node("sso-prod-2", analysis.RoleReader, 9)},
		CurrentHourlyUSD: 0.146, CPUCreditUSDPerVCPUHour: 0.09,
		Candidates: []analysis.Candidate{{Class: class, SingleNodeHourlyUSD: 0.073}},
	}
	rec, err := analysis.Assess(in, analysis.Policy{})
	if err != nil {
		panic(err)
	}
	cr := rec.CPUCredits
	fmt.Printf("%s: highest 24-hour mean %.1f%% of a %g%% baseline, %.1f vCPU-hours of surplus a month\n",
		cr.Class, cr.Peak24hMeanPercent, cr.BaselinePercent, cr.SurplusVCPUHoursPerMonth)
	fmt.Printf("cost $%.2f now, $%.2f after (credits $%.2f), savings $%.2f\n",
		rec.Cost.CurrentMonthlyUSD, rec.Cost.ProposedMonthlyUSD, rec.Cost.ProposedCreditsUSD, rec.Cost.MonthlySavingsUSD)
	for _, r := range rec.Risks {
		if r.Category == "burst" {
			fmt.Println("burst risk:", r.Severity)
		}
	}
	fmt.Printf("report %d bytes, %d charts\n", len(rec.ReportMarkdown), len(rec.Charts))
	// Output:
	// db.t4g.medium: highest 24-hour mean 24.0% of a 20% baseline, 58.4 vCPU-hours of surplus a month
	// cost $106.58 now, $58.55 after (credits $5.26), savings $48.03
	// burst risk: high
	// report 0 bytes, 0 charts
}

func ExampleCPUCredits_MinBalancePercent() {
	cr := analysis.CPUCredits{Class: "db.t4g.medium", VCPU: 2, BaselinePercent: 20, MaxBalance: 576, MinBalance: 360}
	fmt.Println(cr.MinBalancePercent())
	// Output: 62.5
}

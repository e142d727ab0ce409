package analysis_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

func ExampleDefaultPolicy() {
	p := analysis.DefaultPolicy()
	fmt.Printf("headroom %g%%, alert threshold %g%%, min coverage %g, min lookback %s\n",
		p.HeadroomPercent, p.AlertThresholdPercent, p.MinCoverage, p.MinLookback)
	// Output: headroom 20%, alert threshold 40%, min coverage 0.8, min lookback 168h0m0s
}

func ExamplePolicy_Validate() {
	p := analysis.DefaultPolicy()
	fmt.Println(p.Validate())
	p.AlertThresholdPercent = 140
	fmt.Println(p.Validate() != nil)
	// Output:
	// <nil>
	// true
}

func ExampleDefaultSavingsTarget() {
	t := analysis.DefaultSavingsTarget()
	fmt.Printf("$%g–%g per month\n", t.MinMonthlyUSD, t.MaxMonthlyUSD)
	// Output: $50–100 per month
}

func ExampleDefaultPatternThresholds() {
	th := analysis.DefaultPatternThresholds()
	fmt.Println(th.MinCoverage, th.MinHours, th.SteadyMaxCV, th.SeasonalMinACF, th.WeeklyMargin, th.SpikyMinPeakRatio)
	// Output: 0.5 48 0.15 0.5 0.1 2
}

func ExampleInstanceClass_MemoryBytes() {
	c := analysis.InstanceClass{Name: "db.t4g.large", VCPU: 2, MemoryGiB: 8}
	fmt.Println(c.MemoryBytes())
	// Output: 8.589934592e+09
}

func ExampleSeries_Lookback() {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	s := analysis.Series{Metric: analysis.MetricCPU, Period: time.Minute, Start: start, End: start.Add(14 * 24 * time.Hour)}
	fmt.Println(s.Lookback(), s.Expected())
	// Output: 336h0m0s 20160
}

func ExampleSeries_Validate() {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	s := analysis.Series{Metric: analysis.MetricCPU, Period: time.Minute, Start: t0, End: t0.Add(3 * time.Minute),
		Timestamps: []time.Time{t0.Add(time.Minute), t0}, Values: []float64{1, 2}}
	err := s.Validate()
	fmt.Println(errors.Is(err, analysis.ErrUnsorted))
	sorted, _ := s.Sorted()
	fmt.Println(sorted.Validate())
	// Output:
	// true
	// <nil>
}

func ExampleNodeAnalysis_Summary() {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	cpu := analysis.Series{Metric: analysis.MetricCPU, Unit: "Percent", Period: time.Minute, Start: t0, End: t0.Add(4 * time.Minute),
		Timestamps: []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute), t0.Add(3 * time.Minute)},
		Values:     []float64{10, 20, 30, 40}}
	sum, _ := analysis.Summarize(cpu)
	n := analysis.NodeAnalysis{ID: "mandible-prod", Role: analysis.RoleWriter, Summaries: []analysis.Summary{sum}}
	got, ok := n.Summary(analysis.MetricCPU)
	fmt.Println(ok, got.Count, got.Mean, got.Max)
	_, ok = n.Summary(analysis.MetricReplicaLag)
	fmt.Println(ok)
	// Output:
	// true 4 25 40
	// false
}

// Package analysis turns metric series into summaries, workload patterns and a
// single-node verdict for a 2-node PostgreSQL cluster.
//
// It is pure Go: it imports only the standard library and knows nothing about
// AWS, PostgreSQL or Terraform. Callers (the CloudWatch and pg_stat adapters)
// convert their data into the types of this package.
//
// # Entry points
//
//   - Analyze(ClusterInput, Policy) → Recommendation: the whole decision for
//     one cluster (verdict, reasons, projection, risks, decision matrix, cost,
//     the CPU credits of burstable classes, class options, PostgreSQL
//     parameters, migration window, rollback alarms, Prometheus rules,
//     Markdown report and SVG charts).
//   - Assess(ClusterInput, Policy): Analyze without the report and charts,
//     for callers that need only the decision and its figures.
//   - PhaseOrder([]Traffic): order clusters for a phased migration, lower
//     traffic first (Recommendation.Traffic feeds it).
//   - MigrationWindow(Profile, hours): the quietest window of the UTC week.
//   - Building blocks: Summarize, Quantiles, HourOfWeekProfile,
//     HourOfDayProfile, SeasonalityOf, ClassifyPattern, Cost, Tune,
//     RollbackTriggers, PrometheusRules, Report, TimeSeriesSVG, HeatmapSVG.
//
// # Conventions
//
// Inputs are never modified. Missing data is never zero: gaps (absent
// timestamps) and NaN values are counted as missing and reduce coverage;
// statistics of a series without valid points are NaN. Series must have a
// positive period, End after Start, and equal-length Timestamps and Values
// (ErrBadSeries); the building blocks require strictly increasing timestamps
// (ErrUnsorted; Series.Sorted fixes that), while Analyze sorts a copy itself.
// Results are deterministic: nothing reads the clock and no output depends on
// map iteration order.
//
// # Cost
//
// Each series is read once by its scan (values and timestamps together);
// Analyze scans every node series once and each projected (summed) series
// once more from a scratch buffer. Series of a cluster that share one
// regular timestamp slice (the CloudWatch collector shares it among series
// with the same datapoint times) have it checked once. A series with holes (periods CloudWatch
// left out) is placed on its period grid during that scan, NaN in the
// holes (in the benchmarks, one with 0.5% of its periods missing costs
// 10-20% more than a complete series; the general pass costs twice as much,
// and in the fleet, where it also made projections align by timestamp, 4-5
// times); only off-grid timestamps, or a mostly empty grid, take the general
// pass. Exact percentiles come from selection
// within sample-chosen value intervals, never from sorting a series. Scratch
// buffers, the node series' hourly aggregates (once Analyze no longer needs
// them) and chart line buffers are pooled (safe for concurrent calls): in a
// large, long-lived heap, fresh allocations cost page faults as well as
// allocation. The fleet benchmarks in
// bench_test.go measure this against a plain summing pass and a sorting
// baseline over the same data.
//
// # Same results on every platform
//
// The provider ships for amd64 and arm64, and a plan on an Apple-silicon laptop must show what
// CI's on linux/amd64 shows. Go may fuse x*y + z into one fused multiply-add, rounded once, on
// arm64 (and ppc64le, s390x) but not on amd64 as released (GOAMD64=v1), which changes the last
// bits, enough to round a figure the other way. Every product that meets an addition here is
// converted, float64(x*y) + z, which rounds it as amd64 does and compiles to the same amd64 code;
// TestNoFusedMultiplyAdd compiles the package for arm64 and names any fused instruction left.
// Functions of package math other than Sqrt (Log, Exp, Pow with a fractional exponent, Sin)
// also differ in the last bits between amd64 and arm64: the engine keeps them out of its
// figures (Pow(10, d) with integer d is exact everywhere; the decade niceCeil takes from Log10
// is only a start, which its search corrects either way).
//
// # Default policy (DefaultPolicy)
//
// Headroom 20% and alert threshold 40% come from the seed: projected p99 load
// × 1.2 must stay at or below 40% of vCPU (and of baseline IOPS and network
// when known). Memory in use × 1.2 must stay at or below 80% of RAM (on
// Aurora, the memory in use outside the buffer cache, at or below 80% of what
// the cache leaves of RAM: see Projection.MemoryUsed), peak
// connections × 1.2 at or below 80% of max_connections. Every required metric
// must cover at least 80% of its expected datapoints, and the window must span
// at least 7 days so that one full weekly cycle (weekday and weekend peaks) is
// observed; otherwise the verdict is insufficient-data. See Policy for the
// reasoning behind each value.
package analysis

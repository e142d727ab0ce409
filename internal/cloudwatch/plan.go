// Package cloudwatch fetches RDS metrics from Amazon CloudWatch with as few GetMetricData requests as the API's
// limits allow and turns them into analysis.Series.
//
// It has two halves: a pure planner (NewPlan) that picks the finest period CloudWatch still retains for the whole
// window and packs node × metric × statistic queries into the fewest requests, and a Collector that executes a plan
// with NextToken paging, bounded concurrency and budgeted retries of throttling, 5xx errors and dropped connections. The only AWS call
// is GetMetricData, behind the consumer-side API interface that *cloudwatch.Client satisfies. It imports no
// Terraform packages.
package cloudwatch

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// GetMetricData limits (CloudWatch service quotas, not adjustable).
const (
	// MaxQueriesPerRequest is the most MetricDataQuery entries one GetMetricData request may hold.
	MaxQueriesPerRequest = 500
	// MaxDatapointsPerRequest is the most datapoints one GetMetricData request may return across all its
	// queries (also the default MaxDatapoints).
	MaxDatapointsPerRequest = 100800
)

// Retention tiers of CloudWatch metric data: datapoints at Period are kept for Age after their timestamp.
// Data at 60 s is kept 15 days, at 300 s 63 days, at 3600 s 455 days.
var Retention = []struct {
	Period time.Duration
	Age    time.Duration
}{
	{60 * time.Second, 15 * 24 * time.Hour},
	{300 * time.Second, 63 * 24 * time.Hour},
	{3600 * time.Second, 455 * 24 * time.Hour},
}

// MaxLookback is the oldest data CloudWatch keeps (455 days, at 1-hour resolution).
const MaxLookback = 455 * 24 * time.Hour

// DefaultNamespace is the CloudWatch namespace of RDS and Aurora metrics.
const DefaultNamespace = "AWS/RDS"

// ErrRetention is wrapped by NewPlan and ChoosePeriod errors for windows or periods CloudWatch does not retain.
var ErrRetention = errors.New("outside CloudWatch retention")

// ErrPeriod is wrapped by NewPlan and ChoosePeriod errors about the requested period (Request.Period): not a
// positive multiple of 60 s, or one CloudWatch cannot serve for the window's start (those also wrap ErrRetention).
// Callers report them against the attribute that set the period.
var ErrPeriod = errors.New("invalid period")

// Dimension is one CloudWatch metric dimension.
type Dimension struct {
	Name  string
	Value string
}

// Node is one thing whose metrics are fetched, usually a DB instance.
type Node struct {
	// ID names the node in results and errors, e.g. the DB instance identifier.
	ID string
	// Dimensions select the node's metrics. Empty means {DBInstanceIdentifier: ID}.
	Dimensions []Dimension
	// Metrics, when set, replaces the Request's Metrics for this node (an Aurora instance publishes
	// AuroraReplicaLag where an RDS instance publishes ReplicaLag: AuroraMetrics).
	Metrics []Metric
	// Stats, when set, replaces the Request's Stats for this node's series, as Metrics replaces its metrics: a
	// node with its own statistic adds series of that statistic only (for example the SampleCount of one
	// metric, under its own ID, beside a node of the same dimensions read with the Request's Average). A plan
	// counts, batches and bounds each node's series with its own statistics.
	Stats []string
}

func (n Node) dimensions() []Dimension {
	if len(n.Dimensions) == 0 {
		return []Dimension{{Name: "DBInstanceIdentifier", Value: n.ID}}
	}
	return n.Dimensions
}

// Metric is one CloudWatch metric to fetch for every node.
type Metric struct {
	Name string // CloudWatch metric name, e.g. "CPUUtilization"
	// Unit is copied into analysis.Series.Unit (CloudWatch's GetMetricData does not return units). It is not
	// sent as a filter.
	Unit string
}

// DefaultMetrics are the RDS metrics the utilization data source fetches by default, with their CloudWatch units.
var DefaultMetrics = []Metric{
	{"CPUUtilization", "Percent"},
	{"FreeableMemory", "Bytes"},
	{"ReadIOPS", "Count/Second"},
	{"WriteIOPS", "Count/Second"},
	{"DatabaseConnections", "Count"},
	{"NetworkReceiveThroughput", "Bytes/Second"},
	{"NetworkTransmitThroughput", "Bytes/Second"},
	{"ReplicaLag", "Seconds"},
	{"FreeStorageSpace", "Bytes"},
	{"DiskQueueDepth", "Count"},
}

// AuroraMetrics are DefaultMetrics for an Aurora instance: AuroraReplicaLag (milliseconds, published by Aurora
// replicas) in place of ReplicaLag, which only RDS read replicas publish, and FreeLocalStorage (the instance's
// storage for temporary files and logs) in place of FreeStorageSpace, which Aurora does not publish (its cluster
// volume grows by itself). The count stays the same, and so do the request counts of a plan.
var AuroraMetrics = auroraMetrics()

func auroraMetrics() []Metric {
	out := append([]Metric(nil), DefaultMetrics...)
	for i, m := range out {
		switch m.Name {
		case "ReplicaLag":
			out[i] = Metric{"AuroraReplicaLag", "Milliseconds"}
		case "FreeStorageSpace":
			out[i] = Metric{"FreeLocalStorage", "Bytes"}
		}
	}
	return out
}

// Request describes what to fetch: every node × metric × statistic over [Start, End), each node with its own
// metrics and statistics where it has them (Node.Metrics, Node.Stats).
type Request struct {
	Namespace string   // default DefaultNamespace
	Nodes     []Node   // at least one
	Metrics   []Metric // at least one, unless every node has its own (Node.Metrics)
	// Stats are the CloudWatch statistics, e.g. "Average", "Maximum", "p99", of every node without its own
	// (Node.Stats); default ["Average"].
	Stats []string
	Start time.Time
	End   time.Time // exclusive; must be after Start and not after Now
	// Period is the caller's choice (a positive multiple of 60 s) or 0 to pick the finest retained period.
	Period time.Duration
	// Now is the current time against which retention is measured (CloudWatch's clock).
	Now time.Time
}

// SeriesRef identifies one series of a plan: one node × metric × statistic.
type SeriesRef struct {
	Node   Node
	Metric Metric
	Stat   string
}

func (r SeriesRef) String() string {
	return fmt.Sprintf("%s %s (%s) of %s", r.Metric.Name, r.Stat, strings.Join(dimStrings(r.Node.dimensions()), ","), r.Node.ID)
}

func dimStrings(ds []Dimension) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name + "=" + d.Value
	}
	return out
}

// Batch is one GetMetricData request of a plan: a time segment and the series queried over it.
type Batch struct {
	Start, End time.Time // segment of the plan window, aligned to the period
	Series     []int     // indices into Plan.Series
}

// Plan is a packed set of GetMetricData requests covering every series over the whole window.
type Plan struct {
	Namespace string
	Period    time.Duration
	// Start and End are the window aligned to Period: both rounded down, except that Start is rounded up when
	// its first period would begin more than 455 days before Now (CloudWatch serves none of it).
	Start, End      time.Time
	Series          []SeriesRef
	Batches         []Batch
	PointsPerSeries int // (End-Start)/Period
	// LowerBound is max(⌈queries/500⌉, ⌈datapoints/100,800⌉): no plan can use fewer requests.
	LowerBound int
	// Coarsened reports that Period was chosen coarser than 60 s because the window reaches past the 15-day
	// retention of 1-minute data.
	Coarsened bool
	// Warnings are notes for the user about the data the plan returns, to be shown as warnings: when Period is
	// longer than 60 s, "Average" datapoints are period averages and understate short peaks.
	Warnings []string
}

// CoarsenedReason says why a window starting at start (RFC 3339 in the text) is served at period
// rather than 60 s (Plan.Coarsened): it starts older than the finer tiers' retention, e.g. "the
// window starts 2026-11-14T04:00:00Z, more than 15 days ago, and CloudWatch keeps 1-minute data
// 15 days". The start's age is the cause, not the lookback alone: a window of 14 days ending in
// the past can start too long ago.
func CoarsenedReason(start time.Time, period time.Duration) string {
	days := func(d time.Duration) string { return fmt.Sprintf("%d days", int(d.Hours()/24)) }
	var kept []string
	age := Retention[0].Age
	for _, t := range Retention {
		if t.Period >= period && len(kept) > 0 {
			break
		}
		kept = append(kept, fmt.Sprintf("%d-minute data %s", int(t.Period/time.Minute), days(t.Age)))
		age = t.Age
	}
	return fmt.Sprintf("the window starts %s, more than %s ago, and CloudWatch keeps %s", start.UTC().Format(time.RFC3339), days(age), strings.Join(kept, " and "))
}

// resolutionWarnings returns Plan.Warnings for a plan of these series at period: when one of them is an Average.
func resolutionWarnings(period time.Duration, series []SeriesRef, coarsened bool) []string {
	if period <= Retention[0].Period || !slices.ContainsFunc(series, func(r SeriesRef) bool { return r.Stat == "Average" }) {
		return nil
	}
	hint := "a window starting within 15 days gets 1-minute data"
	if !coarsened {
		hint = "a 60-second period, available for a window starting within 15 days, keeps them"
	}
	return []string{fmt.Sprintf("datapoints are %d-second averages: spikes shorter than that are averaged away, so p99 and max understate 1-minute peaks (%s)",
		int(period/time.Second), hint)}
}

// Datapoints returns the most datapoints batch b can return: len(b.Series) × segment length / period.
func (p *Plan) Datapoints(b Batch) int {
	return len(b.Series) * int(b.End.Sub(b.Start)/p.Period)
}

// ChoosePeriod returns the period to use for a window starting at start, judged by the start as it will be
// requested: start rounded down to the period (NewPlan's Plan.Start). CloudWatch serves a window whose requested
// start is up to 15 days old at multiples of 60 s, up to 63 days old at multiples of 300 s and up to 455 days old at
// multiples of 3600 s, and returns no datapoints for other periods (see Retention).
//
// With requested 0 it returns the finest period whose rounded-down start is within its tier (60 s, else 300 s,
// else 3600 s): a window starting 15 days ago at 12:00:30 gets 300 s, because its 60 s requests would start
// 15 days and 30 s ago. Otherwise requested must be a positive multiple of 60 s (else an error wrapping ErrPeriod)
// and a multiple of the finest period CloudWatch serves for the rounded-down start (else an error wrapping
// ErrPeriod and ErrRetention that names the valid choices). A window starting more than 455 days ago wraps
// ErrRetention; one within 455 days whose rounded-down start is older is served from the next whole period (NewPlan
// starts the plan there).
func ChoosePeriod(start, now time.Time, requested time.Duration) (time.Duration, error) {
	age := now.Sub(start)
	if age > MaxLookback {
		return 0, fmt.Errorf("window starts %s before now: %w (CloudWatch keeps at most 455 days)", fmtDays(age), ErrRetention)
	}
	if requested == 0 {
		for _, t := range Retention {
			if now.Sub(alignStart(start, t.Period)) <= t.Age {
				return t.Period, nil
			}
		}
		return Retention[len(Retention)-1].Period, nil // NewPlan starts at the next whole hour
	}
	if requested < 0 || requested%time.Minute != 0 {
		return 0, &periodError{msg: fmt.Sprintf("period %v must be a positive multiple of 60 seconds", requested)}
	}
	rounded := now.Sub(alignStart(start, requested))
	tier := len(Retention) - 1
	for i, t := range Retention {
		if rounded <= t.Age {
			tier = i
			break
		}
	}
	finest := Retention[tier].Period
	if requested%finest == 0 {
		return requested, nil
	}
	s := int(finest / time.Second)
	prev := Retention[tier-1] // tier > 0: every multiple of 60 s is a multiple of the 60 s tier
	return 0, &periodError{retention: true, msg: fmt.Sprintf(
		"period %v cannot be served for a window starting %s ago: CloudWatch keeps data more than %d days old only at multiples of %d s and returns no datapoints at other periods; use a multiple of %d s (%d, %d, %d, …), or a window starting within the last %d days for multiples of %d s",
		requested, fmtDays(rounded), int(prev.Age.Hours()/24), s, s, s, 2*s, 3*s, int(prev.Age.Hours()/24), int(prev.Period/time.Second))}
}

// periodError is a ChoosePeriod error about the requested period; it matches ErrPeriod, and ErrRetention when
// retention is the reason.
type periodError struct {
	msg       string
	retention bool
}

func (e *periodError) Error() string { return e.msg }

func (e *periodError) Is(target error) bool {
	return target == ErrPeriod || (e.retention && target == ErrRetention)
}

// alignStart is start as a plan with this period requests it: rounded down to the period.
func alignStart(start time.Time, period time.Duration) time.Time {
	return start.UTC().Truncate(period)
}

func fmtDays(d time.Duration) string {
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}

// LowerBound returns max(⌈queries/500⌉, ⌈queries×pointsPerSeries/100,800⌉), the fewest GetMetricData requests
// that can fetch queries series of pointsPerSeries datapoints each. It is 0 when queries is 0.
func LowerBound(queries, pointsPerSeries int) int {
	if queries <= 0 {
		return 0
	}
	a := ceilDiv(queries, MaxQueriesPerRequest)
	b := ceilDiv(queries*max(pointsPerSeries, 1), MaxDatapointsPerRequest)
	return max(a, b)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// NewPlan validates req, picks the period and packs the series into batches. It is pure (no I/O).
//
// Packing: the window of P points may be cut into k equal time segments (lengths differing by at most one
// period); with segments of at most ⌈P/k⌉ points a request holds n_k = min(500, ⌊100,800/⌈P/k⌉⌋) series. The
// planner chooses, by exact search, how many groups of n_k series to fetch with k segments each (different k for
// the remainder group), minimizing the number of requests. This equals LowerBound for the windows the data sources
// use in the large majority of cases (every 1/2/10/100-node × 10-metric × 14/28-day plan) and otherwise exceeds it
// by one request: 1.9% of whole-day windows of 1–455 days with 1–2,000 series, where whole time segments cannot
// fill every request to 100,800 datapoints. A series longer than one request's budget is always split by time.
func NewPlan(req Request) (*Plan, error) {
	if len(req.Nodes) == 0 {
		return nil, errors.New("planning CloudWatch queries: no nodes")
	}
	if req.Now.IsZero() {
		return nil, errors.New("planning CloudWatch queries: Now is required")
	}
	if !req.End.After(req.Start) {
		return nil, fmt.Errorf("planning CloudWatch queries: end %s must be after start %s",
			req.End.UTC().Format(time.RFC3339), req.Start.UTC().Format(time.RFC3339))
	}
	if req.End.After(req.Now) {
		return nil, fmt.Errorf("planning CloudWatch queries: end %s is in the future (now %s)",
			req.End.UTC().Format(time.RFC3339), req.Now.UTC().Format(time.RFC3339))
	}
	period, err := ChoosePeriod(req.Start, req.Now, req.Period)
	if err != nil {
		return nil, fmt.Errorf("planning CloudWatch queries: %w", err)
	}
	stats := req.Stats
	if len(stats) == 0 {
		stats = []string{"Average"}
	}
	seen := map[string]bool{}
	for _, n := range req.Nodes {
		if n.ID == "" {
			return nil, errors.New("planning CloudWatch queries: node with empty ID")
		}
		if seen[n.ID] {
			return nil, fmt.Errorf("planning CloudWatch queries: node %q listed twice", n.ID)
		}
		seen[n.ID] = true
		if len(n.Metrics) == 0 && len(req.Metrics) == 0 {
			return nil, fmt.Errorf("planning CloudWatch queries: no metrics for node %q", n.ID)
		}
		for i, st := range n.Stats {
			if st == "" || slices.Contains(n.Stats[:i], st) {
				return nil, fmt.Errorf("planning CloudWatch queries: node %q has an empty or repeated statistic %q", n.ID, st)
			}
		}
	}
	p := &Plan{Namespace: req.Namespace, Period: period}
	if p.Namespace == "" {
		p.Namespace = DefaultNamespace
	}
	p.Start = alignStart(req.Start, period)
	if req.Now.Sub(p.Start) > MaxLookback {
		// The window starts within 455 days but its first period does not: CloudWatch serves from the next one.
		p.Start = p.Start.Add(period)
	}
	p.End = req.End.UTC().Truncate(period)
	if !p.End.After(p.Start) {
		return nil, fmt.Errorf("planning CloudWatch queries: window %s..%s is shorter than one period (%v)",
			req.Start.UTC().Format(time.RFC3339), req.End.UTC().Format(time.RFC3339), period)
	}
	p.Coarsened = req.Period == 0 && period > Retention[0].Period
	for _, n := range req.Nodes {
		metrics, nodeStats := req.Metrics, stats
		if len(n.Metrics) > 0 {
			metrics = n.Metrics
		}
		if len(n.Stats) > 0 {
			nodeStats = n.Stats
		}
		for _, m := range metrics {
			if m.Name == "" {
				return nil, errors.New("planning CloudWatch queries: metric with empty name")
			}
			for _, s := range nodeStats {
				p.Series = append(p.Series, SeriesRef{Node: n, Metric: m, Stat: s})
			}
		}
	}
	p.Warnings = resolutionWarnings(period, p.Series, p.Coarsened)
	p.PointsPerSeries = int(p.End.Sub(p.Start) / period)
	p.LowerBound = LowerBound(len(p.Series), p.PointsPerSeries)
	p.Batches = pack(len(p.Series), p.PointsPerSeries, p.Start, period)
	return p, nil
}

// segmentation is a split of P points into k near-equal segments holding n series per request.
type segmentation struct{ k, n int }

func segmentations(points int) []segmentation {
	var out []segmentation
	for k := ceilDiv(points, MaxDatapointsPerRequest); k <= points; k++ {
		longest := ceilDiv(points, k)
		n := min(MaxQueriesPerRequest, MaxDatapointsPerRequest/longest)
		if n < 1 {
			continue
		}
		if len(out) > 0 && out[len(out)-1].n >= n {
			continue // more segments without more series per request never helps
		}
		out = append(out, segmentation{k, n})
		if n == MaxQueriesPerRequest {
			break
		}
	}
	return out
}

// pack assigns series 0..s-1 to batches; see NewPlan.
func pack(s, points int, start time.Time, period time.Duration) []Batch {
	segs := segmentations(points)
	// best[r] = fewest requests for r series; choice[r] = segmentation used for the first group.
	best := make([]int, s+1)
	choice := make([]int, s+1)
	for r := 1; r <= s; r++ {
		best[r] = -1
		for i, sg := range segs {
			g := min(r, sg.n)
			// Either a full group of n (and the rest recursively), or the whole remainder r < n in one group.
			cost := sg.k + best[r-g]
			if best[r] < 0 || cost < best[r] {
				best[r], choice[r] = cost, i
			}
		}
	}
	var batches []Batch
	next := 0
	for r := s; r > 0; {
		sg := segs[choice[r]]
		g := min(r, sg.n)
		idx := make([]int, g)
		for i := range idx {
			idx[i] = next + i
		}
		next += g
		r -= g
		// k segments: the first points%k get one extra point.
		base, extra := points/sg.k, points%sg.k
		t := start
		for j := 0; j < sg.k; j++ {
			l := base
			if j < extra {
				l++
			}
			end := t.Add(time.Duration(l) * period)
			batches = append(batches, Batch{Start: t, End: end, Series: idx})
			t = end
		}
	}
	return batches
}

// SupportedMetrics are the AWS/RDS metrics the data sources accept: DefaultMetrics first, then other RDS and
// Aurora instance metrics, each with its CloudWatch unit.
var SupportedMetrics = append(append([]Metric(nil), DefaultMetrics...),
	Metric{"ReadLatency", "Seconds"},
	Metric{"WriteLatency", "Seconds"},
	Metric{"ReadThroughput", "Bytes/Second"},
	Metric{"WriteThroughput", "Bytes/Second"},
	Metric{"SwapUsage", "Bytes"},
	Metric{"DBLoad", "None"},
	Metric{"DBLoadCPU", "None"},
	Metric{"DBLoadNonCPU", "None"},
	Metric{"CPUCreditBalance", "Count"},
	Metric{"AuroraReplicaLag", "Milliseconds"},
	Metric{"BufferCacheHitRatio", "Percent"},
	Metric{"CommitThroughput", "Count/Second"},
	Metric{"FreeLocalStorage", "Bytes"},
)

// LookupMetric returns the supported metric called name (case-sensitive, as CloudWatch names it).
func LookupMetric(name string) (Metric, bool) {
	for _, m := range SupportedMetrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

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

// Request describes what to fetch: every node × metric × statistic over [Start, End).
type Request struct {
	Namespace string   // default DefaultNamespace
	Nodes     []Node   // at least one
	Metrics   []Metric // at least one, unless every node has its own (Node.Metrics)
	Stats     []string // CloudWatch statistics, e.g. "Average", "Maximum", "p99"; default ["Average"]
	Start     time.Time
	End       time.Time // exclusive; must be after Start and not after Now
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
	Namespace       string
	Period          time.Duration
	Start, End      time.Time // window aligned to Period: Start rounded down, End rounded down
	Series          []SeriesRef
	Batches         []Batch
	PointsPerSeries int // (End-Start)/Period
	// LowerBound is max(⌈queries/500⌉, ⌈datapoints/100,800⌉): no plan can use fewer requests.
	LowerBound int
	// Coarsened reports that Period was chosen coarser than 60 s because the window reaches past the 15-day
	// retention of 1-minute data.
	Coarsened bool
}

// Datapoints returns the most datapoints batch b can return: len(b.Series) × segment length / period.
func (p *Plan) Datapoints(b Batch) int {
	return len(b.Series) * int(b.End.Sub(b.Start)/p.Period)
}

// ChoosePeriod returns the period to use for a window starting at start: requested if it is set (it must be a
// positive multiple of 60 s and not finer than CloudWatch retains at start), else the finest retained period
// (60 s if start is within 15 days of now, 300 s within 63, 3600 s within 455). Windows older than 455 days wrap
// ErrRetention.
func ChoosePeriod(start, now time.Time, requested time.Duration) (time.Duration, error) {
	age := now.Sub(start)
	finest := time.Duration(0)
	for _, t := range Retention {
		if age <= t.Age {
			finest = t.Period
			break
		}
	}
	if finest == 0 {
		return 0, fmt.Errorf("window starts %s before now: %w (CloudWatch keeps at most 455 days)", fmtDays(age), ErrRetention)
	}
	if requested == 0 {
		return finest, nil
	}
	if requested < 0 || requested%time.Minute != 0 {
		return 0, fmt.Errorf("period %v must be a positive multiple of 60 seconds", requested)
	}
	if requested < finest {
		return 0, fmt.Errorf("period %v is finer than CloudWatch retains for data %s old: %w; use %v or coarser, or a shorter lookback",
			requested, fmtDays(age), ErrRetention, finest)
	}
	return requested, nil
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
	}
	p := &Plan{Namespace: req.Namespace, Period: period}
	if p.Namespace == "" {
		p.Namespace = DefaultNamespace
	}
	p.Start = req.Start.UTC().Truncate(period)
	p.End = req.End.UTC().Truncate(period)
	if !p.End.After(p.Start) {
		return nil, fmt.Errorf("planning CloudWatch queries: window %s..%s is shorter than one period (%v)",
			req.Start.UTC().Format(time.RFC3339), req.End.UTC().Format(time.RFC3339), period)
	}
	p.Coarsened = req.Period == 0 && period > Retention[0].Period
	for _, n := range req.Nodes {
		metrics := req.Metrics
		if len(n.Metrics) > 0 {
			metrics = n.Metrics
		}
		for _, m := range metrics {
			if m.Name == "" {
				return nil, errors.New("planning CloudWatch queries: metric with empty name")
			}
			for _, s := range stats {
				p.Series = append(p.Series, SeriesRef{Node: n, Metric: m, Stat: s})
			}
		}
	}
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

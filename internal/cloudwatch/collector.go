package cloudwatch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/wait"
)

// API is the one CloudWatch call the collector makes; *cloudwatch.Client satisfies it.
type API interface {
	GetMetricData(ctx context.Context, in *awscw.GetMetricDataInput, optFns ...func(*awscw.Options)) (*awscw.GetMetricDataOutput, error)
}

// RetryPolicy bounds the retries of one GetMetricData request (each page separately) that failed with throttling,
// a 5xx/429 response or a dropped connection (see Retryable), or answered a query with status InternalError
// (which CloudWatch documents as transient: the same page is asked again). Delays grow exponentially from BaseDelay to
// MaxDelay with "equal jitter" (half fixed, half random).
type RetryPolicy struct {
	MaxAttempts int           // attempts per call including the first; default DefaultMaxAttempts
	BaseDelay   time.Duration // default 100 ms
	MaxDelay    time.Duration // default 5 s
	// Budget caps the total backoff slept for one batch (all its pages); default 2 minutes.
	Budget time.Duration
}

// DefaultMaxAttempts is RetryPolicy's default attempts per request.
const DefaultMaxAttempts = 20

func (r RetryPolicy) withDefaults() RetryPolicy {
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = DefaultMaxAttempts
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = 100 * time.Millisecond
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = 5 * time.Second
	}
	if r.Budget <= 0 {
		r.Budget = 2 * time.Minute
	}
	return r
}

// Collector executes plans against CloudWatch. The zero value is not usable: API is required.
type Collector struct {
	API API
	// Concurrency is how many GetMetricData requests may be in flight at once; default 4.
	Concurrency int
	Retry       RetryPolicy
	// Sleep waits d or until ctx is done (then returns ctx.Err()); default a timer. Tests inject a recorder.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1) for backoff jitter; default math/rand/v2.
	Jitter func() float64
	// MaxDatapointsPerPage, if positive, is sent as MaxDatapoints so that CloudWatch pages results (NextToken)
	// after that many datapoints; 0 uses the API default of 100,800 (one page per planned request).
	MaxDatapointsPerPage int32
	// KeepSDKRetries keeps the client's own retryer. By default each call disables it (aws.NopRetryer) so that
	// retries happen only here, inside the budget and with the injectable Sleep.
	KeepSDKRetries bool
}

// NodeSeries is one collected series.
type NodeSeries struct {
	Ref    SeriesRef
	Series analysis.Series
}

// Result is the output of Collect.
type Result struct {
	Plan *Plan
	// Series holds one entry per plan series, in plan order. Missing datapoints are gaps (absent timestamps).
	// Series with the same datapoint times share one Timestamps slice (read-only; it has no spare capacity).
	Series []NodeSeries
	// Calls is the number of GetMetricData calls made, including extra pages and retried attempts.
	Calls int
	// Pages is the number of successful GetMetricData responses (batches plus NextToken pages).
	Pages int
	// Retries is the number of calls that were retried (throttling, 5xx/429, dropped connection).
	Retries int
	// Slept is the total backoff slept across all batches.
	Slept time.Duration
	// Messages are non-fatal CloudWatch messages, sorted by text and without repeats, for callers to show as
	// warnings, each with the nodes it concerns (MessagesOf picks a deployment's).
	Messages []Message

	index map[seriesKey]int
}

// Message is a non-fatal message CloudWatch answered a GetMetricData request with: the data it concerns may be
// partial.
type Message struct {
	// Text is the message, prefixed, for a per-query note (MetricDataResult.Messages), with its series; for a note
	// about a whole request (GetMetricData's top-level Messages, e.g. "Maximum number of allowed metrics
	// exceeded", after which CloudWatch still returns what it could), with the request's metrics, nodes and time
	// segment.
	Text string
	// Nodes are the IDs of the nodes whose data it may concern, in plan order: the series' node for a per-query
	// note, every node of the request for a note about it.
	Nodes []string
	// Request is true for a note about a whole request: CloudWatch does not say which of its series it concerns.
	Request bool
}

// MessagesOf returns the messages of r that concern any of the nodes ids (Message.Nodes), in r.Messages' order:
// a note about one series goes only with its node, so that the deployments read in the same requests are not
// implicated in another's partial data.
func (r *Result) MessagesOf(ids ...string) []Message {
	var out []Message
	for _, m := range r.Messages {
		if slices.ContainsFunc(m.Nodes, func(n string) bool { return slices.Contains(ids, n) }) {
			out = append(out, m)
		}
	}
	return out
}

type seriesKey struct{ node, metric, stat string }

// Find returns the collected series for node id, metric and statistic; ok is false when the plan did not include
// it. The series may be empty (no datapoints). Safe for concurrent use.
func (r *Result) Find(node, metric, stat string) (s analysis.Series, ok bool) {
	if r.index != nil {
		i, ok := r.index[seriesKey{node, metric, stat}]
		if !ok {
			return analysis.Series{}, false
		}
		return r.Series[i].Series, true
	}
	for _, ns := range r.Series {
		if ns.Ref.Node.ID == node && ns.Ref.Metric.Name == metric && ns.Ref.Stat == stat {
			return ns.Series, true
		}
	}
	return analysis.Series{}, false
}

// SeriesError is a permanent failure for one series: a CloudWatch query status of Forbidden, or of
// InternalError still returned when the retries (RetryPolicy) ran out.
type SeriesError struct {
	Ref    SeriesRef
	Status string
	Detail string
}

func (e *SeriesError) Error() string {
	return fmt.Sprintf("CloudWatch returned %s for %s: %s", e.Status, e.Ref, e.Detail)
}

// BatchError is a permanent failure of one GetMetricData request; it names the metrics and nodes it covered.
type BatchError struct {
	Metrics   []string
	Nodes     []string
	Start     time.Time
	End       time.Time
	Attempts  int
	Throttled bool // the last failure was retryable but attempts or the retry budget ran out
	Err       error
}

func (e *BatchError) Error() string {
	what := "failed"
	if e.Throttled {
		what = fmt.Sprintf("still throttled or failing after %d attempt(s)", e.Attempts)
	}
	return fmt.Sprintf("GetMetricData for metrics %s of nodes %s (%s..%s) %s: %v",
		listShort(e.Metrics), listShort(e.Nodes), e.Start.Format(time.RFC3339), e.End.Format(time.RFC3339), what, e.Err)
}

func (e *BatchError) Unwrap() error { return e.Err }

func listShort(xs []string) string {
	if len(xs) <= 5 {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:5], ", ") + fmt.Sprintf(" and %d more", len(xs)-5)
}

// throttleCodes are API error codes that mean "slow down".
var throttleCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true, "RequestThrottled": true,
	"RequestThrottledException": true, "TooManyRequestsException": true, "RequestLimitExceeded": true,
	"SlowDown": true, "InternalServiceFault": true, "ServiceUnavailable": true,
	"InternalFailure": true,
}

// Retryable reports whether err is one the collector retries: throttling, a server-side (5xx/429) failure, or a
// connection dropped mid-request (reset, EOF). A failed dial (wrong endpoint, nothing listening) is not retried,
// so a misconfiguration fails at once instead of after the whole budget.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && throttleCodes[ae.ErrorCode()] {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return false
	}
	// A connection reset or closed while the response was read; the SDK reports it with whatever status line
	// arrived, so this is checked before the status code.
	if (retry.RetryableConnectionError{}).IsErrorRetryable(err) == aws.TrueTernary {
		return true
	}
	var se interface{ HTTPStatusCode() int }
	if errors.As(err, &se) {
		c := se.HTTPStatusCode()
		return c >= 500 || c == 429
	}
	return false
}

type batchOut struct {
	calls, pages, retries int
	slept                 time.Duration
	points                map[int][]point
	messages              []Message
}

// point is one datapoint of a batch's response (or one off the period grid, seriesBuf.extra), its time as Unix
// nanoseconds.
type point struct {
	t int64
	v float64
}

// Collect runs every batch of plan, at most Concurrency at a time, and assembles one analysis.Series per plan
// series over [plan.Start, plan.End) with timestamps sorted ascending, duplicates removed and missing datapoints
// left as gaps. The first permanent error cancels the remaining batches; it is a *BatchError naming the metrics and
// nodes of the failed request, or a *SeriesError naming one metric and node. Counters in the partial Result are
// valid even on error.
func (c *Collector) Collect(ctx context.Context, plan *Plan) (*Result, error) {
	if c.API == nil {
		return nil, errors.New("cloudwatch collector has no API client; please report this issue to the provider developers")
	}
	if plan == nil {
		return nil, errors.New("cloudwatch collector: nil plan")
	}
	conc := c.Concurrency
	if conc <= 0 {
		conc = 4
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	res := &Result{Plan: plan}
	var (
		mu       sync.Mutex
		firstErr error
		bufs     = make([]seriesBuf, len(plan.Series))
		wg       sync.WaitGroup
		sem      = make(chan struct{}, conc)
	)
	for bi := range plan.Batches {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(b Batch) {
			defer wg.Done()
			defer func() { <-sem }()
			out, err := c.runBatch(ctx, plan, b)
			mu.Lock()
			defer mu.Unlock()
			res.Calls += out.calls
			res.Pages += out.pages
			res.Retries += out.retries
			res.Slept += out.slept
			res.Messages = append(res.Messages, out.messages...)
			if err != nil {
				if firstErr == nil {
					firstErr = err // later batches fail with context.Canceled because of the cancel below
				}
				cancel()
				return
			}
			for id, pts := range out.points {
				bufs[id].add(plan, pts)
			}
		}(plan.Batches[bi])
	}
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("collecting CloudWatch metrics: %w", err)
	}
	slices.SortStableFunc(res.Messages, func(a, b Message) int { return strings.Compare(a.Text, b.Text) })
	res.Messages = slices.CompactFunc(res.Messages, func(a, b Message) bool { // a note repeated on every page is reported once
		return a.Text == b.Text && a.Request == b.Request && slices.Equal(a.Nodes, b.Nodes)
	})
	res.Series = make([]NodeSeries, len(plan.Series))
	res.index = make(map[seriesKey]int, len(plan.Series))
	times := timestampSet{}
	var scratch []time.Time
	for i, ref := range plan.Series {
		var s analysis.Series
		s, scratch = bufs[i].series(plan, ref, scratch[:0])
		s.Timestamps = times.intern(scratch)
		bufs[i] = seriesBuf{}
		res.Series[i] = NodeSeries{Ref: ref, Series: s}
		res.index[seriesKey{ref.Node.ID, ref.Metric.Name, ref.Stat}] = i
	}
	return res, nil
}

// seriesBuf gathers the datapoints of one plan series as the batches return. A datapoint on the plan's period
// grid (every one CloudWatch returns for a period-aligned window) goes into its slot: vals holds one value per
// period from plan.Start, NaN where none arrived, so a collection holds 8 bytes per period and series instead of
// every datapoint with its time. Datapoints off that grid are kept in extra, and the series is then assembled
// from all of its datapoints (assemble).
type seriesBuf struct {
	vals  []float64 // nil until a datapoint arrives
	extra []point
}

// add files pts (in arrival order) into the buffer. Datapoints outside the plan's window and NaN values are
// left out, as in the series; of datapoints with the same time the first one is kept.
func (b *seriesBuf) add(plan *Plan, pts []point) {
	lo, step, n := plan.Start.UnixNano(), int64(plan.Period), plan.PointsPerSeries
	for _, p := range pts {
		off := p.t - lo
		if off < 0 || off >= int64(n)*step || math.IsNaN(p.v) {
			continue
		}
		if off%step != 0 {
			b.extra = append(b.extra, p)
			continue
		}
		if b.vals == nil {
			b.vals = make([]float64, n)
			for k := range b.vals {
				b.vals[k] = math.NaN()
			}
		}
		if k := off / step; math.IsNaN(b.vals[k]) {
			b.vals[k] = p.v
		}
	}
}

// series returns the series of ref, its timestamps appended to ts (see assemble). The slots are compacted in
// place into the series' values, so the buffer must not be used again.
func (b *seriesBuf) series(plan *Plan, ref SeriesRef, ts []time.Time) (analysis.Series, []time.Time) {
	lo, step := plan.Start.UnixNano(), int64(plan.Period)
	if len(b.extra) > 0 {
		pts := b.extra
		for k, v := range b.vals {
			if !math.IsNaN(v) {
				pts = append(pts, point{t: lo + int64(k)*step, v: v})
			}
		}
		return assemble(plan, ref, pts, ts)
	}
	s := ref.series(plan)
	vals := b.vals[:0]
	for k, v := range b.vals {
		if !math.IsNaN(v) {
			vals = append(vals, v)
			ts = append(ts, time.Unix(0, lo+int64(k)*step).UTC())
		}
	}
	if vals == nil {
		vals = []float64{}
	}
	s.Values = vals
	return s, ts
}

// assemble builds the series of ref from its datapoints: sorted by time, in the window, NaN values and repeated
// timestamps left out. The timestamps are appended to ts (returned) rather than stored in the series.
func assemble(plan *Plan, ref SeriesRef, pts []point, ts []time.Time) (analysis.Series, []time.Time) {
	slices.SortStableFunc(pts, func(a, b point) int { return cmp.Compare(a.t, b.t) })
	s := ref.series(plan)
	s.Values = make([]float64, 0, len(pts))
	lo, hi := plan.Start.UnixNano(), plan.End.UnixNano()
	for _, p := range pts {
		if p.t < lo || p.t >= hi || math.IsNaN(p.v) {
			continue
		}
		if n := len(ts); n > 0 && ts[n-1].UnixNano() == p.t {
			continue
		}
		ts = append(ts, time.Unix(0, p.t).UTC())
		s.Values = append(s.Values, p.v)
	}
	return s, ts
}

// series is ref's series over plan's window, without datapoints.
func (ref SeriesRef) series(plan *Plan) analysis.Series {
	return analysis.Series{Metric: ref.Metric.Name, Unit: ref.Metric.Unit, Period: plan.Period, Start: plan.Start, End: plan.End}
}

// timestampSet holds one copy of each distinct timestamp sequence of a collection. Series with the same
// datapoint times (every metric of every node over one window and period, unless CloudWatch left a period out)
// share one slice: timestamps are 24 of the 32 bytes of a collected datapoint, so a 100-node fleet holds them
// once instead of a thousand times, and the analysis checks a shared slice once per cluster. A shared slice has
// no spare capacity (cap = len), so appending to one series' timestamps cannot write into another's.
type timestampSet map[timesShape][][]time.Time

type timesShape struct {
	n           int
	first, last int64 // Unix nanoseconds
}

// intern returns the set's slice equal to ts (the same instants, in order), adding a copy of ts when there is
// none. ts itself is not kept.
func (set timestampSet) intern(ts []time.Time) []time.Time {
	if len(ts) == 0 {
		return []time.Time{}
	}
	k := timesShape{len(ts), ts[0].UnixNano(), ts[len(ts)-1].UnixNano()}
	for _, c := range set[k] {
		if slices.EqualFunc(c, ts, time.Time.Equal) {
			return c
		}
	}
	c := make([]time.Time, len(ts))
	copy(c, ts)
	set[k] = append(set[k], c)
	return c
}

// queryID is the GetMetricData query id of plan series i (ids must start with a lower-case letter).
func queryID(i int) string { return "q" + strconv.Itoa(i) }

func (c *Collector) buildInput(plan *Plan, b Batch) *awscw.GetMetricDataInput {
	period := int32(plan.Period / time.Second)
	qs := make([]types.MetricDataQuery, 0, len(b.Series))
	for _, i := range b.Series {
		ref := plan.Series[i]
		dims := ref.Node.dimensions()
		cd := make([]types.Dimension, len(dims))
		for j, d := range dims {
			cd[j] = types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)}
		}
		qs = append(qs, types.MetricDataQuery{
			Id:    aws.String(queryID(i)),
			Label: aws.String(ref.Node.ID + " " + ref.Metric.Name + " " + ref.Stat),
			MetricStat: &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String(plan.Namespace), MetricName: aws.String(ref.Metric.Name), Dimensions: cd},
				Period: aws.Int32(period),
				Stat:   aws.String(ref.Stat),
			},
			ReturnData: aws.Bool(true),
		})
	}
	in := &awscw.GetMetricDataInput{
		StartTime:         aws.Time(b.Start),
		EndTime:           aws.Time(b.End),
		MetricDataQueries: qs,
		ScanBy:            types.ScanByTimestampAscending,
	}
	if c.MaxDatapointsPerPage > 0 {
		in.MaxDatapoints = aws.Int32(c.MaxDatapointsPerPage)
	}
	return in
}

// batchScope lists the distinct metrics and nodes of batch b, in plan order.
func batchScope(plan *Plan, b Batch) (metrics, nodes []string) {
	ms, ns := map[string]bool{}, map[string]bool{}
	for _, i := range b.Series {
		r := plan.Series[i]
		if !ms[r.Metric.Name] {
			ms[r.Metric.Name] = true
			metrics = append(metrics, r.Metric.Name)
		}
		if !ns[r.Node.ID] {
			ns[r.Node.ID] = true
			nodes = append(nodes, r.Node.ID)
		}
	}
	return metrics, nodes
}

// seriesError is the SeriesError of the result mr of the query for ref.
func seriesError(ref SeriesRef, mr types.MetricDataResult) *SeriesError {
	var msgs []string
	for _, m := range mr.Messages {
		msgs = append(msgs, aws.ToString(m.Code)+": "+aws.ToString(m.Value))
	}
	return &SeriesError{Ref: ref, Status: string(mr.StatusCode), Detail: strings.Join(msgs, "; ")}
}

// internalError returns the SeriesError of the first result of resp with status InternalError
// (a transient failure of that query, which runBatch retries), or nil. byID maps query ids to
// plan.Series; an unknown id is left to the caller.
func internalError(plan *Plan, byID map[string]int, resp *awscw.GetMetricDataOutput) *SeriesError {
	for _, mr := range resp.MetricDataResults {
		if i, ok := byID[aws.ToString(mr.Id)]; ok && mr.StatusCode == types.StatusCodeInternalError {
			return seriesError(plan.Series[i], mr)
		}
	}
	return nil
}

// maxPages guards against a server that never stops returning NextToken.
const maxPages = 10000

func (c *Collector) runBatch(ctx context.Context, plan *Plan, b Batch) (batchOut, error) {
	pol := c.Retry.withDefaults()
	sleep := c.Sleep
	if sleep == nil {
		sleep = wait.Sleep
	}
	jitter := c.Jitter
	if jitter == nil {
		jitter = rand.Float64
	}
	var opts []func(*awscw.Options)
	if !c.KeepSDKRetries {
		opts = append(opts, func(o *awscw.Options) { o.Retryer = aws.NopRetryer{} })
	}
	out := batchOut{points: map[int][]point{}}
	in := c.buildInput(plan, b)
	byID := make(map[string]int, len(b.Series))
	for _, i := range b.Series {
		byID[queryID(i)] = i
	}
	batchErr := func(err error, attempts int, throttled bool) error {
		be := &BatchError{Start: b.Start, End: b.End, Attempts: attempts, Throttled: throttled, Err: err}
		be.Metrics, be.Nodes = batchScope(plan, b)
		return be
	}
	for page := 0; page < maxPages; page++ {
		var resp *awscw.GetMetricDataOutput
		for attempt := 1; ; attempt++ {
			out.calls++
			r, err := c.API.GetMetricData(ctx, in, opts...)
			var internal *SeriesError
			if err == nil {
				// A query with status InternalError is to be retried ("Retry your request
				// using NextToken, if present": the same page again).
				if internal = internalError(plan, byID, r); internal == nil {
					resp = r
					break
				}
				err = internal
			}
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			if internal == nil && !Retryable(err) {
				return out, batchErr(err, attempt, false)
			}
			if attempt >= pol.MaxAttempts {
				if internal != nil {
					return out, internal
				}
				return out, batchErr(err, attempt, true)
			}
			d := pol.BaseDelay << min(attempt-1, 30)
			if d > pol.MaxDelay || d <= 0 {
				d = pol.MaxDelay
			}
			d = d/2 + time.Duration(jitter()*float64(d/2))
			if out.slept+d > pol.Budget {
				if internal != nil {
					return out, internal
				}
				return out, batchErr(fmt.Errorf("retry budget %v exhausted: %w", pol.Budget, err), attempt, true)
			}
			out.retries++
			out.slept += d
			if err := sleep(ctx, d); err != nil {
				return out, err
			}
		}
		out.pages++
		if len(resp.Messages) > 0 {
			// Notes about the whole request (e.g. "Maximum number of allowed metrics exceeded"): CloudWatch still
			// executed as much of it as it could, so they go with the data, naming what the request covered.
			ms, ns := batchScope(plan, b)
			for _, m := range resp.Messages {
				out.messages = append(out.messages, Message{Text: fmt.Sprintf("GetMetricData for metrics %s of nodes %s (%s..%s): %s %s",
					listShort(ms), listShort(ns), b.Start.Format(time.RFC3339), b.End.Format(time.RFC3339), aws.ToString(m.Code), aws.ToString(m.Value)),
					Nodes: ns, Request: true})
			}
		}
		for _, mr := range resp.MetricDataResults {
			id := aws.ToString(mr.Id)
			i, ok := byID[id]
			if !ok {
				return out, batchErr(fmt.Errorf("response has result id %q that was not requested", id), 1, false)
			}
			if mr.StatusCode == types.StatusCodeForbidden {
				return out, seriesError(plan.Series[i], mr)
			}
			if len(mr.Timestamps) != len(mr.Values) {
				return out, &SeriesError{Ref: plan.Series[i], Status: "Malformed",
					Detail: fmt.Sprintf("%d timestamps but %d values", len(mr.Timestamps), len(mr.Values))}
			}
			for j, t := range mr.Timestamps {
				out.points[i] = append(out.points[i], point{t: t.UnixNano(), v: mr.Values[j]})
			}
			for _, m := range mr.Messages {
				out.messages = append(out.messages, Message{Text: fmt.Sprintf("%s: %s %s", plan.Series[i], aws.ToString(m.Code), aws.ToString(m.Value)),
					Nodes: []string{plan.Series[i].Node.ID}})
			}
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			return out, nil
		}
		in.NextToken = resp.NextToken
	}
	return out, batchErr(fmt.Errorf("more than %d pages of NextToken", maxPages), 1, false)
}

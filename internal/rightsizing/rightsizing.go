// Package rightsizing composes the domain packages into the single-node
// recommendation: it discovers a deployment (inventory), collects its
// CloudWatch metrics at the API's lower bound (cloudwatch), prices it
// (pricing), and hands everything to the analysis engine (analysis).
//
// It imports no Terraform package; the provider's recommendation and fleet
// data sources are thin schemas over Recommend and RecommendFleet.
package rightsizing

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/events"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/replicascaling"
)

// Deps are the clients and catalogs a recommendation needs.
type Deps struct {
	RDS        inventory.RDSAPI
	CloudWatch cw.API
	// AutoScaling reads Aurora Auto Scaling; nil leaves it unchecked, with a
	// warning on each Aurora recommendation (inventory.AttachAutoScaling).
	AutoScaling replicascaling.API
	// Alarms lists CloudWatch alarms (cloudwatch:DescribeAlarms), for the alarms that watch the
	// reader a 2-node Aurora cluster's consolidation removes (an operations risk); nil leaves them
	// unchecked, without a warning.
	Alarms  cw.AlarmsAPI
	Catalog *pricing.Catalog
	// Region prices the deployment; it must be a catalog region.
	Region string
	// Now is CloudWatch's "now" for retention and the default end time;
	// nil means time.Now.
	Now func() time.Time
	// Concurrency of GetMetricData calls; 0 means the collector's default.
	Concurrency int
	// CloudWatchRetry is the collector's retry policy (zero fields: its defaults).
	CloudWatchRetry cw.RetryPolicy
}

// Stat is the CloudWatch statistic collected for every metric: the average
// over each period (1 minute when the window allows it).
const Stat = "Average"

// Request is one recommendation request.
type Request struct {
	InstanceID, ClusterID string
	// Lookback is the analysed window's length.
	Lookback time.Duration
	// End of the window; zero means Now truncated to the period.
	End time.Time
	// Period of the datapoints; zero picks the finest retained.
	Period time.Duration
	Policy analysis.Policy
	// TargetClasses restricts the single-node class options; empty means the
	// writer's class and every other size of its family that the catalog
	// prices for the engine.
	TargetClasses        []string
	SavingsTarget        analysis.SavingsTarget
	MigrationWindowHours int
	// Postgres adds facts read from PostgreSQL; nil when not collected.
	Postgres *analysis.PostgresFacts
	// AllowSingleNode analyses a deployment that already runs one node (a
	// Single-AZ instance, an Aurora cluster with only its writer) instead of
	// returning the "nothing to consolidate" error: the verdict then says
	// whether the single node still holds its load within the policy. Configurations that manage
	// the change with rightsize_db_topology set it so that the plan after
	// the change stays valid. Costs then compare the single node with the
	// 2-node form of the same class (the savings already realised).
	AllowSingleNode bool
	// SkipReport leaves the recommendation's report and charts and the
	// Infracost usage file empty (analysis.Assess), for callers that output
	// none of them: a fleet overview.
	SkipReport bool
	// PeakLookback, when longer than Lookback, reads the hourly CPU of the
	// days before the window, from End − PeakLookback (no earlier than
	// CloudWatch's 455 days) to the window's start, and compares its
	// busiest hour with the window's (analysis.EarlierPeak); 0 reads none.
	PeakLookback time.Duration
	// SkipRender leaves the recommendation's report and charts empty
	// (analysis.Assess) but makes the Infracost usage file: a recommendation
	// whose caller keeps its outputs small (the Terraform state).
	SkipRender bool
}

// Result is a recommendation with what it took to make it.
type Result struct {
	Cluster inventory.Cluster
	// Name names the deployment in its recommendation (the analysis's cluster name, which its
	// Traffic and messages carry) and in a fleet's phase order: its identifier, or
	// "instance:<id>" or "cluster:<id>" when a DB instance and a DB cluster of the fleet share
	// the identifier (FleetNames).
	Name           string
	Recommendation analysis.Recommendation
	// CurrentHourlyUSD is the current price used (0: unknown).
	CurrentHourlyUSD float64
	// PriceSources are where the prices used came from, each once, the current price's
	// first (a Multi-AZ instance's storage's with it), then the candidate classes': "catalog
	// <date>" (pricing.SourceCatalog and the price's date; "catalog <oldest> to <newest>" when
	// the prices used were dated differently) or "provider-configuration"
	// (pricing.SourceConfiguration), both when the provider configuration prices some classes,
	// deployments or storage and the catalog the others; last "extended-support-rates <YYYY-MM>"
	// when the prices include RDS Extended Support's rate. None when nothing is priced.
	PriceSources []string
	// PriceNote says how the prices were adjusted, if they were
	// (an Aurora I/O-Optimized cluster's).
	PriceNote string
	// InfracostUsageYAML is an Infracost usage file for the deployment's
	// resources, from measured usage.
	InfracostUsageYAML string
	// Period actually used and the GetMetricData calls made (Retries of them
	// were resent after throttling, a 5xx or a lost connection).
	Period       time.Duration
	RequestsMade int
	Retries      int
	LowerBound   int
	// Warnings are notes for the user about the recommendation, each shown as a Terraform
	// warning, in the order met.
	Warnings []Warning
	// AlreadySingleNode is true when the deployment already runs one node
	// (only with Request.AllowSingleNode).
	AlreadySingleNode bool
	// ReaderAlarms are the CloudWatch alarms that watch the reader a 2-node Aurora cluster's
	// consolidation removes (also a risk); ReaderAlarmsChecked is false when they were not listed
	// (Deps.Alarms nil, or the listing failed: a warning says so). Empty for other deployments.
	ReaderAlarms        []analysis.ReaderAlarm
	ReaderAlarmsChecked bool
}

// Warning is a note for the user about a recommendation: Title names the issue (a Terraform
// warning's summary, such as "Aurora Auto Scaling Not Checked"), Text says it in full.
type Warning struct {
	Title string
	Text  string
}

// WarningTexts returns the texts of r's warnings, in order.
func (r Result) WarningTexts() []string {
	out := make([]string, len(r.Warnings))
	for i, w := range r.Warnings {
		out[i] = w.Text
	}
	return out
}

// PriceSource says where r's prices came from, as the recommendation's price_source and its
// report state it: PriceSources joined by " and ", followed by PriceNote in parentheses when
// there is one; "" when nothing is priced.
func (r Result) PriceSource() string {
	if len(r.PriceSources) == 0 {
		return ""
	}
	src := strings.Join(r.PriceSources, " and ")
	if r.PriceNote != "" {
		src += " (" + r.PriceNote + ")"
	}
	return src
}

// extendedSupportSource is the Result.PriceSources kind of the RDS Extended Support rates the
// prices include (pricing.ExtendedSupportSource, data/extended-support-rates.csv), dated by the
// newest source quoting them (YYYY-MM).
const extendedSupportSource = "extended-support-rates"

// addPriceSource records, in sources (Result.PriceSources), a price of source kind (a pricing
// Source*) dated date ("" when it has none): a kind's entry is "<kind>", "<kind> <date>" or, when
// its prices' dates differ (the catalog's Aurora rows were taken on several days), "<kind>
// <oldest> to <newest>"; a new kind is appended.
func addPriceSource(sources []string, kind, date string) []string {
	for i, s := range sources {
		k, dates, _ := strings.Cut(s, " ")
		if k != kind {
			continue
		}
		oldest, newest, ok := strings.Cut(dates, " to ")
		if !ok {
			newest = oldest
		}
		if date != "" && (oldest == "" || date < oldest) {
			oldest = date
		}
		if date > newest {
			newest = date
		}
		sources[i] = strings.TrimSpace(kind + " " + oldest)
		if newest != oldest {
			sources[i] += " to " + newest
		}
		return sources
	}
	return append(sources, strings.TrimSpace(kind+" "+date))
}

// warn adds a warning titled title for each non-empty text.
func (r *Result) warn(title string, texts ...string) {
	for _, t := range texts {
		if t != "" {
			r.Warnings = append(r.Warnings, Warning{Title: title, Text: t})
		}
	}
}

// InputError is a problem with the request itself (an attribute to change).
type InputError struct {
	Field  string // request field / attribute name, e.g. "target_instance_classes"
	Reason string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Reason }

// Recommend analyses one deployment.
func Recommend(ctx context.Context, d Deps, req Request) (Result, error) {
	cl, err := inventory.Discover(ctx, d.RDS, req.InstanceID, req.ClusterID)
	if err != nil {
		return Result{}, err
	}
	if err := cl.CheckTwoNode(); err != nil {
		var ue *inventory.UnsupportedError
		if cl.GlobalSecondary {
			// No writer: one node or two, nothing to consolidate onto (nor to analyse as one node).
			return Result{}, err
		}
		if !req.AllowSingleNode && len(cl.Nodes) == 1 && errors.As(err, &ue) {
			// Most often one node because rightsize_db_topology made it so: the recommendation
			// that gated that change then fails every later plan unless told to go on.
			hinted := *ue
			hinted.Reason += "; set allow_single_node = true to go on analysing it as one node (as after rightsize_db_topology has removed its second node)"
			return Result{}, &hinted
		}
		if !req.AllowSingleNode || len(cl.Nodes) != 1 {
			return Result{}, err
		}
	}
	rs, err := RecommendFleet(ctx, d, []inventory.Cluster{cl}, req)
	if err != nil {
		return Result{}, err
	}
	return rs[0], nil
}

// RecommendFleet analyses several discovered 2-node deployments with one
// CloudWatch collection across all their nodes, so the number of
// GetMetricData calls is the lower bound for the whole fleet. The Request's
// identifiers are ignored; its other fields apply to every deployment.
// RequestsMade, Retries and LowerBound of every Result are the fleet's totals.
// Each Result is named by FleetNames: a DB instance and a DB cluster with the
// same identifier are both analysed, as "instance:<id>" and "cluster:<id>".
func RecommendFleet(ctx context.Context, d Deps, clusters []inventory.Cluster, req Request) ([]Result, error) {
	if d.Catalog == nil {
		return nil, errors.New("no price catalog configured. Please report this issue to the provider developers")
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	if req.Lookback <= 0 {
		return nil, &InputError{Field: "lookback_days", Reason: "must be positive"}
	}
	nowT := now().UTC()
	period, err := cw.ChoosePeriod(endOrNow(req.End, nowT).Add(-req.Lookback), nowT, req.Period)
	if err != nil {
		return nil, windowError(err, req)
	}
	end := req.End
	if end.IsZero() {
		end = nowT.Truncate(period)
	}
	if end.After(nowT) {
		return nil, &InputError{Field: "end_time", Reason: fmt.Sprintf("%s is in the future (CloudWatch's clock says %s)", end.Format(time.RFC3339), nowT.Format(time.RFC3339))}
	}
	start := end.Add(-req.Lookback)
	if over := nowT.Sub(start) - cw.MaxLookback; over > 0 && over < period {
		// The end, rounded down to the period, took the start past CloudWatch's retention by less
		// than a period: start at its edge (NewPlan starts at the next whole period).
		start = nowT.Add(-cw.MaxLookback)
	}

	// A single-node Aurora cluster's reader removed inside the window is read as before, and so is
	// one removed in the days before it that the earlier read covers (removed_reader.go).
	var earlierFrom time.Time
	if req.PeakLookback > req.Lookback {
		earlierFrom = earlierStart(end.Add(-req.PeakLookback), nowT)
	}
	gone := windowReaders(ctx, d.RDS, clusters, start, earlierFrom)
	sourced := make([]inventory.Cluster, len(clusters))
	for i, c := range clusters {
		sourced[i] = withReader(c, gone[i].node)
	}
	var nodes []cw.Node
	for _, c := range sourced {
		nodes = append(nodes, metricSources(c)...)
	}
	if len(nodes) == 0 {
		return nil, errors.New("no nodes to analyse")
	}
	// Every series is read with Stat except the readers' counts of Aurora clusters
	// read by role, which have their own statistic (readerCountSource).
	plan, err := cw.NewPlan(cw.Request{Nodes: nodes, Stats: []string{Stat},
		Start: start, End: end, Period: req.Period, Now: nowT})
	if err != nil {
		if errors.Is(err, cw.ErrRetention) || errors.Is(err, cw.ErrPeriod) {
			return nil, windowError(err, req)
		}
		return nil, fmt.Errorf("planning the CloudWatch queries: %w", err)
	}
	clusters = slices.Clone(clusters)
	inventory.AttachEndpoints(ctx, d.RDS, clusters)
	inventory.AttachAutoScaling(ctx, d.AutoScaling, clusters)
	inventory.AttachBlueGreen(ctx, d.RDS, clusters)
	inventory.AttachReservations(ctx, d.RDS, clusters)
	inventory.AttachMaintenance(ctx, d.RDS, clusters)
	inventory.AttachEvents(ctx, d.RDS, clusters, nowT)
	inventory.AttachSupportDates(ctx, d.RDS, clusters, nowT)
	inventory.AttachParameterGroups(ctx, d.RDS, clusters)
	inventory.AttachLatestSnapshots(ctx, d.RDS, clusters)
	alarms := readerAlarmsOf(ctx, d.Alarms, clusters)
	col := &cw.Collector{API: d.CloudWatch, Concurrency: d.Concurrency, Retry: d.CloudWatchRetry}
	out := make([]Result, 0, len(clusters))
	names := FleetNames(clusters)
	calls, retries := 0, 0
	// The fleet is read and analysed chunk by chunk (fleetChunks), so that only one chunk's
	// datapoints are held at a time; each chunk's requests are at its own lower bound.
	for _, chunk := range fleetChunks(sourced, plan) {
		var chunkNodes []cw.Node
		for _, i := range chunk {
			chunkNodes = append(chunkNodes, metricSources(sourced[i])...)
		}
		cp, err := cw.NewPlan(cw.Request{Nodes: chunkNodes, Stats: []string{Stat},
			Start: start, End: end, Period: plan.Period, Now: nowT})
		if err != nil {
			return nil, fmt.Errorf("planning the CloudWatch queries: %w", err)
		}
		got, err := col.Collect(ctx, cp)
		if err != nil {
			return nil, fmt.Errorf("collecting CloudWatch metrics: %w", err)
		}
		calls, retries = calls+got.Calls, retries+got.Retries
		var earlier *cw.Result
		if !earlierFrom.IsZero() {
			cs := make([]inventory.Cluster, 0, len(chunk))
			for _, i := range chunk {
				cs = append(cs, withReader(sourced[i], gone[i].earlier))
			}
			if earlier, err = collectEarlier(ctx, col, cs, earlierFrom, start, nowT); err != nil {
				return nil, fmt.Errorf("collecting the CloudWatch CPU before the window (peak_lookback_days): %w", err)
			}
			if earlier != nil {
				calls, retries = calls+earlier.Calls, retries+earlier.Retries
			}
		}
		for _, i := range chunk {
			c := clusters[i]
			r, err := recommendOne(d, c, gone[i], alarms[i], names[i], req, got, earlier, nowT)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", names[i], err)
			}
			r.Period = plan.Period
			r.LowerBound = plan.LowerBound
			if plan.Coarsened {
				// One warning says why the period is coarser and what that costs: plan.Warnings
				// (of the averages' peaks, all it holds) would say the second half again.
				r.warn("Coarser Period Forced by Retention", fmt.Sprintf("%s (a lookback of %s ending %s), "+
					"so the datapoints are %d-second averages: spikes shorter than that are averaged away, so p99 and max understate 1-minute peaks "+
					"(a window starting within the last 15 days, lookback_days 14 or less with end_time near now, gets 1-minute data)",
					cw.CoarsenedReason(plan.Start, plan.Period), lookbackText(req.Lookback), plan.End.UTC().Format(time.RFC3339), int(plan.Period/time.Second)))
			} else {
				r.warn("Peaks Averaged Over the Period", plan.Warnings...)
			}
			r.warn("Pinned Window Changes When Datapoints Expire", pinnedPeriodWarning(req, start, plan.Period))
			// Only the messages about this deployment's nodes: the chunk's other deployments
			// were read in the same requests, and a message about one of their series is not
			// about this one's data.
			for _, m := range got.MessagesOf(sourceIDs(metricSources(sourced[i]))...) {
				r.warn("CloudWatch Data May Be Partial", partialDataWarning("", m))
			}
			if earlier != nil {
				for _, m := range earlier.MessagesOf(sourceIDs(metricSourcesOf(withReader(sourced[i], gone[i].earlier), cpuOnly))...) {
					r.warn("CloudWatch Data May Be Partial", partialDataWarning("the read of the CPU before the window (peak_lookback_days, earlier_peak) ", m))
				}
			}
			out = append(out, r)
		}
	}
	// The chunks are consecutive: the results are in the clusters' order. The request counts are
	// the fleet's.
	for i := range out {
		out[i].RequestsMade, out[i].Retries = calls, retries
	}
	return out, nil
}

// sourceIDs are the IDs of nodes, CloudWatch sources as metricSources returns them.
func sourceIDs(nodes []cw.Node) []string {
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	return ids
}

// partialDataWarning is the warning of m, a message CloudWatch answered read (the window's when
// empty, else ending in a space) with, given to a deployment m concerns (cw.Result.MessagesOf):
// a message about one series names it; one about a whole request goes to every deployment the
// request read, and says so, since CloudWatch does not say which of them it concerns.
func partialDataWarning(read string, m cw.Message) string {
	what := "with a message (its data may be partial)"
	if m.Request {
		what = "with a message about a whole request, not one series (the data of any node it read, this deployment's among them, may be partial)"
	}
	return "CloudWatch answered " + read + what + ": " + m.Text
}

// fleetChunkDatapoints bounds the datapoints a fleet read holds at once (fleetChunks): 100 full
// GetMetricData responses, about 80 MB of values (twice that at the peak of a chunk's analysis).
var fleetChunkDatapoints = 100 * 100_800

// fleetChunks splits clusters (by index, in order) into chunks whose series hold at most
// fleetChunkDatapoints datapoints of plan (the whole fleet's), a deployment whole in one chunk
// (alone when it holds more). Reading chunk by chunk keeps memory flat whatever the fleet's size
// (300 deployments at 1-minute resolution over 14 days hold 1.4 GB at once); each chunk's
// requests are at its own lower bound, so the fleet's reads exceed plan.LowerBound by at most one
// request per chunk after the first.
func fleetChunks(clusters []inventory.Cluster, plan *cw.Plan) [][]int {
	perNode := map[string]int{}
	for _, ref := range plan.Series {
		perNode[ref.Node.ID] += plan.PointsPerSeries
	}
	var chunks [][]int
	var cur []int
	held := 0
	for i, c := range clusters {
		n := 0
		for _, node := range metricSources(c) {
			n += perNode[node.ID]
		}
		if len(cur) > 0 && held+n > fleetChunkDatapoints {
			chunks, cur, held = append(chunks, cur), nil, 0
		}
		cur, held = append(cur, i), held+n
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks
}

// FleetNames names each deployment of clusters, in order, for its recommendation and a fleet's
// phase order: by its identifier, unless a DB instance and a DB cluster of clusters share it
// (compared without regard to case). RDS keeps DB instance identifiers and DB cluster identifiers
// in separate namespaces, so a Multi-AZ instance and an Aurora cluster may have the same one, as
// during a migration from RDS to Aurora through an Aurora read replica; those two are named
// "instance:<id>" and "cluster:<id>", the form of rightsize_db_topology's ids. The names of a
// fleet without such a pair are its identifiers.
func FleetNames(clusters []inventory.Cluster) []string {
	instance := func(c inventory.Cluster) bool { return c.Kind == inventory.KindMultiAZ }
	instances, others := map[string]bool{}, map[string]bool{}
	for _, c := range clusters {
		if instance(c) {
			instances[strings.ToLower(c.Identifier)] = true
		} else {
			others[strings.ToLower(c.Identifier)] = true
		}
	}
	out := make([]string, len(clusters))
	for i, c := range clusters {
		id := strings.ToLower(c.Identifier)
		switch {
		case !instances[id] || !others[id]:
			out[i] = c.Identifier
		case instance(c):
			out[i] = "instance:" + c.Identifier
		default:
			out[i] = "cluster:" + c.Identifier
		}
	}
	return out
}

// windowError maps a CloudWatch planning error to the input it is about: the requested period
// (cw.ErrPeriod) or the window: lookback_days, or end_time when one is given (the window is
// lookback_days before it).
func windowError(err error, req Request) error {
	if errors.Is(err, cw.ErrPeriod) {
		return &InputError{Field: "period_seconds", Reason: err.Error()}
	}
	if !req.End.IsZero() {
		// The window is lookback_days before end_time: an end_time long past moves it out of
		// retention as much as a long lookback does.
		return &InputError{Field: "end_time", Reason: fmt.Sprintf("%v: the window is lookback_days (%s days) before end_time %s; move end_time later or shorten lookback_days",
			err, strconv.FormatFloat(req.Lookback.Hours()/24, 'f', -1, 64), req.End.UTC().Format(time.RFC3339))}
	}
	return &InputError{Field: "lookback_days", Reason: err.Error()}
}

// MetricsOf lists the CloudWatch metrics collected by default for each node
// of c (here and, per instance, by rightsize_utilization): cw.DefaultMetrics, with
// AuroraReplicaLag in place of ReplicaLag and FreeLocalStorage in place of
// FreeStorageSpace on Aurora (cw.AuroraMetrics), so that an Aurora reader's
// replication lag and every Aurora node's local storage are measured
// (analysis reads either lag). Every node has as many metrics either way.
// The recommendation reads a 2-node Aurora cluster's by role
// (DBClusterIdentifier and Role) where CloudWatch publishes them so
// (roles.go); rightsize_utilization reads every node's per instance.
func MetricsOf(c inventory.Cluster) []cw.Metric {
	if c.Kind == inventory.KindAurora {
		return cw.AuroraMetrics
	}
	return cw.DefaultMetrics
}

// classChangeStart is when the analysis of c starts if one of its instances changed class inside
// the window of plan (the latest such change, c.ClassChanges): CloudWatch measured CPUUtilization
// in percent of the instance's vCPUs, and FreeableMemory of its RAM, as they were at the time, so
// the history before the change is not the load of today's class (an upsize a few days ago makes
// every earlier hour look twice as busy). The window then starts at the change, and the warning
// says so; zero time and "" when no class changed in it. RDS keeps events for 14 days: a change
// before that is not seen.
func classChangeStart(c inventory.Cluster, plan *cw.Plan, pinned bool) (time.Time, string) {
	if plan == nil {
		return time.Time{}, ""
	}
	last, ok := latestClassChange(c, plan.Start, plan.End)
	if !ok {
		return time.Time{}, ""
	}
	days := func(d time.Duration) string { return strconv.FormatFloat(d.Hours()/24, 'f', 1, 64) }
	aged := ""
	if pinned {
		// The event is what trims the window: once RDS no longer returns it, the same window is
		// analysed whole again, on the old class's history.
		keep := "move end_time to at least a day after the change, with a lookback that starts after it, to keep a result"
		if n := int(plan.End.Sub(last.Time).Hours() / 24); n >= 1 {
			keep = fmt.Sprintf("pin a window that starts after the change (lookback_days %d or less) to keep this result", n)
		}
		aged = fmt.Sprintf(". end_time pins this window, but RDS keeps the event 14 days: from %s UTC a plan no longer sees the change and "+
			"analyses the whole window again; %s", last.Time.Add(events.Retention).UTC().Format("2006-01-02 15:04"), keep)
	}
	return last.Time, fmt.Sprintf("%s's instance class changed at %s (RDS: %q): CloudWatch measured CPU and memory before it on the old class, "+
		"so the analysis starts then and covers %s of the %s days asked for. A verdict needs the policy's minimum lookback on today's classes: "+
		"plan again when the change is that old (or set end_time and lookback_days to a window after it)%s",
		last.Source, last.Time.UTC().Format(time.RFC3339), last.Message, days(plan.End.Sub(last.Time)), days(plan.End.Sub(plan.Start)), aged)
}

// latestClassChange is the latest of c's instance class changes (c.ClassChanges, the 14 days
// RDS keeps events for) strictly between from and to; ok is false when there is none.
func latestClassChange(c inventory.Cluster, from, to time.Time) (last analysis.Event, ok bool) {
	for _, e := range c.ClassChanges {
		if e.Time.After(from) && e.Time.Before(to) && e.Time.After(last.Time) {
			last = e
		}
	}
	return last, !last.Time.IsZero()
}

// seriesFrom is s from the first period of its grid at or after at: the points before at are left
// out and Start moves there (at least one period before End), so that coverage and lookback are
// those of the shorter window.
func seriesFrom(s analysis.Series, at time.Time) analysis.Series {
	if s.Period <= 0 || !at.After(s.Start) {
		return s
	}
	k := (at.Sub(s.Start) + s.Period - 1) / s.Period
	start := s.Start.Add(k * s.Period)
	if !start.Before(s.End) {
		start = s.End.Add(-s.Period)
	}
	i, _ := slices.BinarySearchFunc(s.Timestamps, start, func(t, target time.Time) int { return t.Compare(target) })
	s.Start, s.Timestamps, s.Values = start, s.Timestamps[i:], s.Values[i:]
	return s
}

// pinnedPeriodWarning warns when end_time pins the window (req.End) but the period is chosen
// from its age (req.Period zero) and CloudWatch will stop keeping datapoints of that period for
// the window's start: from then on the same window is read at a coarser period and its figures
// and rollback alarms change. Empty when nothing will change.
func pinnedPeriodWarning(req Request, start time.Time, period time.Duration) string {
	return PinnedPeriodWarning(req.End, req.Period, start, period, "its figures and rollback alarms")
}

// PinnedPeriodWarning is the warning "Pinned Window Changes When Datapoints Expire" for a window
// starting at start, read at period: when end pins it (non-zero) but the period was chosen from
// its age (requested zero), CloudWatch will stop keeping datapoints of that period for its start,
// and from then on the same window is read at a coarser period and what (such as "its figures")
// changes. It gives the date, and the period_seconds that keeps the window reproducible, and until
// when. Empty when nothing will change.
func PinnedPeriodWarning(end time.Time, requested time.Duration, start time.Time, period time.Duration, what string) string {
	if end.IsZero() || requested != 0 {
		return ""
	}
	for i, t := range cw.Retention[:len(cw.Retention)-1] {
		if t.Period != period {
			continue
		}
		// CloudWatch serves a period for a window whose start, rounded down to the period, is
		// within that period's retention (cw.ChoosePeriod).
		next := cw.Retention[i+1]
		return fmt.Sprintf("end_time pins this window, but CloudWatch keeps its %d-second datapoints for %.0f days: from %s UTC the same window is read in %d-second periods and %s change. "+
			"Set period_seconds = %d to keep them reproducible until %s UTC (after that a plan with that period fails, saying so: move end_time forward to analyse recent load)",
			int(period/time.Second), t.Age.Hours()/24, start.UTC().Truncate(period).Add(t.Age).Format("2006-01-02 15:04"), int(next.Period/time.Second), what,
			int(next.Period.Seconds()), start.UTC().Truncate(next.Period).Add(next.Age).Format("2006-01-02 15:04"))
	}
	return ""
}

// lookbackText says a lookback as the user gives it, in days (lookback_days): "28 days", "1 day",
// with the hours of a part day ("1 day 12 hours", "6 hours"), never Go's "672h0m0s".
func lookbackText(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	days, rest := int64(d/(24*time.Hour)), d%(24*time.Hour)
	var parts []string
	if days > 0 {
		parts = append(parts, plural(days, "day"))
	}
	if rest > 0 {
		if rest%time.Hour == 0 {
			parts = append(parts, plural(int64(rest/time.Hour), "hour"))
		} else {
			parts = append(parts, strconv.FormatFloat(rest.Hours(), 'f', -1, 64)+" hours")
		}
	}
	if len(parts) == 0 {
		return "0 days"
	}
	return strings.Join(parts, " ")
}

// AnalysisTopology is the topology c is analysed as, and its Aurora cluster identifier ("" for an
// RDS instance): a deployment of one node (a Single-AZ instance, an Aurora cluster of its writer
// alone, as rightsize_db_topology leaves them) is a writer without a standby, its own load the
// projection, still on Aurora's terms when it is an Aurora cluster (analysis.ClusterInput's
// AuroraClusterID); otherwise Multi-AZ or Aurora as it is.
func AnalysisTopology(c inventory.Cluster) (analysis.Topology, string) {
	aurora := ""
	if c.Kind == inventory.KindAurora {
		aurora = c.Identifier
	}
	if c.Kind == inventory.KindAurora && len(c.Nodes) > 1 {
		return analysis.TopologyAurora, aurora
	}
	return analysis.TopologyMultiAZ, aurora
}

func endOrNow(end, now time.Time) time.Time {
	if end.IsZero() {
		return now
	}
	return end
}

// recommendOne analyses c, named name (FleetNames), from the collection got, with the reader
// gone (removedReaderOf) that c had in the window, if any; now is when c's events were listed
// (inventory.AttachEvents).
func recommendOne(d Deps, c inventory.Cluster, gone removedReader, alarms readerAlarms, name string, req Request, got, earlier *cw.Result, now time.Time) (Result, error) {
	writer, ok := c.Writer()
	if !ok {
		return Result{}, fmt.Errorf("no writer instance")
	}
	engine, err := pricing.EngineFromRDS(c.Engine)
	if err != nil {
		return Result{}, err
	}
	in := analysis.ClusterInput{
		Name:                 name,
		Postgres:             req.Postgres,
		SavingsTarget:        req.SavingsTarget,
		MigrationWindowHours: req.MigrationWindowHours,
		HDD:                  c.StorageType == "standard",
		AllocatedStorageGiB:  int(c.AllocatedStorageGiB),
		ReadReplicas:         c.ReadReplicas,
		GlobalCluster:        c.GlobalCluster,
		ReplicaSource:        c.ReplicaSource,
		// An Aurora cluster keeps 1 to 35 days: never off there.
		AutomatedBackupsOff: c.Kind == inventory.KindMultiAZ && c.BackupRetentionDays == 0,
	}
	in.StoppedStatus, in.Stopped = c.Stopped()
	if c.Kind == inventory.KindMultiAZ && c.AllocatedStorageGiB > 0 {
		in.MaxAllocatedStorageGiB = int(c.MaxAllocatedStorageGiB) // autoscaling's limit, 0 when off
	}
	if p := c.PendingBackupRetentionDays; p != nil {
		in.PendingBackupRetentionDays = int(*p)
		// A retention of 0 pending: automated backups go off at the next maintenance window.
		in.AutomatedBackupsOffPending = c.Kind == inventory.KindMultiAZ && *p == 0 && c.BackupRetentionDays > 0
	}
	// Listed only for an instance without automated backups (inventory.AttachLatestSnapshots).
	in.SnapshotsListed, in.LatestSnapshot = c.SnapshotsListed, c.LatestSnapshot
	if c.SnapshotsListed {
		in.SnapshotsListedAt = now // listed with the fleet's other reads, at its "now"
	}
	// Surplus CPU credits of burstable classes; 0 (unpriced) where the catalog has no price.
	in.CPUCreditUSDPerVCPUHour, _ = pricing.CPUCreditUSDPerVCPUHour(engine, d.Region)
	// read is c as metricSources read it: with the reader it had in the window, if any. mc is c
	// as analysed: with that reader only when it reported in the window, whose load the analysis
	// then counts as the 2-node cluster's; its nodes' series are read's either way.
	read := withReader(c, gone.node)
	// eread is c as the earlier read read it: with the reader it had before the window instead,
	// if any (removedReader.earlier; never both).
	eread := withReader(read, gone.earlier)
	mc := read
	if gone.node != nil && !readersReported(read, got) {
		mc.Nodes = read.Nodes[:len(c.Nodes)]
		gone.warns = nil
	}
	in.Topology, in.AuroraClusterID = AnalysisTopology(mc)
	res := Result{Cluster: c, Name: name, AlreadySingleNode: len(c.Nodes) == 1}
	in.AlreadySingleNode = res.AlreadySingleNode // the report then words the change as made
	in.Postgres, res.Warnings = withGroupSettings(req.Postgres, c, name)
	res.Warnings = append(res.Warnings, gone.warns...)
	if c.SnapshotsUnread != "" {
		res.warn("Snapshots Not Listed", snapshotsUnreadWarning(c, name))
	}
	if in.Topology == analysis.TopologyAurora {
		in.ProxyReaderEndpoints = c.ProxyReaderEndpoints
		if c.EndpointsUnread != "" {
			res.warn("Custom Endpoints Not Checked", "custom endpoints not checked: "+c.EndpointsUnread)
		}
		if c.ProxiesUnread != "" {
			res.warn("RDS Proxy Endpoints Not Checked", "RDS Proxy endpoints not checked: "+c.ProxiesUnread)
		}
		res.Warnings = append(res.Warnings, setAuroraRouting(&in, c)...)
		if c.AutoScalingUnread != "" {
			res.warn("Aurora Auto Scaling Not Checked", "Aurora Auto Scaling not checked: "+c.AutoScalingUnread)
		}
		in.ReaderAlarms = alarms.alarms
		in.ReaderParameters = c.ReaderParameters
		res.warn("Reader Parameters Not Compared", readerParametersUnread(c, name))
		res.ReaderAlarms = alarms.alarms
		if alarms.unread != "" {
			// The same text for every cluster of a fleet (one listing failed for all), so that the
			// fleet shows it once, naming them (addFleetWarnings), not once per cluster.
			res.warn("CloudWatch Alarms Not Checked", "CloudWatch alarms on the Aurora reader the consolidation removes "+
				"(which receive no data once it is gone) not checked: "+alarms.unread)
		}
	}
	if !res.AlreadySingleNode {
		in.BlueGreenDeployments = c.BlueGreenDeployments
		if c.BlueGreenUnread != "" {
			res.warn("Blue/Green Deployments Not Checked", "blue/green deployments not checked: "+c.BlueGreenUnread)
		}
		in.Reservations = c.Reservations
		if c.ReservationsUnread != "" {
			res.warn("Reserved DB Instances Not Checked", "reserved DB instances not checked (the savings assume on-demand prices): "+c.ReservationsUnread)
		}
	}
	for _, g := range c.GreenOf {
		res.warn("Database Is a Blue/Green Copy", "the database is "+g.DescribeGreen()+"; its metrics cover only its time as a copy")
	}
	res.ReaderAlarmsChecked = d.Alarms != nil && alarms.unread == ""
	res.warn("Database Stopped", stoppedWarning(c, name))
	if why, ok := c.Deleting(); ok {
		res.warn("Database Being Deleted", name+": "+why+"; the recommendation measures and prices the deployment as it ran before.")
	}
	res.warn(LateMetricsTitle, lateMetricsWarnings(c, got)...)
	res.warn(WindowBeforeCreationTitle, windowBeforeCreation(c, name, got))
	res.Warnings = append(res.Warnings, pendingWarnings(c, name)...)
	res.Warnings = append(res.Warnings, setWindowsAndEvents(&in, c)...)
	for _, n := range mc.Nodes {
		class, err := NodeClass(d.Catalog, c, n.Class)
		if err != nil {
			return Result{}, &InputError{Field: "instance class", Reason: err.Error()}
		}
		node := analysis.Node{ID: n.ID, Role: analysis.Role(n.Role), Class: capacityOn(class, &c), AvailabilityZone: n.AvailabilityZone}
		if !n.Virtual {
			node.Series = nodeSeries(read, n, got)
			if s, ok := earlierCPU(eread, n, earlier); ok {
				if in.Earlier == nil {
					in.Earlier = map[string]analysis.Series{}
				}
				in.Earlier[n.ID] = s
			}
		}
		in.Nodes = append(in.Nodes, node)
	}
	// The reader c had before the window, which the earlier peak counts as a reader (its CPU read
	// with the writer's, by role, removedReader.earlier), though the window's analysis does not.
	if r := gone.earlier; r != nil {
		if s, ok := earlierReaderCPU(eread, *r, earlier); ok {
			class, err := NodeClass(d.Catalog, c, r.Class)
			if err != nil {
				return Result{}, &InputError{Field: "instance class", Reason: err.Error()} // as a node's (and the 2-node form's price)
			}
			if in.Earlier == nil {
				in.Earlier = map[string]analysis.Series{}
			}
			in.Earlier[r.ID] = s
			in.EarlierReaders = append(in.EarlierReaders, analysis.Node{ID: r.ID, Role: analysis.RoleReader, Class: capacityOn(class, &c), AvailabilityZone: r.AvailabilityZone})
		}
	}
	if e, ok := earlierClassChange(c, earlier, got.Plan.End); ok && in.Earlier != nil {
		for id, s := range in.Earlier {
			if s, ok := earlierAfter(s, e.Time); ok {
				in.Earlier[id] = s
			} else {
				delete(in.Earlier, id)
			}
		}
		res.warn("Earlier Peak Measured on Another Class", earlierClassChangeWarning(e, len(in.Earlier) > 0))
	}
	if r := gone.earlier; r != nil && in.Earlier != nil {
		if _, ok := in.Earlier[r.ID]; ok {
			res.Warnings = append(res.Warnings, gone.earlierWarn)
		}
	}
	analysed := got.Plan // the window analysed: from the latest class change inside it, if any
	if at, w := classChangeStart(c, got.Plan, !req.End.IsZero()); w != "" {
		for i := range in.Nodes {
			for j, s := range in.Nodes[i].Series {
				in.Nodes[i].Series[j] = seriesFrom(s, at)
			}
		}
		res.warn("Instance Class Changed in the Window", w)
		trimmed := *got.Plan
		trimmed.Start = at
		analysed = &trimmed
	}
	res.warn("Failover May Have Swapped the Roles", roleFailoverWarning(mc, analysed, now))

	// Every price comes from the catalog through price. The catalog's Aurora prices are Aurora
	// Standard's: an Aurora I/O-Optimized cluster's instances cost more, the configuration's
	// aurora_io_optimized price or the Aurora Standard one × 1.3 (pricing.AuroraIOOptimizedPrice).
	ioOptimized := c.Kind == inventory.KindAurora && c.StorageType == pricing.StorageAuroraIOOptimized
	price := func(class string, dep pricing.Deployment) (pricing.Price, error) {
		if ioOptimized {
			return d.Catalog.AuroraIOOptimizedPrice(class, dep, d.Region)
		}
		return d.Catalog.Price(class, engine, dep, d.Region)
	}
	// scaled and given record whether the I/O-Optimized prices used were derived from Aurora
	// Standard's (and whether from a configured one) or given as such, for Result.PriceNote.
	var scaled, scaledConfigured, given bool
	// used records where a price the recommendation uses came from (Result.PriceSources).
	used := func(ps ...pricing.Price) {
		for _, p := range ps {
			scaled = scaled || p.Scaled
			scaledConfigured = scaledConfigured || p.Scaled && p.Source == pricing.SourceConfiguration
			given = given || ioOptimized && !p.Scaled
			res.PriceSources = addPriceSource(res.PriceSources, p.Source, p.SourceDate) // a configured price has no date
		}
	}

	// Current price: the 2-node deployment — Multi-AZ as billed (primary +
	// standby), Aurora the sum of its instances. A deployment already on one
	// node is priced as its 2-node form (Multi-AZ; an Aurora cluster's writer
	// and the reader rightsize_db_topology removed, as its guard snapshot
	// records it, else its writer's class twice), so the savings reported are
	// those the single node realises.
	var priceNotes []string
	// billed are the instances the current price is for, each billed RDS Extended Support on its vCPUs.
	var billed []inventory.Node
	switch c.Kind {
	case inventory.KindMultiAZ:
		billed = []inventory.Node{writer, writer} // the primary and its standby, as RDS bills Multi-AZ
		p, err := price(writer.Class, pricing.MultiAZ)
		if err != nil {
			res.warn("Current Price Unknown", "current price unknown: "+err.Error())
		} else {
			in.CurrentHourlyUSD = p.HourlyUSD
			used(p)
		}
		var unpriced []storagePart
		var storageSources []string
		in.CurrentStorageMonthlyUSD, in.SingleNodeStorageMonthlyUSD, unpriced, storageSources = storageCost(d.Catalog, c, d.Region)
		if err == nil { // the costs, which include the storage, are priced: say where its prices came from too
			for _, src := range storageSources {
				kind, date, _ := strings.Cut(src, " ")
				res.PriceSources = addPriceSource(res.PriceSources, kind, date)
			}
		}
		if note := storageNote(unpriced, d.Region); note != "" && !res.AlreadySingleNode {
			res.warn("Storage Costs Left Out of the Savings", note)
		}
	case inventory.KindAurora:
		priced := c.Nodes
		if res.AlreadySingleNode {
			reader := writer
			if gone.lastClass != "" {
				reader.Class = gone.lastClass
			}
			priced = []inventory.Node{writer, reader}
		}
		billed = priced
		var ps []pricing.Price
		for _, n := range priced {
			p, err := price(n.Class, pricing.SingleAZ)
			if err != nil {
				res.warn("Current Price Unknown", "current price unknown: "+err.Error())
				in.CurrentHourlyUSD, ps = 0, nil
				break
			}
			in.CurrentHourlyUSD += p.HourlyUSD
			ps = append(ps, p)
		}
		used(ps...)
	}
	// RDS Extended Support, billed per vCPU-hour of every instance on top of its price, judged
	// now like the catalog's prices: the costs are today's, whatever window was read.
	es, onES := extendedSupport(engine, c, d.Region, now)
	esRate := 0.0
	if onES && es.Priced {
		esRate = es.USDPerVCPUHour
	}
	in.ExtendedSupportUSDPerVCPUHour = esRate // in the prices below; reservations do not cover it
	vcpus, err := billedVCPUs(d.Catalog, billed)
	if err != nil {
		return Result{}, &InputError{Field: "instance class", Reason: err.Error()}
	}
	if in.CurrentHourlyUSD > 0 {
		in.CurrentHourlyUSD += float64(float64(vcpus) * esRate)
	}
	if onES {
		res.warn("RDS Extended Support Charged", extendedSupportWarning(c, name, es, vcpus, in.CurrentHourlyUSD > 0))
	} else {
		res.warn("RDS Extended Support Ahead", extendedSupportAheadWarning(engine, c, name, d.Region, now, vcpus))
	}
	if c.SupportDatesUnread != "" {
		res.warn("Engine Support Dates Not Read", supportDatesUnreadWarning(c, name))
	}
	res.CurrentHourlyUSD = in.CurrentHourlyUSD

	// One node: RDS Single-AZ, or one Aurora instance (the catalog's Aurora single-az price), plus
	// the Extended Support of its class's vCPUs.
	single := pricing.SingleAZ
	targets := req.TargetClasses
	if len(targets) == 0 {
		targets = familyClasses(d.Catalog, writer.Class)
	}
	var unpriced []string // classes of the default list left out for want of a price
	for _, name := range targets {
		class, err := d.Catalog.Class(name)
		if err != nil {
			return Result{}, &InputError{Field: "target_instance_classes", Reason: err.Error()}
		}
		if c.Kind == inventory.KindAurora && len(req.TargetClasses) > 0 && !class.AuroraSupported {
			reason := fmt.Sprintf("%s is not an Aurora PostgreSQL class (Aurora PostgreSQL offers the db.r5, db.r6g, db.r6i and db.r7g sizes and db.t3/db.t4g medium and large, "+
				"and the classes the provider's instance_classes describe with aurora = true): choose one of those for %s", name, c.Identifier)
			if d.Catalog.Custom(name) {
				reason = fmt.Sprintf("%s is described by the provider's instance_classes with aurora = false, as a class Aurora PostgreSQL does not offer: "+
					"if it does, set aurora = true there (and hourly_usd.aurora, its price, for the savings); else choose another class for %s", name, c.Identifier)
			}
			return Result{}, &InputError{Field: "target_instance_classes", Reason: reason}
		}
		cand := analysis.Candidate{Class: capacityOn(class, &c)}
		if p, err := price(name, single); err == nil {
			cand.SingleNodeHourlyUSD = p.HourlyUSD + float64(float64(class.VCPU)*esRate)
			used(p)
		} else if len(req.TargetClasses) > 0 {
			priceNotes = append(priceNotes, err.Error())
		} else {
			if c.Kind != inventory.KindAurora || class.AuroraSupported { // not a class Aurora offers: no option
				unpriced = append(unpriced, name)
			}
			continue // the default list keeps only priced classes
		}
		in.Candidates = append(in.Candidates, cand)
	}
	// Nothing priced at all (the current price's warning says why, a region the catalog does not
	// price, say) needs no list of what went unpriced.
	if len(unpriced) > 0 && (len(in.Candidates) > 0 || in.CurrentHourlyUSD > 0) {
		res.warn("Classes Without Price Not Considered", unpricedClassesWarning(d.Catalog, c.Kind, ioOptimized, unpriced, d.Region, len(in.Candidates) == 0))
	}
	if scaled {
		// The catalog's Aurora prices, and the provider configuration's aurora prices, are Aurora
		// Standard's; its aurora_io_optimized prices are I/O-Optimized's.
		res.PriceNote = "Aurora I/O-Optimized: the catalog's Aurora Standard prices × 1.3"
		if scaledConfigured {
			res.PriceNote = "Aurora I/O-Optimized: the Aurora Standard prices × 1.3"
		}
		if given {
			res.PriceNote += ", where the provider configuration gives no aurora_io_optimized price"
		}
	}
	if len(priceNotes) > 0 {
		res.warn("Target Classes Without Price", "some target classes have no price: "+strings.Join(priceNotes, "; "))
	}
	// The prices include RDS Extended Support's per-vCPU rate, which has a source of its own.
	if esRate > 0 && len(res.PriceSources) > 0 {
		res.PriceSources = addPriceSource(res.PriceSources, extendedSupportSource, es.SourceDate)
	}
	// The report says where the prices came from: an account's rates, as the provider
	// configuration gives them, are not list prices.
	in.PriceSource = res.PriceSource()

	analyze := analysis.Analyze
	if req.SkipReport || req.SkipRender {
		analyze = analysis.Assess
	}
	rec, err := analyze(in, req.Policy)
	if err != nil {
		return Result{}, fmt.Errorf("analysing: %w", err)
	}
	res.Recommendation = rec
	if !req.SkipReport {
		res.InfracostUsageYAML = InfracostUsage(c, rec)
	}
	return res, nil
}

// unpricedClassesWarning says which classes of the writer's family the default candidate list
// left out, having no single-node price (RDS Single-AZ, or one Aurora instance, of kind) in
// region, and what prices them: instance_prices for a catalog class, instance_classes' hourly_usd
// for one they describe (for an Aurora I/O-Optimized cluster, ioOptimized, their
// aurora_io_optimized price, or the Aurora Standard one it takes × 1.3). none is whether no class
// of the family had a price.
func unpricedClassesWarning(cat *pricing.Catalog, kind inventory.Kind, ioOptimized bool, classes []string, region string, none bool) string {
	what, which := "a Single-AZ", ""
	switch {
	case ioOptimized:
		what, which = "an Aurora I/O-Optimized", " (aurora_io_optimized, or aurora, the Aurora Standard price, taken × 1.3)"
	case kind == inventory.KindAurora:
		what = "an Aurora"
	}
	var fixes []string
	if slices.ContainsFunc(classes, func(n string) bool { return !cat.Custom(n) }) {
		fixes = append(fixes, "the provider's instance_prices"+which)
	}
	if slices.ContainsFunc(classes, cat.Custom) {
		fixes = append(fixes, "hourly_usd in the provider's instance_classes"+which+", for a class they describe")
	}
	head := fmt.Sprintf("the single node's class was chosen among the classes of the writer's family that have a price: %s, without %s price in %s, were not considered "+
		"(neither in class_options nor as the recommended class)", strings.Join(classes, ", "), what, region)
	if none {
		head = fmt.Sprintf("no class of the writer's family has %s price in %s (%s), so none was considered for the single node: "+
			"the class_options are empty, the recommended class is the writer's and the savings are unknown", what, region, strings.Join(classes, ", "))
	}
	return head + ". Give their prices in " + strings.Join(fixes, ", or ") + ", or list the classes to consider in target_instance_classes, which checks their fit without a price"
}

// storagePart is a part of a Multi-AZ instance's storage bill that storageCost leaves out: what it
// is ("its 400 GiB of gp3 storage") and the storage_prices attribute that prices it ("gp3"), ""
// when none does because RDS did not report what it is (the storage type, io1's or io2's IOPS).
type storagePart struct{ what, key string }

// storageCost is what the storage of the Multi-AZ instance c costs per month with Multi-AZ (as
// its 2-node form) and without (the single node), and what of it is unpriced: RDS bills a Multi-AZ
// instance's allocated storage, provisioned IOPS and provisioned throughput at twice the
// Single-AZ rate, for both copies. Each part is priced when the catalog (gp2 and gp3, io1 and
// magnetic storage, io1's IOPS and gp3's IOPS above what it includes, in us-east-1) or the
// provider's storage_prices give its price in region, and left out otherwise: left names what the
// sums leave out (nil when nothing; the allocated storage is unknown when not reported, and then
// nothing is priced). io1 and io2 bill every provisioned IOPS (left out, as not reported, when RDS
// gives an io1 or io2 instance no Iops); gp3 only what is provisioned above the IOPS and
// throughput it includes (pricing.GP3Included). sources are where the parts priced got their
// prices, as Result.PriceSources names them: "catalog <date>" and, for a rate storage_prices
// gives, "provider-configuration".
func storageCost(cat *pricing.Catalog, c inventory.Cluster, region string) (multiAZ, singleAZ float64, left []storagePart, sources []string) {
	if c.AllocatedStorageGiB <= 0 {
		return 0, 0, nil, nil
	}
	// source records where a part's price came from, as Result.PriceSources names it.
	source := func(configured bool) {
		if configured {
			sources = addPriceSource(sources, pricing.SourceConfiguration, "")
		} else {
			sources = addPriceSource(sources, pricing.SourceCatalog, pricing.CatalogDate)
		}
	}
	add := func(qty float64, part storagePart, configured bool, price func(pricing.Deployment) (float64, error)) {
		multi, err := price(pricing.MultiAZ)
		if err != nil {
			left = append(left, part)
			return
		}
		single, err := price(pricing.SingleAZ)
		if err != nil {
			left = append(left, part)
			return
		}
		multiAZ, singleAZ = multiAZ+float64(qty*multi), singleAZ+float64(qty*single)
		source(configured)
	}
	provisioned := func(ch pricing.ProvisionedCharge) func(pricing.Deployment) (float64, error) {
		return func(d pricing.Deployment) (float64, error) { return cat.ProvisionedPricePerMonth(ch, d, region) }
	}
	gb := storagePart{fmt.Sprintf("its %d GiB of %s storage", c.AllocatedStorageGiB, c.StorageType), c.StorageType}
	if !slices.Contains(pricing.StorageTypes, pricing.StorageType(c.StorageType)) {
		gb = storagePart{fmt.Sprintf("its %d GiB of storage of a type RDS did not report", c.AllocatedStorageGiB), ""}
		if c.StorageType != "" {
			gb.what = fmt.Sprintf("its %d GiB of %s storage, a type the provider does not know", c.AllocatedStorageGiB, c.StorageType)
		}
	}
	add(float64(c.AllocatedStorageGiB), gb, cat.StoragePriceConfigured(pricing.StorageType(c.StorageType), region), func(d pricing.Deployment) (float64, error) {
		return cat.StoragePricePerGBMonth(pricing.StorageType(c.StorageType), d, region)
	})
	iops, mbps := c.ProvisionedIOPS, c.StorageThroughputMBps
	switch c.StorageType {
	case "io1", "io2":
		ch := pricing.ProvisionedCharge(c.StorageType + "_iops")
		if iops <= 0 {
			left = append(left, storagePart{fmt.Sprintf("the provisioned IOPS of its %s volume, which RDS did not report (no Iops)", c.StorageType), ""})
			break
		}
		add(float64(iops), storagePart{fmt.Sprintf("its %d provisioned IOPS of %s", iops, c.StorageType), string(ch)}, cat.ProvisionedPriceConfigured(ch, region), provisioned(ch))
	case "gp3":
		inclIOPS, inclMBps := pricing.GP3Included(c.AllocatedStorageGiB)
		if iops > inclIOPS {
			add(float64(iops-inclIOPS), storagePart{fmt.Sprintf("its %d provisioned IOPS above gp3's included %d", iops-inclIOPS, inclIOPS), string(pricing.ChargeGP3IOPS)},
				cat.ProvisionedPriceConfigured(pricing.ChargeGP3IOPS, region), provisioned(pricing.ChargeGP3IOPS))
		}
		if mbps > inclMBps {
			add(float64(mbps-inclMBps), storagePart{fmt.Sprintf("its %d MiB/s of provisioned throughput above gp3's included %d", mbps-inclMBps, inclMBps), string(pricing.ChargeGP3Throughput)},
				cat.ProvisionedPriceConfigured(pricing.ChargeGP3Throughput, region), provisioned(pricing.ChargeGP3Throughput))
		}
	}
	return multiAZ, singleAZ, left, sources
}

// storageNote says what of a Multi-AZ instance's storage bill the savings leave out (left, from
// storageCost, in region), "" when nothing: RDS bills a Multi-AZ instance's storage, provisioned
// IOPS and provisioned throughput for both copies, so turning Multi-AZ off halves each. The parts
// without a price are named apart from those RDS did not report, and the note ends with the
// storage_prices attributes that price them.
func storageNote(left []storagePart, region string) string {
	if len(left) == 0 {
		return ""
	}
	var unpriced, unreported, keys []string
	for _, p := range left {
		if p.key == "" {
			unreported = append(unreported, p.what)
			continue
		}
		unpriced = append(unpriced, p.what)
		keys = append(keys, p.key)
	}
	var clauses []string
	if len(unpriced) > 0 {
		clauses = append(clauses, strings.Join(unpriced, " and ")+fmt.Sprintf(", which neither the catalog nor the provider's storage_prices price in %s", region))
	}
	clauses = append(clauses, unreported...)
	note := "RDS bills a Multi-AZ instance's storage for both copies, so one node halves it, but the savings leave out " +
		strings.Join(clauses, "; and ") + ": they are understated by half of what those cost a month"
	if len(keys) > 0 {
		note += ". Give their Single-AZ prices in storage_prices (" + strings.Join(keys, ", ") + ")"
	}
	return note
}

// NodeClass is the catalog class (with the provider configuration's instance_classes) of an
// instance of deployment c running on class: an instance of an Aurora cluster on a class that
// instance_classes describe with aurora = false (its default) is refused, saying to set aurora =
// true, since the cluster runs on it: analysed, it would have no price and no Aurora target.
func NodeClass(cat *pricing.Catalog, c inventory.Cluster, class string) (pricing.InstanceClass, error) {
	ic, err := cat.Class(class)
	if err != nil {
		return pricing.InstanceClass{}, err
	}
	if c.Kind == inventory.KindAurora && !ic.AuroraSupported && cat.Custom(ic.Name) {
		return pricing.InstanceClass{}, fmt.Errorf("the instances of Aurora cluster %s run on %s, which the provider's instance_classes describe with aurora = false (the default), "+
			"as a class Aurora PostgreSQL does not offer: set aurora = true for it there (and hourly_usd.aurora, its price, for the savings)", c.Identifier, ic.Name)
	}
	return ic, nil
}

// familyClasses lists the writer's class and the other sizes of its family,
// in catalog order.
func familyClasses(cat *pricing.Catalog, writerClass string) []string {
	wc, err := cat.Class(writerClass)
	if err != nil {
		return []string{writerClass}
	}
	out := []string{writerClass}
	for _, c := range cat.Classes() {
		if c.Family == wc.Family && c.Name != writerClass {
			out = append(out, c.Name)
		}
	}
	return out
}

// Capacity converts a catalog class to the analysis engine's capacity model.
// The network baseline is the EC2 sustained figure where the catalog has one,
// else a fixed RDS figure ("12" Gbps); burst-only figures ("Up to 10") leave
// it unknown (0), so that check is skipped rather than judged against a burst.
func Capacity(c pricing.InstanceClass) analysis.InstanceClass {
	out := analysis.InstanceClass{
		Name: c.Name, VCPU: float64(c.VCPU), MemoryGiB: c.MemoryGiB, Burstable: c.Burstable,
		BaselineCPUPercent: c.CPUBaselinePercent, BaselineIOPS: c.EBSBaselineIOPS, LocalStorageGiB: c.AuroraLocalStorageGiB,
	}
	if c.NetworkBaselineGbps > 0 {
		out.NetworkBaselineBytesPerSec = c.NetworkBaselineGbps * 1.25e8
	} else if g, ok := sustainedGbps(c.NetworkGbps); ok {
		out.NetworkBaselineBytesPerSec = g * 1.25e8
	}
	return out
}

// capacityOn is Capacity for an instance of a deployment of kind k. Aurora's
// is without a baseline IOPS (0: unknown, so the analysis checks no IOPS
// against it and caps no IOPS rollback alarm at it): an Aurora instance
// stores its data on the cluster volume, not on EBS, so the EC2 EBS baseline
// of its class does not limit it; and Aurora PostgreSQL's WriteIOPS counts
// the log records written to that volume, not 8 KiB page writes ("The number
// of Aurora storage write records generated per second. This is more or less
// the number of log records generated by the database. These do not
// correspond to 8K page writes", Amazon Aurora User Guide, "Instance-level
// metrics for Amazon Aurora"), so it cannot be compared with an EBS IOPS
// figure at all. The writes also stay where they are: they already run on the
// writer. An RDS instance runs on EBS: its baseline is the class's, or its
// volume's when that is lower (volumeIOPS; the volume stays with the single
// node, whatever its class).
func capacityOn(c pricing.InstanceClass, cl *inventory.Cluster) analysis.InstanceClass {
	out := Capacity(c)
	if cl.Kind == inventory.KindAurora {
		out.BaselineIOPS = 0
		return out
	}
	if v := volumeIOPS(cl.StorageType, cl.AllocatedStorageGiB, cl.ProvisionedIOPS); v > 0 && (out.BaselineIOPS == 0 || v < out.BaselineIOPS) {
		out.BaselineIOPS = v
		out.BaselineIOPSBy = fmt.Sprintf("its %d GiB %s volume", cl.AllocatedStorageGiB, cl.StorageType)
	}
	return out
}

// volumeIOPS is the most IOPS an RDS for PostgreSQL instance's storage sustains (Amazon RDS User
// Guide, "Amazon RDS DB instance storage"), 0 when unknown. gp3 gives 3,000 below 400 GiB and 12,000
// from 400 GiB (RDS stripes it over four volumes), or the provisioned IOPS when higher; io1 and io2
// give their provisioned IOPS. gp2 gives 3 IOPS per GiB (at most 64,000) and bursts on I/O credits
// to 3,000 per volume, 12,000 from 400 GiB where RDS stripes it over four: its figure is the higher
// of the two, what it delivers while its credits last (BurstBalance, which this does not read,
// says how long), so a p99 above the baseline, which the credits are for, is not taken for an
// overload, while an alarm or check above what the volume can ever deliver is avoided. Magnetic
// storage (standard), an unknown type or size, and a provisioned type without IOPS are unknown.
func volumeIOPS(storageType string, allocatedGiB, provisioned int32) float64 {
	if allocatedGiB <= 0 {
		return 0
	}
	switch storageType {
	case "gp2":
		burst := 3000.0
		if allocatedGiB >= 400 {
			burst = 12000
		}
		return math.Min(64000, math.Max(burst, 3*float64(allocatedGiB)))
	case "gp3":
		base, _ := pricing.GP3Included(allocatedGiB)
		return float64(max(base, provisioned))
	case "io1", "io2":
		return float64(max(provisioned, 0))
	}
	return 0
}

// sustainedGbps parses a fixed RDS network figure ("12"); burst figures
// ("Up to 10") are not sustained.
func sustainedGbps(s string) (float64, bool) {
	if s == "" || strings.HasPrefix(s, "Up to") {
		return 0, false
	}
	var g float64
	if _, err := fmt.Sscanf(s, "%g", &g); err != nil || g <= 0 {
		return 0, false
	}
	return g, true
}

// InfracostUsage renders an Infracost usage file (version 0.1) for the
// deployment's Terraform resources from measured usage: for Aurora, the
// cluster's read and write requests per second (mean of the projected
// single node's IOPS) and, when the single node on a burstable class would
// pay for surplus CPU credits, its writer instance's monthly_cpu_credit_hrs
// (surplus vCPU-hours a month per vCPU, as Infracost multiplies them by
// vcpu_count); for an RDS instance, monthly I/O requests (Infracost has no
// CPU credit usage for aws_db_instance). Resource addresses follow the
// convention aws_rds_cluster.<id> / aws_rds_cluster_instance.<id> /
// aws_db_instance.<id> with dashes replaced by underscores; rename them to
// match your code.
func InfracostUsage(c inventory.Cluster, rec analysis.Recommendation) string {
	name := resourceName(c.Identifier)
	read := meanOf(rec, analysis.MetricReadIOPS)
	write := meanOf(rec, analysis.MetricWriteIOPS)
	var b strings.Builder
	b.WriteString("# Infracost usage file generated by terraform-provider-rightsize from measured CloudWatch usage.\n")
	fmt.Fprintf(&b, "# Window: %s to %s. See https://www.infracost.io/docs/features/usage_based_resources/\n",
		rec.Start.UTC().Format(time.RFC3339), rec.End.UTC().Format(time.RFC3339))
	b.WriteString("version: 0.1\nresource_usage:\n")
	switch c.Kind {
	case inventory.KindAurora:
		fmt.Fprintf(&b, "  aws_rds_cluster.%s:\n", name)
		fmt.Fprintf(&b, "    read_requests_per_sec: %d\n", int64(math.Round(read)))
		fmt.Fprintf(&b, "    write_requests_per_sec: %d\n", int64(math.Round(write)))
		w, ok := c.Writer()
		if cr := rec.CPUCredits; ok && cr != nil && cr.VCPU > 0 {
			if hrs := int64(math.Round(cr.SurplusVCPUHoursPerMonth / cr.VCPU)); hrs > 0 {
				fmt.Fprintf(&b, "  aws_rds_cluster_instance.%s:\n", resourceName(w.ID))
				fmt.Fprintf(&b, "    monthly_cpu_credit_hrs: %d # surplus CPU credits on %s: %.1f vCPU-hours a month\n", hrs, cr.Class, cr.SurplusVCPUHoursPerMonth)
				fmt.Fprintf(&b, "    vcpu_count: %d\n", int64(cr.VCPU))
			}
		}
	default:
		fmt.Fprintf(&b, "  aws_db_instance.%s:\n", name)
		fmt.Fprintf(&b, "    monthly_standard_io_requests: %d\n", int64(math.Round((read+write)*3600*730)))
		// additional_backup_storage_gb is not measured: left out, Infracost shows backup storage as
		// usage-based instead of pricing it at 0.
	}
	return b.String()
}

// resourceName is the Terraform resource name InfracostUsage assumes for an
// RDS identifier: dashes become underscores.
func resourceName(id string) string { return strings.ReplaceAll(id, "-", "_") }

// meanOf is the mean over the writer and readers of metric, summed across
// nodes (the cluster's total).
func meanOf(rec analysis.Recommendation, metric string) float64 {
	var total float64
	for _, n := range rec.Nodes {
		if s, ok := n.Summary(metric); ok && s.Count > 0 && !math.IsNaN(s.Mean) {
			total += s.Mean
		}
	}
	return total
}

// Sorted returns results ordered by verdict (consolidate first: a keep's savings are of a single
// node that would not hold the load), then by monthly savings, highest first, then by identifier,
// then by name (a DB cluster before a DB instance of the same identifier); within a verdict,
// unpriced results (Cost.Known false) come last.
func Sorted(rs []Result) []Result {
	out := append([]Result(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := out[i].Recommendation.Verdict == analysis.VerdictConsolidate, out[j].Recommendation.Verdict == analysis.VerdictConsolidate
		if ci != cj {
			return ci
		}
		ki, kj := out[i].Recommendation.Cost.Known, out[j].Recommendation.Cost.Known
		if ki != kj {
			return ki
		}
		si, sj := out[i].Recommendation.Cost.MonthlySavingsUSD, out[j].Recommendation.Cost.MonthlySavingsUSD
		if si != sj {
			return si > sj
		}
		if out[i].Cluster.Identifier != out[j].Cluster.Identifier {
			return out[i].Cluster.Identifier < out[j].Cluster.Identifier
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// maxAuroraReaders is the most readers (Aurora Replicas) an Aurora cluster can have, and so the
// highest capacity the analysis accepts for Aurora Auto Scaling.
const maxAuroraReaders = 15

// setAuroraRouting gives in the custom endpoints and Aurora Auto Scaling of the Aurora cluster c
// (inventory.AttachEndpoints, AttachAutoScaling), and returns a warning for each value read from
// AWS that the analysis does not accept, which is used in the form that is safe for the verdict
// rather than failing the recommendation (and with it a whole fleet):
//
//   - A custom endpoint whose type is neither READER nor ANY (the RDS API reference lists WRITER
//     among a custom endpoint's types) counts as type READER: it routes to the reader, so it is
//     reported as left routing to no instance once the reader is removed, as rightsize_db_topology
//     finds it (an endpoint of an unknown type routes to no instance,
//     analysis.CustomEndpoint.Members).
//   - A custom endpoint with both static and excluded members keeps its static ones, as RDS does:
//     the exclusion list is relevant only when the static list is empty (no warning).
//   - Aurora Auto Scaling whose minimum or maximum capacity lies outside 0 to 15 readers (the most
//     an Aurora cluster has) counts within it: each capacity is brought to the nearest of 0 and 15,
//     and the maximum to at least the minimum. A minimum of one reader or more, which would put a
//     reader back, stays one or more, and a maximum above 15 stays above 0.
//
// c and its slices are not modified.
func setAuroraRouting(in *analysis.ClusterInput, c inventory.Cluster) []Warning {
	var warns []Warning
	in.CustomEndpoints = nil
	for _, e := range c.CustomEndpoints {
		if !strings.EqualFold(e.Type, "READER") && !strings.EqualFold(e.Type, "ANY") {
			warns = append(warns, Warning{"Custom Endpoint Type Unknown", fmt.Sprintf("custom endpoint %s has type %q, which the provider does not know (it knows READER and ANY): "+
				"it is counted as a READER endpoint, routing to the reader only and so to no instance once the reader is removed; check where it routes before the change",
				e.ID, e.Type)})
			e.Type = "READER"
		}
		if len(e.Static) > 0 && len(e.Excluded) > 0 {
			e.Excluded = nil
		}
		in.CustomEndpoints = append(in.CustomEndpoints, e)
	}
	in.ReplicaAutoScaling = nil
	if a := c.ReplicaAutoScaling; a != nil {
		got := *a
		clamp := func(v, lo int) int { return min(max(v, lo), maxAuroraReaders) }
		got.MinCapacity = clamp(got.MinCapacity, 0)
		got.MaxCapacity = clamp(got.MaxCapacity, got.MinCapacity)
		if got != *a {
			warns = append(warns, Warning{"Aurora Auto Scaling Range Adjusted", fmt.Sprintf("Aurora Auto Scaling of the cluster (Application Auto Scaling target cluster:%s) keeps %d to %d readers, outside the 0 to %d an Aurora cluster can have (with the minimum at most the maximum): it is counted as %d to %d",
				c.Identifier, a.MinCapacity, a.MaxCapacity, maxAuroraReaders, got.MinCapacity, got.MaxCapacity)})
		}
		in.ReplicaAutoScaling = &got
	}
	return warns
}

// setWindowsAndEvents gives in the deployment's backup and maintenance windows, pending
// maintenance and recent failover and failure events, and returns warnings for what could not be
// used: a window RDS reported in a form the analysis does not read is left out rather than
// failing the recommendation.
func setWindowsAndEvents(in *analysis.ClusterInput, c inventory.Cluster) []Warning {
	var warns []Warning
	// take sets *dst to window w when parse reads it, and warns of a w it cannot read.
	take := func(dst *string, w string, parse func(string) (analysis.ScheduledWindow, error), what string) {
		if _, err := parse(w); err == nil {
			*dst = w
		} else if w != "" {
			warns = append(warns, Warning{"Window Not Read", what + " is left out: " + err.Error()})
		}
	}
	take(&in.BackupWindow, c.BackupWindow, analysis.ParseBackupWindow, "the backup window")
	take(&in.MaintenanceWindow, c.MaintenanceWindow, analysis.ParseMaintenanceWindow, "the maintenance window")
	take(&in.ClusterMaintenanceWindow, c.ClusterMaintenanceWindow, analysis.ParseMaintenanceWindow, "the cluster's maintenance window")
	in.PendingMaintenance = c.PendingMaintenance
	if c.MaintenanceUnread != "" {
		warns = append(warns, Warning{"Pending Maintenance Not Checked", "pending maintenance not checked: " + c.MaintenanceUnread})
	}
	in.Events = c.Events
	if c.EventsUnread != "" {
		warns = append(warns, Warning{"Failovers Not Checked", "failovers not checked: " + c.EventsUnread})
	}
	return warns
}

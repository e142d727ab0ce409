package analysis

import (
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Report renders rec as a Markdown report. The output depends only on rec
// (no clock, no map order): parameters and charts are listed sorted by name.
// Sections: Verdict, Checks, Projected single-node utilization, Nodes,
// Workload pattern, Decision matrix, Risks, Cost, Instance class options,
// Recommended PostgreSQL parameters, Migration window, Rollback triggers,
// Charts (each with its title for alt text and, below it, its <desc>: what
// it shows in words). Byte quantities in the tables read as GiB/MiB/KiB and byte rates
// as MB/s or kB/s (qty); the unit column keeps the metric's own unit.
// The migration window and rollback triggers are advice for a consolidation:
// for another verdict those sections say so (for keep, the window and the
// alarms are shown as what they would be for one node on RecommendedClass;
// for insufficient-data no window is suggested from the incomplete data).
// For a deployment already of one node (AlreadySingleNode) the report says it
// runs one node now, prices the 2-node form against it (savings realised) and
// plans no migration.
func Report(rec Recommendation) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# Right-size report: %s\n\n", mdEscape(rec.Cluster))
	w("## Verdict\n\n")
	w("- **Verdict:** `%s`\n", rec.Verdict)
	w("- **Single node sufficient:** %t\n", rec.SingleNodeSufficient)
	w("- **Confidence:** %.2f\n", rec.Confidence)
	if rec.AlreadySingleNode {
		w("- **Topology:** %s, analysed as its 2-node form: the deployment runs one node now (%s)\n", rec.Topology, oneNodeForm(rec.Topology))
	} else {
		w("- **Topology:** %s\n", rec.Topology)
	}
	if !rec.Start.IsZero() {
		w("- **Window:** %s to %s (UTC)\n", rec.Start.UTC().Format("2006-01-02 15:04"), rec.End.UTC().Format("2006-01-02 15:04"))
	}
	if rec.Period > 0 {
		w("- **Datapoints:** %s s averages", num(rec.Period.Seconds(), 0))
		if rec.Period > time.Minute {
			// CloudWatch keeps 1-minute data 15 days, 5-minute data 63: a longer window reads coarser averages.
			w(": an average over %s s understates peaks shorter than that, such as 1-minute spikes, "+
				"so the percentiles and maxima below can be lower than 1-minute data would show", num(rec.Period.Seconds(), 0))
		}
		w("\n")
	}
	w("- **Policy:** headroom %s%%, alert threshold %s%%, memory limit %s%%, minimum coverage %s, minimum lookback %s days\n\n",
		num(rec.Policy.HeadroomPercent, 0), num(rec.Policy.AlertThresholdPercent, 0), num(rec.Policy.MemoryThresholdPercent, 0),
		num(rec.Policy.MinCoverage, 2), num(rec.Policy.MinLookback.Hours()/24, 1))

	w("## Checks\n\n| check | node | metric | value | limit | unit | result |\n|---|---|---|---:|---:|---|---|\n")
	for _, r := range rec.Reasons {
		res := "pass"
		if !r.Passed {
			res = "**fail**"
		}
		node := r.Node
		if node == "" {
			node = "single node"
		}
		w("| %s | %s | %s | %s | %s %s | %s | %s |\n", r.Check, mdEscape(node), r.Metric, num(r.Value, 2), r.Comparison, num(r.Limit, 2), r.Unit, res)
	}
	b.WriteString("\n")
	for _, r := range rec.Reasons {
		w("- %s\n", mdEscape(r.Message))
	}

	w("\n## Projected single-node utilization\n\nOn %s.%s\n\n| resource | unit | p50 | p95 | p99 | max | limit |\n|---|---|---:|---:|---:|---:|---:|\n", mdEscape(rec.Projection.Class.Name), auroraMemoryNote(rec.Projection))
	for _, u := range rec.Projected {
		w("| %s | %s | %s | %s | %s | %s | %s |\n", u.Metric, u.Unit, qty(u.P50, u.Unit, 2), qty(u.P95, u.Unit, 2), qty(u.P99, u.Unit, 2), qty(u.Max, u.Unit, 2), qty(u.Limit, u.Unit, 2))
	}

	if len(rec.Growth) > 0 {
		credits := ""
		if slices.ContainsFunc(rec.Growth, func(g Growth) bool { return g.Metric == "cpu_credits" }) {
			credits = " For cpu_credits, the trend of the daily mean of the projected CPU, and the days until its highest 24-hour mean with headroom reaches the burstable class's CPU credit baseline."
		}
		w("\nTrend of the daily busiest hour over the lookback: the Seasonal Kendall slope by weekday, a rise reported at Z ≥ %s with at least %d days that still holds (Z ≥ %s, a rising slope) with the first week left out and again with the last.%s\n\n"+
			"| resource | unit | change per 30 days | Z | days | pairs | limit reached in |\n|---|---|---:|---:|---:|---:|---|\n", num(GrowthZ, 2), MinGrowthDays, num(GrowthWeekZ, 0), credits)
		for _, g := range rec.Growth {
			in := "not growing"
			switch {
			case g.Growing && g.DaysToLimit != g.DaysToLimit:
				in = "no limit"
			case g.Growing && g.DaysToLimit == 0:
				in = "reached"
			case g.Growing:
				in = "about " + num(math.Ceil(g.DaysToLimit), 0) + " days"
			case g.Pairs == 0:
				in = "not measured"
			case g.Days < MinGrowthDays:
				in = fmt.Sprintf("not judged: under %d days", MinGrowthDays)
			}
			w("| %s | %s | %s | %s | %d | %d | %s |\n", g.Metric, g.Unit, num(g.PerMonth, 2), num(g.Z, 2), g.Days, g.Pairs, in)
		}
	}

	if e := rec.EarlierPeak; e != nil {
		const layout = "Mon 2006-01-02 15:04"
		against := fmt.Sprintf("against %s%% in the lookback's busiest hour (%s UTC)", num(e.LookbackPeakCPU, 1), e.LookbackPeakTime.Format(layout))
		if e.LookbackPeakCPU != e.LookbackPeakCPU {
			against = "with no projected CPU in the lookback to compare it with"
		}
		w("\nBefore the lookback (%s to %s UTC, %d hours with data), the single node's busiest hour, %s UTC, averaged %s%% CPU on %s, %s.\n",
			e.Start.Format("2006-01-02"), e.End.Format("2006-01-02"), e.Hours, e.PeakTime.Format(layout), num(e.PeakCPU, 1),
			mdEscape(rec.RecommendedClass), against)
	}

	w("\n## Nodes\n\n")
	for _, n := range rec.Nodes {
		w("### %s (%s, %s: %s vCPU, %s GiB)\n\n", mdEscape(n.ID), n.Role, mdEscape(n.Class.Name), num(n.Class.VCPU, 0), num(n.Class.MemoryGiB, 1))
		if len(n.Summaries) == 0 {
			w("No metrics (a Multi-AZ standby publishes none).\n\n")
			continue
		}
		w("| metric | unit | coverage | mean | min | p50 | p95 | p99 | max | max at (UTC) |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
		var empty, free []string
		for _, s := range n.Summaries {
			if s.Count == 0 {
				empty = append(empty, s.Metric) // listed below the table, not as a row of n/a
				continue
			}
			peak := "n/a"
			if !s.PeakTime.IsZero() {
				peak = s.PeakTime.UTC().Format("2006-01-02 15:04")
			}
			w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s.Metric, s.Unit, num(100*s.Coverage, 1)+"%",
				qty(s.Mean, s.Unit, 2), qty(s.Min, s.Unit, 2), qty(s.P50, s.Unit, 2), qty(s.P95, s.Unit, 2), qty(s.P99, s.Unit, 2), qty(s.Max, s.Unit, 2), peak)
			if lessIsWorse(s.Metric) {
				free = append(free, s.Metric)
			}
		}
		if len(free) > 0 {
			w("\n%s: less free is worse, so the tail that matters is the low one, min (the least free); p95, p99, max and max at are the most-free moments.", strings.Join(free, ", "))
			if slices.Contains(free, MetricFreeableMemory) && rec.Topology != TopologyAurora {
				w(" The projected memory in use is the class's memory less FreeableMemory: its p99 matches FreeableMemory's low tail, between min and p50.")
			}
			w("\n")
		}
		if len(empty) > 0 {
			w("\nNo datapoints in the window: %s.\n", strings.Join(empty, ", "))
		}
		w("\nCPU pattern: `%s`.\n\n", n.CPUPattern.Pattern)
	}

	w("## Workload pattern\n\nProjected single-node CPU: `%s`.\n\n", rec.Pattern.Pattern)
	for _, e := range rec.Pattern.Evidence {
		w("- %s\n", mdEscape(e))
	}

	w("\n## Decision matrix\n\n| criterion | score (0–10) | weight | evidence |\n|---|---:|---:|---|\n")
	for _, r := range rec.Matrix.Rows {
		w("| %s | %s | %s | %s |\n", r.Criterion, num(r.Score, 2), num(r.Weight, 2), mdEscape(r.Evidence))
	}
	w("\nWeighted score: **%s** (minimum %s).\n", num(rec.Matrix.Total, 2), num(rec.Policy.MinDecisionScore, 2))

	w("\n## Risks\n\n")
	if rec.AlreadySingleNode && len(rec.Risks) > 0 {
		// The risks are worded for the change; here the change is made and they are the node's.
		w("The deployment already runs one node: these are risks it carries now, not of a change to come.\n\n")
	}
	if len(rec.Risks) == 0 {
		w("None identified.\n")
	}
	for _, r := range rec.Risks {
		w("- **%s** (%s): %s\n", r.Severity, r.Category, mdEscape(r.Description))
	}

	c := rec.Cost
	w("\n## Cost\n\n")
	// A deployment already of one node compares its 2-node form with the node it runs: the
	// savings are realised, not to come.
	nowRow, singleRow, savingsRow, now, single := "now", "single node ("+mdEscape(c.ProposedClass)+")", "savings", "now", "on the single node"
	if rec.AlreadySingleNode {
		nowRow, savingsRow, now, single = "2-node form (not running)", "savings realised", "in the 2-node form", "on the one node"
		singleRow = "one node, now (" + mdEscape(c.ProposedClass) + ")"
		if wc := writerClass(rec.Nodes); wc != "" && wc != c.ProposedClass {
			singleRow = "one node on " + mdEscape(c.ProposedClass) + " (runs on " + mdEscape(wc) + " now)"
			savingsRow = "savings against the 2-node form"
		}
	}
	if c.Known {
		w("| | USD/month |\n|---|---:|\n| %s | %s |\n| %s | %s |\n| %s | %s |\n| %s per year | %s |\n\n",
			nowRow, num(c.CurrentMonthlyUSD, 2), singleRow, num(c.ProposedMonthlyUSD, 2), savingsRow, num(c.MonthlySavingsUSD, 2), savingsRow, num(c.AnnualSavingsUSD, 2))
		if c.CurrentCreditsUSD > 0 || c.ProposedCreditsUSD > 0 {
			w("Both include surplus CPU credits: %s %s, %s %s.\n", num(c.CurrentCreditsUSD, 2), now, num(c.ProposedCreditsUSD, 2), single)
		}
		if c.CurrentStorageUSD > 0 {
			w("Both include the storage the change affects: %s %s (Multi-AZ bills the storage and any provisioned IOPS and throughput twice), %s %s.\n",
				num(c.CurrentStorageUSD, 2), now, num(c.ProposedStorageUSD, 2), single)
		}
		prices := "Prices are on-demand list prices at 730 hours a month."
		if c.PriceSource != "" { // an account's rates, say, which are not list prices
			prices = "Prices are on-demand prices at 730 hours a month, from " + mdEscape(c.PriceSource) + "."
		}
		w("Savings target $%s–%s/month: %s (met: %t). %s\n",
			num(c.Target.MinMonthlyUSD, 0), num(c.Target.MaxMonthlyUSD, 0), c.TargetStatus, c.TargetMet, prices)
	} else {
		w("Prices unknown: give the current hourly price and a priced candidate for %s.\n", mdEscape(c.ProposedClass))
	}

	if c.CurrentCreditVCPUHours > 0 || c.ProposedCreditVCPUHours > 0 {
		w("Surplus CPU credits: %s vCPU-hours a month now, %s on the single node", num(c.CurrentCreditVCPUHours, 2), num(c.ProposedCreditVCPUHours, 2))
		if c.CurrentCreditsUSD == 0 && c.ProposedCreditsUSD == 0 {
			w(" (their price is unknown: not included above)")
		}
		w(".\n")
	}
	creditsSection(w, rec)

	w("\n## Instance class options\n\n")
	if len(rec.Options) == 0 {
		w("No candidate classes given. Recommended class: %s.\n", mdEscape(rec.RecommendedClass))
	} else {
		memNote := ""
		if rec.Projection.Topology == TopologyAurora {
			src := "Aurora's default shared_buffers"
			if rec.Projection.sharedBuffers != "" {
				src = "the parameter group's shared_buffers " + rec.Projection.sharedBuffers + " where it fits the class, else Aurora's default"
			}
			memNote = " Memory p99 % is the memory in use outside the buffer cache, in percent of what each class's own buffer cache (" + src + ") leaves of its memory."
		}
		w("Recommended class: **%s**. USD/month is the instance alone; savings/month also counts the storage the change saves (see the cost table).%s\n\n| rank | class | fits | CPU p99 %% | memory p99 %% | IOPS p99 %% of baseline | instance USD/month | savings/month | failed checks |\n|---:|---|---|---:|---:|---:|---:|---:|---|\n", mdEscape(rec.RecommendedClass), memNote)
		for _, o := range rec.Options {
			w("| %d | %s | %t | %s | %s | %s | %s | %s | %s |\n", o.Rank, mdEscape(o.Class.Name), o.Fits, num(o.CPUP99, 1), num(o.MemoryP99, 1),
				num(o.IOPSP99Percent, 1), num(o.MonthlyUSD, 2), num(o.MonthlySavingsUSD, 2), strings.Join(o.Failed, ", "))
		}
	}

	w("\n## Recommended PostgreSQL parameters\n\nFor %s. Values are in the parameter's base unit, as an RDS parameter group expects; "+
		"those in braces are RDS formulas on DBInstanceClassMemory, the memory RDS leaves to the database, which follow the class if the instance is resized. "+
		"Those that apply at reboot are static: a DB parameter group takes them only with the apply method pending-reboot, "+
		"and they take effect when the instance is next rebooted. The others apply at once when changed in a group the instance already uses; "+
		"a group newly associated with the instance applies all its parameters at the next reboot.\n\n| parameter | value | unit | meaning | applies |\n|---|---:|---|---|---|\n", mdEscape(rec.RecommendedClass))
	names := make([]string, 0, len(rec.Parameters))
	for k := range rec.Parameters {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		applies := "at once"
		if NeedsReboot(k) {
			applies = "at reboot"
		}
		w("| %s | %s | %s | %s | %s |\n", k, rec.Parameters[k], ParameterUnits[k], humanParameter(k, rec.Parameters[k]), applies)
	}

	mw := rec.MigrationWindow
	w("\n## Migration window\n\n")
	switch {
	case rec.AlreadySingleNode:
		w("None: the deployment already runs one node, so there is no topology change to make")
		switch rec.Verdict {
		case VerdictKeep:
			w(" (the verdict is `%s`: the checks above find one node%s short of its load)", rec.Verdict, onClass(rec.RecommendedClass))
		case VerdictInsufficient:
			w(" (the verdict is `%s`: the data does not support a decision)", rec.Verdict)
		}
		w(".")
		if wc := otherWriterClass(rec.Nodes, rec.RecommendedClass); wc != "" {
			w(" The recommended class, %s, is not the one it runs on, %s: that class change remains, with downtime on one node (no standby to fail over to).",
				mdEscape(rec.RecommendedClass), mdEscape(wc))
		}
		w("\n")
	case rec.Verdict == VerdictInsufficient:
		// A window from the hours the data has would be chosen from less than the policy asks for,
		// as the maintenance window is not suggested from less than a full week.
		w("Applies only to a consolidation, and the verdict is `%s`: the data does not support a decision (see the failing checks), "+
			"so no migration is planned and no window is suggested from it.\n", rec.Verdict)
	case rec.Verdict != VerdictConsolidate:
		w("Applies only to a consolidation, and the verdict is `%s`: keep the deployment's nodes, no migration is planned.", rec.Verdict)
		if mw.Known {
			w(" Were one node%s chosen despite the verdict, the window would be %s %02d:00 UTC for %d hours: expected mean CPU %s%%, peak hour %s%% (%s).",
				onClass(rec.RecommendedClass), mw.Weekday, mw.StartHourUTC, mw.LengthHours, num(mw.ExpectedLoad, 1), num(mw.PeakLoad, 1), mdEscape(mw.Reason))
		} else {
			w(" Not determined either: %s.", mdEscape(mw.Reason))
		}
		w("\n")
	case mw.Known:
		w("%s %02d:00 UTC for %d hours: expected mean CPU %s%%, peak hour %s%% (%s).\n", mw.Weekday, mw.StartHourUTC, mw.LengthHours,
			num(mw.ExpectedLoad, 1), num(mw.PeakLoad, 1), mdEscape(mw.Reason))
	default:
		w("Not determined: %s.\n", mdEscape(mw.Reason))
	}

	writeWindows(w, rec.Topology, rec.Windows)
	if rec.Verdict == VerdictInsufficient {
		w("\nThe verdict is `%s`: the projected loads above are from the hours the data has, not from the span and coverage the policy asks for.\n", rec.Verdict)
	}

	advice := rollbackAdvice(rec.Topology, len(rec.Nodes) == 1)
	switch {
	case rec.AlreadySingleNode:
		// The node runs now: its alarms watch it whatever the verdict.
		advice = "The deployment already runs one node, which carries all of its load: these alarms watch it. An alarm that fires means the load grew beyond the baseline, " +
			"which a larger class answers, or a second node (`nodes = 2`): a standby for failover, not capacity; on Aurora a reader for the reads the applications send to the reader endpoint."
		switch rec.Verdict {
		case VerdictKeep:
			advice = fmt.Sprintf("The verdict is `%s`: the checks above find the one node the deployment runs now short of its load. ", rec.Verdict) + advice
		case VerdictInsufficient:
			advice = fmt.Sprintf("The verdict is `%s`: the data does not support a decision, and the alarms below are derived from it. ", rec.Verdict) + advice
		}
		if wc := otherWriterClass(rec.Nodes, rec.RecommendedClass); wc != "" {
			advice += fmt.Sprintf(" The thresholds are sized for %s, the recommended class, not for %s, which it runs on now: on %s a memory or IOPS alarm sized for another class can fire at once, or never.",
				mdEscape(rec.RecommendedClass), mdEscape(wc), mdEscape(wc))
		}
	case rec.Verdict != VerdictConsolidate:
		advice = fmt.Sprintf("These alarms apply only to a consolidation, and the verdict is `%s`: with the deployment's nodes kept, none of these alarms is needed. "+
			"They are listed as what they would be for one node%s.", rec.Verdict, onClass(rec.RecommendedClass))
	}
	w("\n## Rollback triggers\n\n%s\n\n| alarm | metric | statistic | period s | breaching of evaluated | comparison | threshold | missing data | severity |\n|---|---|---|---:|---:|---|---:|---|---|\n", advice)
	for _, a := range rec.RollbackTriggers {
		w("| %s | %s | %s | %d | %d of %d | %s | %s | %s | %s |\n", mdEscape(a.Name), a.MetricName, a.Statistic, a.PeriodSeconds, a.DatapointsToAlarm, a.EvaluationPeriods,
			a.ComparisonOperator, num(a.Threshold, 2), a.TreatMissingData, a.Severity)
	}
	if n := len(rec.RollbackTriggers); n > 0 && rec.RollbackTriggers[n-1].isAvailability() {
		w("\nThe last is not about load: missing data counts as breaching, so a node that is down, publishing nothing, fires it (on one node nothing fails over).\n")
	}

	w("\n## Charts\n\n")
	if len(rec.Charts) > 0 {
		w("Red lines, each with its own dash pattern and its value in the legend: each capacity check's limit on the p99 with headroom and, lower, the p99's own limit before the headroom " +
			"(on the IOPS chart for reads and writes together); the CPU chart also draws its rollback alarm's threshold. " +
			"The IOPS alarms watch ReadIOPS and WriteIOPS separately (see the rollback triggers) and are not drawn. " +
			"On the CPU and memory charts each node's line is in percent of its own class, the projected one (dashed) of the recommended class. " +
			"Below each chart, what it shows in words.\n\n")
	}
	charts := make([]string, 0, len(rec.Charts))
	for k := range rec.Charts {
		charts = append(charts, k)
	}
	slices.Sort(charts)
	for i, k := range charts {
		title, desc := svgText(rec.Charts[k])
		if title == "" {
			title = strings.TrimSuffix(k, ".svg")
		}
		if i > 0 {
			w("\n")
		}
		w("- ![%s](%s)\n", mdInline(title), k)
		if desc != "" {
			w("\n  %s\n", mdInline(desc))
		}
	}
	return b.String()
}

// svgText is the text of svg's <title> and <desc>, the first children of its root as svgOpen
// writes them: the chart's name and what it shows in words. "" for one that is missing or an SVG
// that does not parse. An SVG that starts as svgOpen writes it is read without encoding/xml
// (svgOpenText), which took some 16 µs a chart, 40% of the report's time.
func svgText(svg string) (title, desc string) {
	if title, desc, ok := svgOpenText(svg); ok {
		return title, desc
	}
	return svgTextXML(svg)
}

// svgOpenText reads the <title> and <desc> of svg when it starts exactly as svgOpen writes it: an
// <svg> start tag of plain name="value" attributes, then on their own lines <title id="...">
// and <desc id="..."> holding character data escaped as xmlEscape escapes it, and a <rect. ok is false for
// anything else (svgTextXML reads it), so the text is always what encoding/xml reads.
func svgOpenText(svg string) (title, desc string, ok bool) {
	const open = `<svg xmlns="http://www.w3.org/2000/svg"`
	end := strings.IndexByte(svg, '>')
	if !strings.HasPrefix(svg, open) || end < 0 || !plainAttrs(svg[len(open):end]) {
		return "", "", false
	}
	rest := svg[end+1:]
	if title, rest, ok = svgOpenChild(rest, "title"); !ok {
		return "", "", false
	}
	if desc, rest, ok = svgOpenChild(rest, "desc"); !ok || !strings.HasPrefix(rest, "\n<rect ") {
		return "", "", false // a third child other than svgOpen's background could be another <title>
	}
	return title, desc, true
}

// plainAttrs reports whether s is a run of ` name="value"` attributes, names of letters and
// hyphens, values without <, >, & or a quote.
func plainAttrs(s string) bool {
	for s != "" {
		i := strings.Index(s, `="`)
		if i < 2 || s[0] != ' ' || strings.IndexFunc(s[1:i], func(r rune) bool { return r != '-' && (r|0x20 < 'a' || r|0x20 > 'z') }) >= 0 {
			return false
		}
		s = s[i+2:]
		j := strings.IndexByte(s, '"')
		if j < 0 || strings.ContainsAny(s[:j], "<>&'") {
			return false
		}
		s = s[j+1:]
	}
	return true
}

// svgOpenChild reads "\n<name id=\"...\">text</name>" at the start of s, as svgOpen writes it:
// the text unescaped and the rest of s.
func svgOpenChild(s, name string) (text, rest string, ok bool) {
	s, ok = strings.CutPrefix(s, "\n<"+name+` id="`)
	if !ok {
		return "", "", false
	}
	i := strings.Index(s, `">`)
	if i < 0 || strings.ContainsAny(s[:i], "<>&'\"") {
		return "", "", false
	}
	s = s[i+2:]
	j := strings.Index(s, "</"+name+">")
	if j < 0 {
		return "", "", false
	}
	text, ok = xmlUnescape(s[:j])
	return text, s[j+len(name)+3:], ok
}

// xmlUnescape undoes xmlEscape on character data, reading line ends as XML does (\r\n and \r as
// \n): false for anything else it could hold (markup, another reference, or a character XML does
// not allow).
func xmlUnescape(s string) (string, bool) {
	if strings.ContainsAny(s, "<>") || !utf8.ValidString(s) || strings.IndexFunc(s, notXMLChar) >= 0 {
		return "", false
	}
	if strings.Contains(s, "\r") {
		s = crReplacer.Replace(s)
	}
	if !strings.Contains(s, "&") {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	for s != "" {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		ok := false
		for _, e := range xmlEntities {
			if strings.HasPrefix(s, e[0]) {
				b.WriteString(e[1])
				s = s[len(e[0]):]
				ok = true
				break
			}
		}
		if !ok {
			return "", false
		}
	}
	return b.String(), true
}

var crReplacer = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// xmlEntities are the references xmlEscape writes, with their characters.
var xmlEntities = [...][2]string{{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", `"`}, {"&apos;", "'"}}

// svgTextXML is svgText read with encoding/xml.
func svgTextXML(svg string) (title, desc string) {
	d := xml.NewDecoder(strings.NewReader(svg))
	depth := 0
	var into *string
	for {
		tok, err := d.Token()
		if err != nil {
			return title, desc
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth != 2 {
				continue
			}
			switch t.Name.Local {
			case "title":
				into = &title
			case "desc":
				into = &desc
			default:
				return title, desc // past the first children
			}
		case xml.EndElement:
			depth--
			into = nil
		case xml.CharData:
			if into != nil {
				*into += string(t)
			}
		}
	}
}

// mdInline makes s Markdown inline text that reads as its own characters, one line: the alt text
// of an image (ending where the image's ] does) or the paragraph below it. The ASCII punctuation
// CommonMark and GFM would read as emphasis (* _), code (`), a link or image ([ ]), raw HTML or
// an autolink (<), an entity (&), strikethrough (~), a table cell (|) or an escape (\) is
// backslash-escaped, and line ends become spaces. (mdEscape, for table cells, escapes | and \ alone:
// a chart's description or title read through it could turn into emphasis, a link or HTML.)
func mdInline(s string) string {
	return inlineReplacer.Replace(s)
}

var inlineReplacer = strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "*", `\*`, "_", `\_`, "`", "\\`",
	"<", `\<`, "&", `\&`, "~", `\~`, "|", `\|`, "\r\n", " ", "\n", " ", "\r", " ")

// oneNodeForm names the one-node form of topology t.
func oneNodeForm(t Topology) string {
	if t == TopologyAurora {
		return "one Aurora instance"
	}
	return "Single-AZ"
}

// otherWriterClass is the writer's class among nodes when it is not class (the recommended one):
// for a deployment already of one node, the class change that remains. "" when either is unknown
// or they are the same.
func otherWriterClass(nodes []NodeAnalysis, class string) string {
	if wc := writerClass(nodes); class != "" && wc != class {
		return wc
	}
	return ""
}

// writerClass is the class of the writer among nodes; "" when none.
func writerClass(nodes []NodeAnalysis) string {
	for _, n := range nodes {
		if n.Role == RoleWriter {
			return n.Class.Name
		}
	}
	return ""
}

// lessIsWorse reports whether metric measures what is left free (memory, storage), whose
// low values, not its high percentiles, are the ones near a limit.
func lessIsWorse(metric string) bool {
	return metric == MetricFreeableMemory || metric == MetricFreeStorageSpace || metric == MetricFreeLocalStorage
}

// onClass is " on class" (escaped), or "" when class is empty.
func onClass(class string) string {
	if class == "" {
		return ""
	}
	return " on " + mdEscape(class)
}

// auroraMemoryNote says, for an Aurora projection, what its memory figures measure (the memory in
// use outside the buffer cache; see Projection.MemoryUsed), with a leading space; "" otherwise.
func auroraMemoryNote(pr Projection) string {
	if pr.Topology != TopologyAurora {
		return ""
	}
	return fmt.Sprintf(" On Aurora, memory is the memory in use outside the buffer cache: the class's memory − FreeableMemory, plus the connections of any reader, "+
		"less the %s GiB buffer cache (%s, allocated at start, which FreeableMemory never counts free), "+
		"in percent of the %s GiB the cache leaves of %s GiB.",
		num(pr.writerCacheBytes()/(1<<30), 2), pr.bufferSource(pr.Class), num(pr.writerRoom()/(1<<30), 2), num(pr.Class.MemoryGiB, 0))
}

// num formats v with d decimals; NaN is "n/a", infinities "inf"/"-inf".
func num(v float64, d int) string {
	switch {
	case v != v:
		return "n/a"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	s := fmt.Sprintf("%.*f", d, v)
	if s == "-0" || strings.HasPrefix(s, "-0.") && strings.Trim(s[1:], "0.") == "" {
		s = s[1:]
	}
	return s
}

// qty formats v, a quantity in unit (a CloudWatch unit, any case), for a
// reader: bytes in binary multiples ("2.16 GiB": memory and storage are
// sized in them), bytes per second in decimal ones ("0.48 MB/s": network
// bandwidth is quoted in them), with d decimals; other units as num(v, d).
// A value under 1 KiB or 1 kB/s keeps the plain form.
func qty(v float64, unit string, d int) string {
	a := math.Abs(v)
	var steps []float64
	var names []string
	switch strings.ToLower(unit) {
	case "bytes":
		steps, names = []float64{1 << 40, 1 << 30, 1 << 20, 1 << 10}, []string{"TiB", "GiB", "MiB", "KiB"}
	case "bytes/second":
		steps, names = []float64{1e12, 1e9, 1e6, 1e3}, []string{"TB/s", "GB/s", "MB/s", "kB/s"}
	}
	if v == v && !math.IsInf(v, 0) {
		for i, m := range steps {
			if a >= m {
				return num(v/m, d) + " " + names[i]
			}
		}
	}
	return num(v, d)
}

// mdEscape keeps table cells intact.
func mdEscape(s string) string {
	return mdReplacer.Replace(s)
}

// creditsSection writes the CPU credit accounts of the burstable nodes and
// of the single node, when there are any.
func creditsSection(w func(string, ...any), rec Recommendation) {
	if rec.CPUCredits == nil && len(rec.NodeCPUCredits) == 0 {
		return
	}
	w("\n## CPU credits\n\nBurstable classes earn CPU credits at their baseline and spend them at their CPU utilization; RDS and Aurora run them in unlimited mode, " +
		"where surplus credits beyond 24 hours of earnings are billed. Simulated hour by hour over the window in its steady state (the balance and surplus the window leaves behind carried into it, as if the load repeated).\n\n" +
		"| node | class | baseline %% | highest 24-hour mean %% | lowest balance %% of limit | hours without credits | surplus vCPU-hours/month |\n|---|---|---:|---:|---:|---:|---:|\n")
	row := func(name string, cr CPUCredits) {
		w("| %s | %s | %s | %s | %s | %d | %s |\n", mdEscape(name), mdEscape(cr.Class), num(cr.BaselinePercent, 1), num(cr.Peak24hMeanPercent, 1),
			num(cr.MinBalancePercent(), 1), cr.DepletedHours, num(cr.SurplusVCPUHoursPerMonth, 2))
	}
	for _, cr := range rec.NodeCPUCredits {
		row(cr.Node+" (today)", cr)
	}
	if rec.CPUCredits != nil {
		row("single node (projected)", *rec.CPUCredits)
	}
}

// rollbackAdvice says what to do when a rollback alarm fires on topology t: on Aurora the reader's
// work moved onto the writer, and a reader put back takes it again; on Multi-AZ the standby carried
// none, so the alarm means the load grew, which a larger class (or, for IOPS, storage) answers. A
// cluster already of one instance (oneInstance) on Aurora has no reader's work on its writer.
func rollbackAdvice(t Topology, oneInstance bool) string {
	if t == TopologyAurora && oneInstance {
		return "The cluster has one instance, which carries all of its load: an alarm that fires means the load grew beyond the baseline, " +
			"which a larger class answers, or a reader (`nodes = 2`) for the reads the applications send to the reader endpoint."
	}
	if t == TopologyAurora {
		return "The reader's work moved onto the writer: when an alarm fires, add the reader back (`nodes = 2`), which takes " +
			"its reads again where the applications use the reader endpoint."
	}
	return "The standby served nothing, so the single node carries the same load as before: an alarm that fires means the " +
		"load grew beyond the baseline, which a larger class answers (or, for IOPS held by the volume, more IOPS: gp3 or provisioned). Putting the standby back (`nodes = 2`) restores " +
		"failover, not capacity, and creating it (a snapshot of the volume, then synchronous replication) adds I/O and " +
		"write latency to the busy instance."
}

// writeWindows writes the report's backup and maintenance windows section.
func writeWindows(w func(string, ...any), t Topology, wa WindowAdvice) {
	w("\n## Backup and maintenance windows\n\n")
	w("| window | now (UTC) | projected CPU, busiest hour | suggested (UTC) | projected CPU |\n|---|---|---:|---|---:|\n")
	row := func(name string, cur WindowLoad, sugg string, load float64, none string) {
		now, at := "not known", "n/a"
		if cur.Window != "" {
			now = cur.Window
		}
		if cur.Known {
			at = num(cur.PeakLoad, 1) + "%"
		}
		s, sl := none, "n/a"
		if sugg != "" {
			s, sl = sugg, num(load, 1)+"%"
			if sugg == cur.Window {
				s += fmt.Sprintf(" (stays: within %g points of the quietest)", windowMoveMargin)
			}
		}
		w("| %s | %s | %s | %s | %s |\n", name, now, at, s, sl)
	}
	backupNone := "n/a (no hour has data on every day)"
	if t == TopologyAurora {
		backupNone = "n/a (Aurora backups are continuous)"
	}
	row("backup (daily)", wa.Backup, wa.SuggestedBackupWindow, wa.SuggestedBackupLoad, backupNone)
	row("maintenance (weekly)", wa.Maintenance, wa.SuggestedMaintenanceWindow, wa.SuggestedMaintenanceLoad, "n/a (less than a full week of data)")
	if len(wa.Pending) == 0 {
		w("\nNo pending maintenance actions were reported.\n")
		return
	}
	w("\nPending maintenance actions:\n\n")
	for _, m := range wa.Pending {
		w("- %s\n", mdEscape(m.Describe()))
	}
}

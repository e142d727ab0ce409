package analysis

import (
	"math"
	"slices"
)

// HoursPerMonth is the AWS billing convention for a month (730 h).
const HoursPerMonth = 730

// CostEstimate compares the cluster's cost today with the single node.
type CostEstimate struct {
	// Known is false when the current price or the proposed class's price
	// is missing; the USD fields are then 0 except those that are known.
	Known              bool
	CurrentMonthlyUSD  float64       // CurrentHourlyUSD × 730
	ProposedClass      string        // class priced for the single node (Recommendation.RecommendedClass)
	ProposedMonthlyUSD float64       // single-node price of ProposedClass × 730
	MonthlySavingsUSD  float64       // current − proposed (negative = costs more)
	AnnualSavingsUSD   float64       // monthly × 12
	Target             SavingsTarget // the savings target compared against
	// TargetMet is MonthlySavingsUSD >= Target.MinMonthlyUSD.
	TargetMet bool
	// TargetStatus is "below", "within" or "above" the target range, or
	// "unknown" without prices.
	TargetStatus string
	// Surplus CPU credits of burstable classes, vCPU-hours per month: today
	// (every node's own CPU on its class) and on the single node (the
	// projected CPU on ProposedClass); 0 for fixed-performance classes.
	CurrentCreditVCPUHours  float64
	ProposedCreditVCPUHours float64
	// The same in USD per month at ClusterInput.CPUCreditUSDPerVCPUHour (0
	// when that price is unknown). When priced, CurrentMonthlyUSD and
	// ProposedMonthlyUSD include them, and so do the savings.
	CurrentCreditsUSD  float64
	ProposedCreditsUSD float64
	// CreditUSDPerVCPUHour is the surplus credit price used (0: unknown).
	CreditUSDPerVCPUHour float64
	// The storage the change affects, USD per month, today and on the single
	// node (ClusterInput.CurrentStorageMonthlyUSD and
	// SingleNodeStorageMonthlyUSD; 0 when not priced or unchanged). When
	// priced, CurrentMonthlyUSD and ProposedMonthlyUSD include them, and so
	// do the savings.
	CurrentStorageUSD  float64
	ProposedStorageUSD float64
	// PriceSource is ClusterInput.PriceSource: where the prices came from
	// ("": a catalog's on-demand list prices).
	PriceSource string
}

// Cost computes a CostEstimate from hourly prices: currentHourly for the
// 2-node cluster and proposedHourly for the single node (both USD/hour,
// 730 hours a month). A zero, negative, NaN or infinite price is unknown
// (Known false), and so is one whose yearly cost in cents overflows float64. A zero
// target takes DefaultSavingsTarget; a target whose ends are not finite and
// non-negative with the minimum at most the maximum (which Analyze refuses)
// is compared with nothing: TargetStatus stays "unknown" and TargetMet false.
func Cost(currentHourly, proposedHourly float64, proposedClass string, target SavingsTarget) CostEstimate {
	if target == (SavingsTarget{}) {
		target = DefaultSavingsTarget()
	}
	c := CostEstimate{ProposedClass: proposedClass, Target: target, TargetStatus: "unknown"}
	known := func(p float64) bool { return p > 0 && moneyFits(p*HoursPerMonth) }
	if known(currentHourly) {
		c.CurrentMonthlyUSD = round(currentHourly*HoursPerMonth, 2)
	}
	if known(proposedHourly) {
		c.ProposedMonthlyUSD = round(proposedHourly*HoursPerMonth, 2)
	}
	if !known(currentHourly) || !known(proposedHourly) {
		return c
	}
	c.Known = true
	c.settle()
	return c
}

// moneyFits reports whether a monthly amount in USD is finite, and stays so
// over a year and in cents (round multiplies by 100).
func moneyFits(monthly float64) bool { return !math.IsInf(monthly*12*100, 0) && monthly == monthly }

// settle derives the savings and the target status from the monthly costs.
func (c *CostEstimate) settle() {
	c.MonthlySavingsUSD = round(c.CurrentMonthlyUSD-c.ProposedMonthlyUSD, 2)
	c.AnnualSavingsUSD = round(c.MonthlySavingsUSD*12, 2)
	if c.Target.validate() != nil {
		c.TargetMet, c.TargetStatus = false, "unknown"
		return
	}
	c.TargetMet = c.MonthlySavingsUSD >= c.Target.MinMonthlyUSD
	switch {
	case c.MonthlySavingsUSD < c.Target.MinMonthlyUSD:
		c.TargetStatus = "below"
	case c.MonthlySavingsUSD > c.Target.MaxMonthlyUSD:
		c.TargetStatus = "above"
	default:
		c.TargetStatus = "within"
	}
}

// addCredits adds the surplus CPU credits, now and after (vCPU-hours per
// month), priced at usdPerVCPUHour when it is known (> 0).
func (c *CostEstimate) addCredits(now, after, usdPerVCPUHour float64) {
	c.CurrentCreditVCPUHours, c.ProposedCreditVCPUHours = round(now, 2), round(after, 2)
	c.CreditUSDPerVCPUHour = max(usdPerVCPUHour, 0)
	if !(usdPerVCPUHour > 0) {
		return
	}
	c.CurrentCreditsUSD, c.ProposedCreditsUSD = round(now*usdPerVCPUHour, 2), round(after*usdPerVCPUHour, 2)
	c.addMonthly(c.CurrentCreditsUSD, c.ProposedCreditsUSD)
}

// addStorage adds the monthly cost of the storage the change affects, now and
// after, when it is priced (> 0).
func (c *CostEstimate) addStorage(now, after float64) {
	if !(now > 0 && after > 0) {
		return
	}
	c.CurrentStorageUSD, c.ProposedStorageUSD = round(now, 2), round(after, 2)
	c.addMonthly(c.CurrentStorageUSD, c.ProposedStorageUSD)
}

// addMonthly adds USD per month to the current and the proposed cost, each
// where it is priced, and settles the savings again.
func (c *CostEstimate) addMonthly(now, after float64) {
	if c.CurrentMonthlyUSD > 0 {
		c.CurrentMonthlyUSD = round(c.CurrentMonthlyUSD+now, 2)
	}
	if c.ProposedMonthlyUSD > 0 {
		c.ProposedMonthlyUSD = round(c.ProposedMonthlyUSD+after, 2)
	}
	if c.Known {
		c.settle()
	}
}

// ClassOption is one candidate class evaluated for the single node.
type ClassOption struct {
	Rank  int           // 1 = best
	Class InstanceClass // the candidate class
	// Fits is true when every check of the single node passes on this
	// class (the capacity checks, local_storage and cpu_credits, as for
	// the verdict) and it is not a burstable class replacing a
	// fixed-performance one.
	Fits bool
	// CPUP99 and MemoryP99 are projected p99 utilisation in percent of this
	// class (before headroom); IOPSP99Percent is of its baseline IOPS (the
	// class's, or its volume's when lower; NaN when unknown).
	CPUP99         float64
	MemoryP99      float64 // projected memory in use p99, percent of this class's RAM (Aurora: outside the buffer cache, percent of what this class's cache leaves)
	IOPSP99Percent float64 // projected IOPS p99, percent of the baseline IOPS (NaN when unknown)
	// Failed names the capacity checks that fail on this class
	// (Reason.Check values), plus "burstable_class" for a burstable
	// candidate when the writer's class is not burstable, "local_storage"
	// when the projected local storage use at its peak, with headroom,
	// exceeds the class's local storage (Aurora, both known), "cpu_credits"
	// for a burstable class whose baseline the projected CPU exceeds, with
	// headroom, as a mean over some 24 hours (it would pay for surplus
	// credits; see CPUCredits), and "no_data".
	Failed            []string
	MonthlyUSD        float64 // 0 when unpriced
	MonthlySavingsUSD float64 // vs the current cluster, as CostEstimate.MonthlySavingsUSD would be on this class (instance hours, the storage the change saves, surplus CPU credits now and on it); 0 when either price is unknown
}

// classOption judges candidate c as the single node's class: its projected utilisation, whether
// it fits (the verdict's checks, and no burstable class in place of a fixed-performance one) and
// its price, with the savings the recommendation would show on it (costEstimate: instance hours,
// the storage the change saves, and the surplus CPU credits of the current nodes, creditsNow
// vCPU-hours a month, against those c would pay). classOptions ranks them.
func classOption(pr Projection, c Candidate, in ClusterInput, p Policy, creditsNow float64) ClassOption {
	o := ClassOption{Class: c.Class, CPUP99: math.NaN(), MemoryP99: math.NaN(), IOPSP99Percent: math.NaN(), Fits: true}
	if v := pr.CPU.P99; v == v {
		o.CPUP99 = round(v*pr.Class.VCPU/c.Class.VCPU, 2)
	}
	if v := pr.MemoryUsed.P99; v == v {
		o.MemoryP99 = math.Inf(1) // no room: the group's shared_buffers takes all of the class's memory
		if room := pr.memoryRoom(c.Class); room > 0 {
			o.MemoryP99 = round(100*pr.memoryJudged(v)/room, 2)
		}
	}
	if v := pr.IOPS.P99; v == v && c.Class.BaselineIOPS > 0 {
		o.IOPSP99Percent = round(100*v/c.Class.BaselineIOPS, 2)
	}
	checks := capacityChecks(pr, c.Class, in.Postgres, p)
	if len(checks) == 0 {
		o.Fits = false
		o.Failed = append(o.Failed, "no_data")
	}
	if c.Class.Burstable && !pr.Class.Burstable {
		// A credit-based class is not offered to replace a fixed-performance
		// one: without a second node nothing absorbs a credit exhaustion.
		o.Fits = false
		o.Failed = append(o.Failed, "burstable_class")
	}
	// The same checks as the verdict's on the recommended class.
	for _, ch := range append(checks, classChecks(pr, c.Class, p)...) {
		if !ch.Passed {
			o.Fits = false
			o.Failed = append(o.Failed, ch.Check)
		}
	}
	if c.SingleNodeHourlyUSD > 0 {
		o.MonthlyUSD = round(c.SingleNodeHourlyUSD*HoursPerMonth, 2)
		var after float64
		if cr, ok := projectedCredits(pr, c.Class); ok {
			after = cr.SurplusVCPUHoursPerMonth
		}
		if ce := costEstimate(in, c.Class.Name, c.SingleNodeHourlyUSD, creditsNow, after); ce.Known {
			o.MonthlySavingsUSD = ce.MonthlySavingsUSD
		}
	}
	return o
}

// classOptions evaluates each candidate; fitting classes first, each group
// by price (unpriced last) then name.
func classOptions(pr Projection, in ClusterInput, p Policy, creditsNow float64) []ClassOption {
	var out []ClassOption
	for _, c := range sortedCandidates(in.Candidates) {
		out = append(out, classOption(pr, c, in, p, creditsNow))
	}
	slices.SortStableFunc(out, func(a, b ClassOption) int {
		if a.Fits != b.Fits {
			if a.Fits {
				return -1
			}
			return 1
		}
		return 0 // already by price then name
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

// recommendClass returns the option the single node should run on, the
// cheapest that fits, whatever the writer's class costs: the cheapest
// fitting priced option (ties by name); else, among unpriced fitting
// options, the writer's class w, then the first by name. ok is false when
// no option fits (and for no options): the caller keeps both nodes.
// opts are in classOptions' order.
func recommendClass(w InstanceClass, opts []ClassOption) (ClassOption, bool) {
	var unpriced []ClassOption
	for i, o := range opts {
		switch {
		case !o.Fits:
		case o.MonthlyUSD > 0:
			// Fitting first, by price then name; at the same price the writer's own class, which
			// needs no class change.
			for _, same := range opts[i+1:] {
				if same.Fits && same.MonthlyUSD == o.MonthlyUSD && same.Class.Name == w.Name {
					return same, true
				}
			}
			return o, true
		default:
			unpriced = append(unpriced, o)
		}
	}
	for _, o := range unpriced {
		if o.Class.Name == w.Name {
			return o, true
		}
	}
	if len(unpriced) > 0 {
		return unpriced[0], true
	}
	return ClassOption{}, false
}

// singleNodeHourly is the single-node hourly price of the candidate class named class (the first
// of that name), 0 when no candidate has it or its price is unknown.
func (in ClusterInput) singleNodeHourly(class string) float64 {
	for _, c := range in.Candidates {
		if c.Class.Name == class {
			return c.SingleNodeHourlyUSD
		}
	}
	return 0
}

// costEstimate prices the single node on class recommended at hourly USD an hour, with the
// surplus CPU credits now and after (vCPU-hours per month) and the storage the change affects.
func costEstimate(in ClusterInput, recommended string, hourly, creditsNow, creditsAfter float64) CostEstimate {
	c := Cost(in.CurrentHourlyUSD, hourly, recommended, in.SavingsTarget)
	c.addCredits(creditsNow, creditsAfter, in.CPUCreditUSDPerVCPUHour)
	c.addStorage(in.CurrentStorageMonthlyUSD, in.SingleNodeStorageMonthlyUSD)
	c.PriceSource = in.PriceSource
	return c
}

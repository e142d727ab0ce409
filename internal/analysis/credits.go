package analysis

import (
	"math"
	"time"
)

// CPU credits of burstable classes (db.t3, db.t4g).
//
// A burstable instance earns CPU credits at its baseline and spends them at
// its CPU utilization: 1 credit is 1 vCPU at 100% for 1 minute, so an hour
// at CPUUtilization u% spends u/100 × vCPU × 60 credits and earns
// baseline/100 × vCPU × 60. Unspent credits accrue up to the credits of 24
// hours. RDS and Aurora run T classes in unlimited mode: with no accrued
// credits left the instance keeps bursting on surplus credits, which the
// credits it earns later pay down; spent surplus above the 24-hour accrual
// limit is charged at the end of the hour, at a flat rate per vCPU-hour.
// (AWS EC2 User Guide, "Key concepts and definitions for burstable
// performance instances" and "Unlimited mode concepts".)

// CPUCredits is the CPU credit account of a burstable class running a CPU
// load, simulated hour by hour over the analysed window in its steady
// state: the window starts with the balance and surplus it leaves behind,
// as if the load repeated the window (a full balance when the load stays
// within the baseline).
type CPUCredits struct {
	Node            string  // the node whose measured CPU ran; empty for the projected single node
	Class           string  // the class simulated
	VCPU            float64 // its vCPUs
	BaselinePercent float64 // its per-vCPU baseline, percent (CPUUtilization at which earning equals spending)
	// Hours is the number of hours simulated (the hours of the window,
	// with or without data).
	Hours int
	// Peak24hMeanPercent is the highest mean CPUUtilization over 24
	// consecutive hours (hours without data left out of the mean), in
	// percent of the class; Peak24hEnd is the end of that window. NaN and
	// zero when the window is shorter than 24 hours or has no data.
	Peak24hMeanPercent float64
	Peak24hEnd         time.Time
	// MaxBalance is the accrual limit, the credits earned in 24 hours.
	MaxBalance float64
	// MinBalance is the lowest accrued balance at the end of an hour, in
	// credits.
	MinBalance float64
	// DepletedHours counts the hours that ended with no accrued credits
	// (the node was bursting on surplus credits); FirstDepleted is the end
	// of the first of them (zero when none).
	DepletedHours int
	FirstDepleted time.Time
	// SurplusChargedVCPUHours is the surplus charged over the window, in
	// vCPU-hours (60 credits each); SurplusVCPUHoursPerMonth scales it to a
	// 730-hour month.
	SurplusChargedVCPUHours  float64
	SurplusVCPUHoursPerMonth float64
}

// MinBalancePercent is MinBalance in percent of MaxBalance.
func (c CPUCredits) MinBalancePercent() float64 {
	if c.MaxBalance <= 0 {
		return math.NaN()
	}
	return 100 * c.MinBalance / c.MaxBalance
}

// maxCreditRuns bounds the runs that settle the credit account's starting
// state. It settles in a few: each run moves the balance or the surplus by
// the window's net credits until one of them reaches its limit. A net
// deficit too small to settle in that many runs is at most that deficit
// per window of surplus left uncharged.
const maxCreditRuns = 16

// simulateCredits runs the credit account of class c over the hourly CPU
// aggregates h of a series with the given period, each hour's mean
// multiplied by scale (the ratio of the series' vCPUs to c's, for a load
// measured on another class). An hour spends for the minutes it has
// datapoints (count × period); the minutes without data are taken at the
// baseline, so they neither earn nor spend. ok is false when c is not
// burstable with a known baseline, h has no hours, or the period is not
// within (0, 1 h] (a longer datapoint cannot be placed in its hours).
func simulateCredits(h hourly, period time.Duration, scale float64, c InstanceClass) (CPUCredits, bool) {
	if !c.Burstable || !(c.BaselineCPUPercent > 0) || !(c.VCPU > 0) || len(h.mean) == 0 || period <= 0 || period > time.Hour {
		return CPUCredits{}, false
	}
	perMin := c.VCPU / 100 // credits per minute per percent of CPU
	limit := c.BaselineCPUPercent * perMin * 60 * 24
	cr := CPUCredits{Class: c.Name, VCPU: c.VCPU, BaselinePercent: c.BaselineCPUPercent, Hours: len(h.mean),
		MaxBalance: limit, MinBalance: limit}
	periodMin := period.Minutes()
	// The runs before the reported one find the balance and surplus the
	// window leaves behind when it starts with them (from a full balance,
	// until they repeat; a few runs): the reported run is then the steady
	// state of a load that repeats the window, rather than one that starts
	// with a full balance a busy node would not have.
	balance, surplus, charged := limit, 0.0, 0.0
	eps := 1e-9 * limit
	run := func(report bool) {
		charged = 0
		for i, m := range h.mean {
			minutes := float64(h.count[i]) * periodMin
			load := 0.0
			if minutes > 0 {
				load = m * scale
			}
			net := float64((c.BaselineCPUPercent - load) * perMin * minutes)
			if net >= 0 {
				pay := math.Min(surplus, net)
				surplus -= pay
				balance = math.Min(limit, balance+net-pay)
			} else {
				use := math.Min(balance, -net)
				balance -= use
				surplus += -net - use
			}
			if surplus > limit {
				charged += surplus - limit
				surplus = limit
			}
			// Rounding leaves crumbs (20% of 2 vCPUs is 0.4000000000000001
			// credits a minute): a balance or surplus within a billionth of
			// the limit of zero is zero.
			if balance < eps {
				balance = 0
			}
			if surplus < eps {
				surplus = 0
			}
			if !report {
				continue
			}
			cr.MinBalance = math.Min(cr.MinBalance, balance)
			if balance <= 0 && surplus > 0 {
				if cr.DepletedHours == 0 {
					cr.FirstDepleted = h.start.Add(time.Duration(i+1) * time.Hour)
				}
				cr.DepletedHours++
			}
		}
	}
	for range maxCreditRuns {
		b0, s0 := balance, surplus
		run(false)
		if math.Abs(balance-b0) <= eps && math.Abs(surplus-s0) <= eps {
			break
		}
	}
	run(true)
	cr.Peak24hMeanPercent, cr.Peak24hEnd = peak24h(h, scale)
	cr.SurplusChargedVCPUHours = charged / 60
	cr.SurplusVCPUHoursPerMonth = cr.SurplusChargedVCPUHours * HoursPerMonth / float64(len(h.mean))
	return cr, true
}

// peak24h returns the highest mean of 24 consecutive hours of h (each
// hour weighted by its datapoints, multiplied by scale) and the end of the
// first window that reaches it; NaN and zero when h has fewer than 24 hours
// or no data.
func peak24h(h hourly, scale float64) (float64, time.Time) {
	peak, end := math.NaN(), time.Time{}
	for i := 23; i < len(h.mean); i++ {
		if mean := windowMean(h, i-23, i+1, scale); mean == mean && !(mean <= peak) {
			peak, end = mean, h.start.Add(time.Duration(i+1)*time.Hour)
		}
	}
	return peak, end
}

// windowMean is the mean of hours [from, to) of h, each hour weighted by
// its datapoints and multiplied by scale; NaN when they have none.
func windowMean(h hourly, from, to int, scale float64) float64 {
	var sum float64
	n := 0
	for i := from; i < to; i++ {
		if c := h.count[i]; c > 0 {
			sum += float64(h.mean[i] * float64(c))
			n += c
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n) * scale
}

// projectedCredits simulates the credit account of class c running the
// projected single-node CPU (expressed in the writer's class, rescaled to
// c's vCPUs).
func projectedCredits(pr Projection, c InstanceClass) (CPUCredits, bool) {
	if !(pr.Class.VCPU > 0) {
		return CPUCredits{}, false
	}
	return simulateCredits(pr.cpuH, pr.period, pr.Class.VCPU/c.VCPU, c)
}

// creditsFit reports whether the load's highest 24-hour mean, with the
// policy's headroom, stays within the baseline: the node would then pay
// for no surplus credits even with that growth.
func creditsFit(cr CPUCredits, p Policy) bool {
	v := cr.Peak24hMeanPercent
	return !(v == v) || v*(1+p.HeadroomPercent/100) <= cr.BaselinePercent
}

// nodeCredits simulates each node's own credit account over its measured
// CPU (burstable classes with a known baseline), in input order, and
// returns them with their surplus in vCPU-hours per month.
func nodeCredits(in ClusterInput, ms map[string]map[string]*measured) ([]CPUCredits, float64) {
	var (
		out   []CPUCredits
		total float64
	)
	for _, n := range in.Nodes {
		m, ok := ms[n.ID][MetricCPU]
		if !ok {
			continue
		}
		if cr, ok := simulateCredits(m.h, m.s.Period, 1, n.Class); ok {
			cr.Node = n.ID
			out = append(out, cr)
			total += cr.SurplusVCPUHoursPerMonth
		}
	}
	return out, total
}

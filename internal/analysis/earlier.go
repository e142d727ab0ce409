package analysis

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// EarlierPeak compares the busiest hour the single node would have carried
// before the lookback (ClusterInput.Earlier: months of hourly CPU that
// CloudWatch keeps for 455 days) with the busiest hour of the lookback, on
// the recommended class. A lookback of two or four weeks does not see a
// month-end close, a sale, a campaign or last year's holiday peak; the
// earlier CPU does, at hourly resolution.
//
// Both are hourly means of the projected CPU: each UTC hour, the writer's
// mean plus each reader's scaled by reader vCPU / writer vCPU (as the
// projection adds them), in percent of the recommended class's vCPUs. An
// hour without the writer's data is left out; a reader without data in an
// hour adds nothing (it did not exist, or its data is missing: the peak can
// only be understated). A reader the cluster had then and no longer has
// (ClusterInput.EarlierReaders: removed before the lookback) adds its CPU
// as a reader's. The classes are today's (a removed reader's, the one it
// had): CPU measured on an earlier class is taken as if on today's.
type EarlierPeak struct {
	// Start and End bound the earlier hours with a projected value (End
	// exclusive: the end of the last such hour).
	Start, End time.Time
	// Hours is the number of hours with a projected value.
	Hours int
	// PeakTime is the start of the busiest earlier hour; PeakCPU its
	// projected CPU, percent.
	PeakTime time.Time
	PeakCPU  float64
	// LookbackPeakTime and LookbackPeakCPU are the same of the lookback's
	// busiest hour (NaN CPU when the lookback's CPU was not projected).
	LookbackPeakTime time.Time
	LookbackPeakCPU  float64
}

// earlierPeak is the EarlierPeak of in's Earlier CPU on class c, against the
// projection pr; ok is false when in has no earlier hour with the writer's
// data.
func earlierPeak(in ClusterInput, pr Projection, c InstanceClass) (EarlierPeak, bool) {
	writer, others := in.split()
	w, ok := in.Earlier[writer.ID]
	if !ok || writer.Class.VCPU <= 0 || c.VCPU <= 0 {
		return EarlierPeak{}, false
	}
	const hour = int64(time.Hour / time.Nanosecond)
	type acc struct {
		sum float64
		n   int
	}
	hourly := func(s Series) map[int64]acc {
		m := map[int64]acc{}
		for i, t := range s.Timestamps {
			v := s.Values[i]
			if v != v || math.IsInf(v, 0) {
				continue
			}
			k := floorDiv(t.UnixNano(), hour)
			a := m[k]
			a.sum += v
			a.n++
			m[k] = a
		}
		return m
	}
	proj := map[int64]float64{}
	for k, a := range hourly(w) {
		proj[k] = a.sum / float64(a.n)
	}
	if len(proj) == 0 {
		return EarlierPeak{}, false
	}
	for _, r := range slices.Concat(others, in.EarlierReaders) {
		s, ok := in.Earlier[r.ID]
		if !ok || r.Role != RoleReader {
			continue
		}
		scale := r.Class.VCPU / writer.Class.VCPU
		for k, a := range hourly(s) {
			if v, ok := proj[k]; ok {
				proj[k] = v + float64(a.sum/float64(a.n)*scale)
			}
		}
	}
	keys := make([]int64, 0, len(proj))
	for k := range proj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	toTarget := writer.Class.VCPU / c.VCPU
	e := EarlierPeak{Start: time.Unix(0, keys[0]*hour).UTC(), End: time.Unix(0, (keys[len(keys)-1]+1)*hour).UTC(),
		Hours: len(keys), PeakCPU: math.Inf(-1), LookbackPeakCPU: math.NaN()}
	for _, k := range keys {
		if v := proj[k] * toTarget; v > e.PeakCPU {
			e.PeakCPU, e.PeakTime = v, time.Unix(0, k*hour).UTC()
		}
	}
	scale := pr.Class.VCPU / c.VCPU
	for i, v := range pr.cpuH.mean {
		if pr.cpuH.count[i] > 0 && v == v && !(v*scale <= e.LookbackPeakCPU) {
			e.LookbackPeakCPU, e.LookbackPeakTime = v*scale, pr.cpuH.start.Add(time.Duration(i)*time.Hour).UTC()
		}
	}
	return e, true
}

// risk is the "high-traffic" risk of an earlier hour busier than the
// lookback's busiest by more than the policy's headroom, and using, with
// headroom, at least half the alert threshold (an idle database's busier
// hour, 2% against 1%, is no risk): high when that hour's CPU alone, with
// headroom, is above the alert threshold, medium otherwise. None when the
// lookback's was not projected. On Multi-AZ the standby carries none of the
// load, so the remedy is capacity; on Aurora keeping the reader through the
// peak also is; a deployment of one node already (oneNode) has only the
// class to change.
func (e EarlierPeak) risk(c InstanceClass, p Policy, t Topology, oneNode bool) (Risk, bool) {
	h := 1 + p.HeadroomPercent/100
	if e.LookbackPeakCPU != e.LookbackPeakCPU || e.PeakCPU <= e.LookbackPeakCPU*h || e.PeakCPU*h < p.AlertThresholdPercent/2 {
		return Risk{}, false
	}
	sev, verdict := "medium", fmt.Sprintf("within the %.0f%% alert threshold even so, but beyond the headroom the lookback leaves for growth", p.AlertThresholdPercent)
	if e.PeakCPU*h > p.AlertThresholdPercent {
		sev, verdict = "high", fmt.Sprintf("above the %.0f%% alert threshold: at such a peak the single node would run hotter than the policy allows", p.AlertThresholdPercent)
	}
	plan := "plan the class the single node needs for it (the Multi-AZ standby carries none of the load)"
	switch {
	case oneNode:
		plan = "plan the class the node needs for it"
	case t == TopologyAurora:
		plan = "plan the class the single node needs for it, or keep the reader through it"
	}
	const layout = "Mon 2006-01-02 15:04"
	return Risk{Category: "high-traffic", Severity: sev, Description: fmt.Sprintf(
		"Busier before the lookback: the single node on %s would have carried %.1f%% CPU in the busiest hour of the %d days before it (%s UTC, hourly mean), "+
			"against %.1f%% in the lookback's busiest hour (%s UTC); with %.0f%% headroom %.1f%%, %s. "+
			"If that peak recurs (a month end, a sale, a season), lengthen lookback_days to take it in, or %s",
		c.Name, e.PeakCPU, int(math.Round(e.End.Sub(e.Start).Hours()/24)), e.PeakTime.Format(layout), e.LookbackPeakCPU, e.LookbackPeakTime.Format(layout),
		p.HeadroomPercent, e.PeakCPU*h, verdict, plan)}, true
}

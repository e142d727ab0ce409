package analysis

import (
	"math"
	"strconv"
)

// ParameterUnits gives the unit of each value Tune returns: the parameter's
// base unit in PostgreSQL, which is also what an RDS DB parameter group
// expects (no unit suffix). "" means unitless.
var ParameterUnits = map[string]string{
	"shared_buffers":                   "8kB",
	"effective_cache_size":             "8kB",
	"maintenance_work_mem":             "kB",
	"work_mem":                         "kB",
	"wal_buffers":                      "8kB",
	"min_wal_size":                     "MB",
	"max_wal_size":                     "MB",
	"checkpoint_completion_target":     "",
	"random_page_cost":                 "",
	"effective_io_concurrency":         "",
	"default_statistics_target":        "",
	"max_connections":                  "",
	"max_worker_processes":             "",
	"max_parallel_workers":             "",
	"max_parallel_workers_per_gather":  "",
	"max_parallel_maintenance_workers": "",
}

// TuneInput are the workload facts Tune needs besides the class.
type TuneInput struct {
	// PeakConnections is the highest observed connection count on the
	// single node (projected); NaN or 0 when unknown.
	PeakConnections float64
	// HeadroomPercent is added to the peak (default policy: 20).
	HeadroomPercent float64
	// ConnectionsThresholdPercent is the share of max_connections the peak
	// plus headroom may use (Policy.ConnectionsThresholdPercent, which the
	// connections check compares with); 0 means the default policy's 80.
	ConnectionsThresholdPercent float64
	// HDD selects magnetic-storage costs; false means SSD.
	HDD bool
}

// Tune returns pgtune-style ("OLTP") PostgreSQL settings for a single node of
// class c, as strings in the units of ParameterUnits (so they can go straight
// into an RDS parameter group):
//
//   - max_connections = peak × (1 + headroom) / connections threshold
//     (80% by default), rounded up to a multiple of 10, plus 3 reserved
//     superuser slots; at least 20 and at most 5000 (the RDS ceiling).
//     Below the ceiling the value passes the recommendation's connections
//     check itself (peak × (1 + headroom) within the threshold of it).
//     Unknown peak: 100.
//   - shared_buffers = RAM/4; effective_cache_size = 3/4 RAM.
//   - maintenance_work_mem = RAM/16, at most 8 GiB.
//   - work_mem = (RAM − shared_buffers) / ((max_connections +
//     max_worker_processes) × 3), at least 4 MiB.
//   - wal_buffers = 3% of shared_buffers, at most 16 MiB; min_wal_size
//     2 GiB, max_wal_size 8 GiB, checkpoint_completion_target 0.9.
//   - random_page_cost 1.1 on SSD (4 on HDD), effective_io_concurrency 200
//     on SSD (2 on HDD), default_statistics_target 100.
//   - max_worker_processes = max(8, vCPU); max_parallel_workers = vCPU;
//     per gather and maintenance: vCPU/2, between 1 and 4.
//
// c must have positive VCPU and MemoryGiB; otherwise Tune returns nil.
func Tune(c InstanceClass, in TuneInput) map[string]string {
	if !(c.VCPU > 0) || !(c.MemoryGiB > 0) {
		return nil
	}
	ramKB := c.MemoryGiB * 1024 * 1024
	vcpu := int(math.Max(1, math.Round(c.VCPU)))
	maxConn := 100
	if pk := in.PeakConnections; pk == pk && pk > 0 {
		limit := in.ConnectionsThresholdPercent
		if !(limit > 0) {
			limit = DefaultPolicy().ConnectionsThresholdPercent
		}
		need := pk * (1 + in.HeadroomPercent/100) * 100 / limit
		need = math.Round(need*1e6) / 1e6 // 120 × 1.2 / 0.8 is 180, not 180.00000000000003
		v := math.Ceil(need/10) * 10
		maxConn = int(math.Min(5000, math.Max(20, v+3)))
	}
	workers := max(8, vcpu)
	sharedKB := ramKB / 4
	workKB := (ramKB - sharedKB) / (float64(maxConn+workers) * 3)
	workKB = math.Max(4096, math.Floor(workKB))
	maint := math.Min(ramKB/16, 8*1024*1024)
	walKB := math.Min(sharedKB*0.03, 16*1024)
	half := min(4, max(1, vcpu/2))
	rpc, eio := "1.1", "200"
	if in.HDD {
		rpc, eio = "4", "2"
	}
	i := func(v float64) string { return strconv.FormatInt(int64(v), 10) }
	return map[string]string{
		"max_connections":                  strconv.Itoa(maxConn),
		"shared_buffers":                   i(sharedKB / 8),
		"effective_cache_size":             i(ramKB * 3 / 4 / 8),
		"maintenance_work_mem":             i(maint),
		"work_mem":                         i(workKB),
		"wal_buffers":                      i(math.Max(8, walKB/8)),
		"min_wal_size":                     "2048",
		"max_wal_size":                     "8192",
		"checkpoint_completion_target":     "0.9",
		"random_page_cost":                 rpc,
		"effective_io_concurrency":         eio,
		"default_statistics_target":        "100",
		"max_worker_processes":             strconv.Itoa(workers),
		"max_parallel_workers":             strconv.Itoa(vcpu),
		"max_parallel_workers_per_gather":  strconv.Itoa(half),
		"max_parallel_maintenance_workers": strconv.Itoa(half),
	}
}

// humanParameter renders a Tune value with its unit for people ("2GB").
func humanParameter(name, value string) string {
	u := ParameterUnits[name]
	if u == "" {
		return value
	}
	n, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return value
	}
	kb := n
	switch u {
	case "8kB":
		kb = n * 8
	case "MB":
		kb = n * 1024
	}
	switch {
	case kb >= 1024*1024 && math.Mod(kb, 1024*1024) == 0:
		return strconv.FormatFloat(kb/1024/1024, 'f', -1, 64) + "GB"
	case kb >= 1024 && math.Mod(kb, 1024) == 0:
		return strconv.FormatFloat(kb/1024, 'f', -1, 64) + "MB"
	}
	return strconv.FormatFloat(kb, 'f', -1, 64) + "kB"
}

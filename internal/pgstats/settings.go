package pgstats

import (
	"fmt"
	"math"
	"strconv"
)

// settingNames are the pg_settings rows the collector reads. A name the server
// does not know is simply absent from the result.
var settingNames = []string{
	"shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem",
	"max_connections", "superuser_reserved_connections", "reserved_connections", "rds.rds_superuser_reserved_connections",
	"max_worker_processes", "max_parallel_workers", "random_page_cost", "effective_io_concurrency",
	"checkpoint_timeout", "checkpoint_completion_target", "max_wal_size", "min_wal_size",
	"wal_buffers", "wal_level", "synchronous_commit", "block_size",
}

// unitFactor returns what one unit of a pg_settings.unit is worth in bytes
// (memory units) or seconds (time units), and which of the two it is.
// An empty unit is a plain number (factor 1, kind "").
func unitFactor(unit string) (factor float64, kind string, err error) {
	switch unit {
	case "":
		return 1, "", nil
	case "B":
		return 1, "bytes", nil
	case "kB":
		return 1024, "bytes", nil
	case "8kB":
		return 8 * 1024, "bytes", nil
	case "16kB":
		return 16 * 1024, "bytes", nil
	case "32kB":
		return 32 * 1024, "bytes", nil
	case "64kB":
		return 64 * 1024, "bytes", nil
	case "MB":
		return 1024 * 1024, "bytes", nil
	case "GB":
		return 1024 * 1024 * 1024, "bytes", nil
	case "TB":
		return 1024 * 1024 * 1024 * 1024, "bytes", nil
	case "us":
		return 1e-6, "seconds", nil
	case "ms":
		return 1e-3, "seconds", nil
	case "s":
		return 1, "seconds", nil
	case "min":
		return 60, "seconds", nil
	case "h":
		return 3600, "seconds", nil
	case "d":
		return 86400, "seconds", nil
	}
	return 0, "", fmt.Errorf("unknown pg_settings unit %q", unit)
}

// normaliseSetting converts a pg_settings (setting, unit) pair to a number of
// bytes, seconds or a plain number. Negative sentinels (such as -1 for
// "automatic" or "disabled") are returned unscaled, as -1. It returns an error
// for a setting that is not numeric or a unit it does not know.
func normaliseSetting(setting, unit string) (float64, error) {
	v, err := strconv.ParseFloat(setting, 64)
	if err != nil {
		return 0, fmt.Errorf("setting value %q is not numeric", setting)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("setting value %q is not finite", setting)
	}
	f, _, err := unitFactor(unit)
	if err != nil {
		return 0, err
	}
	if v < 0 {
		return v, nil
	}
	return v * f, nil
}

// settingRow is one pg_settings row as read.
type settingRow struct {
	name, setting, unit string
}

// buildSettings fills Settings from pg_settings rows. Rows it cannot normalise
// produce warnings and leave the field at zero.
func buildSettings(rows []settingRow) (Settings, []string) {
	var s Settings
	var warnings []string
	num := func(r settingRow) float64 {
		v, err := normaliseSetting(r.setting, r.unit)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("setting %s: %v; reported as 0", r.name, err))
			return 0
		}
		return v
	}
	for _, r := range rows {
		switch r.name {
		case "shared_buffers":
			s.SharedBuffersBytes = int64(num(r))
		case "effective_cache_size":
			s.EffectiveCacheSizeBytes = int64(num(r))
		case "work_mem":
			s.WorkMemBytes = int64(num(r))
		case "maintenance_work_mem":
			s.MaintenanceWorkMemBytes = int64(num(r))
		case "max_connections":
			s.MaxConnections = int64(num(r))
		case "superuser_reserved_connections":
			s.SuperuserReservedConnections = int64(num(r))
		case "reserved_connections":
			s.ReservedConnections = int64(num(r))
		case "rds.rds_superuser_reserved_connections":
			s.RDSSuperuserReservedConnections = int64(num(r))
		case "max_worker_processes":
			s.MaxWorkerProcesses = int64(num(r))
		case "max_parallel_workers":
			s.MaxParallelWorkers = int64(num(r))
		case "random_page_cost":
			s.RandomPageCost = num(r)
		case "effective_io_concurrency":
			s.EffectiveIOConcurrency = int64(num(r))
		case "checkpoint_timeout":
			s.CheckpointTimeoutSeconds = num(r)
		case "checkpoint_completion_target":
			s.CheckpointCompletionTarget = num(r)
		case "max_wal_size":
			s.MaxWALSizeBytes = int64(num(r))
		case "min_wal_size":
			s.MinWALSizeBytes = int64(num(r))
		case "wal_buffers":
			s.WALBuffersBytes = int64(num(r))
		case "wal_level":
			s.WALLevel = r.setting
		case "synchronous_commit":
			s.SynchronousCommit = r.setting
		case "block_size":
			s.BlockSizeBytes = int64(num(r))
		}
	}
	return s, warnings
}

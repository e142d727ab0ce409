package pgstats

import (
	"testing"
)

// TestBuildSettings_rdsReservedSlots: RDS and Aurora keep rds.rds_superuser_reserved_connections
// slots (2 by default) for rds_superuser on top of superuser_reserved_connections, and refuse
// ordinary roles past max_connections less both ("remaining connection slots are reserved for
// non-replication superuser, rds_reserved, and rds_superuser connections"): the setting, which
// pg_settings lists there, is read. (A community server cannot list it: a placeholder of the rds
// prefix stays out of pg_settings, so this reads the rows as RDS returns them.)
func TestBuildSettings_rdsReservedSlots(t *testing.T) {
	s, warnings := buildSettings([]settingRow{
		{"max_connections", "1722", ""},
		{"superuser_reserved_connections", "3", ""},
		{"rds.rds_superuser_reserved_connections", "2", ""},
	})
	if len(warnings) > 0 || s.MaxConnections != 1722 || s.SuperuserReservedConnections != 3 || s.RDSSuperuserReservedConnections != 2 {
		t.Errorf("settings %+v (warnings %q), want max_connections 1722 with 3 superuser and 2 rds_superuser reserved slots", s, warnings)
	}
}

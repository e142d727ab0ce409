package rightsizing

import (
	"strings"
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
)

// setWindowsAndEvents passes an Aurora cluster's own maintenance window on, and leaves out one it
// cannot read with a warning.
func TestSetWindowsClusterMaintenance(t *testing.T) {
	var in analysis.ClusterInput
	if warns := setWindowsAndEvents(&in, inventory.Cluster{ClusterMaintenanceWindow: "wed:10:00-wed:10:30"}); in.ClusterMaintenanceWindow != "wed:10:00-wed:10:30" || len(warns) != 0 {
		t.Errorf("window %q, warnings %q", in.ClusterMaintenanceWindow, warns)
	}
	in = analysis.ClusterInput{}
	if warns := setWindowsAndEvents(&in, inventory.Cluster{ClusterMaintenanceWindow: "someday"}); in.ClusterMaintenanceWindow != "" || len(warns) != 1 ||
		!strings.HasPrefix(warns[0].Text, "the cluster's maintenance window is left out: ") {
		t.Errorf("malformed: window %q, warnings %q", in.ClusterMaintenanceWindow, warns)
	}
}

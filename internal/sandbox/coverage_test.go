package sandbox

import (
	"reflect"
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/replicascaling"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// TestServesEveryProviderOperation: the sandbox serves every RDS and Application Auto Scaling
// operation the provider can call (the methods of the interfaces its packages reach the SDK
// through), so that no call is first made against real AWS. (CloudWatch's calls,
// GetMetricData and DescribeAlarms, have their own tests; the Price List API is not emulated: see pricing's tests.)
func TestServesEveryProviderOperation(t *testing.T) {
	for _, it := range []reflect.Type{reflect.TypeFor[inventory.RDSAPI](), reflect.TypeFor[topology.RDSAPI]()} {
		for i := range it.NumMethod() {
			if name := it.Method(i).Name; rdsHandlers[name] == nil {
				t.Errorf("%s.%s: the sandbox does not serve rds:%s", it.PkgPath(), it.Name(), name)
			}
		}
	}
	it := reflect.TypeFor[replicascaling.API]()
	for i := range it.NumMethod() {
		if name := it.Method(i).Name; asHandlers[name] == nil {
			t.Errorf("replicascaling.API: the sandbox does not serve application-autoscaling:%s", name)
		}
	}
}

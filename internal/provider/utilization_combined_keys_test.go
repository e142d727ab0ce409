package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestReadUtilizationCombinedKeys: combined has a key only for a quantity that was projected, as its
// description says: the metrics it combines listed in `metrics` (on Aurora memory_used_bytes takes the
// readers' DatabaseConnections too), network_bytes_per_second a writer class of known network bandwidth
// (a class of instance_classes without network_baseline_gbps has none), local_storage_used_bytes an Aurora
// reader. The example's mandible-prod, with five metrics, has no network_bytes_per_second or
// disk_queue_depth to index.
func TestReadUtilizationCombinedKeys(t *testing.T) {
	now := utilizationAccNow()
	ctx := context.Background()
	all := []string{"connections", "cpu_percent", "disk_queue_depth", "iops", "local_storage_used_bytes", "memory_used_bytes", "network_bytes_per_second"}
	keys := func(t *testing.T, pd *ProviderData, instance, cluster string, metrics []string) []string {
		t.Helper()
		m := utilizationReadModel(instance, cluster, 14, now)
		m.EndTime = types.StringNull()
		if metrics != nil {
			m.Metrics = stringList(metrics)
		}
		if _, diags := readUtilization(ctx, pd, m, now); diags.HasError() {
			t.Fatal(diags)
		}
		var out []string
		for k := range m.Combined {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	pd := sandboxProviderData(t, "demo", now)
	example := []string{"CPUUtilization", "FreeableMemory", "DatabaseConnections", "ReadIOPS", "WriteIOPS"}
	for _, c := range []struct {
		name              string
		instance, cluster string
		metrics           []string
		want              []string
	}{
		{"Aurora, default metrics", "", "sso-prod", nil, all},
		{"Multi-AZ, default metrics", "mandible-prod", "", nil, slices.DeleteFunc(slices.Clone(all), func(k string) bool { return k == "local_storage_used_bytes" })},
		{"Multi-AZ, the example's metrics", "mandible-prod", "", example, []string{"connections", "cpu_percent", "iops", "memory_used_bytes"}},
		{"Aurora, the example's metrics", "", "sso-prod", example, []string{"connections", "cpu_percent", "iops", "memory_used_bytes"}},
		{"Multi-AZ, FreeableMemory", "mandible-prod", "", []string{"CPUUtilization", "FreeableMemory"}, []string{"cpu_percent", "memory_used_bytes"}},
		{"Aurora, FreeableMemory without DatabaseConnections", "", "sso-prod", []string{"CPUUtilization", "FreeableMemory"}, []string{"cpu_percent"}},
	} {
		if got := keys(t, pd, c.instance, c.cluster, c.metrics); !slices.Equal(got, c.want) {
			t.Errorf("%s: combined keys %v, want %v", c.name, got, c.want)
		}
	}

	// An Aurora pair on a class the catalog lacks, described in instance_classes without
	// network_baseline_gbps: every key but network_bytes_per_second.
	sc := &sandbox.Scenario{Name: "r8g", Seed: 5, Clusters: []sandbox.ClusterSpec{
		sandbox.AuroraPair("new-prod", "db.r8g.large", sandbox.DemoSSOWriterWorkload, sandbox.DemoSSOReaderWorkload)}}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	def, err := pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := def.WithClasses("us-east-1", []pricing.CustomClass{{Name: "db.r8g.large", VCPU: 2, MemoryGiB: 16, Aurora: true, AuroraLocalStorageGiB: 32}})
	if err != nil {
		t.Fatal(err)
	}
	pd = sandboxServerData(srv)
	pd.Catalog = cat
	want := slices.DeleteFunc(slices.Clone(all), func(k string) bool { return k == "network_bytes_per_second" })
	if got := keys(t, pd, "", "new-prod", nil); !slices.Equal(got, want) {
		t.Errorf("class without network_baseline_gbps: combined keys %v, want %v", got, want)
	}
}

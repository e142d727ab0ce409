// Package partitionstest reads aws-sdk-go-v2's own partitions.json, for tests that compare a copy
// of it (awspartition.All, the provider's region pattern) with the SDK the module builds with.
package partitionstest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Partition is one partition of the SDK's partitions.json.
type Partition struct {
	ID, RegionRegex               string
	DNSSuffix, DualStackDNSSuffix string
	// Regions are the region codes it lists, sorted, without its "-global" endpoint names
	// (aws-global, aws-cn-global, ...), which are not regions.
	Regions []string
}

// SDK is the partitions of the aws-sdk-go-v2 version in go.mod, in the file's order, read from the
// module cache (go list -m). It fails t when the file cannot be found or read.
func SDK(t testing.TB) []Partition {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Fatalf("cannot locate aws-sdk-go-v2 with go list -m: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "internal", "endpoints", "awsrulesfn", "partitions.json"))
	if err != nil {
		t.Fatalf("partitions.json: %v", err)
	}
	var doc struct {
		Partitions []struct {
			ID          string                     `json:"id"`
			RegionRegex string                     `json:"regionRegex"`
			Regions     map[string]json.RawMessage `json:"regions"`
			Outputs     struct {
				DNSSuffix          string `json:"dnsSuffix"`
				DualStackDNSSuffix string `json:"dualStackDnsSuffix"`
			} `json:"outputs"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("partitions.json: %v", err)
	}
	ps := make([]Partition, 0, len(doc.Partitions))
	for _, p := range doc.Partitions {
		q := Partition{ID: p.ID, RegionRegex: p.RegionRegex, DNSSuffix: p.Outputs.DNSSuffix, DualStackDNSSuffix: p.Outputs.DualStackDNSSuffix}
		for region := range p.Regions {
			if !strings.HasSuffix(region, "-global") {
				q.Regions = append(q.Regions, region)
			}
		}
		sort.Strings(q.Regions)
		ps = append(ps, q)
	}
	return ps
}

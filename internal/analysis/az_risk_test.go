package analysis

import (
	"strings"
	"testing"
)

// An Aurora pair whose reader is in another AZ than the writer becomes single-AZ compute: a risk
// names both AZs; a pair in one AZ, or without AZs, has none.
func TestAuroraSingleAZRisk(t *testing.T) {
	for _, c := range []struct {
		writerAZ, readerAZ string
		want               bool
	}{{"us-east-1a", "us-east-1b", true}, {"us-east-1a", "us-east-1a", false}, {"", "", false}} {
		in := auroraPair(2)
		in.Nodes = append([]Node(nil), in.Nodes...)
		for i := range in.Nodes {
			in.Nodes[i].AvailabilityZone = map[Role]string{RoleWriter: c.writerAZ, RoleReader: c.readerAZ}[in.Nodes[i].Role]
		}
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rec.Risks {
			if strings.HasPrefix(r.Description, "Compute becomes single-AZ") {
				found = true
				if !strings.Contains(r.Description, c.readerAZ) || !strings.Contains(r.Description, "outage of "+c.writerAZ) || r.Severity != "medium" {
					t.Errorf("risk %+v", r)
				}
			}
		}
		if found != c.want {
			t.Errorf("writer in %q, reader in %q: single-AZ risk %v, want %v", c.writerAZ, c.readerAZ, found, c.want)
		}
	}
}

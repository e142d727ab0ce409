package analysis

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestCustomEndpointMembers(t *testing.T) {
	readers := []string{"r1", "r2"}
	for _, c := range []struct {
		e            CustomEndpoint
		writer       string
		readers      []string
		want         []string
		describeWant string
	}{
		{CustomEndpoint{ID: "a", Type: "READER"}, "w", readers, []string{"r1", "r2"}, "a (type READER)"},
		{CustomEndpoint{ID: "a", Type: "reader"}, "w", nil, nil, "a (type READER)"},
		{CustomEndpoint{ID: "a", Type: "ANY"}, "w", readers, []string{"w", "r1", "r2"}, "a (type ANY)"},
		{CustomEndpoint{ID: "a", Type: "ANY"}, "w", nil, []string{"w"}, "a (type ANY)"},
		{CustomEndpoint{ID: "a", Type: "ANY", Static: []string{"R2"}}, "w", readers, []string{"r2"}, "a (type ANY, static members R2)"},
		{CustomEndpoint{ID: "a", Type: "ANY", Static: []string{"r2"}}, "w", nil, nil, "a (type ANY, static members r2)"},
		{CustomEndpoint{ID: "a", Type: "ANY", Static: []string{"w", "r1"}}, "w", nil, []string{"w"}, "a (type ANY, static members w r1)"},
		{CustomEndpoint{ID: "a", Type: "ANY", Excluded: []string{"W"}}, "w", readers, []string{"r1", "r2"}, "a (type ANY, excluding W)"},
		{CustomEndpoint{ID: "a", Type: "ANY", Excluded: []string{"w"}}, "w", nil, nil, "a (type ANY, excluding w)"},
		{CustomEndpoint{ID: "a", Type: "READER", Static: []string{"w"}}, "w", readers, nil, "a (type READER, static members w)"},
		{CustomEndpoint{ID: "a", Type: "WRITER"}, "w", readers, nil, "a (type WRITER)"},
		{CustomEndpoint{ID: "a", Type: "ANY"}, "", nil, nil, "a (type ANY)"},
	} {
		in := slices.Clone(c.readers)
		if got := c.e.Members(c.writer, c.readers); !slices.Equal(got, c.want) {
			t.Errorf("%+v.Members(%q, %v) = %v, want %v", c.e, c.writer, c.readers, got, c.want)
		}
		if !slices.Equal(in, c.readers) {
			t.Errorf("Members changed its readers argument: %v", c.readers)
		}
		if got := c.e.Describe(); got != c.describeWant {
			t.Errorf("Describe() = %q, want %q", got, c.describeWant)
		}
	}
}

// A custom endpoint that routes to no instance once the reader is gone is a high operations
// risk of an Aurora single node; one that keeps the writer is not. Bad endpoints are refused.
func TestAnalyzeCustomEndpoints(t *testing.T) {
	in := auroraPair(2)
	in.CustomEndpoints = []CustomEndpoint{
		{ID: "reporting", Type: "READER"},
		{ID: "batch", Type: "ANY", Static: []string{"mandible-prod-2"}},
		{ID: "all", Type: "ANY"},
		{ID: "writer-too", Type: "ANY", Static: []string{"mandible-prod-1", "mandible-prod-2"}},
	}
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	ops := where(rec.Risks, func(r Risk) bool { return r.Category == "operations" })
	if len(ops) != 2 || ops[0].Severity != "high" || !strings.HasPrefix(ops[0].Description, "Custom endpoint reporting (type READER) routes to no instance") ||
		!strings.HasPrefix(ops[1].Description, "Custom endpoint batch (type ANY, static members mandible-prod-2) routes to no instance") ||
		!strings.Contains(ops[1].Description, "type ANY with the writer mandible-prod-1 as a member") {
		t.Fatalf("operations risks %+v", ops)
	}
	if !strings.Contains(rec.ReportMarkdown, "**high** (operations): Custom endpoint reporting") {
		t.Error("the report does not list the endpoint risk")
	}
	in.CustomEndpoints = in.CustomEndpoints[2:]
	if rec, err = Analyze(in, Policy{}); err != nil || len(where(rec.Risks, func(r Risk) bool { return r.Category == "operations" })) != 0 {
		t.Fatalf("endpoints that keep the writer: %v %+v", err, rec.Risks)
	}
	for _, c := range []struct {
		e    []CustomEndpoint
		maz  bool
		want string
	}{
		{[]CustomEndpoint{{Type: "ANY"}}, false, "custom endpoint: id is empty"},
		{[]CustomEndpoint{{ID: "x", Type: "WRITER"}}, false, `custom endpoint "x": type "WRITER": must be READER or ANY`},
		{[]CustomEndpoint{{ID: "x", Type: "ANY", Static: []string{"a"}, Excluded: []string{"b"}}}, false, "both static and excluded"},
		{[]CustomEndpoint{{ID: "x", Type: "ANY"}}, true, "custom endpoints are an Aurora feature"},
	} {
		bad := auroraPair(2)
		if c.maz {
			bad = idleMultiAZ(14)
		}
		bad.CustomEndpoints = c.e
		if _, err := Analyze(bad, Policy{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.e, err, c.want)
		}
	}
}

// A read-only endpoint of an RDS Proxy in front of the cluster is a high operations risk of an
// Aurora single node, listed with the custom endpoints' and in the report. Bad ones are refused,
// and the input is not mutated.
func TestAnalyzeProxyReaderEndpoints(t *testing.T) {
	in := auroraPair(2)
	in.CustomEndpoints = []CustomEndpoint{{ID: "reporting", Type: "READER"}}
	in.ProxyReaderEndpoints = []ProxyEndpoint{{Proxy: "sso-proxy", Endpoint: "sso-proxy-ro"}, {Proxy: "p2", Endpoint: "p2-reads"}}
	before := slices.Clone(in.ProxyReaderEndpoints)
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in.ProxyReaderEndpoints, before) {
		t.Errorf("input mutated: %+v", in.ProxyReaderEndpoints)
	}
	ops := where(rec.Risks, func(r Risk) bool { return r.Category == "operations" })
	if len(ops) != 3 || !strings.HasPrefix(ops[0].Description, "Custom endpoint reporting") {
		t.Fatalf("operations risks %+v", ops)
	}
	for i, name := range []string{"sso-proxy-ro (read-only endpoint of RDS Proxy sso-proxy)", "p2-reads (read-only endpoint of RDS Proxy p2)"} {
		r := ops[i+1]
		if r.Severity != "high" || !strings.HasPrefix(r.Description, "RDS Proxy endpoint "+name+" routes to the cluster's readers only") ||
			!strings.Contains(r.Description, "move them to the proxy's default (read/write) endpoint") {
			t.Errorf("risk %d: %+v", i+1, r)
		}
	}
	if !strings.Contains(rec.ReportMarkdown, "**high** (operations): RDS Proxy endpoint sso-proxy-ro") {
		t.Error("the report does not list the proxy endpoint risk")
	}
	in.CustomEndpoints, in.ProxyReaderEndpoints = nil, nil
	if rec, err = Analyze(in, Policy{}); err != nil || len(where(rec.Risks, func(r Risk) bool { return r.Category == "operations" })) != 0 {
		t.Fatalf("no endpoints: %v %+v", err, rec.Risks)
	}
	for _, c := range []struct {
		e    ProxyEndpoint
		maz  bool
		want string
	}{
		{ProxyEndpoint{Proxy: "p"}, false, `RDS Proxy endpoint "" of proxy "p": the proxy and endpoint names must be set`},
		{ProxyEndpoint{Endpoint: "e"}, false, "the proxy and endpoint names must be set"},
		{ProxyEndpoint{Proxy: "p", Endpoint: "e"}, true, "RDS Proxy read-only endpoints serve Aurora clusters only"},
	} {
		bad := auroraPair(2)
		if c.maz {
			bad = idleMultiAZ(14)
		}
		bad.ProxyReaderEndpoints = []ProxyEndpoint{c.e}
		if _, err := Analyze(bad, Policy{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.e, err, c.want)
		}
	}
}

func ExampleProxyEndpoint_Describe() {
	fmt.Println(ProxyEndpoint{Proxy: "sso-proxy", Endpoint: "sso-proxy-ro"}.Describe())
	// Output: sso-proxy-ro (read-only endpoint of RDS Proxy sso-proxy)
}

// A READER custom endpoint routes to the readers only, so it is left with no instance when the
// last reader is removed; one of type ANY keeps the writer.
func ExampleCustomEndpoint_Members() {
	reporting := CustomEndpoint{ID: "reporting", Type: "READER"}
	all := CustomEndpoint{ID: "all", Type: "ANY"}
	fmt.Println(reporting.Members("sso-prod-instance-1", []string{"sso-prod-instance-2"}))
	fmt.Println(reporting.Members("sso-prod-instance-1", nil))
	fmt.Println(all.Members("sso-prod-instance-1", nil))
	// Output:
	// [sso-prod-instance-2]
	// []
	// [sso-prod-instance-1]
}

func ExampleCustomEndpoint_Describe() {
	fmt.Println(CustomEndpoint{ID: "batch", Type: "ANY", Static: []string{"sso-prod-instance-2"}}.Describe())
	// Output: batch (type ANY, static members sso-prod-instance-2)
}

// Aurora Auto Scaling with a minimum of one reader or more undoes the change: a high operations
// risk; with a minimum of 0 and room for readers, a medium one; with none, no risk. Bad ranges
// and non-Aurora topologies are refused, and the input is not mutated.
func TestAnalyzeReplicaAutoScaling(t *testing.T) {
	for _, c := range []struct {
		a        *ReplicaAutoScaling
		severity string // "" for no risk
		want     string
	}{
		{&ReplicaAutoScaling{MinCapacity: 1, MaxCapacity: 3}, "high", "Aurora Auto Scaling keeps 1 to 3 reader(s) (minimum 1): it would add a reader back after the change"},
		{&ReplicaAutoScaling{MinCapacity: 2, MaxCapacity: 2}, "high", "set the scalable target's minimum capacity to 0, or deregister it"},
		{&ReplicaAutoScaling{MinCapacity: 0, MaxCapacity: 4}, "medium", "Aurora Auto Scaling keeps 0 to 4 reader(s): it can add readers back under load"},
		{&ReplicaAutoScaling{MinCapacity: 0, MaxCapacity: 0}, "", ""},
		{nil, "", ""},
	} {
		in := auroraPair(2)
		in.ReplicaAutoScaling = c.a
		var before ReplicaAutoScaling
		if c.a != nil {
			before = *c.a
		}
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if c.a != nil && *c.a != before {
			t.Errorf("%+v: input mutated", c.a)
		}
		ops := where(rec.Risks, func(r Risk) bool { return r.Category == "operations" })
		switch {
		case c.severity == "" && len(ops) != 0:
			t.Errorf("%+v: risks %+v", c.a, ops)
		case c.severity != "" && (len(ops) != 1 || ops[0].Severity != c.severity || !strings.Contains(ops[0].Description, c.want)):
			t.Errorf("%+v: risks %+v, want one %s containing %q", c.a, ops, c.severity, c.want)
		}
		if c.severity == "high" && !strings.Contains(rec.ReportMarkdown, "**high** (operations): Aurora Auto Scaling keeps") {
			t.Errorf("%+v: the report does not list the risk", c.a)
		}
	}
	for _, c := range []struct {
		a    ReplicaAutoScaling
		maz  bool
		want string
	}{
		{ReplicaAutoScaling{MinCapacity: -1, MaxCapacity: 1}, false, "capacity -1 to 1: must satisfy 0 <= min <= max <= 15"},
		{ReplicaAutoScaling{MinCapacity: 2, MaxCapacity: 1}, false, "capacity 2 to 1"},
		{ReplicaAutoScaling{MinCapacity: 0, MaxCapacity: 16}, false, "capacity 0 to 16"},
		{ReplicaAutoScaling{MinCapacity: 0, MaxCapacity: 1}, true, "replica auto scaling is an Aurora feature"},
	} {
		bad := auroraPair(2)
		if c.maz {
			bad = idleMultiAZ(14)
		}
		bad.ReplicaAutoScaling = &c.a
		if _, err := Analyze(bad, Policy{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.a, err, c.want)
		}
	}
}

func ExampleReplicaAutoScaling_Describe() {
	fmt.Println(ReplicaAutoScaling{MinCapacity: 1, MaxCapacity: 3}.Describe())
	// Output: Aurora Auto Scaling keeps 1 to 3 reader(s)
}

func TestAnalyzeBlueGreenDeployments(t *testing.T) {
	bg := []BlueGreenDeployment{{ID: "bgd-0123456789abcdef", Name: "pg16-upgrade", Status: "AVAILABLE",
		Target: "arn:aws:rds:us-east-1:123456789012:db:mandible-prod-green-abc123"}}
	for _, in := range []ClusterInput{idleMultiAZ(14), auroraPair(2)} {
		in.BlueGreenDeployments = slices.Clone(bg)
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(in.BlueGreenDeployments, bg) {
			t.Errorf("%s: input mutated: %+v", in.Topology, in.BlueGreenDeployments)
		}
		ops := where(rec.Risks, func(r Risk) bool { return r.Category == "operations" })
		want := "The database is the blue (source) database of blue/green deployment bgd-0123456789abcdef (pg16-upgrade), status AVAILABLE, green database arn:aws:rds:us-east-1:123456789012:db:mandible-prod-green-abc123: a switchover would replace it"
		if len(ops) != 1 || ops[0].Severity != "high" || !strings.HasPrefix(ops[0].Description, want) ||
			!strings.Contains(ops[0].Description, "delete the deployment, or switch over and then right-size the new production database") {
			t.Errorf("%s: operations risks %+v", in.Topology, ops)
		}
		if rec.Risks[0].Severity != "high" {
			t.Errorf("%s: the high risk is not listed first: %+v", in.Topology, rec.Risks)
		}
		if !strings.Contains(rec.ReportMarkdown, "**high** (operations): The database is the blue (source) database of blue/green deployment bgd-0123456789abcdef") {
			t.Errorf("%s: the report does not list the risk", in.Topology)
		}
		in.BlueGreenDeployments = nil
		if rec, err = Analyze(in, Policy{}); err != nil || len(where(rec.Risks, func(r Risk) bool { return r.Category == "operations" })) != 0 {
			t.Errorf("%s: without a deployment: %v %+v", in.Topology, err, rec.Risks)
		}
	}
	bad := idleMultiAZ(14)
	bad.BlueGreenDeployments = []BlueGreenDeployment{{Name: "upgrade"}}
	if _, err := Analyze(bad, Policy{}); err == nil || !strings.Contains(err.Error(), `blue/green deployment "upgrade": the identifier must be set`) {
		t.Errorf("no identifier: got %v", err)
	}
}

func ExampleBlueGreenDeployment_Describe() {
	fmt.Println(BlueGreenDeployment{ID: "bgd-0123456789abcdef", Name: "pg16-upgrade", Status: "AVAILABLE",
		Target: "arn:aws:rds:us-east-1:123456789012:db:mandible-prod-green-abc123"}.Describe())
	// Output: blue/green deployment bgd-0123456789abcdef (pg16-upgrade), status AVAILABLE, green database arn:aws:rds:us-east-1:123456789012:db:mandible-prod-green-abc123
}

func ExampleBlueGreenDeployment_DescribeGreen() {
	fmt.Println(BlueGreenDeployment{ID: "bgd-0123456789abcdef", Name: "pg16-upgrade", Status: "AVAILABLE",
		Source: "arn:aws:rds:us-east-1:123456789012:db:mandible-prod"}.DescribeGreen())
	// Output: the green database of blue/green deployment bgd-0123456789abcdef (pg16-upgrade), status AVAILABLE: a staging copy of arn:aws:rds:us-east-1:123456789012:db:mandible-prod, which it replaces at switchover
}

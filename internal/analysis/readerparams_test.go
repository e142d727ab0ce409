package analysis

import (
	"fmt"
	"strings"
	"testing"
)

// TestReaderParametersRisk: an Aurora reader whose parameters differ from the writer's is an
// operations risk of removing it, medium when a limit (a timeout, temp_file_limit) is stricter on
// the writer, so that what ran on the reader would be cancelled there, low otherwise.
func TestReaderParametersRisk(t *testing.T) {
	w, r := "DB parameter group w", "DB parameter group r"
	for _, tc := range []struct {
		name string
		ds   []ParameterDifference
		sev  string // "" for no risk
		want []string
	}{
		{"none", nil, "", nil},
		{"timeout only on the writer", []ParameterDifference{{Name: "statement_timeout", Writer: "30000", WriterFrom: w}}, "medium",
			[]string{"statement_timeout default on the reader (PostgreSQL's default), 30000 on the writer (DB parameter group w)", "a stricter limit on the writer cancels"}},
		{"lower timeout on the writer", []ParameterDifference{{Name: "idle_in_transaction_session_timeout", Reader: "600000", ReaderFrom: r, Writer: "60000", WriterFrom: w}}, "medium", nil},
		{"timeout off on the writer", []ParameterDifference{{Name: "lock_timeout", Reader: "5000", ReaderFrom: r, Writer: "0", WriterFrom: w}}, "low",
			[]string{"lock_timeout 5000 on the reader (DB parameter group r), 0 on the writer", "other memory or plans"}},
		{"higher timeout on the writer", []ParameterDifference{{Name: "statement_timeout", Reader: "1000", ReaderFrom: r, Writer: "60000", WriterFrom: w}}, "low", nil},
		{"temp_file_limit set on the writer", []ParameterDifference{{Name: "temp_file_limit", Reader: "-1", ReaderFrom: r, Writer: "1048576", WriterFrom: w}}, "medium", nil},
		{"temp_file_limit unlimited on the writer", []ParameterDifference{{Name: "temp_file_limit", Reader: "1048576", ReaderFrom: r}}, "low", nil},
		{"formula", []ParameterDifference{{Name: "statement_timeout", Reader: "0", ReaderFrom: r, Writer: "{DBInstanceClassMemory/1000}", WriterFrom: w}}, "low", nil},
		{"negative timeout on the writer, not a limit", []ParameterDifference{{Name: "statement_timeout", Writer: "-1", WriterFrom: w}}, "low", nil},
		{"the same limit written otherwise", []ParameterDifference{{Name: "statement_timeout", Reader: "60000", ReaderFrom: r, Writer: "060000", WriterFrom: w}}, "low", nil},
		{"spaces around the writer's limit", []ParameterDifference{{Name: "statement_timeout", Writer: " 30000 ", WriterFrom: w}}, "medium", nil},
		{"temp_file_limit formula on the writer", []ParameterDifference{{Name: "temp_file_limit", Writer: "{DBInstanceClassMemory/1024}", WriterFrom: w}}, "low", nil},
		{"formula on the reader", []ParameterDifference{{Name: "statement_timeout", Reader: "{DBInstanceClassMemory/1000}", ReaderFrom: r, Writer: "60000", WriterFrom: w}}, "low", nil},
		{"memory", []ParameterDifference{{Name: "work_mem", Reader: "65536", ReaderFrom: r, Writer: "4096", WriterFrom: "DB cluster parameter group c"},
			{Name: "jit", Reader: "0", ReaderFrom: r}}, "low",
			[]string{"work_mem 65536 on the reader (DB parameter group r), 4096 on the writer (DB cluster parameter group c); jit 0 on the reader", "The reader rd's queries move to the writer wr"}},
	} {
		rk, ok := readerParametersRisk(tc.ds, "rd", "wr")
		if ok != (tc.sev != "") || rk.Severity != tc.sev || ok && rk.Category != "operations" {
			t.Errorf("%s: risk %+v (%t), want severity %q", tc.name, rk, ok, tc.sev)
			continue
		}
		for _, s := range tc.want {
			if !strings.Contains(rk.Description, s) {
				t.Errorf("%s: %q does not say %q", tc.name, rk.Description, s)
			}
		}
	}

	// Through Analyze: a 2-node Aurora cluster's, not a cluster already of one node's, nor a
	// Multi-AZ instance's.
	diff := []ParameterDifference{{Name: "statement_timeout", Writer: "30000", WriterFrom: w}}
	count := func(in ClusterInput) int {
		t.Helper()
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range rec.Risks {
			if strings.Contains(r.Description, "run under the writer's parameters") {
				n++
			}
		}
		return n
	}
	aurora := idleAuroraPair(2)
	aurora.ReaderParameters = diff
	if n := count(aurora); n != 1 {
		t.Errorf("Aurora pair: %d risks, want 1", n)
	}
	aurora.AlreadySingleNode = true
	if n := count(aurora); n != 0 {
		t.Errorf("Aurora already of one node: %d risks, want none", n)
	}
	multi := idleMultiAZ(14)
	multi.ReaderParameters = diff
	if n := count(multi); n != 0 {
		t.Errorf("Multi-AZ: %d risks, want none", n)
	}
}

// A reader group that sets statement_timeout to 0 runs as a writer that leaves it at
// PostgreSQL's default; jit "1" is jit "on"; work_mem values are compared as written.
func ExampleSameSetting() {
	fmt.Println(SameSetting("statement_timeout", "0", ""))
	fmt.Println(SameSetting("temp_file_limit", "-1", ""))
	fmt.Println(SameSetting("statement_timeout", "30000", ""))
	fmt.Println(SameSetting("jit", "1", "on"))
	fmt.Println(SameSetting("jit", "0", ""))
	fmt.Println(SameSetting("work_mem", "4096", ""))
	// Output:
	// true
	// true
	// false
	// true
	// false
	// false
}

// TestSameSetting: limits compare as numbers with "" their none, booleans as PostgreSQL reads
// them with "" their default; anything unparsable, or another parameter, only when equal.
func TestSameSetting(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		want       bool
	}{
		{"statement_timeout", "0", "", true},
		{"statement_timeout", " 0", "00", true},
		{"statement_timeout", "1000", "1000", true},
		{"statement_timeout", "1000", "", false},
		{"lock_timeout", "{DBInstanceClassMemory/1}", "0", false},
		{"temp_file_limit", "-1", "", true},
		{"temp_file_limit", "0", "", false},
		{"default_transaction_read_only", "off", "", true},
		{"default_transaction_read_only", "ON", "1", true},
		{"default_transaction_read_only", "1", "", false},
		{"jit", "yes", "", true},
		{"jit", "maybe", "maybe", true},
		{"jit", "maybe", "", false},
		{"work_mem", "4096", "", false},
		{"search_path", "public", "public", true},
	} {
		if got := SameSetting(tc.name, tc.a, tc.b); got != tc.want || SameSetting(tc.name, tc.b, tc.a) != tc.want {
			t.Errorf("SameSetting(%s, %q, %q) = %t, want %t (both ways)", tc.name, tc.a, tc.b, got, tc.want)
		}
	}
}

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
			[]string{"statement_timeout 0 (no limit) on the reader (PostgreSQL's default), 30s (30000 ms) on the writer (DB parameter group w)", "a stricter limit on the writer cancels"}},
		{"lower timeout on the writer", []ParameterDifference{{Name: "idle_in_transaction_session_timeout", Reader: "600000", ReaderFrom: r, Writer: "60000", WriterFrom: w}}, "medium", nil},
		{"timeout off on the writer", []ParameterDifference{{Name: "lock_timeout", Reader: "5000", ReaderFrom: r, Writer: "0", WriterFrom: w}}, "low",
			[]string{"lock_timeout 5s (5000 ms) on the reader (DB parameter group r), 0 (no limit) on the writer", "other memory or plans"}},
		{"higher timeout on the writer", []ParameterDifference{{Name: "statement_timeout", Reader: "1000", ReaderFrom: r, Writer: "60000", WriterFrom: w}}, "low", nil},
		{"temp_file_limit set on the writer", []ParameterDifference{{Name: "temp_file_limit", Reader: "-1", ReaderFrom: r, Writer: "1048576", WriterFrom: w}}, "medium",
			[]string{"temp_file_limit -1 (no limit) on the reader (DB parameter group r), 1GB (1048576 kB) on the writer (DB parameter group w)"}},
		{"temp_file_limit unlimited on the writer", []ParameterDifference{{Name: "temp_file_limit", Reader: "1048576", ReaderFrom: r}}, "low", nil},
		{"formula", []ParameterDifference{{Name: "statement_timeout", Reader: "0", ReaderFrom: r, Writer: "{DBInstanceClassMemory/1000}", WriterFrom: w}}, "low",
			[]string{"statement_timeout 0 (no limit) on the reader (DB parameter group r), {DBInstanceClassMemory/1000} on the writer (DB parameter group w)"}},
		{"negative timeout on the writer, not a limit", []ParameterDifference{{Name: "statement_timeout", Writer: "-1", WriterFrom: w}}, "low", nil},
		{"the same limit written otherwise", []ParameterDifference{{Name: "statement_timeout", Reader: "60000", ReaderFrom: r, Writer: "060000", WriterFrom: w}}, "low", nil},
		{"spaces around the writer's limit", []ParameterDifference{{Name: "statement_timeout", Writer: " 30000 ", WriterFrom: w}}, "medium", nil},
		{"temp_file_limit formula on the writer", []ParameterDifference{{Name: "temp_file_limit", Writer: "{DBInstanceClassMemory/1024}", WriterFrom: w}}, "low", nil},
		{"formula on the reader", []ParameterDifference{{Name: "statement_timeout", Reader: "{DBInstanceClassMemory/1000}", ReaderFrom: r, Writer: "60000", WriterFrom: w}}, "low", nil},
		{"memory", []ParameterDifference{{Name: "work_mem", Reader: "65536", ReaderFrom: r, Writer: "4096", WriterFrom: "DB cluster parameter group c"},
			{Name: "jit", Reader: "0", ReaderFrom: r}}, "low",
			[]string{"work_mem 64MB (65536 kB) on the reader (DB parameter group r), 4MB (4096 kB) on the writer (DB cluster parameter group c); jit off on the reader (DB parameter group r), default on the writer", "The reader rd's queries move to the writer wr"}},
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

// TestParamValue: a risk shows a parameter's value as PostgreSQL's SHOW prints it, with the value
// as RDS lists it (and a parameter group takes it) where that differs. The SHOW column was checked
// against PostgreSQL 15.18 (SET statement_timeout = 30000; SHOW statement_timeout; and likewise
// for each row): the largest unit that divides the value exactly (d, h, min, s, ms; TB, GB, MB,
// kB), and 0 and below without a unit.
func TestParamValue(t *testing.T) {
	for _, tc := range []struct{ name, v, show, want string }{
		// Timeouts, in milliseconds.
		{"statement_timeout", "1", "1ms", "1ms"},
		{"statement_timeout", "999", "999ms", "999ms"},
		{"statement_timeout", "1000", "1s", "1s (1000 ms)"},
		{"statement_timeout", "1500", "1500ms", "1500ms"},
		{"statement_timeout", "30000", "30s", "30s (30000 ms)"},
		{"statement_timeout", "60000", "1min", "1min (60000 ms)"},
		{"statement_timeout", "90000", "90s", "90s (90000 ms)"},
		{"lock_timeout", "120000", "2min", "2min (120000 ms)"},
		{"idle_in_transaction_session_timeout", "3600000", "1h", "1h (3600000 ms)"},
		{"idle_session_timeout", "5400000", "90min", "90min (5400000 ms)"},
		{"statement_timeout", "86400000", "1d", "1d (86400000 ms)"},
		{"statement_timeout", "86400001", "86400001ms", "86400001ms"},
		{"statement_timeout", "90061000", "90061s", "90061s (90061000 ms)"},
		{"statement_timeout", "2147483647", "2147483647ms", "2147483647ms"},
		{"transaction_timeout", "300000", "5min", "5min (300000 ms)"}, // PostgreSQL 17
		// Memory, in kB.
		{"work_mem", "64", "64kB", "64kB"},
		{"work_mem", "1000", "1000kB", "1000kB"},
		{"work_mem", "1024", "1MB", "1MB (1024 kB)"},
		{"work_mem", "4096", "4MB", "4MB (4096 kB)"},
		{"work_mem", "65536", "64MB", "64MB (65536 kB)"},
		{"work_mem", "1048576", "1GB", "1GB (1048576 kB)"},
		{"work_mem", "1572864", "1536MB", "1536MB (1572864 kB)"},
		{"work_mem", "2097151", "2097151kB", "2097151kB"},
		{"temp_file_limit", "1073741824", "1TB", "1TB (1073741824 kB)"},
		// Limits at their none, and temp_file_limit 0, which allows no temporary file ("temporary
		// file size exceeds temp_file_limit (0kB)").
		{"statement_timeout", "0", "0", "0 (no limit)"},
		{"lock_timeout", "00", "0", "0 (no limit)"},
		{"temp_file_limit", "-1", "-1", "-1 (no limit)"},
		{"temp_file_limit", "0", "0", "0 (no temporary files)"},
		{"statement_timeout", "", "0", "0 (no limit)"},
		{"temp_file_limit", "", "-1", "-1 (no limit)"},
		// Booleans as SHOW prints them.
		{"jit", "1", "on", "on"},
		{"jit", "0", "off", "off"},
		{"default_transaction_read_only", "TRUE", "on", "on"},
		// As listed: written otherwise, trimmed; an RDS formula; not an integer; no unit; PostgreSQL's
		// default of a parameter that is not a limit; a negative timeout (no limit either); 0 of a
		// parameter that is not a limit.
		{"statement_timeout", " 30000 ", "30s", "30s (30000 ms)"},
		{"work_mem", "{DBInstanceClassMemory/8192}", "", "{DBInstanceClassMemory/8192}"},
		{"statement_timeout", "1.5", "", "1.5"},
		{"jit", "maybe", "", "maybe"},
		{"max_parallel_workers_per_gather", "4", "4", "4"},
		{"random_page_cost", "1.1", "1.1", "1.1"},
		{"work_mem", "", "", "default"},
		{"search_path", "", "", "default"},
		{"statement_timeout", "-5", "", "-5"},
		{"work_mem", "0", "", "0"}, // below PostgreSQL's minimum (64): SHOW never prints it
	} {
		got := paramValue(tc.name, tc.v)
		if got != tc.want {
			t.Errorf("paramValue(%s, %q) = %q, want %q", tc.name, tc.v, got, tc.want)
		}
		if tc.show != "" && !strings.HasPrefix(got, tc.show) {
			t.Errorf("paramValue(%s, %q) = %q does not start with SHOW's %q", tc.name, tc.v, got, tc.show)
		}
	}
}

package rightsizing_test

import (
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/rightsizing"
)

// pgSetting is what pg_settings says of one numeric parameter.
type pgSetting struct {
	unit, vartype, context string
	min, max               float64
}

// TestTuneAgainstPostgres checks the recommended parameters against a real
// PostgreSQL, for every class of the embedded catalog, both topologies and a
// range of workloads: each value has the unit (analysis.ParameterUnits) and
// type pg_settings gives, lies within its min_val..max_val, and is called
// static (analysis.NeedsReboot) exactly when pg_settings' context is
// postmaster; and PostgreSQL takes each class's set whole (postgres -C on a
// stopped data directory runs every check hook and the limit on backends).
func TestTuneAgainstPostgres(t *testing.T) {
	settings := harnessSettings(t)
	datadir := stoppedDataDir(t, acctest.PGBinDir(t))
	cat, err := pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	classes := cat.Classes()
	if len(classes) < 50 {
		t.Fatalf("the catalog has %d classes", len(classes))
	}
	sets := 0
	for ci, pc := range classes {
		c := rightsizing.Capacity(pc)
		for _, topo := range []analysis.Topology{analysis.TopologyMultiAZ, analysis.TopologyAurora} {
			for pi, peak := range []float64{math.NaN(), 1, 50, 5000, 1e6} {
				// The lowest free storage, which sizes the WAL on RDS: unknown, next to none, what is left of a
				// 20 GiB volume, and plenty.
				free := []float64{math.NaN(), 1, 15 << 30, 1 << 40, 100 << 30}[pi]
				// What the node keeps: unknown (RDS's default), or 1, so that a peak of 1 gets the floor of 20.
				kept := []int{0, 1, 0, 0, 0}[pi]
				for _, hdd := range []bool{false, true} {
					id := fmt.Sprintf("%s %s peak %v hdd %t free %v", c.Name, topo, peak, hdd, free)
					p := analysis.Tune(c, analysis.TuneInput{PeakConnections: peak, HeadroomPercent: 20, HDD: hdd, Topology: topo, FreeStorageBytes: free, KeptMaxConnections: kept})
					if len(p) == 0 {
						t.Fatalf("%s: no parameters", id)
					}
					args := checkTuned(t, id, c, p, settings)
					// The whole set on every class once, and on the first and last class in every
					// combination: each postgres -C takes tens of milliseconds.
					if (math.IsNaN(peak) && !hdd) || ci == 0 || ci == len(classes)-1 {
						sets++
						acceptsAll(t, id, datadir, args)
					}
				}
			}
		}
	}
	t.Logf("%d classes; %d whole sets passed to postgres -C", len(classes), sets)
}

// checkTuned checks each value of p against settings and returns them as
// postgres -c arguments.
func checkTuned(t *testing.T, id string, c analysis.InstanceClass, p map[string]string, settings map[string]pgSetting) []string {
	t.Helper()
	var args []string
	for _, name := range slices.Sorted(maps.Keys(p)) {
		v := p[name]
		s, ok := settings[name]
		if !ok {
			t.Errorf("%s: %s is not a numeric PostgreSQL parameter", id, name)
			continue
		}
		if u, ok := analysis.ParameterUnits[name]; !ok || u != s.unit {
			t.Errorf("%s: %s: ParameterUnits says %q, pg_settings %q", id, name, u, s.unit)
		}
		if got, want := analysis.NeedsReboot(name), s.context == "postmaster"; got != want {
			t.Errorf("%s: NeedsReboot(%s) = %t, but pg_settings' context is %s", id, name, got, s.context)
		}
		if pages, ok := analysis.FormulaPages(v, c.MemoryBytes()); ok {
			// What RDS or Aurora makes of the formula on the class's memory (8kB pages): at most what it
			// makes of it on DBInstanceClassMemory, which is somewhat lower.
			v = strconv.FormatFloat(math.Max(16, pages), 'f', 0, 64)
		}
		var f float64
		var err error
		if s.vartype == "integer" {
			var n int64
			n, err = strconv.ParseInt(v, 10, 32)
			f = float64(n)
		} else {
			f, err = strconv.ParseFloat(v, 64)
		}
		if err != nil {
			t.Errorf("%s: %s = %q is not a PostgreSQL %s: %v", id, name, v, s.vartype, err)
			continue
		}
		if f < s.min || f > s.max {
			t.Errorf("%s: %s = %s is outside PostgreSQL's range %v..%v", id, name, v, s.min, s.max)
		}
		args = append(args, "-c", name+"="+v)
	}
	return args
}

// acceptsAll has PostgreSQL load args on datadir, which it does only when
// every value and their combination passes its checks.
func acceptsAll(t *testing.T, id, datadir string, args []string) {
	t.Helper()
	cmd := acctest.AsPostgres(filepath.Join(acctest.PGBinDir(t), "postgres"), append([]string{"-D", datadir, "-C", "shared_memory_size"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s: PostgreSQL refuses the set: %v: %s\n  %s", id, err, out, strings.Join(args, " "))
	}
}

// harnessSettings reads the numeric parameters of the harness PostgreSQL.
func harnessSettings(t *testing.T) map[string]pgSetting {
	t.Helper()
	conn, ctx := acctest.PGConn(t)
	defer func() { _ = conn.Close(ctx) }()
	rows, err := conn.Query(ctx, `SELECT name, coalesce(unit, ''), vartype, context, min_val::float8, max_val::float8
		FROM pg_catalog.pg_settings WHERE vartype IN ('integer', 'real')`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]pgSetting{}
	for rows.Next() {
		var name string
		var s pgSetting
		if err := rows.Scan(&name, &s.unit, &s.vartype, &s.context, &s.min, &s.max); err != nil {
			t.Fatal(err)
		}
		out[name] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if _, ok := out["shared_buffers"]; !ok {
		t.Fatalf("pg_settings lists no shared_buffers (%d numeric parameters)", len(out))
	}
	return out
}

// stoppedDataDir makes a data directory that is never started: postgres -C
// shared_memory_size needs the server down. As root it belongs to postgres,
// which PostgreSQL runs as.
func stoppedDataDir(t *testing.T, bindir string) string {
	t.Helper()
	// Not t.TempDir: its parent is private to the test's user, and postgres reads it.
	dir, err := os.MkdirTemp("", "rightsize-tune-") //nolint:usetesting // see above
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "postgres:", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v\n%s", err, out)
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := acctest.AsPostgres(filepath.Join(bindir, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"--no-sync", "--no-locale", "-E", "UTF8").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	return data
}

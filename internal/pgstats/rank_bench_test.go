package pgstats

import (
	"fmt"
	"strings"
	"testing"
)

// The Go side of a collection on a multi-tenant server: ranking a sample's pg_stat_statements
// entries (pg_stat_statements.max of them, 5,000 by default on RDS, up to tens of thousands),
// choosing the busiest of thousands of databases, and redacting query texts. Each grows as n log n
// or n: compare ns/op across the sizes of one run (a tenfold size should cost roughly ten to
// thirteen times as much, not a hundred).
//
//	go test ./internal/pgstats -run '^$' -bench 'TopByDelta|BusiestDatabases|RedactQueryText' -benchmem

func BenchmarkTopByDelta(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		prev := make(map[pgssKey]pgssCounter, n)
		cur := make(map[pgssKey]pgssCounter, n)
		for i := 0; i < n; i++ {
			k := pgssKey{userid: uint32(i % 7), dbid: uint32(i % 300), queryid: int64(i) * 2654435761, toplevel: true}
			prev[k] = pgssCounter{calls: int64(i), totalMs: float64(i)}
			cur[k] = pgssCounter{calls: int64(i + i%13), totalMs: float64(i) + float64(i%97)}
		}
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if keys := topByDelta(prev, cur, DefaultTopStatements+selfStatementAllowance); len(keys) == 0 {
					b.Fatal("no entry ranked")
				}
			}
		})
	}
}

func BenchmarkBusiestDatabases(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		dbs := make([]Database, n)
		prev := make([]Database, n)
		for i := range dbs {
			name := fmt.Sprintf("tenant_%05d", i)
			prev[i] = Database{Name: name, XactCommit: int64(i)}
			dbs[i] = Database{Name: name, XactCommit: int64(i + (i*7919)%1000)}
		}
		b.Run(fmt.Sprintf("databases=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if got := busiestDatabases(dbs, prev, 100, "tenant_00000"); len(got) != 100 {
					b.Fatalf("%d databases kept", len(got))
				}
			}
		})
	}
}

func BenchmarkRedactQueryText(b *testing.B) {
	stmt := "SELECT id, note FROM t1.tab_1 WHERE v = $1 AND note <> 'secret' AND k IN ($2, $3); SET app.key = 'k';"
	for _, n := range []int{10000, 100000} {
		text := strings.Repeat(stmt, n/len(stmt)+1)[:n]
		b.Run(fmt.Sprintf("chars=%d", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for i := 0; i < b.N; i++ {
				if RedactQueryText(text) == "" {
					b.Fatal("empty")
				}
			}
		})
	}
}

package pgstats

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestCollect_relationsDroppedDuringCollection: tables and indexes dropped while the collector reads
// them (a statement's catalog snapshot still lists a relation whose size function then finds none,
// NULL) are left out instead of failing the collection ("cannot scan NULL into *int64").
func TestCollect_relationsDroppedDuringCollection(t *testing.T) {
	h := needPG(t)
	h.freshDatabase(t, "pgstats_churn") // its own database: other tests' lists stay as they are
	admin := h.superuser(t, "pgstats_churn")
	conn := h.connect(t, "pgstats_churn", "postgres")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stop atomic.Bool
	churned := make(chan error, 1)
	go func() {
		var err error
		for i := 0; !stop.Load() && err == nil; i++ {
			for _, sql := range []string{
				"CREATE TABLE IF NOT EXISTS churn_t (id int, v text)",
				fmt.Sprintf("CREATE INDEX IF NOT EXISTS churn_i%d ON churn_t (v)", i%4),
				"DROP TABLE churn_t",
			} {
				if _, err = admin.Exec(ctx, sql); err != nil {
					break
				}
			}
		}
		churned <- err
	}()
	collects, failed := 0, 0
	for deadline := time.Now().Add(4 * time.Second); time.Now().Before(deadline); collects++ {
		if _, err := Collect(ctx, conn, Options{Tables: []string{"churn_t"}, MaxUnusedIndexes: 1000}); err != nil {
			failed++
			if !strings.Contains(err.Error(), "statement timeout") {
				t.Errorf("collection %d: %v", collects, err)
			}
			if failed > 3 {
				break
			}
		}
	}
	stop.Store(true)
	if err := <-churned; err != nil {
		t.Fatalf("churning tables: %v", err)
	}
	t.Logf("%d collections while tables and indexes came and went", collects)
}

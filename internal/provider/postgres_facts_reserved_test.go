package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pgstats"
)

// The facts carry the slots of max_connections clients cannot take (superuser_reserved_connections,
// reserved_connections on 16+): read on the harness, the server's own, which the connections check
// leaves out of what the peak is compared with.
func TestReadPostgresFactsReservedSlots(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	admin := pgsAdmin(t, "postgres")
	var want int
	if err := admin.QueryRow(ctx, `SELECT current_setting('superuser_reserved_connections')::int +
		coalesce(current_setting('reserved_connections', true), '0')::int`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	host, port := acctest.PGAddr(t)
	pd := &ProviderData{Postgres: PostgresSettings{Host: host, Port: port, Database: "postgres", Username: "postgres", SSLMode: "disable",
		ConnectTimeout: 10 * time.Second, StatementTimeout: 30 * time.Second}}
	f, _, err := readPostgresFacts(ctx, pd, types.ObjectNull(recPostgresAttrTypes()), factsNode{})
	if err != nil {
		t.Fatal(err)
	}
	if want == 0 || f.ReservedConnections != want {
		t.Errorf("reserved connections %d, want the server's %d (superuser_reserved_connections + reserved_connections)", f.ReservedConnections, want)
	}
}

// factsFrom takes RDS's rds_superuser slots as reserved too, and none when the limits are not known.
func TestFactsFromReservedSlots(t *testing.T) {
	st := &pgstats.Stats{}
	st.Connections.MaxConnections, st.Connections.SuperuserReserved, st.Connections.RDSSuperuserReserved = 1722, 3, 2
	st.Connections.Available = 1717
	if f := factsFrom(st); f.ReservedConnections != 5 {
		t.Errorf("reserved connections %d, want 5 (3 superuser, 2 rds_superuser)", f.ReservedConnections)
	}
	if f := factsFrom(&pgstats.Stats{}); f.ReservedConnections != 0 {
		t.Errorf("reserved connections %d with no limits read, want 0", f.ReservedConnections)
	}
}

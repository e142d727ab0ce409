// Package pgstats collects what PostgreSQL itself says about its workload:
// server facts, per-database counters, connections, replication and
// replication slots, the costliest statements from pg_stat_statements, unused
// indexes, table scan statistics and the memory, connection, checkpoint and WAL
// settings.
//
// Every statistics query runs inside one read-only transaction
// (pgx.TxOptions{AccessMode: pgx.ReadOnly}) with a transaction-local
// statement_timeout and a transaction-local search_path of "pg_catalog,
// pg_temp" (so that no function, operator or view another role creates in a
// schema of the session's search_path, such as public, runs in place of a
// built-in: CVE-2018-1058), uses $n parameters only, and branches on
// server_version_num (and on the installed pg_stat_statements version) so that
// the same collector works on PostgreSQL 12 to 18, self-managed, RDS or Aurora
// (TestCollectAcrossVersions runs it on a server of each).
//
// Connect verifies the server when given a root CA file: an empty sslmode is
// then verify-full, and require is verify-ca (EffectiveSSLMode). Without one
// the default sslmode, prefer, sends the password to whichever server answers.
//
// The least privilege that sees everything is membership in pg_monitor
// (CREATE ROLE rightsize LOGIN; GRANT pg_monitor TO rightsize;). Without
// pg_read_all_stats (which pg_monitor includes) other roles' query texts and
// session states are hidden; without pg_stat_statements the statement section
// is empty. Both degrade to entries in Stats.Warnings, never to an error.
//
// Query texts from pg_stat_statements have every string constant replaced by
// RedactedLiteral (see RedactQueryText): before PostgreSQL 16 utility
// statements, passwords included, are stored as written, and the texts end
// up in Terraform state.
//
// The package imports pgx and nothing from Terraform; the provider package maps
// its results and errors to Terraform values and diagnostics.
package pgstats

# Least privilege: the provider's postgres role needs only pg_monitor.
#   CREATE ROLE rightsize LOGIN PASSWORD '...';  -- with iam_auth: no password, and GRANT rds_iam TO rightsize;
#   GRANT pg_monitor TO rightsize;
# pg_stat_statements must be preloaded (RDS and Aurora do) and created in the database read:
#   CREATE EXTENSION IF NOT EXISTS pg_stat_statements;

# One snapshot over the provider's postgres connection: rates since the counters were reset.
data "rightsize_postgres_stats" "now" {
  top_statements    = 10
  query_text_length = 200
  tables            = ["public.pgbench_accounts"]
}

# True rates over a 5-second sample, read from another database on the same server.
data "rightsize_postgres_stats" "sampled" {
  sample_seconds = 5
  postgres = {
    database = "postgres"
  }
}

output "server_version" {
  value = data.rightsize_postgres_stats.now.server.version
}

output "connections_in_use_ratio" {
  description = "Client connections / slots available to ordinary roles"
  value       = data.rightsize_postgres_stats.now.connections.utilization_ratio
}

output "cache_hit_ratio" {
  value = one([for db in data.rightsize_postgres_stats.now.databases : db.cache_hit_ratio if db.name == data.rightsize_postgres_stats.now.server.database])
}

output "sampled_tps" {
  description = "Transactions per second over the sample: of every database, or of the max_databases (default 100) busiest during it"
  value       = sum([for db in data.rightsize_postgres_stats.sampled.databases : coalesce(db.transactions_per_second, 0)])
}

output "costliest_statement" {
  value = try(data.rightsize_postgres_stats.now.statements.top[0].query, null)
}

output "unused_index_bytes" {
  value = data.rightsize_postgres_stats.now.unused_indexes_total_bytes # all of them; unused_indexes lists the largest
}

output "shared_buffers_bytes" {
  value = data.rightsize_postgres_stats.now.settings.shared_buffers_bytes
}

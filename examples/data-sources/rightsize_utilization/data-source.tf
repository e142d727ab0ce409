# Two weeks of an Aurora PostgreSQL cluster (writer + reader). The period is the finest CloudWatch still keeps
# for the window's start: 1 minute while it is at most 15 days old, then 5 minutes (63 days), then 1 hour.
# A window ending now (no end_time) starts 14 days ago and gets 1-minute data.
data "rightsize_utilization" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  # Pin the window so that repeated plans read the same time range. With the period left to default it
  # still ages (a warning gives the date): this one is read at 5 minutes from 2026-11-03 (its start 15 days
  # old) and at 1 hour from 2026-12-21 (63 days), and every figure changes. period_seconds = 300 keeps it
  # reproducible until then.
  end_time = "2026-11-02T12:00:00Z"
}

# Four weeks of a Multi-AZ instance: a start more than 15 days old means 5-minute data at best.
data "rightsize_utilization" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 28
  metrics                = ["CPUUtilization", "FreeableMemory", "DatabaseConnections", "ReadIOPS", "WriteIOPS"]
  # Without end_time the window ends now, so every plan reads a newer one and outputs built on it change.
  end_time = "2026-11-02T12:00:00Z"
}

output "sso_writer_cpu_p99" {
  value = data.rightsize_utilization.sso.nodes[0].metrics["CPUUtilization"].p99
}

output "sso_combined_cpu_p99" {
  description = "CPU % of the writer's class if the reader's load moved onto it"
  value       = data.rightsize_utilization.sso.combined["cpu_percent"].p99
}

output "sso_pattern" {
  value = data.rightsize_utilization.sso.pattern.pattern
}

output "mandible_memory_utilization_p95" {
  value = data.rightsize_utilization.mandible.nodes[0].memory_utilization_percent.p95
}

output "cloudwatch_requests" {
  value = data.rightsize_utilization.sso.requests_made
}

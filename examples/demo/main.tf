# The offline demo: the seed's two 2-node clusters, analysed and right-sized against the sandbox
# (an emulated AWS account) and a throwaway PostgreSQL holding each service's database: chat (mandible-prod)
# and auth (sso-prod). Run it with `make demo` (plan) or `make demo-apply`; scripts/demo.sh sets the variables.

terraform {
  required_providers {
    rightsize = {
      source = "dbrightsize/rightsize"
    }
  }
}

variable "sandbox_endpoint" {
  description = "Base URL of the AWS emulator (scripts/demo.sh starts it)."
  type        = string
}

variable "postgres_host" {
  type    = string
  default = "127.0.0.1"
}

variable "postgres_port" {
  type = number
}

variable "end_time" {
  description = "End of the analysed window (RFC 3339); the sandbox's clock."
  type        = string
}

# One provider configuration per database: rightsize_postgres_stats and a topology change's validation use
# the postgres connection of the provider configuration they are given. The default one reaches
# mandible-prod's chat database.
provider "rightsize" {
  region     = "us-east-1"
  access_key = "demo"
  secret_key = "demo"
  endpoints {
    rds                     = var.sandbox_endpoint
    cloudwatch              = var.sandbox_endpoint
    application_autoscaling = var.sandbox_endpoint
  }
  postgres {
    host     = var.postgres_host
    port     = var.postgres_port
    database = "chat"
    username = "rightsize" # GRANT pg_monitor TO rightsize;
    sslmode  = "disable"
  }
}

# sso-prod's auth database (in production, host would be sso-prod's writer endpoint).
provider "rightsize" {
  alias      = "sso"
  region     = "us-east-1"
  access_key = "demo"
  secret_key = "demo"
  endpoints {
    rds                     = var.sandbox_endpoint
    cloudwatch              = var.sandbox_endpoint
    application_autoscaling = var.sandbox_endpoint
  }
  postgres {
    host     = var.postgres_host
    port     = var.postgres_port
    database = "auth"
    username = "rightsize"
    sslmode  = "disable"
  }
}

# Every 2-node PostgreSQL deployment in the account, consolidate verdicts first by savings, with the migration phase order.
data "rightsize_fleet" "all" {
  lookback_days  = 14
  end_time       = var.end_time
  period_seconds = 60 # pinned with end_time: the same datapoints at every plan
}

# What each node does, hour by hour.
data "rightsize_utilization" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  end_time              = var.end_time
  period_seconds        = 60
}

data "rightsize_utilization" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 28
  end_time               = var.end_time
  period_seconds         = 300 # CloudWatch keeps 1-minute datapoints for 15 days
}

# What PostgreSQL itself says about the chat workload.
data "rightsize_postgres_stats" "chat" {
  tables         = ["users", "messages", "chat_rooms"]
  top_statements = 5
}

# The decision, per cluster.
data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  end_time              = var.end_time
  period_seconds        = 60
  allow_single_node     = true # keeps the plan after the change valid
}

data "rightsize_single_node_recommendation" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 28
  end_time               = var.end_time
  period_seconds         = 300
  use_provider_postgres  = true
  allow_single_node      = true
}

# The change itself, guarded by a snapshot and gated by the verdict: sso-prod first (lower traffic), then mandible-prod.
resource "rightsize_db_topology" "sso" {
  provider              = rightsize.sso # validates on the auth database
  db_cluster_identifier = "sso-prod"
  nodes                 = 1
  require_verdict       = data.rightsize_single_node_recommendation.sso.verdict
  guard = {
    snapshot_identifier_prefix = "rs-guard"
  }
  validation = {
    # Tables that only grow: sessions are left out, expired ones are deleted in normal operation.
    tables        = ["users", "credentials", "login_events"]
    check_indexes = true
  }
}

resource "rightsize_db_topology" "mandible" {
  # The default provider configuration: validates on the chat database.
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  require_verdict        = data.rightsize_single_node_recommendation.mandible.verdict
  guard = {
    snapshot_identifier_prefix = "rs-guard"
  }
  validation = {
    tables        = ["users", "messages", "chat_rooms"]
    check_indexes = true
  }
  depends_on = [rightsize_db_topology.sso]
}

locals {
  recommendations = {
    "sso-prod"      = data.rightsize_single_node_recommendation.sso
    "mandible-prod" = data.rightsize_single_node_recommendation.mandible
  }
}

output "summary" {
  description = "Per cluster: verdict, projected CPU p95/p99, savings and migration window."
  value = {
    for id, r in local.recommendations : id => {
      verdict           = r.verdict
      confidence        = r.confidence
      projected_cpu_p95 = r.projected_cpu_p95
      projected_cpu_p99 = r.projected_cpu_p99
      monthly_savings   = r.monthly_savings
      annual_savings    = r.annual_savings
      migration_window  = r.migration_window.known ? "${r.migration_window.weekday} ${format("%02d", r.migration_window.start_hour_utc)}:00 UTC, ${r.migration_window.length_hours} h" : "unknown: ${r.migration_window.reason}"
    }
  }
}

output "phase_order" {
  value = data.rightsize_fleet.all.phase_order
}

output "fleet_monthly_savings" {
  value = data.rightsize_fleet.all.total_monthly_savings
}

output "topology" {
  value = {
    "sso-prod" = {
      nodes          = rightsize_db_topology.sso.current_nodes
      guard_snapshot = rightsize_db_topology.sso.guard_snapshot_id
      last_change    = rightsize_db_topology.sso.last_change.action
    }
    "mandible-prod" = {
      nodes          = rightsize_db_topology.mandible.current_nodes
      guard_snapshot = rightsize_db_topology.mandible.guard_snapshot_id
      last_change    = rightsize_db_topology.mandible.last_change.action
    }
  }
}

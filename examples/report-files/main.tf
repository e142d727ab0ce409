# Write a cluster's right-size report, charts and alert rules next to your code with the hashicorp/local
# provider (make demo does the same with its summary tool, because the demo runs with no registry access).

terraform {
  required_providers {
    rightsize = { source = "dbrightsize/rightsize" }
    local     = { source = "hashicorp/local" }
  }
}

# Without a pinned window (end_time and period_seconds) the report and charts follow the newest data, and
# every plan rewrites the files; pin it to keep the report you reviewed.
variable "report_end_time" {
  description = "End of the analysed window (RFC 3339); null follows the newest data."
  type        = string
  default     = null
}

data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  end_time              = var.report_end_time
  period_seconds        = var.report_end_time == null ? null : 300
  # Keeps planning once rightsize_db_topology has taken the cluster to one node.
  allow_single_node = true
}

locals {
  r = data.rightsize_single_node_recommendation.sso
}

resource "local_file" "report" {
  filename = "${path.module}/out/${local.r.id}/report.md"
  content  = local.r.report_markdown
}

resource "local_file" "chart" {
  for_each = local.r.charts_svg
  filename = "${path.module}/out/${local.r.id}/${each.key}"
  content  = each.value
}

resource "local_file" "prometheus_rules" {
  filename = "${path.module}/out/${local.r.id}/rollback-rules.yaml"
  content  = local.r.prometheus_rules_yaml
}

resource "local_file" "infracost_usage" {
  filename = "${path.module}/out/${local.r.id}/infracost-usage.yml"
  content  = local.r.infracost_usage_yaml
}

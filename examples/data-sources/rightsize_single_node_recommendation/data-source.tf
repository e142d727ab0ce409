data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14

  policy = {
    headroom_percent        = 20
    alert_threshold_percent = 40
  }
  savings_target = {
    min_monthly_usd = 50
    max_monthly_usd = 100
  }
}

output "sso_verdict" {
  value = data.rightsize_single_node_recommendation.sso.verdict
}

output "sso_monthly_savings" {
  value = data.rightsize_single_node_recommendation.sso.monthly_savings
}

# Where the single node's windows should be (RDS formats, UTC), for the writer's
# aws_rds_cluster_instance.preferred_maintenance_window (or an aws_db_instance's
# backup_window and maintenance_window).
output "sso_maintenance_window" {
  value = data.rightsize_single_node_recommendation.sso.maintenance_window.suggested
}

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

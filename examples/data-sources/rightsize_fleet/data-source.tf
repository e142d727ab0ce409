data "rightsize_fleet" "prod" {
  identifier_regex = "-prod$"
  tags = {
    environment = "production"
  }
  lookback_days = 14
}

output "phase_order" {
  value = data.rightsize_fleet.prod.phase_order
}

output "fleet_savings" {
  value = data.rightsize_fleet.prod.total_monthly_savings
}

# Catalog prices are a dated estimate (2024 list prices); set use_pricing_api = true for current ones.
data "rightsize_rds_price" "multi_az" {
  instance_class = "db.t4g.large"
  engine         = "rds-postgresql"
  deployment     = "multi-az"
  region         = "us-east-1"
}

data "rightsize_rds_price" "single_az" {
  instance_class = "db.t4g.large"
  engine         = "rds-postgresql"
  deployment     = "single-az"
  region         = "us-east-1"
}

# Current price from the AWS Price List API (pricing:GetProducts), falling back to the catalog with a warning.
data "rightsize_rds_price" "aurora_live" {
  instance_class  = "db.r6g.large"
  engine          = "aurora-postgresql"
  deployment      = "single-az"
  use_pricing_api = true
}

output "monthly_savings_going_single_az" {
  value = data.rightsize_rds_price.multi_az.monthly_usd - data.rightsize_rds_price.single_az.monthly_usd
}

# cost: totals what the fleet costs today and after consolidating the deployments whose verdict is
# `consolidate`. Feed it the rightsize-analysis module's cost_item outputs, or rightsize_fleet's clusters
# mapped to the same shape (a fleet entry names its deployment `identifier`, not `name`):
#
#   module "cost" {
#     source = "./modules/cost"
#     items = [for c in data.rightsize_fleet.prod.clusters : {
#       name                 = c.identifier
#       verdict              = c.verdict
#       current_monthly_cost = c.current_monthly_cost
#       monthly_savings      = c.monthly_savings
#     }]
#   }

variable "items" {
  description = "Deployments: name, verdict, current_monthly_cost and monthly_savings (USD; null when unpriced)."
  type = list(object({
    name                 = string
    verdict              = string
    current_monthly_cost = number
    monthly_savings      = number
  }))
}

locals {
  # A deployment is left out of the totals when its cost, or (to be consolidated) its savings, has no price.
  unpriced    = [for i in var.items : i if i.current_monthly_cost == null || (i.verdict == "consolidate" && i.monthly_savings == null)]
  priced      = [for i in var.items : i if !contains([for u in local.unpriced : u.name], i.name)]
  consolidate = [for i in local.priced : i if i.verdict == "consolidate"]
  # Totals rounded to cents (floor(x + 0.5): Terraform has no round function). The provider's
  # dollar figures are binary floating point, which Terraform's exact arithmetic would otherwise
  # carry into sums and products: 12 × 158.96 printed as 1907.5199999…98, some 150 digits.
  current = floor(sum(concat([0], [for i in local.priced : i.current_monthly_cost])) * 100 + 0.5) / 100
  savings = floor(sum(concat([0], [for i in local.consolidate : i.monthly_savings])) * 100 + 0.5) / 100
}

output "current_monthly_cost" {
  value = local.current
}

output "monthly_savings" {
  value = local.savings
}

output "monthly_cost_after" {
  value = floor((local.current - local.savings) * 100 + 0.5) / 100
}

output "annual_savings" {
  value = floor(local.savings * 1200 + 0.5) / 100
}

output "consolidate" {
  description = "Names of the deployments to take to one node, priced or not."
  value       = [for i in var.items : i.name if i.verdict == "consolidate"]
}

output "unpriced" {
  description = "Names of deployments without a catalog price for their cost or, to be consolidated, their savings (left out of the totals)."
  value       = [for i in local.unpriced : i.name]
}

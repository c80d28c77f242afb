output "budget_id" {
  description = "OCID of the budget (in the tenancy's root compartment)."
  value       = oci_budget_budget.this.id
}

output "alert_rule_ids" {
  description = "OCIDs of the budget's alert rules, by kind (actual, forecast)."
  value       = { for kind, rule in oci_budget_alert_rule.this : kind => rule.id }
}

output "amount" {
  description = "The monthly budget, in the currency of the tenancy's rate card."
  value       = oci_budget_budget.this.amount
}

locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)

  # OCI takes the recipients as one string; an empty one means none.
  recipients = length(var.alert_recipients) == 0 ? null : join(",", var.alert_recipients)

  alerts = {
    actual = {
      type      = "ACTUAL"
      threshold = var.actual_threshold_percent
      message   = "Galley's spending this month has reached ${var.actual_threshold_percent} % of its budget (${var.amount})."
    }
    forecast = {
      type      = "FORECAST"
      threshold = var.forecast_threshold_percent
      message   = "Galley's spending this month is forecast to reach ${var.forecast_threshold_percent} % of its budget (${var.amount})."
    }
  }
}

# A budget lives in the tenancy's root compartment and tracks the spending of its target
# compartment (and its children). OCI evaluates it about once a day: a soft limit that sends
# alerts, never one that stops anything.
resource "oci_budget_budget" "this" {
  compartment_id = var.tenancy_id
  amount         = var.amount
  reset_period   = "MONTHLY"
  target_type    = "COMPARTMENT"
  targets        = [var.compartment_id]
  display_name   = "${var.name_prefix}-budget"
  description    = "Monthly spending of the Galley compartment."
  freeform_tags  = local.freeform_tags
}

resource "oci_budget_alert_rule" "this" {
  for_each = local.alerts

  budget_id      = oci_budget_budget.this.id
  type           = each.value.type
  threshold_type = "PERCENTAGE"
  threshold      = each.value.threshold
  display_name   = "${var.name_prefix}-${each.key}-${replace(tostring(each.value.threshold), ".", "_")}pct"
  description    = "${each.value.type} spending at ${each.value.threshold} % of the budget."
  message        = each.value.message
  recipients     = local.recipients
  freeform_tags  = local.freeform_tags
}

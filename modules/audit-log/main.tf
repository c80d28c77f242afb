locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)
}

# A log group of its own: OCI narrows `use log-content` to a log group (target.loggroup.id), not
# to a log, so Galley's right to write reaches this log and nothing else.
resource "oci_logging_log_group" "this" {
  compartment_id = var.compartment_id
  display_name   = "${var.name_prefix}-audit"
  description    = "Galley's audit trail: one record per MCP request and per tool call."
  freeform_tags  = local.freeform_tags
}

resource "oci_logging_log" "this" {
  display_name       = "${var.name_prefix}-audit"
  log_group_id       = oci_logging_log_group.this.id
  log_type           = "CUSTOM"
  is_enabled         = true
  retention_duration = var.retention_days
  freeform_tags      = local.freeform_tags
}

locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)
  topic_id      = var.topic_id == null ? oci_ons_notification_topic.this[0].id : var.topic_id

  # MQL dimension filters (metric names and dimensions: README, "Metrics").
  gateway_filter  = var.deployment_id == null ? "resourceId = \"${var.gateway_id}\"" : "resourceId = \"${var.gateway_id}\", deploymentId = \"${var.deployment_id}\""
  instance_filter = "resourceId = \"${var.container_instance_id}\""

  alarms = {
    gateway_5xx = {
      namespace = "oci_apigateway"
      query     = "HttpResponses[5m]{${local.gateway_filter}, httpStatusCategory = \"5xx\"}.sum() > ${var.gateway_5xx_threshold}"
      body      = "The API gateway sent more than ${var.gateway_5xx_threshold} 5xx responses in 5 minutes."
    }
    backend_5xx = {
      namespace = "oci_apigateway"
      query     = "BackendHttpResponses[5m]{${local.gateway_filter}, backendHttpStatusCategory = \"5xx\"}.sum() > ${var.backend_5xx_threshold}"
      body      = "Galley (the gateway's back end) returned more than ${var.backend_5xx_threshold} 5xx responses in 5 minutes."
    }
    gateway_latency = {
      namespace = "oci_apigateway"
      query     = "Latency[5m]{${local.gateway_filter}}.percentile(0.95) > ${var.latency_threshold_seconds}"
      body      = "The gateway's 95th percentile latency over 5 minutes is above ${var.latency_threshold_seconds} s."
    }
    # An absence alarm: the instance emits no metrics (stopped, failed or deleted).
    instance_not_running = {
      namespace = "oci_computecontainerinstance"
      query     = "CpuUtilization[1m]{${local.instance_filter}}.groupBy(resourceId).absent()"
      body      = "Galley's container instance has emitted no CPU metrics: it is not running."
    }
    memory = {
      namespace = "oci_computecontainerinstance"
      query     = "MemoryUtilization[5m]{${local.instance_filter}}.max() > ${var.memory_threshold_percent}"
      body      = "Galley's container instance uses more than ${var.memory_threshold_percent} % of its memory."
    }
  }
}

# Where the alarms send their notifications, unless a topic is given (topic_id).
resource "oci_ons_notification_topic" "this" {
  count = var.topic_id == null ? 1 : 0

  compartment_id = var.compartment_id
  name           = "${var.name_prefix}-alarms"
  description    = "Galley's alarms."
  freeform_tags  = local.freeform_tags
}

# Each address gets a confirmation email; the subscription stays PENDING until it is confirmed.
resource "oci_ons_subscription" "email" {
  for_each = toset(var.notification_emails)

  compartment_id = var.compartment_id
  topic_id       = local.topic_id
  protocol       = "EMAIL"
  endpoint       = each.value
  freeform_tags  = local.freeform_tags
}

resource "oci_monitoring_alarm" "this" {
  for_each = { for name, alarm in local.alarms : name => alarm if contains(var.enabled_alarms, name) }

  compartment_id        = var.compartment_id
  metric_compartment_id = var.compartment_id
  display_name          = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  namespace             = each.value.namespace
  query                 = each.value.query
  severity              = var.severity
  body                  = each.value.body
  destinations          = [local.topic_id]
  is_enabled            = true
  pending_duration      = var.pending_duration
  message_format        = "ONS_OPTIMIZED"
  freeform_tags         = local.freeform_tags
}

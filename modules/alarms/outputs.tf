output "topic_id" {
  description = "OCID of the Notifications topic the alarms send to (created, or topic_id)."
  value       = local.topic_id
}

output "alarm_ids" {
  description = "OCIDs of the alarms, by name (gateway_5xx, backend_5xx, gateway_latency, instance_not_running, memory)."
  value       = { for name, alarm in oci_monitoring_alarm.this : name => alarm.id }
}

output "alarm_queries" {
  description = "The alarms' MQL queries, by name."
  value       = { for name, alarm in oci_monitoring_alarm.this : name => alarm.query }
}

output "subscription_ids" {
  description = "OCIDs of the email subscriptions, by address."
  value       = { for email, sub in oci_ons_subscription.email : email => sub.id }
}

output "policy_id" {
  description = "OCID of the Galley policy, known once it has had propagation_wait_seconds to take effect."
  value       = time_sleep.policy_propagation.triggers.policy_id
}

output "policy_name" {
  description = "Name of the Galley policy (unique in the tenancy)."
  value       = oci_identity_policy.this.name
}

output "policy_statements" {
  description = "Statements of the Galley policy."
  value       = oci_identity_policy.this.statements
}

output "policy_compartment_id" {
  description = "OCID of the compartment that holds the policy."
  value       = oci_identity_policy.this.compartment_id
}

output "dynamic_group_matching_rule" {
  description = "Matching rule the dynamic group (dynamic_group_id) should have: the container instances of the Galley compartment that carry instance_tag."
  value       = local.dynamic_group_matching_rule
}

output "instance_tag" {
  description = "The defined tag Galley's container instance must carry (container-instance's instance_tag); once create_tag_namespace has made it."
  value       = local.instance_tag
}

output "service_policy_id" {
  description = "OCID of the policy granting the Object Storage service its rights on the bucket (lifecycle rules, encryption key): object-storage's service_policy_id, so that the bucket waits for it."
  value       = time_sleep.service_policy_propagation.triggers.policy_id
}

output "service_policy_statements" {
  description = "Statements of the Object Storage service policy."
  value       = oci_identity_policy.object_storage_service.statements
}

output "repository_id" {
  description = "OCID of the repository."
  value       = oci_artifacts_container_repository.this.id
}

output "repository_name" {
  description = "Name of the repository: give it to iam's and container-instance's image_repository_name."
  value       = oci_artifacts_container_repository.this.display_name
}

output "compartment_id" {
  description = "Compartment that holds the repository: give it to iam's image_repository_compartment_id when it is not the Galley compartment."
  value       = oci_artifacts_container_repository.this.compartment_id
}

output "namespace" {
  description = "The tenancy's registry namespace (the Object Storage namespace): the path segment after the registry host."
  value       = oci_artifacts_container_repository.this.namespace
}

output "is_immutable" {
  description = "Whether OCI refuses pushes that overwrite an image of the repository."
  value       = oci_artifacts_container_repository.this.is_immutable
}

# Shared settings of the object-storage unit (Galley's data bucket, not the state bucket).
terraform {
  source = "${dirname(find_in_parent_folders("terragrunt.hcl"))}/modules//object-storage"
}

# Shared settings of the image-repository unit: the OCIR repository Galley's image is pushed to,
# in the compartment iam's pull right names (image_repository_compartment_id, else
# compartment_id) and under the name it names (image_repository_name): both come from env.hcl,
# as iam's do, so the unit needs no other unit and no other unit needs it. Apply it alone before
# the first `docker push` (live/README.md, "First deployment"): a push to a repository that does
# not exist creates it in the tenancy's root compartment, out of the pull right's reach.
# create_image_repository = false (env.hcl) leaves the unit out of every run, for a repository
# made another way.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//container-repository"
}

exclude {
  if      = !local.env.create_image_repository
  actions = ["all"]
}

inputs = {
  # root.hcl's compartment_id input is the Galley compartment; the repository's is the one the
  # pull right names.
  compartment_id  = coalesce(local.env.image_repository_compartment_id, local.env.compartment_id)
  repository_name = local.env.image_repository_name # the repository iam's policy names
  is_immutable    = local.env.image_repository_immutable
}

# TFLint (scripts/install-tools builds the version mise.toml pins) over modules/* and deploy/, as
# tests/modules/test_tflint.py runs it: the bundled Terraform ruleset's `recommended` preset, plus
# the documentation and layout rules this repository already follows.
config {
  # deploy/ calls the modules by local path: lint those calls too.
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

# Every variable and output carries a description (the module READMEs are written from them).
rule "terraform_documented_variables" {
  enabled = true
}

rule "terraform_documented_outputs" {
  enabled = true
}

# snake_case names for resources, data sources, variables, outputs and locals.
rule "terraform_naming_convention" {
  enabled = true
}

# main.tf, variables.tf, outputs.tf and versions.tf in every module.
rule "terraform_standard_module_structure" {
  enabled = true
}

# Not enabled: terraform_unused_required_providers. deploy/ pins hashicorp/random, which only its
# modules (container-instance, object-storage) use, on purpose: a root fixes the versions of its
# modules' providers.

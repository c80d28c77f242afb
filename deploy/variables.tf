# Required: the three values of terraform.tfvars (see terraform.tfvars.example). The modules
# validate every input; only the values the provider blocks use directly are checked here too.

variable "compartment_id" {
  description = "OCID of the compartment for Galley's network, bucket, container instance and gateway."
  type        = string
}

variable "region" {
  description = "OCI region to deploy into, such as us-ashburn-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region = \"${var.region}\" is invalid: expected an OCI region identifier such as us-ashburn-1 or eu-frankfurt-1."
  }
}

variable "dynamic_group_id" {
  description = "OCID of the existing dynamic group matching the Galley container instance (rule in modules/iam/README.md)."
  type        = string
}

variable "tenancy_id" {
  description = "OCID of the tenancy (tenancy= in ~/.oci/config). Its home region receives the IAM policies; the policy also goes to the tenancy root when it names several compartments and policy_compartment_id is null."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.tenancy\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.tenancy_id))
    error_message = "tenancy_id = \"${var.tenancy_id}\" is invalid: expected a tenancy OCID (ocid1.tenancy.oc1..<id>), the tenancy= line of ~/.oci/config."
  }
}

# Optional.

variable "home_region" {
  description = "Home region of the tenancy, where IAM policies are written. null = read from the tenancy (its home_region_key)."
  type        = string
  default     = null

  validation {
    condition     = var.home_region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", coalesce(var.home_region, "-")))
    error_message = "home_region = \"${coalesce(var.home_region, "null")}\" is invalid: expected an OCI region identifier such as us-ashburn-1, or null."
  }
}

variable "config_file_profile" {
  description = "Profile of ~/.oci/config to authenticate with. null = DEFAULT."
  type        = string
  default     = null
}

variable "galley_work_compartment_id" {
  description = "OCID of the compartment Galley manages (Resource Manager, networking, instances). null = compartment_id."
  type        = string
  default     = null
}

variable "policy_compartment_id" {
  description = "OCID of the compartment of the IAM policy; it must contain every compartment the policy names."
  type        = string
  default     = null
}

variable "image_repository_compartment_id" {
  description = "OCID of the compartment of the OCIR repository galley (image pulls are allowed there only). null = compartment_id: create the repository there before the first push, or a push creates it in the root compartment."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prefix of every name and display name. null = the modules' default (galley)."
  type        = string
  default     = null
}

variable "freeform_tags" {
  description = "Freeform tags merged over {app = \"galley\", managed-by = \"terraform\"}."
  type        = map(string)
  default     = {}
}

variable "network" {
  description = "CIDR blocks of the VCN and its two subnets; unset ones take modules/network's defaults (10.0.0.0/16, 10.0.1.0/24, 10.0.2.0/24)."
  type = object({
    vcn_cidr            = optional(string)
    public_subnet_cidr  = optional(string)
    private_subnet_cidr = optional(string)
  })
  default  = {}
  nullable = false
}

variable "existing_network" {
  description = "Deploy into an existing VCN instead of creating one: its OCID and two of its subnets, a regional public one for the gateway and a private one for the instance (modules/existing-network). Nothing in that network is changed: Galley's rules go into two network security groups. null = a new VCN (modules/network; `network` sets its CIDRs)."
  type = object({
    vcn_id            = string
    public_subnet_id  = string
    private_subnet_id = string
  })
  default = null

  validation {
    condition     = var.existing_network == null || can(regex("^ocid1\\.vcn\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.existing_network.vcn_id))
    error_message = "existing_network.vcn_id = \"${try(var.existing_network.vcn_id, "")}\" is invalid: expected the OCID of an existing VCN (ocid1.vcn.oc1.<region>.<id>)."
  }

  validation {
    condition = var.existing_network == null || alltrue([
      for id in [try(var.existing_network.public_subnet_id, ""), try(var.existing_network.private_subnet_id, "")] :
      can(regex("^ocid1\\.subnet\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", id))
    ])
    error_message = "existing_network subnets ${jsonencode({ public_subnet_id = try(var.existing_network.public_subnet_id, null), private_subnet_id = try(var.existing_network.private_subnet_id, null) })} are invalid: expected the OCIDs of two existing subnets (ocid1.subnet.oc1.<region>.<id>)."
  }
}

variable "allowed_ingress_cidrs" {
  description = "IPv4 CIDR blocks of the clients that may reach the gateway on 443 (e.g. your MCP hosts' NAT ranges); others time out. null = modules/network's default, [\"0.0.0.0/0\"] (anyone)."
  type        = list(string)
  default     = null
}

variable "kms_key_id" {
  description = "OCID of a Vault key for the bucket (the IAM module then lets Object Storage use it). null = Oracle-managed keys."
  type        = string
  default     = null
}

variable "kms_key_compartment_id" {
  description = "OCID of the compartment holding kms_key_id. null = compartment_id."
  type        = string
  default     = null
}

variable "previous_version_retention_days" {
  description = "Days previous object versions are kept in the bucket. null = the module's default (30)."
  type        = number
  default     = null
}

variable "bucket_versioning" {
  description = "Versioning of the bucket: Enabled, Disabled or Suspended. null = the module's default (Enabled). Retention rules need Disabled (new bucket) or Suspended (existing one)."
  type        = string
  default     = null
}

variable "retention_rules" {
  description = "Retention rules of the bucket (modules/object-storage): objects nobody, Galley included, can delete or overwrite for a duration. null = none."
  type = list(object({
    display_name     = string
    time_amount      = optional(number)
    time_unit        = optional(string, "DAYS")
    time_rule_locked = optional(string)
  }))
  default = null
}

variable "image_tag" {
  description = "Tag of the Galley image in OCIR (ocir.<region>.oci.oraclecloud.com/<namespace>/galley:<tag>). null = the module's default."
  type        = string
  default     = null
}

variable "galley_image_url" {
  description = "Full image URL with an explicit tag; overrides the OCIR default. Required outside the commercial realm (oc1), whose OCIR host the default assumes."
  type        = string
  default     = null
}

variable "ocpus" {
  description = "OCPUs of the container instance. null = the module's default (1)."
  type        = number
  default     = null
}

variable "memory_in_gbs" {
  description = "Memory of the container instance in GB. null = the module's default (2)."
  type        = number
  default     = null
}

variable "url_token_generations" {
  description = "Names of the generated tokens valid at once, oldest first (the last is the current one): add a name to issue a new token, remove one to retire its token (README: rotating the token). null = the module's default ([\"1\"])."
  type        = list(string)
  default     = null
}

variable "url_token_rotation_days" {
  description = "Days between two generated rotating tokens (each valid two periods; README: rotating the token). null = no rotation."
  type        = number
  default     = null
}

variable "token_transport" {
  description = "How clients send the token, which the gateway checks is present: query (?token=), header (Authorization: Bearer) or both. null = the module's default (query)."
  type        = string
  default     = null
}

variable "iam_propagation_wait_seconds" {
  description = "Seconds to wait after the IAM policies are written or changed before anything uses them. null = the module's default (60)."
  type        = number
  default     = null
}

variable "readiness_wait_seconds" {
  description = "Seconds a new container instance gets to pass its health check before the gateway moves to it during a rollout. null = derived from health_check."
  type        = number
  default     = null
}

variable "health_check" {
  description = "The container's health check on /health (initial_delay_in_seconds, interval_in_seconds, timeout_in_seconds, failure_threshold). null = the module's defaults (10, 10, 5, 3)."
  type = object({
    initial_delay_in_seconds = optional(number)
    interval_in_seconds      = optional(number)
    timeout_in_seconds       = optional(number)
    failure_threshold        = optional(number)
  })
  default = null
}

variable "url_token" {
  description = "A token of your own for the endpoint. null = generated tokens, one per url_token_generations name, each kept until its name is removed."
  type        = string
  default     = null
  sensitive   = true
}

variable "execution_log_enabled" {
  description = "Send the API Gateway's execution logs to OCI Logging (never access logs: they would record the token)."
  type        = bool
  default     = false
}

variable "rate_limit_requests_per_second" {
  description = "Requests per second the gateway accepts from one client IP. null = the module's default (50)."
  type        = number
  default     = null
}

variable "path_prefix" {
  description = "Path prefix of the API Gateway deployment. null = the module's default (/galley)."
  type        = string
  default     = null
}

variable "budget_monthly_amount" {
  description = "Monthly budget for the Galley compartment, a whole number in the rate card's currency: modules/budget creates it in the tenancy's root compartment, with alerts at 80 % of actual and 100 % of forecast spending. null = no budget."
  type        = number
  default     = null

  validation {
    condition     = var.budget_monthly_amount == null || try(var.budget_monthly_amount >= 1 && floor(var.budget_monthly_amount) == var.budget_monthly_amount, false)
    error_message = "budget_monthly_amount = ${coalesce(var.budget_monthly_amount, "null")} is invalid: expected a whole number of at least 1 (in the rate card's currency), or null for no budget."
  }
}

variable "budget_alert_recipients" {
  description = "Email addresses the budget's alerts go to (with budget_monthly_amount set). [] = alerts in the console only."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "create_image_repository" {
  description = "Create the OCIR repository of the image (modules/container-repository) in image_repository_compartment_id (else compartment_id), the compartment the pull right names. Apply it before the first push: terraform apply -target=module.container_repository. false = the repository exists already."
  type        = bool
  default     = false
  nullable    = false
}

variable "image_repository_immutable" {
  description = "With create_image_repository: make the repository immutable (OCI refuses a push that would overwrite an image)."
  type        = bool
  default     = false
  nullable    = false
}

variable "image_digest" {
  description = "Digest of the Galley image (sha256:<64 hex digits>, as docker push prints it): the image URL names it by digest (<repository>@sha256:...) instead of image_tag. null = by tag."
  type        = string
  default     = null
}

variable "instance_tag" {
  description = "Defined tag that marks Galley's own container instance; the dynamic group's matching rule (output dynamic_group_matching_rule, README step 2) requires it. null = modules/iam's default (galley.role = galley-instance)."
  type = object({
    namespace = optional(string)
    key       = optional(string)
    value     = optional(string)
  })
  default = null
}

variable "create_tag_namespace" {
  description = "Create instance_tag's tag namespace and key in the tenancy root (needs `manage tag-namespaces in tenancy`). false = they exist already (README step 2)."
  type        = bool
  default     = false
  nullable    = false
}

variable "alarms_enabled" {
  description = "Create Monitoring alarms (modules/alarms: gateway and backend 5xx, gateway latency, container instance not running, memory) and a Notifications topic they send to. false = no alarms."
  type        = bool
  default     = false
  nullable    = false
}

variable "alarm_notification_emails" {
  description = "With alarms_enabled: email addresses subscribed to the alarms' topic (each confirms by the link OCI mails). [] = the alarms show in the console only."
  type        = list(string)
  default     = []
  nullable    = false
}

# Custom domain (modules/api-gateway validates these).
variable "custom_hostname" {
  description = "Hostname clients use instead of the gateway's generated one (such as mcp.example.com); needs certificate_id or certificate_pem. null = the generated hostname."
  type        = string
  default     = null
}

variable "certificate_id" {
  description = "OCID of the custom hostname's certificate in the OCI Certificates service. Exclusive with certificate_pem."
  type        = string
  default     = null
}

variable "certificate_pem" {
  description = "PEM leaf certificate of the custom hostname (uploaded as an API Gateway certificate); needs certificate_private_key_pem."
  type        = string
  default     = null
}

variable "certificate_chain_pem" {
  description = "PEM intermediate certificates from the leaf's issuer towards the root (optional)."
  type        = string
  default     = null
}

variable "certificate_private_key_pem" {
  description = "PEM private key of certificate_pem."
  type        = string
  default     = null
  sensitive   = true
}

variable "dns_zone_id" {
  description = "OCID of an OCI DNS zone in which to create the CNAME custom_hostname -> the gateway's hostname. null = no DNS record."
  type        = string
  default     = null
}

variable "audit_log_enabled" {
  description = "Ship the runtime's audit records (one per MCP request and per tool call) to an OCI Logging custom log (modules/audit-log), written with the instance's resource principal. false = the container's output only."
  type        = bool
  default     = true
  nullable    = false
}

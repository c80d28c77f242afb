"""Invalid inputs fail at plan time with a message that names the value and what is expected."""

from __future__ import annotations

import re

import pytest
import tf_support as tfs
from tf_support import BASE_VARS, COMPARTMENT, SUBNET

# Custom domain inputs: the module checks the PEMs' form only (OCI checks their content).
CERTIFICATE = "ocid1.certificate.oc1.iad.aaaaaaaacertificate"
DNS_ZONE = "ocid1.dns-zone.oc1..aaaaaaaazone"
PEM_CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"
EXISTING = {
    "vcn_id": "ocid1.vcn.oc1.iad.aaaaaaaavcn",
    "public_subnet_id": SUBNET,
    "private_subnet_id": "ocid1.subnet.oc1.iad.aaaaaaaaprivate",
}
NSGS = [f"ocid1.networksecuritygroup.oc1.iad.aaaaaaaansg{i}" for i in range(6)]

# (target, overrides, expected message as a regex over whitespace-folded output)
CASES = [
    # OCIDs by type
    ("network", {"compartment_id": "ocid1.vcn.oc1.iad.aaaaaaaaxyz"},
     r'compartment_id = "ocid1\.vcn\.oc1\.iad\.aaaaaaaaxyz" is invalid: expected a compartment'),
    ("object-storage", {"compartment_id": "my-compartment"},
     r'compartment_id = "my-compartment" is invalid: expected a compartment or tenancy OCID'),
    ("object-storage", {"kms_key_id": "ocid1.vault.oc1.iad.aaaaaaaavault"},
     r'kms_key_id = "ocid1\.vault\.oc1\.iad\.aaaaaaaavault" is invalid: expected a Vault key OCID'),
    # Retention rules (OCI's rules on them, at plan time)
    ("object-storage", {"versioning": "Off"},
     r'versioning = "Off" is invalid: expected Enabled, Disabled or Suspended'),
    ("object-storage", {"versioning": "Disabled",
                        "retention_rules": [{"display_name": "k", "time_amount": 1,
                                             "time_unit": "MONTHS"}]},
     r'retention_rules time_unit values \["MONTHS"\] are invalid: expected DAYS or YEARS'),
    ("object-storage", {"versioning": "Disabled",
                        "retention_rules": [{"display_name": "k", "time_amount": 0.5}]},
     r"retention_rules time_amount values \[0\.5\] are invalid: expected whole numbers"),
    ("object-storage", {"versioning": "Disabled",
                        "retention_rules": [{"display_name": "k",
                                             "time_rule_locked": "2099-01-01T00:00:00Z"}]},
     r'retention_rules \["k"\] set time_rule_locked without time_amount'),
    ("object-storage", {"versioning": "Disabled",
                        "retention_rules": [{"display_name": "k", "time_amount": 1,
                                             "time_rule_locked": "next year"}]},
     r'retention_rules time_rule_locked values \["next year"\] are invalid: expected RFC 3339'),
    ("object-storage", {"versioning": "Disabled",
                        "retention_rules": [{"display_name": "k", "time_amount": 1},
                                            {"display_name": "k", "time_amount": 2}]},
     r'retention_rules display_name values \["k","k"\] repeat a name'),
    ("object-storage", {"retention_rules": [{"display_name": "k", "time_amount": 1}]},
     r'retention_rules are set with versioning = "Enabled": OCI refuses retention rules on a '
     r"versioned bucket"),
    ("iam", {"dynamic_group_id": "ocid1.group.oc1..aaaaaaaagroup"},
     r'dynamic_group_id = "ocid1\.group\.oc1\.\.aaaaaaaagroup" is invalid: expected a dynamic gr'),
    ("iam", {"dynamic_group_id": COMPARTMENT},
     r"dynamic_group_id = \"ocid1\.compartment\..*\" is invalid: expected a dynamic group OCID"),
    ("iam", {"tenancy_id": COMPARTMENT},
     r'tenancy_id = "ocid1\.compartment\..*" is invalid: expected a tenancy OCID'),
    ("iam", {"galley_work_compartment_id": SUBNET},
     r'galley_work_compartment_id = "ocid1\.subnet\..*" is invalid: expected a compartment'),
    ("iam", {"policy_compartment_id": "root"},
     r'policy_compartment_id = "root" is invalid: expected a compartment or tenancy OCID'),
    ("container-instance", {"subnet_id": "ocid1.vcn.oc1.iad.aaaaaaaavcn"},
     r'subnet_id = "ocid1\.vcn\.oc1\.iad\.aaaaaaaavcn" is invalid: expected a subnet OCID'),
    ("api-gateway", {"subnet_id": "ocid1.subnet.oc1.iad"},
     r'subnet_id = "ocid1\.subnet\.oc1\.iad" is invalid: expected a subnet OCID'),
    ("container-instance", {"nsg_ids": ["ocid1.securitylist.oc1.iad.aaaaaaaasl"]},
     r'nsg_ids = \["ocid1\.securitylist\..*"\] is invalid: expected network security group'),
    # Policy placement
    ("iam", {"galley_work_compartment_id": "ocid1.compartment.oc1..aaaaaaaawork"},
     r"The galley policy names several compartments .* neither policy_compartment_id nor "
     r"tenancy_id"),
    ("iam", {"compartment_id": "ocid1.tenancy.oc1..aaaaaaaaroot",
             "galley_work_compartment_id": "ocid1.compartment.oc1..aaaaaaaawork",
             "policy_compartment_id": "ocid1.compartment.oc1..aaaaaaaawork"},
     r"A statement of the galley policy names the tenancy root .* so the policy must live there"),
    ("iam", {"kms_key_id": "ocid1.key.oc1.iad.bbqexamplevault.abuhexamplekey",
             "kms_key_compartment_id": "ocid1.compartment.oc1..aaaaaaaasecurity"},
     r"The service policy names several compartments .*aaaaaaaasecurity.* neither "
     r"policy_compartment_id nor tenancy_id"),
    ("iam", {"bucket_name": "bad bucket!"},
     r'bucket_name = "bad bucket!" is invalid: expected 1-256 letters, digits'),
    # Region
    ("container-instance", {"region": "US-ASHBURN-1"},
     r'region = "US-ASHBURN-1" is invalid: expected an OCI region identifier'),
    ("container-instance", {"region": "ashburn"},
     r'region = "ashburn" is invalid: expected an OCI region identifier'),
    ("deploy", {"region": "us_ashburn_1"},
     r'region = "us_ashburn_1" is invalid: expected an OCI region identifier'),
    ("deploy", {"network": {"private_subnet_cidr": "10.0.1.0/24"}},
     r'public_subnet_cidr = "10\.0\.1\.0/24" and private_subnet_cidr = "10\.0\.1\.0/24" overlap'),
    ("deploy", {"home_region": "Frankfurt"},
     r'home_region = "Frankfurt" is invalid: expected an OCI region identifier'),
    # CIDRs
    ("network", {"vcn_cidr": "10.0.0.0/33"},
     r'vcn_cidr = "10\.0\.0\.0/33" is invalid: expected an IPv4 network .* from /16 to /30'),
    ("network", {"vcn_cidr": "10.0.0.0/8"},
     r'vcn_cidr = "10\.0\.0\.0/8" is invalid: expected an IPv4 network .* from /16 to /30'),
    ("network", {"vcn_cidr": "10.0.1.0/16"},
     r'vcn_cidr = "10\.0\.1\.0/16" is invalid: .*no host bits set'),
    ("network", {"public_subnet_cidr": "10.1.1.0/24"},
     r'outside the VCN: public_subnet_cidr = "10\.1\.1\.0/24" must lie inside '
     r'vcn_cidr = "10\.0\.0\.0/16"'),
    ("network", {"vcn_cidr": "10.0.0.0/24", "public_subnet_cidr": "10.0.0.0/24"},
     r'private_subnet_cidr = "10\.0\.2\.0/24" must lie inside vcn_cidr = "10\.0\.0\.0/24"'),
    ("network", {"private_subnet_cidr": "10.0.1.128/25"},
     r'public_subnet_cidr = "10\.0\.1\.0/24" and private_subnet_cidr = "10\.0\.1\.128/25" overlap'),
    ("network", {"private_subnet_cidr": "10.0.0.0/16"},
     r"overlap: expected two disjoint CIDR blocks"),
    ("network", {"public_subnet_cidr": "10.0.1.0"},
     r'public_subnet_cidr = "10\.0\.1\.0" is invalid: expected an IPv4 network address'),
    ("api-gateway", {"backend_ip": "10.0.2"},
     r'backend_ip = "10\.0\.2" is invalid: expected an IPv4 address'),
    # Ports and sizes
    ("network", {"galley_port": 70000},
     r"galley_port = 70000 is invalid: expected a whole number from 1 to 65535"),
    ("container-instance", {"ocpus": 0},
     r"ocpus = 0 is invalid: expected a whole number of OCPUs from 1 to 64"),
    ("container-instance", {"ocpus": 1.5},
     r"ocpus = 1\.5 is invalid: expected a whole number of OCPUs"),
    ("container-instance", {"memory_in_gbs": 0},
     r"memory_in_gbs = 0 is invalid: expected a whole number of GB from 1 to 1024"),
    ("container-instance", {"ocpus": 1, "memory_in_gbs": 128},
     r"memory_in_gbs = 128 with ocpus = 1 is invalid: expected 1 to 64 GB per OCPU"),
    ("container-instance", {"shape": "VM.Standard.E4.Flex"},
     r'shape = "VM\.Standard\.E4\.Flex" is invalid: expected a flexible container instance shape'),
    ("api-gateway", {"read_timeout_in_seconds": 600},
     r"read_timeout_in_seconds = 600 is invalid: expected 1 to 300 seconds"),
    ("api-gateway", {"connect_timeout_in_seconds": 0},
     r"connect_timeout_in_seconds = 0 is invalid: expected 1 to 75 seconds"),
    # Image
    ("container-instance",
     {"galley_image_url": "ocir.us-ashburn-1.oci.oraclecloud.com/ns/galley"},
     r'galley_image_url = "ocir\.us-ashburn-1\.oci\.oraclecloud\.com/ns/galley" is invalid: '
     r'expected <registry>/<repository>:<tag>'),
    ("container-instance", {"galley_image_url": "galley:0.1.0"},
     r'galley_image_url = "galley:0\.1\.0" is invalid: expected <registry>/<repository>:<tag>'),
    ("container-instance",
     {"galley_image_url": "ocir.us-ashburn-1.oci.oraclecloud.com/ns/galley:latest"},
     r"galley_image_url = .*:latest\" is invalid: .*explicit tag other than latest"),
    ("container-instance",
     {"galley_image_url": "ocir.us-ashburn-1.oci.oraclecloud.com/ns/other:1.0"},
     r'galley_image_url = "ocir\.us-ashburn-1\.oci\.oraclecloud\.com/ns/other:1\.0" names the '
     r'OCIR repository "other", but the IAM policy lets the instance pull from '
     r'image_repository_name = "galley" only'),
    ("container-instance",
     {"galley_image_url": "iad.ocir.io/ns/team/galley:1.0", "image_repository_name": "galley"},
     r'names the OCIR repository "team/galley", but .* image_repository_name = "galley"'),
    ("container-instance", {"environment_variables": {"GALLEY_URL_TOKEN": "x" * 32}},
     r"environment_variables sets GALLEY_URL_TOKEN: .*only its digest"),
    ("container-instance", {"image_tag": "latest"},
     r'image_tag = "latest" is invalid: expected an explicit image tag other than latest'),
    # Other inputs
    ("container-instance", {"url_token": "short"},
     r"url_token is invalid: expected 16-256 URL-safe characters"),
    ("container-instance", {"url_token": "a token with spaces and more"},
     r"url_token is invalid: expected 16-256 URL-safe characters"),
    ("container-instance", {"url_token_generations": []},
     r"url_token_generations = \[\] with url_token and url_token_rotation_days null leaves no "
     r"valid token"),
    ("container-instance", {"url_token_generations": ["1", "2", "3", "4", "5", "6"]},
     r"expected at most 5 generation names"),
    ("container-instance", {"url_token_rotation_days": 0},
     r"url_token_rotation_days = 0 is invalid: expected whole days from 1 to 365"),
    ("container-instance", {"url_token_rotation_days": 1.5},
     r"url_token_rotation_days = 1\.5 is invalid: expected whole days"),
    ("container-instance", {"url_token_rotation_start": "2027-01-01"},
     r'url_token_rotation_start = "2027-01-01" is invalid: expected an RFC 3339 timestamp'),
    ("container-instance", {"url_token_generations": ["2026 12"]},
     r'url_token_generations = \["2026 12"\] is invalid: expected names of 1-32 letters'),
    ("container-instance", {"url_token_generations": ["1", "1"]},
     r'url_token_generations = \["1","1"\] names a generation twice: expected distinct names'),
    ("container-instance", {"readiness_wait_seconds": 0},
     r"readiness_wait_seconds = 0 is invalid: expected 1 to 1800 seconds"),
    ("container-instance", {"readiness_wait_seconds": 7200},
     r"readiness_wait_seconds = 7200 is invalid: expected 1 to 1800 seconds"),
    ("api-gateway", {"token_transport": "cookie"},
     r'token_transport = "cookie" is invalid: expected query, header or both'),
    ("iam", {"propagation_wait_seconds": -5},
     r"propagation_wait_seconds = -5 is invalid: expected whole seconds from 0 to 1800"),
    ("iam", {"propagation_wait_seconds": 2.5},
     r"propagation_wait_seconds = 2\.5 is invalid: expected whole seconds"),
    ("deploy", {"token_transport": "HEADER"},
     r'token_transport = "HEADER" is invalid: expected query, header or both'),
    ("deploy", {"url_token_generations": ["a/b"]},
     r'url_token_generations = \["a/b"\] is invalid'),
    ("container-instance", {"policy_id": COMPARTMENT},
     r'policy_id = "ocid1\.compartment\..*" is invalid: expected a policy OCID'),
    ("container-instance", {"availability_domain": "AD-1"},
     r'availability_domain = "AD-1" is invalid: expected an availability domain name'),
    ("api-gateway", {"rate_limit_requests_per_second": 0},
     r"rate_limit_requests_per_second = 0 is invalid: expected a whole number from 1 to 10000"),
    ("api-gateway", {"execution_log_level": "DEBUG"},
     r'execution_log_level = "DEBUG" is invalid: expected WARN or ERROR'),
    ("api-gateway", {"execution_log_level": "INFO"},
     r'execution_log_level = "INFO" is invalid: expected WARN or ERROR \(INFO could record'),
    ("api-gateway", {"log_retention_days": 45},
     r"log_retention_days = 45 is invalid: expected 30, 60, 90, 120, 150 or 180"),
    ("api-gateway", {"log_group_id": COMPARTMENT},
     r'log_group_id = "ocid1\.compartment\..*" is invalid: expected a log group OCID'),
    ("api-gateway", {"path_prefix": "galley/"},
     r"path_prefix = \"galley/\" is invalid: expected a path starting with '/'"),
    ("network", {"name_prefix": "Galley_Prod"},
     r'name_prefix = "Galley_Prod" is invalid: expected 1-30 characters'),
    # Ingress allow-list
    ("network", {"allowed_ingress_cidrs": []},
     r"allowed_ingress_cidrs = \[\] is invalid: expected at least one IPv4 CIDR block"),
    ("network", {"allowed_ingress_cidrs": ["203.0.113.0/24", "10.0.0.0/33", "example.com"]},
     r'allowed_ingress_cidrs entries \["10\.0\.0\.0/33","example\.com"\] are invalid: '
     r"expected IPv4 network addresses with a prefix from /0 to /32"),
    ("network", {"allowed_ingress_cidrs": ["203.0.113.7/24"]},
     r'allowed_ingress_cidrs entries \["203\.0\.113\.7/24"\] are invalid: .*no host bits set'),
    ("network", {"allowed_ingress_cidrs": ["2001:db8::/32"]},
     r'allowed_ingress_cidrs entries \["2001:db8::/32"\] are invalid: expected IPv4'),
    ("network", {"allowed_ingress_cidrs": [f"10.0.{i}.0/24" for i in range(200)]},
     r"allowed_ingress_cidrs has 200 distinct entries: expected at most 199"),
    ("deploy", {"allowed_ingress_cidrs": ["example.com"]},
     r'allowed_ingress_cidrs entries \["example\.com"\] are invalid'),
    # Budget
    ("budget", {"tenancy_id": COMPARTMENT},
     r'tenancy_id = "ocid1\.compartment\..*" is invalid: expected a tenancy OCID .*root compart'),
    ("budget", {"compartment_id": SUBNET},
     r'compartment_id = "ocid1\.subnet\..*" is invalid: expected a compartment or tenancy OCID'),
    ("budget", {"amount": 0},
     r"amount = 0 is invalid: expected a whole number of at least 1"),
    ("budget", {"amount": 49.99},
     r"amount = 49\.99 is invalid: expected a whole number"),
    ("budget", {"alert_recipients": ["ops@example.com", "ops", "a@b.c, d@e.f"]},
     r'alert_recipients entries \["ops","a@b\.c, d@e\.f"\] are invalid: expected email addresses'),
    ("budget", {"actual_threshold_percent": 0},
     r"actual_threshold_percent = 0 is invalid: expected a percentage above 0 and at most 10000"),
    ("budget", {"forecast_threshold_percent": 10001},
     r"forecast_threshold_percent = 10001 is invalid: expected a percentage above 0"),
    ("budget", {"forecast_threshold_percent": 99.999},
     r"forecast_threshold_percent = 99\.999 is invalid: .*at most two decimals"),
    ("budget", {"name_prefix": "1galley"},
     r'name_prefix = "1galley" is invalid: expected 1-30 characters'),
    ("deploy", {"budget_monthly_amount": 0.5},
     r"budget_monthly_amount = 0\.5 is invalid: expected a whole number of at least 1"),
    ("deploy", {"budget_monthly_amount": 20, "budget_alert_recipients": ["ops"]},
     r'alert_recipients entries \["ops"\] are invalid: expected email addresses'),
    # The OCIR repository in code, and images by digest
    ("container-repository", {"repository_name": "Galley/Web"},
     r'repository_name = "Galley/Web" is invalid: expected 1-255 characters: lowercase letters'),
    ("container-repository", {"repository_name": "team//galley-"},
     r'repository_name = "team//galley-" is invalid'),
    ("container-repository", {"compartment_id": SUBNET},
     r'compartment_id = "ocid1\.subnet\..*" is invalid: expected a compartment or tenancy OCID'),
    ("container-instance", {"image_digest": "sha256:abc123"},
     r'image_digest = "sha256:abc123" is invalid: expected sha256: and 64 lowercase hexadecimal'),
    ("deploy", {"image_digest": "0.1.0"},
     r'image_digest = "0\.1\.0" is invalid: expected sha256: and 64'),
    # The defined tag of Galley's instance, which the dynamic group's matching rule requires
    ("iam", {"instance_tag": {"namespace": "gal.ley"}},
     r'instance_tag = \{.*"namespace":"gal\.ley".*\} is invalid: expected a namespace and a key'),
    ("iam", {"instance_tag": {"value": "it's"}},
     r"instance_tag = \{.*\} is invalid: expected a value of 1-256 letters"),
    ("iam", {"tag_namespace_compartment_id": SUBNET},
     r'tag_namespace_compartment_id = "ocid1\.subnet\..*" is invalid: expected a compartment'),
    ("container-instance", {"instance_tag": {"key": "galley role"}},
     r'instance_tag = \{.*"key":"galley role".*\} is invalid: expected a namespace and a key'),
    ("container-instance", {"defined_tags": {"cost-center": "42"}},
     r'defined_tags = \{"cost-center":"42"\} is invalid: expected keys of the form'),
    ("deploy", {"instance_tag": {"namespace": "gal.ley"}},
     r'instance_tag = \{.*"namespace":"gal\.ley".*\} is invalid: expected a namespace and a key'),
    # Alarms on the gateway and the container instance (modules/alarms)
    ("alarms", {"gateway_id": "ocid1.apideployment.oc1.iad.aaaaaaaadeployment"},
     r'gateway_id = "ocid1\.apideployment\..*" is invalid: expected an API gateway OCID'),
    ("alarms", {"deployment_id": "ocid1.apigateway.oc1.iad.aaaaaaaagateway"},
     r'deployment_id = "ocid1\.apigateway\..*" is invalid: expected an API deployment OCID'),
    ("alarms", {"container_instance_id": "ocid1.instance.oc1.iad.aaaaaaaainstance"},
     r'container_instance_id = "ocid1\.instance\..*" is invalid: expected a container instance'),
    ("alarms", {"compartment_id": SUBNET},
     r'compartment_id = "ocid1\.subnet\..*" is invalid: expected a compartment or tenancy OCID'),
    ("alarms", {"topic_id": "ocid1.topic.oc1.iad.aaaaaaaatopic"},
     r'topic_id = "ocid1\.topic\..*" is invalid: expected a Notifications topic OCID'),
    ("alarms", {"notification_emails": ["ops@example.com", "ops"]},
     r'notification_emails entries \["ops"\] are invalid: expected email addresses'),
    ("alarms", {"enabled_alarms": ["memory", "cpu"]},
     r'enabled_alarms entries \["cpu"\] are invalid: expected gateway_5xx'),
    ("alarms", {"gateway_5xx_threshold": 1.5},
     r"gateway_5xx_threshold = 1\.5 is invalid: expected a whole number"),
    ("alarms", {"latency_threshold_seconds": 0},
     r"latency_threshold_seconds = 0 is invalid: expected a number of seconds above 0"),
    ("alarms", {"memory_threshold_percent": 100},
     r"memory_threshold_percent = 100 is invalid: expected a percentage above 0 and below 100"),
    ("alarms", {"pending_duration": "PT2H"},
     r'pending_duration = "PT2H" is invalid: expected PT<n>M with n from 1 to 60, or PT1H'),
    ("alarms", {"severity": "FATAL"},
     r'severity = "FATAL" is invalid: expected CRITICAL, ERROR, WARNING or INFO'),
    ("alarms", {"name_prefix": "Galley"},
     r'name_prefix = "Galley" is invalid: expected 1-30 characters'),
    ("deploy", {"alarms_enabled": True, "alarm_notification_emails": ["ops"]},
     r'notification_emails entries \["ops"\] are invalid: expected email addresses'),
    # Custom domain (modules/api-gateway): the hostname, its certificate and the DNS record
    ("api-gateway", {"custom_hostname": "https://mcp.example.com/"},
     r'custom_hostname = "https://mcp\.example\.com/" is invalid: expected a lowercase DNS name'),
    ("api-gateway", {"custom_hostname": "localhost", "certificate_id": CERTIFICATE},
     r'custom_hostname = "localhost" is invalid: expected a lowercase DNS name of at least two'),
    ("api-gateway", {"custom_hostname": "mcp.example.com", "certificate_id": CERTIFICATE,
                     "certificate_pem": PEM_CERT, "certificate_private_key_pem": PEM_KEY},
     r"certificate_id and certificate_pem are both set: give the custom hostname's certificate"),
    ("api-gateway", {"custom_hostname": "mcp.example.com", "certificate_pem": PEM_CERT},
     r"certificate_pem is set without certificate_private_key_pem: set the leaf certificate's"),
    ("api-gateway", {"custom_hostname": "mcp.example.com", "certificate_private_key_pem": PEM_KEY},
     r"certificate_private_key_pem or certificate_chain_pem is set without certificate_pem"),
    ("api-gateway", {"custom_hostname": "mcp.example.com",
                     "certificate_id": "ocid1.vault.oc1.iad.aaaaaaaavault"},
     r'certificate_id = "ocid1\.vault\..*" is invalid: expected a certificate OCID'),
    ("api-gateway", {"custom_hostname": "mcp.example.com", "certificate_pem": "MIIB...",
                     "certificate_private_key_pem": PEM_KEY},
     r"certificate_pem is invalid: expected a PEM certificate starting with -----BEGIN CERTIF"),
    ("api-gateway", {"custom_hostname": "mcp.example.com", "certificate_pem": PEM_CERT,
                     "certificate_private_key_pem": "-----BEGIN ENCRYPTED PRIVATE KEY-----"},
     r"certificate_private_key_pem is invalid: expected an unencrypted PEM private key"),
    ("api-gateway", {"custom_hostname": "mcp.example.com"},
     r"custom_hostname is set without a certificate: set certificate_id \(OCI Certificates\)"),
    ("api-gateway", {"certificate_id": CERTIFICATE},
     r"A certificate \(certificate_id or certificate_pem\) is set without custom_hostname"),
    ("api-gateway", {"custom_hostname": "mcp.example.com", "certificate_id": CERTIFICATE,
                     "dns_zone_id": COMPARTMENT},
     r'dns_zone_id = "ocid1\.compartment\..*" is invalid: expected a DNS zone OCID'),
    ("api-gateway", {"dns_zone_id": DNS_ZONE},
     r"dns_zone_id is set without custom_hostname: set custom_hostname \(a name inside that zone"),
    ("api-gateway", {"custom_hostname": "mcp.example.com", "certificate_id": CERTIFICATE,
                     "dns_zone_id": DNS_ZONE, "dns_ttl": 5},
     r"dns_ttl = 5 is invalid: expected a whole number of seconds from 30 to 86400"),
    ("deploy", {"custom_hostname": "MCP.Example.com", "certificate_id": CERTIFICATE},
     r'custom_hostname = "MCP\.Example\.com" is invalid: expected a lowercase DNS name'),
    ("deploy", {"custom_hostname": "mcp.example.com", "certificate_pem": PEM_CERT},
     r"certificate_pem is set without certificate_private_key_pem"),
    # The audit log
    ("audit-log", {"retention_days": 45},
     r"retention_days = 45 is invalid: expected 30, 60, 90, 120, 150 or 180"),
    ("audit-log", {"retention_days": 365},
     r"retention_days = 365 is invalid: expected 30, 60, 90, 120, 150 or 180"),
    ("audit-log", {"name_prefix": "Galley_Prod"},
     r'name_prefix = "Galley_Prod" is invalid: expected 1-30 characters'),
    ("iam", {"audit_log": {"log_group_id": "ocid1.log.oc1.iad.aaaaaaaalog"}},
     r'audit_log\.log_group_id = "ocid1\.log\.oc1\.iad\.aaaaaaaalog" is invalid: expected a log'),
    ("container-instance", {"audit_log_id": "ocid1.loggroup.oc1.iad.aaaaaaaagroup"},
     r'audit_log_id = "ocid1\.loggroup\.oc1\.iad\.aaaaaaaagroup" is invalid: expected a log OCID'),
    # An existing network (modules/existing-network, deploy's existing_network)
    ("existing-network", {"vcn_id": "ocid1.subnet.oc1.iad.aaaaaaaanotavcn"},
     r'vcn_id = "ocid1\.subnet\.oc1\.iad\.aaaaaaaanotavcn" is invalid: expected the OCID of an'),
    ("existing-network", {"public_subnet_id": "subnet-public"},
     r'public_subnet_id = "subnet-public" is invalid: expected the OCID of an existing subnet'),
    ("existing-network", {"private_subnet_id": "ocid1.vcn.oc1.iad.aaaaaaaavcn"},
     r'private_subnet_id = "ocid1\.vcn\.oc1\.iad\.aaaaaaaavcn" is invalid: expected the OCID of'),
    ("existing-network", {"allowed_ingress_cidrs": []},
     r"allowed_ingress_cidrs = \[\] is invalid: expected at least one IPv4 CIDR block"),
    ("existing-network", {"allowed_ingress_cidrs": [f"10.{i}.0.0/16" for i in range(119)]},
     r"allowed_ingress_cidrs has 119 distinct entries: expected at most 118"),
    ("deploy", {"existing_network": {**EXISTING, "vcn_id": "vcn-1"}},
     r'existing_network\.vcn_id = "vcn-1" is invalid: expected the OCID of an existing VCN'),
    ("deploy", {"existing_network": {**EXISTING, "private_subnet_id": NSGS[0]}},
     r"existing_network subnets .*private_subnet_id.* are invalid: expected the OCIDs of two"),
    ("api-gateway", {"nsg_ids": NSGS},
     r"nsg_ids lists 6 network security groups: expected at most 5"),
    ("container-instance", {"nsg_ids": NSGS},
     r"nsg_ids lists 6 network security groups: expected at most 5"),
]  # fmt: skip


def _target_dir(tmp_path, target):
    if target == "deploy":
        return tfs.copy_sources(tmp_path, "modules", "deploy") / "deploy"
    return tfs.module_copy(tmp_path, target)


@pytest.fixture(scope="module")
def initialized(plan_cloud, tmp_path_factory):
    """One initialized working copy per target and worker, reused by every plan of this file
    (a failed plan writes nothing)."""
    copies = {}

    def get(target):
        if target not in copies:
            tmp = tmp_path_factory.mktemp(f"bad-inputs-{target}")
            copies[target] = tfs.terraform(_target_dir(tmp, target), plan_cloud.env)
        return copies[target]

    return get


@pytest.mark.parametrize(
    ("target", "overrides", "message"),
    [pytest.param(t, o, m, id=f"{t}-{'-'.join(o)}") for t, o, m in CASES],
)
def test_bad_input_fails_at_plan(target, overrides, message, initialized, tmp_path):
    tf = initialized(target)
    output = tfs.plan_error(tf, tmp_path / "inputs.tfvars.json", {**BASE_VARS[target], **overrides})
    assert re.search(message, output), output[-2000:]


# existing-network's base plan reads a VCN and subnets that must exist: test_existing_network.py
# plans it against a network it creates.
@pytest.mark.parametrize("target", [t for t in BASE_VARS if t != "existing-network"])
def test_base_inputs_plan(target, initialized):
    """The base inputs alone are valid, so each failure above comes from its override."""
    initialized(target).plan(tf_vars=BASE_VARS[target])

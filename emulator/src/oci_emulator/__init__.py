"""Offline oracle/oci, hashicorp/random and hashicorp/time provider emulator for Terraform."""

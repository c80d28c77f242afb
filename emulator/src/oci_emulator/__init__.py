"""Offline oracle/oci + hashicorp/random provider emulator for Terraform."""

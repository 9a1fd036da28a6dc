"""The /v1/ adapters of new commerce (Partner Center paths and shapes)."""

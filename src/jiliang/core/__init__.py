"""Core: base models, regions, users and roles, region-scoped permissions, the audit trail."""

"""Partner Center shaped (camelCase) representations of the portal's resources, one module per resource."""

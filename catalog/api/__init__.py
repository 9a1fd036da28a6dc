"""The /v1/ endpoints of the catalog app (Partner Center's resources), built on the ``api`` framework."""

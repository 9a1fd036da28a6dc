"""The /v1/ endpoints of the customers app (Partner Center's resources), built on the ``api`` framework."""

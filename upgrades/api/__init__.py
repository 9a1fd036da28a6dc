"""The /v1/ endpoints of the upgrades app (Partner Center's resources), built on the ``api`` framework."""

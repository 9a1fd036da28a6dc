"""The /v1/ endpoints of the subscriptions app (Partner Center's resources), built on the ``api`` framework."""

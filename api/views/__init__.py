"""The /v1/ views (thin adapters: scoping in ``base``, rules in services and selectors)."""

"""/v1/upgradeBatches and /v1/upgradeEligibility: thin adapters over ``bulk.services`` and ``bulk.selectors``."""

"""The eligibility engine (domain.md §5).

- ``types``: plain dataclasses (codes, errors, options, the context the rules read);
- ``rules``: pure rule functions, each returning every error it finds;
- ``engine``: runs all rules for a source × target and builds the option;
- ``context``: loads one evaluation's data from the database in a fixed number of queries.

The public reads are in ``upgrades.selectors`` (a layer above the engine, so they are not re-exported here).
"""

from .types import UpgradeError, UpgradeErrorCode, UpgradeOption, UpgradeTypeName

__all__ = ["UpgradeError", "UpgradeErrorCode", "UpgradeOption", "UpgradeTypeName"]

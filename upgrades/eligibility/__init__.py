"""The eligibility engine (domain.md §5).

- ``types``: plain dataclasses (codes, errors, options, the context the rules read);
- ``rules``: pure rule functions, each returning every error it finds;
- ``engine``: runs all rules for a source × target and builds the option;
- ``context``: loads one evaluation's data from the database in a fixed number of queries.

The public reads are in ``upgrades.selectors`` and re-exported here.
"""

from .types import UpgradeError, UpgradeErrorCode, UpgradeOption, UpgradeTypeName  # noqa: F401


def __getattr__(name):  # lazy: keep ``types``/``rules`` importable without the app registry
    if name in {"upgrade_options_for", "upgrade_option_for", "source_upgrade_errors"}:
        from .. import selectors

        return getattr(selectors, name)
    raise AttributeError(name)

"""Typed readers for the import document. Each reader records an error with its JSON path and returns
``MISSING`` for a value it could not accept, so validation goes on and reports every mistake at once."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .errors import ImportIssue


class _Missing:
    def __bool__(self):
        return False

    def __repr__(self):
        return "MISSING"


MISSING: Any = _Missing()

_TYPE_NAMES = {str: "string", bool: "boolean", int: "integer", list: "array", dict: "object"}


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Collector:
    """Collects issues while a document is read."""

    def __init__(self):
        self.issues: list[ImportIssue] = []

    def error(self, path: str, message: str) -> None:
        self.issues.append(ImportIssue(path, str(message)))

    # -- objects -----------------------------------------------------------------------------------------------
    def obj(self, value, path: str, allowed: frozenset[str] | set[str]) -> dict | None:
        """``value`` as an object whose keys are all in ``allowed``; None (with an error) otherwise."""
        if not isinstance(value, dict):
            self.error(path, _("expected an object, got %(type)s") % {"type": type_name(value)})
            return None
        for key in value:
            if key not in allowed:
                self.error(join(path, key), _("unknown field"))
        return value

    def items(self, obj: dict, key: str, path: str, *, required: bool = False) -> list[tuple[str, Any]]:
        """``(path, item)`` for each element of the array ``obj[key]``."""
        value = obj.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.error(join(path, key), _("required field missing"))
            return []
        if not isinstance(value, list):
            self.error(join(path, key), _("expected an array, got %(type)s") % {"type": type_name(value)})
            return []
        return [(join(join(path, key), index), item) for index, item in enumerate(value)]

    # -- scalars -----------------------------------------------------------------------------------------------
    def raw(self, obj: dict, key: str, path: str, required: bool, default):
        value = obj.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.error(join(path, key), _("required field missing"))
                return MISSING
            return default
        return value

    def string(self, obj, key, path, *, required=True, default="", max_length=None, pattern=None, what=None) -> Any:
        value = self.raw(obj, key, path, required, default)
        if value is MISSING or value is None:
            return value
        if not isinstance(value, str):
            return self._wrong_type(join(path, key), str, value)
        if required and not value.strip():
            self.error(join(path, key), _("must not be empty"))
            return MISSING
        if max_length is not None and len(value) > max_length:
            self.error(
                join(path, key),
                _("longer than %(max)d characters (%(length)d)") % {"max": max_length, "length": len(value)},
            )
            return MISSING
        if pattern is not None and value and not re.fullmatch(pattern, value):
            self.error(join(path, key), _("invalid %(what)s '%(value)s'") % {"what": what or key, "value": value})
            return MISSING
        return value

    def email(self, obj, key, path, *, required=False) -> str:
        value = self.string(obj, key, path, required=required, max_length=254)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.error(join(path, key), _("invalid email address '%(value)s'") % {"value": value})
                return MISSING
        return value

    def choice(self, obj, key, path, choices, *, required=True, default=None, what=None) -> str:
        value = self.raw(obj, key, path, required, default)
        if value is MISSING or value is default:
            return value
        if not isinstance(value, str):
            return self._wrong_type(join(path, key), str, value)
        if value not in choices:
            self.error(
                join(path, key),
                _("unknown %(what)s '%(value)s' (expected one of: %(choices)s)")
                % {"what": what or key, "value": value, "choices": ", ".join(sorted(c for c in choices if c))},
            )
            return MISSING
        return value

    def choice_list(self, obj, key, path, choices, *, what, required=False) -> list[str]:
        result, ok = [], True
        for item_path, item in self.items(obj, key, path, required=required):
            if not isinstance(item, str):
                self._wrong_type(item_path, str, item)
                ok = False
            elif item not in choices:
                self.error(item_path, _("unknown %(what)s '%(value)s'") % {"what": what, "value": item})
                ok = False
            elif item in result:
                self.error(item_path, _("duplicate %(what)s '%(value)s'") % {"what": what, "value": item})
                ok = False
            else:
                result.append(item)
        return result if ok else MISSING

    def string_list(self, obj, key, path, *, what) -> list[tuple[str, str]]:
        """``(path, value)`` for each string of an array; duplicates and non-strings are errors."""
        result, seen = [], set()
        for item_path, item in self.items(obj, key, path):
            if not isinstance(item, str) or not item.strip():
                self.error(item_path, _("expected a non-empty string, got %(type)s") % {"type": type_name(item)})
            elif item in seen:
                self.error(item_path, _("duplicate %(what)s '%(value)s'") % {"what": what, "value": item})
            else:
                seen.add(item)
                result.append((item_path, item))
        return result

    def boolean(self, obj, key, path, *, default=False) -> bool:
        value = self.raw(obj, key, path, False, default)
        if not isinstance(value, bool):
            return self._wrong_type(join(path, key), bool, value)
        return value

    def integer(self, obj, key, path, *, minimum=None, required=True, default=None) -> int:
        value = self.raw(obj, key, path, required, default)
        if value is MISSING or value is default:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            return self._wrong_type(join(path, key), int, value)
        if minimum is not None and value < minimum:
            self.error(join(path, key), _("must be at least %(min)d, got %(value)d") % {"min": minimum, "value": value})
            return MISSING
        return value

    def guid(self, obj, key, path, *, required=True) -> uuid.UUID | None:
        value = self.raw(obj, key, path, required, None)
        if value is MISSING or value is None:
            return value
        parsed = parse_guid(value)
        if parsed is None:
            self.error(join(path, key), _("invalid GUID '%(value)s'") % {"value": value})
            return MISSING
        return parsed

    def date(self, obj, key, path, *, required=True) -> date | None:
        value = self.raw(obj, key, path, required, None)
        if value is MISSING or value is None:
            return value
        try:
            if not isinstance(value, str):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.error(join(path, key), _("invalid date '%(value)s' (expected YYYY-MM-DD)") % {"value": value})
            return MISSING

    def datetime(self, obj, key, path, *, required=False) -> datetime | None:
        value = self.raw(obj, key, path, required, None)
        if value is MISSING or value is None:
            return value
        try:
            if not isinstance(value, str) or "T" not in value:
                raise ValueError
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.error(
                join(path, key),
                _("invalid date-time '%(value)s' (expected ISO-8601, e.g. 2026-06-01T00:00:00Z)") % {"value": value},
            )
            return MISSING
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)

    def money(self, obj, key, path) -> Decimal:
        value = self.raw(obj, key, path, False, "0.00")
        try:
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise InvalidOperation
            amount = Decimal(str(value))
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.error(join(path, key), _("invalid amount '%(value)s'") % {"value": value})
            return MISSING
        if amount < 0:
            self.error(join(path, key), _("must not be negative, got %(value)s") % {"value": value})
            return MISSING
        return amount.quantize(Decimal("0.01"))

    def _wrong_type(self, path, expected, value):
        self.error(
            path,
            _("expected %(expected)s, got %(type)s") % {"expected": _TYPE_NAMES[expected], "type": type_name(value)},
        )
        return MISSING


def type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def parse_guid(value) -> uuid.UUID | None:
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None

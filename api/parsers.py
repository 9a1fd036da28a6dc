"""Input parsing that answers 4xx, never 500: the JSON body parser and ASCII-only whole numbers.

- ``SafeJSONParser``: a body nested deeper than ``MAX_JSON_DEPTH`` (or deep enough to exhaust Python's
  recursion limit while decoding) is a 400 ``invalid_json``, like any other malformed JSON.
- ``parse_ascii_int``: digits are ASCII ``[0-9]`` only (``int("١٢")`` would accept Arabic-Indic digits and
  ``"²".isdigit()`` is True), with a length limit so a 5,000-digit string is refused before ``int()`` sees it.
- ``StrictIntegerField``: the DRF field built on it (JSON integers, or strings of ASCII digits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32
MAX_INTEGER_DIGITS = 18  # below 2**63: fits every database integer column
INT32_MAX = 2_147_483_647
_ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")


def json_depth_exceeds(data, limit: int) -> bool:
    """True when ``data`` (parsed JSON) nests lists/objects more than ``limit`` levels (iterative, no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, plus a depth limit: deep nesting is a ParseError (400 ``invalid_json``)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
            too_deep = True
        else:
            too_deep = json_depth_exceeds(data, MAX_JSON_DEPTH)
        if too_deep:
            raise exceptions.ParseError(
                _("JSON parse error - nested more than %(n)d levels deep.") % {"n": MAX_JSON_DEPTH}
            )
        return data


def parse_ascii_int(value, *, max_digits: int = MAX_INTEGER_DIGITS) -> int | None:
    """``value`` as an int when it is a JSON integer or a string of ASCII digits (optional sign, surrounding
    blanks, at most ``max_digits`` digits); else None. Booleans are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if len(str(abs(value))) <= max_digits else None
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 10**max_digits:
            return int(value)
        return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > max_digits + 1 or not _ASCII_INTEGER.fullmatch(text):
        return None
    return int(text)


class StrictIntegerField(serializers.IntegerField):
    """An IntegerField that accepts only ASCII digits (see ``parse_ascii_int``), bounded to 32-bit by default."""

    default_error_messages = {
        "invalid": gettext_lazy("A whole number (ASCII digits 0-9) is required."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", INT32_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = parse_ascii_int(data)
        if value is None:
            self.fail("invalid")
        return value

"""Dates, numbers and money in one style per language (issue 13, item 4): the formats of
``partnercenter/formats/<language>`` and the ``money`` filter."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

PAGE = Template(
    '{% load portal_tags %}{{ day|date }}|{{ moment|date:"DATETIME_FORMAT" }}|{{ amount|money:"USD" }}|'
    '{{ credit|money:"SEK" }}|{{ seats|floatformat:"g" }}'
)
VALUES = {
    "day": date(2026, 12, 1),
    "moment": datetime(2026, 3, 5, 18, 56, tzinfo=UTC),
    "amount": "1234567.5",
    "credit": "-12.3",
    "seats": 12500,
}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "1 Dec 2026|5 Mar 2026, 18:56|1,234,567.50 USD|−12.30 SEK|12,500"),
        ("zh-hant", "2026年12月1日|2026年3月5日 18:56|1,234,567.50 USD|−12.30 SEK|12,500"),
        ("sv", "1 dec 2026|5 mars 2026 18:56|1\xa0234\xa0567,50 USD|−12,30 SEK|12\xa0500"),
    ],
)
def test_one_style_per_language(language, expected):
    with translation.override(language):
        assert PAGE.render(Context(VALUES)) == expected

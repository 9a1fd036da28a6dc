"""The portal's one date style in English: "1 Dec 2026" for days and "1 Dec 2026, 18:56" for moments.

Pages write days with ``{{ value|date }}`` and moments with ``{{ value|date:"DATETIME_FORMAT" }}``; Python code
that puts a date into text uses ``django.utils.formats.date_format`` with the same names. The short formats are
the same, so nothing on a page can fall back to "12/01/2026".
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"

"""The portal's one date style in Traditional Chinese (Taiwan): "2026年12月1日" for days and "2026年12月1日 18:56"
for moments, the way Microsoft's zh-TW admin pages write them; numbers "1,234.50". See ``formats/en``."""

DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

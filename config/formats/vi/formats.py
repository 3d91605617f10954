"""Vietnamese formats for every page, form and admin screen (issue 11: one date format).

Django's own "vi" module writes "Ngày 05 tháng 3 năm 2025" and "05-03-2025"; the portal
writes dd/mm/yyyy everywhere (the long form "ngày 5 tháng 3 năm 2025" of party documents
comes from registry.formats.long_date) and times on the 24-hour clock.
"""

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = r"\t\há\n\g n/Y"
MONTH_DAY_FORMAT = "d/m"
FIRST_DAY_OF_WEEK = 1  # Monday

# What forms accept. The first entry is how a date or time is written back into a field.
# dd/mm/yyyy with "/", "." or "-", eight digits from a numeric keypad ("05032025"), and the
# ISO form that links and API clients use. Times on the 24-hour clock: "14:00", "14.00",
# "14h00", "14h", "1400".
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%d%m%Y",
    "%Y-%m-%d",
]
TIME_INPUT_FORMATS = [
    "%H:%M",
    "%H:%M:%S",
    "%H.%M",
    "%H,%M",
    "%Hh%M",
    "%Hg%M",
    "%Hh",
    "%H%M",
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

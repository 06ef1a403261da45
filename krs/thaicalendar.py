"""The Thai calendar: พ.ศ. years, the fiscal year, Thai dates, and government working days.

Pure functions, except that ``working_days_between`` and friends read the admin-edited exceptions
(``CalendarDay``) in one query when the caller does not pass them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal

import holidays
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from krs.models import CalendarDay

BE_OFFSET = 543
FISCAL_YEAR_START_MONTH = 10  # the Thai fiscal year runs 1 October – 30 September

MONTHS_LONG = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
# The English interface reads English month names with the same พ.ศ. year (docs/calendar.md).
MONTHS_LONG_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
MONTHS_SHORT_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Government offices close on the public holidays and on the government-only ones (the Royal
# Ploughing Ceremony). The other TH categories are not days an area office closes: "bank" (mid-year
# closing of banks), "armed_forces" (Armed Forces Day, troops only), "school" (Teacher's Day, schools
# close, offices open) and "workday" (observances such as Loy Krathong that are not days off).
HOLIDAY_CATEGORIES = ("public", "government")

# The search window add_working_days loads exceptions for at a time; Thai offices never close for
# more than about two weeks running, so one window nearly always suffices.
_WINDOW_SLACK_DAYS = 30

# CalendarDay.kind values (kept as plain strings so this module does not import models at load).
EXTRA_HOLIDAY = "holiday"
EXTRA_WORKING_DAY = "working"


def be_year(ce_year: int) -> int:
    """The Buddhist-era year (พ.ศ.) of a Common-era year: 2026 → 2569."""
    return ce_year + BE_OFFSET


def ce_year(be: int) -> int:
    """The Common-era year (ค.ศ.) of a Buddhist-era year: 2569 → 2026."""
    return be - BE_OFFSET


def local_date(value: date | datetime) -> date:
    """The calendar day of a date, or of a datetime in local time when it is aware."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def fiscal_year_of(value: date | datetime) -> int:
    """The fiscal year (named by its พ.ศ. year) a date falls in: 30 Sep 2026 → 2569, 1 Oct 2026 → 2570."""
    day = local_date(value)
    year = day.year + 1 if day.month >= FISCAL_YEAR_START_MONTH else day.year
    return be_year(year)


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """First and last day of a fiscal year named by its พ.ศ. year: 2569 → (1 Oct 2025, 30 Sep 2026)."""
    end_year = ce_year(fiscal_year)
    return date(end_year - 1, FISCAL_YEAR_START_MONTH, 1), date(end_year, 9, 30)


def within(value: date | datetime, first: date, last: date) -> bool:
    """Is the value's (local) day between two days inclusive?"""
    return first <= local_date(value) <= last


def fiscal_year_range(fiscal_year: int, *, years: int = 1) -> tuple[date, date]:
    """The days a deadline of a fiscal year may fall on: the year itself, ``years`` on either side."""
    first, last = fiscal_year_bounds(fiscal_year)
    return first.replace(year=first.year - years), last.replace(year=last.year + years)


# Corrections of the package for government offices (docs/calendar.md). They are the defaults; an
# administrator's CalendarDay still wins over them.
#
# National Labour Day (1 May) is a day off for employees under the labour protection law, not for
# government offices, which work that day; so is its in-lieu day ("ชดเชยวันแรงงานแห่งชาติ").
NOT_GOVERNMENT_HOLIDAYS = ("วันแรงงานแห่งชาติ",)
# Government holidays the package does not know. The Royal Ploughing Ceremony's date is set each year
# by the Bureau of the Royal Household; the package has none after 2026. The dates below are
# provisional (not yet announced when written, so not verified): an administrator corrects them in
# the admin (CalendarDay) once the date is announced.
PROVISIONAL = " (กำหนดการเบื้องต้น รอประกาศสำนักพระราชวัง)"
EXTRA_GOVERNMENT_HOLIDAYS: dict[date, str] = {
    date(2027, 5, 13): "วันพืชมงคล" + PROVISIONAL,
    date(2028, 5, 11): "วันพืชมงคล" + PROVISIONAL,
}


def _is_labour_day(name: str) -> bool:
    """Is every name of this package holiday ("a; b" when two fall together) Labour Day or its in-lieu day?"""
    return all(any(word in part for word in NOT_GOVERNMENT_HOLIDAYS) for part in name.split("; "))


@lru_cache(maxsize=64)
def _holiday_names(year: int) -> tuple[tuple[date, str], ...]:
    found = holidays.country_holidays("TH", years=year, categories=HOLIDAY_CATEGORIES, language="th")
    days = {day: name for day, name in found.items() if not _is_labour_day(name)}
    days.update({day: name for day, name in EXTRA_GOVERNMENT_HOLIDAYS.items() if day.year == year})
    return tuple(sorted(days.items()))


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(day for day, _name in _holiday_names(year))


def holiday_names(year: int) -> dict[date, str]:
    """The default government holidays of a Common-era year with their Thai names (a fresh dict).

    The ``holidays`` package's public and government holidays, less Labour Day, plus the days it does not
    know (``EXTRA_GOVERNMENT_HOLIDAYS``); administrators' ``CalendarDay`` exceptions are not applied here
    (see ``government_calendar``).
    """
    # The cache holds a tuple so that a caller editing the dict cannot corrupt later answers.
    return dict(_holiday_names(year))


def government_calendar(year: int) -> list[tuple[date, str, str]]:
    """Every day off of a Common-era year besides weekends, and every exception, as (date, name, source).

    ``source`` is "default" (the package with the corrections above), "holiday" (an administrator's extra
    day off, or a default day renamed) or "working" (an administrator made the day a working day: it is
    listed with its name so the page can show it struck out). One query.
    """

    days: dict[date, tuple[str, str]] = {day: (name, "default") for day, name in _holiday_names(year)}
    for day, kind, name in CalendarDay.objects.filter(date__year=year).values_list("date", "kind", "name"):
        days[day] = (name or days.get(day, ("", ""))[0], kind)
    return [(day, name, source) for day, (name, source) in sorted(days.items())]


def government_holidays(year: int, *, exceptions: Mapping[date, str] | None = None) -> list[date]:
    """The days government offices close in a Common-era year, weekends aside (defaults and exceptions)."""
    if exceptions is None:
        exceptions = calendar_exceptions(date(year, 1, 1), date(year, 12, 31))
    days = (set(_public_holidays(year)) | {d for d, kind in exceptions.items() if kind == EXTRA_HOLIDAY})
    return sorted(d for d in days if d.weekday() < 5 and exceptions.get(d) != EXTRA_WORKING_DAY)


def calendar_exceptions(start: date, end: date) -> dict[date, str]:
    """The admin-edited exceptions between two dates inclusive, as {date: "holiday" | "working"} (one query)."""
    # Imported here: the template builtin imports this module, which must not need the app registry ready.

    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind"))


def calendar_exception_names(start: date, end: date) -> dict[date, tuple[str, str]]:
    """The same exceptions with their names, as {date: (kind, name)} (one query)."""

    return {day: (kind, name) for day, kind, name in
            CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind", "name")}


def is_working_day(value: date | datetime, *, exceptions: Mapping[date, str] | None = None) -> bool:
    """Is this a Thai government working day? Mon–Fri, not a holiday, unless an exception says otherwise."""
    day = local_date(value)
    if exceptions is None:
        exceptions = calendar_exceptions(day, day)
    override = exceptions.get(day)
    if override == EXTRA_HOLIDAY:
        return False
    if override == EXTRA_WORKING_DAY:
        return True
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def working_days_between(
    start: date | datetime, end: date | datetime, *, exceptions: Mapping[date, str] | None = None
) -> int:
    """Working days in (start, end]: after ``start``, up to and including ``end``; 0 when end ≤ start.

    This is the count of working days late when ``start`` is a deadline and ``end`` the day something
    arrived (seed 002: the 12-month report's penalty of 0.05 points per working day). Datetimes count
    by their local calendar day, so a report sent at 23:59 on the deadline is not late.
    """
    start, end = local_date(start), local_date(end)
    if end <= start:
        return 0
    if exceptions is None:
        exceptions = calendar_exceptions(start + timedelta(days=1), end)
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_working_day(day, exceptions=exceptions):
            count += 1
        day += timedelta(days=1)
    return count


def next_working_moment(value: datetime, *, exceptions: Mapping[date, str] | None = None) -> datetime:
    """A deadline moved off a day offices are closed: the same local time on the next working day.

    Seed 002: "เนื่องจากวันที่ 31 ตุลาคม 2552 เป็นวันหยุดราชการ ดังนั้นจึงให้จัดส่ง … ภายในวันที่ 2 พฤศจิกายน
    2552". A deadline on a working day is returned as it is. Reads the exceptions in one query unless given.
    """
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    day = local.date()
    if exceptions is None:
        exceptions = calendar_exceptions(day, day + timedelta(days=_WINDOW_SLACK_DAYS))
    moved = day
    while not is_working_day(moved, exceptions=exceptions):
        moved += timedelta(days=1)
    if moved == day:
        return value
    return datetime.combine(moved, local.timetz())


def add_working_days(
    start: date | datetime, count: int, *, exceptions: Mapping[date, str] | None = None
) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself when count is 0), e.g. a fix deadline."""
    if count < 0:
        raise ValueError("count must not be negative")
    start = local_date(start)
    if count == 0:
        return start
    loaded_until: date | None = None
    if exceptions is None:
        # A window generous enough for one query; if admins closed more of it than that, load the next.
        loaded_until = start + timedelta(days=count * 3 + _WINDOW_SLACK_DAYS)
        exceptions = calendar_exceptions(start, loaded_until)
    day = start
    found = 0
    while found < count:
        day += timedelta(days=1)
        if loaded_until is not None and day > loaded_until:
            next_until = loaded_until + timedelta(days=(count - found) * 3 + _WINDOW_SLACK_DAYS)
            exceptions = {**exceptions, **calendar_exceptions(day, next_until)}
            loaded_until = next_until
        if is_working_day(day, exceptions=exceptions):
            found += 1
    return day


def format_thai_date(
    value: date | datetime | None,
    *,
    style: Literal["short", "long"] = "short",
    with_time: bool | None = None,
    language: str | None = None,
) -> str:
    """A date in the house style, Arabic digits and the พ.ศ. year, in the interface's language.

    Thai: "31 มี.ค. 2569" (long: "31 มีนาคม 2569"); a datetime adds the local time, "31 มี.ค. 2569 14:05 น.".
    English: "31 Mar 2569" (long: "31 March 2569 BE", the era named where a date stands on its own), with the
    time "31 Mar 2569 14:05" (long: "31 March 2569 BE, 14:05"). ``language`` defaults to the active one
    (``get_language()``); any language that is not English reads Thai. ``with_time`` None means "when it is a
    datetime", False never shows the time, and a plain date never has one. None/"" → "".
    """
    if style not in ("short", "long"):
        raise ValueError(f"unknown date style {style!r}; use 'short' or 'long'")
    if value is None or value == "":
        return ""
    if with_time is None:
        with_time = isinstance(value, datetime)
    moment = value
    if isinstance(value, datetime) and timezone.is_aware(value):
        moment = timezone.localtime(value)
    long = style == "long"
    if (language or get_language() or "").startswith("en"):
        text = f"{moment.day} {(MONTHS_LONG_EN if long else MONTHS_SHORT_EN)[moment.month - 1]} {be_year(moment.year)}"
        if long:
            text += " BE"
        clock = ", {:%H:%M}" if long else " {:%H:%M}"
    else:
        text = f"{moment.day} {(MONTHS_LONG if long else MONTHS_SHORT)[moment.month - 1]} {be_year(moment.year)}"
        clock = " {:%H:%M} น."
    if with_time and isinstance(moment, datetime):
        text += clock.format(moment)
    return text


_DATE_PATTERN = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")
_TIME_PATTERN = re.compile(r"^\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*(?:น\.?)?\s*$")

# The years a person types: a year in this range is พ.ศ. (2400 BE = 1857 CE, 2700 BE = 2157 CE). A
# four-digit year below it is a ค.ศ. year typed by habit and is refused rather than read either way:
# read as ค.ศ. it would silently differ from what the person sees; read as พ.ศ. it is 543 years off.
BE_YEAR_MIN = 2400
BE_YEAR_MAX = 2700


def parse_thai_date(text: str) -> date:
    """Read "31/03/2569" (day/month/พ.ศ. year, "/" "." or "-", Thai digits too).

    Raises ``ValueError`` with a Thai message: not a date, a year outside พ.ศ. 2400–2700 (a ค.ศ. year
    such as 2026 is refused with "กรุณากรอกปี พ.ศ."), or a day the calendar does not have.
    """

    match = _DATE_PATTERN.match((text or "").translate(_THAI_DIGITS))
    if not match:
        raise ValueError(_("“%(text)s” ไม่ใช่วันที่ในรูปแบบ วว/ดด/ปปปป (พ.ศ.) เช่น 31/03/2569") % {"text": text})
    day, month, year = (int(part) for part in match.groups())
    if year < BE_YEAR_MIN:
        raise ValueError(_("กรุณากรอกปี พ.ศ. เช่น 2569 (ค.ศ. %(year)s คือ พ.ศ. %(be)s)")
                         % {"year": year, "be": be_year(year)})
    if year > BE_YEAR_MAX:
        raise ValueError(_("ปี พ.ศ. %(year)s ไม่ถูกต้อง: กรอกปี พ.ศ. 4 หลัก เช่น 2569") % {"year": year})
    try:
        return date(ce_year(year), month, day)
    except ValueError:
        raise ValueError(_("ไม่มีวันที่ “%(text)s” ในปฏิทิน") % {"text": text}) from None


def parse_thai_time(text: str) -> tuple[int, int]:
    """Read a 24-hour time "16:30" ("16.30", "16.30 น." and Thai digits too) as (hour, minute); ValueError in Thai."""

    match = _TIME_PATTERN.match((text or "").translate(_THAI_DIGITS))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(_("“%(text)s” ไม่ใช่เวลาแบบ 24 ชั่วโมง ชช:นน เช่น 16:30") % {"text": text})
    return int(match.group(1)), int(match.group(2))


def format_thai_numeric_date(value: date | datetime | None) -> str:
    """A date as people type it: "31/03/2569" (a datetime by its local day); None → ""."""
    if value is None or value == "":
        return ""
    day = local_date(value)
    return f"{day.day:02d}/{day.month:02d}/{be_year(day.year)}"

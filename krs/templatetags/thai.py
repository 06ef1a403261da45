"""Template filters for Thai dates in the house style (see krs.thaicalendar.format_thai_date).

Installed as a builtin (settings.TEMPLATES), so every template may use them without ``{% load %}``.
Like Django's own filters they never raise: None, "" or a value of the wrong kind renders as "".
"""

from __future__ import annotations

from datetime import date, timedelta

from django import template
from django.utils.translation import gettext as _

from krs import thaicalendar

register = template.Library()


def _is_date(value) -> bool:
    return isinstance(value, date)  # a datetime is a date too


@register.filter
def thai_date(value) -> str:
    """{{ d|thai_date }} → "31 มี.ค. 2569"; a datetime adds the local time "… 14:05 น."."""
    return thaicalendar.format_thai_date(value) if _is_date(value) else ""


@register.filter
def thai_date_long(value) -> str:
    """{{ d|thai_date_long }} → "31 มีนาคม 2569", never the time."""
    return thaicalendar.format_thai_date(value, style="long", with_time=False) if _is_date(value) else ""


@register.filter
def thai_datetime(value) -> str:
    """{{ dt|thai_datetime }} → "31 มี.ค. 2569 14:05 น." in local time; a plain date has no time to show."""
    return thaicalendar.format_thai_date(value, with_time=True) if _is_date(value) else ""


@register.filter
def thai_day(value) -> str:
    """{{ dt|thai_day }} → "31 มี.ค. 2569", never the time."""
    return thaicalendar.format_thai_date(value, with_time=False) if _is_date(value) else ""


@register.filter
def be_year(value) -> str:
    """{{ 2026|be_year }} → 2569; a date gives the พ.ศ. year of its own (local) calendar day."""
    if _is_date(value):
        return str(thaicalendar.be_year(thaicalendar.local_date(value).year))
    try:
        return str(thaicalendar.be_year(int(value)))
    except (TypeError, ValueError):
        return ""


@register.filter
def fiscal_year(value) -> str:
    """{{ d|fiscal_year }} → the พ.ศ. fiscal year the date falls in."""
    return str(thaicalendar.fiscal_year_of(value)) if _is_date(value) else ""


@register.filter
def time_left(value) -> str:
    """{{ delta|time_left }} → "3 วัน 4 ชั่วโมง 5 นาที" (minutes only under a day); "" when not a timedelta."""


    if not isinstance(value, timedelta):
        return ""
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d วัน") % {"n": days})
    if days or hours:
        parts.append(_("%(n)d ชั่วโมง") % {"n": hours})
    if not days:
        parts.append(_("%(n)d นาที") % {"n": minutes})
    return " ".join(parts)


@register.filter
def duration(value) -> str:
    """{{ delta|duration }} → "0.4 วินาที", "2 นาที 5 วินาที", "1 ชั่วโมง 3 นาที": how long something took."""


    if not isinstance(value, timedelta):
        return ""
    seconds = max(value.total_seconds(), 0)
    if seconds < 60:
        return _("%(n)s วินาที") % {"n": f"{seconds:.1f}"}
    minutes, seconds = divmod(int(seconds), 60)
    if minutes < 60:
        return _("%(m)d นาที %(s)d วินาที") % {"m": minutes, "s": seconds}
    return " ".join([_("%(n)d ชั่วโมง") % {"n": minutes // 60}, _("%(n)d นาที") % {"n": minutes % 60}])


@register.filter
def person(user) -> str:
    """{{ event.by|person }} → the user's full name, else the username; "ระบบ" when nobody (the system acted).

    Replaces ``x.get_full_name|default:x.username``, whose argument Django resolves strictly: when ``x`` is
    None (an event of the deadline sweep) the page was a server error.
    """

    if user is None or user == "":
        return _("ระบบ")
    return user.get_full_name() or user.username

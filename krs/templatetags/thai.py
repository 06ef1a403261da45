"""Template filters for Thai dates in the house style (see krs.thaicalendar.format_thai_date).

Installed as a builtin (settings.TEMPLATES), so every template may use them without ``{% load %}``.
"""

from __future__ import annotations

from django import template

from krs import thaicalendar

register = template.Library()


@register.filter
def thai_date(value) -> str:
    """{{ d|thai_date }} → "31 มี.ค. 2569"; a datetime adds the local time."""
    return thaicalendar.format_thai_date(value)


@register.filter
def thai_date_long(value) -> str:
    """{{ d|thai_date_long }} → "31 มีนาคม 2569"."""
    return thaicalendar.format_thai_date(value, style="long")


@register.filter
def thai_day(value) -> str:
    """{{ dt|thai_day }} → "31 มี.ค. 2569", never the time."""
    return thaicalendar.format_thai_date(value, with_time=False)


@register.filter
def be_year(value) -> str:
    """{{ 2026|be_year }} → 2569; a date gives the พ.ศ. year of its own year."""
    if value is None or value == "":
        return ""
    year = value.year if hasattr(value, "year") else int(value)
    return str(thaicalendar.be_year(year))


@register.filter
def fiscal_year(value) -> str:
    """{{ d|fiscal_year }} → the พ.ศ. fiscal year the date falls in."""
    if value is None or value == "":
        return ""
    return str(thaicalendar.fiscal_year_of(value))

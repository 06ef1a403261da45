"""Template filters for Thai dates (filled in by the calendar work)."""

from django import template

register = template.Library()

"""The score an entry counts, for pages that list entries: ``{{ entry|counted|floatformat:5 }}``."""

from __future__ import annotations

from decimal import Decimal

from django import template

from reporting.selectors import counted_score

register = template.Library()


@register.filter
def counted(entry) -> Decimal:
    """``selectors.counted_score``: what the entry counts in the reports now (1.00000 until it is certified)."""
    return counted_score(entry)

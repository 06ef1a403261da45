"""The status legend for any page that shows statuses: ``{% status_legend as legend %}`` (``reporting.legend``)."""

from __future__ import annotations

from django import template

from reporting.legend import legend_lines, new_data_line

register = template.Library()


@register.simple_tag
def status_legend() -> dict:
    """Every status's line and the "new data" flag's, in the active language (no query)."""
    return {"lines": legend_lines(), "new_data": new_data_line()}

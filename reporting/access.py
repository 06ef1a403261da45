"""Fetching an entry for a request, with the permission rule applied (healthchecks' ``_get_check_for_user``)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from reporting.models import Entry
from reporting.rules import entries_visible_to


def entry_for(user, pk: int, *related: str) -> Entry:
    """The entry with its round, office and indicator (and ``related``), or 404 for anyone who may not see it.

    Another district's or another bureau's entry does not exist for them: 404, never 403, the same as an
    entry that does not exist at all.
    """
    return get_object_or_404(
        entries_visible_to(user).select_related("round__fiscal_year", "office", "indicator", *related), pk=pk
    )

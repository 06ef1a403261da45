"""The review page of an entry (its values, score, evidence files and history), where bureaus work.

Issue 6 adds the decisions, the criteria and the messages; the page already serves as the place a
bureau opens an entry, reads and registers its files, and attaches its own.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from attachments.selectors import entry_files
from indicators.models import Indicator
from krs import permissions
from reporting.compute import entry_inputs, indicator_config
from reporting.models import Entry, StepValue, Value
from reporting.selectors import entry_history, entry_row


@login_required
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        Entry.objects.select_related("round__fiscal_year", "office", "indicator"), pk=pk
    )
    if not permissions.may_view_entry(request.user, entry):
        raise Http404
    indicator = indicator_config(Indicator.objects.filter(pk=entry.indicator_id)).get()
    entry.indicator = indicator
    inputs = entry_inputs(entry, Value.objects.filter(entry=entry), StepValue.objects.filter(entry=entry))
    now = timezone.now()
    row = entry_row(entry, indicator, inputs, user_may_report=False, now=now)
    changes, events = entry_history(entry)
    return render(
        request,
        "certification/review.html",
        {
            "entry": entry,
            "row": row,
            "files": entry_files(entry, request.user, now=now),
            "changes": changes,
            "events": events,
            "next": request.get_full_path(),
            "own_district": permissions.may_report_for(request.user, entry.office),
            "is_bureau": permissions.is_bureau_certifier(request.user),
        },
    )

"""The district's entry page (บันทึกข้อมูล): the round's indicators, saving in place, the live preview, history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attachments.selectors import files_for_entries
from certification.selectors import flagged_ids
from indicators.models import Indicator, Round
from krs.permissions import is_district_reporter, may_report_for
from reporting.access import entry_for
from reporting.compute import indicator_config, outcome
from reporting.models import Entry
from reporting.selectors import (
    current_round,
    entry_history,
    entry_page,
    entry_row,
    last_rejections,
    status_counts,
    stored_inputs,
)
from reporting.services import (
    EntryClosed,
    InvalidInputs,
    VersionConflict,
    entry_save_values,
    parse_district_inputs,
)


def _district_office(request: HttpRequest):
    if not is_district_reporter(request.user):
        raise PermissionDenied(_("หน้านี้สำหรับผู้รายงานของ สพท."))
    return request.user.office


def _own_entry(request: HttpRequest, pk: int) -> Entry:
    """The entry, if it is the user's district's: another district's entry does not exist for them (404)."""
    office = _district_office(request)
    return get_object_or_404(
        Entry.objects.select_related("round__fiscal_year", "office", "indicator"), pk=pk, office=office
    )


@login_required
@require_GET
def entry_current(request: HttpRequest) -> HttpResponse:
    office = _district_office(request)
    round_ = current_round(office)
    if round_ is None:
        return render(request, "reporting/no_round.html", {"office": office})
    return redirect("reporting:entry_page", round_id=round_.pk)


@login_required
@require_GET
def entry_page_view(request: HttpRequest, round_id: int) -> HttpResponse:
    office = _district_office(request)
    round_ = get_object_or_404(Round.objects.select_related("fiscal_year"), pk=round_id)
    status = request.GET.get("status", "")
    if status not in Entry.Status.values:
        status = ""
    query = request.GET.get("q", "")[:100]
    page = entry_page(office=office, round_=round_, user_may_report=may_report_for(request.user, office),
                      status=status, query=query)
    if not page.total and round_ not in page.rounds:
        raise Http404(_("ไม่มีรายการรายงานผลของหน่วยงานนี้ในรอบนี้"))
    _add_files(page, request.user)
    return render(request, "reporting/entry_page.html", {
        "page": page, "status": status, "query": query, "statuses": Entry.Status.choices,
    })


def _add_files(page, user) -> None:
    """Each row's evidence files block (attachments/_files.html under each indicator; 2 queries)."""
    rows = [row for section in page.sections for row in section.rows if not row.derived]
    blocks = files_for_entries([row.entry for row in rows], user, now=page.now)
    for row in rows:
        row.files = blocks[row.entry.pk]


def _row_context(request, entry, indicator, inputs, *, typed=None, errors=None, conflict=None, saved=False):
    row = entry_row(entry, indicator, inputs, user_may_report=may_report_for(request.user, entry.office),
                    now=timezone.now(), typed=typed, errors=errors)
    row.rejection = last_rejections([entry]).get(entry.pk)
    row.new_data = entry.pk in flagged_ids([entry.pk], "district")
    return {"row": row, "conflict": conflict, "saved": saved}


def _load(entry: Entry):
    indicator = indicator_config(Indicator.objects.filter(pk=entry.indicator_id)).get()
    entry.indicator = indicator
    return indicator, stored_inputs(entry)


TYPED = ("level", "passed", "answer", "links", "kpi_name", "kpi_unit", "kpi_same")


def _typed(request: HttpRequest) -> dict[str, str]:
    return {name: value for name, value in request.POST.items() if name[:1] in "vs" or name in TYPED}


@login_required
@require_POST
def entry_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one indicator's values. htmx gets the indicator's fragment back; without JavaScript, the page."""
    entry = _own_entry(request, pk)
    if not may_report_for(request.user, entry.office):
        raise PermissionDenied
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        expected = -1
    typed = _typed(request)
    try:
        saved = entry_save_values(entry=entry, user=request.user, raw=request.POST, expected_version=expected)
    except EntryClosed as exc:
        indicator, inputs = _load(entry)
        entry.refresh_from_db()
        context = _row_context(request, entry, indicator, inputs)
        return _respond(request, context, error=exc.reason, status=403)
    except VersionConflict as exc:
        entry.refresh_from_db()
        indicator, inputs = _load(entry)
        context = _row_context(request, entry, indicator, inputs, typed=typed, conflict=exc)
        return _respond(request, context, error=_("มีผู้บันทึกตัวชี้วัดนี้ก่อนคุณ: ตรวจสอบค่าล่าสุดแล้วกดบันทึกอีกครั้ง"), status=409)
    except InvalidInputs as exc:
        entry.refresh_from_db()
        indicator, inputs = _load(entry)
        context = _row_context(request, entry, indicator, inputs, typed=typed, errors=exc.errors)
        return _respond(request, context, error=_("ยังไม่ได้บันทึก: แก้ไขค่าที่มีข้อความสีแดงก่อน"), status=422)
    context = _row_context(request, saved.entry, saved.indicator, saved.inputs, saved=True)
    if request.htmx:
        counts = status_counts(entry.office, entry.round)
        context.update(counts=counts, total=sum(counts.values()), statuses=Entry.Status.choices)
        return render(request, "reporting/_entry_saved.html", context)
    messages.success(request, _("บันทึกตัวชี้วัด %(code)s แล้ว") % {"code": saved.indicator.code})
    return redirect(reverse("reporting:entry_page", args=[entry.round_id]) + f"#entry-{entry.pk}")


def _respond(request, context, *, error: str, status: int) -> HttpResponse:
    context["error"] = error
    if request.htmx:
        # htmx swaps only 2xx responses by default; the fragment carries the message and the status.
        response = render(request, "reporting/_entry.html", context)
        response["X-KRS-Status"] = str(status)
        return response
    row = context["row"]
    page = entry_page(office=row.entry.office, round_=row.entry.round,
                      user_may_report=may_report_for(request.user, row.entry.office))
    for section in page.sections:
        section.rows = [row if not r.derived and r.entry.pk == row.entry.pk else r for r in section.rows]
    _add_files(page, request.user)
    messages.error(request, error)
    return render(request, "reporting/entry_page.html", {
        "page": page, "status": "", "query": "", "statuses": Entry.Status.choices, "focus": row.entry.pk,
        "conflict": context.get("conflict"), "row_error": error,
    }, status=status)


@login_required
@require_POST
def entry_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The result and score the typed values would give, before saving; writes nothing."""
    entry = _own_entry(request, pk)
    indicator, inputs = _load(entry)
    try:
        new = parse_district_inputs(indicator, entry.round, request.POST, inputs)
    except InvalidInputs as exc:
        return render(request, "reporting/_preview.html", {"errors": exc.errors, "refusal": exc.refusal, "entry": entry})
    would = outcome(indicator, entry.round, new)
    return render(request, "reporting/_preview.html", {"would": would, "entry": entry})


@login_required
@require_GET
def entry_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change of an entry's values and status: for its district, the owning bureau and admins."""
    entry = entry_for(request.user, pk, "indicator__owner")
    changes, events = entry_history(entry)
    return render(request, "reporting/entry_history.html", {"entry": entry, "changes": changes, "events": events})

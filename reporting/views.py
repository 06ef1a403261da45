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
from indicators.models import Indicator, Round
from indicators.selectors import current_round
from krs.permissions import is_district_reporter, may_report_for
from reporting.access import entry_for
from reporting.checks import entries_check
from reporting.compute import indicator_config, outcome
from reporting.flags import flagged_ids
from reporting.models import Entry
from reporting.selectors import (
    certifiers_by_bureau,
    entry_history,
    entry_page,
    entry_row,
    is_central_only,
    last_rejections,
    previous_for_rows,
    rounds_for_office,
    status_counts,
    stored_inputs,
)
from reporting.services import (
    ClearNotConfirmed,
    EntryClosed,
    InvalidInputs,
    NeedsConfirmation,
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
    round_ = current_round(rounds_for_office(office))
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
        "entry_messages": entry_messages(),
    })


def entry_messages() -> dict[str, str]:
    """What static/js/entry.js says, translated here (the page hands them over with json_script)."""
    return {
        "closed": _("หมดเวลารายงานรอบนี้แล้ว ระบบไม่โหลดหน้าใหม่เองเพราะยังมีค่าที่พิมพ์ไว้แต่ยังไม่ได้บันทึก"),
        "closed_saved": _("บันทึกแล้ว:"),
        "closed_unsaved": _("ยังไม่ได้บันทึก (ค่ายังอยู่ในช่องและเก็บไว้ในเบราว์เซอร์นี้ คัดลอกไว้หรือแจ้งสำนักเจ้าของตัวชี้วัด):"),
        "closed_none": _("ไม่มี"),
        "closed_reload": _("โหลดหน้าใหม่ (ค่าที่ยังไม่ได้บันทึกจะหายจากช่อง)"),
        "leave": _("ยังไม่ได้บันทึกค่าที่พิมพ์ไว้ในตัวชี้วัด %(codes)s ถ้าออกจากหน้านี้ ค่าจะยังไม่ถูกบันทึก "
                   "(เบราว์เซอร์นี้เก็บไว้ให้จนกว่าจะบันทึกหรือทิ้ง) ออกจากหน้านี้หรือไม่?"),
        "draft": _("ยังไม่ได้บันทึก: ค่าที่คุณพิมพ์ไว้เมื่อ %(at)s ถูกนำกลับมาใส่ในช่องที่มีกรอบสีส้ม กด “บันทึก” เพื่อบันทึก"),
        "draft_stale": _("ยังไม่ได้บันทึก: คุณพิมพ์ค่าเหล่านี้ไว้เมื่อ %(at)s แต่หลังจากนั้นค่าที่บันทึกไว้ของตัวชี้วัดนี้"
                         "เปลี่ยนไปแล้ว ตรวจสอบค่าปัจจุบันในช่องก่อน แล้วเลือกว่าจะใช้ค่าที่พิมพ์ไว้หรือทิ้ง:"),
        "draft_closed": _("ยังไม่ได้บันทึก และบันทึกในหน้านี้ไม่ได้แล้ว: ค่าที่คุณพิมพ์ไว้เมื่อ %(at)s คือ"),
        "draft_use": _("ใช้ค่าที่พิมพ์ไว้"),
        "draft_discard": _("ทิ้งค่าที่พิมพ์ไว้"),
        "failed_network": _("ยังไม่ได้บันทึก: ติดต่อเซิร์ฟเวอร์ไม่ได้ (เครือข่ายขัดข้องหรือหมดเวลารอ) ค่าที่พิมพ์ยังอยู่ในช่อง "
                            "ตรวจสอบการเชื่อมต่อแล้วกด “บันทึก” อีกครั้ง"),
        "failed_server": _("ยังไม่ได้บันทึก: เซิร์ฟเวอร์ขัดข้อง (รหัส %(code)s) ค่าที่พิมพ์ยังอยู่ในช่อง "
                           "รอสักครู่แล้วกด “บันทึก” อีกครั้ง"),
        "failed_refused": _("ยังไม่ได้บันทึก: ระบบไม่รับคำขอ (รหัส %(code)s) ค่าที่พิมพ์ยังอยู่ในช่อง "
                            "โหลดหน้าใหม่ในแท็บอื่นเพื่อตรวจสอบว่ายังเข้าระบบอยู่ แล้วกลับมากด “บันทึก” อีกครั้ง"),
        "failed_session": _("ยังไม่ได้บันทึก: หมดเวลาเข้าระบบ ค่าที่พิมพ์ยังอยู่ในช่อง เข้าสู่ระบบใหม่ในแท็บอื่น "
                            "แล้วกลับมากด “บันทึก” อีกครั้ง"),
        "preview_unsaved": _("ยังไม่ได้บันทึก"),
        "preview_failed": _("คำนวณตัวอย่างไม่ได้ตอนนี้ (ยังไม่ได้บันทึก)"),
    }


def _add_files(page, user) -> None:
    """Each row's evidence files block (attachments/_files.html under each indicator; 2 queries)."""
    rows = [row for section in page.sections for row in section.rows if not row.derived]
    blocks = files_for_entries([row.entry for row in rows], user, now=page.now)
    for row in rows:
        row.files = blocks[row.entry.pk]


def _row_context(request, entry, indicator, inputs, *, typed=None, errors=None, conflict=None, saved=None,
                 clear=None, warnings=None):
    row = entry_row(entry, indicator, inputs, user_may_report=may_report_for(request.user, entry.office),
                    now=timezone.now(), typed=typed, errors=errors, central_only=is_central_only(indicator, entry.round))
    row.rejection = last_rejections([entry]).get(entry.pk)
    row.new_data = entry.pk in flagged_ids([entry.pk], "district")
    row.certifiers = certifiers_by_bureau([indicator.owner_id]).get(indicator.owner_id, [])
    previous_for_rows([row])
    return {"row": row, "conflict": conflict, "saved": saved, "clear": clear, "warnings": warnings}


def _saved_note(before: str, saved) -> str:
    """What the save did, in words: nothing, or the values and what became of the status."""
    after = saved.entry.status
    if not saved.changes and after == before:
        return _("ไม่มีค่าที่เปลี่ยนแปลง: ค่าในช่องตรงกับที่บันทึกไว้แล้ว จึงไม่ได้บันทึกอะไรเพิ่ม")
    status = saved.entry.get_status_display()
    if after == Entry.Status.NOT_REPORTED and before != after:
        return _("บันทึกแล้ว: ล้างค่าแล้ว สถานะกลับเป็น “%(status)s”") % {"status": status}
    if after != before:
        return _("บันทึกแล้ว: สถานะเป็น “%(status)s”") % {"status": status}
    if after == Entry.Status.NOT_REPORTED:
        return _("บันทึกแล้ว: ยังกรอกไม่ครบ สถานะยังเป็น “%(status)s”") % {"status": status}
    return _("บันทึกแล้ว")


def _with_clock(response: HttpResponse, round_: Round) -> HttpResponse:
    """The server's time, the round's deadline as it counts (moved off a holiday) and the moment saving
    stops (the late window's end, if any), in ms since the epoch: the page's countdown trusts these, never
    the browser's clock, and corrects itself on every save and preview."""
    response["X-KRS-Now"] = str(int(timezone.now().timestamp() * 1000))
    response["X-KRS-Deadline"] = str(int(round_.due_at.timestamp() * 1000))
    response["X-KRS-Closes"] = str(int(round_.closes_at.timestamp() * 1000))
    return response


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
    status_before = entry.status
    try:
        saved = entry_save_values(entry=entry, user=request.user, raw=request.POST, expected_version=expected,
                                  confirm_clear=request.POST.get("confirm_clear") == "1",
                                  confirm_warnings=request.POST.get("confirm_warnings", "")[:64])
    except EntryClosed as exc:
        indicator, inputs = _load(entry)
        entry.refresh_from_db()
        context = _row_context(request, entry, indicator, inputs)
        context["unsaved"] = _unsaved(context["row"], typed)
        return _respond(request, context, error=exc.reason, status=403)
    except VersionConflict as exc:
        entry.refresh_from_db()
        indicator, inputs = _load(entry)
        # The same user's own later save (another tab, or this page from before a save): a stale page, not
        # someone else's edit; say which, from the audit rows.
        exc.by_self = all(change.changed_by_id == request.user.pk for change in exc.changes)
        context = _row_context(request, entry, indicator, inputs, typed=typed, conflict=exc)
        if exc.by_self:
            error = _("ยังไม่ได้บันทึก: หน้านี้แสดงค่าเก่า คุณบันทึกตัวชี้วัดนี้ไว้แล้วหลังจากเปิดหน้านี้ (จากแท็บอื่นหรือก่อนกดย้อนกลับ) "
                      "ตรวจสอบค่าล่าสุดด้านล่างแล้วกด “บันทึก” อีกครั้งถ้าต้องการใช้ค่าในช่อง")
        else:
            error = _("ยังไม่ได้บันทึก: มีผู้อื่นบันทึกตัวชี้วัดนี้ก่อนคุณ ตรวจสอบค่าล่าสุดแล้วกด “บันทึก” อีกครั้ง")
        return _respond(request, context, error=error, status=409)
    except InvalidInputs as exc:
        entry.refresh_from_db()
        indicator, inputs = _load(entry)
        context = _row_context(request, entry, indicator, inputs, typed=typed, errors=exc.errors)
        return _respond(request, context, error=_("ยังไม่ได้บันทึก: แก้ไขค่าที่มีข้อความสีแดงก่อน"), status=422)
    except NeedsConfirmation as exc:
        entry.refresh_from_db()
        indicator, inputs = _load(entry)
        context = _row_context(request, entry, indicator, inputs, typed=typed, warnings=exc)
        return _respond(request, context, error=_(
            "ยังไม่ได้บันทึก: ตรวจสอบคำเตือนด้านล่าง แก้ค่าถ้าพิมพ์ผิด หรือกด “ยืนยันค่านี้” ถ้าค่าถูกต้อง"), status=422)
    except ClearNotConfirmed as exc:
        entry.refresh_from_db()
        indicator, inputs = _load(entry)
        context = _row_context(request, entry, indicator, inputs, typed=typed, clear=exc)
        return _respond(request, context, error=_("ยังไม่ได้บันทึก: ช่องที่มีค่าบันทึกไว้ถูกเว้นว่าง ยืนยันการล้างค่าด้านล่าง "
                                                  "หรือพิมพ์ค่ากลับเข้าไปแล้วกด “บันทึก”"), status=422)
    context = _row_context(request, saved.entry, saved.indicator, saved.inputs, saved=_saved_note(status_before, saved))
    context["unchanged"] = not saved.changes and saved.entry.status == status_before
    if request.htmx:
        counts = status_counts(entry.office, entry.round)
        context.update(counts=counts, total=sum(counts.values()), statuses=Entry.Status.choices)
        return _with_clock(render(request, "reporting/_entry_saved.html", context), entry.round)
    messages.success(request, _("ตัวชี้วัด %(code)s: %(note)s") % {"code": saved.indicator.code, "note": context["saved"]})
    return redirect(reverse("reporting:entry_page", args=[entry.round_id]) + f"#entry-{entry.pk}")


def _unsaved(row, typed: dict[str, str]) -> list[tuple[str, str]]:
    """What was typed into a save the closed round refused, so it can be copied from the page."""
    return [(variable.variable.code, typed[variable.field]) for variable in row.variables
            if typed.get(variable.field, "").strip()] + [
        (label, typed[name]) for name, label in (("answer", _("คำตอบ")), ("links", _("ลิงก์")))
        if typed.get(name, "").strip()]


def _respond(request, context, *, error: str, status: int) -> HttpResponse:
    context["error"] = error
    if request.htmx:
        # The refusal's own status with the indicator's fragment, which the page swaps in (static/js/krs.js:
        # a 4xx is swapped only when X-KRS-Status, the same status, marks its body as a fragment to show).
        response = render(request, "reporting/_entry.html", context, status=status)
        response["X-KRS-Status"] = str(status)
        return _with_clock(response, context["row"].entry.round)
    row = context["row"]
    page = entry_page(office=row.entry.office, round_=row.entry.round,
                      user_may_report=may_report_for(request.user, row.entry.office))
    for section in page.sections:
        section.rows = [row if not r.derived and r.entry.pk == row.entry.pk else r for r in section.rows]
    _add_files(page, request.user)
    messages.error(request, error)
    return render(request, "reporting/entry_page.html", {
        "page": page, "status": "", "query": "", "statuses": Entry.Status.choices, "focus": row.entry.pk,
        "conflict": context.get("conflict"), "row_error": error, "clear": context.get("clear"),
        "warnings": context.get("warnings"),
        "unsaved": context.get("unsaved"), "entry_messages": entry_messages(),
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
        return _with_clock(render(request, "reporting/_preview.html",
                                  {"errors": exc.errors, "refusal": exc.refusal, "entry": entry}), entry.round)
    would = outcome(indicator, entry.round, new)
    checked = entries_check([(entry, indicator, inputs, new)], entry.round)
    return _with_clock(render(request, "reporting/_preview.html", {
        "would": would, "entry": entry, "findings": checked.errors.get(entry.pk, []) + checked.pending.get(entry.pk, []),
    }), entry.round)


@login_required
@require_GET
def entry_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change of an entry's values and status: for its district, the owning bureau and admins."""
    entry = entry_for(request.user, pk, "indicator__owner")
    changes, events = entry_history(entry)
    return render(request, "reporting/entry_history.html", {"entry": entry, "changes": changes, "events": events})

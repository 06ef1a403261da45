"""The bureau's work queue, the review page of an entry, and the decisions taken on it.

A decision is a POST to its own URL; the workflow (``reporting/workflow.py``) checks the role and
the status and refuses with a Thai reason. An entry the user may not see is a 404 (another bureau's
indicator included); one they may see but not decide on is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from attachments.selectors import entry_files
from certification.forms import CertifyForm, RejectForm, ReopenForm
from certification.selectors import bureau_queue, entries_to_certify, entry_thread
from certification.services import MessageRefused, message_post
from indicators.models import Framework, Indicator
from indicators.selectors import current_round
from krs import permissions
from krs.http import parse_id, posted_next
from reporting import workflow
from reporting.access import entry_for
from reporting.checks import confirmed_warnings
from reporting.compute import indicator_config
from reporting.flags import flags_seen
from reporting.models import Entry
from reporting.rules import entry_side
from reporting.selectors import (
    bureau_rounds,
    entry_history,
    entry_row,
    last_year_results,
    previous_for_rows,
    recertifications,
    stored_inputs,
)

QUEUE_PAGE = 50


def _entry(request: HttpRequest, pk: int) -> Entry:
    return entry_for(request.user, pk, "level", "official_level")


@login_required
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, _entry(request, pk))


def _review(request: HttpRequest, entry: Entry, *, forms: dict | None = None, status: int = 200) -> HttpResponse:
    indicator = indicator_config(Indicator.objects.filter(pk=entry.indicator_id)).get()
    entry.indicator = indicator
    inputs = stored_inputs(entry)
    now = timezone.now()
    row = entry_row(entry, indicator, inputs, user_may_report=False, now=now)
    last_year_results(entry.office, entry.round, [row])
    previous_for_rows([row])
    changes, events = entry_history(entry)
    thread, flags = entry_thread(entry)
    user = request.user
    side = entry_side(user, entry)
    forms = forms or {}
    context = {
        "entry": entry, "row": row, "files": entry_files(entry, user, now=now),
        "changes": changes, "events": events, "next": reverse("certification:review", args=[entry.pk]),
        "own_district": permissions.may_report_for(user, entry.office),
        "is_bureau": permissions.is_bureau_certifier(user),
        "may_decide": workflow.action_block(user, entry, "certify") is None,
        "may_reopen": any(workflow.action_block(user, entry, action) is None for action in ("reopen", "reopen_system")),
        "certify_form": forms.get("certify") or CertifyForm(entry=entry),
        "reject_form": forms.get("reject") or RejectForm(),
        "reopen_form": forms.get("reopen") or ReopenForm(),
        "thread": thread, "flags": flags, "side": side, "kpi_template": _kpi_template(indicator),
        "new_data": any(f.for_side == side and f.seen_at is None for f in flags),
        "message_error": forms.get("message_error"), "message_body": forms.get("message_body", ""),
        "confirmed_warnings": confirmed_warnings(entry),
        "last_decision": next((e for e in events if e.to_status in (Entry.Status.REJECTED, Entry.Status.CERTIFIED)), None),
    }
    return render(request, "certification/review.html", context, status=status)


def _kpi_template(indicator: Indicator) -> list[tuple[str, str]]:
    """The KPI template's fields (seed 002, slide 53) with their labels, in the template's order."""
    names = ["definition", "formula_text", "criteria_text", "conditions", "baseline", "data_source"]
    rows = [(Indicator._meta.get_field(name).verbose_name, getattr(indicator, name)) for name in names]
    for person, phone in (("supervisor_name", "supervisor_phone"), ("collector_name", "collector_phone")):
        text = " ".join(filter(None, [getattr(indicator, person), getattr(indicator, phone)]))
        rows.append((Indicator._meta.get_field(person).verbose_name, text))
    return rows


def _back(request: HttpRequest, entry: Entry) -> str:
    return posted_next(request, reverse("certification:review", args=[entry.pk]))


def _decide(request: HttpRequest, pk: int, action: str, form_class, take) -> HttpResponse:
    entry = _entry(request, pk)
    if not workflow.may_take(request.user, entry, action):
        raise PermissionDenied(workflow.action_block(request.user, entry, action))
    form = form_class(request.POST, entry=entry)
    if not form.is_valid():
        messages.error(request, _("ยังไม่ได้บันทึกการตัดสิน: แก้ไขข้อความสีแดงก่อน"))
        return _review(request, entry, forms={action: form}, status=422)
    try:
        notice = take(entry, form.cleaned_data)
    except workflow.TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect(_back(request, entry))
    messages.success(request, notice)
    return redirect(_back(request, entry))


@login_required
@require_POST
def certify(request: HttpRequest, pk: int) -> HttpResponse:
    def take(entry, data):
        workflow.entry_certify(entry=entry, by=request.user, level=data.get("level"), comment=data.get("comment", ""))
        return _("รับรองผล %(office)s · %(code)s แล้ว: คะแนนที่รับรอง %(score)s") % {
            "office": entry.office.code, "code": entry.indicator.code, "score": f"{entry.official_score:.5f}"}
    return _decide(request, pk, "certify", CertifyForm, take)


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    def take(entry, data):
        workflow.entry_reject(entry=entry, by=request.user, comment=data["comment"], fix_deadline=data["fix_deadline"])
        return _("ไม่รับรอง %(office)s · %(code)s แล้ว: สพท. จะเห็นเหตุผล") % {
            "office": entry.office.code, "code": entry.indicator.code}
    return _decide(request, pk, "reject", RejectForm, take)


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def take(entry, data):
        system_given = entry.is_system_given
        workflow.entry_reopen(entry=entry, by=request.user, comment=data["comment"], fix_deadline=data.get("fix_deadline"))
        if system_given:
            return _("ยกเลิกคะแนนที่ระบบให้แล้ว: สพท. รายงานผลได้จนถึงกำหนดแก้ไข")
        return _("เปิดให้แก้ไขอีกครั้งแล้ว: สถานะกลับเป็นรอการรับรองผล")
    return _decide(request, pk, "reopen", ReopenForm, take)


def _bureau(request: HttpRequest):
    if not permissions.is_bureau_certifier(request.user):
        raise PermissionDenied(_("หน้านี้สำหรับสำนักเจ้าของตัวชี้วัด"))
    return request.user.office


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The bureau's work queue (รับรองผล): its indicators' entries in a round, oldest report first."""
    bureau = _bureau(request)
    rounds = bureau_rounds(bureau)
    chosen = next((r for r in rounds if str(r.pk) == request.GET.get("round")), None)
    round_ = chosen or current_round(rounds, timezone.now())
    status = request.GET.get("status", "")
    office = request.GET.get("office", "")[:60]
    indicator_id = parse_id(request.GET.get("indicator"))
    new_only = request.GET.get("new") == "1"
    found = bureau_queue(bureau=bureau, round_=round_, rounds=rounds, status=status, office=office,
                         indicator_id=indicator_id, new_only=new_only)
    page = Paginator(found.entries, QUEUE_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "certification/queue.html", {
        "queue": found, "page": page, "status": status, "office": office, "indicator_id": indicator_id,
        "statuses": Entry.Status.choices, "query": query.urlencode(), "bureau": bureau, "new_only": new_only,
        "count_rows": [(value, label, found.counts[value]) for value, label in Entry.Status.choices],
    })


def _ticked(request: HttpRequest) -> list[int]:
    return [pk for pk in map(parse_id, request.POST.getlist("entry")) if pk is not None][:1000]


@login_required
@require_POST
def bulk_confirm(request: HttpRequest) -> HttpResponse:
    """The queue's bulk certification asks first: the ticked entries it would certify; nothing changes here.

    With JavaScript the queue asks in a dialog and posts straight to ``bulk_certify`` (static/js/krs.js).
    """
    bureau = _bureau(request)
    ids = _ticked(request)
    back = posted_next(request, reverse("certification:queue"))
    if not ids:
        messages.error(request, _("เลือกรายการที่จะรับรองก่อน"))
        return redirect(back)
    chosen = entries_to_certify(bureau=bureau, entry_ids=ids)
    return render(request, "certification/bulk_confirm.html",
                  {"entries": chosen, "skipped": len(ids) - len(chosen), "next": back})


@login_required
@require_POST
def bulk_certify(request: HttpRequest) -> HttpResponse:
    """Certify the entries ticked in the queue; those no longer awaiting (or without a score) are left and counted."""
    _bureau(request)
    ids = _ticked(request)
    if not ids:
        messages.error(request, _("เลือกรายการที่จะรับรองก่อน"))
    else:
        done = workflow.entries_certify(entry_ids=ids, by=request.user)
        messages.success(request, ngettext("รับรองผลแล้ว %(n)d รายการ", "รับรองผลแล้ว %(n)d รายการ", len(done)) % {"n": len(done)})
        if len(done) < len(ids):
            messages.warning(request, _("ข้ามไป %(n)d รายการ: ไม่ได้อยู่ในสถานะรอการรับรองผล ไม่มีคะแนน หรือไม่ใช่ตัวชี้วัดของสำนัก") % {
                "n": len(ids) - len(done)})
    return redirect(posted_next(request, reverse("certification:queue")))


@login_required
@require_POST
def flag_seen(request: HttpRequest, pk: int) -> HttpResponse:
    """The user clicked "มีข้อมูลใหม่": record that their side has seen what is new, then show it."""
    entry = _entry(request, pk)
    if entry_side(request.user, entry) is None:
        raise PermissionDenied(_("เฉพาะ สพท. เจ้าของรายการและสำนักเจ้าของตัวชี้วัด"))
    flags_seen(entry=entry, user=request.user)
    target = reverse("certification:review", args=[entry.pk]) + "#new"
    if request.htmx:  # the entry page's flag sits inside the save form and posts by itself
        return HttpResponse(headers={"HX-Redirect": target})
    return redirect(target)


@login_required
@require_POST
def message(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a message on the entry's thread."""
    entry = _entry(request, pk)
    if entry_side(request.user, entry) is None:
        raise PermissionDenied(_("ส่งข้อความได้เฉพาะ สพท. เจ้าของรายการและสำนักเจ้าของตัวชี้วัด"))
    body = request.POST.get("body", "")
    try:
        message_post(entry=entry, user=request.user, body=body)
    except MessageRefused as exc:
        return _review(request, entry, forms={"message_error": exc.message, "message_body": body}, status=422)
    messages.success(request, _("ส่งข้อความแล้ว"))
    return redirect(reverse("certification:review", args=[entry.pk]) + "#messages")


def _framework_for_administrator(request: HttpRequest, framework_id: int) -> Framework:
    if not permissions.is_administrator(request.user):
        raise Http404
    return get_object_or_404(Framework.objects.select_related("fiscal_year"), pk=framework_id)


@login_required
@require_GET
def recertify_list(request: HttpRequest, framework_id: int) -> HttpResponse:
    """Certified entries whose criteria changed: the certified score that counts now and the one the new criteria give."""
    framework = _framework_for_administrator(request, framework_id)
    page = Paginator(recertifications(framework=framework), QUEUE_PAGE).get_page(request.GET.get("page"))
    return render(request, "certification/recertify.html", {"framework": framework, "page": page})


@login_required
@require_POST
def recertify(request: HttpRequest, framework_id: int) -> HttpResponse:
    """Certify again, under the criteria now in force, the entries ticked (administrators; each audited)."""
    framework = _framework_for_administrator(request, framework_id)
    ids = [pk for pk in map(parse_id, request.POST.getlist("entry")) if pk is not None][:1000]
    target = reverse("certification:recertify_list", args=[framework.pk])
    if not ids:
        messages.error(request, _("เลือกรายการที่จะรับรองใหม่ก่อน"))
        return redirect(target)
    listed = set(recertifications(framework=framework).filter(entry_id__in=ids).values_list("entry_id", flat=True))
    done = workflow.entries_recertify(entry_ids=listed, by=request.user)
    messages.success(request, ngettext("รับรองใหม่ตามเกณฑ์ใหม่แล้ว %(n)d รายการ", "รับรองใหม่ตามเกณฑ์ใหม่แล้ว %(n)d รายการ",
                                       len(done)) % {"n": len(done)})
    if len(done) < len(ids):
        messages.warning(request, _(
            "ข้ามไป %(n)d รายการ: ไม่อยู่ในรายการรอรับรองใหม่ของกรอบการประเมินนี้แล้ว หรือเกณฑ์ใหม่คำนวณคะแนนไม่ได้ "
            "(เปิดให้แก้ไขอีกครั้งจากหน้ารายละเอียดของรายการแทน)") % {"n": len(ids) - len(done)})
    return redirect(target)

"""The bureaus' central-data pages (ข้อมูลส่วนกลาง): the list, the grid of all districts, the file upload.

Only certifiers of the bureau that owns the indicator reach them: anyone else signed in gets 403,
another bureau's indicator does not exist for them (404). The rules and the writes are in
``reporting.central``; docs/central-data.md describes the pages.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from indicators.models import Indicator, Round
from krs.http import parse_id
from krs.imports import max_file_bytes
from krs.permissions import is_bureau_certifier
from krs.spreadsheets import upload_stash, upload_unstash
from reporting.central import (
    LEVEL,
    CentralConflict,
    CentralInvalid,
    CentralWarnings,
    cell_name,
    central_grid,
    central_indicator,
    central_overview,
    central_parse_upload,
    central_rounds,
    central_save,
    central_template,
    central_variables,
)
from reporting.compute import central_level
from reporting.models import ValueChange


class CentralUploadForm(forms.Form):
    """The file of central values; its content, not its name, decides CSV or XLSX."""

    file = forms.FileField(label=gettext_lazy("ไฟล์ข้อมูลส่วนกลาง (CSV, XLSX หรือ ODS)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_file_bytes():
            raise forms.ValidationError(_("ไฟล์ใหญ่เกิน %(mb)s MB") % {"mb": max_file_bytes() // (1024 * 1024)})
        return upload


class CentralConfirmForm(forms.Form):
    """Confirms the previewed file by its digest only: the file itself waits in the server's session."""

    digest = forms.CharField(widget=forms.HiddenInput, validators=[RegexValidator(r"^[0-9a-f]{64}$")])


def _bureau_round_indicator(request: HttpRequest, round_id: int, indicator_id: int) -> tuple[Round, Indicator]:
    """The round and the indicator, if the user's bureau enters its central data; else 403 or 404."""
    if not is_bureau_certifier(request.user):
        raise PermissionDenied(_("หน้านี้สำหรับผู้รับรองผลของสำนัก"))
    round_ = get_object_or_404(Round.objects.select_related("fiscal_year"), pk=round_id)
    indicator = central_indicator(user=request.user, round_=round_, indicator_id=indicator_id)
    if indicator is None:
        raise Http404(_("ไม่พบตัวชี้วัดที่สำนักของคุณบันทึกข้อมูลส่วนกลางในรอบนี้"))
    return round_, indicator


@login_required
@require_GET
def central_list(request: HttpRequest) -> HttpResponse:
    """The bureau's indicators with central data in the rounds open for it, and how many districts miss data."""
    if not is_bureau_certifier(request.user):
        raise PermissionDenied(_("หน้านี้สำหรับผู้รับรองผลของสำนัก"))
    now = timezone.now()
    rounds = [(r, central_overview(user=request.user, round_=r)) for r in central_rounds(now)]
    return render(request, "reporting/central_grid.html", {"rounds": rounds, "now": now})


def _posted_rows(request: HttpRequest, indicator, round_) -> tuple[dict[int, dict[str, str]], dict[int, int]]:
    """The grid's POST as central_save takes it: {entry id: {code: text}} and {entry id: version}."""
    rows, versions = {}, {}
    codes = [v.code for v in central_variables(indicator, round_)] + ([LEVEL] if central_level(indicator) else [])
    for text in request.POST.getlist("row"):
        pk = parse_id(text)
        try:
            version = int(request.POST.get(f"version-{text}", ""))
        except ValueError:
            continue
        if pk is None:
            continue
        versions[pk] = version
        rows[pk] = {code: request.POST[cell_name(pk, code)] for code in codes if cell_name(pk, code) in request.POST}
    return rows, versions


@login_required
@require_http_methods(["GET", "POST"])
def central_grid_view(request: HttpRequest, round_id: int, indicator_id: int) -> HttpResponse:
    """Every district's central values of one indicator; the POST saves all rows or none."""
    round_, indicator = _bureau_round_indicator(request, round_id, indicator_id)
    if request.method == "GET":
        grid = central_grid(indicator=indicator, round_=round_)
        return render(request, "reporting/central_grid.html", {"grid": grid})
    rows, versions = _posted_rows(request, indicator, round_)
    try:
        saved = central_save(user=request.user, indicator=indicator, round_=round_, rows=rows, versions=versions,
                             source=ValueChange.Source.CENTRAL_GRID,
                             confirm_warnings=request.POST.get("confirm_warnings", "")[:64])
    except CentralInvalid as exc:
        grid = central_grid(indicator=indicator, round_=round_)  # nothing was saved: the values as they were
        grid.show_typed(rows, versions=versions, errors=exc.errors)
        messages.error(request, _("ยังไม่ได้บันทึก: แก้ไขช่องที่มีข้อความสีแดงก่อน (ยังไม่มีข้อมูลใดถูกบันทึก)"))
        return render(request, "reporting/central_grid.html", {"grid": grid}, status=422)
    except CentralConflict as exc:
        grid = central_grid(indicator=indicator, round_=round_)  # nothing was saved: the values as they are now
        grid.show_typed(rows, versions=versions, conflicts=exc.changes)
        messages.error(request, _(
            "มีผู้บันทึกข้อมูลของหน่วยงานต่อไปนี้ก่อนคุณ: %(offices)s ช่องของหน่วยงานเหล่านี้แสดงค่าล่าสุด"
            " (ค่าที่คุณพิมพ์อยู่ใต้ช่อง) ตรวจสอบแล้วกดบันทึกอีกครั้ง ยังไม่มีข้อมูลใดถูกบันทึก"
        ) % {"offices": ", ".join(f"{o.code} {o.name_th}" for o in exc.offices)})
        return render(request, "reporting/central_grid.html", {"grid": grid}, status=409)
    except CentralWarnings as exc:
        grid = central_grid(indicator=indicator, round_=round_)  # nothing was saved yet
        grid.show_typed(rows, versions=versions, warnings=exc.findings)
        messages.warning(request, _(
            "ยังไม่ได้บันทึก: มีค่าที่ควรตรวจสอบ %(n)s หน่วยงาน (ดูคำเตือนในแต่ละแถว) แก้ค่าที่พิมพ์ผิด"
            " หรือกด “ยืนยันค่าที่มีคำเตือนและบันทึก” ถ้าค่าถูกต้อง") % {"n": len(exc.findings)})
        return render(request, "reporting/central_grid.html", {"grid": grid, "confirm_token": exc.token}, status=422)
    if saved.changed:
        messages.success(request, _("บันทึกข้อมูลส่วนกลางของตัวชี้วัด %(code)s แล้ว: เปลี่ยนแปลง %(n)s หน่วยงาน")
                         % {"code": indicator.code, "n": len(saved.changed)})
    else:
        messages.info(request, _("ไม่มีค่าที่เปลี่ยนแปลง จึงไม่ได้บันทึกสิ่งใด"))
    return redirect("reporting:central_grid", round_id=round_.pk, indicator_id=indicator.pk)


@login_required
@require_GET
def central_template_view(request: HttpRequest, round_id: int, indicator_id: int, fmt: str) -> HttpResponse:
    """The grid as an XLSX or CSV file with the current values, to fill in and upload."""
    round_, indicator = _bureau_round_indicator(request, round_id, indicator_id)
    if fmt not in ("xlsx", "csv"):
        raise Http404
    content, filename, content_type = central_template(grid=central_grid(indicator=indicator, round_=round_), fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stash_key(round_: Round, indicator: Indicator) -> str:
    # One waiting file per indicator and round: a file previewed for one cannot be confirmed for another.
    return f"krs_central_upload:{round_.pk}:{indicator.pk}"


def _upload_context(round_: Round, indicator: Indicator, **extra) -> dict:
    return {"round": round_, "indicator": indicator, "max_mb": max_file_bytes() // (1024 * 1024), **extra}


@login_required
@require_http_methods(["GET", "POST"])
def central_upload(request: HttpRequest, round_id: int, indicator_id: int) -> HttpResponse:
    """Upload a file and see what it would change, row by row; nothing is saved here."""
    round_, indicator = _bureau_round_indicator(request, round_id, indicator_id)
    form = CentralUploadForm(request.POST or None, request.FILES or None)
    if request.method == "GET" or not form.is_valid():
        return render(request, "reporting/central_upload.html", _upload_context(
            round_, indicator, form=form, variables=central_variables(indicator, round_)))
    file = form.cleaned_data["file"]
    content = file.read()
    upload = central_parse_upload(indicator=indicator, round_=round_, file=content)
    key = _stash_key(round_, indicator)
    confirm = None
    if upload.is_valid and upload.changed:
        confirm = CentralConfirmForm(initial={"digest": upload_stash(request.session, key=key, content=content,
                                                                      filename=file.name)})
    else:
        request.session.pop(key, None)
    return render(request, "reporting/central_upload_preview.html", _upload_context(
        round_, indicator, upload=upload, confirm=confirm, filename=file.name))


@login_required
@require_POST
def central_upload_confirm(request: HttpRequest, round_id: int, indicator_id: int) -> HttpResponse:
    """Save the previewed file, all rows or none, after reading and checking it once more."""
    round_, indicator = _bureau_round_indicator(request, round_id, indicator_id)
    key = _stash_key(round_, indicator)
    form = CentralConfirmForm(request.POST)
    stashed = upload_unstash(request.session, key=key, digest=form.cleaned_data["digest"]) if form.is_valid() else None
    if stashed is None:
        messages.error(request, _("ไม่พบไฟล์ที่ตรวจสอบไว้ หรือมีการอัปโหลดไฟล์อื่นหลังจากนั้น โปรดอัปโหลดไฟล์อีกครั้ง"))
        return redirect("reporting:central_upload", round_id=round_.pk, indicator_id=indicator.pk)
    content, record = stashed
    filename = record.get("filename", "")
    upload = central_parse_upload(indicator=indicator, round_=round_, file=content)
    saved = None
    if upload.is_valid:
        try:
            # The preview listed every warning beside its row: confirming the file confirms them.
            saved = central_save(user=request.user, indicator=indicator, round_=round_, rows=upload.as_rows(),
                                 versions=None, source=ValueChange.Source.CENTRAL_UPLOAD, confirm_warnings=True)
        except CentralInvalid:
            # Something changed between that reading and the lock (a certification, the deadline):
            # read the file again to say what.
            upload = central_parse_upload(indicator=indicator, round_=round_, file=content)
    if saved is None:
        request.session.pop(key, None)
        messages.error(request, _("ข้อมูลในระบบเปลี่ยนไปหลังการตรวจสอบ ไฟล์นี้จึงนำเข้าไม่ได้ ยังไม่มีข้อมูลใดถูกบันทึก"))
        return render(request, "reporting/central_upload_preview.html", _upload_context(
            round_, indicator, upload=upload, confirm=None, filename=filename), status=422)
    request.session.pop(key, None)
    messages.success(request, _("นำเข้าข้อมูลส่วนกลางจากไฟล์ %(name)s แล้ว: เปลี่ยนแปลง %(n)s หน่วยงาน")
                     % {"name": filename, "n": len(saved.changed)})
    return redirect("reporting:central_grid", round_id=round_.pk, indicator_id=indicator.pk)

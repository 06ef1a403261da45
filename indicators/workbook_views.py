"""Export a framework to an Excel workbook, and import one as a new draft framework (administrators only)."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import FiscalYear, Framework
from indicators.workbook import (
    XLSX_CONTENT_TYPE,
    WorkbookRejected,
    export_filename,
    framework_export_xlsx,
    framework_import_apply,
    framework_import_preview,
    workbook_discard,
    workbook_stash,
    workbook_unstash,
)
from krs import permissions
from krs.imports import max_file_bytes

logger = logging.getLogger(__name__)


class WorkbookUploadForm(forms.Form):
    fiscal_year = forms.ModelChoiceField(
        queryset=FiscalYear.objects.order_by("-year"), label=gettext_lazy("นำเข้าเป็นกรอบการประเมินของปีงบประมาณ"),
        help_text=gettext_lazy("รอบการประเมินในไฟล์ (เช่น 6,12) ต้องมีในปีงบประมาณนี้"),
    )
    file = forms.FileField(
        label=gettext_lazy("ไฟล์ Excel (.xlsx)"),
        help_text=gettext_lazy("ใช้ไฟล์ที่ส่งออกจากระบบเป็นต้นแบบ ระบบจะตรวจสอบก่อน ยังไม่บันทึกจนกว่าจะยืนยัน"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_file_bytes():
            raise ValidationError(_("ไฟล์ใหญ่เกิน %(mb)s MB") % {"mb": max_file_bytes() // (1024 * 1024)})
        return upload


class WorkbookConfirmForm(forms.Form):
    digest = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


def _require_admin(request: HttpRequest) -> None:
    # Everyone but administrators gets "not found": the pages do not exist for them.
    if not permissions.may_configure(request.user):
        raise Http404


def _render(request: HttpRequest, **context) -> HttpResponse:
    context.setdefault("form", WorkbookUploadForm())
    return render(request, "indicators/workbook_import.html", context)


@login_required
def framework_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The framework as an XLSX download, in the format the import reads back."""
    _require_admin(request)
    framework = get_object_or_404(Framework.objects.select_related("fiscal_year"), pk=pk)
    content = framework_export_xlsx(framework=framework)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, export_filename(framework))
    return response


@login_required
def framework_import_view(request: HttpRequest) -> HttpResponse:
    """Upload a workbook and see every error, or a summary to confirm; nothing is saved here."""
    _require_admin(request)
    if request.method != "POST":
        return _render(request)
    form = WorkbookUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form=form)
    upload = form.cleaned_data["file"]
    fiscal_year = form.cleaned_data["fiscal_year"]
    content = upload.read()
    plan = framework_import_preview(content=content, fiscal_year=fiscal_year)
    confirm_form = None
    if plan.is_valid:
        digest = workbook_stash(session=request.session, content=content, filename=upload.name, fiscal_year=fiscal_year)
        confirm_form = WorkbookConfirmForm(initial={"digest": digest})
    else:
        workbook_discard(session=request.session)
    return _render(request, form=WorkbookUploadForm(initial={"fiscal_year": fiscal_year}), plan=plan,
                   confirm_form=confirm_form, filename=upload.name)


@login_required
def framework_import_confirm_view(request: HttpRequest) -> HttpResponse:
    """Create the previewed framework, all or nothing, after checking the file once more (POST only)."""
    _require_admin(request)  # before the method check: others get 404 whatever they send
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = WorkbookConfirmForm(request.POST)
    stashed = workbook_unstash(session=request.session, digest=form.cleaned_data["digest"]) if form.is_valid() else None
    fiscal_year = FiscalYear.objects.filter(pk=stashed[2]).first() if stashed else None
    if stashed is None or fiscal_year is None:
        messages.error(request, _("ไม่พบไฟล์ที่ตรวจสอบไว้ หรือมีการอัปโหลดไฟล์อื่นหลังจากนั้น โปรดอัปโหลดไฟล์อีกครั้ง"))
        return redirect("indicators:framework_import")
    content, filename, _year_id = stashed
    try:
        framework = framework_import_apply(content=content, fiscal_year=fiscal_year)
    except WorkbookRejected as rejected:
        workbook_discard(session=request.session)
        messages.error(request, _("ข้อมูลในระบบเปลี่ยนไปหลังการตรวจสอบ ไฟล์นี้จึงมีข้อผิดพลาด ไม่มีข้อมูลใดถูกบันทึก"))
        return _render(request, form=WorkbookUploadForm(initial={"fiscal_year": fiscal_year}), plan=rejected.plan,
                       filename=filename)
    except (DatabaseError, ValidationError):
        logger.exception("framework workbook import from %s failed and was rolled back", filename)
        messages.error(request, _("นำเข้าไม่สำเร็จ ระบบยกเลิกทั้งหมด ไม่มีข้อมูลใดถูกบันทึก โปรดลองอีกครั้ง"))
        return redirect("indicators:framework_import")
    workbook_discard(session=request.session)
    messages.success(request, _("นำเข้ากรอบการประเมิน “%(name)s” ปีงบประมาณ %(year)s เป็นฉบับร่างเรียบร้อย")
                     % {"name": framework.name, "year": fiscal_year.year})
    return redirect("indicators:framework_tree", pk=framework.pk)

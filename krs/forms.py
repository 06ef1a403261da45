"""Forms of the core."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from krs.imports import MAX_IMPORT_BYTES


class OfficeImportForm(forms.Form):
    file = forms.FileField(
        label=_("ไฟล์รายชื่อหน่วยงานและผู้ใช้ (CSV หรือ XLSX)"),
        help_text=_("แถวแรกเป็นหัวตาราง ดูรูปแบบคอลัมน์ด้านล่าง"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("ไฟล์ใหญ่เกิน %(mb)s MB") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("รองรับเฉพาะไฟล์ .csv และ .xlsx"))
        return upload

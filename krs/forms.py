"""Forms of the core."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from krs.imports import max_file_bytes


class OfficeImportUploadForm(forms.Form):
    """The file of offices and users; its content, not its name, decides CSV or XLSX."""

    file = forms.FileField(
        label=_("ไฟล์รายชื่อหน่วยงานและผู้ใช้ (CSV, XLSX หรือ ODS)"),
        help_text=_("แถวหัวตารางคือแถวแรกที่มีคอลัมน์รหัสหน่วยงาน (แถวชื่อรายงานด้านบนข้ามได้) หนึ่งแถวต่อผู้ใช้หนึ่งคน ดูรูปแบบคอลัมน์ด้านล่าง"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_file_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("ไฟล์ใหญ่เกิน %(mb)s MB โปรดแบ่งเป็นหลายไฟล์") % {"mb": limit // (1024 * 1024)}
            )
        return upload


class OfficeImportConfirmForm(forms.Form):
    """Confirms the previewed file by its digest only: the data itself stays in the server's session."""

    digest = forms.CharField(widget=forms.HiddenInput, validators=[RegexValidator(r"^[0-9a-f]{64}$")])
    resend_links = forms.BooleanField(
        label=_("ส่งลิงก์ตั้งรหัสผ่านอีกครั้งให้ผู้ใช้เดิมในไฟล์ที่ยังไม่เคยตั้งรหัสผ่าน"),
        required=False,
        help_text=_("ใช้เมื่อลิงก์เดิมหมดอายุหรือหาย ผู้ใช้ที่ยังไม่มีรหัสผ่านขอลิงก์เองจากหน้า “ลืมรหัสผ่าน” ไม่ได้"),
    )

"""The certifiers' and administrators' decision forms: each validates, the workflow decides."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import RubricLevel


class DecisionForm(forms.Form):
    """A decision on one entry: every decision form is built with the entry it is about."""

    def __init__(self, *args, entry=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry


class CertifyForm(DecisionForm):
    """Certify; for a rubric indicator, confirm the district's level or choose another with a reason."""

    level = forms.ModelChoiceField(queryset=RubricLevel.objects.none(), required=False, label=_("ระดับที่รับรอง"))
    comment = forms.CharField(required=False, max_length=2000, label=_("เหตุผลที่เปลี่ยนระดับ / หมายเหตุ"),
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, entry=None, **kwargs):
        super().__init__(*args, entry=entry, **kwargs)
        if entry is not None:
            self.fields["level"].queryset = RubricLevel.objects.filter(indicator_id=entry.indicator_id)
            self.fields["level"].initial = entry.level_id


class FixDeadlineForm(DecisionForm):
    """A decision that may give the district until a time in the future to report or correct the entry."""

    fix_deadline = forms.DateTimeField(
        required=False, label=_("ให้แก้ไขได้ถึง (ไม่บังคับ)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=_("เว้นว่างถ้าไม่ต้องการให้แก้ไขหลังปิดรอบ"),
        error_messages={"invalid": _("วันเวลาไม่ถูกต้อง: เลือกจากปฏิทิน")},
    )

    def clean_fix_deadline(self):
        deadline = self.cleaned_data["fix_deadline"]
        if deadline is not None and deadline <= timezone.now():
            raise forms.ValidationError(_("กำหนดแก้ไขต้องเป็นเวลาในอนาคต"))
        return deadline


class RejectForm(FixDeadlineForm):
    comment = forms.CharField(max_length=2000, label=_("เหตุผลที่ไม่รับรอง (สพท. จะเห็นข้อความนี้)"),
                              widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("ไม่รับรองต้องระบุเหตุผล เพื่อให้ สพท. แก้ไขได้ถูกต้อง")})
    field_order = ["comment", "fix_deadline"]

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError(_("ไม่รับรองต้องระบุเหตุผล เพื่อให้ สพท. แก้ไขได้ถูกต้อง"))
        return comment


class ReopenForm(FixDeadlineForm):
    """Reopen a certified entry; for one the system scored, ``fix_deadline`` is required (by the workflow)."""

    comment = forms.CharField(max_length=2000, label=_("เหตุผลที่เปิดให้แก้ไขอีกครั้ง"),
                              widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": _("เปิดให้แก้ไขอีกครั้งต้องระบุเหตุผล")})
    field_order = ["comment", "fix_deadline"]

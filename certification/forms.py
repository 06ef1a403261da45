"""The certifiers' and administrators' decision forms: each validates, the workflow decides."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import RubricLevel
from krs import thaicalendar
from krs.thaicalendar import format_thai_date
from krs.thaiforms import ThaiDateTimeField


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
    """A decision that may give the district until a time in the future to report or correct the entry.

    The deadline is typed in the Thai calendar ("31/03/2569 16:30", ``ThaiDateTimeField``). A bureau's
    rejection gives at most until the round's certification deadline, so the correction can still be
    certified; an administrator reopening an entry may go further, up to the end of the following fiscal
    year (``EXTENDS`` says which form may).
    """

    EXTENDS = False

    fix_deadline = ThaiDateTimeField(
        required=False, label=_("ให้แก้ไขได้ถึง (ไม่บังคับ)"),
        help_text=_("วว/ดด/ปปปป ชช:นน ปี พ.ศ. เวลา 24 ชั่วโมง เช่น 15/08/2569 16:30 · เว้นว่างถ้าไม่ต้องการให้แก้ไขหลังปิดรอบ"),
    )

    def clean_fix_deadline(self):
        deadline = self.cleaned_data["fix_deadline"]
        if deadline is None:
            return deadline
        if deadline <= timezone.now():
            raise forms.ValidationError(_("กำหนดแก้ไขต้องเป็นเวลาในอนาคต"))
        round_ = self.entry.round if self.entry is not None else None
        if round_ is None:
            return deadline
        if not self.EXTENDS and deadline > round_.certification_deadline:
            raise forms.ValidationError(
                _("กำหนดแก้ไขต้องไม่เกินกำหนดรับรองผลของรอบ (%(date)s) เพื่อให้รับรองผลที่แก้ไขได้ทัน "
                  "ถ้าต้องการนานกว่านี้ โปรดติดต่อผู้ดูแลระบบ") % {"date": format_thai_date(round_.certification_deadline)})
        _first, last = thaicalendar.fiscal_year_range(round_.fiscal_year.year)
        if thaicalendar.local_date(deadline) > last:
            raise forms.ValidationError(
                _("กำหนดแก้ไขต้องไม่เกิน %(date)s (สิ้นปีงบประมาณถัดไป): ตรวจปี พ.ศ. ที่กรอก")
                % {"date": format_thai_date(last)})
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
    """Reopen a certified entry; for one the system scored, ``fix_deadline`` is required (by the workflow).

    Administrators only: the fix deadline may pass the round's certification deadline.
    """

    EXTENDS = True

    comment = forms.CharField(max_length=2000, label=_("เหตุผลที่เปิดให้แก้ไขอีกครั้ง"),
                              widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": _("เปิดให้แก้ไขอีกครั้งต้องระบุเหตุผล")})
    field_order = ["comment", "fix_deadline"]

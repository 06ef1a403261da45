"""Date and time fields people type in the Thai calendar: day/month/พ.ศ. year and a 24-hour time.

Every date a person types — the app's forms and the Django admin — goes through these: a value is shown
as "31/03/2569" and "16:30" (local time), and read back with ``thaicalendar.parse_thai_date`` and
``parse_thai_time``, so a year in พ.ศ. is never read as ค.ศ. and a ค.ศ. year is refused with a Thai message
("กรุณากรอกปี พ.ศ. เช่น 2569"). The admin uses them through ``THAI_DATE_FIELDS`` (formfield_overrides).
docs/calendar.md ("Typing dates") states the rules.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from krs import thaicalendar

DATE_PLACEHOLDER = _("วว/ดด/ปปปป (พ.ศ.)")
TIME_PLACEHOLDER = _("ชช:นน")


def _time_text(value: dt.datetime) -> str:
    moment = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{moment:%H:%M}"


class ThaiDateInput(forms.TextInput):
    """A text box showing a date as "31/03/2569"; what was typed is shown back as typed."""

    def __init__(self, attrs=None):
        super().__init__({"placeholder": DATE_PLACEHOLDER, "inputmode": "numeric", "autocomplete": "off",
                          "size": 12, "class": "thai-date", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.date):
            return thaicalendar.format_thai_numeric_date(value)
        return super().format_value(value)


class ThaiDateTimeInput(forms.TextInput):
    """One text box for "31/03/2569 16:30" (the app's forms)."""

    def __init__(self, attrs=None):
        super().__init__({"placeholder": _("วว/ดด/ปปปป ชช:นน (พ.ศ.)"), "autocomplete": "off", "size": 18,
                          "class": "thai-datetime", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.datetime):
            return f"{thaicalendar.format_thai_numeric_date(value)} {_time_text(value)}"
        return super().format_value(value)


class ThaiSplitDateTimeWidget(forms.MultiWidget):
    """A date box and a time box (the admin's forms): "31/03/2569" and "16:30".

    The field's label is a fieldset's, pointing at neither box (Django's ``MultiWidget.id_for_label`` is empty),
    so each box carries its own name: the field's label (``field_label``, set by ``ThaiDateTimeField``) and
    which part it is, "เปิดให้บันทึกข้อมูล: วันที่ (วว/ดด/ปปปป พ.ศ.)" and "…: เวลา (ชช:นน)".
    """

    field_label = ""

    def __init__(self, attrs=None):
        time = forms.TextInput({"placeholder": TIME_PLACEHOLDER, "inputmode": "numeric", "autocomplete": "off",
                                "size": 6, "class": "thai-time"})
        super().__init__([ThaiDateInput(attrs), time], attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        prefix = f"{self.field_label}: " if self.field_label else ""
        for subwidget, part in zip(context["widget"]["subwidgets"], (_("วันที่ (วว/ดด/ปปปป พ.ศ.)"), _("เวลา (ชช:นน)")), strict=True):
            subwidget["attrs"]["aria-label"] = f"{prefix}{part}"
        return context

    def decompress(self, value):
        if isinstance(value, dt.datetime):
            return [thaicalendar.format_thai_numeric_date(value), _time_text(value)]
        return [None, None]


class ThaiDateField(forms.Field):
    """A date typed as day/month/พ.ศ. year."""

    widget = ThaiDateInput
    default_error_messages = {"required": _("กรุณากรอกวันที่ (วว/ดด/ปปปป พ.ศ.)")}

    def __init__(self, *, max_length=None, empty_value=None, **kwargs):
        # A model DateField offers no such options; accepted so formfield_overrides can pass anything through.
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return thaicalendar.parse_thai_date(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None

    def prepare_value(self, value):
        return value


class ThaiDateTimeField(forms.Field):
    """A date and a 24-hour time in the Thai calendar, local time; one box or the split widget's two."""

    widget = ThaiDateTimeInput
    default_error_messages = {"required": _("กรุณากรอกวันที่และเวลา (วว/ดด/ปปปป ชช:นน พ.ศ.)")}

    def __init__(self, *, max_length=None, empty_value=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(self.widget, ThaiSplitDateTimeWidget):
            self.widget.field_label = self.label or ""

    def to_python(self, value):
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, list | tuple):
            day_text, time_text = (str(part or "").strip() for part in (list(value) + ["", ""])[:2])
        else:
            day_text, _space, time_text = str(value or "").strip().partition(" ")
            time_text = time_text.strip()
        if not day_text and not time_text:
            return None
        if not day_text:
            raise forms.ValidationError(_("กรุณากรอกวันที่ (วว/ดด/ปปปป พ.ศ.) ด้วย"), code="invalid")
        try:
            day = thaicalendar.parse_thai_date(day_text)
            if not time_text:
                raise forms.ValidationError(_("กรุณากรอกเวลาด้วย เช่น 16:30"), code="invalid")
            hour, minute = thaicalendar.parse_thai_time(time_text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def has_changed(self, initial, data):
        try:
            data = self.to_python(data)
        except forms.ValidationError:
            return True
        return initial != data


# formfield_overrides for every ModelAdmin or inline with dates an administrator types.
THAI_DATE_FIELDS = {
    models.DateTimeField: {"form_class": ThaiDateTimeField, "widget": ThaiSplitDateTimeWidget},
    models.DateField: {"form_class": ThaiDateField, "widget": ThaiDateInput},
}


"""The admin screens for what administrators configure, with the checks that keep scoring exact."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from indicators.formula import FormulaError, parse_formula
from indicators.models import (
    DerivedComponent,
    FiscalYear,
    Framework,
    Group,
    Indicator,
    MilestoneStep,
    Round,
    RubricLevel,
    Threshold,
    ValidationRule,
    Variable,
)
from indicators.scoring import score_linear
from indicators.selectors import criteria_snapshot, framework_tree, weight_problems
from indicators.services import (
    CriteriaRefused,
    criteria_reason_message,
    framework_change_criteria,
    framework_copy_to_year,
    framework_publish,
)
from krs.thaicalendar import format_thai_date
from krs.thaiforms import THAI_DATE_FIELDS


def _live_forms(formset):
    return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


# --- Changing the criteria of a published framework: a required reason, an audit, a rescore ---------------
# The form says whether the framework is published and keeps the reason on the object it edits; the inline
# formsets (built on that same object) refuse a change of criteria without it, so nothing is saved. The
# admin's save then snapshots the criteria before and after and calls framework_change_criteria, inside the
# admin's own transaction.

REASON_FIELD = "criteria_reason"


def _reason_field():
    return forms.CharField(
        label=_("เหตุผลการเปลี่ยนแปลง"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("จำเป็นเมื่อเปลี่ยนเกณฑ์การให้คะแนนของกรอบการประเมินที่ประกาศใช้แล้ว "
                    "บันทึกไว้ในประวัติการเปลี่ยนเกณฑ์ของกรอบการประเมิน"),
    )


class CriteriaReasonForm(forms.ModelForm):
    """An admin form of something a framework scores by; ``criteria_fields`` are those whose change needs a reason."""

    criteria_fields: tuple[str, ...] = ()

    def published_framework(self, data) -> Framework | None:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        reason = (data.get(REASON_FIELD) or "").strip()
        published = self.published_framework(data) is not None
        self.instance._criteria_reason = reason
        self.instance._criteria_published = published
        changed = self.instance.pk is None or bool(set(self.changed_data) & set(self.criteria_fields))
        if published and changed and not reason and REASON_FIELD in self.fields:
            self.add_error(REASON_FIELD, criteria_reason_message())
        return data


class CriteriaFormSet(BaseInlineFormSet):
    """An inline of criteria: any change (``criteria_fields`` empty) or a change of those fields needs the reason."""

    criteria_fields: tuple[str, ...] = ()

    def criteria_changed(self) -> bool:
        for form in self.forms:
            if not form.has_changed():
                continue
            if not self.criteria_fields or form.instance.pk is None or "DELETE" in form.changed_data:
                return True
            if set(form.changed_data) & set(self.criteria_fields):
                return True
        return False

    def clean(self):
        super().clean()
        instance = self.instance
        if getattr(instance, "_criteria_published", False) and not getattr(instance, "_criteria_reason", ""):
            if self.criteria_changed():
                raise ValidationError(_("%(message)s: กรอกช่อง “เหตุผลการเปลี่ยนแปลง” ของแบบฟอร์มนี้") % {
                    "message": criteria_reason_message()})


class CriteriaAdminMixin:
    """Snapshot the criteria before the save and after the inlines, and hand both to the audited service."""

    def criteria_keys(self, obj) -> dict:
        raise NotImplementedError

    def criteria_framework(self, obj) -> Framework:
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A change that would leave an indicator unscorable in a round is refused by the service after the
        # forms have saved (only then are the inlines' rounds known): everything rolls back and the page
        # says which indicator, round and variable to fix.
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except CriteriaRefused as refused:
            for message in refused.messages:
                messages.error(request, _("ไม่ได้บันทึกการเปลี่ยนแปลง: %(problem)s") % {"problem": message})
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        # Read from the database before anything is written: the object in hand already holds the new values.
        request._criteria_before = criteria_snapshot(**self.criteria_keys(obj)) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        after = criteria_snapshot(**self.criteria_keys(obj))
        framework = self.criteria_framework(obj)
        done = framework_change_criteria(
            framework=framework, before=getattr(request, "_criteria_before", {}), after=after,
            reason=form.cleaned_data.get(REASON_FIELD, ""), user=request.user,
        )
        if done.changes:
            messages.info(request, format_html(
                '{} <a href="{}">{}</a>',
                _("บันทึกการเปลี่ยนเกณฑ์ %(n)d รายการ ให้คะแนนใหม่ %(rescored)d รายการ "
                  "รายการที่รับรองแล้วซึ่งคะแนนตามเกณฑ์ใหม่ต่างไป %(listed)d รายการ รอรับรองใหม่") % {
                    "n": len(done.changes), "rescored": done.rescored, "listed": done.to_recertify},
                reverse("indicators:framework_history", args=[framework.pk]), _("ดูประวัติการเปลี่ยนเกณฑ์"),
            ))

    def has_delete_permission(self, request, obj=None):
        # Taking an indicator or group out of a published framework is not a criteria change the audit can
        # follow (its entries and history would go with it): it is refused; change weights or rounds instead.
        if obj is not None and self.criteria_framework(obj).is_published:
            return False
        return super().has_delete_permission(request, obj)


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0
    formfield_overrides = THAI_DATE_FIELDS
    fields = ["months", "name", "period_end", "opens_at", "deadline", "certification_deadline", "late_penalty_per_day",
              "late_until", "penalty_scope"]


@admin.register(FiscalYear)
class FiscalYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "first_day", "last_day"]
    inlines = [RoundInline]
    search_fields = ["year"]

    @admin.display(description=_("วันแรก"))
    def first_day(self, obj):
        return format_thai_date(obj.bounds[0])

    @admin.display(description=_("วันสุดท้าย"))
    def last_day(self, obj):
        return format_thai_date(obj.bounds[1])


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin):
    list_display = ["label", "fiscal_year", "months", "opens", "due", "certification_due", "late_penalty_per_day",
                    "penalty_scope", "closed"]
    list_filter = ["fiscal_year", "months"]
    list_select_related = ["fiscal_year"]
    # What the deadline sweep did to the round (reporting/deadlines.py); shown, never typed.
    readonly_fields = ["opened_at", "closed_at", "central_closed_at", "certification_closed_at"]
    # Dates are typed and shown in พ.ศ. (วว/ดด/ปปปป and ชช:นน); Round.clean keeps them near the fiscal year.
    formfield_overrides = THAI_DATE_FIELDS

    @admin.display(description=_("รอบการรายงาน"))
    def label(self, obj):
        return obj.label

    @admin.display(description=_("เปิดให้บันทึกข้อมูล"), ordering="opens_at")
    def opens(self, obj):
        return format_thai_date(obj.opens_at)

    @admin.display(description=_("กำหนดส่งรายงาน"), ordering="deadline")
    def due(self, obj):
        return format_thai_date(obj.deadline)

    @admin.display(description=_("กำหนดรับรองผล"), ordering="certification_deadline")
    def certification_due(self, obj):
        return format_thai_date(obj.certification_deadline)

    @admin.display(description=_("ระบบปิดรอบเมื่อ"), ordering="closed_at")
    def closed(self, obj):
        return format_thai_date(obj.closed_at) or "-"


class GroupFormSet(CriteriaFormSet):
    criteria_fields = ("weight", "parent")


class GroupInline(admin.TabularInline):
    model = Group
    formset = GroupFormSet
    extra = 0
    fields = ["code", "name", "level_name", "parent", "weight", "order"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent" and request.resolver_match and request.resolver_match.kwargs.get("object_id"):
            kwargs["queryset"] = Group.objects.filter(framework_id=request.resolver_match.kwargs["object_id"])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CopyToYearForm(admin.helpers.ActionForm):
    fiscal_year = forms.ModelChoiceField(FiscalYear.objects.all(), required=False, label=_("ไปยังปีงบประมาณ"))


class FrameworkForm(CriteriaReasonForm):
    criteria_reason = _reason_field()

    class Meta:
        model = Framework
        fields = ["fiscal_year", "code", "name", "kind", "description"]

    def published_framework(self, data):
        return self.instance if self.instance.pk and self.instance.is_published else None


@admin.register(Framework)
class FrameworkAdmin(CriteriaAdminMixin, SimpleHistoryAdmin):
    form = FrameworkForm
    list_display = ["name", "code", "fiscal_year", "kind", "status", "tree_link"]
    list_filter = ["fiscal_year", "kind", "status"]
    search_fields = ["code", "name"]
    list_select_related = ["fiscal_year"]
    inlines = [GroupInline]
    readonly_fields = ["status", "published_at", "pages"]
    actions = ["publish", "copy_to_next_year"]
    action_form = CopyToYearForm

    change_list_template = "admin/indicators/framework/change_list.html"

    @admin.display(description=_("โครงสร้าง"))
    def tree_link(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("indicators:framework_tree", args=[obj.pk]), _("ดูแผนผัง"),
            reverse("indicators:framework_export", args=[obj.pk]), _("ส่งออก XLSX"),
            reverse("indicators:framework_history", args=[obj.pk]), _("ประวัติการเปลี่ยนเกณฑ์"),
        )

    @admin.display(description=_("หน้าที่เกี่ยวข้อง"))
    def pages(self, obj):
        return self.tree_link(obj) if obj and obj.pk else "–"

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if REASON_FIELD in fields:
            fields.remove(REASON_FIELD)
            if obj is not None and obj.is_published:
                fields.append(REASON_FIELD)
        return fields

    def criteria_keys(self, obj):
        return {"group_ids": list(Group.objects.filter(framework=obj).values_list("pk", flat=True))}

    def criteria_framework(self, obj):
        return obj

    def has_delete_permission(self, request, obj=None):
        return SimpleHistoryAdmin.has_delete_permission(self, request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        framework = self.get_object(request, object_id)
        if framework is not None and request.method == "GET":
            # Weights are shown as a warning while drafting; publishing enforces them.
            for problem in weight_problems(framework_tree(framework)):
                messages.warning(request, problem)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("ประกาศใช้กรอบการประเมินที่เลือก"))
    def publish(self, request, queryset):
        for framework in queryset:
            try:
                framework_publish(framework=framework)
            except ValidationError as exc:
                messages.error(request, format_html("{}: {}", framework, "; ".join(exc.messages)))
            else:
                messages.success(request, _("ประกาศใช้ %(name)s แล้ว") % {"name": framework})

    @admin.action(description=_("คัดลอกไปยังปีงบประมาณถัดไป (หรือปีที่เลือก)"))
    def copy_to_next_year(self, request, queryset):
        chosen = request.POST.get("fiscal_year")
        copied = 0
        for framework in queryset.select_related("fiscal_year"):
            if chosen:
                target = FiscalYear.objects.get(pk=chosen)
            else:
                target, _created = FiscalYear.objects.get_or_create(year=framework.fiscal_year.year + 1)
            try:
                with transaction.atomic():
                    framework_copy_to_year(framework=framework, fiscal_year=target)
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            else:
                copied += 1
        if copied:
            messages.success(
                request, ngettext("คัดลอก %(n)d กรอบการประเมินแล้ว", "คัดลอก %(n)d กรอบการประเมินแล้ว", copied) % {"n": copied}
            )


class GroupForm(CriteriaReasonForm):
    criteria_fields = ("framework", "parent", "weight")
    criteria_reason = _reason_field()

    class Meta:
        model = Group
        fields = ["framework", "parent", "code", "name", "level_name", "weight", "order"]

    def published_framework(self, data):
        for framework in (data.get("framework"), self.instance.framework if self.instance.framework_id else None):
            if framework is not None and framework.is_published:
                return framework
        return None


@admin.register(Group)
class GroupAdmin(CriteriaAdminMixin, admin.ModelAdmin):
    form = GroupForm
    list_display = ["code", "name", "framework", "parent", "weight", "order"]
    list_filter = ["framework__fiscal_year", "framework"]
    search_fields = ["code", "name"]
    list_select_related = ["framework", "parent"]

    def criteria_keys(self, obj):
        return {"group_ids": [obj.pk]}

    def criteria_framework(self, obj):
        return obj.framework


class VariableFormSet(CriteriaFormSet):
    criteria_fields = ("code", "source", "rounds")

    def clean(self):
        super().clean()
        indicator = self.instance
        codes = [f.cleaned_data["code"] for f in _live_forms(self) if f.cleaned_data.get("code")]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValidationError(_("รหัสตัวแปรซ้ำ: %(codes)s") % {"codes": ", ".join(duplicates)})
        if indicator.formula:
            # The formula is checked against the variables as they will be saved, not as they were.
            try:
                parse_formula(indicator.formula, variables=set(codes))
            except FormulaError as exc:
                raise ValidationError(_("สูตรคำนวณ: %(error)s") % {"error": exc}) from None


class VariableInline(admin.TabularInline):
    model = Variable
    formset = VariableFormSet
    extra = 0
    fields = ["code", "name", "unit", "kind", "source", "minimum", "maximum", "change_factor", "peer_factor", "rounds",
              "order"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RuleFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        # The rules are checked against the variables as they will be saved (the variables inline of the same form).
        codes = set()
        for key, value in self.data.items():
            match = re.fullmatch(r"variables-(\d+)-code", key)
            if match and value.strip() and not self.data.get(f"variables-{match.group(1)}-DELETE"):
                codes.add(value.strip())
        if not any(re.fullmatch(r"variables-\d+-code", key) for key in self.data):
            codes = {v.code for v in self.instance.variables.all()} if self.instance.pk else set()
        for form in _live_forms(self):
            data = form.cleaned_data
            if not data.get("left") or not data.get("right"):
                continue
            rule = ValidationRule(indicator=self.instance, left=data["left"], right=data["right"])
            for side, message in rule.problems(codes).items():
                form.add_error(side, message)


class RuleInline(admin.TabularInline):
    model = ValidationRule
    formset = RuleFormSet
    extra = 0
    fields = ["left", "operator", "right", "severity", "message", "message_en", "order"]


class ThresholdFormSet(CriteriaFormSet):
    def clean(self):
        super().clean()
        rows = sorted((f.cleaned_data["level"], f.cleaned_data["value"]) for f in _live_forms(self) if "level" in f.cleaned_data)
        levels = [level for level, _value in rows]
        if len(levels) != len(set(levels)):
            raise ValidationError(_("ระดับคะแนนซ้ำกัน"))
        if self.instance.method == Indicator.Method.QUANTITATIVE and levels != [1, 2, 3, 4, 5]:
            raise ValidationError(_("ตัวชี้วัดเชิงปริมาณต้องมีเกณฑ์ครบ 5 ระดับ (1 ถึง 5)"))
        if len(rows) == 5:
            values = [value for _level, value in rows]
            try:
                score_linear(values[0], values)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None


class ThresholdInline(admin.TabularInline):
    model = Threshold
    formset = ThresholdFormSet
    extra = 0
    max_num = 5


class StepInline(admin.TabularInline):
    model = MilestoneStep
    formset = CriteriaFormSet
    extra = 0
    max_num = 5


class LevelInline(admin.TabularInline):
    model = RubricLevel
    formset = CriteriaFormSet
    extra = 0


class ComponentInline(admin.TabularInline):
    model = DerivedComponent
    formset = CriteriaFormSet
    fk_name = "indicator"
    extra = 0
    autocomplete_fields = ["source"]


INDICATOR_FIELDSETS = (
    (None, {"fields": ("framework", "group", "parent", "code", "name", "description", "order")}),
    (_("การประเมิน"), {"fields": ("method", "formula", "unit", "target", "weight", "pass_score", "fail_score",
                                   "owner", "frequency", "response", "applies_to_primary", "applies_to_secondary",
                                   "rounds")}),
    (_("รายละเอียดตัวชี้วัด (KPI Template)"), {"classes": ("collapse",), "fields": (
        "definition", "formula_text", "criteria_text", "conditions", "baseline", "data_source",
        "supervisor_name", "supervisor_phone", "collector_name", "collector_phone")}),
)


class IndicatorForm(CriteriaReasonForm):
    criteria_fields = ("framework", "group", "parent", "method", "formula", "target", "weight", "pass_score", "fail_score",
                       "rounds", "applies_to_primary", "applies_to_secondary")
    criteria_reason = _reason_field()

    class Meta:
        model = Indicator
        fields = [name for _title, options in INDICATOR_FIELDSETS for name in options["fields"]]

    def published_framework(self, data):
        for framework in (data.get("framework"), self.instance.framework if self.instance.framework_id else None):
            if framework is not None and framework.is_published:
                return framework
        return None


@admin.register(Indicator)
class IndicatorAdmin(CriteriaAdminMixin, SimpleHistoryAdmin):
    form = IndicatorForm
    list_display = ["code", "short_name", "framework", "method", "weight", "owner", "unit"]
    list_filter = ["framework__fiscal_year", "framework", "method", "owner", "applies_to_primary", "applies_to_secondary"]
    search_fields = ["code", "name", "framework__name"]
    list_select_related = ["framework", "owner"]
    autocomplete_fields = ["owner"]
    inlines = [VariableInline, RuleInline, ThresholdInline, StepInline, LevelInline, ComponentInline]
    fieldsets = INDICATOR_FIELDSETS

    @admin.display(description=_("ชื่อตัวชี้วัด"))
    def short_name(self, obj):
        return obj.name if len(obj.name) <= 80 else obj.name[:77] + "…"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "rounds":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.framework.is_published:
            fieldsets = ((_("เหตุผลการเปลี่ยนแปลง (กรอบการประเมินที่ประกาศใช้แล้ว)"), {"fields": (REASON_FIELD,)}),
                         *fieldsets)
        return fieldsets

    def criteria_keys(self, obj):
        return {"indicator_ids": [obj.pk]}

    def criteria_framework(self, obj):
        return obj.framework

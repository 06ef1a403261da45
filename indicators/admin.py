"""The admin screens for what administrators configure, with the checks that keep scoring exact."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
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
    Variable,
)
from indicators.scoring import score_linear
from indicators.selectors import framework_tree, weight_problems
from indicators.services import framework_copy_to_year, framework_publish


def _live_forms(formset):
    return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0
    fields = ["months", "name", "period_end", "opens_at", "deadline", "certification_deadline", "late_penalty_per_day",
              "late_until", "penalty_scope"]


@admin.register(FiscalYear)
class FiscalYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "first_day", "last_day"]
    inlines = [RoundInline]
    search_fields = ["year"]

    @admin.display(description=_("วันแรก"))
    def first_day(self, obj):
        return obj.bounds[0]

    @admin.display(description=_("วันสุดท้าย"))
    def last_day(self, obj):
        return obj.bounds[1]


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin):
    list_display = ["label", "fiscal_year", "months", "opens_at", "deadline", "certification_deadline", "late_penalty_per_day",
                    "penalty_scope", "closed_at"]
    list_filter = ["fiscal_year", "months"]
    list_select_related = ["fiscal_year"]
    # What the deadline sweep did to the round (certification/deadlines.py); shown, never typed.
    readonly_fields = ["opened_at", "closed_at", "certification_closed_at"]


class GroupInline(admin.TabularInline):
    model = Group
    extra = 0
    fields = ["code", "name", "level_name", "parent", "weight", "order"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent" and request.resolver_match and request.resolver_match.kwargs.get("object_id"):
            kwargs["queryset"] = Group.objects.filter(framework_id=request.resolver_match.kwargs["object_id"])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CopyToYearForm(admin.helpers.ActionForm):
    fiscal_year = forms.ModelChoiceField(FiscalYear.objects.all(), required=False, label=_("ไปยังปีงบประมาณ"))


@admin.register(Framework)
class FrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "fiscal_year", "kind", "status", "tree_link"]
    list_filter = ["fiscal_year", "kind", "status"]
    search_fields = ["code", "name"]
    list_select_related = ["fiscal_year"]
    inlines = [GroupInline]
    readonly_fields = ["status", "published_at"]
    actions = ["publish", "copy_to_next_year"]
    action_form = CopyToYearForm

    change_list_template = "admin/indicators/framework/change_list.html"

    @admin.display(description=_("โครงสร้าง"))
    def tree_link(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("indicators:framework_tree", args=[obj.pk]), _("ดูแผนผัง"),
            reverse("indicators:framework_export", args=[obj.pk]), _("ส่งออก XLSX"),
        )

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
            messages.success(request, ngettext("คัดลอก %(n)d กรอบการประเมินแล้ว", "คัดลอก %(n)d กรอบการประเมินแล้ว", copied) % {"n": copied})


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "framework", "parent", "weight", "order"]
    list_filter = ["framework__fiscal_year", "framework"]
    search_fields = ["code", "name"]
    list_select_related = ["framework", "parent"]


class VariableFormSet(BaseInlineFormSet):
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
    fields = ["code", "name", "unit", "kind", "source", "minimum", "maximum", "rounds", "order"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ThresholdFormSet(BaseInlineFormSet):
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
    extra = 0
    max_num = 5


class LevelInline(admin.TabularInline):
    model = RubricLevel
    extra = 0


class ComponentInline(admin.TabularInline):
    model = DerivedComponent
    fk_name = "indicator"
    extra = 0
    autocomplete_fields = ["source"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "short_name", "framework", "method", "weight", "owner", "unit"]
    list_filter = ["framework__fiscal_year", "framework", "method", "owner", "applies_to_primary", "applies_to_secondary"]
    search_fields = ["code", "name", "framework__name"]
    list_select_related = ["framework", "owner"]
    autocomplete_fields = ["owner"]
    inlines = [VariableInline, ThresholdInline, StepInline, LevelInline, ComponentInline]
    fieldsets = (
        (None, {"fields": ("framework", "group", "parent", "code", "name", "description", "order")}),
        (_("การประเมิน"), {"fields": ("method", "formula", "unit", "target", "weight", "pass_score", "fail_score",
                                       "owner", "frequency", "response", "applies_to_primary", "applies_to_secondary",
                                       "rounds")}),
        (_("รายละเอียดตัวชี้วัด (KPI Template)"), {"classes": ("collapse",), "fields": (
            "definition", "formula_text", "criteria_text", "conditions", "baseline", "data_source",
            "supervisor_name", "supervisor_phone", "collector_name", "collector_phone")}),
    )

    @admin.display(description=_("ชื่อตัวชี้วัด"))
    def short_name(self, obj):
        return obj.name if len(obj.name) <= 80 else obj.name[:77] + "…"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "rounds":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

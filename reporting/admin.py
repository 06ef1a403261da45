"""Admin: entries (read-only: values change through the pages and services) and the "open round" action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from indicators.admin import RoundAdmin
from reporting.models import Entry, ReportLateness, Value, ValueChange
from reporting.services import round_open


@admin.action(description=_("เปิดรอบ: สร้างรายการรายงานผลของทุก สพท. (ทำซ้ำได้ ไม่สร้างซ้ำ)"))
def open_rounds(modeladmin, request, queryset):
    for round_ in queryset.select_related("fiscal_year"):
        result = round_open(round_=round_)
        messages.success(
            request,
            _("%(round)s: สร้างใหม่ %(created)s รายการ รวม %(total)s รายการ")
            % {"round": round_, "created": result.created, "total": result.total},
        )


# Opening a round is reporting's work; the action joins the rounds' admin from here so that
# indicators (configuration) never imports reporting.
RoundAdmin.actions = (*(RoundAdmin.actions or ()), open_rounds)


class ValueInline(admin.TabularInline):
    model = Value
    extra = 0
    can_delete = False
    readonly_fields = ["variable", "value", "updated_by", "updated_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ValueChangeInline(admin.TabularInline):
    model = ValueChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ["changed_at", "field", "old_value", "new_value", "version", "changed_by", "source"]
    ordering = ["-changed_at", "-pk"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["office", "indicator", "round", "status", "self_score", "official_score", "updated_at"]
    list_filter = ["round__fiscal_year", "round", "status", "office__kind", "indicator__owner"]
    search_fields = ["office__code", "office__name_th", "indicator__code", "indicator__name"]
    list_select_related = ["office", "indicator", "round__fiscal_year"]
    readonly_fields = [f.name for f in Entry._meta.fields]
    inlines = [ValueInline, ValueChangeInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportLateness)
class ReportLatenessAdmin(admin.ModelAdmin):
    """What the deadline sweep recorded of each district's report (seed 002's penalty): shown, never typed."""

    list_display = ["round", "framework", "office", "complete", "reported_at", "late_days", "penalty"]
    list_filter = ["round", "complete"]
    list_select_related = ["round__fiscal_year", "framework", "office"]
    search_fields = ["office__code", "office__name_th"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

"""Reads of the API: what a token may see, and rows turned into the schemas of api/schemas.py.

Which entries a token sees is its user's ``reporting.rules.entries_visible_to`` (``may_view_entry`` as a
queryset, the pages' rule too), narrowed by the token's office.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch

from api.models import ApiToken
from indicators.models import Framework, Indicator
from indicators.numbers import format_value
from krs import permissions
from krs.models import Office
from reporting.compute import indicator_config
from reporting.models import Entry, StepValue, Value
from reporting.rules import entries_visible_to, may_view_entry
from reporting.selectors import counted_score_expression, read_score


def visible_entries(token: ApiToken):
    """The entries the token may read: its user's (``entries_visible_to``), within the token's office if it has one."""
    entries = entries_visible_to(token.user)
    office = token.office
    if office is not None:
        entries = entries.filter(indicator__owner=office) if office.is_bureau else entries.filter(office=office)
    return entries


def token_may_see_entry(token: ApiToken, entry: Entry) -> bool:
    """``visible_entries`` for one entry in memory (the writes check each item with it)."""
    if not may_view_entry(token.user, entry):
        return False
    office = token.office
    if office is None:
        return True
    return entry.indicator.owner_id == office.pk if office.is_bureau else entry.office_id == office.pk


def visible_frameworks(token: ApiToken):
    """Published frameworks for everyone; drafts too for administrators (they are still being configured)."""
    frameworks = Framework.objects.select_related("fiscal_year")
    if not permissions.is_administrator(token.user):
        frameworks = frameworks.filter(status=Framework.Status.PUBLISHED)
    return frameworks


def visible_indicators(token: ApiToken):
    return Indicator.objects.filter(framework__in=visible_frameworks(token))


def entries_for_api(queryset):
    """Entries with everything ``entry_out`` reads: 3 queries for any number (entries, values, steps)."""
    return queryset.select_related("office", "indicator", "level").annotate(counted=counted_score_expression()).prefetch_related(
        Prefetch("values", queryset=Value.objects.select_related("variable").order_by("variable__order", "variable__code")),
        Prefetch("step_values", queryset=StepValue.objects.select_related("step").order_by("step__number")),
    )


# --- Rows as the schemas want them ---------------------------------------------------------------------


def text(value: Decimal | None) -> str | None:
    return None if value is None else format_value(value)


def score(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.5f}"


def office_out(office: Office | None) -> dict | None:
    if office is None:
        return None
    return {"id": office.pk, "code": office.code, "name_th": office.name_th, "name_en": office.name_en,
            "kind": office.kind}


def round_out(round_) -> dict:
    return {"id": round_.pk, "fiscal_year": round_.fiscal_year.year, "months": round_.months, "label": round_.label,
            "period_end": round_.period_end, "opens_at": round_.opens_at, "deadline": round_.deadline,
            "late_until": round_.late_until, "certification_deadline": round_.certification_deadline,
            "late_penalty_per_day": score(round_.late_penalty_per_day)}


def framework_out(framework: Framework) -> dict:
    return {"id": framework.pk, "fiscal_year": framework.fiscal_year.year, "code": framework.code,
            "name": framework.name, "kind": framework.kind, "status": framework.status,
            "published_at": framework.published_at}


def indicator_out(indicator: Indicator) -> dict:
    """One indicator with its variables and criteria; reads only what ``indicator_config`` prefetched."""
    return {
        "id": indicator.pk, "framework_id": indicator.framework_id, "group_id": indicator.group_id,
        "parent_id": indicator.parent_id, "code": indicator.code, "name": indicator.name, "unit": indicator.unit,
        "target": text(indicator.target), "weight": text(indicator.weight), "owner": office_out(indicator.owner),
        "method": indicator.method, "frequency": indicator.frequency, "formula": indicator.formula,
        "applies_to_primary": indicator.applies_to_primary, "applies_to_secondary": indicator.applies_to_secondary,
        "round_ids": sorted(r.pk for r in indicator.rounds.all()),
        "variables": [
            {"id": v.pk, "code": v.code, "name": v.name, "unit": v.unit, "kind": v.kind, "source": v.source,
             "minimum": text(v.minimum), "maximum": text(v.maximum), "round_ids": sorted(r.pk for r in v.rounds.all())}
            for v in indicator.variables.all()
        ],
        "thresholds": [{"level": t.level, "value": text(t.value)} for t in indicator.thresholds.all()],
        "steps": [{"number": s.number, "description": s.description, "sub_items": s.sub_items}
                  for s in indicator.steps.all()],
        "levels": [{"code": level.code, "name": level.name, "score": score(level.score)}
                   for level in indicator.levels.all()],
    }


def indicators_out(queryset) -> list[dict]:
    return [indicator_out(i) for i in indicator_config(queryset)]


def entry_out(entry: Entry) -> dict:
    """One entry of ``entries_for_api``."""
    return {
        "id": entry.pk, "office": office_out(entry.office), "indicator_id": entry.indicator_id,
        "indicator_code": entry.indicator.code, "round_id": entry.round_id, "status": entry.status,
        "result": text(entry.result), "self_score": score(entry.self_score), "official_score": score(entry.official_score),
        "counted_score": score(read_score(entry.counted)), "late_days": entry.late_days,
        "late_penalty": score(entry.late_penalty), "score_note": entry.score_note,
        "level": entry.level.code if entry.level else None, "passed": entry.passed, "version": entry.version,
        "reported_at": entry.reported_at, "first_reported_at": entry.first_reported_at,
        "fix_deadline": entry.fix_deadline, "system_scored_at": entry.system_scored_at, "updated_at": entry.updated_at,
        "values": [{"code": v.variable.code, "source": v.variable.source, "value": text(v.value)} for v in entry.values.all()],
        "steps": [{"number": s.step.number, "done": s.done} for s in entry.step_values.all()],
    }

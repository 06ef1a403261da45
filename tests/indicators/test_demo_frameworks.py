"""The demo frameworks of `indicators.demo`: seed 000's agreement, seed 002's FY 2552 framework, seed 004's PMQA."""

from __future__ import annotations

import ast
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import models

import indicators.demo
import krs.demo
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
from indicators.selectors import framework_tree, weight_problems
from krs.models import Office

pytestmark = pytest.mark.django_db

BANGKOK = ZoneInfo("Asia/Bangkok")
HUNDRED = Decimal(100)


@pytest.fixture
def summary() -> dict[str, int]:
    krs.demo.seed()
    return indicators.demo.seed()


def framework(code: str) -> Framework:
    return Framework.objects.get(code=code)


def formula_names(formula: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(formula, mode="eval")) if isinstance(node, ast.Name)}


def bkk(*args) -> datetime:
    return datetime(*args, tzinfo=BANGKOK)


def test_the_three_frameworks_load_on_their_fiscal_years(summary):
    assert summary["frameworks"] == 3
    loaded = {(fw.code, fw.fiscal_year.year, fw.kind) for fw in Framework.objects.select_related("fiscal_year")}
    assert loaded == {
        ("AGR-2569", 2569, Framework.Kind.AGREEMENT),
        ("OPDC-2552", 2552, Framework.Kind.AGREEMENT),
        ("PMQA-2565", 2565, Framework.Kind.PMQA),
    }
    assert framework("AGR-2569").name == "คำรับรองการปฏิบัติราชการ สพท. 2569"
    assert summary["indicators"] == Indicator.objects.count()


def test_each_year_has_rounds_of_6_9_12_months_with_seed_002_deadlines(summary):
    fy = FiscalYear.objects.get(year=2569)
    rounds = {r.months: r for r in fy.rounds.all()}
    assert sorted(rounds) == [6, 9, 12]
    assert [rounds[m].period_end.isoformat() for m in (6, 9, 12)] == ["2026-03-31", "2026-06-30", "2026-09-30"]
    assert rounds[6].opens_at == bkk(2026, 3, 31, 8, 30)
    assert [rounds[m].deadline for m in (6, 9, 12)] == [
        bkk(2026, 4, 30, 16, 30), bkk(2026, 7, 16, 16, 30), bkk(2026, 10, 31, 16, 30)]
    assert [rounds[m].late_penalty_per_day for m in (6, 9, 12)] == [0, 0, Decimal("0.05")]
    for r in Round.objects.all():
        r.full_clean()
        assert r.opens_at < r.deadline <= r.certification_deadline
    assert FiscalYear.objects.get(year=2552).rounds.get(months=12).deadline == bkk(2009, 10, 31, 16, 30)
    # The 12-month round takes late reports for 20 days, with seed 002's penalty on the whole report; its
    # Saturday 31 Oct deadline counts on Monday 2 Nov 2026, the same time (a user can see both rules work).
    assert [rounds[m].late_until for m in (6, 9, 12)] == [None, None, bkk(2026, 11, 20, 16, 30)]
    assert {r.penalty_scope for r in rounds.values()} == {Round.PenaltyScope.REPORT}
    assert rounds[12].due_at == bkk(2026, 11, 2, 16, 30)
    assert FiscalYear.objects.get(year=2552).rounds.get(months=12).due_at == bkk(2009, 11, 2, 16, 30)
    assert FiscalYear.objects.get(year=2565).rounds.count() == 3


def test_fy_2552_has_four_dimensions_and_fourteen_indicators(summary):
    fw = framework("OPDC-2552")
    groups = list(fw.groups.order_by("order"))
    assert [g.weight for g in groups] == [45, 15, 20, 20]
    assert {g.level_name for g in groups} == {"มิติ"}
    top = fw.indicators.filter(parent__isnull=True)
    assert sorted(int(i.code) for i in top) == list(range(1, 15))
    assert all(i.group_id for i in top)
    one = fw.indicators.get(code="1")
    assert one.method == Indicator.Method.WEIGHTED and one.weight == 20
    assert [(c.code, c.weight) for c in one.children.order_by("code")] == [("1.1", 13), ("1.2", 5), ("1.3", 2)]
    three = fw.indicators.get(code="3")
    assert [(c.code, c.weight) for c in three.children.order_by("code")] == [("3.1", 10), ("3.2", 5)]
    assert fw.indicators.filter(parent__isnull=False, group__isnull=False).count() == 0
    assert fw.indicators.get(code="14").name == "ระดับความสำเร็จของการพัฒนาคุณภาพการบริหารจัดการภาครัฐ (PMQA)"
    assert fw.indicators.get(code="4").method == Indicator.Method.QUANTITATIVE
    assert fw.indicators.get(code="9").method == Indicator.Method.MILESTONE


def test_pmqa_has_seven_categories_weighted_as_seed_004(summary):
    fw = framework("PMQA-2565")
    groups = list(fw.groups.order_by("order"))
    assert [g.code for g in groups] == ["1", "2", "3", "4", "5", "6", "7"]
    assert [g.weight for g in groups] == [12, 8, 11, 10, 9, 10, 40]
    assert sum(g.weight for g in groups) == HUNDRED
    assert {g.level_name for g in groups} == {"หมวด"}


def test_pmqa_items_are_rubrics_of_basic_advance_significance(summary):
    fw = framework("PMQA-2565")
    items = fw.indicators.filter(group__code__in=["1", "2", "3", "5"])
    assert items.count() == 16
    for item in items:
        assert item.method == Indicator.Method.RUBRIC
        levels = [(lv.code, lv.name, lv.score) for lv in item.levels.order_by("score")]
        # "or none yet" (seed 004): below Basic is a level of its own, at the bottom of the scale.
        assert levels == [("none", "ยังไม่ถึงระดับ Basic", 1), ("basic", "Basic", 3), ("advance", "Advance", 4),
                          ("significance", "Significance", 5)]
        assert all(lv.criteria for lv in item.levels.all())
    basic_1_1 = fw.indicators.get(code="1.1").levels.get(code="basic").criteria
    assert basic_1_1.startswith("ผอ.สพท. สร้างความยั่งยืนให้องค์กร")
    ita = fw.indicators.get(code="1.2")
    assert ita.owner.code != "B-PLN" and ita.owner.kind == Office.Kind.BUREAU
    assert not ita.variables.exists()
    assert "ITA" in ita.description
    assert ita.frequency == Indicator.Frequency.NONE and ita.response == ""  # the district does not answer it
    answered = items.exclude(code="1.2")
    assert set(answered.values_list("response", flat=True)) == {Indicator.Response.PMQA_ITEM}
    assert [code for code, _label in answered.first().evidence_slots] == ["form", "approval", "report", "photos"]


def test_pmqa_category_4_is_derived_70_30_from_kpis_4_1_2_and_8(summary):
    fw = framework("PMQA-2565")
    derived = fw.indicators.get(group__code="4")
    assert derived.method == Indicator.Method.DERIVED
    components = {c.source.code: c.weight for c in derived.components.select_related("source")}
    assert components == {"4.1.2": 70, "8": 30}
    assert [(lv.name, lv.score) for lv in derived.levels.order_by("score")] == [
        ("ต่ำกว่าระดับ Basic", 1), ("Basic", 3), ("Advance", 4), ("Significance", 5)]
    for source in Indicator.objects.filter(feeds__indicator=derived):
        assert source.method == Indicator.Method.QUANTITATIVE
        assert source.framework.fiscal_year.year == 2565
        assert source.weight == 0 and source.group_id is None


def test_pmqa_category_6_maps_groups_c_b_a_and_category_7_has_six_dimensions(summary):
    fw = framework("PMQA-2565")
    six = fw.indicators.get(group__code="6")
    assert six.method == Indicator.Method.RUBRIC
    assert [(lv.code, lv.score) for lv in six.levels.order_by("score")] == [("C", 3), ("B", 4), ("A", 5)]
    assert six.owner.code == "B-MON"
    seven = fw.indicators.filter(group__code="7").order_by("code")
    assert [i.code for i in seven] == ["7.1", "7.2", "7.3", "7.4", "7.5", "7.6"]
    assert seven[0].name == "การบรรลุผลลัพธ์ของตัวชี้วัดตามพันธกิจ"
    assert {i.method for i in seven} == {Indicator.Method.QUANTITATIVE}
    assert {i.response for i in seven} == {Indicator.Response.PMQA_RESULT}
    assert [sorted(v.code for v in i.variables.all()) for i in seven] == [["A", "B", "C"]] * 6


def test_every_quantitative_indicator_has_five_monotonic_thresholds_and_a_formula_over_its_variables(summary):
    quantitative = Indicator.objects.filter(method=Indicator.Method.QUANTITATIVE).prefetch_related("thresholds", "variables")
    assert quantitative.count() >= 20
    for indicator in quantitative:
        thresholds = sorted(indicator.thresholds.all(), key=lambda t: t.level)
        assert [t.level for t in thresholds] == [1, 2, 3, 4, 5], indicator.code
        values = [t.value for t in thresholds]
        steps = [b - a for a, b in zip(values, values[1:], strict=False)]
        assert all(s > 0 for s in steps) or all(s < 0 for s in steps), indicator.code
        assert indicator.formula, indicator.code
        codes = {v.code for v in indicator.variables.all()}
        assert formula_names(indicator.formula) and formula_names(indicator.formula) <= codes, indicator.code


def test_every_formula_names_only_existing_variables(summary):
    for indicator in Indicator.objects.exclude(formula="").prefetch_related("variables"):
        assert formula_names(indicator.formula) <= {v.code for v in indicator.variables.all()}, indicator.code


def test_milestones_have_five_steps_and_every_indicator_a_bureau_owner(summary):
    for indicator in Indicator.objects.filter(method=Indicator.Method.MILESTONE):
        assert sorted(indicator.steps.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
        assert all(step.description for step in indicator.steps.all())
    assert not Indicator.objects.filter(owner__isnull=True).exists()
    assert set(Indicator.objects.values_list("owner__kind", flat=True)) == {Office.Kind.BUREAU}


def test_weights_add_up_in_every_framework(summary):
    for fw in Framework.objects.all():
        assert weight_problems(framework_tree(fw)) == [], fw.code
        top = fw.groups.filter(parent__isnull=True)
        assert sum(g.weight for g in top) == HUNDRED
        for group in fw.groups.all():
            total = sum(i.weight for i in group.indicators.all()) + sum(g.weight for g in group.subgroups.all())
            assert total in (HUNDRED, group.weight), (fw.code, group.code)
        for parent in Indicator.objects.filter(framework=fw, children__isnull=False).distinct():
            assert sum(c.weight for c in parent.children.all()) in (HUNDRED, parent.weight), (fw.code, parent.code)


def test_seed_000_indicators_carry_the_manuals_variables(summary):
    fw = framework("AGR-2569")
    assert set(fw.indicators.values_list("code", flat=True)) == {"11.2", "11.3", "11.4", "11.5", "12"}
    i112 = fw.indicators.get(code="11.2")
    assert i112.name == "โครงการพัฒนาระบบรายงานข้อมูลการเงินด้านการศึกษารวมของสถานศึกษา (ระบบบัญชีการศึกษาระดับพื้นฐาน)"
    assert (i112.formula, i112.unit, i112.owner.code) == ("A / B * 100", "ร้อยละ", "B-FIN")
    assert [(v.code, v.name, v.unit, v.source) for v in i112.variables.order_by("code")] == [
        ("A", "จำนวนสถานศึกษาที่รายงานข้อมูลทางการเงินด้านการศึกษามีความถูกต้อง ครบถ้วน สมบูรณ์", "โรง", "central"),
        ("B", "จำนวนสถานศึกษาในสังกัดสำนักงานเขตพื้นที่การศึกษา", "โรง", "central"),
    ]
    i113 = fw.indicators.get(code="11.3")
    assert i113.name == "ระดับความสำเร็จของการตรวจสอบด้านการเงินการบัญชีของสำนักงานเขตพื้นที่การศึกษา"
    (v113,) = i113.variables.all()
    assert (v113.unit, v113.kind, v113.source) == ("ส่งแล้วกรอก 1 / ไม่ส่งกรอก 0", Variable.Kind.YES_NO, "district")
    i114 = fw.indicators.get(code="11.4")
    assert i114.name == "ระดับความสำเร็จการดำเนินงานโรงเรียนวิถีพุทธ"
    assert [v.name for v in i114.variables.order_by("code")] == [
        "โรงเรียนวิถีพุทธที่ได้ระดับคะแนนรายโรงเรียนตั้งแต่ 3 ขึ้นไป", "โรงเรียนวิถีพุทธทั้งหมดตามเป้าหมาย"]
    assert {v.source for v in i114.variables.all()} == {"central"}
    i115 = fw.indicators.get(code="11.5")
    assert i115.name == "ระดับความสำเร็จของการจัดทำบัญชีต้นทุนต่อหน่วยผลผลิต"
    assert {(v.unit, v.kind, v.source) for v in i115.variables.all()} == {
        ("ดำเนินการกรอก 1 / ไม่ดำเนินการกรอก 0", Variable.Kind.YES_NO, "district")}
    assert i115.variables.count() == 2
    assert fw.indicators.get(code="12").name == "ความพึงพอใจของผู้ได้บังคับบัญชาที่มีต่อผู้บังคับบัญชา"
    assert fw.indicators.get(code="12").unit == "ร้อยละ"


def test_11_5_is_reported_only_in_the_12_month_round(summary):
    fy = FiscalYear.objects.get(year=2569)
    twelve = fy.rounds.get(months=12)
    i115 = Indicator.objects.get(framework__code="AGR-2569", code="11.5")
    for variable in i115.variables.all():
        assert list(variable.rounds.all()) == [twelve]
    assert not i115.is_active_in(fy.rounds.get(months=6))
    assert i115.is_active_in(twelve)
    others = Variable.objects.filter(indicator__framework__code="AGR-2569").exclude(indicator=i115)
    assert not others.filter(rounds__isnull=False).exists()


def _snapshot() -> dict[str, object]:
    """Row counts of every indicators model (history included) and every field of the configuration rows."""
    snap: dict[str, object] = {}
    for model in apps.get_app_config("indicators").get_models():
        snap[f"count:{model._meta.label}"] = model.objects.count()
    for model in (FiscalYear, Round, Framework, Group, Indicator, Variable, Threshold, MilestoneStep, RubricLevel,
                  DerivedComponent):
        snap[model._meta.label] = list(model.objects.order_by("pk").values())
        for field in model._meta.many_to_many:
            through: type[models.Model] = getattr(model, field.name).through
            snap[f"m2m:{through._meta.label}"] = list(through.objects.order_by("pk").values())
    return snap


def test_seeding_twice_creates_and_changes_nothing(summary):
    assert all(summary.values())
    before = _snapshot()
    again = indicators.demo.seed()
    assert set(again.values()) == {0}
    assert _snapshot() == before


def test_seeding_restores_an_edited_demo_value(summary):
    indicator = Indicator.objects.get(framework__code="OPDC-2552", code="1.1")
    Indicator.objects.filter(pk=indicator.pk).update(weight=Decimal("7"))
    Threshold.objects.filter(indicator=indicator, level=5).update(value=Decimal("1"))
    indicators.demo.seed()
    indicator.refresh_from_db()
    assert indicator.weight == 13
    assert indicator.thresholds.get(level=5).value == 100


def test_the_frameworks_are_ready_to_publish():
    """When the scoring and formula modules are present, the publishing checks find nothing to fix."""
    pytest.importorskip("indicators.formula")
    pytest.importorskip("indicators.scoring")
    from indicators.services import framework_problems

    krs.demo.seed()
    indicators.demo.seed()
    for fw in Framework.objects.all():
        assert framework_problems(framework=fw) == [], fw.code

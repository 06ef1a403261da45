"""The framework workbook: export, preview with every error placed, all-or-nothing import, and its pages."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import (
    DerivedComponent,
    FiscalYear,
    Framework,
    Group,
    Indicator,
    MilestoneStep,
    Round,
    RubricLevel,
    ValidationRule,
    Variable,
)
from indicators.workbook import (
    SHEETS,
    WorkbookRejected,
    framework_export_xlsx,
    framework_import_apply,
    framework_import_preview,
)
from krs.models import Office
from tests.indicators.factories import at, fiscal_year_2569, quantitative

pytestmark = pytest.mark.django_db


def fiscal_year_2570() -> FiscalYear:
    year = FiscalYear.objects.create(year=2570)
    for months, end, deadline, cert in [
        (6, (2027, 3, 31), (2027, 4, 30), (2027, 5, 28)),
        (9, (2027, 6, 30), (2027, 7, 16), (2027, 7, 30)),
        (12, (2027, 9, 30), (2027, 10, 29), (2027, 11, 30)),
    ]:
        Round.objects.create(fiscal_year=year, months=months, period_end=datetime(*end).date(), opens_at=at(*end, 8, 30),
                             deadline=at(*deadline), certification_deadline=at(*cert))
    return year


def build_framework(year: FiscalYear, owner: Office) -> Framework:
    """Groups two deep, a quantitative KPI limited to the 12-month round, a sub-indicator, a milestone,
    a 3-level rubric and a derived indicator with 2 components."""
    round_12 = year.rounds.get(months=12)
    fw = Framework.objects.create(fiscal_year=year, code="AGR", name="คำรับรองการปฏิบัติราชการ", kind="agreement",
                                  description="กรอบทดสอบ")
    g1 = Group.objects.create(framework=fw, code="1", name="ประสิทธิผล", level_name="มิติ", weight=Decimal("60"), order=1)
    g2 = Group.objects.create(framework=fw, code="2", name="คุณภาพ", level_name="มิติ", weight=Decimal("40"), order=2)
    g21 = Group.objects.create(framework=fw, code="2.1", name="หมวดย่อย", level_name="หมวด", weight=Decimal("40"),
                               parent=g2, order=1)
    k11 = quantitative(fw, "1.1", "30", group=g1, thresholds=("80.5", "85", "90", "95", "100"), owner=owner)
    Indicator.objects.filter(pk=k11.pk).update(
        target=Decimal("95.25"), frequency=Indicator.Frequency.YEARLY, applies_to_secondary=False, order=1,
        definition="คำจำกัดความ", formula_text="A หาร B คูณ 100", criteria_text="5 ระดับ", conditions="ไม่มี",
        baseline="ปี 2568 ร้อยละ 80", data_source="ระบบ DMC", supervisor_name="นาย ก", supervisor_phone="021234567",
        collector_name="นาง ข", collector_phone="0812345678", description="คำอธิบาย",
    )
    k11.rounds.set([round_12])
    k11.variables.get(code="A").rounds.set([round_12])
    Variable.objects.filter(indicator=k11, code="B").update(minimum=Decimal("0"), maximum=Decimal("1000.125"),
                                                             kind=Variable.Kind.INTEGER, source=Variable.Source.CENTRAL,
                                                             change_factor=Decimal("2"), peer_factor=Decimal("3.5"))
    ValidationRule.objects.create(indicator=k11, left="A", operator="<=", right="B", severity="error",
                                  message="A ต้องไม่มากกว่า B", message_en="A cannot exceed B", order=1)
    ValidationRule.objects.create(indicator=k11, left="result", operator="<=", right="100", severity="warning", order=2)
    k12 = Indicator.objects.create(framework=fw, group=g1, code="1.2", name="ตัวชี้วัดถัวเฉลี่ย", weight=Decimal("30"),
                                   method=Indicator.Method.WEIGHTED, order=2)
    quantitative(fw, "1.2.1", "100", parent=k12, thresholds=("10", "8", "6", "4", "2"), formula="A * 100 / B")
    milestone = Indicator.objects.create(framework=fw, group=g21, code="2.1.1", name="ขั้นตอน", weight=Decimal("20"),
                                         method=Indicator.Method.MILESTONE, pass_score=Decimal("4.5"))
    MilestoneStep.objects.bulk_create([
        MilestoneStep(indicator=milestone, number=n, description=f"ขั้นที่ {n}", sub_items=3 if n == 2 else 1)
        for n in range(1, 6)
    ])
    rubric = Indicator.objects.create(framework=fw, group=g21, code="2.1.2", name="เชิงคุณภาพ", weight=Decimal("20"),
                                      method=Indicator.Method.RUBRIC)
    RubricLevel.objects.bulk_create([
        RubricLevel(indicator=rubric, code="basic", name="Basic", score=Decimal("3"), criteria="พื้นฐาน"),
        RubricLevel(indicator=rubric, code="advance", name="Advance", score=Decimal("4"), criteria="ก้าวหน้า"),
        RubricLevel(indicator=rubric, code="significance", name="Significance", score=Decimal("5")),
    ])
    derived = Indicator.objects.create(framework=fw, code="3", name="คำนวณจากตัวอื่น", weight=Decimal("0"),
                                       method=Indicator.Method.DERIVED, frequency=Indicator.Frequency.NONE)
    DerivedComponent.objects.bulk_create([
        DerivedComponent(indicator=derived, source=k11, weight=Decimal("70")),
        DerivedComponent(indicator=derived, source=rubric, weight=Decimal("30")),
    ])
    return fw


def canonical(fw: Framework) -> dict:
    """Everything the workbook carries, by code rather than id, with rounds as months."""
    def months(rounds):
        return sorted(r.months for r in rounds.all())

    indicator_fields = [
        "name", "description", "unit", "target", "weight", "method", "formula", "frequency", "applies_to_primary",
        "applies_to_secondary", "pass_score", "fail_score", "order", "definition", "formula_text", "criteria_text",
        "conditions", "baseline", "data_source", "supervisor_name", "supervisor_phone", "collector_name", "collector_phone",
    ]
    return {
        "framework": (fw.code, fw.name, fw.kind, fw.description),
        "groups": sorted((g.code, g.parent.code if g.parent else "", g.level_name, g.name, g.weight, g.order)
                         for g in fw.groups.all()),
        "indicators": {
            i.code: {
                **{name: getattr(i, name) for name in indicator_fields},
                "parent": i.parent.code if i.parent else "", "group": i.group.code if i.group else "",
                "owner": i.owner.code if i.owner else "", "rounds": months(i.rounds),
                "variables": sorted((v.code, v.name, v.unit, v.kind, v.source, v.minimum, v.maximum, v.order,
                                     tuple(months(v.rounds)), v.change_factor, v.peer_factor) for v in i.variables.all()),
                "rules": sorted((r.left, r.operator, r.right, r.severity, r.message, r.message_en, r.order)
                                for r in i.rules.all()),
                "thresholds": sorted((t.level, t.value) for t in i.thresholds.all()),
                "steps": sorted((s.number, s.description, s.sub_items) for s in i.steps.all()),
                "levels": sorted((lv.code, lv.name, lv.score, lv.criteria) for lv in i.levels.all()),
                "components": sorted((c.source.code, c.weight) for c in i.components.all()),
            }
            for i in fw.indicators.all()
        },
    }


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An XLSX with every sheet of the format; ``sheets`` gives the data rows of some."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, columns in SHEETS.items():
        sheet = book.create_sheet(name)
        sheet.append(list(columns))
        for row in sheets.get(name, []):
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def indicator_row(code: str, **values) -> list:
    row = dict.fromkeys(SHEETS["indicators"])
    row.update(code=code, name=f"ตัวชี้วัด {code}", weight=100, method="quantitative", formula="A / B * 100")
    row.update(values)
    return [row[column] for column in SHEETS["indicators"]]


def valid_sheets(code: str = "NEW") -> dict[str, list[list]]:
    return {
        "framework": [[2569, code, "กรอบใหม่", "pmqa", ""]],
        "groups": [["1", None, "หมวด", "การนำองค์การ", 100, 1]],
        "indicators": [indicator_row("1.1", group_code="1", rounds="6,12")],
        "variables": [["1.1", "A", "ตัวตั้ง", "โรง", "number", "district", 0, None, "12", 1],
                      ["1.1", "B", "ตัวหาร", "โรง", "number", "district", None, None, None, 2]],
        "thresholds": [["1.1", 60, 70, 80, 90, 100]],
    }


# --------------------------------------------------------------------------------------------------
# Round trip, preview, apply
# --------------------------------------------------------------------------------------------------


def test_export_then_import_into_another_year_gives_the_same_framework(bureau):
    original = build_framework(fiscal_year_2569(), bureau)
    content = framework_export_xlsx(framework=original)
    target = fiscal_year_2570()

    plan = framework_import_preview(content=content, fiscal_year=target)
    assert plan.errors == []
    assert plan.summary == {"framework": 1, "groups": 3, "indicators": 6, "variables": 4, "thresholds": 2, "steps": 5,
                            "levels": 3, "components": 2, "rules": 2}

    copy = framework_import_apply(content=content, fiscal_year=target)
    assert copy.fiscal_year == target and copy.status == Framework.Status.DRAFT
    assert canonical(copy) == canonical(original)
    # Rounds are the new year's rounds, matched by months.
    limited = copy.indicators.get(code="1.1")
    assert [r.fiscal_year_id for r in limited.rounds.all()] == [target.pk]
    assert [r.fiscal_year_id for r in limited.variables.get(code="A").rounds.all()] == [target.pk]


def test_the_export_writes_numbers_as_numbers_with_a_bold_frozen_header(bureau):
    fw = build_framework(fiscal_year_2569(), bureau)
    book = openpyxl.load_workbook(io.BytesIO(framework_export_xlsx(framework=fw)))
    assert book.sheetnames == list(SHEETS)
    indicators = book["indicators"]
    assert [c.value for c in indicators[1]] == list(SHEETS["indicators"])
    assert indicators["A1"].font.bold and indicators.freeze_panes == "A2"
    row = {c: indicators.cell(row=2, column=i + 1).value for i, c in enumerate(SHEETS["indicators"])}
    assert row["code"] == "1.1" and row["weight"] == 30 and row["target"] == 95.25 and row["rounds"] == "12"
    assert book["thresholds"]["B2"].value == 80.5


def test_every_error_is_reported_by_sheet_row_and_column_and_nothing_is_saved(bureau, district):
    year = fiscal_year_2569()
    Framework.objects.create(fiscal_year=year, code="DUP", name="มีอยู่แล้ว")
    sheets = {
        "framework": [[2569, "DUP", "กรอบซ้ำ", "agreement", ""]],
        "groups": [["1", "9", "มิติ", "มิติที่ 1", "ห้าสิบ", 1]],
        "indicators": [
            indicator_row("1.1", group_code="X9", owner_code="ZZZ", rounds="6,7", formula="A / C"),  # row 2
            indicator_row("1.2", method="bogus", weight="abc", owner_code=district.code),  # row 3
            indicator_row("1.1", frequency="daily"),  # row 4: duplicate code
            indicator_row("1.3", parent_code="NOPE", applies_to_primary=False, applies_to_secondary="no"),  # row 5
        ],
        "variables": [
            ["1.1", "A", "ตัวตั้ง", None, "number", "district", 10, 5, None, 1],  # row 2: min above max
            ["NOPE", "A", "ตัวตั้ง", None, "number", "district", None, None, None, 1],  # row 3
            ["1.1", "1A", "ผิดรูป", None, "text", "nobody", None, None, "13", 2],  # row 4
        ],
        "thresholds": [["1.1", 80, 90, 85, 95, 100], ["1.3", 1, 2, 3, 4, None]],
        "steps": [["1.2", 6, "", "x"]],
        "levels": [["1.2", "basic", "Basic", 7, ""]],
        "components": [["1.2", "9.9", 50], ["1.2", "1.2", 50]],
    }
    before = Framework.objects.count(), Indicator.objects.count()

    plan = framework_import_preview(content=workbook(sheets), fiscal_year=year)
    found = {(e.sheet, e.row, e.column) for e in plan.errors}
    expected = {
        ("framework", 2, "code"),
        ("groups", 2, "parent_code"), ("groups", 2, "weight"),
        ("indicators", 2, "group_code"), ("indicators", 2, "owner_code"), ("indicators", 2, "rounds"),
        ("indicators", 2, "formula"),
        ("indicators", 3, "method"), ("indicators", 3, "weight"), ("indicators", 3, "owner_code"),
        ("indicators", 4, "code"), ("indicators", 4, "frequency"),
        ("indicators", 5, "parent_code"), ("indicators", 5, "applies_to_secondary"),
        ("variables", 2, "maximum"), ("variables", 3, "indicator_code"),
        ("variables", 4, "code"), ("variables", 4, "kind"), ("variables", 4, "source"), ("variables", 4, "rounds"),
        ("thresholds", 2, "level_1"), ("thresholds", 3, "level_5"),
        ("steps", 2, "number"), ("steps", 2, "description"), ("steps", 2, "sub_items"),
        ("levels", 2, "score"),
        ("components", 2, "source_code"), ("components", 3, "source_code"),
    }
    assert expected <= found, expected - found
    messages = {(e.sheet, e.row, e.column): e.message for e in plan.errors}
    assert "อยู่แล้ว" in messages[("framework", 2, "code")] and "สร้างกรอบการประเมินใหม่" in messages[("framework", 2, "code")]
    assert "ไม่มีรอบ 7 เดือน" in messages[("indicators", 2, "rounds")]
    assert "ไม่ใช่สำนักส่วนกลาง" in messages[("indicators", 3, "owner_code")]
    assert not plan.is_valid

    with pytest.raises(WorkbookRejected) as rejected:
        framework_import_apply(content=workbook(sheets), fiscal_year=year)
    assert rejected.value.errors
    assert (Framework.objects.count(), Indicator.objects.count()) == before


def test_a_valid_workbook_creates_a_draft_framework(bureau):
    year = fiscal_year_2569()
    fw = framework_import_apply(content=workbook(valid_sheets()), fiscal_year=year)
    assert (fw.code, fw.kind, fw.status) == ("NEW", "pmqa", Framework.Status.DRAFT)
    indicator = fw.indicators.get()
    assert indicator.group.code == "1" and sorted(r.months for r in indicator.rounds.all()) == [6, 12]
    assert [t.value for t in indicator.thresholds.order_by("level")] == [60, 70, 80, 90, 100]
    assert [r.months for r in indicator.variables.get(code="A").rounds.all()] == [12]
    assert not indicator.variables.get(code="B").rounds.exists()


def test_a_file_that_is_not_a_workbook_is_one_error():
    plan = framework_import_preview(content=b"code,name\n1,x\n", fiscal_year=fiscal_year_2569())
    assert len(plan.errors) == 1 and "Excel" in plan.errors[0].message


def test_a_missing_sheet_and_column_are_reported():
    book = openpyxl.Workbook()
    book.active.title = "framework"
    book.active.append(["code"])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = framework_import_preview(content=buffer.getvalue(), fiscal_year=fiscal_year_2569())
    found = {(e.sheet, e.row, e.column) for e in plan.errors}
    assert ("framework", 1, "name") in found and ("indicators", None, None) in found


def test_export_takes_a_bounded_number_of_queries(bureau, django_assert_max_num_queries):
    year = fiscal_year_2569()
    fw = Framework.objects.create(fiscal_year=year, code="BIG", name="ใหญ่")
    group = Group.objects.create(framework=fw, code="1", name="มิติ", weight=Decimal(100))
    for n in range(30):
        indicator = quantitative(fw, f"1.{n}", "1", group=group, owner=bureau)
        indicator.rounds.set(year.rounds.filter(months=12))
    fw = Framework.objects.select_related("fiscal_year").get(pk=fw.pk)
    # groups; indicators (+owner, group, parent); their rounds, variables, variables' rounds, thresholds,
    # steps, levels, rules, components (+source)
    with django_assert_max_num_queries(10):
        content = framework_export_xlsx(framework=fw)
    assert openpyxl.load_workbook(io.BytesIO(content))["indicators"].max_row == 31


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------


def test_an_administrator_downloads_the_workbook(client, admin_user, bureau):
    fw = build_framework(fiscal_year_2569(), bureau)
    client.force_login(admin_user)
    response = client.get(reverse("indicators:framework_export", args=[fw.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert 'filename="framework-AGR-2569.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book["framework"]["B2"].value == "AGR"


def test_a_thai_code_gets_an_rfc_5987_filename(client, admin_user):
    fw = Framework.objects.create(fiscal_year=fiscal_year_2569(), code="คำรับรอง", name="ก")
    client.force_login(admin_user)
    response = client.get(reverse("indicators:framework_export", args=[fw.pk]))
    assert "filename*=utf-8''framework-%E0%B8%84" in response["Content-Disposition"]


def test_an_administrator_previews_and_confirms_an_import(client, admin_user, bureau):
    year = fiscal_year_2569()
    client.force_login(admin_user)
    url = reverse("indicators:framework_import")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("kpi.xlsx", workbook(valid_sheets()))
    response = client.post(url, {"fiscal_year": year.pk, "file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="workbook-summary"' in body and 'data-testid="workbook-confirm"' in body
    assert not Framework.objects.filter(code="NEW").exists()
    digest = response.context["confirm_form"].initial["digest"]

    response = client.post(reverse("indicators:framework_import_confirm"), {"digest": digest})
    fw = Framework.objects.get(fiscal_year=year, code="NEW")
    assert fw.status == Framework.Status.DRAFT and fw.indicators.count() == 1
    assert response.status_code == 302 and response.url == reverse("indicators:framework_tree", args=[fw.pk])
    assert any("เรียบร้อย" in str(m) for m in get_messages(response.wsgi_request))
    # The stashed file is gone: confirming twice does not import twice.
    client.post(reverse("indicators:framework_import_confirm"), {"digest": digest})
    assert Framework.objects.filter(code="NEW").count() == 1


def test_the_preview_page_lists_errors_and_offers_no_confirm(client, admin_user):
    year = fiscal_year_2569()
    sheets = valid_sheets()
    sheets["indicators"] = [indicator_row("1.1", group_code="X9")]
    client.force_login(admin_user)
    response = client.post(reverse("indicators:framework_import"),
                           {"fiscal_year": year.pk, "file": SimpleUploadedFile("kpi.xlsx", workbook(sheets))})
    body = response.content.decode()
    assert 'data-testid="workbook-errors"' in body and "group_code" in body and "X9" in body
    assert 'data-testid="workbook-confirm"' not in body


def test_confirm_without_a_previewed_file_applies_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("indicators:framework_import_confirm"), {"digest": "0" * 64})
    assert response.status_code == 302 and response.url == reverse("indicators:framework_import")
    assert not Framework.objects.exists()


@pytest.mark.parametrize("persona", ["district_user", "certifier", "executive"])
def test_everyone_but_administrators_gets_a_404(client, request, persona):
    fw = Framework.objects.create(fiscal_year=fiscal_year_2569(), code="AGR", name="ก")
    client.force_login(request.getfixturevalue(persona))
    export = reverse("indicators:framework_export", args=[fw.pk])
    upload = reverse("indicators:framework_import")
    confirm = reverse("indicators:framework_import_confirm")
    assert client.get(export).status_code == 404
    assert client.post(export).status_code == 404
    assert client.get(upload).status_code == 404
    assert client.post(upload, {"fiscal_year": fw.fiscal_year_id}).status_code == 404
    assert client.get(confirm).status_code == 404
    assert client.post(confirm, {"digest": "0" * 64}).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    fw = Framework.objects.create(fiscal_year=fiscal_year_2569(), code="AGR", name="ก")
    for url in (reverse("indicators:framework_export", args=[fw.pk]), reverse("indicators:framework_import"),
                reverse("indicators:framework_import_confirm")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.post(reverse("indicators:framework_import_confirm")).status_code == 302


def test_the_pmqa_framework_keeps_what_districts_write_through_export_and_import():
    from indicators.demo import seed_frameworks
    from krs.demo import seed_offices_and_users

    seed_offices_and_users()
    seed_frameworks()
    pmqa = Framework.objects.get(fiscal_year__year=2565, code="PMQA-2565")
    copy = framework_import_apply(content=framework_export_xlsx(framework=pmqa), fiscal_year=fiscal_year_2570())
    responses = dict(copy.indicators.values_list("code", "response"))
    assert responses["1.1"] == Indicator.Response.PMQA_ITEM and responses["7.3"] == Indicator.Response.PMQA_RESULT
    assert responses["1.2"] == responses["4"] == responses["6"] == ""
    assert canonical(copy) == canonical(pmqa)

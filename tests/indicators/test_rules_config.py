"""Validation rules as administrators configure them: the admin, the framework workbook, the copy to a new year."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.models import FiscalYear, Indicator, ValidationRule, Variable
from indicators.services import framework_copy_to_year
from indicators.workbook import framework_import_apply, framework_import_preview
from tests.indicators.factories import fiscal_year_2569, quantitative
from tests.indicators.test_admin import errors_of, indicator_post, post
from tests.indicators.test_workbook import valid_sheets, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    from tests.indicators.factories import framework, group

    fw = framework(fiscal_year_2569())
    return fw, group(fw, "1", "100")


def with_rule(data, left, operator, right, severity="error"):
    data = dict(data)
    data.update({"rules-TOTAL_FORMS": 1, "rules-0-left": left, "rules-0-operator": operator, "rules-0-right": right,
                 "rules-0-severity": severity, "rules-0-order": 0})
    return data


def test_the_admin_saves_a_rule_over_the_variables_typed_on_the_same_form(client, admin_user, setup):
    client.force_login(admin_user)
    response = post(client, with_rule(indicator_post(*setup), "A", "<=", "B"))
    assert response.status_code == 302, errors_of(response)[:2000]
    (rule,) = Indicator.objects.get(code="9").rules.all()
    assert (rule.left, rule.operator, rule.right, rule.severity) == ("A", "<=", "B", "error")


@pytest.mark.parametrize(("left", "right", "message"), [
    ("C", "B", "ไม่รู้จักตัวแปร “C” (มีตัวแปร: A, B, result)"),  # not a variable of the indicator
    ("A", "B +", "สูตรผิดรูปแบบ"),  # not an expression
])
def test_the_admin_refuses_a_rule_that_cannot_be_read(client, admin_user, setup, left, right, message):
    client.force_login(admin_user)
    response = post(client, with_rule(indicator_post(*setup), left, "<=", right))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Indicator.objects.filter(code="9").exists()


def rule_row(left, operator, right, severity="warning", message="ตรวจสอบ", code="1.1"):
    return [code, left, operator, right, severity, message, "", 1]


def test_the_workbook_imports_rules_and_warning_factors():
    year = fiscal_year_2569()
    sheets = valid_sheets()
    sheets["variables"][1] += [Decimal(2), Decimal("3.5")]
    sheets["rules"] = [rule_row("A", "≤", "B", "error"), rule_row("result", "<=", 100)]
    framework = framework_import_apply(content=workbook(sheets), fiscal_year=year)
    indicator = framework.indicators.get(code="1.1")
    assert sorted((r.left, r.operator, r.right, r.severity) for r in indicator.rules.all()) == [
        ("A", "<=", "B", "error"), ("result", "<=", "100", "warning")]
    b = indicator.variables.get(code="B")
    assert (b.change_factor, b.peer_factor) == (Decimal(2), Decimal("3.5"))


@pytest.mark.parametrize(("row", "column", "message"), [
    (rule_row("A", "≈", "B"), "operator", "เงื่อนไขต้องเป็น <=, <, >=, >, == หรือ !="),
    (rule_row("A", None, "B"), "operator", "กรุณากรอกเงื่อนไข"),  # "==" typed in Excel is a formula: arrives empty
    (rule_row("Z", "<=", "B"), "left", "ไม่รู้จักตัวแปร “Z”"),
    (rule_row("A", "<=", ""), "right", None),  # required
    (rule_row("A", "<=", "B", severity="soft"), "severity", "“soft” ใช้ไม่ได้"),
    (rule_row("A", "<=", "B", code="9.9"), "indicator_code", None),  # an indicator the file does not hold
])
def test_a_bad_rule_row_is_named_by_sheet_row_and_column(row, column, message):
    sheets = valid_sheets()
    sheets["rules"] = [row]
    plan = framework_import_preview(content=workbook(sheets), fiscal_year=fiscal_year_2569())
    found = [e for e in plan.errors if e.sheet == "rules"]
    assert [(e.row, e.column) for e in found] == [(2, column)]
    if message:
        assert message in found[0].message


def test_a_factor_below_one_is_refused_in_the_workbook():
    sheets = valid_sheets()
    sheets["variables"][0] += [Decimal("0.5"), None]
    plan = framework_import_preview(content=workbook(sheets), fiscal_year=fiscal_year_2569())
    assert [(e.sheet, e.row, e.column) for e in plan.errors] == [("variables", 2, "change_factor")]


def test_copying_a_framework_to_the_next_year_copies_its_rules_and_factors(bureau):
    from tests.indicators.factories import framework

    fw = framework(fiscal_year_2569())
    indicator = quantitative(fw, "1.1", "100")
    ValidationRule.objects.create(indicator=indicator, left="A", operator="<=", right="B", severity="warning",
                                  message="ตรวจสอบ", message_en="check")
    Variable.objects.filter(indicator=indicator, code="B").update(change_factor=Decimal(2))
    copy = framework_copy_to_year(framework=fw, fiscal_year=FiscalYear.objects.create(year=2570))
    copied = copy.indicators.get(code="1.1")
    assert [(r.left, r.operator, r.right, r.severity, r.message_en) for r in copied.rules.all()] == [
        ("A", "<=", "B", "warning", "check")]
    assert copied.variables.get(code="B").change_factor == Decimal(2)

"""The admin screens check what scoring depends on, with Thai messages, before anything is saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import FiscalYear, Framework, Indicator
from tests.indicators.factories import fiscal_year_2569, framework, group
from tests.indicators.test_configuration import TestTree

pytestmark = pytest.mark.django_db

INLINES = ["variables", "rules", "thresholds", "steps", "levels", "components"]


def indicator_post(fw, grp, *, formula="A / B * 100", thresholds=("80", "85", "90", "95", "100"), variables=("A", "B")):
    data = {
        "framework": fw.pk, "group": grp.pk, "code": "9", "name": "ร้อยละของโรงเรียนที่รายงานถูกต้อง",
        "order": 0, "method": "quantitative", "formula": formula, "unit": "ร้อยละ", "weight": "10",
        "pass_score": "5", "fail_score": "1", "frequency": "half_yearly",
        "applies_to_primary": "on", "applies_to_secondary": "on",
    }
    counts = {"variables": len(variables), "thresholds": len(thresholds)}
    for prefix in INLINES:
        data[f"{prefix}-TOTAL_FORMS"] = counts.get(prefix, 0)
        data[f"{prefix}-INITIAL_FORMS"] = 0
    for n, code in enumerate(variables):
        data.update({f"variables-{n}-code": code, f"variables-{n}-name": f"ตัวแปร {code}", f"variables-{n}-kind": "number",
                     f"variables-{n}-source": "district", f"variables-{n}-order": n})
    for n, value in enumerate(thresholds):
        data.update({f"thresholds-{n}-level": n + 1, f"thresholds-{n}-value": value})
    return data


@pytest.fixture
def setup():
    fw = framework(fiscal_year_2569())
    return fw, group(fw, "1", "100")


def post(client, data):
    return client.post(reverse("admin:indicators_indicator_add"), data)


def errors_of(response) -> str:
    return response.content.decode()


def test_a_valid_indicator_is_saved_with_its_inlines(client, admin_user, setup):
    client.force_login(admin_user)
    response = post(client, indicator_post(*setup))
    assert response.status_code == 302, errors_of(response)[:2000]
    indicator = Indicator.objects.get(code="9")
    assert list(indicator.thresholds.values_list("value", flat=True)) == [Decimal(v) for v in (80, 85, 90, 95, 100)]
    assert list(indicator.variables.values_list("code", flat=True)) == ["A", "B"]


def test_lower_is_better_thresholds_are_accepted(client, admin_user, setup):
    client.force_login(admin_user)
    response = post(client, indicator_post(*setup, thresholds=("2.0", "1.8", "1.6", "1.4", "1.2")))
    assert response.status_code == 302


@pytest.mark.parametrize("thresholds", [("80", "85", "85", "95", "100"), ("80", "90", "85", "95", "100")])
def test_thresholds_that_are_not_strictly_monotonic_are_refused(client, admin_user, setup, thresholds):
    client.force_login(admin_user)
    response = post(client, indicator_post(*setup, thresholds=thresholds))
    assert response.status_code == 200
    assert not Indicator.objects.filter(code="9").exists()


def test_a_quantitative_indicator_needs_all_five_levels(client, admin_user, setup):
    client.force_login(admin_user)
    response = post(client, indicator_post(*setup, thresholds=("80", "85", "90")))
    assert "ตัวชี้วัดเชิงปริมาณต้องมีเกณฑ์ครบ 5 ระดับ" in errors_of(response)
    assert not Indicator.objects.filter(code="9").exists()


def test_a_formula_naming_an_unknown_variable_is_refused_in_thai(client, admin_user, setup):
    client.force_login(admin_user)
    response = post(client, indicator_post(*setup, formula="A / C * 100"))
    body = errors_of(response)
    assert "สูตรคำนวณ" in body and "C" in body
    assert not Indicator.objects.filter(code="9").exists()


def test_a_formula_that_is_not_arithmetic_is_refused(client, admin_user, setup):
    client.force_login(admin_user)
    response = post(client, indicator_post(*setup, formula="__import__('os').system('x')"))
    assert response.status_code == 200
    assert not Indicator.objects.filter(code="9").exists()


def test_the_framework_page_warns_about_weights_while_drafting(client, admin_user):
    fw = TestTree().build()
    fw.groups.filter(code="2").update(weight=50)
    client.force_login(admin_user)
    response = client.get(reverse("admin:indicators_framework_change", args=[fw.pk]))
    assert "น้ำหนักระดับบนสุดรวมกันได้ 95 ต้องเท่ากับ 100" in response.content.decode()


def test_the_publish_action_refuses_bad_weights_and_publishes_good_ones(client, admin_user):
    fw = TestTree().build()
    client.force_login(admin_user)
    url = reverse("admin:indicators_framework_changelist")
    fw.groups.filter(code="2").update(weight=50)
    client.post(url, {"action": "publish", "_selected_action": [fw.pk]})
    fw.refresh_from_db()
    assert fw.status == Framework.Status.DRAFT
    fw.groups.filter(code="2").update(weight=55)
    client.post(url, {"action": "publish", "_selected_action": [fw.pk]})
    fw.refresh_from_db()
    assert fw.status == Framework.Status.PUBLISHED


def test_the_copy_action_creates_next_years_framework(client, admin_user):
    fw = TestTree().build()
    client.force_login(admin_user)
    client.post(reverse("admin:indicators_framework_changelist"), {"action": "copy_to_next_year", "_selected_action": [fw.pk]})
    copy = Framework.objects.get(fiscal_year__year=2570, code=fw.code)
    assert copy.indicators.count() == fw.indicators.count()
    assert FiscalYear.objects.filter(year=2570).exists()


@pytest.mark.parametrize("persona", ["district_user", "certifier", "executive"])
def test_only_administrators_reach_these_screens(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for name in ("admin:indicators_indicator_changelist", "admin:indicators_framework_changelist",
                 "admin:indicators_indicator_add"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_the_lists_load_for_an_administrator(client, admin_user):
    TestTree().build()
    client.force_login(admin_user)
    for name in ("admin:indicators_indicator_changelist", "admin:indicators_framework_changelist",
                 "admin:indicators_fiscalyear_changelist", "admin:indicators_round_changelist"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("admin:indicators_indicator_changelist"), {"q": "1.1"}).status_code == 200

"""An administrator reads a framework's history of criteria changes and re-certifies, on a 390 px phone."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from reporting.models import Entry
from tests.conftest import PASSWORD
from tests.indicators.admin_forms import change_form_data
from tests.indicators.test_criteria_changes import REASON, with_thresholds
from tests.indicators.test_criteria_changes import world as world  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_history_and_re_certification_at_390_px(browser, live_server, admin_user, world, screenshot_dir):
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:indicators_indicator_change", args=[world.quantitative.pk])
    data = with_thresholds(change_form_data(client, url), ("70", "75", "80", "85", "90"))
    data["criteria_reason"] = REASON
    assert client.post(url, data).status_code == 302

    context = browser.new_context(locale="th-TH", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill(admin_user.username)
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(live_server.url + reverse("indicators:framework_history", args=[world.framework.pk]))
    assert REASON in page.get_by_test_id("history").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "criteria-history-390.png"), full_page=True)

    page.get_by_role("link", name="ผลที่รับรองแล้วซึ่งเกณฑ์เปลี่ยน").click()
    table = page.get_by_test_id("recertify")
    assert "4.20000" in table.inner_text() and "5.00000" in table.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "criteria-recertify-390.png"), full_page=True)
    table.get_by_role("checkbox").check()
    page.get_by_role("button", name="รับรองใหม่ตามเกณฑ์ใหม่").click()
    assert "รับรองใหม่ตามเกณฑ์ใหม่แล้ว 1 รายการ" in page.content()
    assert Entry.objects.get(pk=world.entries["certified"].pk).official_score == Decimal("5.00000")
    context.close()

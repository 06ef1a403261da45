"""The Content-Security-Policy in a real browser: every role's pages load with no violation, and what used
inline handlers (the round selectors, the print button) and htmx's saves still work under it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from indicators.models import Framework, Round
from krs.demo import DEMO_LOGINS, seed_offices_and_users
from krs.models import Office
from reporting.services import round_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_rounds():
    """The demo's FY 2569 rounds of 6 and 12 months, both opened for the districts; the 12-month one open now."""
    from indicators.demo import seed as seed_frameworks

    seed_offices_and_users()
    seed_frameworks()
    now = timezone.now()
    six = Round.objects.get(fiscal_year__year=2569, months=6)
    twelve = Round.objects.get(fiscal_year__year=2569, months=12)
    Round.objects.filter(pk=twelve.pk).update(opens_at=now - timedelta(days=3), deadline=now + timedelta(days=5),
                                              certification_deadline=now + timedelta(days=30), late_until=None)
    round_open(round_=six)
    round_open(round_=Round.objects.get(pk=twelve.pk))
    return six, twelve


@pytest.fixture
def violations(page):
    """Every console line or page error that reports a blocked script, style or eval."""
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if re.search(r"Refused to|Content Security Policy|unsafe-eval|has been blocked", message.text) else None)
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    return found


def log_in(page, live_server, username: str) -> None:
    login = next(login for login in DEMO_LOGINS if login.username == username)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill(login.username)
    page.get_by_label("รหัสผ่าน").fill(login.password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize("username", ["bkk1", "finance", "executive", "admin"])
def test_every_menu_page_of_each_role_loads_with_no_policy_violation(page, live_server, two_rounds, violations, username):
    log_in(page, live_server, username)
    links = page.get_by_test_id("nav").locator("a.nav-link").evaluate_all("links => links.map(a => a.href)")
    assert links
    for url in [f"{live_server.url}/", *links]:
        response = page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    assert violations == []


def test_the_entry_pages_round_selector_and_an_htmx_save_work_under_the_policy(page, live_server, two_rounds, violations):
    six, twelve = two_rounds
    log_in(page, live_server, "bkk1")
    page.goto(f"{live_server.url}/reporting/rounds/{twelve.pk}/")
    page.locator("#round-select").select_option(value=f"/reporting/rounds/{six.pk}/")  # the option's value is its page
    page.wait_for_url(f"**/reporting/rounds/{six.pk}/")
    page.locator("#round-select").select_option(value=f"/reporting/rounds/{twelve.pk}/")
    page.wait_for_url(f"**/reporting/rounds/{twelve.pk}/")

    block = page.locator('[data-testid="entry"][data-code="11.3"]')
    block.get_by_test_id("input-A").fill("1")
    assert block.get_by_test_id("preview-score").inner_text() == "5.0000"  # htmx preview, no eval
    block.get_by_test_id("save").click()
    block.get_by_test_id("saved").wait_for()
    assert violations == []


def test_the_scorecards_round_selector_and_the_frameworks_print_button_work_under_the_policy(
    page, live_server, two_rounds, violations
):
    six, twelve = two_rounds
    office = Office.objects.get(code="1001")
    log_in(page, live_server, "executive")
    page.goto(f"{live_server.url}/reports/scorecard/{office.pk}/{twelve.pk}/")
    page.locator("#round-select").select_option(value=f"/reports/scorecard/{office.pk}/{six.pk}/")
    page.wait_for_url(f"**/reports/scorecard/{office.pk}/{six.pk}/")

    log_in(page, live_server, "admin")
    framework = Framework.objects.filter(fiscal_year__year=2569).order_by("pk").first()
    page.goto(f"{live_server.url}/indicators/frameworks/{framework.pk}/tree/")
    page.evaluate("window.print = () => { window.printed = true }")
    page.locator("[data-print]").click()
    assert page.evaluate("window.printed") is True
    assert violations == []

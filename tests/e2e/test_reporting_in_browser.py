"""A demo district enters seed 000's indicators in a real browser: Thai digits, a caught mistake, scores, statuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from indicators.models import Round
from krs.demo import seed_offices_and_users
from krs.models import CalendarDay
from reporting.models import Entry
from reporting.services import round_open
from tests.e2e.test_foundation_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def twelve_month_round_open():
    """FY 2569's 12-month round (the one with all of seed 000's indicators), open for five more days."""
    from indicators.demo import seed as seed_frameworks

    seed_offices_and_users()
    seed_frameworks()
    round_ = Round.objects.get(fiscal_year__year=2569, months=12)
    now = timezone.now()
    deadline = now + timedelta(days=5, hours=2)
    # A deadline on a weekend or holiday would count on the next working day: make its day a worked one, so
    # the pages say "5 days left" whatever day the tests run on.
    CalendarDay.objects.update_or_create(date=timezone.localdate(deadline), defaults={
        "kind": CalendarDay.Kind.WORKING_DAY, "name": "วันทำงาน (ทดสอบ)"})
    Round.objects.filter(pk=round_.pk).update(opens_at=now - timedelta(days=3), deadline=deadline,
                                              certification_deadline=now + timedelta(days=30), late_until=None)
    round_open(round_=round_)
    return round_


def entry_block(page, code):
    return page.locator(f'[data-testid="entry"][data-code="{code}"]')


def test_a_district_enters_its_values_sees_scores_and_statuses_and_not_another_districts(
    page, live_server, screenshot_dir, twelve_month_round_open
):
    log_in(page, live_server, "bkk1")
    page.get_by_test_id("nav").get_by_role("link", name="บันทึกข้อมูล").click()
    page.wait_for_url(f"**/reporting/rounds/{twelve_month_round_open.pk}/")
    assert "เหลือเวลา 5 วัน" in page.get_by_test_id("time-left").inner_text()
    assert entry_block(page, "11.4").get_by_test_id("no-central").count() == 2  # central A and B, no data yet

    # 11.3: pass/fail on a yes/no variable, typed in Thai digits; the score shows before saving.
    i113 = entry_block(page, "11.3")
    i113.get_by_test_id("input-A").fill("๑")
    assert i113.get_by_test_id("preview-score").inner_text() == "5.0000"
    i113.get_by_test_id("save").click()
    i113.get_by_test_id("saved").wait_for()
    assert i113.get_by_test_id("score").inner_text() == "5.0000"
    assert i113.get_attribute("data-status") == "awaiting"

    # 11.5: a deliberate mistake (2 for a yes/no) is caught next to its field and nothing is saved.
    i115 = entry_block(page, "11.5")
    i115.get_by_test_id("input-A").fill("1")
    i115.get_by_test_id("input-B").fill("2")
    i115.get_by_test_id("save").click()
    error = i115.get_by_test_id("error-B")
    error.wait_for()
    assert "กรอก 1" in error.inner_text()
    assert i115.get_by_test_id("input-A").input_value() == "1"  # what was typed is kept
    entry = Entry.objects.get(office__code="1001", indicator__code="11.5", round=twelve_month_round_open)
    assert entry.values.count() == 0 and entry.status == "not_reported"
    page.screenshot(path=str(screenshot_dir / "entry-page-mistake-caught.png"), full_page=True)

    i115.get_by_test_id("input-B").fill("๐")
    i115.get_by_test_id("save").click()
    i115.get_by_test_id("saved").wait_for()
    assert i115.get_by_test_id("result").inner_text() == "50"  # (1 + 0) / 2 × 100
    assert i115.get_by_test_id("score").inner_text() == "3.0000"
    assert i115.get_attribute("data-status") == "awaiting"
    assert page.get_by_test_id("status-counts").locator('[data-count="awaiting"]').inner_text() == "2"
    page.screenshot(path=str(screenshot_dir / "entry-page.png"), full_page=True)

    # No page reload happened: the htmx swaps did it all; a reload shows the same saved state.
    page.reload()
    assert entry_block(page, "11.5").get_by_test_id("score").inner_text() == "3.0000"

    # Another district's entry is not there for this user.
    theirs = Entry.objects.get(office__code="1002", indicator__code="11.5", round=twelve_month_round_open)
    response = page.goto(f"{live_server.url}/reporting/entries/{theirs.pk}/history/")
    assert response.status == 404


def test_a_warning_is_confirmed_in_place_and_an_error_rule_refuses(page, live_server, screenshot_dir,
                                                                  twelve_month_round_open):
    from indicators.models import Indicator, ValidationRule

    i115 = Indicator.objects.get(code="11.5", framework__fiscal_year__year=2569)
    ValidationRule.objects.create(indicator=i115, left="B", operator="<=", right="A", severity="warning",
                                  message="ส่งข้อมูลถูกต้องครบถ้วน (B) แต่ยังไม่ได้ส่งข้อมูล (A): ตรวจสอบ A และ B")
    log_in(page, live_server, "bkk1")
    page.goto(f"{live_server.url}/reporting/rounds/{twelve_month_round_open.pk}/")
    block = entry_block(page, "11.5")
    block.get_by_test_id("input-A").fill("0")
    block.get_by_test_id("input-B").fill("1")
    block.get_by_test_id("save").click()
    block.get_by_test_id("warnings").wait_for()
    assert "ตรวจสอบ A และ B (A = 0, B = 1)" in block.get_by_test_id("warning").inner_text()
    assert block.get_by_test_id("input-B").input_value() == "1"  # nothing lost
    block.screenshot(path=str(screenshot_dir / "entry-warning-1280.png"))
    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()  # at phone width, as a phone loads it; the warning comes back with the same values
    block = entry_block(page, "11.5")
    block.get_by_test_id("input-A").fill("0")
    block.get_by_test_id("input-B").fill("1")
    block.get_by_test_id("save").click()
    block.get_by_test_id("warnings").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    block.screenshot(path=str(screenshot_dir / "entry-warning-390.png"))
    assert not Entry.objects.get(indicator=i115, round=twelve_month_round_open, office__code="1001").values.exists()
    block.get_by_test_id("confirm-warnings").click()
    block.get_by_test_id("saved").wait_for()
    entry = Entry.objects.get(indicator=i115, round=twelve_month_round_open, office__code="1001")
    assert entry.values.count() == 2 and len(entry.warnings) == 1

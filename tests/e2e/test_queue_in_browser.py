"""In a real browser: the bureau's queue ticks every entry at once and asks before certifying them,
in a dialog with JavaScript and on a confirmation page without it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from reporting.models import Entry
from tests.e2e.test_foundation_in_browser import log_in
from tests.e2e.test_reporting_in_browser import twelve_month_round_open  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def finance_awaiting(round_, n: int = 3) -> list[int]:
    """n of สำนักการคลังและสินทรัพย์'s entries reported with a self score, awaiting certification."""
    ids = list(Entry.objects.filter(round=round_, indicator__owner__name_th="สำนักการคลังและสินทรัพย์",
                                    office__name_th__contains="เขต").order_by("pk").values_list("pk", flat=True)[:n])
    Entry.objects.filter(pk__in=ids).update(status=Entry.Status.AWAITING, self_score=Decimal("4.00000"),
                                            reported_at=timezone.now())
    return ids


def certified(ids) -> int:
    return Entry.objects.filter(pk__in=ids, status=Entry.Status.CERTIFIED).count()


def test_select_all_and_a_dialog_before_bulk_certify(page, live_server, screenshot_dir,
                                                     twelve_month_round_open):  # noqa: F811
    round_ = twelve_month_round_open
    ids = finance_awaiting(round_)
    log_in(page, live_server, "finance")
    page.goto(f"{live_server.url}/certification/?round={round_.pk}&status=awaiting")
    boxes = page.get_by_test_id("select")
    assert boxes.count() == 3
    everything = page.get_by_test_id("select-all")
    everything.check()
    assert all(boxes.nth(i).is_checked() for i in range(3))
    boxes.nth(0).uncheck()
    assert not everything.is_checked() and everything.evaluate("el => el.indeterminate")
    everything.check()
    # A district's name is shown in full, "เขต N" included.
    name = Entry.objects.select_related("office").get(pk=ids[0]).office.name_th
    assert name in page.locator(f'[data-entry="{ids[0]}"]').inner_text()
    page.screenshot(path=str(screenshot_dir / "certification-queue-select-all.png"))

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id("bulk-certify").click()
    assert asked and "รับรองผล 3 รายการที่เลือก" in asked[0]
    assert certified(ids) == 0 and "/certification/" in page.url
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("bulk-certify").click()
    assert certified(ids) == 3
    assert "รับรองผลแล้ว 3 รายการ" in page.content()


def test_without_javascript_bulk_certify_asks_on_a_confirmation_page(browser, live_server, screenshot_dir,
                                                                     twelve_month_round_open):  # noqa: F811
    round_ = twelve_month_round_open
    ids = finance_awaiting(round_)
    context = browser.new_context(locale="th-TH", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, "finance")
        page.goto(f"{live_server.url}/certification/?round={round_.pk}&status=awaiting")
        assert not page.get_by_test_id("select-all").is_visible()  # it would do nothing without JavaScript
        for pk in ids[:2]:
            page.locator(f'[data-entry="{pk}"]').get_by_test_id("select").check()
        page.get_by_test_id("bulk-certify").click()
        page.get_by_test_id("bulk-confirm").wait_for()
        assert certified(ids) == 0
        assert "รับรองผล 2 รายการต่อไปนี้" in page.get_by_test_id("bulk-confirm-question").inner_text()
        page.screenshot(path=str(screenshot_dir / "certification-bulk-confirm-phone.png"), full_page=True)
        page.get_by_test_id("bulk-confirm").click()
        page.wait_for_url(f"{live_server.url}/certification/?round={round_.pk}&status=awaiting")
        assert certified(ids) == 2
    finally:
        context.close()

"""In a real browser: a district submits, the bureau rejects with a reason and a fix deadline, the district sees
the flag and the reason and fixes, the bureau sees the flag and certifies, the district sees the official score,
and the national report, which counted 1.00000 while the entry awaited certification, now counts the certified score."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reporting.models import Entry, Flag
from tests.e2e.test_foundation_in_browser import log_in
from tests.e2e.test_reporting_in_browser import entry_block, twelve_month_round_open  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reject_fix_and_certify_with_the_new_data_flag_both_ways(page, live_server, screenshot_dir,
                                                                 twelve_month_round_open):  # noqa: F811
    round_ = twelve_month_round_open
    # The district submits 11.5 (two yes/no variables, owned by สำนักการคลังและสินทรัพย์).
    log_in(page, live_server, "bkk1")
    page.goto(f"{live_server.url}/reporting/rounds/{round_.pk}/")
    block = entry_block(page, "11.5")
    block.get_by_test_id("input-A").fill("1")
    block.get_by_test_id("input-B").fill("1")
    block.get_by_test_id("save").click()
    block.get_by_test_id("saved").wait_for()
    entry = Entry.objects.get(office__code="1001", indicator__code="11.5", round=round_)
    assert entry.status == "awaiting"

    # The national report counts 1.00000 for it while it awaits certification.
    framework = entry.indicator.framework_id
    before = national_report(page, live_server, round_, framework, entry)
    assert before["line"] == "1.00000"

    # The bureau finds it in its queue and rejects it with a reason and a fix deadline.
    page.context.clear_cookies()
    log_in(page, live_server, "finance")
    page.get_by_test_id("nav").get_by_role("link", name="รับรองผล", exact=True).click()
    page.goto(f"{live_server.url}/certification/?round={round_.pk}&status=awaiting")
    row = page.locator(f'[data-testid="queue-entry"][data-entry="{entry.pk}"]')
    page.screenshot(path=str(screenshot_dir / "certification-queue.png"), full_page=False)
    row.get_by_test_id("open").click()
    page.get_by_test_id("reject").click()  # no reason: refused in place
    assert "ต้องระบุเหตุผล" in page.get_by_test_id("reject-comment-error").inner_text()
    moment = timezone.localtime(timezone.now() + timedelta(days=3))
    deadline = f"{moment:%d/%m}/{moment.year + 543} {moment:%H:%M}"  # typed in พ.ศ.
    page.get_by_test_id("reject-comment").fill("แบบฟอร์มอ้างอิงไม่ครบ กรุณาส่งใหม่")
    page.get_by_test_id("fix-deadline").fill(deadline)
    page.get_by_test_id("reject").click()
    page.get_by_test_id("rejection").wait_for()
    entry.refresh_from_db()
    assert entry.status == "rejected" and entry.fix_deadline is not None

    # The district sees the flag and the reason, opens it (recorded), and fixes the entry.
    page.context.clear_cookies()
    log_in(page, live_server, "bkk1")
    page.goto(f"{live_server.url}/reporting/rounds/{round_.pk}/")
    block = entry_block(page, "11.5")
    assert "แบบฟอร์มอ้างอิงไม่ครบ" in block.get_by_test_id("rejection").inner_text()
    block.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "certification-rejected-district.png"), full_page=False)
    block.get_by_test_id("new-data").click()
    page.wait_for_url(f"**/certification/entries/{entry.pk}/#new")
    assert Flag.objects.get(for_side="district").seen_by.username == "bkk1"
    page.goto(f"{live_server.url}/reporting/rounds/{round_.pk}/")
    block = entry_block(page, "11.5")
    assert block.get_by_test_id("new-data").count() == 0
    block.get_by_test_id("input-B").fill("0")
    block.get_by_test_id("save").click()
    block.get_by_test_id("saved").wait_for()
    entry.refresh_from_db()
    assert entry.status == "awaiting"

    # The bureau sees the flag on the corrected entry, opens it and certifies.
    page.context.clear_cookies()
    log_in(page, live_server, "finance")
    page.goto(f"{live_server.url}/certification/?round={round_.pk}&new=1")
    row = page.locator(f'[data-testid="queue-entry"][data-entry="{entry.pk}"]')
    row.get_by_test_id("new-data").click()
    page.wait_for_url(f"**/certification/entries/{entry.pk}/#new")
    page.get_by_test_id("certify").click()
    page.get_by_test_id("official-score").get_by_text(f"{entry.self_score:.5f}").wait_for()
    page.screenshot(path=str(screenshot_dir / "certification-review.png"), full_page=True)
    entry.refresh_from_db()
    assert entry.status == "certified" and entry.official_score == entry.self_score

    # The district sees the official score, marked as such.
    page.context.clear_cookies()
    log_in(page, live_server, "bkk1")
    page.goto(f"{live_server.url}/reporting/rounds/{round_.pk}/")
    block = entry_block(page, "11.5")
    assert block.get_by_test_id("official-score").inner_text() == f"{entry.official_score:.4f}"
    assert "คะแนนที่รับรอง" in block.inner_text()

    # The national report now counts the certified score: in the district's scorecard and in the ranking.
    after = national_report(page, live_server, round_, framework, entry, screenshot_dir=screenshot_dir)
    assert after["line"] == f"{entry.official_score:.5f}" != before["line"]
    assert after["overall"] == after["ranking"] and after["overall"] != before["overall"]


def national_report(page, live_server, round_, framework, entry, *, screenshot_dir=None) -> dict:
    """As an executive: the entry's counted score in its district's scorecard, and the district's overall score
    in the scorecard and in the national ranking."""
    page.context.clear_cookies()
    log_in(page, live_server, "executive")
    page.goto(f"{live_server.url}/reports/scorecard/{entry.office_id}/{round_.pk}/?framework={framework}")
    scorecard = page.get_by_test_id("scorecard")
    line = scorecard.locator(f'[data-testid="line"][data-kind="indicator"][data-code="{entry.indicator.code}"]')
    found = {"line": line.get_attribute("data-score"),
             "overall": scorecard.get_by_test_id("overall").get_attribute("data-value")}
    page.goto(f"{live_server.url}/reports/national/?round={round_.pk}&framework={framework}")
    row = page.locator(f'[data-testid="rank-row"][data-office="{entry.office.code}"]')
    found["ranking"] = row.get_attribute("data-overall")
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "reports-national.png"), full_page=False)
    return found

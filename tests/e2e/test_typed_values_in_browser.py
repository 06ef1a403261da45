"""Nothing typed on the entry page is lost: a wrong client clock, leaving, a closed tab, Back, clearing, a refused
or failed save."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from indicators.models import Round
from krs.models import CalendarDay
from reporting.models import Entry
from reporting.services import entry_save_values
from tests.e2e.test_foundation_in_browser import log_in
from tests.e2e.test_reporting_in_browser import entry_block, twelve_month_round_open  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_round(twelve_month_round_open):  # noqa: F811
    return twelve_month_round_open


def open_entry_page(page, live_server, round_):
    page.goto(f"{live_server.url}/reporting/rounds/{round_.pk}/")
    page.get_by_test_id("deadline").wait_for()


def entry_of(round_, code):
    return Entry.objects.get(office__code="1001", indicator__code=code, round=round_)


def worked(at) -> None:
    """The day of ``at`` is a working day, so a deadline then is not moved off a weekend or holiday (whatever
    day the test runs on)."""
    CalendarDay.objects.update_or_create(date=timezone.localdate(at), defaults={
        "kind": CalendarDay.Kind.WORKING_DAY, "name": "วันทำงาน (ทดสอบ)"})


def minutes_left(page) -> int:
    text = page.get_by_test_id("time-left").inner_text()
    return int(text.split("เหลือเวลา")[1].split("นาที")[0].strip())


def test_a_fast_client_clock_neither_reloads_nor_miscounts_and_the_close_keeps_what_is_unsaved(
    page, live_server, open_round
):
    round_ = open_round
    deadline = timezone.now() + timedelta(minutes=20)
    worked(deadline)
    Round.objects.filter(pk=round_.pk).update(deadline=deadline, late_until=None)
    log_in(page, live_server, "bkk1")
    # This PC's clock runs 25 minutes fast: by its own clock the deadline passed 5 minutes ago.
    page.clock.install(time=timezone.now() + timedelta(minutes=25))
    open_entry_page(page, live_server, round_)
    i113 = entry_block(page, "11.3")
    i113.get_by_test_id("input-A").fill("1")
    i113.get_by_test_id("save").click()
    i113.get_by_test_id("saved").wait_for()
    i115 = entry_block(page, "11.5")
    i115.get_by_test_id("input-A").fill("1")
    page.evaluate("window.sameDocument = true")

    page.clock.fast_forward("01:00")  # the countdown ticks
    assert page.evaluate("window.sameDocument === true")  # no reload
    assert 15 <= minutes_left(page) <= 20  # the server's time left, not the browser's "0"
    assert i115.get_by_test_id("input-A").input_value() == "1"

    # The round closes under the user's hands: no reload, and the page says what was saved and what not.
    page.clock.fast_forward("21:00")
    banner = page.get_by_test_id("round-closed")
    banner.wait_for()
    assert page.evaluate("window.sameDocument === true")
    assert "11.3" in banner.get_by_test_id("closed-saved").inner_text()
    unsaved = banner.get_by_test_id("closed-unsaved").inner_text()
    assert "11.5" in unsaved and "A = 1" in unsaved and "11.3" not in unsaved
    assert i115.get_by_test_id("input-A").input_value() == "1"


def test_in_a_late_window_the_deadline_passing_neither_says_closed_nor_loses_what_is_typed(
    page, live_server, open_round
):
    """With a late window, saving goes on after the deadline: the countdown reaching it must not tell the user
    the round is closed, and what they typed stays in its box and can still be saved."""
    round_ = open_round
    deadline = timezone.now() + timedelta(minutes=20)
    worked(deadline)
    Round.objects.filter(pk=round_.pk).update(deadline=deadline, late_until=deadline + timedelta(days=2),
                                              certification_deadline=deadline + timedelta(days=10))
    log_in(page, live_server, "bkk1")
    page.clock.install(time=timezone.now())
    open_entry_page(page, live_server, round_)
    i115 = entry_block(page, "11.5")
    i115.get_by_test_id("input-A").fill("1")
    page.evaluate("window.sameDocument = true")
    page.clock.fast_forward("21:00")  # by the page's clock the deadline has passed; the late window has not
    assert page.evaluate("window.sameDocument === true")  # no reload with a value typed
    assert page.get_by_test_id("round-closed").count() == 0
    assert i115.get_by_test_id("input-A").input_value() == "1"
    i115.get_by_test_id("save").click()
    entry_block(page, "11.5").get_by_test_id("saved").wait_for()


def test_an_unsaved_value_warns_before_leaving_and_comes_back_after_a_closed_tab_until_saved(
    page, live_server, open_round
):
    round_ = open_round
    log_in(page, live_server, "bkk1")
    open_entry_page(page, live_server, round_)
    entry_block(page, "11.5").get_by_test_id("input-A").fill("1")
    assert page.evaluate("() => { const e = new Event('beforeunload', {cancelable: true});"
                         " window.dispatchEvent(e); return e.defaultPrevented; }")  # closing the tab asks first

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id("nav").get_by_role("link", name="บันทึกข้อมูล").click()
    assert "11.5" in asked[0]  # the warning names the indicator
    assert entry_block(page, "11.5").get_by_test_id("input-A").input_value() == "1"  # stayed, value kept

    # The tab is closed without saving; a new one gives the value back, marked as not saved yet.
    context = page.context
    page.close()
    page = context.new_page()
    open_entry_page(page, live_server, round_)
    i115 = entry_block(page, "11.5")
    restored = i115.get_by_test_id("draft-restored")
    restored.wait_for()
    assert "ยังไม่ได้บันทึก" in restored.inner_text()
    assert i115.get_by_test_id("input-A").input_value() == "1"
    assert "is-draft" in i115.get_by_test_id("input-A").get_attribute("class")
    assert entry_of(round_, "11.5").values.count() == 0  # only the browser has it

    i115.get_by_test_id("input-B").fill("1")
    i115.get_by_test_id("save").click()
    i115.get_by_test_id("saved").wait_for()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('krs:draft:')).length") == 0
    page.reload()
    assert entry_block(page, "11.5").get_by_test_id("draft-restored").count() == 0


def test_a_draft_typed_over_an_older_saved_value_is_offered_not_applied(page, live_server, open_round):
    round_ = open_round
    log_in(page, live_server, "bkk1")
    open_entry_page(page, live_server, round_)
    entry_block(page, "11.3").get_by_test_id("input-A").fill("0")
    page.evaluate("window.addEventListener('beforeunload', e => e.stopImmediatePropagation(), true)")
    # Meanwhile the same indicator is saved elsewhere (another tab, a colleague).
    entry = entry_of(round_, "11.3")
    from krs.models import User

    entry_save_values(entry=entry, user=User.objects.get(username="bkk1"), expected_version=0,
                      raw={f"v{entry.indicator.variables.get().pk}": "1"})
    open_entry_page(page, live_server, round_)
    i113 = entry_block(page, "11.3")
    stale = i113.get_by_test_id("draft-stale")
    stale.wait_for()
    assert "A = 0" in stale.inner_text() and "เปลี่ยนไปแล้ว" in stale.inner_text()
    assert i113.get_by_test_id("input-A").input_value() == "1"  # the saved value, not silently overwritten
    stale.get_by_test_id("draft-use").click()
    assert i113.get_by_test_id("input-A").input_value() == "0"
    i113.get_by_test_id("save").click()
    i113.get_by_test_id("saved").wait_for()  # re-applied deliberately, over the current version
    entry.refresh_from_db()
    assert entry.version == 2


def test_back_after_a_save_shows_the_saved_state_and_saving_again_is_no_conflict(page, live_server, open_round):
    round_ = open_round
    log_in(page, live_server, "bkk1")
    open_entry_page(page, live_server, round_)
    i113 = entry_block(page, "11.3")
    i113.get_by_test_id("input-A").fill("1")
    i113.get_by_test_id("save").click()
    i113.get_by_test_id("saved").wait_for()
    i113.get_by_test_id("history-link").click()
    page.wait_for_url("**/history/")
    page.go_back()
    i113 = entry_block(page, "11.3")
    i113.wait_for()
    assert i113.get_attribute("data-status") == "awaiting"
    assert i113.get_by_test_id("input-A").input_value() == "1"
    i113.get_by_test_id("input-A").fill("0")
    i113.get_by_test_id("save").click()
    i113.get_by_test_id("saved").wait_for()
    assert i113.get_by_test_id("conflict").count() == 0
    assert entry_of(round_, "11.3").version == 2


def test_clearing_a_saved_value_is_confirmed_and_says_what_it_does_to_the_status(page, live_server, open_round):
    round_ = open_round
    log_in(page, live_server, "bkk1")
    open_entry_page(page, live_server, round_)
    i115 = entry_block(page, "11.5")
    i115.get_by_test_id("input-A").fill("1")
    i115.get_by_test_id("input-B").fill("1")
    i115.get_by_test_id("save").click()
    i115.get_by_test_id("saved").wait_for()
    i115 = entry_block(page, "11.5")
    i115.get_by_test_id("save").click()
    assert "ไม่มีค่าที่เปลี่ยนแปลง" in i115.get_by_test_id("unchanged").inner_text()

    i115.get_by_test_id("input-B").fill("")
    i115.get_by_test_id("save").click()
    confirm = i115.get_by_test_id("confirm-clear")
    confirm.wait_for()
    assert "ยังไม่รายงานผล" in confirm.inner_text()
    assert i115.get_attribute("data-status") == "awaiting"  # nothing happened yet
    confirm.get_by_test_id("confirm-clear-button").click()
    assert "สถานะกลับเป็น “ยังไม่รายงานผล”" in i115.get_by_test_id("saved").inner_text()
    assert i115.get_attribute("data-status") == "not_reported"


def test_a_refused_save_is_shown_in_place_with_its_reason_and_another_4xx_is_not_swapped_in(page, live_server, open_round):
    from krs.models import User

    round_ = open_round
    log_in(page, live_server, "bkk1")
    open_entry_page(page, live_server, round_)
    # Saved meanwhile (another tab): this page's save is refused with 409 and the indicator, swapped in.
    entry = entry_of(round_, "11.3")
    entry_save_values(entry=entry, user=User.objects.get(username="bkk1"), expected_version=0,
                      raw={f"v{entry.indicator.variables.get().pk}": "1"})
    statuses = []
    page.on("response", lambda response: statuses.append(response.status) if response.url.endswith("/save/") else None)
    i113 = entry_block(page, "11.3")
    i113.get_by_test_id("input-A").fill("0")
    i113.get_by_test_id("save").click()
    i113.get_by_test_id("conflict").wait_for()
    assert statuses == [409]
    assert "หน้านี้แสดงค่าเก่า" in i113.get_by_test_id("entry-error").inner_text()
    assert i113.get_by_test_id("save-failed").count() == 0  # the reason itself, not "the system refused"
    assert i113.get_by_test_id("input-A").input_value() == "0"  # what was typed stays, and its draft
    assert page.evaluate("Object.keys(localStorage).some(k => k.startsWith('krs:draft:'))")
    i113.get_by_test_id("save").click()
    i113.get_by_test_id("saved").wait_for()  # re-applied deliberately, over the version it now carries
    assert entry_of(round_, "11.3").version == 2

    # A 403 that is no refusal of ours (a CSRF failure's page) is not swapped in: the indicator says it failed.
    page.route("**/save/", lambda route: route.fulfill(status=403, content_type="text/html",
                                                       body="<!doctype html><html><body><h1>Forbidden</h1></body></html>"))
    i115 = entry_block(page, "11.5")
    i115.get_by_test_id("input-A").fill("1")
    i115.get_by_test_id("save").click()
    failed = i115.get_by_test_id("save-failed")
    failed.wait_for()
    assert "403" in failed.inner_text() and i115.get_by_test_id("input-A").input_value() == "1"
    assert entry_block(page, "11.5").count() == 1 and page.get_by_text("Forbidden").count() == 0


def test_a_failed_save_says_so_on_the_indicator_and_keeps_the_typed_values(page, live_server, open_round):
    round_ = open_round
    log_in(page, live_server, "bkk1")
    open_entry_page(page, live_server, round_)
    i115 = entry_block(page, "11.5")
    i115.get_by_test_id("input-A").fill("1")
    i115.get_by_test_id("input-B").fill("0")
    i115.get_by_test_id("preview-score").wait_for()

    page.route("**/save/", lambda route: route.fulfill(status=502, body="Bad Gateway"))  # a proxy's answer
    i115.get_by_test_id("save").click()
    failed = i115.get_by_test_id("save-failed")
    failed.wait_for()
    assert "ยังไม่ได้บันทึก" in failed.inner_text() and "502" in failed.inner_text()
    assert i115.get_by_test_id("preview-unsaved").count() == 1  # the preview no longer reads like a result
    assert i115.get_by_test_id("input-A").input_value() == "1"

    page.unroute("**/save/")
    page.route("**/save/", lambda route: route.abort())  # the network is gone
    i115.get_by_test_id("save").click()
    expect(failed).to_contain_text("ติดต่อเซิร์ฟเวอร์ไม่ได้")
    page.unroute("**/save/")

    page.context.clear_cookies(name="sessionid")  # the session ran out: the save is redirected to the sign-in page
    i115.get_by_test_id("save").click()
    expect(failed).to_contain_text("หมดเวลาเข้าระบบ")
    # no sign-in page swapped in
    assert i115.get_by_test_id("save-failed").count() == 1 and entry_block(page, "11.5").count() == 1
    assert i115.get_by_test_id("input-B").input_value() == "0"
    assert entry_of(round_, "11.5").values.count() == 0

    log_in(page, live_server, "bkk1")  # signed in again: the draft comes back
    open_entry_page(page, live_server, round_)
    i115 = entry_block(page, "11.5")
    i115.get_by_test_id("draft-restored").wait_for()
    i115.get_by_test_id("save").click()
    i115.get_by_test_id("saved").wait_for()
    assert entry_of(round_, "11.5").values.count() == 2

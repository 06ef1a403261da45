"""A newcomer's first minutes, in a real browser: log in, a Thai page in Sarabun, English and back."""

from __future__ import annotations

import pytest

from krs.demo import DEMO_LOGINS, seed_offices_and_users

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def demo_login(username: str):
    return next(login for login in DEMO_LOGINS if login.username == username)


def log_in(page, live_server, username: str) -> None:
    login = demo_login(username)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill(login.username)
    page.get_by_label("รหัสผ่าน").fill(login.password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")


def test_a_district_reporter_logs_in_to_a_thai_page_in_sarabun_and_switches_language(
    page, live_server, screenshot_dir
):
    seed_offices_and_users()
    log_in(page, live_server, "bkk1")

    assert page.locator("html").get_attribute("lang") == "th"
    assert page.get_by_test_id("section-report").is_visible()
    assert page.get_by_test_id("section-certify").count() == 0
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px Sarabun', 'ก')") is True
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Sarabun"') or page.evaluate(
        "getComputedStyle(document.body).fontFamily"
    ).startswith("Sarabun")
    page.screenshot(path=str(screenshot_dir / "home-district-th.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_test_id("nav").get_by_role("link", name="Data entry", exact=True).is_visible()
    page.screenshot(path=str(screenshot_dir / "home-district-en.png"), full_page=True)

    page.get_by_role("button", name="ไทย").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.get_by_test_id("nav").get_by_role("link", name="บันทึกข้อมูล", exact=True).is_visible()


@pytest.mark.parametrize(
    ("username", "visible", "hidden"),
    [
        ("finance", "section-certify", "section-report"),
        ("executive", "section-results", "section-configure"),
        ("admin", "section-configure", "section-report"),
    ],
)
def test_the_page_adapts_to_the_role(page, live_server, username, visible, hidden):
    seed_offices_and_users()
    log_in(page, live_server, username)
    assert page.get_by_test_id(visible).is_visible()
    assert page.get_by_test_id(hidden).count() == 0


def test_the_page_fits_a_phone(browser, live_server, screenshot_dir):
    seed_offices_and_users()
    context = browser.new_context(locale="th-TH", viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        log_in(page, live_server, "admin")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert not page.get_by_role("link", name="ตั้งค่าระบบ").is_visible()  # folded into the menu button
        page.get_by_role("button", name="เปิด/ปิดเมนู").click()
        page.get_by_role("link", name="ตั้งค่าระบบ").wait_for(state="visible")
        page.screenshot(path=str(screenshot_dir / "home-admin-phone.png"), full_page=True)
    finally:
        context.close()

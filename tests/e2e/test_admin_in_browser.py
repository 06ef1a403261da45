"""The admin in a real browser: Thai text drawn in the app's Sarabun, not in whatever font the machine has."""

from __future__ import annotations

import pytest

from krs.demo import seed_offices_and_users
from tests.e2e.test_foundation_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SARABUN_LOADED = """() => [...document.fonts].some(face =>
    face.family.replace(/["']/g, "") === "Sarabun" && face.status === "loaded")"""


def assert_in_sarabun(page) -> None:
    page.evaluate("document.fonts.ready")
    assert page.evaluate("getComputedStyle(document.body).fontFamily").replace('"', "").startswith("Sarabun")
    assert page.evaluate("getComputedStyle(document.querySelector('#site-name')).fontFamily").replace('"', "").startswith(
        "Sarabun")
    # check() alone is true when no face of that name exists at all; a loaded Sarabun face must be there too.
    assert page.evaluate("document.fonts.check('16px Sarabun', 'ก')") is True
    assert page.evaluate(SARABUN_LOADED) is True


@pytest.mark.parametrize(("width", "name"), [(1280, "admin-rounds-th.png"), (390, "admin-rounds-phone-th.png")])
def test_the_admin_draws_thai_in_sarabun_within_the_csp(browser, live_server, screenshot_dir, width, name):
    seed_offices_and_users()
    context = browser.new_context(locale="th-TH", viewport={"width": width, "height": 800})
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    try:
        log_in(page, live_server, "admin")
        page.goto(f"{live_server.url}/admin/")
        assert page.locator("html").get_attribute("lang") == "th"
        assert_in_sarabun(page)
        page.goto(f"{live_server.url}/admin/indicators/round/")
        assert_in_sarabun(page)
        page.screenshot(path=str(screenshot_dir / name))
        assert refused == []
    finally:
        context.close()

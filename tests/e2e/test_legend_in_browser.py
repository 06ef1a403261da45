"""A demo district reads the status legend and sees whom to ask about each indicator, at phone and desktop width."""

from __future__ import annotations

import pytest

from krs.models import User
from reporting.models import Entry
from tests.e2e.test_foundation_in_browser import log_in
from tests.e2e.test_reporting_in_browser import entry_block, twelve_month_round_open  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_the_district_reads_the_legend_and_whom_to_ask(page, live_server, screenshot_dir, twelve_month_round_open,  # noqa: F811
                                                       width):
    User.objects.filter(username="finance").update(phone="0 2288 5761")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "bkk1")
    page.goto(f"{live_server.url}/reporting/rounds/{twelve_month_round_open.pk}/")
    legend = page.get_by_test_id("legend")
    legend.locator("summary").click()
    lines = legend.get_by_test_id("legend-line")
    lines.last.wait_for()
    assert lines.count() == len(Entry.Status) + 1
    for status in Entry.Status:
        assert legend.locator(f'[data-legend="{status.value}"]').is_visible()
    assert "มีข้อมูลใหม่" in legend.locator('[data-legend="new_data"]').inner_text()

    # 11.2 is the finance bureau's: its certifier, her phone and e-mail, and when certification closes.
    certifier = entry_block(page, "11.2").get_by_test_id("certifier")
    text = certifier.inner_text()
    assert "ประภาพร มั่นคง" in text and "0 2288 5761" in text and "finance@krs.example.go.th" in text
    assert "ปิดรับรองผล" in text

    # The picture (page coordinates): the legend, and on a desktop down to the first indicator's certifier line.
    box = page.evaluate("""(end) => {
        const top = document.querySelector('[data-testid="legend"]').getBoundingClientRect();
        const bottom = document.querySelector(`[data-testid="${end}"]`).getBoundingClientRect().bottom;
        return {y: top.top + window.scrollY, bottom: bottom + window.scrollY};
    }""", "legend" if width < 768 else "certifier")
    page.screenshot(path=str(screenshot_dir / f"legend-{width}.png"), full_page=True,
                    clip={"x": 0, "y": box["y"] - 8, "width": width, "height": box["bottom"] - box["y"] + 16})

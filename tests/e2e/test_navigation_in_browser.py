"""In a real browser: the top menu of the roles with the most items stays on one line on a 1280 px screen."""

from __future__ import annotations

import pytest

from krs.demo import seed_offices_and_users
from tests.e2e.test_foundation_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def menu_lines(page) -> dict:
    """Where the menu's pieces sit: each one's vertical middle, and how many lines of text each link takes."""
    return page.evaluate("""() => {
      const nav = document.querySelector('nav.navbar');
      const items = [nav.querySelector('.navbar-brand'), ...nav.querySelectorAll('[data-testid=nav] > li'),
                     ...nav.querySelectorAll('[data-testid=nav-tools] > *')];
      // Lines of text: the boxes of its words, grouped by height on the page (a new line is 8 px lower or more).
      const lines = el => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        const tops = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (!node.textContent.trim()) continue;
          const range = document.createRange();
          range.selectNodeContents(node);
          tops.push(...[...range.getClientRects()].filter(r => r.width > 0).map(r => r.top));
        }
        tops.sort((a, b) => a - b);
        return tops.filter((top, i) => i === 0 || top - tops[i - 1] >= 8).length;
      };
      return items.map(el => ({label: el.innerText.trim(), lines: lines(el),
                               middle: Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2)}));
    }""")


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("username", ["finance", "admin"])
def test_the_menu_is_one_line_at_1280_px(page, live_server, screenshot_dir, username, language):
    seed_offices_and_users()
    log_in(page, live_server, username)
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
    page.evaluate("document.fonts.ready")
    items = menu_lines(page)
    if language == "th":
        page.screenshot(path=str(screenshot_dir / f"menu-{username}-1280.png"), clip={
            "x": 0, "y": 0, "width": 1280, "height": 120})
    assert len(items) >= 8, items  # the brand, the role's pages, the language, the bell and the user's menu
    # One line: every piece centred on the same line, and no label broken over two.
    assert max(i["middle"] for i in items) - min(i["middle"] for i in items) <= 2, items
    assert {i["lines"] for i in items} == {1}, items

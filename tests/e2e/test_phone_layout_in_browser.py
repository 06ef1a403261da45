"""The entry page and the bureau queue on a phone (360 and 390 px) and a desktop (1280 px), measured in Chromium.

At phone width each indicator is a card (the same markup as the desktop table, restyled by static/css/krs.css):
no name, variable label or instruction set narrower than about twelve characters, the instruction visible, the
save button on screen, a bounded height per indicator, nothing wider than the screen; and the queue's action
button inside the screen.
"""

from __future__ import annotations

import pytest

import indicators.demo
import krs.demo
import reporting.demo
from indicators.selectors import current_round
from krs.models import Office
from reporting.models import Entry
from reporting.selectors import rounds_for_office
from tests.e2e.test_foundation_in_browser import log_in
from tests.e2e.test_reporting_in_browser import entry_block

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_HEIGHT = 844
# About twelve characters of Thai text: Sarabun's advance averages 0.54 em per character as read (grapheme) and
# 0.45 em per code point over seed 000's indicator names, variable labels and instructions (measured with canvas
# measureText in Chromium), so 12 × 0.5 em of content width holds about eleven to thirteen of them.
MIN_CHARACTERS = 12
EM_PER_CHARACTER = 0.5
# Page height divided by the number of indicators, at 390 px. The six-column table measured about 4,100 px per
# indicator on the demo round (names one syllable per line); the cards measure about 1,200.
MAX_PHONE_HEIGHT_PER_INDICATOR = 1600



@pytest.fixture
def demo_round():
    """The demo's open round (what `make run` shows): seed 000's, 002's and 004's indicators, every kind of card."""
    krs.demo.seed()
    indicators.demo.seed()
    reporting.demo.seed()
    return current_round(rounds_for_office(Office.objects.get(code="1001")))


# Every text the check covers, with the content width (the cell less its padding) the text is set in.
MEASURE = """() => {
  const kinds = {name: '.indicator-row > th', label: '.variable-row > .variable-label',
                 instruction: '.variable-row > .variable-unit'};
  const cards = [...document.querySelectorAll('.entry-block')];
  const texts = [];
  for (const card of cards) for (const [kind, selector] of Object.entries(kinds))
    for (const el of card.querySelectorAll(selector)) {
    if (!el.textContent.trim() || !el.checkVisibility()) continue;
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    texts.push({code: card.dataset.code, kind, text: el.textContent.trim().slice(0, 40),
                width: box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
                fontSize: parseFloat(style.fontSize)});
  }
  return {cards: cards.length, texts, pageHeight: document.scrollingElement.scrollHeight,
          scrollWidth: document.scrollingElement.scrollWidth};
}"""


def phone_or_desktop(browser, live_server, username, width):
    mobile = width < 768
    context = browser.new_context(locale="th-TH", viewport={"width": width, "height": PHONE_HEIGHT if mobile else 800},
                                  is_mobile=mobile, has_touch=mobile,
                                  # Bootstrap scrolls smoothly otherwise: scrollIntoView would return before arriving.
                                  reduced_motion="reduce")
    page = context.new_page()
    log_in(page, live_server, username)
    return context, page


def box_within_screen(page, locator) -> None:
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box is not None and box["width"] > 0, "not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (box, viewport)
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (box, viewport)


@pytest.mark.parametrize("width", [390, 360, 1280])
def test_the_entry_page_sets_no_text_narrow_and_keeps_instructions_and_save_on_screen(
    browser, live_server, screenshot_dir, demo_round, width
):
    context, page = phone_or_desktop(browser, live_server, "bkk1", width)
    page.goto(f"{live_server.url}/reporting/rounds/{demo_round.pk}/")
    page.evaluate("document.fonts.ready")
    measured = page.evaluate(MEASURE)

    assert measured["cards"] > 20
    # Against the width asked for: a mobile browser widens its layout viewport (innerWidth) to fit wide content.
    assert measured["scrollWidth"] <= width, "the page scrolls sideways"
    narrow = [t for t in measured["texts"] if t["width"] < MIN_CHARACTERS * EM_PER_CHARACTER * t["fontSize"]]
    assert narrow == []
    assert {t["kind"] for t in measured["texts"]} == {"name", "label", "instruction"}  # none of them hidden

    # 11.3: one yes/no variable whose instruction says what to type; it is visible, then saved through htmx.
    i113 = entry_block(page, "11.3")
    instruction = i113.locator(".variable-unit").first
    assert "กรอก 1" in instruction.inner_text()
    i113.get_by_test_id("input-A").scroll_into_view_if_needed()
    box_within_screen(page, instruction)
    box_within_screen(page, i113.get_by_test_id("input-A"))
    box_within_screen(page, i113.get_by_test_id("save"))
    i113.get_by_test_id("input-A").fill("1")
    i113.get_by_test_id("save").click()
    i113.get_by_test_id("saved").wait_for()
    assert i113.get_attribute("data-status") == "awaiting"
    assert Entry.objects.get(office__code="1001", indicator__code="11.3", round=demo_round).status == "awaiting"
    box_within_screen(page, i113.get_by_test_id("score"))
    box_within_screen(page, i113.locator(".indicator-row [data-status]").first)
    # The saved fragment replaced the card and is laid out as one.
    assert page.evaluate(MEASURE)["scrollWidth"] <= width

    if width < 768:
        assert measured["pageHeight"] / measured["cards"] <= MAX_PHONE_HEIGHT_PER_INDICATOR, measured["pageHeight"]
        # The tallest card, scrolled to its top: its save button is still at the bottom of the screen.
        tallest = page.evaluate("""() => { const cards = [...document.querySelectorAll('.entry-block.is-editable')]
            .filter(c => c.querySelector('[data-testid=save]'));
          cards.sort((a, b) => b.offsetHeight - a.offsetHeight); return [cards[0].dataset.code, cards[0].offsetHeight]; }""")
        assert tallest[1] > PHONE_HEIGHT
        card = entry_block(page, tallest[0])
        card.evaluate("el => el.scrollIntoView({block: 'start'})")
        box_within_screen(page, card.get_by_test_id("save"))
    if width in (390, 1280):
        i113.evaluate("el => { el.scrollIntoView({block: 'start'}); window.scrollBy(0, -8); }")
        page.screenshot(path=str(screenshot_dir / f"entry-page-{width}.png"))
    context.close()


def test_the_bureau_queue_keeps_its_action_button_on_a_phone_screen(
    browser, live_server, screenshot_dir, demo_round
):
    context, page = phone_or_desktop(browser, live_server, "finance", 390)
    page.goto(f"{live_server.url}/certification/?round={demo_round.pk}")
    buttons = page.get_by_test_id("open")
    assert buttons.count() > 5
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    rights = buttons.evaluate_all("els => els.map(el => el.getBoundingClientRect().right)")
    lefts = buttons.evaluate_all("els => els.map(el => el.getBoundingClientRect().left)")
    assert max(rights) <= 390 and min(lefts) >= 0
    first = page.get_by_test_id("queue-entry").first
    first.scroll_into_view_if_needed()
    box_within_screen(page, first.get_by_test_id("open"))
    page.get_by_test_id("queue").evaluate("el => { el.scrollIntoView({block: 'start'}); window.scrollBy(0, -8); }")
    page.screenshot(path=str(screenshot_dir / "queue-390.png"))
    first.get_by_test_id("open").click()
    page.wait_for_url("**/certification/entries/**")
    context.close()

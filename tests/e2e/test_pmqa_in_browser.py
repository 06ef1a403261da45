"""PMQA 2565 (seed 004) in a real browser: a district answers an item in writing at a level with a response form in
its slot; สตผ. enters the category-6 group on its grid; the district sees categories 4 and 6 filled in from elsewhere
with their sources; it proposes its category-7 indicators (a duplicate is refused in Thai) with the result form; the
bureaus certify (the result beside the form); the PMQA total shows in the scorecard and the national results."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attachments.demo import pdf_bytes
from reports.scorecard import scorecard
from tests.e2e.test_foundation_in_browser import log_in
from tests.reporting.pmqa_fixtures import pmqa_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    world = pmqa_world()
    # KPI 4.1.2 (central data of สวก.) and KPI 8 (the district's), certified: category 4 has its sources.
    world.values("1001", "4.1.2", "academic", A=100, B=100)  # 100 % → 5
    world.values("1001", "8", "bkk1", A=8, B=10)  # 80 % → 3
    world.certify("1001", "4.1.2")
    world.certify("1001", "8")
    return world


def block(page, code):
    return page.locator(f'[data-testid="entry"][data-code="{code}"]')


def files_of(page, entry):
    return page.locator(f'[data-testid="files"][data-entry="{entry.pk}"]')


def attach(page, entry, slot: str, name: str, lines: list[str]) -> None:
    files = files_of(page, entry)
    files.get_by_test_id("attach").locator("summary").click()
    files.get_by_test_id("slot-select").select_option(slot)
    files.get_by_test_id("file-input").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes(lines)})
    files.get_by_test_id("attach-submit").click()
    files_of(page, entry).get_by_test_id("files-notice").wait_for()


def test_a_district_answers_pmqa_sees_derived_categories_proposes_category_7_and_the_total_is_reported(
        page, live_server, screenshot_dir, world):
    round_ = world.round
    entry_page = f"{live_server.url}/reporting/rounds/{round_.pk}/"

    # สตผ. enters district 1001's category-6 group on its grid (ข้อมูลส่วนกลาง) and certifies it.
    six = world.entry("1001", "6")
    log_in(page, live_server, "monitoring")
    page.goto(f"{live_server.url}/reporting/central/{round_.pk}/{six.indicator_id}/")
    page.get_by_test_id("level-1001").select_option(label="Advance (กลุ่ม B)")
    page.get_by_test_id("save").click()
    page.get_by_test_id("level-1001").wait_for()
    page.screenshot(path=str(screenshot_dir / "pmqa-category6-grid.png"), full_page=False)
    page.goto(f"{live_server.url}/certification/entries/{six.pk}/")
    page.get_by_test_id("certify").click()
    page.get_by_test_id("official-score").get_by_text("4.00000").wait_for()

    # The district answers item 1.1: a level (the criteria beside each), its answer, a link; then the response form.
    page.context.clear_cookies()
    log_in(page, live_server, "bkk1")
    page.goto(entry_page)
    item = block(page, "1.1")
    assert "ผอ.สพท. สร้างความยั่งยืนให้องค์กร" in item.inner_text()  # Basic's criteria, seed 004
    item.get_by_test_id("level-advance").check()
    item.get_by_test_id("answer").fill("ผอ.สพท. สื่อสารนโยบายผ่านระบบประชุมออนไลน์ทุกเดือน และทบทวนปัญหาร่วมกันทุกไตรมาส")
    item.get_by_test_id("links").fill("https://www.example.go.th/pmqa/1.1")
    item.get_by_test_id("save").click()
    block(page, "1.1").get_by_test_id("saved").wait_for()
    item = block(page, "1.1")
    assert item.get_attribute("data-status") == "awaiting"
    assert item.get_by_test_id("score").inner_text() == "4.0000"
    answer = world.entry("1001", "1.1")
    attach(page, answer, "form", "แบบฟอร์มตอบประเด็น 1.1.pdf", ["PMQA 2565 response form, item 1.1"])
    slot = files_of(page, answer).locator('[data-testid="slot"][data-slot="form"]')
    assert slot.get_attribute("data-count") == "1"
    assert "แบบฟอร์มตอบประเด็น" in files_of(page, answer).get_by_test_id("file-slot").inner_text()
    block(page, "1.1").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "pmqa-item.png"), full_page=False)

    # Categories 4 and 6 are filled in from elsewhere, read-only, with where they come from.
    derived = page.locator('[data-testid="derived"][data-code="4"]')
    assert derived.get_by_test_id("derived-level").inner_text() == "Advance"
    assert derived.get_by_test_id("derived-score").inner_text() == "4.0000"
    assert "4.4000" in derived.get_by_test_id("derived-weighted").inner_text()  # 70 % × 5 + 30 % × 3
    # the entry page: 4 decimals, like the score it makes
    assert [s.inner_text() for s in derived.get_by_test_id("source-score").all()] == ["5.0000", "3.0000"]
    assert derived.locator("input, textarea, select").count() == 0
    six_block = block(page, "6")
    assert six_block.get_by_test_id("central-level").inner_text() == "Advance (กลุ่ม B)"
    assert "สตผ." in six_block.get_by_test_id("central-source").inner_text()
    assert six_block.get_by_test_id("save").count() == 0
    derived.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "pmqa-derived.png"), full_page=False)

    # Category 7: the district proposes its own indicators; the same one in a second dimension is refused in Thai.
    seven = block(page, "7.1")
    seven.get_by_test_id("kpi-name").fill("ร้อยละความพึงพอใจของผู้รับบริการ")
    seven.get_by_test_id("kpi-unit").select_option("percent")
    seven.get_by_test_id("kpi-same").check()
    seven.get_by_test_id("input-A").fill("92")
    seven.get_by_test_id("input-B").fill("90")
    seven.get_by_test_id("input-C").fill("88.5")
    seven.get_by_test_id("save").click()
    block(page, "7.1").get_by_test_id("saved").wait_for()
    assert block(page, "7.1").get_attribute("data-status") == "awaiting"
    second = block(page, "7.2")
    second.get_by_test_id("kpi-name").fill("ร้อยละความพึงพอใจของผู้รับบริการ")
    second.get_by_test_id("kpi-unit").select_option("percent")
    second.get_by_test_id("input-A").fill("80")
    second.get_by_test_id("input-B").fill("85")
    second.get_by_test_id("save").click()
    error = block(page, "7.2").get_by_test_id("error-kpi-name")
    error.wait_for()
    assert "เสนอไว้แล้วในมิติ 7.1" in error.inner_text() and "ซ้ำในมิติอื่นไม่ได้" in error.inner_text()
    block(page, "7.2").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "pmqa-category7-duplicate.png"), full_page=False)
    assert world.entry("1001", "7.2").status == "not_reported"
    second = block(page, "7.2")
    second.get_by_test_id("kpi-name").fill("ร้อยละของผู้ปกครองที่เข้าร่วมเครือข่าย")
    second.get_by_test_id("save").click()
    block(page, "7.2").get_by_test_id("saved").wait_for()
    result = world.entry("1001", "7.1")
    attach(page, result, "result_form", "แบบฟอร์มผลลัพธ์หมวด 7.pdf", ["Category 7 form: 7.1 result 92, target 90"])

    # The bureau certifies item 1.1 and, with the result beside the attached form, dimension 7.1.
    page.context.clear_cookies()
    log_in(page, live_server, "planning")
    page.goto(f"{live_server.url}/certification/entries/{answer.pk}/")
    assert "สื่อสารนโยบายผ่านระบบประชุมออนไลน์" in page.get_by_test_id("pmqa-answer").inner_text()
    page.get_by_test_id("certify").click()
    page.get_by_test_id("official-score").get_by_text("4.00000").wait_for()
    page.goto(f"{live_server.url}/certification/entries/{result.pk}/")
    proposal = page.get_by_test_id("pmqa-proposal")
    assert proposal.get_by_test_id("proposal-A").inner_text() == "92"
    assert proposal.get_by_test_id("proposal-form").inner_text() == "แบบฟอร์มผลลัพธ์หมวด 7.pdf"
    proposal.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "pmqa-review-category7.png"), full_page=False)
    page.get_by_test_id("certify").click()
    page.get_by_test_id("official-score").get_by_text("5.00000").wait_for()
    assert world.entry("1001", "7.1").status == "certified"

    # The PMQA total: in the district's scorecard and in the national results, as a framework of its own.
    office = answer.office
    expected = scorecard(office=office, round_=round_, framework_id=world.framework.pk)
    page.context.clear_cookies()
    log_in(page, live_server, "executive")
    page.goto(f"{live_server.url}/reports/scorecard/{office.pk}/{round_.pk}/?framework={world.framework.pk}")
    card = page.get_by_test_id("scorecard")
    overall = card.get_by_test_id("overall").get_attribute("data-value")
    assert Decimal(overall) == expected.overall > Decimal(1)
    category_4 = card.locator('[data-testid="line"][data-kind="indicator"][data-code="4"]')
    assert category_4.get_attribute("data-score") == "4.00000"
    assert card.locator('[data-testid="line"][data-kind="group"][data-code="6"]').get_attribute("data-score") == "4.00000"
    page.screenshot(path=str(screenshot_dir / "pmqa-scorecard.png"), full_page=True)
    page.goto(f"{live_server.url}/reports/national/?round={round_.pk}&framework={world.framework.pk}")
    row = page.locator('[data-testid="rank-row"][data-office="1001"]')
    assert row.get_attribute("data-overall") == overall
    page.screenshot(path=str(screenshot_dir / "pmqa-national.png"), full_page=False)

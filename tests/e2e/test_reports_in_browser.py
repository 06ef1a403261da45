"""In a real browser, as an executive: the national results of a round in which the districts stand apart, sorted
and filtered, downloaded as XLSX, and each district's scorecard (page and PDF) giving the same overall score."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.models import Entry
from tests.e2e.test_foundation_in_browser import log_in
from tests.e2e.test_reporting_in_browser import twelve_month_round_open  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CERTIFIED = Entry.Status.CERTIFIED


@pytest.fixture
def round_with_results(twelve_month_round_open):  # noqa: F811
    """The 12-month round with each district's entries in every status and certified scores that differ by district.

    District n (in code order, 0–13) has its first 1 + n % 4 indicators certified at 1.5 + n × 0.25, the next one
    awaiting and the next rejected; the rest stay not reported (counted 1.00000)."""
    round_ = twelve_month_round_open
    by_office: dict[int, list[int]] = {}
    for entry_id, office_id in (Entry.objects.filter(round=round_).order_by("office__code", "indicator__order",
                                                                             "indicator__code")
                                .values_list("pk", "office_id")):
        by_office.setdefault(office_id, []).append(entry_id)
    for n, ids in enumerate(by_office.values()):
        score, k = Decimal("1.5") + n * Decimal("0.25"), 1 + n % 4
        Entry.objects.filter(pk__in=ids[:k]).update(status=CERTIFIED, official_score=score, self_score=score)
        Entry.objects.filter(pk__in=ids[k:k + 1]).update(status=Entry.Status.AWAITING, self_score=Decimal(4))
        Entry.objects.filter(pk__in=ids[k + 1:k + 2]).update(status=Entry.Status.REJECTED, self_score=Decimal(2))
    return round_


def ranking_rows(page) -> list[dict]:
    rows = page.get_by_test_id("rank-row")
    return [{"office": row.get_attribute("data-office"), "overall": Decimal(row.get_attribute("data-overall")),
             "rank": int(row.get_attribute("data-rank"))} for row in rows.all()]


def test_an_executive_sorts_filters_and_downloads_and_every_number_matches_the_scorecards(
    page, live_server, screenshot_dir, round_with_results
):
    round_ = round_with_results
    log_in(page, live_server, "executive")
    page.get_by_test_id("nav").get_by_role("link", name="ผลระดับประเทศ").click()
    page.get_by_test_id("ranking").wait_for()
    rows = ranking_rows(page)
    assert len(rows) == 14  # every demo district, primary and secondary
    # Ranked by overall score, best first; the ranks follow the scores.
    assert [r["overall"] for r in rows] == sorted((r["overall"] for r in rows), reverse=True)
    assert rows[0]["rank"] == 1 and len({r["overall"] for r in rows}) > 1

    # Sort by code (a header link), then by overall score from the lowest: the same rows, reordered.
    page.get_by_test_id("ranking").locator('a[data-sort="code"]').click()
    page.wait_for_url("**sort=code**")
    by_code = ranking_rows(page)
    assert [r["office"] for r in by_code] == sorted(r["office"] for r in rows)
    page.get_by_test_id("ranking").locator('a[data-sort="overall"]').click()  # best first
    page.wait_for_url("**sort=-overall**")
    page.get_by_test_id("ranking").locator('a[data-sort="overall"]').click()  # again: the other way round
    page.wait_for_url("**sort=overall**")
    lowest_first = ranking_rows(page)
    assert [r["overall"] for r in lowest_first] == sorted(r["overall"] for r in rows)
    assert page.get_by_test_id("ranking").locator('th[aria-sort="ascending"]').count() == 1

    # Filter to secondary districts (สพม.): only 2xxx, still ranked among themselves.
    page.get_by_test_id("national-filter").locator("#kind").select_option("secondary")
    page.get_by_test_id("national-filter").get_by_role("button", name="แสดง").click()
    page.wait_for_url("**kind=secondary**")
    secondary = ranking_rows(page)
    assert secondary and all(r["office"].startswith("2") for r in secondary)
    assert {r["office"]: r["overall"] for r in secondary} == {r["office"]: r["overall"] for r in rows
                                                               if r["office"].startswith("2")}
    page.screenshot(path=str(screenshot_dir / "reports-national-filtered.png"), full_page=True)

    # The XLSX of this very view: the same districts, in the same order, with the same scores, as numbers.
    with page.expect_download() as download:
        page.get_by_test_id("export-ranking").get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][1] == "รหัสหน่วยงาน" and table[0][4] == "คะแนนรวมถ่วงน้ำหนัก"
    assert [(row[1], Decimal(str(row[4])).quantize(Decimal("0.00001"))) for row in table[1:]] == [
        (r["office"], r["overall"]) for r in secondary]
    assert all(isinstance(row[4], (int, float)) for row in table[1:])

    # Each secondary district's scorecard gives the overall score the ranking and the XLSX gave.
    for row in secondary:
        page.locator(f'[data-testid="rank-row"][data-office="{row["office"]}"]').get_by_role(
            "link", name="ผลการประเมิน").click()
        overall = page.get_by_test_id("scorecard").get_by_test_id("overall")
        assert Decimal(overall.get_attribute("data-value")) == row["overall"], row["office"]
        page.go_back()
        page.get_by_test_id("ranking").wait_for()

    # The best secondary district's scorecard: the page, its counts, and the PDF with the same overall score.
    best = secondary[0]
    page.locator(f'[data-testid="rank-row"][data-office="{best["office"]}"]').get_by_role(
        "link", name="ผลการประเมิน").click()
    scorecard = page.get_by_test_id("scorecard")
    certified_lines = scorecard.locator('[data-testid="line"][data-kind="indicator"]')
    entries = Entry.objects.filter(round=round_, office__code=best["office"])
    certified = {e.indicator.code: e.official_score for e in entries.filter(status=CERTIFIED).select_related("indicator")}
    shown = {line.get_attribute("data-code"): line.get_attribute("data-score") for line in certified_lines.all()}
    for code, score in certified.items():
        assert Decimal(shown[code]) == score, code  # a certified entry counts its official score
    assert all(Decimal(score) == 1 for code, score in shown.items() if code not in certified and score)
    counts = page.get_by_test_id("scorecard-counts")
    for status in (CERTIFIED, Entry.Status.AWAITING, Entry.Status.REJECTED, Entry.Status.NOT_REPORTED):
        assert counts.locator(f'[data-count="{status}"]').inner_text() == str(entries.filter(status=status).count())
    page.screenshot(path=str(screenshot_dir / "reports-scorecard.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_test_id("pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert f"{best['overall']:.5f}" in text
    for score in certified.values():
        assert f"{score:.5f}" in text

    # The printable page the PDF is made from, as printed (A4 stylesheet), for the screenshot.
    page.get_by_test_id("print").click()
    page.get_by_test_id("print-scorecard").wait_for()
    assert Decimal(page.get_by_test_id("print-overall").inner_text()) == best["overall"]
    page.emulate_media(media="print")
    page.screenshot(path=str(screenshot_dir / "reports-scorecard-print.png"), full_page=True)

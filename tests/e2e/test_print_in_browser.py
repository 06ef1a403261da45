"""Printing the scorecard in a real browser (Ctrl+P is Chromium's print to PDF): the sheet holds the report and
nothing of the page around it, a short framework fits on few pages, the grand total is printed once; the PDF made
by WeasyPrint from the same printable page is as short."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from indicators.models import Framework, Indicator, Round
from krs.models import Office
from reporting.services import round_open
from tests.e2e.test_foundation_in_browser import log_in
from tests.reporting.pmqa_fixtures import pmqa_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTAL = "คะแนนรวมถ่วง"  # of "คะแนนรวมถ่วงน้ำหนัก": Chromium's own PDF text layer garbles น้ำ


@pytest.fixture
def world():
    """The demo frameworks, with the 12-month rounds of the agreement (2569) and of PMQA (2565) open."""
    world = pmqa_world()
    now = timezone.now()
    agreement = Round.objects.get(fiscal_year__year=2569, months=12)
    Round.objects.filter(pk=agreement.pk).update(opens_at=now - timedelta(days=3), deadline=now + timedelta(days=5),
                                                 certification_deadline=now + timedelta(days=30), late_until=None)
    agreement.refresh_from_db()
    round_open(round_=agreement)
    return world


def printed(page) -> PdfReader:
    """What Ctrl+P gives on A4: Chromium's print to PDF of the page with the print stylesheet."""
    page.emulate_media(media="print")
    return PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))


def flat(text: str) -> str:
    return "".join(text.split())


def text_of(reader: PdfReader) -> str:
    return "".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(("code", "max_pages"), [("AGR-2569", 2), ("PMQA-2565", 6)])
def test_the_scorecard_prints_as_a_report_on_few_pages_with_the_total_once(page, live_server, screenshot_dir, world, code,
                                                                          max_pages):
    framework = Framework.objects.get(code=code)
    round_ = Round.objects.get(fiscal_year=framework.fiscal_year, months=12)
    office = Office.objects.get(code="1001")
    query = f"?framework={framework.pk}"
    log_in(page, live_server, "bkk1")

    page.goto(f"{live_server.url}/reports/scorecard/{office.pk}/{round_.pk}/{query}")
    page.get_by_test_id("scorecard-filter").wait_for()
    indicators = page.locator('[data-testid="line"][data-kind="indicator"]').count()
    sheet = printed(page)
    assert page.get_by_test_id("scorecard-filter").is_hidden()  # Bootstrap's d-flex loses to d-print-none
    assert len(sheet.pages) <= max_pages, f"{indicators} indicators on {len(sheet.pages)} pages"
    totals = page.locator("main").inner_text().count(TOTAL)
    assert text_of(sheet).count(TOTAL) == totals  # each total as often as on the page: not again on every page
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=str(screenshot_dir / f"scorecard-printed-{code}.png"))

    page.goto(f"{live_server.url}/reports/scorecard/{office.pk}/{round_.pk}/print/{query}")
    page.get_by_test_id("print-scorecard").wait_for()
    sheet = printed(page)
    assert len(sheet.pages) <= max_pages, f"{indicators} indicators on {len(sheet.pages)} pages"
    totals = page.locator("main").inner_text().count(TOTAL)
    assert text_of(sheet).count(TOTAL) == totals

    response = page.request.get(f"{live_server.url}/reports/scorecard/{office.pk}/{round_.pk}/pdf/{query}")
    assert response.ok
    pdf = PdfReader(io.BytesIO(response.body()))
    assert len(pdf.pages) <= max_pages, f"{indicators} indicators on {len(pdf.pages)} pages"
    assert text_of(pdf).count(TOTAL) == totals
    name = f"scorecard-1001-{framework.fiscal_year.year}-12m-{code}.pdf"
    assert response.headers["content-disposition"].startswith(f'attachment; filename="{name}"')
    # The PDF's text layer is the Thai that was printed (WeasyPrint, reports/pdf_text.py): only whitespace differs.
    text = flat(text_of(pdf))
    for printed_text in [office.name_th, "น้ำหนัก", TOTAL, framework.name,
                         *Indicator.objects.filter(framework=framework).values_list("name", flat=True)]:
        assert flat(printed_text) in text, printed_text

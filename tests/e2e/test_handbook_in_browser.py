"""A district reads the handbook of a published framework from the menu, on a phone and on a desktop."""

from __future__ import annotations

import pytest

from indicators.models import Framework, Indicator
from krs.demo import seed_offices_and_users
from tests.e2e.test_foundation_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A KPI template typed by an administrator (seed 002, slide 53, lists these fields).
TEMPLATE = {
    "definition": "โรงเรียนวิถีพุทธ หมายถึง โรงเรียนที่นำหลักพุทธธรรมมาใช้ในการบริหารและการจัดการเรียนรู้",
    "formula_text": "จำนวนโรงเรียนวิถีพุทธที่ผ่านการประเมิน หารด้วยจำนวนโรงเรียนวิถีพุทธทั้งหมด คูณ 100",
    "conditions": "นับเฉพาะโรงเรียนที่ลงทะเบียนเป็นโรงเรียนวิถีพุทธก่อนต้นปีงบประมาณ",
    "baseline": "ปีงบประมาณ 2568 ร้อยละ 82.40",
    "data_source": "สพท. รวบรวมผลการประเมินของโรงเรียนในสังกัด และรายงานผ่านระบบ",
    "supervisor_name": "ผู้อำนวยการกลุ่มนิเทศ ติดตามและประเมินผลการจัดการศึกษา",
    "supervisor_phone": "02-288-5511",
    "collector_name": "ศึกษานิเทศก์ผู้รับผิดชอบโครงการโรงเรียนวิถีพุทธ",
    "collector_phone": "081-234-5678",
}


def test_a_district_reads_the_kpi_templates_at_phone_and_desktop_width(page, live_server, screenshot_dir):
    from indicators.demo import seed as seed_frameworks

    seed_offices_and_users()
    seed_frameworks()
    framework = Framework.objects.filter(code="AGR-2569", status=Framework.Status.PUBLISHED).order_by("fiscal_year__year").first()
    Indicator.objects.filter(framework=framework, code="11.4").update(**TEMPLATE)
    log_in(page, live_server, "bkk1")

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="เปิด/ปิดเมนู").click()
    page.get_by_role("link", name="คู่มือตัวชี้วัด").first.click()
    page.wait_for_url("**/reports/handbook/")
    page.locator(f"a[href='/reports/handbook/{framework.pk}/']").click()
    page.wait_for_url(f"**/reports/handbook/{framework.pk}/")

    templates = page.get_by_test_id("kpi-template")
    assert templates.count() == framework.indicators.count()
    first = page.locator("section.krs-kpi", has_text="11.4")
    for value in TEMPLATE.values():
        assert value in first.inner_text()
    # Nothing wider than the phone: the page scrolls down, never sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Bootstrap scrolls smoothly; the picture is taken where the scroll ends, at the indicator's heading.
    first.evaluate("el => window.scrollTo({top: el.getBoundingClientRect().top + window.scrollY - 12, behavior: 'instant'})")
    page.screenshot(path=str(screenshot_dir / "handbook-390.png"))

    page.set_viewport_size({"width": 1280, "height": 900})
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    page.screenshot(path=str(screenshot_dir / "handbook-1280.png"))

    with page.expect_download() as download:
        page.get_by_test_id("pdf").click()
    assert download.value.suggested_filename == f"handbook-AGR-2569-{framework.fiscal_year.year}.pdf"

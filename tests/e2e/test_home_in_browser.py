"""The district's and the bureau's home in a real browser, at phone and desktop width."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from krs.models import Office, Role
from reporting.models import Entry
from tests.certification.test_home import district_file, flag, reject, set_status
from tests.conftest import PASSWORD, make_office, make_user
from tests.reporting.factories import open_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")


def test_the_district_and_bureau_homes_show_where_they_stand(page, live_server, screenshot_dir):
    district = make_office("1001", Office.Kind.PRIMARY, "สำนักงานเขตพื้นที่การศึกษาประถมศึกษากรุงเทพมหานคร")
    other = make_office("2001", Office.Kind.PRIMARY, "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเชียงใหม่ เขต 1")
    bureau = make_office("B01", Office.Kind.BUREAU, "สำนักการคลังและสินทรัพย์")
    reporter = make_user("district1", district, Role.DISTRICT_REPORTER, first_name="สมชาย", last_name="ใจดี")
    certifier = make_user("certifier1", bureau, Role.BUREAU_CERTIFIER, first_name="สมหญิง", last_name="รักงาน")
    world = open_world(bureau=bureau)
    now = timezone.now()
    reject(world.entry(district, world.quantitative), certifier, fix_deadline=now + timedelta(days=3),
           comment="จำนวนโรงเรียนไม่ตรงกับเอกสารแนบ")
    set_status(world.entry(district, world.pass_fail), Entry.Status.CERTIFIED, official_score=5, reported_at=now)
    flag(world.entry(district, world.rubric), "district", certifier)
    for n, (office, indicator) in enumerate([(other, world.quantitative), (other, world.pass_fail),
                                             (district, world.milestone)]):
        entry = set_status(world.entry(office, indicator), Entry.Status.AWAITING, reported_at=now - timedelta(hours=10 - n))
        district_file(entry, reporter, f"หลักฐาน-{indicator.code}.pdf")
    flag(world.entry(other, world.pass_fail), "bureau", reporter)

    for who, user, section in (("district", reporter, "section-report"), ("bureau", certifier, "section-certify")):
        log_in(page, live_server, user.username)
        assert page.get_by_test_id(section).is_visible()
        assert page.get_by_test_id("next-step-link").is_visible()
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.evaluate("document.fonts.ready")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(screenshot_dir / f"home-{who}-{width}.png"), full_page=True)
        page.context.clear_cookies()

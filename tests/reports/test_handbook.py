"""The handbook of a published framework: its page and PDF for every district and bureau, never a draft's."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from indicators.models import Framework, Indicator, MilestoneStep
from tests.indicators.factories import fiscal_year_2569, framework, group, quantitative
from tests.reports.test_pdf import bare

pytestmark = pytest.mark.django_db

TEMPLATE = {
    "description": "ตัวชี้วัดที่จัดเก็บข้อมูลเอง",
    "definition": "โรงเรียนที่ผ่านการประเมินคุณภาพภายนอกรอบสี่",
    "formula_text": "จำนวนโรงเรียนที่ผ่าน หารด้วยจำนวนโรงเรียนทั้งหมด คูณ 100",
    "criteria_text": "เทียบกับค่าเป้าหมายร้อยละ 90",
    "conditions": "นับเฉพาะโรงเรียนที่เปิดสอนครบทุกชั้น",
    "baseline": "ปี 2567 ร้อยละ 84.5",
    "data_source": "ระบบสารสนเทศของสำนักทดสอบทางการศึกษา",
    "supervisor_name": "นางสาวกำกับ ดูแลดี",
    "supervisor_phone": "02-288-5511",
    "collector_name": "นายจัดเก็บ ข้อมูลครบ",
    "collector_phone": "081-234-5678",
}


def published_framework(code: str = "AGR") -> Framework:
    """Two dimensions, a weighted indicator with two sub-indicators, a milestone; 1.1 carries a full KPI template."""
    fw = framework(fiscal_year_2569(), code=code)
    d1, d2 = group(fw, "1", "60"), group(fw, "2", "40")
    parent = Indicator.objects.create(framework=fw, code="1", name="คุณภาพผู้เรียน", weight=Decimal(40), group=d1,
                                      method=Indicator.Method.WEIGHTED)
    first = quantitative(fw, "1.1", "25", parent=parent)
    Indicator.objects.filter(pk=first.pk).update(name="ร้อยละของโรงเรียนที่ผ่านการประเมิน", **TEMPLATE)
    quantitative(fw, "1.2", "15", parent=parent)
    quantitative(fw, "2", "20", group=d1)
    milestone = Indicator.objects.create(framework=fw, code="3", name="การจัดทำแผนปฏิบัติการ", weight=Decimal(40), group=d2,
                                         method=Indicator.Method.MILESTONE)
    MilestoneStep.objects.create(indicator=milestone, number=1, description="แต่งตั้งคณะทำงานจัดทำแผน")
    fw.status, fw.published_at = Framework.Status.PUBLISHED, timezone.now()
    fw.save(update_fields=["status", "published_at"])
    return fw


def page(client, fw):
    return client.get(reverse("reports:handbook", args=[fw.pk]))


@pytest.mark.parametrize("persona", ["district_user", "certifier", "executive", "admin_user"])
def test_districts_bureaus_executives_and_administrators_read_the_handbook(client, request, persona):
    fw = published_framework()
    client.force_login(request.getfixturevalue(persona))
    response = page(client, fw)
    assert response.status_code == 200
    body = response.content.decode()
    # The structure with its weights: groups, indicators, sub-indicators in parentheses.
    assert "มิติ 1 : มิติ 1" in body and "มิติ 2 : มิติ 2" in body
    assert "คุณภาพผู้เรียน" in body and "(25)" in body and "(15)" in body
    # Every field of the KPI template.
    for value in TEMPLATE.values():
        assert value in body, value
    assert 'href="tel:022885511"' in body and 'href="tel:0812345678"' in body
    assert "A / B * 100" in body and "ตัวตั้ง" in body  # the formula with its variables
    assert "แต่งตั้งคณะทำงานจัดทำแผน" in body  # a milestone's steps are its criteria
    assert body.count('data-testid="kpi-template"') == 5  # every indicator, the weighted parent included
    assert reverse("reports:handbook_pdf", args=[fw.pk]) in body


@pytest.mark.parametrize("name", ["reports:handbook", "reports:handbook_pdf"])
def test_a_draft_framework_has_no_handbook(client, district_user, admin_user, name):
    fw = published_framework()
    fw.status = Framework.Status.DRAFT
    fw.save(update_fields=["status"])
    for user in (district_user, admin_user):
        client.force_login(user)
        assert client.get(reverse(name, args=[fw.pk])).status_code == 404


def test_the_list_shows_published_frameworks_only(client, certifier):
    published = published_framework()
    draft = framework(published.fiscal_year, code="DRAFT")
    client.force_login(certifier)
    body = client.get(reverse("reports:handbook_list")).content.decode()
    assert reverse("reports:handbook", args=[published.pk]) in body
    assert reverse("reports:handbook", args=[draft.pk]) not in body


def test_the_menu_leads_to_the_handbook(client, district_user):
    client.force_login(district_user)
    body = client.get(reverse("home")).content.decode()
    assert reverse("reports:handbook_list") in body and "คู่มือตัวชี้วัด" in body


@pytest.mark.parametrize("name", ["reports:handbook", "reports:handbook_pdf"])
def test_anonymous_users_are_sent_to_log_in(client, name):
    fw = published_framework()
    response = client.get(reverse(name, args=[fw.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_page_reads_in_a_constant_number_of_queries(client, district_user, django_assert_num_queries):
    fw = published_framework()
    client.force_login(district_user)
    page(client, fw)  # warm the session
    # session, the user with its office, the framework with its fiscal year, framework_tree (8), the menu's unread count
    with django_assert_num_queries(12):
        assert page(client, fw).status_code == 200
    for n in range(3, 8):  # more indicators, each with variables and thresholds: the same queries
        quantitative(fw, f"2.{n}", "0", group=fw.groups.get(code="1"))
    with django_assert_num_queries(12):
        assert page(client, fw).status_code == 200


def test_the_pdf_is_the_handbook_named_by_code_and_year(client, certifier):
    fw = published_framework(code="KPI-OBEC")
    client.force_login(certifier)
    response = client.get(reverse("reports:handbook_pdf", args=[fw.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert 'filename="handbook-KPI-OBEC-2569.pdf"' in response["Content-Disposition"]
    text = bare("".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages))
    for expected in ("คู่มือตัวชี้วัด", "ร้อยละของโรงเรียนที่ผ่านการประเมิน", "คุณภาพผู้เรียน", "การจัดทำแผนปฏิบัติการ",
                     "ตัวชี้วัด 1.2", TEMPLATE["definition"], TEMPLATE["supervisor_phone"], TEMPLATE["collector_name"]):
        assert bare(expected) in text, expected

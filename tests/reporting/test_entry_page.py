"""The entry page (บันทึกข้อมูล): what a district sees, and who may see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import Round
from reporting.models import Entry
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(district, other_district, bureau):
    return open_world(bureau=bureau)


def page_url(world):
    return reverse("reporting:entry_page", args=[world.round.pk])


def test_the_menu_takes_a_district_to_its_current_round(client, district_user, world):
    client.force_login(district_user)
    response = client.get(reverse("reporting:entry_current"))
    assert response.status_code == 302
    assert response["Location"] == page_url(world)


def test_it_shows_every_indicator_with_its_variables_and_what_can_be_typed(client, district_user, world):
    client.force_login(district_user)
    response = client.get(page_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6"):
        assert f'data-code="{code}"' in html
    q = world.quantitative.variables.get(code="A")
    assert f'name="v{q.pk}"' in html  # the district types its own variables
    central = world.central.variables.get(code="A")
    assert f'name="v{central.pk}"' not in html  # a central variable is not an input
    assert "ไม่มีข้อมูลส่วนกลาง" in html
    assert "ยังไม่ส่งรายงานในรอบนี้" in html  # 1.6's B is reported in the 12-month round only
    assert 'data-testid="step-1"' in html and 'data-testid="level-basic"' in html
    # Four days from now, unless that day is a holiday or a weekend: then the next working day (Round.due_at).
    days_left = (Round.objects.get(pk=world.round.pk).due_at - timezone.now()).days
    assert "เหลือเวลา" in html and f"{days_left} วัน" in html
    assert "มิติ 1 มิติทดสอบ" in html


def test_it_filters_by_status_and_searches_by_code_or_name(client, district_user, district, world):
    Entry.objects.filter(office=district, indicator=world.pass_fail).update(status=Entry.Status.AWAITING)
    client.force_login(district_user)
    html = client.get(page_url(world), {"status": "awaiting"}).content.decode()
    assert 'data-code="1.3"' in html and 'data-code="1.1"' not in html
    html = client.get(page_url(world), {"q": "ขั้นตอน"}).content.decode()
    assert 'data-code="1.4"' in html and 'data-code="1.1"' not in html
    html = client.get(page_url(world), {"q": "1.5"}).content.decode()
    assert 'data-code="1.5"' in html and 'data-code="1.4"' not in html


def test_a_closed_round_is_shown_read_only(client, district_user, world):
    world.round.opens_at -= timedelta(days=30)
    world.round.deadline = world.round.opens_at + timedelta(days=2)
    world.round.save()
    client.force_login(district_user)
    html = client.get(page_url(world)).content.decode()
    assert "ปิดรับรายงานรอบนี้แล้ว" in html
    assert 'data-testid="save"' not in html
    assert 'data-testid="input-A"' not in html


@pytest.mark.parametrize("persona", ["certifier", "admin_user", "executive"])
def test_other_roles_are_refused(client, request, world, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(page_url(world)).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, world):
    response = client.get(page_url(world))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_district_never_sees_another_districts_values(client, district_user, other_district, world):
    from reporting.models import Value

    theirs = world.entry(other_district, world.quantitative)
    Value.objects.create(entry=theirs, variable=world.quantitative.variables.get(code="A"), value=987654)
    client.force_login(district_user)
    html = client.get(page_url(world)).content.decode()
    assert "987654" not in html and "987,654" not in html
    assert f'id="entry-{theirs.pk}"' not in html


def test_the_round_switcher_lists_past_rounds_and_shows_them_read_only(client, district_user, district, world):
    from indicators.models import Round
    from reporting.services import round_open

    now = world.round.opens_at
    past = Round.objects.create(
        fiscal_year=world.round.fiscal_year, months=9, name="รอบที่ผ่านมา", period_end=world.round.period_end,
        opens_at=now - timedelta(days=60), deadline=now - timedelta(days=30), certification_deadline=now - timedelta(days=10),
    )
    round_open(round_=past)
    client.force_login(district_user)
    assert client.get(reverse("reporting:entry_current"))["Location"] == page_url(world)  # the open round wins
    html = client.get(page_url(world)).content.decode()
    assert "รอบที่ผ่านมา (ปิดแล้ว)" in html
    html = client.get(reverse("reporting:entry_page", args=[past.pk])).content.decode()
    assert "ปิดรับรายงานรอบนี้แล้ว: ดูได้อย่างเดียว" in html and 'data-testid="save"' not in html


def test_a_round_the_district_has_no_entries_in_is_a_404(client, district_user, world):
    from indicators.models import Round

    elsewhere = Round.objects.create(
        fiscal_year=world.round.fiscal_year, months=3, period_end=world.round.period_end,
        opens_at=world.round.opens_at, deadline=world.round.deadline, certification_deadline=world.round.certification_deadline,
    )
    client.force_login(district_user)
    assert client.get(reverse("reporting:entry_page", args=[elsewhere.pk])).status_code == 404

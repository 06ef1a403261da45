"""The review page's decisions and the bureau's work queue: who may, what they see, what they are told."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from krs.models import Office
from reporting.models import Entry, StatusEvent
from reporting.services import round_open
from tests.conftest import make_office

pytestmark = pytest.mark.django_db
S = Entry.Status


def awaiting(entry, score="4.00000", at=None):
    Entry.objects.filter(pk=entry.pk).update(status=S.AWAITING, self_score=Decimal(score),
                                             reported_at=at or timezone.now())
    entry.refresh_from_db()
    return entry


def local(dt) -> str:
    """A moment as a person types it: day/month/พ.ศ. year and a 24-hour time."""
    moment = timezone.localtime(dt)
    return f"{moment:%d/%m}/{moment.year + 543} {moment:%H:%M}"


@pytest.mark.parametrize(("persona", "code"), [
    ("district_user", 403), ("other_district_user", 404), ("certifier", 302), ("other_certifier", 404),
    ("executive", 403), ("admin_user", 403),
])
def test_who_may_certify(client, request, entry, persona, code):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("certification:certify", args=[entry.pk]))
    assert response.status_code == code
    entry.refresh_from_db()
    assert (entry.status == S.CERTIFIED) == (code == 302)
    if code == 302:
        assert entry.official_score == Decimal("4.00000")


def test_the_review_page_offers_decisions_only_to_the_owning_bureau(client, entry, certifier, district_user, executive):
    url = reverse("certification:review", args=[entry.pk])
    client.force_login(certifier)
    assert 'data-testid="decide"' in client.get(url).content.decode()
    for user in (district_user, executive):
        client.force_login(user)
        assert 'data-testid="decide"' not in client.get(url).content.decode()


def test_a_rejection_needs_a_reason_and_a_future_fix_deadline(client, entry, certifier):
    client.force_login(certifier)
    url = reverse("certification:reject", args=[entry.pk])
    response = client.post(url, {"comment": "  "})
    assert response.status_code == 422 and "ไม่รับรองต้องระบุเหตุผล" in response.content.decode()
    response = client.post(url, {"comment": "ตัวหารไม่ตรง", "fix_deadline": local(timezone.now() - timedelta(hours=1))})
    assert response.status_code == 422 and "กำหนดแก้ไขต้องเป็นเวลาในอนาคต" in response.content.decode()
    assert "ตัวหารไม่ตรง" in response.content.decode()  # what was typed is kept
    assert Entry.objects.get(pk=entry.pk).status == S.AWAITING and not StatusEvent.objects.exists()


def test_a_rejection_with_a_fix_deadline_reaches_the_district_with_its_reason(client, entry, certifier, district_user):
    deadline = timezone.now() + timedelta(days=3)
    client.force_login(certifier)
    response = client.post(reverse("certification:reject", args=[entry.pk]),
                           {"comment": "ตัวหารไม่ตรงกับข้อมูล DMC", "fix_deadline": local(deadline)})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == S.REJECTED
    assert abs(entry.fix_deadline - deadline) < timedelta(minutes=1)
    client.force_login(district_user)
    page = client.get(reverse("reporting:entry_page", args=[entry.round_id])).content.decode()
    block = page[page.index(f'id="entry-{entry.pk}"'):]
    assert "ตัวหารไม่ตรงกับข้อมูล DMC" in block.split('data-testid="files"')[0]
    assert "แก้ไขได้ถึง" in block
    review = client.get(reverse("certification:review", args=[entry.pk])).content.decode()
    assert "ตัวหารไม่ตรงกับข้อมูล DMC" in review


def test_a_second_decision_on_the_same_entry_is_told_what_happened(client, entry, certifier, bureau):
    from tests.conftest import make_user

    colleague = make_user("certifier1b", bureau, "bureau_certifier")
    client.force_login(certifier)
    client.post(reverse("certification:certify", args=[entry.pk]))
    client.force_login(colleague)
    response = client.post(reverse("certification:reject", args=[entry.pk]), {"comment": "ไม่ถูก"}, follow=True)
    assert "รายการนี้อยู่ในสถานะ “รับรองผล”" in response.content.decode()
    assert Entry.objects.get(pk=entry.pk).status == S.CERTIFIED


def test_the_district_sees_the_official_score_once_certified_and_the_self_score_before(client, entry, certifier,
                                                                                       district_user):
    client.force_login(district_user)
    page_url = reverse("reporting:entry_page", args=[entry.round_id])
    page = client.get(page_url).content.decode()
    block = page[page.index(f'id="entry-{entry.pk}"'):].split('data-testid="files"')[0]
    assert "ประเมินตนเอง" in block and 'data-testid="official-score"' not in block
    client.force_login(certifier)
    client.post(reverse("certification:certify", args=[entry.pk]))
    client.force_login(district_user)
    page = client.get(page_url).content.decode()
    block = page[page.index(f'id="entry-{entry.pk}"'):].split('data-testid="files"')[0]
    assert 'data-testid="official-score">4.0000<' in block and "คะแนนที่รับรอง" in block


def test_only_an_administrator_reopens_and_must_say_why(client, entry, certifier, admin_user):
    client.force_login(certifier)
    client.post(reverse("certification:certify", args=[entry.pk]))
    url = reverse("certification:reopen", args=[entry.pk])
    assert client.post(url, {"comment": "ขอแก้"}).status_code == 403
    client.force_login(admin_user)
    assert client.post(url, {"comment": ""}).status_code == 422
    assert client.post(url, {"comment": "สำนักแจ้งว่าตัวเลขผิด"}).status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.official_score) == (S.AWAITING, None)


def test_the_queue_lists_the_bureaus_entries_oldest_report_first_with_counts_and_filters(
        client, world, district, other_district, certifier, other_certifier):
    now = timezone.now()
    late = awaiting(world.entry(district, world.quantitative), at=now)
    early = awaiting(world.entry(other_district, world.quantitative), at=now - timedelta(days=2))
    client.force_login(certifier)
    url = reverse("certification:queue")

    def listed(**params):
        html = client.get(url, params).content.decode()
        return [int(p.split('"')[0]) for p in html.split('data-testid="queue-entry" data-entry="')[1:]]

    assert listed(status="awaiting") == [early.pk, late.pk]
    assert listed(status="awaiting", office=district.code) == [late.pk]
    assert set(listed(indicator=world.pass_fail.pk)) == set(
        Entry.objects.filter(indicator=world.pass_fail, round=world.round).values_list("pk", flat=True))
    html = client.get(url).content.decode()
    assert 'data-count="awaiting">2<' in html
    client.force_login(other_certifier)  # owns nothing in this world
    assert "queue-entry" not in client.get(url).content.decode()


def test_bulk_certify_from_the_queue(client, world, district, other_district, certifier, other_certifier):
    entries = [awaiting(world.entry(office, world.quantitative)) for office in (district, other_district)]
    client.force_login(other_certifier)
    client.post(reverse("certification:bulk_certify"), {"entry": [e.pk for e in entries]})
    assert not Entry.objects.filter(status=S.CERTIFIED).exists()
    client.force_login(certifier)
    response = client.post(reverse("certification:bulk_certify"), {"entry": [e.pk for e in entries] + [999999]},
                           follow=True)
    html = response.content.decode()
    assert "รับรองผลแล้ว 2 รายการ" in html and "ข้ามไป 1 รายการ" in html
    assert Entry.objects.filter(status=S.CERTIFIED).count() == 2


def test_bulk_certify_from_the_queue_asks_for_confirmation_first(client, world, district, other_district, certifier,
                                                                  django_assert_max_num_queries):
    entries = [awaiting(world.entry(office, world.quantitative)) for office in (district, other_district)]
    not_yet = world.entry(district, world.pass_fail)  # not reported: skipped, and said so
    client.force_login(certifier)
    queue = client.get(reverse("certification:queue")).content.decode()
    form = re.search(r'<form[^>]*data-testid="bulk-form"[^>]*>', queue).group(0)
    assert f'action="{reverse("certification:bulk_confirm")}"' in form
    assert f'data-confirmed-action="{reverse("certification:bulk_certify")}"' in form and "{n}" in form
    back = reverse("certification:queue") + "?status=awaiting"
    # Session + user, the ticked entries with their offices and indicators, the menu's unread notifications.
    with django_assert_max_num_queries(4):
        response = client.post(reverse("certification:bulk_confirm"),
                               {"entry": [e.pk for e in entries] + [not_yet.pk], "next": back})
    html = response.content.decode()
    assert response.status_code == 200 and not Entry.objects.filter(status=S.CERTIFIED).exists()
    assert "รับรองผล 2 รายการต่อไปนี้" in html and "ข้ามไป 1 รายการ" in html and other_district.name_th in html
    confirm = html[html.index('data-testid="bulk-confirm-form"'):]
    form = re.search(r'<form[^>]*data-testid="bulk-confirm-form"[^>]*>', html).group(0)
    assert f'action="{reverse("certification:bulk_certify")}"' in form
    assert sorted(int(pk) for pk in re.findall(r'name="entry" value="(\d+)"', confirm)) == sorted(e.pk for e in entries)
    assert f'name="next" value="{back}"' in confirm.replace("&amp;", "&")
    response = client.post(reverse("certification:bulk_certify"), {"entry": [e.pk for e in entries], "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert Entry.objects.filter(status=S.CERTIFIED).count() == 2


def test_bulk_confirmation_with_nothing_ticked_goes_back_to_tick_something(client, world, certifier):
    client.force_login(certifier)
    response = client.post(reverse("certification:bulk_confirm"), {}, follow=True)
    assert "เลือกรายการที่จะรับรองก่อน" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("certification:queue")


def test_the_queue_shows_a_districts_name_in_full_and_a_select_all_box(client, world, certifier):
    zone = make_office("5001", Office.Kind.PRIMARY, "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานครศรีธรรมราช เขต 2")
    round_open(round_=world.round)
    awaiting(world.entry(zone, world.quantitative))
    client.force_login(certifier)
    html = client.get(reverse("certification:queue"), {"office": "5001"}).content.decode()
    assert "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานครศรีธรรมราช เขต 2" in html
    # Shown by static/js/krs.js only: without JavaScript each box is ticked alone.
    assert re.search(r'<input[^>]*data-select-all="entry"[^>]*hidden', html)
    assert "{#" not in html and "comment %}" not in html


@pytest.mark.parametrize("districts", [3, 30])
def test_the_queue_uses_the_same_queries_for_3_and_30_districts(client, world, certifier, districts):
    for n in range(districts):
        make_office(f"9{n:03d}", Office.Kind.PRIMARY)
    round_open(round_=world.round)
    Entry.objects.filter(round=world.round).update(status=S.AWAITING, self_score=Decimal(4), reported_at=timezone.now())
    client.force_login(certifier)
    url = reverse("certification:queue")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    # Session + user, the rounds, the calendar of their deadlines (which round is open, for the default one),
    # the counts, the indicators, the page count, the page of entries, the menu's unread notifications.
    assert len(captured) == 9


def test_the_review_page_shows_the_criteria_and_the_kpi_template(client, world, entry, certifier):
    world.quantitative.definition = "ร้อยละของโรงเรียนที่รายงานข้อมูลถูกต้อง"
    world.quantitative.data_source = "ระบบ DMC"
    world.quantitative.save()
    client.force_login(certifier)
    html = client.get(reverse("certification:review", args=[entry.pk])).content.decode()
    criteria = html[html.index('data-testid="criteria"'):]
    assert "ร้อยละของโรงเรียนที่รายงานข้อมูลถูกต้อง" in criteria and "ระบบ DMC" in criteria
    assert 'data-testid="thresholds"' in criteria
    for threshold in world.quantitative.thresholds.all():
        assert f">{threshold.level}<" in criteria

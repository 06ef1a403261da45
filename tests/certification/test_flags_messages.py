""""New data" (มีข้อมูลใหม่) both ways for each kind of event, seen with who and when; the message thread."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import Message
from reporting import workflow
from reporting.models import Entry, Flag
from tests.attachments import samples
from tests.attachments.conftest import attach

pytestmark = pytest.mark.django_db


def flagged(client, user, entry) -> bool:
    """Does this user's list show the flag on the entry? (the district's entry page, the bureau's queue)"""
    client.force_login(user)
    if user.role == "district_reporter":
        html = client.get(reverse("reporting:entry_page", args=[entry.round_id])).content.decode()
        block = html[html.index(f'id="entry-{entry.pk}"'):].split('data-testid="files"')[0]
    else:
        html = client.get(reverse("certification:queue"), {"round": entry.round_id}).content.decode()
        block = html[html.index(f'data-entry="{entry.pk}"'):].split("</tr>")[0]
    return 'data-testid="new-data"' in block


def test_a_districts_file_flags_the_bureau_until_it_clicks_which_records_when(client, entry, district_user, certifier):
    attach(entry, district_user, samples.pdf_bytes())
    assert flagged(client, certifier, entry) and not flagged(client, district_user, entry)
    client.force_login(certifier)
    response = client.post(reverse("certification:flag_seen", args=[entry.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"/certification/entries/{entry.pk}/#new")
    flag = Flag.objects.get()
    assert (flag.for_side, flag.reason, flag.raised_by, flag.seen_by) == ("bureau", "file", district_user, certifier)
    assert flag.seen_at is not None
    assert not flagged(client, certifier, entry)
    review = client.get(reverse("certification:review", args=[entry.pk])).content.decode()
    assert certifier.username in review.split('data-testid="flags"')[1]


def test_a_bureaus_file_and_message_flag_the_district(client, entry, district_user, certifier):
    attach(entry, certifier, samples.docx_bytes(), name="แบบฟอร์ม.docx")
    assert flagged(client, district_user, entry) and not flagged(client, certifier, entry)
    client.force_login(district_user)
    client.post(reverse("certification:flag_seen", args=[entry.pk]))
    assert not flagged(client, district_user, entry)
    client.force_login(certifier)
    client.post(reverse("certification:message", args=[entry.pk]), {"body": "กรุณากรอกแบบฟอร์มที่แนบ"})
    assert flagged(client, district_user, entry)


def test_a_rejection_flags_the_district_and_the_correction_flags_the_bureau(client, world, entry, district_user,
                                                                           certifier):
    workflow.entry_reject(entry=entry, by=certifier, comment="ตัวหารผิด", fix_deadline=timezone.now() + timedelta(days=2))
    assert flagged(client, district_user, entry)
    assert Flag.objects.get().reason == "rejected"
    a, b = (world.quantitative.variables.get(code=c) for c in "AB")
    client.force_login(district_user)
    entry.refresh_from_db()
    client.post(reverse("reporting:entry_save", args=[entry.pk]),
                {"version": entry.version, f"v{a.pk}": "80", f"v{b.pk}": "100"})
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.AWAITING
    assert flagged(client, certifier, entry)
    assert Flag.objects.filter(for_side="bureau", reason="corrected").count() == 1


def test_seeing_clears_only_the_users_own_side(client, entry, district_user, certifier):
    client.force_login(district_user)
    client.post(reverse("certification:message", args=[entry.pk]), {"body": "ส่งหลักฐานเพิ่มแล้ว"})
    client.post(reverse("certification:flag_seen", args=[entry.pk]))  # nothing is new for the district
    assert Flag.objects.get().seen_at is None
    assert flagged(client, certifier, entry)


def test_the_thread_is_in_order_and_an_empty_message_is_refused(client, entry, district_user, certifier):
    url = reverse("certification:message", args=[entry.pk])
    client.force_login(district_user)
    response = client.post(url, {"body": "   "})
    assert response.status_code == 422 and "พิมพ์ข้อความก่อนส่ง" in response.content.decode()
    client.post(url, {"body": "คำถามจาก สพท."})
    client.force_login(certifier)
    client.post(url, {"body": "คำตอบจากสำนัก"})
    assert list(Message.objects.values_list("side", "body")) == [("district", "คำถามจาก สพท."), ("bureau", "คำตอบจากสำนัก")]
    html = client.get(reverse("certification:review", args=[entry.pk])).content.decode()
    assert html.index("คำถามจาก สพท.") < html.index("คำตอบจากสำนัก")


@pytest.mark.parametrize(("persona", "code"), [
    ("other_district_user", 404), ("other_certifier", 404), ("executive", 403), ("admin_user", 403),
])
def test_only_the_two_sides_post_messages_or_clear_flags(client, request, entry, persona, code):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("certification:message", args=[entry.pk]), {"body": "x"}).status_code == code
    assert client.post(reverse("certification:flag_seen", args=[entry.pk])).status_code == code
    assert not Message.objects.exists()


def test_the_queue_filters_to_new_data(client, world, entry, district_user, certifier, other_district):
    attach(entry, district_user, samples.pdf_bytes())
    client.force_login(certifier)
    html = client.get(reverse("certification:queue"), {"round": world.round.pk, "new": "1"}).content.decode()
    listed = [int(p.split('"')[0]) for p in html.split('data-testid="queue-entry" data-entry="')[1:]]
    assert listed == [entry.pk]


def test_the_flag_inside_a_form_posts_with_htmx_and_is_sent_to_the_review_page(client, entry, district_user, certifier):
    attach(entry, certifier, samples.pdf_bytes())
    client.force_login(district_user)
    response = client.post(reverse("certification:flag_seen", args=[entry.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/certification/entries/{entry.pk}/#new"
    assert Flag.objects.get().seen_by == district_user


def test_the_flag_shows_in_the_bureaus_inbox_too(client, entry, district_user, certifier):
    attach(entry, district_user, samples.pdf_bytes())
    client.force_login(certifier)
    html = client.get(reverse("attachments:inbox")).content.decode()
    assert 'data-testid="new-data"' in html.split('data-testid="inbox-file"')[1]
    client.post(reverse("certification:flag_seen", args=[entry.pk]))
    assert 'data-testid="new-data"' not in client.get(reverse("attachments:inbox")).content.decode()

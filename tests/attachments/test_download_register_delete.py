"""Downloading (safe headers, the original Thai name, audited), registering receipt and deleting (soft, audited)."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest
from django.urls import reverse

from attachments.models import Attachment, AttachmentEvent
from attachments.services import AttachmentStateError, attachment_delete, attachment_register
from tests.attachments import samples
from tests.attachments.conftest import HTMX, THAI_NAME, attach, certify, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(entry, district_user):
    return attach(entry, district_user, samples.pdf_bytes())


def test_a_download_sends_the_bytes_under_the_original_thai_name_and_never_inline(
    client, certifier, attachment
):
    client.force_login(certifier)
    response = client.get(reverse("attachments:download", args=[attachment.pk]))
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == attachment.sha256
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(THAI_NAME)}" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    event = AttachmentEvent.objects.get(action="downloaded")
    assert (event.by, event.side) == (certifier, "bureau")


def test_a_text_file_is_downloaded_too_not_shown(client, district_user, entry):
    attachment = attach(entry, district_user, "รหัส,ชื่อ\n1001,กรุงเทพ\n".encode(), name="รายชื่อ.csv")
    client.force_login(district_user)
    response = client.get(reverse("attachments:download", args=[attachment.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("text/csv")


def test_a_file_missing_from_storage_says_so_instead_of_failing(client, district_user, attachment):
    for path in stored_files():
        path.unlink()
    client.force_login(district_user)
    response = client.get(reverse("attachments:download", args=[attachment.pk]))
    assert response.status_code == 410
    assert "ไม่พบไฟล์ในที่เก็บ" in response.content.decode()


def test_registering_receipt_records_who_and_when_and_shows_it_to_the_district(
    client, certifier, district_user, attachment, entry
):
    client.force_login(certifier)
    response = client.post(reverse("attachments:register", args=[attachment.pk]), **HTMX)
    assert "ลงทะเบียนรับ “" in response.content.decode()
    attachment.refresh_from_db()
    assert attachment.registered_by == certifier and attachment.registered_at is not None
    assert AttachmentEvent.objects.filter(action="registered", by=certifier, side="bureau").count() == 1
    # A second click (another tab) is told, and changes nothing.
    response = client.post(reverse("attachments:register", args=[attachment.pk]), **HTMX)
    assert response.status_code == 409
    assert response["X-KRS-Status"] == "409" and "ลงทะเบียนรับแล้ว" in response.content.decode()
    assert AttachmentEvent.objects.filter(action="registered").count() == 1
    client.force_login(district_user)
    page = client.get(reverse("reporting:entry_page", args=[entry.round_id])).content.decode()
    fragment = page[page.index(f'id="files-{entry.pk}"') :]
    assert "ลงทะเบียนรับ" in fragment and certifier.username in fragment
    assert 'data-testid="delete"' not in fragment.split("</section>")[0]  # registered: no longer deletable


def test_the_register_service_is_once_only_even_for_a_stale_object(certifier, attachment):
    stale = Attachment.objects.get(pk=attachment.pk)
    attachment_register(attachment=attachment, user=certifier)
    with pytest.raises(AttachmentStateError):
        attachment_register(attachment=stale, user=certifier)


def test_deleting_is_a_mark_the_file_stays_and_only_administrators_see_it(
    client, district_user, certifier, admin_user, attachment, entry
):
    client.force_login(district_user)
    response = client.post(reverse("attachments:delete", args=[attachment.pk]), **HTMX)
    assert "ลบ “" in response.content.decode()
    attachment.refresh_from_db()
    assert attachment.deleted_by == district_user and attachment.deleted_at is not None
    assert len(stored_files()) == 1  # the bytes are kept
    assert AttachmentEvent.objects.filter(action="deleted", by=district_user).count() == 1
    files = reverse("attachments:entry_files", args=[entry.pk])
    download = reverse("attachments:download", args=[attachment.pk])
    for user in (district_user, certifier):
        client.force_login(user)
        assert attachment.original_name not in client.get(files).content.decode()
        assert client.get(download).status_code == 404
    client.force_login(admin_user)
    html = client.get(files).content.decode()
    assert attachment.original_name in html and "ลบแล้วโดย" in html
    assert client.get(download).status_code == 200
    assert client.get(reverse("admin:attachments_attachment_change", args=[attachment.pk])).status_code == 200


def test_a_registered_file_or_a_certified_entry_cannot_be_deleted(
    client, district_user, certifier, entry, attachment
):
    attachment_register(attachment=attachment, user=certifier)
    client.force_login(district_user)
    response = client.post(reverse("attachments:delete", args=[attachment.pk]), **HTMX)
    assert response.status_code == 403
    assert response["X-KRS-Status"] == "403" and "ลงทะเบียนรับไฟล์นี้แล้ว" in response.content.decode()
    other = attach(entry, district_user, samples.png_bytes(), name="รูป.png")
    certify(entry, district_user, certifier)
    response = client.post(reverse("attachments:delete", args=[other.pk]), **HTMX)
    assert response.status_code == 403
    assert response["X-KRS-Status"] == "403" and "รับรองผลแล้ว" in response.content.decode()
    assert not Attachment.objects.filter(deleted_at__isnull=False).exists()


def test_the_delete_service_loses_the_race_to_a_registration_cleanly(district_user, certifier, attachment):
    stale = Attachment.objects.select_related("entry").get(pk=attachment.pk)
    attachment_register(attachment=attachment, user=certifier)
    with pytest.raises(AttachmentStateError):
        attachment_delete(attachment=stale, user=district_user)
    assert not Attachment.objects.get(pk=attachment.pk).is_deleted


def test_the_inbox_lists_files_to_register_oldest_first_and_registers_them(
    client, certifier, district_user, entry, world, district
):
    first = attach(entry, district_user, samples.pdf_bytes(), name="ก่อน.pdf")
    second = attach(
        world.entry(district, world.pass_fail), district_user, samples.png_bytes(), name="หลัง.png"
    )
    client.force_login(certifier)
    inbox = reverse("attachments:inbox")

    def listed(**params):
        html = client.get(inbox, params).content.decode()
        return [int(part.split('"')[0]) for part in html.split('data-testid="inbox-file" data-file="')[1:]]

    assert listed() == [first.pk, second.pk]
    response = client.post(reverse("attachments:register", args=[first.pk]), {"next": inbox})
    assert response.status_code == 302 and response["Location"] == inbox
    assert listed() == [second.pk]
    assert listed(state="registered") == [first.pk]
    assert listed(round=world.round.pk) == [second.pk]

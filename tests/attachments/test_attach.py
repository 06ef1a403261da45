"""Attaching evidence files: what is recorded, what is refused (with what message), and that nothing is half-saved."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from attachments.models import Attachment, AttachmentEvent, FileKind
from attachments.services import AttachRefused, attachments_add
from tests.attachments import samples
from tests.attachments.conftest import THAI_NAME, attach, certify, post_files, stored_files, upload

pytestmark = pytest.mark.django_db


def test_a_district_attaches_a_pdf_with_a_thai_name_and_everything_is_recorded(client, district_user, entry):
    content = samples.pdf_bytes()
    client.force_login(district_user)
    before = timezone.now()
    response = post_files(client, entry, [upload(THAI_NAME, content)], "คำสั่งแต่งตั้งคณะทำงาน")
    assert response.status_code == 200
    assert response.status_code == 200
    assert response["X-KRS-Status"] == "200"
    html = response.content.decode()
    assert "แนบไฟล์แล้ว 1 ไฟล์" in html and THAI_NAME in html and "คำสั่งแต่งตั้งคณะทำงาน" in html
    (attachment,) = Attachment.objects.all()
    assert attachment.entry == entry
    assert attachment.original_name == THAI_NAME
    assert attachment.description == "คำสั่งแต่งตั้งคณะทำงาน"
    assert attachment.size == len(content)
    assert attachment.kind == "pdf" and attachment.content_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by == district_user and attachment.uploaded_at >= before
    assert attachment.side == "district"
    # Stored under a generated key, the bytes exactly as sent; nothing of the user's name in the path.
    (path,) = stored_files()
    assert path.read_bytes() == content
    assert "รายงาน" not in attachment.key and ".pdf" not in attachment.key
    event = AttachmentEvent.objects.get()
    assert (event.action, event.side, event.by, event.entry_id) == (
        "added",
        "district",
        district_user,
        entry.pk,
    )


def test_several_files_are_attached_at_once_with_the_one_description(client, district_user, entry):
    client.force_login(district_user)
    response = post_files(
        client, entry, [upload("a.pdf", samples.pdf_bytes()), upload("b.png", samples.png_bytes())]
    )
    assert "แนบไฟล์แล้ว 2 ไฟล์" in response.content.decode()
    assert sorted(Attachment.objects.values_list("original_name", "kind")) == [
        ("a.pdf", "pdf"),
        ("b.png", "png"),
    ]
    assert len(stored_files()) == 2


def test_the_same_name_twice_gets_two_keys_and_a_traversal_name_stays_in_its_folder(district_user, entry):
    first = attach(entry, district_user, samples.pdf_bytes(), name="../../etc/passwd.pdf")
    second = attach(entry, district_user, samples.png_bytes(), name="..\\..\\passwd.png")
    assert first.original_name == "passwd.pdf" and second.original_name == "passwd.png"
    assert first.key != second.key
    root = Path(settings.MEDIA_ROOT).resolve()
    assert all(path.resolve().is_relative_to(root) for path in stored_files())
    assert len(stored_files()) == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("คู่มือ.pdf", lambda: samples.exe_bytes(), "ไฟล์นี้เป็นโปรแกรมหรือสคริปต์"),
        ("setup.exe", lambda: samples.exe_bytes(), "ไม่รับไฟล์ชนิด .exe"),
        ("หน้าเว็บ.html", lambda: samples.html_bytes(), "ไม่รับไฟล์ชนิด .html"),
        ("หน้าเว็บ.txt", lambda: samples.html_bytes(), "HTML, SVG หรือ XML"),
        ("รูป.svg", lambda: samples.svg_bytes(), "ไม่รับไฟล์ชนิด .svg"),
        ("รูป.png", lambda: samples.svg_bytes(), "HTML, SVG หรือ XML"),
        ("รายงาน.pdf", lambda: samples.png_bytes(), "ไม่ใช่ PDF ตามนามสกุล .pdf"),
        ("รายงาน.docx", lambda: samples.pdf_bytes(), "ตามนามสกุล .docx"),
        ("ว่าง.pdf", lambda: b"", "ไฟล์ว่าง (0 ไบต์)"),
        ("ไม่มีนามสกุล", lambda: samples.pdf_bytes(), "ไฟล์ต้องมีนามสกุล"),
    ],
)
def test_a_bad_file_is_refused_in_thai_and_nothing_is_saved(
    client, district_user, entry, name, content, message
):
    client.force_login(district_user)
    response = post_files(client, entry, [upload(name, content())], "หลักฐานที่ตั้งใจแนบ")
    assert response.status_code == 422
    assert response["X-KRS-Status"] == "422"
    html = response.content.decode()
    assert message in html, html
    assert "ยังไม่ได้แนบไฟล์" in html
    assert 'value="หลักฐานที่ตั้งใจแนบ"' in html  # what was typed is kept
    assert not Attachment.objects.exists() and not AttachmentEvent.objects.exists()
    assert stored_files() == []


def test_one_bad_file_among_good_ones_attaches_none_and_names_the_bad_one(client, district_user, entry):
    client.force_login(district_user)
    response = post_files(
        client,
        entry,
        [
            upload("ดี.pdf", samples.pdf_bytes()),
            upload("แย่.pdf", samples.exe_bytes()),
            upload("ดีด้วย.png", samples.png_bytes()),
        ],
    )
    html = response.content.decode()
    assert "แย่.pdf: ไฟล์นี้เป็นโปรแกรม" in html
    assert not Attachment.objects.exists() and stored_files() == []


def test_a_file_larger_than_the_limit_is_refused_with_both_sizes(client, district_user, entry, settings):
    settings.KRS_MAX_UPLOAD_BYTES = 1024
    client.force_login(district_user)
    response = post_files(client, entry, [upload("ใหญ่.txt", "ก".encode() * 1000)])
    html = response.content.decode()
    assert "ใหญ่.txt: ไฟล์ใหญ่ 2.9 KB เกินขนาดที่แนบได้ 1.0 KB" in html
    assert not Attachment.objects.exists() and stored_files() == []


def test_a_request_far_beyond_the_limit_is_refused_before_it_is_read(client, district_user, entry, settings):
    settings.KRS_MAX_UPLOAD_BYTES = 10
    client.force_login(district_user)
    response = post_files(client, entry, [upload("a.txt", b"x" * (2 * 1024 * 1024))])
    assert response.status_code == 413
    assert response["X-KRS-Status"] == "413"
    assert "ใหญ่เกินกว่าที่แนบได้ในครั้งเดียว" in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_description_is_required_and_the_files_too(client, district_user, entry):
    client.force_login(district_user)
    response = post_files(client, entry, [upload("a.pdf", samples.pdf_bytes())], "   ")
    assert "พิมพ์คำอธิบายไฟล์ก่อนแนบ" in response.content.decode()
    response = post_files(client, entry, [], "คำอธิบาย")
    assert "เลือกไฟล์ที่ต้องการแนบก่อน" in response.content.decode()
    assert not Attachment.objects.exists() and stored_files() == []


def test_a_kind_the_administrator_switched_off_is_refused(client, district_user, entry):
    FileKind.objects.filter(code="png").update(allowed=False)
    client.force_login(district_user)
    html = post_files(client, entry, [upload("รูป.png", samples.png_bytes())]).content.decode()
    assert "ไม่รับไฟล์ชนิด .png" in html and "PDF" in html
    assert not Attachment.objects.exists()
    page = client.get(reverse("reporting:entry_page", args=[entry.round_id])).content.decode()
    assert ".png" not in page.split('accept="')[1].split('"')[0]


def test_the_same_file_twice_on_one_entry_is_refused_as_already_attached(client, district_user, entry):
    attach(entry, district_user, samples.pdf_bytes(), name="ครั้งแรก.pdf")
    client.force_login(district_user)
    html = post_files(client, entry, [upload("ครั้งที่สอง.pdf", samples.pdf_bytes())]).content.decode()
    assert "ไฟล์นี้แนบไว้แล้วเมื่อ" in html and "ครั้งแรก.pdf" in html
    assert Attachment.objects.count() == 1


def test_without_javascript_the_page_comes_back_with_the_message(client, district_user, entry):
    client.force_login(district_user)
    page = reverse("reporting:entry_page", args=[entry.round_id])
    response = post_files(client, entry, [upload("a.pdf", samples.pdf_bytes())], htmx=False, next=page)
    assert response.status_code == 302 and response["Location"] == page
    assert "แนบไฟล์แล้ว 1 ไฟล์" in client.get(page).content.decode()
    response = post_files(
        client, entry, [upload("a.pdf", samples.exe_bytes())], htmx=False, next="https://evil.example/"
    )
    assert response.status_code == 302 and response["Location"].startswith(
        page
    )  # an outside address is not followed


def test_the_district_cannot_attach_after_the_deadline_or_once_certified(
    client, district_user, certifier, entry
):
    client.force_login(district_user)
    entry.round.deadline = timezone.now() - timedelta(minutes=1)
    entry.round.save()
    response = post_files(client, entry, [upload("a.pdf", samples.pdf_bytes())], htmx=False)
    assert response.status_code == 403
    entry.round.deadline = timezone.now() + timedelta(days=1)
    entry.round.save()
    certify(entry, district_user, certifier)
    response = post_files(client, entry, [upload("a.pdf", samples.pdf_bytes())])
    assert response.status_code == 403
    assert response["X-KRS-Status"] == "403" and "รับรองผลแล้ว" in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_owning_bureau_attaches_from_the_review_page(client, certifier, entry):
    client.force_login(certifier)
    review = reverse("certification:review", args=[entry.pk])
    page = client.get(review).content.decode()
    assert reverse("attachments:attach", args=[entry.pk]) in page
    response = post_files(
        client,
        entry,
        [upload("แบบฟอร์ม.docx", samples.docx_bytes())],
        "แบบฟอร์มให้กรอก",
        htmx=False,
        next=review,
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.side, attachment.kind, attachment.uploaded_by) == ("bureau", "docx", certifier)
    assert "แบบฟอร์มให้กรอก" in client.get(review).content.decode()


def test_a_storage_failure_leaves_no_row_and_says_nothing_was_attached(client, district_user, entry):
    client.force_login(district_user)
    with mock.patch("django.core.files.storage.FileSystemStorage._save", side_effect=OSError("disk full")):
        response = post_files(
            client, entry, [upload("a.pdf", samples.pdf_bytes()), upload("b.png", samples.png_bytes())]
        )
    assert response.status_code == 503
    assert response["X-KRS-Status"] == "503"
    assert "ไม่มีไฟล์ใดถูกแนบ" in response.content.decode()
    assert not Attachment.objects.exists() and not AttachmentEvent.objects.exists()
    assert stored_files() == []


def test_a_database_failure_after_storing_removes_the_stored_files(district_user, entry):
    real_create = AttachmentEvent.objects.create
    calls = []

    def fail_on_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise IntegrityError("simulated")
        return real_create(**kwargs)

    with (
        mock.patch.object(AttachmentEvent.objects, "create", side_effect=fail_on_second),
        pytest.raises(IntegrityError),
    ):
        attachments_add(
            entry=entry,
            user=district_user,
            description="หลักฐาน",
            uploads=[upload("a.pdf", samples.pdf_bytes()), upload("b.png", samples.png_bytes())],
        )
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_the_service_refuses_with_every_problem_listed(district_user, entry):
    with pytest.raises(AttachRefused) as refused:
        attachments_add(
            entry=entry,
            user=district_user,
            description="หลักฐาน",
            uploads=[upload("a.exe", b"MZ"), upload("b.pdf", b"")],
        )
    assert len(refused.value.errors) == 2


def test_every_known_kind_has_its_row_again_after_a_flush(district_user, entry):
    from django.core.management.sql import emit_post_migrate_signal

    from attachments.filetypes import KINDS

    FileKind.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # what migrate and flush send
    assert set(FileKind.objects.filter(allowed=True).values_list("code", flat=True)) == set(KINDS)

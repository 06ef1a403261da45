"""krs.middleware.RefuseNulCharacters: a NUL character is refused at the door, the same on both databases."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attachments.models import Attachment
from certification.models import Message
from tests.attachments import samples
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(district, bureau):
    world = open_world(bureau=bureau)
    return world.entry(district, world.quantitative)


def test_a_nul_in_a_query_parameter_is_refused_in_thai(client, district_user, entry):
    client.force_login(district_user)
    response = client.get(reverse("reporting:entry_page", args=[entry.round_id]), {"q": "1.1\x00"})
    assert response.status_code == 400
    assert "อักขระ NUL" in response.content.decode()


def test_a_nul_in_a_form_field_is_refused_and_nothing_is_saved(client, district_user, entry):
    """A message is read straight from request.POST: before this, PostgreSQL made it a server error."""
    client.force_login(district_user)
    response = client.post(reverse("certification:message", args=[entry.pk]), {"body": "สวัสดี\x00ครับ"})
    assert response.status_code == 400 and not Message.objects.exists()
    assert client.post(reverse("certification:message", args=[entry.pk]), {"body": "สวัสดีครับ"}).status_code == 302
    assert Message.objects.get().body == "สวัสดีครับ"


def test_a_nul_in_an_api_json_body_is_refused_with_the_api_error_shape(client):
    response = client.post("/api/v1/district-values", '{"items": [{"entry": 1, "version": 0, "values": {"A": "1\\u0000"}}]}',
                           content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_characters" and "NUL" in body["message_en"] and "NUL" in body["message_th"]


def test_nul_bytes_inside_an_uploaded_file_are_its_content_not_refused(client, district_user, entry):
    client.force_login(district_user)
    content = samples.pdf_bytes() + b"\x00\x00binary"
    response = client.post(reverse("attachments:attach", args=[entry.pk]), {
        "description": "หลักฐาน", "files": [SimpleUploadedFile("หลักฐาน.pdf", content)]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Attachment.objects.get().size == len(content)


def test_a_nul_in_an_uploaded_file_name_never_reaches_the_database(client, district_user, entry):
    """Django's multipart parser drops the NUL from such a name; the middleware would refuse any that came
    through whole."""
    client.force_login(district_user)
    response = client.post(reverse("attachments:attach", args=[entry.pk]), {
        "description": "หลักฐาน", "files": [SimpleUploadedFile("ชื่อ\x00.pdf", samples.pdf_bytes())]})
    assert response.status_code in (302, 400)
    assert all("\x00" not in name for name in Attachment.objects.values_list("original_name", flat=True))

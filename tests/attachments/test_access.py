"""Who may do what with evidence files: upload, list, download, register receipt, delete, the inbox and the review page.

Outsiders (another district, another bureau) get 404 as if the file did not exist; people who may see
but not act get 403; the anonymous are sent to log in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from attachments.models import Attachment
from krs.models import Role
from reporting.models import Entry
from tests.attachments import samples
from tests.attachments.conftest import HTMX, attach, post_files, upload
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "district_user",
    "other_district_user",
    "certifier",
    "other_certifier",
    "executive",
    "admin_user",
]


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


@pytest.fixture
def attachment(entry, district_user):
    return attach(entry, district_user, samples.pdf_bytes())


def expect(response, code):
    if code == 302:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == code, (response.status_code, response.content[:300])


def done(response):
    """Without JavaScript a successful action redirects back to the page it came from."""
    assert response.status_code == 302 and "/accounts/login/" not in response["Location"]


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("anonymous", 302),
        ("district_user", 200),
        ("other_district_user", 404),
        ("certifier", 200),
        ("other_certifier", 404),
        ("executive", 403),
        ("admin_user", 403),
    ],
)
def test_upload(client, request, entry, persona, code):
    login(client, request, persona)
    response = post_files(client, entry, [upload("a.pdf", samples.pdf_bytes())], htmx=False)
    done(response) if code == 200 else expect(response, code)
    assert Attachment.objects.exists() == (code == 200)


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("anonymous", 302),
        ("district_user", 200),
        ("other_district_user", 404),
        ("certifier", 200),
        ("other_certifier", 404),
        ("executive", 200),
        ("admin_user", 200),
    ],
)
def test_list_and_review_page(client, request, entry, attachment, persona, code):
    login(client, request, persona)
    for url in (
        reverse("attachments:entry_files", args=[entry.pk]),
        reverse("certification:review", args=[entry.pk]),
    ):
        response = client.get(url)
        expect(response, code)
        if code == 200:
            html = response.content.decode()
            assert attachment.original_name in html and attachment.description in html


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("anonymous", 302),
        ("district_user", 200),
        ("other_district_user", 404),
        ("certifier", 200),
        ("other_certifier", 404),
        ("executive", 200),
        ("admin_user", 200),
    ],
)
def test_download(client, request, attachment, persona, code):
    login(client, request, persona)
    response = client.get(reverse("attachments:download", args=[attachment.pk]))
    expect(response, code)
    if code == 200:
        assert b"".join(response.streaming_content) == samples.pdf_bytes()


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("anonymous", 302),
        ("district_user", 403),
        ("other_district_user", 404),
        ("certifier", 200),
        ("other_certifier", 404),
        ("executive", 403),
        ("admin_user", 403),
    ],
)
def test_register(client, request, attachment, persona, code):
    login(client, request, persona)
    response = client.post(reverse("attachments:register", args=[attachment.pk]), **HTMX)
    expect(response, code)
    attachment.refresh_from_db()
    assert attachment.is_registered == (code == 200)


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("anonymous", 302),
        ("district_user", 200),
        ("other_district_user", 404),
        ("certifier", 403),
        ("other_certifier", 404),
        ("executive", 403),
        ("admin_user", 403),
    ],
)
def test_delete(client, request, attachment, persona, code):
    login(client, request, persona)
    response = client.post(reverse("attachments:delete", args=[attachment.pk]))
    done(response) if code == 200 else expect(response, code)
    attachment.refresh_from_db()
    assert attachment.is_deleted == (code == 200)


def test_a_colleague_in_the_same_district_may_not_delete_what_another_attached(
    client, district, entry, attachment
):
    colleague = make_user("district1b", district, Role.DISTRICT_REPORTER)
    client.force_login(colleague)
    assert client.post(reverse("attachments:delete", args=[attachment.pk])).status_code == 403
    assert client.get(reverse("attachments:download", args=[attachment.pk])).status_code == 200


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("anonymous", 302),
        ("district_user", 403),
        ("certifier", 200),
        ("other_certifier", 200),
        ("executive", 403),
        ("admin_user", 403),
    ],
)
def test_inbox(client, request, attachment, persona, code):
    login(client, request, persona)
    response = client.get(reverse("attachments:inbox"))
    expect(response, code)
    if code == 200:
        # A bureau sees only files on its own indicators.
        assert (attachment.original_name in response.content.decode()) == (persona == "certifier")


def test_guessing_ids_of_another_districts_files_finds_nothing(client, other_district_user, attachment):
    client.force_login(other_district_user)
    for pk in range(max(1, attachment.pk - 2), attachment.pk + 3):
        for name in ("download", "register", "delete"):
            method = client.get if name == "download" else client.post
            assert method(reverse(f"attachments:{name}", args=[pk])).status_code == 404
    own = set(Entry.objects.filter(office=other_district_user.office).values_list("pk", flat=True))
    for pk in range(max(1, attachment.entry_id - 3), attachment.entry_id + 4):
        if pk in own:
            continue
        assert client.get(reverse("attachments:entry_files", args=[pk])).status_code == 404
        assert client.get(reverse("certification:review", args=[pk])).status_code == 404


def test_files_are_never_served_from_a_media_url(client, admin_user, attachment, settings):
    assert settings.MEDIA_URL in ("", "/")  # not set: no URL maps to the storage
    client.force_login(admin_user)
    for url in (f"/media/{attachment.key}", f"/{attachment.key}", f"/var/media/{attachment.key}"):
        assert client.get(url).status_code == 404


def test_an_administrator_switches_a_kind_off_in_the_admin(client, admin_user):
    from attachments.models import FileKind

    client.force_login(admin_user)
    changelist = reverse("admin:attachments_filekind_changelist")
    assert client.get(changelist).status_code == 200
    kinds = list(FileKind.objects.order_by("code"))
    data = {"form-TOTAL_FORMS": len(kinds), "form-INITIAL_FORMS": len(kinds), "_save": "1"}
    for n, kind in enumerate(kinds):
        data[f"form-{n}-id"] = kind.pk
        if kind.code != "png":
            data[f"form-{n}-allowed"] = "on"
    assert client.post(changelist, data).status_code == 302
    assert list(FileKind.objects.filter(allowed=False).values_list("code", flat=True)) == ["png"]

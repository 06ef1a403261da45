"""The site's icon: named by every page (the admin's too), and /favicon.ico, which browsers ask for anyway, is no 404."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db


def test_favicon_ico_sends_browsers_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == static("img/favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]
    icon = Image.open(finders.find("img/favicon.ico"))
    assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]


def test_the_pages_and_the_admin_name_the_icon(client, admin_user):
    link = f'<link rel="icon" href="{static("img/favicon.ico")}"'
    assert link in client.get(reverse("login")).content.decode()
    client.force_login(admin_user)
    for url in (reverse("admin:index"), reverse("admin:krs_office_changelist"), reverse("admin:krs_office_add")):
        page = client.get(url)
        assert page.status_code == 200 and link in page.content.decode(), url

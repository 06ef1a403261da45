"""Pages that show editable state are never kept by the browser: Back fetches them again (krs.middleware.NoStoreHtml)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(district, bureau):
    return open_world(bureau=bureau)


def test_the_entry_page_and_its_save_answer_are_no_store(client, district_user, district, world):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    page = client.get(reverse("reporting:entry_page", args=[world.round.pk]))
    saved = client.post(reverse("reporting:entry_save", args=[entry.pk]), {"version": 0}, **HTMX)
    for response in (page, saved):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


def test_the_review_page_and_the_sign_in_form_are_no_store(client, certifier, district, world):
    entry = world.entry(district, world.quantitative)
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]
    client.force_login(certifier)
    response = client.get(reverse("certification:review", args=[entry.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


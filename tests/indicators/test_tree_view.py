"""The framework tree page: admins and executives read it; everyone else gets a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.indicators.test_configuration import TestTree

pytestmark = pytest.mark.django_db


def test_an_administrator_sees_the_tree_with_weights(client, admin_user, django_assert_max_num_queries):
    fw = TestTree().build()
    client.force_login(admin_user)
    url = reverse("indicators:framework_tree", args=[fw.pk])
    # session, user (+office); framework; the tree (8)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "ตัวชี้วัด 1.1" in body and "(13)" in body
    assert 'data-testid="weight-problems"' not in body


def test_weight_problems_are_shown_as_a_warning(client, admin_user):
    fw = TestTree().build()
    fw.groups.filter(code="2").update(weight=50)
    client.force_login(admin_user)
    body = client.get(reverse("indicators:framework_tree", args=[fw.pk])).content.decode()
    assert "น้ำหนักระดับบนสุดรวมกันได้ 95 ต้องเท่ากับ 100" in body


def test_an_executive_reads_it_too(client, executive):
    fw = TestTree().build()
    client.force_login(executive)
    assert client.get(reverse("indicators:framework_tree", args=[fw.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["district_user", "certifier"])
def test_districts_and_bureaus_get_a_404(client, request, persona):
    fw = TestTree().build()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("indicators:framework_tree", args=[fw.pk])).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    fw = TestTree().build()
    response = client.get(reverse("indicators:framework_tree", args=[fw.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url

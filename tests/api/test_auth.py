"""Tokens: only the digest is stored, a revoked or expired token stops at once, calls are logged and rate limited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from api.models import ApiCall, ApiToken
from api.services import digest_of, token_issue
from tests.api.conftest import issue

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message_th"] and body["message_en"] and body["message_th"] != body["message_en"]
    return body


def test_a_call_without_a_token_or_with_an_unknown_one_is_401_json(api_as, district_user):
    response = api_as(None).get("/me")
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_error(api_as("krs_not-a-real-token").get("/me"), 401, "unauthorized")
    secret = issue(district_user)
    assert_error(api_as(secret[:-1] + ("A" if secret[-1] != "A" else "B")).get("/me"), 401, "unauthorized")


def test_only_the_digest_is_stored_with_a_visible_prefix(district_user):
    issued = token_issue(name="tool", user=district_user, scope="read")
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret.startswith("krs_") and len(issued.secret) >= 40
    assert token.digest == digest_of(issued.secret) and issued.secret not in token.digest
    assert token.prefix == issued.secret[:12]
    assert not ApiToken.objects.filter(digest__contains=issued.secret[12:20]).exists()


def test_a_revoked_token_stops_working_at_once(api_as, district_user, admin_user, client):
    secret = issue(district_user)
    api = api_as(secret)
    assert api.get("/me").status_code == 200
    client.force_login(admin_user)
    token = ApiToken.objects.get()
    response = client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin_user
    assert_error(api_as(secret).get("/me"), 401, "unauthorized")


def test_an_expired_token_or_one_of_an_inactive_user_is_refused(api_as, district_user, certifier):
    expired = token_issue(name="old", user=district_user, scope="read", expires_at=timezone.now() - timedelta(minutes=1))
    assert_error(api_as(expired.secret).get("/me"), 401, "unauthorized")
    secret = issue(certifier)
    certifier.is_active = False
    certifier.save()
    assert_error(api_as(secret).get("/me"), 401, "unauthorized")


def test_every_call_is_recorded_with_its_token_user_and_outcome(api_as, district_user):
    secret = issue(district_user)
    api = api_as(secret)
    api.get("/me")
    api.get("/entries/999999")
    api.post("/district-values", {"items": []})
    calls = list(ApiCall.objects.order_by("pk"))
    assert [(c.method, c.path, c.status) for c in calls] == [
        ("GET", "/api/v1/me", 200), ("GET", "/api/v1/entries/999999", 404), ("POST", "/api/v1/district-values", 422)]
    assert {c.user for c in calls} == {district_user} and {c.token.name for c in calls} == {"district1-read"}
    assert ApiToken.objects.get().last_used_at is not None


def test_calls_beyond_the_rate_limit_get_429_with_retry_after(api_as, district_user, certifier, settings):
    settings.KRS_API_RATE_LIMIT = 3
    api = api_as(issue(district_user))
    assert [api.get("/me").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/me")
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= settings.KRS_API_RATE_WINDOW_SECONDS
    # The limit is per token: another token is not slowed down.
    assert api_as(issue(certifier)).get("/me").status_code == 200


def test_the_office_limit_must_be_one_the_user_may_act_for(district_user, other_district, certifier, district):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        token_issue(name="x", user=district_user, scope="read", office=other_district)
    token_issue(name="ok", user=certifier, scope="read", office=district)  # a bureau may narrow to a district


def test_issue_api_token_prints_a_working_token_once(api_as, certifier, capsys):
    call_command("issue_api_token", certifier.username, "--scope", "write", "--name", "budget system")
    secret = capsys.readouterr().out.strip()
    body = api_as(secret).get("/me").json()
    assert body["name"] == "budget system" and body["scope"] == "write" and body["username"] == certifier.username


def test_the_admin_shows_a_new_token_once_and_stores_only_its_digest(client, admin_user, certifier):
    client.force_login(admin_user)
    response = client.post("/admin/api/apitoken/add/", {"name": "budget system", "user": certifier.pk, "scope": "write",
                                                         "office": "", "expires_at_0": "", "expires_at_1": ""})
    assert response.status_code == 200, response.content[:2000]
    token = ApiToken.objects.get()
    html = response.content.decode()
    start = html.index('value="krs_') + len('value="')
    secret = html[start:html.index('"', start)]
    assert token.digest == digest_of(secret) and token.created_by == admin_user
    assert "ระบบจะไม่แสดงอีก" in html and "no-store" in response["Cache-Control"]
    # Under the Content-Security-Policy: no inline handler; the copy button is bound by static/js/krs.js.
    assert "onclick=" not in html and 'data-copy="issued-token"' in html and "js/krs.js" in html
    assert secret not in client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()

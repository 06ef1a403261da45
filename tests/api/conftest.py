"""Tokens and a client that sends them; the demo data (seed_demo's) for the tests that want real indicators."""

from __future__ import annotations

import importlib.util
import io
import urllib.request

import pytest

from api.services import token_issue
from krs.models import User


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    """The rate limit counts in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def issue(user: User, scope: str = "read", office=None, name: str | None = None) -> str:
    return token_issue(name=name or f"{user.username}-{scope}", user=user, scope=scope, office=office).secret


class ApiClient:
    """Django's test client with a token in the Authorization header and JSON bodies."""

    def __init__(self, client, secret: str | None) -> None:
        self.client, self.secret = client, secret

    def _headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, **self._headers())

    def post(self, path: str, body):
        return self.client.post(f"/api/v1{path}", body, content_type="application/json", **self._headers())


@pytest.fixture
def api_as(client):
    """api_as(secret) → a client that sends the token."""
    return lambda secret: ApiClient(client, secret)


@pytest.fixture
def demo(db):
    """seed_demo's data: offices, users, the frameworks and a round open today with its entries."""
    import indicators.demo
    import krs.demo
    import reporting.demo

    krs.demo.seed()
    indicators.demo.seed()
    reporting.demo.seed()
    return User.objects.in_bulk(field_name="username")


@pytest.fixture
def open_round(demo):
    """The demo's round open today (the one district pages show first)."""
    from indicators.selectors import current_round
    from krs.models import Office
    from reporting.selectors import rounds_for_office

    return current_round(rounds_for_office(Office.objects.get(code="1001")))


def entry_of(office_code: str, indicator_code: str, round_):
    from reporting.models import Entry

    return Entry.objects.select_related("indicator", "office").get(
        office__code=office_code, indicator__code=indicator_code, indicator__framework__fiscal_year=round_.fiscal_year,
        round=round_)


@pytest.fixture
def script(demo, open_round, monkeypatch, client):
    """The example script, its HTTP calls answered by the app in-process."""
    class Answer(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    calls = []

    def urlopen(request):
        calls.append(request.full_url)
        path = request.full_url.removeprefix("http://testserver")
        headers = {"HTTP_AUTHORIZATION": request.get_header("Authorization")}
        if request.get_method() == "POST":
            response = client.post(path, request.data, content_type="application/json", **headers)
        else:
            response = client.get(path, **headers)
        assert response.status_code == 200, response.content
        return Answer(response.content)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    monkeypatch.setenv("KRS_URL", "http://testserver")
    monkeypatch.setenv("KRS_TOKEN", issue(demo["finance"], "write"))
    spec = importlib.util.spec_from_file_location("upload_central", "docs/examples/upload_central.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.calls = calls
    return module

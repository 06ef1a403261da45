"""Security basics: a CSP with no inline script on any role's pages, CSRF on htmx posts, secrets never logged."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from tests.conftest import PASSWORD
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db


class InlineScript(HTMLParser):
    """Collects what a strict CSP would block: <script> without src, on*= handlers, javascript: URLs, hx-on."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src") and names.get("type", "text/javascript") in ("text/javascript", "module"):
            self.found.append(f"<script> without src: {self.getpos()}")
        for name, value in attrs:
            if re.fullmatch(r"on[a-z]+", name) or name.startswith(("hx-on", "hx-vars")):
                self.found.append(f"{tag} {name}={value!r}")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value!r}")


def inline_script(html: str) -> list[str]:
    parser = InlineScript()
    parser.feed(html)
    return parser.found


@pytest.fixture
def world(district, bureau):
    return open_world(bureau=bureau)


def menu_pages(client: Client) -> list[str]:
    """Home and every page the role's menu links to."""
    home = client.get("/").content.decode()
    nav = home.split('data-testid="nav"', 1)[1].split("</ul>", 1)[0]
    return ["/", *re.findall(r'href="(/[^"]*)"', nav)]


@pytest.mark.parametrize("persona", ["district_user", "certifier", "admin_user", "executive"])
def test_every_menu_page_of_every_role_has_the_policy_and_no_inline_script(request, client, world, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    pages = menu_pages(client)
    if persona == "district_user":
        pages.append(reverse("reporting:entry_page", args=[world.round.pk]))
    assert len(pages) > 2
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy + ";" and "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]
        assert "unsafe-eval" not in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert inline_script(response.content.decode()) == [], url


def test_the_login_page_and_the_framework_tree_have_no_inline_script(client, world, admin_user):
    assert inline_script(client.get(reverse("login")).content.decode()) == []
    client.force_login(admin_user)
    tree = client.get(reverse("indicators:framework_tree", args=[world.framework.pk]))
    assert tree.status_code == 200 and "data-print" in tree.content.decode()
    assert inline_script(tree.content.decode()) == []


def test_the_checker_finds_what_the_policy_would_block():
    found = inline_script('<select onchange="go()"></select><script>x()</script><a href="javascript:x()">x</a>'
                          '<div hx-on:click="x()"></div><script src="/static/a.js"></script>'
                          '<script type="application/json">{}</script>')
    assert len(found) == 4


def test_htmx_is_told_not_to_eval(client, district_user, world):
    client.force_login(district_user)
    html = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html


# --- CSRF on htmx requests -------------------------------------------------------------------------


def test_an_htmx_save_without_the_csrf_token_is_refused_and_with_the_pages_token_accepted(district_user, district, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(district_user)
    entry = world.entry(district, world.quantitative)
    page = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    token = re.search(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", page).group(1)
    a, b = (world.quantitative.variables.get(code=code).pk for code in "AB")
    data = {"version": 0, f"v{a}": "90", f"v{b}": "100"}
    url = reverse("reporting:entry_save", args=[entry.pk])

    refused = client.post(url, data, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403
    entry.refresh_from_db()
    assert entry.version == 0

    accepted = client.post(url, data, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200 and 'data-testid="saved"' in accepted.content.decode()
    entry.refresh_from_db()
    assert entry.version == 1


def test_every_post_form_on_the_pages_carries_the_token(client, district_user, world):
    client.force_login(district_user)
    html = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", html, flags=re.S | re.I)
    assert forms
    for form in forms:
        assert 'name="csrfmiddlewaretoken"' in form or "hx-post" in form  # hx-post sends the header from <body>


# --- Secrets never logged --------------------------------------------------------------------------


SECRET_PASSWORD = "Very-Secret-Pass-9f8e7d"  # noqa: S105


@pytest.fixture
def everything_logged(caplog, settings):
    """Every record any logger emits at DEBUG, formatted with its arguments and extras."""
    caplog.set_level(logging.DEBUG)
    for name in ("axes", "django", "django.request", "django.security", "krs"):
        caplog.set_level(logging.DEBUG, logger=name)

    def text():
        return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)

    return text


def test_a_failed_login_logs_no_password(client, district_user, everything_logged):
    response = client.post(reverse("login"), {"username": district_user.username, "password": SECRET_PASSWORD})
    assert response.status_code == 200  # the form again, with its error
    assert everything_logged() and SECRET_PASSWORD not in everything_logged()


def test_a_password_change_logs_neither_password(client, district_user, everything_logged):
    client.force_login(district_user)
    client.post(reverse("password_change"), {"old_password": SECRET_PASSWORD, "new_password1": "x", "new_password2": "y"})
    changed = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": SECRET_PASSWORD, "new_password2": SECRET_PASSWORD})
    assert changed.status_code == 302
    assert SECRET_PASSWORD not in everything_logged() and PASSWORD not in everything_logged()


def test_an_authorization_header_is_not_logged(client, everything_logged):
    client.get("/no-such-page/", HTTP_AUTHORIZATION=f"Bearer {SECRET_PASSWORD}")
    assert "no-such-page" in everything_logged() and SECRET_PASSWORD not in everything_logged()


def test_an_error_report_hides_posted_passwords_headers_and_secret_settings(rf, settings):
    settings.EMAIL_HOST_PASSWORD = "smtp-" + SECRET_PASSWORD
    # Django's auth views mark their POST sensitive (sensitive_post_parameters), as this request is marked.
    request = rf.post(reverse("login"), {"username": "x", "password": SECRET_PASSWORD},
                      HTTP_AUTHORIZATION=f"Bearer {SECRET_PASSWORD}", HTTP_COOKIE=f"sessionid={SECRET_PASSWORD}")
    request.sensitive_post_parameters = "__ALL__"
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        report = ExceptionReporter(request, type(exc), exc, exc.__traceback__).get_traceback_text()
    assert "boom" in report and SECRET_PASSWORD not in report
    safe = SafeExceptionReporterFilter().get_safe_settings()
    assert SECRET_PASSWORD not in str(safe) and settings.SECRET_KEY not in str(safe)


# --- Login throttling behind the proxy -------------------------------------------------------------


def test_behind_the_proxy_failures_lock_the_clients_address_not_the_proxys(client, district_user, settings):
    """Every request reaches the app from the proxy (REMOTE_ADDR 127.0.0.1): the lock is per client address."""
    settings.KRS_BEHIND_PROXY = True
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(3):
        client.post(url, {"username": district_user.username, "password": "wrong"}, HTTP_X_FORWARDED_FOR="203.0.113.9")
    # The same client, forging an address before the one the proxy appended, is still locked out.
    forged = client.post(url, {"username": district_user.username, "password": PASSWORD},
                         HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    assert forged.status_code in {403, 429} and "_auth_user_id" not in client.session
    # The real user at another address is not locked out by someone else's failures.
    response = client.post(url, {"username": district_user.username, "password": PASSWORD},
                           HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_without_a_proxy_the_forwarded_header_is_ignored(rf, settings):
    from krs.http import client_ip

    settings.KRS_BEHIND_PROXY = False
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="192.0.2.1")) == "192.0.2.1"
    settings.KRS_BEHIND_PROXY = True
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="127.0.0.1")) == "203.0.113.9"
    assert client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"

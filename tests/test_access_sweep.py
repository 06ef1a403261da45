"""Every URL pattern of the project × every role, against one table of expected answers.

The world: district D (1001) and another district O (2001); bureau B owns every indicator, another bureau X
owns none; an executive and an administrator. Every URL that takes an ID is given D's or B's object, so the
other district and the other bureau try objects that are not theirs. Each request runs in a transaction
that is rolled back, so every request meets the same world.

The API (``/api/v1/``) is swept the same way, each role calling with its own read-and-write token instead of
its session (anonymous: no token); a session alone never opens the API.

A URL pattern with no row in the table fails the test: a new page must say who may open it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from api.models import ApiToken
from api.services import token_issue
from attachments.models import Attachment, AttachmentEvent
from certification.models import Message
from krs.models import Notification
from krs.tasks import heartbeat
from reporting.models import Entry, Flag, StatusEvent, SweepRun, Value, ValueChange
from reporting.workflow import entry_mark_reported
from tests.attachments.conftest import attach
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "district", "other_district", "bureau", "other_bureau", "executive", "admin")
LOGIN = "login"  # a 302 to the login page


@dataclass
class Row:
    method: str
    args: str  # which objects fill the URL: "" none, "entry", "attachment", "round", …
    expect: dict[str, object]  # role → status code or LOGIN
    data: dict | Callable = field(default_factory=dict)  # or a function of the world
    api: bool = False  # called with the role's API token (JSON body), not its session


def row(method: str, args: str, anonymous, district, other_district, bureau, other_bureau, executive, admin,
        data=None) -> Row:
    return Row(method, args, dict(zip(ROLES, (anonymous, district, other_district, bureau, other_bureau,
                                               executive, admin), strict=True)), data or {})


def everyone(method: str, args: str, status, *, anonymous=None, data=None) -> Row:
    return row(method, args, anonymous if anonymous is not None else status, *([status] * 6), data=data)


def api(method: str, args: str, *expect, data=None) -> Row:
    spec = row(method, args, *expect, data=data)
    spec.api = True
    return spec


# url name → Row. Codes: 200 shown, 302 redirected (elsewhere than the login page), LOGIN, 403 refused,
# 404 not found (another office's object is "not found" where its existence is itself not to be told),
# 400/409/422 refused for the data (the role may act, the empty form may not).
TABLE: dict[str, Row] = {
    #                          method args            anon   district other_d bureau other_b exec  admin
    "home": row("GET", "", LOGIN, 200, 200, 200, 200, 200, 200),
    "notifications": row("GET", "", LOGIN, 200, 200, 200, 200, 200, 200),
    "favicon": everyone("GET", "", 302),  # to the static icon, for every browser (tests/krs/test_favicon.py)
    "health": everyone("GET", "", 200),  # for monitors: no login, nothing sensitive (tests/krs/test_health.py)
    "login": everyone("GET", "", 200),
    "logout": everyone("POST", "", LOGIN),
    "password_change": row("GET", "", LOGIN, 200, 200, 200, 200, 200, 200),
    "password_change_done": row("GET", "", LOGIN, 200, 200, 200, 200, 200, 200),
    "password_reset": everyone("GET", "", 200),
    "password_reset_done": everyone("GET", "", 200),
    "password_reset_confirm": everyone("GET", "reset", 302),
    "password_reset_complete": everyone("GET", "", 200),
    "admin_password_reset": everyone("GET", "", 200),
    "set_language": everyone("POST", "", 302, data={"language": "en", "next": "/"}),
    "admin:index": row("GET", "", 302, 302, 302, 302, 302, 302, 200),
    # Configuration: administrators (executives may read the tree); to anyone else these pages do not exist.
    "indicators:framework_tree": row("GET", "framework", LOGIN, 404, 404, 404, 404, 200, 200),
    "indicators:framework_export": row("GET", "framework", LOGIN, 404, 404, 404, 404, 404, 200),
    # Criteria changes: administrators only; to anyone else the framework's history does not exist.
    "indicators:framework_history": row("GET", "framework", LOGIN, 404, 404, 404, 404, 404, 200),
    "indicators:framework_import": row("GET", "", LOGIN, 404, 404, 404, 404, 404, 200),
    "indicators:framework_import_confirm": row("POST", "", LOGIN, 404, 404, 404, 404, 404, 302),
    # Data entry: the district's own entries only.
    "reporting:entry_current": row("GET", "", LOGIN, 302, 302, 403, 403, 403, 403),
    "reporting:entry_page": row("GET", "round", LOGIN, 200, 200, 403, 403, 403, 403),
    "reporting:entry_save": row("POST", "entry", LOGIN, 409, 404, 403, 403, 403, 403),
    "reporting:entry_preview": row("POST", "entry", LOGIN, 200, 404, 403, 403, 403, 403),
    "reporting:entry_history": row("GET", "entry", LOGIN, 200, 404, 200, 404, 200, 200),
    # Central data: the owning bureau only.
    "reporting:central_list": row("GET", "", LOGIN, 403, 403, 200, 200, 403, 403),
    "reporting:central_grid": row("GET", "central", LOGIN, 403, 403, 200, 404, 403, 403),
    "reporting:central_template": row("GET", "central_xlsx", LOGIN, 403, 403, 200, 404, 403, 403),
    "reporting:central_upload": row("GET", "central", LOGIN, 403, 403, 200, 404, 403, 403),
    "reporting:central_upload_confirm": row("POST", "central", LOGIN, 403, 403, 302, 404, 403, 403),
    # Certification: the bureau that owns the indicator.
    "certification:queue": row("GET", "", LOGIN, 403, 403, 200, 200, 403, 403),
    "certification:bulk_certify": row("POST", "", LOGIN, 403, 403, 302, 302, 403, 403),
    "certification:bulk_confirm": row("POST", "", LOGIN, 403, 403, 302, 302, 403, 403),
    "certification:review": row("GET", "entry", LOGIN, 200, 404, 200, 404, 200, 200),
    "certification:certify": row("POST", "entry", LOGIN, 403, 404, 302, 404, 403, 403),
    "certification:reject": row("POST", "entry", LOGIN, 403, 404, 422, 404, 403, 403),
    "certification:reopen": row("POST", "entry", LOGIN, 403, 404, 403, 404, 403, 422),
    "certification:flag_seen": row("POST", "entry", LOGIN, 302, 404, 302, 404, 403, 403),
    "certification:message": row("POST", "entry", LOGIN, 422, 404, 422, 404, 403, 403),
    "certification:deadlines": row("GET", "", LOGIN, 403, 403, 403, 403, 403, 200),
    "certification:deadlines_run": row("POST", "", LOGIN, 403, 403, 403, 403, 403, 302),
    "certification:overdue": row("GET", "round", LOGIN, 403, 403, 403, 403, 403, 200),
    "certification:recertify_list": row("GET", "framework", LOGIN, 404, 404, 404, 404, 404, 200),
    "certification:recertify": row("POST", "framework", LOGIN, 404, 404, 404, 404, 404, 302),
    # Evidence files: the district's own and the owning bureau's.
    "attachments:entry_files": row("GET", "entry_id", LOGIN, 200, 404, 200, 404, 200, 200),
    "attachments:attach": row("POST", "entry_id", LOGIN, 302, 404, 302, 404, 403, 403),
    "attachments:download": row("GET", "attachment", LOGIN, 200, 404, 200, 404, 200, 200),
    "attachments:register": row("POST", "attachment", LOGIN, 403, 404, 302, 404, 403, 403),
    "attachments:delete": row("POST", "attachment", LOGIN, 302, 404, 403, 404, 403, 403),
    "attachments:inbox": row("GET", "", LOGIN, 403, 403, 200, 200, 403, 403),
    # Reports: a district its own scorecard; the national pages for executives and administrators.
    "reports:scorecard_home": row("GET", "", LOGIN, 302, 302, 403, 403, 302, 302),
    "reports:scorecard": row("GET", "scorecard", LOGIN, 200, 404, 404, 404, 200, 200),
    "reports:scorecard_print": row("GET", "scorecard", LOGIN, 200, 404, 404, 404, 200, 200),
    "reports:scorecard_pdf": row("GET", "scorecard", LOGIN, 200, 404, 404, 404, 200, 200),
    "reports:scorecard_export": row("GET", "scorecard_xlsx", LOGIN, 200, 404, 404, 404, 200, 200),
    # The handbook of a published framework: every district and bureau, executives and administrators.
    "reports:handbook_list": row("GET", "", LOGIN, 200, 200, 200, 200, 200, 200),
    "reports:handbook": row("GET", "framework", LOGIN, 200, 200, 200, 200, 200, 200),
    "reports:handbook_pdf": row("GET", "framework", LOGIN, 200, 200, 200, 200, 200, 200),
    "reports:national": row("GET", "", LOGIN, 403, 403, 403, 403, 200, 200),
    "reports:national_indicators": row("GET", "", LOGIN, 403, 403, 403, 403, 200, 200),
    "reports:national_bureaus": row("GET", "", LOGIN, 403, 403, 403, 403, 200, 200),
    "reports:national_export": row("GET", "national_xlsx", LOGIN, 403, 403, 403, 403, 200, 200),
    "reports:progress": row("GET", "", LOGIN, 403, 403, 200, 200, 200, 200),
    "reports:progress_export": row("GET", "progress_xlsx", LOGIN, 403, 403, 200, 200, 200, 200),
    # The API: its description and reference page are public (the shape, no data); everything else needs a
    # token. An empty batch is refused for its data (422) by those who may write it at all.
    "api-v1:api-root": api("GET", "", 404, 404, 404, 404, 404, 404, 404),
    "api-v1:openapi-json": api("GET", "", 200, 200, 200, 200, 200, 200, 200),
    "api-v1:openapi-view": api("GET", "", 200, 200, 200, 200, 200, 200, 200),
    "api-v1:me": api("GET", "", 401, 200, 200, 200, 200, 200, 200),
    "api-v1:fiscal_years": api("GET", "", 401, 200, 200, 200, 200, 200, 200),
    "api-v1:rounds": api("GET", "", 401, 200, 200, 200, 200, 200, 200),
    "api-v1:frameworks": api("GET", "", 401, 200, 200, 200, 200, 200, 200),
    "api-v1:framework": api("GET", "framework", 401, 200, 200, 200, 200, 200, 200),
    "api-v1:indicators": api("GET", "", 401, 200, 200, 200, 200, 200, 200),
    "api-v1:entries": api("GET", "", 401, 200, 200, 200, 200, 200, 200),
    "api-v1:entry": api("GET", "entry", 401, 200, 404, 200, 404, 200, 200),
    "api-v1:district_values": api("POST", "", 401, 200, 422, 403, 403, 403, 403, data=lambda world: {"items": [
        {"entry": world["entry"].pk, "version": world["entry"].version, "values": {"A": "5", "B": "10"}}]}),
    "api-v1:central_values": api("POST", "", 401, 403, 403, 200, 422, 403, 403, data=lambda world: {
        "round": world["w"].round.pk,
        "items": [{"office": world["district"].code, "indicator": world["w"].central.pk, "values": {"A": "5", "B": "10"}}]}),
    "api-v1:national_results": api("GET", "", 401, 403, 403, 403, 403, 200, 200),
}


def url_names() -> list[str]:
    """Every named URL pattern of the project except the admin site's own (swept below by its index)."""
    names = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    names.append("admin:index")
                    continue
                inner = ":".join(filter(None, [namespace, p.namespace]))
                walk(p.url_patterns, inner)
            elif isinstance(p, URLPattern) and p.name:
                names.append(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, "")
    return sorted(set(names))


@pytest.fixture
def world(district, other_district, bureau, other_bureau, district_user, other_district_user, certifier,
          other_certifier, executive, admin_user):
    w = open_world(bureau=bureau)
    heartbeat()  # the worker is alive: /health/ answers 200
    entry = w.entry(district, w.quantitative)
    entry.self_score = Decimal("4.00000")
    entry.save(update_fields=["self_score"])
    entry_mark_reported(entry=entry, by=district_user)  # awaiting certification: the bureau may act on it
    attachment = attach(entry, district_user, b"%PDF-1.4\n%%EOF\n", name="หลักฐาน.pdf")
    users = {
        "district": district_user, "other_district": other_district_user, "bureau": certifier,
        "other_bureau": other_certifier, "executive": executive, "admin": admin_user,
    }
    tokens = {role: token_issue(name=f"sweep {role}", user=user, scope=ApiToken.Scope.WRITE).secret
              for role, user in users.items()}
    return {"w": w, "entry": entry, "attachment": attachment, "users": users, "tokens": tokens, "district": district}


def url_for(name: str, args: str, world) -> str:
    w, entry = world["w"], world["entry"]
    kwargs = {
        "": [],
        "entry": [entry.pk],
        "entry_id": [entry.pk],
        "attachment": [world["attachment"].pk],
        "round": [w.round.pk],
        "framework": [w.framework.pk],
        "central": [w.round.pk, w.central.pk],
        "central_xlsx": [w.round.pk, w.central.pk, "xlsx"],
        "scorecard": [world["district"].pk, w.round.pk],
        "scorecard_xlsx": [world["district"].pk, w.round.pk, "indicators", "xlsx"],
        "national_xlsx": ["ranking", "xlsx"],
        "progress_xlsx": ["waiting", "xlsx"],
        "reset": [urlsafe_base64_encode(force_bytes(world["users"]["district"].pk)),
                  default_token_generator.make_token(world["users"]["district"])],
    }[args]
    return reverse(name, args=kwargs)


WRITTEN = (Entry, Value, ValueChange, StatusEvent, Flag, Message, SweepRun, Attachment, AttachmentEvent, Notification)


def fingerprint() -> list:
    """What a refused request must leave as it was: every row count, and each entry's status and version."""
    return [m.objects.count() for m in WRITTEN] + list(Entry.objects.order_by("pk").values_list("status", "version"))


def answer(client, name: str, spec: Row, world, role: str):
    client.logout()
    headers, kwargs = {}, {}
    if spec.api:
        if role != "anonymous":
            headers["Authorization"] = f"Bearer {world['tokens'][role]}"
        if spec.method == "POST":
            kwargs["content_type"] = "application/json"
    elif role != "anonymous":
        client.force_login(world["users"][role])
    url = url_for(name, spec.args, world)
    with transaction.atomic():
        before = fingerprint()
        data = spec.data(world) if callable(spec.data) else spec.data
        response = getattr(client, spec.method.lower())(url, data, headers=headers, **kwargs)
        changed = fingerprint() != before
        transaction.set_rollback(True)
    got = response.status_code
    if got == 302 and "/accounts/login/" in response["Location"]:
        got = LOGIN
    return got, changed


def test_every_url_pattern_has_a_row():
    assert sorted(set(url_names()) - set(TABLE)) == []
    assert sorted(set(TABLE) - set(url_names())) == []


def test_every_role_gets_the_expected_answer_everywhere(client, world):
    wrong = []
    for name, spec in sorted(TABLE.items()):
        for role in ROLES:
            got, changed = answer(client, name, spec, world, role)
            if got != spec.expect[role]:
                wrong.append(f"{name} {spec.method} as {role}: expected {spec.expect[role]}, got {got}")
            if changed and got in (LOGIN, 403, 404, 405):
                wrong.append(f"{name} {spec.method} as {role}: refused ({got}) but changed the database")
    assert wrong == [], "\n".join(wrong)

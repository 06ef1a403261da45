"""Bad input everywhere: arbitrary text, numbers and files in every form field and query
parameter of the pages. Never a server error, and never half-saved: a refused form leaves the database as it
was, an accepted one holds exactly what it said it saved.

Each example runs in a transaction rolled back afterwards, so every example meets the same world.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attachments.models import Attachment
from certification.models import Message
from indicators.models import Framework, Indicator
from reporting.central import cell_name
from reporting.models import Entry, StatusEvent, Value, ValueChange
from reporting.services import variable_field
from reporting.workflow import entry_mark_reported
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
EXAMPLES = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text people type and text nobody should: Thai digits and separators, signs, exponents, NaN and infinity,
# huge and tiny numbers, control characters, markup, SQL, and whatever else hypothesis finds.
NUMBERISH = st.sampled_from([
    "", " ", "0", "-1", "๑๒๓", "1,234.5", "1.2.3", "1e9999", "-1e-9999", "NaN", "nan", "Infinity", "-inf",
    "9" * 40, "0." + "0" * 30 + "1", "٣", "１２", "1_000", "0x10", "+5", "5-", "\x00", "<script>", "'; DROP TABLE x;--",
])
TEXT = st.text(max_size=300) | NUMBERISH


@pytest.fixture
def world(district, other_district, bureau, district_user, certifier, admin_user, executive):
    w = open_world(bureau=bureau)
    return {"w": w, "district": district, "district_user": district_user, "certifier": certifier,
            "admin": admin_user, "executive": executive}


def has_nul(*texts) -> bool:
    """A NUL character is refused at the door, for every form and parameter (krs.middleware): 400."""
    return any("\x00" in text for text in texts)


def rolled_back(call):
    """Run ``call`` in a transaction that is undone afterwards; return what it returned."""
    with transaction.atomic():
        result = call()
        transaction.set_rollback(True)
    return result


def values_of(entry) -> dict[str, Decimal | None]:
    return dict(Value.objects.filter(entry=entry).values_list("variable__code", "value"))


@given(a=TEXT, b=TEXT)
@EXAMPLES
def test_entry_values_are_saved_whole_or_not_at_all(client, world, a, b):
    w = world["w"]
    entry = w.entry(world["district"], w.quantitative)
    variables = {v.code: v for v in w.quantitative.variables.all()}
    client.force_login(world["district_user"])

    def post():
        before = (values_of(entry), Entry.objects.get(pk=entry.pk).version, ValueChange.objects.count())
        response = client.post(reverse("reporting:entry_save", args=[entry.pk]), {
            "version": str(entry.version), variable_field(variables["A"]): a, variable_field(variables["B"]): b,
        }, **HTMX)
        after = (values_of(entry), Entry.objects.get(pk=entry.pk).version, ValueChange.objects.count())
        return response, before, after

    response, before, after = rolled_back(post)
    if has_nul(a, b):
        assert response.status_code == 400 and after == before
        return
    refused = response.get("X-KRS-Status")  # htmx: the fragment carries the outcome, a refusal with its status
    assert response.status_code == (int(refused) if refused else 200)
    if refused:
        assert refused in {"403", "409", "422"}
        assert after == before, "a refused save changed something"
    else:
        saved, version, _changes = after
        assert version == before[1] + (1 if saved != before[0] else 0)  # a save that changes nothing bumps nothing
        for code, typed in (("A", a), ("B", b)):  # both as typed: a number for a number, nothing for a blank
            if typed.strip():
                assert isinstance(saved.get(code), Decimal), (code, typed, saved)
            else:
                assert saved.get(code) is None, (code, typed, saved)


@given(texts=st.lists(TEXT, min_size=4, max_size=4), version=st.sampled_from(["0", "", "x", "-1", "99"]))
@EXAMPLES
def test_the_central_grid_saves_every_row_or_none(client, world, texts, version):
    w = world["w"]
    entries = list(Entry.objects.filter(round=w.round, indicator=w.central).order_by("office__code"))
    client.force_login(world["certifier"])
    data = {"row": [str(e.pk) for e in entries]}
    for n, entry in enumerate(entries):
        data[f"version-{entry.pk}"] = version if n == 0 else str(entry.version)
        data[cell_name(entry.pk, "A")] = texts[(2 * n) % 4]
        data[cell_name(entry.pk, "B")] = texts[(2 * n + 1) % 4]

    def post():
        before = [values_of(e) for e in entries]
        response = client.post(reverse("reporting:central_grid", args=[w.round.pk, w.central.pk]), data)
        return response, before, [values_of(e) for e in entries]

    response, before, after = rolled_back(post)
    assert response.status_code in ({400} if has_nul(*texts) else {302, 409, 422})
    if response.status_code != 302:
        assert after == before, "a refused grid saved some rows"


@given(comment=TEXT, deadline=TEXT | st.sampled_from(["2099-01-01T10:00", "2000-01-01", "2099-13-40T25:61"]))
@EXAMPLES
def test_a_rejection_with_any_reason_and_deadline_is_taken_whole_or_refused(client, world, comment, deadline):
    w = world["w"]
    entry = w.entry(world["district"], w.quantitative)
    Entry.objects.filter(pk=entry.pk).update(self_score=Decimal(4))
    client.force_login(world["certifier"])

    def post():
        entry_mark_reported(entry=Entry.objects.get(pk=entry.pk), by=world["district_user"])
        events = StatusEvent.objects.count()
        response = client.post(reverse("certification:reject", args=[entry.pk]),
                               {"comment": comment, "fix_deadline": deadline})
        return response, events, StatusEvent.objects.count(), Entry.objects.get(pk=entry.pk).status

    response, events_before, events_after, status = rolled_back(post)
    assert response.status_code in ({400} if has_nul(comment, deadline) else {302, 422})
    if response.status_code != 302:
        assert status == Entry.Status.AWAITING and events_after == events_before
    else:
        assert status == Entry.Status.REJECTED and events_after == events_before + 1


@given(text=TEXT)
@EXAMPLES
def test_a_message_of_any_text(client, world, text):
    w = world["w"]
    entry = w.entry(world["district"], w.quantitative)
    client.force_login(world["district_user"])

    def post():
        before = Message.objects.count()
        response = client.post(reverse("certification:message", args=[entry.pk]), {"body": text})
        return response, before, Message.objects.count()

    response, before, after = rolled_back(post)
    assert response.status_code in ({400} if has_nul(text) else {302, 422})
    assert after == before + (1 if response.status_code == 302 else 0)


@given(name=st.text(min_size=1, max_size=120), content=st.binary(max_size=2048), description=TEXT)
@EXAMPLES
def test_any_file_is_attached_whole_or_refused(client, world, name, content, description):
    w = world["w"]
    entry = w.entry(world["district"], w.quantitative)
    client.force_login(world["district_user"])
    upload = SimpleUploadedFile(name.replace("/", "_").replace("\\", "_") or "x", content)

    def post():
        before = Attachment.objects.count()
        response = client.post(reverse("attachments:attach", args=[entry.pk]),
                               {"description": description, "files": [upload]}, **HTMX)
        return response, before, Attachment.objects.count()

    response, before, after = rolled_back(post)
    if has_nul(description):  # (Django's multipart parser drops a NUL from a file's name itself)
        assert response.status_code == 400 and after == before
    assert response.status_code < 500
    assert after in (before, before + 1)


@given(content=st.binary(max_size=4096) | st.sampled_from([b"PK\x03\x04" + b"\x00" * 100, b""]))
@EXAMPLES
def test_any_workbook_upload_is_refused_or_checked_never_a_server_error(client, world, content):
    client.force_login(world["admin"])

    def post():
        before = (Framework.objects.count(), Indicator.objects.count())
        upload = SimpleUploadedFile("กรอบ.xlsx", content)
        response = client.post(reverse("indicators:framework_import"),
                               {"file": upload, "fiscal_year": str(world["w"].framework.fiscal_year_id)})
        return response, before, (Framework.objects.count(), Indicator.objects.count())

    response, before, after = rolled_back(post)
    assert response.status_code in {200, 422}
    assert after == before  # a preview only: nothing is created before the confirmation


@given(content=st.binary(max_size=4096), name=st.sampled_from(["ข้อมูล.xlsx", "data.csv", "x.txt", "ไม่มีนามสกุล"]))
@EXAMPLES
def test_any_central_upload_is_refused_or_previewed(client, world, content, name):
    w = world["w"]
    client.force_login(world["certifier"])

    def post():
        before = ValueChange.objects.count()
        response = client.post(reverse("reporting:central_upload", args=[w.round.pk, w.central.pk]),
                               {"file": SimpleUploadedFile(name, content)})
        return response, before, ValueChange.objects.count()

    response, before, after = rolled_back(post)
    assert response.status_code in {200, 422}
    assert after == before  # a preview: values change only on confirmation


PARAMS = st.dictionaries(
    st.sampled_from(["round", "framework", "kind", "sort", "page", "days", "status", "q", "office", "indicator",
                     "new", "focus"]),
    TEXT, max_size=5,
)


@given(params=PARAMS)
@EXAMPLES
def test_any_query_parameters_on_the_lists_and_reports(client, world, params):
    w = world["w"]
    pages = [
        (world["district_user"], reverse("reporting:entry_page", args=[w.round.pk])),
        (world["district_user"], reverse("reports:scorecard", args=[world["district"].pk, w.round.pk])),
        (world["certifier"], reverse("certification:queue")),
        (world["certifier"], reverse("reports:progress")),
        (world["executive"], reverse("reports:national")),
        (world["executive"], reverse("reports:national_indicators")),
        (world["executive"], reverse("reports:national_export", args=["ranking", "csv"])),
        (world["admin"], reverse("certification:deadlines")),
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url, params)
        expected = {400} if has_nul(*params, *params.values()) else {200, 302, 404}
        assert response.status_code in expected, (url, params, response.status_code)


@given(username=TEXT, password=TEXT)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_login_attempt(client, world, username, password):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code in ({400} if has_nul(username, password) else {200, 403, 429})


def test_the_bad_input_examples_include_what_districts_really_type():
    """The fixed examples are drawn: Thai digits and thousands separators are among them (a sanity check
    that the strategies above are not only random noise)."""
    found = set()

    @given(NUMBERISH)
    @settings(max_examples=200, database=None)
    def collect(text):
        found.add(text)

    collect()
    assert {"๑๒๓", "1,234.5"} <= found


# --- PMQA: written answers, links, levels and category-7 proposals through the entry page -------------------


@pytest.fixture
def pmqa():
    from tests.reporting.pmqa_fixtures import pmqa_world

    return pmqa_world()


def pmqa_state(entry_id: int):
    from reporting.models import Answer, ResultProposal

    entry = Entry.objects.get(pk=entry_id)
    return (entry.version, entry.status, list(Answer.objects.filter(entry_id=entry_id).values_list("text", "links")),
            list(ResultProposal.objects.filter(entry_id=entry_id).values_list("name", "unit", "same_as_last_year")),
            ValueChange.objects.filter(entry_id=entry_id).count())


@given(answer=TEXT, links=TEXT, level=st.sampled_from(["", "x", "-1", "999999"]) | st.text(max_size=5))
@EXAMPLES
def test_a_pmqa_answer_of_any_text_links_and_level(client, pmqa, answer, links, level):
    entry = pmqa.entry("1001", "1.1")
    client.force_login(pmqa.user("bkk1"))
    levels = [str(pk) for pk in entry.indicator.levels.values_list("pk", flat=True)]

    def post():
        before = pmqa_state(entry.pk)
        response = client.post(reverse("reporting:entry_save", args=[entry.pk]), {
            "version": str(entry.version), "answer": answer, "links": links, "level": level}, **HTMX)
        return response, before, pmqa_state(entry.pk)

    response, before, after = rolled_back(post)
    if has_nul(answer, links, level):
        assert response.status_code == 400 and after == before
        return
    refused = response.get("X-KRS-Status")
    assert response.status_code == (int(refused) if refused else 200)
    if refused:
        assert after == before, "a refused PMQA answer changed something"
    else:
        assert level.strip() == "" or level.strip() in levels  # only a level of this item is taken


@given(name=TEXT, unit=st.sampled_from(["percent", "level", "count", "", "kg"]) | TEXT,
       same=st.sampled_from(["", "1", "on", "x"]), result=NUMBERISH, target=NUMBERISH, baseline=NUMBERISH)
@EXAMPLES
def test_a_category_7_proposal_of_any_name_unit_and_numbers(client, pmqa, name, unit, same, result, target, baseline):
    entry = pmqa.entry("1001", "7.1")
    client.force_login(pmqa.user("bkk1"))
    data = {"version": str(entry.version), "kpi_name": name, "kpi_unit": unit,
            pmqa.variable_field("7.1", "A"): result, pmqa.variable_field("7.1", "B"): target,
            pmqa.variable_field("7.1", "C"): baseline}
    if same:
        data["kpi_same"] = same

    def post():
        before = pmqa_state(entry.pk)
        response = client.post(reverse("reporting:entry_save", args=[entry.pk]), data, **HTMX)
        return response, before, pmqa_state(entry.pk)

    response, before, after = rolled_back(post)
    if has_nul(name, unit, same, result, target, baseline):
        assert response.status_code == 400 and after == before
        return
    refused = response.get("X-KRS-Status")
    assert response.status_code == (int(refused) if refused else 200)
    if refused:
        assert after == before, "a refused proposal changed something"


# --- The other decision forms and small forms -----------------------------------------------------------------


@given(comment=TEXT, level=TEXT)
@EXAMPLES
def test_certify_and_reopen_with_any_comment(client, world, comment, level):
    w = world["w"]
    entry = w.entry(world["district"], w.quantitative)
    Entry.objects.filter(pk=entry.pk).update(self_score=Decimal(4))

    def certify_then_reopen():
        entry_mark_reported(entry=Entry.objects.get(pk=entry.pk), by=world["district_user"])
        client.force_login(world["certifier"])
        certified = client.post(reverse("certification:certify", args=[entry.pk]), {"comment": comment, "level": level})
        status = Entry.objects.get(pk=entry.pk).status
        client.force_login(world["admin"])
        reopened = client.post(reverse("certification:reopen", args=[entry.pk]), {"comment": comment})
        return certified, status, reopened, Entry.objects.get(pk=entry.pk).status

    certified, status, reopened, final = rolled_back(certify_then_reopen)
    assert certified.status_code in ({400} if has_nul(comment, level) else {302, 422})
    assert status == (Entry.Status.CERTIFIED if certified.status_code == 302 else Entry.Status.AWAITING)
    assert reopened.status_code in ({400} if has_nul(comment) else {302, 409, 422})
    if reopened.status_code != 302:
        assert final == status


@given(ids=st.lists(TEXT | st.integers(min_value=-2**63, max_value=2**63).map(str), max_size=6), nxt=TEXT)
@EXAMPLES
def test_bulk_certify_with_any_entry_ids(client, world, ids, nxt):
    client.force_login(world["certifier"])

    def post():
        before = StatusEvent.objects.count()
        response = client.post(reverse("certification:bulk_certify"), {"entry": ids, "next": nxt})
        return response, before, StatusEvent.objects.count()

    response, before, after = rolled_back(post)
    assert response.status_code in ({400} if has_nul(*ids, nxt) else {302})
    if response.status_code == 302:
        assert not response["Location"].startswith(("http://", "https://", "//"))  # never off-site
    assert after >= before


@given(language=TEXT, nxt=TEXT)
@EXAMPLES
def test_the_language_switch_with_any_language_and_next(client, language, nxt):
    response = client.post(reverse("set_language"), {"language": language, "next": nxt})
    assert response.status_code in ({400} if has_nul(language, nxt) else {302, 204})
    if response.status_code == 302:
        assert not response["Location"].startswith(("http://", "https://", "//"))


@given(old=TEXT, new1=TEXT, new2=TEXT)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_password_change_with_any_text(client, world, old, new1, new2):
    user = world["district_user"]
    client.force_login(user)

    def post():
        before = type(user).objects.get(pk=user.pk).password
        response = client.post(reverse("password_change"), {"old_password": old, "new_password1": new1,
                                                             "new_password2": new2})
        return response, before, type(user).objects.get(pk=user.pk).password

    response, before, after = rolled_back(post)
    assert response.status_code in ({400} if has_nul(old, new1, new2) else {200, 302})
    assert (after != before) == (response.status_code == 302)


HUGE = "9" * 30  # digits, but no 64-bit id: it was a server error on SQLite where a view passed it to a query


def test_numbers_too_large_for_an_id_are_no_id_anywhere(client, world):
    w = world["w"]
    cases = [
        (world["certifier"], "get", reverse("certification:queue"), {"indicator": HUGE, "round": HUGE, "page": HUGE}),
        (world["certifier"], "post", reverse("certification:bulk_certify"), {"entry": [HUGE, "-1", "๑"]}),
        (world["certifier"], "post", reverse("reporting:central_grid", args=[w.round.pk, w.central.pk]),
         {"row": [HUGE], f"version-{HUGE}": "1"}),
        (world["district_user"], "post", reverse("reporting:entry_save", args=[w.entry(world["district"], w.quantitative).pk]),
         {"version": HUGE}),
        (world["executive"], "get", reverse("reports:national"), {"round": HUGE, "framework": HUGE, "page": HUGE}),
        (world["certifier"], "get", reverse("reports:progress"), {"round": HUGE, "days": HUGE}),
    ]
    for user, method, url, data in cases:
        client.force_login(user)
        response = getattr(client, method)(url, data)
        assert response.status_code in {200, 302, 409, 422}, (url, data, response.status_code)


@pytest.mark.parametrize("text, expected", [
    ("12", 12), (" 7 ", 7), ("0", None), ("-3", None), ("๑", None), ("1e3", None), ("", None), (None, None),
    (str(2**63 - 1), 2**63 - 1), (str(2**63), None), (HUGE, None),
])
def test_parse_id(text, expected):
    from krs.http import parse_id

    assert parse_id(text) == expected


@given(digest=TEXT, nxt=TEXT)
@EXAMPLES
def test_the_confirmations_with_any_digest_and_next(client, world, digest, nxt):
    """The workbook and central-data confirmations take a digest of the previewed file; files' actions a next."""
    w = world["w"]
    entry = w.entry(world["district"], w.quantitative)

    def post():
        before = (Framework.objects.count(), ValueChange.objects.count(), Attachment.objects.count())
        client.force_login(world["admin"])
        workbook = client.post(reverse("indicators:framework_import_confirm"), {"digest": digest})
        client.force_login(world["certifier"])
        central = client.post(reverse("reporting:central_upload_confirm", args=[w.round.pk, w.central.pk]),
                              {"digest": digest})
        client.force_login(world["district_user"])
        files = client.post(reverse("attachments:entry_files", args=[entry.pk]) + "attach/",
                            {"description": "x", "next": nxt})
        after = (Framework.objects.count(), ValueChange.objects.count(), Attachment.objects.count())
        return (workbook, central, files), before, after

    (workbook, central, files), before, after = rolled_back(post)
    for response in (workbook, central):
        assert response.status_code in ({400} if has_nul(digest) else {200, 302, 422}), response.status_code
    assert files.status_code in ({400} if has_nul(nxt) else {302})
    if files.status_code == 302:
        assert files["Location"].startswith("/")  # never off-site, whatever next said
    assert after == before  # no stashed file to confirm, no file to attach: nothing is created

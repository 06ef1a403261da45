"""Validation rules across variables and soft warnings, through every door: page, grid, upload, API."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from indicators.models import Round, ValidationRule, Variable
from reporting.checks import Finding, beyond, confirmed_warnings, entries_check, rule_findings, warnings_token
from reporting.compute import Inputs, indicator_config
from reporting.models import Entry, Value
from reporting.services import NeedsConfirmation, entry_save_values, round_open
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
D = Decimal


@pytest.fixture
def world(district, other_district, bureau):
    return open_world(bureau=bureau)


def rule(indicator, left, operator, right, severity="error", message="", message_en=""):
    return ValidationRule.objects.create(indicator=indicator, left=left, operator=operator, right=right,
                                         severity=severity, message=message, message_en=message_en)


def var(indicator, code):
    return indicator.variables.get(code=code)


def fields(indicator, **values):
    return {f"v{var(indicator, code).pk}": text for code, text in values.items()}


def save(client, entry, data, **extra):
    entry.refresh_from_db()
    payload = {"version": entry.version, **data, **extra}
    return client.post(reverse("reporting:entry_save", args=[entry.pk]), payload, **HTMX)


def values_of(entry):
    return {v.variable.code: v.value for v in Value.objects.filter(entry=entry).select_related("variable")}


def earlier_round(world):
    """A round of the same fiscal year before the open one, with its entries (the 'previous round')."""
    now = timezone.now()
    first, _last = world.round.fiscal_year.bounds
    earlier = Round.objects.create(fiscal_year=world.round.fiscal_year, months=3, period_end=first,
                                   opens_at=now - timedelta(days=100), deadline=now - timedelta(days=90),
                                   certification_deadline=now - timedelta(days=80))
    round_open(round_=earlier)
    return earlier


def store_previous(earlier, office, indicator, **values):
    entry = Entry.objects.get(round=earlier, office=office, indicator=indicator)
    for code, value in values.items():
        Value.objects.create(entry=entry, variable=var(indicator, code), value=D(value))


# --- The checks themselves (pure) --------------------------------------------------------------------


def inputs_of(indicator, **values):
    return Inputs(values={var(indicator, code).pk: (None if v is None else D(v)) for code, v in values.items()})


@pytest.mark.parametrize(("left", "operator", "right", "values", "broken"), [
    ("A", "<=", "B", {"A": 500, "B": 50}, True),  # the issue's example: 1000 %
    ("A", "<=", "B", {"A": 50, "B": 50}, False),  # equal is allowed by <=
    ("A", "<", "B", {"A": 50, "B": 50}, True),  # but not by <
    ("A", "<=", "B", {"A": 500, "B": None}, False),  # an empty side skips the rule
    ("result", "<=", "100", {"A": 500, "B": 50}, True),  # the computed result, A / B * 100 = 1000
    ("result", "<=", "100", {"A": 5, "B": 0}, False),  # no result (division by zero): skipped
    ("A + B", ">=", "10", {"A": 2, "B": 3}, True),  # expressions on either side
    ("A", "!=", "0", {"A": 0, "B": 3}, True),
    ("B", "==", "A * 2", {"A": 2, "B": 4}, False),
])
def test_a_rule_is_broken_only_when_both_sides_have_values_and_the_comparison_fails(
        world, left, operator, right, values, broken):
    indicator = indicator_config().get(pk=world.quantitative.pk)
    made = rule(indicator, left, operator, right)
    found = rule_findings(indicator, world.round, inputs_of(indicator, **values), [made])
    assert bool(found) is broken


def test_a_rule_is_checked_only_when_a_variable_it_reads_changes(world):
    indicator = indicator_config().get(pk=world.quantitative.pk)
    made = rule(indicator, "A", "<=", "B")
    broken = inputs_of(indicator, A=500, B=50)
    assert rule_findings(indicator, world.round, broken, [made], changed={"A"})
    assert not rule_findings(indicator, world.round, broken, [made], changed={"C"})


def test_the_message_names_the_rule_and_the_values_in_thai_and_english(world):
    indicator = indicator_config().get(pk=world.quantitative.pk)
    plain = rule(indicator, "A", "<=", "B")
    own = rule(indicator, "A", "<=", "B", message="จำนวนที่ผ่านต้องไม่มากกว่าจำนวนทั้งหมด", message_en="Passed cannot exceed all")
    first, second = rule_findings(indicator, world.round, inputs_of(indicator, A=500, B=50), [plain, own])
    with translation.override("th"):
        assert first.message == "ค่าไม่เป็นไปตามกฎ “A ≤ B” (A = 500, B = 50): ตรวจสอบและแก้ค่า A, B"
        assert second.message == "จำนวนที่ผ่านต้องไม่มากกว่าจำนวนทั้งหมด (A = 500, B = 50)"
    with translation.override("en"):
        assert first.message == 'The values break the rule "A ≤ B" (A = 500, B = 50): check and correct A, B'
        assert second.message == "Passed cannot exceed all (A = 500, B = 50)"
    # Stored as JSON, worded again when read.
    assert Finding.from_json(json.loads(json.dumps(first.as_json()))) == first


@pytest.mark.parametrize(("value", "reference", "factor", "warned"), [
    ("201", "100", "2", True),  # more than twice
    ("200", "100", "2", False),  # exactly twice is within
    ("49", "100", "2", True),  # less than half
    ("50", "100", "2", False),
    ("0", "100", "2", True),  # a zero where there was 100
    ("5", "0", "2", False),  # no ratio to a zero reference
])
def test_beyond_a_factor_in_both_directions(value, reference, factor, warned):
    assert beyond(D(value), D(reference), D(factor)) is warned


# --- The entry page ----------------------------------------------------------------------------------


def test_an_error_rule_blocks_the_save_and_names_what_to_fix_at_the_field(client, district_user, district, world):
    rule(world.quantitative, "A", "<=", "B", message="จำนวนที่ผ่านต้องไม่มากกว่าจำนวนทั้งหมด")
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    response = save(client, entry, fields(world.quantitative, A="500", B="50"))
    html = response.content.decode()
    assert (response.status_code, response["X-KRS-Status"]) == (422, "422")
    assert 'data-testid="error-A"' in html and "จำนวนที่ผ่านต้องไม่มากกว่าจำนวนทั้งหมด (A = 500, B = 50)" in html
    assert 'value="500"' in html  # the typed values stay in the boxes
    entry.refresh_from_db()
    assert values_of(entry) == {} and entry.version == 0 and entry.result is None


def test_the_error_is_in_english_in_the_english_interface(client, district_user, district, world):
    rule(world.quantitative, "A", "<=", "B", message="ต้องไม่มากกว่า", message_en="Cannot exceed the total")
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    client.cookies["django_language"] = "en"
    html = save(client, entry, fields(world.quantitative, A="500", B="50"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cannot exceed the total (A = 500, B = 50)" in html


def test_a_warning_is_saved_only_once_the_user_confirms_it_and_the_bureau_sees_it(
        client, district_user, certifier, district, world):
    rule(world.quantitative, "result", "<=", "100", severity="warning", message="ร้อยละเกิน 100 ตรวจสอบ A และ B")
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    typed = fields(world.quantitative, A="500", B="50")
    first = save(client, entry, typed).content.decode()
    assert 'data-testid="warnings"' in first and "ร้อยละเกิน 100 ตรวจสอบ A และ B (A = 500, B = 50, result = 1,000)" in first
    assert "ยืนยันค่านี้" in first
    entry.refresh_from_db()
    assert values_of(entry) == {} and entry.version == 0
    token = first.split('name="confirm_warnings" value="')[1].split('"')[0]
    # A token for other warnings (the values were changed after reading them) confirms nothing.
    again = save(client, entry, fields(world.quantitative, A="600", B="50"), confirm_warnings=token).content.decode()
    assert 'data-testid="warnings"' in again and "A = 600" in again
    entry.refresh_from_db()
    assert values_of(entry) == {}
    confirmed = save(client, entry, typed, confirm_warnings=token).content.decode()
    assert 'data-testid="saved"' in confirmed
    entry.refresh_from_db()
    assert values_of(entry) == {"A": 500, "B": 50} and entry.status == Entry.Status.AWAITING
    (stored,) = confirmed_warnings(entry)
    assert "result = 1,000" in stored.message and stored.by == (district_user.get_full_name() or district_user.username)
    assert stored.at is not None
    # The bureau's review page shows the warning the district confirmed.
    client.force_login(certifier)
    review = client.get(reverse("certification:review", args=[entry.pk])).content.decode()
    assert 'data-testid="confirmed-warnings"' in review and "ร้อยละเกิน 100 ตรวจสอบ A และ B" in review


def test_a_new_value_that_still_warns_is_asked_again_and_a_fixed_one_drops_the_warning(district_user, district, world):
    rule(world.quantitative, "A", "<=", "B", severity="warning")
    entry = world.entry(district, world.quantitative)
    a, b = var(world.quantitative, "A"), var(world.quantitative, "B")
    entry_save_values(entry=entry, user=district_user, raw={f"v{a.pk}": "60", f"v{b.pk}": "50"}, expected_version=0,
                      confirm_warnings=True)
    entry.refresh_from_db()
    assert len(entry.warnings) == 1
    # Another value that still breaks the rule: confirmed for 60, not for 70.
    with pytest.raises(NeedsConfirmation):
        entry_save_values(entry=entry, user=district_user, raw={f"v{a.pk}": "70"}, expected_version=1)
    entry_save_values(entry=entry, user=district_user, raw={f"v{a.pk}": "40"}, expected_version=1)
    entry.refresh_from_db()
    assert entry.warnings == [] and values_of(entry)["A"] == 40


def test_the_previous_rounds_value_is_shown_beside_each_input_and_a_big_change_warns(
        client, district_user, district, world):
    earlier = earlier_round(world)
    store_previous(earlier, district, world.quantitative, A="90", B="100")
    Variable.objects.filter(pk=var(world.quantitative, "B").pk).update(change_factor=D(2))
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    page = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    assert 'data-testid="previous-A"' in page and "รอบก่อน: 90" in page and "รอบก่อน: 100" in page
    html = save(client, entry, fields(world.quantitative, A="95", B="1000")).content.decode()
    assert "B = 1,000 ต่างจากค่ารอบก่อน (100) เกิน 2 เท่า" in html
    assert values_of(entry) == {}
    # Within the factor: saved without a question.
    assert 'data-testid="saved"' in save(client, entry, fields(world.quantitative, A="95", B="150")).content.decode()


def test_a_value_far_from_the_other_districts_median_warns(district_user, district, world):
    from krs.models import Office

    others = [Office.objects.create(code=f"77{n}", name_th=f"สพป. ทดสอบ {n}", kind=Office.Kind.PRIMARY) for n in range(3)]
    round_open(round_=world.round)
    b = var(world.quantitative, "B")
    Variable.objects.filter(pk=b.pk).update(peer_factor=D(3))
    for n, office in enumerate(others):
        Value.objects.create(entry=world.entry(office, world.quantitative), variable=b, value=D(100 + n))
    entry = world.entry(district, world.quantitative)
    with pytest.raises(NeedsConfirmation) as caught:
        entry_save_values(entry=entry, user=district_user, raw={f"v{b.pk}": "10000"}, expected_version=0)
    assert "ค่ามัธยฐานของ สพท. อื่นในรอบนี้ (101)" in caught.value.findings[0].message
    entry_save_values(entry=entry, user=district_user, raw={f"v{b.pk}": "250"}, expected_version=0)


def test_the_page_reads_previous_values_in_a_constant_number_of_queries(client, district_user, district, world):
    earlier = earlier_round(world)
    client.force_login(district_user)
    page = reverse("reporting:entry_page", args=[world.round.pk])

    def count():
        client.get(page)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        return len(queries)

    store_previous(earlier, district, world.quantitative, A="1")
    few = count()
    for indicator in (world.central, world.round_12, world.pass_fail):
        store_previous(earlier, district, indicator, A="1")
    assert count() == few


def test_the_check_reads_a_constant_number_of_queries_for_a_whole_round(world, district, other_district):
    indicator = indicator_config().get(pk=world.central.pk)
    rule(indicator, "A", "<=", "B")
    Variable.objects.filter(indicator=indicator).update(change_factor=D(2), peer_factor=D(2))
    indicator = indicator_config().get(pk=world.central.pk)
    entries = list(Entry.objects.filter(indicator=indicator, round=world.round))
    items = [(e, indicator, Inputs(), inputs_of(indicator, A=5, B=1)) for e in entries]
    with CaptureQueriesContext(connection) as queries:
        checked = entries_check(items, world.round)
    assert len(queries) <= 4 and set(checked.errors) == {e.pk for e in entries}


# --- The bureau's grid and upload --------------------------------------------------------------------


def grid_data(world, typed):
    data, rows = {}, []
    for entry in Entry.objects.filter(indicator=world.central, round=world.round).select_related("office"):
        rows.append(str(entry.pk))
        data[f"version-{entry.pk}"] = entry.version
        for code in "AB":
            data[f"e{entry.pk}-{code}"] = typed.get(entry.office.code, {}).get(code, "")
    data["row"] = rows
    return data


def test_the_grid_refuses_a_broken_error_rule_at_its_cell_and_saves_nothing(client, certifier, district, world):
    rule(world.central, "A", "<=", "B")
    client.force_login(certifier)
    url = reverse("reporting:central_grid", args=[world.round.pk, world.central.pk])
    response = client.post(url, grid_data(world, {district.code: {"A": "500", "B": "50"}}))
    assert response.status_code == 422
    assert "ค่าไม่เป็นไปตามกฎ “A ≤ B” (A = 500, B = 50)" in response.content.decode()
    assert not Value.objects.filter(entry__indicator=world.central).exists()


def test_the_grid_saves_warned_values_after_the_bureau_confirms_them(client, certifier, district, world):
    rule(world.central, "result", "<=", "100", severity="warning")
    client.force_login(certifier)
    url = reverse("reporting:central_grid", args=[world.round.pk, world.central.pk])
    data = grid_data(world, {district.code: {"A": "120", "B": "100"}})
    first = client.post(url, data)
    html = first.content.decode()
    assert first.status_code == 422 and 'data-testid="row-warning"' in html and 'data-testid="confirm-warnings"' in html
    assert not Value.objects.filter(entry__indicator=world.central).exists()
    token = html.split('name="confirm_warnings" value="')[1].split('"')[0]
    assert client.post(url, {**data, "confirm_warnings": token}).status_code == 302
    entry = world.entry(district, world.central)
    assert values_of(entry) == {"A": 120, "B": 100} and len(entry.warnings) == 1


def test_the_upload_preview_lists_errors_and_warnings_and_the_confirm_stores_the_warnings(
        client, certifier, district, other_district, world):
    rule(world.central, "A", "<=", "B")
    rule(world.central, "A", ">=", "1", severity="warning", message="ไม่มีโรงเรียนผ่านเลย ตรวจสอบ")
    client.force_login(certifier)
    upload = reverse("reporting:central_upload", args=[world.round.pk, world.central.pk])
    bad = f"รหัสหน่วยงาน,A,B\n{district.code},500,50\n{other_district.code},0,10\n"
    preview = client.post(upload, {"file": SimpleUploadedFile("c.csv", bad.encode("utf-8-sig"))}).content.decode()
    assert "ค่าไม่เป็นไปตามกฎ “A ≤ B” (A = 500, B = 50)" in preview and 'data-testid="confirm-form"' not in preview
    good = f"รหัสหน่วยงาน,A,B\n{district.code},40,50\n{other_district.code},0,10\n"
    preview = client.post(upload, {"file": SimpleUploadedFile("c.csv", good.encode("utf-8-sig"))}).content.decode()
    assert 'data-testid="upload-row-warning"' in preview and "ไม่มีโรงเรียนผ่านเลย ตรวจสอบ (A = 0)" in preview
    assert 'data-testid="upload-warned"' in preview
    digest = preview.split('name="digest" value="')[1].split('"')[0]
    confirm = reverse("reporting:central_upload_confirm", args=[world.round.pk, world.central.pk])
    assert client.post(confirm, {"digest": digest}).status_code == 302
    warned = world.entry(other_district, world.central)
    assert values_of(warned) == {"A": 0, "B": 10}
    assert [w.message for w in confirmed_warnings(warned)] == ["ไม่มีโรงเรียนผ่านเลย ตรวจสอบ (A = 0)"]
    assert world.entry(district, world.central).warnings == []


# --- The API -----------------------------------------------------------------------------------------


def api_post(client, user, path, body):
    from tests.api.conftest import issue

    secret = issue(user, "write")
    return client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_api_needs_confirm_warnings_and_words_rules_in_both_languages(client, district_user, district, world):
    rule(world.quantitative, "A", "<=", "B", message="A ต้องไม่มากกว่า B", message_en="A cannot exceed B")
    rule(world.quantitative, "result", "<", "100", severity="warning", message="ได้ 100% ตรวจสอบ",
         message_en="100 %: check")
    entry = world.entry(district, world.quantitative)
    item = {"entry": entry.pk, "version": 0, "values": {"A": 500, "B": 50}}
    refused = api_post(client, district_user, "/district-values", {"items": [item]})
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert (error["code"], error["field"], error["item"]) == ("rule_broken", "A", 0)
    assert error["message_th"] == "A ต้องไม่มากกว่า B (A = 500, B = 50)"
    assert error["message_en"] == "A cannot exceed B (A = 500, B = 50)"
    item["values"] = {"A": 50, "B": 50}
    warned = api_post(client, district_user, "/district-values", {"items": [item]})
    assert warned.status_code == 422 and warned.json()["code"] == "warnings_unconfirmed"
    assert warned.json()["errors"][0]["message_en"] == "100 %: check (A = 50, B = 50, result = 100)"
    assert values_of(entry) == {}
    saved = api_post(client, district_user, "/district-values", {"items": [item], "confirm_warnings": True})
    assert saved.status_code == 200, saved.content
    entry.refresh_from_db()
    assert values_of(entry) == {"A": 50, "B": 50} and len(entry.warnings) == 1


def test_the_central_api_refuses_broken_rules_and_warnings_per_item(client, certifier, district, other_district, world):
    rule(world.central, "A", "<=", "B")
    rule(world.central, "A", ">", "0", severity="warning")
    body = {"round": world.round.pk, "items": [
        {"office": district.code, "indicator": world.central.pk, "values": {"A": 5, "B": 10}},
        {"office": other_district.code, "indicator": world.central.pk, "values": {"A": 50, "B": 10}},
    ]}
    refused = api_post(client, certifier, "/central-values", body)
    assert refused.status_code == 422
    assert [(e["item"], e["field"], e["code"]) for e in refused.json()["errors"]] == [(1, "A", "rule_broken")]
    body["items"][1]["values"] = {"A": 0, "B": 10}
    warned = api_post(client, certifier, "/central-values", body)
    assert [(e["item"], e["code"]) for e in warned.json()["errors"]] == [(1, "warning")]
    assert not Value.objects.filter(entry__indicator=world.central).exists()
    assert api_post(client, certifier, "/central-values", {**body, "confirm_warnings": True}).status_code == 200
    assert values_of(world.entry(other_district, world.central)) == {"A": 0, "B": 10}


def test_warnings_token_is_the_same_for_the_same_warnings_whatever_their_order(world):
    one = Finding("rule", "warning", ("A",), (("A", "1"),), "A ≤ B")
    two = Finding("change", "warning", ("B",), (("B", "9"),), reference="1", factor="2")
    assert warnings_token([one, two]) == warnings_token([two, one]) != warnings_token([one])


def test_the_live_preview_shows_broken_rules_and_warnings_before_saving(client, district_user, district, world):
    rule(world.quantitative, "A", "<=", "B", message="A เกิน B")
    rule(world.quantitative, "A", ">", "0", severity="warning", message="ไม่มีโรงเรียนผ่าน")
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    url = reverse("reporting:entry_preview", args=[entry.pk])
    html = client.post(url, fields(world.quantitative, A="500", B="50"), **HTMX).content.decode()
    assert "A เกิน B (A = 500, B = 50)" in html and "ไม่มีโรงเรียนผ่าน" not in html
    html = client.post(url, fields(world.quantitative, A="0", B="50"), **HTMX).content.decode()
    assert "ไม่มีโรงเรียนผ่าน (A = 0)" in html and "A เกิน B" not in html
    assert not Value.objects.filter(entry=entry).exists()


def test_the_demo_carries_its_rules_and_seeding_twice_adds_nothing(db):
    import indicators.demo
    import krs.demo

    krs.demo.seed()
    first = indicators.demo.seed()
    assert first["validation_rules"] >= 1
    assert indicators.demo.seed()["validation_rules"] == 0
    rules = ValidationRule.objects.filter(indicator__code="11.2")
    assert {(r.left, r.operator, r.right, r.severity) for r in rules} == {("A", "<=", "B", "error")}

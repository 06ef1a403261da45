"""A result too large to keep is refused at every door, on whichever database DATABASE_URL names.

Each value below is one a person may type (at most 15 whole digits and 5 decimals), but together they give
a result of more whole digits than ``Entry.result`` holds, or more digits than decimal arithmetic rounds.
Every door that writes inputs — the live preview, the entry page's save, the bureau's grid, the file upload,
and the API for districts and for bureaus — refuses them with the same Thai message beside the inputs, and
nothing is stored: the district's page, the API's entry and the admin's list still read afterwards.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from api.services import token_issue
from indicators.models import Group, Indicator, Threshold, Variable
from reporting.central import cell_name
from reporting.models import Entry, Value, ValueChange
from reporting.services import round_open, variable_field
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db
D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}
REFUSED = "ผลการคำนวณใหญ่เกินกว่าที่ระบบเก็บได้ (ได้ไม่เกิน 15 หลักหน้าจุดทศนิยม): ตรวจสอบค่า"
REFUSED_EN = "too large"

# (formula, what the district or the bureau types, why it is too large)
CASES = {
    "percent-of-a-tiny-total": ("A / B * 100", {"A": "999999999999999", "B": "0.00001"}, "22 whole digits"),
    "product-of-two-counts": ("A * B", {"A": "100000000", "B": "100000000"}, "17 whole digits"),
    "product-of-three": ("A * B * C", {"A": "999999999999999", "B": "999999999999999", "C": "999999999999999"},
                         "45 digits: more than quantize5's 34"),
    "rounded-product-of-three": ("round(A * B * C)", {"A": "999999999999999", "B": "999999999999999",
                                                      "C": "999999999999999"}, "round() itself cannot round 45 digits"),
    "just-over-after-rounding": ("A + B / 3", {"A": "999999999999999.99999", "B": "0.00002"},
                                 "999,999,999,999,999.9999966… rounds to 10^15: 16 whole digits"),
}
NAMES = {"A / B * 100": "A และ B", "A * B": "A และ B", "A * B * C": "A, B และ C", "round(A * B * C)": "A, B และ C",
         "A + B / 3": "A และ B"}


@pytest.fixture
def world(district, other_district, bureau, district_user, certifier, admin_user):
    return open_world(bureau=bureau)


def make_indicator(world, formula: str, *, source=Variable.Source.DISTRICT, code="9.9") -> Indicator:
    """A quantitative indicator of plain numbers (no bounds) with ``formula``, and its entries in the open round."""
    group = Group.objects.get(framework=world.framework)
    indicator = Indicator.objects.create(
        framework=world.framework, group=group, code=code, name=f"ตัวชี้วัด {code}", weight=D(10),
        method=Indicator.Method.QUANTITATIVE, formula=formula, unit="ร้อยละ", owner=world.central.owner, order=99)
    for order, name in enumerate("ABC", start=1):
        if name in formula:
            Variable.objects.create(indicator=indicator, code=name, name=f"ตัวแปร {name}", kind=Variable.Kind.NUMBER,
                                    source=source, order=order)
    Threshold.objects.bulk_create([Threshold(indicator=indicator, level=n, value=D(v))
                                   for n, v in enumerate((80, 85, 90, 95, 100), start=1)])
    round_open(round_=world.round)
    return indicator


def nothing_stored(entry: Entry) -> None:
    entry.refresh_from_db()
    assert (entry.result, entry.self_score, entry.version, entry.status) == (None, None, 0, "not_reported")
    assert not Value.objects.filter(entry=entry).exists() and not ValueChange.objects.filter(entry=entry).exists()


def still_readable(client, entry: Entry, district_user, admin_user) -> None:
    """The pages a stored-but-unreadable result used to break all answer."""
    client.force_login(district_user)
    assert client.get(reverse("reporting:entry_page", args=[entry.round_id])).status_code == 200
    secret = token_issue(name="read", user=district_user, scope="read").secret
    assert client.get(f"/api/v1/entries/{entry.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    client.force_login(admin_user)
    assert client.get(reverse("admin:reporting_entry_changelist")).status_code == 200


def api_post(client, user, path: str, body: dict):
    secret = token_issue(name=f"{user.username}-write", user=user, scope="write").secret
    return client.post(f"/api/v1{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")


# --- Pure: the one bound -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_the_result_is_refused_with_a_thai_message_naming_the_formulas_variables(world, case):
    from reporting.compute import Inputs, indicator_config, outcome, result_refusal

    formula, typed, _why = CASES[case]
    indicator = indicator_config(Indicator.objects.filter(pk=make_indicator(world, formula).pk)).get()
    by_code = {v.code: v.pk for v in indicator.variables.all()}
    inputs = Inputs(values={by_code[code]: D(text) for code, text in typed.items()})
    assert result_refusal(indicator, world.round, inputs) == f"{REFUSED} {NAMES[formula]}"
    found = outcome(indicator, world.round, inputs)
    assert (found.result, found.score, found.too_large) == (None, None, True)
    with translation.override("en"):
        assert REFUSED_EN in result_refusal(indicator, world.round, inputs)


def test_the_largest_result_a_value_can_be_is_kept_and_reads_back(client, world, district, district_user, admin_user):
    """999,999,999,999,999.9 is a number anyone may type, so it is a result the column holds — and gives back,
    even on SQLite, which keeps 15 significant digits and reads it as 10^15 (one digit more than 15 whole).
    PostgreSQL always read it back; on SQLite a 20-digit column raised on the read."""
    indicator = make_indicator(world, "A / B * 100")
    entry = Entry.objects.get(indicator=indicator, office=district, round=world.round)
    variables = {v.code: v for v in indicator.variables.all()}
    client.force_login(district_user)
    response = client.post(reverse("reporting:entry_save", args=[entry.pk]), {
        "version": "0", variable_field(variables["A"]): "999999999999999.9", variable_field(variables["B"]): "100"},
        **HTMX)
    assert 'data-testid="saved"' in response.content.decode()
    entry.refresh_from_db()
    assert abs(entry.result - D("999999999999999.9")) <= D("0.1") and entry.self_score == D(5)
    still_readable(client, entry, district_user, admin_user)


# --- Every door --------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_the_live_preview_says_why_instead_of_a_score(client, world, district, district_user, case):
    formula, typed, _why = CASES[case]
    indicator = make_indicator(world, formula)
    entry = Entry.objects.get(indicator=indicator, office=district, round=world.round)
    fields = {variable_field(v): typed[v.code] for v in indicator.variables.all()}
    client.force_login(district_user)
    response = client.post(reverse("reporting:entry_preview", args=[entry.pk]), fields, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="preview-refusal"' in html and f"{REFUSED} {NAMES[formula]}" in html
    assert "preview-score" not in html
    nothing_stored(entry)


@pytest.mark.parametrize("case", CASES)
def test_the_entry_page_refuses_the_save_beside_the_first_value(client, world, district, district_user, admin_user,
                                                                 case):
    formula, typed, _why = CASES[case]
    indicator = make_indicator(world, formula)
    entry = Entry.objects.get(indicator=indicator, office=district, round=world.round)
    fields = {variable_field(v): typed[v.code] for v in indicator.variables.all()}
    client.force_login(district_user)
    response = client.post(reverse("reporting:entry_save", args=[entry.pk]), {"version": "0", **fields}, **HTMX)
    assert response.status_code == 422 and response["X-KRS-Status"] == "422"
    html = response.content.decode()
    assert 'data-testid="error-A"' in html and f"{REFUSED} {NAMES[formula]}" in html
    assert 'data-testid="saved"' not in html
    # What was typed stays in the boxes, to be corrected.
    assert f'value="{typed["A"]}"' in html
    nothing_stored(entry)
    still_readable(client, entry, district_user, admin_user)


@pytest.mark.parametrize("case", CASES)
def test_the_central_grid_refuses_the_row(client, world, district, certifier, district_user, admin_user, case):
    formula, typed, _why = CASES[case]
    indicator = make_indicator(world, formula, source=Variable.Source.CENTRAL)
    entries = {e.office: e for e in Entry.objects.filter(indicator=indicator, round=world.round)}
    entry = entries[district]
    data = {"row": [str(e.pk) for e in entries.values()]}
    for office, row in entries.items():
        data[f"version-{row.pk}"] = "0"
        for code, text in typed.items():
            data[cell_name(row.pk, code)] = text if office == district else ""
    client.force_login(certifier)
    response = client.post(reverse("reporting:central_grid", args=[world.round.pk, indicator.pk]), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'data-testid="error-{district.code}-A"' in html and f"{REFUSED} {NAMES[formula]}" in html
    nothing_stored(entry)
    still_readable(client, entry, district_user, admin_user)


@pytest.mark.parametrize("case", CASES)
def test_an_upload_names_the_row_and_the_column_and_offers_no_confirmation(client, world, district, other_district,
                                                                          certifier, case):
    formula, typed, _why = CASES[case]
    indicator = make_indicator(world, formula, source=Variable.Source.CENTRAL)
    codes = sorted(typed)
    text = ("รหัสหน่วยงาน," + ",".join(codes) + "\n"
            + f"{other_district.code}," + ",".join("1" for _code in codes) + "\n"   # row 2: fine
            + f"{district.code}," + ",".join(typed[code] for code in codes) + "\n")  # row 3: too large
    file = SimpleUploadedFile("central.csv", text.encode("utf-8-sig"), content_type="text/csv")
    client.force_login(certifier)
    response = client.post(reverse("reporting:central_upload", args=[world.round.pk, indicator.pk]), {"file": file})
    assert response.status_code == 200
    issues = [(issue.row, issue.column, str(issue.message)) for issue in response.context["upload"].errors]
    assert issues == [(3, "A", f"{REFUSED} {NAMES[formula]}")]
    assert response.context["confirm"] is None
    for entry in Entry.objects.filter(indicator=indicator, round=world.round):
        nothing_stored(entry)


@pytest.mark.parametrize("case", CASES)
def test_the_api_refuses_a_districts_item_in_thai_and_english(client, world, district, district_user, admin_user,
                                                               case):
    formula, typed, _why = CASES[case]
    indicator = make_indicator(world, formula)
    entry = Entry.objects.get(indicator=indicator, office=district, round=world.round)
    response = api_post(client, district_user, "/district-values",
                        {"items": [{"entry": entry.pk, "version": 0, "values": typed}]})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "batch_invalid"
    (error,) = body["errors"]
    assert (error["item"], error["field"], error["code"]) == (0, "A", "result_too_large")
    assert error["message_th"] == f"{REFUSED} {NAMES[formula]}" and REFUSED_EN in error["message_en"]
    nothing_stored(entry)
    still_readable(client, entry, district_user, admin_user)


@pytest.mark.parametrize("case", CASES)
def test_the_api_refuses_a_bureaus_item_in_thai_and_english(client, world, district, certifier, district_user,
                                                            admin_user, case):
    formula, typed, _why = CASES[case]
    indicator = make_indicator(world, formula, source=Variable.Source.CENTRAL)
    entry = Entry.objects.get(indicator=indicator, office=district, round=world.round)
    response = api_post(client, certifier, "/central-values", {"round": world.round.pk, "items": [
        {"office": district.code, "indicator": indicator.pk, "values": typed}]})
    assert response.status_code == 422, response.content
    (error,) = response.json()["errors"]
    assert (error["item"], error["field"], error["code"]) == (0, "A", "result_too_large")
    assert error["message_th"] == f"{REFUSED} {NAMES[formula]}" and REFUSED_EN in error["message_en"]
    nothing_stored(entry)
    still_readable(client, entry, district_user, admin_user)


# --- District and central values together ------------------------------------------------------------


def test_a_central_value_that_makes_the_districts_result_too_large_is_refused(client, world, district, certifier,
                                                                              district_user, admin_user):
    """The district's A alone is fine (no result yet); the bureau's B = 0.00001 would make A / B × 100 too large."""
    indicator = make_indicator(world, "A / B * 100")
    indicator.variables.filter(code="B").update(source=Variable.Source.CENTRAL)
    entry = Entry.objects.get(indicator=indicator, office=district, round=world.round)
    a = indicator.variables.get(code="A")
    client.force_login(district_user)
    response = client.post(reverse("reporting:entry_save", args=[entry.pk]),
                           {"version": "0", variable_field(a): "999999999999999"}, **HTMX)
    assert 'data-testid="saved"' in response.content.decode()
    client.force_login(certifier)
    response = client.post(reverse("reporting:central_grid", args=[world.round.pk, indicator.pk]), {
        "row": [str(entry.pk)], f"version-{entry.pk}": "1", cell_name(entry.pk, "B"): "0.00001"})
    assert response.status_code == 422
    assert f'data-testid="error-{district.code}-B"' in response.content.decode()
    entry.refresh_from_db()
    assert (entry.result, entry.version) == (None, 1)
    assert not Value.objects.filter(entry=entry, variable__code="B").exists()
    response = api_post(client, certifier, "/central-values", {"round": world.round.pk, "items": [
        {"office": district.code, "indicator": indicator.pk, "values": {"B": "0.00001"}}]})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "B"
    still_readable(client, entry, district_user, admin_user)


def test_the_district_is_told_beside_its_value_when_the_bureaus_value_is_already_there(
        client, world, district, certifier, district_user):
    indicator = make_indicator(world, "A * B")
    indicator.variables.filter(code="B").update(source=Variable.Source.CENTRAL)
    entry = Entry.objects.get(indicator=indicator, office=district, round=world.round)
    client.force_login(certifier)
    response = client.post(reverse("reporting:central_grid", args=[world.round.pk, indicator.pk]), {
        "row": [str(entry.pk)], f"version-{entry.pk}": "0", cell_name(entry.pk, "B"): "100000000"}, follow=True)
    assert response.status_code == 200
    a = indicator.variables.get(code="A")
    client.force_login(district_user)
    response = client.post(reverse("reporting:entry_save", args=[entry.pk]),
                           {"version": "1", variable_field(a): "100000000"}, **HTMX)
    assert response["X-KRS-Status"] == "422"
    assert 'data-testid="error-A"' in response.content.decode()
    response = api_post(client, district_user, "/district-values",
                        {"items": [{"entry": entry.pk, "version": 1, "values": {"A": "100000000"}}]})
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"], error["message_th"]) == ("A", "result_too_large", f"{REFUSED} A และ B")
    assert REFUSED_EN in error["message_en"]
    assert not Value.objects.filter(entry=entry, variable__code="A").exists()


def test_a_pmqa_category_7_proposal_counted_in_units_is_refused_before_anything_is_kept(client, db):
    """Seed 004's category 7: the district's own indicator, result / target × 100; a count has no upper bound."""
    from reporting.models import ResultProposal
    from tests.reporting.pmqa_fixtures import pmqa_world

    world = pmqa_world()
    entry = world.entry("1001", "7.1")
    client.force_login(world.user("bkk1"))
    response = client.post(reverse("reporting:entry_save", args=[entry.pk]), {
        "version": str(entry.version), "kpi_name": "จำนวนนักเรียนที่ได้รับทุน", "kpi_unit": "count",
        world.variable_field("7.1", "A"): "999999999999999", world.variable_field("7.1", "B"): "1",
        world.variable_field("7.1", "C"): ""}, **HTMX)
    assert response["X-KRS-Status"] == "422"
    html = response.content.decode()
    assert 'data-testid="error-A"' in html and REFUSED in html
    entry.refresh_from_db()
    assert (entry.result, entry.version, entry.status) == (None, 0, "not_reported")
    assert not ResultProposal.objects.filter(entry=entry).exists() and not Value.objects.filter(entry=entry).exists()


def test_a_value_carried_from_an_earlier_round_counts_and_is_named(client, world, district, district_user):
    """B is reported in the 6-month round only and carried into the 12-month one (docs/scoring.md): the
    12-month A over the carried B = 0.00001 is refused like any other, naming both."""
    from datetime import timedelta

    from django.utils import timezone

    from indicators.models import Round

    indicator = make_indicator(world, "A / B * 100")
    later = Round.objects.get(fiscal_year=world.round.fiscal_year, months=12)
    now = timezone.now()
    Round.objects.filter(pk=later.pk).update(opens_at=now - timedelta(days=1), deadline=now + timedelta(days=5),
                                             certification_deadline=now + timedelta(days=20))
    b = indicator.variables.get(code="B")
    b.rounds.set([world.round])
    round_open(round_=later)
    a = indicator.variables.get(code="A")
    first = Entry.objects.get(indicator=indicator, office=district, round=world.round)
    client.force_login(district_user)
    response = client.post(reverse("reporting:entry_save", args=[first.pk]), {
        "version": "0", variable_field(a): "0", variable_field(b): "0.00001"}, **HTMX)
    assert 'data-testid="saved"' in response.content.decode()  # 0 / 0.00001 × 100 = 0
    entry = Entry.objects.get(indicator=indicator, office=district, round=later)
    response = client.post(reverse("reporting:entry_save", args=[entry.pk]),
                           {"version": "0", variable_field(a): "999999999999999"}, **HTMX)
    assert response["X-KRS-Status"] == "422"
    html = response.content.decode()
    assert 'data-testid="error-A"' in html and f"{REFUSED} A และ B" in html
    nothing_stored(entry)

"""Writes through the API: the pages' services, all or nothing, audited as source "api"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from krs.models import Office
from reporting.models import Entry, StatusEvent, Value, ValueChange
from tests.api.conftest import entry_of, issue
from tests.api.test_auth import assert_error

pytestmark = pytest.mark.django_db

DISTRICTS = list(Office.DISTRICT_KINDS)


def values_of(entry: Entry) -> dict[str, Decimal | None]:
    return {v.variable.code: v.value for v in Value.objects.filter(entry=entry).select_related("variable")}


def central_body(round_, indicator_id: int, rows: dict[str, dict[str, object]]) -> dict:
    return {"round": round_.pk, "items": [{"office": code, "indicator": indicator_id, "values": values}
                                          for code, values in rows.items()]}


def all_districts(demo_round):
    return list(Office.objects.filter(kind__in=DISTRICTS, entries__round=demo_round).distinct().order_by("code"))


def test_a_bureau_uploads_central_values_for_every_demo_district_in_one_call_and_the_district_page_shows_them(
        api_as, demo, open_round, client):
    indicator = entry_of("1001", "11.2", open_round).indicator
    districts = all_districts(open_round)
    assert len(districts) >= 12
    rows = {office.code: {"A": str(100 + n), "B": 120} for n, office in enumerate(districts)}
    response = api_as(issue(demo["finance"], "write")).post("/central-values", central_body(open_round, indicator.pk, rows))
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["items"]) == len(districts) and body["changed"] + body["unchanged"] == len(districts)
    for office in districts:
        entry = entry_of(office.code, "11.2", open_round)
        assert values_of(entry) == {"A": Decimal(rows[office.code]["A"]), "B": Decimal(120)}
        assert entry.status == Entry.Status.AWAITING  # complete central data moves it, through the workflow
    changes = ValueChange.objects.filter(entry__indicator=indicator, entry__round=open_round, source="api")
    assert changes.count() >= 2 * body["changed"] and {c.changed_by for c in changes} == {demo["finance"]}
    # The district's own entry page shows the bureau's values.
    client.force_login(demo["bkk1"])
    page = client.get(reverse("reporting:entry_page", args=[open_round.pk])).content.decode()
    assert rows["1001"]["A"] in page and "120" in page


def test_a_central_batch_with_one_bad_item_changes_nothing(api_as, demo, open_round):
    indicator = entry_of("1001", "11.2", open_round).indicator
    before = {e.pk: (values_of(e), e.version, e.status) for e in Entry.objects.filter(indicator=indicator, round=open_round)}
    audit = ValueChange.objects.count()
    rows = {"1001": {"A": "150", "B": "160"}, "1002": {"A": "1.5", "B": "160"}, "1003": {"A": "50", "B": "60"}}
    body = assert_error(
        api_as(issue(demo["finance"], "write")).post("/central-values", central_body(open_round, indicator.pk, rows)),
        422, "batch_invalid",
    )
    assert [(e["item"], e["field"], e["code"]) for e in body["errors"]] == [(1, "A", "invalid_value")]
    assert body["errors"][0]["message_th"] and body["errors"][0]["message_en"]
    after = {e.pk: (values_of(e), e.version, e.status) for e in Entry.objects.filter(indicator=indicator, round=open_round)}
    assert after == before and ValueChange.objects.count() == audit


def test_a_central_batch_names_each_unknown_office_indicator_and_variable(api_as, demo, open_round):
    eleven_two = entry_of("1001", "11.2", open_round).indicator
    eleven_four = entry_of("1001", "11.4", open_round).indicator  # B-ACA's, not finance's
    body = {"round": open_round.pk, "items": [
        {"office": "9999", "indicator": eleven_two.pk, "values": {"A": "1"}},
        {"office": "1001", "indicator": eleven_four.pk, "values": {"A": "1"}},
        {"office": "1001", "indicator": eleven_two.pk, "values": {"Z": "1"}},
        {"office": "1002", "indicator": eleven_two.pk, "values": {"A": "1"}},
        {"office": "1002", "indicator": eleven_two.pk, "values": {"A": "2"}},
    ]}
    found = assert_error(api_as(issue(demo["finance"], "write")).post("/central-values", body), 422, "batch_invalid")
    assert [(e["item"], e["field"], e["code"]) for e in found["errors"]] == [
        (0, "office", "not_found"), (1, "indicator", "not_found"), (2, "Z", "invalid_field"), (4, "office", "duplicate")]


@pytest.mark.parametrize("username", ["bkk1", "executive", "admin"])
def test_only_a_bureau_writes_central_values(api_as, demo, open_round, username):
    indicator = entry_of("1001", "11.2", open_round).indicator
    response = api_as(issue(demo[username], "write")).post(
        "/central-values", central_body(open_round, indicator.pk, {"1001": {"A": "1", "B": "2"}}))
    assert_error(response, 403, "forbidden")


def test_a_central_save_over_newer_values_is_a_409_conflict(api_as, demo, open_round):
    entry = entry_of("1001", "11.2", open_round)
    api = api_as(issue(demo["finance"], "write"))
    body = central_body(open_round, entry.indicator_id, {"1001": {"A": "170", "B": "182"}})
    body["items"][0]["version"] = entry.version
    assert api.post("/central-values", body).status_code == 200
    body["items"][0]["values"] = {"A": "171", "B": "182"}  # same stale version again
    found = assert_error(api.post("/central-values", body), 409, "version_conflict")
    assert found["errors"][0]["item"] == 0
    assert values_of(entry)["A"] == Decimal(170)


def test_a_district_saves_its_own_values_and_the_entry_is_reported(api_as, demo, open_round):
    entry = entry_of("1001", "11.3", open_round)
    api = api_as(issue(demo["bkk1"], "write"))
    response = api.post("/district-values", {"items": [{"entry": entry.pk, "version": entry.version, "values": {"A": "1"}}]})
    assert response.status_code == 200, response.content
    saved = response.json()["items"][0]
    entry.refresh_from_db()
    assert saved["status"] == entry.status == Entry.Status.AWAITING and saved["version"] == entry.version
    assert saved["self_score"] == "5.00000"
    assert ValueChange.objects.get(entry=entry, source="api").changed_by == demo["bkk1"]
    assert StatusEvent.objects.filter(entry=entry, to_status=Entry.Status.AWAITING, by=demo["bkk1"]).exists()
    # The same version again: someone (this very call) saved since.
    stale = api.post("/district-values", {"items": [{"entry": entry.pk, "version": 0, "values": {"A": "0"}}]})
    assert_error(stale, 409, "version_conflict")


def test_a_district_batch_with_one_bad_item_changes_nothing(api_as, demo, open_round):
    good, bad = entry_of("1001", "11.3", open_round), entry_of("1001", "11.2", open_round)
    other = entry_of("1002", "11.3", open_round)
    audit = ValueChange.objects.count()
    body = {"items": [
        {"entry": good.pk, "version": good.version, "values": {"A": "1"}},
        {"entry": bad.pk, "version": bad.version, "values": {"A": "1"}},  # a central variable
        {"entry": other.pk, "version": other.version, "values": {"A": "1"}},  # another district's entry
        {"entry": good.pk, "version": good.version, "values": {"A": "7"}},
    ]}
    found = assert_error(api_as(issue(demo["bkk1"], "write")).post("/district-values", body), 422, "batch_invalid")
    assert [(e["item"], e["field"], e["code"]) for e in found["errors"]] == [
        (1, "A", "invalid_field"), (2, "entry", "not_found"), (3, "entry", "duplicate")]
    good.refresh_from_db()
    assert good.status == Entry.Status.NOT_REPORTED and good.version == 0 and ValueChange.objects.count() == audit


def test_a_bad_value_is_named_in_thai_and_english(api_as, demo, open_round):
    entry = entry_of("1001", "11.3", open_round)
    body = {"items": [{"entry": entry.pk, "version": entry.version, "values": {"A": "7"}}]}
    found = assert_error(api_as(issue(demo["bkk1"], "write")).post("/district-values", body), 422, "batch_invalid")
    (error,) = found["errors"]
    assert (error["item"], error["field"], error["code"]) == (0, "A", "invalid_value")
    assert error["message_th"] and error["message_en"]


def test_a_closed_entry_is_refused_with_the_pages_reason(api_as, demo, open_round):
    from reporting.workflow import entry_certify

    entry = entry_of("1001", "11.2", open_round)
    entry.refresh_from_db()
    if entry.status != Entry.Status.AWAITING:
        api_as(issue(demo["finance"], "write")).post("/central-values", central_body(
            open_round, entry.indicator_id, {"1001": {"A": "176", "B": "182"}}))
        entry.refresh_from_db()
    entry_certify(entry=entry, by=demo["finance"])
    body = central_body(open_round, entry.indicator_id, {"1001": {"A": "1", "B": "182"}})
    found = assert_error(api_as(issue(demo["finance"], "write")).post("/central-values", body), 422, "batch_invalid")
    assert [(e["item"], e["code"]) for e in found["errors"]] == [(0, "entry_closed")]
    assert "รับรองผลแล้ว" in found["errors"][0]["message_th"]


def test_the_example_script_uploads_a_csv_for_every_demo_district(script, open_round, tmp_path, capsys):
    """docs/examples/upload_central.py, its HTTP calls answered by the app in-process."""
    districts = all_districts(open_round)
    csv_path = tmp_path / "values.csv"
    # 11.2's rule A <= B holds for every row (B = 120 schools, A at most 90 + the number of districts).
    csv_path.write_text("office,A,B\n" + "".join(f"{o.code},{90 + n},120\n" for n, o in enumerate(districts)),
                        encoding="utf-8")
    script.main("11.2", str(csv_path))
    assert "districts changed" in capsys.readouterr().out
    for n, office in enumerate(districts):
        assert values_of(entry_of(office.code, "11.2", open_round)) == {"A": Decimal(90 + n), "B": Decimal(120)}


@pytest.mark.parametrize(("path", "body"), [
    # An entry id beyond a 64-bit key: passed to the query it was a server error on SQLite.
    ("/district-values", {"items": [{"entry": 2**70, "version": 0, "values": {"A": "1"}}]}),
    ("/central-values", {"round": 2**70, "items": [{"office": "1001", "indicator": 1, "values": {"A": "1"}}]}),
    ("/central-values", {"round": 1, "items": [{"office": "1001", "indicator": 2**70, "values": {"A": "1"}}]}),
])
def test_an_id_too_large_for_the_database_is_refused_as_invalid_not_a_server_error(api_as, demo, path, body):
    user = demo["bkk1"] if path == "/district-values" else demo["finance"]
    response = api_as(issue(user, "write")).post(path, body)
    assert response.status_code == 422, response.content

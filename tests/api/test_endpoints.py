"""Each endpoint with each kind of token: who may read what, who may write, and what a refusal looks like."""

from __future__ import annotations

import pytest

from api.models import ApiToken
from api.selectors import visible_entries
from api.services import token_issue
from krs.models import Office
from reporting.models import Entry
from reporting.rules import may_view_entry
from tests.api.conftest import issue
from tests.api.test_auth import assert_error

pytestmark = pytest.mark.django_db

READS = ["/me", "/fiscal-years", "/rounds", "/frameworks", "/indicators", "/entries"]


def test_every_endpoint_refuses_a_call_without_a_token(api_as, demo):
    for path in [*READS, "/national-results", "/frameworks/1", "/entries/1"]:
        assert_error(api_as(None).get(path), 401, "unauthorized")
    for path in ["/district-values", "/central-values"]:
        assert_error(api_as(None).post(path, {"items": []}), 401, "unauthorized")


@pytest.mark.parametrize("username", ["admin", "executive", "finance", "bkk1"])
def test_reads_are_open_to_a_read_token_of_every_role(api_as, demo, username):
    api = api_as(issue(demo[username]))
    for path in READS:
        response = api.get(path)
        assert response.status_code == 200, (path, response.content)
        assert "items" in response.json() or path == "/me"


def test_a_framework_reads_with_its_groups_indicators_and_variables(api_as, demo):
    api = api_as(issue(demo["bkk1"]))
    framework = next(f for f in api.get("/frameworks").json()["items"] if f["code"] == "AGR-2569")
    body = api.get(f"/frameworks/{framework['id']}").json()
    assert {g["code"] for g in body["groups"]} >= {"1", "2", "3"}
    eleven_two = next(i for i in body["indicators"] if i["code"] == "11.2")
    assert [(v["code"], v["source"]) for v in eleven_two["variables"]] == [("A", "central"), ("B", "central")]
    assert [t["value"] for t in eleven_two["thresholds"]] == ["80", "85", "90", "95", "100"]
    assert_error(api.get("/frameworks/999999"), 404, "not_found")


def test_draft_frameworks_are_for_administrators_only(api_as, demo):
    from indicators.models import Framework

    draft = Framework.objects.first()
    Framework.objects.filter(pk=draft.pk).update(status=Framework.Status.DRAFT)
    assert api_as(issue(demo["admin"])).get(f"/frameworks/{draft.pk}").status_code == 200
    assert_error(api_as(issue(demo["finance"])).get(f"/frameworks/{draft.pk}"), 404, "not_found")


@pytest.mark.parametrize("username", ["admin", "executive", "finance", "planning", "bkk1", "cm1"])
def test_a_token_sees_exactly_the_entries_its_user_may_view(demo, username):
    user = demo[username]
    token = token_issue(name="t", user=user, scope="read").token
    seen = set(visible_entries(token).values_list("pk", flat=True))
    expected = {e.pk for e in Entry.objects.select_related("indicator") if may_view_entry(user, e)}
    assert seen == expected
    assert expected or username == "planning"  # the demo's planning bureau owns no indicator of an open round


def test_a_district_token_never_sees_another_districts_entries(api_as, demo, open_round):
    api = api_as(issue(demo["bkk1"]))
    offices = {item["office"]["code"] for item in api.get("/entries", limit=500).json()["items"]}
    assert offices == {"1001"}
    other = Entry.objects.filter(office__code="1002").first()
    assert_error(api.get(f"/entries/{other.pk}"), 404, "not_found")
    assert api.get("/entries", office="1002").json()["items"] == []


def test_a_bureau_token_sees_only_its_indicators_and_can_be_narrowed_to_one_district(api_as, demo):
    finance = demo["finance"]
    owners = {e.indicator.owner.code for e in Entry.objects.filter(
        pk__in=[i["id"] for i in api_as(issue(finance)).get("/entries", limit=500).json()["items"]]
    ).select_related("indicator__owner")}
    assert owners == {"B-FIN"}
    narrowed = token_issue(name="one", user=finance, scope="read", office=Office.objects.get(code="1002")).secret
    offices = {i["office"]["code"] for i in api_as(narrowed).get("/entries", limit=500).json()["items"]}
    assert offices == {"1002"}


@pytest.mark.parametrize(("username", "status"), [("admin", 200), ("executive", 200), ("finance", 403), ("bkk1", 403)])
def test_national_results_are_for_administrators_and_executives(api_as, demo, username, status):
    response = api_as(issue(demo[username])).get("/national-results")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert len(body["items"]) == Office.objects.filter(kind__in=Office.DISTRICT_KINDS).count()
        assert all(row["overall"] is None or len(row["overall"].split(".")[1]) == 5 for row in body["items"])
    else:
        assert response.json()["code"] == "forbidden"


def test_national_results_page_with_a_cursor_and_refuse_an_unknown_round(api_as, demo):
    api = api_as(issue(demo["executive"]))
    first = api.get("/national-results", limit=5).json()
    second = api.get("/national-results", limit=5, cursor=first["next_cursor"]).json()
    assert len(first["items"]) == 5 and first["items"][0]["office"]["code"] != second["items"][0]["office"]["code"]
    assert_error(api.get("/national-results", round=999999), 404, "not_found")


@pytest.mark.parametrize("path", ["/district-values", "/central-values"])
def test_a_read_token_may_not_write(api_as, demo, open_round, path):
    token = issue(demo["finance"] if path == "/central-values" else demo["bkk1"], "read")
    body = ({"round": open_round.pk, "items": [{"office": "1001", "indicator": 1, "values": {"A": "1"}}]}
            if path == "/central-values" else {"items": [{"entry": 1, "version": 0, "values": {"A": "1"}}]})
    assert_error(api_as(token).post(path, body), 403, "read_only_token")


def test_bad_requests_are_422_with_the_fields_at_fault(api_as, demo):
    api = api_as(issue(demo["bkk1"], "write"))
    body = assert_error(api.post("/district-values", {"items": [{"entry": "x"}]}), 422, "invalid_request")
    assert {e["field"] for e in body["errors"]} >= {"body.batch.items.0.entry", "body.batch.items.0.version"}
    assert_error(api.get("/entries", status="nonsense"), 422, "invalid_request")
    assert_error(api.get("/entries", cursor="%%%"), 422, "invalid_cursor")
    assert_error(api.get("/entries", limit=100000), 422, "invalid_request")


def test_the_entries_list_costs_the_same_queries_for_any_number_of_entries(api_as, demo, django_assert_max_num_queries):
    api = api_as(issue(demo["admin"]))
    api.get("/me")  # the token's last_used_at is written once a minute, not in the measured calls
    # token, entries, their values, their steps, the call's log row
    with django_assert_max_num_queries(5):
        small = api.get("/entries", limit=2)
    with django_assert_max_num_queries(5):
        large = api.get("/entries", limit=500)
    assert len(small.json()["items"]) == 2 and len(large.json()["items"]) > 20


def test_a_token_whose_user_is_limited_to_no_entries_gets_empty_lists(api_as, demo):
    token = ApiToken.objects.get(pk=token_issue(name="t", user=demo["bkk1"], scope="read").token.pk)
    assert token.office is None
    assert api_as(issue(demo["sec-bkk1"])).get("/entries", office="1001").json()["items"] == []

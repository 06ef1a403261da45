"""Changing a published framework's criteria: a required reason, an audit, the rescore, and re-certification.

Seed 002 allows requests to change an agreement's details until 31 March and 31 October; when it happens, no
page may keep showing a score computed under criteria no longer in force (docs/scoring.md).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators.models import CriteriaChange, Framework, Indicator, Threshold
from indicators.selectors import criteria_snapshot
from indicators.services import framework_change_criteria
from krs.models import Office, Role
from reporting import workflow
from reporting.models import Entry, Recertification, StatusEvent
from reporting.selectors import counted_score
from reporting.services import entries_rescore, entry_save_values, variable_field
from tests.conftest import make_office, make_user
from tests.indicators.admin_forms import change_form_data
from tests.reporting.factories import open_world
from tests.reporting.test_carried_values import Year, put

pytestmark = pytest.mark.django_db
D = Decimal
REASON = "คำขอปรับเกณฑ์ตัวชี้วัด 1.1 ได้รับอนุมัติ (หนังสือที่ ศธ 04001/123)"


def report(entry: Entry, user, a: str, b: str) -> Entry:
    indicator = entry.indicator
    raw = {variable_field(v): value for v, value in zip(indicator.variables.order_by("order"), (a, b), strict=True)}
    entry_save_values(entry=entry, user=user, raw=raw, expected_version=entry.version)
    entry.refresh_from_db()
    return entry


@pytest.fixture
def world(bureau, certifier, district, district_user):
    """Indicator 1.1 (A / B × 100, thresholds 80/85/90/95/100) of a published framework, with three districts:
    awaiting at 92.3 (3.46000), certified at 96 (4.20000), rejected at 85 (2.00000), and one not reported."""
    others = [make_office(f"10{n:02d}", Office.Kind.PRIMARY) for n in range(2, 5)]
    w = open_world(bureau=bureau)
    awaiting = report(w.entry(district, w.quantitative), district_user, "923", "1000")
    certified = report(w.entry(others[0], w.quantitative), district_user, "96", "100")
    workflow.entry_certify(entry=certified, by=certifier)
    rejected = report(w.entry(others[1], w.quantitative), district_user, "85", "100")
    workflow.entry_reject(entry=rejected, by=certifier, comment="ไม่มีเอกสารยืนยัน")
    w.entries = {"awaiting": awaiting, "certified": certified, "rejected": rejected,
                 "not_reported": w.entry(others[2], w.quantitative)}
    return w


def indicator_url(indicator: Indicator) -> str:
    return reverse("admin:indicators_indicator_change", args=[indicator.pk])


def with_thresholds(data: dict, values) -> dict:
    for n, value in enumerate(values):
        data[f"thresholds-{n}-value"] = value
    return data


def fresh(entry: Entry) -> Entry:
    return Entry.objects.get(pk=entry.pk)


def test_a_threshold_change_without_a_reason_is_refused_and_nothing_is_saved(client, admin_user, world):
    client.force_login(admin_user)
    data = with_thresholds(change_form_data(client, indicator_url(world.quantitative)), ("70", "75", "80", "85", "90"))
    response = client.post(indicator_url(world.quantitative), data)
    assert response.status_code == 200
    assert "ต้องระบุเหตุผลการเปลี่ยนแปลง" in response.content.decode()
    assert sorted(Threshold.objects.filter(indicator=world.quantitative).values_list("value", flat=True)) == [
        D(80), D(85), D(90), D(95), D(100)]
    assert not CriteriaChange.objects.exists()
    assert fresh(world.entries["awaiting"]).self_score == D("3.46000")


def test_a_threshold_change_is_audited_rescores_what_is_not_certified_and_lists_what_is(client, admin_user, world):
    client.force_login(admin_user)
    data = with_thresholds(change_form_data(client, indicator_url(world.quantitative)), ("70", "75", "80", "85", "90"))
    data["criteria_reason"] = REASON
    response = client.post(indicator_url(world.quantitative), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    # Audited: who, when, old → new, why; nothing else of the indicator was taken for a change.
    (change,) = CriteriaChange.objects.all()
    assert (change.field, change.subject, change.changed_by, change.reason) == (
        "thresholds", "ตัวชี้วัด 1.1", admin_user, REASON)
    assert change.old_value == "1: 80 · 2: 85 · 3: 90 · 4: 95 · 5: 100"
    assert change.new_value == "1: 70 · 2: 75 · 3: 80 · 4: 85 · 5: 90"

    # Not certified: rescored from the stored values, in the same save; statuses do not move.
    awaiting, rejected = fresh(world.entries["awaiting"]), fresh(world.entries["rejected"])
    assert (awaiting.status, awaiting.self_score) == (Entry.Status.AWAITING, D("5.00000"))
    assert (rejected.status, rejected.self_score) == (Entry.Status.REJECTED, D("4.00000"))
    assert fresh(world.entries["not_reported"]).self_score is None

    # Certified: the certified score stands and counts until re-certified; the new one is listed beside it.
    certified = fresh(world.entries["certified"])
    assert (certified.status, certified.official_score, counted_score(certified)) == (
        Entry.Status.CERTIFIED, D("4.20000"), D("4.20000"))
    listed = Recertification.objects.get(entry=certified)
    assert (listed.old_score, listed.new_score, listed.change) == (D("4.20000"), D("5.00000"), change)

    history = client.get(reverse("indicators:framework_history", args=[world.framework.pk])).content.decode()
    assert REASON in history and "1: 70 · 2: 75 · 3: 80 · 4: 85 · 5: 90" in history
    assert reverse("certification:recertify_list", args=[world.framework.pk]) in history

    page = client.get(reverse("certification:recertify_list", args=[world.framework.pk])).content.decode()
    assert "4.20000" in page and "5.00000" in page and world.entries["certified"].office.localized_name in page


def test_re_certification_is_explicit_and_audited(client, admin_user, world):
    client.force_login(admin_user)
    data = with_thresholds(change_form_data(client, indicator_url(world.quantitative)), ("70", "75", "80", "85", "90"))
    data["criteria_reason"] = REASON
    client.post(indicator_url(world.quantitative), data)
    certified = world.entries["certified"]

    response = client.post(reverse("certification:recertify", args=[world.framework.pk]), {"entry": [certified.pk]})
    assert response.status_code == 302
    certified = fresh(certified)
    assert (certified.status, certified.official_score, counted_score(certified)) == (
        Entry.Status.CERTIFIED, D("5.00000"), D("5.00000"))
    event = StatusEvent.objects.filter(entry=certified).order_by("-pk").first()
    assert (event.from_status, event.to_status, event.by) == (Entry.Status.CERTIFIED, Entry.Status.CERTIFIED, admin_user)
    assert "4.20000 → 5.00000" in event.comment and REASON in event.comment
    assert not Recertification.objects.exists()


def test_criteria_giving_the_certified_score_again_take_the_entry_off_the_list(client, admin_user, world):
    client.force_login(admin_user)
    for values in (("70", "75", "80", "85", "90"), ("80", "85", "90", "95", "100")):
        data = with_thresholds(change_form_data(client, indicator_url(world.quantitative)), values)
        data["criteria_reason"] = REASON
        assert client.post(indicator_url(world.quantitative), data).status_code == 302
    assert not Recertification.objects.exists()
    assert fresh(world.entries["awaiting"]).self_score == D("3.46000")
    assert CriteriaChange.objects.count() == 2


def test_a_draft_framework_is_edited_freely(client, admin_user, world):
    Framework.objects.filter(pk=world.framework.pk).update(status=Framework.Status.DRAFT)
    client.force_login(admin_user)
    assert 'name="criteria_reason"' not in client.get(indicator_url(world.quantitative)).content.decode()
    data = with_thresholds(change_form_data(client, indicator_url(world.quantitative)), ("70", "75", "80", "85", "90"))
    assert client.post(indicator_url(world.quantitative), data).status_code == 302
    assert not CriteriaChange.objects.exists()


def test_a_change_of_text_only_needs_no_reason(client, admin_user, world):
    client.force_login(admin_user)
    data = change_form_data(client, indicator_url(world.quantitative))
    data["definition"] = "คำจำกัดความที่แก้ไขคำผิด"
    assert client.post(indicator_url(world.quantitative), data).status_code == 302
    assert not CriteriaChange.objects.exists()


def test_a_group_weight_change_is_audited_with_its_reason(client, admin_user, world):
    client.force_login(admin_user)
    url = reverse("admin:indicators_framework_change", args=[world.framework.pk])
    data = change_form_data(client, url)
    data["groups-0-weight"] = "90"
    refused = client.post(url, data)
    assert refused.status_code == 200 and "ต้องระบุเหตุผลการเปลี่ยนแปลง" in refused.content.decode()
    data["criteria_reason"] = REASON
    assert client.post(url, data).status_code == 302
    (change,) = CriteriaChange.objects.all()
    assert (change.field, change.old_value, change.new_value, change.group_id) == ("weight", "100", "90",
                                                                                   world.framework.groups.get().pk)


@pytest.mark.parametrize("name", ["indicators:framework_history", "certification:recertify_list"])
def test_the_pages_are_for_administrators_only(client, certifier, district_user, world, name):
    url = reverse(name, args=[world.framework.pk])
    for user in (certifier, district_user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_only_administrators_re_certify(client, certifier, world):
    Recertification.objects.create(entry=world.entries["certified"], old_score=D("4.2"), new_score=D("5"),
                                   noted_at=world.round.opens_at)
    client.force_login(certifier)
    response = client.post(reverse("certification:recertify", args=[world.framework.pk]),
                           {"entry": [world.entries["certified"].pk]})
    assert response.status_code == 404
    assert fresh(world.entries["certified"]).official_score == D("4.20000")


@pytest.mark.parametrize("districts", [3, 30])
def test_rescoring_takes_the_same_number_of_queries_for_3_or_30_districts(bureau, district_user, districts,
                                                                        django_assert_num_queries):
    offices = [make_office(f"3{n:03d}", Office.Kind.PRIMARY) for n in range(districts)]
    w = open_world(bureau=bureau)
    for office in offices:
        report(Entry.objects.get(office=office, indicator=w.quantitative, round=w.round), district_user, "923", "1000")
    Threshold.objects.filter(indicator=w.quantitative, level=4).update(value=D(94))
    # The savepoint pair of the transaction (2), the criteria (7: indicators, their rounds, variables and their
    # rounds, thresholds, steps, levels), the entries locked (1), values and steps (2), one update of the
    # changed entries (1) and the re-certification list's clean-up (1): 14, for 3 districts as for 30.
    with django_assert_num_queries(14):
        done = entries_rescore(indicator_ids=[w.quantitative.pk])
    assert done.rescored == districts
    assert set(Entry.objects.filter(indicator=w.quantitative, office__in=offices).values_list("self_score", flat=True)) == {
        D("3.57500")}


def test_pages_say_that_a_certified_score_awaits_re_certification(client, admin_user, world):
    client.force_login(admin_user)
    data = with_thresholds(change_form_data(client, indicator_url(world.quantitative)), ("70", "75", "80", "85", "90"))
    data["criteria_reason"] = REASON
    client.post(indicator_url(world.quantitative), data)
    office = world.entries["certified"].office
    card = client.get(reverse("reports:scorecard", args=[office.pk, world.round.pk])).content.decode()
    assert 'data-testid="criteria-changed"' in card and "5.00000" in card
    client.force_login(make_user("district-c", office, Role.DISTRICT_REPORTER))
    page = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    assert 'data-testid="criteria-changed"' in page and "5.0000" in page

    client.force_login(admin_user)
    client.post(reverse("certification:recertify", args=[world.framework.pk]), {"entry": [world.entries["certified"].pk]})
    card = client.get(reverse("reports:scorecard", args=[office.pk, world.round.pk])).content.decode()
    assert 'data-testid="criteria-changed"' not in card


def test_an_indicator_made_active_in_the_open_round_gets_its_entries_there(admin_user, world):
    other = world.round.fiscal_year.rounds.get(months=12)
    indicator = Indicator.objects.create(framework=world.framework, group=world.quantitative.group, code="1.9",
                                         name="ตัวชี้วัดรอบ 12 เดือน", weight=D(10), method=Indicator.Method.PASS_FAIL)
    indicator.rounds.set([other])
    before = criteria_snapshot(indicator_ids=[indicator.pk])
    indicator.rounds.set([other, world.round])
    with pytest.raises(ValidationError):
        framework_change_criteria(framework=world.framework, before=before,
                                  after=criteria_snapshot(indicator_ids=[indicator.pk]), reason=" ", user=admin_user)
    done = framework_change_criteria(framework=world.framework, before=before,
                                     after=criteria_snapshot(indicator_ids=[indicator.pk]), reason=REASON, user=admin_user)
    assert [(c.field, c.old_value, c.new_value) for c in done.changes] == [("rounds", "12 เดือน", "6 เดือน, 12 เดือน")]
    assert Entry.objects.filter(indicator=indicator, round=world.round).count() == Office.objects.filter(
        kind=Office.Kind.PRIMARY).count()


# --- Entries scored from values carried from an earlier round ------------------------------------------


def _raise_thresholds(year, by: int, admin_user):
    before = criteria_snapshot(indicator_ids=[year.early.pk])
    for threshold in year.early.thresholds.all():
        threshold.value += by
        threshold.save()
    after = criteria_snapshot(indicator_ids=[year.early.pk])
    return framework_change_criteria(framework=year.framework, before=before, after=after,
                                     reason="เกณฑ์ใหม่ตามมติคณะกรรมการ", user=admin_user)


def test_a_threshold_change_rescores_an_entry_whose_every_input_is_carried(district, bureau, admin_user):
    """Nothing is typed in the 9-month round: A and B come from the 6-month round. 90 scored 3 under
    80/85/90/95/100; under 90/95/100/105/110 it is at the bottom: 1."""
    year = Year(bureau)
    year.open(year.six)
    put(year.entry(district, year.early, year.six), A=45, B=50)
    year.open(year.nine)
    entry = year.entry(district, year.early, year.nine)
    assert (entry.result, entry.self_score) == (D("90.00000"), D("3.00000"))
    _raise_thresholds(year, 10, admin_user)
    entry.refresh_from_db()
    assert entry.self_score == D("1.00000")


def test_a_certified_entry_scored_from_carried_values_is_listed_for_re_certification(
        district, bureau, certifier, admin_user):
    year = Year(bureau)
    year.open(year.six)
    put(year.entry(district, year.early, year.six), A=45, B=50)
    year.open(year.nine)
    entry = year.entry(district, year.early, year.nine)
    workflow.entry_certify(entry=entry, by=certifier)
    _raise_thresholds(year, 10, admin_user)
    listed = Recertification.objects.get(entry=entry)
    assert (listed.old_score, listed.new_score) == (D("3.00000"), D("1.00000"))


# --- A change may not make an indicator unscorable in a round ------------------------------------------


def test_a_change_that_leaves_an_indicator_unscorable_in_a_round_is_refused(district, bureau, admin_user):
    """What publishing refuses, a change after publishing may not bring back: 2.1 is evaluated in every
    round and its B, reported at 6 months, would move to 12 months, leaving 6 and 9 without a B."""
    year = Year(bureau)
    b = year.once.variables.get(code="B")
    before = criteria_snapshot(indicator_ids=[year.once.pk])
    b.rounds.set([year.twelve])
    after = criteria_snapshot(indicator_ids=[year.once.pk])
    with pytest.raises(ValidationError) as refused:
        framework_change_criteria(framework=year.framework, before=before, after=after, reason=REASON, user=admin_user)
    assert any("2.1" in message and "ตัวแปร B" in message for message in refused.value.messages)
    assert not CriteriaChange.objects.exists()


def test_the_admin_refuses_such_a_change_with_the_reason_and_saves_nothing(client, district, bureau, admin_user):
    year = Year(bureau)
    b = year.once.variables.get(code="B")
    client.force_login(admin_user)
    url = indicator_url(year.once)
    data = change_form_data(client, url)
    field = next(name for name, value in data.items() if name.endswith("-rounds") and value == [str(year.six.pk)])
    data[field] = [str(year.twelve.pk)]
    data["criteria_reason"] = REASON
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ไม่ได้บันทึกการเปลี่ยนแปลง" in html and "2.1" in html
    assert list(b.rounds.values_list("pk", flat=True)) == [year.six.pk]  # rolled back
    assert not CriteriaChange.objects.exists()

"""Opening a round creates one "not reported" entry per district × applicable indicator, once."""

from __future__ import annotations

import pytest
from django.db import connection

from indicators.models import Framework, Indicator
from krs.models import Office
from reporting.models import Entry
from reporting.services import round_open
from tests.conftest import make_office
from tests.indicators.factories import fiscal_year_2569, framework, group, quantitative

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    year = fiscal_year_2569()
    fw = framework(year)
    fw.status = Framework.Status.PUBLISHED
    fw.save()
    d1 = group(fw, "1", "100")
    quantitative(fw, "1.1", "50", group=d1)
    primary_only = quantitative(fw, "1.2", "25", group=d1)
    Indicator.objects.filter(pk=primary_only.pk).update(applies_to_secondary=False)
    only_12 = quantitative(fw, "1.3", "25", group=d1)
    only_12.rounds.set([year.rounds.get(months=12)])
    parent = Indicator.objects.create(framework=fw, code="2", name="หลัก", weight=0, group=d1, method=Indicator.Method.WEIGHTED)
    quantitative(fw, "2.1", "100", parent=parent)
    offices = [make_office(f"P{n}", Office.Kind.PRIMARY) for n in range(3)] + [make_office("S1", Office.Kind.SECONDARY)]
    make_office("B1", Office.Kind.BUREAU)
    closed = make_office("P9", Office.Kind.PRIMARY)
    closed.is_active = False
    closed.save()
    draft = framework(year, code="DRAFT")
    quantitative(draft, "9", "100", group=group(draft, "9", "100"))
    return year, offices


def entries(round_):
    return sorted(Entry.objects.filter(round=round_).values_list("office__code", "indicator__code", "status"))


def test_it_creates_an_entry_per_district_and_applicable_indicator(setup):
    year, _offices = setup
    six = year.rounds.get(months=6)
    result = round_open(round_=six)
    # primary districts: 1.1, 1.2, 2.1 (1.3 is 12-month only, 2 has sub-indicators); secondary: 1.1, 2.1
    expected = sorted(
        [(f"P{n}", code, "not_reported") for n in range(3) for code in ("1.1", "1.2", "2.1")]
        + [("S1", "1.1", "not_reported"), ("S1", "2.1", "not_reported")]
    )
    assert entries(six) == expected
    assert (result.created, result.total) == (11, 11)


def test_an_indicator_limited_to_a_round_appears_in_that_round(setup):
    year, _offices = setup
    twelve = year.rounds.get(months=12)
    round_open(round_=twelve)
    assert ("P0", "1.3", "not_reported") in entries(twelve)
    assert Entry.objects.filter(round=twelve).count() == 15


def test_opening_twice_creates_nothing_more_and_keeps_what_changed(setup):
    year, _offices = setup
    six = year.rounds.get(months=6)
    round_open(round_=six)
    Entry.objects.filter(round=six, office__code="P0", indicator__code="1.1").update(status=Entry.Status.AWAITING)
    again = round_open(round_=six)
    assert (again.created, again.total) == (0, 11)
    assert Entry.objects.get(round=six, office__code="P0", indicator__code="1.1").status == Entry.Status.AWAITING


def test_a_new_district_gets_its_entries_when_the_round_is_opened_again(setup):
    year, _offices = setup
    six = year.rounds.get(months=6)
    round_open(round_=six)
    make_office("P7", Office.Kind.PRIMARY)
    assert round_open(round_=six).created == 3


def test_it_is_one_statement_whatever_the_number_of_districts(setup, django_assert_num_queries):
    year, _offices = setup
    for n in range(40):
        make_office(f"X{n}", Office.Kind.PRIMARY)
    six = year.rounds.get(months=6)
    # a savepoint, the INSERT … SELECT, the look for indicators whose inputs all come from earlier rounds,
    # the release, and the count of the round's entries
    expected = 5 if connection.features.uses_savepoints else 3
    with django_assert_num_queries(expected):
        result = round_open(round_=six)
    assert result.created == 11 + 40 * 3


def test_an_administrator_opens_a_round_from_the_admin(setup, client, admin_user):
    from django.urls import reverse

    year, _offices = setup
    six = year.rounds.get(months=6)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:indicators_round_changelist"), {"action": "open_rounds", "_selected_action": [six.pk]}, follow=True
    )
    assert "สร้างใหม่ 11 รายการ" in response.content.decode()
    assert Entry.objects.filter(round=six).count() == 11
    assert client.get(reverse("admin:reporting_entry_changelist")).status_code == 200


@pytest.mark.parametrize("persona", ["district_user", "certifier", "executive"])
def test_nobody_else_may_open_a_round(setup, client, request, persona):
    from django.urls import reverse

    year, _offices = setup
    six = year.rounds.get(months=6)
    client.force_login(request.getfixturevalue(persona))
    client.post(reverse("admin:indicators_round_changelist"), {"action": "open_rounds", "_selected_action": [six.pk]})
    assert Entry.objects.filter(round=six).count() == 0

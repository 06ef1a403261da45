"""Every page that opens on a round without being told one opens on the same round (indicators.selectors)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import FiscalYear, Framework, Indicator, Round
from krs import thaicalendar
from reporting.models import Entry

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)

# (name, months, opens, deadline, certification deadline), in days from now.
SCENARIOS = {
    # Both windows are over. The 9-month round has the later deadline and certification deadline, the
    # 6-month round opened last: the pages open on the one that opened last.
    "after every window, the round that opened last": (
        [("first", 9, -60, -20, -10), ("last", 6, -50, -30, -12)], "last"),
    # One round is open for reporting while an earlier one is still being certified (and due first):
    # districts, bureaus and the progress page open on the round open for reporting.
    "a round open for reporting, while an earlier one is still being certified": (
        [("earlier", 6, -40, -10, 10), ("open", 9, -2, 5, 25)], "open"),
}


@pytest.fixture(params=list(SCENARIOS))
def scenario(request, district, bureau):
    rounds, expected = SCENARIOS[request.param]
    now = timezone.now()
    year, _ = FiscalYear.objects.get_or_create(year=thaicalendar.fiscal_year_of(now))
    framework = Framework.objects.create(fiscal_year=year, code="T", name="กรอบทดสอบ", status=Framework.Status.PUBLISHED)
    indicator = Indicator.objects.create(framework=framework, code="1", name="ตัวชี้วัด 1", weight=Decimal(10),
                                         method=Indicator.Method.QUANTITATIVE, formula="A", owner=bureau)
    made = {}
    for name, months, opens, deadline, certification in rounds:
        made[name] = Round.objects.create(
            fiscal_year=year, months=months, name=name, period_end=year.bounds[0], opens_at=now + opens * DAY,
            deadline=now + deadline * DAY, certification_deadline=now + certification * DAY)
        Entry.objects.create(office=district, indicator=indicator, round=made[name])
    return made[expected]


def test_the_districts_entry_page_and_scorecard(client, scenario, district_user):
    client.force_login(district_user)
    response = client.get(reverse("reporting:entry_current"))
    assert response["Location"] == reverse("reporting:entry_page", args=[scenario.pk])
    response = client.get(reverse("reports:scorecard_home"))
    assert response["Location"] == reverse("reports:scorecard", args=[district_user.office_id, scenario.pk])


def test_the_bureaus_queue_and_central_data(client, scenario, certifier):
    client.force_login(certifier)
    assert client.get(reverse("certification:queue")).context["queue"].round == scenario
    listed = [round_ for round_, _indicators in client.get(reverse("reporting:central_list")).context["rounds"]]
    assert scenario in listed


def test_the_progress_and_national_pages(client, scenario, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("reports:progress")).context["progress"].round == scenario
    assert client.get(reverse("reports:national")).context["filters"].round == scenario

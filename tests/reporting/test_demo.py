"""The demo always has a round open today, with seed 000's indicators, and seeding twice changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

import indicators.demo
import krs.demo
import reporting.demo
from indicators.selectors import current_round
from reporting.models import Entry, ValueChange
from reporting.selectors import rounds_for_office

pytestmark = pytest.mark.django_db


def test_a_demo_district_has_an_open_round_with_the_seed_000_indicators():
    krs.demo.seed()
    indicators.demo.seed()
    first = reporting.demo.seed()
    from krs.models import Office

    bkk1 = Office.objects.get(code="1001")
    round_ = current_round(rounds_for_office(bkk1))
    assert round_ is not None and round_.is_open(timezone.now())
    codes = set(Entry.objects.filter(office=bkk1, round=round_).values_list("indicator__code", flat=True))
    assert {"11.2", "11.3", "11.4", "12"} <= codes
    central = Entry.objects.get(office=bkk1, round=round_, indicator__code="11.2")
    assert central.self_score is not None and central.status == Entry.Status.AWAITING
    assert first["entries"] > 0
    changes = ValueChange.objects.count()
    again = reporting.demo.seed()
    assert set(again.values()) == {0}
    assert ValueChange.objects.count() == changes

"""A round open now whose indicators the bureau owns, and one entry awaiting certification with a score of 4."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from reporting.models import Entry
from tests.reporting.factories import open_world


@pytest.fixture
def world(district, other_district, bureau):
    return open_world(bureau=bureau)


@pytest.fixture
def entry(world, district) -> Entry:
    found = world.entry(district, world.quantitative)
    Entry.objects.filter(pk=found.pk).update(status=Entry.Status.AWAITING, self_score=Decimal("4.00000"),
                                             reported_at=timezone.now())
    return Entry.objects.select_related("indicator", "round").get(pk=found.pk)

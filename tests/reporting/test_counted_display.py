"""Every page that shows a self-assessed score shows the score that counts beside it, at the same decimals.

Seed 000: an awaiting entry counts 1.00000 in the report while the district's entry page shows its self
score; scores have 4 decimals on the entry page and 5 elsewhere (docs/reporting.md).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting import workflow
from reporting.models import Entry
from reporting.services import entry_save_values
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def awaiting(district, district_user, bureau):
    world = open_world(bureau=bureau)
    entry = world.entry(district, world.quantitative)
    a, b = (world.quantitative.variables.get(code=c) for c in "AB")
    entry_save_values(entry=entry, user=district_user, raw={f"v{a.pk}": "50", f"v{b.pk}": "50"}, expected_version=0)
    entry.refresh_from_db()
    assert entry.status == Entry.Status.AWAITING and entry.self_score == 5
    return world, entry


def _block(html: str, entry: Entry) -> str:
    start = html.index(f'id="entry-{entry.pk}"')
    return html[start:html.index("</form>", start)]


@pytest.mark.parametrize("status", [Entry.Status.AWAITING, Entry.Status.REJECTED])
def test_the_entry_page_says_an_uncertified_self_score_counts_1_at_its_own_decimals(
        client, district_user, certifier, awaiting, status):
    world, entry = awaiting
    if status == Entry.Status.REJECTED:
        workflow.entry_reject(entry=entry, by=certifier, comment="ขาดหลักฐาน", fix_deadline=timezone.now() + timedelta(days=2))
    client.force_login(district_user)
    block = _block(client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode(), entry)
    assert "5.0000" in block and "ประเมินตนเอง" in block
    assert "นับ 1.0000 จนกว่าจะรับรอง" in block
    assert not re.search(r"\d\.\d{5}", block)  # no score on this page with 5 decimals beside the 4-decimal ones


def test_a_system_score_on_the_entry_page_has_the_pages_decimals(client, district_user, awaiting):
    world, entry = awaiting
    Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.SYSTEM_UNREPORTED, official_score=1,
                                             system_scored_at=timezone.now())
    client.force_login(district_user)
    block = _block(client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode(), entry)
    assert '<span data-testid="system-score">1.0000</span>' in block


def test_the_review_page_shows_self_and_counted_scores_with_five_decimals(client, district_user, awaiting):
    _world, entry = awaiting
    client.force_login(district_user)
    html = client.get(reverse("certification:review", args=[entry.pk])).content.decode()
    assert re.search(r'data-testid="self-score">\s*5\.00000\s*<', html)
    assert re.search(r'data-testid="counted-score">\s*1\.00000\s*<', html)


def test_the_bureau_queue_shows_the_counted_score_beside_the_self_score(client, certifier, awaiting):
    world, entry = awaiting
    client.force_login(certifier)
    html = client.get(reverse("certification:queue"), {"round": world.round.pk}).content.decode()
    row = html[html.index(f'data-entry="{entry.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "5.00000" in row and "นับ 1.00000" in row


def test_the_central_grid_shows_what_each_districts_score_counts_beside_its_self_score(client, certifier, district, bureau):
    world = open_world(bureau=bureau)
    entry = world.entry(district, world.central)
    client.force_login(certifier)
    url = reverse("reporting:central_grid", args=[world.round.pk, world.central.pk])
    a, b = (world.central.variables.get(code=c) for c in "AB")
    client.post(url, {"row": [str(entry.pk)], f"version-{entry.pk}": entry.version,
                      f"e{entry.pk}-A": "90", f"e{entry.pk}-B": "100"})
    entry.refresh_from_db()
    assert entry.status == Entry.Status.AWAITING and entry.self_score == 3
    html = client.get(url).content.decode()
    cell = html[html.index('data-testid="grid-score"'):]
    cell = cell[:cell.index("</td>")]
    # Awaiting: its self score, and that it counts 1.00000 until certified, at the same 5 decimals.
    assert "3.00000" in cell and "ประเมินตนเอง" in cell and "นับ 1.00000" in cell
    workflow.entry_certify(entry=entry, by=certifier)
    cell = client.get(url).content.decode()
    cell = cell[cell.index('data-testid="grid-score"'):]
    assert "นับ 3.00000" in cell[:cell.index("</td>")]

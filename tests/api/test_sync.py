"""Incremental sync: ``changed_since`` and the (updated_at, id) cursor see exactly what changed, once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from reporting import deadlines
from reporting.models import Entry
from reporting.workflow import entry_certify, entry_reject
from tests.api.conftest import entry_of, issue

pytestmark = pytest.mark.django_db


def changed(api, since) -> list[int]:
    """Every entry id the API reports changed since ``since``, following the cursor page by page."""
    ids, cursor = [], None
    while True:
        params = {"changed_since": since.isoformat(), "limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/entries", **params).json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return ids


def test_paging_with_the_cursor_reads_every_entry_once(api_as, demo, settings):
    settings.KRS_API_RATE_LIMIT = 10_000  # pages of 3 over the whole demo: far more calls than a minute allows
    api = api_as(issue(demo["admin"]))
    ids = changed(api, timezone.now() - timedelta(days=3650))
    assert len(ids) == len(set(ids)) == Entry.objects.count()


def test_changed_since_sees_exactly_the_entries_changed(api_as, demo, open_round):
    api = api_as(issue(demo["admin"]))
    mark = timezone.now() + timedelta(seconds=1)
    assert changed(api, mark) == []
    later = mark + timedelta(seconds=1)
    district = entry_of("1001", "11.3", open_round)
    central = entry_of("1002", "11.2", open_round)
    bkk1 = api_as(issue(demo["bkk1"], "write"))
    finance = api_as(issue(demo["finance"], "write"))
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        assert bkk1.post("/district-values", {"items": [
            {"entry": district.pk, "version": 0, "values": {"A": "1"}}]}).status_code == 200
        assert finance.post("/central-values", {"round": open_round.pk, "items": [
            {"office": "1002", "indicator": central.indicator_id, "values": {"A": "150", "B": "160"}}]}).status_code == 200
    assert sorted(changed(api, mark)) == sorted([district.pk, central.pk])
    assert changed(api, later + timedelta(microseconds=1)) == []


def test_status_changes_and_the_deadline_sweep_move_an_entry_into_the_sync(api_as, demo, open_round):
    api = api_as(issue(demo["admin"]))
    entry = entry_of("1001", "11.3", open_round)
    bkk1 = api_as(issue(demo["bkk1"], "write"))
    assert bkk1.post("/district-values", {"items": [{"entry": entry.pk, "version": 0, "values": {"A": "1"}}]}).status_code == 200
    entry.refresh_from_db()

    certified_at = timezone.now() + timedelta(minutes=5)
    entry_certify(entry=entry, by=demo["finance"], at=certified_at)
    assert changed(api, certified_at) == [entry.pk]

    other = entry_of("1002", "11.2", open_round)
    finance = api_as(issue(demo["finance"], "write"))
    assert finance.post("/central-values", {"round": open_round.pk, "items": [
        {"office": "1002", "indicator": other.indicator_id, "values": {"A": "150", "B": "160"}}]}).status_code == 200
    other.refresh_from_db()
    rejected_at = certified_at + timedelta(minutes=1)
    entry_reject(entry=other, by=demo["finance"], comment="แก้ไข", fix_deadline=rejected_at + timedelta(minutes=1),
                 at=rejected_at)
    assert changed(api, rejected_at) == [other.pk]

    # The sweep's set-based UPDATEs (fix window ended: 1.00000 by the system) stamp updated_at too.
    swept_at = rejected_at + timedelta(minutes=5)
    deadlines.end_fix_windows(swept_at)
    assert changed(api, swept_at) == [other.pk]
    other.refresh_from_db()
    # 11.2's inputs are all central: the fix was the bureau's, and the status says so.
    assert other.status == Entry.Status.SYSTEM_NO_CENTRAL


def test_a_late_penalty_moves_the_entry_into_the_sync(api_as, demo, open_round):
    api = api_as(issue(demo["admin"]))
    entry = entry_of("1001", "11.3", open_round)
    round_ = open_round
    round_.late_penalty_per_day = Decimal("0.05")
    round_.penalty_scope = round_.PenaltyScope.INDICATOR  # the per-indicator option: the entry itself moves
    round_.late_until = round_.due_at + timedelta(days=5)
    if round_.certification_deadline < round_.late_until:
        round_.certification_deadline = round_.late_until
    round_.save()
    Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.AWAITING, first_reported_at=round_.due_at + timedelta(days=1))
    now = round_.due_at + timedelta(days=2)
    deadlines.apply_late_penalties(now)
    entry.refresh_from_db()
    assert entry.late_days and entry.updated_at == now
    assert entry.pk in changed(api, now)

"""Two certifiers decide on the same entry at the same moment, on PostgreSQL: one wins, the other is told."""

from __future__ import annotations

import os
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from krs.models import Role
from reporting import workflow
from reporting.models import Entry, StatusEvent
from tests.conftest import make_user, require
from tests.reporting.factories import open_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_certifiers_at_once_one_decision_lands(district, other_district, bureau, certifier):
    if os.environ.get("KRS_EXPECT_DB") == "sqlite":
        pytest.skip("this pass runs on SQLite on purpose")
    require(connection.vendor == "postgresql", "this test needs DATABASE_URL=postgres://…")
    colleague = make_user("certifier1b", bureau, Role.BUREAU_CERTIFIER)
    world = open_world(bureau=bureau)
    entry = world.entry(district, world.quantitative)
    Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.AWAITING, self_score=Decimal(4))
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(name, user, action):
        try:
            mine = Entry.objects.select_related("indicator", "round").get(pk=entry.pk)  # both read "awaiting"
            start.wait()
            if action == "certify":
                workflow.entry_certify(entry=mine, by=user)
            else:
                workflow.entry_reject(entry=mine, by=user, comment="ไม่ถูกต้อง")
            outcomes[name] = "won"
        except workflow.TransitionRefused as exc:
            outcomes[name] = exc.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=("a", certifier, "certify")),
               threading.Thread(target=decide, args=("b", colleague, "reject"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(o == "won" for o in outcomes.values()) == [False, True], outcomes
    loser = next(o for o in outcomes.values() if o != "won")
    assert "มีผู้ดำเนินการกับรายการนี้ก่อนคุณ" in loser
    assert StatusEvent.objects.filter(entry_id=entry.pk).count() == 1
    final = Entry.objects.get(pk=entry.pk).status
    assert final == (Entry.Status.CERTIFIED if outcomes["a"] == "won" else Entry.Status.REJECTED)

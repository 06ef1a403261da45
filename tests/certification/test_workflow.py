"""The workflow table: every status × every role × every decision, allowed or refused; races; reasons."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from reporting import workflow
from reporting.models import Entry, StatusEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
S = Entry.Status
ROLES = ["district_user", "other_district_user", "certifier", "other_certifier", "executive", "admin_user"]
ACTIONS = ["certify", "reject", "reopen"]


SYSTEM_SCORED = (S.SYSTEM_UNREPORTED, S.SYSTEM_UNFIXED, S.SYSTEM_NO_CENTRAL)
# Who may take each decision, and from which statuses (seed 000's symbols table).
WHO = {"certify": "certifier", "reject": "certifier", "reopen": "admin_user"}
STARTS = {"certify": {S.AWAITING}, "reject": {S.AWAITING}, "reopen": {S.CERTIFIED, *SYSTEM_SCORED}}


def in_status(entry: Entry, status: str) -> Entry:
    Entry.objects.filter(pk=entry.pk).update(status=status, self_score=Decimal("4.00000"))
    return Entry.objects.select_related("indicator", "round").get(pk=entry.pk)


def take(action, entry, user):
    """Each decision with everything it asks for (a score, a reason, a future fix deadline): only the
    role or the status can refuse it."""
    fix_deadline = timezone.now() + timedelta(days=3)
    if action == "certify":
        return workflow.entry_certify(entry=entry, by=user)
    if action == "reject":
        return workflow.entry_reject(entry=entry, by=user, comment="เหตุผล", fix_deadline=fix_deadline)
    return workflow.entry_reopen(entry=entry, by=user, comment="เหตุผล", fix_deadline=fix_deadline)


def transition(action, status) -> workflow.Transition:
    """Reopening a score the system gave is a transition of its own (back to rejected, to be fixed)."""
    return workflow.TRANSITIONS["reopen_system" if action == "reopen" and status in SYSTEM_SCORED else action]


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_the_transition_matrix(request, world, district, status, role, action):
    user = request.getfixturevalue(role)
    entry = in_status(world.entry(district, world.quantitative), status)
    label = transition(action, status).label
    if role == WHO[action] and status in STARTS[action]:
        assert take(action, entry, user) is True
        entry.refresh_from_db()
        assert entry.status == transition(action, status).to
        event = StatusEvent.objects.get()
        assert (event.from_status, event.to_status, event.by, event.comment) == (
            status, entry.status, user, "" if action == "certify" else "เหตุผล")
    else:
        with pytest.raises(workflow.TransitionRefused) as refused:
            take(action, entry, user)
        if role != WHO[action]:  # whatever the status
            expected = ("role", f"คุณไม่มีสิทธิ์{label}รายการนี้")
        else:
            expected = ("status", f"{label}ไม่ได้: รายการนี้อยู่ในสถานะ “{entry.get_status_display()}”")
        assert (refused.value.reason, refused.value.message) == expected
        assert Entry.objects.get(pk=entry.pk).status == status
        assert not StatusEvent.objects.exists()


@pytest.mark.parametrize(("role", "status", "action", "kwargs", "reason"), [
    # Nothing the decision was given is looked at before the role and the status.
    ("district_user", S.AWAITING, "certify", {}, "role"),
    ("certifier", S.CERTIFIED, "certify", {}, "status"),
    ("executive", S.AWAITING, "reject", {"comment": ""}, "role"),
    ("certifier", S.CERTIFIED, "reject", {"comment": ""}, "status"),
    ("certifier", S.SYSTEM_UNREPORTED, "reopen", {"comment": ""}, "role"),
    ("admin_user", S.AWAITING, "reopen", {"comment": ""}, "status"),
    # Allowed for the role and the status: then the arguments decide.
    ("certifier", S.AWAITING, "certify", {}, "argument"),
    ("certifier", S.AWAITING, "reject", {"comment": " "}, "argument"),
    ("admin_user", S.CERTIFIED, "reopen", {"comment": ""}, "argument"),
    ("admin_user", S.SYSTEM_UNREPORTED, "reopen", {"comment": "เหตุผล", "fix_deadline": None}, "argument"),
])
def test_the_role_then_the_status_are_checked_before_what_the_decision_was_given(
        request, world, district, role, status, action, kwargs, reason):
    entry = in_status(world.entry(district, world.quantitative), status)
    Entry.objects.filter(pk=entry.pk).update(self_score=None)  # nothing to certify either
    entry.refresh_from_db()
    decide = {"certify": workflow.entry_certify, "reject": workflow.entry_reject, "reopen": workflow.entry_reopen}
    with pytest.raises(workflow.TransitionRefused) as refused:
        decide[action](entry=entry, by=request.getfixturevalue(role), **kwargs)
    assert refused.value.reason == reason, refused.value.message
    assert Entry.objects.get(pk=entry.pk).status == status and not StatusEvent.objects.exists()


def test_certify_makes_the_self_score_official_and_reopen_withdraws_it(world, district, certifier, admin_user):
    entry = in_status(world.entry(district, world.quantitative), S.AWAITING)
    workflow.entry_certify(entry=entry, by=certifier)
    assert entry.official_score == Decimal("4.00000")
    workflow.entry_reopen(entry=entry, by=admin_user, comment="สำนักขอแก้ไขตัวเลข")
    entry.refresh_from_db()
    assert (entry.status, entry.official_score) == (S.AWAITING, None)


def test_two_certifiers_at_once_one_wins_and_the_other_is_told(world, district, certifier, bureau):
    colleague = make_user("certifier1b", bureau, "bureau_certifier")
    entry = in_status(world.entry(district, world.quantitative), S.AWAITING)
    stale = Entry.objects.select_related("indicator").get(pk=entry.pk)
    workflow.entry_certify(entry=entry, by=certifier)
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.entry_reject(entry=stale, by=colleague, comment="ไม่ถูกต้อง")
    assert "มีผู้ดำเนินการกับรายการนี้ก่อนคุณ" in refused.value.message and "รับรองผล" in refused.value.message
    assert refused.value.reason == "stale"
    assert Entry.objects.get(pk=entry.pk).status == S.CERTIFIED
    assert StatusEvent.objects.count() == 1


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_rejection_needs_a_reason_and_so_does_a_reopening(world, district, certifier, admin_user, comment):
    entry = in_status(world.entry(district, world.quantitative), S.AWAITING)
    with pytest.raises(workflow.TransitionRefused, match="ต้องระบุเหตุผล"):
        workflow.entry_reject(entry=entry, by=certifier, comment=comment)
    entry = in_status(entry, S.CERTIFIED)
    with pytest.raises(workflow.TransitionRefused, match="ต้องระบุเหตุผล"):
        workflow.entry_reopen(entry=entry, by=admin_user, comment=comment)
    assert not StatusEvent.objects.exists()


def test_an_entry_without_a_score_cannot_be_certified(world, district, certifier):
    entry = in_status(world.entry(district, world.quantitative), S.AWAITING)
    Entry.objects.filter(pk=entry.pk).update(self_score=None, score_note="หารด้วยศูนย์")
    entry.refresh_from_db()
    with pytest.raises(workflow.TransitionRefused, match="หารด้วยศูนย์"):
        workflow.entry_certify(entry=entry, by=certifier)


def test_a_rubric_level_is_confirmed_or_changed_with_a_reason(world, district, certifier):
    levels = list(world.rubric.levels.order_by("score"))
    entry = world.entry(district, world.rubric)
    Entry.objects.filter(pk=entry.pk).update(status=S.AWAITING, level=levels[-1], self_score=levels[-1].score)
    entry = Entry.objects.select_related("indicator", "level").get(pk=entry.pk)
    with pytest.raises(workflow.TransitionRefused, match="เปลี่ยนระดับต้องระบุเหตุผล"):
        workflow.entry_certify(entry=entry, by=certifier, level=levels[0])
    workflow.entry_certify(entry=entry, by=certifier, level=levels[0], comment="หลักฐานไม่ครบตามเกณฑ์")
    entry.refresh_from_db()
    assert entry.official_score == levels[0].score and entry.official_level == levels[0]
    assert entry.self_score == levels[-1].score  # the district's own assessment stays as it was
    comment = StatusEvent.objects.get().comment
    assert levels[-1].name in comment and levels[0].name in comment and "หลักฐานไม่ครบตามเกณฑ์" in comment


def test_bulk_certify_takes_only_the_bureaus_awaiting_scored_entries(world, district, other_district, certifier,
                                                                     django_assert_num_queries):
    mine = [in_status(world.entry(office, world.quantitative), S.AWAITING) for office in (district, other_district)]
    not_awaiting = in_status(world.entry(district, world.pass_fail), S.NOT_REPORTED)
    no_score = in_status(world.entry(district, world.milestone), S.AWAITING)
    Entry.objects.filter(pk=no_score.pk).update(self_score=None)
    ids = [e.pk for e in mine] + [not_awaiting.pk, no_score.pk]
    with django_assert_num_queries(5):  # savepoint, lock, update, events, release
        certified = workflow.entries_certify(entry_ids=ids, by=certifier)
    assert sorted(certified) == sorted(e.pk for e in mine)
    assert set(Entry.objects.filter(status=S.CERTIFIED).values_list("pk", flat=True)) == set(certified)
    assert all(e.official_score == Decimal("4.00000") for e in Entry.objects.filter(pk__in=certified))
    assert StatusEvent.objects.count() == 2


def test_bulk_certify_by_another_bureau_certifies_nothing(world, district, other_certifier):
    entry = in_status(world.entry(district, world.quantitative), S.AWAITING)
    assert workflow.entries_certify(entry_ids=[entry.pk], by=other_certifier) == []
    assert Entry.objects.get(pk=entry.pk).status == S.AWAITING


def test_the_report_counts_the_official_score_of_certified_entries_and_1_for_everything_else(
        world, district, certifier, admin_user):
    from reporting.selectors import counted_scores

    certified = in_status(world.entry(district, world.quantitative), S.AWAITING)
    workflow.entry_certify(entry=certified, by=certifier)
    awaiting = in_status(world.entry(district, world.pass_fail), S.AWAITING)  # self score 4: not counted yet
    rejected = in_status(world.entry(district, world.milestone), S.AWAITING)
    workflow.entry_reject(entry=rejected, by=certifier, comment="ไม่ครบ")
    scores = counted_scores(district, world.round)
    assert scores[world.quantitative.pk] == Decimal("4.00000")
    assert scores[world.pass_fail.pk] == scores[world.milestone.pk] == scores[world.rubric.pk] == Decimal("1.00000")
    assert awaiting.self_score == Decimal("4.00000")
    workflow.entry_reopen(entry=certified, by=admin_user, comment="ตรวจใหม่")
    assert counted_scores(district, world.round)[world.quantitative.pk] == Decimal("1.00000")

"""The one place where an entry's status changes (docs/architecture.md), each change with its audit event.

``TRANSITIONS`` is the whole workflow of seed 000's symbols table: for each action, the statuses it
starts from, the status it leads to, and who may take it. Every change is a conditional UPDATE
(``… WHERE status = <what the actor saw>``) inside a transaction with its ``StatusEvent``: of two people
acting at once, one wins and the other is told what happened instead.

Reporting's save calls ``entry_mark_reported`` / ``entry_mark_unreported`` (they answer False when the
entry is not in a status they apply to, so calling them on every save is harmless). The people's
actions — certify, reject, reopen — raise ``TransitionRefused`` with a Thai reason, checking the role
first, then the entry's status, and only then what the action was given (a reason, a fix deadline, a level).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from krs import permissions
from krs.models import Role, User
from krs.notifications import notify
from krs.thaicalendar import format_thai_date
from reporting.flags import flag_raise
from reporting.models import Entry, Flag, Recertification, Side, StatusEvent
from reporting.rules import entry_side
from reporting.selectors import FLOOR_SCORE

Status = Entry.Status


@dataclass(frozen=True)
class Transition:
    starts: tuple[str, ...]
    to: str
    who: str  # "reporter" (whoever saves the values: checked by reporting), "owner_bureau", "administrator"
    label: str


TRANSITIONS: dict[str, Transition] = {
    "report": Transition((Status.NOT_REPORTED, Status.REJECTED), Status.AWAITING, "reporter",
                         pgettext_lazy("workflow action", "รายงานผล")),
    "unreport": Transition((Status.AWAITING,), Status.NOT_REPORTED, "reporter",
                           pgettext_lazy("workflow action", "ถอนการรายงานผล")),
    "certify": Transition((Status.AWAITING,), Status.CERTIFIED, "owner_bureau", pgettext_lazy("workflow action", "รับรองผล")),
    "reject": Transition((Status.AWAITING,), Status.REJECTED, "owner_bureau", pgettext_lazy("workflow action", "ไม่รับรองผล")),
    "reopen": Transition((Status.CERTIFIED,), Status.AWAITING, "administrator",
                         pgettext_lazy("workflow action", "เปิดให้แก้ไขอีกครั้ง")),
    # A system score withdrawn by an administrator (a district had a good reason): the entry goes back to the
    # district as if rejected, with a fix deadline; not fixed by then, the sweep scores it again (close_fix).
    "reopen_system": Transition((Status.SYSTEM_UNREPORTED, Status.SYSTEM_UNFIXED, Status.SYSTEM_NO_CENTRAL), Status.REJECTED,
                                "administrator",
                                pgettext_lazy("workflow action", "เปิดให้แก้ไขรายการที่ระบบให้คะแนน")),
    # The framework's criteria changed after certification (reporting.models.Recertification): an administrator
    # certifies the entry again with the score the criteria now in force give (entries_recertify).
    "recertify": Transition((Status.CERTIFIED,), Status.CERTIFIED, "administrator",
                            pgettext_lazy("workflow action", "รับรองใหม่ตามเกณฑ์ใหม่")),
    # Taken only by the deadline sweep (reporting.deadlines), never by a person: 1.00000 and locked.
    "close": Transition((Status.NOT_REPORTED,), Status.SYSTEM_UNREPORTED, "system",
                        pgettext_lazy("workflow action", "ระบบให้คะแนนเมื่อพ้นกำหนดส่ง")),
    "close_fix": Transition((Status.REJECTED,), Status.SYSTEM_UNFIXED, "system",
                            pgettext_lazy("workflow action", "ระบบให้คะแนนเมื่อพ้นกำหนดแก้ไข")),
    # At the end of the owning bureau's window for central data (Round.central_closes_at), never the district's
    # deadline: an entry whose inputs are all central and still not reported, and an entry the district has
    # reported whose central part is still missing.
    "close_central": Transition((Status.NOT_REPORTED,), Status.SYSTEM_NO_CENTRAL, "system",
                                pgettext_lazy("workflow action", "ระบบให้คะแนนเมื่อพ้นกำหนดส่งข้อมูลส่วนกลาง")),
    "close_central_reported": Transition((Status.AWAITING,), Status.SYSTEM_NO_CENTRAL, "system",
                                         pgettext_lazy("workflow action", "ระบบให้คะแนนเมื่อพ้นกำหนดส่งข้อมูลส่วนกลาง")),
    # A central-only entry given back to fix (rejected, or a system score withdrawn) and not fixed by the bureau.
    "close_fix_central": Transition((Status.REJECTED,), Status.SYSTEM_NO_CENTRAL, "system",
                                    pgettext_lazy("workflow action", "ระบบให้คะแนนเมื่อพ้นกำหนดแก้ไขข้อมูลส่วนกลาง")),
}


class TransitionRefused(Exception):
    """The action was not taken; ``message`` says why, in Thai; ``reason`` which check refused it.

    ``"role"``: the user may not take the action on this entry; ``"status"``: not from the entry's status;
    ``"argument"``: what it was given does not do (no reason, no future fix deadline, a changed level
    without a reason, no score to certify); ``"stale"``: someone changed the status since it was read.
    """

    ROLE, STATUS, ARGUMENT, STALE = "role", "status", "argument", "stale"

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


def may_take(user, entry: Entry, action: str) -> bool:
    """Does the user's role allow this action on this entry (whatever its status now)?"""
    who = TRANSITIONS[action].who
    if who == "owner_bureau":
        return entry_side(user, entry) == "bureau"
    if who == "administrator":
        return permissions.is_administrator(user)
    if who == "system":
        return False
    return True  # "reporter": reporting's save checks who may change the values


def action_block(user, entry: Entry, action: str) -> str | None:
    """Why the user may not take the action on the entry as it is now (Thai), or None."""
    refused = _refusal(user, entry, action)
    return refused.message if refused else None


def _refusal(user, entry: Entry, action: str) -> TransitionRefused | None:
    """The role first, then the status: a refusal never depends on the arguments of the action."""
    transition = TRANSITIONS[action]
    if not may_take(user, entry, action):
        return TransitionRefused(_("คุณไม่มีสิทธิ์%(action)sรายการนี้") % {"action": transition.label},
                                 TransitionRefused.ROLE)
    if entry.status not in transition.starts:
        return TransitionRefused(_("%(action)sไม่ได้: รายการนี้อยู่ในสถานะ “%(status)s”") % {
            "action": transition.label, "status": entry.get_status_display()}, TransitionRefused.STATUS)
    return None


def _check(user, entry: Entry, action: str) -> None:
    refused = _refusal(user, entry, action)
    if refused:
        raise refused


def _move(entry: Entry, action: str, *, by, comment: str = "", at: datetime | None = None, **fields) -> bool:
    """Apply the transition if the entry is still in the status it was read in; False when it is not."""
    transition = TRANSITIONS[action]
    at = at or timezone.now()
    previous = entry.status
    if previous not in transition.starts:
        return False
    with transaction.atomic():
        updated = Entry.objects.filter(pk=entry.pk, status=previous).update(status=transition.to, updated_at=at, **fields)
        if not updated:
            return False
        StatusEvent.objects.create(entry=entry, from_status=previous, to_status=transition.to, by=by, at=at,
                                   comment=comment)
    entry.status = transition.to
    for name, value in fields.items():
        if not hasattr(value, "resolve_expression"):
            setattr(entry, name, value)
    return True


def _decide(entry: Entry, action: str, *, by, **kwargs) -> None:
    """A person's decision (role and status checked first, ``_check``): told if someone else acted first."""
    seen = entry.get_status_display()
    if not _move(entry, action, by=by, **kwargs):
        entry.refresh_from_db(fields=["status"])
        raise TransitionRefused(
            _("มีผู้ดำเนินการกับรายการนี้ก่อนคุณ: สถานะเปลี่ยนจาก “%(seen)s” เป็น “%(now)s” แล้ว ตรวจสอบแล้วทำใหม่อีกครั้ง")
            % {"seen": seen, "now": entry.get_status_display()}, TransitionRefused.STALE
        )


def entry_mark_reported(*, entry: Entry, by, at: datetime | None = None) -> bool:
    """Everything the district enters has a value: not reported (or rejected and corrected) → awaiting.

    Corrected values after a rejection are "new data" for the bureau.
    """
    at = at or timezone.now()
    was = entry.status
    fields = {"reported_at": at}
    if entry.first_reported_at is None:
        fields["first_reported_at"] = at
    moved = _move(entry, "report", by=by, at=at, **fields)
    if moved and was == Status.REJECTED:
        flag_raise(entry=entry, for_side=Side.BUREAU, reason=Flag.Reason.CORRECTED, by=by, at=at)
    return moved


def entry_mark_unreported(*, entry: Entry, by, at: datetime | None = None) -> bool:
    """A value was emptied before certification: awaiting → not reported."""
    return _move(entry, "unreport", by=by, at=at, reported_at=None)


def entry_certify(*, entry: Entry, by, level=None, comment: str = "", at: datetime | None = None) -> bool:
    """Awaiting → certified: the official score is the self-assessed one, or the level the certifier chose.

    For a rubric indicator the certifier confirms the district's level or changes it; a change needs a
    reason, kept as the event's comment with both levels named.
    """
    _check(by, entry, "certify")
    comment = comment.strip()
    fields = {"official_score": F("self_score"), "official_level": entry.level}
    if level is not None and level.pk != entry.level_id:
        if not comment:
            raise TransitionRefused(_("เปลี่ยนระดับต้องระบุเหตุผล"), TransitionRefused.ARGUMENT)
        before = entry.level.name if entry.level else _("ไม่ได้เลือก")
        comment = _("เปลี่ยนระดับจาก “%(before)s” เป็น “%(after)s”: %(reason)s") % {
            "before": before, "after": level.name, "reason": comment}
        fields = {"official_score": level.score, "official_level": level}
    elif entry.self_score is None:
        raise TransitionRefused(_("ยังไม่มีคะแนนให้รับรอง (%(note)s): ไม่รับรองพร้อมเหตุผลแทน") % {
            "note": entry.score_note or _("คำนวณไม่ได้")}, TransitionRefused.ARGUMENT)
    _decide(entry, "certify", by=by, comment=comment, at=at, **fields)
    entry.refresh_from_db(fields=["official_score", "official_level"])
    return True


def entry_reject(*, entry: Entry, by, comment: str, fix_deadline: datetime | None = None,
                 at: datetime | None = None) -> bool:
    """Awaiting → rejected, with the reason (required) and, when a fix is wanted, the deadline for it."""
    _check(by, entry, "reject")
    comment = (comment or "").strip()
    if not comment:
        raise TransitionRefused(_("ไม่รับรองต้องระบุเหตุผล เพื่อให้ สพท. แก้ไขได้ถูกต้อง"), TransitionRefused.ARGUMENT)
    at = at or timezone.now()
    with transaction.atomic():
        _decide(entry, "reject", by=by, comment=comment, at=at, fix_deadline=fix_deadline)
        flag_raise(entry=entry, for_side=Side.DISTRICT, reason=Flag.Reason.REJECTED, by=by, at=at)
        _notify_rejection(entry, comment=comment, fix_deadline=fix_deadline, at=at)
    return True


def _notify_rejection(entry: Entry, *, comment: str, fix_deadline, at: datetime, reopened: bool = False,
                      to_bureau: bool = False) -> None:
    """The district's reporters are told by notification and e-mail (sent after commit), with the reason.

    ``reopened``: an administrator withdrew the system's score and gives the entry back to fix.
    ``to_bureau``: the score was for missing central data, so the owning bureau's certifiers are told instead.
    """


    users = User.objects.filter(office_id=entry.office_id, role=Role.DISTRICT_REPORTER, is_active=True)
    deadline = (_("แก้ไขได้ถึง %(date)s") % {"date": format_thai_date(fix_deadline, with_time=True)}
                if fix_deadline else _("ไม่ได้กำหนดให้แก้ไขหลังปิดรอบ"))
    values = {"code": entry.indicator.code, "name": entry.indicator.name, "comment": comment, "deadline": deadline,
              "round": entry.round.label}
    if to_bureau:
        users = User.objects.filter(office_id=entry.indicator.owner_id, role=Role.BUREAU_CERTIFIER, is_active=True)
        values["office"] = entry.office.name_th
        subject = _("เปิดให้บันทึกข้อมูลส่วนกลาง: ตัวชี้วัด %(code)s %(round)s") % values
        body = _("ผู้ดูแลระบบยกเลิกคะแนนที่ระบบให้ของตัวชี้วัด %(code)s %(name)s ของ %(office)s "
                 "และเปิดให้สำนักบันทึกข้อมูลส่วนกลาง\nเหตุผล: %(comment)s\n%(deadline)s") % values
    elif reopened:
        subject = _("เปิดให้แก้ไข: ตัวชี้วัด %(code)s %(round)s") % values
        body = _("ผู้ดูแลระบบยกเลิกคะแนนที่ระบบให้ของตัวชี้วัด %(code)s %(name)s และเปิดให้ สพท. รายงานผล\n"
                 "เหตุผล: %(comment)s\n%(deadline)s") % values
    else:
        subject = _("ไม่รับรอง: ตัวชี้วัด %(code)s %(round)s") % values
        body = _("สำนักไม่รับรองตัวชี้วัด %(code)s %(name)s\nเหตุผล: %(comment)s\n%(deadline)s") % values
    notify(
        users=users, kind="rejected", key=f"rejected:e{entry.pk}:{at.isoformat()}", subject=subject, body=body,
        url=reverse("certification:review", args=[entry.pk]), now=at,
    )


def entry_reopen(*, entry: Entry, by, comment: str, fix_deadline: datetime | None = None,
                 at: datetime | None = None) -> bool:
    """Administrators only, with a reason; the official score is withdrawn.

    Certified → awaiting. Scored by the system → rejected, with ``fix_deadline`` (required, in the future)
    until which the district may report it even though the round has closed; the district is flagged and told.
    A score for missing central data goes back to the owning bureau instead: it may enter the central data
    until the fix deadline (``rules.central_edit_block``), and its certifiers are flagged and told.
    """
    system_given = entry.status in TRANSITIONS["reopen_system"].starts
    _check(by, entry, "reopen_system" if system_given else "reopen")
    comment = (comment or "").strip()
    if not comment:
        raise TransitionRefused(_("เปิดให้แก้ไขอีกครั้งต้องระบุเหตุผล"), TransitionRefused.ARGUMENT)
    at = at or timezone.now()
    if not system_given:
        with transaction.atomic():
            _decide(entry, "reopen", by=by, comment=comment, at=at, official_score=None, official_level=None)
            # Reopened, it is no longer waiting to be certified again under changed criteria: its bureau will.
            Recertification.objects.filter(entry=entry).delete()
        return True
    if fix_deadline is None or fix_deadline <= at:
        raise TransitionRefused(_("เปิดให้แก้ไขรายการที่ระบบให้คะแนนต้องกำหนดวันเวลาแก้ไขที่ยังไม่ถึง"),
                                TransitionRefused.ARGUMENT)
    to_bureau = entry.status == Status.SYSTEM_NO_CENTRAL  # the central data is the bureau's to enter
    with transaction.atomic():
        _decide(entry, "reopen_system", by=by, comment=comment, at=at, official_score=None, official_level=None,
                system_scored_at=None, fix_deadline=fix_deadline)
        flag_raise(entry=entry, for_side=Side.BUREAU if to_bureau else Side.DISTRICT, reason=Flag.Reason.REJECTED,
                   by=by, at=at)
        _notify_rejection(entry, comment=comment, fix_deadline=fix_deadline, at=at, reopened=True, to_bureau=to_bureau)
    return True


def entries_certify(*, entry_ids, by, at: datetime | None = None) -> list[int]:
    """Certify many awaiting entries of the certifier's bureau at once (set-based); the ids certified.

    Entries that are not the bureau's, no longer awaiting, or have no score are left as they are (the
    caller says how many were skipped). Three queries whatever the count: lock, update, events.
    """
    at = at or timezone.now()
    if not permissions.is_bureau_certifier(by):
        return []
    with transaction.atomic():
        ids = list(
            Entry.objects.select_for_update(of=("self",))
            .filter(pk__in=list(entry_ids), status=Status.AWAITING, indicator__owner_id=by.office_id,
                    self_score__isnull=False)
            .values_list("pk", flat=True)
        )
        if not ids:
            return []
        Entry.objects.filter(pk__in=ids).update(status=Status.CERTIFIED, official_score=F("self_score"),
                                                official_level=F("level"), updated_at=at)
        StatusEvent.objects.bulk_create([
            StatusEvent(entry_id=pk, from_status=Status.AWAITING, to_status=Status.CERTIFIED, by=by, at=at)
            for pk in ids
        ])
    return ids


def entries_recertify(*, entry_ids, by, at: datetime | None = None) -> list[int]:
    """Certify again, with the score the criteria now in force give, certified entries whose criteria changed.

    Administrators only. Each entry taken must still be certified and on the re-certification list with a
    score (``reporting.models.Recertification``; one the new criteria cannot score is reopened instead).
    Its official score becomes that score, a StatusEvent "certified → certified" records old → new and
    the reason of the criteria change, and it comes off the list. Others are left (the caller says how
    many). Four queries whatever the count: lock, update, events, clean-up.
    """


    at = at or timezone.now()
    if not permissions.is_administrator(by):
        return []
    with transaction.atomic():
        rows = list(
            Recertification.objects.select_for_update(of=("self",))
            .filter(entry_id__in=list(entry_ids), entry__status=Status.CERTIFIED, new_score__isnull=False)
            .select_related("change")
        )
        if not rows:
            return []
        ids = [row.entry_id for row in rows]
        listed = Recertification.objects.filter(entry_id=OuterRef("pk"))
        Entry.objects.filter(pk__in=ids).update(official_score=Subquery(listed.values("new_score")[:1]), updated_at=at)
        StatusEvent.objects.bulk_create([
            StatusEvent(entry_id=row.entry_id, from_status=Status.CERTIFIED, to_status=Status.CERTIFIED, by=by, at=at,
                        comment=_recertify_comment(row))
            for row in rows
        ])
        Recertification.objects.filter(entry_id__in=ids).delete()
    return ids


def _recertify_comment(row) -> str:
    text = _("รับรองใหม่ตามเกณฑ์ใหม่: คะแนน %(old)s → %(new)s") % {"old": row.old_score, "new": row.new_score}
    if row.change is not None:
        text += _(" (เปลี่ยน%(what)sของ%(subject)s เมื่อ %(when)s: %(reason)s)") % {
            "what": row.change.label, "subject": row.change.subject, "reason": row.change.reason,
            "when": _thai_date(row.change.changed_at)}
    return text


def _thai_date(value) -> str:
    return format_thai_date(value, with_time=True)


def entries_system_score(*, action: str, round_id: int, at: datetime, comment: str, indicators=None,
                         exclude_indicators=None, entries=None) -> int:
    """The deadline sweep's transitions, set-based: every entry of the round still in the action's start
    status (from "rejected": whose fix deadline passed before ``at``) gets 1.00000, locked, stamped ``at``.

    ``indicators`` / ``exclude_indicators`` (Indicator querysets) and ``entries`` (an Entry queryset) narrow
    it; they are compiled into the same statement as sub-selects (``central_only_indicators``).

    One statement whatever the number of entries (1.8 million at school scale), in one transaction: a
    crash leaves all or nothing. On PostgreSQL the UPDATE … RETURNING feeds the events' INSERT in the
    same statement, so each entry this UPDATE changed gets exactly one event (no re-reading, no
    dependence on table statistics). On SQLite (one writer at a time) the ids it returns are inserted next.
    """


    transition = TRANSITIONS[action]
    assert transition.who == "system", action
    (start,) = transition.starts
    meta = Entry._meta
    score = meta.get_field("official_score").get_db_prep_save(FLOOR_SCORE, connection)
    stamp = meta.get_field("system_scored_at").get_db_prep_save(at, connection)
    update = (f"UPDATE {meta.db_table} SET status = %s, official_score = %s, official_level_id = NULL, "
              f"system_scored_at = %s, updated_at = %s WHERE round_id = %s AND status = %s")
    params = [transition.to, score, stamp, stamp, round_id, start]
    if start == Status.REJECTED:
        update += " AND fix_deadline < %s"
        params.append(stamp)
    for column, queryset, negate in (("indicator_id", indicators, False), ("indicator_id", exclude_indicators, True),
                                     ("id", entries, False)):
        if queryset is not None:
            select, select_params = queryset.order_by().values("pk").query.sql_with_params()
            update += f" AND {column} {'NOT IN' if negate else 'IN'} ({select})"
            params.extend(select_params)
    event_columns = f"{StatusEvent._meta.db_table} (entry_id, from_status, to_status, by_id, at, comment)"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH moved AS ({update} RETURNING id) "
                f"INSERT INTO {event_columns} SELECT id, %s, %s, NULL, %s, %s FROM moved",
                [*params, start, transition.to, stamp, comment],
            )
            return cursor.rowcount
        cursor.execute(f"{update} RETURNING id", params)
        ids = [row[0] for row in cursor.fetchall()]
        StatusEvent.objects.bulk_create(
            [StatusEvent(entry_id=pk, from_status=start, to_status=transition.to, by=None, at=at, comment=comment)
             for pk in ids],
            batch_size=2000,
        )
        return len(ids)

"""Reads of certification: a bureau's work queue for a round, in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from certification.models import Message
from indicators.models import Indicator, Round
from reporting.models import Entry, Flag
from reporting.selectors import lacks_central_data


@dataclass
class Queue:
    rounds: list[Round]
    round: Round | None
    counts: dict[str, int]
    indicators: list[Indicator]
    entries: QuerySet[Entry]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def bureau_queue(*, bureau, round_: Round | None, rounds: list[Round], status: str = "", office: str = "",
                 indicator_id: int | None = None, new_only: bool = False) -> Queue:
    """The bureau's entries in the round, filtered, oldest report first; counts per status over the whole round.

    The entries are a lazy queryset for the paginator: one query for the page whatever its size.
    """
    if round_ is None:
        return Queue(rounds, None, {s: 0 for s in Entry.Status.values}, [], Entry.objects.none())
    mine = Entry.objects.filter(round=round_, indicator__owner=bureau)
    found = dict(mine.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    counts = {s: found.get(s, 0) for s in Entry.Status.values}
    indicators = list(Indicator.objects.filter(entries__in=mine).distinct().order_by("code"))
    entries = mine
    if status in Entry.Status.values:
        entries = entries.filter(status=status)
    office = office.strip()
    if office:
        entries = entries.filter(Q(office__code__icontains=office) | Q(office__name_th__icontains=office)
                                 | Q(office__short_name__icontains=office))
    if indicator_id:
        entries = entries.filter(indicator_id=indicator_id)

    new_data = Exists(Flag.objects.filter(entry=OuterRef("pk"), for_side="bureau", seen_at__isnull=True))
    if new_only:
        entries = entries.filter(new_data)
    entries = (
        entries.select_related("office", "indicator")
        .annotate(new_data=new_data)
        .annotate(files=Count("attachments", filter=Q(attachments__deleted_at__isnull=True)),
                  files_to_register=Count("attachments", filter=Q(attachments__deleted_at__isnull=True,
                                                                 attachments__registered_at__isnull=True,
                                                                 attachments__side="district")))
        .order_by(F("reported_at").asc(nulls_last=True), "office__code", "indicator__code", "pk")
    )
    return Queue(rounds, round_, counts, indicators, entries)


def entries_to_certify(*, bureau, entry_ids) -> list[Entry]:
    """Which of the ticked entries a bulk certification would take (as ``workflow.entries_certify`` does), 1 query."""
    return list(
        Entry.objects.filter(pk__in=list(entry_ids), status=Entry.Status.AWAITING, indicator__owner=bureau,
                             self_score__isnull=False)
        .select_related("office", "indicator").order_by("office__code", "indicator__code", "pk")
    )


def entry_thread(entry):
    """The entry's messages oldest first, and its flags newest first, with their people (2 queries)."""

    messages = list(Message.objects.filter(entry=entry).select_related("by").order_by("at", "pk"))
    flags = list(Flag.objects.filter(entry=entry).select_related("raised_by", "seen_by").order_by("-raised_at", "-pk"))
    return messages, flags


@dataclass(frozen=True)
class CentralOwed:
    """A bureau that still owes central data in a round: to how many districts, over how many entries."""

    bureau_id: int | None
    bureau: str
    districts: int
    entries: int


def central_data_owed(round_ids) -> dict[int, list[CentralOwed]]:
    """Per round, the bureaus whose central data is still missing for districts, most districts first (1 query).

    Counted over entries that can still take it (not reported, awaiting, rejected): a certified or
    system-scored entry owes nothing any more. ``reporting.selectors.lacks_central_data`` is the rule.
    """


    round_ids = list(round_ids)
    if not round_ids:
        return {}
    rows = (
        Entry.objects.filter(round_id__in=round_ids,
                             status__in=[Entry.Status.NOT_REPORTED, Entry.Status.AWAITING, Entry.Status.REJECTED])
        .filter(lacks_central_data()).order_by()
        .values("round_id", "indicator__owner_id", "indicator__owner__name_th", "indicator__owner__name_en")
        .annotate(districts=Count("office_id", distinct=True), entries=Count("pk"))
    )
    english = get_language() == "en"
    found: dict[int, list[CentralOwed]] = {}
    for row in rows:
        name = (row["indicator__owner__name_en"] if english and row["indicator__owner__name_en"] else
                row["indicator__owner__name_th"]) or _("สำนักเจ้าของตัวชี้วัด")
        found.setdefault(row["round_id"], []).append(
            CentralOwed(row["indicator__owner_id"], name, row["districts"], row["entries"]))
    for lines in found.values():
        lines.sort(key=lambda line: (-line.districts, line.bureau))
    return found


def bureau_awaiting(*, bureau, round_: Round, limit: int) -> list[Entry]:
    """The bureau's entries awaiting certification in the round, the oldest report first, at most ``limit``,
    with their district and indicator (1 query whatever the number of districts)."""
    return list(
        Entry.objects.filter(round=round_, indicator__owner=bureau, status=Entry.Status.AWAITING)
        .select_related("office", "indicator")
        .order_by(F("reported_at").asc(nulls_last=True), "office__code", "indicator__code", "pk")[:limit]
    )


@dataclass
class BureauNewData:
    """The bureau's entries with "new data" it has not opened: how many, and the first of them."""

    total: int
    entries: list[Entry]


def bureau_new_data(*, bureau, round_: Round, limit: int) -> BureauNewData:
    """The bureau's entries in the round with an unseen flag for the bureau, oldest flag first (2 queries)."""
    unseen = Flag.objects.filter(entry=OuterRef("pk"), for_side="bureau", seen_at__isnull=True)
    flagged = Entry.objects.filter(Exists(unseen), round=round_, indicator__owner=bureau)
    oldest = Flag.objects.filter(entry=OuterRef("pk"), for_side="bureau", seen_at__isnull=True).order_by("raised_at")
    entries = list(
        flagged.select_related("office", "indicator")
        .annotate(flagged_at=Subquery(oldest.values("raised_at")[:1]))
        .order_by("flagged_at", "office__code", "indicator__code", "pk")[:limit]
    )
    return BureauNewData(flagged.count(), entries)

"""Reads of reporting: the entry page of one district and round, in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Prefetch, Q, When
from django.db.models import Value as Literal
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import DerivedComponent, Group, Indicator, MilestoneStep, Round, RubricLevel, Variable
from indicators.numbers import format_value
from indicators.scoring import score_derived_level
from krs.models import Office, Role, User
from krs.thaicalendar import format_thai_date
from reporting.checks import previous_values
from reporting.compute import (
    RESULT,
    Inputs,
    Proposal,
    active_variables,
    carried_variables,
    central_level,
    chooses_centrally,
    district_chooses,
    entry_inputs,
    indicator_config,
)
from reporting.flags import flagged_ids
from reporting.models import (
    Answer,
    Entry,
    Flag,
    Recertification,
    ResultProposal,
    StatusEvent,
    StepValue,
    SweepRun,
    Value,
    ValueChange,
    proposal_key,
)
from reporting.rules import entry_edit_block


@dataclass
class VariableRow:
    variable: Variable
    field: str
    value: Decimal | None
    # "input" (the district types it now), "district" (its value, read-only), "central" (a central value),
    # "no_central" (central, no value yet), "other_round" (not reported in this round, nothing carried),
    # "carried" (not reported in this round: the value of ``source_round``), "carried_missing" (that round has none)
    state: str
    text: str = ""
    error: str = ""
    source_round: Round | None = None
    # The same variable's value in the previous round (``previous_for_rows``), shown beside the input.
    previous: Decimal | None = None

    @property
    def display(self) -> str:
        return format_value(self.value, grouped=True)

    @property
    def previous_text(self) -> str:
        return format_value(self.previous, grouped=True)


@dataclass
class StepRow:
    step: MilestoneStep
    field: str
    done: int | None
    error: str = ""

    @property
    def checked(self) -> bool:
        return self.done is not None and self.done >= self.step.sub_items


@dataclass
class EntryRow:
    """One indicator of the page: its entry, what it holds and what the district may do with it."""

    entry: Entry
    indicator: Indicator
    inputs: Inputs
    variables: list[VariableRow]
    steps: list[StepRow] = field(default_factory=list)
    levels: list[RubricLevel] = field(default_factory=list)
    choice: str | None = None
    editable: bool = False
    block: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    # The evidence files block (attachments.selectors.FilesBlock), set by the page view that shows it.
    files: object = None
    # The bureau's rejection (a certification StatusEvent) while the entry is rejected: its reason is shown.
    rejection: object = None
    # "มีข้อมูลใหม่": the bureau sent something the district has not opened yet.
    new_data: bool = False
    # Category 7: last year's result of the same indicator, when the system holds it (``last_year_results``).
    last_year: Decimal | None = None
    # Every input is central and the bureau's window is still open: what the page says instead of a lock.
    central_wait: str = ""
    # Who certifies it: the active certifiers of the indicator's owning bureau (``certifiers_by_bureau``).
    certifiers: list = field(default_factory=list)
    derived = False  # an EntryRow, not a DerivedRow

    @property
    def response(self) -> str:
        return self.indicator.response

    @property
    def link_list(self) -> list[str]:
        return [line for line in self.inputs.links.splitlines() if line.strip()]

    @property
    def units(self):
        return ResultProposal.Unit.choices

    @property
    def central_level(self) -> bool:
        """PMQA 1.2 and category 6: the level comes from the owning bureau's assessment, read-only here."""
        return central_level(self.indicator)

    @property
    def score_text(self) -> str:
        score = self.entry.self_score
        return "" if score is None else f"{score:.4f}"

    @property
    def result_text(self) -> str:
        return format_value(self.entry.result, grouped=True)

    @property
    def counted(self) -> Decimal:
        """What the entry counts in the reports now (``counted_score``)."""
        return counted_score(self.entry)

    @property
    def chosen_level(self):
        return next((lv for lv in self.levels if lv.pk == self.inputs.level_id), None)

    @property
    def central_choice(self) -> bool:
        return chooses_centrally(self.indicator) and self.indicator.method in (
            Indicator.Method.MILESTONE, Indicator.Method.RUBRIC, Indicator.Method.PASS_FAIL)


def central_wait_text(entry: Entry, indicator: Indicator, now: datetime) -> str:
    """What a central-only entry not yet scored says while its bureau may still enter the data ("" otherwise)."""


    closes = entry.round.central_closes_at
    if entry.status not in (Entry.Status.NOT_REPORTED, Entry.Status.REJECTED) or now > closes:
        return ""
    bureau = indicator.owner.localized_name if indicator.owner_id else _("สำนักเจ้าของตัวชี้วัด")
    return _("รอ %(bureau)s บันทึกข้อมูลส่วนกลาง ภายใน %(date)s: สพท. ไม่ต้องกรอก "
             "และไม่ถูกตัดคะแนนเมื่อพ้นกำหนดส่งรายงานของ สพท.") % {
        "bureau": bureau, "date": format_thai_date(closes, with_time=True)}


def entry_row(entry: Entry, indicator: Indicator, inputs: Inputs, *, user_may_report: bool, now: datetime,
              typed=None, errors=None, central_only: bool = False) -> EntryRow:
    """The row of one entry as the page shows it; ``typed`` keeps what was typed when a save failed.

    ``central_only``: every input of the entry in its round is central (``central_only_indicators``).
    """
    round_ = entry.round
    block = entry_edit_block(entry, now)
    editable = user_may_report and block is None
    typed = typed or {}
    errors = errors or {}
    if "answer" in typed or "links" in typed or "kpi_name" in typed:
        # A save that failed shows what was written, not what is stored.
        inputs = inputs.copy()
        inputs.answer = typed.get("answer", inputs.answer)
        inputs.links = typed.get("links", inputs.links)
        if "kpi_name" in typed:
            inputs.proposal = Proposal(typed["kpi_name"], typed.get("kpi_unit", ""), typed.get("kpi_same") in ("1", "on"))
    active = {v.pk for v in active_variables(indicator, round_)}
    carried = {v.pk: source for v, source in carried_variables(indicator, round_)}
    rows = []
    for variable in indicator.variables.all():
        name = f"v{variable.pk}"
        value = inputs.values.get(variable.pk)
        if variable.pk in carried:
            value = inputs.carried.get(variable.pk)
            state = "carried" if value is not None else "carried_missing"
        elif variable.pk not in active:
            state = "other_round"
        elif variable.source == Variable.Source.CENTRAL:
            state = "central" if value is not None else "no_central"
        else:
            state = "input" if editable else "district"
        text = typed.get(name, format_value(value)) if state == "input" else ""
        rows.append(VariableRow(variable, name, value, state, text, errors.get(name, ""), carried.get(variable.pk)))
    choice = district_chooses(indicator)
    if editable and choice is None and not any(row.state == "input" for row in rows):
        # Nothing here is the district's to type (central data only, or computed from other indicators).
        editable = False
    steps = []
    if indicator.method == Indicator.Method.MILESTONE:
        for step in indicator.steps.all():
            name = f"s{step.pk}"
            done = inputs.steps.get(step.pk)
            if name in typed:
                try:
                    done = int(typed[name]) if step.sub_items > 1 else (1 if typed[name] in ("1", "on") else 0)
                except ValueError:
                    done = None
            steps.append(StepRow(step, name, done, errors.get(name, "")))
    return EntryRow(
        entry=entry, indicator=indicator, inputs=inputs, variables=rows, steps=steps,
        levels=list(indicator.levels.all()), choice=choice, editable=editable, block=block, errors=errors,
        central_wait=central_wait_text(entry, indicator, now) if central_only else "",
    )


@dataclass
class SourceScore:
    """One source of a derived indicator as the district sees it: its entry and the score it counts now."""

    indicator: Indicator
    weight: Decimal
    entry: Entry | None

    @property
    def counted(self) -> Decimal | None:
        return None if self.entry is None else counted_score(self.entry)


@dataclass
class DerivedRow:
    """A derived indicator on the entry page (PMQA category 4): read-only, scored from its sources' counted scores.

    It has no entry (``services.round_open``): the framework tree scores it the same way in the reports.
    """

    indicator: Indicator
    sources: list[SourceScore]
    derived = True

    @property
    def result(self):
        """The weighted average, its level and that level's score; None while a source is missing."""
        found = [(source.counted, source.weight) for source in self.sources]
        if not found or any(score is None for score, _weight in found):
            return None
        return score_derived_level(found, [(lv.code, lv.score) for lv in self.indicator.levels.all()])

    @property
    def level(self) -> RubricLevel | None:
        result = self.result
        return next((lv for lv in self.indicator.levels.all() if result and lv.code == result.level), None)


def derived_rows(office: Office, round_: Round, framework_ids) -> list[DerivedRow]:
    """The derived indicators of these frameworks that apply to the office in the round (2–4 queries)."""
    indicators = [
        i for i in Indicator.objects.filter(framework_id__in=list(framework_ids), method=Indicator.Method.DERIVED)
        .select_related("framework", "group", "parent", "owner")
        .prefetch_related("rounds", "levels", Prefetch("components", queryset=DerivedComponent.objects
                                                       .select_related("source").order_by("-weight", "source__code")))
        if i.applies_to(office) and i.is_active_in(round_, {r.pk for r in i.rounds.all()})
    ]
    if not indicators:
        return []
    sources = {c.source_id for i in indicators for c in i.components.all()}
    entries = {e.indicator_id: e for e in Entry.objects.filter(office=office, round=round_, indicator_id__in=sources)}
    return [
        DerivedRow(i, [SourceScore(c.source, c.weight, entries.get(c.source_id)) for c in i.components.all()])
        for i in indicators
    ]


def entry_texts(entries) -> tuple[dict[int, Answer], dict[int, ResultProposal]]:
    """The answers and category-7 proposals of these entries, by entry id (a query for each kind the entries have).

    Each entry needs ``indicator`` loaded (its ``response`` says which it can have).
    """
    wanted = {Indicator.Response.PMQA_ITEM: [], Indicator.Response.PMQA_RESULT: []}
    for entry in entries:
        if entry.indicator.response in wanted:
            wanted[entry.indicator.response].append(entry.pk)
    answers = ({a.entry_id: a for a in Answer.objects.filter(entry_id__in=wanted[Indicator.Response.PMQA_ITEM])}
               if wanted[Indicator.Response.PMQA_ITEM] else {})
    proposals = ({p.entry_id: p for p in ResultProposal.objects.filter(entry_id__in=wanted[Indicator.Response.PMQA_RESULT])}
                 if wanted[Indicator.Response.PMQA_RESULT] else {})
    return answers, proposals


def values_and_steps(values, steps) -> tuple[dict[int, list[Value]], dict[int, list[StepValue]]]:
    """Value and StepValue rows (querysets: one query each) grouped by their entry's id."""
    by_value: dict[int, list[Value]] = {}
    for value in values:
        by_value.setdefault(value.entry_id, []).append(value)
    by_step: dict[int, list[StepValue]] = {}
    for step in steps:
        by_step.setdefault(step.entry_id, []).append(step)
    return by_value, by_step


def stored_inputs(entry: Entry) -> Inputs:
    """What one entry holds now: values and steps, the answer or proposal its indicator asks for, and the values
    carried from earlier rounds (2–4 queries).

    ``entry.indicator`` (from ``indicator_config``) and ``entry.round`` are read.
    """
    answers, proposals = entry_texts([entry])
    return entry_inputs(entry, Value.objects.filter(entry=entry), StepValue.objects.filter(entry=entry),
                        answers.get(entry.pk), proposals.get(entry.pk), carried_inputs([entry]).get(entry.pk))


def carried_inputs(entries) -> dict[int, dict[int, Decimal | None]]:
    """The values each entry takes from earlier rounds, by entry id and variable id (1 query; none if nothing is carried).

    For a variable not reported in the entry's round, the value is the one the same district entered for the
    same indicator in the latest earlier round of the fiscal year that reports it (``compute.carried_variables``);
    None when that round has no value. Each entry needs ``indicator`` (from ``indicator_config``) and ``round``.
    """
    wanted: dict[int, list[tuple[int, int]]] = {}  # entry id → [(variable id, source round id)]
    for entry in entries:
        pairs = [(v.pk, source.pk) for v, source in carried_variables(entry.indicator, entry.round)]
        if pairs:
            wanted[entry.pk] = pairs
    if not wanted:
        return {}
    by_id = {entry.pk: entry for entry in entries if entry.pk in wanted}
    rows = Value.objects.filter(
        entry__office_id__in={e.office_id for e in by_id.values()},
        entry__indicator_id__in={e.indicator_id for e in by_id.values()},
        entry__round_id__in={r for pairs in wanted.values() for _v, r in pairs},
        variable_id__in={v for pairs in wanted.values() for v, _r in pairs},
    ).values_list("entry__office_id", "entry__indicator_id", "entry__round_id", "variable_id", "value")
    found = {(office, indicator, round_id, variable): value for office, indicator, round_id, variable, value in rows}
    return {
        pk: {v: found.get((by_id[pk].office_id, by_id[pk].indicator_id, r, v)) for v, r in pairs}
        for pk, pairs in wanted.items()
    }


def previous_for_rows(rows: list[EntryRow]) -> None:
    """Set each variable's previous-round value on the rows of one office and round (2 queries, none without rows)."""

    rows = [row for row in rows if not row.derived and row.variables]
    if not rows:
        return
    first = rows[0].entry
    found = previous_values(first.round, {first.office_id}, [row.indicator for row in rows])
    for row in rows:
        for variable_row in row.variables:
            variable_row.previous = found.get((row.entry.office_id, variable_row.variable.pk))


def last_year_results(office: Office, round_: Round, rows: list[EntryRow]) -> None:
    """Seed 004: the baseline of a category-7 indicator is its result last year when it is the same indicator.

    Sets ``row.last_year`` for the proposals whose name the district also proposed in a PMQA-kind framework of the
    previous fiscal year (its latest round), from that entry's result variable (2 queries, none without proposals).
    """
    keyed = {proposal_key(row.inputs.proposal.name): row for row in rows
             if row.response == Indicator.Response.PMQA_RESULT and row.inputs.proposal.name}
    if not keyed:
        return
    earlier = (
        ResultProposal.objects.filter(office=office, round__fiscal_year__year=round_.fiscal_year.year - 1,
                                      name_key__in=list(keyed))
        .order_by("name_key", "-round__months")
    )
    latest: dict[str, ResultProposal] = {}
    for proposal in earlier:
        latest.setdefault(proposal.name_key, proposal)
    if not latest:
        return
    results = dict(
        Value.objects.filter(entry_id__in=[p.entry_id for p in latest.values()], variable__code=RESULT)
        .values_list("entry_id", "value")
    )
    for key, proposal in latest.items():
        keyed[key].last_year = results.get(proposal.entry_id)


@dataclass
class Section:
    """A heading of the page (a dimension or category, or a parent indicator) and the rows under it."""

    title: str
    depth: int
    rows: list[EntryRow | DerivedRow] = field(default_factory=list)


@dataclass
class EntryPage:
    office: Office
    round: Round
    rounds: list[Round]
    sections: list[Section]
    counts: dict[str, int]
    total: int
    shown: int
    now: datetime

    @property
    def is_open(self) -> bool:
        return self.round.is_open(self.now)

    @property
    def is_late(self) -> bool:
        """In the round's late window: reports still accepted, with a penalty per working day."""
        return self.round.is_late(self.now)

    @property
    def time_left(self):
        return self.round.due_at - self.now if self.is_open and not self.is_late else None


def rounds_for_office(office: Office) -> list[Round]:
    """The rounds in which the office has entries, newest first (2 queries: the rounds and the calendar's
    exceptions for their deadlines)."""
    return Round.with_due_at(
        Round.objects.filter(entries__office=office).distinct().select_related("fiscal_year")
        .order_by("-fiscal_year__year", "-months")
    )


def entry_page(*, office: Office, round_: Round, user_may_report: bool, status: str = "", query: str = "",
               now: datetime | None = None) -> EntryPage:
    """Every entry of the office in the round, grouped as in the framework (a constant number of queries)."""
    now = now or timezone.now()
    rounds = rounds_for_office(office)
    round_ = next((r for r in rounds if r.pk == round_.pk), round_)  # its due_at computed with the others'
    counts = status_counts(office, round_)
    # With its re-certification (if any): a certified entry whose criteria changed says so, without another query.
    entries = Entry.objects.filter(office=office, round=round_).select_related("round__fiscal_year", "office",
                                                                               "recertification")
    if status:
        entries = entries.filter(status=status)
    query = query.strip()
    if query:
        entries = entries.filter(Q(indicator__code__icontains=query) | Q(indicator__name__icontains=query))
    entries = list(entries)
    for entry in entries:  # one Round for all: its holiday-adjusted deadline (``due_at``) is computed once
        entry.round = round_
    ids = [e.pk for e in entries]
    indicators = {
        i.pk: i for i in indicator_config(Indicator.objects.filter(pk__in=[e.indicator_id for e in entries]))
    }
    values, step_values = values_and_steps(Value.objects.filter(entry_id__in=ids), StepValue.objects.filter(entry_id__in=ids))
    frameworks = {i.framework_id for i in indicators.values()}
    groups = {g.pk: g for g in Group.objects.filter(framework_id__in=frameworks)}

    for entry in entries:
        entry.indicator = indicators[entry.indicator_id]
    answers, proposals = entry_texts(entries)
    carried = carried_inputs(entries)
    central_only = set(central_only_indicators(round_.pk).filter(pk__in=list(indicators)).values_list("pk", flat=True))
    rows = []
    for entry in entries:
        inputs = entry_inputs(entry, values.get(entry.pk, []), step_values.get(entry.pk, []), answers.get(entry.pk),
                              proposals.get(entry.pk), carried.get(entry.pk))
        rows.append(entry_row(entry, entry.indicator, inputs, user_may_report=user_may_report, now=now,
                              central_only=entry.indicator_id in central_only))
    last_year_results(office, round_, rows)
    previous_for_rows(rows)
    rejections = last_rejections([row.entry for row in rows])

    flagged = flagged_ids(ids, "district")
    certifiers = certifiers_by_bureau({row.indicator.owner_id for row in rows})
    for row in rows:
        row.rejection = rejections.get(row.entry.pk)
        row.new_data = row.entry.pk in flagged
        row.certifiers = certifiers.get(row.indicator.owner_id, [])

    def group_path(indicator: Indicator) -> list[Group]:
        group_id = indicator.group_id or (indicator.parent.group_id if indicator.parent_id else None)
        path = []
        while group_id:
            group = groups[group_id]
            path.insert(0, group)
            group_id = group.parent_id
        return path

    # Derived indicators (PMQA category 4) have no entry: they join the page read-only, where they sit in the tree.
    if not status:
        for derived in derived_rows(office, round_, frameworks):
            if not query or query.casefold() in f"{derived.indicator.code} {derived.indicator.name}".casefold():
                rows.append(derived)

    def key(row: EntryRow | DerivedRow):
        indicator = row.indicator
        path = tuple((g.order, g.code) for g in group_path(indicator))
        parent = (indicator.parent.order, indicator.parent.code) if indicator.parent_id else (indicator.order, indicator.code)
        # Indicators outside the weighted groups (PMQA's source KPIs of category 4) come after the groups.
        return (indicator.framework.code, not path, path, parent, indicator.parent_id is not None, indicator.order,
                indicator.code)

    sections: list[Section] = []
    last = None
    for row in sorted(rows, key=key):
        indicator = row.indicator
        path = group_path(indicator)
        heading = (indicator.framework_id, tuple(g.pk for g in path), indicator.parent_id)
        if heading != last:
            title = " › ".join(str(g) for g in path) or indicator.framework.name
            if indicator.parent_id:
                title = f"{title} › {indicator.parent.code} {indicator.parent.name}"
            sections.append(Section(title=title, depth=len(path)))
            last = heading
        sections[-1].rows.append(row)
    return EntryPage(
        office=office, round=round_, rounds=rounds, sections=sections,
        counts=counts, total=sum(counts.values()), shown=len(rows),
        now=now,
    )


def certifiers_by_bureau(bureau_ids) -> dict[int, list[User]]:
    """The active bureau certifiers of each bureau, by office id, by name (1 query, none without a bureau).

    Whom a district asks when the certification deadline nears (seed 000's symbols table, "รอการรับรองผล").
    """
    bureau_ids = {pk for pk in bureau_ids if pk is not None}
    if not bureau_ids:
        return {}
    found: dict[int, list[User]] = {}
    users = (User.objects.filter(office_id__in=bureau_ids, role=Role.BUREAU_CERTIFIER, is_active=True)
             .order_by("first_name", "last_name", "username"))
    for user in users:
        found.setdefault(user.office_id, []).append(user)
    return found


def last_rejections(entries) -> dict[int, object]:
    """The latest rejection of each rejected entry, with who made it (1 query, none when nothing is rejected)."""

    ids = [e.pk for e in entries if e.status == Entry.Status.REJECTED]
    found: dict[int, object] = {}
    if ids:
        events = StatusEvent.objects.filter(entry_id__in=ids, to_status=Entry.Status.REJECTED).select_related("by")
        for event in events.order_by("entry_id", "-at", "-pk"):
            found.setdefault(event.entry_id, event)
    return found


def entry_history(entry: Entry):
    """An entry's value changes and status changes, newest first (2 queries)."""

    changes = list(ValueChange.objects.filter(entry=entry).select_related("changed_by").order_by("-changed_at", "-pk"))
    events = list(StatusEvent.objects.filter(entry=entry).select_related("by").order_by("-at", "-pk"))
    return changes, events


def status_counts(office: Office, round_: Round) -> dict[str, int]:
    """How many of the office's entries in the round are in each status, every status present (1 query)."""
    found = dict(
        Entry.objects.filter(office=office, round=round_).order_by().values_list("status")
        .annotate(n=Count("pk")).values_list("status", "n")
    )
    return {status: found.get(status, 0) for status in Entry.Status.values}


def rejected_to_fix(office: Office, round_: Round) -> list[Entry]:
    """The office's rejected entries in the round, the nearest fix deadline first (those without one last),
    with their indicator and the bureau's latest rejection as ``rejection`` (2 queries, 1 when none is rejected).

    A district has one entry per indicator in a round, so the list is as long as its rejections, never more.
    """
    entries = list(
        Entry.objects.filter(office=office, round=round_, status=Entry.Status.REJECTED).select_related("indicator")
        .order_by(F("fix_deadline").asc(nulls_last=True), "indicator__code", "pk")
    )
    rejections = last_rejections(entries)
    for entry in entries:
        entry.rejection = rejections.get(entry.pk)
    return entries


def new_data_entries(office: Office, round_: Round) -> list[Entry]:
    """The office's entries in the round with "new data" for the district (a flag it has not opened), by indicator
    code, with their indicator (1 query)."""
    unseen = Flag.objects.filter(entry=OuterRef("pk"), for_side="district", seen_at__isnull=True)
    return list(
        Entry.objects.filter(Exists(unseen), office=office, round=round_).select_related("indicator")
        .order_by("indicator__code", "pk")
    )


def rounds_status_counts(round_ids) -> dict[int, dict[str, int]]:
    """Per round, how many entries of every district are in each status, every status present (1 query)."""
    round_ids = list(round_ids)
    found: dict[int, dict[str, int]] = {pk: dict.fromkeys(Entry.Status.values, 0) for pk in round_ids}
    rows = (Entry.objects.filter(round_id__in=round_ids).order_by().values_list("round_id", "status")
            .annotate(n=Count("pk")).values_list("round_id", "status", "n")) if round_ids else []
    for round_id, status, n in rows:
        found[round_id][status] = n
    return found


def last_sweep_run() -> SweepRun | None:
    """The deadline sweep's latest run, with who started it (1 query)."""
    return SweepRun.objects.select_related("by").order_by("-started_at", "-pk").first()


# --- Central data: who owes what ----------------------------------------------------------------------


def central_only_indicators(round_id: int):
    """The indicators whose every input in this round is central: the rule, in one place (a queryset).

    Domain: "a district is never scored for what only a bureau can enter: an entry whose inputs are all
    central waits for the bureau's window, not the district's." An indicator is central-only in a round
    when the owning bureau enters its level for every district (frequency "none", method rubric: PMQA 1.2,
    category 6), or when it has a central variable reported in the round, no district variable reported
    in it, nothing for the district to choose (no steps, level or pass/fail of its own) and nothing to
    write (no PMQA answer or proposal). Variables of other rounds do not count either way.

    Python asks it with ``is_central_only``; the deadline sweep compiles it into its UPDATEs, the entry
    page reads the round's ids once.
    """
    through = Variable.rounds.through
    in_round = Variable.objects.filter(indicator_id=OuterRef("pk")).filter(
        ~Exists(through.objects.filter(variable_id=OuterRef("pk")))
        | Exists(through.objects.filter(variable_id=OuterRef("pk"), round_id=round_id))
    )
    Method, Frequency = Indicator.Method, Indicator.Frequency
    nothing_to_choose = Q(frequency=Frequency.NONE) | Q(method=Method.QUANTITATIVE) | (
        Q(method=Method.PASS_FAIL) & ~Q(formula=""))
    level_by_bureau = Q(frequency=Frequency.NONE, method=Method.RUBRIC)
    variables_by_bureau = (
        Q(Exists(in_round.filter(source=Variable.Source.CENTRAL)))
        & ~Q(Exists(in_round.filter(source=Variable.Source.DISTRICT)))
        & Q(response=Indicator.Response.NONE) & nothing_to_choose
    )
    return Indicator.objects.filter(level_by_bureau | variables_by_bureau)


def is_central_only(indicator: Indicator, round_: Round) -> bool:
    """``central_only_indicators`` for one indicator (1 query)."""
    return central_only_indicators(round_.pk).filter(pk=indicator.pk).exists()


def lacks_central_data() -> Q:
    """Entries (a filter on Entry) whose owning bureau still owes central data: a central variable reported
    in the entry's round has no value in it, or the level the bureau enters for every district is not chosen."""
    through = Variable.rounds.through
    central_in_round = Variable.objects.filter(indicator_id=OuterRef("indicator_id"), source=Variable.Source.CENTRAL).filter(
        ~Exists(through.objects.filter(variable_id=OuterRef("pk")))
        | Exists(through.objects.filter(variable_id=OuterRef("pk"), round_id=OuterRef(OuterRef("round_id"))))
    )
    missing = central_in_round.filter(~Exists(
        Value.objects.filter(entry_id=OuterRef(OuterRef("pk")), variable_id=OuterRef("pk"), value__isnull=False)))
    return Q(Exists(missing)) | Q(indicator__frequency=Indicator.Frequency.NONE, indicator__method=Indicator.Method.RUBRIC,
                                  level__isnull=True)


FLOOR_SCORE = Decimal("1.00000")
SCORE_OUTPUT = DecimalField(max_digits=7, decimal_places=5)


def counted_score_expression():
    """The score an entry counts in every report, as SQL (seed 000's symbols table; the one rule).

    Only a certified entry counts its official score, less its late penalty and never below 1.00000;
    every other status — not reported, awaiting certification, rejected, scored by the system — counts
    1.00000. Reports annotate entries with this; none reads ``self_score``.
    """
    return Case(
        When(
            status=Entry.Status.CERTIFIED, official_score__isnull=False,
            then=Greatest(F("official_score") - F("late_penalty"), Literal(FLOOR_SCORE), output_field=SCORE_OUTPUT),
        ),
        default=Literal(FLOOR_SCORE),
        output_field=SCORE_OUTPUT,
    )


_FIVE_PLACES = Decimal("0.00001")


def read_score(value: Decimal) -> Decimal:
    """A counted score as read from the database, to exactly five decimals.

    PostgreSQL returns the numeric as it is; SQLite computes the CASE in floating point and Django hands
    back up to 15 significant digits ("3.10000000000000"). Rounding to the five decimals every score has
    gives the same Decimal on both. Plain ``quantize`` (no context set-up): the ranking calls it 1.8
    million times at school scale.
    """
    return value.quantize(_FIVE_PLACES, rounding=ROUND_HALF_UP)


def counted_score(entry: Entry) -> Decimal:
    """``counted_score_expression`` for one entry already in memory (the entry page, the review page)."""
    if entry.status == Entry.Status.CERTIFIED and entry.official_score is not None:
        return max(entry.official_score - entry.late_penalty, FLOOR_SCORE)
    return FLOOR_SCORE


def counted_scores(office: Office, round_: Round) -> dict[int, Decimal]:
    """The score each of the office's entries counts in the national report, by indicator (1 query)."""
    rows = (
        Entry.objects.filter(office=office, round=round_).annotate(counted=counted_score_expression())
        .values_list("indicator_id", "counted")
    )
    return {indicator_id: read_score(counted) for indicator_id, counted in rows}


def recertifications(*, framework):
    """The certified entries of the framework whose criteria changed since: old and new score, the change (1 query)."""
    return (
        Recertification.objects.filter(entry__indicator__framework=framework, entry__status=Entry.Status.CERTIFIED)
        .select_related("entry__office", "entry__indicator", "entry__round__fiscal_year", "change__changed_by")
        .order_by("entry__round__months", "entry__indicator__order", "entry__indicator__code", "entry__office__code")
    )


def recertification_count(*, framework) -> int:
    return Recertification.objects.filter(entry__indicator__framework=framework,
                                          entry__status=Entry.Status.CERTIFIED).count()


def bureau_rounds(bureau) -> list[Round]:
    """The rounds with entries on the bureau's indicators, newest first (1 query)."""
    return list(
        Round.objects.filter(entries__indicator__owner=bureau).distinct().select_related("fiscal_year")
        .order_by("-fiscal_year__year", "-months")
    )

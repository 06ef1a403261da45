"""Rules and warnings: what an entry's new values must satisfy before they are stored, on every door.

Every door that writes values — the entry page, the bureaus' grid and upload, the API — calls
``entries_check`` on what it is about to write and acts on the ``Checked`` it gets back:

* ``errors``: a rule of severity error is broken (``A <= B`` with A = 500, B = 50). Nothing is saved;
  the door shows each message on the field it names.
* ``pending``: warnings the user has not confirmed yet — a warning rule broken, or a value that differs
  from the previous round's value (``Variable.change_factor``) or from the median of the other
  districts in the round (``Variable.peer_factor``) by more than the factor. Nothing is saved until
  the user confirms them (``warnings_token`` names exactly what was shown).
* ``store``: what the entry keeps in ``Entry.warnings`` once saved, for the bureau's review page.

Only what a save changes is checked: a rule is evaluated when one of its variables changes, a
factor when its variable changes, so an old value nobody touched never blocks unrelated work. A rule
with an empty value on either side is skipped (DHIS2's "skip if any value is missing"), as is one that
cannot be computed (a division by zero). docs/reporting.md ("Rules and warnings") describes it.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from indicators.formula import Computed, FormulaError, parse_formula
from indicators.models import RESULT_NAME, FiscalYear, Indicator, Round, ValidationRule, rule_names
from indicators.numbers import format_value
from indicators.scoring import quantize5
from reporting.compute import Inputs, active_variables, carried_variables
from reporting.models import Value

ERROR, WARNING = ValidationRule.Severity.ERROR.value, ValidationRule.Severity.WARNING.value
# The median of fewer districts than this says little: no peer warning below it.
MIN_PEERS = 3

_COMPARE = {
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


@dataclass(frozen=True)
class Finding:
    """One broken rule or one implausible value; its message is written when read, in the reader's language."""

    kind: str  # "rule", "change" (vs the previous round) or "peer" (vs the other districts)
    severity: str  # ERROR or WARNING
    codes: tuple[str, ...]  # the variables concerned; the first is the field the message is shown at
    values: tuple[tuple[str, str], ...] = ()  # (name, value as shown) the message quotes
    rule: str = ""  # the rule as written, e.g. "A ≤ B"
    message_th: str = ""  # the administrator's own message for a rule
    message_en: str = ""
    reference: str = ""  # the previous round's value, or the other districts' median
    factor: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def key(self) -> str:
        """What the finding is about, values included: a confirmed warning is not asked again while it stays."""
        quoted = ",".join(f"{name}={value}" for name, value in self.values)
        return "|".join((self.kind, self.rule, ",".join(self.codes), quoted, self.reference, self.factor))

    @property
    def message(self) -> str:
        quoted = ", ".join(f"{name} = {value}" for name, value in self.values)
        if self.kind == "rule":
            own = self.message_en if (get_language() or "").startswith("en") and self.message_en else self.message_th
            if own:
                return f"{own} ({quoted})"
            return _("ค่าไม่เป็นไปตามกฎ “%(rule)s” (%(values)s): ตรวจสอบและแก้ค่า %(codes)s") % {
                "rule": self.rule, "values": quoted, "codes": ", ".join(self.codes)}
        if self.kind == "change":
            return _("%(values)s ต่างจากค่ารอบก่อน (%(reference)s) เกิน %(factor)s เท่า: ตรวจสอบว่าพิมพ์ถูกต้อง") % {
                "values": quoted, "reference": self.reference, "factor": self.factor}
        return _("%(values)s ต่างจากค่ามัธยฐานของ สพท. อื่นในรอบนี้ (%(reference)s) เกิน %(factor)s เท่า: "
                 "ตรวจสอบว่าพิมพ์ถูกต้อง") % {"values": quoted, "reference": self.reference, "factor": self.factor}

    def as_json(self) -> dict:
        data = asdict(self)
        data["codes"] = list(self.codes)
        data["values"] = [list(pair) for pair in self.values]
        return data

    @classmethod
    def from_json(cls, data: Mapping) -> Finding:
        return cls(
            kind=str(data.get("kind", "")), severity=str(data.get("severity", WARNING)),
            codes=tuple(data.get("codes") or ()), values=tuple(tuple(pair) for pair in data.get("values") or ()),
            rule=str(data.get("rule", "")), message_th=str(data.get("message_th", "")),
            message_en=str(data.get("message_en", "")), reference=str(data.get("reference", "")),
            factor=str(data.get("factor", "")),
        )


@dataclass(frozen=True)
class ConfirmedWarning:
    """A warning stored on an entry (``Entry.warnings``): what it said, who confirmed it and when."""

    finding: Finding
    by: str
    at: datetime | None

    @property
    def message(self) -> str:
        return self.finding.message


def confirmed_warnings(entry) -> list[ConfirmedWarning]:
    """The warnings the entry's values raised and the user confirmed, for the review page (no query)."""
    found = []
    for data in entry.warnings or []:
        if isinstance(data, Mapping):
            try:
                at = datetime.fromisoformat(str(data.get("at", "")))
            except ValueError:
                at = None
            found.append(ConfirmedWarning(Finding.from_json(data), str(data.get("by", "")), at))
    return found


def warnings_token(findings: Iterable[Finding]) -> str:
    """A short digest of exactly these warnings: the form sends it back to confirm what it showed."""
    keys = sorted({f.key for f in findings})
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:20] if keys else ""


def is_confirmed(confirm: bool | str, findings: Iterable[Finding]) -> bool:
    """``True`` confirms any warning (the API's ``confirm_warnings``); a token confirms the warnings it names."""
    findings = list(findings)
    if not findings:
        return True
    if confirm is True:
        return True
    return bool(confirm) and confirm == warnings_token(findings)


@dataclass
class Context:
    """What the checks read besides the entries: rules, previous-round values, the other districts' values."""

    rules: dict[int, list[ValidationRule]] = field(default_factory=dict)
    previous: dict[tuple[int, int], Decimal] = field(default_factory=dict)  # (office id, variable id) → value
    peers: dict[int, dict[int, Decimal]] = field(default_factory=dict)  # variable id → {office id: value}


def previous_round(round_: Round) -> Round | None:
    """The round before: an earlier round of the same fiscal year, else the last round of an earlier year (1 query)."""
    earlier_year = FiscalYear.objects.filter(pk=round_.fiscal_year_id).values("year")
    return (
        Round.objects.filter(Q(fiscal_year_id=round_.fiscal_year_id, months__lt=round_.months)
                             | Q(fiscal_year__year__lt=earlier_year))
        .order_by("-fiscal_year__year", "-months").first()
    )


def previous_values(round_: Round, office_ids: Iterable[int], indicators: Iterable[Indicator]) -> dict[tuple[int, int], Decimal]:
    """Each variable's value in the previous round, by (office id, variable id) (2 queries, 1 without a previous round).

    Within a fiscal year it is the same indicator; across years the same indicator code in a framework of
    the same kind (frameworks are copied to the next year), and the same variable code.
    """

    indicators = list(indicators)
    office_ids = set(office_ids)
    if not indicators or not office_ids:
        return {}
    before = previous_round(round_)
    if before is None:
        return {}
    wanted = {(i.framework.kind, i.code, v.code): v.pk for i in indicators for v in i.variables.all()}
    rows = (
        Value.objects.filter(entry__round=before, entry__office_id__in=office_ids, value__isnull=False,
                entry__indicator__code__in={i.code for i in indicators},
                entry__indicator__framework__kind__in={i.framework.kind for i in indicators})
        .values_list("entry__office_id", "entry__indicator__framework__kind", "entry__indicator__code",
                     "variable__code", "value")
    )
    found: dict[tuple[int, int], Decimal] = {}
    for office_id, kind, indicator_code, code, value in rows:
        variable_id = wanted.get((kind, indicator_code, code))
        if variable_id is not None:
            found[(office_id, variable_id)] = value
    return found


def check_context(items, round_: Round) -> Context:
    """Everything ``entries_check`` reads for these (entry, indicator, old, new): at most 4 queries, whatever their number."""

    indicators = {indicator.pk: indicator for _entry, indicator, _old, _new in items}
    context = Context()
    if not indicators:
        return context
    for rule in ValidationRule.objects.filter(indicator_id__in=indicators).order_by("order", "pk"):
        context.rules.setdefault(rule.indicator_id, []).append(rule)
    variables = [v for i in indicators.values() for v in i.variables.all()]
    changing = [i for i in indicators.values() if any(v.change_factor for v in i.variables.all())]
    if changing:
        context.previous = previous_values(round_, {e.office_id for e, *_ in items}, changing)
    compared = [v.pk for v in variables if v.peer_factor]
    if compared:
        for variable_id, office_id, value in (
            Value.objects.filter(variable_id__in=compared, entry__round=round_, value__isnull=False)
            .values_list("variable_id", "entry__office_id", "value")
        ):
            context.peers.setdefault(variable_id, {})[office_id] = value
        # What this save writes counts for the others at once (a bureau's file of every district).
        for entry, indicator, _old, new in items:
            for variable in indicator.variables.all():
                if variable.pk in context.peers or variable.peer_factor:
                    value = new.values.get(variable.pk)
                    if value is None:
                        context.peers.get(variable.pk, {}).pop(entry.office_id, None)
                    else:
                        context.peers.setdefault(variable.pk, {})[entry.office_id] = value
    return context


@lru_cache(maxsize=4096)
def _side(text: str, names: frozenset[str]):
    return parse_formula(text, variables=names)


def _shown(value: Decimal) -> str:
    return format_value(quantize5(value), grouped=True)


def beyond(value: Decimal, reference: Decimal, factor: Decimal) -> bool:
    """Is ``value`` more than ``factor`` times ``reference``, or less than ``reference / factor``?

    Only positive references compare: a ratio to zero or to a negative number means nothing.
    """
    if reference <= 0 or value < 0:
        return False
    return value > reference * factor or value * factor < reference


def rule_findings(indicator: Indicator, round_: Round, inputs: Inputs, rules: list[ValidationRule],
                  changed: set[str] | None = None) -> list[Finding]:
    """The rules these inputs break, among those that read a changed variable (all when ``changed`` is None). Pure."""
    if not rules:
        return []
    variables = active_variables(indicator, round_)
    known: dict[str, Decimal | None] = {v.code: inputs.values.get(v.pk) for v in variables}
    # Variables this round does not report count with the value carried from an earlier round.
    known.update((v.code, inputs.carried.get(v.pk)) for v, _source in carried_variables(indicator, round_))
    all_codes = frozenset(v.code for v in indicator.variables.all())
    names = rule_names(indicator, all_codes)
    formula_codes: frozenset[str] = frozenset()
    if RESULT_NAME in names:
        try:
            formula = _side(indicator.formula, all_codes)
        except FormulaError:
            formula = None
        if formula is not None:
            formula_codes = formula.variables_used
            computed = formula.evaluate(known)
            known[RESULT_NAME] = computed.value if isinstance(computed, Computed) else None
    found = []
    for rule in rules:
        try:
            left, right = _side(rule.left, names), _side(rule.right, names)
        except FormulaError:
            continue  # refused when the rule is saved (ValidationRule.clean); one made otherwise is skipped
        used = left.variables_used | right.variables_used
        concerned = (used - {RESULT_NAME}) | (formula_codes if RESULT_NAME in used else frozenset())
        if changed is not None and not (concerned & changed):
            continue
        a, b = left.evaluate(known), right.evaluate(known)
        if not (isinstance(a, Computed) and isinstance(b, Computed)) or _COMPARE[rule.operator](a.value, b.value):
            continue
        ordered = [v.code for v in indicator.variables.all() if v.code in concerned]
        quoted = [(code, _shown(known[code])) for code in ordered if known.get(code) is not None]
        if RESULT_NAME in used and known.get(RESULT_NAME) is not None:
            quoted.append((RESULT_NAME, _shown(known[RESULT_NAME])))
        found.append(Finding("rule", rule.severity, tuple(ordered), tuple(quoted), rule.text, rule.message,
                             rule.message_en))
    return found


def value_findings(entry, indicator: Indicator, round_: Round, inputs: Inputs, context: Context,
                   changed: set[str]) -> list[Finding]:
    """Warnings for changed values far from the previous round's or from the other districts' median. Pure."""
    found = []
    for variable in active_variables(indicator, round_):
        value = inputs.values.get(variable.pk)
        if value is None or variable.code not in changed:
            continue
        shown = ((variable.code, _shown(value)),)
        previous = context.previous.get((entry.office_id, variable.pk))
        if variable.change_factor and previous is not None and beyond(value, previous, variable.change_factor):
            found.append(Finding("change", WARNING, (variable.code,), shown, reference=_shown(previous),
                                 factor=format_value(variable.change_factor)))
        others = [v for office, v in context.peers.get(variable.pk, {}).items() if office != entry.office_id]
        if variable.peer_factor and len(others) >= MIN_PEERS:
            median = statistics.median(others)
            if beyond(value, median, variable.peer_factor):
                found.append(Finding("peer", WARNING, (variable.code,), shown, reference=_shown(median),
                                     factor=format_value(variable.peer_factor)))
    return found


def changed_codes(indicator: Indicator, old: Inputs, new: Inputs) -> set[str]:
    return {v.code for v in indicator.variables.all() if old.values.get(v.pk) != new.values.get(v.pk)}


@dataclass
class Checked:
    errors: dict[int, list[Finding]] = field(default_factory=dict)
    pending: dict[int, list[Finding]] = field(default_factory=dict)
    warnings: dict[int, list[Finding]] = field(default_factory=dict)

    @property
    def all_pending(self) -> list[Finding]:
        return [f for found in self.pending.values() for f in found]

    def store(self, items, *, user, now) -> dict[int, list[dict]]:
        """Each entry's ``Entry.warnings`` after the save: the warnings kept from before on variables this save
        did not touch, and this save's warnings, with who confirmed them and when."""
        by = (user.get_full_name() or user.get_username()) if user is not None else ""
        stored = {}
        for entry, indicator, old, new in items:
            changed = changed_codes(indicator, old, new)
            if not changed:
                continue
            kept = [data for data in entry.warnings or []
                    if isinstance(data, Mapping) and not (set(data.get("codes") or ()) & changed)]
            earlier = {Finding.from_json(data).key: data for data in entry.warnings or [] if isinstance(data, Mapping)}
            fresh = [earlier.get(f.key) or {**f.as_json(), "by": by, "at": now.isoformat()}
                     for f in self.warnings.get(entry.pk, [])]
            stored[entry.pk] = kept + fresh
        return stored


def entries_check(items, round_: Round, context: Context | None = None) -> Checked:
    """Check what saving these (entry, indicator, old inputs, new inputs) would store (at most 4 queries)."""
    items = list(items)
    context = context if context is not None else check_context(items, round_)
    checked = Checked()
    for entry, indicator, old, new in items:
        changed = changed_codes(indicator, old, new)
        if not changed:
            continue
        found = rule_findings(indicator, round_, new, context.rules.get(indicator.pk, []), changed)
        found += value_findings(entry, indicator, round_, new, context, changed)
        errors = [f for f in found if f.is_error]
        warnings = [f for f in found if not f.is_error]
        if errors:
            checked.errors[entry.pk] = errors
        if warnings:
            checked.warnings[entry.pk] = warnings
            confirmed = {Finding.from_json(data).key for data in entry.warnings or [] if isinstance(data, Mapping)}
            pending = [f for f in warnings if f.key not in confirmed]
            if pending:
                checked.pending[entry.pk] = pending
    return checked


def field_messages(indicator: Indicator, findings: Iterable[Finding], field_name) -> dict[str, str]:
    """Findings as {form field: message}, at the first variable each names (``field_name(variable)``)."""
    by_code = {v.code: v for v in indicator.variables.all()}
    messages: dict[str, list[str]] = {}
    for finding in findings:
        variable = next((by_code[c] for c in finding.codes if c in by_code), None)
        name = field_name(variable) if variable is not None else "rules"
        messages.setdefault(name, []).append(finding.message)
    return {name: " · ".join(texts) for name, texts in messages.items()}

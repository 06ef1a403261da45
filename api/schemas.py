"""What the API reads and writes, as pydantic schemas (django-ninja turns them into the OpenAPI description).

Numbers that are values, scores or weights travel as **strings** of decimal digits ("176", "3.00000"),
never as JSON floats (the app counts in Decimal, never float). Scores carry five decimals, as in the reports.
Times are ISO 8601 with their offset.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Generic, TypeVar

from ninja import Schema
from pydantic import Field

from indicators.models import Framework, Indicator, Variable
from krs.http import MAX_ID
from reporting.models import Entry

T = TypeVar("T")


def choices_enum(name: str, choices) -> type[Enum]:
    """The values of a model's choices as an enum of the API's own, under a name unique in the description.

    Used as a field type, a model's ``TextChoices`` is named by its class alone, and ``Framework.Kind`` and
    ``Variable.Kind`` are both ``Kind``: django-ninja describes each operation apart and merges the
    descriptions by name, so one ``Kind`` component would replace the other and a client generated from
    the description would refuse every framework's kind. The JSON values are the choices' own.
    """
    return Enum(name, {value.upper(): value for value in choices.values}, type=str)


EntryStatus = choices_enum("EntryStatus", Entry.Status)
OfficeKind = Enum("OfficeKind", {"PRIMARY": "primary", "SECONDARY": "secondary"}, type=str)
FrameworkKind = choices_enum("FrameworkKind", Framework.Kind)
FrameworkStatus = choices_enum("FrameworkStatus", Framework.Status)
IndicatorMethod = choices_enum("IndicatorMethod", Indicator.Method)
IndicatorFrequency = choices_enum("IndicatorFrequency", Indicator.Frequency)
VariableKind = choices_enum("VariableKind", Variable.Kind)
VariableSource = choices_enum("VariableSource", Variable.Source)

# A value as sent: a string is read like the entry page reads a typed number (Thai digits, "1,250", "85%");
# a JSON number is taken as written; null (or "") means no value. true/false is kept as a boolean (bool is
# listed first, so it is never read as 1 or 0) and is a value of a yes/no variable only.
InputValue = bool | str | int | float | None


class Page(Schema, Generic[T]):
    """A list's page. Each list has its subclass (``FrameworkPage``…) so its component is named like it, not
    pydantic's ``Page_FrameworkOut_``."""

    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as `cursor` to read the next page; null on the last page.")


class ItemErrorOut(Schema):
    item: int | None = Field(None, description="Index of the item in the request's `items` (from 0).")
    field: str | None = Field(None, description="The variable code, `office`, `indicator`, `entry`, `level`, … at fault.")
    code: str
    message_th: str
    message_en: str


class ErrorOut(Schema):
    code: str = Field(description="Stable: unauthorized, forbidden, read_only_token, not_found, version_conflict, "
                                  "invalid_request, invalid_cursor, batch_invalid, batch_too_large, rate_limited, "
                                  "server_error.")
    message_th: str
    message_en: str
    errors: list[ItemErrorOut] = []


class OfficeRef(Schema):
    id: int
    code: str
    name_th: str
    name_en: str
    kind: str


class TokenOut(Schema):
    name: str
    prefix: str
    scope: str
    username: str
    role: str
    user_office: OfficeRef | None
    office: OfficeRef | None = Field(description="The one office this token is limited to, if any.")
    expires_at: datetime | None


class FiscalYearOut(Schema):
    id: int
    year: int = Field(description="พ.ศ. (Buddhist era): FY 2569 = 1 Oct 2025 – 30 Sep 2026.")


class FiscalYearPage(Page[FiscalYearOut]):
    pass


class RoundOut(Schema):
    id: int
    fiscal_year: int
    months: int
    label: str
    period_end: date
    opens_at: datetime
    deadline: datetime
    late_until: datetime | None
    certification_deadline: datetime
    late_penalty_per_day: str


class RoundPage(Page[RoundOut]):
    pass


class FrameworkOut(Schema):
    id: int
    fiscal_year: int
    code: str
    name: str
    kind: FrameworkKind
    status: FrameworkStatus
    published_at: datetime | None


class FrameworkPage(Page[FrameworkOut]):
    pass


class GroupOut(Schema):
    id: int
    parent_id: int | None
    code: str
    name: str
    level_name: str
    weight: str
    order: int


class VariableOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    kind: VariableKind
    source: VariableSource = Field(description="`district`: the district enters it; `central`: the owning bureau does.")
    minimum: str | None
    maximum: str | None
    round_ids: list[int] = Field(description="Rounds it is reported in; empty = every round.")


class ThresholdOut(Schema):
    level: int
    value: str


class StepOut(Schema):
    number: int
    description: str
    sub_items: int


class LevelOut(Schema):
    code: str
    name: str
    score: str


class IndicatorOut(Schema):
    id: int
    framework_id: int
    group_id: int | None
    parent_id: int | None
    code: str
    name: str
    unit: str
    target: str | None
    weight: str
    owner: OfficeRef | None
    method: IndicatorMethod
    frequency: IndicatorFrequency
    formula: str
    applies_to_primary: bool
    applies_to_secondary: bool
    round_ids: list[int] = Field(description="Rounds it is assessed in; empty = every round of its year.")
    variables: list[VariableOut]
    thresholds: list[ThresholdOut]
    steps: list[StepOut]
    levels: list[LevelOut]


class FrameworkDetailOut(FrameworkOut):
    groups: list[GroupOut]
    indicators: list[IndicatorOut]


class IndicatorPage(Page[IndicatorOut]):
    pass


class ValueOut(Schema):
    code: str
    source: VariableSource
    value: str | None


class StepValueOut(Schema):
    number: int
    done: int


class EntryOut(Schema):
    id: int
    office: OfficeRef
    indicator_id: int
    indicator_code: str
    round_id: int
    status: EntryStatus
    result: str | None
    self_score: str | None = Field(description="Computed from the values (5 decimals); what the district sees.")
    official_score: str | None = Field(description="The certified score, when certified or scored by the system.")
    counted_score: str = Field(description="What the national results count: certified official score less the "
                                           "late penalty (at least 1.00000); 1.00000 for every other status.")
    late_days: int | None
    late_penalty: str
    score_note: str
    level: str | None = Field(description="The rubric level's code the district chose.")
    passed: bool | None
    version: int = Field(description="Send it back with a write: a save from an older version is refused (409).")
    reported_at: datetime | None
    first_reported_at: datetime | None
    fix_deadline: datetime | None
    system_scored_at: datetime | None
    updated_at: datetime
    values: list[ValueOut]
    steps: list[StepValueOut]


class EntryPage(Page[EntryOut]):
    pass


class RankOut(Schema):
    rank: int | None
    office: OfficeRef
    overall: str | None = Field(description="The weighted overall score over the framework (5 decimals).")
    total: int
    counts: dict[str, int] = Field(description="Entries by status.")


class NationalPage(Page[RankOut]):
    round_id: int | None
    framework_id: int | None
    kind: str


class DistrictItem(Schema):
    entry: int = Field(ge=1, le=MAX_ID, description="The entry's id (GET /entries).")
    version: int = Field(ge=0, description="The entry's `version` as last read.")
    values: dict[str, InputValue] = Field(default_factory=dict, description="Variable code → value; district "
                                          "variables of the round only. A code left out keeps its value.")
    level: str | None = Field(None, description="Rubric indicators: the level's code; \"\" clears it.")
    passed: bool | None = Field(None, description="Pass/fail indicators without a formula.")
    steps: dict[int, int] | None = Field(None, description="Milestone indicators: step number → sub-items done "
                                         "(every step of the indicator; a step left out counts 0).")


class DistrictBatch(Schema):
    items: list[DistrictItem] = Field(min_length=1)
    confirm_warnings: bool = Field(False, description="Save values that raise warnings (rules of severity warning, "
                                   "a value far from the previous round's or from the other districts'). Without it "
                                   "such an item is refused with code `warning` and nothing is saved; errors are "
                                   "never confirmable.")


class CentralItem(Schema):
    office: str = Field(min_length=1, max_length=20, description="The district's office code, e.g. \"1001\".")
    indicator: int = Field(ge=1, le=MAX_ID, description="The indicator's id (GET /indicators?central=true).")
    values: dict[str, InputValue] = Field(min_length=1, description="Central variable code → value; null clears it.")
    version: int | None = Field(None, ge=0, description="Optional: the entry's version as read; when given, a save "
                                                        "over someone else's newer central values is refused (409).")


class CentralBatch(Schema):
    round: int = Field(ge=1, le=MAX_ID, description="The round's id (GET /rounds).")
    items: list[CentralItem] = Field(min_length=1)
    confirm_warnings: bool = Field(False, description="Save values that raise warnings (rules of severity warning, "
                                   "a value far from the previous round's or from the other districts'). Without it "
                                   "such an item is refused with code `warning` and nothing is saved; errors are "
                                   "never confirmable.")


class SavedEntryOut(Schema):
    item: int
    entry: int
    office_code: str
    indicator_id: int
    version: int
    status: EntryStatus
    result: str | None
    self_score: str | None


class SavedOut(Schema):
    changed: int = Field(description="Entries whose values changed (each audited as source `api`).")
    unchanged: int
    items: list[SavedEntryOut]

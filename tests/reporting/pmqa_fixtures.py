"""The PMQA 2565 framework of seed 004 (the demo's), its 12-month round open now, and the demo's people.

``pmqa_world()`` seeds the demo offices and users and the demo frameworks, moves FY 2565's 12-month round so
that it is open, and opens it. Helpers save as a district or a bureau would, through the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from indicators.models import Framework, Indicator, Round
from krs.models import Office, User
from reporting import workflow
from reporting.central import LEVEL, cell_name, central_save
from reporting.models import Entry, ValueChange
from reporting.services import entry_save_values, round_open


@dataclass
class PmqaWorld:
    round: Round
    framework: Framework

    def indicator(self, code: str) -> Indicator:
        return Indicator.objects.get(framework=self.framework, code=code)

    def entry(self, office: str, code: str) -> Entry:
        return Entry.objects.select_related("round__fiscal_year", "office", "indicator").get(
            office__code=office, indicator__framework=self.framework, indicator__code=code, round=self.round)

    @staticmethod
    def user(username: str) -> User:
        return User.objects.select_related("office").get(username=username)

    def level_id(self, code: str, level: str) -> int:
        return self.indicator(code).levels.get(code=level).pk

    def variable_field(self, code: str, variable: str) -> str:
        return f"v{self.indicator(code).variables.get(code=variable).pk}"

    def answer(self, office: str, code: str, level: str, text: str = "คำตอบตามแบบฟอร์ม", *, username: str = "bkk1",
               links: str = "") -> Entry:
        """A district answers a PMQA item: level, written answer, links."""
        entry = self.entry(office, code)
        entry_save_values(entry=entry, user=self.user(username), expected_version=entry.version, raw={
            "level": str(self.level_id(code, level)), "answer": text, "links": links})
        return self.entry(office, code)

    def propose(self, office: str, code: str, name: str, unit: str, result, target, baseline=None, *,
                same: bool = False, username: str = "bkk1") -> Entry:
        """A district proposes its category-7 indicator for one dimension, with its numbers."""
        entry = self.entry(office, code)
        raw = {"kpi_name": name, "kpi_unit": unit, self.variable_field(code, "A"): str(result),
               self.variable_field(code, "B"): str(target),
               self.variable_field(code, "C"): "" if baseline is None else str(baseline)}
        if same:
            raw["kpi_same"] = "1"
        entry_save_values(entry=entry, user=self.user(username), expected_version=entry.version, raw=raw)
        return self.entry(office, code)

    def values(self, office: str, code: str, username: str, **values) -> Entry:
        """Variables of an indicator: a district's own, or a bureau's central data."""
        entry = self.entry(office, code)
        user = self.user(username)
        if user.office.kind == Office.Kind.BUREAU:
            central_save(user=user, indicator=entry.indicator, round_=self.round, versions=None,
                         rows={entry.pk: {k: str(v) for k, v in values.items()}},
                         source=ValueChange.Source.CENTRAL_GRID)
        else:
            entry_save_values(entry=entry, user=user, expected_version=entry.version, raw={
                self.variable_field(code, k): str(v) for k, v in values.items()})
        return self.entry(office, code)

    def central_level(self, office: str, code: str, level: str, username: str = "monitoring") -> Entry:
        """The owning bureau enters a district's level (1.2 from ITA, category 6's group)."""
        entry = self.entry(office, code)
        central_save(user=self.user(username), indicator=entry.indicator, round_=self.round, versions=None,
                     rows={entry.pk: {LEVEL: str(self.level_id(code, level))}}, source=ValueChange.Source.CENTRAL_GRID)
        return self.entry(office, code)

    def certify(self, office: str, code: str) -> Entry:
        """The owning bureau certifies the entry as it is."""
        entry = self.entry(office, code)
        certifier = User.objects.filter(office=entry.indicator.owner, role="bureau_certifier").first()
        workflow.entry_certify(entry=entry, by=certifier)
        return self.entry(office, code)

    @staticmethod
    def grid_field(entry: Entry) -> str:
        return cell_name(entry.pk, LEVEL)


def pmqa_world() -> PmqaWorld:
    from indicators.demo import seed_frameworks
    from krs.demo import seed_offices_and_users

    seed_offices_and_users()
    seed_frameworks()
    round_ = Round.objects.select_related("fiscal_year").get(fiscal_year__year=2565, months=12)
    now = timezone.now()
    Round.objects.filter(pk=round_.pk).update(opens_at=now - timedelta(days=3), deadline=now + timedelta(days=5),
                                              certification_deadline=now + timedelta(days=30), late_until=None)
    round_.refresh_from_db()
    round_open(round_=round_)
    return PmqaWorld(round_, Framework.objects.get(fiscal_year__year=2565, code="PMQA-2565"))


D = Decimal

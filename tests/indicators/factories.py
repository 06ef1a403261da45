"""Small builders for configuration objects in tests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from indicators.models import FiscalYear, Framework, Group, Indicator, Round, Threshold, Variable

BANGKOK = ZoneInfo("Asia/Bangkok")


def at(year: int, month: int, day: int, hour: int = 16, minute: int = 30) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


def fiscal_year_2569() -> FiscalYear:
    year, _ = FiscalYear.objects.get_or_create(year=2569)
    for months, end, deadline, cert in [
        (6, (2026, 3, 31), (2026, 4, 30), (2026, 5, 29)),
        (9, (2026, 6, 30), (2026, 7, 16), (2026, 7, 31)),
        (12, (2026, 9, 30), (2026, 10, 30), (2026, 11, 30)),
    ]:
        Round.objects.get_or_create(
            fiscal_year=year, months=months,
            defaults={
                "period_end": datetime(*end).date(), "opens_at": at(*end, 8, 30), "deadline": at(*deadline),
                "certification_deadline": at(*cert),
                "late_penalty_per_day": Decimal("0.05") if months == 12 else Decimal(0),
            },
        )
    return year


def framework(year: FiscalYear, code: str = "AGR") -> Framework:
    return Framework.objects.create(fiscal_year=year, code=code, name=f"คำรับรอง {year.year}")


def group(fw: Framework, code: str, weight: str, parent: Group | None = None) -> Group:
    return Group.objects.create(framework=fw, code=code, name=f"มิติ {code}", level_name="มิติ", weight=Decimal(weight),
                                parent=parent)


def quantitative(fw: Framework, code: str, weight: str, *, group: Group | None = None, parent: Indicator | None = None,
                 thresholds=("80", "85", "90", "95", "100"), formula: str = "A / B * 100", owner=None) -> Indicator:
    indicator = Indicator.objects.create(
        framework=fw, code=code, name=f"ตัวชี้วัด {code}", weight=Decimal(weight), group=group, parent=parent,
        method=Indicator.Method.QUANTITATIVE, formula=formula, unit="ร้อยละ", owner=owner,
    )
    Variable.objects.create(indicator=indicator, code="A", name="ตัวตั้ง", unit="โรง")
    Variable.objects.create(indicator=indicator, code="B", name="ตัวหาร", unit="โรง")
    Threshold.objects.bulk_create(
        [Threshold(indicator=indicator, level=n, value=Decimal(v)) for n, v in enumerate(thresholds, start=1)]
    )
    return indicator

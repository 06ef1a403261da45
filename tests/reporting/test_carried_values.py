"""Variables reported only in some rounds: a round that does not report one uses its latest earlier value.

The rule (docs/scoring.md): for a variable not reported in a round, the value the same district entered for
the same indicator in the latest earlier round of the fiscal year that reports it counts, shown read-only as
such; a framework in which an evaluated indicator would have no such round is refused at publishing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from indicators.models import FiscalYear, Framework, Group, Indicator, Round, Threshold, Variable
from indicators.services import framework_publish
from krs import thaicalendar
from reporting import workflow
from reporting.central import central_save
from reporting.models import Entry, Value, ValueChange
from reporting.services import entry_save_values, round_open

pytestmark = pytest.mark.django_db
D = Decimal


def _round(year, months, *, opens, closes):
    now = timezone.now()
    first, last = year.bounds
    return Round.objects.create(
        fiscal_year=year, months=months, period_end=last if months == 12 else first + timedelta(days=30 * months - 1),
        opens_at=now + opens, deadline=now + closes, certification_deadline=now + closes + timedelta(days=30),
    )


def _quantitative(framework, group, code, *, order, bureau=None, a_source=Variable.Source.DISTRICT):
    indicator = Indicator.objects.create(
        framework=framework, group=group, code=code, name=f"ตัวชี้วัด {code}", weight=D(25), order=order,
        method=Indicator.Method.QUANTITATIVE, formula="A / B * 100", unit="ร้อยละ", owner=bureau,
    )
    Variable.objects.create(indicator=indicator, code="A", name="จำนวนที่ผ่าน", kind=Variable.Kind.INTEGER, source=a_source,
                            order=1)
    Variable.objects.create(indicator=indicator, code="B", name="จำนวนโรงเรียนทั้งหมด", kind=Variable.Kind.INTEGER, order=2)
    Threshold.objects.bulk_create([Threshold(indicator=indicator, level=n, value=D(v))
                                   for n, v in enumerate((80, 85, 90, 95, 100), start=1)])
    return indicator


class Year:
    """Rounds 6 (closed, its fix window open), 9 and 12 (open); 2.1's B is reported in the 6-month round only,
    2.2's B in the 9-month round only (2.2 is evaluated in 9 and 12), 2.3's A and B in the 6-month round only."""

    def __init__(self, bureau, *, publish=True):
        year, _ = FiscalYear.objects.get_or_create(year=thaicalendar.fiscal_year_of(timezone.now()))
        self.six = _round(year, 6, opens=timedelta(days=-60), closes=timedelta(days=-30))
        self.nine = _round(year, 9, opens=timedelta(days=-1), closes=timedelta(days=5))
        self.twelve = _round(year, 12, opens=timedelta(days=-1), closes=timedelta(days=8))
        status = Framework.Status.PUBLISHED if publish else Framework.Status.DRAFT
        self.framework = Framework.objects.create(fiscal_year=year, code="C", name="กรอบทดสอบ", status=status)
        group = Group.objects.create(framework=self.framework, code="2", name="มิติ", level_name="มิติ", weight=D(100))
        self.once = _quantitative(self.framework, group, "2.1", order=1, bureau=bureau)
        self.once.variables.get(code="B").rounds.set([self.six])
        self.middle = _quantitative(self.framework, group, "2.2", order=2, bureau=bureau)
        self.middle.rounds.set([self.nine, self.twelve])
        self.middle.variables.get(code="B").rounds.set([self.nine])
        self.early = _quantitative(self.framework, group, "2.3", order=3, bureau=bureau)
        for variable in self.early.variables.all():
            variable.rounds.set([self.six])

    def open(self, *rounds):
        for round_ in rounds:
            round_open(round_=round_)

    def entry(self, office, indicator, round_) -> Entry:
        return Entry.objects.get(office=office, indicator=indicator, round=round_)


def put(entry: Entry, **values) -> None:
    """Values as a district typed them in their round (written directly: the round may be closed now)."""
    for code, value in values.items():
        Value.objects.update_or_create(entry=entry, variable=entry.indicator.variables.get(code=code),
                                       defaults={"value": D(value)})


def save(entry: Entry, user, **typed):
    raw = {f"v{entry.indicator.variables.get(code=code).pk}": text for code, text in typed.items()}
    entry.refresh_from_db()
    return entry_save_values(entry=entry, user=user, raw=raw, expected_version=entry.version)


@pytest.fixture
def year(bureau, district):
    return Year(bureau)


@pytest.mark.parametrize(
    ("indicator", "round_", "source", "reason"),
    [
        ("once", "nine", "six", "B is reported in the 6-month round only: the 9-month round uses it"),
        ("once", "twelve", "six", "the 12-month round uses the latest earlier round that reports B: still 6"),
        ("middle", "twelve", "nine", "2.2's B is reported in the 9-month round: the 12-month round uses that one"),
    ],
)
def test_a_round_that_does_not_report_a_variable_scores_with_its_latest_earlier_value(
        client, district, district_user, year, indicator, round_, source, reason):
    indicator, round_, source = getattr(year, indicator), getattr(year, round_), getattr(year, source)
    year.open(year.six, year.nine, year.twelve)
    put(year.entry(district, indicator, source), A=40, B=1250)
    entry = year.entry(district, indicator, round_)

    save(entry, district_user, A="1,200")

    entry.refresh_from_db()
    assert entry.result == D("96.00000"), reason  # 1,200 / 1,250 × 100 with B from the earlier round
    assert entry.self_score == D("4.20000")
    assert entry.status == Entry.Status.AWAITING
    assert not Value.objects.filter(entry=entry, variable__code="B").exists()  # carried, never copied
    client.force_login(district_user)
    html = client.get(reverse("reporting:entry_page", args=[round_.pk])).content.decode()
    assert f"ใช้ค่าจากรอบ {source.months} เดือน: 1,250" in html
    b = indicator.variables.get(code="B")
    assert f'name="v{b.pk}"' not in html  # read-only: it is the earlier round's to change


def test_the_preview_computes_with_the_carried_value(client, district, district_user, year):
    year.open(year.six, year.nine)
    put(year.entry(district, year.once, year.six), A=40, B=50)
    entry = year.entry(district, year.once, year.nine)
    a = year.once.variables.get(code="A")
    client.force_login(district_user)
    html = client.post(reverse("reporting:entry_preview", args=[entry.pk]), {f"v{a.pk}": "45"}).content.decode()
    assert "90" in html and "3.0000" in html  # 45 / 50 × 100 = 90 → 3


def test_a_value_the_earlier_round_never_got_leaves_the_entry_unscored_and_says_where_it_should_come_from(
        client, district, district_user, year):
    year.open(year.six, year.nine)
    entry = year.entry(district, year.once, year.nine)
    save(entry, district_user, A="45")
    entry.refresh_from_db()
    assert entry.status == Entry.Status.NOT_REPORTED and entry.self_score is None
    assert entry.score_note == "ยังไม่มีค่าตัวแปร B"
    client.force_login(district_user)
    html = client.get(reverse("reporting:entry_page", args=[year.nine.pk])).content.decode()
    assert "ใช้ค่าจากรอบ 6 เดือน แต่รอบนั้นไม่ได้รายงานค่านี้" in html


def test_the_bureau_grid_scores_with_the_carried_value(district, certifier, year, bureau):
    central = _quantitative(year.framework, year.once.group, "2.4", order=4, bureau=bureau,
                            a_source=Variable.Source.CENTRAL)
    central.variables.get(code="B").rounds.set([year.six])
    year.open(year.six, year.nine)
    put(year.entry(district, central, year.six), A=40, B=50)
    entry = year.entry(district, central, year.nine)
    central_save(user=certifier, indicator=central, round_=year.nine, rows={entry.pk: {"A": "50"}}, versions=None,
                 source=ValueChange.Source.CENTRAL_GRID)
    entry.refresh_from_db()
    assert entry.result == D("100.00000") and entry.self_score == D("5.00000")
    assert entry.status == Entry.Status.AWAITING


def test_correcting_the_earlier_round_scores_the_later_round_again(district, district_user, certifier, year):
    year.open(year.six, year.nine)
    earlier = year.entry(district, year.once, year.six)
    put(earlier, A=40, B=50)
    later = year.entry(district, year.once, year.nine)
    save(later, district_user, A="45")
    later.refresh_from_db()
    assert later.result == D("90.00000")
    earlier.refresh_from_db()
    workflow.entry_mark_reported(entry=earlier, by=district_user)
    workflow.entry_reject(entry=earlier, by=certifier, comment="จำนวนโรงเรียนผิด",
                          fix_deadline=timezone.now() + timedelta(days=3))

    save(earlier, district_user, B="60")  # corrected inside its fix window

    later.refresh_from_db()
    assert later.result == D("75.00000")  # 45 / 60 × 100
    assert later.self_score == D("1.00000")


def test_an_indicator_whose_every_variable_comes_from_an_earlier_round_is_scored_when_its_round_opens(
        district, year):
    year.open(year.six)
    put(year.entry(district, year.early, year.six), A=45, B=50)
    year.open(year.nine)
    entry = year.entry(district, year.early, year.nine)
    assert entry.result == D("90.00000") and entry.self_score == D("3.00000")
    assert entry.status == Entry.Status.AWAITING  # nothing to enter in this round: it goes to the bureau


def test_the_page_loads_carried_values_for_any_number_of_indicators_in_the_same_queries(
        client, district, district_user, year, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    year.open(year.six, year.nine)
    client.force_login(district_user)
    url = reverse("reporting:entry_page", args=[year.nine.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        extra = _quantitative(year.framework, year.once.group, f"3.{n}", order=10 + n)
        extra.variables.get(code="B").rounds.set([year.six])
    year.open(year.six, year.nine)
    for entry in Entry.objects.filter(round=year.six, office=district).select_related("indicator"):
        put(entry, A=1, B=2)
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count("ใช้ค่าจากรอบ 6 เดือน: 2") == 8  # the B of 2.1, 2.3 and the six new ones


def test_publishing_refuses_an_indicator_evaluated_in_a_round_whose_variable_has_no_value_to_use(bureau):
    year = Year(bureau, publish=False)
    late = _quantitative(year.framework, year.once.group, "2.9", order=9, bureau=bureau)
    late.variables.get(code="B").rounds.set([year.twelve])  # evaluated in every round, B only at 12 months

    with pytest.raises(ValidationError) as refused:
        framework_publish(framework=year.framework)

    messages = [m for m in refused.value.messages if m.startswith("2.9")]
    assert len(messages) == 2  # the 6- and 9-month rounds; the 12-month round reports B
    assert year.six.label in messages[0] and year.nine.label in messages[1]
    assert "ตัวแปร B" in messages[0]
    assert not any(m.startswith(("2.1", "2.2", "2.3")) for m in refused.value.messages)
    year.framework.refresh_from_db()
    assert year.framework.status == Framework.Status.DRAFT

    late.rounds.set([year.twelve])  # evaluated only where B is reported: publishable
    framework_publish(framework=year.framework)


def test_the_admin_publish_action_shows_the_refusal(client, admin_user, bureau):
    year = Year(bureau, publish=False)
    year.once.variables.get(code="B").rounds.set([year.nine])
    client.force_login(admin_user)
    response = client.post(reverse("admin:indicators_framework_changelist"),
                           {"action": "publish", "_selected_action": [year.framework.pk]}, follow=True)
    html = response.content.decode()
    assert "2.1: ประเมินใน" in html and year.six.label in html
    year.framework.refresh_from_db()
    assert year.framework.status == Framework.Status.DRAFT

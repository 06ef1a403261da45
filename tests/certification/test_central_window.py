"""Central-only entries close on the owning bureau's window, not the district's deadline.

Domain: "a district is never scored for what only a bureau can enter: an entry whose inputs are all
central waits for the bureau's window, not the district's." The sweep tests run on a frozen clock (the
round of tests/certification/test_deadlines.py plus a central-data deadline); the page, grid, upload and
API tests set the round's dates around the real clock, since those doors judge by it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from certification.selectors import central_data_owed
from indicators.models import Framework, Indicator, Round, RubricLevel, Threshold, Variable
from krs import thaicalendar
from krs.models import Notification
from reporting import workflow
from reporting.central import central_save
from reporting.deadlines import sweep
from reporting.models import Entry, Flag, Side, StatusEvent, Value, ValueChange
from reporting.rules import central_edit_block, entry_edit_block
from reporting.selectors import central_only_indicators, counted_score, is_central_only
from reporting.services import round_open
from tests.api.conftest import ApiClient, issue
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db
BKK = ZoneInfo("Asia/Bangkok")
OPENS = datetime(2026, 4, 1, 8, 30, tzinfo=BKK)
DEADLINE = datetime(2026, 4, 9, 16, 30, tzinfo=BKK)
CENTRAL = datetime(2026, 4, 24, 16, 30, tzinfo=BKK)
CERTIFICATION = datetime(2026, 4, 30, 16, 30, tzinfo=BKK)
TICK = timedelta(microseconds=1)
D = Decimal
S = Entry.Status


def add_indicator(world, code: str, *, sources: dict[str, str], bureau, **fields) -> Indicator:
    """A quantitative A / B * 100 of the world's framework with the given source per variable."""
    values = {"method": Indicator.Method.QUANTITATIVE, "formula": " * ".join(sources) if len(sources) == 1 else "A / B * 100"}
    values.update(fields)
    indicator = Indicator.objects.create(framework=world.framework, group=world.quantitative.group, code=code,
                                         name=f"ตัวชี้วัด {code}", weight=D(10), owner=bureau, order=50, **values)
    for order, (name, source) in enumerate(sources.items(), start=1):
        Variable.objects.create(indicator=indicator, code=name, name=f"ตัวแปร {name}", kind=Variable.Kind.INTEGER,
                                minimum=D(0), source=source, order=order)
    Threshold.objects.bulk_create([Threshold(indicator=indicator, level=n, value=D(v))
                                   for n, v in enumerate((80, 85, 90, 95, 100), start=1)])
    return indicator


def add_mixed(world, bureau) -> Indicator:
    """1.7: A typed by the district, B entered by the bureau."""
    mixed = add_indicator(world, "1.7", sources={"A": Variable.Source.DISTRICT, "B": Variable.Source.CENTRAL}, bureau=bureau)
    round_open(round_=world.round)
    return mixed


def add_level_by_bureau(world, bureau, code="1.8") -> Indicator:
    """A level the bureau enters for every district (PMQA 1.2 from ITA, category 6)."""
    indicator = Indicator.objects.create(framework=world.framework, group=world.quantitative.group, code=code,
                                         name="ผลจากสำนัก", weight=D(10), owner=bureau, order=60,
                                         method=Indicator.Method.RUBRIC, frequency=Indicator.Frequency.NONE)
    RubricLevel.objects.bulk_create([RubricLevel(indicator=indicator, code=c, name=c, score=D(s))
                                     for c, s in (("basic", 3), ("advance", 4), ("significance", 5))])
    return indicator


def district_reports(world, office, indicator, values: dict[str, str], *, at):
    """The district's own values through the entry page's service."""
    from reporting.services import entry_save_values

    entry = world.entry(office, indicator)
    raw = {f"v{v.pk}": values[v.code] for v in indicator.variables.all() if v.code in values}
    return entry_save_values(entry=entry, user=None, raw=raw, expected_version=entry.version, now=at)


def bureau_saves(world, certifier, indicator, rows: dict, *, at):
    """The bureau's central values through the grid's service: {office: {code: text}}."""
    entries = {world.entry(office, indicator).pk: cells for office, cells in rows.items()}
    return central_save(user=certifier, indicator=indicator, round_=world.round, rows=entries, versions=None,
                        source=ValueChange.Source.CENTRAL_GRID, now=at)


@pytest.fixture
def frozen(district, other_district, bureau):
    """The test round on fixed dates, with a central-data deadline between the district's and certification."""
    world = open_world(bureau=bureau)
    Round.objects.filter(pk=world.round.pk).update(opens_at=OPENS, deadline=DEADLINE, central_deadline=CENTRAL,
                                                   certification_deadline=CERTIFICATION)
    Round.objects.exclude(pk=world.round.pk).update(opens_at=datetime(2027, 1, 1, tzinfo=BKK),
                                                    deadline=datetime(2027, 2, 1, tzinfo=BKK),
                                                    certification_deadline=datetime(2027, 3, 1, tzinfo=BKK))
    world.round.refresh_from_db()
    return world


def live(bureau, *, deadline: timedelta, central: timedelta | None):
    """The test round around the real clock: the district's deadline and the bureau's window relative to now."""
    world = open_world(bureau=bureau, opens=timedelta(days=-30), closes=deadline)
    now = timezone.now()
    Round.objects.filter(pk=world.round.pk).update(
        central_deadline=None if central is None else now + central, certification_deadline=now + timedelta(days=20))
    world.round.refresh_from_db()
    return world


# --- What "central-only" means -------------------------------------------------------------------------


def _variable_in_other_round(world, indicator, code):
    other = Round.objects.exclude(pk=world.round.pk).get()
    indicator.variables.get(code=code).rounds.set([other])
    return indicator


CENTRAL_ONLY_CASES = [
    # (case, make the indicator, central-only in the round?)
    ("every variable central", lambda w, b: w.central, True),
    ("every variable the district's", lambda w, b: w.quantitative, False),
    ("a level the district chooses", lambda w, b: w.rubric, False),
    ("milestone steps the district ticks", lambda w, b: w.milestone, False),
    ("a level the bureau enters for every district", lambda w, b: add_level_by_bureau(w, b), True),
    ("district and central variables (mixed)", lambda w, b: add_indicator(
        w, "2.1", sources={"A": Variable.Source.DISTRICT, "B": Variable.Source.CENTRAL}, bureau=b), False),
    ("central here, the district's variable only in another round", lambda w, b: _variable_in_other_round(w, add_indicator(
        w, "2.2", sources={"A": Variable.Source.CENTRAL, "B": Variable.Source.DISTRICT}, bureau=b), "B"), True),
    ("the central variable only in another round, the district's here", lambda w, b: _variable_in_other_round(w, add_indicator(
        w, "2.3", sources={"A": Variable.Source.CENTRAL, "B": Variable.Source.DISTRICT}, bureau=b), "A"), False),
    ("central variables but a PMQA answer to write", lambda w, b: add_indicator(
        w, "2.4", sources={"A": Variable.Source.CENTRAL, "B": Variable.Source.CENTRAL}, bureau=b,
        response=Indicator.Response.PMQA_ITEM), False),
    ("central variables but a pass/fail the district chooses", lambda w, b: add_indicator(
        w, "2.5", sources={"A": Variable.Source.CENTRAL}, bureau=b, method=Indicator.Method.PASS_FAIL, formula=""), False),
]


@pytest.mark.parametrize(("case", "make", "expected"), CENTRAL_ONLY_CASES, ids=[c[0] for c in CENTRAL_ONLY_CASES])
def test_which_indicators_are_central_only_in_a_round(frozen, bureau, case, make, expected):
    indicator = make(frozen, bureau)
    assert is_central_only(indicator, frozen.round) is expected
    assert (indicator.pk in set(central_only_indicators(frozen.round.pk).values_list("pk", flat=True))) is expected


def test_the_demos_bureau_entered_indicators_are_central_only(db):
    """Seed 000's 11.2, 11.4 and 12, KPI 4.1.2, PMQA 1.2 and category 6: the district enters none of them."""
    import indicators.demo
    import krs.demo
    import reporting.demo
    from indicators.selectors import current_round
    from krs.models import Office
    from reporting.selectors import rounds_for_office

    krs.demo.seed()
    indicators.demo.seed()
    reporting.demo.seed()
    round_ = current_round(rounds_for_office(Office.objects.get(code="1001")))
    in_round = Indicator.objects.filter(entries__round=round_).distinct()
    central = set(central_only_indicators(round_.pk).filter(pk__in=in_round).values_list("framework__kind", "code"))
    agreement, pmqa = Framework.Kind.AGREEMENT, Framework.Kind.PMQA
    assert {(agreement, "11.2"), (agreement, "11.4"), (agreement, "12"), (pmqa, "4.1.2"), (pmqa, "1.2"),
            (pmqa, "6")} <= central
    assert (agreement, "11.3") not in central  # the district sends its audit document (1/0)
    assert not {code for kind, code in central if kind == pmqa and code == "1.1"}  # an item the district answers


# --- Through the district's deadline ---------------------------------------------------------------------


def test_at_the_district_deadline_central_only_entries_wait_and_only_the_districts_part_is_scored(
        frozen, district, other_district, bureau):
    mixed = add_mixed(frozen, bureau)
    district_reports(frozen, district, mixed, {"A": "90"}, at=DEADLINE - timedelta(hours=1))  # its part is in
    sweep(now=DEADLINE + TICK)

    for office in (district, other_district):
        waiting = frozen.entry(office, frozen.central)
        assert waiting.status == S.NOT_REPORTED and waiting.official_score is None
        assert not StatusEvent.objects.filter(entry=waiting).exists()
    # Mixed: the district's part in → waiting for the bureau, not scored; the district's part missing → scored.
    assert frozen.entry(district, mixed).status == S.AWAITING
    assert frozen.entry(other_district, mixed).status == S.SYSTEM_UNREPORTED
    assert frozen.entry(district, frozen.quantitative).status == S.SYSTEM_UNREPORTED


def test_the_district_page_says_a_central_only_entry_waits_for_the_bureau_and_until_when(
        client, district, district_user, bureau):
    world = live(bureau, deadline=timedelta(days=-1), central=timedelta(days=3))
    sweep(now=timezone.now())  # the district's deadline has passed: the round closes
    html = client_page(client, district_user, world)
    block = entry_block(html, world.central)
    closes = thaicalendar.format_thai_date(world.round.central_closes_at, with_time=True)
    assert 'data-testid="central-wait"' in block
    assert f"รอ {bureau.name_th} บันทึกข้อมูลส่วนกลาง ภายใน {closes}" in block
    assert "ไม่ได้ดำเนินการภายในกำหนด" not in block and "ปิดรับรายงาน" not in block
    assert 'data-status="not_reported"' in block
    # The district's own indicator did close.
    assert "ระบบให้คะแนน 1.00000" in entry_block(html, world.quantitative)


def client_page(client, user, world) -> str:
    client.force_login(user)
    response = client.get(reverse("reporting:entry_page", args=[world.round.pk]))
    assert response.status_code == 200
    return response.content.decode()


def entry_block(html: str, indicator) -> str:
    start = html.index(f'data-code="{indicator.code}"')
    end = html.find('data-testid="entry"', start)
    return html[start:end if end > 0 else len(html)]


# --- In the bureau's window, after the district's deadline: grid, upload and API ----------------------------


def grid_url(world, indicator):
    return reverse("reporting:central_grid", args=[world.round.pk, indicator.pk])


def grid_post(world, indicator, typed: dict) -> dict:
    data, rows = {}, []
    for entry in Entry.objects.filter(indicator=indicator, round=world.round).select_related("office"):
        rows.append(str(entry.pk))
        data[f"version-{entry.pk}"] = entry.version
        for code, text in typed.get(entry.office, {}).items():
            data[f"e{entry.pk}-{code}"] = text
    data["row"] = rows
    return data


def upload(client, world, indicator, text: str):
    url = reverse("reporting:central_upload", args=[world.round.pk, indicator.pk])
    file = SimpleUploadedFile("central.csv", text.replace("\n", "\r\n").encode("utf-8-sig"), content_type="text/csv")
    return client.post(url, {"file": file})


def central_api(client, certifier, world, indicator, rows: dict):
    api = ApiClient(client, issue(certifier, "write"))
    return api.post("/central-values", {"round": world.round.pk, "items": [
        {"office": office.code, "indicator": indicator.pk, "values": values} for office, values in rows.items()]})


def test_after_the_district_deadline_the_bureau_still_saves_by_grid_upload_and_api(
        client, district, other_district, bureau, certifier):
    world = live(bureau, deadline=timedelta(days=-1), central=timedelta(days=3))
    sweep(now=timezone.now())
    client.force_login(certifier)
    closes = thaicalendar.format_thai_date(world.round.central_closes_at, with_time=True)
    grid = client.get(grid_url(world, world.central)).content.decode()
    assert f"กำหนดส่งข้อมูลส่วนกลาง {closes}" in grid and 'data-testid="save"' in grid  # the bureau's window, open

    response = client.post(grid_url(world, world.central), grid_post(world, world.central, {district: {"A": "90", "B": "100"}}))
    assert response.status_code == 302
    entry = world.entry(district, world.central)
    assert entry.status == S.AWAITING and entry.self_score == D("3.00000")

    preview = upload(client, world, world.central, f"รหัสหน่วยงาน,A,B\n{other_district.code},95,100\n")
    assert preview.status_code == 200 and not preview.context["upload"].errors
    confirm = reverse("reporting:central_upload_confirm", args=[world.round.pk, world.central.pk])
    assert client.post(confirm, {"digest": preview.context["confirm"]["digest"].value()}).status_code == 302
    assert world.entry(other_district, world.central).status == S.AWAITING

    answer = central_api(client, certifier, world, world.central, {district: {"A": 100, "B": 100}})
    assert answer.status_code == 200, answer.content
    assert world.entry(district, world.central).self_score == D("5.00000")


# --- The end of the bureau's window -------------------------------------------------------------------------


def test_at_the_end_of_the_bureaus_window_what_still_waits_for_it_is_scored_in_the_bureaus_name(
        frozen, district, other_district, bureau, certifier):
    mixed = add_mixed(frozen, bureau)
    for office in (district, other_district):
        district_reports(frozen, office, mixed, {"A": "90"}, at=DEADLINE - timedelta(hours=1))
    sweep(now=DEADLINE + TICK)
    # In the bureau's window, after the district's deadline: the first district's central data comes in.
    bureau_saves(frozen, certifier, mixed, {district: {"B": "100"}}, at=DEADLINE + timedelta(days=2))
    bureau_saves(frozen, certifier, frozen.central, {district: {"A": "95", "B": "100"}}, at=DEADLINE + timedelta(days=2))
    assert frozen.entry(district, mixed).self_score == D("3.00000")  # scorable once both parts are in

    sweep(now=CENTRAL)  # the window's last instant: nothing yet
    assert not Entry.objects.filter(status=S.SYSTEM_NO_CENTRAL).exists()

    after = CENTRAL + TICK
    run = sweep(now=after)
    scored = Entry.objects.filter(round=frozen.round, status=S.SYSTEM_NO_CENTRAL)
    # The other district's central-only entry (no data) and its mixed entry (its part in, the bureau's missing).
    assert set(scored.values_list("indicator_id", "office_id")) == {(frozen.central.pk, other_district.pk),
                                                                   (mixed.pk, other_district.pk)}
    assert set(scored.values_list("official_score", flat=True)) == {D("1.00000")}
    assert set(scored.values_list("system_scored_at", flat=True)) == {after}
    # What the bureau did enter in time stays with the bureau's certification.
    assert frozen.entry(district, frozen.central).status == S.AWAITING
    assert frozen.entry(district, mixed).status == S.AWAITING
    assert {"step": "central", "round_id": frozen.round.pk, "round": frozen.round.label, "count": 2} in run.steps
    assert Round.objects.get(pk=frozen.round.pk).central_closed_at == after

    events = StatusEvent.objects.filter(to_status=S.SYSTEM_NO_CENTRAL)
    assert sorted(events.values_list("from_status", flat=True)) == [S.AWAITING, S.NOT_REPORTED]
    for event in events:
        assert event.by is None and event.at == after
        assert bureau.name_th in event.comment and "24 เม.ย. 2569" in event.comment and "1.00000" in event.comment

    entry = Entry.objects.select_related("round", "indicator__owner").get(pk=scored.filter(indicator=frozen.central).get().pk)
    assert counted_score(entry) == D("1.00000")
    assert bureau.name_th in entry_edit_block(entry, after) and "ข้อมูลส่วนกลาง" in entry_edit_block(entry, after)

    again = sweep(now=after + timedelta(minutes=1))
    assert not [c for c in again.steps if c["step"] == "central"]
    assert events.count() == 2


def test_without_a_central_deadline_the_bureaus_window_is_the_certification_deadline(frozen, district, bureau):
    Round.objects.filter(pk=frozen.round.pk).update(central_deadline=None)
    sweep(now=DEADLINE + TICK)
    sweep(now=CENTRAL + TICK)
    assert frozen.entry(district, frozen.central).status == S.NOT_REPORTED
    sweep(now=CERTIFICATION + TICK)
    assert frozen.entry(district, frozen.central).status == S.SYSTEM_NO_CENTRAL


def test_after_the_bureaus_window_grid_upload_and_api_refuse_with_the_reason_and_save_nothing(
        client, district, other_district, bureau, certifier):
    world = live(bureau, deadline=timedelta(days=-3), central=timedelta(hours=-1))
    sweep(now=timezone.now())
    entry = world.entry(district, world.central)
    assert entry.status == S.SYSTEM_NO_CENTRAL
    client.force_login(certifier)

    response = client.post(grid_url(world, world.central), grid_post(world, world.central, {district: {"A": "90", "B": "100"}}))
    html = response.content.decode()
    assert response.status_code == 422 and "ยังไม่ได้บันทึก" in html and "จะไม่ถูกนับ" in html
    assert "บันทึกข้อมูลส่วนกลางของตัวชี้วัด" not in html  # never "saved"

    preview = upload(client, world, world.central, f"รหัสหน่วยงาน,A,B\n{district.code},90,100\n")
    assert preview.context["confirm"] is None
    assert any("จะไม่ถูกนับ" in issue.message for issue in preview.context["upload"].errors)

    answer = central_api(client, certifier, world, world.central, {district: {"A": 90, "B": 100}})
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert [e["code"] for e in errors] == ["entry_closed"] and "จะไม่ถูกนับ" in errors[0]["message_th"]
    assert errors[0]["message_en"] != errors[0]["message_th"]

    assert not Value.objects.filter(entry=entry).exists()
    assert Entry.objects.get(pk=entry.pk).status == S.SYSTEM_NO_CENTRAL


def test_a_mixed_entry_scored_for_the_districts_part_refuses_central_values_in_the_window(
        client, district, bureau, certifier):
    """The save would not count (the entry is system-scored): refused with the reason, never "saved"."""
    world = live(bureau, deadline=timedelta(days=-1), central=timedelta(days=3))
    mixed = add_mixed(world, bureau)
    sweep(now=timezone.now())
    assert world.entry(district, mixed).status == S.SYSTEM_UNREPORTED
    client.force_login(certifier)
    response = client.post(grid_url(world, mixed), grid_post(world, mixed, {district: {"B": "100"}}))
    assert response.status_code == 422
    assert "ไม่รายงานผลตามกำหนด (ระบบให้คะแนน)" in response.content.decode()
    assert not Value.objects.filter(entry=world.entry(district, mixed)).exists()


def test_the_bureau_may_save_until_its_window_ends_and_not_after(frozen, district, bureau):
    entry = Entry.objects.select_related("round", "indicator__owner").get(pk=frozen.entry(district, frozen.central).pk)
    assert central_edit_block(entry, DEADLINE + timedelta(days=1)) is None  # after the district's deadline
    assert central_edit_block(entry, CENTRAL) is None
    block = central_edit_block(entry, CENTRAL + TICK)
    assert "เลยกำหนดส่งข้อมูลส่วนกลาง" in block and "24 เม.ย. 2569" in block


# --- An administrator withdraws the bureau-named score -----------------------------------------------------


def test_a_withdrawn_no_central_score_goes_back_to_the_bureau_until_the_fix_deadline(
        frozen, district, other_district, bureau, certifier, admin_user, district_user):
    sweep(now=DEADLINE + TICK)
    sweep(now=CENTRAL + TICK)
    at = CENTRAL + timedelta(hours=1)
    fix_by = CENTRAL + timedelta(days=2)
    for office in (district, other_district):
        entry = Entry.objects.select_related("round", "indicator").get(pk=frozen.entry(office, frozen.central).pk)
        workflow.entry_reopen(entry=entry, by=admin_user, comment="ระบบของสำนักขัดข้อง", fix_deadline=fix_by, at=at)
    assert frozen.entry(district, frozen.central).status == S.REJECTED
    # The bureau is told and flagged, not the district: the data is the bureau's to enter.
    told = Notification.objects.filter(kind="rejected")
    assert set(told.values_list("user", flat=True)) == {certifier.pk}
    assert "ข้อมูลส่วนกลาง" in told.first().subject
    assert set(Flag.objects.filter(entry__indicator=frozen.central).values_list("for_side", flat=True)) == {Side.BUREAU}

    bureau_saves(frozen, certifier, frozen.central, {district: {"A": "90", "B": "100"}}, at=at + timedelta(hours=1))
    assert frozen.entry(district, frozen.central).status == S.AWAITING

    sweep(now=fix_by + TICK)
    again = frozen.entry(other_district, frozen.central)
    assert again.status == S.SYSTEM_NO_CENTRAL  # the bureau's again, not "ไม่แก้ไขตามกำหนด" of the district
    assert StatusEvent.objects.filter(entry=again, from_status=S.REJECTED, to_status=S.SYSTEM_NO_CENTRAL).exists()


# --- The round's central-data deadline -----------------------------------------------------------------------


@pytest.mark.parametrize(("central", "message"), [
    (OPENS, "กำหนดส่งข้อมูลส่วนกลางต้องอยู่หลังวันเปิดให้บันทึกข้อมูล"),
    (CERTIFICATION + TICK, "กำหนดส่งข้อมูลส่วนกลางต้องไม่เลยกำหนดรับรองผล"),
])
def test_a_central_deadline_outside_the_round_is_refused_by_the_form_and_the_database(frozen, central, message):
    round_ = Round.objects.select_related("fiscal_year").get(pk=frozen.round.pk)
    round_.central_deadline = central
    with pytest.raises(ValidationError) as refused:
        round_.full_clean()
    assert refused.value.message_dict["central_deadline"] == [message]
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=round_.pk).update(central_deadline=central)


def test_a_central_deadline_from_the_districts_close_to_certification_is_accepted(frozen):
    round_ = Round.objects.select_related("fiscal_year").get(pk=frozen.round.pk)
    for central in (DEADLINE, DEADLINE + timedelta(days=1), CERTIFICATION):
        round_.central_deadline = central
        round_.full_clean()


@pytest.mark.parametrize("late_window", [False, True])
def test_a_central_deadline_before_the_districts_close_is_refused(frozen, late_window):
    """A mixed entry is complete only when the bureau's part comes after the district's: a bureaus' window
    that ends while districts may still report (their deadline, or the late window's end) would leave a
    district's late part waiting for a bureau that can no longer enter anything."""
    round_ = Round.objects.select_related("fiscal_year").get(pk=frozen.round.pk)
    round_.late_until = DEADLINE + timedelta(days=5) if late_window else None
    round_.central_deadline = (round_.late_until or DEADLINE) - TICK
    with pytest.raises(ValidationError) as refused:
        round_.full_clean()
    assert "กำหนดส่งข้อมูลส่วนกลางต้องไม่ก่อนวันสิ้นสุดการรับรายงานของ สพท." in refused.value.message_dict["central_deadline"][0]


# --- What administrators see before the deadline ---------------------------------------------------------------


def test_administrators_see_which_bureaus_still_owe_central_data_to_how_many_districts(
        client, frozen, district, other_district, bureau, other_bureau, certifier, admin_user,
        django_assert_num_queries):
    add_level_by_bureau(frozen, other_bureau)
    mixed = add_mixed(frozen, bureau)
    bureau_saves(frozen, certifier, frozen.central, {district: {"A": "95", "B": "100"}}, at=DEADLINE)
    bureau_saves(frozen, certifier, mixed, {district: {"B": "100"}, other_district: {"B": "100"}}, at=DEADLINE)

    with django_assert_num_queries(1):
        owed = central_data_owed([frozen.round.pk])
    lines = {line.bureau_id: (line.districts, line.entries) for line in owed[frozen.round.pk]}
    # The bureau: only the other district's 1.2 is missing; the other bureau's level: both districts.
    assert lines == {bureau.pk: (1, 1), other_bureau.pk: (2, 2)}

    # The page shows it while the bureaus' window is open (the real clock is before it: move the round there).
    now = timezone.now()
    Round.objects.filter(pk=frozen.round.pk).update(opens_at=now - timedelta(days=9), deadline=now - timedelta(days=1),
                                                   central_deadline=now + timedelta(days=2),
                                                   certification_deadline=now + timedelta(days=5), opened_at=now)
    client.force_login(admin_user)
    html = client.get(reverse("certification:deadlines")).content.decode()
    assert 'data-testid="central-owed"' in html
    assert f"{bureau.name_th}: 1 สพท. (1 รายการ)" in html and f"{other_bureau.name_th}: 2 สพท. (2 รายการ)" in html

    Round.objects.filter(pk=frozen.round.pk).update(central_deadline=now - timedelta(hours=1))
    assert 'data-testid="central-owed"' not in client.get(reverse("certification:deadlines")).content.decode()

"""The whole round in a real browser: an administrator sets the round up (with a late window and seed 002's
0.05 a working day off a late report) and imports its framework from a workbook, publishes it and opens the
round; a district enters its values (a mistake is caught) and attaches evidence; the bureau enters the central
data of the central-only indicator and rejects one entry, the district sees why and fixes it, the bureau
certifies; the deadline passes, a second district reports late in the late window; the worker closes the
round, scoring what the districts did not report but leaving the central-only entries to the bureau; the
bureau's window ends and the system scores those in the bureau's name; the national results, the scorecards
and the XLSX export give the numbers worked out by hand below.

Framework "ปี" (imported): one group, weight 100 —
  1.1  weight 50, quantitative A / B × 100, levels 1–5 at 80, 85, 90, 95, 100 (linear in between)
  1.2  weight 30, pass/fail on a yes/no variable A (pass 5, fail 1)
  1.3  weight 20, quantitative A / B × 100 on two central variables (the finance bureau enters both), the
       same levels: a central-only indicator, closed on the bureau's window, never the district's

1001 (bkk1): 1.1 first 45/50 = 90 → 3.0, rejected, fixed to 48/50 = 96 → 4.2, certified; 1.2 = 1 → 5, certified;
             1.3 (the bureau's) 19/20 = 95 → 4.0, certified; on time
             overall (4.2·50 + 5·30 + 4.0·20) / 100 = 4.40000
1002 (cm1):  reports after the deadline, in the late window: 1.1 44/50 = 88 → 2.6, 1.2 = 1 → 5, certified;
             1.3 18/20 = 90 → 3.0, certified → (2.6·50 + 5·30 + 3.0·20) / 100 = 3.40000; its report was
             complete one working day late (the deadline is the last working moment before it), so the
             report loses 0.05 → 3.35000
The other 12 districts report nothing: the worker scores their 24 district entries 1.00000 at the close; their
12 entries of 1.3 wait for the bureau, and at the end of the bureau's window the system scores them 1.00000
as "no central data" naming the bureau → 1.00000.

On PostgreSQL a real Celery beat and worker (Redis) close the round; on the SQLite pass, which has no
database a worker process could share, the administrator presses the sweep's "run now" button instead.
"""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from indicators.models import FiscalYear, Framework, Group, Indicator, Round, Threshold, Variable
from indicators.workbook import framework_export_xlsx
from krs import thaicalendar
from krs.demo import seed_offices_and_users
from krs.models import Office
from reporting.models import Entry, ReportLateness, StatusEvent
from tests.attachments import samples
from tests.certification.test_deadlines_worker import BROKER, _database_url, _start
from tests.conftest import port_open, require
from tests.e2e.test_attachments_in_browser import files_of
from tests.e2e.test_foundation_in_browser import log_in
from tests.e2e.test_reporting_in_browser import entry_block
from tests.krs.test_celery_worker import stop
from tests.reporting.factories import passed_working_moment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = Decimal
EXPECTED = {"1001": D("4.40000"), "1002": D("3.35000")}


def workbook_file(tmp_path, year: int) -> str:
    """The framework as an administrator would get it: exported from last year's, as a workbook file."""
    last_year, _ = FiscalYear.objects.get_or_create(year=year - 1)
    template = Framework.objects.create(fiscal_year=last_year, code="KPI-ปี", name="คำรับรองการปฏิบัติราชการ (ทดสอบทั้งปี)")
    group = Group.objects.create(framework=template, code="1", name="มิติด้านประสิทธิผล", level_name="มิติ", weight=D(100))
    quantitative = Indicator.objects.create(
        framework=template, group=group, code="1.1", name="ร้อยละของสถานศึกษาที่จัดทำรายงานการเงินถูกต้อง", weight=D(50),
        method=Indicator.Method.QUANTITATIVE, formula="A / B * 100", unit="ร้อยละ", target=D(90), order=1,
        owner=Office.objects.get(code="B-FIN"),
    )
    Variable.objects.create(indicator=quantitative, code="A", name="จำนวนสถานศึกษาที่รายงานถูกต้อง", unit="โรง",
                            kind=Variable.Kind.INTEGER, minimum=D(0), order=1)
    Variable.objects.create(indicator=quantitative, code="B", name="จำนวนสถานศึกษาทั้งหมด", unit="โรง",
                            kind=Variable.Kind.INTEGER, minimum=D(1), order=2)
    Threshold.objects.bulk_create([Threshold(indicator=quantitative, level=n, value=D(v))
                                   for n, v in enumerate((80, 85, 90, 95, 100), start=1)])
    pass_fail = Indicator.objects.create(
        framework=template, group=group, code="1.2", name="ส่งรายงานการตรวจสอบภายในตามกำหนด", weight=D(30), order=2,
        method=Indicator.Method.PASS_FAIL, formula="A", unit="ร้อยละ", owner=Office.objects.get(code="B-FIN"),
    )
    Variable.objects.create(indicator=pass_fail, code="A", name="ส่งรายงานแล้ว", unit="ส่งแล้วกรอก 1 / ไม่ส่งกรอก 0",
                            kind=Variable.Kind.YES_NO, minimum=D(0), maximum=D(1))
    central = Indicator.objects.create(
        framework=template, group=group, code="1.3", name="ร้อยละของสถานศึกษาที่ส่งงบการเงินถูกต้องตามระบบบัญชีภาครัฐ",
        weight=D(20), method=Indicator.Method.QUANTITATIVE, formula="A / B * 100", unit="ร้อยละ", target=D(90),
        order=3, owner=Office.objects.get(code="B-FIN"),
    )
    for code, name, order in (("A", "จำนวนสถานศึกษาที่ส่งงบการเงินถูกต้อง", 1), ("B", "จำนวนสถานศึกษาทั้งหมด", 2)):
        Variable.objects.create(indicator=central, code=code, name=name, unit="โรง", kind=Variable.Kind.INTEGER,
                                minimum=D(0), source=Variable.Source.CENTRAL, order=order)
    Threshold.objects.bulk_create([Threshold(indicator=central, level=n, value=D(v))
                                   for n, v in enumerate((80, 85, 90, 95, 100), start=1)])
    path = tmp_path / "กรอบการประเมินทั้งปี.xlsx"
    path.write_bytes(framework_export_xlsx(framework=template))
    return str(path)


def local(at) -> tuple[str, str]:
    """A moment as an administrator types it in the admin's two boxes: วว/ดด/ปปปป (พ.ศ.) and ชช:นน."""
    at = timezone.localtime(at)
    return f"{at:%d/%m}/{at.year + 543}", at.strftime("%H:%M")


def save(page, code: str, values: dict[str, str]):
    block = entry_block(page, code)
    for variable, text in values.items():
        block.get_by_test_id(f"input-{variable}").fill(text)
    block.get_by_test_id("save").click()
    return block


def close_with_the_worker(round_, tmp_path) -> str:
    """Real beat + worker on Redis and the test database; returns how the round was closed."""
    require(port_open("127.0.0.1", 6379), "Redis is not reachable at 127.0.0.1:6379")
    Celery(broker=BROKER).control.purge()
    env = {"DATABASE_URL": _database_url(), "CELERY_BROKER_URL": BROKER, "CELERY_RESULT_BACKEND": "",
           "KRS_VAR_DIR": str(tmp_path), "KRS_SWEEP_SECONDS": "5"}
    worker = _start(["worker", "--pool=solo", "--concurrency=1", "--without-heartbeat", "--without-gossip",
                     "--without-mingle", "--hostname=year-test@%h", "--loglevel=INFO"], env)
    beat = _start(["beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")], env)
    try:
        give_up = time.monotonic() + 120
        while time.monotonic() < give_up and Round.objects.get(pk=round_.pk).closed_at is None:
            time.sleep(1)
    finally:
        beat_output, worker_output = stop(beat), stop(worker)
    assert Round.objects.get(pk=round_.pk).closed_at is not None, worker_output + beat_output
    assert "Traceback" not in worker_output, worker_output
    return "worker"


def test_the_whole_round_from_the_workbook_to_the_national_results(page, live_server, screenshot_dir, tmp_path):
    seed_offices_and_users()
    now = timezone.now()
    year = thaicalendar.fiscal_year_of(now)
    workbook = workbook_file(tmp_path, year)
    shot = 0

    def screenshot(name: str, full_page=True) -> None:
        nonlocal shot
        shot += 1
        page.screenshot(path=str(screenshot_dir / f"year-{shot:02d}-{name}.png"), full_page=full_page)

    # --- The administrator: the fiscal year and the round in the admin site, the framework from the workbook.
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/indicators/fiscalyear/add/")
    page.locator("#id_year").fill(str(year))
    page.locator("input[name=_save]").click()
    page.get_by_text(str(year)).first.wait_for()
    first, last = thaicalendar.fiscal_year_bounds(year)
    page.goto(f"{live_server.url}/admin/indicators/round/add/")
    page.locator("#id_fiscal_year").select_option(label=f"ปีงบประมาณ {year}")
    page.locator("#id_months").fill("6")
    page.locator("#id_name").fill("รอบ 6 เดือน (ทดสอบทั้งปี)")
    period_end = min(max(now.date(), first), last)
    page.locator("#id_period_end").fill(f"{period_end:%d/%m}/{period_end.year + 543}")
    for field, at in (("opens_at", now - timedelta(hours=1)), ("deadline", now + timedelta(days=5)),
                      ("certification_deadline", now + timedelta(days=30)), ("late_until", now + timedelta(days=10))):
        day, clock = local(at)
        page.locator(f"#id_{field}_0").fill(day)
        page.locator(f"#id_{field}_1").fill(clock)
    # Seed 002: a late report loses 0.05 a working day, off the report's overall score (the default scope).
    page.locator("#id_late_penalty_per_day").fill("0.05")
    screenshot("round")
    page.locator("input[name=_save]").click()
    page.locator(".messagelist .success").wait_for()
    round_ = Round.objects.get(fiscal_year__year=year, months=6)
    assert round_.late_penalty_per_day == D("0.05") and round_.penalty_scope == Round.PenaltyScope.REPORT

    page.goto(f"{live_server.url}/indicators/frameworks/import/")
    page.locator("#id_fiscal_year").select_option(label=f"ปีงบประมาณ {year}")
    page.locator("#id_file").set_input_files(workbook)
    page.get_by_role("button", name="ตรวจสอบไฟล์").click()
    page.get_by_test_id("workbook-preview").wait_for()
    assert page.get_by_test_id("workbook-errors").count() == 0
    screenshot("workbook-checked")
    page.get_by_test_id("workbook-confirm").get_by_role("button", name="ยืนยันนำเข้าทั้งหมด").click()
    page.get_by_test_id("tree").wait_for()
    framework = Framework.objects.get(fiscal_year__year=year, code="KPI-ปี")
    assert framework.status == Framework.Status.DRAFT and framework.indicators.count() == 3

    page.goto(f"{live_server.url}/admin/indicators/framework/?fiscal_year__id__exact={framework.fiscal_year_id}")
    page.locator(f"input[name=_selected_action][value='{framework.pk}']").check()
    page.locator("select[name=action]").select_option("publish")
    page.locator("button[name=index]").click()
    page.locator(".messagelist").wait_for()
    framework.refresh_from_db()
    assert framework.is_published and framework.indicators.count() == 3
    assert framework.indicators.get(code="1.3").variables.filter(source=Variable.Source.CENTRAL).count() == 2

    # Opening the round is the sweep's: the administrator runs it now rather than wait for the next minute.
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("nav").get_by_role("link", name="กำหนดเวลา").click()
    page.get_by_test_id("run-sweep").click()
    page.get_by_test_id("deadline-rounds").wait_for()
    entries = Entry.objects.filter(round=round_)
    assert entries.count() == 14 * 3 and not entries.exclude(status=Entry.Status.NOT_REPORTED).exists()
    screenshot("round-opened")

    # --- District 1001: a mistake is caught and nothing saved; then the values, and evidence.
    page.context.clear_cookies()
    log_in(page, live_server, "bkk1")
    page.get_by_test_id("nav").get_by_role("link", name="บันทึกข้อมูล").click()
    page.wait_for_url(f"**/reporting/rounds/{round_.pk}/")
    block = save(page, "1.1", {"A": "๔๕", "B": "ห้าสิบ"})
    block.get_by_test_id("error-B").wait_for()
    assert not entries.get(office__code="1001", indicator__code="1.1").values.exists()
    screenshot("district-mistake-caught")
    block = save(page, "1.1", {"B": "50"})
    block.get_by_test_id("saved").wait_for()
    assert block.get_by_test_id("result").inner_text() == "90" and block.get_by_test_id("score").inner_text() == "3.0000"
    block = save(page, "1.2", {"A": "1"})
    block.get_by_test_id("saved").wait_for()
    assert block.get_by_test_id("score").inner_text() == "5.0000"
    pdf = tmp_path / "รายงานการเงิน ๒๕๖๙.pdf"
    pdf.write_bytes(samples.pdf_bytes())
    files = files_of(page, "1.1")
    files.get_by_test_id("attach").locator("summary").click()
    files.get_by_test_id("file-input").set_input_files(str(pdf))
    files.get_by_test_id("description").fill("รายงานการเงินของสถานศึกษา")
    files.get_by_test_id("attach-submit").click()
    files_of(page, "1.1").get_by_test_id("files-notice").wait_for()
    screenshot("district-saved-with-evidence")

    # The central-only 1.3 is not the district's to enter: its page says it waits for the bureau.
    assert "สำนักการคลังและสินทรัพย์" in entry_block(page, "1.3").get_by_test_id("central-wait").inner_text()

    # --- The bureau enters the central data of 1.3 for two districts on its grid.
    page.context.clear_cookies()
    log_in(page, live_server, "finance")
    central = framework.indicators.get(code="1.3")
    page.goto(f"{live_server.url}/reporting/central/{round_.pk}/{central.pk}/")
    for office, (a, b) in (("1001", ("19", "20")), ("1002", ("18", "20"))):
        page.get_by_test_id(f"input-{office}-A").fill(a)
        page.get_by_test_id(f"input-{office}-B").fill(b)
    page.get_by_test_id("grid-form").get_by_test_id("save").click()
    page.locator(".alert-success").first.wait_for()
    screenshot("bureau-central-data")
    for office, result in (("1001", D(95)), ("1002", D(90))):
        entry = entries.get(office__code=office, indicator__code="1.3")
        assert entry.status == Entry.Status.AWAITING and entry.result == result

    # --- The bureau: rejects 1001's 1.1 with a reason and a fix deadline, certifies 1001's 1.2 and both 1.3s.
    page.goto(f"{live_server.url}/certification/?round={round_.pk}&status=awaiting")
    assert page.get_by_test_id("queue-entry").count() == 4
    screenshot("bureau-queue")
    rejected = entries.get(office__code="1001", indicator__code="1.1")
    page.goto(f"{live_server.url}/certification/entries/{rejected.pk}/")
    page.get_by_test_id("reject-comment").fill("จำนวนสถานศึกษาที่รายงานถูกต้องไม่ตรงกับรายงานที่แนบ กรุณาตรวจสอบ")
    fix_by = timezone.localtime(now + timedelta(days=2))
    page.get_by_test_id("fix-deadline").fill(f"{fix_by:%d/%m}/{fix_by.year + 543} {fix_by:%H:%M}")  # typed in พ.ศ.
    page.get_by_test_id("reject").click()
    page.get_by_test_id("rejection").wait_for()
    screenshot("bureau-rejects")
    for office, code in (("1001", "1.2"), ("1001", "1.3"), ("1002", "1.3")):
        page.goto(f"{live_server.url}/certification/entries/{entries.get(office__code=office, indicator__code=code).pk}/")
        page.get_by_test_id("certify").click()
        page.get_by_test_id("official-score").get_by_text("0000").wait_for()

    # --- District 1001 sees the flag and the reason, and fixes its entry; the bureau certifies it.
    page.context.clear_cookies()
    log_in(page, live_server, "bkk1")
    page.goto(f"{live_server.url}/reporting/rounds/{round_.pk}/")
    block = entry_block(page, "1.1")
    assert "ไม่ตรงกับรายงานที่แนบ" in block.get_by_test_id("rejection").inner_text()
    screenshot("district-sees-rejection")
    block = save(page, "1.1", {"A": "48"})
    block.get_by_test_id("saved").wait_for()
    assert block.get_by_test_id("score").inner_text() == "4.2000"
    page.context.clear_cookies()
    log_in(page, live_server, "finance")
    page.goto(f"{live_server.url}/certification/entries/{rejected.pk}/")
    page.get_by_test_id("certify").click()
    page.get_by_test_id("official-score").get_by_text("4.20000").wait_for()
    screenshot("bureau-certifies-the-fix")
    assert entries.filter(status=Entry.Status.CERTIFIED).count() == 4

    # --- The deadline passes (on a weekend or holiday it would count on the next working day: take the last
    # working one); the late window is still open, and district 1002 reports now, late.
    passed = passed_working_moment(timezone.now() - timedelta(minutes=1))
    Round.objects.filter(pk=round_.pk).update(opens_at=passed - timedelta(hours=2), deadline=passed)
    # 1001 reported seconds ago, before the deadline this test moves: date its reports so, as they were.
    Entry.objects.filter(round=round_, office__code="1001", first_reported_at__isnull=False).update(
        first_reported_at=passed - timedelta(minutes=30))
    page.context.clear_cookies()
    log_in(page, live_server, "cm1")
    page.goto(f"{live_server.url}/reporting/rounds/{round_.pk}/")
    page.get_by_test_id("late-window").wait_for()
    save(page, "1.1", {"A": "44", "B": "50"}).get_by_test_id("saved").wait_for()
    save(page, "1.2", {"A": "1"}).get_by_test_id("saved").wait_for()
    assert entry_block(page, "1.1").get_by_test_id("score").inner_text() == "2.6000"
    screenshot("district-reports-late")
    page.context.clear_cookies()
    log_in(page, live_server, "finance")
    for code in ("1.1", "1.2"):
        page.goto(f"{live_server.url}/certification/entries/{entries.get(office__code='1002', indicator__code=code).pk}/")
        page.get_by_test_id("certify").click()
        page.get_by_test_id("official-score").get_by_text("0000").wait_for()
    assert entries.filter(status=Entry.Status.CERTIFIED).count() == 6

    # --- The late window ends; the worker closes the round: what the districts did not report is 1.00000.
    Round.objects.filter(pk=round_.pk).update(late_until=max(passed + timedelta(seconds=1),
                                                             timezone.now() - timedelta(seconds=1)))
    if connection.vendor == "postgresql":
        closed_by = close_with_the_worker(round_, tmp_path)
    else:
        assert os.environ.get("KRS_EXPECT_DB") != "postgresql"
        page.context.clear_cookies()
        log_in(page, live_server, "admin")
        page.goto(f"{live_server.url}/certification/deadlines/")
        page.get_by_test_id("run-sweep").click()
        page.get_by_test_id("deadline-rounds").wait_for()
        closed_by = "button"
    assert Round.objects.get(pk=round_.pk).closed_at is not None, closed_by
    system = entries.filter(status=Entry.Status.SYSTEM_UNREPORTED)
    assert system.count() == 24 and set(system.values_list("official_score", flat=True)) == {D("1.00000")}
    assert set(system.values_list("indicator__code", flat=True)) == {"1.1", "1.2"}
    # The central-only entries are the bureau's: not scored at the district's close, still waiting.
    waiting = entries.filter(indicator__code="1.3", status=Entry.Status.NOT_REPORTED)
    assert waiting.count() == 12
    # The report of 1002 was complete one working day late (seed 002: 0.05 a working day); 1001's on time.
    lateness = {row.office.code: row for row in ReportLateness.objects.filter(round=round_).select_related("office")}
    assert (lateness["1002"].late_days, lateness["1002"].penalty) == (1, D("0.05000"))
    assert (lateness["1001"].late_days, lateness["1001"].penalty) == (0, D("0"))
    page.context.clear_cookies()
    log_in(page, live_server, "sec-bkk1")
    page.goto(f"{live_server.url}/reporting/rounds/{round_.pk}/")
    assert "สำนักการคลังและสินทรัพย์" in entry_block(page, "1.3").get_by_test_id("central-wait").inner_text()
    entry_block(page, "1.1").get_by_test_id("system-score").wait_for()
    screenshot("district-closed-central-waits")
    page.context.clear_cookies()
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/certification/deadlines/")
    owed = page.locator(f'[data-testid="central-owed"][data-round="{round_.pk}"]')
    assert "สำนักการคลังและสินทรัพย์: 12 สพท." in owed.inner_text()
    screenshot("round-closed")

    # --- The bureau's window for central data ends without the other twelve: the system scores them 1.00000,
    # in the bureau's name, not the districts'.
    Round.objects.filter(pk=round_.pk).update(central_deadline=timezone.now() - timedelta(seconds=1))
    page.goto(f"{live_server.url}/certification/deadlines/")
    page.get_by_test_id("run-sweep").click()
    page.get_by_test_id("deadline-rounds").wait_for()
    no_central = entries.filter(status=Entry.Status.SYSTEM_NO_CENTRAL)
    assert no_central.count() == 12 and set(no_central.values_list("official_score", flat=True)) == {D("1.00000")}
    assert not entries.filter(status=Entry.Status.NOT_REPORTED).exists()
    comments = set(StatusEvent.objects.filter(entry__in=no_central, by__isnull=True).values_list("comment", flat=True))
    assert len(comments) == 1 and "สำนักการคลังและสินทรัพย์" in comments.pop()

    # --- The executive: the national results, a scorecard and the XLSX give the numbers worked out above.
    page.context.clear_cookies()
    log_in(page, live_server, "executive")
    page.goto(f"{live_server.url}/reports/national/?round={round_.pk}&framework={framework.pk}")
    rows = {row.get_attribute("data-office"): (D(row.get_attribute("data-overall")), row.get_attribute("data-rank"))
            for row in page.get_by_test_id("rank-row").all()}
    assert len(rows) == 14
    assert rows["1001"] == (EXPECTED["1001"], "1") and rows["1002"] == (EXPECTED["1002"], "2")
    assert {score for code, (score, _rank) in rows.items() if code not in EXPECTED} == {D("1.00000")}
    screenshot("national-results")
    with page.expect_download() as download:
        page.get_by_test_id("export-ranking").get_by_role("link", name="XLSX").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True).active
    exported = {row[1]: D(str(row[4])).quantize(D("0.00001")) for row in list(sheet.iter_rows(values_only=True))[1:]}
    assert exported == {code: score for code, (score, _rank) in rows.items()}

    page.locator('[data-testid="rank-row"][data-office="1001"]').get_by_role("link", name="ผลการประเมิน").click()
    scorecard = page.get_by_test_id("scorecard")
    assert D(scorecard.get_by_test_id("overall").get_attribute("data-value")) == EXPECTED["1001"]
    lines = {line.get_attribute("data-code"): line.get_attribute("data-score")
             for line in scorecard.locator('[data-testid="line"][data-kind="indicator"]').all()}
    assert lines == {"1.1": "4.20000", "1.2": "5.00000", "1.3": "4.00000"}
    screenshot("scorecard-1001")

    # 1002's scorecard: the late report's penalty comes off its overall score, and says so.
    page.goto(f"{live_server.url}/reports/national/?round={round_.pk}&framework={framework.pk}")
    page.locator('[data-testid="rank-row"][data-office="1002"]').get_by_role("link", name="ผลการประเมิน").click()
    scorecard = page.get_by_test_id("scorecard")
    assert D(scorecard.get_by_test_id("overall").get_attribute("data-value")) == EXPECTED["1002"]
    late = page.get_by_test_id("report-lateness").inner_text()
    assert "ส่งช้า 1 วันทำการ หัก 0.05000 คะแนน" in late and "3.40000" in late
    screenshot("scorecard-1002-late")

"""The report pages: who may see them, what they show, their exports (parsed back) and their query budgets."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from krs.models import Office
from reporting.models import Entry
from reporting.services import round_open
from reports import scorecard
from tests.reports.reports_fixtures import D_OVERALL, E_OVERALL, add_snapshots, build_report_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_world(district, other_district, bureau, other_bureau):
    return build_report_world(district, other_district, bureau, other_bureau)
D = Decimal


def scorecard_url(world, office, name="reports:scorecard"):
    return reverse(name, args=[office.pk, world.round.pk])


def export_url(world, office, table, fmt):
    return reverse("reports:scorecard_export", args=[office.pk, world.round.pk, table, fmt])


def read_xlsx(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return book.active


def read_csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


class TestWhoSeesWhat:
    def test_anonymous_is_sent_to_log_in(self, client, report_world):
        for url in (scorecard_url(report_world, report_world.district), reverse("reports:national"),
                    reverse("reports:progress")):
            response = client.get(url)
            assert response.status_code == 302 and "login" in response["Location"]

    def test_a_district_sees_its_own_scorecard_only(self, client, report_world, district_user):
        client.force_login(district_user)
        assert client.get(scorecard_url(report_world, report_world.district)).status_code == 200
        assert client.get(scorecard_url(report_world, report_world.other)).status_code == 404
        assert client.get(export_url(report_world, report_world.other, "indicators", "csv")).status_code == 404
        assert client.get(scorecard_url(report_world, report_world.other, "reports:scorecard_print")).status_code == 404

    def test_a_district_is_sent_to_its_scorecard_in_its_current_round(self, client, report_world, district_user):
        client.force_login(district_user)
        response = client.get(reverse("reports:scorecard_home"))
        assert response.status_code == 302
        assert response["Location"] == scorecard_url(report_world, report_world.district)

    def test_a_bureau_sees_no_scorecard_and_no_national_results(self, client, report_world, certifier):
        client.force_login(certifier)
        assert client.get(scorecard_url(report_world, report_world.district)).status_code == 404
        assert client.get(reverse("reports:national")).status_code == 403
        assert client.get(reverse("reports:national_indicators")).status_code == 403
        assert client.get(reverse("reports:national_export", args=["ranking", "xlsx"])).status_code == 403
        assert client.get(reverse("reports:progress_export", args=["unreported", "csv"])).status_code == 403

    def test_a_bureau_sees_its_own_progress(self, client, report_world, certifier):
        client.force_login(certifier)
        response = client.get(reverse("reports:progress"))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="unreported"' not in html
        assert html.count('data-testid="waiting-row"') == 1 and 'data-bureau="B01"' in html

    def test_a_district_sees_no_national_results_or_progress(self, client, report_world, district_user):
        client.force_login(district_user)
        assert client.get(reverse("reports:national")).status_code == 403
        assert client.get(reverse("reports:progress")).status_code == 403

    @pytest.mark.parametrize("who", ["admin_user", "executive"])
    def test_administrators_and_executives_see_everything(self, client, report_world, who, request):
        client.force_login(request.getfixturevalue(who))
        for url in (scorecard_url(report_world, report_world.district), scorecard_url(report_world, report_world.other),
                    reverse("reports:national"), reverse("reports:national_indicators"),
                    reverse("reports:national_bureaus"), reverse("reports:progress")):
            assert client.get(url).status_code == 200, url

    def test_a_round_without_the_districts_entries_is_not_found(self, client, report_world, admin_user):
        from indicators.models import Round

        client.force_login(admin_user)
        other = Round.objects.create(fiscal_year=report_world.round.fiscal_year, months=9,
                                     period_end=report_world.round.period_end, opens_at=report_world.round.opens_at,
                                     deadline=report_world.round.deadline,
                                     certification_deadline=report_world.round.certification_deadline)
        assert client.get(reverse("reports:scorecard", args=[report_world.district.pk, other.pk])).status_code == 404

    def test_an_unknown_export_is_not_found(self, client, report_world, admin_user):
        client.force_login(admin_user)
        assert client.get(export_url(report_world, report_world.district, "indicators", "pdf")).status_code == 404
        assert client.get(export_url(report_world, report_world.district, "nothing", "csv")).status_code == 404
        assert client.get(reverse("reports:national_export", args=["nothing", "csv"])).status_code == 404


class TestScorecardPage:
    def test_it_shows_the_hand_computed_scores(self, client, report_world, district_user):
        client.force_login(district_user)
        html = client.get(scorecard_url(report_world, report_world.district)).content.decode()
        assert f'data-testid="overall" data-value="{D_OVERALL}"' in html
        assert 'data-code="1.2" data-score="3.10000" data-share="20.00000"' in html
        assert 'data-code="2" data-score="2.33333" data-share="40.00000"' in html
        assert 'data-testid="late-penalty"' in html and "0.10000" in html
        assert "ไม่ประเมินในรอบนี้" in html  # 2.4: only in R12
        assert 'data-code="2.5"' not in html  # สพม. only
        assert 'data-testid="no-snapshots"' in html
        assert "<svg" in html  # the overall score over the rounds

    def test_it_shows_the_weeks_when_there_are_snapshots(self, client, report_world, district_user):
        add_snapshots(report_world)
        client.force_login(district_user)
        html = client.get(scorecard_url(report_world, report_world.district)).content.decode()
        assert html.count('data-testid="week"') == 2 and "2.05000" in html
        assert 'data-testid="no-snapshots"' not in html

    def test_its_queries_do_not_grow_with_the_indicators(self, client, report_world, district_user):
        add_snapshots(report_world)
        client.force_login(district_user)
        url = scorecard_url(report_world, report_world.district)
        client.get(url)
        with CaptureQueriesContext(connection) as first:
            client.get(url)
        from indicators.models import Indicator

        for n in range(10):
            Indicator.objects.create(framework=report_world.framework, group=report_world.groups["1"], code=f"1.{n + 10}",
                                     name="เพิ่ม", weight=D(1), method=Indicator.Method.PASS_FAIL, formula="A")
        round_open(round_=report_world.round)
        with CaptureQueriesContext(connection) as second:
            client.get(url)
        # session, user, the office, then scorecard.scorecard (rounds, frameworks, framework_tree 8, entries,
        # the report's lateness, snapshots), the menu's unread notifications
        assert len(first) == len(second) == 17


class TestScorecardExports:
    def test_the_xlsx_holds_the_same_numbers_as_numbers(self, client, report_world, district_user):
        client.force_login(district_user)
        response = client.get(export_url(report_world, report_world.district, "indicators", "xlsx"))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = read_xlsx(response)
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[0]
        assert header[1] == "ตัวชี้วัด / มิติ" and "คะแนนที่นับ" in header
        counted = header.index("คะแนนที่นับ")
        by_code = {row[0]: row for row in rows[1:]}
        assert D(str(by_code["1.2"][counted])) == D("3.1")
        assert by_code["1.2"][1] == "ร้อยละของโรงเรียนที่ผ่านเกณฑ์ 1.2"
        assert by_code["1.2"][3] == "รับรองผล"
        assert D(str(rows[-1][counted])).quantize(D("0.00001")) == D_OVERALL
        cell = next(c for c in sheet[sheet.max_row] if c.column == counted + 1)
        assert cell.data_type == "n" and cell.number_format == "0.00000"

    def test_the_csv_has_a_bom_and_plain_decimals(self, client, report_world, district_user):
        client.force_login(district_user)
        rows = read_csv(client.get(export_url(report_world, report_world.district, "indicators", "csv")))
        counted = rows[0].index("คะแนนที่นับ")
        by_code = {row[0]: row for row in rows[1:]}
        assert by_code["1.2"][counted] == "3.10000"
        assert by_code["2"][counted] == "2.33333"
        assert by_code["2.4"][counted] == ""
        assert rows[-1][counted] == str(D_OVERALL)

    def test_the_rounds_and_weeks_tables_export_too(self, client, report_world, district_user):
        add_snapshots(report_world)
        client.force_login(district_user)
        rounds = read_csv(client.get(export_url(report_world, report_world.district, "rounds", "csv")))
        assert rounds[-1][2:] == [str(D_OVERALL), "1.00000"]
        weeks = read_csv(client.get(export_url(report_world, report_world.district, "weeks", "csv")))
        assert [row[1] for row in weeks[1:]] == ["1.00000", "2.05000"]
        sheet = read_xlsx(client.get(export_url(report_world, report_world.district, "weeks", "xlsx")))
        assert D(str(sheet.cell(row=3, column=2).value)) == D("2.05")


class TestNationalPages:
    def test_the_ranking_shows_every_district_ranked(self, client, report_world, executive):
        client.force_login(executive)
        html = client.get(reverse("reports:national")).content.decode()
        assert f'data-office="1001" data-overall="{D_OVERALL}" data-rank="1"' in html
        assert f'data-office="2001" data-overall="{E_OVERALL}" data-rank="2"' in html
        assert 'aria-sort="ascending"' in html  # by rank
        assert "<svg" in html  # the distribution of the overall scores

    def test_it_sorts_and_filters(self, client, report_world, executive):
        client.force_login(executive)
        html = client.get(reverse("reports:national"), {"sort": "overall"}).content.decode()
        assert html.index('data-office="2001"') < html.index('data-office="1001"')
        html = client.get(reverse("reports:national"), {"kind": "primary"}).content.decode()
        assert 'data-office="1001"' in html and 'data-office="2001"' not in html

    def test_the_ranking_and_the_scorecards_agree_exactly(self, client, report_world, executive):
        client.force_login(executive)
        rows = read_csv(client.get(reverse("reports:national_export", args=["ranking", "csv"])))
        overall = rows[0].index("คะแนนรวมถ่วงน้ำหนัก")
        for row in rows[1:]:
            office = Office.objects.get(code=row[1])
            card = scorecard.scorecard(office=office, round_=report_world.round)
            assert D(row[overall]) == card.overall
            scorecard_csv = read_csv(client.get(export_url(report_world, office, "indicators", "csv")))
            assert D(scorecard_csv[-1][7]) == card.overall

    def test_the_ranking_xlsx_and_csv(self, client, report_world, admin_user):
        client.force_login(admin_user)
        sheet = read_xlsx(client.get(reverse("reports:national_export", args=["ranking", "xlsx"])))
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:5] == ("อันดับ", "รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ประเภท", "คะแนนรวมถ่วงน้ำหนัก")
        assert rows[0][5:12] == tuple(str(label) for _v, label in Entry.Status.choices)
        assert rows[1][:4] == (1, "1001", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษากรุงเทพมหานคร", "สพป.")
        assert D(str(rows[1][4])) == D("3.00333") and D(str(rows[2][4])) == D("1.74286")
        assert rows[1][5:] == (0, 1, 1, 4, 0, 0, 0, 6, None, None)  # no late report: no days, no penalty
        assert sheet.cell(row=2, column=5).number_format == "0.00000"
        rows = read_csv(client.get(reverse("reports:national_export", args=["ranking", "csv"]), {"kind": "secondary"}))
        assert [row[:5] for row in rows[1:]] == [
            ["1", "2001", "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาเชียงใหม่", "สพม.", "1.74286"]]

    def test_the_indicator_table_and_its_exports(self, client, report_world, admin_user):
        client.force_login(admin_user)
        html = client.get(reverse("reports:national_indicators")).content.decode()
        assert 'data-code="1.1" data-average="2.75000"' in html
        rows = read_csv(client.get(reverse("reports:national_export", args=["indicators", "csv"])))
        by_code = {row[0]: row for row in rows[1:]}
        average = rows[0].index("คะแนนเฉลี่ย")
        assert by_code["1.1"][average] == "2.75000"
        assert by_code["1.1"][average + 1:] == ["1", "0", "0", "1", "0"]
        sheet = read_xlsx(client.get(reverse("reports:national_export", args=["indicators", "xlsx"])))
        assert D(str(sheet.cell(row=2, column=average + 1).value)) == D("2.75")

    def test_the_bureau_table_and_its_exports(self, client, report_world, admin_user):
        client.force_login(admin_user)
        html = client.get(reverse("reports:national_bureaus")).content.decode()
        assert html.count('data-testid="bureau-row"') == 2 and "<svg" in html
        rows = read_csv(client.get(reverse("reports:national_export", args=["bureaus", "csv"])))
        assert rows[1][0] == "สำนักการคลังและสินทรัพย์"
        assert rows[1][-1] == "3" and rows[2][-1] == "10"
        sheet = read_xlsx(client.get(reverse("reports:national_export", args=["bureaus", "xlsx"])))
        assert sheet.cell(row=3, column=sheet.max_column).value == 10

    def test_the_ranking_page_queries_do_not_grow_with_the_districts(self, client, report_world, executive):
        client.force_login(executive)
        url = reverse("reports:national")
        client.get(url)
        with CaptureQueriesContext(connection) as two:
            response = client.get(url)
        assert response.content.decode().count('data-testid="rank-row"') == 2
        Office.objects.bulk_create([Office(code=f"3{n:03d}", kind=Office.Kind.PRIMARY, name_th=f"สพป. ทดสอบ {n}")
                                    for n in range(60)])
        round_open(round_=report_world.round)
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        assert response.content.decode().count('data-testid="rank-row"') == 62
        # session, user; the rounds and frameworks of the filters; national_ranking (12); the menu's notifications
        assert len(two) == len(many) == 17


class TestProgressPage:
    def test_it_lists_who_has_to_act_and_exports_each_list(self, client, report_world, executive):
        client.force_login(executive)
        html = client.get(reverse("reports:progress")).content.decode()
        assert 'data-testid="unreported-row" data-office="2001" data-count="1"' in html
        assert html.index('data-bureau="B02"') < html.index('data-bureau="B01"')
        assert html.count('data-testid="fix-row"') == 1
        rows = read_csv(client.get(reverse("reports:progress_export", args=["unreported", "csv"])))
        assert rows[1][:3] == ["2001", "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาเชียงใหม่", "1"]
        rows = read_csv(client.get(reverse("reports:progress_export", args=["waiting", "csv"])))
        assert [row[3] for row in rows[1:]] == ["10", "3"]
        sheet = read_xlsx(client.get(reverse("reports:progress_export", args=["fixes", "xlsx"])))
        assert sheet.cell(row=2, column=1).value == "1001" and sheet.cell(row=2, column=3).value == "2.1"


class TestPrint:
    def test_the_print_page_is_an_official_report(self, client, report_world, district_user):
        client.force_login(district_user)
        response = client.get(scorecard_url(report_world, report_world.district, "reports:scorecard_print"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "รายงานผลการประเมินตัวชี้วัด" in html
        assert f"ปีงบประมาณ พ.ศ. {report_world.round.fiscal_year.year}" in html
        assert f'data-testid="print-overall">{D_OVERALL}' in html
        assert "พิมพ์เมื่อ" in html

    def test_the_pdf_is_a_pdf(self, client, report_world, district_user):
        client.force_login(district_user)
        response = client.get(scorecard_url(report_world, report_world.district, "reports:scorecard_pdf"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert client.get(scorecard_url(report_world, report_world.other, "reports:scorecard_pdf")).status_code == 404

    def test_the_pdf_text_is_the_thai_that_was_printed(self, client, report_world, district_user):
        """Extracted text (search, copy, screen readers) equals what the sheet shows; only whitespace differs."""
        client.force_login(district_user)
        response = client.get(scorecard_url(report_world, report_world.district, "reports:scorecard_pdf"))
        text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.content)).pages)
        printed = [report_world.district.name_th, "รายงานผลการประเมินตัวชี้วัด", "น้ำหนัก(ร้อยละ)", "คะแนนรวมถ่วงน้ำหนัก",
                   "คะแนนประเมินตนเอง", "มิติด้านประสิทธิผล", "มิติด้านคุณภาพ", report_world.framework.name,
                   *(indicator.name for code, indicator in report_world.indicators.items() if code != "2.5")]  # 2.5: not primary
        for expected in printed:
            assert "".join(expected.split()) in text, expected

    def test_the_pdf_is_named_by_office_round_and_framework(self, client, report_world, district_user):
        """The agreement and the PMQA of one round are two files, not one name for both."""
        client.force_login(district_user)
        response = client.get(scorecard_url(report_world, report_world.district, "reports:scorecard_pdf"))
        year = report_world.round.fiscal_year.year
        assert response["Content-Disposition"].startswith(f'attachment; filename="scorecard-1001-{year}-6m-K.pdf"')

    def test_the_grand_total_is_printed_once_after_the_last_row(self, client, report_world, district_user):
        """Not a table footer: a footer group repeats at the foot of every printed page."""
        client.force_login(district_user)
        html = client.get(scorecard_url(report_world, report_world.district, "reports:scorecard_print")).content.decode()
        assert "<tfoot" not in html
        table = html[html.index('data-testid="print-scorecard"'):html.index("</table>")]
        assert table.index('data-testid="print-overall"') > table.rindex("ร้อยละของโรงเรียนที่ผ่านเกณฑ์")

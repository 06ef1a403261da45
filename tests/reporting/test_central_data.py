"""Central data (ข้อมูลส่วนกลาง): the owning bureau enters values for every district, on the grid or from a file."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators.models import Indicator, Variable
from indicators.numbers import format_value
from krs.models import Office, Role
from reporting.central import central_parse_upload, central_save
from reporting.compute import indicator_config
from reporting.models import Entry, StatusEvent, Value, ValueChange
from tests.conftest import make_office, make_user
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world(district, other_district, bureau):
    return open_world(bureau=bureau)


def grid_url(world):
    return reverse("reporting:central_grid", args=[world.round.pk, world.central.pk])


def upload_url(world):
    return reverse("reporting:central_upload", args=[world.round.pk, world.central.pk])


def confirm_url(world):
    return reverse("reporting:central_upload_confirm", args=[world.round.pk, world.central.pk])


def grid_post(world, typed: dict[Office, dict[str, str]], versions: dict[Office, int] | None = None) -> dict:
    """What the browser posts: every row with its version and its boxes, as shown unless typed over."""
    data = {}
    rows = []
    for entry in Entry.objects.filter(indicator=world.central, round=world.round).select_related("office"):
        rows.append(str(entry.pk))
        data[f"version-{entry.pk}"] = (versions or {}).get(entry.office, entry.version)
        held = values_of(entry)
        for code in "AB":
            shown = format_value(held.get(code))
            data[f"e{entry.pk}-{code}"] = typed.get(entry.office, {}).get(code, shown)
    data["row"] = rows
    return data


def values_of(entry) -> dict[str, Decimal | None]:
    return {v.variable.code: v.value for v in Value.objects.filter(entry=entry).select_related("variable")}


def csv_file(text: str, *, encoding="utf-8-sig", name="central.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.replace("\n", "\r\n").encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list]) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("central.xlsx", buffer.getvalue())


def upload_and_confirm(client, world, file):
    preview = client.post(upload_url(world), {"file": file})
    assert preview.status_code == 200
    digest = preview.context["confirm"]["digest"].value()
    return preview, client.post(confirm_url(world), {"digest": digest})


# --- Who may ----------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client, world):
    for url in (reverse("reporting:central_list"), grid_url(world), upload_url(world)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["district_user", "executive", "admin_user"])
def test_anyone_but_a_bureau_certifier_is_refused(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reporting:central_list")).status_code == 403
    assert client.get(grid_url(world)).status_code == 403
    assert client.post(grid_url(world), grid_post(world, {})).status_code == 403
    assert client.get(upload_url(world)).status_code == 403


def test_another_bureaus_indicator_does_not_exist_for_its_certifiers(client, world, other_certifier, district):
    client.force_login(other_certifier)
    assert client.get(grid_url(world)).status_code == 404
    assert client.post(grid_url(world), grid_post(world, {district: {"A": "90", "B": "100"}})).status_code == 404
    assert client.get(upload_url(world)).status_code == 404
    template = reverse("reporting:central_template", args=[world.round.pk, world.central.pk, "csv"])
    assert client.get(template).status_code == 404
    assert not Value.objects.exists()
    assert "1.2" not in client.get(reverse("reporting:central_list")).content.decode()


def test_an_indicator_without_central_variables_has_no_grid(client, world, certifier):
    client.force_login(certifier)
    url = reverse("reporting:central_grid", args=[world.round.pk, world.quantitative.pk])
    assert client.get(url).status_code == 404


# --- The list and the grid ----------------------------------------------------------------------------


def test_the_list_shows_the_bureaus_indicators_with_the_districts_missing_data(client, world, certifier, district):
    client.force_login(certifier)
    central_save(user=certifier, indicator=world.central, round_=world.round,
                 rows={world.entry(district, world.central).pk: {"A": "90", "B": "100"}},
                 versions=None, source=ValueChange.Source.CENTRAL_GRID)
    response = client.get(reverse("reporting:central_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="1.2"' in html and 'data-code="1.1"' not in html  # 1.1 has no central variable
    (line,) = response.context["rounds"][0][1]
    assert (line.total, line.missing, line.certified) == (2, 1, 0)
    assert grid_url(world) in html


def test_the_grid_shows_every_district_with_a_box_per_central_variable(client, world, certifier, district, other_district):
    client.force_login(certifier)
    response = client.get(grid_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="grid-row"') == 2
    for office in (district, other_district):
        assert f'data-testid="input-{office.code}-A"' in html and f'data-testid="input-{office.code}-B"' in html
        assert office.name_th in html
    assert "ยังไม่รายงานผล" in html and 'data-testid="save"' in html


# --- Saving the grid ----------------------------------------------------------------------------------


def test_saving_the_grid_stores_the_values_scores_them_and_makes_the_entry_awaiting(
        client, world, certifier, district, other_district):
    client.force_login(certifier)
    response = client.post(grid_url(world), grid_post(world, {district: {"A": "90", "B": "100"}}), follow=True)
    assert response.status_code == 200
    assert "บันทึกข้อมูลส่วนกลางของตัวชี้วัด 1.2 แล้ว: เปลี่ยนแปลง 1 หน่วยงาน" in response.content.decode()
    entry = world.entry(district, world.central)
    assert values_of(entry) == {"A": 90, "B": 100}
    assert (entry.result, entry.self_score, entry.status, entry.version) == (D(90), D("3.00000"), "awaiting", 1)
    changes = ValueChange.objects.filter(entry=entry).order_by("field")
    assert [(c.field, c.old_value, c.new_value, c.source, c.changed_by) for c in changes] == [
        ("A", "", "90", "central_grid", certifier), ("B", "", "100", "central_grid", certifier)]
    event = StatusEvent.objects.get(entry=entry)
    assert (event.from_status, event.to_status, event.by) == ("not_reported", "awaiting", certifier)
    # The other district's row was posted blank, as it was: nothing written, nothing audited.
    other = world.entry(other_district, world.central)
    assert (other.version, other.status, values_of(other)) == (0, "not_reported", {})
    assert not ValueChange.objects.filter(entry=other).exists()


def test_saving_unchanged_rows_writes_no_audit_rows(client, world, certifier, district):
    client.force_login(certifier)
    client.post(grid_url(world), grid_post(world, {district: {"A": "90", "B": "100"}}))
    response = client.post(grid_url(world), grid_post(world, {}), follow=True)
    assert "ไม่มีค่าที่เปลี่ยนแปลง" in response.content.decode()
    assert ValueChange.objects.count() == 2
    assert world.entry(district, world.central).version == 1


def test_a_blank_box_removes_the_value_and_the_entry_goes_back_to_not_reported(client, world, certifier, district):
    client.force_login(certifier)
    client.post(grid_url(world), grid_post(world, {district: {"A": "90", "B": "100"}}))
    client.post(grid_url(world), grid_post(world, {district: {"B": ""}}))
    entry = world.entry(district, world.central)
    assert values_of(entry) == {"A": 90, "B": None}
    assert (entry.status, entry.self_score) == ("not_reported", None)
    change = ValueChange.objects.get(entry=entry, field="B", version=2)
    assert (change.old_value, change.new_value) == ("100", "")


def test_an_invalid_box_saves_nothing_and_says_why_in_thai(client, world, certifier, district, other_district):
    client.force_login(certifier)
    typed = {district: {"A": "๙๐", "B": "1,000"}, other_district: {"A": "12.5", "B": "-3"}}
    response = client.post(grid_url(world), grid_post(world, typed))
    assert response.status_code == 422
    html = response.content.decode()
    assert "ยังไม่ได้บันทึก" in html
    assert "ต้องเป็นจำนวนเต็ม (ไม่มีทศนิยม)" in html and "ต้องไม่น้อยกว่า 0" in html
    assert f'data-testid="error-{other_district.code}-A"' in html and f'data-testid="error-{district.code}-A"' not in html
    assert 'value="๙๐"' in html and 'value="12.5"' in html  # what was typed stays in the boxes
    assert not Value.objects.exists() and not ValueChange.objects.exists()
    assert world.entry(district, world.central).version == 0


def test_a_row_someone_saved_since_the_grid_was_read_is_a_conflict(client, world, certifier, bureau, district):
    colleague = make_user("certifier1b", bureau, Role.BUREAU_CERTIFIER)
    client.force_login(certifier)
    stale = grid_post(world, {district: {"A": "85", "B": "100"}})
    central_save(user=colleague, indicator=world.central, round_=world.round,
                 rows={world.entry(district, world.central).pk: {"A": "95", "B": "100"}},
                 versions=None, source=ValueChange.Source.CENTRAL_GRID)
    response = client.post(grid_url(world), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "มีผู้บันทึกข้อมูลของหน่วยงานต่อไปนี้ก่อนคุณ" in html and district.code in html
    assert 'data-testid="conflict"' in html and "certifier1b" in html
    assert 'value="95"' in html and "คุณพิมพ์: 85" in html  # the latest value is in the box, the typed one beside it
    assert values_of(world.entry(district, world.central))["A"] == 95
    # Saving again from the refreshed page applies what is typed then.
    response = client.post(grid_url(world), grid_post(world, {district: {"A": "85"}}))
    assert response.status_code == 302
    assert values_of(world.entry(district, world.central))["A"] == 85


def test_a_version_moved_by_anything_but_central_values_is_no_conflict(client, world, certifier, district):
    client.force_login(certifier)
    stale = grid_post(world, {district: {"A": "90", "B": "100"}})
    Entry.objects.filter(pk=world.entry(district, world.central).pk).update(version=3)  # e.g. a district variable
    assert client.post(grid_url(world), stale).status_code == 302
    assert values_of(world.entry(district, world.central)) == {"A": 90, "B": 100}


def test_a_certified_entry_is_read_only_and_cannot_be_changed(client, world, certifier, district, other_district):
    entry = world.entry(district, world.central)
    Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.CERTIFIED)
    client.force_login(certifier)
    html = client.get(grid_url(world)).content.decode()
    assert f'data-testid="input-{district.code}-A"' not in html and "รับรองผลแล้ว แก้ไขไม่ได้" in html
    assert f'data-testid="input-{other_district.code}-A"' in html
    response = client.post(grid_url(world), grid_post(world, {district: {"A": "90"}}))  # a crafted post
    assert response.status_code == 422 and not Value.objects.exists()
    assert 'data-testid="row-error"' in response.content.decode()


def test_after_the_certification_deadline_the_grid_is_read_only(client, district, other_district, bureau, certifier):
    world = open_world(bureau=bureau, opens=timedelta(days=-40), closes=timedelta(days=-30))  # certification 10 days ago
    client.force_login(certifier)
    html = client.get(grid_url(world)).content.decode()
    assert 'data-testid="read-only"' in html and 'data-testid="save"' not in html
    assert "เลยกำหนดส่งข้อมูลส่วนกลางของรอบนี้แล้ว" in html  # no central deadline: the certification deadline


def test_the_district_sees_the_central_values_on_its_entry_page(client, world, certifier, district, district_user):
    client.force_login(certifier)
    client.post(grid_url(world), grid_post(world, {district: {"A": "90", "B": "100"}}))
    client.force_login(district_user)
    html = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    assert 'data-testid="value-A">90<' in html and "3.0000" in html


# --- Uploading a file ---------------------------------------------------------------------------------


def test_a_csv_upload_is_previewed_then_saved_on_confirm(client, world, certifier, district, other_district):
    client.force_login(certifier)
    file = csv_file(f"รหัสหน่วยงาน,ชื่อหน่วยงาน,A,B\n{district.code},ชื่อใดก็ได้,90,100\n{other_district.code},,185,200\n")
    preview, response = upload_and_confirm(client, world, file)
    html = preview.content.decode()
    assert "เปลี่ยนแปลง 2 หน่วยงาน" in html
    assert html.count('data-testid="upload-row"') == 2 and 'data-testid="confirm"' in html
    assert response.status_code == 302 and response["Location"] == grid_url(world)
    assert values_of(world.entry(district, world.central)) == {"A": 90, "B": 100}
    assert values_of(world.entry(other_district, world.central)) == {"A": 185, "B": 200}
    assert set(ValueChange.objects.values_list("source", flat=True)) == {"central_upload"}
    assert ValueChange.objects.count() == 4
    assert world.entry(other_district, world.central).self_score == D("3.50000")  # 92.5: halfway from level 3 to 4


def test_nothing_is_saved_before_the_confirmation(client, world, certifier, district):
    client.force_login(certifier)
    client.post(upload_url(world), {"file": csv_file(f"รหัสหน่วยงาน,A,B\n{district.code},90,100\n")})
    assert not Value.objects.exists()


def test_an_xlsx_upload_is_previewed_then_saved_on_confirm(client, world, certifier, district, other_district):
    client.force_login(certifier)
    file = xlsx_file([["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "A", "B"],
                      [int(district.code), "ก", 90, 100.0],  # a code typed as a number, a float cell
                      [other_district.code, "ข", "๑๗๐", "200"]])
    preview, response = upload_and_confirm(client, world, file)
    assert "เปลี่ยนแปลง 2 หน่วยงาน" in preview.content.decode()
    assert response.status_code == 302
    assert values_of(world.entry(district, world.central)) == {"A": 90, "B": 100}
    assert values_of(world.entry(other_district, world.central)) == {"A": 170, "B": 200}


def test_thai_digits_and_a_tis620_csv_are_read(client, world, certifier, district):
    client.force_login(certifier)
    file = csv_file(f"รหัสหน่วยงาน,A,B\n{district.code},๙๐,๑๐๐\n", encoding="cp874")
    _preview, response = upload_and_confirm(client, world, file)
    assert response.status_code == 302
    assert values_of(world.entry(district, world.central)) == {"A": 90, "B": 100}



def test_a_percent_formatted_xlsx_cell_reads_as_the_percent_excel_shows(world, district):
    world.central.variables.filter(code="A").update(kind=Variable.Kind.PERCENT)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["รหัสหน่วยงาน", "A", "B"])
    sheet.append([district.code, 0.9, 0.5])
    sheet["B2"].number_format = sheet["C2"].number_format = "0%"  # Excel keeps 90% as 0.9
    buffer = io.BytesIO()
    workbook.save(buffer)
    indicator = indicator_config(Indicator.objects.filter(pk=world.central.pk)).get()
    upload = central_parse_upload(indicator=indicator, round_=world.round, file=buffer.getvalue())
    (row,) = upload.rows
    assert row.texts == {"A": "90%", "B": "50%"}
    # B counts schools: a % there is a mistake, said so rather than read as 50 or 0.5.
    assert [(i.row, i.column) for i in upload.errors] == [(2, "B")]
    assert "ใส่เครื่องหมาย % ได้เฉพาะค่าที่เป็นร้อยละ" in upload.errors[0].message


def test_the_example_of_the_documentation_is_accepted(client, world, certifier, district, other_district):
    client.force_login(certifier)
    file = csv_file("รหัสหน่วยงาน,ชื่อหน่วยงาน,A,B\n1001,สพป.กรุงเทพมหานคร,90,100\n2001,สพม.เชียงใหม่,\"1,850\",๒๐๐๐\n")
    _preview, response = upload_and_confirm(client, world, file)
    assert response.status_code == 302
    assert values_of(world.entry(other_district, world.central)) == {"A": 1850, "B": 2000}

def test_an_upload_with_row_errors_lists_them_and_saves_nothing(client, world, certifier, district, other_district, bureau):
    client.force_login(certifier)
    file = csv_file("รหัสหน่วยงาน,A,B\n"
                    f"{district.code},90,100\n"        # row 2: fine
                    "9999,1,2\n"                       # row 3: no such office
                    f"{bureau.code},1,2\n"             # row 4: a bureau has no entry
                    f"{district.code},80,100\n"        # row 5: the same district again
                    f"{other_district.code},12.5,x\n"  # row 6: two bad numbers
                    ",1,1\n")                          # row 7: no code
    response = client.post(upload_url(world), {"file": file})
    upload = response.context["upload"]
    found = {(issue.row, issue.column) for issue in upload.errors}
    assert found == {(3, "รหัสหน่วยงาน"), (4, "รหัสหน่วยงาน"), (5, "รหัสหน่วยงาน"), (6, "A"), (6, "B"),
                     (7, "รหัสหน่วยงาน")}
    html = response.content.decode()
    assert "ไม่พบหน่วยงานรหัส 9999" in html and "ซ้ำกับแถวที่ 2" in html
    assert "ไม่มีรายการของตัวชี้วัดนี้ในรอบนี้" in html and "ต้องเป็นจำนวนเต็ม (ไม่มีทศนิยม)" in html
    assert response.context["confirm"] is None and 'data-testid="confirm"' not in html
    assert not Value.objects.exists()
    # A confirm without a previewed file does nothing either.
    response = client.post(confirm_url(world), {"digest": "0" * 64}, follow=True)
    assert "โปรดอัปโหลดไฟล์อีกครั้ง" in response.content.decode() and not Value.objects.exists()


def test_a_file_without_the_office_code_column_is_refused(client, world, certifier, district):
    client.force_login(certifier)
    response = client.post(upload_url(world), {"file": csv_file("A,B\n90,100\n")})
    assert "ไม่พบคอลัมน์ “รหัสหน่วยงาน”" in response.content.decode()
    assert response.context["confirm"] is None


def test_a_missing_variable_column_keeps_its_values_and_other_columns_are_ignored(client, world, certifier, district):
    client.force_login(certifier)
    client.post(grid_url(world), grid_post(world, {district: {"A": "90", "B": "100"}}))
    preview, _response = upload_and_confirm(client, world, csv_file(f"รหัสหน่วยงาน,A,หมายเหตุ\n{district.code},95,ตรวจแล้ว\n"))
    warnings = " ".join(preview.context["upload"].warnings)
    assert "ค่า B เดิมของทุกหน่วยงานจะคงไว้" in warnings and "หมายเหตุ" in warnings
    assert values_of(world.entry(district, world.central)) == {"A": 95, "B": 100}


def test_an_entry_certified_between_preview_and_confirm_stops_the_whole_file(
        client, world, certifier, district, other_district):
    client.force_login(certifier)
    file = csv_file(f"รหัสหน่วยงาน,A,B\n{district.code},90,100\n{other_district.code},90,100\n")
    preview = client.post(upload_url(world), {"file": file})
    Entry.objects.filter(office=district, indicator=world.central).update(status=Entry.Status.CERTIFIED)
    response = client.post(confirm_url(world), {"digest": preview.context["confirm"]["digest"].value()})
    assert response.status_code == 422
    assert "รับรองผลแล้ว แก้ไขไม่ได้" in response.content.decode()
    assert not Value.objects.exists()


def test_the_downloaded_template_has_the_current_values_and_uploads_back_unchanged(client, world, certifier, district,
                                                                                    other_district):
    client.force_login(certifier)
    client.post(grid_url(world), grid_post(world, {district: {"A": "90", "B": "1250"}}))
    xlsx = client.get(reverse("reporting:central_template", args=[world.round.pk, world.central.pk, "xlsx"]))
    assert xlsx["Content-Disposition"].startswith("attachment;")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("รหัสหน่วยงาน", "ชื่อหน่วยงาน", "A", "B")
    assert rows[1][0] == district.code and rows[1][2:] == (90, 1250) and rows[2][2:] == (None, None)
    csv = client.get(reverse("reporting:central_template", args=[world.round.pk, world.central.pk, "csv"]))
    assert csv.content.startswith("\ufeff".encode()) and f"{district.code},".encode() in csv.content
    # Sent back as it is, it changes nothing, even for a district certified meanwhile.
    Entry.objects.filter(office=district, indicator=world.central).update(status=Entry.Status.CERTIFIED)
    for name, content in (("t.xlsx", xlsx.content), ("t.csv", csv.content)):
        response = client.post(upload_url(world), {"file": SimpleUploadedFile(name, content)})
        assert response.context["upload"].is_valid and 'data-testid="nothing-to-save"' in response.content.decode()


# --- Query budget -------------------------------------------------------------------------------------

# Session and user (2), round (1), the indicator with its criteria prefetched (7: indicator, rounds,
# variables, their rounds, thresholds, steps, levels), entries with their offices (1), central values (1),
# the menu's unread notifications (1).
GRID_QUERIES = 13


# Session and user (2), the rounds open for central data (1), then per round: the bureau's indicators
# with their criteria (7) and the entries with their filled central values counted (1), the menu's unread
# notifications (1).
LIST_QUERIES = 12


@pytest.mark.parametrize("districts", [3, 30])
def test_the_grid_and_the_list_cost_the_same_queries_for_3_and_30_districts(
        client, bureau, certifier, districts, django_assert_num_queries):
    for n in range(districts):
        make_office(f"{5000 + n}", Office.Kind.PRIMARY)
    world = open_world(bureau=bureau)
    client.force_login(certifier)
    client.get(grid_url(world))  # warm the session
    with django_assert_num_queries(GRID_QUERIES):
        response = client.get(grid_url(world))
    assert response.content.decode().count('data-testid="grid-row"') == districts
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("reporting:central_list"))
    assert response.context["rounds"][0][1][0].missing == districts


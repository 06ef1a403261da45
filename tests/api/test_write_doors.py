"""What an API client sends is read as meant: JSON booleans, Thai-digit office codes; the example script's files."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.models import Variable
from reporting.models import Value
from tests.api.conftest import entry_of, issue
from tests.api.test_auth import assert_error
from tests.api.test_writes import central_body, values_of

pytestmark = pytest.mark.django_db


def test_json_true_for_an_integer_variable_is_refused_not_saved_as_1(api_as, demo, open_round):
    entry = entry_of("1001", "11.2", open_round)
    assert entry.indicator.variables.get(code="A").kind == Variable.Kind.INTEGER
    before = values_of(entry)
    body = central_body(open_round, entry.indicator_id, {"1001": {"A": True, "B": 120}})
    found = assert_error(api_as(issue(demo["finance"], "write")).post("/central-values", body), 422, "batch_invalid")
    (error,) = found["errors"]
    assert (error["item"], error["field"], error["code"]) == (0, "A", "invalid_value")
    assert "true/false" in error["message_th"] and "true/false" in error["message_en"]
    assert values_of(entry) == before


def test_json_false_for_a_district_number_is_refused(api_as, demo, open_round):
    variable = (Variable.objects.filter(indicator__entries__round=open_round, indicator__entries__office__code="1001",
                                        source=Variable.Source.DISTRICT, kind=Variable.Kind.INTEGER)
                .select_related("indicator").order_by("indicator__code").first())
    entry = entry_of("1001", variable.indicator.code, open_round)
    code = variable.code
    body = {"items": [{"entry": entry.pk, "version": entry.version, "values": {code: False}}]}
    found = assert_error(api_as(issue(demo["bkk1"], "write")).post("/district-values", body), 422, "batch_invalid")
    assert [(e["field"], e["code"]) for e in found["errors"]] == [(code, "invalid_value")]
    assert not Value.objects.filter(entry=entry, variable__code=code, value=0).exists()


def test_json_true_for_a_yes_no_variable_is_yes(api_as, demo, open_round):
    entry = entry_of("1001", "11.3", open_round)
    assert entry.indicator.variables.get(code="A").kind == Variable.Kind.YES_NO
    response = api_as(issue(demo["bkk1"], "write")).post(
        "/district-values", {"items": [{"entry": entry.pk, "version": entry.version, "values": {"A": True}}]})
    assert response.status_code == 200, response.content
    assert values_of(entry) == {"A": Decimal(1)}


def test_an_office_code_sent_in_thai_digits_is_that_office(api_as, demo, open_round):
    entry = entry_of("1001", "11.2", open_round)
    body = central_body(open_round, entry.indicator_id, {"๑๐๐๑": {"A": "๑๗๖", "B": "182"}})
    response = api_as(issue(demo["finance"], "write")).post("/central-values", body)
    assert response.status_code == 200, response.content
    assert values_of(entry) == {"A": Decimal(176), "B": Decimal(182)}


# --- docs/examples/upload_central.py with files as Excel writes them ---------------------------------


def test_the_script_uploads_a_csv_excel_saved_on_thai_windows(script, open_round, tmp_path):
    path = tmp_path / "values.csv"
    path.write_bytes("รหัสหน่วยงาน,ชื่อหน่วยงาน,A,B\r\n1001,สพป.กรุงเทพมหานคร,๑๗๖,182\r\n".encode("cp874"))
    script.main("11.2", str(path))
    assert values_of(entry_of("1001", "11.2", open_round)) == {"A": Decimal(176), "B": Decimal(182)}


def test_the_script_uploads_the_grids_own_downloaded_csv(script, demo, open_round, tmp_path, client):
    from django.urls import reverse

    entry = entry_of("1001", "11.2", open_round)
    client.force_login(demo["finance"])
    download = client.get(reverse("reporting:central_template", args=[open_round.pk, entry.indicator_id, "csv"]))
    lines = download.content.decode("utf-8-sig").splitlines()
    lines[1] = ",".join([*lines[1].split(",")[:2], "150", "160"])  # 1001's row filled in
    path = tmp_path / "central.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    script.main("11.2", str(path))
    assert values_of(entry_of("1001", "11.2", open_round)) == {"A": Decimal(150), "B": Decimal(160)}


def test_the_script_skips_a_title_line_above_the_header(script, open_round, tmp_path):
    path = tmp_path / "values.csv"
    path.write_text("ข้อมูลส่วนกลาง 11.2\n\noffice,A,B\n1001,170,180\n", encoding="utf-8")
    script.main("11.2", str(path))
    assert values_of(entry_of("1001", "11.2", open_round)) == {"A": Decimal(170), "B": Decimal(180)}


@pytest.mark.parametrize(("content", "says"), [
    (b"office;A;B\r\n1001;1.000;180\r\n", "separated by ';'"),  # a decimal-comma locale: never guessed
    (b"\xff\xfe\x00\x00garbage", "not a CSV"),
    ("ชื่อ,A\r\nก,1\r\n".encode(), "no header with an office code column"),
    (b"office,A,B\r\n,1,2\r\n", "line 2 has no office code"),
])
def test_the_script_refuses_a_file_it_cannot_read_with_a_message_and_sends_nothing(script, tmp_path, content, says):
    path = tmp_path / "values.csv"
    path.write_bytes(content)
    with pytest.raises(SystemExit) as stopped:
        script.main("11.2", str(path))
    assert says in str(stopped.value) and script.calls == []

"""Admins load offices and users from CSV/XLSX: preview with errors by row, then all or nothing."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from krs.imports import ImportRejected, offices_import_apply, offices_import_preview
from krs.models import Office, Role, User

pytestmark = pytest.mark.django_db

THAI_HEADER = "รหัสหน่วยงาน,ชื่อหน่วยงาน,ชื่อภาษาอังกฤษ,ชื่อย่อ,ประเภทหน่วยงาน,ชื่อผู้ใช้,ชื่อ,นามสกุล,อีเมล,บทบาท,โทรศัพท์"
CLEAN_ROWS = [
    "1101,สำนักงานเขตพื้นที่การศึกษาประถมศึกษาน่าน เขต 1,Nan Primary ESAO 1,สพป.น่าน เขต 1,สพป.,nan1,สมหญิง,ใจงาม,nan1@obec.go.th,ผู้รายงานผล,054-000001",
    "1101,สำนักงานเขตพื้นที่การศึกษาประถมศึกษาน่าน เขต 1,Nan Primary ESAO 1,สพป.น่าน เขต 1,สพป.,nan1b,สมศักดิ์,ใจงาม,nan1b@obec.go.th,ผู้รายงานผล,",
    "2101,สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาน่าน,Nan Secondary ESAO,สพม.น่าน,สพม.,,,,,,",
    "B-LAW,สำนักพัฒนากฎหมาย,Bureau of Legal Affairs,สพก.,สำนัก,law1,นิติ,ธรรม,law1@obec.go.th,ผู้รับรองผล,",
]


def csv_bytes(rows: list[str], header: str = THAI_HEADER) -> bytes:
    # Excel's "CSV UTF-8" starts with a byte-order mark.
    return ("\ufeff" + "\n".join([header, *rows]) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["office_code", "office_name_th", "office_kind", "username", "email", "role", "phone"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def apply(content: bytes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return offices_import_apply(content=content, site_url="http://testserver")


class TestPreview:
    def test_a_clean_thai_csv_with_a_bom_says_what_each_row_does(self):
        make = Office.objects.create(code="2101", name_th="เดิม", kind=Office.Kind.SECONDARY)
        plan = offices_import_preview(content=csv_bytes(CLEAN_ROWS))
        assert plan.ok, plan.errors
        assert [(r.row, r.office_code, r.office_action, r.username, r.user_action) for r in plan.rows] == [
            (2, "1101", "new", "nan1", "new"),
            (3, "1101", "new", "nan1b", "new"),
            (4, "2101", "update", "", ""),
            (5, "B-LAW", "new", "law1", "new"),
        ]
        assert plan.count("office", "new") == 2 and plan.count("user", "new") == 3
        assert Office.objects.count() == 1 and make.name_th == "เดิม"  # nothing saved by a preview

    def test_every_error_is_reported_by_row_and_column(self):
        rows = [
            CLEAN_ROWS[0],
            "1102,สพป.ทดสอบ,,,ประถม,x1,,,x1@obec.go.th,ผู้รายงานผล,",  # unknown kind
            "1103,สพป.ทดสอบ 3,,,สพป.,x2,,,not-an-email,หัวหน้า,",  # bad e-mail, unknown role
            "1104,สพป.ทดสอบ 4,,,สพป.,nan1,,,dup@obec.go.th,ผู้รายงานผล,",  # duplicate username
            "1105,สพป.ทดสอบ 5,,,สพป.,x3,,,x3@obec.go.th,ผู้รับรองผล,",  # certifier in a district
            "1106,สพป.ทดสอบ 6,,,สพป.,x4,,,,ผู้รายงานผล,",  # a new user without e-mail
            ",ไม่มีรหัส,,,สพป.,,,,,,",  # no office code
        ]
        plan = offices_import_preview(content=csv_bytes(rows))
        assert not plan.ok
        found = {(e.row, e.column) for e in plan.errors}
        assert found == {(3, "office_kind"), (4, "email"), (4, "role"), (5, "username"), (6, "role"), (7, "email"), (8, "office_code")}
        messages = [str(e) for e in plan.errors]
        assert "แถวที่ 4 คอลัมน์ role: ไม่รู้จักบทบาท “หัวหน้า”" in messages
        assert any(m.startswith("แถวที่ 6 คอลัมน์ role: บทบาท “ผู้รับรองผล สำนัก” ใช้กับหน่วยงานประเภท") for m in messages)

    def test_an_email_already_used_by_someone_else_is_an_error(self, district_user):
        rows = [f"1101,สพป.น่าน เขต 1,,,สพป.,nan1,,,{district_user.email},ผู้รายงานผล,"]
        plan = offices_import_preview(content=csv_bytes(rows))
        assert [(e.row, e.column) for e in plan.errors] == [(2, "email")]

    def test_a_file_without_the_required_columns_is_refused_whole(self):
        from krs.imports import ImportFileError

        with pytest.raises(ImportFileError, match="office_kind"):
            offices_import_preview(content=csv_bytes(["1,x"], header="office_code,office_name_th"))

    def test_numbers_from_xlsx_cells_are_read_as_codes(self):
        content = xlsx_bytes([[1201, "สพป.แพร่ เขต 1", "primary", "phrae1", "phrae1@obec.go.th", "district_reporter", 54000001]])
        plan = offices_import_preview(content=content)
        assert plan.ok, plan.errors
        assert plan.offices["1201"]["kind"] == Office.Kind.PRIMARY
        assert plan.users["phrae1"]["phone"] == "54000001"


class TestApply:
    def test_a_clean_file_creates_offices_and_users_and_mails_each_new_user_a_link(
        self, client, django_capture_on_commit_callbacks
    ):
        result = apply(csv_bytes(CLEAN_ROWS), django_capture_on_commit_callbacks)
        assert (result.offices_created, result.users_created) == (3, 3)
        nan1 = User.objects.get(username="nan1")
        assert (nan1.office.code, nan1.role, nan1.phone) == ("1101", Role.DISTRICT_REPORTER, "054-000001")
        assert not nan1.has_usable_password()
        assert sorted(m.to[0] for m in mail.outbox) == ["law1@obec.go.th", "nan1@obec.go.th", "nan1b@obec.go.th"]
        message = next(m for m in mail.outbox if m.to == ["nan1@obec.go.th"])
        assert "ตั้งรหัสผ่าน" in message.subject and "nan1" in message.body

        link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)
        page = client.get(link, follow=True)
        client.post(page.redirect_chain[-1][0], {"new_password1": "น่าน-Secret-2569", "new_password2": "น่าน-Secret-2569"})
        client.logout()
        client.post(reverse("login"), {"username": "nan1", "password": "น่าน-Secret-2569"})
        assert client.session["_auth_user_id"] == str(nan1.pk)

    def test_importing_the_same_file_again_changes_and_duplicates_nothing(self, django_capture_on_commit_callbacks):
        apply(csv_bytes(CLEAN_ROWS), django_capture_on_commit_callbacks)
        mail.outbox.clear()
        result = apply(csv_bytes(CLEAN_ROWS), django_capture_on_commit_callbacks)
        assert (result.offices_created, result.offices_updated, result.users_created, result.users_updated) == (0, 0, 0, 0)
        assert Office.objects.count() == 3 and User.objects.count() == 3
        assert mail.outbox == []

    def test_an_error_in_any_row_saves_nothing(self, django_capture_on_commit_callbacks):
        rows = [*CLEAN_ROWS, "1999,สพป.ผิด,,,สพป.,bad,,,bad@obec.go.th,ไม่มีบทบาทนี้,"]
        with pytest.raises(ImportRejected) as caught:
            apply(csv_bytes(rows), django_capture_on_commit_callbacks)
        assert [(e.row, e.column) for e in caught.value.errors] == [(6, "role")]
        assert Office.objects.count() == 0 and User.objects.count() == 0
        assert mail.outbox == []

    def test_a_changed_row_updates_the_office_and_the_user(self, django_capture_on_commit_callbacks):
        apply(csv_bytes(CLEAN_ROWS), django_capture_on_commit_callbacks)
        changed = [CLEAN_ROWS[0].replace("สพป.น่าน เขต 1,สพป.", "สพป.น่าน 1,สพป.").replace("054-000001", "054-999999")]
        result = apply(csv_bytes(changed), django_capture_on_commit_callbacks)
        assert (result.offices_updated, result.users_updated) == (1, 1)
        assert Office.objects.get(code="1101").short_name == "สพป.น่าน 1"
        assert User.objects.get(username="nan1").phone == "054-999999"
        assert Office.history.filter(code="1101").count() == 2  # audited: created, then changed

    def test_an_administrator_imported_gets_the_admin_site(self, administration, django_capture_on_commit_callbacks):
        rows = [f"{administration.code},{administration.name_th},,,กพร.สพฐ.,adm2,,,adm2@obec.go.th,ผู้ดูแลระบบ,"]
        apply(csv_bytes(rows), django_capture_on_commit_callbacks)
        assert User.objects.get(username="adm2").is_staff is True

    def test_245_districts_with_their_users_cost_a_bounded_number_of_queries(
        self, django_assert_max_num_queries, django_capture_on_commit_callbacks
    ):
        rows = [
            f"{3000 + n},สำนักงานเขตพื้นที่การศึกษาทดสอบ {n},,,{'สพป.' if n % 4 else 'สพม.'},u{n},,,u{n}@obec.go.th,ผู้รายงานผล,"
            for n in range(245)
        ]
        # A savepoint and its release; inside it the preview's three look-ups (offices, users,
        # e-mails), then lock offices, insert offices and their history,
        # reload offices, lock users, insert users and their history, reload the new users. SQLite
        # splits a bulk insert into batches by its parameter limit (about 22 in all there), PostgreSQL
        # needs fewer; either way the count does not grow with each row.
        with django_assert_max_num_queries(25):
            apply(csv_bytes(rows), django_capture_on_commit_callbacks)
        assert Office.objects.count() == 245 and User.objects.count() == 245
        assert len(mail.outbox) == 245


class TestAdminPages:
    def upload(self, client, content: bytes, name: str = "offices.csv"):
        return client.post(reverse("admin:krs_office_import"), {"file": SimpleUploadedFile(name, content)})

    def test_preview_then_confirm(self, client, admin_user):
        client.force_login(admin_user)
        preview = self.upload(client, csv_bytes(CLEAN_ROWS))
        body = preview.content.decode()
        assert preview.status_code == 200
        assert "ยืนยันนำเข้าทั้งหมด" in body and "เพิ่มใหม่" in body
        assert Office.objects.filter(code="1101").count() == 0
        digest = preview.context["digest"]
        done = client.post(reverse("admin:krs_office_import_confirm"), {"digest": digest})
        assert done.status_code == 302
        assert Office.objects.filter(code__in=["1101", "2101", "B-LAW"]).count() == 3

    def test_a_file_with_errors_cannot_be_confirmed(self, client, admin_user):
        client.force_login(admin_user)
        preview = self.upload(client, csv_bytes([*CLEAN_ROWS, "1999,x,,,สพป.,bad,,,bad@obec.go.th,???,"]))
        body = preview.content.decode()
        assert "แถวที่ 6 คอลัมน์ role" in body
        assert "ยืนยันนำเข้าทั้งหมด" not in body
        client.post(reverse("admin:krs_office_import_confirm"), {"digest": preview.context["digest"]})
        assert Office.objects.filter(code="1101").count() == 0

    def test_a_confirm_without_a_matching_preview_changes_nothing(self, client, admin_user):
        client.force_login(admin_user)
        response = client.post(reverse("admin:krs_office_import_confirm"), {"digest": "0" * 64})
        assert response.status_code == 302 and response.url == reverse("admin:krs_office_import")
        assert Office.objects.filter(code="1101").count() == 0

    def test_a_file_that_is_not_a_table_gets_a_thai_message(self, client, admin_user):
        client.force_login(admin_user)
        response = self.upload(client, b"PK\x03\x04 not really a workbook", name="offices.xlsx")
        assert "อ่านไฟล์ XLSX ไม่ได้" in response.content.decode()

    @pytest.mark.parametrize("persona", ["district_user", "certifier", "executive"])
    def test_nobody_but_administrators_may_import(self, client, request, persona):
        client.force_login(request.getfixturevalue(persona))
        assert client.get(reverse("admin:krs_office_import")).status_code == 302
        response = self.upload(client, csv_bytes(CLEAN_ROWS))
        assert response.status_code == 302 and "/admin/login/" in response.url
        assert Office.objects.filter(code="1101").count() == 0

    def test_anonymous_users_are_sent_to_log_in(self, client):
        response = client.get(reverse("admin:krs_office_import"))
        assert response.status_code == 302 and "/admin/login/" in response.url

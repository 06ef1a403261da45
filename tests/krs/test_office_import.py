"""Admins load offices and users from CSV/XLSX: preview with errors by row, then all or nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from openpyxl import Workbook

from krs import imports
from krs.imports import ImportRejected, offices_import_apply, offices_import_preview
from krs.models import Office, Role, User
from tests.conftest import PASSWORD, make_office, make_user

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
THAI_HEADER = "รหัสหน่วยงาน,ชื่อหน่วยงาน,ชื่อภาษาอังกฤษ,ชื่อย่อ,ประเภทหน่วยงาน,ชื่อผู้ใช้,ชื่อ,นามสกุล,อีเมล,บทบาท,โทรศัพท์"
ENGLISH_HEADER = (
    "office_code,office_name_th,office_name_en,office_short_name,office_kind,username,first_name,last_name,email,role,phone"
)
CLEAN_ROWS = [
    "1101,สำนักงานเขตพื้นที่การศึกษาประถมศึกษาน่าน เขต 1,Nan Primary ESAO 1,สพป.น่าน เขต 1,สพป.,"
    "nan1,สมหญิง,ใจงาม,nan1@obec.go.th,ผู้รายงานผล,054-000001",
    "1101,,,,,nan1b,สมศักดิ์,ใจงาม,Nan1b@OBEC.go.th,district_reporter,",
    "2101,สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาน่าน,Nan Secondary ESAO,สพม.น่าน,secondary,,,,,,",
    "B-LAW,สำนักพัฒนากฎหมาย,Bureau of Legal Affairs,สพก.,สำนัก,law1,นิติ,ธรรม,law1@obec.go.th,ผู้รับรองผล,",
]


def csv_bytes(rows: list[str], header: str = THAI_HEADER, bom: bool = True) -> bytes:
    # Excel's "CSV UTF-8" starts with a byte-order mark.
    return (("\ufeff" if bom else "") + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def xlsx_bytes(rows: list[list], header: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or ["office_code", "office_name_th", "office_kind", "username", "email", "role", "phone"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def apply(content: bytes, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return offices_import_apply(content=content, actor=kwargs.pop("actor", None), site_url="http://testserver",
                                    **kwargs)


def where(preview) -> set[tuple[int | None, str | None]]:
    return {(error.row, error.column) for error in preview.errors}


def set_password_through(client, body: str, password: str) -> None:
    link = re.search(r"http://testserver(/accounts/reset/\S+)", body).group(1)
    page = client.get(link, follow=True)
    assert page.status_code == 200 and page.context["validlink"]
    done = client.post(page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert done.status_code == 302


class TestReading:
    def test_a_thai_csv_with_a_bom_says_what_each_row_does(self):
        Office.objects.create(code="2101", name_th="เดิม", kind=Office.Kind.SECONDARY)
        preview = offices_import_preview(content=(DATA / "offices-th.csv").read_bytes())
        assert preview.is_valid, [str(error) for error in preview.errors]
        assert [(r.number, r.office_code, r.office_action, r.username, r.user_action) for r in preview.rows] == [
            (2, "1101", "new", "nan1", "new"),
            (3, "1101", None, "nan1b", "new"),
            (4, "2101", "update", "", None),
            (5, "B-LAW", "new", "law1", "new"),
        ]
        assert preview.rows[1].office_first_row == 2
        assert preview.rows[1].email == "nan1b@obec.go.th"  # e-mail addresses are kept in lower case
        assert preview.rows[2].office_changes  # says which fields change
        assert (preview.offices_new, preview.offices_updated, preview.users_new) == (2, 1, 3)
        assert Office.objects.get(code="2101").name_th == "เดิม"  # a preview saves nothing
        assert not User.objects.filter(username="nan1").exists()

    def test_english_headers_match_ignoring_case_and_spaces_and_a_file_without_bom(self):
        header = " Office Code ,OFFICE_NAME_TH,office kind,User Name,E-mail, Role "
        preview = offices_import_preview(
            content=csv_bytes(["  1101 , สพป.น่าน เขต 1 , สพป. , nan1 , nan1@obec.go.th , ผู้รายงานผล สพท. "],
                              header=header, bom=False))
        assert preview.is_valid, [str(error) for error in preview.errors]
        row = preview.rows[0]
        assert (row.office_code, row.kind, row.username, row.role) == ("1101", "primary", "nan1", "district_reporter")

    def test_semicolons_and_the_thai_windows_encoding_are_read_too(self):
        text = "\r\n".join(["office_code;office_name_th;office_kind", "1101;สพป.น่าน เขต 1;สพป."])
        preview = offices_import_preview(content=text.encode("cp874"))
        assert preview.is_valid, [str(error) for error in preview.errors]
        assert preview.plan.offices_new[0].name_th == "สพป.น่าน เขต 1"

    def test_xlsx_numbers_become_codes_and_phones_without_dot_zero(self):
        content = xlsx_bytes([
            [1201, "สพป.แพร่ เขต 1", "primary", "phrae1", "phrae1@obec.go.th", "district_reporter", 812345678],
            [1202.0, "สพป.แพร่ เขต 2", "สพป.", "phrae2", "phrae2@obec.go.th", "ผู้รายงานผล", "054-000002"],
        ])
        preview = offices_import_preview(content=content)
        assert preview.is_valid, [str(error) for error in preview.errors]
        assert [office.code for office in preview.plan.offices_new] == ["1201", "1202"]
        # Excel drops the leading 0 of a phone typed as a number; every Thai number has one.
        assert [user.phone for user in preview.plan.users_new] == ["0812345678", "054-000002"]

    def test_the_format_is_recognised_by_content_not_by_name(self, client, admin_user):
        client.force_login(admin_user)
        content = xlsx_bytes([[1201, "สพป.แพร่ เขต 1", "primary", "", "", "", ""]])
        response = client.post(reverse("admin:krs_office_import"),
                               {"file": SimpleUploadedFile("offices.csv", content)})
        assert response.context["preview"].is_valid

    @pytest.mark.parametrize(("content", "message"), [
        (b"PK\x03\x04 not really a workbook", "อ่านไฟล์ XLSX ไม่ได้"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"", "ไฟล์ไม่มีข้อมูล"),
        (b"office_code,office_name_th\r\n", "ไม่มีข้อมูล"),
        ("ชื่อ,นามสกุล\r\nสมหญิง,ใจงาม\r\n".encode(), "office_code"),
    ])
    def test_a_file_that_cannot_be_read_gets_a_thai_message_and_no_rows(self, content, message):
        preview = offices_import_preview(content=content)
        assert not preview.is_valid and preview.rows == []
        assert all(error.row is None for error in preview.errors)
        assert message in str(preview.errors[0])

    def test_unknown_columns_are_a_warning_not_an_error(self):
        preview = offices_import_preview(
            content=csv_bytes(["1,1101,สพป.น่าน เขต 1,สพป."], header="ลำดับ,office_code,office_name_th,office_kind"))
        assert preview.is_valid
        assert any("ลำดับ" in warning for warning in preview.warnings)

    def test_too_many_rows_or_bytes_are_refused_with_the_limit(self, settings, client, admin_user):
        settings.KRS_IMPORT_MAX_ROWS = 2
        rows = [f"11{n:02},สพป.ทดสอบ {n},สพป." for n in range(3)]
        preview = offices_import_preview(content=csv_bytes(rows, header="office_code,office_name_th,office_kind"))
        assert [str(error) for error in preview.errors] == ["ไฟล์มีข้อมูลเกิน 2 แถว โปรดแบ่งเป็นหลายไฟล์"]

        settings.KRS_IMPORT_MAX_BYTES = 1024 * 1024
        client.force_login(admin_user)
        big = SimpleUploadedFile("big.csv", b"office_code\r\n" + b"1" * (1024 * 1024))
        response = client.post(reverse("admin:krs_office_import"), {"file": big})
        assert "ไฟล์ใหญ่เกิน 1 MB" in response.content.decode()
        assert "preview" not in response.context


class TestErrors:
    def test_every_error_is_reported_by_row_and_column(self):
        rows = [
            CLEAN_ROWS[0],
            "1102,สพป.ทดสอบ,,,ประถมปลาย,x1,,,x1@obec.go.th,ผู้รายงานผล,",  # unknown kind
            "1103,สพป.ทดสอบ 3,,,สพป.,x2,,,not-an-email,หัวหน้า,",  # bad e-mail and unknown role
            "1104,สพป.ทดสอบ 4,,,สพป.,NAN1,,,dup@obec.go.th,ผู้รายงานผล,",  # duplicate username (any case)
            "1105,สพป.ทดสอบ 5,,,สพป.,x3,,,x3@obec.go.th,ผู้รับรองผล,",  # a certifier in a district
            "1106,สพป.ทดสอบ 6,,,สพป.,x4,,,,ผู้รายงานผล,",  # a new user without e-mail
            ",ไม่มีรหัส,,,สพป.,,,,,,",  # no office code
            "1101,,,,สพม.,x5,,,X1@obec.go.th,,",  # kind conflicts with row 2; e-mail of row 3; no role
            "1107,,,,,x6,,,x6@obec.go.th,ผู้รายงานผล,",  # a new office without name or kind
        ]
        preview = offices_import_preview(content=csv_bytes(rows))
        assert not preview.is_valid
        assert where(preview) == {
            (3, "ประเภทหน่วยงาน"), (4, "อีเมล"), (4, "บทบาท"), (5, "ชื่อผู้ใช้"), (6, "บทบาท"), (7, "อีเมล"),
            (8, "รหัสหน่วยงาน"), (9, "ประเภทหน่วยงาน"), (9, "อีเมล"), (9, "บทบาท"),
            (10, "ชื่อหน่วยงาน"), (10, "ประเภทหน่วยงาน"),
        }
        messages = [str(error) for error in preview.errors]
        assert "แถวที่ 4 คอลัมน์ บทบาท: ไม่รู้จักบทบาท “หัวหน้า”" in messages
        assert "แถวที่ 5 คอลัมน์ ชื่อผู้ใช้: ชื่อผู้ใช้ “NAN1” ซ้ำกับแถวที่ 2" in messages
        assert any(m.startswith("แถวที่ 6 คอลัมน์ บทบาท: บทบาท “ผู้รับรองผล สำนัก” ใช้กับหน่วยงานประเภท") for m in messages)
        assert any(m.startswith("แถวที่ 9 คอลัมน์ ประเภทหน่วยงาน: ประเภทหน่วยงานขัดแย้งกับแถวที่ 2") for m in messages)
        assert [error.row for error in preview.errors] == sorted(error.row for error in preview.errors)

    def test_errors_name_english_columns_as_the_file_does(self):
        preview = offices_import_preview(
            content=csv_bytes(["1101,สพป.น่าน,,,สพป.,x1,,,x1@obec.go.th,xyz,"], header=ENGLISH_HEADER))
        assert [str(error) for error in preview.errors] == ["แถวที่ 2 คอลัมน์ role: ไม่รู้จักบทบาท “xyz”"]

    def test_an_email_already_used_by_someone_else_is_an_error(self, district_user):
        rows = [f"1101,สพป.น่าน เขต 1,,,สพป.,nan1,,,{district_user.email.upper()},ผู้รายงานผล,"]
        preview = offices_import_preview(content=csv_bytes(rows))
        assert [(e.row, e.column) for e in preview.errors] == [(2, "อีเมล")]
        assert district_user.username in preview.errors[0].message

    def test_an_email_may_move_to_another_user_when_its_owner_gets_a_new_one(self, district_user):
        rows = [
            f"{district_user.office.code},,,,,{district_user.username},,,new@obec.go.th,,",
            f"{district_user.office.code},,,,,newcomer,,,{district_user.email},ผู้รายงานผล,",
        ]
        assert offices_import_preview(content=csv_bytes(rows)).is_valid

    def test_a_username_that_exists_in_another_case_is_an_error(self, district_user):
        rows = [f"{district_user.office.code},,,,,{district_user.username.upper()},,,x@obec.go.th,ผู้รายงานผล,"]
        preview = offices_import_preview(content=csv_bytes(rows))
        assert where(preview) == {(2, "ชื่อผู้ใช้")}

    def test_a_role_that_does_not_fit_the_office_kind_is_an_error(self, bureau):
        rows = [f"{bureau.code},,,,,rep1,,,rep1@obec.go.th,ผู้รายงานผล,"]
        preview = offices_import_preview(content=csv_bytes(rows))
        assert [str(error) for error in preview.errors] == [
            "แถวที่ 2 คอลัมน์ บทบาท: บทบาท “ผู้รายงานผล สพท.” ใช้กับหน่วยงานประเภท “สำนักส่วนกลาง” ไม่ได้"]

    def test_an_office_cannot_change_kind_under_users_whose_role_then_no_longer_fits(self, district_user):
        code = district_user.office.code
        preview = offices_import_preview(content=csv_bytes([f"{code},,,,สำนัก,,,,,,"]))
        assert where(preview) == {(2, "ประเภทหน่วยงาน")}
        assert district_user.username in str(preview.errors[0])
        # Re-roling the same user in the same file makes the change consistent.
        moved = offices_import_preview(
            content=csv_bytes([f"{code},,,,สำนัก,{district_user.username},,,,ผู้รับรองผล,"]))
        assert moved.is_valid, [str(error) for error in moved.errors]

    def test_a_superuser_or_the_admins_own_role_cannot_be_changed_by_a_file(self, admin_user, administration):
        User.objects.create_superuser("root", "root@obec.go.th", PASSWORD)
        rows = [
            f"{administration.code},,,,,root,,,,ผู้ดูแลระบบ,",
            f"{administration.code},,,,,{admin_user.username},,,,ผู้บริหาร,",
        ]
        preview = offices_import_preview(content=csv_bytes(rows), actor=admin_user)
        assert where(preview) == {(2, "ชื่อผู้ใช้"), (3, "บทบาท")}

    def test_blank_cells_keep_an_existing_users_details(self, district_user):
        district_user.phone = "02-000-0000"
        district_user.save()
        rows = [f"{district_user.office.code},,,,,{district_user.username},สมชาย,,,,"]
        preview = offices_import_preview(content=csv_bytes(rows))
        assert preview.is_valid
        user = preview.plan.users_changed[0]
        assert (user.first_name, user.email, user.phone, user.role) == (
            "สมชาย", district_user.email, "02-000-0000", Role.DISTRICT_REPORTER)
        assert preview.rows[0].user_action == "update"


class TestApply:
    def test_a_clean_file_creates_offices_and_users_and_mails_each_new_user_a_link(
        self, client, django_capture_on_commit_callbacks
    ):
        result = apply(csv_bytes(CLEAN_ROWS), django_capture_on_commit_callbacks)
        assert (result.offices_created, result.users_created, result.emails_sent) == (3, 3, 3)
        nan1 = User.objects.get(username="nan1")
        assert (nan1.office.code, nan1.role, nan1.phone, nan1.is_staff) == (
            "1101", Role.DISTRICT_REPORTER, "054-000001", False)
        assert not nan1.has_usable_password()
        assert Office.objects.get(code="1101").short_name == "สพป.น่าน เขต 1"
        assert sorted(m.to[0] for m in mail.outbox) == ["law1@obec.go.th", "nan1@obec.go.th", "nan1b@obec.go.th"]
        message = next(m for m in mail.outbox if m.to == ["nan1@obec.go.th"])
        assert "ตั้งรหัสผ่าน" in message.subject
        assert "เรียน สมหญิง ใจงาม" in message.body and "nan1" in message.body and "ผู้รายงานผล สพท." in message.body

        set_password_through(client, message.body, "น่าน-Secret-2569")
        client.logout()
        response = client.post(reverse("login"), {"username": "nan1", "password": "น่าน-Secret-2569"})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(nan1.pk)

    def test_importing_the_same_file_again_changes_and_duplicates_nothing(self, django_capture_on_commit_callbacks):
        apply(csv_bytes(CLEAN_ROWS), django_capture_on_commit_callbacks)
        counts = (Office.history.count(), User.history.count())
        mail.outbox.clear()
        preview = offices_import_preview(content=csv_bytes(CLEAN_ROWS))
        assert {row.office_action for row in preview.rows} <= {"same", None}
        assert {row.user_action for row in preview.rows} <= {"same", None}
        result = apply(csv_bytes(CLEAN_ROWS), django_capture_on_commit_callbacks)
        assert (result.offices_created, result.offices_updated, result.users_created, result.users_updated) == (0, 0, 0, 0)
        assert Office.objects.count() == 3 and User.objects.count() == 3
        assert (Office.history.count(), User.history.count()) == counts
        assert mail.outbox == []

    def test_an_error_in_any_row_saves_nothing(self, django_capture_on_commit_callbacks):
        rows = [*CLEAN_ROWS, "1999,สพป.ผิด,,,สพป.,bad,,,bad@obec.go.th,ไม่มีบทบาทนี้,"]
        with pytest.raises(ImportRejected) as caught:
            apply(csv_bytes(rows), django_capture_on_commit_callbacks)
        assert where(caught.value.preview) == {(6, "บทบาท")}
        assert Office.objects.count() == 0 and User.objects.count() == 0
        assert mail.outbox == []

    def test_a_failure_while_writing_rolls_everything_back(self, monkeypatch, django_capture_on_commit_callbacks):
        real = imports.bulk_create_with_history

        def fail_on_users(objs, model, **kwargs):
            if model is User:
                raise IntegrityError("simulated")
            return real(objs, model, **kwargs)

        monkeypatch.setattr(imports, "bulk_create_with_history", fail_on_users)
        with pytest.raises(IntegrityError):
            apply(csv_bytes(CLEAN_ROWS), django_capture_on_commit_callbacks)
        assert Office.objects.count() == 0 and User.objects.count() == 0
        assert mail.outbox == []

    def test_a_changed_row_updates_the_office_and_the_user_with_history(
        self, admin_user, django_capture_on_commit_callbacks
    ):
        apply(csv_bytes(CLEAN_ROWS), django_capture_on_commit_callbacks)
        changed = [CLEAN_ROWS[0].replace("สพป.น่าน เขต 1,สพป.", "สพป.น่าน 1,สพป.").replace("054-000001", "054-999999")]
        result = apply(csv_bytes(changed), django_capture_on_commit_callbacks, actor=admin_user, filename="แก้ไข.csv")
        assert (result.offices_updated, result.users_updated, result.users_created) == (1, 1, 0)
        assert Office.objects.get(code="1101").short_name == "สพป.น่าน 1"
        assert User.objects.get(username="nan1").phone == "054-999999"
        latest = Office.history.filter(code="1101").latest("history_date")
        assert Office.history.filter(code="1101").count() == 2  # created, then changed
        assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
            "~", admin_user, "นำเข้าจากไฟล์ แก้ไข.csv")
        assert User.history.filter(username="nan1", history_type="~").count() == 1

    def test_an_existing_user_moves_office_and_role_and_staff_status_follows(
        self, district_user, administration, django_capture_on_commit_callbacks
    ):
        rows = [f"{administration.code},,,,,{district_user.username},,,,ผู้ดูแลระบบ,"]
        result = apply(csv_bytes(rows), django_capture_on_commit_callbacks)
        assert result.users_updated == 1 and mail.outbox == []
        district_user.refresh_from_db()
        assert (district_user.office, district_user.role, district_user.is_staff) == (
            administration, Role.ADMINISTRATOR, True)
        assert district_user.check_password(PASSWORD)  # an update never touches the password

    def test_links_can_be_sent_again_to_users_who_never_set_a_password(self, client, django_capture_on_commit_callbacks):
        apply(csv_bytes(CLEAN_ROWS), django_capture_on_commit_callbacks)
        mail.outbox.clear()
        assert offices_import_preview(content=csv_bytes(CLEAN_ROWS)).users_without_password == 3
        result = apply(csv_bytes(CLEAN_ROWS), django_capture_on_commit_callbacks, resend_links=True)
        assert result.emails_sent == 3 and len(mail.outbox) == 3
        set_password_through(client, next(m for m in mail.outbox if m.to == ["law1@obec.go.th"]).body, "Law-ใหม่-2569")
        assert User.objects.get(username="law1").check_password("Law-ใหม่-2569")

    def test_a_mail_failure_is_reported_and_does_not_undo_the_import(
        self, monkeypatch, django_capture_on_commit_callbacks
    ):
        from django.core.mail import EmailMessage

        real_send = EmailMessage.send

        def send(message, fail_silently=False):
            if message.to == ["law1@obec.go.th"]:
                raise OSError("mail server said no")
            return real_send(message, fail_silently)

        monkeypatch.setattr(EmailMessage, "send", send)
        result = apply(csv_bytes(CLEAN_ROWS), django_capture_on_commit_callbacks)
        assert (result.emails_sent, result.email_failures) == (2, ["law1"])
        assert User.objects.filter(username="law1").exists()

    def test_300_rows_cost_a_bounded_number_of_queries(
        self, django_assert_max_num_queries, django_capture_on_commit_callbacks
    ):
        # 150 districts with two reporters each; office 3000 exists already and changes kind (สพป. to
        # สพม.), and its user u0a gets a new e-mail address.
        existing = make_office("3000", Office.Kind.PRIMARY, "เดิม")
        make_user("u0a", existing, Role.DISTRICT_REPORTER)
        rows = [
            f"{3000 + n},สำนักงานเขตพื้นที่การศึกษาทดสอบ {n},,,{'สพป.' if n % 4 else 'สพม.'},"
            f"u{n}{suffix},,,u{n}{suffix}@obec.go.th,ผู้รายงานผล,"
            for n in range(150) for suffix in ("a", "b")
        ]
        # Expected on SQLite (21), whose 999-parameter limit splits bulk inserts into batches:
        #   2  the savepoint around the import and its release (a real request has BEGIN and COMMIT)
        #   3  preview: offices by code; users by username or e-mail; users left in the office that
        #      changes kind (only asked when an office does)
        #   1  insert 149 offices (7 parameters each)       + 2 their history rows (11 each)
        #   1  update 1 office                               + 1 its history row
        #   4  insert 299 users (13 parameters each)        + 5 their history rows (~15 each)
        #   1  update 1 user                                 + 1 its history row
        # PostgreSQL needs one statement per bulk step (about 12). Either way the count grows by one
        # per ~70 rows, never per row. The e-mails (locmem) are no queries.
        with django_assert_max_num_queries(22):
            result = apply(csv_bytes(rows), django_capture_on_commit_callbacks)
        assert (result.offices_created, result.offices_updated, result.users_created) == (149, 1, 299)
        assert Office.objects.count() == 150 and User.objects.count() == 300
        assert len(mail.outbox) == 299

    def test_the_preview_alone_is_two_queries(self, django_assert_num_queries):
        rows = [f"{3000 + n},สพป.ทดสอบ {n},,,สพป.,u{n},,,u{n}@obec.go.th,ผู้รายงานผล," for n in range(300)]
        with django_assert_num_queries(2):
            assert offices_import_preview(content=csv_bytes(rows)).is_valid


class TestAdminPages:
    def upload(self, client, content: bytes, name: str = "offices.csv"):
        return client.post(reverse("admin:krs_office_import"), {"file": SimpleUploadedFile(name, content)})

    def test_the_office_list_has_an_import_button(self, client, admin_user):
        client.force_login(admin_user)
        body = client.get(reverse("admin:krs_office_changelist")).content.decode()
        assert reverse("admin:krs_office_import") in body and "นำเข้าจากไฟล์" in body

    def test_preview_then_confirm(self, client, admin_user, django_capture_on_commit_callbacks):
        client.force_login(admin_user)
        assert client.get(reverse("admin:krs_office_import")).status_code == 200
        preview = self.upload(client, csv_bytes(CLEAN_ROWS))
        body = preview.content.decode()
        assert preview.status_code == 200
        assert "ยืนยันนำเข้าทั้งหมด" in body and "เพิ่มใหม่" in body and "nan1b@obec.go.th" in body
        assert not Office.objects.filter(code="1101").exists()
        digest = preview.context["confirm_form"].initial["digest"]
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(reverse("admin:krs_office_import_confirm"), {"digest": digest})
        assert done.status_code == 302 and done.url == reverse("admin:krs_office_changelist")
        assert Office.objects.filter(code__in=["1101", "2101", "B-LAW"]).count() == 3
        assert len(mail.outbox) == 3
        assert User.history.filter(username="nan1").get().history_user == admin_user
        page = client.get(done.url)
        assert "นำเข้าเรียบร้อย" in page.content.decode()
        # The stashed file is gone: confirming twice does nothing more.
        again = client.post(reverse("admin:krs_office_import_confirm"), {"digest": digest})
        assert again.url == reverse("admin:krs_office_import")

    def test_a_file_with_errors_shows_them_and_cannot_be_confirmed(self, client, admin_user):
        client.force_login(admin_user)
        clean = self.upload(client, csv_bytes(CLEAN_ROWS))  # a clean preview first, then a bad file
        bad = self.upload(client, csv_bytes([*CLEAN_ROWS, "1999,x,,,สพป.,bad,,,bad@obec.go.th,???,"]))
        body = bad.content.decode()
        assert "แถวที่ 6 คอลัมน์ บทบาท: ไม่รู้จักบทบาท “???”" in body
        assert "ยืนยันนำเข้าทั้งหมด" not in body and bad.context["confirm_form"] is None
        # Neither the bad file nor the clean one before it can be confirmed now.
        digest = clean.context["confirm_form"].initial["digest"]
        response = client.post(reverse("admin:krs_office_import_confirm"), {"digest": digest})
        assert response.url == reverse("admin:krs_office_import")
        assert not Office.objects.filter(code="1101").exists()

    def test_a_confirm_without_a_matching_preview_changes_nothing(self, client, admin_user):
        client.force_login(admin_user)
        self.upload(client, csv_bytes(CLEAN_ROWS))
        response = client.post(reverse("admin:krs_office_import_confirm"), {"digest": "0" * 64}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("admin:krs_office_import")
        assert "โปรดอัปโหลดไฟล์อีกครั้ง" in response.content.decode()
        assert not Office.objects.filter(code="1101").exists()

    def test_the_confirm_checks_again_against_the_database(self, client, admin_user, bureau):
        client.force_login(admin_user)
        preview = self.upload(client, csv_bytes(CLEAN_ROWS))
        # Meanwhile another admin gives law1's e-mail address to someone else.
        make_user("someone", bureau, Role.BUREAU_CERTIFIER)
        User.objects.filter(username="someone").update(email="law1@obec.go.th")
        response = client.post(reverse("admin:krs_office_import_confirm"),
                               {"digest": preview.context["confirm_form"].initial["digest"]})
        assert response.status_code == 200
        body = response.content.decode()
        assert "ไม่มีข้อมูลใดถูกบันทึก" in body and "law1@obec.go.th" in body
        assert not Office.objects.filter(code="1101").exists()

    def test_a_database_failure_on_confirm_saves_nothing_and_says_so(self, client, admin_user, monkeypatch):
        client.force_login(admin_user)
        preview = self.upload(client, csv_bytes(CLEAN_ROWS))
        real = imports.bulk_create_with_history

        def fail_on_users(objs, model, **kwargs):
            if model is User:
                raise IntegrityError("simulated")
            return real(objs, model, **kwargs)

        monkeypatch.setattr(imports, "bulk_create_with_history", fail_on_users)
        response = client.post(reverse("admin:krs_office_import_confirm"),
                               {"digest": preview.context["confirm_form"].initial["digest"]}, follow=True)
        assert "นำเข้าไม่สำเร็จ" in response.content.decode()
        assert not Office.objects.filter(code="1101").exists() and not User.objects.filter(username="nan1").exists()

    @pytest.mark.parametrize("persona", ["district_user", "certifier", "executive"])
    def test_nobody_but_administrators_may_import(self, client, request, persona):
        client.force_login(request.getfixturevalue(persona))
        response = client.get(reverse("admin:krs_office_import"))
        assert response.status_code == 302 and "/admin/login/" in response.url
        response = self.upload(client, csv_bytes(CLEAN_ROWS))
        assert response.status_code == 302 and "/admin/login/" in response.url
        response = client.post(reverse("admin:krs_office_import_confirm"), {"digest": "0" * 64})
        assert response.status_code == 302 and "/admin/login/" in response.url
        assert not Office.objects.filter(code="1101").exists()

    def test_staff_status_alone_is_not_enough(self, client, certifier):
        User.objects.filter(pk=certifier.pk).update(is_staff=True)  # bypasses User.save on purpose
        client.force_login(certifier)
        assert client.get(reverse("admin:krs_office_import")).status_code == 403

    def test_anonymous_users_are_sent_to_log_in(self, client):
        response = client.get(reverse("admin:krs_office_import"))
        assert response.status_code == 302 and "/admin/login/" in response.url

"""Import offices and their users from a CSV or XLSX file: preview every row, then apply all or nothing.

One row per user; a row with no username describes an office only. New users get no password in the
file: they are created with an unusable password and receive a password-set link by e-mail after
the import commits.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from krs.models import ROLE_OFFICE_KINDS, Office, Role, User

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000

OFFICE_FIELDS = ("office_code", "office_name_th", "office_name_en", "office_short_name", "office_kind")
USER_FIELDS = ("username", "first_name", "last_name", "email", "role", "phone")
COLUMNS = OFFICE_FIELDS + USER_FIELDS

# Header names as people type them (Thai or English); compared after lower-casing and removing spaces.
_HEADER_ALIASES = {
    "office_code": ["office_code", "code", "รหัสหน่วยงาน", "รหัส"],
    "office_name_th": ["office_name_th", "name_th", "ชื่อหน่วยงาน", "ชื่อหน่วยงานภาษาไทย", "ชื่อภาษาไทย"],
    "office_name_en": ["office_name_en", "name_en", "ชื่อหน่วยงานภาษาอังกฤษ", "ชื่อภาษาอังกฤษ"],
    "office_short_name": ["office_short_name", "short_name", "ชื่อย่อ", "ชื่อย่อหน่วยงาน"],
    "office_kind": ["office_kind", "kind", "ประเภทหน่วยงาน", "ประเภท"],
    "username": ["username", "ชื่อผู้ใช้"],
    "first_name": ["first_name", "ชื่อ"],
    "last_name": ["last_name", "นามสกุล"],
    "email": ["email", "e-mail", "อีเมล", "อีเมล์"],
    "role": ["role", "บทบาท"],
    "phone": ["phone", "โทรศัพท์", "เบอร์โทรศัพท์"],
}
HEADERS = {alias.replace(" ", "").lower(): name for name, aliases in _HEADER_ALIASES.items() for alias in aliases}

_KIND_ALIASES = {
    Office.Kind.PRIMARY: ["primary", "สพป.", "สพป"],
    Office.Kind.SECONDARY: ["secondary", "สพม.", "สพม"],
    Office.Kind.BUREAU: ["bureau", "สำนัก", "สำนักส่วนกลาง"],
    Office.Kind.ADMINISTRATION: ["administration", "กพร.สพฐ.", "กพร.", "กพร", "ผู้ดูแลระบบ"],
}
KINDS = {alias.lower(): kind for kind, aliases in _KIND_ALIASES.items() for alias in aliases}

_ROLE_ALIASES = {
    Role.DISTRICT_REPORTER: ["district_reporter", "reporter", "ผู้รายงานผล", "ผู้รายงานผล สพท."],
    Role.BUREAU_CERTIFIER: ["bureau_certifier", "certifier", "ผู้รับรองผล", "ผู้รับรองผล สำนัก"],
    Role.ADMINISTRATOR: ["administrator", "admin", "ผู้ดูแลระบบ"],
    Role.EXECUTIVE: ["executive", "ผู้บริหาร", "ผู้บริหาร (ดูอย่างเดียว)"],
}
ROLES = {alias.lower(): role for role, aliases in _ROLE_ALIASES.items() for alias in aliases}


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, too big, no header)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("แถวที่ %(row)s") % {"row": self.row}
        if self.column:
            where += " " + _("คอลัมน์ %(column)s") % {"column": self.column}
        return f"{where}: {self.message}"


@dataclass
class RowPlan:
    row: int
    office_code: str
    office_action: str  # "new", "update" or "same"
    username: str = ""
    user_action: str = ""  # "new", "update", "same" or "" (no user on this row)

    @property
    def office_action_label(self) -> str:
        return _action_label(self.office_action)

    @property
    def user_action_label(self) -> str:
        return _action_label(self.user_action)


def _action_label(action: str) -> str:
    return {"new": _("เพิ่มใหม่"), "update": _("แก้ไข"), "same": _("ไม่เปลี่ยนแปลง")}.get(action, "")


@dataclass
class ImportPlan:
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    offices: dict[str, dict] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def count(self, kind: str, action: str) -> int:
        attr = "office_action" if kind == "office" else "user_action"
        seen = set()
        for row in self.rows:
            key = row.office_code if kind == "office" else row.username
            if getattr(row, attr) == action and key not in seen:
                seen.add(key)
        return len(seen)


@dataclass(frozen=True)
class ImportResult:
    offices_created: int
    offices_updated: int
    users_created: int
    users_updated: int


def _cell(value) -> str:
    """A cell as text: XLSX numbers such as 1001.0 become "1001"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_table(content: bytes) -> list[list[str]]:
    # Decide by content, not by the file's name: an XLSX file is a zip archive.
    if content[:2] == b"PK":
        try:
            from openpyxl import load_workbook

            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise ImportFileError(_("อ่านไฟล์ XLSX ไม่ได้: %(error)s") % {"error": exc}) from None
        sheet = workbook.worksheets[0]
        rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    try:
        text = content.decode("utf-8-sig")  # Excel writes Thai CSV as UTF-8 with a byte-order mark
    except UnicodeDecodeError:
        raise ImportFileError(_("ไฟล์ CSV ต้องเข้ารหัสแบบ UTF-8 (ใน Excel เลือก “CSV UTF-8”)")) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def _records(content: bytes) -> list[tuple[int, dict[str, str]]]:
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportFileError(_("ไฟล์ใหญ่เกิน %(mb)s MB") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)})
    if not content:
        raise ImportFileError(_("ไฟล์ว่างเปล่า"))
    table = _read_table(content)
    while table and not any(table[0]):
        table.pop(0)
    if not table:
        raise ImportFileError(_("ไม่พบข้อมูลในไฟล์"))
    header = table[0]
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        key = HEADERS.get(name.replace(" ", "").lower())
        if key:
            columns[index] = key
    missing = [name for name in ("office_code", "office_name_th", "office_kind") if name not in columns.values()]
    if missing:
        raise ImportFileError(
            _("หัวตารางต้องมีคอลัมน์ %(columns)s (ดูรูปแบบไฟล์ในคู่มือ)") % {"columns": ", ".join(missing)}
        )
    records = []
    for offset, row in enumerate(table[1:], start=2):  # row numbers as the spreadsheet shows them
        if not any(row):
            continue
        record = {name: "" for name in COLUMNS}
        for index, key in columns.items():
            if index < len(row):
                record[key] = row[index]
        records.append((offset, record))
    if len(records) > MAX_IMPORT_ROWS:
        raise ImportFileError(_("ไฟล์มีเกิน %(rows)s แถว โปรดแบ่งไฟล์") % {"rows": MAX_IMPORT_ROWS})
    return records


def offices_import_preview(*, content: bytes) -> ImportPlan:
    """Read the file and say what every row would do, with every error by row and column; saves nothing."""
    plan = ImportPlan()
    records = _records(content)
    codes = {record["office_code"] for _, record in records if record["office_code"]}
    usernames = {record["username"] for _, record in records if record["username"]}
    emails = {record["email"].lower() for _, record in records if record["email"]}
    existing_offices = {office.code: office for office in Office.objects.filter(code__in=codes)}
    existing_users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    # Addresses already used by someone else: a reset link must reach exactly one person.
    email_owner = dict(
        User.objects.filter(email__in=emails).exclude(email="").values_list("email", "username")
    )
    seen_emails: dict[str, int] = {}

    def error(row: int, column: str, message: str) -> None:
        plan.errors.append(RowError(row, column, message))

    for row, record in records:
        code = record["office_code"]
        if not code:
            error(row, "office_code", _("ต้องระบุรหัสหน่วยงาน"))
            continue
        kind = KINDS.get(record["office_kind"].lower())
        if not kind:
            error(row, "office_kind", _("ไม่รู้จักประเภทหน่วยงาน “%(value)s”") % {"value": record["office_kind"]})
        if not record["office_name_th"]:
            error(row, "office_name_th", _("ต้องระบุชื่อหน่วยงานภาษาไทย"))
        office = {
            "code": code,
            "name_th": record["office_name_th"],
            "name_en": record["office_name_en"],
            "short_name": record["office_short_name"],
            "kind": kind,
        }
        earlier = plan.offices.get(code)
        if earlier is None:
            plan.offices[code] = office
        elif (earlier["kind"], earlier["name_th"]) != (office["kind"], office["name_th"]):
            error(row, "office_kind", _("หน่วยงาน %(code)s มีชื่อหรือประเภทไม่ตรงกับแถวก่อนหน้า") % {"code": code})
        current = existing_offices.get(code)
        if current is None:
            office_action = "new"
        elif all(getattr(current, key) == value for key, value in office.items() if key != "code"):
            office_action = "same"
        else:
            office_action = "update"
        plan_row = RowPlan(row=row, office_code=code, office_action=office_action)
        plan.rows.append(plan_row)

        username = record["username"]
        if not username:
            if any(record[name] for name in ("email", "role", "first_name", "last_name")):
                error(row, "username", _("มีข้อมูลผู้ใช้แต่ไม่ได้ระบุชื่อผู้ใช้"))
            continue
        plan_row.username = username
        try:
            User.username_validator(username)
        except ValidationError:
            error(row, "username", _("ชื่อผู้ใช้ “%(value)s” ใช้ได้เฉพาะตัวอักษรอังกฤษ ตัวเลข และ @ . + - _") % {"value": username})
        if username in plan.users:
            error(row, "username", _("ชื่อผู้ใช้ “%(value)s” ซ้ำกับแถวที่ %(row)s") % {"value": username, "row": plan.users[username]["row"]})
            continue
        role = ROLES.get(record["role"].lower())
        if not role:
            error(row, "role", _("ไม่รู้จักบทบาท “%(value)s”") % {"value": record["role"]})
        elif kind and kind not in ROLE_OFFICE_KINDS[role]:
            error(row, "role", _("บทบาท “%(role)s” ใช้กับหน่วยงานประเภท “%(kind)s” ไม่ได้")
                  % {"role": Role(role).label, "kind": Office.Kind(kind).label})
        email = record["email"].lower()
        user = existing_users.get(username)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                error(row, "email", _("อีเมล “%(value)s” ไม่ถูกต้อง") % {"value": record["email"]})
            if email in seen_emails:
                error(row, "email", _("อีเมลซ้ำกับแถวที่ %(row)s") % {"row": seen_emails[email]})
            elif email_owner.get(email, username) != username:
                error(row, "email", _("อีเมลนี้เป็นของผู้ใช้ “%(other)s” อยู่แล้ว") % {"other": email_owner[email]})
            seen_emails[email] = row
        elif user is None:
            error(row, "email", _("ผู้ใช้ใหม่ต้องมีอีเมล เพื่อรับลิงก์ตั้งรหัสผ่าน"))
        values = {
            "row": row, "office_code": code, "first_name": record["first_name"], "last_name": record["last_name"],
            "email": email or (user.email if user else ""), "role": role, "phone": record["phone"],
        }
        plan.users[username] = values
        if user is None:
            plan_row.user_action = "new"
        elif (
            user.office.code if user.office else None, user.role, user.email, user.first_name, user.last_name, user.phone
        ) == (code, role, values["email"], values["first_name"], values["last_name"], values["phone"]):
            plan_row.user_action = "same"
        else:
            plan_row.user_action = "update"
    return plan


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def offices_import_apply(*, content: bytes, site_url: str) -> ImportResult:
    """Validate again and apply the whole file in one transaction; e-mail new users after it commits.

    ``site_url`` is the scheme and host for the password-set links (e.g. "https://krs.obec.go.th").
    Raises ``ImportRejected`` (nothing saved) when any row has an error.
    """
    with transaction.atomic():
        plan = offices_import_preview(content=content)
        if not plan.ok:
            raise ImportRejected(plan.errors)
        offices = {office.code: office for office in Office.objects.select_for_update().filter(code__in=plan.offices)}
        new_offices, changed_offices = [], []
        for code, values in plan.offices.items():
            office = offices.get(code)
            if office is None:
                office = Office(**values)
                # Field checks only: uniqueness was checked in bulk by the preview, and full_clean()
                # would cost two queries per office (unique code, check constraint).
                office.clean_fields()
                new_offices.append(office)
            elif any(getattr(office, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(office, key, value)
                office.clean_fields()
                changed_offices.append(office)
        if new_offices:
            bulk_create_with_history(new_offices, Office)
        if changed_offices:
            bulk_update_with_history(changed_offices, Office, ["name_th", "name_en", "short_name", "kind"])
        offices = {office.code: office for office in Office.objects.filter(code__in=plan.offices)}

        users = {user.username: user for user in User.objects.select_for_update().filter(username__in=plan.users)}
        new_users, changed_users = [], []
        user_fields = ["first_name", "last_name", "email", "role", "phone"]
        for username, values in plan.users.items():
            office = offices[values["office_code"]]
            user = users.get(username)
            if user is None:
                user = User(username=username, office=office, **{key: values[key] for key in user_fields})
                user.set_unusable_password()
                new_users.append(user)
            elif (user.office_id, *(getattr(user, key) for key in user_fields)) != (
                office.pk, *(values[key] for key in user_fields)
            ):
                user.office = office
                for key in user_fields:
                    setattr(user, key, values[key])
                changed_users.append(user)
        for user in new_users + changed_users:
            # bulk writes skip User.save(), where staff status follows the role.
            if not user.is_superuser:
                user.is_staff = user.role == Role.ADMINISTRATOR
        if new_users:
            bulk_create_with_history(new_users, User)
        if changed_users:
            bulk_update_with_history(changed_users, User, ["office", "is_staff", *user_fields])
        created = list(User.objects.filter(username__in=[user.username for user in new_users]))
        transaction.on_commit(lambda: _send_password_set_links(created, site_url))
    return ImportResult(len(new_offices), len(changed_offices), len(new_users), len(changed_users))


def password_set_link(user: User, site_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return site_url.rstrip("/") + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def _send_password_set_links(users: list[User], site_url: str) -> None:
    messages = []
    for user in users:
        context = {"user": user, "link": password_set_link(user, site_url), "site_url": site_url}
        subject = render_to_string("krs/email/account_created_subject.txt", context).strip()
        body = render_to_string("krs/email/account_created.txt", context)
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    if messages:
        send_mass_mail(messages, fail_silently=False)

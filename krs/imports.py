"""Import offices and their users from one CSV or XLSX file: read, preview, then apply in one transaction.

The admin uploads a file; ``offices_import_preview`` says row by row what would happen and lists every
error. Only a file without errors can be applied, and ``offices_import_apply`` reads and checks it again
(the database may have changed since the preview) before writing everything or nothing. New users get
no password: once the transaction has committed, each is e-mailed a link to set one.

The format is described for administrators in ``docs/import-offices.md``.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from krs.models import ROLE_OFFICE_KINDS, Office, Role, User
from krs.spreadsheets import (
    OFFICE_CODE_HEADERS,
    DateCell,
    NumberCell,
    RowIssue,
    SpreadsheetError,
    Table,
    match_headers,
    normalise_code,
    normalise_digits,
    read_upload,
    spelling_key,
    upload_stash,
    upload_unstash,
)

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000
SESSION_KEY = "krs_office_import"


def max_file_bytes() -> int:
    return getattr(settings, "KRS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_rows() -> int:
    return getattr(settings, "KRS_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


# --------------------------------------------------------------------------------------------------
# Columns and the values people actually type into them
# --------------------------------------------------------------------------------------------------

# Header names are compared by krs.spreadsheets.spelling_key, so "Office Code", "office_code" and "OFFICE-CODE" are one.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "office_code": OFFICE_CODE_HEADERS,
    "office_name_th": (
        "office_name_th", "name_th", "office_name", "ชื่อหน่วยงาน", "ชื่อหน่วยงานภาษาไทย", "ชื่อหน่วยงาน(ไทย)",
        "ชื่อภาษาไทย",
    ),
    "office_name_en": (
        "office_name_en", "name_en", "ชื่อหน่วยงานภาษาอังกฤษ", "ชื่อหน่วยงาน(อังกฤษ)", "ชื่อภาษาอังกฤษ",
    ),
    "office_short_name": ("office_short_name", "short_name", "ชื่อย่อ", "ชื่อย่อหน่วยงาน"),
    "office_kind": ("office_kind", "kind", "ประเภทหน่วยงาน", "ประเภท"),
    "username": ("username", "user", "login", "ชื่อผู้ใช้", "ชื่อผู้ใช้งาน", "บัญชีผู้ใช้"),
    "first_name": ("first_name", "firstname", "given_name", "ชื่อ"),
    "last_name": ("last_name", "lastname", "surname", "family_name", "นามสกุล"),
    "email": ("email", "e-mail", "mail", "อีเมล", "อีเมล์"),
    "role": ("role", "บทบาท"),
    "phone": ("phone", "telephone", "tel", "โทรศัพท์", "เบอร์โทรศัพท์", "เบอร์โทร", "หมายเลขโทรศัพท์"),
}
USER_DETAIL_COLUMNS = ("first_name", "last_name", "email", "role", "phone")
MAX_LENGTHS = {
    "office_code": Office._meta.get_field("code").max_length,
    "office_name_th": Office._meta.get_field("name_th").max_length,
    "office_name_en": Office._meta.get_field("name_en").max_length,
    "office_short_name": Office._meta.get_field("short_name").max_length,
    "username": User._meta.get_field("username").max_length,
    "first_name": User._meta.get_field("first_name").max_length,
    "last_name": User._meta.get_field("last_name").max_length,
    "email": User._meta.get_field("email").max_length,
    "phone": User._meta.get_field("phone").max_length,
}
# Which office field each office column fills.
OFFICE_FIELDS = {
    "office_name_th": "name_th",
    "office_name_en": "name_en",
    "office_short_name": "short_name",
    "office_kind": "kind",
}

KIND_ALIASES: dict[str, tuple[str, ...]] = {
    Office.Kind.PRIMARY: ("primary", "สพป", "ประถม", "ประถมศึกษา"),
    Office.Kind.SECONDARY: ("secondary", "สพม", "มัธยม", "มัธยมศึกษา"),
    Office.Kind.BUREAU: ("bureau", "สำนัก", "สำนักส่วนกลาง", "ส่วนกลาง"),
    Office.Kind.ADMINISTRATION: ("administration", "admin", "ผู้ดูแลระบบ", "กพร", "กพรสพฐ"),
}
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    Role.DISTRICT_REPORTER: ("district_reporter", "reporter", "ผู้รายงานผล", "ผู้รายงาน", "ผู้รายงานผลสพท"),
    Role.BUREAU_CERTIFIER: ("bureau_certifier", "certifier", "ผู้รับรองผล", "ผู้รับรอง", "ผู้รับรองผลสำนัก"),
    Role.ADMINISTRATOR: ("administrator", "admin", "ผู้ดูแลระบบ"),
    Role.EXECUTIVE: ("executive", "ผู้บริหาร"),
}

def _alias_table(aliases: dict[str, tuple[str, ...]], choices) -> dict[str, str]:
    table = {spelling_key(alias): code for code, names in aliases.items() for alias in names}
    # The labels the admin sees in the web forms work too, in either language.
    for language in ("th", "en"):
        with translation.override(language):
            for code, label in choices:
                table.setdefault(spelling_key(str(label)), code)
    return table


# --------------------------------------------------------------------------------------------------
# What the preview reports
# --------------------------------------------------------------------------------------------------

NEW, UPDATE, SAME = "new", "update", "same"
ACTION_LABELS = {NEW: gettext_lazy("เพิ่มใหม่"), UPDATE: gettext_lazy("แก้ไข"), SAME: gettext_lazy("ไม่เปลี่ยนแปลง")}


@dataclass
class ImportRow:
    number: int
    values: dict[str, str]
    office_code: str = ""
    kind: str = ""
    username: str = ""
    email: str = ""
    role: str = ""
    # The office's action is shown once, on the first row that names the office.
    office_action: str | None = None
    office_first_row: int | None = None
    office_changes: list[str] = field(default_factory=list)
    user_action: str | None = None
    user_changes: list[str] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)

    @property
    def office_action_label(self) -> str:
        return str(ACTION_LABELS[self.office_action]) if self.office_action else ""

    @property
    def user_action_label(self) -> str:
        return str(ACTION_LABELS[self.user_action]) if self.user_action else ""

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""

    @property
    def kind_label(self) -> str:
        return str(Office.Kind(self.kind).label) if self.kind else ""

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.values.get("first_name"), self.values.get("last_name")) if part)


@dataclass
class _Plan:
    offices_new: list[Office] = field(default_factory=list)
    offices_changed: list[Office] = field(default_factory=list)
    office_fields: set[str] = field(default_factory=set)
    users_new: list[User] = field(default_factory=list)
    users_changed: list[User] = field(default_factory=list)
    user_fields: set[str] = field(default_factory=set)
    # Existing users in the file who never set a password: they may be sent a fresh link on request.
    users_without_password: list[User] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    plan: _Plan = field(default_factory=_Plan)
    offices_same: int = 0
    users_same: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def offices_new(self) -> int:
        return len(self.plan.offices_new)

    @property
    def offices_updated(self) -> int:
        return len(self.plan.offices_changed)

    @property
    def users_new(self) -> int:
        return len(self.plan.users_new)

    @property
    def users_updated(self) -> int:
        return len(self.plan.users_changed)

    @property
    def users_without_password(self) -> int:
        return len(self.plan.users_without_password)

    def error(self, row: ImportRow | None, message: str, column: str | None = None) -> None:
        issue = RowIssue(message, row.number if row else None, column)
        self.errors.append(issue)
        if row is not None:
            row.errors.append(issue)


@dataclass
class ImportResult:
    offices_created: int = 0
    offices_updated: int = 0
    users_created: int = 0
    users_updated: int = 0
    emails_sent: int = 0
    # Usernames whose e-mail could not be sent; the data is saved regardless.
    email_failures: list[str] = field(default_factory=list)


class ImportRejected(Exception):
    """The file has errors (found again when applying); nothing was written."""

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__(f"{len(preview.errors)} error(s)")
        self.preview = preview


# --------------------------------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------------------------------


class _NotPhone(ValueError):
    """A phone cell that is not a phone number; the message says what to fix, in Thai."""


# A phone number as people write one: digits, spaces, "-", "+", parentheses, then an extension
# ("ต่อ 12", "ext. 12", "#12") or a second number after "," or "/".
_PHONE = re.compile(r"\+?[0-9][0-9 \-()]*", re.ASCII)
_EXTENSION = re.compile(r"\s*(?:ต่อ|ext\.?|x|#)\s*[0-9]+\s*$", re.IGNORECASE)


def _phone_text(cell: str) -> str:
    """A phone cell (``cell_text``) as text, or _NotPhone: a date (Excel turned "02-1234567" into one) is never stored."""
    if isinstance(cell, DateCell):
        raise _NotPhone(_("เซลล์นี้เป็นวันที่ ไม่ใช่เบอร์โทรศัพท์ (โปรแกรมตารางแปลงเบอร์เป็นวันที่): จัดรูปแบบคอลัมน์เป็น"
                          "ข้อความ (Text) แล้วพิมพ์เบอร์ใหม่ เช่น 02-288-5511"))
    text = normalise_digits(cell)
    # Excel turns 0812345678 typed into a General cell into the number 812345678. Every Thai domestic
    # number starts with the trunk prefix 0 (9 digits landline, 10 mobile), so it can be restored.
    if isinstance(cell, NumberCell) and text.isdigit() and len(text) in (8, 9):
        return "0" + text
    if not text:
        return text
    for number in re.split(r"\s*[,/]\s*", text):
        main = _EXTENSION.sub("", number)
        if not _PHONE.fullmatch(main) or sum(char.isdigit() for char in main) < 9:
            raise _NotPhone(_("“%(value)s” ไม่ใช่เบอร์โทรศัพท์: เขียนเป็นตัวเลข 9–10 หลัก เช่น 02-288-5511 หรือ "
                              "081-234-5678 ต่อ 12") % {"value": text})
    return text


# --------------------------------------------------------------------------------------------------
# Preview
# --------------------------------------------------------------------------------------------------


def offices_import_preview(*, content: bytes, actor: User | None = None) -> ImportPreview:
    """What importing this file would do, row by row, and every error in it. Writes nothing.

    Queries: one for the offices named in the file, one for the users matching its usernames or
    e-mails, and one more only when an existing office changes kind (to check the users left in it).
    """
    preview = ImportPreview()
    try:
        table = read_upload(content, max_bytes=max_file_bytes(), max_rows=max_rows(), key_headers=OFFICE_CODE_HEADERS)
    except SpreadsheetError as problem:
        preview.errors.append(RowIssue(str(problem)))
        return preview

    columns, labels = _map_headers(preview, table)
    if preview.errors:
        return preview
    if not table.rows:
        preview.errors.append(RowIssue(_("ไฟล์มีแต่หัวตาราง ไม่มีข้อมูล")))
        return preview

    kinds = _alias_table(KIND_ALIASES, Office.Kind.choices)
    roles = _alias_table(ROLE_ALIASES, Role.choices)
    for number, cells in table.rows:
        preview.rows.append(_parse_row(preview, table, number, cells, columns, labels, kinds, roles))
    _plan(preview, labels, actor)
    preview.errors.sort(key=lambda issue: -1 if issue.row is None else issue.row)
    return preview


def _map_headers(preview: ImportPreview, table: Table) -> tuple[dict[str, int], dict[str, str]]:
    columns: dict[str, int] = {}
    labels = {key: key for key in COLUMN_ALIASES}
    for header in match_headers(table.headers, COLUMN_ALIASES):
        if header.key is None:
            preview.warnings.append(
                _("ไม่รู้จักคอลัมน์ “%(header)s” ข้อมูลในคอลัมน์นี้จะไม่ถูกนำเข้า") % {"header": header.text})
        elif header.first is not None:
            preview.errors.append(RowIssue(
                _("คอลัมน์ “%(header)s” ซ้ำกับคอลัมน์ “%(first)s”") % {"header": header.text, "first": header.first},
                table.header_row))
        else:
            columns[header.key] = header.index
            # Errors name the column as the file does, so a Thai header reads back in Thai.
            labels[header.key] = header.text
    if "office_code" not in columns:
        preview.errors.append(RowIssue(
            _("ไม่พบคอลัมน์ office_code (รหัสหน่วยงาน) ในแถวหัวตาราง (แถวที่ %(row)s)") % {"row": table.header_row}))
    if "username" not in columns and any(key in columns for key in USER_DETAIL_COLUMNS):
        preview.errors.append(RowIssue(
            _("มีคอลัมน์ข้อมูลผู้ใช้แต่ไม่มีคอลัมน์ username (ชื่อผู้ใช้)")))
    return columns, labels


def _parse_row(
    preview: ImportPreview,
    table: Table,
    number: int,
    cells: list[str],
    columns: dict[str, int],
    labels: dict[str, str],
    kinds: dict[str, str],
    roles: dict[str, str],
) -> ImportRow:
    values = {}
    phone_problem = ""
    for key, index in columns.items():
        cell = cells[index] if index < len(cells) else ""
        if key == "phone":
            try:
                values[key] = _phone_text(cell)
            except _NotPhone as exc:
                values[key], phone_problem = "", str(exc)
        else:
            values[key] = str(cell)
    if "office_code" in values:
        # "๓๕๐๑" typed with Thai digits is the office 3501, not a new one.
        values["office_code"] = normalise_code(values["office_code"])
    row = ImportRow(number=number, values=values)
    if phone_problem:
        preview.error(row, phone_problem, labels["phone"])
    if table.beyond_header(cells):
        # Usually an unquoted comma in a CSV name, which shifts every later cell one column right.
        preview.error(row, _("มีข้อมูลเกินจำนวนคอลัมน์ของหัวตาราง (ข้อความที่มีเครื่องหมายจุลภาคต้องอยู่ในเครื่องหมายคำพูด)"))

    for key, limit in MAX_LENGTHS.items():
        if len(values.get(key, "")) > limit:
            preview.error(row, _("ยาวเกิน %(limit)s ตัวอักษร") % {"limit": limit}, labels[key])

    row.office_code = values.get("office_code", "")
    if not row.office_code:
        preview.error(row, _("ต้องระบุรหัสหน่วยงาน"), labels["office_code"])

    if raw_kind := values.get("office_kind", ""):
        row.kind = kinds.get(spelling_key(raw_kind), "")
        if not row.kind:
            preview.error(row, _("ไม่รู้จักประเภทหน่วยงาน “%(value)s” (ใช้ได้: สพป., สพม., สำนัก, ผู้ดูแลระบบ)")
                          % {"value": raw_kind}, labels["office_kind"])

    row.username = values.get("username", "")
    if row.username:
        try:
            User.username_validator(row.username)
        except ValidationError:
            preview.error(row, _("ชื่อผู้ใช้ “%(value)s” ใช้ได้เฉพาะตัวอักษร ตัวเลข และ @ . + - _")
                          % {"value": row.username}, labels["username"])
    elif any(values.get(key) for key in USER_DETAIL_COLUMNS):
        preview.error(row, _("มีข้อมูลผู้ใช้แต่ไม่ได้ระบุชื่อผู้ใช้"), labels["username"])

    if raw_email := values.get("email", ""):
        row.email = raw_email.lower()
        try:
            validate_email(row.email)
        except ValidationError:
            preview.error(row, _("อีเมล “%(value)s” ไม่ถูกต้อง") % {"value": raw_email}, labels["email"])

    if raw_role := values.get("role", ""):
        row.role = roles.get(spelling_key(raw_role), "")
        if not row.role:
            preview.error(row, _("ไม่รู้จักบทบาท “%(value)s”") % {"value": raw_role}, labels["role"])
    return row


@dataclass
class _OfficeDraft:
    first: ImportRow
    values: dict[str, tuple[str, ImportRow]] = field(default_factory=dict)
    office: Office | None = None


def _plan(preview: ImportPreview, labels: dict[str, str], actor: User | None) -> None:
    plan = preview.plan
    drafts = _merge_offices(preview, labels)
    usernames, emails = _check_duplicates(preview, labels)

    existing_offices = {office.code: office for office in Office.objects.filter(code__in=list(drafts))}
    by_username: dict[str, User] = {}
    by_email: dict[str, list[User]] = defaultdict(list)
    if usernames or emails:
        matches = User.objects.annotate(import_username=Lower("username"), import_email=Lower("email")).filter(
            Q(import_username__in=list(usernames)) | Q(import_email__in=list(emails)))
        for user in matches:
            by_username[user.username.lower()] = user
            if user.email:
                by_email[user.email.lower()].append(user)

    kind_changed: dict[int, tuple[Office, _OfficeDraft]] = {}
    for code, draft in drafts.items():
        office = existing_offices.get(code)
        if office is None:
            missing = [("office_name_th", _("หน่วยงานใหม่ต้องระบุชื่อภาษาไทย")),
                       ("office_kind", _("หน่วยงานใหม่ต้องระบุประเภทหน่วยงาน"))]
            for key, message in missing:
                if key not in draft.values and not (key == "office_kind" and draft.first.values.get(key)):
                    preview.error(draft.first, message, labels[key])
            office = Office(code=code, **{OFFICE_FIELDS[key]: value for key, (value, _row) in draft.values.items()})
            draft.first.office_action = NEW
            plan.offices_new.append(office)
        else:
            changes = []
            for key, (value, _row) in draft.values.items():
                attribute = OFFICE_FIELDS[key]
                if getattr(office, attribute) != value:
                    if attribute == "kind":
                        kind_changed[office.pk] = (office, draft)
                    setattr(office, attribute, value)
                    changes.append(attribute)
            if changes:
                draft.first.office_action = UPDATE
                draft.first.office_changes = [str(Office._meta.get_field(name).verbose_name) for name in changes]
                plan.offices_changed.append(office)
                plan.office_fields.update(changes)
            else:
                draft.first.office_action = SAME
                preview.offices_same += 1
        draft.office = office

    moved_emails = {row.username.lower(): row.email for row in preview.rows if row.username and row.email}
    for row in preview.rows:
        if row.office_code in drafts and row is not drafts[row.office_code].first:
            row.office_first_row = drafts[row.office_code].first.number
        if row.username and row.office_code in drafts:
            _plan_user(preview, row, drafts[row.office_code].office, by_username, by_email, moved_emails, labels, actor)

    if kind_changed:
        _check_users_left_behind(preview, kind_changed, usernames, labels)


def _merge_offices(preview: ImportPreview, labels: dict[str, str]) -> dict[str, _OfficeDraft]:
    """One office per code; rows after the first may leave office cells blank but must not contradict it."""
    drafts: dict[str, _OfficeDraft] = {}
    for row in preview.rows:
        if not row.office_code:
            continue
        draft = drafts.setdefault(row.office_code, _OfficeDraft(first=row))
        for key in OFFICE_FIELDS:
            value = row.kind if key == "office_kind" else row.values.get(key, "")
            if not value:
                continue
            if key not in draft.values:
                draft.values[key] = (value, row)
                continue
            earlier, earlier_row = draft.values[key]
            if earlier != value:
                if key == "office_kind":
                    shown = (str(Office.Kind(earlier).label), str(Office.Kind(value).label))
                    message = _("ประเภทหน่วยงานขัดแย้งกับแถวที่ %(row)s (“%(first)s” กับ “%(second)s”)")
                else:
                    shown = (earlier, value)
                    message = _("ข้อมูลหน่วยงาน %(code)s ขัดแย้งกับแถวที่ %(row)s (“%(first)s” กับ “%(second)s”)")
                preview.error(row, message % {"code": row.office_code, "row": earlier_row.number,
                                              "first": shown[0], "second": shown[1]}, labels[key])
    return drafts


def _check_duplicates(preview: ImportPreview, labels: dict[str, str]) -> tuple[set[str], set[str]]:
    seen_usernames: dict[str, ImportRow] = {}
    seen_emails: dict[str, ImportRow] = {}
    for row in preview.rows:
        if row.username:
            # Usernames differing only in case would be two accounts that people cannot tell apart.
            first = seen_usernames.setdefault(row.username.lower(), row)
            if first is not row:
                preview.error(row, _("ชื่อผู้ใช้ “%(value)s” ซ้ำกับแถวที่ %(row)s")
                              % {"value": row.username, "row": first.number}, labels["username"])
        if row.email:
            first = seen_emails.setdefault(row.email, row)
            if first is not row:
                preview.error(row, _("อีเมล “%(value)s” ซ้ำกับแถวที่ %(row)s")
                              % {"value": row.email, "row": first.number}, labels["email"])
    return set(seen_usernames), set(seen_emails)


def _plan_user(
    preview: ImportPreview,
    row: ImportRow,
    office: Office,
    by_username: dict[str, User],
    by_email: dict[str, list[User]],
    moved_emails: dict[str, str],
    labels: dict[str, str],
    actor: User | None,
) -> None:
    plan = preview.plan
    values = row.values
    user = by_username.get(row.username.lower())
    if user is not None and user.username != row.username:
        preview.error(row, _("มีผู้ใช้ “%(existing)s” อยู่แล้ว (ตัวพิมพ์เล็ก/ใหญ่ต่างกัน) โปรดใช้ชื่อเดิม")
                      % {"existing": user.username}, labels["username"])
        return
    if user is not None and user.is_superuser:
        preview.error(row, _("“%(value)s” เป็นผู้ดูแลระบบสูงสุด (superuser) แก้ไขผ่านไฟล์ไม่ได้")
                      % {"value": row.username}, labels["username"])
        return

    role = row.role or (user.role if user is not None else "")
    if not role and not values.get("role"):  # an unknown role was reported already
        preview.error(row, _("ผู้ใช้ใหม่ต้องระบุบทบาท"), labels["role"])
    if role and office.kind and office.kind not in ROLE_OFFICE_KINDS.get(role, ()):
        preview.error(row, _("บทบาท “%(role)s” ใช้กับหน่วยงานประเภท “%(kind)s” ไม่ได้")
                      % {"role": Role(role).label, "kind": Office.Kind(office.kind).label}, labels["role"])
    if user is None and not row.email and not values.get("email"):
        preview.error(row, _("ผู้ใช้ใหม่ต้องมีอีเมล เพื่อรับลิงก์ตั้งรหัสผ่าน"), labels["email"])
    if row.email:
        for owner in by_email.get(row.email, ()):
            moving_away = moved_emails.get(owner.username.lower(), row.email) != row.email
            if owner.username != row.username and not moving_away:
                preview.error(row, _("อีเมล “%(value)s” เป็นของผู้ใช้ “%(owner)s” อยู่แล้ว")
                              % {"value": row.email, "owner": owner.username}, labels["email"])
    if actor is not None and user is not None and user.pk == actor.pk and role != Role.ADMINISTRATOR:
        preview.error(row, _("เปลี่ยนบทบาทของบัญชีที่คุณกำลังใช้อยู่ไม่ได้"), labels["role"])
    row.role = role

    if user is None:
        user = User(username=row.username, first_name=values.get("first_name", ""),
                    last_name=values.get("last_name", ""), email=row.email, phone=values.get("phone", ""),
                    office=office, role=role, is_staff=role == Role.ADMINISTRATOR)
        # They choose their own password through the e-mailed link; nobody else ever knows it.
        user.set_unusable_password()
        row.user_action = NEW
        plan.users_new.append(user)
        return

    # A blank cell keeps what is there: files merged from several sources often leave gaps.
    wanted = {
        "first_name": values.get("first_name", ""),
        "last_name": values.get("last_name", ""),
        "email": row.email,
        "phone": values.get("phone", ""),
        "role": role,
    }
    changes = [name for name, value in wanted.items()
               if value and value != (getattr(user, name).lower() if name == "email" else getattr(user, name))]
    for name in changes:
        setattr(user, name, wanted[name])
    if user.office_id is None or user.office.code != office.code:
        user.office = office
        changes.append("office")
    if "role" in changes:
        user.is_staff = role == Role.ADMINISTRATOR  # User.save() would do this; bulk_update does not call it
        plan.user_fields.add("is_staff")
    if changes:
        row.user_action = UPDATE
        row.user_changes = [str(User._meta.get_field(name).verbose_name) for name in changes]
        plan.users_changed.append(user)
        plan.user_fields.update(changes)
    else:
        row.user_action = SAME
        preview.users_same += 1
    if not user.has_usable_password() and user.is_active and user.email:
        plan.users_without_password.append(user)


def _check_users_left_behind(
    preview: ImportPreview,
    kind_changed: dict[int, tuple[Office, _OfficeDraft]],
    usernames: set[str],
    labels: dict[str, str],
) -> None:
    """An office may change kind only if the users the file does not move or re-role still fit it."""
    stranded: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(office_id__in=list(kind_changed)).exclude(role=""):
        if user.username.lower() in usernames:
            continue  # the file's own row for this user is checked against the new kind
        office, _draft = kind_changed[user.office_id]
        if office.kind not in ROLE_OFFICE_KINDS.get(user.role, ()):
            stranded[user.office_id].append(user)
    for office_id, users in stranded.items():
        office, draft = kind_changed[office_id]
        names = ", ".join(f"{user.username} ({user.get_role_display()})" for user in users[:5])
        if len(users) > 5:
            names += _(" และอีก %(count)s คน") % {"count": len(users) - 5}
        preview.error(draft.first, _("เปลี่ยนประเภทเป็น “%(kind)s” ไม่ได้ เพราะบทบาทของผู้ใช้ในหน่วยงานนี้ไม่เข้ากัน: %(users)s")
                      % {"kind": office.get_kind_display(), "users": names}, labels["office_kind"])


# --------------------------------------------------------------------------------------------------
# Apply
# --------------------------------------------------------------------------------------------------


def offices_import_apply(
    *,
    content: bytes,
    actor: User | None,
    site_url: str,
    filename: str = "",
    resend_links: bool = False,
) -> ImportResult:
    """Check the file again and write all of it in one transaction, or raise ImportRejected.

    New users (and, with ``resend_links``, existing users in the file who never set a password) are
    e-mailed a password-set link after the commit; ``site_url`` (``https://host``) starts the link.
    History records are written in bulk with the actor as their user.
    """
    with transaction.atomic():
        preview = offices_import_preview(content=content, actor=actor)
        if not preview.is_valid:
            raise ImportRejected(preview)
        plan = preview.plan
        reason = (_("นำเข้าจากไฟล์ %(name)s") % {"name": filename or "-"})[:100]
        history = {"default_user": actor, "default_change_reason": reason}
        if plan.offices_new:
            bulk_create_with_history(plan.offices_new, Office, **history)
        if plan.offices_changed:
            bulk_update_with_history(plan.offices_changed, Office, fields=sorted(plan.office_fields), **history)
        created: list[User] = []
        if plan.users_new:
            created = bulk_create_with_history(plan.users_new, User, **history)
        if plan.users_changed:
            bulk_update_with_history(plan.users_changed, User, fields=sorted(plan.user_fields), **history)

        result = ImportResult(offices_created=len(plan.offices_new), offices_updated=len(plan.offices_changed),
                              users_created=len(created), users_updated=len(plan.users_changed))
        recipients = list(created) + (plan.users_without_password if resend_links else [])
        if recipients:
            transaction.on_commit(lambda: _send_password_links(users=recipients, site_url=site_url, result=result))
    return result


def _send_password_links(*, users: list[User], site_url: str, result: ImportResult) -> None:
    base = site_url.rstrip("/")
    # The token covers the password hash, so it is made after the commit, from what is stored.
    with translation.override(settings.LANGUAGE_CODE):
        messages = []
        for user in users:
            path = reverse("password_reset_confirm", kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            })
            context = {
                "user": user,
                "office": user.office,
                "role": user.get_role_display(),
                "link": f"{base}{path}",
                "site_url": f"{base}/",
                "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 3600)),
            }
            subject = "".join(render_to_string("krs/email/account_created_subject.txt", context).splitlines())
            body = render_to_string("krs/email/account_created.txt", context)
            messages.append((user, EmailMessage(subject, body, to=[user.email])))
    try:
        connection = get_connection()
        connection.open()
    except Exception:
        logger.exception("office import: cannot open the mail connection")
        result.email_failures.extend(user.username for user, _message in messages)
        return
    try:
        for user, message in messages:
            message.connection = connection
            try:
                message.send()
                result.emails_sent += 1
            except Exception:  # one bad address must not stop the others
                logger.exception("office import: password link to %s not sent", user.username)
                result.email_failures.append(user.username)
    finally:
        connection.close()


# --------------------------------------------------------------------------------------------------
# Between preview and confirm
# --------------------------------------------------------------------------------------------------


def offices_import_stash(*, session: SessionBase, content: bytes, filename: str) -> str:
    """Keep the previewed file in the session and return its digest (see ``krs.spreadsheets.upload_stash``)."""
    return upload_stash(session, key=SESSION_KEY, content=content, filename=filename)


def offices_import_unstash(*, session: SessionBase, digest: str) -> tuple[bytes, str] | None:
    """The stashed file and its name if its digest matches, else None (expired session, or another upload since)."""
    stashed = upload_unstash(session, key=SESSION_KEY, digest=digest)
    return None if stashed is None else (stashed[0], stashed[1].get("filename", ""))


def offices_import_discard(*, session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)

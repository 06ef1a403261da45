"""The API's errors: JSON with a stable ``code`` and the message in Thai and in English.

::

    {"code": "batch_invalid", "message_th": "…", "message_en": "…",
     "errors": [{"item": 3, "field": "A", "code": "invalid_value", "message_th": "…", "message_en": "…"}]}

The top-level messages come from ``MESSAGES`` below, written in both languages on purpose (not through
gettext): a linked system gets both whatever language is active. Item messages come from the same
services the pages use (``both`` evaluates a message under Thai and under English).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import translation

# code: (HTTP status, Thai, English)
MESSAGES: dict[str, tuple[int, str, str]] = {
    "unauthorized": (401, "ต้องส่งโทเคน API ที่ใช้งานได้ในส่วนหัว Authorization: Bearer <โทเคน> "
                          "(โทเคนไม่ถูกต้อง ถูกเพิกถอน หรือหมดอายุ)",
                     "A valid API token is required in the header Authorization: Bearer <token> "
                     "(the token is unknown, revoked or expired)."),
    "forbidden": (403, "โทเคนนี้ไม่มีสิทธิ์ทำรายการนี้", "This token is not allowed to do this."),
    "read_only_token": (403, "โทเคนนี้มีสิทธิ์อ่านอย่างเดียว บันทึกข้อมูลไม่ได้", "This token is read-only: it cannot write."),
    "not_found": (404, "ไม่พบข้อมูลที่ขอ หรือโทเคนนี้ไม่มีสิทธิ์เห็นข้อมูลนี้", "Not found, or not visible to this token."),
    "version_conflict": (409, "ไม่ได้บันทึกข้อมูลใดเลย: มีผู้บันทึกรายการนี้หลังจากรุ่นข้อมูลที่ส่งมา อ่านข้อมูลล่าสุดแล้วส่งใหม่",
                         "Nothing was saved: someone saved these entries after the version you sent. "
                         "Read them again and resend."),
    "invalid_request": (422, "คำขอไม่ถูกต้องตามรูปแบบที่กำหนด", "The request does not match the documented format."),
    "invalid_cursor": (422, "ค่า cursor ไม่ถูกต้อง ใช้ค่า next_cursor จากหน้าก่อนหน้า",
                       "Invalid cursor: use next_cursor from the previous page."),
    "batch_invalid": (422, "ไม่ได้บันทึกข้อมูลใดเลย: มีรายการที่ไม่ถูกต้อง ดูรายละเอียดใน errors",
                      "Nothing was saved: some items are invalid (see errors)."),
    "warnings_unconfirmed": (422, "ไม่ได้บันทึกข้อมูลใดเลย: มีค่าที่ระบบเตือนให้ตรวจสอบ ดูรายละเอียดใน errors "
                                  "ถ้าค่าถูกต้อง ส่งใหม่พร้อม \"confirm_warnings\": true",
                             "Nothing was saved: some values raise warnings (see errors). If they are right, "
                             "send again with \"confirm_warnings\": true."),
    "batch_too_large": (422, "ส่งรายการมากเกินกว่าที่รับได้ในครั้งเดียว", "Too many items in one call."),
    "rate_limited": (429, "เรียกใช้ถี่เกินกำหนดของโทเคนนี้ รอตามเวลาใน Retry-After แล้วลองใหม่",
                     "Too many calls with this token: wait for Retry-After seconds and try again."),
    "server_error": (500, "ระบบขัดข้อง ไม่ได้บันทึกข้อมูล แจ้งผู้ดูแลระบบ", "Server error: nothing was saved. Tell the administrators."),
}

# Item codes (inside ``errors``), documented in docs/api.md.
ITEM_MESSAGES: dict[str, tuple[str, str]] = {
    "not_found": ("ไม่พบรายการนี้ หรือโทเคนนี้ไม่มีสิทธิ์เห็น", "Not found, or not visible to this token."),
    "forbidden": ("โทเคนนี้ไม่มีสิทธิ์บันทึกรายการนี้", "This token may not write this item."),
    "duplicate": ("รายการซ้ำกับรายการก่อนหน้าในคำขอเดียวกัน", "The same entry appears twice in this call."),
    "version_conflict": ("มีผู้บันทึกรายการนี้หลังจากรุ่นข้อมูลที่ส่งมา", "Someone saved this entry after the version sent."),
}


def both(message: Callable[[], str | None]) -> tuple[str, str]:
    """A message the project builds with gettext, evaluated in Thai and in English."""
    with translation.override("th"):
        th = message() or ""
    with translation.override("en"):
        en = message() or ""
    return th, en


@dataclass
class ItemError:
    code: str
    message_th: str
    message_en: str
    item: int | None = None
    field: str | None = None

    @classmethod
    def of(cls, code: str, *, item: int | None = None, field: str | None = None) -> ItemError:
        th, en = ITEM_MESSAGES[code]
        return cls(code, th, en, item, field)

    def as_dict(self) -> dict:
        return {"item": self.item, "field": self.field, "code": self.code, "message_th": self.message_th,
                "message_en": self.message_en}


@dataclass
class ApiError(Exception):
    """Raised by an endpoint; answered as JSON with ``MESSAGES[code]``'s status and texts."""

    code: str
    errors: list[ItemError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> int:
        return MESSAGES[self.code][0]

    def body(self) -> dict:
        _status, th, en = MESSAGES[self.code]
        return {"code": self.code, "message_th": th, "message_en": en, "errors": [e.as_dict() for e in self.errors]}

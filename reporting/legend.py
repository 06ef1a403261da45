"""The status legend (seed 000, the symbols table): every status an entry can have, what it counts and what to do.

One list for every page that shows statuses (the entry page, the bureau queue, the scorecard), built from
``Entry.Status`` and the counting rule (``reporting.selectors.counted_score``), so that a new status
cannot appear on a page without its line: ``legend_lines`` raises when a status has no meaning here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reporting.models import Entry
from reporting.selectors import FLOOR_SCORE, counted_score

Status = Entry.Status

# What each status means, what the district (สพท.) and the owning bureau (สำนัก) should do: seed 000's table,
# with the three statuses the deadline sweep gives (reporting.deadlines).
MEANINGS: dict[str, tuple[str, str, str]] = {
    Status.NOT_REPORTED: (
        _("ยังกรอกข้อมูลไม่ครบ"),
        _("กรอกค่าตัวแปรตามที่กำหนด เช่น จำนวนนักเรียน จำนวนโรงเรียน หรือกรอก 1 เมื่อดำเนินการแล้ว "
          "แนบไฟล์อย่างเดียวโดยไม่กรอกข้อมูลไม่ได้คะแนน"),
        _("แจ้ง สพท. ให้กรอกข้อมูลพร้อมระบุเวลาสิ้นสุด เมื่อพ้นกำหนดแล้วยังไม่กรอก ระบบให้คะแนน 1.00000 โดยอัตโนมัติ"),
    ),
    Status.AWAITING: (
        _("กรอกครบแล้ว รอสำนักรับรอง หน้าบันทึกข้อมูลแสดงคะแนนประเมินตนเอง"),
        _("ติดตามเป็นระยะ แก้ไขได้จนกว่าจะรับรองหรือปิดรอบ หากใกล้ปิดรับรองผลแล้วยังไม่รับรอง "
          "ให้สอบถามผู้รับรองตัวชี้วัดถึงเหตุผล"),
        _("ตรวจสอบและรับรองหรือไม่รับรองให้เสร็จภายในกำหนดรับรองผล"),
    ),
    Status.REJECTED: (
        _("สำนักไม่รับรอง"),
        _("อ่านข้อคิดเห็นโดยด่วนเพื่อดูเหตุที่ไม่รับรอง และแก้ไขภายในระยะเวลาที่แจ้ง"),
        _("แจ้งเหตุที่ไม่รับรอง หากให้แก้ไขให้ระบุวันสิ้นสุดการแก้ไข แล้วรับรองให้เสร็จภายในกำหนด"),
    ),
    Status.CERTIFIED: (
        _("สำนักรับรองผลแล้ว แก้ไขไม่ได้"),
        _("คะแนนสิ้นสุด รอการประมวลผลในภาพรวม"),
        _("การดำเนินการสิ้นสุด"),
    ),
    Status.SYSTEM_UNREPORTED: (
        _("พ้นกำหนดส่งแล้วยังไม่รายงาน ระบบให้คะแนนและปิดรายการ"),
        _("แก้ไขไม่ได้แล้ว ผู้ดูแลระบบเท่านั้นที่เปิดให้แก้ไขได้"),
        _("ไม่ต้องดำเนินการ"),
    ),
    Status.SYSTEM_UNFIXED: (
        _("ไม่รับรองแล้วไม่แก้ไขภายในกำหนดแก้ไข ระบบให้คะแนนและปิดรายการ"),
        _("แก้ไขไม่ได้แล้ว ผู้ดูแลระบบเท่านั้นที่เปิดให้แก้ไขได้"),
        _("ไม่ต้องดำเนินการ"),
    ),
    Status.SYSTEM_NO_CENTRAL: (
        _("สำนักเจ้าของตัวชี้วัดไม่ได้บันทึกข้อมูลส่วนกลางภายในกำหนด ระบบให้คะแนน"),
        _("ไม่ต้องกรอกข้อมูลนี้ และไม่ถูกนับว่าไม่รายงาน"),
        _("บันทึกข้อมูลส่วนกลางให้ทันกำหนดของสำนัก"),
    ),
}

# "มีข้อมูลใหม่" (reporting.flags) sits on top of a status and counts nothing of its own.
NEW_DATA = (
    _("อีกฝ่ายส่งไฟล์หรือข้อความมา ยังไม่ได้เปิดดู ไม่มีผลต่อคะแนน"),
    _("สำนักแจ้งข้อมูลมา ให้ตรวจสอบโดยด่วน เมื่อเปิดดูแล้วกดที่สัญลักษณ์ ระบบบันทึกวันที่เปิดดูเป็นหลักฐาน "
      "และสัญลักษณ์จะหายไป"),
    _("สพท. ส่งไฟล์หรือข้อความมา เมื่อเปิดดูแล้วกดที่สัญลักษณ์ ระบบบันทึกวันที่เปิดดูเป็นหลักฐาน และสัญลักษณ์จะหายไป"),
)

# A certified score the rule would count as it is: telling "counts the official score" from "counts a constant".
_PROBE = Decimal("4.00000")


class MissingLegendLine(LookupError):
    """A status of ``Entry.Status`` has no line in ``MEANINGS``."""


@dataclass(frozen=True)
class LegendLine:
    status: str
    label: str
    meaning: str
    counted: str  # what the national report counts for an entry in this status
    district: str
    bureau: str


def counted_text(status: str) -> str:
    """What an entry in ``status`` counts, in words, read off ``counted_score`` itself."""
    probe = Entry(status=status, official_score=_PROBE, late_penalty=Decimal("0"))
    counted = counted_score(probe)
    if counted == _PROBE:
        return gettext("คะแนนที่รับรอง หักคะแนนส่งช้า ไม่ต่ำกว่า %(floor)s") % {"floor": FLOOR_SCORE}
    return f"{counted:.5f}"


def legend_lines() -> list[LegendLine]:
    """One line per status of ``Entry.Status``, in its order; raises ``MissingLegendLine`` for a status without one."""
    lines = []
    for status in Status:
        try:
            meaning, district, bureau = MEANINGS[status]
        except KeyError:
            raise MissingLegendLine(f"reporting.legend.MEANINGS has no line for Entry.Status.{status.name}") from None
        lines.append(LegendLine(status=status.value, label=str(status.label), meaning=str(meaning),
                                counted=counted_text(status), district=str(district), bureau=str(bureau)))
    return lines


def new_data_line() -> dict[str, str]:
    meaning, district, bureau = NEW_DATA
    return {"meaning": str(meaning), "district": str(district), "bureau": str(bureau)}

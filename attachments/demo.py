"""The demo's evidence: district 1001 has attached a PDF to indicator 11.3 in the open round, waiting for
สำนักการคลังและสินทรัพย์ (demo login ``finance``) to register its receipt. Idempotent.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from attachments.models import Attachment
from attachments.services import attachments_add
from krs.models import Role, User
from reporting.models import Entry

DEMO_NAME = "รายงานผลการตรวจสอบด้านการเงินการบัญชี ไตรมาส 1.pdf"
DEMO_DESCRIPTION = "รายงานผลการตรวจสอบด้านการเงินและการบัญชี (หลักฐานตัวชี้วัด 11.3)"


def pdf_bytes(lines: list[str]) -> bytes:
    """A small valid one-page PDF showing ``lines`` (ASCII) in Helvetica: enough to open in any viewer."""
    text = (
        "BT /F1 14 Tf 72 760 Td 18 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines
        )
        + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def seed() -> dict[str, int]:
    now = timezone.now()
    reporter = (
        User.objects.filter(username="bkk1", role=Role.DISTRICT_REPORTER).select_related("office").first()
    )
    if reporter is None:
        return {"attachments": 0}
    entry = (
        Entry.objects.filter(
            office=reporter.office, indicator__code="11.3", round__opens_at__lte=now, round__deadline__gte=now
        )
        .select_related("indicator", "round__fiscal_year", "office")
        .order_by("round__deadline")
        .first()
    )
    added = _pmqa_evidence(reporter, now)
    if entry is None or Attachment.objects.filter(entry=entry).exists():
        return {"attachments": added}
    content = pdf_bytes(
        [
            "KRS demo evidence",
            f"District {entry.office.code}, indicator 11.3",
            "Financial and accounting audit report, quarter 1",
        ]
    )
    upload = SimpleUploadedFile(DEMO_NAME, content, content_type="application/pdf")
    return {
        "attachments": added + len(
            attachments_add(
                entry=entry, user=reporter, uploads=[upload], description=DEMO_DESCRIPTION, now=now
            )
        )
    }


# PMQA 2565 (seed 004): district 1001's response form for item 1.1 and its category-7 form for 7.1, each in
# its named slot (reporting.demo_pmqa wrote the answers they go with).
PMQA_FILES = (
    ("1.1", "form", "แบบฟอร์มตอบประเด็น 1.1.pdf", ["PMQA 2565 response form", "Item 1.1, district 1001"]),
    ("7.1", "result_form", "แบบฟอร์มผลลัพธ์หมวด 7 มิติ 7.1.pdf",
     ["PMQA 2565 category 7 result form", "Dimension 7.1: result 62 / target 60 (percent), baseline 55"]),
)


def _pmqa_evidence(reporter, now) -> int:
    entries = {
        e.indicator.code: e for e in Entry.objects.filter(
            office=reporter.office, round__fiscal_year__year=2565, round__months=12,
            indicator__framework__code="PMQA-2565", indicator__code__in=[code for code, *_rest in PMQA_FILES],
        ).select_related("indicator", "round__fiscal_year", "office")
    }
    added = 0
    for code, slot, name, lines in PMQA_FILES:
        entry = entries.get(code)
        if entry is None or Attachment.objects.filter(entry=entry, slot=slot).exists():
            continue
        upload = SimpleUploadedFile(name, pdf_bytes(lines), content_type="application/pdf")
        added += len(attachments_add(entry=entry, user=reporter, uploads=[upload], description="", slot=slot, now=now))
    return added

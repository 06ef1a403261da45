"""Messages that carry a date read it in their own language: Thai months in Thai, English months in English,
the พ.ศ. year in both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from reporting.models import Entry
from reporting.rules import entry_edit_block
from tests.indicators.factories import fiscal_year_2569

pytestmark = pytest.mark.django_db

CASES = [
    ("th", "before", "รอบนี้ยังไม่เปิดให้บันทึกข้อมูล (เปิด 31 มี.ค. 2569 08:30 น.)"),
    ("en", "before", "This round is not open for data entry yet (opens 31 Mar 2569 08:30)"),
    ("th", "after", "ปิดรับรายงานรอบนี้แล้ว (กำหนดส่ง 30 เม.ย. 2569 16:30 น.)"),
    ("en", "after", "This round is closed for reporting (deadline 30 Apr 2569 16:30)"),
]


@pytest.mark.parametrize(("language", "when", "text"), CASES)
def test_the_entry_pages_refusal_names_the_date_in_its_language(language, when, text):
    round_ = fiscal_year_2569().rounds.get(months=6)
    entry = Entry(round=round_, status=Entry.Status.NOT_REPORTED)
    now = round_.opens_at - timedelta(days=1) if when == "before" else round_.certification_deadline
    with translation.override(language):
        assert entry_edit_block(entry, now) == text

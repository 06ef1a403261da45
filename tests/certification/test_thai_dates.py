"""Dates people type are in the Thai calendar, in the app and in the admin, and deadlines stay in range."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from indicators.models import Round
from krs.models import CalendarDay
from krs.thaiforms import ThaiDateField, ThaiDateTimeField
from reporting.models import Entry
from tests.indicators.factories import BANGKOK, fiscal_year_2569

pytestmark = pytest.mark.django_db


def typed(moment: datetime) -> str:
    """A moment as a person types it: day/month/พ.ศ. year and a 24-hour time."""
    moment = timezone.localtime(moment)
    return f"{moment:%d/%m}/{moment.year + 543} {moment:%H:%M}"


# --- The fields -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "moment"), [
    ("15/08/2569 16:30", datetime(2026, 8, 15, 16, 30, tzinfo=BANGKOK)),
    ("๑๕/๐๘/๒๕๖๙ ๑๖.๓๐ น.", datetime(2026, 8, 15, 16, 30, tzinfo=BANGKOK)),  # Thai digits, "16.30 น."
    ("1/10/2570 8:05", datetime(2027, 10, 1, 8, 5, tzinfo=BANGKOK)),           # 2570 is 2027, never 3113
    (["30/04/2552", "00:00"], datetime(2009, 4, 30, 0, 0, tzinfo=BANGKOK)),   # the admin's two boxes
])
def test_a_date_and_time_typed_in_the_thai_calendar_is_that_moment(text, moment):
    assert ThaiDateTimeField().clean(text) == moment


@pytest.mark.parametrize(("text", "says"), [
    ("15/08/2026 16:30", "กรุณากรอกปี พ.ศ. เช่น 2569"),  # a ค.ศ. year is refused, not converted
    ("2026-08-15T16:30", "ไม่ใช่วันที่ในรูปแบบ วว/ดด/ปปปป"),  # what a browser's date picker sends
    ("15/08/2569", "กรุณากรอกเวลาด้วย"),
    ("15/08/2569 4 pm", "ไม่ใช่เวลาแบบ 24 ชั่วโมง"),
    ("31/09/2569 10:00", "ไม่มีวันที่"),
    (["", "10:00"], "กรุณากรอกวันที่"),
])
def test_what_is_not_a_thai_date_and_time_is_refused_saying_what_to_type(text, says):
    from django import forms

    with pytest.raises(forms.ValidationError) as refused:
        ThaiDateTimeField().clean(text)
    assert says in refused.value.messages[0]


def test_a_refusal_is_in_english_in_the_english_interface():
    from django import forms

    with translation.override("en"), pytest.raises(forms.ValidationError) as refused:
        ThaiDateField().clean("30/04/2009")
    assert "Buddhist" in refused.value.messages[0]


# --- The fix deadline ---------------------------------------------------------------------------------


def test_a_fix_deadline_typed_in_the_thai_calendar_is_stored_as_that_moment(client, entry, certifier):
    client.force_login(certifier)
    fix_by = (timezone.localtime() + timedelta(days=3)).replace(second=0, microsecond=0)
    response = client.post(reverse("certification:reject", args=[entry.pk]),
                           {"comment": "ตัวหารไม่ตรง", "fix_deadline": typed(fix_by)})
    assert response.status_code == 302
    assert Entry.objects.get(pk=entry.pk).fix_deadline == fix_by


def test_a_fix_deadline_typed_with_a_common_era_year_is_refused_in_thai(client, entry, certifier):
    client.force_login(certifier)
    moment = timezone.localtime() + timedelta(days=3)
    response = client.post(reverse("certification:reject", args=[entry.pk]),
                           {"comment": "ตัวหารไม่ตรง", "fix_deadline": f"{moment:%d/%m/%Y %H:%M}"})
    assert response.status_code == 422 and "กรุณากรอกปี พ.ศ." in response.content.decode()
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.AWAITING


def test_a_bureau_may_not_give_longer_than_the_rounds_certification_deadline(client, entry, certifier):
    client.force_login(certifier)
    late = entry.round.certification_deadline + timedelta(days=1)
    response = client.post(reverse("certification:reject", args=[entry.pk]),
                           {"comment": "ตัวหารไม่ตรง", "fix_deadline": typed(late)})
    html = response.content.decode()
    assert response.status_code == 422 and "ต้องไม่เกินกำหนดรับรองผลของรอบ" in html and "ติดต่อผู้ดูแลระบบ" in html
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.AWAITING
    # Up to the certification deadline itself is fine.
    response = client.post(reverse("certification:reject", args=[entry.pk]),
                           {"comment": "ตัวหารไม่ตรง", "fix_deadline": typed(entry.round.certification_deadline)})
    assert response.status_code == 302


def test_an_administrator_may_extend_past_it_up_to_the_end_of_the_next_fiscal_year(client, entry, admin_user):
    from krs import thaicalendar

    Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.SYSTEM_UNREPORTED)
    client.force_login(admin_user)
    url = reverse("certification:reopen", args=[entry.pk])
    _first, last = thaicalendar.fiscal_year_range(entry.round.fiscal_year.year)
    too_far = datetime(last.year, last.month, last.day, 10, 0, tzinfo=BANGKOK) + timedelta(days=1)
    response = client.post(url, {"comment": "เครือข่ายขัดข้อง", "fix_deadline": typed(too_far)})
    assert response.status_code == 422 and "สิ้นปีงบประมาณถัดไป" in response.content.decode()
    extended = entry.round.certification_deadline + timedelta(days=10)
    response = client.post(url, {"comment": "เครือข่ายขัดข้อง", "fix_deadline": typed(extended)})
    assert response.status_code == 302
    assert Entry.objects.get(pk=entry.pk).fix_deadline == extended.replace(second=0, microsecond=0)


def test_the_review_page_asks_for_the_thai_format(client, entry, certifier):
    client.force_login(certifier)
    html = client.get(reverse("certification:review", args=[entry.pk])).content.decode()
    box = re.search(r'<input[^>]*data-testid="fix-deadline"[^>]*>', html).group(0)
    assert 'type="text"' in box and "วว/ดด/ปปปป ชช:นน (พ.ศ.)" in box and "datetime-local" not in box


# --- The admin ----------------------------------------------------------------------------------------


def round_post(round_: Round, **typed_values) -> dict:
    """The admin's change form of a round as shown, with some boxes typed over."""
    data = {"fiscal_year": round_.fiscal_year_id, "months": round_.months, "name": round_.name,
            "late_penalty_per_day": str(round_.late_penalty_per_day), "penalty_scope": round_.penalty_scope,
            "period_end": f"{round_.period_end:%d/%m}/{round_.period_end.year + 543}"}
    for name in ("opens_at", "deadline", "certification_deadline"):
        day, clock = typed(getattr(round_, name)).split(" ")
        data[f"{name}_0"], data[f"{name}_1"] = day, clock
    data["late_until_0"] = data["late_until_1"] = data["central_deadline_0"] = data["central_deadline_1"] = ""
    data.update(typed_values)
    return data


def test_the_admin_shows_a_rounds_dates_in_the_thai_calendar(client, admin_user):
    round_ = fiscal_year_2569().rounds.get(months=6)
    client.force_login(admin_user)
    html = client.get(reverse("admin:indicators_round_change", args=[round_.pk])).content.decode()
    assert 'name="deadline_0" value="30/04/2569"' in html and 'name="deadline_1" value="16:30"' in html
    assert 'value="31/03/2569"' in html  # period_end, a date


def test_each_of_the_admins_date_and_time_boxes_is_named_by_its_field_and_part(client, admin_user):
    # The field's label is a fieldset's (it points at neither box): without a name of its own, a screen
    # reader announces a box by its placeholder only, and the two boxes of four dates read the same.
    round_ = fiscal_year_2569().rounds.get(months=6)
    client.force_login(admin_user)
    html = client.get(reverse("admin:indicators_round_change", args=[round_.pk])).content.decode()
    boxes = re.findall(r'<input[^>]*class="thai-(?:date|time)"[^>]*>', html)
    datetimes = [Round._meta.get_field(name) for name in ("opens_at", "deadline", "certification_deadline", "late_until",
                                                          "central_deadline")]
    assert len(boxes) == 2 * len(datetimes) + 1  # and period_end, a date with its own label
    for field in datetimes:
        label = str(field.verbose_name)
        for suffix, part in (("0", "วันที่ (วว/ดด/ปปปป พ.ศ.)"), ("1", "เวลา (ชช:นน)")):
            box = next(b for b in boxes if f'name="{field.name}_{suffix}"' in b)
            assert f'aria-label="{label[0].upper()}{label[1:]}: {part}"' in box, box


def test_the_admin_saves_a_round_typed_in_the_thai_calendar(client, admin_user):
    round_ = fiscal_year_2569().rounds.get(months=6)
    client.force_login(admin_user)
    response = client.post(reverse("admin:indicators_round_change", args=[round_.pk]),
                           round_post(round_, deadline_0="07/05/2569", deadline_1="16:30"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Round.objects.get(pk=round_.pk).deadline == datetime(2026, 5, 7, 16, 30, tzinfo=BANGKOK)


@pytest.mark.parametrize(("field", "value", "says"), [
    ("deadline_0", "30/04/2026", "กรุณากรอกปี พ.ศ."),      # ค.ศ. typed by habit: refused, not 2026 BE
    ("deadline_0", "30/04/2552", "ตรวจปี พ.ศ. ที่กรอก"),   # an old year: would have reopened an old round
    ("certification_deadline_0", "31/05/2571", "ตรวจปี พ.ศ. ที่กรอก"),  # beyond the next fiscal year
])
def test_the_admin_refuses_a_round_date_in_the_wrong_calendar_or_far_from_its_fiscal_year(client, admin_user, field,
                                                                                          value, says):
    round_ = fiscal_year_2569().rounds.get(months=6)
    before = Round.objects.filter(pk=round_.pk).values().get()
    client.force_login(admin_user)
    response = client.post(reverse("admin:indicators_round_change", args=[round_.pk]), round_post(round_, **{field: value}))
    assert response.status_code == 200 and says in response.content.decode()
    assert Round.objects.filter(pk=round_.pk).values().get() == before


def test_the_admin_types_a_calendar_exception_in_the_thai_calendar(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:krs_calendarday_add"),
                           {"date": "13/04/2569", "kind": "holiday", "name": "สงกรานต์"})
    assert response.status_code == 302
    assert CalendarDay.objects.get().date == date(2026, 4, 13)
    response = client.post(reverse("admin:krs_calendarday_add"), {"date": "14/04/2026", "kind": "holiday", "name": "x"})
    assert response.status_code == 200 and "กรุณากรอกปี พ.ศ." in response.content.decode()


def _new_year_with_a_round(**typed_values) -> dict:
    """The admin's "add fiscal year" page with one round typed in its inline, as the browser posts it."""
    data = {"year": "2573", "rounds-TOTAL_FORMS": "1", "rounds-INITIAL_FORMS": "0", "rounds-MIN_NUM_FORMS": "0",
            "rounds-MAX_NUM_FORMS": "1000", "rounds-0-months": "6", "rounds-0-name": "",
            "rounds-0-period_end": "31/03/2573", "rounds-0-opens_at_0": "01/04/2573", "rounds-0-opens_at_1": "08:30",
            "rounds-0-deadline_0": "30/04/2573", "rounds-0-deadline_1": "16:30",
            "rounds-0-certification_deadline_0": "31/05/2573", "rounds-0-certification_deadline_1": "16:30",
            "rounds-0-late_penalty_per_day": "0", "rounds-0-late_until_0": "", "rounds-0-late_until_1": "",
            "rounds-0-penalty_scope": "report"}
    data.update({f"rounds-0-{name}": value for name, value in typed_values.items()})
    return data


def test_a_round_typed_on_a_new_fiscal_years_page_is_kept_near_that_year(client, admin_user):
    """The fiscal year is not saved yet while its inline round is checked: the range still applies, so
    30/04/2552 (an old year, or ค.ศ. habits) cannot create a round in 2009 under FY 2573."""
    client.force_login(admin_user)
    url = reverse("admin:indicators_fiscalyear_add")
    response = client.post(url, _new_year_with_a_round(opens_at_0="01/04/2552", deadline_0="30/04/2552"))
    assert response.status_code == 200 and "ตรวจปี พ.ศ. ที่กรอก" in response.content.decode()
    assert not Round.objects.exists()
    response = client.post(url, _new_year_with_a_round())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Round.objects.get().deadline == datetime(2030, 4, 30, 16, 30, tzinfo=BANGKOK)

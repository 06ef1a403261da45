"""Saving an indicator's values from the entry page: in place, atomic, audited, and never lost."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import Round
from reporting import workflow
from reporting.models import Entry, StatusEvent, StepValue, Value, ValueChange
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(district, other_district, bureau):
    return open_world(bureau=bureau)


def fields(indicator, **values):
    return {f"v{indicator.variables.get(code=code).pk}": text for code, text in values.items()}


def save(client, entry, data, *, version=None, htmx=True):
    payload = {"version": entry.version if version is None else version, **data}
    return client.post(reverse("reporting:entry_save", args=[entry.pk]), payload, **(HTMX if htmx else {}))


def values_of(entry):
    return {v.variable.code: v.value for v in Value.objects.filter(entry=entry).select_related("variable")}


def test_saving_all_values_scores_the_entry_and_makes_it_awaiting(client, district_user, district, world):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    response = save(client, entry, fields(world.quantitative, A="๑๘๕", B="200"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="entry-{entry.pk}"' in html and "<html" not in html  # the fragment, not a page
    assert "3.5000" in html and "รอการรับรองผล" in html and 'data-testid="saved"' in html
    assert 'hx-swap-oob="true"' in html  # the status counts update too
    entry.refresh_from_db()
    assert values_of(entry) == {"A": 185, "B": 200}
    assert (entry.result, entry.self_score, entry.status, entry.version) == (Decimal("92.5"), Decimal("3.5"), "awaiting", 1)
    event = StatusEvent.objects.get(entry=entry)
    assert (event.from_status, event.to_status, event.by) == ("not_reported", "awaiting", district_user)


def test_part_of_the_values_scores_nothing_and_stays_not_reported(client, district_user, district, world):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    html = save(client, entry, fields(world.quantitative, A="10", B="")).content.decode()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.NOT_REPORTED and entry.self_score is None
    assert "ยังไม่มีค่าตัวแปร B" in html
    assert entry.score_note == "ยังไม่มีค่าตัวแปร B"


def test_emptying_a_value_is_refused_until_confirmed_and_says_the_entry_goes_back_to_not_reported(
    client, district_user, district, world
):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    save(client, entry, fields(world.quantitative, A="90", B="100"))
    entry.refresh_from_db()
    response = save(client, entry, fields(world.quantitative, A="90", B=""))
    html = response.content.decode()
    assert (response.status_code, response["X-KRS-Status"]) == (422, "422") and 'data-testid="confirm-clear"' in html
    assert "ตัวแปร B: 100" in html and "จะกลับเป็น “ยังไม่รายงานผล”" in html
    assert 'name="confirm_clear" value="1"' in html and 'data-testid="saved"' not in html
    entry.refresh_from_db()
    assert entry.status == Entry.Status.AWAITING and values_of(entry) == {"A": 90, "B": 100}  # nothing written

    response = save(client, entry, {**fields(world.quantitative, A="90", B=""), "confirm_clear": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "X-KRS-Status" not in response and "ล้างค่าแล้ว สถานะกลับเป็น “ยังไม่รายงานผล”" in html
    entry.refresh_from_db()
    assert entry.status == Entry.Status.NOT_REPORTED and entry.self_score is None
    assert values_of(entry) == {"A": 90, "B": None}


def test_clearing_a_value_of_an_incomplete_entry_is_confirmed_too_but_says_the_status_stays(
    client, district_user, district, world
):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    save(client, entry, fields(world.quantitative, A="90"))
    entry.refresh_from_db()
    html = save(client, entry, fields(world.quantitative, A="")).content.decode()
    assert 'data-testid="confirm-clear"' in html and "ตัวแปร A: 90" in html and "จะกลับเป็น" not in html
    assert values_of(entry) == {"A": 90}


def test_a_save_that_changes_nothing_says_so_instead_of_saved(client, district_user, district, world):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    save(client, entry, fields(world.quantitative, A="90", B="100"))
    entry.refresh_from_db()
    response = save(client, entry, fields(world.quantitative, A="๙๐", B="100"))
    html = response.content.decode()
    assert 'data-testid="unchanged"' in html and "ไม่มีค่าที่เปลี่ยนแปลง" in html and 'data-testid="saved"' not in html
    entry.refresh_from_db()
    assert entry.version == 1


@pytest.mark.parametrize(("typed", "note"), [
    ({"A": "90", "B": "100"}, "บันทึกแล้ว: สถานะเป็น “รอการรับรองผล”"),  # complete: the status moves
    ({"A": "90"}, "บันทึกแล้ว: ยังกรอกไม่ครบ สถานะยังเป็น “ยังไม่รายงานผล”"),  # incomplete: it stays
])
def test_the_saved_message_says_what_became_of_the_status(client, district_user, district, world, typed, note):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    html = save(client, entry, fields(world.quantitative, **typed)).content.decode()
    assert note in html


def test_a_save_answer_carries_the_servers_clock_and_the_deadline(client, district_user, district, world):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    for response in (save(client, entry, fields(world.quantitative, A="1")),
                     client.post(reverse("reporting:entry_preview", args=[entry.pk]), fields(world.quantitative, A="2"), **HTMX)):
        assert int(response["X-KRS-Deadline"]) == int(entry.round.due_at.timestamp() * 1000)
        assert int(response["X-KRS-Closes"]) == int(entry.round.closes_at.timestamp() * 1000)
        assert abs(int(response["X-KRS-Now"]) - timezone.now().timestamp() * 1000) < 600_000


def test_the_clock_counts_to_the_deadline_moved_off_a_holiday_and_saving_stops_at_the_late_windows_end(
        client, district_user, district, world):
    """A deadline on a Saturday counts on Monday (seed 002); with a late window, saving goes on after it. The
    countdown must count to Monday, and know that saving stops only at the late window's end."""
    today = timezone.localdate()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    deadline = timezone.make_aware(datetime.combine(saturday, time(16, 30)))
    Round.objects.filter(pk=world.round.pk).update(deadline=deadline, late_until=deadline + timedelta(days=7),
                                                   certification_deadline=deadline + timedelta(days=30))
    entry = world.entry(district, world.quantitative)
    entry.round = Round.objects.get(pk=world.round.pk)
    assert entry.round.due_at > deadline  # moved to the next working day
    client.force_login(district_user)
    response = save(client, entry, fields(world.quantitative, A="1"))
    assert int(response["X-KRS-Deadline"]) == int(entry.round.due_at.timestamp() * 1000)
    assert int(response["X-KRS-Closes"]) == int((deadline + timedelta(days=7)).timestamp() * 1000)
    page = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    assert f'data-closes="{timezone.localtime(deadline + timedelta(days=7)).isoformat()}"' in page


@pytest.mark.parametrize(("typed", "message"), [
    ("abc", "ต้องเป็นจำนวนเต็ม"),
    ("12.5", "ต้องเป็นจำนวนเต็ม (ไม่มีทศนิยม)"),
    ("-3", "ต้องไม่น้อยกว่า 0"),
    ("NaN", "NaN"),
    ("1" * 16, "ตัวเลขยาวเกินไป"),
    ("1,23", "จุลภาค"),
])
def test_a_mistake_is_named_next_to_its_field_and_nothing_is_saved(client, district_user, district, world, typed, message):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    response = save(client, entry, fields(world.quantitative, A="50", B=typed))
    html = response.content.decode()
    assert 'data-testid="error-B"' in html and message in html
    assert 'value="50"' in html  # what was typed stays in its box
    assert "ยังไม่ได้บันทึก" in html
    entry.refresh_from_db()
    assert values_of(entry) == {} and entry.version == 0 and not ValueChange.objects.exists()


def test_a_yes_no_variable_takes_only_1_or_0(client, district_user, district, world):
    entry = world.entry(district, world.pass_fail)
    client.force_login(district_user)
    html = save(client, entry, fields(world.pass_fail, A="2")).content.decode()
    assert "กรอก 1" in html
    save(client, entry, fields(world.pass_fail, A="๑"))
    entry.refresh_from_db()
    assert (entry.self_score, entry.status) == (Decimal("5"), "awaiting")


def test_milestone_steps_and_rubric_levels_are_saved_and_scored(client, district_user, district, world):
    client.force_login(district_user)
    ms = world.entry(district, world.milestone)
    steps = {s.number: s for s in world.milestone.steps.all()}
    save(client, ms, {"steps": "1", f"s{steps[1].pk}": "1", f"s{steps[2].pk}": "1", f"s{steps[3].pk}": "1",
                      f"s{steps[4].pk}": "1"})
    ms.refresh_from_db()
    assert (ms.self_score, ms.status) == (Decimal("3.5"), "awaiting")  # 3 steps + half of step 4 (1 of 2 sub-items)
    assert StepValue.objects.filter(entry=ms).count() == 5
    rb = world.entry(district, world.rubric)
    advance = world.rubric.levels.get(code="advance")
    save(client, rb, {"level": str(advance.pk)})
    rb.refresh_from_db()
    assert (rb.self_score, rb.level_id, rb.status) == (Decimal("4"), advance.pk, "awaiting")
    html = save(client, rb, {"level": "999999"}, version=rb.version).content.decode()
    assert "เลือกระดับจากรายการที่มี" in html


def test_every_change_is_audited_with_who_when_old_new_and_where(client, district_user, district, world):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    save(client, entry, fields(world.quantitative, A="1,250", B="2000"))
    entry.refresh_from_db()
    save(client, entry, fields(world.quantitative, A="1300", B="2000"))
    changes = list(ValueChange.objects.filter(entry=entry).order_by("pk").values_list(
        "field", "old_value", "new_value", "version", "changed_by__username", "source"))
    assert changes == [
        ("A", "", "1250", 1, "district1", "entry_page"),
        ("B", "", "2000", 1, "district1", "entry_page"),
        ("A", "1250", "1300", 2, "district1", "entry_page"),
    ]


def test_the_second_of_two_simultaneous_saves_is_told_what_changed_and_can_reapply(client, district_user, district, world):
    from tests.conftest import make_user

    colleague = make_user("district1b", district, district_user.role)
    entry = world.entry(district, world.quantitative)
    read_version = entry.version
    client.force_login(colleague)
    save(client, entry, fields(world.quantitative, A="80", B="100"), version=read_version)
    client.force_login(district_user)
    response = save(client, entry, fields(world.quantitative, A="95", B="100"), version=read_version)
    html = response.content.decode()
    assert (response.status_code, response["X-KRS-Status"]) == (409, "409")
    assert 'data-testid="conflict"' in html and "district1b" in html and "→ <strong>80</strong>" in html
    assert 'data-by-self="0"' in html and "มีผู้อื่นบันทึกตัวชี้วัดนี้ก่อนคุณ" in html
    assert 'value="95"' in html  # the second person's typing is kept for re-applying
    entry.refresh_from_db()
    assert values_of(entry) == {"A": 80, "B": 100}  # the first save was not overwritten
    save(client, entry, fields(world.quantitative, A="95", B="100"), version=entry.version)
    entry.refresh_from_db()
    assert values_of(entry)["A"] == 95 and entry.version == 2


def test_a_stale_page_of_the_same_user_is_told_apart_from_someone_elses_save(client, district_user, district, world):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    save(client, entry, fields(world.quantitative, A="80", B="100"), version=0)  # saved in another tab
    response = save(client, entry, fields(world.quantitative, A="95", B="100"), version=0)  # the old page
    html = response.content.decode()
    assert (response.status_code, response["X-KRS-Status"]) == (409, "409") and 'data-by-self="1"' in html
    assert "หน้านี้แสดงค่าเก่า คุณบันทึกตัวชี้วัดนี้ไว้แล้ว" in html and "มีผู้อื่นบันทึก" not in html
    assert 'value="95"' in html


def test_a_save_to_a_closed_round_lists_what_was_typed_and_not_saved(client, district_user, district, world):
    world.round.opens_at = timezone.now() - timedelta(days=10)
    world.round.deadline = timezone.now() - timedelta(seconds=1)
    world.round.save()
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    response = save(client, entry, fields(world.quantitative, A="1,250", B=""))
    html = response.content.decode()
    assert (response.status_code, response["X-KRS-Status"]) == (403, "403") and 'data-testid="unsaved-values"' in html
    assert "A: 1,250" in html and "B:" not in html
    assert values_of(entry) == {}


@pytest.mark.parametrize(("case", "status", "says"), [
    ("invalid", 422, "ยังไม่ได้บันทึก: แก้ไขค่าที่มีข้อความสีแดงก่อน"),
    ("clear", 422, "ยังไม่ได้บันทึก: ช่องที่มีค่าบันทึกไว้ถูกเว้นว่าง"),
    ("conflict", 409, "ยังไม่ได้บันทึก: มีผู้อื่นบันทึกตัวชี้วัดนี้ก่อนคุณ"),
    ("closed", 403, "ปิดรับรายงานรอบนี้แล้ว"),
], ids=["invalid", "clear", "conflict", "closed"])
def test_a_refused_save_answers_its_status_with_the_indicator_to_swap_in(
        client, district_user, district, world, case, status, says):
    """htmx is told the refusal by the status (static/js/krs.js swaps these in); the fragment says why."""
    from tests.conftest import make_user

    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    version = 0
    if case == "clear":
        save(client, entry, fields(world.quantitative, A="90", B="100"))
        version = 1
    elif case == "conflict":
        client.force_login(make_user("district1b", district, district_user.role))
        save(client, entry, fields(world.quantitative, A="80", B="100"))
        client.force_login(district_user)
    elif case == "closed":
        Round.objects.filter(pk=world.round.pk).update(opens_at=timezone.now() - timedelta(days=10),
                                                       deadline=timezone.now() - timedelta(seconds=1))
    typed = {"invalid": {"A": "สิบ", "B": "100"}, "clear": {"A": "90", "B": ""}}.get(case, {"A": "95", "B": "100"})
    before = (values_of(entry), Entry.objects.get(pk=entry.pk).version)
    response = save(client, entry, fields(world.quantitative, **typed), version=version)
    html = response.content.decode()
    assert (response.status_code, response["X-KRS-Status"]) == (status, str(status))
    assert html.lstrip().startswith('<div class="entry-block') and "<html" not in html  # the fragment, not a page
    assert f'id="entry-{entry.pk}"' in html and 'data-testid="entry-error"' in html and says in html
    assert 'data-testid="saved"' not in html
    assert {"X-KRS-Now", "X-KRS-Deadline", "X-KRS-Closes"} <= set(response.headers)  # the clock, as on a save
    assert (values_of(entry), Entry.objects.get(pk=entry.pk).version) == before  # nothing written


def test_without_javascript_a_save_redirects_back_to_the_indicator(client, district_user, district, world):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    response = save(client, entry, fields(world.quantitative, A="90", B="100"), htmx=False)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#entry-{entry.pk}")
    response = save(client, world.entry(district, world.pass_fail), fields(world.pass_fail, A="x"), htmx=False)
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" in html and "กรอก 1" in html
    assert 'data-testid="entry-error"' in html  # the message sits on the indicator too, not only at the top


def test_the_preview_shows_the_score_before_saving_and_writes_nothing(client, district_user, district, world):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    url = reverse("reporting:entry_preview", args=[entry.pk])
    html = client.post(url, fields(world.quantitative, A="๙๒๓", B="1,000"), **HTMX).content.decode()
    assert "3.4600" in html
    html = client.post(url, fields(world.quantitative, A="x", B="100"), **HTMX).content.decode()
    assert "ยังมีค่าที่ไม่ถูกต้อง" in html
    assert not Value.objects.exists() and not ValueChange.objects.exists()


# --- Rules, through the views ------------------------------------------------------------------------


def test_another_districts_entry_is_a_404_for_save_preview_and_history(client, district_user, other_district, world):
    theirs = world.entry(other_district, world.quantitative)
    client.force_login(district_user)
    assert save(client, theirs, fields(world.quantitative, A="1", B="1")).status_code == 404
    assert client.post(reverse("reporting:entry_preview", args=[theirs.pk]), {}).status_code == 404
    assert client.get(reverse("reporting:entry_history", args=[theirs.pk])).status_code == 404
    assert not Value.objects.exists()


@pytest.mark.parametrize("persona", ["certifier", "admin_user", "executive"])
def test_read_only_roles_cannot_save(client, request, district, world, persona):
    client.force_login(request.getfixturevalue(persona))
    entry = world.entry(district, world.quantitative)
    assert save(client, entry, fields(world.quantitative, A="1", B="1")).status_code == 403
    assert not Value.objects.exists()


def test_nothing_changes_before_the_round_opens(client, district_user, district, world):
    world.round.opens_at = timezone.now() + timedelta(hours=1)
    world.round.save()
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    html = save(client, entry, fields(world.quantitative, A="1", B="1")).content.decode()
    assert "ยังไม่เปิดให้บันทึกข้อมูล" in html
    assert not Value.objects.exists()


def test_nothing_changes_after_the_round_closes(client, district_user, district, world):
    world.round.opens_at = timezone.now() - timedelta(days=10)
    world.round.deadline = timezone.now() - timedelta(seconds=1)
    world.round.save()
    client.force_login(district_user)
    entry = world.entry(district, world.quantitative)
    html = save(client, entry, fields(world.quantitative, A="1", B="1")).content.decode()
    assert "ปิดรับรายงานรอบนี้แล้ว" in html
    assert not Value.objects.exists()


def test_a_rejected_entry_can_be_fixed_until_its_fix_deadline_and_goes_back_to_awaiting(
    client, district_user, certifier, district, world
):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    save(client, entry, fields(world.quantitative, A="80", B="100"))
    entry.refresh_from_db()
    workflow.entry_reject(entry=entry, by=certifier, comment="ตัวหารไม่ตรงกับ DMC",
                          fix_deadline=timezone.now() + timedelta(days=2))
    world.round.deadline = timezone.now() - timedelta(seconds=1)
    world.round.opens_at = timezone.now() - timedelta(days=10)
    world.round.save()
    entry.refresh_from_db()
    save(client, entry, fields(world.quantitative, B="90"))
    entry.refresh_from_db()
    assert entry.status == Entry.Status.AWAITING and values_of(entry)["B"] == 90
    # After the fix deadline it is closed like the rest of the round.
    workflow.entry_reject(entry=entry, by=certifier, comment="ยังไม่ถูกต้อง", fix_deadline=timezone.now() - timedelta(seconds=1))
    entry.refresh_from_db()
    html = save(client, entry, fields(world.quantitative, B="95")).content.decode()
    assert "ปิดรับรายงานรอบนี้แล้ว" in html
    entry.refresh_from_db()
    assert values_of(entry)["B"] == 90


def test_a_certified_entry_cannot_be_changed(client, district_user, certifier, district, world):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    save(client, entry, fields(world.quantitative, A="80", B="100"))
    entry.refresh_from_db()
    workflow.entry_certify(entry=entry, by=certifier)
    entry.refresh_from_db()
    html = save(client, entry, fields(world.quantitative, A="100")).content.decode()
    assert "รับรองผลแล้ว" in html
    assert values_of(entry)["A"] == 80


def test_a_district_cannot_write_a_central_variable_even_by_crafting_the_form(client, district_user, district, world):
    entry = world.entry(district, world.central)
    client.force_login(district_user)
    save(client, entry, fields(world.central, A="5", B="5"))
    assert not Value.objects.filter(entry=entry).exists()
    # Nor a variable of another round.
    later = world.entry(district, world.round_12)
    save(client, later, fields(world.round_12, A="5", B="5"))
    assert values_of(later) == {"A": 5}


def test_the_history_is_visible_to_the_district_its_bureau_and_admins_only(
    client, district_user, certifier, other_certifier, admin_user, district, world
):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    save(client, entry, fields(world.quantitative, A="90", B="100"))
    url = reverse("reporting:entry_history", args=[entry.pk])
    for user in (district_user, certifier, admin_user):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert "ตัวแปร A" in html and "district1" in html and "หน้าบันทึกข้อมูล" in html
    client.force_login(other_certifier)
    assert client.get(url).status_code == 404


def test_the_clearing_question_and_the_page_scripts_messages_are_english_in_the_english_interface(
    client, district_user, district, world
):
    entry = world.entry(district, world.quantitative)
    client.force_login(district_user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    save(client, entry, fields(world.quantitative, A="90", B="100"))
    entry.refresh_from_db()
    html = save(client, entry, fields(world.quantitative, A="90", B="")).content.decode()
    assert "Confirm clearing" in html and "goes back to “Not reported”" in html and "ยืนยันล้างค่า" not in html
    page = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    assert 'id="entry-messages"' in page and "Not saved: the server failed (code %(code)s)" in page

"""The status legend (seed 000's symbols table) and, on each entry of the district's page, who certifies it.

The legend lists every status of ``Entry.Status`` with the score it counts in the national report, and the
"new data" flag; the entry page, the bureau queue and the scorecard show the same one. Each entry names its
owning bureau, the bureau's active certifiers with their contact, and when certification closes.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from krs.models import Role
from krs.templatetags.thai import thai_datetime
from reporting import legend
from reporting.models import Entry
from reporting.selectors import counted_score_expression, read_score
from tests.conftest import make_user
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}

# Seed 000: only a certified entry counts what was entered (its certified score, less lateness, never below 1);
# every other status, the system's three included, counts 1.00000.
EXPECTED_COUNTED = {status: "1.00000" for status in Entry.Status}
EXPECTED_COUNTED[Entry.Status.CERTIFIED] = "คะแนนที่รับรอง หักคะแนนส่งช้า ไม่ต่ำกว่า 1.00000"


def _legend(html: str) -> dict[str, str]:
    """The legend's lines by status (and "new_data"): the text of each line."""
    start = html.index('data-testid="legend"')
    block = html[start:html.index("</details>", start)]
    return {status: re.sub(r"<[^>]+>|\s+", " ", text) for status, text in
            re.findall(r'data-legend="([a-z_]+)">(.*?)</li>', block, flags=re.S)}


def _assert_every_status(html: str) -> dict[str, str]:
    lines = _legend(html)
    assert set(lines) == {*Entry.Status.values, "new_data"}
    for status in Entry.Status:
        assert str(status.label) in lines[status.value]
        assert f"นับในรายงาน {EXPECTED_COUNTED[status]}" in re.sub(r"\s+", " ", lines[status.value]), status
    assert "มีข้อมูลใหม่" in lines["new_data"]
    assert "นับในรายงาน –" in re.sub(r"\s+", " ", lines["new_data"])
    return lines


@pytest.fixture
def world(district, bureau):
    return open_world(bureau=bureau)


def test_the_entry_page_legend_lists_every_status_with_the_score_it_counts(client, district_user, world):
    client.force_login(district_user)
    lines = _assert_every_status(client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode())
    # The district's side of seed 000's table: near the close, ask the certifier.
    assert "สอบถามผู้รับรองตัวชี้วัด" in lines[Entry.Status.AWAITING]
    assert "สำนัก:" not in lines[Entry.Status.AWAITING]


def test_the_bureau_queue_shows_the_same_legend_with_the_bureaus_side(client, certifier, world):
    client.force_login(certifier)
    lines = _assert_every_status(client.get(reverse("certification:queue"), {"round": world.round.pk}).content.decode())
    assert "รับรองให้เสร็จภายในกำหนดรับรองผล" in lines[Entry.Status.AWAITING]
    assert "สอบถามผู้รับรองตัวชี้วัด" not in lines[Entry.Status.AWAITING]


def test_the_scorecard_shows_the_legend_with_both_sides(client, district_user, district, world):
    client.force_login(district_user)
    html = client.get(reverse("reports:scorecard", args=[district.pk, world.round.pk])).content.decode()
    lines = _assert_every_status(html)
    assert "สอบถามผู้รับรองตัวชี้วัด" in lines[Entry.Status.AWAITING]
    assert "รับรองให้เสร็จภายในกำหนดรับรองผล" in lines[Entry.Status.AWAITING]


def test_the_legend_is_in_english_on_english_pages(client, district_user, world):
    client.force_login(district_user)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("reporting:entry_page", args=[world.round.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    lines = _legend(html)
    assert "1.00000" in lines[Entry.Status.SYSTEM_NO_CENTRAL]
    assert "New data" in lines["new_data"]
    assert "ask the indicator&#x27;s certifier why" in lines[Entry.Status.AWAITING]


def test_a_status_without_a_legend_line_stops_the_legend(monkeypatch):
    meanings = dict(legend.MEANINGS)
    del meanings[Entry.Status.SYSTEM_UNFIXED]
    monkeypatch.setattr(legend, "MEANINGS", meanings)
    with pytest.raises(legend.MissingLegendLine, match="SYSTEM_UNFIXED"):
        legend.legend_lines()


def test_what_the_legend_says_each_status_counts_is_what_the_reports_count(district, world):
    """The legend reads the counting rule; the reports run it in SQL: an entry of each status, scored 4, agrees."""
    entry = world.entry(district, world.quantitative)
    by_status = {}
    for status in Entry.Status:
        Entry.objects.filter(pk=entry.pk).update(status=status, official_score=Decimal("4.00000"), late_penalty=0)
        by_status[status] = read_score(Entry.objects.annotate(counted=counted_score_expression()).get(pk=entry.pk).counted)
    for line in legend.legend_lines():
        if by_status[line.status] == Decimal("4.00000"):
            assert line.counted.startswith("คะแนนที่รับรอง"), line.status
        else:
            assert line.counted == f"{by_status[line.status]:.5f}", line.status


def _entry_block(html: str, entry: Entry) -> str:
    start = html.index(f'id="entry-{entry.pk}"')
    return html[start:html.index("</form>", start)]


def test_each_entry_names_its_bureau_certifiers_with_contact_and_the_certification_deadline(
        client, district_user, district, bureau, world):
    make_user("cert-a", bureau, Role.BUREAU_CERTIFIER, first_name="สมศรี", last_name="รับรองดี", phone="02 288 5555")
    no_email = make_user("cert-b", bureau, Role.BUREAU_CERTIFIER, first_name="วิชัย", last_name="ตรวจงาน")
    no_email.email = ""
    no_email.save()
    client.force_login(district_user)
    html = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    block = _entry_block(html, world.entry(district, world.quantitative))
    certifier = block[block.index('data-testid="certifier"'):]
    assert bureau.name_th in certifier
    assert "สมศรี รับรองดี" in certifier and "02 288 5555" in certifier and 'href="tel:022885555"' in certifier
    assert "cert-a@example.go.th" in certifier and 'href="mailto:cert-a@example.go.th"' in certifier
    assert "วิชัย ตรวจงาน" in certifier
    assert certifier.count('data-testid="certifier-email"') == 1  # the one with no e-mail shows none
    assert certifier.count('data-testid="certifier-phone"') == 1
    assert f"ปิดรับรองผล {thai_datetime(world.round.certification_deadline)}" in certifier


def test_a_certifier_of_another_bureau_an_inactive_one_or_another_role_is_not_shown(
        client, district_user, district, bureau, other_bureau, world):
    make_user("cert-here", bureau, Role.BUREAU_CERTIFIER, first_name="ผู้รับรอง", last_name="ตัวจริง")
    make_user("cert-there", other_bureau, Role.BUREAU_CERTIFIER, first_name="สำนักอื่น", last_name="ไม่เกี่ยว")
    make_user("cert-gone", bureau, Role.BUREAU_CERTIFIER, first_name="ลาออก", last_name="แล้ว", is_active=False)
    make_user("exec-here", bureau, Role.EXECUTIVE, first_name="ผู้บริหาร", last_name="สำนัก")
    client.force_login(district_user)
    html = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    certifier = _entry_block(html, world.entry(district, world.quantitative))
    assert "ผู้รับรอง ตัวจริง" in certifier
    for name in ("สำนักอื่น", "ลาออก", "ผู้บริหาร"):
        assert name not in certifier
    assert certifier.count('data-testid="certifier-person"') == 1


def test_the_saved_row_still_names_the_certifier(client, district_user, district, certifier, world):
    entry = world.entry(district, world.quantitative)
    a, b = (world.quantitative.variables.get(code=c) for c in "AB")
    client.force_login(district_user)
    response = client.post(reverse("reporting:entry_save", args=[entry.pk]),
                           {"version": 0, f"v{a.pk}": "90", f"v{b.pk}": "100"}, **HTMX)
    html = response.content.decode()
    assert 'data-testid="saved"' in html
    assert html.count('data-testid="certifier-person"') == 1 and "certifier1" in html


def test_an_indicator_without_a_bureau_says_so(client, district_user, district):
    world = open_world()
    client.force_login(district_user)
    html = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    block = _entry_block(html, world.entry(district, world.quantitative))
    assert "ยังไม่กำหนดสำนักผู้รับรองตัวชี้วัดนี้" in block and 'data-testid="certification-deadline"' in block

"""PMQA 2565 (seed 004) on the same engine: items answered in writing at a level, evidence in named slots,
1.2 and category 6 from the bureaus, category 4 derived, category 7 proposals, and the PMQA total."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from attachments.demo import pdf_bytes
from attachments.services import AttachRefused, attachments_add
from indicators.models import FiscalYear, Round
from indicators.services import framework_copy_to_year, framework_publish
from krs.models import Office
from reporting.models import Answer, Entry, ResultProposal, ValueChange
from reporting.selectors import entry_page
from reporting.services import InvalidInputs, round_open
from reports.common import report_filters
from reports.national import national_ranking
from reports.scorecard import scorecard
from tests.reporting.pmqa_fixtures import pmqa_world

pytestmark = pytest.mark.django_db
D = Decimal
S = Entry.Status
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world():
    return pmqa_world()


def page_row(world, office: str, code: str, username: str = "bkk1"):
    page = entry_page(office=Office.objects.get(code=office), round_=world.round, user_may_report=True)
    return next(row for section in page.sections for row in section.rows if row.indicator.code == code)


# --- Categories 1, 2, 3, 5: a level, a written answer, links -------------------------------------------------


def test_an_item_answered_in_writing_at_a_level_awaits_certification_with_its_level_score(world):
    text = "ผอ.สพท. ประชุมกำหนดทิศทางองค์กรทุกเดือน " * 20  # longer than any short audit field
    entry = world.answer("1001", "1.1", "advance", text, links="https://example.go.th/a\n\nhttps://example.go.th/b")
    assert entry.status == S.AWAITING and entry.self_score == D(4) and entry.level.code == "advance"
    answer = Answer.objects.get(entry=entry)
    assert answer.text == text.strip() and answer.link_list == ["https://example.go.th/a", "https://example.go.th/b"]
    audit = {c.field: c.new_value for c in ValueChange.objects.filter(entry=entry)}
    assert audit["answer"] == text.strip() and audit["level"] == "Advance"  # the whole answer is audited
    assert ValueChange.objects.get(entry=entry, field="answer").label == "คำตอบตามแบบฟอร์มตอบประเด็น"


def test_the_history_folds_a_long_answer_and_keeps_it_whole(client, world):
    text = "ตอบประเด็นอย่างละเอียด " * 30
    entry = world.answer("1001", "1.1", "basic", text)
    client.force_login(world.user("planning"))
    html = client.get(reverse("reporting:entry_history", args=[entry.pk])).content.decode()
    assert "<details" in html and text.strip() in html


def test_a_level_without_a_written_answer_is_not_reported_yet(world):
    entry = world.answer("1001", "1.3", "basic", "   ")
    assert entry.status == S.NOT_REPORTED and entry.self_score == D(3)


def test_none_yet_is_an_answer_that_scores_the_bottom_of_the_scale(world):
    entry = world.answer("1001", "2.2", "none", "ยังไม่ได้จัดทำแผนด้วยเครื่องมือ SWOT")
    assert entry.status == S.AWAITING and entry.self_score == D(1)


def test_links_must_be_web_addresses(world):
    with pytest.raises(InvalidInputs) as refused:
        world.answer("1001", "1.1", "basic", "คำตอบ", links="www.example.go.th")
    assert "http://" in refused.value.errors["links"]
    assert not Answer.objects.exists()


def test_the_district_sees_the_criteria_beside_each_level_and_its_answer(client, world):
    world.answer("1001", "1.1", "basic", "คำตอบของเขต")
    client.force_login(world.user("bkk1"))
    html = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    assert "ผอ.สพท. สร้างความยั่งยืนให้องค์กร" in html  # Basic's criteria of 1.1, from seed 004
    assert 'data-testid="answer"' in html and "คำตอบของเขต" in html
    assert "โครงการต้องเป็นโครงการเดียวกับที่ยกมาอ้างอิง" in html
    assert "แบบฟอร์มตอบประเด็น" in html and "หนังสือขออนุมัติจัดทำ" in html


def test_a_failed_save_keeps_what_was_written(client, world):
    entry = world.entry("1001", "1.1")
    client.force_login(world.user("bkk1"))
    response = client.post(reverse("reporting:entry_save", args=[entry.pk]), {
        "version": 0, "level": str(world.level_id("1.1", "basic")), "answer": "ข้อความที่พิมพ์ไว้", "links": "ftp://x"},
        **HTMX)
    html = response.content.decode()
    assert (response.status_code, response["X-KRS-Status"]) == (422, "422") and "ข้อความที่พิมพ์ไว้" in html and "ftp://x" in html


# --- Evidence in seed 004's named slots ----------------------------------------------------------------------


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes([name]), content_type="application/pdf")


def test_evidence_goes_into_the_items_named_slots(world):
    entry = world.entry("1001", "1.1")
    (form,) = attachments_add(entry=entry, user=world.user("bkk1"), uploads=[pdf("form.pdf")], description="",
                              slot="form")
    assert form.slot == "form" and form.description == "แบบฟอร์มตอบประเด็น"  # the slot names it
    (photo,) = attachments_add(entry=entry, user=world.user("bkk1"), uploads=[pdf("photo.pdf")],
                               description="ภาพกิจกรรม", slot="photos")
    assert photo.description == "ภาพกิจกรรม"
    with pytest.raises(AttachRefused) as refused:
        attachments_add(entry=entry, user=world.user("bkk1"), uploads=[pdf("x.pdf")], description="x",
                        slot="result_form")  # category 7's slot, not an item's
    assert refused.value.errors == ["เลือกช่องเอกสารจากรายการของตัวชี้วัดนี้"]


def test_the_files_block_counts_the_files_in_each_slot(client, world):
    entry = world.entry("1001", "7.1")
    attachments_add(entry=entry, user=world.user("bkk1"), uploads=[pdf("r.pdf")], description="", slot="result_form")
    client.force_login(world.user("bkk1"))
    html = client.get(reverse("attachments:entry_files", args=[entry.pk])).content.decode()
    assert 'data-slot="result_form" data-count="1"' in html and 'name="slot"' in html


# --- 1.2 and category 6: entered by the bureau that assessed them ---------------------------------------------


@pytest.mark.parametrize(("group", "score"), [("C", D(3)), ("B", D(4)), ("A", D(5))])
def test_category_6_maps_the_bureaus_group_onto_basic_advance_significance(world, group, score):
    entry = world.central_level("1001", "6", group)
    assert entry.status == S.AWAITING and entry.self_score == score
    assert entry.level.name.startswith({"C": "Basic", "B": "Advance", "A": "Significance"}[group])
    entry = world.certify("1001", "6")
    assert entry.status == S.CERTIFIED and entry.official_score == score


def test_the_district_cannot_choose_the_level_of_1_2_or_6(world):
    entry = world.entry("1001", "1.2")
    from reporting.services import entry_save_values

    entry_save_values(entry=entry, user=world.user("bkk1"), expected_version=0,
                      raw={"level": str(world.level_id("1.2", "significance"))})
    entry.refresh_from_db()
    assert entry.level_id is None and entry.status == S.NOT_REPORTED


def test_the_owning_bureau_enters_levels_on_its_grid_and_others_may_not(client, world):
    six = world.indicator("6")
    url = reverse("reporting:central_grid", args=[world.round.pk, six.pk])
    client.force_login(world.user("planning"))
    assert client.get(url).status_code == 404  # another bureau's indicator does not exist for it
    client.force_login(world.user("bkk1"))
    assert client.get(url).status_code == 403
    client.force_login(world.user("monitoring"))
    listing = client.get(reverse("reporting:central_list")).content.decode()
    assert 'data-code="6"' in listing and 'data-code="1.2"' in listing
    html = client.get(url).content.decode()
    assert 'data-testid="level-1001"' in html and "Advance (กลุ่ม B)" in html
    entry = world.entry("1001", "6")
    response = client.post(url, {"row": [entry.pk], f"version-{entry.pk}": entry.version,
                                 world.grid_field(entry): world.level_id("6", "B")})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.self_score == D(4) and entry.status == S.AWAITING
    assert ValueChange.objects.get(entry=entry, field="level").source == ValueChange.Source.CENTRAL_GRID
    response = client.post(url, {"row": [entry.pk], f"version-{entry.pk}": entry.version,
                                 world.grid_field(entry): "999"})
    assert response.status_code == 422 and "เลือกระดับจากรายการ" in response.content.decode()


def test_the_district_sees_1_2_and_6_read_only_with_their_source(client, world):
    world.central_level("1001", "6", "A")
    client.force_login(world.user("bkk1"))
    html = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    assert html.count('data-testid="central-source"') == 2
    assert "Significance (กลุ่ม A)" in html and "ผลการลงพื้นที่ติดตาม" in html and "ITA" in html


# --- Category 4: derived from KPI 4.1.2 (70 %) and KPI 8 (30 %) --------------------------------------------


def test_category_4_has_no_entry_nobody_reports_it(world):
    assert not Entry.objects.filter(indicator=world.indicator("4")).exists()
    assert Entry.objects.filter(indicator=world.indicator("4.1.2"), round=world.round).exists()


def set_counted(world, office: str, code: str, score: Decimal) -> None:
    Entry.objects.filter(pk=world.entry(office, code).pk).update(status=S.CERTIFIED, official_score=score)


@pytest.mark.parametrize(
    ("kpi_4_1_2", "kpi_8", "level", "score"),
    [
        (D("2.99990"), D("2.99990"), "ต่ำกว่าระดับ Basic", D(1)),
        (D("3.00000"), D("3.00000"), "Basic", D(3)),
        (D("3.99990"), D("3.99990"), "Basic", D(3)),
        (D("4.00000"), D("4.00000"), "Advance", D(4)),
        (D("4.99990"), D("4.99990"), "Advance", D(4)),
        (D("5.00000"), D("5.00000"), "Significance", D(5)),
        (D("5.00000"), D("1.00000"), "Basic", D(3)),  # 3.8
        (D("4.00000"), D("1.00000"), "Basic", D(3)),  # 3.1
        (D("3.00000"), D("5.00000"), "Basic", D(3)),  # 3.6
    ],
)
def test_category_4_at_the_boundaries_of_each_level(world, kpi_4_1_2, kpi_8, level, score):
    set_counted(world, "1001", "4.1.2", kpi_4_1_2)
    set_counted(world, "1001", "8", kpi_8)
    row = page_row(world, "1001", "4")
    assert row.derived and row.level.name == level and row.result.score == score
    card = scorecard(office=Office.objects.get(code="1001"), round_=world.round, framework_id=world.framework.pk)
    line = next(line for line in card.lines if line.code == "4")
    assert line.score == score and line.entry is None


def test_category_4_follows_its_kpis_certification_and_counts_one_until_then(world):
    world.values("1001", "4.1.2", "academic", A=100, B=100)  # 100 % → 5
    world.values("1001", "8", "bkk1", A=8, B=10)  # 80 % → 3
    row = page_row(world, "1001", "4")
    assert [s.counted for s in row.sources] == [D(1), D(1)]  # awaiting certification: both count 1.00000
    assert row.level.code == "none"
    world.certify("1001", "4.1.2")
    world.certify("1001", "8")
    row = page_row(world, "1001", "4")
    assert [s.counted for s in row.sources] == [D(5), D(3)]
    assert (row.result.weighted, row.level.name, row.result.score) == (D("4.40000"), "Advance", D(4))


# --- Category 7: the district's own indicators ---------------------------------------------------------------


def test_a_proposal_is_scored_on_its_result_against_its_target(world):
    entry = world.propose("1001", "7.1", "ร้อยละความพึงพอใจของผู้รับบริการ", "percent", "92", "90")
    assert entry.status == S.AWAITING and entry.result == D("102.22222") and entry.self_score == D(5)
    proposal = ResultProposal.objects.get(entry=entry)
    assert (proposal.name, proposal.unit, proposal.same_as_last_year) == (
        "ร้อยละความพึงพอใจของผู้รับบริการ", "percent", False)
    assert proposal.office.code == "1001" and proposal.round == world.round


def test_the_same_indicator_cannot_answer_two_dimensions(client, world):
    world.propose("1001", "7.1", "ร้อยละความพึงพอใจของผู้รับบริการ", "percent", 92, 90)
    with pytest.raises(InvalidInputs) as refused:
        world.propose("1001", "7.2", "  ร้อยละความพึงพอใจของ   ผู้รับบริการ ".replace("ของ   ", "ของ"), "percent", 92, 90)
    assert "เสนอไว้แล้วในมิติ 7.1" in refused.value.errors["kpi_name"]
    entry = world.entry("1001", "7.2")
    assert entry.status == S.NOT_REPORTED and not ResultProposal.objects.filter(entry=entry).exists()
    # Through the page: refused in place, with the Thai reason, nothing saved.
    client.force_login(world.user("bkk1"))
    response = client.post(reverse("reporting:entry_save", args=[entry.pk]), {
        "version": entry.version, "kpi_name": "ร้อยละความพึงพอใจของผู้รับบริการ", "kpi_unit": "percent",
        world.variable_field("7.2", "A"): "1", world.variable_field("7.2", "B"): "2"}, **HTMX)
    assert (response.status_code, response["X-KRS-Status"]) == (422, "422")
    assert "เสนอตัวชี้วัดเดียวกันซ้ำในมิติอื่นไม่ได้" in response.content.decode()
    # Another district, or the same name typed in other letter case in another dimension of another district: fine.
    assert world.propose("1002", "7.2", "ร้อยละความพึงพอใจของผู้รับบริการ", "percent", 92, 90,
                         username="cm1").status == S.AWAITING


def test_the_database_refuses_one_indicator_in_two_dimensions_too(world):
    first = world.propose("1001", "7.1", "Customer Satisfaction", "percent", 92, 90)
    other = world.entry("1001", "7.3")
    with pytest.raises(IntegrityError), transaction.atomic():
        ResultProposal.objects.create(entry=other, office=other.office, round=other.round, name="customer  satisfaction",
                                      name_key=ResultProposal.objects.get(entry=first).name_key, unit="percent")


def test_renaming_a_proposal_frees_its_name_for_another_dimension(world):
    world.propose("1001", "7.1", "จำนวนโรงเรียนต้นแบบ", "count", 10, 12)
    world.propose("1001", "7.1", "จำนวนเครือข่ายความร่วมมือ", "count", 10, 12)
    assert world.propose("1001", "7.4", "จำนวนโรงเรียนต้นแบบ", "count", 5, 5).status == S.AWAITING


@pytest.mark.parametrize(
    ("unit", "result", "ok"),
    [("percent", "100", True), ("percent", "100.5", False), ("level", "5", True), ("level", "6", False),
     ("level", "0.5", False), ("count", "12", True), ("count", "2.5", False), ("count", "-1", False)],
)
def test_results_and_targets_follow_the_unit(world, unit, result, ok):
    if ok:
        assert world.propose("1001", "7.3", "ตัวชี้วัดทดสอบ", unit, result, "4").status == S.AWAITING
    else:
        with pytest.raises(InvalidInputs) as refused:
            world.propose("1001", "7.3", "ตัวชี้วัดทดสอบ", unit, result, "4")
        assert "หน่วย" in refused.value.errors[world.variable_field("7.3", "A")]


def test_the_baseline_is_last_years_result_of_the_same_indicator_only(world):
    with pytest.raises(InvalidInputs) as refused:
        world.propose("1001", "7.1", "ร้อยละนักเรียนอ่านออกเขียนได้", "percent", 95, 90, baseline=88)
    assert "เฉพาะตัวชี้วัดเรื่องเดิม" in refused.value.errors[world.variable_field("7.1", "C")]
    # The same indicator as last year: its baseline is needed before the dimension counts as reported.
    entry = world.propose("1001", "7.1", "ร้อยละนักเรียนอ่านออกเขียนได้", "percent", 95, 90, same=True)
    assert entry.status == S.NOT_REPORTED
    entry = world.propose("1001", "7.1", "ร้อยละนักเรียนอ่านออกเขียนได้", "percent", 95, 90, baseline=88, same=True)
    assert entry.status == S.AWAITING
    assert entry.self_score == D(5)  # the baseline is not scored


def test_next_year_the_system_offers_this_years_result_as_the_baseline(client, world):
    world.propose("1001", "7.1", "ร้อยละนักเรียนอ่านออกเขียนได้", "percent", "95.5", 90)
    next_year = FiscalYear.objects.create(year=2566)
    old = world.round
    round_ = Round.objects.create(fiscal_year=next_year, months=12, period_end=old.period_end.replace(year=2023),
                                  opens_at=old.opens_at, deadline=old.deadline,
                                  certification_deadline=old.certification_deadline)
    framework_publish(framework=framework_copy_to_year(framework=world.framework, fiscal_year=next_year))
    round_open(round_=round_)
    entry = Entry.objects.get(office__code="1001", round=round_, indicator__code="7.2")
    from reporting.services import entry_save_values

    entry_save_values(entry=entry, user=world.user("bkk1"), expected_version=0, raw={
        "kpi_name": "ร้อยละนักเรียน อ่านออกเขียนได้".replace(" อ่าน", "อ่าน"), "kpi_unit": "percent", "kpi_same": "1"})
    page = entry_page(office=Office.objects.get(code="1001"), round_=round_, user_may_report=True)
    row = next(row for section in page.sections for row in section.rows if row.indicator.code == "7.2")
    assert row.last_year == D("95.5")
    client.force_login(world.user("bkk1"))
    html = client.get(reverse("reporting:entry_page", args=[round_.pk])).content.decode()
    assert "ผลปีที่แล้วของตัวชี้วัดนี้ในระบบ: 95.5" in html


def test_the_bureau_sees_the_result_beside_the_attached_form(client, world):
    entry = world.propose("1001", "7.1", "ร้อยละความพึงพอใจของผู้รับบริการ", "percent", 92, 90)
    client.force_login(world.user("planning"))
    html = client.get(reverse("certification:review", args=[entry.pk])).content.decode()
    assert 'data-testid="proposal-no-form"' in html
    attachments_add(entry=entry, user=world.user("bkk1"), uploads=[pdf("form7.pdf")], description="", slot="result_form")
    html = client.get(reverse("certification:review", args=[entry.pk])).content.decode()
    assert 'data-testid="proposal-form"' in html and "form7.pdf" in html and 'data-testid="proposal-no-form"' not in html
    assert "ร้อยละความพึงพอใจของผู้รับบริการ" in html and 'data-testid="proposal-A">92' in html


# --- Access: as for every other entry ------------------------------------------------------------------------


def test_who_may_answer_see_and_certify_a_pmqa_item(client, world):
    entry = world.answer("1001", "1.1", "advance", "คำตอบของ สพป.กรุงเทพมหานคร")
    save = reverse("reporting:entry_save", args=[entry.pk])
    review = reverse("certification:review", args=[entry.pk])
    certify = reverse("certification:certify", args=[entry.pk])
    data = {"version": entry.version, "answer": "แก้โดยผู้อื่น"}
    assert client.post(save, data).status_code == 302  # anonymous: to the login page
    client.force_login(world.user("cm1"))  # another district
    assert client.post(save, data).status_code == 404
    assert client.get(review).status_code == 404
    client.force_login(world.user("personnel"))  # another bureau
    assert client.get(review).status_code == 404
    assert client.post(certify).status_code == 404
    client.force_login(world.user("executive"))  # reads, decides nothing
    assert client.get(review).status_code == 200
    assert client.post(certify).status_code == 403
    client.force_login(world.user("planning"))  # the owning bureau: sees the answer, may not change it, certifies
    assert client.post(save, data).status_code == 403
    html = client.get(review).content.decode()
    assert 'data-testid="pmqa-answer"' in html and "คำตอบของ สพป.กรุงเทพมหานคร" in html
    assert client.post(certify, {"level": world.level_id("1.1", "advance")}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == S.CERTIFIED and entry.official_score == D(4)
    assert Answer.objects.get(entry=entry).text == "คำตอบของ สพป.กรุงเทพมหานคร"
    client.force_login(world.user("bkk1"))  # certified: the district can no longer change its answer
    response = client.post(save, {"version": entry.version, "answer": "แก้หลังรับรอง"}, **HTMX)
    assert (response.status_code, response["X-KRS-Status"]) == (403, "403")
    assert Answer.objects.get(entry=entry).text == "คำตอบของ สพป.กรุงเทพมหานคร"


# --- The PMQA total ------------------------------------------------------------------------------------------

LEVELS = {
    "1.1": "advance", "1.3": "basic", "1.4": "none",
    "2.1": "advance", "2.2": "advance", "2.3": "advance", "2.4": "advance",
    "3.1": "basic", "3.2": "basic", "3.3": "advance", "3.4": "advance",
    "5.1": "significance", "5.2": "significance", "5.3": "significance", "5.4": "significance",
}
# dimension → (unit, result, target): result/target × 100 against 80/85/90/95/100.
RESULTS = {
    "7.1": ("percent", 90, 90),   # 100 % → 5
    "7.2": ("count", 45, 50),     # 90 % → 3
    "7.3": ("level", 4, 5),       # 80 % → 1
    "7.4": ("count", 85, 100),    # 85 % → 2
    "7.5": ("percent", 95, 100),  # 95 % → 4
    "7.6": ("level", 5, 5),       # 100 % → 5
}
# By hand:
#   หมวด 1 = (4 + 5 [1.2, ITA: Significance] + 3 + 1) / 4 = 3.25      หมวด 2 = 4      หมวด 3 = (3+3+4+4)/4 = 3.5
#   หมวด 4: KPI 4.1.2 100 % → 5, KPI 8 80 % → 3; 0.7·5 + 0.3·3 = 4.4 → Advance = 4
#   หมวด 5 = 5      หมวด 6: group C → Basic = 3
#   หมวด 7 = (16.6667·(5+3+1+2) + 16.6666·(4+5)) / 100 = 333.3331 / 100 = 3.33333
#   PMQA = (12·3.25 + 8·4 + 11·3.5 + 10·4 + 9·5 + 10·3 + 40·3.33333) / 100 = 357.8332 / 100 = 3.57833
CATEGORIES = {"1": D("3.25"), "2": D(4), "3": D("3.5"), "4": D(4), "5": D(5), "6": D(3), "7": D("3.33333")}
TOTAL = D("3.57833")


def test_the_pmqa_total_is_the_weighted_average_of_the_seven_categories(world):
    for code, level in LEVELS.items():
        world.answer("1001", code, level, f"คำตอบข้อ {code}")
    for code, (unit, result, target) in RESULTS.items():
        world.propose("1001", code, f"ตัวชี้วัดมิติ {code}", unit, result, target)
    world.central_level("1001", "1.2", "significance")
    world.central_level("1001", "6", "C")
    world.values("1001", "4.1.2", "academic", A=120, B=120)
    world.values("1001", "8", "bkk1", A=8, B=10)
    office = Office.objects.get(code="1001")
    before = scorecard(office=office, round_=world.round, framework_id=world.framework.pk)
    assert before.overall == D(1)  # nothing certified yet: everything counts 1.00000, category 4 too
    for entry in Entry.objects.filter(office=office, round=world.round).select_related("indicator"):
        world.certify("1001", entry.indicator.code)

    card = scorecard(office=office, round_=world.round, framework_id=world.framework.pk)
    assert card.framework == world.framework
    groups = {line.code: line.score for line in card.lines if line.kind == "group"}
    assert groups == CATEGORIES
    assert card.overall == TOTAL
    filters = report_filters(round_id=world.round.pk, framework_id=world.framework.pk)
    assert filters.framework == world.framework  # PMQA is a framework of its own in the national results
    row = next(r for r in national_ranking(filters).rows if r.office.code == "1001")
    assert row.overall == TOTAL and row.rank == 1

"""The demo's PMQA (seed 004): FY 2565's 12-month round with answers, and the framework open again today.

- FY 2565's 12-month round is opened (``round_open``) and district 1001 (login ``bkk1``) has answered every
  item of categories 1, 2, 3 and 5 (level, written answer, links), proposed its six category-7 indicators,
  and reported KPI 8; สำนักติดตามและประเมินผล (``monitoring``) entered its ITA result (1.2) and category-6
  group, สำนักวิชาการ (``academic``) the central data of KPI 4.1.2. District 1002 (``cm1``) has answered a few
  items. ``certification.demo`` then certifies 1001's answers, so its scorecard has a PMQA total.
- So that a district can fill PMQA in today's open round, PMQA-2565 is copied to today's fiscal year and
  published, as ``reporting.demo`` does with the seed 000 indicators (rounds of that year open it).

Every write goes through ``services.entries_write_inputs`` (scored, audited, statuses by the workflow) and only
where the entry holds nothing yet, so seeding again changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from indicators.models import FiscalYear, Framework, Indicator, Round
from indicators.services import framework_copy_to_year, framework_publish
from krs import thaicalendar
from krs.models import Role, User
from reporting.compute import Inputs, Proposal, indicator_config
from reporting.models import Entry, ValueChange
from reporting.services import entries_write_inputs, round_open

PMQA = (2565, "PMQA-2565")
ANSWERED = "1001"

# 1001's self-assessment: item → (level code, written answer, links).
ITEMS: dict[str, tuple[str, str]] = {
    "1.1": ("advance", "ผอ.สพท. ประชุมกำหนดทิศทางองค์กรและสื่อสารนโยบายผ่านระบบประชุมออนไลน์ทุกเดือน "
                       "(โครงการขับเคลื่อนนโยบายสู่การปฏิบัติ ปี 2565)"),
    "1.3": ("basic", "จัดเวทีรับฟังความคิดเห็นเครือข่ายผู้ปกครองและชุมชน 4 ครั้ง (โครงการเครือข่ายร่วมพัฒนา)"),
    "1.4": ("advance", "ติดตามผลกระทบต่อชุมชนด้วยแบบรายงานออนไลน์ และตั้งเครือข่ายเฝ้าระวังในทุกอำเภอ"),
    "2.1": ("advance", "แผนปฏิบัติการประจำปี 2565 วิเคราะห์ความท้าทายตามยุทธศาสตร์ชาติและยุทธศาสตร์ สพฐ."),
    "2.2": ("basic", "ใช้ SWOT และข้อมูลเทียบเคียงผลการดำเนินงานกำหนดเป้าหมายและตัวชี้วัดโครงการ"),
    "2.3": ("advance", "ใช้ระบบติดตามการเบิกจ่ายออนไลน์ ลดขั้นตอนการรายงานจาก 5 ขั้นเหลือ 2 ขั้น"),
    "2.4": ("significance", "ระบบติดตามแผนแจ้งเตือนล่วงหน้า และปรับแผนเชิงรุกในสถานการณ์โควิด-19"),
    "3.1": ("basic", "สำรวจความต้องการของโรงเรียนและผู้ปกครองด้วยแบบสอบถามออนไลน์"),
    "3.2": ("advance", "วิเคราะห์ผลความพึงพอใจเพื่อปรับปรุงบริการของกลุ่มงานทุกกลุ่ม"),
    "3.3": ("basic", "ทบทวนกระบวนการให้บริการเป็นประจำทุกภาคเรียน"),
    "3.4": ("advance", "ช่องทางร้องเรียนออนไลน์และ LINE Official ตอบภายใน 24 ชั่วโมง"),
    "5.1": ("advance", "บุคลากรร่วมวางแผนความก้าวหน้า (Career Path) และประเมินผลงานด้วยเกณฑ์ที่เปิดเผย"),
    "5.2": ("advance", "ปรับปรุงพื้นที่ทำงานร่วมและจัดอบรมทักษะดิจิทัลให้บุคลากรทุกกลุ่ม"),
    "5.3": ("basic", "กิจกรรมเสนอความคิดสร้างสรรค์ประจำเดือน"),
    "5.4": ("significance", "แผนพัฒนาบุคลากรตามแผนพัฒนาบุคลากรภาครัฐ วัดผลทักษะดิจิทัลและภาษาเป็นรายบุคคล"),
}
LINK = "https://www.example.go.th/pmqa2565/"
# Category 7: dimension → (indicator name, unit, result, target, baseline or None when not last year's indicator).
PROPOSALS: dict[str, tuple[str, str, Decimal, Decimal, Decimal | None]] = {
    "7.1": ("ร้อยละของโรงเรียนที่ผลการทดสอบ O-NET สูงขึ้น", "percent", Decimal(62), Decimal(60), Decimal(55)),
    "7.2": ("ร้อยละความพึงพอใจของผู้รับบริการ", "percent", Decimal("91.5"), Decimal(90), Decimal("88.2")),
    "7.3": ("จำนวนบุคลากรที่ผ่านการพัฒนาทักษะดิจิทัล", "count", Decimal(48), Decimal(50), None),
    "7.4": ("ระดับความสำเร็จของการเป็นสำนักงานต้นแบบด้านคุณธรรม", "level", Decimal(4), Decimal(4), None),
    "7.5": ("จำนวนโรงเรียนที่ร่วมโครงการลดขยะในชุมชน", "count", Decimal(35), Decimal(30), None),
    "7.6": ("ร้อยละของงานบริการที่ให้บริการออนไลน์", "percent", Decimal(80), Decimal(85), Decimal(70)),
}
# Central results: 1.2 (ITA) and 6 (the group), entered by สตผ.; KPI 4.1.2 by สวก.; KPI 8 by the district.
CENTRAL_LEVELS = {"1.2": "significance", "6": "B"}
VALUES = {"4.1.2": {"A": Decimal(95), "B": Decimal(100)}, "8": {"A": Decimal(9), "B": Decimal(10)}}
# District 1002 has started: two items answered, still awaiting certification.
STARTED = {"1002": {"1.1": ("basic", "ประชุมกำหนดวิสัยทัศน์ร่วมกับผู้บริหารทุกกลุ่มงาน"),
                    "2.1": ("advance", "วิเคราะห์แผนปฏิบัติการตามยุทธศาสตร์ สพฐ.")}}


def seed(now) -> dict[str, int]:
    """The PMQA demo; returns how many rounds were opened, entries created and values written."""
    created = {"pmqa_frameworks": _copy_to_this_year(now), "pmqa_entries": 0, "pmqa_answers": 0}
    round_ = Round.objects.filter(fiscal_year__year=PMQA[0], months=12).select_related("fiscal_year").first()
    if round_ is None or not Framework.objects.filter(fiscal_year=round_.fiscal_year, code=PMQA[1]).exists():
        return created
    created["pmqa_entries"] = round_open(round_=round_).created
    created["pmqa_answers"] = _answers(round_, now)
    return created


def _copy_to_this_year(now) -> int:
    """PMQA-2565 in today's fiscal year, published (its rounds are then opened by ``reporting.demo``)."""
    source = Framework.objects.filter(fiscal_year__year=PMQA[0], code=PMQA[1]).first()
    fiscal_year = FiscalYear.objects.filter(year=thaicalendar.fiscal_year_of(now)).first()
    if source is None or fiscal_year is None or fiscal_year.pk == source.fiscal_year_id:
        return 0
    if Framework.objects.filter(fiscal_year=fiscal_year, code=source.code).exists():
        return 0
    framework_publish(framework=framework_copy_to_year(framework=source, fiscal_year=fiscal_year))
    return 1


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _answers(round_: Round, now) -> int:
    """The demo's answers in the round, written only into entries that hold nothing yet; the number of changes."""
    entries = list(
        Entry.objects.select_for_update(of=("self",))
        .filter(round=round_, indicator__framework__code=PMQA[1], office__code__in=[ANSWERED, *STARTED])
        .select_related("round__fiscal_year", "office")
    )
    indicators = {i.pk: i for i in indicator_config(Indicator.objects.filter(pk__in={e.indicator_id for e in entries}))}
    for entry in entries:
        entry.indicator = indicators[entry.indicator_id]
    reporters = {u.office.code: u for u in User.objects.filter(role=Role.DISTRICT_REPORTER, office__code__in=[ANSWERED, *STARTED])
                 .select_related("office")}
    central = {"B-MON": _user("monitoring"), "B-ACA": _user("academic")}
    by_user: dict[int, tuple[User, list]] = {}
    for entry in entries:
        indicator, office = entry.indicator, entry.office.code
        if entry.status != Entry.Status.NOT_REPORTED or entry.version:
            continue  # someone worked on it already: leave it as it is
        current = Inputs()  # version 0: nothing was ever written to it
        new = current.copy()
        items = ITEMS if office == ANSWERED else STARTED.get(office, {})
        levels = {level.code: level.pk for level in indicator.levels.all()}
        codes = {v.code: v.pk for v in indicator.variables.all()}
        user = reporters.get(office)
        if indicator.code in items:
            level, text = items[indicator.code]
            new.level_id, new.answer, new.links = levels[level], text, f"{LINK}{office}/{indicator.code}"
        elif office != ANSWERED:
            continue
        elif indicator.code in PROPOSALS:
            name, unit, result, target, baseline = PROPOSALS[indicator.code]
            new.proposal = Proposal(name, unit, baseline is not None)
            new.values.update({codes["A"]: result, codes["B"]: target})
            if baseline is not None:
                new.values[codes["C"]] = baseline
        elif indicator.code in CENTRAL_LEVELS:
            new.level_id, user = levels[CENTRAL_LEVELS[indicator.code]], central["B-MON"]
        elif indicator.code in VALUES:
            new.values.update({codes[code]: value for code, value in VALUES[indicator.code].items()})
            user = central["B-ACA"] if indicator.code == "4.1.2" else user
        else:
            continue
        if user is not None:
            by_user.setdefault(user.pk, (user, []))[1].append((entry, indicator, current, new))
    changes = 0
    for user, items in by_user.values():
        changes += len(entries_write_inputs(items, user=user, source=ValueChange.Source.SYSTEM, now=now))
    return changes

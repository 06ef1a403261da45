"""What administrators configure: fiscal years, rounds, frameworks, indicators, variables and criteria.

Scores are computed by the pure functions of ``indicators.scoring`` from what these models hold;
nothing here stores a score.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from indicators.formula import FormulaError, parse_formula
from krs import thaicalendar
from krs.models import Office

SCORE_FIELD = {"max_digits": 7, "decimal_places": 5}
VALUE_FIELD = {"max_digits": 20, "decimal_places": 5}
WEIGHT_FIELD = {"max_digits": 9, "decimal_places": 4}
FACTOR_FIELD = {"max_digits": 9, "decimal_places": 4}


class FiscalYear(models.Model):
    """A Thai fiscal year, named by its พ.ศ. year (FY 2569 = 1 Oct 2025 – 30 Sep 2026)."""

    year = models.PositiveIntegerField(
        _("ปีงบประมาณ (พ.ศ.)"), unique=True, validators=[MinValueValidator(2500), MaxValueValidator(2700)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ปีงบประมาณ")
        verbose_name_plural = _("ปีงบประมาณ")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("ปีงบประมาณ %(year)s") % {"year": self.year}

    @property
    def bounds(self):
        return thaicalendar.fiscal_year_bounds(self.year)


# A round's label when it has no name of its own (Round.label); the data migration that cleared the stored
# copies of it (0008) compares with the same text.
ROUND_LABEL = gettext_noop("รอบ %(months)s เดือน ปี %(year)s")


class Round(models.Model):
    """A reporting round (รอบการรายงาน): 6, 9 or 12 months of the fiscal year, with its window and deadlines."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("ปีงบประมาณ"))
    months = models.PositiveSmallIntegerField(
        _("รอบ (เดือน)"), validators=[MinValueValidator(1), MaxValueValidator(12)], help_text=_("เช่น 6, 9 หรือ 12")
    )
    name = models.CharField(_("ชื่อรอบ"), max_length=100, blank=True)
    period_end = models.DateField(_("สิ้นสุดช่วงผลการดำเนินงาน"))
    opens_at = models.DateTimeField(_("เปิดให้บันทึกข้อมูล"))
    deadline = models.DateTimeField(_("กำหนดส่งรายงาน"))
    certification_deadline = models.DateTimeField(_("กำหนดรับรองผล"))
    late_penalty_per_day = models.DecimalField(
        _("หักคะแนนต่อวันทำการที่ส่งช้า"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))],
        help_text=_("seed 002: 0.05 คะแนนต่อวันทำการสำหรับรอบ 12 เดือน; 0 = ไม่หัก"), **SCORE_FIELD,
    )
    late_until = models.DateTimeField(
        _("รับรายงานล่าช้าได้ถึง"), null=True, blank=True,
        help_text=_("ว่าง = ไม่รับรายงานหลังกำหนดส่ง; รายงานที่ส่งหลังกำหนดถูกหักคะแนนตามวันทำการที่ช้า"),
    )
    # The owning bureaus' window for central data (ข้อมูลส่วนกลาง): entries whose inputs are all central close
    # here, not at the district's deadline (reporting.deadlines.close_central).
    central_deadline = models.DateTimeField(
        _("กำหนดส่งข้อมูลส่วนกลาง"), null=True, blank=True,
        help_text=_("วันเวลาสุดท้ายที่สำนักบันทึกข้อมูลส่วนกลางได้; ว่าง = ถึงกำหนดรับรองผล"),
    )

    class PenaltyScope(models.TextChoices):
        REPORT = "report", _("ทั้งรายงาน: หักจากคะแนนรวมของกรอบการประเมิน")
        INDICATOR = "indicator", _("รายตัวชี้วัด: หักจากคะแนนของตัวชี้วัดที่ส่งช้า")

    penalty_scope = models.CharField(
        _("หักคะแนนส่งช้าจาก"), max_length=10, choices=PenaltyScope.choices, default=PenaltyScope.REPORT,
        help_text=_("seed 002: รายงานรอบ 12 เดือนที่ส่งช้าถูกหักคะแนนทั้งรายงาน"),
    )
    # Set by the deadline sweep (reporting.deadlines) when it has done each step for the round.
    opened_at = models.DateTimeField(_("ระบบเปิดรอบเมื่อ"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("ระบบปิดรอบเมื่อ"), null=True, blank=True, editable=False)
    central_closed_at = models.DateTimeField(_("ระบบปิดรับข้อมูลส่วนกลางเมื่อ"), null=True, blank=True, editable=False)
    certification_closed_at = models.DateTimeField(_("ระบบปิดการรับรองเมื่อ"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("รอบการรายงาน")
        verbose_name_plural = _("รอบการรายงาน")
        ordering = ["fiscal_year__year", "months"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "months"], name="round_unique_months_per_year"),
            models.CheckConstraint(condition=Q(opens_at__lt=F("deadline")), name="round_opens_before_deadline"),
            models.CheckConstraint(
                condition=Q(deadline__lte=F("certification_deadline")), name="round_deadline_before_certification"
            ),
            models.CheckConstraint(condition=Q(late_penalty_per_day__gte=0), name="round_penalty_not_negative"),
            models.CheckConstraint(
                condition=Q(late_until__isnull=True)
                | Q(late_until__gt=F("deadline"), late_until__lte=F("certification_deadline")),
                name="round_late_window_after_deadline",
            ),
            models.CheckConstraint(
                condition=Q(central_deadline__isnull=True)
                | Q(central_deadline__gt=F("opens_at"), central_deadline__lte=F("certification_deadline")),
                name="round_central_window_in_round",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The round as people read it: "รอบ 6 เดือน ปี 2569", in English "6-month round, FY 2569".

        An administrator's own ``name`` wins and is shown as typed; a name that only says what the label says
        (the Thai label itself) is read as the label, so it is translated like any other round's.
        """
        values = {"months": self.months, "year": self.fiscal_year.year}
        if self.name and self.name != ROUND_LABEL % values:
            return self.name
        return _(ROUND_LABEL) % values

    def clean(self) -> None:
        errors = {}
        self.__dict__.pop("due_at", None)  # the deadline may have just been edited
        self.__dict__.pop("deadline_moved_because", None)
        # The fiscal year may not be saved yet (a round typed inline on a new fiscal year's page): its year is.
        try:
            fiscal_year = self.fiscal_year
        except FiscalYear.DoesNotExist:
            fiscal_year = None
        if fiscal_year is not None and fiscal_year.year:
            # A deadline typed with the wrong year (ค.ศ. for พ.ศ., or last year's) would silently reopen or close
            # an old round: every moment of a round lies within its fiscal year, a year either side at most.
            first, last = thaicalendar.fiscal_year_range(fiscal_year.year)
            for name in ("opens_at", "deadline", "certification_deadline", "late_until", "central_deadline"):
                value = getattr(self, name)
                if value and not thaicalendar.within(value, first, last):
                    errors[name] = _("ต้องอยู่ระหว่าง %(first)s ถึง %(last)s (ปีงบประมาณ %(year)s และปีก่อน/หลัง): "
                                     "ตรวจปี พ.ศ. ที่กรอก") % {
                        "first": thaicalendar.format_thai_date(first), "last": thaicalendar.format_thai_date(last),
                        "year": fiscal_year.year}
        # The order of the moments; a moment already out of range is reported as that only.
        ordering = {}
        if self.opens_at and self.deadline and not self.opens_at < self.deadline:
            ordering["deadline"] = _("กำหนดส่งรายงานต้องอยู่หลังวันเปิดให้บันทึกข้อมูล")
        if self.deadline and self.certification_deadline and not self.deadline <= self.certification_deadline:
            ordering["certification_deadline"] = _("กำหนดรับรองผลต้องไม่ก่อนกำหนดส่งรายงาน")
        if self.late_until and self.deadline and not self.deadline < self.late_until:
            ordering["late_until"] = _("วันรับรายงานล่าช้าต้องอยู่หลังกำหนดส่งรายงาน")
        elif self.late_until and self.certification_deadline and self.late_until > self.certification_deadline:
            ordering["late_until"] = _("วันรับรายงานล่าช้าต้องไม่เลยกำหนดรับรองผล")
        elif self.late_until and self.deadline and not self.due_at < self.late_until:
            ordering["late_until"] = _("กำหนดส่งรายงานตรงกับวันหยุดราชการ จึงเลื่อนเป็น %(date)s "
                                     "วันรับรายงานล่าช้าต้องอยู่หลังวันนั้น") % {
                "date": thaicalendar.format_thai_date(self.due_at, with_time=True)}
        if self.central_deadline and self.opens_at and not self.opens_at < self.central_deadline:
            ordering["central_deadline"] = _("กำหนดส่งข้อมูลส่วนกลางต้องอยู่หลังวันเปิดให้บันทึกข้อมูล")
        elif self.central_deadline and self.certification_deadline and self.central_deadline > self.certification_deadline:
            ordering["central_deadline"] = _("กำหนดส่งข้อมูลส่วนกลางต้องไม่เลยกำหนดรับรองผล")
        elif self.central_deadline and self.deadline and self.central_deadline < self.closes_at:
            # A mixed indicator (district and central variables) is complete only when the bureau's part
            # comes after the district's: the bureaus' window may not end while districts still report.
            ordering["central_deadline"] = _(
                "กำหนดส่งข้อมูลส่วนกลางต้องไม่ก่อนวันสิ้นสุดการรับรายงานของ สพท. (%(date)s): ตัวชี้วัดที่มีทั้งข้อมูลของ "
                "สพท. และข้อมูลส่วนกลาง สำนักต้องบันทึกได้หลังจาก สพท. รายงานแล้ว") % {
                "date": thaicalendar.format_thai_date(self.closes_at, with_time=True)}
        if self.period_end and fiscal_year is not None and fiscal_year.year:
            first, last = fiscal_year.bounds
            if not first <= self.period_end <= last:
                ordering["period_end"] = _("วันสิ้นสุดช่วงผลการดำเนินงานต้องอยู่ในปีงบประมาณ %(year)s") % {"year": fiscal_year.year}
        errors = {**ordering, **errors}
        if errors:
            raise ValidationError(errors)

    def is_open(self, now=None) -> bool:
        """Is data entry open at ``now``: after opening, up to and including the deadline (or the late window's end)."""
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at

    @cached_property
    def due_at(self):
        """The deadline that counts: ``deadline``, moved to the same time on the next working day when its
        day is a holiday or a weekend (seed 002: 31 Oct 2552 was a holiday, so the report was due 2 Nov).

        The one place the holiday rule lives: opening, closing, the late window and the penalty all read it.
        One query for the calendar's exceptions (``with_due_at`` does many rounds with one).
        """
        Round.with_due_at([self])
        return self.__dict__["due_at"]

    @staticmethod
    def with_due_at(rounds):
        """Compute ``due_at`` of many rounds with one query for the calendar's exceptions (the rounds, as a list)."""
        rounds = list(rounds)
        pending = [r for r in rounds if "due_at" not in r.__dict__]
        if pending:
            days = [thaicalendar.local_date(r.deadline) for r in pending]
            named = thaicalendar.calendar_exception_names(min(days), max(days) + timedelta(days=31))
            exceptions = {day: kind for day, (kind, _name) in named.items()}
            for round_, day in zip(pending, days, strict=True):
                round_.__dict__["due_at"] = thaicalendar.next_working_moment(round_.deadline, exceptions=exceptions)
                round_.__dict__["deadline_moved_because"] = _moved_because(round_, day, named)
        return rounds

    @property
    def deadline_moved(self) -> bool:
        return self.due_at != self.deadline

    @cached_property
    def deadline_moved_because(self) -> str:
        """Why the deadline moved: the holiday's name, or "a weekend" ("" when it did not move)."""
        Round.with_due_at([self])
        return self.__dict__["deadline_moved_because"]

    @property
    def closes_at(self):
        """When the sweep closes the round: the end of the late window if it has one, else the (moved) deadline."""
        if self.late_until and self.late_until > self.due_at:
            return self.late_until
        return self.due_at

    @property
    def central_closes_at(self):
        """The end of the bureaus' window for central data: ``central_deadline``, else the certification deadline."""
        return self.central_deadline or self.certification_deadline

    def is_late(self, now=None) -> bool:
        """Is ``now`` inside the late window, where a report is accepted with a penalty?"""
        now = now or timezone.now()
        return self.late_until is not None and self.due_at < now <= self.late_until


def _moved_because(round_: Round, day, named) -> str:
    if round_.__dict__["due_at"] == round_.deadline:
        return ""
    kind, name = named.get(day, ("", ""))
    name = name if kind == "holiday" else thaicalendar.holiday_names(day.year).get(day)
    when = thaicalendar.format_thai_date(day)
    if name:
        return _("%(date)s เป็นวันหยุดราชการ (%(name)s)") % {"date": when, "name": name}
    if day.weekday() >= 5:
        return _("%(date)s เป็นวันเสาร์–อาทิตย์") % {"date": when}
    return _("%(date)s เป็นวันหยุดราชการ") % {"date": when}


class Framework(models.Model):
    """A scoring framework of a fiscal year, e.g. "คำรับรองการปฏิบัติราชการ 2569" or "PMQA 2569"."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("คำรับรองการปฏิบัติราชการ")
        PMQA = "pmqa", _("PMQA")
        OTHER = "other", _("อื่น ๆ")

    class Status(models.TextChoices):
        DRAFT = "draft", _("ร่าง")
        PUBLISHED = "published", _("ประกาศใช้แล้ว")

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="frameworks", verbose_name=_("ปีงบประมาณ"))
    code = models.CharField(_("รหัส"), max_length=40)
    name = models.CharField(_("ชื่อกรอบการประเมิน"), max_length=255)
    kind = models.CharField(_("ประเภท"), max_length=20, choices=Kind.choices, default=Kind.AGREEMENT)
    status = models.CharField(_("สถานะ"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("ประกาศใช้เมื่อ"), null=True, blank=True)
    description = models.TextField(_("คำอธิบาย"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("กรอบการประเมิน")
        verbose_name_plural = _("กรอบการประเมิน")
        ordering = ["-fiscal_year__year", "code"]
        constraints = [models.UniqueConstraint(fields=["fiscal_year", "code"], name="framework_unique_code_per_year")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Group(models.Model):
    """A weighted group of a framework: a dimension (มิติ) or category (หมวด), possibly nested."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="groups", verbose_name=_("กรอบการประเมิน"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="subgroups", verbose_name=_("กลุ่มแม่")
    )
    code = models.CharField(_("รหัส"), max_length=20)
    name = models.CharField(_("ชื่อ"), max_length=255)
    level_name = models.CharField(_("ระดับ"), max_length=40, blank=True, help_text=_("เช่น มิติ หรือ หมวด"))
    weight = models.DecimalField(_("น้ำหนัก (ร้อยละ)"), validators=[MinValueValidator(Decimal("0"))], **WEIGHT_FIELD)
    order = models.PositiveIntegerField(_("ลำดับ"), default=0)

    class Meta:
        verbose_name = _("มิติ/หมวด")
        verbose_name_plural = _("มิติ/หมวด")
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="group_unique_code"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="group_weight_not_negative"),
        ]

    def __str__(self) -> str:
        prefix = f"{self.level_name} " if self.level_name else ""
        return f"{prefix}{self.code} {self.name}"


class Indicator(models.Model):
    """A KPI with its variables, scoring criteria and the KPI template of seed 002 slide 53."""

    class Method(models.TextChoices):
        QUANTITATIVE = "quantitative", _("เชิงปริมาณ (เกณฑ์ 5 ระดับ)")
        WEIGHTED = "weighted", _("เชิงปริมาณมากกว่า 1 ตัว (ถัวเฉลี่ยถ่วงน้ำหนักตัวชี้วัดย่อย)")
        MILESTONE = "milestone", _("ขั้นตอนการดำเนินงาน (Milestone)")
        PASS_FAIL = "pass_fail", _("ผลสำเร็จ/ไม่สำเร็จ (Pass/Fail)")
        RUBRIC = "rubric", _("เชิงคุณภาพ (เลือกระดับตามเกณฑ์)")
        DERIVED = "derived", _("คำนวณจากตัวชี้วัดอื่น")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("รายเดือน")
        QUARTERLY = "quarterly", _("รายไตรมาส")
        HALF_YEARLY = "half_yearly", _("รายครึ่งปี")
        YEARLY = "yearly", _("รายปี")
        NONE = "none", _("ไม่ต้องรายงาน (ใช้ผลจากแหล่งอื่น)")

    class Response(models.TextChoices):
        """What the district writes besides its values (seed 004): nothing, a PMQA item's answer, or its own result KPI."""

        NONE = "", _("ไม่มี (กรอกค่าตัวแปร/เลือกระดับเท่านั้น)")
        PMQA_ITEM = "pmqa_item", _("ประเด็นประเมินตนเอง PMQA: คำตอบ ลิงก์ และเอกสารตามช่อง")
        PMQA_RESULT = "pmqa_result", _("ผลลัพธ์หมวด 7: สพท. เสนอตัวชี้วัดของตนเอง (A ผล, B เป้าหมาย, C Baseline)")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("กรอบการประเมิน"))
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="indicators", verbose_name=_("มิติ/หมวด")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("ตัวชี้วัดหลัก")
    )
    code = models.CharField(_("รหัสตัวชี้วัด"), max_length=20)
    name = models.TextField(_("ชื่อตัวชี้วัด"))
    description = models.TextField(_("คำอธิบาย"), blank=True)
    unit = models.CharField(_("หน่วยวัด"), max_length=60, blank=True, help_text=_("เช่น ร้อยละ ระดับ โรง คน"))
    target = models.DecimalField(_("ค่าเป้าหมาย"), null=True, blank=True, **VALUE_FIELD)
    weight = models.DecimalField(_("น้ำหนัก"), validators=[MinValueValidator(Decimal("0"))], **WEIGHT_FIELD)
    owner = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="owned_indicators",
        limit_choices_to={"kind": Office.Kind.BUREAU}, verbose_name=_("สำนักเจ้าของตัวชี้วัด"),
    )
    method = models.CharField(_("วิธีการประเมิน"), max_length=20, choices=Method.choices, default=Method.QUANTITATIVE)
    formula = models.CharField(
        _("สูตรคำนวณ"), max_length=500, blank=True, help_text=_("ใช้รหัสตัวแปร เช่น A / B * 100")
    )
    frequency = models.CharField(_("ความถี่การรายงาน"), max_length=20, choices=Frequency.choices, default=Frequency.HALF_YEARLY)
    response = models.CharField(
        _("แบบตอบของ สพท."), max_length=20, choices=Response.choices, default=Response.NONE, blank=True,
        help_text=_("PMQA: ประเด็นที่ สพท. เขียนคำตอบและแนบเอกสารตามช่อง หรือผลลัพธ์หมวด 7 ที่ สพท. เสนอตัวชี้วัดของตนเอง"),
    )
    applies_to_primary = models.BooleanField(_("ใช้กับ สพป."), default=True)
    applies_to_secondary = models.BooleanField(_("ใช้กับ สพม."), default=True)
    rounds = models.ManyToManyField(
        Round, blank=True, related_name="indicators", verbose_name=_("รอบที่ประเมิน"),
        help_text=_("ว่าง = ทุกรอบของปีงบประมาณ"),
    )
    pass_score = models.DecimalField(_("คะแนนเมื่อสำเร็จ"), default=Decimal("5"), **SCORE_FIELD)
    fail_score = models.DecimalField(_("คะแนนเมื่อไม่สำเร็จ"), default=Decimal("1"), **SCORE_FIELD)
    order = models.PositiveIntegerField(_("ลำดับ"), default=0)
    # The KPI template (seed 002, slide 53).
    definition = models.TextField(_("คำจำกัดความ"), blank=True)
    formula_text = models.TextField(_("สูตรการคำนวณ (คำอธิบาย)"), blank=True)
    criteria_text = models.TextField(_("เกณฑ์การให้คะแนน (คำอธิบาย)"), blank=True)
    conditions = models.TextField(_("เงื่อนไข"), blank=True)
    baseline = models.TextField(_("รายละเอียดข้อมูลพื้นฐาน"), blank=True)
    data_source = models.TextField(_("แหล่งข้อมูล/วิธีการจัดเก็บข้อมูล"), blank=True)
    supervisor_name = models.CharField(_("ผู้กำกับดูแลตัวชี้วัด"), max_length=200, blank=True)
    supervisor_phone = models.CharField(_("โทรศัพท์ผู้กำกับดูแล"), max_length=60, blank=True)
    collector_name = models.CharField(_("ผู้จัดเก็บข้อมูล"), max_length=200, blank=True)
    collector_phone = models.CharField(_("โทรศัพท์ผู้จัดเก็บข้อมูล"), max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ตัวชี้วัด")
        verbose_name_plural = _("ตัวชี้วัด")
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_unique_code"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="indicator_weight_not_negative"),
            models.CheckConstraint(
                condition=Q(pass_score__gte=1, pass_score__lte=5, fail_score__gte=1, fail_score__lte=5),
                name="indicator_pass_fail_scores_on_scale",
            ),
            # An indicator hangs either under a group or under a parent indicator, never both.
            models.CheckConstraint(
                condition=Q(group__isnull=True) | Q(parent__isnull=True), name="indicator_one_place_in_tree"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def applies_to(self, office: Office) -> bool:
        return (office.kind == Office.Kind.PRIMARY and self.applies_to_primary) or (
            office.kind == Office.Kind.SECONDARY and self.applies_to_secondary
        )

    def clean(self) -> None:
        errors = {}
        if self.group_id and self.parent_id:
            errors["parent"] = _("ตัวชี้วัดย่อยอยู่ใต้ตัวชี้วัดหลัก ไม่ต้องเลือกมิติ/หมวด")
        if self.group_id and self.framework_id and self.group.framework_id != self.framework_id:
            errors["group"] = _("มิติ/หมวดต้องอยู่ในกรอบการประเมินเดียวกัน")
        if self.parent_id and self.framework_id and self.parent.framework_id != self.framework_id:
            errors["parent"] = _("ตัวชี้วัดหลักต้องอยู่ในกรอบการประเมินเดียวกัน")
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors["parent"] = _("ตัวชี้วัดเป็นตัวชี้วัดหลักของตัวเองไม่ได้")
        if not (self.applies_to_primary or self.applies_to_secondary):
            errors["applies_to_secondary"] = _("ต้องใช้กับ สพป. หรือ สพม. อย่างน้อยหนึ่งประเภท")
        if self.method == self.Method.QUANTITATIVE and not self.formula:
            errors["formula"] = _("ตัวชี้วัดเชิงปริมาณต้องมีสูตรคำนวณ")
        if errors:
            raise ValidationError(errors)

    @property
    def evidence_slots(self) -> tuple[tuple[str, str], ...]:
        """The named places for evidence files of this indicator's entries: (code, label), seed 004's list."""
        return EVIDENCE_SLOTS.get(self.response, ())

    def is_active_in(self, round_: Round, round_ids: set[int] | None = None) -> bool:
        """Active in a round: no rounds chosen means every round; ``round_ids`` avoids a query when prefetched."""
        ids = round_ids if round_ids is not None else set(self.rounds.values_list("pk", flat=True))
        return not ids or round_.pk in ids


# Seed 004, the column "หมายเหตุ/เอกสารแนบระบบรายงาน" of every self-assessed item, and the form category 7
# asks for. Slot codes are stored on each file (attachments.Attachment.slot); the labels are what people read.
PMQA_ITEM_SLOTS: tuple[tuple[str, str], ...] = (
    ("form", _("แบบฟอร์มตอบประเด็น")),
    ("approval", _("หนังสือขออนุมัติจัดทำ")),
    ("report", _("รายงานสรุปผลนำเสนอ ผอ.สพท./รูปเล่มรายงาน")),
    ("photos", _("ภาพถ่ายกิจกรรม/Link เกี่ยวข้อง/ภาพถ่ายหน้าเว็ป หน้าระบบ")),
)
PMQA_RESULT_SLOTS: tuple[tuple[str, str], ...] = (
    ("result_form", _("แบบฟอร์มผลลัพธ์การดำเนินการตามหมวด 7")),
)
EVIDENCE_SLOTS: dict[str, tuple[tuple[str, str], ...]] = {
    Indicator.Response.PMQA_ITEM: PMQA_ITEM_SLOTS,
    Indicator.Response.PMQA_RESULT: PMQA_RESULT_SLOTS,
}
# Seed 004's note under every item's evidence list.
PMQA_SAME_PROJECT_NOTE = _("โครงการต้องเป็นโครงการเดียวกับที่ยกมาอ้างอิง")


class Variable(models.Model):
    """A value reported for an indicator: by the district, or centrally by the owning bureau."""

    class Kind(models.TextChoices):
        NUMBER = "number", _("ตัวเลข")
        INTEGER = "integer", _("จำนวนเต็ม")
        PERCENT = "percent", _("ร้อยละ")
        YES_NO = "yes_no", _("ใช่/ไม่ใช่ (1/0)")

    class Source(models.TextChoices):
        DISTRICT = "district", _("สพท. กรอก")
        CENTRAL = "central", _("ข้อมูลส่วนกลาง (สำนักกรอก)")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="variables", verbose_name=_("ตัวชี้วัด"))
    code = models.CharField(_("รหัสตัวแปร"), max_length=10, help_text=_("เช่น A, B"))
    name = models.TextField(_("ชื่อตัวแปร"))
    unit = models.CharField(_("หน่วย/คำแนะนำการกรอก"), max_length=200, blank=True,
                            help_text=_("เช่น โรง หรือ ส่งแล้วกรอก 1 / ไม่ส่งกรอก 0"))
    kind = models.CharField(_("ชนิดข้อมูล"), max_length=20, choices=Kind.choices, default=Kind.NUMBER)
    minimum = models.DecimalField(_("ค่าต่ำสุด"), null=True, blank=True, **VALUE_FIELD)
    maximum = models.DecimalField(_("ค่าสูงสุด"), null=True, blank=True, **VALUE_FIELD)
    source = models.CharField(_("ผู้กรอก"), max_length=20, choices=Source.choices, default=Source.DISTRICT)
    rounds = models.ManyToManyField(
        Round, blank=True, related_name="variables", verbose_name=_("รอบที่รายงาน"), help_text=_("ว่าง = ทุกรอบ")
    )
    order = models.PositiveIntegerField(_("ลำดับ"), default=0)
    # Soft checks (docs/reporting.md, "Rules and warnings"): a value is saved only after the user confirms it.
    change_factor = models.DecimalField(
        _("เตือนเมื่อต่างจากรอบก่อนเกิน (เท่า)"), null=True, blank=True, validators=[MinValueValidator(Decimal("1"))],
        help_text=_("เช่น 2 = เตือนเมื่อค่าใหม่มากกว่า 2 เท่า หรือน้อยกว่าครึ่งหนึ่งของค่ารอบก่อน; ว่าง = ไม่เตือน"),
        **FACTOR_FIELD,
    )
    peer_factor = models.DecimalField(
        _("เตือนเมื่อต่างจากค่ากลางของ สพท. อื่นเกิน (เท่า)"), null=True, blank=True,
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_("เช่น 3 = เตือนเมื่อค่ามากกว่า 3 เท่า หรือน้อยกว่า 1/3 ของค่ามัธยฐานของ สพท. อื่นในรอบเดียวกัน; ว่าง = ไม่เตือน"),
        **FACTOR_FIELD,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ตัวแปร")
        verbose_name_plural = _("ตัวแปร")
        ordering = ["indicator", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "code"], name="variable_unique_code"),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True) | Q(maximum__isnull=True) | Q(minimum__lte=F("maximum")),
                name="variable_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=(Q(change_factor__isnull=True) | Q(change_factor__gte=1))
                & (Q(peer_factor__isnull=True) | Q(peer_factor__gte=1)),
                name="variable_warning_factors_at_least_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    def carried_from(self, round_: Round, indicator_round_ids: set[int]) -> Round | None:
        """The earlier round whose value of this variable counts in ``round_``, where it is not reported.

        The latest round of the same fiscal year before ``round_`` in which the variable is reported and
        its indicator evaluated (``indicator_round_ids``: the indicator's rounds, empty = every round).
        None when the variable is reported in ``round_`` (nothing is carried) or in no such round. Reads
        ``rounds`` (prefetch it).
        """
        rounds = list(self.rounds.all())
        if not rounds or any(r.pk == round_.pk for r in rounds):
            return None
        earlier = [
            r for r in rounds
            if r.fiscal_year_id == round_.fiscal_year_id and r.months < round_.months
            and (not indicator_round_ids or r.pk in indicator_round_ids)
        ]
        return max(earlier, key=lambda r: r.months, default=None)

    def clean(self) -> None:
        if self.code and not self.code.isidentifier():
            raise ValidationError({"code": _("รหัสตัวแปรต้องขึ้นต้นด้วยตัวอักษร และมีแต่ตัวอักษรหรือตัวเลข เช่น A, B, C1")})
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValidationError({"maximum": _("ค่าสูงสุดต้องไม่น้อยกว่าค่าต่ำสุด")})


# The name a rule uses for the indicator's computed result (its formula's value), beside the variable codes.
RESULT_NAME = "result"


class ValidationRule(models.Model):
    """A check across an indicator's values, made on every door before anything is saved.

    ``left operator right``, each side an expression in the formula language (``A``, ``A + B``,
    ``result``): ``A <= B``, ``result <= 100``. An error blocks the save; a warning is saved only
    when the user confirms it, and the bureau sees it on the review page. Modelled on DHIS2's
    validation rules (left side, operator, right side, importance).
    """

    class Operator(models.TextChoices):
        LE = "<=", "≤"
        LT = "<", "<"
        GE = ">=", "≥"
        GT = ">", ">"
        EQ = "==", "="
        NE = "!=", "≠"

    class Severity(models.TextChoices):
        ERROR = "error", _("ข้อผิดพลาด (ห้ามบันทึก)")
        WARNING = "warning", _("คำเตือน (บันทึกได้เมื่อผู้กรอกยืนยัน)")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="rules", verbose_name=_("ตัวชี้วัด"))
    left = models.CharField(_("ด้านซ้าย"), max_length=500, help_text=_("เช่น A หรือ A + B หรือ result (ผลที่คำนวณได้)"))
    operator = models.CharField(_("เงื่อนไข"), max_length=2, choices=Operator.choices, default=Operator.LE)
    right = models.CharField(_("ด้านขวา"), max_length=500, help_text=_("เช่น B หรือ 100"))
    severity = models.CharField(_("ความสำคัญ"), max_length=10, choices=Severity.choices, default=Severity.ERROR)
    message = models.TextField(_("ข้อความถึงผู้กรอก"), blank=True,
                               help_text=_("บอกว่าต้องแก้อะไร เช่น จำนวนโรงเรียนที่ผ่านต้องไม่มากกว่าจำนวนโรงเรียนทั้งหมด"))
    message_en = models.TextField(_("ข้อความถึงผู้กรอก (ภาษาอังกฤษ)"), blank=True)
    order = models.PositiveIntegerField(_("ลำดับ"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("กฎตรวจสอบค่า")
        verbose_name_plural = _("กฎตรวจสอบค่า (ตรวจข้ามตัวแปร)")
        ordering = ["indicator", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(operator__in=["<=", "<", ">=", ">", "==", "!="]), name="rule_known_operator"),
            models.CheckConstraint(condition=Q(severity__in=["error", "warning"]), name="rule_known_severity"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return f"{self.left} {self.get_operator_display()} {self.right}"

    def problems(self, codes) -> dict[str, str]:
        """What is wrong with each side against these variable codes ({} when both parse); the admin and the
        workbook check rules against the variables as they will be saved."""

        errors = {}
        for side in ("left", "right"):
            try:
                rule_expression(getattr(self, side), rule_names(self.indicator, codes))
            except FormulaError as exc:
                errors[side] = str(exc)
        return errors


def rule_names(indicator: Indicator, codes=None) -> frozenset[str]:
    """The names a rule of the indicator may use: its variable codes, and ``result`` when it has a formula."""
    codes = set(codes if codes is not None else (v.code for v in indicator.variables.all()))
    if indicator.formula and RESULT_NAME not in codes:
        codes.add(RESULT_NAME)
    return frozenset(codes)


def rule_expression(text: str, names):
    """One side of a rule, parsed with the formula language (FormulaError in Thai when not allowed)."""

    return parse_formula(text, variables=names)


class Threshold(models.Model):
    """The result that earns a level (1–5) of a quantitative indicator; scores interpolate between them."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="thresholds", verbose_name=_("ตัวชี้วัด"))
    level = models.PositiveSmallIntegerField(_("ระดับคะแนน"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    value = models.DecimalField(_("ค่าผลการดำเนินงาน"), **VALUE_FIELD)

    class Meta:
        verbose_name = _("เกณฑ์การให้คะแนน")
        verbose_name_plural = _("เกณฑ์การให้คะแนน (ระดับ 1–5)")
        ordering = ["indicator", "level"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="threshold_unique_level"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="threshold_level_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.value}"


class MilestoneStep(models.Model):
    """Step n of a milestone indicator: level n when steps 1..n are all done."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="steps", verbose_name=_("ตัวชี้วัด"))
    number = models.PositiveSmallIntegerField(_("ขั้นที่"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    description = models.TextField(_("รายละเอียดขั้นตอน"))
    sub_items = models.PositiveSmallIntegerField(
        _("จำนวนรายการย่อย"), default=1, validators=[MinValueValidator(1)],
        help_text=_("มากกว่า 1 เมื่อให้คะแนนตามสัดส่วนรายการย่อยที่ทำได้"),
    )

    class Meta:
        verbose_name = _("ขั้นตอนการดำเนินงาน")
        verbose_name_plural = _("ขั้นตอนการดำเนินงาน (Milestone)")
        ordering = ["indicator", "number"]
        constraints = [models.UniqueConstraint(fields=["indicator", "number"], name="step_unique_number")]

    def __str__(self) -> str:
        return _("ขั้นที่ %(n)s") % {"n": self.number}


class RubricLevel(models.Model):
    """A described level of a qualitative indicator (PMQA: Basic 3, Advance 4, Significance 5).

    For a derived indicator the levels are bands: a computed score maps onto the highest level whose
    score it reaches (Basic 3.0000–3.9999, Advance 4.0000–4.9999, Significance 5.0000).
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="levels", verbose_name=_("ตัวชี้วัด"))
    code = models.CharField(_("รหัสระดับ"), max_length=30)
    name = models.CharField(_("ชื่อระดับ"), max_length=100)
    criteria = models.TextField(_("เกณฑ์"), blank=True)
    score = models.DecimalField(_("คะแนน"), validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(5))],
                                **SCORE_FIELD)

    class Meta:
        verbose_name = _("ระดับตามเกณฑ์")
        verbose_name_plural = _("ระดับตามเกณฑ์ (เชิงคุณภาพ)")
        ordering = ["indicator", "score"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "code"], name="level_unique_code"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="level_score_on_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.score})"


class DerivedComponent(models.Model):
    """One source of a derived indicator: another indicator's score, with a weight (PMQA cat. 4: 70/30)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="components", verbose_name=_("ตัวชี้วัด"))
    source = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="feeds", verbose_name=_("ใช้คะแนนจาก"))
    weight = models.DecimalField(_("น้ำหนัก"), validators=[MinValueValidator(Decimal("0"))], **WEIGHT_FIELD)

    class Meta:
        verbose_name = _("ที่มาของคะแนน")
        verbose_name_plural = _("ที่มาของคะแนน (ตัวชี้วัดที่คำนวณจากตัวชี้วัดอื่น)")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "source"], name="component_unique_source"),
            models.CheckConstraint(condition=~Q(indicator=F("source")), name="component_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.source.code} × {self.weight}"


class CriteriaChange(models.Model):
    """One audited change of a published framework's scoring: who, when, what, old → new, and why.

    Written by ``indicators.services.framework_change_criteria`` in the same transaction as the change
    (seed 002 allows an agreement's details to change on request until 31 March and 31 October). One
    row per thing that changed; old and new are kept as the text people read. Drafts are not audited.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria_changes",
                                  verbose_name=_("กรอบการประเมิน"))
    # The indicator or group changed; kept as text too (``subject``) so the row reads the same if it goes.
    indicator = models.ForeignKey(Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("ตัวชี้วัด"))
    group = models.ForeignKey(Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("มิติ/หมวด"))
    subject = models.CharField(_("รายการ"), max_length=300)
    field = models.CharField(_("เกณฑ์ที่เปลี่ยน"), max_length=40)
    old_value = models.TextField(_("ค่าเดิม"), blank=True)
    new_value = models.TextField(_("ค่าใหม่"), blank=True)
    reason = models.TextField(_("เหตุผลการเปลี่ยนแปลง"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("เปลี่ยนโดย"))
    changed_at = models.DateTimeField(_("เปลี่ยนเมื่อ"))

    class Meta:
        verbose_name = _("การเปลี่ยนเกณฑ์การให้คะแนน")
        verbose_name_plural = _("การเปลี่ยนเกณฑ์การให้คะแนน")
        ordering = ["framework", "-changed_at", "-pk"]
        indexes = [models.Index(fields=["framework", "changed_at"], name="criteria_change_framework_at")]

    def __str__(self) -> str:
        return f"{self.subject} · {self.field}: {self.old_value or '–'} → {self.new_value or '–'}"

    @property
    def label(self) -> str:
        """What changed, as people read it."""
        return CRITERIA_LABELS.get(self.field, self.field)


# The parts of a framework that its scores depend on (CriteriaChange.field), as people read them.
CRITERIA_LABELS = {
    "created": _("เพิ่มเข้ากรอบการประเมิน"),
    "removed": _("นำออกจากกรอบการประเมิน"),
    "method": _("วิธีการประเมิน"),
    "formula": _("สูตรคำนวณ"),
    "target": _("ค่าเป้าหมาย"),
    "pass_score": _("คะแนนเมื่อสำเร็จ"),
    "fail_score": _("คะแนนเมื่อไม่สำเร็จ"),
    "thresholds": _("เกณฑ์การให้คะแนน (ระดับ 1–5)"),
    "direction": _("ทิศทางของเกณฑ์"),
    "steps": _("ขั้นตอนการดำเนินงาน"),
    "levels": _("ระดับตามเกณฑ์"),
    "components": _("ที่มาของคะแนน (ตัวชี้วัดอื่น)"),
    "variables": _("ตัวแปร"),
    "weight": _("น้ำหนัก"),
    "place": _("ตำแหน่งในโครงสร้าง"),
    "rounds": _("รอบที่ประเมิน"),
    "applies_to": _("ใช้กับ สพป./สพม."),
}

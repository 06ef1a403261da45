"""What districts report: one entry per (district, indicator, round), and the values of its variables."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from indicators.models import (
    SCORE_FIELD,
    VALUE_FIELD,
    Framework,
    Indicator,
    MilestoneStep,
    Round,
    RubricLevel,
    Variable,
)
from krs.models import Office

# A district's value and an entry's result are numbers someone could type: VALUE_FIELD's 15 whole digits and
# five decimals (indicators.numbers refuses more, and compute.result_refusal refuses a larger result). Their
# columns hold one digit more, so that every such number also reads back on SQLite: it keeps 15 significant
# digits and gives 999999999999999.9 back as 1000000000000000, which a 20-digit column refuses to read.
HELD_FIELD = {**VALUE_FIELD, "max_digits": VALUE_FIELD["max_digits"] + 1}


class Entry(models.Model):
    """A district's report on one indicator in one round. Created "not reported" when the round opens.

    Only the workflow functions of ``reporting.workflow`` change ``status``; this app creates
    entries and records values and the scores they give.
    """

    class Status(models.TextChoices):
        NOT_REPORTED = "not_reported", _("ยังไม่รายงานผล")
        AWAITING = "awaiting", _("รอการรับรองผล")
        REJECTED = "rejected", _("ไม่รับรอง")
        CERTIFIED = "certified", pgettext_lazy("entry status", "รับรองผล")  # the nav's "รับรองผล" is a verb
        # Given by the deadline sweep (reporting.deadlines), never by a person: official score 1.00000, locked.
        SYSTEM_UNREPORTED = "system_unreported", _("ไม่รายงานผลตามกำหนด (ระบบให้คะแนน)")
        SYSTEM_UNFIXED = "system_unfixed", _("ไม่แก้ไขตามกำหนด (ระบบให้คะแนน)")
        # The owning bureau entered no central data by its window's end: the district is not the one to blame.
        SYSTEM_NO_CENTRAL = "system_no_central", _("ไม่มีข้อมูลส่วนกลางตามกำหนด (ระบบให้คะแนน)")

    # No index of their own on office, round and the levels: the unique (office, indicator, round) and the
    # (round, status) indexes lead with office and round, and nobody looks entries up by level. Every index
    # is written on each UPDATE, and closing a round at school scale updates 1.8 million rows (bench/deadlines.py).
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="entries", verbose_name=_("หน่วยงาน"),
                               db_index=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="entries", verbose_name=_("ตัวชี้วัด"))
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="entries", verbose_name=_("รอบการรายงาน"),
                              db_index=False)
    status = models.CharField(_("สถานะ"), max_length=20, choices=Status.choices, default=Status.NOT_REPORTED)
    result = models.DecimalField(_("ผลการดำเนินงาน"), null=True, blank=True, **HELD_FIELD)
    self_score = models.DecimalField(_("คะแนนประเมินตนเอง"), null=True, blank=True, **SCORE_FIELD)
    official_score = models.DecimalField(_("คะแนนที่รับรอง"), null=True, blank=True, **SCORE_FIELD)
    # Why there is no result or score yet ("ยังไม่มีค่าตัวแปร B", "หารด้วยศูนย์: …"), shown instead of a zero.
    score_note = models.CharField(_("หมายเหตุการคำนวณ"), max_length=255, blank=True)
    # The warnings the values raised and the user confirmed when saving them (reporting.checks.Finding
    # as JSON); the bureau sees them on the review page.
    warnings = models.JSONField(_("คำเตือนที่ผู้กรอกยืนยันแล้ว"), default=list, blank=True)
    # The district's choices for indicators scored without variables.
    level = models.ForeignKey(
        RubricLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ระดับที่เลือก"),
        db_index=False,
    )
    passed = models.BooleanField(_("ผลสำเร็จ"), null=True, blank=True)
    # The level the bureau certified for a rubric indicator: the district's own, or the one it changed it to.
    official_level = models.ForeignKey(
        RubricLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ระดับที่รับรอง"),
        db_index=False,
    )
    # Set by certification when it rejects with a fix: the district may correct the entry until then.
    fix_deadline = models.DateTimeField(_("กำหนดแก้ไข"), null=True, blank=True)
    reported_at = models.DateTimeField(_("รายงานผลเมื่อ"), null=True, blank=True)
    # The first time the entry was reported: lateness is counted from it, not from a later correction.
    first_reported_at = models.DateTimeField(_("รายงานผลครั้งแรกเมื่อ"), null=True, blank=True)
    # When the deadline sweep gave the entry its system score (the status says why).
    system_scored_at = models.DateTimeField(_("ระบบให้คะแนนเมื่อ"), null=True, blank=True)
    # Set once by the sweep for a report that came after the deadline, in a round with a late penalty.
    late_days = models.PositiveSmallIntegerField(_("ส่งช้า (วันทำการ)"), null=True, blank=True)
    late_penalty = models.DecimalField(_("หักคะแนนส่งช้า"), default=0, **SCORE_FIELD)
    # Bumped on every save of the entry's values: a save that read an older version is told, not applied.
    version = models.PositiveIntegerField(_("รุ่นข้อมูล"), default=0)
    created_at = models.DateTimeField(_("สร้างเมื่อ"), auto_now_add=True)
    updated_at = models.DateTimeField(_("แก้ไขล่าสุด"), auto_now=True)

    class Meta:
        verbose_name = _("รายการรายงานผล")
        verbose_name_plural = _("รายการรายงานผล")
        ordering = ["round", "office", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["office", "indicator", "round"], name="entry_unique_per_round"),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | Q(self_score__gte=1, self_score__lte=5), name="entry_self_score_on_scale"
            ),
            models.CheckConstraint(
                condition=Q(official_score__isnull=True) | Q(official_score__gte=1, official_score__lte=5),
                name="entry_official_score_on_scale",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "status"], name="entry_round_status"),
            # The deadline sweep's fix-window step, every minute: only the few rejected entries are indexed.
            models.Index(fields=["fix_deadline"], condition=Q(status="rejected"), name="entry_rejected_fix_deadline"),
            # The API's incremental sync (api: entries changed since, cursor on (updated_at, id)). Every
            # writer of an entry sets updated_at: the save, the workflow's moves, the sweep's UPDATEs.
            models.Index(fields=["updated_at", "id"], name="entry_updated_cursor"),
        ]

    def __str__(self) -> str:
        return f"{self.office.code} · {self.indicator.code} · {self.round}"

    @property
    def is_system_given(self) -> bool:
        return self.status in SYSTEM_GIVEN


SYSTEM_GIVEN = (Entry.Status.SYSTEM_UNREPORTED, Entry.Status.SYSTEM_UNFIXED, Entry.Status.SYSTEM_NO_CENTRAL)


class ReportLateness(models.Model):
    """When a district's report of one framework in one round was complete, and what its lateness costs.

    Seed 002: a late 12-month report "จะถูกหักคะแนน 0.0500 คะแนนต่อ 1 วันทำการ" — the report, not an
    indicator. Written once by the deadline sweep (``reporting.deadlines``) for rounds whose penalty
    scope is "report": when every district-entered entry of the framework has been reported (complete),
    or when the round closes with some never reported (not complete; those are scored 1.00000 instead).
    ``penalty`` comes off the district's overall score of the framework, never below 1.00000.
    """

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+", verbose_name=_("หน่วยงาน"))
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+", verbose_name=_("กรอบการประเมิน"))
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="report_lateness", verbose_name=_("รอบการรายงาน"))
    # The last first report among the district-entered entries: the moment the report was complete.
    reported_at = models.DateTimeField(_("รายงานครบเมื่อ"), null=True, blank=True)
    complete = models.BooleanField(_("รายงานครบ"), default=True)
    late_days = models.PositiveSmallIntegerField(_("ส่งช้า (วันทำการ)"), default=0)
    penalty = models.DecimalField(_("หักคะแนนส่งช้า"), default=0, **SCORE_FIELD)
    created_at = models.DateTimeField(_("บันทึกเมื่อ"), auto_now_add=True)

    class Meta:
        verbose_name = _("การส่งรายงานล่าช้า")
        verbose_name_plural = _("การส่งรายงานล่าช้า")
        constraints = [
            models.UniqueConstraint(fields=["round", "framework", "office"], name="report_lateness_unique"),
            models.CheckConstraint(condition=Q(penalty__gte=0), name="report_lateness_penalty_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.office_id} · {self.framework_id} · {self.round_id}: {self.late_days}"


class Value(models.Model):
    """The value of one variable in one entry, entered by the district or, for central data, the bureau."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="values", verbose_name=_("รายการรายงานผล"))
    variable = models.ForeignKey(Variable, on_delete=models.PROTECT, related_name="values", verbose_name=_("ตัวแปร"))
    value = models.DecimalField(_("ค่า"), null=True, blank=True, **HELD_FIELD)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("บันทึกโดย")
    )
    updated_at = models.DateTimeField(_("บันทึกเมื่อ"), auto_now=True)

    class Meta:
        verbose_name = _("ค่าตัวแปร")
        verbose_name_plural = _("ค่าตัวแปร")
        constraints = [models.UniqueConstraint(fields=["entry", "variable"], name="value_unique_per_entry")]

    def __str__(self) -> str:
        return f"{self.variable.code} = {self.value}"


class StepValue(models.Model):
    """How much of one milestone step an entry has done: sub-items done out of the step's sub-items."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="step_values", verbose_name=_("รายการรายงานผล"))
    step = models.ForeignKey(MilestoneStep, on_delete=models.PROTECT, related_name="+", verbose_name=_("ขั้นตอน"))
    done = models.PositiveSmallIntegerField(_("รายการที่ทำแล้ว"), default=0)

    class Meta:
        verbose_name = _("ความสำเร็จของขั้นตอน")
        verbose_name_plural = _("ความสำเร็จของขั้นตอน")
        constraints = [models.UniqueConstraint(fields=["entry", "step"], name="step_value_unique_per_entry")]

    def __str__(self) -> str:
        return f"{self.step} = {self.done}"


class ValueChange(models.Model):
    """One audited change of what an entry holds: a variable's value, a step, a level or a pass/fail choice.

    Written by ``entry_save_values`` (and the central-data grid and upload) in the same transaction as
    the change, one row per field that changed. Old and new are kept as the text people read.
    """

    class Source(models.TextChoices):
        ENTRY_PAGE = "entry_page", _("หน้าบันทึกข้อมูล")
        CENTRAL_GRID = "central_grid", _("หน้าบันทึกข้อมูลส่วนกลาง")
        CENTRAL_UPLOAD = "central_upload", _("นำเข้าไฟล์ข้อมูลส่วนกลาง")
        SYSTEM = "system", _("ระบบ")
        # A linked system or a script through the HTTP API (api/); the call itself is in api.ApiCall.
        API = "api", _("API (ระบบที่เชื่อมต่อ)")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="changes", verbose_name=_("รายการรายงานผล"))
    field = models.CharField(_("รายการ"), max_length=60)
    # Text, not a short string: a PMQA item's written answer is audited whole, old and new.
    old_value = models.TextField(_("ค่าเดิม"), blank=True)
    new_value = models.TextField(_("ค่าใหม่"), blank=True)
    version = models.PositiveIntegerField(_("รุ่นข้อมูล"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("แก้ไขโดย")
    )
    changed_at = models.DateTimeField(_("แก้ไขเมื่อ"))
    source = models.CharField(_("จาก"), max_length=20, choices=Source.choices)

    class Meta:
        verbose_name = _("ประวัติการแก้ไขค่า")
        verbose_name_plural = _("ประวัติการแก้ไขค่า")
        ordering = ["entry", "-changed_at", "-pk"]
        indexes = [models.Index(fields=["entry", "version"], name="change_entry_version")]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value or '–'} → {self.new_value or '–'}"

    @property
    def label(self) -> str:
        """What changed, as people read it: "ตัวแปร A", "ขั้นที่ 2", "ระดับ", "ผลสำเร็จ"."""
        if self.field == "level":
            return _("ระดับ")
        if self.field == "passed":
            return _("ผลสำเร็จ (1 = สำเร็จ, 0 = ไม่สำเร็จ)")
        if self.field.startswith("step:"):
            return _("ขั้นที่ %(n)s") % {"n": self.field.removeprefix("step:")}
        if self.field in TEXT_LABELS:
            return TEXT_LABELS[self.field]
        return _("ตัวแปร %(code)s") % {"code": self.field}


# What a district writes besides values (indicators.Indicator.Response), as ValueChange.field names.
TEXT_LABELS = {
    "answer": _("คำตอบตามแบบฟอร์มตอบประเด็น"),
    "links": _("ลิงก์ที่เกี่ยวข้อง"),
    "kpi_name": _("ชื่อตัวชี้วัดที่เสนอ"),
    "kpi_unit": _("หน่วยของตัวชี้วัดที่เสนอ"),
    "kpi_same": _("เป็นตัวชี้วัดเรื่องเดิมของปีที่แล้ว"),
}


class Answer(models.Model):
    """A district's written answer to a PMQA item (seed 004's response form) and its links, on one entry."""

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, primary_key=True, related_name="answer",
                                 verbose_name=_("รายการรายงานผล"))
    text = models.TextField(_("คำตอบตามแบบฟอร์มตอบประเด็น"), blank=True)
    links = models.TextField(_("ลิงก์ที่เกี่ยวข้อง"), blank=True, help_text=_("บรรทัดละหนึ่งลิงก์"))

    class Meta:
        verbose_name = _("คำตอบประเด็นประเมินตนเอง")
        verbose_name_plural = _("คำตอบประเด็นประเมินตนเอง")

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.text[:40]}"

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class ResultProposal(models.Model):
    """The indicator a district proposes for one result dimension of PMQA category 7 (7.1–7.6) in a round.

    Seed 004: one indicator per dimension, never the same one in two dimensions (``name_key``, unique per
    district and round), its result given as percent, level or count, and last year's result as baseline
    when it is the same indicator as last year. The numbers are the entry's variables (A result,
    B target, C baseline), so they are scored, audited and certified like any value.
    """

    class Unit(models.TextChoices):
        PERCENT = "percent", _("ร้อยละ")
        LEVEL = "level", _("ระดับความสำเร็จ (1–5)")
        COUNT = "count", _("จำนวน")

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, primary_key=True, related_name="proposal",
                                 verbose_name=_("รายการรายงานผล"))
    # The entry's office and round, kept here so the database itself refuses one indicator in two dimensions.
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("หน่วยงาน"),
                               db_index=False)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+", verbose_name=_("รอบการรายงาน"),
                              db_index=False)
    name = models.CharField(_("ชื่อตัวชี้วัดที่เสนอ"), max_length=300, blank=True)
    # The name as compared (``proposal_key``): other letter case or spacing does not make it another indicator.
    name_key = models.CharField(max_length=300, blank=True, editable=False)
    unit = models.CharField(_("หน่วย"), max_length=10, choices=Unit.choices, blank=True)
    same_as_last_year = models.BooleanField(_("เป็นตัวชี้วัดเรื่องเดิมที่รายงานในปีที่แล้ว"), default=False)

    class Meta:
        verbose_name = _("ตัวชี้วัดผลลัพธ์ที่ สพท. เสนอ (หมวด 7)")
        verbose_name_plural = _("ตัวชี้วัดผลลัพธ์ที่ สพท. เสนอ (หมวด 7)")
        constraints = [
            models.UniqueConstraint(fields=["office", "round", "name_key"], condition=~Q(name_key=""),
                                    name="proposal_one_dimension_per_indicator"),
        ]

    def __str__(self) -> str:
        return self.name


def proposal_key(name: str) -> str:
    """The form of a proposed indicator's name that two dimensions may not share."""
    return " ".join(name.casefold().split())


class EntrySnapshot(models.Model):
    """An entry's status and counted score in one week, written by the deadline sweep's weekly step.

    Reports read these to show how a district's scores moved during a round (seed 000 speaks of
    weekly scoring). ``week`` is the Monday (Asia/Bangkok) of the week the snapshot was taken;
    ``score`` is what ``reporting.selectors.counted_score_expression`` gave then.
    """

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("รายการรายงานผล"),
                              db_index=False)  # the unique (entry, week) index leads with it
    week = models.DateField(_("สัปดาห์ (วันจันทร์)"))
    status = models.CharField(_("สถานะ"), max_length=20, choices=Entry.Status.choices)
    score = models.DecimalField(_("คะแนนที่นับ"), **SCORE_FIELD)
    taken_at = models.DateTimeField(_("บันทึกเมื่อ"))

    class Meta:
        verbose_name = _("คะแนนรายสัปดาห์")
        verbose_name_plural = _("คะแนนรายสัปดาห์")
        ordering = ["entry", "week"]
        constraints = [models.UniqueConstraint(fields=["entry", "week"], name="snapshot_unique_per_week")]

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.week} · {self.score}"


class Recertification(models.Model):
    """A certified entry whose framework's criteria changed since it was certified: its score under the
    criteria now in force, waiting for an administrator to re-certify it.

    Written by ``reporting.services.entries_rescore``; removed when an administrator re-certifies the entry
    (``reporting.workflow.entries_recertify``, audited by a StatusEvent) or when the criteria give the
    certified score again. Until then the certified score stands and counts, and every page that shows
    the entry says that its criteria changed.
    """

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, primary_key=True, related_name="recertification",
                                 verbose_name=_("รายการรายงานผล"))
    old_score = models.DecimalField(_("คะแนนที่รับรองไว้"), **SCORE_FIELD)
    new_score = models.DecimalField(_("คะแนนตามเกณฑ์ใหม่"), null=True, blank=True, **SCORE_FIELD)
    new_result = models.DecimalField(_("ผลการดำเนินงานตามเกณฑ์ใหม่"), null=True, blank=True, **VALUE_FIELD)
    new_note = models.CharField(_("หมายเหตุการคำนวณ"), max_length=255, blank=True)
    # The latest change that gave this score (an entry may be touched by several before it is re-certified).
    change = models.ForeignKey("indicators.CriteriaChange", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("การเปลี่ยนเกณฑ์"))
    noted_at = models.DateTimeField(_("พบเมื่อ"))

    class Meta:
        verbose_name = _("รายการที่รอรับรองใหม่ตามเกณฑ์ใหม่")
        verbose_name_plural = _("รายการที่รอรับรองใหม่ตามเกณฑ์ใหม่")

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.old_score} → {self.new_score}"


# --- The Entry's life: status events, "new data" flags and the deadline sweep's runs ---------------------


class StatusEvent(models.Model):
    """One change of an entry's status, written by ``reporting.workflow`` in the same transaction."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="status_events", verbose_name=_("รายการรายงานผล"),
                              db_index=False)  # the (entry, at) index leads with it
    from_status = models.CharField(_("จากสถานะ"), max_length=20, choices=Entry.Status.choices)
    to_status = models.CharField(_("เป็นสถานะ"), max_length=20, choices=Entry.Status.choices)
    # Not indexed: nobody looks events up by person, and the sweep writes a million events (by = NULL) at once.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("โดย"),
        db_index=False,
    )
    at = models.DateTimeField(_("เมื่อ"))
    comment = models.TextField(_("ความเห็น"), blank=True)

    class Meta:
        db_table = "certification_statusevent"  # created by the certification app; kept so no data moves
        verbose_name = _("การเปลี่ยนสถานะ")
        verbose_name_plural = _("การเปลี่ยนสถานะ")
        ordering = ["entry", "-at", "-pk"]
        indexes = [models.Index(fields=["entry", "at"], name="status_event_entry_at")]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Side(models.TextChoices):
    """The two sides of an entry: the district that reports it and the bureau that owns its indicator."""

    DISTRICT = "district", _("สพท.")
    BUREAU = "bureau", _("สำนัก")


class Flag(models.Model):
    """"New data" (มีข้อมูลใหม่) for one side: the other side sent something (seed 000's symbols table).

    One row per thing sent; the side sees the flag while any of its rows is unseen. Clicking the flag
    marks them seen with who and when — the evidence seed 000 asks for.
    """

    class Reason(models.TextChoices):
        FILE = "file", _("ไฟล์ใหม่")
        MESSAGE = "message", _("ข้อความใหม่")
        CORRECTED = "corrected", _("แก้ไขข้อมูลหลังไม่รับรอง")
        REJECTED = "rejected", _("ไม่รับรอง")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="flags", verbose_name=_("รายการรายงานผล"))
    for_side = models.CharField(_("แจ้งถึง"), max_length=10, choices=Side.choices)
    reason = models.CharField(_("เรื่อง"), max_length=12, choices=Reason.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("จาก")
    )
    raised_at = models.DateTimeField(_("เมื่อ"))
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("เปิดดูโดย"),
    )
    seen_at = models.DateTimeField(_("เปิดดูเมื่อ"), null=True, blank=True)

    class Meta:
        db_table = "certification_flag"  # created by the certification app; kept so no data moves
        verbose_name = _("การแจ้งข้อมูลใหม่")
        verbose_name_plural = _("การแจ้งข้อมูลใหม่")
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["entry", "for_side", "seen_at"], name="flag_entry_side_seen")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} → {self.get_for_side_display()}"


class SweepRun(models.Model):
    """One run of the deadline sweep (reporting.deadlines): when, who started it, what it changed, errors."""

    class Trigger(models.TextChoices):
        BEAT = "beat", _("ตามกำหนดเวลา (Celery beat)")
        BUTTON = "button", _("ผู้ดูแลระบบกดปุ่ม")
        COMMAND = "command", _("คำสั่ง run_deadline_sweep")

    class Outcome(models.TextChoices):
        RUNNING = "running", _("กำลังทำงาน")
        DONE = "done", _("เสร็จ")
        FAILED = "failed", _("มีข้อผิดพลาด")
        SKIPPED = "skipped", _("ข้าม (มีรอบอื่นกำลังทำงาน)")

    started_at = models.DateTimeField(_("เริ่มเมื่อ"))
    finished_at = models.DateTimeField(_("เสร็จเมื่อ"), null=True, blank=True)
    trigger = models.CharField(_("สั่งโดย"), max_length=10, choices=Trigger.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("ผู้สั่ง")
    )
    outcome = models.CharField(_("ผล"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    # [{"step": "close", "round_id": 3, "round": "รอบ 12 เดือน ปี 2569", "count": 120}, …]: only steps that changed something.
    steps = models.JSONField(_("สิ่งที่เปลี่ยน"), default=list, blank=True)
    changed = models.PositiveIntegerField(_("จำนวนที่เปลี่ยน"), default=0)
    errors = models.TextField(_("ข้อผิดพลาด"), blank=True)

    class Meta:
        db_table = "certification_sweeprun"  # created by the certification app; kept so no data moves
        verbose_name = _("การทำงานตามกำหนดเวลา")
        verbose_name_plural = _("การทำงานตามกำหนดเวลา")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["-started_at"], name="sweep_run_started")]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"

    @property
    def took(self):
        """How long the run took (a timedelta), or None while it runs."""
        return self.finished_at - self.started_at if self.finished_at else None


class SweepLease(models.Model):
    """The one row that lets a single sweep run at a time, across workers and databases.

    A sweep takes it with a conditional UPDATE (free, or its lease expired after a crash) and gives it
    back at the end; a second sweep that finds it taken records a skipped run and does nothing.
    """

    holder = models.ForeignKey(SweepRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "certification_sweeplease"  # created by the certification app; kept so no data moves
        verbose_name = _("สิทธิ์การทำงานตามกำหนดเวลา")
        verbose_name_plural = _("สิทธิ์การทำงานตามกำหนดเวลา")

    def __str__(self) -> str:
        return f"{self.holder_id or '-'} until {self.expires_at or '-'}"

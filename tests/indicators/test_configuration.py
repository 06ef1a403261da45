"""Rounds, the framework tree and its weights, publishing and copying to the next year."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import Framework, Indicator, MilestoneStep, Round
from indicators.selectors import framework_tree, weight_problems
from tests.indicators.factories import at, fiscal_year_2569, framework, group, quantitative

pytestmark = pytest.mark.django_db


class TestRounds:
    def test_a_fiscal_year_has_rounds_of_6_9_and_12_months(self):
        year = fiscal_year_2569()
        assert list(year.rounds.values_list("months", flat=True)) == [6, 9, 12]
        assert year.rounds.get(months=12).late_penalty_per_day == Decimal("0.05")
        assert year.rounds.get(months=6).late_penalty_per_day == Decimal("0")

    def test_the_deadline_must_come_after_opening(self):
        year = fiscal_year_2569()
        r = Round(fiscal_year=year, months=3, period_end=at(2025, 12, 31).date(),
                  opens_at=at(2026, 1, 20), deadline=at(2026, 1, 10), certification_deadline=at(2026, 2, 1))
        with pytest.raises(ValidationError) as caught:
            r.full_clean()
        assert "กำหนดส่งรายงานต้องอยู่หลังวันเปิดให้บันทึกข้อมูล" in caught.value.message_dict["deadline"]

    def test_certification_may_not_end_before_the_reporting_deadline(self):
        year = fiscal_year_2569()
        r = Round(fiscal_year=year, months=3, period_end=at(2025, 12, 31).date(),
                  opens_at=at(2026, 1, 1), deadline=at(2026, 1, 31), certification_deadline=at(2026, 1, 30))
        with pytest.raises(ValidationError) as caught:
            r.full_clean()
        assert "certification_deadline" in caught.value.message_dict

    def test_the_database_refuses_a_bad_window_too(self):
        year = fiscal_year_2569()
        with pytest.raises(IntegrityError), transaction.atomic():
            Round.objects.create(fiscal_year=year, months=3, period_end=at(2025, 12, 31).date(),
                                 opens_at=at(2026, 1, 31), deadline=at(2026, 1, 1), certification_deadline=at(2026, 2, 1))

    def test_the_period_end_lies_in_the_fiscal_year(self):
        year = fiscal_year_2569()
        r = Round(fiscal_year=year, months=3, period_end=at(2026, 12, 31).date(),
                  opens_at=at(2026, 1, 1), deadline=at(2026, 1, 31), certification_deadline=at(2026, 2, 1))
        with pytest.raises(ValidationError) as caught:
            r.full_clean()
        assert "period_end" in caught.value.message_dict

    def test_a_round_is_open_from_opening_to_the_deadline(self):
        r = fiscal_year_2569().rounds.get(months=6)
        assert not r.is_open(at(2026, 3, 31, 8, 29))
        assert r.is_open(at(2026, 3, 31, 8, 30))
        assert r.is_open(at(2026, 4, 30, 16, 30))
        assert not r.is_open(at(2026, 4, 30, 16, 31))


class TestTree:
    def build(self):
        fw = framework(fiscal_year_2569())
        d1 = group(fw, "1", "45")
        d2 = group(fw, "2", "55")
        parent = Indicator.objects.create(framework=fw, code="1", name="ตัวชี้วัดหลัก", weight=Decimal(20), group=d1,
                                          method=Indicator.Method.WEIGHTED)
        quantitative(fw, "1.1", "13", parent=parent)
        quantitative(fw, "1.2", "7", parent=parent)
        quantitative(fw, "2", "25", group=d1)
        quantitative(fw, "3", "100", group=d2)
        return fw

    def test_the_tree_nests_groups_indicators_and_sub_indicators_in_order(self, django_assert_max_num_queries):
        fw = self.build()
        # groups; indicators (+ owner, group, parent joined); variables; thresholds; steps; levels; rounds; components
        with django_assert_max_num_queries(8):
            roots = framework_tree(fw)
            rows = [(node.depth, node.code) for root in roots for node in root.walk()]
        assert rows == [(0, "1"), (1, "1"), (2, "1.1"), (2, "1.2"), (1, "2"), (0, "2"), (1, "3")]

    def test_weights_that_add_up_to_the_parent_or_to_100_are_fine(self):
        assert weight_problems(framework_tree(self.build())) == []

    def test_weights_that_add_up_to_neither_are_reported(self):
        fw = self.build()
        Indicator.objects.filter(framework=fw, code="1.2").update(weight=Decimal(9))
        problems = weight_problems(framework_tree(fw))
        assert problems == ["น้ำหนักภายใต้ 1 ตัวชี้วัดหลัก รวมกันได้ 22 ต้องเท่ากับ 100 หรือ 20"]

    def test_the_top_level_must_add_up_to_100(self):
        fw = self.build()
        fw.groups.filter(code="2").update(weight=Decimal(50))
        assert "น้ำหนักระดับบนสุดรวมกันได้ 95 ต้องเท่ากับ 100" in weight_problems(framework_tree(fw))

    def test_an_indicator_sits_under_a_group_or_a_parent_never_both(self):
        fw = self.build()
        child = Indicator.objects.get(framework=fw, code="1.1")
        child.group = fw.groups.get(code="1")
        with pytest.raises(ValidationError):
            child.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            child.save()


class TestPublishAndCopy:
    def test_a_framework_with_complete_weights_and_criteria_publishes(self):
        from indicators.services import framework_publish

        fw = TestTree().build()
        framework_publish(framework=fw)
        fw.refresh_from_db()
        assert fw.status == Framework.Status.PUBLISHED and fw.published_at is not None

    def test_publishing_is_refused_with_every_problem_listed(self):
        from indicators.services import framework_publish

        fw = TestTree().build()
        fw.groups.filter(code="2").update(weight=Decimal(50))
        broken = Indicator.objects.get(framework=fw, code="3")
        broken.thresholds.filter(level=5).delete()
        milestone = Indicator.objects.create(framework=fw, code="4", name="ขั้นตอน", weight=Decimal(0),
                                             group=fw.groups.get(code="2"), method=Indicator.Method.MILESTONE)
        MilestoneStep.objects.create(indicator=milestone, number=1, description="ขั้นที่ 1")
        with pytest.raises(ValidationError) as caught:
            framework_publish(framework=fw)
        messages = caught.value.messages
        assert "น้ำหนักระดับบนสุดรวมกันได้ 95 ต้องเท่ากับ 100" in messages
        assert "3: ต้องมีเกณฑ์ครบ 5 ระดับ" in messages
        assert "4: ต้องมีขั้นตอนที่ 1 ถึง 5 ครบ" in messages
        fw.refresh_from_db()
        assert fw.status == Framework.Status.DRAFT

    def test_copying_to_the_next_year_copies_the_whole_tree_as_a_draft(self):
        from indicators.models import FiscalYear, Round
        from indicators.services import framework_copy_to_year

        fw = TestTree().build()
        twelve = fw.fiscal_year.rounds.get(months=12)
        only_in_12 = Indicator.objects.get(framework=fw, code="3")
        only_in_12.rounds.set([twelve])
        only_in_12.variables.get(code="A").rounds.set([twelve])
        next_year = FiscalYear.objects.create(year=2570)
        Round.objects.create(fiscal_year=next_year, months=12, period_end=at(2027, 9, 30).date(),
                             opens_at=at(2027, 9, 30, 8, 30), deadline=at(2027, 10, 29), certification_deadline=at(2027, 11, 30))

        copy = framework_copy_to_year(framework=fw, fiscal_year=next_year)

        def shape(f):
            return [(n.depth, n.code, n.weight, n.kind) for root in framework_tree(f) for n in root.walk()]

        assert shape(copy) == shape(fw)
        assert copy.status == Framework.Status.DRAFT and copy.name == "คำรับรอง 2570"
        copied = Indicator.objects.get(framework=copy, code="3")
        assert [r.months for r in copied.rounds.all()] == [12] and copied.rounds.get().fiscal_year == next_year
        assert [r.fiscal_year.year for r in copied.variables.get(code="A").rounds.all()] == [2570]
        assert list(copied.thresholds.values_list("value", flat=True)) == [Decimal(v) for v in (80, 85, 90, 95, 100)]
        assert Indicator.objects.filter(framework=fw).count() == Indicator.objects.filter(framework=copy).count() == 5

    def test_copying_twice_to_the_same_year_is_refused(self):
        from indicators.models import FiscalYear
        from indicators.services import framework_copy_to_year

        fw = TestTree().build()
        target = FiscalYear.objects.create(year=2570)
        framework_copy_to_year(framework=fw, fiscal_year=target)
        with pytest.raises(ValidationError):
            framework_copy_to_year(framework=fw, fiscal_year=target)


class TestOverallScore:
    def build(self):
        fw = framework(fiscal_year_2569(), code="SC")
        d1, d2 = group(fw, "1", "50"), group(fw, "2", "50")
        a = quantitative(fw, "A", "25", group=d1)
        b = quantitative(fw, "B", "25", group=d1)
        c = quantitative(fw, "C", "100", group=d2)
        return fw, a, b, c

    def test_the_overall_score_is_the_weighted_average_over_the_tree(self):
        from indicators.selectors import overall_score

        fw, a, b, c = self.build()
        six = fw.fiscal_year.rounds.get(months=6)
        scores = {a.pk: Decimal(4), b.pk: Decimal(2), c.pk: Decimal(5)}
        assert overall_score(framework_tree(fw), round_=six, office_kind="primary", scores=scores) == Decimal("4.00000")

    def test_an_indicator_not_active_in_the_round_drops_out_and_weights_renormalise(self):
        from indicators.selectors import overall_score

        fw, a, b, c = self.build()
        b.rounds.set([fw.fiscal_year.rounds.get(months=12)])
        scores = {a.pk: Decimal(4), b.pk: Decimal(2), c.pk: Decimal(5)}
        roots = framework_tree(fw)
        six, twelve = fw.fiscal_year.rounds.get(months=6), fw.fiscal_year.rounds.get(months=12)
        assert overall_score(roots, round_=six, office_kind="primary", scores=scores) == Decimal("4.50000")
        assert overall_score(roots, round_=twelve, office_kind="primary", scores=scores) == Decimal("4.00000")

    def test_an_indicator_for_primary_districts_only_drops_out_for_secondary_ones(self):
        from indicators.selectors import overall_score

        fw, a, b, c = self.build()
        Indicator.objects.filter(pk=c.pk).update(applies_to_secondary=False)
        scores = {a.pk: Decimal(4), b.pk: Decimal(2), c.pk: Decimal(5)}
        six = fw.fiscal_year.rounds.get(months=6)
        assert overall_score(framework_tree(fw), round_=six, office_kind="secondary", scores=scores) == Decimal("3.00000")

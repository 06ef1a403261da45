"""The report selectors (reporting.reports) against the hand-computed world of reports_fixtures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import scoring
from indicators.selectors import framework_tree, overall_score
from reporting.models import Entry
from reporting.selectors import counted_score, counted_scores
from reports import common, national, progress, scorecard
from tests.reports.reports_fixtures import D_OVERALL, E_OVERALL, add_snapshots, build_report_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_world(district, other_district, bureau, other_bureau):
    return build_report_world(district, other_district, bureau, other_bureau)
D = Decimal
S = Entry.Status


def filters_for(world, kind=""):
    return common.report_filters(round_id=world.round.pk, framework_id=world.framework.pk, kind=kind)


def lines_by_code(card):
    return {line.code: line for line in card.lines}


class TestScorecard:
    def test_it_gives_each_indicator_its_counted_score_and_the_groups_their_subtotals(self, report_world):
        card = scorecard.scorecard(office=report_world.district, round_=report_world.round)
        lines = lines_by_code(card)
        assert [(line.kind, line.code) for line in card.lines] == [
            ("group", "1"), ("indicator", "1.1"), ("indicator", "1.2"), ("indicator", "1.3"),
            ("group", "2"), ("indicator", "2.1"), ("indicator", "2.2"), ("indicator", "2.3"), ("indicator", "2.4"),
        ]  # 2.5 is for สพม. only: not on a สพป.'s scorecard
        scores = {code: line.score for code, line in lines.items()}
        assert scores == {
            "1": D("3.45000"), "1.1": D("4.50000"), "1.2": D("3.10000"), "1.3": D("1.00000"),
            "2": D("2.33333"), "2.1": D("1.00000"), "2.2": D("5.00000"), "2.3": D("1.00000"), "2.4": None,
        }
        assert card.overall == D_OVERALL == D("3.00333")

    def test_it_shows_status_self_score_penalty_and_renormalised_weights(self, report_world):
        lines = lines_by_code(scorecard.scorecard(office=report_world.district, round_=report_world.round))
        assert lines["1.3"].status == S.AWAITING and lines["1.3"].self_score == D("5.00000")
        assert lines["1.2"].late_penalty == D("0.10000") and lines["1.1"].late_penalty is None
        # Effective weights: มิติ 2's 40 shared by the three indicators active in R6 (15 + 10 + 5 = 30).
        assert {code: line.effective_weight for code, line in lines.items()} == {
            "1": D("60.00000"), "1.1": D("30.00000"), "1.2": D("20.00000"), "1.3": D("10.00000"),
            "2": D("40.00000"), "2.1": D("20.00000"), "2.2": D("13.33333"), "2.3": D("6.66667"), "2.4": None,
        }
        assert lines["1.1"].contribution == D("1.35000")
        assert lines["2.2"].contribution == D("0.66667")
        assert lines["2.4"].active is False and lines["2.4"].entry is None

    def test_its_counts_cover_every_status(self, report_world):
        card = scorecard.scorecard(office=report_world.other, round_=report_world.round)
        assert list(card.counts) == list(Entry.Status.values)
        assert card.counts == {
            "not_reported": 1, "awaiting": 1, "rejected": 0, "certified": 3, "system_unreported": 1,
            "system_unfixed": 1, "system_no_central": 0,
        }
        assert card.overall == E_OVERALL == D("1.74286")

    def test_it_agrees_with_the_entry_page_rule_and_the_tree(self, report_world):
        roots = framework_tree(report_world.framework)
        for office, expected in ((report_world.district, D_OVERALL), (report_world.other, E_OVERALL)):
            scores = counted_scores(office, report_world.round)
            assert overall_score(roots, round_=report_world.round, office_kind=office.kind, scores=scores) == expected
            for entry in Entry.objects.filter(office=office, round=report_world.round).select_related("indicator"):
                line = next(x for x in scorecard.scorecard(office=office, round_=report_world.round).lines
                            if x.code == entry.indicator.code)
                assert line.score == counted_score(entry)

    def test_it_puts_the_rounds_of_the_year_side_by_side(self, report_world):
        card = scorecard.scorecard(office=report_world.district, round_=report_world.round)
        assert [r.months for r in card.year_rounds] == [6, 12]
        assert card.year_overall == [D_OVERALL, D("1.00000")]
        by_code = {line.node.obj.code: line.scores for line in card.year_lines}
        assert by_code["1.1"] == [D("4.50000"), D("1.00000")]
        assert by_code["2.4"] == [None, D("1.00000")]  # active in R12 only

    def test_it_follows_the_weeks_from_the_snapshots(self, report_world):
        assert scorecard.scorecard(office=report_world.district, round_=report_world.round).weeks == []
        first, second = add_snapshots(report_world)
        weeks = scorecard.scorecard(office=report_world.district, round_=report_world.round).weeks
        assert [(w.week, w.overall) for w in weeks] == [(first, D("1.00000")), (second, D("2.05000"))]
        assert weeks[1].counts["certified"] == 1 and weeks[1].counts["not_reported"] == 5

    def test_its_query_count_does_not_grow_with_indicators(self, report_world, django_assert_num_queries):
        add_snapshots(report_world)
        # office rounds, frameworks, framework_tree (groups + indicators + 6 prefetches), entries, lateness, snapshots
        with django_assert_num_queries(13):
            scorecard.scorecard(office=report_world.district, round_=report_world.round)


class TestTreeScorer:
    def test_it_is_exactly_overall_score(self, report_world):
        roots = framework_tree(report_world.framework)
        scorer = common.TreeScorer(roots, report_world.round)
        cases = [
            {}, {report_world.indicators["1.1"].pk: D("4.99999")},
            {i.pk: D("3.33333") for i in report_world.indicators.values()},
            {i.pk: D(n % 5 + 1) + D("0.12345") for n, i in enumerate(report_world.indicators.values())},
        ]
        for kind in ("primary", "secondary"):
            for scores in cases:
                expected = overall_score(roots, round_=report_world.round, office_kind=kind, scores=scores)
                assert scorer.overall(kind, scores) == expected


def _sums_of_leaves(root, scores):
    """What ``TreeScorer.leaf_sums`` gives for one office, computed in Python from its leaf scores."""
    sums = {}
    for parent, leaf in scoring.leaf_parents(root):
        score = scores.get(leaf.key)
        if leaf.active and score is not None:
            sw, w = sums.get(parent.key, (D(0), D(0)))
            sums[parent.key] = (sw + score * leaf.weight, w + leaf.weight)
    return sums


def _tree(draw_weight, draw_active):
    """root → two groups → (leaves, a parent indicator with two children, a nested group of one leaf)."""
    from indicators.scoring import ScoreNode

    n = iter(range(100))

    def leaf():
        return ScoreNode(key=f"i{next(n)}", weight=draw_weight(), active=draw_active())

    def group(children, key):
        return ScoreNode(key=key, weight=draw_weight(), children=children)

    parent = ScoreNode(key=f"i{next(n)}", weight=draw_weight(), active=draw_active(), children=[leaf(), leaf()])
    return ScoreNode(key="root", weight=D(100), children=[
        group([leaf(), leaf(), parent], "g1"), group([leaf(), group([leaf()], "g3")], "g2"),
    ])


class TestScoreFromSums:
    """The ranking's arithmetic (leaf terms summed first, in SQL) is ``tree_score``'s, to the last digit."""

    @given(st.data())
    @settings(max_examples=300, deadline=None)
    def test_it_equals_tree_score_on_any_tree(self, data):
        from indicators.scoring import tree_score

        weights = st.decimals(min_value=0, max_value=100, places=4)
        root = _tree(lambda: data.draw(weights), lambda: data.draw(st.booleans() | st.just(True)))
        scores = {}
        for _parent, leaf in scoring.leaf_parents(root):
            scores[leaf.key] = data.draw(st.none() | st.decimals(min_value=1, max_value=5, places=5))
            leaf.score = scores[leaf.key]
        assert scoring.score_from_sums(root, _sums_of_leaves(root, scores)) == tree_score(root)

    def test_it_rounds_only_the_quotient_like_weighted_average(self):
        from indicators.scoring import ScoreNode, tree_score

        # (1.00001·1 + 1.00002·1)/2 = 1.000015 → 1.00002 (half up); rounding the terms first would differ.
        leaves = [ScoreNode("i1", D(1), D("1.00001")), ScoreNode("i2", D(1), D("1.00002"))]
        root = ScoreNode("root", D(100), children=leaves)
        sums = _sums_of_leaves(root, {"i1": D("1.00001"), "i2": D("1.00002")})
        assert scoring.score_from_sums(root, sums) == tree_score(root) == D("1.00002")


class TestNationalRanking:
    @pytest.mark.parametrize("seed", range(6))
    def test_awkward_scores_rank_exactly_as_the_scorecards_on_this_database(self, report_world, seed):
        """Certified scores with five decimals, late penalties and weights that make half-way quotients: the SQL
        sums (SQLite in floating point, PostgreSQL in numeric) give the scorecard's overall score exactly."""
        import random

        rng = random.Random(seed)
        Indicator = report_world.framework.indicators.model
        for indicator in report_world.indicators.values():
            Indicator.objects.filter(pk=indicator.pk).update(weight=D(rng.randint(1, 3333)) / 100)
        for entry in Entry.objects.filter(round=report_world.round):
            official = D(rng.randint(100_000, 500_000)) / 100_000
            Entry.objects.filter(pk=entry.pk).update(
                status=rng.choice([S.CERTIFIED, S.CERTIFIED, S.AWAITING]), official_score=official,
                late_penalty=rng.choice([D(0), D("0.05"), D("0.00001")]))
        # An office without its entry for 1.1: the indicator drops out of its มิติ 1, as on its scorecard.
        Entry.objects.filter(round=report_world.round, office=report_world.other,
                             indicator=report_world.indicators["1.1"]).delete()
        rows = national.national_ranking(filters_for(report_world)).rows
        assert len(rows) == 2
        for row in rows:
            assert row.overall == scorecard.scorecard(office=row.office, round_=report_world.round).overall

    def test_it_ranks_every_district_with_its_counts(self, report_world):
        ranking = national.national_ranking(filters_for(report_world))
        assert [(r.rank, r.office.code, r.overall) for r in ranking.rows] == [
            (1, "1001", D_OVERALL), (2, "2001", E_OVERALL)]
        assert ranking.rows[0].counts == {
            "not_reported": 0, "awaiting": 1, "rejected": 1, "certified": 4, "system_unreported": 0,
            "system_unfixed": 0, "system_no_central": 0,
        }

    def test_the_overall_scores_equal_the_scorecards_exactly(self, report_world):
        for row in national.national_ranking(filters_for(report_world)).rows:
            card = scorecard.scorecard(office=row.office, round_=report_world.round)
            assert row.overall == card.overall
            assert isinstance(row.overall, Decimal)

    def test_it_filters_by_office_kind(self, report_world):
        rows = national.national_ranking(filters_for(report_world, "secondary")).rows
        assert [(r.rank, r.office.code) for r in rows] == [(1, "2001")]

    @pytest.mark.parametrize("sort, codes", [
        ("rank", ["1001", "2001"]), ("-rank", ["2001", "1001"]), ("overall", ["2001", "1001"]),
        ("-overall", ["1001", "2001"]), ("code", ["1001", "2001"]), ("-code", ["2001", "1001"]),
        ("-certified", ["1001", "2001"]), ("-system_unfixed", ["2001", "1001"]), ("bogus", ["1001", "2001"]),
    ])
    def test_it_sorts_by_any_column(self, report_world, sort, codes):
        assert [r.office.code for r in national.national_ranking(filters_for(report_world), sort=sort).rows] == codes

    def test_equal_scores_share_a_rank(self, report_world):
        Entry.objects.filter(round=report_world.round).update(status=S.NOT_REPORTED)
        rows = national.national_ranking(filters_for(report_world)).rows
        assert [(r.rank, r.overall) for r in rows] == [(1, D("1.00000")), (1, D("1.00000"))]

    def test_its_query_count_is_the_same_for_two_and_for_forty_districts(self, report_world,
                                                                         django_assert_num_queries):
        from krs.models import Office
        from reporting.services import round_open

        filters = filters_for(report_world)
        # framework_tree (groups, indicators and 6 prefetches), the districts, the counted scores, the status counts
        with django_assert_num_queries(12):
            assert len(national.national_ranking(filters).rows) == 2
        Office.objects.bulk_create([Office(code=f"3{n:03d}", kind=Office.Kind.PRIMARY, name_th=f"สพป. ทดสอบ {n}")
                                    for n in range(38)])
        round_open(round_=report_world.round)
        with django_assert_num_queries(12):
            assert len(national.national_ranking(filters).rows) == 40


class TestNationalIndicators:
    def test_it_counts_statuses_and_averages_the_counted_scores(self, report_world):
        rows = {r.indicator.code: r for r in national.national_indicators(filters_for(report_world)).rows}
        assert list(rows) == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.5"]
        assert rows["1.1"].counts["certified"] == 1 and rows["1.1"].counts["system_unfixed"] == 1
        assert rows["1.1"].average == D("2.75000")  # (4.5 + 1) / 2
        assert rows["1.1"].bins == [1, 0, 0, 1, 0]
        assert rows["2.2"].average == D("3.00000") and rows["2.2"].bins == [1, 0, 0, 0, 1]
        assert rows["2.5"].total == 1 and rows["2.5"].average == D("4.00000")
        assert rows["1.2"].average == D("2.05000")  # (3.1 + 1) / 2: the penalty counts

    def test_its_query_count_is_constant(self, report_world, django_assert_num_queries):
        filters = filters_for(report_world)
        with django_assert_num_queries(9):  # framework_tree (8) and one aggregate
            national.national_indicators(filters)


class TestNationalBureaus:
    def test_it_counts_each_bureaus_entries_and_the_oldest_waiting(self, report_world, bureau, other_bureau):
        rows = {r.bureau.code: r for r in national.national_bureaus(filters_for(report_world)).rows}
        assert rows["B01"].counts == {"not_reported": 0, "awaiting": 1, "rejected": 0, "certified": 3,
                                      "system_unreported": 1, "system_unfixed": 1, "system_no_central": 0}
        assert rows["B01"].waiting_days == 3
        assert rows["B02"].counts["certified"] == 4 and rows["B02"].counts["rejected"] == 1
        assert rows["B02"].waiting_days == 10


class TestProgress:
    def test_it_lists_who_still_has_to_act(self, report_world):
        data = progress.progress()
        assert data.round == report_world.round
        assert [(r.office.code, r.not_reported) for r in data.unreported] == [("2001", 1)]
        assert [(r.bureau.code, r.waiting_days) for r in data.waiting] == [("B02", 10), ("B01", 3)]
        assert [(f.entry.office.code, f.entry.indicator.code) for f in data.fixes] == [("1001", "2.1")]

    def test_the_fix_deadline_window_is_chosen_in_days(self, report_world):
        assert progress.progress(days=1).fixes == []
        assert len(progress.progress(days=2).fixes) == 1

    def test_a_bureau_sees_only_its_own_indicators(self, report_world, bureau):
        data = progress.progress(bureau=bureau)
        assert data.unreported == []
        assert [r.bureau.code for r in data.waiting] == ["B01"]
        assert data.fixes == []

    def test_its_query_count_is_constant(self, report_world, django_assert_num_queries):
        # rounds; districts with unreported entries and their offices; bureaus waiting and their names; fixes
        with django_assert_num_queries(7):  # with the calendar's exceptions for the rounds' deadlines
            progress.progress()

"""The scoring engine: OPDC 1–5 scale, linear interpolation, milestones, weights and renormalisation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from indicators.scoring import (
    PMQA_BANDS,
    SCALE_MAX,
    SCALE_MIN,
    Band,
    DerivedScore,
    ScoreNode,
    bands_from_levels,
    clamp,
    quantize5,
    renormalise,
    score_derived,
    score_derived_level,
    score_linear,
    score_milestones,
    score_pass_fail,
    score_rubric,
    tree_score,
    weighted_average,
)

D = Decimal
HIGHER = [D(80), D(85), D(90), D(95), D(100)]
LOWER = [D("2.0"), D("1.8"), D("1.6"), D("1.4"), D("1.2")]


# quantize5 and clamp ------------------------------------------------------------------------------


def test_quantize5_rounds_half_up():
    assert quantize5(D("3.123455")) == D("3.12346")
    assert str(quantize5(D("3.123455"))) == "3.12346"
    assert quantize5(D("-1.000005")) == D("-1.00001")
    assert str(quantize5(D(5))) == "5.00000"


def test_quantize5_refuses_more_digits_than_it_can_round_with_a_thai_value_error():
    assert quantize5(D("9" * 29)) == D("9" * 29)
    with pytest.raises(ValueError, match="ตัวเลขมีจำนวนหลักมากเกินกว่าที่ระบบคำนวณได้"):
        quantize5(D("9" * 30))  # 30 + 5 decimals: more than the 34 digits of its context


def test_floats_are_refused():
    with pytest.raises(TypeError):
        quantize5(3.5)
    with pytest.raises(TypeError):
        score_linear(92.3, HIGHER)
    with pytest.raises(TypeError):
        weighted_average([(D(4), 0.5)])


def test_clamp():
    assert clamp(D("0.2")) == SCALE_MIN
    assert clamp(D("7")) == SCALE_MAX
    assert clamp(D("3.3")) == D("3.3")


# score_linear ----------------------------------------------------------------------------------------


def test_worked_example_higher_is_better():
    score = score_linear(D("92.3"), HIGHER)
    assert score == D("3.46000") and str(score) == "3.46000"


def test_worked_example_lower_is_better():
    score = score_linear(D("1.53"), LOWER)
    assert score == D("3.35000") and str(score) == "3.35000"


def test_beyond_level_five_and_worse_than_level_one_clamp():
    assert score_linear(D(120), HIGHER) == D(5)
    assert score_linear(D(10), HIGHER) == D(1)
    assert score_linear(D("0.5"), LOWER) == D(5)
    assert score_linear(D(3), LOWER) == D(1)


def test_uneven_steps():
    assert score_linear(D(70), [D(50), D(60), D(80), D(90), D(95)]) == D("2.5")
    assert score_linear(D("92.5"), [D(50), D(60), D(80), D(90), D(95)]) == D("4.5")


@pytest.mark.parametrize(("level", "threshold"), list(enumerate(HIGHER, start=1)))
def test_each_threshold_scores_its_level(level, threshold):
    assert score_linear(threshold, HIGHER) == D(level)


@pytest.mark.parametrize(
    "thresholds",
    [
        [D(1), D(2), D(3), D(4)],
        [D(1), D(2), D(3), D(4), D(5), D(6)],
        [],
        [D(80), D(85), D(85), D(95), D(100)],
        [D(80), D(90), D(85), D(95), D(100)],
        [D(5), D(5), D(5), D(5), D(5)],
    ],
)
def test_bad_thresholds_raise_value_error_in_thai(thresholds):
    with pytest.raises(ValueError, match="เกณฑ์") as excinfo:
        score_linear(D(1), thresholds)
    assert not isinstance(excinfo.value, TypeError)


def test_equal_neighbours_are_named():
    with pytest.raises(ValueError, match="ระดับ 2 และระดับ 3"):
        score_linear(D(1), [D(80), D(85), D(85), D(95), D(100)])


# weighted_average -------------------------------------------------------------------------------------


def test_weighted_average_example():
    score = weighted_average([(D("4.2"), D(2)), (D("3.0"), D(3))])
    assert score == D("3.48000") and str(score) == "3.48000"


def test_weighted_average_rejects_negative_and_zero_total_weight():
    with pytest.raises(ValueError):
        weighted_average([(D(4), D(-1)), (D(3), D(2))])
    with pytest.raises(ValueError):
        weighted_average([(D(4), D(0)), (D(3), D(0))])
    with pytest.raises(ValueError):
        weighted_average([])


def test_zero_weight_items_do_not_count():
    assert weighted_average([(D(4), D(0)), (D(2), D(5))]) == D(2)


# score_milestones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ([1, 1, 1, 0, 0], D(3)),
        ([1, 1, 1, D("0.5"), 0], D("3.5")),
        ([1, 1, 0, 1, 0], D(2)),
        ([1, 1, D("0.25"), 1, 1], D("2.25")),
        ([0, 0, 0, 0, 0], D(1)),
        ([D("0.5"), 0, 0, 0, 0], D(1)),
        ([0, 1, 1, 1, 1], D(1)),
        ([1, 0, 0, 0, 0], D(1)),
        ([1, D("0.75"), 0, 0, 0], D("1.75")),
        ([1, 1, 1, 1, 1], D(5)),
        ([1, 1, 1, 1, D("0.5")], D("4.5")),
    ],
)
def test_milestones(completion, expected):
    assert score_milestones([D(c) for c in completion]) == expected


def test_milestone_sub_items_give_fractional_credit():
    two_of_four = D(2) / D(4)
    assert score_milestones([D(1), D(1), D(1), two_of_four, D(0)]) == D("3.5")


@pytest.mark.parametrize(
    "completion",
    [[D(1), D(1)], [D(1)] * 6, [D(1), D(2), D(0), D(0), D(0)], [D(1), D("-0.1"), D(0), D(0), D(0)]],
)
def test_milestones_validate(completion):
    with pytest.raises(ValueError):
        score_milestones(completion)


def test_milestones_other_number_of_levels():
    assert score_milestones([D(1), D(1), D("0.5")], levels=3) == D("2.5")


# pass/fail, rubric, derived --------------------------------------------------------------------------


def test_pass_fail():
    assert score_pass_fail(True) == D(5)
    assert score_pass_fail(False) == D(1)
    assert score_pass_fail(True, pass_score=D(4), fail_score=D(2)) == D(4)
    assert score_pass_fail(False, pass_score=D(4), fail_score=D(2)) == D(2)
    with pytest.raises(ValueError):
        score_pass_fail(True, pass_score=D(6))
    with pytest.raises(TypeError):
        score_pass_fail(1)


def test_rubric():
    assert score_rubric(D(3)) == D("3.00000")
    assert score_rubric(D("4.5")) == D("4.5")
    for bad in (D(0), D("5.1"), D(-3)):
        with pytest.raises(ValueError):
            score_rubric(bad)


def test_derived_pmqa_category_four():
    # PMQA category 4 = 70% of KPI 4.1.2 and 30% of KPI 8.
    result = score_derived([(D(5), D(70)), (D(3), D(30))], bands=PMQA_BANDS)
    assert result == DerivedScore(score=D("4.40000"), band="Advance")


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (D(3), "Basic"),
        (D("3.9999"), "Basic"),
        (D("3.99996"), "Advance"),
        (D(4), "Advance"),
        (D("4.99994"), "Advance"),
        (D(5), "Significance"),
        (D("2.99999"), "Basic"),
        (D("2.9"), None),
        (D(1), None),
    ],
)
def test_derived_bands(score, band):
    assert score_derived([(score, D(1))], bands=PMQA_BANDS).band == band


def test_derived_without_bands():
    assert score_derived([(D(4), D(1)), (D(2), D(1))]) == DerivedScore(score=D(3), band=None)


def test_band_validates_its_bounds():
    with pytest.raises(ValueError):
        Band("Broken", D(4), D(3))


# tree scoring and renormalisation -------------------------------------------------------------------


def leaf(key: str, weight: str, score: str | None, *, active: bool = True) -> ScoreNode:
    return ScoreNode(key=key, weight=D(weight), score=None if score is None else D(score), active=active)


def test_tree_score_weighted_average_of_leaves():
    group = ScoreNode(
        key="1", weight=D(20), children=[leaf("1.1", "13", "5"), leaf("1.2", "5", "3"), leaf("1.3", "2", "1")]
    )
    # (5·13 + 3·5 + 1·2) / 20 = 82 / 20
    assert tree_score(group) == D("4.10000")


def test_inactive_leaf_drops_out_and_siblings_renormalise():
    group = ScoreNode(
        key="1",
        weight=D(20),
        children=[leaf("1.1", "13", "5"), leaf("1.2", "5", "3", active=False), leaf("1.3", "2", "1")],
    )
    assert tree_score(group) == weighted_average([(D(5), D(13)), (D(1), D(2))])


def test_tree_score_nested_and_empty():
    dimension = ScoreNode(
        key="dim1",
        weight=D(45),
        children=[
            ScoreNode(key="1", weight=D(20), children=[leaf("1.1", "13", "4"), leaf("1.2", "7", "4")]),
            leaf("2", "10", "2"),
            leaf("3", "15", None),
        ],
    )
    assert tree_score(dimension) == D("3.33333")
    assert tree_score(leaf("x", "1", None)) is None
    assert tree_score(leaf("x", "1", "4", active=False)) is None
    assert tree_score(ScoreNode(key="g", weight=D(1), children=[leaf("a", "1", "4", active=False)])) is None
    assert tree_score(ScoreNode(key="g", weight=D(1), children=[leaf("a", "0", "4")])) is None


def test_renormalise():
    assert renormalise({"a": D(13), "b": D(5), "c": D(2)}) == {"a": D(65), "b": D(25), "c": D(10)}
    thirds = renormalise({"a": D(1), "b": D(1), "c": D(1)})
    assert thirds == {"a": D("33.33333"), "b": D("33.33333"), "c": D("33.33333")}
    assert abs(sum(thirds.values()) - 100) <= D("0.00001") * len(thirds)
    assert renormalise({}) == {}
    with pytest.raises(ValueError):
        renormalise({"a": D(0)})
    with pytest.raises(ValueError):
        renormalise({"a": D(-1), "b": D(2)})


# Property tests ---------------------------------------------------------------------------------------

finite = {"allow_nan": False, "allow_infinity": False}
results = st.decimals(min_value=-(10**6), max_value=10**6, places=4, **finite)
steps = st.decimals(min_value=D("0.01"), max_value=1000, places=2, **finite)


@st.composite
def monotonic_thresholds(draw, *, increasing: bool | None = None):
    start = draw(st.decimals(min_value=-1000, max_value=1000, places=2, **finite))
    values = [start]
    for _ in range(4):
        values.append(values[-1] + draw(steps))
    if increasing is None:
        increasing = draw(st.booleans())
    return values if increasing else values[::-1]


@given(results, monotonic_thresholds())
def test_scores_stay_on_the_scale(result, thresholds):
    score = score_linear(result, thresholds)
    assert SCALE_MIN <= score <= SCALE_MAX
    assert score == quantize5(score)


@given(results, results, monotonic_thresholds())
def test_interpolation_is_monotonic_in_the_thresholds_direction(a, b, thresholds):
    low, high = sorted((a, b))
    if thresholds[0] < thresholds[-1]:
        assert score_linear(low, thresholds) <= score_linear(high, thresholds)
    else:
        assert score_linear(low, thresholds) >= score_linear(high, thresholds)


@given(monotonic_thresholds())
def test_continuous_at_each_threshold(thresholds):
    epsilon = D("0.000001")
    for level, threshold in enumerate(thresholds, start=1):
        assert score_linear(threshold, thresholds) == level
        for side in (threshold - epsilon, threshold + epsilon):
            assert abs(score_linear(side, thresholds) - level) <= D("0.0002")


@given(results, monotonic_thresholds(increasing=False))
def test_lower_is_better_mirrors_higher_is_better(result, thresholds):
    # Negating a decreasing scale and the result gives an increasing scale with the same score.
    assert score_linear(result, thresholds) == score_linear(-result, [-t for t in thresholds])


scores = st.decimals(min_value=1, max_value=5, places=5, **finite)
weights = st.decimals(min_value=0, max_value=100, places=3, **finite)


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.tuples(scores, weights), min_size=1, max_size=8))
def test_renormalised_weights_average_between_min_and_max(items):
    assume(sum(weight for _score, weight in items.values()) > 0)
    normalised = renormalise({key: weight for key, (_score, weight) in items.items()})
    assert abs(sum(normalised.values()) - 100) <= D("0.00001") * len(normalised)
    average = weighted_average([(items[key][0], weight) for key, weight in normalised.items()])
    values = [score for score, _weight in items.values()]
    assert min(values) <= average <= max(values)
    # Same answer as with the raw weights, up to the rounding of the renormalised weights.
    assert abs(average - weighted_average(list(items.values()))) <= D("0.0001")


@given(st.lists(st.tuples(scores, weights), min_size=2, max_size=8), st.data())
def test_tree_with_one_inactive_leaf_averages_the_others(pairs, data):
    inactive = data.draw(st.integers(0, len(pairs) - 1))
    others = [pair for index, pair in enumerate(pairs) if index != inactive]
    assume(sum(weight for _score, weight in others) > 0)
    group = ScoreNode(
        key="g",
        weight=D(1),
        children=[
            ScoreNode(key=str(index), weight=weight, score=score, active=index != inactive)
            for index, (score, weight) in enumerate(pairs)
        ],
    )
    assert tree_score(group) == weighted_average(others)


@given(st.lists(st.decimals(min_value=0, max_value=1, places=3, **finite), min_size=5, max_size=5))
def test_milestones_stay_on_the_scale(completion):
    score = score_milestones(completion)
    assert SCALE_MIN <= score <= SCALE_MAX


# PMQA category 4 scored by its level (seed 004) ------------------------------------------------------------

PMQA_4_LEVELS = (("none", D(1)), ("basic", D(3)), ("advance", D(4)), ("significance", D(5)))


def test_the_bands_of_levels_are_seed_004s_four_decimal_ranges():
    assert bands_from_levels(PMQA_4_LEVELS) == (
        Band("none", D("1.0000"), D("2.9999")),
        Band("basic", D("3.0000"), D("3.9999")),
        Band("advance", D("4.0000"), D("4.9999")),
        Band("significance", D("5.0000"), D("5.0000")),
    )
    assert bands_from_levels([("C", D(3)), ("A", D(5)), ("B", D(4))])[0].name == "C"  # sorted by score


@pytest.mark.parametrize(
    ("kpi_4_1_2", "kpi_8", "weighted", "level", "score"),
    [
        (D(3), D(3), D("3.00000"), "basic", D(3)),                 # the lowest Basic
        (D("3.99990"), D("3.99990"), D("3.99990"), "basic", D(3)),  # the highest Basic, as seed 004 writes it
        (D("3.99995"), D("3.99995"), D("3.99995"), "advance", D(4)),  # shown as 4.0000: Advance, not a gap
        (D(4), D(4), D("4.00000"), "advance", D(4)),
        (D("4.99990"), D("4.99990"), D("4.99990"), "advance", D(4)),
        (D(5), D(5), D("5.00000"), "significance", D(5)),
        (D(5), D(1), D("3.80000"), "basic", D(3)),                 # 70 % × 5 + 30 % × 1
        (D(1), D(5), D("2.20000"), "none", D(1)),                  # below Basic
        (D("4.5"), D("2.5"), D("3.90000"), "basic", D(3)),
    ],
)
def test_category_4_is_the_level_of_its_70_30_weighted_score(kpi_4_1_2, kpi_8, weighted, level, score):
    result = score_derived_level([(kpi_4_1_2, D(70)), (kpi_8, D(30))], PMQA_4_LEVELS)
    assert (result.weighted, result.level, result.score) == (weighted, level, score)


def test_a_derived_indicator_without_levels_scores_its_weighted_average():
    assert score_derived_level([(D(5), D(70)), (D(3), D(30))], ()).score == D("4.40000")


def test_a_derived_node_scores_from_its_sources_in_the_tree_and_waits_for_them():
    kpi_a = ScoreNode("a", D(0), score=D(5))
    kpi_b = ScoreNode("b", D(0), score=D(1))
    category_4 = ScoreNode("c4", D(100), sources=[(kpi_a, D(70)), (kpi_b, D(30))], levels=PMQA_4_LEVELS)
    other = ScoreNode("g1", D(10), children=[ScoreNode("1.1", D(100), score=D(4))])
    root = ScoreNode("root", D(100), children=[ScoreNode("g4", D(10), children=[category_4]), other, kpi_a, kpi_b])
    assert tree_score(category_4) == D(3)  # 3.8 → Basic
    # The source KPIs weigh 0: the total is categories 4 and 1 only, (3·10 + 4·10) / 20.
    assert tree_score(root) == D("3.50000")
    kpi_b.score = None
    assert tree_score(category_4) is None
    kpi_b.score, kpi_b.active = D(5), False
    assert tree_score(category_4) is None

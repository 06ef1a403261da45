"""The scoring engine: turns results into scores on the OPDC 1–5 scale (pure Decimal arithmetic).

Source: seed 002 slides 19 and 28–45 (OPDC evaluation method). See docs/scoring.md.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

__all__ = [
    "LEVELS",
    "PMQA_BANDS",
    "SCALE_MAX",
    "SCALE_MIN",
    "Band",
    "DerivedScore",
    "LevelScore",
    "bands_from_levels",
    "score_derived_level",
    "ScoreNode",
    "clamp",
    "quantize5",
    "renormalise",
    "score_derived",
    "score_linear",
    "score_milestones",
    "score_pass_fail",
    "score_rubric",
    "leaf_parents",
    "node_results",
    "read_sums",
    "score_from_sums",
    "tree_score",
    "walk_score",
    "weighted_average",
]

SCALE_MIN = Decimal(1)
SCALE_MAX = Decimal(5)
LEVELS = 5
_FIVE_PLACES = Decimal("0.00001")
_HUNDRED = Decimal(100)


def _context() -> decimal.Context:
    # Far more digits than the five decimals kept, so only the final quantize5 rounds visibly.
    return decimal.Context(
        prec=34,
        rounding=ROUND_HALF_UP,
        traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
    )


def _dec(value: object, what: str) -> Decimal:
    """Value as a finite Decimal; float and bool are refused because they would hide inexactness."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{what} must be Decimal, not {type(value).__name__}")
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} must be Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(_("%(what)s ต้องเป็นตัวเลข") % {"what": what})
    return value


def quantize5(value: Decimal) -> Decimal:
    """Value rounded half-up to five decimals, the precision every stored score has; ValueError (Thai) beyond 29 digits."""
    with decimal.localcontext(_context()):
        try:
            return _dec(value, "value").quantize(_FIVE_PLACES, rounding=ROUND_HALF_UP)
        except decimal.InvalidOperation:
            # More than 29 whole digits: five decimals more would pass the context's 34 digits.
            raise ValueError(_("ตัวเลขมีจำนวนหลักมากเกินกว่าที่ระบบคำนวณได้")) from None


def clamp(score: Decimal) -> Decimal:
    """Score limited to the scale [SCALE_MIN, SCALE_MAX]."""
    score = _dec(score, "score")
    return min(max(score, SCALE_MIN), SCALE_MAX)


def _check_on_scale(score: Decimal, what: str) -> Decimal:
    score = _dec(score, what)
    if not SCALE_MIN <= score <= SCALE_MAX:
        raise ValueError(
            _("%(what)s ต้องอยู่ระหว่าง %(low)s ถึง %(high)s (ได้ %(value)s)")
            % {"what": what, "low": SCALE_MIN, "high": SCALE_MAX, "value": score}
        )
    return score


def _direction(thresholds: Sequence[Decimal]) -> int:
    """+1 when higher results are better, -1 when lower are; ValueError (Thai) otherwise."""
    if len(thresholds) != LEVELS:
        raise ValueError(
            _("เกณฑ์การให้คะแนนต้องมี %(levels)d ระดับพอดี (มี %(count)d ระดับ)")
            % {"levels": LEVELS, "count": len(thresholds)}
        )
    steps = list(zip(thresholds, thresholds[1:], strict=False))
    if all(low < high for low, high in steps):
        return 1
    if all(low > high for low, high in steps):
        return -1
    for level, (low, high) in enumerate(steps, start=1):
        if low == high:
            raise ValueError(
                _("เกณฑ์ระดับ %(a)d และระดับ %(b)d เท่ากัน (%(value)s) — เกณฑ์ต้องเพิ่มขึ้นหรือลดลงทุกระดับ")
                % {"a": level, "b": level + 1, "value": low}
            )
    raise ValueError(
        _("เกณฑ์ต้องเพิ่มขึ้นทุกระดับ (ยิ่งมากยิ่งดี) หรือลดลงทุกระดับ (ยิ่งน้อยยิ่งดี): %(values)s")
        % {"values": " / ".join(str(t) for t in thresholds)}
    )


def score_linear(result: Decimal, thresholds: Sequence[Decimal]) -> Decimal:
    """Score for a result against five level thresholds (increasing or decreasing), interpolated and clamped."""
    result = _dec(result, "result")
    values = [_dec(t, "threshold") for t in thresholds]
    sign = _direction(values)
    # Negating a lower-is-better scale makes it higher-is-better with the same interpolation, since
    # (r − t_i)/(t_{i+1} − t_i) is unchanged when every term changes sign.
    with decimal.localcontext(_context()):
        r = result * sign
        t = [value * sign for value in values]
        if r >= t[-1]:
            return quantize5(SCALE_MAX)
        if r <= t[0]:
            return quantize5(SCALE_MIN)
        for level in range(1, LEVELS):
            low, high = t[level - 1], t[level]
            if low <= r < high:
                return quantize5(clamp(Decimal(level) + (r - low) / (high - low)))
    raise AssertionError("unreachable: result lies between the first and last thresholds")


def weighted_average(items: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Σ score·weight / Σ weight over (score, weight) pairs, to five decimals; weights ≥ 0, total > 0."""
    total_weight = Decimal(0)
    total = Decimal(0)
    with decimal.localcontext(_context()):
        for score, weight in items:
            score = _dec(score, "score")
            weight = _dec(weight, "weight")
            if weight < 0:
                raise ValueError(_("น้ำหนักต้องไม่ติดลบ (ได้ %(weight)s)") % {"weight": weight})
            total += score * weight
            total_weight += weight
        if total_weight == 0:
            raise ValueError(_("น้ำหนักรวมเป็นศูนย์ จึงหาค่าเฉลี่ยถ่วงน้ำหนักไม่ได้"))
        return quantize5(total / total_weight)


def score_milestones(completion: Sequence[Decimal], *, levels: int = LEVELS) -> Decimal:
    """Score n + completion of step n+1, where n leading steps are fully done; 1 when step 1 is not done."""
    if len(completion) != levels:
        raise ValueError(
            _("ต้องระบุความสำเร็จของขั้นตอนครบ %(levels)d ขั้น (มี %(count)d ขั้น)")
            % {"levels": levels, "count": len(completion)}
        )
    steps = [_dec(value, "completion") for value in completion]
    for number, value in enumerate(steps, start=1):
        if not 0 <= value <= 1:
            raise ValueError(
                _("ความสำเร็จของขั้นตอนที่ %(number)d ต้องอยู่ระหว่าง 0 ถึง 1 (ได้ %(value)s)")
                % {"number": number, "value": value}
            )
    done = 0
    while done < levels and steps[done] == 1:
        done += 1
    if done == levels:
        return quantize5(SCALE_MAX)
    if done == 0:
        # Level 1 means "step 1 done"; partial work on step 1 is still level 1, not more.
        return quantize5(SCALE_MIN)
    # Steps after the first unfinished one earn nothing: the steps are cumulative.
    with decimal.localcontext(_context()):
        return quantize5(clamp(Decimal(done) + steps[done]))


def score_pass_fail(
    passed: bool, *, pass_score: Decimal = SCALE_MAX, fail_score: Decimal = SCALE_MIN
) -> Decimal:
    """pass_score when passed, fail_score otherwise (both on the 1–5 scale)."""
    if not isinstance(passed, bool):
        raise TypeError(f"passed must be bool, not {type(passed).__name__}")
    pass_score = _check_on_scale(pass_score, _("คะแนนเมื่อผ่าน"))
    fail_score = _check_on_scale(fail_score, _("คะแนนเมื่อไม่ผ่าน"))
    return quantize5(pass_score if passed else fail_score)


def score_rubric(level_score: Decimal) -> Decimal:
    """The chosen rubric level's score, checked to be on the 1–5 scale."""
    return quantize5(_check_on_scale(level_score, _("คะแนนของระดับ")))


@dataclass(frozen=True)
class Band:
    """A named score range, inclusive at both ends, read at the precision its bounds are written in."""

    name: str
    low: Decimal
    high: Decimal

    def __post_init__(self) -> None:
        low = _dec(self.low, "low")
        high = _dec(self.high, "high")
        if low > high:
            raise ValueError(_("ช่วงระดับ “%(name)s”: ค่าต่ำสุดมากกว่าค่าสูงสุด") % {"name": self.name})

    def contains(self, score: Decimal) -> bool:
        """Whether score, rounded to the bounds' decimals, lies in [low, high]."""
        # PMQA writes 3.0000–3.9999 and 4.0000–4.9999; a stored 3.99996 shows as 4.0000 and must be
        # Advance, not fall into the gap between the two bands.
        places = min(self.low.as_tuple().exponent, self.high.as_tuple().exponent, 0)
        with decimal.localcontext(_context()):
            shown = score.quantize(Decimal(1).scaleb(places), rounding=ROUND_HALF_UP)
        return self.low <= shown <= self.high


PMQA_BANDS: tuple[Band, ...] = (
    Band("Basic", Decimal("3.0000"), Decimal("3.9999")),
    Band("Advance", Decimal("4.0000"), Decimal("4.9999")),
    Band("Significance", Decimal("5.0000"), Decimal("5.0000")),
)


@dataclass(frozen=True)
class DerivedScore:
    """A derived indicator's score and the band it falls in (None when it is in no band)."""

    score: Decimal
    band: str | None


def score_derived(
    components: Sequence[tuple[Decimal, Decimal]], *, bands: Sequence[Band] | None = None
) -> DerivedScore:
    """Weighted average of (score, weight) components, with the first band that contains it."""
    score = weighted_average(components)
    band = next((b.name for b in bands or () if b.contains(score)), None)
    return DerivedScore(score=score, band=band)


BAND_PLACES = Decimal("0.0001")


def bands_from_levels(levels: Iterable[tuple[str, Decimal]]) -> tuple[Band, ...]:
    """The bands of levels given as (name, score): each level up to just below the next, at four decimals.

    PMQA category 4 (seed 004) writes exactly these: with levels scoring 3, 4 and 5 the bands are
    Basic 3.0000–3.9999, Advance 4.0000–4.9999 and Significance 5.0000; a level scoring 1 below them
    gets 1.0000–2.9999. The highest level reaches the top of the scale.
    """
    ordered = sorted(((name, _dec(score, "level score")) for name, score in levels), key=lambda item: item[1])
    bands = []
    for index, (name, score) in enumerate(ordered):
        high = ordered[index + 1][1] - BAND_PLACES if index + 1 < len(ordered) else max(score, SCALE_MAX)
        bands.append(Band(name, score.quantize(BAND_PLACES), high.quantize(BAND_PLACES)))
    return tuple(bands)


@dataclass(frozen=True)
class LevelScore:
    """A derived indicator's weighted average, the level it falls in and that level's score (None: in no level)."""

    weighted: Decimal
    level: str | None
    score: Decimal | None


def score_derived_level(components: Sequence[tuple[Decimal, Decimal]],
                        levels: Sequence[tuple[str, Decimal]]) -> LevelScore:
    """A derived indicator scored by its level: the weighted average of its sources, mapped onto the levels.

    PMQA category 4: 70 % KPI 4.1.2 + 30 % KPI 8 = 3.8 is Basic, so the category scores 3 (Basic's score),
    as every self-assessed item scores its level. Without levels the weighted average is the score.
    """
    if not levels:
        # No levels to map onto: the weighted average itself is the score.
        weighted = weighted_average(components)
        return LevelScore(weighted, None, weighted)
    derived = score_derived(components, bands=bands_from_levels(levels))
    scores = {name: _dec(score, "level score") for name, score in levels}
    return LevelScore(derived.score, derived.band, None if derived.band is None else quantize5(scores[derived.band]))


@dataclass
class ScoreNode:
    """A node of the weighted tree: a leaf carries a score, a group scores from its children."""

    key: str
    weight: Decimal
    score: Decimal | None = None
    children: list[ScoreNode] = field(default_factory=list)
    active: bool = True
    # A derived leaf (PMQA category 4) scores from other nodes of the tree, weighted, mapped onto its levels
    # (name, score); its own ``score`` is then not read.
    sources: list[tuple[ScoreNode, Decimal]] = field(default_factory=list)
    levels: tuple[tuple[str, Decimal], ...] = ()


def tree_score(node: ScoreNode) -> Decimal | None:
    """The node's score: a leaf's own, a group's weighted average over active scored children; None if none.

    A derived leaf scores the level its sources' weighted average falls in; None while a source has no score.
    """
    if not node.active:
        return None
    if node.sources:
        found = [(tree_score(source), _dec(weight, f"weight of {source.key}")) for source, weight in node.sources]
        if any(score is None for score, _weight in found) or sum(weight for _score, weight in found) == 0:
            return None
        return score_derived_level(found, node.levels).score
    if not node.children:
        return None if node.score is None else _dec(node.score, f"score of {node.key}")
    scored = []
    for child in node.children:
        child_score = tree_score(child)
        if child_score is not None:
            scored.append((child_score, _dec(child.weight, f"weight of {child.key}")))
    # Dropping children and averaging over the rest is exactly renormalising their weights.
    if not scored or sum(weight for _score, weight in scored) == 0:
        return None
    return weighted_average(scored)


def renormalise(weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Weights scaled to sum to 100, to five decimals (the sum may differ from 100 by rounding only)."""
    values = {key: _dec(weight, f"weight of {key}") for key, weight in weights.items()}
    if not values:
        return {}
    for key, weight in values.items():
        if weight < 0:
            raise ValueError(_("น้ำหนักของ %(key)s ต้องไม่ติดลบ (ได้ %(weight)s)") % {"key": key, "weight": weight})
    with decimal.localcontext(_context()):
        total = sum(values.values(), Decimal(0))
        if total == 0:
            raise ValueError(_("น้ำหนักรวมเป็นศูนย์ จึงปรับสัดส่วนน้ำหนักไม่ได้"))
        return {key: quantize5(weight * _HUNDRED / total) for key, weight in values.items()}


# --- A framework's tree scored from sums --------------------------------------------------------------
# A score (5 decimals) times a weight (4 decimals) has 9. PostgreSQL sums them exactly; SQLite sums in
# floating point, and rounding what it gives to these places (``read_sums``) gives back the exact sum: its
# float error is far below 1e-9.
_NINE_PLACES = Decimal("1e-9")
_FOUR_PLACES = Decimal("1e-4")


def read_sums(sw: Decimal, w: Decimal) -> tuple[Decimal, Decimal]:
    """One row of ``reports.common.TreeScorer.leaf_sums`` to its exact places (see ``_PRODUCT``)."""
    return (sw.quantize(_NINE_PLACES, rounding=decimal.ROUND_HALF_UP),
            w.quantize(_FOUR_PLACES, rounding=decimal.ROUND_HALF_UP))


def leaf_parents(node: ScoreNode):
    """(parent, leaf) for every leaf indicator under ``node``."""
    for child in node.children:
        if child.children:
            yield from leaf_parents(child)
        elif child.key.startswith("i"):
            yield node, child


def score_from_sums(node: ScoreNode, sums: dict[str, tuple[Decimal, Decimal]]) -> Decimal | None:
    """``tree_score`` of ``node`` with its leaves' terms already summed: the same weighted average, exactly.

    ``weighted_average`` adds score·weight and weight at full precision and rounds only the quotient to five
    decimals, so adding the leaves' sums first and the scored inner children's terms after gives the same
    number.
    """
    if not node.active:
        return None
    found = node.key in sums
    total, total_weight = sums.get(node.key, (Decimal(0), Decimal(0)))
    with decimal.localcontext(_context()):
        for child in node.children:
            if child.children:
                score = score_from_sums(child, sums)
                if score is not None:
                    total += score * child.weight
                    total_weight += child.weight
                    found = True
        if not found or total_weight == 0:
            return None
        return quantize5(total / total_weight)


def walk_score(node: ScoreNode):
    """The node and every node under it, depth first."""
    yield node
    for child in node.children:
        yield from walk_score(child)


def node_results(root: ScoreNode) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """Each node's score (``tree_score``) and its share of the overall score (a fraction, exact).

    The share is the node's weight over the weights of its scored siblings, times its parent's share:
    the renormalised weight. A node that drops out (inactive, or nothing scored under it) has no share.
    """
    results: dict[str, tuple[Decimal | None, Decimal | None]] = {}

    def visit(node: ScoreNode, share: Decimal | None) -> None:
        score = tree_score(node)
        results[node.key] = (score, share if score is not None else None)
        if not node.children:
            return
        scored = [(child, tree_score(child)) for child in node.children]
        total = sum((child.weight for child, s in scored if s is not None), Decimal(0))
        for child, child_score in scored:
            child_share = None
            if child_score is not None and total and share is not None:
                with decimal.localcontext(_context()):
                    child_share = share * child.weight / total
            visit(child, child_share)

    visit(root, Decimal(1))
    return results

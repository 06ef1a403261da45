"""The formula language: exact Decimal arithmetic, a strict whitelist, Thai errors, no silent zeros."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.formula import Computed, FormulaError, NotComputable, parse_formula

D = Decimal
VARIABLES = {"A", "B", "C", "C1"}


def value(text: str, **values: Decimal | None) -> Computed | NotComputable:
    return parse_formula(text, variables=VARIABLES).evaluate(values)


def test_percentage_of_target_is_exact():
    formula = parse_formula("A / B * 100", variables=VARIABLES)
    assert formula.text == "A / B * 100"
    assert formula.variables_used == frozenset({"A", "B"})
    assert formula.evaluate({"A": D(45), "B": D(50)}) == Computed(D(90))


@pytest.mark.parametrize(
    ("text", "expected"), [("A ÷ B × 100", D(90)), ("A÷B×100", D(90)), ("(A − 5) ÷ (B − 10) × 100", D(100))]
)
def test_typographic_symbols(text, expected):
    assert value(text, A=D(45), B=D(50)) == Computed(expected)


def test_typographic_minus_is_unary_and_binary():
    assert value("−A − B", A=D(1), B=D(2)) == Computed(D(-3))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", D(7)),
        ("(1 + 2) * 3", D(9)),
        ("10 - 4 - 3", D(3)),
        ("100 / 10 / 2", D(5)),
        ("-2 * 3", D(-6)),
        ("+2 - -3", D(5)),
        ("-(A + B)", D(-5)),
        ("A * (B - C1) / 2", D(-3)),
        ("0.1 + 0.2", D("0.3")),
        ("1 / 3 * 3", D("0.9999999999999999999999999999999999")),
        (".5 + 1.", D("1.5")),
    ],
)
def test_precedence_and_parentheses(text, expected):
    result = value(text, A=D(2), B=D(3), C1=D(6))
    assert isinstance(result, Computed)
    assert result.value == expected


def test_float_looking_literals_are_exact_decimals():
    result = value("0.1 + 0.2")
    assert result == Computed(D("0.3"))
    assert result.value == D("0.3") and str(result.value) == "0.3"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("min(A, B, 7)", D(2)),
        ("max(A)", D(2)),
        ("max(A, B) * 2", D(6)),
        ("round(A / B, 2)", D("0.67")),
        ("round(2.5)", D(3)),
        ("round(-2.5)", D(-3)),
        ("round(1.005, 2)", D("1.01")),
        ("round(A / B, 0)", D(1)),
        ("abs(A - B)", D(1)),
        ("abs(min(-A, -B))", D(3)),
    ],
)
def test_functions(text, expected):
    assert value(text, A=D(2), B=D(3)) == Computed(expected)


def test_unknown_variable_is_named_with_the_available_ones():
    with pytest.raises(FormulaError) as excinfo:
        parse_formula("A / X * 100", variables={"A", "B"})
    message = str(excinfo.value)
    assert "“X”" in message and "A, B" in message


def test_variables_are_case_sensitive():
    with pytest.raises(FormulaError, match="“a”"):
        parse_formula("a + 1", variables={"A"})


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "A.real",
        "A**2",
        "A if B else C",
        '"x"',
        "A[0]",
        "lambda: 1",
        "open('f')",
        "A < B",
        "min(A, key=B)",
        "min(*A)",
        "",
        "   ",
        "A % 2",
        "A // 2",
        "A @ B",
        "A and B",
        "not A",
        "True",
        "None",
        "(A, B)",
        "[A]",
        "1e3",
        "0x10",
        "1_000",
        "1j",
        "A # comment",
        "A; B",
        "A +",
        "min",
        "abs()",
        "abs(A, B)",
        "round(A, B)",
        "round(A, 11)",
        "round(A, 1.5)",
        "round(A, 2, 3)",
        "min()",
        "sum(A, B)",
        "Ａ + 1",
        "A\x00",
        "1" + "0" * 500,
        "-" * 400 + "1",
    ],
)
def test_forbidden_text_is_a_formula_error(text):
    with pytest.raises(FormulaError) as excinfo:
        parse_formula(text, variables=VARIABLES)
    assert str(excinfo.value)


def test_forbidden_construct_message_is_thai_and_lists_what_is_allowed():
    with pytest.raises(FormulaError) as excinfo:
        parse_formula("A ** 2", variables={"A"})
    assert "ใช้ได้เฉพาะตัวเลข ตัวแปร + − × ÷ วงเล็บ และฟังก์ชัน min, max, round, abs" in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "position"), [("A + B )", 7), ("A + B +", 7), ("(A + B", 1), ("A × * B", 5)]
)
def test_syntax_error_names_the_position(text, position):
    with pytest.raises(FormulaError, match=f"^สูตรผิดรูปแบบใกล้ตำแหน่งที่ {position}$"):
        parse_formula(text, variables={"A", "B"})


def test_formula_error_is_a_value_error():
    assert issubclass(FormulaError, ValueError)


def test_division_by_zero_is_not_computable():
    result = value("A / B * 100", A=D(45), B=D(0))
    assert result == NotComputable("หารด้วยศูนย์: ตัวหารเป็น 0")


def test_missing_values_are_listed_sorted():
    result = value("C + B + A", A=D(1), B=None)
    assert result == NotComputable("ยังไม่มีค่าตัวแปร B, C")


def test_overflow_is_not_computable():
    result = value("round(A, 10)", A=D("1e40"))
    assert isinstance(result, NotComputable) and result.reason


@pytest.mark.parametrize(("text", "values"), [
    ("round(A, 10)", {"A": D("1e40")}),  # 51 digits to round: more than the context's 34
    ("round(A * B * C)", {"A": D("999999999999999")} | {"B": D("999999999999999"), "C": D("999999999999999")}),
    ("A * A", {"A": D("1e600000")}),  # beyond the exponent's range
])
def test_a_number_beyond_decimal_arithmetic_is_marked_too_large(text, values):
    """Reporting refuses such values at input rather than keeping a "cannot be computed" entry."""
    result = value(text, **values)
    assert isinstance(result, NotComputable) and result.too_large


def test_a_result_still_to_come_is_not_too_large():
    assert not value("A / B", A=D(1), B=D(0)).too_large
    assert not value("A / B", A=D(1), B=None).too_large


def test_float_values_are_refused():
    with pytest.raises(TypeError):
        value("A + 1", A=0.1)


def test_unused_values_are_ignored():
    assert value("A + 1", A=D(1), B=None, Z=D(9)) == Computed(D(2))


def test_formula_without_variables():
    formula = parse_formula("2 × 3", variables=())
    assert formula.variables_used == frozenset()
    assert formula.evaluate({}) == Computed(D(6))


# Property tests ------------------------------------------------------------------------------------

NAMES = ["A", "B", "C"]
numbers = st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, allow_infinity=False, places=3)
leaves = st.one_of(st.sampled_from(NAMES), numbers.map(lambda d: str(abs(d))))


def combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda p: f"({p[0]} + {p[1]})"),
        pair.map(lambda p: f"({p[0]} − {p[1]})"),
        pair.map(lambda p: f"{p[0]} × {p[1]}"),
        pair.map(lambda p: f"({p[0]}) ÷ ({p[1]})"),
        pair.map(lambda p: f"{p[0]} / {p[1]}"),
        pair.map(lambda p: f"min({p[0]}, {p[1]})"),
        pair.map(lambda p: f"max({p[0]}, {p[1]})"),
        children.map(lambda c: f"-({c})"),
        children.map(lambda c: f"abs({c})"),
        st.tuples(children, st.integers(0, 10)).map(lambda p: f"round({p[0]}, {p[1]})"),
    )


expressions = st.recursive(leaves, combine, max_leaves=25).filter(lambda text: len(text) <= 500)
values_strategy = st.fixed_dictionaries(
    {
        name: st.one_of(st.none(), st.just(D(0)), numbers, st.decimals(allow_nan=False, allow_infinity=False))
        for name in NAMES
    }
)


@settings(max_examples=300)
@given(expressions, values_strategy)
def test_whitelisted_expressions_evaluate_or_explain_but_never_raise(text, values):
    formula = parse_formula(text, variables=NAMES)
    result = formula.evaluate(values)
    if isinstance(result, Computed):
        assert isinstance(result.value, Decimal) and result.value.is_finite()
    else:
        assert isinstance(result, NotComputable) and result.reason


FORBIDDEN = [
    "{e} ** 2",
    "({e}).real",
    "({e})[0]",
    "{e} if A else B",
    "{e} < A",
    "{e} == A",
    "{e} % 2",
    "{e} // 2",
    "open({e})",
    "__import__({e})",
    "min({e}, key=A)",
    "lambda: {e}",
    "[{e}]",
    "({e}, A)",
    "{e} and A",
    "not {e}",
    "'{e}'",
    "f'{{{e}}}'",
    "{e}; A",
    "({e}) + os.system",
    "round({e}, A)",
    "round({e}, -1)",
    "round({e}, 11)",
    "abs({e}, A)",
    "D + {e}",
    "{e} +",
    "({e}",
    "(A := {e})",
    "{e} 1e5",
    "*{e}",
]


@given(st.sampled_from(FORBIDDEN), expressions.filter(lambda text: len(text) <= 400))
def test_forbidden_constructs_raise_formula_error_only(template, expression):
    with pytest.raises(FormulaError):
        parse_formula(template.format(e=expression), variables=NAMES)


@given(st.text(max_size=80))
def test_arbitrary_text_parses_or_raises_formula_error_only(text):
    try:
        parse_formula(text, variables=NAMES)
    except FormulaError:
        pass

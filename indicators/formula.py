"""A safe, exact formula language for quantitative indicators (no eval, Decimal only).

A formula such as ``A / B × 100`` is parsed once with :func:`parse_formula`, checked against the
indicator's variable codes, and evaluated against entered values with :meth:`Formula.evaluate`.
See docs/scoring.md for the language and the "cannot be computed" reasons.
"""

from __future__ import annotations

import ast
import decimal
import re
import warnings
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

__all__ = [
    "MAX_LENGTH",
    "FUNCTIONS",
    "Computed",
    "Formula",
    "FormulaError",
    "NotComputable",
    "parse_formula",
]

MAX_LENGTH = 500
FUNCTIONS = ("min", "max", "round", "abs")
MAX_ROUND_DIGITS = 10
# Python's own parser refuses far deeper nesting than this, but our evaluator recurses per level,
# so the limit keeps a 500-character formula comfortably inside the interpreter's stack.
MAX_DEPTH = 200

# Users paste from Word/Excel, which writes the typographic signs.
_SYMBOLS = str.maketrans({"×": "*", "÷": "/", "−": "-", "–": "-"})
_NUMBER = re.compile(r"\d+(\.\d*)?|\.\d+", re.ASCII)
_INTEGER = re.compile(r"\d+", re.ASCII)
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
# 34 digits (IEEE decimal128) is well above the 28 the scores need, so rounding to five decimals at
# the end is the only rounding anyone can see.
_CONTEXT = decimal.Context(
    prec=34,
    rounding=ROUND_HALF_UP,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


def _allowed_help() -> str:
    return _("ใช้ได้เฉพาะตัวเลข ตัวแปร + − × ÷ วงเล็บ และฟังก์ชัน min, max, round, abs")


class FormulaError(ValueError):
    """A formula the language does not accept; the message is Thai and names the problem."""


@dataclass(frozen=True)
class Computed:
    """The exact value of a formula."""

    value: Decimal


@dataclass(frozen=True)
class NotComputable:
    """Why a formula has no value (yet); shown to the user instead of a misleading zero.

    ``too_large``: the values give a number beyond what decimal arithmetic holds (more than 34 digits to
    round, or an exponent overflow). Such values are a typing mistake, not a result still to come:
    reporting refuses them at input (reporting.compute.result_refusal).
    """

    reason: str
    too_large: bool = False


class _Unavailable(Exception):
    """Unwinds evaluation to a NotComputable without letting it escape evaluate()."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# The compiled tree: small immutable nodes, so a Formula can be shared and hashed safely.
@dataclass(frozen=True)
class _Num:
    value: Decimal

    def run(self, values: Mapping[str, Decimal]) -> Decimal:
        return self.value


@dataclass(frozen=True)
class _Var:
    name: str

    def run(self, values: Mapping[str, Decimal]) -> Decimal:
        return values[self.name]


@dataclass(frozen=True)
class _Neg:
    operand: _Node

    def run(self, values: Mapping[str, Decimal]) -> Decimal:
        return _CONTEXT.minus(self.operand.run(values))


@dataclass(frozen=True)
class _Bin:
    op: str
    left: _Node
    right: _Node

    def run(self, values: Mapping[str, Decimal]) -> Decimal:
        left = self.left.run(values)
        right = self.right.run(values)
        if self.op == "+":
            return _CONTEXT.add(left, right)
        if self.op == "-":
            return _CONTEXT.subtract(left, right)
        if self.op == "*":
            return _CONTEXT.multiply(left, right)
        if right == 0:
            raise _Unavailable(_("หารด้วยศูนย์: ตัวหารเป็น 0"))
        return _CONTEXT.divide(left, right)


@dataclass(frozen=True)
class _Call:
    function: str
    args: tuple[_Node, ...]
    digits: int = 0

    def run(self, values: Mapping[str, Decimal]) -> Decimal:
        args = [arg.run(values) for arg in self.args]
        if self.function == "min":
            return min(args)
        if self.function == "max":
            return max(args)
        if self.function == "abs":
            return _CONTEXT.abs(args[0])
        return args[0].quantize(Decimal(1).scaleb(-self.digits), rounding=ROUND_HALF_UP, context=_CONTEXT)


_Node = _Num | _Var | _Neg | _Bin | _Call


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text, the variables it reads, and evaluate() for a set of values."""

    text: str
    variables_used: frozenset[str]
    _root: _Node = field(repr=False, compare=False)

    def evaluate(self, values: Mapping[str, Decimal | None]) -> Computed | NotComputable:
        """The exact value for these variable values, or why there is none; never raises on data."""
        missing = sorted(name for name in self.variables_used if values.get(name) is None)
        if missing:
            return NotComputable(_("ยังไม่มีค่าตัวแปร %(names)s") % {"names": ", ".join(missing)})
        known: dict[str, Decimal] = {}
        for name in sorted(self.variables_used):
            value = _as_decimal(values[name], name)
            if not value.is_finite():
                return NotComputable(_("ค่าตัวแปร %(name)s ไม่ใช่ตัวเลข") % {"name": name})
            known[name] = value
        try:
            result = self._root.run(known)
        except _Unavailable as exc:
            return NotComputable(exc.reason)
        except decimal.Overflow:
            return NotComputable(_("ผลลัพธ์มีขนาดใหญ่เกินกว่าจะคำนวณได้"), too_large=True)
        except (decimal.InvalidOperation, decimal.DivisionByZero):
            return NotComputable(_("คำนวณไม่ได้: ผลลัพธ์มีจำนวนหลักเกินกว่าที่ระบบรองรับ"), too_large=True)
        return Computed(result)


def _as_decimal(value: object, name: str) -> Decimal:
    # bool is an int, and a stray True in a form's cleaned data must not become 1 silently.
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"value of {name!r} must be Decimal, not {type(value).__name__}")


def parse_formula(text: str, *, variables: Collection[str]) -> Formula:
    """Parse and check a formula over the given variable codes; raises FormulaError (Thai) if not allowed."""
    if not isinstance(text, str):
        raise TypeError(f"formula must be str, not {type(text).__name__}")
    if not text.strip():
        raise FormulaError(_("กรุณากรอกสูตรคำนวณ"))
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            _("สูตรยาวเกิน %(max)d ตัวอักษร (มี %(length)d ตัวอักษร)") % {"max": MAX_LENGTH, "length": len(text)}
        )
    source = text.translate(_SYMBOLS)
    for position, char in enumerate(source, start=1):
        # Checked before Python's parser sees the text, so quotes, brackets, comments and the like are
        # refused with the character named instead of a parser message about Python.
        if not (char in " \t\r\n+-*/().," or char.isidentifier() or ("a" + char).isidentifier()):
            raise FormulaError(
                _("ใช้อักขระ “%(char)s” ในสูตรไม่ได้ (ตำแหน่งที่ %(pos)d) — %(help)s")
                % {"char": text[position - 1], "pos": position, "help": _allowed_help()}
            )
    try:
        # "1if A else B" makes the parser warn; the whitelist refuses it anyway, and a warning turned
        # into an error by a test or server setting must not escape as something other than FormulaError.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(
            _("สูตรผิดรูปแบบใกล้ตำแหน่งที่ %(pos)d") % {"pos": _syntax_position(source, exc)}
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise FormulaError(_("สูตรผิดรูปแบบ")) from None
    compiler = _Compiler(text, source, frozenset(variables))
    root = compiler.compile(tree.body, depth=0)
    return Formula(text=text, variables_used=frozenset(compiler.used), _root=root)


def _syntax_position(source: str, exc: SyntaxError) -> int:
    lines = source.splitlines(keepends=True)
    line = min(max(exc.lineno or 1, 1), max(len(lines), 1))
    if not exc.offset or exc.offset < 1:
        # The parser reports offset 0 when the text ends too early ("A +").
        return len(source)
    position = sum(len(part) for part in lines[: line - 1]) + exc.offset
    return min(max(position, 1), len(source))


class _Compiler:
    """Turns a Python AST into _Node objects, refusing every construct outside the whitelist."""

    def __init__(self, text: str, source: str, variables: frozenset[str]) -> None:
        self.text = text
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.variables = variables
        self.used: set[str] = set()

    def compile(self, node: ast.AST, *, depth: int) -> _Node:
        if depth > MAX_DEPTH:
            raise FormulaError(_("สูตรซ้อนกันลึกเกินไป"))
        depth += 1
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _Bin(
                _OPERATORS[type(node.op)],
                self.compile(node.left, depth=depth),
                self.compile(node.right, depth=depth),
            )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return _Neg(self.compile(node.operand, depth=depth))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return self.compile(node.operand, depth=depth)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return _Num(self.number(node))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            return self.name(node)
        if isinstance(node, ast.Call):
            return self.call(node, depth=depth)
        raise self.forbidden(node)

    def segment(self, node: ast.AST) -> str:
        """The node's text as the user typed it (with × ÷ −)."""
        start = self.offset(node.lineno, node.col_offset)
        end = self.offset(node.end_lineno, node.end_col_offset)
        return self.text[start:end]

    def offset(self, lineno: int | None, col_offset: int | None) -> int:
        # The AST counts UTF-8 bytes from the start of the node's own line; Thai users count characters.
        line_start = sum(len(part) for part in self.lines[: (lineno or 1) - 1])
        line = self.lines[(lineno or 1) - 1] if self.lines else ""
        return line_start + len(line.encode("utf-8")[: col_offset or 0].decode("utf-8", errors="ignore"))

    def position(self, node: ast.AST) -> int:
        return self.offset(node.lineno, node.col_offset) + 1

    def forbidden(self, node: ast.AST) -> FormulaError:
        part = self.segment(node) if hasattr(node, "col_offset") else ""
        return FormulaError(
            _("“%(part)s” ใช้ในสูตรไม่ได้ (ตำแหน่งที่ %(pos)d) — %(help)s")
            % {"part": part, "pos": self.position(node) if part else 1, "help": _allowed_help()}
        )

    def number(self, node: ast.Constant) -> Decimal:
        # The literal's own text goes to Decimal, so 0.1 is exactly one tenth, never a binary float.
        literal = self.segment(node)
        if not _NUMBER.fullmatch(literal):
            raise self.forbidden(node)
        return Decimal(literal)

    def name(self, node: ast.Name) -> _Var:
        # Python folds look-alike letters (NFKC); the code must match exactly what was typed.
        if self.segment(node) != node.id:
            raise self.forbidden(node)
        if node.id not in self.variables:
            raise FormulaError(
                _("ไม่รู้จักตัวแปร “%(name)s” (มีตัวแปร: %(available)s)")
                % {"name": node.id, "available": ", ".join(sorted(self.variables)) or "—"}
            )
        self.used.add(node.id)
        return _Var(node.id)

    def call(self, node: ast.Call, *, depth: int) -> _Call:
        func = node.func
        if not (
            isinstance(func, ast.Name)
            and func.id in FUNCTIONS
            and self.segment(func) == func.id
            and not node.keywords
            and not any(isinstance(arg, ast.Starred) for arg in node.args)
        ):
            raise self.forbidden(node)
        name = func.id
        count = len(node.args)
        if name in ("min", "max") and count >= 1 or name == "abs" and count == 1:
            return _Call(name, tuple(self.compile(arg, depth=depth) for arg in node.args))
        if name == "round" and count in (1, 2):
            digits = self.round_digits(node.args[1]) if count == 2 else 0
            return _Call(name, (self.compile(node.args[0], depth=depth),), digits)
        raise FormulaError(
            _("จำนวนค่าในฟังก์ชัน %(name)s ไม่ถูกต้อง (ตำแหน่งที่ %(pos)d): %(usage)s")
            % {
                "name": name,
                "pos": self.position(node),
                "usage": {
                    "min": "min(ค่า, ค่า, …)",
                    "max": "max(ค่า, ค่า, …)",
                    "abs": "abs(ค่า)",
                    "round": "round(ค่า) หรือ round(ค่า, จำนวนทศนิยม)",
                }[name],
            }
        )

    def round_digits(self, node: ast.AST) -> int:
        literal = self.segment(node) if isinstance(node, ast.Constant) and type(node.value) is int else ""
        if not _INTEGER.fullmatch(literal) or int(literal) > MAX_ROUND_DIGITS:
            raise FormulaError(
                _("จำนวนทศนิยมใน round ต้องเป็นจำนวนเต็ม 0 ถึง %(max)d (ตำแหน่งที่ %(pos)d)")
                % {"max": MAX_ROUND_DIGITS, "pos": self.position(node)}
            )
        return int(literal)

"""The apps' layering as the code keeps it: imports at the top of each module, one way.

``make lint`` checks the direction with import-linter ([tool.importlinter] in pyproject.toml); this test
checks what import-linter cannot see: an import hidden inside a function, which lets a module lean on a
higher app or on a circular import without anyone noticing. Such an import stays only where a comment on
its line, or the line above, says why it must be lazy.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(p.parent.name for p in ROOT.glob("*/apps.py"))
WHY_LAZY = re.compile(r"#.*\b(lazy|Lazy)\b")


def hidden_imports(source: str) -> list[tuple[int, str]]:
    """(line, text) of every import not at the top level of the module, nor explained as lazy."""
    tree = ast.parse(source)
    lines = source.splitlines()
    top = {id(node) for node in tree.body}
    for node in tree.body:  # `if TYPE_CHECKING:` at the top: names for annotations, never run
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            top |= {id(inner) for inner in node.body}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or id(node) in top:
            continue
        text = lines[node.lineno - 1]
        if WHY_LAZY.search(text) or _explained_above(lines, node.lineno - 1):
            continue
        found.append((node.lineno, text.strip()))
    return found


def _explained_above(lines: list[str], index: int) -> bool:
    """A comment right above the import, or above the block of imports it belongs to."""
    index -= 1
    while index >= 0 and lines[index].strip().startswith(("from ", "import ")):
        index -= 1
    return index >= 0 and bool(WHY_LAZY.search(lines[index]))


def product_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_the_product_is_every_app():
    assert {"krs", "indicators", "reporting", "attachments", "reports", "certification", "api"} <= set(APPS)


@pytest.mark.parametrize("path", list(product_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_import_hides_inside_a_function(path):
    assert hidden_imports(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_an_import_inside_a_function_and_accepts_an_explained_one():
    hidden = "def f():\n    from reporting.selectors import x\n    return x\n"
    explained = ("def f():\n    # Lazy: the app registry is not ready yet.\n    from reporting.models import Entry\n"
                 "    from reporting.services import save\n")
    typing_only = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from krs.models import User\n"
    conditional = "try:\n    import zoneinfo\nexcept ImportError:\n    pass\n"
    assert hidden_imports(hidden) == [(2, "from reporting.selectors import x")]
    assert hidden_imports(explained) == []
    assert hidden_imports(typing_only) == []
    assert hidden_imports(conditional) == [(2, "import zoneinfo")]

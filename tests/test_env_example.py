""".env.example declares every environment variable the code reads, and nothing the code does not read.

The reads are found in the syntax tree, not by searching text, so a name in a comment or a docstring
counts for nothing: ``krs.env.Env`` readers on an ``Env()`` of the process environment, and
``os.environ`` / ``os.getenv`` reads. Scanned: every top-level app (a folder with ``apps.py``), the
top-level scripts, ``bench/``, ``tests/`` and the CI scripts in ``.ci/`` (Python by its syntax tree,
shell by its ``$NAME`` uses). ``docs/examples/`` is left out on purpose: those scripts are API clients
run elsewhere, with their own variables documented in docs/api.md.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from krs.env import Env

ROOT = Path(__file__).resolve().parents[1]
ENV_EXAMPLE = ROOT / ".env.example"
READERS = {name for name in vars(Env) if not name.startswith("_")}
# NAME=value, or #NAME=value (no space) for a variable declared but not set: the tests and CI section.
DECLARATION = re.compile(r"^#?([A-Z][A-Z0-9_]*)=")
TESTS_SECTION = "# --- tests and CI"
# The shell's and the system's own variables, which a script may use without their being settings.
SYSTEM = {"HOME", "PATH", "PWD", "USER", "SHELL", "TMPDIR", "LANG"}


def app_packages() -> list[Path]:
    return sorted(path.parent for path in ROOT.glob("*/apps.py"))


def python_sources() -> list[Path]:
    folders = (*app_packages(), ROOT / "bench", ROOT / "tests")
    files = [path for folder in folders for path in folder.rglob("*.py")]
    files += ROOT.glob("*.py")
    files += [path for path in (ROOT / ".ci").iterdir() if _shebang(path) == "python"]
    return sorted(files)


def shell_sources() -> list[Path]:
    return sorted(path for path in (ROOT / ".ci").iterdir() if _shebang(path) == "shell")


def _shebang(path: Path) -> str | None:
    if path.suffix == ".py":
        return "python"
    first = path.read_text(encoding="utf-8").partition("\n")[0] if path.is_file() else ""
    if first.startswith("#!"):
        if "python" in first:
            return "python"
        if first.rstrip().endswith(("bash", "sh")):
            return "shell"
    return None


SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _own_nodes(scope: ast.AST):
    """The nodes of one scope, without the bodies of the functions defined inside it."""
    pending = list(ast.iter_child_nodes(scope))
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, SCOPES):
            pending.extend(ast.iter_child_nodes(node))


class EnvironmentReads(ast.NodeVisitor):
    """Collects the names of environment variables one module reads.

    ``names`` maps each name to its line numbers; ``unnamed`` holds the lines of reads whose name is
    not a string literal (they cannot be checked, so they are refused). Writes are not reads:
    ``os.environ[...] = …``, ``del``, and ``os.environ.setdefault(...)`` used as a statement (it gives
    Django its settings module, for one); ``Env({...})`` over a mapping of its own is not the environment.
    """

    def __init__(self) -> None:
        self.names: dict[str, list[int]] = defaultdict(list)
        self.unnamed: list[int] = []
        self.os_names: set[str] = set()  # what `import os` is bound to
        self.environ_names: set[str] = set()  # `from os import environ`
        self.getenv_names: set[str] = set()  # `from os import getenv`
        self.scopes: list[set[str]] = []  # per scope, the names bound to an Env() of the environment
        self.bare_setdefault: set[int] = set()  # ids of setdefault calls whose result is thrown away

    # Bindings -------------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "os":
                self.os_names.add(alias.asname or "os")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "os":
            for alias in node.names:
                if alias.name == "environ":
                    self.environ_names.add(alias.asname or "environ")
                elif alias.name == "getenv":
                    self.getenv_names.add(alias.asname or "getenv")

    def _visit_scope(self, node: ast.AST) -> None:
        bound: set[str] = set()
        for child in _own_nodes(node):
            if isinstance(child, ast.Assign) and self._is_environment_env(child.value):
                bound.update(target.id for target in child.targets if isinstance(target, ast.Name))
            if isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name):
                if child.value is not None and self._is_environment_env(child.value):
                    bound.add(child.target.id)
        self.scopes.append(bound)
        self.generic_visit(node)
        self.scopes.pop()

    visit_Module = visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _visit_scope

    # What is the environment ----------------------------------------------------------------------
    def _is_os_environ(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.environ_names
        return (isinstance(node, ast.Attribute) and node.attr == "environ"
                and isinstance(node.value, ast.Name) and node.value.id in self.os_names)

    def _is_environment_env(self, node: ast.AST) -> bool:
        """``Env()`` or ``Env(os.environ)``: a reader of the process environment."""
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if getattr(func, "id", None) != "Env" and getattr(func, "attr", None) != "Env":
            return False
        source = self._first_argument(node, "environ")
        if source is None or isinstance(source, ast.Constant) and source.value is None:
            return True
        return self._is_os_environ(source)

    def _is_env_reader(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return any(node.id in bound for bound in reversed(self.scopes))
        return self._is_environment_env(node)

    # Reads ----------------------------------------------------------------------------------------
    def _record(self, name_node: ast.AST | None, line: int) -> None:
        if isinstance(name_node, ast.Constant) and isinstance(name_node.value, str):
            self.names[name_node.value].append(line)
        else:
            self.unnamed.append(line)

    @staticmethod
    def _first_argument(node: ast.Call, keyword: str) -> ast.AST | None:
        if node.args:
            return node.args[0]
        return next((kw.value for kw in node.keywords if kw.arg == keyword), None)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute):
            if node.value.func.attr == "setdefault" and self._is_os_environ(node.value.func.value):
                self.bare_setdefault.add(id(node.value))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            if self._is_os_environ(func.value) and func.attr in {"get", "pop", "setdefault"}:
                if id(node) not in self.bare_setdefault:
                    self._record(self._first_argument(node, "key"), node.lineno)
            elif func.attr == "getenv" and getattr(func.value, "id", None) in self.os_names:
                self._record(self._first_argument(node, "key"), node.lineno)
            elif func.attr in READERS and self._is_env_reader(func.value):
                self._record(self._first_argument(node, "name"), node.lineno)
        elif isinstance(func, ast.Name) and func.id in self.getenv_names:
            self._record(self._first_argument(node, "key"), node.lineno)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Load) and self._is_os_environ(node.value):
            self._record(node.slice, node.lineno)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn) and self._is_os_environ(right):
                self._record(node.left, node.lineno)
        self.generic_visit(node)


def reads_in_python(source: str) -> EnvironmentReads:
    reads = EnvironmentReads()
    reads.visit(ast.parse(source))
    return reads


SHELL_READ = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")
SHELL_ASSIGNMENT = re.compile(r"(?:^|[\s;(])(?:export\s+|local\s+|readonly\s+)?([A-Z][A-Z0-9_]*)=")
SHELL_LOOP = re.compile(r"\bfor\s+([A-Z][A-Z0-9_]*)\s+in\b")


def reads_in_shell(source: str) -> set[str]:
    """``$NAME`` / ``${NAME}`` uses of names the script does not set itself (comments skipped)."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))
    own = set(SHELL_ASSIGNMENT.findall(code)) | set(SHELL_LOOP.findall(code))
    return set(SHELL_READ.findall(code)) - own - SYSTEM


def variables_read() -> tuple[dict[str, list[str]], list[str]]:
    """Each variable the code reads with where (``path:line``), and the reads that name no variable."""
    where: dict[str, list[str]] = defaultdict(list)
    unnamed: list[str] = []
    for path in python_sources():
        relative = path.relative_to(ROOT)
        reads = reads_in_python(path.read_text(encoding="utf-8"))
        for name, lines in reads.names.items():
            where[name] += [f"{relative}:{line}" for line in lines]
        unnamed += [f"{relative}:{line}" for line in reads.unnamed]
    for path in shell_sources():
        for name in reads_in_shell(path.read_text(encoding="utf-8")):
            where[name].append(str(path.relative_to(ROOT)))
    return where, unnamed


def declared() -> list[str]:
    return [match[1] for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
            if (match := DECLARATION.match(line))]


def test_every_variable_the_code_reads_is_declared_in_env_example():
    where, _ = variables_read()
    missing = {name: places for name, places in where.items() if name not in set(declared())}
    assert not missing, f"read by the code but not declared in .env.example: {missing}"


def test_env_example_declares_no_variable_the_code_does_not_read():
    where, _ = variables_read()
    unread = [name for name in declared() if name not in where]
    assert not unread, f"declared in .env.example but read nowhere: {unread}"


def test_every_read_names_its_variable_literally():
    """A name computed at run time could not be checked against .env.example."""
    _, unnamed = variables_read()
    assert not unnamed, f"environment reads whose name is not a string literal: {unnamed}"


def test_env_example_declares_each_variable_once_under_a_comment():
    """Each declaration, or a group of them, sits under a comment that says what it does."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    names = declared()
    assert len(names) == len(set(names)), sorted({name for name in names if names.count(name) > 1})
    uncommented = []
    for number, line in enumerate(lines):
        if not DECLARATION.match(line):
            continue
        above = number - 1
        while above >= 0 and DECLARATION.match(lines[above]):
            above -= 1
        if above < 0 or not lines[above].startswith("#"):
            uncommented.append(line)
    assert not uncommented, f"declared with no comment above: {uncommented}"


def test_the_tests_and_ci_section_declares_without_setting():
    """A copy of the file for production sets none of the tests' variables, and every setting it has."""
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert TESTS_SECTION in text
    settings, tests = text.split(TESTS_SECTION)
    declarations = [line for line in settings.splitlines() if DECLARATION.match(line)]
    assert not [line for line in declarations if line.startswith("#")], "a setting is commented out"
    declarations = [line for line in tests.splitlines() if DECLARATION.match(line)]
    assert declarations and all(line.startswith("#") for line in declarations), "a test variable is set"


def test_the_scan_covers_every_app_and_the_scripts():
    apps = {path.name for path in app_packages()}
    assert {"krs", "indicators", "reporting", "attachments", "certification", "api"} <= apps
    scanned = {path.relative_to(ROOT).parts[0] for path in python_sources()}
    assert apps | {"bench", "tests", ".ci", "manage.py"} <= scanned
    assert ROOT / ".ci" / "run" in shell_sources()


class TestTheScanner:
    def test_it_finds_each_kind_of_read(self):
        reads = reads_in_python(
            "import os\n"
            "from os import environ as E, getenv\n"
            "from krs.env import Env\n"
            "env = Env()\n"
            "env.int('A_INT', 1, minimum=1)\n"
            "env.database(name='A_DB', default='sqlite:///x')\n"
            "Env(os.environ).list('A_LIST')\n"
            "os.environ.get('B_GET')\n"
            "os.environ['B_ITEM']\n"
            "'B_IN' in os.environ\n"
            "os.getenv('B_GETENV')\n"
            "E.pop('C_POP', None)\n"
            "getenv('C_GETENV')\n"
            "value = os.environ.setdefault('C_USED', '1')\n"
            "def f():\n"
            "    return env.bool('D_NESTED', True)\n"
        )
        assert set(reads.names) == {"A_INT", "A_DB", "A_LIST", "B_GET", "B_ITEM", "B_IN", "B_GETENV", "C_POP",
                                    "C_GETENV", "C_USED", "D_NESTED"}
        assert reads.unnamed == []

    def test_it_ignores_writes_comments_and_readers_of_other_mappings(self):
        reads = reads_in_python(
            "import os\n"
            "from krs.env import Env\n"
            "# os.environ.get('IN_A_COMMENT')\n"
            "'''env.str(\"IN_A_DOCSTRING\")'''\n"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'krs.settings')\n"
            "os.environ['WRITTEN'] = '1'\n"
            "del os.environ['DELETED']\n"
            "env = Env({'OWN': '1'})\n"
            "env.bool('OWN', False)\n"
            "Env({}).str('ALSO_OWN')\n"
            "dict(os.environ, PASSED_ON='1')\n"
            "def f():\n"
            "    env = Env()\n"
            "    return env.str('INNER')\n"
            "env.str('OUTER_IS_STILL_OWN')\n"
        )
        assert set(reads.names) == {"INNER"}

    def test_it_refuses_a_read_whose_name_is_computed(self):
        reads = reads_in_python("import os\nname = 'X'\nos.environ.get(name)\nos.environ[f'{name}_Y']\n")
        assert reads.names == {} and reads.unnamed == [3, 4]

    def test_it_reads_shell_uses_of_variables_the_script_does_not_set(self):
        script = (
            "# ${IN_A_COMMENT}\n"
            "export CI=true\n"
            "PG_DB=\"krs_$$\"\n"
            "psql -c \"CREATE DATABASE ${PG_DB}\" \"$HOME\"\n"
            "KRS_EXPECT_DB=sqlite make test\n"
            "for ITEM in a b; do echo $ITEM; done\n"
            "echo \"$KRS_CHROMIUM\" ${DATABASE_URL:-sqlite://}\n"
        )
        assert reads_in_shell(script) == {"KRS_CHROMIUM", "DATABASE_URL"}

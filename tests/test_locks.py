"""The two dependency locks: what the app needs to run, and that plus the tools of development.

A server and ``make run`` install ``requirements.lock`` only; ``make test`` and CI install
``requirements-dev.lock``. They must pin every shared package to the same version (else a test passes on
what production does not run), the runtime lock must hold no development tool, and both must hold every
dependency ``pyproject.toml`` names.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.M)
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def pins(name: str) -> dict[str, str]:
    return {canonical(m[1]): m[2] for m in PIN.finditer((ROOT / name).read_text(encoding="utf-8"))}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(group: str | None = None) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return {canonical(NAME.match(spec)[0]) for spec in found}


def test_every_runtime_pin_is_the_same_in_the_development_lock():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: (version, dev.get(name)) for name, version in runtime.items() if dev.get(name) != version} == {}


def test_the_runtime_lock_holds_what_the_app_needs_and_no_development_tool():
    runtime = pins("requirements.lock")
    assert declared() - set(runtime) == set()
    assert declared("dev") & set(runtime) == set()


def test_the_development_lock_holds_every_declared_dependency():
    dev = pins("requirements-dev.lock")
    assert (declared() | declared("dev")) - set(dev) == set()

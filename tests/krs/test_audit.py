"""The dependency audit in CI (.ci/audit): a known vulnerability fails it; an audit that could not be done says so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def audit(tmp_path, answer: dict, **env) -> subprocess.CompletedProcess:
    """Run .ci/audit with a stand-in pip-audit that prints ``answer`` as its JSON report."""
    fake = tmp_path / "pip-audit"
    fake.write_text(f"#!{sys.executable}\nprint({json.dumps(json.dumps(answer))})\n")
    fake.chmod(0o755)
    return subprocess.run([sys.executable, str(ROOT / ".ci" / "audit")], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "KRS_PIP_AUDIT": str(fake), **env})


def test_a_known_vulnerability_fails_naming_the_package_and_the_fix(tmp_path):
    result = audit(tmp_path, {"dependencies": [
        {"name": "django", "version": "5.2.0", "vulns": [{"id": "GHSA-xxxx", "fix_versions": ["5.2.1"]}]},
        {"name": "celery", "version": "5.5.0", "vulns": []},
    ], "fixes": []})
    assert result.returncode == 1
    assert "VULNERABLE django 5.2.0: GHSA-xxxx (fixed in 5.2.1)" in result.stdout


def test_a_clean_audit_passes(tmp_path):
    result = audit(tmp_path, {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}], "fixes": []})
    assert result.returncode == 0 and "no known vulnerability in 1 pinned packages" in result.stdout


@pytest.mark.parametrize(("strict", "code"), [("", 0), ("true", 1)])
def test_an_audit_that_could_not_reach_the_service_says_so_and_fails_only_when_strict(tmp_path, strict, code):
    result = audit(tmp_path, {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI"}],
                              "fixes": []}, KRS_AUDIT_STRICT=strict)
    assert result.returncode == code and "NOT AUDITED" in result.stdout

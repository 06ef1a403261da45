"""A Python client generated from the OpenAPI description (openapi-python-client) works against the running app.

The app runs for real (pytest-django's live server, on a port), the description is read from it over HTTP,
the client is generated with warnings counted as failures, imported, and used with a token as a linked
system would: one read (the frameworks, parsed into the generated models) and one write (a district's
values), checked in the database.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from indicators.models import Framework
from reporting.models import Entry, Value, ValueChange
from tests.api.conftest import entry_of, issue
from tests.conftest import require

pytestmark = [pytest.mark.generated_client, pytest.mark.django_db(transaction=True)]

PACKAGE = "krs_api_client"


def generator() -> str | None:
    """The openapi-python-client command installed beside this Python, else on PATH."""
    return shutil.which("openapi-python-client", path=str(Path(sys.executable).parent)) or shutil.which(
        "openapi-python-client")


@pytest.fixture
def generated_client(live_server, tmp_path, monkeypatch):
    """The package generated from the live server's /api/v1/openapi.json, imported."""
    command = generator()
    require(command is not None, "openapi-python-client is not installed (make install-dev: requirements-dev.lock)")
    answer = httpx.get(f"{live_server.url}/api/v1/openapi.json", timeout=30)
    assert answer.status_code == 200
    description = tmp_path / "openapi.json"
    description.write_bytes(answer.content)
    # No post hooks: the generator would otherwise run ruff over the code it wrote, which is not under test.
    config = tmp_path / "config.yaml"
    config.write_text("post_hooks: []\n")
    done = subprocess.run(
        [command, "generate", "--path", str(description), "--output-path", str(tmp_path / PACKAGE), "--meta", "none",
         "--config", str(config), "--fail-on-warning"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_a_generated_client_lists_frameworks_and_saves_a_districts_value(generated_client, live_server, demo,
                                                                          open_round):
    frameworks_call = importlib.import_module(f"{PACKAGE}.api.configuration.api_v1_frameworks")
    district_values_call = importlib.import_module(f"{PACKAGE}.api.writes.api_v1_district_values")
    models = importlib.import_module(f"{PACKAGE}.models")
    # Closed at the end: a keep-alive connection would hold the server thread, and its database connection, open.
    with generated_client.AuthenticatedClient(base_url=live_server.url, token=issue(demo["bkk1"], "write"),
                                              timeout=httpx.Timeout(60), raise_on_unexpected_status=True) as client:
        page = frameworks_call.sync(client=client)
        entry = entry_of("1001", "11.3", open_round)
        assert not Value.objects.filter(entry=entry).exists()
        batch = models.DistrictBatch(items=[models.DistrictItem(
            entry=entry.pk, version=entry.version, values=models.DistrictItemValues.from_dict({"A": "1"}))])
        saved = district_values_call.sync(client=client, body=batch)

    # The read: every framework parses into the generated models, its kind one of FrameworkKind's.
    assert isinstance(page, models.FrameworkPage), page
    assert page.next_cursor is None
    assert all(isinstance(f, models.FrameworkOut) and isinstance(f.kind, models.FrameworkKind) for f in page.items)
    published = Framework.objects.filter(status=Framework.Status.PUBLISHED)
    assert {(f.code, f.kind.value, f.status.value) for f in page.items} == {
        (f.code, f.kind, f.status) for f in published}
    assert {f.kind for f in page.items} >= {models.FrameworkKind.AGREEMENT, models.FrameworkKind.PMQA}

    # The write: the district's own value of indicator 11.3 through POST /district-values.
    assert isinstance(saved, models.SavedOut), saved
    assert (saved.changed, saved.unchanged) == (1, 0)
    (item,) = saved.items
    assert item.status == models.EntryStatus.AWAITING and item.self_score == "5.00000"

    entry.refresh_from_db()
    assert {v.variable.code: v.value for v in Value.objects.filter(entry=entry).select_related("variable")} == {
        "A": Decimal(1)}
    assert entry.status == Entry.Status.AWAITING and entry.version == item.version
    assert ValueChange.objects.get(entry=entry, source="api").changed_by == demo["bkk1"]

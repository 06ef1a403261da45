"""The Entry's status events, flags and sweep runs moved to reporting without moving a row.

Their tables keep the names they were created with, and the migrations that move them between apps
change Django's state only: on either database they run no statement on the tables.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from reporting.models import Flag, StatusEvent, SweepLease, SweepRun

pytestmark = pytest.mark.django_db

KEPT = {StatusEvent: "certification_statusevent", Flag: "certification_flag", SweepRun: "certification_sweeprun",
        SweepLease: "certification_sweeplease"}


@pytest.mark.parametrize("model", list(KEPT), ids=lambda m: m.__name__)
def test_each_table_keeps_its_name_and_exists(model):
    assert model._meta.app_label == "reporting"
    assert model._meta.db_table == KEPT[model]
    assert KEPT[model] in connection.introspection.table_names()


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor may not run inside a test's transaction
@pytest.mark.parametrize("app, migration", [("reporting", "0015_entry_life_moves_here"),
                                            ("certification", "0007_entry_life_moves_to_reporting")])
def test_the_move_runs_no_statement_on_the_tables(app, migration, capsys):
    call_command("sqlmigrate", app, migration)
    statements = [line for line in capsys.readouterr().out.splitlines()
                  if line.strip() and not line.startswith("--") and line.strip() not in ("BEGIN;", "COMMIT;")]
    assert statements == []


def test_content_types_follow_the_models():
    assert ContentType.objects.get_for_model(StatusEvent).app_label == "reporting"
    assert not ContentType.objects.filter(app_label="certification", model__in=["statusevent", "flag"]).exists()

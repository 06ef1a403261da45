"""The suite runs on the database CI asked for, and PostgreSQL-only behaviour holds there."""

from __future__ import annotations

import os

import pytest
from django.db import IntegrityError, connection, transaction

from krs.models import Office
from tests.conftest import require

pytestmark = pytest.mark.django_db


def test_the_suite_runs_on_the_expected_database():
    """CI sets KRS_EXPECT_DB for each pass; a pass that silently fell back to SQLite would prove nothing."""
    expected = os.environ.get("KRS_EXPECT_DB")
    if not expected:
        pytest.skip("KRS_EXPECT_DB is not set (CI sets it)")
    assert connection.vendor == expected


@pytest.mark.postgres
def test_postgresql_enforces_the_check_constraints():
    if os.environ.get("KRS_EXPECT_DB") == "sqlite":
        pytest.skip("this pass runs on SQLite on purpose")
    require(connection.vendor == "postgresql", "this test needs DATABASE_URL=postgres://…")
    with pytest.raises(IntegrityError), transaction.atomic():
        Office.objects.create(code="X1", name_th="ผิดประเภท", kind="school")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        assert cursor.fetchone()[0] == "UTF8"  # Thai names round-trip only on a UTF-8 database

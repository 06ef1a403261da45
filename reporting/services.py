"""Writes of reporting: opening a round creates its entries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from indicators.models import Framework, Indicator, Round
from krs.models import Office
from reporting.models import Entry


@dataclass(frozen=True)
class RoundOpened:
    round_id: int
    created: int
    total: int


def round_open(*, round_: Round) -> RoundOpened:
    """Create the round's entries, "not reported": one per active district × leaf indicator that applies.

    One INSERT … SELECT, whatever the number of districts (design.md: set-based; the same code serves
    30,000 schools). Idempotent: an entry that exists is left as it is (ON CONFLICT DO NOTHING, which
    PostgreSQL and SQLite both understand), so running it twice, or after a crash, creates each once.
    Indicators come from the published frameworks of the round's fiscal year; an indicator with
    sub-indicators gets no entry of its own (its score is computed from theirs); an indicator limited to
    some rounds gets entries only in those.
    """
    entry, office, indicator, framework = Entry._meta, Office._meta, Indicator._meta, Framework._meta
    rounds_table = Indicator.rounds.through._meta.db_table
    sql = f"""
        INSERT INTO {entry.db_table} (office_id, indicator_id, round_id, status, version, created_at, updated_at)
        SELECT o.id, i.id, %(round)s, %(status)s, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
        FROM {office.db_table} o
        JOIN {indicator.db_table} i ON (
            (o.kind = %(primary)s AND i.applies_to_primary) OR (o.kind = %(secondary)s AND i.applies_to_secondary)
        )
        JOIN {framework.db_table} f ON f.id = i.framework_id
        WHERE o.is_active
          AND f.fiscal_year_id = %(fiscal_year)s
          AND f.status = %(published)s
          AND NOT EXISTS (SELECT 1 FROM {indicator.db_table} c WHERE c.parent_id = i.id)
          AND (
            NOT EXISTS (SELECT 1 FROM {rounds_table} r WHERE r.indicator_id = i.id)
            OR EXISTS (SELECT 1 FROM {rounds_table} r WHERE r.indicator_id = i.id AND r.round_id = %(round)s)
          )
        ON CONFLICT (office_id, indicator_id, round_id) DO NOTHING
    """
    params = {
        "round": round_.pk,
        "status": Entry.Status.NOT_REPORTED,
        "fiscal_year": round_.fiscal_year_id,
        "published": Framework.Status.PUBLISHED,
        "primary": Office.Kind.PRIMARY,
        "secondary": Office.Kind.SECONDARY,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        created = cursor.rowcount
    return RoundOpened(round_id=round_.pk, created=max(created, 0), total=Entry.objects.filter(round=round_).count())

"""The demo's certifications: the owning bureaus certify district 1001's PMQA answers of FY 2565 (seed 004).

``reporting.demo_pmqa`` wrote them; each bureau certifies what is its own and awaits certification, through the
workflow (``entries_certify``: one event per entry), so district 1001's scorecard shows a PMQA total. Idempotent:
a certified entry is not awaiting any more.
"""

from __future__ import annotations

from django.utils import timezone

from krs.models import Role, User
from reporting.demo_pmqa import ANSWERED, PMQA
from reporting.models import Entry
from reporting.workflow import entries_certify


def seed() -> dict[str, int]:
    awaiting = Entry.objects.filter(
        office__code=ANSWERED, round__fiscal_year__year=PMQA[0], round__months=12,
        indicator__framework__code=PMQA[1], status=Entry.Status.AWAITING,
    )
    owners = set(awaiting.values_list("indicator__owner_id", flat=True))
    certified = 0
    now = timezone.now()
    for user in User.objects.filter(role=Role.BUREAU_CERTIFIER, office_id__in=owners, is_active=True).order_by("pk"):
        ids = list(awaiting.filter(indicator__owner_id=user.office_id).values_list("pk", flat=True))
        certified += len(entries_certify(entry_ids=ids, by=user, at=now))
    return {"certified": certified}

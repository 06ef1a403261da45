"""A round open now with the bureau owning every indicator, and helpers to attach files through the pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attachments.models import Attachment
from attachments.services import attachments_add
from tests.reporting.factories import open_world

HTMX = {"HTTP_HX_REQUEST": "true"}
THAI_NAME = "รายงานผลการตรวจสอบ ไตรมาส ๒.pdf"


@pytest.fixture
def world(district, other_district, bureau):
    return open_world(bureau=bureau)


@pytest.fixture
def entry(world, district):
    """The district's entry of the quantitative indicator (owned by ``bureau``), with indicator and round loaded."""
    found = world.entry(district, world.quantitative)
    found.indicator.owner_id  # noqa: B018 - loaded for the permission rules
    return found


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def post_files(client, entry, files, description="หลักฐานการดำเนินงาน", *, htmx=True, **extra):
    data = {"description": description, "files": files, **extra}
    return client.post(reverse("attachments:attach", args=[entry.pk]), data, **(HTMX if htmx else {}))


def attach(entry, user, content: bytes, name: str = THAI_NAME, description: str = "หลักฐาน") -> Attachment:
    """Attach through the service (for tests about what happens after)."""
    return attachments_add(entry=entry, user=user, uploads=[upload(name, content)], description=description)[
        0
    ]


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def certify(entry, district_user, certifier) -> None:
    """Bring the entry to certified the way the workflow allows: reported with a score, then certified."""
    from decimal import Decimal

    from reporting.workflow import entry_certify, entry_mark_reported

    entry.self_score = Decimal("4.00000")
    entry.save(update_fields=["self_score"])
    entry_mark_reported(entry=entry, by=district_user)
    entry_certify(entry=entry, by=certifier)

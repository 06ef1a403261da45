"""The entry page and the save use the same number of SQL queries for 10 indicators as for 100."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attachments.models import Attachment
from reporting.models import Entry
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def measure(client, district, district_user, count, bureau):
    # open_world has 6 indicators of its own; the rest are quantitative with two district variables, all owned
    # by the bureau, whose certifier every row names.
    world = open_world(bureau=bureau, extra_quantitative=count - 6)
    # Every entry carries two evidence files, so a query per row or per file would show.
    entries = Entry.objects.filter(office=district, round=world.round)
    Attachment.objects.bulk_create([
        Attachment(entry=e, key=f"k/{e.pk}/{n}", original_name=f"{n}.pdf", description="หลักฐาน", size=10, kind="pdf",
                   content_type="application/pdf", sha256="0" * 64, side="district", uploaded_by=district_user,
                   uploaded_at=timezone.now())
        for e in entries for n in range(2)
    ])
    page = reverse("reporting:entry_page", args=[world.round.pk])
    client.get(page)  # warm the session and caches
    with CaptureQueriesContext(connection) as page_queries:
        response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="entry"') == count
    assert html.count('data-testid="file"') == 2 * count
    assert html.count('data-testid="certifier-person"') == count
    entry = world.entry(district, world.quantitative)
    a, b = (world.quantitative.variables.get(code=c) for c in "AB")
    with CaptureQueriesContext(connection) as save_queries:
        response = client.post(reverse("reporting:entry_save", args=[entry.pk]),
                               {"version": 0, f"v{a.pk}": "90", f"v{b.pk}": "100"}, **HTMX)
    assert 'data-testid="saved"' in response.content.decode()
    return len(page_queries), len(save_queries)


# The budgets are exact: the same for 10 and 100 indicators, so one query per row cannot creep in.
# The page: 19 for the entries and their indicators (reporting.selectors.entry_page and the session, with the
# derived indicators of the page's frameworks, which have no entries of their own, and which of its indicators
# are central-only, one query), the "new data" flags, then the allowed file kinds and every entry's files with their people
# (attachments.selectors.files_for_entries), the certifiers of the indicators' bureaus
# (reporting.selectors.certifiers_by_bureau), the menu's unread notifications, the calendar's exceptions
# for the rounds' holiday-adjusted deadlines (indicators.models.Round.with_due_at) and the previous round (its
# values are one more query when there is one, reporting.checks.previous_values). The save (an htmx
# fragment, no menu): 23 for the save itself, whether the row is central-only, the indicator's rules
# (reporting.checks), the flag of its row, the certifiers of its bureau, the previous round of the fragment and
# the calendar's exceptions for the deadline the answer's clock header carries (Round.due_at).
PAGE_QUERIES = 25
SAVE_QUERIES = 29


@pytest.mark.parametrize("count", [10, 100])
def test_page_and_save_queries_do_not_grow_with_the_number_of_indicators(client, district_user, district, bureau,
                                                                          certifier, count):
    client.force_login(district_user)
    page_queries, save_queries = measure(client, district, district_user, count, bureau)
    assert (page_queries, save_queries) == (PAGE_QUERIES, SAVE_QUERIES)

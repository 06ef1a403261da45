"""axe-core in a real browser: every role's main pages, at desktop and phone width, have no serious or critical
violation; and after a successful save on the entry page, focus lands on what was saved, not on the page body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from krs.models import Office, User
from reporting.central import central_indicators_for
from reporting.models import Entry
from reporting.services import entry_save_values, variable_field
from reporting.workflow import entry_reject
from tests.e2e.test_foundation_in_browser import log_in
from tests.e2e.test_reporting_in_browser import entry_block, twelve_month_round_open  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The vendored axe-core (static/vendor/axe-core/, loaded by these tests only, never by the app's pages). It is
# evaluated through the DevTools protocol, which the pages' Content-Security-Policy does not govern, so the pages
# are checked with the policy they really run under (an injected <script> would be an inline one, refused).
AXE = Path(settings.BASE_DIR, "static", "vendor", "axe-core", "axe.min.js")
WIDTHS = (1280, 390)
BLOCKING = ("serious", "critical")


# What the HTML validator finds and axe does not: a label for no element, a form inside a heading.
MARKUP = """() => {
  const found = [];
  for (const label of document.querySelectorAll("label[for]")) {
    if (!document.getElementById(label.htmlFor)) found.push(`label for="${label.htmlFor}" names no element`);
  }
  for (const form of document.querySelectorAll("h1 form, h2 form, h3 form, h4 form, h5 form, h6 form")) {
    found.push(`a form inside <${form.closest("h1, h2, h3, h4, h5, h6").tagName.toLowerCase()}>`);
  }
  return found;
}"""


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now, serious and critical ones only."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            lines.append(f"    {json.dumps(node['target'], ensure_ascii=False)} {node.get('failureSummary', '')[:160]!r}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.fixture
def a_rejected_entry(twelve_month_round_open):  # noqa: F811
    """bkk1's 11.5 reported and then rejected by its bureau: the review page has values, a decision and an
    unseen flag; the entry page has saved and not-yet-saved indicators."""
    round_ = twelve_month_round_open
    entry = Entry.objects.get(office__code="1001", indicator__code="11.5", round=round_)
    raw = {variable_field(v): "1" for v in entry.indicator.variables.all()}
    entry_save_values(entry=entry, user=User.objects.get(username="bkk1"), raw=raw, expected_version=entry.version)
    entry.refresh_from_db()
    entry_reject(entry=entry, by=User.objects.get(username="finance"), comment="แบบฟอร์มอ้างอิงไม่ครบ")
    return Entry.objects.get(pk=entry.pk)


def main_pages(username: str, entry: Entry) -> list[str]:
    """The main pages of the role, as paths."""
    round_ = entry.round
    office = Office.objects.get(code="1001")
    central = central_indicators_for(User.objects.get(username="finance"), round_)[0]
    district = ["/", f"/reporting/rounds/{round_.pk}/", f"/certification/entries/{entry.pk}/",
                f"/reports/scorecard/{office.pk}/{round_.pk}/", "/notifications/"]
    bureau = ["/", "/certification/", f"/certification/?round={round_.pk}", f"/certification/entries/{entry.pk}/",
              "/reporting/central/", f"/reporting/central/{round_.pk}/{central.pk}/", "/files/inbox/", "/notifications/"]
    admin = ["/", f"/certification/entries/{entry.pk}/", "/reports/national/", "/reports/progress/",
             "/certification/deadlines/", f"/admin/indicators/round/{round_.pk}/change/", "/notifications/"]
    executive = ["/", f"/reports/scorecard/{office.pk}/{round_.pk}/", "/reports/national/", "/reports/progress/",
                 "/notifications/"]
    return {"bkk1": district, "finance": bureau, "admin": admin, "executive": executive}[username]


@pytest.mark.parametrize("username", ["bkk1", "finance", "admin", "executive"])
def test_each_roles_main_pages_have_no_serious_or_critical_axe_violation(page, live_server, screenshot_dir,
                                                                         a_rejected_entry, username):
    log_in(page, live_server, username)
    failures = []
    for path in main_pages(username, a_rejected_entry):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        failures += [f"{path}: {problem}" for problem in page.evaluate(MARKUP)]
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            found = axe_violations(page)
            if found:
                failures.append(f"{path} at {width} px:\n{describe(found)}")
            if username == "bkk1" and path.startswith("/certification/entries/"):
                page.screenshot(path=str(screenshot_dir / f"review-page-district-{width}.png"))
    assert not failures, "\n".join(failures)


def test_the_login_page_has_no_serious_or_critical_axe_violation(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    failures = page.evaluate(MARKUP)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        found = axe_violations(page)
        if found:
            failures.append(f"at {width} px:\n{describe(found)}")
    assert not failures, "\n".join(failures)


def test_after_a_successful_save_focus_moves_to_the_saved_indicator(page, live_server,
                                                                   twelve_month_round_open):  # noqa: F811
    log_in(page, live_server, "bkk1")
    page.goto(f"{live_server.url}/reporting/rounds/{twelve_month_round_open.pk}/")
    block = entry_block(page, "11.3")
    block.get_by_test_id("input-A").fill("1")
    block.get_by_test_id("save").click()
    block.get_by_test_id("saved").wait_for()
    # The swap replaced the pressed button: focus is on the note saying what was saved, not on the page body.
    page.wait_for_function("() => document.activeElement.closest('[data-testid=saved]') !== null", timeout=5000)
    assert "บันทึก" in page.evaluate("document.activeElement.textContent")
    assert axe_violations(page) == [], describe(axe_violations(page))

"""An administrator reads a real framework as a tree in the browser, and exports it as a workbook."""

from __future__ import annotations

import pytest

from indicators.models import Framework
from krs.demo import seed_offices_and_users
from tests.e2e.test_foundation_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_fy2552_framework_reads_as_a_tree_with_its_weights(page, live_server, screenshot_dir):
    from indicators.demo import seed as seed_frameworks

    seed_offices_and_users()
    seed_frameworks()
    framework = Framework.objects.get(code="OPDC-2552")
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/indicators/framework/")
    page.get_by_role("row", name=framework.name).get_by_role("link", name="ดูแผนผัง").click()
    page.wait_for_url(f"**/indicators/frameworks/{framework.pk}/tree/")

    tree = page.get_by_test_id("tree")
    first_cells = tree.locator("tbody tr td:first-child").all_inner_texts()
    weights = tree.locator("tbody tr.table-primary td:nth-child(2)").all_inner_texts()
    assert weights == ["45", "15", "20", "20"]
    assert any(text.strip().startswith("1.1 ") for text in first_cells)
    assert page.get_by_test_id("weight-problems").count() == 0
    page.screenshot(path=str(screenshot_dir / "framework-tree-2552.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="ส่งออก XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")

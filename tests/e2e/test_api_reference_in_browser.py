"""The API's reference page in a real browser: every operation of the OpenAPI description is listed, no CDN."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reference_page_lists_every_endpoint_from_the_apps_own_files(page, live_server, screenshot_dir):
    from api.v1 import api

    schema = api.get_openapi_schema()
    expected = {(method.upper(), path) for path, methods in schema["paths"].items() for method in methods}
    assert len(expected) >= 11
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".opblock").first.wait_for()
    page.wait_for_function(f"document.querySelectorAll('.opblock').length >= {len(expected)}")
    shown = set()
    for block in page.locator(".opblock").all():
        method = block.locator(".opblock-summary-method").inner_text().strip().upper()
        path = block.locator(".opblock-summary-path").get_attribute("data-path")
        shown.add((method, path))
    assert shown == expected
    assert page.get_by_text("KRS API").first.is_visible()
    # Swagger UI's script and styles come from the app (closed government networks: no CDN).
    assert requested and all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), requested
    page.screenshot(path=str(screenshot_dir / "api-reference.png"), full_page=False)

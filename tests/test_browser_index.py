"""A student's first visit: the index lists every demo, and each link opens a demo that renders cleanly."""

import os

import pytest

from apps.catalog import DEMOS
from tests.conftest import ROOT

SCREENSHOT = ROOT / "docs" / "images" / "index.png"


@pytest.mark.slow
def test_index_links_open_every_demo_without_console_errors(suite_server, page):
    page.goto(suite_server.base + "/")
    page.get_by_role("heading", name="genai-demos").wait_for()
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    links = {d.title: page.get_by_role("link", name=d.title).get_attribute("href") for d in DEMOS}
    assert len(links) == len(DEMOS)
    for demo in DEMOS:
        page.goto(suite_server.base + "/")
        page.wait_for_timeout(500)  # a page left behind may still report its aborted requests
        page.console_errors.clear()  # errors are counted per visit, against the demo that caused them
        page.get_by_role("link", name=demo.title).click()
        if demo.kind == "gradio":
            page.locator(".gradio-container").first.wait_for(timeout=60_000)
            page.get_by_role("heading", name=demo.title).first.wait_for(timeout=60_000)
        else:
            page.locator('[data-testid="stApp"]').wait_for(timeout=90_000)
            page.get_by_role("heading").first.wait_for(timeout=90_000)
            assert page.locator('[data-testid="stException"]').count() == 0
        page.wait_for_timeout(1500)  # let late scripts report their errors
        others = [f"/{d.name}/" for d in DEMOS if d.name != demo.name]
        own = [e for e in page.console_errors if not ("AbortError" in e and any(o in e for o in others))]
        assert own == [], demo.name

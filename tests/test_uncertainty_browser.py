"""The confidence-vs-density page in Chromium, started the way a student starts it alone."""

import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from apps.launcher import stop
from tests.conftest import ROOT, free_port, wait_for_http


@pytest.fixture(scope="module")
def page_url():
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "apps.confidence_vs_density",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/_stcore/health")
        yield url
    finally:
        stop(proc)


@pytest.mark.slow
def test_student_types_a_far_point_and_sees_the_flag(page, page_url):
    page.goto(page_url + "/?data=moons&clf=mlp&density=gaussian")
    page.get_by_label("Test point x").fill("4")
    page.get_by_label("Test point y").fill("4")
    page.get_by_role("button", name="Add test point").click()
    expect(page.get_by_text("Point 1: confident but far")).to_be_visible(timeout=60_000)
    expect(page).to_have_url(re.compile(r"points=4%2C4"))
    expect(page.locator(".js-plotly-plot .heatmaplayer").first).to_be_attached(timeout=60_000)
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)  # a student sees no developer toolbar
    assert page.console_errors == []


@pytest.mark.slow
def test_student_clicks_the_map_to_add_a_point(page, page_url):
    page.goto(page_url + "/?data=moons")
    expect(page.get_by_text("No test points yet")).to_be_visible(timeout=60_000)
    drag = page.locator(".js-plotly-plot .nsewdrag").first  # the left map's plotting area
    expect(drag).to_be_visible(timeout=60_000)
    box = drag.bounding_box()
    page.mouse.click(box["x"] + 0.9 * box["width"], box["y"] + 0.1 * box["height"])
    expect(page.get_by_text("Point 1: confident but far")).to_be_visible(timeout=60_000)
    assert page.console_errors == []

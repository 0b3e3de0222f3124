"""The example course page (spaces/course_page) against the suite on this machine: every demo is embedded
and answers a student inside the page; when the web component or a demo's server cannot be reached, the page
says which demo failed and links to it directly.

The page loads Gradio's web component from the CDN by default. Offline, the test serves the copy that the
installed gradio package ships (gradio/templates/frontend: gradio.js and its assets, the CDN's layout) from
a second local server, as the CDN would, and points the page at it with `?gradio_js=`.
"""

import contextlib
import json
import re
import sys
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlencode

import gradio as gr
import pytest
from playwright.sync_api import expect

from apps.catalog import DEMOS
from tests.conftest import ROOT, http_server

sys.path.insert(0, str(ROOT / "spaces"))  # the scripts' folder, as `python spaces/build.py` sees it
import build  # noqa: E402

COURSE_PAGE = ROOT / "spaces" / "course_page"
GRADIO_FRONTEND = Path(gr.__file__).parent / "templates" / "frontend"
WAIT_MS = 90_000


class StaticFiles(SimpleHTTPRequestHandler):
    """A folder's files, readable by scripts of any origin (as a CDN serves them)."""

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


def serve_folder(folder: Path) -> contextlib.AbstractContextManager[str]:
    return http_server(partial(StaticFiles, directory=str(folder)))


@pytest.fixture(scope="module")
def course_page() -> Iterator[str]:
    with serve_folder(COURSE_PAGE) as url:
        yield url


@pytest.fixture(scope="module")
def web_component() -> Iterator[str]:
    """The URL of gradio.js, as the installed gradio package ships it."""
    if not (GRADIO_FRONTEND / "gradio.js").exists():
        pytest.fail(f"{GRADIO_FRONTEND / 'gradio.js'} is missing: reinstall gradio (pip install -r requirements.txt)")
    with serve_folder(GRADIO_FRONTEND) as url:
        yield url + "/gradio.js"


def test_the_page_embeds_every_demo_of_the_catalog():
    html = (COURSE_PAGE / "index.html").read_text()
    embedded = re.findall(r'data-demo="(\w+)" data-kind="(\w+)"', html)
    assert sorted(embedded) == sorted((d.name, d.kind) for d in DEMOS)
    assert "sdk: static" in (COURSE_PAGE / "README.md").read_text()


@pytest.mark.slow
def test_every_demo_renders_in_the_course_page_and_answers_there(suite_server, course_page, web_component, page):
    query = urlencode(
        {
            "base": suite_server.base,
            "streamlit": suite_server.streamlit,
            "gradio_js": web_component,
        }
    )
    page.goto(f"{course_page}/?{query}", wait_until="domcontentloaded")  # each embed is awaited below
    for demo in DEMOS:
        section = page.locator(f'section[data-demo="{demo.name}"]')
        section.scroll_into_view_if_needed()
        if demo.kind == "gradio":
            embedded = section.locator("gradio-app")
            # its own host name, so that the demos' open connections never fill one host's six (see index.html)
            expect(embedded).to_have_attribute("src", re.compile(rf"//{demo.name.replace('_', '-')}\.localhost:"))
            expect(embedded.get_by_role("heading", name=demo.title, level=1)).to_be_visible(timeout=WAIT_MS)
        else:
            embedded = section.frame_locator("iframe")
            expect(embedded.get_by_role("heading", name=demo.title, level=1)).to_be_visible(timeout=WAIT_MS)
        link = section.get_by_role("link").first
        expect(link).to_have_attribute(
            "href", re.compile(re.escape(suite_server.base if demo.kind == "gradio" else suite_server.streamlit))
        )

    scale = page.locator('section[data-demo="scale"] gradio-app')
    scale.scroll_into_view_if_needed()
    scale.get_by_role("tab", name="Chinchilla calculator").click()
    scale.get_by_label("Parameters (billions)").fill("70")
    scale.get_by_label("Training tokens (billions)").fill("1400")
    scale.get_by_role("button", name="Check").click()
    expect(scale.get_by_text("20.0 tokens per parameter")).to_be_visible(timeout=WAIT_MS)
    assert page.console_errors == []


def test_the_address_cannot_point_the_page_at_another_host(course_page, page):
    page.route(re.compile(r"^https://"), lambda route: route.abort())  # offline: the configured hf.space hosts
    page.goto(f"{course_page}/?base=https://example.org")
    expect(page.get_by_role("alert")).to_contain_text("Ignored base=https://example.org")
    href = page.locator('section[data-demo="scale"] a').first.get_attribute("href")
    assert href.startswith("https://OWNER-genai-demos.hf.space/scale/?"), href


def test_the_web_component_follows_the_installed_gradio(tmp_path):
    wanted = build.GRADIO_JS.format(version=gr.__version__)
    assert f'gradio_js: "{wanted}"' in (COURSE_PAGE / "config.js").read_text()
    build.build(build.COURSE_PAGE, tmp_path, owner="Prof_X")
    config = (tmp_path / build.COURSE_PAGE / "config.js").read_text()
    assert f'"gradio_js": "{wanted}"' in config
    assert '"base": "https://prof-x-genai-demos.hf.space"' in config and "OWNER" not in config


def failures(page) -> dict[str, str]:
    """Each section's failure message, by demo name."""
    expect(page.locator(".failed").first).to_be_visible(timeout=WAIT_MS)
    return {
        section.get_attribute("data-demo"): section.locator(".failed").inner_text()
        for section in page.locator("section[data-demo]").all()
        if section.locator(".failed").count()
    }


def answer_every_probe(page, down: str | None = None) -> None:
    """The demos' servers, as the page's probes see them: each answers, except `down`'s, which is unreachable."""

    def handle(route):
        if down and f"/{down}/" in route.request.url:
            route.abort()
        else:
            route.fulfill(status=200, body="{}", headers={"Access-Control-Allow-Origin": "*"})

    page.route(re.compile(r"/(config|_stcore/health)$"), handle)


def test_without_the_web_component_every_gradio_demo_says_so_and_links_to_itself(course_page, page):
    base, gradio_js = "http://127.0.0.1:9", "http://127.0.0.1:9/gradio.js"
    page.route(gradio_js, lambda route: route.abort())  # offline, or the CDN blocked
    answer_every_probe(page)
    page.goto(f"{course_page}/?{urlencode({'base': base, 'gradio_js': gradio_js})}")
    expect(page.locator(".failed")).to_have_count(sum(d.kind == "gradio" for d in DEMOS), timeout=WAIT_MS)
    found = failures(page)
    for demo in DEMOS:
        if demo.kind != "gradio":
            assert demo.name not in found
            continue
        assert found[demo.name].startswith(
            f"{demo.title} could not be embedded here: Gradio's web component did not load from {gradio_js}"
        )
        link = page.locator(f'section[data-demo="{demo.name}"] .failed a')
        expect(link).to_have_attribute("href", f"{base}/{demo.name}/")
    expect(page.get_by_role("alert")).to_contain_text("Could not embed: Foundation models and scale;")


def test_a_demo_whose_server_does_not_answer_is_named_and_linked(course_page, page):
    web_component = "http://127.0.0.1:9/gradio.js"
    page.route(web_component, lambda route: route.fulfill(  # a stand-in that draws nothing
        body="customElements.define('gradio-app', class extends HTMLElement {});",
        headers={"Content-Type": "text/javascript", "Access-Control-Allow-Origin": "*"},
    ))  # fmt: skip
    answer_every_probe(page, down="prompting")
    page.goto(f"{course_page}/?{urlencode({'base': 'http://127.0.0.1:9', 'gradio_js': web_component})}")
    found = failures(page)
    assert list(found) == ["prompting"]
    assert found["prompting"] == (
        "Prompting lab could not be embedded here: its server could not be reached (offline, or the Space is asleep, "
        "private or not deployed). Open it directly: http://127.0.0.1:9/prompting/"
    )
    expect(page.get_by_role("alert")).to_have_text(
        "Could not embed: Prompting lab. Each one's section links to it directly."
    )


def a_web_component_that_draws_nothing(page) -> str:
    url = "http://127.0.0.1:9/gradio.js"
    page.route(url, lambda route: route.fulfill(
        body="customElements.define('gradio-app', class extends HTMLElement {});",
        headers={"Content-Type": "text/javascript", "Access-Control-Allow-Origin": "*"},
    ))  # fmt: skip
    return url


def test_a_streamlit_page_whose_address_answers_404_is_named_and_linked(course_page, page, tmp_path):
    web_component = a_web_component_that_draws_nothing(page)
    page.route(re.compile(r"/config$"), lambda route: route.fulfill(
        status=200, body="{}", headers={"Access-Control-Allow-Origin": "*"}
    ))  # fmt: skip
    with serve_folder(tmp_path) as nothing_here:  # a real server that answers 404 to every path
        query = urlencode({"base": "http://127.0.0.1:9", "streamlit": nothing_here, "gradio_js": web_component})
        page.goto(f"{course_page}/?{query}")
        found = failures(page)
    (page_demo,) = (d for d in DEMOS if d.kind == "streamlit")
    assert found == {
        page_demo.name: f"{page_demo.title} could not be embedded here: its server answered 404 File not found. "
        f"Open it directly: {nothing_here}/"
    }
    expect(page.get_by_role("alert")).to_have_text(
        f"Could not embed: {page_demo.title}. Each one's section links to it directly."
    )


def test_demos_on_zerogpu_tell_students_to_log_in(course_page, page, tmp_path):
    web_component = a_web_component_that_draws_nothing(page)
    answer_every_probe(page)
    on_zerogpu = [d.name for d in DEMOS if d.hardware.startswith("zero")]
    query = urlencode({"base": "http://127.0.0.1:9", "gradio_js": web_component, "zerogpu": ",".join(on_zerogpu)})
    page.goto(f"{course_page}/?{query}")
    for demo in DEMOS:
        note = page.locator(f'section[data-demo="{demo.name}"] .login')
        if demo.name not in on_zerogpu:
            expect(note).to_have_count(0)
            continue
        expect(note).to_contain_text("2 minutes without a Hugging Face account, 5 minutes with a free one. Log in at")
        expect(note.get_by_role("link", name="huggingface.co/login")).to_have_attribute(
            "href", "https://huggingface.co/login"
        )
        expect(note.get_by_role("link", name="on its own page")).to_have_attribute(
            "href", f"http://127.0.0.1:9/{demo.name}/"
        )
    for per_demo, marked in ((True, on_zerogpu), (False, [])):  # the suite runs on the CPU
        build.build(build.COURSE_PAGE, tmp_path, owner="prof", per_demo=per_demo)
        text = (tmp_path / build.COURSE_PAGE / "config.js").read_text()
        assert json.loads(text.partition("window.COURSE_PAGE = ")[2].rstrip().rstrip(";"))["zerogpu"] == marked

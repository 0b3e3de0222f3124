"""`python spaces/deploy.py check` before class: against a fake Hub and Spaces served on this machine, it lists a
sleeping Space, a GPU demo off ZeroGPU, a Space named otherwise than the course page expects, a Space that does
not answer, and a web component the CDN lacks; with everything in order it says the class is ready."""

import contextlib
import json
import sys
import types
from http.server import BaseHTTPRequestHandler

import pytest

from tests.conftest import ROOT, http_server

sys.path.insert(0, str(ROOT / "spaces"))  # the scripts' folder, as `python spaces/deploy.py` sees it
import check  # noqa: E402
import layout  # noqa: E402

OWNER = "prof"


class Answers(BaseHTTPRequestHandler):
    """Each path in `routes` answers 200 with its text; every other path answers 404."""

    routes: dict[str, str] = {}

    def do_GET(self) -> None:
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write((body if body is not None else "Error response 404").encode())

    def log_message(self, *args) -> None:
        pass


def serve(routes: dict[str, str]) -> contextlib.AbstractContextManager[str]:
    return http_server(type("Routes", (Answers,), {"routes": routes}))


class FakeHub:
    """The Hub as `check` asks it: each Space's stage and hardware; `listed` are the owner's other Spaces."""

    def __init__(self, spaces: dict[str, tuple[str, str | None]], listed: tuple[str, ...] = ()):
        self.spaces, self.listed = spaces, listed

    def repo_exists(self, repo, repo_type=None):
        return repo in self.spaces

    def get_space_runtime(self, repo):
        stage, hardware = self.spaces[repo]
        return types.SimpleNamespace(stage=stage, hardware=hardware, requested_hardware=None)

    def list_spaces(self, author=None):
        return [types.SimpleNamespace(id=f"{author}/{name}") for name in [*self.listed, *self.spaces]]


def deployed(per_demo: bool) -> dict[str, tuple[str, str | None]]:
    """Every Space of the class, running on the hardware it should."""
    return {
        f"{OWNER}/{layout.repo_name(s)}": ("RUNNING", layout.wanted_hardware(s)) for s in layout.spaces_for(per_demo)
    }


def routes(url: str, per_demo: bool, gradio_js: str) -> dict[str, str]:
    """What each Space answers when it is up, and the course page's config.js naming them at `url`/<repo>."""
    config = {
        "base": f"{url}/{{slug}}" if per_demo else f"{url}/genai-demos",
        "streamlit": f"{url}/confidence-vs-density",
        "gradio_js": gradio_js,
    }
    answers = {
        "/confidence-vs-density/_stcore/health": "ok",
        "/genai-demos/": "<html>every demo</html>",
        "/course-page/config.js": f"window.COURSE_PAGE = {json.dumps(config)};\n",
        "/cdn/6.31.0/gradio.js": "export {};",
    }
    answers.update({f"/{layout.repo_name(s)}/config": "{}" for s in layout.spaces_for(True, course_page=False)})
    return answers


@pytest.fixture
def local():
    """A server standing in for every Space and the CDN, at <url>/<repo name>/..."""
    table: dict[str, str] = {}
    with serve(table) as url:
        yield url, table


def run_check(url: str, hub: FakeHub, per_demo: bool) -> tuple[list[str], list[str]]:
    return check.check(OWNER, per_demo, hub, lambda space: f"{url}/{layout.repo_name(space)}")


@pytest.mark.parametrize("per_demo", [False, True])
def test_with_everything_up_the_class_is_ready(local, per_demo):
    url, table = local
    table.update(routes(url, per_demo, f"{url}/cdn/6.31.0/gradio.js"))
    fine, fix = run_check(url, FakeHub(deployed(per_demo)), per_demo)
    assert fix == []
    assert fine[0] == f"{OWNER}/confidence-vs-density answers at {url}/confidence-vs-density"
    assert len(fine) == len(layout.spaces_for(per_demo))


def test_what_a_lecturer_must_fix_is_listed(local):
    url, table = local
    table.update(routes(url, True, f"{url}/cdn/9.99.0/gradio.js"))  # a version the CDN does not have
    del table["/flows/config"]  # running, yet its demo answers 404
    spaces = deployed(True)
    spaces[f"{OWNER}/confidence-vs-density"] = ("SLEEPING", None)
    spaces[f"{OWNER}/prompting"] = ("RUNNING", "cpu-basic")
    del spaces[f"{OWNER}/text-to-image"]
    fine, fix = run_check(url, FakeHub(spaces, listed=("text-to-image-demo",)), True)
    page = "https://huggingface.co/spaces/prof"
    assert fix == [
        f"prof/confidence-vs-density is asleep: open {page}/confidence-vs-density before class to wake it (about a "
        "minute), or set a longer sleep time",
        f"prof/confidence-vs-density runs on no hardware, not cpu-basic: choose cpu-basic under "
        f"{page}/confidence-vs-density/settings, or deploy it again with --hardware cpu-basic",
        "prof/prompting runs on cpu-basic, not zero-a10g, so its demo runs the small bundled model, not the hub "
        f"model: choose zero-a10g under {page}/prompting/settings, or deploy it again with --hardware zero-a10g",
        "prof/text-to-image does not exist, and the course page expects text_to_image there; prof/text-to-image-demo "
        "exists: rename it to text-to-image under its Settings (or deploy it: python spaces/deploy.py all OUT "
        "--owner prof)",
        f"prof/flows is running but {url}/flows/config answered 404: open {page}/flows and read its log",
        f"the course page loads Gradio's web component from {url}/cdn/9.99.0/gradio.js, which answered 404: the CDN "
        "has no copy for that Gradio version, so no Gradio demo shows; rebuild the page with a Gradio whose gradio.js "
        "the CDN serves (the version the Spaces' sdk_version names), or point gradio_js at a copy",
    ]
    assert f"{OWNER}/scale answers at {url}/scale" in fine


def test_a_course_page_built_for_the_suite_is_named_when_the_demos_have_their_own_spaces(local):
    url, table = local
    table.update(routes(url, False, f"{url}/cdn/6.31.0/gradio.js"))
    table.update({f"/{layout.repo_name(s)}/config": "{}" for s in layout.spaces_for(True, course_page=False)})
    _, fix = run_check(url, FakeHub(deployed(True)), True)
    assert len(fix) == len(layout.spaces_for(True, course_page=False)) - 1  # every Gradio demo
    assert fix[0] == (
        f"the course page looks for scale at {url}/genai-demos/scale, but it is deployed as prof/scale at {url}/scale: "
        "rebuild the page with python spaces/build.py course_page --out OUT --owner prof --per-demo, or rename the "
        "Space"
    )


def test_check_exits_1_and_prints_what_to_fix(local, monkeypatch, capsys):
    url, table = local
    table.update(routes(url, False, f"{url}/cdn/6.31.0/gradio.js"))
    spaces = deployed(False)
    spaces[f"{OWNER}/genai-demos"] = ("PAUSED", "cpu-basic")
    monkeypatch.setattr(check, "hub_api", lambda: FakeHub(spaces))
    monkeypatch.setattr(layout, "space_url", lambda owner, space: f"{url}/{layout.repo_name(space)}")
    import deploy

    assert deploy.main(["check", "--owner", OWNER]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == [
        "fix: prof/genai-demos is paused: restart it under https://huggingface.co/spaces/prof/genai-demos/settings",
        "1 thing to fix before class",
    ]
    assert out[0] == f"ok: prof/confidence-vs-density answers at {url}/confidence-vs-density"

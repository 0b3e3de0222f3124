"""Shared fixtures: a Gradio app driven by gradio_client, a Streamlit page under AppTest,
Chromium driven by Playwright, and the whole suite served by the launcher."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import torch

from apps.launcher import stop

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_TEMP_DIR", tempfile.mkdtemp(prefix="genai-demos-gradio-"))

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def http_server(handler) -> Iterator[str]:
    """A local HTTP server answering with `handler` (a request handler class) on a free port while the block runs;
    its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def wait_for_http(url: str, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer 200 within {timeout_s:.0f} s")


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny models run fastest on one thread; several threads contend on a shared 2-core CPU."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def gradio_client() -> Iterator[Callable]:
    """`gradio_client(demo)` launches a `gr.Blocks` in-process and returns a connected `Client`."""
    from gradio_client import Client

    launched = []

    def launch(demo):
        from apps.serving import MAX_FILE_SIZE, app_settings, prepare

        prepare(demo)  # the limits and error handling the launcher gives every demo
        _, local_url, _ = demo.launch(
            prevent_thread_lock=True,
            server_port=free_port(),
            quiet=True,
            max_file_size=MAX_FILE_SIZE,
            show_error=False,
            app_kwargs=app_settings(demo),
        )
        launched.append(demo)
        return Client(local_url, verbose=False, download_files=tempfile.mkdtemp(prefix="genai-demos-dl-"))

    yield launch
    for demo in launched:
        demo.close()


@pytest.fixture
def app_test() -> Callable:
    """`app_test("apps/page.py")` returns a Streamlit `AppTest` for that page (not yet run)."""
    from streamlit.testing.v1 import AppTest

    def make(script: str | Path, timeout_s: float = 60.0):
        return AppTest.from_file(str(ROOT / script), default_timeout=timeout_s)

    return make


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `apt-get install -y chromium` (or set CHROMIUM_PATH)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser page; `page.console_errors` collects JavaScript errors seen while it lived."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda msg: msg.type == "error" and pg.console_errors.append(msg.text))
    pg.on("pageerror", lambda err: pg.console_errors.append(str(err)))
    yield pg
    context.close()


@dataclass(frozen=True)
class Suite:
    base: str  # the launcher: index at base + "/", Gradio demos at base + "/<name>/"
    streamlit: str  # the Streamlit page's own server
    proc: subprocess.Popen


@pytest.fixture(scope="session")
def suite_server() -> Iterator[Suite]:
    """The whole suite, served by `python -m apps` on free ports."""
    port, st_port = free_port(), free_port()
    log = tempfile.NamedTemporaryFile(prefix="genai-demos-suite-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "apps", "--host", "127.0.0.1", "--port", str(port), "--streamlit-port", str(st_port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for_http(base + "/", timeout_s=300.0)  # the whole suite warms up slowly on a busy CPU
        except TimeoutError:
            raise TimeoutError(f"the launcher did not start; its log:\n{Path(log.name).read_text()[-3000:]}") from None
        yield Suite(base=base, streamlit=f"http://127.0.0.1:{st_port}", proc=proc)
    finally:
        stop(proc)

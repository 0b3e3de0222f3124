"""The launcher: one server for every demo, clear one-line errors, and no orphan processes."""

import signal
import subprocess
import sys
import time

import httpx
import psutil
import pytest

from apps.catalog import DEMOS, streamlit_demos
from tests.conftest import ROOT, free_port, wait_for_http


def run_launcher(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "apps", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_unknown_demo_gets_one_line_listing_the_valid_names():
    result = run_launcher("--only", "no-such-demo")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert all(d.name in lines[0] for d in DEMOS)


def test_port_in_use_gets_one_line_naming_a_free_port():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_launcher("--port", str(port), "--only", "scale")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {port}" in lines[0] and "--port" in lines[0]


def test_share_offline_fails_with_a_clear_message():
    """How fast it gives up is measured by `python bench/fail_fast.py`."""
    result = run_launcher("--share", "--port", str(free_port()), "--only", "scale", timeout=300)
    assert result.returncode == 2
    assert "needs internet" in result.stderr and "Traceback" not in result.stderr


def test_index_lists_every_demo_and_answers_before_any_model_loads():
    """Run in a fresh process: mounting a demo marks its Blocks as running, which other tests launch."""
    code = """
from html import escape
from fastapi.testclient import TestClient
from apps.catalog import DEMOS, gradio_demos
from apps.launcher import build_app
from core.runtime import model_cache

with TestClient(build_app(DEMOS, streamlit_port=8999, warm_up=False)) as client:
    index = client.get("/")
    assert index.status_code == 200
    for demo in DEMOS:
        assert escape(demo.title) in index.text and escape(demo.concept) in index.text, demo.name
    assert index.text.count("Course concept:") == len(DEMOS), "every entry names its course concept"
    for demo in gradio_demos():
        assert client.get(f"/{demo.name}/").status_code == 200, demo.name
assert model_cache._loaded == {}, model_cache._loaded
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.stdout.strip().endswith("ok"), result.stderr[-2000:]


SERVE_WHEN_WARM = """
import sys, threading
from fastapi.testclient import TestClient
from apps.catalog import Demo
from apps.launcher import build_app
from core.runtime import ModelSpec, register

release, opened = threading.Event(), threading.Event()
register(ModelSpec(name="slow-model", bundled=__import__("pathlib").Path("."), load=lambda s: release.wait(60)))
demo = Demo("scale", "Scale", "does", "concept", models=("slow-model",))
app = build_app((demo,), streamlit_port=8999, serve_when_warm=sys.argv[1] == "wait")

def serve():
    with TestClient(app) as client:
        opened.set()
        assert client.get("/").status_code == 200
        release.wait(60)

server = threading.Thread(target=serve, daemon=True)
server.start()
report = open(sys.argv[2], "w")  # its own file: the launcher's start-up lines share stdout from another thread
print("open while loading:", opened.wait(3), file=report)
release.set()
print("open once loaded:", opened.wait(60), file=report)
report.close()
server.join(60)
"""


@pytest.mark.parametrize("mode", ["wait", "early"])
def test_the_port_opens_once_the_models_are_loaded_unless_asked_to_serve_early(mode, tmp_path):
    """A model whose load blocks until released: the app's start-up (lifespan) finishes only after it loads, so
    the port opens to a warm server; with `--serve-early` (serve_when_warm=False) it finishes at once."""
    report = tmp_path / "report.txt"
    result = subprocess.run(
        [sys.executable, "-c", SERVE_WHEN_WARM, mode, str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = report.read_text().splitlines() if report.exists() else []
    assert lines == [f"open while loading: {mode == 'early'}", "open once loaded: True"], result.stderr[-2000:]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_launcher_stops_the_streamlit_page(sig):
    if not streamlit_demos():
        pytest.skip("the catalog has no Streamlit page to start")
    port, st_port = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "apps", "--port", str(port), "--streamlit-port", str(st_port), "--no-warm-up"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        printed = []
        for line in proc.stdout:  # the URLs first, then one "ready" line once the server answers
            printed.append(line)
            if line.startswith("ready:"):
                break
        assert printed[-1].startswith(f"ready: http://localhost:{port}/"), printed
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200  # at once, without waiting
        wait_for_http(f"http://127.0.0.1:{st_port}/_stcore/health", timeout_s=120)  # started in parallel
        assert 'href="http://127.0.0.1:' + str(st_port) in httpx.get(f"http://127.0.0.1:{port}/").text
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children
        proc.send_signal(sig)
        assert proc.wait(timeout=30) == 0
        _, alive = psutil.wait_procs(children, timeout=15)
        assert alive == []
    finally:
        if proc.poll() is None:
            proc.kill()


def test_the_models_loaded_line_names_each_model_that_failed(capsys):
    import threading

    from apps.terminal import announce_loaded

    done = threading.Thread(target=lambda: None)
    done.start()
    announce_loaded(done, ["no-such-model", "nor-this-one"], started=time.perf_counter())
    assert capsys.readouterr().out == (
        "models loaded (0 s) except no-such-model, nor-this-one: a demo that needs one says why when used\n"
    )
    announce_loaded(done, [], started=time.perf_counter() - 61)
    assert capsys.readouterr().out == "all models loaded (61 s): no click waits for a model to load now\n"

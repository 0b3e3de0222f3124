"""A class at once: requests that arrive while the models warm up get real answers, and the launcher stops within
Docker's grace period, Streamlit page included, even with a job streaming."""

import signal
import subprocess
import sys
import tempfile
import threading
import time

import psutil
import pytest
from gradio_client import Client
from gradio_client.utils import Status

from tests.conftest import ROOT, free_port, wait_for_http

SENTENCE = "the small red car sees a black dog"
COIN = "Q: A coin is heads up. Dan flips the coin. Is the coin still heads up?\nA:"


def client(url: str) -> Client:
    return Client(url, verbose=False, httpx_kwargs={"timeout": 300}, download_files=tempfile.mkdtemp())


def first_requests(base: str) -> dict[str, object]:
    """One request per demo that loads or builds a model, all fired at once."""
    calls = {
        "transformer": lambda: client(base + "/transformer/").predict(
            SENTENCE, "toy-translator", api_name="/attention"
        )[0],
        "prompting": lambda: client(base + "/prompting/").predict(COIN, 12, 0.0, 0, api_name="/generate"),
        "flows": lambda: client(base + "/flows/").predict(
            model="digits: neural spline flow", n=4, seed=0, api_name="/sample"
        )[1],
        "transfer": lambda: client(base + "/transfer/").predict(
            mode="full", shots=2, epochs=2, seed=0, lr=3e-3, source="digits", api_name="/finetune"
        )[0],
        "text_to_image": lambda: client(base + "/text_to_image/").predict(
            "a red circle on the left", 0, 2, 3.0, "DDIM", 1, "bundled", api_name="/generate"
        )[1],
    }
    answers: dict[str, object] = {}

    def run(name):
        try:
            answers[name] = calls[name]()
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            answers[name] = err

    threads = [threading.Thread(target=run, args=(name,)) for name in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    return answers


@pytest.mark.slow
def test_requests_during_warm_up_get_answers_and_sigterm_stops_everything():
    port, st_port = free_port(), free_port()
    log = tempfile.NamedTemporaryFile(prefix="genai-demos-cold-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        # --serve-early: the port opens while the models warm up, so the first requests race the warm-up
        [sys.executable, "-m", "apps", "--port", str(port), "--streamlit-port", str(st_port), "--serve-early"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/", timeout_s=600)  # a busy shared CPU can take minutes to import everything
        answers = first_requests(base)  # the warm-up thread is loading models now
        errors = {k: v for k, v in answers.items() if isinstance(v, Exception)}
        assert not errors, f"{errors}\n{open(log.name).read()[-3000:]}"
        assert "encoder-decoder" in answers["transformer"] and isinstance(answers["prompting"], str)
        assert "network evaluations" in answers["flows"] and 0 < answers["transfer"] <= 1
        assert answers["text_to_image"] == 0
        again = first_requests(base)  # once warm, the same models still answer
        assert not [v for v in again.values() if isinstance(v, Exception)], again

        wait_for_http(f"http://127.0.0.1:{st_port}/_stcore/health", timeout_s=120)
        children = psutil.Process(proc.pid).children(recursive=True)
        job = client(base + "/transfer/").submit(
            ["scratch", "full"], 5, 200, 3e-3, 0, 5, "digits", 0.8, api_name="/compare"
        )  # a long job with its event stream open
        running = (Status.PROCESSING, Status.ITERATING, Status.FINISHED)
        while job.status().code not in running:  # until a worker has taken it up
            time.sleep(0.1)
        assert job.status().code != Status.FINISHED
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0  # 3 s for connections and 4 s for the page at most; Docker allows 10
        _, alive = psutil.wait_procs(children, timeout=15)
        assert alive == []
    finally:
        if proc.poll() is None:
            proc.kill()

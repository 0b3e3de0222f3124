"""Start-up time of the whole suite against a bare Gradio hello-world, measured in one run.

    python bench/startup.py [--repeat 3]

Times each from process start until every URL answers HTTP 200: for the suite, the index, every
mounted Gradio demo and the Streamlit page's health endpoint. Target: suite / bare <= 1.2.
"""

import argparse
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from apps.catalog import DEMOS  # noqa: E402

HELLO = "import gradio as gr\ngr.Interface(lambda name: 'Hello ' + name, 'text', 'text').launch(server_port={port})\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_until_ready(command: list[str], urls: list[str], timeout_s: float = 180) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pending = list(urls)
    try:
        while pending:
            if time.perf_counter() - start > timeout_s:
                raise TimeoutError(f"not ready after {timeout_s} s: {pending}")
            try:
                if httpx.get(pending[0], timeout=2).status_code == 200:
                    pending.pop(0)
                    continue
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        return time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def suite_once() -> float:
    port, st_port = free_port(), free_port()
    urls = [f"http://127.0.0.1:{port}/"]
    urls += [f"http://127.0.0.1:{port}/{d.name}/" for d in DEMOS if d.kind == "gradio"]
    urls += [f"http://127.0.0.1:{st_port}/_stcore/health" for d in DEMOS if d.kind == "streamlit"]
    command = [sys.executable, "-m", "apps", "--port", str(port), "--streamlit-port", str(st_port), "--no-warm-up"]
    return time_until_ready(command, urls)


def bare_once() -> float:
    port = free_port()
    return time_until_ready([sys.executable, "-c", HELLO.format(port=port)], [f"http://127.0.0.1:{port}/"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bare, suite = [], []
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        bare.append(bare_once())
        suite.append(suite_once())
    b, s = statistics.median(bare), statistics.median(suite)
    print(f"bare Gradio hello-world: median {b:.2f} s  ({', '.join(f'{x:.2f}' for x in bare)})")
    print(f"whole suite ({len(DEMOS)} demos): median {s:.2f} s  ({', '.join(f'{x:.2f}' for x in suite)})")
    print(f"ratio suite / bare: {s / b:.2f}  (target <= 1.2)")


if __name__ == "__main__":
    main()
